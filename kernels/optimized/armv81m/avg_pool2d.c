/* AVERAGE_POOL_2D int8 for Cortex-M55 (MVE): 4 channels a step summed in int32, then the
 * reference's round-half-away division by the tap count done as a multiply-high by
 * ceil(2^32 / count) on |sum| + count / 2, exact while that is below 2^32 / count
 * (windows up to 4096 taps; larger ones go to the reference). No scratch. */
#include "mve_common.h"
#include "../../reference/pool_common.h"

#define LWAI_AVG_MAX_TAPS 4096

int32_t lwai_avg_pool2d_opt_s8_get_buffer_size(const lwai_avg_pool2d_params *params,
                                               const lwai_dims *input_dims,
                                               const lwai_dims *output_dims)
{
    (void)params;
    (void)input_dims;
    (void)output_dims;
    return 0;
}

static inline void avg_group(const int8_t *base, int32_t row, int32_t col, int32_t rows,
                             int32_t cols, int32_t count, uint32_t recip, int8_t *out,
                             int32x4_t lo, int32x4_t hi, mve_pred16_t p32, int tail)
{
    int32x4_t acc = vdupq_n_s32(0);
    int32_t ky, kx;
    uint32x4_t n;
    for (ky = 0; ky < rows; ++ky, base += row) {
        const int8_t *x = base;
        for (kx = 0; kx < cols; ++kx, x += col) {
            acc = vaddq_s32(acc, tail ? vldrbq_z_s32(x, p32) : vldrbq_s32(x));
        }
    }
    if (count > 1) {
        const mve_pred16_t neg = vcmpltq_n_s32(acc, 0);
        n = vaddq_n_u32(vreinterpretq_u32_s32(vabsq_s32(acc)), (uint32_t)count / 2u);
        n = vmulhq_u32(n, vdupq_n_u32(recip));
        acc = vreinterpretq_s32_u32(n);
        acc = vpselq_s32(vnegq_s32(acc), acc, neg);
    }
    acc = vminq_s32(vmaxq_s32(acc, lo), hi);
    if (tail) {
        vstrbq_p_s32(out, acc, p32);
    } else {
        vstrbq_s32(out, acc);
    }
}

lwai_status lwai_avg_pool2d_opt_s8(const lwai_context *ctx, const lwai_avg_pool2d_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oy, ox, c, ch;
    int32x4_t lo, hi;
    (void)ctx; /* no scratch: may be NULL */
    if (params == 0 || input_dims == 0 || input == 0 || output_dims == 0 ||
        output == 0 || !lwai_pool_args_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (params->filter_h * params->filter_w > LWAI_AVG_MAX_TAPS ||
        params->act_min > params->act_max) {
        return lwai_avg_pool2d_s8(params, input_dims, input, output_dims, output);
    }
    ch = input_dims->c;
    lo = vdupq_n_s32(params->act_min);
    hi = vdupq_n_s32(params->act_max);
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                const lwai_pool_window win = lwai_pool_window_at(params, input_dims, oy, ox);
                const int32_t rows = win.ky1 - win.ky0;
                const int32_t cols = win.kx1 - win.kx0;
                const int32_t count = rows > 0 && cols > 0 ? rows * cols : 0;
                const int8_t *base;
                int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * ch;
                uint32_t recip;
                if (count == 0) {
                    return LWAI_ERR_INVALID_ARG; /* a window entirely in padding */
                }
                /* ceil(2^32 / count) for count >= 2 (exact 2^32 / count for powers of 2). */
                recip = count > 1 ? 0xFFFFFFFFu / (uint32_t)count + 1u : 0u;
                base = input + lwai_pool_tap(input_dims, &win, b, win.ky0, win.kx0, 0);
                for (c = 0; c + 4 <= ch; c += 4) {
                    avg_group(base + c, input_dims->w * ch, ch, rows, cols, count, recip,
                              out + c, lo, hi, 0, 0);
                }
                if (c < ch) {
                    avg_group(base + c, input_dims->w * ch, ch, rows, cols, count, recip,
                              out + c, lo, hi, vctp32q((uint32_t)(ch - c)), 1);
                }
            }
        }
    }
    return LWAI_OK;
}
