/* fwmem target agent: FreeRTOS heap_3 behind <portable.h>: the C library's
 * malloc and free with the scheduler suspended, as FreeRTOS's heap_3. The
 * C library (and its heap size, set by the linker script) is the
 * integrator's; the agent only adds the hooks. Link exactly one heap_N. */
#include <FreeRTOS.h>
#include "fwmem/hooks.h"
#include "fwmem/mem.h"

void *malloc(size_t size);
void free(void *ptr);
void *realloc(void *ptr, size_t size);

__attribute__((weak)) void vTaskSuspendAll(void)
{
}

__attribute__((weak)) long xTaskResumeAll(void)
{
	return 0;
}

static int heap3_anchor __attribute__((unused)); /* the allocator id the hooks report */

void *pvPortMalloc(size_t xWantedSize)
{
	void *p = NULL;

	vTaskSuspendAll();
	if (xWantedSize > 0)
		p = malloc(xWantedSize);
	if (p != NULL)
		FWM_HOOK_ALLOC(FWM_KIND_FREERTOS, &heap3_anchor, p, xWantedSize, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_FREERTOS, &heap3_anchor, xWantedSize, 0);
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
	void *p = NULL;

	if (pv == NULL)
		return pvPortMalloc(xWantedSize);
	if (xWantedSize == 0) {
		vPortFree(pv);
		return NULL;
	}
	vTaskSuspendAll();
	p = realloc(pv, xWantedSize);
	if (p != NULL)
		FWM_HOOK_REALLOC(FWM_KIND_FREERTOS, &heap3_anchor, pv, p, xWantedSize, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_FREERTOS, &heap3_anchor, xWantedSize, 0);
	(void)xTaskResumeAll();
	return p;
}

void vPortFree(void *pv)
{
	if (pv == NULL)
		return;
	vTaskSuspendAll();
	FWM_HOOK_FREE(FWM_KIND_FREERTOS, &heap3_anchor, pv);
	free(pv);
	(void)xTaskResumeAll();
}

void vPortInitialiseBlocks(void)
{
}
