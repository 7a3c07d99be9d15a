/* MUL through CMSIS-NN's arm_elementwise_mul_s8 ((x1 + o1) * (x2 + o2) requantized once)
 * when both inputs have the output's shape. CMSIS-NN has no broadcasting: any broadcast
 * goes to lwai_mul_s8, as do shapes the reference rejects. */
#include "cmsis_nn_common.h"

lwai_status lwai_mul_cmsis_s8(const lwai_mul_params *params, const lwai_dims *input1_dims,
                              const int8_t *input1, const lwai_dims *input2_dims,
                              const int8_t *input2, const lwai_dims *output_dims, int8_t *output)
{
    if (params == 0 || !lwai_cmsis_dims_ok(output_dims) || input1_dims == 0 ||
        input2_dims == 0 || !lwai_cmsis_same_dims(input1_dims, output_dims) ||
        !lwai_cmsis_same_dims(input2_dims, output_dims)) {
        return lwai_mul_s8(params, input1_dims, input1, input2_dims, input2, output_dims, output);
    }
    if (input1 == 0 || input2 == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    return lwai_cmsis_status(arm_elementwise_mul_s8(
        input1, input2, params->input1_offset, params->input2_offset, output,
        params->output_offset, params->output_multiplier, params->output_shift, params->act_min,
        params->act_max, lwai_cmsis_count(output_dims)));
}

/* MUL int16 through arm_elementwise_mul_s16 (the product, one rescale, the clamp; zero
 * points 0) when both inputs have the output's shape; any broadcast, and params the
 * reference rejects, go to lwai_mul_s16. */
lwai_status lwai_mul_cmsis_s16(const lwai_mul_s16_params *params, const lwai_dims *input1_dims,
                               const int16_t *input1, const lwai_dims *input2_dims,
                               const int16_t *input2, const lwai_dims *output_dims,
                               int16_t *output)
{
    if (params == 0 || !lwai_cmsis_dims_ok(output_dims) || input1_dims == 0 ||
        input2_dims == 0 || !lwai_cmsis_same_dims(input1_dims, output_dims) ||
        !lwai_cmsis_same_dims(input2_dims, output_dims) ||
        !lwai_cmsis_act16_ok(params->act_min, params->act_max)) {
        return lwai_mul_s16(params, input1_dims, input1, input2_dims, input2, output_dims, output);
    }
    if (input1 == 0 || input2 == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    return lwai_cmsis_status(arm_elementwise_mul_s16(
        input1, input2, 0, 0, output, 0, params->output_multiplier, params->output_shift,
        params->act_min, params->act_max, lwai_cmsis_count(output_dims)));
}
