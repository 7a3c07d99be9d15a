/*
 * MAX_POOL_2D int8 for Armv7E-M: 4 channels per word. Per window tap one LDR, SSUB8 (sets
 * the per-byte GE flags where the tap is >= the running max) and SEL: 4 maxima in 3
 * instructions instead of 4 loads, compares and moves. The activation clamp is two more
 * SSUB8/SEL pairs per word. The last C % 4 channels are scalar. No scratch.
 */
#include "../../reference/pool_common.h"
#include "opt_common.h"

static int8_t max_out(int32_t best, const lwai_max_pool2d_params *p)
{
    return (int8_t)lwai_clamp_i32(best, p->act_min, p->act_max);
}

lwai_status lwai_max_pool2d_opt_s8(const lwai_max_pool2d_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oy, ox, c, ky, kx, ch, c4;
#if LWAI_OPT_DSP
    uint32_t lo4, hi4;
#endif
    if (params == 0 || input == 0 || output == 0 ||
        !lwai_pool_args_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    ch = input_dims->c;
#if LWAI_OPT_DSP
    c4 = ch & ~3;
    lo4 = ((uint32_t)params->act_min & 0xFFu) * 0x01010101u;
    hi4 = ((uint32_t)params->act_max & 0xFFu) * 0x01010101u;
#else
    c4 = 0;
#endif
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                const lwai_pool_window win = lwai_pool_window_at(params, input_dims, oy, ox);
                const int32_t row_step = input_dims->w * ch;
                int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * ch;
                const int8_t *in0;
                if (win.ky1 <= win.ky0 || win.kx1 <= win.kx0) {
                    /* no tap: the reference writes clamp(-128) */
                    for (c = 0; c < ch; ++c) {
                        out[c] = max_out(LWAI_INT8_MIN, params);
                    }
                    continue;
                }
                in0 = input + lwai_pool_tap(input_dims, &win, b, win.ky0, win.kx0, 0);
#if LWAI_OPT_DSP
                for (c = 0; c < c4; c += 4) {
                    uint32_t best = 0x80808080u; /* -128 in every byte */
                    const int8_t *row = in0 + c;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        const int8_t *ip = row;
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            const uint32_t v = lwai_opt_read_u32(ip);
                            (void)__ssub8((int32_t)v, (int32_t)best);
                            best = (uint32_t)__sel((int32_t)v, (int32_t)best);
                            ip += ch;
                        }
                        row += row_step;
                    }
                    (void)__ssub8((int32_t)best, (int32_t)lo4);
                    best = (uint32_t)__sel((int32_t)best, (int32_t)lo4);
                    (void)__ssub8((int32_t)hi4, (int32_t)best);
                    best = (uint32_t)__sel((int32_t)best, (int32_t)hi4);
                    memcpy(out + c, &best, 4);
                }
#endif
                for (c = c4; c < ch; ++c) {
                    int32_t best = LWAI_INT8_MIN;
                    const int8_t *row = in0 + c;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        const int8_t *ip = row;
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            best = *ip > best ? *ip : best;
                            ip += ch;
                        }
                        row += row_step;
                    }
                    out[c] = max_out(best, params);
                }
            }
        }
    }
    return LWAI_OK;
}
