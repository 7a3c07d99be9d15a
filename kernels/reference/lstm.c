/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM reference kernels (the standard Keras LSTM: no peephole, no
 * projection, no layer norm, no CIFG), bit-exact with TFLite Micro's integer LSTM:
 *
 *   gate_x  = act_x(FC16(input, W_x, b_x) +sat FC16(hidden, R_x))     x in {i, f, c, o}
 *   cell    = clip(f * cell +sat i * g)           (two int16 muls, each rescaled to cell)
 *   hidden  = tanh(cell) * o                      (rescaled to the hidden state's quant)
 *
 * where FC16 rescales a 32-bit (s8) or 64-bit (s16) accumulator to int16 at scale 2^-12
 * (Q3.12, the input of the 16-bit sigmoid/tanh), the gates are Q0.15 (scale 2^-15) and
 * sigmoid/tanh interpolate in TFLite's 256-entry sigmoid table. Every rounding step follows
 * TFLM's lstm_eval: the two FCs are clamped to int16 separately, then added with int16
 * saturation; f * cell is stored (saturated) before i * g is added.
 *
 * Each output element of a time step depends only on the previous hidden state, the input
 * row and its own cell element, so the kernel computes one state element at a time (no
 * gate buffers, no scratch), writes the new hidden state into the output row of that step
 * and copies it back into the hidden state at the end of the step (TFLM writes the hidden
 * state then copies it out: the same values).
 */
#include <math.h>
#include <string.h>

#include "lwai_fixedpoint.h"
#include "lwai_math.h"
#include "lwai_sigmoid_lut.h"

enum { LSTM_GATE_INPUT = 0, LSTM_GATE_FORGET = 1, LSTM_GATE_CELL = 2, LSTM_GATE_OUTPUT = 3 };

/* Sigmoid of a Q3.12 int16 (the gate pre-activation) into Q0.15, TFLite's 16-bit Logistic
 * with a power-of-two input scale: v = 3x is the input in units of 1/(24 * 512), so v >> 9
 * indexes the table (step 1/24) and the low 9 bits interpolate; |x| >= 255/24 saturates. */
static int16_t lstm_sigmoid_q15(int32_t x)
{
    const int32_t v = x * 3;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 9;
    uint32_t r;
    if (k >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t lo = lwai_sigmoid_lut_q16[k];
        const uint32_t hi = lwai_sigmoid_lut_q16[k + 1u];
        r = (lo << 9) + (a & 0x1FFu) * (hi - lo);
    }
    /* 1 - sigmoid(|x|) for negative inputs; the table is Q0.16, the result Q0.15. */
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

/* tanh into Q0.15 via tanh(x) = 2 sigmoid(2x) - 1 on the same table, TFLite's 16-bit Tanh
 * with a power-of-two input scale: v = x * multiplier, rounded right by `right_shift`, is
 * the input in units of 1/(48 * 256), so v >> 8 indexes the table at 2x (step 1/24) and the
 * low 8 bits interpolate. */
static int16_t lstm_tanh_q15(int32_t x, int32_t multiplier, int32_t right_shift)
{
    const int32_t round = right_shift > 0 ? (int32_t)1 << (right_shift - 1) : 0;
    const int32_t v = (x * multiplier + round) >> right_shift;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 8;
    int32_t r;
    if (k >= 255u) {
        r = (int32_t)(0xFFFFu << 8);
    } else {
        const uint32_t lo = lwai_sigmoid_lut_q16[k];
        const uint32_t hi = lwai_sigmoid_lut_q16[k + 1u];
        r = (int32_t)((lo << 8) + (a & 0xFFu) * (hi - lo));
    }
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(r >> 8);
}

/* TFLite's int64 MultiplyByQuantizedMultiplier (16x8 kernels): the multiplier is first
 * rounded to 16 bits, then one rounding shift; the result is truncated to 32 bits as TFLite
 * does (a model whose accumulators overflow that is out of contract in TFLite too). */
static int32_t lstm_mul_by_quantized_multiplier_64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int32_t reduced =
        multiplier < 0x7FFF0000 ? (int32_t)((multiplier + (1 << 15)) >> 16) : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    const int64_t r = x * (int64_t)reduced + ((int64_t)1 << (total_shift - 1));
    return (int32_t)(uint32_t)(uint64_t)(r >> total_shift);
}

static int16_t lstm_sat16(int32_t v)
{
    return (int16_t)lwai_clamp_i32(v, LWAI_INT16_MIN, LWAI_INT16_MAX);
}

/* Product of two Q0.15 values (or Q0.15 x cell) rescaled by (multiplier, shift), plus
 * zero_point, clamped to [lo, hi]: TFLite's MulElementwise on int16 inputs. */
static int32_t lstm_mul(int32_t a, int32_t b, int32_t multiplier, int32_t shift, int32_t zero_point,
                        int32_t lo, int32_t hi)
{
    /* |a * b| <= 2^30: fits int32 before the rescale. */
    const int32_t raw = lwai_mul_by_quantized_multiplier(a * b, multiplier, shift);
    return lwai_offset_clamp_i32(raw, zero_point, lo, hi);
}

typedef struct {
    int32_t steps;  /* time steps */
    int32_t batch;  /* batch size */
    int32_t n_in;   /* input size */
    int32_t n_cell; /* state size */
} lstm_shape;

static int lstm_shape_from(const lwai_lstm_params *p, const lwai_dims *input_dims,
                           const lwai_dims *output_dims, lstm_shape *s)
{
    if (p == 0 || !lwai_dims_valid(input_dims) || !lwai_dims_valid(output_dims)) {
        return 0;
    }
    /* dims: {n = batch, h = time steps, w = 1, c = features}; memory order per time_major. */
    if (input_dims->w != 1 || output_dims->w != 1 || input_dims->n != output_dims->n ||
        input_dims->h != output_dims->h || (p->time_major != 0 && p->time_major != 1)) {
        return 0;
    }
    s->batch = input_dims->n;
    s->steps = input_dims->h;
    s->n_in = input_dims->c;
    s->n_cell = output_dims->c;
    return 1;
}

/* Row index (rows of input or cell size) of time step t of batch b. */
static int32_t lstm_row(const lwai_lstm_params *p, const lstm_shape *s, int32_t b, int32_t t)
{
    return p->time_major ? t * s->batch + b : b * s->steps + t;
}

static void lstm_tanh_params(int32_t cell_scale_power, int32_t *multiplier, int32_t *right_shift)
{
    /* TFLM's Tanh(cell_state_scale_power): the cell state (scale 2^power) becomes the tanh
     * input in units of 2^-12 / 3, multiplied by 3 << (12 + power) when 12 + power >= 0,
     * else by 3 and rounded right by -(12 + power). */
    const int32_t left = 15 + cell_scale_power - 3;
    if (left >= 0) {
        *multiplier = 3 << left;
        *right_shift = 0;
    } else {
        *multiplier = 3;
        *right_shift = -left;
    }
}

static int lstm_params_ok(const lwai_lstm_params *p)
{
    return p->cell_scale_power >= -43 && p->cell_scale_power <= 2 && p->cell_clip >= -1;
}

/* The cell gate's tanh (the only cell activation a TFLite file can give TFLM) takes its
 * Q3.12 input with power -12: multiplier 3, no shift. */
static int16_t lstm_cell_gate_tanh(int32_t pre) { return lstm_tanh_q15(pre, 3, 0); }

/* New cell value from the four gate outputs (Q0.15) and the old cell value, as TFLM's
 * UpdateLstmCell: f * cell stored (int16-saturated), i * g added with saturation, clipped. */
static int16_t lstm_new_cell(const lwai_lstm_params *p, int32_t f, int32_t i, int32_t g, int32_t c)
{
    const int32_t fc = lstm_mul(f, c, p->forget_cell_multiplier, p->forget_cell_shift, 0,
                                LWAI_INT16_MIN, LWAI_INT16_MAX);
    const int32_t ig = lstm_mul(i, g, p->input_cell_multiplier, p->input_cell_shift, 0,
                                LWAI_INT16_MIN, LWAI_INT16_MAX);
    int32_t nc = lstm_sat16(fc + ig);
    if (p->cell_clip >= 0) {
        nc = lwai_clamp_i32(nc, -p->cell_clip, p->cell_clip);
    }
    return (int16_t)nc;
}

/* Rescale of one gate's two FCs (input and recurrent) to Q3.12. */
typedef struct {
    int32_t in_mult, in_shift, rec_mult, rec_shift;
} lstm_gate_quant;

static void lstm_gate_quant_of(const lwai_lstm_params *p, int gate, lstm_gate_quant *q)
{
    switch (gate) {
    case LSTM_GATE_INPUT:
        q->in_mult = p->input_gate_input_multiplier;
        q->in_shift = p->input_gate_input_shift;
        q->rec_mult = p->input_gate_recurrent_multiplier;
        q->rec_shift = p->input_gate_recurrent_shift;
        break;
    case LSTM_GATE_FORGET:
        q->in_mult = p->forget_gate_input_multiplier;
        q->in_shift = p->forget_gate_input_shift;
        q->rec_mult = p->forget_gate_recurrent_multiplier;
        q->rec_shift = p->forget_gate_recurrent_shift;
        break;
    case LSTM_GATE_CELL:
        q->in_mult = p->cell_gate_input_multiplier;
        q->in_shift = p->cell_gate_input_shift;
        q->rec_mult = p->cell_gate_recurrent_multiplier;
        q->rec_shift = p->cell_gate_recurrent_shift;
        break;
    default:
        q->in_mult = p->output_gate_input_multiplier;
        q->in_shift = p->output_gate_input_shift;
        q->rec_mult = p->output_gate_recurrent_multiplier;
        q->rec_shift = p->output_gate_recurrent_shift;
        break;
    }
}

/* Bytes of one state operand: [batch, cell] elements of the state's dtype. */
static int32_t lstm_state_size(const lwai_dims *output_dims, int32_t which, int32_t hidden_bytes,
                               int32_t cell_bytes)
{
    if (!lwai_dims_valid(output_dims) ||
        (which != LWAI_LSTM_OUTPUT_STATE && which != LWAI_LSTM_CELL_STATE)) {
        return -1;
    }
    return output_dims->n * output_dims->c *
           (which == LWAI_LSTM_OUTPUT_STATE ? hidden_bytes : cell_bytes);
}

int32_t lwai_lstm_s8_get_state_size(const lwai_dims *output_dims, int32_t which)
{
    return lstm_state_size(output_dims, which, 1, 2);
}

int32_t lwai_lstm_s16_get_state_size(const lwai_dims *output_dims, int32_t which)
{
    return lstm_state_size(output_dims, which, 2, 2);
}

int32_t lwai_lstm_f32_get_state_size(const lwai_dims *output_dims, int32_t which)
{
    return lstm_state_size(output_dims, which, 4, 4);
}

/* ---- int8 activations, int8 weights, int32 bias, int16 cell ---------------------------- */

/* The four gates' dot products of row j over one activation vector, in one pass: each
 * activation is loaded and offset once for the four weight rows (exact integer sums, so the
 * order does not matter). One body per (activation, accumulator) type: 16x8 sums in int64,
 * as TFLite's 16x8 FC does (|w * v| <= 128 * 65536: each product fits int32). */
#define LWAI_LSTM_DOT4(name, x_t, acc_t)                                                        \
    static void name(const int8_t *const w[4], int32_t row, const x_t *x, int32_t n,            \
                     int32_t x_offset, acc_t acc[4])                                            \
    {                                                                                           \
        const int8_t *w0 = w[0] + row * n, *w1 = w[1] + row * n;                                \
        const int8_t *w2 = w[2] + row * n, *w3 = w[3] + row * n;                                \
        acc_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;                                                   \
        int32_t k;                                                                              \
        for (k = 0; k < n; ++k) {                                                               \
            const int32_t v = (int32_t)x[k] + x_offset;                                         \
            a0 += (int32_t)w0[k] * v;                                                           \
            a1 += (int32_t)w1[k] * v;                                                           \
            a2 += (int32_t)w2[k] * v;                                                           \
            a3 += (int32_t)w3[k] * v;                                                           \
        }                                                                                       \
        acc[0] = a0;                                                                            \
        acc[1] = a1;                                                                            \
        acc[2] = a2;                                                                            \
        acc[3] = a3;                                                                            \
    }

LWAI_LSTM_DOT4(lstm_dot4_s8, int8_t, int32_t)
LWAI_LSTM_DOT4(lstm_dot4_s16, int16_t, int64_t)

/* One cell of one step from its four gate pre-activations (Q3.12): the new cell value into
 * *c, and the hidden output, clamped to [lo, hi] (the int8 or int16 range). */
static int32_t lstm_step_cell(const lwai_lstm_params *p, const int32_t pre[4], int16_t *c,
                              int32_t tanh_mult, int32_t tanh_shift, int32_t lo, int32_t hi)
{
    *c = lstm_new_cell(p, lstm_sigmoid_q15(pre[LSTM_GATE_FORGET]),
                       lstm_sigmoid_q15(pre[LSTM_GATE_INPUT]),
                       lstm_cell_gate_tanh(pre[LSTM_GATE_CELL]), *c);
    return lstm_mul(lstm_tanh_q15(*c, tanh_mult, tanh_shift),
                    lstm_sigmoid_q15(pre[LSTM_GATE_OUTPUT]), p->hidden_multiplier,
                    p->hidden_shift, p->hidden_zero_point, lo, hi);
}

/* Pre-activation (Q3.12) of one gate: the input FC (with bias) and the recurrent FC, each
 * rescaled and clamped to int16, added with int16 saturation. */
static int32_t lstm_gate_pre_s8(const lstm_gate_quant *q, int32_t acc_x, int32_t acc_h)
{
    const int32_t fx = lstm_sat16(lwai_mul_by_quantized_multiplier(acc_x, q->in_mult, q->in_shift));
    const int32_t fh =
        lstm_sat16(lwai_mul_by_quantized_multiplier(acc_h, q->rec_mult, q->rec_shift));
    return lstm_sat16(fx + fh);
}

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
                         int16_t *cell_state, const lwai_dims *output_dims, int8_t *output)
{
    const int8_t *const wx[4] = {input_to_input_weights, input_to_forget_weights,
                                 input_to_cell_weights, input_to_output_weights};
    const int8_t *const wh[4] = {recurrent_to_input_weights, recurrent_to_forget_weights,
                                 recurrent_to_cell_weights, recurrent_to_output_weights};
    const int32_t *const bias[4] = {input_gate_bias, forget_gate_bias, cell_gate_bias,
                                    output_gate_bias};
    lstm_gate_quant q[4];
    lstm_shape s;
    int32_t b, t, j, g, tanh_mult, tanh_shift;
    if (!lstm_shape_from(params, input_dims, output_dims, &s) || !lstm_params_ok(params) ||
        input == 0 || input_to_input_weights == 0 || input_to_forget_weights == 0 ||
        input_to_cell_weights == 0 || input_to_output_weights == 0 ||
        recurrent_to_input_weights == 0 || recurrent_to_forget_weights == 0 ||
        recurrent_to_cell_weights == 0 || recurrent_to_output_weights == 0 ||
        hidden_state == 0 || cell_state == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (g = 0; g < 4; ++g) {
        lstm_gate_quant_of(params, (int)g, &q[g]);
    }
    lstm_tanh_params(params->cell_scale_power, &tanh_mult, &tanh_shift);
    for (t = 0; t < s.steps; ++t) {
        for (b = 0; b < s.batch; ++b) {
            const int8_t *x = input + lstm_row(params, &s, b, t) * s.n_in;
            int8_t *h = hidden_state + b * s.n_cell;
            int16_t *c = cell_state + b * s.n_cell;
            int8_t *out = output + lstm_row(params, &s, b, t) * s.n_cell;
            for (j = 0; j < s.n_cell; ++j) {
                int32_t ax[4], ah[4], pre[4];
                lstm_dot4_s8(wx, j, x, s.n_in, params->input_offset, ax);
                lstm_dot4_s8(wh, j, h, s.n_cell, params->hidden_offset, ah);
                for (g = 0; g < 4; ++g) {
                    pre[g] = lstm_gate_pre_s8(&q[g], ax[g] + (bias[g] ? bias[g][j] : 0), ah[g]);
                }
                out[j] = (int8_t)lstm_step_cell(params, pre, &c[j], tanh_mult, tanh_shift,
                                                LWAI_INT8_MIN, LWAI_INT8_MAX);
            }
            /* Every gate of this step has read the old hidden state: now replace it. */
            memcpy(h, out, (size_t)s.n_cell);
        }
    }
    return LWAI_OK;
}

/* ---- int16 activations, int8 weights, int64 bias, int16 cell (16x8) -------------------- */

static int32_t lstm_gate_pre_s16(const lstm_gate_quant *q, int64_t acc_x, int64_t acc_h)
{
    const int32_t fx =
        lstm_sat16(lstm_mul_by_quantized_multiplier_64(acc_x, q->in_mult, q->in_shift));
    const int32_t fh =
        lstm_sat16(lstm_mul_by_quantized_multiplier_64(acc_h, q->rec_mult, q->rec_shift));
    return lstm_sat16(fx + fh);
}

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
                          const lwai_dims *output_dims, int16_t *output)
{
    const int8_t *const wx[4] = {input_to_input_weights, input_to_forget_weights,
                                 input_to_cell_weights, input_to_output_weights};
    const int8_t *const wh[4] = {recurrent_to_input_weights, recurrent_to_forget_weights,
                                 recurrent_to_cell_weights, recurrent_to_output_weights};
    const int64_t *const bias[4] = {input_gate_bias, forget_gate_bias, cell_gate_bias,
                                    output_gate_bias};
    lstm_gate_quant q[4];
    lstm_shape s;
    int32_t b, t, j, g, tanh_mult, tanh_shift;
    if (!lstm_shape_from(params, input_dims, output_dims, &s) || !lstm_params_ok(params) ||
        input == 0 || input_to_input_weights == 0 || input_to_forget_weights == 0 ||
        input_to_cell_weights == 0 || input_to_output_weights == 0 ||
        recurrent_to_input_weights == 0 || recurrent_to_forget_weights == 0 ||
        recurrent_to_cell_weights == 0 || recurrent_to_output_weights == 0 ||
        hidden_state == 0 || cell_state == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (g = 0; g < 4; ++g) {
        lstm_gate_quant_of(params, (int)g, &q[g]);
        /* TFLite's 64-bit rescale takes shifts in [-31, 7] (total shift 8..46) */
        if (q[g].in_shift > 7 || q[g].rec_shift > 7 || q[g].in_shift < -31 ||
            q[g].rec_shift < -31) {
            return LWAI_ERR_INVALID_ARG;
        }
    }
    lstm_tanh_params(params->cell_scale_power, &tanh_mult, &tanh_shift);
    for (t = 0; t < s.steps; ++t) {
        for (b = 0; b < s.batch; ++b) {
            const int16_t *x = input + lstm_row(params, &s, b, t) * s.n_in;
            int16_t *h = hidden_state + b * s.n_cell;
            int16_t *c = cell_state + b * s.n_cell;
            int16_t *out = output + lstm_row(params, &s, b, t) * s.n_cell;
            for (j = 0; j < s.n_cell; ++j) {
                int64_t ax[4], ah[4];
                int32_t pre[4];
                lstm_dot4_s16(wx, j, x, s.n_in, params->input_offset, ax);
                lstm_dot4_s16(wh, j, h, s.n_cell, params->hidden_offset, ah);
                for (g = 0; g < 4; ++g) {
                    pre[g] = lstm_gate_pre_s16(&q[g], ax[g] + (bias[g] ? bias[g][j] : 0), ah[g]);
                }
                out[j] = (int16_t)lstm_step_cell(params, pre, &c[j], tanh_mult, tanh_shift,
                                                 LWAI_INT16_MIN, LWAI_INT16_MAX);
            }
            memcpy(h, out, (size_t)s.n_cell * sizeof(int16_t));
        }
    }
    return LWAI_OK;
}

/* ---- float32 ----------------------------------------------------------------------------- */

static float lstm_sigmoid_f32(float v)
{
    /* TFLite's reference Logistic cut-offs. */
    if (v > 16.619047164916992188f) {
        return 1.0f;
    }
    if (v < -9.0f) {
        return lwai_expf(v);
    }
    return 1.0f / (1.0f + lwai_expf(-v));
}

/* TFLite's float Tanh is libm's tanhf; systems without one (LiteOS-M's musl, where BUILD.gn
 * defines LWAI_OWN_EXPF) get (1 - e) / (1 + e), e = exp(-2|x|), in double, with the odd
 * series below |x| = 2^-5 where 1 - e would cancel (series error < 2^-40 there). */
static float lstm_tanh_f32(float x)
{
#ifdef LWAI_OWN_EXPF
    const double a = x < 0.0f ? -(double)x : (double)x;
    double t;
    if (a < 0.03125) {
        const double a2 = a * a;
        t = a * (1.0 - a2 * (1.0 / 3.0 - a2 * (2.0 / 15.0 - a2 * (17.0 / 315.0))));
    } else {
        const double e = (double)lwai_expf((float)(-2.0 * a));
        t = (1.0 - e) / (1.0 + e);
    }
    return (float)(x < 0.0f ? -t : t);
#else
    return tanhf(x);
#endif
}

static float lstm_gate_pre_f32(const lstm_shape *s, int32_t j, const float *x, const float *h,
                               const float *wx, const float *wh, const float *bias)
{
    float fx = 0.0f, fh = 0.0f;
    int32_t k;
    /* Two FCs summed in TFLite's order: each accumulates from 0, the bias after the sum. */
    for (k = 0; k < s->n_in; ++k) {
        fx += x[k] * wx[j * s->n_in + k];
    }
    fx = fx + (bias ? bias[j] : 0.0f);
    for (k = 0; k < s->n_cell; ++k) {
        fh += h[k] * wh[j * s->n_cell + k];
    }
    fh = fh + 0.0f;
    return fx + fh;
}

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
                          const lwai_dims *output_dims, float *output)
{
    lstm_shape s;
    int32_t b, t, j;
    if (!lstm_shape_from(params, input_dims, output_dims, &s) ||
        input == 0 || input_to_input_weights == 0 || input_to_forget_weights == 0 ||
        input_to_cell_weights == 0 || input_to_output_weights == 0 ||
        recurrent_to_input_weights == 0 || recurrent_to_forget_weights == 0 ||
        recurrent_to_cell_weights == 0 || recurrent_to_output_weights == 0 ||
        hidden_state == 0 || cell_state == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (t = 0; t < s.steps; ++t) {
        for (b = 0; b < s.batch; ++b) {
            const float *x = input + lstm_row(params, &s, b, t) * s.n_in;
            float *h = hidden_state + b * s.n_cell;
            float *c = cell_state + b * s.n_cell;
            float *out = output + lstm_row(params, &s, b, t) * s.n_cell;
            for (j = 0; j < s.n_cell; ++j) {
                const float gi = lstm_sigmoid_f32(lstm_gate_pre_f32(
                    &s, j, x, h, input_to_input_weights, recurrent_to_input_weights,
                    input_gate_bias));
                const float gf = lstm_sigmoid_f32(lstm_gate_pre_f32(
                    &s, j, x, h, input_to_forget_weights, recurrent_to_forget_weights,
                    forget_gate_bias));
                const float pc = lstm_gate_pre_f32(&s, j, x, h, input_to_cell_weights,
                                                   recurrent_to_cell_weights, cell_gate_bias);
                const float gc = lstm_tanh_f32(pc);
                const float go = lstm_sigmoid_f32(lstm_gate_pre_f32(
                    &s, j, x, h, input_to_output_weights, recurrent_to_output_weights,
                    output_gate_bias));
                float nc = gf * c[j];
                nc = nc + gi * gc;
                if (params->cell_clip_f > 0.0f) {
                    nc = nc > params->cell_clip_f
                             ? params->cell_clip_f
                             : (nc < -params->cell_clip_f ? -params->cell_clip_f : nc);
                }
                c[j] = nc;
                out[j] = lstm_tanh_f32(nc) * go;
            }
            memcpy(h, out, (size_t)s.n_cell * sizeof(float));
        }
    }
    return LWAI_OK;
}
