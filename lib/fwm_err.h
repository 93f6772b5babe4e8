/* Error reporting shared by the host library.
 *
 * Every fallible function returns 0 or a negative errno-style code and, on
 * failure, writes a one-line human message into a caller-owned buffer.  The
 * message names the file and, where known, the offset or line:
 * "fw.elf: section 7 (.data) extends past the end of the file (offset 0x1f00)".
 * No function of the library calls exit().
 */
#ifndef FWM_ERR_H
#define FWM_ERR_H

#include <stddef.h>

#define FWM_ERRLEN 512

struct fwm_err {
	char msg[FWM_ERRLEN];   /* one line, no trailing newline; "" when unset */
};

/* Format a message into err (if non-NULL) and return code (a negative errno). */
int fwm_errf(struct fwm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Exit statuses of every fwmem command (DESIGN.md, "Conventions"). */
enum {
	FWM_EXIT_OK = 0,
	FWM_EXIT_BREACH = 1,   /* a budget or threshold breached */
	FWM_EXIT_USAGE = 2,    /* bad command line */
	FWM_EXIT_INPUT = 3,    /* unreadable, truncated or corrupt input */
};

#endif
