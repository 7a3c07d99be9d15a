/* Private: argument checks and window geometry shared by the pooling kernels. */
#ifndef LWAI_POOL_COMMON_H
#define LWAI_POOL_COMMON_H

#include "lwai_fixedpoint.h"

static inline int lwai_pool_args_ok(const lwai_pool2d_params *p, const lwai_dims *in,
                                    const lwai_dims *out)
{
    return p->stride_h > 0 && p->stride_w > 0 && p->filter_h > 0 && p->filter_w > 0 &&
           lwai_dims_valid(in) && lwai_dims_valid(out) && in->n == out->n && in->c == out->c;
}

/* The filter taps of one output pixel that fall inside the input: rows ky0..ky1-1 and
 * columns kx0..kx1-1 of the filter, starting at input row iy0 and column ix0 (which may be
 * negative in the padding). Padded taps are never read. */
typedef struct {
    int32_t iy0, ix0, ky0, ky1, kx0, kx1;
} lwai_pool_window;

static inline lwai_pool_window lwai_pool_window_at(const lwai_pool2d_params *p,
                                                   const lwai_dims *in, int32_t oy, int32_t ox)
{
    lwai_pool_window w;
    w.iy0 = oy * p->stride_h - p->pad_top;
    w.ix0 = ox * p->stride_w - p->pad_left;
    w.ky0 = lwai_max_i32(0, -w.iy0);
    w.ky1 = lwai_min_i32(p->filter_h, in->h - w.iy0);
    w.kx0 = lwai_max_i32(0, -w.ix0);
    w.kx1 = lwai_min_i32(p->filter_w, in->w - w.ix0);
    return w;
}

/* Offset of tap (ky, kx), channel c of batch b inside the window w, NHWC. */
static inline int32_t lwai_pool_tap(const lwai_dims *in, const lwai_pool_window *w, int32_t b,
                                    int32_t ky, int32_t kx, int32_t c)
{
    return ((b * in->h + w->iy0 + ky) * in->w + w->ix0 + kx) * in->c + c;
}

#endif /* LWAI_POOL_COMMON_H */
