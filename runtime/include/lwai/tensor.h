/* Tensor views handed to applications: data lives in the caller's arena. */
#ifndef LWAI_TENSOR_H
#define LWAI_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define LWAI_MAX_DIMS 6

typedef enum {
    LWAI_DTYPE_INT8 = 1,
    LWAI_DTYPE_UINT8 = 2,
    LWAI_DTYPE_INT16 = 3,
    LWAI_DTYPE_INT32 = 4,
    LWAI_DTYPE_FLOAT32 = 5,
    /* Only between TVM-generated functions inside a graph model, never graph inputs or
     * outputs, never a kernel's operand. */
    LWAI_DTYPE_INT64 = 6,
    LWAI_DTYPE_BOOL = 7,
    /* The signal library's spectra (TFLM Signal* custom ops), graph inputs/outputs too. */
    LWAI_DTYPE_UINT32 = 8,
    LWAI_DTYPE_UINT64 = 9
} lwai_dtype;

/* Static description of a graph input or output, emitted as const data. */
typedef struct {
    const char *name;
    uint32_t arena_offset; /* bytes from the arena start, 16-byte aligned */
    uint32_t bytes;        /* element count x element size */
    int32_t dims[LWAI_MAX_DIMS];
    uint8_t ndim;
    uint8_t dtype;        /* lwai_dtype */
    float scale;          /* 0 for float tensors */
    int32_t zero_point;
} lwai_tensor_info;

/* A tensor as the application sees it. */
typedef struct {
    void *data;
    const lwai_tensor_info *info;
} lwai_tensor;

#endif
