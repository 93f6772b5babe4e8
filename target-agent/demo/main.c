/* fwmem demo firmware: threads that exercise every allocator of the agent
 * on the Cortex-M port, streaming what they do over the CMSDK UART and
 * reporting over semihosting at the end.
 *
 *   sensor -> processor   readings in a k_mem_slab (blocking, timeouts);
 *                         the processor keeps a history in a sys_heap
 *                         (grows with sys_heap_realloc)
 *   net_rx -> net_tx      bursts of packet buffers from a k_heap, blocking
 *                         allocations with timeouts, and a probe that
 *                         always times out
 *   logger                k_malloc'd lines, one call site leaking slowly
 *   rtos                  fragments a FreeRTOS heap_4 heap
 *   dma                   descriptors and buffers from a shared_multi_heap
 *                         non-cacheable region (the FPGA block RAM)
 *   sg                    scatter-gather lists of sys_mem_blocks blocks
 *   recurse               deep recursion: the deepest stack
 *   tel                   drains the telemetry ring to the UART
 *
 * main starts them, waits for the run to end (FWM_DEMO_SECONDS), joins
 * them, prints the summary and returns 0: the port ends the program with
 * semihosting SYS_EXIT.
 */
#include "demo.h"
#include "fwmem/semihost.h"

struct demo_count demo_count[D_COUNT] = {
	[D_SLAB] = { .name = "msg_slab", .kind = "mem_slab" },
	[D_KHEAP] = { .name = "net_heap", .kind = "k_heap" },
	[D_KMALLOC] = { .name = "system", .kind = "k_malloc" },
	[D_SYSHEAP] = { .name = "history", .kind = "sys_heap" },
	[D_RTOS] = { .name = "rtos", .kind = "heap_4" },
	[D_SMH] = { .name = "dma", .kind = "shared_multi_heap" },
	[D_BLOCKS] = { .name = "sg_pool", .kind = "mem_blocks" },
};
uint64_t demo_start, demo_end;

/* ---- the queue --------------------------------------------------------- */

int demo_q_put(struct demo_q *q, void *p)
{
	int rc = 0;

	k_mutex_lock(&q->lock, K_FOREVER);
	if (q->count == DEMO_Q_SLOTS) {
		rc = -ENOMEM;
	} else {
		q->slot[(q->head + q->count) % DEMO_Q_SLOTS] = p;
		q->count++;
	}
	k_mutex_unlock(&q->lock);
	if (rc == 0)
		k_sem_give(&q->items);
	return rc;
}

void *demo_q_get(struct demo_q *q, k_timeout_t timeout)
{
	void *p;

	if (k_sem_take(&q->items, timeout) != 0)
		return NULL;
	k_mutex_lock(&q->lock, K_FOREVER);
	p = q->slot[q->head];
	q->head = (q->head + 1) % DEMO_Q_SLOTS;
	q->count--;
	k_mutex_unlock(&q->lock);
	return p;
}

bool demo_q_done(struct demo_q *q)
{
	bool done;

	k_mutex_lock(&q->lock, K_FOREVER);
	done = q->closed && q->count == 0;
	k_mutex_unlock(&q->lock);
	return done;
}

void demo_q_close(struct demo_q *q)
{
	q->closed = true;
}

bool demo_next_period(uint32_t n, uint32_t period)
{
	uint64_t at = demo_start + (uint64_t)(n + 1) * period;

	if (at > demo_end)
		return false;
	fwm_sleep_until(at);
	return true;
}

/* ---- threads ------------------------------------------------------------- */

#define STACK(name, bytes) static K_THREAD_STACK_DEFINE(name##_stack, bytes)
STACK(sensor, 1024);
STACK(processor, 1024);
STACK(net_rx, 1024);
STACK(net_tx, 768);
STACK(logger, 1024);
STACK(rtos, 1024);
STACK(dma, 1024);
STACK(sg, 1024);
STACK(recurse, 4096);
STACK(tel, 1536);

static struct worker {
	const char *name;
	fwm_thread_entry_t entry;
	k_thread_stack_t *stack;
	size_t stack_size;
	int prio;
	struct k_thread thread;
} workers[] = {
#define W(n, p) { #n, n##_main, n##_stack, sizeof n##_stack, p, { 0 } }
	W(sensor, PRIO_SENSOR),
	W(processor, PRIO_PROCESSOR),
	W(net_rx, PRIO_NET_RX),
	W(net_tx, PRIO_NET_TX),
	W(logger, PRIO_LOGGER),
	W(rtos, PRIO_RTOS),
	W(dma, PRIO_DMA),
	W(sg, PRIO_SG),
	W(recurse, PRIO_RECURSE),
#undef W
};

static struct k_thread tel_thread;

int main(void)
{
	fwm_sh_printf("fwmem-demo: %u s on %u Hz ticks, %u worker threads\n",
		      (unsigned)FWM_DEMO_SECONDS, (unsigned)CONFIG_SYS_CLOCK_TICKS_PER_SEC,
		      (unsigned)(sizeof workers / sizeof workers[0]));
	sensor_setup();
	dma_setup();
	demo_tel_start();
	(void)fwm_thread_create(&tel_thread, "tel", tel_stack, sizeof tel_stack, demo_tel_main,
				NULL, NULL, NULL, PRIO_TEL);
	demo_start = fwm_ticks() + 1;
	demo_end = demo_start + DEMO_TICKS;
	for (size_t i = 0; i < sizeof workers / sizeof workers[0]; i++) {
		struct worker *w = &workers[i];

		if (fwm_thread_create(&w->thread, w->name, w->stack, w->stack_size, w->entry, NULL,
				      NULL, NULL, w->prio) != 0) {
			fwm_sh_printf("fwmem-demo: cannot create thread %s\n", w->name);
			return 2;
		}
	}
	for (size_t i = 0; i < sizeof workers / sizeof workers[0]; i++)
		(void)k_thread_join(&workers[i].thread, K_FOREVER);
	demo_summary();
	demo_tel_finish(0);
	return 0;
}
