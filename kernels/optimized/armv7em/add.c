/*
 * ADD int8 for Armv7E-M, with the reference's 4-D broadcasting. TFLite's arithmetic, three
 * rescales per element, with the parameters hoisted out of the loop and each rescale one
 * SMLAL plus a short rounding shift: both inputs' rescales are exact with
 * (h + 2^(r-1) - (h < 0)) >> r since |h| < 2^29 here (|(x + offset) << 20| < 2^28, a
 * multiplier < 2^31), so that sum cannot overflow. No scratch.
 */
#include "../../reference/broadcast.h"
#include "opt_common.h"

/* An input rescale: multiplier and right shift (the reference allows shifts <= 0). */
typedef struct {
    int32_t multiplier, right, half, mask;
} add_rescale;

static add_rescale add_rescale_of(int32_t multiplier, int32_t shift)
{
    add_rescale r;
    r.multiplier = multiplier;
    r.right = shift < 0 ? -shift : 0;
    r.half = r.right > 0 ? (int32_t)(1u << (r.right - 1)) : 0;
    r.mask = r.right > 0 ? -1 : 0;
    return r;
}

static inline int32_t add_apply(int32_t x, add_rescale r)
{
    const int32_t h = (int32_t)(((int64_t)x * r.multiplier + ((int64_t)1 << 30)) >> 31);
    return (h + r.half + ((h >> 31) & r.mask)) >> r.right;
}

lwai_status lwai_add_opt_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                            const int8_t *input1, const lwai_dims *input2_dims,
                            const int8_t *input2, const lwai_dims *output_dims, int8_t *output)
{
    lwai_bcast_strides s1, s2;
    int32_t b, y, x, c;
    add_rescale r1, r2;
    lwai_opt_rq ro;
    lwai_opt_act act;
    int32_t off1, off2, ls, n_c;
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0 ||
        !lwai_dims_valid(output_dims) || !lwai_bcast_prepare(input1_dims, output_dims, &s1) ||
        !lwai_bcast_prepare(input2_dims, output_dims, &s2) || params->left_shift < 0 ||
        params->left_shift > 30) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (params->left_shift > 20 || params->input1_shift > 0 || params->input2_shift > 0) {
        /* outside TFLite's int8 scheme (left_shift 20, input shifts <= 0): the bound above
         * does not hold, so the reference arithmetic */
        return lwai_add_s8(params, input1_dims, input1, input2_dims, input2, output_dims,
                           output);
    }
    r1 = add_rescale_of(params->input1_multiplier, params->input1_shift);
    r2 = add_rescale_of(params->input2_multiplier, params->input2_shift);
    ro.multiplier = params->output_multiplier;
    ro.left = params->output_shift > 0 ? params->output_shift : 0;
    ro.right = params->output_shift > 0 ? 0 : -params->output_shift;
    act = lwai_opt_act_of(params->output_offset, params->act_min, params->act_max);
    off1 = params->input1_offset;
    off2 = params->input2_offset;
    ls = params->left_shift;
    n_c = output_dims->c;
    for (b = 0; b < output_dims->n; ++b) {
        for (y = 0; y < output_dims->h; ++y) {
            for (x = 0; x < output_dims->w; ++x) {
                const int8_t *a = input1 + b * s1.n + y * s1.h + x * s1.w;
                const int8_t *d = input2 + b * s2.n + y * s2.h + x * s2.w;
                int8_t *out = output + ((b * output_dims->h + y) * output_dims->w + x) * n_c;
                for (c = 0; c < n_c; ++c) {
                    const int32_t x1 = (int32_t)((uint32_t)(*a + off1) << ls);
                    const int32_t x2 = (int32_t)((uint32_t)(*d + off2) << ls);
                    out[c] = lwai_opt_out_act(add_apply(x1, r1) + add_apply(x2, r2), ro, act);
                    a += s1.c;
                    d += s2.c;
                }
            }
        }
    }
    return LWAI_OK;
}
