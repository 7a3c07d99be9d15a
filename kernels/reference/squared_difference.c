/* SQUARED_DIFFERENCE with broadcasting (TFLite Micro): ADD's input alignment (inputs shifted
 * up by left_shift, 7 for int8 and 0 for int16, and scaled to 2 * max input scale), the
 * difference squared (< 2^31: 255^2 * 2^14 for int8, 2^30 for int16), then one rescale to
 * the output. The walk: broadcast.h. */
#include "broadcast.h"

static inline int32_t sqdiff_raw(const lwai_elementwise_params *p, int32_t a, int32_t b)
{
    const int32_t s1 = lwai_align_input(a, p->input1_offset, p->left_shift,
                                        p->input1_multiplier, p->input1_shift);
    const int32_t s2 = lwai_align_input(b, p->input2_offset, p->left_shift,
                                        p->input2_multiplier, p->input2_shift);
    /* unsigned: wraps instead of UB if a file's params break the bound above */
    const uint32_t d = (uint32_t)s1 - (uint32_t)s2;
    const int32_t sq = (int32_t)(d * d);
    return lwai_mul_by_quantized_multiplier(sq, p->output_multiplier, p->output_shift);
}

static inline int8_t sqdiff_one_s8(const lwai_elementwise_params *p, int32_t a, int32_t b)
{
    return (int8_t)lwai_offset_clamp_i32(sqdiff_raw(p, a, b), p->output_offset, p->act_min,
                                         p->act_max);
}

static inline int16_t sqdiff_one_s16(const lwai_elementwise_params *p, int32_t a, int32_t b)
{
    return (int16_t)lwai_offset_clamp_i32(sqdiff_raw(p, a, b), p->output_offset, p->act_min,
                                          p->act_max);
}

LWAI_BCAST_WALKER(sqdiff_walk_s8, int8_t, int8_t, lwai_elementwise_params, sqdiff_one_s8)
LWAI_BCAST_WALKER(sqdiff_walk_s16, int16_t, int16_t, lwai_elementwise_params, sqdiff_one_s16)

static int sqdiff_params_ok(const lwai_elementwise_params *p, int32_t lo, int32_t hi)
{
    return p->left_shift >= 0 && p->left_shift <= 20 && p->input1_shift >= -31 &&
           p->input1_shift <= 0 && p->input2_shift >= -31 && p->input2_shift <= 0 &&
           p->output_shift >= -31 && p->output_shift <= 31 && p->act_min >= lo &&
           p->act_max <= hi && p->act_min <= p->act_max;
}

lwai_status lwai_squared_difference_s8(const lwai_elementwise_params *params,
                                       const lwai_dims *input1_dims, const int8_t *input1,
                                       const lwai_dims *input2_dims, const int8_t *input2,
                                       const lwai_dims *output_dims, int8_t *output)
{
    if (params != 0 && !sqdiff_params_ok(params, LWAI_INT8_MIN, LWAI_INT8_MAX)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return sqdiff_walk_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}

lwai_status lwai_squared_difference_s16(const lwai_elementwise_params *params,
                                        const lwai_dims *input1_dims, const int16_t *input1,
                                        const lwai_dims *input2_dims, const int16_t *input2,
                                        const lwai_dims *output_dims, int16_t *output)
{
    if (params != 0 && !sqdiff_params_ok(params, LWAI_INT16_MIN, LWAI_INT16_MAX)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return sqdiff_walk_s16(params, input1_dims, input1, input2_dims, input2, output_dims,
                           output);
}
