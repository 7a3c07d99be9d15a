/* The generic lwai app, the same C99 source for every target (host, qemu-arm, QEMU boards).
 *
 *   lwai_app [-n REPEAT] [-i IN0.bin -i IN1.bin ...] [-o OUT0.bin -o ...]   (AOT)
 *   lwai_app -m MODEL.lwfb|MODEL.json [-n ...] [-i ...] [-o ...]          (graph executor)
 *
 * Reads each input's raw bytes into the model's arena before every run (the size must equal
 * the input's `bytes`), runs the model REPEAT times reading the board counter around each
 * inference,
 * writes each output's raw bytes, and prints one line that `lwai.targets` parses:
 *
 *   lwai: ok ticks=<total over all runs> runs=<REPEAT> tick_hz=<counter rate>
 *
 * (the graph build adds ` arena_needed=<bytes>`: activations plus the loader's records).
 * -k N runs N invocations in one process, a stateful model's state carried from each to the
 * next (`lwai run --invocations N`): each input file holds N inputs back to back (invocation
 * k reads the k-th), each output file receives the N outputs likewise; runs= counts all.
 * -r K calls lwai_model_reset_state() before invocations K, 2K, ... (tests of the reset).
 * Any failure prints `lwai: error: ...` and returns 1. An AOT build has
 * `-DLWAI_APP_MODEL=lwai_model_<name> -DLWAI_APP_ARENA_BYTES=<arena_bytes>` and
 * `-include lwai_model_<name>.h`; a graph build has `-DLWAI_APP_GRAPH`, the arena size, the
 * model file buffer size (`LWAI_APP_MODEL_FILE_BYTES`; the file is read into it over
 * semihosting on the QEMU boards), `LWAI_APP_LWFB` / `LWAI_APP_JSON` for the loaders it holds
 * and, for a model with TVM-generated functions, `LWAI_APP_TVM_KERNELS=lwai_tvm_kernels_<name>`.
 * It uses no stdio so L0 images stay free of malloc.
 */
#include <stddef.h>
#include <stdint.h>

#include "lwai/board.h"
#include "lwai/model.h"

#ifdef LWAI_APP_GRAPH
#include "lwai/graph.h"
#ifndef LWAI_APP_MODEL_FILE_BYTES
#error "build with -DLWAI_APP_MODEL_FILE_BYTES=<largest model file>"
#endif
#elif !defined(LWAI_APP_MODEL)
#error "build with -DLWAI_APP_MODEL=lwai_model_<name> and -include lwai_model_<name>.h"
#endif
#ifndef LWAI_APP_ARENA_BYTES
#error "build with -DLWAI_APP_ARENA_BYTES=<the model's arena_bytes>"
#endif

/* Inputs/outputs one command line may name; models here have 1-2 of each. */
#define LWAI_APP_MAX_FILES 16

/* The one arena (activations + TVM workspaces). Its own section so that the size tools can
 * count it apart from the rest of .bss. At least 16 bytes so an empty plan still links;
 * plus the canary guard after the plan when CONFIG_LWAI_ARENA_CANARIES is on (else 0). */
#define LWAI_APP_ARENA_ALLOC \
    ((LWAI_APP_ARENA_BYTES > 0 ? LWAI_APP_ARENA_BYTES : 16) + LWAI_ARENA_GUARD_BYTES)
static uint8_t lwai_app_arena[LWAI_APP_ARENA_ALLOC]
    __attribute__((aligned(LWAI_ARENA_ALIGN), section(".bss.lwai_arena")));

#include "lwai/node_hook.h" /* lwai_config.h when the build has one */
#ifdef CONFIG_LWAI_PROFILING
#include "lwai/profile.h"
#endif

#ifdef LWAI_APP_GRAPH
/* The model file, read whole; 16-byte aligned as the .lwfb loader wants. */
static uint8_t lwai_app_model_file[LWAI_APP_MODEL_FILE_BYTES]
    __attribute__((aligned(16), section(".bss.lwai_model_file")));

#ifdef LWAI_APP_TVM_KERNELS
extern const lwai_tvm_kernel LWAI_APP_TVM_KERNELS[];
extern const size_t LWAI_APP_TVM_KERNELS_COUNT;
#endif
#endif

/* Formats v in decimal into buf (at least 21 bytes); returns buf. */
static char *format_u64(uint64_t v, char *buf)
{
    char tmp[21];
    size_t n = 0;
    size_t i;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    for (i = 0; i < n; ++i) {
        buf[i] = tmp[n - 1u - i];
    }
    buf[n] = '\0';
    return buf;
}

static char *format_i64(int64_t v, char *buf)
{
    if (v < 0) {
        buf[0] = '-';
        format_u64((uint64_t)(-(v + 1)) + 1u, buf + 1);
        return buf;
    }
    return format_u64((uint64_t)v, buf);
}

/* Prints "lwai: error: " followed by up to four parts (NULLs skipped) and a newline. */
static int fail(const char *a, const char *b, const char *c, const char *d)
{
    const char *parts[4];
    size_t i;
    parts[0] = a;
    parts[1] = b;
    parts[2] = c;
    parts[3] = d;
    lwai_board_eputs("lwai: error: ");
    for (i = 0; i < 4u; ++i) {
        if (parts[i] != NULL) {
            lwai_board_eputs(parts[i]);
        }
    }
    lwai_board_eputs("\n");
    return 1;
}

static int parse_u32(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    if (s == NULL || *s == '\0') {
        return -1;
    }
    for (; *s != '\0'; ++s) {
        if (*s < '0' || *s > '9' || v > 429496728u) {
            return -1;
        }
        v = v * 10u + (uint32_t)(*s - '0');
    }
    *out = v;
    return 0;
}

#ifdef CONFIG_LWAI_PROFILING
/* One line per node of the per-node profile (lwai/profile.h, both executors):
 * "lwai: node <i> <kernel> ticks=<total over all runs>", then the executor's own entry and
 * exit: "lwai: executor ticks=<total over all runs>". */
static void print_profile(void)
{
    char num[24];
    uint32_t i;
    for (i = 0; i < lwai_profile_count(); ++i) {
        const char *kernel = lwai_profile_kernel(i);
        lwai_board_puts("lwai: node ");
        lwai_board_puts(format_u64(i, num));
        lwai_board_puts(" ");
        lwai_board_puts(kernel != NULL && kernel[0] != '\0' ? kernel : "?");
        lwai_board_puts(" ticks=");
        lwai_board_puts(format_u64(lwai_profile_ticks(i), num));
        lwai_board_puts("\n");
    }
    lwai_board_puts("lwai: executor ticks=");
    lwai_board_puts(format_u64(lwai_profile_executor_ticks(), num));
    lwai_board_puts("\n");
}
#endif

#ifdef LWAI_APP_GRAPH
static const char *status_name(lwai_status st)
{
    switch (st) {
    case LWAI_ERR_INVALID_ARG:
        return "invalid argument";
    case LWAI_ERR_ARENA_TOO_SMALL:
        return "arena too small";
    case LWAI_ERR_KERNEL_MISSING:
        return "kernel missing from this image";
    case LWAI_ERR_BAD_MODEL:
        return "bad model file";
    case LWAI_ERR_VERSION:
        return "unsupported model format version";
    default:
        return "error";
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = 0;
    size_t m = 0;
    size_t i;
    while (s[n] != '\0') {
        ++n;
    }
    while (suffix[m] != '\0') {
        ++m;
    }
    if (n < m) {
        return 0;
    }
    for (i = 0; i < m; ++i) {
        if (s[n - m + i] != suffix[i]) {
            return 0;
        }
    }
    return 1;
}

/* Reads the model file and loads it with the loader its extension names. */
static int load_graph(const char *path, lwai_model *model)
{
    lwai_load_options options = {NULL, 0u};
    size_t actual = 0;
    lwai_status st;
    char num[24];
    int rc = lwai_board_read_file_upto(path, lwai_app_model_file, sizeof lwai_app_model_file,
                                       &actual);
    if (rc == -2) {
        lwai_board_eputs("lwai: error: model file '");
        lwai_board_eputs(path);
        lwai_board_eputs("' has ");
        lwai_board_eputs(format_u64(actual, num));
        lwai_board_eputs(" bytes, more than this image's model buffer (");
        lwai_board_eputs(format_u64(sizeof lwai_app_model_file, num));
        lwai_board_eputs(")\n");
        return 1;
    }
    if (rc != 0) {
        return fail("cannot read model file '", path, "'", NULL);
    }
#ifdef LWAI_APP_TVM_KERNELS
    options.tvm_kernels = LWAI_APP_TVM_KERNELS;
    options.num_tvm_kernels = LWAI_APP_TVM_KERNELS_COUNT;
#endif
    if (ends_with(path, ".json")) {
#ifdef LWAI_APP_JSON
        st = lwai_model_load_json((const char *)lwai_app_model_file, actual, lwai_app_arena,
                                  sizeof lwai_app_arena, &options, model);
#else
        return fail("this image has no JSON loader (LWAI_LOADER_JSON is off): '", path, "'",
                    NULL);
#endif
    } else {
#ifdef LWAI_APP_LWFB
        st = lwai_model_load_with(lwai_app_model_file, actual, lwai_app_arena,
                                  sizeof lwai_app_arena, &options, model);
#else
        return fail("this image has no .lwfb loader (LWAI_LOADER_FLATBUFFER is off): '", path,
                    "'", NULL);
#endif
    }
    if (st == LWAI_ERR_ARENA_TOO_SMALL) {
        lwai_board_eputs("lwai: error: model '");
        lwai_board_eputs(path);
        lwai_board_eputs("' needs an arena of ");
        lwai_board_eputs(format_u64(model->arena_needed, num));
        lwai_board_eputs(" bytes; this image has ");
        lwai_board_eputs(format_u64(sizeof lwai_app_arena, num));
        lwai_board_eputs("\n");
        return 1;
    }
    if (st != LWAI_OK) {
        lwai_board_eputs("lwai: error: cannot load '");
        lwai_board_eputs(path);
        lwai_board_eputs("': ");
        lwai_board_eputs(status_name(st));
        lwai_board_eputs(" (status ");
        lwai_board_eputs(format_i64(st, num));
        if (model->detail != NULL) {
            lwai_board_eputs(", ");
            lwai_board_eputs(model->detail);
        }
        lwai_board_eputs(")\n");
        return 1;
    }
    return 0;
}
#endif

static const char *tensor_label(const lwai_tensor_info *info, size_t index, char *buf)
{
    if (info->name != NULL && info->name[0] != '\0') {
        return info->name;
    }
    return format_u64((uint64_t)index, buf);
}

int main(int argc, char **argv)
{
    const char *in_paths[LWAI_APP_MAX_FILES];
    const char *out_paths[LWAI_APP_MAX_FILES];
    const char *model_path = NULL;
    size_t n_in = 0;
    size_t n_out = 0;
    uint32_t repeat = 1;
    uint32_t r;
    uint32_t invocations = 1; /* -k N: stateful models, N inputs per file, run in turn */
    uint32_t inv;
    uint32_t reset_every = 0; /* -r K: lwai_model_reset_state before invocations K, 2K, ... */
    uint64_t total = 0;
    lwai_model model;
    lwai_status st;
    char num_a[24];
    char num_b[24];
    char num_c[24];
    int i;
    size_t k;

    lwai_board_init();
    for (i = 1; i < argc; ++i) {
        const char *opt = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (opt[0] != '-' || opt[1] == '\0' || opt[2] != '\0' || val == NULL) {
            return fail("usage: lwai_app [-n REPEAT] -i IN.bin ... -o OUT.bin ...; got '", opt,
                        "'", NULL);
        }
        if (opt[1] == 'n') {
            if (parse_u32(val, &repeat) != 0 || repeat == 0u) {
                return fail("-n wants a positive count: '", val, "'", NULL);
            }
        } else if (opt[1] == 'i' && n_in < LWAI_APP_MAX_FILES) {
            in_paths[n_in++] = val;
        } else if (opt[1] == 'o' && n_out < LWAI_APP_MAX_FILES) {
            out_paths[n_out++] = val;
        } else if (opt[1] == 'm') {
            model_path = val;
        } else if (opt[1] == 'k') {
            if (parse_u32(val, &invocations) != 0 || invocations == 0u) {
                return fail("-k wants a positive count of invocations: '", val, "'", NULL);
            }
        } else if (opt[1] == 'r') {
            if (parse_u32(val, &reset_every) != 0) {
                return fail("-r wants a count of invocations: '", val, "'", NULL);
            }
        } else {
            return fail("unknown option or too many files: '", opt, "'", NULL);
        }
        ++i;
    }

#ifdef LWAI_APP_GRAPH
    if (model_path == NULL) {
        return fail("this image runs model files: name one with -m MODEL.lwfb", NULL, NULL, NULL);
    }
    if (load_graph(model_path, &model) != 0) {
        return 1;
    }
#else
    if (model_path != NULL) {
        return fail("this image holds its compiled model; -m is for graph-executor images: '",
                    model_path, "'", NULL);
    }
    st = lwai_model_init(&model, &LWAI_APP_MODEL, lwai_app_arena, sizeof lwai_app_arena);
    if (st != LWAI_OK) {
        return fail("lwai_model_init failed with status ", format_i64(st, num_a), NULL, NULL);
    }
#endif
    /* No -i at all leaves the inputs as the arena holds them (zeros): `lwai bench` does that;
     * no -o at all skips writing outputs. Otherwise every input and output is named. */
    if ((n_in != 0u && n_in != model.desc->num_inputs) ||
        (n_out != 0u && n_out != model.desc->num_outputs)) {
        lwai_board_eputs("lwai: error: the model takes ");
        lwai_board_eputs(format_u64(model.desc->num_inputs, num_a));
        lwai_board_eputs(" input(s) and ");
        lwai_board_eputs(format_u64(model.desc->num_outputs, num_b));
        lwai_board_eputs(" output(s); the command line names ");
        lwai_board_eputs(format_u64(n_in, num_a));
        lwai_board_eputs(" (-i) and ");
        lwai_board_eputs(format_u64(n_out, num_b));
        lwai_board_eputs(" (-o)\n");
        return 1;
    }

    for (inv = 0; inv < invocations; ++inv) {
        if (reset_every != 0u && inv != 0u && inv % reset_every == 0u) {
            st = lwai_model_reset_state(&model);
            if (st != LWAI_OK) {
                return fail("lwai_model_reset_state failed with status ", format_i64(st, num_a),
                            NULL, NULL);
            }
        }
        for (r = 0; r < repeat; ++r) {
            uint64_t t0;
            /* The plan reuses input bytes once they are consumed (as TFLite Micro's does), so
             * each run starts from freshly read inputs, outside the timed region. */
            for (k = 0; k < n_in; ++k) {
                const char *in_path = in_paths[k];
                lwai_tensor t;
                size_t actual = 0;
                int rc;
                if (lwai_model_input(&model, k, &t) != LWAI_OK) {
                    return fail("cannot view input ", format_u64(k, num_a), NULL, NULL);
                }
                rc = lwai_board_read_file_at(in_path, t.data, t.info->bytes,
                                             (size_t)inv * t.info->bytes, &actual);
                if (rc == 0 && actual != (size_t)invocations * t.info->bytes) {
                    rc = -2; /* exactly N inputs, as -k says */
                }
                if (rc == -2) {
                    lwai_board_eputs("lwai: error: input '");
                    lwai_board_eputs(tensor_label(t.info, k, num_c));
                    lwai_board_eputs("' wants ");
                    lwai_board_eputs(format_u64((uint64_t)invocations * t.info->bytes, num_a));
                    lwai_board_eputs(" bytes but '");
                    lwai_board_eputs(in_path);
                    lwai_board_eputs("' has ");
                    lwai_board_eputs(format_u64(actual, num_b));
                    lwai_board_eputs("\n");
                    return 1;
                }
                if (rc != 0) {
                    return fail("cannot read input file '", in_path, "'", NULL);
                }
            }

            t0 = lwai_board_ticks();
            st = lwai_model_run(&model);
            total += lwai_board_ticks() - t0;
            if (st != LWAI_OK) {
#ifdef CONFIG_LWAI_ARENA_CANARIES
                /* a canary failure names the kernel of the node that overran the arena */
                if (st == LWAI_ERR_CANARY) {
                    return fail("lwai_model_run failed with status ", format_i64(st, num_a),
                                ": arena overrun by ", model.detail);
                }
#endif
                return fail("lwai_model_run failed with status ", format_i64(st, num_a), NULL,
                            NULL);
            }
        }

        for (k = 0; k < n_out; ++k) {
            lwai_tensor t;
            int rc;
            if (lwai_model_output(&model, k, &t) != LWAI_OK) {
                return fail("cannot view output ", format_u64(k, num_a), NULL, NULL);
            }
            rc = lwai_board_write_file_at(out_paths[k], t.data, t.info->bytes,
                                          (size_t)inv * t.info->bytes);
            if (rc != 0) {
                return fail("cannot write output file '", out_paths[k], "'", NULL);
            }
        }
    }

#ifdef CONFIG_LWAI_PROFILING
    print_profile();
#endif
    lwai_board_puts("lwai: ok ticks=");
    lwai_board_puts(format_u64(total, num_a));
    lwai_board_puts(" runs=");
    lwai_board_puts(format_u64((uint64_t)repeat * invocations, num_b));
    lwai_board_puts(" tick_hz=");
    lwai_board_puts(format_u64(lwai_board_tick_hz(), num_c));
#ifdef LWAI_APP_GRAPH
    lwai_board_puts(" arena_needed=");
    lwai_board_puts(format_u64(model.arena_needed, num_a));
    lwai_model_release(&model);
#endif
    lwai_board_puts("\n");
    return 0;
}
