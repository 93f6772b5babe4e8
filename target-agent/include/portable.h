/* <portable.h> for the fwmem target agent: FreeRTOS's memory API. Link
 * exactly one scheme, as FreeRTOS users compile exactly one heap_N.c:
 * libfwmem_heap_N.a (or target-agent/src/freertos/heap_N.c). Semantics are
 * FreeRTOS's; see <fwmem/rtos_heap.h> for each scheme. The heap functions
 * suspend the scheduler (vTaskSuspendAll / xTaskResumeAll) around their
 * work; the libraries carry do-nothing weak versions for programs without
 * a FreeRTOS kernel.
 *
 *   heap_1  pvPortMalloc only: vPortFree does nothing.     O(1)
 *   heap_2  best fit, no merging.                          O(free blocks)
 *   heap_3  the C library's malloc and free, locked.       (the library's)
 *   heap_4  first fit, merging.                            O(free blocks)
 *   heap_5  heap_4 over regions: call vPortDefineHeapRegions before the
 *           first allocation.                              O(free blocks)
 */
#ifndef PORTABLE_H
#define PORTABLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct HeapRegion {
	uint8_t *pucStartAddress;
	size_t xSizeInBytes;
} HeapRegion_t;

typedef struct xHeapStats {
	size_t xAvailableHeapSpaceInBytes;    /* free bytes now */
	size_t xSizeOfLargestFreeBlockInBytes;
	size_t xSizeOfSmallestFreeBlockInBytes;
	size_t xNumberOfFreeBlocks;
	size_t xMinimumEverFreeBytesRemaining;
	size_t xNumberOfSuccessfulAllocations;
	size_t xNumberOfSuccessfulFrees;
} HeapStats_t;

/* At least xWantedSize bytes, 8-byte aligned, or NULL (also for 0). Not
 * zeroed. With configUSE_MALLOC_FAILED_HOOK, a NULL calls
 * vApplicationMallocFailedHook(). */
void *pvPortMalloc(size_t xWantedSize);
/* xNum * xSize bytes, zeroed; NULL if the product overflows. */
void *pvPortCalloc(size_t xNum, size_t xSize);
/* pv NULL: pvPortMalloc; xWantedSize 0: vPortFree, NULL. Otherwise the
 * block resized (heap_4/5 in place when they can), contents kept up to the
 * smaller size; NULL on failure with pv untouched. */
void *pvPortRealloc(void *pv, size_t xWantedSize);
/* NULL does nothing; a pointer that is not a live block is ignored. */
void vPortFree(void *pv);
void vPortInitialiseBlocks(void);
size_t xPortGetFreeHeapSize(void);
size_t xPortGetMinimumEverFreeHeapSize(void);
void xPortResetHeapMinimumEverFreeHeapSize(void);
/* Correct on a full heap: no free block gives zero counts and sizes. */
void vPortGetHeapStats(HeapStats_t *pxHeapStats);
/* heap_5: regions in ascending address order, ended by { NULL, 0 }. */
void vPortDefineHeapRegions(const HeapRegion_t *const pxHeapRegions);
/* Forgets every block: the heap is as before its first allocation. */
void vPortHeapResetState(void);

/* Provided by the FreeRTOS kernel (weak stand-ins in the libraries). */
void vTaskSuspendAll(void);
long xTaskResumeAll(void);
void vApplicationMallocFailedHook(void);

#ifdef __cplusplus
}
#endif

#endif /* PORTABLE_H */
