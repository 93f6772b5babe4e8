/* sys_heap: layout, coalescing (exact fragment maps), aligned alloc,
 * realloc, fault detection, statistics and edge cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "agent_test.h"

#define SMALL 1024u                  /* 127 units of 8 bytes after layout */
#define BIG (320u * 1024u)           /* above 256 KiB: 8-byte headers */

static _Alignas(64) unsigned char small_mem[SMALL];
static _Alignas(8) unsigned char other_mem[SMALL];
static _Alignas(8) unsigned char big_mem[BIG];

static struct sys_heap *new_heap(struct sys_heap *h, unsigned char *mem, size_t n, uint64_t seed)
{
	t_fill_random(mem, n, seed);
	sys_heap_init(h, mem, n);
	return h;
}

/* ---- fault hook ----------------------------------------------------------- */

static struct {
	int calls;
	struct sys_heap *heap;
	enum fwm_heap_fault fault;
	void *ptr;
	const char *msg;
} seen;

static void record_fault(struct sys_heap *heap, enum fwm_heap_fault fault, void *ptr, const char *msg)
{
	seen.calls++;
	seen.heap = heap;
	seen.fault = fault;
	seen.ptr = ptr;
	seen.msg = msg;
}

static int hook_setup(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof seen);
	fwm_heap_set_report(record_fault);
	return 0;
}

static int hook_teardown(void **state)
{
	(void)state;
	fwm_heap_set_report(NULL);
	return 0;
}

/* ---- layout -------------------------------------------------------------- */

static void test_init_layout(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 1);
	assert_heap_valid(&h);
	/* 4 bytes of alignment padding, then 127 units, then a 4-byte end marker. */
	assert_heap_map(&h, "F1016");
	void *a = sys_heap_alloc(&h, 1);
	void *b = sys_heap_alloc(&h, 4);
	void *c = sys_heap_alloc(&h, 5);
	void *d = sys_heap_alloc(&h, 12);

	/* 4-byte headers: 1..4 bytes take one unit, 5..12 two. Small blocks
	 * are cut from the end of a large free chunk, which keeps its place. */
	assert_ptr_equal(a, small_mem + 1016);
	assert_ptr_equal(b, (unsigned char *)a - 8);
	assert_ptr_equal(c, (unsigned char *)b - 16);
	assert_ptr_equal(d, (unsigned char *)c - 16);
	assert_int_equal(sys_heap_usable_size(&h, a), 4);
	assert_int_equal(sys_heap_usable_size(&h, c), 12);
	assert_heap_map(&h, "F968 U16 U16 U8 U8");
	assert_heap_valid(&h);

	struct fwm_heap_info info;

	assert_int_equal(fwm_heap_info_get(&h, &info), 0);
	assert_int_equal(info.header_bytes, 4);
	assert_int_equal(info.capacity_bytes, 1016);
}

static void test_init_edges(void **state)
{
	struct sys_heap h;

	(void)state;
	sys_heap_init(&h, NULL, 4096);
	assert_true(sys_heap_validate(&h));
	assert_null(sys_heap_alloc(&h, 1));
	for (size_t n = 0; n <= 24; n++) {
		for (size_t skew = 0; skew < 8; skew++) {
			new_heap(&h, small_mem + skew, n, n);
			assert_heap_valid(&h);
			void *p = sys_heap_alloc(&h, 1);

			if (p != NULL) {
				assert_true((uintptr_t)p % 8 == 0);
				assert_true((unsigned char *)p >= small_mem + skew);
				assert_true((unsigned char *)p + 4 <= small_mem + skew + n);
				sys_heap_free(&h, p);
			}
			assert_heap_valid(&h);
		}
	}
	/* 12 bytes at 4 mod 8: header, 4 usable, end marker. */
	new_heap(&h, small_mem + 4, 12, 3);
	assert_non_null(sys_heap_alloc(&h, 4));
	assert_null(sys_heap_alloc(&h, 1));
	assert_heap_valid(&h);
}

static void test_big_layout(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, big_mem, BIG, 2);
	assert_heap_valid(&h);
	struct fwm_heap_info info;

	fwm_heap_info_get(&h, &info);
	assert_int_equal(info.header_bytes, 8);
	assert_int_equal(info.capacity_bytes, BIG - 8);
	void *a = sys_heap_alloc(&h, 1);
	void *b = sys_heap_alloc(&h, 8);
	void *c = sys_heap_alloc(&h, 9);

	assert_ptr_equal(a, big_mem + BIG - 16);
	assert_ptr_equal(b, (unsigned char *)a - 16);
	assert_ptr_equal(c, (unsigned char *)b - 24);
	assert_int_equal(sys_heap_usable_size(&h, c), 16);
	sys_heap_free(&h, b);
	sys_heap_free(&h, a);
	sys_heap_free(&h, c);
	assert_heap_valid(&h);
	fwm_heap_info_get(&h, &info);
	assert_int_equal(info.free_chunks, 1);
	assert_int_equal(info.largest_free_bytes, BIG - 16);
}

/* 256 KiB is the largest heap with 4-byte headers. */
static void test_small_limit(void **state)
{
	struct sys_heap h;
	struct fwm_heap_info info;

	(void)state;
	new_heap(&h, big_mem, 256u * 1024u, 3);
	fwm_heap_info_get(&h, &info);
	assert_int_equal(info.header_bytes, 4);
	assert_int_equal(info.capacity_bytes, 256u * 1024u - 8);
	void *p = sys_heap_alloc(&h, info.largest_free_bytes);

	assert_non_null(p);
	assert_int_equal(sys_heap_usable_size(&h, p), 256u * 1024u - 12);
	sys_heap_free(&h, p);
	assert_heap_valid(&h);
	new_heap(&h, big_mem, 256u * 1024u + 8, 3);
	fwm_heap_info_get(&h, &info);
	assert_int_equal(info.header_bytes, 8);
}

/* ---- coalescing --------------------------------------------------------------- */

static void test_coalesce_maps(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 4);
	void *a = sys_heap_alloc(&h, 12), *b = sys_heap_alloc(&h, 12);
	void *c = sys_heap_alloc(&h, 12), *d = sys_heap_alloc(&h, 12);
	void *e = sys_heap_alloc(&h, 12);

	/* In address order: free, e, d, c, b, a. */
	assert_heap_map(&h, "F936 U16 U16 U16 U16 U16");
	sys_heap_free(&h, b);                      /* no free neighbour */
	assert_heap_map(&h, "F936 U16 U16 U16 F16 U16");
	sys_heap_free(&h, d);
	assert_heap_map(&h, "F936 U16 F16 U16 F16 U16");
	sys_heap_free(&h, c);                      /* both neighbours */
	assert_heap_map(&h, "F936 U16 F48 U16");
	assert_heap_valid(&h);
	sys_heap_free(&h, a);                      /* left only, last chunk */
	assert_heap_map(&h, "F936 U16 F64");
	sys_heap_free(&h, e);                      /* both, into chunk 0 */
	assert_heap_map(&h, "F1016");
	assert_heap_valid(&h);

	a = sys_heap_alloc(&h, 12);
	b = sys_heap_alloc(&h, 20);
	c = sys_heap_alloc(&h, 28);
	assert_heap_map(&h, "F944 U32 U24 U16");
	sys_heap_free(&h, a);                      /* none: b and the end marker */
	assert_heap_map(&h, "F944 U32 U24 F16");
	sys_heap_free(&h, b);                      /* right only */
	assert_heap_map(&h, "F944 U32 F40");
	sys_heap_free(&h, c);
	assert_heap_map(&h, "F1016");
	assert_heap_valid(&h);
}

/* A freed block is reused: the smallest bucket with a chunk that surely
 * fits is used, the block cut from the chunk's end, and the rest is free at
 * once. */
static void test_reuse_and_split(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 5);
	void *a = sys_heap_alloc(&h, 60);           /* 8 units */
	void *b = sys_heap_alloc(&h, 12);

	sys_heap_free(&h, a);
	assert_heap_map(&h, "F936 U16 F64");
	unsigned char *c = sys_heap_alloc(&h, 20);  /* 3 units: bucket 1 is empty, bucket 3 has a */

	assert_ptr_equal(c, (unsigned char *)a + 40);
	assert_heap_map(&h, "F936 U16 F40 U24");
	sys_heap_free(&h, c);
	assert_heap_map(&h, "F936 U16 F64");
	sys_heap_free(&h, b);
	assert_heap_map(&h, "F1016");
}

/* Within a bucket, the best fit among the first few chunks is taken. */
static void test_best_fit_in_bucket(void **state)
{
	struct sys_heap h;
	void *p[7];

	(void)state;
	new_heap(&h, small_mem, SMALL, 22);
	/* Free chunks of 7, 5 and 6 units (bucket 2: 4..7 units) between used
	 * ones, listed in that order. */
	static const size_t sizes[] = { 52, 12, 36, 12, 44, 12, 12 };
	for (int i = 0; i < 7; i++)
		p[i] = sys_heap_alloc(&h, sizes[i]);
	sys_heap_free(&h, p[0]);
	sys_heap_free(&h, p[2]);
	sys_heap_free(&h, p[4]);
	assert_heap_map(&h, "F808 U16 U16 F48 U16 F40 U16 F56");
	/* 5 units: p[0]'s 7 would do, but p[2]'s 5 fit exactly. */
	void *q = sys_heap_alloc(&h, 36);

	assert_ptr_equal(q, p[2]);
	q = sys_heap_alloc(&h, 40);                 /* 6 units: p[4]'s chunk */
	assert_ptr_equal(q, p[4]);
	assert_heap_valid(&h);
}

/* ---- aligned alloc ---------------------------------------------------------- */

static void aligned_all_powers(struct sys_heap *h)
{
	static const size_t sizes[] = { 1, 7, 8, 13, 100, 1000 };
	void *keep[13 * 6];
	size_t n = 0;

	for (size_t align = 1; align <= 4096; align <<= 1) {
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			void *p = sys_heap_aligned_alloc(h, align, sizes[i]);

			assert_non_null(p);
			if ((uintptr_t)p % align != 0)
				fail_msg("align %zu size %zu: got %p", align, sizes[i], p);
			assert_true((uintptr_t)p % 8 == 0);
			assert_true(sys_heap_usable_size(h, p) >= sizes[i]);
			memset(p, 0x5a, sizes[i]);
			assert_heap_valid(h);
			if ((i + align) % 3 == 0)
				keep[n++] = p;     /* pinned: later ones must work around it */
			else
				sys_heap_free(h, p);
			assert_heap_valid(h);
		}
	}
	/* The zero alignment means the default. */
	void *p = sys_heap_aligned_alloc(h, 0, 24);

	assert_non_null(p);
	sys_heap_free(h, p);
	while (n > 0)
		sys_heap_free(h, keep[--n]);
	assert_heap_valid(h);
	struct fwm_heap_info info;

	fwm_heap_info_get(h, &info);
	assert_int_equal(info.free_chunks, 1);
	assert_int_equal(info.allocated_bytes, 0);
}

static void test_aligned_small(void **state)
{
	static _Alignas(8) unsigned char mem[64 * 1024];
	struct sys_heap h;

	(void)state;
	new_heap(&h, mem, sizeof mem, 6);
	aligned_all_powers(&h);
	/* Start the heap off any natural alignment. */
	new_heap(&h, mem + 4, sizeof mem - 4, 7);
	aligned_all_powers(&h);
}

static void test_aligned_big(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, big_mem, BIG, 8);
	aligned_all_powers(&h);
	new_heap(&h, big_mem + 8, BIG - 8, 9);
	aligned_all_powers(&h);
}

/* The unused prefix of an aligned block is a free chunk that merges back. */
static void test_aligned_prefix(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 10);
	void *a = sys_heap_alloc(&h, 4);              /* 1 unit at the end */
	void *p = sys_heap_aligned_alloc(&h, 64, 16); /* block at small_mem + 64 */

	assert_ptr_equal(p, small_mem + 64);
	assert_heap_map(&h, "F56 U24 F928 U8");
	sys_heap_free(&h, a);
	assert_heap_map(&h, "F56 U24 F936");
	sys_heap_free(&h, p);
	assert_heap_map(&h, "F1016");
	assert_heap_valid(&h);
}

static void test_aligned_bad(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 11);
	assert_null(sys_heap_aligned_alloc(&h, 3, 8));
	assert_null(sys_heap_aligned_alloc(&h, 24, 8));
	assert_null(sys_heap_aligned_alloc(&h, 6, 8));
	assert_null(sys_heap_aligned_alloc(&h, (SIZE_MAX >> 1) + 1, 8));
	assert_null(sys_heap_aligned_alloc(&h, 4096, 8)); /* larger than the heap */
	assert_null(sys_heap_aligned_alloc(&h, 16, SIZE_MAX));
	assert_null(sys_heap_aligned_alloc(&h, 16, 0));
	assert_heap_map(&h, "F1016");
}

/* ---- realloc ------------------------------------------------------------------ */

static void test_realloc_in_place(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 12);
	unsigned char *p = sys_heap_alloc(&h, 40);
	unsigned char *q = sys_heap_alloc(&h, 40);

	for (int i = 0; i < 40; i++)
		p[i] = (unsigned char)i;
	assert_heap_map(&h, "F920 U48 U48");
	assert_ptr_equal(sys_heap_realloc(&h, p, 10), p);       /* shrink */
	assert_heap_map(&h, "F920 U48 U16 F32");
	assert_ptr_equal(sys_heap_realloc(&h, p, 36), p);       /* grow right */
	assert_heap_map(&h, "F920 U48 U40 F8");
	assert_ptr_equal(sys_heap_realloc(&h, p, 44), p);       /* exactly */
	assert_heap_map(&h, "F920 U48 U48");
	for (int i = 0; i < 10; i++)
		assert_int_equal(p[i], i);
	sys_heap_free(&h, p);
	assert_ptr_equal(sys_heap_realloc(&h, q, 80), q);       /* into the freed p */
	assert_heap_map(&h, "F920 U88 F8");
	assert_ptr_equal(sys_heap_realloc(&h, q, 40), q);       /* shrink, merges right */
	assert_heap_map(&h, "F920 U48 F48");
	assert_ptr_equal(sys_heap_realloc(&h, q, 44), q);       /* same size */
	assert_heap_valid(&h);
	struct fwm_heap_info info;

	fwm_heap_info_get(&h, &info);
	assert_int_equal(info.reallocs, 6);
	assert_int_equal(info.allocs, 2);
}

static void test_realloc_moves(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 13);
	unsigned char *p = sys_heap_alloc(&h, 40);
	unsigned char *q = sys_heap_alloc(&h, 40);

	for (int i = 0; i < 44; i++)
		p[i] = (unsigned char)(i + 1);
	unsigned char *r = sys_heap_realloc(&h, p, 100);        /* the end marker is in the way */

	assert_non_null(r);
	assert_ptr_not_equal(r, p);
	for (int i = 0; i < 44; i++)
		assert_int_equal(r[i], i + 1);
	assert_heap_map(&h, "F816 U104 U48 F48");
	/* Failure leaves the block alone. */
	assert_null(sys_heap_realloc(&h, r, 5000));
	assert_null(sys_heap_realloc(&h, r, SIZE_MAX));
	for (int i = 0; i < 44; i++)
		assert_int_equal(r[i], i + 1);
	assert_heap_map(&h, "F816 U104 U48 F48");
	/* NULL allocates (from the smallest bucket that fits: the end of p's
	 * old chunk), zero frees. */
	void *s = sys_heap_realloc(&h, NULL, 20);

	assert_ptr_equal(s, p + 24);
	assert_heap_map(&h, "F816 U104 U48 F24 U24");
	assert_null(sys_heap_realloc(&h, s, 0));
	assert_null(sys_heap_realloc(&h, q, 0));
	assert_heap_map(&h, "F816 U104 F96");
	sys_heap_free(&h, r);
	assert_heap_map(&h, "F1016");
}

static void test_aligned_realloc(void **state)
{
	static _Alignas(256) unsigned char mem[8192];
	struct sys_heap h;

	(void)state;
	new_heap(&h, mem, sizeof mem, 14);
	unsigned char *p = sys_heap_alloc(&h, 30);              /* 8-aligned only */

	memset(p, 7, 30);
	unsigned char *q = sys_heap_aligned_realloc(&h, p, 256, 30);

	assert_non_null(q);
	assert_true((uintptr_t)q % 256 == 0);
	for (int i = 0; i < 30; i++)
		assert_int_equal(q[i], 7);
	/* Already aligned: stays, shrinking and growing in place. */
	assert_ptr_equal(sys_heap_aligned_realloc(&h, q, 256, 500), q);
	assert_ptr_equal(sys_heap_aligned_realloc(&h, q, 256, 8), q);
	assert_null(sys_heap_aligned_realloc(&h, q, 12, 8));     /* not a power of two */
	assert_ptr_equal(sys_heap_aligned_realloc(&h, q, 0, 100), q);
	sys_heap_free(&h, q);
	assert_heap_valid(&h);
	assert_int_equal(h.fwm.allocated_bytes, 0);
}

/* ---- faults --------------------------------------------------------------------- */

static void test_double_free(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 15);
	void *a = sys_heap_alloc(&h, 12), *b = sys_heap_alloc(&h, 12);
	void *c = sys_heap_alloc(&h, 12);

	sys_heap_free(&h, b);
	sys_heap_free(&h, b);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_DOUBLE_FREE);
	assert_ptr_equal(seen.ptr, b);
	assert_ptr_equal(seen.heap, &h);
	assert_non_null(strstr(seen.msg, "double free?"));
	assert_heap_map(&h, "F968 U16 F16 U16");
	assert_heap_valid(&h);
	/* c merges with both neighbours; a second free of it is still caught. */
	sys_heap_free(&h, c);
	sys_heap_free(&h, c);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_DOUBLE_FREE);
	sys_heap_free(&h, a);
	sys_heap_free(&h, a);
	assert_int_equal(seen.calls, 3);
	assert_heap_map(&h, "F1016");
	assert_int_equal(h.fwm.faults, 3);
	/* realloc of a freed (and merged-away) block is refused the same way */
	assert_null(sys_heap_realloc(&h, b, 40));
	assert_int_equal(seen.calls, 4);
	assert_heap_valid(&h);
}

static int by_address(const void *x, const void *y)
{
	const unsigned char *a = *(unsigned char *const *)x, *b = *(unsigned char *const *)y;

	return (a > b) - (a < b);
}

static void test_header_overwritten(void **state)
{
	struct sys_heap h;
	unsigned char *p[3];

	(void)state;
	new_heap(&h, small_mem, SMALL, 16);
	for (int i = 0; i < 3; i++)
		p[i] = sys_heap_alloc(&h, 12);
	qsort(p, 3, sizeof p[0], by_address);        /* p[0] < p[1] < p[2] */
	memset(p[0], 0xab, sys_heap_usable_size(&h, p[0]) + 2);  /* into p[1]'s header */
	sys_heap_free(&h, p[1]);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_HEADER);
	assert_ptr_equal(seen.ptr, p[1]);
	assert_non_null(strstr(seen.msg, "buffer overflow"));
	/* p[2]'s own header is intact, but its left size no longer matches
	 * p[1]'s size: that is caught too. */
	memset(p[1] - 4, 0, 2);
	sys_heap_free(&h, p[2]);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_HEADER);
	/* A write before a block (its left size) is caught the same way. */
	new_heap(&h, small_mem, SMALL, 23);
	for (int i = 0; i < 3; i++)
		p[i] = sys_heap_alloc(&h, 12);
	qsort(p, 3, sizeof p[0], by_address);
	p[1][-1] = 0x7f;
	sys_heap_free(&h, p[1]);
	assert_int_equal(seen.calls, 3);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_HEADER);
	assert_false(sys_heap_validate(&h));
	assert_non_null(fwm_heap_check(&h));
}

/* alloc and free take heaps with 4-byte headers the fast way after one
 * compare against limits that are 0 for other heaps: big heaps and
 * uninitialised ones must still be checked in full. */
static void test_faults_off_the_fast_path(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, big_mem, BIG, 24);
	unsigned char *a = sys_heap_alloc(&h, 100), *b = sys_heap_alloc(&h, 100);

	assert_non_null(a);
	assert_non_null(b);
	sys_heap_free(&h, a + 4);                      /* a block's place with 4-byte headers */
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_FOREIGN);
	sys_heap_free(&h, a);
	sys_heap_free(&h, a);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_DOUBLE_FREE);
	memset(b - 8, 0xab, 4);                        /* b's size word */
	sys_heap_free(&h, b);
	assert_int_equal(seen.calls, 3);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_HEADER);
	/* A zeroed control block: every allocation fails, every free of a
	 * pointer is refused, NULL is ignored. */
	struct sys_heap z;

	memset(&z, 0, sizeof z);
	assert_null(sys_heap_alloc(&z, 8));
	assert_null(sys_heap_realloc(&z, NULL, 8));
	assert_int_equal(z.fwm.failures, 2);
	sys_heap_free(&z, NULL);
	assert_int_equal(seen.calls, 3);
	sys_heap_free(&z, a);
	assert_int_equal(seen.calls, 4);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_FOREIGN);
	assert_true(sys_heap_validate(&z));
}

static void test_foreign_pointer(void **state)
{
	struct sys_heap h, g;
	int local;

	(void)state;
	new_heap(&h, small_mem, SMALL, 17);
	new_heap(&g, other_mem, SMALL, 18);
	void *a = sys_heap_alloc(&h, 12);
	void *x = sys_heap_alloc(&g, 12);

	sys_heap_free(&h, &local);
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_FOREIGN);
	assert_non_null(strstr(seen.msg, "wrong heap"));
	sys_heap_free(&h, x);                          /* the other heap's block */
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_FOREIGN);
	sys_heap_free(&h, (unsigned char *)a + 1);     /* misaligned interior */
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_FOREIGN);
	sys_heap_free(&h, small_mem + SMALL);          /* just past the end */
	assert_int_equal(seen.fault, FWM_HEAP_FAULT_FOREIGN);
	sys_heap_free(&h, small_mem);                  /* before the first block */
	assert_int_equal(seen.calls, 5);
	assert_heap_valid(&h);
	assert_heap_valid(&g);
	assert_true(fwm_heap_contains(&h, a));
	assert_false(fwm_heap_contains(&h, x));
	/* Without a hook, faults are only counted. */
	fwm_heap_set_report(NULL);
	sys_heap_free(&h, x);
	assert_int_equal(seen.calls, 5);
	assert_int_equal(h.fwm.faults, 6);
	assert_string_equal(fwm_heap_fault_message((enum fwm_heap_fault)99), "unknown heap fault");
}

/* ---- statistics --------------------------------------------------------------- */

static void test_stats(void **state)
{
	struct sys_heap h;
	struct sys_memory_stats st;
	struct fwm_heap_info info;

	(void)state;
	new_heap(&h, small_mem, SMALL, 19);
	assert_int_equal(sys_heap_runtime_stats_get(NULL, &st), -EINVAL);
	assert_int_equal(sys_heap_runtime_stats_get(&h, NULL), -EINVAL);
	assert_int_equal(sys_heap_runtime_stats_reset_max(NULL), -EINVAL);
	assert_int_equal(fwm_heap_info_get(NULL, &info), -EINVAL);
	void *a = sys_heap_alloc(&h, 100);              /* 104 bytes */
	void *b = sys_heap_alloc(&h, 12);               /* 16 */
	void *c = sys_heap_alloc(&h, 200);              /* 208 */

	assert_int_equal(sys_heap_runtime_stats_get(&h, &st), 0);
	assert_heap_map(&h, "F688 U208 U16 U104");
	assert_int_equal(st.allocated_bytes, 328);
	assert_int_equal(st.free_bytes, 1016 - 328);
	assert_int_equal(st.max_allocated_bytes, 328);
	sys_heap_free(&h, a);
	sys_heap_free(&h, c);
	sys_heap_runtime_stats_get(&h, &st);
	assert_int_equal(st.allocated_bytes, 16);
	assert_int_equal(st.max_allocated_bytes, 328);
	assert_int_equal(sys_heap_runtime_stats_reset_max(&h), 0);
	sys_heap_runtime_stats_get(&h, &st);
	assert_int_equal(st.max_allocated_bytes, 16);
	assert_null(sys_heap_alloc(&h, 2000));
	assert_null(sys_heap_alloc(&h, 0));

	fwm_heap_info_get(&h, &info);
	assert_heap_map(&h, "F896 U16 F104");
	assert_int_equal(info.free_chunks, 2);
	assert_int_equal(info.bucket_chunks[3], 1);    /* 13 units */
	assert_int_equal(info.bucket_chunks[6], 1);    /* 112 units */
	assert_int_equal(info.largest_free_bytes, 892);
	assert_int_equal(fwm_heap_largest_free(&h), 892);
	assert_int_equal(info.allocs, 3);
	assert_int_equal(info.frees, 2);
	assert_int_equal(info.failures, 2);
	assert_int_equal(info.faults, 0);
	assert_int_equal(info.nbuckets, 7);
	/* The largest block really can be allocated, and one byte more cannot. */
	assert_null(sys_heap_alloc(&h, 893));
	void *big = sys_heap_alloc(&h, 892);

	assert_non_null(big);
	assert_int_equal(fwm_heap_largest_free(&h), 100);
	sys_heap_free(&h, big);
	sys_heap_free(&h, b);
	fwm_heap_info_get(&h, &info);
	assert_int_equal(info.free_chunks, 1);
	assert_int_equal(info.allocated_bytes, 0);
}

static bool count_chunks(const struct fwm_heap_chunk *c, void *arg)
{
	int *n = arg;

	(void)c;
	return ++*n < 2;
}

static void test_walk(void **state)
{
	struct sys_heap h;
	int n = 0;

	(void)state;
	new_heap(&h, small_mem, SMALL, 20);
	void *a = sys_heap_alloc(&h, 12);

	(void)sys_heap_alloc(&h, 12);
	sys_heap_free(&h, a);
	assert_int_equal(fwm_heap_walk(&h, count_chunks, &n), 2);  /* stopped */
	assert_int_equal(fwm_heap_walk(NULL, count_chunks, &n), -EINVAL);
	assert_int_equal(fwm_heap_walk(&h, NULL, &n), -EINVAL);
	struct t_map m;

	assert_string_equal(t_heap_map(&h, &m), "F984 U16 F16");
	/* A broken chain is reported, not followed. */
	memset((unsigned char *)a - 4, 0, 2);
	assert_int_equal(fwm_heap_walk(&h, t_map_chunk, &m), -EFAULT);
}

static void test_edges(void **state)
{
	struct sys_heap h;

	(void)state;
	new_heap(&h, small_mem, SMALL, 21);
	assert_null(sys_heap_alloc(&h, SIZE_MAX));
	assert_null(sys_heap_alloc(&h, SIZE_MAX - 3));
	assert_null(sys_heap_alloc(&h, 1017));
	assert_null(sys_heap_alloc(&h, 1013));
	void *all = sys_heap_alloc(&h, 1012);

	assert_non_null(all);
	assert_null(sys_heap_alloc(&h, 1));
	sys_heap_free(&h, NULL);
	assert_int_equal(sys_heap_usable_size(&h, NULL), 0);
	assert_ptr_equal(sys_heap_noalign_alloc(&h, 64, 1), NULL);
	sys_heap_free(&h, all);
	assert_non_null(sys_heap_noalign_alloc(&h, 64, 1));
	assert_heap_valid(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_layout),
		cmocka_unit_test(test_init_edges),
		cmocka_unit_test(test_big_layout),
		cmocka_unit_test(test_small_limit),
		cmocka_unit_test(test_coalesce_maps),
		cmocka_unit_test(test_reuse_and_split),
		cmocka_unit_test(test_best_fit_in_bucket),
		cmocka_unit_test(test_aligned_small),
		cmocka_unit_test(test_aligned_big),
		cmocka_unit_test(test_aligned_prefix),
		cmocka_unit_test(test_aligned_bad),
		cmocka_unit_test(test_realloc_in_place),
		cmocka_unit_test(test_realloc_moves),
		cmocka_unit_test(test_aligned_realloc),
		cmocka_unit_test_setup_teardown(test_double_free, hook_setup, hook_teardown),
		cmocka_unit_test_setup_teardown(test_header_overwritten, hook_setup, hook_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_pointer, hook_setup, hook_teardown),
		cmocka_unit_test_setup_teardown(test_faults_off_the_fast_path, hook_setup, hook_teardown),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests_name("sys_heap", tests, NULL, NULL);
}
