/* QUANTIZE reference kernels: float -> int8/int16 (integer -> integer: quantize_int.c). */
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

#define LWAI_QUANTIZE_F32_KERNEL(name, out_t, lo, hi)                                           \
    lwai_status name(const lwai_quantize_params *params, const lwai_dims *input_dims,           \
                     const float *input, const lwai_dims *output_dims, out_t *output)           \
    {                                                                                           \
        int32_t i, n;                                                                           \
        if (params == 0 || input == 0 || output == 0 || !count_ok(input_dims, output_dims)) {   \
            return LWAI_ERR_INVALID_ARG;                                                        \
        }                                                                                       \
        n = lwai_dims_count(input_dims);                                                        \
        for (i = 0; i < n; ++i) {                                                               \
            output[i] =                                                                         \
                (out_t)quantize_one(input[i], params->scale, params->zero_point, lo, hi);       \
        }                                                                                       \
        return LWAI_OK;                                                                         \
    }

LWAI_QUANTIZE_F32_KERNEL(lwai_quantize_f32_s8, int8_t, LWAI_INT8_MIN, LWAI_INT8_MAX)
LWAI_QUANTIZE_F32_KERNEL(lwai_quantize_f32_s16, int16_t, LWAI_INT16_MIN, LWAI_INT16_MAX)
