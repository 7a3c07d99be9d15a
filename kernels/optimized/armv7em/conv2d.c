/*
 * CONV_2D int8 for Armv7E-M (Cortex-M4/M7/M33): every filter shape as one GEMM over a
 * partial im2col.
 *
 * Output pixels go in blocks of LWAI_CONV_PIX = 4. For each block the kernel writes each
 * pixel's patch (KH*KW*Cin values, padding as the zero point) into ctx->buf as int16 with
 * the input offset already added (so padding is 0), interleaved per 4 values so one
 * pointer walks all 4 pixels: [group g][pixel p] = {lo(x), hi(x)} (see opt_common.h for
 * the lane order). The inner loop then loads 4 filter bytes of one output channel once,
 * splits them into two q15 pairs and does 8 SMLADs against the 4 pixels: 16 MACs in
 * 1 LDR + 2 SXTB16 + 4 LDRD + 8 SMLAD, ~1 instruction per MAC. Leftover K % 4 values go
 * through a scalar tail; a last partial block repeats its last pixel (outputs not stored).
 * 1x1 filters without padding read the input pixel directly (no int8 staging).
 *
 * Grouped convolution (input c != filter c) and input offsets whose zero point does not
 * fit int8 go to the reference kernel lwai_conv2d_s8 (always linked with this file).
 */
#include "opt_common.h"

#define LWAI_CONV_PIX 4

/* One group of 4 filter bytes (at w + WOFF) against the 4 pixels' pairs at a[AOFF..+3]:
 * 64-bit loads become LDRD (two int16 pairs per instruction). */
#define LWAI_CONV_STEP(WOFF, AOFF)                                                            \
    do {                                                                                      \
        const uint32_t v_ = lwai_opt_read_u32(w + (WOFF));                                    \
        const uint32_t wl_ = lwai_opt_lo(v_), wh_ = lwai_opt_hi(v_);                          \
        uint32_t x0_, x1_;                                                                    \
        LWAI_OPT_LDRD(x0_, x1_, a, AOFF);                                                     \
        acc0 = lwai_opt_smlad(x0_, wl_, acc0);                                                \
        acc0 = lwai_opt_smlad(x1_, wh_, acc0);                                                \
        LWAI_OPT_LDRD(x0_, x1_, a, AOFF + 8);                                                 \
        acc1 = lwai_opt_smlad(x0_, wl_, acc1);                                                \
        acc1 = lwai_opt_smlad(x1_, wh_, acc1);                                                \
        LWAI_OPT_LDRD(x0_, x1_, a, AOFF + 16);                                                \
        acc2 = lwai_opt_smlad(x0_, wl_, acc2);                                                \
        acc2 = lwai_opt_smlad(x1_, wh_, acc2);                                                \
        LWAI_OPT_LDRD(x0_, x1_, a, AOFF + 24);                                                \
        acc3 = lwai_opt_smlad(x0_, wl_, acc3);                                                \
        acc3 = lwai_opt_smlad(x1_, wh_, acc3);                                                \
    } while (0)

static int conv_shapes_ok(const lwai_dims *in, const lwai_dims *f, const lwai_dims *out)
{
    if (!lwai_dims_valid(in) || !lwai_dims_valid(f) || !lwai_dims_valid(out)) {
        return 0;
    }
    if (f->c <= 0 || in->c % f->c != 0 || out->c != f->n || in->n != out->n) {
        return 0;
    }
    return (out->c % (in->c / f->c)) == 0;
}

/* The fast path: one group and a zero point that fits int8 (always, for TFLite models). */
static int conv_fast(const lwai_conv2d_params *p, const lwai_dims *in, const lwai_dims *f)
{
    return in->c == f->c && p->input_offset >= -127 && p->input_offset <= 128;
}

/* 1x1 filters whose taps are all inside the input: patch = the input pixel itself. (The
 * geometry check guards against output dims larger than stride and input allow, which the
 * reference survives by skipping taps outside; those go through the staging path.) */
static int conv_direct(const lwai_conv2d_params *p, const lwai_dims *in, const lwai_dims *f,
                       const lwai_dims *out)
{
    return f->h == 1 && f->w == 1 && p->pad_top == 0 && p->pad_left == 0 &&
           (out->h == 0 || (out->h - 1) * p->stride_h < in->h) &&
           (out->w == 0 || (out->w - 1) * p->stride_w < in->w);
}

int32_t lwai_conv2d_opt_s8_get_buffer_size(const lwai_conv2d_params *params,
                                           const lwai_dims *input_dims,
                                           const lwai_dims *filter_dims,
                                           const lwai_dims *output_dims)
{
    int32_t k;
    if (params == 0 || input_dims == 0 || filter_dims == 0 || output_dims == 0 ||
        !conv_fast(params, input_dims, filter_dims)) {
        return 0;
    }
    k = filter_dims->h * filter_dims->w * filter_dims->c;
    /* int16 patches of 4 pixels, plus the int8 staging row (rounded to words) */
    return LWAI_CONV_PIX * 2 * k +
           (conv_direct(params, input_dims, filter_dims, output_dims) ? 0 : (k + 3) / 4 * 4);
}

/* Stage the int8 patch of output pixel (b, oy, ox) in row[k], the zero point in padding. */
static void conv_stage(const lwai_conv2d_params *p, const lwai_dims *in, const int8_t *input,
                       const lwai_dims *f, int32_t b, int32_t oy, int32_t ox, int8_t *row)
{
    const int32_t cin = in->c;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const int8_t zp = (int8_t)(-p->input_offset);
    const int32_t row_len = f->w * cin;
    int32_t ky, kx, i;
    for (ky = 0; ky < f->h; ++ky) {
        const int32_t iy = iy0 + p->dilation_h * ky;
        if (iy < 0 || iy >= in->h) {
            for (i = 0; i < row_len; ++i) {
                row[i] = zp;
            }
        } else {
            const int8_t *src = input + (b * in->h + iy) * in->w * cin;
            if (p->dilation_w == 1 && ix0 >= 0 && ix0 + f->w <= in->w) {
                /* the whole kernel row is inside: one contiguous copy */
                const int8_t *s = src + ix0 * cin;
                for (i = 0; i < row_len; ++i) {
                    row[i] = s[i];
                }
            } else {
                for (kx = 0; kx < f->w; ++kx) {
                    const int32_t ix = ix0 + p->dilation_w * kx;
                    int8_t *d = row + kx * cin;
                    if (ix < 0 || ix >= in->w) {
                        for (i = 0; i < cin; ++i) {
                            d[i] = zp;
                        }
                    } else {
                        const int8_t *s = src + ix * cin;
                        for (i = 0; i < cin; ++i) {
                            d[i] = s[i];
                        }
                    }
                }
            }
        }
        row += row_len;
    }
}

/* Expand one pixel's int8 patch into slot `slot` of the interleaved int16 block. */
static void conv_expand(const int8_t *row, int32_t k, uint32_t off2, int32_t slot, uint32_t *blk,
                        int16_t *tail, int32_t off)
{
    const int32_t groups = k >> 2;
    const int32_t rest = k & 3;
    uint32_t *d = blk + 2 * slot;
    int32_t g;
    for (g = 0; g < groups; ++g) {
        const uint32_t v = lwai_opt_read_u32(row);
        d[0] = lwai_opt_lo_off(v, off2);
        d[1] = lwai_opt_hi_off(v, off2);
        d += 2 * LWAI_CONV_PIX;
        row += 4;
    }
    for (g = 0; g < rest; ++g) {
        tail[slot * rest + g] = (int16_t)(row[g] + off);
    }
}

/* The patch of output pixel (b, oy, ox) straight into slot `slot`, kernel row by kernel
 * row, when a kernel row is a whole number of 4-value groups (KW * Cin % 4 == 0, e.g.
 * micro_speech's 10x8 filter over 1 channel): rows inside the input are expanded from the
 * input itself, rows in the top/bottom padding are zeros (the offset is already added),
 * and only rows cut by the left/right padding go through the int8 staging row. Saves the
 * byte copy of every patch. */
static void conv_fill_rows(const lwai_conv2d_params *p, const lwai_dims *in,
                           const int8_t *input, const lwai_dims *f, int32_t b, int32_t oy,
                           int32_t ox, int8_t *row, uint32_t off2, int32_t slot, uint32_t *blk)
{
    const int32_t cin = in->c;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const int32_t row_len = f->w * cin;
    const int32_t gpr = row_len >> 2; /* groups per kernel row */
    const int inside_x = p->dilation_w == 1 && ix0 >= 0 && ix0 + f->w <= in->w;
    uint32_t *d = blk + 2 * slot;
    int32_t ky, g, kx, i;
    for (ky = 0; ky < f->h; ++ky) {
        const int32_t iy = iy0 + p->dilation_h * ky;
        const int8_t *src;
        if (iy < 0 || iy >= in->h) {
            for (g = 0; g < gpr; ++g) {
                d[0] = 0;
                d[1] = 0;
                d += 2 * LWAI_CONV_PIX;
            }
            continue;
        }
        if (inside_x) {
            src = input + ((b * in->h + iy) * in->w + ix0) * cin;
        } else {
            const int8_t zp = (int8_t)(-p->input_offset);
            for (kx = 0; kx < f->w; ++kx) {
                const int32_t ix = ix0 + p->dilation_w * kx;
                const int8_t *sp = input + ((b * in->h + iy) * in->w + ix) * cin;
                int8_t *dst = row + kx * cin;
                const int ok = ix >= 0 && ix < in->w;
                for (i = 0; i < cin; ++i) {
                    dst[i] = ok ? sp[i] : zp;
                }
            }
            src = row;
        }
        for (g = 0; g < gpr; ++g) {
            const uint32_t v = lwai_opt_read_u32(src);
            d[0] = lwai_opt_lo_off(v, off2);
            d[1] = lwai_opt_hi_off(v, off2);
            d += 2 * LWAI_CONV_PIX;
            src += 4;
        }
    }
}

lwai_status lwai_conv2d_opt_s8(const lwai_context *ctx, const lwai_conv2d_params *params,
                               const lwai_channel_quant *quant, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *filter_dims,
                               const int8_t *filter, const lwai_dims *bias_dims,
                               const int32_t *bias, const lwai_dims *output_dims,
                               int8_t *output)
{
    int32_t need, k, groups, rest, npix, pix, cout, oc;
    int direct, rows4;
    uint32_t *blk;
    int16_t *tail;
    int8_t *row;
    uint32_t off2;
    lwai_opt_act act;
    int fast;
    if (params == 0 || quant == 0 || input == 0 || filter == 0 || output == 0 ||
        params->stride_h <= 0 || params->stride_w <= 0 || params->dilation_h <= 0 ||
        params->dilation_w <= 0 || !conv_shapes_ok(input_dims, filter_dims, output_dims) ||
        quant->multiplier == 0 || quant->shift == 0 ||
        (quant->count != 1 && quant->count != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (!conv_fast(params, input_dims, filter_dims)) {
        return lwai_conv2d_s8(params, quant, input_dims, input, filter_dims, filter, bias_dims,
                              bias, output_dims, output);
    }
    need = lwai_conv2d_opt_s8_get_buffer_size(params, input_dims, filter_dims, output_dims);
    if (need == 0) {
        /* an empty filter (0 taps): nothing to vectorise, and no scratch to ask for */
        return lwai_conv2d_s8(params, quant, input_dims, input, filter_dims, filter, bias_dims,
                              bias, output_dims, output);
    }
    /* the int16 block is read with LDRD: word alignment (ctx->buf is 16-byte aligned) */
    if (ctx == 0 || ctx->buf == 0 || ctx->size < need || ((uintptr_t)ctx->buf & 3u) != 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    k = filter_dims->h * filter_dims->w * filter_dims->c;
    groups = k >> 2;
    rest = k & 3;
    cout = output_dims->c;
    npix = output_dims->n * output_dims->h * output_dims->w;
    direct = conv_direct(params, input_dims, filter_dims, output_dims);
    rows4 = (filter_dims->w * filter_dims->c & 3) == 0;
    blk = (uint32_t *)ctx->buf;
    tail = (int16_t *)(blk + 2 * LWAI_CONV_PIX * groups);
    row = (int8_t *)ctx->buf + LWAI_CONV_PIX * 2 * k;
    off2 = lwai_opt_dup16(params->input_offset);
    /* copied: int8_t stores may alias *params, so the compiler would reload them */
    act = lwai_opt_act_of(params->output_offset, params->act_min, params->act_max);
    fast = lwai_opt_quant_fast(quant, params->act_min, params->act_max) &&
           lwai_opt_acc_fits(bias, cout, k);

    for (pix = 0; pix < npix; pix += LWAI_CONV_PIX) {
        const int32_t valid = npix - pix < LWAI_CONV_PIX ? npix - pix : LWAI_CONV_PIX;
        int32_t s;
        int8_t *out0 = output + pix * cout;
        for (s = 0; s < LWAI_CONV_PIX; ++s) {
            const int32_t q = pix + (s < valid ? s : valid - 1);
            const int32_t ox = q % output_dims->w;
            const int32_t oy = (q / output_dims->w) % output_dims->h;
            const int32_t b = q / (output_dims->w * output_dims->h);
            const int8_t *src;
            if (direct) {
                src = input + ((b * input_dims->h + oy * params->stride_h) * input_dims->w +
                               ox * params->stride_w) * input_dims->c;
            } else if (rows4) {
                conv_fill_rows(params, input_dims, input, filter_dims, b, oy, ox, row, off2, s,
                               blk);
                continue;
            } else {
                conv_stage(params, input_dims, input, filter_dims, b, oy, ox, row);
                src = row;
            }
            conv_expand(src, k, off2, s, blk, tail, params->input_offset);
        }
        for (oc = 0; oc < cout; ++oc) {
            const int8_t *w = filter + oc * k;
            const uint32_t *a = blk;
            int32_t acc0 = bias != 0 ? bias[oc] : 0;
            int32_t acc1 = acc0, acc2 = acc0, acc3 = acc0;
            int32_t g = groups;
            while (g >= 2) {
                LWAI_CONV_STEP(0, 0);
                LWAI_CONV_STEP(4, 32);
                a += 16;
                w += 8;
                g -= 2;
            }
            if (g != 0) {
                LWAI_CONV_STEP(0, 0);
                w += 4;
            }
            for (g = 0; g < rest; ++g) {
                const int32_t wv = w[g];
                acc0 += tail[g] * wv;
                acc1 += tail[rest + g] * wv;
                acc2 += tail[2 * rest + g] * wv;
                acc3 += tail[3 * rest + g] * wv;
            }
            if (valid == LWAI_CONV_PIX && fast) {
                const lwai_opt_rqf rf = lwai_opt_rqf_of(quant, oc);
                out0[oc] = lwai_opt_out_fast(acc0, rf, act.offset);
                out0[cout + oc] = lwai_opt_out_fast(acc1, rf, act.offset);
                out0[2 * cout + oc] = lwai_opt_out_fast(acc2, rf, act.offset);
                out0[3 * cout + oc] = lwai_opt_out_fast(acc3, rf, act.offset);
            } else {
                const lwai_opt_rq rq = lwai_opt_rq_of(quant, oc);
                out0[oc] = lwai_opt_out_act(acc0, rq, act);
                if (valid > 1) {
                    out0[cout + oc] = lwai_opt_out_act(acc1, rq, act);
                }
                if (valid > 2) {
                    out0[2 * cout + oc] = lwai_opt_out_act(acc2, rq, act);
                }
                if (valid > 3) {
                    out0[3 * cout + oc] = lwai_opt_out_act(acc3, rq, act);
                }
            }
        }
    }
    return LWAI_OK;
}
