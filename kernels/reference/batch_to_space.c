/* BATCH_TO_SPACE_ND (TFLite): batches interleaved back into blocks of rows and columns,
 * then cropped. Input batch (oy * bw + ox) * B' + b holds the block offset (oy, ox). */
#include "lwai_move.h"

int lwai_batch_to_space_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                  const lwai_dims *output_dims)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    int64_t blocks;
    if (params == 0 || !lwai_move_elem_ok(params->elem_bytes) || !lwai_move_dims_ok(i) ||
        !lwai_move_dims_ok(o) || params->block_h < 1 || params->block_w < 1 ||
        params->pad0 < 0 || params->pad1 < 0) {
        return 0;
    }
    blocks = (int64_t)params->block_h * params->block_w;
    return (int64_t)o->n * blocks == i->n && o->c == i->c &&
           (int64_t)o->h + params->pad0 <= (int64_t)i->h * params->block_h &&
           (int64_t)o->w + params->pad1 <= (int64_t)i->w * params->block_w;
}

lwai_status lwai_batch_to_space(const lwai_move_params *params, const lwai_dims *input_dims,
                                const void *input, const lwai_dims *output_dims, void *output)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    int32_t b, y, x;
    uint8_t *out = (uint8_t *)output;
    size_t row;
    if (input == 0 || output == 0 ||
        !lwai_batch_to_space_shapes_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    row = (size_t)o->c * (size_t)params->elem_bytes; /* one pixel's channels */
    for (b = 0; b < o->n; ++b) {
        for (y = 0; y < o->h; ++y) {
            const int32_t py = y + params->pad0;
            for (x = 0; x < o->w; ++x) {
                const int32_t px = x + params->pad1;
                const size_t ib = ((size_t)(py % params->block_h) * params->block_w +
                                   (size_t)(px % params->block_w)) * (size_t)o->n + (size_t)b;
                const size_t src = ((ib * i->h + (size_t)(py / params->block_h)) * i->w +
                                    (size_t)(px / params->block_w)) * row;
                memcpy(out, (const uint8_t *)input + src, row);
                out += row;
            }
        }
    }
    return LWAI_OK;
}
