/* The graph executor: binds a loader's graph to the caller's arena after checking it
 * against every kernel's contract, then runs the nodes in order.
 *
 * Arena layout: [0, arena_bytes) holds the activations exactly as the compiler planned
 * them; the records below go right after, so nothing is allocated:
 *   lwai_graph | tensors[num_tensors] | nodes[num_nodes] | lwai_tensor_info[num_io] | scratch
 * where scratch (16-aligned) is the largest buffer a node's optimized or CMSIS-NN kernel
 * asks for, sized once all nodes are checked.
 */
#include <string.h>

#include "graph_internal.h"
#include "lwai/node_hook.h"
#include "../lwai_canary.h"

#define RECORD_ALIGN 8u

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1u) / a * a;
}

const char *lwai_dtype_name(uint8_t dtype)
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
    case LWAI_DTYPE_INT64:
        return "int64";
    case LWAI_DTYPE_BOOL:
        return "bool";
    case LWAI_DTYPE_UINT32:
        return "uint32";
    case LWAI_DTYPE_UINT64:
        return "uint64";
    default:
        return NULL;
    }
}

uint32_t lwai_dtype_size(uint8_t dtype)
{
    switch (dtype) {
    case LWAI_DTYPE_INT8:
    case LWAI_DTYPE_UINT8:
    case LWAI_DTYPE_BOOL:
        return 1u;
    case LWAI_DTYPE_INT16:
        return 2u;
    case LWAI_DTYPE_INT32:
    case LWAI_DTYPE_FLOAT32:
        return 4u;
    case LWAI_DTYPE_UINT32:
        return 4u;
    case LWAI_DTYPE_INT64:
    case LWAI_DTYPE_UINT64:
        return 8u;
    default:
        return 0u;
    }
}

static lwai_status bad(lwai_model *model, const char *what)
{
    model->detail = what;
    return LWAI_ERR_BAD_MODEL;
}

/* Checks one tensor and binds it; `activations` is the file's arena size. */
static lwai_status bind_tensor(const lwai_graph_tensor_src *s, uint8_t *arena,
                               uint32_t activations, lwai_graph_tensor *t)
{
    const uint32_t size = lwai_dtype_size(s->dtype);
    uint64_t count = 1u;
    uint32_t d;
    if (size == 0u || s->ndim < 1u || s->ndim > LWAI_MAX_DIMS || s->shape == NULL ||
        s->name == NULL) {
        return LWAI_ERR_BAD_MODEL;
    }
    for (d = 0; d < s->ndim; ++d) {
        if (s->shape[d] < 1) {
            return LWAI_ERR_BAD_MODEL;
        }
        count *= (uint64_t)s->shape[d];
        if (count > LWAI_GRAPH_MAX_BYTES / size) {
            return LWAI_ERR_BAD_MODEL;
        }
    }
    t->bytes = (uint32_t)(count * size);
    t->shape = s->shape;
    t->ndim = s->ndim;
    t->dtype = s->dtype;
    if (s->arena_offset >= 0) {
        /* Element-aligned and inside the planned activations. */
        if (s->const_data != NULL || (uint32_t)s->arena_offset % size != 0u ||
            (uint64_t)(uint32_t)s->arena_offset + t->bytes > activations) {
            return LWAI_ERR_BAD_MODEL;
        }
        t->data = arena + s->arena_offset;
        t->is_const = 0u;
    } else {
        if (s->arena_offset != -1 || s->const_data == NULL || s->const_bytes != t->bytes ||
            (uintptr_t)s->const_data % size != 0u) {
            return LWAI_ERR_BAD_MODEL;
        }
        t->data = (void *)(uintptr_t)s->const_data; /* kernels only read inputs */
        t->is_const = 1u;
    }
    return LWAI_OK;
}

static uint64_t element_count(const lwai_graph_tensor *t)
{
    return t->bytes / lwai_dtype_size(t->dtype);
}

/* Operand j of a library-kernel node: index, dtype, dims. */
static lwai_status check_library_node(const lwai_graph *g, const lwai_graph_node_src *s,
                                      const lwai_graph_kernel *k, lwai_graph_node *n)
{
    const uint32_t operands = s->num_inputs + s->num_outputs;
    const int var_in = (k->variadic & 1u) != 0u, var_out = (k->variadic & 2u) != 0u;
    uint32_t j;
    /* a variadic operand appears 1..n times (n: the operand limit bind_node checked) */
    if ((var_in ? s->num_inputs < k->num_inputs : s->num_inputs != k->num_inputs) ||
        (var_out ? s->num_outputs < 1u : s->num_outputs != k->num_outputs) ||
        s->num_params != k->num_params || s->num_fparams != k->num_fparams ||
        s->num_dims != 4u * operands || s->dims == NULL ||
        (s->num_params != 0u && s->params == NULL) ||
        (s->num_fparams != 0u && s->fparams == NULL)) {
        return LWAI_ERR_BAD_MODEL;
    }
    for (j = 0; j < operands; ++j) {
        const int32_t index = j < s->num_inputs ? s->inputs[j] : s->outputs[j - s->num_inputs];
        const int32_t *d = &s->dims[4u * j];
        uint64_t count;
        if (index == -1 && j < s->num_inputs && (k->optional_inputs & (1u << j)) != 0u) {
            continue;
        }
        if (index < 0 || (uint32_t)index >= g->num_tensors) {
            return LWAI_ERR_BAD_MODEL;
        }
        {
            /* the kernel's operand entry: repeats map to the variadic one */
            const uint32_t kj = j < s->num_inputs
                                    ? (j < k->num_inputs ? j : k->num_inputs - 1u)
                                    : k->num_inputs + ((j - s->num_inputs) < k->num_outputs
                                                           ? (j - s->num_inputs)
                                                           : k->num_outputs - 1u);
            if (k->dtypes[kj] != 0u && g->tensors[index].dtype != k->dtypes[kj]) {
                return LWAI_ERR_BAD_MODEL;
            }
        }
        if ((j >= s->num_inputs || (k->state_inputs & (1u << j)) != 0u) &&
            g->tensors[index].is_const) {
            return LWAI_ERR_BAD_MODEL; /* outputs and state are written: never constants */
        }
        if (d[0] < 1 || d[1] < 1 || d[2] < 1 || d[3] < 1) {
            return LWAI_ERR_BAD_MODEL;
        }
        count = (uint64_t)d[0] * (uint64_t)d[1] * (uint64_t)d[2] * (uint64_t)d[3];
        if (count != element_count(&g->tensors[index])) {
            return LWAI_ERR_BAD_MODEL; /* the kernel would read or write past the tensor */
        }
    }
    n->kernel = k;
    return k->check != NULL ? k->check(g, n) : LWAI_OK;
}

static lwai_status check_tvm_node(const lwai_graph *g, const lwai_graph_node_src *s,
                                  const lwai_tvm_kernel *k, uint32_t activations,
                                  lwai_graph_node *n)
{
    const uint32_t operands = s->num_inputs + s->num_outputs;
    uint32_t j;
    if (operands != k->num_args || s->num_outputs < 1u || s->num_dims != 0u ||
        s->num_params != 2u || s->params == NULL || s->num_fparams != 0u ||
        (k->num_args != 0u && k->arg_bytes == NULL)) {
        return LWAI_ERR_BAD_MODEL;
    }
    for (j = 0; j < operands; ++j) {
        const int32_t index = j < s->num_inputs ? s->inputs[j] : s->outputs[j - s->num_inputs];
        if (index < 0 || (uint32_t)index >= g->num_tensors ||
            g->tensors[index].bytes != k->arg_bytes[j] ||
            (j >= s->num_inputs && g->tensors[index].is_const)) {
            return LWAI_ERR_BAD_MODEL;
        }
    }
    /* params: workspace offset (-1: none) and bytes, inside the activations. */
    if (s->params[0] == -1) {
        if (s->params[1] != 0) {
            return LWAI_ERR_BAD_MODEL;
        }
    } else if (s->params[0] < 0 || s->params[1] < 0 || s->params[0] % 16 != 0 ||
               (uint64_t)(uint32_t)s->params[0] + (uint32_t)s->params[1] > activations) {
        return LWAI_ERR_BAD_MODEL;
    }
    n->tvm = k;
    return LWAI_OK;
}

static const lwai_tvm_kernel *find_tvm(const lwai_load_options *options, const char *name)
{
    size_t i;
    if (options == NULL || options->tvm_kernels == NULL) {
        return NULL;
    }
    for (i = 0; i < options->num_tvm_kernels; ++i) {
        if (options->tvm_kernels[i].name != NULL &&
            strcmp(options->tvm_kernels[i].name, name) == 0) {
            return &options->tvm_kernels[i];
        }
    }
    return NULL;
}

static lwai_status bind_node(lwai_graph *g, const lwai_graph_node_src *s,
                             const lwai_load_options *options, uint32_t activations,
                             lwai_graph_node *n, const char **missing)
{
    const uint32_t operands = s->num_inputs + s->num_outputs;
    if (s->kernel == NULL || (s->num_inputs != 0u && s->inputs == NULL) ||
        (s->num_outputs != 0u && s->outputs == NULL) || operands > LWAI_GRAPH_MAX_OPERANDS ||
        s->num_params > LWAI_GRAPH_MAX_PARAMS || s->num_fparams > LWAI_GRAPH_MAX_PARAMS) {
        return LWAI_ERR_BAD_MODEL;
    }
    memset(n, 0, sizeof *n);
    n->name = s->kernel;
    n->inputs = s->inputs;
    n->outputs = s->outputs;
    n->dims = s->dims;
    n->params = s->params;
    n->fparams = s->fparams;
    n->num_inputs = (uint8_t)s->num_inputs;
    n->num_outputs = (uint8_t)s->num_outputs;
    if (strncmp(s->kernel, "tvm:", 4) == 0) {
        const lwai_tvm_kernel *k = find_tvm(options, s->kernel + 4);
        if (k == NULL) {
            *missing = s->kernel;
            return LWAI_ERR_KERNEL_MISSING;
        }
        return check_tvm_node(g, s, k, activations, n);
    } else {
        const lwai_graph_kernel *k = lwai_graph_find_kernel(s->kernel);
        if (k == NULL) {
            *missing = s->kernel;
            return LWAI_ERR_KERNEL_MISSING;
        }
        return check_library_node(g, s, k, n);
    }
}

static lwai_status bind_io(const lwai_graph *g, const lwai_graph_source *src, const int32_t *ids,
                           uint32_t count, lwai_tensor_info *info)
{
    uint32_t i;
    for (i = 0; i < count; ++i) {
        lwai_graph_tensor_src s;
        const lwai_graph_tensor *t;
        uint32_t d;
        if (ids[i] < 0 || (uint32_t)ids[i] >= g->num_tensors) {
            return LWAI_ERR_BAD_MODEL;
        }
        t = &g->tensors[ids[i]];
        /* any dtype the API names: int32, int64 and bool graph I/O as well (issue 12) */
        if (t->is_const || lwai_dtype_size(t->dtype) == 0u ||
            src->tensor(src->ctx, (uint32_t)ids[i], &s) != LWAI_OK) {
            return LWAI_ERR_BAD_MODEL;
        }
        memset(&info[i], 0, sizeof info[i]);
        info[i].name = s.name;
        info[i].arena_offset = (uint32_t)((uint8_t *)t->data - g->arena);
        info[i].bytes = t->bytes;
        for (d = 0; d < t->ndim; ++d) {
            info[i].dims[d] = t->shape[d];
        }
        info[i].ndim = t->ndim;
        info[i].dtype = t->dtype;
        info[i].scale = s.scale;
        info[i].zero_point = s.zero_point;
    }
    return LWAI_OK;
}

static lwai_status run_graph(lwai_model *model);

/* Every stateful node's state back to its reset value (lwai_model_reset_state). */
static lwai_status reset_graph(lwai_model *model)
{
    const lwai_graph *g = (const lwai_graph *)model->graph;
    uint32_t i;
    for (i = 0; i < g->num_nodes; ++i) {
        const lwai_graph_node *n = &g->nodes[i];
        if (n->kernel != NULL && n->kernel->reset != NULL) {
            const lwai_status st = n->kernel->reset(g, n);
            if (st != LWAI_OK) {
                return st;
            }
        }
    }
    return LWAI_OK;
}

/* Places the kernels' shared scratch after the records `needed` bytes into the arena. */
static lwai_status bind_scratch(lwai_graph *g, size_t arena_bytes, uint64_t needed,
                                lwai_model *model)
{
    uint64_t at;
    uint32_t i, largest = 0u;
    for (i = 0; i < g->num_nodes; ++i) {
        const lwai_graph_node *n = &g->nodes[i];
        if (n->kernel != NULL && n->kernel->scratch != NULL) {
            const int32_t bytes = n->kernel->scratch(g, n);
            if (bytes < 0) {
                return bad(model, "node");
            }
            largest = (uint32_t)bytes > largest ? (uint32_t)bytes : largest;
        }
    }
    if (largest == 0u) {
        return LWAI_OK;
    }
    at = align_up(needed, 16u);
    needed = at + largest;
    model->arena_needed = needed > 0xffffffffu ? 0xffffffffu : (uint32_t)needed;
    if (needed > arena_bytes) {
        return LWAI_ERR_ARENA_TOO_SMALL;
    }
    g->scratch = g->arena + at;
    g->scratch_bytes = largest;
    return LWAI_OK;
}

lwai_status lwai_graph_bind(const lwai_graph_source *src, uint8_t *arena, size_t arena_bytes,
                            const lwai_load_options *options, lwai_model *model)
{
    uint64_t at, tensors_at, nodes_at, io_at, needed;
    lwai_graph *g;
    lwai_tensor_info *io;
    const char *missing = NULL;
    lwai_status st;
    uint32_t i;

    if (model == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    memset(model, 0, sizeof *model);
    if (src == NULL || arena == NULL || ((uintptr_t)arena % LWAI_ARENA_ALIGN) != 0u) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (src->tensor == NULL || src->node == NULL || src->name == NULL ||
        src->num_tensors > LWAI_GRAPH_MAX_TENSORS || src->num_nodes > LWAI_GRAPH_MAX_NODES ||
        src->num_inputs < 1u || src->num_inputs > LWAI_GRAPH_MAX_IO || src->num_outputs < 1u ||
        src->num_outputs > LWAI_GRAPH_MAX_IO || src->inputs == NULL || src->outputs == NULL ||
        src->arena_bytes > LWAI_GRAPH_MAX_BYTES) {
        return bad(model, "graph header");
    }
    /* the records start after the plan and its canary guard (0 bytes without canaries) */
    at = align_up((uint64_t)src->arena_bytes + LWAI_ARENA_GUARD_BYTES, LWAI_ARENA_ALIGN);
    tensors_at = align_up(at + sizeof(lwai_graph), RECORD_ALIGN);
    nodes_at = align_up(tensors_at + (uint64_t)src->num_tensors * sizeof(lwai_graph_tensor),
                        RECORD_ALIGN);
    io_at = align_up(nodes_at + (uint64_t)src->num_nodes * sizeof(lwai_graph_node), RECORD_ALIGN);
    needed = io_at + (uint64_t)(src->num_inputs + src->num_outputs) * sizeof(lwai_tensor_info);
    model->arena_needed = needed > 0xffffffffu ? 0xffffffffu : (uint32_t)needed;
    if (needed > arena_bytes) {
        return LWAI_ERR_ARENA_TOO_SMALL;
    }
    g = (lwai_graph *)(void *)(arena + at);
    memset(g, 0, sizeof *g);
    g->tensors = (lwai_graph_tensor *)(void *)(arena + tensors_at);
    g->nodes = (lwai_graph_node *)(void *)(arena + nodes_at);
    io = (lwai_tensor_info *)(void *)(arena + io_at);
    g->num_tensors = src->num_tensors;
    g->num_nodes = src->num_nodes;
    g->arena = arena;

    for (i = 0; i < src->num_tensors; ++i) {
        lwai_graph_tensor_src s;
        memset(&s, 0, sizeof s);
        if (src->tensor(src->ctx, i, &s) != LWAI_OK ||
            bind_tensor(&s, arena, src->arena_bytes, &g->tensors[i]) != LWAI_OK) {
            return bad(model, "tensor");
        }
    }
    for (i = 0; i < src->num_nodes; ++i) {
        lwai_graph_node_src s;
        memset(&s, 0, sizeof s);
        if (src->node(src->ctx, i, &s) != LWAI_OK) {
            return bad(model, "node");
        }
        st = bind_node(g, &s, options, src->arena_bytes, &g->nodes[i], &missing);
        if (st == LWAI_ERR_KERNEL_MISSING) {
            model->detail = missing;
            return st;
        }
        if (st != LWAI_OK) {
            return bad(model, "node");
        }
    }
    st = bind_scratch(g, arena_bytes, needed, model);
    if (st != LWAI_OK) {
        return st;
    }
    if (bind_io(g, src, src->inputs, src->num_inputs, io) != LWAI_OK ||
        bind_io(g, src, src->outputs, src->num_outputs, io + src->num_inputs) !=
            LWAI_OK) {
        return bad(model, "graph inputs/outputs");
    }
    g->desc.name = src->name;
    g->desc.arena_bytes = src->arena_bytes;
    g->desc.num_inputs = (uint16_t)src->num_inputs;
    g->desc.num_outputs = (uint16_t)src->num_outputs;
    g->desc.inputs = io;
    g->desc.outputs = io + src->num_inputs;
    g->desc.run = NULL;
    model->desc = &g->desc;
    model->arena = arena;
    model->graph = g;
    model->run_graph = run_graph;
    model->reset_graph = reset_graph;
    (void)reset_graph(model); /* a fresh model starts from the reset state, as in TFLM */
#ifdef CONFIG_LWAI_ARENA_CANARIES
    lwai_canary_arm(arena, src->arena_bytes);
#endif
    model->failed_node = UINT32_MAX;
    model->state = LWAI_MODEL_READY; /* lwai_model_run refuses a model without it */
    return LWAI_OK;
}

/* A TVM node: every operand as a DLTensor with its real shape, workspace from the plan. */
static lwai_status run_tvm_node(const lwai_graph *g, const lwai_graph_node *n)
{
    DLTensor t[LWAI_GRAPH_MAX_OPERANDS];
    int64_t shapes[LWAI_GRAPH_MAX_OPERANDS][LWAI_MAX_DIMS];
    const uint32_t operands = (uint32_t)n->num_inputs + n->num_outputs;
    uint32_t j, d;
    for (j = 0; j < operands; ++j) {
        const lwai_graph_tensor *x = &g->tensors[lwai_graph_operand(n, j)];
        /* DLPack type code and bits by lwai_dtype (bool as TVM's C code takes it: uint8) */
        static const uint8_t codes[8] = {0, 0, 1, 0, 0, 2, 0, 1};
        static const uint8_t bits[8] = {0, 8, 8, 16, 32, 32, 64, 8};
        for (d = 0; d < x->ndim; ++d) {
            shapes[j][d] = x->shape[d];
        }
        t[j].data = x->data;
        t[j].device.device_type = 1;
        t[j].device.device_id = 0;
        t[j].ndim = x->ndim;
        t[j].dtype.code = codes[x->dtype];
        t[j].dtype.bits = bits[x->dtype];
        t[j].dtype.lanes = 1u;
        t[j].shape = shapes[j];
        t[j].strides = NULL;
        t[j].byte_offset = 0u;
    }
    if (n->params[0] < 0) {
        return lwai_tvm_call(n->tvm->func, t, (int32_t)operands, NULL, 0u);
    }
    return lwai_tvm_call(n->tvm->func, t, (int32_t)operands, g->arena + n->params[0],
                         (size_t)n->params[1]);
}

static lwai_status run_graph(lwai_model *model)
{
    const lwai_graph *g = (const lwai_graph *)model->graph;
    uint32_t i;
    for (i = 0; i < g->num_nodes; ++i) {
        const lwai_graph_node *n = &g->nodes[i];
        lwai_status st;
        if (g->callback != NULL) {
            g->callback(g->user, i, n->name, 0, LWAI_OK);
        }
        LWAI_NODE_BEGIN(&g->desc, g->arena, i, n->name);
        st = n->kernel != NULL ? n->kernel->run(g, n) : run_tvm_node(g, n);
        LWAI_NODE_END(&g->desc, g->arena, i, n->name, st);
        if (g->callback != NULL) {
            g->callback(g->user, i, n->name, 1, st);
        }
        if (st != LWAI_OK) {
            return st;
        }
    }
    return LWAI_OK;
}

lwai_status lwai_model_set_callback(lwai_model *model, lwai_node_callback callback, void *user)
{
    lwai_graph *g;
    if (model == NULL || model->graph == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    g = (lwai_graph *)model->graph;
    g->callback = callback;
    g->user = user;
    return LWAI_OK;
}
