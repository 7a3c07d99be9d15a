/* See include/lwai_model_tiny.h. Arena: input at 0, output at 16 (4 bytes each). */
#include "lwai/kernel_params.h" /* LWAI_MODEL_ABI */
#include "lwai_model_tiny.h"

#ifdef LWAI_TINY_MUST_NOT_BUILD
#error "LWAI_TINY_MUST_NOT_BUILD is defined: the build passed CFLAGS through (tests use this)"
#endif

#define TINY_N 4
#define TINY_IN_OFFSET 0
#define TINY_OUT_OFFSET 16

static const lwai_tensor_info tiny_inputs[1] = {
    {"x", TINY_IN_OFFSET, TINY_N, {1, TINY_N}, 2, LWAI_DTYPE_INT8, 0.5f, 0},
};
static const lwai_tensor_info tiny_outputs[1] = {
    {"y", TINY_OUT_OFFSET, TINY_N, {1, TINY_N}, 2, LWAI_DTYPE_INT8, 0.5f, 0},
};
static const int8_t tiny_weights[TINY_N] = {1, 2, 3, -4};

static lwai_status tiny_run(uint8_t *arena)
{
    const int8_t *x = (const int8_t *)(arena + TINY_IN_OFFSET);
    int8_t *y = (int8_t *)(arena + TINY_OUT_OFFSET);
    int i;
    for (i = 0; i < TINY_N; ++i) {
        y[i] = (int8_t)(x[i] * tiny_weights[i] + 1);
    }
    return LWAI_OK;
}

const lwai_model_desc lwai_model_tiny = {
    LWAI_MODEL_ABI, "tiny", 32, 1, 1, tiny_inputs, tiny_outputs, tiny_run, NULL,
};
