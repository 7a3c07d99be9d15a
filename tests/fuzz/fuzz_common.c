/* Shared pieces of the libFuzzer targets (fuzz_common.h). */
#define _POSIX_C_SOURCE 200112L
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile uint8_t sink_byte;

void fuzz_fail(const char *what)
{
    fprintf(stderr, "lwai fuzz: %s\n", what);
    abort(); /* libFuzzer reports the input as a crash */
}

uint32_t fuzz_crc32(const uint8_t *buf, size_t len, size_t skip)
{
    static uint32_t table[256];
    static int ready;
    uint32_t crc = 0xffffffffu;
    size_t i;
    if (!ready) {
        uint32_t n, k;
        for (n = 0; n < 256u; ++n) {
            uint32_t c = n;
            for (k = 0; k < 8u; ++k) {
                c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        ready = 1;
    }
    for (i = 0; i < len; ++i) {
        const uint32_t byte = i - skip < 4u ? 0u : buf[i];
        crc = table[(crc ^ byte) & 0xffu] ^ (crc >> 8);
    }
    return ~crc;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

long fuzz_lwfb_crc_at(const uint8_t *buf, size_t len)
{
    /* Model.crc32 is field 9 of the root table: vtable slot 4 + 2 * 9. */
    const uint32_t slot = 4u + 2u * 9u;
    uint64_t root, vtable, at;
    uint32_t vsize, off;
    int32_t soffset;
    uint32_t raw;
    if (len < 8u || len > 0x7fffffffu) {
        return -1;
    }
    root = rd32(buf);
    if (root % 4u != 0u || root + 4u > len) {
        return -1;
    }
    raw = rd32(buf + root);
    memcpy(&soffset, &raw, sizeof soffset);
    if ((int64_t)root - soffset < 0) {
        return -1;
    }
    vtable = (uint64_t)((int64_t)root - soffset);
    if (vtable + 4u > len) {
        return -1;
    }
    vsize = (uint32_t)buf[vtable] | (uint32_t)buf[vtable + 1] << 8;
    if (slot + 2u > vsize || vtable + slot + 2u > len) {
        return -1;
    }
    off = (uint32_t)buf[vtable + slot] | (uint32_t)buf[vtable + slot + 1] << 8;
    at = root + off;
    if (off == 0u || at + 4u > len) {
        return -1;
    }
    return (long)at;
}

int fuzz_lwfb_reseal(uint8_t *buf, size_t len)
{
    const long at = fuzz_lwfb_crc_at(buf, len);
    uint32_t crc;
    if (at < 0) {
        return -1;
    }
    crc = fuzz_crc32(buf, len, (size_t)at);
    buf[at] = (uint8_t)crc;
    buf[at + 1] = (uint8_t)(crc >> 8);
    buf[at + 2] = (uint8_t)(crc >> 16);
    buf[at + 3] = (uint8_t)(crc >> 24);
    return 0;
}

/* With LWAI_FUZZ_SELFTEST set, an input starting "LWAI-FUZZ-SELFTEST" reads one byte past
 * its copy: tests/test_fuzz.py checks that scripts/fuzz.py reports such a finding. */
static void selftest(const uint8_t *copy, size_t len)
{
    static const char magic[] = "LWAI-FUZZ-SELFTEST";
    static int enabled = -1;
    if (enabled < 0) {
        enabled = getenv("LWAI_FUZZ_SELFTEST") != NULL;
    }
    if (enabled && len >= sizeof magic - 1u && memcmp(copy, magic, sizeof magic - 1u) == 0) {
        sink_byte = copy[len]; /* heap-buffer-overflow */
    }
}

uint8_t *fuzz_copy(const void *data, size_t len)
{
    void *p = NULL;
    /* posix_memalign adds no padding of its own: the block ends at len (ASan redzone) */
    if (posix_memalign(&p, 16, len == 0u ? 1u : len) != 0) {
        fuzz_fail("out of memory");
    }
    if (len != 0u) {
        memcpy(p, data, len);
    }
    selftest((const uint8_t *)p, len);
    return (uint8_t *)p;
}

lwai_status fuzz_load_lwfb(const uint8_t *file, size_t len, uint8_t *arena, size_t arena_bytes,
                           lwai_model *model)
{
    return lwai_model_load(file, len, arena, arena_bytes, model);
}

static int known_load_status(lwai_status st)
{
    return st == LWAI_OK || st == LWAI_ERR_ARENA_TOO_SMALL || st == LWAI_ERR_KERNEL_MISSING ||
           st == LWAI_ERR_BAD_MODEL || st == LWAI_ERR_VERSION;
}

static volatile uint32_t sink; /* keeps the reads of the outputs */

/* With LWAI_FUZZ_STATS set, counts of load statuses (index -status) and of runs, printed at
 * exit: how deep the inputs get. */
static unsigned long load_counts[16], runs, runs_ok;

/* A tensor the API hands out lies inside the arena the model was bound to. */
static void check_tensor(const lwai_tensor *t, const uint8_t *arena, size_t arena_bytes)
{
    const uint8_t *d = (const uint8_t *)t->data;
    uint32_t b;
    if (t->info == NULL || d < arena || (uint64_t)(d - arena) + t->info->bytes > arena_bytes) {
        fuzz_fail("an input or output tensor lies outside the arena");
    }
    for (b = 0; b < t->info->bytes; ++b) {
        sink += d[b];
    }
}

static void run_model(lwai_model *model, const uint8_t *arena, size_t arena_bytes)
{
    const lwai_model_desc *desc = model->desc;
    lwai_status st;
    size_t i;
    lwai_tensor t;
    if (desc == NULL || desc->num_inputs == 0u || desc->num_outputs == 0u) {
        fuzz_fail("a model loaded without inputs or outputs");
    }
    for (i = 0; i < desc->num_inputs; ++i) {
        uint32_t b;
        if (lwai_model_input(model, i, &t) != LWAI_OK) {
            fuzz_fail("lwai_model_input refused a listed input");
        }
        check_tensor(&t, arena, arena_bytes);
        for (b = 0; b < t.info->bytes; ++b) {
            ((uint8_t *)t.data)[b] = (uint8_t)(b * 37u + 11u);
        }
    }
    if (lwai_model_input(model, desc->num_inputs, &t) != LWAI_ERR_INVALID_ARG) {
        fuzz_fail("lwai_model_input accepted an index past the inputs");
    }
    st = lwai_model_run(model);
    ++runs;
    runs_ok += st == LWAI_OK;
    /* A kernel may refuse a parameter combination at run time; the run must not crash. */
    if (st != LWAI_OK && st != LWAI_ERR_UNSUPPORTED && st != LWAI_ERR_INVALID_ARG &&
        st != LWAI_ERR_BAD_MODEL && st != LWAI_ERR_WORKSPACE && st != LWAI_ERR_BACKEND) {
        fuzz_fail("lwai_model_run returned an undocumented status");
    }
    for (i = 0; i < desc->num_outputs; ++i) {
        if (lwai_model_output(model, i, &t) != LWAI_OK) {
            fuzz_fail("lwai_model_output refused a listed output");
        }
        check_tensor(&t, arena, arena_bytes);
    }
}


static void print_stats(void)
{
    unsigned i;
    fprintf(stderr, "lwai fuzz stats: loads");
    for (i = 0; i < 16u; ++i) {
        if (load_counts[i] != 0u) {
            fprintf(stderr, " %d:%lu", -(int)i, load_counts[i]);
        }
    }
    fprintf(stderr, " runs:%lu runs_ok:%lu\n", runs, runs_ok);
}

static void count_load(lwai_status st)
{
    static int stats = -1;
    if (stats < 0) {
        stats = getenv("LWAI_FUZZ_STATS") != NULL;
        if (stats) {
            atexit(print_stats);
        }
    }
    if (stats && st <= 0 && st > -16) {
        ++load_counts[-(int)st];
    }
}

lwai_status fuzz_load_and_run(fuzz_loader load, const uint8_t *file, size_t len)
{
    /* 64 bytes: smaller than any graph's records, so the first load reports arena_needed */
    static uint8_t small_storage[64] __attribute__((aligned(16)));
    lwai_model model;
    uint8_t *arena = NULL;
    size_t arena_bytes = sizeof small_storage;
    lwai_status st = load(file, len, small_storage, arena_bytes, &model);
    if (!known_load_status(st)) {
        fuzz_fail("load returned an undocumented status");
    }
    if (st == LWAI_ERR_ARENA_TOO_SMALL) {
        if (model.arena_needed <= arena_bytes) {
            fuzz_fail("ARENA_TOO_SMALL with an arena_needed that fits");
        }
        lwai_model_release(&model);
        if (model.arena_needed > FUZZ_MAX_ARENA) {
            return st;
        }
        arena_bytes = model.arena_needed;
        if (posix_memalign((void **)&arena, LWAI_ARENA_ALIGN, arena_bytes) != 0) {
            fuzz_fail("out of memory");
        }
        memset(arena, 0xa5, arena_bytes); /* not zero: reads of unwritten bytes vary */
        st = load(file, len, arena, arena_bytes, &model);
        if (st == LWAI_ERR_ARENA_TOO_SMALL) {
            fuzz_fail("ARENA_TOO_SMALL with an arena of arena_needed bytes");
        }
        if (!known_load_status(st)) {
            fuzz_fail("load returned an undocumented status");
        }
    }
    count_load(st);
    if (st == LWAI_OK) {
        run_model(&model, arena != NULL ? arena : small_storage, arena_bytes);
    } else if (st != LWAI_ERR_ARENA_TOO_SMALL && model.detail == NULL) {
        fuzz_fail("a refused load left no detail naming the problem");
    }
    lwai_model_release(&model);
    free(arena);
    return st;
}
