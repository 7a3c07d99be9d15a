/* RELU, RELU6 and LEAKY_RELU on int8 and int16, one piecewise-linear kernel.
 *
 * TFLite Micro's three int8 kernels are all "requantize each side of the zero point with
 * its own multiplier, then clamp": RELU rescales by in/out scale and clamps at the output's
 * zero point; LEAKY_RELU uses alpha * in/out scale below zero and clamps to the int8 range;
 * RELU6 does not requantize at all (multiplier exactly 1.0) and clamps in the input's
 * domain to [zero point, zero point + round(6 / scale)]. The compiler picks the numbers. */
#include "lwai_fixedpoint.h"

/* One rectified element: each side of zero rescaled with its own multiplier. */
static inline int32_t relu_scale(int32_t v, int32_t m, int32_t s, int32_t am, int32_t as)
{
    return v >= 0 ? lwai_mul_by_quantized_multiplier(v, m, s)
                  : lwai_mul_by_quantized_multiplier(v, am, as);
}

static int relu_shifts_ok(int32_t lo, int32_t hi, int32_t s, int32_t as)
{
    return lo <= hi && s <= 31 && s >= -31 && as <= 31 && as >= -31;
}

lwai_status lwai_relu_s8(const lwai_relu_params *params, const lwai_dims *input_dims,
                         const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t i, count;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        !relu_shifts_ok(params->act_min, params->act_max, params->shift, params->alpha_shift)) {
        return LWAI_ERR_INVALID_ARG;
    }
    count = lwai_dims_count(input_dims);
    for (i = 0; i < count; ++i) {
        const int32_t scaled =
            relu_scale((int32_t)input[i] - params->input_zero_point, params->multiplier,
                       params->shift, params->alpha_multiplier, params->alpha_shift);
        output[i] = (int8_t)lwai_offset_clamp_i32(scaled, params->output_zero_point,
                                                  params->act_min, params->act_max);
    }
    return LWAI_OK;
}

/* int16 (TFLM): zero points 0, the same numbers otherwise. */
lwai_status lwai_relu_s16(const lwai_relu_s16_params *params, const lwai_dims *input_dims,
                          const int16_t *input, const lwai_dims *output_dims, int16_t *output)
{
    int32_t i, count;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) ||
        lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        !relu_shifts_ok(params->act_min, params->act_max, params->shift, params->alpha_shift) ||
        params->act_min < LWAI_INT16_MIN || params->act_max > LWAI_INT16_MAX) {
        return LWAI_ERR_INVALID_ARG;
    }
    count = lwai_dims_count(input_dims);
    for (i = 0; i < count; ++i) {
        const int32_t scaled = relu_scale(input[i], params->multiplier, params->shift,
                                          params->alpha_multiplier, params->alpha_shift);
        output[i] = (int16_t)lwai_clamp_i32(scaled, params->act_min, params->act_max);
    }
    return LWAI_OK;
}
