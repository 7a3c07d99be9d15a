/*
 * SignalRfft / SignalIrfft: TFLM's real FFTs, kissfft v130's kiss_fftr / kiss_fftri
 * (FIXED_POINT 16 and 32, and float) run on each (zero-padded) row. Rewritten here (own
 * code) so the arithmetic order, the per-stage scaling of the fixed-point versions (each
 * radix-p butterfly divides by p with kissfft's rounding, the split step by 2) and the
 * wrap-around of their int16/int32 stores match TFLM bit for bit; the inverse runs its
 * leaf copies as an in-place permutation, so neither direction needs scratch. The twiddles
 * come from the compiler (cos/sin: no libm on LiteOS-M); the factor plan is integer only and
 * computed here.
 */
#include "signal_common.h"

/* kissfft's kf_factor of the half length: 4s first, then 2s, 3s, 5s, .... TFLM's build has
 * no allocator for kissfft's generic (radix > 5) butterfly, so such lengths are refused,
 * as are fft_length < 4 (a one-point FFT takes the generic path too). */
int32_t lwai_signal_rfft_factors(int32_t fft_length, int32_t *factors)
{
    int32_t n, n0, p = 4, count = 0;
    if (fft_length < 4 || fft_length > 65536 || (fft_length & 1) != 0) {
        return 0;
    }
    n = n0 = fft_length / 2;
    do {
        while (n % p != 0) {
            p = p == 4 ? 2 : (p == 2 ? 3 : p + 2);
            if (p * p > n0) { /* kissfft: p > floor(sqrt(n0)) */
                p = n;
            }
        }
        if (p > 5 || count >= 32) {
            return 0;
        }
        n /= p;
        factors[2 * count] = p;
        factors[2 * count + 1] = n;
        ++count;
    } while (n > 1);
    return count;
}

/* Where kf_work's leaves read output element k from: k's mixed-radix digits (most
 * significant first) weighted by the strides 1, p0, p0 p1, ... (kissfft's decimation). */
int32_t lwai_signal_fft_source(int32_t k, const int32_t *factors)
{
    int32_t src = 0, stride = 1;
    for (;;) {
        const int32_t p = factors[0], m = factors[1];
        src += (k / m) * stride;
        k %= m;
        if (m == 1) {
            return src;
        }
        stride *= p;
        factors += 2;
    }
}

/* int16: products and sums in int (no overflow), stores wrap modulo 2^16. */
#define RF(name) name##_s16
#define RF_T int16_t
#define RF_ACC int32_t
#define RF_NARROW(x) ((int16_t)(x))
#define RF_FIXED 1
#define RF_PROD int32_t
#define RF_FRACBITS 15
#define RF_SAMP_MAX 32767
#define RF_HALF_SUM(a, b) ((int16_t)(((int32_t)(a) + (b)) >> 1))
#define RF_HALF_DIFF(a, b) ((int16_t)(((int32_t)(a) - (b)) >> 1))
#include "signal_rfft_impl.h"

/* int32: kissfft adds int32 values in int32, which wraps in TFLM's build; here the sums are
 * formed in int64 and reduced modulo 2^32 (the same bits, no undefined behaviour). */
#define RF(name) name##_s32
#define RF_T int32_t
#define RF_ACC int64_t
#define RF_NARROW(x) ((int32_t)(uint32_t)(uint64_t)(x))
#define RF_FIXED 1
#define RF_PROD int64_t
#define RF_FRACBITS 31
#define RF_SAMP_MAX 2147483647
#define RF_HALF_SUM(a, b) ((int32_t)(RF_NARROW((int64_t)(a) + (b)) >> 1))
#define RF_HALF_DIFF(a, b) ((int32_t)(RF_NARROW((int64_t)(a) - (b)) >> 1))
#include "signal_rfft_impl.h"

/* float: plain float arithmetic in kissfft's order (TFLM's patch halves by (float)0.5). */
#define RF(name) name##_f32
#define RF_T float
#define RF_ACC float
#define RF_NARROW(x) ((float)(x))
#define RF_FIXED 0
#define RF_HALF_SUM(a, b) (((a) + (b)) * 0.5f)
#define RF_HALF_DIFF(a, b) (((a) - (b)) * 0.5f)
#include "signal_rfft_impl.h"
