/* ABS on int8 and int16 (TFLite Micro's elementwise ABS): |x - input zero point|, rescaled
 * by input scale / output scale only when the two scales differ (mode 1; TFLM skips the
 * multiply otherwise, which is not the same as multiplying by 1.0 at its rounding), plus the
 * output zero point, clamped to the type. int16 zero points are 0 (TFLM). */
#include "lwai_fixedpoint.h"

static int abs_params_ok(const lwai_elementwise_params *p)
{
    return p->output_shift >= -31 && p->output_shift <= 31 && p->mode >= 0 && p->mode <= 1 &&
           p->input1_offset >= -32768 && p->input1_offset <= 32768;
}

static inline int32_t abs_one(const lwai_elementwise_params *p, int32_t v, int32_t lo,
                              int32_t hi)
{
    int32_t a = v + p->input1_offset;
    a = a < 0 ? -a : a; /* |v - zp| <= 65536: no overflow */
    if (p->mode) {
        a = lwai_mul_by_quantized_multiplier(a, p->output_multiplier, p->output_shift);
    }
    return lwai_offset_clamp_i32(a, p->output_offset, lo, hi);
}

/* One definition per element type (s8, s16); the element step stays inline. */
#define LWAI_ABS_DEFINE(SUFFIX, T, LO, HI)                                                     \
    lwai_status lwai_abs_##SUFFIX(const lwai_elementwise_params *params,                       \
                                  const lwai_dims *input_dims, const T *input,                 \
                                  const lwai_dims *output_dims, T *output)                     \
    {                                                                                          \
        int32_t i, count;                                                                      \
        if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||        \
            !lwai_dims_valid(output_dims) ||                                                   \
            lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||                     \
            !abs_params_ok(params)) {                                                          \
            return LWAI_ERR_INVALID_ARG;                                                       \
        }                                                                                      \
        count = lwai_dims_count(input_dims);                                                   \
        for (i = 0; i < count; ++i) {                                                          \
            output[i] = (T)abs_one(params, input[i], LO, HI);                                  \
        }                                                                                      \
        return LWAI_OK;                                                                        \
    }

LWAI_ABS_DEFINE(s8, int8_t, LWAI_INT8_MIN, LWAI_INT8_MAX)
LWAI_ABS_DEFINE(s16, int16_t, LWAI_INT16_MIN, LWAI_INT16_MAX)
