/* QUANTIZE reference kernels: float -> int8/int16 and int8 -> int8 requantization. */
#include "lwai_fixedpoint.h"
#include "lwai_math.h"

static int count_ok(const lwai_dims *in, const lwai_dims *out)
{
    return lwai_dims_valid(in) && lwai_dims_valid(out) &&
           lwai_dims_count(in) == lwai_dims_count(out);
}

/* zp + round(x / scale): a float32 division (TFLite Micro's AffineQuantize; it matters for
 * values landing near .5), rounded half away from zero. */
static int32_t quantize_one(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi)
{
    const float q = x / scale;
    /* Add the zero point and clamp in double: the int conversion of an out-of-range value is
     * undefined, and so is int32 overflow when a huge x (or tiny scale) is clamped to -2^31
     * and the zero point then added (found by tests/fuzz, regressions/params). NaN -> 0. */
    const double r = q != q ? 0.0 : (double)lwai_roundf(q) + (double)zero_point;
    return (int32_t)(r < (double)lo ? (double)lo : (r > (double)hi ? (double)hi : r));
}

lwai_status lwai_quantize_f32_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                 const float *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        output[i] = (int8_t)quantize_one(input[i], params->scale, params->zero_point,
                                         LWAI_INT8_MIN, LWAI_INT8_MAX);
    }
    return LWAI_OK;
}

lwai_status lwai_quantize_f32_s16(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                  const float *input, const lwai_dims *output_dims,
                                  int16_t *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        output[i] = (int16_t)quantize_one(input[i], params->scale, params->zero_point,
                                          LWAI_INT16_MIN, LWAI_INT16_MAX);
    }
    return LWAI_OK;
}

lwai_status lwai_quantize_s8_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        const int32_t v = lwai_mul_by_quantized_multiplier((int32_t)input[i] + params->input_offset,
                                                           params->multiplier, params->shift);
        output[i] = (int8_t)lwai_offset_clamp_i32(v, params->zero_point, LWAI_INT8_MIN,
                                                  LWAI_INT8_MAX);
    }
    return LWAI_OK;
}

/* int16 -> int8 / int32 requantization (TFLite's Requantize): (x - zp_in) rescaled by
 * input scale / output scale, plus the output zero point, clamped to the output dtype. */
lwai_status lwai_quantize_s16_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                 const int16_t *input, const lwai_dims *output_dims,
                                 int8_t *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        const int32_t v = lwai_mul_by_quantized_multiplier((int32_t)input[i] + params->input_offset,
                                                           params->multiplier, params->shift);
        output[i] = (int8_t)lwai_offset_clamp_i32(v, params->zero_point, LWAI_INT8_MIN,
                                                  LWAI_INT8_MAX);
    }
    return LWAI_OK;
}

lwai_status lwai_quantize_s16_s32(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                  const int16_t *input, const lwai_dims *output_dims,
                                  int32_t *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        const int32_t v = lwai_mul_by_quantized_multiplier((int32_t)input[i] + params->input_offset,
                                                           params->multiplier, params->shift);
        /* In 64 bits: a rescaled value near the int32 limits plus a zero point may leave
         * int32, where TFLite clamps. */
        const int64_t o = (int64_t)v + params->zero_point;
        output[i] = o > INT32_MAX ? INT32_MAX : (o < INT32_MIN ? INT32_MIN : (int32_t)o);
    }
    return LWAI_OK;
}
