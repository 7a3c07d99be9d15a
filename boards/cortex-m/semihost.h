/* ARM semihosting (the "Angel" interface) over BKPT 0xAB, as QEMU implements it with
 * `-semihosting-config enable=on,target=native`. Only the calls lwai's boards use. */
#ifndef LWAI_SEMIHOST_H
#define LWAI_SEMIHOST_H

#include <stdint.h>

#define LWAI_SH_SYS_OPEN 0x01
#define LWAI_SH_SYS_CLOSE 0x02
#define LWAI_SH_SYS_WRITE0 0x04
#define LWAI_SH_SYS_WRITE 0x05
#define LWAI_SH_SYS_READ 0x06
#define LWAI_SH_SYS_SEEK 0x0A
#define LWAI_SH_SYS_FLEN 0x0C
#define LWAI_SH_SYS_GET_CMDLINE 0x15
#define LWAI_SH_SYS_EXIT 0x18

/* SYS_OPEN modes (ISO C fopen modes by index): "rb", "r+b" and "wb". */
#define LWAI_SH_MODE_RB 1
#define LWAI_SH_MODE_RPB 3
#define LWAI_SH_MODE_WB 5

/* SYS_EXIT reasons; QEMU maps ApplicationExit to exit status 0 and anything else to 1. */
#define LWAI_SH_ADP_STOPPED_APPLICATION_EXIT 0x20026
#define LWAI_SH_ADP_STOPPED_RUNTIME_ERROR 0x20023

/* Issues semihosting call `op` with parameter `arg` (a pointer to a block, or a value). */
static inline int32_t lwai_semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

/* Ends the QEMU run with exit status 0 (status == 0) or 1. */
void lwai_semihost_exit(int status) __attribute__((noreturn));

#endif
