/* SignalWindow (TFLM signal library): each row times the window, shifted right, saturated
 * to int16. The product of two int16 fits int32 (at most 2^30), so no overflow. */
#include "signal_common.h"

lwai_status lwai_signal_window_s16(const lwai_signal_params *params,
                                   const lwai_dims *input_dims, const int16_t *input,
                                   const lwai_dims *weights_dims, const int16_t *weights,
                                   const lwai_dims *output_dims, int16_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    const int32_t w = lwai_signal_count(weights_dims);
    int32_t i;
    if (params == 0 || input == 0 || weights == 0 || output == 0 || n < 1 || w < 1 ||
        n % w != 0 || lwai_signal_count(output_dims) != n || params->shift < 0 ||
        params->shift > 31) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < n; ++i) {
        /* >> of a negative int32 is arithmetic on every compiler lwai supports (as TFLM). */
        const int32_t raw = ((int32_t)input[i] * weights[i % w]) >> params->shift;
        output[i] = (int16_t)(raw < INT16_MIN ? INT16_MIN : (raw > INT16_MAX ? INT16_MAX : raw));
    }
    return LWAI_OK;
}
