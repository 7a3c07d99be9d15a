/* SignalFftAutoScale: shift the frame left by as many bits as keep its largest magnitude
 * below 2^15 (the FFT's headroom); the bit count is appended after the frame. */
#include "signal_common.h"

lwai_status lwai_signal_fft_auto_scale_s16(const lwai_signal_params *params,
                                           const lwai_dims *input_dims, const int16_t *input,
                                           const lwai_dims *output_dims, int16_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    int32_t i, bits;
    int16_t max = 0;
    if (params == 0 || input == 0 || output == 0 || n < 1 ||
        lwai_signal_count(output_dims) != n + 1) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < n; ++i) {
        /* TFLM's MaxAbs16 keeps the maximum in int16: -(-32768) wraps back to -32768,
         * whose bit count (as uint32 0xffff8000) is 32, so no scaling then. */
        const int16_t v = input[i];
        if (v > max) {
            max = v;
        } else if (-v > max) {
            max = (int16_t)(-(int32_t)v == 32768 ? INT16_MIN : -v);
        }
    }
    /* TFLM counts bits with __builtin_clz, whose MostSignificantBit32(0) is 32: an all-zero
     * frame gets 0 bits too (16 - 32 - 1 < 0). */
    bits = max <= 0 ? 0 : 16 - (int32_t)lwai_signal_msb32((uint32_t)max) - 1;
    for (i = 0; i < n; ++i) {
        /* |input| < 2^(15 - bits): the product fits int16 */
        output[i] = (int16_t)(input[i] * (1 << bits));
    }
    output[n] = (int16_t)bits;
    return LWAI_OK;
}
