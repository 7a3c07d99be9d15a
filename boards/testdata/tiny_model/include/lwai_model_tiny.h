/* A hand-written model implementing the compiled-model contract (lwai/model.h), for testing
 * the build and the boards without the compiler: y[i] = x[i] * w[i] + 1 over 4 int8s. */
#ifndef LWAI_MODEL_TINY_H
#define LWAI_MODEL_TINY_H

#include "lwai/model.h"

extern const lwai_model_desc lwai_model_tiny;

#endif
