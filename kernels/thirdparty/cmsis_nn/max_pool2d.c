/* MAX_POOL_2D through CMSIS-NN's arm_max_pool_s8 (no scratch). Windows entirely in the
 * padding and shapes the reference rejects go to lwai_max_pool2d_s8. */
#include "cmsis_nn_common.h"

lwai_status lwai_max_pool2d_cmsis_s8(const lwai_max_pool2d_params *params,
                                     const lwai_dims *input_dims, const int8_t *input,
                                     const lwai_dims *output_dims, int8_t *output)
{
    cmsis_nn_pool_params pp;
    cmsis_nn_dims in, f, out;
    cmsis_nn_context cctx;
    if (!lwai_cmsis_pool_supported(params, input_dims, output_dims)) {
        return lwai_max_pool2d_s8(params, input_dims, input, output_dims, output);
    }
    if (input == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    pp = lwai_cmsis_pool_params(params);
    in = lwai_cmsis_dims(input_dims);
    out = lwai_cmsis_dims(output_dims);
    f = lwai_cmsis_pool_filter(params);
    cctx.buf = 0;
    cctx.size = 0;
    return lwai_cmsis_status(arm_max_pool_s8(&cctx, &pp, &in, input, &f, &out, output));
}

/* MAX_POOL_2D int16 through arm_max_pool_s16 (no scratch); windows entirely in the padding
 * and shapes the reference rejects go to lwai_max_pool2d_s16. */
lwai_status lwai_max_pool2d_cmsis_s16(const lwai_pool2d_s16_params *params,
                                      const lwai_dims *input_dims, const int16_t *input,
                                      const lwai_dims *output_dims, int16_t *output)
{
    cmsis_nn_pool_params pp;
    cmsis_nn_dims in, f, out;
    cmsis_nn_context cctx;
    if (!lwai_cmsis_pool16_supported(params, input_dims, output_dims)) {
        return lwai_max_pool2d_s16(params, input_dims, input, output_dims, output);
    }
    if (input == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    pp = lwai_cmsis_pool16_params(params);
    in = lwai_cmsis_dims(input_dims);
    out = lwai_cmsis_dims(output_dims);
    f.n = 1;
    f.h = params->filter_h;
    f.w = params->filter_w;
    f.c = 1;
    cctx.buf = 0;
    cctx.size = 0;
    return lwai_cmsis_status(arm_max_pool_s16(&cctx, &pp, &in, input, &f, &out, output));
}
