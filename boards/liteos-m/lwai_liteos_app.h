/* lwai's LiteOS-M entry sample: the model table lwai.gni's lwai_liteos_m_app() generates. */
#ifndef LWAI_LITEOS_APP_H
#define LWAI_LITEOS_APP_H

#include <stdint.h>

#include "lwai/model.h"

typedef struct {
    const char *target; /* the lwai_model() target's name */
    const lwai_model_desc *desc;
} lwai_liteos_entry;

extern const lwai_liteos_entry lwai_liteos_models[];
extern const uint32_t lwai_liteos_num_models;

/* One arena for all models (they run one after the other): the largest arena_bytes. */
extern uint8_t lwai_liteos_arena[];
extern const uint32_t lwai_liteos_arena_bytes;

/* Runs every model of the table once and prints its outputs; returns 0 if all ran. */
int lwai_liteos_run_all(void);

#endif
