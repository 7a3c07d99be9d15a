/*
 * DEPTHWISE_CONV_2D int8 for Armv7E-M.
 *
 * depth_multiplier 1 (every MobileNet layer): blocks of 4 channels, each block over every
 * output pixel. A block's filter taps are split into q15 pairs once (on the stack) and its
 * requantization constants loaded once. Per tap: one LDR of 4 input bytes split into q15
 * pairs with the input offset added (2 SXTAB16), one LDRD of the pre-split weights, then
 * SMLABB/SMLATT per channel: 4 MACs in 8 instructions (the reference's scalar loop takes
 * ~40). 3x3 windows fully inside the input run straight-line; border windows are clipped
 * once per output pixel (padding contributes (zp + offset) * w = 0, so skipping it is
 * exact). Any filter size (up to LWAI_DW_MAX_TAPS taps), stride and dilation take this
 * path; the last C % 4 channels, depth multipliers > 1 and larger filters go through the
 * scalar loop. No scratch.
 */
#include "opt_common.h"

/* Filters up to 8x8 taps keep their 4 channels' weights expanded on the stack (512 B). */
#define LWAI_DW_MAX_TAPS 64

/* One tap of 4 channels: input word at IP (offset added while splitting), pre-split
 * weights at byte offset OFF of WP: LDR + 2 SXTAB16 + LDRD + 4 SMLABB/SMLATT. */
#define LWAI_DW_TAP(IP, WP, OFF)                                                               \
    do {                                                                                       \
        const uint32_t x_ = lwai_opt_read_u32(IP);                                             \
        const uint32_t xl_ = lwai_opt_lo_off(x_, off2), xh_ = lwai_opt_hi_off(x_, off2);       \
        uint32_t wl_, wh_;                                                                     \
        LWAI_OPT_LDRD(wl_, wh_, WP, OFF);                                                      \
        acc0 = lwai_opt_smlabb(xl_, wl_, acc0);                                                \
        acc2 = lwai_opt_smlatt(xl_, wl_, acc2);                                                \
        acc1 = lwai_opt_smlabb(xh_, wh_, acc1);                                                \
        acc3 = lwai_opt_smlatt(xh_, wh_, acc3);                                                \
    } while (0)

static int dw_ok(const lwai_depthwise_conv2d_params *p, const lwai_dims *in, const lwai_dims *f,
                 const lwai_dims *out)
{
    if (p->stride_h <= 0 || p->stride_w <= 0 || p->dilation_h <= 0 || p->dilation_w <= 0 ||
        p->depth_multiplier <= 0) {
        return 0;
    }
    if (!lwai_dims_valid(in) || !lwai_dims_valid(f) || !lwai_dims_valid(out)) {
        return 0;
    }
    return f->n == 1 && out->c == in->c * p->depth_multiplier && f->c == out->c &&
           in->n == out->n;
}

int32_t lwai_depthwise_conv2d_opt_s8_get_buffer_size(const lwai_depthwise_conv2d_params *params,
                                                     const lwai_dims *input_dims,
                                                     const lwai_dims *filter_dims,
                                                     const lwai_dims *output_dims)
{
    (void)params;
    (void)input_dims;
    (void)filter_dims;
    (void)output_dims;
    return 0;
}

/* First and one-past-last filter tap index whose input coordinate i0 + d * k lies in
 * [0, size). */
static void dw_clip(int32_t i0, int32_t d, int32_t taps, int32_t size, int32_t *k0, int32_t *k1)
{
    int32_t a = 0, b = taps;
    if (i0 < 0) {
        a = (-i0 + d - 1) / d;
    }
    if (i0 + d * (taps - 1) >= size) {
        b = size - i0 <= 0 ? 0 : (size - i0 + d - 1) / d;
    }
    *k0 = a;
    *k1 = b > a ? b : a;
}

lwai_status lwai_depthwise_conv2d_opt_s8(const lwai_context *ctx,
                                         const lwai_depthwise_conv2d_params *params,
                                         const lwai_channel_quant *quant,
                                         const lwai_dims *input_dims, const int8_t *input,
                                         const lwai_dims *filter_dims, const int8_t *filter,
                                         const lwai_dims *bias_dims, const int32_t *bias,
                                         const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, oy, ox, c;
    int32_t cin, cout, dm, c4, kw, dil_w, step_x, row_step;
    uint32_t off2;
    int unrolled3, fast;
    lwai_opt_act act;
    (void)ctx; /* no scratch */
    if (params == 0 || quant == 0 || input == 0 || filter == 0 || output == 0 ||
        !dw_ok(params, input_dims, filter_dims, output_dims) || quant->multiplier == 0 ||
        quant->shift == 0 || (quant->count != 1 && quant->count != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    cin = input_dims->c;
    cout = output_dims->c;
    dm = params->depth_multiplier;
    c4 = dm == 1 ? (cin & ~3) : 0;
    kw = filter_dims->w;
    dil_w = params->dilation_w;
    step_x = dil_w * cin;                    /* input bytes between horizontal taps */
    row_step = params->dilation_h * input_dims->w * cin; /* ... between vertical taps */
    off2 = lwai_opt_dup16(params->input_offset);
    unrolled3 = filter_dims->h == 3 && kw == 3;
    act = lwai_opt_act_of(params->output_offset, params->act_min, params->act_max);
    fast = lwai_opt_quant_fast(quant, params->act_min, params->act_max) &&
           lwai_opt_acc_fits(bias, cout, filter_dims->h * kw);
    if (filter_dims->h * kw > LWAI_DW_MAX_TAPS) {
        c4 = 0; /* huge filters: every channel through the scalar loop */
    }
    for (b = 0; b < output_dims->n; ++b) {
        const int8_t *in_b = input + b * input_dims->h * input_dims->w * cin;
        int8_t *out_b = output + b * output_dims->h * output_dims->w * cout;
        for (c = 0; c < c4; c += 4) {
            uint32_t wexp[2 * LWAI_DW_MAX_TAPS]; /* the 4 channels' taps as q15 pairs */
            lwai_opt_rq rq[4];
            lwai_opt_rqf rf[4] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
            int32_t bias4[4];
            int32_t t, i;
            for (t = 0; t < filter_dims->h * kw; ++t) {
                const uint32_t w = lwai_opt_read_u32(filter + t * cout + c);
                wexp[2 * t] = lwai_opt_lo(w);
                wexp[2 * t + 1] = lwai_opt_hi(w);
            }
            for (i = 0; i < 4; ++i) {
                rq[i] = lwai_opt_rq_of(quant, c + i);
                if (fast) {
                    rf[i] = lwai_opt_rqf_of(quant, c + i);
                }
                bias4[i] = bias != 0 ? bias[c + i] : 0;
            }
            for (oy = 0; oy < output_dims->h; ++oy) {
                const int32_t iy0 = oy * params->stride_h - params->pad_top;
                int32_t ky0, ky1;
                int8_t *out = out_b + oy * output_dims->w * cout + c;
                dw_clip(iy0, params->dilation_h, filter_dims->h, input_dims->h, &ky0, &ky1);
                for (ox = 0; ox < output_dims->w; ++ox) {
                    const int32_t ix0 = ox * params->stride_w - params->pad_left;
                    int32_t kx0, kx1;
                    int32_t acc0 = bias4[0], acc1 = bias4[1], acc2 = bias4[2], acc3 = bias4[3];
                    const int8_t *in_row;
                    dw_clip(ix0, dil_w, kw, input_dims->w, &kx0, &kx1);
                    in_row = in_b + ((iy0 + params->dilation_h * ky0) * input_dims->w + ix0 +
                                     dil_w * kx0) * cin + c;
                    if (unrolled3 && ky0 == 0 && ky1 == 3 && kx0 == 0 && kx1 == 3) {
                        /* interior 3x3 window: straight-line taps, weights from wexp */
                        const int8_t *ip = in_row;
                        LWAI_DW_TAP(ip, wexp, 0);
                        LWAI_DW_TAP(ip + step_x, wexp, 8);
                        LWAI_DW_TAP(ip + 2 * step_x, wexp, 16);
                        ip += row_step;
                        LWAI_DW_TAP(ip, wexp, 24);
                        LWAI_DW_TAP(ip + step_x, wexp, 32);
                        LWAI_DW_TAP(ip + 2 * step_x, wexp, 40);
                        ip += row_step;
                        LWAI_DW_TAP(ip, wexp, 48);
                        LWAI_DW_TAP(ip + step_x, wexp, 56);
                        LWAI_DW_TAP(ip + 2 * step_x, wexp, 64);
                    } else {
                        int32_t ky, kx;
                        for (ky = ky0; ky < ky1; ++ky) {
                            const int8_t *ip = in_row;
                            const uint32_t *wp = wexp + 2 * (ky * kw + kx0);
                            for (kx = kx0; kx < kx1; ++kx) {
                                LWAI_DW_TAP(ip, wp, 0);
                                ip += step_x;
                                wp += 2;
                            }
                            in_row += row_step;
                        }
                    }
                    if (fast) {
                        out[0] = lwai_opt_out_fast(acc0, rf[0], act.offset);
                        out[1] = lwai_opt_out_fast(acc1, rf[1], act.offset);
                        out[2] = lwai_opt_out_fast(acc2, rf[2], act.offset);
                        out[3] = lwai_opt_out_fast(acc3, rf[3], act.offset);
                    } else {
                        out[0] = lwai_opt_out_act(acc0, rq[0], act);
                        out[1] = lwai_opt_out_act(acc1, rq[1], act);
                        out[2] = lwai_opt_out_act(acc2, rq[2], act);
                        out[3] = lwai_opt_out_act(acc3, rq[3], act);
                    }
                    out += cout;
                }
            }
        }
        /* scalar: the last cin % 4 channels, or every channel when dm > 1 */
        for (oy = 0; c4 < cin && oy < output_dims->h; ++oy) {
            const int32_t iy0 = oy * params->stride_h - params->pad_top;
            int32_t ky0, ky1;
            dw_clip(iy0, params->dilation_h, filter_dims->h, input_dims->h, &ky0, &ky1);
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t ix0 = ox * params->stride_w - params->pad_left;
                int32_t kx0, kx1;
                const int8_t *in0;
                const int8_t *f0;
                int8_t *out = out_b + (oy * output_dims->w + ox) * cout;
                dw_clip(ix0, dil_w, kw, input_dims->w, &kx0, &kx1);
                in0 = in_b + ((iy0 + params->dilation_h * ky0) * input_dims->w + ix0 +
                              dil_w * kx0) * cin;
                f0 = filter + (ky0 * kw + kx0) * cout;
                for (c = c4; c < cin; ++c) {
                    int32_t m;
                    for (m = 0; m < dm; ++m) {
                        const int32_t oc = c * dm + m;
                        int32_t acc = bias != 0 ? bias[oc] : 0;
                        int32_t ky, kx;
                        const int8_t *in_row = in0 + c;
                        const int8_t *f_row = f0 + oc;
                        for (ky = ky0; ky < ky1; ++ky) {
                            const int8_t *ip = in_row;
                            const int8_t *fp = f_row;
                            for (kx = kx0; kx < kx1; ++kx) {
                                acc += (int32_t)*fp * ((int32_t)*ip + params->input_offset);
                                ip += step_x;
                                fp += cout;
                            }
                            in_row += row_step;
                            f_row += kw * cout;
                        }
                        out[oc] = lwai_opt_out_act(acc, lwai_opt_rq_of(quant, oc), act);
                    }
                }
            }
        }
    }
    return LWAI_OK;
}
