/* fwmem target agent: the FreeRTOS schemes behind one interface, for
 * replays that run several in one process; and their free-list check. */
#include "fwmem/errno.h"
#include "fwmem/mem.h"
#include "rtos_layout.h"

int fwm_rtos_init(struct fwm_rtos_heap *h, int scheme, const struct fwm_rtos_region *regions)
{
	if (regions == NULL)
		return -FWM_EINVAL;
	switch (scheme) {
	case 1: return fwm_rtos1_init(h, regions->start, regions->bytes);
	case 2: return fwm_rtos2_init(h, regions->start, regions->bytes);
	case 4:
	case 5: return fwm_rtos5_init(h, regions, scheme);
	default: return -FWM_EINVAL;
	}
}

void *fwm_rtos_malloc(struct fwm_rtos_heap *h, size_t bytes)
{
	switch (h->scheme) {
	case 1: return fwm_rtos1_malloc(h, bytes);
	case 2: return fwm_rtos2_malloc(h, bytes);
	case 4:
	case 5: return fwm_rtos4_malloc(h, bytes);
	default: return NULL;
	}
}

void fwm_rtos_free(struct fwm_rtos_heap *h, void *p)
{
	switch (h->scheme) {
	case 2: fwm_rtos2_free(h, p); break;
	case 4:
	case 5: fwm_rtos4_free(h, p); break;
	default: break;                  /* heap_1 never frees */
	}
}

size_t fwm_rtos_usable_size(const struct fwm_rtos_heap *h, const void *p)
{
	if (p == NULL || h->scheme == 1)
		return 0;
	return rt_size(((const struct fwm_rtos_link *)(const void *)(h->base + rt_of_mem(h, p)))->size) - RT_HDR;
}

void *fwm_rtos_realloc(struct fwm_rtos_heap *h, void *ptr, size_t bytes)
{
	if (h->scheme == 4 || h->scheme == 5)
		return fwm_rtos4_realloc(h, ptr, bytes);
	if (ptr == NULL)
		return fwm_rtos_malloc(h, bytes);
	if (bytes == 0) {
		fwm_rtos_free(h, ptr);
		return NULL;
	}
	/* heap_1 keeps no sizes: the caller's bytes are all it knows. */
	size_t have = h->scheme == 1 ? bytes : fwm_rtos_usable_size(h, ptr);
	void *q = fwm_rtos_malloc(h, bytes);

	if (q != NULL) {
		memcpy(q, ptr, have < bytes ? have : bytes);
		fwm_rtos_free(h, ptr);
	}
	return q;
}

void fwm_rtos_stats_get(const struct fwm_rtos_heap *h, struct fwm_rtos_stats *st)
{
	switch (h->scheme) {
	case 2: fwm_rtos2_stats_get(h, st); return;
	case 4:
	case 5: fwm_rtos4_stats_get(h, st); return;
	default:
		*st = (struct fwm_rtos_stats){
			.total_bytes = h->total_bytes,
			.free_bytes = h->free_bytes,
			.largest_free_bytes = h->free_bytes,
			.smallest_free_bytes = h->free_bytes,
			.free_blocks = h->free_bytes ? 1 : 0,
			.min_ever_free_bytes = h->min_ever_free_bytes,
			.allocs = h->allocs,
		};
	}
}

const char *fwm_rtos_check(const struct fwm_rtos_heap *h)
{
	size_t sum = 0, n = 0;
	uint32_t last_size = 0;
	blkoff_t prev = RT_START;

	if (h->scheme == 1)
		return h->free_bytes + h->next_free_byte == h->total_bytes ? NULL : "heap_1 bytes do not add up";
	if (h->scheme != 2 && h->scheme != 4 && h->scheme != 5)
		return "not initialised";
	for (blkoff_t b = h->start.next; b != 0;) {
		if (h->scheme == 2 && b == RT_XEND)
			break;
		if (h->scheme != 2 && b == h->end)
			break;
		if (++n > h->total_bytes / RT_HDR + 2)
			return "free list loops";
		if (b % RT_ALIGN != 0 || b < RT_HDR || (h->scheme != 2 && b > h->end))
			return "free list leads outside the heap";
		const struct fwm_rtos_link *l = rt_cblk(h, b);

		if (rt_allocated(l->size))
			return "allocated block on the free list";
		if (h->scheme == 2) {
			if (l->size < last_size)
				return "heap_2 free list out of size order";
			last_size = l->size;
		} else {
			if (b <= prev)
				return "free list out of address order";
			if (prev != RT_START && l->size != 0 && rt_cblk(h, prev)->size != 0 &&
			    prev + rt_cblk(h, prev)->size == b)
				return "two adjacent free blocks (missed merge)";
			if (prev != RT_START && prev + rt_cblk(h, prev)->size > b)
				return "free blocks overlap";
		}
		if (l->size != 0 && l->size < RT_HDR)
			return "free block smaller than a header";
		sum += l->size;
		prev = b;
		b = l->next;
	}
	if (sum != h->free_bytes)
		return "free bytes differ from the free list";
	if (h->min_ever_free_bytes > h->free_bytes)
		return "minimum ever free above free";
	return NULL;
}
