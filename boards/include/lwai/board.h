/* Board hooks the generic app (boards/app/lwai_app.c) needs: console, files, a counter.
 *
 * One implementation per board family: boards/posix/board.c (host, qemu-arm user mode) with
 * stdio and clock_gettime, boards/cortex-m/board.c (QEMU MPS2/MPS3 boards) with raw ARM
 * semihosting calls and SysTick. The Cortex-M one links no malloc: it never touches stdio.
 */
#ifndef LWAI_BOARD_H
#define LWAI_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Sets up the counter (and, on Cortex-M, nothing else: startup did the rest). */
void lwai_board_init(void);

/* Writes a NUL-terminated string to the console: standard output / standard error. */
void lwai_board_puts(const char *text);
void lwai_board_eputs(const char *text);

/* Reads file `path` into buf when its size is exactly `bytes`.
 * [out] actual: the file's size in bytes (set whenever the file could be opened).
 * Returns 0 on success, -1 if the file cannot be opened or read, -2 on a size mismatch. */
int lwai_board_read_file(const char *path, void *buf, size_t bytes, size_t *actual);

/* Reads file `path` into buf when it holds at most `capacity` bytes.
 * [out] actual: the file's size in bytes (set whenever the file could be opened).
 * Returns 0 on success, -1 if the file cannot be opened or read, -2 if it is too big. */
int lwai_board_read_file_upto(const char *path, void *buf, size_t capacity, size_t *actual);

/* Writes `bytes` bytes of buf to file `path` (created or truncated). Returns 0 or -1. */
int lwai_board_write_file(const char *path, const void *buf, size_t bytes);

/* Slices of files, for N invocations of a stateful model in one run (lwai_app -k N):
 * reads `bytes` bytes at byte `offset` of file `path` into buf. [out] actual: the file's
 * size (set whenever the file could be opened). Returns 0, -1 (cannot open or read) or -2
 * (the file ends before offset + bytes). */
int lwai_board_read_file_at(const char *path, void *buf, size_t bytes, size_t offset,
                            size_t *actual);

/* Writes `bytes` bytes of buf at byte `offset` of file `path`: offset 0 creates or truncates
 * the file, a later offset overwrites (or extends) an existing one. Returns 0 or -1. */
int lwai_board_write_file_at(const char *path, const void *buf, size_t bytes, size_t offset);

/* A monotonic counter and its rate in ticks per second. On the QEMU boards run with
 * `-icount shift=0` one tick is 1e9 / lwai_board_tick_hz() executed instructions. */
uint64_t lwai_board_ticks(void);
uint32_t lwai_board_tick_hz(void);

#endif
