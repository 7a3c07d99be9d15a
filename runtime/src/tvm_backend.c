/* TVM backend symbols for generated code: a bump allocator over one planned arena slot. */
#include "lwai/tvm_backend.h"

/* Generated functions take at most a handful of tensors; fused groups stay small. */
#define LWAI_TVM_MAX_ARGS 16
#define LWAI_WORKSPACE_ALIGN 16u

static uint8_t *ws_base;
static size_t ws_bytes;
static size_t ws_used;
static uint8_t ws_overflow;

void lwai_workspace_open(uint8_t *base, size_t bytes) {
    ws_base = base;
    ws_bytes = bytes;
    ws_used = 0;
    ws_overflow = 0;
}

lwai_status lwai_workspace_close(void) {
    lwai_status st = ws_overflow ? LWAI_ERR_WORKSPACE : LWAI_OK;
    ws_base = NULL;
    ws_bytes = 0;
    ws_used = 0;
    ws_overflow = 0;
    return st;
}

void *TVMBackendAllocWorkspace(int device_type, int device_id, uint64_t nbytes, int dtype_code_hint,
                               int dtype_bits_hint) {
    size_t rounded;
    void *p;
    (void)device_type;
    (void)device_id;
    (void)dtype_code_hint;
    (void)dtype_bits_hint;
    rounded = (size_t)((nbytes + LWAI_WORKSPACE_ALIGN - 1u) & ~(uint64_t)(LWAI_WORKSPACE_ALIGN - 1u));
    if (ws_base == NULL || rounded > ws_bytes - ws_used) {
        ws_overflow = 1;
        return NULL;
    }
    p = ws_base + ws_used;
    ws_used += rounded;
    return p;
}

int TVMBackendFreeWorkspace(int device_type, int device_id, void *ptr) {
    (void)device_type;
    (void)device_id;
    /* Frees come in reverse order of allocation (TVM scopes them), so pop the stack. */
    if (ptr != NULL && (uint8_t *)ptr >= ws_base && (uint8_t *)ptr < ws_base + ws_used) {
        ws_used = (size_t)((uint8_t *)ptr - ws_base);
    }
    return 0;
}

lwai_status lwai_tvm_call(lwai_tvm_func func, DLTensor *tensors, int32_t num_args,
                          uint8_t *workspace, size_t workspace_bytes) {
    TVMFFIAny args[LWAI_TVM_MAX_ARGS];
    int32_t i;
    int32_t rc;
    lwai_status st;
    if (num_args < 0 || num_args > LWAI_TVM_MAX_ARGS) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < num_args; ++i) {
        args[i].type_index = LWAI_TVM_FFI_DLTENSOR_PTR;
        args[i].zero_padding = 0;
        args[i].v_ptr = &tensors[i];
    }
    lwai_workspace_open(workspace, workspace_bytes);
    rc = func(NULL, args, num_args, NULL);
    st = lwai_workspace_close();
    if (rc != 0) {
        return st != LWAI_OK ? st : LWAI_ERR_BACKEND;
    }
    return st;
}
