/* Models running in two threads at once (tests/test_threads.py), built with
 * -fsanitize=thread on the host and plainly for qemu-arm (L1). Links the compiled
 * person_detect and micro_speech_quantized (AOT) and the graph executor.
 *
 *   threads OUTDIR PD.in MS.in MS.lwfb N_PD N_MS
 *
 * First each job runs alone and its output goes to OUTDIR/<job>.bin (the test compares them
 * with TFLite Micro). Then pairs of jobs run in two threads, each job N times, and every
 * output must equal the job's lone output:
 *   models     AOT person_detect  | AOT micro_speech      (two models)
 *   aot_twins  AOT micro_speech   | AOT micro_speech      (two instances, two arenas)
 *   graph_twins  graph micro_speech | graph micro_speech  (two loads of one .lwfb)
 *   workspace  the TVM workspace protocol of generated code, in both threads
 * Prints "pair <name> runs <n> mismatches <m> failures <f>" per pair; exit 0 when all match.
 */
#define _POSIX_C_SOURCE 200112L
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwai/graph.h"
#include "lwai/model.h"
#include "lwai/tvm_backend.h"
#include "lwai_model_micro_speech_quantized.h"
#include "lwai_model_person_detect.h"

#define MAX_OUT 64u /* output bytes of either model (person_detect 2, micro_speech 4) */
#define GRAPH_ARENA (64u * 1024u)

typedef enum { JOB_PD, JOB_MS_AOT, JOB_MS_GRAPH, JOB_WORKSPACE } job_kind;

typedef struct {
    job_kind kind;
    const char *name;
    int runs;
    uint8_t *arena;
    lwai_model model;
    const uint8_t *input;
    size_t input_bytes;
    uint8_t expected[MAX_OUT];
    size_t out_bytes;
    int mismatches;
    int failures;
    int tid;
} job;

static uint8_t pd_arena[2][LWAI_MODEL_PERSON_DETECT_ARENA_BYTES + LWAI_ARENA_GUARD_BYTES]
    __attribute__((aligned(16)));
static uint8_t ms_arena[2][LWAI_MODEL_MICRO_SPEECH_QUANTIZED_ARENA_BYTES + LWAI_ARENA_GUARD_BYTES]
    __attribute__((aligned(16)));
static uint8_t graph_arena[2][GRAPH_ARENA] __attribute__((aligned(16)));
static uint8_t ws_arena[2][256] __attribute__((aligned(16)));

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long size;
    void *p = NULL;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    /* 16-byte aligned for the .lwfb loader */
    if (posix_memalign(&p, 16, (size_t)size) != 0 || fread(p, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)size;
    return p;
}

/* The TVM workspace protocol as generated code follows it: allocate inside the call, use,
 * free in reverse order. The data tensor holds the calling thread's id; the blocks must lie
 * in that thread's slot and keep what the thread wrote while the other thread does the same. */
static int32_t workspace_user(void *self, void *args, int32_t num_args, void *result)
{
    const DLTensor *t = (const DLTensor *)((TVMFFIAny *)args)[0].v_ptr;
    const int tid = *(const int *)t->data;
    uint8_t *a = TVMBackendAllocWorkspace(1, 0, 48, 0, 8);
    uint8_t *b = TVMBackendAllocWorkspace(1, 0, 100, 0, 8);
    int bad = 0, i, k;
    (void)self;
    (void)num_args;
    (void)result;
    if (a == NULL || b == NULL || a < ws_arena[tid] || b + 100 > ws_arena[tid] + 256) {
        return -1;
    }
    for (k = 0; k < 3; ++k) {
        memset(a, 0x10 + tid, 48);
        memset(b, 0x20 + tid, 100);
        sched_yield();
        for (i = 0; i < 48; ++i) {
            bad |= a[i] != 0x10 + tid;
        }
        for (i = 0; i < 100; ++i) {
            bad |= b[i] != 0x20 + tid;
        }
    }
    TVMBackendFreeWorkspace(1, 0, b);
    TVMBackendFreeWorkspace(1, 0, a);
    return bad ? -1 : 0;
}

/* One inference of the job; its output in out. */
static lwai_status run_once(job *j, uint8_t *out)
{
    lwai_status st;
    if (j->kind == JOB_WORKSPACE) {
        DLTensor t;
        memset(&t, 0, sizeof t);
        t.data = &j->tid;
        st = lwai_tvm_call(workspace_user, &t, 1, ws_arena[j->tid], sizeof ws_arena[j->tid]);
        out[0] = 1;
        return st;
    }
    st = lwai_model_set_input(&j->model, 0, j->input, j->input_bytes);
    if (st == LWAI_OK) {
        st = lwai_model_run(&j->model);
    }
    if (st == LWAI_OK) {
        st = lwai_model_get_output(&j->model, 0, out, j->out_bytes);
    }
    return st;
}

static void *worker(void *arg)
{
    job *j = (job *)arg;
    uint8_t out[MAX_OUT];
    int r;
    for (r = 0; r < j->runs; ++r) {
        memset(out, 0, sizeof out);
        if (run_once(j, out) != LWAI_OK) {
            j->failures++;
        } else if (memcmp(out, j->expected, j->out_bytes) != 0) {
            j->mismatches++;
        }
    }
    return NULL;
}

static void setup(job *j, job_kind kind, const char *name, int tid, const uint8_t *input,
                  size_t input_bytes, const uint8_t *lwfb, size_t lwfb_len)
{
    lwai_status st = LWAI_OK;
    memset(j, 0, sizeof *j);
    j->kind = kind;
    j->name = name;
    j->tid = tid;
    j->input = input;
    j->input_bytes = input_bytes;
    switch (kind) {
    case JOB_PD:
        st = lwai_model_init(&j->model, &lwai_model_person_detect, pd_arena[tid],
                             sizeof pd_arena[tid]);
        break;
    case JOB_MS_AOT:
        st = lwai_model_init(&j->model, &lwai_model_micro_speech_quantized, ms_arena[tid],
                             sizeof ms_arena[tid]);
        break;
    case JOB_MS_GRAPH:
        st = lwai_model_load(lwfb, lwfb_len, graph_arena[tid], GRAPH_ARENA, &j->model);
        break;
    case JOB_WORKSPACE:
        j->out_bytes = 1;
        j->expected[0] = 1;
        return;
    }
    if (st != LWAI_OK) {
        fprintf(stderr, "%s: init %s\n", name, lwai_status_str(st));
        exit(3);
    }
    if (j->model.desc->inputs[0].bytes != input_bytes) {
        fprintf(stderr, "%s: input wants %u bytes, file has %u\n", name,
                (unsigned)j->model.desc->inputs[0].bytes, (unsigned)input_bytes);
        exit(3);
    }
    j->out_bytes = j->model.desc->outputs[0].bytes;
    if (j->out_bytes > MAX_OUT) {
        exit(3);
    }
}

/* The job run alone: its expected output. */
static void alone(job *j, const char *outdir)
{
    char path[512];
    FILE *f;
    lwai_status st = run_once(j, j->expected);
    if (st != LWAI_OK) {
        fprintf(stderr, "%s alone: %s\n", j->name, lwai_status_str(st));
        exit(4);
    }
    if (outdir != NULL) {
        snprintf(path, sizeof path, "%s/%s.bin", outdir, j->name);
        f = fopen(path, "wb");
        if (f == NULL || fwrite(j->expected, 1, j->out_bytes, f) != j->out_bytes) {
            exit(2);
        }
        fclose(f);
    }
}

static int pair(const char *name, job *a, job *b)
{
    pthread_t ta, tb;
    if (pthread_create(&ta, NULL, worker, a) != 0 || pthread_create(&tb, NULL, worker, b) != 0) {
        exit(5);
    }
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    printf("pair %s runs %d mismatches %d failures %d\n", name, a->runs + b->runs,
           a->mismatches + b->mismatches, a->failures + b->failures);
    return a->mismatches + b->mismatches + a->failures + b->failures;
}

int main(int argc, char **argv)
{
    size_t pd_len, ms_len, lwfb_len;
    uint8_t *pd_in, *ms_in, *lwfb;
    int n_pd, n_ms, bad = 0;
    static job a, b;
    if (argc != 7) {
        fprintf(stderr, "usage: threads OUTDIR PD.in MS.in MS.lwfb N_PD N_MS\n");
        return 2;
    }
    pd_in = read_file(argv[2], &pd_len);
    ms_in = read_file(argv[3], &ms_len);
    lwfb = read_file(argv[4], &lwfb_len);
    n_pd = atoi(argv[5]);
    n_ms = atoi(argv[6]);

    /* two models */
    setup(&a, JOB_PD, "person_detect", 0, pd_in, pd_len, NULL, 0);
    setup(&b, JOB_MS_AOT, "micro_speech_aot", 1, ms_in, ms_len, NULL, 0);
    alone(&a, argv[1]);
    alone(&b, argv[1]);
    a.runs = n_pd;
    b.runs = n_ms;
    bad += pair("models", &a, &b);

    /* two instances of one AOT model */
    setup(&a, JOB_MS_AOT, "micro_speech_aot", 0, ms_in, ms_len, NULL, 0);
    setup(&b, JOB_MS_AOT, "micro_speech_aot", 1, ms_in, ms_len, NULL, 0);
    alone(&a, NULL);
    memcpy(b.expected, a.expected, sizeof a.expected);
    a.runs = b.runs = n_ms;
    bad += pair("aot_twins", &a, &b);

    /* two instances of one graph model, loaded from the same file buffer */
    setup(&a, JOB_MS_GRAPH, "micro_speech_graph", 0, ms_in, ms_len, lwfb, lwfb_len);
    setup(&b, JOB_MS_GRAPH, "micro_speech_graph", 1, ms_in, ms_len, lwfb, lwfb_len);
    alone(&a, argv[1]);
    memcpy(b.expected, a.expected, sizeof a.expected);
    a.runs = b.runs = n_ms;
    bad += pair("graph_twins", &a, &b);
    lwai_model_release(&a.model);
    lwai_model_release(&b.model);

    /* the workspace slot of TVM-generated functions */
    setup(&a, JOB_WORKSPACE, "workspace", 0, NULL, 0, NULL, 0);
    setup(&b, JOB_WORKSPACE, "workspace", 1, NULL, 0, NULL, 0);
    a.runs = b.runs = 50 * n_ms;
    bad += pair("workspace", &a, &b);

    free(pd_in);
    free(ms_in);
    free(lwfb);
    return bad != 0 ? 1 : 0;
}
