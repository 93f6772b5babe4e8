/* libdsp.a(gain.o): stays in flash (the spec pins the archive there). */
#include "../fw.h"

uint32_t gain_apply(uint32_t v)
{
	return v * 5u + 2u;
}
