/* multi_heap and shared_multi_heap: allocation by attribute across
 * regions, NULL when no region has the attribute, frees finding the region
 * by address, realloc across heaps, and the documented SMH example. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <zephyr/sys/multi_heap.h>
#include <zephyr/multi_heap/shared_multi_heap.h>
#include "agent_test.h"

static _Alignas(64) unsigned char mem_a[2048], mem_b[4096];

/* cfg is the index of the heap to use. */
static void *by_index(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t size)
{
	uintptr_t i = (uintptr_t)cfg;

	return i < mheap->nheaps ? sys_heap_aligned_alloc(mheap->heaps[i].heap, align, size) : NULL;
}

static void test_multi_heap(void **state)
{
	struct sys_multi_heap mh;
	struct sys_heap a, b;
	int tag_a, tag_b;

	(void)state;
	t_fill_random(mem_a, sizeof mem_a, 1);
	t_fill_random(mem_b, sizeof mem_b, 2);
	sys_heap_init(&a, mem_a, sizeof mem_a);
	sys_heap_init(&b, mem_b, sizeof mem_b);
	sys_multi_heap_init(&mh, by_index);
	sys_multi_heap_add_heap(&mh, &a, &tag_a);
	sys_multi_heap_add_heap(&mh, &b, &tag_b);
	unsigned char *p = sys_multi_heap_alloc(&mh, (void *)0, 100);
	unsigned char *q = sys_multi_heap_aligned_alloc(&mh, (void *)1, 256, 100);

	assert_true(p >= mem_a && p < mem_a + sizeof mem_a);
	assert_true(q >= mem_b && q < mem_b + sizeof mem_b);
	assert_true((uintptr_t)q % 256 == 0);
	assert_null(sys_multi_heap_alloc(&mh, (void *)7, 10));
	assert_ptr_equal(sys_multi_heap_get_heap(&mh, p)->user_data, &tag_a);
	assert_ptr_equal(sys_multi_heap_get_heap(&mh, q)->user_data, &tag_b);
	assert_null(sys_multi_heap_get_heap(&mh, &mh));
	/* Too big for heap a: moves to the heap the choice function names. */
	memset(p, 0x42, 100);
	unsigned char *r = sys_multi_heap_realloc(&mh, (void *)1, p, 3000);

	assert_true(r >= mem_b && r < mem_b + sizeof mem_b);
	for (int i = 0; i < 100; i++)
		assert_int_equal(r[i], 0x42);
	assert_int_equal(a.fwm.allocated_bytes, 0);
	/* In place when it fits. */
	assert_ptr_equal(sys_multi_heap_realloc(&mh, (void *)0, r, 200), r);
	sys_multi_heap_free(&mh, r);
	sys_multi_heap_free(&mh, q);
	sys_multi_heap_free(&mh, NULL);
	sys_multi_heap_free(&mh, &mh);                  /* in no heap: ignored */
	assert_int_equal(b.fwm.allocated_bytes, 0);
	assert_heap_valid(&a);
	assert_heap_valid(&b);
}

/* As in Zephyr's shared multi-heap documentation. */
static _Alignas(64) unsigned char cacheable_ram[8192], dma_ram[4096], tcm_ram[1024];

static void test_shared_multi_heap(void **state)
{
	(void)state;
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 64));   /* no pool yet */
	assert_int_equal(shared_multi_heap_pool_init(), 0);
	assert_int_equal(shared_multi_heap_pool_init(), -EALREADY);

	struct shared_multi_heap_region cacheable_r0 = {
		.addr = (uintptr_t)cacheable_ram,
		.size = sizeof cacheable_ram,
		.attr = SMH_REG_ATTR_CACHEABLE,
	};
	struct shared_multi_heap_region non_cacheable_r0 = {
		.addr = (uintptr_t)dma_ram,
		.size = sizeof dma_ram,
		.attr = SMH_REG_ATTR_NON_CACHEABLE,
	};
	struct shared_multi_heap_region bad = { .addr = (uintptr_t)tcm_ram, .size = 16,
						.attr = MAX_SHARED_MULTI_HEAP_ATTR };

	assert_int_equal(shared_multi_heap_add(&cacheable_r0, NULL), 0);
	assert_int_equal(shared_multi_heap_add(&non_cacheable_r0, NULL), 0);
	assert_int_equal(shared_multi_heap_add(&bad, NULL), -EINVAL);

	unsigned char *block = shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 0x400);

	assert_true(block >= dma_ram && block + 0x400 <= dma_ram + sizeof dma_ram);
	unsigned char *c = shared_multi_heap_aligned_alloc(SMH_REG_ATTR_CACHEABLE, 512, 100);

	assert_true(c >= cacheable_ram && c < cacheable_ram + sizeof cacheable_ram);
	assert_true((uintptr_t)c % 512 == 0);
	/* No region has the custom attribute yet: NULL. */
	enum shared_multi_heap_attr tcm = (enum shared_multi_heap_attr)(SMH_REG_ATTR_NUM + 0);

	assert_null(shared_multi_heap_alloc(tcm, 16));
	struct shared_multi_heap_region tcm_r = { .addr = (uintptr_t)tcm_ram, .size = sizeof tcm_ram,
						  .attr = tcm };

	assert_int_equal(shared_multi_heap_add(&tcm_r, NULL), 0);
	unsigned char *t = shared_multi_heap_alloc(tcm, 16);

	assert_true(t >= tcm_ram && t < tcm_ram + sizeof tcm_ram);
	/* Too big for the non-cacheable region: NULL, not memory elsewhere. */
	assert_null(shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 4000));
	shared_multi_heap_free(block);
	shared_multi_heap_free(c);
	shared_multi_heap_free(t);
	shared_multi_heap_free(NULL);
	/* Now the whole non-cacheable region can be had again. */
	block = shared_multi_heap_alloc(SMH_REG_ATTR_NON_CACHEABLE, 4000);
	assert_non_null(block);
	shared_multi_heap_free(block);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multi_heap),
		cmocka_unit_test(test_shared_multi_heap),
	};

	return cmocka_run_group_tests_name("multi_heap", tests, NULL, NULL);
}
