/* Memory slabs: Zephyr's documented example, exhaustion and timeouts,
 * blocking with a thread, bad frees, statistics, and a randomized run
 * against a model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <time.h>
#include <zephyr/kernel.h>
#include "agent_test.h"

/* As in Zephyr's memory slab documentation. */
K_MEM_SLAB_DEFINE(my_slab, 400, 6, 4);

static void test_doc_example(void **state)
{
	char *block_ptr;

	(void)state;
	if (k_mem_slab_alloc(&my_slab, (void **)&block_ptr, K_MSEC(100)) == 0) {
		memset(block_ptr, 0, 400);
		k_mem_slab_free(&my_slab, block_ptr);
	} else {
		fail_msg("memory allocation time-out");
	}
	assert_int_equal(k_mem_slab_num_used_get(&my_slab), 0);
	assert_int_equal(k_mem_slab_num_free_get(&my_slab), 6);
	assert_int_equal(k_mem_slab_max_used_get(&my_slab), 1);
}

K_MEM_SLAB_DEFINE_STATIC(aligned_slab, 20, 5, 64);

static void test_exhaust(void **state)
{
	void *b[5], *x;

	(void)state;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(k_mem_slab_alloc(&aligned_slab, &b[i], K_NO_WAIT), 0);
		/* 20 bytes round up to a word multiple; the buffer is 64-aligned. */
		assert_true((char *)b[i] >= _k_mem_slab_buf_aligned_slab &&
			    (char *)b[i] + 24 <= _k_mem_slab_buf_aligned_slab + sizeof _k_mem_slab_buf_aligned_slab);
		assert_true((uintptr_t)b[i] % sizeof(void *) == 0);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(b[i], b[j]);
	}
	assert_true((uintptr_t)_k_mem_slab_buf_aligned_slab % 64 == 0);
	assert_int_equal(k_mem_slab_alloc(&aligned_slab, &x, K_NO_WAIT), -ENOMEM);
	assert_null(x);
	assert_int_equal(k_mem_slab_alloc(&aligned_slab, &x, K_MSEC(10)), -EAGAIN);
	assert_int_equal(k_mem_slab_num_free_get(&aligned_slab), 0);
	k_mem_slab_free(&aligned_slab, b[2]);
	assert_int_equal(k_mem_slab_alloc(&aligned_slab, &x, K_NO_WAIT), 0);
	assert_ptr_equal(x, b[2]);                 /* last freed, first reused */
	for (int i = 0; i < 5; i++)
		k_mem_slab_free(&aligned_slab, b[i]);
	assert_int_equal(k_mem_slab_num_used_get(&aligned_slab), 0);
	assert_int_equal(k_mem_slab_max_used_get(&aligned_slab), 5);
	struct sys_memory_stats st;

	assert_int_equal(k_mem_slab_runtime_stats_get(&aligned_slab, &st), 0);
	assert_int_equal(st.allocated_bytes, 0);
	assert_int_equal(st.free_bytes, 5 * 24);
	assert_int_equal(st.max_allocated_bytes, 5 * 24);
	assert_int_equal(k_mem_slab_runtime_stats_reset_max(&aligned_slab), 0);
	assert_int_equal(k_mem_slab_max_used_get(&aligned_slab), 0);
	assert_int_equal(k_mem_slab_runtime_stats_get(NULL, &st), -EINVAL);
	assert_int_equal(k_mem_slab_runtime_stats_reset_max(NULL), -EINVAL);
}

static _Alignas(16) char buf[64 * 32];

static void test_init_and_bad_free(void **state)
{
	struct k_mem_slab s;
	void *a, *b;
	int local;

	(void)state;
	assert_int_equal(k_mem_slab_init(&s, buf, 12, 4), sizeof(void *) == 4 ? 0 : -EINVAL);
	assert_int_equal(k_mem_slab_init(&s, buf + 1, 32, 4), -EINVAL);
	assert_int_equal(k_mem_slab_init(&s, buf, 0, 4), -EINVAL);
	assert_int_equal(k_mem_slab_init(NULL, buf, 32, 4), -EINVAL);
	assert_int_equal(k_mem_slab_alloc(NULL, &a, K_NO_WAIT), -EINVAL);
	assert_int_equal(k_mem_slab_init(&s, buf, 32, 4), 0);
	assert_int_equal(k_mem_slab_alloc(&s, NULL, K_NO_WAIT), -EINVAL);
	assert_int_equal(k_mem_slab_alloc(&s, &a, K_NO_WAIT), 0);
	assert_int_equal(k_mem_slab_alloc(&s, &b, K_NO_WAIT), 0);
	k_mem_slab_free(&s, &local);                 /* not a block: ignored */
	k_mem_slab_free(&s, (char *)a + 8);          /* inside a block */
	k_mem_slab_free(&s, buf + 3 * 32);           /* never handed out */
	assert_int_equal(k_mem_slab_num_used_get(&s), 2);
	k_mem_slab_free(&s, a);
	k_mem_slab_free(&s, a);                      /* double free of the last freed */
	assert_int_equal(k_mem_slab_num_used_get(&s), 1);
	k_mem_slab_free(&s, b);
	k_mem_slab_free(&s, NULL);
	assert_int_equal(k_mem_slab_num_used_get(&s), 0);
	/* Exactly 4 blocks, each handed out once. */
	void *all[4];

	for (int i = 0; i < 4; i++)
		assert_int_equal(k_mem_slab_alloc(&s, &all[i], K_NO_WAIT), 0);
	assert_int_equal(k_mem_slab_alloc(&s, &a, K_NO_WAIT), -ENOMEM);
}

struct slab_waiter {
	struct k_mem_slab *slab;
	void *block;
	int rc;
};

static void *slab_wait(void *arg)
{
	struct slab_waiter *w = arg;

	w->rc = k_mem_slab_alloc(w->slab, &w->block, K_FOREVER);
	return NULL;
}

static void test_blocking(void **state)
{
	struct k_mem_slab s;
	void *b[4];
	pthread_t t;
	struct slab_waiter w = { &s, NULL, -1 };

	(void)state;
	k_mem_slab_init(&s, buf, 64, 4);
	for (int i = 0; i < 4; i++)
		k_mem_slab_alloc(&s, &b[i], K_NO_WAIT);
	pthread_create(&t, NULL, slab_wait, &w);
	for (int i = 0; i < 10000; i++) {
		fwm_port_key_t key = fwm_port_lock();
		unsigned n = fwm_waitq_count(&s.wait_q);

		fwm_port_unlock(key);
		if (n == 1)
			break;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	k_mem_slab_free(&s, b[1]);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, 0);
	assert_ptr_equal(w.block, b[1]);           /* handed over directly */
	assert_int_equal(k_mem_slab_num_used_get(&s), 4);
}

static void test_model(void **state)
{
	enum { N = 48, SZ = 40 };
	static _Alignas(8) char sbuf[N * SZ];
	struct k_mem_slab s;
	char *live[N];
	unsigned char fill[N];
	size_t nlive = 0;
	uint64_t seed = 77;
	unsigned long ops = t_stress_ops(300000);

	(void)state;
	t_fill_random(sbuf, sizeof sbuf, 5);
	assert_int_equal(k_mem_slab_init(&s, sbuf, SZ, N), 0);
	for (unsigned long op = 0; op < ops; op++) {
		if (nlive < N && (nlive == 0 || t_rand(&seed, 2))) {
			void *p;

			assert_int_equal(k_mem_slab_alloc(&s, &p, K_NO_WAIT), 0);
			for (size_t i = 0; i < nlive; i++)
				assert_ptr_not_equal(p, live[i]);
			assert_true((char *)p >= sbuf && (char *)p + SZ <= sbuf + sizeof sbuf);
			assert_true(((char *)p - sbuf) % SZ == 0);
			live[nlive] = p;
			fill[nlive] = (unsigned char)t_rand(&seed, 256);
			memset(p, fill[nlive], SZ);
			nlive++;
		} else {
			if (nlive == N) {
				void *p;

				assert_int_equal(k_mem_slab_alloc(&s, &p, K_NO_WAIT), -ENOMEM);
			}
			size_t i = t_rand(&seed, (uint32_t)nlive);

			for (int k = 0; k < SZ; k++)
				assert_int_equal((unsigned char)live[i][k], fill[i]);
			k_mem_slab_free(&s, live[i]);
			live[i] = live[--nlive];
			fill[i] = fill[nlive];
		}
		assert_int_equal(k_mem_slab_num_used_get(&s), nlive);
		assert_int_equal(k_mem_slab_num_free_get(&s), N - nlive);
	}
	assert_int_equal(k_mem_slab_max_used_get(&s), N);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_exhaust),
		cmocka_unit_test(test_init_and_bad_free),
		cmocka_unit_test(test_blocking),
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests_name("mem_slab", tests, NULL, NULL);
}
