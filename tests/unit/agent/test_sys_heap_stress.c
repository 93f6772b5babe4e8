/* sys_heap: randomized stress against a reference model, with a full
 * validation after every operation, and Zephyr's sys_heap_stress rig.
 *
 * The model keeps, for every byte of the heap's memory, which live block
 * owns it (so overlapping blocks are caught at once), each block's fill
 * byte (so a block whose contents change is caught), and the heap's
 * expected allocated bytes. Memory starts filled with random bytes.
 * FWM_STRESS_OPS sets the operations per configuration (defaults: 300000
 * on the small heaps, fewer on the large ones, whose many chunks make each
 * validation longer). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "agent_test.h"

struct blk {
	unsigned char *p;
	size_t n;          /* bytes asked for, all filled with fill */
	size_t align;
	size_t usable;     /* sys_heap_usable_size when it was handed out */
	unsigned char fill;
};

struct model {
	struct sys_heap h;
	unsigned char *mem;
	size_t size;
	uint32_t *owner;   /* per byte of mem: 1 + index into b[], or 0 */
	struct blk *b;
	size_t nb, cap;
	size_t hdr;
	size_t expect_allocated;
	uint64_t rng;
	unsigned long fails;
};

static size_t usable(struct model *m, const void *p)
{
	return sys_heap_usable_size(&m->h, (void *)p);
}

static void own(struct model *m, size_t i, bool take)
{
	struct blk *b = &m->b[i];
	size_t n = b->usable;
	size_t off = (size_t)(b->p - m->mem);

	if (take) {
		if (b->p < m->mem || off + n > m->size)
			fail_msg("block %p+%zu outside the heap memory", (void *)b->p, n);
		if ((uintptr_t)b->p % 8 != 0 || (b->align > 1 && (uintptr_t)b->p % b->align != 0))
			fail_msg("block %p not aligned to %zu", (void *)b->p, b->align);
		if (n < b->n)
			fail_msg("usable size %zu below the %zu asked for", n, b->n);
		m->expect_allocated += n + m->hdr;
	} else {
		m->expect_allocated -= n + m->hdr;
	}
	for (size_t k = 0; k < n; k++) {
		if (take && m->owner[off + k] != 0)
			fail_msg("block %zu overlaps block %u at byte %zu", i, m->owner[off + k] - 1, off + k);
		m->owner[off + k] = take ? (uint32_t)(i + 1) : 0;
	}
}

static void check_fill(struct model *m, size_t i)
{
	struct blk *b = &m->b[i];

	for (size_t k = 0; k < b->n; k++)
		if (b->p[k] != b->fill)
			fail_msg("block %zu (%zu bytes) byte %zu changed: 0x%02x, expected 0x%02x",
				 i, b->n, k, b->p[k], b->fill);
}

static size_t rand_size(struct model *m)
{
	unsigned scale = t_rand(&m->rng, 12);

	return 1 + t_rand(&m->rng, 1u << scale);
}

static size_t rand_align(struct model *m)
{
	return t_rand(&m->rng, 10) < 7 ? 0 : (size_t)1 << t_rand(&m->rng, 11);
}

/* A NULL from alloc is only allowed when no bucket above the request's
 * (widened by the worst alignment gap) has a chunk: those always fit. */
static void check_failure(struct model *m, size_t n, size_t align)
{
	struct fwm_heap_info info;

	fwm_heap_info_get(&m->h, &info);
	if (n == 0 || n > info.capacity_bytes)
		return;
	size_t units = (n + m->hdr + 7) / 8 + (align > 8 ? align / 8 + 1 : 0);
	unsigned b = 0;

	while ((2ull << b) <= units)
		b++;
	for (unsigned bb = b + 1; bb < FWM_HEAP_NBUCKETS; bb++)
		if (info.bucket_chunks[bb] != 0)
			fail_msg("alloc of %zu (align %zu) failed with %u free chunks in bucket %u",
				 n, align, info.bucket_chunks[bb], bb);
	m->fails++;
}

static void add_block(struct model *m, unsigned char *p, size_t n, size_t align)
{
	if (m->nb == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->b = realloc(m->b, m->cap * sizeof *m->b);
		assert_non_null(m->b);
	}
	size_t i = m->nb++;

	m->b[i] = (struct blk){ p, n, align, usable(m, p), (unsigned char)t_rand(&m->rng, 256) };
	own(m, i, true);
	memset(p, m->b[i].fill, n);
}

static void drop_block(struct model *m, size_t i)
{
	size_t last = m->nb - 1;

	own(m, i, false);
	if (i != last) {
		own(m, last, false);
		m->b[i] = m->b[last];
		m->nb--;
		own(m, i, true);
	} else {
		m->nb--;
	}
}

static void one_op(struct model *m)
{
	uint32_t k = t_rand(&m->rng, 100);
	size_t used = m->h.fwm.allocated_bytes;
	bool want_alloc = m->nb == 0 || (k < 55 && used < m->size * 9 / 10) || used < m->size / 4;

	if (want_alloc) {
		size_t n = rand_size(m), align = rand_align(m);
		unsigned char *p = align ? sys_heap_aligned_alloc(&m->h, align, n)
					 : sys_heap_alloc(&m->h, n);

		if (p == NULL)
			check_failure(m, n, align);
		else
			add_block(m, p, n, align);
	} else if (k < 80) {
		size_t i = t_rand(&m->rng, (uint32_t)m->nb);

		check_fill(m, i);
		sys_heap_free(&m->h, m->b[i].p);
		drop_block(m, i);
	} else {
		size_t i = t_rand(&m->rng, (uint32_t)m->nb);
		size_t n = rand_size(m);
		size_t align = k < 90 ? 0 : rand_align(m);
		struct blk old = m->b[i];

		check_fill(m, i);
		own(m, i, false);
		unsigned char *p = sys_heap_aligned_realloc(&m->h, old.p, align, n);

		if (p == NULL) {
			own(m, i, true);          /* the old block must be untouched */
			check_fill(m, i);
			check_failure(m, n, align);
			return;
		}
		size_t keep = old.n < n ? old.n : n;

		for (size_t j = 0; j < keep; j++)
			if (p[j] != old.fill)
				fail_msg("realloc %p -> %p (%zu -> %zu) lost byte %zu", (void *)old.p,
					 (void *)p, old.n, n, j);
		m->b[i] = (struct blk){ p, n, align, usable(m, p), old.fill };
		own(m, i, true);
		memset(p, old.fill, n);
	}
}

static void run_model(size_t size, size_t skew, unsigned long ops, uint64_t seed)
{
	struct model m = { 0 };
	unsigned char *raw = malloc(size + 64);

	assert_non_null(raw);
	m.mem = (unsigned char *)(((uintptr_t)raw + 63) & ~(uintptr_t)63) + skew;
	m.size = size - skew;
	m.owner = calloc(m.size, sizeof *m.owner);
	m.rng = seed;
	t_fill_random(m.mem, m.size, seed);
	sys_heap_init(&m.h, m.mem, m.size);
	assert_heap_valid(&m.h);
	struct fwm_heap_info info;

	fwm_heap_info_get(&m.h, &info);
	m.hdr = info.header_bytes;
	for (unsigned long op = 0; op < ops; op++) {
		one_op(&m);
		assert_heap_valid(&m.h);
		if (m.h.fwm.allocated_bytes != m.expect_allocated)
			fail_msg("op %lu: allocated_bytes %zu, model %zu", op, m.h.fwm.allocated_bytes,
				 m.expect_allocated);
		if (op % 512 == 0)
			for (size_t i = 0; i < m.nb; i++)
				check_fill(&m, i);
	}
	while (m.nb > 0) {
		check_fill(&m, m.nb - 1);
		sys_heap_free(&m.h, m.b[m.nb - 1].p);
		drop_block(&m, m.nb - 1);
		assert_heap_valid(&m.h);
	}
	fwm_heap_info_get(&m.h, &info);
	assert_int_equal(info.free_chunks, 1);
	assert_int_equal(info.allocated_bytes, 0);
	assert_int_equal(info.faults, 0);
	print_message("# %zu-byte heap (%u-byte headers): %lu ops, %lu failed allocations\n",
		      m.size, info.header_bytes, ops, m.fails);
	free(m.b);
	free(m.owner);
	free(raw);
}

static void test_model_small(void **state)
{
	(void)state;
	run_model(4096, 0, t_stress_ops(300000), 101);
}

static void test_model_medium(void **state)
{
	(void)state;
	run_model(64 * 1024, 4, t_stress_ops(100000), 102);
}

static void test_model_big(void **state)
{
	(void)state;
	run_model(300 * 1024, 0, t_stress_ops(60000), 103);
}

static void test_model_tiny(void **state)
{
	(void)state;
	run_model(256, 3, t_stress_ops(300000), 104);
}

/* ---- Zephyr's sys_heap_stress ---------------------------------------------- */

/* Validation after every operation, except on the 256 KiB heap, whose
 * thousands of chunks make that quadratic: every 64th there. */
static unsigned long stress_ops, stress_every;

static void stress_check(struct sys_heap *h)
{
	if (++stress_ops % stress_every == 0)
		assert_heap_valid(h);
}

static void *stress_alloc(void *arg, size_t bytes)
{
	struct sys_heap *h = arg;
	void *p = sys_heap_alloc(h, bytes);

	if (p != NULL)
		memset(p, 0xa5, bytes);
	stress_check(h);
	return p;
}

static void stress_free(void *arg, void *p)
{
	struct sys_heap *h = arg;

	sys_heap_free(h, p);
	stress_check(h);
}

/* Runs the rig as Zephyr's tests do (2 x heap-size operations, scratch for
 * the live list) and checks the success rate and average usage against
 * Zephyr's own sys_heap with 4-byte headers on the same rig (the figures in
 * issue 4): at least as high, both. The seed is fixed, so the figures are
 * exact; bench/RESULTS.md has them over 300 seeds as well. */
static void zephyr_stress(size_t size, int target, double min_success, double min_usage)
{
	unsigned char *mem = malloc(size);
	size_t scratch_bytes = size * 16;
	void *scratch = malloc(scratch_bytes);
	struct sys_heap h;
	struct z_heap_stress_result r;

	assert_non_null(mem);
	assert_non_null(scratch);
	t_fill_random(mem, size, size);
	sys_heap_init(&h, mem, size);
	stress_ops = 0;
	stress_every = size > 4096 ? 64 : 1;
	sys_heap_stress(stress_alloc, stress_free, &h, size, (uint32_t)(2 * size), scratch,
			scratch_bytes, target, &r);
	double success = 100.0 * r.successful_allocs / r.total_allocs;
	double usage = 100.0 * (double)r.accumulated_in_use_bytes / (2.0 * (double)size) / (double)size;

	print_message("# sys_heap_stress %zu B at %d%%: %u allocs, %u ok, %u frees: "
		      "success %.1f%%, average usage %.1f%%\n",
		      size, target, r.total_allocs, r.successful_allocs, r.total_frees, success, usage);
	assert_int_equal(r.total_allocs + r.total_frees, 2 * size);
	assert_heap_valid(&h);
	if (success < min_success || usage < min_usage)
		fail_msg("success %.1f%% / usage %.1f%%, Zephyr's sys_heap: %.1f%% / %.1f%%",
			 success, usage, min_success, min_usage);
	free(scratch);
	free(mem);
}

static void test_zephyr_2k_50(void **state)
{
	(void)state;
	zephyr_stress(2048, 50, 94.1, 43.2);
}

static void test_zephyr_2k_100(void **state)
{
	(void)state;
	zephyr_stress(2048, 100, 36.5, 50.9);
}

static void test_zephyr_256k_100(void **state)
{
	(void)state;
	zephyr_stress(256 * 1024, 100, 42.6, 54.4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_small),
		cmocka_unit_test(test_model_medium),
		cmocka_unit_test(test_model_big),
		cmocka_unit_test(test_model_tiny),
		cmocka_unit_test(test_zephyr_2k_50),
		cmocka_unit_test(test_zephyr_2k_100),
		cmocka_unit_test(test_zephyr_256k_100),
	};

	return cmocka_run_group_tests_name("sys_heap_stress", tests, NULL, NULL);
}
