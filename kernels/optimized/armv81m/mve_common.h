/*
 * Private helpers of the Cortex-M55 (Armv8.1-M, Helium/MVE) kernels: requantization that
 * is bit-exact with lwai_mul_by_quantized_multiplier (reference/lwai_fixedpoint.h), a
 * 4-row int8 dot-product kernel with tail predication, and byte copy/fill loops.
 *
 * Bit-exactness of the requantization, per step of TFLite's double rounding:
 *  - left shift: VSHL wraps like the reference's unsigned shift;
 *  - SaturatingRoundingDoublingHighMul == VQRDMULH: both are floor((a*b + 2^30) / 2^31)
 *    (gemmlowp's negative nudge 1 - 2^30 with truncating division gives the same value),
 *    saturating INT32_MIN * INT32_MIN to INT32_MAX;
 *  - RoundingDivideByPOT rounds half away from zero, VRSHL half up: subtracting 1 from
 *    negative values first (saturating; INT32_MIN has no fraction bits to lose) turns one
 *    into the other.
 * The output offset is added with saturation before the clamp, which equals the
 * reference's clamp-then-offset for any int32 value while act_min <= act_max (the kernels
 * hand the other, invalid, case to the reference).
 */
#ifndef LWAI_MVE_COMMON_H
#define LWAI_MVE_COMMON_H

#include <arm_mve.h>
#include <stdint.h>

#include "../../reference/lwai_fixedpoint.h"

/* Per output channel constants of conv/FC, planned in ctx->buf (16 bytes a channel). */
typedef struct {
    int32_t kc;    /* bias + input_offset * sum(weights): the accumulator's start */
    int32_t mult;  /* Q0.31 multiplier */
    int32_t left;  /* left shift, >= 0 */
    int32_t right; /* rounding right shift as a negative count, <= 0 */
} lwai_mve_chan;

/* Requantize 4 accumulators sharing one multiplier and shift (given split as left >= 0,
 * right <= 0). */
static inline int32x4_t lwai_mve_requant_n(int32x4_t acc, int32_t mult, int32_t left,
                                           int32_t right)
{
    acc = vshlq_r_s32(acc, left);
    acc = vqrdmulhq_n_s32(acc, mult);
    if (right != 0) {
        acc = vqaddq_s32(acc, vshrq_n_s32(acc, 31));
        acc = vrshlq_n_s32(acc, right);
    }
    return acc;
}

/* Requantize 4 accumulators with one multiplier and shift a lane (shift as in the quant
 * arrays: > 0 left). */
static inline int32x4_t lwai_mve_requant_v(int32x4_t acc, int32x4_t mult, int32x4_t shift)
{
    const int32x4_t zero = vdupq_n_s32(0);
    const int32x4_t right = vminq_s32(shift, zero);
    acc = vshlq_s32(acc, vmaxq_s32(shift, zero));
    acc = vqrdmulhq_s32(acc, mult);
    /* -1 on lanes that are negative and shift right (sign bit of acc & right). */
    acc = vqaddq_s32(acc, vshrq_n_s32(vandq_s32(acc, right), 31));
    return vrshlq_s32(acc, right);
}

/* Requantize 4 accumulators with per-lane multiplier and shift already split into
 * left >= 0 and right <= 0 (planned once per call). */
static inline int32x4_t lwai_mve_requant_lr(int32x4_t acc, int32x4_t mult, int32x4_t left,
                                            int32x4_t right)
{
    acc = vshlq_s32(acc, left);
    acc = vqrdmulhq_s32(acc, mult);
    acc = vqaddq_s32(acc, vshrq_n_s32(vandq_s32(acc, right), 31));
    return vrshlq_s32(acc, right);
}

/* Output offset and activation clamp (bounds already broadcast). */
static inline int32x4_t lwai_mve_offset_clamp(int32x4_t v, int32_t offset, int32x4_t lo,
                                              int32x4_t hi)
{
    return vminq_s32(vmaxq_s32(vqaddq_n_s32(v, offset), lo), hi);
}

/* init + {dot(r0, col), dot(r1, col), dot(r2, col), dot(r3, col)} over k int8 values
 * (k >= 0): a tail-predicated loop (WLSTP/LETP) of 5 loads and 4 VMLADAVA per 16 values,
 * 64 MACs in 10 instructions; the last partial block loads only k % 16 lanes. COL and
 * R0..R3 (lvalues) are moved back to where they started, 5 SUBs that spare a caller
 * looping over output channels 5 registers of copies. The 4 sums become
 * one vector with 2 two-lane VMOVs.
 * The asm reads memory GCC does not see it read: callers must not write the rows or the
 * column in C right before it (im2col happens in a separate, not inlined, call). */
#define LWAI_MVE_DOT4_S8(OUT, COL, R0, R1, R2, R3, K, INIT)                                    \
    do {                                                                                        \
        int32_t a0_ = (INIT), a1_ = a0_, a2_ = a0_, a3_ = a0_;                                 \
        __asm__ volatile("   wlstp.8  lr, %[k], 1f\n"                                          \
                         "2: vldrb.8  q0, [%[c]], #16\n"                                        \
                         "   vldrb.8  q1, [%[r0]], #16\n"                                       \
                         "   vmladava.s8 %[a0], q1, q0\n"                                       \
                         "   vldrb.8  q2, [%[r1]], #16\n"                                       \
                         "   vmladava.s8 %[a1], q2, q0\n"                                       \
                         "   vldrb.8  q1, [%[r2]], #16\n"                                       \
                         "   vmladava.s8 %[a2], q1, q0\n"                                       \
                         "   vldrb.8  q2, [%[r3]], #16\n"                                       \
                         "   vmladava.s8 %[a3], q2, q0\n"                                       \
                         "   letp     lr, 2b\n"                                                 \
                         "   add      lr, %[k], #15\n"                                          \
                         "   bic      lr, lr, #15\n"                                            \
                         "   sub      %[c], %[c], lr\n"                                         \
                         "   sub      %[r0], %[r0], lr\n"                                       \
                         "   sub      %[r1], %[r1], lr\n"                                       \
                         "   sub      %[r2], %[r2], lr\n"                                       \
                         "   sub      %[r3], %[r3], lr\n"                                       \
                         "1: vmov     %q[o][2], %q[o][0], %[a0], %[a2]\n"                       \
                         "   vmov     %q[o][3], %q[o][1], %[a1], %[a3]\n"                       \
                         : [a0] "+Te"(a0_), [a1] "+Te"(a1_), [a2] "+Te"(a2_), [a3] "+Te"(a3_), \
                           [c] "+r"(COL), [r0] "+r"(R0), [r1] "+r"(R1), [r2] "+r"(R2),         \
                           [r3] "+r"(R3), [o] "=w"(OUT)                                         \
                         : [k] "r"(K)                                                           \
                         : "q0", "q1", "q2", "lr");                                            \
    } while (0)

/* sum(v[0..k)) of int8 values. */
static inline int32_t lwai_mve_sum_s8(const int8_t *v, int32_t k)
{
    int32_t acc = 0;
    __asm__ volatile("   wlstp.8  lr, %[k], 1f\n"
                     "2: vldrb.8  q0, [%[v]], #16\n"
                     "   vaddva.s8 %[acc], q0\n"
                     "   letp     lr, 2b\n"
                     "1:\n"
                     : [acc] "+Te"(acc), [v] "+r"(v)
                     : [k] "r"(k)
                     : "q0", "lr", "memory");
    return acc;
}

/* memcpy / memset of n bytes (newlib-nano's are byte loops): 16 bytes a step, the last
 * partial step predicated. Intrinsics rather than a WLSTP loop in asm, so that GCC knows
 * exactly which memory changes and keeps the caller's values in registers. */
static inline void lwai_mve_copy(int8_t *dst, const int8_t *src, int32_t n)
{
    for (; n >= 16; n -= 16, dst += 16, src += 16) {
        vst1q_s8(dst, vld1q_s8(src));
    }
    if (n > 0) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, p), p);
    }
}

static inline void lwai_mve_fill(int8_t *dst, int8_t value, int32_t n)
{
    const int8x16_t v = vdupq_n_s8(value);
    for (; n >= 16; n -= 16, dst += 16) {
        vst1q_s8(dst, v);
    }
    if (n > 0) {
        vstrbq_p_s8(dst, v, vctp8q((uint32_t)n));
    }
}

/* One filter row of an im2col patch, dilation 1: taps ix0 .. ix0 + taps - 1 of an input
 * row of `width` pixels of cin bytes (src = the row's pixel 0), out-of-row taps set to pad
 * (the input zero point, so they add 0 once input_offset * sum(weights) is folded in). */
static inline void lwai_mve_patch_row(int8_t *dst, const int8_t *src, int32_t ix0, int32_t taps,
                                      int32_t width, int32_t cin, int8_t pad)
{
    const int32_t k0 = lwai_clamp_i32(-ix0, 0, taps);
    const int32_t k1 = lwai_clamp_i32(width - ix0, k0, taps);
    lwai_mve_fill(dst, pad, k0 * cin);
    if (k1 > k0) {
        lwai_mve_copy(dst + k0 * cin, src + (ix0 + k0) * cin, (k1 - k0) * cin);
    }
    lwai_mve_fill(dst + k1 * cin, pad, (taps - k1) * cin);
}

/* Per-channel constants for a GEMM-shaped kernel: weights [cout][k], channel quant with
 * count 1 or cout. */
static inline void lwai_mve_prepare_channels(lwai_mve_chan *ch, const int8_t *weights,
                                             int32_t cout, int32_t k, int32_t input_offset,
                                             const int32_t *bias,
                                             const lwai_channel_quant *quant)
{
    int32_t oc;
    for (oc = 0; oc < cout; ++oc) {
        const int32_t q = quant->count == 1 ? 0 : oc;
        const int32_t shift = quant->shift[q];
        /* Wrapping arithmetic, as the reference's int32 accumulator. */
        ch[oc].kc = (int32_t)((uint32_t)(bias != 0 ? bias[oc] : 0) +
                              (uint32_t)input_offset *
                                  (uint32_t)lwai_mve_sum_s8(weights + oc * k, k));
        ch[oc].mult = quant->multiplier[q];
        ch[oc].left = shift > 0 ? shift : 0;
        ch[oc].right = shift > 0 ? 0 : shift;
    }
}

#endif /* LWAI_MVE_COMMON_H */
