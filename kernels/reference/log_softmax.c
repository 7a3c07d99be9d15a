/* LOG_SOFTMAX on int8 over the last axis, TFLite Micro's fixed-point algorithm
 * (reference_ops::LogSoftmaxQuantized): differences to the row maximum rescaled to Q5.26,
 * exp'd with gemmlowp's exp_on_negative_values and summed in Q12.19, the sum's log
 * (log_x_for_x_greater_than_or_equal_to_1: a rational approximation of log2 of the
 * normalised mantissa plus its exponent times ln 2) in Q5.26 subtracted, and the result
 * rounded to the fixed output quantization 16/256, zero point 127. Inputs whose
 * difference is too negative for Q5.26 after the log is subtracted give -128. */
#include "lwai_gemmlowp.h"

static int32_t ls_sat_add(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a + (int64_t)b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

static int32_t ls_sat_sub(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a - (int64_t)b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

/* gemmlowp's plain (wrapping) FixedPoint addition and subtraction, without C's UB. */
static int32_t ls_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static int32_t ls_sub(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

#define ls_mul lwai_sat_round_doubling_high_mul

/* log(x) for x >= 1 given in Q12.19, result in Q5.26 (TFLite's
 * log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>, accumulating in Q6.25). */
static int32_t ls_log_q12_to_q5(int32_t z_a)
{
    const int32_t log_2 = 1488522236;          /* ln 2 */
    const int32_t sqrt_sqrt_half = 1805811301; /* 2^-1/4 */
    const int32_t sqrt_half = 1518500250;      /* 2^-1/2 */
    const int32_t alpha_n = 117049297;         /* 11/240 * 2^1/4 */
    const int32_t alpha_d = 127690142;         /* 1/20 * 2^1/4 */
    const int32_t alpha_i = 1057819769;        /* 2 / 2^1/4 - 2^1/4 */
    const int32_t alpha_f = 638450708;         /* 1/4 * 2^1/4 */
    const int32_t shifted_quarter = 1 << 23;   /* 1/4 in Q6.25 */
    const int32_t z_a_headroom_plus_1 = lwai_clz32((uint32_t)z_a);
    const int32_t r_a_tmp = lwai_gl_sat_shift_left(z_a, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = lwai_gl_sat_shift_left(ls_mul(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj =
        ls_sat_add(lwai_gl_sat_shift_left(12 - z_a_headroom_plus_1, 25), shifted_quarter);
    const int32_t z_b = ls_mul(z_a, sqrt_half);
    const int32_t z_b_headroom = lwai_clz32((uint32_t)z_b) - 1;
    const int32_t r_b_raw = lwai_gl_sat_shift_left(z_a, z_b_headroom);
    const int32_t z_b_pow_2_adj =
        ls_sat_sub(lwai_gl_sat_shift_left(12 - z_b_headroom, 25), shifted_quarter);
    const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
    const int32_t p = lwai_gl_half_sum(r, sqrt_sqrt_half);
    int32_t q = ls_sub(r, sqrt_sqrt_half);
    int32_t common_sq, num, denom_minus_one, recip_denom, num_scaled;
    q = ls_add(q, q);
    common_sq = ls_mul(q, q);
    num = ls_add(ls_mul(q, r), ls_mul(ls_mul(q, common_sq), alpha_n));
    denom_minus_one = ls_add(ls_mul(p, ls_add(ls_add(alpha_i, q), ls_mul(alpha_d, common_sq))),
                             ls_mul(alpha_f, q));
    /* 1 / (1 + x) in Q0: gemmlowp's 2 / (1 + x) in Q2 read as Q1, rescaled to Q0 */
    recip_denom = lwai_gl_sat_shift_left(lwai_gl_two_over_one_plus_x(denom_minus_one), 1);
    num_scaled = lwai_rounding_divide_by_pot(num, 6); /* Q0 -> Q6 */
    return lwai_gl_sat_shift_left(
        ls_add(ls_mul(z_pow_2_adj, log_2), ls_mul(num_scaled, recip_denom)), 1); /* Q6 -> Q5 */
}

lwai_status lwai_log_softmax_s8(const lwai_log_softmax_params *params,
                                const lwai_dims *input_dims, const int8_t *input,
                                const lwai_dims *output_dims, int8_t *output)
{
    int32_t rows, depth, r, c;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) || input_dims->c < 1 ||
        params->input_multiplier < 0 || params->input_left_shift < 0 ||
        params->input_left_shift > 31 || params->reverse_scaling_divisor < 0 ||
        params->reverse_scaling_right_shift < 0 || params->reverse_scaling_right_shift > 31) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = input_dims->c;
    rows = lwai_dims_count(input_dims) / depth;
    for (r = 0; r < rows; ++r) {
        const int8_t *x = input + r * depth;
        int8_t *y = output + r * depth;
        int32_t max_in_row = LWAI_INT8_MIN, sum_q12 = 0, log_sum_q5, adjusted_diff_min, t;
        for (c = 0; c < depth; ++c) {
            max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
        }
        for (c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)x[c] - max_in_row;
            if (diff >= params->diff_min) {
                const int32_t q5 = lwai_mul_by_quantized_multiplier(
                    diff, params->input_multiplier, params->input_left_shift);
                /* exp in Q0.31 -> Q12.19; TFLite's accumulator wraps after 2^12 terms */
                sum_q12 = ls_add(sum_q12, lwai_rounding_divide_by_pot(
                                              lwai_gl_exp_on_negative(q5, 5), 12));
            }
        }
        log_sum_q5 = ls_log_q12_to_q5(sum_q12);
        /* the smallest difference whose Q5.26 value minus the log still fits in int32 */
        t = lwai_mul_by_quantized_multiplier(ls_add(log_sum_q5, INT32_MIN),
                                             params->reverse_scaling_divisor,
                                             -params->reverse_scaling_right_shift);
        adjusted_diff_min = params->diff_min - 1 > t ? params->diff_min - 1 : t;
        for (c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)x[c] - max_in_row;
            if (diff > adjusted_diff_min) {
                const int32_t q5 = lwai_mul_by_quantized_multiplier(
                    diff, params->input_multiplier, params->input_left_shift);
                /* Q5.26 -> steps of 16/256 (2^-4): divide by 2^(31 - 5 - 4), then + 127 */
                const int32_t v = lwai_rounding_divide_by_pot(ls_sub(q5, log_sum_q5), 22) + 127;
                y[c] = (int8_t)lwai_clamp_i32(v, LWAI_INT8_MIN, LWAI_INT8_MAX);
            } else {
                y[c] = LWAI_INT8_MIN;
            }
        }
    }
    return LWAI_OK;
}
