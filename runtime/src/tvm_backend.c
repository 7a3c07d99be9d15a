/* TVM backend symbols for generated code: a bump allocator over one planned arena slot.
 *
 * TVM's generated functions call TVMBackendAllocWorkspace with no context argument, so the
 * slot the executor opened around the call has to be found from state outside the call.
 * That state is per thread on L1/L2 (two models, or two instances of one model, may run in
 * two threads at once: a file-scope slot would hand one thread's workspace to the other)
 * and plain file scope on L0, which runs one inference thread and whose bare-metal
 * toolchain has no thread pointer (__aeabi_read_tp) to put thread-local storage behind.
 * The state is 4 words (16 bytes on 32-bit targets) per thread; nothing is allocated. */
#include "lwai/tvm_backend.h"

#include "lwai_thread_local.h"

#define LWAI_WORKSPACE_ALIGN 16u

typedef struct {
    uint8_t *base;
    size_t bytes;
    size_t used;
    size_t overflow;
} lwai_workspace_state;

static LWAI_THREAD_LOCAL lwai_workspace_state ws;

void lwai_workspace_open(uint8_t *base, size_t bytes) {
    ws.base = base;
    ws.bytes = base != NULL ? bytes : 0u;
    ws.used = 0;
    ws.overflow = 0;
}

lwai_status lwai_workspace_close(void) {
    lwai_status st = ws.overflow ? LWAI_ERR_WORKSPACE : LWAI_OK;
    ws.base = NULL;
    ws.bytes = 0;
    ws.used = 0;
    ws.overflow = 0;
    return st;
}

void *TVMBackendAllocWorkspace(int device_type, int device_id, uint64_t nbytes, int dtype_code_hint,
                               int dtype_bits_hint) {
    uint64_t rounded;
    void *p;
    (void)device_type;
    (void)device_id;
    (void)dtype_code_hint;
    (void)dtype_bits_hint;
    /* nbytes near 2^64 would wrap to a small request when rounded up */
    if (nbytes > (uint64_t)SIZE_MAX - LWAI_WORKSPACE_ALIGN) {
        ws.overflow = 1;
        return NULL;
    }
    rounded = (nbytes + LWAI_WORKSPACE_ALIGN - 1u) & ~(uint64_t)(LWAI_WORKSPACE_ALIGN - 1u);
    if (ws.base == NULL || rounded > (uint64_t)(ws.bytes - ws.used)) {
        ws.overflow = 1;
        return NULL;
    }
    p = ws.base + ws.used;
    ws.used += (size_t)rounded;
    return p;
}

int TVMBackendFreeWorkspace(int device_type, int device_id, void *ptr) {
    (void)device_type;
    (void)device_id;
    /* Frees come in reverse order of allocation (TVM scopes them), so pop the stack. */
    if (ptr != NULL && ws.base != NULL && (uint8_t *)ptr >= ws.base &&
        (uint8_t *)ptr < ws.base + ws.used) {
        ws.used = (size_t)((uint8_t *)ptr - ws.base);
    }
    return 0;
}

lwai_status lwai_tvm_call_args(lwai_tvm_func func, TVMFFIAny *args, DLTensor *tensors,
                               int32_t num_args, uint8_t *workspace, size_t workspace_bytes) {
    int32_t i;
    int32_t rc;
    lwai_status st;
    if (func == NULL || num_args < 0 || (num_args > 0 && (tensors == NULL || args == NULL))) {
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

lwai_status lwai_tvm_call(lwai_tvm_func func, DLTensor *tensors, int32_t num_args,
                          uint8_t *workspace, size_t workspace_bytes) {
    TVMFFIAny args[LWAI_TVM_MAX_ARGS];
    if (num_args > LWAI_TVM_MAX_ARGS) {
        return LWAI_ERR_INVALID_ARG;
    }
    return lwai_tvm_call_args(func, args, tensors, num_args, workspace, workspace_bytes);
}
