/* fwmem target agent: FreeRTOS heap schemes as objects.
 *
 * FreeRTOS's heap_1, heap_2, heap_4 and heap_5 keep one heap in globals;
 * here each is a struct, so the host library can replay one trace through
 * several schemes in one process (memstat replay, bench/alloc_bench). The
 * FreeRTOS API (<portable.h>: pvPortMalloc ...) is a thin layer over one
 * static instance, in target-agent/src/freertos/heap_N.c.
 *
 * Each scheme keeps FreeRTOS's behaviour, so that replays show FreeRTOS's
 * fragmentation: 8-byte BlockLink_t headers (on every host: the links are
 * 32-bit offsets), 8-byte alignment, blocks rounded up to 8, a block split
 * only when more than 16 bytes would be left, and
 *   heap_1  bump allocation; free does nothing.
 *   heap_2  best fit from a list sorted by size; freed blocks are never
 *           merged.
 *   heap_4  first fit from a list in address order; freed blocks merge
 *           with free neighbours.
 *   heap_5  heap_4 over several regions (vPortDefineHeapRegions).
 * Sizes are limited to 2^31 - 1 (FreeRTOS's allocated bit is the top bit
 * of a 32-bit target's size_t). Not synchronised: the API layer locks.
 *
 * Time: heap_1 O(1); heap_2 alloc and free O(free blocks); heap_4/5 alloc
 * and free O(free blocks) (first fit; address-ordered insertion).
 */
#ifndef FWMEM_RTOS_HEAP_H
#define FWMEM_RTOS_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* A memory region: FreeRTOS's HeapRegion_t. Arrays end with { NULL, 0 }. */
struct fwm_rtos_region {
	void *start;
	size_t bytes;
};

/* FreeRTOS's BlockLink_t with 32-bit fields: next is an offset from the
 * heap's base (0: none), size has the allocated bit on top. */
struct fwm_rtos_link {
	uint32_t next;
	uint32_t size;
};

struct fwm_rtos_heap {
	struct fwm_rtos_link start;  /* xStart: head of the free list (offset 0) */
	struct fwm_rtos_link xend;   /* heap_2's xEnd sentinel (offset 4) */
	uintptr_t base;              /* offsets count from here */
	uint32_t end;                /* heap_4/5: offset of the final pxEnd */
	int scheme;                  /* 1, 2, 4 or 5; 0 before init */
	size_t total_bytes;          /* free bytes after init (constant) */
	size_t free_bytes;           /* rises and falls */
	size_t min_ever_free_bytes;  /* never rises, except on a reset */
	size_t allocs, frees;        /* successful calls; never decrease */
	size_t faults;               /* frees refused: not a live block */
	size_t next_free_byte;       /* heap_1 */
};

struct fwm_rtos_stats {
	size_t total_bytes;
	size_t free_bytes;           /* xAvailableHeapSpaceInBytes */
	size_t largest_free_bytes;   /* 0 when nothing is free */
	size_t smallest_free_bytes;  /* 0 when nothing is free */
	size_t free_blocks;
	size_t min_ever_free_bytes;
	size_t allocs, frees;
};

/* Sets h up as FreeRTOS scheme `scheme` over regions (ascending addresses,
 * ended by { NULL, 0 }; heap_1, heap_2 and heap_4 use the first only).
 * The caller owns the regions' memory for the heap's life. Returns 0, or
 * -FWM_EINVAL for an unknown scheme, no usable region, regions out of
 * order, or a span beyond 4 GiB. O(regions). */
int fwm_rtos_init(struct fwm_rtos_heap *h, int scheme, const struct fwm_rtos_region *regions);

/* pvPortMalloc / vPortFree / pvPortRealloc of the scheme. NULL on failure
 * (0 bytes included); freeing NULL does nothing; a pointer that is not a
 * live block is refused and counted in faults. Memory is not zeroed. */
void *fwm_rtos_malloc(struct fwm_rtos_heap *h, size_t bytes);
void fwm_rtos_free(struct fwm_rtos_heap *h, void *p);
/* ptr NULL: malloc; bytes 0: free, NULL. heap_4/5 shrink in place and grow
 * into a free right neighbour; otherwise a new block, a copy and a free
 * (heap_1 cannot free the old block). NULL on failure, the old block kept. */
void *fwm_rtos_realloc(struct fwm_rtos_heap *h, void *ptr, size_t bytes);
/* Bytes usable in a live block. 0 for NULL. O(1). */
size_t fwm_rtos_usable_size(const struct fwm_rtos_heap *h, const void *p);

/* vPortGetHeapStats, correct on a full heap (no free block: all zero) and
 * on heap_5 (regions' end markers are not free blocks). O(free blocks). */
void fwm_rtos_stats_get(const struct fwm_rtos_heap *h, struct fwm_rtos_stats *st);

/* The first broken invariant of the free list, as text, or NULL.
 * O(free blocks). Read-only. */
const char *fwm_rtos_check(const struct fwm_rtos_heap *h);

/* The scheme functions the above dispatch to (a firmware that uses one
 * scheme links only its own). */
int fwm_rtos1_init(struct fwm_rtos_heap *h, void *start, size_t bytes);
void *fwm_rtos1_malloc(struct fwm_rtos_heap *h, size_t bytes);
int fwm_rtos2_init(struct fwm_rtos_heap *h, void *start, size_t bytes);
void *fwm_rtos2_malloc(struct fwm_rtos_heap *h, size_t bytes);
void fwm_rtos2_free(struct fwm_rtos_heap *h, void *p);
int fwm_rtos5_init(struct fwm_rtos_heap *h, const struct fwm_rtos_region *regions, int scheme);
void *fwm_rtos4_malloc(struct fwm_rtos_heap *h, size_t bytes);
void fwm_rtos4_free(struct fwm_rtos_heap *h, void *p);
void *fwm_rtos4_realloc(struct fwm_rtos_heap *h, void *ptr, size_t bytes);
void fwm_rtos4_stats_get(const struct fwm_rtos_heap *h, struct fwm_rtos_stats *st);
void fwm_rtos2_stats_get(const struct fwm_rtos_heap *h, struct fwm_rtos_stats *st);

#endif /* FWMEM_RTOS_HEAP_H */
