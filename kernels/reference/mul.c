/* MUL reference kernels with 4-D broadcasting (the walk: broadcast.h). */
#include "broadcast.h"

static inline int8_t mul_one_s8(const lwai_mul_params *p, int32_t a, int32_t b)
{
    /* |(a - zp1) * (b - zp2)| <= 2^16: the product fits before the single rescale. */
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(prod, p->output_multiplier, p->output_shift);
    return (int8_t)lwai_offset_clamp_i32(raw, p->output_offset, p->act_min, p->act_max);
}

static inline float mul_one_f32(const lwai_mul_params *p, float a, float b)
{
    return lwai_clamp_f32(a * b, p->act_min_f, p->act_max_f);
}

LWAI_BCAST_WALKER(mul_walk_s8, int8_t, int8_t, lwai_mul_params, mul_one_s8)
LWAI_BCAST_WALKER(mul_walk_f32, float, float, lwai_mul_params, mul_one_f32)

lwai_status lwai_mul_s8(const lwai_mul_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output)
{
    return mul_walk_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}

lwai_status lwai_mul_f32(const lwai_mul_params *params, const lwai_dims *input1_dims,
                         const float *input1, const lwai_dims *input2_dims, const float *input2,
                         const lwai_dims *output_dims, float *output)
{
    return mul_walk_f32(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}
