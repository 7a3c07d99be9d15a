/* The model API (lwai/model.h): binds a compiled (AOT) model to the caller's arena, runs it
 * or a graph-executor model, and checks every argument and the model's state on the way. */
#include <string.h>

#include "lwai/kernel_params.h" /* LWAI_MODEL_ABI */
#include "lwai/model.h"
#include "lwai/node_hook.h"
#include "lwai_canary.h"

/* model->detail for init refusals (init has no other way to say which argument failed). */
static lwai_status refuse(lwai_model *model, lwai_status st, const char *what)
{
    model->detail = what;
    return st;
}

/* Every input/output inside the plan and aligned for its element type (16 bytes as the
 * compiler plans them); a damaged or hand-written desc would otherwise point kernels and
 * the application outside the arena. */
static int infos_ok(const lwai_tensor_info *infos, uint16_t count, uint32_t arena_bytes)
{
    uint16_t i;
    if (count != 0u && infos == NULL) {
        return 0;
    }
    for (i = 0; i < count; ++i) {
        if (infos[i].arena_offset > arena_bytes ||
            infos[i].bytes > arena_bytes - infos[i].arena_offset ||
            infos[i].ndim > LWAI_MAX_DIMS) {
            return 0;
        }
    }
    return 1;
}

lwai_status lwai_model_init(lwai_model *model, const lwai_model_desc *desc, uint8_t *arena,
                            size_t arena_bytes)
{
    uint64_t needed;
    if (model == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    memset(model, 0, sizeof *model);
    model->failed_node = UINT32_MAX;
    if (desc == NULL) {
        return refuse(model, LWAI_ERR_INVALID_ARG, "model desc is NULL");
    }
    /* The ABI word first: the rest of a desc built against other headers is unreadable. */
    if (desc->abi != LWAI_MODEL_ABI) {
        return refuse(model, LWAI_ERR_ABI, "model compiled against another lwai ABI");
    }
    if (arena == NULL) {
        return refuse(model, LWAI_ERR_INVALID_ARG, "arena is NULL");
    }
    if (((uintptr_t)arena % LWAI_ARENA_ALIGN) != 0u) {
        return refuse(model, LWAI_ERR_INVALID_ARG, "arena not 16-byte aligned");
    }
    if (desc->run == NULL || !infos_ok(desc->inputs, desc->num_inputs, desc->arena_bytes) ||
        !infos_ok(desc->outputs, desc->num_outputs, desc->arena_bytes)) {
        return refuse(model, LWAI_ERR_INVALID_ARG, "model desc is inconsistent");
    }
    needed = (uint64_t)desc->arena_bytes + LWAI_ARENA_GUARD_BYTES;
    model->arena_needed = needed > UINT32_MAX ? UINT32_MAX : (uint32_t)needed;
    if ((uint64_t)arena_bytes < needed) {
        return refuse(model, LWAI_ERR_ARENA_TOO_SMALL, "arena smaller than the model's plan");
    }
#ifdef CONFIG_LWAI_ARENA_CANARIES
    lwai_canary_arm(arena, desc->arena_bytes);
#endif
    model->desc = desc;
    model->arena = arena;
    model->state = LWAI_MODEL_READY;
    if (desc->reset != NULL) {
        desc->reset(arena); /* a fresh model starts from the reset state, as in TFLM */
    }
    return LWAI_OK;
}

static int ready(const lwai_model *model)
{
    return model->state == LWAI_MODEL_READY && model->desc != NULL && model->arena != NULL;
}

/* The tensor info of input/output `index`, after the argument and state checks. */
static lwai_status info_of(const lwai_model *model, int output, size_t index,
                           const lwai_tensor_info **info)
{
    size_t count;
    if (model == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (!ready(model)) {
        return LWAI_ERR_STATE;
    }
    count = output ? model->desc->num_outputs : model->desc->num_inputs;
    if (index >= count) {
        return LWAI_ERR_INVALID_ARG;
    }
    *info = output ? &model->desc->outputs[index] : &model->desc->inputs[index];
    return LWAI_OK;
}

static lwai_status view(const lwai_model *model, int output, size_t index, lwai_tensor *tensor)
{
    const lwai_tensor_info *info = NULL;
    lwai_status st;
    if (tensor == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    st = info_of(model, output, index, &info);
    if (st != LWAI_OK) {
        return st;
    }
    tensor->info = info;
    tensor->data = model->arena + info->arena_offset;
    return LWAI_OK;
}

lwai_status lwai_model_input(const lwai_model *model, size_t index, lwai_tensor *tensor)
{
    return view(model, 0, index, tensor);
}

lwai_status lwai_model_output(const lwai_model *model, size_t index, lwai_tensor *tensor)
{
    return view(model, 1, index, tensor);
}

lwai_status lwai_model_set_input(lwai_model *model, size_t index, const void *data,
                                 size_t bytes)
{
    const lwai_tensor_info *info = NULL;
    lwai_status st;
    if (data == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    st = info_of(model, 0, index, &info);
    if (st != LWAI_OK) {
        return st;
    }
    if (bytes != info->bytes) {
        return LWAI_ERR_SIZE;
    }
    memcpy(model->arena + info->arena_offset, data, bytes);
    return LWAI_OK;
}

lwai_status lwai_model_get_output(const lwai_model *model, size_t index, void *data,
                                  size_t bytes)
{
    const lwai_tensor_info *info = NULL;
    lwai_status st;
    if (data == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    st = info_of(model, 1, index, &info);
    if (st != LWAI_OK) {
        return st;
    }
    if (bytes != info->bytes) {
        return LWAI_ERR_SIZE;
    }
    memcpy(data, model->arena + info->arena_offset, bytes);
    return LWAI_OK;
}

lwai_status lwai_model_run(lwai_model *model)
{
    lwai_status st;
    LWAI_RUN_BEGIN(model); /* lwai/node_hook.h: nothing unless profiling/canaries */
    if (model == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (!ready(model)) {
        return LWAI_ERR_STATE;
    }
    model->failed_node = UINT32_MAX;
#ifdef CONFIG_LWAI_ARENA_CANARIES
    /* Broken before any node ran: the application wrote past the plan (e.g. past an input
     * through its view) since the last run. */
    if (!lwai_canary_intact(model->arena, model->desc->arena_bytes)) {
        lwai_canary_arm(model->arena, model->desc->arena_bytes);
        model->detail = "arena overrun outside lwai_model_run (by the application)";
        return LWAI_ERR_CANARY;
    }
#endif
    /* A function pointer, not a call, so AOT images link no graph executor. */
    if (model->run_graph != NULL) {
        st = model->run_graph(model);
    } else if (model->desc->run != NULL) {
        st = model->desc->run(model->arena);
    } else {
        return LWAI_ERR_INVALID_ARG;
    }
#ifdef CONFIG_LWAI_ARENA_CANARIES
    if (st == LWAI_ERR_CANARY) {
        lwai_canary_report(&model->failed_node, &model->detail);
    }
#endif
    LWAI_RUN_END(model, st);
    return st;
}

lwai_status lwai_model_reset_state(lwai_model *model)
{
    if (model == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (!ready(model)) {
        return LWAI_ERR_STATE;
    }
    if (model->reset_graph != NULL) {
        return model->reset_graph(model);
    }
    if (model->desc->reset != NULL) {
        model->desc->reset(model->arena);
    }
    return LWAI_OK;
}

void lwai_model_release(lwai_model *model)
{
    if (model == NULL) {
        return;
    }
    if (model->release != NULL) {
        void (*release)(lwai_model *) = model->release;
        model->release = NULL;
        release(model);
    }
    /* Ended for every executor alike (a JSON model's weights are freed now). */
    if (model->state == LWAI_MODEL_READY) {
        model->state = LWAI_MODEL_RELEASED;
    }
}

const char *lwai_status_str(lwai_status status)
{
    switch (status) {
    case LWAI_OK:
        return "ok";
    case LWAI_ERR_INVALID_ARG:
        return "invalid argument";
    case LWAI_ERR_ARENA_TOO_SMALL:
        return "arena too small";
    case LWAI_ERR_UNSUPPORTED:
        return "unsupported";
    case LWAI_ERR_KERNEL_MISSING:
        return "kernel missing from this image";
    case LWAI_ERR_BAD_MODEL:
        return "bad model";
    case LWAI_ERR_VERSION:
        return "unsupported model format version";
    case LWAI_ERR_WORKSPACE:
        return "workspace request beyond its planned slot";
    case LWAI_ERR_BACKEND:
        return "TVM-generated function failed";
    case LWAI_ERR_STATE:
        return "model not initialized or released";
    case LWAI_ERR_SIZE:
        return "byte count differs from the tensor's";
    case LWAI_ERR_ABI:
        return "model compiled against another lwai ABI";
    case LWAI_ERR_CANARY:
        return "arena canary broken: a node wrote past the arena plan";
    default:
        return "unknown status";
    }
}
