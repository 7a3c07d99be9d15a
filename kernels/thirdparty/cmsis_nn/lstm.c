/* UNIDIRECTIONAL_SEQUENCE_LSTM (int8, 8x8 -> 16) on CMSIS-NN's LSTM building blocks, in
 * TFLite Micro's order. arm_lstm_unidirectional_s8 itself is not bit-exact with TFLM: per
 * gate it adds the recurrent FC's rescaled value to the saturated input FC and saturates
 * once, where TFLM saturates both FCs to int16 first (measured: the lstm_cases "saturate"
 * and "huge_scale" LSTMs differ), and it adds i * g to f * cell unsaturated. So the
 * adapter runs the time steps itself: per gate arm_nn_vec_mat_mul_result_acc_s8_s16
 * (int32 matrix-vector products with DSP/Helium, the rescale to Q3.12) for the input and
 * the recurrent FC into separate int16 buffers, their saturating sum, then
 * arm_nn_activation_s16 (TFLite's 16-bit sigmoid/tanh table); the cell update with
 * arm_elementwise_mul_s16 (f * cell, i * g, each saturated), the saturating add and clip in
 * C; tanh(cell) and arm_elementwise_mul_s16_s8 for the hidden state. The element-wise C
 * is O(cell) per step; the products are CMSIS-NN's.
 * arm_nn_vec_mat_mul_result_acc_s8_s16 is declared in CMSIS-NN's support header (its
 * signature at the measured CMSIS-NN: lhs, rhs, effective bias, dst, multiplier, shift,
 * cols, rows, batches, batch offset). It wants the zero points folded into "effective
 * biases" (TFLM's CMSIS-NN kernel computes them at prepare time; lwai has no prepare
 * step): the adapter computes them per call, one pass over the weights (~3 instructions a
 * weight on Cortex-M4, about one time step's work).
 *
 * Scratch: the effective biases (input and recurrent per gate: 8 x cell int32), then three
 * int16 buffers of batch x cell (two gates, the recurrent FC), each rounded up to 16. */
#include <string.h>

#include "arm_nnsupportfunctions.h"
#include "cmsis_nn_common.h"

enum { LSTM_I = 0, LSTM_F = 1, LSTM_C = 2, LSTM_O = 3 };

static int32_t lstm_cmsis_bytes(const lwai_dims *out)
{
    return lwai_cmsis_align16(32 * out->c) + 3 * lwai_cmsis_align16(2 * out->n * out->c);
}

/* Shapes and params the adapter takes (the reference's own checks; the activation's left
 * shift cell_scale_power + 12 in [-31, 14]). */
static int lstm_cmsis_ok(const lwai_lstm_params *p, const lwai_dims *in, const lwai_dims *out)
{
    return p != 0 && in != 0 && out != 0 && in->n >= 1 && in->h >= 1 && in->c >= 1 &&
           in->w == 1 && out->w == 1 && out->n == in->n && out->h == in->h && out->c >= 1 &&
           in->c <= 32767 && out->c <= 32767 && in->n <= 32767 && in->h <= 32767 &&
           (p->time_major == 0 || p->time_major == 1) && p->cell_clip >= -1 &&
           p->cell_scale_power >= -43 && p->cell_scale_power <= 2;
}

int32_t lwai_lstm_cmsis_s8_get_buffer_size(const lwai_lstm_params *params,
                                           const lwai_dims *input_dims,
                                           const lwai_dims *output_dims)
{
    if (!lstm_cmsis_ok(params, input_dims, output_dims)) {
        return 0;
    }
    return lstm_cmsis_bytes(output_dims);
}

typedef struct {
    const lwai_lstm_params *p;
    const int8_t *wx[4], *wh[4];
    const int32_t *eff_in, *eff_h; /* [gate][cell] */
    int32_t in_mult[4], in_shift[4], rec_mult[4], rec_shift[4];
    int32_t n_in, n_cell;
    int16_t *buf1, *buf2, *rec;
} lstm_run;

static int32_t lstm_rowsum(const int8_t *w, int32_t n)
{
    int32_t k, s = 0;
    for (k = 0; k < n; ++k) {
        s += w[k];
    }
    return s;
}

/* The effective biases: bias + input_offset * row sum (input FC), hidden_offset * row sum
 * (recurrent FC), as int32 sums that wrap like TFLM's (unsigned: defined in C). */
static void lstm_effective_biases(const lstm_run *r, const int32_t *const bias[4],
                                  int32_t *eff_in, int32_t *eff_h)
{
    int32_t g, j;
    for (g = 0; g < 4; ++g) {
        for (j = 0; j < r->n_cell; ++j) {
            const int32_t sx = lstm_rowsum(r->wx[g] + j * r->n_in, r->n_in);
            const int32_t sh = lstm_rowsum(r->wh[g] + j * r->n_cell, r->n_cell);
            eff_in[g * r->n_cell + j] =
                (int32_t)((uint32_t)(bias[g] != 0 ? bias[g][j] : 0) +
                          (uint32_t)r->p->input_offset * (uint32_t)sx);
            eff_h[g * r->n_cell + j] = (int32_t)((uint32_t)r->p->hidden_offset * (uint32_t)sh);
        }
    }
}

static int16_t lstm_sat16(int32_t v)
{
    return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

/* One gate for `rows` rows: sat16(sat16(FC(x)) + sat16(FC(h))), then its activation. */
static void lstm_gate(const lstm_run *r, int g, const int8_t *x, const int8_t *h, int32_t rows,
                      int16_t *dst, arm_nn_activation_type act)
{
    const int32_t n = rows * r->n_cell;
    int32_t k;
    memset(dst, 0, (size_t)n * sizeof(int16_t));
    memset(r->rec, 0, (size_t)n * sizeof(int16_t));
    arm_nn_vec_mat_mul_result_acc_s8_s16(x, r->wx[g], r->eff_in + g * r->n_cell, dst,
                                         r->in_mult[g], r->in_shift[g], r->n_in, r->n_cell,
                                         rows, 1);
    arm_nn_vec_mat_mul_result_acc_s8_s16(h, r->wh[g], r->eff_h + g * r->n_cell, r->rec,
                                         r->rec_mult[g], r->rec_shift[g], r->n_cell, r->n_cell,
                                         rows, 1);
    for (k = 0; k < n; ++k) {
        dst[k] = lstm_sat16((int32_t)dst[k] + r->rec[k]);
    }
    arm_nn_activation_s16(dst, dst, n, 0, act);
}

/* One time step of `rows` rows (contiguous in x, h, out and cell). */
static void lstm_step(const lstm_run *r, const int8_t *x, const int8_t *h, int8_t *out,
                      int16_t *cell, int32_t rows)
{
    const lwai_lstm_params *p = r->p;
    const int32_t n = rows * r->n_cell;
    int32_t k;
    lstm_gate(r, LSTM_F, x, h, rows, r->buf1, ARM_SIGMOID);
    arm_elementwise_mul_s16(r->buf1, cell, 0, 0, cell, 0, p->forget_cell_multiplier,
                            p->forget_cell_shift, -32768, 32767, n);
    lstm_gate(r, LSTM_I, x, h, rows, r->buf1, ARM_SIGMOID);
    lstm_gate(r, LSTM_C, x, h, rows, r->buf2, ARM_TANH);
    arm_elementwise_mul_s16(r->buf1, r->buf2, 0, 0, r->buf1, 0, p->input_cell_multiplier,
                            p->input_cell_shift, -32768, 32767, n);
    for (k = 0; k < n; ++k) {
        int32_t v = lstm_sat16((int32_t)cell[k] + r->buf1[k]);
        if (p->cell_clip >= 0) {
            v = v < -p->cell_clip ? -p->cell_clip : v > p->cell_clip ? p->cell_clip : v;
        }
        cell[k] = (int16_t)v;
    }
    lstm_gate(r, LSTM_O, x, h, rows, r->buf1, ARM_SIGMOID);
    arm_nn_activation_s16(cell, r->buf2, n, p->cell_scale_power + 12, ARM_TANH);
    arm_elementwise_mul_s16_s8(r->buf1, r->buf2, out, p->hidden_zero_point,
                               p->hidden_multiplier, p->hidden_shift, r->n_cell, rows, 1);
}

lwai_status lwai_lstm_cmsis_s8(const lwai_context *ctx, const lwai_lstm_params *params,
                               const lwai_dims *input_dims, const int8_t *input,
                               const int8_t *input_to_input_weights,
                               const int8_t *input_to_forget_weights,
                               const int8_t *input_to_cell_weights,
                               const int8_t *input_to_output_weights,
                               const int8_t *recurrent_to_input_weights,
                               const int8_t *recurrent_to_forget_weights,
                               const int8_t *recurrent_to_cell_weights,
                               const int8_t *recurrent_to_output_weights,
                               const int32_t *input_gate_bias, const int32_t *forget_gate_bias,
                               const int32_t *cell_gate_bias, const int32_t *output_gate_bias,
                               int8_t *output_state, int16_t *cell_state,
                               const lwai_dims *output_dims, int8_t *output)
{
    const int32_t *const bias[4] = {input_gate_bias, forget_gate_bias, cell_gate_bias,
                                    output_gate_bias};
    lstm_run r;
    int32_t n_cell, n_in, batch, steps, t, b, g, buf_bytes;
    int32_t *eff;
    int8_t *base;
    if (!lstm_cmsis_ok(params, input_dims, output_dims)) {
        return lwai_lstm_s8(params, input_dims, input, input_to_input_weights,
                            input_to_forget_weights, input_to_cell_weights,
                            input_to_output_weights, recurrent_to_input_weights,
                            recurrent_to_forget_weights, recurrent_to_cell_weights,
                            recurrent_to_output_weights, input_gate_bias, forget_gate_bias,
                            cell_gate_bias, output_gate_bias, output_state, cell_state,
                            output_dims, output);
    }
    r.wx[LSTM_I] = input_to_input_weights;
    r.wx[LSTM_F] = input_to_forget_weights;
    r.wx[LSTM_C] = input_to_cell_weights;
    r.wx[LSTM_O] = input_to_output_weights;
    r.wh[LSTM_I] = recurrent_to_input_weights;
    r.wh[LSTM_F] = recurrent_to_forget_weights;
    r.wh[LSTM_C] = recurrent_to_cell_weights;
    r.wh[LSTM_O] = recurrent_to_output_weights;
    if (ctx == 0 || ctx->buf == 0 || ctx->size < lstm_cmsis_bytes(output_dims) || input == 0 ||
        output == 0 || output_state == 0 || cell_state == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (g = 0; g < 4; ++g) {
        if (r.wx[g] == 0 || r.wh[g] == 0) {
            return LWAI_ERR_INVALID_ARG;
        }
    }
    n_in = input_dims->c;
    n_cell = output_dims->c;
    batch = input_dims->n;
    steps = input_dims->h;
    r.p = params;
    r.n_in = n_in;
    r.n_cell = n_cell;
    r.in_mult[LSTM_I] = params->input_gate_input_multiplier;
    r.in_shift[LSTM_I] = params->input_gate_input_shift;
    r.rec_mult[LSTM_I] = params->input_gate_recurrent_multiplier;
    r.rec_shift[LSTM_I] = params->input_gate_recurrent_shift;
    r.in_mult[LSTM_F] = params->forget_gate_input_multiplier;
    r.in_shift[LSTM_F] = params->forget_gate_input_shift;
    r.rec_mult[LSTM_F] = params->forget_gate_recurrent_multiplier;
    r.rec_shift[LSTM_F] = params->forget_gate_recurrent_shift;
    r.in_mult[LSTM_C] = params->cell_gate_input_multiplier;
    r.in_shift[LSTM_C] = params->cell_gate_input_shift;
    r.rec_mult[LSTM_C] = params->cell_gate_recurrent_multiplier;
    r.rec_shift[LSTM_C] = params->cell_gate_recurrent_shift;
    r.in_mult[LSTM_O] = params->output_gate_input_multiplier;
    r.in_shift[LSTM_O] = params->output_gate_input_shift;
    r.rec_mult[LSTM_O] = params->output_gate_recurrent_multiplier;
    r.rec_shift[LSTM_O] = params->output_gate_recurrent_shift;
    base = (int8_t *)ctx->buf;
    eff = (int32_t *)(void *)base;
    r.eff_in = eff;
    r.eff_h = eff + 4 * n_cell;
    lstm_effective_biases(&r, bias, eff, eff + 4 * n_cell);
    buf_bytes = lwai_cmsis_align16(2 * batch * n_cell);
    r.buf1 = (int16_t *)(void *)(base + lwai_cmsis_align16(32 * n_cell));
    r.buf2 = (int16_t *)(void *)((int8_t *)r.buf1 + buf_bytes);
    r.rec = (int16_t *)(void *)((int8_t *)r.buf2 + buf_bytes);
    if (params->time_major) {
        /* [time, batch, features]: one step covers every batch row */
        for (t = 0; t < steps; ++t) {
            const int8_t *h = t == 0 ? output_state : output + (t - 1) * batch * n_cell;
            lstm_step(&r, input + t * batch * n_in, h, output + t * batch * n_cell, cell_state,
                      batch);
        }
        memcpy(output_state, output + (steps - 1) * batch * n_cell, (size_t)(batch * n_cell));
    } else {
        /* [batch, time, features]: a batch row's steps are contiguous */
        for (b = 0; b < batch; ++b) {
            int8_t *hb = output_state + b * n_cell;
            for (t = 0; t < steps; ++t) {
                const int32_t row = b * steps + t;
                const int8_t *h = t == 0 ? hb : output + (row - 1) * n_cell;
                lstm_step(&r, input + row * n_in, h, output + row * n_cell,
                          cell_state + b * n_cell, 1);
            }
            memcpy(hb, output + (b * steps + steps - 1) * n_cell, (size_t)n_cell);
        }
    }
    return LWAI_OK;
}

/* ---- 16x8: int16 activations and states, int8 weights, int64 biases ---------------------
 * The same steps on the 16x8 blocks: arm_nn_vec_mat_mul_result_acc_s16 per FC (int16 x int8
 * products, arm_nn_requantize_s64 to Q3.12), each FC into its own zeroed int16 buffer, their
 * saturating sum, arm_nn_activation_s16, the cell update as above, and
 * arm_elementwise_mul_s16 for the int16 hidden state. The biases are passed as they are
 * (16x8 LSTMs have zero points 0: others run the reference, arm_elementwise_mul_s16 ignores
 * its offsets); the recurrent FCs and
 * absent biases take a zero int64 vector from the scratch.
 * Where the blocks' arithmetic is not TFLM's the call runs lwai_lstm_s16 (checked per call,
 * per gate and FC; ~8 instructions a row on Cortex-M4, a weight pass only for the rows
 * named below):
 * - arm_nn_requantize_s64 truncates (acc * m16) >> (14 - shift) to int32 before its last
 *   rounding shift, TFLM after it: equal while |acc| * m16 <= 2^(44 - shift), with |acc| <=
 *   |bias| + cols * 2^22 (shifts near 7 or biases near 2^40 fall back; a typical gate
 *   shift of -9 allows 2^53).
 * - the first 512 columns are summed in int32 (SMLAD on Armv7E-M, VMLADAVA on Helium, which
 *   also starts from the bias truncated to int32): a row whose |bias| + 512 * 2^22 could
 *   overflow is checked against its weights (|bias| + 2^15 * sum |w| < 2^31) and falls
 *   back only if that fails.
 * Scratch: the zero vector (cell int64) and three int16 buffers of batch x cell. */
typedef struct {
    const lwai_lstm_params *p;
    const int8_t *wx[4], *wh[4];
    const int64_t *bias[4]; /* the zero vector where the gate has none */
    const int64_t *zero;
    int32_t in_mult[4], in_shift[4], rec_mult[4], rec_shift[4];
    int32_t n_in, n_cell;
    int16_t *buf1, *buf2, *rec;
} lstm16_run;

static int32_t lstm16_cmsis_bytes(const lwai_dims *out)
{
    return lwai_cmsis_align16(8 * out->c) + 3 * lwai_cmsis_align16(2 * out->n * out->c);
}

int32_t lwai_lstm_cmsis_s16_get_buffer_size(const lwai_lstm_params *params,
                                            const lwai_dims *input_dims,
                                            const lwai_dims *output_dims)
{
    if (!lstm_cmsis_ok(params, input_dims, output_dims)) {
        return 0;
    }
    return lstm16_cmsis_bytes(output_dims);
}

/* One FC (rows x cols weights, optional bias) computes like TFLM's on the 16x8 block. */
static int lstm16_fc_exact(const int8_t *w, const int64_t *bias, int32_t rows, int32_t cols,
                           int32_t mult, int32_t shift)
{
    const int32_t block = cols < 512 ? cols : 512;
    const int64_t taps = (int64_t)cols << LWAI_CMSIS_S16_PRODUCT_BITS;
    int64_t m16, lim;
    int32_t j, k;
    if (mult < 0 || shift < -31 || shift > 7) {
        return 0;
    }
    m16 = mult < 0x7FFF0000 ? (mult + (1 << 15)) >> 16 : 0x7FFF;
    lim = (int64_t)1 << (44 - shift > 62 ? 62 : 44 - shift);
    for (j = 0; j < rows; ++j) {
        int64_t b = bias != 0 ? bias[j] : 0;
        b = b < 0 ? -b : b;
        /* b <= 2^46 and taps < 2^37 keep the product below 2^63 */
        if (b > ((int64_t)1 << 46) || (b + taps) * m16 > lim) {
            return 0;
        }
        if (b + ((int64_t)block << LWAI_CMSIS_S16_PRODUCT_BITS) > 0x7fffffff) {
            int64_t s = 0;
            const int8_t *row = w + (int64_t)j * cols;
            for (k = 0; k < block; ++k) {
                s += row[k] < 0 ? -row[k] : row[k];
            }
            if (b + (s << 15) > 0x7fffffff) {
                return 0;
            }
        }
    }
    return 1;
}

/* One gate for `rows` rows: sat16(sat16(FC(x)) + sat16(FC(h))), then its activation. */
static void lstm16_gate(const lstm16_run *r, int g, const int16_t *x, const int16_t *h,
                        int32_t rows, int16_t *dst, arm_nn_activation_type act)
{
    const int32_t n = rows * r->n_cell;
    int32_t k;
    memset(dst, 0, (size_t)n * sizeof(int16_t));
    memset(r->rec, 0, (size_t)n * sizeof(int16_t));
    arm_nn_vec_mat_mul_result_acc_s16(x, r->wx[g], r->bias[g], dst, r->in_mult[g],
                                      r->in_shift[g], r->n_in, r->n_cell, rows, 1);
    arm_nn_vec_mat_mul_result_acc_s16(h, r->wh[g], r->zero, r->rec, r->rec_mult[g],
                                      r->rec_shift[g], r->n_cell, r->n_cell, rows, 1);
    for (k = 0; k < n; ++k) {
        dst[k] = lstm_sat16((int32_t)dst[k] + r->rec[k]);
    }
    arm_nn_activation_s16(dst, dst, n, 0, act);
}

static void lstm16_step(const lstm16_run *r, const int16_t *x, const int16_t *h, int16_t *out,
                        int16_t *cell, int32_t rows)
{
    const lwai_lstm_params *p = r->p;
    const int32_t n = rows * r->n_cell;
    int32_t k;
    lstm16_gate(r, LSTM_F, x, h, rows, r->buf1, ARM_SIGMOID);
    arm_elementwise_mul_s16(r->buf1, cell, 0, 0, cell, 0, p->forget_cell_multiplier,
                            p->forget_cell_shift, -32768, 32767, n);
    lstm16_gate(r, LSTM_I, x, h, rows, r->buf1, ARM_SIGMOID);
    lstm16_gate(r, LSTM_C, x, h, rows, r->buf2, ARM_TANH);
    arm_elementwise_mul_s16(r->buf1, r->buf2, 0, 0, r->buf1, 0, p->input_cell_multiplier,
                            p->input_cell_shift, -32768, 32767, n);
    for (k = 0; k < n; ++k) {
        int32_t v = lstm_sat16((int32_t)cell[k] + r->buf1[k]);
        if (p->cell_clip >= 0) {
            v = v < -p->cell_clip ? -p->cell_clip : v > p->cell_clip ? p->cell_clip : v;
        }
        cell[k] = (int16_t)v;
    }
    lstm16_gate(r, LSTM_O, x, h, rows, r->buf1, ARM_SIGMOID);
    arm_nn_activation_s16(cell, r->buf2, n, p->cell_scale_power + 12, ARM_TANH);
    arm_elementwise_mul_s16(r->buf1, r->buf2, 0, 0, out, p->hidden_zero_point,
                            p->hidden_multiplier, p->hidden_shift, -32768, 32767, n);
}

lwai_status lwai_lstm_cmsis_s16(const lwai_context *ctx, const lwai_lstm_params *params,
                                const lwai_dims *input_dims, const int16_t *input,
                                const int8_t *input_to_input_weights,
                                const int8_t *input_to_forget_weights,
                                const int8_t *input_to_cell_weights,
                                const int8_t *input_to_output_weights,
                                const int8_t *recurrent_to_input_weights,
                                const int8_t *recurrent_to_forget_weights,
                                const int8_t *recurrent_to_cell_weights,
                                const int8_t *recurrent_to_output_weights,
                                const int64_t *input_gate_bias, const int64_t *forget_gate_bias,
                                const int64_t *cell_gate_bias, const int64_t *output_gate_bias,
                                int16_t *output_state, int16_t *cell_state,
                                const lwai_dims *output_dims, int16_t *output)
{
    const int64_t *const bias[4] = {input_gate_bias, forget_gate_bias, cell_gate_bias,
                                    output_gate_bias};
    lstm16_run r;
    int32_t n_cell, n_in, batch, steps, t, b, g, buf_bytes;
    int64_t *zero;
    int8_t *base;
    int exact;
    r.wx[LSTM_I] = input_to_input_weights;
    r.wx[LSTM_F] = input_to_forget_weights;
    r.wx[LSTM_C] = input_to_cell_weights;
    r.wx[LSTM_O] = input_to_output_weights;
    r.wh[LSTM_I] = recurrent_to_input_weights;
    r.wh[LSTM_F] = recurrent_to_forget_weights;
    r.wh[LSTM_C] = recurrent_to_cell_weights;
    r.wh[LSTM_O] = recurrent_to_output_weights;
    if (!lstm_cmsis_ok(params, input_dims, output_dims)) {
        exact = 0;
    } else if (ctx == 0 || ctx->buf == 0 || ctx->size < lstm16_cmsis_bytes(output_dims) ||
               input == 0 || output == 0 || output_state == 0 || cell_state == 0) {
        return LWAI_ERR_INVALID_ARG;
    } else {
        /* arm_elementwise_mul_s16 ignores its offsets: all zero points 0 */
        exact = params->input_offset == 0 && params->hidden_offset == 0 &&
                params->hidden_zero_point == 0;
    }
    if (exact) {
        r.in_mult[LSTM_I] = params->input_gate_input_multiplier;
        r.in_shift[LSTM_I] = params->input_gate_input_shift;
        r.rec_mult[LSTM_I] = params->input_gate_recurrent_multiplier;
        r.rec_shift[LSTM_I] = params->input_gate_recurrent_shift;
        r.in_mult[LSTM_F] = params->forget_gate_input_multiplier;
        r.in_shift[LSTM_F] = params->forget_gate_input_shift;
        r.rec_mult[LSTM_F] = params->forget_gate_recurrent_multiplier;
        r.rec_shift[LSTM_F] = params->forget_gate_recurrent_shift;
        r.in_mult[LSTM_C] = params->cell_gate_input_multiplier;
        r.in_shift[LSTM_C] = params->cell_gate_input_shift;
        r.rec_mult[LSTM_C] = params->cell_gate_recurrent_multiplier;
        r.rec_shift[LSTM_C] = params->cell_gate_recurrent_shift;
        r.in_mult[LSTM_O] = params->output_gate_input_multiplier;
        r.in_shift[LSTM_O] = params->output_gate_input_shift;
        r.rec_mult[LSTM_O] = params->output_gate_recurrent_multiplier;
        r.rec_shift[LSTM_O] = params->output_gate_recurrent_shift;
        for (g = 0; g < 4 && exact; ++g) {
            exact = r.wx[g] != 0 && r.wh[g] != 0 &&
                    lstm16_fc_exact(r.wx[g], bias[g], output_dims->c, input_dims->c,
                                    r.in_mult[g], r.in_shift[g]) &&
                    lstm16_fc_exact(r.wh[g], 0, output_dims->c, output_dims->c, r.rec_mult[g],
                                    r.rec_shift[g]);
        }
    }
    if (!exact) {
        return lwai_lstm_s16(params, input_dims, input, input_to_input_weights,
                             input_to_forget_weights, input_to_cell_weights,
                             input_to_output_weights, recurrent_to_input_weights,
                             recurrent_to_forget_weights, recurrent_to_cell_weights,
                             recurrent_to_output_weights, input_gate_bias, forget_gate_bias,
                             cell_gate_bias, output_gate_bias, output_state, cell_state,
                             output_dims, output);
    }
    n_in = input_dims->c;
    n_cell = output_dims->c;
    batch = input_dims->n;
    steps = input_dims->h;
    r.p = params;
    r.n_in = n_in;
    r.n_cell = n_cell;
    base = (int8_t *)ctx->buf;
    zero = (int64_t *)(void *)base;
    memset(zero, 0, (size_t)n_cell * sizeof(int64_t));
    r.zero = zero;
    for (g = 0; g < 4; ++g) {
        r.bias[g] = bias[g] != 0 ? bias[g] : zero;
    }
    buf_bytes = lwai_cmsis_align16(2 * batch * n_cell);
    r.buf1 = (int16_t *)(void *)(base + lwai_cmsis_align16(8 * n_cell));
    r.buf2 = (int16_t *)(void *)((int8_t *)r.buf1 + buf_bytes);
    r.rec = (int16_t *)(void *)((int8_t *)r.buf2 + buf_bytes);
    if (params->time_major) {
        for (t = 0; t < steps; ++t) {
            const int16_t *h = t == 0 ? output_state : output + (t - 1) * batch * n_cell;
            lstm16_step(&r, input + t * batch * n_in, h, output + t * batch * n_cell,
                        cell_state, batch);
        }
        memcpy(output_state, output + (steps - 1) * batch * n_cell,
               (size_t)(batch * n_cell) * sizeof(int16_t));
    } else {
        for (b = 0; b < batch; ++b) {
            int16_t *hb = output_state + b * n_cell;
            for (t = 0; t < steps; ++t) {
                const int32_t row = b * steps + t;
                const int16_t *h = t == 0 ? hb : output + (row - 1) * n_cell;
                lstm16_step(&r, input + row * n_in, h, output + row * n_cell,
                            cell_state + b * n_cell, 1);
            }
            memcpy(hb, output + (b * steps + steps - 1) * n_cell,
                   (size_t)n_cell * sizeof(int16_t));
        }
    }
    return LWAI_OK;
}
