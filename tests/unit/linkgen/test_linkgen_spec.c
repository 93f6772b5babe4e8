/* Unit tests of linkgen's spec parser and resolver (linkgen/spec.c):
 * statements, selectors, kinds, flags, tiers, and the one-line
 * "FILE:LINE: what" errors, with suggestions for typos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lg_spec.h"

static struct lg_spec *parse_ok(const char *text)
{
	struct lg_spec *s = NULL;
	struct fwm_err e = { "" };
	int rc = lg_spec_parse("t.spec", text, strlen(text), &s, &e);
	if (rc != 0)
		fail_msg("parse failed: %s", e.msg);
	return s;
}

/* The error message of a spec that must fail to parse. */
static const char *parse_err(const char *text)
{
	static struct fwm_err e;
	struct lg_spec *s = NULL;
	memset(&e, 0, sizeof e);
	int rc = lg_spec_parse("t.spec", text, strlen(text), &s, &e);
	if (rc == 0) {
		lg_spec_free(s);
		fail_msg("parse succeeded, expected an error: %s", text);
	}
	return e.msg;
}

static void test_selectors(void **state)
{
	(void)state;
	struct lg_spec *s = parse_ok("# comment\n"
				     "place symbol fir code in ITCM keep align=8 # trailing comment\n"
				     "place symbol \"*_isr\" in ITCM\n"
				     "place symbol cfg from libx.a:cfg.o rodata in FLASH\n"
				     "place object src/dsp.c code,rodata in ITCM surround=dsp\n"
				     "place member libdsp.a(fir.o) in SRAM callees=pull\n"
				     "place member libdsp.a:iir.o in SRAM phase=late\n"
				     "place archive libm.a text in SRAM callees=allow\n"
				     "place glob \"*/drivers/*.o\" data,bss in SRAM nocopy\n"
				     "place function main in SRAM\n");
	assert_int_equal(s->nrules, 9);
	const struct lg_rule *r = s->rules;
	assert_int_equal(r[0].line, 2);
	assert_int_equal(r[0].sel, LG_SEL_SYMBOL);
	assert_string_equal(r[0].name, "fir");
	assert_int_equal(r[0].kinds, LG_K_CODE);
	assert_true(r[0].keep);
	assert_int_equal(r[0].align, 8);
	assert_string_equal(r[0].region, "ITCM");
	assert_string_equal(r[0].text, "place symbol fir code in ITCM keep align=8");
	assert_int_equal(lg_rule_tier(&r[0]), LG_TIER_SYMBOL);
	assert_string_equal(r[1].name, "*_isr");
	assert_int_equal(r[1].kinds, LG_K_ALL);
	assert_int_equal(lg_rule_tier(&r[1]), LG_TIER_GLOB);     /* a symbol pattern ranks as a glob */
	assert_string_equal(r[2].from, "libx.a:cfg.o");
	assert_int_equal(r[3].sel, LG_SEL_OBJECT);
	assert_string_equal(r[3].surround, "dsp");
	assert_int_equal(lg_rule_tier(&r[3]), LG_TIER_OBJECT);
	assert_int_equal(r[4].sel, LG_SEL_MEMBER);                /* the map's form */
	assert_string_equal(r[4].name, "libdsp.a");
	assert_string_equal(r[4].member, "fir.o");
	assert_int_equal(r[4].callees, LG_CALLEES_PULL);
	assert_string_equal(r[5].member, "iir.o");
	assert_true(r[5].phase_set);
	assert_int_equal(r[5].phase, LG_PHASE_LATE);
	assert_int_equal(lg_rule_tier(&r[6]), LG_TIER_ARCHIVE);
	assert_int_equal(r[6].kinds, LG_K_CODE);
	assert_int_equal(r[6].callees, LG_CALLEES_ALLOW);
	assert_int_equal(lg_rule_tier(&r[7]), LG_TIER_GLOB);
	assert_int_equal(r[7].kinds, LG_K_DATA | LG_K_BSS);
	assert_true(r[7].nocopy);
	assert_int_equal(r[8].kinds, LG_K_CODE);                  /* "function" is code */
	assert_string_equal(s->anchor, ".data");                  /* the default */
	lg_spec_free(s);
}

static void test_statements(void **state)
{
	(void)state;
	struct lg_spec *s = parse_ok("regions ld vendor.ld\n"
				     "region DTCM origin=0x20000000 length=128K attrs=rw\n"
				     "region SDRAM origin=0xC0000000 length=32M phase=late\n"
				     "phase RAM_D2 late\n"
				     "load FLASH\n"
				     "insert before .bss\n"
				     "place symbol x in DTCM\n");
	assert_string_equal(s->ld_path, "vendor.ld");
	assert_int_equal(s->ndecl, 2);
	assert_int_equal(s->decl[0].origin, 0x20000000);
	assert_int_equal(s->decl[0].length, 128 * 1024);
	assert_string_equal(s->decl[0].attrs, "rw");
	assert_int_equal(s->decl[1].length, 32u << 20);
	assert_int_equal(s->nrphase, 2);
	assert_string_equal(s->load, "FLASH");
	assert_string_equal(s->anchor, ".bss");
	assert_true(s->insert_before);
	lg_spec_free(s);

	/* paths are relative to the spec's directory */
	struct lg_spec *t = NULL;
	struct fwm_err e = { "" };
	const char *txt = "regions map ../build/fw.map\nplace symbol x in RAM\n";
	assert_int_equal(lg_spec_parse("cfg/fw.spec", txt, strlen(txt), &t, &e), 0);
	assert_string_equal(t->map_path, "cfg/../build/fw.map");
	lg_spec_free(t);
}

static void test_errors(void **state)
{
	(void)state;
	assert_string_equal(parse_err("\n\nplase symbol x in RAM\n"),
			    "t.spec:3: unknown statement 'plase': regions, region, phase, load, insert or place (did you mean 'place'?)");
	assert_string_equal(parse_err("place symbl x in RAM\n"),
			    "t.spec:1: unknown selector 'symbl': symbol, section, object, member, archive or glob (did you mean 'symbol'?)");
	assert_string_equal(parse_err("place symbol x in RAM kep\n"),
			    "t.spec:1: unknown flag 'kep': keep, nocopy, align=N, phase=early|late, surround=NAME, callees=deny|allow|pull (did you mean 'keep'?)");
	assert_string_equal(parse_err("place symbol x code,rodta in RAM\n"),
			    "t.spec:1: 'code,rodta' is not a kind list (code, rodata, data, bss, all; comma-separated) nor 'in'");
	assert_string_equal(parse_err("place symbol x code RAM\n"), "t.spec:1: place wants 'in REGION' after the selector");
	assert_string_equal(parse_err("place symbol x in RAM align=6\n"),
			    "t.spec:1: align wants a power of two up to 1M, not '6'");
	assert_string_equal(parse_err("place symbol x in RAM callees=maybe\n"),
			    "t.spec:1: callees is deny, allow or pull, not 'maybe'");
	assert_string_equal(parse_err("place symbol x in RAM phase=soon\n"), "t.spec:1: phase is early or late, not 'soon'");
	assert_string_equal(parse_err("place symbol x in RAM nocopy phase=late\n"),
			    "t.spec:1: a nocopy rule is not copied, so it has no phase");
	assert_string_equal(parse_err("place glob libx.a in RAM\n"),
			    "t.spec:1: glob 'libx.a' has no wildcard; use object, member or archive");
	assert_string_equal(parse_err("place member libx.a in RAM\n"),
			    "t.spec:1: member wants ARCHIVE:MEMBER (e.g. libdsp.a:fir.o), not 'libx.a'");
	assert_string_equal(parse_err("place object *.o in RAM\n"),
			    "t.spec:1: '*.o' is not an object file name (use glob for patterns, member for archive members)");
	assert_string_equal(parse_err("place symbol a(b) in RAM\n"),
			    "t.spec:1: 'a(b)' is not a symbol name (letters, digits, _ . $ and the wildcards * ? [ ])");
	assert_string_equal(parse_err("place symbol \"x in RAM\n"), "t.spec:1: unterminated \"string\"");
	assert_string_equal(parse_err("place symbol x in RAM\nplace symbol x in SRAM\n"),
			    "t.spec:2: this rule selects what line 1 already selects (place symbol x in RAM)");
	assert_string_equal(parse_err("region R origin=0x100 length=4k\nplace symbol x in R\n"),
			    "t.spec:1: length wants a number (K, M, G allowed), not '4k'");
	assert_string_equal(parse_err("region R origin=0x100\nplace symbol x in R\n"),
			    "t.spec:1: region R wants both origin= and length=");
	assert_string_equal(parse_err("region R origin=0xffffffffffffff00 length=4K\nplace symbol x in R\n"),
			    "t.spec:1: region R wraps around the address space");
	assert_string_equal(parse_err("region R origin=0 length=1K\nregion R origin=0x100 length=1K\n"),
			    "t.spec:2: region declared again (first at line 1)");
	assert_string_equal(parse_err("regions ld a.ld\nregions ld b.ld\n"), "t.spec:2: a second 'regions ld' line");
	assert_string_equal(parse_err("insert after\n"),
			    "t.spec:1: insert wants 'after SECTION' or 'before SECTION' (e.g. insert after .data)");
	assert_string_equal(parse_err("# only a comment\n"), "t.spec:1: the spec has no place rule");
	const char nul[] = "place symbol x\0 in RAM\n";
	struct lg_spec *s = NULL;
	struct fwm_err e = { "" };
	assert_int_not_equal(lg_spec_parse("t.spec", nul, sizeof nul - 1, &s, &e), 0);
	assert_string_equal(e.msg, "t.spec:1: NUL byte: not a text file");
}

static char *write_tmp(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/lg_test_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_resolve(void **state)
{
	(void)state;
	char *ld = strdup(write_tmp("MEMORY {\n FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 512K\n"
				    " RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 128K\n}\n"));
	struct lg_spec *s = parse_ok("region ITCM origin=0 length=64K attrs=rwx\n"
				     "phase RAM late\n"
				     "place symbol fir in ITCM\n"
				     "place symbol tab rodata in FLASH\n"
				     "place symbol buf in RAM\n"
				     "place symbol cfg in ITCM nocopy\n");
	struct lg_regions r;
	struct fwm_err e = { "" };
	assert_int_equal(lg_spec_resolve(s, ld, NULL, &r, &e), 0);
	assert_int_equal(r.set.n, 3);
	assert_string_equal(r.set.v[2].name, "ITCM");
	assert_int_equal(r.decl_line[2], 1);
	assert_int_equal(r.decl_line[0], 0);
	assert_int_equal(r.load, 0);                   /* FLASH: executable, not writable */
	assert_true(lg_region_is_flash(&r, 0));
	assert_false(lg_region_is_flash(&r, 1));
	assert_int_equal(lg_region_of(&r, 0x20001000), 1);
	assert_int_equal(lg_region_of(&r, 0x30000000), -1);
	assert_int_equal(s->rules[0].region_idx, 2);
	assert_true(s->rules[0].copies);
	assert_int_equal(s->rules[0].phase, LG_PHASE_EARLY);
	assert_false(s->rules[1].copies);             /* pinned in the load region */
	assert_int_equal(s->rules[1].kinds, LG_K_RODATA);
	assert_int_equal(s->rules[2].phase, LG_PHASE_LATE);   /* the region's phase */
	assert_false(s->rules[3].copies);
	lg_regions_free(&r);
	lg_spec_free(s);

	/* an unknown region, with a suggestion and the list */
	s = parse_ok("load FLASH\nplace symbol fir in RAN\n");
	assert_int_not_equal(lg_spec_resolve(s, ld, NULL, &r, &e), 0);
	char want[512];
	snprintf(want, sizeof want, "t.spec:2: no region named 'RAN'; did you mean 'RAM'? (regions: FLASH, RAM from %s)", ld);
	assert_string_equal(e.msg, want);
	lg_spec_free(s);

	/* bss cannot go to flash */
	s = parse_ok("place symbol x bss in FLASH\n");
	assert_int_not_equal(lg_spec_resolve(s, ld, NULL, &r, &e), 0);
	assert_string_equal(e.msg, "t.spec:1: region FLASH is the load region: it takes code and rodata, not data or bss");
	lg_spec_free(s);

	/* a declared region may not overlap a vendor region */
	s = parse_ok("region X origin=0x2001f000 length=8K\nplace symbol x in X\n");
	assert_int_not_equal(lg_spec_resolve(s, ld, NULL, &r, &e), 0);
	assert_string_equal(e.msg, "t.spec:1: region X [0x2001f000, 0x20021000) overlaps region RAM [0x20000000, 0x20020000)");
	lg_spec_free(s);

	/* no regions at all */
	s = parse_ok("place symbol x in RAM\n");
	assert_int_not_equal(lg_spec_resolve(s, NULL, NULL, &r, &e), 0);
	assert_string_equal(e.msg, "t.spec:1: no regions: add 'regions ld PATH', 'regions map PATH' or region lines, or give --ld or --map");
	lg_spec_free(s);
	unlink(ld);
	free(ld);
}

static void test_closest(void **state)
{
	(void)state;
	const char *names[] = { "hot_filter", "hot_calls", "main", "lut" };
	assert_string_equal(lg_closest("hot_fitler", names, 4), "hot_filter");   /* a swap */
	assert_string_equal(lg_closest("hot_filtr", names, 4), "hot_filter");    /* a drop */
	assert_string_equal(lg_closest("mian", names, 4), "main");
	assert_null(lg_closest("completely_else", names, 4));
	assert_null(lg_closest("main", names, 4));                                /* itself is no suggestion */
	char buf[64];
	assert_string_equal(lg_kinds_str(LG_K_CODE | LG_K_BSS, buf, sizeof buf), "code,bss");
	assert_string_equal(lg_tier_name(LG_TIER_ARCHIVE), "archive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_closest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
