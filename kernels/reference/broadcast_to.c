/* BROADCAST_TO (TFLite): each input dim of 1 repeated to the output's. */
#include "lwai_move.h"

static int dim_ok(int32_t in, int32_t out)
{
    return in == 1 || in == out;
}

int lwai_broadcast_to_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                const lwai_dims *output_dims)
{
    return params != 0 && lwai_move_elem_ok(params->elem_bytes) &&
           lwai_move_dims_ok(input_dims) && lwai_move_dims_ok(output_dims) &&
           dim_ok(input_dims->n, output_dims->n) && dim_ok(input_dims->h, output_dims->h) &&
           dim_ok(input_dims->w, output_dims->w) && dim_ok(input_dims->c, output_dims->c);
}

/* An input dim of 1 always reads its element 0. */
#define BROADCAST_SRC(AXIS, x, in) ((in) == 1 ? 0 : (x))

lwai_status lwai_broadcast_to(const lwai_move_params *params, const lwai_dims *input_dims,
                              const void *input, const lwai_dims *output_dims, void *output)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    if (input == 0 || output == 0 ||
        !lwai_broadcast_to_shapes_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    LWAI_MOVE_GATHER_4D(params, i, o, input, output, BROADCAST_SRC);
    return LWAI_OK;
}
