/* Startup for the Cortex-M QEMU boards: vector table, reset handler (FPU on, .data copied,
 * .bss zeroed), argv from the semihosting command line, main(), then exit via semihosting.
 * Linked with -nostartfiles: newlib's crt0 and its malloc-backed stdio are never pulled in. */
#include <stddef.h>
#include <stdint.h>

#include "lwai/board.h"
#include "semihost.h"

/* Longest semihosting command line and most arguments main() can receive. */
#define LWAI_CMDLINE_BYTES 2048
#define LWAI_MAX_ARGS 72 /* 16 inputs and 16 outputs (-i F, -o F) plus options */

typedef void (*lwai_vector)(void);

/* Symbols from the board's linker script. */
extern uint32_t __data_load__[];
extern uint32_t __data_start__[];
extern uint32_t __data_end__[];
extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];
extern uint32_t __stack_top__[];

int main(int argc, char **argv);
void lwai_reset_handler(void) __attribute__((noreturn));
void lwai_fault_handler(void) __attribute__((noreturn));
void lwai_default_handler(void);
void lwai_systick_handler(void); /* boards/cortex-m/board.c */

/* Exceptions 0..15 of the ARMv7-M/ARMv8-M vector table; no device interrupts are used. */
__attribute__((section(".vectors"), used)) const lwai_vector lwai_vector_table[16] = {
    (lwai_vector)(uintptr_t)__stack_top__, /* initial MSP */
    lwai_reset_handler,
    lwai_fault_handler, /* NMI */
    lwai_fault_handler, /* HardFault */
    lwai_fault_handler, /* MemManage */
    lwai_fault_handler, /* BusFault */
    lwai_fault_handler, /* UsageFault */
    lwai_fault_handler, /* SecureFault (ARMv8-M) */
    0,
    0,
    0,
    lwai_default_handler, /* SVCall */
    lwai_default_handler, /* DebugMonitor */
    0,
    lwai_default_handler, /* PendSV */
    lwai_systick_handler,
};

static char lwai_cmdline[LWAI_CMDLINE_BYTES];
static char *lwai_argv[LWAI_MAX_ARGS + 1];

void lwai_semihost_exit(int status)
{
    uint32_t reason = status == 0 ? LWAI_SH_ADP_STOPPED_APPLICATION_EXIT
                                  : LWAI_SH_ADP_STOPPED_RUNTIME_ERROR;
    for (;;) {
        (void)lwai_semihost(LWAI_SH_SYS_EXIT, (const void *)(uintptr_t)reason);
    }
}

void lwai_fault_handler(void)
{
    lwai_board_eputs("lwai: error: CPU fault (HardFault/BusFault/UsageFault)\n");
    lwai_semihost_exit(1);
}

void lwai_default_handler(void)
{
}

/* Splits the semihosting command line at spaces; argv[0] is the image name QEMU puts first. */
static int lwai_get_args(void)
{
    struct {
        char *buf;
        uint32_t len;
    } block;
    int argc = 0;
    char *p = lwai_cmdline;
    block.buf = lwai_cmdline;
    block.len = sizeof lwai_cmdline - 1u;
    /* QEMU refuses a command line longer than the buffer; an argument dropped here would
     * be an output file silently never written, so both limits stop the run. */
    if (lwai_semihost(LWAI_SH_SYS_GET_CMDLINE, &block) != 0) {
        lwai_board_eputs("lwai: error: semihosting command line longer than 2047 bytes\n");
        lwai_semihost_exit(2);
    }
    lwai_cmdline[sizeof lwai_cmdline - 1u] = '\0';
    while (*p != '\0') {
        while (*p == ' ') {
            *p++ = '\0';
        }
        if (*p == '\0') {
            break;
        }
        if (argc == LWAI_MAX_ARGS) {
            lwai_board_eputs("lwai: error: more than 72 semihosting arguments\n");
            lwai_semihost_exit(2);
        }
        lwai_argv[argc++] = p;
        while (*p != '\0' && *p != ' ') {
            ++p;
        }
    }
    lwai_argv[argc] = NULL;
    return argc;
}

void lwai_reset_handler(void)
{
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    uint32_t *src = __data_load__;
    uint32_t *dst;

    /* Full access to CP10/CP11 (FPU, and MVE on Cortex-M55) before any FP instruction. */
    *cpacr |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    for (dst = __data_start__; dst < __data_end__; ++dst, ++src) {
        *dst = *src;
    }
    for (dst = __bss_start__; dst < __bss_end__; ++dst) {
        *dst = 0u;
    }
    lwai_semihost_exit(main(lwai_get_args(), lwai_argv));
}
