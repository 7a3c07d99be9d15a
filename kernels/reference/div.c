/* DIV on int8 with broadcasting (TFLite Micro's DivElementwise): the quotient of the
 * offset inputs through a fixed-point reciprocal of the divisor (gemmlowp's Newton-Raphson
 * 1 / (1 + x)), the dividend normalised by its headroom, then one rescale by
 * s1 / (s2 * so) and the output zero point. A divisor equal to its zero point is undefined
 * in TFLite (its DCHECK); lwai gives the clamp bound of the dividend's sign. The walk:
 * broadcast.h. */
#include "broadcast.h"
#include "lwai_gemmlowp.h"

/* Leading sign bits of x (GCC's __builtin_clrsb, which TFLM uses): 31 for 0 and -1. */
static inline int32_t div_clrsb(int32_t x)
{
    uint32_t u = x < 0 ? ~(uint32_t)x : (uint32_t)x;
    int32_t n = 0;
    if (u == 0u) {
        return 31;
    }
    while ((u & 0x40000000u) == 0u) {
        u <<= 1;
        ++n;
    }
    return n;
}

/* RoundingDivideByPOT for exponents beyond 31, as TFLM computes it on the host it is
 * tested against (x86-64: the mask (1 << e) - 1 taken in 64 bits and truncated to all ones,
 * the shift count taken mod 32). Happens for dividends near 0 (headroom 30 or 31). */
static inline int32_t div_rdbpot(int32_t x, int32_t exponent)
{
    if (exponent <= 31) {
        return lwai_rounding_divide_by_pot(x, exponent);
    }
    return (x >> (exponent & 31)) + (x > (x < 0 ? 0 : -1) ? 1 : 0);
}

static inline int8_t div_one_s8(const lwai_elementwise_params *p, int32_t a, int32_t b)
{
    int32_t x = a + p->input1_offset;
    int32_t y = b + p->input2_offset;
    int32_t clz, recip_shift, inv, headroom, quotient, total_shift;
    if (y == 0) {
        return (int8_t)(x >= 0 ? p->act_max : p->act_min);
    }
    if (y < 0) { /* the reciprocal is of a positive value */
        x = -x;
        y = -y;
    }
    /* GetReciprocal(y, 31): y = 2^(31 - clz) * (1 + t), t in [0, 1) as Q0.31 */
    for (clz = 0; ((uint32_t)y << clz & 0x80000000u) == 0u; ++clz) {
    }
    recip_shift = 31 - clz;
    inv = lwai_gl_sat_shift_left(
        lwai_gl_two_over_one_plus_x((int32_t)(((uint32_t)y << clz) - 0x80000000u)), 1);
    headroom = div_clrsb(x);
    quotient = lwai_sat_round_doubling_high_mul((int32_t)((uint32_t)x << headroom), inv);
    total_shift = p->output_shift - recip_shift - headroom;
    return (int8_t)lwai_offset_clamp_i32(
        div_rdbpot(lwai_sat_round_doubling_high_mul(quotient, p->output_multiplier),
                   -total_shift),
        p->output_offset, p->act_min, p->act_max);
}

LWAI_BCAST_WALKER(div_walk_s8, int8_t, int8_t, lwai_elementwise_params, div_one_s8)

lwai_status lwai_div_s8(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output)
{
    /* |x| <= 256 has headroom >= 22, so output_shift <= 22 keeps the final shift a right
     * shift (TFLM's MultiplyByQuantizedMultiplierSmallerThanOneExp). */
    if (params != 0 &&
        (params->output_shift < -31 || params->output_shift > 22 ||
         params->input1_offset < -128 || params->input1_offset > 128 ||
         params->input2_offset < -128 || params->input2_offset > 128 ||
         params->act_min < LWAI_INT8_MIN || params->act_max > LWAI_INT8_MAX ||
         params->act_min > params->act_max)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return div_walk_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}
