/* fwmem target agent: memory slabs. A free block's first word links the
 * free list; blocks never handed out yet are taken from the buffer in
 * order (slab->carved), so no set-up walk is needed. */
#include <zephyr/kernel.h>
#include "fwmem/compiler.h"
#include "fwmem/hooks.h"

FWM_STATIC_ASSERT(sizeof(char *) <= sizeof(void *), "a block holds the free-list link");

/* The first word of a free block. */
static inline char **link_of(char *block)
{
	return (char **)(void *)block;
}

int k_mem_slab_init(struct k_mem_slab *slab, void *buffer, size_t block_size, uint32_t num_blocks)
{
	if (slab == NULL || (buffer == NULL && num_blocks != 0) || block_size == 0 ||
	    block_size % sizeof(void *) != 0 || (uintptr_t)buffer % sizeof(void *) != 0)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();

	*slab = (struct k_mem_slab){
		.buffer = buffer,
		.info = { .num_blocks = num_blocks, .block_size = block_size },
	};
	fwm_port_unlock(key);
	return 0;
}

/* A free block, or NULL (lock held). */
static char *take(struct k_mem_slab *slab)
{
	char *b = slab->free_list;

	if (b != NULL)
		slab->free_list = *link_of(b);
	else if (slab->carved < slab->info.num_blocks)
		b = slab->buffer + (size_t)slab->carved++ * slab->info.block_size;
	else
		return NULL;
	if (++slab->info.num_used > slab->info.max_used)
		slab->info.max_used = slab->info.num_used;
	return b;
}

int k_mem_slab_alloc(struct k_mem_slab *slab, void **mem, k_timeout_t timeout)
{
	if (slab == NULL || mem == NULL)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();
	int rc = 0;

	*mem = take(slab);
	if (*mem == NULL) {
		if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
			rc = -FWM_ENOMEM;
		else if ((*mem = fwm_waitq_block(&slab->wait_q, &key, slab->info.block_size, 0,
						  timeout)) == NULL)
			rc = -FWM_EAGAIN;
	}
	if (rc == 0)
		FWM_HOOK_ALLOC(FWM_KIND_MEM_SLAB, slab, *mem, slab->info.block_size, 0);
	else
		FWM_HOOK_FAIL(FWM_KIND_MEM_SLAB, slab, slab->info.block_size, 0);
	fwm_port_unlock(key);
	return rc;
}

/* Is mem the start of a block that has been handed out? */
static bool is_block(const struct k_mem_slab *slab, const void *mem)
{
	size_t off = (size_t)((uintptr_t)mem - (uintptr_t)slab->buffer);

	return off < (size_t)slab->carved * slab->info.block_size && off % slab->info.block_size == 0;
}

void k_mem_slab_free(struct k_mem_slab *slab, void *mem)
{
	if (slab == NULL || mem == NULL)
		return;
	fwm_port_key_t key = fwm_port_lock();

	/* O(1) checks: a block of this slab, some block in use, and not the
	 * block freed last (the common double free). */
	if (!is_block(slab, mem) || slab->info.num_used == 0 || mem == slab->free_list) {
		FWM_HOOK_FAIL(FWM_KIND_MEM_SLAB, slab, 0, 0);
		fwm_port_unlock(key);
		return;
	}
	FWM_HOOK_FREE(FWM_KIND_MEM_SLAB, slab, mem);
	if (slab->wait_q.head != NULL) {
		/* Straight to the oldest waiter: still in use. */
		fwm_waitq_finish(&slab->wait_q, slab->wait_q.head, mem);
	} else {
		*link_of(mem) = slab->free_list;
		slab->free_list = mem;
		slab->info.num_used--;
	}
	fwm_port_unlock(key);
}

int k_mem_slab_runtime_stats_get(struct k_mem_slab *slab, struct sys_memory_stats *stats)
{
	if (slab == NULL || stats == NULL)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();

	stats->allocated_bytes = slab->info.num_used * slab->info.block_size;
	stats->free_bytes = (slab->info.num_blocks - slab->info.num_used) * slab->info.block_size;
	stats->max_allocated_bytes = slab->info.max_used * slab->info.block_size;
	fwm_port_unlock(key);
	return 0;
}

int k_mem_slab_runtime_stats_reset_max(struct k_mem_slab *slab)
{
	if (slab == NULL)
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_port_lock();

	slab->info.max_used = slab->info.num_used;
	fwm_port_unlock(key);
	return 0;
}
