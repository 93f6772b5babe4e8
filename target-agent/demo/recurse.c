/* fwmem demo: a parser that recurses. Every 50 ms it walks a "tree" of
 * depth 8 to 48, each level a frame with a 48-byte buffer, so its stack's
 * high-water mark climbs over the run to about 3.5 KiB of its 4 KiB: the
 * deepest stack of the demo. */
#include "demo.h"

#define RECURSE_PERIOD 50
#define FRAME_BYTES 48

uint32_t recurse_deepest;

__attribute__((noinline)) static uint32_t dive(uint32_t depth, uint32_t seed)
{
	volatile uint8_t frame[FRAME_BYTES];

	for (uint32_t i = 0; i < FRAME_BYTES; i++)
		frame[i] = (uint8_t)(seed + i);
	if (depth == 0)
		return frame[seed % FRAME_BYTES];
	/* Not a tail call: the frame is needed after the call returns. */
	return dive(depth - 1, seed * 31u + 7u) + frame[depth % FRAME_BYTES];
}

void recurse_main(void *p1, void *p2, void *p3)
{
	volatile uint32_t sink = 0;

	(void)p1;
	(void)p2;
	(void)p3;
	for (uint32_t n = 0; demo_next_period(n, RECURSE_PERIOD); n++) {
		uint32_t depth = 8 + (n * 5) % 41;

		sink += dive(depth, n);
		if (depth > recurse_deepest)
			recurse_deepest = depth;
	}
	(void)sink;
}
