/* SignalEnergy: squared magnitude of the complex bins [start_index, end_index). TFLM forms
 * re*re + im*im in int32, which for (-32768, -32768) is 2^31: the same bits in uint32 here.
 * TFLM leaves the other bins unwritten; lwai writes 0 there (deterministic). */
#include "signal_common.h"

lwai_status lwai_signal_energy_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                   const int16_t *input, const lwai_dims *output_dims,
                                   uint32_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    const int32_t bins = lwai_signal_count(output_dims);
    int32_t i;
    if (params == 0 || input == 0 || output == 0 || n < 2 || n % 2 != 0 || bins != n / 2 ||
        params->start_index < 0 || params->end_index > bins ||
        params->start_index > params->end_index) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < bins; ++i) {
        uint32_t e = 0u;
        if (i >= params->start_index && i < params->end_index) {
            const int32_t re = input[2 * i], im = input[2 * i + 1];
            e = (uint32_t)(re * re) + (uint32_t)(im * im);
        }
        output[i] = e;
    }
    return LWAI_OK;
}
