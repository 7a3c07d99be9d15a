/* Board hooks for POSIX systems: the host (L2) and static Linux binaries under qemu-arm (L1).
 * Files through stdio, console on stdout/stderr, counter = CLOCK_MONOTONIC in nanoseconds. */
#define _POSIX_C_SOURCE 199309L

#include <stdio.h>
#include <time.h>

#include "lwai/board.h"

void lwai_board_init(void)
{
}

void lwai_board_puts(const char *text)
{
    fputs(text, stdout);
    fflush(stdout);
}

void lwai_board_eputs(const char *text)
{
    fputs(text, stderr);
    fflush(stderr);
}

/* Reads the whole file when its size is `bytes` (exact) or at most `bytes` (!exact). */
static int read_file(const char *path, void *buf, size_t bytes, size_t *actual, int exact)
{
    FILE *f = fopen(path, "rb");
    long size;
    int rc = 0;
    if (f == NULL) {
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    *actual = (size_t)size;
    if (exact ? (size_t)size != bytes : (size_t)size > bytes) {
        rc = -2;
    } else if (size != 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        rc = -1;
    }
    fclose(f);
    return rc;
}

int lwai_board_read_file(const char *path, void *buf, size_t bytes, size_t *actual)
{
    return read_file(path, buf, bytes, actual, 1);
}

int lwai_board_read_file_upto(const char *path, void *buf, size_t capacity, size_t *actual)
{
    return read_file(path, buf, capacity, actual, 0);
}

int lwai_board_write_file(const char *path, const void *buf, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    int rc = 0;
    if (f == NULL) {
        return -1;
    }
    if (bytes != 0u && fwrite(buf, 1, bytes, f) != bytes) {
        rc = -1;
    }
    if (fclose(f) != 0) {
        rc = -1;
    }
    return rc;
}

int lwai_board_read_file_at(const char *path, void *buf, size_t bytes, size_t offset,
                            size_t *actual)
{
    FILE *f = fopen(path, "rb");
    long size;
    int rc = 0;
    if (f == NULL) {
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) {
        fclose(f);
        return -1;
    }
    *actual = (size_t)size;
    if ((size_t)size < offset || (size_t)size - offset < bytes) {
        rc = -2;
    } else if (fseek(f, (long)offset, SEEK_SET) != 0 ||
               (bytes != 0u && fread(buf, 1, bytes, f) != bytes)) {
        rc = -1;
    }
    fclose(f);
    return rc;
}

int lwai_board_write_file_at(const char *path, const void *buf, size_t bytes, size_t offset)
{
    FILE *f = fopen(path, offset == 0u ? "wb" : "r+b");
    int rc = 0;
    if (f == NULL) {
        return -1;
    }
    if (offset != 0u && fseek(f, (long)offset, SEEK_SET) != 0) {
        rc = -1;
    } else if (bytes != 0u && fwrite(buf, 1, bytes, f) != bytes) {
        rc = -1;
    }
    if (fclose(f) != 0) {
        rc = -1;
    }
    return rc;
}

uint64_t lwai_board_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t lwai_board_tick_hz(void)
{
    return 1000000000u;
}
