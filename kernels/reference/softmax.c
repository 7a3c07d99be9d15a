/*
 * SOFTMAX reference kernels.
 *
 * int8 follows TFLite's fixed-point algorithm (from gemmlowp): differences to the row
 * maximum are rescaled to Q5.26, exponentiated with a polynomial on [-1/4, 0) and a
 * barrel of exact exp(-2^k) factors, summed in Q12.19, and normalised with a
 * Newton-Raphson reciprocal. Every rounding step below matches TFLite's.
 */
#include <float.h>
#include "lwai_fixedpoint.h"
#include "lwai_math.h"

#define SCALED_DIFF_INTEGER_BITS 5 /* input differences: Q5.26 */
#define ACCUM_INTEGER_BITS 12      /* sum of exps: Q12.19, room for 4096 maximal terms */

/* x * 2^exponent (exponent in [1, 31]), saturating: gemmlowp's positive-exponent
 * SaturatingRoundingMultiplyByPOT. */
static int32_t sat_shift_left(int32_t x, int32_t exponent)
{
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/* (a + b) / 2 rounded half away from zero, without overflow. */
static int32_t rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: 4th-order Taylor series around -1/8. */
static int32_t exp_quarter_interval(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) in Q0.31 */
    const int32_t one_third = 715827883;             /* 1/3 in Q0.31 */
    const int32_t x = a + (1 << 28);                 /* a + 1/8 */
    const int32_t x2 = lwai_sat_round_doubling_high_mul(x, x);
    const int32_t x3 = lwai_sat_round_doubling_high_mul(x2, x);
    const int32_t x4 = lwai_sat_round_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = lwai_rounding_divide_by_pot(x4, 2);
    const int32_t poly = lwai_rounding_divide_by_pot(
        lwai_sat_round_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth +
           lwai_sat_round_doubling_high_mul(exp_minus_one_eighth, x + poly);
}

/* exp(a) for a <= 0 in Q5.26, result in Q0.31. */
static int32_t exp_on_negative_values(int32_t a)
{
    /* exp(-2^k) in Q0.31 for k = -2 .. 4, applied for each set bit of the integer part. */
    static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242};
    const int32_t one_quarter = 1 << (31 - SCALED_DIFF_INTEGER_BITS - 2);
    const int32_t a_mod_quarter_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
    const int32_t remainder = a_mod_quarter_minus_quarter - a;
    int32_t result =
        exp_quarter_interval(sat_shift_left(a_mod_quarter_minus_quarter, SCALED_DIFF_INTEGER_BITS));
    int32_t k;
    for (k = 0; k < 7; ++k) {
        if (remainder & ((int32_t)1 << (31 - SCALED_DIFF_INTEGER_BITS - 2 + k))) {
            result = lwai_sat_round_doubling_high_mul(result, barrel[k]);
        }
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31: three Newton-Raphson steps from 48/17 - 32/17 d. */
static int32_t one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = rounding_half_sum(a, INT32_MAX);
    const int32_t c48_17 = 1515870810;      /* 48/17 in Q2.29 */
    const int32_t cneg32_17 = -1010580540;  /* -32/17 in Q2.29 */
    const int32_t one_q2 = (int32_t)1 << 29; /* 1.0 in Q2.29 */
    int32_t x = c48_17 + lwai_sat_round_doubling_high_mul(half_denominator, cneg32_17);
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t hdx = lwai_sat_round_doubling_high_mul(half_denominator, x);
        const int32_t one_minus = one_q2 - hdx;
        x = x + sat_shift_left(lwai_sat_round_doubling_high_mul(x, one_minus), 2);
    }
    /* x / 2 viewed as Q1.30, rescaled to Q0.31. */
    return sat_shift_left(x, 1);
}

static int32_t count_leading_zeros(uint32_t x)
{
    int32_t n = 0;
    if (x == 0) {
        return 32;
    }
    while ((x & 0x80000000u) == 0) {
        x <<= 1;
        ++n;
    }
    return n;
}

/* The int8-input algorithm for int8 (out8) or int16 (out16) output: TFLite's templated
 * reference Softmax, whose only output-type dependence is the final bit count and range. */
static lwai_status softmax_s8_any(const lwai_softmax_params *params, const lwai_dims *input_dims,
                                  const int8_t *input, const lwai_dims *output_dims,
                                  int8_t *out8, int16_t *out16)
{
    const int32_t out_bits = out16 != 0 ? 16 : 8;
    const int32_t out_min = out16 != 0 ? LWAI_INT16_MIN : LWAI_INT8_MIN;
    const int32_t out_max = out16 != 0 ? LWAI_INT16_MAX : LWAI_INT8_MAX;
    int32_t row, rows, depth, c;
    if (params == 0 || input == 0 || (out8 == 0 && out16 == 0) ||
        !lwai_dims_valid(input_dims) || !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        input_dims->c != output_dims->c || input_dims->c <= 0 || params->input_left_shift < 0 ||
        params->input_left_shift > 31) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = input_dims->c;
    rows = lwai_dims_count(input_dims) / depth;
    for (row = 0; row < rows; ++row) {
        const int8_t *in = input + row * depth;
        int32_t max_in_row = LWAI_INT8_MIN;
        int32_t sum_of_exps = 0; /* Q12.19 */
        int32_t headroom_plus_one, num_bits_over_unit, shifted_scale;
        for (c = 0; c < depth; ++c) {
            max_in_row = lwai_max_i32(max_in_row, in[c]);
        }
        for (c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            if (diff >= params->diff_min) {
                const int32_t scaled = lwai_sat_round_doubling_high_mul(
                    (int32_t)((uint32_t)diff << params->input_left_shift), params->input_multiplier);
                /* Q0.31 -> Q12.19 */
                sum_of_exps += lwai_rounding_divide_by_pot(exp_on_negative_values(scaled),
                                                           ACCUM_INTEGER_BITS);
            }
        }
        /* Reciprocal of the sum: normalise to 1 + x with x in [0, 1), remembering how many
         * bits above one the sum had. */
        headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
        num_bits_over_unit = ACCUM_INTEGER_BITS - headroom_plus_one;
        shifted_scale = one_over_one_plus_x(
            (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - ((uint32_t)1 << 31)));
        for (c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)in[c] - max_in_row;
            int32_t v = out_min;
            if (diff >= params->diff_min) {
                const int32_t scaled = lwai_sat_round_doubling_high_mul(
                    (int32_t)((uint32_t)diff << params->input_left_shift), params->input_multiplier);
                const int32_t e = exp_on_negative_values(scaled);
                /* Probability in Q0.31 scaled to 8 (16) bits: output scale 1/256 (1/65536),
                 * zero point -128 (-32768). */
                const int32_t unsat = lwai_rounding_divide_by_pot(
                    lwai_sat_round_doubling_high_mul(shifted_scale, e),
                    num_bits_over_unit + 31 - out_bits);
                v = lwai_clamp_i32(unsat + out_min, out_min, out_max);
            }
            if (out16 != 0) {
                out16[row * depth + c] = (int16_t)v;
            } else {
                out8[row * depth + c] = (int8_t)v;
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_softmax_s8(const lwai_softmax_params *params, const lwai_dims *input_dims,
                            const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    return softmax_s8_any(params, input_dims, input, output_dims, output, 0);
}

lwai_status lwai_softmax_s8_s16(const lwai_softmax_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *output_dims,
                                int16_t *output)
{
    if (output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    return softmax_s8_any(params, input_dims, input, output_dims, 0, output);
}

lwai_status lwai_softmax_f32(const lwai_softmax_params *params, const lwai_dims *input_dims,
                             const float *input, const lwai_dims *output_dims, float *output)
{
    int32_t row, rows, depth, c;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) || lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        input_dims->c != output_dims->c || input_dims->c <= 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = input_dims->c;
    rows = lwai_dims_count(input_dims) / depth;
    for (row = 0; row < rows; ++row) {
        const float *in = input + row * depth;
        float *out = output + row * depth;
        float max_in_row = -FLT_MAX;
        float sum = 0.0f;
        for (c = 0; c < depth; ++c) {
            max_in_row = in[c] > max_in_row ? in[c] : max_in_row;
        }
        /* Subtracting the maximum keeps expf in range; the ratio is unchanged. */
        for (c = 0; c < depth; ++c) {
            const float e = lwai_expf((in[c] - max_in_row) * params->beta);
            out[c] = e;
            sum += e;
        }
        for (c = 0; c < depth; ++c) {
            out[c] = out[c] / sum;
        }
    }
    return LWAI_OK;
}
