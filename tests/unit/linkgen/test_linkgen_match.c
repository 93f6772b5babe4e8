/* Unit tests of linkgen's rule patterns (linkgen/match.c): which input
 * sections of a map each selector takes, and the ld statements written for
 * it, following GNU ld's matching (checked against arm-none-eabi-ld 2.40). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lg_match.h"
#include "lg_spec.h"

static struct lg_spec *spec(const char *text)
{
	struct lg_spec *s = NULL;
	struct fwm_err e = { "" };
	if (lg_spec_parse("t.spec", text, strlen(text), &s, &e) != 0)
		fail_msg("%s", e.msg);
	return s;
}

static unsigned m(const struct lg_rule *r, const char *file, const char *section)
{
	struct lg_input in;
	lg_input_init(&in, file, section);
	return lg_rule_matches(r, &in);
}

static void test_input_split(void **state)
{
	(void)state;
	struct lg_input in;
	lg_input_init(&in, "/usr/lib/gcc/arm-none-eabi/12.2.1/libgcc.a(_udivmoddi4.o)", ".text");
	assert_string_equal(in.archive, "/usr/lib/gcc/arm-none-eabi/12.2.1/libgcc.a");
	assert_string_equal(in.member, "_udivmoddi4.o");
	assert_int_equal(in.kind, LG_K_CODE);
	lg_input_init(&in, "build/app/main.o", ".bss.counter");
	assert_string_equal(in.archive, "");
	assert_int_equal(in.kind, LG_K_BSS);
	assert_int_equal(lg_section_kind(".rodata.str1.4"), LG_K_RODATA);
	assert_int_equal(lg_section_kind(".sdata.x"), LG_K_DATA);
	assert_int_equal(lg_section_kind("COMMON"), LG_K_BSS);
	assert_int_equal(lg_section_kind(".textual"), 0);        /* not .text */
	assert_int_equal(lg_section_kind(".ARM.exidx"), 0);
	assert_string_equal(lg_basename("a/b/c.o"), "c.o");
}

static void test_symbol(void **state)
{
	(void)state;
	struct lg_spec *s = spec("place symbol fir in RAM\n"
				 "place symbol fir_* code in RAM\n"
				 "place symbol tab from libdsp.a:tab.o rodata in RAM\n"
				 "place symbol main code in RAM\n");
	const struct lg_rule *r = s->rules;
	assert_int_equal(m(&r[0], "x.o", ".text.fir"), LG_K_CODE);
	assert_int_equal(m(&r[0], "x.o", ".bss.fir"), LG_K_BSS);
	assert_int_equal(m(&r[0], "x.o", ".text.fir2"), 0);
	assert_int_equal(m(&r[0], "x.o", ".text"), 0);            /* no section of its own */
	assert_int_equal(m(&r[1], "x.o", ".text.fir_q15"), LG_K_CODE);
	assert_int_equal(m(&r[1], "x.o", ".data.fir_q15"), 0);    /* code only */
	assert_int_equal(m(&r[2], "lib/libdsp.a(tab.o)", ".rodata.tab"), LG_K_RODATA);
	assert_int_equal(m(&r[2], "lib/libdsp.a(other.o)", ".rodata.tab"), 0);
	assert_int_equal(m(&r[2], "tab.o", ".rodata.tab"), 0);
	assert_int_equal(m(&r[3], "main.o", ".text.startup.main"), LG_K_CODE);   /* gcc -O2 */
	lg_spec_free(s);
}

static void test_files(void **state)
{
	(void)state;
	struct lg_spec *s = spec("place object dsp.o in RAM\n"
				 "place object src/fir.c in RAM\n"
				 "place member libdsp.a:fir.o code in RAM\n"
				 "place archive libdsp.a in RAM\n"
				 "place glob \"*/drivers/*.o\" in RAM\n"
				 "place glob \"*libhal*.a:*\" bss in RAM\n"
				 "place glob \":*/boot/*.o\" in RAM\n");
	const struct lg_rule *r = s->rules;
	assert_int_equal(m(&r[0], "dsp.o", ".text"), LG_K_CODE);
	assert_int_equal(m(&r[0], "build/dsp.o", ".data.x"), LG_K_DATA);
	assert_int_equal(m(&r[0], "build/xdsp.o", ".text"), 0);          /* a suffix of a name is not a name */
	assert_int_equal(m(&r[0], "libx.a(dsp.o)", ".text"), 0);         /* objects are not members */
	assert_int_equal(m(&r[1], "CMakeFiles/app.dir/src/fir.c.obj", ".text.f"), LG_K_CODE);
	assert_int_equal(m(&r[1], "build/src/fir.o", ".text.f"), LG_K_CODE);
	assert_int_equal(m(&r[1], "build/fir.o", ".text.f"), 0);         /* src/ is part of the name */
	assert_int_equal(m(&r[2], "/opt/lib/libdsp.a(fir.o)", ".text.fir"), LG_K_CODE);
	assert_int_equal(m(&r[2], "/opt/lib/libdsp.a(fir.o)", ".rodata"), 0);
	assert_int_equal(m(&r[2], "/opt/lib/libxdsp.a(fir.o)", ".text"), 0);
	assert_int_equal(m(&r[3], "libdsp.a(iir.o)", ".bss"), LG_K_BSS);
	assert_int_equal(m(&r[3], "libdsp.a", ".bss"), 0);
	assert_int_equal(m(&r[4], "build/drivers/uart.o", ".text"), LG_K_CODE);
	assert_int_equal(m(&r[4], "build/lib/uart.o", ".text"), 0);
	assert_int_equal(m(&r[5], "out/libhal_stm32.a(gpio.o)", ".bss.x"), LG_K_BSS);
	assert_int_equal(m(&r[5], "out/libhal_stm32.a(gpio.o)", ".text"), 0);
	assert_int_equal(m(&r[6], "build/boot/start.o", ".text"), LG_K_CODE);
	assert_int_equal(m(&r[6], "libboot.a(start.o)", ".text"), 0);   /* ":file" is outside archives */
	lg_spec_free(s);
}

static void test_section(void **state)
{
	(void)state;
	struct lg_spec *s = spec("place section .ramfunc in RAM\n"
				 "place section \".itcm_text*\" from crc.o in RAM\n"
				 "place section .dma_bss bss in RAM\n");
	const struct lg_rule *r = s->rules;
	assert_int_equal(lg_rule_tier(&r[0]), LG_TIER_SYMBOL);
	assert_int_equal(lg_rule_tier(&r[1]), LG_TIER_GLOB);
	/* a custom name has no kind of its own: the rule's decides */
	assert_int_equal(m(&r[0], "app.o", ".ramfunc"), LG_K_CODE);
	assert_int_equal(m(&r[0], "app.o", ".ramfunc.x"), 0);
	assert_int_equal(m(&r[1], "lib/crc.o", ".itcm_text.f"), LG_K_CODE);
	assert_int_equal(m(&r[1], "lib/other.o", ".itcm_text"), 0);
	assert_int_equal(m(&r[2], "dma.o", ".dma_bss"), LG_K_BSS);
	lg_spec_free(s);
}

static char *statements(const struct lg_rule *r, unsigned kinds)
{
	static char buf[8192];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	lg_rule_write_inputs(r, kinds, f, "");
	fclose(f);
	return buf;
}

static void test_ld_statements(void **state)
{
	(void)state;
	struct lg_spec *s = spec("place symbol fir code in RAM keep\n"
				 "place object dsp.o bss in RAM\n"
				 "place member libdsp.a:fir.o rodata in RAM\n"
				 "place archive libm.a code in RAM\n"
				 "place symbol tab from app.o rodata in RAM\n");
	const struct lg_rule *r = s->rules;
	assert_string_equal(statements(&r[0], LG_K_CODE),
			    "KEEP(*(.text.fir .text.unlikely.fir .text.startup.fir .text.hot.fir))\n");
	/* every file pattern has a wildcard, or ld would open the file */
	assert_string_equal(statements(&r[1], LG_K_BSS), ":*/dsp.o(.bss .bss.* .sbss .sbss.* COMMON)\n"
							 ":dsp.[o](.bss .bss.* .sbss .sbss.* COMMON)\n");
	assert_string_equal(statements(&r[2], LG_K_RODATA),
			    "*/libdsp.a:fir.o(.rodata .rodata.* .srodata .srodata.*)\n"
			    "libdsp.[a]:fir.o(.rodata .rodata.* .srodata .srodata.*)\n");
	assert_string_equal(statements(&r[3], LG_K_CODE), "*/libm.a:(.text .text.*)\nlibm.[a]:(.text .text.*)\n");
	assert_string_equal(statements(&r[4], LG_K_RODATA),
			    ":*/app.o(.rodata.tab .rodata.tab.* .srodata.tab)\n:app.[o](.rodata.tab .rodata.tab.* .srodata.tab)\n");
	/* a pulled input section: exactly that section of that file */
	struct lg_rule p = { 0 };
	p.sel = LG_SEL_INPUT;
	p.name = (char *)"/usr/lib/gcc/libgcc.a(_udivmoddi4.o)";
	p.member = (char *)".text";
	p.kinds = LG_K_CODE;
	assert_string_equal(statements(&p, LG_K_CODE), "*/libgcc.a:_udivmoddi4.[o](.text)\nlibgcc.[a]:_udivmoddi4.[o](.text)\n");
	assert_int_equal(m(&p, "/usr/lib/gcc/libgcc.a(_udivmoddi4.o)", ".text"), LG_K_CODE);
	assert_int_equal(m(&p, "/usr/lib/gcc/libgcc.a(_udivsi3.o)", ".text"), 0);
	p.name = (char *)"build/main.o";
	p.member = (char *)".text.fw_clip";
	assert_string_equal(statements(&p, LG_K_CODE), ":build/main.[o](.text.fw_clip)\n:*/build/main.o(.text.fw_clip)\n");
	lg_spec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_split),
		cmocka_unit_test(test_symbol),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_section),
		cmocka_unit_test(test_ld_statements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
