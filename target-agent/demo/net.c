/* fwmem demo: a network stack's buffers. net_rx receives bursts of 1-6
 * packets every 20 ms into k_heap buffers, waiting up to 15 ms for memory
 * when the heap is full; net_tx "transmits" each (2 ms plus 1 ms per 256
 * bytes) and frees it, which hands the memory to a waiting net_rx. Every
 * 500 ms net_rx also probes for a 6 KiB buffer while it holds 3 KiB of the
 * 8 KiB heap itself: nothing can satisfy that, so the probe always waits
 * its 3 ms and times out. */
#include "demo.h"

#define NET_PERIOD 20
#define HEAP_BYTES 8192
#define PROBE_EVERY 25
#define MTU 1500

struct packet {
	uint16_t len;
	uint16_t seq;
	uint8_t data[];
};

K_HEAP_DEFINE(net_heap, HEAP_BYTES);
static struct demo_q packets = DEMO_Q_INIT;

/* An allocation that may wait; counts the outcome. */
static void *net_alloc(size_t bytes, k_timeout_t timeout)
{
	struct demo_count *c = &demo_count[D_KHEAP];
	uint64_t t0 = fwm_ticks();
	void *p = k_heap_alloc(&net_heap, bytes, timeout);

	if (p == NULL) {
		c->fails++;
		c->timeouts++;      /* every request here could be met: it waited */
	} else {
		c->allocs++;
		if (fwm_ticks() != t0)
			c->blocked_ok++;
	}
	return p;
}

static void net_free(void *p)
{
	k_heap_free(&net_heap, p);
	demo_count[D_KHEAP].frees++;
}

static void probe(void)
{
	void *hold = net_alloc(3072, K_MSEC(50));
	void *big = net_alloc(6144, K_MSEC(3));

	if (big != NULL)
		net_free(big);
	if (hold != NULL)
		net_free(hold);
}

void net_rx_main(void *p1, void *p2, void *p3)
{
	uint32_t rnd = 0x5eed0002u;
	uint16_t seq = 0;

	(void)p1;
	(void)p2;
	(void)p3;
	for (uint32_t n = 0; demo_next_period(n, NET_PERIOD); n++) {
		uint32_t burst = 1 + demo_rand(&rnd) % 6;

		for (uint32_t i = 0; i < burst; i++) {
			uint16_t len = (uint16_t)(64 + demo_rand(&rnd) % (MTU - 63));
			struct packet *pkt = net_alloc(sizeof *pkt + len, K_MSEC(15));

			if (pkt == NULL)
				continue;
			pkt->len = len;
			pkt->seq = seq++;
			memset(pkt->data, (int)(pkt->seq & 0xff), len);
			if (demo_q_put(&packets, pkt) != 0)
				net_free(pkt);
		}
		if (n % PROBE_EVERY == PROBE_EVERY - 1)
			probe();
	}
	demo_q_close(&packets);
}

void net_tx_main(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	for (;;) {
		struct packet *pkt = demo_q_get(&packets, K_MSEC(20));

		if (pkt == NULL) {
			if (demo_q_done(&packets))
				break;
			continue;
		}
		k_msleep(2 + pkt->len / 256);
		net_free(pkt);
	}
}
