/* SignalOverlapAdd: frames [..., n_frames, frame_size] added into a per-row buffer of
 * frame_size samples (the state, zeros after a reset); each frame then emits the buffer's
 * first frame_step samples and shifts it left by frame_step. int16 sums saturate. */
#include <string.h>

#include "signal_common.h"

/* rows: the input's elements over n_frames * frame_size (input dims: n = rows, w = frames,
 * c = frame_size). */
static int overlap_shapes(const lwai_signal_params *p, const lwai_dims *in, const lwai_dims *st,
                          const lwai_dims *out, int32_t *rows)
{
    const int32_t n = lwai_signal_count(in);
    const int32_t step = p->frame_step;
    if (n < 1 || in->c < 1 || in->w < 1 || step < 1 || step > in->c) {
        return 0;
    }
    *rows = n / (in->w * in->c);
    return lwai_signal_count(st) == *rows * in->c &&
           lwai_signal_count(out) == *rows * in->w * step;
}

int32_t lwai_signal_overlap_add_s16_get_state_size(const lwai_dims *input_dims)
{
    return input_dims->n * input_dims->h * input_dims->c * (int32_t)sizeof(int16_t);
}

int32_t lwai_signal_overlap_add_f32_get_state_size(const lwai_dims *input_dims)
{
    return input_dims->n * input_dims->h * input_dims->c * (int32_t)sizeof(float);
}

/* Both element types share this body; ADD(acc, x) is the element step (int16 saturates,
 * float adds), inlined by the preprocessor. */
#define OVERLAP_ADD_DEFINE(SUFFIX, T, ADD)                                                     \
    lwai_status lwai_signal_overlap_add_##SUFFIX(                                              \
        const lwai_signal_params *params, const lwai_dims *input_dims, const T *input,         \
        const lwai_dims *state_dims, T *state, const lwai_dims *output_dims, T *output)        \
    {                                                                                          \
        int32_t rows, r, fr, i;                                                                \
        if (params == 0 || input == 0 || state == 0 || output == 0 ||                          \
            !overlap_shapes(params, input_dims, state_dims, output_dims, &rows)) {             \
            return LWAI_ERR_INVALID_ARG;                                                       \
        }                                                                                      \
        for (r = 0; r < rows; ++r) {                                                           \
            const int32_t size = input_dims->c, step = params->frame_step;                     \
            T *buf = state + r * size;                                                         \
            for (fr = 0; fr < input_dims->w; ++fr) {                                           \
                const T *in = input + (r * input_dims->w + fr) * size;                         \
                for (i = 0; i < size; ++i) {                                                   \
                    buf[i] = ADD(buf[i], in[i]);                                               \
                }                                                                              \
                memcpy(output + (r * input_dims->w + fr) * step, buf,                          \
                       (size_t)step * sizeof *buf);                                            \
                memmove(buf, buf + step, (size_t)(size - step) * sizeof *buf);                 \
                for (i = size - step; i < size; ++i) {                                         \
                    buf[i] = (T)0;                                                             \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        return LWAI_OK;                                                                        \
    }

static inline int16_t overlap_add_sat_s16(int16_t acc, int16_t x)
{
    const int32_t v = (int32_t)x + acc;
    return (int16_t)(v < INT16_MIN ? INT16_MIN : (v > INT16_MAX ? INT16_MAX : v));
}

#define OVERLAP_ADD_F32(acc, x) ((acc) + (x))

OVERLAP_ADD_DEFINE(s16, int16_t, overlap_add_sat_s16)
OVERLAP_ADD_DEFINE(f32, float, OVERLAP_ADD_F32)
