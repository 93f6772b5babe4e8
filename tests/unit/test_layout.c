/* Layout: region placement and ld-compatible used sizes, on synthetic images. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fwm_layout.h"
#include "fwm_table.h"

static struct fwm_region regions[] = {
	{ "FLASH", 0x08000000, 0x40000, "rx" },
	{ "RAM", 0x20000000, 0x10000, "rwx" },
};
static const struct fwm_region_set set = { regions, 2 };

#define SEC(n, t, f, v, l, s) { .name = n, .type = t, .flags = f, .vma = v, .lma = l, .size = s }

static struct fwm_section secs[] = {
	SEC("", SHT_NULL, 0, 0, 0, 0),
	SEC(".isr_vector", SHT_PROGBITS, SHF_ALLOC, 0x08000000, 0x08000000, 0x188),
	SEC(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x08000190, 0x08000190, 0x1000),
	SEC(".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x20000000, 0x08001190, 0x20),
	SEC(".tbss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE | SHF_TLS, 0x20000020, 0x20000020, 0x40),
	SEC(".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x20000020, 0x20000020, 0x100),
	SEC(".stack", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x20000200, 0x20000200, 0x400),
	SEC(".periph", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x40000000, 0x40000000, 0x10),
	SEC(".debug_info", SHT_PROGBITS, 0, 0, 0, 0x5000),
};

static struct fwm_image image = { .path = "synthetic.elf", .sec = secs,
				  .nsec = sizeof secs / sizeof *secs };

static void test_used_matches_ld(void **state)
{
	(void)state;
	struct fwm_layout *lay;
	struct fwm_err err;
	assert_int_equal(fwm_layout_build(&image, &set, FWM_SRC_LD, &lay, &err), 0);
	assert_int_equal(lay->nreg, 2);
	/* FLASH: vectors, a gap of 8 bytes, .text, then the .data load image */
	assert_int_equal(lay->reg[0].used, 0x1190 + 0x20);
	assert_int_equal(lay->reg[0].np, 3);
	assert_int_equal(lay->reg[0].p[2].section, 3);
	assert_int_equal(lay->reg[0].p[2].at_lma, 1);
	/* RAM: .data, .bss, a gap, then the stack; .tbss takes no space */
	assert_int_equal(lay->reg[1].used, 0x600);
	assert_int_equal(lay->reg[1].np, 3);
	assert_int_equal(lay->vma_region[3], 1);
	assert_int_equal(lay->lma_region[3], 0);
	assert_int_equal(lay->vma_region[4], -1);
	assert_int_equal(lay->lma_region[2], -1);
	/* the peripheral block is in no region */
	assert_int_equal(lay->noutside, 1);
	assert_int_equal(lay->outside[0].section, 7);
	fwm_layout_free(lay);
}

static void test_regions_from_segments(void **state)
{
	(void)state;
	struct fwm_segment segs[] = {
		{ PT_LOAD, PF_R | PF_X, 0x1000, 0x08000000, 0x08000000, 0x1190, 0x1190, 0x1000 },
		{ PT_LOAD, PF_R | PF_W, 0x3000, 0x20000000, 0x08001190, 0x20, 0x120, 0x1000 },
		{ PT_LOAD, PF_R | PF_W, 0x3000, 0x20000200, 0x20000200, 0, 0x400, 0x1000 },
		{ PT_NOTE, PF_R, 0, 0, 0, 0, 0, 4 },
	};
	struct fwm_image img = image;
	img.seg = segs;
	img.nseg = 4;
	struct fwm_layout *lay;
	struct fwm_err err;
	assert_int_equal(fwm_layout_build(&img, NULL, FWM_SRC_LD, &lay, &err), 0);
	assert_int_equal(lay->source, FWM_SRC_SEGMENTS);
	/* the .data load image touches the text segment: one flash region */
	assert_int_equal(lay->nreg, 3);
	assert_string_equal(lay->reg[0].r->name, "LOAD0");
	assert_int_equal(lay->reg[0].r->origin, 0x08000000);
	assert_int_equal(lay->reg[0].r->length, 0x11b0);
	assert_string_equal(lay->reg[0].r->attrs, "rx");
	assert_int_equal(lay->reg[1].r->origin, 0x20000000);
	assert_int_equal(lay->reg[1].r->length, 0x120);
	assert_string_equal(lay->reg[1].r->attrs, "rw");
	assert_int_equal(lay->reg[2].r->length, 0x400);
	fwm_layout_free(lay);
}

static const struct fwm_column cols[] = {
	{ "name", "Name", FWM_COL_STR },
	{ "size", "Size", FWM_COL_INT },
	{ "pct", "Pct", FWM_COL_PCT },
};

static char *render(const struct fwm_table *t, enum fwm_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fwm_table_print(t, fmt, f);
	fclose(f);
	return buf;
}

static void test_table_formats(void **state)
{
	(void)state;
	struct fwm_table t;
	fwm_table_init(&t, cols, 3);
	struct fwm_cell *c = fwm_table_add(&t);
	c[0].s = "a,\"b\"";
	c[1].u = 12;
	c[2].d = 12.345;
	c = fwm_table_add(&t);
	c[0].s = "x|y_z";
	c[1].u = 3;
	c[2].d = 100;
	char *s = render(&t, FWM_FMT_CSV);
	assert_string_equal(s, "name,size,pct\n\"a,\"\"b\"\"\",12,12.35\nx|y_z,3,100.00\n");
	free(s);
	s = render(&t, FWM_FMT_MD);
	assert_string_equal(s, "| Name | Size | Pct |\n|---|---:|---:|\n| a,\"b\" | 12 | 12.35% |\n"
			       "| x\\|y\\_z | 3 | 100.00% |\n");
	free(s);
	s = render(&t, FWM_FMT_TEXT);
	assert_string_equal(s, "Name   Size      Pct\na,\"b\"    12   12.35%\nx|y_z     3  100.00%\n");
	free(s);
	json_t *j = fwm_table_json(&t);
	char *js = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	assert_string_equal(js, "[{\"name\":\"a,\\\"b\\\"\",\"size\":12,\"pct\":12.345},"
				"{\"name\":\"x|y_z\",\"size\":3,\"pct\":100.0}]");
	free(js);
	json_decref(j);
	fwm_table_free(&t);
}

static void test_json_string_not_utf8(void **state)
{
	(void)state;
	json_t *j = fwm_json_string("ab\xff\xfe");
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "ab\\xff\\xfe");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_used_matches_ld),
		cmocka_unit_test(test_regions_from_segments),
		cmocka_unit_test(test_table_formats),
		cmocka_unit_test(test_json_string_not_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
