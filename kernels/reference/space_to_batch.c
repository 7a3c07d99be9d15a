/* SPACE_TO_BATCH_ND (TFLite): the zero-padded input's blocks of rows and columns spread
 * over batches; output batch (oy * bw + ox) * B + b holds block offset (oy, ox). Padding is
 * pad_value: the output zero point for quantized tensors, as TFLite pads (TFLite Micro
 * leaves that value uninitialized); 0 (0.0f is all-zero bits) otherwise. */
#include "lwai_move.h"

int lwai_space_to_batch_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                  const lwai_dims *output_dims)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    if (params == 0 || !lwai_move_elem_ok(params->elem_bytes) || !lwai_move_dims_ok(i) ||
        !lwai_move_dims_ok(o) || params->block_h < 1 || params->block_w < 1 ||
        params->pad0 < 0 || params->pad1 < 0) {
        return 0;
    }
    return (int64_t)i->n * params->block_h * params->block_w == o->n && o->c == i->c &&
           (int64_t)params->pad0 + i->h <= (int64_t)o->h * params->block_h &&
           (int64_t)params->pad1 + i->w <= (int64_t)o->w * params->block_w;
}

static void fill(uint8_t *out, size_t count, int32_t eb, int32_t value)
{
    size_t k;
    for (k = 0; k < count; ++k) {
        if (eb == 1) {
            out[k] = (uint8_t)(int8_t)value;
        } else if (eb == 2) {
            const int16_t v = (int16_t)value;
            memcpy(out + 2u * k, &v, 2u);
        } else if (eb == 4) {
            const int32_t v = value;
            memcpy(out + 4u * k, &v, 4u);
        } else {
            const int64_t v = value;
            memcpy(out + 8u * k, &v, 8u);
        }
    }
}

lwai_status lwai_space_to_batch(const lwai_move_params *params, const lwai_dims *input_dims,
                                const void *input, const lwai_dims *output_dims, void *output)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    int32_t b, y, x;
    uint8_t *out = (uint8_t *)output;
    size_t row;
    if (input == 0 || output == 0 ||
        !lwai_space_to_batch_shapes_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    row = (size_t)o->c * (size_t)params->elem_bytes;
    for (b = 0; b < o->n; ++b) {
        const int32_t ib = b % i->n;
        const int32_t block = b / i->n;
        const int32_t oy = block / params->block_w;
        const int32_t ox = block % params->block_w;
        for (y = 0; y < o->h; ++y) {
            const int64_t iy = (int64_t)y * params->block_h + oy - params->pad0;
            for (x = 0; x < o->w; ++x) {
                const int64_t ix = (int64_t)x * params->block_w + ox - params->pad1;
                if (iy < 0 || iy >= i->h || ix < 0 || ix >= i->w) {
                    fill(out, (size_t)o->c, params->elem_bytes, params->pad_value);
                } else {
                    const size_t src = (((size_t)ib * i->h + (size_t)iy) * i->w + (size_t)ix) * row;
                    memcpy(out, (const uint8_t *)input + src, row);
                }
                out += row;
            }
        }
    }
    return LWAI_OK;
}
