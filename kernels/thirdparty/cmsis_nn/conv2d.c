/* CONV_2D through CMSIS-NN: arm_convolve_wrapper_s8 (1x1 GEMM, 1xN, im2col + GEMM), or
 * arm_convolve_s8 directly where the wrapper's special paths would not match lwai:
 *  - a 1x1 conv whose output dims are not the input's strided size (the 1x1 paths size the
 *    work from the input; the reference from the output dims);
 *  - a 1xN conv on Helium whose padding is not TFLite's SAME split (arm_convolve_1_x_n_s8
 *    assumes left = total / 2 and rejects or misplaces other pads, e.g. VALID with an
 *    uncovered last column) or with pad_top != 0 or output height != 1.
 * arm_convolve_s8 handles groups, dilation and any padding; it reads the bias per group
 * from bias + g * Cout/groups even when bias is NULL, so grouped convs without bias get a
 * zero bias from the scratch (4 bytes per output channel).
 * On Armv7E-M a conv with one input channel, Cout a multiple of 4, one batch and no dilation
 * (micro_speech's first layer, person_detect's first layer) runs as CMSIS-NN's depthwise
 * conv with multiplier Cout (arm_depthwise_conv_s8's 4-channel loop, what TFLite Micro runs
 * for such layers, which TFLite models store as DEPTHWISE_CONV_2D): im2col would copy one
 * byte per tap. The filter, transposed to {1, KH, KW, Cout}, goes to the scratch.
 * Shapes beyond CMSIS-NN's 16-bit sizes go to lwai_conv2d_s8. As lwai's optimized kernels,
 * eval trusts the shapes the compiler or the graph loader validated with the reference's
 * rules; it checks pointers, the ctx size and CMSIS-NN's limits (the adapter costs ~200
 * instructions a call on Cortex-M4 over CMSIS-NN's own, half of it the size check). */
#include <string.h>

#include "cmsis_nn_common.h"

typedef enum { CONV_WRAPPER, CONV_GENERIC, CONV_DEPTHWISE } conv_path;

static cmsis_nn_conv_params conv_params_of(const lwai_conv2d_params *p)
{
    cmsis_nn_conv_params c;
    c.input_offset = p->input_offset;
    c.output_offset = p->output_offset;
    c.stride.h = p->stride_h;
    c.stride.w = p->stride_w;
    c.padding.h = p->pad_top;
    c.padding.w = p->pad_left;
    c.dilation.h = p->dilation_h;
    c.dilation.w = p->dilation_w;
    c.activation.min = p->act_min;
    c.activation.max = p->act_max;
    return c;
}

/* Per call: what CMSIS-NN needs beyond the shapes the compiler (or the graph loader)
 * validated with the reference's rules (lwai/kernels_optimized.h's contract): sizes,
 * strides, dilations and pads within CMSIS-NN's 16-bit limits. */
static int conv_limits_ok(const lwai_conv2d_params *p, const lwai_dims *in, const lwai_dims *f,
                          const lwai_dims *out)
{
    return in->n >= 1 &&
           lwai_cmsis_limits_ok(lwai_cmsis_dims_bits(in) | lwai_cmsis_dims_bits(f) |
                                lwai_cmsis_dims_bits(out) | (uint32_t)(p->stride_h - 1) |
                                (uint32_t)(p->stride_w - 1) | (uint32_t)(p->dilation_h - 1) |
                                (uint32_t)(p->dilation_w - 1) | (uint32_t)p->pad_top |
                                (uint32_t)p->pad_left);
}

/* The shapes the size function plans CMSIS-NN scratch for: within the limits and valid
 * for the reference (groups dividing Cin and Cout, batches equal). */
static int conv_supported(const lwai_conv2d_params *p, const lwai_dims *in, const lwai_dims *f,
                          const lwai_dims *out)
{
    if (p == 0 || in == 0 || f == 0 || out == 0 || !conv_limits_ok(p, in, f, out)) {
        return 0;
    }
    return in->c % f->c == 0 && out->c == f->n && in->n == out->n &&
           out->c % (in->c / f->c) == 0;
}

/* The wrapper's own path tests (arm_nn_is_convolve_1x1 / _1_x_n at the measured commit),
 * restated so the adapter does not depend on CMSIS-NN's private support header. */
static int is_1x1(const cmsis_nn_conv_params *cp, const cmsis_nn_dims *in, const cmsis_nn_dims *f)
{
    return cp->padding.w == 0 && cp->padding.h == 0 && f->w == 1 && f->h == 1 &&
           cp->dilation.w == 1 && cp->dilation.h == 1 && in->c == f->c;
}

#if defined(ARM_MATH_MVEI)
static int is_1_x_n(const cmsis_nn_conv_params *cp, const cmsis_nn_dims *in,
                    const cmsis_nn_dims *f)
{
    return in->h == 1 && cp->dilation.w == 1 && f->h == 1 && (cp->stride.w * in->c) % 4 == 0 &&
           in->c == f->c;
}
#endif

static conv_path conv_path_of(const cmsis_nn_conv_params *cp, const cmsis_nn_dims *in,
                              const cmsis_nn_dims *f, const cmsis_nn_dims *out)
{
#if !defined(ARM_MATH_MVEI)
    if (in->c == 1 && f->c == 1 && out->c % 4 == 0 && in->n == 1 && cp->dilation.w == 1 &&
        cp->dilation.h == 1) {
        return CONV_DEPTHWISE;
    }
#endif
    if (is_1x1(cp, in, f)) {
        const int32_t oh = (in->h - 1) / cp->stride.h + 1;
        const int32_t ow = (in->w - 1) / cp->stride.w + 1;
        return out->h == oh && out->w == ow ? CONV_WRAPPER : CONV_GENERIC;
    }
#if defined(ARM_MATH_MVEI)
    if (is_1_x_n(cp, in, f)) {
        const int32_t total = (out->w - 1) * cp->stride.w + f->w - in->w;
        if (total < 0 || cp->padding.w * 2 + total % 2 != total || cp->padding.h != 0 ||
            out->h != 1) {
            return CONV_GENERIC;
        }
    }
#endif
    return CONV_WRAPPER;
}

/* w[t * n + o] = filter[o * taps + t] for n output channels (a multiple of 4) of `taps`
 * taps; w is 16-byte aligned. Four channels by four taps at a time as a 4x4 byte transpose
 * in registers (UXTB16 and PKHBT/PKHTB with the DSP extension): ~1.7 instructions per byte
 * on Cortex-M4 against ~7 for a byte loop, which for micro_speech's 10x8x8 filter is ~1,100
 * instead of ~4,500 instructions per call. */
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1) && defined(__GNUC__)
static inline uint32_t even_bytes(uint32_t x) /* x0 _ x2 _ */
{
    uint32_t r;
    __asm__("uxtb16 %0, %1" : "=r"(r) : "r"(x));
    return r;
}
static inline uint32_t odd_bytes(uint32_t x) /* x1 _ x3 _ */
{
    uint32_t r;
    __asm__("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
static inline uint32_t pack_low(uint32_t lo, uint32_t hi) /* lo[15:0] | hi[15:0] << 16 */
{
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}
static inline uint32_t pack_high(uint32_t lo, uint32_t hi) /* lo[31:16] | hi[31:16] << 16 */
{
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
    return r;
}
#else
static inline uint32_t even_bytes(uint32_t x)
{
    return x & 0x00FF00FFu;
}
static inline uint32_t odd_bytes(uint32_t x)
{
    return (x >> 8) & 0x00FF00FFu;
}
static inline uint32_t pack_low(uint32_t lo, uint32_t hi)
{
    return (lo & 0xFFFFu) | (hi << 16);
}
static inline uint32_t pack_high(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | (hi & 0xFFFF0000u);
}
#endif

static void transpose_filter(const int8_t *filter, int32_t n, int32_t taps, int8_t *w)
{
    int32_t o, t;
    for (o = 0; o < n; o += 4) {
        const int8_t *r0 = filter + o * taps;
        int8_t *dst = w + o;
        for (t = 0; t + 4 <= taps; t += 4) {
            uint32_t a, b, c, d, ab0, ab1, cd0, cd1, x;
            memcpy(&a, r0 + t, 4);
            memcpy(&b, r0 + taps + t, 4);
            memcpy(&c, r0 + 2 * taps + t, 4);
            memcpy(&d, r0 + 3 * taps + t, 4);
            ab0 = even_bytes(a) | (even_bytes(b) << 8); /* a0 b0 a2 b2 */
            ab1 = odd_bytes(a) | (odd_bytes(b) << 8);   /* a1 b1 a3 b3 */
            cd0 = even_bytes(c) | (even_bytes(d) << 8); /* c0 d0 c2 d2 */
            cd1 = odd_bytes(c) | (odd_bytes(d) << 8);   /* c1 d1 c3 d3 */
            x = pack_low(ab0, cd0);                     /* tap t: a0 b0 c0 d0 */
            memcpy(dst + t * n, &x, 4);
            x = pack_low(ab1, cd1);
            memcpy(dst + (t + 1) * n, &x, 4);
            x = pack_high(ab0, cd0);
            memcpy(dst + (t + 2) * n, &x, 4);
            x = pack_high(ab1, cd1);
            memcpy(dst + (t + 3) * n, &x, 4);
        }
        for (; t < taps; ++t) {
            dst[t * n] = r0[t];
            dst[t * n + 1] = r0[taps + t];
            dst[t * n + 2] = r0[2 * taps + t];
            dst[t * n + 3] = r0[3 * taps + t];
        }
    }
}

/* One input channel: output channel o of the conv is depthwise multiplier index o. */
static arm_cmsis_nn_status conv_as_depthwise(const cmsis_nn_context *cctx,
                                             const cmsis_nn_conv_params *cp,
                                             const cmsis_nn_per_channel_quant_params *q,
                                             const cmsis_nn_dims *in, const int8_t *input,
                                             const cmsis_nn_dims *f, const int8_t *filter,
                                             const cmsis_nn_dims *bd, const int32_t *bias,
                                             const cmsis_nn_dims *out, int8_t *output)
{
    cmsis_nn_dw_conv_params dp;
    cmsis_nn_dims dwf;
    int8_t *w = (int8_t *)cctx->buf;
    transpose_filter(filter, f->n, f->h * f->w, w);
    dp.input_offset = cp->input_offset;
    dp.output_offset = cp->output_offset;
    dp.ch_mult = out->c;
    dp.stride = cp->stride;
    dp.padding = cp->padding;
    dp.dilation = cp->dilation;
    dp.activation = cp->activation;
    dwf.n = 1;
    dwf.h = f->h;
    dwf.w = f->w;
    dwf.c = out->c;
    return arm_depthwise_conv_s8(cctx, &dp, q, in, input, &dwf, w, bd, bias, out, output);
}

/* Bytes the path needs from the scratch (aligned to 16); the adapter's extras follow. */
static int32_t conv_cmsis_bytes(conv_path path, const cmsis_nn_conv_params *cp,
                                const cmsis_nn_dims *in, const cmsis_nn_dims *f,
                                const cmsis_nn_dims *out)
{
    int32_t n;
    switch (path) {
    case CONV_WRAPPER:
        n = arm_convolve_wrapper_s8_get_buffer_size(cp, in, f, out);
        break;
    case CONV_GENERIC:
        n = arm_convolve_s8_get_buffer_size(in, f);
        break;
    default: /* the transposed filter */
        n = out->c * f->h * f->w;
        break;
    }
    return lwai_cmsis_align16(n);
}

static int32_t conv_extra_bytes(const lwai_dims *in, const lwai_dims *f, const lwai_dims *out)
{
    /* per-tensor quant as per-channel arrays; zero bias when grouped */
    return 8 * out->c + (in->c != f->c ? 4 * out->c : 0);
}

int32_t lwai_conv2d_cmsis_s8_get_buffer_size(const lwai_conv2d_params *params,
                                             const lwai_dims *input_dims,
                                             const lwai_dims *filter_dims,
                                             const lwai_dims *output_dims)
{
    cmsis_nn_conv_params cp;
    cmsis_nn_dims in, f, out;
    if (!conv_supported(params, input_dims, filter_dims, output_dims)) {
        return 0;
    }
    cp = conv_params_of(params);
    in = lwai_cmsis_dims(input_dims);
    f = lwai_cmsis_dims(filter_dims);
    out = lwai_cmsis_dims(output_dims);
    return conv_cmsis_bytes(conv_path_of(&cp, &in, &f, &out), &cp, &in, &f, &out) +
           conv_extra_bytes(input_dims, filter_dims, output_dims);
}

lwai_status lwai_conv2d_cmsis_s8(const lwai_context *ctx, const lwai_conv2d_params *params,
                                 const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                 const int8_t *input, const lwai_dims *filter_dims,
                                 const int8_t *filter, const lwai_dims *bias_dims,
                                 const int32_t *bias, const lwai_dims *output_dims,
                                 int8_t *output)
{
    cmsis_nn_conv_params cp;
    cmsis_nn_dims in, f, out, bd;
    cmsis_nn_context cctx;
    cmsis_nn_per_channel_quant_params q;
    int32_t cmsis_bytes, cout;
    int32_t *extra;
    conv_path path;
    arm_cmsis_nn_status st;
    if (params == 0 || quant == 0 || input_dims == 0 || filter_dims == 0 || output_dims == 0 ||
        !conv_limits_ok(params, input_dims, filter_dims, output_dims) ||
        (quant->count != 1 && quant->count != output_dims->c)) {
        return lwai_conv2d_s8(params, quant, input_dims, input, filter_dims, filter, bias_dims,
                              bias, output_dims, output);
    }
    if (ctx == 0 || input == 0 || filter == 0 || output == 0 || quant->multiplier == 0 ||
        quant->shift == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    cp = conv_params_of(params);
    in = lwai_cmsis_dims(input_dims);
    f = lwai_cmsis_dims(filter_dims);
    out = lwai_cmsis_dims(output_dims);
    cout = output_dims->c;
    path = conv_path_of(&cp, &in, &f, &out);
    cmsis_bytes = conv_cmsis_bytes(path, &cp, &in, &f, &out);
    if (ctx->buf == 0 ||
        ctx->size < cmsis_bytes + conv_extra_bytes(input_dims, filter_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    extra = (int32_t *)(void *)((int8_t *)ctx->buf + cmsis_bytes);
    q = lwai_cmsis_per_channel(quant, cout, extra);
    if (bias == 0 && input_dims->c != filter_dims->c) {
        int32_t i;
        int32_t *zero = extra + 2 * cout;
        for (i = 0; i < cout; ++i) {
            zero[i] = 0;
        }
        bias = zero;
    }
    bd.n = 1;
    bd.h = 1;
    bd.w = 1;
    bd.c = cout;
    cctx.buf = ctx->buf;
    cctx.size = cmsis_bytes;
    switch (path) {
    case CONV_WRAPPER:
        st = arm_convolve_wrapper_s8(&cctx, &cp, &q, &in, input, &f, filter, &bd, bias, &out,
                                     output);
        break;
    case CONV_GENERIC:
        st = arm_convolve_s8(&cctx, &cp, &q, &in, input, &f, filter, &bd, bias, 0, &out, output);
        break;
    default:
        st = conv_as_depthwise(&cctx, &cp, &q, &in, input, &f, filter, &bd, bias, &out, output);
        break;
    }
    return lwai_cmsis_status(st);
}

/* ---- CONV_2D 16x8: arm_convolve_wrapper_s16 (im2col + int16 GEMM) ----------------------
 * Runs the reference (lwai_conv2d_s16) for: grouped convs (CMSIS-NN's s16 conv has no
 * groups); on Armv7E-M, more than 511 products per output with an int64 bias (the DSP
 * kernel's leftover output column sums them all in int32, TFLM in int64: 600 taps of
 * (-32768) x (-127) wrap); a bias or rescale for which arm_nn_requantize_s64's early int32
 * truncation could differ (lwai_cmsis_s16_requant_ok); shapes beyond the 16-bit limits.
 * An int32-bias model (acc32: TFLM's int32 sum and 32-bit rescale) is CMSIS-NN's
 * is_int32_bias mode, whose int32 sums wrap like TFLM's, so it takes any depth; its bias
 * is narrowed into the scratch. Scratch: CMSIS-NN's im2col rounded to 16, then per-channel
 * multipliers and shifts (8 bytes per output channel), then the int32 bias when acc32. */

static int conv_s16_supported(const lwai_conv_s16_params *p, const lwai_dims *in,
                              const lwai_dims *f, const lwai_dims *out)
{
    if (p == 0 || in == 0 || f == 0 || out == 0 || in->n < 1 || in->c != f->c ||
        out->c != f->n || in->n != out->n || !lwai_cmsis_act16_ok(p->act_min, p->act_max)) {
        return 0;
    }
    if (!lwai_cmsis_limits_ok(lwai_cmsis_dims_bits(in) | lwai_cmsis_dims_bits(f) |
                              lwai_cmsis_dims_bits(out) | (uint32_t)(p->stride_h - 1) |
                              (uint32_t)(p->stride_w - 1) | (uint32_t)(p->dilation_h - 1) |
                              (uint32_t)(p->dilation_w - 1) | (uint32_t)p->pad_top |
                              (uint32_t)p->pad_left)) {
        return 0;
    }
#if defined(ARM_MATH_MVEI)
    /* Helium's arm_nn_mat_mult_nt_t_s16 sums the first 512 columns in int32, the rest in
     * int64, for every output column (the DSP kernel does so for column pairs only; its
     * leftover column sums everything in int32) */
    return 1;
#else
    return p->acc32 || (int64_t)f->c * f->h * f->w <= LWAI_CMSIS_S16_MAX_TAPS;
#endif
}

static cmsis_nn_conv_params conv_s16_params_of(const lwai_conv_s16_params *p)
{
    cmsis_nn_conv_params c;
    c.input_offset = 0; /* int16 zero points are 0 */
    c.output_offset = 0;
    c.stride.h = p->stride_h;
    c.stride.w = p->stride_w;
    c.padding.h = p->pad_top;
    c.padding.w = p->pad_left;
    c.dilation.h = p->dilation_h;
    c.dilation.w = p->dilation_w;
    c.activation.min = p->act_min;
    c.activation.max = p->act_max;
    return c;
}

static int32_t conv_s16_cmsis_bytes(const lwai_conv_s16_params *p, const lwai_dims *input_dims,
                                    const lwai_dims *filter_dims, const lwai_dims *output_dims)
{
    const cmsis_nn_conv_params cp = conv_s16_params_of(p);
    const cmsis_nn_dims in = lwai_cmsis_dims(input_dims);
    const cmsis_nn_dims f = lwai_cmsis_dims(filter_dims);
    const cmsis_nn_dims out = lwai_cmsis_dims(output_dims);
    return lwai_cmsis_align16(arm_convolve_wrapper_s16_get_buffer_size(&cp, &in, &f, &out));
}

int32_t lwai_conv2d_cmsis_s16_get_buffer_size(const lwai_conv_s16_params *params,
                                              const lwai_dims *input_dims,
                                              const lwai_dims *filter_dims,
                                              const lwai_dims *output_dims)
{
    if (!conv_s16_supported(params, input_dims, filter_dims, output_dims)) {
        return 0;
    }
    return conv_s16_cmsis_bytes(params, input_dims, filter_dims, output_dims) +
           (params->acc32 ? 12 : 8) * output_dims->c;
}

lwai_status lwai_conv2d_cmsis_s16(const lwai_context *ctx, const lwai_conv_s16_params *params,
                                  const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                  const int16_t *input, const lwai_dims *filter_dims,
                                  const int8_t *filter, const lwai_dims *bias_dims,
                                  const int64_t *bias, const lwai_dims *output_dims,
                                  int16_t *output)
{
    cmsis_nn_conv_params cp;
    cmsis_nn_dims in, f, out, bd;
    cmsis_nn_context cctx;
    cmsis_nn_per_channel_quant_params q;
    const void *bias_data = bias;
    int32_t cmsis_bytes, cout;
    int32_t *extra;
    if (!conv_s16_supported(params, input_dims, filter_dims, output_dims)) {
        return lwai_conv2d_s16(params, quant, input_dims, input, filter_dims, filter, bias_dims,
                               bias, output_dims, output);
    }
    /* the planned scratch is checked before the data-dependent fallback below, so a short
     * ctx is refused whichever kernel the bias selects */
    cout = output_dims->c;
    cmsis_bytes = conv_s16_cmsis_bytes(params, input_dims, filter_dims, output_dims);
    if (ctx == 0 || ctx->buf == 0 || ctx->size < cmsis_bytes + (params->acc32 ? 12 : 8) * cout) {
        return LWAI_ERR_INVALID_ARG;
    }
    if ((bias != 0 && (bias_dims == 0 || lwai_cmsis_count(bias_dims) != cout)) ||
        !lwai_cmsis_s16_requant_ok(quant, cout, bias,
                                   ((int64_t)filter_dims->c * filter_dims->h * filter_dims->w)
                                       << LWAI_CMSIS_S16_PRODUCT_BITS,
                                   params->acc32)) {
        return lwai_conv2d_s16(params, quant, input_dims, input, filter_dims, filter, bias_dims,
                               bias, output_dims, output);
    }
    if (input == 0 || filter == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    extra = (int32_t *)(void *)((int8_t *)ctx->buf + cmsis_bytes);
    q = lwai_cmsis_per_channel(quant, cout, extra);
    if (params->acc32) {
        /* the int64 bias of an int32-bias model holds int32 values: narrow it */
        int32_t i;
        int32_t *b32 = extra + 2 * cout;
        for (i = 0; bias != 0 && i < cout; ++i) {
            b32[i] = (int32_t)bias[i];
        }
        bias_data = bias != 0 ? (const void *)b32 : 0;
    }
    cp = conv_s16_params_of(params);
    in = lwai_cmsis_dims(input_dims);
    f = lwai_cmsis_dims(filter_dims);
    out = lwai_cmsis_dims(output_dims);
    bd.n = 1;
    bd.h = 1;
    bd.w = 1;
    bd.c = cout;
    cctx.buf = ctx->buf;
    cctx.size = cmsis_bytes;
    {
        /* CMSIS-NN declares the flag const: set at initialization */
        const cmsis_nn_bias_data bdata = {bias_data, params->acc32 != 0};
        return lwai_cmsis_status(arm_convolve_wrapper_s16(&cctx, &cp, &q, &in, input, &f, filter,
                                                          &bd, &bdata, &out, output));
    }
}
