/* Helpers of the data movement kernels (lwai/kernels.h): element sizes, counts and a
 * one-element copy the compiler inlines for each of the four sizes. */
#ifndef LWAI_MOVE_H
#define LWAI_MOVE_H

#include <stdint.h>
#include <string.h>

#include "lwai/kernels.h"

static inline int lwai_move_elem_ok(int32_t elem_bytes)
{
    return elem_bytes == 1 || elem_bytes == 2 || elem_bytes == 4 || elem_bytes == 8;
}

static inline int lwai_move_dims_ok(const lwai_dims *d)
{
    return d != 0 && d->n >= 1 && d->h >= 1 && d->w >= 1 && d->c >= 1;
}

/* Elements of d; the callers' dims are checked >= 1 and a tensor holds < 2^31 bytes. */
static inline uint64_t lwai_move_count(const lwai_dims *d)
{
    return (uint64_t)d->n * (uint64_t)d->h * (uint64_t)d->w * (uint64_t)d->c;
}

static inline int lwai_move_same(const lwai_dims *a, const lwai_dims *b)
{
    return a->n == b->n && a->h == b->h && a->w == b->w && a->c == b->c;
}

/* dst[i] = src[j] for elements of `eb` bytes (constant sizes: no memcpy call). */
static inline void lwai_move_elem(uint8_t *dst, size_t i, const uint8_t *src, size_t j,
                                  int32_t eb)
{
    switch (eb) {
    case 1:
        dst[i] = src[j];
        break;
    case 2:
        memcpy(dst + 2u * i, src + 2u * j, 2u);
        break;
    case 4:
        memcpy(dst + 4u * i, src + 4u * j, 4u);
        break;
    default:
        memcpy(dst + 8u * i, src + 8u * j, 8u);
        break;
    }
}

/* The 4-D gather loop of broadcast_to and mirror_pad: output element (n, h, w, c) in order
 * copies input element (SRC(0, n, i->n), SRC(1, h, i->h), SRC(2, w, i->w), SRC(3, c, i->c)).
 * SRC(axis, index, input extent) is a macro, so the index step stays inline. */
#define LWAI_MOVE_GATHER_4D(params, i, o, input, output, SRC)                                 \
    do {                                                                                      \
        int32_t n_, h_, w_, c_;                                                               \
        size_t k_ = 0u;                                                                       \
        for (n_ = 0; n_ < (o)->n; ++n_) {                                                     \
            const int32_t sn_ = SRC(0, n_, (i)->n);                                           \
            for (h_ = 0; h_ < (o)->h; ++h_) {                                                 \
                const int32_t sh_ = SRC(1, h_, (i)->h);                                       \
                for (w_ = 0; w_ < (o)->w; ++w_) {                                             \
                    const int32_t sw_ = SRC(2, w_, (i)->w);                                   \
                    const size_t base_ = (((size_t)sn_ * (i)->h + sh_) * (i)->w + sw_) *      \
                                         (i)->c;                                              \
                    for (c_ = 0; c_ < (o)->c; ++c_) {                                         \
                        lwai_move_elem((uint8_t *)(output), k_++, (const uint8_t *)(input),   \
                                       base_ + (size_t)SRC(3, c_, (i)->c),                    \
                                       (params)->elem_bytes);                                 \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    } while (0)

#endif
