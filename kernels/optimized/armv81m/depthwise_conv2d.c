/* DEPTHWISE_CONV_2D int8 for Cortex-M55 (MVE), depth multiplier 1.
 * 3x3 filters (dilation 1, any stride), 8 channels a step, in assembly: int8 inputs and
 * weights widened to int16, VMULLB/VMULLT products accumulated in even- and odd-channel
 * int32 vectors (6 instructions a tap for 8 MACs); input_offset * sum(weights) + bias are
 * folded into per-channel start values planned in ctx->buf with the repacked weights and
 * the split shifts. Interior pixels read the input in place; a border pixel first copies
 * its 3x3 patch to ctx->buf with the padded taps at the input zero point (which then adds
 * 0, like the reference's skipped taps). Channels past the last multiple of 8 and other
 * filters: 4 channels a step in int32 with the input offset added to each tap. Depth
 * multiplier > 1 goes to the reference. */
#include "mve_common.h"

/* One 8-channel group of the 3x3 path in ctx->buf: 6 vectors of 4 int32 lanes (even
 * channels c, c+2, c+4, c+6 then odd ones) followed by the weights as [tap][8] int8. */
typedef struct {
    int32_t kc[2][4];
    int32_t mult[2][4];
    int32_t left[2][4];
    int32_t right[2][4];
    int8_t w[9][8];
    int8_t pad[8]; /* 208 bytes in all: keeps the next group 16-byte aligned */
} lwai_dw3_group;
/* The Python twin (lwai/backends/optimized_armv81m.py) counts 208 bytes a group. */
typedef char lwai_dw3_group_is_208_bytes[sizeof(lwai_dw3_group) == 208 ? 1 : -1];

static int dw3_applies(const lwai_depthwise_conv2d_params *p, const lwai_dims *f)
{
    return f->h == 3 && f->w == 3 && p->depth_multiplier == 1 && p->dilation_h == 1 &&
           p->dilation_w == 1;
}

int32_t lwai_depthwise_conv2d_opt_s8_get_buffer_size(const lwai_depthwise_conv2d_params *params,
                                                     const lwai_dims *input_dims,
                                                     const lwai_dims *filter_dims,
                                                     const lwai_dims *output_dims)
{
    if (params == 0 || input_dims == 0 || filter_dims == 0 || output_dims == 0 ||
        !dw3_applies(params, filter_dims)) {
        return 0;
    }
    /* Groups of 8 channels, then the 3x3 patch of a border pixel. */
    return (int32_t)sizeof(lwai_dw3_group) * ((output_dims->c + 7) / 8) + 9 * output_dims->c;
}

static int dw_args_ok(const lwai_depthwise_conv2d_params *p, const lwai_channel_quant *q,
                      const lwai_dims *in, const lwai_dims *f, const lwai_dims *bias_dims,
                      const int32_t *bias, const lwai_dims *out)
{
    if (p->stride_h <= 0 || p->stride_w <= 0 || p->dilation_h <= 0 || p->dilation_w <= 0 ||
        p->depth_multiplier <= 0 || !lwai_dims_valid(in) || !lwai_dims_valid(f) ||
        !lwai_dims_valid(out) || f->n != 1 || out->c != in->c * p->depth_multiplier ||
        f->c != out->c || in->n != out->n || q->multiplier == 0 || q->shift == 0 ||
        (q->count != 1 && q->count != out->c)) {
        return 0;
    }
    return bias == 0 || (bias_dims != 0 && lwai_dims_count(bias_dims) == out->c);
}

/* The full 8-channel groups' constants (the other channels take the generic path): per
 * group 9 loads of 8 weights widened to int16, summed in int16 (9 * 128 fits), split into
 * even and odd channels with VMOVLB/VMOVLT; bias and quantization gathered with stride 2. */
static void dw3_prepare(lwai_dw3_group *grp, const int8_t *filter, const int32_t *bias,
                        const lwai_channel_quant *quant, int32_t channels, int32_t input_offset)
{
    const uint32x4_t even = vidupq_n_u32(0, 2);
    const int32x4_t zero = vdupq_n_s32(0);
    int32_t c, t, half;
    for (c = 0; c + 8 <= channels; c += 8, ++grp) {
        int16x8_t sum = vdupq_n_s16(0);
        for (t = 0; t < 9; ++t) {
            const int16x8_t w = vldrbq_s16(filter + t * channels + c);
            vstrbq_s16(grp->w[t], w);
            sum = vaddq_s16(sum, w);
        }
        for (half = 0; half < 2; ++half) {
            /* Wrapping int32 arithmetic, as the reference's accumulator. */
            const int32x4_t wsum = half == 0 ? vmovlbq_s16(sum) : vmovltq_s16(sum);
            const int32x4_t b =
                bias != 0 ? vldrwq_gather_shifted_offset_s32(bias + c + half, even) : zero;
            int32x4_t mult, shift;
            if (quant->count == 1) {
                mult = vdupq_n_s32(quant->multiplier[0]);
                shift = vdupq_n_s32(quant->shift[0]);
            } else {
                mult = vldrwq_gather_shifted_offset_s32(quant->multiplier + c + half, even);
                shift = vldrwq_gather_shifted_offset_s32(quant->shift + c + half, even);
            }
            vstrwq_s32(grp->kc[half], vmlaq_n_s32(b, wsum, input_offset));
            vstrwq_s32(grp->mult[half], mult);
            vstrwq_s32(grp->left[half], vmaxq_s32(shift, zero));
            vstrwq_s32(grp->right[half], vminq_s32(shift, zero));
        }
    }
}

/* Three taps of one filter row for the 3x3 path: 8 channels of input at X, X + cin,
 * X + 2 cin times the weights at W0, W1, W2 (byte offsets into g->w), products of even
 * channels into e, odd ones into o: 6 instructions a tap for 8 MACs. */
#define DW3_TAP(X, W)                                                                           \
    "   vldrb.s16  q0, [" X "]\n"                                                               \
    "   vldrb.s16  q1, [%[w], #" W "]\n"                                                        \
    "   vmullb.s16 q2, q0, q1\n"                                                                \
    "   vadd.i32   %q[e], %q[e], q2\n"                                                          \
    "   vmullt.s16 q2, q0, q1\n"                                                                \
    "   vadd.i32   %q[o], %q[o], q2\n"
#define DW3_ROW(W0, W1, W2)                                                                     \
    DW3_TAP("%[x]", W0) "   add  %[t], %[x], %[cin]\n" DW3_TAP("%[t]", W1)                    \
        "   add  %[t], %[t], %[cin]\n" DW3_TAP("%[t]", W2) "   add  %[x], %[x], %[row]\n"

/* 8 channels (a full group) of one output pixel whose 9 taps are inside the input; x
 * points at tap (0, 0), the group's first channel. In assembly: GCC -O2 hoists the 18
 * loads of the unrolled intrinsics and spills them to the stack. Widening loads take
 * low base registers ("l"). */
static inline __attribute__((always_inline)) void dw3_group(const lwai_dw3_group *g,
                                                            const int8_t *x, int32_t row,
                                                            int32_t cin, int8_t *out,
                                                            int32_t output_offset, int16x8_t lo,
                                                            int16x8_t hi)
{
    int16x8_t v16;
    int32x4_t acc_e = vldrwq_s32(g->kc[0]);
    int32x4_t acc_o = vldrwq_s32(g->kc[1]);
    const int8_t *t;
    __asm__ volatile(DW3_ROW("0", "8", "16") DW3_ROW("24", "32", "40") DW3_ROW("48", "56", "64")
                     : [e] "+w"(acc_e), [o] "+w"(acc_o), [x] "+l"(x), [t] "=&l"(t)
                     : [w] "l"(g->w[0]), [row] "r"(row), [cin] "r"(cin), "m"(*g)
                     : "q0", "q1", "q2", "memory");
    acc_e = lwai_mve_requant_lr(acc_e, vldrwq_s32(g->mult[0]), vldrwq_s32(g->left[0]),
                                vldrwq_s32(g->right[0]));
    acc_o = lwai_mve_requant_lr(acc_o, vldrwq_s32(g->mult[1]), vldrwq_s32(g->left[1]),
                                vldrwq_s32(g->right[1]));
    /* Saturating narrow to int16 (even channels to even lanes, odd to odd: channel order),
     * then offset and clamp on 8 lanes: equal to the int32 clamp since the bounds and the
     * offset are int8 values, so any saturated lane stays beyond its bound. */
    v16 = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), acc_e), acc_o);
    v16 = vminq_s16(vmaxq_s16(vqaddq_n_s16(v16, (int16_t)output_offset), lo), hi);
    vstrbq_s16(out, v16);
}

/* Any filter, depth multiplier 1: the taps of output pixel (b, oy, ox) inside the input,
 * 4 channels a step, input offset added per tap. */
static inline void dw_generic_group(const lwai_depthwise_conv2d_params *p,
                                    const lwai_channel_quant *quant, const lwai_dims *in,
                                    const int8_t *input, const lwai_dims *f,
                                    const int8_t *filter, const int32_t *bias, int32_t b,
                                    int32_t iy0, int32_t ix0, int32_t ky0, int32_t ky1,
                                    int32_t kx0, int32_t kx1, int32_t c, int8_t *out,
                                    int32x4_t lo, int32x4_t hi, int tail)
{
    const int32_t cin = in->c;
    const mve_pred16_t p32 = vctp32q((uint32_t)(cin - c));
    int32x4_t acc, mult, shift;
    int32_t ky, kx;
    if (bias == 0) {
        acc = vdupq_n_s32(0);
    } else {
        acc = tail ? vldrwq_z_s32(bias + c, p32) : vldrwq_s32(bias + c);
    }
    for (ky = ky0; ky < ky1; ++ky) {
        const int32_t iy = iy0 + ky * p->dilation_h;
        const int8_t *xp = input + ((b * in->h + iy) * in->w + ix0 + kx0 * p->dilation_w) * cin +
                           c;
        const int8_t *wp = filter + (ky * f->w + kx0) * cin + c;
        for (kx = kx0; kx < kx1; ++kx, xp += p->dilation_w * cin, wp += cin) {
            int32x4_t xv = tail ? vldrbq_z_s32(xp, p32) : vldrbq_s32(xp);
            const int32x4_t wv = tail ? vldrbq_z_s32(wp, p32) : vldrbq_s32(wp);
            xv = vaddq_n_s32(xv, p->input_offset);
            acc = vaddq_s32(acc, vmulq_s32(xv, wv));
        }
    }
    if (quant->count == 1) {
        mult = vdupq_n_s32(quant->multiplier[0]);
        shift = vdupq_n_s32(quant->shift[0]);
    } else if (tail) {
        mult = vldrwq_z_s32(quant->multiplier + c, p32);
        shift = vldrwq_z_s32(quant->shift + c, p32);
    } else {
        mult = vldrwq_s32(quant->multiplier + c);
        shift = vldrwq_s32(quant->shift + c);
    }
    acc = lwai_mve_offset_clamp(lwai_mve_requant_v(acc, mult, shift), p->output_offset, lo, hi);
    if (tail) {
        vstrbq_p_s32(out + c, acc, p32);
    } else {
        vstrbq_s32(out + c, acc);
    }
}

/* The full 8-channel groups of n output pixels by the 3x3 path; x at tap (0, 0) channel 0
 * of the first pixel, pixels `step` bytes apart, rows `row` bytes apart (the input's, or a
 * 3x3 patch's). Not inlined, the group body inlined: one call per run of pixels. */
static __attribute__((noinline)) void dw3_run(const lwai_dw3_group *grp, const int8_t *x,
                                              int32_t step, int32_t n, int32_t row,
                                              int32_t cin, int8_t *out, int32_t output_offset,
                                              int32x4_t lo32, int32x4_t hi32)
{
    /* act_min/act_max are int8 values for s8 kernels (kernels.h). */
    const int16x8_t lo = vdupq_n_s16((int16_t)vgetq_lane_s32(lo32, 0));
    const int16x8_t hi = vdupq_n_s16((int16_t)vgetq_lane_s32(hi32, 0));
    const int32_t groups = cin >> 3;
    int32_t i, gi;
    for (i = 0; i < n; ++i, x += step, out += cin) {
        for (gi = 0; gi < groups; ++gi) {
            dw3_group(grp + gi, x + 8 * gi, row, cin, out + 8 * gi, output_offset, lo, hi);
        }
    }
}

/* First and one-past-last tap index k with 0 <= origin + k * dilation < size. */
static void tap_range(int32_t origin, int32_t dilation, int32_t taps, int32_t size,
                      int32_t *k0, int32_t *k1)
{
    int32_t lo = origin < 0 ? (-origin + dilation - 1) / dilation : 0;
    int32_t hi = size - origin <= 0 ? 0 : (size - origin + dilation - 1) / dilation;
    if (hi > taps) {
        hi = taps;
    }
    *k0 = lo;
    *k1 = hi > lo ? hi : lo;
}

lwai_status lwai_depthwise_conv2d_opt_s8(const lwai_context *ctx,
                                         const lwai_depthwise_conv2d_params *params,
                                         const lwai_channel_quant *quant,
                                         const lwai_dims *input_dims, const int8_t *input,
                                         const lwai_dims *filter_dims, const int8_t *filter,
                                         const lwai_dims *bias_dims, const int32_t *bias,
                                         const lwai_dims *output_dims, int8_t *output)
{
    const lwai_dw3_group *grp = 0;
    int8_t *patch = 0;
    int8_t pad = 0;
    int32_t b, oy, ox, c, cin, ox_in0 = 0, ox_in1 = 0;
    int32x4_t lo, hi;
    if (params == 0 || quant == 0 || input_dims == 0 || input == 0 ||
        filter_dims == 0 || filter == 0 || output_dims == 0 || output == 0 ||
        !dw_args_ok(params, quant, input_dims, filter_dims, bias_dims, bias, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    /* ctx may be NULL when the buffer size is 0 (filters other than 3x3). */
    if (lwai_depthwise_conv2d_opt_s8_get_buffer_size(params, input_dims, filter_dims,
                                                     output_dims) > 0 &&
        (ctx == 0 || ctx->buf == 0 ||
         ctx->size < lwai_depthwise_conv2d_opt_s8_get_buffer_size(params, input_dims,
                                                                  filter_dims, output_dims))) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (params->depth_multiplier != 1 || params->act_min > params->act_max) {
        return lwai_depthwise_conv2d_s8(params, quant, input_dims, input, filter_dims, filter,
                                        bias_dims, bias, output_dims, output);
    }
    cin = input_dims->c;
    /* The 3x3 path clamps in int16: bounds and output offset must be int8 values, as TFLite
     * int8 always has them (others take the generic path). */
    if (dw3_applies(params, filter_dims) && cin > 0 && params->act_min >= LWAI_INT8_MIN &&
        params->act_max <= LWAI_INT8_MAX && params->output_offset >= LWAI_INT8_MIN &&
        params->output_offset <= LWAI_INT8_MAX) {
        lwai_dw3_group *g = (lwai_dw3_group *)ctx->buf;
        dw3_prepare(g, filter, bias, quant, cin, params->input_offset);
        grp = g;
        /* Output columns whose 3 taps are inside: 0 <= ox * stride - pad and
         * ox * stride - pad + 2 < width. */
        ox_in0 = (params->pad_left + params->stride_w - 1) / params->stride_w;
        ox_in1 = input_dims->w - 3 + params->pad_left < 0
                     ? 0
                     : (input_dims->w - 3 + params->pad_left) / params->stride_w + 1;
        ox_in1 = lwai_min_i32(ox_in1, output_dims->w);
        /* Padded taps as the zero point need it to be an int8 value (always in TFLite);
         * fewer than 8 channels have no group to run on a patch. */
        if (params->input_offset >= -127 && params->input_offset <= 128 && cin >= 8) {
            patch = (int8_t *)(g + (cin + 7) / 8);
            pad = (int8_t)(-params->input_offset);
        }
    }
    lo = vdupq_n_s32(params->act_min);
    hi = vdupq_n_s32(params->act_max);
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t iy0 = oy * params->stride_h - params->pad_top;
            int32_t ky0, ky1;
            tap_range(iy0, params->dilation_h, filter_dims->h, input_dims->h, &ky0, &ky1);
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t ix0 = ox * params->stride_w - params->pad_left;
                int8_t *out = output + ((b * output_dims->h + oy) * output_dims->w + ox) * cin;
                int32_t kx0, kx1;
                c = 0;
                if (grp != 0 && ky1 - ky0 == 3 && ox == ox_in0 && ox_in1 > ox_in0 &&
                    (cin & 7) == 0) {
                    /* The run of pixels of this row with all 9 taps inside: straight from
                     * the input. */
                    const int8_t *x =
                        input + ((b * input_dims->h + iy0) * input_dims->w + ix0) * cin;
                    dw3_run(grp, x, params->stride_w * cin, ox_in1 - ox, input_dims->w * cin,
                            cin, out, params->output_offset, lo, hi);
                    ox = ox_in1 - 1;
                    continue;
                }
                tap_range(ix0, params->dilation_w, filter_dims->w, input_dims->w, &kx0, &kx1);
                if (grp != 0 && ky1 - ky0 == 3 && kx1 - kx0 == 3) {
                    /* All 9 taps inside: straight from the input. */
                    const int8_t *x =
                        input + ((b * input_dims->h + iy0) * input_dims->w + ix0) * cin;
                    dw3_run(grp, x, 0, 1, input_dims->w * cin, cin, out, params->output_offset,
                            lo, hi);
                    c = cin & ~7;
                } else if (patch != 0) {
                    /* A border pixel: its 3x3 patch with padded taps at the zero point. */
                    int32_t ky;
                    for (ky = 0; ky < 3; ++ky) {
                        const int32_t iy = iy0 + ky;
                        int8_t *dst = patch + ky * 3 * cin;
                        if (iy < 0 || iy >= input_dims->h) {
                            lwai_mve_fill(dst, pad, 3 * cin);
                        } else {
                            lwai_mve_patch_row(dst,
                                               input + (b * input_dims->h + iy) *
                                                           input_dims->w * cin,
                                               ix0, 3, input_dims->w, cin, pad);
                        }
                    }
                    dw3_run(grp, patch, 0, 1, 3 * cin, cin, out, params->output_offset, lo, hi);
                    c = cin & ~7;
                }
                for (; c + 4 <= cin; c += 4) {
                    dw_generic_group(params, quant, input_dims, input, filter_dims, filter, bias,
                                     b, iy0, ix0, ky0, ky1, kx0, kx1, c, out, lo, hi, 0);
                }
                if (c < cin) {
                    dw_generic_group(params, quant, input_dims, input, filter_dims, filter, bias,
                                     b, iy0, ix0, ky0, ky1, kx0, kx1, c, out, lo, hi, 1);
                }
            }
        }
    }
    return LWAI_OK;
}
