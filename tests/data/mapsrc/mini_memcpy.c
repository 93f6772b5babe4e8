/* Freestanding string routines for the RISC-V fixture (no newlib there);
 * built into libmini.a so that the map shows archive members. */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memcpy(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
