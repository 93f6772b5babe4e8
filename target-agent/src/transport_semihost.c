/* fwmem target agent, telemetry transport: ARM semihosting (also RISC-V's,
 * which uses the same operations). SYS_OPEN (0x01) opens a file on the
 * host running the debugger or QEMU (-semihosting-config enable=on), and
 * each batch of frames goes out with one SYS_WRITE (0x05). On a hosted
 * build there is no semihosting: fwm_transport_semihost returns
 * -FWM_EINVAL. */
#include "fwmem/errno.h"
#include "fwmem/telemetry.h"

#define SYS_OPEN  0x01u
#define SYS_WRITE 0x05u
#define OPEN_WB   5u      /* fopen mode "wb" */

#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define HAVE_SEMIHOSTING 1
static uintptr_t semihost(uintptr_t op, const void *arg)
{
	register uintptr_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}
#elif defined(__riscv) && !defined(__linux__)
#define HAVE_SEMIHOSTING 1
static uintptr_t semihost(uintptr_t op, const void *arg)
{
	register uintptr_t a0 __asm__("a0") = op;
	register const void *a1 __asm__("a1") = arg;

	/* The three instructions must be uncompressed and in one page. */
	__asm__ volatile(".option push\n\t.option norvc\n\t.balign 16\n\t"
			 "slli x0, x0, 0x1f\n\tebreak\n\tsrai x0, x0, 7\n\t.option pop"
			 : "+r"(a0) : "r"(a1) : "memory");
	return a0;
}
#endif

#ifdef HAVE_SEMIHOSTING
static int semihost_write(void *ctx, const uint8_t *buf, size_t len)
{
	uintptr_t args[3] = { (uintptr_t)ctx, (uintptr_t)buf, (uintptr_t)len };

	/* SYS_WRITE returns the bytes it did not write. */
	return semihost(SYS_WRITE, args) == 0 ? 0 : -FWM_EFAULT;
}

int fwm_transport_semihost(struct fwm_tel_transport *t, const char *path)
{
	uintptr_t args[3];
	uintptr_t handle;
	size_t n = 0;

	if (t == NULL || path == NULL)
		return -FWM_EINVAL;
	while (path[n] != '\0')
		n++;
	args[0] = (uintptr_t)path;
	args[1] = OPEN_WB;
	args[2] = (uintptr_t)n;
	handle = semihost(SYS_OPEN, args);
	if (handle == (uintptr_t)-1)
		return -FWM_EINVAL;
	t->write = semihost_write;
	t->ctx = (void *)handle;
	return 0;
}
#else
int fwm_transport_semihost(struct fwm_tel_transport *t, const char *path)
{
	(void)t;
	(void)path;
	return -FWM_EINVAL;
}
#endif
