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

#endif /* LWAI_BROADCAST_H */
