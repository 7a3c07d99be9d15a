/* AOT executor glue: binds a compiled model to the caller's arena and runs it. */
#include "lwai/model.h"

lwai_status lwai_model_init(lwai_model *model, const lwai_model_desc *desc, uint8_t *arena,
                            size_t arena_bytes) {
    if (model == NULL || desc == NULL || arena == NULL ||
        ((uintptr_t)arena % LWAI_ARENA_ALIGN) != 0u) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (arena_bytes < desc->arena_bytes) {
        return LWAI_ERR_ARENA_TOO_SMALL;
    }
    model->desc = desc;
    model->arena = arena;
    model->graph = NULL;
    model->run_graph = NULL;
    model->release = NULL;
    model->detail = NULL;
    model->arena_needed = desc->arena_bytes;
    return LWAI_OK;
}

static lwai_status view(const lwai_model *model, const lwai_tensor_info *infos, size_t count,
                        size_t index, lwai_tensor *tensor) {
    if (model == NULL || model->desc == NULL || tensor == NULL || index >= count) {
        return LWAI_ERR_INVALID_ARG;
    }
    tensor->info = &infos[index];
    tensor->data = model->arena + infos[index].arena_offset;
    return LWAI_OK;
}

lwai_status lwai_model_input(const lwai_model *model, size_t index, lwai_tensor *tensor) {
    if (model == NULL || model->desc == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    return view(model, model->desc->inputs, model->desc->num_inputs, index, tensor);
}

lwai_status lwai_model_output(const lwai_model *model, size_t index, lwai_tensor *tensor) {
    if (model == NULL || model->desc == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    return view(model, model->desc->outputs, model->desc->num_outputs, index, tensor);
}

lwai_status lwai_model_run(lwai_model *model) {
    if (model == NULL || model->desc == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    /* A function pointer, not a call, so AOT images link no graph executor. */
    if (model->run_graph != NULL) {
        return model->run_graph(model);
    }
    if (model->desc->run == NULL) {
        return LWAI_ERR_INVALID_ARG;
    }
    return model->desc->run(model->arena);
}

void lwai_model_release(lwai_model *model) {
    if (model != NULL && model->release != NULL) {
        void (*release)(lwai_model *) = model->release;
        model->release = NULL;
        release(model);
    }
}
