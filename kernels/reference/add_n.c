/* ADD_N on int8 (TFLite Micro's AddN): every input shares one shape, scale and zero point;
 * each is aligned as ADD does (x - zp shifted up by left_shift 20, times 1/2 as a Q0.31
 * multiplier), summed, and rescaled once to the output. TFLM starts the sum from the
 * aligned input offset (-zp), not from 0, so lwai does too. At most 15 inputs: each term is
 * below 2^27 in magnitude and the 16 terms of the sum stay below 2^31. */
#include "broadcast.h"

lwai_status lwai_add_n_s8(const lwai_elementwise_params *params, uint32_t num_inputs,
                          const lwai_dims *input_dims, const void *const *inputs,
                          const lwai_dims *output_dims, void *output)
{
    const lwai_elementwise_params *p = params;
    int8_t *out = (int8_t *)output;
    int32_t i, count;
    uint32_t j;
    if (p == 0 || input_dims == 0 || inputs == 0 || output == 0 || num_inputs < 1u ||
        num_inputs > 15u || !lwai_dims_valid(output_dims) || p->left_shift < 0 ||
        p->left_shift > 20 || p->input1_offset < -128 || p->input1_offset > 128 ||
        p->input1_shift > 0 || p->input1_shift < -31 || p->output_shift > 0 ||
        p->output_shift < -31 || p->act_min < LWAI_INT8_MIN || p->act_max > LWAI_INT8_MAX ||
        p->act_min > p->act_max) {
        return LWAI_ERR_INVALID_ARG;
    }
    count = lwai_dims_count(output_dims);
    for (j = 0; j < num_inputs; ++j) {
        if (inputs[j] == 0 || !lwai_dims_valid(&input_dims[j]) ||
            lwai_dims_count(&input_dims[j]) != count) {
            return LWAI_ERR_INVALID_ARG;
        }
    }
    for (i = 0; i < count; ++i) {
        /* unsigned: wraps instead of UB if a file's params break the bound above */
        uint32_t acc = (uint32_t)lwai_align_input(0, p->input1_offset, p->left_shift,
                                                  p->input1_multiplier, p->input1_shift);
        for (j = 0; j < num_inputs; ++j) {
            acc += (uint32_t)lwai_align_input(((const int8_t *)inputs[j])[i], p->input1_offset,
                                              p->left_shift, p->input1_multiplier,
                                              p->input1_shift);
        }
        out[i] = (int8_t)lwai_offset_clamp_i32(
            lwai_mul_by_quantized_multiplier((int32_t)acc, p->output_multiplier, p->output_shift),
            p->output_offset, p->act_min, p->act_max);
    }
    return LWAI_OK;
}
