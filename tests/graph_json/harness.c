/* Test harness of the JSON model loader, built with ASan + UBSan (leak checks on) by
 * tests/test_graph_json.py together with the runtime, the reference kernels and cJSON.
 * Model text is always handed over in a heap block of exactly its size, without a NUL, so a
 * read past the end is an ASan report. Files ending in .lwfb go to the FlatBuffer loader
 * (for comparing the two formats), anything else to the JSON loader.
 *
 *   harness check FILE...       per file: <load> <run|-> <arena_needed> <outputs|-> TAB <detail>
 *                               (inputs filled with a fixed pattern; outputs as an FNV-1a hash)
 *   harness run FILE IN...      loads, reads input i from IN i, runs, prints each output in hex
 *   harness fuzz SEED N FILE    N damaged copies of FILE (truncations, byte changes, cut or
 *                               repeated ranges, numbers swapped for extreme ones), each loaded
 *                               and run when it loads; prints counts per load status
 *   harness api                 argument checks and lwai_model_release on odd models
 *
 * Every load gets a fake TVM function "tvm:lwai_test_copy4" (two 4-byte arguments, copies
 * the first into the second) through lwai_load_options. After a failed load the model must
 * hold nothing (no desc, loader or release) and its detail, if any, must be a readable
 * string: ASan reports a detail left pointing into freed memory. */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwai/graph.h"
#include "lwai/kernel_params.h" /* LWAI_MODEL_ABI */

#define MAX_ARENA (16u * 1024u * 1024u) /* damaged files asking for more are not loaded */

static int32_t test_copy4(void *self, void *args, int32_t num_args, void *result)
{
    const TVMFFIAny *a = (const TVMFFIAny *)args;
    (void)self;
    (void)result;
    if (num_args != 2) {
        return -1;
    }
    memcpy(((DLTensor *)a[1].v_ptr)->data, ((DLTensor *)a[0].v_ptr)->data, 4);
    return 0;
}

static const uint32_t copy4_bytes[] = {4u, 4u};
static const lwai_tvm_kernel tvm_kernels[] = {{"lwai_test_copy4", test_copy4, 2u, copy4_bytes, 0u}};
static const lwai_load_options options = {tvm_kernels, 1u};

static int ends_with(const char *s, const char *tail)
{
    const size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static int read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long size;
    *data = NULL;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    *len = (size_t)size;
    *data = (unsigned char *)malloc(*len == 0 ? 1 : *len);
    if (*data == NULL || fread(*data, 1, *len, f) != *len) {
        fclose(f);
        free(*data);
        *data = NULL;
        return -1;
    }
    fclose(f);
    return 0;
}

/* A 16-byte aligned block of exactly len bytes holding data (the .lwfb loader wants the
 * alignment; the exact size puts ASan's redzone right after the text). */
static unsigned char *exact_copy(const unsigned char *data, size_t len)
{
    void *p = NULL;
    if (posix_memalign(&p, 16, len == 0 ? 1 : len) != 0) {
        return NULL;
    }
    if (len != 0) {
        memcpy(p, data, len);
    }
    return (unsigned char *)p;
}

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s\n", what);
        ++failures;
    }
}

static lwai_status load_once(int lwfb, const unsigned char *text, size_t len, uint8_t *arena,
                             size_t arena_bytes, lwai_model *model)
{
    lwai_status st;
    if (lwfb) {
        st = lwai_model_load_with(text, len, arena, arena_bytes, &options, model);
    } else {
        st = lwai_model_load_json((const char *)text, len, arena, arena_bytes, &options, model);
    }
    if (st != LWAI_OK) {
        /* Nothing may be left to free or use, and detail must still be readable. */
        expect(model->desc == NULL && model->loader == NULL && model->release == NULL &&
                   model->graph == NULL && model->run_graph == NULL,
               "a failed load left state in the model");
        if (model->detail != NULL) {
            volatile size_t n = strlen(model->detail);
            (void)n;
        }
    }
    return st;
}

/* Loads with a small arena first to learn arena_needed, then with exactly that much (the
 * records at the arena's end then touch the redzone). *arena is the caller's to free. */
static lwai_status load(int lwfb, const unsigned char *text, size_t len, lwai_model *model,
                        uint8_t **arena)
{
    static uint8_t small[64] __attribute__((aligned(16)));
    lwai_status st = load_once(lwfb, text, len, small, sizeof small, model);
    size_t bytes = model->arena_needed;
    *arena = NULL;
    if (st == LWAI_OK) {
        lwai_model_release(model); /* fits 64 bytes: load again into an exact heap arena */
    } else if (st != LWAI_ERR_ARENA_TOO_SMALL || bytes > MAX_ARENA) {
        return st;
    }
    if (posix_memalign((void **)arena, 16, bytes != 0u ? bytes : 16u) != 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    memset(*arena, 0xa5, bytes != 0u ? bytes : 16u);
    st = load_once(lwfb, text, len, *arena, bytes, model);
    expect(st != LWAI_ERR_ARENA_TOO_SMALL, "arena_needed bytes are too few");
    return st;
}

static void fill_inputs(lwai_model *model)
{
    size_t i;
    for (i = 0; i < model->desc->num_inputs; ++i) {
        lwai_tensor t;
        uint32_t b;
        if (lwai_model_input(model, i, &t) != LWAI_OK) {
            continue;
        }
        if (t.info->dtype == LWAI_DTYPE_FLOAT32) {
            for (b = 0; b < t.info->bytes / 4u; ++b) {
                const float v = (float)((int)((b * 37u + 11u) % 256u) - 128) / 64.0f;
                memcpy((uint8_t *)t.data + 4u * b, &v, 4);
            }
        } else {
            for (b = 0; b < t.info->bytes; ++b) {
                ((uint8_t *)t.data)[b] = (uint8_t)(b * 37u + 11u);
            }
        }
    }
}

static uint32_t outputs_hash(const lwai_model *model)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < model->desc->num_outputs; ++i) {
        lwai_tensor t;
        uint32_t b;
        if (lwai_model_output(model, i, &t) != LWAI_OK) {
            return 0u;
        }
        for (b = 0; b < t.info->bytes; ++b) {
            h = (h ^ ((const uint8_t *)t.data)[b]) * 16777619u;
        }
    }
    return h;
}

static int cmd_check(int argc, char **argv)
{
    int i;
    for (i = 0; i < argc; ++i) {
        unsigned char *raw, *text;
        size_t len;
        lwai_model model;
        uint8_t *arena = NULL;
        lwai_status st;
        if (read_file(argv[i], &raw, &len) != 0 || (text = exact_copy(raw, len)) == NULL) {
            fprintf(stderr, "harness: cannot read %s\n", argv[i]);
            free(raw);
            return 2;
        }
        free(raw);
        st = load(ends_with(argv[i], ".lwfb"), text, len, &model, &arena);
        if (st == LWAI_OK) {
            lwai_status run;
            fill_inputs(&model);
            run = lwai_model_run(&model);
            printf("%d %d %u %08x\t%s\n", (int)st, (int)run, (unsigned)model.arena_needed,
                   (unsigned)outputs_hash(&model), model.detail ? model.detail : "-");
        } else {
            printf("%d - %u -\t%s\n", (int)st, (unsigned)model.arena_needed,
                   model.detail ? model.detail : "-");
        }
        lwai_model_release(&model);
        expect(model.release == NULL && model.loader == NULL, "release left state");
        free(arena);
        free(text);
    }
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    unsigned char *raw, *text;
    size_t len, i;
    lwai_model model;
    uint8_t *arena = NULL;
    lwai_status st;
    if (argc < 1 || read_file(argv[0], &raw, &len) != 0 || (text = exact_copy(raw, len)) == NULL) {
        return 2;
    }
    free(raw);
    st = load(ends_with(argv[0], ".lwfb"), text, len, &model, &arena);
    if (st != LWAI_OK) {
        printf("load %d %s\n", (int)st, model.detail ? model.detail : "-");
        free(arena);
        free(text);
        return 1;
    }
    for (i = 0; i < model.desc->num_inputs && (int)i + 1 < argc; ++i) {
        lwai_tensor t;
        unsigned char *in;
        size_t in_len;
        if (lwai_model_input(&model, i, &t) != LWAI_OK || read_file(argv[i + 1], &in, &in_len) != 0 ||
            in_len != t.info->bytes) {
            printf("input %u: wrong size\n", (unsigned)i);
            return 1;
        }
        memcpy(t.data, in, in_len);
        free(in);
    }
    printf("run %d\n", (int)lwai_model_run(&model));
    for (i = 0; i < model.desc->num_outputs; ++i) {
        lwai_tensor t;
        uint32_t b;
        lwai_model_output(&model, i, &t);
        printf("output %s", t.info->name);
        for (b = 0; b < t.info->bytes; ++b) {
            printf(" %02x", ((const uint8_t *)t.data)[b]);
        }
        printf("\n");
    }
    lwai_model_release(&model);
    free(arena);
    free(text);
    return 0;
}

/* ---- fuzz ------------------------------------------------------------------------------- */

static uint32_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return n == 0u ? 0u : rng_state % n;
}

/* One damaged copy of src (malloc'd, *out_len bytes). */
static unsigned char *mutate(const unsigned char *src, size_t len, size_t *out_len)
{
    static const char json_chars[] = "{}[]\",:0123456789-+.eEntfalsu\\ =A/\t";
    static const char *const numbers[] = {"1e999", "-1e999", "2147483648", "-2147483649",
                                          "4294967296", "0.5", "-1", "0", "1e-999", "3e38",
                                          "3.5e38", "65536", "-0", "1E2", "\"7\"", "null",
                                          "true", "[]", "{}"};
    size_t cap = len + 64u, n = len, ops = 1u + rnd(3u), k;
    unsigned char *p = (unsigned char *)malloc(cap);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, src, len);
    for (k = 0; k < ops && n > 0u; ++k) {
        const size_t at = rnd((uint32_t)n);
        switch (rnd(7u)) {
        case 0: /* truncate */
            n = at;
            break;
        case 1: /* any byte */
            p[at] = (unsigned char)rnd(256u);
            break;
        case 2: /* a JSON-significant byte */
            p[at] = (unsigned char)json_chars[rnd(sizeof json_chars - 1u)];
            break;
        case 3: { /* cut a range */
            size_t cut = 1u + rnd(16u);
            if (cut > n - at) {
                cut = n - at;
            }
            memmove(p + at, p + at + cut, n - at - cut);
            n -= cut;
            break;
        }
        case 4: { /* repeat a range */
            size_t rep = 1u + rnd(24u);
            if (rep > n - at) {
                rep = n - at;
            }
            if (n + rep > cap) {
                break;
            }
            memmove(p + at + rep, p + at, n - at);
            n += rep;
            break;
        }
        default: { /* the number starting at or after `at` becomes an extreme value */
            const char *num = numbers[rnd(sizeof numbers / sizeof numbers[0])];
            const size_t nl = strlen(num);
            size_t s = at, e;
            while (s < n && !(p[s] == '-' || (p[s] >= '0' && p[s] <= '9'))) {
                ++s;
            }
            e = s;
            while (e < n && (p[e] == '-' || p[e] == '.' || p[e] == 'e' || p[e] == 'E' ||
                             p[e] == '+' || (p[e] >= '0' && p[e] <= '9'))) {
                ++e;
            }
            if (s == n || n - (e - s) + nl > cap) {
                break;
            }
            memmove(p + s + nl, p + e, n - e);
            memcpy(p + s, num, nl);
            n = n - (e - s) + nl;
            break;
        }
        }
    }
    *out_len = n;
    return p;
}

static int cmd_fuzz(int argc, char **argv)
{
    unsigned char *src;
    size_t len;
    unsigned long i, count;
    unsigned long by_status[9] = {0};
    unsigned long ran = 0;
    if (argc != 3 || read_file(argv[2], &src, &len) != 0) {
        return 2;
    }
    rng_state = (uint32_t)strtoul(argv[0], NULL, 10) * 2654435761u + 1u;
    count = strtoul(argv[1], NULL, 10);
    for (i = 0; i < count; ++i) {
        size_t n;
        unsigned char *m = mutate(src, len, &n);
        unsigned char *text;
        lwai_model model;
        uint8_t *arena = NULL;
        lwai_status st;
        if (m == NULL) {
            return 2;
        }
        text = exact_copy(m, n);
        free(m);
        if (text == NULL) {
            return 2;
        }
        st = load(0, text, n, &model, &arena);
        if (st == LWAI_OK) {
            fill_inputs(&model);
            (void)lwai_model_run(&model);
            ++ran;
        }
        if ((int)st <= 0 && (int)st >= -8) {
            ++by_status[-(int)st];
        }
        lwai_model_release(&model);
        free(arena);
        free(text);
    }
    printf("fuzz %lu ran=%lu", count, ran);
    for (i = 0; i < 9u; ++i) {
        printf(" %ld=%lu", -(long)i, by_status[i]);
    }
    printf("\n");
    free(src);
    return 0;
}

/* ---- api ------------------------------------------------------------------------------ */

static lwai_status aot_run(uint8_t *arena)
{
    (void)arena;
    return LWAI_OK;
}

static int cmd_api(void)
{
    static uint8_t arena_storage[4096 + 16];
    uint8_t *arena = arena_storage + (16u - (uintptr_t)arena_storage % 16u) % 16u;
    static const char text[] = "{}";
    lwai_model model;
    lwai_model_desc desc;
    memset(&model, 0, sizeof model);
    expect(lwai_model_load_json(text, 2, arena, 4096, NULL, NULL) == LWAI_ERR_INVALID_ARG,
           "NULL model");
    expect(lwai_model_load_json(NULL, 2, arena, 4096, NULL, &model) == LWAI_ERR_INVALID_ARG,
           "NULL text");
    expect(lwai_model_load_json(text, 2, NULL, 4096, NULL, &model) == LWAI_ERR_INVALID_ARG,
           "NULL arena");
    expect(lwai_model_load_json(text, 2, arena + 1, 4000, NULL, &model) == LWAI_ERR_INVALID_ARG,
           "misaligned arena");
    expect(lwai_model_load_json(text, 0, arena, 4096, NULL, &model) == LWAI_ERR_BAD_MODEL,
           "empty text");
    /* Release is harmless on a zeroed model, twice, and on an AOT model. */
    memset(&model, 0, sizeof model);
    lwai_model_release(&model);
    lwai_model_release(&model);
    lwai_model_release(NULL);
    memset(&desc, 0, sizeof desc);
    desc.name = "aot";
    desc.abi = LWAI_MODEL_ABI;
    desc.run = aot_run;
    expect(lwai_model_init(&model, &desc, arena, 4096) == LWAI_OK, "AOT init");
    expect(lwai_model_run(&model) == LWAI_OK, "AOT run");
    lwai_model_release(&model);
    expect(lwai_model_run(&model) == LWAI_ERR_STATE, "run after release of an AOT model");
    printf(failures ? "api FAIL\n" : "api ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;
    if (argc >= 2 && strcmp(argv[1], "check") == 0) {
        rc = cmd_check(argc - 2, argv + 2);
    } else if (argc >= 3 && strcmp(argv[1], "run") == 0) {
        rc = cmd_run(argc - 2, argv + 2);
    } else if (argc >= 2 && strcmp(argv[1], "fuzz") == 0) {
        rc = cmd_fuzz(argc - 2, argv + 2);
    } else if (argc == 2 && strcmp(argv[1], "api") == 0) {
        rc = cmd_api();
    } else {
        fprintf(stderr, "usage: harness check|run|fuzz|api ...\n");
    }
    return rc != 0 ? rc : failures != 0 ? 1 : 0;
}
