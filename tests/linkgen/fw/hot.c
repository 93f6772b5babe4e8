/* The hot loop: linkgen moves it, its coefficients (data) and its call
 * counter (bss) to RAM.  It divides 64-bit numbers, so it calls libgcc's
 * __aeabi_uldivmod, and it calls fw_clip in main.o: callees in flash. */
#include "fw.h"

int32_t coeff[8] = { 3, -1, 4, 1, -5, 9, 2, 6 };
uint32_t hot_calls;

uint32_t hot_filter(const int32_t *x, unsigned n, uint32_t *pc)
{
	uint32_t here;
	__asm__ volatile("mov %0, pc" : "=r"(here));
	*pc = here;
	int64_t acc = 0;
	for (unsigned i = 0; i < n; i++)
		acc += (int64_t)x[i] * coeff[i & 7] * 1000003;
	hot_calls++;
	return fw_clip((uint32_t)((uint64_t)acc / ((uint64_t)n + 3u)));
}
