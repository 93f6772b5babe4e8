/* sys_mem_blocks: Zephyr's documented example, scattered and contiguous
 * allocation, get/is_region_free, all-or-nothing frees with double-free
 * detection, groups, statistics, and a randomized run against a model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <zephyr/sys/mem_blocks.h>
#include "agent_test.h"

/* As in Zephyr's memory blocks documentation. */
SYS_MEM_BLOCKS_DEFINE(allocator, 64, 4, 4);

static void test_doc_example(void **state)
{
	void *blocks[2];
	void *block;
	int ret;

	(void)state;
	ret = sys_mem_blocks_alloc(&allocator, 2, blocks);
	assert_int_equal(ret, 0);
	ret = sys_mem_blocks_alloc_contiguous(&allocator, 2, &block);
	assert_int_equal(ret, 0);
	/* The contiguous pair follows the two scattered blocks. */
	assert_ptr_equal(block, _sys_mem_blocks_buf_allocator + 128);
	ret = sys_mem_blocks_free(&allocator, 2, blocks);
	assert_int_equal(ret, 0);
	ret = sys_mem_blocks_free_contiguous(&allocator, block, 2);
	assert_int_equal(ret, 0);
	assert_int_equal(allocator.used_blocks, 0);
}

static _Alignas(64) uint8_t buf[100 * 32];
SYS_MEM_BLOCKS_DEFINE_STATIC_WITH_EXT_BUF(ext, 32, 100, buf);

static void test_scattered_and_contiguous(void **state)
{
	void *b[100], *run;

	(void)state;
	/* Every other block taken: 50 scattered blocks fit, 2 adjacent do not. */
	for (int i = 0; i < 100; i += 2)
		assert_int_equal(sys_mem_blocks_get(&ext, buf + i * 32, 1), 0);
	assert_int_equal(sys_mem_blocks_alloc_contiguous(&ext, 2, &run), -ENOMEM);
	assert_null(run);
	assert_int_equal(sys_mem_blocks_alloc(&ext, 51, b), -ENOMEM);
	assert_int_equal(ext.used_blocks, 50);            /* all or nothing */
	assert_int_equal(sys_mem_blocks_alloc(&ext, 50, b), 0);
	for (int i = 0; i < 50; i++)
		assert_ptr_equal(b[i], buf + (2 * i + 1) * 32);
	assert_int_equal(sys_mem_blocks_alloc(&ext, 1, b), -ENOMEM);
	/* Free a run of 5 in the middle, then ask for 5 adjacent blocks. */
	for (int i = 40; i < 45; i++) {
		void *p = buf + i * 32;

		assert_int_equal(sys_mem_blocks_free(&ext, 1, &p), 0);
	}
	assert_int_equal(sys_mem_blocks_is_region_free(&ext, buf + 40 * 32, 5), 1);
	assert_int_equal(sys_mem_blocks_is_region_free(&ext, buf + 39 * 32, 5), 0);
	assert_int_equal(sys_mem_blocks_alloc_contiguous(&ext, 6, &run), -ENOMEM);
	assert_int_equal(sys_mem_blocks_alloc_contiguous(&ext, 5, &run), 0);
	assert_ptr_equal(run, buf + 40 * 32);
	assert_int_equal(sys_mem_blocks_alloc_contiguous(&ext, 0, &run), 0);
	assert_null(run);
	assert_int_equal(sys_mem_blocks_free_contiguous(&ext, buf, 100), 0);
	assert_int_equal(ext.used_blocks, 0);
	assert_int_equal(ext.max_used_blocks, 100);
}

static void test_bad_frees(void **state)
{
	void *b[3], *bad[2];
	int local;

	(void)state;
	assert_int_equal(sys_mem_blocks_alloc(&ext, 3, b), 0);
	bad[0] = b[0];
	bad[1] = &local;                                   /* not a block */
	assert_int_equal(sys_mem_blocks_free(&ext, 2, bad), -EFAULT);
	assert_int_equal(ext.used_blocks, 3);              /* nothing freed */
	assert_int_equal(sys_mem_blocks_is_region_free(&ext, b[0], 1), 0);
	bad[1] = b[0];                                     /* the same block twice */
	assert_int_equal(sys_mem_blocks_free(&ext, 2, bad), -EFAULT);
	assert_int_equal(ext.used_blocks, 3);
	bad[1] = (uint8_t *)b[1] + 1;                      /* inside a block */
	assert_int_equal(sys_mem_blocks_free(&ext, 2, bad), -EFAULT);
	assert_int_equal(sys_mem_blocks_free(&ext, 3, b), 0);
	assert_int_equal(sys_mem_blocks_free(&ext, 1, b), -EFAULT);      /* double free */
	assert_int_equal(sys_mem_blocks_free_contiguous(&ext, b[0], 1), -EFAULT);
	assert_int_equal(sys_mem_blocks_free_contiguous(&ext, buf + 99 * 32, 2), -EFAULT);
	assert_int_equal(sys_mem_blocks_get(&ext, buf + 99 * 32, 2), -EINVAL);
	assert_int_equal(sys_mem_blocks_get(&ext, buf + 3, 1), -EINVAL);
	assert_int_equal(sys_mem_blocks_alloc(NULL, 1, b), -EINVAL);
	assert_int_equal(sys_mem_blocks_alloc(&ext, 1, NULL), -EINVAL);
	assert_int_equal(sys_mem_blocks_alloc_contiguous(&ext, 1, NULL), -EINVAL);
	assert_int_equal(ext.used_blocks, 0);
	struct sys_memory_stats st;

	assert_int_equal(sys_mem_blocks_runtime_stats_get(&ext, &st), 0);
	assert_int_equal(st.allocated_bytes, 0);
	assert_int_equal(st.free_bytes, 3200);
	assert_int_equal(st.max_allocated_bytes, 3200);
	assert_int_equal(sys_mem_blocks_runtime_stats_reset_max(&ext), 0);
	assert_int_equal(ext.max_used_blocks, 0);
	assert_int_equal(sys_mem_blocks_runtime_stats_get(NULL, &st), -EINVAL);
}

/* ---- groups --------------------------------------------------------------------- */

SYS_MEM_BLOCKS_DEFINE_STATIC(small_blocks, 16, 8, 16);
SYS_MEM_BLOCKS_DEFINE_STATIC(large_blocks, 256, 4, 64);

static sys_mem_blocks_t *choose(struct sys_multi_mem_blocks *group, void *cfg)
{
	uintptr_t want = (uintptr_t)cfg;

	(void)group;
	return want == 0 ? NULL : want <= 16 ? &small_blocks : want <= 256 ? &large_blocks : NULL;
}

static void test_group(void **state)
{
	sys_multi_mem_blocks_t group;
	void *b[12];
	size_t sz = 0;

	(void)state;
	sys_multi_mem_blocks_init(&group, choose);
	sys_multi_mem_blocks_add_allocator(&group, &small_blocks);
	sys_multi_mem_blocks_add_allocator(&group, &large_blocks);
	assert_int_equal(sys_multi_mem_blocks_alloc(&group, (void *)(uintptr_t)100, 2, b, &sz), 0);
	assert_int_equal(sz, 256);
	assert_int_equal(large_blocks.used_blocks, 2);
	assert_int_equal(sys_multi_mem_blocks_alloc(&group, (void *)(uintptr_t)8, 9, b + 2, &sz), -ENOMEM);
	assert_int_equal(sys_multi_mem_blocks_alloc(&group, (void *)(uintptr_t)8, 2, b + 2, &sz), 0);
	assert_int_equal(sz, 16);
	assert_int_equal(sys_multi_mem_blocks_alloc(&group, (void *)(uintptr_t)1000, 1, b, &sz), -EINVAL);
	/* Frees find the owner by address. */
	assert_int_equal(sys_multi_mem_blocks_free(&group, 2, b + 2), 0);
	assert_int_equal(small_blocks.used_blocks, 0);
	assert_int_equal(sys_multi_mem_blocks_free(&group, 2, b), 0);
	assert_int_equal(large_blocks.used_blocks, 0);
	int local;
	void *x = &local;

	assert_int_equal(sys_multi_mem_blocks_free(&group, 1, &x), -EINVAL);
}

/* ---- model -------------------------------------------------------------------------- */

static void test_model(void **state)
{
	enum { NB = 200, SZ = 8 };
	static _Alignas(8) uint8_t mbuf[NB * SZ];
	static uint32_t map[Z_FWM_BITMAP_WORDS(NB)];
	sys_mem_blocks_t mb = { .num_blocks = NB, .blk_sz_shift = 3, .buffer = mbuf, .bitmap = map };
	bool used[NB] = { false };
	uint64_t seed = 9;
	unsigned long ops = t_stress_ops(200000);
	size_t nused = 0;

	(void)state;
	t_fill_random(mbuf, sizeof mbuf, 3);
	for (unsigned long op = 0; op < ops; op++) {
		uint32_t k = t_rand(&seed, 4);
		size_t count = 1 + t_rand(&seed, 8);
		void *out[8];

		if (k == 0) {                         /* scattered */
			int rc = sys_mem_blocks_alloc(&mb, count, out);

			assert_int_equal(rc, count <= NB - nused ? 0 : -ENOMEM);
			for (size_t i = 0; rc == 0 && i < count; i++) {
				size_t b = (size_t)((uint8_t *)out[i] - mbuf) / SZ;

				assert_false(used[b]);
				used[b] = true;
				nused++;
			}
		} else if (k == 1) {                  /* contiguous: the lowest free run */
			void *p;
			int rc = sys_mem_blocks_alloc_contiguous(&mb, count, &p);
			size_t first = NB, run = 0;

			for (size_t i = 0; i < NB && first == NB; i++) {
				run = used[i] ? 0 : run + 1;
				if (run == count)
					first = i + 1 - count;
			}
			assert_int_equal(rc, first < NB ? 0 : -ENOMEM);
			if (rc == 0) {
				assert_ptr_equal(p, mbuf + first * SZ);
				for (size_t i = first; i < first + count; i++)
					used[i] = true;
				nused += count;
			}
		} else {                              /* free some used blocks */
			size_t n = 0;

			for (size_t i = t_rand(&seed, NB); n < count && i < NB; i++)
				if (used[i])
					out[n++] = mbuf + i * SZ;
			assert_int_equal(sys_mem_blocks_free(&mb, n, out), 0);
			for (size_t i = 0; i < n; i++)
				used[(size_t)((uint8_t *)out[i] - mbuf) / SZ] = false;
			nused -= n;
			if (n > 0)
				assert_int_equal(sys_mem_blocks_free(&mb, 1, out), -EFAULT);
		}
		assert_int_equal(mb.used_blocks, nused);
		for (size_t i = 0; i < NB; i++)
			assert_int_equal(sys_mem_blocks_is_region_free(&mb, mbuf + i * SZ, 1), !used[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_scattered_and_contiguous),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests_name("mem_blocks", tests, NULL, NULL);
}
