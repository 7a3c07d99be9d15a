/* SOFTMAX int8 for Cortex-M55: the reference kernel. Its cost is the per-element scalar
 * fixed-point exp and reciprocal (TFLite's gemmlowp algorithm, which must be reproduced
 * rounding for rounding), and the models' rows are short (2 to 12 classes), so an MVE
 * version would save little; this keeps the symbol every architecture folder defines. */
#include "mve_common.h"

lwai_status lwai_softmax_opt_s8(const lwai_softmax_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *output_dims,
                                int8_t *output)
{
    return lwai_softmax_s8(params, input_dims, input, output_dims, output);
}
