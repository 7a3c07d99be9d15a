/* Shared pieces of the libFuzzer targets in tests/fuzz/ (built by scripts/fuzz.py with
 * clang -fsanitize=fuzzer,address,undefined): the .lwfb checksum (so mutated files get past
 * it and reach the structural checks), exact-size heap copies (a read one byte past the end
 * is an ASan report), and load-probe-bind-run of a model. */
#ifndef LWAI_FUZZ_COMMON_H
#define LWAI_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "lwai/graph.h"

/* Arenas above this are not tried: the executor refuses nothing for being big, and a
 * 300 KB arena already holds every seed model's activations 10 times over (largest: 49 KB,
 * simple_add); bigger ones only make runs slow (conv over a mutated 2 GB shape). */
#define FUZZ_MAX_ARENA (512u * 1024u)

/* CRC-32 (IEEE, zlib's crc32) of buf with the 4 bytes at `skip` read as zero. */
uint32_t fuzz_crc32(const uint8_t *buf, size_t len, size_t skip);

/* Position of Model.crc32 in a .lwfb file, or -1 when the root table or its vtable is out of
 * bounds or the field is absent (the loader then refuses the file anyway). */
long fuzz_lwfb_crc_at(const uint8_t *buf, size_t len);

/* Rewrites Model.crc32 to match the rest of the file; 0 when done, -1 when there is none. */
int fuzz_lwfb_reseal(uint8_t *buf, size_t len);

/* A 16-byte aligned heap copy of exactly `len` bytes (1 when len is 0); aborts on OOM. */
uint8_t *fuzz_copy(const void *data, size_t len);

/* A loader behind one signature: fuzz_load_lwfb here, the JSON one in fuzz_json.c. */
typedef lwai_status (*fuzz_loader)(const uint8_t *file, size_t len, uint8_t *arena,
                                   size_t arena_bytes, lwai_model *model);
lwai_status fuzz_load_lwfb(const uint8_t *file, size_t len, uint8_t *arena, size_t arena_bytes,
                           lwai_model *model);

/* Loads the file with a 64-byte arena to learn arena_needed, then (when it is at most
 * FUZZ_MAX_ARENA) again with a heap arena of exactly that size; when it loads, fills the
 * inputs with a pattern, runs the model and reads every output byte. Checks the API's
 * promises on the way (a status from the documented set, the tensors inside the arena) and
 * aborts when one is broken. Returns the load status. */
lwai_status fuzz_load_and_run(fuzz_loader load, const uint8_t *file, size_t len);

/* Aborts with a message: a broken promise is a finding like a sanitizer report. */
void fuzz_fail(const char *what);

#endif
