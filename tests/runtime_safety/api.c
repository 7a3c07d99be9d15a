/* Misuse of the model API (tests/test_runtime_api.py): every wrong call gets a status, never
 * a crash, under ASan + UBSan. Built with the runtime, the graph executor with only the
 * fully-connected kernels in its registry, both loaders, the reference kernels and the
 * compiled hello_world_int8 (AOT, -include its header). Prints one line per check,
 *     <check> <status number> <status name>
 * which the test compares with the status each misuse must give.
 *
 *   api HELLO.lwfb HELLO.json OTHER.lwfb OTHER.json   (OTHER needs a kernel this image lacks)
 */
/* _POSIX_C_SOURCE comes from the command line: the model header is -included first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwai/graph.h"
#include "lwai/kernel_params.h"
#include "lwai/model.h"
#include "lwai/tvm_backend.h"

#define DESC lwai_model_hello_world_int8
#define ARENA_BYTES 65536u

static uint8_t arena_store[ARENA_BYTES + 16u] __attribute__((aligned(16)));
static uint8_t *const arena = arena_store;

static void report(const char *check, lwai_status st)
{
    printf("%s %d %s\n", check, (int)st, lwai_status_str(st));
}

/* Reads a whole file into a 16-byte aligned heap block of exactly its size. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long size;
    void *p = NULL;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET) != 0 || posix_memalign(&p, 16, (size_t)size) != 0 ||
        fread(p, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)size;
    return p;
}

/* Input/output misuse shared by the AOT and the graph model (prefix names which). */
static void io_checks(const char *prefix, lwai_model *m)
{
    char name[96];
    lwai_tensor t;
    int8_t buf[64];
    const size_t in_bytes = m->desc->inputs[0].bytes;
    const size_t out_bytes = m->desc->outputs[0].bytes;
#define CHECK(what, call) (snprintf(name, sizeof name, "%s_%s", prefix, what), report(name, call))
    CHECK("input_ok", lwai_model_input(m, 0, &t));
    CHECK("input_null_model", lwai_model_input(NULL, 0, &t));
    CHECK("input_null_tensor", lwai_model_input(m, 0, NULL));
    CHECK("input_index_past_end", lwai_model_input(m, m->desc->num_inputs, &t));
    CHECK("input_index_huge", lwai_model_input(m, (size_t)-1, &t));
    CHECK("output_ok", lwai_model_output(m, 0, &t));
    CHECK("output_null_tensor", lwai_model_output(m, 0, NULL));
    CHECK("output_index_past_end", lwai_model_output(m, m->desc->num_outputs, &t));
    memset(buf, 7, sizeof buf);
    CHECK("set_input_ok", lwai_model_set_input(m, 0, buf, in_bytes));
    CHECK("set_input_short", lwai_model_set_input(m, 0, buf, in_bytes - 1u));
    CHECK("set_input_long", lwai_model_set_input(m, 0, buf, in_bytes + 1u));
    CHECK("set_input_zero", lwai_model_set_input(m, 0, buf, 0));
    CHECK("set_input_null_data", lwai_model_set_input(m, 0, NULL, in_bytes));
    CHECK("set_input_index", lwai_model_set_input(m, 1, buf, in_bytes));
    CHECK("run_ok", lwai_model_run(m));
    CHECK("get_output_ok", lwai_model_get_output(m, 0, buf, out_bytes));
    CHECK("get_output_long", lwai_model_get_output(m, 0, buf, out_bytes + 1u));
    CHECK("get_output_null_data", lwai_model_get_output(m, 0, NULL, out_bytes));
    /* input 7 (set above) gives this int8 output; the test compares it with TFLM's */
    printf("%s_output_value %d\n", prefix, (int)buf[0]);
    lwai_model_release(m);
    lwai_model_release(m); /* twice: harmless (a JSON model's heap is freed once) */
    CHECK("run_after_release", lwai_model_run(m));
    CHECK("input_after_release", lwai_model_input(m, 0, &t));
    CHECK("set_input_after_release", lwai_model_set_input(m, 0, buf, in_bytes));
    CHECK("reset_state_after_release", lwai_model_reset_state(m));
#undef CHECK
}

static void aot_checks(void)
{
    lwai_model m;
    lwai_model_desc d;
    lwai_tensor t;
    unsigned off;
    int misaligned_all = 1;
    const uint32_t plan = DESC.arena_bytes + LWAI_ARENA_GUARD_BYTES;

    report("init_null_model", lwai_model_init(NULL, &DESC, arena, ARENA_BYTES));
    report("init_null_desc", lwai_model_init(&m, NULL, arena, ARENA_BYTES));
    report("init_null_arena", lwai_model_init(&m, &DESC, NULL, ARENA_BYTES));
    printf("init_null_arena_detail %s\n", m.detail);
    /* every misalignment 1..15 is refused with the same status */
    for (off = 1; off < 16u; ++off) {
        if (lwai_model_init(&m, &DESC, arena + off, ARENA_BYTES - 16u) != LWAI_ERR_INVALID_ARG) {
            misaligned_all = 0;
        }
    }
    report("init_misaligned_arena", lwai_model_init(&m, &DESC, arena + 8, ARENA_BYTES - 16u));
    printf("init_misaligned_arena_detail %s\n", m.detail);
    printf("init_misaligned_all %d\n", misaligned_all);
    report("init_arena_one_short", lwai_model_init(&m, &DESC, arena, plan - 1u));
    printf("init_arena_needed %u\n", (unsigned)m.arena_needed);
    report("init_arena_zero", lwai_model_init(&m, &DESC, arena, 0));
    report("init_arena_exact", lwai_model_init(&m, &DESC, arena, plan));

    /* a desc built against other headers: another params fingerprint, or the layout before
     * the abi word (name pointer first) */
    d = DESC;
    d.abi ^= 0x1u;
    report("init_other_kernel_abi", lwai_model_init(&m, &d, arena, ARENA_BYTES));
    printf("init_other_kernel_abi_detail %s\n", m.detail);
    {
        struct {
            const char *name;
            uint32_t arena_bytes;
            uint16_t num_inputs, num_outputs;
            const lwai_tensor_info *inputs, *outputs;
            lwai_status (*run)(uint8_t *);
        } old = {"old", 32u, 1, 1, NULL, NULL, NULL};
        old.inputs = DESC.inputs;
        old.outputs = DESC.outputs;
        old.run = DESC.run;
        report("init_pre_abi_desc",
               lwai_model_init(&m, (const lwai_model_desc *)(const void *)&old, arena,
                               ARENA_BYTES));
    }
    /* a desc whose output lies outside its own plan, or that has no run function */
    {
        lwai_tensor_info out = DESC.outputs[0];
        out.arena_offset = DESC.arena_bytes;
        d = DESC;
        d.outputs = &out;
        report("init_desc_output_outside_plan", lwai_model_init(&m, &d, arena, ARENA_BYTES));
        d = DESC;
        d.run = NULL;
        report("init_desc_without_run", lwai_model_init(&m, &d, arena, ARENA_BYTES));
    }

    /* used before init: a zeroed struct, and one full of garbage */
    memset(&m, 0, sizeof m);
    report("run_zeroed_model", lwai_model_run(&m));
    report("input_zeroed_model", lwai_model_input(&m, 0, &t));
    memset(&m, 0xa5, sizeof m);
    report("run_garbage_model", lwai_model_run(&m));
    report("output_garbage_model", lwai_model_output(&m, 0, &t));
    report("run_null_model", lwai_model_run(NULL));
    report("reset_state_null_model", lwai_model_reset_state(NULL));
    lwai_model_release(NULL);
    /* a failed init leaves the model unusable */
    lwai_model_init(&m, &DESC, arena, 1u);
    report("run_after_failed_init", lwai_model_run(&m));

    report("aot_init_ok", lwai_model_init(&m, &DESC, arena, ARENA_BYTES));
    report("aot_reset_state", lwai_model_reset_state(&m));
    io_checks("aot", &m);
    /* init again after release: a new life */
    report("aot_reinit_ok", lwai_model_init(&m, &DESC, arena, ARENA_BYTES));
    report("aot_reinit_run", lwai_model_run(&m));
}

static void graph_checks(char **paths)
{
    lwai_model m;
    size_t len, json_len, other_len, other_json_len;
    uint8_t *file = read_file(paths[0], &len);
    char *json = (char *)read_file(paths[1], &json_len);
    uint8_t *other = read_file(paths[2], &other_len);
    char *other_json = (char *)read_file(paths[3], &other_json_len);
    uint32_t needed;

    report("load_null_file", lwai_model_load(NULL, len, arena, ARENA_BYTES, &m));
    report("load_null_model", lwai_model_load(file, len, arena, ARENA_BYTES, NULL));
    report("load_null_arena", lwai_model_load(file, len, NULL, ARENA_BYTES, &m));
    report("load_misaligned_arena", lwai_model_load(file, len, arena + 4, ARENA_BYTES - 16, &m));
    report("load_empty_file", lwai_model_load(file, 0, arena, ARENA_BYTES, &m));
    report("load_truncated_file", lwai_model_load(file, len / 2u, arena, ARENA_BYTES, &m));
    report("load_arena_too_small", lwai_model_load(file, len, arena, 16, &m));
    needed = m.arena_needed;
    printf("load_arena_needed %u\n", (unsigned)needed);
    report("load_arena_one_short", lwai_model_load(file, len, arena, needed - 1u, &m));
    report("run_after_failed_load", lwai_model_run(&m));
    report("load_arena_exact", lwai_model_load(file, len, arena, needed, &m));
    lwai_model_release(&m);

    /* a model needing a kernel this image was not built with */
    report("load_kernel_missing", lwai_model_load(other, other_len, arena, ARENA_BYTES, &m));
    printf("load_kernel_missing_detail %s\n", m.detail != NULL ? m.detail : "(null)");
    report("json_kernel_missing",
           lwai_model_load_json(other_json, other_json_len, arena, ARENA_BYTES, NULL, &m));
    printf("json_kernel_missing_detail %s\n", m.detail != NULL ? m.detail : "(null)");
    lwai_model_release(&m);

    report("lwfb_load_ok", lwai_model_load(file, len, arena, ARENA_BYTES, &m));
    io_checks("lwfb", &m);
    report("json_load_ok", lwai_model_load_json(json, json_len, arena, ARENA_BYTES, NULL, &m));
    io_checks("json", &m);
    free(file);
    free(json);
    free(other);
    free(other_json);
}

/* TVM backend misuse: the workspace slot and the generated-function contract. */
static int32_t wants_workspace(void *self, void *args, int32_t num_args, void *result)
{
    void *a = TVMBackendAllocWorkspace(1, 0, 64, 0, 8);
    void *b = TVMBackendAllocWorkspace(1, 0, 64, 0, 8); /* slot of 96: fails */
    (void)self;
    (void)args;
    (void)num_args;
    (void)result;
    if (b != NULL) {
        TVMBackendFreeWorkspace(1, 0, b);
    }
    if (a != NULL) {
        TVMBackendFreeWorkspace(1, 0, a);
    }
    return b == NULL ? -1 : 0;
}

static int32_t wants_huge(void *self, void *args, int32_t num_args, void *result)
{
    /* 2^64 - 8 rounds up past 2^64: must fail, not wrap to a small block */
    void *p = TVMBackendAllocWorkspace(1, 0, UINT64_MAX - 7u, 0, 8);
    (void)self;
    (void)args;
    (void)num_args;
    (void)result;
    return p == NULL ? -1 : 0;
}

static int32_t fails(void *self, void *args, int32_t num_args, void *result)
{
    (void)self;
    (void)args;
    (void)num_args;
    (void)result;
    return -1;
}

static int32_t fits(void *self, void *args, int32_t num_args, void *result)
{
    void *a = TVMBackendAllocWorkspace(1, 0, 80, 0, 8);
    (void)self;
    (void)args;
    (void)num_args;
    (void)result;
    if (a == NULL) {
        return -1;
    }
    memset(a, 1, 80);
    return TVMBackendFreeWorkspace(1, 0, a);
}

static void tvm_checks(void)
{
    DLTensor t[17];
    memset(t, 0, sizeof t);
    report("tvm_null_func", lwai_tvm_call(NULL, t, 1, arena, 96));
    report("tvm_too_many_args", lwai_tvm_call(fits, t, 17, arena, 96));
    report("tvm_negative_args", lwai_tvm_call(fits, t, -1, arena, 96));
    report("tvm_null_tensors", lwai_tvm_call(fits, NULL, 2, arena, 96));
    report("tvm_ok", lwai_tvm_call(fits, t, 1, arena, 96));
    report("tvm_workspace_overflow", lwai_tvm_call(wants_workspace, t, 1, arena, 96));
    report("tvm_workspace_huge", lwai_tvm_call(wants_huge, t, 1, arena, 96));
    report("tvm_no_workspace_slot", lwai_tvm_call(fits, t, 1, NULL, 96));
    report("tvm_function_fails", lwai_tvm_call(fails, t, 1, arena, 96));
    /* outside any call there is no slot */
    printf("tvm_alloc_outside_call %d\n", TVMBackendAllocWorkspace(1, 0, 16, 0, 8) == NULL);
}

int main(int argc, char **argv)
{
    int s;
    if (argc != 5) {
        fprintf(stderr, "usage: api HELLO.lwfb HELLO.json OTHER.lwfb OTHER.json\n");
        return 2;
    }
    aot_checks();
    graph_checks(argv + 1);
    tvm_checks();
    for (s = 1; s >= -13; --s) {
        printf("status_str %d %s\n", s, lwai_status_str((lwai_status)s));
    }
    printf("abi 0x%08x\n", (unsigned)LWAI_MODEL_ABI);
    return 0;
}
