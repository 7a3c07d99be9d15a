/* Private to the CMSIS-NN adapters: lwai structs -> CMSIS-NN structs, scratch layout and
 * the shape checks the adapters make before handing a call to CMSIS-NN.
 *
 * Scratch layout of one call (ctx->buf is 16-byte aligned, lwai_context's contract):
 *   [0, A)          what CMSIS-NN's own *_get_buffer_size asked for, A = that rounded up to 16
 *   [A, A + E)      the adapter's extras (per-tensor quant expanded to per-channel, zero
 *                   bias for grouped convs)
 * lwai/backends/cmsis_nn.py reproduces these sizes in Python. */
#ifndef LWAI_CMSIS_NN_COMMON_H
#define LWAI_CMSIS_NN_COMMON_H

#include <stdint.h>

#include "arm_nnfunctions.h"
#include "lwai/kernels_cmsis_nn.h"

/* CMSIS-NN keeps several sizes in uint16_t (arm_convolve_s8's im2col loop) and int16 sums
 * of them: every size, stride and dilation must be in [1, 32768] and every pad in
 * [0, 32767], else the reference kernel runs. Checked with one OR chain of (size - 1) and
 * pad values against 2^15 (a negative value sets the high bits), since it runs on every
 * call: ~2 instructions a value. */
#define LWAI_CMSIS_LIMIT_BITS 15

static inline int32_t lwai_cmsis_align16(int32_t n)
{
    return (n + 15) & ~15;
}

static inline int lwai_cmsis_limits_ok(uint32_t ored)
{
    return (ored >> LWAI_CMSIS_LIMIT_BITS) == 0u;
}

/* The OR-chain term of one lwai_dims' h, w, c. */
static inline uint32_t lwai_cmsis_dims_bits(const lwai_dims *d)
{
    return (uint32_t)(d->h - 1) | (uint32_t)(d->w - 1) | (uint32_t)(d->c - 1);
}

/* No negative size (elementwise ops: an empty tensor is a no-op for CMSIS-NN too). */
static inline int lwai_cmsis_dims_ok(const lwai_dims *d)
{
    return d != 0 && (d->n | d->h | d->w | d->c) >= 0;
}

static inline cmsis_nn_dims lwai_cmsis_dims(const lwai_dims *d)
{
    cmsis_nn_dims r;
    r.n = d->n;
    r.h = d->h;
    r.w = d->w;
    r.c = d->c;
    return r;
}

static inline int32_t lwai_cmsis_count(const lwai_dims *d)
{
    return d->n * d->h * d->w * d->c;
}

static inline int lwai_cmsis_same_dims(const lwai_dims *a, const lwai_dims *b)
{
    return a->n == b->n && a->h == b->h && a->w == b->w && a->c == b->c;
}

/* Per-channel multipliers and shifts for `count` output channels: the caller's arrays when
 * quant is per channel, else quant's single pair copied into `scratch` (8 * count bytes,
 * int32-aligned), since CMSIS-NN's conv kernels only take per-channel arrays. */
static inline cmsis_nn_per_channel_quant_params lwai_cmsis_per_channel(
    const lwai_channel_quant *quant, int32_t count, int32_t *scratch)
{
    cmsis_nn_per_channel_quant_params q;
    if (quant->count == count) {
        /* CMSIS-NN declares these non-const but only reads them. */
        q.multiplier = (int32_t *)(uintptr_t)quant->multiplier;
        q.shift = (int32_t *)(uintptr_t)quant->shift;
    } else {
        int32_t i;
        for (i = 0; i < count; ++i) {
            scratch[i] = quant->multiplier[0];
            scratch[count + i] = quant->shift[0];
        }
        q.multiplier = scratch;
        q.shift = scratch + count;
    }
    return q;
}

static inline lwai_status lwai_cmsis_status(arm_cmsis_nn_status st)
{
    return st == ARM_CMSIS_NN_SUCCESS ? LWAI_OK : LWAI_ERR_INVALID_ARG;
}

/* Pooling: shapes arm_avgpool_s8 / arm_max_pool_s8 compute like the reference. Both size
 * their loops from the output dims and skip padded taps, but a window entirely in the
 * padding (possible only with pad >= filter or an output larger than the input allows)
 * makes arm_avgpool_s8 fail and leaves arm_max_pool_s8's output unwritten: those go to the
 * reference, which defines them. */
static inline int lwai_cmsis_pool_supported(const lwai_pool2d_params *p, const lwai_dims *in,
                                            const lwai_dims *out)
{
    if (p == 0 || in == 0 || out == 0 || in->n < 1 || in->n != out->n || in->c != out->c) {
        return 0;
    }
    if (!lwai_cmsis_limits_ok(lwai_cmsis_dims_bits(in) | lwai_cmsis_dims_bits(out) |
                              (uint32_t)(p->stride_h - 1) | (uint32_t)(p->stride_w - 1) |
                              (uint32_t)(p->filter_h - 1) | (uint32_t)(p->filter_w - 1) |
                              (uint32_t)p->pad_top | (uint32_t)p->pad_left)) {
        return 0;
    }
    return p->pad_top < p->filter_h && p->pad_left < p->filter_w &&
           (out->h - 1) * p->stride_h - p->pad_top < in->h &&
           (out->w - 1) * p->stride_w - p->pad_left < in->w;
}

static inline cmsis_nn_pool_params lwai_cmsis_pool_params(const lwai_pool2d_params *p)
{
    cmsis_nn_pool_params c;
    c.stride.h = p->stride_h;
    c.stride.w = p->stride_w;
    c.padding.h = p->pad_top;
    c.padding.w = p->pad_left;
    c.activation.min = p->act_min;
    c.activation.max = p->act_max;
    return c;
}

static inline cmsis_nn_dims lwai_cmsis_pool_filter(const lwai_pool2d_params *p)
{
    cmsis_nn_dims f;
    f.n = 1;
    f.h = p->filter_h;
    f.w = p->filter_w;
    f.c = 1;
    return f;
}

/* ---- 16x8 (int16 activations) --------------------------------------------------------- */

/* act_min/act_max of an int16 kernel: in the int16 range and ordered (else the reference
 * runs, which refuses them). */
static inline int lwai_cmsis_act16_ok(int32_t lo, int32_t hi)
{
    return lo >= -32768 && hi <= 32767 && lo <= hi;
}

/* Largest |input x weight| of a 16x8 product: 2^15 * 2^7. */
#define LWAI_CMSIS_S16_PRODUCT_BITS 22

/* arm_convolve_s16 on Armv7E-M sums the int16 x int8 products of its leftover output
 * column in int32 (TFLM's reference in int64): exact while a sum has at most 511 products
 * (511 * 2^22 < 2^31). */
#define LWAI_CMSIS_S16_MAX_TAPS 511

/* True when CMSIS-NN's 64-bit rescale (arm_nn_requantize_s64) gives TFLM's result for every
 * channel, and every multiplier and shift is one the reference takes (>= 0, [-31, 7]).
 * arm_nn_requantize_s64 truncates (acc * m16) >> (14 - shift) to int32 before its last
 * rounding shift, TFLM truncates after it: they agree while |acc| * m16 <= 2^(44 - shift)
 * (the first shift then stays below 2^30). |acc| <= |bias| + sum_bound; m16 is the
 * multiplier rounded to 16 bits as both do. One pass over the channels (~15 instructions
 * each on Cortex-M4): biases near 2^40 or shifts near 7 go to the reference. acc32 (int32
 * bias: 32-bit rescale on both sides) only checks the ranges. */
static inline int lwai_cmsis_s16_requant_ok(const lwai_channel_quant *q, int32_t channels,
                                            const int64_t *bias, int64_t sum_bound, int32_t acc32)
{
    int32_t c;
    if (q == 0 || q->multiplier == 0 || q->shift == 0 || (q->count != 1 && q->count != channels)) {
        return 0;
    }
    for (c = 0; c < channels; ++c) {
        const int32_t k = q->count == 1 ? 0 : c;
        const int32_t m = q->multiplier[k];
        const int32_t s = q->shift[k];
        int64_t b, m16;
        int32_t lim;
        if (m < 0 || s < -31 || s > 7) {
            return 0;
        }
        if (acc32) {
            continue;
        }
        b = bias != 0 ? bias[c] : 0;
        b = b < 0 ? -b : b;
        if (b > ((int64_t)1 << 46)) { /* also keeps the product below 2^63 */
            return 0;
        }
        m16 = m < 0x7FFF0000 ? (m + (1 << 15)) >> 16 : 0x7FFF;
        lim = 44 - s > 62 ? 62 : 44 - s;
        if ((b + sum_bound) * m16 > ((int64_t)1 << lim)) {
            return 0;
        }
    }
    return 1;
}

/* Pooling on int16: lwai_cmsis_pool_supported's rules, and a window of at most 65535 taps
 * (arm_avgpool_s16 sums with saturating QADD on Armv7E-M; TFLM's int32 sum wraps, and
 * 65535 * 2^15 < 2^31 keeps both exact). */
static inline int lwai_cmsis_pool16_supported(const lwai_pool2d_s16_params *p, const lwai_dims *in,
                                              const lwai_dims *out)
{
    lwai_pool2d_params g;
    if (p == 0 || !lwai_cmsis_act16_ok(p->act_min, p->act_max)) {
        return 0;
    }
    g.stride_h = p->stride_h;
    g.stride_w = p->stride_w;
    g.filter_h = p->filter_h;
    g.filter_w = p->filter_w;
    g.pad_top = p->pad_top;
    g.pad_left = p->pad_left;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    g.act_min_f = 0.0f;
    g.act_max_f = 0.0f;
    return lwai_cmsis_pool_supported(&g, in, out) &&
           (int64_t)p->filter_h * p->filter_w <= 65535;
}

static inline cmsis_nn_pool_params lwai_cmsis_pool16_params(const lwai_pool2d_s16_params *p)
{
    cmsis_nn_pool_params c;
    c.stride.h = p->stride_h;
    c.stride.w = p->stride_w;
    c.padding.h = p->pad_top;
    c.padding.w = p->pad_left;
    c.activation.min = p->act_min;
    c.activation.max = p->act_max;
    return c;
}

#endif /* LWAI_CMSIS_NN_COMMON_H */
