/* FreeRTOS heap schemes: the <portable.h> API of one scheme (built once per
 * scheme with FWM_TEST_HEAP=N and linked with libfwmem_heap_N.a), the
 * scheme's documented semantics (heap_1 never frees, heap_2 best fit
 * without merging, heap_4 first fit with merging, heap_5 regions), and a
 * randomized run of the scheme's core against a model with the free list
 * checked after every operation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <FreeRTOS.h>
#include "fwmem/rtos_heap.h"
#include "agent_test.h"

#ifndef FWM_TEST_HEAP
#error "build with -DFWM_TEST_HEAP=N"
#endif
#define N FWM_TEST_HEAP
#define FWM_STR2(x) #x
#define FWM_STR(x) FWM_STR2(x)

__attribute__((unused)) static size_t block_bytes(size_t n) /* a request's cost in heap_2/4/5 */
{
	return (n + 8 + 7) & ~(size_t)7;
}

/* ---- the API over the library's heap ------------------------------------------ */

#if N != 5 && N != 3
static void test_api_basics(void **state)
{
	(void)state;
	size_t total = xPortGetFreeHeapSize();

	assert_true(total <= configTOTAL_HEAP_SIZE - 8 && total + 16 >= configTOTAL_HEAP_SIZE);
	assert_null(pvPortMalloc(0));
	unsigned char *p = pvPortMalloc(100);

	assert_non_null(p);
	assert_true((uintptr_t)p % portBYTE_ALIGNMENT == 0);
	size_t cost = N == 1 ? 104 : block_bytes(100);

	assert_int_equal(xPortGetFreeHeapSize(), total - cost);
	assert_int_equal(xPortGetMinimumEverFreeHeapSize(), total - cost);
	unsigned char *z = pvPortCalloc(10, 10);

	assert_non_null(z);
	for (int i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	assert_null(pvPortCalloc(SIZE_MAX / 2, 4));
	vPortFree(NULL);
	vPortFree(z);
	vPortFree(p);
	HeapStats_t st;

	vPortGetHeapStats(&st);
	assert_int_equal(st.xNumberOfSuccessfulAllocations, 2);
	assert_int_equal(st.xNumberOfSuccessfulFrees, N == 1 ? 0 : 2);
	assert_int_equal(st.xAvailableHeapSpaceInBytes, xPortGetFreeHeapSize());
#if N == 1
	/* heap_1 never frees. */
	assert_int_equal(xPortGetFreeHeapSize(), total - 2 * cost);
#else
	assert_int_equal(xPortGetFreeHeapSize(), total);
	assert_int_equal(xPortGetMinimumEverFreeHeapSize(), total - 2 * cost);
	xPortResetHeapMinimumEverFreeHeapSize();
	assert_int_equal(xPortGetMinimumEverFreeHeapSize(), total);
#endif
	vPortHeapResetState();
	assert_int_equal(xPortGetFreeHeapSize(), total);
}

/* vPortGetHeapStats on a heap with nothing free. */
static void test_api_full_heap_stats(void **state)
{
	(void)state;
	vPortHeapResetState();
	/* Take everything, largest first. */
	while (pvPortMalloc(N == 1 ? 8 : 1) != NULL) {
		HeapStats_t st;

		vPortGetHeapStats(&st);
		size_t big = st.xSizeOfLargestFreeBlockInBytes;

		if (big > 64)
			(void)pvPortMalloc(big - 64);
	}
	HeapStats_t st;

	vPortGetHeapStats(&st);
	if (st.xNumberOfFreeBlocks == 0) {
		assert_int_equal(st.xSizeOfLargestFreeBlockInBytes, 0);
		assert_int_equal(st.xSizeOfSmallestFreeBlockInBytes, 0);
	} else {
		/* What is left is too small for any block: heap_1's tail. */
		assert_true(st.xSizeOfLargestFreeBlockInBytes < 24);
	}
	assert_true(st.xSizeOfSmallestFreeBlockInBytes <= st.xSizeOfLargestFreeBlockInBytes);
	assert_int_equal(st.xAvailableHeapSpaceInBytes, xPortGetFreeHeapSize());
	assert_int_equal(st.xMinimumEverFreeBytesRemaining, xPortGetMinimumEverFreeHeapSize());
	vPortHeapResetState();
}
#endif

#if N == 3
/* heap_3 is the C library's heap behind the FreeRTOS names. */
static void test_heap3(void **state)
{
	(void)state;
	assert_null(pvPortMalloc(0));
	unsigned char *p = pvPortMalloc(100);

	assert_non_null(p);
	memset(p, 9, 100);
	p = pvPortRealloc(p, 5000);
	assert_non_null(p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 9);
	unsigned char *z = pvPortCalloc(4, 25);

	for (int i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	assert_null(pvPortCalloc(SIZE_MAX / 2, 4));
	vPortFree(z);
	vPortFree(p);
	vPortFree(NULL);
}
#endif

#if N == 5
/* Two RAM banks with a gap between them. */
static _Alignas(8) uint8_t banks[4096 + 64 + 8192];

/* As in FreeRTOS's documentation: regions in address order, then malloc. */
static void test_define_regions(void **state)
{
	(void)state;
	uint8_t *lo = banks, *hi = banks + 4096 + 64;
	size_t lo_n = 4096, hi_n = 8192;

	assert_null(pvPortMalloc(16));               /* before vPortDefineHeapRegions */
	const HeapRegion_t xHeapRegions[] = {
		{ lo, lo_n },
		{ hi, hi_n },
		{ NULL, 0 },
	};

	vPortDefineHeapRegions(xHeapRegions);
	size_t total = xPortGetFreeHeapSize();

	assert_int_equal(total, lo_n - 8 + hi_n - 8);
	/* First fit in address order: the low region first. */
	uint8_t *p = pvPortMalloc(100);

	assert_true(p >= lo && p < lo + lo_n);
	/* No block spans the gap between the regions. */
	assert_null(pvPortMalloc(lo_n + hi_n - 200));
	uint8_t *q = pvPortMalloc(hi_n - 64);

	assert_non_null(q);
	assert_true(q >= hi && q < hi + hi_n);
	HeapStats_t st;

	vPortGetHeapStats(&st);
	assert_int_equal(st.xNumberOfFreeBlocks, 2);    /* the regions' end markers are not blocks */
	vPortFree(p);
	vPortFree(q);
	vPortGetHeapStats(&st);
	assert_int_equal(st.xNumberOfFreeBlocks, 2);
	assert_int_equal(st.xAvailableHeapSpaceInBytes, total);
	assert_int_equal(st.xSizeOfLargestFreeBlockInBytes, hi_n - 8);
	assert_int_equal(st.xSizeOfSmallestFreeBlockInBytes, lo_n - 8);
}
#endif

/* ---- scheme semantics on an instance --------------------------------------------- */

#if N != 3
static _Alignas(8) unsigned char arena[16384];

/* heap_5 gets the arena as two regions with a gap when it is the whole. */
static struct fwm_rtos_heap *make(struct fwm_rtos_heap *h, size_t bytes)
{
	size_t half = bytes / 2;
	struct fwm_rtos_region one[] = { { arena, bytes }, { NULL, 0 } };
	struct fwm_rtos_region two[] = { { arena, half }, { arena + half + 64, half - 64 }, { NULL, 0 } };
	bool split = N == 5 && bytes == sizeof arena;

	t_fill_random(arena, sizeof arena, bytes);
	assert_int_equal(fwm_rtos_init(h, N, split ? two : one), 0);
	if (split)
		assert_int_equal(h->total_bytes, half - 8 + half - 64 - 8);
	assert_null(fwm_rtos_check(h));
	return h;
}

#define CHECKED(h)                                                          \
	do {                                                                \
		const char *why_ = fwm_rtos_check(h);                       \
		if (why_ != NULL)                                           \
			fail_msg("heap_%d free list: %s", N, why_);         \
	} while (0)
#endif

#if N == 1
static void test_heap1_never_frees(void **state)
{
	struct fwm_rtos_heap h;
	struct fwm_rtos_stats st;

	(void)state;
	make(&h, 1024);
	unsigned char *a = fwm_rtos_malloc(&h, 10);
	unsigned char *b = fwm_rtos_malloc(&h, 1);

	assert_ptr_equal(b, a + 16);                   /* no header, rounded to 8 */
	fwm_rtos_free(&h, a);
	fwm_rtos_stats_get(&h, &st);
	assert_int_equal(st.free_bytes, 1016 - 24);
	assert_int_equal(st.frees, 0);
	/* The last byte is never handed out: strictly below the size. */
	assert_null(fwm_rtos_malloc(&h, 1016 - 24));
	assert_non_null(fwm_rtos_malloc(&h, 1016 - 32));
	assert_null(fwm_rtos_malloc(&h, 1));
	CHECKED(&h);
}
#endif

#if N == 2
static void test_heap2_best_fit_no_merge(void **state)
{
	struct fwm_rtos_heap h;
	struct fwm_rtos_stats st;
	void *p[7];

	(void)state;
	make(&h, 4096);
	/* Free blocks of 256, 64 and 128 bytes between used ones. */
	static const size_t sz[] = { 248, 8, 56, 8, 120, 8, 8 };
	for (int i = 0; i < 7; i++)
		p[i] = fwm_rtos_malloc(&h, sz[i]);
	fwm_rtos_free(&h, p[0]);
	fwm_rtos_free(&h, p[2]);
	fwm_rtos_free(&h, p[4]);
	CHECKED(&h);
	/* 100 bytes (112 with the header): the 128-byte block fits best. */
	assert_ptr_equal(fwm_rtos_malloc(&h, 100), p[4]);
	/* No merging: p[5] and p[6] touch each other and the rest of the heap
	 * (3576 bytes), yet freed they stay three blocks, and 3584 bytes cannot
	 * be had. */
	fwm_rtos_stats_get(&h, &st);
	assert_int_equal(st.largest_free_bytes, 3576);
	size_t blocks = st.free_blocks;

	fwm_rtos_free(&h, p[5]);
	fwm_rtos_free(&h, p[6]);
	fwm_rtos_stats_get(&h, &st);
	assert_int_equal(st.free_blocks, blocks + 2);
	assert_int_equal(st.largest_free_bytes, 3576);
	assert_null(fwm_rtos_malloc(&h, 3576 - 8 + 1));
	CHECKED(&h);
}
#endif

#if N == 4 || N == 5
static void test_heap4_first_fit_merge(void **state)
{
	struct fwm_rtos_heap h;
	struct fwm_rtos_stats st;
	void *p[7];

	(void)state;
	make(&h, 4096);
	static const size_t sz[] = { 248, 8, 56, 8, 120, 8, 8 };
	for (int i = 0; i < 7; i++)
		p[i] = fwm_rtos_malloc(&h, sz[i]);
	fwm_rtos_free(&h, p[0]);
	fwm_rtos_free(&h, p[2]);
	fwm_rtos_free(&h, p[4]);
	CHECKED(&h);
	/* 100 bytes: the first block in address order that fits (256). */
	assert_ptr_equal(fwm_rtos_malloc(&h, 100), p[0]);
	/* Freeing the blocks between the free ones merges them all. */
	fwm_rtos_free(&h, p[1]);
	fwm_rtos_stats_get(&h, &st);
	size_t before = st.free_blocks;

	fwm_rtos_free(&h, p[3]);
	fwm_rtos_stats_get(&h, &st);
	assert_int_equal(st.free_blocks, before - 1);   /* 2 blocks and p[3] became 1 */
	CHECKED(&h);
	fwm_rtos_free(&h, p[5]);
	fwm_rtos_free(&h, p[6]);
	fwm_rtos_free(&h, p[0]);
	fwm_rtos_stats_get(&h, &st);
	assert_int_equal(st.free_blocks, 1);
	assert_int_equal(st.largest_free_bytes, st.total_bytes);
	/* Faults: a foreign pointer and a double free are refused. */
	int local;

	fwm_rtos_free(&h, &local);
	fwm_rtos_free(&h, p[0]);
	assert_int_equal(h.faults, 2);
	CHECKED(&h);
	/* realloc grows into the free neighbour in place. */
	unsigned char *a = fwm_rtos_malloc(&h, 40);

	memset(a, 5, 40);
	assert_ptr_equal(fwm_rtos_realloc(&h, a, 400), a);
	for (int i = 0; i < 40; i++)
		assert_int_equal(a[i], 5);
	assert_ptr_equal(fwm_rtos_realloc(&h, a, 16), a);
	CHECKED(&h);
	assert_null(fwm_rtos_realloc(&h, a, 0));
	fwm_rtos_stats_get(&h, &st);
	assert_int_equal(st.free_blocks, 1);
}
#endif

#if N != 3
/* Random operations against a model: contents kept, blocks disjoint and
 * inside the heap, the free list consistent after every operation, and the
 * free bytes equal to the heap's size minus the live blocks' sizes. */
static void test_model(void **state)
{
	struct fwm_rtos_heap h;
	struct { unsigned char *p; size_t n; unsigned char fill; } live[256];
	size_t nlive = 0, used = 0;
	uint64_t seed = 1000 + N;
	unsigned long ops = t_stress_ops(N == 1 ? 2000 : 200000);
	struct fwm_rtos_stats st;

	(void)state;
	make(&h, sizeof arena);
	for (unsigned long op = 0; op < ops; op++) {
		uint32_t k = t_rand(&seed, 100);

		if (nlive < 256 && (nlive == 0 || k < 55)) {
			size_t n = 1 + t_rand(&seed, 1u << t_rand(&seed, 11));
			unsigned char *p = fwm_rtos_malloc(&h, n);

			if (p != NULL) {
				assert_true(p >= arena && p + n <= arena + sizeof arena);
				assert_true((uintptr_t)p % 8 == 0);
				for (size_t i = 0; i < nlive; i++)
					assert_true(p + n <= live[i].p || live[i].p + live[i].n <= p);
				live[nlive].p = p;
				live[nlive].n = n;
				live[nlive].fill = (unsigned char)t_rand(&seed, 256);
				memset(p, live[nlive].fill, n);
				nlive++;
				used += N == 1 ? (n + 7) / 8 * 8 : fwm_rtos_usable_size(&h, p) + 8;
			}
		} else if (nlive > 0 && k < 85) {
			size_t i = t_rand(&seed, (uint32_t)nlive);

			for (size_t j = 0; j < live[i].n; j++)
				assert_int_equal(live[i].p[j], live[i].fill);
			if (N != 1)
				used -= fwm_rtos_usable_size(&h, live[i].p) + 8;
			fwm_rtos_free(&h, live[i].p);
			live[i] = live[--nlive];
		} else if (nlive > 0 && N != 1) {
			size_t i = t_rand(&seed, (uint32_t)nlive);
			size_t n = 1 + t_rand(&seed, 1u << t_rand(&seed, 11));
			size_t old = fwm_rtos_usable_size(&h, live[i].p) + 8;
			unsigned char *p = fwm_rtos_realloc(&h, live[i].p, n);

			if (p != NULL) {
				size_t keep = n < live[i].n ? n : live[i].n;

				for (size_t j = 0; j < keep; j++)
					assert_int_equal(p[j], live[i].fill);
				used = used - old + fwm_rtos_usable_size(&h, p) + 8;
				live[i].p = p;
				live[i].n = n;
				memset(p, live[i].fill, n);
			}
		}
		CHECKED(&h);
		fwm_rtos_stats_get(&h, &st);
		assert_int_equal(st.free_bytes, st.total_bytes - used);
	}
	assert_int_equal(h.faults, 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#if N != 5 && N != 3
		cmocka_unit_test(test_api_basics),
		cmocka_unit_test(test_api_full_heap_stats),
#endif
#if N == 3
		cmocka_unit_test(test_heap3),
#endif
#if N == 5
		cmocka_unit_test(test_define_regions),
#endif
#if N == 1
		cmocka_unit_test(test_heap1_never_frees),
#endif
#if N == 2
		cmocka_unit_test(test_heap2_best_fit_no_merge),
#endif
#if N == 4 || N == 5
		cmocka_unit_test(test_heap4_first_fit_merge),
#endif
#if N != 3
		cmocka_unit_test(test_model),
#endif
	};

	return cmocka_run_group_tests_name("freertos heap_" FWM_STR(N), tests, NULL, NULL);
}
