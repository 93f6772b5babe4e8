/* fwmem target agent: the FreeRTOS memory API over one fwm_rtos_heap,
 * shared by heap_1.c, heap_2.c, heap_4.c and heap_5.c. Each includes this
 * once after defining RTOS_SCHEME. Not a public header. */
#include <FreeRTOS.h>
#include "fwmem/hooks.h"
#include "fwmem/mem.h"
#include "fwmem/rtos_heap.h"

#ifndef traceMALLOC
#define traceMALLOC(pvAddress, uiSize)
#endif
#ifndef traceFREE
#define traceFREE(pvAddress, uiSize)
#endif

static struct fwm_rtos_heap rtos_heap;

#if RTOS_SCHEME != 5
#if configAPPLICATION_ALLOCATED_HEAP == 1
extern uint8_t ucHeap[configTOTAL_HEAP_SIZE];
#else
static uint8_t ucHeap[configTOTAL_HEAP_SIZE];
#endif
#endif

/* The FreeRTOS kernel's scheduler lock; do-nothing stand-ins without one. */
__attribute__((weak)) void vTaskSuspendAll(void)
{
}

__attribute__((weak)) long xTaskResumeAll(void)
{
	return 0;
}

/* Sets the heap up on first use, as FreeRTOS does (heap_5: at
 * vPortDefineHeapRegions; allocating before it fails). */
static void ready(void)
{
#if RTOS_SCHEME != 5
	if (rtos_heap.scheme == 0) {
		struct fwm_rtos_region r[] = { { ucHeap, sizeof ucHeap }, { NULL, 0 } };

		(void)fwm_rtos_init(&rtos_heap, RTOS_SCHEME, r);
	}
#endif
}

void *pvPortMalloc(size_t xWantedSize)
{
	void *p;

	vTaskSuspendAll();
	ready();
	p = fwm_rtos_malloc(&rtos_heap, xWantedSize);
	traceMALLOC(p, xWantedSize);
	if (p != NULL)
		FWM_HOOK_ALLOC(FWM_KIND_FREERTOS, &rtos_heap, p, xWantedSize, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_FREERTOS, &rtos_heap, xWantedSize, 0);
	(void)xTaskResumeAll();
#if configUSE_MALLOC_FAILED_HOOK == 1
	if (p == NULL)
		vApplicationMallocFailedHook();
#endif
	return p;
}

void *pvPortCalloc(size_t xNum, size_t xSize)
{
	size_t bytes;

	if (fwm_mul_overflow(xNum, xSize, &bytes))
		return NULL;
	void *p = pvPortMalloc(bytes);

	if (p != NULL)
		memset(p, 0, bytes);
	return p;
}

void *pvPortRealloc(void *pv, size_t xWantedSize)
{
	void *p;

	vTaskSuspendAll();
	ready();
	p = fwm_rtos_realloc(&rtos_heap, pv, xWantedSize);
	if (p != NULL || xWantedSize == 0)
		FWM_HOOK_REALLOC(FWM_KIND_FREERTOS, &rtos_heap, pv, p, xWantedSize, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_FREERTOS, &rtos_heap, xWantedSize, 0);
	(void)xTaskResumeAll();
	return p;
}

void vPortFree(void *pv)
{
	if (pv == NULL)
		return;
	vTaskSuspendAll();
	traceFREE(pv, fwm_rtos_usable_size(&rtos_heap, pv));
	FWM_HOOK_FREE(FWM_KIND_FREERTOS, &rtos_heap, pv);
	fwm_rtos_free(&rtos_heap, pv);
	(void)xTaskResumeAll();
}

void vPortInitialiseBlocks(void)
{
	/* Only for backward compatibility, as in FreeRTOS. */
}

size_t xPortGetFreeHeapSize(void)
{
	ready();
	return rtos_heap.free_bytes;
}

size_t xPortGetMinimumEverFreeHeapSize(void)
{
	ready();
	return rtos_heap.min_ever_free_bytes;
}

void xPortResetHeapMinimumEverFreeHeapSize(void)
{
	vTaskSuspendAll();
	rtos_heap.min_ever_free_bytes = rtos_heap.free_bytes;
	(void)xTaskResumeAll();
}

void vPortGetHeapStats(HeapStats_t *pxHeapStats)
{
	struct fwm_rtos_stats st;

	vTaskSuspendAll();
	ready();
	fwm_rtos_stats_get(&rtos_heap, &st);
	(void)xTaskResumeAll();
	pxHeapStats->xAvailableHeapSpaceInBytes = st.free_bytes;
	pxHeapStats->xSizeOfLargestFreeBlockInBytes = st.largest_free_bytes;
	pxHeapStats->xSizeOfSmallestFreeBlockInBytes = st.smallest_free_bytes;
	pxHeapStats->xNumberOfFreeBlocks = st.free_blocks;
	pxHeapStats->xMinimumEverFreeBytesRemaining = st.min_ever_free_bytes;
	pxHeapStats->xNumberOfSuccessfulAllocations = st.allocs;
	pxHeapStats->xNumberOfSuccessfulFrees = st.frees;
}

void vPortHeapResetState(void)
{
	rtos_heap = (struct fwm_rtos_heap){ 0 };
}
