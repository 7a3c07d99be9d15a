/* Arena canaries (CONFIG_LWAI_ARENA_CANARIES, lwai/model.h): the guard after the arena plan,
 * its per-node check (called from the node hook, runtime/src/node_hook.c) and the report of
 * the node that broke it. Internal to runtime/src. */
#ifndef LWAI_CANARY_H
#define LWAI_CANARY_H

#include <stdint.h>

#include "lwai/model.h"

/* Writes the guard at arena + plan_bytes (LWAI_ARENA_CANARY_BYTES bytes). */
void lwai_canary_arm(uint8_t *arena, uint32_t plan_bytes);
/* 1 when the guard at arena + plan_bytes is intact. */
int lwai_canary_intact(const uint8_t *arena, uint32_t plan_bytes);
/* After node `node` ran with `st`: LWAI_ERR_CANARY when it broke the guard (recorded for
 * lwai_canary_report, the guard re-armed), else st. */
lwai_status lwai_canary_after_node(const lwai_model_desc *desc, uint8_t *arena, uint32_t node,
                                   const char *kernel, lwai_status st);
/* The node and kernel of this thread's last LWAI_ERR_CANARY. */
void lwai_canary_report(uint32_t *node, const char **kernel);

#endif
