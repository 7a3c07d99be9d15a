/* SELECT_V2 on int8/int16 values: out = condition ? x : y with NumPy broadcasting of all
 * three over 4-D. TFLite Micro copies the raw integers whatever the quantizations of x, y
 * and the output (its Prepare checks only the types), so lwai does too. The condition is
 * bool, one byte per element (non-zero: true). */
#include "broadcast.h"

#define LWAI_SELECT_KERNEL(name, T)                                                           \
    lwai_status name(const lwai_elementwise_params *params, const lwai_dims *cond_dims,       \
                     const uint8_t *cond, const lwai_dims *x_dims, const T *x,                \
                     const lwai_dims *y_dims, const T *y, const lwai_dims *output_dims,       \
                     T *output)                                                               \
    {                                                                                         \
        lwai_bcast_strides sc, sx, sy;                                                        \
        int32_t b, h, w, c;                                                                   \
        if (params == 0 || cond == 0 || x == 0 || y == 0 || output == 0 ||                    \
            !lwai_dims_valid(output_dims) || !lwai_bcast_prepare(cond_dims, output_dims, &sc) || \
            !lwai_bcast_prepare(x_dims, output_dims, &sx) ||                                  \
            !lwai_bcast_prepare(y_dims, output_dims, &sy)) {                                  \
            return LWAI_ERR_INVALID_ARG;                                                      \
        }                                                                                     \
        for (b = 0; b < output_dims->n; ++b) {                                                \
            for (h = 0; h < output_dims->h; ++h) {                                            \
                for (w = 0; w < output_dims->w; ++w) {                                        \
                    const uint8_t *rc = cond + b * sc.n + h * sc.h + w * sc.w;                \
                    const T *rx = x + b * sx.n + h * sx.h + w * sx.w;                         \
                    const T *ry = y + b * sy.n + h * sy.h + w * sy.w;                         \
                    for (c = 0; c < output_dims->c; ++c) {                                    \
                        *output++ = rc[c * sc.c] ? rx[c * sx.c] : ry[c * sy.c];               \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
        return LWAI_OK;                                                                       \
    }

LWAI_SELECT_KERNEL(lwai_select_s8, int8_t)
LWAI_SELECT_KERNEL(lwai_select_s16, int16_t)
