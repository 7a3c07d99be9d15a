/* SignalDelay: each row of the input (last dim = frame) delayed by delay_length samples
 * across invocations. TFLM keeps a FIFO primed with delay_length zeros; lwai keeps just the
 * delay_length samples still owed per row (the state, zeros after a reset): output =
 * (state ++ input)[0, frame), new state = (state ++ input)[frame, frame + delay). */
#include <string.h>

#include "signal_common.h"

int32_t lwai_signal_delay_s16_get_state_size(const lwai_signal_params *params,
                                             const lwai_dims *input_dims)
{
    const int32_t rows = input_dims->n * input_dims->h * input_dims->w;
    return rows * (params->delay_length > 0 ? params->delay_length : 1) *
           (int32_t)sizeof(int16_t);
}

lwai_status lwai_signal_delay_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                  const int16_t *input, const lwai_dims *state_dims,
                                  int16_t *state, const lwai_dims *output_dims, int16_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    int32_t rows, f, d, r;
    if (params == 0 || input == 0 || state == 0 || output == 0 || n < 1 ||
        lwai_signal_count(output_dims) != n || params->delay_length < 0 ||
        params->delay_length > 65535) {
        return LWAI_ERR_INVALID_ARG;
    }
    f = input_dims->c;
    d = params->delay_length;
    rows = n / f;
    if ((int64_t)lwai_signal_count(state_dims) * 2 !=
        (int64_t)lwai_signal_delay_s16_get_state_size(params, input_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (r = 0; r < rows; ++r) {
        const int16_t *in = input + r * f;
        int16_t *out = output + r * f;
        int16_t *st = state + r * (d > 0 ? d : 1);
        if (d == 0) {
            memcpy(out, in, (size_t)f * sizeof *in);
        } else if (f >= d) {
            memcpy(out, st, (size_t)d * sizeof *st);
            memcpy(out + d, in, (size_t)(f - d) * sizeof *in);
            memcpy(st, in + (f - d), (size_t)d * sizeof *in);
        } else {
            memcpy(out, st, (size_t)f * sizeof *st);
            memmove(st, st + f, (size_t)(d - f) * sizeof *st);
            memcpy(st + (d - f), in, (size_t)f * sizeof *in);
        }
    }
    return LWAI_OK;
}
