/* int16 -> int16 SOFTMAX (TFLite Micro's SoftmaxInt16): exp of the rescaled differences to
 * the row maximum from a 513-entry Q0.15 table over [-10, 0], their sum's reciprocal from a
 * 1 / (1 + x) table, both interpolated linearly between entries; output scale 1/32768,
 * zero point 0. Integer only: the tables are constants (lwai_softmax_s16_lut.h). */
#include "lwai_fixedpoint.h"
#include "lwai_softmax_s16_lut.h"

/* TFLite's int16 LUT lookup: entry 256 + (v >> 7), linear in the low 7 bits. */
static int16_t s16_lut(int16_t value, const int16_t *lut)
{
    const int32_t index = 256 + (value >> 7);
    const int32_t offset = value & 0x7f;
    const int16_t base = lut[index];
    const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
    return (int16_t)(base + ((slope * offset + 64) >> 7));
}

lwai_status lwai_softmax_s16(const lwai_softmax_s16_params *params, const lwai_dims *input_dims,
                             const int16_t *input, const lwai_dims *output_dims, int16_t *output)
{
    int32_t rows, depth, r, c;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) || input_dims->c < 1 ||
        input_dims->c >= 65536 || params->input_multiplier < 0 || params->input_shift < -31 ||
        params->input_shift > 30) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = input_dims->c;
    rows = lwai_dims_count(input_dims) / depth;
    for (r = 0; r < rows; ++r) {
        const int16_t *x = input + r * depth;
        int16_t *y = output + r * depth;
        int16_t max_in_row = LWAI_INT16_MIN;
        int32_t sum = 0; /* Q16.15: at most depth * 2^15, below 2^31 for depth < 2^16 */
        int32_t headroom_plus_one, shifted, right_shift;
        int16_t recip;
        for (c = 0; c < depth; ++c) {
            max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
        }
        for (c = 0; c < depth; ++c) {
            /* diff in [-65535, 0]: scaled so that -10.0 maps to -65535 */
            const int32_t scaled = lwai_mul_by_quantized_multiplier(
                (int32_t)x[c] - max_in_row, params->input_multiplier, params->input_shift);
            const int32_t sym = lwai_clamp_i32(scaled + 32767, LWAI_INT16_MIN, LWAI_INT16_MAX);
            y[c] = s16_lut((int16_t)sym, lwai_softmax_s16_exp_lut); /* kept for the rescale */
            sum += y[c];
        }
        headroom_plus_one = lwai_clz32((uint32_t)sum);
        shifted = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        /* 1 / (1 + x) with x = sum - 1, recentred from [0, 65535] to [-32768, 32767] */
        recip = s16_lut((int16_t)lwai_clamp_i32(shifted - ((1 << 15) + (1 << 16)), LWAI_INT16_MIN,
                                                LWAI_INT16_MAX),
                        lwai_softmax_s16_recip_lut);
        right_shift = 31 - headroom_plus_one;
        for (c = 0; c < depth; ++c) {
            const int64_t round = (int64_t)1 << (right_shift - 1);
            const int32_t v = (int32_t)(((int64_t)y[c] * recip + round) >> right_shift);
            y[c] = (int16_t)lwai_clamp_i32(v, 0, LWAI_INT16_MAX);
        }
    }
    return LWAI_OK;
}
