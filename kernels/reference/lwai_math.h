/*
 * The libm functions the reference kernels use (roundf, expf, exp), for systems whose libm
 * lacks them: LiteOS-M's musl has round/frexp but no roundf, expf or exp, so a model with a
 * float QUANTIZE, SOFTMAX or DETECTION_POSTPROCESS did not link there.
 *
 * lwai_roundf is exact (round half away from zero, the sign of zero kept): it equals libm's
 * roundf on every one of the 2^32 float bit patterns (checked exhaustively against glibc),
 * so the kernels use it everywhere.
 *
 * lwai_expf is libm's expf unless LWAI_OWN_EXPF is defined (BUILD.gn does on LiteOS-M).
 * libm expf implementations differ in the last bit (glibc's and newlib's float fdlibm
 * version round differently), so elsewhere the kernels keep the system's. lwai's own one
 * evaluates exp in double (2^k * exp(r), |r| <= ln2/2, Taylor series to r^14: truncation
 * below 1e-19, Horner rounding about 3e-16 relative) and rounds once to float: correctly
 * rounded but for inputs within ~3e-16 of a rounding midpoint.
 */
#ifndef LWAI_MATH_H
#define LWAI_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float lwai_roundf(float x)
{
    uint32_t bits;
    float t;
    float d;
    /* |x| >= 2^23 is an integer already (and NaN/inf stay as they are). */
    if (!(x > -8388608.0f && x < 8388608.0f)) {
        return x;
    }
    t = (float)(int32_t)x; /* toward zero, exact below 2^23 */
    d = x - t;             /* exact: the fraction */
    if (d >= 0.5f) {
        t += 1.0f;
    } else if (d <= -0.5f) {
        t -= 1.0f;
    }
    /* roundf keeps the sign of x (-0.3 gives -0.0): set it without a branch. */
    {
        uint32_t sign;
        memcpy(&sign, &x, sizeof sign);
        memcpy(&bits, &t, sizeof bits);
        bits = (bits & 0x7fffffffu) | (sign & 0x80000000u);
        memcpy(&t, &bits, sizeof t);
    }
    return t;
}

#ifdef LWAI_OWN_EXPF
/* exp in double for |x| <= 700 (callers clamp): 2^k * exp(r), |r| <= ln2/2. */
static inline double lwai_exp_reduced(double x)
{
    /* ln2 split so that k * LN2_HI is exact for |k| < 2^11. */
    const double ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10;
    const double log2e = 1.44269504088896338700e+00;
    double t;
    double r;
    double p;
    double scale;
    uint64_t scale_bits;
    int32_t k;
    t = x * log2e;
    k = (int32_t)(t >= 0.0 ? t + 0.5 : t - 0.5);
    r = (x - (double)k * ln2_hi) - (double)k * ln2_lo;
    p = 1.0 / 87178291200.0; /* 1/14! */
    p = p * r + 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* 2^k from its bits: |k| <= 1010, a normal double. */
    scale_bits = (uint64_t)(int64_t)(k + 1023) << 52;
    memcpy(&scale, &scale_bits, sizeof scale);
    return p * scale;
}

static inline float lwai_expf(float x)
{
    if (x != x) {
        return x;
    }
    if (x > 89.0f) { /* exp(88.73) > FLT_MAX */
        return INFINITY;
    }
    if (x < -110.0f) { /* exp(-103.98) < half the smallest subnormal */
        return 0.0f;
    }
    return (float)lwai_exp_reduced((double)x);
}

/*
 * exp in double for kernels that round the result to float afterwards (a product with a
 * float rounded once): beyond |x| = 700 that float is 0 or infinity whatever exp returns.
 * Within 1 double ulp of glibc's exp (tests/test_gn.py, 2 million points), so the float
 * after it matches but for products within ~1e-16 of a float rounding midpoint.
 */
static inline double lwai_exp(double x)
{
    if (x != x) {
        return x;
    }
    if (x > 700.0) {
        return INFINITY;
    }
    if (x < -700.0) {
        return 0.0;
    }
    return lwai_exp_reduced(x);
}
#else
static inline float lwai_expf(float x)
{
    return expf(x);
}

static inline double lwai_exp(double x)
{
    return exp(x);
}
#endif

#endif
