/* Board hooks for the Cortex-M QEMU boards: console and files over raw semihosting calls
 * (no newlib stdio, hence no malloc), counter = SysTick on the core clock, extended to 64
 * bits by counting wraps in its interrupt. Under `qemu-system-arm -icount shift=0` the
 * virtual clock runs 1 ns per instruction, so the count is deterministic and one tick is
 * 1e9 / LWAI_BOARD_CPU_HZ instructions (40 on mps2-an386 at 25 MHz). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lwai/board.h"
#include "semihost.h"

#ifndef LWAI_BOARD_CPU_HZ
#error "the board's SConscript defines LWAI_BOARD_CPU_HZ (the SysTick core clock)"
#endif

#define LWAI_SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define LWAI_SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define LWAI_SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define LWAI_SYST_CSR_ENABLE 1u
#define LWAI_SYST_CSR_TICKINT 2u
#define LWAI_SYST_CSR_CLKSOURCE_CPU 4u
#define LWAI_SYST_RELOAD 0x00FFFFFFu /* 24-bit counter: wraps every 2^24 ticks */

static volatile uint32_t lwai_systick_wraps;

void lwai_systick_handler(void);
void lwai_systick_handler(void)
{
    ++lwai_systick_wraps;
}

void lwai_board_init(void)
{
    LWAI_SYST_RVR = LWAI_SYST_RELOAD;
    LWAI_SYST_CVR = 0u;
    LWAI_SYST_CSR = LWAI_SYST_CSR_ENABLE | LWAI_SYST_CSR_TICKINT | LWAI_SYST_CSR_CLKSOURCE_CPU;
}

uint64_t lwai_board_ticks(void)
{
    uint32_t wraps;
    uint32_t value;
    do {
        wraps = lwai_systick_wraps;
        value = LWAI_SYST_CVR;
    } while (wraps != lwai_systick_wraps);
    return (uint64_t)wraps * (LWAI_SYST_RELOAD + 1u) + (LWAI_SYST_RELOAD - value);
}

uint32_t lwai_board_tick_hz(void)
{
    return LWAI_BOARD_CPU_HZ;
}

void lwai_board_puts(const char *text)
{
    (void)lwai_semihost(LWAI_SH_SYS_WRITE0, text);
}

void lwai_board_eputs(const char *text)
{
    (void)lwai_semihost(LWAI_SH_SYS_WRITE0, text);
}

static int32_t lwai_sh_open(const char *path, uint32_t mode)
{
    uint32_t block[3];
    block[0] = (uint32_t)(uintptr_t)path;
    block[1] = mode;
    block[2] = (uint32_t)strlen(path);
    return lwai_semihost(LWAI_SH_SYS_OPEN, block);
}

static void lwai_sh_close(int32_t handle)
{
    uint32_t block[1];
    block[0] = (uint32_t)handle;
    (void)lwai_semihost(LWAI_SH_SYS_CLOSE, block);
}

/* Reads the whole file when its size is `bytes` (exact) or at most `bytes` (!exact). */
static int read_file(const char *path, void *buf, size_t bytes, size_t *actual, int exact)
{
    uint32_t block[3];
    int32_t size;
    int rc = 0;
    int32_t h = lwai_sh_open(path, LWAI_SH_MODE_RB);
    if (h < 0) {
        return -1;
    }
    block[0] = (uint32_t)h;
    size = lwai_semihost(LWAI_SH_SYS_FLEN, block);
    if (size < 0) {
        lwai_sh_close(h);
        return -1;
    }
    *actual = (size_t)size;
    if (exact ? (size_t)size != bytes : (size_t)size > bytes) {
        rc = -2;
    } else if (size != 0) {
        block[0] = (uint32_t)h;
        block[1] = (uint32_t)(uintptr_t)buf;
        block[2] = (uint32_t)size;
        /* SYS_READ returns the number of bytes NOT read. */
        if (lwai_semihost(LWAI_SH_SYS_READ, block) != 0) {
            rc = -1;
        }
    }
    lwai_sh_close(h);
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

int lwai_board_read_file_at(const char *path, void *buf, size_t bytes, size_t offset,
                            size_t *actual)
{
    uint32_t block[3];
    int32_t size;
    int rc = 0;
    int32_t h = lwai_sh_open(path, LWAI_SH_MODE_RB);
    if (h < 0) {
        return -1;
    }
    block[0] = (uint32_t)h;
    size = lwai_semihost(LWAI_SH_SYS_FLEN, block);
    if (size < 0) {
        lwai_sh_close(h);
        return -1;
    }
    *actual = (size_t)size;
    if ((size_t)size < offset || (size_t)size - offset < bytes) {
        rc = -2;
    } else if (bytes != 0u) {
        block[0] = (uint32_t)h;
        block[1] = (uint32_t)offset;
        /* SYS_SEEK returns 0 on success; SYS_READ the number of bytes NOT read. */
        if (lwai_semihost(LWAI_SH_SYS_SEEK, block) != 0) {
            rc = -1;
        } else {
            block[0] = (uint32_t)h;
            block[1] = (uint32_t)(uintptr_t)buf;
            block[2] = (uint32_t)bytes;
            if (lwai_semihost(LWAI_SH_SYS_READ, block) != 0) {
                rc = -1;
            }
        }
    }
    lwai_sh_close(h);
    return rc;
}

static int write_at(const char *path, const void *buf, size_t bytes, size_t offset)
{
    uint32_t block[3];
    int rc = 0;
    int32_t h = lwai_sh_open(path, offset == 0u ? LWAI_SH_MODE_WB : LWAI_SH_MODE_RPB);
    if (h < 0) {
        return -1;
    }
    if (offset != 0u) {
        block[0] = (uint32_t)h;
        block[1] = (uint32_t)offset;
        if (lwai_semihost(LWAI_SH_SYS_SEEK, block) != 0) {
            lwai_sh_close(h);
            return -1;
        }
    }
    if (bytes != 0u) {
        block[0] = (uint32_t)h;
        block[1] = (uint32_t)(uintptr_t)buf;
        block[2] = (uint32_t)bytes;
        /* SYS_WRITE returns the number of bytes NOT written. */
        if (lwai_semihost(LWAI_SH_SYS_WRITE, block) != 0) {
            rc = -1;
        }
    }
    lwai_sh_close(h);
    return rc;
}

int lwai_board_write_file(const char *path, const void *buf, size_t bytes)
{
    return write_at(path, buf, bytes, 0u);
}

int lwai_board_write_file_at(const char *path, const void *buf, size_t bytes, size_t offset)
{
    return write_at(path, buf, bytes, offset);
}
