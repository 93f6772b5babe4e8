/* fwmem demo: scatter-gather with sys_mem_blocks. Every 6 ms a transfer
 * takes 1-8 blocks of 128 bytes wherever they are free (a scatter list)
 * and a contiguous 2-block header; three transfers are in flight, each
 * completed (freed) when its slot comes round again. The pool has 28
 * blocks, so a contiguous header sometimes finds no run. */
#include <zephyr/sys/mem_blocks.h>
#include "demo.h"

#define SG_PERIOD 6
#define BLOCK 128
#define NBLOCKS 28
#define INFLIGHT 3
#define SG_MAX 8

SYS_MEM_BLOCKS_DEFINE(sg_pool, BLOCK, NBLOCKS, 4);

static struct sg_list {
	void *blk[SG_MAX];
	size_t n;
	void *hdr;
} lists[INFLIGHT];

static void complete(struct sg_list *l)
{
	struct demo_count *c = &demo_count[D_BLOCKS];

	if (l->n > 0 && sys_mem_blocks_free(&sg_pool, l->n, l->blk) == 0)
		c->frees += (uint32_t)l->n;
	l->n = 0;
	if (l->hdr != NULL && sys_mem_blocks_free_contiguous(&sg_pool, l->hdr, 2) == 0)
		c->frees++;
	l->hdr = NULL;
}

void sg_main(void *p1, void *p2, void *p3)
{
	struct demo_count *c = &demo_count[D_BLOCKS];
	uint32_t rnd = 0x5eed0006u;

	(void)p1;
	(void)p2;
	(void)p3;
	for (uint32_t n = 0; demo_next_period(n, SG_PERIOD); n++) {
		struct sg_list *l = &lists[n % INFLIGHT];
		size_t count = 1 + demo_rand(&rnd) % SG_MAX;

		complete(l);
		if (sys_mem_blocks_alloc(&sg_pool, count, l->blk) == 0) {
			l->n = count;
			c->allocs += (uint32_t)count;
			for (size_t i = 0; i < count; i++)
				memset(l->blk[i], (int)i, BLOCK);
		} else {
			c->fails++;
		}
		if (sys_mem_blocks_alloc_contiguous(&sg_pool, 2, &l->hdr) == 0) {
			c->allocs++;
		} else {
			l->hdr = NULL;
			c->fails++;
		}
	}
	for (int i = 0; i < INFLIGHT; i++)
		c->live += (uint32_t)lists[i].n + (lists[i].hdr != NULL ? 1u : 0u);
}
