/* fwmem demo: the end-of-run summary over semihosting, one `key=value`
 * record per line, the ground truth the tests check the stream against:
 *
 *   alloc NAME kind=K allocs= frees= reallocs= fails= timeouts= blocked_ok= live=
 *       the demo's own counts; live is what the allocator itself says is
 *       still allocated (used chunks of a heap, used blocks of a slab) or,
 *       where it cannot say, what the demo still holds
 *   heap NAME kind=K capacity= allocated= max_allocated= free= largest_free=
 *       free_chunks= allocs= frees= reallocs= failures= faults=
 *   pool NAME kind=K blocks= block_size= used= max_used=
 *   stack NAME id= size= hwm= unused= overflow= switches=
 *   demo ...                      leak site, recursion depth, log lines
 *   telemetry records= ...        what the encoder counted (with telemetry)
 */
#include <FreeRTOS.h>
#include <zephyr/sys/mem_blocks.h>
#include "demo.h"
#include "fwmem/semihost.h"
#ifdef CONFIG_FWM_TELEMETRY
#include "fwmem/telemetry.h"
#endif

static bool count_used(const struct fwm_heap_chunk *chunk, void *arg)
{
	if (chunk->used)
		(*(uint32_t *)arg)++;
	return true;
}

/* Blocks in use in a sys_heap, by walking its chunks (lock held). */
static uint32_t used_chunks(struct sys_heap *h)
{
	uint32_t n = 0;

	(void)fwm_heap_walk(h, count_used, &n);
	return n;
}

static void print_alloc(const struct demo_count *c)
{
	fwm_sh_printf("alloc %s kind=%s allocs=%lu frees=%lu reallocs=%lu fails=%lu timeouts=%lu "
		      "blocked_ok=%lu live=%lu\n",
		      c->name, c->kind, (unsigned long)c->allocs, (unsigned long)c->frees,
		      (unsigned long)c->reallocs, (unsigned long)c->fails, (unsigned long)c->timeouts,
		      (unsigned long)c->blocked_ok, (unsigned long)c->live);
}

static void print_heap(const char *name, const char *kind, struct sys_heap *h)
{
	struct fwm_heap_info hi;

	(void)fwm_heap_info_get(h, &hi);
	fwm_sh_printf("heap %s kind=%s capacity=%lu allocated=%lu max_allocated=%lu free=%lu "
		      "largest_free=%lu free_chunks=%lu allocs=%lu frees=%lu reallocs=%lu "
		      "failures=%lu faults=%lu\n",
		      name, kind, (unsigned long)hi.capacity_bytes, (unsigned long)hi.allocated_bytes,
		      (unsigned long)hi.max_allocated_bytes, (unsigned long)hi.free_bytes,
		      (unsigned long)hi.largest_free_bytes, (unsigned long)hi.free_chunks,
		      (unsigned long)hi.allocs, (unsigned long)hi.frees, (unsigned long)hi.reallocs,
		      (unsigned long)hi.failures, (unsigned long)hi.faults);
}

static void print_stack(const char *name, uint32_t id, struct fwm_stack *s, uint32_t switches)
{
	fwm_port_key_t key = fwm_port_lock();
	size_t hwm = fwm_stack_scan_full(s);

	fwm_port_unlock(key);
	fwm_sh_printf("stack %s id=%lu size=%lu hwm=%lu unused=%lu overflow=%d switches=%lu\n",
		      name, (unsigned long)id, (unsigned long)fwm_stack_size(s), (unsigned long)hwm,
		      (unsigned long)(fwm_stack_size(s) - hwm), s->overflowed ? 1 : 0,
		      (unsigned long)switches);
}

void demo_summary(void)
{
	fwm_port_key_t key = fwm_port_lock();

	demo_count[D_SLAB].live = k_mem_slab_num_used_get(&msg_slab);
	demo_count[D_KHEAP].live = used_chunks(&net_heap.heap);
	demo_count[D_KMALLOC].live = used_chunks(&_system_heap.heap);
	demo_count[D_SYSHEAP].live = used_chunks(&history_heap);
	fwm_port_unlock(key);

	fwm_sh_printf("fwmem-demo: summary after %lu ticks at %u Hz\n",
		      (unsigned long)(fwm_ticks() - demo_start),
		      (unsigned)CONFIG_SYS_CLOCK_TICKS_PER_SEC);
	for (int i = 0; i < D_COUNT; i++)
		print_alloc(&demo_count[i]);

	print_heap("net_heap", "k_heap", &net_heap.heap);
	print_heap("system", "k_malloc", &_system_heap.heap);
	print_heap("history", "sys_heap", &history_heap);

	HeapStats_t rs;

	vPortGetHeapStats(&rs);
	fwm_sh_printf("heap rtos kind=heap_4 capacity=%lu free=%lu largest_free=%lu smallest_free=%lu "
		      "free_blocks=%lu min_ever_free=%lu allocs=%lu frees=%lu\n",
		      (unsigned long)configTOTAL_HEAP_SIZE, (unsigned long)rs.xAvailableHeapSpaceInBytes,
		      (unsigned long)rs.xSizeOfLargestFreeBlockInBytes,
		      (unsigned long)rs.xSizeOfSmallestFreeBlockInBytes,
		      (unsigned long)rs.xNumberOfFreeBlocks,
		      (unsigned long)rs.xMinimumEverFreeBytesRemaining,
		      (unsigned long)rs.xNumberOfSuccessfulAllocations,
		      (unsigned long)rs.xNumberOfSuccessfulFrees);

	fwm_sh_printf("pool msg_slab kind=mem_slab blocks=%lu block_size=%lu used=%lu max_used=%lu\n",
		      (unsigned long)msg_slab.info.num_blocks, (unsigned long)msg_slab.info.block_size,
		      (unsigned long)k_mem_slab_num_used_get(&msg_slab),
		      (unsigned long)k_mem_slab_max_used_get(&msg_slab));
	fwm_sh_printf("pool sg_pool kind=mem_blocks blocks=%lu block_size=%lu used=%lu max_used=%lu\n",
		      (unsigned long)sg_pool.num_blocks, (unsigned long)(1u << sg_pool.blk_sz_shift),
		      (unsigned long)sg_pool.used_blocks, (unsigned long)sg_pool.max_used_blocks);

	for (struct fwm_thread *t = fwm_thread_first(); t != NULL; t = fwm_thread_next(t))
		print_stack(t->name != NULL ? t->name : "?", t->id, &t->stack, t->switches);
	print_stack("isr", 0, fwm_cm_msp_stack(), 0);

	fwm_sh_printf("demo leak_site=log_remember_context leak_every=25 log_lines=%lu "
		      "recursion_depth=%lu\n",
		      (unsigned long)logger_lines, (unsigned long)recurse_deepest);
#ifdef CONFIG_FWM_TELEMETRY
	struct fwm_tel_counts tc;

	fwm_tel_counts(&tc);
	fwm_sh_printf("telemetry records=%lu dropped_events=%lu dropped_bytes=%lu sampled_out=%lu "
		      "allocs=%lu frees=%lu reallocs=%lu fails=%lu frames=%lu\n",
		      (unsigned long)tc.records, (unsigned long)tc.dropped_events,
		      (unsigned long)tc.dropped_bytes, (unsigned long)tc.sampled_out,
		      (unsigned long)tc.allocs, (unsigned long)tc.frees, (unsigned long)tc.reallocs,
		      (unsigned long)tc.fails, (unsigned long)tc.frames);
#endif
	fwm_sh_printf("fwmem-demo: end\n");
}
