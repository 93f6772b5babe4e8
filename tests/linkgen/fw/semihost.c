/* ARM semihosting: SYS_WRITE0 and SYS_EXIT (angel_SWIreason_ReportException). */
#include "fw.h"

static uint32_t sh_call(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void sh_write0(const char *s)
{
	sh_call(0x04, s);
}

void sh_exit(int ok)
{
	/* ADP_Stopped_ApplicationExit: QEMU exits 0; RunTimeErrorUnknown: 1 */
	sh_call(0x18, (const void *)(uintptr_t)(ok ? 0x20026u : 0x20023u));
	for (;;)
		;
}

void sh_hex(uint32_t v, char *out)
{
	static const char d[] = "0123456789abcdef";
	out[0] = '0';
	out[1] = 'x';
	for (int i = 0; i < 8; i++)
		out[2 + i] = d[(v >> (28 - 4 * i)) & 15];
	out[10] = 0;
}
