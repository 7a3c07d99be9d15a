/* ADD reference kernels with 4-D broadcasting (the walk: broadcast.h). */
#include "broadcast.h"

/* TFLite's int8 scheme: both inputs are shifted up by left_shift (20) bits and brought to a
 * common scale (2 * max input scale) with multipliers < 1, summed, then rescaled once to the
 * output, so the sum keeps ~20 fractional bits of precision. */
static inline int8_t add_one_s8(const lwai_add_params *p, int32_t a, int32_t b)
{
    const int32_t s1 = lwai_align_input(a, p->input1_offset, p->left_shift,
                                        p->input1_multiplier, p->input1_shift);
    const int32_t s2 = lwai_align_input(b, p->input2_offset, p->left_shift,
                                        p->input2_multiplier, p->input2_shift);
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(s1 + s2, p->output_multiplier, p->output_shift);
    return (int8_t)lwai_offset_clamp_i32(raw, p->output_offset, p->act_min, p->act_max);
}

static inline float add_one_f32(const lwai_add_params *p, float a, float b)
{
    return lwai_clamp_f32(a + b, p->act_min_f, p->act_max_f);
}

LWAI_BCAST_WALKER(add_walk_s8, int8_t, int8_t, lwai_add_params, add_one_s8)
LWAI_BCAST_WALKER(add_walk_f32, float, float, lwai_add_params, add_one_f32)

lwai_status lwai_add_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output)
{
    if (params != 0 && (params->left_shift < 0 || params->left_shift > 30)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return add_walk_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}

lwai_status lwai_add_f32(const lwai_add_params *params, const lwai_dims *input1_dims,
                         const float *input1, const lwai_dims *input2_dims, const float *input2,
                         const lwai_dims *output_dims, float *output)
{
    return add_walk_f32(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}
