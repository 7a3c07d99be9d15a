/* TRANSPOSE_CONV reference kernels: int8, and int16 activations with int8 weights and
 * int64 bias (16x8). Each output sums the input pixels whose stride-spread filter window
 * covers it: input (iy, ix) reaches output (iy * stride - pad + ky, ...). TFLM scatters
 * into an int32/int64 scratch; gathering per output adds the same integer terms, so the
 * sums are equal and no scratch is needed. */
#include "lwai_fixedpoint.h"

/* TFLite's 64-bit MultiplyByQuantizedMultiplier (the multiplier rounded to 16 bits). */
static int32_t tconv_mul_64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    const int64_t r = x * (int64_t)reduced + ((int64_t)1 << (total_shift - 1));
    return (int32_t)(uint32_t)(uint64_t)(r >> total_shift);
}

static int tconv_args_ok(const lwai_transpose_conv_params *p, const lwai_channel_quant *q,
                         const lwai_dims *in, const lwai_dims *f, const lwai_dims *out,
                         const lwai_dims *bias_dims, const void *bias, int32_t max_shift)
{
    int32_t i;
    if (p == 0 || q == 0 || q->multiplier == 0 || q->shift == 0 || !lwai_dims_valid(in) ||
        !lwai_dims_valid(f) || !lwai_dims_valid(out) || p->stride_h < 1 || p->stride_w < 1 ||
        p->pad_top < 0 || p->pad_left < 0 || in->n != out->n || in->c != f->c ||
        out->c != f->n || (q->count != 1 && q->count != out->c) || p->act_min > p->act_max) {
        return 0;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != out->c)) {
        return 0;
    }
    for (i = 0; i < q->count; ++i) {
        if (q->multiplier[i] < 0 || q->shift[i] < -31 || q->shift[i] > max_shift) {
            return 0;
        }
    }
    return 1;
}

/* First filter tap k >= 0 with (o + pad - k) divisible by stride, and the input index it
 * reads: the taps of one output are k, k + stride, ... (input index decreasing by 1). */
static int32_t tconv_first_tap(int32_t o, int32_t pad, int32_t stride)
{
    return (o + pad) % stride;
}

lwai_status lwai_transpose_conv_s8(const lwai_transpose_conv_params *params,
                                   const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                   const int8_t *input, const lwai_dims *filter_dims,
                                   const int8_t *filter, const lwai_dims *bias_dims,
                                   const int32_t *bias, const lwai_dims *output_dims,
                                   int8_t *output)
{
    int32_t b, oy, ox, oc, ky, kx, ic;
    if (input == 0 || filter == 0 || output == 0 ||
        !tconv_args_ok(params, quant, input_dims, filter_dims, output_dims, bias_dims, bias,
                       31) ||
        params->act_min < LWAI_INT8_MIN || params->act_max > LWAI_INT8_MAX) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                for (oc = 0; oc < output_dims->c; ++oc) {
                    const int32_t k = quant->count == 1 ? 0 : oc;
                    int32_t acc = 0;
                    for (ky = tconv_first_tap(oy, params->pad_top, params->stride_h);
                         ky < filter_dims->h; ky += params->stride_h) {
                        const int32_t iy = (oy + params->pad_top - ky) / params->stride_h;
                        if (iy < 0 || iy >= input_dims->h) {
                            continue;
                        }
                        for (kx = tconv_first_tap(ox, params->pad_left, params->stride_w);
                             kx < filter_dims->w; kx += params->stride_w) {
                            const int32_t ix = (ox + params->pad_left - kx) / params->stride_w;
                            const int8_t *ip;
                            const int8_t *fp;
                            if (ix < 0 || ix >= input_dims->w) {
                                continue;
                            }
                            ip = input + ((b * input_dims->h + iy) * input_dims->w + ix) *
                                             input_dims->c;
                            fp = filter + ((oc * filter_dims->h + ky) * filter_dims->w + kx) *
                                              filter_dims->c;
                            for (ic = 0; ic < input_dims->c; ++ic) {
                                acc += ((int32_t)ip[ic] + params->input_offset) * (int32_t)fp[ic];
                            }
                        }
                    }
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    acc = lwai_mul_by_quantized_multiplier(acc, quant->multiplier[k],
                                                           quant->shift[k]);
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

lwai_status lwai_transpose_conv_s16(const lwai_transpose_conv_params *params,
                                    const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                    const int16_t *input, const lwai_dims *filter_dims,
                                    const int8_t *filter, const lwai_dims *bias_dims,
                                    const int64_t *bias, const lwai_dims *output_dims,
                                    int16_t *output)
{
    int32_t b, oy, ox, oc, ky, kx, ic;
    /* the 64-bit rescale takes shifts up to 7 (total shift 15 - shift >= 8) */
    if (input == 0 || filter == 0 || output == 0 ||
        !tconv_args_ok(params, quant, input_dims, filter_dims, output_dims, bias_dims, bias, 7) ||
        params->act_min < LWAI_INT16_MIN || params->act_max > LWAI_INT16_MAX) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                for (oc = 0; oc < output_dims->c; ++oc) {
                    const int32_t k = quant->count == 1 ? 0 : oc;
                    int64_t acc = 0;
                    int32_t v;
                    for (ky = tconv_first_tap(oy, params->pad_top, params->stride_h);
                         ky < filter_dims->h; ky += params->stride_h) {
                        const int32_t iy = (oy + params->pad_top - ky) / params->stride_h;
                        if (iy < 0 || iy >= input_dims->h) {
                            continue;
                        }
                        for (kx = tconv_first_tap(ox, params->pad_left, params->stride_w);
                             kx < filter_dims->w; kx += params->stride_w) {
                            const int32_t ix = (ox + params->pad_left - kx) / params->stride_w;
                            const int16_t *ip;
                            const int8_t *fp;
                            if (ix < 0 || ix >= input_dims->w) {
                                continue;
                            }
                            ip = input + ((b * input_dims->h + iy) * input_dims->w + ix) *
                                             input_dims->c;
                            fp = filter + ((oc * filter_dims->h + ky) * filter_dims->w + kx) *
                                              filter_dims->c;
                            for (ic = 0; ic < input_dims->c; ++ic) {
                                acc += (int32_t)ip[ic] * (int32_t)fp[ic];
                            }
                        }
                    }
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    v = tconv_mul_64(acc, quant->multiplier[k], quant->shift[k]);
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           oc] = (int16_t)lwai_clamp_i32(v, params->act_min, params->act_max);
                }
            }
        }
    }
    return LWAI_OK;
}

/* float32: the same gather; sums in another order than TFLM's scatter, so equal within
 * float rounding (TFLM applies no activation here either). */
lwai_status lwai_transpose_conv_f32(const lwai_transpose_conv_params *params,
                                    const lwai_dims *input_dims, const float *input,
                                    const lwai_dims *filter_dims, const float *filter,
                                    const lwai_dims *bias_dims, const float *bias,
                                    const lwai_dims *output_dims, float *output)
{
    int32_t b, oy, ox, oc, ky, kx, ic;
    if (params == 0 || input == 0 || filter == 0 || output == 0 ||
        !lwai_dims_valid(input_dims) || !lwai_dims_valid(filter_dims) ||
        !lwai_dims_valid(output_dims) || params->stride_h < 1 || params->stride_w < 1 ||
        params->pad_top < 0 || params->pad_left < 0 || input_dims->n != output_dims->n ||
        input_dims->c != filter_dims->c || output_dims->c != filter_dims->n ||
        (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c))) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                for (oc = 0; oc < output_dims->c; ++oc) {
                    float acc = 0.0f;
                    for (ky = tconv_first_tap(oy, params->pad_top, params->stride_h);
                         ky < filter_dims->h; ky += params->stride_h) {
                        const int32_t iy = (oy + params->pad_top - ky) / params->stride_h;
                        if (iy < 0 || iy >= input_dims->h) {
                            continue;
                        }
                        for (kx = tconv_first_tap(ox, params->pad_left, params->stride_w);
                             kx < filter_dims->w; kx += params->stride_w) {
                            const int32_t ix = (ox + params->pad_left - kx) / params->stride_w;
                            const float *ip;
                            const float *fp;
                            if (ix < 0 || ix >= input_dims->w) {
                                continue;
                            }
                            ip = input + ((b * input_dims->h + iy) * input_dims->w + ix) *
                                             input_dims->c;
                            fp = filter + ((oc * filter_dims->h + ky) * filter_dims->w + kx) *
                                              filter_dims->c;
                            for (ic = 0; ic < input_dims->c; ++ic) {
                                acc += ip[ic] * fp[ic];
                            }
                        }
                    }
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           oc] = acc;
                }
            }
        }
    }
    return LWAI_OK;
}
