/* The per-node hook: one place where debug features run around every operator, in both
 * executors (the AOT code the compiler generates, lwai/codegen/templates/model.c.j2, and
 * the graph executor, runtime/src/graph/executor.c):
 *
 *   LWAI_NODE_BEGIN(desc, arena, node, kernel);
 *   st = <the kernel call>;
 *   LWAI_NODE_END(desc, arena, node, kernel, st);   // may turn st into an error status
 *   if (st != LWAI_OK) return st;
 *
 * desc: the model's `const lwai_model_desc *` (name, arena_bytes); arena: its arena;
 * node: the node index, 0-based, equal to the op's index in report.json "ops" and to the
 * graph file's node index; kernel: a string naming the kernel (C symbol or graph kernel).
 *
 * Around the whole inference, lwai_model_run (runtime/src/model.c) has
 *
 *   LWAI_RUN_BEGIN(model);  ...run the nodes...  LWAI_RUN_END(model, st);
 *
 * so a feature can tell the executor's own entry and exit from the nodes.
 *
 * Every hook is off unless the configuration (lwai_config.h, seen when the build defines
 * LWAI_HAVE_CONFIG_H) turns a feature on; then the macros expand to `((void)0)` and the
 * kernel string is never emitted, so images without the features are byte-identical to
 * images built before the hook existed.
 *
 * Features (each a Kconfig bool):
 *   CONFIG_LWAI_PROFILING  per-node counter totals (lwai/profile.h)
 * Further features add their `#if` below and their call in lwai_node_end() (runtime/src/
 * node_hook.c); see /work/notes/hook.md for the contract.
 */
#ifndef LWAI_NODE_HOOK_H
#define LWAI_NODE_HOOK_H

#include <stdint.h>

#include "lwai/model.h"

#ifdef LWAI_HAVE_CONFIG_H
#include "lwai_config.h"
#endif

#if defined(CONFIG_LWAI_PROFILING) || defined(CONFIG_LWAI_ARENA_CANARIES)
#define LWAI_NODE_HOOKS 1
#else
#define LWAI_NODE_HOOKS 0
#endif

#if LWAI_NODE_HOOKS
/* Before node `node` runs. */
void lwai_node_begin(const lwai_model_desc *desc, uint8_t *arena, uint32_t node,
                     const char *kernel);
/* After node `node` ran with status `st`; returns the status to go on with (st, or an
 * error a check found). */
lwai_status lwai_node_end(const lwai_model_desc *desc, uint8_t *arena, uint32_t node,
                          const char *kernel, lwai_status st);

/* Entering and leaving lwai_model_run (before its checks, after the last node). */
void lwai_run_begin(const lwai_model *model);
lwai_status lwai_run_end(const lwai_model *model, lwai_status st);

#define LWAI_RUN_BEGIN(model) lwai_run_begin(model)
#define LWAI_RUN_END(model, st) ((st) = lwai_run_end((model), (st)))
#define LWAI_NODE_BEGIN(desc, arena, node, kernel) \
    lwai_node_begin((desc), (arena), (node), (kernel))
#define LWAI_NODE_END(desc, arena, node, kernel, st) \
    ((st) = lwai_node_end((desc), (arena), (node), (kernel), (st)))
#else
#define LWAI_RUN_BEGIN(model) ((void)0)
#define LWAI_RUN_END(model, st) ((void)0)
#define LWAI_NODE_BEGIN(desc, arena, node, kernel) ((void)0)
#define LWAI_NODE_END(desc, arena, node, kernel, st) ((void)0)
#endif

#endif
