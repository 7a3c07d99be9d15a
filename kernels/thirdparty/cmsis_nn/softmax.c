/* SOFTMAX through CMSIS-NN's arm_softmax_s8 (TFLite's gemmlowp fixed-point exp, Q12.19
 * sum, 1/(1+x); output scale 1/256, zero point -128), one call for all rows. Shapes the
 * reference rejects (and negative shifts) go to lwai_softmax_s8. */
#include "cmsis_nn_common.h"

lwai_status lwai_softmax_cmsis_s8(const lwai_softmax_params *params, const lwai_dims *input_dims,
                                  const int8_t *input, const lwai_dims *output_dims,
                                  int8_t *output)
{
    if (params == 0 || input_dims == 0 || output_dims == 0 ||
        ((input_dims->n - 1) | (input_dims->h - 1) | (input_dims->w - 1) |
         (input_dims->c - 1)) < 0 ||
        !lwai_cmsis_same_dims(input_dims, output_dims) ||
        params->input_left_shift < 0) {
        return lwai_softmax_s8(params, input_dims, input, output_dims, output);
    }
    if (input == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    arm_softmax_s8(input, input_dims->n * input_dims->h * input_dims->w, input_dims->c,
                   params->input_multiplier, params->input_left_shift, params->diff_min, output);
    return LWAI_OK;
}
