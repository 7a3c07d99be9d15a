/* int8 ops through a 256-entry table (TFLite ELU, RSQRT): output = table[input + 128].
 * The compiler fills the table with TFLite Micro's arithmetic for every input value
 * (lwai/frontend/elementwise.py), so the kernel is one load per element. RSQRT int16
 * computes TFLM's fixed-point arithmetic per element instead (a table would be 64 KiB). */
#include "lwai_gemmlowp.h"

lwai_status lwai_lut_s8(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                        const int8_t *input, const lwai_dims *table_dims, const int8_t *table,
                        const lwai_dims *output_dims, int8_t *output)
{
    int32_t i, count;
    if (params == 0 || input == 0 || table == 0 || output == 0 ||
        !lwai_dims_valid(input_dims) || !lwai_dims_valid(output_dims) ||
        !lwai_dims_valid(table_dims) || lwai_dims_count(table_dims) != 256 ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    count = lwai_dims_count(input_dims);
    for (i = 0; i < count; ++i) {
        output[i] = table[(int32_t)input[i] + 128];
    }
    return LWAI_OK;
}

/* TFLite's GetInvSqrtQuantizedMultiplierExp(input, reverse_shift -1): 1 / sqrt(input) as a
 * Q0.31 multiplier and a left shift, by five Newton-Raphson steps in gemmlowp's Q3.28 from
 * x = 1 on the input normalised into [2^27, 2^29) by pairs of bits. */
static int32_t rsqrt_inv_sqrt(int32_t input, int32_t *left_shift)
{
    const int32_t half_three = (1 << 28) + (1 << 27); /* 1.5 in Q3.28 */
    int32_t shift = 11, clz, pairs, half_input, x, i;
    if (input <= 1) { /* TFLite: 0 (invalid) and 1 as 1, avoiding an overflow */
        *left_shift = 0;
        return INT32_MAX;
    }
    while (input >= (1 << 29)) {
        input /= 4;
        ++shift;
    }
    for (clz = 0; (((uint32_t)input << clz) & 0x80000000u) == 0u; ++clz) {
    }
    pairs = (clz - 1) / 2 - 1;
    shift -= pairs;
    input = (int32_t)((uint32_t)input << (2 * pairs));
    half_input = lwai_rounding_divide_by_pot(input >> 1, 1);
    x = 1 << 28;
    for (i = 0; i < 5; ++i) {
        const int32_t x3 = lwai_gl_sat_shift_left(
            lwai_sat_round_doubling_high_mul(lwai_sat_round_doubling_high_mul(x, x), x), 6);
        const uint32_t d = (uint32_t)lwai_sat_round_doubling_high_mul(half_three, x) -
                           (uint32_t)lwai_sat_round_doubling_high_mul(half_input, x3);
        x = lwai_gl_sat_shift_left((int32_t)d, 3);
    }
    x = lwai_sat_round_doubling_high_mul(x, 1518500250); /* * sqrt(2) / 2 */
    if (shift < 0) {
        x = (int32_t)((uint32_t)x << -shift);
        shift = 0;
    }
    *left_shift = -shift;
    return x;
}

/* RSQRT int16 (TFLM's RsqrtEvalQuantized, zero points 0): 1 / sqrt(x) kept in 20 fraction
 * bits, then scaled by 1 / (sqrt(input scale) * output scale); x = 0 gives the maximum.
 * TFLM reports an error for x < 0; lwai writes 0 there. */
lwai_status lwai_rsqrt_s16(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                           const int16_t *input, const lwai_dims *output_dims, int16_t *output)
{
    int32_t i, count;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        params->output_shift < -11 || params->output_shift > 31) {
        return LWAI_ERR_INVALID_ARG; /* output_shift - 20 must stay a right shift <= 31 */
    }
    count = lwai_dims_count(input_dims);
    for (i = 0; i < count; ++i) {
        const int32_t v = input[i];
        int32_t inv, inv_shift, data;
        if (v <= 0) {
            output[i] = (int16_t)(v == 0 ? LWAI_INT16_MAX : 0);
            continue;
        }
        inv = rsqrt_inv_sqrt(v, &inv_shift);
        data = lwai_mul_by_quantized_multiplier(1, inv, inv_shift + 20);
        output[i] = (int16_t)lwai_clamp_i32(
            lwai_mul_by_quantized_multiplier(data, params->output_multiplier,
                                             params->output_shift - 20),
            LWAI_INT16_MIN, LWAI_INT16_MAX);
    }
    return LWAI_OK;
}
