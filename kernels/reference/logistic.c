/* LOGISTIC on int8, TFLite's fixed-point algorithm (reference_integer_ops::Logistic): the
 * input rescaled to Q4.27, gemmlowp's logistic, the Q0.31 result rounded to the fixed
 * output quantization (scale 1/256, zero point -128). Inputs beyond the radius at which
 * Q4 would overflow saturate to -128 / 127. */
#include "lwai_gemmlowp.h"
#include "lwai_sigmoid16.h"

lwai_status lwai_logistic_s8(const lwai_sigmoid_params *params, const lwai_dims *input_dims,
                             const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t i, count;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        params->input_left_shift < 0 || params->input_left_shift > 31) {
        return LWAI_ERR_INVALID_ARG;
    }
    count = lwai_dims_count(input_dims);
    for (i = 0; i < count; ++i) {
        const int32_t x = (int32_t)input[i] - params->input_zero_point;
        if (x <= -params->input_range_radius) {
            output[i] = LWAI_INT8_MIN;
        } else if (x >= params->input_range_radius) {
            output[i] = LWAI_INT8_MAX;
        } else {
            const int32_t q4 = lwai_mul_by_quantized_multiplier(x, params->input_multiplier,
                                                                params->input_left_shift);
            /* Q0.31 -> Q8.23 steps of 2^-8, i.e. the output's 1/256, then its zero point. */
            const int32_t y = lwai_rounding_divide_by_pot(lwai_gl_logistic_q4(q4), 23) - 128;
            output[i] = (int8_t)lwai_clamp_i32(y, LWAI_INT8_MIN, LWAI_INT8_MAX);
        }
    }
    return LWAI_OK;
}

/* int16: 9 fractional bits of interpolation (lwai_sigmoid16.h). */
lwai_status lwai_logistic_s16(const lwai_sigmoid16_params *params, const lwai_dims *input_dims,
                              const int16_t *input, const lwai_dims *output_dims,
                              int16_t *output)
{
    int32_t i, count;
    if (!sigmoid16_args_ok(params, input_dims, input, output_dims, output)) {
        return LWAI_ERR_INVALID_ARG;
    }
    count = lwai_dims_count(input_dims);
    for (i = 0; i < count; ++i) {
        const int32_t v = sigmoid16_input(params, input[i]);
        const uint32_t a = (uint32_t)(v < 0 ? -v : v);
        const uint32_t k = a >> 9;
        uint32_t r;
        if (k >= 255u) {
            r = 0x7FFFu << 10;
        } else {
            const uint32_t lo = lwai_sigmoid_lut_q16[k], hi = lwai_sigmoid_lut_q16[k + 1u];
            r = (lo << 9) + (a & 0x1FFu) * (hi - lo);
        }
        r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
        output[i] = (int16_t)(r >> 10);
    }
    return LWAI_OK;
}
