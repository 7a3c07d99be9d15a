/* REVERSE_V2 (TFLite): the element order reversed along the dims of axis_mask. */
#include "lwai_move.h"

int lwai_reverse_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                           const lwai_dims *output_dims)
{
    return params != 0 && lwai_move_elem_ok(params->elem_bytes) &&
           params->axis_mask >= 0 && params->axis_mask <= 15 &&
           lwai_move_dims_ok(input_dims) && lwai_move_dims_ok(output_dims) &&
           lwai_move_same(input_dims, output_dims);
}

lwai_status lwai_reverse(const lwai_move_params *params, const lwai_dims *input_dims,
                         const void *input, const lwai_dims *output_dims, void *output)
{
    const lwai_dims *d = input_dims;
    int32_t n, h, w, c;
    size_t k = 0u;
    if (input == 0 || output == 0 || !lwai_reverse_shapes_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (n = 0; n < d->n; ++n) {
        const int32_t sn = (params->axis_mask & 1) ? d->n - 1 - n : n;
        for (h = 0; h < d->h; ++h) {
            const int32_t sh = (params->axis_mask & 2) ? d->h - 1 - h : h;
            for (w = 0; w < d->w; ++w) {
                const int32_t sw = (params->axis_mask & 4) ? d->w - 1 - w : w;
                const size_t base = (((size_t)sn * d->h + sh) * d->w + sw) * d->c;
                for (c = 0; c < d->c; ++c) {
                    const int32_t sc = (params->axis_mask & 8) ? d->c - 1 - c : c;
                    lwai_move_elem((uint8_t *)output, k++, (const uint8_t *)input,
                                   base + (size_t)sc, params->elem_bytes);
                }
            }
        }
    }
    return LWAI_OK;
}
