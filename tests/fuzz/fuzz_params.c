/* libFuzzer target "params": the executor's contract checks against valid models whose
 * values are mutated. A structure-aware mutator (LLVMFuzzerCustomMutator) walks the .lwfb
 * file as runtime/schema/lwai.fbs lays it out, lists every value it may change in place
 * (node params, fparams, dims, operand indices and kernel index; tensor shapes, dtypes,
 * arena offsets, buffer indices, quantization; the graph's arena size and inputs/outputs;
 * the weights' words, which hold the per-channel multipliers and shifts), changes one to
 * four of them to boundary, nearby or random values, and recomputes the CRC-32. Offsets,
 * vtables and lengths stay valid, so nearly every mutant passes the loader and tests what
 * lwai_graph_bind and the kernels' check functions accept; whatever they accept runs
 * (fuzz_load_and_run) under ASan and UBSan. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

enum { K_INT, K_FLOAT, K_BYTE };
/* Classes of values, picked with these weights: params first. Measured over 2,000 single
 * changes of ops_int8.lwfb and micro_speech: the executor accepts about 45% of param, 90%
 * of weight-word and 75% of quantization/offset changes, but 1% of shape/dims and 5-10% of
 * index changes (they must agree with each other and with the bytes), so those get less. */
enum { C_PARAM, C_DATA, C_SHAPE, C_INDEX, C_OTHER, NUM_CLASSES };
static const unsigned class_weight[NUM_CLASSES] = {45, 20, 10, 10, 15};

#define MAX_SLOTS 4096u

typedef struct {
    uint32_t pos;
    uint8_t kind;
} slot;

typedef struct {
    const uint8_t *buf;
    uint32_t len;
    slot slots[NUM_CLASSES][MAX_SLOTS];
    uint32_t count[NUM_CLASSES];
} walk;

static walk w; /* big: static, one mutation at a time */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void add(uint32_t cls, uint32_t pos, uint8_t kind)
{
    if (w.count[cls] < MAX_SLOTS) {
        w.slots[cls][w.count[cls]].pos = pos;
        w.slots[cls][w.count[cls]].kind = kind;
        ++w.count[cls];
    }
}

/* Target of the uoffset at pos, 0 when out of bounds (0 is never a table: the root offset
 * lives there); `pos` 0 only for that root offset (callers pass 0 for "absent"). */
static uint32_t deref_at(uint32_t pos)
{
    uint64_t t;
    if ((uint64_t)pos + 4u > w.len) {
        return 0u;
    }
    t = (uint64_t)pos + rd32(w.buf + pos);
    return t != 0u && t % 4u == 0u && t + 4u <= w.len ? (uint32_t)t : 0u;
}

static uint32_t deref(uint32_t pos)
{
    return pos == 0u ? 0u : deref_at(pos);
}

/* Position of field id (size bytes) of the table at `table`, 0 when absent or broken. */
static uint32_t field(uint32_t table, uint32_t id, uint32_t size)
{
    int32_t soffset;
    uint32_t raw, vsize, off;
    int64_t vtable;
    if (table == 0u) {
        return 0u;
    }
    raw = rd32(w.buf + table);
    memcpy(&soffset, &raw, sizeof soffset);
    vtable = (int64_t)table - soffset;
    if (vtable < 0 || vtable + 4 > (int64_t)w.len) {
        return 0u;
    }
    vsize = (uint32_t)w.buf[vtable] | (uint32_t)w.buf[vtable + 1] << 8;
    if (4u + 2u * id + 2u > vsize || vtable + 4 + 2 * (int64_t)id + 2 > (int64_t)w.len) {
        return 0u;
    }
    off = (uint32_t)w.buf[vtable + 4 + 2 * id] | (uint32_t)w.buf[vtable + 5 + 2 * id] << 8;
    if (off == 0u || (uint64_t)table + off + size > w.len) {
        return 0u;
    }
    return table + off;
}

/* Elements of the vector an offset field refers to: first position and count (0 if none). */
static uint32_t vector(uint32_t table, uint32_t id, uint32_t elem, uint32_t *count)
{
    const uint32_t at = deref(field(table, id, 4u));
    uint32_t n;
    *count = 0u;
    if (at == 0u) {
        return 0u;
    }
    n = rd32(w.buf + at);
    if ((uint64_t)n * elem > (uint64_t)w.len - at - 4u) {
        return 0u;
    }
    *count = n;
    return at + 4u;
}

static void add_vector(uint32_t table, uint32_t id, uint32_t cls, uint8_t kind)
{
    uint32_t n, i;
    const uint32_t at = vector(table, id, 4u, &n);
    for (i = 0; i < n; ++i) {
        add(cls, at + 4u * i, kind);
    }
}

static void add_scalar(uint32_t table, uint32_t id, uint32_t cls, uint8_t kind)
{
    const uint32_t at = field(table, id, kind == K_BYTE ? 1u : 4u);
    if (at != 0u) {
        add(cls, at, kind);
    }
}

/* Lists the mutable values of the file; returns how many. Field numbers as in lwai.fbs. */
static uint32_t walk_file(const uint8_t *buf, size_t len)
{
    uint32_t root, first, n, i, c, total = 0u;
    memset(w.count, 0, sizeof w.count);
    if (len < 16u || len > 0x7fffffffu) {
        return 0u;
    }
    w.buf = buf;
    w.len = (uint32_t)len;
    root = deref_at(0u);
    if (root == 0u) {
        return 0u;
    }
    add_scalar(root, 2, C_OTHER, K_INT);  /* arena_bytes */
    add_vector(root, 6, C_INDEX, K_INT);  /* inputs */
    add_vector(root, 7, C_INDEX, K_INT);  /* outputs */
    first = vector(root, 4, 4u, &n);      /* tensors */
    for (i = 0; i < n; ++i) {
        const uint32_t t = deref(first + 4u * i);
        const uint32_t q = deref(field(t, 3, 4u));
        add_scalar(t, 1, C_OTHER, K_BYTE);  /* dtype */
        add_vector(t, 2, C_SHAPE, K_INT);   /* shape */
        add_scalar(t, 4, C_OTHER, K_INT);   /* arena_offset */
        add_scalar(t, 5, C_INDEX, K_INT);   /* buffer */
        add_vector(q, 0, C_OTHER, K_FLOAT); /* quantization.scale */
        add_vector(q, 1, C_OTHER, K_INT);   /* quantization.zero_point */
    }
    first = vector(root, 5, 4u, &n); /* nodes */
    for (i = 0; i < n; ++i) {
        const uint32_t node = deref(first + 4u * i);
        add_scalar(node, 0, C_INDEX, K_INT);  /* kernel */
        add_vector(node, 1, C_INDEX, K_INT);  /* inputs */
        add_vector(node, 2, C_INDEX, K_INT);  /* outputs */
        add_vector(node, 3, C_SHAPE, K_INT);  /* dims */
        add_vector(node, 4, C_PARAM, K_INT);  /* params */
        add_vector(node, 5, C_PARAM, K_FLOAT); /* fparams */
    }
    first = vector(root, 8, 4u, &n); /* buffers: every word of the data */
    for (i = 0; i < n; ++i) {
        uint32_t bytes, k;
        const uint32_t data = vector(deref(first + 4u * i), 0, 1u, &bytes);
        for (k = 0; k + 4u <= bytes; k += 4u) {
            add(C_DATA, data + k, K_INT);
        }
    }
    for (c = 0; c < NUM_CLASSES; ++c) {
        total += w.count[c];
    }
    return total;
}

/* xorshift32: libFuzzer hands us a seed, and the mutation must depend on it alone. */
static uint32_t rnd(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static uint32_t mutate_int(uint32_t v, uint32_t *s)
{
    static const int32_t special[] = {0,     1,      -1,     2,      -2,     3,       4,
                                      7,     8,      15,     16,     31,     32,      33,
                                      63,    64,     127,    128,    -127,   -128,    -129,
                                      255,   256,    1023,   1024,   4096,   32767,   -32768,
                                      65535, 65536,  1 << 30, -(1 << 30), 0x7fffffff,
                                      (-0x7fffffff - 1), 0x7ffffff0, 6, -6};
    switch (rnd(s) % 6u) {
    case 0:
    case 1:
        return (uint32_t)special[rnd(s) % (sizeof special / sizeof special[0])];
    case 2: /* nearby: off by a little */
        return v + (rnd(s) % 33u) - 16u;
    case 3:
        return v ^ (1u << (rnd(s) % 32u));
    case 4:
        return 0u - v;
    default:
        return rnd(s);
    }
}

static uint32_t mutate_float(uint32_t bits, uint32_t *s)
{
    static const uint32_t special[] = {
        0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7fc00000u, 0xffc00000u,
        0x7f800000u, 0xff800000u, 0x00000001u, 0x00800000u, 0x7f7fffffu, 0xff7fffffu,
        0x4f000000u /* 2^31 */, 0xcf000000u, 0x5f000000u /* 2^63 */, 0x30800000u /* 2^-30 */};
    float f;
    switch (rnd(s) % 5u) {
    case 0:
    case 1:
        return special[rnd(s) % (sizeof special / sizeof special[0])];
    case 2: /* scale by a power of two, as a too big or too small quantization scale */
        memcpy(&f, &bits, sizeof f);
        f = ldexpf(f, (int)(rnd(s) % 61u) - 30);
        memcpy(&bits, &f, sizeof bits);
        return bits;
    case 3:
        return bits ^ (1u << (rnd(s) % 32u));
    default:
        return rnd(s);
    }
}

static void mutate_slot(uint8_t *data, const slot *sl, uint32_t *s)
{
    uint8_t *p = data + sl->pos;
    uint32_t v;
    if (sl->kind == K_BYTE) {
        static const uint8_t dtypes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 255};
        p[0] = rnd(s) % 2u ? dtypes[rnd(s) % sizeof dtypes] : (uint8_t)rnd(s);
        return;
    }
    v = rd32(p);
    v = sl->kind == K_FLOAT ? mutate_float(v, s) : mutate_int(v, s);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- restarting from a model that loads ---------------------------------------------- */

/* Changes compound (libFuzzer mutates corpus entries again, and keeps refused files that
 * found new refusal paths), so left alone most inputs drift into files the executor refuses
 * at the first check. The mutator therefore keeps the seed files that load (read from the
 * corpus folders on the command line) and, when the input it is given does not load,
 * usually starts over from one of them. Measured over 30-60 s: 5-18% of inputs loaded without,
 * 33-36% with this (docs/RELIABILITY.md). */
#define MAX_SEEDS 32u
#define MAX_SEED_BYTES (256u * 1024u)

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static uint32_t num_seeds;

/* 1 when the file loads (checksum recomputed on a copy). */
static int loads(const uint8_t *data, size_t size)
{
    static uint8_t arena[FUZZ_MAX_ARENA] __attribute__((aligned(16)));
    uint8_t *file = fuzz_copy(data, size);
    lwai_model model;
    lwai_status st;
    (void)fuzz_lwfb_reseal(file, size);
    st = lwai_model_load(file, size, arena, sizeof arena, &model);
    lwai_model_release(&model);
    free(file);
    return st == LWAI_OK;
}

static void add_seed(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (f == NULL) {
        return;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n <= (long)MAX_SEED_BYTES &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n && loads(buf, (size_t)n) &&
            num_seeds < MAX_SEEDS) {
            seeds[num_seeds] = buf;
            seed_len[num_seeds++] = (size_t)n;
        } else {
            free(buf);
        }
    }
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int i;
    for (i = 1; i < *argc; ++i) {
        const char *arg = (*argv)[i];
        char path[4096];
        DIR *d;
        struct dirent *e;
        if (arg[0] == '-' || (d = opendir(arg)) == NULL) {
            continue;
        }
        while ((e = readdir(d)) != NULL && num_seeds < MAX_SEEDS) {
            if (e->d_name[0] != '.' &&
                snprintf(path, sizeof path, "%s/%s", arg, e->d_name) < (int)sizeof path) {
                add_seed(path);
            }
        }
        closedir(d);
    }
    return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint32_t s = seed * 2654435761u + 1u; /* xorshift must not start at 0 */
    uint32_t k, changes;
    if (num_seeds != 0u && rnd(&s) % 4u != 0u && !loads(data, size)) {
        const uint32_t pick = rnd(&s) % num_seeds;
        if (seed_len[pick] <= max_size) {
            memcpy(data, seeds[pick], seed_len[pick]);
            size = seed_len[pick];
        }
    }
    if (walk_file(data, size) == 0u) {
        /* Not a file we can walk (a seed someone added by hand): bytes, then a fresh CRC. */
        size = LLVMFuzzerMutate(data, size, max_size);
        (void)fuzz_lwfb_reseal(data, size);
        return size;
    }
    /* One change 60% of the time (each more is another chance of a refusal), up to 4. */
    changes = rnd(&s) % 100u;
    changes = changes < 60u ? 1u : changes < 85u ? 2u : 3u + changes % 2u;
    for (k = 0; k < changes; ++k) {
        uint32_t total = 0u, pick, cls;
        for (cls = 0; cls < NUM_CLASSES; ++cls) {
            total += w.count[cls] != 0u ? class_weight[cls] : 0u;
        }
        pick = rnd(&s) % total; /* total > 0: some class has slots */
        for (cls = 0; w.count[cls] == 0u || pick >= class_weight[cls]; ++cls) {
            pick -= w.count[cls] != 0u ? class_weight[cls] : 0u;
        }
        mutate_slot(data, &w.slots[cls][rnd(&s) % w.count[cls]], &s);
    }
    (void)fuzz_lwfb_reseal(data, size);
    return size;
}

/* Only models that load join the corpus (-1 keeps an input out): libFuzzer applies up to 5
 * mutations in a row and mutates corpus entries again, so refused files kept for their new
 * coverage would breed refused files (measured: 5% of inputs loaded, against ~50% now). The
 * refusal paths still run on every refused mutant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *file = fuzz_copy(data, size);
    lwai_status st;
    (void)fuzz_lwfb_reseal(file, size);
    st = fuzz_load_and_run(fuzz_load_lwfb, file, size);
    free(file);
    return st == LWAI_OK ? 0 : -1;
}
