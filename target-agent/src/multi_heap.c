/* fwmem target agent: sys_multi_heap (see <zephyr/sys/multi_heap.h>). */
#include <zephyr/sys/multi_heap.h>
#include "fwmem/hooks.h"
#include "fwmem/mem.h"

void sys_multi_heap_init(struct sys_multi_heap *heap, sys_multi_heap_fn_t choice_fn)
{
	*heap = (struct sys_multi_heap){ .nheaps = 0, .choice = choice_fn };
}

void sys_multi_heap_add_heap(struct sys_multi_heap *mheap, struct sys_heap *heap, void *user_data)
{
	if (mheap->nheaps < MAX_MULTI_HEAPS)
		mheap->heaps[mheap->nheaps++] = (struct sys_multi_heap_rec){ heap, user_data };
}

static void *aligned_alloc_at(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t bytes,
			      void *caller)
{
	void *mem = mheap->choice != NULL ? mheap->choice(mheap, cfg, align, bytes) : NULL;

	FWM_UNUSED(caller);
	if (mem != NULL)
		FWM_HOOK_ALLOC_AT(caller, FWM_KIND_MULTI_HEAP, mheap, mem, bytes, align);
	else
		FWM_HOOK_FAIL_AT(caller, FWM_KIND_MULTI_HEAP, mheap, bytes, align);
	return mem;
}

void *sys_multi_heap_aligned_alloc(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t bytes)
{
	return aligned_alloc_at(mheap, cfg, align, bytes, FWM_HOOK_CALLER());
}

void *sys_multi_heap_alloc(struct sys_multi_heap *mheap, void *cfg, size_t bytes)
{
	return aligned_alloc_at(mheap, cfg, 0, bytes, FWM_HOOK_CALLER());
}

const struct sys_multi_heap_rec *sys_multi_heap_get_heap(const struct sys_multi_heap *mheap, void *addr)
{
	for (unsigned i = 0; i < mheap->nheaps; i++)
		if (fwm_heap_contains(mheap->heaps[i].heap, addr))
			return &mheap->heaps[i];
	return NULL;
}

void sys_multi_heap_free(struct sys_multi_heap *mheap, void *block)
{
	if (block == NULL)
		return;
	const struct sys_multi_heap_rec *rec = sys_multi_heap_get_heap(mheap, block);

	if (rec == NULL) {
		FWM_HOOK_FAIL(FWM_KIND_MULTI_HEAP, mheap, 0, 0);
		return;
	}
	FWM_HOOK_FREE(FWM_KIND_MULTI_HEAP, mheap, block);
	fwm_heap_free(rec->heap, block);
}

void *sys_multi_heap_aligned_realloc(struct sys_multi_heap *mheap, void *cfg, void *ptr,
				     size_t align, size_t bytes)
{
	if (ptr == NULL)
		return aligned_alloc_at(mheap, cfg, align, bytes, FWM_HOOK_CALLER());
	if (bytes == 0) {
		sys_multi_heap_free(mheap, ptr);
		return NULL;
	}
	const struct sys_multi_heap_rec *rec = sys_multi_heap_get_heap(mheap, ptr);

	if (rec == NULL)
		return NULL;
	void *mem = fwm_heap_aligned_realloc(rec->heap, ptr, align, bytes);

	if (mem == NULL && (align & (align - 1)) == 0) {
		/* Not in its own heap: wherever the choice function says. */
		size_t old = sys_heap_usable_size(rec->heap, ptr);

		mem = mheap->choice != NULL ? mheap->choice(mheap, cfg, align, bytes) : NULL;
		if (mem != NULL) {
			memcpy(mem, ptr, old < bytes ? old : bytes);
			fwm_heap_free(rec->heap, ptr);
		}
	}
	if (mem != NULL)
		FWM_HOOK_REALLOC(FWM_KIND_MULTI_HEAP, mheap, ptr, mem, bytes, align);
	else
		FWM_HOOK_FAIL(FWM_KIND_MULTI_HEAP, mheap, bytes, align);
	return mem;
}
