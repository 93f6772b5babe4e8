/* fwmem demo: the sensor passes readings to the processor in blocks of a
 * k_mem_slab. Every 200 readings the processor stalls for 60 ms; the 8
 * blocks last 32 ms, so the sensor then blocks in k_mem_slab_alloc, times
 * out (12 ms) and, once the processor is back, gets blocks freed straight
 * into its wait. The processor keeps the last readings in a history that
 * grows with sys_heap_realloc in a sys_heap of its own. */
#include "demo.h"

#define SENSOR_PERIOD 4       /* ticks */
#define SLAB_BLOCKS 8
#define STALL_EVERY 200
#define STALL_MS 60
#define HISTORY_MAX 256

struct reading {
	uint32_t seq;
	uint32_t tick;
	int32_t value[6];
};

K_MEM_SLAB_DEFINE(msg_slab, sizeof(struct reading), SLAB_BLOCKS, 4);
struct sys_heap history_heap;
char __attribute__((aligned(8))) history_mem[4096];
static struct demo_q readings = DEMO_Q_INIT;

void sensor_setup(void)
{
	sys_heap_init(&history_heap, history_mem, sizeof history_mem);
}

void sensor_main(void *p1, void *p2, void *p3)
{
	struct demo_count *c = &demo_count[D_SLAB];
	uint32_t rnd = 0x5eed0001u;

	(void)p1;
	(void)p2;
	(void)p3;
	for (uint32_t n = 0; demo_next_period(n, SENSOR_PERIOD); n++) {
		struct reading *r;
		bool was_full = k_mem_slab_num_free_get(&msg_slab) == 0;
		int rc = k_mem_slab_alloc(&msg_slab, (void **)&r, K_MSEC(12));

		if (rc != 0) {
			c->fails++;
			if (rc == -EAGAIN)
				c->timeouts++;
			continue;
		}
		c->allocs++;
		if (was_full)
			c->blocked_ok++;
		r->seq = n;
		r->tick = (uint32_t)fwm_ticks();
		for (int i = 0; i < 6; i++)
			r->value[i] = (int32_t)(demo_rand(&rnd) % 4096u) - 2048;
		if (demo_q_put(&readings, r) != 0) {
			k_mem_slab_free(&msg_slab, r);
			c->frees++;
		}
	}
	demo_q_close(&readings);
}

void processor_main(void *p1, void *p2, void *p3)
{
	struct demo_count *slab = &demo_count[D_SLAB], *hist = &demo_count[D_SYSHEAP];
	int32_t *history = NULL;
	uint32_t n_hist = 0, cap = 0, handled = 0;

	(void)p1;
	(void)p2;
	(void)p3;
	for (;;) {
		struct reading *r = demo_q_get(&readings, K_MSEC(20));

		if (r == NULL) {
			if (demo_q_done(&readings))
				break;
			continue;
		}
		if (n_hist == cap) {
			/* Grow by 16 readings: in place while the neighbour is free. */
			size_t bytes = (cap + 16) * sizeof(int32_t);
			int32_t *p = history == NULL ? sys_heap_alloc(&history_heap, bytes)
						     : sys_heap_realloc(&history_heap, history, bytes);

			if (p == NULL) {
				hist->fails++;
			} else {
				if (history == NULL)
					hist->allocs++;
				else
					hist->reallocs++;
				history = p;
				cap += 16;
			}
		}
		if (n_hist < cap)
			history[n_hist++] = r->value[0];
		if (n_hist == HISTORY_MAX) {
			sys_heap_free(&history_heap, history);
			hist->frees++;
			history = NULL;
			n_hist = cap = 0;
		}
		k_mem_slab_free(&msg_slab, r);
		slab->frees++;
		if (++handled % STALL_EVERY == 0)
			k_msleep(STALL_MS);
	}
	hist->live = history != NULL ? 1 : 0;
}
