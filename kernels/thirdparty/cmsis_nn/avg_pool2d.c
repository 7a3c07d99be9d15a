/* AVERAGE_POOL_2D through CMSIS-NN's arm_avgpool_s8: sums in int32 (Armv7E-M: one row of
 * Cout sums in the scratch, CMSIS-NN's arm_avgpool_s8_get_buffer_size; Helium: registers)
 * and divides rounding half away from zero, over the unpadded taps only, as the
 * reference. Windows entirely in the padding and shapes the reference rejects go to
 * lwai_avg_pool2d_s8. */
#include "cmsis_nn_common.h"

int32_t lwai_avg_pool2d_cmsis_s8_get_buffer_size(const lwai_avg_pool2d_params *params,
                                                 const lwai_dims *input_dims,
                                                 const lwai_dims *output_dims)
{
    if (!lwai_cmsis_pool_supported(params, input_dims, output_dims)) {
        return 0;
    }
    return lwai_cmsis_align16(arm_avgpool_s8_get_buffer_size(output_dims->w, input_dims->c));
}

lwai_status lwai_avg_pool2d_cmsis_s8(const lwai_context *ctx, const lwai_avg_pool2d_params *params,
                                     const lwai_dims *input_dims, const int8_t *input,
                                     const lwai_dims *output_dims, int8_t *output)
{
    cmsis_nn_pool_params pp;
    cmsis_nn_dims in, f, out;
    cmsis_nn_context cctx;
    int32_t need;
    if (!lwai_cmsis_pool_supported(params, input_dims, output_dims)) {
        return lwai_avg_pool2d_s8(params, input_dims, input, output_dims, output);
    }
    if (ctx == 0 || input == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    need = lwai_cmsis_align16(arm_avgpool_s8_get_buffer_size(output_dims->w, input_dims->c));
    if (ctx->size < need || (need > 0 && ctx->buf == 0)) {
        return LWAI_ERR_INVALID_ARG;
    }
    pp = lwai_cmsis_pool_params(params);
    in = lwai_cmsis_dims(input_dims);
    out = lwai_cmsis_dims(output_dims);
    f = lwai_cmsis_pool_filter(params);
    cctx.buf = ctx->buf;
    cctx.size = need;
    return lwai_cmsis_status(arm_avgpool_s8(&cctx, &pp, &in, input, &f, &out, output));
}

/* ---- AVERAGE_POOL_2D int16: arm_avgpool_s16 ---------------------------------------------
 * int32 sums (saturating on Armv7E-M: exact for the <= 65535-tap windows it gets), the
 * same rounding division. Windows entirely in the padding, windows above 65535 taps and
 * shapes the reference rejects go to lwai_avg_pool2d_s16. Scratch: one int32 sum per
 * channel on Armv7E-M (arm_avgpool_s16_get_buffer_size), none on Helium, rounded to 16. */
int32_t lwai_avg_pool2d_cmsis_s16_get_buffer_size(const lwai_pool2d_s16_params *params,
                                                  const lwai_dims *input_dims,
                                                  const lwai_dims *output_dims)
{
    if (!lwai_cmsis_pool16_supported(params, input_dims, output_dims)) {
        return 0;
    }
    return lwai_cmsis_align16(arm_avgpool_s16_get_buffer_size(output_dims->w, input_dims->c));
}

lwai_status lwai_avg_pool2d_cmsis_s16(const lwai_context *ctx, const lwai_pool2d_s16_params *params,
                                      const lwai_dims *input_dims, const int16_t *input,
                                      const lwai_dims *output_dims, int16_t *output)
{
    cmsis_nn_pool_params pp;
    cmsis_nn_dims in, f, out;
    cmsis_nn_context cctx;
    int32_t need;
    if (!lwai_cmsis_pool16_supported(params, input_dims, output_dims)) {
        return lwai_avg_pool2d_s16(params, input_dims, input, output_dims, output);
    }
    if (ctx == 0 || input == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    need = lwai_cmsis_align16(arm_avgpool_s16_get_buffer_size(output_dims->w, input_dims->c));
    if (ctx->size < need || (need > 0 && ctx->buf == 0)) {
        return LWAI_ERR_INVALID_ARG;
    }
    pp = lwai_cmsis_pool16_params(params);
    in = lwai_cmsis_dims(input_dims);
    out = lwai_cmsis_dims(output_dims);
    f.n = 1;
    f.h = params->filter_h;
    f.w = params->filter_w;
    f.c = 1;
    cctx.buf = ctx->buf;
    cctx.size = need;
    return lwai_cmsis_status(arm_avgpool_s16(&cctx, &pp, &in, input, &f, &out, output));
}
