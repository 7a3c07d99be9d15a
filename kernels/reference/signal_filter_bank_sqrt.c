/* SignalFilterBankSquareRoot: TFLM's bitwise integer square root (rounded to nearest),
 * which takes a 32-bit path when the upper word is 0 (its result then saturates at 0xffff),
 * then a right shift by the FFT's scale bits. */
#include "signal_common.h"

/* TFLM's bitwise square root over a WIDTH-bit unsigned num (not 0), leaving the rounded-down
 * root in res: shared by the 32- and 64-bit paths below. */
#define SQRT_BITWISE(UT, WIDTH, MSB, num, res)                                                 \
    do {                                                                                       \
        const int32_t top_ = ((WIDTH) - (int32_t)MSB(num)) | 1;                                \
        UT bit_ = (UT)1 << ((WIDTH) - 1 - top_);                                               \
        int32_t iterations_ = ((WIDTH) - 1 - top_) / 2 + 1;                                    \
        while (iterations_-- > 0) {                                                            \
            if ((num) >= (res) + bit_) {                                                       \
                (num) -= (res) + bit_;                                                         \
                (res) = ((res) >> 1) + bit_;                                                   \
            } else {                                                                           \
                (res) >>= 1;                                                                   \
            }                                                                                  \
            bit_ >>= 2;                                                                        \
        }                                                                                      \
    } while (0)

static uint32_t sqrt32(uint32_t num)
{
    uint32_t res = 0u;
    if (num == 0u) {
        return 0u;
    }
    SQRT_BITWISE(uint32_t, 32, lwai_signal_msb32, num, res);
    if (num > res && res != 0xffffu) {
        ++res;
    }
    return res & 0xffffu; /* TFLM returns it as uint16 */
}

static uint32_t sqrt64(uint64_t num)
{
    uint64_t res = 0u;
    if ((num >> 32) == 0u) {
        return sqrt32((uint32_t)num);
    }
    SQRT_BITWISE(uint64_t, 64, lwai_signal_msb64, num, res);
    if (num > res && res != 0xffffffffu) {
        ++res;
    }
    return (uint32_t)res;
}

lwai_status lwai_signal_filter_bank_sqrt_u64(const lwai_signal_params *params,
                                             const lwai_dims *input_dims, const uint64_t *input,
                                             const lwai_dims *scale_bits_dims,
                                             const int32_t *scale_bits,
                                             const lwai_dims *output_dims, uint32_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    int32_t i, shift;
    if (params == 0 || input == 0 || scale_bits == 0 || output == 0 || n < 1 ||
        lwai_signal_count(scale_bits_dims) != 1 || lwai_signal_count(output_dims) != n) {
        return LWAI_ERR_INVALID_ARG;
    }
    /* A uint32 shift by >= 32 is undefined; x86 (TFLM's host build) uses the count mod 32. */
    shift = scale_bits[0] & 31;
    for (i = 0; i < n; ++i) {
        output[i] = sqrt64(input[i]) >> shift;
    }
    return LWAI_OK;
}
