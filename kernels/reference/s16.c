/* 16x8 reference kernels: int16 activations, int8 weights, int64 bias (TFLite Micro's
 * "16x8" quantization). Zero points of int16 tensors are 0 (TFLM requires it), so no input
 * or output offsets. Convolutions accumulate in int64 and rescale with TFLite's 64-bit
 * MultiplyByQuantizedMultiplier (the multiplier rounded to 16 bits first); ADD and MUL keep
 * the int8 scheme in int32 (|x| <= 2^15, so the shifted and multiplied values fit). */
#include "broadcast.h"

/* TFLite's MultiplyByQuantizedMultiplier(int64_t x, ...): x * round(m / 2^16) rounded at
 * bit 15 - shift; valid for shift in [-31, 7] and |x| < 2^47. The result is truncated to
 * int32 as TFLite does before clamping. */
static int32_t s16_mul_by_quantized_multiplier_64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    const int64_t r = x * (int64_t)reduced + ((int64_t)1 << (total_shift - 1));
    return (int32_t)(uint32_t)(uint64_t)(r >> total_shift);
}

static int s16_quant_ok(const lwai_channel_quant *q, int32_t channels)
{
    int32_t i;
    if (q == 0 || q->multiplier == 0 || q->shift == 0 || (q->count != 1 && q->count != channels)) {
        return 0;
    }
    for (i = 0; i < q->count; ++i) {
        /* total_shift = 15 - shift must stay in [1, 46] for the 64-bit rescale. */
        if (q->multiplier[i] < 0 || q->shift[i] < -31 || q->shift[i] > 7) {
            return 0;
        }
    }
    return 1;
}

static int s16_act_ok(int32_t lo, int32_t hi)
{
    return lo >= LWAI_INT16_MIN && hi <= LWAI_INT16_MAX && lo <= hi;
}

/* acc32: a model with an int32 bias, for which TFLM accumulates in int32 (wrapping in two's
 * complement on overflow, as its int32 sum does on every compiler lwai targets) and uses the
 * 32-bit MultiplyByQuantizedMultiplier; the int64 sum truncated to 32 bits is that sum. */
static int16_t s16_requant(int64_t acc, const lwai_channel_quant *q, int32_t c, int32_t lo,
                           int32_t hi, int32_t acc32)
{
    const int32_t k = q->count == 1 ? 0 : c;
    const int32_t v =
        acc32 ? lwai_mul_by_quantized_multiplier((int32_t)(uint32_t)(uint64_t)acc,
                                                 q->multiplier[k], q->shift[k])
              : s16_mul_by_quantized_multiplier_64(acc, q->multiplier[k], q->shift[k]);
    return (int16_t)lwai_clamp_i32(v, lo, hi);
}

static int s16_geometry_ok(const lwai_conv_s16_params *p)
{
    return p->stride_h > 0 && p->stride_w > 0 && p->dilation_h > 0 && p->dilation_w > 0 &&
           s16_act_ok(p->act_min, p->act_max);
}

lwai_status lwai_conv2d_s16(const lwai_conv_s16_params *params, const lwai_channel_quant *quant,
                            const lwai_dims *input_dims, const int16_t *input,
                            const lwai_dims *filter_dims, const int8_t *filter,
                            const lwai_dims *bias_dims, const int64_t *bias,
                            const lwai_dims *output_dims, int16_t *output)
{
    int32_t b, oy, ox, oc, ky, kx, ic, groups, filter_c, out_per_group;
    if (params == 0 || input == 0 || filter == 0 || output == 0 || !s16_geometry_ok(params) ||
        !lwai_dims_valid(input_dims) || !lwai_dims_valid(filter_dims) ||
        !lwai_dims_valid(output_dims) || filter_dims->c <= 0 ||
        input_dims->c % filter_dims->c != 0 || output_dims->c != filter_dims->n ||
        input_dims->n != output_dims->n ||
        output_dims->c % (input_dims->c / filter_dims->c) != 0 ||
        !s16_quant_ok(quant, output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    filter_c = filter_dims->c;
    groups = input_dims->c / filter_c;
    out_per_group = output_dims->c / groups;
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t iy0 = oy * params->stride_h - params->pad_top;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t ix0 = ox * params->stride_w - params->pad_left;
                for (oc = 0; oc < output_dims->c; ++oc) {
                    const int32_t ic0 = (oc / out_per_group) * filter_c;
                    int64_t acc = 0;
                    for (ky = 0; ky < filter_dims->h; ++ky) {
                        const int32_t iy = iy0 + params->dilation_h * ky;
                        if (iy < 0 || iy >= input_dims->h) {
                            continue; /* padding: zero (the zero point is 0) */
                        }
                        for (kx = 0; kx < filter_dims->w; ++kx) {
                            const int32_t ix = ix0 + params->dilation_w * kx;
                            const int16_t *ip;
                            const int8_t *fp;
                            if (ix < 0 || ix >= input_dims->w) {
                                continue;
                            }
                            ip = input + ((b * input_dims->h + iy) * input_dims->w + ix) *
                                             input_dims->c + ic0;
                            fp = filter + ((oc * filter_dims->h + ky) * filter_dims->w + kx) *
                                              filter_c;
                            for (ic = 0; ic < filter_c; ++ic) {
                                /* one product is < 2^22: exact in int32 */
                                acc += (int32_t)ip[ic] * (int32_t)fp[ic];
                            }
                        }
                    }
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           oc] = s16_requant(acc, quant, oc, params->act_min, params->act_max,
                                                  params->acc32);
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_depthwise_conv2d_s16(const lwai_conv_s16_params *params,
                                      const lwai_channel_quant *quant,
                                      const lwai_dims *input_dims, const int16_t *input,
                                      const lwai_dims *filter_dims, const int8_t *filter,
                                      const lwai_dims *bias_dims, const int64_t *bias,
                                      const lwai_dims *output_dims, int16_t *output)
{
    int32_t b, oy, ox, ic, m, ky, kx, dm;
    if (params == 0 || input == 0 || filter == 0 || output == 0 || !s16_geometry_ok(params) ||
        params->depth_multiplier < 1 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(filter_dims) || !lwai_dims_valid(output_dims) || filter_dims->n != 1 ||
        filter_dims->c != output_dims->c || input_dims->n != output_dims->n ||
        output_dims->c != input_dims->c * params->depth_multiplier ||
        !s16_quant_ok(quant, output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != output_dims->c)) {
        return LWAI_ERR_INVALID_ARG;
    }
    dm = params->depth_multiplier;
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            const int32_t iy0 = oy * params->stride_h - params->pad_top;
            for (ox = 0; ox < output_dims->w; ++ox) {
                const int32_t ix0 = ox * params->stride_w - params->pad_left;
                for (ic = 0; ic < input_dims->c; ++ic) {
                    for (m = 0; m < dm; ++m) {
                        const int32_t oc = ic * dm + m;
                        int64_t acc = 0;
                        for (ky = 0; ky < filter_dims->h; ++ky) {
                            const int32_t iy = iy0 + params->dilation_h * ky;
                            if (iy < 0 || iy >= input_dims->h) {
                                continue;
                            }
                            for (kx = 0; kx < filter_dims->w; ++kx) {
                                const int32_t ix = ix0 + params->dilation_w * kx;
                                if (ix < 0 || ix >= input_dims->w) {
                                    continue;
                                }
                                acc += (int32_t)input[((b * input_dims->h + iy) * input_dims->w +
                                                       ix) * input_dims->c + ic] *
                                       (int32_t)filter[(ky * filter_dims->w + kx) *
                                                           filter_dims->c + oc];
                            }
                        }
                        if (bias != 0) {
                            acc += bias[oc];
                        }
                        output[((b * output_dims->h + oy) * output_dims->w + ox) *
                                   output_dims->c + oc] =
                            s16_requant(acc, quant, oc, params->act_min, params->act_max,
                                        params->acc32);
                    }
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_fully_connected_s16(const lwai_fully_connected_s16_params *params,
                                     const lwai_channel_quant *quant,
                                     const lwai_dims *input_dims, const int16_t *input,
                                     const lwai_dims *filter_dims, const int8_t *filter,
                                     const lwai_dims *bias_dims, const int64_t *bias,
                                     const lwai_dims *output_dims, int16_t *output)
{
    int32_t rows, depth, cout, r, o, d;
    if (params == 0 || input == 0 || filter == 0 || output == 0 ||
        !s16_act_ok(params->act_min, params->act_max) || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(filter_dims) || !lwai_dims_valid(output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    depth = filter_dims->h * filter_dims->w * filter_dims->c;
    cout = filter_dims->n;
    if (depth <= 0 || lwai_dims_count(input_dims) % depth != 0 || output_dims->c != cout ||
        lwai_dims_count(output_dims) != (lwai_dims_count(input_dims) / depth) * cout ||
        !s16_quant_ok(quant, cout)) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (bias != 0 && (bias_dims == 0 || lwai_dims_count(bias_dims) != cout)) {
        return LWAI_ERR_INVALID_ARG;
    }
    rows = lwai_dims_count(input_dims) / depth;
    for (r = 0; r < rows; ++r) {
        const int16_t *x = input + r * depth;
        for (o = 0; o < cout; ++o) {
            const int8_t *w = filter + o * depth;
            int64_t acc = 0;
            for (d = 0; d < depth; ++d) {
                acc += (int32_t)x[d] * (int32_t)w[d];
            }
            if (bias != 0) {
                acc += bias[o];
            }
            output[r * cout + o] =
                s16_requant(acc, quant, o, params->act_min, params->act_max, params->acc32);
        }
    }
    return LWAI_OK;
}

/* ---- pooling: TFLite's int8 arithmetic on int16 (int32 sums, padded taps skipped) ---- */

static int s16_pool_ok(const lwai_pool2d_s16_params *p, const lwai_dims *in,
                       const lwai_dims *out)
{
    return p->stride_h > 0 && p->stride_w > 0 && p->filter_h > 0 && p->filter_w > 0 &&
           s16_act_ok(p->act_min, p->act_max) && lwai_dims_valid(in) && lwai_dims_valid(out) &&
           in->n == out->n && in->c == out->c;
}

typedef struct {
    int32_t iy0, ix0, ky0, ky1, kx0, kx1;
} s16_window;

static s16_window s16_window_at(const lwai_pool2d_s16_params *p, const lwai_dims *in, int32_t oy,
                                int32_t ox)
{
    s16_window w;
    w.iy0 = oy * p->stride_h - p->pad_top;
    w.ix0 = ox * p->stride_w - p->pad_left;
    w.ky0 = lwai_max_i32(0, -w.iy0);
    w.ky1 = lwai_min_i32(p->filter_h, in->h - w.iy0);
    w.kx0 = lwai_max_i32(0, -w.ix0);
    w.kx1 = lwai_min_i32(p->filter_w, in->w - w.ix0);
    return w;
}

static lwai_status s16_pool(const lwai_pool2d_s16_params *params, const lwai_dims *input_dims,
                            const int16_t *input, const lwai_dims *output_dims, int16_t *output,
                            int average)
{
    int32_t b, oy, ox, c, ky, kx;
    if (params == 0 || input == 0 || output == 0 ||
        !s16_pool_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b = 0; b < output_dims->n; ++b) {
        for (oy = 0; oy < output_dims->h; ++oy) {
            for (ox = 0; ox < output_dims->w; ++ox) {
                const s16_window win = s16_window_at(params, input_dims, oy, ox);
                if (win.ky0 >= win.ky1 || win.kx0 >= win.kx1) {
                    return LWAI_ERR_INVALID_ARG; /* a window entirely in padding */
                }
                for (c = 0; c < output_dims->c; ++c) {
                    /* a sum of at most 65535^2 taps of |v| <= 2^15 could overflow int32;
                     * TFLite sums in int32 too, so real windows (< 2^16 taps) are exact */
                    int32_t acc = average ? 0 : LWAI_INT16_MIN;
                    int32_t count = 0;
                    for (ky = win.ky0; ky < win.ky1; ++ky) {
                        for (kx = win.kx0; kx < win.kx1; ++kx) {
                            const int32_t v =
                                input[((b * input_dims->h + win.iy0 + ky) * input_dims->w +
                                       win.ix0 + kx) * input_dims->c + c];
                            acc = average ? acc + v : lwai_max_i32(acc, v);
                            ++count;
                        }
                    }
                    if (average) {
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    }
                    output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c +
                           c] = (int16_t)lwai_clamp_i32(acc, params->act_min, params->act_max);
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_avg_pool2d_s16(const lwai_pool2d_s16_params *params, const lwai_dims *input_dims,
                                const int16_t *input, const lwai_dims *output_dims,
                                int16_t *output)
{
    return s16_pool(params, input_dims, input, output_dims, output, 1);
}

lwai_status lwai_max_pool2d_s16(const lwai_pool2d_s16_params *params, const lwai_dims *input_dims,
                                const int16_t *input, const lwai_dims *output_dims,
                                int16_t *output)
{
    return s16_pool(params, input_dims, input, output_dims, output, 0);
}

/* ---- ADD / MUL with 4-D broadcasting ---------------------------------------------------- */

static inline int16_t s16_add_one(const lwai_add_s16_params *p, int32_t a, int32_t b)
{
    /* |a| <= 2^15, left_shift <= 15: the shifted inputs stay below 2^30 */
    const int32_t s1 =
        lwai_align_input(a, 0, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t s2 =
        lwai_align_input(b, 0, p->left_shift, p->input2_multiplier, p->input2_shift);
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(s1 + s2, p->output_multiplier, p->output_shift);
    return (int16_t)lwai_clamp_i32(raw, p->act_min, p->act_max);
}

static inline int16_t s16_mul_one(const lwai_mul_s16_params *p, int32_t a, int32_t b)
{
    /* |a * b| <= 2^30: fits int32 before the single rescale */
    const int32_t raw =
        lwai_mul_by_quantized_multiplier(a * b, p->output_multiplier, p->output_shift);
    return (int16_t)lwai_clamp_i32(raw, p->act_min, p->act_max);
}

/* The walk: broadcast.h */
LWAI_BCAST_WALKER(s16_add_walk, int16_t, int16_t, lwai_add_s16_params, s16_add_one)
LWAI_BCAST_WALKER(s16_mul_walk, int16_t, int16_t, lwai_mul_s16_params, s16_mul_one)

lwai_status lwai_add_s16(const lwai_add_s16_params *params, const lwai_dims *input1_dims,
                         const int16_t *input1, const lwai_dims *input2_dims,
                         const int16_t *input2, const lwai_dims *output_dims, int16_t *output)
{
    if (params != 0 && (params->left_shift < 0 || params->left_shift > 15 ||
                        !s16_act_ok(params->act_min, params->act_max))) {
        return LWAI_ERR_INVALID_ARG;
    }
    return s16_add_walk(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}

lwai_status lwai_mul_s16(const lwai_mul_s16_params *params, const lwai_dims *input1_dims,
                         const int16_t *input1, const lwai_dims *input2_dims,
                         const int16_t *input2, const lwai_dims *output_dims, int16_t *output)
{
    if (params != 0 && !s16_act_ok(params->act_min, params->act_max)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return s16_mul_walk(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}
