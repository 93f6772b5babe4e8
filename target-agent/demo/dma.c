/* fwmem demo: a DMA user of the shared multi-heap. The pool has a
 * non-cacheable region (8 KiB in the FPGA block RAM, section .nocache)
 * and a cacheable one (8 KiB of SRAM). Every 8 ms a transfer takes a
 * 32-byte aligned descriptor and buffer from the non-cacheable region and
 * a source buffer from the cacheable one, "runs" (a copy), and frees the
 * source; the previous transfer's descriptor and buffer are freed when the
 * next one starts (double buffering), so the last pair is live at the end. */
#include <zephyr/multi_heap/shared_multi_heap.h>
#include "demo.h"

#define DMA_PERIOD 8
#define REGION_BYTES 8192

struct dma_desc {
	uint32_t src, dst, len, next;
};

static uint8_t __attribute__((section(".nocache"), aligned(32))) nocache_mem[REGION_BYTES];
static uint8_t __attribute__((aligned(32))) cache_mem[REGION_BYTES];

void dma_setup(void)
{
	struct shared_multi_heap_region nc = {
		.attr = SMH_REG_ATTR_NON_CACHEABLE, .addr = (uintptr_t)nocache_mem,
		.size = sizeof nocache_mem,
	};
	struct shared_multi_heap_region ca = {
		.attr = SMH_REG_ATTR_CACHEABLE, .addr = (uintptr_t)cache_mem, .size = sizeof cache_mem,
	};

	(void)shared_multi_heap_pool_init();
	(void)shared_multi_heap_add(&nc, NULL);
	(void)shared_multi_heap_add(&ca, NULL);
}

static void *smh_get(enum shared_multi_heap_attr attr, size_t align, size_t bytes)
{
	void *p = shared_multi_heap_aligned_alloc(attr, align, bytes);

	if (p != NULL)
		demo_count[D_SMH].allocs++;
	else
		demo_count[D_SMH].fails++;
	return p;
}

static void smh_put(void *p)
{
	if (p != NULL) {
		shared_multi_heap_free(p);
		demo_count[D_SMH].frees++;
	}
}

void dma_main(void *p1, void *p2, void *p3)
{
	struct dma_desc *prev_desc = NULL;
	uint8_t *prev_buf = NULL;
	uint32_t rnd = 0x5eed0005u;

	(void)p1;
	(void)p2;
	(void)p3;
	for (uint32_t n = 0; demo_next_period(n, DMA_PERIOD); n++) {
		uint32_t len = 256 + demo_rand(&rnd) % 1792;
		struct dma_desc *desc = smh_get(SMH_REG_ATTR_NON_CACHEABLE, 32, sizeof *desc);
		uint8_t *buf = smh_get(SMH_REG_ATTR_NON_CACHEABLE, 32, len);
		uint8_t *src = smh_get(SMH_REG_ATTR_CACHEABLE, 0, len);

		if (desc != NULL && buf != NULL && src != NULL) {
			memset(src, (int)(n & 0xff), len);
			*desc = (struct dma_desc){ (uint32_t)(uintptr_t)src, (uint32_t)(uintptr_t)buf,
						   len, 0 };
			memcpy(buf, src, len);
		}
		smh_put(src);
		smh_put(prev_desc);
		smh_put(prev_buf);
		prev_desc = desc;
		prev_buf = buf;
	}
	demo_count[D_SMH].live = (prev_desc != NULL ? 1u : 0u) + (prev_buf != NULL ? 1u : 0u);
}
