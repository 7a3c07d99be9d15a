/* Arena canaries (tests/test_canary.py): hello_world_int8, AOT and from its .lwfb, with a
 * test build define that routes every lwai_fully_connected_s8 call of the generated code and
 * of the graph registry through overflowing_fc() below: the real kernel, then, on the call
 * chosen, `overflow_bytes` bytes written past the node's output, as a buggy kernel would.
 * Prints one line per scenario:
 *     <scenario> <status> <failed_node or -> <detail or ->
 *
 *   canary HELLO.lwfb GRAPH_DEFECTS
 *
 * GRAPH_DEFECTS 0 runs the graph model clean only: without canaries a node's overflow past
 * the plan lands on the executor's records and nothing would stop the crash. */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwai/graph.h"
#include "lwai/kernels.h"
#include "lwai/model.h"

extern const lwai_model_desc lwai_model_hello_world_int8;

static int calls;
static int overflow_call = -1; /* 0-based fully-connected call that overflows; -1 none */
static size_t overflow_bytes;

lwai_status overflowing_fc(const lwai_fully_connected_params *params,
                           const lwai_channel_quant *quant, const lwai_dims *input_dims,
                           const int8_t *input, const lwai_dims *filter_dims,
                           const int8_t *filter, const lwai_dims *bias_dims, const int32_t *bias,
                           const lwai_dims *output_dims, int8_t *output);

lwai_status overflowing_fc(const lwai_fully_connected_params *params,
                           const lwai_channel_quant *quant, const lwai_dims *input_dims,
                           const int8_t *input, const lwai_dims *filter_dims,
                           const int8_t *filter, const lwai_dims *bias_dims, const int32_t *bias,
                           const lwai_dims *output_dims, int8_t *output)
{
    lwai_status st = lwai_fully_connected_s8(params, quant, input_dims, input, filter_dims,
                                             filter, bias_dims, bias, output_dims, output);
    const size_t out = (size_t)output_dims->n * (size_t)output_dims->c;
    if (calls++ == overflow_call) {
        memset(output + out, 0x55, overflow_bytes);
    }
    return st;
}

static void report(const char *scenario, const lwai_model *m, lwai_status st)
{
    printf("%s %d ", scenario, (int)st);
    if (st == LWAI_ERR_CANARY && m->failed_node != UINT32_MAX) {
        printf("%u ", (unsigned)m->failed_node);
    } else {
        printf("- ");
    }
    printf("%s\n", st != LWAI_OK && m->detail != NULL ? m->detail : "-");
}

/* One run with the defect on call `call` (-1: none); the output value goes to *out. */
static lwai_status run(lwai_model *m, int call, size_t bytes, int8_t *out)
{
    const int8_t x = 7;
    lwai_status st;
    calls = 0;
    overflow_call = call;
    overflow_bytes = bytes;
    st = lwai_model_set_input(m, 0, &x, 1);
    if (st == LWAI_OK) {
        st = lwai_model_run(m);
    }
    if (st == LWAI_OK) {
        st = lwai_model_get_output(m, 0, out, 1);
    }
    return st;
}

/* The same scenarios for a bound model; prefix names the executor. Hello world's plan:
 * 32 bytes, node 0 writes 16 at 16, node 1 16 at 0, node 2 one byte at 16. */
static void scenarios(const char *prefix, lwai_model *m, int defects)
{
    char name[64];
    int8_t y = 0;
    lwai_status st;
    lwai_tensor t;
#define SCENARIO(what, call, bytes)                                                           \
    do {                                                                                      \
        snprintf(name, sizeof name, "%s_%s", prefix, what);                                   \
        st = run(m, call, bytes, &y);                                                         \
        report(name, m, st);                                                                  \
    } while (0)
    SCENARIO("clean", -1, 0);
    printf("%s_clean_output %d\n", prefix, (int)y);
    if (!defects) {
        return;
    }
    /* node 2 writes 20 bytes past its 1-byte output at 16: through the plan's end at 32 */
    SCENARIO("node2_overflow", 2, 20);
    SCENARIO("after_overflow", -1, 0); /* re-armed: runs clean again */
    /* node 0 writes 16 bytes past its output at 16..32: exactly the guard */
    SCENARIO("node0_overflow", 0, 16);
    /* one byte past node 2's output stays inside the plan: not the guard's to see */
    SCENARIO("inside_plan", 2, 1);
    /* the application writes past an input through its view between runs */
    lwai_model_input(m, 0, &t);
    memset((uint8_t *)t.data, 0, m->desc->arena_bytes + 4u);
    SCENARIO("app_overrun", -1, 0);
    SCENARIO("after_app_overrun", -1, 0);
#undef SCENARIO
}

int main(int argc, char **argv)
{
    static uint8_t arena[4096] __attribute__((aligned(16)));
    const uint32_t plan = lwai_model_hello_world_int8.arena_bytes;
    lwai_model m;
    lwai_status st;
    FILE *f;
    void *file = NULL;
    long len;
    if (argc != 3) {
        fprintf(stderr, "usage: canary HELLO.lwfb GRAPH_DEFECTS\n");
        return 2;
    }
    printf("guard_bytes %u\n", (unsigned)LWAI_ARENA_GUARD_BYTES);
    st = lwai_model_init(&m, &lwai_model_hello_world_int8, arena, plan);
    printf("aot_init_plan_only %d\n", (int)st);
    st = lwai_model_init(&m, &lwai_model_hello_world_int8, arena, plan + LWAI_ARENA_GUARD_BYTES);
    printf("aot_init %d\n", (int)st);
    scenarios("aot", &m, 1);

    f = fopen(argv[1], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET) != 0 || posix_memalign(&file, 16, (size_t)len) != 0 ||
        fread(file, 1, (size_t)len, f) != (size_t)len) {
        return 2;
    }
    fclose(f);
    st = lwai_model_load(file, (size_t)len, arena, sizeof arena, &m);
    printf("graph_load %d %u\n", (int)st, (unsigned)m.arena_needed);
    scenarios("graph", &m, atoi(argv[2]));
    lwai_model_release(&m);
    free(file);
    return 0;
}
