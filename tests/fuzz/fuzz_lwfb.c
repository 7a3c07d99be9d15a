/* libFuzzer target "lwfb": the .lwfb loader (runtime/src/loaders/flatbuffer.c) alone, linked
 * with a stub lwai_graph_bind that, instead of the executor's checks (which would mask a gap
 * in the loader's), asks for every tensor and node and checks what the loader hands out
 * against its contract, as tests/graph_fuzz/verifier.c does for fixed files: every pointer
 * inside the file for its whole count, int/float vectors 4-aligned, constant data 16-aligned,
 * strings NUL-terminated inside the file, ndim <= LWAI_MAX_DIMS, indices past the end refused.
 * It reads every byte it is given, so ASan sees a stray pointer too; a broken contract aborts.
 *
 * Each input is loaded as it is (the checksum check), then, when it has a Model.crc32 field,
 * once more with the checksum recomputed: libFuzzer's mutations would almost never get past
 * a CRC-32 otherwise. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "graph_internal.h"

static const uint8_t *file_start;
static size_t file_len;
static volatile unsigned sink;

/* `bytes` bytes at p lie in the file, p aligned to `align`; reads them all. */
static void in_file(const void *p, uint64_t bytes, uintptr_t align, const char *what)
{
    const uint8_t *b = (const uint8_t *)p;
    uint64_t i;
    if (p == NULL) {
        if (bytes != 0u) {
            fuzz_fail(what);
        }
        return;
    }
    if (b < file_start || (uint64_t)(b - file_start) + bytes > file_len ||
        (uintptr_t)b % align != 0u) {
        fuzz_fail(what);
    }
    for (i = 0; i < bytes; ++i) {
        sink += b[i];
    }
}

static void string_in_file(const char *s, const char *what)
{
    const uint8_t *b = (const uint8_t *)s;
    if (s == NULL) {
        fuzz_fail(what);
    }
    if (s[0] == '\0' && (b < file_start || b >= file_start + file_len)) {
        return; /* the loader's own "" for an absent string */
    }
    if (b < file_start || b >= file_start + file_len ||
        memchr(b, 0, (size_t)(file_start + file_len - b)) == NULL) {
        fuzz_fail(what);
    }
}

lwai_status lwai_graph_bind(const lwai_graph_source *src, uint8_t *arena, size_t arena_bytes,
                            const lwai_load_options *options, lwai_model *model)
{
    lwai_graph_tensor_src t;
    lwai_graph_node_src n;
    uint32_t i;
    (void)arena;
    (void)arena_bytes;
    (void)options;
    (void)model;
    string_in_file(src->name, "model name outside the file");
    in_file(src->inputs, 4ull * src->num_inputs, 4, "graph inputs outside the file");
    in_file(src->outputs, 4ull * src->num_outputs, 4, "graph outputs outside the file");
    for (i = 0; i < src->num_tensors; ++i) {
        memset(&t, 0, sizeof t);
        if (src->tensor(src->ctx, i, &t) != LWAI_OK) {
            return LWAI_ERR_BAD_MODEL;
        }
        string_in_file(t.name, "tensor name outside the file");
        if (t.ndim > LWAI_MAX_DIMS) {
            fuzz_fail("tensor ndim above LWAI_MAX_DIMS");
        }
        in_file(t.shape, 4ull * t.ndim, 4, "tensor shape outside the file");
        in_file(t.const_data, t.const_bytes, 16, "tensor data outside the file");
        sink += (unsigned)t.dtype + (unsigned)t.arena_offset + (unsigned)t.zero_point;
    }
    for (i = 0; i < src->num_nodes; ++i) {
        memset(&n, 0, sizeof n);
        if (src->node(src->ctx, i, &n) != LWAI_OK) {
            return LWAI_ERR_BAD_MODEL;
        }
        string_in_file(n.kernel, "node kernel outside the file");
        in_file(n.inputs, 4ull * n.num_inputs, 4, "node inputs outside the file");
        in_file(n.outputs, 4ull * n.num_outputs, 4, "node outputs outside the file");
        in_file(n.dims, 4ull * n.num_dims, 4, "node dims outside the file");
        in_file(n.params, 4ull * n.num_params, 4, "node params outside the file");
        in_file(n.fparams, 4ull * n.num_fparams, 4, "node fparams outside the file");
    }
    if (src->tensor(src->ctx, src->num_tensors, &t) == LWAI_OK ||
        src->tensor(src->ctx, 0xffffffffu, &t) == LWAI_OK) {
        fuzz_fail("tensor index past the end accepted");
    }
    if (src->node(src->ctx, src->num_nodes, &n) == LWAI_OK ||
        src->node(src->ctx, 0xffffffffu, &n) == LWAI_OK) {
        fuzz_fail("node index past the end accepted");
    }
    return LWAI_OK;
}

static void load_one(const uint8_t *file, size_t len)
{
    static uint8_t arena[256] __attribute__((aligned(16)));
    lwai_model model;
    lwai_status st;
    file_start = file;
    file_len = len;
    st = lwai_model_load(file, len, arena, sizeof arena, &model);
    if (st != LWAI_OK && st != LWAI_ERR_BAD_MODEL && st != LWAI_ERR_VERSION) {
        fuzz_fail("lwai_model_load returned an undocumented status");
    }
    if (st != LWAI_OK && model.detail == NULL) {
        fuzz_fail("a refused file left no detail naming the problem");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *file = fuzz_copy(data, size);
    load_one(file, size);
    if (fuzz_lwfb_reseal(file, size) == 0) {
        load_one(file, size);
    }
    free(file);
    return 0;
}
