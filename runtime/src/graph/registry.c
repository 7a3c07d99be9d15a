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

static lwai_status run_lstm_s8(const lwai_graph *g, const lwai_graph_node *n)
{
    lwai_lstm_params c;
    lwai_dims in, out;
    memset(&c, 0, sizeof c);
    LWAI_LSTM_S8_UNPACK(&c, n->params, n->fparams);
    dims_of(n, LSTM_T(INPUT), &in);
    dims_of(n, LSTM_T(OUTPUT), &out);
    return lwai_lstm_s8(
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
    return lwai_lstm_s16(
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
    return lwai_conv2d_s16(&c, &q, &d[0], (const int16_t *)data_of(g, n, 0), &d[1],
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
    return lwai_depthwise_conv2d_s16(&c, &q, &d[0], (const int16_t *)data_of(g, n, 0), &d[1],
                                     (const int8_t *)data_of(g, n, 1), &d[2],
                                     (const int64_t *)data_of(g, n, 2), &d[5],
                                     (int16_t *)data_of(g, n,
                                                        LWAI_DEPTHWISE_CONV2D_S16_T_OUTPUT));
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
    return lwai_fully_connected_s16(&c, &q, &d[0], (const int16_t *)data_of(g, n, 0), &d[1],
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
    return (average ? lwai_avg_pool2d_s16 : lwai_max_pool2d_s16)(
        &c, &in, (const int16_t *)data_of(g, n, 0), &out, (int16_t *)data_of(g, n, 1));
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
    return lwai_add_s16(&c, &a, (const int16_t *)data_of(g, n, 0), &b,
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
    return lwai_mul_s16(&c, &a, (const int16_t *)data_of(g, n, 0), &b,
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

/* One table row per kernel: its layout from the spec, its checks and adapter from above. */
#define KERNEL(name, macro, check, run, scratch)                                             \
    {#name, macro##_INPUTS, 1, macro##_PARAMS, macro##_FPARAMS, macro##_OPTIONAL, dt_##name,  \
     NAMES(names_##name), check, run, scratch, macro##_STATE, NULL}
/* A stateful kernel's row: its state operands (from the spec) and its reset function. */
#define KERNEL_STATEFUL(name, macro, check, run, scratch, reset)                             \
    {#name, macro##_INPUTS, 1, macro##_PARAMS, macro##_FPARAMS, macro##_OPTIONAL, dt_##name,  \
     NAMES(names_##name), check, run, scratch, macro##_STATE, reset}

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
    KERNEL_STATEFUL(lstm_s8, LWAI_LSTM_S8, check_lstm_s8, run_lstm_s8, NULL, reset_lstm),
    KERNEL_STATEFUL(lstm_s16, LWAI_LSTM_S16, check_lstm_s16, run_lstm_s16, NULL, reset_lstm),
    KERNEL_STATEFUL(lstm_f32, LWAI_LSTM_F32, check_lstm_f32, run_lstm_f32, NULL, reset_lstm),
#endif
/* 16x8 kernels (kernels/reference/s16.c) */
#ifdef LWAI_KERNEL_IN_IMAGE_CONV2D
    KERNEL(conv2d_s16, LWAI_CONV2D_S16, check_conv2d_s16, run_conv2d_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_DEPTHWISE_CONV2D
    KERNEL(depthwise_conv2d_s16, LWAI_DEPTHWISE_CONV2D_S16, check_depthwise_conv2d_s16,
           run_depthwise_conv2d_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_FULLY_CONNECTED
    KERNEL(fully_connected_s16, LWAI_FULLY_CONNECTED_S16, check_fully_connected_s16,
           run_fully_connected_s16, NULL),
#endif
#ifdef LWAI_KERNEL_IN_IMAGE_AVG_POOL2D
    KERNEL(avg_pool2d_s16, LWAI_AVG_POOL2D_S16, check_pool_s16, run_avg_pool2d_s16, NULL),
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
    {NULL, 0, 0, 0, 0, 0u, NULL, NULL, NULL, NULL, NULL, 0u, NULL} /* keeps the array non-empty */
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
