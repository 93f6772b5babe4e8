#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memset(void *dst, int c, size_t n)
{
	char *d = dst;

	while (n--)
		*d++ = (char)c;
	return dst;
}
