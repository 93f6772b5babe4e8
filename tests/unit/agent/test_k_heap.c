/* k_heap and the system heap: static definition, the API, and blocking
 * with threads through the host port (woken by a free that satisfies the
 * waiter, timing out otherwise, not woken by a free too small for it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <zephyr/kernel.h>
#include "agent_test.h"

K_HEAP_DEFINE(static_heap, 2048);

static void test_static_define(void **state)
{
	(void)state;
	/* No k_heap_init: the first call sets the heap up. */
	void *p = k_heap_alloc(&static_heap, 100, K_NO_WAIT);

	assert_non_null(p);
	assert_true((unsigned char *)p >= (unsigned char *)kheap_static_heap &&
		    (unsigned char *)p + 100 <= (unsigned char *)kheap_static_heap + 2048);
	assert_heap_valid(&static_heap.heap);
	k_heap_free(&static_heap, p);
	struct sys_memory_stats st;

	sys_heap_runtime_stats_get(&static_heap.heap, &st);
	assert_int_equal(st.allocated_bytes, 0);
	assert_int_equal(st.max_allocated_bytes, 104);
}

/* As in Zephyr's heap documentation: a statically defined heap, an
 * allocation that may wait up to 100 ms. */
K_HEAP_DEFINE(my_heap, 1024);

static void test_doc_example(void **state)
{
	char *mem_ptr;

	(void)state;
	mem_ptr = k_heap_alloc(&my_heap, 200, K_MSEC(100));
	if (mem_ptr == NULL)
		fail_msg("memory allocation time-out");
	memset(mem_ptr, 0, 200);
	k_heap_free(&my_heap, mem_ptr);
	/* A request that cannot be met within the timeout gives NULL. */
	void *all = k_heap_alloc(&my_heap, 900, K_NO_WAIT);

	assert_non_null(all);
	assert_null(k_heap_alloc(&my_heap, 200, K_MSEC(20)));
	k_heap_free(&my_heap, all);
	assert_heap_valid(&my_heap.heap);
}

static _Alignas(8) unsigned char mem[4096];

static struct k_heap *fresh(struct k_heap *h, size_t bytes)
{
	t_fill_random(mem, sizeof mem, bytes);
	k_heap_init(h, mem, bytes);
	return h;
}

static void test_api(void **state)
{
	struct k_heap h;

	(void)state;
	fresh(&h, 1024);
	unsigned char *a = k_heap_alloc(&h, 100, K_NO_WAIT);
	unsigned char *z = k_heap_calloc(&h, 10, 30, K_NO_WAIT);
	void *al = k_heap_aligned_alloc(&h, 128, 40, K_NO_WAIT);

	assert_non_null(a);
	assert_non_null(z);
	for (int i = 0; i < 300; i++)
		assert_int_equal(z[i], 0);
	assert_non_null(al);
	assert_true((uintptr_t)al % 128 == 0);
	assert_null(k_heap_calloc(&h, SIZE_MAX / 2, 3, K_FOREVER));  /* overflow */
	assert_null(k_heap_aligned_alloc(&h, 24, 8, K_NO_WAIT));
	assert_null(k_heap_alloc(&h, 0, K_FOREVER));                  /* never possible */
	assert_null(k_heap_alloc(&h, 5000, K_FOREVER));
	memset(a, 0x3c, 100);
	unsigned char *b = k_heap_realloc(&h, a, 200, K_NO_WAIT);

	assert_non_null(b);
	for (int i = 0; i < 100; i++)
		assert_int_equal(b[i], 0x3c);
	assert_null(k_heap_realloc(&h, b, 0, K_NO_WAIT));
	void *c = k_heap_realloc(&h, NULL, 16, K_NO_WAIT);

	assert_non_null(c);
	k_heap_free(&h, c);
	k_heap_free(&h, z);
	k_heap_free(&h, al);
	k_heap_free(&h, NULL);
	assert_heap_valid(&h.heap);
	assert_int_equal(h.heap.fwm.allocated_bytes, 0);
	assert_int_equal(h.heap.fwm.failures, 3);
}

/* ---- threads -------------------------------------------------------------------- */

struct waiter {
	pthread_t thread;
	struct k_heap *h;
	size_t bytes;
	k_timeout_t timeout;
	void *realloc_from;     /* k_heap_realloc of this block instead */
	void *result;
	atomic_int finished;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	if (w->realloc_from != NULL)
		w->result = k_heap_realloc(w->h, w->realloc_from, w->bytes, w->timeout);
	else
		w->result = k_heap_alloc(w->h, w->bytes, w->timeout);
	atomic_store(&w->finished, 1);
	return NULL;
}

static void start(struct waiter *w, struct k_heap *h, size_t bytes, k_timeout_t timeout)
{
	w->h = h;
	w->bytes = bytes;
	w->timeout = timeout;
	w->result = NULL;
	atomic_store(&w->finished, 0);
	assert_int_equal(pthread_create(&w->thread, NULL, wait_thread, w), 0);
}

static unsigned waiters(struct k_heap *h)
{
	fwm_port_key_t key = fwm_port_lock();
	unsigned n = fwm_waitq_count(&h->wait_q);

	fwm_port_unlock(key);
	return n;
}

/* Waits (a hang guard of 10 s, not a timing check) until n threads are
 * queued on h. */
static void until_waiting(struct k_heap *h, unsigned n)
{
	for (int i = 0; i < 10000 && waiters(h) != n; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	assert_int_equal(waiters(h), n);
}

/* A full 1 KiB heap: a block of 800 bytes, one of 100, and the rest. */
static void *rest;

static void *fill(struct k_heap *h, void **small)
{
	fresh(h, 1024);
	void *big = k_heap_alloc(h, 800, K_NO_WAIT);

	*small = k_heap_alloc(h, 100, K_NO_WAIT);
	rest = k_heap_alloc(h, fwm_heap_largest_free(&h->heap), K_NO_WAIT);
	assert_non_null(big);
	assert_non_null(*small);
	assert_non_null(rest);
	assert_null(k_heap_alloc(h, 1, K_NO_WAIT));
	return big;
}

static void test_woken_by_free(void **state)
{
	struct k_heap h;
	struct waiter w = { 0 };
	void *small;
	void *big = fill(&h, &small);

	(void)state;
	start(&w, &h, 600, K_FOREVER);
	until_waiting(&h, 1);
	assert_int_equal(atomic_load(&w.finished), 0);
	k_heap_free(&h, big);
	/* Handed over under the lock: the waiter is already off the queue. */
	assert_int_equal(waiters(&h), 0);
	pthread_join(w.thread, NULL);
	assert_non_null(w.result);
	assert_true(sys_heap_usable_size(&h.heap, w.result) >= 600);
	k_heap_free(&h, w.result);
	k_heap_free(&h, small);
	k_heap_free(&h, rest);
	assert_heap_valid(&h.heap);
	/* A wait that ends in success is not a failure. */
	assert_int_equal(h.heap.fwm.failures, 1);
}

static void test_times_out(void **state)
{
	struct k_heap h;
	struct waiter w = { 0 };
	void *small;
	void *big = fill(&h, &small);

	(void)state;
	start(&w, &h, 600, K_MSEC(30));
	pthread_join(w.thread, NULL);
	assert_null(w.result);
	assert_int_equal(waiters(&h), 0);
	assert_int_equal(h.heap.fwm.failures, 2);
	k_heap_free(&h, big);
	k_heap_free(&h, small);
	k_heap_free(&h, rest);
	assert_heap_valid(&h.heap);
	assert_int_equal(h.heap.fwm.allocated_bytes, 0);
}

static void test_small_free_keeps_large_waiting(void **state)
{
	struct k_heap h;
	struct waiter w = { 0 };
	void *small;
	void *big = fill(&h, &small);

	(void)state;
	start(&w, &h, 600, K_FOREVER);
	until_waiting(&h, 1);
	k_heap_free(&h, small);                 /* 100 bytes back: not enough */
	assert_int_equal(waiters(&h), 1);
	assert_int_equal(atomic_load(&w.finished), 0);
	k_heap_free(&h, big);
	pthread_join(w.thread, NULL);
	assert_non_null(w.result);
	k_heap_free(&h, w.result);
	k_heap_free(&h, rest);
	assert_heap_valid(&h.heap);
	assert_int_equal(h.heap.fwm.allocated_bytes, 0);
}

/* Waiters for 600 and then 80 bytes: freeing 100 bytes satisfies the
 * second only, although the first is older; the first keeps waiting. */
static void test_only_satisfiable_woken(void **state)
{
	struct k_heap h;
	struct waiter large = { 0 }, smallw = { 0 };
	void *small;
	void *big = fill(&h, &small);

	(void)state;
	assert_null(k_heap_alloc(&h, 80, K_NO_WAIT));
	start(&large, &h, 600, K_FOREVER);
	until_waiting(&h, 1);
	start(&smallw, &h, 80, K_FOREVER);
	until_waiting(&h, 2);
	k_heap_free(&h, small);
	pthread_join(smallw.thread, NULL);
	assert_non_null(smallw.result);
	assert_int_equal(waiters(&h), 1);
	assert_int_equal(atomic_load(&large.finished), 0);
	k_heap_free(&h, smallw.result);
	k_heap_free(&h, big);
	pthread_join(large.thread, NULL);
	assert_non_null(large.result);
	k_heap_free(&h, large.result);
	k_heap_free(&h, rest);
	assert_heap_valid(&h.heap);
	assert_int_equal(h.heap.fwm.allocated_bytes, 0);
}

static void test_realloc_waits(void **state)
{
	struct k_heap h;
	struct waiter w = { 0 };
	void *small;
	void *big = fill(&h, &small);

	(void)state;
	memset(small, 0x77, 100);
	w.realloc_from = small;
	start(&w, &h, 500, K_FOREVER);
	until_waiting(&h, 1);
	k_heap_free(&h, big);
	pthread_join(w.thread, NULL);
	assert_non_null(w.result);
	for (int i = 0; i < 100; i++)
		assert_int_equal(((unsigned char *)w.result)[i], 0x77);
	k_heap_free(&h, w.result);
	k_heap_free(&h, rest);
	assert_heap_valid(&h.heap);
	assert_int_equal(h.heap.fwm.allocated_bytes, 0);
	assert_int_equal(h.heap.fwm.reallocs, 1);
}

/* Threads allocating and freeing with short timeouts on one heap. */
struct worker {
	struct k_heap *h;
	uint64_t seed;
	unsigned long ops, got, timeouts;
	int bad;
};

static void *work(void *arg)
{
	struct worker *k = arg;
	unsigned char *live[12] = { 0 };
	size_t sizes[12];

	for (unsigned long i = 0; i < k->ops; i++) {
		unsigned s = t_rand(&k->seed, 12);

		if (live[s] == NULL) {
			size_t n = 1 + t_rand(&k->seed, 200);

			live[s] = k_heap_alloc(k->h, n, t_rand(&k->seed, 4) ? K_MSEC(1) : K_NO_WAIT);
			if (live[s] != NULL) {
				sizes[s] = n;
				memset(live[s], (int)s, n);
				k->got++;
			} else {
				k->timeouts++;
			}
		} else {
			for (size_t j = 0; j < sizes[s]; j++)
				if (live[s][j] != s)
					k->bad = 1;
			k_heap_free(k->h, live[s]);
			live[s] = NULL;
		}
	}
	for (int s = 0; s < 12; s++)
		k_heap_free(k->h, live[s]);
	return NULL;
}

static void test_threads(void **state)
{
	struct k_heap h;
	struct worker k[4];
	pthread_t t[4];

	(void)state;
	fresh(&h, 2048);
	for (int i = 0; i < 4; i++) {
		k[i] = (struct worker){ &h, 1000u + (uint64_t)i, t_stress_ops(10000), 0, 0, 0 };
		pthread_create(&t[i], NULL, work, &k[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(k[i].bad, 0);
		assert_true(k[i].got > 0);
	}
	unsigned long got = 0, failed = 0;

	for (int i = 0; i < 4; i++) {
		got += k[i].got;
		failed += k[i].timeouts;
	}
	print_message("# 4 threads: %lu blocks, %lu allocations failed or timed out\n", got, failed);
	assert_heap_valid(&h.heap);
	assert_int_equal(h.heap.fwm.allocated_bytes, 0);
	assert_int_equal(waiters(&h), 0);
	assert_int_equal(h.heap.fwm.faults, 0);
}

/* ---- system heap --------------------------------------------------------------- */

static int reports;

static void count_report(struct sys_heap *heap, enum fwm_heap_fault fault, void *ptr, const char *msg)
{
	(void)heap;
	(void)ptr;
	(void)msg;
	assert_int_equal(fault, FWM_HEAP_FAULT_FOREIGN);
	reports++;
}

static void test_k_malloc(void **state)
{
	int local;

	(void)state;
	unsigned char *p = k_malloc(100);
	unsigned char *z = k_calloc(25, 4);
	void *a = k_aligned_alloc(256, 10);

	assert_non_null(p);
	assert_true((uintptr_t)p % 8 == 0);
	assert_non_null(z);
	for (int i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	assert_non_null(a);
	assert_true((uintptr_t)a % 256 == 0);
	assert_null(k_aligned_alloc(48, 10));
	assert_null(k_calloc(SIZE_MAX / 8, 16));
	assert_null(k_malloc(_system_heap.heap.init_bytes + 1));
	assert_true(fwm_heap_contains(&_system_heap.heap, p));
	/* 4 bytes of header and no heap pointer: a 4-byte block takes 8. */
	size_t before = _system_heap.heap.fwm.allocated_bytes;
	void *q1 = k_malloc(4);
	void *q2 = k_malloc(4);

	assert_int_equal(_system_heap.heap.fwm.allocated_bytes - before, 16);
	assert_int_equal(sys_heap_usable_size(&_system_heap.heap, q1), 4);
	assert_true((uintptr_t)q1 % 8 == 0 && (uintptr_t)q2 % 8 == 0);
	memset(p, 1, 100);
	p = k_realloc(p, 1000);
	assert_non_null(p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 1);
	assert_null(k_realloc(p, 0));
	fwm_heap_set_report(count_report);
	k_free(&local);                          /* not from k_malloc */
	fwm_heap_set_report(NULL);
	assert_int_equal(reports, 1);
	k_free(NULL);
	k_free(z);
	k_free(a);
	k_free(q1);
	k_free(q2);
	assert_heap_valid(&_system_heap.heap);
	assert_int_equal(_system_heap.heap.fwm.allocated_bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_define),
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_woken_by_free),
		cmocka_unit_test(test_times_out),
		cmocka_unit_test(test_small_free_keeps_large_waiting),
		cmocka_unit_test(test_only_satisfiable_woken),
		cmocka_unit_test(test_realloc_waits),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_k_malloc),
	};

	return cmocka_run_group_tests_name("k_heap", tests, NULL, NULL);
}
