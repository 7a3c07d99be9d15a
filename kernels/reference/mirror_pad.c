/* MIRROR_PAD (TFLite): padding that mirrors the input at its edges, without (REFLECT) or
 * with (SYMMETRIC) the edge element itself. */
#include "lwai_move.h"

static int side_ok(int32_t in, int32_t out, int32_t before, int32_t mode)
{
    const int64_t after = (int64_t)out - in - before;
    const int64_t most = mode == 0 ? (int64_t)in - 1 : (int64_t)in;
    return before >= 0 && after >= 0 && before <= most && after <= most;
}

/* Source index of output index o along a dim of `in` elements padded by `before`. */
static int32_t source(int32_t o, int32_t in, int32_t before, int32_t mode)
{
    const int32_t i = o - before;
    if (i < 0) {
        return mode == 0 ? -i : -i - 1;
    }
    if (i >= in) {
        return mode == 0 ? 2 * (in - 1) - i : 2 * in - 1 - i;
    }
    return i;
}

int lwai_mirror_pad_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                              const lwai_dims *output_dims)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    if (params == 0 || !lwai_move_elem_ok(params->elem_bytes) || !lwai_move_dims_ok(i) ||
        !lwai_move_dims_ok(o) || (params->mode != 0 && params->mode != 1)) {
        return 0;
    }
    return side_ok(i->n, o->n, params->pad0, params->mode) &&
           side_ok(i->h, o->h, params->pad1, params->mode) &&
           side_ok(i->w, o->w, params->pad2, params->mode) &&
           side_ok(i->c, o->c, params->pad3, params->mode);
}

/* Axis AXIS (0..3) is padded by params->pad0..pad3. */
#define MIRROR_SRC(AXIS, x, in) source((x), (in), params->pad##AXIS, params->mode)

lwai_status lwai_mirror_pad(const lwai_move_params *params, const lwai_dims *input_dims,
                            const void *input, const lwai_dims *output_dims, void *output)
{
    const lwai_dims *i = input_dims;
    const lwai_dims *o = output_dims;
    if (input == 0 || output == 0 ||
        !lwai_mirror_pad_shapes_ok(params, input_dims, output_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    LWAI_MOVE_GATHER_4D(params, i, o, input, output, MIRROR_SRC);
    return LWAI_OK;
}
