/*
 * Private integer arithmetic shared by the reference kernels. Each helper reproduces the
 * rounding of TFLite's (gemmlowp's) primitive of the same purpose, since bit-exactness
 * with TFLite Micro depends on every rounding step, not just the formula.
 *
 * Assumes arithmetic right shift of negative integers (true of GCC, Clang, Arm and IAR
 * compilers; C99 leaves it implementation-defined).
 */
#ifndef LWAI_FIXEDPOINT_H
#define LWAI_FIXEDPOINT_H

#include <stdint.h>

#include "lwai/kernels.h"

#define LWAI_INT8_MIN (-128)
#define LWAI_INT8_MAX 127
#define LWAI_INT16_MIN (-32768)
#define LWAI_INT16_MAX 32767

static inline int32_t lwai_min_i32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t lwai_max_i32(int32_t a, int32_t b) { return a > b ? a : b; }

static inline int32_t lwai_clamp_i32(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static inline float lwai_clamp_f32(float v, float lo, float hi)
{
    /* Same order as TFLite's ActivationFunctionWithMinMax: max first, then min. */
    float t = v < lo ? lo : v;
    return t > hi ? hi : t;
}

/* High 32 bits of 2*a*b, rounded to nearest (ties away from zero), saturating the one
 * overflowing case INT32_MIN * INT32_MIN. */
static inline int32_t lwai_sat_round_doubling_high_mul(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* C division truncates toward zero, as gemmlowp relies on. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31]. */
static inline int32_t lwai_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^(shift - 31): TFLite's double-rounding MultiplyByQuantizedMultiplier
 * (left shift first, rounding high multiply, then rounding right shift). */
static inline int32_t lwai_mul_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    /* Shift as unsigned: wraps like TFLite's x * (1 << left) does in practice, without UB. */
    const int32_t shifted = (int32_t)((uint32_t)x << left);
    return lwai_rounding_divide_by_pot(lwai_sat_round_doubling_high_mul(shifted, multiplier), right);
}

/* v + offset clamped to [lo, hi], without int32 overflow wherever v lies (a model file's
 * extreme multipliers can leave the rescaled value anywhere in int32): clamping v to the
 * shifted bounds first gives the same result as TFLite's add-then-clamp whenever that does
 * not overflow, at the same cost. lo, hi and offset are small (|x| < 2^30: int8/int16
 * ranges and zero points). */
static inline int32_t lwai_offset_clamp_i32(int32_t v, int32_t offset, int32_t lo, int32_t hi)
{
    return lwai_clamp_i32(v, lo - offset, hi - offset) + offset;
}

static inline int32_t lwai_dims_count(const lwai_dims *d)
{
    return d->n * d->h * d->w * d->c;
}

static inline int lwai_dims_valid(const lwai_dims *d)
{
    return d != 0 && d->n >= 0 && d->h >= 0 && d->w >= 0 && d->c >= 0;
}

/* Leading zero bits of x (32 for 0): portable C99, no compiler builtin. */
static inline int32_t lwai_clz32(uint32_t x)
{
    int32_t n = 0;
    if (x == 0u) {
        return 32;
    }
    while ((x & 0x80000000u) == 0u) {
        x <<= 1;
        ++n;
    }
    return n;
}

#endif /* LWAI_FIXEDPOINT_H */
