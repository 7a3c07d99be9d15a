/* QUANTIZE int32 -> int8/int16, int8 <-> uint8 and DEQUANTIZE uint8 -> float32, the pairs of
 * TFLite Micro's QUANTIZE/DEQUANTIZE that quantize.c and quantize_int.c lack. Same arithmetic
 * as TFLite's Requantize: (x - input zero point), once rescaled by the Q0.31 multiplier of
 * input scale / output scale, plus the output zero point, clamped to the output type.
 * int32 inputs: x - zero point wraps in 32 bits (TFLM's int32 subtraction on every target it
 * runs on) instead of being undefined; the output zero point is added in 64 bits.
 * int8 <-> uint8 with equal scales and zero points 128 apart: TFLM flips bit 7, which is
 * the general formula's result too (x - zi + zo, multiplier exactly 1), so no special case. */
#include "lwai_fixedpoint.h"

static int qx_args_ok(const lwai_quantize_params *p, const lwai_dims *in, const void *input,
                      const lwai_dims *out, const void *output)
{
    return p != 0 && input != 0 && output != 0 && lwai_dims_valid(in) && lwai_dims_valid(out) &&
           lwai_dims_count(in) == lwai_dims_count(out) && p->shift >= -31 && p->shift <= 31;
}

static int32_t qx_one(const lwai_quantize_params *p, int32_t x, int32_t lo, int32_t hi)
{
    const int32_t centred = (int32_t)((uint32_t)x + (uint32_t)p->input_offset);
    const int32_t v = lwai_mul_by_quantized_multiplier(centred, p->multiplier, p->shift);
    const int64_t o = (int64_t)v + p->zero_point;
    return o > hi ? hi : (o < lo ? lo : (int32_t)o);
}

#define LWAI_QUANTIZE_EXT_KERNEL(name, in_t, out_t, lo, hi)                                     \
    lwai_status name(const lwai_quantize_params *params, const lwai_dims *input_dims,           \
                     const in_t *input, const lwai_dims *output_dims, out_t *output)            \
    {                                                                                           \
        int32_t i, n;                                                                           \
        if (!qx_args_ok(params, input_dims, input, output_dims, output)) {                      \
            return LWAI_ERR_INVALID_ARG;                                                        \
        }                                                                                       \
        n = lwai_dims_count(input_dims);                                                        \
        for (i = 0; i < n; ++i) {                                                               \
            output[i] = (out_t)qx_one(params, (int32_t)input[i], lo, hi);                       \
        }                                                                                       \
        return LWAI_OK;                                                                         \
    }

LWAI_QUANTIZE_EXT_KERNEL(lwai_quantize_s32_s8, int32_t, int8_t, LWAI_INT8_MIN, LWAI_INT8_MAX)
LWAI_QUANTIZE_EXT_KERNEL(lwai_quantize_s32_s16, int32_t, int16_t, LWAI_INT16_MIN, LWAI_INT16_MAX)
LWAI_QUANTIZE_EXT_KERNEL(lwai_quantize_s8_u8, int8_t, uint8_t, 0, 255)
LWAI_QUANTIZE_EXT_KERNEL(lwai_quantize_u8_s8, uint8_t, int8_t, LWAI_INT8_MIN, LWAI_INT8_MAX)

/* scale * (v - zp) in double, rounded once to float, as TFLite's Dequantize. */
lwai_status lwai_dequantize_u8_f32(const lwai_dequantize_params *params,
                                   const lwai_dims *input_dims, const uint8_t *input,
                                   const lwai_dims *output_dims, float *output)
{
    int32_t i, n;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) || lwai_dims_count(input_dims) != lwai_dims_count(output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    n = lwai_dims_count(input_dims);
    for (i = 0; i < n; ++i) {
        output[i] = (float)((double)params->scale * (double)((int32_t)input[i] - params->zero_point));
    }
    return LWAI_OK;
}
