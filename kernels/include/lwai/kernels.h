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

/* ---- elementwise and binary quantized ops (issue 12; lwai/frontend/elementwise.py) ----
 * TFLite Micro's arithmetic; binary ones broadcast NumPy-style in 4-D (broadcast.h).
 * All return LWAI_OK or LWAI_ERR_INVALID_ARG. */

/* SUB int16 (kernels/reference/sub.c): ADD int16's params, zero points 0, left_shift 15. */
lwai_status lwai_sub_s16(const lwai_add_s16_params *params, const lwai_dims *input1_dims,
                         const int16_t *input1, const lwai_dims *input2_dims,
                         const int16_t *input2, const lwai_dims *output_dims, int16_t *output);
/* RELU / RELU6 / LEAKY_RELU int16 (kernels/reference/relu.c), zero points 0. */
lwai_status lwai_relu_s16(const lwai_relu_s16_params *params, const lwai_dims *input_dims,
                          const int16_t *input, const lwai_dims *output_dims, int16_t *output);
/* ABS (abs.c): |x - zp|, rescaled when mode is 1, plus the output zero point. */
lwai_status lwai_abs_s8(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                        const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_abs_s16(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                         const int16_t *input, const lwai_dims *output_dims, int16_t *output);
/* ELU, RSQRT int8 (lut.c): output = table[input + 128], a 256-entry table. */
lwai_status lwai_lut_s8(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                        const int8_t *input, const lwai_dims *table_dims, const int8_t *table,
                        const lwai_dims *output_dims, int8_t *output);
/* RSQRT int16 (lut.c): TFLM's fixed-point 1 / sqrt per element, zero points 0. */
lwai_status lwai_rsqrt_s16(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                           const int16_t *input, const lwai_dims *output_dims, int16_t *output);
/* PRELU (prelu.c): alpha broadcast against the input; int16 takes an int8 alpha. */
lwai_status lwai_prelu_s8(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                          const int8_t *input, const lwai_dims *alpha_dims, const int8_t *alpha,
                          const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_prelu_s16(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                           const int16_t *input, const lwai_dims *alpha_dims,
                           const int8_t *alpha, const lwai_dims *output_dims, int16_t *output);
/* SQUARED_DIFFERENCE (squared_difference.c). */
lwai_status lwai_squared_difference_s8(const lwai_elementwise_params *params,
                                       const lwai_dims *input1_dims, const int8_t *input1,
                                       const lwai_dims *input2_dims, const int8_t *input2,
                                       const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_squared_difference_s16(const lwai_elementwise_params *params,
                                        const lwai_dims *input1_dims, const int16_t *input1,
                                        const lwai_dims *input2_dims, const int16_t *input2,
                                        const lwai_dims *output_dims, int16_t *output);
/* DIV int8 (div.c). */
lwai_status lwai_div_s8(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                        const int8_t *input1, const lwai_dims *input2_dims, const int8_t *input2,
                        const lwai_dims *output_dims, int8_t *output);
/* MAXIMUM (mode 0) / MINIMUM (mode 1) on the raw integers (minmax.c). */
lwai_status lwai_minmax_s8(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                           const int8_t *input1, const lwai_dims *input2_dims,
                           const int8_t *input2, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_minmax_s16(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                            const int16_t *input1, const lwai_dims *input2_dims,
                            const int16_t *input2, const lwai_dims *output_dims,
                            int16_t *output);
/* EQUAL .. LESS_EQUAL (mode 0..5) on int8, bool (0/1 bytes) out (compare.c). */
lwai_status lwai_compare_s8(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                            const int8_t *input1, const lwai_dims *input2_dims,
                            const int8_t *input2, const lwai_dims *output_dims,
                            uint8_t *output);
/* ADD_N int8 (add_n.c): 1..15 inputs of one shape and quantization, summed. */
lwai_status lwai_add_n_s8(const lwai_elementwise_params *params, uint32_t num_inputs,
                          const lwai_dims *input_dims, const void *const *inputs,
                          const lwai_dims *output_dims, void *output);

/* ---- MEAN, SUM, REDUCE_MAX, REDUCE_MIN (kernels/reference/reduce.c) ------------------ */

/* Reduces the dims of params->axes (bit i: dim i of n, h, w, c); output dims are the
 * input's with those set to 1. sum: MEAN and SUM (TFLM's QuantizedMeanOrSum rescale);
 * max/min: raw values (equal input and output quantization). Returns LWAI_OK,
 * LWAI_ERR_INVALID_ARG. */
lwai_status lwai_reduce_sum_s8(const lwai_reduce_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_reduce_sum_s16(const lwai_reduce_params *params, const lwai_dims *input_dims,
                                const int16_t *input, const lwai_dims *output_dims,
                                int16_t *output);
lwai_status lwai_reduce_max_s8(const lwai_reduce_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_reduce_min_s8(const lwai_reduce_params *params, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *output_dims, int8_t *output);

/* ---- L2_NORMALIZATION, LOG_SOFTMAX (kernels/reference/l2norm.c, log_softmax.c) -------- */

/* Over the last axis (dims c), rows = the other dims. L2: output scale 1/128, zero point
 * 0; LOG_SOFTMAX: output scale 16/256, zero point 127 (TFLite's fixed quantizations).
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_l2norm_s8(const lwai_l2norm_params *params, const lwai_dims *input_dims,
                           const int8_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_log_softmax_s8(const lwai_log_softmax_params *params,
                                const lwai_dims *input_dims, const int8_t *input,
                                const lwai_dims *output_dims, int8_t *output);

/* ---- RESIZE_BILINEAR (kernels/reference/resize_bilinear.c) ----------------------------- */

/* [N, H, W, C] -> [N, OH, OW, C], TFLite's integer interpolation (10 fractional bits);
 * the output keeps the input's quantization. Returns LWAI_OK, LWAI_ERR_INVALID_ARG. */
lwai_status lwai_resize_bilinear_s8(const lwai_resize_bilinear_params *params,
                                    const lwai_dims *input_dims, const int8_t *input,
                                    const lwai_dims *output_dims, int8_t *output);

/* ---- data movement and multi-output kernels (kernels/reference/{split,pack,reverse,
 * broadcast_to,mirror_pad,batch_to_space,space_to_batch,resize_nearest,gather_nd}.c) ----
 * They only move elements, so one kernel serves every dtype of an element size
 * (params->elem_bytes: 1, 2, 4 or 8). Each checks its operands (lwai_<kind>_shapes_ok, which
 * the graph executor also calls at load time) and returns LWAI_ERR_INVALID_ARG when they do
 * not fit together. Variadic operands: split takes num_outputs output dims and pointers,
 * pack num_inputs input dims and pointers (1..LWAI_MOVE_MAX_OPERANDS). */
#define LWAI_MOVE_MAX_OPERANDS 15u /* the graph executor's 16 operands minus the other side */

/* SPLIT / SPLIT_V / UNPACK: input (1, outer, axis, inner); output j (1, outer, axis_j,
 * inner) with the axis_j summing to axis (UNPACK: each 1). */
int lwai_split_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                         uint32_t num_outputs, const lwai_dims *output_dims);
lwai_status lwai_split(const lwai_move_params *params, const lwai_dims *input_dims,
                       const void *input, uint32_t num_outputs, const lwai_dims *output_dims,
                       void *const *outputs);

/* PACK: input j (1, outer, 1, inner); output (1, outer, num_inputs, inner). */
int lwai_pack_shapes_ok(const lwai_move_params *params, uint32_t num_inputs,
                        const lwai_dims *values_dims, const lwai_dims *output_dims);
lwai_status lwai_pack(const lwai_move_params *params, uint32_t num_inputs,
                      const lwai_dims *values_dims, const void *const *values,
                      const lwai_dims *output_dims, void *output);

/* REVERSE_V2: input and output the same 4-D dims; bit i of axis_mask reverses dim i
 * (n, h, w, c). */
int lwai_reverse_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                           const lwai_dims *output_dims);
lwai_status lwai_reverse(const lwai_move_params *params, const lwai_dims *input_dims,
                         const void *input, const lwai_dims *output_dims, void *output);

/* BROADCAST_TO: each input dim is 1 or the output's. */
int lwai_broadcast_to_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                const lwai_dims *output_dims);
lwai_status lwai_broadcast_to(const lwai_move_params *params, const lwai_dims *input_dims,
                              const void *input, const lwai_dims *output_dims, void *output);

/* MIRROR_PAD: pad0..pad3 elements before dims n, h, w, c, output - input - before after;
 * REFLECT (mode 0) pads at most dim - 1 per side, SYMMETRIC (1) at most dim. */
int lwai_mirror_pad_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                              const lwai_dims *output_dims);
lwai_status lwai_mirror_pad(const lwai_move_params *params, const lwai_dims *input_dims,
                            const void *input, const lwai_dims *output_dims, void *output);

/* BATCH_TO_SPACE_ND: (B, H, W, C) -> (B / (bh * bw), OH, OW, C) with crops pad0 (top) and
 * pad1 (left): OH + pad0 <= H * bh, OW + pad1 <= W * bw. */
int lwai_batch_to_space_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                  const lwai_dims *output_dims);
lwai_status lwai_batch_to_space(const lwai_move_params *params, const lwai_dims *input_dims,
                                const void *input, const lwai_dims *output_dims, void *output);

/* SPACE_TO_BATCH_ND: (B, H, W, C) -> (B * bh * bw, OH, OW, C), pad0 rows and pad1 columns
 * of pad_value before the input: pad0 + H <= OH * bh, pad1 + W <= OW * bw. */
int lwai_space_to_batch_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                  const lwai_dims *output_dims);
lwai_status lwai_space_to_batch(const lwai_move_params *params, const lwai_dims *input_dims,
                                const void *input, const lwai_dims *output_dims, void *output);

/* RESIZE_NEAREST_NEIGHBOR: (N, H, W, C) -> (N, OH, OW, C); rows (1, 1, 1, OH) and cols
 * (1, 1, 1, OW) are the source row and column of each output row and column (the compiler
 * computes them with TFLite's arithmetic), each in [0, H) and [0, W). */
int lwai_resize_nearest_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                                  const lwai_dims *rows_dims, const lwai_dims *cols_dims,
                                  const lwai_dims *output_dims);
lwai_status lwai_resize_nearest(const lwai_move_params *params, const lwai_dims *input_dims,
                                const void *input, const lwai_dims *rows_dims,
                                const int32_t *rows, const lwai_dims *cols_dims,
                                const int32_t *cols, const lwai_dims *output_dims,
                                void *output);

/* GATHER_ND (and EMBEDDING_LOOKUP, index_depth 1): input (d0, d1, d2, d3), the shape's
 * leading dims with 1s appended; indices (1, 1, n, index_depth); output (1, 1, n, slice),
 * slice = the product of the dims after the first index_depth. An index whose flat position
 * leaves the input stops the kernel with LWAI_ERR_INVALID_ARG (TFLite Micro's check). */
int lwai_gather_nd_shapes_ok(const lwai_move_params *params, const lwai_dims *input_dims,
                             const lwai_dims *indices_dims, const lwai_dims *output_dims);
lwai_status lwai_gather_nd(const lwai_move_params *params, const lwai_dims *input_dims,
                           const void *input, const lwai_dims *indices_dims,
                           const int32_t *indices, const lwai_dims *output_dims, void *output);

/* ---- the signal library's audio front end (TFLM Signal* custom ops) ------------------
 * micro_speech's preprocessor chain Window -> Rfft -> Energy -> FilterBank -> SquareRoot ->
 * SpectralSubtraction -> PCAN -> Log (kernels/reference/signal_*.c), bit-exact with TFLM's
 * signal/src arithmetic. Operands are flat: only each dims' element count (and last dim
 * where said) matters. Complex tensors are interleaved (re, im) pairs of the element type. */

/* SignalWindow: output = sat16((input * weights) >> shift), the weights repeated over
 * every row of input's last dim (== weights count). */
lwai_status lwai_signal_window_s16(const lwai_signal_params *params,
                                   const lwai_dims *input_dims, const int16_t *input,
                                   const lwai_dims *weights_dims, const int16_t *weights,
                                   const lwai_dims *output_dims, int16_t *output);

/* SignalFftAutoScale: output [n + 1]: input shifted left by the bits that leave the
 * largest magnitude below 2^15, then that bit count (TFLM's second output). */
lwai_status lwai_signal_fft_auto_scale_s16(const lwai_signal_params *params,
                                           const lwai_dims *input_dims, const int16_t *input,
                                           const lwai_dims *output_dims, int16_t *output);

/* SignalRfft (kissfft v130 as TFLM builds it): each row of input (last dim <= fft_length,
 * zero padded) -> fft_length / 2 + 1 complex bins. twiddles: the fft_length / 2 point
 * complex FFT's twiddles then the real-FFT split twiddles (fft_length / 4 complex), as the
 * compiler computes them (no libm here). */
lwai_status lwai_signal_rfft_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                 const int16_t *input, const lwai_dims *twiddles_dims,
                                 const int16_t *twiddles, const lwai_dims *output_dims,
                                 int16_t *output);
lwai_status lwai_signal_rfft_s32(const lwai_signal_params *params, const lwai_dims *input_dims,
                                 const int32_t *input, const lwai_dims *twiddles_dims,
                                 const int32_t *twiddles, const lwai_dims *output_dims,
                                 int32_t *output);
lwai_status lwai_signal_rfft_f32(const lwai_signal_params *params, const lwai_dims *input_dims,
                                 const float *input, const lwai_dims *twiddles_dims,
                                 const float *twiddles, const lwai_dims *output_dims,
                                 float *output);
/* 0 when fft_length is unsupported (odd, < 4, or its half has a prime factor above 5). */
int32_t lwai_signal_rfft_factors(int32_t fft_length, int32_t *factors);
int32_t lwai_signal_fft_source(int32_t k, const int32_t *factors);
/* SignalIrfft: each row of fft_length / 2 + 1 complex bins -> fft_length samples (kissfft's
 * kiss_fftri, with its fixed-point scaling); twiddles as for the RFFT, inverse direction. */
lwai_status lwai_signal_irfft_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                  const int16_t *input, const lwai_dims *twiddles_dims,
                                  const int16_t *twiddles, const lwai_dims *output_dims,
                                  int16_t *output);
lwai_status lwai_signal_irfft_s32(const lwai_signal_params *params, const lwai_dims *input_dims,
                                  const int32_t *input, const lwai_dims *twiddles_dims,
                                  const int32_t *twiddles, const lwai_dims *output_dims,
                                  int32_t *output);
lwai_status lwai_signal_irfft_f32(const lwai_signal_params *params, const lwai_dims *input_dims,
                                  const float *input, const lwai_dims *twiddles_dims,
                                  const float *twiddles, const lwai_dims *output_dims,
                                  float *output);

/* SignalEnergy: output[i] = re^2 + im^2 for start_index <= i < end_index, 0 elsewhere. */
lwai_status lwai_signal_energy_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                   const int16_t *input, const lwai_dims *output_dims,
                                   uint32_t *output);

/* SignalFilterBank: triangular mel filters accumulated in 64 bits (channel 0 of the
 * num_channels + 1 tables is TFLM's scratch and is dropped). */
lwai_status lwai_signal_filter_bank_u32(
    const lwai_signal_params *params, const lwai_dims *input_dims, const uint32_t *input,
    const lwai_dims *weights_dims, const int16_t *weights, const lwai_dims *unweights_dims,
    const int16_t *unweights, const lwai_dims *channel_frequency_starts_dims,
    const int16_t *channel_frequency_starts, const lwai_dims *channel_weight_starts_dims,
    const int16_t *channel_weight_starts, const lwai_dims *channel_widths_dims,
    const int16_t *channel_widths, const lwai_dims *output_dims, uint64_t *output);

/* SignalFilterBankSquareRoot: output = isqrt64(input) >> scale_bits[0]. */
lwai_status lwai_signal_filter_bank_sqrt_u64(const lwai_signal_params *params,
                                             const lwai_dims *input_dims, const uint64_t *input,
                                             const lwai_dims *scale_bits_dims,
                                             const int32_t *scale_bits,
                                             const lwai_dims *output_dims, uint32_t *output);

/* SignalFilterBankSpectralSubtraction: output [2 * C]: the subtracted channels, then the
 * noise estimate after this call (TFLM's second output); noise_estimate is the state. */
lwai_status lwai_signal_spectral_subtraction_u32(const lwai_signal_params *params,
                                                 const lwai_dims *input_dims,
                                                 const uint32_t *input,
                                                 const lwai_dims *noise_estimate_dims,
                                                 uint32_t *noise_estimate,
                                                 const lwai_dims *output_dims, uint32_t *output);
int32_t lwai_signal_spectral_subtraction_u32_get_state_size(const lwai_dims *input_dims);

/* SignalFilterBankLog: output = min(log(input << input_correction_bits) * output_scale /
 * 2^16, 32767) in TFLM's fixed point, 0 for inputs <= 1 after the shift. */
lwai_status lwai_signal_filter_bank_log_u32(const lwai_signal_params *params,
                                            const lwai_dims *input_dims, const uint32_t *input,
                                            const lwai_dims *output_dims, int16_t *output);

/* SignalPCAN: per-channel automatic gain control; gain_lut has >= 125 entries. */
lwai_status lwai_signal_pcan_u32(const lwai_signal_params *params, const lwai_dims *input_dims,
                                 const uint32_t *input, const lwai_dims *noise_estimate_dims,
                                 const uint32_t *noise_estimate, const lwai_dims *gain_lut_dims,
                                 const int16_t *gain_lut, const lwai_dims *output_dims,
                                 uint32_t *output);

/* SignalDelay: each row (last dim) delayed by delay_length samples across invocations;
 * state: the delay_length samples owed per row (at least 1 element per row). */
lwai_status lwai_signal_delay_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                  const int16_t *input, const lwai_dims *state_dims,
                                  int16_t *state, const lwai_dims *output_dims, int16_t *output);
int32_t lwai_signal_delay_s16_get_state_size(const lwai_signal_params *params,
                                             const lwai_dims *input_dims);

/* SignalOverlapAdd: input dims (rows, 1, n_frames, frame_size), state (rows x frame_size),
 * output rows x n_frames x frame_step; int16 sums saturate. */
lwai_status lwai_signal_overlap_add_s16(const lwai_signal_params *params,
                                        const lwai_dims *input_dims, const int16_t *input,
                                        const lwai_dims *state_dims, int16_t *state,
                                        const lwai_dims *output_dims, int16_t *output);
lwai_status lwai_signal_overlap_add_f32(const lwai_signal_params *params,
                                        const lwai_dims *input_dims, const float *input,
                                        const lwai_dims *state_dims, float *state,
                                        const lwai_dims *output_dims, float *output);
int32_t lwai_signal_overlap_add_s16_get_state_size(const lwai_dims *input_dims);
int32_t lwai_signal_overlap_add_f32_get_state_size(const lwai_dims *input_dims);

/* SignalFramer: frames of frame_size every frame_step samples of each row (last dim);
 * output [rows x frames x frame_size, valid]; state (frame_size rounded up to a multiple of
 * frame_step) + 1 int16 per row. */
lwai_status lwai_signal_framer_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                   const int16_t *input, const lwai_dims *state_dims,
                                   int16_t *state, const lwai_dims *output_dims, int16_t *output);
int32_t lwai_signal_framer_s16_get_state_size(const lwai_signal_params *params,
                                              const lwai_dims *input_dims);

/* SignalStacker: output [num_channels x (left + right + 1), valid]; state that + 2 int16. */
lwai_status lwai_signal_stacker_s16(const lwai_signal_params *params,
                                    const lwai_dims *input_dims, const int16_t *input,
                                    const lwai_dims *state_dims, int16_t *state,
                                    const lwai_dims *output_dims, int16_t *output);
int32_t lwai_signal_stacker_s16_get_state_size(const lwai_signal_params *params);

/* ---- CAST, QUANTIZE/DEQUANTIZE pairs, SELECT_V2, CUMSUM int8 (lwai/frontend/cast_ops.py) */
/* CAST of the raw integer (TFLM's static_cast; quantization ignored); bool as one byte. */
lwai_status lwai_cast_s8_f32(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                             const int8_t *input, const lwai_dims *output_dims, float *output);
lwai_status lwai_cast_s8_b(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                           const int8_t *input, const lwai_dims *output_dims, uint8_t *output);
lwai_status lwai_cast_s16_f32(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                              const int16_t *input, const lwai_dims *output_dims, float *output);
lwai_status lwai_cast_s16_s8(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                             const int16_t *input, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_cast_s16_b(const lwai_elementwise_params *params, const lwai_dims *input_dims,
                            const int16_t *input, const lwai_dims *output_dims, uint8_t *output);
/* QUANTIZE int32 -> int8/int16, int8 <-> uint8 (TFLite's Requantize); DEQUANTIZE uint8. */
lwai_status lwai_quantize_s32_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                 const int32_t *input, const lwai_dims *output_dims,
                                 int8_t *output);
lwai_status lwai_quantize_s32_s16(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                  const int32_t *input, const lwai_dims *output_dims,
                                  int16_t *output);
lwai_status lwai_quantize_s8_u8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *output_dims,
                                uint8_t *output);
lwai_status lwai_quantize_u8_s8(const lwai_quantize_params *params, const lwai_dims *input_dims,
                                const uint8_t *input, const lwai_dims *output_dims,
                                int8_t *output);
lwai_status lwai_dequantize_u8_f32(const lwai_dequantize_params *params,
                                   const lwai_dims *input_dims, const uint8_t *input,
                                   const lwai_dims *output_dims, float *output);
/* SELECT_V2: output = condition ? x : y, all three broadcast over 4-D; raw values. */
lwai_status lwai_select_s8(const lwai_elementwise_params *params, const lwai_dims *condition_dims,
                           const uint8_t *condition, const lwai_dims *x_dims, const int8_t *x,
                           const lwai_dims *y_dims, const int8_t *y,
                           const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_select_s16(const lwai_elementwise_params *params,
                            const lwai_dims *condition_dims, const uint8_t *condition,
                            const lwai_dims *x_dims, const int16_t *x, const lwai_dims *y_dims,
                            const int16_t *y, const lwai_dims *output_dims, int16_t *output);
/* CUMSUM int8 along the w dim of (1, inner, depth, outer) dims (TFLM's quantized cumsum). */
lwai_status lwai_cumsum_s8(const lwai_cumsum_params *params, const lwai_dims *input_dims,
                           const int8_t *input, const lwai_dims *output_dims, int8_t *output);
/* ZEROS_LIKE: params->bytes of output set to 0 (input: only its shape). */
lwai_status lwai_zeros_like(const lwai_reshape_params *params, const void *input, void *output);

/* TFLite_Detection_PostProcess (TFLM's custom op): box_encodings (1, 1, boxes, >= 4),
 * class_predictions (1, 1, boxes, num_classes [+ 1 background]), anchors (1, 1, boxes, 4),
 * all float32. Output: detection boxes [max_detections x 4], classes, scores
 * [max_detections each], the detection count, then the kernel's scratch
 * (lwai_detection_postprocess_f32_scratch floats). Fast NMS keeps one class per box.
 * LWAI_ERR_INVALID_ARG for a decoded box with ymin >= ymax or xmin >= xmax (TFLM fails). */
int32_t lwai_detection_postprocess_f32_scratch(int32_t num_boxes, int32_t max_detections);
lwai_status lwai_detection_postprocess_f32(const lwai_detection_postprocess_params *params,
                                           const lwai_dims *box_dims, const float *box_encodings,
                                           const lwai_dims *class_dims,
                                           const float *class_predictions,
                                           const lwai_dims *anchor_dims, const float *anchors,
                                           const lwai_dims *output_dims, float *output);

/* CIRCULAR_BUFFER (TFLM's custom op), int8: the state holds the last num_slots frames of
 * input_dims' size (oldest first); each call drops the oldest, appends the input and copies
 * the state to the output (of the state's size). */
lwai_status lwai_circular_buffer_s8(const lwai_move_params *params, const lwai_dims *input_dims,
                                    const int8_t *input, const lwai_dims *state_dims,
                                    int8_t *state, const lwai_dims *output_dims, int8_t *output);

/* A resource variable's reset (graph executor): params->bytes of init copied to state. */
lwai_status lwai_variable(const lwai_reshape_params *params, const void *init, void *state);

#ifdef __cplusplus
}
#endif

#endif /* LWAI_KERNELS_H */
