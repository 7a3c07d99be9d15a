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
    const double r = (double)lwai_roundf(q);
    /* Clamp in double first: the int conversion of an out-of-range value is undefined. */
    const double c = r < -2147483648.0 ? -2147483648.0 : (r > 2147483520.0 ? 2147483520.0 : r);
    return lwai_clamp_i32((int32_t)c + zero_point, lo, hi);
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
