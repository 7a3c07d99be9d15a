/* The .lwfb loader's verifier alone, for tests/test_graph_fuzz.py: links
 * runtime/src/loaders/flatbuffer.c against a stub lwai_graph_bind that, instead of the
 * executor's checks (which would mask a gap in the loader's), asks the loader for every
 * tensor and node and checks what it hands out against the loader's own contract: every
 * pointer inside the file for its whole count, int/float vectors 4-aligned, constant data
 * 16-aligned, strings NUL-terminated inside the file, ndim <= LWAI_MAX_DIMS, out-of-range
 * indices refused. It touches every byte it is given, so ASan sees any stray pointer too.
 * Prints "<status> <file>" per file, and "CONTRACT <file>: <what>" for every violation. */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

static const uint8_t *file_start;
static size_t file_len;
static const char *file_name;
static unsigned sink; /* keeps the reads of every byte */

static void violation(const char *what, uint32_t index)
{
    printf("CONTRACT %s: %s %u\n", file_name, what, (unsigned)index);
}

/* `bytes` bytes at p lie in the file, p aligned to `align`; reads them all. */
static void in_file(const void *p, uint64_t bytes, uintptr_t align, const char *what,
                    uint32_t index)
{
    const uint8_t *b = (const uint8_t *)p;
    uint64_t i;
    if (p == NULL) {
        if (bytes != 0u) {
            violation(what, index);
        }
        return;
    }
    if (b < file_start || (uint64_t)(b - file_start) + bytes > file_len ||
        (uintptr_t)b % align != 0u) {
        violation(what, index);
        return;
    }
    for (i = 0; i < bytes; ++i) {
        sink += b[i];
    }
}

static void string_in_file(const char *s, const char *what, uint32_t index)
{
    const uint8_t *b = (const uint8_t *)s;
    size_t i;
    if (s == NULL) {
        violation(what, index);
        return;
    }
    if (s[0] == '\0' && (b < file_start || b >= file_start + file_len)) {
        return; /* the loader's own "" for an absent string */
    }
    if (b < file_start || b >= file_start + file_len) {
        violation(what, index);
        return;
    }
    for (i = 0; b + i < file_start + file_len; ++i) {
        if (b[i] == 0u) {
            return;
        }
    }
    violation(what, index); /* no NUL inside the file */
}

lwai_status lwai_graph_bind(const lwai_graph_source *src, uint8_t *arena, size_t arena_bytes,
                            const lwai_load_options *options, lwai_model *model)
{
    uint32_t i;
    (void)arena;
    (void)arena_bytes;
    (void)options;
    (void)model;
    string_in_file(src->name, "model name", 0);
    in_file(src->inputs, 4ull * src->num_inputs, 4, "graph inputs", 0);
    in_file(src->outputs, 4ull * src->num_outputs, 4, "graph outputs", 0);
    for (i = 0; i < src->num_tensors; ++i) {
        lwai_graph_tensor_src t;
        memset(&t, 0, sizeof t);
        if (src->tensor(src->ctx, i, &t) != LWAI_OK) {
            return LWAI_ERR_BAD_MODEL;
        }
        string_in_file(t.name, "tensor name", i);
        if (t.ndim > LWAI_MAX_DIMS) {
            violation("tensor ndim", i);
        }
        in_file(t.shape, 4ull * t.ndim, 4, "tensor shape", i);
        in_file(t.const_data, t.const_bytes, 16, "tensor data", i);
    }
    for (i = 0; i < src->num_nodes; ++i) {
        lwai_graph_node_src n;
        memset(&n, 0, sizeof n);
        if (src->node(src->ctx, i, &n) != LWAI_OK) {
            return LWAI_ERR_BAD_MODEL;
        }
        string_in_file(n.kernel, "node kernel", i);
        in_file(n.inputs, 4ull * n.num_inputs, 4, "node inputs", i);
        in_file(n.outputs, 4ull * n.num_outputs, 4, "node outputs", i);
        in_file(n.dims, 4ull * n.num_dims, 4, "node dims", i);
        in_file(n.params, 4ull * n.num_params, 4, "node params", i);
        in_file(n.fparams, 4ull * n.num_fparams, 4, "node fparams", i);
    }
    /* Indices past the end are refused, not read. */
    {
        lwai_graph_tensor_src t;
        lwai_graph_node_src n;
        if (src->tensor(src->ctx, src->num_tensors, &t) == LWAI_OK ||
            src->tensor(src->ctx, 0xffffffffu, &t) == LWAI_OK) {
            violation("tensor index past the end accepted", src->num_tensors);
        }
        if (src->node(src->ctx, src->num_nodes, &n) == LWAI_OK ||
            src->node(src->ctx, 0xffffffffu, &n) == LWAI_OK) {
            violation("node index past the end accepted", src->num_nodes);
        }
    }
    return LWAI_OK;
}

int main(int argc, char **argv)
{
    static uint8_t arena[256] __attribute__((aligned(16)));
    int i, status = 0;
    for (i = 1; i < argc; ++i) {
        FILE *f = fopen(argv[i], "rb");
        long size;
        void *copy = NULL;
        lwai_model model;
        lwai_status st;
        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) != 0 || posix_memalign(&copy, 16, size ? (size_t)size : 1u) ||
            fread(copy, 1, (size_t)size, f) != (size_t)size) {
            fprintf(stderr, "verifier: cannot read %s\n", argv[i]);
            status = 2;
        } else {
            file_start = (const uint8_t *)copy;
            file_len = (size_t)size;
            file_name = argv[i];
            st = lwai_model_load((const uint8_t *)copy, (size_t)size, arena, sizeof arena,
                                 &model);
            printf("%d %s\n", (int)st, argv[i]);
        }
        if (f != NULL) {
            fclose(f);
        }
        free(copy);
        fflush(stdout);
    }
    return status;
}
