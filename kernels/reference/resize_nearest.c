/* RESIZE_NEAREST_NEIGHBOR (TFLite): each output pixel copies the input pixel at (rows[y],
 * cols[x]); the compiler computes the tables with TFLite's float32 arithmetic for
 * align_corners / half_pixel_centers, so no float math runs here. */
#include "lwai_move.h"

static int table_ok(const lwai_dims *d, int32_t out)
{
    return lwai_move_dims_ok(d) && d->n == 1 && d->h == 1 && d->w == 1 && d->c == out;
}

int lwai_resize_nearest_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                  const lwai_dims *rows_dims, const lwai_dims *cols_dims,
                                  const lwai_dims *output_dims)
{
    return params != 0 && lwai_move_elem_ok(params->elem_bytes) &&
           lwai_move_dims_ok(input_dims) && lwai_move_dims_ok(output_dims) &&
           input_dims->n == output_dims->n && input_dims->c == output_dims->c &&
           table_ok(rows_dims, output_dims->h) && table_ok(cols_dims, output_dims->w);
}

lwai_status lwai_resize_nearest(const lwai_move_params *params, const lwai_dims *input_dims,
                                const void *input, const lwai_dims *rows_dims,
                                const int32_t *rows, const lwai_dims *cols_dims,
                                const int32_t *cols, const lwai_dims *output_dims, void *output)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    uint8_t *out = (uint8_t *)output;
    int32_t b, y, x;
    size_t row;
    if (input == 0 || output == 0 || rows == 0 || cols == 0 ||
        !lwai_resize_nearest_shapes_ok(params, input_dims, rows_dims, cols_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (y = 0; y < o->h; ++y) {
        if (rows[y] < 0 || rows[y] >= i->h) {
            return LWAI_ERR_INVALID_ARG;
        }
    }
    for (x = 0; x < o->w; ++x) {
        if (cols[x] < 0 || cols[x] >= i->w) {
            return LWAI_ERR_INVALID_ARG;
        }
    }
    row = (size_t)i->c * (size_t)params->elem_bytes;
    for (b = 0; b < o->n; ++b) {
        for (y = 0; y < o->h; ++y) {
            const size_t base = ((size_t)b * i->h + (size_t)rows[y]) * i->w;
            for (x = 0; x < o->w; ++x) {
                memcpy(out, (const uint8_t *)input + (base + (size_t)cols[x]) * row, row);
                out += row;
            }
        }
    }
    return LWAI_OK;
}
