/* fwmem target agent: the system heap (k_malloc and friends). Blocks carry
 * no heap reference: k_free knows the only heap they can come from and
 * refuses (and reports) pointers outside it. None of these wait. */
#include <zephyr/kernel.h>
#include "fwmem/hooks.h"
#include "fwmem/mem.h"
#include "k_heap_internal.h"

#ifndef CONFIG_HEAP_MEM_POOL_SIZE
#define CONFIG_HEAP_MEM_POOL_SIZE 16384
#endif

#if CONFIG_HEAP_MEM_POOL_SIZE > 0
static char __attribute__((aligned(8))) system_heap_mem[CONFIG_HEAP_MEM_POOL_SIZE];
struct k_heap _system_heap = {
	.heap = { .init_mem = system_heap_mem, .init_bytes = sizeof system_heap_mem },
};
#else
struct k_heap _system_heap;
#endif

static void *aligned_alloc_at(size_t align, size_t size, void *caller)
{
	void *mem = fwm_k_heap_alloc(&_system_heap, align, size, K_NO_WAIT);

	FWM_UNUSED(caller);
	if (mem != NULL)
		FWM_HOOK_ALLOC_AT(caller, FWM_KIND_K_MALLOC, &_system_heap, mem, size, align);
	else
		FWM_HOOK_FAIL_AT(caller, FWM_KIND_K_MALLOC, &_system_heap, size, align);
	return mem;
}

void *k_aligned_alloc(size_t align, size_t size)
{
	return aligned_alloc_at(align, size, FWM_HOOK_CALLER());
}

void *k_malloc(size_t size)
{
	return aligned_alloc_at(0, size, FWM_HOOK_CALLER());
}

void *k_calloc(size_t nmemb, size_t size)
{
	size_t bytes;

	if (fwm_mul_overflow(nmemb, size, &bytes)) {
		FWM_HOOK_FAIL(FWM_KIND_K_MALLOC, &_system_heap, SIZE_MAX, 0);
		return NULL;
	}
	void *mem = aligned_alloc_at(0, bytes, FWM_HOOK_CALLER());

	if (mem != NULL)
		memset(mem, 0, bytes);
	return mem;
}

void *k_realloc(void *ptr, size_t size)
{
	void *mem = fwm_k_heap_realloc(&_system_heap, ptr, size, K_NO_WAIT);

	if (mem != NULL || size == 0)
		FWM_HOOK_REALLOC(FWM_KIND_K_MALLOC, &_system_heap, ptr, mem, size, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_K_MALLOC, &_system_heap, size, 0);
	return mem;
}

void k_free(void *ptr)
{
	if (ptr == NULL)
		return;
	FWM_HOOK_FREE(FWM_KIND_K_MALLOC, &_system_heap, ptr);
	fwm_k_heap_free(&_system_heap, ptr);
}
