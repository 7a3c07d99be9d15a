/* SignalStacker: stacks the last left_context + 1 + right_context input vectors (of
 * num_channels) into one, every stacker_step vectors; the first vector is repeated
 * left_context extra times. State (TFLM's FIFO and first-frame flag, linearised):
 * [fill, has_first, samples (num_channels * (left + right + 1))], zeros = TFLM's reset.
 * Output [stack..., valid]; an invalid stack is zeros (TFLM leaves it unwritten). */
#include <string.h>

#include "signal_common.h"

static int32_t stacker_size(const lwai_signal_params *p)
{
    return p->num_channels * (p->stacker_left_context + p->stacker_right_context + 1);
}

int32_t lwai_signal_stacker_s16_get_state_size(const lwai_signal_params *params)
{
    return (stacker_size(params) + 2) * (int32_t)sizeof(int16_t);
}

lwai_status lwai_signal_stacker_s16(const lwai_signal_params *params,
                                    const lwai_dims *input_dims, const int16_t *input,
                                    const lwai_dims *state_dims, int16_t *state,
                                    const lwai_dims *output_dims, int16_t *output)
{
    int32_t size, step, c, fill, i;
    int16_t *buf;
    if (params == 0 || input == 0 || state == 0 || output == 0 || params->num_channels < 1 ||
        params->stacker_left_context < 0 || params->stacker_right_context < 0 ||
        params->stacker_step < 1 ||
        params->stacker_step > params->stacker_left_context + params->stacker_right_context + 1 ||
        (int64_t)params->num_channels *
                (params->stacker_left_context + params->stacker_right_context + 1) >
            16384) {
        return LWAI_ERR_INVALID_ARG;
    }
    c = params->num_channels;
    size = stacker_size(params);
    step = c * params->stacker_step;
    if (lwai_signal_count(input_dims) != c || lwai_signal_count(output_dims) != size + 1 ||
        (int64_t)lwai_signal_count(state_dims) * 2 !=
            (int64_t)lwai_signal_stacker_s16_get_state_size(params)) {
        return LWAI_ERR_INVALID_ARG;
    }
    buf = state + 2;
    fill = state[0];
    if (fill < 0 || fill + c > size) {
        return LWAI_ERR_INVALID_ARG; /* a corrupted state */
    }
    memcpy(buf + fill, input, (size_t)c * sizeof *buf);
    fill += c;
    if (state[1] == 0) { /* the first vector, repeated left_context times */
        for (i = 0; i < params->stacker_left_context; ++i) {
            memcpy(buf + fill, buf + fill - c, (size_t)c * sizeof *buf);
            fill += c;
        }
        state[1] = 1;
    }
    if (fill >= size) {
        memcpy(output, buf, (size_t)size * sizeof *buf);
        memmove(buf, buf + step, (size_t)(fill - step) * sizeof *buf);
        fill -= step;
        output[size] = 1;
    } else {
        memset(output, 0, (size_t)size * sizeof *output);
        output[size] = 0;
    }
    state[0] = (int16_t)fill;
    return LWAI_OK;
}
