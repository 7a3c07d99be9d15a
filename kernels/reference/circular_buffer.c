/* CIRCULAR_BUFFER (TFLite Micro's custom op), int8: the last num_slots input frames, oldest
 * first. TFLM keeps them in the output tensor (a variable tensor, reset to the zero point);
 * lwai keeps them in the op's state (same reset value) and copies it to the output. TFLM's
 * op also counts invocations and returns kTfLiteAbort on all but every cycles_max-th;
 * lwai.frontend.detection_ops admits only models where that skips nothing, so the count has
 * no effect on any output and lwai does not keep it. */
#include <string.h>

#include "lwai/kernels.h"

lwai_status lwai_circular_buffer_s8(const lwai_move_params *params, const lwai_dims *input_dims,
                                    const int8_t *input, const lwai_dims *state_dims,
                                    int8_t *state, const lwai_dims *output_dims, int8_t *output)
{
    int64_t depth, total;
    if (params == 0 || input_dims == 0 || state_dims == 0 || output_dims == 0 || input == 0 ||
        state == 0 || output == 0 || params->elem_bytes != 1) {
        return LWAI_ERR_INVALID_ARG;
    }
    /* int64: a graph file's dims are checked before any use */
    depth = (int64_t)input_dims->n * input_dims->h * input_dims->w * input_dims->c;
    total = (int64_t)state_dims->n * state_dims->h * state_dims->w * state_dims->c;
    if (depth < 1 || total < depth || total % depth != 0 || total > INT32_MAX ||
        (int64_t)output_dims->n * output_dims->h * output_dims->w * output_dims->c != total) {
        return LWAI_ERR_INVALID_ARG;
    }
    memmove(state, state + depth, (size_t)(total - depth));
    memcpy(state + (total - depth), input, (size_t)depth);
    memcpy(output, state, (size_t)total);
    return LWAI_OK;
}
