/*
 * lwai's entry sample for LiteOS-M products: a task runs each model of the table (generated
 * by lwai.gni's lwai_liteos_m_app()) LWAI_LITEOS_INFERENCES times and prints on the console,
 * per inference:
 *
 *   lwai: model <target> run=<r> inputs=<n> outputs=<m> arena=<bytes>
 *   lwai: output <i> <dtype> <count>: <v0> <v1> ...   (ints in decimal; float32 as the
 *                                                    IEEE bits in hex, so bit-exact)
 *   lwai: ok ticks=<cycles> runs=1 tick_hz=<cycle rate>   (the QEMU apps' line)
 *
 * and "lwai: error: ..." on a failure. Inputs come from a fixed xorshift32 stream (no files
 * on the board): input i of model k in run r is filled from the seed
 * 0x9E3779B9 * (256r + 16k + i + 1) (mod 2^32),
 * one byte per step (the state's top byte) for integer tensors, or (state >> 8) / 2^24 * 6 - 3
 * per float32 element, so a host check (boards/liteos-m/README.md) recreates them exactly.
 *
 * Startup: LWAI_LITEOS_STARTUP_WRAP defines __wrap_LosAppInit (link with
 * -Wl,--wrap=LosAppInit; the board's own LosAppInit runs first); _SYS_RUN and
 * _APP_FEATURE_INIT register the task's creation in OpenHarmony's startup sections.
 */
#include <stdint.h>
#include <stdio.h>

#include "los_task.h"
#include "los_tick.h"

#include "lwai/model.h"
#include "lwai_liteos_app.h"

#if defined(LWAI_LITEOS_STARTUP_SYS_RUN) || defined(LWAI_LITEOS_STARTUP_APP_FEATURE_INIT)
#include "ohos_init.h"
#endif

#ifndef LWAI_LITEOS_INFERENCES
#define LWAI_LITEOS_INFERENCES 1u
#endif
#ifndef LWAI_LITEOS_STACK_BYTES
#define LWAI_LITEOS_STACK_BYTES 8192u
#endif
/* Below the kernel's shell and idle work, above nothing else of the demo products. */
#define LWAI_LITEOS_TASK_PRIO 20u

static uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static void fill_input(const lwai_tensor *t, uint32_t seed)
{
    uint32_t state = seed != 0u ? seed : 1u;
    uint32_t i;
    if (t->info->dtype == LWAI_DTYPE_FLOAT32) {
        float *f = (float *)t->data;
        for (i = 0; i < t->info->bytes / 4u; ++i) {
            f[i] = (float)(xorshift32(&state) >> 8) / 16777216.0f * 6.0f - 3.0f;
        }
    } else {
        uint8_t *b = (uint8_t *)t->data;
        for (i = 0; i < t->info->bytes; ++i) {
            b[i] = (uint8_t)(xorshift32(&state) >> 24);
        }
    }
}

static const char *dtype_name(uint8_t dtype)
{
    switch (dtype) {
    case LWAI_DTYPE_INT8:
        return "int8";
    case LWAI_DTYPE_UINT8:
        return "uint8";
    case LWAI_DTYPE_INT16:
        return "int16";
    case LWAI_DTYPE_INT32:
        return "int32";
    case LWAI_DTYPE_FLOAT32:
        return "float32";
    default:
        return "bytes";
    }
}

/* LiteOS-M's printf has no 64-bit conversions: decimal by hand. */
static const char *u64_text(uint64_t v, char *buf)
{
    char tmp[21];
    uint32_t n = 0;
    uint32_t i;
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

static void print_output(uint32_t index, const lwai_tensor *t)
{
    const uint8_t dtype = t->info->dtype;
    const uint32_t size = dtype == LWAI_DTYPE_INT16 ? 2u
                          : (dtype == LWAI_DTYPE_INT32 || dtype == LWAI_DTYPE_FLOAT32) ? 4u
                                                                                        : 1u;
    const uint32_t count = t->info->bytes / size;
    uint32_t i;
    printf("lwai: output %u %s %u:", (unsigned)index, dtype_name(dtype), (unsigned)count);
    for (i = 0; i < count; ++i) {
        if (dtype == LWAI_DTYPE_INT8) {
            printf(" %d", (int)((const int8_t *)t->data)[i]);
        } else if (dtype == LWAI_DTYPE_INT16) {
            printf(" %d", (int)((const int16_t *)t->data)[i]);
        } else if (dtype == LWAI_DTYPE_INT32) {
            printf(" %ld", (long)((const int32_t *)t->data)[i]);
        } else if (dtype == LWAI_DTYPE_FLOAT32) {
            printf(" 0x%08lx", (unsigned long)((const uint32_t *)t->data)[i]);
        } else {
            printf(" %u", (unsigned)((const uint8_t *)t->data)[i]);
        }
    }
    printf("\n");
}

static int run_one(uint32_t k, uint32_t r, const lwai_liteos_entry *e)
{
    lwai_model model;
    lwai_tensor t;
    lwai_status st;
    uint64_t t0;
    uint64_t ticks;
    char num[24];
    uint32_t i;
    printf("lwai: model %s run=%u inputs=%u outputs=%u arena=%lu\n", e->target, (unsigned)r,
           (unsigned)e->desc->num_inputs, (unsigned)e->desc->num_outputs,
           (unsigned long)e->desc->arena_bytes);
    st = lwai_model_init(&model, e->desc, lwai_liteos_arena, lwai_liteos_arena_bytes);
    if (st != LWAI_OK) {
        printf("lwai: error: lwai_model_init of %s failed with status %d\n", e->target, (int)st);
        return 1;
    }
    for (i = 0; i < e->desc->num_inputs; ++i) {
        if (lwai_model_input(&model, i, &t) != LWAI_OK) {
            printf("lwai: error: cannot view input %u of %s\n", (unsigned)i, e->target);
            return 1;
        }
        fill_input(&t, 0x9E3779B9u * (256u * r + 16u * k + i + 1u));
    }
    t0 = LOS_SysCycleGet();
    st = lwai_model_run(&model);
    ticks = LOS_SysCycleGet() - t0;
    if (st != LWAI_OK) {
        printf("lwai: error: lwai_model_run of %s failed with status %d\n", e->target, (int)st);
        return 1;
    }
    for (i = 0; i < e->desc->num_outputs; ++i) {
        if (lwai_model_output(&model, i, &t) != LWAI_OK) {
            printf("lwai: error: cannot view output %u of %s\n", (unsigned)i, e->target);
            return 1;
        }
        print_output(i, &t);
    }
    printf("lwai: ok ticks=%s runs=1 tick_hz=%lu\n", u64_text(ticks, num),
           (unsigned long)g_sysClock);
    return 0;
}

int lwai_liteos_run_all(void)
{
    uint32_t k;
    uint32_t r;
    int failed = 0;
    for (k = 0; k < lwai_liteos_num_models; ++k) {
        for (r = 0; r < LWAI_LITEOS_INFERENCES; ++r) {
            failed |= run_one(k, r, &lwai_liteos_models[k]);
        }
    }
    return failed;
}

static void *lwai_liteos_task(UINT32 arg)
{
    (void)arg;
    (void)lwai_liteos_run_all();
    printf("lwai: done\n");
    return NULL;
}

static UINT32 lwai_liteos_start(void)
{
    UINT32 task_id = 0;
    TSK_INIT_PARAM_S param = {0};
    UINT32 ret;
    param.pfnTaskEntry = lwai_liteos_task;
    param.uwStackSize = LWAI_LITEOS_STACK_BYTES;
    param.pcName = "lwai";
    param.usTaskPrio = LWAI_LITEOS_TASK_PRIO;
    ret = LOS_TaskCreate(&task_id, &param);
    if (ret != LOS_OK) {
        printf("lwai: error: LOS_TaskCreate failed: 0x%lx\n", (unsigned long)ret);
    }
    return ret;
}

#if defined(LWAI_LITEOS_STARTUP_WRAP)
UINT32 __real_LosAppInit(VOID);
UINT32 __wrap_LosAppInit(VOID);

/* main() calls LosAppInit (linked with -Wl,--wrap=LosAppInit): the board's own app init,
 * then lwai's task. */
UINT32 __wrap_LosAppInit(VOID)
{
    UINT32 ret = __real_LosAppInit();
    if (ret != LOS_OK) {
        return ret;
    }
    return lwai_liteos_start();
}
#elif defined(LWAI_LITEOS_STARTUP_SYS_RUN)
static void lwai_liteos_sys_run(void)
{
    (void)lwai_liteos_start();
}
SYS_RUN(lwai_liteos_sys_run);
#elif defined(LWAI_LITEOS_STARTUP_APP_FEATURE_INIT)
static void lwai_liteos_feature_init(void)
{
    (void)lwai_liteos_start();
}
APP_FEATURE_INIT(lwai_liteos_feature_init);
#else
#error "define LWAI_LITEOS_STARTUP_WRAP, _SYS_RUN or _APP_FEATURE_INIT (lwai.gni does)"
#endif
