/* fwmem target agent: FreeRTOS heap block layout (private).
 *
 * A block is FreeRTOS's BlockLink_t followed by the caller's bytes:
 *
 *   +-----------+-----------------------+----------------------
 *   | next (32) | size (32, top bit:    | block ...  (8-aligned)
 *   |           |  allocated)           |
 *   +-----------+-----------------------+----------------------
 *
 * next is an offset from h->base (0: none), so the header is 8 bytes on a
 * 64-bit host too and a replay there fragments as on a 32-bit target. The
 * free list's head xStart is h->start, reached as offset 0; heap_2's
 * size-ordered list ends at the sentinel h->xend, offset 4 (real blocks
 * start 8-aligned, at offset 8 or more). size counts the header. An
 * allocated block has the top bit of size set and next 0, which is what
 * vPortFree checks. */
#ifndef FWMEM_RTOS_LAYOUT_H
#define FWMEM_RTOS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include "fwmem/compiler.h"
#include "fwmem/rtos_heap.h"

typedef uint32_t blkoff_t;   /* bytes from h->base to a block's header */

#define RT_HDR 8u                    /* xHeapStructSize */
#define RT_MIN_BLOCK (2u * RT_HDR)   /* heapMINIMUM_BLOCK_SIZE */
#define RT_ALIGN 8u                  /* portBYTE_ALIGNMENT */
#define RT_ALLOC_BIT 0x80000000u     /* top bit of a 32-bit size_t */
#define RT_START 0u
#define RT_XEND 4u

FWM_STATIC_ASSERT(sizeof(struct fwm_rtos_link) == RT_HDR, "BlockLink_t is 8 bytes");

FWM_ALWAYS_INLINE struct fwm_rtos_link *rt_blk(struct fwm_rtos_heap *h, blkoff_t b) { return b == RT_START ? &h->start : (struct fwm_rtos_link *)(void *)(h->base + b); }
FWM_ALWAYS_INLINE const struct fwm_rtos_link *rt_cblk(const struct fwm_rtos_heap *h, blkoff_t b) { return b == RT_START ? &h->start : (const struct fwm_rtos_link *)(void *)(h->base + b); }
/* A block in the heap (not xStart): no branch, for the list walks. */
FWM_ALWAYS_INLINE struct fwm_rtos_link *rt_at(struct fwm_rtos_heap *h, blkoff_t b) { return (struct fwm_rtos_link *)(void *)(h->base + b); }
/* heap_2 also has its end sentinel off the heap. */
FWM_ALWAYS_INLINE struct fwm_rtos_link *rt_blk2(struct fwm_rtos_heap *h, blkoff_t b) { return b == RT_XEND ? &h->xend : rt_blk(h, b); }
FWM_ALWAYS_INLINE void *rt_mem(const struct fwm_rtos_heap *h, blkoff_t b) { return (void *)(h->base + b + RT_HDR); }
FWM_ALWAYS_INLINE blkoff_t rt_of_mem(const struct fwm_rtos_heap *h, const void *p) { return (blkoff_t)((uintptr_t)p - h->base - RT_HDR); }
FWM_ALWAYS_INLINE uint32_t rt_size(uint32_t size_field) { return size_field & ~RT_ALLOC_BIT; }
FWM_ALWAYS_INLINE bool rt_allocated(uint32_t size_field) { return (size_field & RT_ALLOC_BIT) != 0; }

/* Header plus bytes, rounded up to the alignment; 0 if that overflows the
 * 31-bit size (FreeRTOS's check that the allocated bit is clear). */
FWM_ALWAYS_INLINE uint32_t rt_wanted(size_t bytes) { return bytes == 0 || bytes > RT_ALLOC_BIT - RT_HDR - RT_ALIGN ? 0 : (uint32_t)((bytes + RT_HDR + RT_ALIGN - 1) & ~(size_t)(RT_ALIGN - 1)); }

/* Is p the block of a live allocation whose header lies in [lo, hi)? */
FWM_ALWAYS_INLINE bool rt_live(const struct fwm_rtos_heap *h, const void *p, uintptr_t lo, uintptr_t hi) { uintptr_t a = (uintptr_t)p - RT_HDR; return a >= lo && a < hi && (a - h->base) % RT_ALIGN == 0 && rt_allocated(((const struct fwm_rtos_link *)(const void *)a)->size) && ((const struct fwm_rtos_link *)(const void *)a)->next == 0; }

FWM_ALWAYS_INLINE void rt_count_alloc(struct fwm_rtos_heap *h, uint32_t size) { h->free_bytes -= size; if (h->free_bytes < h->min_ever_free_bytes) h->min_ever_free_bytes = h->free_bytes; h->allocs++; }

#endif /* FWMEM_RTOS_LAYOUT_H */
