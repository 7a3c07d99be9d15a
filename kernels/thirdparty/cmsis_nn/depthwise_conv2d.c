/* DEPTHWISE_CONV_2D through CMSIS-NN's arm_depthwise_conv_wrapper_s8: the 3x3 kernel
 * (Armv7E-M, pad <= 1), arm_depthwise_conv_s8_opt (multiplier 1, one batch, no dilation)
 * or the generic arm_depthwise_conv_s8 (any multiplier, batches, dilation); on Helium a
 * single-input-channel layer becomes a regular conv over a transposed filter in the scratch.
 * That conv goes through arm_convolve_wrapper_s8, whose 1xN path mishandles pads other than
 * TFLite's SAME split (see conv2d.c): such layers call arm_depthwise_conv_s8 directly.
 * Shapes beyond CMSIS-NN's 16-bit sizes go to lwai_depthwise_conv2d_s8; as in conv2d.c,
 * eval trusts shapes the compiler or the graph loader validated. */
#include "cmsis_nn_common.h"

static cmsis_nn_dw_conv_params dw_params_of(const lwai_depthwise_conv2d_params *p)
{
    cmsis_nn_dw_conv_params c;
    c.input_offset = p->input_offset;
    c.output_offset = p->output_offset;
    c.ch_mult = p->depth_multiplier;
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

/* Per call: CMSIS-NN's 16-bit limits on shapes the compiler or the graph loader validated
 * with the reference's rules (see conv2d.c). */
static int dw_limits_ok(const lwai_depthwise_conv2d_params *p, const lwai_dims *in,
                        const lwai_dims *f, const lwai_dims *out)
{
    return in->n >= 1 && p->depth_multiplier >= 1 &&
           lwai_cmsis_limits_ok(lwai_cmsis_dims_bits(in) | lwai_cmsis_dims_bits(f) |
                                lwai_cmsis_dims_bits(out) | (uint32_t)(p->stride_h - 1) |
                                (uint32_t)(p->stride_w - 1) | (uint32_t)(p->dilation_h - 1) |
                                (uint32_t)(p->dilation_w - 1) | (uint32_t)p->pad_top |
                                (uint32_t)p->pad_left);
}

/* The shapes the size function plans CMSIS-NN scratch for. */
static int dw_supported(const lwai_depthwise_conv2d_params *p, const lwai_dims *in,
                        const lwai_dims *f, const lwai_dims *out)
{
    if (p == 0 || in == 0 || f == 0 || out == 0 || !dw_limits_ok(p, in, f, out)) {
        return 0;
    }
    return f->n == 1 && f->c == out->c && out->c == in->c * p->depth_multiplier &&
           in->n == out->n;
}

/* 1: call arm_depthwise_conv_s8 directly (Helium's conv path would take a broken 1xN). */
static int dw_direct(const cmsis_nn_dw_conv_params *dp, const cmsis_nn_dims *in,
                     const cmsis_nn_dims *f, const cmsis_nn_dims *out)
{
#if defined(ARM_MATH_MVEI)
    /* arm_depthwise_conv_wrapper_s8 converts when in c == 1 and out c > 1 (GCC builds);
     * the conv's filter is {out c, kh, kw, 1}, hence the 1xN test on in and f. */
    if (in->c == 1 && out->c > 1 && in->h == 1 && dp->dilation.w == 1 && f->h == 1 &&
        dp->stride.w % 4 == 0) {
        const int32_t total = (out->w - 1) * dp->stride.w + f->w - in->w;
        return total < 0 || dp->padding.w * 2 + total % 2 != total || dp->padding.h != 0 ||
               out->h != 1;
    }
#else
    (void)dp;
    (void)in;
    (void)f;
    (void)out;
#endif
    return 0;
}

static int32_t dw_cmsis_bytes(const cmsis_nn_dw_conv_params *dp, const cmsis_nn_dims *in,
                              const cmsis_nn_dims *f, const cmsis_nn_dims *out)
{
    if (dw_direct(dp, in, f, out)) {
        return 0;
    }
    return lwai_cmsis_align16(arm_depthwise_conv_wrapper_s8_get_buffer_size(dp, in, f, out));
}

int32_t lwai_depthwise_conv2d_cmsis_s8_get_buffer_size(const lwai_depthwise_conv2d_params *params,
                                                       const lwai_dims *input_dims,
                                                       const lwai_dims *filter_dims,
                                                       const lwai_dims *output_dims)
{
    cmsis_nn_dw_conv_params dp;
    cmsis_nn_dims in, f, out;
    if (!dw_supported(params, input_dims, filter_dims, output_dims)) {
        return 0;
    }
    dp = dw_params_of(params);
    in = lwai_cmsis_dims(input_dims);
    f = lwai_cmsis_dims(filter_dims);
    out = lwai_cmsis_dims(output_dims);
    /* + per-tensor quant as per-channel arrays */
    return dw_cmsis_bytes(&dp, &in, &f, &out) + 8 * output_dims->c;
}

lwai_status lwai_depthwise_conv2d_cmsis_s8(const lwai_context *ctx,
                                           const lwai_depthwise_conv2d_params *params,
                                           const lwai_channel_quant *quant,
                                           const lwai_dims *input_dims, const int8_t *input,
                                           const lwai_dims *filter_dims, const int8_t *filter,
                                           const lwai_dims *bias_dims, const int32_t *bias,
                                           const lwai_dims *output_dims, int8_t *output)
{
    cmsis_nn_dw_conv_params dp;
    cmsis_nn_dims in, f, out, bd;
    cmsis_nn_context cctx;
    cmsis_nn_per_channel_quant_params q;
    int32_t cmsis_bytes;
    arm_cmsis_nn_status st;
    if (params == 0 || quant == 0 || input_dims == 0 || filter_dims == 0 || output_dims == 0 ||
        !dw_limits_ok(params, input_dims, filter_dims, output_dims) ||
        (quant->count != 1 && quant->count != output_dims->c)) {
        return lwai_depthwise_conv2d_s8(params, quant, input_dims, input, filter_dims, filter,
                                        bias_dims, bias, output_dims, output);
    }
    if (ctx == 0 || input == 0 || filter == 0 || output == 0 || quant->multiplier == 0 ||
        quant->shift == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    dp = dw_params_of(params);
    in = lwai_cmsis_dims(input_dims);
    f = lwai_cmsis_dims(filter_dims);
    out = lwai_cmsis_dims(output_dims);
    cmsis_bytes = dw_cmsis_bytes(&dp, &in, &f, &out);
    if (ctx->buf == 0 || ctx->size < cmsis_bytes + 8 * output_dims->c) {
        return LWAI_ERR_INVALID_ARG;
    }
    q = lwai_cmsis_per_channel(quant, output_dims->c,
                               (int32_t *)(void *)((int8_t *)ctx->buf + cmsis_bytes));
    bd.n = 1;
    bd.h = 1;
    bd.w = 1;
    bd.c = output_dims->c;
    cctx.buf = ctx->buf;
    cctx.size = cmsis_bytes;
    if (dw_direct(&dp, &in, &f, &out)) {
        st = arm_depthwise_conv_s8(&cctx, &dp, &q, &in, input, &f, filter, &bd, bias, &out,
                                   output);
    } else {
        st = arm_depthwise_conv_wrapper_s8(&cctx, &dp, &q, &in, input, &f, filter, &bd, bias,
                                           &out, output);
    }
    return lwai_cmsis_status(st);
}

/* ---- DEPTHWISE_CONV_2D 16x8: arm_depthwise_conv_wrapper_s16 ------------------------------
 * arm_depthwise_conv_fast_s16 (multiplier 1, no dilation, < 512 taps; int32 sums over the
 * taps, exact below 512 of them) or arm_depthwise_conv_s16 (int64 sums; any multiplier,
 * dilation, batches). Runs the reference (lwai_depthwise_conv2d_s16) for: an int32 bias
 * (acc32: CMSIS-NN's s16 depthwise takes int64 biases only; lwai's frontend refuses them
 * for this op anyway, as TFLM reads that bias as int64); a bias or rescale for which
 * arm_nn_requantize_s64's early int32 truncation could differ (lwai_cmsis_s16_requant_ok);
 * shapes beyond the 16-bit limits. Scratch: CMSIS-NN's (the fast kernel's im2col) rounded
 * to 16, then per-channel multipliers and shifts (8 bytes per output channel). */

static int dw_s16_supported(const lwai_conv_s16_params *p, const lwai_dims *in,
                            const lwai_dims *f, const lwai_dims *out)
{
    if (p == 0 || in == 0 || f == 0 || out == 0 || p->acc32 || p->depth_multiplier < 1 ||
        in->n < 1 || f->n != 1 || f->c != out->c || in->n != out->n ||
        (int64_t)in->c * p->depth_multiplier != out->c ||
        !lwai_cmsis_act16_ok(p->act_min, p->act_max)) {
        return 0;
    }
    return lwai_cmsis_limits_ok(lwai_cmsis_dims_bits(in) | lwai_cmsis_dims_bits(f) |
                                lwai_cmsis_dims_bits(out) | (uint32_t)(p->stride_h - 1) |
                                (uint32_t)(p->stride_w - 1) | (uint32_t)(p->dilation_h - 1) |
                                (uint32_t)(p->dilation_w - 1) | (uint32_t)p->pad_top |
                                (uint32_t)p->pad_left | (uint32_t)(p->depth_multiplier - 1));
}

static cmsis_nn_dw_conv_params dw_s16_params_of(const lwai_conv_s16_params *p)
{
    cmsis_nn_dw_conv_params c;
    c.input_offset = 0; /* int16 zero points are 0 */
    c.output_offset = 0;
    c.ch_mult = p->depth_multiplier;
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

static int32_t dw_s16_cmsis_bytes(const lwai_conv_s16_params *p, const lwai_dims *input_dims,
                                  const lwai_dims *filter_dims, const lwai_dims *output_dims)
{
    const cmsis_nn_dw_conv_params dp = dw_s16_params_of(p);
    const cmsis_nn_dims in = lwai_cmsis_dims(input_dims);
    const cmsis_nn_dims f = lwai_cmsis_dims(filter_dims);
    const cmsis_nn_dims out = lwai_cmsis_dims(output_dims);
    return lwai_cmsis_align16(arm_depthwise_conv_wrapper_s16_get_buffer_size(&dp, &in, &f, &out));
}

int32_t lwai_depthwise_conv2d_cmsis_s16_get_buffer_size(const lwai_conv_s16_params *params,
                                                        const lwai_dims *input_dims,
                                                        const lwai_dims *filter_dims,
                                                        const lwai_dims *output_dims)
{
    if (!dw_s16_supported(params, input_dims, filter_dims, output_dims)) {
        return 0;
    }
    return dw_s16_cmsis_bytes(params, input_dims, filter_dims, output_dims) + 8 * output_dims->c;
}

lwai_status lwai_depthwise_conv2d_cmsis_s16(const lwai_context *ctx,
                                            const lwai_conv_s16_params *params,
                                            const lwai_channel_quant *quant,
                                            const lwai_dims *input_dims, const int16_t *input,
                                            const lwai_dims *filter_dims, const int8_t *filter,
                                            const lwai_dims *bias_dims, const int64_t *bias,
                                            const lwai_dims *output_dims, int16_t *output)
{
    cmsis_nn_dw_conv_params dp;
    cmsis_nn_dims in, f, out, bd;
    cmsis_nn_context cctx;
    cmsis_nn_per_channel_quant_params q;
    int32_t cmsis_bytes, cout;
    if (!dw_s16_supported(params, input_dims, filter_dims, output_dims)) {
        return lwai_depthwise_conv2d_s16(params, quant, input_dims, input, filter_dims, filter,
                                         bias_dims, bias, output_dims, output);
    }
    /* the planned scratch first (see conv2d.c), then the data-dependent fallback */
    cout = output_dims->c;
    cmsis_bytes = dw_s16_cmsis_bytes(params, input_dims, filter_dims, output_dims);
    if (ctx == 0 || ctx->buf == 0 || ctx->size < cmsis_bytes + 8 * cout) {
        return LWAI_ERR_INVALID_ARG;
    }
    if ((bias != 0 && (bias_dims == 0 || lwai_cmsis_count(bias_dims) != cout)) ||
        !lwai_cmsis_s16_requant_ok(quant, cout, bias,
                                   ((int64_t)filter_dims->h * filter_dims->w)
                                       << LWAI_CMSIS_S16_PRODUCT_BITS,
                                   0)) {
        return lwai_depthwise_conv2d_s16(params, quant, input_dims, input, filter_dims, filter,
                                         bias_dims, bias, output_dims, output);
    }
    if (input == 0 || filter == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    q = lwai_cmsis_per_channel(quant, cout,
                               (int32_t *)(void *)((int8_t *)ctx->buf + cmsis_bytes));
    dp = dw_s16_params_of(params);
    in = lwai_cmsis_dims(input_dims);
    f = lwai_cmsis_dims(filter_dims);
    out = lwai_cmsis_dims(output_dims);
    bd.n = 1;
    bd.h = 1;
    bd.w = 1;
    bd.c = cout;
    cctx.buf = cmsis_bytes > 0 ? ctx->buf : 0;
    cctx.size = cmsis_bytes;
    return lwai_cmsis_status(arm_depthwise_conv_wrapper_s16(&cctx, &dp, &q, &in, input, &f, filter,
                                                            &bd, bias, &out, output));
}
