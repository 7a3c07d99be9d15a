/* The graph executor: load a model file (model.lwfb or model.json) at run time and run it
 * through the same lwai_model API as a compiled (AOT) model.
 *
 *   lwai_model m;
 *   st = lwai_model_load(file, file_bytes, arena, arena_bytes, &m);   // .lwfb, in place
 *   lwai_model_input(&m, 0, &t); ...; lwai_model_run(&m); lwai_model_output(&m, 0, &t);
 *
 * The .lwfb loader verifies every offset, length and index against the buffer before use,
 * allocates nothing (the graph's records go to the tail of the caller's arena) and reads the
 * weights in place, so the file may sit in flash; it must outlive the model and start on a
 * 16-byte boundary. The JSON loader (L1/L2) parses with cJSON and keeps the decoded weights
 * in heap memory until lwai_model_release() (lwai/model.h).
 */
#ifndef LWAI_GRAPH_H
#define LWAI_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "lwai/model.h"
#include "lwai/tvm_backend.h"

/* The model file format version this runtime reads (Model.version / "version"). */
#define LWAI_GRAPH_FORMAT_VERSION 1u

/* A TVM-generated function the image holds, as the compiler lists them for the registry
 * (lwai_tvm_kernels_<model> in <model>_tvm.c). Nodes name it "tvm:<name>". */
typedef struct {
    const char *name;           /* the C symbol */
    lwai_tvm_func func;
    uint32_t num_args;          /* inputs then the output */
    const uint32_t *arg_bytes;  /* bytes each argument must have */
    uint32_t workspace_bytes;   /* largest workspace the function asks for */
} lwai_tvm_kernel;

/* Called around each node when set: phase 0 before, 1 after (with the node's status). */
typedef void (*lwai_node_callback)(void *user, uint32_t node, const char *kernel, int phase,
                                   lwai_status status);

typedef struct {
    const lwai_tvm_kernel *tvm_kernels; /* extra kernels besides the library's; may be NULL */
    size_t num_tvm_kernels;
} lwai_load_options;

/* Loads a .lwfb model in place. `buf` must stay valid and unchanged while the model is used.
 * Returns LWAI_OK, LWAI_ERR_INVALID_ARG (NULL/misaligned pointers), LWAI_ERR_BAD_MODEL
 * (verification failed: truncated, corrupted or inconsistent file), LWAI_ERR_VERSION,
 * LWAI_ERR_KERNEL_MISSING (model->detail names the kernel), LWAI_ERR_ARENA_TOO_SMALL
 * (model->arena_needed says how many bytes would do). */
lwai_status lwai_model_load(const uint8_t *buf, size_t len, uint8_t *arena, size_t arena_bytes,
                            lwai_model *model);
lwai_status lwai_model_load_with(const uint8_t *buf, size_t len, uint8_t *arena,
                                 size_t arena_bytes, const lwai_load_options *options,
                                 lwai_model *model);

/* Loads a model.json text (need not be NUL-terminated). Same results as lwai_model_load,
 * plus LWAI_ERR_BAD_MODEL for text that is not valid JSON of the documented shape. */
lwai_status lwai_model_load_json(const char *text, size_t len, uint8_t *arena,
                                 size_t arena_bytes, const lwai_load_options *options,
                                 lwai_model *model);

/* Sets (or clears, with NULL) the per-node callback of a loaded graph model. */
lwai_status lwai_model_set_callback(lwai_model *model, lwai_node_callback callback, void *user);

#endif
