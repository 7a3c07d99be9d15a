/*
 * lwai's CMSIS-NN backend: adapters from lwai's kernel API to Arm's CMSIS-NN library,
 * built from the user's own CMSIS-NN checkout (LWAI_CMSIS_NN_PATH; see docs/cmsis-nn.md).
 * Same symbols' shapes as the optimized backend (lwai/kernels_optimized.h): ctx first for
 * the four kernels with scratch, the reference signature for the others; params, quant and
 * dims mean what they mean for the reference kernels (lwai/kernels.h), and the results are
 * bit-exact with them (and with TFLite Micro).
 *
 * Where CMSIS-NN cannot compute a case exactly like the reference (broadcasting ADD/MUL,
 * pooling windows entirely in the padding, FC filter offsets, shapes beyond CMSIS-NN's
 * 16-bit sizes), the adapter calls the reference kernel: kernels/thirdparty/README.md lists
 * every such fallback and the CMSIS-NN paths the adapters avoid.
 *
 * Scratch: *_get_buffer_size() is CMSIS-NN's own size for the path the adapter takes on the
 * build's CPU (DSP on Armv7E-M, Helium on Armv8.1-M) rounded up to 16, plus the adapter's
 * extras (per-tensor quant expanded to per-channel arrays, 8 bytes per output channel, for
 * conv, depthwise and Helium FC; a zero bias for grouped convs; a transposed filter for
 * one-input-channel convs on Armv7E-M). Its Python twin is lwai/backends/cmsis_nn.py.
 * As for the optimized backend, eval trusts shapes the compiler (or the graph loader)
 * validated; it returns LWAI_ERR_INVALID_ARG on NULL pointers and a ctx smaller than the
 * buffer size.
 */
#ifndef LWAI_KERNELS_CMSIS_NN_H
#define LWAI_KERNELS_CMSIS_NN_H

#include "lwai/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CONV_2D: arm_convolve_wrapper_s8 (1x1, 1xN and im2col paths) -------------------- */
int32_t lwai_conv2d_cmsis_s8_get_buffer_size(const lwai_conv2d_params *params,
                                             const lwai_dims *input_dims,
                                             const lwai_dims *filter_dims,
                                             const lwai_dims *output_dims);
lwai_status lwai_conv2d_cmsis_s8(const lwai_context *ctx, const lwai_conv2d_params *params,
                                 const lwai_channel_quant *quant, const lwai_dims *input_dims,
                                 const int8_t *input, const lwai_dims *filter_dims,
                                 const int8_t *filter, const lwai_dims *bias_dims,
                                 const int32_t *bias, const lwai_dims *output_dims,
                                 int8_t *output);

/* ---- DEPTHWISE_CONV_2D ----------------------------------------------------------------- */
int32_t lwai_depthwise_conv2d_cmsis_s8_get_buffer_size(const lwai_depthwise_conv2d_params *params,
                                                       const lwai_dims *input_dims,
                                                       const lwai_dims *filter_dims,
                                                       const lwai_dims *output_dims);
lwai_status lwai_depthwise_conv2d_cmsis_s8(const lwai_context *ctx,
                                           const lwai_depthwise_conv2d_params *params,
                                           const lwai_channel_quant *quant,
                                           const lwai_dims *input_dims, const int8_t *input,
                                           const lwai_dims *filter_dims, const int8_t *filter,
                                           const lwai_dims *bias_dims, const int32_t *bias,
                                           const lwai_dims *output_dims, int8_t *output);

/* ---- FULLY_CONNECTED ------------------------------------------------------------------- */
int32_t lwai_fully_connected_cmsis_s8_get_buffer_size(const lwai_fully_connected_params *params,
                                                      const lwai_dims *input_dims,
                                                      const lwai_dims *filter_dims,
                                                      const lwai_dims *output_dims);
lwai_status lwai_fully_connected_cmsis_s8(const lwai_context *ctx,
                                          const lwai_fully_connected_params *params,
                                          const lwai_channel_quant *quant,
                                          const lwai_dims *input_dims, const int8_t *input,
                                          const lwai_dims *filter_dims, const int8_t *filter,
                                          const lwai_dims *bias_dims, const int32_t *bias,
                                          const lwai_dims *output_dims, int8_t *output);

/* ---- AVERAGE_POOL_2D ------------------------------------------------------------------- */
int32_t lwai_avg_pool2d_cmsis_s8_get_buffer_size(const lwai_avg_pool2d_params *params,
                                                 const lwai_dims *input_dims,
                                                 const lwai_dims *output_dims);
lwai_status lwai_avg_pool2d_cmsis_s8(const lwai_context *ctx, const lwai_avg_pool2d_params *params,
                                     const lwai_dims *input_dims, const int8_t *input,
                                     const lwai_dims *output_dims, int8_t *output);

/* ---- no scratch: the reference signature ------------------------------------------------ */
lwai_status lwai_max_pool2d_cmsis_s8(const lwai_max_pool2d_params *params,
                                     const lwai_dims *input_dims, const int8_t *input,
                                     const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_add_cmsis_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                              const int8_t *input1, const lwai_dims *input2_dims,
                              const int8_t *input2, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_mul_cmsis_s8(const lwai_mul_params *params, const lwai_dims *input1_dims,
                              const int8_t *input1, const lwai_dims *input2_dims,
                              const int8_t *input2, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_softmax_cmsis_s8(const lwai_softmax_params *params, const lwai_dims *input_dims,
                                  const int8_t *input, const lwai_dims *output_dims,
                                  int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* LWAI_KERNELS_CMSIS_NN_H */
