/* SUB reference kernels with 4-D broadcasting: ADD's arithmetic (add.c), subtracting; the
 * walk is broadcast.h's. */
#include "broadcast.h"

/* TFLite's int8 SUB: both inputs shifted up by left_shift (20) bits and brought to the
 * common scale 2 * max(s1, s2) with multipliers < 1, subtracted, then rescaled once to the
 * output. The rounding of each step matters (SUB is not ADD with input2's multiplier
 * negated: the rounding high multiply is not odd-symmetric at ties). */
static inline int8_t sub_one_s8(const lwai_add_params *p, int32_t a, int32_t b)
{
    const int32_t s1 = lwai_align_input(a, p->input1_offset, p->left_shift,
                                        p->input1_multiplier, p->input1_shift);
    const int32_t s2 = lwai_align_input(b, p->input2_offset, p->left_shift,
                                        p->input2_multiplier, p->input2_shift);
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(s1 - s2, p->output_multiplier, p->output_shift);
    return (int8_t)lwai_offset_clamp_i32(raw, p->output_offset, p->act_min, p->act_max);
}

/* int16 SUB (TFLM): the same with left_shift 15 and zero points 0: |a| << 15 < 2^31. */
static inline int16_t sub_one_s16(const lwai_add_s16_params *p, int32_t a, int32_t b)
{
    const int32_t s1 =
        lwai_align_input(a, 0, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t s2 =
        lwai_align_input(b, 0, p->left_shift, p->input2_multiplier, p->input2_shift);
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(s1 - s2, p->output_multiplier, p->output_shift);
    return (int16_t)lwai_clamp_i32(raw, p->act_min, p->act_max);
}

static inline float sub_one_f32(const lwai_add_params *p, float a, float b)
{
    return lwai_clamp_f32(a - b, p->act_min_f, p->act_max_f);
}

LWAI_BCAST_WALKER(sub_walk_s8, int8_t, int8_t, lwai_add_params, sub_one_s8)
LWAI_BCAST_WALKER(sub_walk_s16, int16_t, int16_t, lwai_add_s16_params, sub_one_s16)
LWAI_BCAST_WALKER(sub_walk_f32, float, float, lwai_add_params, sub_one_f32)

lwai_status lwai_sub_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output)
{
    if (params != 0 && (params->left_shift < 0 || params->left_shift > 30)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return sub_walk_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}

lwai_status lwai_sub_s16(const lwai_add_s16_params *params, const lwai_dims *input1_dims,
                         const int16_t *input1, const lwai_dims *input2_dims,
                         const int16_t *input2, const lwai_dims *output_dims, int16_t *output)
{
    if (params != 0 && (params->left_shift < 0 || params->left_shift > 15 ||
                        params->act_min < LWAI_INT16_MIN || params->act_max > LWAI_INT16_MAX ||
                        params->act_min > params->act_max)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return sub_walk_s16(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}

lwai_status lwai_sub_f32(const lwai_add_params *params, const lwai_dims *input1_dims,
                         const float *input1, const lwai_dims *input2_dims, const float *input2,
                         const lwai_dims *output_dims, float *output)
{
    return sub_walk_f32(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}
