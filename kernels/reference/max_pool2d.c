/* MAX_POOL_2D reference kernels. Padded taps never win. */
#include <float.h>

#include "pool_common.h"

lwai_status lwai_max_pool2d_s8(const lwai_max_pool2d_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oy, ox, c, ky, kx;
    if (params == 0 || input == 0 || output == 0 ||
        !lwai_pool_args_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                const lwai_pool_window win = lwai_pool_window_at(params, input_dims, oy, ox);
                for (c = 0; c < output_dims->c; ++c) {
                    int32_t best = LWAI_INT8_MIN;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            best = lwai_max_i32(
                                best, input[lwai_pool_tap(input_dims, &win, b, ky, kx, c)]);
                        }
                    }
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           c] = (int8_t)lwai_clamp_i32(best, params->act_min, params->act_max);
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_max_pool2d_f32(const lwai_max_pool2d_params *params, const lwai_dims *input_dims,
                                const float *input, const lwai_dims *output_dims, float *output)
{
    int32_t b, oy, ox, c, ky, kx;
    if (params == 0 || input == 0 || output == 0 ||
        !lwai_pool_args_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                const lwai_pool_window win = lwai_pool_window_at(params, input_dims, oy, ox);
                for (c = 0; c < output_dims->c; ++c) {
                    float best = -FLT_MAX;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            const float v = input[lwai_pool_tap(input_dims, &win, b, ky, kx, c)];
                            best = v > best ? v : best;
                        }
                    }
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           c] = lwai_clamp_f32(best, params->act_min_f, params->act_max_f);
                }
            }
        }
    }
    return LWAI_OK;
}
