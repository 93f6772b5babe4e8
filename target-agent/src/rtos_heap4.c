/* fwmem target agent: FreeRTOS heap_4 and heap_5 (see <fwmem/rtos_heap.h>):
 * first fit from a free list in address order, merging on free. heap_5 is
 * heap_4 over several regions: each region ends with a size-0 marker whose
 * link leads to the next region's first block; only the last is pxEnd. */
#include "fwmem/errno.h"
#include "fwmem/mem.h"
#include "rtos_layout.h"

/* prvInsertBlockIntoFreeList: in address order, merging with the block
 * before and after when they touch. The walk starts at xStart, which is
 * never adjacent to a block (offset 0, size 0). O(free blocks). */
static void insert(struct fwm_rtos_heap *h, blkoff_t b)
{
	struct fwm_rtos_link *itl = &h->start, *bl = rt_at(h, b);
	blkoff_t it = RT_START;

	while (itl->next < b) {
		it = itl->next;
		itl = rt_at(h, it);
	}
	if (it + itl->size == b) {
		itl->size += bl->size;
		b = it;
		bl = itl;
	}
	blkoff_t next = itl->next;

	if (b + bl->size == next) {
		if (next != h->end) {
			struct fwm_rtos_link *nl = rt_at(h, next);

			bl->size += nl->size;
			bl->next = nl->next;
		} else {
			bl->next = h->end;
		}
	} else {
		bl->next = next;
	}
	if (bl != itl)
		itl->next = b;
}

int fwm_rtos5_init(struct fwm_rtos_heap *h, const struct fwm_rtos_region *regions, int scheme)
{
	blkoff_t prev_end = 0;

	*h = (struct fwm_rtos_heap){ .scheme = scheme };
	for (const struct fwm_rtos_region *r = regions; r != NULL && r->start != NULL && r->bytes > 0; r++) {
		uintptr_t addr = (uintptr_t)r->start;
		uintptr_t aligned = (addr + RT_ALIGN - 1) & ~(uintptr_t)(RT_ALIGN - 1);
		size_t skip = (size_t)(aligned - addr);

		if (r->bytes < skip + RT_HDR + RT_MIN_BLOCK)
			continue;                         /* too small for a block and a marker */
		uintptr_t stop = (aligned + r->bytes - skip - RT_HDR) & ~(uintptr_t)(RT_ALIGN - 1);

		if (prev_end == 0)
			h->base = aligned - RT_HDR;       /* the first block at offset 8 */
		else if (aligned <= h->base + prev_end)
			return -FWM_EINVAL;               /* regions must ascend */
		if (stop - h->base > UINT32_MAX || stop - aligned >= RT_ALLOC_BIT)
			return -FWM_EINVAL;
		blkoff_t first = (blkoff_t)(aligned - h->base);
		blkoff_t end = (blkoff_t)(stop - h->base);
		struct fwm_rtos_link *fl = rt_blk(h, first), *el = rt_blk(h, end);

		el->size = 0;
		el->next = 0;
		fl->size = end - first;
		fl->next = end;
		if (prev_end == 0)
			h->start.next = first;
		else
			rt_blk(h, prev_end)->next = first;
		h->total_bytes += fl->size;
		prev_end = end;
		if (scheme == 4)
			break;
	}
	if (prev_end == 0)
		return -FWM_EINVAL;
	h->end = prev_end;
	h->free_bytes = h->min_ever_free_bytes = h->total_bytes;
	return 0;
}

void *fwm_rtos4_malloc(struct fwm_rtos_heap *h, size_t bytes)
{
	uint32_t want = rt_wanted(bytes);

	if (want == 0 || want > h->free_bytes)
		return NULL;
	struct fwm_rtos_link *prevl = &h->start;
	blkoff_t b = h->start.next;
	struct fwm_rtos_link *bl = rt_at(h, b);

	while (bl->size < want && bl->next != 0) {
		prevl = bl;
		b = bl->next;
		bl = rt_at(h, b);
	}
	if (b == h->end)
		return NULL;
	prevl->next = bl->next;
	if (bl->size - want > RT_MIN_BLOCK) {
		blkoff_t n = b + want;

		rt_at(h, n)->size = bl->size - want;
		bl->size = want;
		insert(h, n);
	}
	rt_count_alloc(h, bl->size);
	bl->size |= RT_ALLOC_BIT;
	bl->next = 0;
	return rt_mem(h, b);
}

/* Is p a live block of this heap (between its first block and pxEnd)? */
static bool live(const struct fwm_rtos_heap *h, const void *p)
{
	return rt_live(h, p, h->base + RT_HDR, h->base + h->end);
}

void fwm_rtos4_free(struct fwm_rtos_heap *h, void *p)
{
	if (p == NULL)
		return;
	if (!live(h, p)) {
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

void *fwm_rtos4_realloc(struct fwm_rtos_heap *h, void *ptr, size_t bytes)
{
	if (ptr == NULL)
		return fwm_rtos4_malloc(h, bytes);
	if (bytes == 0) {
		fwm_rtos4_free(h, ptr);
		return NULL;
	}
	uint32_t want = rt_wanted(bytes);

	if (!live(h, ptr)) {
		h->faults++;
		return NULL;
	}
	if (want == 0)
		return NULL;
	blkoff_t b = rt_of_mem(h, ptr);
	struct fwm_rtos_link *bl = rt_blk(h, b);
	uint32_t have = rt_size(bl->size);

	if (want > have) {
		/* Grow into the next block if it is free and big enough. */
		blkoff_t it = RT_START;

		while (rt_blk(h, it)->next < b + have)
			it = rt_blk(h, it)->next;
		blkoff_t next = rt_blk(h, it)->next;

		if (next == b + have && next != h->end && have + rt_blk(h, next)->size >= want) {
			uint32_t nsz = rt_blk(h, next)->size;

			rt_blk(h, it)->next = rt_blk(h, next)->next;
			rt_count_alloc(h, nsz);
			h->allocs--;
			have += nsz;
			bl->size = have | RT_ALLOC_BIT;
		} else {
			void *q = fwm_rtos4_malloc(h, bytes);

			if (q != NULL) {
				memcpy(q, ptr, have - RT_HDR);
				fwm_rtos4_free(h, ptr);
				h->allocs--;
				h->frees--;
			}
			return q;
		}
	}
	if (have - want > RT_MIN_BLOCK) {          /* give the tail back */
		blkoff_t t = b + want;

		rt_blk(h, t)->size = have - want;
		bl->size = want | RT_ALLOC_BIT;
		h->free_bytes += have - want;
		insert(h, t);
	}
	return ptr;
}

void fwm_rtos4_stats_get(const struct fwm_rtos_heap *h, struct fwm_rtos_stats *st)
{
	*st = (struct fwm_rtos_stats){
		.total_bytes = h->total_bytes,
		.free_bytes = h->free_bytes,
		.min_ever_free_bytes = h->min_ever_free_bytes,
		.allocs = h->allocs,
		.frees = h->frees,
	};
	for (blkoff_t b = h->start.next; b != 0 && b != h->end; b = rt_cblk(h, b)->next) {
		uint32_t sz = rt_cblk(h, b)->size;

		if (sz == 0)
			continue;                         /* a heap_5 region's end marker */
		if (sz > st->largest_free_bytes)
			st->largest_free_bytes = sz;
		if (st->free_blocks == 0 || sz < st->smallest_free_bytes)
			st->smallest_free_bytes = sz;
		st->free_blocks++;
	}
}
