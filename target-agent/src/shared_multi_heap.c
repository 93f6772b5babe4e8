/* fwmem target agent: the shared multi-heap pool (see
 * <zephyr/multi_heap/shared_multi_heap.h>): a sys_multi_heap over one
 * sys_heap per region, chosen by attribute. */
#include <zephyr/multi_heap/shared_multi_heap.h>
#include <zephyr/sys/multi_heap.h>
#include "fwmem/errno.h"
#include "fwmem/hooks.h"
#include "fwmem/port.h"

static struct sys_multi_heap pool;
static struct sys_heap region_heaps[MAX_MULTI_HEAPS];
static uint32_t region_attr[MAX_MULTI_HEAPS];
static bool pool_ready;

/* The regions with attribute cfg, in the order added; the first that can
 * satisfy the request. */
static void *choose(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t size)
{
	uint32_t attr = (uint32_t)(uintptr_t)cfg;

	for (unsigned i = 0; i < mheap->nheaps; i++) {
		if (region_attr[i] != attr)
			continue;
		void *mem = fwm_heap_aligned_alloc(mheap->heaps[i].heap, align, size);

		if (mem != NULL)
			return mem;
	}
	return NULL;
}

int shared_multi_heap_pool_init(void)
{
	fwm_port_key_t key = fwm_port_lock();
	int rc = 0;

	if (pool_ready)
		rc = -FWM_EALREADY;
	else
		sys_multi_heap_init(&pool, choose);
	pool_ready = true;
	fwm_port_unlock(key);
	return rc;
}

int shared_multi_heap_add(struct shared_multi_heap_region *region, void *user_data)
{
	if (region == NULL || region->attr >= MAX_SHARED_MULTI_HEAP_ATTR)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();
	int rc = 0;

	if (!pool_ready) {
		rc = -FWM_EINVAL;
	} else if (pool.nheaps >= MAX_MULTI_HEAPS) {
		rc = -FWM_ENOMEM;
	} else {
		unsigned i = pool.nheaps;

		sys_heap_init(&region_heaps[i], (void *)region->addr, region->size);
		region_attr[i] = region->attr;
		sys_multi_heap_add_heap(&pool, &region_heaps[i], user_data);
	}
	fwm_port_unlock(key);
	return rc;
}

static void *aligned_alloc_at(enum shared_multi_heap_attr attr, size_t align, size_t bytes,
			      void *caller)
{
	FWM_UNUSED(caller);
	if ((uint32_t)attr >= MAX_SHARED_MULTI_HEAP_ATTR)
		return NULL;
	fwm_port_key_t key = fwm_port_lock();
	void *mem = pool_ready ? choose(&pool, (void *)(uintptr_t)attr, align, bytes) : NULL;

	if (mem != NULL)
		FWM_HOOK_ALLOC_AT(caller, FWM_KIND_SHARED_MULTI_HEAP, &pool, mem, bytes, align);
	else
		FWM_HOOK_FAIL_AT(caller, FWM_KIND_SHARED_MULTI_HEAP, &pool, bytes, align);
	fwm_port_unlock(key);
	return mem;
}

void *shared_multi_heap_aligned_alloc(enum shared_multi_heap_attr attr, size_t align, size_t bytes)
{
	return aligned_alloc_at(attr, align, bytes, FWM_HOOK_CALLER());
}

void *shared_multi_heap_alloc(enum shared_multi_heap_attr attr, size_t bytes)
{
	return aligned_alloc_at(attr, 0, bytes, FWM_HOOK_CALLER());
}

void shared_multi_heap_free(void *block)
{
	if (block == NULL)
		return;
	fwm_port_key_t key = fwm_port_lock();
	const struct sys_multi_heap_rec *rec = pool_ready ? sys_multi_heap_get_heap(&pool, block) : NULL;

	FWM_HOOK_FREE(FWM_KIND_SHARED_MULTI_HEAP, &pool, block);
	/* A block from no region goes to the first heap's check, which
	 * refuses and reports it as not from the heap. */
	if (rec != NULL)
		fwm_heap_free(rec->heap, block);
	else if (pool.nheaps > 0)
		fwm_heap_free(pool.heaps[0].heap, block);
	fwm_port_unlock(key);
}
