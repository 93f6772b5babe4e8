/* A printf that only counts: enough to keep the call and pull in 64-bit
 * division from libgcc. */
#include <stdarg.h>

volatile unsigned long long mini_printf_sink;

int printf(const char *fmt, ...);
int printf(const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	while (*fmt)
		n += *fmt++;
	mini_printf_sink /= (unsigned long long)va_arg(ap, int) + 3;
	va_end(ap);
	return n;
}
