/* CONV_2D reference kernels (int8 per-tensor/per-channel, float32). */
#include "lwai_fixedpoint.h"

/* Shapes must agree: Cin a multiple of the filter depth (grouped conv), Cout a multiple of
 * the group count, batches equal. */
static int conv2d_shapes_ok(const lwai_dims *in, const lwai_dims *f, const lwai_dims *out)
{
    if (!lwai_dims_valid(in) || !lwai_dims_valid(f) || !lwai_dims_valid(out)) {
        return 0;
    }
    if (f->c <= 0 || in->c % f->c != 0 || out->c != f->n || in->n != out->n) {
        return 0;
    }
    return (out->c % (in->c / f->c)) == 0;
}

static int conv2d_params_ok(const lwai_conv2d_params *p)
{
    return p->stride_h > 0 && p->stride_w > 0 && p->dilation_h > 0 && p->dilation_w > 0;
}

lwai_status lwai_conv2d_s8(const lwai_conv2d_params *params, const lwai_channel_quant *quant,
                           const lwai_dims *input_dims, const int8_t *input,
                           const lwai_dims *filter_dims, const int8_t *filter,
                           const lwai_dims *bias_dims, const int32_t *bias,
                           const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oy, ox, oc, ky, kx, ic;
    int32_t groups, filter_c, out_per_group;
    if (params == 0 || quant == 0 || input == 0 || filter == 0 || output == 0 ||
        !conv2d_params_ok(params) || !conv2d_shapes_ok(input_dims, filter_dims, output_dims) ||
        quant->multiplier == 0 || quant->shift == 0 ||
        (quant->count != 1 && quant->count != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    filter_c = filter_dims->c;
    groups = input_dims->c / filter_c;
    out_per_group = output_dims->c / groups;
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t iy0 = oy * params->stride_h - params->pad_top;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t ix0 = ox * params->stride_w - params->pad_left;
                for (oc = 0; oc < output_dims->c; ++oc) {
                    const int32_t ic0 = (oc / out_per_group) * filter_c;
                    const int32_t q = quant->count == 1 ? 0 : oc;
                    int32_t acc = 0;
                    for (ky = 0; ky < filter_dims->h; ++ky) {
                        const int32_t iy = iy0 + params->dilation_h * ky;
                        if (iy < 0 || iy >= input_dims->h) {
                            continue; /* padding: the zero point, which contributes 0 */
                        }
                        for (kx = 0; kx < filter_dims->w; ++kx) {
                            const int32_t ix = ix0 + params->dilation_w * kx;
                            const int8_t *ip;
                            const int8_t *fp;
                            if (ix < 0 || ix >= input_dims->w) {
                                continue;
                            }
                            ip = input + ((b * input_dims->h + iy) * input_dims->w + ix) *
                                             input_dims->c + ic0;
                            fp = filter + ((oc * filter_dims->h + ky) * filter_dims->w + kx) *
                                              filter_c;
                            for (ic = 0; ic < filter_c; ++ic) {
                                acc += ((int32_t)ip[ic] + params->input_offset) * (int32_t)fp[ic];
                            }
                        }
                    }
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    acc = lwai_mul_by_quantized_multiplier(acc, quant->multiplier[q],
                                                           quant->shift[q]);
                    acc = lwai_offset_clamp_i32(acc, params->output_offset, params->act_min,
                                                params->act_max);
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           oc] = (int8_t)acc;
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_conv2d_f32(const lwai_conv2d_params *params, const lwai_dims *input_dims,
                            const float *input, const lwai_dims *filter_dims,
                            const float *filter, const lwai_dims *bias_dims, const float *bias,
                            const lwai_dims *output_dims, float *output)
{
    int32_t b, oy, ox, oc, ky, kx, ic;
    int32_t groups, filter_c, out_per_group;
    if (params == 0 || input == 0 || filter == 0 || output == 0 || !conv2d_params_ok(params) ||
        !conv2d_shapes_ok(input_dims, filter_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    filter_c = filter_dims->c;
    groups = input_dims->c / filter_c;
    out_per_group = output_dims->c / groups;
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t iy0 = oy * params->stride_h - params->pad_top;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t ix0 = ox * params->stride_w - params->pad_left;
                for (oc = 0; oc < output_dims->c; ++oc) {
                    const int32_t ic0 = (oc / out_per_group) * filter_c;
                    float total = 0.0f;
                    for (ky = 0; ky < filter_dims->h; ++ky) {
                        const int32_t iy = iy0 + params->dilation_h * ky;
                        if (iy < 0 || iy >= input_dims->h) {
                            continue;
                        }
                        for (kx = 0; kx < filter_dims->w; ++kx) {
                            const int32_t ix = ix0 + params->dilation_w * kx;
                            const float *ip;
                            const float *fp;
                            if (ix < 0 || ix >= input_dims->w) {
                                continue;
                            }
                            ip = input + ((b * input_dims->h + iy) * input_dims->w + ix) *
                                             input_dims->c + ic0;
                            fp = filter + ((oc * filter_dims->h + ky) * filter_dims->w + kx) *
                                              filter_c;
                            for (ic = 0; ic < filter_c; ++ic) {
                                total += ip[ic] * fp[ic];
                            }
                        }
                    }
                    if (bias != 0) {
                        total += bias[oc];
                    }
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           oc] = lwai_clamp_f32(total, params->act_min_f, params->act_max_f);
                }
            }
        }
    }
    return LWAI_OK;
}
