/* QUANTIZE between integer types (TFLite's Requantize): int8 -> int8/int16/int32 and
 * int16 -> int8/int16/int32. The value less the input zero point is rescaled once by the
 * Q0.31 multiplier of input scale / output scale; the output zero point is added in 64 bits,
 * so an int32 output near its limits clamps as TFLite's does instead of wrapping. */
#include "lwai_fixedpoint.h"

static int requant_args_ok(const lwai_quantize_params *p, const lwai_dims *in,
                           const void *input, const lwai_dims *out, const void *output)
{
    return p != 0 && input != 0 && output != 0 && lwai_dims_valid(in) && lwai_dims_valid(out) &&
           lwai_dims_count(in) == lwai_dims_count(out) && p->shift >= -31 && p->shift <= 31;
}

static int32_t requant_one(const lwai_quantize_params *p, int32_t x, int32_t lo, int32_t hi)
{
    const int32_t v = lwai_mul_by_quantized_multiplier(x + p->input_offset, p->multiplier,
                                                       p->shift);
    const int64_t o = (int64_t)v + p->zero_point;
    return o > hi ? hi : (o < lo ? lo : (int32_t)o);
}

/* One kernel per (input, output) type pair; only the element types and the clamp differ. */
#define LWAI_REQUANTIZE_KERNEL(name, in_t, out_t, lo, hi)                                       \
    lwai_status name(const lwai_quantize_params *params, const lwai_dims *input_dims,           \
                     const in_t *input, const lwai_dims *output_dims, out_t *output)            \
    {                                                                                           \
        int32_t i, n;                                                                           \
        if (!requant_args_ok(params, input_dims, input, output_dims, output)) {                 \
            return LWAI_ERR_INVALID_ARG;                                                        \
        }                                                                                       \
        n = lwai_dims_count(input_dims);                                                        \
        for (i = 0; i < n; ++i) {                                                               \
            output[i] = (out_t)requant_one(params, input[i], lo, hi);                           \
        }                                                                                       \
        return LWAI_OK;                                                                         \
    }

LWAI_REQUANTIZE_KERNEL(lwai_quantize_s8_s8, int8_t, int8_t, LWAI_INT8_MIN, LWAI_INT8_MAX)
LWAI_REQUANTIZE_KERNEL(lwai_quantize_s8_s16, int8_t, int16_t, LWAI_INT16_MIN, LWAI_INT16_MAX)
LWAI_REQUANTIZE_KERNEL(lwai_quantize_s8_s32, int8_t, int32_t, INT32_MIN, INT32_MAX)
LWAI_REQUANTIZE_KERNEL(lwai_quantize_s16_s8, int16_t, int8_t, LWAI_INT8_MIN, LWAI_INT8_MAX)
LWAI_REQUANTIZE_KERNEL(lwai_quantize_s16_s16, int16_t, int16_t, LWAI_INT16_MIN, LWAI_INT16_MAX)
LWAI_REQUANTIZE_KERNEL(lwai_quantize_s16_s32, int16_t, int32_t, INT32_MIN, INT32_MAX)
