/* Fuzz harness for the graph loaders and executor, built with ASan + UBSan by
 * tests/test_graph_fuzz.py. For every file on the command line it loads the model from a
 * 16-byte aligned heap copy of exactly the file's size (so a read one byte past the end is
 * an ASan report), first with a too-small arena to learn arena_needed, then with an arena of
 * exactly that size, runs the model once when it loads, and prints
 *     <load status> <run status or "-"> <arena_needed> <file> TAB <model.detail>
 * Exit status: 0 when every file was processed (any load/run status is fine), 2 on I/O
 * errors; a sanitizer report aborts the process. `--api` first checks the argument checks
 * (NULL and misaligned pointers) and prints "api ok" or "api FAIL ...". */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwai/graph.h"

#define MAX_ARENA (64u * 1024u * 1024u) /* mutated arena sizes beyond this are not tried */

static void *aligned_copy(const void *data, size_t len)
{
    void *p = NULL;
    /* posix_memalign puts no size constraint: the block ends exactly at len (ASan redzone) */
    if (posix_memalign(&p, 16, len == 0 ? 1 : len) != 0) {
        return NULL;
    }
    if (len != 0) {
        memcpy(p, data, len);
    }
    return p;
}

static int read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long size;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    *len = (size_t)size;
    *data = malloc(*len == 0 ? 1 : *len);
    if (*data == NULL || fread(*data, 1, *len, f) != *len) {
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

static lwai_status load(const char *path, const unsigned char *file, size_t len,
                        uint8_t *arena, size_t arena_bytes, lwai_model *model)
{
#ifdef HARNESS_JSON
    const size_t n = strlen(path);
    if (n >= 5 && strcmp(path + n - 5, ".json") == 0) {
        return lwai_model_load_json((const char *)file, len, arena, arena_bytes, NULL, model);
    }
#else
    (void)path;
#endif
    return lwai_model_load(file, len, arena, arena_bytes, model);
}

/* Fills the inputs with a fixed pattern, runs once; returns the run status. */
static lwai_status run_once(lwai_model *model)
{
    size_t i;
    for (i = 0; i < model->desc->num_inputs; ++i) {
        lwai_tensor t;
        uint32_t b;
        if (lwai_model_input(model, i, &t) != LWAI_OK) {
            return LWAI_ERR_INVALID_ARG;
        }
        for (b = 0; b < t.info->bytes; ++b) {
            ((uint8_t *)t.data)[b] = (uint8_t)(b * 37u + 11u);
        }
    }
    return lwai_model_run(model);
}

static void report(const char *path, lwai_status st, int ran, lwai_status run,
                   const lwai_model *model)
{
    if (ran) {
        printf("%d %d", (int)st, (int)run);
    } else {
        printf("%d -", (int)st);
    }
    printf(" %lu %s\t%s\n", (unsigned long)model->arena_needed, path,
           model->detail != NULL ? model->detail : "");
}

static int one_file(const char *path)
{
    unsigned char *raw = NULL, *file;
    size_t len = 0;
    uint8_t small_arena_storage[64 + 16];
    uint8_t *small_arena =
        small_arena_storage + (16u - (uintptr_t)small_arena_storage % 16u) % 16u;
    uint8_t *arena = NULL;
    lwai_model model;
    lwai_status st, run = LWAI_OK;
    int ran = 0;

    if (read_file(path, &raw, &len) != 0) {
        fprintf(stderr, "harness: cannot read %s\n", path);
        free(raw);
        return -1;
    }
    file = aligned_copy(raw, len);
    free(raw);
    if (file == NULL) {
        return -1;
    }
    st = load(path, file, len, small_arena, 64, &model);
    if (st == LWAI_ERR_ARENA_TOO_SMALL && model.arena_needed <= MAX_ARENA) {
        const size_t arena_bytes = model.arena_needed;
        lwai_model_release(&model);
        if (posix_memalign((void **)&arena, 16, arena_bytes == 0 ? 1 : arena_bytes) != 0) {
            free(file);
            return -1;
        }
        memset(arena, 0xa5, arena_bytes);
        st = load(path, file, len, arena, arena_bytes, &model);
    }
    if (st == LWAI_OK) {
        run = run_once(&model);
        ran = 1;
    }
    /* detail may point into the file or the arena: report before freeing them */
    report(path, st, ran, run, &model);
    lwai_model_release(&model);
    free(arena);
    free(file);
    return 0;
}

/* NULL and misaligned arguments are refused before anything is read. */
static int api_checks(void)
{
    static uint8_t storage[256 + 16];
    uint8_t *aligned = storage + (16u - (uintptr_t)storage % 16u) % 16u;
    lwai_model model;
    int fails = 0;
    memset(aligned, 0, 256);
    memcpy(aligned + 4, "LWFB", 4);
    if (lwai_model_load(NULL, 64, aligned, 128, &model) != LWAI_ERR_INVALID_ARG) {
        printf("api FAIL NULL buffer\n");
        ++fails;
    }
    if (lwai_model_load(aligned + 4, 64, aligned + 128, 128, &model) != LWAI_ERR_INVALID_ARG) {
        printf("api FAIL misaligned buffer\n");
        ++fails;
    }
    if (lwai_model_load(aligned, 64, NULL, 128, &model) != LWAI_ERR_INVALID_ARG) {
        printf("api FAIL NULL arena\n");
        ++fails;
    }
    if (lwai_model_load(aligned, 64, aligned + 128, 128, NULL) != LWAI_ERR_INVALID_ARG) {
        printf("api FAIL NULL model\n");
        ++fails;
    }
    if (lwai_model_load(aligned, 64, aligned + 128, 128, &model) != LWAI_ERR_BAD_MODEL) {
        printf("api FAIL zero file\n");
        ++fails;
    }
    if (fails == 0) {
        printf("api ok\n");
    }
    return fails;
}

int main(int argc, char **argv)
{
    int i, status = 0;
    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--api") == 0) {
            api_checks();
        } else if (one_file(argv[i]) != 0) {
            status = 2;
        }
        fflush(stdout);
    }
    return status;
}
