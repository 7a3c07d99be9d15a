/* libFuzzer target "json": the model.json loader (runtime/src/loaders/json.c, cJSON) with the
 * executor and the reference kernels behind it. Each input is a text (not NUL-terminated: it
 * sits in a heap block of exactly its size) loaded, bound and, when it loads, run
 * (fuzz_load_and_run); leaks of the loader's heap memory are reported by LeakSanitizer.
 *
 * Half of the mutations are libFuzzer's own on the bytes (syntax errors, odd numbers and
 * escapes for cJSON and the loader's type checks); the other half parse the text with cJSON
 * and change one value of the tree (a number to a boundary or random value, a string to
 * another one, an array item or object member deleted or duplicated) and print it again,
 * so the result is valid JSON of nearly the right shape and reaches the graph checks. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

#define MAX_NODES 8192u

static cJSON *nodes[MAX_NODES];
static uint32_t num_nodes;

static void collect(cJSON *item)
{
    cJSON *child;
    for (; item != NULL; item = item->next) {
        if (num_nodes < MAX_NODES) {
            nodes[num_nodes++] = item;
        }
        child = item->child;
        if (child != NULL) {
            collect(child);
        }
    }
}

static uint32_t rnd(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* One change to the tree; 0 when the picked node offered none. */
static int change(uint32_t *s)
{
    static const double numbers[] = {
        0, 1, -1, 2, -2, 3, 4, 16, 31, 32, 127, 128, -128, -129, 255, 256, 65535, 1e9,
        2147483647.0, -2147483648.0, 2147483648.0, 4294967295.0, 1e300, -1e300, 0.5, -0.5,
        1e-45, 1e-30, 3.4e38, 3.5e38};
    static const char *const strings[] = {
        "int8", "int16", "int32", "float32", "uint8", "bool", "int64", "", "conv2d_s8",
        "fully_connected_s8", "add_s8", "softmax_s8", "reshape", "dequantize_s8_f32", "tvm:x",
        "AAAA", "====", "lwai-graph", "\xff"};
    const size_t num_numbers = sizeof numbers / sizeof numbers[0];
    const size_t num_strings = sizeof strings / sizeof strings[0];
    cJSON *n = nodes[rnd(s) % num_nodes];
    cJSON *parent = NULL;
    uint32_t i;
    for (i = 0; i < num_nodes && parent == NULL; ++i) {
        cJSON *c;
        for (c = nodes[i]->child; c != NULL; c = c->next) {
            if (c == n) {
                parent = nodes[i];
                break;
            }
        }
    }
    switch (rnd(s) % 4u) {
    case 0:
    case 1:
        if (cJSON_IsNumber(n)) {
            const double v = rnd(s) % 4u == 0u ? n->valuedouble + (double)(rnd(s) % 9u) - 4.0
                                               : numbers[rnd(s) % num_numbers];
            cJSON_SetNumberValue(n, v);
            return 1;
        }
        if (cJSON_IsString(n)) {
            return cJSON_SetValuestring(n, strings[rnd(s) % num_strings]) != NULL;
        }
        return 0;
    case 2: /* delete it from its array or object */
        if (parent == NULL) {
            return 0;
        }
        cJSON_Delete(cJSON_DetachItemViaPointer(parent, n));
        return 1;
    default: /* duplicate it within its array */
        if (parent == NULL || !cJSON_IsArray(parent)) {
            return 0;
        }
        return cJSON_AddItemToArray(parent, cJSON_Duplicate(n, 1));
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint32_t s = seed * 2654435761u + 1u;
    cJSON *root;
    char *text;
    size_t len;
    int changed = 0, k;
    if (rnd(&s) % 2u == 0u ||
        (root = cJSON_ParseWithLength((const char *)data, size)) == NULL) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    num_nodes = 0u;
    collect(root);
    for (k = 0; k < 8 && !changed; ++k) {
        changed = change(&s);
    }
    text = changed ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    len = strlen(text);
    if (len > max_size) {
        free(text);
        return LLVMFuzzerMutate(data, size, max_size);
    }
    memcpy(data, text, len);
    free(text); /* cJSON's default hooks: malloc/free */
    return len;
}

static lwai_status load_json(const uint8_t *file, size_t len, uint8_t *arena,
                             size_t arena_bytes, lwai_model *model)
{
    return lwai_model_load_json((const char *)file, len, arena, arena_bytes, NULL, model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *text = fuzz_copy(data, size);
    (void)fuzz_load_and_run(load_json, text, size);
    free(text);
    return 0;
}
