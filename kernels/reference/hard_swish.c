/* HARD_SWISH on int8: x * relu6(x + 3) / 6 in TFLite's 16-bit fixed point.
 *
 * The input (minus its zero point) is put on a "hires" scale (x 2^7, still fits int16);
 * one int16 multiplier takes it to the output scale before the final shift, another maps
 * [-3, 3] onto [-1, 1] (saturating, with the left-shift case split so the saturation that
 * counts happens last), which becomes the [0, 1] "relu-ish" factor; their product (a
 * truncating doubling high multiply, TFLite's choice to cancel the rounding bias) is
 * shifted to the output. Every step is TFLite's reference_ops::HardSwish. */
#include "lwai_fixedpoint.h"

/* a * b * 2 / 2^16 rounded (gemmlowp's int16 SaturatingRoundingDoublingHighMul). */
static int16_t srdhm16(int16_t a, int16_t b)
{
    const int32_t ab = (int32_t)a * (int32_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)((ab + nudge) / (1 << 15));
}

/* The same, truncating (TFLite's SaturatingDoublingHighMul). */
static int16_t sdhm16(int16_t a, int16_t b)
{
    if (a == b && a == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

static int16_t sat_shift_left16(int16_t v, int32_t amount)
{
    const int32_t r = (int32_t)v * ((int32_t)1 << amount);
    return (int16_t)lwai_clamp_i32(r, INT16_MIN, INT16_MAX);
}

/* x / 2^exponent rounded half away from zero (gemmlowp's RoundingDivideByPOT on int16). */
static int16_t rdbpot16(int16_t x, int32_t exponent)
{
    const int32_t mask = (1 << exponent) - 1;
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

lwai_status lwai_hard_swish_s8(const lwai_hard_swish_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t i, count;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        params->output_exponent > 0 || params->output_exponent < -15 ||
        params->reluish_exponent > 15 || params->reluish_exponent < -15) {
        return LWAI_ERR_INVALID_ARG;
    }
    count = lwai_dims_count(input_dims);
    for (i = 0; i < count; ++i) {
        const int16_t x = (int16_t)((int32_t)input[i] - params->input_zero_point);
        const int16_t hires = (int16_t)(x * (1 << 7)); /* |x| <= 255: fits */
        const int16_t on_output = srdhm16(hires, (int16_t)params->output_multiplier);
        int16_t reluish = hires;
        int32_t y;
        if (params->reluish_exponent > 0) {
            reluish = sat_shift_left16(reluish, params->reluish_exponent - 1);
        }
        reluish = srdhm16(reluish, (int16_t)params->reluish_multiplier);
        if (params->reluish_exponent > 0) {
            reluish = sat_shift_left16(reluish, 1);
        }
        if (params->reluish_exponent < 0) {
            reluish = rdbpot16(reluish, -params->reluish_exponent);
        }
        reluish = (int16_t)(((int32_t)reluish + (1 << 15)) >> 1); /* [-1, 1] -> [0, 1] */
        y = rdbpot16(sdhm16(reluish, on_output), -params->output_exponent);
        output[i] = (int8_t)lwai_clamp_i32(y + params->output_zero_point, LWAI_INT8_MIN,
                                           LWAI_INT8_MAX);
    }
    return LWAI_OK;
}
