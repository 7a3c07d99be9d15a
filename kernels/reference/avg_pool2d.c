/* AVERAGE_POOL_2D reference kernels. Padded taps are left out of the average (TFLite). */
#include "pool_common.h"

lwai_status lwai_avg_pool2d_s8(const lwai_avg_pool2d_params *params, const lwai_dims *input_dims,
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
                    int32_t acc = 0;
                    int32_t count = 0;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            acc += input[lwai_pool_tap(input_dims, &win, b, ky, kx, c)];
                            ++count;
                        }
                    }
                    if (count == 0) {
                        return LWAI_ERR_INVALID_ARG; /* a window entirely in padding */
                    }
                    /* Round half away from zero, with C's truncating division. */
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           c] = (int8_t)lwai_clamp_i32(acc, params->act_min, params->act_max);
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_avg_pool2d_f32(const lwai_avg_pool2d_params *params, const lwai_dims *input_dims,
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
                    float total = 0.0f;
                    float count = 0.0f;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            total += input[lwai_pool_tap(input_dims, &win, b, ky, kx, c)];
                            count += 1.0f;
                        }
                    }
                    if (count == 0.0f) {
                        return LWAI_ERR_INVALID_ARG;
                    }
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           c] = lwai_clamp_f32(total / count, params->act_min_f, params->act_max_f);
                }
            }
        }
    }
    return LWAI_OK;
}
