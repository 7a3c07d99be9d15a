/* ADD int8 for Cortex-M55 (MVE): the reference's three roundings (two input rescales,
 * one output rescale) on 4 elements a step, along channels; broadcasting as in the
 * reference (a size-1 channel dim is splatted, other broadcast dims just move the row). */
#include "mve_common.h"
#include "../../reference/broadcast.h"

static inline int32x4_t add_load(const int8_t *p, int32_t stride_c, int32_t c, mve_pred16_t k)
{
    return stride_c == 0 ? vdupq_n_s32(p[0]) : vldrbq_z_s32(p + c, k);
}

lwai_status lwai_add_opt_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                            const int8_t *input1, const lwai_dims *input2_dims,
                            const int8_t *input2, const lwai_dims *output_dims, int8_t *output)
{
    lwai_bcast_strides s1, s2;
    int32_t b, y, x, c, row, rows, ch, l1, r1, l2, r2, lo_, ro;
    int32x4_t lo, hi;
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0 || output_dims == 0 ||
        !lwai_dims_valid(output_dims) || input1_dims == 0 || input2_dims == 0 ||
        !lwai_bcast_prepare(input1_dims, output_dims, &s1) ||
        !lwai_bcast_prepare(input2_dims, output_dims, &s2) || params->left_shift < 0 ||
        params->left_shift > 30) {
        return LWAI_ERR_INVALID_ARG;
    }
    l1 = lwai_max_i32(params->input1_shift, 0);
    r1 = lwai_min_i32(params->input1_shift, 0);
    l2 = lwai_max_i32(params->input2_shift, 0);
    r2 = lwai_min_i32(params->input2_shift, 0);
    lo_ = lwai_max_i32(params->output_shift, 0);
    ro = lwai_min_i32(params->output_shift, 0);
    if (params->act_min > params->act_max) {
        return lwai_add_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
    }
    lo = vdupq_n_s32(params->act_min);
    hi = vdupq_n_s32(params->act_max);
    ch = output_dims->c;
    rows = output_dims->n * output_dims->h * output_dims->w;
    b = y = x = 0;
    for (row = 0; row < rows; ++row) {
        const int8_t *a = input1 + b * s1.n + y * s1.h + x * s1.w;
        const int8_t *bb = input2 + b * s2.n + y * s2.h + x * s2.w;
        int8_t *out = output + row * ch;
        for (c = 0; c < ch; c += 4) {
            const mve_pred16_t k = vctp32q((uint32_t)(ch - c));
            int32x4_t v1 = vaddq_n_s32(add_load(a, s1.c, c, k), params->input1_offset);
            int32x4_t v2 = vaddq_n_s32(add_load(bb, s2.c, c, k), params->input2_offset);
            v1 = vshlq_r_s32(v1, params->left_shift);
            v2 = vshlq_r_s32(v2, params->left_shift);
            v1 = lwai_mve_requant_n(v1, params->input1_multiplier, l1, r1);
            v2 = lwai_mve_requant_n(v2, params->input2_multiplier, l2, r2);
            v1 = lwai_mve_requant_n(vaddq_s32(v1, v2), params->output_multiplier, lo_, ro);
            vstrbq_p_s32(out + c, lwai_mve_offset_clamp(v1, params->output_offset, lo, hi), k);
        }
        if (++x == output_dims->w) {
            x = 0;
            if (++y == output_dims->h) {
                y = 0;
                ++b;
            }
        }
    }
    return LWAI_OK;
}
