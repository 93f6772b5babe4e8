/* fwmem target agent: FreeRTOS heap_5 behind <portable.h>: heap_4 over the
 * regions given to vPortDefineHeapRegions, which must come before the first
 * allocation (until then pvPortMalloc returns NULL). Link exactly one
 * heap_N. */
#define RTOS_SCHEME 5
#include "heap_api.h"

void vPortDefineHeapRegions(const HeapRegion_t *const pxHeapRegions)
{
	struct fwm_rtos_region r[16];
	size_t n = 0;

	/* HeapRegion_t and fwm_rtos_region differ only in the start's type. */
	for (; n < 15 && pxHeapRegions[n].xSizeInBytes > 0; n++)
		r[n] = (struct fwm_rtos_region){ pxHeapRegions[n].pucStartAddress,
						 pxHeapRegions[n].xSizeInBytes };
	r[n] = (struct fwm_rtos_region){ NULL, 0 };
	vTaskSuspendAll();
	(void)fwm_rtos_init(&rtos_heap, 5, r);
	(void)xTaskResumeAll();
}
