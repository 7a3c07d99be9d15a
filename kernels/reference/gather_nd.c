/* GATHER_ND and EMBEDDING_LOOKUP (TFLite): slices of the input picked by index tuples. As
 * in TFLite Micro, only the flat position of a slice is checked against the input (an index
 * beyond its own dim wraps into the next row). */
#include "lwai_move.h"

int lwai_gather_nd_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                             const lwai_dims *indices_dims, const lwai_dims *output_dims)
{
    int32_t d[4];
    uint64_t slice = 1u;
    int32_t k;
    if (params == 0 || !lwai_move_elem_ok(params->elem_bytes) || params->index_depth < 1 ||
        params->index_depth > 4 || !lwai_move_dims_ok(input_dims) ||
        !lwai_move_dims_ok(indices_dims) || !lwai_move_dims_ok(output_dims) ||
        indices_dims->n != 1 || indices_dims->h != 1 ||
        indices_dims->c != params->index_depth || output_dims->n != 1 ||
        output_dims->h != 1 || output_dims->w != indices_dims->w) {
        return 0;
    }
    d[0] = input_dims->n;
    d[1] = input_dims->h;
    d[2] = input_dims->w;
    d[3] = input_dims->c;
    for (k = params->index_depth; k < 4; ++k) {
        slice *= (uint64_t)d[k];
    }
    return slice == (uint64_t)output_dims->c;
}

lwai_status lwai_gather_nd(const lwai_move_params *params, const lwai_dims *input_dims,
                           const void *input, const lwai_dims *indices_dims,
                           const int32_t *indices, const lwai_dims *output_dims, void *output)
{
    int32_t dims[4];
    int64_t stride[4], total, slice;
    int32_t i, k, depth;
    size_t bytes;
    if (input == 0 || output == 0 || indices == 0 ||
        !lwai_gather_nd_shapes_ok(params, input_dims, indices_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    dims[0] = input_dims->n;
    dims[1] = input_dims->h;
    dims[2] = input_dims->w;
    dims[3] = input_dims->c;
    depth = params->index_depth;
    total = (int64_t)lwai_move_count(input_dims);
    slice = output_dims->c;
    stride[3] = 1;
    for (k = 2; k >= 0; --k) {
        stride[k] = stride[k + 1] * dims[k + 1];
    }
    bytes = (size_t)slice * (size_t)params->elem_bytes;
    for (i = 0; i < indices_dims->w; ++i) {
        int64_t from = 0;
        for (k = 0; k < depth; ++k) {
            from += (int64_t)indices[(size_t)i * (size_t)depth + (size_t)k] * stride[k];
        }
        if (from < 0 || from + slice > total) {
            return LWAI_ERR_INVALID_ARG;
        }
        memcpy((uint8_t *)output + (size_t)i * bytes,
               (const uint8_t *)input + (size_t)from * (size_t)params->elem_bytes, bytes);
    }
    return LWAI_OK;
}
