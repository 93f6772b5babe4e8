/* <zephyr/sys/multi_heap.h> for the fwmem target agent: one allocator over
 * several sys_heaps (different RAMs, cacheability, ...). A user choice
 * function picks the heap and allocates; frees and reallocs find the heap
 * by address. Not internally synchronised (like sys_heap).
 *
 * Time: alloc is the choice function's; free, get_heap O(heaps) (at most
 * MAX_MULTI_HEAPS) plus sys_heap's O(1); realloc O(heaps) plus the copy
 * when the block moves.
 */
#ifndef ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_
#define ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_

#include <stddef.h>
#include <stdint.h>
#include <zephyr/sys/sys_heap.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAX_MULTI_HEAPS 8

struct sys_multi_heap;

/* Picks a heap for cfg and allocates (align 0: no alignment) from it;
 * NULL fails the allocation. */
typedef void *(*sys_multi_heap_fn_t)(struct sys_multi_heap *mheap, void *cfg, size_t align,
				     size_t size);

struct sys_multi_heap_rec {
	struct sys_heap *heap;
	void *user_data;
};

struct sys_multi_heap {
	unsigned int nheaps;
	sys_multi_heap_fn_t choice;
	struct sys_multi_heap_rec heaps[MAX_MULTI_HEAPS];
};

void sys_multi_heap_init(struct sys_multi_heap *heap, sys_multi_heap_fn_t choice_fn);
/* Adds heap (already initialised); more than MAX_MULTI_HEAPS are ignored. */
void sys_multi_heap_add_heap(struct sys_multi_heap *mheap, struct sys_heap *heap, void *user_data);
void *sys_multi_heap_alloc(struct sys_multi_heap *mheap, void *cfg, size_t bytes);
void *sys_multi_heap_aligned_alloc(struct sys_multi_heap *mheap, void *cfg, size_t align,
				   size_t bytes);
/* The heap record whose memory holds addr, or NULL. */
const struct sys_multi_heap_rec *sys_multi_heap_get_heap(const struct sys_multi_heap *mheap,
							 void *addr);
/* NULL does nothing; a pointer in none of the heaps is ignored. */
void sys_multi_heap_free(struct sys_multi_heap *mheap, void *block);
/* Resizes in the block's own heap when it can; otherwise allocates through
 * the choice function (cfg), copies and frees. NULL on failure, the old
 * block kept. ptr NULL: aligned alloc; bytes 0: free, NULL. */
void *sys_multi_heap_aligned_realloc(struct sys_multi_heap *mheap, void *cfg, void *ptr,
				     size_t align, size_t bytes);
#define sys_multi_heap_realloc(mheap, cfg, ptr, bytes)                                      \
	sys_multi_heap_aligned_realloc(mheap, cfg, ptr, 0, bytes)

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_MULTI_HEAP_H_ */
