/* fwmem target agent: sys_mem_blocks, blocks tracked by a bitmap outside
 * the buffer (see <zephyr/sys/mem_blocks.h>). */
#include <zephyr/sys/mem_blocks.h>
#include "fwmem/hooks.h"

typedef uint32_t blkidx_t;  /* index of a block in its allocator */

static inline bool bit_get(const uint32_t *map, blkidx_t i) { return (map[i / 32] >> (i % 32)) & 1u; }
static inline void bit_set(uint32_t *map, blkidx_t i) { map[i / 32] |= 1u << (i % 32); }
static inline void bit_clear(uint32_t *map, blkidx_t i) { map[i / 32] &= ~(1u << (i % 32)); }
static inline void *block_addr(const sys_mem_blocks_t *mb, blkidx_t i) { return mb->buffer + ((size_t)i << mb->blk_sz_shift); }

/* The index of the block at p, or -1 if p is not the start of one. */
static int64_t block_index(const sys_mem_blocks_t *mb, const void *p)
{
	size_t off = (size_t)((uintptr_t)p - (uintptr_t)mb->buffer);

	if (off >= ((size_t)mb->num_blocks << mb->blk_sz_shift) ||
	    (off & (((size_t)1 << mb->blk_sz_shift) - 1)) != 0)
		return -1;
	return (int64_t)(off >> mb->blk_sz_shift);
}

/* Are blocks first .. first+count-1 inside mb? */
static bool in_range(const sys_mem_blocks_t *mb, int64_t first, size_t count)
{
	return first >= 0 && count <= mb->num_blocks && (uint64_t)first + count <= mb->num_blocks;
}

static bool region_all(const sys_mem_blocks_t *mb, blkidx_t first, size_t count, bool allocated)
{
	for (size_t i = 0; i < count; i++)
		if (bit_get(mb->bitmap, first + (blkidx_t)i) != allocated)
			return false;
	return true;
}

static void count_used(sys_mem_blocks_t *mb, size_t n, bool up)
{
	if (up) {
		mb->used_blocks += (uint32_t)n;
		if (mb->used_blocks > mb->max_used_blocks)
			mb->max_used_blocks = mb->used_blocks;
	} else {
		mb->used_blocks -= (uint32_t)n;
	}
}

int sys_mem_blocks_alloc(sys_mem_blocks_t *mem_block, size_t count, void **out_blocks)
{
	if (mem_block == NULL || out_blocks == NULL)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();
	size_t got = 0;

	if (count > mem_block->num_blocks - mem_block->used_blocks) {
		FWM_HOOK_FAIL(FWM_KIND_MEM_BLOCKS, mem_block, count << mem_block->blk_sz_shift, 0);
		fwm_port_unlock(key);
		return -FWM_ENOMEM;
	}
	for (blkidx_t w = 0; got < count && w < Z_FWM_BITMAP_WORDS(mem_block->num_blocks); w++) {
		uint32_t free_bits = ~mem_block->bitmap[w];

		while (free_bits != 0 && got < count) {
			blkidx_t i = w * 32 + (blkidx_t)__builtin_ctz(free_bits);

			if (i >= mem_block->num_blocks)
				break;
			free_bits &= free_bits - 1;
			bit_set(mem_block->bitmap, i);
			out_blocks[got++] = block_addr(mem_block, i);
			FWM_HOOK_ALLOC(FWM_KIND_MEM_BLOCKS, mem_block, out_blocks[got - 1],
				       (size_t)1 << mem_block->blk_sz_shift, 0);
		}
	}
	count_used(mem_block, got, true);
	fwm_port_unlock(key);
	return 0;
}

int sys_mem_blocks_alloc_contiguous(sys_mem_blocks_t *mem_block, size_t count, void **out_block)
{
	if (mem_block == NULL || out_block == NULL)
		return -FWM_EINVAL;
	*out_block = NULL;
	if (count == 0)
		return 0;
	fwm_port_key_t key = fwm_port_lock();
	size_t run = 0;
	int rc = -FWM_ENOMEM;

	if (count <= mem_block->num_blocks - mem_block->used_blocks) {
		for (blkidx_t i = 0; i < mem_block->num_blocks; i++) {
			/* Skip a whole allocated word at once. */
			if (i % 32 == 0 && mem_block->bitmap[i / 32] == 0xffffffffu &&
			    i + 32 <= mem_block->num_blocks) {
				run = 0;
				i += 31;
				continue;
			}
			run = bit_get(mem_block->bitmap, i) ? 0 : run + 1;
			if (run == count) {
				blkidx_t first = i + 1 - (blkidx_t)count;

				for (blkidx_t k = first; k <= i; k++)
					bit_set(mem_block->bitmap, k);
				count_used(mem_block, count, true);
				*out_block = block_addr(mem_block, first);
				rc = 0;
				break;
			}
		}
	}
	if (rc == 0)
		FWM_HOOK_ALLOC(FWM_KIND_MEM_BLOCKS, mem_block, *out_block, count << mem_block->blk_sz_shift, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_MEM_BLOCKS, mem_block, count << mem_block->blk_sz_shift, 0);
	fwm_port_unlock(key);
	return rc;
}

int sys_mem_blocks_get(sys_mem_blocks_t *mem_block, void *in_block, size_t count)
{
	if (mem_block == NULL)
		return -FWM_EINVAL;
	int64_t first = block_index(mem_block, in_block);

	if (!in_range(mem_block, first, count))
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();
	int rc = -FWM_ENOMEM;

	if (region_all(mem_block, (blkidx_t)first, count, false)) {
		for (size_t i = 0; i < count; i++)
			bit_set(mem_block->bitmap, (blkidx_t)first + (blkidx_t)i);
		count_used(mem_block, count, true);
		FWM_HOOK_ALLOC(FWM_KIND_MEM_BLOCKS, mem_block, in_block, count << mem_block->blk_sz_shift, 0);
		rc = 0;
	}
	fwm_port_unlock(key);
	return rc;
}

int sys_mem_blocks_is_region_free(sys_mem_blocks_t *mem_block, void *in_block, size_t count)
{
	if (mem_block == NULL)
		return 0;
	int64_t first = block_index(mem_block, in_block);

	if (!in_range(mem_block, first, count))
		return 0;
	fwm_port_key_t key = fwm_port_lock();
	int all = region_all(mem_block, (blkidx_t)first, count, false);

	fwm_port_unlock(key);
	return all;
}

int sys_mem_blocks_free(sys_mem_blocks_t *mem_block, size_t count, void **in_blocks)
{
	if (mem_block == NULL || (in_blocks == NULL && count != 0))
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();
	int rc = 0;

	/* Clear one by one; a block that is not allocated (never was, or was
	 * named before in this call) stops it, and the ones already cleared
	 * are set again: all or nothing. */
	size_t done = 0;

	for (; done < count; done++) {
		int64_t b = block_index(mem_block, in_blocks[done]);

		if (b < 0 || !bit_get(mem_block->bitmap, (blkidx_t)b)) {
			rc = -FWM_EFAULT;
			break;
		}
		bit_clear(mem_block->bitmap, (blkidx_t)b);
	}
	if (rc != 0) {
		for (size_t i = 0; i < done; i++)
			bit_set(mem_block->bitmap, (blkidx_t)block_index(mem_block, in_blocks[i]));
		FWM_HOOK_FAIL(FWM_KIND_MEM_BLOCKS, mem_block, 0, 0);
	} else {
		for (size_t i = 0; i < count; i++)
			FWM_HOOK_FREE(FWM_KIND_MEM_BLOCKS, mem_block, in_blocks[i]);
		count_used(mem_block, count, false);
	}
	fwm_port_unlock(key);
	return rc;
}

int sys_mem_blocks_free_contiguous(sys_mem_blocks_t *mem_block, void *block, size_t count)
{
	if (mem_block == NULL)
		return -FWM_EINVAL;
	int64_t first = block_index(mem_block, block);

	if (count == 0)
		return 0;
	if (!in_range(mem_block, first, count))
		return -FWM_EFAULT;
	fwm_port_key_t key = fwm_port_lock();
	int rc = -FWM_EFAULT;

	if (region_all(mem_block, (blkidx_t)first, count, true)) {
		for (size_t i = 0; i < count; i++)
			bit_clear(mem_block->bitmap, (blkidx_t)first + (blkidx_t)i);
		count_used(mem_block, count, false);
		FWM_HOOK_FREE(FWM_KIND_MEM_BLOCKS, mem_block, block);
		rc = 0;
	} else {
		FWM_HOOK_FAIL(FWM_KIND_MEM_BLOCKS, mem_block, 0, 0);
	}
	fwm_port_unlock(key);
	return rc;
}

int sys_mem_blocks_runtime_stats_get(sys_mem_blocks_t *mem_block, struct sys_memory_stats *stats)
{
	if (mem_block == NULL || stats == NULL)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();

	stats->allocated_bytes = (size_t)mem_block->used_blocks << mem_block->blk_sz_shift;
	stats->free_bytes = (size_t)(mem_block->num_blocks - mem_block->used_blocks) << mem_block->blk_sz_shift;
	stats->max_allocated_bytes = (size_t)mem_block->max_used_blocks << mem_block->blk_sz_shift;
	fwm_port_unlock(key);
	return 0;
}

int sys_mem_blocks_runtime_stats_reset_max(sys_mem_blocks_t *mem_block)
{
	if (mem_block == NULL)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();

	mem_block->max_used_blocks = mem_block->used_blocks;
	fwm_port_unlock(key);
	return 0;
}

/* ---- groups --------------------------------------------------------------------- */

void sys_multi_mem_blocks_init(sys_multi_mem_blocks_t *group, sys_multi_mem_blocks_choice_fn_t choice_fn)
{
	*group = (sys_multi_mem_blocks_t){ .num_allocators = 0, .choice_fn = choice_fn };
}

void sys_multi_mem_blocks_add_allocator(sys_multi_mem_blocks_t *group, sys_mem_blocks_t *alloc)
{
	if (group->num_allocators < MAX_MULTI_ALLOCATORS)
		group->allocators[group->num_allocators++] = alloc;
}

int sys_multi_mem_blocks_alloc(sys_multi_mem_blocks_t *group, void *cfg, size_t count,
			       void **out_blocks, size_t *blk_size)
{
	if (group == NULL || group->choice_fn == NULL)
		return -FWM_EINVAL;
	sys_mem_blocks_t *mb = group->choice_fn(group, cfg);

	if (mb == NULL)
		return -FWM_EINVAL;
	if (blk_size != NULL)
		*blk_size = (size_t)1 << mb->blk_sz_shift;
	return sys_mem_blocks_alloc(mb, count, out_blocks);
}

int sys_multi_mem_blocks_free(sys_multi_mem_blocks_t *group, size_t count, void **in_blocks)
{
	if (group == NULL || in_blocks == NULL || count == 0)
		return -FWM_EINVAL;
	for (int i = 0; i < group->num_allocators; i++) {
		sys_mem_blocks_t *mb = group->allocators[i];
		size_t off = (size_t)((uintptr_t)in_blocks[0] - (uintptr_t)mb->buffer);

		if (off < ((size_t)mb->num_blocks << mb->blk_sz_shift))
			return sys_mem_blocks_free(mb, count, in_blocks);
	}
	return -FWM_EINVAL;
}
