/* Private: the gemmlowp fixed-point transcendentals TFLite's int8 LOGISTIC and TANH use,
 * scalar int32. A value "in Qm" has m integer bits and 31 - m fractional bits. Every
 * rounding and saturation step is TFLite's; the constants are gemmlowp's. */
#ifndef LWAI_GEMMLOWP_H
#define LWAI_GEMMLOWP_H

#include "lwai_fixedpoint.h"

/* x * 2^exponent for exponent in [0, 31], saturating (SaturatingRoundingMultiplyByPOT). */
static inline int32_t lwai_gl_sat_shift_left(int32_t x, int32_t exponent)
{
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (exponent == 0) {
        return x;
    }
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/* (a + b) / 2, halves away from zero, no overflow (RoundingHalfSum). */
static inline int32_t lwai_gl_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* exp(a) for a in [-1/4, 0), Q0 in and out: Taylor series of degree 4 around -1/8. */
static inline int32_t lwai_gl_exp_quarter(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) */
    const int32_t one_third = 715827883;
    const int32_t x = a + (1 << 28); /* a + 1/8 */
    const int32_t x2 = lwai_sat_round_doubling_high_mul(x, x);
    const int32_t x3 = lwai_sat_round_doubling_high_mul(x2, x);
    const int32_t x4 = lwai_sat_round_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = lwai_rounding_divide_by_pot(x4, 2);
    const int32_t poly = lwai_rounding_divide_by_pot(
        lwai_sat_round_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth + lwai_sat_round_doubling_high_mul(exp_minus_one_eighth, x + poly);
}

/* exp(a) for a <= 0 given in Q(int_bits) (int_bits in [1, 5]), result in Q0: the fraction
 * modulo 1/4 by the series, then one exact factor exp(-2^e) per set bit above it. */
static inline int32_t lwai_gl_exp_on_negative(int32_t a, int32_t int_bits)
{
    static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242}; /* exp(-2^e), e=-2..4 */
    const int32_t frac_bits = 31 - int_bits;
    const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
    const int32_t a_mod = (a & (one_quarter - 1)) - one_quarter;
    const int32_t remainder = a_mod - a;
    int32_t result = lwai_gl_exp_quarter(lwai_gl_sat_shift_left(a_mod, int_bits));
    int32_t e;
    for (e = -2; e <= 4 && e < int_bits; ++e) {
        if (remainder & ((int32_t)1 << (frac_bits + e))) {
            result = lwai_sat_round_doubling_high_mul(result, barrel[e + 2]);
        }
    }
    return a == 0 ? INT32_MAX : result;
}

/* Newton-Raphson for 2 / (1 + a), a in [0, 1) in Q0, result in Q2 (three steps from
 * 48/17 - 32/17 d, gemmlowp's). */
static inline int32_t lwai_gl_two_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = lwai_gl_half_sum(a, INT32_MAX);
    const int32_t one_q2 = (int32_t)1 << 29;
    int32_t x = 1515870810 + lwai_sat_round_doubling_high_mul(half_denominator, -1010580540);
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t hdx = lwai_sat_round_doubling_high_mul(half_denominator, x);
        x = x + lwai_gl_sat_shift_left(lwai_sat_round_doubling_high_mul(x, one_q2 - hdx), 2);
    }
    return x;
}

/* logistic(a) for a in Q4, result in Q0 (1.0 saturates to INT32_MAX). */
static inline int32_t lwai_gl_logistic_q4(int32_t a)
{
    int32_t positive;
    if (a == 0) {
        return (int32_t)1 << 30;
    }
    /* 1 / (1 + exp(-|a|)) = (2 / (1 + exp(-|a|))) / 2, as Q1 viewed as Q0 doubled. */
    positive = lwai_gl_sat_shift_left(
        lwai_gl_two_over_one_plus_x(lwai_gl_exp_on_negative(a > 0 ? -a : a, 4)), 1);
    return a > 0 ? positive : INT32_MAX - positive;
}

/* tanh(a) for a in Q4, result in Q0: (1 - e) / (1 + e) with e = exp(-2|a|) (2|a| in Q5). */
static inline int32_t lwai_gl_tanh_q4(int32_t a)
{
    int32_t t;
    if (a == 0) {
        return 0;
    }
    t = lwai_gl_sat_shift_left(
        lwai_gl_two_over_one_plus_x(lwai_gl_exp_on_negative(a < 0 ? a : -a, 5)) - (1 << 29), 2);
    return a < 0 ? -t : t;
}

#endif /* LWAI_GEMMLOWP_H */
