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

/* The sum over every (input pixel, filter tap) pair reaching output (b, oy, ox, oc), with
 * `offset` added to each input value; one body per (input, filter, accumulator) type. */
#define LWAI_TCONV_SUM(name, in_t, w_t, acc_t)                                                  \
    static acc_t name(const lwai_transpose_conv_params *p, const lwai_dims *in,                 \
                      const in_t *input, const lwai_dims *f, const w_t *filter, int32_t b,      \
                      int32_t oy, int32_t ox, int32_t oc, acc_t offset)                         \
    {                                                                                           \
        acc_t acc = 0;                                                                          \
        int32_t ky, kx, ic;                                                                     \
        for (ky = tconv_first_tap(oy, p->pad_top, p->stride_h); ky < f->h; ky += p->stride_h) { \
            const int32_t iy = (oy + p->pad_top - ky) / p->stride_h;                            \
            if (iy < 0 || iy >= in->h) {                                                        \
                continue;                                                                       \
            }                                                                                   \
            for (kx = tconv_first_tap(ox, p->pad_left, p->stride_w); kx < f->w;                 \
                 kx += p->stride_w) {                                                           \
                const int32_t ix = (ox + p->pad_left - kx) / p->stride_w;                       \
                const in_t *ip;                                                                 \
                const w_t *fp;                                                                  \
                if (ix < 0 || ix >= in->w) {                                                    \
                    continue;                                                                   \
                }                                                                               \
                ip = input + ((b * in->h + iy) * in->w + ix) * in->c;                           \
                fp = filter + ((oc * f->h + ky) * f->w + kx) * f->c;                            \
                for (ic = 0; ic < in->c; ++ic) {                                                \
                    acc += ((acc_t)ip[ic] + offset) * (acc_t)fp[ic];                            \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
        return acc;                                                                             \
    }

LWAI_TCONV_SUM(tconv_sum_s8, int8_t, int8_t, int32_t)
LWAI_TCONV_SUM(tconv_sum_s16, int16_t, int8_t, int64_t)
LWAI_TCONV_SUM(tconv_sum_f32, float, float, float)

lwai_status lwai_transpose_conv_s8(const lwai_transpose_conv_params *params,
                                   const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                   const int8_t *input, const lwai_dims *filter_dims,
                                   const int8_t *filter, const lwai_dims *bias_dims,
                                   const int32_t *bias, const lwai_dims *output_dims,
                                   int8_t *output)
{
    int32_t b, oy, ox, oc;
    int8_t *o = output;
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
                    int32_t acc = tconv_sum_s8(params, input_dims, input, filter_dims, filter, b,
                                               oy, ox, oc, params->input_offset);
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    acc = lwai_mul_by_quantized_multiplier(acc, quant->multiplier[k],
                                                           quant->shift[k]);
                    *o++ = (int8_t)lwai_offset_clamp_i32(acc, params->output_offset,
                                                         params->act_min, params->act_max);
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
    int32_t b, oy, ox, oc;
    int16_t *o = output;
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
                    int64_t acc = tconv_sum_s16(params, input_dims, input, filter_dims, filter, b,
                                                oy, ox, oc, 0);
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    *o++ = (int16_t)lwai_clamp_i32(
                        tconv_mul_64(acc, quant->multiplier[k], quant->shift[k]),
                        params->act_min, params->act_max);
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
    int32_t b, oy, ox, oc;
    float *o = output;
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
                    const float acc = tconv_sum_f32(params, input_dims, input, filter_dims,
                                                    filter, b, oy, ox, oc, 0.0f);
                    *o++ = bias != 0 ? acc + bias[oc] : acc;
                }
            }
        }
    }
    return LWAI_OK;
}
