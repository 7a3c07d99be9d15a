/* Two threads loading (and refusing) model.json texts at once (tests/test_threads.py, with
 * cJSON compiled from source under ThreadSanitizer: cJSON writes a global on every parse,
 * which the JSON loader serializes).
 *
 *   json_loads MODEL.json ROUNDS
 * Prints "loads <ok> refused <n> errors <e>"; exit 0 when every load did what it should. */
#define _POSIX_C_SOURCE 200112L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lwai/graph.h"

static char *text;
static size_t text_len;
static int rounds;
static uint8_t arenas[2][64 * 1024] __attribute__((aligned(16)));
static int ok[2], refused[2], errors[2];

static void *worker(void *arg)
{
    const int tid = *(const int *)arg;
    lwai_model m;
    int r;
    for (r = 0; r < rounds; ++r) {
        lwai_status st = lwai_model_load_json(text, text_len, arenas[tid], sizeof arenas[tid],
                                              NULL, &m);
        if (st == LWAI_OK && lwai_model_run(&m) == LWAI_OK) {
            ok[tid]++;
        } else {
            errors[tid]++;
        }
        lwai_model_release(&m);
        /* a broken text: cJSON records where it failed */
        if (lwai_model_load_json("{\"format\": ", 11, arenas[tid], sizeof arenas[tid], NULL,
                                 &m) == LWAI_ERR_BAD_MODEL) {
            refused[tid]++;
        } else {
            errors[tid]++;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    FILE *f;
    long size;
    pthread_t t[2];
    int ids[2] = {0, 1};
    int i;
    if (argc != 3 || (f = fopen(argv[1], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
        (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "usage: json_loads MODEL.json ROUNDS\n");
        return 2;
    }
    text_len = (size_t)size;
    text = malloc(text_len);
    if (text == NULL || fread(text, 1, text_len, f) != text_len) {
        return 2;
    }
    fclose(f);
    rounds = atoi(argv[2]);
    for (i = 0; i < 2; ++i) {
        if (pthread_create(&t[i], NULL, worker, &ids[i]) != 0) {
            return 5;
        }
    }
    for (i = 0; i < 2; ++i) {
        pthread_join(t[i], NULL);
    }
    printf("loads %d refused %d errors %d\n", ok[0] + ok[1], refused[0] + refused[1],
           errors[0] + errors[1]);
    free(text);
    return errors[0] + errors[1] != 0;
}
