/* PRELU with a broadcast alpha (TFLite Micro's BroadcastPrelu4DSlow): x' = x - zp, then
 * x' * input scale / output scale for x' >= 0, x' * (alpha - alpha zp) * input scale *
 * alpha scale / output scale below, plus the output zero point, clamped to the type.
 * int16 takes an int8 alpha (TFLM). The walk: broadcast.h. */
#include "broadcast.h"

static inline int32_t prelu_one(const lwai_elementwise_params *p, int32_t x, int32_t alpha)
{
    const int32_t v = x + p->input1_offset;
    /* |v| <= 65536, |alpha'| <= 256: the product stays below 2^25 */
    const int32_t r =
        v >= 0 ? lwai_mul_by_quantized_multiplier(v, p->input1_multiplier, p->input1_shift)
               : lwai_mul_by_quantized_multiplier(v * (alpha + p->input2_offset),
                                                  p->input2_multiplier, p->input2_shift);
    return r;
}

static inline int8_t prelu_one_s8(const lwai_elementwise_params *p, int32_t x, int32_t alpha)
{
    return (int8_t)lwai_offset_clamp_i32(prelu_one(p, x, alpha), p->output_offset,
                                         LWAI_INT8_MIN, LWAI_INT8_MAX);
}

static inline int16_t prelu_one_s16(const lwai_elementwise_params *p, int32_t x, int32_t alpha)
{
    return (int16_t)lwai_offset_clamp_i32(prelu_one(p, x, alpha), p->output_offset,
                                          LWAI_INT16_MIN, LWAI_INT16_MAX);
}

LWAI_BCAST_WALKER(prelu_walk_s8, int8_t, int8_t, lwai_elementwise_params, prelu_one_s8)
LWAI_BCAST_WALKER2(prelu_walk_s16, int16_t, int8_t, int16_t, lwai_elementwise_params,
                   prelu_one_s16)

static int prelu_params_ok(const lwai_elementwise_params *p)
{
    return p->input1_offset >= -32768 && p->input1_offset <= 32768 &&
           p->input2_offset >= -128 && p->input2_offset <= 128 && p->input1_shift >= -31 &&
           p->input1_shift <= 31 && p->input2_shift >= -31 && p->input2_shift <= 31;
}

lwai_status lwai_prelu_s8(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                          const int8_t *input, const lwai_dims *alpha_dims, const int8_t *alpha,
                          const lwai_dims *output_dims, int8_t *output)
{
    if (params != 0 && !prelu_params_ok(params)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return prelu_walk_s8(params, input_dims, input, alpha_dims, alpha, output_dims, output);
}

lwai_status lwai_prelu_s16(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                           const int16_t *input, const lwai_dims *alpha_dims,
                           const int8_t *alpha, const lwai_dims *output_dims, int16_t *output)
{
    if (params != 0 && !prelu_params_ok(params)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return prelu_walk_s16(params, input_dims, input, alpha_dims, alpha, output_dims, output);
}
