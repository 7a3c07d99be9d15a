/* SignalFilterBankSpectralSubtraction: a per-channel low-pass noise estimate (the state,
 * kept across invocations; even channels use smoothing, odd ones alternate_smoothing),
 * subtracted from the signal with a floor of min_signal_remaining * signal. Output: the
 * channels, then a copy of the updated estimate (TFLM's second output). */
#include "signal_common.h"

int32_t lwai_signal_spectral_subtraction_u32_get_state_size(const lwai_dims *input_dims)
{
    return input_dims->n * input_dims->h * input_dims->w * input_dims->c *
           (int32_t)sizeof(uint32_t);
}

lwai_status lwai_signal_spectral_subtraction_u32(const lwai_signal_params *p,
                                                 const lwai_dims *input_dims,
                                                 const uint32_t *input,
                                                 const lwai_dims *noise_estimate_dims,
                                                 uint32_t *noise, const lwai_dims *output_dims,
                                                 uint32_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    int32_t i;
    if (p == 0 || input == 0 || noise == 0 || output == 0 || n < 1 || n != p->num_channels ||
        lwai_signal_count(noise_estimate_dims) != n || lwai_signal_count(output_dims) != 2 * n ||
        p->smoothing_bits < 0 || p->smoothing_bits > 31 || p->spectral_subtraction_bits < 0 ||
        p->spectral_subtraction_bits > 63) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < n; ++i) {
        const uint32_t smoothing = (uint32_t)((i & 1) == 0 ? p->smoothing : p->alternate_smoothing);
        const uint32_t one_minus = (uint32_t)((i & 1) == 0 ? p->one_minus_smoothing
                                                           : p->alternate_one_minus_smoothing);
        const uint32_t scaled = input[i] << p->smoothing_bits;
        uint32_t estimate, floor_, subtracted;
        noise[i] = (uint32_t)(((uint64_t)scaled * smoothing + (uint64_t)noise[i] * one_minus) >>
                              p->spectral_subtraction_bits);
        estimate = noise[i];
        if (estimate > scaled) { /* never a negative signal - estimate */
            estimate = scaled;
            if (p->clamping) {
                noise[i] = estimate;
            }
        }
        floor_ = (uint32_t)(((uint64_t)input[i] * (uint32_t)p->min_signal_remaining) >>
                            p->spectral_subtraction_bits);
        subtracted = (scaled - estimate) >> p->smoothing_bits;
        output[i] = subtracted > floor_ ? subtracted : floor_;
        output[n + i] = noise[i];
    }
    return LWAI_OK;
}
