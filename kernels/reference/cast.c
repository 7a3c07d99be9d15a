/* CAST from int8/int16 where the value changes type class (to float32 or bool) or narrows
 * (int16 -> int8): TFLite Micro's static_cast of the raw integer, ignoring any quantization
 * of either tensor. Widening integer casts and every other pair run on TVM's C (exact there);
 * these are the ones lwai's exactness rule keeps from TVM (an int8/int16 value cast to
 * float or narrowed would read as a quantized value computed by TVM).
 * int -> float32: exact (|x| <= 32768 < 2^24). int16 -> int8: two's complement wrap, as
 * static_cast<int8_t> on every compiler TFLM builds with (40000 -> 64). int -> bool: x != 0,
 * stored as one byte 0/1. */
#include "lwai_fixedpoint.h"

static int cast_args_ok(const lwai_elementwise_params *p, const lwai_dims *in, const void *input,
                        const lwai_dims *out, const void *output)
{
    return p != 0 && input != 0 && output != 0 && lwai_dims_valid(in) && lwai_dims_valid(out) &&
           lwai_dims_count(in) == lwai_dims_count(out);
}

/* One kernel per (input, output) type pair; CONVERT(x) gives the output element. */
#define LWAI_CAST_KERNEL(name, in_t, out_t, CONVERT)                                          \
    lwai_status name(const lwai_elementwise_params *params, const lwai_dims *input_dims,      \
                     const in_t *input, const lwai_dims *output_dims, out_t *output)          \
    {                                                                                         \
        int32_t i, n;                                                                         \
        if (!cast_args_ok(params, input_dims, input, output_dims, output)) {                  \
            return LWAI_ERR_INVALID_ARG;                                                      \
        }                                                                                     \
        n = lwai_dims_count(input_dims);                                                      \
        for (i = 0; i < n; ++i) {                                                             \
            output[i] = CONVERT(input[i]);                                                    \
        }                                                                                     \
        return LWAI_OK;                                                                       \
    }

#define TO_F32(x) ((float)(x))
#define TO_BOOL(x) ((uint8_t)((x) != 0))
/* through uint16: the wrap is then a defined unsigned conversion plus the usual two's
 * complement narrowing */
#define TO_S8(x) ((int8_t)(uint8_t)((uint16_t)(x) & 0xffu))

LWAI_CAST_KERNEL(lwai_cast_s8_f32, int8_t, float, TO_F32)
LWAI_CAST_KERNEL(lwai_cast_s8_b, int8_t, uint8_t, TO_BOOL)
LWAI_CAST_KERNEL(lwai_cast_s16_f32, int16_t, float, TO_F32)
LWAI_CAST_KERNEL(lwai_cast_s16_s8, int16_t, int8_t, TO_S8)
LWAI_CAST_KERNEL(lwai_cast_s16_b, int16_t, uint8_t, TO_BOOL)
