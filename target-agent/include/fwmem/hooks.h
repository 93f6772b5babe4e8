/* fwmem target agent: instrumentation hooks.
 *
 * Every allocator in the agent reports its allocations, frees, reallocs and
 * failed allocations through the four macros below. With CONFIG_FWM_HOOKS
 * undefined (the default) they compile to nothing: no call, no argument
 * evaluation. With CONFIG_FWM_HOOKS defined, the integrator (the telemetry
 * encoder, or a test) provides the four fwm_hook_* functions.
 *
 * Each event names the allocator by kind and by the address of its control
 * object (the struct sys_heap, k_heap, k_mem_slab, ...), the block, the
 * size and alignment asked for, and the address the API function returns
 * to in its caller. A hook runs inside the allocator, with the allocator's
 * lock held where it has one: it must not allocate from, or block on, the
 * same allocator.
 */
#ifndef FWMEM_HOOKS_H
#define FWMEM_HOOKS_H

#include <stddef.h>
#include "fwmem/compiler.h"

enum fwm_alloc_kind {
	FWM_KIND_SYS_HEAP = 1,
	FWM_KIND_K_HEAP = 2,
	FWM_KIND_K_MALLOC = 3,
	FWM_KIND_MEM_SLAB = 4,
	FWM_KIND_MEM_BLOCKS = 5,
	FWM_KIND_MULTI_HEAP = 6,
	FWM_KIND_SHARED_MULTI_HEAP = 7,
	FWM_KIND_FREERTOS = 8,
};

#ifdef CONFIG_FWM_HOOKS
void fwm_hook_alloc(enum fwm_alloc_kind kind, const void *obj, void *ptr,
		    size_t size, size_t align, void *caller);
void fwm_hook_free(enum fwm_alloc_kind kind, const void *obj, void *ptr,
		   void *caller);
void fwm_hook_realloc(enum fwm_alloc_kind kind, const void *obj, void *old_ptr,
		      void *new_ptr, size_t size, size_t align, void *caller);
void fwm_hook_fail(enum fwm_alloc_kind kind, const void *obj, size_t size,
		   size_t align, void *caller);
#define FWM_HOOK_ALLOC_AT(caller, kind, obj, ptr, size, align) \
	fwm_hook_alloc((kind), (obj), (ptr), (size), (align), (caller))
#define FWM_HOOK_FREE_AT(caller, kind, obj, ptr) \
	fwm_hook_free((kind), (obj), (ptr), (caller))
#define FWM_HOOK_REALLOC_AT(caller, kind, obj, old_ptr, new_ptr, size, align) \
	fwm_hook_realloc((kind), (obj), (old_ptr), (new_ptr), (size), (align), (caller))
#define FWM_HOOK_FAIL_AT(caller, kind, obj, size, align) \
	fwm_hook_fail((kind), (obj), (size), (align), (caller))
#else
#define FWM_HOOK_ALLOC_AT(caller, kind, obj, ptr, size, align) ((void)0)
#define FWM_HOOK_FREE_AT(caller, kind, obj, ptr) ((void)0)
#define FWM_HOOK_REALLOC_AT(caller, kind, obj, old_ptr, new_ptr, size, align) ((void)0)
#define FWM_HOOK_FAIL_AT(caller, kind, obj, size, align) ((void)0)
#endif
/* Reporting the current function's caller. A public function that is a
 * thin wrapper passes FWM_CALLER() down to the one that reports, with the
 * _AT forms, so that the event names the application's call site. */
#define FWM_HOOK_ALLOC(kind, obj, ptr, size, align) \
	FWM_HOOK_ALLOC_AT(FWM_CALLER(), kind, obj, ptr, size, align)
#define FWM_HOOK_FREE(kind, obj, ptr) FWM_HOOK_FREE_AT(FWM_CALLER(), kind, obj, ptr)
#define FWM_HOOK_REALLOC(kind, obj, old_ptr, new_ptr, size, align) \
	FWM_HOOK_REALLOC_AT(FWM_CALLER(), kind, obj, old_ptr, new_ptr, size, align)
#define FWM_HOOK_FAIL(kind, obj, size, align) FWM_HOOK_FAIL_AT(FWM_CALLER(), kind, obj, size, align)
/* A caller argument for the _AT forms; NULL (never evaluated) without hooks. */
#ifdef CONFIG_FWM_HOOKS
#define FWM_HOOK_CALLER() FWM_CALLER()
#else
#define FWM_HOOK_CALLER() NULL
#endif

#endif /* FWMEM_HOOKS_H */
