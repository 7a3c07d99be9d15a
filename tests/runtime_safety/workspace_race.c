/* Two threads following the TVM workspace protocol of generated code at once
 * (tests/test_threads.py builds this with tvm_backend.c's slot forced to file scope, as it
 * was before issue 14, to show that ThreadSanitizer sees the race the fix removes). */
#define _POSIX_C_SOURCE 200112L
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "lwai/tvm_backend.h"

static uint8_t slot[2][256] __attribute__((aligned(16)));
static int errors[2];

static int32_t user(void *self, void *args, int32_t num_args, void *result)
{
    const int tid = *(const int *)((const DLTensor *)((TVMFFIAny *)args)[0].v_ptr)->data;
    uint8_t *a = TVMBackendAllocWorkspace(1, 0, 64, 0, 8);
    int i, bad = 0;
    (void)self;
    (void)num_args;
    (void)result;
    if (a == NULL) {
        return -1;
    }
    memset(a, tid + 1, 64);
    sched_yield();
    for (i = 0; i < 64; ++i) {
        bad |= a[i] != tid + 1;
    }
    TVMBackendFreeWorkspace(1, 0, a);
    return bad ? -1 : 0;
}

static void *worker(void *arg)
{
    int tid = *(int *)arg;
    int r;
    DLTensor t;
    memset(&t, 0, sizeof t);
    t.data = &tid;
    for (r = 0; r < 2000; ++r) {
        if (lwai_tvm_call(user, &t, 1, slot[tid], sizeof slot[tid]) != LWAI_OK) {
            errors[tid]++;
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    int ids[2] = {0, 1};
    int i;
    for (i = 0; i < 2; ++i) {
        if (pthread_create(&t[i], NULL, worker, &ids[i]) != 0) {
            return 5;
        }
    }
    for (i = 0; i < 2; ++i) {
        pthread_join(t[i], NULL);
    }
    printf("errors %d %d\n", errors[0], errors[1]);
    return 0;
}
