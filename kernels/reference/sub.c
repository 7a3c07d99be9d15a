/* SUB reference kernels with 4-D broadcasting: ADD's arithmetic (add.c), subtracting. */
#include "broadcast.h"

/* TFLite's int8 SUB: both inputs shifted up by left_shift (20) bits and brought to the
 * common scale 2 * max(s1, s2) with multipliers < 1, subtracted, then rescaled once to the
 * output. The rounding of each step matters (SUB is not ADD with input2's multiplier
 * negated: the rounding high multiply is not odd-symmetric at ties). */
static int8_t sub_one_s8(const lwai_add_params *p, int32_t a, int32_t b)
{
    const int32_t x1 = (a + p->input1_offset) * (1 << p->left_shift);
    const int32_t x2 = (b + p->input2_offset) * (1 << p->left_shift);
    const int32_t s1 = lwai_mul_by_quantized_multiplier(x1, p->input1_multiplier, p->input1_shift);
    const int32_t s2 = lwai_mul_by_quantized_multiplier(x2, p->input2_multiplier, p->input2_shift);
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(s1 - s2, p->output_multiplier, p->output_shift);
    return (int8_t)lwai_offset_clamp_i32(raw, p->output_offset, p->act_min, p->act_max);
}

lwai_status lwai_sub_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output)
{
    lwai_bcast_strides s1, s2;
    int32_t b, y, x, c;
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0 ||
        !lwai_dims_valid(output_dims) || !lwai_bcast_prepare(input1_dims, output_dims, &s1) ||
        !lwai_bcast_prepare(input2_dims, output_dims, &s2) || params->left_shift < 0 ||
        params->left_shift > 30) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (y = 0; y < output_dims->h; ++y) {
            for (x = 0; x < output_dims->w; ++x) {
                const int32_t o1 = b * s1.n + y * s1.h + x * s1.w;
                const int32_t o2 = b * s2.n + y * s2.h + x * s2.w;
                int8_t *out = output + ((b * output_dims->h + y) * output_dims->w + x) *
                                           output_dims->c;
                for (c = 0; c < output_dims->c; ++c) {
                    out[c] = sub_one_s8(params, input1[o1 + c * s1.c], input2[o2 + c * s2.c]);
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_sub_f32(const lwai_add_params *params, const lwai_dims *input1_dims,
                         const float *input1, const lwai_dims *input2_dims, const float *input2,
                         const lwai_dims *output_dims, float *output)
{
    lwai_bcast_strides s1, s2;
    int32_t b, y, x, c;
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0 ||
        !lwai_dims_valid(output_dims) || !lwai_bcast_prepare(input1_dims, output_dims, &s1) ||
        !lwai_bcast_prepare(input2_dims, output_dims, &s2)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (y = 0; y < output_dims->h; ++y) {
            for (x = 0; x < output_dims->w; ++x) {
                const int32_t o1 = b * s1.n + y * s1.h + x * s1.w;
                const int32_t o2 = b * s2.n + y * s2.h + x * s2.w;
                float *out = output + ((b * output_dims->h + y) * output_dims->w + x) *
                                          output_dims->c;
                for (c = 0; c < output_dims->c; ++c) {
                    out[c] = lwai_clamp_f32(input1[o1 + c * s1.c] - input2[o2 + c * s2.c],
                                            params->act_min_f, params->act_max_f);
                }
            }
        }
    }
    return LWAI_OK;
}
