/* Declarations shared by the fixture sources; no libc headers, so the
 * same files build freestanding for RISC-V. */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int printf(const char *fmt, ...);

int util_sum(const int *v, int n);
int util_unused(int v);
