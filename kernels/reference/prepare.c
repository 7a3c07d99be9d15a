/*
 * Prepare helpers: derive the quantized params of the kernels from float32 tensor scales,
 * with TFLite Micro's arithmetic (same double-precision expressions, same rounding), so a
 * runtime loader filling params from a model file gets exactly the constants the compiler
 * (lwai/quant.py) bakes into generated C. Not needed by compiled models.
 */
#include <math.h>

#include "lwai_fixedpoint.h"
#include "lwai_math.h"

#define ADD_LEFT_SHIFT_S8 20       /* TFLite's int8 ADD headroom */
#define SOFTMAX_INPUT_INT_BITS 5 /* Q5.26 input differences */

lwai_status lwai_channel_quant_prepare(float input_scale, const float *filter_scales,
                                       int32_t count, float output_scale, int32_t *multiplier,
                                       int32_t *shift)
{
    int32_t i;
    if (filter_scales == 0 || multiplier == 0 || shift == 0 || count <= 0 ||
        !(output_scale > 0.0f)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < count; ++i) {
        const double real = (double)input_scale * (double)filter_scales[i] / (double)output_scale;
        lwai_quantize_multiplier(real, &multiplier[i], &shift[i]);
    }
    return LWAI_OK;
}

lwai_status lwai_add_prepare_s8(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                int32_t input2_zero_point, float output_scale,
                                int32_t output_zero_point, lwai_add_params *params)
{
    double twice_max;
    if (params == 0 || !(input1_scale > 0.0f) || !(input2_scale > 0.0f) ||
        !(output_scale > 0.0f)) {
        return LWAI_ERR_INVALID_ARG;
    }
    twice_max = 2.0 * (double)(input1_scale > input2_scale ? input1_scale : input2_scale);
    params->input1_offset = -input1_zero_point;
    params->input2_offset = -input2_zero_point;
    params->output_offset = output_zero_point;
    params->left_shift = ADD_LEFT_SHIFT_S8;
    lwai_quantize_multiplier((double)input1_scale / twice_max, &params->input1_multiplier,
                             &params->input1_shift);
    lwai_quantize_multiplier((double)input2_scale / twice_max, &params->input2_multiplier,
                             &params->input2_shift);
    lwai_quantize_multiplier(twice_max / ((double)(1 << ADD_LEFT_SHIFT_S8) * (double)output_scale),
                             &params->output_multiplier, &params->output_shift);
    return LWAI_OK;
}

lwai_status lwai_mul_prepare_s8(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                int32_t input2_zero_point, float output_scale,
                                int32_t output_zero_point, lwai_mul_params *params)
{
    if (params == 0 || !(output_scale > 0.0f)) {
        return LWAI_ERR_INVALID_ARG;
    }
    params->input1_offset = -input1_zero_point;
    params->input2_offset = -input2_zero_point;
    params->output_offset = output_zero_point;
    lwai_quantize_multiplier((double)input1_scale * (double)input2_scale / (double)output_scale,
                             &params->output_multiplier, &params->output_shift);
    return LWAI_OK;
}

lwai_status lwai_softmax_prepare_s8(float beta, float input_scale, lwai_softmax_params *params)
{
    /* Cap at 2^31 - 1: beyond it every non-maximal input has probability 0 anyway. */
    const double max_real = 2147483647.0;
    double real;
    double radius;
    if (params == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    real = (double)beta * (double)input_scale * (double)(1 << (31 - SOFTMAX_INPUT_INT_BITS));
    if (real > max_real) {
        real = max_real;
    }
    if (!(real > 1.0)) {
        return LWAI_ERR_UNSUPPORTED; /* TFLite requires a multiplier above one */
    }
    lwai_quantize_multiplier(real, &params->input_multiplier, &params->input_left_shift);
    /* Largest |x - max| whose rescaled value still fits Q5.26, floored (TFLite). */
    radius = 1.0 * ((1 << SOFTMAX_INPUT_INT_BITS) - 1) *
             (double)((int64_t)1 << (31 - SOFTMAX_INPUT_INT_BITS)) /
             (double)((int64_t)1 << params->input_left_shift);
    params->diff_min = -(int32_t)floor(radius);
    params->beta = beta;
    return LWAI_OK;
}

lwai_status lwai_requantize_prepare_s8(float input_scale, int32_t input_zero_point,
                                       float output_scale, int32_t output_zero_point,
                                       lwai_quantize_params *params)
{
    if (params == 0 || !(output_scale > 0.0f)) {
        return LWAI_ERR_INVALID_ARG;
    }
    params->scale = output_scale;
    params->zero_point = output_zero_point;
    params->input_offset = -input_zero_point;
    lwai_quantize_multiplier((double)input_scale / (double)output_scale, &params->multiplier,
                             &params->shift);
    return LWAI_OK;
}

/* zp + round(x / scale) with a float division and roundf (lwai_roundf, exact), as TFLite's
 * Quantize(). */
static int32_t quantize_float(float x, float scale, int32_t zero_point)
{
    return zero_point + (int32_t)lwai_roundf(x / scale);
}

lwai_status lwai_activation_range_s8(lwai_activation activation, float output_scale,
                                     int32_t output_zero_point, int32_t *act_min,
                                     int32_t *act_max)
{
    int32_t lo = LWAI_INT8_MIN;
    int32_t hi = LWAI_INT8_MAX;
    if (act_min == 0 || act_max == 0 || !(output_scale > 0.0f)) {
        return LWAI_ERR_INVALID_ARG;
    }
    switch (activation) {
    case LWAI_ACT_NONE:
        break;
    case LWAI_ACT_RELU:
        lo = lwai_max_i32(lo, quantize_float(0.0f, output_scale, output_zero_point));
        break;
    case LWAI_ACT_RELU6:
        lo = lwai_max_i32(lo, quantize_float(0.0f, output_scale, output_zero_point));
        hi = lwai_min_i32(hi, quantize_float(6.0f, output_scale, output_zero_point));
        break;
    case LWAI_ACT_RELU_N1_TO_1:
        lo = lwai_max_i32(lo, quantize_float(-1.0f, output_scale, output_zero_point));
        hi = lwai_min_i32(hi, quantize_float(1.0f, output_scale, output_zero_point));
        break;
    default:
        return LWAI_ERR_UNSUPPORTED;
    }
    *act_min = lo;
    *act_max = hi;
    return LWAI_OK;
}
