/* The kernel registry of the graph executor: each library kernel the image holds, with its
 * operand contract (counts, dtypes, optional inputs), the parameter checks that keep a
 * hostile model file from driving a kernel into overflow or out-of-range shifts, and the
 * adapter that turns a node into the kernel call. The build defines
 * LWAI_KERNEL_IN_IMAGE_<KIND> for every kernel kind it compiles in; the others are absent,
 * so a model needing one fails to load with LWAI_ERR_KERNEL_MISSING and its name.
 * Operand and parameter orders are those of docs/formats.md. */
#include <string.h>

#include "graph_internal.h"

#ifdef LWAI_HAVE_CONFIG_H
#include "lwai_config.h"
#endif

/* Parameter names only serve the JSON loader; images without it leave them out. */
#if !defined(LWAI_HAVE_CONFIG_H) || defined(CONFIG_LWAI_LOADER_JSON)
#define NAMES(list) list
#else
#define NAMES(list) NULL
#endif

#define I8 LWAI_DTYPE_INT8
#define I16 LWAI_DTYPE_INT16
#define I32 LWAI_DTYPE_INT32
#define F32 LWAI_DTYPE_FLOAT32
#define ANY 0

/* Helpers and tables serve several kernels; an image holding none of those leaves them
 * unused, which is fine. */
#if defined(__GNUC__) || defined(__clang__)
#define SHARED __attribute__((unused))
#else
#define SHARED
#endif

/* Largest stride, dilation, padding or pool window a file may give: far above any real
 * model, small enough that no index computation can overflow int32. */
#define GEOMETRY_MAX 65535

/* ---- operand access ------------------------------------------------------------------ */

static SHARED void *data_of(const lwai_graph *g, const lwai_graph_node *n, uint32_t j)
{
    const int32_t index = lwai_graph_operand(n, j);
    return index < 0 ? NULL : g->tensors[index].data;
}

static SHARED void dims_of(const lwai_graph_node *n, uint32_t j, lwai_dims *d)
{
    d->n = n->dims[4u * j];
    d->h = n->dims[4u * j + 1u];
    d->w = n->dims[4u * j + 2u];
    d->c = n->dims[4u * j + 3u];
}

static const lwai_graph_tensor *tensor_of(const lwai_graph *g, const lwai_graph_node *n,
                                          uint32_t j)
{
    const int32_t index = lwai_graph_operand(n, j);
    return index < 0 ? NULL : &g->tensors[index];
}

/* ---- value checks -------------------------------------------------------------------- */

static SHARED int in_range(int32_t v, int32_t lo, int32_t hi)
{
    return v >= lo && v <= hi;
}

/* s8 offsets and the clamp: input offsets are negated zero points, [-127, 128] but allow
 * -128 too; output offsets are zero points; act_min <= act_max inside int8. */
static SHARED int s8_io_ok(int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max)
{
    return in_range(input_offset, -128, 128) && in_range(output_offset, -128, 127) &&
           in_range(act_min, -128, 127) && in_range(act_max, act_min, 127);
}

static SHARED int shift_ok(int32_t shift)
{
    return in_range(shift, -31, 31);
}

static SHARED int multiplier_ok(int32_t multiplier)
{
    return multiplier >= 0;
}

static SHARED int finite_f32(float v)
{
    return v == v && v <= 3.4028235e38f && v >= -3.4028235e38f;
}

/* Strides and dilations >= 1, padding >= 0, all within GEOMETRY_MAX: stride_h, stride_w,
 * dilation_h, dilation_w, pad_top, pad_left (p[0..5]). */
static SHARED int conv_geometry_ok(const int32_t *p)
{
    return in_range(p[0], 1, GEOMETRY_MAX) && in_range(p[1], 1, GEOMETRY_MAX) &&
           in_range(p[2], 1, GEOMETRY_MAX) && in_range(p[3], 1, GEOMETRY_MAX) &&
           in_range(p[4], 0, GEOMETRY_MAX) && in_range(p[5], 0, GEOMETRY_MAX);
}

/* The furthest input row/column a window reaches stays far inside int32. */
static SHARED int window_fits(int32_t out, int32_t stride, int32_t taps, int32_t dilation)
{
    const int64_t reach = (int64_t)(out - 1) * stride + (int64_t)(taps - 1) * dilation;
    return reach < ((int64_t)1 << 30);
}

/* Per-channel (or per-tensor) requantization: constant int32 mult and shift operands of
 * equal length 1 or `channels`, every value usable. */
static SHARED int channel_quant_ok(const lwai_graph *g, const lwai_graph_node *n, uint32_t mult_j,
                            int32_t channels)
{
    const lwai_graph_tensor *m = tensor_of(g, n, mult_j);
    const lwai_graph_tensor *s = tensor_of(g, n, mult_j + 1u);
    const int32_t *mv;
    const int32_t *sv;
    uint32_t count, i;
    if (m == NULL || s == NULL || !m->is_const || !s->is_const || m->bytes != s->bytes) {
        return 0;
    }
    count = m->bytes / 4u;
    if (count != 1u && count != (uint32_t)channels) {
        return 0;
    }
    mv = (const int32_t *)m->data;
    sv = (const int32_t *)s->data;
    for (i = 0; i < count; ++i) {
        if (!multiplier_ok(mv[i]) || !shift_ok(sv[i])) {
            return 0;
        }
    }
    return 1;
}

/* The int32 accumulator of an s8 dot product of `taps` terms, each |(x + in_off) * w| <=
 * 256 * 256, plus the bias, must not overflow: bound the taps, and each bias value. */
static SHARED int accumulator_ok(const lwai_graph *g, const lwai_graph_node *n, uint32_t bias_j,
                          int64_t taps)
{
    const lwai_graph_tensor *b = tensor_of(g, n, bias_j);
    const int64_t headroom = (int64_t)0x7fffffff - taps * 65536;
    const int32_t *bv;
    uint32_t i;
    if (headroom < 0) {
        return 0;
    }
    if (b == NULL) {
        return 1;
    }
    if (!b->is_const) {
        return 0;
    }
    bv = (const int32_t *)b->data;
    for (i = 0; i < b->bytes / 4u; ++i) {
        const int64_t v = bv[i];
        if (v > headroom || -v > headroom) {
            return 0;
        }
    }
    return 1;
}

/* ---- CONV_2D / DEPTHWISE_CONV_2D ----------------------------------------------------- */
/* Operands: 0 input, 1 filter, 2 bias, (3 mult, 4 shift for s8), then the output. */

static SHARED lwai_status check_conv_like(const lwai_graph *g, const lwai_graph_node *n, int depthwise,
                                   uint32_t out_j)
{
    lwai_dims f, out;
    dims_of(n, 1, &f);
    dims_of(n, out_j, &out);
    if (!conv_geometry_ok(n->params) || !window_fits(out.h, n->params[0], f.h, n->params[2]) ||
        !window_fits(out.w, n->params[1], f.w, n->params[3])) {
        return LWAI_ERR_BAD_MODEL;
    }
    if (depthwise && !in_range(n->params[6], 1, GEOMETRY_MAX)) {
        return LWAI_ERR_BAD_MODEL;
    }
    (void)g;
    return LWAI_OK;
}

static SHARED lwai_status check_conv_s8(const lwai_graph *g, const lwai_graph_node *n, int depthwise)
{
    const int32_t *p = n->params + (depthwise ? 7 : 6);
    lwai_dims f, out;
    int64_t taps;
    if (check_conv_like(g, n, depthwise, 5u) != LWAI_OK || !s8_io_ok(p[0], p[1], p[2], p[3])) {
        return LWAI_ERR_BAD_MODEL;
    }
    dims_of(n, 1, &f);
    dims_of(n, 5, &out);
    taps = (int64_t)f.h * f.w * (depthwise ? 1 : f.c);
    if (!channel_quant_ok(g, n, 3u, out.c) || !accumulator_ok(g, n, 2u, taps)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

#if defined(LWAI_KERNEL_IN_IMAGE_CONV2D) || defined(LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D) || \
    defined(LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED)
static void channel_quant_of(const lwai_graph *g, const lwai_graph_node *n, uint32_t mult_j,
                             lwai_channel_quant *q)
{
    q->multiplier = (const int32_t *)data_of(g, n, mult_j);
    q->shift = (const int32_t *)data_of(g, n, mult_j + 1u);
    q->count = (int32_t)(tensor_of(g, n, mult_j)->bytes / 4u);
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_CONV2D
static void conv_params_of(const int32_t *p, lwai_conv2d_params *c)
{
    memset(c, 0, sizeof *c);
    c->stride_h = p[0];
    c->stride_w = p[1];
    c->dilation_h = p[2];
    c->dilation_w = p[3];
    c->pad_top = p[4];
    c->pad_left = p[5];
}

static lwai_status check_conv2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_conv_s8(g, n, 0);
}

static lwai_status run_conv2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_conv2d_params c;
    lwai_channel_quant q;
    lwai_dims d[6];
    uint32_t j;
    conv_params_of(n->params, &c);
    c.input_offset = n->params[6];
    c.output_offset = n->params[7];
    c.act_min = n->params[8];
    c.act_max = n->params[9];
    channel_quant_of(g, n, 3u, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_conv2d_s8(&c, &q, &d[0], (const int8_t *)data_of(g, n, 0), &d[1],
                          (const int8_t *)data_of(g, n, 1), &d[2],
                          (const int32_t *)data_of(g, n, 2), &d[5], (int8_t *)data_of(g, n, 5));
}

static lwai_status check_conv2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_conv_like(g, n, 0, 3u);
}

static lwai_status run_conv2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_conv2d_params c;
    lwai_dims d[4];
    uint32_t j;
    conv_params_of(n->params, &c);
    c.act_min_f = n->fparams[0];
    c.act_max_f = n->fparams[1];
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_conv2d_f32(&c, &d[0], (const float *)data_of(g, n, 0), &d[1],
                           (const float *)data_of(g, n, 1), &d[2], (const float *)data_of(g, n, 2),
                           &d[3], (float *)data_of(g, n, 3));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D
static void depthwise_params_of(const int32_t *p, lwai_depthwise_conv2d_params *c)
{
    memset(c, 0, sizeof *c);
    c->stride_h = p[0];
    c->stride_w = p[1];
    c->dilation_h = p[2];
    c->dilation_w = p[3];
    c->pad_top = p[4];
    c->pad_left = p[5];
    c->depth_multiplier = p[6];
}

static lwai_status check_depthwise_conv2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_conv_s8(g, n, 1);
}

static lwai_status run_depthwise_conv2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_depthwise_conv2d_params c;
    lwai_channel_quant q;
    lwai_dims d[6];
    uint32_t j;
    depthwise_params_of(n->params, &c);
    c.input_offset = n->params[7];
    c.output_offset = n->params[8];
    c.act_min = n->params[9];
    c.act_max = n->params[10];
    channel_quant_of(g, n, 3u, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_depthwise_conv2d_s8(&c, &q, &d[0], (const int8_t *)data_of(g, n, 0), &d[1],
                                    (const int8_t *)data_of(g, n, 1), &d[2],
                                    (const int32_t *)data_of(g, n, 2), &d[5],
                                    (int8_t *)data_of(g, n, 5));
}

static lwai_status check_depthwise_conv2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_conv_like(g, n, 1, 3u);
}

static lwai_status run_depthwise_conv2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_depthwise_conv2d_params c;
    lwai_dims d[4];
    uint32_t j;
    depthwise_params_of(n->params, &c);
    c.act_min_f = n->fparams[0];
    c.act_max_f = n->fparams[1];
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_depthwise_conv2d_f32(&c, &d[0], (const float *)data_of(g, n, 0), &d[1],
                                     (const float *)data_of(g, n, 1), &d[2],
                                     (const float *)data_of(g, n, 2), &d[3],
                                     (float *)data_of(g, n, 3));
}
#endif

/* ---- FULLY_CONNECTED ----------------------------------------------------------------- */
#ifdef LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED
static lwai_status check_fully_connected_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    lwai_dims f, out;
    dims_of(n, 1, &f);
    dims_of(n, 5, &out);
    /* |filter + filter_offset| <= 256 keeps each term within 2^16. */
    if (!s8_io_ok(p[0], p[2], p[3], p[4]) || !in_range(p[1], -128, 128) ||
        !channel_quant_ok(g, n, 3u, out.c) || !accumulator_ok(g, n, 2u, (int64_t)f.c)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_fully_connected_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_fully_connected_params c;
    lwai_channel_quant q;
    lwai_dims d[6];
    uint32_t j;
    memset(&c, 0, sizeof c);
    c.input_offset = n->params[0];
    c.filter_offset = n->params[1];
    c.output_offset = n->params[2];
    c.act_min = n->params[3];
    c.act_max = n->params[4];
    channel_quant_of(g, n, 3u, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_fully_connected_s8(&c, &q, &d[0], (const int8_t *)data_of(g, n, 0), &d[1],
                                   (const int8_t *)data_of(g, n, 1), &d[2],
                                   (const int32_t *)data_of(g, n, 2), &d[5],
                                   (int8_t *)data_of(g, n, 5));
}

static lwai_status run_fully_connected_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_fully_connected_params c;
    lwai_dims d[4];
    uint32_t j;
    memset(&c, 0, sizeof c);
    c.act_min_f = n->fparams[0];
    c.act_max_f = n->fparams[1];
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_fully_connected_f32(&c, &d[0], (const float *)data_of(g, n, 0), &d[1],
                                    (const float *)data_of(g, n, 1), &d[2],
                                    (const float *)data_of(g, n, 2), &d[3],
                                    (float *)data_of(g, n, 3));
}
#endif

/* ---- AVERAGE_POOL_2D / MAX_POOL_2D ---------------------------------------------------- */
#if defined(LWAI_KERNEL_IN_IMAGE_AVG_POOL2D) || defined(LWAI_KERNEL_IN_IMAGE_MAX_POOL2D)
/* stride_h, stride_w, filter_h, filter_w, pad_top, pad_left (p[0..5]). */
static lwai_status check_pool(const lwai_graph *g, const lwai_graph_node *n, int s8)
{
    const int32_t *p = n->params;
    lwai_dims out;
    (void)g;
    dims_of(n, 1, &out);
    if (!in_range(p[0], 1, GEOMETRY_MAX) || !in_range(p[1], 1, GEOMETRY_MAX) ||
        !in_range(p[2], 1, GEOMETRY_MAX) || !in_range(p[3], 1, GEOMETRY_MAX) ||
        !in_range(p[4], 0, GEOMETRY_MAX) || !in_range(p[5], 0, GEOMETRY_MAX) ||
        (int64_t)p[2] * p[3] > ((int64_t)1 << 23) || /* int8 window sums stay in int32 */
        !window_fits(out.h, p[0], p[2], 1) || !window_fits(out.w, p[1], p[3], 1)) {
        return LWAI_ERR_BAD_MODEL;
    }
    if (s8 && (!in_range(p[6], -128, 127) || !in_range(p[7], p[6], 127))) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_pool_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_pool(g, n, 1);
}

static lwai_status check_pool_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_pool(g, n, 0);
}

static void pool_params_of(const lwai_graph_node *n, int s8, lwai_pool2d_params *c)
{
    const int32_t *p = n->params;
    memset(c, 0, sizeof *c);
    c->stride_h = p[0];
    c->stride_w = p[1];
    c->filter_h = p[2];
    c->filter_w = p[3];
    c->pad_top = p[4];
    c->pad_left = p[5];
    if (s8) {
        c->act_min = p[6];
        c->act_max = p[7];
    } else {
        c->act_min_f = n->fparams[0];
        c->act_max_f = n->fparams[1];
    }
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_AVG_POOL2D
static lwai_status run_avg_pool2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 1, &c);
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_avg_pool2d_s8(&c, &in, (const int8_t *)data_of(g, n, 0), &out,
                              (int8_t *)data_of(g, n, 1));
}

static lwai_status run_avg_pool2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 0, &c);
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_avg_pool2d_f32(&c, &in, (const float *)data_of(g, n, 0), &out,
                               (float *)data_of(g, n, 1));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_MAX_POOL2D
static lwai_status run_max_pool2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 1, &c);
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_max_pool2d_s8(&c, &in, (const int8_t *)data_of(g, n, 0), &out,
                              (int8_t *)data_of(g, n, 1));
}

static lwai_status run_max_pool2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 0, &c);
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_max_pool2d_f32(&c, &in, (const float *)data_of(g, n, 0), &out,
                               (float *)data_of(g, n, 1));
}
#endif

/* ---- ADD / MUL ------------------------------------------------------------------------ */
#ifdef LWAI_KERNEL_IN_IMAGE_ADD
static lwai_status check_add_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    /* Inputs are scaled up by 2^left_shift (<= 20 as TFLite uses) and then down (input
     * shifts <= 0), so their sum stays within int32. */
    if (!in_range(p[0], -128, 128) || !in_range(p[1], -128, 128) ||
        !s8_io_ok(0, p[2], p[10], p[11]) || !in_range(p[3], 0, 20) || !multiplier_ok(p[4]) ||
        !in_range(p[5], -31, 0) || !multiplier_ok(p[6]) || !in_range(p[7], -31, 0) ||
        !multiplier_ok(p[8]) || !shift_ok(p[9])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_add_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    lwai_add_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    c.input1_offset = p[0];
    c.input2_offset = p[1];
    c.output_offset = p[2];
    c.left_shift = p[3];
    c.input1_multiplier = p[4];
    c.input1_shift = p[5];
    c.input2_multiplier = p[6];
    c.input2_shift = p[7];
    c.output_multiplier = p[8];
    c.output_shift = p[9];
    c.act_min = p[10];
    c.act_max = p[11];
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return lwai_add_s8(&c, &a, (const int8_t *)data_of(g, n, 0), &b,
                       (const int8_t *)data_of(g, n, 1), &out, (int8_t *)data_of(g, n, 2));
}

static lwai_status run_add_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_add_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    c.act_min_f = n->fparams[0];
    c.act_max_f = n->fparams[1];
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return lwai_add_f32(&c, &a, (const float *)data_of(g, n, 0), &b,
                        (const float *)data_of(g, n, 1), &out, (float *)data_of(g, n, 2));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_MUL
static lwai_status check_mul_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    if (!in_range(p[0], -128, 128) || !in_range(p[1], -128, 128) ||
        !s8_io_ok(0, p[2], p[5], p[6]) || !multiplier_ok(p[3]) || !shift_ok(p[4])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_mul_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    lwai_mul_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    c.input1_offset = p[0];
    c.input2_offset = p[1];
    c.output_offset = p[2];
    c.output_multiplier = p[3];
    c.output_shift = p[4];
    c.act_min = p[5];
    c.act_max = p[6];
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return lwai_mul_s8(&c, &a, (const int8_t *)data_of(g, n, 0), &b,
                       (const int8_t *)data_of(g, n, 1), &out, (int8_t *)data_of(g, n, 2));
}

static lwai_status run_mul_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_mul_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    c.act_min_f = n->fparams[0];
    c.act_max_f = n->fparams[1];
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return lwai_mul_f32(&c, &a, (const float *)data_of(g, n, 0), &b,
                        (const float *)data_of(g, n, 1), &out, (float *)data_of(g, n, 2));
}
#endif

/* ---- SOFTMAX -------------------------------------------------------------------------- */
#ifdef LWAI_KERNEL_IN_IMAGE_SOFTMAX
static lwai_status check_softmax_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    if (!multiplier_ok(p[0]) || !in_range(p[1], 0, 31) || p[2] > 0) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_softmax_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_softmax_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    c.input_multiplier = n->params[0];
    c.input_left_shift = n->params[1];
    c.diff_min = n->params[2];
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_softmax_s8(&c, &in, (const int8_t *)data_of(g, n, 0), &out,
                           (int8_t *)data_of(g, n, 1));
}

static lwai_status run_softmax_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_softmax_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    c.beta = n->fparams[0];
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_softmax_f32(&c, &in, (const float *)data_of(g, n, 0), &out,
                            (float *)data_of(g, n, 1));
}
#endif

/* ---- QUANTIZE / DEQUANTIZE ------------------------------------------------------------ */
#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE
static lwai_status check_quantize_f32(const lwai_graph *g, const lwai_graph_node *n, int32_t lo,
                                      int32_t hi)
{
    (void)g;
    if (!in_range(n->params[0], lo, hi) || !finite_f32(n->fparams[0]) ||
        !(n->fparams[0] > 0.0f)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_quantize_f32_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_quantize_f32(g, n, -128, 127);
}

static lwai_status check_quantize_f32_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_quantize_f32(g, n, -32768, 32767);
}

static lwai_status run_quantize_f32(const lwai_graph *g, const lwai_graph_node *n, int s16)
{
    lwai_quantize_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    c.zero_point = n->params[0];
    c.scale = n->fparams[0];
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    if (s16) {
        return lwai_quantize_f32_s16(&c, &in, (const float *)data_of(g, n, 0), &out,
                                     (int16_t *)data_of(g, n, 1));
    }
    return lwai_quantize_f32_s8(&c, &in, (const float *)data_of(g, n, 0), &out,
                                (int8_t *)data_of(g, n, 1));
}

static lwai_status run_quantize_f32_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_quantize_f32(g, n, 0);
}

static lwai_status run_quantize_f32_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_quantize_f32(g, n, 1);
}

static lwai_status check_quantize_s8_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    if (!in_range(p[0], -128, 127) || !in_range(p[1], -128, 128) || !multiplier_ok(p[2]) ||
        !shift_ok(p[3])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_quantize_s8_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_quantize_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    c.zero_point = n->params[0];
    c.input_offset = n->params[1];
    c.multiplier = n->params[2];
    c.shift = n->params[3];
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_quantize_s8_s8(&c, &in, (const int8_t *)data_of(g, n, 0), &out,
                               (int8_t *)data_of(g, n, 1));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_DEQUANTIZE
static lwai_status check_dequantize(const lwai_graph *g, const lwai_graph_node *n)
{
    (void)g;
    if (!in_range(n->params[0], -32768, 32767) || !finite_f32(n->fparams[0])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_dequantize(const lwai_graph *g, const lwai_graph_node *n, int s16)
{
    lwai_dequantize_params c;
    lwai_dims in, out;
    c.zero_point = n->params[0];
    c.scale = n->fparams[0];
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    if (s16) {
        return lwai_dequantize_s16_f32(&c, &in, (const int16_t *)data_of(g, n, 0), &out,
                                       (float *)data_of(g, n, 1));
    }
    return lwai_dequantize_s8_f32(&c, &in, (const int8_t *)data_of(g, n, 0), &out,
                                  (float *)data_of(g, n, 1));
}

static lwai_status run_dequantize_s8_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_dequantize(g, n, 0);
}

static lwai_status run_dequantize_s16_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_dequantize(g, n, 1);
}
#endif

/* ---- RESHAPE -------------------------------------------------------------------------- */
#ifdef LWAI_KERNEL_IN_IMAGE_RESHAPE
static lwai_status check_reshape(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *in = tensor_of(g, n, 0);
    const lwai_graph_tensor *out = tensor_of(g, n, 1);
    if (in->dtype != out->dtype || in->bytes != out->bytes || n->params[0] < 0 ||
        (uint32_t)n->params[0] != in->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_reshape(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_reshape_params c;
    c.bytes = (uint32_t)n->params[0];
    return lwai_reshape(&c, data_of(g, n, 0), data_of(g, n, 1));
}
#endif

/* ---- the table ------------------------------------------------------------------------ */

static SHARED const uint8_t dt_conv_s8[] = {I8, I8, I32, I32, I32, I8};
static SHARED const uint8_t dt_conv_f32[] = {F32, F32, F32, F32};
static SHARED const uint8_t dt_unary_s8[] = {I8, I8};
static SHARED const uint8_t dt_unary_f32[] = {F32, F32};
static SHARED const uint8_t dt_binary_s8[] = {I8, I8, I8};
static SHARED const uint8_t dt_binary_f32[] = {F32, F32, F32};
static SHARED const uint8_t dt_f32_s8[] = {F32, I8};
static SHARED const uint8_t dt_f32_s16[] = {F32, I16};
static SHARED const uint8_t dt_s16_f32[] = {I16, F32};
static SHARED const uint8_t dt_s8_f32[] = {I8, F32};
static SHARED const uint8_t dt_any[] = {ANY, ANY};

static SHARED const char *const names_conv_s8[] = {
    "stride_h", "stride_w",     "dilation_h",    "dilation_w", "pad_top",
    "pad_left", "input_offset", "output_offset", "act_min",    "act_max"};
static SHARED const char *const names_conv_f32[] = {"stride_h",   "stride_w", "dilation_h",
                                             "dilation_w", "pad_top",  "pad_left",
                                             "act_min_f",  "act_max_f"};
static SHARED const char *const names_dw_s8[] = {
    "stride_h",         "stride_w",     "dilation_h",    "dilation_w", "pad_top", "pad_left",
    "depth_multiplier", "input_offset", "output_offset", "act_min",    "act_max"};
static SHARED const char *const names_dw_f32[] = {
    "stride_h", "stride_w",         "dilation_h", "dilation_w", "pad_top",
    "pad_left", "depth_multiplier", "act_min_f",  "act_max_f"};
static SHARED const char *const names_fc_s8[] = {"input_offset", "filter_offset", "output_offset",
                                          "act_min", "act_max"};
static SHARED const char *const names_act_f32[] = {"act_min_f", "act_max_f"};
static SHARED const char *const names_pool_s8[] = {"stride_h", "stride_w", "filter_h", "filter_w",
                                            "pad_top",  "pad_left", "act_min",  "act_max"};
static SHARED const char *const names_pool_f32[] = {"stride_h", "stride_w", "filter_h",  "filter_w",
                                             "pad_top",  "pad_left", "act_min_f", "act_max_f"};
static SHARED const char *const names_add_s8[] = {
    "input1_offset",     "input2_offset", "output_offset",     "left_shift",
    "input1_multiplier", "input1_shift",  "input2_multiplier", "input2_shift",
    "output_multiplier", "output_shift",  "act_min",           "act_max"};
static SHARED const char *const names_mul_s8[] = {"input1_offset",     "input2_offset", "output_offset",
                                           "output_multiplier", "output_shift",  "act_min",
                                           "act_max"};
static SHARED const char *const names_softmax_s8[] = {"input_multiplier", "input_left_shift",
                                               "diff_min"};
static SHARED const char *const names_softmax_f32[] = {"beta"};
static SHARED const char *const names_quantize_f32[] = {"zero_point", "scale"};
static SHARED const char *const names_quantize_s8[] = {"zero_point", "input_offset", "multiplier",
                                                "shift"};
static SHARED const char *const names_reshape[] = {"bytes"};

/* name, inputs, outputs, params, fparams, optional inputs, dtypes, names, check, run */
static const lwai_graph_kernel kernels[] = {
#ifdef LWAI_KERNEL_IN_IMAGE_CONV2D
    {"conv2d_s8", 5, 1, 10, 0, 1u << 2, dt_conv_s8, NAMES(names_conv_s8), check_conv2d_s8,
     run_conv2d_s8},
    {"conv2d_f32", 3, 1, 6, 2, 1u << 2, dt_conv_f32, NAMES(names_conv_f32), check_conv2d_f32,
     run_conv2d_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D
    {"depthwise_conv2d_s8", 5, 1, 11, 0, 1u << 2, dt_conv_s8, NAMES(names_dw_s8),
     check_depthwise_conv2d_s8, run_depthwise_conv2d_s8},
    {"depthwise_conv2d_f32", 3, 1, 7, 2, 1u << 2, dt_conv_f32, NAMES(names_dw_f32),
     check_depthwise_conv2d_f32, run_depthwise_conv2d_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED
    {"fully_connected_s8", 5, 1, 5, 0, 1u << 2, dt_conv_s8, NAMES(names_fc_s8),
     check_fully_connected_s8, run_fully_connected_s8},
    {"fully_connected_f32", 3, 1, 0, 2, 1u << 2, dt_conv_f32, NAMES(names_act_f32), NULL,
     run_fully_connected_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_AVG_POOL2D
    {"avg_pool2d_s8", 1, 1, 8, 0, 0u, dt_unary_s8, NAMES(names_pool_s8), check_pool_s8,
     run_avg_pool2d_s8},
    {"avg_pool2d_f32", 1, 1, 6, 2, 0u, dt_unary_f32, NAMES(names_pool_f32), check_pool_f32,
     run_avg_pool2d_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MAX_POOL2D
    {"max_pool2d_s8", 1, 1, 8, 0, 0u, dt_unary_s8, NAMES(names_pool_s8), check_pool_s8,
     run_max_pool2d_s8},
    {"max_pool2d_f32", 1, 1, 6, 2, 0u, dt_unary_f32, NAMES(names_pool_f32), check_pool_f32,
     run_max_pool2d_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ADD
    {"add_s8", 2, 1, 12, 0, 0u, dt_binary_s8, NAMES(names_add_s8), check_add_s8, run_add_s8},
    {"add_f32", 2, 1, 0, 2, 0u, dt_binary_f32, NAMES(names_act_f32), NULL, run_add_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MUL
    {"mul_s8", 2, 1, 7, 0, 0u, dt_binary_s8, NAMES(names_mul_s8), check_mul_s8, run_mul_s8},
    {"mul_f32", 2, 1, 0, 2, 0u, dt_binary_f32, NAMES(names_act_f32), NULL, run_mul_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SOFTMAX
    {"softmax_s8", 1, 1, 3, 0, 0u, dt_unary_s8, NAMES(names_softmax_s8), check_softmax_s8,
     run_softmax_s8},
    {"softmax_f32", 1, 1, 0, 1, 0u, dt_unary_f32, NAMES(names_softmax_f32), NULL,
     run_softmax_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE
    {"quantize_f32_s8", 1, 1, 1, 1, 0u, dt_f32_s8, NAMES(names_quantize_f32),
     check_quantize_f32_s8, run_quantize_f32_s8},
    {"quantize_f32_s16", 1, 1, 1, 1, 0u, dt_f32_s16, NAMES(names_quantize_f32),
     check_quantize_f32_s16, run_quantize_f32_s16},
    {"quantize_s8_s8", 1, 1, 4, 0, 0u, dt_unary_s8, NAMES(names_quantize_s8),
     check_quantize_s8_s8, run_quantize_s8_s8},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DEQUANTIZE
    {"dequantize_s8_f32", 1, 1, 1, 1, 0u, dt_s8_f32, NAMES(names_quantize_f32), check_dequantize,
     run_dequantize_s8_f32},
    {"dequantize_s16_f32", 1, 1, 1, 1, 0u, dt_s16_f32, NAMES(names_quantize_f32),
     check_dequantize, run_dequantize_s16_f32},
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RESHAPE
    {"reshape", 1, 1, 1, 0, 0u, dt_any, NAMES(names_reshape), check_reshape, run_reshape},
#endif
    {NULL, 0, 0, 0, 0, 0u, NULL, NULL, NULL, NULL} /* keeps the array non-empty */
};

const lwai_graph_kernel *lwai_graph_find_kernel(const char *name)
{
    size_t i;
    if (name == NULL) {
        return NULL;
    }
    for (i = 0; kernels[i].name != NULL; ++i) {
        if (strcmp(kernels[i].name, name) == 0) {
            return &kernels[i];
        }
    }
    return NULL;
}
