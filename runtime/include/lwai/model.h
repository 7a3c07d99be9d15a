/* The public API of a compiled model: init with a caller-owned arena, fill inputs, run. */
#ifndef LWAI_MODEL_H
#define LWAI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lwai/status.h"
#include "lwai/tensor.h"

/* Arena pointers handed to lwai must be aligned to this many bytes. */
#define LWAI_ARENA_ALIGN 16

/* Alignment of generated constant arrays (weights), so kernels may load words. */
#if defined(__GNUC__) || defined(__clang__)
#define LWAI_CONST_ALIGN __attribute__((aligned(16)))
#else
#define LWAI_CONST_ALIGN
#endif

/* What the compiler emits for one model (const, lives in flash). */
typedef struct lwai_model_desc {
    const char *name;
    uint32_t arena_bytes; /* activations + TVM workspaces, as planned at compile time */
    uint16_t num_inputs;
    uint16_t num_outputs;
    const lwai_tensor_info *inputs;
    const lwai_tensor_info *outputs;
    /* Runs the whole call sequence over the arena (AOT executor). */
    lwai_status (*run)(uint8_t *arena);
} lwai_model_desc;

/* A model instance bound to an arena (RAM, owned by the caller). AOT models fill the first
 * two fields; the graph loaders (lwai/graph.h) fill the rest too. */
typedef struct lwai_model {
    const lwai_model_desc *desc;
    uint8_t *arena;
    void *graph;                                   /* graph executor state, else NULL */
    lwai_status (*run_graph)(struct lwai_model *); /* set by the graph loaders */
    void (*release)(struct lwai_model *);          /* frees loader heap memory (JSON) */
    void *loader;             /* the loader's own state (JSON: its heap block), else NULL */
    const char *detail;       /* after a failed load: what failed (e.g. the missing kernel) */
    uint32_t arena_needed;    /* after a graph load: arena bytes the model needs */
} lwai_model;

/* Binds desc to arena. Returns LWAI_OK, LWAI_ERR_INVALID_ARG (NULL or misaligned arena),
 * LWAI_ERR_ARENA_TOO_SMALL (arena_bytes < desc->arena_bytes). */
lwai_status lwai_model_init(lwai_model *model, const lwai_model_desc *desc, uint8_t *arena,
                            size_t arena_bytes);

/* Views input/output `index` in the arena. Returns LWAI_OK or LWAI_ERR_INVALID_ARG. */
lwai_status lwai_model_input(const lwai_model *model, size_t index, lwai_tensor *tensor);
lwai_status lwai_model_output(const lwai_model *model, size_t index, lwai_tensor *tensor);

/* Runs one inference. Returns LWAI_OK or the first failing kernel's status. */
lwai_status lwai_model_run(lwai_model *model);

/* Frees what a model's loader took from the heap (the JSON loader of the graph executor);
 * harmless on any model, loaded or not, AOT or graph, and twice. */
void lwai_model_release(lwai_model *model);

#endif
