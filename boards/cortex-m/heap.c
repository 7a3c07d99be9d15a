/* newlib's heap for the Cortex-M boards, linked only into images that allocate (the JSON
 * loader, an L0 debugging option): from `end` (above the stack, sections.ld) up to the end
 * of RAM, never further, so an exhausted heap makes malloc return NULL instead of
 * overwriting memory. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern char end;             /* first byte of the heap */
extern char __heap_limit__;  /* one past its last byte */

void *_sbrk(ptrdiff_t increment);

void *_sbrk(ptrdiff_t increment)
{
    static char *brk = &end;
    char *old = brk;
    if (increment < 0 ? (size_t)(-increment) > (size_t)(brk - &end)
                      : (size_t)increment > (size_t)(&__heap_limit__ - brk)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    brk += increment;
    return old;
}
