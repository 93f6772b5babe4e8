/* fwmem demo: the telemetry. Events go to an 8 KiB ring; the "tel" thread
 * drains it to the CMSDK UART0 every 2 ms and every 250 ms sends snapshots:
 * heap statistics and fragmentation maps, slab and block pool usage and
 * the block bitmap. The heaps and pools are registered by name first; the
 * FreeRTOS heap and the shared multi-heap register themselves (unnamed:
 * the host names them by their ELF symbols). Built without the telemetry
 * (no CONFIG_FWM_TELEMETRY), all of this does nothing. */
#include <zephyr/sys/mem_blocks.h>
#include "demo.h"

#ifdef CONFIG_FWM_TELEMETRY
#include "fwmem/telemetry.h"

#define DRAIN_MS 2
#define SNAPSHOT_EVERY 125      /* drains: 250 ms */

extern const uint8_t __build_id_note[];
extern char kheap_net_heap[];

static uint8_t __attribute__((aligned(8))) ring[8192];
static volatile bool tel_stop;
static struct k_thread *tel_self;

void demo_tel_start(void)
{
	struct fwm_tel_config cfg = {
		.ring = ring,
		.ring_bytes = sizeof ring,
		.now = fwm_cm_tel_now,
		.tick_hz = CONFIG_SYS_CLOCK_TICKS_PER_SEC,
		.thread_id = fwm_thread_id,
		.code_base = 0,
	};

	fwm_transport_cmsdk_uart(&cfg.transport, FWM_CMSDK_UART0, 16);
	(void)fwm_tel_build_id(__build_id_note, &cfg.build_id, &cfg.build_id_len);
	if (fwm_tel_init(&cfg) != 0)
		return;
	(void)fwm_tel_heap_register(FWM_HK_K_HEAP, &net_heap, "net_heap", kheap_net_heap,
				    net_heap.heap.init_bytes);
	(void)fwm_tel_heap_register(FWM_HK_SYSTEM_HEAP, &_system_heap, "system",
				    _system_heap.heap.init_mem, _system_heap.heap.init_bytes);
	(void)fwm_tel_heap_register(FWM_HK_SYS_HEAP, &history_heap, "history", history_mem,
				    sizeof history_mem);
	(void)fwm_tel_pool_register(FWM_HK_MEM_SLAB, &msg_slab, "msg_slab", msg_slab.buffer,
				    msg_slab.info.block_size, msg_slab.info.num_blocks);
	(void)fwm_tel_pool_register(FWM_HK_MEM_BLOCKS, &sg_pool, "sg_pool", sg_pool.buffer,
				    (size_t)1 << sg_pool.blk_sz_shift, sg_pool.num_blocks);
	fwm_cm_tel_stacks();
	(void)fwm_tel_log(FWM_LOG_INF, "fwmem-demo: start");
}

/* Statistics and maps of every heap and pool, each taken under the agent
 * lock so that no allocation runs half-way through a walk. */
static void snapshots(void)
{
	fwm_port_key_t key = fwm_port_lock();

	(void)fwm_tel_sys_heap_stats(&net_heap, &net_heap.heap);
	(void)fwm_tel_fragmap(&net_heap, &net_heap.heap, false);
	(void)fwm_tel_sys_heap_stats(&_system_heap, &_system_heap.heap);
	(void)fwm_tel_fragmap(&_system_heap, &_system_heap.heap, false);
	(void)fwm_tel_sys_heap_stats(&history_heap, &history_heap);
	(void)fwm_tel_pool_usage(&msg_slab, k_mem_slab_num_used_get(&msg_slab),
				 k_mem_slab_max_used_get(&msg_slab));
	(void)fwm_tel_pool_usage(&sg_pool, sg_pool.used_blocks, sg_pool.max_used_blocks);
	(void)fwm_tel_blocks(&sg_pool, sg_pool.bitmap, sg_pool.num_blocks);
	fwm_port_unlock(key);
}

void demo_tel_main(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	tel_self = k_current_get();
	for (uint32_t n = 1; !tel_stop; n++) {
		(void)fwm_tel_drain();
		if (n % SNAPSHOT_EVERY == 0)
			snapshots();
		k_msleep(DRAIN_MS);
	}
}

void demo_tel_finish(int status)
{
	tel_stop = true;
	if (tel_self != NULL)
		(void)k_thread_join(tel_self, K_FOREVER);
	snapshots();
	(void)fwm_tel_log(FWM_LOG_INF, "fwmem-demo: end");
	(void)fwm_tel_summary(status);
	while (fwm_tel_drain() > 0)
		;
}

void demo_tel_log(const char *text)
{
	(void)fwm_tel_log(FWM_LOG_INF, text);
}

#else /* !CONFIG_FWM_TELEMETRY */

void demo_tel_start(void)
{
}

void demo_tel_main(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
}

void demo_tel_finish(int status)
{
	(void)status;
}

void demo_tel_log(const char *text)
{
	(void)text;
}

#endif
