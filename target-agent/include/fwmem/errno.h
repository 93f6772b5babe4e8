/* fwmem target agent: the errno values the agent returns (negated).
 * The agent is freestanding and has no <errno.h>; these match the values
 * of Linux, newlib and Zephyr, so a caller may compare against either. */
#ifndef FWMEM_ERRNO_H
#define FWMEM_ERRNO_H

#define FWM_EAGAIN 11 /* timed out, or would block with K_NO_WAIT */
#define FWM_ENOMEM 12 /* no memory */
#define FWM_EFAULT 14 /* pointer not owned by this object */
#define FWM_EBUSY  16 /* object in use */
#define FWM_EINVAL 22 /* bad argument */
/* EALREADY is the one value the C libraries disagree on: Linux says 114,
 * newlib and Zephyr 120. Host builds follow the host. */
#ifdef __linux__
#define FWM_EALREADY 114
#else
#define FWM_EALREADY 120
#endif

/* Zephyr code compares against the plain names; define them only where the
 * C library has not. The replacement text is the bare number, token for
 * token what glibc and newlib write, so including <errno.h> afterwards is
 * not a conflicting redefinition. */
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef EALREADY
#ifdef __linux__
#define EALREADY 114
#else
#define EALREADY 120
#endif
#endif

#endif /* FWMEM_ERRNO_H */
