/*
 * lwai reference kernels: portable C99, bit-exact with TensorFlow Lite Micro's reference
 * kernels for int8 and within float rounding for float32.
 *
 * Conventions (CMSIS-NN's order): params, quant params, (dims, data) pairs, output last;
 * every kernel returns lwai_status. The caller owns all memory; reference kernels need no
 * scratch. Tensors are NHWC, dense, row-major. Params structs are plain data so the
 * compiler can emit them as `static const` initializers or a loader can fill them.
 *
 * Quantized arithmetic notes shared by all int8 kernels:
 *  - a "multiplier" is a Q0.31 significand in [2^30, 2^31) (or 0), and a "shift" its
 *    power of two: real = multiplier * 2^(shift - 31); shift > 0 shifts left;
 *  - *_offset fields are the negated zero points of inputs and the zero point of outputs,
 *    as TFLite stores them, so an input value v contributes (v + input_offset);
 *  - act_min/act_max clamp in the output's integer domain; act_min_f/act_max_f in float.
 */
#ifndef LWAI_KERNELS_H
#define LWAI_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "lwai/kernel_params.h"
#include "lwai/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LWAI_KERNELS_VERSION 1

/* Alignment for constant arrays emitted by the compiler: 16 bytes, so the optimized kernels'
 * 128-bit MVE and NEON loads of weights never straddle a line or fault. */
#if defined(__GNUC__) || defined(__clang__)
#define LWAI_ALIGNED(n) __attribute__((aligned(n)))
#else
#define LWAI_ALIGNED(n)
#endif

/* Caller-owned scratch for one kernel call (CMSIS-NN's cmsis_nn_context). The compiler
 * plans `size` bytes in the arena, live only during the call; size is what the backend's
 * lwai_<op>_<backend>_<dtype>_get_buffer_size() returned for the same params and dims. */
typedef struct {
    void *buf;    /* 16-byte aligned; NULL when size is 0 */
    int32_t size; /* bytes */
} lwai_context;

/* Shape of a tensor of up to 4 dimensions, NHWC; missing leading dims are 1.
 * Fully connected uses n = batches, c = depth (h = w = 1). */
typedef struct {
    int32_t n;
    int32_t h;
    int32_t w;
    int32_t c;
} lwai_dims;

/* Requantization of a 32-bit accumulator, per output channel or per tensor. */
typedef struct {
    const int32_t *multiplier; /* [count] Q0.31 significands */
    const int32_t *shift;      /* [count] power-of-two exponents, > 0 is a left shift */
    int32_t count;             /* 1: per tensor; else the number of output channels */
} lwai_channel_quant;

/* ---- CONV_2D -------------------------------------------------------------------------- */

/* 2-D convolution, grouped when input c is a multiple of filter c.
 * [in] input  [N, H, W, Cin]; filter [Cout, KH, KW, Cin/groups] (OHWI);
 * bias [Cout] (int32 for s8, float for f32; NULL = none); [out] output [N, OH, OW, Cout].
 * s8: weights symmetric (zero point 0); quant per channel (count Cout) or per tensor.
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_conv2d_s8(const lwai_conv2d_params *params, const lwai_channel_quant *quant,
                           const lwai_dims *input_dims, const int8_t *input,
                           const lwai_dims *filter_dims, const int8_t *filter,
                           const lwai_dims *bias_dims, const int32_t *bias,
                           const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_conv2d_f32(const lwai_conv2d_params *params, const lwai_dims *input_dims,
                            const float *input, const lwai_dims *filter_dims,
                            const float *filter, const lwai_dims *bias_dims, const float *bias,
                            const lwai_dims *output_dims, float *output);

/* ---- DEPTHWISE_CONV_2D ---------------------------------------------------------------- */

/* [in] input [N, H, W, Cin]; filter [1, KH, KW, Cin * depth_multiplier]; bias [Cout] or
 * NULL; [out] output [N, OH, OW, Cin * depth_multiplier]; output channel of input channel
 * i and multiplier index m is i * depth_multiplier + m.
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_depthwise_conv2d_s8(const lwai_depthwise_conv2d_params *params,
                                     const lwai_channel_quant *quant,
                                     const lwai_dims *input_dims, const int8_t *input,
                                     const lwai_dims *filter_dims, const int8_t *filter,
                                     const lwai_dims *bias_dims, const int32_t *bias,
                                     const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_depthwise_conv2d_f32(const lwai_depthwise_conv2d_params *params,
                                      const lwai_dims *input_dims, const float *input,
                                      const lwai_dims *filter_dims, const float *filter,
                                      const lwai_dims *bias_dims, const float *bias,
                                      const lwai_dims *output_dims, float *output);

/* ---- FULLY_CONNECTED ------------------------------------------------------------------ */

/* [in] input [batches, depth] as dims {n = batches, c = depth}; filter [Cout, depth] as
 * {n = Cout, c = depth}; bias [Cout] or NULL; [out] output {n = batches, c = Cout}.
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_fully_connected_s8(const lwai_fully_connected_params *params,
                                    const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                    const int8_t *input, const lwai_dims *filter_dims,
                                    const int8_t *filter, const lwai_dims *bias_dims,
                                    const int32_t *bias, const lwai_dims *output_dims,
                                    int8_t *output);
lwai_status lwai_fully_connected_f32(const lwai_fully_connected_params *params,
                                     const lwai_dims *input_dims, const float *input,
                                     const lwai_dims *filter_dims, const float *filter,
                                     const lwai_dims *bias_dims, const float *bias,
                                     const lwai_dims *output_dims, float *output);

/* ---- AVERAGE_POOL_2D / MAX_POOL_2D ---------------------------------------------------- */
typedef lwai_pool2d_params lwai_avg_pool2d_params;
typedef lwai_pool2d_params lwai_max_pool2d_params;

/* [in] input [N, H, W, C]; [out] output [N, OH, OW, C].
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_avg_pool2d_s8(const lwai_avg_pool2d_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_avg_pool2d_f32(const lwai_avg_pool2d_params *params, const lwai_dims *input_dims,
                                const float *input, const lwai_dims *output_dims, float *output);
lwai_status lwai_max_pool2d_s8(const lwai_max_pool2d_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_max_pool2d_f32(const lwai_max_pool2d_params *params, const lwai_dims *input_dims,
                                const float *input, const lwai_dims *output_dims, float *output);

/* ---- ADD ------------------------------------------------------------------------------ */

/* Elementwise with NumPy broadcasting: each input dim equals the output's or is 1
 * (shapes right-aligned into 4-D by the caller).
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_add_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_add_f32(const lwai_add_params *params, const lwai_dims *input1_dims,
                         const float *input1, const lwai_dims *input2_dims, const float *input2,
                         const lwai_dims *output_dims, float *output);

/* ---- RELU / RELU6 / LEAKY_RELU ------------------------------------------------------- */

/* out = clamp(output_zero_point + x' * m, act_min, act_max) with x' = x - input_zero_point
 * and m the (alpha_)multiplier/shift for x' >= 0 (< 0), TFLite's integer rounding;
 * elementwise (dims of equal element counts). Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_relu_s8(const lwai_relu_params *params, const lwai_dims *input_dims,
                         const int8_t *input, const lwai_dims *output_dims, int8_t *output);

/* ---- QUANTIZE: the other integer requantizations (kernels/reference/quantize_int.c) --- */

/* TFLite's Requantize: (x - input zero point) * input scale / output scale, rounded, plus
 * the output zero point, clamped to the output type. Returns LWAI_OK,
 * LWAI_ERR_INVALID_ARG. */
lwai_status lwai_quantize_s8_s16(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                 const int8_t *input, const lwai_dims *output_dims,
                                 int16_t *output);
lwai_status lwai_quantize_s16_s16(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                  const int16_t *input, const lwai_dims *output_dims,
                                  int16_t *output);
lwai_status lwai_quantize_s8_s32(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                 const int8_t *input, const lwai_dims *output_dims,
                                 int32_t *output);

/* ---- LOGISTIC / TANH ----------------------------------------------------------------- */

/* TFLite's int8 fixed-point sigmoid (output scale 1/256, zero point -128) and tanh (1/128,
 * 0), elementwise over equal element counts. Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_logistic_s8(const lwai_sigmoid_params *params, const lwai_dims *input_dims,
                             const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_tanh_s8(const lwai_sigmoid_params *params, const lwai_dims *input_dims,
                         const int8_t *input, const lwai_dims *output_dims, int8_t *output);

/* TFLite's int16 table method (zero points 0, output scale 2^-15). */
lwai_status lwai_logistic_s16(const lwai_sigmoid16_params *params, const lwai_dims *input_dims,
                              const int16_t *input, const lwai_dims *output_dims,
                              int16_t *output);
lwai_status lwai_tanh_s16(const lwai_sigmoid16_params *params, const lwai_dims *input_dims,
                          const int16_t *input, const lwai_dims *output_dims, int16_t *output);

/* ---- HARD_SWISH ----------------------------------------------------------------------- */

/* TFLite's int8 HARD_SWISH (16-bit fixed point), elementwise over equal element counts.
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_hard_swish_s8(const lwai_hard_swish_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output);

/* ---- SUB ------------------------------------------------------------------------------ */

/* input1 - input2, ADD's params and broadcasting (TFLite's int8 SUB is ADD's arithmetic
 * with the scaled inputs subtracted). Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_sub_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_sub_f32(const lwai_add_params *params, const lwai_dims *input1_dims,
                         const float *input1, const lwai_dims *input2_dims, const float *input2,
                         const lwai_dims *output_dims, float *output);

/* ---- MUL ------------------------------------------------------------------------------ */

/* Broadcasting as for ADD. Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_mul_s8(const lwai_mul_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_mul_f32(const lwai_mul_params *params, const lwai_dims *input1_dims,
                         const float *input1, const lwai_dims *input2_dims, const float *input2,
                         const lwai_dims *output_dims, float *output);

/* ---- SOFTMAX -------------------------------------------------------------------------- */

/* Along c; every other dim is a row. s8 output has scale 1/256, zero point -128.
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_softmax_s8(const lwai_softmax_params *params, const lwai_dims *input_dims,
                            const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_softmax_f32(const lwai_softmax_params *params, const lwai_dims *input_dims,
                             const float *input, const lwai_dims *output_dims, float *output);
/* int8 input, int16 output (scale 1/65536, zero point -32768): the same algorithm as s8. */
lwai_status lwai_softmax_s8_s16(const lwai_softmax_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *output_dims,
                                int16_t *output);

/* ---- RESHAPE -------------------------------------------------------------------------- */

/* Copies the bytes (any dtype); nothing to do when input == output, the usual case once
 * the planner aliases them. Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_reshape(const lwai_reshape_params *params, const void *input, void *output);

/* ---- QUANTIZE / DEQUANTIZE ------------------------------------------------------------ */

/* Element count is n*h*w*c of input_dims (output_dims must match).
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_quantize_f32_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                 const float *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_quantize_f32_s16(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                  const float *input, const lwai_dims *output_dims,
                                  int16_t *output);
lwai_status lwai_quantize_s8_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_quantize_s16_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                 const int16_t *input, const lwai_dims *output_dims,
                                 int8_t *output);
lwai_status lwai_quantize_s16_s32(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                  const int16_t *input, const lwai_dims *output_dims,
                                  int32_t *output);


lwai_status lwai_dequantize_s8_f32(const lwai_dequantize_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, float *output);
lwai_status lwai_dequantize_s16_f32(const lwai_dequantize_params *params,
                                    const lwai_dims *input_dims, const int16_t *input,
                                    const lwai_dims *output_dims, float *output);

/* ---- SVDF ----------------------------------------------------------------------------- */

/* TFLite SVDF with its state. input [B, I] (dims n = B, c = I); weights_feature [F, I]
 * (n = F, c = I); weights_time [F, M] (n = F, c = M); bias [F / rank] (NULL = none);
 * state [B, F * M], read and written (the caller keeps it between calls: the arena's
 * persistent part; reset = fill with the state zero point for int8, 0 otherwise, as TFLM's
 * ResetVariableTensors); output [B, F / rank].
 * s8: int8 input/output, int16 time weights and state; state8_s8: int8 time weights and
 * state; f32: float everything (act_min_f/act_max_f clamp; the integer kernels, like TFLM's,
 * apply no activation). Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_svdf_s8(const lwai_svdf_params *params, const lwai_dims *input_dims,
                         const int8_t *input, const lwai_dims *weights_feature_dims,
                         const int8_t *weights_feature, const lwai_dims *weights_time_dims,
                         const int16_t *weights_time, const lwai_dims *bias_dims,
                         const int32_t *bias, const lwai_dims *state_dims, int16_t *state,
                         const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_svdf_state8_s8(const lwai_svdf_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *weights_feature_dims,
                                const int8_t *weights_feature, const lwai_dims *weights_time_dims,
                                const int8_t *weights_time, const lwai_dims *bias_dims,
                                const int32_t *bias, const lwai_dims *state_dims, int8_t *state,
                                const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_svdf_f32(const lwai_svdf_params *params, const lwai_dims *input_dims,
                          const float *input, const lwai_dims *weights_feature_dims,
                          const float *weights_feature, const lwai_dims *weights_time_dims,
                          const float *weights_time, const lwai_dims *bias_dims, const float *bias,
                          const lwai_dims *state_dims, float *state, const lwai_dims *output_dims,
                          float *output);
/* The shapes agree (bias_dims NULL: no bias) and rank >= 1; what every SVDF kernel
 * checks, and the graph executor at load. Returns LWAI_OK or LWAI_ERR_INVALID_ARG. */
lwai_status lwai_svdf_check(const lwai_svdf_params *params, const lwai_dims *input_dims,
                            const lwai_dims *weights_feature_dims,
                            const lwai_dims *weights_time_dims, const lwai_dims *bias_dims,
                            const lwai_dims *state_dims, const lwai_dims *output_dims);
/* Bytes of the state operand: B * F * M * sizeof(state element). */
int32_t lwai_svdf_s8_get_state_size(const lwai_dims *input_dims,
                                    const lwai_dims *weights_feature_dims,
                                    const lwai_dims *weights_time_dims);
int32_t lwai_svdf_state8_s8_get_state_size(const lwai_dims *input_dims,
                                           const lwai_dims *weights_feature_dims,
                                           const lwai_dims *weights_time_dims);
int32_t lwai_svdf_f32_get_state_size(const lwai_dims *input_dims,
                                     const lwai_dims *weights_feature_dims,
                                     const lwai_dims *weights_time_dims);

/* ---- UNIDIRECTIONAL_SEQUENCE_LSTM ----------------------------------------------------- */

/* The standard LSTM (no peephole, projection, layer norm or CIFG) over a sequence, as TFLite
 * Micro computes it. Operands in TFLite's order: weights i, f, c, o.
 * [in] input: dims {n = batch, h = time steps, w = 1, c = input size}, stored [time, batch,
 * in] when params->time_major, else [batch, time, in]; input_to_*_weights [cell, input size];
 * recurrent_to_*_weights [cell, cell]; *_gate_bias [cell] (NULL = zeros).
 * [in, out] hidden_state [batch, cell] (activation dtype), cell_state [batch, cell] (int16 /
 * float): the variable tensors, carried from call to call.
 * [out] output: dims {n = batch, h = time steps, w = 1, c = cell}, same order as the input.
 * s8: int8 activations, int32 bias, int16 cell state. s16: int16 activations, int64 bias.
 * No scratch. Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_lstm_s8(const lwai_lstm_params *params, const lwai_dims *input_dims,
                         const int8_t *input, const int8_t *input_to_input_weights,
                         const int8_t *input_to_forget_weights,
                         const int8_t *input_to_cell_weights,
                         const int8_t *input_to_output_weights,
                         const int8_t *recurrent_to_input_weights,
                         const int8_t *recurrent_to_forget_weights,
                         const int8_t *recurrent_to_cell_weights,
                         const int8_t *recurrent_to_output_weights, const int32_t *input_gate_bias,
                         const int32_t *forget_gate_bias, const int32_t *cell_gate_bias,
                         const int32_t *output_gate_bias, int8_t *hidden_state,
                         int16_t *cell_state, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_lstm_s16(const lwai_lstm_params *params, const lwai_dims *input_dims,
                          const int16_t *input, const int8_t *input_to_input_weights,
                          const int8_t *input_to_forget_weights,
                          const int8_t *input_to_cell_weights,
                          const int8_t *input_to_output_weights,
                          const int8_t *recurrent_to_input_weights,
                          const int8_t *recurrent_to_forget_weights,
                          const int8_t *recurrent_to_cell_weights,
                          const int8_t *recurrent_to_output_weights,
                          const int64_t *input_gate_bias, const int64_t *forget_gate_bias,
                          const int64_t *cell_gate_bias, const int64_t *output_gate_bias,
                          int16_t *hidden_state, int16_t *cell_state,
                          const lwai_dims *output_dims, int16_t *output);
lwai_status lwai_lstm_f32(const lwai_lstm_params *params, const lwai_dims *input_dims,
                          const float *input, const float *input_to_input_weights,
                          const float *input_to_forget_weights,
                          const float *input_to_cell_weights,
                          const float *input_to_output_weights,
                          const float *recurrent_to_input_weights,
                          const float *recurrent_to_forget_weights,
                          const float *recurrent_to_cell_weights,
                          const float *recurrent_to_output_weights, const float *input_gate_bias,
                          const float *forget_gate_bias, const float *cell_gate_bias,
                          const float *output_gate_bias, float *hidden_state, float *cell_state,
                          const lwai_dims *output_dims, float *output);

/* The state operands, as `which` of *_get_state_size. */
#define LWAI_LSTM_OUTPUT_STATE 0 /* the hidden state (TFLite input 18) */
#define LWAI_LSTM_CELL_STATE 1   /* the cell state (TFLite input 19) */

/* Bytes of state operand `which` for output dims {n = batch, h = time, w = 1, c = cell};
 * -1 for bad arguments. The compiler's twin is lwai.codegen.kernels.state_size. */
int32_t lwai_lstm_s8_get_state_size(const lwai_dims *output_dims, int32_t which);
int32_t lwai_lstm_s16_get_state_size(const lwai_dims *output_dims, int32_t which);
int32_t lwai_lstm_f32_get_state_size(const lwai_dims *output_dims, int32_t which);

/* ---- prepare: params from float32 scales (for runtime loaders) ------------------------ */
/* The compiler derives every constant above in Python (lwai/quant.py); these give a loader
 * filling params from a model file the very same values (TFLite Micro's arithmetic). */

/* TFLite's QuantizeMultiplier: real ~= multiplier * 2^(shift - 31), multiplier in
 * [2^30, 2^31); values below 2^-31 flush to (0, 0). */
void lwai_quantize_multiplier(double real, int32_t *multiplier, int32_t *shift);

/* Conv/depthwise/FC: [out] multiplier[count], shift[count] from filter_scales[count]
 * (count 1 for per-tensor weights). Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_channel_quant_prepare(float input_scale, const float *filter_scales,
                                       int32_t count, float output_scale, int32_t *multiplier,
                                       int32_t *shift);

/* Fill the quantization fields of the params (activation fields untouched).
 * Return LWAI_OK, LWAI_ERR_INVALID_ARG (softmax: LWAI_ERR_UNSUPPORTED when
 * beta * input_scale * 2^26 <= 1, which TFLite rejects too). */
lwai_status lwai_add_prepare_s8(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                int32_t input2_zero_point, float output_scale,
                                int32_t output_zero_point, lwai_add_params *params);
lwai_status lwai_mul_prepare_s8(float input1_scale, int32_t input1_zero_point, float input2_scale,
                                int32_t input2_zero_point, float output_scale,
                                int32_t output_zero_point, lwai_mul_params *params);
lwai_status lwai_softmax_prepare_s8(float beta, float input_scale, lwai_softmax_params *params);
lwai_status lwai_requantize_prepare_s8(float input_scale, int32_t input_zero_point,
                                       float output_scale, int32_t output_zero_point,
                                       lwai_quantize_params *params);

/* Fused activations of TFLite, for lwai_activation_range_s8. */
typedef enum {
    LWAI_ACT_NONE = 0,
    LWAI_ACT_RELU = 1,
    LWAI_ACT_RELU_N1_TO_1 = 2,
    LWAI_ACT_RELU6 = 3
} lwai_activation;

/* [out] act_min/act_max in the int8 output domain (TFLite's
 * CalculateActivationRangeQuantized). Returns LWAI_OK, LWAI_ERR_INVALID_ARG,
 * LWAI_ERR_UNSUPPORTED (unknown activation). */
lwai_status lwai_activation_range_s8(lwai_activation activation, float output_scale,
                                     int32_t output_zero_point, int32_t *act_min,
                                     int32_t *act_max);

/* ---- 16x8: int16 activations (zero point 0), int8 weights, int64 bias (TFLM's 16x8) ----
 * Convolutions and FC accumulate in int64 and rescale with TFLite's 64-bit
 * MultiplyByQuantizedMultiplier (quant shifts in [-31, 7]); pooling, ADD (left_shift 15)
 * and MUL follow the int8 arithmetic. Implemented in kernels/reference/s16.c. */
lwai_status lwai_conv2d_s16(const lwai_conv_s16_params *params, const lwai_channel_quant *quant,
                            const lwai_dims *input_dims, const int16_t *input,
                            const lwai_dims *filter_dims, const int8_t *filter,
                            const lwai_dims *bias_dims, const int64_t *bias,
                            const lwai_dims *output_dims, int16_t *output);
lwai_status lwai_depthwise_conv2d_s16(const lwai_conv_s16_params *params,
                                      const lwai_channel_quant *quant,
                                      const lwai_dims *input_dims, const int16_t *input,
                                      const lwai_dims *filter_dims, const int8_t *filter,
                                      const lwai_dims *bias_dims, const int64_t *bias,
                                      const lwai_dims *output_dims, int16_t *output);
lwai_status lwai_fully_connected_s16(const lwai_fully_connected_s16_params *params,
                                     const lwai_channel_quant *quant,
                                     const lwai_dims *input_dims, const int16_t *input,
                                     const lwai_dims *filter_dims, const int8_t *filter,
                                     const lwai_dims *bias_dims, const int64_t *bias,
                                     const lwai_dims *output_dims, int16_t *output);
lwai_status lwai_avg_pool2d_s16(const lwai_pool2d_s16_params *params, const lwai_dims *input_dims,
                                const int16_t *input, const lwai_dims *output_dims,
                                int16_t *output);
lwai_status lwai_max_pool2d_s16(const lwai_pool2d_s16_params *params, const lwai_dims *input_dims,
                                const int16_t *input, const lwai_dims *output_dims,
                                int16_t *output);
lwai_status lwai_add_s16(const lwai_add_s16_params *params, const lwai_dims *input1_dims,
                         const int16_t *input1, const lwai_dims *input2_dims,
                         const int16_t *input2, const lwai_dims *output_dims, int16_t *output);
lwai_status lwai_mul_s16(const lwai_mul_s16_params *params, const lwai_dims *input1_dims,
                         const int16_t *input1, const lwai_dims *input2_dims,
                         const int16_t *input2, const lwai_dims *output_dims, int16_t *output);

/* TRANSPOSE_CONV (kernels/reference/transpose_conv.c): filter [Cout, KH, KW, Cin], no
 * fused activation in TFLM (act_min/act_max: the output dtype's range). */
lwai_status lwai_transpose_conv_s8(const lwai_transpose_conv_params *params,
                                   const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                   const int8_t *input, const lwai_dims *filter_dims,
                                   const int8_t *filter, const lwai_dims *bias_dims,
                                   const int32_t *bias, const lwai_dims *output_dims,
                                   int8_t *output);
lwai_status lwai_transpose_conv_s16(const lwai_transpose_conv_params *params,
                                    const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                    const int16_t *input, const lwai_dims *filter_dims,
                                    const int8_t *filter, const lwai_dims *bias_dims,
                                    const int64_t *bias, const lwai_dims *output_dims,
                                    int16_t *output);
lwai_status lwai_transpose_conv_f32(const lwai_transpose_conv_params *params,
                                    const lwai_dims *input_dims, const float *input,
                                    const lwai_dims *filter_dims, const float *filter,
                                    const lwai_dims *bias_dims, const float *bias,
                                    const lwai_dims *output_dims, float *output);

/* BATCH_MATMUL (kernels/reference/batch_matmul.c): x [B0, B1, M, K] (or [B0, B1, K, M] with
 * adj_x) times y [B0, B1, K, N] (or [.., N, K] with adj_y), batch dims broadcast. */
lwai_status lwai_batch_matmul_s8(const lwai_batch_matmul_params *params,
                                 const lwai_dims *input1_dims, const int8_t *input1,
                                 const lwai_dims *input2_dims, const int8_t *input2,
                                 const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_batch_matmul_s16(const lwai_batch_matmul_params *params,
                                  const lwai_dims *input1_dims, const int16_t *input1,
                                  const lwai_dims *input2_dims, const int16_t *input2,
                                  const lwai_dims *output_dims, int16_t *output);

/* int16 -> int16 SOFTMAX over the last axis (kernels/reference/softmax_s16.c): TFLM's
 * table-based exp and reciprocal; output scale 1/32768, zero point 0. */
lwai_status lwai_softmax_s16(const lwai_softmax_s16_params *params, const lwai_dims *input_dims,
                             const int16_t *input, const lwai_dims *output_dims, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* LWAI_KERNELS_H */
