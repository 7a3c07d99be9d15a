/* The kernel registry of the graph executor: each library kernel the image holds, with its
 * operand contract (counts, dtypes, optional inputs), the parameter checks that keep a
 * hostile model file from driving a kernel into overflow or out-of-range shifts, and the
 * adapter that turns a node into the kernel call. The build defines
 * LWAI_KERNEL_IN_IMAGE_<KIND> for every kernel kind it compiles in; the others are absent,
 * so a model needing one fails to load with LWAI_ERR_KERNEL_MISSING and its name.
 * Operand counts, dtypes, parameter orders and names come from the op spec through the
 * generated kernel_params.h (as docs/formats.md shows them). */
#include <string.h>

#include "graph_internal.h"
#include "lwai/kernels_cmsis_nn.h"
#include "lwai/kernels_optimized.h"

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
#define GEOMETRY_MAX LWAI_GEOMETRY_MAX

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

/* ---- fast variants --------------------------------------------------------------------
 * The build defines LWAI_FAST_<KERNEL> as the tag of the backend that takes the kernel in
 * this image (opt, cmsis: the first of LWAI_KERNEL_BACKENDS whose file it compiled), so a
 * node runs lwai_<op>_<tag>_<dtype>, with the graph's shared scratch when that kernel has
 * some; without it the reference kernel runs. Same results either way (bit-exact). */
#define FAST_FN_(op, tag, tail) lwai_##op##_##tag##_##tail
#define FAST_FN(op, tag, tail) FAST_FN_(op, tag, tail)
#define FAST_CTX(g) (&(lwai_context){(g)->scratch, (int32_t)(g)->scratch_bytes})

#ifdef LWAI_FAST_CONV2D_S8
#define CONV2D_S8(...) FAST_FN(conv2d, LWAI_FAST_CONV2D_S8, s8)(FAST_CTX(g), __VA_ARGS__)
#else
#define CONV2D_S8(...) lwai_conv2d_s8(__VA_ARGS__)
#endif
#ifdef LWAI_FAST_DEPTHWISE_CONV2D_S8
#define DEPTHWISE_CONV2D_S8(...)                                                              \
    FAST_FN(depthwise_conv2d, LWAI_FAST_DEPTHWISE_CONV2D_S8, s8)(FAST_CTX(g), __VA_ARGS__)
#else
#define DEPTHWISE_CONV2D_S8(...) lwai_depthwise_conv2d_s8(__VA_ARGS__)
#endif
#ifdef LWAI_FAST_FULLY_CONNECTED_S8
#define FULLY_CONNECTED_S8(...)                                                               \
    FAST_FN(fully_connected, LWAI_FAST_FULLY_CONNECTED_S8, s8)(FAST_CTX(g), __VA_ARGS__)
#else
#define FULLY_CONNECTED_S8(...) lwai_fully_connected_s8(__VA_ARGS__)
#endif
#ifdef LWAI_FAST_AVG_POOL2D_S8
#define AVG_POOL2D_S8(...)                                                                    \
    FAST_FN(avg_pool2d, LWAI_FAST_AVG_POOL2D_S8, s8)(FAST_CTX(g), __VA_ARGS__)
#else
#define AVG_POOL2D_S8(...) lwai_avg_pool2d_s8(__VA_ARGS__)
#endif
#ifdef LWAI_FAST_MAX_POOL2D_S8
#define MAX_POOL2D_S8 FAST_FN(max_pool2d, LWAI_FAST_MAX_POOL2D_S8, s8)
#else
#define MAX_POOL2D_S8 lwai_max_pool2d_s8
#endif
#ifdef LWAI_FAST_ADD_S8
#define ADD_S8 FAST_FN(add, LWAI_FAST_ADD_S8, s8)
#else
#define ADD_S8 lwai_add_s8
#endif
#ifdef LWAI_FAST_MUL_S8
#define MUL_S8 FAST_FN(mul, LWAI_FAST_MUL_S8, s8)
#else
#define MUL_S8 lwai_mul_s8
#endif
#ifdef LWAI_FAST_SOFTMAX_S8
#define SOFTMAX_S8 FAST_FN(softmax, LWAI_FAST_SOFTMAX_S8, s8)
#else
#define SOFTMAX_S8 lwai_softmax_s8
#endif

/* Scratch of a node whose fast kernel has some: its *_get_buffer_size (after the node's
 * check, so params and dims are valid). */
#define CONV_LIKE_SCRATCH(name, macro, ptype, fn)                                             \
    static int32_t scratch_##name(const lwai_graph *g, const lwai_graph_node *n)               \
    {                                                                                         \
        ptype c;                                                                              \
        lwai_dims in, f, out;                                                                 \
        (void)g;                                                                              \
        memset(&c, 0, sizeof c);                                                              \
        macro##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, macro##_T_INPUT, &in);                                                     \
        dims_of(n, macro##_T_FILTER, &f);                                                     \
        dims_of(n, macro##_T_OUTPUT, &out);                                                   \
        return fn(&c, &in, &f, &out);                                                         \
    }

#ifdef LWAI_FAST_CONV2D_S8
CONV_LIKE_SCRATCH(conv2d_s8, LWAI_CONV2D_S8, lwai_conv2d_params,
                  FAST_FN(conv2d, LWAI_FAST_CONV2D_S8, s8_get_buffer_size))
#define SCRATCH_CONV2D_S8 scratch_conv2d_s8
#else
#define SCRATCH_CONV2D_S8 NULL
#endif
#ifdef LWAI_FAST_DEPTHWISE_CONV2D_S8
CONV_LIKE_SCRATCH(depthwise_conv2d_s8, LWAI_DEPTHWISE_CONV2D_S8, lwai_depthwise_conv2d_params,
                  FAST_FN(depthwise_conv2d, LWAI_FAST_DEPTHWISE_CONV2D_S8, s8_get_buffer_size))
#define SCRATCH_DEPTHWISE_CONV2D_S8 scratch_depthwise_conv2d_s8
#else
#define SCRATCH_DEPTHWISE_CONV2D_S8 NULL
#endif
#ifdef LWAI_FAST_FULLY_CONNECTED_S8
CONV_LIKE_SCRATCH(fully_connected_s8, LWAI_FULLY_CONNECTED_S8, lwai_fully_connected_params,
                  FAST_FN(fully_connected, LWAI_FAST_FULLY_CONNECTED_S8, s8_get_buffer_size))
#define SCRATCH_FULLY_CONNECTED_S8 scratch_fully_connected_s8
#else
#define SCRATCH_FULLY_CONNECTED_S8 NULL
#endif
#ifdef LWAI_FAST_AVG_POOL2D_S8
static int32_t scratch_avg_pool2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    (void)g;
    memset(&c, 0, sizeof c);
    LWAI_AVG_POOL2D_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_AVG_POOL2D_S8_T_INPUT, &in);
    dims_of(n, LWAI_AVG_POOL2D_S8_T_OUTPUT, &out);
    return FAST_FN(avg_pool2d, LWAI_FAST_AVG_POOL2D_S8, s8_get_buffer_size)(&c, &in, &out);
}
#define SCRATCH_AVG_POOL2D_S8 scratch_avg_pool2d_s8
#else
#define SCRATCH_AVG_POOL2D_S8 NULL
#endif

/* ---- CONV_2D / DEPTHWISE_CONV_2D ----------------------------------------------------- */
/* Operands: 0 input, 1 filter, 2 bias, (3 mult, 4 shift for s8), then the output. */

static SHARED lwai_status check_conv_like(const lwai_graph *g, const lwai_graph_node *n, int depthwise,
                                   uint32_t out_j)
{
    const int32_t *p = n->params; /* conv and depthwise, s8 and f32: geometry in 0..5 */
    lwai_dims f, out;
    dims_of(n, 1, &f);
    dims_of(n, out_j, &out);
    if (!conv_geometry_ok(p) ||
        !window_fits(out.h, p[LWAI_CONV2D_S8_P_STRIDE_H], f.h, p[LWAI_CONV2D_S8_P_DILATION_H]) ||
        !window_fits(out.w, p[LWAI_CONV2D_S8_P_STRIDE_W], f.w, p[LWAI_CONV2D_S8_P_DILATION_W])) {
        return LWAI_ERR_BAD_MODEL;
    }
    if (depthwise && !in_range(p[LWAI_DEPTHWISE_CONV2D_S8_P_DEPTH_MULTIPLIER], 1, GEOMETRY_MAX)) {
        return LWAI_ERR_BAD_MODEL;
    }
    (void)g;
    return LWAI_OK;
}

static SHARED lwai_status check_conv_s8(const lwai_graph *g, const lwai_graph_node *n, int depthwise)
{
    const int32_t *p = n->params + (depthwise ? LWAI_DEPTHWISE_CONV2D_S8_P_INPUT_OFFSET
                                              : LWAI_CONV2D_S8_P_INPUT_OFFSET);
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
    memset(&c, 0, sizeof c);
    LWAI_CONV2D_S8_UNPACK(&c, n->params, n->fparams);
    channel_quant_of(g, n, LWAI_CONV2D_S8_T_MULT, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return CONV2D_S8(&c, &q, &d[LWAI_CONV2D_S8_T_INPUT],
                     (const int8_t *)data_of(g, n, LWAI_CONV2D_S8_T_INPUT),
                     &d[LWAI_CONV2D_S8_T_FILTER],
                     (const int8_t *)data_of(g, n, LWAI_CONV2D_S8_T_FILTER),
                     &d[LWAI_CONV2D_S8_T_BIAS],
                     (const int32_t *)data_of(g, n, LWAI_CONV2D_S8_T_BIAS),
                     &d[LWAI_CONV2D_S8_T_OUTPUT],
                     (int8_t *)data_of(g, n, LWAI_CONV2D_S8_T_OUTPUT));
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
    memset(&c, 0, sizeof c);
    LWAI_CONV2D_F32_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_conv2d_f32(&c, &d[LWAI_CONV2D_F32_T_INPUT],
                           (const float *)data_of(g, n, LWAI_CONV2D_F32_T_INPUT),
                           &d[LWAI_CONV2D_F32_T_FILTER],
                           (const float *)data_of(g, n, LWAI_CONV2D_F32_T_FILTER),
                           &d[LWAI_CONV2D_F32_T_BIAS],
                           (const float *)data_of(g, n, LWAI_CONV2D_F32_T_BIAS),
                           &d[LWAI_CONV2D_F32_T_OUTPUT],
                           (float *)data_of(g, n, LWAI_CONV2D_F32_T_OUTPUT));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D
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
    memset(&c, 0, sizeof c);
    LWAI_DEPTHWISE_CONV2D_S8_UNPACK(&c, n->params, n->fparams);
    channel_quant_of(g, n, LWAI_DEPTHWISE_CONV2D_S8_T_MULT, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return DEPTHWISE_CONV2D_S8(&c, &q, &d[LWAI_DEPTHWISE_CONV2D_S8_T_INPUT],
                               (const int8_t *)data_of(g, n, LWAI_DEPTHWISE_CONV2D_S8_T_INPUT),
                               &d[LWAI_DEPTHWISE_CONV2D_S8_T_FILTER],
                               (const int8_t *)data_of(g, n,
                                                       LWAI_DEPTHWISE_CONV2D_S8_T_FILTER),
                               &d[LWAI_DEPTHWISE_CONV2D_S8_T_BIAS],
                               (const int32_t *)data_of(g, n, LWAI_DEPTHWISE_CONV2D_S8_T_BIAS),
                               &d[LWAI_DEPTHWISE_CONV2D_S8_T_OUTPUT],
                               (int8_t *)data_of(g, n, LWAI_DEPTHWISE_CONV2D_S8_T_OUTPUT));
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
    memset(&c, 0, sizeof c);
    LWAI_DEPTHWISE_CONV2D_F32_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_depthwise_conv2d_f32(&c, &d[LWAI_DEPTHWISE_CONV2D_F32_T_INPUT],
                                     (const float *)data_of(g, n,
                                                            LWAI_DEPTHWISE_CONV2D_F32_T_INPUT),
                                     &d[LWAI_DEPTHWISE_CONV2D_F32_T_FILTER],
                                     (const float *)data_of(g, n,
                                                            LWAI_DEPTHWISE_CONV2D_F32_T_FILTER),
                                     &d[LWAI_DEPTHWISE_CONV2D_F32_T_BIAS],
                                     (const float *)data_of(g, n, LWAI_DEPTHWISE_CONV2D_F32_T_BIAS),
                                     &d[LWAI_DEPTHWISE_CONV2D_F32_T_OUTPUT],
                                     (float *)data_of(g, n, LWAI_DEPTHWISE_CONV2D_F32_T_OUTPUT));
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
    LWAI_FULLY_CONNECTED_S8_UNPACK(&c, n->params, n->fparams);
    channel_quant_of(g, n, LWAI_FULLY_CONNECTED_S8_T_MULT, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return FULLY_CONNECTED_S8(&c, &q, &d[LWAI_FULLY_CONNECTED_S8_T_INPUT],
                              (const int8_t *)data_of(g, n, LWAI_FULLY_CONNECTED_S8_T_INPUT),
                              &d[LWAI_FULLY_CONNECTED_S8_T_FILTER],
                              (const int8_t *)data_of(g, n, LWAI_FULLY_CONNECTED_S8_T_FILTER),
                              &d[LWAI_FULLY_CONNECTED_S8_T_BIAS],
                              (const int32_t *)data_of(g, n, LWAI_FULLY_CONNECTED_S8_T_BIAS),
                              &d[LWAI_FULLY_CONNECTED_S8_T_OUTPUT],
                              (int8_t *)data_of(g, n, LWAI_FULLY_CONNECTED_S8_T_OUTPUT));
}

static lwai_status run_fully_connected_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_fully_connected_params c;
    lwai_dims d[4];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_FULLY_CONNECTED_F32_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_fully_connected_f32(&c, &d[LWAI_FULLY_CONNECTED_F32_T_INPUT],
                                    (const float *)data_of(g, n, LWAI_FULLY_CONNECTED_F32_T_INPUT),
                                    &d[LWAI_FULLY_CONNECTED_F32_T_FILTER],
                                    (const float *)data_of(g, n, LWAI_FULLY_CONNECTED_F32_T_FILTER),
                                    &d[LWAI_FULLY_CONNECTED_F32_T_BIAS],
                                    (const float *)data_of(g, n, LWAI_FULLY_CONNECTED_F32_T_BIAS),
                                    &d[LWAI_FULLY_CONNECTED_F32_T_OUTPUT],
                                    (float *)data_of(g, n, LWAI_FULLY_CONNECTED_F32_T_OUTPUT));
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
    memset(c, 0, sizeof *c);
    if (s8) {
        LWAI_AVG_POOL2D_S8_UNPACK(c, n->params, n->fparams); /* max pool: the same layout */
    } else {
        LWAI_AVG_POOL2D_F32_UNPACK(c, n->params, n->fparams);
    }
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_AVG_POOL2D
static lwai_status run_avg_pool2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 1, &c);
    dims_of(n, LWAI_AVG_POOL2D_S8_T_INPUT, &in);
    dims_of(n, LWAI_AVG_POOL2D_S8_T_OUTPUT, &out);
    return AVG_POOL2D_S8(&c, &in, (const int8_t *)data_of(g, n, LWAI_AVG_POOL2D_S8_T_INPUT),
                         &out, (int8_t *)data_of(g, n, LWAI_AVG_POOL2D_S8_T_OUTPUT));
}

static lwai_status run_avg_pool2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 0, &c);
    dims_of(n, LWAI_AVG_POOL2D_F32_T_INPUT, &in);
    dims_of(n, LWAI_AVG_POOL2D_F32_T_OUTPUT, &out);
    return lwai_avg_pool2d_f32(&c, &in, (const float *)data_of(g, n, LWAI_AVG_POOL2D_F32_T_INPUT),
                               &out, (float *)data_of(g, n, LWAI_AVG_POOL2D_F32_T_OUTPUT));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_MAX_POOL2D
static lwai_status run_max_pool2d_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 1, &c);
    dims_of(n, LWAI_MAX_POOL2D_S8_T_INPUT, &in);
    dims_of(n, LWAI_MAX_POOL2D_S8_T_OUTPUT, &out);
    return MAX_POOL2D_S8(&c, &in, (const int8_t *)data_of(g, n, LWAI_MAX_POOL2D_S8_T_INPUT),
                         &out, (int8_t *)data_of(g, n, LWAI_MAX_POOL2D_S8_T_OUTPUT));
}

static lwai_status run_max_pool2d_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_params c;
    lwai_dims in, out;
    pool_params_of(n, 0, &c);
    dims_of(n, LWAI_MAX_POOL2D_F32_T_INPUT, &in);
    dims_of(n, LWAI_MAX_POOL2D_F32_T_OUTPUT, &out);
    return lwai_max_pool2d_f32(&c, &in, (const float *)data_of(g, n, LWAI_MAX_POOL2D_F32_T_INPUT),
                               &out, (float *)data_of(g, n, LWAI_MAX_POOL2D_F32_T_OUTPUT));
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
    lwai_add_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_ADD_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_ADD_S8_T_INPUT1, &a);
    dims_of(n, LWAI_ADD_S8_T_INPUT2, &b);
    dims_of(n, LWAI_ADD_S8_T_OUTPUT, &out);
    return ADD_S8(&c, &a, (const int8_t *)data_of(g, n, LWAI_ADD_S8_T_INPUT1), &b,
                  (const int8_t *)data_of(g, n, LWAI_ADD_S8_T_INPUT2), &out,
                  (int8_t *)data_of(g, n, LWAI_ADD_S8_T_OUTPUT));
}

static lwai_status run_add_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_add_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_ADD_F32_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_ADD_F32_T_INPUT1, &a);
    dims_of(n, LWAI_ADD_F32_T_INPUT2, &b);
    dims_of(n, LWAI_ADD_F32_T_OUTPUT, &out);
    return lwai_add_f32(&c, &a, (const float *)data_of(g, n, LWAI_ADD_F32_T_INPUT1), &b,
                        (const float *)data_of(g, n, LWAI_ADD_F32_T_INPUT2), &out,
                        (float *)data_of(g, n, LWAI_ADD_F32_T_OUTPUT));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SUB
/* SUB: ADD's params and checks (kernels/reference/sub.c). */
static lwai_status check_sub_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    /* As ADD: inputs scaled up by 2^left_shift (<= 20) and down (shifts <= 0), so their
     * difference stays within int32. */
    if (!in_range(p[0], -128, 128) || !in_range(p[1], -128, 128) ||
        !s8_io_ok(0, p[2], p[10], p[11]) || !in_range(p[3], 0, 20) || !multiplier_ok(p[4]) ||
        !in_range(p[5], -31, 0) || !multiplier_ok(p[6]) || !in_range(p[7], -31, 0) ||
        !multiplier_ok(p[8]) || !shift_ok(p[9])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_sub_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_add_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_SUB_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_SUB_S8_T_INPUT1, &a);
    dims_of(n, LWAI_SUB_S8_T_INPUT2, &b);
    dims_of(n, LWAI_SUB_S8_T_OUTPUT, &out);
    return lwai_sub_s8(&c, &a, (const int8_t *)data_of(g, n, LWAI_SUB_S8_T_INPUT1), &b,
                       (const int8_t *)data_of(g, n, LWAI_SUB_S8_T_INPUT2), &out,
                       (int8_t *)data_of(g, n, LWAI_SUB_S8_T_OUTPUT));
}

static lwai_status run_sub_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_add_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_SUB_F32_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_SUB_F32_T_INPUT1, &a);
    dims_of(n, LWAI_SUB_F32_T_INPUT2, &b);
    dims_of(n, LWAI_SUB_F32_T_OUTPUT, &out);
    return lwai_sub_f32(&c, &a, (const float *)data_of(g, n, LWAI_SUB_F32_T_INPUT1), &b,
                        (const float *)data_of(g, n, LWAI_SUB_F32_T_INPUT2), &out,
                        (float *)data_of(g, n, LWAI_SUB_F32_T_OUTPUT));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_RELU
/* RELU / RELU6 / LEAKY_RELU (kernels/reference/relu.c). */
static lwai_status check_relu_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    if (!in_range(p[0], -128, 127) || !s8_io_ok(0, p[1], p[6], p[7]) || !multiplier_ok(p[2]) ||
        !shift_ok(p[3]) || !multiplier_ok(p[4]) || !shift_ok(p[5])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_relu_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_relu_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_RELU_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_RELU_S8_T_INPUT, &in);
    dims_of(n, LWAI_RELU_S8_T_OUTPUT, &out);
    return lwai_relu_s8(&c, &in, (const int8_t *)data_of(g, n, LWAI_RELU_S8_T_INPUT), &out,
                        (int8_t *)data_of(g, n, LWAI_RELU_S8_T_OUTPUT));
}
#endif

#if defined(LWAI_KERNEL_IN_IMAGE_LOGISTIC) || defined(LWAI_KERNEL_IN_IMAGE_TANH)
/* LOGISTIC / TANH (kernels/reference/logistic.c, tanh.c): one params layout. */
static lwai_status check_sigmoid_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    if (!in_range(p[0], -128, 127) || p[1] < 0 || !multiplier_ok(p[2]) ||
        !in_range(p[3], 0, 31)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_sigmoid_s8(const lwai_graph *g, const lwai_graph_node *n, int is_tanh)
{
    lwai_sigmoid_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_LOGISTIC_S8_UNPACK(&c, n->params, n->fparams); /* TANH's layout is the same */
    dims_of(n, LWAI_LOGISTIC_S8_T_INPUT, &in);
    dims_of(n, LWAI_LOGISTIC_S8_T_OUTPUT, &out);
#ifdef LWAI_KERNEL_IN_IMAGE_TANH
    if (is_tanh) {
        return lwai_tanh_s8(&c, &in, (const int8_t *)data_of(g, n, LWAI_LOGISTIC_S8_T_INPUT),
                            &out, (int8_t *)data_of(g, n, LWAI_LOGISTIC_S8_T_OUTPUT));
    }
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LOGISTIC
    if (!is_tanh) {
        return lwai_logistic_s8(&c, &in,
                                (const int8_t *)data_of(g, n, LWAI_LOGISTIC_S8_T_INPUT), &out,
                                (int8_t *)data_of(g, n, LWAI_LOGISTIC_S8_T_OUTPUT));
    }
#endif
    return LWAI_ERR_INVALID_ARG;
}
#endif
#if defined(LWAI_KERNEL_IN_IMAGE_LOGISTIC) || defined(LWAI_KERNEL_IN_IMAGE_TANH)
static lwai_status check_sigmoid_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    if (!in_range(p[0], 0, 32767) || !in_range(p[1], 0, 31) || (p[0] == 0 && p[1] > 1)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LOGISTIC
static lwai_status run_logistic_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_sigmoid16_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_LOGISTIC_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_LOGISTIC_S16_T_INPUT, &in);
    dims_of(n, LWAI_LOGISTIC_S16_T_OUTPUT, &out);
    return lwai_logistic_s16(&c, &in, (const int16_t *)data_of(g, n, LWAI_LOGISTIC_S16_T_INPUT),
                             &out, (int16_t *)data_of(g, n, LWAI_LOGISTIC_S16_T_OUTPUT));
}

static lwai_status run_logistic_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_sigmoid_s8(g, n, 0);
}
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_TANH
static lwai_status run_tanh_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_sigmoid16_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_TANH_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_TANH_S16_T_INPUT, &in);
    dims_of(n, LWAI_TANH_S16_T_OUTPUT, &out);
    return lwai_tanh_s16(&c, &in, (const int16_t *)data_of(g, n, LWAI_TANH_S16_T_INPUT), &out,
                         (int16_t *)data_of(g, n, LWAI_TANH_S16_T_OUTPUT));
}

static lwai_status run_tanh_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_sigmoid_s8(g, n, 1);
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_HARD_SWISH
/* HARD_SWISH (kernels/reference/hard_swish.c): int16 multipliers, shifts within 16 bits. */
static lwai_status check_hard_swish_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const int32_t *p = n->params;
    (void)g;
    if (!in_range(p[0], -128, 127) || !in_range(p[1], -128, 127) || !in_range(p[2], 0, 32767) ||
        !in_range(p[3], -15, 0) || !in_range(p[4], 0, 32767) || !in_range(p[5], -15, 15)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_hard_swish_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_hard_swish_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_HARD_SWISH_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_HARD_SWISH_S8_T_INPUT, &in);
    dims_of(n, LWAI_HARD_SWISH_S8_T_OUTPUT, &out);
    return lwai_hard_swish_s8(&c, &in, (const int8_t *)data_of(g, n, LWAI_HARD_SWISH_S8_T_INPUT),
                              &out, (int8_t *)data_of(g, n, LWAI_HARD_SWISH_S8_T_OUTPUT));
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
    lwai_mul_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_MUL_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_MUL_S8_T_INPUT1, &a);
    dims_of(n, LWAI_MUL_S8_T_INPUT2, &b);
    dims_of(n, LWAI_MUL_S8_T_OUTPUT, &out);
    return MUL_S8(&c, &a, (const int8_t *)data_of(g, n, LWAI_MUL_S8_T_INPUT1), &b,
                  (const int8_t *)data_of(g, n, LWAI_MUL_S8_T_INPUT2), &out,
                  (int8_t *)data_of(g, n, LWAI_MUL_S8_T_OUTPUT));
}

static lwai_status run_mul_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_mul_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_MUL_F32_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_MUL_F32_T_INPUT1, &a);
    dims_of(n, LWAI_MUL_F32_T_INPUT2, &b);
    dims_of(n, LWAI_MUL_F32_T_OUTPUT, &out);
    return lwai_mul_f32(&c, &a, (const float *)data_of(g, n, LWAI_MUL_F32_T_INPUT1), &b,
                        (const float *)data_of(g, n, LWAI_MUL_F32_T_INPUT2), &out,
                        (float *)data_of(g, n, LWAI_MUL_F32_T_OUTPUT));
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
    LWAI_SOFTMAX_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_SOFTMAX_S8_T_INPUT, &in);
    dims_of(n, LWAI_SOFTMAX_S8_T_OUTPUT, &out);
    return SOFTMAX_S8(&c, &in, (const int8_t *)data_of(g, n, LWAI_SOFTMAX_S8_T_INPUT), &out,
                      (int8_t *)data_of(g, n, LWAI_SOFTMAX_S8_T_OUTPUT));
}

static lwai_status run_softmax_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_softmax_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_SOFTMAX_F32_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_SOFTMAX_F32_T_INPUT, &in);
    dims_of(n, LWAI_SOFTMAX_F32_T_OUTPUT, &out);
    return lwai_softmax_f32(&c, &in, (const float *)data_of(g, n, LWAI_SOFTMAX_F32_T_INPUT), &out,
                            (float *)data_of(g, n, LWAI_SOFTMAX_F32_T_OUTPUT));
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
    LWAI_QUANTIZE_F32_S8_UNPACK(&c, n->params, n->fparams); /* the s16 layout is the same */
    dims_of(n, LWAI_QUANTIZE_F32_S8_T_INPUT, &in);
    dims_of(n, LWAI_QUANTIZE_F32_S8_T_OUTPUT, &out);
    if (s16) {
        return lwai_quantize_f32_s16(&c, &in,
                                     (const float *)data_of(g, n, LWAI_QUANTIZE_F32_S8_T_INPUT),
                                     &out, (int16_t *)data_of(g, n, LWAI_QUANTIZE_F32_S8_T_OUTPUT));
    }
    return lwai_quantize_f32_s8(&c, &in, (const float *)data_of(g, n, LWAI_QUANTIZE_F32_S8_T_INPUT),
                                &out, (int8_t *)data_of(g, n, LWAI_QUANTIZE_F32_S8_T_OUTPUT));
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
    LWAI_QUANTIZE_S8_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_QUANTIZE_S8_S8_T_INPUT, &in);
    dims_of(n, LWAI_QUANTIZE_S8_S8_T_OUTPUT, &out);
    return lwai_quantize_s8_s8(&c, &in, (const int8_t *)data_of(g, n, LWAI_QUANTIZE_S8_S8_T_INPUT),
                               &out, (int8_t *)data_of(g, n, LWAI_QUANTIZE_S8_S8_T_OUTPUT));
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
    LWAI_DEQUANTIZE_S8_F32_UNPACK(&c, n->params, n->fparams); /* the s16 layout is the same */
    dims_of(n, LWAI_DEQUANTIZE_S8_F32_T_INPUT, &in);
    dims_of(n, LWAI_DEQUANTIZE_S8_F32_T_OUTPUT, &out);
    if (s16) {
        return lwai_dequantize_s16_f32(&c, &in,
                                       (const int16_t *)data_of(g, n,
                                                                LWAI_DEQUANTIZE_S8_F32_T_INPUT),
                                       &out,
                                       (float *)data_of(g, n, LWAI_DEQUANTIZE_S8_F32_T_OUTPUT));
    }
    return lwai_dequantize_s8_f32(&c, &in,
                                  (const int8_t *)data_of(g, n, LWAI_DEQUANTIZE_S8_F32_T_INPUT),
                                  &out, (float *)data_of(g, n, LWAI_DEQUANTIZE_S8_F32_T_OUTPUT));
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

/* ---- int8 -> int16 SOFTMAX, int16 -> int8/int32 QUANTIZE (16x8 models) ---------------- */
#ifdef LWAI_KERNEL_IN_IMAGE_SOFTMAX
static lwai_status run_softmax_s8_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_softmax_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_SOFTMAX_S8_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_SOFTMAX_S8_S16_T_INPUT, &in);
    dims_of(n, LWAI_SOFTMAX_S8_S16_T_OUTPUT, &out);
    return lwai_softmax_s8_s16(&c, &in, (const int8_t *)data_of(g, n, LWAI_SOFTMAX_S8_S16_T_INPUT),
                               &out, (int16_t *)data_of(g, n, LWAI_SOFTMAX_S8_S16_T_OUTPUT));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE
/* zero point in the output dtype, input offset of an int16 input, usable multiplier */
static lwai_status check_quantize_s16(const lwai_graph *g, const lwai_graph_node *n, int32_t lo,
                                      int32_t hi)
{
    const int32_t *p = n->params;
    (void)g;
    if (!in_range(p[0], lo, hi) || !in_range(p[1], -32767, 32768) || !multiplier_ok(p[2]) ||
        !shift_ok(p[3])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_quantize_s16_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_quantize_s16(g, n, -128, 127);
}

static lwai_status check_quantize_s16_s32(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_quantize_s16(g, n, -32768, 32767);
}

static lwai_status run_quantize_s16_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_quantize_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_QUANTIZE_S16_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_QUANTIZE_S16_S8_T_INPUT, &in);
    dims_of(n, LWAI_QUANTIZE_S16_S8_T_OUTPUT, &out);
    return lwai_quantize_s16_s8(&c, &in, (const int16_t *)data_of(g, n, 0), &out,
                                (int8_t *)data_of(g, n, LWAI_QUANTIZE_S16_S8_T_OUTPUT));
}

static lwai_status run_quantize_s16_s32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_quantize_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_QUANTIZE_S16_S32_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_QUANTIZE_S16_S32_T_INPUT, &in);
    dims_of(n, LWAI_QUANTIZE_S16_S32_T_OUTPUT, &out);
    return lwai_quantize_s16_s32(&c, &in, (const int16_t *)data_of(g, n, 0), &out,
                                 (int32_t *)data_of(g, n, LWAI_QUANTIZE_S16_S32_T_OUTPUT));
}
#endif

/* ---- QUANTIZE int8 -> int16, int16 -> int16, int8 -> int32 (quantize_int.c) ---------- */
#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE
static lwai_status check_requant(const lwai_graph_node *n, int32_t zp_lo, int32_t zp_hi)
{
    const int32_t *p = n->params;
    if (!in_range(p[0], zp_lo, zp_hi) || !in_range(p[1], -32767, 32768) ||
        !multiplier_ok(p[2]) || !shift_ok(p[3])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_requant16(const lwai_graph *g, const lwai_graph_node *n)
{
    (void)g;
    return check_requant(n, -32768, 32767);
}

#define RUN_REQUANT(name, macro, in_t, out_t)                                               \
    static lwai_status run_##name(const lwai_graph *g, const lwai_graph_node *n)            \
    {                                                                                         \
        lwai_quantize_params c;                                                               \
        lwai_dims in, out;                                                                    \
        memset(&c, 0, sizeof c);                                                              \
        macro##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, macro##_T_INPUT, &in);                                                     \
        dims_of(n, macro##_T_OUTPUT, &out);                                                   \
        return lwai_##name(&c, &in, (const in_t *)data_of(g, n, macro##_T_INPUT), &out,       \
                           (out_t *)data_of(g, n, macro##_T_OUTPUT));                         \
    }
RUN_REQUANT(quantize_s8_s16, LWAI_QUANTIZE_S8_S16, int8_t, int16_t)
RUN_REQUANT(quantize_s16_s16, LWAI_QUANTIZE_S16_S16, int16_t, int16_t)
RUN_REQUANT(quantize_s8_s32, LWAI_QUANTIZE_S8_S32, int8_t, int32_t)
#endif

/* ---- SVDF (stateful: the state operand is an arena tensor kept between runs) ----------- */
#ifdef LWAI_KERNEL_IN_IMAGE_SVDF
/* The operand indices and params layout are the same for the three SVDF kernels. */
#define SVDF_T(name) LWAI_SVDF_S8_T_##name

/* Params in range, the shapes consistent (lwai_svdf_check) and the state tensor exactly
 * as large as the kernel's state. */
static lwai_status check_svdf(const lwai_graph *g, const lwai_graph_node *n,
                              int32_t (*state_size)(const lwai_dims *, const lwai_dims *,
                                                    const lwai_dims *),
                              int integer)
{
    lwai_svdf_params c;
    lwai_dims in, wf, wt, bias, state, out;
    if (n->params[0] < 1 || (integer && !LWAI_SVDF_S8_IN_RANGE(n->params))) {
        return LWAI_ERR_BAD_MODEL;
    }
    memset(&c, 0, sizeof c);
    c.rank = n->params[0];
    dims_of(n, SVDF_T(INPUT), &in);
    dims_of(n, SVDF_T(WEIGHTS_FEATURE), &wf);
    dims_of(n, SVDF_T(WEIGHTS_TIME), &wt);
    dims_of(n, SVDF_T(BIAS), &bias);
    dims_of(n, SVDF_T(STATE), &state);
    dims_of(n, SVDF_T(OUTPUT), &out);
    /* lwai_svdf_check bounds batch * filters * memory, so state_size cannot overflow */
    if (lwai_svdf_check(&c, &in, &wf, &wt, tensor_of(g, n, SVDF_T(BIAS)) != NULL ? &bias : NULL,
                        &state, &out) != LWAI_OK ||
        (int64_t)state_size(&in, &wf, &wt) != (int64_t)tensor_of(g, n, SVDF_T(STATE))->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_svdf_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_svdf(g, n, lwai_svdf_s8_get_state_size, 1);
}

static lwai_status check_svdf_state8_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_svdf(g, n, lwai_svdf_state8_s8_get_state_size, 1);
}

static lwai_status check_svdf_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    if (!finite_f32(n->fparams[0]) || !finite_f32(n->fparams[1])) {
        return LWAI_ERR_BAD_MODEL;
    }
    return check_svdf(g, n, lwai_svdf_f32_get_state_size, 0);
}

/* TFLM's ResetVariableTensors: int8 state is filled with its zero point, the rest with 0. */
static lwai_status reset_svdf(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *st = tensor_of(g, n, SVDF_T(STATE));
    const int fill = st->dtype == LWAI_DTYPE_INT8 ? (int)(n->params[2] & 0xff) : 0;
    memset(st->data, fill, st->bytes);
    return LWAI_OK;
}

/* The s8 (int16 state) kernel's fast variant, when the image holds one (CMSIS-NN). */
#ifdef LWAI_FAST_SVDF_S8
#define SVDF_S8(...) FAST_FN(svdf, LWAI_FAST_SVDF_S8, s8)(FAST_CTX(g), __VA_ARGS__)
static int32_t scratch_svdf_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_svdf_params c;
    lwai_dims in, wf, wt, state, out;
    (void)g;
    memset(&c, 0, sizeof c);
    LWAI_SVDF_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, SVDF_T(INPUT), &in);
    dims_of(n, SVDF_T(WEIGHTS_FEATURE), &wf);
    dims_of(n, SVDF_T(WEIGHTS_TIME), &wt);
    dims_of(n, SVDF_T(STATE), &state);
    dims_of(n, SVDF_T(OUTPUT), &out);
    return FAST_FN(svdf, LWAI_FAST_SVDF_S8, s8_get_buffer_size)(&c, &in, &wf, &wt, &state, &out);
}
#define SCRATCH_SVDF_S8 scratch_svdf_s8
#else
#define SVDF_S8 lwai_svdf_s8
#define SCRATCH_SVDF_S8 NULL
#endif

static lwai_status run_svdf(const lwai_graph *g, const lwai_graph_node *n, int variant)
{
    lwai_svdf_params c;
    lwai_dims in, wf, wt, bias, state, out;
    memset(&c, 0, sizeof c);
    if (variant == 2) {
        LWAI_SVDF_F32_UNPACK(&c, n->params, n->fparams);
    } else {
        LWAI_SVDF_S8_UNPACK(&c, n->params, n->fparams);
    }
    dims_of(n, SVDF_T(INPUT), &in);
    dims_of(n, SVDF_T(WEIGHTS_FEATURE), &wf);
    dims_of(n, SVDF_T(WEIGHTS_TIME), &wt);
    dims_of(n, SVDF_T(BIAS), &bias);
    dims_of(n, SVDF_T(STATE), &state);
    dims_of(n, SVDF_T(OUTPUT), &out);
    if (variant == 0) {
        return SVDF_S8(&c, &in, (const int8_t *)data_of(g, n, 0), &wf,
                            (const int8_t *)data_of(g, n, 1), &wt,
                            (const int16_t *)data_of(g, n, 2), &bias,
                            (const int32_t *)data_of(g, n, 3), &state,
                            (int16_t *)data_of(g, n, 4), &out, (int8_t *)data_of(g, n, 5));
    }
    if (variant == 1) {
        return lwai_svdf_state8_s8(&c, &in, (const int8_t *)data_of(g, n, 0), &wf,
                                   (const int8_t *)data_of(g, n, 1), &wt,
                                   (const int8_t *)data_of(g, n, 2), &bias,
                                   (const int32_t *)data_of(g, n, 3), &state,
                                   (int8_t *)data_of(g, n, 4), &out, (int8_t *)data_of(g, n, 5));
    }
    return lwai_svdf_f32(&c, &in, (const float *)data_of(g, n, 0), &wf,
                         (const float *)data_of(g, n, 1), &wt, (const float *)data_of(g, n, 2),
                         &bias, (const float *)data_of(g, n, 3), &state,
                         (float *)data_of(g, n, 4), &out, (float *)data_of(g, n, 5));
}

static lwai_status run_svdf_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_svdf(g, n, 0);
}

static lwai_status run_svdf_state8_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_svdf(g, n, 1);
}

static lwai_status run_svdf_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_svdf(g, n, 2);
}
#endif

/* ---- UNIDIRECTIONAL_SEQUENCE_LSTM (stateful: hidden and cell state kept between runs) -- */
#ifdef LWAI_KERNEL_IN_IMAGE_LSTM
/* Operand indices and the params layout are the same for the three LSTM kernels: input,
 * 4 input weights, 4 recurrent weights, 4 biases, hidden state, cell state, output. */
#define LSTM_T(name) LWAI_LSTM_S8_T_##name
#define LSTM_WX 1u /* first input weights operand */
#define LSTM_WH 5u /* first recurrent weights operand */
#define LSTM_BIAS 9u

/* 16x8: the 64-bit accumulators stay below 2^47 (TFLite's contract for its 64-bit
 * rescale, whose product with the 16-bit multiplier must fit int64): taps * 2^23 plus the
 * bias. */
static int lstm_acc64_ok(const lwai_graph *g, const lwai_graph_node *n, uint32_t bias_j,
                         int64_t taps)
{
    const lwai_graph_tensor *b = tensor_of(g, n, bias_j);
    const int64_t headroom = ((int64_t)1 << 46) - taps * ((int64_t)1 << 23);
    const int64_t *bv;
    uint32_t i;
    if (headroom < 0 || b == NULL || !b->is_const) {
        return 0;
    }
    bv = (const int64_t *)b->data;
    for (i = 0; i < b->bytes / 8u; ++i) {
        if (bv[i] > headroom || -bv[i] > headroom) {
            return 0;
        }
    }
    return 1;
}

/* integer: 0 float, 1 int8 (32-bit accumulators), 2 int16 (64-bit). */
static lwai_status check_lstm(const lwai_graph *g, const lwai_graph_node *n,
                              int32_t (*state_size)(const lwai_dims *, int32_t), int integer)
{
    lwai_dims in, out, d;
    uint32_t j;
    if (integer && !LWAI_LSTM_S8_IN_RANGE(n->params)) {
        return LWAI_ERR_BAD_MODEL;
    }
    dims_of(n, LSTM_T(INPUT), &in);
    dims_of(n, LSTM_T(OUTPUT), &out);
    /* {batch, time steps, 1, features}; batch and steps shared by input and output */
    if (in.w != 1 || out.w != 1 || in.n != out.n || in.h != out.h ||
        (int64_t)in.c * out.c > 0x7fffffff || (int64_t)out.c * out.c > 0x7fffffff) {
        return LWAI_ERR_BAD_MODEL;
    }
    for (j = 0; j < 4u; ++j) { /* weights [cell, in] and [cell, cell], biases [cell] */
        dims_of(n, LSTM_WX + j, &d);
        if ((int64_t)d.n * d.h * d.w * d.c != (int64_t)out.c * in.c) {
            return LWAI_ERR_BAD_MODEL;
        }
        dims_of(n, LSTM_WH + j, &d);
        if ((int64_t)d.n * d.h * d.w * d.c != (int64_t)out.c * out.c) {
            return LWAI_ERR_BAD_MODEL;
        }
        dims_of(n, LSTM_BIAS + j, &d);
        if ((int64_t)d.n * d.h * d.w * d.c != (int64_t)out.c) {
            return LWAI_ERR_BAD_MODEL;
        }
        /* no accumulator may overflow: input FC with its bias, recurrent FC without */
        if ((integer == 1 && (!accumulator_ok(g, n, LSTM_BIAS + j, in.c) ||
                              (int64_t)out.c * 65536 > 0x7fffffff)) ||
            (integer == 2 && (!lstm_acc64_ok(g, n, LSTM_BIAS + j, in.c) ||
                              (int64_t)out.c * ((int64_t)1 << 23) > ((int64_t)1 << 46)))) {
            return LWAI_ERR_BAD_MODEL;
        }
    }
    /* The kernel copies each step's output row into the hidden state (memcpy): the two may
     * not overlap (a mutated arena offset made them; found by tests/fuzz, regressions/params). */
    {
        const lwai_graph_tensor *o = tensor_of(g, n, LSTM_T(OUTPUT));
        const lwai_graph_tensor *h = tensor_of(g, n, LSTM_T(OUTPUT_STATE));
        const uint8_t *op = (const uint8_t *)o->data, *hp = (const uint8_t *)h->data;
        if (op < hp + h->bytes && hp < op + o->bytes) {
            return LWAI_ERR_BAD_MODEL;
        }
    }
    if ((int64_t)out.n * out.c > 0x0fffffff ||
        state_size(&out, LWAI_LSTM_OUTPUT_STATE) !=
            (int32_t)tensor_of(g, n, LSTM_T(OUTPUT_STATE))->bytes ||
        state_size(&out, LWAI_LSTM_CELL_STATE) !=
            (int32_t)tensor_of(g, n, LSTM_T(CELL_STATE))->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_lstm_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_lstm(g, n, lwai_lstm_s8_get_state_size, 1);
}

static lwai_status check_lstm_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_lstm(g, n, lwai_lstm_s16_get_state_size, 2);
}

static lwai_status check_lstm_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    if (!finite_f32(n->fparams[0]) || !in_range(n->params[0], 0, 1)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return check_lstm(g, n, lwai_lstm_f32_get_state_size, 0);
}

/* TFLM's ResetVariableTensors: the int8 hidden state is filled with its zero point
 * (params[3], hidden_zero_point), everything else with 0. */
static lwai_status reset_lstm(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *h = tensor_of(g, n, LSTM_T(OUTPUT_STATE));
    const lwai_graph_tensor *c = tensor_of(g, n, LSTM_T(CELL_STATE));
    const int fill = h->dtype == LWAI_DTYPE_INT8 ? (int)(n->params[3] & 0xff) : 0;
    memset(h->data, fill, h->bytes);
    memset(c->data, 0, c->bytes);
    return LWAI_OK;
}

/* The fast variants (CMSIS-NN, scratch: its *_get_buffer_size), as for the s8 kernels. */
#ifdef LWAI_FAST_LSTM_S8
#define LSTM_S8(...) FAST_FN(lstm, LWAI_FAST_LSTM_S8, s8)(FAST_CTX(g), __VA_ARGS__)
static int32_t scratch_lstm_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_lstm_params c;
    lwai_dims in, out;
    (void)g;
    memset(&c, 0, sizeof c);
    LWAI_LSTM_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LSTM_T(INPUT), &in);
    dims_of(n, LSTM_T(OUTPUT), &out);
    return FAST_FN(lstm, LWAI_FAST_LSTM_S8, s8_get_buffer_size)(&c, &in, &out);
}
#define SCRATCH_LSTM_S8 scratch_lstm_s8
#else
#define LSTM_S8(...) lwai_lstm_s8(__VA_ARGS__)
#define SCRATCH_LSTM_S8 NULL
#endif
#ifdef LWAI_FAST_LSTM_S16
#define LSTM_S16(...) FAST_FN(lstm, LWAI_FAST_LSTM_S16, s16)(FAST_CTX(g), __VA_ARGS__)
static int32_t scratch_lstm_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_lstm_params c;
    lwai_dims in, out;
    (void)g;
    memset(&c, 0, sizeof c);
    LWAI_LSTM_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LSTM_T(INPUT), &in);
    dims_of(n, LSTM_T(OUTPUT), &out);
    return FAST_FN(lstm, LWAI_FAST_LSTM_S16, s16_get_buffer_size)(&c, &in, &out);
}
#define SCRATCH_LSTM_S16 scratch_lstm_s16
#else
#define LSTM_S16(...) lwai_lstm_s16(__VA_ARGS__)
#define SCRATCH_LSTM_S16 NULL
#endif

static lwai_status run_lstm_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_lstm_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_LSTM_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LSTM_T(INPUT), &in);
    dims_of(n, LSTM_T(OUTPUT), &out);
    return LSTM_S8(
        &c, &in, (const int8_t *)data_of(g, n, 0), (const int8_t *)data_of(g, n, 1),
        (const int8_t *)data_of(g, n, 2), (const int8_t *)data_of(g, n, 3),
        (const int8_t *)data_of(g, n, 4), (const int8_t *)data_of(g, n, 5),
        (const int8_t *)data_of(g, n, 6), (const int8_t *)data_of(g, n, 7),
        (const int8_t *)data_of(g, n, 8), (const int32_t *)data_of(g, n, 9),
        (const int32_t *)data_of(g, n, 10), (const int32_t *)data_of(g, n, 11),
        (const int32_t *)data_of(g, n, 12), (int8_t *)data_of(g, n, 13),
        (int16_t *)data_of(g, n, 14), &out, (int8_t *)data_of(g, n, 15));
}

static lwai_status run_lstm_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_lstm_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_LSTM_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LSTM_T(INPUT), &in);
    dims_of(n, LSTM_T(OUTPUT), &out);
    return LSTM_S16(
        &c, &in, (const int16_t *)data_of(g, n, 0), (const int8_t *)data_of(g, n, 1),
        (const int8_t *)data_of(g, n, 2), (const int8_t *)data_of(g, n, 3),
        (const int8_t *)data_of(g, n, 4), (const int8_t *)data_of(g, n, 5),
        (const int8_t *)data_of(g, n, 6), (const int8_t *)data_of(g, n, 7),
        (const int8_t *)data_of(g, n, 8), (const int64_t *)data_of(g, n, 9),
        (const int64_t *)data_of(g, n, 10), (const int64_t *)data_of(g, n, 11),
        (const int64_t *)data_of(g, n, 12), (int16_t *)data_of(g, n, 13),
        (int16_t *)data_of(g, n, 14), &out, (int16_t *)data_of(g, n, 15));
}

static lwai_status run_lstm_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_lstm_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_LSTM_F32_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LSTM_T(INPUT), &in);
    dims_of(n, LSTM_T(OUTPUT), &out);
    return lwai_lstm_f32(
        &c, &in, (const float *)data_of(g, n, 0), (const float *)data_of(g, n, 1),
        (const float *)data_of(g, n, 2), (const float *)data_of(g, n, 3),
        (const float *)data_of(g, n, 4), (const float *)data_of(g, n, 5),
        (const float *)data_of(g, n, 6), (const float *)data_of(g, n, 7),
        (const float *)data_of(g, n, 8), (const float *)data_of(g, n, 9),
        (const float *)data_of(g, n, 10), (const float *)data_of(g, n, 11),
        (const float *)data_of(g, n, 12), (float *)data_of(g, n, 13),
        (float *)data_of(g, n, 14), &out, (float *)data_of(g, n, 15));
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
    LWAI_RESHAPE_UNPACK(&c, n->params, n->fparams);
    return lwai_reshape(&c, data_of(g, n, LWAI_RESHAPE_T_INPUT),
                        data_of(g, n, LWAI_RESHAPE_T_OUTPUT));
}
#endif

/* ---- TFLM signal library custom ops (audio front end; kernels/reference/signal_*.c) ----
 * Params within the spec's ranges here; the kernels check the shapes on every call. */
/* Operand j's dims (the kernel's argument order: inputs, then the output). */
#define SIG_D(j) (dims_of(n, (j), &d[(j)]), &d[(j)])
#define SIG_CHECK(name, macro)                                                                \
    static lwai_status check_##name(const lwai_graph *g, const lwai_graph_node *n)            \
    {                                                                                         \
        (void)g;                                                                              \
        (void)n; /* kernels without params: IN_RANGE is (1) */                                \
        return macro##_IN_RANGE(n->params) ? LWAI_OK : LWAI_ERR_BAD_MODEL;                    \
    }

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_WINDOW
SIG_CHECK(signal_window_s16, LWAI_SIGNAL_WINDOW_S16)
static lwai_status run_signal_window_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_WINDOW_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_window_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                  (const int16_t *)data_of(g, n, 1), SIG_D(2),
                                  (int16_t *)data_of(g, n, 2));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FFT_AUTO_SCALE
SIG_CHECK(signal_fft_auto_scale_s16, LWAI_SIGNAL_FFT_AUTO_SCALE_S16)
static lwai_status run_signal_fft_auto_scale_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[2];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_FFT_AUTO_SCALE_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_fft_auto_scale_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0),
                                          SIG_D(1), (int16_t *)data_of(g, n, 1));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_RFFT
SIG_CHECK(signal_rfft_s16, LWAI_SIGNAL_RFFT_S16)
SIG_CHECK(signal_rfft_s32, LWAI_SIGNAL_RFFT_S32)
SIG_CHECK(signal_rfft_f32, LWAI_SIGNAL_RFFT_F32)
static lwai_status run_signal_rfft_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_RFFT_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_rfft_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                (const int16_t *)data_of(g, n, 1), SIG_D(2),
                                (int16_t *)data_of(g, n, 2));
}

static lwai_status run_signal_rfft_s32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_RFFT_S32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_rfft_s32(&c, SIG_D(0), (const int32_t *)data_of(g, n, 0), SIG_D(1),
                                (const int32_t *)data_of(g, n, 1), SIG_D(2),
                                (int32_t *)data_of(g, n, 2));
}

static lwai_status run_signal_rfft_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_RFFT_F32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_rfft_f32(&c, SIG_D(0), (const float *)data_of(g, n, 0), SIG_D(1),
                                (const float *)data_of(g, n, 1), SIG_D(2),
                                (float *)data_of(g, n, 2));
}

SIG_CHECK(signal_irfft_s16, LWAI_SIGNAL_IRFFT_S16)
SIG_CHECK(signal_irfft_s32, LWAI_SIGNAL_IRFFT_S32)
SIG_CHECK(signal_irfft_f32, LWAI_SIGNAL_IRFFT_F32)
static lwai_status run_signal_irfft_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_IRFFT_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_irfft_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                 (const int16_t *)data_of(g, n, 1), SIG_D(2),
                                 (int16_t *)data_of(g, n, 2));
}

static lwai_status run_signal_irfft_s32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_IRFFT_S32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_irfft_s32(&c, SIG_D(0), (const int32_t *)data_of(g, n, 0), SIG_D(1),
                                 (const int32_t *)data_of(g, n, 1), SIG_D(2),
                                 (int32_t *)data_of(g, n, 2));
}

static lwai_status run_signal_irfft_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_IRFFT_F32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_irfft_f32(&c, SIG_D(0), (const float *)data_of(g, n, 0), SIG_D(1),
                                 (const float *)data_of(g, n, 1), SIG_D(2),
                                 (float *)data_of(g, n, 2));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_ENERGY
SIG_CHECK(signal_energy_s16, LWAI_SIGNAL_ENERGY_S16)
static lwai_status run_signal_energy_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[2];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_ENERGY_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_energy_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                  (uint32_t *)data_of(g, n, 1));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FILTER_BANK
SIG_CHECK(signal_filter_bank_u32, LWAI_SIGNAL_FILTER_BANK_U32)
static lwai_status run_signal_filter_bank_u32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[7];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_FILTER_BANK_U32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_filter_bank_u32(
        &c, SIG_D(0), (const uint32_t *)data_of(g, n, 0), SIG_D(1),
        (const int16_t *)data_of(g, n, 1), SIG_D(2), (const int16_t *)data_of(g, n, 2), SIG_D(3),
        (const int16_t *)data_of(g, n, 3), SIG_D(4), (const int16_t *)data_of(g, n, 4), SIG_D(5),
        (const int16_t *)data_of(g, n, 5), SIG_D(6), (uint64_t *)data_of(g, n, 6));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FILTER_BANK_SQRT
SIG_CHECK(signal_filter_bank_sqrt_u64, LWAI_SIGNAL_FILTER_BANK_SQRT_U64)
static lwai_status run_signal_filter_bank_sqrt_u64(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_FILTER_BANK_SQRT_U64_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_filter_bank_sqrt_u64(&c, SIG_D(0), (const uint64_t *)data_of(g, n, 0),
                                            SIG_D(1), (const int32_t *)data_of(g, n, 1),
                                            SIG_D(2), (uint32_t *)data_of(g, n, 2));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_SPECTRAL_SUBTRACTION
/* The noise estimate (operand 1, state) holds one uint32 per channel. */
static lwai_status check_signal_spectral_subtraction_u32(const lwai_graph *g,
                                                         const lwai_graph_node *n)
{
    lwai_dims in;
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    dims_of(n, 0, &in);
    if (!LWAI_SIGNAL_SPECTRAL_SUBTRACTION_U32_IN_RANGE(n->params) || st == NULL ||
        in.n < 1 || in.h < 1 || in.w < 1 || in.c < 1 ||
        (int64_t)lwai_signal_spectral_subtraction_u32_get_state_size(&in) != (int64_t)st->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_signal_spectral_subtraction_u32(const lwai_graph *g,
                                                       const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_SPECTRAL_SUBTRACTION_U32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_spectral_subtraction_u32(&c, SIG_D(0), (const uint32_t *)data_of(g, n, 0),
                                                SIG_D(1), (uint32_t *)data_of(g, n, 1), SIG_D(2),
                                                (uint32_t *)data_of(g, n, 2));
}

/* TFLM's reset: the noise estimate back to 0. */
static lwai_status reset_signal_spectral_subtraction(const lwai_graph *g,
                                                    const lwai_graph_node *n)
{
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    memset(st->data, 0, st->bytes);
    return LWAI_OK;
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FILTER_BANK_LOG
SIG_CHECK(signal_filter_bank_log_u32, LWAI_SIGNAL_FILTER_BANK_LOG_U32)
static lwai_status run_signal_filter_bank_log_u32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[2];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_FILTER_BANK_LOG_U32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_filter_bank_log_u32(&c, SIG_D(0), (const uint32_t *)data_of(g, n, 0),
                                           SIG_D(1), (int16_t *)data_of(g, n, 1));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_PCAN
SIG_CHECK(signal_pcan_u32, LWAI_SIGNAL_PCAN_U32)
static lwai_status run_signal_pcan_u32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[4];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_PCAN_U32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_pcan_u32(&c, SIG_D(0), (const uint32_t *)data_of(g, n, 0), SIG_D(1),
                                (const uint32_t *)data_of(g, n, 1), SIG_D(2),
                                (const int16_t *)data_of(g, n, 2), SIG_D(3),
                                (uint32_t *)data_of(g, n, 3));
}
#endif

static SHARED const uint8_t dt_signal_window_s16[] = LWAI_SIGNAL_WINDOW_S16_DTYPES;
static SHARED const uint8_t dt_signal_fft_auto_scale_s16[] = LWAI_SIGNAL_FFT_AUTO_SCALE_S16_DTYPES;
static SHARED const uint8_t dt_signal_rfft_s16[] = LWAI_SIGNAL_RFFT_S16_DTYPES;
static SHARED const uint8_t dt_signal_rfft_s32[] = LWAI_SIGNAL_RFFT_S32_DTYPES;
static SHARED const uint8_t dt_signal_rfft_f32[] = LWAI_SIGNAL_RFFT_F32_DTYPES;
static SHARED const uint8_t dt_signal_energy_s16[] = LWAI_SIGNAL_ENERGY_S16_DTYPES;
static SHARED const uint8_t dt_signal_filter_bank_u32[] = LWAI_SIGNAL_FILTER_BANK_U32_DTYPES;
static SHARED const uint8_t dt_signal_filter_bank_sqrt_u64[] =
    LWAI_SIGNAL_FILTER_BANK_SQRT_U64_DTYPES;
static SHARED const uint8_t dt_signal_spectral_subtraction_u32[] =
    LWAI_SIGNAL_SPECTRAL_SUBTRACTION_U32_DTYPES;
static SHARED const uint8_t dt_signal_filter_bank_log_u32[] =
    LWAI_SIGNAL_FILTER_BANK_LOG_U32_DTYPES;
static SHARED const uint8_t dt_signal_pcan_u32[] = LWAI_SIGNAL_PCAN_U32_DTYPES;
static SHARED const char *const names_signal_window_s16[] = LWAI_SIGNAL_WINDOW_S16_NAMES;
static SHARED const char *const names_signal_fft_auto_scale_s16[] =
    LWAI_SIGNAL_FFT_AUTO_SCALE_S16_NAMES;
static SHARED const char *const names_signal_rfft_s16[] = LWAI_SIGNAL_RFFT_S16_NAMES;
static SHARED const char *const names_signal_rfft_s32[] = LWAI_SIGNAL_RFFT_S32_NAMES;
static SHARED const char *const names_signal_rfft_f32[] = LWAI_SIGNAL_RFFT_F32_NAMES;
static SHARED const char *const names_signal_energy_s16[] = LWAI_SIGNAL_ENERGY_S16_NAMES;
static SHARED const char *const names_signal_filter_bank_u32[] = LWAI_SIGNAL_FILTER_BANK_U32_NAMES;
static SHARED const char *const names_signal_filter_bank_sqrt_u64[] =
    LWAI_SIGNAL_FILTER_BANK_SQRT_U64_NAMES;
static SHARED const char *const names_signal_spectral_subtraction_u32[] =
    LWAI_SIGNAL_SPECTRAL_SUBTRACTION_U32_NAMES;
static SHARED const char *const names_signal_filter_bank_log_u32[] =
    LWAI_SIGNAL_FILTER_BANK_LOG_U32_NAMES;
static SHARED const char *const names_signal_pcan_u32[] = LWAI_SIGNAL_PCAN_U32_NAMES;

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_DELAY
/* The state (operand 1) holds delay_length (>= 1) samples per row. */
static lwai_status check_signal_delay_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims in;
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    memset(&c, 0, sizeof c);
    if (!LWAI_SIGNAL_DELAY_S16_IN_RANGE(n->params) || st == NULL) {
        return LWAI_ERR_BAD_MODEL;
    }
    LWAI_SIGNAL_DELAY_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    if (in.n < 1 || in.h < 1 || in.w < 1 || in.c < 1 ||
        (int64_t)in.n * in.h * in.w * 65536 > INT32_MAX ||
        (int64_t)lwai_signal_delay_s16_get_state_size(&c, &in) != (int64_t)st->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_signal_delay_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_DELAY_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_delay_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                 (int16_t *)data_of(g, n, 1), SIG_D(2),
                                 (int16_t *)data_of(g, n, 2));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_OVERLAP_ADD
/* The state (operand 1) holds one frame per row: input dims (rows, 1, frames, frame). */
static lwai_status check_overlap_add(const lwai_graph *g, const lwai_graph_node *n, int s16)
{
    lwai_dims in;
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    dims_of(n, 0, &in);
    if (!LWAI_SIGNAL_OVERLAP_ADD_S16_IN_RANGE(n->params) || st == NULL || in.n < 1 || in.h < 1 ||
        in.w < 1 || in.c < 1 || (int64_t)in.n * in.h * in.c > INT32_MAX / 8 ||
        (int64_t)(s16 ? lwai_signal_overlap_add_s16_get_state_size(&in)
                      : lwai_signal_overlap_add_f32_get_state_size(&in)) != (int64_t)st->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_signal_overlap_add_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_overlap_add(g, n, 1);
}

static lwai_status check_signal_overlap_add_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_overlap_add(g, n, 0);
}

static lwai_status run_signal_overlap_add_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_OVERLAP_ADD_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_overlap_add_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                       (int16_t *)data_of(g, n, 1), SIG_D(2),
                                       (int16_t *)data_of(g, n, 2));
}

static lwai_status run_signal_overlap_add_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_OVERLAP_ADD_F32_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_overlap_add_f32(&c, SIG_D(0), (const float *)data_of(g, n, 0), SIG_D(1),
                                       (float *)data_of(g, n, 1), SIG_D(2),
                                       (float *)data_of(g, n, 2));
}
#endif

#if defined(LWAI_KERNEL_IN_IMAGE_SIGNAL_DELAY) ||                                           \
    defined(LWAI_KERNEL_IN_IMAGE_SIGNAL_OVERLAP_ADD) ||                                         \
    defined(LWAI_KERNEL_IN_IMAGE_SIGNAL_FRAMER) || defined(LWAI_KERNEL_IN_IMAGE_SIGNAL_STACKER)
/* TFLM's Delay, OverlapAdd, Framer and Stacker resets: their state back to zeros (lwai's
 * layouts make zeros TFLM's reset value: Framer's fill is stored relative to its prefill). */
static lwai_status reset_signal_zero(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    memset(st->data, 0, st->bytes);
    return LWAI_OK;
}
#endif

static SHARED const uint8_t dt_signal_irfft_s16[] = LWAI_SIGNAL_IRFFT_S16_DTYPES;
static SHARED const uint8_t dt_signal_irfft_s32[] = LWAI_SIGNAL_IRFFT_S32_DTYPES;
static SHARED const uint8_t dt_signal_irfft_f32[] = LWAI_SIGNAL_IRFFT_F32_DTYPES;
static SHARED const char *const names_signal_irfft_s16[] = LWAI_SIGNAL_IRFFT_S16_NAMES;
static SHARED const char *const names_signal_irfft_s32[] = LWAI_SIGNAL_IRFFT_S32_NAMES;
static SHARED const char *const names_signal_irfft_f32[] = LWAI_SIGNAL_IRFFT_F32_NAMES;
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FRAMER
/* The state (operand 1): the FIFO of each row and its fill. */
static lwai_status check_signal_framer_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims in;
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    memset(&c, 0, sizeof c);
    if (!LWAI_SIGNAL_FRAMER_S16_IN_RANGE(n->params) || st == NULL) {
        return LWAI_ERR_BAD_MODEL;
    }
    LWAI_SIGNAL_FRAMER_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    if (c.frame_step < 1 || in.n < 1 || in.h < 1 || in.w < 1 || in.c < 1 ||
        (int64_t)in.n * in.h * in.w * 32768 > INT32_MAX / 2 ||
        (int64_t)lwai_signal_framer_s16_get_state_size(&c, &in) != (int64_t)st->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_signal_framer_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_FRAMER_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_framer_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                  (int16_t *)data_of(g, n, 1), SIG_D(2),
                                  (int16_t *)data_of(g, n, 2));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_STACKER
static lwai_status check_signal_stacker_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    memset(&c, 0, sizeof c);
    if (!LWAI_SIGNAL_STACKER_S16_IN_RANGE(n->params) || st == NULL) {
        return LWAI_ERR_BAD_MODEL;
    }
    LWAI_SIGNAL_STACKER_S16_UNPACK(&c, n->params, n->fparams);
    if ((int64_t)c.num_channels * (c.stacker_left_context + c.stacker_right_context + 1) >
            16384 ||
        (int64_t)lwai_signal_stacker_s16_get_state_size(&c) != (int64_t)st->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_signal_stacker_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_signal_params c;
    lwai_dims d[3];
    memset(&c, 0, sizeof c);
    LWAI_SIGNAL_STACKER_S16_UNPACK(&c, n->params, n->fparams);
    return lwai_signal_stacker_s16(&c, SIG_D(0), (const int16_t *)data_of(g, n, 0), SIG_D(1),
                                   (int16_t *)data_of(g, n, 1), SIG_D(2),
                                   (int16_t *)data_of(g, n, 2));
}
#endif

static SHARED const uint8_t dt_signal_delay_s16[] = LWAI_SIGNAL_DELAY_S16_DTYPES;
static SHARED const uint8_t dt_signal_overlap_add_s16[] = LWAI_SIGNAL_OVERLAP_ADD_S16_DTYPES;
static SHARED const uint8_t dt_signal_overlap_add_f32[] = LWAI_SIGNAL_OVERLAP_ADD_F32_DTYPES;
static SHARED const char *const names_signal_delay_s16[] = LWAI_SIGNAL_DELAY_S16_NAMES;
static SHARED const uint8_t dt_signal_framer_s16[] = LWAI_SIGNAL_FRAMER_S16_DTYPES;
static SHARED const uint8_t dt_signal_stacker_s16[] = LWAI_SIGNAL_STACKER_S16_DTYPES;
static SHARED const char *const names_signal_framer_s16[] = LWAI_SIGNAL_FRAMER_S16_NAMES;
static SHARED const char *const names_signal_stacker_s16[] = LWAI_SIGNAL_STACKER_S16_NAMES;
static SHARED const char *const names_signal_overlap_add_s16[] =
    LWAI_SIGNAL_OVERLAP_ADD_S16_NAMES;
static SHARED const char *const names_signal_overlap_add_f32[] =
    LWAI_SIGNAL_OVERLAP_ADD_F32_NAMES;

/* ---- the table ------------------------------------------------------------------------ */

/* Operand dtypes and parameter names of each kernel, from the op spec (kernel_params.h). */
static SHARED const uint8_t dt_conv2d_s8[] = LWAI_CONV2D_S8_DTYPES;
static SHARED const uint8_t dt_conv2d_f32[] = LWAI_CONV2D_F32_DTYPES;
static SHARED const uint8_t dt_depthwise_conv2d_s8[] = LWAI_DEPTHWISE_CONV2D_S8_DTYPES;
static SHARED const uint8_t dt_depthwise_conv2d_f32[] = LWAI_DEPTHWISE_CONV2D_F32_DTYPES;
static SHARED const uint8_t dt_fully_connected_s8[] = LWAI_FULLY_CONNECTED_S8_DTYPES;
static SHARED const uint8_t dt_fully_connected_f32[] = LWAI_FULLY_CONNECTED_F32_DTYPES;
static SHARED const uint8_t dt_avg_pool2d_s8[] = LWAI_AVG_POOL2D_S8_DTYPES;
static SHARED const uint8_t dt_avg_pool2d_f32[] = LWAI_AVG_POOL2D_F32_DTYPES;
static SHARED const uint8_t dt_max_pool2d_s8[] = LWAI_MAX_POOL2D_S8_DTYPES;
static SHARED const uint8_t dt_max_pool2d_f32[] = LWAI_MAX_POOL2D_F32_DTYPES;
static SHARED const uint8_t dt_add_s8[] = LWAI_ADD_S8_DTYPES;
static SHARED const uint8_t dt_add_f32[] = LWAI_ADD_F32_DTYPES;
static SHARED const uint8_t dt_mul_s8[] = LWAI_MUL_S8_DTYPES;
static SHARED const uint8_t dt_mul_f32[] = LWAI_MUL_F32_DTYPES;
static SHARED const uint8_t dt_sub_s8[] = LWAI_SUB_S8_DTYPES;
static SHARED const uint8_t dt_relu_s8[] = LWAI_RELU_S8_DTYPES;
static SHARED const uint8_t dt_hard_swish_s8[] = LWAI_HARD_SWISH_S8_DTYPES;
static SHARED const uint8_t dt_logistic_s8[] = LWAI_LOGISTIC_S8_DTYPES;
static SHARED const uint8_t dt_tanh_s8[] = LWAI_TANH_S8_DTYPES;
static SHARED const uint8_t dt_logistic_s16[] = LWAI_LOGISTIC_S16_DTYPES;
static SHARED const uint8_t dt_tanh_s16[] = LWAI_TANH_S16_DTYPES;
static SHARED const uint8_t dt_sub_f32[] = LWAI_SUB_F32_DTYPES;
static SHARED const uint8_t dt_softmax_s8[] = LWAI_SOFTMAX_S8_DTYPES;
static SHARED const uint8_t dt_softmax_f32[] = LWAI_SOFTMAX_F32_DTYPES;
static SHARED const uint8_t dt_quantize_f32_s8[] = LWAI_QUANTIZE_F32_S8_DTYPES;
static SHARED const uint8_t dt_quantize_f32_s16[] = LWAI_QUANTIZE_F32_S16_DTYPES;
static SHARED const uint8_t dt_quantize_s8_s8[] = LWAI_QUANTIZE_S8_S8_DTYPES;
static SHARED const uint8_t dt_dequantize_s8_f32[] = LWAI_DEQUANTIZE_S8_F32_DTYPES;
static SHARED const uint8_t dt_dequantize_s16_f32[] = LWAI_DEQUANTIZE_S16_F32_DTYPES;
static SHARED const uint8_t dt_reshape[] = LWAI_RESHAPE_DTYPES;
static SHARED const uint8_t dt_softmax_s8_s16[] = LWAI_SOFTMAX_S8_S16_DTYPES;
static SHARED const uint8_t dt_quantize_s16_s8[] = LWAI_QUANTIZE_S16_S8_DTYPES;
static SHARED const uint8_t dt_quantize_s16_s32[] = LWAI_QUANTIZE_S16_S32_DTYPES;
static SHARED const uint8_t dt_quantize_s8_s16[] = LWAI_QUANTIZE_S8_S16_DTYPES;
static SHARED const uint8_t dt_quantize_s16_s16[] = LWAI_QUANTIZE_S16_S16_DTYPES;
static SHARED const uint8_t dt_quantize_s8_s32[] = LWAI_QUANTIZE_S8_S32_DTYPES;
static SHARED const uint8_t dt_svdf_s8[] = LWAI_SVDF_S8_DTYPES;
static SHARED const uint8_t dt_svdf_state8_s8[] = LWAI_SVDF_STATE8_S8_DTYPES;
static SHARED const uint8_t dt_svdf_f32[] = LWAI_SVDF_F32_DTYPES;
static SHARED const uint8_t dt_lstm_s8[] = LWAI_LSTM_S8_DTYPES;
static SHARED const uint8_t dt_lstm_s16[] = LWAI_LSTM_S16_DTYPES;
static SHARED const uint8_t dt_lstm_f32[] = LWAI_LSTM_F32_DTYPES;
static SHARED const char *const names_conv2d_s8[] = LWAI_CONV2D_S8_NAMES;
static SHARED const char *const names_conv2d_f32[] = LWAI_CONV2D_F32_NAMES;
static SHARED const char *const names_depthwise_conv2d_s8[] = LWAI_DEPTHWISE_CONV2D_S8_NAMES;
static SHARED const char *const names_depthwise_conv2d_f32[] = LWAI_DEPTHWISE_CONV2D_F32_NAMES;
static SHARED const char *const names_fully_connected_s8[] = LWAI_FULLY_CONNECTED_S8_NAMES;
static SHARED const char *const names_fully_connected_f32[] = LWAI_FULLY_CONNECTED_F32_NAMES;
static SHARED const char *const names_avg_pool2d_s8[] = LWAI_AVG_POOL2D_S8_NAMES;
static SHARED const char *const names_avg_pool2d_f32[] = LWAI_AVG_POOL2D_F32_NAMES;
static SHARED const char *const names_max_pool2d_s8[] = LWAI_MAX_POOL2D_S8_NAMES;
static SHARED const char *const names_max_pool2d_f32[] = LWAI_MAX_POOL2D_F32_NAMES;
static SHARED const char *const names_add_s8[] = LWAI_ADD_S8_NAMES;
static SHARED const char *const names_add_f32[] = LWAI_ADD_F32_NAMES;
static SHARED const char *const names_mul_s8[] = LWAI_MUL_S8_NAMES;
static SHARED const char *const names_mul_f32[] = LWAI_MUL_F32_NAMES;
static SHARED const char *const names_sub_s8[] = LWAI_SUB_S8_NAMES;
static SHARED const char *const names_relu_s8[] = LWAI_RELU_S8_NAMES;
static SHARED const char *const names_hard_swish_s8[] = LWAI_HARD_SWISH_S8_NAMES;
static SHARED const char *const names_logistic_s8[] = LWAI_LOGISTIC_S8_NAMES;
static SHARED const char *const names_tanh_s8[] = LWAI_TANH_S8_NAMES;
static SHARED const char *const names_logistic_s16[] = LWAI_LOGISTIC_S16_NAMES;
static SHARED const char *const names_tanh_s16[] = LWAI_TANH_S16_NAMES;
static SHARED const char *const names_sub_f32[] = LWAI_SUB_F32_NAMES;
static SHARED const char *const names_softmax_s8[] = LWAI_SOFTMAX_S8_NAMES;
static SHARED const char *const names_softmax_f32[] = LWAI_SOFTMAX_F32_NAMES;
static SHARED const char *const names_quantize_f32_s8[] = LWAI_QUANTIZE_F32_S8_NAMES;
static SHARED const char *const names_quantize_f32_s16[] = LWAI_QUANTIZE_F32_S16_NAMES;
static SHARED const char *const names_quantize_s8_s8[] = LWAI_QUANTIZE_S8_S8_NAMES;
static SHARED const char *const names_dequantize_s8_f32[] = LWAI_DEQUANTIZE_S8_F32_NAMES;
static SHARED const char *const names_dequantize_s16_f32[] = LWAI_DEQUANTIZE_S16_F32_NAMES;
static SHARED const char *const names_reshape[] = LWAI_RESHAPE_NAMES;
static SHARED const char *const names_softmax_s8_s16[] = LWAI_SOFTMAX_S8_S16_NAMES;
static SHARED const char *const names_quantize_s16_s8[] = LWAI_QUANTIZE_S16_S8_NAMES;
static SHARED const char *const names_quantize_s16_s32[] = LWAI_QUANTIZE_S16_S32_NAMES;
static SHARED const char *const names_quantize_s8_s16[] = LWAI_QUANTIZE_S8_S16_NAMES;
static SHARED const char *const names_quantize_s16_s16[] = LWAI_QUANTIZE_S16_S16_NAMES;
static SHARED const char *const names_quantize_s8_s32[] = LWAI_QUANTIZE_S8_S32_NAMES;
static SHARED const char *const names_svdf_s8[] = LWAI_SVDF_S8_NAMES;
static SHARED const char *const names_svdf_state8_s8[] = LWAI_SVDF_STATE8_S8_NAMES;
static SHARED const char *const names_svdf_f32[] = LWAI_SVDF_F32_NAMES;
static SHARED const char *const names_lstm_s8[] = LWAI_LSTM_S8_NAMES;
static SHARED const char *const names_lstm_s16[] = LWAI_LSTM_S16_NAMES;
static SHARED const char *const names_lstm_f32[] = LWAI_LSTM_F32_NAMES;

/* ---- 16x8: int16 activations (zero point 0), int8 weights, int64 bias (s16.c) ---------- */
/* The 16x8 kernels' fast variants (CMSIS-NN), as the s8 ones above: LWAI_FAST_<KERNEL> set
 * by the build when the image holds the backend's file; the scratch is its
 * *_get_buffer_size after the node's check. */
#ifdef LWAI_FAST_CONV2D_S16
#define CONV2D_S16(...) FAST_FN(conv2d, LWAI_FAST_CONV2D_S16, s16)(FAST_CTX(g), __VA_ARGS__)
CONV_LIKE_SCRATCH(conv2d_s16, LWAI_CONV2D_S16, lwai_conv_s16_params,
                  FAST_FN(conv2d, LWAI_FAST_CONV2D_S16, s16_get_buffer_size))
#define SCRATCH_CONV2D_S16 scratch_conv2d_s16
#else
#define CONV2D_S16(...) lwai_conv2d_s16(__VA_ARGS__)
#define SCRATCH_CONV2D_S16 NULL
#endif
#ifdef LWAI_FAST_DEPTHWISE_CONV2D_S16
#define DEPTHWISE_CONV2D_S16(...)                                                             \
    FAST_FN(depthwise_conv2d, LWAI_FAST_DEPTHWISE_CONV2D_S16, s16)(FAST_CTX(g), __VA_ARGS__)
CONV_LIKE_SCRATCH(depthwise_conv2d_s16, LWAI_DEPTHWISE_CONV2D_S16, lwai_conv_s16_params,
                  FAST_FN(depthwise_conv2d, LWAI_FAST_DEPTHWISE_CONV2D_S16, s16_get_buffer_size))
#define SCRATCH_DEPTHWISE_CONV2D_S16 scratch_depthwise_conv2d_s16
#else
#define DEPTHWISE_CONV2D_S16(...) lwai_depthwise_conv2d_s16(__VA_ARGS__)
#define SCRATCH_DEPTHWISE_CONV2D_S16 NULL
#endif
#ifdef LWAI_FAST_FULLY_CONNECTED_S16 /* no scratch */
#define FULLY_CONNECTED_S16 FAST_FN(fully_connected, LWAI_FAST_FULLY_CONNECTED_S16, s16)
#else
#define FULLY_CONNECTED_S16 lwai_fully_connected_s16
#endif
#ifdef LWAI_FAST_AVG_POOL2D_S16
#define AVG_POOL2D_S16(...)                                                                   \
    FAST_FN(avg_pool2d, LWAI_FAST_AVG_POOL2D_S16, s16)(FAST_CTX(g), __VA_ARGS__)
static int32_t scratch_avg_pool2d_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_pool2d_s16_params c;
    lwai_dims in, out;
    (void)g;
    memset(&c, 0, sizeof c);
    LWAI_AVG_POOL2D_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LWAI_AVG_POOL2D_S16_T_INPUT, &in);
    dims_of(n, LWAI_AVG_POOL2D_S16_T_OUTPUT, &out);
    return FAST_FN(avg_pool2d, LWAI_FAST_AVG_POOL2D_S16, s16_get_buffer_size)(&c, &in, &out);
}
#define SCRATCH_AVG_POOL2D_S16 scratch_avg_pool2d_s16
#else
#define AVG_POOL2D_S16(...) lwai_avg_pool2d_s16(__VA_ARGS__)
#define SCRATCH_AVG_POOL2D_S16 NULL
#endif
#ifdef LWAI_FAST_MAX_POOL2D_S16
#define MAX_POOL2D_S16 FAST_FN(max_pool2d, LWAI_FAST_MAX_POOL2D_S16, s16)
#else
#define MAX_POOL2D_S16 lwai_max_pool2d_s16
#endif
#ifdef LWAI_FAST_ADD_S16
#define ADD_S16 FAST_FN(add, LWAI_FAST_ADD_S16, s16)
#else
#define ADD_S16 lwai_add_s16
#endif
#ifdef LWAI_FAST_MUL_S16
#define MUL_S16 FAST_FN(mul, LWAI_FAST_MUL_S16, s16)
#else
#define MUL_S16 lwai_mul_s16
#endif

#if defined(LWAI_KERNEL_IN_IMAGE_CONV2D) || defined(LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D) || \
    defined(LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED)
/* The 64-bit accumulator stays below 2^47 (TFLite's 64-bit rescale contract): taps terms of
 * |int16 * int8| <= 2^22 plus the (optional) bias; rescale shifts in [-31, 7]. */
static SHARED int s16_acc_ok(const lwai_graph *g, const lwai_graph_node *n, int64_t taps,
                             int32_t channels)
{
    const lwai_graph_tensor *b = tensor_of(g, n, 2u);
    const lwai_graph_tensor *s = tensor_of(g, n, 4u);
    const int64_t headroom = ((int64_t)1 << 47) - taps * ((int64_t)1 << 22);
    uint32_t i;
    if (taps > ((int64_t)1 << 24) || headroom <= 0 || !channel_quant_ok(g, n, 3u, channels)) {
        return 0;
    }
    for (i = 0; i < s->bytes / 4u; ++i) {
        if (((const int32_t *)s->data)[i] > 7) {
            return 0;
        }
    }
    if (b == NULL) {
        return 1;
    }
    if (!b->is_const) {
        return 0;
    }
    for (i = 0; i < b->bytes / 8u; ++i) {
        const int64_t v = ((const int64_t *)b->data)[i];
        if (v >= headroom || -v >= headroom) {
            return 0;
        }
    }
    return 1;
}

static SHARED lwai_status check_conv_s16(const lwai_graph *g, const lwai_graph_node *n,
                                         int depthwise, int32_t act_min, int32_t act_max)
{
    lwai_dims f, out;
    if (check_conv_like(g, n, depthwise, 5u) != LWAI_OK || act_min > act_max) {
        return LWAI_ERR_BAD_MODEL;
    }
    dims_of(n, 1, &f);
    dims_of(n, 5, &out);
    if (!s16_acc_ok(g, n, (int64_t)f.h * f.w * (depthwise ? 1 : f.c), out.c)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_CONV2D
static lwai_status check_conv2d_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_conv_s16(g, n, 0, n->params[LWAI_CONV2D_S16_P_ACT_MIN],
                          n->params[LWAI_CONV2D_S16_P_ACT_MAX]);
}

static lwai_status run_conv2d_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_conv_s16_params c;
    lwai_channel_quant q;
    lwai_dims d[6];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_CONV2D_S16_UNPACK(&c, n->params, n->fparams);
    channel_quant_of(g, n, LWAI_CONV2D_S16_T_MULT, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return CONV2D_S16(&c, &q, &d[0], (const int16_t *)data_of(g, n, 0), &d[1],
                      (const int8_t *)data_of(g, n, 1), &d[2],
                      (const int64_t *)data_of(g, n, 2), &d[5],
                      (int16_t *)data_of(g, n, LWAI_CONV2D_S16_T_OUTPUT));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D
static lwai_status check_depthwise_conv2d_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_conv_s16(g, n, 1, n->params[LWAI_DEPTHWISE_CONV2D_S16_P_ACT_MIN],
                          n->params[LWAI_DEPTHWISE_CONV2D_S16_P_ACT_MAX]);
}

static lwai_status run_depthwise_conv2d_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_conv_s16_params c;
    lwai_channel_quant q;
    lwai_dims d[6];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_DEPTHWISE_CONV2D_S16_UNPACK(&c, n->params, n->fparams);
    channel_quant_of(g, n, LWAI_DEPTHWISE_CONV2D_S16_T_MULT, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return DEPTHWISE_CONV2D_S16(&c, &q, &d[0], (const int16_t *)data_of(g, n, 0), &d[1],
                                (const int8_t *)data_of(g, n, 1), &d[2],
                                (const int64_t *)data_of(g, n, 2), &d[5],
                                (int16_t *)data_of(g, n, LWAI_DEPTHWISE_CONV2D_S16_T_OUTPUT));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED
static lwai_status check_fully_connected_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_dims f, out;
    dims_of(n, 1, &f);
    dims_of(n, 5, &out);
    if (n->params[LWAI_FULLY_CONNECTED_S16_P_ACT_MIN] >
            n->params[LWAI_FULLY_CONNECTED_S16_P_ACT_MAX] ||
        !s16_acc_ok(g, n, (int64_t)f.h * f.w * f.c, out.c)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_fully_connected_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_fully_connected_s16_params c;
    lwai_channel_quant q;
    lwai_dims d[6];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_FULLY_CONNECTED_S16_UNPACK(&c, n->params, n->fparams);
    channel_quant_of(g, n, LWAI_FULLY_CONNECTED_S16_T_MULT, &q);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return FULLY_CONNECTED_S16(&c, &q, &d[0], (const int16_t *)data_of(g, n, 0), &d[1],
                               (const int8_t *)data_of(g, n, 1), &d[2],
                               (const int64_t *)data_of(g, n, 2), &d[5],
                               (int16_t *)data_of(g, n, LWAI_FULLY_CONNECTED_S16_T_OUTPUT));
}
#endif

#if defined(LWAI_KERNEL_IN_IMAGE_AVG_POOL2D) || defined(LWAI_KERNEL_IN_IMAGE_MAX_POOL2D)
static lwai_status check_pool_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    /* int16 window sums stay in int32 for windows of at most 2^16 taps */
    if (check_pool(g, n, 0) != LWAI_OK || (int64_t)n->params[2] * n->params[3] > 65536 ||
        n->params[LWAI_AVG_POOL2D_S16_P_ACT_MIN] > n->params[LWAI_AVG_POOL2D_S16_P_ACT_MAX]) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_pool_s16(const lwai_graph *g, const lwai_graph_node *n, int average)
{
    lwai_pool2d_s16_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_AVG_POOL2D_S16_UNPACK(&c, n->params, n->fparams); /* max pool: the same layout */
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    if (average) {
        return AVG_POOL2D_S16(&c, &in, (const int16_t *)data_of(g, n, 0), &out,
                              (int16_t *)data_of(g, n, 1));
    }
    return MAX_POOL2D_S16(&c, &in, (const int16_t *)data_of(g, n, 0), &out,
                          (int16_t *)data_of(g, n, 1));
}
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_AVG_POOL2D
static lwai_status run_avg_pool2d_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_pool_s16(g, n, 1);
}
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MAX_POOL2D
static lwai_status run_max_pool2d_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_pool_s16(g, n, 0);
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_ADD
static lwai_status check_add_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    (void)g;
    /* the spec's ranges bound the shifts (left_shift <= 15, input shifts <= 0) */
    return n->params[LWAI_ADD_S16_P_ACT_MIN] > n->params[LWAI_ADD_S16_P_ACT_MAX]
               ? LWAI_ERR_BAD_MODEL
               : LWAI_OK;
}

static lwai_status run_add_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_add_s16_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_ADD_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return ADD_S16(&c, &a, (const int16_t *)data_of(g, n, 0), &b,
                   (const int16_t *)data_of(g, n, 1), &out, (int16_t *)data_of(g, n, 2));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_MUL
static lwai_status check_mul_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    (void)g;
    return n->params[LWAI_MUL_S16_P_ACT_MIN] > n->params[LWAI_MUL_S16_P_ACT_MAX]
               ? LWAI_ERR_BAD_MODEL
               : LWAI_OK;
}

static lwai_status run_mul_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_mul_s16_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_MUL_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return MUL_S16(&c, &a, (const int16_t *)data_of(g, n, 0), &b,
                   (const int16_t *)data_of(g, n, 1), &out, (int16_t *)data_of(g, n, 2));
}
#endif

static SHARED const uint8_t dt_conv2d_s16[] = LWAI_CONV2D_S16_DTYPES;
static SHARED const uint8_t dt_depthwise_conv2d_s16[] = LWAI_DEPTHWISE_CONV2D_S16_DTYPES;
static SHARED const uint8_t dt_fully_connected_s16[] = LWAI_FULLY_CONNECTED_S16_DTYPES;
static SHARED const uint8_t dt_avg_pool2d_s16[] = LWAI_AVG_POOL2D_S16_DTYPES;
static SHARED const uint8_t dt_max_pool2d_s16[] = LWAI_MAX_POOL2D_S16_DTYPES;
static SHARED const uint8_t dt_add_s16[] = LWAI_ADD_S16_DTYPES;
static SHARED const uint8_t dt_mul_s16[] = LWAI_MUL_S16_DTYPES;
static SHARED const char *const names_conv2d_s16[] = LWAI_CONV2D_S16_NAMES;
static SHARED const char *const names_depthwise_conv2d_s16[] = LWAI_DEPTHWISE_CONV2D_S16_NAMES;
static SHARED const char *const names_fully_connected_s16[] = LWAI_FULLY_CONNECTED_S16_NAMES;
static SHARED const char *const names_avg_pool2d_s16[] = LWAI_AVG_POOL2D_S16_NAMES;
static SHARED const char *const names_max_pool2d_s16[] = LWAI_MAX_POOL2D_S16_NAMES;
static SHARED const char *const names_add_s16[] = LWAI_ADD_S16_NAMES;
static SHARED const char *const names_mul_s16[] = LWAI_MUL_S16_NAMES;

/* ---- TRANSPOSE_CONV / BATCH_MATMUL (int8, int16) ----------------------------------------- */
#ifdef LWAI_KERNEL_IN_IMAGE_TRANSPOSE_CONV
/* Each output sums at most ceil(KH / sh) * ceil(KW / sw) * Cin terms: |(x + off) * w| <=
 * 2^15 (int8, int32 accumulator) or |x * w| <= 2^22 (int16, int64 below 2^47). */
static lwai_status check_transpose_conv(const lwai_graph *g, const lwai_graph_node *n, int s16)
{
    const int32_t *p = n->params;
    const lwai_graph_tensor *b = tensor_of(g, n, 2u);
    const lwai_graph_tensor *s = tensor_of(g, n, 4u);
    lwai_dims f, in, out;
    int64_t taps, headroom;
    uint32_t i;
    dims_of(n, 0, &in);
    dims_of(n, 1, &f);
    dims_of(n, 5, &out);
    if (!window_fits(in.h, p[0], f.h, 1) || !window_fits(in.w, p[1], f.w, 1) ||
        !channel_quant_ok(g, n, 3u, out.c)) {
        return LWAI_ERR_BAD_MODEL;
    }
    taps = (int64_t)((f.h + p[0] - 1) / p[0]) * ((f.w + p[1] - 1) / p[1]) * f.c;
    if (taps > ((int64_t)1 << 24)) {
        return LWAI_ERR_BAD_MODEL;
    }
    headroom = s16 ? ((int64_t)1 << 47) - taps * ((int64_t)1 << 22)
                   : (int64_t)0x7fffffff - taps * 32768;
    if (headroom <= 0 || (b != NULL && !b->is_const)) {
        return LWAI_ERR_BAD_MODEL;
    }
    for (i = 0; s16 && i < s->bytes / 4u; ++i) {
        if (((const int32_t *)s->data)[i] > 7) {
            return LWAI_ERR_BAD_MODEL;
        }
    }
    for (i = 0; b != NULL && i < b->bytes / (s16 ? 8u : 4u); ++i) {
        const int64_t v = s16 ? ((const int64_t *)b->data)[i] : ((const int32_t *)b->data)[i];
        if (v >= headroom || -v >= headroom) {
            return LWAI_ERR_BAD_MODEL;
        }
    }
    return LWAI_OK;
}

static lwai_status check_transpose_conv_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_transpose_conv(g, n, 0);
}

static lwai_status check_transpose_conv_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_transpose_conv(g, n, 1);
}

static lwai_status run_transpose_conv(const lwai_graph *g, const lwai_graph_node *n, int s16)
{
    lwai_transpose_conv_params c;
    lwai_channel_quant q;
    lwai_dims d[6];
    uint32_t j;
    memset(&c, 0, sizeof c);
    if (s16) {
        LWAI_TRANSPOSE_CONV_S16_UNPACK(&c, n->params, n->fparams);
    } else {
        LWAI_TRANSPOSE_CONV_S8_UNPACK(&c, n->params, n->fparams);
    }
    q.multiplier = (const int32_t *)data_of(g, n, 3u);
    q.shift = (const int32_t *)data_of(g, n, 4u);
    q.count = (int32_t)(tensor_of(g, n, 3u)->bytes / 4u);
    for (j = 0; j < 6u; ++j) {
        dims_of(n, j, &d[j]);
    }
    if (s16) {
        return lwai_transpose_conv_s16(&c, &q, &d[0], (const int16_t *)data_of(g, n, 0), &d[1],
                                       (const int8_t *)data_of(g, n, 1), &d[2],
                                       (const int64_t *)data_of(g, n, 2), &d[5],
                                       (int16_t *)data_of(g, n, 5));
    }
    return lwai_transpose_conv_s8(&c, &q, &d[0], (const int8_t *)data_of(g, n, 0), &d[1],
                                  (const int8_t *)data_of(g, n, 1), &d[2],
                                  (const int32_t *)data_of(g, n, 2), &d[5],
                                  (int8_t *)data_of(g, n, 5));
}

static lwai_status run_transpose_conv_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_transpose_conv(g, n, 0);
}

static lwai_status run_transpose_conv_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return run_transpose_conv(g, n, 1);
}

static lwai_status check_transpose_conv_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_dims f, in;
    (void)g;
    dims_of(n, 0, &in);
    dims_of(n, 1, &f);
    return window_fits(in.h, n->params[0], f.h, 1) && window_fits(in.w, n->params[1], f.w, 1)
               ? LWAI_OK
               : LWAI_ERR_BAD_MODEL;
}

static lwai_status run_transpose_conv_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_transpose_conv_params c;
    lwai_dims d[4];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_TRANSPOSE_CONV_F32_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_transpose_conv_f32(&c, &d[0], (const float *)data_of(g, n, 0), &d[1],
                                   (const float *)data_of(g, n, 1), &d[2],
                                   (const float *)data_of(g, n, 2), &d[3],
                                   (float *)data_of(g, n, 3));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_BATCH_MATMUL
/* The accumulator of a depth-K dot product: K * 2^16 < 2^31 (int8) or K * 2^30 < 2^47
 * (int16, whose rescale shift must also be <= 7). */
static lwai_status check_batch_matmul(const lwai_graph *g, const lwai_graph_node *n, int s16)
{
    lwai_dims x;
    const int32_t *p = n->params;
    int64_t depth;
    (void)g;
    dims_of(n, 0, &x);
    depth = p[0] ? x.w : x.c; /* adj_x */
    if (s16 ? (depth >= ((int64_t)1 << 17) || p[LWAI_BATCH_MATMUL_S16_P_OUTPUT_SHIFT] > 7)
            : depth * 65536 >= ((int64_t)1 << 31)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status check_batch_matmul_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_batch_matmul(g, n, 0);
}

static lwai_status check_batch_matmul_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    return check_batch_matmul(g, n, 1);
}

static lwai_status run_batch_matmul_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_batch_matmul_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_BATCH_MATMUL_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return lwai_batch_matmul_s8(&c, &a, (const int8_t *)data_of(g, n, 0), &b,
                                (const int8_t *)data_of(g, n, 1), &out,
                                (int8_t *)data_of(g, n, 2));
}

static lwai_status run_batch_matmul_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_batch_matmul_params c;
    lwai_dims a, b, out;
    memset(&c, 0, sizeof c);
    LWAI_BATCH_MATMUL_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &a);
    dims_of(n, 1, &b);
    dims_of(n, 2, &out);
    return lwai_batch_matmul_s16(&c, &a, (const int16_t *)data_of(g, n, 0), &b,
                                 (const int16_t *)data_of(g, n, 1), &out,
                                 (int16_t *)data_of(g, n, 2));
}
#endif

static SHARED const uint8_t dt_transpose_conv_s8[] = LWAI_TRANSPOSE_CONV_S8_DTYPES;
static SHARED const uint8_t dt_transpose_conv_s16[] = LWAI_TRANSPOSE_CONV_S16_DTYPES;
static SHARED const uint8_t dt_transpose_conv_f32[] = LWAI_TRANSPOSE_CONV_F32_DTYPES;
static SHARED const char *const names_transpose_conv_f32[] = LWAI_TRANSPOSE_CONV_F32_NAMES;
static SHARED const uint8_t dt_batch_matmul_s8[] = LWAI_BATCH_MATMUL_S8_DTYPES;
static SHARED const uint8_t dt_batch_matmul_s16[] = LWAI_BATCH_MATMUL_S16_DTYPES;
static SHARED const char *const names_transpose_conv_s8[] = LWAI_TRANSPOSE_CONV_S8_NAMES;
static SHARED const char *const names_transpose_conv_s16[] = LWAI_TRANSPOSE_CONV_S16_NAMES;
static SHARED const char *const names_batch_matmul_s8[] = LWAI_BATCH_MATMUL_S8_NAMES;
static SHARED const char *const names_batch_matmul_s16[] = LWAI_BATCH_MATMUL_S16_NAMES;

#ifdef LWAI_KERNEL_IN_IMAGE_SOFTMAX
static lwai_status check_softmax_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_dims in;
    (void)g;
    dims_of(n, 0, &in);
    /* the Q16.15 sum of exps stays below 2^31 for rows of fewer than 2^16 elements */
    return in.c < 65536 ? LWAI_OK : LWAI_ERR_BAD_MODEL;
}

static lwai_status run_softmax_s16(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_softmax_s16_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_SOFTMAX_S16_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    dims_of(n, 1, &out);
    return lwai_softmax_s16(&c, &in, (const int16_t *)data_of(g, n, 0), &out,
                            (int16_t *)data_of(g, n, 1));
}
#endif

static SHARED const uint8_t dt_softmax_s16[] = LWAI_SOFTMAX_S16_DTYPES;
static SHARED const char *const names_softmax_s16[] = LWAI_SOFTMAX_S16_NAMES;

/* ---- elementwise and binary quantized ops (lwai/frontend/elementwise.py) ------------------
 * The kernels check their own params (shift and offset ranges, modes) and return
 * LWAI_ERR_INVALID_ARG, so the rows need no check functions. One adapter per signature. */
#define EW_RUN_UNARY(name, MACRO, PT, TI, TO)                                                 \
    static lwai_status run_##name(const lwai_graph *g, const lwai_graph_node *n)             \
    {                                                                                         \
        PT c;                                                                                 \
        lwai_dims in, out;                                                                    \
        memset(&c, 0, sizeof c);                                                              \
        MACRO##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, 0, &in);                                                                   \
        dims_of(n, 1, &out);                                                                  \
        return lwai_##name(&c, &in, (const TI *)data_of(g, n, 0), &out,                       \
                           (TO *)data_of(g, n, 1));                                           \
    }
#define EW_RUN_BINARY(name, MACRO, PT, T1, T2, TO)                                            \
    static lwai_status run_##name(const lwai_graph *g, const lwai_graph_node *n)             \
    {                                                                                         \
        PT c;                                                                                 \
        lwai_dims a, b, out;                                                                  \
        memset(&c, 0, sizeof c);                                                              \
        MACRO##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, 0, &a);                                                                    \
        dims_of(n, 1, &b);                                                                    \
        dims_of(n, 2, &out);                                                                  \
        return lwai_##name(&c, &a, (const T1 *)data_of(g, n, 0), &b,                          \
                           (const T2 *)data_of(g, n, 1), &out, (TO *)data_of(g, n, 2));       \
    }
#define EW_TABLES(name, MACRO)                                                                \
    static SHARED const uint8_t dt_##name[] = MACRO##_DTYPES;                                 \
    static SHARED const char *const names_##name[] = MACRO##_NAMES;

#ifdef LWAI_KERNEL_IN_IMAGE_SUB
EW_RUN_BINARY(sub_s16, LWAI_SUB_S16, lwai_add_s16_params, int16_t, int16_t, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RELU
EW_RUN_UNARY(relu_s16, LWAI_RELU_S16, lwai_relu_s16_params, int16_t, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ABS
EW_RUN_UNARY(abs_s8, LWAI_ABS_S8, lwai_elementwise_params, int8_t, int8_t)
EW_RUN_UNARY(abs_s16, LWAI_ABS_S16, lwai_elementwise_params, int16_t, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LUT
EW_RUN_BINARY(lut_s8, LWAI_LUT_S8, lwai_elementwise_params, int8_t, int8_t, int8_t)
EW_RUN_UNARY(rsqrt_s16, LWAI_RSQRT_S16, lwai_elementwise_params, int16_t, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_PRELU
EW_RUN_BINARY(prelu_s8, LWAI_PRELU_S8, lwai_elementwise_params, int8_t, int8_t, int8_t)
EW_RUN_BINARY(prelu_s16, LWAI_PRELU_S16, lwai_elementwise_params, int16_t, int8_t, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SQUARED_DIFFERENCE
EW_RUN_BINARY(squared_difference_s8, LWAI_SQUARED_DIFFERENCE_S8, lwai_elementwise_params,
              int8_t, int8_t, int8_t)
EW_RUN_BINARY(squared_difference_s16, LWAI_SQUARED_DIFFERENCE_S16, lwai_elementwise_params,
              int16_t, int16_t, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DIV
EW_RUN_BINARY(div_s8, LWAI_DIV_S8, lwai_elementwise_params, int8_t, int8_t, int8_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MINMAX
EW_RUN_BINARY(minmax_s8, LWAI_MINMAX_S8, lwai_elementwise_params, int8_t, int8_t, int8_t)
EW_RUN_BINARY(minmax_s16, LWAI_MINMAX_S16, lwai_elementwise_params, int16_t, int16_t, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_COMPARE
EW_RUN_BINARY(compare_s8, LWAI_COMPARE_S8, lwai_elementwise_params, int8_t, int8_t, uint8_t)
#endif
EW_TABLES(sub_s16, LWAI_SUB_S16)
EW_TABLES(relu_s16, LWAI_RELU_S16)
EW_TABLES(abs_s8, LWAI_ABS_S8)
EW_TABLES(abs_s16, LWAI_ABS_S16)
EW_TABLES(lut_s8, LWAI_LUT_S8)
EW_TABLES(rsqrt_s16, LWAI_RSQRT_S16)
EW_TABLES(prelu_s8, LWAI_PRELU_S8)
EW_TABLES(prelu_s16, LWAI_PRELU_S16)
EW_TABLES(squared_difference_s8, LWAI_SQUARED_DIFFERENCE_S8)
EW_TABLES(squared_difference_s16, LWAI_SQUARED_DIFFERENCE_S16)
EW_TABLES(div_s8, LWAI_DIV_S8)
EW_TABLES(minmax_s8, LWAI_MINMAX_S8)
EW_TABLES(minmax_s16, LWAI_MINMAX_S16)
EW_TABLES(compare_s8, LWAI_COMPARE_S8)
EW_TABLES(add_n_s8, LWAI_ADD_N_S8)

#ifdef LWAI_KERNEL_IN_IMAGE_ADD_N
static lwai_status run_add_n_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_elementwise_params c;
    lwai_dims in[16], out;
    const void *ins[16];
    uint32_t j;
    if (n->num_inputs > 15u) { /* the kernel's limit (its int32 sum) */
        return LWAI_ERR_BAD_MODEL;
    }
    memset(&c, 0, sizeof c);
    LWAI_ADD_N_S8_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < n->num_inputs; ++j) {
        dims_of(n, j, &in[j]);
        ins[j] = data_of(g, n, j);
    }
    dims_of(n, n->num_inputs, &out);
    return lwai_add_n_s8(&c, n->num_inputs, in, ins, &out, data_of(g, n, n->num_inputs));
}
#endif

/* reductions, L2 norm, log softmax, resize bilinear (lwai/frontend/reduce_ops.py): one
 * input, one output, the kernels check their dims and params themselves. */
#define RD_RUN(name, MACRO, P, T)                                                             \
    static lwai_status run_##name(const lwai_graph *g, const lwai_graph_node *n)             \
    {                                                                                         \
        P c;                                                                                  \
        lwai_dims in, out;                                                                    \
        memset(&c, 0, sizeof c);                                                              \
        MACRO##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, 0, &in);                                                                   \
        dims_of(n, 1, &out);                                                                  \
        return lwai_##name(&c, &in, (const T *)data_of(g, n, 0), &out, (T *)data_of(g, n, 1)); \
    }                                                                                         \
    static SHARED const uint8_t dt_##name[] = MACRO##_DTYPES;                                 \
    static SHARED const char *const names_##name[] = MACRO##_NAMES;
#ifdef LWAI_KERNEL_IN_IMAGE_REDUCE
RD_RUN(reduce_sum_s8, LWAI_REDUCE_SUM_S8, lwai_reduce_params, int8_t)
RD_RUN(reduce_sum_s16, LWAI_REDUCE_SUM_S16, lwai_reduce_params, int16_t)
RD_RUN(reduce_max_s8, LWAI_REDUCE_MAX_S8, lwai_reduce_params, int8_t)
RD_RUN(reduce_min_s8, LWAI_REDUCE_MIN_S8, lwai_reduce_params, int8_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_L2NORM
RD_RUN(l2norm_s8, LWAI_L2NORM_S8, lwai_l2norm_params, int8_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LOG_SOFTMAX
RD_RUN(log_softmax_s8, LWAI_LOG_SOFTMAX_S8, lwai_log_softmax_params, int8_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RESIZE_BILINEAR
RD_RUN(resize_bilinear_s8, LWAI_RESIZE_BILINEAR_S8, lwai_resize_bilinear_params, int8_t)
#endif

/* ---- data movement and multi-output kernels (lwai/frontend/data_movement.py) ----------
 * split (SPLIT, SPLIT_V, UNPACK: variadic outputs), pack (PACK: variadic inputs), reverse,
 * broadcast_to, mirror_pad, batch_to_space, space_to_batch, resize_nearest, gather_nd. One
 * kernel per kind for every dtype: its data operands must share one dtype whose size is
 * params[0] (elem_bytes); the kernels' own *_shapes_ok checks the dims against the params. */
#define MOVE_MAX LWAI_GRAPH_MAX_OPERANDS

/* Data operands first..last (inclusive) share one dtype of elem_bytes bytes. */
static SHARED int move_dtypes_ok(const lwai_graph *g, const lwai_graph_node *n, uint32_t first,
                                 uint32_t last)
{
    const uint8_t dt = tensor_of(g, n, first)->dtype;
    uint32_t j;
    if (lwai_dtype_size(dt) != (uint32_t)n->params[0]) {
        return 0;
    }
    for (j = first; j <= last; ++j) {
        if (tensor_of(g, n, j)->dtype != dt) {
            return 0;
        }
    }
    return 1;
}

/* One-input, one-output kernels: operand 0 in, operand `out` the output. */
#define MOVE_1TO1(kind, MACRO)                                                    \
    static lwai_status check_##kind(const lwai_graph *g, const lwai_graph_node *n)           \
    {                                                                                         \
        lwai_move_params c;                                                                   \
        lwai_dims in, out;                                                                    \
        memset(&c, 0, sizeof c);                                                              \
        MACRO##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, 0, &in);                                                                   \
        dims_of(n, 1, &out);                                                                  \
        return move_dtypes_ok(g, n, 0u, 1u) && lwai_##kind##_shapes_ok(&c, &in, &out)        \
                   ? LWAI_OK                                                                  \
                   : LWAI_ERR_BAD_MODEL;                                                      \
    }                                                                                         \
    static lwai_status run_##kind(const lwai_graph *g, const lwai_graph_node *n)             \
    {                                                                                         \
        lwai_move_params c;                                                                   \
        lwai_dims in, out;                                                                    \
        memset(&c, 0, sizeof c);                                                              \
        MACRO##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, 0, &in);                                                                   \
        dims_of(n, 1, &out);                                                                  \
        return lwai_##kind(&c, &in, data_of(g, n, 0), &out, data_of(g, n, 1));               \
    }

#ifdef LWAI_KERNEL_IN_IMAGE_SPLIT
static lwai_status check_split(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in, out[MOVE_MAX];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_SPLIT_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    for (j = 0; j < n->num_outputs; ++j) {
        dims_of(n, 1u + j, &out[j]);
    }
    return move_dtypes_ok(g, n, 0u, n->num_outputs) &&
                   lwai_split_shapes_ok(&c, &in, n->num_outputs, out)
               ? LWAI_OK
               : LWAI_ERR_BAD_MODEL;
}

static lwai_status run_split(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in, out[MOVE_MAX];
    void *outs[MOVE_MAX];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_SPLIT_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    for (j = 0; j < n->num_outputs; ++j) {
        dims_of(n, 1u + j, &out[j]);
        outs[j] = data_of(g, n, 1u + j);
    }
    return lwai_split(&c, &in, data_of(g, n, 0), n->num_outputs, out, outs);
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_PACK
static lwai_status check_pack(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in[MOVE_MAX], out;
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_PACK_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < n->num_inputs; ++j) {
        dims_of(n, j, &in[j]);
    }
    dims_of(n, n->num_inputs, &out);
    return move_dtypes_ok(g, n, 0u, n->num_inputs) &&
                   lwai_pack_shapes_ok(&c, n->num_inputs, in, &out)
               ? LWAI_OK
               : LWAI_ERR_BAD_MODEL;
}

static lwai_status run_pack(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in[MOVE_MAX], out;
    const void *ins[MOVE_MAX];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_PACK_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < n->num_inputs; ++j) {
        dims_of(n, j, &in[j]);
        ins[j] = data_of(g, n, j);
    }
    dims_of(n, n->num_inputs, &out);
    return lwai_pack(&c, n->num_inputs, in, ins, &out, data_of(g, n, n->num_inputs));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_REVERSE
MOVE_1TO1(reverse, LWAI_REVERSE)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_BROADCAST_TO
MOVE_1TO1(broadcast_to, LWAI_BROADCAST_TO)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MIRROR_PAD
MOVE_1TO1(mirror_pad, LWAI_MIRROR_PAD)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_BATCH_TO_SPACE
MOVE_1TO1(batch_to_space, LWAI_BATCH_TO_SPACE)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SPACE_TO_BATCH
MOVE_1TO1(space_to_batch, LWAI_SPACE_TO_BATCH)
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_RESIZE_NEAREST
/* rows and cols: constant tables whose every entry lies inside the input. */
static int table_inside(const lwai_graph *g, const lwai_graph_node *n, uint32_t j, int32_t size)
{
    const lwai_graph_tensor *t = tensor_of(g, n, j);
    const int32_t *v = (const int32_t *)t->data;
    uint32_t i;
    if (!t->is_const) {
        return 0;
    }
    for (i = 0; i < t->bytes / 4u; ++i) {
        if (v[i] < 0 || v[i] >= size) {
            return 0;
        }
    }
    return 1;
}

static lwai_status check_resize_nearest(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in, rows, cols, out;
    memset(&c, 0, sizeof c);
    LWAI_RESIZE_NEAREST_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    dims_of(n, 1, &rows);
    dims_of(n, 2, &cols);
    dims_of(n, 3, &out);
    if (tensor_of(g, n, 0)->dtype != tensor_of(g, n, 3)->dtype ||
        lwai_dtype_size(tensor_of(g, n, 0)->dtype) != (uint32_t)c.elem_bytes ||
        !lwai_resize_nearest_shapes_ok(&c, &in, &rows, &cols, &out) ||
        !table_inside(g, n, 1u, in.h) || !table_inside(g, n, 2u, in.w)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_resize_nearest(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in, rows, cols, out;
    memset(&c, 0, sizeof c);
    LWAI_RESIZE_NEAREST_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    dims_of(n, 1, &rows);
    dims_of(n, 2, &cols);
    dims_of(n, 3, &out);
    return lwai_resize_nearest(&c, &in, data_of(g, n, 0), &rows,
                               (const int32_t *)data_of(g, n, 1), &cols,
                               (const int32_t *)data_of(g, n, 2), &out, data_of(g, n, 3));
}
#endif

#ifdef LWAI_KERNEL_IN_IMAGE_GATHER_ND
static lwai_status check_gather_nd(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in, idx, out;
    memset(&c, 0, sizeof c);
    LWAI_GATHER_ND_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    dims_of(n, 1, &idx);
    dims_of(n, 2, &out);
    if (tensor_of(g, n, 0)->dtype != tensor_of(g, n, 2)->dtype ||
        lwai_dtype_size(tensor_of(g, n, 0)->dtype) != (uint32_t)c.elem_bytes ||
        !lwai_gather_nd_shapes_ok(&c, &in, &idx, &out)) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK; /* indices are data: the kernel checks each at run time */
}

static lwai_status run_gather_nd(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims in, idx, out;
    memset(&c, 0, sizeof c);
    LWAI_GATHER_ND_UNPACK(&c, n->params, n->fparams);
    dims_of(n, 0, &in);
    dims_of(n, 1, &idx);
    dims_of(n, 2, &out);
    return lwai_gather_nd(&c, &in, data_of(g, n, 0), &idx, (const int32_t *)data_of(g, n, 1),
                          &out, data_of(g, n, 2));
}
#endif

static SHARED const uint8_t dt_split[] = LWAI_SPLIT_DTYPES;
static SHARED const uint8_t dt_pack[] = LWAI_PACK_DTYPES;
static SHARED const uint8_t dt_reverse[] = LWAI_REVERSE_DTYPES;
static SHARED const uint8_t dt_broadcast_to[] = LWAI_BROADCAST_TO_DTYPES;
static SHARED const uint8_t dt_mirror_pad[] = LWAI_MIRROR_PAD_DTYPES;
static SHARED const uint8_t dt_batch_to_space[] = LWAI_BATCH_TO_SPACE_DTYPES;
static SHARED const uint8_t dt_space_to_batch[] = LWAI_SPACE_TO_BATCH_DTYPES;
static SHARED const uint8_t dt_resize_nearest[] = LWAI_RESIZE_NEAREST_DTYPES;
static SHARED const uint8_t dt_gather_nd[] = LWAI_GATHER_ND_DTYPES;
static SHARED const char *const names_split[] = LWAI_SPLIT_NAMES;
static SHARED const char *const names_pack[] = LWAI_PACK_NAMES;
static SHARED const char *const names_reverse[] = LWAI_REVERSE_NAMES;
static SHARED const char *const names_broadcast_to[] = LWAI_BROADCAST_TO_NAMES;
static SHARED const char *const names_mirror_pad[] = LWAI_MIRROR_PAD_NAMES;
static SHARED const char *const names_batch_to_space[] = LWAI_BATCH_TO_SPACE_NAMES;
static SHARED const char *const names_space_to_batch[] = LWAI_SPACE_TO_BATCH_NAMES;
static SHARED const char *const names_resize_nearest[] = LWAI_RESIZE_NEAREST_NAMES;
static SHARED const char *const names_gather_nd[] = LWAI_GATHER_ND_NAMES;

/* A data movement kernel's row: no scratch, no state, its variadic operands. */
#define KERNEL_MOVE(name, macro, check, run)                                                 \
    {#name, macro##_INPUTS, 1, macro##_PARAMS, macro##_FPARAMS, macro##_OPTIONAL, dt_##name,  \
     NAMES(names_##name), check, run, NULL, macro##_STATE, NULL, (uint8_t)macro##_VARIADIC}

/* One table row per kernel: its layout from the spec, its checks and adapter from above. */
#define KERNEL(name, macro, check, run, scratch)                                             \
    {#name, macro##_INPUTS, 1, macro##_PARAMS, macro##_FPARAMS, macro##_OPTIONAL, dt_##name,  \
     NAMES(names_##name), check, run, scratch, macro##_STATE, NULL, 0u}
/* A stateful kernel's row: its state operands (from the spec) and its reset function. */
#define KERNEL_STATEFUL(name, macro, check, run, scratch, reset)                             \
    {#name, macro##_INPUTS, 1, macro##_PARAMS, macro##_FPARAMS, macro##_OPTIONAL, dt_##name,  \
     NAMES(names_##name), check, run, scratch, macro##_STATE, reset, 0u}

/* ---- CAST / QUANTIZE pairs, SELECT_V2, CUMSUM int8 (lwai/frontend/cast_ops.py) -----------
 * The kernels check their dims and params themselves (LWAI_ERR_INVALID_ARG). */
#ifdef LWAI_KERNEL_IN_IMAGE_CAST
EW_RUN_UNARY(cast_s8_f32, LWAI_CAST_S8_F32, lwai_elementwise_params, int8_t, float)
EW_RUN_UNARY(cast_s8_b, LWAI_CAST_S8_B, lwai_elementwise_params, int8_t, uint8_t)
EW_RUN_UNARY(cast_s16_f32, LWAI_CAST_S16_F32, lwai_elementwise_params, int16_t, float)
EW_RUN_UNARY(cast_s16_s8, LWAI_CAST_S16_S8, lwai_elementwise_params, int16_t, int8_t)
EW_RUN_UNARY(cast_s16_b, LWAI_CAST_S16_B, lwai_elementwise_params, int16_t, uint8_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE_EXT
EW_RUN_UNARY(quantize_s32_s8, LWAI_QUANTIZE_S32_S8, lwai_quantize_params, int32_t, int8_t)
EW_RUN_UNARY(quantize_s32_s16, LWAI_QUANTIZE_S32_S16, lwai_quantize_params, int32_t, int16_t)
EW_RUN_UNARY(quantize_s8_u8, LWAI_QUANTIZE_S8_U8, lwai_quantize_params, int8_t, uint8_t)
EW_RUN_UNARY(quantize_u8_s8, LWAI_QUANTIZE_U8_S8, lwai_quantize_params, uint8_t, int8_t)
EW_RUN_UNARY(dequantize_u8_f32, LWAI_DEQUANTIZE_U8_F32, lwai_dequantize_params, uint8_t, float)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SELECT
#define SELECT_RUN(name, MACRO, T)                                                            \
    static lwai_status run_##name(const lwai_graph *g, const lwai_graph_node *n)             \
    {                                                                                         \
        lwai_elementwise_params c;                                                            \
        lwai_dims dc, dx, dy, out;                                                            \
        memset(&c, 0, sizeof c);                                                              \
        MACRO##_UNPACK(&c, n->params, n->fparams);                                            \
        dims_of(n, 0, &dc);                                                                   \
        dims_of(n, 1, &dx);                                                                   \
        dims_of(n, 2, &dy);                                                                   \
        dims_of(n, 3, &out);                                                                  \
        return lwai_##name(&c, &dc, (const uint8_t *)data_of(g, n, 0), &dx,                   \
                           (const T *)data_of(g, n, 1), &dy, (const T *)data_of(g, n, 2),     \
                           &out, (T *)data_of(g, n, 3));                                      \
    }
SELECT_RUN(select_s8, LWAI_SELECT_S8, int8_t)
SELECT_RUN(select_s16, LWAI_SELECT_S16, int16_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_CUMSUM
EW_RUN_UNARY(cumsum_s8, LWAI_CUMSUM_S8, lwai_cumsum_params, int8_t, int8_t)
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ZEROS_LIKE
static lwai_status check_zeros_like(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *out = tensor_of(g, n, 1);
    if (n->params[0] < 0 || (uint32_t)n->params[0] != out->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_zeros_like(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_reshape_params c;
    LWAI_ZEROS_LIKE_UNPACK(&c, n->params, n->fparams);
    return lwai_zeros_like(&c, data_of(g, n, 0), data_of(g, n, 1));
}
#endif
static SHARED const uint8_t dt_zeros_like[] = LWAI_ZEROS_LIKE_DTYPES;
static SHARED const char *const names_zeros_like[] = LWAI_ZEROS_LIKE_NAMES;
EW_TABLES(cast_s8_f32, LWAI_CAST_S8_F32)
EW_TABLES(cast_s8_b, LWAI_CAST_S8_B)
EW_TABLES(cast_s16_f32, LWAI_CAST_S16_F32)
EW_TABLES(cast_s16_s8, LWAI_CAST_S16_S8)
EW_TABLES(cast_s16_b, LWAI_CAST_S16_B)
EW_TABLES(quantize_s32_s8, LWAI_QUANTIZE_S32_S8)
EW_TABLES(quantize_s32_s16, LWAI_QUANTIZE_S32_S16)
EW_TABLES(quantize_s8_u8, LWAI_QUANTIZE_S8_U8)
EW_TABLES(quantize_u8_s8, LWAI_QUANTIZE_U8_S8)
EW_TABLES(dequantize_u8_f32, LWAI_DEQUANTIZE_U8_F32)
EW_TABLES(select_s8, LWAI_SELECT_S8)
EW_TABLES(select_s16, LWAI_SELECT_S16)
EW_TABLES(cumsum_s8, LWAI_CUMSUM_S8)

/* ---- TFLM custom ops TFLite_Detection_PostProcess, CIRCULAR_BUFFER
 * (lwai/frontend/detection_ops.py). The kernels check their dims themselves. */
#ifdef LWAI_KERNEL_IN_IMAGE_DETECTION_POSTPROCESS
static lwai_status check_detection_postprocess_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    (void)g;
    return LWAI_DETECTION_POSTPROCESS_F32_IN_RANGE(n->params) ? LWAI_OK : LWAI_ERR_BAD_MODEL;
}

static lwai_status run_detection_postprocess_f32(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_detection_postprocess_params c;
    lwai_dims d[4];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_DETECTION_POSTPROCESS_F32_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < 4u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_detection_postprocess_f32(&c, &d[0], (const float *)data_of(g, n, 0), &d[1],
                                          (const float *)data_of(g, n, 1), &d[2],
                                          (const float *)data_of(g, n, 2), &d[3],
                                          (float *)data_of(g, n, 3));
}
#endif
static SHARED const uint8_t dt_detection_postprocess_f32[] = LWAI_DETECTION_POSTPROCESS_F32_DTYPES;
static SHARED const char *const names_detection_postprocess_f32[] =
    LWAI_DETECTION_POSTPROCESS_F32_NAMES;

#ifdef LWAI_KERNEL_IN_IMAGE_CIRCULAR_BUFFER
/* The state (operand 1) is the output's size: num_slots frames of the input's. */
static lwai_status check_circular_buffer_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    const lwai_graph_tensor *out = tensor_of(g, n, 2);
    if (!LWAI_CIRCULAR_BUFFER_S8_IN_RANGE(n->params) || n->params[0] != 1 || st == NULL ||
        out == NULL || st->bytes != out->bytes) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_circular_buffer_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_move_params c;
    lwai_dims d[3];
    uint32_t j;
    memset(&c, 0, sizeof c);
    LWAI_CIRCULAR_BUFFER_S8_UNPACK(&c, n->params, n->fparams);
    for (j = 0; j < 3u; ++j) {
        dims_of(n, j, &d[j]);
    }
    return lwai_circular_buffer_s8(&c, &d[0], (const int8_t *)data_of(g, n, 0), &d[1],
                                   (int8_t *)data_of(g, n, 1), &d[2], (int8_t *)data_of(g, n, 2));
}

/* TFLM's ResetVariableTensors: the int8 buffer back to its zero point (params[1]). */
static lwai_status reset_circular_buffer(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    memset(st->data, (int)(n->params[1] & 0xff), st->bytes);
    return LWAI_OK;
}
#endif
static SHARED const uint8_t dt_circular_buffer_s8[] = LWAI_CIRCULAR_BUFFER_S8_DTYPES;
static SHARED const char *const names_circular_buffer_s8[] = LWAI_CIRCULAR_BUFFER_S8_NAMES;
#ifdef LWAI_KERNEL_IN_IMAGE_VARIABLE
/* A resource variable (lwai/frontend/variables.py): init and state of params[0] bytes each,
 * the output the state tensor itself (so nothing else can be planned into it). */
static lwai_status check_variable(const lwai_graph *g, const lwai_graph_node *n)
{
    const lwai_graph_tensor *init = tensor_of(g, n, 0);
    const lwai_graph_tensor *st = tensor_of(g, n, 1);
    const lwai_graph_tensor *out = tensor_of(g, n, 2);
    if (init == NULL || st == NULL || out == NULL) { /* optional (-1) operands: hostile */
        return LWAI_ERR_BAD_MODEL;
    }
    if (n->params[0] < 1 || (uint32_t)n->params[0] != st->bytes || init->bytes != st->bytes ||
        out != st || init->dtype != st->dtype || init == st) {
        return LWAI_ERR_BAD_MODEL;
    }
    return LWAI_OK;
}

static lwai_status run_variable(const lwai_graph *g, const lwai_graph_node *n)
{
    (void)g;
    (void)n;
    return LWAI_OK; /* the reads and writes are their own (reshape) nodes */
}

static lwai_status reset_variable(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_reshape_params c;
    LWAI_VARIABLE_UNPACK(&c, n->params, n->fparams);
    return lwai_variable(&c, data_of(g, n, 0), data_of(g, n, 1));
}
#endif
static SHARED const uint8_t dt_variable[] = LWAI_VARIABLE_DTYPES;
static SHARED const char *const names_variable[] = LWAI_VARIABLE_NAMES;

static const lwai_graph_kernel kernels[] = {
#ifdef LWAI_KERNEL_IN_IMAGE_CONV2D
    KERNEL(conv2d_s8, LWAI_CONV2D_S8, check_conv2d_s8, run_conv2d_s8, SCRATCH_CONV2D_S8),
    KERNEL(conv2d_f32, LWAI_CONV2D_F32, check_conv2d_f32, run_conv2d_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D
    KERNEL(depthwise_conv2d_s8, LWAI_DEPTHWISE_CONV2D_S8,
           check_depthwise_conv2d_s8, run_depthwise_conv2d_s8, SCRATCH_DEPTHWISE_CONV2D_S8),
    KERNEL(depthwise_conv2d_f32, LWAI_DEPTHWISE_CONV2D_F32,
           check_depthwise_conv2d_f32, run_depthwise_conv2d_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED
    KERNEL(fully_connected_s8, LWAI_FULLY_CONNECTED_S8,
           check_fully_connected_s8, run_fully_connected_s8, SCRATCH_FULLY_CONNECTED_S8),
    KERNEL(fully_connected_f32, LWAI_FULLY_CONNECTED_F32, NULL, run_fully_connected_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_AVG_POOL2D
    KERNEL(avg_pool2d_s8, LWAI_AVG_POOL2D_S8,
           check_pool_s8, run_avg_pool2d_s8, SCRATCH_AVG_POOL2D_S8),
    KERNEL(avg_pool2d_f32, LWAI_AVG_POOL2D_F32, check_pool_f32, run_avg_pool2d_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MAX_POOL2D
    KERNEL(max_pool2d_s8, LWAI_MAX_POOL2D_S8, check_pool_s8, run_max_pool2d_s8, NULL),
    KERNEL(max_pool2d_f32, LWAI_MAX_POOL2D_F32, check_pool_f32, run_max_pool2d_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ADD
    KERNEL(add_s8, LWAI_ADD_S8, check_add_s8, run_add_s8, NULL),
    KERNEL(add_f32, LWAI_ADD_F32, NULL, run_add_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MUL
    KERNEL(mul_s8, LWAI_MUL_S8, check_mul_s8, run_mul_s8, NULL),
    KERNEL(mul_f32, LWAI_MUL_F32, NULL, run_mul_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SUB
    KERNEL(sub_s8, LWAI_SUB_S8, check_sub_s8, run_sub_s8, NULL),
    KERNEL(sub_f32, LWAI_SUB_F32, NULL, run_sub_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RELU
    KERNEL(relu_s8, LWAI_RELU_S8, check_relu_s8, run_relu_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_HARD_SWISH
    KERNEL(hard_swish_s8, LWAI_HARD_SWISH_S8, check_hard_swish_s8, run_hard_swish_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LOGISTIC
    KERNEL(logistic_s8, LWAI_LOGISTIC_S8, check_sigmoid_s8, run_logistic_s8, NULL),
    KERNEL(logistic_s16, LWAI_LOGISTIC_S16, check_sigmoid_s16, run_logistic_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_TANH
    KERNEL(tanh_s8, LWAI_TANH_S8, check_sigmoid_s8, run_tanh_s8, NULL),
    KERNEL(tanh_s16, LWAI_TANH_S16, check_sigmoid_s16, run_tanh_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SOFTMAX
    KERNEL(softmax_s8, LWAI_SOFTMAX_S8, check_softmax_s8, run_softmax_s8, NULL),
    KERNEL(softmax_f32, LWAI_SOFTMAX_F32, NULL, run_softmax_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE
    KERNEL(quantize_f32_s8, LWAI_QUANTIZE_F32_S8, check_quantize_f32_s8, run_quantize_f32_s8, NULL),
    KERNEL(quantize_f32_s16, LWAI_QUANTIZE_F32_S16,
           check_quantize_f32_s16, run_quantize_f32_s16, NULL),
    KERNEL(quantize_s8_s8, LWAI_QUANTIZE_S8_S8, check_quantize_s8_s8, run_quantize_s8_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DEQUANTIZE
    KERNEL(dequantize_s8_f32, LWAI_DEQUANTIZE_S8_F32,
           check_dequantize, run_dequantize_s8_f32, NULL),
    KERNEL(dequantize_s16_f32, LWAI_DEQUANTIZE_S16_F32,
           check_dequantize, run_dequantize_s16_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RESHAPE
    KERNEL(reshape, LWAI_RESHAPE, check_reshape, run_reshape, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SOFTMAX
    KERNEL(softmax_s8_s16, LWAI_SOFTMAX_S8_S16, check_softmax_s8, run_softmax_s8_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE
    KERNEL(quantize_s16_s8, LWAI_QUANTIZE_S16_S8, check_quantize_s16_s8, run_quantize_s16_s8,
           NULL),
    KERNEL(quantize_s16_s32, LWAI_QUANTIZE_S16_S32, check_quantize_s16_s32,
           run_quantize_s16_s32, NULL),
    KERNEL(quantize_s8_s16, LWAI_QUANTIZE_S8_S16, check_requant16, run_quantize_s8_s16, NULL),
    KERNEL(quantize_s16_s16, LWAI_QUANTIZE_S16_S16, check_requant16, run_quantize_s16_s16, NULL),
    KERNEL(quantize_s8_s32, LWAI_QUANTIZE_S8_S32, check_requant16, run_quantize_s8_s32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SVDF
    KERNEL_STATEFUL(svdf_s8, LWAI_SVDF_S8, check_svdf_s8, run_svdf_s8, SCRATCH_SVDF_S8,
                    reset_svdf),
    KERNEL_STATEFUL(svdf_state8_s8, LWAI_SVDF_STATE8_S8, check_svdf_state8_s8,
                    run_svdf_state8_s8, NULL, reset_svdf),
    KERNEL_STATEFUL(svdf_f32, LWAI_SVDF_F32, check_svdf_f32, run_svdf_f32, NULL, reset_svdf),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LSTM
    KERNEL_STATEFUL(lstm_s8, LWAI_LSTM_S8, check_lstm_s8, run_lstm_s8, SCRATCH_LSTM_S8,
                    reset_lstm),
    KERNEL_STATEFUL(lstm_s16, LWAI_LSTM_S16, check_lstm_s16, run_lstm_s16, SCRATCH_LSTM_S16,
                    reset_lstm),
    KERNEL_STATEFUL(lstm_f32, LWAI_LSTM_F32, check_lstm_f32, run_lstm_f32, NULL, reset_lstm),
#endif
/* 16x8 kernels (kernels/reference/s16.c) */
#ifdef LWAI_KERNEL_IN_IMAGE_CONV2D
    KERNEL(conv2d_s16, LWAI_CONV2D_S16, check_conv2d_s16, run_conv2d_s16, SCRATCH_CONV2D_S16),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D
    KERNEL(depthwise_conv2d_s16, LWAI_DEPTHWISE_CONV2D_S16, check_depthwise_conv2d_s16,
           run_depthwise_conv2d_s16, SCRATCH_DEPTHWISE_CONV2D_S16),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED
    KERNEL(fully_connected_s16, LWAI_FULLY_CONNECTED_S16, check_fully_connected_s16,
           run_fully_connected_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_AVG_POOL2D
    KERNEL(avg_pool2d_s16, LWAI_AVG_POOL2D_S16, check_pool_s16, run_avg_pool2d_s16,
           SCRATCH_AVG_POOL2D_S16),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MAX_POOL2D
    KERNEL(max_pool2d_s16, LWAI_MAX_POOL2D_S16, check_pool_s16, run_max_pool2d_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ADD
    KERNEL(add_s16, LWAI_ADD_S16, check_add_s16, run_add_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MUL
    KERNEL(mul_s16, LWAI_MUL_S16, check_mul_s16, run_mul_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_TRANSPOSE_CONV
    KERNEL(transpose_conv_s8, LWAI_TRANSPOSE_CONV_S8, check_transpose_conv_s8,
           run_transpose_conv_s8, NULL),
    KERNEL(transpose_conv_s16, LWAI_TRANSPOSE_CONV_S16, check_transpose_conv_s16,
           run_transpose_conv_s16, NULL),
    KERNEL(transpose_conv_f32, LWAI_TRANSPOSE_CONV_F32, check_transpose_conv_f32,
           run_transpose_conv_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_BATCH_MATMUL
    KERNEL(batch_matmul_s8, LWAI_BATCH_MATMUL_S8, check_batch_matmul_s8, run_batch_matmul_s8,
           NULL),
    KERNEL(batch_matmul_s16, LWAI_BATCH_MATMUL_S16, check_batch_matmul_s16,
           run_batch_matmul_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SOFTMAX
    KERNEL(softmax_s16, LWAI_SOFTMAX_S16, check_softmax_s16, run_softmax_s16, NULL),
#endif
/* elementwise and binary quantized ops (lwai/frontend/elementwise.py) */
#ifdef LWAI_KERNEL_IN_IMAGE_SUB
    KERNEL(sub_s16, LWAI_SUB_S16, NULL, run_sub_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RELU
    KERNEL(relu_s16, LWAI_RELU_S16, NULL, run_relu_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ABS
    KERNEL(abs_s8, LWAI_ABS_S8, NULL, run_abs_s8, NULL),
    KERNEL(abs_s16, LWAI_ABS_S16, NULL, run_abs_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LUT
    KERNEL(lut_s8, LWAI_LUT_S8, NULL, run_lut_s8, NULL),
    KERNEL(rsqrt_s16, LWAI_RSQRT_S16, NULL, run_rsqrt_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_PRELU
    KERNEL(prelu_s8, LWAI_PRELU_S8, NULL, run_prelu_s8, NULL),
    KERNEL(prelu_s16, LWAI_PRELU_S16, NULL, run_prelu_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SQUARED_DIFFERENCE
    KERNEL(squared_difference_s8, LWAI_SQUARED_DIFFERENCE_S8, NULL, run_squared_difference_s8,
           NULL),
    KERNEL(squared_difference_s16, LWAI_SQUARED_DIFFERENCE_S16, NULL,
           run_squared_difference_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DIV
    KERNEL(div_s8, LWAI_DIV_S8, NULL, run_div_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MINMAX
    KERNEL(minmax_s8, LWAI_MINMAX_S8, NULL, run_minmax_s8, NULL),
    KERNEL(minmax_s16, LWAI_MINMAX_S16, NULL, run_minmax_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_COMPARE
    KERNEL(compare_s8, LWAI_COMPARE_S8, NULL, run_compare_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ADD_N
    KERNEL_MOVE(add_n_s8, LWAI_ADD_N_S8, NULL, run_add_n_s8),
#endif
/* reductions, L2 norm, log softmax, resize bilinear (lwai/frontend/reduce_ops.py) */
#ifdef LWAI_KERNEL_IN_IMAGE_REDUCE
    KERNEL(reduce_sum_s8, LWAI_REDUCE_SUM_S8, NULL, run_reduce_sum_s8, NULL),
    KERNEL(reduce_sum_s16, LWAI_REDUCE_SUM_S16, NULL, run_reduce_sum_s16, NULL),
    KERNEL(reduce_max_s8, LWAI_REDUCE_MAX_S8, NULL, run_reduce_max_s8, NULL),
    KERNEL(reduce_min_s8, LWAI_REDUCE_MIN_S8, NULL, run_reduce_min_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_L2NORM
    KERNEL(l2norm_s8, LWAI_L2NORM_S8, NULL, run_l2norm_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_LOG_SOFTMAX
    KERNEL(log_softmax_s8, LWAI_LOG_SOFTMAX_S8, NULL, run_log_softmax_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RESIZE_BILINEAR
    KERNEL(resize_bilinear_s8, LWAI_RESIZE_BILINEAR_S8, NULL, run_resize_bilinear_s8, NULL),
#endif
/* data movement and multi-output kernels (lwai/frontend/data_movement.py) */
#ifdef LWAI_KERNEL_IN_IMAGE_SPLIT
    KERNEL_MOVE(split, LWAI_SPLIT, check_split, run_split),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_PACK
    KERNEL_MOVE(pack, LWAI_PACK, check_pack, run_pack),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_REVERSE
    KERNEL_MOVE(reverse, LWAI_REVERSE, check_reverse, run_reverse),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_BROADCAST_TO
    KERNEL_MOVE(broadcast_to, LWAI_BROADCAST_TO, check_broadcast_to, run_broadcast_to),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_MIRROR_PAD
    KERNEL_MOVE(mirror_pad, LWAI_MIRROR_PAD, check_mirror_pad, run_mirror_pad),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_BATCH_TO_SPACE
    KERNEL_MOVE(batch_to_space, LWAI_BATCH_TO_SPACE, check_batch_to_space, run_batch_to_space),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SPACE_TO_BATCH
    KERNEL_MOVE(space_to_batch, LWAI_SPACE_TO_BATCH, check_space_to_batch, run_space_to_batch),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_RESIZE_NEAREST
    KERNEL_MOVE(resize_nearest, LWAI_RESIZE_NEAREST, check_resize_nearest, run_resize_nearest),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_GATHER_ND
    KERNEL_MOVE(gather_nd, LWAI_GATHER_ND, check_gather_nd, run_gather_nd),
#endif
    /* TFLM signal library custom ops (audio front end) */
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_WINDOW
    KERNEL(signal_window_s16, LWAI_SIGNAL_WINDOW_S16, check_signal_window_s16,
           run_signal_window_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FFT_AUTO_SCALE
    KERNEL(signal_fft_auto_scale_s16, LWAI_SIGNAL_FFT_AUTO_SCALE_S16,
           check_signal_fft_auto_scale_s16, run_signal_fft_auto_scale_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_RFFT
    KERNEL(signal_rfft_s16, LWAI_SIGNAL_RFFT_S16, check_signal_rfft_s16, run_signal_rfft_s16,
           NULL),
    KERNEL(signal_rfft_s32, LWAI_SIGNAL_RFFT_S32, check_signal_rfft_s32, run_signal_rfft_s32,
           NULL),
    KERNEL(signal_rfft_f32, LWAI_SIGNAL_RFFT_F32, check_signal_rfft_f32, run_signal_rfft_f32,
           NULL),
    KERNEL(signal_irfft_s16, LWAI_SIGNAL_IRFFT_S16, check_signal_irfft_s16,
           run_signal_irfft_s16, NULL),
    KERNEL(signal_irfft_s32, LWAI_SIGNAL_IRFFT_S32, check_signal_irfft_s32,
           run_signal_irfft_s32, NULL),
    KERNEL(signal_irfft_f32, LWAI_SIGNAL_IRFFT_F32, check_signal_irfft_f32,
           run_signal_irfft_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_ENERGY
    KERNEL(signal_energy_s16, LWAI_SIGNAL_ENERGY_S16, check_signal_energy_s16,
           run_signal_energy_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FILTER_BANK
    KERNEL(signal_filter_bank_u32, LWAI_SIGNAL_FILTER_BANK_U32, check_signal_filter_bank_u32,
           run_signal_filter_bank_u32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FILTER_BANK_SQRT
    KERNEL(signal_filter_bank_sqrt_u64, LWAI_SIGNAL_FILTER_BANK_SQRT_U64,
           check_signal_filter_bank_sqrt_u64, run_signal_filter_bank_sqrt_u64, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_SPECTRAL_SUBTRACTION
    KERNEL_STATEFUL(signal_spectral_subtraction_u32, LWAI_SIGNAL_SPECTRAL_SUBTRACTION_U32,
                    check_signal_spectral_subtraction_u32, run_signal_spectral_subtraction_u32,
                    NULL, reset_signal_spectral_subtraction),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FILTER_BANK_LOG
    KERNEL(signal_filter_bank_log_u32, LWAI_SIGNAL_FILTER_BANK_LOG_U32,
           check_signal_filter_bank_log_u32, run_signal_filter_bank_log_u32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_PCAN
    KERNEL(signal_pcan_u32, LWAI_SIGNAL_PCAN_U32, check_signal_pcan_u32, run_signal_pcan_u32,
           NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_DELAY
    KERNEL_STATEFUL(signal_delay_s16, LWAI_SIGNAL_DELAY_S16, check_signal_delay_s16,
                    run_signal_delay_s16, NULL, reset_signal_zero),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_OVERLAP_ADD
    KERNEL_STATEFUL(signal_overlap_add_s16, LWAI_SIGNAL_OVERLAP_ADD_S16,
                    check_signal_overlap_add_s16, run_signal_overlap_add_s16, NULL,
                    reset_signal_zero),
    KERNEL_STATEFUL(signal_overlap_add_f32, LWAI_SIGNAL_OVERLAP_ADD_F32,
                    check_signal_overlap_add_f32, run_signal_overlap_add_f32, NULL,
                    reset_signal_zero),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_FRAMER
    KERNEL_STATEFUL(signal_framer_s16, LWAI_SIGNAL_FRAMER_S16, check_signal_framer_s16,
                    run_signal_framer_s16, NULL, reset_signal_zero),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SIGNAL_STACKER
    KERNEL_STATEFUL(signal_stacker_s16, LWAI_SIGNAL_STACKER_S16, check_signal_stacker_s16,
                    run_signal_stacker_s16, NULL, reset_signal_zero),
#endif
    /* CAST / QUANTIZE pairs, SELECT_V2, CUMSUM int8 (lwai/frontend/cast_ops.py) */
#ifdef LWAI_KERNEL_IN_IMAGE_CAST
    KERNEL(cast_s8_f32, LWAI_CAST_S8_F32, NULL, run_cast_s8_f32, NULL),
    KERNEL(cast_s8_b, LWAI_CAST_S8_B, NULL, run_cast_s8_b, NULL),
    KERNEL(cast_s16_f32, LWAI_CAST_S16_F32, NULL, run_cast_s16_f32, NULL),
    KERNEL(cast_s16_s8, LWAI_CAST_S16_S8, NULL, run_cast_s16_s8, NULL),
    KERNEL(cast_s16_b, LWAI_CAST_S16_B, NULL, run_cast_s16_b, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_QUANTIZE_EXT
    KERNEL(quantize_s32_s8, LWAI_QUANTIZE_S32_S8, NULL, run_quantize_s32_s8, NULL),
    KERNEL(quantize_s32_s16, LWAI_QUANTIZE_S32_S16, NULL, run_quantize_s32_s16, NULL),
    KERNEL(quantize_s8_u8, LWAI_QUANTIZE_S8_U8, NULL, run_quantize_s8_u8, NULL),
    KERNEL(quantize_u8_s8, LWAI_QUANTIZE_U8_S8, NULL, run_quantize_u8_s8, NULL),
    KERNEL(dequantize_u8_f32, LWAI_DEQUANTIZE_U8_F32, NULL, run_dequantize_u8_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_SELECT
    KERNEL(select_s8, LWAI_SELECT_S8, NULL, run_select_s8, NULL),
    KERNEL(select_s16, LWAI_SELECT_S16, NULL, run_select_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_CUMSUM
    KERNEL(cumsum_s8, LWAI_CUMSUM_S8, NULL, run_cumsum_s8, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_ZEROS_LIKE
    KERNEL(zeros_like, LWAI_ZEROS_LIKE, check_zeros_like, run_zeros_like, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_VARIABLE
    KERNEL_STATEFUL(variable, LWAI_VARIABLE, check_variable, run_variable, NULL, reset_variable),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DETECTION_POSTPROCESS
    KERNEL(detection_postprocess_f32, LWAI_DETECTION_POSTPROCESS_F32,
           check_detection_postprocess_f32, run_detection_postprocess_f32, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_CIRCULAR_BUFFER
    KERNEL_STATEFUL(circular_buffer_s8, LWAI_CIRCULAR_BUFFER_S8, check_circular_buffer_s8,
                    run_circular_buffer_s8, NULL, reset_circular_buffer),
#endif
    {NULL, 0, 0, 0, 0, 0u, NULL, NULL, NULL, NULL, NULL, 0u, NULL, 0u} /* keeps the array non-empty */
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
