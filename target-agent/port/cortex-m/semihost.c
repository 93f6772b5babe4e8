/* fwmem Cortex-M port: semihosting and the formatter (<fwmem/semihost.h>). */
#include <stdbool.h>
#include "fwmem/semihost.h"

uint32_t fwm_sh_call(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void fwm_sh_write0(const char *s)
{
	(void)fwm_sh_call(FWM_SH_SYS_WRITE0, s);
}

void fwm_sh_printf(const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	(void)fwm_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fwm_sh_write0(buf);
}

int fwm_sh_cmdline(char *buf, size_t n)
{
	uint32_t args[2] = { (uint32_t)(uintptr_t)buf, (uint32_t)n };

	if (n == 0 || fwm_sh_call(FWM_SH_SYS_GET_CMDLINE, args) != 0)
		return -1;
	buf[args[1] < n ? args[1] : n - 1] = '\0';
	return 0;
}

/* Does the host support SYS_EXIT_EXTENDED? Its :semihosting-features file
 * starts with "SHFB" and a byte whose bit 0 says so. */
static bool has_exit_extended(void)
{
	static const char name[] = ":semihosting-features";
	uint32_t open_args[3] = { (uint32_t)(uintptr_t)name, 0 /* "r" */, sizeof name - 1 };
	uint32_t h = fwm_sh_call(FWM_SH_SYS_OPEN, open_args);
	uint8_t b[5] = { 0 };

	if (h == UINT32_MAX)
		return false;
	uint32_t read_args[3] = { h, (uint32_t)(uintptr_t)b, sizeof b };
	uint32_t left = fwm_sh_call(FWM_SH_SYS_READ, read_args);

	(void)fwm_sh_call(FWM_SH_SYS_CLOSE, &h);
	return left == 0 && b[0] == 'S' && b[1] == 'H' && b[2] == 'F' && b[3] == 'B' && (b[4] & 1u);
}

void fwm_sh_exit(int status)
{
	if (status == 0) {
		(void)fwm_sh_call(FWM_SH_SYS_EXIT, (const void *)(uintptr_t)FWM_SH_ADP_STOPPED_APPLICATION_EXIT);
	} else if (has_exit_extended()) {
		uint32_t args[2] = { FWM_SH_ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status };

		(void)fwm_sh_call(FWM_SH_SYS_EXIT_EXTENDED, args);
	}
	(void)fwm_sh_call(FWM_SH_SYS_EXIT, (const void *)(uintptr_t)FWM_SH_ADP_STOPPED_RUNTIME_ERROR);
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- the formatter ------------------------------------------------------- */

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t len, unsigned width, bool left, char pad)
{
	size_t fill = width > len ? width - len : 0;

	if (!left) {
		/* Zero padding goes after a sign. */
		if (pad == '0' && len > 0 && *s == '-') {
			put(o, *s++);
			len--;
		}
		for (; fill > 0; fill--)
			put(o, pad);
	}
	for (size_t i = 0; i < len; i++)
		put(o, s[i]);
	for (; left && fill > 0; fill--)
		put(o, ' ');
}

/* Digits of v in base 10 or 16, right-aligned in tmp; returns the first. */
static char *digits(char *end, unsigned long long v, unsigned base, bool upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = d[v % base];
		v /= base;
	} while (v != 0);
	return p;
}

int fwm_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };

	for (const char *f = fmt; *f != '\0'; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		bool left = false;
		char pad = ' ';
		unsigned width = 0, lng = 0;

		for (f++; *f == '-' || *f == '0'; f++) {
			if (*f == '-')
				left = true;
			else
				pad = '0';
		}
		for (; *f >= '0' && *f <= '9'; f++)
			width = width * 10u + (unsigned)(*f - '0');
		for (; *f == 'l' || *f == 'z'; f++)
			lng += *f == 'z' ? (sizeof(size_t) > sizeof(int) ? 1u : 0u) : 1u;
		if (left)
			pad = ' ';

		char tmp[24], *end = tmp + sizeof tmp, *p;
		unsigned long long u;
		long long sv;

		switch (*f) {
		case 'd':
		case 'i':
			sv = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			u = sv < 0 ? 0ull - (unsigned long long)sv : (unsigned long long)sv;
			p = digits(end, u, 10, false);
			if (sv < 0)
				*--p = '-';
			put_padded(&o, p, (size_t)(end - p), width, left, pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? va_arg(ap, unsigned long long)
			    : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			p = digits(end, u, *f == 'u' ? 10u : 16u, *f == 'X');
			put_padded(&o, p, (size_t)(end - p), width, left, pad);
			break;
		case 'p':
			p = digits(end, (uintptr_t)va_arg(ap, void *), 16, false);
			*--p = 'x';
			*--p = '0';
			put_padded(&o, p, (size_t)(end - p), width, left, ' ');
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t len = 0;

			if (s == NULL)
				s = "(null)";
			while (s[len] != '\0')
				len++;
			put_padded(&o, s, len, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	if (n > 0)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int fwm_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fwm_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
