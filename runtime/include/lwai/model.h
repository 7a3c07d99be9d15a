/* The public API of a compiled model: init with a caller-owned arena, fill inputs, run.
 *
 *   lwai_model m;
 *   st = lwai_model_init(&m, &lwai_model_<name>, arena, sizeof arena);  // AOT
 *   st = lwai_model_set_input(&m, 0, x, sizeof x);    // or lwai_model_input() for a view
 *   st = lwai_model_run(&m);
 *   st = lwai_model_get_output(&m, 0, y, sizeof y);
 *   lwai_model_release(&m);
 *
 * Every function checks its arguments and the model's state and returns a status
 * (lwai/status.h; lwai_status_str() names it) instead of crashing: NULL pointers, indices
 * out of range, byte counts that differ from the tensor's, an arena that is too small or not
 * LWAI_ARENA_ALIGN-aligned, a model used before init or after release, a model compiled
 * against another kernel ABI. A model instance is used by one thread at a time; different
 * instances (of one model or of several) may run in different threads at once on L1/L2.
 */
#ifndef LWAI_MODEL_H
#define LWAI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lwai/status.h"
#include "lwai/tensor.h"

/* Arena pointers handed to lwai must be aligned to this many bytes: the compiler plans
 * every tensor at a 16-byte aligned offset, and the optimized kernels' 128-bit loads rely
 * on it. A misaligned arena is refused (LWAI_ERR_INVALID_ARG, detail "arena not 16-byte
 * aligned"), never realigned silently. */
#define LWAI_ARENA_ALIGN 16

#ifdef LWAI_HAVE_CONFIG_H
#include "lwai_config.h"
#endif

/* Arena canaries (CONFIG_LWAI_ARENA_CANARIES): a 16-byte guard pattern right after the
 * arena plan, written at init/load and checked before each run and after every node (the
 * node hook, lwai/node_hook.h); a node that wrote into it fails the run with
 * LWAI_ERR_CANARY naming the node. The caller's arena must then hold
 * LWAI_ARENA_GUARD_BYTES more than the plan; without canaries that is 0. */
#define LWAI_ARENA_CANARY_BYTES 16u
#ifdef CONFIG_LWAI_ARENA_CANARIES
#define LWAI_ARENA_GUARD_BYTES LWAI_ARENA_CANARY_BYTES
#else
#define LWAI_ARENA_GUARD_BYTES 0u
#endif

/* Alignment of generated constant arrays (weights), so kernels may load words. */
#if defined(__GNUC__) || defined(__clang__)
#define LWAI_CONST_ALIGN __attribute__((aligned(16)))
#else
#define LWAI_CONST_ALIGN
#endif

/* Version of this header's and lwai/tensor.h's layouts (lwai_model_desc, lwai_tensor_info):
 * bump it when they change. */
#define LWAI_MODEL_API_VERSION 2u

/* The ABI a compiled model is built for: a tag, the layout version above and the kernel
 * params layouts' fingerprint (lwai/kernel_params.h). The compiler stores the value its
 * headers give in every model desc; lwai_model_init compares it with the runtime's and
 * refuses a model object built against other headers (LWAI_ERR_ABI), e.g. a prebuilt model
 * library linked with a newer runtime, whose params structs would be read wrongly. Where it
 * is used, lwai/kernel_params.h (included by lwai/kernels.h) must be included too; this
 * header itself needs only runtime/include. */
#define LWAI_MODEL_ABI                                                                          \
    (0x4c000000u | ((uint32_t)(LWAI_MODEL_API_VERSION & 0xffu) << 16) |                         \
     (((uint32_t)LWAI_KERNEL_PARAMS_ABI ^ ((uint32_t)LWAI_KERNEL_PARAMS_ABI >> 16)) & 0xffffu))

/* What the compiler emits for one model (const, lives in flash). */
typedef struct lwai_model_desc {
    uint32_t abi;         /* LWAI_MODEL_ABI as the model's compiler saw it; first, so that
                           * reading it from an older desc stays inside the object */
    const char *name;
    uint32_t arena_bytes; /* activations + TVM workspaces, as planned at compile time */
    uint16_t num_inputs;
    uint16_t num_outputs;
    const lwai_tensor_info *inputs;
    const lwai_tensor_info *outputs;
    /* Runs the whole call sequence over the arena (AOT executor). */
    lwai_status (*run)(uint8_t *arena);
    /* Sets every persistent state tensor to its reset value (stateful ops: SVDF, LSTM);
     * NULL for a stateless model. */
    void (*reset)(uint8_t *arena);
} lwai_model_desc;

/* lwai_model.state: set by a successful init or load, changed by release. Anything else
 * (a zeroed or never-initialized struct) is a model not ready to run. */
#define LWAI_MODEL_READY 0x4c574149u    /* "LWAI" */
#define LWAI_MODEL_RELEASED 0x4c57deadu

/* A model instance bound to an arena (RAM, owned by the caller). AOT models fill the first
 * two fields; the graph loaders (lwai/graph.h) fill the rest too. */
typedef struct lwai_model {
    const lwai_model_desc *desc;
    uint8_t *arena;
    void *graph;                                   /* graph executor state, else NULL */
    lwai_status (*run_graph)(struct lwai_model *); /* set by the graph loaders */
    lwai_status (*reset_graph)(struct lwai_model *); /* graph loaders: state reset */
    void (*release)(struct lwai_model *);          /* frees loader heap memory (JSON) */
    void *loader;             /* the loader's own state (JSON: its heap block), else NULL */
    const char *detail;       /* after a failed call: what failed (the missing kernel, the
                               * argument, the kernel whose node overran the arena) */
    uint32_t arena_needed;    /* after init or a graph load: arena bytes the model needs */
    uint32_t state;           /* LWAI_MODEL_READY after init/load */
    uint32_t failed_node;     /* after LWAI_ERR_CANARY: the node index; else UINT32_MAX */
} lwai_model;

/* Binds desc to arena. Returns LWAI_OK; LWAI_ERR_INVALID_ARG for a NULL model, desc or
 * arena, a misaligned arena, or a desc without a run function or with an input/output
 * outside its plan (model->detail says which, when model is not NULL); LWAI_ERR_ABI for a
 * desc compiled against other headers; LWAI_ERR_ARENA_TOO_SMALL when arena_bytes is below
 * model->arena_needed (desc->arena_bytes, plus LWAI_ARENA_CANARY_BYTES with canaries). */
lwai_status lwai_model_init(lwai_model *model, const lwai_model_desc *desc, uint8_t *arena,
                            size_t arena_bytes);

/* Views input/output `index` in the arena. Returns LWAI_OK, LWAI_ERR_INVALID_ARG (NULL
 * model or tensor, index out of range) or LWAI_ERR_STATE (model not initialized). */
lwai_status lwai_model_input(const lwai_model *model, size_t index, lwai_tensor *tensor);
lwai_status lwai_model_output(const lwai_model *model, size_t index, lwai_tensor *tensor);

/* Copies `bytes` bytes into input `index` / out of output `index`. Same results as the
 * views, plus LWAI_ERR_SIZE when bytes differs from the tensor's byte size (nothing is
 * copied then). */
lwai_status lwai_model_set_input(lwai_model *model, size_t index, const void *data,
                                 size_t bytes);
lwai_status lwai_model_get_output(const lwai_model *model, size_t index, void *data,
                                  size_t bytes);

/* Runs one inference. Returns LWAI_OK, LWAI_ERR_INVALID_ARG (NULL), LWAI_ERR_STATE (not
 * initialized, or released), LWAI_ERR_CANARY (a node wrote past the arena plan: canary
 * builds; model->detail names its kernel, model->failed_node its index) or the first
 * failing kernel's status. */
lwai_status lwai_model_run(lwai_model *model);

/* Restores every persistent state tensor (SVDF, LSTM) to its reset value, as init and load
 * do; a no-op for stateless models. Returns LWAI_OK, LWAI_ERR_INVALID_ARG or
 * LWAI_ERR_STATE. */
lwai_status lwai_model_reset_state(lwai_model *model);

/* Frees what a model's loader took from the heap (the JSON loader of the graph executor)
 * and ends the instance: later calls return LWAI_ERR_STATE until the next init or load.
 * Harmless on any model, loaded or not, AOT or graph, NULL, and twice. */
void lwai_model_release(lwai_model *model);

/* A short English name of a status ("ok", "arena too small", ...); never NULL. */
const char *lwai_status_str(lwai_status status);

#endif
