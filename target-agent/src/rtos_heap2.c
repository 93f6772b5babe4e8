/* fwmem target agent: FreeRTOS heap_2 (see <fwmem/rtos_heap.h>): best fit
 * from a free list sorted by size, ending at the xEnd sentinel; freed blocks
 * are never merged, so the heap fragments as FreeRTOS's does. */
#include "fwmem/errno.h"
#include "rtos_layout.h"

/* prvInsertBlockIntoFreeList: before the first block at least as large.
 * O(free blocks). */
static void insert(struct fwm_rtos_heap *h, blkoff_t b)
{
	uint32_t size = rt_blk2(h, b)->size;
	blkoff_t it = RT_START;

	while (rt_blk2(h, rt_blk2(h, it)->next)->size < size)
		it = rt_blk2(h, it)->next;
	rt_blk2(h, b)->next = rt_blk2(h, it)->next;
	rt_blk2(h, it)->next = b;
}

int fwm_rtos2_init(struct fwm_rtos_heap *h, void *start, size_t bytes)
{
	uintptr_t addr = (uintptr_t)start;
	uintptr_t aligned = (addr + RT_ALIGN - 1) & ~(uintptr_t)(RT_ALIGN - 1);

	*h = (struct fwm_rtos_heap){ .scheme = 2 };
	/* configADJUSTED_HEAP_SIZE: the total less one alignment's worth. */
	if (start == NULL || bytes < RT_ALIGN + RT_MIN_BLOCK || bytes - RT_ALIGN >= RT_ALLOC_BIT)
		return -FWM_EINVAL;
	h->base = aligned - RT_HDR;
	h->total_bytes = bytes - RT_ALIGN;
	h->xend = (struct fwm_rtos_link){ .next = 0, .size = (uint32_t)h->total_bytes };
	h->start = (struct fwm_rtos_link){ .next = RT_HDR, .size = 0 };
	*rt_blk(h, RT_HDR) = (struct fwm_rtos_link){ .next = RT_XEND, .size = (uint32_t)h->total_bytes };
	h->free_bytes = h->min_ever_free_bytes = h->total_bytes;
	return 0;
}

void *fwm_rtos2_malloc(struct fwm_rtos_heap *h, size_t bytes)
{
	uint32_t want = rt_wanted(bytes);

	if (want == 0 || want >= h->total_bytes)
		return NULL;
	blkoff_t prev = RT_START, b = h->start.next;

	while (rt_blk2(h, b)->size < want && rt_blk2(h, b)->next != 0) {
		prev = b;
		b = rt_blk2(h, b)->next;
	}
	if (b == RT_XEND)
		return NULL;
	struct fwm_rtos_link *bl = rt_blk(h, b);

	rt_blk2(h, prev)->next = bl->next;
	if (bl->size - want > RT_MIN_BLOCK) {
		blkoff_t n = b + want;

		rt_blk(h, n)->size = bl->size - want;
		bl->size = want;
		insert(h, n);
	}
	rt_count_alloc(h, bl->size);
	bl->size |= RT_ALLOC_BIT;
	bl->next = 0;
	return rt_mem(h, b);
}

void fwm_rtos2_free(struct fwm_rtos_heap *h, void *p)
{
	if (p == NULL)
		return;
	if (!rt_live(h, p, h->base + RT_HDR, h->base + RT_HDR + h->total_bytes)) {
		h->faults++;
		return;
	}
	blkoff_t b = rt_of_mem(h, p);
	struct fwm_rtos_link *bl = rt_blk(h, b);

	bl->size &= ~RT_ALLOC_BIT;
	h->free_bytes += bl->size;
	insert(h, b);
	h->frees++;
}

void fwm_rtos2_stats_get(const struct fwm_rtos_heap *h, struct fwm_rtos_stats *st)
{
	*st = (struct fwm_rtos_stats){
		.total_bytes = h->total_bytes,
		.free_bytes = h->free_bytes,
		.min_ever_free_bytes = h->min_ever_free_bytes,
		.allocs = h->allocs,
		.frees = h->frees,
	};
	/* Sorted by size: the first is the smallest, the last the largest. */
	for (blkoff_t b = h->start.next; b != RT_XEND && b != 0; b = rt_cblk(h, b)->next) {
		uint32_t sz = rt_cblk(h, b)->size;

		if (st->free_blocks++ == 0)
			st->smallest_free_bytes = sz;
		st->largest_free_bytes = sz;
	}
}
