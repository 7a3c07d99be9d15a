/* The graph executor's in-memory model, shared by the loaders (flatbuffer, JSON) and the
 * executor. A loader decodes a file into these records, then lwai_graph_bind() checks the
 * graph against the kernels' contracts and binds it to the arena. Nothing here is public. */
#ifndef LWAI_GRAPH_INTERNAL_H
#define LWAI_GRAPH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lwai/graph.h"
#include "lwai/kernels.h"

/* Limits a file may not exceed (they bound every loop and keep sizes in 32 bits). */
#define LWAI_GRAPH_MAX_TENSORS 65535u
#define LWAI_GRAPH_MAX_NODES 65535u
#define LWAI_GRAPH_MAX_OPERANDS 16u   /* inputs + outputs of one node */
#define LWAI_GRAPH_MAX_PARAMS 32u     /* params and fparams of one node, each */
#define LWAI_GRAPH_MAX_IO 16u         /* graph inputs, and graph outputs */
#define LWAI_GRAPH_MAX_BYTES 0x7fffffffu /* largest tensor, and largest arena */

/* One tensor as the loader found it. */
typedef struct {
    const char *name;        /* NUL-terminated, may be "" */
    const int32_t *shape;    /* [ndim], each >= 1 */
    uint8_t ndim;            /* 1..LWAI_MAX_DIMS */
    uint8_t dtype;           /* lwai_dtype */
    int32_t arena_offset;    /* >= 0 for activations, -1 for constants */
    const void *const_data;  /* constants: the element bytes (NULL for activations) */
    uint32_t const_bytes;    /* constants: bytes available at const_data */
    float scale;             /* first (or only) scale; 0 when not quantized */
    int32_t zero_point;
} lwai_graph_tensor_src;

/* One node as the loader found it: tensor indices of its inputs (-1 for an absent optional
 * input) and outputs, `dims` 4 per operand (inputs then outputs). */
typedef struct {
    const char *kernel;      /* NUL-terminated name */
    const int32_t *inputs;
    const int32_t *outputs;
    const int32_t *dims;     /* NULL when num_dims == 0 (TVM nodes) */
    const int32_t *params;
    const float *fparams;
    uint32_t num_inputs, num_outputs, num_dims, num_params, num_fparams;
} lwai_graph_node_src;

/* What a loader hands to lwai_graph_bind: counts, and accessors into its own storage. */
typedef struct {
    const char *name;
    uint32_t arena_bytes;
    uint32_t num_tensors, num_nodes, num_inputs, num_outputs;
    const int32_t *inputs;
    const int32_t *outputs;
    void *ctx;
    /* Fill *t / *n for index i; return LWAI_OK or LWAI_ERR_BAD_MODEL. */
    lwai_status (*tensor)(void *ctx, uint32_t i, lwai_graph_tensor_src *t);
    lwai_status (*node)(void *ctx, uint32_t i, lwai_graph_node_src *n);
} lwai_graph_source;

/* ---- bound records (in the arena tail) ---------------------------------------------- */
typedef struct {
    void *data;              /* arena + offset, or the constant bytes */
    const int32_t *shape;
    uint32_t bytes;
    uint8_t ndim;
    uint8_t dtype;
    uint8_t is_const;
} lwai_graph_tensor;

struct lwai_graph_kernel;

typedef struct {
    const struct lwai_graph_kernel *kernel; /* library kernel, or NULL for a TVM one */
    const lwai_tvm_kernel *tvm;
    const char *name;
    const int32_t *inputs;
    const int32_t *outputs;
    const int32_t *dims;
    const int32_t *params;
    const float *fparams;
    uint8_t num_inputs, num_outputs;
} lwai_graph_node;

/* Tensor index of operand j of a node (inputs, then outputs). */
static inline int32_t lwai_graph_operand(const lwai_graph_node *n, uint32_t j)
{
    return j < n->num_inputs ? n->inputs[j] : n->outputs[j - n->num_inputs];
}

typedef struct {
    lwai_model_desc desc;    /* inputs/outputs point at io below */
    lwai_graph_tensor *tensors;
    lwai_graph_node *nodes;
    uint32_t num_tensors, num_nodes;
    uint8_t *arena;
    uint8_t *scratch;        /* kernels' scratch after the records, 16-aligned; NULL if none */
    uint32_t scratch_bytes;  /* the largest any node's kernel asked for */
    lwai_node_callback callback;
    void *user;
} lwai_graph;

/* A library kernel as the executor sees it. */
typedef struct lwai_graph_kernel {
    const char *name;            /* "conv2d_s8", ... */
    uint8_t num_inputs, num_outputs, num_params, num_fparams;
    uint8_t optional_inputs;     /* bit i: input i may be absent (-1) */
    const uint8_t *dtypes;       /* lwai_dtype of each operand, inputs then outputs */
    const char *const *param_names; /* params then fparams (the JSON loader's keys) */
    /* Value checks beyond counts, dtypes and dims (ranges of offsets, shifts, ...). */
    lwai_status (*check)(const lwai_graph *g, const lwai_graph_node *n);
    lwai_status (*run)(const lwai_graph *g, const lwai_graph_node *n);
    /* Scratch bytes the node's kernel needs (an optimized or CMSIS-NN kernel's
     * *_get_buffer_size, called once at bind), negative if it refuses the node; NULL when
     * the image's kernel needs none. Nodes share one scratch area (they run in turn). */
    int32_t (*scratch)(const lwai_graph *g, const lwai_graph_node *n);
    /* Stateful kernels (SVDF, LSTM): bit i set when input i is persistent state (an arena
     * tensor the kernel reads and writes, kept between runs), and the function restoring a
     * node's state to its reset value (bind and lwai_model_reset_state call it); 0 / NULL
     * for the others. 16 bits: LSTM's two states are inputs 13 and 14. */
    uint16_t state_inputs;
    lwai_status (*reset)(const lwai_graph *g, const lwai_graph_node *n);
    /* Variadic operands (LWAI_<K>_VARIADIC): bit 0 the last input repeats (PACK), bit 1 the
     * output does (SPLIT, UNPACK); a node then has that operand 1..n times, each with the
     * dtype of its one entry in `dtypes`, n bounded by LWAI_GRAPH_MAX_OPERANDS. */
    uint8_t variadic;
} lwai_graph_kernel;

/* The library kernels this image holds (registry.c), and lookup by name. */
const lwai_graph_kernel *lwai_graph_find_kernel(const char *name);

/* Decodes `src` into records at the tail of the arena, checks everything against the
 * kernels' contracts and fills `model`. Shared by every loader. */
lwai_status lwai_graph_bind(const lwai_graph_source *src, uint8_t *arena, size_t arena_bytes,
                            const lwai_load_options *options, lwai_model *model);

/* Name of an lwai_dtype ("int8", ...), NULL if unknown; element size in bytes (0 unknown). */
const char *lwai_dtype_name(uint8_t dtype);
uint32_t lwai_dtype_size(uint8_t dtype);

#endif
