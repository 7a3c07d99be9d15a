/* The JSON model loader (model.json, docs/formats.md). cJSON parses the text; every member
 * is then checked for presence, JSON type, integer-ness and range before use, and what the
 * bound model keeps (names, shapes, operands, dims, parameters, decoded constants) is copied
 * into heap memory the model owns until lwai_model_release(). The graph then goes through
 * the same lwai_graph_bind checks as the FlatBuffer loader's. */
#include <float.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef LWAI_CJSON_FROM_SOURCE
#include "cJSON.h" /* a cJSON source tree (LWAI_CJSON_PATH, OpenHarmony's third_party) */
#else
#include <cjson/cJSON.h> /* the system's libcjson */
#endif

#include "../graph/graph_internal.h"

/* cJSON's parser keeps the last error position in a global (cJSON.c's global_error, written
 * by every parse), so two threads loading models at once race on it (ThreadSanitizer reports
 * it): where there are threads (L1/L2), parses take turns. */
#if !defined(CONFIG_LWAI_PROFILE_L0) && \
    (defined(__linux__) || defined(__unix__) || defined(__APPLE__))
#include <pthread.h>
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;
#define PARSE_LOCK() pthread_mutex_lock(&parse_lock)
#define PARSE_UNLOCK() pthread_mutex_unlock(&parse_lock)
#else
#define PARSE_LOCK() ((void)0)
#define PARSE_UNLOCK() ((void)0)
#endif

/* ---- heap memory owned by the model ---------------------------------------------------- */

/* Allocations come from a list of chunks, so a model is a handful of mallocs whatever its
 * size, and freeing it walks one list. Big blocks (constants) get a chunk of their own. */
#define CHUNK_BYTES 4096u
#define CONST_ALIGN 16u /* as the AOT path's LWAI_CONST_ALIGN: kernels may load words */
#define RECORD_ALIGN 8u /* enough for the records' pointers and 32-bit fields */

typedef struct json_chunk {
    struct json_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
} json_chunk;

/* The loader's state, freed with the model (model->loader). */
typedef struct {
    json_chunk *chunks;
    lwai_graph_tensor_src *tensors;
    lwai_graph_node_src *nodes;
    int32_t *inputs;
    int32_t *outputs;
    const char *name;
    uint32_t arena_bytes, num_tensors, num_nodes, num_inputs, num_outputs;
} json_model;

static void *take_from(json_chunk *c, size_t bytes, size_t align)
{
    const uintptr_t base = (uintptr_t)(c + 1);
    const uintptr_t at = (base + c->used + (align - 1u)) & ~(uintptr_t)(align - 1u);
    const size_t offset = (size_t)(at - base);
    if (offset > c->size || bytes > c->size - offset) {
        return NULL;
    }
    c->used = offset + bytes;
    return (void *)at;
}

/* `bytes` of memory aligned to `align` (a power of two), freed with the model. */
static void *take(json_model *m, size_t bytes, size_t align)
{
    json_chunk *c;
    size_t size;
    void *p = m->chunks != NULL ? take_from(m->chunks, bytes, align) : NULL;
    if (p != NULL) {
        return p;
    }
    if (bytes > (size_t)-1 - sizeof(json_chunk) - align) {
        return NULL;
    }
    size = bytes + align; /* room to align whatever malloc returns */
    if (size < CHUNK_BYTES) {
        size = CHUNK_BYTES;
    }
    c = (json_chunk *)malloc(sizeof(json_chunk) + size);
    if (c == NULL) {
        return NULL;
    }
    c->size = size;
    c->used = 0u;
    if (size > CHUNK_BYTES && m->chunks != NULL) {
        /* A block of its own: keep filling the current chunk afterwards. */
        c->next = m->chunks->next;
        m->chunks->next = c;
    } else {
        c->next = m->chunks;
        m->chunks = c;
    }
    return take_from(c, bytes, align);
}

static char *copy_string(json_model *m, const char *s)
{
    const size_t n = strlen(s) + 1u;
    char *p = (char *)take(m, n, 1u);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p;
}

static void free_model(json_model *m)
{
    json_chunk *c;
    if (m == NULL) {
        return;
    }
    c = m->chunks;
    while (c != NULL) {
        json_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(m);
}

static void json_release(lwai_model *model)
{
    free_model((json_model *)model->loader);
    /* Everything the model points to is gone: leave nothing to use after free. */
    memset(model, 0, sizeof *model);
}

/* ---- checked access to the cJSON tree ------------------------------------------------- */

/* Decoding state: the model under construction and what was wrong, for model->detail. */
typedef struct {
    json_model *m;
    const char *detail;   /* static text; "[]" in it stands for `index` */
    uint32_t index;       /* the tensor or node being decoded */
    const cJSON *kernels; /* the "kernels" list, which every node's kernel must be in */
} loader;

static lwai_status fail(loader *L, const char *what)
{
    L->detail = what;
    return LWAI_ERR_BAD_MODEL;
}

/* Member `key` of `obj` (NULL when absent). A key given twice is refused: which one the
 * writer meant is unknowable. */
static int find(const cJSON *obj, const char *key, const cJSON **item)
{
    const cJSON *c;
    *item = NULL;
    for (c = obj->child; c != NULL; c = c->next) {
        if (c->string != NULL && strcmp(c->string, key) == 0) {
            if (*item != NULL) {
                return 0;
            }
            *item = c;
        }
    }
    return 1;
}

static const cJSON *required(const cJSON *obj, const char *key)
{
    const cJSON *item;
    return find(obj, key, &item) ? item : NULL;
}

/* Absent and null both mean "not given"; 0 when the key is duplicated. */
static int optional(const cJSON *obj, const char *key, const cJSON **item)
{
    if (!find(obj, key, item)) {
        return 0;
    }
    if (*item != NULL && cJSON_IsNull(*item)) {
        *item = NULL;
    }
    return 1;
}

/* cJSON keeps numbers as doubles: an int32 must be integral and in range (NaN fails both). */
static int to_int32(const cJSON *item, int32_t lo, int32_t hi, int32_t *out)
{
    double v;
    if (item == NULL || !cJSON_IsNumber(item)) {
        return 0;
    }
    v = item->valuedouble;
    if (!(v >= (double)lo && v <= (double)hi) || (double)(int32_t)v != v) {
        return 0;
    }
    *out = (int32_t)v;
    return 1;
}

/* Finite floats only. "No clamp" is written as +-3.4028235e38, a hair above FLT_MAX in
 * double: such values become FLT_MAX rather than overflow the conversion. */
static int to_float(const cJSON *item, float *out)
{
    const double limit = 3.4028235e38;
    double v;
    if (item == NULL || !cJSON_IsNumber(item)) {
        return 0;
    }
    v = item->valuedouble;
    if (!(v >= -limit && v <= limit)) {
        return 0;
    }
    *out = v > (double)FLT_MAX ? FLT_MAX : v < -(double)FLT_MAX ? -FLT_MAX : (float)v;
    return 1;
}

/* Number of members of an array or object, refusing more than `max` (the walk stops
 * there). */
static int child_count(const cJSON *container, uint32_t max, uint32_t *count)
{
    const cJSON *c;
    uint32_t n = 0u;
    for (c = container->child; c != NULL; c = c->next) {
        if (n == max) {
            return 0;
        }
        ++n;
    }
    *count = n;
    return 1;
}

static int array_count(const cJSON *arr, uint32_t max, uint32_t *count)
{
    return arr != NULL && cJSON_IsArray(arr) && child_count(arr, max, count);
}

/* An array of min..max int32 values within [lo, hi], copied to the model's heap. */
static lwai_status int_array(loader *L, const cJSON *arr, uint32_t min, uint32_t max, int32_t lo,
                             int32_t hi, int32_t **values, uint32_t *count, const char *what)
{
    const cJSON *c;
    uint32_t n, i = 0u;
    if (!array_count(arr, max, &n) || n < min) {
        return fail(L, what);
    }
    *values = (int32_t *)take(L->m, (size_t)n * sizeof(int32_t), sizeof(int32_t));
    if (*values == NULL) {
        return fail(L, "out of memory");
    }
    for (c = arr->child; c != NULL; c = c->next, ++i) {
        if (!to_int32(c, lo, hi, &(*values)[i])) {
            return fail(L, what);
        }
    }
    *count = n;
    return LWAI_OK;
}

static int is_object(const cJSON *item)
{
    return item != NULL && cJSON_IsObject(item);
}

static const char *string_of(const cJSON *item)
{
    return item != NULL && cJSON_IsString(item) ? item->valuestring : NULL;
}

/* ---- base64 (RFC 4648, standard alphabet, padded, canonical) --------------------------- */

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

/* Decodes `text` into exactly `bytes` bytes at `out`. Refuses any other length, characters
 * outside the alphabet (whitespace included), misplaced padding, and non-zero bits in the
 * unused tail of the last group (so each byte string has one encoding). */
static int base64_decode(const char *text, uint8_t *out, uint32_t bytes)
{
    const size_t len = strlen(text);
    const size_t groups = ((size_t)bytes + 2u) / 3u;
    const uint32_t tail = bytes % 3u; /* bytes in the last group, 0 meaning 3 */
    size_t g;
    uint32_t o = 0u;
    if (bytes == 0u || len != groups * 4u) {
        return 0;
    }
    for (g = 0; g < groups; ++g) {
        const unsigned char *q = (const unsigned char *)text + 4u * g;
        const int last = g + 1u == groups;
        const int a = base64_value(q[0]);
        const int b = base64_value(q[1]);
        int c = base64_value(q[2]);
        int d = base64_value(q[3]);
        if (last && tail == 1u) {
            if (q[2] != '=' || q[3] != '=') {
                return 0;
            }
            c = d = 0;
        } else if (last && tail == 2u) {
            if (q[3] != '=') {
                return 0;
            }
            d = 0;
        }
        if (a < 0 || b < 0 || c < 0 || d < 0) {
            return 0;
        }
        if (last && ((tail == 1u && (b & 0x0f) != 0) || (tail == 2u && (c & 0x03) != 0))) {
            return 0; /* stray bits after the last byte */
        }
        out[o++] = (uint8_t)((a << 2) | (b >> 4));
        if (o < bytes) {
            out[o++] = (uint8_t)(((b & 0x0f) << 4) | (c >> 2));
        }
        if (o < bytes) {
            out[o++] = (uint8_t)(((c & 0x03) << 6) | d);
        }
    }
    return 1;
}

/* ---- tensors ------------------------------------------------------------------------- */

static int dtype_of(const char *name, uint8_t *dtype)
{
    unsigned d;
    for (d = 1u; d < 16u; ++d) {
        const char *known = lwai_dtype_name((uint8_t)d);
        if (known != NULL && strcmp(known, name) == 0) {
            *dtype = (uint8_t)d;
            return 1;
        }
    }
    return 0;
}

static lwai_status decode_quantization(loader *L, const cJSON *q, lwai_graph_tensor_src *t)
{
    const cJSON *scales = required(q, "scale");
    const cJSON *zero_points = required(q, "zero_point");
    const cJSON *axis_item, *s, *z;
    uint32_t num_scales, num_zero_points;
    int32_t axis = -1;
    if (!array_count(scales, LWAI_GRAPH_MAX_BYTES, &num_scales) ||
        !array_count(zero_points, LWAI_GRAPH_MAX_BYTES, &num_zero_points) ||
        num_scales != num_zero_points) {
        return fail(L, "tensors[].quantization");
    }
    if (!optional(q, "axis", &axis_item) ||
        (axis_item != NULL && !to_int32(axis_item, -1, (int32_t)t->ndim - 1, &axis))) {
        return fail(L, "tensors[].quantization.axis");
    }
    /* The executor keeps the first (per-tensor) pair, for graph inputs and outputs; per-
     * channel values live in the kernels' own constant operands. */
    for (s = scales->child, z = zero_points->child; s != NULL; s = s->next, z = z->next) {
        float scale;
        int32_t zero_point;
        if (!to_float(s, &scale) || !to_int32(z, INT32_MIN, INT32_MAX, &zero_point)) {
            return fail(L, "tensors[].quantization: scale, zero_point");
        }
        if (s == scales->child) {
            t->scale = scale;
            t->zero_point = zero_point;
        }
    }
    return LWAI_OK;
}

static lwai_status decode_tensor(loader *L, const cJSON *item, lwai_graph_tensor_src *t)
{
    const char *name, *dtype;
    const cJSON *quant, *offset, *data;
    int32_t *shape;
    uint32_t ndim, d;
    uint64_t bytes;
    lwai_status st;
    if (!is_object(item)) {
        return fail(L, "tensors[]");
    }
    name = string_of(required(item, "name"));
    if (name == NULL) {
        return fail(L, "tensors[].name");
    }
    t->name = copy_string(L->m, name);
    if (t->name == NULL) {
        return fail(L, "out of memory");
    }
    dtype = string_of(required(item, "dtype"));
    if (dtype == NULL || !dtype_of(dtype, &t->dtype)) {
        return fail(L, "tensors[].dtype");
    }
    st = int_array(L, required(item, "shape"), 1u, LWAI_MAX_DIMS, 1, INT32_MAX, &shape, &ndim,
                   "tensors[].shape");
    if (st != LWAI_OK) {
        return st;
    }
    t->shape = shape;
    t->ndim = (uint8_t)ndim;
    bytes = lwai_dtype_size(t->dtype);
    for (d = 0; d < ndim; ++d) {
        bytes *= (uint32_t)shape[d];
        if (bytes > LWAI_GRAPH_MAX_BYTES) {
            return fail(L, "tensors[].shape");
        }
    }
    if (!optional(item, "quantization", &quant)) {
        return fail(L, "tensors[].quantization");
    }
    if (quant != NULL) {
        if (!is_object(quant)) {
            return fail(L, "tensors[].quantization");
        }
        st = decode_quantization(L, quant, t);
        if (st != LWAI_OK) {
            return st;
        }
    }
    /* An activation has an arena offset, a constant its data: exactly one of the two. */
    if (!find(item, "arena_offset", &offset) || !find(item, "data", &data) ||
        (offset == NULL) == (data == NULL)) {
        return fail(L, "tensors[]: needs one of arena_offset and data");
    }
    if (offset != NULL) {
        if (!to_int32(offset, 0, INT32_MAX, &t->arena_offset)) {
            return fail(L, "tensors[].arena_offset");
        }
        return LWAI_OK;
    }
    t->arena_offset = -1;
    /* The text's length first: a shape is 30 bytes of text, its data must be 4/3 of the
     * bytes, so a 3 KB file cannot make the loader ask for 2 GB (found by tests/fuzz). */
    if (string_of(data) == NULL || strlen(data->valuestring) != ((size_t)bytes + 2u) / 3u * 4u) {
        return fail(L, "tensors[].data: not the tensor's bytes in base64");
    }
    t->const_bytes = (uint32_t)bytes;
    t->const_data = take(L->m, (size_t)bytes, CONST_ALIGN);
    if (t->const_data == NULL) {
        return fail(L, "out of memory");
    }
    if (string_of(data) == NULL ||
        !base64_decode(data->valuestring, (uint8_t *)(uintptr_t)t->const_data, (uint32_t)bytes)) {
        return fail(L, "tensors[].data: not the tensor's bytes in base64");
    }
    return LWAI_OK;
}

/* ---- nodes ----------------------------------------------------------------------------- */

/* An object of parameters keyed by `names` (`count` of them, in this order), each given
 * once; an absent or null member stands for an empty object. With names == NULL (a kernel
 * this image lacks) the values are taken in key order. */
static lwai_status named_params(loader *L, const cJSON *obj, const char *const *names,
                                uint32_t count, int floats, void **values, uint32_t *num)
{
    const char *const bad_keys = floats ? "nodes[].fparams: the kernel's names, each once"
                                        : "nodes[].params: the kernel's names, each once";
    const char *const bad_value = floats ? "nodes[].fparams: finite numbers"
                                         : "nodes[].params: int32 numbers";
    const cJSON *c;
    uint32_t n = 0u, i;
    *values = NULL;
    *num = 0u;
    if (obj == NULL) {
        return names != NULL && count != 0u ? fail(L, bad_keys) : LWAI_OK;
    }
    if (!is_object(obj) || !child_count(obj, LWAI_GRAPH_MAX_PARAMS, &n) ||
        (names != NULL && n != count)) {
        return fail(L, bad_keys);
    }
    /* int32 and float are both 4 bytes on every target lwai builds for */
    *values = take(L->m, (size_t)n * 4u, 4u);
    if (*values == NULL) {
        return fail(L, "out of memory");
    }
    for (c = obj->child, i = 0u; c != NULL; c = c->next, ++i) {
        const cJSON *once;
        uint32_t slot = i;
        if (names != NULL) {
            for (slot = 0u; slot < count; ++slot) {
                if (names[slot] != NULL && strcmp(names[slot], c->string) == 0) {
                    break;
                }
            }
            /* An unknown key, or a known one twice (so another is missing). */
            if (slot == count || !find(obj, c->string, &once)) {
                return fail(L, bad_keys);
            }
        }
        if (floats ? !to_float(c, (float *)*values + slot)
                   : !to_int32(c, INT32_MIN, INT32_MAX, (int32_t *)*values + slot)) {
            return fail(L, bad_value);
        }
    }
    *num = n;
    return LWAI_OK;
}

static int listed_kernel(const loader *L, const char *name)
{
    const cJSON *k;
    for (k = L->kernels->child; k != NULL; k = k->next) {
        if (strcmp(k->valuestring, name) == 0) {
            return 1;
        }
    }
    return 0;
}

static lwai_status decode_dims(loader *L, const cJSON *dims, lwai_graph_node_src *n)
{
    const cJSON *operand;
    int32_t *flat;
    uint32_t count, i = 0u;
    if (dims == NULL) {
        return LWAI_OK; /* TVM nodes have none; the executor checks library nodes' count */
    }
    if (!array_count(dims, LWAI_GRAPH_MAX_OPERANDS, &count)) {
        return fail(L, "nodes[].dims");
    }
    flat = (int32_t *)take(L->m, (size_t)count * 4u * sizeof(int32_t), sizeof(int32_t));
    if (flat == NULL) {
        return fail(L, "out of memory");
    }
    for (operand = dims->child; operand != NULL; operand = operand->next) {
        uint32_t four;
        const cJSON *v;
        if (!array_count(operand, 4u, &four) || four != 4u) {
            return fail(L, "nodes[].dims: each a list of 4");
        }
        /* Any int32: an absent optional operand's dims are not read. */
        for (v = operand->child; v != NULL; v = v->next) {
            if (!to_int32(v, INT32_MIN, INT32_MAX, &flat[i++])) {
                return fail(L, "nodes[].dims");
            }
        }
    }
    n->dims = count != 0u ? flat : NULL;
    n->num_dims = 4u * count;
    return LWAI_OK;
}

static lwai_status decode_node(loader *L, const cJSON *item, lwai_graph_node_src *n)
{
    const int32_t last = (int32_t)L->m->num_tensors - 1;
    const cJSON *params, *fparams, *dims;
    const char *kernel;
    int32_t *inputs, *outputs;
    void *values;
    lwai_status st;
    if (!is_object(item)) {
        return fail(L, "nodes[]");
    }
    kernel = string_of(required(item, "kernel"));
    if (kernel == NULL || !listed_kernel(L, kernel)) {
        return fail(L, "nodes[].kernel: a name in kernels");
    }
    n->kernel = copy_string(L->m, kernel);
    if (n->kernel == NULL) {
        return fail(L, "out of memory");
    }
    st = int_array(L, required(item, "inputs"), 0u, LWAI_GRAPH_MAX_OPERANDS, -1, last, &inputs,
                   &n->num_inputs, "nodes[].inputs");
    if (st == LWAI_OK) {
        st = int_array(L, required(item, "outputs"), 1u, LWAI_GRAPH_MAX_OPERANDS, 0, last,
                       &outputs, &n->num_outputs, "nodes[].outputs");
    }
    if (st != LWAI_OK) {
        return st;
    }
    if (n->num_inputs + n->num_outputs > LWAI_GRAPH_MAX_OPERANDS) {
        return fail(L, "nodes[]: too many operands");
    }
    n->inputs = inputs;
    n->outputs = outputs;

    if (!optional(item, "dims", &dims) || !optional(item, "params", &params) ||
        !optional(item, "fparams", &fparams)) {
        return fail(L, "nodes[]: a member given twice");
    }
    st = decode_dims(L, dims, n);
    if (st != LWAI_OK) {
        return st;
    }
    if (strncmp(kernel, "tvm:", 4) == 0) {
        /* A TVM function: params = [workspace_offset, workspace_bytes], no fparams. */
        int32_t *pair = NULL;
        uint32_t two, none = 0u;
        st = int_array(L, params, 2u, 2u, INT32_MIN, INT32_MAX, &pair, &two,
                       "nodes[].params: [workspace_offset, workspace_bytes]");
        if (st == LWAI_OK && fparams != NULL &&
            !((cJSON_IsArray(fparams) || cJSON_IsObject(fparams)) &&
              child_count(fparams, 0u, &none))) {
            st = fail(L, "nodes[].fparams");
        }
        n->params = pair;
        n->num_params = 2u;
        return st;
    } else {
        const lwai_graph_kernel *k = lwai_graph_find_kernel(kernel);
        const char *const *names = k != NULL ? k->param_names : NULL;
        if (k != NULL && names == NULL && k->num_params + k->num_fparams != 0u) {
            return fail(L, "nodes[].kernel: parameter names not in this image");
        }
        /* An unknown kernel keeps its parameters in key order: binding then names it. */
        st = named_params(L, params, names, k != NULL ? k->num_params : 0u, 0, &values,
                          &n->num_params);
        n->params = (const int32_t *)values;
        if (st != LWAI_OK) {
            return st;
        }
        st = named_params(L, fparams, names != NULL ? names + k->num_params : NULL,
                          k != NULL ? k->num_fparams : 0u, 1, &values, &n->num_fparams);
        n->fparams = (const float *)values;
        return st;
    }
}

/* ---- the graph ------------------------------------------------------------------------- */

static lwai_status decode_graph(loader *L, const cJSON *root)
{
    const cJSON *item, *c;
    const char *format, *name;
    json_model *m;
    int32_t version, arena_bytes;
    uint32_t count, i;
    lwai_status st;

    if (!is_object(root)) {
        return fail(L, "not a JSON object");
    }
    format = string_of(required(root, "format"));
    if (format == NULL || strcmp(format, "lwai-graph") != 0) {
        return fail(L, "format: not \"lwai-graph\"");
    }
    if (!to_int32(required(root, "version"), INT32_MIN, INT32_MAX, &version)) {
        return fail(L, "version");
    }
    if (version != (int32_t)LWAI_GRAPH_FORMAT_VERSION) {
        L->detail = "version: this runtime reads version 1";
        return LWAI_ERR_VERSION;
    }
    name = string_of(required(root, "name"));
    if (name == NULL) {
        return fail(L, "name");
    }
    m = (json_model *)calloc(1u, sizeof(json_model));
    if (m == NULL) {
        return fail(L, "out of memory");
    }
    L->m = m;
    m->name = copy_string(m, name);
    if (m->name == NULL) {
        return fail(L, "out of memory");
    }

    if (!to_int32(required(root, "arena_bytes"), 0, (int32_t)LWAI_GRAPH_MAX_BYTES,
                  &arena_bytes)) {
        return fail(L, "arena_bytes");
    }
    m->arena_bytes = (uint32_t)arena_bytes;
    L->kernels = required(root, "kernels");
    if (!array_count(L->kernels, LWAI_GRAPH_MAX_NODES, &count)) {
        return fail(L, "kernels");
    }
    for (c = L->kernels->child; c != NULL; c = c->next) {
        if (string_of(c) == NULL) {
            return fail(L, "kernels: names");
        }
    }

    item = required(root, "tensors");
    if (!array_count(item, LWAI_GRAPH_MAX_TENSORS, &count)) {
        return fail(L, "tensors");
    }
    m->tensors = (lwai_graph_tensor_src *)take(m, (size_t)count * sizeof(lwai_graph_tensor_src),
                                               RECORD_ALIGN);
    if (m->tensors == NULL) {
        return fail(L, "out of memory");
    }
    memset(m->tensors, 0, (size_t)count * sizeof(lwai_graph_tensor_src));
    for (c = item->child, i = 0u; c != NULL; c = c->next, ++i) {
        L->index = i;
        st = decode_tensor(L, c, &m->tensors[i]);
        if (st != LWAI_OK) {
            return st;
        }
    }
    m->num_tensors = count;

    item = required(root, "nodes");
    if (!array_count(item, LWAI_GRAPH_MAX_NODES, &count)) {
        return fail(L, "nodes");
    }
    m->nodes = (lwai_graph_node_src *)take(m, (size_t)count * sizeof(lwai_graph_node_src),
                                           RECORD_ALIGN);
    if (m->nodes == NULL) {
        return fail(L, "out of memory");
    }
    memset(m->nodes, 0, (size_t)count * sizeof(lwai_graph_node_src));
    for (c = item->child, i = 0u; c != NULL; c = c->next, ++i) {
        L->index = i;
        st = decode_node(L, c, &m->nodes[i]);
        if (st != LWAI_OK) {
            return st;
        }
    }
    m->num_nodes = count;

    st = int_array(L, required(root, "inputs"), 1u, LWAI_GRAPH_MAX_IO, 0,
                   (int32_t)m->num_tensors - 1, &m->inputs, &m->num_inputs, "inputs");
    if (st != LWAI_OK) {
        return st;
    }
    return int_array(L, required(root, "outputs"), 1u, LWAI_GRAPH_MAX_IO, 0,
                     (int32_t)m->num_tensors - 1, &m->outputs, &m->num_outputs, "outputs");
}

static lwai_status source_tensor(void *ctx, uint32_t i, lwai_graph_tensor_src *t)
{
    const json_model *m = (const json_model *)ctx;
    if (i >= m->num_tensors) {
        return LWAI_ERR_BAD_MODEL;
    }
    *t = m->tensors[i];
    return LWAI_OK;
}

static lwai_status source_node(void *ctx, uint32_t i, lwai_graph_node_src *n)
{
    const json_model *m = (const json_model *)ctx;
    if (i >= m->num_nodes) {
        return LWAI_ERR_BAD_MODEL;
    }
    *n = m->nodes[i];
    return LWAI_OK;
}

/* Parses the whole text: one JSON value, then only whitespace (or NUL terminators). */
static cJSON *parse(const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *root;
    PARSE_LOCK();
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    PARSE_UNLOCK();
    if (root == NULL) {
        return NULL;
    }
    if (end == NULL || end < text || end > text + len) {
        cJSON_Delete(root);
        return NULL;
    }
    for (; end < text + len; ++end) {
        if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r' && *end != '\0') {
            cJSON_Delete(root);
            return NULL;
        }
    }
    return root;
}

/* model->detail must outlive the loader's heap, which a failed load frees: texts built at
 * run time (the missing kernel's name, a detail with its index) go to the start of the
 * caller's arena, which a failed load leaves unused. */
static const char *keep_in_arena(const char *name, uint8_t *arena, size_t arena_bytes)
{
    size_t n = strlen(name);
    if (arena_bytes == 0u) {
        return "a kernel this image lacks";
    }
    if (n > arena_bytes - 1u) {
        n = arena_bytes - 1u;
    }
    memmove(arena, name, n);
    arena[n] = '\0';
    return (const char *)arena;
}

/* "tensors[].shape" for tensor 3 becomes "tensors[3].shape" (without stdio, which bare-metal
 * images would otherwise link); the static text when the arena has no room. */
static const char *with_index(const char *detail, uint32_t index, uint8_t *arena,
                              size_t arena_bytes)
{
    const char *brackets = detail != NULL ? strstr(detail, "[]") : NULL;
    char digits[10];
    size_t count = 0u, head, tail, i;
    if (brackets == NULL) {
        return detail;
    }
    do {
        digits[count++] = (char)('0' + index % 10u);
        index /= 10u;
    } while (index != 0u);
    head = (size_t)(brackets - detail) + 1u; /* up to and with '[' */
    tail = strlen(brackets + 1);             /* from ']' on */
    if (head + count + tail + 1u > arena_bytes) {
        return detail;
    }
    memcpy(arena, detail, head);
    for (i = 0; i < count; ++i) {
        arena[head + i] = (uint8_t)digits[count - 1u - i];
    }
    memcpy(arena + head + count, brackets + 1, tail + 1u);
    return (const char *)arena;
}

lwai_status lwai_model_load_json(const char *text, size_t len, uint8_t *arena,
                                 size_t arena_bytes, const lwai_load_options *options,
                                 lwai_model *model)
{
    lwai_graph_source src;
    loader L;
    cJSON *root;
    lwai_status st;

    if (model == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    memset(model, 0, sizeof *model);
    if (text == NULL || arena == NULL || ((uintptr_t)arena % LWAI_ARENA_ALIGN) != 0u) {
        return LWAI_ERR_INVALID_ARG;
    }
    root = parse(text, len);
    if (root == NULL) {
        model->detail = "not valid JSON (or text after it)";
        return LWAI_ERR_BAD_MODEL;
    }
    memset(&L, 0, sizeof L);
    st = decode_graph(&L, root);
    cJSON_Delete(root);
    if (st != LWAI_OK) {
        free_model(L.m);
        model->detail = with_index(L.detail, L.index, arena, arena_bytes);
        return st;
    }

    memset(&src, 0, sizeof src);
    src.name = L.m->name;
    src.arena_bytes = L.m->arena_bytes;
    src.num_tensors = L.m->num_tensors;
    src.num_nodes = L.m->num_nodes;
    src.num_inputs = L.m->num_inputs;
    src.num_outputs = L.m->num_outputs;
    src.inputs = L.m->inputs;
    src.outputs = L.m->outputs;
    src.ctx = L.m;
    src.tensor = source_tensor;
    src.node = source_node;
    st = lwai_graph_bind(&src, arena, arena_bytes, options, model);
    if (st != LWAI_OK) {
        if (st == LWAI_ERR_KERNEL_MISSING && model->detail != NULL) {
            model->detail = keep_in_arena(model->detail, arena, arena_bytes);
        }
        free_model(L.m);
        return st;
    }
    model->loader = L.m;
    model->release = json_release;
    return LWAI_OK;
}
