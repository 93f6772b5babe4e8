/* fwmem target agent: observing newlib's malloc family, which the agent
 * does not own, through GNU ld's symbol wrapping. Link the firmware with
 *
 *   -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc
 *
 * and every call the application makes to malloc goes to __wrap_malloc
 * below, which calls newlib's own (__real_malloc) and reports the result
 * through the instrumentation hooks (<fwmem/hooks.h>; build this file with
 * CONFIG_FWM_HOOKS, or it only passes the calls on). The events name the
 * application's call site, and the allocator as kind FWM_HK_LIBC of
 * <fwmem/proto.h> with the object fwm_newlib_heap (the host names it by
 * that symbol).
 *
 * Each call and its report run under newlib's own malloc lock (recursive:
 * __malloc_lock/__malloc_unlock, no-ops unless the RTOS provides them), so
 * a block freed by one thread and reused by another is reported in the
 * order it happened. Calls newlib makes internally (its stdio buffers)
 * are not wrapped and not seen: --wrap only redirects references from
 * other objects.
 *
 * Not for the host library (glibc has no __malloc_lock); nothing
 * references these functions unless the link wraps malloc.
 */
#include <stddef.h>
#include <stdint.h>
#include "fwmem/compiler.h"
#include "fwmem/hooks.h"
#include "fwmem/proto.h"

struct _reent;
extern struct _reent *_impure_ptr;
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);

void *__real_malloc(size_t size);
void __real_free(void *ptr);
void *__real_realloc(void *ptr, size_t size);
void *__real_calloc(size_t nmemb, size_t size);

void *__wrap_malloc(size_t size);
void __wrap_free(void *ptr);
void *__wrap_realloc(void *ptr, size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);

/* The allocator the events name: newlib's heap. */
const char fwm_newlib_heap = 0;

#define LIBC ((enum fwm_alloc_kind)FWM_HK_LIBC)

void *__wrap_malloc(size_t size)
{
	void *caller = FWM_HOOK_CALLER();
	void *p;

	FWM_UNUSED(caller);
	__malloc_lock(_impure_ptr);
	p = __real_malloc(size);
	if (p != NULL)
		FWM_HOOK_ALLOC_AT(caller, LIBC, &fwm_newlib_heap, p, size, 0);
	else
		FWM_HOOK_FAIL_AT(caller, LIBC, &fwm_newlib_heap, size, 0);
	__malloc_unlock(_impure_ptr);
	return p;
}

void __wrap_free(void *ptr)
{
	void *caller = FWM_HOOK_CALLER();

	FWM_UNUSED(caller);
	if (ptr == NULL)
		return;
	__malloc_lock(_impure_ptr);
	FWM_HOOK_FREE_AT(caller, LIBC, &fwm_newlib_heap, ptr);
	__real_free(ptr);
	__malloc_unlock(_impure_ptr);
}

/* realloc(NULL, n) is reported as an alloc; realloc(p, 0), which frees p
 * in newlib, as a realloc to size 0; a failed realloc as a failure (the
 * block is kept). */
void *__wrap_realloc(void *ptr, size_t size)
{
	void *caller = FWM_HOOK_CALLER();
	void *p;

	FWM_UNUSED(caller);
	__malloc_lock(_impure_ptr);
	p = __real_realloc(ptr, size);
	if (ptr == NULL && p != NULL)
		FWM_HOOK_ALLOC_AT(caller, LIBC, &fwm_newlib_heap, p, size, 0);
	else if (p != NULL || (ptr != NULL && size == 0))
		FWM_HOOK_REALLOC_AT(caller, LIBC, &fwm_newlib_heap, ptr, p, size, 0);
	else
		FWM_HOOK_FAIL_AT(caller, LIBC, &fwm_newlib_heap, size, 0);
	__malloc_unlock(_impure_ptr);
	return p;
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
	void *caller = FWM_HOOK_CALLER();
	size_t bytes;
	void *p;

	FWM_UNUSED(caller);
	if (fwm_mul_overflow(nmemb, size, &bytes))
		bytes = SIZE_MAX;
	__malloc_lock(_impure_ptr);
	p = __real_calloc(nmemb, size);
	if (p != NULL)
		FWM_HOOK_ALLOC_AT(caller, LIBC, &fwm_newlib_heap, p, bytes, 0);
	else
		FWM_HOOK_FAIL_AT(caller, LIBC, &fwm_newlib_heap, bytes, 0);
	__malloc_unlock(_impure_ptr);
	return p;
}
