/*
 * lwai optimized kernels: the same operators and arithmetic as the reference kernels
 * (lwai/kernels.h), bit-exact with them, written for one CPU architecture each:
 * kernels/optimized/armv7em/ (Cortex-M4/M7/M33, DSP extension: SMLAD, SXTB16, SSAT) and
 * kernels/optimized/armv81m/ (Cortex-M55, Helium/MVE). Every architecture folder defines
 * the same symbols, so a build takes the folder of its CPU (LWAI_CPU_ARCH).
 *
 * Lifecycle (as CMSIS-NN): a kernel with scratch exports *_get_buffer_size() for the
 * compiler, which plans that many bytes in the arena and passes them in ctx. The Python
 * twin of each size function (lwai/backends/optimized_<arch>.py) is tested equal to it.
 * Params, quant and dims mean exactly what they mean for the reference kernel of the op;
 * the compiler's support check (and, for loaded models, the graph executor) validated them
 * once, so eval only computes (it still returns LWAI_ERR_INVALID_ARG on NULL pointers and
 * on a ctx smaller than its buffer size).
 */
#ifndef LWAI_KERNELS_OPTIMIZED_H
#define LWAI_KERNELS_OPTIMIZED_H

#include "lwai/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CONV_2D: 1x1 as a GEMM, KxK through a partial im2col in ctx ----------------------- */
int32_t lwai_conv2d_opt_s8_get_buffer_size(const lwai_conv2d_params *params,
                                           const lwai_dims *input_dims,
                                           const lwai_dims *filter_dims,
                                           const lwai_dims *output_dims);
lwai_status lwai_conv2d_opt_s8(const lwai_context *ctx, const lwai_conv2d_params *params,
                               const lwai_channel_quant *quant, const lwai_dims *input_dims,
                               const int8_t *input, const lwai_dims *filter_dims,
                               const int8_t *filter, const lwai_dims *bias_dims,
                               const int32_t *bias, const lwai_dims *output_dims,
                               int8_t *output);

/* ---- DEPTHWISE_CONV_2D ----------------------------------------------------------------- */
int32_t lwai_depthwise_conv2d_opt_s8_get_buffer_size(const lwai_depthwise_conv2d_params *params,
                                                     const lwai_dims *input_dims,
                                                     const lwai_dims *filter_dims,
                                                     const lwai_dims *output_dims);
lwai_status lwai_depthwise_conv2d_opt_s8(const lwai_context *ctx,
                                         const lwai_depthwise_conv2d_params *params,
                                         const lwai_channel_quant *quant,
                                         const lwai_dims *input_dims, const int8_t *input,
                                         const lwai_dims *filter_dims, const int8_t *filter,
                                         const lwai_dims *bias_dims, const int32_t *bias,
                                         const lwai_dims *output_dims, int8_t *output);

/* ---- FULLY_CONNECTED ------------------------------------------------------------------- */
int32_t lwai_fully_connected_opt_s8_get_buffer_size(const lwai_fully_connected_params *params,
                                                    const lwai_dims *input_dims,
                                                    const lwai_dims *filter_dims,
                                                    const lwai_dims *output_dims);
lwai_status lwai_fully_connected_opt_s8(const lwai_context *ctx,
                                        const lwai_fully_connected_params *params,
                                        const lwai_channel_quant *quant,
                                        const lwai_dims *input_dims, const int8_t *input,
                                        const lwai_dims *filter_dims, const int8_t *filter,
                                        const lwai_dims *bias_dims, const int32_t *bias,
                                        const lwai_dims *output_dims, int8_t *output);

/* ---- AVERAGE_POOL_2D ------------------------------------------------------------------- */
int32_t lwai_avg_pool2d_opt_s8_get_buffer_size(const lwai_avg_pool2d_params *params,
                                               const lwai_dims *input_dims,
                                               const lwai_dims *output_dims);
lwai_status lwai_avg_pool2d_opt_s8(const lwai_context *ctx, const lwai_avg_pool2d_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, int8_t *output);

/* ---- no scratch: the reference signature ------------------------------------------------ */
lwai_status lwai_max_pool2d_opt_s8(const lwai_max_pool2d_params *params,
                                   const lwai_dims *input_dims, const int8_t *input,
                                   const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_add_opt_s8(const lwai_add_params *params, const lwai_dims *input1_dims,
                            const int8_t *input1, const lwai_dims *input2_dims,
                            const int8_t *input2, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_mul_opt_s8(const lwai_mul_params *params, const lwai_dims *input1_dims,
                            const int8_t *input1, const lwai_dims *input2_dims,
                            const int8_t *input2, const lwai_dims *output_dims, int8_t *output);
lwai_status lwai_softmax_opt_s8(const lwai_softmax_params *params, const lwai_dims *input_dims,
                                const int8_t *input, const lwai_dims *output_dims,
                                int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* LWAI_KERNELS_OPTIMIZED_H */
