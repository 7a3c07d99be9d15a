/* FULLY_CONNECTED int8 for Cortex-M55 (MVE): 4 output channels a step, each a filter row
 * dotted with the input row by LWAI_MVE_DOT4_S8 (64 MACs in 10 instructions), the 4
 * results requantized as one vector. bias + input_offset * sum(row) and the split shifts
 * are planned once per call in ctx->buf. A nonzero filter_offset (never in TFLite int8
 * models) goes to the reference. */
#include "mve_common.h"

/* Channel arrays in ctx->buf: kc, mult, left, right, each padded to a multiple of 4. */
static int32_t fc_padded(int32_t cout)
{
    return (cout + 3) & ~3;
}

int32_t lwai_fully_connected_opt_s8_get_buffer_size(const lwai_fully_connected_params *params,
                                                    const lwai_dims *input_dims,
                                                    const lwai_dims *filter_dims,
                                                    const lwai_dims *output_dims)
{
    if (params == 0 || input_dims == 0 || filter_dims == 0 || output_dims == 0 ||
        params->filter_offset != 0) {
        return 0; /* a filter zero point: the reference kernel, no scratch */
    }
    return 4 * 4 * fc_padded(output_dims->c);
}

static int fc_args_ok(const lwai_channel_quant *q, const lwai_dims *in, const lwai_dims *f,
                      const lwai_dims *bias_dims, const int32_t *bias, const lwai_dims *out)
{
    if (!lwai_dims_valid(in) || !lwai_dims_valid(f) || !lwai_dims_valid(out) || f->c <= 0 ||
        lwai_dims_count(in) % f->c != 0 || lwai_dims_count(in) / f->c != out->n ||
        out->c != f->n || q->multiplier == 0 || q->shift == 0 ||
        (q->count != 1 && q->count != out->c)) {
        return 0;
    }
    return bias == 0 || (bias_dims != 0 && lwai_dims_count(bias_dims) == out->c);
}

lwai_status lwai_fully_connected_opt_s8(const lwai_context *ctx,
                                        const lwai_fully_connected_params *params,
                                        const lwai_channel_quant *quant,
                                        const lwai_dims *input_dims, const int8_t *input,
                                        const lwai_dims *filter_dims, const int8_t *filter,
                                        const lwai_dims *bias_dims, const int32_t *bias,
                                        const lwai_dims *output_dims, int8_t *output)
{
    int32_t *kc, *mult, *left, *right;
    int32_t size, depth, cout, padded, b, oc;
    int32x4_t lo, hi;
    if (params == 0 || quant == 0 || input_dims == 0 || input == 0 ||
        filter_dims == 0 || filter == 0 || output_dims == 0 || output == 0 ||
        !fc_args_ok(quant, input_dims, filter_dims, bias_dims, bias, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    size = lwai_fully_connected_opt_s8_get_buffer_size(params, input_dims, filter_dims,
                                                       output_dims);
    if (size > 0 && (ctx == 0 || ctx->buf == 0 || ctx->size < size)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (size == 0 || params->act_min > params->act_max) {
        return lwai_fully_connected_s8(params, quant, input_dims, input, filter_dims, filter,
                                       bias_dims, bias, output_dims, output);
    }
    depth = filter_dims->c;
    cout = output_dims->c;
    padded = fc_padded(cout);
    kc = (int32_t *)ctx->buf;
    mult = kc + padded;
    left = mult + padded;
    right = left + padded;
    for (oc = 0; oc < cout; ++oc) {
        const int32_t q = quant->count == 1 ? 0 : oc;
        const int32_t shift = quant->shift[q];
        kc[oc] = (int32_t)((uint32_t)(bias != 0 ? bias[oc] : 0) +
                           (uint32_t)params->input_offset *
                               (uint32_t)lwai_mve_sum_s8(filter + oc * depth, depth));
        mult[oc] = quant->multiplier[q];
        left[oc] = shift > 0 ? shift : 0;
        right[oc] = shift > 0 ? 0 : shift;
    }
    lo = vdupq_n_s32(params->act_min);
    hi = vdupq_n_s32(params->act_max);
    for (b = 0; b < output_dims->n; ++b) {
        const int8_t *row = input + b * depth;
        int8_t *out = output + b * cout;
        for (oc = 0; oc < cout; oc += 4) {
            const int32_t n = lwai_min_i32(4, cout - oc);
            const int8_t *w0 = filter + oc * depth;
            /* A partial block repeats row 0 in the lanes it does not store. */
            const int8_t *w1 = n > 1 ? w0 + depth : w0;
            const int8_t *w2 = n > 2 ? w0 + 2 * depth : w0;
            const int8_t *w3 = n > 3 ? w0 + 3 * depth : w0;
            int32x4_t acc;
            const int8_t *x = row;
            LWAI_MVE_DOT4_S8(acc, x, w0, w1, w2, w3, depth, 0);
            acc = vaddq_s32(acc, vldrwq_s32(kc + oc));
            acc = lwai_mve_requant_lr(acc, vldrwq_s32(mult + oc), vldrwq_s32(left + oc),
                                      vldrwq_s32(right + oc));
            acc = lwai_mve_offset_clamp(acc, params->output_offset, lo, hi);
            vstrbq_p_s32(out + oc, acc, vctp32q((uint32_t)n));
        }
    }
    return LWAI_OK;
}
