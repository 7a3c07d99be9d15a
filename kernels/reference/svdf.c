/*
 * SVDF reference kernels (TFLite SVDF: a rank-r separable filter over time with state).
 *
 * state [batch, num_filters * memory] keeps, per filter, the last `memory` feature
 * activations, oldest first. Each call: shift the whole state left by one element, write
 * the new feature activations (weights_feature x input) into each filter's last slot, then
 * output[b, u] = bias[u] + sum over the rank filters f of u of weights_time[f] . state[b, f].
 *
 * Integer arithmetic is TFLite Micro's EvalIntegerSvdfReference: the feature dot product
 * is rescaled (multiplier1/shift1) and clamped to the state dtype, then stored as
 * zero point + value in the state dtype (for int8 state this may wrap, as TFLM's implicit
 * conversion does); the time dot products and their sum run in int32 (wrapping like TFLM's
 * in practice: we add in uint32, no UB), rescaled by multiplier2/shift2 to int8. TFLM's
 * integer path applies no fused activation; the float path clamps to act_min_f/act_max_f.
 * No scratch is needed: each unit's sum is formed in a register (integer addition modulo
 * 2^32 is associative, so the result equals TFLM's scratch-buffer order).
 */
#include <string.h>

#include "lwai_fixedpoint.h"

/* The shapes agree: input [B, I], weights_feature [F, I], weights_time [F, M],
 * state [B, F*M], output [B, F / rank]; bias (when bias_dims is not NULL) [F / rank]. */
lwai_status lwai_svdf_check(const lwai_svdf_params *p, const lwai_dims *in, const lwai_dims *wf,
                            const lwai_dims *wt, const lwai_dims *bias_dims,
                            const lwai_dims *state, const lwai_dims *out)
{
    int64_t batch, filters, memory, units;
    if (p == 0 || !lwai_dims_valid(in) || !lwai_dims_valid(wf) || !lwai_dims_valid(wt) ||
        !lwai_dims_valid(state) || !lwai_dims_valid(out) || p->rank < 1) {
        return LWAI_ERR_INVALID_ARG;
    }
    batch = (int64_t)in->n * in->h * in->w;
    filters = (int64_t)wf->n * wf->h * wf->w;
    memory = wt->c;
    if (batch < 1 || in->c < 1 || filters < 1 || memory < 1 || wf->c != in->c ||
        (int64_t)wt->n * wt->h * wt->w != filters || filters % p->rank != 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    units = filters / p->rank;
    if (batch * filters * memory > INT32_MAX / 4 ||
        lwai_dims_count(state) != batch * filters * memory ||
        lwai_dims_count(out) != batch * units ||
        (bias_dims != 0 && (!lwai_dims_valid(bias_dims) || lwai_dims_count(bias_dims) != units))) {
        return LWAI_ERR_INVALID_ARG;
    }
    return LWAI_OK;
}

static int svdf_shapes_ok(const lwai_svdf_params *p, const lwai_dims *in, const lwai_dims *wf,
                          const lwai_dims *wt, const lwai_dims *bias_dims, const void *bias,
                          const lwai_dims *state, const lwai_dims *out)
{
    if (bias != 0 && bias_dims == 0) {
        return 0;
    }
    return lwai_svdf_check(p, in, wf, wt, bias != 0 ? bias_dims : 0, state, out) == LWAI_OK;
}

int32_t lwai_svdf_s8_get_state_size(const lwai_dims *input_dims,
                                    const lwai_dims *weights_feature_dims,
                                    const lwai_dims *weights_time_dims)
{
    return input_dims->n * input_dims->h * input_dims->w * weights_feature_dims->n *
           weights_feature_dims->h * weights_feature_dims->w * weights_time_dims->c *
           (int32_t)sizeof(int16_t);
}

int32_t lwai_svdf_state8_s8_get_state_size(const lwai_dims *input_dims,
                                           const lwai_dims *weights_feature_dims,
                                           const lwai_dims *weights_time_dims)
{
    return input_dims->n * input_dims->h * input_dims->w * weights_feature_dims->n *
           weights_feature_dims->h * weights_feature_dims->w * weights_time_dims->c *
           (int32_t)sizeof(int8_t);
}

int32_t lwai_svdf_f32_get_state_size(const lwai_dims *input_dims,
                                     const lwai_dims *weights_feature_dims,
                                     const lwai_dims *weights_time_dims)
{
    return input_dims->n * input_dims->h * input_dims->w * weights_feature_dims->n *
           weights_feature_dims->h * weights_feature_dims->w * weights_time_dims->c *
           (int32_t)sizeof(float);
}

/* Feature activations: the rescaled, clamped dot product of one filter with one input row
 * (smin/smax: the state dtype's range), before the state zero point is added. */
static int32_t feature(const lwai_svdf_params *p, const int8_t *w, const int8_t *x, int32_t depth,
                       int32_t smin, int32_t smax)
{
    uint32_t acc = 0u;
    int32_t d;
    for (d = 0; d < depth; ++d) {
        acc += (uint32_t)((int32_t)w[d] * ((int32_t)x[d] + p->input_offset));
    }
    return lwai_clamp_i32(lwai_mul_by_quantized_multiplier((int32_t)acc, p->multiplier1, p->shift1),
                          smin, smax);
}

/* Bias plus the rank filters' time dot products of unit u, rescaled to int8. Sums wrap in
 * uint32 as TFLM's int32 sums do in practice (integer addition mod 2^32 is associative, so
 * the order differing from TFLM's scratch buffers changes nothing). */
static int8_t unit_output(const lwai_svdf_params *p, uint32_t sum)
{
    const int32_t v = lwai_mul_by_quantized_multiplier((int32_t)sum, p->multiplier2, p->shift2);
    return (int8_t)lwai_offset_clamp_i32(v, p->output_offset, LWAI_INT8_MIN, LWAI_INT8_MAX);
}

static void svdf_s16(const lwai_svdf_params *p, int32_t batch, int32_t depth, int32_t filters,
                     int32_t memory, const int8_t *input, const int8_t *wf, const int16_t *wt,
                     const int32_t *bias, int16_t *state, int8_t *output)
{
    const int32_t units = filters / p->rank;
    const int32_t zp = p->state_zero_point;
    int32_t b, f, u, r, m;
    /* Shift the whole state left by one element, as TFLM does (each filter's last slot is
     * overwritten below). */
    memmove(state, state + 1, ((size_t)batch * filters * memory - 1u) * sizeof *state);
    for (b = 0; b < batch; ++b) {
        for (f = 0; f < filters; ++f) {
            const int32_t v = feature(p, wf + f * depth, input + b * depth, depth,
                                      LWAI_INT16_MIN, LWAI_INT16_MAX) + zp;
            /* Stored with wrap-around, as TFLM's implicit narrowing does. */
            state[(b * filters + f) * memory + memory - 1] =
                (int16_t)(((v - LWAI_INT16_MIN) & 0xffff) + LWAI_INT16_MIN);
        }
    }
    for (b = 0; b < batch; ++b) {
        for (u = 0; u < units; ++u) {
            uint32_t sum = bias != 0 ? (uint32_t)bias[u] : 0u;
            for (r = 0; r < p->rank; ++r) {
                const int16_t *w = wt + (u * p->rank + r) * memory;
                const int16_t *s = state + (b * filters + u * p->rank + r) * memory;
                for (m = 0; m < memory; ++m) {
                    sum += (uint32_t)w[m] * (uint32_t)((int32_t)s[m] - zp);
                }
            }
            output[b * units + u] = unit_output(p, sum);
        }
    }
}

static void svdf_s8state(const lwai_svdf_params *p, int32_t batch, int32_t depth,
                         int32_t filters, int32_t memory, const int8_t *input, const int8_t *wf,
                         const int8_t *wt, const int32_t *bias, int8_t *state, int8_t *output)
{
    const int32_t units = filters / p->rank;
    const int32_t zp = p->state_zero_point;
    int32_t b, f, u, r, m;
    memmove(state, state + 1, ((size_t)batch * filters * memory - 1u) * sizeof *state);
    for (b = 0; b < batch; ++b) {
        for (f = 0; f < filters; ++f) {
            const int32_t v = feature(p, wf + f * depth, input + b * depth, depth, LWAI_INT8_MIN,
                                      LWAI_INT8_MAX) + zp;
            /* zero point + a value clamped to int8 may leave int8 (zp != 0): TFLM's implicit
             * narrowing wraps it, and so do we. */
            state[(b * filters + f) * memory + memory - 1] =
                (int8_t)(((v - LWAI_INT8_MIN) & 0xff) + LWAI_INT8_MIN);
        }
    }
    for (b = 0; b < batch; ++b) {
        for (u = 0; u < units; ++u) {
            uint32_t sum = bias != 0 ? (uint32_t)bias[u] : 0u;
            for (r = 0; r < p->rank; ++r) {
                const int8_t *w = wt + (u * p->rank + r) * memory;
                const int8_t *s = state + (b * filters + u * p->rank + r) * memory;
                for (m = 0; m < memory; ++m) {
                    sum += (uint32_t)w[m] * (uint32_t)((int32_t)s[m] - zp);
                }
            }
            output[b * units + u] = unit_output(p, sum);
        }
    }
}

static int int_params_ok(const lwai_svdf_params *p)
{
    return p->input_offset >= -128 && p->input_offset <= 128 && p->output_offset >= -128 &&
           p->output_offset <= 127 && p->multiplier1 >= 0 && p->multiplier2 >= 0 &&
           p->shift1 >= -31 && p->shift1 <= 31 && p->shift2 >= -31 && p->shift2 <= 31;
}

lwai_status lwai_svdf_s8(const lwai_svdf_params *params, const lwai_dims *input_dims,
                         const int8_t *input, const lwai_dims *weights_feature_dims,
                         const int8_t *weights_feature, const lwai_dims *weights_time_dims,
                         const int16_t *weights_time, const lwai_dims *bias_dims,
                         const int32_t *bias, const lwai_dims *state_dims, int16_t *state,
                         const lwai_dims *output_dims, int8_t *output)
{
    if (params == 0 || input == 0 || weights_feature == 0 || weights_time == 0 || state == 0 ||
        output == 0 || !int_params_ok(params) || params->state_zero_point < LWAI_INT16_MIN ||
        params->state_zero_point > LWAI_INT16_MAX ||
        !svdf_shapes_ok(params, input_dims, weights_feature_dims, weights_time_dims, bias_dims,
                        bias, state_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    svdf_s16(params, lwai_dims_count(input_dims) / input_dims->c, input_dims->c,
             lwai_dims_count(weights_time_dims) / weights_time_dims->c, weights_time_dims->c,
             input, weights_feature, weights_time, bias, state, output);
    return LWAI_OK;
}

lwai_status lwai_svdf_state8_s8(const lwai_svdf_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *weights_feature_dims,
                                const int8_t *weights_feature, const lwai_dims *weights_time_dims,
                                const int8_t *weights_time, const lwai_dims *bias_dims,
                                const int32_t *bias, const lwai_dims *state_dims, int8_t *state,
                                const lwai_dims *output_dims, int8_t *output)
{
    if (params == 0 || input == 0 || weights_feature == 0 || weights_time == 0 || state == 0 ||
        output == 0 || !int_params_ok(params) || params->state_zero_point < -128 ||
        params->state_zero_point > 127 ||
        !svdf_shapes_ok(params, input_dims, weights_feature_dims, weights_time_dims, bias_dims,
                        bias, state_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    svdf_s8state(params, lwai_dims_count(input_dims) / input_dims->c, input_dims->c,
                 lwai_dims_count(weights_time_dims) / weights_time_dims->c, weights_time_dims->c,
                 input, weights_feature, weights_time, bias, state, output);
    return LWAI_OK;
}

lwai_status lwai_svdf_f32(const lwai_svdf_params *params, const lwai_dims *input_dims,
                          const float *input, const lwai_dims *weights_feature_dims,
                          const float *weights_feature, const lwai_dims *weights_time_dims,
                          const float *weights_time, const lwai_dims *bias_dims, const float *bias,
                          const lwai_dims *state_dims, float *state, const lwai_dims *output_dims,
                          float *output)
{
    int32_t batch, depth, filters, memory, units, total, b, f, u, r, m, d;
    if (params == 0 || input == 0 || weights_feature == 0 || weights_time == 0 || state == 0 ||
        output == 0 ||
        !svdf_shapes_ok(params, input_dims, weights_feature_dims, weights_time_dims, bias_dims,
                        bias, state_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = input_dims->c;
    batch = lwai_dims_count(input_dims) / depth;
    memory = weights_time_dims->c;
    filters = lwai_dims_count(weights_time_dims) / memory;
    units = filters / params->rank;
    total = batch * filters * memory;
    memmove(state, state + 1, ((size_t)total - 1u) * sizeof *state);
    for (b = 0; b < batch; ++b) {
        for (f = 0; f < filters; ++f) {
            float acc = 0.0f;
            for (d = 0; d < depth; ++d) {
                acc += weights_feature[f * depth + d] * input[b * depth + d];
            }
            state[(b * filters + f) * memory + memory - 1] = acc;
        }
    }
    /* Same operation order as TFLM: per filter dot product, then bias + the rank sums. */
    for (b = 0; b < batch; ++b) {
        for (u = 0; u < units; ++u) {
            float sum = bias != 0 ? bias[u] : 0.0f;
            for (r = 0; r < params->rank; ++r) {
                const int32_t fi = u * params->rank + r;
                float dot = 0.0f;
                for (m = 0; m < memory; ++m) {
                    dot += weights_time[fi * memory + m] * state[(b * filters + fi) * memory + m];
                }
                sum += dot;
            }
            output[b * units + u] = lwai_clamp_f32(sum, params->act_min_f, params->act_max_f);
        }
    }
    return LWAI_OK;
}
