/* libdsp.a(window.o): linkgen moves it and its table to the block RAM. */
#include "../fw.h"

const uint16_t window_tab[16] = { 1, 3, 7, 15, 31, 63, 127, 255, 255, 127, 63, 31, 15, 7, 3, 1 };

uint32_t window_apply(const int32_t *x, unsigned n, uint32_t *pc)
{
	uint32_t here;
	__asm__ volatile("mov %0, pc" : "=r"(here));
	*pc = here;
	uint32_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s += (uint32_t)x[i] * window_tab[i & 15];
	return s;
}
