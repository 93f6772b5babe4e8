/* <zephyr/sys/mem_blocks.h> for the fwmem target agent: a buffer of
 * power-of-two sized blocks whose allocation state is a bitmap kept
 * outside the buffer (so the blocks themselves can be DMA buffers and
 * carry no header), and groups of such allocators.
 *
 * Time: alloc, alloc_contiguous and free scan or touch the bitmap, O(n/32)
 * for n blocks (plus O(count)); is_region_free and get O(count); the group
 * functions add O(allocators). All are locked through the port and never
 * wait. A free of a block that is not allocated (a double free) or not of
 * this allocator returns -EFAULT and changes nothing.
 *
 * SYS_MEM_BLOCKS_DEFINE'd objects need no init: an all-zero bitmap is an
 * allocator with every block free.
 */
#ifndef ZEPHYR_INCLUDE_SYS_MEM_BLOCKS_H_
#define ZEPHYR_INCLUDE_SYS_MEM_BLOCKS_H_

#include <stddef.h>
#include <stdint.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/mem_stats.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAX_MULTI_ALLOCATORS 8

struct sys_mem_blocks;
struct sys_multi_mem_blocks;
typedef struct sys_mem_blocks sys_mem_blocks_t;
typedef struct sys_multi_mem_blocks sys_multi_mem_blocks_t;

/* Picks the allocator for cfg, or NULL (the allocation fails, -EINVAL). */
typedef sys_mem_blocks_t *(*sys_multi_mem_blocks_choice_fn_t)(struct sys_multi_mem_blocks *group,
							      void *cfg);

struct sys_mem_blocks {
	uint32_t num_blocks;
	uint8_t blk_sz_shift;       /* block size = 1 << blk_sz_shift */
	uint8_t *buffer;
	uint32_t *bitmap;           /* bit i set: block i allocated */
	uint32_t used_blocks;       /* rises and falls */
	uint32_t max_used_blocks;   /* peak; falls only on a reset */
};

struct sys_multi_mem_blocks {
	int num_allocators;
	sys_multi_mem_blocks_choice_fn_t choice_fn;
	sys_mem_blocks_t *allocators[MAX_MULTI_ALLOCATORS];
};

#define Z_FWM_BITMAP_WORDS(n) (((n) + 31u) / 32u)
#define Z_FWM_WB_UP_MB(x) (((x) + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *))

#define _SYS_MEM_BLOCKS_DEFINE_WITH_EXT_BUF(name, blk_sz, num_blks, buf, mbmod)            \
	mbmod uint32_t _sys_mem_blocks_bitmap_##name[Z_FWM_BITMAP_WORDS(num_blks)];         \
	mbmod sys_mem_blocks_t name = {                                                     \
		.num_blocks = (num_blks),                                                   \
		.blk_sz_shift = (uint8_t)__builtin_ctz(blk_sz),                             \
		.buffer = (buf),                                                            \
		.bitmap = _sys_mem_blocks_bitmap_##name,                                    \
	}

#define _SYS_MEM_BLOCKS_DEFINE(name, blk_sz, num_blks, balign, mbmod)                      \
	mbmod uint8_t __attribute__((aligned(Z_FWM_WB_UP_MB(balign))))                      \
		_sys_mem_blocks_buf_##name[(num_blks) * Z_FWM_WB_UP_MB(blk_sz)];            \
	_SYS_MEM_BLOCKS_DEFINE_WITH_EXT_BUF(name, blk_sz, num_blks, _sys_mem_blocks_buf_##name, mbmod)

/* num_blks blocks of blk_sz bytes (a power of two), the buffer aligned to
 * buf_align (a power of two). */
#define SYS_MEM_BLOCKS_DEFINE(name, blk_sz, num_blks, buf_align)                            \
	_SYS_MEM_BLOCKS_DEFINE(name, blk_sz, num_blks, buf_align, )
#define SYS_MEM_BLOCKS_DEFINE_STATIC(name, blk_sz, num_blks, buf_align)                     \
	_SYS_MEM_BLOCKS_DEFINE(name, blk_sz, num_blks, buf_align, static)
/* The same over the caller's buffer buf (num_blks * blk_sz bytes). */
#define SYS_MEM_BLOCKS_DEFINE_WITH_EXT_BUF(name, blk_sz, num_blks, buf)                     \
	_SYS_MEM_BLOCKS_DEFINE_WITH_EXT_BUF(name, blk_sz, num_blks, buf, )
#define SYS_MEM_BLOCKS_DEFINE_STATIC_WITH_EXT_BUF(name, blk_sz, num_blks, buf)              \
	_SYS_MEM_BLOCKS_DEFINE_WITH_EXT_BUF(name, blk_sz, num_blks, buf, static)

/* count blocks, anywhere, into out_blocks[0 .. count-1]. All or nothing:
 * 0, -ENOMEM (fewer than count free), -EINVAL (NULL argument). */
int sys_mem_blocks_alloc(sys_mem_blocks_t *mem_block, size_t count, void **out_blocks);

/* count adjacent blocks (the lowest such run); *out_block = the first
 * (NULL for count 0). 0, -ENOMEM, -EINVAL. */
int sys_mem_blocks_alloc_contiguous(sys_mem_blocks_t *mem_block, size_t count, void **out_block);

/* Allocates exactly the count blocks from in_block on. 0; -ENOMEM if any
 * of them is taken (none is allocated then); -EINVAL if they are not
 * blocks of this allocator. */
int sys_mem_blocks_get(sys_mem_blocks_t *mem_block, void *in_block, size_t count);

/* 1 if the count blocks from in_block on are all free, else 0 (also for a
 * region outside the allocator). */
int sys_mem_blocks_is_region_free(sys_mem_blocks_t *mem_block, void *in_block, size_t count);

/* Frees in_blocks[0 .. count-1]. All or nothing: 0, -EFAULT if one is not
 * an allocated block of this allocator, -EINVAL for NULL arguments. */
int sys_mem_blocks_free(sys_mem_blocks_t *mem_block, size_t count, void **in_blocks);

/* Frees count adjacent blocks from block on. 0, -EFAULT, -EINVAL. */
int sys_mem_blocks_free_contiguous(sys_mem_blocks_t *mem_block, void *block, size_t count);

/* Bytes in used blocks, in free blocks, and at peak. -EINVAL for NULL. */
int sys_mem_blocks_runtime_stats_get(sys_mem_blocks_t *mem_block, struct sys_memory_stats *stats);
int sys_mem_blocks_runtime_stats_reset_max(sys_mem_blocks_t *mem_block);

void sys_multi_mem_blocks_init(sys_multi_mem_blocks_t *group, sys_multi_mem_blocks_choice_fn_t choice_fn);
/* Adds alloc to group (at most MAX_MULTI_ALLOCATORS; more are ignored). */
void sys_multi_mem_blocks_add_allocator(sys_multi_mem_blocks_t *group, sys_mem_blocks_t *alloc);
/* As sys_mem_blocks_alloc on the allocator choice_fn picks for cfg;
 * *blk_size (if not NULL) gets its block size. -EINVAL if none is picked. */
int sys_multi_mem_blocks_alloc(sys_multi_mem_blocks_t *group, void *cfg, size_t count,
			       void **out_blocks, size_t *blk_size);
/* Frees blocks that all came from one allocator of the group, found by
 * the first block's address. -EINVAL if no allocator holds it. */
int sys_multi_mem_blocks_free(sys_multi_mem_blocks_t *group, size_t count, void **in_blocks);

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_MEM_BLOCKS_H_ */
