/* SignalPCAN: per-channel energy normalisation. The gain is a piecewise quadratic of the
 * noise estimate (3 LUT coefficients per octave of x, x <= 2 read directly), the SNR
 * input * gain >> snr_shift, then TFLM's shrink: x^2 / 4 below 2, x - 1 above, with 12
 * fractional bits in and 6 out. */
#include "signal_common.h"

#define PCAN_SNR_BITS 12
#define PCAN_OUTPUT_BITS 6
#define PCAN_LUT_MIN 125 /* 4 * 32 - 6 + 3: the coefficients of the top octave */

static int16_t wide_dynamic(uint32_t x, const int16_t *lut)
{
    int32_t interval, frac, result;
    if (x <= 2u) {
        return lut[x];
    }
    interval = (int32_t)lwai_signal_msb32(x);
    lut += 4 * interval - 6;
    /* TFLM keeps frac in int16 after the & 0x3ff: 10 bits, always non-negative */
    frac = (int32_t)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3ffu);
    result = ((int32_t)lut[2] * frac) >> 5;
    result += (int32_t)((uint32_t)lut[1] << 5);
    result = (int32_t)((uint32_t)result * (uint32_t)frac); /* wraps as TFLM's int32 */
    result = (result + (1 << 14)) >> 15;
    result += lut[0];
    return (int16_t)result;
}

static uint32_t shrink(uint32_t x)
{
    if (x < (2u << PCAN_SNR_BITS)) {
        return (x * x) >> (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS); /* uint32, as TFLM */
    }
    return (x >> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1u << PCAN_OUTPUT_BITS);
}

lwai_status lwai_signal_pcan_u32(const lwai_signal_params *params, const lwai_dims *input_dims,
                                 const uint32_t *input, const lwai_dims *noise_estimate_dims,
                                 const uint32_t *noise_estimate, const lwai_dims *gain_lut_dims,
                                 const int16_t *gain_lut, const lwai_dims *output_dims,
                                 uint32_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    int32_t i;
    if (params == 0 || input == 0 || noise_estimate == 0 || gain_lut == 0 || output == 0 ||
        n < 1 || lwai_signal_count(noise_estimate_dims) < n ||
        lwai_signal_count(gain_lut_dims) < PCAN_LUT_MIN || lwai_signal_count(output_dims) != n ||
        params->snr_shift < 0 || params->snr_shift > 63) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < n; ++i) {
        /* the int16 gain converted to uint32 as TFLM does (negative gains wrap) */
        const uint32_t gain = (uint32_t)(int32_t)wide_dynamic(noise_estimate[i], gain_lut);
        const uint32_t snr = (uint32_t)(((uint64_t)input[i] * gain) >> params->snr_shift);
        output[i] = shrink(snr);
    }
    return LWAI_OK;
}
