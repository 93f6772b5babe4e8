/* The instrumentation hooks (built with CONFIG_FWM_HOOKS): every allocator
 * reports allocations, frees, reallocs and failures under its own kind and
 * control object, with size, alignment and the caller's address, once per
 * call (no second event from the allocator underneath). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/mem_blocks.h>
#include <zephyr/sys/multi_heap.h>
#include <zephyr/multi_heap/shared_multi_heap.h>
#include <FreeRTOS.h>
#include "fwmem/hooks.h"
#include "agent_test.h"

enum ev_type { EV_ALLOC, EV_FREE, EV_REALLOC, EV_FAIL };

static struct event {
	enum ev_type type;
	enum fwm_alloc_kind kind;
	const void *obj;
	void *ptr, *old_ptr;
	size_t size, align;
	void *caller;
} ev[8];
static int nev;

static void record(struct event e)
{
	if (nev < 8)
		ev[nev] = e;
	nev++;
}

void fwm_hook_alloc(enum fwm_alloc_kind kind, const void *obj, void *ptr, size_t size, size_t align,
		    void *caller)
{
	record((struct event){ EV_ALLOC, kind, obj, ptr, NULL, size, align, caller });
}

void fwm_hook_free(enum fwm_alloc_kind kind, const void *obj, void *ptr, void *caller)
{
	record((struct event){ EV_FREE, kind, obj, ptr, NULL, 0, 0, caller });
}

void fwm_hook_realloc(enum fwm_alloc_kind kind, const void *obj, void *old_ptr, void *new_ptr,
		      size_t size, size_t align, void *caller)
{
	record((struct event){ EV_REALLOC, kind, obj, new_ptr, old_ptr, size, align, caller });
}

void fwm_hook_fail(enum fwm_alloc_kind kind, const void *obj, size_t size, size_t align, void *caller)
{
	record((struct event){ EV_FAIL, kind, obj, NULL, NULL, size, align, caller });
}

/* The call below returns into this function: its caller address lies in it. */
static __attribute__((noinline)) void *alloc_here(struct sys_heap *h, size_t align, size_t n)
{
	void *p = sys_heap_aligned_alloc(h, align, n);

	__asm__ volatile("" ::: "memory");
	return p;
}

static void expect(int i, enum ev_type type, enum fwm_alloc_kind kind, const void *obj)
{
	if (i >= nev)
		fail_msg("event %d missing (%d seen)", i, nev);
	assert_int_equal(ev[i].type, type);
	assert_int_equal(ev[i].kind, kind);
	assert_ptr_equal(ev[i].obj, obj);
	assert_non_null(ev[i].caller);
}

static _Alignas(8) unsigned char mem[4096];

static void test_sys_heap_events(void **state)
{
	struct sys_heap h;

	(void)state;
	sys_heap_init(&h, mem, sizeof mem);
	nev = 0;
	void *p = alloc_here(&h, 64, 100);

	assert_int_equal(nev, 1);
	expect(0, EV_ALLOC, FWM_KIND_SYS_HEAP, &h);
	assert_ptr_equal(ev[0].ptr, p);
	assert_int_equal(ev[0].size, 100);
	assert_int_equal(ev[0].align, 64);
	assert_true((char *)ev[0].caller > (char *)alloc_here &&
		    (char *)ev[0].caller < (char *)alloc_here + 128);
	void *q = sys_heap_realloc(&h, p, 200);

	expect(1, EV_REALLOC, FWM_KIND_SYS_HEAP, &h);
	assert_ptr_equal(ev[1].old_ptr, p);
	assert_ptr_equal(ev[1].ptr, q);
	assert_null(sys_heap_alloc(&h, 100000));
	expect(2, EV_FAIL, FWM_KIND_SYS_HEAP, &h);
	assert_int_equal(ev[2].size, 100000);
	sys_heap_free(&h, q);
	expect(3, EV_FREE, FWM_KIND_SYS_HEAP, &h);
	sys_heap_free(&h, NULL);
	assert_int_equal(nev, 4);
}

static void test_kernel_events(void **state)
{
	struct k_heap kh;

	(void)state;
	k_heap_init(&kh, mem, sizeof mem);
	nev = 0;
	void *p = k_heap_alloc(&kh, 10, K_NO_WAIT);

	assert_int_equal(nev, 1);                       /* no sys_heap event besides */
	expect(0, EV_ALLOC, FWM_KIND_K_HEAP, &kh);
	k_heap_free(&kh, p);
	expect(1, EV_FREE, FWM_KIND_K_HEAP, &kh);
	nev = 0;
	p = k_malloc(20);
	assert_int_equal(nev, 1);
	expect(0, EV_ALLOC, FWM_KIND_K_MALLOC, &_system_heap);
	assert_int_equal(ev[0].size, 20);
	k_free(p);
	expect(1, EV_FREE, FWM_KIND_K_MALLOC, &_system_heap);
	assert_null(k_calloc(SIZE_MAX, 2));
	expect(2, EV_FAIL, FWM_KIND_K_MALLOC, &_system_heap);

	static _Alignas(8) char sbuf[4 * 32];
	struct k_mem_slab slab;
	void *b;

	k_mem_slab_init(&slab, sbuf, 32, 4);
	nev = 0;
	k_mem_slab_alloc(&slab, &b, K_NO_WAIT);
	expect(0, EV_ALLOC, FWM_KIND_MEM_SLAB, &slab);
	assert_int_equal(ev[0].size, 32);
	k_mem_slab_free(&slab, b);
	expect(1, EV_FREE, FWM_KIND_MEM_SLAB, &slab);
	k_mem_slab_free(&slab, b);                      /* refused */
	expect(2, EV_FAIL, FWM_KIND_MEM_SLAB, &slab);
}

SYS_MEM_BLOCKS_DEFINE_STATIC(blocks, 32, 8, 8);

static void test_other_events(void **state)
{
	void *b[2];

	(void)state;
	nev = 0;
	sys_mem_blocks_alloc(&blocks, 2, b);
	assert_int_equal(nev, 2);                       /* one per block */
	expect(0, EV_ALLOC, FWM_KIND_MEM_BLOCKS, &blocks);
	sys_mem_blocks_free(&blocks, 2, b);
	expect(2, EV_FREE, FWM_KIND_MEM_BLOCKS, &blocks);

	static _Alignas(8) unsigned char smh_ram[1024];
	struct shared_multi_heap_region r = { .attr = SMH_REG_ATTR_CACHEABLE,
					      .addr = (uintptr_t)smh_ram, .size = sizeof smh_ram };

	shared_multi_heap_pool_init();
	shared_multi_heap_add(&r, NULL);
	nev = 0;
	void *p = shared_multi_heap_alloc(SMH_REG_ATTR_CACHEABLE, 50);

	assert_int_equal(nev, 1);
	assert_int_equal(ev[0].kind, FWM_KIND_SHARED_MULTI_HEAP);
	shared_multi_heap_free(p);
	assert_int_equal(ev[1].kind, FWM_KIND_SHARED_MULTI_HEAP);
	assert_int_equal(ev[1].type, EV_FREE);

	nev = 0;
	p = pvPortMalloc(40);
	assert_int_equal(nev, 1);
	assert_int_equal(ev[0].kind, FWM_KIND_FREERTOS);
	assert_int_equal(ev[0].size, 40);
	vPortFree(p);
	assert_int_equal(ev[1].type, EV_FREE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sys_heap_events),
		cmocka_unit_test(test_kernel_events),
		cmocka_unit_test(test_other_events),
	};

	return cmocka_run_group_tests_name("hooks", tests, NULL, NULL);
}
