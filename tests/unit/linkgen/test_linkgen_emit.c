/* Unit tests of linkgen's generator (linkgen/emit.c): the order of the
 * output sections (precedence), their kinds and phases, the copy and zero
 * tables, and the vendor-script scanner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lg_emit.h"
#include "lg_spec.h"

static const char *const decl =
	"region FLASH origin=0x08000000 length=1M attrs=rx\n"
	"region ITCM origin=0x00000000 length=64K attrs=rwx\n"
	"region SRAM origin=0x20000000 length=128K attrs=rwx\n"
	"region SDRAM origin=0xC0000000 length=8M attrs=rw phase=late\n";

struct fix {
	struct lg_spec *s;
	struct lg_regions r;
	struct lg_plan p;
};

static void build(struct fix *x, const char *rules)
{
	char text[4096];
	struct fwm_err e = { "" };
	snprintf(text, sizeof text, "%s%s", decl, rules);
	if (lg_spec_parse("t.spec", text, strlen(text), &x->s, &e) || lg_spec_resolve(x->s, NULL, NULL, &x->r, &e) ||
	    lg_plan_build(x->s, &x->r, &x->p, &e))
		fail_msg("%s", e.msg);
}

static void done(struct fix *x)
{
	lg_plan_free(&x->p);
	lg_regions_free(&x->r);
	lg_spec_free(x->s);
}

static void test_plan_order(void **state)
{
	(void)state;
	struct fix x;
	/* written least specific first: the plan must still go symbol, object, archive, glob */
	build(&x, "place glob \"*drivers*\" in SRAM\n"
		  "place archive libdsp.a code in ITCM\n"
		  "place member libdsp.a:fir.o code in SRAM\n"
		  "place symbol fir_q15 code in SRAM\n"
		  "place symbol frame bss in SDRAM\n"
		  "place symbol cfg rodata in SRAM nocopy\n");
	const char *want[] = { ".fwm.SRAM.sym",     ".fwm.SRAM.sym.nocopy", ".fwm.SDRAM.sym.late.bss",
			       ".fwm.SRAM.obj",     ".fwm.ITCM.lib",        ".fwm.SRAM.glob",
			       ".fwm.SRAM.glob.bss" };
	assert_int_equal(x.p.n, sizeof want / sizeof *want);
	for (size_t i = 0; i < x.p.n; i++)
		assert_string_equal(x.p.v[i].name, want[i]);
	assert_int_equal(x.p.v[0].tier, LG_TIER_SYMBOL);
	assert_int_equal(x.p.v[4].tier, LG_TIER_ARCHIVE);
	assert_string_equal(x.p.v[0].sym, "__fwm_SRAM_sym");
	assert_true(x.p.v[2].bss);
	assert_int_equal(x.p.v[2].phase, LG_PHASE_LATE);      /* SDRAM's phase */
	assert_false(x.p.v[1].copies);
	assert_int_equal(x.p.ncopy[LG_PHASE_EARLY], 4);        /* sym, obj, lib, glob */
	assert_int_equal(x.p.nzero[LG_PHASE_EARLY], 1);
	assert_int_equal(x.p.nzero[LG_PHASE_LATE], 1);
	assert_ptr_equal(lg_plan_osec(&x.p, 3, LG_K_CODE), &x.p.v[0]);
	assert_ptr_equal(lg_plan_osec(&x.p, 0, LG_K_BSS), &x.p.v[6]);
	assert_null(lg_plan_osec(&x.p, 4, LG_K_CODE));
	done(&x);
}

static char *fragment(struct fix *x)
{
	static char buf[65536];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	assert_int_equal(lg_write_fragment(x->s, &x->r, &x->p, f), 0);
	fclose(f);
	return buf;
}

static void test_fragment(void **state)
{
	(void)state;
	struct fix x;
	build(&x, "insert before .bss\n"
		  "place symbol fir code in ITCM align=16 surround=fir\n"
		  "place symbol frame bss in SDRAM\n");
	const char *t = fragment(&x);
	assert_non_null(strstr(t, "  .fwm.ITCM.sym : ALIGN(16)\n  {\n    __fwm_ITCM_sym_start = .;\n"));
	assert_non_null(strstr(t, "    . = ALIGN(16);\n    _fir_start = .;\n"
				  "    *(.text.fir .text.unlikely.fir .text.startup.fir .text.hot.fir)\n    _fir_end = .;\n"));
	assert_non_null(strstr(t, "  } > ITCM AT> FLASH\n  __fwm_ITCM_sym_size = SIZEOF(.fwm.ITCM.sym);\n"
				  "  __fwm_ITCM_sym_load = LOADADDR(.fwm.ITCM.sym);\n"));
	assert_non_null(strstr(t, "  .fwm.SDRAM.sym.late.bss (NOLOAD) : ALIGN(4)\n"));
	assert_non_null(strstr(t, "    __fwm_copy_table_early_start__ = .;\n"
				  "    LONG(LOADADDR(.fwm.ITCM.sym)) LONG(ADDR(.fwm.ITCM.sym)) LONG(SIZEOF(.fwm.ITCM.sym) / 4)\n"
				  "    __fwm_copy_table_early_end__ = .;\n"));
	assert_non_null(strstr(t, "    __fwm_zero_table_late_start__ = .;\n"
				  "    LONG(ADDR(.fwm.SDRAM.sym.late.bss)) LONG(SIZEOF(.fwm.SDRAM.sym.late.bss) / 4)\n"
				  "    __fwm_zero_table_late_end__ = .;\n  } > FLASH\n"));
	assert_non_null(strstr(t, "  PROVIDE(__copy_table_start__ = __fwm_copy_table_early_start__);\n"));
	assert_non_null(strstr(t, "  __fwm_ITCM_start = ADDR(.fwm.ITCM.sym);\n"));
	assert_non_null(strstr(t, "}\nINSERT BEFORE .bss;\n"));
	/* the rule is quoted, and a comment end in it cannot close the comment */
	assert_non_null(strstr(t, "t.spec:6 place symbol fir code in ITCM align=16 surround=fir"));
	done(&x);

	/* nothing to copy: the tables are empty symbols, no section */
	build(&x, "place symbol x rodata in FLASH\n");
	t = fragment(&x);
	assert_null(strstr(t, ".fwm.tables"));
	assert_non_null(strstr(t, "  __fwm_copy_table_early_start__ = 0;\n"));
	done(&x);
}

static char *tmpfile_with(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/lg_emit_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_script_sections(void **state)
{
	(void)state;
	const char *ld = tmpfile_with("/* a vendor script */\nMEMORY { RAM : ORIGIN = 0, LENGTH = 1K }\n"
				      "SECTIONS\n{\n  .text : { *(.text*) } > RAM\n"
				      "  __x = .;\n  .data : AT(0x100) ALIGN(4) { *(.data) } > RAM AT> RAM :text =0\n"
				      "  .heap (NOLOAD) : { . += 4; } > RAM\n  .bss:{ *(.bss) }>RAM\n"
				      "  /DISCARD/ : { *(.comment) }\n}\n");
	char **v;
	struct fwm_err e = { "" };
	assert_int_equal(lg_script_sections(ld, &v, &e), 0);
	const char *want[] = { ".text", ".data", ".heap", ".bss", "/DISCARD/", NULL };
	for (int i = 0; want[i]; i++) {
		assert_non_null(v[i]);
		assert_string_equal(v[i], want[i]);
	}
	assert_null(v[5]);
	lg_strv_free(v);
	unlink(ld);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_order),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_script_sections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
