#include "fwm_err.h"

#include <stdarg.h>
#include <stdio.h>

int fwm_errf(struct fwm_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		for (char *p = err->msg; *p; p++)   /* one line, always */
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	}
	return code;
}
