/* PACK (TFLite): n tensors of one shape stacked along a new axis. */
#include "lwai_move.h"

int lwai_pack_shapes_ok(const lwai_move_params *params, uint32_t num_inputs,
                        const lwai_dims *values_dims, const lwai_dims *output_dims)
{
    uint32_t j;
    if (params == 0 || !lwai_move_elem_ok(params->elem_bytes) || values_dims == 0 ||
        !lwai_move_dims_ok(output_dims) || num_inputs < 1u ||
        num_inputs > LWAI_MOVE_MAX_OPERANDS || output_dims->n != 1 ||
        output_dims->w != (int32_t)num_inputs) {
        return 0;
    }
    for (j = 0; j < num_inputs; ++j) {
        const lwai_dims *d = &values_dims[j];
        if (!lwai_move_dims_ok(d) || d->n != 1 || d->w != 1 || d->h != output_dims->h ||
            d->c != output_dims->c) {
            return 0;
        }
    }
    return 1;
}

lwai_status lwai_pack(const lwai_move_params *params, uint32_t num_inputs,
                      const lwai_dims *values_dims, const void *const *values,
                      const lwai_dims *output_dims, void *output)
{
    uint8_t *out = (uint8_t *)output;
    size_t part;
    int32_t o;
    uint32_t j;
    if (values == 0 || output == 0 ||
        !lwai_pack_shapes_ok(params, num_inputs, values_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    part = (size_t)output_dims->c * (size_t)params->elem_bytes;
    for (j = 0; j < num_inputs; ++j) {
        const uint8_t *in = (const uint8_t *)values[j];
        if (in == 0) {
            return LWAI_ERR_INVALID_ARG;
        }
        for (o = 0; o < output_dims->h; ++o) {
            memcpy(out + ((size_t)o * num_inputs + j) * part, in + (size_t)o * part, part);
        }
    }
    return LWAI_OK;
}
