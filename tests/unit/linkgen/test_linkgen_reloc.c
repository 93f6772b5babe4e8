/* Unit tests of the target's copy-table walker (target-agent/src/reloc_init.c),
 * built for the host.  The tables hold 32-bit addresses, so the memories
 * are mapped below 4 GB (MAP_32BIT) and filled with a random pattern, so
 * that the walker cannot pass by relying on zeroes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "fwmem/reloc.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

static uint32_t *low_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED || (uintptr_t)p + bytes > 0xffffffffu)
		return NULL;
	return p;
}

static uint32_t a32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static void test_walk(void **state)
{
	(void)state;
	uint32_t *flash = low_map(4096), *ram = low_map(4096);
	if (!flash || !ram)
		skip();
	srand(8);
	for (int i = 0; i < 1024; i++) {
		flash[i] = (uint32_t)rand();
		ram[i] = (uint32_t)rand() | 1u;   /* never zero */
	}
	/* two copies, two zero ranges, one empty entry of each */
	struct fwm_copy_entry copy[] = {
		{ a32(flash), a32(ram), 16 },
		{ a32(flash + 100), a32(ram + 200), 3 },
		{ a32(flash), a32(ram + 500), 0 },
	};
	struct fwm_zero_entry zero[] = {
		{ a32(ram + 300), 50 },
		{ a32(ram + 400), 0 },
		{ a32(ram + 1000), 24 },
	};
	uint32_t before17 = ram[16], before350 = ram[350], before500 = ram[500];
	assert_int_equal(fwm_reloc_walk(copy, copy + 3, zero, zero + 3), 6);
	assert_memory_equal(ram, flash, 16 * 4);
	assert_memory_equal(ram + 200, flash + 100, 3 * 4);
	assert_int_equal(ram[16], before17);       /* not one word more */
	for (int i = 300; i < 350; i++)
		assert_int_equal(ram[i], 0);
	assert_int_equal(ram[350], before350);
	assert_int_equal(ram[500], before500);     /* wlen 0 copies nothing */
	for (int i = 1000; i < 1024; i++)
		assert_int_equal(ram[i], 0);
	munmap(flash, 4096);
	munmap(ram, 4096);
}

static void test_no_tables(void **state)
{
	(void)state;
	/* the host has no linkgen tables: the weak symbols are absent */
	assert_int_equal(fwm_reloc_init(FWM_RELOC_EARLY), 0);
	assert_int_equal(fwm_reloc_init(FWM_RELOC_LATE), 0);
	assert_int_equal(fwm_reloc_init((enum fwm_reloc_phase)7), 0);
	assert_int_equal(fwm_reloc_walk(NULL, NULL, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_no_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
