/* The model.lwfb loader: a small FlatBuffers reader for exactly runtime/schema/lwai.fbs
 * (no flatc output, no allocation) that trusts no byte of the file. It checks the size,
 * the identifier and the CRC-32, then every offset, vtable, vector length and string
 * terminator just before reading through it, and hands the graph to lwai_graph_bind with
 * pointers into the file itself (zero-copy: int and float vectors are read in place, which
 * needs a 16-byte aligned file and a little-endian target).
 *
 * Checks fail "sticky": the first failure sets reader.bad and every later read returns 0,
 * so decoding code reads straight through and tests the flag once at the end. */
#include <string.h>

#include "graph_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .lwfb loader reads int and float vectors in place: little-endian targets only"
#endif

#define FILE_ALIGN 16u /* the file's start, and Buffer.data (force_align: 16) */

/* Field numbers (declaration order in lwai.fbs). */
enum { Q_SCALE, Q_ZERO_POINT };
enum { T_NAME, T_DTYPE, T_SHAPE, T_QUANT, T_ARENA_OFFSET, T_BUFFER };
enum { B_DATA };
enum { N_KERNEL, N_INPUTS, N_OUTPUTS, N_DIMS, N_PARAMS, N_FPARAMS };
enum {
    M_VERSION, M_NAME, M_ARENA_BYTES, M_KERNELS, M_TENSORS, M_NODES, M_INPUTS, M_OUTPUTS,
    M_BUFFERS, M_CRC32
};

typedef struct {
    const uint8_t *buf;
    uint32_t len;
    int bad;
    /* The root's vectors of tables and strings: first item's position and count. */
    uint32_t kernels, num_kernels, tensors, num_tensors, nodes, num_nodes, buffers, num_buffers;
} reader;

/* ---- bytes ------------------------------------------------------------------------------ */

/* Little-endian reads by bytes: positions are not yet known to be aligned. */
static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static int32_t as_int32(uint32_t v)
{
    int32_t s;
    memcpy(&s, &v, sizeof s); /* two's complement without implementation-defined casts */
    return s;
}

/* CRC-32 (IEEE 802.3, as zlib's crc32) of buf with the 4 bytes at `skip` read as zero.
 * Four bits per step: a 64-byte table instead of 1 KiB of flash. */
static uint32_t crc32_skipping(const uint8_t *buf, uint32_t len, uint32_t skip)
{
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
        0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};
    uint32_t crc = 0xffffffffu;
    uint32_t i;
    for (i = 0; i < len; ++i) {
        const uint32_t byte = i - skip < 4u ? 0u : buf[i];
        crc = (crc >> 4) ^ nibble[(crc ^ byte) & 15u];
        crc = (crc >> 4) ^ nibble[(crc ^ (byte >> 4)) & 15u];
    }
    return ~crc;
}

/* ---- tables ----------------------------------------------------------------------------- */

static uint32_t fail(reader *r)
{
    r->bad = 1;
    return 0u;
}

/* Resolves the uoffset stored at `pos`. Every table, vector and string starts with a
 * 4-byte word, so the target must be 4-aligned with 4 bytes inside the buffer. A valid
 * target is never 0 (the root offset lives there), so 0 can mean "failed" or "absent". */
static uint32_t deref(reader *r, uint32_t pos)
{
    uint64_t target;
    if (r->bad || pos % 4u != 0u || pos > r->len - 4u) {
        return fail(r);
    }
    target = (uint64_t)pos + le32(r->buf + pos);
    if (target % 4u != 0u || target > r->len - 4u) {
        return fail(r);
    }
    return (uint32_t)target;
}

/* Position of field `id` (`size` bytes) of the table at `table`; 0 when absent. The vtable
 * (table - soffset) must lie in the buffer, and the field inside the table's inline size. */
static uint32_t field(reader *r, uint32_t table, uint32_t id, uint32_t size)
{
    uint32_t raw, vsize, tsize, slot;
    int64_t vtable;
    if (r->bad || table == 0u) {
        return fail(r);
    }
    raw = le32(r->buf + table); /* deref() left 4 bytes there */
    vtable = (int64_t)table - (int64_t)as_int32(raw);
    if (vtable < 0 || vtable % 2 != 0 || vtable > (int64_t)r->len - 4) {
        return fail(r);
    }
    vsize = le16(r->buf + vtable);
    tsize = le16(r->buf + vtable + 2);
    if (vsize < 4u || vsize % 2u != 0u || vsize > r->len - (uint32_t)vtable || tsize < 4u ||
        tsize > r->len - table) {
        return fail(r);
    }
    slot = 4u + 2u * id;
    if (slot + 2u > vsize) {
        return 0u; /* written before the field existed: absent */
    }
    slot = le16(r->buf + vtable + slot);
    if (slot == 0u) {
        return 0u;
    }
    if (slot < 4u || slot + size > tsize) {
        return fail(r);
    }
    return table + slot;
}

/* A 1- or 4-byte scalar field, or its schema default when absent. */
static uint32_t scalar(reader *r, uint32_t table, uint32_t id, uint32_t size, uint32_t dflt)
{
    const uint32_t at = field(r, table, id, size);
    if (at == 0u) {
        return dflt;
    }
    return size == 1u ? r->buf[at] : le32(r->buf + at);
}

/* The table, vector or string an offset field refers to; 0 when absent. */
static uint32_t ref(reader *r, uint32_t table, uint32_t id)
{
    const uint32_t at = field(r, table, id, 4u);
    return at == 0u ? 0u : deref(r, at);
}

/* ---- vectors ---------------------------------------------------------------------------- */

/* The vector whose length word is at `vec` (0: absent, read as empty): its first element's
 * position, with all *count elements of `elem_size` bytes inside the buffer. */
static uint32_t elements(reader *r, uint32_t vec, uint32_t elem_size, uint32_t *count)
{
    uint32_t n;
    *count = 0u;
    if (vec == 0u || r->bad) {
        return 0u;
    }
    n = le32(r->buf + vec);
    if ((uint64_t)n * elem_size > r->len - vec - 4u) {
        return fail(r);
    }
    *count = n;
    return vec + 4u;
}

/* An [int] or [float] field in place: NULL when absent. Vectors start 4-aligned in the
 * file (deref) and the file 16-aligned in memory, so the elements are word-aligned. */
static const void *words(reader *r, uint32_t table, uint32_t id, uint32_t *count)
{
    const uint32_t at = elements(r, ref(r, table, id), 4u, count);
    return at == 0u ? NULL : r->buf + at;
}

/* The string whose length word is at `vec`, NUL-terminated inside the buffer; "" when absent
 * (or bad, flagged). */
static const char *string_at(reader *r, uint32_t vec)
{
    uint32_t n;
    const uint32_t at = elements(r, vec, 1u, &n);
    if (at == 0u) {
        return "";
    }
    if (n >= r->len - at || r->buf[at + n] != 0u) {
        fail(r);
        return "";
    }
    return (const char *)(r->buf + at);
}

/* Item i of a vector of tables or strings (first element at `first`, `count` items). */
static uint32_t item(reader *r, uint32_t first, uint32_t count, uint32_t i)
{
    return i < count ? deref(r, first + 4u * i) : fail(r);
}

/* ---- our schema ------------------------------------------------------------------------- */

static lwai_status read_tensor(void *ctx, uint32_t i, lwai_graph_tensor_src *t)
{
    reader *r = (reader *)ctx;
    const uint32_t table = item(r, r->tensors, r->num_tensors, i);
    const uint32_t quant = ref(r, table, T_QUANT);
    const uint32_t buffer = scalar(r, table, T_BUFFER, 4u, 0xffffffffu); /* default -1 */
    uint32_t ndim, num_scales, num_zero_points;
    t->name = string_at(r, ref(r, table, T_NAME));
    t->dtype = (uint8_t)scalar(r, table, T_DTYPE, 1u, LWAI_DTYPE_INT8);
    t->shape = (const int32_t *)words(r, table, T_SHAPE, &ndim);
    t->ndim = (uint8_t)(ndim <= LWAI_MAX_DIMS ? ndim : fail(r));
    t->arena_offset = as_int32(scalar(r, table, T_ARENA_OFFSET, 4u, 0xffffffffu));
    t->const_data = NULL;
    t->const_bytes = 0u;
    if (buffer != 0xffffffffu) {
        const uint32_t data_vec = ref(r, item(r, r->buffers, r->num_buffers, buffer), B_DATA);
        const uint32_t data = elements(r, data_vec, 1u, &t->const_bytes);
        if (data % FILE_ALIGN != 0u) {
            fail(r); /* kernels may load the weights by words */
        }
        t->const_data = data == 0u ? NULL : r->buf + data;
    }
    t->scale = 0.0f;
    t->zero_point = 0;
    if (quant != 0u) {
        const float *scale = (const float *)words(r, quant, Q_SCALE, &num_scales);
        const int32_t *zero_point = (const int32_t *)words(r, quant, Q_ZERO_POINT,
                                                           &num_zero_points);
        /* The executor takes the first of each; per-channel files may hold one zero point. */
        if (num_scales != 0u && num_zero_points != 0u) {
            t->scale = scale[0];
            t->zero_point = zero_point[0];
        }
    }
    return r->bad ? LWAI_ERR_BAD_MODEL : LWAI_OK;
}

static lwai_status read_node(void *ctx, uint32_t i, lwai_graph_node_src *n)
{
    reader *r = (reader *)ctx;
    const uint32_t table = item(r, r->nodes, r->num_nodes, i);
    const uint32_t kernel = scalar(r, table, N_KERNEL, 4u, 0u);
    n->inputs = (const int32_t *)words(r, table, N_INPUTS, &n->num_inputs);
    n->outputs = (const int32_t *)words(r, table, N_OUTPUTS, &n->num_outputs);
    n->kernel = string_at(r, item(r, r->kernels, r->num_kernels, kernel));
    n->dims = (const int32_t *)words(r, table, N_DIMS, &n->num_dims);
    n->params = (const int32_t *)words(r, table, N_PARAMS, &n->num_params);
    n->fparams = (const float *)words(r, table, N_FPARAMS, &n->num_fparams);
    return r->bad ? LWAI_ERR_BAD_MODEL : LWAI_OK;
}

static lwai_status bad_model(lwai_model *model, const char *what)
{
    model->detail = what;
    return LWAI_ERR_BAD_MODEL;
}

lwai_status lwai_model_load_with(const uint8_t *buf, size_t len, uint8_t *arena,
                                 size_t arena_bytes, const lwai_load_options *options,
                                 lwai_model *model)
{
    reader r;
    lwai_graph_source src;
    uint32_t root, crc_at, version;
    lwai_status st;

    if (model == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    memset(model, 0, sizeof *model);
    if (buf == NULL || (uintptr_t)buf % FILE_ALIGN != 0u || arena == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    /* Header: root offset, identifier; the smallest valid file is larger than 16 bytes. */
    if (len < 16u || len > LWAI_GRAPH_MAX_BYTES || memcmp(buf + 4, "LWFB", 4) != 0) {
        return bad_model(model, "lwfb: header");
    }
    memset(&r, 0, sizeof r);
    r.buf = buf;
    r.len = (uint32_t)len;

    /* The checksum first: finding it reads only the root table's vtable. */
    root = deref(&r, 0u);
    crc_at = field(&r, root, M_CRC32, 4u);
    if (crc_at == 0u || crc32_skipping(buf, r.len, crc_at) != le32(buf + crc_at)) {
        return bad_model(model, "lwfb: checksum");
    }
    version = scalar(&r, root, M_VERSION, 4u, 0u);
    if (r.bad) {
        return bad_model(model, "lwfb: structure");
    }
    if (version != LWAI_GRAPH_FORMAT_VERSION) {
        model->detail = "lwfb: version";
        return LWAI_ERR_VERSION;
    }

    memset(&src, 0, sizeof src);
    src.name = string_at(&r, ref(&r, root, M_NAME));
    src.arena_bytes = scalar(&r, root, M_ARENA_BYTES, 4u, 0u);
    r.kernels = elements(&r, ref(&r, root, M_KERNELS), 4u, &r.num_kernels);
    r.tensors = elements(&r, ref(&r, root, M_TENSORS), 4u, &r.num_tensors);
    r.nodes = elements(&r, ref(&r, root, M_NODES), 4u, &r.num_nodes);
    r.buffers = elements(&r, ref(&r, root, M_BUFFERS), 4u, &r.num_buffers);
    src.inputs = (const int32_t *)words(&r, root, M_INPUTS, &src.num_inputs);
    src.outputs = (const int32_t *)words(&r, root, M_OUTPUTS, &src.num_outputs);
    src.num_tensors = r.num_tensors;
    src.num_nodes = r.num_nodes;
    src.ctx = &r;
    src.tensor = read_tensor;
    src.node = read_node;

    if (r.bad) {
        return bad_model(model, "lwfb: structure");
    }
    st = lwai_graph_bind(&src, arena, arena_bytes, options, model);
    if (st == LWAI_ERR_BAD_MODEL && r.bad) {
        model->detail = "lwfb: structure";
    }
    return st;
}

lwai_status lwai_model_load(const uint8_t *buf, size_t len, uint8_t *arena, size_t arena_bytes,
                            lwai_model *model)
{
    return lwai_model_load_with(buf, len, arena, arena_bytes, NULL, model);
}
