/* CUMSUM on int8 (TFLite Micro's quantized cumsum): every input is centred on its zero
 * point, scaled up by 2^left_shift (20) and by input_multiplier (1/2: input scale over twice
 * itself), summed in 32 bits along the axis, and each partial sum rescaled to the output by
 * output_multiplier (2 * input scale / (2^20 * output scale)), plus the output zero point,
 * clamped. As in TFLM the accumulator starts at the scaled input offset (-zero point), not
 * 0, and an exclusive sum writes that start value first. The sum wraps in 32 bits like
 * TFLM's int32 additions (defined here through uint32).
 * Dims: (1, inner, depth, outer): inner = product of the dims before the axis, depth = the
 * axis, outer = product of those after it (row-major, the axis stride is outer). */
#include "lwai_fixedpoint.h"

static int32_t cumsum_scale(const lwai_cumsum_params *p, int32_t y)
{
    const int32_t shifted = (int32_t)((uint32_t)y << p->left_shift);
    return lwai_mul_by_quantized_multiplier(shifted, p->input_multiplier, p->input_shift);
}

lwai_status lwai_cumsum_s8(const lwai_cumsum_params *params, const lwai_dims *input_dims,
                           const int8_t *input, const lwai_dims *output_dims, int8_t *output)
{
    int32_t inner, depth, outer, i, o, d;
    if (params == 0 || input == 0 || output == 0 || !lwai_dims_valid(input_dims) ||
        !lwai_dims_valid(output_dims) || lwai_dims_count(input_dims) != lwai_dims_count(output_dims) ||
        params->left_shift < 0 || params->left_shift > 30 || params->input_shift > 0 ||
        params->input_shift < -31 || params->output_shift > 0 || params->output_shift < -31 ||
        params->act_min > params->act_max) {
        return LWAI_ERR_INVALID_ARG;
    }
    inner = input_dims->n * input_dims->h;
    depth = input_dims->w;
    outer = input_dims->c;
    for (o = 0; o < outer; ++o) {
        const int32_t oo = params->reverse ? outer - 1 - o : o;
        for (i = 0; i < inner; ++i) {
            const int32_t ii = params->reverse ? inner - 1 - i : i;
            uint32_t acc = (uint32_t)cumsum_scale(params, params->input_offset);
            for (d = 0; d < depth; ++d) {
                const int32_t dd = params->reverse ? depth - 1 - d : d;
                const int32_t index = oo + ii * depth * outer + dd * outer;
                const int32_t y = cumsum_scale(params, params->input_offset + input[index]);
                int32_t sum, v;
                if (params->exclusive) {
                    sum = (int32_t)acc;
                    acc += (uint32_t)y;
                } else {
                    acc += (uint32_t)y;
                    sum = (int32_t)acc;
                }
                v = lwai_mul_by_quantized_multiplier(sum, params->output_multiplier,
                                                     params->output_shift);
                output[index] =
                    (int8_t)lwai_offset_clamp_i32(v, params->output_offset, params->act_min,
                                                  params->act_max);
            }
        }
    }
    return LWAI_OK;
}
