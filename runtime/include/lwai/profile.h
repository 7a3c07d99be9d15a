/* Per-node profile (CONFIG_LWAI_PROFILING): counter ticks per node, summed over every
 * inference since start-up or the last lwai_profile_reset().
 *
 * A node's count runs from the end of the node before it (for node 0: its own start) to
 * its own end, so the glue between two kernels (status check, argument set-up, the graph
 * executor's dispatch) and the hook's own counter read go to the node after it; the
 * executor's entry and exit (lwai_model_run's checks) have their own total, and the node
 * counts plus that one make the whole inference.
 *
 * The counter is the board's lwai_board_ticks() (boards/include/lwai/board.h; every lwai
 * board has one: SysTick under QEMU's -icount, i.e. instructions, on the Cortex-M boards;
 * clock_gettime on Linux), at lwai_board_tick_hz() ticks per second. The totals are
 * file-scope statics: profile one model at a time (not thread-safe, a debug feature).
 */
#ifndef LWAI_PROFILE_H
#define LWAI_PROFILE_H

#include <stdint.h>

/* Nodes profiled so far: one more than the highest node index seen (capped at
 * CONFIG_LWAI_PROFILING_MAX_NODES; nodes beyond it are timed but not kept). */
uint32_t lwai_profile_count(void);
/* Ticks of node `node` summed over the inferences; 0 for a node never run. */
uint64_t lwai_profile_ticks(uint32_t node);
/* The kernel name the node last ran with (a string of the model), or NULL. */
const char *lwai_profile_kernel(uint32_t node);
/* Ticks of the executor itself, outside every node, summed over the inferences: from
 * entering lwai_model_run to node 0's start and from the last node's end to leaving it
 * (argument and state checks, dispatch). The node counts plus this one make the inference. */
uint64_t lwai_profile_executor_ticks(void);
/* Clears every total. */
void lwai_profile_reset(void);

#endif
