/* MEAN, SUM, REDUCE_MAX and REDUCE_MIN over any subset of a 4-D input's dims, as TFLite
 * Micro computes them (reference_ops::QuantizedMeanOrSum, ReduceGeneric).
 *
 * The compiler merges a TFLite tensor's dims into at most 4 alternating kept/reduced groups
 * and passes the reduced ones as a bit mask (bit i: dim i of n, h, w, c); the output has
 * the input's dims with the reduced ones set to 1 (keep_dims only changes the shape).
 *
 * MEAN and SUM share one kernel: TFLM sums (x) in int32 (wrapping, as its
 * AddTensorValuesWithExpectedOverflow does), subtracts zero point * count (truncated to
 * int32), rescales with MultiplyByQuantizedMultiplier (double rounding) and adds the
 * output zero point. MEAN's 1/count factor is folded into multiplier and shift by the
 * compiler exactly as TFLM folds it at run time. Each output element is reduced in one
 * pass over its inputs, so no accumulator buffer is needed: integer sums do not depend on
 * the order TFLM visits the elements in. MAX/MIN compare raw values (TFLM requires equal
 * input and output quantization). */
#include "lwai_fixedpoint.h"

enum { REDUCE_SUM, REDUCE_MAX, REDUCE_MIN };

/* Output dims must be the input's with the reduced dims 1. */
static int reduce_args_ok(const lwai_reduce_params *p, const lwai_dims *in, const void *input,
                          const lwai_dims *out, const void *output)
{
    const int32_t d[4] = {in->n, in->h, in->w, in->c};
    const int32_t o[4] = {out->n, out->h, out->w, out->c};
    int i;
    if (p == 0 || input == 0 || output == 0 || !lwai_dims_valid(in) || !lwai_dims_valid(out) ||
        p->axes < 0 || p->axes > 15) {
        return 0;
    }
    for (i = 0; i < 4; ++i) {
        if (o[i] != (((p->axes >> i) & 1) ? 1 : d[i])) {
            return 0;
        }
    }
    return 1;
}

static lwai_status reduce_run(const lwai_reduce_params *p, const lwai_dims *in_dims,
                              const int8_t *in8, const int16_t *in16, int8_t *out8,
                              int16_t *out16, int mode)
{
    const int32_t d[4] = {in_dims->n, in_dims->h, in_dims->w, in_dims->c};
    const int32_t lo = in16 != 0 ? LWAI_INT16_MIN : LWAI_INT8_MIN;
    const int32_t hi = in16 != 0 ? LWAI_INT16_MAX : LWAI_INT8_MAX;
    int32_t outer[4], inner[4], stride[4], o0, o1, o2, o3, r0, r1, r2, r3, i;
    int32_t k = 0, count = 1;
    uint32_t zp_total;
    stride[3] = 1;
    for (i = 2; i >= 0; --i) {
        stride[i] = stride[i + 1] * d[i + 1];
    }
    for (i = 0; i < 4; ++i) {
        const int reduced = (p->axes >> i) & 1;
        outer[i] = reduced ? 1 : d[i];
        inner[i] = reduced ? d[i] : 1;
        count *= inner[i];
    }
    if (count == 0) {
        return LWAI_ERR_INVALID_ARG; /* an empty reduction (the compiler refuses it) */
    }
    /* TFLM: int32 sum - zero point * count, computed in int64 and truncated to int32 */
    zp_total = (uint32_t)((int64_t)p->input_zero_point * (int64_t)count);
    for (o0 = 0; o0 < outer[0]; ++o0) {
        for (o1 = 0; o1 < outer[1]; ++o1) {
            for (o2 = 0; o2 < outer[2]; ++o2) {
                for (o3 = 0; o3 < outer[3]; ++o3) {
                    const int32_t base =
                        o0 * stride[0] + o1 * stride[1] + o2 * stride[2] + o3 * stride[3];
                    uint32_t sum = 0u; /* wraps like TFLM's int32 accumulator */
                    int32_t best = mode == REDUCE_MAX ? lo : hi;
                    int32_t v;
                    for (r0 = 0; r0 < inner[0]; ++r0) {
                        for (r1 = 0; r1 < inner[1]; ++r1) {
                            for (r2 = 0; r2 < inner[2]; ++r2) {
                                for (r3 = 0; r3 < inner[3]; ++r3) {
                                    const int32_t at = base + r0 * stride[0] + r1 * stride[1] +
                                                       r2 * stride[2] + r3 * stride[3];
                                    v = in16 != 0 ? (int32_t)in16[at] : (int32_t)in8[at];
                                    sum += (uint32_t)v;
                                    if (mode == REDUCE_MAX ? v > best : v < best) {
                                        best = v;
                                    }
                                }
                            }
                        }
                    }
                    if (mode == REDUCE_SUM) {
                        v = lwai_mul_by_quantized_multiplier((int32_t)(sum - zp_total),
                                                             p->multiplier, p->shift);
                        /* + zero point in int32 (wrapping where TFLM's addition would) */
                        v = (int32_t)((uint32_t)v + (uint32_t)p->output_zero_point);
                        best = lwai_clamp_i32(v, lo, hi);
                    }
                    if (out16 != 0) {
                        out16[k] = (int16_t)best;
                    } else {
                        out8[k] = (int8_t)best;
                    }
                    ++k;
                }
            }
        }
    }
    return LWAI_OK;
}

static int sum_params_ok(const lwai_reduce_params *p)
{
    return p->multiplier >= 0 && p->shift >= -31 && p->shift <= 31;
}

lwai_status lwai_reduce_sum_s8(const lwai_reduce_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    if (!reduce_args_ok(params, input_dims, input, output_dims, output) ||
        !sum_params_ok(params)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return reduce_run(params, input_dims, input, 0, output, 0, REDUCE_SUM);
}

lwai_status lwai_reduce_sum_s16(const lwai_reduce_params *params, const lwai_dims *input_dims,
                                const int16_t *input, const lwai_dims *output_dims,
                                int16_t *output)
{
    if (!reduce_args_ok(params, input_dims, input, output_dims, output) ||
        !sum_params_ok(params)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return reduce_run(params, input_dims, 0, input, 0, output, REDUCE_SUM);
}

lwai_status lwai_reduce_max_s8(const lwai_reduce_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    if (!reduce_args_ok(params, input_dims, input, output_dims, output)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return reduce_run(params, input_dims, input, 0, output, 0, REDUCE_MAX);
}

lwai_status lwai_reduce_min_s8(const lwai_reduce_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    if (!reduce_args_ok(params, input_dims, input, output_dims, output)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return reduce_run(params, input_dims, input, 0, output, 0, REDUCE_MIN);
}
