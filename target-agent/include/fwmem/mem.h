/* fwmem target agent: the three C library functions the agent may call.
 * Declared here rather than through <string.h>, which a freestanding
 * toolchain need not ship; the integrator links an implementation (the C
 * library's, or the compiler's builtins). */
#ifndef FWMEM_MEM_H
#define FWMEM_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif /* FWMEM_MEM_H */
