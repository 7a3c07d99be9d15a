/* MAXIMUM (mode 0) and MINIMUM (mode 1) with broadcasting: TFLite Micro compares the raw
 * integers and copies the winner, whatever the input and output quantizations, so lwai does
 * too (a requantization would differ from TFLM). The walk: broadcast.h. */
#include "broadcast.h"

static inline int8_t minmax_one_s8(const lwai_elementwise_params *p, int8_t a, int8_t b)
{
    return p->mode ? (a < b ? a : b) : (a > b ? a : b);
}

static inline int16_t minmax_one_s16(const lwai_elementwise_params *p, int16_t a, int16_t b)
{
    return p->mode ? (a < b ? a : b) : (a > b ? a : b);
}

LWAI_BCAST_WALKER(minmax_walk_s8, int8_t, int8_t, lwai_elementwise_params, minmax_one_s8)
LWAI_BCAST_WALKER(minmax_walk_s16, int16_t, int16_t, lwai_elementwise_params, minmax_one_s16)

lwai_status lwai_minmax_s8(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                           const int8_t *input1, const lwai_dims *input2_dims,
                           const int8_t *input2, const lwai_dims *output_dims, int8_t *output)
{
    if (params != 0 && (params->mode < 0 || params->mode > 1)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return minmax_walk_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
}

lwai_status lwai_minmax_s16(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                            const int16_t *input1, const lwai_dims *input2_dims,
                            const int16_t *input2, const lwai_dims *output_dims,
                            int16_t *output)
{
    if (params != 0 && (params->mode < 0 || params->mode > 1)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return minmax_walk_s16(params, input1_dims, input1, input2_dims, input2, output_dims,
                           output);
}
