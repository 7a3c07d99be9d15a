/* Private: NumPy-style 4-D broadcasting for the binary elementwise kernels. */
#ifndef LWAI_BROADCAST_H
#define LWAI_BROADCAST_H

#include "lwai_fixedpoint.h"

/* Element strides of an input as seen from the output: 0 along broadcast (size-1) dims. */
typedef struct {
    int32_t n, h, w, c;
} lwai_bcast_strides;

/* 1 when every dim of in equals the output's or is 1; fills the strides. */
static inline int lwai_bcast_prepare(const lwai_dims *in, const lwai_dims *out,
                                     lwai_bcast_strides *s)
{
    if (!lwai_dims_valid(in)) {
        return 0;
    }
    if ((in->n != out->n && in->n != 1) || (in->h != out->h && in->h != 1) ||
        (in->w != out->w && in->w != 1) || (in->c != out->c && in->c != 1)) {
        return 0;
    }
    s->c = in->c == 1 ? 0 : 1;
    s->w = in->w == 1 ? 0 : in->c;
    s->h = in->h == 1 ? 0 : in->w * in->c;
    s->n = in->n == 1 ? 0 : in->h * in->w * in->c;
    return 1;
}

/* The one broadcast walk of every binary elementwise kernel (ADD, SUB, MUL, PRELU,
 * SQUARED_DIFFERENCE, DIV, MAXIMUM/MINIMUM, comparisons), as a macro so that each kernel
 * gets its own copy with its element step STEP(params, a, b) inlined: a function pointer
 * per element would cost a call per output (the reference rows of docs/BENCHMARKS.md).
 * LWAI_BCAST_WALKER2(name, TIN1, TIN2, TOUT, PARAMS, STEP) defines
 *   static lwai_status name(const PARAMS *p, const lwai_dims *d1, const TIN1 *in1,
 *                           const lwai_dims *d2, const TIN2 *in2, const lwai_dims *dout,
 *                           TOUT *out)
 * which checks pointers and shapes (LWAI_ERR_INVALID_ARG) and writes out[i] = STEP(p, a, b)
 * in output order; the kernel checks its own params before calling it. LWAI_BCAST_WALKER:
 * both inputs of one type. */
#define LWAI_BCAST_WALKER(name, TIN, TOUT, PARAMS, STEP)                                     \
    LWAI_BCAST_WALKER2(name, TIN, TIN, TOUT, PARAMS, STEP)
#define LWAI_BCAST_WALKER2(name, TIN1, TIN2, TOUT, PARAMS, STEP)                             \
    static lwai_status name(const PARAMS *p, const lwai_dims *d1, const TIN1 *in1,           \
                            const lwai_dims *d2, const TIN2 *in2, const lwai_dims *dout,     \
                            TOUT *out)                                                       \
    {                                                                                        \
        lwai_bcast_strides s1, s2;                                                           \
        int32_t b, y, x, c;                                                                  \
        if (p == 0 || in1 == 0 || in2 == 0 || out == 0 || !lwai_dims_valid(dout) ||         \
            !lwai_bcast_prepare(d1, dout, &s1) || !lwai_bcast_prepare(d2, dout, &s2)) {      \
            return LWAI_ERR_INVALID_ARG;                                                     \
        }                                                                                    \
        for (b = 0; b < dout->n; ++b) {                                                      \
            for (y = 0; y < dout->h; ++y) {                                                  \
                for (x = 0; x < dout->w; ++x) {                                              \
                    const TIN1 *r1 = in1 + b * s1.n + y * s1.h + x * s1.w;                   \
                    const TIN2 *r2 = in2 + b * s2.n + y * s2.h + x * s2.w;                   \
                    TOUT *o = out + ((b * dout->h + y) * dout->w + x) * dout->c;             \
                    for (c = 0; c < dout->c; ++c) {                                          \
                        o[c] = STEP(p, r1[c * s1.c], r2[c * s2.c]);                          \
                    }                                                                        \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
        return LWAI_OK;                                                                      \
    }

/* TFLite's input alignment of ADD, SUB, SQUARED_DIFFERENCE and the comparisons: (v + offset)
 * shifted up by left_shift bits, then scaled by a multiplier < 1 (shift <= 0) to the common
 * scale 2 * max(input scales). */
static inline int32_t lwai_align_input(int32_t v, int32_t offset, int32_t left_shift,
                                       int32_t multiplier, int32_t shift)
{
    /* Shift as unsigned: TFLite's (v + offset) * (1 << left_shift), without UB on the
     * wrap a hostile file's params could cause (valid ones stay below 2^31). */
    const int32_t shifted = (int32_t)((uint32_t)(v + offset) << left_shift);
    return lwai_mul_by_quantized_multiplier(shifted, multiplier, shift);
}

#endif /* LWAI_BROADCAST_H */
