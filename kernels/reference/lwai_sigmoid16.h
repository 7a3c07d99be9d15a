/* Private: shared by the int16 LOGISTIC and TANH kernels (logistic.c, tanh.c): TFLite's
 * table method. The input is rescaled so that 2^17 stands for 10.7 (the table's [-8, 8]
 * stretched by 4/3, hence the factor 3 in the multiplier), the 256-entry sigmoid table is
 * interpolated linearly on |x|, and the result mirrored for negative inputs. Output scale
 * 2^-15, zero points 0 (TFLite's requirement). */
#ifndef LWAI_SIGMOID16_H
#define LWAI_SIGMOID16_H

#include "lwai_fixedpoint.h"
#include "lwai_sigmoid_lut.h"

/* The rescaled input: x * m rounded, or x * 3 << shift for power-of-two scales (m == 0). */
static inline int32_t sigmoid16_input(const lwai_sigmoid16_params *p, int16_t x)
{
    int32_t m = p->input_multiplier, shift = p->input_left_shift;
    if (m == 0) {
        m = 3 << shift;
        shift = 0;
    }
    return ((int32_t)x * m + (shift > 0 ? (int32_t)1 << (shift - 1) : 0)) >> shift;
}

static inline int sigmoid16_args_ok(const lwai_sigmoid16_params *params, const lwai_dims *input_dims,
                             const int16_t *input, const lwai_dims *output_dims,
                             const int16_t *output)
{
    return params != 0 && input != 0 && output != 0 && lwai_dims_valid(input_dims) &&
           lwai_dims_valid(output_dims) &&
           lwai_dims_count(input_dims) == lwai_dims_count(output_dims) &&
           params->input_multiplier >= 0 && params->input_multiplier <= 32767 &&
           params->input_left_shift >= 0 && params->input_left_shift <= 31 &&
           (params->input_multiplier != 0 || params->input_left_shift <= 1);
}

#endif /* LWAI_SIGMOID16_H */
