/* MAX_POOL_2D int8 for Cortex-M55 (MVE): 16 channels a step, VMAX over the window's taps
 * inside the input (padded taps never win, as in the reference). */
#include "mve_common.h"
#include "../../reference/pool_common.h"

lwai_status lwai_max_pool2d_opt_s8(const lwai_max_pool2d_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oy, ox, c, ky, kx, ch;
    int8x16_t lo, hi;
    if (params == 0 || input_dims == 0 || input == 0 || output_dims == 0 || output == 0 ||
        !lwai_pool_args_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    ch = input_dims->c;
    /* act_min/act_max are int8 values for s8 (kernels.h); clamp them once so the vector
     * bounds equal the reference's int32 clamp followed by the int8 store. */
    lo = vdupq_n_s8((int8_t)lwai_clamp_i32(params->act_min, LWAI_INT8_MIN, LWAI_INT8_MAX));
    hi = vdupq_n_s8((int8_t)lwai_clamp_i32(params->act_max, LWAI_INT8_MIN, LWAI_INT8_MAX));
    if (params->act_min > LWAI_INT8_MAX || params->act_max < LWAI_INT8_MIN ||
        params->act_min > params->act_max) {
        return lwai_max_pool2d_s8(params, input_dims, input, output_dims, output);
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                const lwai_pool_window win = lwai_pool_window_at(params, input_dims, oy, ox);
                int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * ch;
                for (c = 0; c < ch; c += 16) {
                    const mve_pred16_t p = vctp8q((uint32_t)(ch - c));
                    int8x16_t best = vdupq_n_s8(LWAI_INT8_MIN);
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        const int8_t *x =
                            input + lwai_pool_tap(input_dims, &win, b, ky, win.kx0, c);
                        for (kx = win.kx0; kx < win.kx1; ++kx, x += ch) {
                            best = vmaxq_s8(best, vldrbq_z_s8(x, p));
                        }
                    }
                    best = vminq_s8(vmaxq_s8(best, lo), hi);
                    vstrbq_p_s8(out + c, best, p);
                }
            }
        }
    }
    return LWAI_OK;
}
