/* The few TVM ABI pieces that TVM's "c" target output uses, so device builds need no TVM
 * headers. Layouts match DLPack 1.x (DLTensor) and tvm-ffi (TVMFFIAny); lwai calls the
 * generated functions with every argument as a DLTensor pointer. */
#ifndef LWAI_TVM_BACKEND_H
#define LWAI_TVM_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "lwai/status.h"

#ifndef TVM_DLL
#define TVM_DLL
#endif

typedef struct {
    int32_t device_type; /* 1 = CPU */
    int32_t device_id;
} DLDevice;

typedef struct {
    uint8_t code; /* 0 int, 1 uint, 2 float */
    uint8_t bits;
    uint16_t lanes;
} DLDataType;

typedef struct {
    void *data;
    DLDevice device;
    int32_t ndim;
    DLDataType dtype;
    int64_t *shape;
    int64_t *strides; /* NULL: compact row-major */
    uint64_t byte_offset;
} DLTensor;

/* tvm-ffi's tagged value, reduced to what generated code reads (type_index, v_ptr). The
 * generated code is compiled against this very definition, so only the field names must
 * match tvm-ffi, not its union layout (which C99 could not spell anonymously). */
typedef struct {
    int32_t type_index;
    uint32_t zero_padding;
    void *v_ptr;
} TVMFFIAny;

/* type_index of a raw DLTensor* argument in tvm-ffi. */
#define LWAI_TVM_FFI_DLTENSOR_PTR 7

/* The generated functions' signature (packed calling convention). */
typedef int32_t (*lwai_tvm_func)(void *self, void *args, int32_t num_args, void *result);

/* Workspace requests of generated code are served from a planned slot of the arena: the
 * compiler sizes the slot from the function's constant-size requests, and the executor
 * opens it around each call. Requests beyond the slot fail (LWAI_ERR_WORKSPACE). */
void lwai_workspace_open(uint8_t *base, size_t bytes);
lwai_status lwai_workspace_close(void);

void *TVMBackendAllocWorkspace(int device_type, int device_id, uint64_t nbytes, int dtype_code_hint,
                               int dtype_bits_hint);
int TVMBackendFreeWorkspace(int device_type, int device_id, void *ptr);

/* Runs one generated function over `num_args` DLTensors (at most LWAI_TVM_MAX_ARGS: the
 * packed arguments live on this function's stack). Returns LWAI_OK, LWAI_ERR_BACKEND (the
 * function failed) or LWAI_ERR_WORKSPACE. */
#define LWAI_TVM_MAX_ARGS 16
lwai_status lwai_tvm_call(lwai_tvm_func func, DLTensor *tensors, int32_t num_args,
                          uint8_t *workspace, size_t workspace_bytes);

/* The same with the caller's storage for the packed arguments (`args`, `num_args` entries),
 * so there is no limit on the count: the AOT code sizes both arrays per call, as a
 * CONCATENATION of many inputs fused with its producers needs. */
lwai_status lwai_tvm_call_args(lwai_tvm_func func, TVMFFIAny *args, DLTensor *tensors,
                               int32_t num_args, uint8_t *workspace, size_t workspace_bytes);

#endif
