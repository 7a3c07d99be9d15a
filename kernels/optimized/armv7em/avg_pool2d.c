/*
 * AVERAGE_POOL_2D int8 for Armv7E-M: 4 channels at a time. Per window tap one LDR, two
 * SXTB16 and two SADD16 add the 4 channels into two int16 pairs (exact while the window
 * has at most 256 taps: |sum| <= 128 * 256 = 32768, and -32768 still fits), instead of 4
 * byte loads and adds; larger windows and the last C % 4 channels use int32 scalar sums.
 * Rounding as the reference: half away from zero with C's truncating division. No scratch.
 */
#include "../../reference/pool_common.h"
#include "opt_common.h"

int32_t lwai_avg_pool2d_opt_s8_get_buffer_size(const lwai_avg_pool2d_params *params,
                                               const lwai_dims *input_dims,
                                               const lwai_dims *output_dims)
{
    (void)params;
    (void)input_dims;
    (void)output_dims;
    return 0;
}

static int8_t avg_out(int32_t acc, int32_t count, const lwai_avg_pool2d_params *p)
{
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return (int8_t)lwai_clamp_i32(acc, p->act_min, p->act_max);
}

lwai_status lwai_avg_pool2d_opt_s8(const lwai_context *ctx, const lwai_avg_pool2d_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oy, ox, c, ky, kx, ch, c4;
    (void)ctx; /* no scratch */
    if (params == 0 || input == 0 || output == 0 ||
        !lwai_pool_args_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    ch = input_dims->c;
    c4 = params->filter_h * params->filter_w <= 256 ? (ch & ~3) : 0;
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                const lwai_pool_window win = lwai_pool_window_at(params, input_dims, oy, ox);
                const int32_t count = (win.ky1 - win.ky0) * (win.kx1 - win.kx0);
                const int32_t row_step = input_dims->w * ch;
                const int8_t *in0;
                int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * ch;
                if (win.ky1 <= win.ky0 || win.kx1 <= win.kx0) {
                    return LWAI_ERR_INVALID_ARG; /* a window entirely in padding */
                }
                in0 = input + lwai_pool_tap(input_dims, &win, b, win.ky0, win.kx0, 0);
#if LWAI_OPT_DSP
                for (c = 0; c < c4; c += 4) {
                    uint32_t s02 = 0, s13 = 0;
                    const int8_t *row = in0 + c;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        const int8_t *ip = row;
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            const uint32_t v = lwai_opt_read_u32(ip);
                            s02 = (uint32_t)__sadd16((int32_t)s02, (int32_t)lwai_opt_lo(v));
                            s13 = (uint32_t)__sadd16((int32_t)s13, (int32_t)lwai_opt_hi(v));
                            ip += ch;
                        }
                        row += row_step;
                    }
                    out[c] = avg_out((int16_t)(s02 & 0xFFFFu), count, params);
                    out[c + 1] = avg_out((int16_t)(s13 & 0xFFFFu), count, params);
                    out[c + 2] = avg_out((int16_t)(s02 >> 16), count, params);
                    out[c + 3] = avg_out((int16_t)(s13 >> 16), count, params);
                }
#else
                c = 0;
                (void)c4;
#endif
                for (; c < ch; ++c) {
                    int32_t acc = 0;
                    const int8_t *row = in0 + c;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        const int8_t *ip = row;
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            acc += *ip;
                            ip += ch;
                        }
                        row += row_step;
                    }
                    out[c] = avg_out(acc, count, params);
                }
            }
        }
    }
    return LWAI_OK;
}
