/* Private: argument checks shared by the pooling kernels. */
#ifndef LWAI_POOL_COMMON_H
#define LWAI_POOL_COMMON_H

#include "lwai_fixedpoint.h"

static inline int lwai_pool_args_ok(const lwai_pool2d_params *p, const lwai_dims *in,
                                    const lwai_dims *out)
{
    return p->stride_h > 0 && p->stride_w > 0 && p->filter_h > 0 && p->filter_w > 0 &&
           lwai_dims_valid(in) && lwai_dims_valid(out) && in->n == out->n && in->c == out->c;
}

#endif /* LWAI_POOL_COMMON_H */
