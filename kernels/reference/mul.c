/* MUL reference kernels with 4-D broadcasting. */
#include "broadcast.h"

static int8_t mul_one_s8(const lwai_mul_params *p, int32_t a, int32_t b)
{
    /* |(a - zp1) * (b - zp2)| <= 2^16: the product fits before the single rescale. */
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(prod, p->output_multiplier, p->output_shift);
    return (int8_t)lwai_offset_clamp_i32(raw, p->output_offset, p->act_min, p->act_max);
}

lwai_status lwai_mul_s8(const lwai_mul_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output)
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
                int8_t *out = output + ((b * output_dims->h + y) * output_dims->w + x) *
                                           output_dims->c;
                for (c = 0; c < output_dims->c; ++c) {
                    out[c] = mul_one_s8(params, input1[o1 + c * s1.c], input2[o2 + c * s2.c]);
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_mul_f32(const lwai_mul_params *params, const lwai_dims *input1_dims,
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
                    out[c] = lwai_clamp_f32(input1[o1 + c * s1.c] * input2[o2 + c * s2.c],
                                            params->act_min_f, params->act_max_f);
                }
            }
        }
    }
    return LWAI_OK;
}
