/* FULLY_CONNECTED through CMSIS-NN.
 * Armv7E-M: arm_fully_connected_s8 (per-tensor quant) or arm_fully_connected_per_channel_s8
 * (per-channel), one call for all batches, no scratch.
 * Helium: those kernels take the bias folded into per-row "kernel sums" (bias +
 * input_offset * row sum of the weights) from the scratch, which TFLite Micro computes once
 * at prepare time; lwai has no prepare step for compiled models and computing them on every
 * call (arm_vector_sum_s8) costs about as much as the layer. So the adapter runs the layer
 * as the 1x1 convolution it is, arm_convolve_1x1_s8_fast ({batches, 1, 1, depth} input,
 * {Cout, 1, 1, depth} filter), whose GEMM (arm_nn_mat_mult_nt_t_s8) sums the weights on
 * the fly: micro_speech's 4000 -> 4 layer takes ~11,000 instead of ~18,000 instructions.
 * It needs per-channel quant: per-tensor quant is expanded into the scratch (8 bytes per
 * output channel, planned whatever the quant, as the size function does not see it).
 * A non-zero filter_offset (weights with a zero point; never in TFLite int8 models) goes to
 * lwai_fully_connected_s8; as in conv2d.c, eval trusts validated shapes. */
#include "cmsis_nn_common.h"

static int fc_supported(const lwai_fully_connected_params *p, const lwai_dims *in,
                        const lwai_dims *f, const lwai_dims *out)
{
    if (p == 0 || in == 0 || f == 0 || out == 0 || p->filter_offset != 0) {
        return 0;
    }
    if (in->n < 1 || in->c < 1 || f->n < 1 || f->c < 1) {
        return 0;
    }
    /* the reference's view: rows = batches, c = depth; filter {Cout, depth} */
    return in->h == 1 && in->w == 1 && f->h == 1 && f->w == 1 && out->h == 1 && out->w == 1 &&
           f->c == in->c && out->n == in->n && out->c == f->n;
}

#if !defined(ARM_MATH_MVEI)
static cmsis_nn_dims fc_filter_dims(const lwai_dims *f)
{
    /* CMSIS-NN's FC filter dims: n = accumulation depth, c = output channels */
    cmsis_nn_dims d;
    d.n = f->c;
    d.h = 1;
    d.w = 1;
    d.c = f->n;
    return d;
}
#endif

/* Scratch bytes: Helium: per-channel quant arrays (see above); Armv7E-M: CMSIS-NN's
 * arm_fully_connected_s8_get_buffer_size (0). */
static int32_t fc_bytes(const lwai_dims *filter_dims)
{
#if defined(ARM_MATH_MVEI)
    return lwai_cmsis_align16(8 * filter_dims->n);
#else
    const cmsis_nn_dims f = fc_filter_dims(filter_dims);
    return lwai_cmsis_align16(arm_fully_connected_s8_get_buffer_size(&f));
#endif
}

int32_t lwai_fully_connected_cmsis_s8_get_buffer_size(const lwai_fully_connected_params *params,
                                                      const lwai_dims *input_dims,
                                                      const lwai_dims *filter_dims,
                                                      const lwai_dims *output_dims)
{
    if (!fc_supported(params, input_dims, filter_dims, output_dims)) {
        return 0;
    }
    return fc_bytes(filter_dims);
}

lwai_status lwai_fully_connected_cmsis_s8(const lwai_context *ctx,
                                          const lwai_fully_connected_params *params,
                                          const lwai_channel_quant *quant,
                                          const lwai_dims *input_dims, const int8_t *input,
                                          const lwai_dims *filter_dims, const int8_t *filter,
                                          const lwai_dims *bias_dims, const int32_t *bias,
                                          const lwai_dims *output_dims, int8_t *output)
{
    cmsis_nn_dims in, f, out, bd;
    cmsis_nn_context cctx;
    int32_t need;
    arm_cmsis_nn_status st;
    if (params == 0 || quant == 0 || input_dims == 0 || filter_dims == 0 || output_dims == 0 ||
        params->filter_offset != 0 || (quant->count != 1 && quant->count != output_dims->c)) {
        return lwai_fully_connected_s8(params, quant, input_dims, input, filter_dims, filter,
                                       bias_dims, bias, output_dims, output);
    }
    if (ctx == 0 || input == 0 || filter == 0 || output == 0 || quant->multiplier == 0 ||
        quant->shift == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    need = fc_bytes(filter_dims);
    if (ctx->size < need || (need > 0 && ctx->buf == 0)) {
        return LWAI_ERR_INVALID_ARG;
    }
    bd.n = 1;
    bd.h = 1;
    bd.w = 1;
    bd.c = output_dims->c;
    cctx.buf = ctx->buf;
    cctx.size = need;
#if defined(ARM_MATH_MVEI)
    {
        cmsis_nn_conv_params cp;
        cmsis_nn_per_channel_quant_params q =
            lwai_cmsis_per_channel(quant, output_dims->c, (int32_t *)ctx->buf);
        cp.input_offset = params->input_offset;
        cp.output_offset = params->output_offset;
        cp.stride.h = 1;
        cp.stride.w = 1;
        cp.padding.h = 0;
        cp.padding.w = 0;
        cp.dilation.h = 1;
        cp.dilation.w = 1;
        cp.activation.min = params->act_min;
        cp.activation.max = params->act_max;
        in = lwai_cmsis_dims(input_dims); /* {batches, 1, 1, depth} */
        f = lwai_cmsis_dims(filter_dims); /* {Cout, 1, 1, depth} */
        out = lwai_cmsis_dims(output_dims);
        cctx.buf = 0; /* the 1x1 GEMM takes no scratch on Helium */
        cctx.size = 0;
        st = arm_convolve_1x1_s8_fast(&cctx, &cp, &q, &in, input, &f, filter, &bd, bias, &out,
                                      output);
    }
#else
    {
        cmsis_nn_fc_params fp;
        fp.input_offset = params->input_offset;
        fp.filter_offset = 0;
        fp.output_offset = params->output_offset;
        fp.activation.min = params->act_min;
        fp.activation.max = params->act_max;
        in = lwai_cmsis_dims(input_dims);
        f = fc_filter_dims(filter_dims);
        out = lwai_cmsis_dims(output_dims);
        if (quant->count == 1) {
            cmsis_nn_per_tensor_quant_params q;
            q.multiplier = quant->multiplier[0];
            q.shift = quant->shift[0];
            st = arm_fully_connected_s8(&cctx, &fp, &q, &in, input, &f, filter, &bd, bias, &out,
                                        output);
        } else {
            cmsis_nn_per_channel_quant_params q;
            q.multiplier = (int32_t *)(uintptr_t)quant->multiplier;
            q.shift = (int32_t *)(uintptr_t)quant->shift;
            st = arm_fully_connected_per_channel_s8(&cctx, &fp, &q, &in, input, &f, filter, &bd,
                                                    bias, &out, output);
        }
    }
#endif
    return lwai_cmsis_status(st);
}

/* ---- FULLY_CONNECTED 16x8: arm_fully_connected_s16 (no scratch) --------------------------
 * int32 sums over the first 512 columns, int64 beyond, the 64-bit rescale. Runs the
 * reference (lwai_fully_connected_s16) for: per-channel weights (CMSIS-NN's s16 FC takes
 * one multiplier); an int32-bias model (acc32: CMSIS-NN has no 32-bit rescale mode here);
 * a bias or rescale for which arm_nn_requantize_s64's early int32 truncation could differ
 * (lwai_cmsis_s16_requant_ok). The 512-column int32 block is exact unless every one of its
 * products is (-32768) x (-128) (TFLite's symmetric int8 weights stop at -127). */
lwai_status lwai_fully_connected_cmsis_s16(const lwai_fully_connected_s16_params *params,
                                           const lwai_channel_quant *quant,
                                           const lwai_dims *input_dims, const int16_t *input,
                                           const lwai_dims *filter_dims, const int8_t *filter,
                                           const lwai_dims *bias_dims, const int64_t *bias,
                                           const lwai_dims *output_dims, int16_t *output)
{
    cmsis_nn_fc_params fp;
    cmsis_nn_per_tensor_quant_params q;
    cmsis_nn_dims in, f, out, bd;
    cmsis_nn_context cctx;
    int64_t depth, rows;
    int32_t cout;
    if (params == 0 || quant == 0 || quant->count != 1 || params->acc32 || input_dims == 0 ||
        filter_dims == 0 || output_dims == 0 || !lwai_cmsis_dims_ok(input_dims) ||
        !lwai_cmsis_dims_ok(filter_dims) || !lwai_cmsis_dims_ok(output_dims) ||
        !lwai_cmsis_act16_ok(params->act_min, params->act_max)) {
        return lwai_fully_connected_s16(params, quant, input_dims, input, filter_dims, filter,
                                        bias_dims, bias, output_dims, output);
    }
    depth = (int64_t)filter_dims->h * filter_dims->w * filter_dims->c;
    cout = filter_dims->n;
    rows = depth > 0 ? (int64_t)lwai_cmsis_count(input_dims) / depth : 0;
    if (depth <= 0 || depth > 0x7FFFFFFF || cout < 1 || rows * depth != lwai_cmsis_count(input_dims) ||
        output_dims->c != cout || (int64_t)lwai_cmsis_count(output_dims) != rows * cout ||
        (bias != 0 && (bias_dims == 0 || lwai_cmsis_count(bias_dims) != cout)) ||
        !lwai_cmsis_s16_requant_ok(quant, cout, bias, depth << LWAI_CMSIS_S16_PRODUCT_BITS, 0)) {
        return lwai_fully_connected_s16(params, quant, input_dims, input, filter_dims, filter,
                                        bias_dims, bias, output_dims, output);
    }
    if (input == 0 || filter == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    fp.input_offset = 0;
    fp.filter_offset = 0;
    fp.output_offset = 0;
    fp.activation.min = params->act_min;
    fp.activation.max = params->act_max;
    q.multiplier = quant->multiplier[0];
    q.shift = quant->shift[0];
    in.n = (int32_t)rows; /* CMSIS-NN: n batches of depth values */
    in.h = 1;
    in.w = 1;
    in.c = (int32_t)depth;
    f.n = (int32_t)depth; /* CMSIS-NN: n = accumulation depth, c = output depth */
    f.h = 1;
    f.w = 1;
    f.c = cout;
    out.n = (int32_t)rows;
    out.h = 1;
    out.w = 1;
    out.c = cout;
    bd.n = 1;
    bd.h = 1;
    bd.w = 1;
    bd.c = cout;
    cctx.buf = 0; /* arm_fully_connected_s16_get_buffer_size is 0 */
    cctx.size = 0;
    return lwai_cmsis_status(
        arm_fully_connected_s16(&cctx, &fp, &q, &in, input, &f, filter, &bd, bias, &out, output));
}
