/* FULLY_CONNECTED reference kernels (int8 per-tensor/per-channel, float32). */
#include "lwai_fixedpoint.h"

static int fc_shapes_ok(const lwai_dims *in, const lwai_dims *f, const lwai_dims *out)
{
    if (!lwai_dims_valid(in) || !lwai_dims_valid(f) || !lwai_dims_valid(out)) {
        return 0;
    }
    /* Rows of the input are depth-sized; out has one row per input row. */
    return f->c > 0 && lwai_dims_count(in) % f->c == 0 && lwai_dims_count(in) / f->c == out->n &&
           out->c == f->n;
}

lwai_status lwai_fully_connected_s8(const lwai_fully_connected_params *params,
                                    const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                    const int8_t *input, const lwai_dims *filter_dims,
                                    const int8_t *filter, const lwai_dims *bias_dims,
                                    const int32_t *bias, const lwai_dims *output_dims,
                                    int8_t *output)
{
    int32_t b, oc, d, depth;
    if (params == 0 || quant == 0 || input == 0 || filter == 0 || output == 0 ||
        !fc_shapes_ok(input_dims, filter_dims, output_dims) || quant->multiplier == 0 ||
        quant->shift == 0 || (quant->count != 1 && quant->count != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = filter_dims->c;
    for (b = 0; b < output_dims->n; ++b) {
        const int8_t *row = input + b * depth;
        for (oc = 0; oc < output_dims->c; ++oc) {
            const int8_t *w = filter + oc * depth;
            const int32_t q = quant->count == 1 ? 0 : oc;
            int32_t acc = 0;
            for (d = 0; d < depth; ++d) {
                acc += ((int32_t)w[d] + params->filter_offset) *
                       ((int32_t)row[d] + params->input_offset);
            }
            if (bias != 0) {
                acc += bias[oc];
            }
            acc = lwai_mul_by_quantized_multiplier(acc, quant->multiplier[q], quant->shift[q]);
            output[b * output_dims->c + oc] = (int8_t)lwai_offset_clamp_i32(
                acc, params->output_offset, params->act_min, params->act_max);
        }
    }
    return LWAI_OK;
}

lwai_status lwai_fully_connected_f32(const lwai_fully_connected_params *params,
                                     const lwai_dims *input_dims, const float *input,
                                     const lwai_dims *filter_dims, const float *filter,
                                     const lwai_dims *bias_dims, const float *bias,
                                     const lwai_dims *output_dims, float *output)
{
    int32_t b, oc, d, depth;
    if (params == 0 || input == 0 || filter == 0 || output == 0 ||
        !fc_shapes_ok(input_dims, filter_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = filter_dims->c;
    for (b = 0; b < output_dims->n; ++b) {
        const float *row = input + b * depth;
        for (oc = 0; oc < output_dims->c; ++oc) {
            const float *w = filter + oc * depth;
            float total = 0.0f;
            for (d = 0; d < depth; ++d) {
                total += row[d] * w[d];
            }
            if (bias != 0) {
                total += bias[oc];
            }
            output[b * output_dims->c + oc] =
                lwai_clamp_f32(total, params->act_min_f, params->act_max_f);
        }
    }
    return LWAI_OK;
}
