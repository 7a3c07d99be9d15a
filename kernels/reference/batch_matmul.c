/* BATCH_MATMUL reference kernels: out[b] = X[b] * Y[b] with X = adj_x ? x^T : x and
 * Y = adj_y ? y^T : y, batch dims (n, h of lwai_dims) broadcast, the matrices in (w, c).
 * int8 accumulates (x - zx)(y - zy) in int32 and rescales with the 32-bit
 * MultiplyByQuantizedMultiplier; int16 (zero points 0) in int64 with the 64-bit one, as
 * TFLM's reference BatchMatMul<int8_t, int32_t> / <int16_t, int64_t>. */
#include "lwai_fixedpoint.h"

static int32_t bmm_mul_64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    const int64_t r = x * (int64_t)reduced + ((int64_t)1 << (total_shift - 1));
    return (int32_t)(uint32_t)(uint64_t)(r >> total_shift);
}

/* The shape of the product and element strides of x and y: X(i, k) = x[xo + i * xi + k * xk]
 * and Y(k, j) = y[yo + k * yk + j * yj]. */
typedef struct {
    int32_t rows, cols, depth, xi, xk, yk, yj;
} bmm_geometry;

static int bmm_prepare(const lwai_batch_matmul_params *p, const lwai_dims *x, const lwai_dims *y,
                       const lwai_dims *out, bmm_geometry *g)
{
    int32_t ydepth;
    if (p == 0 || !lwai_dims_valid(x) || !lwai_dims_valid(y) || !lwai_dims_valid(out) ||
        p->act_min > p->act_max || p->output_multiplier < 0) {
        return 0;
    }
    g->rows = p->adj_x ? x->c : x->w;
    g->depth = p->adj_x ? x->w : x->c;
    g->xi = p->adj_x ? 1 : x->c;
    g->xk = p->adj_x ? x->c : 1;
    ydepth = p->adj_y ? y->c : y->w;
    g->cols = p->adj_y ? y->w : y->c;
    g->yk = p->adj_y ? 1 : y->c;
    g->yj = p->adj_y ? y->c : 1;
    if (ydepth != g->depth || out->w != g->rows || out->c != g->cols) {
        return 0;
    }
    return (x->n == out->n || x->n == 1) && (y->n == out->n || y->n == 1) &&
           (x->h == out->h || x->h == 1) && (y->h == out->h || y->h == 1);
}

lwai_status lwai_batch_matmul_s8(const lwai_batch_matmul_params *params,
                                 const lwai_dims *input1_dims, const int8_t *input1,
                                 const lwai_dims *input2_dims, const int8_t *input2,
                                 const lwai_dims *output_dims, int8_t *output)
{
    bmm_geometry g;
    int32_t b0, b1, i, j, k;
    if (input1 == 0 || input2 == 0 || output == 0 ||
        !bmm_prepare(params, input1_dims, input2_dims, output_dims, &g) ||
        params->act_min < LWAI_INT8_MIN || params->act_max > LWAI_INT8_MAX ||
        params->output_shift < -31 || params->output_shift > 31) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b0 = 0; b0 < output_dims->n; ++b0) {
        for (b1 = 0; b1 < output_dims->h; ++b1) {
            const int8_t *x = input1 + ((input1_dims->n == 1 ? 0 : b0) * input1_dims->h +
                                        (input1_dims->h == 1 ? 0 : b1)) *
                                           input1_dims->w * input1_dims->c;
            const int8_t *y = input2 + ((input2_dims->n == 1 ? 0 : b0) * input2_dims->h +
                                        (input2_dims->h == 1 ? 0 : b1)) *
                                           input2_dims->w * input2_dims->c;
            int8_t *o = output + (b0 * output_dims->h + b1) * g.rows * g.cols;
            for (i = 0; i < g.rows; ++i) {
                for (j = 0; j < g.cols; ++j) {
                    int32_t acc = 0;
                    for (k = 0; k < g.depth; ++k) {
                        acc += ((int32_t)x[i * g.xi + k * g.xk] + params->input1_offset) *
                               ((int32_t)y[k * g.yk + j * g.yj] + params->input2_offset);
                    }
                    acc = lwai_mul_by_quantized_multiplier(acc, params->output_multiplier,
                                                           params->output_shift);
                    o[i * g.cols + j] = (int8_t)lwai_offset_clamp_i32(
                        acc, params->output_offset, params->act_min, params->act_max);
                }
            }
        }
    }
    return LWAI_OK;
}

lwai_status lwai_batch_matmul_s16(const lwai_batch_matmul_params *params,
                                  const lwai_dims *input1_dims, const int16_t *input1,
                                  const lwai_dims *input2_dims, const int16_t *input2,
                                  const lwai_dims *output_dims, int16_t *output)
{
    bmm_geometry g;
    int32_t b0, b1, i, j, k;
    if (input1 == 0 || input2 == 0 || output == 0 ||
        !bmm_prepare(params, input1_dims, input2_dims, output_dims, &g) ||
        params->act_min < LWAI_INT16_MIN || params->act_max > LWAI_INT16_MAX ||
        params->output_shift < -31 || params->output_shift > 7) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (b0 = 0; b0 < output_dims->n; ++b0) {
        for (b1 = 0; b1 < output_dims->h; ++b1) {
            const int16_t *x = input1 + ((input1_dims->n == 1 ? 0 : b0) * input1_dims->h +
                                         (input1_dims->h == 1 ? 0 : b1)) *
                                            input1_dims->w * input1_dims->c;
            const int16_t *y = input2 + ((input2_dims->n == 1 ? 0 : b0) * input2_dims->h +
                                         (input2_dims->h == 1 ? 0 : b1)) *
                                            input2_dims->w * input2_dims->c;
            int16_t *o = output + (b0 * output_dims->h + b1) * g.rows * g.cols;
            for (i = 0; i < g.rows; ++i) {
                for (j = 0; j < g.cols; ++j) {
                    int64_t acc = 0;
                    int32_t v;
                    for (k = 0; k < g.depth; ++k) {
                        /* one product <= 2^30: exact in int32 */
                        acc += (int32_t)x[i * g.xi + k * g.xk] * (int32_t)y[k * g.yk + j * g.yj];
                    }
                    v = bmm_mul_64(acc, params->output_multiplier, params->output_shift);
                    o[i * g.cols + j] = (int16_t)lwai_clamp_i32(v, params->act_min,
                                                                params->act_max);
                }
            }
        }
    }
    return LWAI_OK;
}
