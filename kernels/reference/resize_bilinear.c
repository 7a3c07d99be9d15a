/* RESIZE_BILINEAR on int8, TFLite Micro's integer path (reference_ops::ResizeBilinearInteger):
 * source coordinates in steps of 2^-10 (the scale rounded to 10 fractional bits), the four
 * neighbours weighted in int64 and the 2^20-scaled sum rounded half away from zero. The
 * values are interpolated as stored: the output has the input's quantization (TFLM reads
 * neither). align_corners and half_pixel_centers as TFLite defines them (not both). */
#include "lwai_fixedpoint.h"

/* Source position of output index `value` in 2^-10 steps, and its two neighbours. */
static void rb_coords(int32_t value, int32_t scale_10, int32_t half_pixel, int32_t size,
                      int32_t *scaled, int32_t *lower, int32_t *upper)
{
    /* C division truncates toward zero, as TFLite's does (half-pixel positions near 0 can
     * be negative: both neighbours are then row 0, weights as TFLite computes them) */
    *scaled = half_pixel ? value * scale_10 + scale_10 / 2 - (1 << 9) : value * scale_10;
    *lower = *scaled / (1 << 10) > 0 ? *scaled / (1 << 10) : 0;
    *upper = (*scaled + (1 << 10) - 1) / (1 << 10) < size - 1
                 ? (*scaled + (1 << 10) - 1) / (1 << 10)
                 : size - 1;
}

/* (in << 10) / out rounded to nearest, or (in - 1) / (out - 1) with align_corners. */
static int32_t rb_scale(int32_t in, int32_t out, int32_t align_corners)
{
    if (align_corners && out > 1) {
        return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
    }
    return ((1 << 10) * in + out / 2) / out;
}

lwai_status lwai_resize_bilinear_s8(const lwai_resize_bilinear_params *params,
                                    const lwai_dims *input_dims, const int8_t *input,
                                    const lwai_dims *output_dims, int8_t *output)
{
    int32_t b, y, x, c, hs, ws;
    int32_t ih, iw, oh, ow, depth;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) || input_dims->n != output_dims->n ||
        input_dims->c != output_dims->c || input_dims->h < 1 || input_dims->w < 1 ||
        output_dims->h < 1 || output_dims->w < 1 || input_dims->h > 65535 ||
        input_dims->w > 65535 || output_dims->h > 65535 || output_dims->w > 65535 ||
        params->align_corners < 0 || params->align_corners > 1 ||
        params->half_pixel_centers < 0 || params->half_pixel_centers > 1 ||
        (params->align_corners && params->half_pixel_centers)) {
        /* sizes below 2^16: (1 << 10) * size and index * scale stay inside int32 */
        return LWAI_ERR_INVALID_ARG;
    }
    ih = input_dims->h;
    iw = input_dims->w;
    oh = output_dims->h;
    ow = output_dims->w;
    depth = input_dims->c;
    hs = rb_scale(ih, oh, params->align_corners);
    ws = rb_scale(iw, ow, params->align_corners);
    for (b = 0; b < input_dims->n; ++b) {
        const int8_t *in = input + b * ih * iw * depth;
        for (y = 0; y < oh; ++y) {
            int32_t sy, y0, y1;
            rb_coords(y, hs, params->half_pixel_centers, ih, &sy, &y0, &y1);
            for (x = 0; x < ow; ++x) {
                int32_t sx, x0, x1;
                int8_t *out = output + ((b * oh + y) * ow + x) * depth;
                rb_coords(x, ws, params->half_pixel_centers, iw, &sx, &x0, &x1);
                {
                    const int64_t wy1 = sy - (1 << 10) * y0, wy0 = (1 << 10) - wy1;
                    const int64_t wx1 = sx - (1 << 10) * x0, wx0 = (1 << 10) - wx1;
                    const int8_t *p00 = in + (y0 * iw + x0) * depth;
                    const int8_t *p10 = in + (y1 * iw + x0) * depth;
                    const int8_t *p01 = in + (y0 * iw + x1) * depth;
                    const int8_t *p11 = in + (y1 * iw + x1) * depth;
                    for (c = 0; c < depth; ++c) {
                        const int64_t sum = p00[c] * wy0 * wx0 + p10[c] * wy1 * wx0 +
                                            p01[c] * wy0 * wx1 + p11[c] * wy1 * wx1;
                        /* TFLite: (sum +- 2^19) / 2^20, truncating: halves away from 0 */
                        const int64_t round = sum > 0 ? (1 << 19) : -(1 << 19);
                        out[c] = (int8_t)((sum + round) / (1 << 20));
                    }
                }
            }
        }
    }
    return LWAI_OK;
}
