/* Status codes returned by every lwai runtime and kernel function (lwai_status_str() in
 * lwai/model.h names them). */
#ifndef LWAI_STATUS_H
#define LWAI_STATUS_H

typedef enum {
    LWAI_OK = 0,
    LWAI_ERR_INVALID_ARG = -1,     /* a NULL pointer, bad index, misaligned arena or
                                    * inconsistent shape */
    LWAI_ERR_ARENA_TOO_SMALL = -2, /* caller's arena is smaller than the model's plan */
    LWAI_ERR_UNSUPPORTED = -3,     /* dtype/parameter combination the kernel lacks */
    LWAI_ERR_KERNEL_MISSING = -4,  /* the model needs a kernel this image does not hold */
    LWAI_ERR_BAD_MODEL = -5,       /* model bytes failed verification */
    LWAI_ERR_VERSION = -6,         /* model format version this runtime cannot read */
    LWAI_ERR_WORKSPACE = -7,       /* a TVM workspace request exceeded its planned slot */
    LWAI_ERR_BACKEND = -8,         /* a TVM-generated function returned an error */
    LWAI_ERR_STATE = -9,           /* model used before init/load or after release */
    LWAI_ERR_SIZE = -10,           /* byte count differs from the tensor's size */
    LWAI_ERR_ABI = -11,            /* model compiled against another runtime/kernel ABI */
    LWAI_ERR_CANARY = -12          /* a node wrote past the arena plan (canary builds) */
} lwai_status;

#endif
