/* Arena canaries (CONFIG_LWAI_ARENA_CANARIES): see lwai_canary.h. Without the option this
 * file compiles to nothing. */
#include "lwai_canary.h"

#ifdef CONFIG_LWAI_ARENA_CANARIES
#include <string.h>

#include "lwai_thread_local.h"

/* 16 distinct bytes, none 0x00, 0x7f, 0x80 or 0xff (the values clamped int8 kernels write
 * most), so that a stray write of any one value changes the guard. */
static const uint8_t guard[LWAI_ARENA_CANARY_BYTES] = {
    0xc5, 0x3a, 0x96, 0x6b, 0x1d, 0xe2, 0x59, 0xa4,
    0x73, 0x8c, 0x2e, 0xd1, 0x47, 0xb8, 0x0b, 0xf4,
};

/* The failing node of this thread's last canary error (per thread: see tvm_backend.c). */
static LWAI_THREAD_LOCAL uint32_t failed_node = UINT32_MAX;
static LWAI_THREAD_LOCAL const char *failed_kernel;

void lwai_canary_arm(uint8_t *arena, uint32_t plan_bytes)
{
    memcpy(arena + plan_bytes, guard, sizeof guard);
}

int lwai_canary_intact(const uint8_t *arena, uint32_t plan_bytes)
{
    return memcmp(arena + plan_bytes, guard, sizeof guard) == 0;
}

lwai_status lwai_canary_after_node(const lwai_model_desc *desc, uint8_t *arena, uint32_t node,
                                   const char *kernel, lwai_status st)
{
    if (desc == NULL || arena == NULL || lwai_canary_intact(arena, desc->arena_bytes)) {
        return st;
    }
    failed_node = node;
    failed_kernel = kernel;
    lwai_canary_arm(arena, desc->arena_bytes); /* the next run starts from a whole guard */
    return LWAI_ERR_CANARY;
}

void lwai_canary_report(uint32_t *node, const char **kernel)
{
    *node = failed_node;
    *kernel = failed_kernel;
}

#else
/* ISO C wants a declaration in every translation unit. */
typedef int lwai_canary_unused;
#endif
