/* SVDF through CMSIS-NN: arm_svdf_state_s16_s8 (int8 input/output, int16 time weights and
 * state), TFLM's own CMSIS-NN SVDF path: the same double-rounding requantizations and int32
 * sums as the reference (SMLAD wraps like the reference's uint32 sums). It assumes a state
 * zero point of 0 (it stores and reads the state without one); any other goes to
 * lwai_svdf_s8, as does a shape past CMSIS-NN's int16 rank.
 *
 * Scratch: CMSIS-NN's two int32 buffers, the time dot products [batch, filters] and the
 * unit sums [batch, filters / rank], each rounded up to 16 bytes. CMSIS-NN's dims: input
 * {n = batches, h = input size}, weights_feature {n = filters}, weights_time {h = memory}. */
#include "cmsis_nn_common.h"

static int svdf_cmsis_ok(const lwai_svdf_params *p, const lwai_dims *in, const lwai_dims *wf,
                         const lwai_dims *wt)
{
    return p != 0 && in != 0 && wf != 0 && wt != 0 && p->state_zero_point == 0 &&
           p->rank >= 1 && p->rank <= 32767 && in->n >= 1 && in->h == 1 && in->w == 1 &&
           wf->h == 1 && wf->w == 1 && wt->h == 1 && wt->w == 1 && wf->n >= 1 && wt->c >= 1;
}

static int32_t svdf_bytes(const lwai_dims *in, const lwai_dims *wf, int32_t rank)
{
    return lwai_cmsis_align16(4 * in->n * wf->n) + lwai_cmsis_align16(4 * in->n * (wf->n / rank));
}

int32_t lwai_svdf_cmsis_s8_get_buffer_size(const lwai_svdf_params *params,
                                           const lwai_dims *input_dims,
                                           const lwai_dims *weights_feature_dims,
                                           const lwai_dims *weights_time_dims,
                                           const lwai_dims *state_dims,
                                           const lwai_dims *output_dims)
{
    (void)state_dims;
    (void)output_dims;
    if (!svdf_cmsis_ok(params, input_dims, weights_feature_dims, weights_time_dims)) {
        return 0;
    }
    return svdf_bytes(input_dims, weights_feature_dims, params->rank);
}

lwai_status lwai_svdf_cmsis_s8(const lwai_context *ctx, const lwai_svdf_params *params,
                               const lwai_dims *input_dims, const int8_t *input,
                               const lwai_dims *weights_feature_dims,
                               const int8_t *weights_feature,
                               const lwai_dims *weights_time_dims, const int16_t *weights_time,
                               const lwai_dims *bias_dims, const int32_t *bias,
                               const lwai_dims *state_dims, int16_t *state,
                               const lwai_dims *output_dims, int8_t *output)
{
    cmsis_nn_context a, b;
    cmsis_nn_svdf_params sp;
    cmsis_nn_per_tensor_quant_params q1, q2;
    cmsis_nn_dims in, wf, wt, st, bd, out;
    int32_t need;
    if (!svdf_cmsis_ok(params, input_dims, weights_feature_dims, weights_time_dims) ||
        bias == 0) {
        return lwai_svdf_s8(params, input_dims, input, weights_feature_dims, weights_feature,
                            weights_time_dims, weights_time, bias_dims, bias, state_dims, state,
                            output_dims, output);
    }
    /* CMSIS-NN trusts its shapes: check them as the reference does (a few dozen
     * instructions a call). */
    if (lwai_svdf_check(params, input_dims, weights_feature_dims, weights_time_dims, bias_dims,
                        state_dims, output_dims) != LWAI_OK || params->output_offset < -128 ||
        params->output_offset > 127 || params->input_offset < -128 || params->input_offset > 128) {
        return LWAI_ERR_INVALID_ARG;
    }
    need = svdf_bytes(input_dims, weights_feature_dims, params->rank);
    if (ctx == 0 || ctx->buf == 0 || ctx->size < need || input == 0 || weights_feature == 0 ||
        weights_time == 0 || state == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    a.buf = ctx->buf;
    a.size = lwai_cmsis_align16(4 * input_dims->n * weights_feature_dims->n);
    b.buf = (int8_t *)ctx->buf + a.size;
    b.size = need - a.size;
    sp.rank = params->rank;
    sp.input_offset = -params->input_offset; /* CMSIS-NN takes the zero point */
    sp.output_offset = params->output_offset;
    sp.input_activation.min = -32768;
    sp.input_activation.max = 32767;
    sp.output_activation.min = -128;
    sp.output_activation.max = 127;
    q1.multiplier = params->multiplier1;
    q1.shift = params->shift1;
    q2.multiplier = params->multiplier2;
    q2.shift = params->shift2;
    in.n = input_dims->n;
    in.h = input_dims->c;
    in.w = 1;
    in.c = 1;
    wf.n = weights_feature_dims->n;
    wf.h = weights_feature_dims->c;
    wf.w = 1;
    wf.c = 1;
    wt.n = weights_time_dims->n;
    wt.h = weights_time_dims->c;
    wt.w = 1;
    wt.c = 1;
    st = lwai_cmsis_dims(state_dims);
    bd = lwai_cmsis_dims(bias_dims);
    out = lwai_cmsis_dims(output_dims);
    return arm_svdf_state_s16_s8(&a, &b, &sp, &q1, &q2, &in, input, &st, state, &wf,
                                 weights_feature, &wt, weights_time, &bd, bias, &out,
                                 output) == ARM_CMSIS_NN_SUCCESS
               ? LWAI_OK
               : LWAI_ERR_INVALID_ARG;
}
