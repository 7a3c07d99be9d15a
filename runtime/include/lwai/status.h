/* Status codes returned by every lwai runtime and kernel function. */
#ifndef LWAI_STATUS_H
#define LWAI_STATUS_H

typedef enum {
    LWAI_OK = 0,
    LWAI_ERR_INVALID_ARG = -1,     /* a NULL pointer, bad index or inconsistent shape */
    LWAI_ERR_ARENA_TOO_SMALL = -2, /* caller's arena is smaller than the model's plan */
    LWAI_ERR_UNSUPPORTED = -3,     /* dtype/parameter combination the kernel lacks */
    LWAI_ERR_KERNEL_MISSING = -4,  /* the model needs a kernel this image does not hold */
    LWAI_ERR_BAD_MODEL = -5,       /* model bytes failed verification */
    LWAI_ERR_VERSION = -6,         /* model format version this runtime cannot read */
    LWAI_ERR_WORKSPACE = -7,       /* a TVM workspace request exceeded its planned slot */
    LWAI_ERR_BACKEND = -8          /* a TVM-generated function returned an error */
} lwai_status;

#endif
