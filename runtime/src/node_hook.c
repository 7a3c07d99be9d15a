/* The per-node hook (lwai/node_hook.h) and the features behind it. Compiles to nothing
 * unless the configuration turns a feature on, so default images carry no byte of it. */
#include "lwai/node_hook.h"

#if LWAI_NODE_HOOKS

#ifdef CONFIG_LWAI_ARENA_CANARIES
#include "lwai_canary.h"
#endif

#ifdef CONFIG_LWAI_PROFILING
#include "lwai/profile.h"

/* The board's counter (boards/include/lwai/board.h); declared here so that the runtime
 * needs no board header. */
uint64_t lwai_board_ticks(void);

#ifndef CONFIG_LWAI_PROFILING_MAX_NODES
#define CONFIG_LWAI_PROFILING_MAX_NODES 128
#endif

static uint64_t profile_ticks[CONFIG_LWAI_PROFILING_MAX_NODES];
static const char *profile_kernel[CONFIG_LWAI_PROFILING_MAX_NODES];
static uint32_t profile_count;
static uint64_t profile_mark; /* the counter at the end of the last node (lap start) */
static uint64_t profile_run_mark; /* the counter on entering lwai_model_run */
static uint64_t profile_executor;
/* 0 from entering lwai_model_run to node 0's start; 1 otherwise, so a model run without
 * lwai_model_run (desc->run called directly) adds nothing to the executor's total. */
static int profile_ran_node = 1;

uint32_t lwai_profile_count(void)
{
    return profile_count;
}

uint64_t lwai_profile_ticks(uint32_t node)
{
    return node < profile_count ? profile_ticks[node] : 0u;
}

const char *lwai_profile_kernel(uint32_t node)
{
    return node < profile_count ? profile_kernel[node] : NULL;
}

uint64_t lwai_profile_executor_ticks(void)
{
    return profile_executor;
}

void lwai_profile_reset(void)
{
    uint32_t i;
    profile_executor = 0u;
    for (i = 0; i < CONFIG_LWAI_PROFILING_MAX_NODES; ++i) {
        profile_ticks[i] = 0u;
        profile_kernel[i] = NULL;
    }
    profile_count = 0u;
}
#endif

void lwai_node_begin(const lwai_model_desc *desc, uint8_t *arena, uint32_t node,
                     const char *kernel)
{
    (void)desc;
    (void)arena;
    (void)kernel;
#ifdef CONFIG_LWAI_PROFILING
    /* Laps: only the first node starts the clock; each later node's count starts where the
     * one before it ended. */
    if (node == 0u) {
        profile_mark = lwai_board_ticks();
        if (!profile_ran_node) {
            profile_executor += profile_mark - profile_run_mark;
        }
        profile_ran_node = 1;
    }
#else
    (void)node;
#endif
}

lwai_status lwai_node_end(const lwai_model_desc *desc, uint8_t *arena, uint32_t node,
                          const char *kernel, lwai_status st)
{
    (void)desc;
    (void)arena;
#ifdef CONFIG_LWAI_PROFILING
    {
        const uint64_t now = lwai_board_ticks();
        if (node < CONFIG_LWAI_PROFILING_MAX_NODES) {
            profile_ticks[node] += now - profile_mark;
            profile_kernel[node] = kernel;
            if (node >= profile_count) {
                profile_count = node + 1u;
            }
        }
        profile_mark = now;
    }
#else
    (void)node;
    (void)kernel;
#endif
#ifdef CONFIG_LWAI_ARENA_CANARIES
    /* after profiling's counter read, so the check's cost goes to the next node's lap */
    st = lwai_canary_after_node(desc, arena, node, kernel, st);
#endif
    return st;
}

void lwai_run_begin(const lwai_model *model)
{
    (void)model;
#ifdef CONFIG_LWAI_PROFILING
    profile_run_mark = lwai_board_ticks();
    profile_ran_node = 0;
#endif
}

lwai_status lwai_run_end(const lwai_model *model, lwai_status st)
{
    (void)model;
#ifdef CONFIG_LWAI_PROFILING
    {
        const uint64_t now = lwai_board_ticks();
        profile_executor += now - (profile_ran_node ? profile_mark : profile_run_mark);
        profile_ran_node = 1;
    }
#endif
    return st;
}

#else
/* ISO C wants a declaration in every translation unit. */
typedef int lwai_node_hook_unused;
#endif
