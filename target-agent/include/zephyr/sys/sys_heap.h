/* <zephyr/sys/sys_heap.h> for the fwmem target agent.
 *
 * A chunk heap with the API and behaviour of Zephyr's sys_heap: memory is
 * cut into chunks of 8-byte units; free chunks sit on power-of-two bucketed
 * free lists and are merged with both neighbours as soon as they are freed.
 *
 * Costs (n = units in the heap):
 *   per chunk  4 bytes of header for heaps of up to 32767 units (256 KiB),
 *              8 bytes above; the control block (struct sys_heap) lives
 *              outside the heap memory, so every byte given to
 *              sys_heap_init except alignment padding (< 8 bytes) and a
 *              4- or 8-byte end marker is available to chunks.
 *   alignment  every block is 8-byte aligned.
 *   time       alloc and free are O(1) in the worst case: alloc takes the
 *              best fit among at most CONFIG_SYS_HEAP_ALLOC_LOOPS chunks of
 *              the request's own bucket (CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST
 *              when no larger bucket has a chunk), else the first chunk of
 *              the smallest larger bucket, found through a bitmap; free
 *              merges with at most two neighbours. Aligned alloc is O(1) too
 *              (those few chunks, then one look per larger bucket).
 *
 * Not internally synchronised: no two calls may run on one heap at once
 * (k_heap adds the lock). Memory handed out is NOT zeroed. The caller owns
 * the memory given to sys_heap_init for as long as the heap lives and may
 * not touch it; blocks belong to the caller from alloc until free.
 *
 * On every free and realloc, O(1) checks refuse (and report through
 * fwm_heap_set_report in <fwmem/heap.h>) a pointer from elsewhere, a double
 * free and an overwritten chunk header. Extras beyond Zephyr's API (largest
 * free block, histogram, counters, chunk walk) are in <fwmem/heap.h>.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_
#define ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <zephyr/sys/mem_stats.h>
#include "fwmem/heap.h"
#include "fwmem/errno.h"

#ifdef __cplusplus
extern "C" {
#endif

/* init_mem/init_bytes carry a static definition's arguments until the
 * first use initialises it (k_heap does this lazily); fwm is the heap. */
struct sys_heap {
	struct fwm_heap fwm;
	void *init_mem;
	size_t init_bytes;
};

struct z_heap_stress_result {
	uint32_t total_allocs;
	uint32_t successful_allocs;
	uint32_t total_frees;
	uint64_t accumulated_in_use_bytes;
};

/* Makes heap manage the bytes at mem. O(1). Memory too small to hold one
 * chunk (or NULL) gives a heap on which every allocation fails. The heap
 * uses at most 2^31 - 1 units (16 GiB); memory beyond is left alone. */
void sys_heap_init(struct sys_heap *heap, void *mem, size_t bytes);

/* A block of at least bytes bytes, 8-byte aligned, or NULL when bytes is 0
 * or nothing fits. O(1). Not zeroed. */
void *sys_heap_alloc(struct sys_heap *heap, size_t bytes);

/* As sys_heap_alloc, with the block's address a multiple of align. align
 * must be 0 (meaning 8) or a power of two; anything else returns NULL.
 * O(1): at most CONFIG_SYS_HEAP_ALLOC_LOOPS chunks of the best bucket
 * and one chunk per larger bucket are looked at. */
void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes);

/* Returns mem to the heap and merges it with free neighbours. NULL does
 * nothing. O(1). A pointer that is not a live block of this heap is
 * refused, counted and reported, and the heap is left unchanged. */
void sys_heap_free(struct sys_heap *heap, void *mem);

/* Resizes the block at ptr, keeping its contents up to the smaller size
 * and its alignment (align as in sys_heap_aligned_alloc; 0 keeps 8).
 * Shrinking is done in place, and so is growing when the right neighbour
 * is free and large enough (no copy). Otherwise a new block is allocated,
 * the contents copied and the old block freed; if that fails NULL is
 * returned and the old block is left untouched. ptr NULL behaves as
 * sys_heap_aligned_alloc; bytes 0 frees ptr and returns NULL.
 * O(1) plus the copy when the block moves. */
void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align,
			       size_t bytes);

/* sys_heap_aligned_realloc with the default alignment. */
void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes);

/* As sys_heap_alloc (every block is already 8-byte aligned). */
void *sys_heap_noalign_alloc(struct sys_heap *heap, size_t align, size_t bytes);

/* Bytes usable at mem (at least what was asked for). 0 for NULL or a
 * pointer outside the heap. O(1). */
size_t sys_heap_usable_size(struct sys_heap *heap, void *mem);

/* Full invariant walk: chunk chain, neighbours' sizes, no two free chunks
 * adjacent, every free chunk on the list of its bucket and nowhere else,
 * list links, bucket bitmap and the allocated-bytes statistic. Read-only.
 * O(n). True if the heap is consistent. */
bool sys_heap_validate(struct sys_heap *heap);

/* Copies the heap's statistics (bytes, headers included). O(1).
 * -EINVAL if heap or stats is NULL, otherwise 0. */
int sys_heap_runtime_stats_get(struct sys_heap *heap, struct sys_memory_stats *stats);

/* Sets max_allocated_bytes to allocated_bytes. O(1). -EINVAL for NULL. */
int sys_heap_runtime_stats_reset_max(struct sys_heap *heap);

/* Zephyr's stress rig: op_count random allocs and frees keeping the heap
 * near target_percent full (see ../shared/traces/README.md). The random
 * sequence restarts from seed 123456789 on every call. scratch_mem holds
 * the live block list (16 bytes a block on 64-bit hosts, 8 on 32-bit).
 * O(op_count) plus the callbacks. */
void sys_heap_stress(void *(*alloc_fn)(void *arg, size_t bytes),
		     void (*free_fn)(void *arg, void *p),
		     void *arg, size_t total_bytes,
		     uint32_t op_count,
		     void *scratch_mem, size_t scratch_bytes,
		     int target_percent,
		     struct z_heap_stress_result *result);

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_SYS_HEAP_H_ */
