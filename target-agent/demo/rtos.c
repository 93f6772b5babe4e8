/* fwmem demo: fragmentation of a FreeRTOS heap_4 heap (12 KiB, see
 * FreeRTOSConfig.h). Every 15 ms up to six blocks are allocated,
 * alternating small (16-63 bytes) and large (256-1023 bytes), and four
 * random table slots are freed: small blocks pin the holes large ones
 * leave, the free space breaks up and large requests start to fail while
 * plenty of bytes are free. What is held at the end stays allocated. */
#include <FreeRTOS.h>
#include "demo.h"

#define RTOS_PERIOD 15
#define SLOTS 48

static void *held[SLOTS];

void rtos_main(void *p1, void *p2, void *p3)
{
	struct demo_count *c = &demo_count[D_RTOS];
	uint32_t rnd = 0x5eed0004u;

	(void)p1;
	(void)p2;
	(void)p3;
	for (uint32_t n = 0; demo_next_period(n, RTOS_PERIOD); n++) {
		for (uint32_t i = 0; i < 6; i++) {
			uint32_t slot = demo_rand(&rnd) % SLOTS;
			size_t size = (i & 1) ? 256 + demo_rand(&rnd) % 768 : 16 + demo_rand(&rnd) % 48;

			if (held[slot] != NULL)
				continue;
			held[slot] = pvPortMalloc(size);
			if (held[slot] != NULL) {
				c->allocs++;
				memset(held[slot], 0x5a, size);
			} else {
				c->fails++;
			}
		}
		for (uint32_t i = 0; i < 4; i++) {
			uint32_t slot = demo_rand(&rnd) % SLOTS;

			if (held[slot] != NULL) {
				vPortFree(held[slot]);
				held[slot] = NULL;
				c->frees++;
			}
		}
	}
	for (uint32_t i = 0; i < SLOTS; i++)
		if (held[i] != NULL)
			c->live++;
}
