/* SPLIT, SPLIT_V, UNPACK (TFLite): one tensor into several along an axis. Each output is
 * its own buffer; the copy is one memcpy per (outer index, output). */
#include "lwai_move.h"

int lwai_split_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                         uint32_t num_outputs, const lwai_dims *output_dims)
{
    uint64_t axis = 0u;
    uint32_t j;
    if (params == 0 || !lwai_move_elem_ok(params->elem_bytes) || !lwai_move_dims_ok(input_dims) ||
        input_dims->n != 1 || num_outputs < 1u || num_outputs > LWAI_MOVE_MAX_OPERANDS ||
        output_dims == 0) {
        return 0;
    }
    for (j = 0; j < num_outputs; ++j) {
        const lwai_dims *o = &output_dims[j];
        if (!lwai_move_dims_ok(o) || o->n != 1 || o->h != input_dims->h ||
            o->c != input_dims->c) {
            return 0;
        }
        axis += (uint64_t)o->w;
    }
    return axis == (uint64_t)input_dims->w;
}

lwai_status lwai_split(const lwai_move_params *params, const lwai_dims *input_dims,
                       const void *input, uint32_t num_outputs, const lwai_dims *output_dims,
                       void *const *outputs)
{
    const uint8_t *in = (const uint8_t *)input;
    size_t row, at = 0u; /* bytes of one outer index in the input; offset within it */
    int32_t o;
    uint32_t j;
    if (input == 0 || outputs == 0 ||
        !lwai_split_shapes_ok(params, input_dims, num_outputs, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (j = 0; j < num_outputs; ++j) {
        if (outputs[j] == 0) {
            return LWAI_ERR_INVALID_ARG;
        }
    }
    row = (size_t)input_dims->w * (size_t)input_dims->c * (size_t)params->elem_bytes;
    for (j = 0; j < num_outputs; ++j) {
        const size_t part = (size_t)output_dims[j].w * (size_t)input_dims->c *
                            (size_t)params->elem_bytes;
        uint8_t *out = (uint8_t *)outputs[j];
        for (o = 0; o < input_dims->h; ++o) {
            memcpy(out + (size_t)o * part, in + (size_t)o * row + at, part);
        }
        at += part;
    }
    return LWAI_OK;
}
