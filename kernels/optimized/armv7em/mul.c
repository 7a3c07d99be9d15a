/*
 * MUL int8 for Armv7E-M, with the reference's 4-D broadcasting: the offset product (at
 * most 2^16 in magnitude) and one rescale per element, the parameters hoisted out of the
 * loop and the rescale as in the conv kernels (SMLAL + short rounding shift). No scratch.
 */
#include "../../reference/broadcast.h"
#include "opt_common.h"

lwai_status lwai_mul_opt_s8(const lwai_mul_params *params, const lwai_dims *input1_dims,
                            const int8_t *input1, const lwai_dims *input2_dims,
                            const int8_t *input2, const lwai_dims *output_dims, int8_t *output)
{
    lwai_bcast_strides s1, s2;
    int32_t b, y, x, c, off1, off2, n_c;
    lwai_opt_rq ro;
    lwai_opt_act act;
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0 ||
        !lwai_dims_valid(output_dims) || !lwai_bcast_prepare(input1_dims, output_dims, &s1) ||
        !lwai_bcast_prepare(input2_dims, output_dims, &s2)) {
        return LWAI_ERR_INVALID_ARG;
    }
    ro.multiplier = params->output_multiplier;
    ro.left = params->output_shift > 0 ? params->output_shift : 0;
    ro.right = params->output_shift > 0 ? 0 : -params->output_shift;
    act = lwai_opt_act_of(params->output_offset, params->act_min, params->act_max);
    off1 = params->input1_offset;
    off2 = params->input2_offset;
    n_c = output_dims->c;
    for (b = 0; b < output_dims->n; ++b) {
        for (y = 0; y < output_dims->h; ++y) {
            for (x = 0; x < output_dims->w; ++x) {
                const int8_t *a = input1 + b * s1.n + y * s1.h + x * s1.w;
                const int8_t *d = input2 + b * s2.n + y * s2.h + x * s2.w;
                int8_t *out = output + ((b * output_dims->h + y) * output_dims->w + x) * n_c;
                for (c = 0; c < n_c; ++c) {
                    out[c] = lwai_opt_out_act((*a + off1) * (*d + off2), ro, act);
                    a += s1.c;
                    d += s2.c;
                }
            }
        }
    }
    return LWAI_OK;
}
