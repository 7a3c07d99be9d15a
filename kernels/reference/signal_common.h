/* Helpers of the signal kernels (declared in kernels/include/lwai/kernels.h). */
#ifndef LWAI_SIGNAL_COMMON_H
#define LWAI_SIGNAL_COMMON_H

#include <stdint.h>

#include "lwai/kernels.h"

static inline int32_t lwai_signal_count(const lwai_dims *d)
{
    if (d == 0 || d->n < 1 || d->h < 1 || d->w < 1 || d->c < 1) {
        return -1;
    }
    if ((int64_t)d->n * d->h * d->w * d->c > INT32_MAX / 8) {
        return -1;
    }
    return d->n * d->h * d->w * d->c;
}

/* Bits needed to hold x (0 for 0), as TFLM's MostSignificantBit32 without the GCC
 * shortcut's odd answer 32 for x == 0: every caller here excludes 0 or tests it first. */
static inline uint32_t lwai_signal_msb32(uint32_t x)
{
    uint32_t n = 0u;
    while (x != 0u) {
        x >>= 1;
        ++n;
    }
    return n;
}

static inline uint32_t lwai_signal_msb64(uint64_t x)
{
    uint32_t n = 0u;
    while (x != 0u) {
        x >>= 1;
        ++n;
    }
    return n;
}

#endif
