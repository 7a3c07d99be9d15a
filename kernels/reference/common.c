/* Helpers shared by kernels and loaders. */
#include <math.h>

#include "lwai/kernels.h"

void lwai_quantize_multiplier(double real, int32_t *multiplier, int32_t *shift)
{
    int exponent = 0;
    double q;
    int64_t q_fixed;
    if (real == 0.0) {
        *multiplier = 0;
        *shift = 0;
        return;
    }
    /* frexp gives q in [0.5, 1); 31 fractional bits, rounded half away from zero as
     * TFLite's TfLiteRound (std::round) does. */
    q = frexp(real, &exponent);
    q_fixed = (int64_t)round(q * (double)((int64_t)1 << 31));
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        ++exponent;
    }
    /* Below 2^-31 every product rounds to 0: flush, avoiding right shifts > 31. */
    if (exponent < -31) {
        exponent = 0;
        q_fixed = 0;
    }
    *multiplier = (int32_t)q_fixed;
    *shift = exponent;
}
