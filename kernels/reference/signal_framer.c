/* SignalFramer: each row's samples cut into overlapping frames of frame_size, one per
 * frame_step new samples, across invocations. TFLM keeps a FIFO per row (primed with
 * frame_size - frame_step zeros with prefill); lwai's state per row is the same FIFO
 * linearised: [fill - base, samples (capacity)], base = the prefill count, so all-zero state
 * is TFLM's reset. Output [frames..., valid]: valid is 0 when some frame lacked samples
 * (TFLM leaves that frame unwritten; lwai writes zeros). */
#include <string.h>

#include "signal_common.h"

/* TFLM's capacity: frame_size rounded up to a multiple of frame_step. */
static int32_t framer_capacity(const lwai_signal_params *p)
{
    return (p->frame_size + p->frame_step - 1) / p->frame_step * p->frame_step;
}

int32_t lwai_signal_framer_s16_get_state_size(const lwai_signal_params *params,
                                              const lwai_dims *input_dims)
{
    const int32_t rows = input_dims->n * input_dims->h * input_dims->w;
    return rows * (framer_capacity(params) + 1) * (int32_t)sizeof(int16_t);
}

lwai_status lwai_signal_framer_s16(const lwai_signal_params *params, const lwai_dims *input_dims,
                                   const int16_t *input, const lwai_dims *state_dims,
                                   int16_t *state, const lwai_dims *output_dims, int16_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    int32_t rows, frames, cap, base, r, f;
    int16_t valid = 1;
    if (params == 0 || input == 0 || state == 0 || output == 0 || n < 1 ||
        params->frame_step < 1 || params->frame_size < 1 || params->frame_size > 16384 ||
        params->frame_step > 16384 || input_dims->c % params->frame_step != 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    cap = framer_capacity(params);
    rows = n / input_dims->c;
    frames = input_dims->c / params->frame_step;
    base = params->prefill ? params->frame_size - params->frame_step : 0;
    if (base < 0 || lwai_signal_count(output_dims) != rows * frames * params->frame_size + 1 ||
        (int64_t)lwai_signal_count(state_dims) * 2 !=
            (int64_t)lwai_signal_framer_s16_get_state_size(params, input_dims)) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (r = 0; r < rows; ++r) {
        int16_t *st = state + r * (cap + 1);
        int16_t *buf = st + 1;
        int32_t fill = st[0] + base;
        for (f = 0; f < frames; ++f) {
            int16_t *out = output + (r * frames + f) * params->frame_size;
            if (fill < 0 || fill + params->frame_step > cap) {
                return LWAI_ERR_INVALID_ARG; /* a corrupted state */
            }
            memcpy(buf + fill, input + (r * frames + f) * params->frame_step,
                   (size_t)params->frame_step * sizeof *buf);
            fill += params->frame_step;
            if (fill >= params->frame_size) {
                memcpy(out, buf, (size_t)params->frame_size * sizeof *buf);
                memmove(buf, buf + params->frame_step,
                        (size_t)(fill - params->frame_step) * sizeof *buf);
                fill -= params->frame_step;
            } else {
                memset(out, 0, (size_t)params->frame_size * sizeof *out);
                valid = 0;
            }
        }
        st[0] = (int16_t)(fill - base);
    }
    output[rows * frames * params->frame_size] = valid;
    return LWAI_OK;
}
