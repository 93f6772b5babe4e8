/* fwmem demo firmware: what the workers share with main and the summary.
 *
 * Every worker runs a fixed number of periods (FWM_DEMO_SECONDS of ticks
 * divided by its period, each period ending at an absolute tick), so the
 * counts depend on scheduling only where blocking decides them. Each
 * allocator's counters below are written by the threads that use it and
 * read by main after every worker has ended.
 */
#ifndef FWM_DEMO_H
#define FWM_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/kernel.h>
#include "fwmem/cm_kernel.h"
#include "fwmem/mem.h"

#ifndef FWM_DEMO_SECONDS
#define FWM_DEMO_SECONDS 10     /* run time; the tests build with 2 */
#endif
#define DEMO_TICKS ((uint64_t)FWM_DEMO_SECONDS * CONFIG_SYS_CLOCK_TICKS_PER_SEC)

/* Thread priorities (0 highest). */
enum {
	PRIO_SENSOR = 2, PRIO_PROCESSOR = 3, PRIO_NET_RX = 4, PRIO_NET_TX = 5,
	PRIO_DMA = 5, PRIO_SG = 5, PRIO_LOGGER = 6, PRIO_RTOS = 7, PRIO_RECURSE = 8,
	PRIO_TEL = 9,
};

/* One allocator as the demo uses it. allocs and frees are successful
 * calls (mem_blocks: blocks and contiguous runs); live is what is still
 * allocated at the end; fails are allocations that returned nothing
 * (timeouts included), timeouts those that waited and gave up. These are
 * the same from run to run. blocked_ok, allocations that succeeded after
 * waiting (seen as the tick count moving during the call, or the slab
 * being empty before it), depends on where tick boundaries fall: it is
 * for show, not for tests. */
struct demo_count {
	const char *name;        /* the allocator object's name in the summary */
	const char *kind;        /* k_heap, k_malloc, sys_heap, slab, ... */
	uint32_t allocs, frees, reallocs, fails, timeouts, blocked_ok;
	uint32_t live;
};

enum demo_alloc {
	D_SLAB, D_KHEAP, D_KMALLOC, D_SYSHEAP, D_RTOS, D_SMH, D_BLOCKS, D_COUNT
};
extern struct demo_count demo_count[D_COUNT];

/* The tick the run started at and the tick it ends at. */
extern uint64_t demo_start, demo_end;

/* A small pseudo-random sequence per thread (xorshift32). */
static inline uint32_t demo_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* A queue of pointers between two threads: a mutex around the ring, a
 * semaphore counting the items. */
#define DEMO_Q_SLOTS 32
struct demo_q {
	void *slot[DEMO_Q_SLOTS];
	unsigned head, count;
	struct k_mutex lock;
	struct k_sem items;
	volatile bool closed;     /* the producer is done */
};
#define DEMO_Q_INIT { .lock = FWM_MUTEX_INIT, .items = FWM_SEM_INIT(0, DEMO_Q_SLOTS) }
/* 0, or -ENOMEM when full. */
int demo_q_put(struct demo_q *q, void *p);
/* The oldest item, or NULL on timeout. */
void *demo_q_get(struct demo_q *q, k_timeout_t timeout);
/* The producer is done (after its last put). */
void demo_q_close(struct demo_q *q);
/* Closed and empty: the consumer is done. */
bool demo_q_done(struct demo_q *q);

/* Sleeps until the end of period n (from demo_start, period ticks long);
 * false when that would be past the end of the run. */
bool demo_next_period(uint32_t n, uint32_t period);

/* The workers: entry functions and what they own. */
void sensor_main(void *p1, void *p2, void *p3);
void processor_main(void *p1, void *p2, void *p3);
void net_rx_main(void *p1, void *p2, void *p3);
void net_tx_main(void *p1, void *p2, void *p3);
void logger_main(void *p1, void *p2, void *p3);
void rtos_main(void *p1, void *p2, void *p3);
void dma_main(void *p1, void *p2, void *p3);
void sg_main(void *p1, void *p2, void *p3);
void recurse_main(void *p1, void *p2, void *p3);

extern struct k_mem_slab msg_slab;
extern struct k_heap net_heap;
extern struct sys_heap history_heap;
extern char history_mem[4096];
void sensor_setup(void);       /* the history heap */
extern struct sys_mem_blocks sg_pool;
void dma_setup(void);          /* the shared multi-heap pool and its regions */
extern uint32_t recurse_deepest;
extern uint32_t logger_lines;

/* Telemetry (telemetry.c): set-up, the drain thread, snapshots. */
void demo_tel_start(void);
void demo_tel_main(void *p1, void *p2, void *p3);
void demo_tel_finish(int status);
/* Sends a line of text to the stream (nothing without telemetry). */
void demo_tel_log(const char *text);

/* The end-of-run report over semihosting (summary.c). */
void demo_summary(void);

#endif /* FWM_DEMO_H */
