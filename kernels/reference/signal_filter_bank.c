/* SignalFilterBank: each channel sums weight * energy over its band plus the previous
 * channel's band weighted by (1 - weight) ("unweights"), in uint64 (int16 weights converted
 * to uint64 as TFLM's mixed multiply does: negative weights wrap modulo 2^64). Channel 0 of
 * TFLM's num_channels + 1 tables only carries its unweighted sum into channel 1. */
#include "signal_common.h"

lwai_status lwai_signal_filter_bank_u32(
    const lwai_signal_params *params, const lwai_dims *input_dims, const uint32_t *input,
    const lwai_dims *weights_dims, const int16_t *weights, const lwai_dims *unweights_dims,
    const int16_t *unweights, const lwai_dims *channel_frequency_starts_dims,
    const int16_t *channel_frequency_starts, const lwai_dims *channel_weight_starts_dims,
    const int16_t *channel_weight_starts, const lwai_dims *channel_widths_dims,
    const int16_t *channel_widths, const lwai_dims *output_dims, uint64_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    const int32_t nw = lwai_signal_count(weights_dims);
    int32_t c, j, channels;
    uint64_t weighted = 0u, unweighted = 0u;
    if (params == 0 || input == 0 || weights == 0 || unweights == 0 ||
        channel_frequency_starts == 0 || channel_weight_starts == 0 || channel_widths == 0 ||
        output == 0 || n < 1 || nw < 1) {
        return LWAI_ERR_INVALID_ARG;
    }
    channels = params->num_channels;
    if (channels < 1 || lwai_signal_count(output_dims) != channels ||
        lwai_signal_count(unweights_dims) != nw ||
        lwai_signal_count(channel_frequency_starts_dims) < channels + 1 ||
        lwai_signal_count(channel_weight_starts_dims) < channels + 1 ||
        lwai_signal_count(channel_widths_dims) < channels + 1) {
        return LWAI_ERR_INVALID_ARG;
    }
    /* Every band within the spectrum and the weight tables (TFLM trusts the model). */
    for (c = 0; c <= channels; ++c) {
        const int32_t f = channel_frequency_starts[c], w = channel_weight_starts[c];
        const int32_t width = channel_widths[c];
        if (width > 0 && (f < 0 || w < 0 || f + width > n || w + width > nw)) {
            return LWAI_ERR_INVALID_ARG;
        }
    }
    for (c = 0; c <= channels; ++c) {
        const int32_t f = channel_frequency_starts[c], w = channel_weight_starts[c];
        for (j = 0; j < channel_widths[c]; ++j) {
            weighted += (uint64_t)(int64_t)weights[w + j] * input[f + j];
            unweighted += (uint64_t)(int64_t)unweights[w + j] * input[f + j];
        }
        if (c > 0) {
            output[c - 1] = weighted;
        }
        weighted = unweighted;
        unweighted = 0u;
    }
    return LWAI_OK;
}
