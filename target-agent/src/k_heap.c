/* fwmem target agent: k_heap, a sys_heap behind the agent lock, with
 * waiting through the port. A free hands memory to waiters directly: each
 * queued request, oldest first, is tried against the heap and, if it now
 * fits, is allocated on the waiter's behalf and that thread alone woken. */
#include <zephyr/kernel.h>
#include "fwmem/hooks.h"
#include "fwmem/mem.h"
#include "k_heap_internal.h"

/* Statically defined heaps initialise on first use (lock held). */
static void ready(struct k_heap *h)
{
	if (h->heap.fwm.base == NULL && h->heap.init_mem != NULL)
		sys_heap_init(&h->heap, h->heap.init_mem, h->heap.init_bytes);
}

/* Could (bytes, align) ever be allocated from h? */
static bool possible(const struct k_heap *h, size_t align, size_t bytes)
{
	return bytes != 0 && (align & (align - 1)) == 0 &&
	       bytes < h->heap.fwm.end * (size_t)8 && align < h->heap.fwm.end * (size_t)8;
}

/* Gives freed memory to the waiters it can satisfy (lock held). A request
 * that does not fit yet is not a caller's failure: it is not counted. */
static void hand_off(struct k_heap *h)
{
	struct fwm_waiter *w = h->wait_q.head;

	while (w != NULL) {
		struct fwm_waiter *next = w->next;
		void *mem = fwm_heap_aligned_alloc(&h->heap, w->align, w->bytes);

		if (mem != NULL)
			fwm_waitq_finish(&h->wait_q, w, mem);
		else
			h->heap.fwm.failures--;
		w = next;
	}
}

void k_heap_init(struct k_heap *h, void *mem, size_t bytes)
{
	fwm_port_key_t key = fwm_port_lock();

	sys_heap_init(&h->heap, mem, bytes);
	h->wait_q = (struct fwm_wait_q){ NULL, NULL };
	fwm_port_unlock(key);
}

/* Allocates, or waits for memory (lock held). */
static void *alloc_locked(struct k_heap *h, fwm_port_key_t *key, size_t align, size_t bytes,
			  k_timeout_t timeout)
{
	void *mem;

	ready(h);
	mem = fwm_heap_aligned_alloc(&h->heap, align, bytes);
	if (mem == NULL && !K_TIMEOUT_EQ(timeout, K_NO_WAIT) && possible(h, align, bytes)) {
		h->heap.fwm.failures--;            /* counted when the wait fails */
		mem = fwm_waitq_block(&h->wait_q, key, bytes, align, timeout);
		if (mem == NULL)
			h->heap.fwm.failures++;
	}
	return mem;
}

void *fwm_k_heap_alloc(struct k_heap *h, size_t align, size_t bytes, k_timeout_t timeout)
{
	fwm_port_key_t key = fwm_port_lock();
	void *mem = alloc_locked(h, &key, align, bytes, timeout);

	fwm_port_unlock(key);
	return mem;
}

void fwm_k_heap_free(struct k_heap *h, void *mem)
{
	if (mem == NULL)
		return;
	fwm_port_key_t key = fwm_port_lock();

	ready(h);
	fwm_heap_free(&h->heap, mem);
	if (h->wait_q.head != NULL)
		hand_off(h);
	fwm_port_unlock(key);
}

void *fwm_k_heap_realloc(struct k_heap *h, void *ptr, size_t bytes, k_timeout_t timeout)
{
	if (ptr == NULL)
		return fwm_k_heap_alloc(h, 0, bytes, timeout);
	if (bytes == 0) {
		fwm_k_heap_free(h, ptr);
		return NULL;
	}
	fwm_port_key_t key = fwm_port_lock();

	ready(h);
	uint32_t faults = h->heap.fwm.faults;
	size_t before = fwm_heap_contains(&h->heap, ptr) ? sys_heap_usable_size(&h->heap, ptr) : 0;
	void *mem = fwm_heap_aligned_realloc(&h->heap, ptr, 0, bytes);

	if (mem == NULL && h->heap.fwm.faults == faults && !K_TIMEOUT_EQ(timeout, K_NO_WAIT) &&
	    possible(h, 0, bytes)) {
		/* Wait for a new block, then move into it. */
		h->heap.fwm.failures--;
		mem = fwm_waitq_block(&h->wait_q, &key, bytes, 0, timeout);
		if (mem != NULL) {
			memcpy(mem, ptr, before < bytes ? before : bytes);
			fwm_heap_free(&h->heap, ptr);
			h->heap.fwm.allocs--;          /* the hand-off counted one */
			h->heap.fwm.frees--;
			h->heap.fwm.reallocs++;
		} else {
			h->heap.fwm.failures++;
		}
	}
	/* A block that shrank or moved left memory behind. */
	if (mem != NULL && h->wait_q.head != NULL && (mem != ptr || bytes < before))
		hand_off(h);
	fwm_port_unlock(key);
	return mem;
}

/* ---- the Zephyr API: the above plus the hooks ------------------------------ */

static void *aligned_alloc_at(struct k_heap *h, size_t align, size_t bytes, k_timeout_t timeout,
			      void *caller)
{
	void *mem = fwm_k_heap_alloc(h, align, bytes, timeout);

	FWM_UNUSED(caller);
	if (mem != NULL)
		FWM_HOOK_ALLOC_AT(caller, FWM_KIND_K_HEAP, h, mem, bytes, align);
	else
		FWM_HOOK_FAIL_AT(caller, FWM_KIND_K_HEAP, h, bytes, align);
	return mem;
}

void *k_heap_aligned_alloc(struct k_heap *h, size_t align, size_t bytes, k_timeout_t timeout)
{
	return aligned_alloc_at(h, align, bytes, timeout, FWM_HOOK_CALLER());
}

void *k_heap_alloc(struct k_heap *h, size_t bytes, k_timeout_t timeout)
{
	return aligned_alloc_at(h, 0, bytes, timeout, FWM_HOOK_CALLER());
}

void *k_heap_calloc(struct k_heap *h, size_t num, size_t size, k_timeout_t timeout)
{
	size_t bytes;

	if (fwm_mul_overflow(num, size, &bytes)) {
		FWM_HOOK_FAIL(FWM_KIND_K_HEAP, h, SIZE_MAX, 0);
		return NULL;
	}
	void *mem = aligned_alloc_at(h, 0, bytes, timeout, FWM_HOOK_CALLER());

	if (mem != NULL)
		memset(mem, 0, bytes);
	return mem;
}

void k_heap_free(struct k_heap *h, void *mem)
{
	if (mem != NULL)
		FWM_HOOK_FREE(FWM_KIND_K_HEAP, h, mem);
	fwm_k_heap_free(h, mem);
}

void *k_heap_realloc(struct k_heap *h, void *ptr, size_t bytes, k_timeout_t timeout)
{
	void *mem = fwm_k_heap_realloc(h, ptr, bytes, timeout);

	if (mem != NULL || bytes == 0)
		FWM_HOOK_REALLOC(FWM_KIND_K_HEAP, h, ptr, mem, bytes, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_K_HEAP, h, bytes, 0);
	return mem;
}
