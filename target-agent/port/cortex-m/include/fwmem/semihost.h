/* fwmem Cortex-M port: ARM semihosting (BKPT 0xAB) for text out and exit,
 * and a small formatter that needs no C library.
 *
 * Semihosting stops the core and asks the debugger (or QEMU with
 * -semihosting-config enable=on) to do the work: slow, and without a
 * debugger attached the BKPT faults. Use it for start-up messages, the
 * end-of-run summary and fault reports; stream events through a transport.
 */
#ifndef FWMEM_SEMIHOST_H
#define FWMEM_SEMIHOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FWM_SH_SYS_OPEN 0x01
#define FWM_SH_SYS_CLOSE 0x02
#define FWM_SH_SYS_WRITE0 0x04
#define FWM_SH_SYS_READ 0x06
#define FWM_SH_SYS_GET_CMDLINE 0x15
#define FWM_SH_SYS_EXIT 0x18
#define FWM_SH_SYS_EXIT_EXTENDED 0x20
#define FWM_SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define FWM_SH_ADP_STOPPED_RUNTIME_ERROR 0x20023u

/* The raw call: op in r0, arg in r1; returns r0. */
uint32_t fwm_sh_call(uint32_t op, const void *arg);

/* SYS_WRITE0: s (NUL-terminated) to the host's console. */
void fwm_sh_write0(const char *s);

/* Formats (see fwm_vsnprintf) and writes through SYS_WRITE0 in pieces of
 * up to 320 bytes; the output is cut there per call. */
void fwm_sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* SYS_GET_CMDLINE: the command line the host passes (QEMU: the kernel
 * name and -append's text) into buf, NUL-terminated. 0, or -1 when the
 * host gives none. */
int fwm_sh_cmdline(char *buf, size_t n);

/* Ends the program: SYS_EXIT with ADP_Stopped_ApplicationExit for status
 * 0; otherwise SYS_EXIT_EXTENDED with the status where the host says it
 * has that extension (its :semihosting-features file), else SYS_EXIT with
 * a run-time error (the host sees status 1). QEMU exits with the status. */
void fwm_sh_exit(int status) __attribute__((noreturn));

/* snprintf for the agent: %d %i %u %x %X %c %s %p %%, flags '-' and '0',
 * a width, and the length modifiers l, ll, z. Writes at most n bytes,
 * NUL included (n > 0); returns the length the whole output would have. */
int fwm_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int fwm_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* FWMEM_SEMIHOST_H */
