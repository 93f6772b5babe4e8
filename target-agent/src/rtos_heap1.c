/* fwmem target agent: FreeRTOS heap_1 (see <fwmem/rtos_heap.h>): blocks are
 * cut one after the other from the heap and never given back. No headers. */
#include "fwmem/errno.h"
#include "rtos_layout.h"

int fwm_rtos1_init(struct fwm_rtos_heap *h, void *start, size_t bytes)
{
	uintptr_t addr = (uintptr_t)start;

	*h = (struct fwm_rtos_heap){ .scheme = 1 };
	if (start == NULL || bytes <= RT_ALIGN)
		return -FWM_EINVAL;
	/* pucAlignedHeap, and configADJUSTED_HEAP_SIZE = total - alignment. */
	h->base = (addr + RT_ALIGN - 1) & ~(uintptr_t)(RT_ALIGN - 1);
	h->total_bytes = bytes - RT_ALIGN;
	h->free_bytes = h->min_ever_free_bytes = h->total_bytes;
	return 0;
}

void *fwm_rtos1_malloc(struct fwm_rtos_heap *h, size_t bytes)
{
	size_t want = (bytes + RT_ALIGN - 1) & ~(size_t)(RT_ALIGN - 1);

	/* As FreeRTOS: strictly below the adjusted size, and no wrap. */
	if (bytes == 0 || want < bytes || h->next_free_byte + want >= h->total_bytes ||
	    h->next_free_byte + want < h->next_free_byte)
		return NULL;
	void *p = (void *)(h->base + h->next_free_byte);

	h->next_free_byte += want;
	h->free_bytes = h->total_bytes - h->next_free_byte;
	h->min_ever_free_bytes = h->free_bytes;
	h->allocs++;
	return p;
}
