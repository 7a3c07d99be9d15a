/* CONV_2D int8 for Cortex-M55 (MVE): a GEMM of 4 output pixels by one output channel at a
 * time, rows = the pixels' KH x KW x Cin patches. A 1x1 convolution reads its pixels in
 * place; any other filter goes through a 4-pixel im2col in ctx->buf, padded taps set to
 * the input zero point (so they add 0, as the reference's skipped taps). Depth k <= 16
 * (person_detect's 8- and 16-channel 1x1 layers and its 3x3 x 1 first layer): the 4 rows
 * stay in registers, 4 VMLADAV per channel; deeper: LWAI_MVE_DOT4_S8's tail-predicated
 * loop. input_offset * sum(weights) + bias and the split shifts are planned per channel
 * once per call in ctx->buf; the 4 sums are requantized as one vector and scattered to the
 * 4 pixels. Grouped convolutions go to the reference. */
#include "mve_common.h"

/* 1x1, no padding, every tap inside the input: the pixels are GEMM rows as they are. */
static int conv_direct(const lwai_conv2d_params *p, const lwai_dims *in, const lwai_dims *f,
                       const lwai_dims *out)
{
    return f->h == 1 && f->w == 1 && p->pad_top == 0 && p->pad_left == 0 &&
           (out->h == 0 || (out->h - 1) * p->stride_h < in->h) &&
           (out->w == 0 || (out->w - 1) * p->stride_w < in->w);
}

/* Padded taps hold -input_offset, which must be an int8 value (always for TFLite int8,
 * whose zero points are in [-128, 127]). */
static int conv_pad_ok(const lwai_conv2d_params *p)
{
    return p->input_offset >= -127 && p->input_offset <= 128;
}

int32_t lwai_conv2d_opt_s8_get_buffer_size(const lwai_conv2d_params *params,
                                           const lwai_dims *input_dims,
                                           const lwai_dims *filter_dims,
                                           const lwai_dims *output_dims)
{
    int32_t bytes;
    int direct;
    if (params == 0 || input_dims == 0 || filter_dims == 0 || output_dims == 0 ||
        filter_dims->c != input_dims->c) {
        return 0; /* grouped: the reference kernel, no scratch */
    }
    direct = conv_direct(params, input_dims, filter_dims, output_dims);
    if (!direct && !conv_pad_ok(params)) {
        return 0;
    }
    /* 16 bytes of channel constants per output channel, then 4 im2col rows. */
    bytes = (int32_t)sizeof(lwai_mve_chan) * output_dims->c;
    if (!direct) {
        bytes += 4 * filter_dims->h * filter_dims->w * filter_dims->c;
    }
    return bytes;
}

static int conv_args_ok(const lwai_conv2d_params *p, const lwai_channel_quant *q,
                        const lwai_dims *in, const lwai_dims *f, const lwai_dims *bias_dims,
                        const int32_t *bias, const lwai_dims *out)
{
    if (p->stride_h <= 0 || p->stride_w <= 0 || p->dilation_h <= 0 || p->dilation_w <= 0 ||
        !lwai_dims_valid(in) || !lwai_dims_valid(f) || !lwai_dims_valid(out) || f->c <= 0 ||
        in->c % f->c != 0 || out->c != f->n || in->n != out->n ||
        out->c % (in->c / f->c) != 0 || q->multiplier == 0 || q->shift == 0 ||
        (q->count != 1 && q->count != out->c)) {
        return 0;
    }
    return bias == 0 || (bias_dims != 0 && lwai_dims_count(bias_dims) == out->c);
}

/* Longest patch gathered (8 x 16 elements: micro_speech's 10x8 x 1 is 5 pieces). */
#define CONV_GATHER_PIECES 8

/* Geometry for im2col, copied once per call (no params/dims pointer chasing per pixel). */
typedef struct {
    const int8_t *input;
    int32_t ih, iw, cin, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow;
    int32_t ox_lo, ox_hi; /* output columns whose taps are all inside the input's width */
    /* Gather im2col: the patch in pieces of 16 elements, each within 255 bytes of its
     * first element (byte gathers take 8-bit offsets); 0 pieces: not possible. */
    int32_t pieces;
    int32_t gbase[CONV_GATHER_PIECES];     /* input offset of each piece's first element */
    uint8x16_t goffs[CONV_GATHER_PIECES];  /* offsets of its elements from there */
    int8_t pad;           /* the input zero point: padded taps add 0 */
} conv_geom;

/* The im2col row of output pixel (b, oy, ox) when some tap is padding or the filter is
 * dilated along x: per filter row, padded taps set to the input zero point. */
static __attribute__((noinline)) void im2col_border(int8_t *dst, const conv_geom *g, int32_t b,
                                                    int32_t oy, int32_t ox)
{
    const int32_t cin = g->cin;
    const int32_t run = g->kw * cin;
    const int32_t iy0 = oy * g->sh - g->pt;
    const int32_t ix0 = ox * g->sw - g->pl;
    int32_t ky, kx;
    if (g->dw == 1 && run <= 16) {
        /* A filter row is one vector: lanes of taps inside the row loaded (predicated, so
         * lanes of taps left of the row touch no memory), the others the pad value. */
        const int8x16_t padv = vdupq_n_s8(g->pad);
        const mve_pred16_t keep = vctp8q((uint32_t)run);
        const int32_t lo = lwai_clamp_i32(-ix0, 0, g->kw) * cin;
        const int32_t hi = lwai_clamp_i32(g->iw - ix0, 0, g->kw) * cin;
        const mve_pred16_t inside = (mve_pred16_t)(vctp8q((uint32_t)hi) & ~vctp8q((uint32_t)lo));
        for (ky = 0; ky < g->kh; ++ky, dst += run) {
            const int32_t iy = iy0 + ky * g->dh;
            int8x16_t v = padv;
            if (iy >= 0 && iy < g->ih && hi > lo) {
                /* Address of tap 0, possibly left of the row: formed as an integer. */
                const uintptr_t at = (uintptr_t)g->input +
                                     (uintptr_t)(((b * g->ih + iy) * g->iw + ix0) * cin);
                v = vpselq_s8(vldrbq_z_s8((const int8_t *)at, inside), padv, inside);
            }
            vstrbq_p_s8(dst, v, keep);
        }
        return;
    }
    for (ky = 0; ky < g->kh; ++ky, dst += run) {
        const int32_t iy = iy0 + ky * g->dh;
        const int8_t *src;
        if (iy < 0 || iy >= g->ih) {
            lwai_mve_fill(dst, g->pad, run);
            continue;
        }
        src = g->input + (b * g->ih + iy) * g->iw * cin;
        if (g->dw == 1) {
            lwai_mve_patch_row(dst, src, ix0, g->kw, g->iw, cin, g->pad);
            continue;
        }
        for (kx = 0; kx < g->kw; ++kx) {
            const int32_t ix = ix0 + kx * g->dw;
            if (ix < 0 || ix >= g->iw) {
                lwai_mve_fill(dst + kx * cin, g->pad, cin);
            } else {
                lwai_mve_copy(dst + kx * cin, src + ix * cin, cin);
            }
        }
    }
}

/* im2col rows (k bytes apart) of n output pixels from (b, oy, ox) on. Runs of pixels with
 * every tap inside (columns ox_lo..ox_hi-1 of a row whose taps are all inside, no x
 * dilation: the usual case) copy KH runs of KW * Cin contiguous bytes each; a run of up to
 * 16 bytes (micro_speech's 8, person_detect's 3) is one predicated load and store. Not
 * inlined: the GEMM loop around it keeps its registers. */
static __attribute__((noinline)) void im2col_block(int8_t *dst, int32_t k, const conv_geom *g,
                                                   int32_t b, int32_t oy, int32_t ox, int32_t n)
{
    const int32_t cin = g->cin;
    const int32_t run = g->kw * cin;
    const int32_t step = g->dh * g->iw * cin;
    const int32_t sstep = g->sw * cin;
    const mve_pred16_t keep = vctp8q((uint32_t)run);
    int32_t i = 0, j, ky;
    while (i < n) {
        const int32_t iy0 = oy * g->sh - g->pt;
        int32_t m = 1;
        if (g->dw == 1 && iy0 >= 0 && iy0 + (g->kh - 1) * g->dh < g->ih && ox >= g->ox_lo &&
            ox < g->ox_hi) {
            const int8_t *src =
                g->input + ((b * g->ih + iy0) * g->iw + ox * g->sw - g->pl) * cin;
            m = lwai_min_i32(n - i, g->ox_hi - ox);
            if (g->pieces == 1) {
                /* The whole patch (person_detect's 3x3 x 1: 9 bytes) in one gather. */
                const mve_pred16_t pk = vctp8q((uint32_t)k);
                for (j = 0; j < m; ++j, src += sstep, dst += k) {
                    vstrbq_p_s8(dst, vldrbq_gather_offset_z_s8(src, g->goffs[0], pk), pk);
                }
            } else if (g->pieces > 1) {
                /* 16 patch elements a gather (micro_speech's 10x8 x 1: five) instead of a
                 * load and store per filter row. */
                for (j = 0; j < m; ++j, src += sstep, dst += k) {
                    int32_t q;
                    for (q = 0; q < g->pieces; ++q) {
                        const mve_pred16_t pq = vctp8q((uint32_t)(k - 16 * q));
                        vstrbq_p_s8(dst + 16 * q,
                                    vldrbq_gather_offset_z_s8(src + g->gbase[q], g->goffs[q], pq),
                                    pq);
                    }
                }
            } else {
                for (j = 0; j < m; ++j, src += sstep, dst += k) {
                    const int8_t *s = src;
                    int8_t *d = dst;
                    if (run <= 16) {
                        for (ky = 0; ky < g->kh; ++ky, s += step, d += run) {
                            vstrbq_p_s8(d, vldrbq_z_s8(s, keep), keep);
                        }
                    } else {
                        for (ky = 0; ky < g->kh; ++ky, s += step, d += run) {
                            lwai_mve_copy(d, s, run);
                        }
                    }
                }
            }
        } else {
            im2col_border(dst, g, b, oy, ox);
            dst += k;
        }
        i += m;
        ox += m;
        if (ox == g->ow) {
            ox = 0;
            if (++oy == g->oh) {
                oy = 0;
                ++b;
            }
        }
    }
}

/* One output channel of 4 GEMM rows: dot products, requantization, clamp, scatter of the 4
 * bytes to their pixels (tail: only the lanes of keep). */
#define CONV_GEMM_CHANNEL(tail)                                                                 \
    do {                                                                                        \
        int32x4_t acc;                                                                          \
        LWAI_MVE_DOT4_S8(acc, w, r0, r1, r2, r3, k, ch->kc);                                    \
        acc = lwai_mve_requant_n(acc, ch->mult, ch->left, ch->right);                           \
        acc = vminq_s32(vmaxq_s32(vqaddq_s32(acc, offset), lo), hi);                            \
        if (tail) {                                                                             \
            vstrbq_scatter_offset_p_s32(dst, offs, acc, keep);                                  \
        } else {                                                                                \
            vstrbq_scatter_offset_s32(dst, offs, acc);                                          \
        }                                                                                       \
    } while (0)

/* All output channels of 4 GEMM rows (output pixels); keep: the rows to store. Not
 * inlined: on its own the loop keeps its live values (4 sums, 4 rows, weights, k, channel,
 * destination, end; 5 constant vectors) in registers. */
static __attribute__((noinline)) void gemm_block(const int8_t *w, const int8_t *r0,
                                                 const int8_t *r1, const int8_t *r2,
                                                 const int8_t *r3, int32_t k,
                                                 const lwai_mve_chan *ch, int32_t cout,
                                                 int8_t *dst, const int32x4_t *consts,
                                                 mve_pred16_t keep)
{
    const lwai_mve_chan *end = ch + cout;
    /* consts: scatter offsets, output offset, act_min, act_max */
    const uint32x4_t offs = vreinterpretq_u32_s32(consts[0]);
    const int32x4_t offset = consts[1];
    const int32x4_t lo = consts[2];
    const int32x4_t hi = consts[3];
    if (keep == 0xFFFF) {
        for (; ch < end; ++ch, w += k, ++dst) {
            CONV_GEMM_CHANNEL(0);
        }
    } else {
        for (; ch < end; ++ch, w += k, ++dst) {
            CONV_GEMM_CHANNEL(1);
        }
    }
}

/* One output channel of gemm_block_k16: 4 VMLADAV of the loaded rows with the weights,
 * the sums into one vector with 2 two-lane VMOVs, then as CONV_GEMM_CHANNEL. */
#define CONV_K16_CHANNEL(tail)                                                                  \
    do {                                                                                        \
        const int8x16_t wv = vldrbq_z_s8(w, pk);                                                \
        int32_t a0, a1, a2, a3;                                                                 \
        int32x4_t acc;                                                                          \
        __asm__("vmladav.s8 %[a0], %q[x0], %q[w]\n\t"                                          \
                "vmladav.s8 %[a1], %q[x1], %q[w]\n\t"                                          \
                "vmladav.s8 %[a2], %q[x2], %q[w]\n\t"                                          \
                "vmladav.s8 %[a3], %q[x3], %q[w]\n\t"                                          \
                "vmov %q[o][2], %q[o][0], %[a0], %[a2]\n\t"                                    \
                "vmov %q[o][3], %q[o][1], %[a1], %[a3]"                                         \
                : [a0] "=&Te"(a0), [a1] "=&Te"(a1), [a2] "=&Te"(a2), [a3] "=&Te"(a3),           \
                  [o] "=w"(acc)                                                                 \
                : [x0] "w"(x0), [x1] "w"(x1), [x2] "w"(x2), [x3] "w"(x3), [w] "w"(wv));         \
        acc = vaddq_n_s32(acc, ch->kc);                                                         \
        acc = lwai_mve_requant_n(acc, ch->mult, ch->left, ch->right);                           \
        acc = vminq_s32(vmaxq_s32(vqaddq_n_s32(acc, offset), lo), hi);                          \
        if (tail) {                                                                             \
            vstrbq_scatter_offset_p_s32(dst, offs, acc, keep);                                  \
        } else {                                                                                \
            vstrbq_scatter_offset_s32(dst, offs, acc);                                          \
        }                                                                                       \
    } while (0)

/* gemm_block for k <= 16 (person_detect's 1x1 layers over 8 and 16 channels, its first
 * 3x3 layer): the 4 rows are loaded once (lanes past k zero), each output channel is one
 * weight load and 4 VMLADAV, no loop to set up or pointers to restore. */
static __attribute__((noinline)) void gemm_block_k16(const int8_t *w, const int8_t *r0,
                                                     const int8_t *r1, const int8_t *r2,
                                                     const int8_t *r3, int32_t k,
                                                     const lwai_mve_chan *ch, int32_t cout,
                                                     int8_t *dst, const int32x4_t *consts,
                                                     mve_pred16_t keep)
{
    const lwai_mve_chan *end = ch + cout;
    const mve_pred16_t pk = vctp8q((uint32_t)k);
    const int8x16_t x0 = vldrbq_z_s8(r0, pk);
    const int8x16_t x1 = vldrbq_z_s8(r1, pk);
    const int8x16_t x2 = vldrbq_z_s8(r2, pk);
    const int8x16_t x3 = vldrbq_z_s8(r3, pk);
    const uint32x4_t offs = vreinterpretq_u32_s32(consts[0]);
    const int32_t offset = vgetq_lane_s32(consts[1], 0);
    const int32x4_t lo = consts[2];
    const int32x4_t hi = consts[3];
    if (keep == 0xFFFF) {
        for (; ch < end; ++ch, w += k, ++dst) {
            CONV_K16_CHANNEL(0);
        }
    } else {
        for (; ch < end; ++ch, w += k, ++dst) {
            CONV_K16_CHANNEL(1);
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
    lwai_mve_chan *ch;
    int8_t *cols;
    const int8_t *rows[4];
    int32_t size, k, cout, total, p, i, b = 0, oy = 0, ox = 0;
    int direct;
    int32x4_t consts[4];
    conv_geom geom;
    if (params == 0 || quant == 0 || input_dims == 0 || input == 0 ||
        filter_dims == 0 || filter == 0 || output_dims == 0 || output == 0 ||
        !conv_args_ok(params, quant, input_dims, filter_dims, bias_dims, bias, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    size = lwai_conv2d_opt_s8_get_buffer_size(params, input_dims, filter_dims, output_dims);
    if (size > 0 && (ctx == 0 || ctx->buf == 0 || ctx->size < size)) {
        return LWAI_ERR_INVALID_ARG;
    }
    /* Grouped, a zero point an int8 pad byte cannot hold (size 0 for both), or an empty
     * activation range (where the reference's clamp order matters). */
    if (size == 0 || params->act_min > params->act_max) {
        return lwai_conv2d_s8(params, quant, input_dims, input, filter_dims, filter, bias_dims,
                              bias, output_dims, output);
    }
    direct = conv_direct(params, input_dims, filter_dims, output_dims);
    cout = output_dims->c;
    k = filter_dims->h * filter_dims->w * filter_dims->c;
    total = output_dims->n * output_dims->h * output_dims->w;
    ch = (lwai_mve_chan *)ctx->buf;
    cols = (int8_t *)(ch + cout);
    lwai_mve_prepare_channels(ch, filter, cout, k, params->input_offset, bias, quant);
    geom.input = input;
    geom.ih = input_dims->h;
    geom.iw = input_dims->w;
    geom.cin = input_dims->c;
    geom.kh = filter_dims->h;
    geom.kw = filter_dims->w;
    geom.sh = params->stride_h;
    geom.sw = params->stride_w;
    geom.dh = params->dilation_h;
    geom.dw = params->dilation_w;
    geom.pt = params->pad_top;
    geom.pl = params->pad_left;
    geom.oh = output_dims->h;
    geom.ow = output_dims->w;
    /* ox * stride - pad >= 0 and ox * stride - pad + kw <= width (dilation 1) */
    geom.ox_lo = (geom.pl + geom.sw - 1) / geom.sw;
    geom.ox_hi = geom.iw - geom.kw + geom.pl < 0
                     ? 0
                     : lwai_min_i32((geom.iw - geom.kw + geom.pl) / geom.sw + 1, geom.ow);
    geom.pad = (int8_t)(-params->input_offset);
    geom.pieces = 0;
    if (!direct && geom.dw == 1 && k <= 16 * CONV_GATHER_PIECES) {
        /* Patch element e is at (e / run) * row step + e % run from tap (0, 0). */
        const int32_t run = geom.kw * geom.cin;
        const int32_t row = geom.dh * geom.iw * geom.cin;
        int32_t q, ok = 1;
        for (q = 0; q * 16 < k && ok; ++q) {
            uint8_t offs[16] = {0};
            const int32_t e0 = 16 * q;
            const int32_t base = (e0 / run) * row + e0 % run;
            for (i = e0; i < k && i < e0 + 16; ++i) {
                const int32_t rel = (i / run) * row + i % run - base;
                ok = ok && rel <= 255;
                offs[i - e0] = (uint8_t)rel;
            }
            geom.gbase[q] = base;
            geom.goffs[q] = vld1q_u8(offs);
        }
        geom.pieces = ok ? q : 0;
    }
    consts[0] = vreinterpretq_s32_u32(vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)cout));
    consts[1] = vdupq_n_s32(params->output_offset);
    consts[2] = vdupq_n_s32(params->act_min);
    consts[3] = vdupq_n_s32(params->act_max);

    for (p = 0; p < total; p += 4) {
        const int32_t n = lwai_min_i32(4, total - p);
        int8_t *dst = output + p * cout;
        if (direct) {
            for (i = 0; i < n; ++i) {
                rows[i] = input + ((b * input_dims->h + oy * params->stride_h) * input_dims->w +
                                   ox * params->stride_w) *
                                      input_dims->c;
                if (++ox == output_dims->w) {
                    ox = 0;
                    if (++oy == output_dims->h) {
                        oy = 0;
                        ++b;
                    }
                }
            }
        } else {
            im2col_block(cols, k, &geom, b, oy, ox, n);
            for (i = 0; i < n; ++i) {
                rows[i] = cols + i * k;
            }
            /* im2col_block advanced its own copy of the position. */
            ox += n;
            while (ox >= output_dims->w) {
                ox -= output_dims->w;
                if (++oy == output_dims->h) {
                    oy = 0;
                    ++b;
                }
            }
        }
        for (; i < 4; ++i) {
            rows[i] = rows[0]; /* a partial block computes its first row again, unstored */
        }
        if (k <= 16) {
            gemm_block_k16(filter, rows[0], rows[1], rows[2], rows[3], k, ch, cout, dst, consts,
                           vctp32q((uint32_t)n));
        } else {
            gemm_block(filter, rows[0], rows[1], rows[2], rows[3], k, ch, cout, dst, consts,
                       vctp32q((uint32_t)n));
        }
    }
    return LWAI_OK;
}
