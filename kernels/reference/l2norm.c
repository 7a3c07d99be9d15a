/* L2_NORMALIZATION on int8 over the last axis, TFLite Micro's integer algorithm
 * (reference_integer_ops::L2Normalization): the row's sum of squared (x - zero point) in
 * int32, its inverse square root as a Q0.31 multiplier by 5 Newton-Raphson steps in Q3.28
 * (GetInvSqrtQuantizedMultiplierExp), each element rescaled by it to the fixed output
 * quantization 1/128, zero point 0. */
#include "lwai_gemmlowp.h"

/* 1 / sqrt(input) as multiplier * 2^shift (shift > 0: left), TFLite's
 * GetInvSqrtQuantizedMultiplierExp with reverse_shift -1. */
static void l2_inv_sqrt(int32_t input, int32_t *multiplier, int32_t *shift)
{
    const int32_t half_three = (1 << 28) + (1 << 27); /* 1.5 in Q3.28 */
    const int32_t half_sqrt2 = 1518500250;            /* sqrt(2) / 2 in Q0.31 */
    int32_t right = 11, x, half_input, i;
    uint32_t pairs;
    if (input <= 1) { /* 0 and 1 both give the largest multiplier (TFLite's special case) */
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    while (input >= (1 << 29)) {
        input /= 4;
        ++right;
    }
    /* normalise into [2^27, 2^29) by whole bit pairs, so the root's exponent stays exact */
    pairs = (uint32_t)(lwai_clz32((uint32_t)input) - 1) / 2u - 1u;
    right -= (int32_t)pairs;
    input = (int32_t)((uint32_t)input << (2u * pairs));
    half_input = lwai_rounding_divide_by_pot(input >> 1, 1); /* input / 2 in Q3.28 */
    x = 1 << 28;                                             /* 1.0 in Q3.28 */
    for (i = 0; i < 5; ++i) {
        /* x = 1.5 x - (input / 2) x^3: products in Q6 and Q9, back to Q3 saturating */
        const int32_t x2 = lwai_sat_round_doubling_high_mul(x, x);
        const int32_t x3 = lwai_gl_sat_shift_left(lwai_sat_round_doubling_high_mul(x2, x), 6);
        const uint32_t t = (uint32_t)lwai_sat_round_doubling_high_mul(half_three, x) -
                           (uint32_t)lwai_sat_round_doubling_high_mul(half_input, x3);
        x = lwai_gl_sat_shift_left((int32_t)t, 3);
    }
    x = lwai_sat_round_doubling_high_mul(x, half_sqrt2);
    if (right < 0) {
        x = (int32_t)((uint32_t)x << -right);
        right = 0;
    }
    *multiplier = x;
    *shift = -right;
}

lwai_status lwai_l2norm_s8(const lwai_l2norm_params *params, const lwai_dims *input_dims,
                           const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t rows, depth, r, c;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) || input_dims->c < 1 ||
        input_dims->c > 33025 || params->input_zero_point < -128 ||
        params->input_zero_point > 127) {
        /* depth <= 33025: the sum of at most 255^2 per element stays below 2^31 */
        return LWAI_ERR_INVALID_ARG;
    }
    depth = input_dims->c;
    rows = lwai_dims_count(input_dims) / depth;
    for (r = 0; r < rows; ++r) {
        const int8_t *x = input + r * depth;
        int8_t *y = output + r * depth;
        int32_t acc = 0, multiplier, shift;
        for (c = 0; c < depth; ++c) {
            const int32_t v = (int32_t)x[c] - params->input_zero_point;
            acc += v * v;
        }
        l2_inv_sqrt(acc, &multiplier, &shift);
        for (c = 0; c < depth; ++c) {
            /* x / ||x|| in steps of 1/128: the inverse root's shift plus 7 */
            const int32_t v = lwai_mul_by_quantized_multiplier(
                (int32_t)x[c] - params->input_zero_point, multiplier, shift + 7);
            y[c] = (int8_t)lwai_clamp_i32(v, LWAI_INT8_MIN, LWAI_INT8_MAX);
        }
    }
    return LWAI_OK;
}
