/* <zephyr/kernel.h> for the fwmem target agent: the kernel's memory APIs
 * (k_heap, the system heap behind k_malloc, memory slabs) with Zephyr's
 * names and behaviour, over the agent's allocator core.
 *
 * Locking and blocking go through the port (<fwmem/port.h>): one lock for
 * every object, and a thread that waits for memory is woken only by a free
 * that can satisfy it; the memory is handed to it under the lock, so it
 * cannot be taken by someone else between the wake and the return.
 *
 * Statically defined objects (K_HEAP_DEFINE, K_MEM_SLAB_DEFINE) need no
 * init call: they initialise themselves on first use.
 */
#ifndef ZEPHYR_INCLUDE_KERNEL_H_
#define ZEPHYR_INCLUDE_KERNEL_H_

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <zephyr/sys_clock.h>
#include <zephyr/sys/sys_heap.h>
#include "fwmem/errno.h"
#include "fwmem/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- k_heap ---------------------------------------------------------------- */

struct k_heap {
	struct sys_heap heap;
	struct fwm_wait_q wait_q;    /* threads waiting for memory, FIFO */
};

/* A heap of `bytes` bytes in a statically allocated buffer kheap_<name>. */
#define K_HEAP_DEFINE(name, bytes)                                                 \
	char __attribute__((aligned(8))) kheap_##name[(bytes)];                    \
	struct k_heap name = { .heap = { .init_mem = kheap_##name, .init_bytes = (bytes) } }
/* Caches do not exist on the host and are not the agent's business. */
#define K_HEAP_DEFINE_NOCACHE(name, bytes) K_HEAP_DEFINE(name, bytes)

/* Makes h manage the bytes at mem (as sys_heap_init). O(1). */
void k_heap_init(struct k_heap *h, void *mem, size_t bytes);

/* A block of at least bytes bytes, address a multiple of align (a power of
 * two, or 0 for 8), or NULL. When none is free it waits up to timeout for
 * a k_heap_free that can satisfy it (K_NO_WAIT: does not wait; never wait
 * in an interrupt). Requests that can never be met (0 bytes, larger than
 * the heap, a bad alignment) return NULL at once. Not zeroed.
 * O(1) plus the wait. */
void *k_heap_aligned_alloc(struct k_heap *h, size_t align, size_t bytes, k_timeout_t timeout);

/* k_heap_aligned_alloc with the default alignment (8). */
void *k_heap_alloc(struct k_heap *h, size_t bytes, k_timeout_t timeout);

/* num * size bytes, zeroed; NULL if the product overflows. O(num * size)
 * for the zeroing. */
void *k_heap_calloc(struct k_heap *h, size_t num, size_t size, k_timeout_t timeout);

/* Resizes ptr as sys_heap_realloc (in place when it can); when a new block
 * is needed and none is free, waits up to timeout for one. NULL on failure,
 * the old block untouched. ptr NULL: k_heap_alloc; bytes 0: frees ptr and
 * returns NULL. */
void *k_heap_realloc(struct k_heap *h, void *ptr, size_t bytes, k_timeout_t timeout);

/* Returns mem to h and hands the memory now free to the waiters it can
 * satisfy, oldest first; the others keep waiting. NULL does nothing. A
 * pointer that is not a live block of h is refused and reported (see
 * <fwmem/heap.h>). O(1) plus O(1) per waiter. */
void k_heap_free(struct k_heap *h, void *mem);

/* ---- system heap ------------------------------------------------------------- */

/* The heap behind k_malloc: CONFIG_HEAP_MEM_POOL_SIZE bytes, 16384 unless
 * defined when the agent is built (0: no system heap; k_malloc fails).
 * Blocks carry no heap pointer (k_free finds the heap by address), so each
 * costs the 4-byte chunk header only, and is 8-byte aligned. None of these
 * wait. */
extern struct k_heap _system_heap;

void *k_malloc(size_t size);
/* align: a power of two (0 means 8); otherwise NULL. */
void *k_aligned_alloc(size_t align, size_t size);
/* nmemb * size bytes, zeroed; NULL if the product overflows. */
void *k_calloc(size_t nmemb, size_t size);
/* As sys_heap_realloc on the system heap (NULL: k_malloc, 0: k_free). */
void *k_realloc(void *ptr, size_t size);
/* NULL does nothing; a pointer not from k_malloc is refused and reported. */
void k_free(void *ptr);

/* ---- memory slabs ------------------------------------------------------------- */

/* Fixed-size blocks from one buffer: O(1) alloc and free, no per-block
 * overhead (a free block holds the free list's link). Blocks are handed out
 * from a free list, and from the never-used end of the buffer while there
 * is one, so a slab needs no set-up pass: K_MEM_SLAB_DEFINE'd slabs work
 * without k_mem_slab_init. */
struct k_mem_slab_info {
	uint32_t num_blocks;
	size_t block_size;
	uint32_t num_used;   /* rises and falls */
	uint32_t max_used;   /* peak; falls only on a reset */
};

struct k_mem_slab {
	struct fwm_wait_q wait_q;
	char *buffer;
	char *free_list;     /* freed blocks, linked through their first word */
	uint32_t carved;     /* blocks ever handed out from the buffer's start */
	struct k_mem_slab_info info;
};

#define Z_FWM_WB_UP(x) (((x) + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *))

#define Z_MEM_SLAB_INITIALIZER(_slab, _buf, _block_size, _num_blocks)                   \
	{ .buffer = (_buf), .info = { .num_blocks = (_num_blocks), .block_size = (_block_size) } }

/* num_blocks blocks of block_size bytes (rounded up to a word), aligned to
 * align (a power of two), in the buffer _k_mem_slab_buf_<name>. */
#define K_MEM_SLAB_DEFINE(name, block_size, num_blocks, align)                            \
	char __attribute__((aligned(align > sizeof(void *) ? align : sizeof(void *))))    \
		_k_mem_slab_buf_##name[(num_blocks) * Z_FWM_WB_UP(block_size)];            \
	struct k_mem_slab name = Z_MEM_SLAB_INITIALIZER(name, _k_mem_slab_buf_##name,     \
							Z_FWM_WB_UP(block_size), num_blocks)
#define K_MEM_SLAB_DEFINE_STATIC(name, block_size, num_blocks, align)                     \
	static char __attribute__((aligned(align > sizeof(void *) ? align : sizeof(void *)))) \
		_k_mem_slab_buf_##name[(num_blocks) * Z_FWM_WB_UP(block_size)];            \
	static struct k_mem_slab name = Z_MEM_SLAB_INITIALIZER(name, _k_mem_slab_buf_##name, \
							       Z_FWM_WB_UP(block_size), num_blocks)

/* Makes slab hand out num_blocks blocks of block_size bytes from buffer.
 * block_size must be a non-zero multiple of the word size and buffer
 * word-aligned: -EINVAL otherwise. The caller owns buffer for the slab's
 * life. O(1). */
int k_mem_slab_init(struct k_mem_slab *slab, void *buffer, size_t block_size, uint32_t num_blocks);

/* *mem = a free block. 0; -ENOMEM when none is free and timeout is
 * K_NO_WAIT; -EAGAIN when none was freed within timeout; -EINVAL for a
 * NULL argument. *mem is NULL on failure. O(1) plus the wait. */
int k_mem_slab_alloc(struct k_mem_slab *slab, void **mem, k_timeout_t timeout);

/* Returns mem to slab; the oldest waiter, if any, gets it. Ignored (and
 * reported to the hooks as a failure): a pointer that is not a block of
 * slab, a free when no block is in use, and a second free of the block
 * freed last. Other double frees cannot be seen without per-block
 * overhead. O(1). */
void k_mem_slab_free(struct k_mem_slab *slab, void *mem);

static inline uint32_t k_mem_slab_num_used_get(struct k_mem_slab *slab)
{
	return slab->info.num_used;
}

static inline uint32_t k_mem_slab_num_free_get(struct k_mem_slab *slab)
{
	return slab->info.num_blocks - slab->info.num_used;
}

static inline uint32_t k_mem_slab_max_used_get(struct k_mem_slab *slab)
{
	return slab->info.max_used;
}

/* Bytes used, free and at peak (blocks times block size). -EINVAL on NULL. */
int k_mem_slab_runtime_stats_get(struct k_mem_slab *slab, struct sys_memory_stats *stats);
int k_mem_slab_runtime_stats_reset_max(struct k_mem_slab *slab);

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_KERNEL_H_ */
