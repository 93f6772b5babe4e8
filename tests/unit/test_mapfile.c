/* Unit tests of the GNU ld map file parser (lib/mapfile.c).
 *
 * The real maps under tests/data/ were written by GNU ld 2.40 for the
 * sources in tests/data/mapsrc/ (see gen.sh there): Cortex-M4 with
 * newlib-nano (32-bit addresses), RV32IMAC freestanding with an archive of
 * our own and libgcc, an x86-64 host program and an x86-64 freestanding
 * image at 0xffffffff80000000 (64-bit addresses).  Every number asserted
 * below can be read in those files.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fwm_regions.h"

static char *data_path(const char *name)
{
	static char buf[4096];
	const char *d = getenv("FWMEM_SRCDIR");

	snprintf(buf, sizeof buf, "%s/tests/data/%s", d && *d ? d : ".", name);
	return buf;
}

static struct fwm_map *load(const char *name)
{
	struct fwm_map *m = NULL;
	struct fwm_err e;
	int rc = fwm_map_load(data_path(name), &m, &e);

	if (rc)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_non_null(m);
	return m;
}

static struct fwm_map *load_buf(const char *text)
{
	struct fwm_map *m = NULL;
	struct fwm_err e;
	int rc = fwm_map_load_buf("t.map", text, strlen(text), &m, &e);

	if (rc)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
	return m;
}

static void bad(const char *text, const char *msg)
{
	struct fwm_map *m = (void *)1;
	struct fwm_err e;

	assert_int_equal(fwm_map_load_buf("t.map", text, strlen(text), &m, &e), -EINVAL);
	assert_string_equal(e.msg, msg);
	assert_null(m);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

/* The input section at addr named section (file: its path's tail). */
static const struct fwm_map_input *find(const struct fwm_map *m, uint64_t addr,
					const char *section)
{
	for (size_t i = 0; i < m->nin; i++)
		if (m->in[i].addr == addr && !strcmp(m->in[i].section, section))
			return &m->in[i];
	print_error("no input section %s at 0x%llx\n", section, (unsigned long long)addr);
	fail();
	return NULL;
}

static void input_is(const struct fwm_map *m, uint64_t addr, const char *section,
		     uint64_t size, const char *file_tail, const char *out)
{
	const struct fwm_map_input *in = find(m, addr, section);

	assert_int_equal(in->size, size);
	assert_string_equal(in->out_section, out);
	if (file_tail) {
		assert_non_null(in->file);
		if (!ends_with(in->file, file_tail))
			print_error("file %s does not end with %s\n", in->file, file_tail);
		assert_true(ends_with(in->file, file_tail));
		assert_false(in->is_fill);
	} else {
		assert_null(in->file);
		assert_true(in->is_fill);
		assert_string_equal(in->section, "*fill*");
	}
}

static void region_is(const struct fwm_map *m, size_t i, const char *name,
		      uint64_t origin, uint64_t length, const char *attrs)
{
	assert_true(i < m->regions.n);
	assert_string_equal(m->regions.v[i].name, name);
	assert_int_equal(m->regions.v[i].origin, origin);
	assert_int_equal(m->regions.v[i].length, length);
	assert_string_equal(m->regions.v[i].attrs, attrs);
}

/* Input sections plus fill of an output section add up to its size. */
static void sums_to(const struct fwm_map *m, const char *out, uint64_t size)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->nin; i++)
		if (!strcmp(m->in[i].out_section, out))
			sum += m->in[i].size;
	if (sum != size)
		print_error("%s: inputs add up to 0x%llx, the map says 0x%llx\n", out,
			    (unsigned long long)sum, (unsigned long long)size);
	assert_int_equal(sum, size);
}

static bool has_section(const struct fwm_map *m, const char *section, const char *file_tail)
{
	for (size_t i = 0; i < m->nin; i++)
		if (!strcmp(m->in[i].section, section) &&
		    (!file_tail || (m->in[i].file && ends_with(m->in[i].file, file_tail))))
			return true;
	return false;
}

/* What holds for every map: sorted, no empty entries, strings set. */
static void invariants(const struct fwm_map *m)
{
	for (size_t i = 0; i < m->nin; i++) {
		const struct fwm_map_input *in = &m->in[i];

		assert_true(in->size > 0);
		assert_non_null(in->section);
		assert_non_null(in->out_section);
		assert_true(in->is_fill ? in->file == NULL : in->file != NULL);
		if (i)
			assert_true(m->in[i - 1].addr <= in->addr);
	}
}

static void test_cortexm(void **state)
{
	struct fwm_map *m = load("cortexm.map");
	const char *libc = "libg_nano.a(lib_a-memcpy.o)";

	(void)state;
	invariants(m);
	assert_int_equal(m->regions.n, 4);      /* *default* is left out */
	region_is(m, 0, "FLASH", 0x08004000, 0x7c000, "xr");
	region_is(m, 1, "RAM", 0x20000000, 0x20000, "xrw");
	region_is(m, 2, "CCMRAM", 0x10000000, 0x10000, "rw");
	region_is(m, 3, "BKPSRAM", 0x40004000, 0x1000, "rw");

	input_is(m, 0x08004000, ".isr_vector", 0x40, "obj/startup_cm.o", ".isr_vector");
	input_is(m, 0x08004040, ".text", 0x134, libc, ".text");
	assert_true(find(m, 0x08004040, ".text")->file[0] == '/');  /* the whole path */
	input_is(m, 0x080058d4, ".text.this_function_has_a_rather_long_name_so_the_map_wraps",
		 0x10, "obj/main.o", ".text");
	input_is(m, 0x080058e4, ".text.startup.main", 0x5c, "obj/main.o", ".text");
	input_is(m, 0x08005958, ".text._write", 0x4, "obj/syscalls.o", ".text");
	input_is(m, 0x08005588, "*fill*", 0x8, NULL, ".text");
	input_is(m, 0x08005996, "*fill*", 0x2, NULL, ".text");
	input_is(m, 0x08005a85, "*fill*", 0x3, NULL, ".rodata");
	/* .data at its VMA in RAM, not at its load address in FLASH. */
	input_is(m, 0x20000064, ".data.initialised", 0x10, "obj/main.o", ".data");
	input_is(m, 0x20000000, ".data", 0x64, "libg_nano.a(lib_a-impure.o)", ".data");
	input_is(m, 0x20000080, ".bss.zeroed", 0x100, "obj/main.o", ".bss");
	input_is(m, 0x20000184, "COMMON", 0x4, "obj/main.o", ".bss");
	/* An output section name long enough to wrap. */
	input_is(m, 0x20000188, "*fill*", 0x200, NULL, "._user_heap_stack");
	input_is(m, 0x20000388, "*fill*", 0x400, NULL, "._user_heap_stack");
	input_is(m, 0x0, ".ARM.attributes", 0x2e, "obj/main.o", ".ARM.attributes");

	sums_to(m, ".isr_vector", 0x40);
	sums_to(m, ".text", 0x198c);
	sums_to(m, ".rodata", 0xbc);
	sums_to(m, ".data", 0x74);
	sums_to(m, ".bss", 0x114);
	sums_to(m, "._user_heap_stack", 0x600);

	/* From "Discarded input sections" only. */
	assert_false(has_section(m, ".text.unused_helper", NULL));
	assert_false(has_section(m, ".text.util_unused", NULL));
	assert_false(has_section(m, ".rodata.banner", NULL));
	/* Zero-size linker stubs are dropped. */
	assert_false(has_section(m, ".glue_7", NULL));
	assert_false(has_section(m, ".iplt", NULL));
	fwm_map_close(m);
}

static void test_riscv32(void **state)
{
	struct fwm_map *m = load("riscv32.map");
	static const char *const comment_order[] = {
		"obj/rv_main.o", "obj/rv_util.o", "libmini.a(mini_memcpy.o)",
		"libmini.a(mini_memset.o)", "libmini.a(mini_printf.o)",
		"libgcc.a(_udivdi3.o)", "libgcc.a(_clz.o)",
	};
	size_t k = 0;

	(void)state;
	invariants(m);
	assert_int_equal(m->regions.n, 3);
	region_is(m, 0, "flash", 0x20010000, 0x6a120, "axrl!w");
	region_is(m, 1, "ram", 0x80000000, 0x4000, "axw!rl");
	region_is(m, 2, "itim", 0x80004000, 0x2000, "xw!arl");

	input_is(m, 0x20010000, ".text.init", 0xc, "obj/startup_rv.o", ".init");
	input_is(m, 0x2001000c, ".text.Reset_Handler", 0x48, "obj/rv_startup_rvc.o", ".text");
	input_is(m, 0x200100c6, ".text.memcpy", 0x1c, "obj/libmini.a(mini_memcpy.o)", ".text");
	input_is(m, 0x20010150, ".text", 0x35e, "ilp32/libgcc.a(_udivdi3.o)", ".text");
	input_is(m, 0x200104ba, "*fill*", 0x2, NULL, ".rodata");
	input_is(m, 0x200104d0, ".rodata", 0x100, "libgcc.a(_clz.o)", ".rodata");
	input_is(m, 0x80000000, ".data.initialised", 0x10, "obj/rv_main.o", ".data");
	input_is(m, 0x80000110, "COMMON", 0x4, "obj/rv_main.o", ".bss");
	input_is(m, 0x80000114, "*fill*", 0x4, NULL, ".bss");
	input_is(m, 0x80000118, "COMMON", 0x8, "obj/libmini.a(mini_printf.o)", ".bss");
	input_is(m, 0x80000120, "*fill*", 0x400, NULL, ".stack");
	/* Output section name alone on its line. */
	input_is(m, 0x0, ".riscv.attributes", 0x32, "obj/startup_rv.o", ".riscv.attributes");
	/* The size after relaxing, not the one "before relaxing". */
	input_is(m, 0x0, ".comment", 0x26, "obj/rv_startup_rvc.o", ".comment");

	sums_to(m, ".init", 0xc);
	sums_to(m, ".text", 0x4a2);
	sums_to(m, ".rodata", 0x120);
	sums_to(m, ".data", 0x10);
	sums_to(m, ".bss", 0x110);
	sums_to(m, ".stack", 0x400);
	sums_to(m, ".rela.dyn", 0);     /* only zero-size inputs */

	assert_false(has_section(m, ".text.unused_helper", NULL));
	assert_false(has_section(m, ".text.util_unused", NULL));
	assert_false(has_section(m, ".eh_frame", NULL));

	/* Equal addresses keep the map's order (the sort is stable). */
	for (size_t i = 0; i < m->nin; i++)
		if (m->in[i].addr == 0x26 && !strcmp(m->in[i].section, ".comment")) {
			assert_true(k < 7);
			assert_true(ends_with(m->in[i].file, comment_order[k]));
			k++;
		}
	assert_int_equal(k, 7);
	fwm_map_close(m);
}

static void test_host64(void **state)
{
	struct fwm_map *m = load("host64.map");

	(void)state;
	invariants(m);
	assert_int_equal(m->regions.n, 0);      /* only *default* */
	input_is(m, 0x318, ".interp", 0x1c, "x86_64-linux-gnu/Scrt1.o", ".interp");
	input_is(m, 0x1141, ".text.main", 0x62, "obj/host_main.o", ".text");
	input_is(m, 0x1139, ".text.this_function_has_a_rather_long_name_so_the_map_wraps",
		 0x8, "obj/host_main.o", ".text");
	input_is(m, 0x11a3, ".text.util_sum", 0x28, "obj/host_util.o", ".text");
	input_is(m, 0x1072, "*fill*", 0xe, NULL, ".text");
	sums_to(m, ".text", 0x17b);
	sums_to(m, ".rela.dyn", 0xc0);
	sums_to(m, ".dynamic", 0x1e0);
	sums_to(m, ".bss", 0x128);
	sums_to(m, ".note.gnu.build-id", 0x24);
	assert_false(has_section(m, ".text.unused_helper", NULL));
	assert_false(has_section(m, ".text.util_unused", NULL));
	fwm_map_close(m);
}

static void test_x86_64_kernel(void **state)
{
	struct fwm_map *m = load("x86_64-kernel.map");

	(void)state;
	invariants(m);
	assert_int_equal(m->regions.n, 2);
	/* A name longer than the column: ld 2.40 still puts a blank after it. */
	region_is(m, 0, "kernel_text_and_rodata", 0xffffffff80100000u, 0x200000, "xr");
	region_is(m, 1, "kdata", 0xffffffff80300000u, 0x100000, "rw!x");
	input_is(m, 0xffffffff8010002cu, ".text.main", 0x5e, "obj/k_main.o", ".text");
	input_is(m, 0xffffffff80300120u, "COMMON", 0x4, "obj/k_main.o", ".bss");
	input_is(m, 0xffffffff80100000u, ".note.gnu.build-id", 0x24, "obj/k_main.o",
		 ".note.gnu.build-id");
	sums_to(m, ".text", 0x139);
	sums_to(m, ".rodata", 0x22);
	sums_to(m, ".bss", 0x110);
	fwm_map_close(m);
}

#define HEAD \
	"Memory Configuration\n\n" \
	"Name             Origin             Length             Attributes\n" \
	"FLASH            0x08000000         0x00080000         xr\n" \
	"*default*        0x00000000         0xffffffff\n\n" \
	"Linker script and memory map\n\n"

static void test_forms(void **state)
{
	struct fwm_map *m;

	(void)state;
	m = load_buf(
		"Archive member included to satisfy reference by file (symbol)\n\n"
		"libc.a(memcpy.o)              main.o (memcpy)\n\n"
		"Allocating common symbols\n"
		"Common symbol       size              file\n\n"
		"buf                 0x100             main.o\n\n"
		"Discarded input sections\n\n"
		" .text.dead     0x0000000000000000       0x20 main.o\n"
		" .text.also_dead_with_a_long_name\n"
		"                0x0000000000000000       0x10 main.o\n\n"
		"Memory Configuration\n\n"
		"Name             Origin             Length             Attributes\n"
		"FLASH            0x0000000008000000 0x0000000000080000 xr\n"
		"RAM              0x0000000020000000 0x0000000000020000\n"
		"q r              0x0000000030000000 0x0000000000001000 rw !x\n"
		"A_VERY_LONG_REGION_NAME0x0000000040000000 0x0000000000000100 r\n"
		"BUFFER_10x0000000050000000 0x0000000000000200\n"
		"*default*        0x0000000000000000 0xffffffffffffffff\n\n"
		"Linker script and memory map\n\n"
		"LOAD main.o\n"
		"LOAD 0xfeed.o\n"
		"START GROUP\n"
		"LOAD /usr/lib/libc.a\n"
		"END GROUP\n"
		"                0x0000000000000200                _Min_Heap_Size = 0x200\n"
		"                [!provide]                        PROVIDE (end = .)\n\n"
		".isr_vector     0x0000000008000000      0x10\n"
		" *(.isr_vector)\n"
		" .isr_vector    0x0000000008000000      0x10 startup.o\n"
		"                0x0000000008000000                vectors\n\n"
		".text           0x0000000008000010      0x80\n"
		" *(.text .text.*)\n"
		" .text          0x0000000008000010        0x0 crti.o\n"
		" .text.main     0x0000000008000010       0x1c build/main.o\n"
		"                0x0000000008000010                main\n"
		" *fill*         0x000000000800002c        0x4 \n"
		" *fill*         0x0000000008000030        0x4 00\n"
		" *fill*         0x0000000008000034        0x4 90909090\n"
		" .text.a_function_name_longer_than_the_column\n"
		"                0x0000000008000038       0x20 my dir/with spaces.o\n"
		"                                         0x28 (size before relaxing)\n"
		" .text          0x0000000008000058       0x28 /opt/lib/libc_nano.a(lib_a-memcpy.o)\n"
		" FILL mask 0xff\n"
		" KEEP (*(.init))\n"
		" .init          0x0000000008000080        0x0 crti.o\n\n"
		".a_long_output_section_name\n"
		"                0x0000000020000000       0x48 load address 0x0000000008000090\n"
		" .data.x        0x0000000020000000        0x8 main.o\n"
		" COMMON         0x0000000020000008       0x40 main.o\n"
		"                0x0000000020000008                buf\n\n"
		".ARM.extab\n"
		" *(.ARM.extab*)\n\n"
		"/DISCARD/\n"
		" libc.a(*)\n\n"
		".odd            0x0000000020000100        0x4\n"
		" .odd           0x0000000020000100        0x4\n"
		"OUTPUT(fw.elf elf32-littlearm)\n"
		"LOAD linker stubs\n\n"
		".comment        0x0000000000000000       0x2e\n"
		" .comment       0x0000000000000000       0x2e main.o\n\n"
		"Cross Reference Table\n\n"
		"Symbol                                            File\n"
		" .text.looks_like_input 0x0000000000000000 0x10 nope.o\n");
	invariants(m);

	assert_int_equal(m->regions.n, 5);
	region_is(m, 0, "FLASH", 0x08000000, 0x80000, "xr");
	region_is(m, 1, "RAM", 0x20000000, 0x20000, "");
	region_is(m, 2, "q r", 0x30000000, 0x1000, "rw!x");
	region_is(m, 3, "A_VERY_LONG_REGION_NAME", 0x40000000, 0x100, "r");
	region_is(m, 4, "BUFFER_1", 0x50000000, 0x200, "");

	assert_int_equal(m->nin, 11);
	input_is(m, 0x0, ".comment", 0x2e, "main.o", ".comment");
	assert_int_equal(m->in[0].addr, 0);     /* sorted first */
	input_is(m, 0x08000000, ".isr_vector", 0x10, "startup.o", ".isr_vector");
	input_is(m, 0x08000010, ".text.main", 0x1c, "build/main.o", ".text");
	input_is(m, 0x0800002c, "*fill*", 0x4, NULL, ".text");
	input_is(m, 0x08000030, "*fill*", 0x4, NULL, ".text");
	input_is(m, 0x08000034, "*fill*", 0x4, NULL, ".text");
	input_is(m, 0x08000038, ".text.a_function_name_longer_than_the_column", 0x20,
		 "my dir/with spaces.o", ".text");
	assert_string_equal(find(m, 0x08000038, ".text.a_function_name_longer_than_the_column")->file,
			    "my dir/with spaces.o");
	input_is(m, 0x08000058, ".text", 0x28, "/opt/lib/libc_nano.a(lib_a-memcpy.o)", ".text");
	input_is(m, 0x20000000, ".data.x", 0x8, "main.o", ".a_long_output_section_name");
	input_is(m, 0x20000008, "COMMON", 0x40, "main.o", ".a_long_output_section_name");
	/* No file after the numbers: an empty name, not NULL. */
	input_is(m, 0x20000100, ".odd", 0x4, "", ".odd");
	sums_to(m, ".text", 0x70);      /* 0x80 less what the test leaves out */
	assert_false(has_section(m, ".text.dead", NULL));
	assert_false(has_section(m, ".text.also_dead_with_a_long_name", NULL));
	assert_false(has_section(m, ".text.looks_like_input", NULL));
	fwm_map_close(m);

	/* An input section before any output section; CRLF line ends. */
	m = load_buf("Linker script and memory map\r\n\r\n"
		     " .text    0x100    0x10 a.o\r\n"
		     ".text    0x200    0x10\r\n"
		     " .text.f\r\n"
		     "          0x200    0x10 b.o\r\n");
	assert_int_equal(m->nin, 2);
	input_is(m, 0x100, ".text", 0x10, "a.o", "");
	input_is(m, 0x200, ".text.f", 0x10, "b.o", ".text");
	assert_int_equal(m->regions.n, 0);
	fwm_map_close(m);

	/* 32-bit widths, as older or 32-bit-hosted ld prints them. */
	m = load_buf(HEAD
		     ".text           0x08000000      0x100\n"
		     " .text          0x08000000       0xfc main.o\n"
		     " *fill*         0x080000fc        0x4 ff\n");
	assert_int_equal(m->nin, 2);
	region_is(m, 0, "FLASH", 0x08000000, 0x80000, "xr");
	sums_to(m, ".text", 0x100);
	fwm_map_close(m);
}

static void test_sort(void **state)
{
	struct fwm_map *m;
	static const uint64_t want[] = { 0x10, 0x20, 0x20, 0x20, 0x30, 0x40, 0x50 };
	static const char *const files[] = { "f.o", "a.o", "c.o", "e.o", "b.o", "g.o", "d.o" };

	(void)state;
	m = load_buf("Linker script and memory map\n\n"
		     ".x 0x0 0x0\n"
		     " .a 0x20 0x1 a.o\n"
		     " .b 0x30 0x1 b.o\n"
		     " .c 0x20 0x1 c.o\n"
		     " .d 0x50 0x1 d.o\n"
		     " .e 0x20 0x1 e.o\n"
		     " .f 0x10 0x1 f.o\n"
		     " .g 0x40 0x1 g.o\n");
	assert_int_equal(m->nin, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(m->in[i].addr, want[i]);
		assert_string_equal(m->in[i].file, files[i]);
	}
	fwm_map_close(m);
}

static void test_errors(void **state)
{
	(void)state;
	bad(HEAD ".text 0x08000000 0x10\n .text.main 0x0800zz00 0x10 main.o\n",
	    "t.map:10: malformed address '0x0800zz00'");
	bad(HEAD ".text 0x08000000 0x10\n .text.main 0x08000000 zz main.o\n",
	    "t.map:10: malformed size 'zz'");
	bad(HEAD ".text 0x08000000 0x10\n .text.main 0x08000000\n",
	    "t.map:10: size missing after address '0x08000000'");
	bad(HEAD ".text 0x08000000 0x10\n .text.main 134217728 0x10 main.o\n",
	    "t.map:10: malformed address '134217728'");
	bad(HEAD ".text 08000000 0x10\n",
	    "t.map:9: malformed address '08000000'");
	bad(HEAD ".text 0x08000000 0x10\n .text.main 0x 0x10 main.o\n",
	    "t.map:10: malformed address '0x'");
	bad(HEAD ".text 0x08000000 0x10\n .text.main 0x08000000 0x1g main.o\n",
	    "t.map:10: malformed size '0x1g'");
	bad(HEAD ".text 0x08000000 0x10\n *fill* 0x10000000000000000 0x4\n",
	    "t.map:10: address '0x10000000000000000' does not fit in 64 bits");
	bad(HEAD ".text 0x08000000 0x10\n .text.a_long_name_that_wraps\n"
	    "                0x08000000 0xq main.o\n",
	    "t.map:11: malformed size '0xq'");
	bad(HEAD ".text 0x0800000g 0x10\n",
	    "t.map:9: malformed address '0x0800000g'");
	bad(HEAD ".a_long_output_section_name\n                0x08000000 0x1x0\n",
	    "t.map:10: malformed size '0x1x0'");
	bad(HEAD ".text 0x08000000\n",
	    "t.map:9: size missing after address '0x08000000'");
	bad("Memory Configuration\n\nName Origin Length Attributes\nFLASH 0x08000000\n",
	    "t.map:4: malformed Memory Configuration line 'FLASH 0x08000000'");
	bad("Memory Configuration\n\nFLASH 0x08000000 0x100 rwxrwxrwxrwxrwxrwx\n",
	    "t.map:3: malformed Memory Configuration line 'FLASH 0x08000000 0x100 rwxrwxrwxrwxrwxrwx'");
	bad("Memory Configuration\n\nFLASH zz 0x100\n",
	    "t.map:3: malformed Memory Configuration line 'FLASH zz 0x100'");
	bad("", "t.map:1: not a GNU ld map file (no \"Linker script and memory map\")");
	bad("hello\nworld\n", "t.map:1: not a GNU ld map file (no \"Linker script and memory map\")");
	bad("Memory Configuration\n\nName Origin Length Attributes\n",
	    "t.map:1: not a GNU ld map file (no \"Linker script and memory map\")");
}

static void test_hostile(void **state)
{
	struct fwm_map *m;
	struct fwm_err e;
	size_t big = 1 << 20;
	char *text = malloc(big + 1);
	FILE *f;
	long len;
	int rc;

	(void)state;
	assert_non_null(text);

	rc = fwm_map_load_buf("t.map", "Linker script and memory map\n\0 .text 0x0 0x4 a.o\n",
			      48, &m, &e);
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(e.msg, "t.map:2: NUL byte in a map file");
	assert_null(m);
	assert_int_equal(fwm_map_load_buf("t.map", NULL, 3, &m, &e), -EINVAL);
	assert_int_equal(fwm_map_load_buf("t.map", "x", 1, NULL, &e), -EINVAL);
	assert_int_equal(fwm_map_load_buf(NULL, NULL, 0, &m, NULL), -EINVAL);
	fwm_map_close(NULL);

	/* A buffer without a final newline or NUL: nothing read past len. */
	{
		static const char t[] = "Linker script and memory map\n .text 0x10 0x4 a.o";
		char *exact = malloc(sizeof t - 1);

		assert_non_null(exact);
		memcpy(exact, t, sizeof t - 1);
		assert_int_equal(fwm_map_load_buf("t.map", exact, sizeof t - 1, &m, &e), 0);
		input_is(m, 0x10, ".text", 4, "a.o", "");
		fwm_map_close(m);
		/* ... and cut inside the numbers, then after the name. */
		assert_int_equal(fwm_map_load_buf("t.map", exact, 41, &m, &e), -EINVAL);
		assert_string_equal(e.msg, "t.map:2: size missing after address '0x10'");
		assert_int_equal(fwm_map_load_buf("t.map", exact, 36, &m, &e), 0);
		assert_int_equal(m->nin, 0);
		fwm_map_close(m);
		free(exact);
	}

	/* One 1 MiB line of each kind. */
	memcpy(text, "Linker script and memory map\n", 29);
	memset(text + 29, 'x', big - 29);
	text[big] = '\0';
	m = load_buf(text);
	assert_int_equal(m->nin, 0);
	fwm_map_close(m);
	text[29] = ' ';
	m = load_buf(text);
	assert_int_equal(m->nin, 0);
	fwm_map_close(m);
	memcpy(text + 29, " .t 0x10 0x20 ", 14);
	m = load_buf(text);
	assert_int_equal(m->nin, 1);
	assert_int_equal(strlen(m->in[0].file), big - 29 - 14);
	fwm_map_close(m);
	memset(text + 29, ' ', big - 29);
	m = load_buf(text);
	fwm_map_close(m);
	memset(text + 29, '\n', big - 29);
	memcpy(text + big - 20, " .t 0xzz 0x4 a.o\n", 18);
	{
		char want[80];

		snprintf(want, sizeof want, "t.map:%zu: malformed address '0xzz'", big - 20 - 29 + 2);
		bad(text, want);
	}

	/* Every prefix of a real map, and random damage: an answer or an
	 * error, never a crash (run under valgrind and ASan). */
	f = fopen(data_path("riscv32.map"), "rb");
	assert_non_null(f);
	len = fread(text, 1, big, f);
	fclose(f);
	assert_true(len > 10000);
	for (long cut = 0; cut <= len; cut += 7) {
		rc = fwm_map_load_buf("t.map", text, (size_t)cut, &m, &e);
		if (!rc)
			fwm_map_close(m);
		else
			assert_memory_equal(e.msg, "t.map:", 6);
	}
	{
		static const char junk[] = " \n\t0x9fz*()";
		char *copy = malloc((size_t)len);
		unsigned seed = 7;

		assert_non_null(copy);
		for (int i = 0; i < 3000; i++) {
			memcpy(copy, text, (size_t)len);
			for (int k = 0; k < 1 + i % 8; k++) {
				seed = seed * 1103515245 + 12345;
				copy[(seed >> 8) % (unsigned)len] = junk[(seed >> 20) % (sizeof junk - 1)];
			}
			rc = fwm_map_load_buf("t.map", copy, (size_t)len, &m, &e);
			if (!rc) {
				invariants(m);
				fwm_map_close(m);
			} else {
				assert_int_equal(rc, -EINVAL);
				assert_memory_equal(e.msg, "t.map:", 6);
				assert_null(strchr(e.msg, '\n'));
			}
		}
		free(copy);
	}
	free(text);
}

/* About 5 MB of map: the size of a large Zephyr application's. */
static void test_large(void **state)
{
	size_t cap = 6 << 20, n = 0;
	char *text = malloc(cap);
	struct fwm_map *m;
	uint64_t addr = 0x08000000;
	int i;

	(void)state;
	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n, HEAD ".text 0x0000000008000000 0x0\n");
	for (i = 0; n + 512 < cap - (1 << 20); i++) {
		n += (size_t)snprintf(text + n, cap - n,
				      " .text.function_number_%d\n"
				      "                0x%016llx       0x%x zephyr/subsys/lib%d.a(file_%d.c.obj)\n"
				      "                0x%016llx                function_number_%d\n",
				      i, (unsigned long long)addr, 0x40 + i % 64, i % 50, i,
				      (unsigned long long)addr, i);
		addr += (uint64_t)(0x40 + i % 64);
	}
	for (int k = 0; n + 256 < cap; k++)
		n += (size_t)snprintf(text + n, cap - n,
				      " .debug_info    0x%016x     0x%x zephyr/subsys/lib%d.a(file_%d.c.obj)\n",
				      k * 0x100, 0x100, k % 50, k);
	m = load_buf(text);
	invariants(m);
	assert_true(m->nin > (size_t)i);
	assert_int_equal(m->in[m->nin - 1].addr, addr - (uint64_t)(0x40 + (i - 1) % 64));
	assert_string_equal(m->in[m->nin - 1].out_section, ".text");
	fwm_map_close(m);
	free(text);
}

static void test_files(void **state)
{
	struct fwm_map *m = (void *)1;
	struct fwm_err e;

	(void)state;
	assert_int_equal(fwm_map_load("/nonexistent/fw.map", &m, &e), -ENOENT);
	assert_string_equal(e.msg, "/nonexistent/fw.map: No such file or directory");
	assert_null(m);
	assert_int_equal(fwm_map_load("/", &m, &e), -EISDIR);
	assert_string_equal(e.msg, "/: Is a directory");
	assert_int_equal(fwm_map_load(NULL, &m, &e), -EINVAL);
	assert_int_equal(fwm_map_load("/dev/null", &m, &e), -EINVAL);
	assert_string_equal(e.msg, "/dev/null:1: not a GNU ld map file (no \"Linker script and memory map\")");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cortexm),
		cmocka_unit_test(test_riscv32),
		cmocka_unit_test(test_host64),
		cmocka_unit_test(test_x86_64_kernel),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
