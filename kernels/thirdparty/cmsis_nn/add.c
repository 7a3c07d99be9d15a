/* ADD through CMSIS-NN's arm_elementwise_add_s8 (TFLite's scheme: inputs shifted up by
 * left_shift, rescaled, summed, rescaled to the output) when both inputs have the output's
 * shape. CMSIS-NN has no broadcasting: any broadcast goes to lwai_add_s8, as do shapes and
 * shifts the reference rejects. */
#include "cmsis_nn_common.h"

lwai_status lwai_add_cmsis_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                              const int8_t *input1, const lwai_dims *input2_dims,
                              const int8_t *input2, const lwai_dims *output_dims, int8_t *output)
{
    if (params == 0 || !lwai_cmsis_dims_ok(output_dims) || input1_dims == 0 ||
        input2_dims == 0 || !lwai_cmsis_same_dims(input1_dims, output_dims) ||
        !lwai_cmsis_same_dims(input2_dims, output_dims) || params->left_shift < 0 ||
        params->left_shift > 30) {
        return lwai_add_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
    }
    if (input1 == 0 || input2 == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    return lwai_cmsis_status(arm_elementwise_add_s8(
        input1, input2, params->input1_offset, params->input1_multiplier, params->input1_shift,
        params->input2_offset, params->input2_multiplier, params->input2_shift,
        params->left_shift, output, params->output_offset, params->output_multiplier,
        params->output_shift, params->act_min, params->act_max, lwai_cmsis_count(output_dims)));
}

/* ADD int16 through arm_elementwise_add_s16 (TFLM's int16 scheme: left shift 15, both inputs
 * rescaled, summed, rescaled; zero points 0) when both inputs have the output's shape; any
 * broadcast, and params the reference rejects, go to lwai_add_s16. */
lwai_status lwai_add_cmsis_s16(const lwai_add_s16_params *params, const lwai_dims *input1_dims,
                               const int16_t *input1, const lwai_dims *input2_dims,
                               const int16_t *input2, const lwai_dims *output_dims,
                               int16_t *output)
{
    if (params == 0 || !lwai_cmsis_dims_ok(output_dims) || input1_dims == 0 ||
        input2_dims == 0 || !lwai_cmsis_same_dims(input1_dims, output_dims) ||
        !lwai_cmsis_same_dims(input2_dims, output_dims) || params->left_shift < 0 ||
        params->left_shift > 15 || !lwai_cmsis_act16_ok(params->act_min, params->act_max)) {
        return lwai_add_s16(params, input1_dims, input1, input2_dims, input2, output_dims, output);
    }
    if (input1 == 0 || input2 == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    return lwai_cmsis_status(arm_elementwise_add_s16(
        input1, input2, 0, params->input1_multiplier, params->input1_shift, 0,
        params->input2_multiplier, params->input2_shift, params->left_shift, output, 0,
        params->output_multiplier, params->output_shift, params->act_min, params->act_max,
        lwai_cmsis_count(output_dims)));
}
