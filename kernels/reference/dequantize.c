/* DEQUANTIZE reference kernels: int8/int16 -> float. */
#include "lwai_fixedpoint.h"

static int count_ok(const lwai_dims *in, const lwai_dims *out)
{
    return lwai_dims_valid(in) && lwai_dims_valid(out) &&
           lwai_dims_count(in) == lwai_dims_count(out);
}

/* scale * (v - zp) in double, then rounded once to float, as TFLite does. */
lwai_status lwai_dequantize_s8_f32(const lwai_dequantize_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, float *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        output[i] = (float)((double)params->scale * (double)((int32_t)input[i] - params->zero_point));
    }
    return LWAI_OK;
}

lwai_status lwai_dequantize_s16_f32(const lwai_dequantize_params *params,
                                    const lwai_dims *input_dims, const int16_t *input,
                                    const lwai_dims *output_dims, float *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        output[i] = (float)((double)params->scale * (double)((int32_t)input[i] - params->zero_point));
    }
    return LWAI_OK;
}
