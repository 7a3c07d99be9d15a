/*
 * Private helpers of the Armv7E-M kernels: DSP-extension intrinsics with portable
 * fallbacks (so the files also build, slowly, for a core without the extension), the
 * requantization every int8 kernel ends with, and argument checks shared with the
 * reference kernels' meaning.
 *
 * The q15 lane order: __sxtb16(w) gives bytes 0 and 2 of a word, __sxtb16(ror(w, 8))
 * bytes 1 and 3. Both operands of every SMLAD are split the same way, so a 4-byte dot
 * product is SMLAD(lo_x, lo_w) + SMLAD(hi_x, hi_w) whatever the order.
 */
#ifndef LWAI_OPT_COMMON_H
#define LWAI_OPT_COMMON_H

#include <stdint.h>
#include <string.h>

#include "../../reference/lwai_fixedpoint.h"
#include "lwai/kernels_optimized.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define LWAI_OPT_DSP 1
#else
#define LWAI_OPT_DSP 0
#endif

/* Unaligned 32-bit load (one LDR on Armv7E-M; GCC turns the memcpy into it). */
static inline uint32_t lwai_opt_read_u32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void lwai_opt_write_u32(int16_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

#if LWAI_OPT_DSP
/* Lanes (bytes 0, 2) and (bytes 1, 3) of v, sign-extended to 16 bits. */
static inline uint32_t lwai_opt_lo(uint32_t v)
{
    return (uint32_t)__sxtb16((int32_t)v);
}
static inline uint32_t lwai_opt_hi(uint32_t v)
{
    /* GCC does not fold the rotation into SXTB16's operand; one instruction instead of two */
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
/* Same with off16x2 (both halves the input offset) added to each lane. */
static inline uint32_t lwai_opt_lo_off(uint32_t v, uint32_t off16x2)
{
    return (uint32_t)__sxtab16((int32_t)off16x2, (int32_t)v);
}
static inline uint32_t lwai_opt_hi_off(uint32_t v, uint32_t off16x2)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(off16x2), "r"(v));
    return r;
}
static inline int32_t lwai_opt_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlad((int32_t)a, (int32_t)b, acc);
}
static inline int32_t lwai_opt_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlabb((int32_t)a, (int32_t)b, acc);
}
static inline int32_t lwai_opt_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlatt((int32_t)a, (int32_t)b, acc);
}
#else
static inline uint32_t lwai_opt_pack(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
}
static inline int32_t lwai_opt_b(uint32_t v, int k)
{
    return (int32_t)(int8_t)(uint8_t)(v >> (8 * k));
}
static inline uint32_t lwai_opt_lo(uint32_t v)
{
    return lwai_opt_pack(lwai_opt_b(v, 0), lwai_opt_b(v, 2));
}
static inline uint32_t lwai_opt_hi(uint32_t v)
{
    return lwai_opt_pack(lwai_opt_b(v, 1), lwai_opt_b(v, 3));
}
static inline uint32_t lwai_opt_lo_off(uint32_t v, uint32_t off16x2)
{
    const int32_t o = (int32_t)(int16_t)(off16x2 & 0xFFFFu);
    return lwai_opt_pack(lwai_opt_b(v, 0) + o, lwai_opt_b(v, 2) + o);
}
static inline uint32_t lwai_opt_hi_off(uint32_t v, uint32_t off16x2)
{
    const int32_t o = (int32_t)(int16_t)(off16x2 & 0xFFFFu);
    return lwai_opt_pack(lwai_opt_b(v, 1) + o, lwai_opt_b(v, 3) + o);
}
static inline int32_t lwai_opt_h(uint32_t v, int top)
{
    return (int32_t)(int16_t)(uint16_t)(top ? v >> 16 : v);
}
static inline int32_t lwai_opt_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(lwai_opt_h(a, 0) * lwai_opt_h(b, 0)) +
                     (uint32_t)(lwai_opt_h(a, 1) * lwai_opt_h(b, 1)));
}
static inline int32_t lwai_opt_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(lwai_opt_h(a, 0) * lwai_opt_h(b, 0)));
}
static inline int32_t lwai_opt_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(lwai_opt_h(a, 1) * lwai_opt_h(b, 1)));
}
#endif

/* lo, hi = the two words at byte offset OFF (a literal, multiple of 4, < 1024) from the
 * word-aligned pointer BASE: one LDRD (GCC splits 64-bit loads into two LDRs here). The
 * memory clobber orders it after the stores that filled the buffer; instruction order is
 * free otherwise (an in-order core, and QEMU counts instructions, not cycles). */
#if LWAI_OPT_DSP
#define LWAI_OPT_LDRD(lo, hi, base, off)                                                      \
    __asm__("ldrd %0, %1, [%2, #" #off "]" : "=r"(lo), "=r"(hi) : "r"(base) : "memory")
#else
#define LWAI_OPT_LDRD(lo, hi, base, off)                                                      \
    do {                                                                                      \
        (lo) = (base)[(off) / 4];                                                             \
        (hi) = (base)[(off) / 4 + 1];                                                         \
    } while (0)
#endif

/* Both 16-bit halves set to v (an input offset, |v| <= 128). */
static inline uint32_t lwai_opt_dup16(int32_t v)
{
    return ((uint32_t)v & 0xFFFFu) * 0x10001u;
}

/* One output channel's requantization, split once per channel so the per-output work is
 * a multiply-accumulate and a rounding shift. */
typedef struct {
    int32_t multiplier;
    int32_t left;  /* left shift before the multiply, >= 0 */
    int32_t right; /* rounding right shift after it, [0, 31] */
} lwai_opt_rq;

static inline lwai_opt_rq lwai_opt_rq_of(const lwai_channel_quant *q, int32_t oc)
{
    lwai_opt_rq r;
    const int32_t i = q->count == 1 ? 0 : oc;
    const int32_t s = q->shift[i];
    r.multiplier = q->multiplier[i];
    r.left = s > 0 ? s : 0;
    r.right = s > 0 ? 0 : -s;
    return r;
}

/* lwai_mul_by_quantized_multiplier, same result for every input. The rounding high
 * multiply is floor((a*b + 2^30) / 2^31), which equals the reference's sign-dependent
 * nudge with truncating division (for a*b < 0: trunc((p + 1 - 2^30) / 2^31) =
 * floor((p + 2^30) / 2^31)); INT32_MIN * INT32_MIN cannot occur since a multiplier is in
 * [0, 2^31). One SMLAL instead of a 64-bit division. */
static inline int32_t lwai_opt_high_mul(int32_t acc, lwai_opt_rq rq)
{
    const int32_t x = (int32_t)((uint32_t)acc << rq.left);
    const int64_t p = (int64_t)x * rq.multiplier + ((int64_t)1 << 30);
    return (int32_t)(p >> 31);
}

static inline int32_t lwai_opt_requant(int32_t acc, lwai_opt_rq rq)
{
    return lwai_rounding_divide_by_pot(lwai_opt_high_mul(acc, rq), rq.right);
}

/* Output clamp bounds with the offset folded in (see lwai_offset_clamp_i32). */
typedef struct {
    int32_t offset, lo, hi; /* lo = act_min - offset, hi = act_max - offset */
} lwai_opt_act;

static inline lwai_opt_act lwai_opt_act_of(int32_t offset, int32_t act_min, int32_t act_max)
{
    lwai_opt_act a;
    a.offset = offset;
    a.lo = act_min - offset;
    a.hi = act_max - offset;
    return a;
}

/* Requantize, clamp, add the output offset: one int8 output, bit-exact with the reference.
 * Rounding right shift by r in 1..23 as (sat(h + 2^(r-1)) - (h < 0)) >> r: 4 instructions
 * instead of 8. Equal to the reference's remainder/threshold form except where the
 * saturating add saturates (h > 2^31 - 2^(r-1)); the exact result there is 2^(31-r) and
 * this gives 2^(31-r) - 1, both >= 255 for r <= 23, so both clamp to hi (hi <= 255). */
static inline int8_t lwai_opt_out_act(int32_t acc, lwai_opt_rq rq, lwai_opt_act act)
{
    int32_t v = lwai_opt_high_mul(acc, rq);
    if ((uint32_t)(rq.right - 1) <= 22u) {
#if LWAI_OPT_DSP
        v = __qadd(v, (int32_t)(1u << (rq.right - 1))) + (v >> 31);
#else
        {
            const int64_t t = (int64_t)v + ((int64_t)1 << (rq.right - 1));
            v = (int32_t)(t > INT32_MAX ? INT32_MAX : t) + (v >> 31);
        }
#endif
        v >>= rq.right;
    } else if (rq.right != 0) {
        v = lwai_rounding_divide_by_pot(v, rq.right);
    }
    v = v < act.lo ? act.lo : v;
    v = v > act.hi ? act.hi : v;
    return (int8_t)(v + act.offset);
}

/* The common case, checked once per call: every shift in [-23, -1] (a right shift only,
 * as for every layer of the TFLite int8 models seen: multipliers < 0.5) and no clamp
 * beyond int8 (act_min -128, act_max 127). Then an output is SMLAL, the rounding shift
 * above, the offset and one SSAT: ~14 instructions instead of ~30. */
static inline int lwai_opt_quant_fast(const lwai_channel_quant *q, int32_t act_min,
                                      int32_t act_max)
{
    int32_t i;
    if (act_min != LWAI_INT8_MIN || act_max != LWAI_INT8_MAX) {
        return 0;
    }
    for (i = 0; i < q->count; ++i) {
        if (q->shift[i] > -1 || q->shift[i] < -23) {
            return 0;
        }
    }
    return 1;
}

/* One channel's constants for lwai_opt_out_fast. */
typedef struct {
    int32_t multiplier, right, half; /* half = 2^(right - 1) */
} lwai_opt_rqf;

static inline lwai_opt_rqf lwai_opt_rqf_of(const lwai_channel_quant *q, int32_t oc)
{
    lwai_opt_rqf r;
    const int32_t i = q->count == 1 ? 0 : oc;
    r.multiplier = q->multiplier[i];
    r.right = -q->shift[i];
    r.half = 1 << (r.right - 1);
    return r;
}

/* 1 when every accumulator of the call stays below 2^30 in magnitude: |bias| plus k terms
 * of at most 255 * 128 (an offset input times an int8 weight). Then 2 * acc fits int32. */
static inline int lwai_opt_acc_fits(const int32_t *bias, int32_t n, int32_t k)
{
    int64_t worst = 0;
    int32_t i;
    for (i = 0; bias != 0 && i < n; ++i) {
        const int64_t b = bias[i] < 0 ? -(int64_t)bias[i] : bias[i];
        worst = b > worst ? b : worst;
    }
    return worst + (int64_t)k * 255 * 128 < ((int64_t)1 << 30);
}

/* lwai_opt_out_act for a call where lwai_opt_quant_fast and lwai_opt_acc_fits hold.
 * SMMULR(2 * acc, m) = floor((2 acc m + 2^31) / 2^32) = floor((acc m + 2^30) / 2^31), the
 * rounding high multiply, in 2 instructions instead of 5 (SMLAL needs its 64-bit nudge set
 * up and the result reassembled). The rounding shift as in lwai_opt_out_act; |v| <= 2^30
 * after it, so v + offset cannot overflow and SSAT #8 is the whole clamp. */
static inline int8_t lwai_opt_out_fast(int32_t acc, lwai_opt_rqf rq, int32_t offset)
{
    int32_t v;
#if LWAI_OPT_DSP
    __asm__("smmulr %0, %1, %2" : "=r"(v) : "r"(acc * 2), "r"(rq.multiplier));
    v = (__qadd(v, rq.half) + (v >> 31)) >> rq.right;
    return (int8_t)__ssat(v + offset, 8);
#else
    v = (int32_t)(((int64_t)acc * rq.multiplier + ((int64_t)1 << 30)) >> 31);
    {
        const int64_t t = (int64_t)v + rq.half;
        v = ((int32_t)(t > INT32_MAX ? INT32_MAX : t) + (v >> 31)) >> rq.right;
    }
    return (int8_t)lwai_clamp_i32(v + offset, LWAI_INT8_MIN, LWAI_INT8_MAX);
#endif
}

/* Same, from the raw params (kernels with a few outputs per call). */
static inline int8_t lwai_opt_out(int32_t acc, lwai_opt_rq rq, int32_t out_offset,
                                  int32_t lo, int32_t hi)
{
    return lwai_opt_out_act(acc, rq, lwai_opt_act_of(out_offset, lo, hi));
}

#endif /* LWAI_OPT_COMMON_H */
