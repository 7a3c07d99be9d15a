/*
 * FULLY_CONNECTED int8 for Armv7E-M: a matrix-vector product per batch row, two output
 * channels at a time. Per 4 input bytes: one LDR split into two q15 pairs with the input
 * offset added (SXTAB16), then per channel one LDR + 2 SXTB16 + 2 SMLAD: 8 MACs in 13
 * instructions. Depth % 4 and an odd last channel go through scalar code. A filter offset
 * other than 0 (never in TFLite int8 models, whose weights are symmetric) goes to the
 * reference kernel lwai_fully_connected_s8 (always linked with this file). No scratch.
 */
#include "opt_common.h"

static int fc_shapes_ok(const lwai_dims *in, const lwai_dims *f, const lwai_dims *out)
{
    if (!lwai_dims_valid(in) || !lwai_dims_valid(f) || !lwai_dims_valid(out)) {
        return 0;
    }
    return f->c > 0 && lwai_dims_count(in) % f->c == 0 && lwai_dims_count(in) / f->c == out->n &&
           out->c == f->n;
}

int32_t lwai_fully_connected_opt_s8_get_buffer_size(const lwai_fully_connected_params *params,
                                                    const lwai_dims *input_dims,
                                                    const lwai_dims *filter_dims,
                                                    const lwai_dims *output_dims)
{
    (void)params;
    (void)input_dims;
    (void)filter_dims;
    (void)output_dims;
    return 0;
}

lwai_status lwai_fully_connected_opt_s8(const lwai_context *ctx,
                                        const lwai_fully_connected_params *params,
                                        const lwai_channel_quant *quant,
                                        const lwai_dims *input_dims, const int8_t *input,
                                        const lwai_dims *filter_dims, const int8_t *filter,
                                        const lwai_dims *bias_dims, const int32_t *bias,
                                        const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oc, d, depth, d4, cout;
    uint32_t off2;
    (void)ctx; /* no scratch */
    if (params == 0 || quant == 0 || input == 0 || filter == 0 || output == 0 ||
        !fc_shapes_ok(input_dims, filter_dims, output_dims) || quant->multiplier == 0 ||
        quant->shift == 0 || (quant->count != 1 && quant->count != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (params->filter_offset != 0) {
        return lwai_fully_connected_s8(params, quant, input_dims, input, filter_dims, filter,
                                       bias_dims, bias, output_dims, output);
    }
    depth = filter_dims->c;
    d4 = depth & ~3;
    cout = output_dims->c;
    off2 = lwai_opt_dup16(params->input_offset);
    for (b = 0; b < output_dims->n; ++b) {
        const int8_t *row = input + b * depth;
        int8_t *out = output + b * cout;
        for (oc = 0; oc + 1 < cout; oc += 2) {
            const int8_t *w0 = filter + oc * depth;
            const int8_t *w1 = w0 + depth;
            int32_t acc0 = bias != 0 ? bias[oc] : 0;
            int32_t acc1 = bias != 0 ? bias[oc + 1] : 0;
            for (d = 0; d < d4; d += 4) {
                const uint32_t x = lwai_opt_read_u32(row + d);
                const uint32_t xl = lwai_opt_lo_off(x, off2), xh = lwai_opt_hi_off(x, off2);
                uint32_t w = lwai_opt_read_u32(w0 + d);
                acc0 = lwai_opt_smlad(xl, lwai_opt_lo(w), acc0);
                acc0 = lwai_opt_smlad(xh, lwai_opt_hi(w), acc0);
                w = lwai_opt_read_u32(w1 + d);
                acc1 = lwai_opt_smlad(xl, lwai_opt_lo(w), acc1);
                acc1 = lwai_opt_smlad(xh, lwai_opt_hi(w), acc1);
            }
            for (; d < depth; ++d) {
                const int32_t x = (int32_t)row[d] + params->input_offset;
                acc0 += x * w0[d];
                acc1 += x * w1[d];
            }
            out[oc] = lwai_opt_out(acc0, lwai_opt_rq_of(quant, oc), params->output_offset,
                                   params->act_min, params->act_max);
            out[oc + 1] = lwai_opt_out(acc1, lwai_opt_rq_of(quant, oc + 1),
                                       params->output_offset, params->act_min, params->act_max);
        }
        if (oc < cout) {
            const int8_t *w0 = filter + oc * depth;
            int32_t acc0 = bias != 0 ? bias[oc] : 0;
            for (d = 0; d < d4; d += 4) {
                const uint32_t x = lwai_opt_read_u32(row + d);
                const uint32_t w = lwai_opt_read_u32(w0 + d);
                acc0 = lwai_opt_smlad(lwai_opt_lo_off(x, off2), lwai_opt_lo(w), acc0);
                acc0 = lwai_opt_smlad(lwai_opt_hi_off(x, off2), lwai_opt_hi(w), acc0);
            }
            for (; d < depth; ++d) {
                acc0 += ((int32_t)row[d] + params->input_offset) * w0[d];
            }
            out[oc] = lwai_opt_out(acc0, lwai_opt_rq_of(quant, oc), params->output_offset,
                                   params->act_min, params->act_max);
        }
    }
    return LWAI_OK;
}
