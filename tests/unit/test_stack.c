/* The pieces of elfmap stack: the frame analysis over hand-assembled Thumb
 * and RV32 code, garbage code, the annotations and .su parsers and the ARM
 * attributes reader. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "stack_int.h"

#define BASE 0x08000000u

static unsigned char code[4096];
static struct fwm_section secs[] = {
	{ .name = "" },
	{ .name = ".text", .type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_EXECINSTR, .vma = BASE,
	  .lma = BASE, .size = sizeof code, .offset = 0 },
};
static struct fwm_image image = { .path = "synthetic.elf", .data = code, .size = sizeof code,
				  .sec = secs, .nsec = 2, .elfclass = 32 };
static struct fwm_stk_mem mem = { &image };

/* Put 16-bit halfwords (Thumb, RVC) or 32-bit words at the start of code. */
static size_t put16(const uint16_t *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		code[2 * i] = (unsigned char)h[i];
		code[2 * i + 1] = (unsigned char)(h[i] >> 8);
	}
	return 2 * n;
}

static size_t put_rv(const uint32_t *w, const int *len, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < len[i]; b++)
			code[o++] = (unsigned char)(w[i] >> (8 * b));
	return o;
}

static void analyse_data(struct fwm_stk_arch *a, size_t len, const struct fwm_stk_range *data, size_t ndata,
			 struct fwm_stk_frame *fr)
{
	struct fwm_stk_work w = { 0 };
	assert_int_equal(fwm_stk_analyse(a, &w, code, BASE, len, data, ndata, fr), 0);
	fwm_stk_work_free(&w);
}

static void analyse(struct fwm_stk_arch *a, size_t len, struct fwm_stk_frame *fr)
{
	struct fwm_stk_work w = { 0 };
	assert_int_equal(fwm_stk_analyse(a, &w, code, BASE, len, NULL, 0, fr), 0);
	fwm_stk_work_free(&w);
}

static void test_thumb_frame_and_indirect_call(void **state)
{
	(void)state;
	struct fwm_stk_arch a;
	struct fwm_err err;
	struct fwm_stk_frame fr;
	/* push {r4, lr}; sub sp, #8; blx r3; add sp, #8; pop {r4, pc} */
	static const uint16_t f[] = { 0xb510, 0xb082, 0x4798, 0xb002, 0xbd10 };
	assert_int_equal(fwm_stk_arm_open(&mem, &a, &err), 0);
	analyse(&a, put16(f, 5), &fr);
	assert_int_equal(fr.frame, 16);
	assert_int_equal(fr.problem, FWM_PB_NONE);
	assert_int_equal(fr.nsite, 1);
	assert_int_equal(fr.site[0].kind, FWM_SITE_ICALL);
	assert_int_equal(fr.site[0].addr, BASE + 4);
	assert_int_equal(fr.site[0].depth, 16);
	assert_string_equal(fr.site[0].text, "blx r3");
	fwm_stk_frame_free(&fr);
	fwm_stk_arch_close(&a);
}

static void test_thumb1_large_frame_and_veneer(void **state)
{
	(void)state;
	struct fwm_stk_arch a;
	struct fwm_err err;
	struct fwm_stk_frame fr;
	/* push {r7}; ldr r7, [pc, #8]; add sp, r7; ldr r3, [pc, #8]; blx r3;
	 * ldr r3, [pc, #8]; add sp, r3; pop {r7}; bx lr; nop;
	 * .word -1508, .word BASE + 0x101, .word 1508 */
	static const uint16_t f[] = { 0xb480, 0x4f04, 0x44bd, 0x4b04, 0x4798, 0x4b04, 0x449d, 0xbc80,
				      0x4770, 0x46c0, 0xfa1c, 0xffff, 0x0101, 0x0800, 0x05e4, 0x0000 };
	static const struct fwm_stk_range lit = { BASE + 20, BASE + 32 };      /* $d */
	assert_int_equal(fwm_stk_arm_open(&mem, &a, &err), 0);
	analyse_data(&a, put16(f, 16), &lit, 1, &fr);
	assert_int_equal(fr.frame, 1512);
	assert_int_equal(fr.problem, FWM_PB_NONE);
	assert_int_equal(fr.nsite, 1);
	assert_int_equal(fr.site[0].kind, FWM_SITE_CALL);      /* through a constant */
	assert_int_equal(fr.site[0].target, BASE + 0x100);
	assert_int_equal(fr.site[0].depth, 1512);
	fwm_stk_frame_free(&fr);
	fwm_stk_arch_close(&a);
}

static void test_thumb_unbounded_and_conditional_return(void **state)
{
	(void)state;
	struct fwm_stk_arch a;
	struct fwm_err err;
	struct fwm_stk_frame fr;
	/* push {r4, lr}; cmp r0, #0; it eq; popeq {r4, pc}; sub sp, #16;
	 * sub.w sp, sp, r0 (unbounded); mov sp, r7; pop {r4, pc} */
	static const uint16_t f[] = { 0xb510, 0x2800, 0xbf08, 0xbd10, 0xb084, 0xebad, 0x0d00, 0x46bd, 0xbd10 };
	assert_int_equal(fwm_stk_arm_open(&mem, &a, &err), 0);
	analyse(&a, put16(f, 9), &fr);
	/* the conditional pop does not make the code after it shallower */
	assert_int_equal(fr.frame, 24);
	assert_int_equal(fr.problem, FWM_PB_SP);
	assert_int_equal(fr.problem_addr, BASE + 10);
	assert_string_equal(fr.problem_text, "sub.w sp, sp, r0");
	fwm_stk_frame_free(&fr);
	fwm_stk_arch_close(&a);
}

static void test_thumb_frame_pointer(void **state)
{
	(void)state;
	struct fwm_stk_arch a;
	struct fwm_err err;
	struct fwm_stk_frame fr;
	/* push {r7, lr}; sub sp, #8; add r7, sp, #0; adds r7, #8; mov sp, r7; pop {r7, pc} */
	static const uint16_t f[] = { 0xb580, 0xb082, 0xaf00, 0x3708, 0x46bd, 0xbd80 };
	assert_int_equal(fwm_stk_arm_open(&mem, &a, &err), 0);
	analyse(&a, put16(f, 6), &fr);
	assert_int_equal(fr.frame, 16);
	assert_int_equal(fr.problem, FWM_PB_NONE);
	fwm_stk_frame_free(&fr);
	fwm_stk_arch_close(&a);
}

static void test_rv32(void **state)
{
	(void)state;
	struct fwm_stk_arch a;
	struct fwm_err err;
	struct fwm_stk_frame fr;
	/* lui t0, 0xfffff; c.addi16sp sp, -64; add sp, sp, t0; sw ra, 28(sp);
	 * auipc ra, 0; jalr ra, 0x40(ra); jal ra, +0x20; c.jalr a5; sub sp, sp, a5; ret */
	static const uint32_t w[] = { 0xfffff2b7, 0x7139, 0x00510133, 0x00112e23, 0x00000097, 0x040080e7,
				      0x020000ef, 0x9782, 0x40f10133, 0x8082 };
	static const int len[] = { 4, 2, 4, 4, 4, 4, 4, 2, 4, 2 };
	assert_int_equal(fwm_stk_rv_open(&mem, &a, &err), 0);
	analyse(&a, put_rv(w, len, 10), &fr);
	assert_int_equal(fr.frame, 4096 + 64);
	assert_int_equal(fr.problem, FWM_PB_SP);
	assert_string_equal(fr.problem_text, "sub sp, sp, a5");
	assert_int_equal(fr.nsite, 3);
	assert_int_equal(fr.site[0].kind, FWM_SITE_CALL);      /* auipc + jalr */
	assert_int_equal(fr.site[0].target, BASE + 14 + 0x40);
	assert_int_equal(fr.site[1].kind, FWM_SITE_CALL);      /* jal */
	assert_int_equal(fr.site[1].target, BASE + 22 + 0x20);
	assert_int_equal(fr.site[2].kind, FWM_SITE_ICALL);
	assert_int_equal(fr.site[2].depth, 4096 + 64);
	fwm_stk_frame_free(&fr);
	fwm_stk_arch_close(&a);
}

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random bytes, as either machine's code, with random data ranges: the
 * analysis ends, and a frame is either bounded by the limit or a problem. */
static void test_garbage(void **state)
{
	(void)state;
	uint32_t x = 0x2545f491;
	struct fwm_stk_work w = { 0 };
	for (int arch = 0; arch < 2; arch++) {
		struct fwm_stk_arch a;
		struct fwm_err err;
		assert_int_equal(arch ? fwm_stk_rv_open(&mem, &a, &err) : fwm_stk_arm_open(&mem, &a, &err), 0);
		for (int round = 0; round < 400; round++) {
			size_t len = 2 + rnd(&x) % 1024;
			for (size_t i = 0; i < len; i++)
				code[i] = (unsigned char)rnd(&x);
			struct fwm_stk_range data[2] = { { BASE + 64, BASE + 80 }, { BASE + 200, BASE + 203 } };
			struct fwm_stk_frame fr;
			assert_int_equal(fwm_stk_analyse(&a, &w, code, BASE, len, data, round & 1 ? 2 : 0, &fr), 0);
			assert_true(fr.frame <= FWM_STK_MAXDEPTH || fr.problem);
			for (size_t k = 0; k < fr.nsite; k++)
				assert_true(fr.site[k].addr >= BASE && fr.site[k].addr < BASE + len);
			fwm_stk_frame_free(&fr);
		}
		fwm_stk_arch_close(&a);
	}
	fwm_stk_work_free(&w);
}

static void test_annotations(void **state)
{
	(void)state;
	struct fwm_stk_anns a = { 0 };
	struct fwm_err err = { "" };
	assert_int_equal(fwm_stk_anns_parse(&a, "a.txt",
		"# comment\n\nindirect dispatch op_a,op_b op_c  # trailing\nframe vla 0x60\r\nentry worker\n", &err), 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.v[0].kind, FWM_ANN_INDIRECT);
	assert_int_equal(a.v[0].line, 3);
	assert_string_equal(a.v[0].func, "dispatch");
	assert_int_equal(a.v[0].ntargets, 3);
	assert_string_equal(a.v[0].targets[2], "op_c");
	assert_int_equal(a.v[1].kind, FWM_ANN_FRAME);
	assert_int_equal(a.v[1].bytes, 96);
	assert_int_equal(a.v[2].kind, FWM_ANN_ENTRY);
	fwm_stk_anns_free(&a);

	static const struct { const char *text, *msg; } bad[] = {
		{ "frame f\n", "b.txt:1: frame wants FUNCTION BYTES" },
		{ "\nframe f -1\n", "b.txt:2: '-1' is not a frame size in bytes (0 to 16777216)" },
		{ "indirect f ,\n", "b.txt:1: indirect wants CALLER TARGET[,TARGET...]" },
		{ "entry\n", "b.txt:1: entry wants one FUNCTION" },
		{ "calls f g\n", "b.txt:1: unknown annotation 'calls' (indirect, frame or entry)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_true(fwm_stk_anns_parse(&a, "b.txt", bad[i].text, &err) < 0);
		assert_string_equal(err.msg, bad[i].msg);
		fwm_stk_anns_free(&a);
	}
}

static void test_su_and_ci(void **state)
{
	(void)state;
	char su[] = "/tmp/fwm_su_XXXXXX", ci[] = "/tmp/fwm_ci_XXXXXX";
	int fd = mkstemp(su);
	assert_true(fd >= 0);
	const char *t = "src/a.c:10:5:main\t24\tstatic\nb.c:3:12:f.constprop\t8\tdynamic,bounded\n"
			"c.c:1:1:g\t0\tdynamic\n";
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	fd = mkstemp(ci);
	assert_true(fd >= 0);
	t = "graph: { title: \"b.c\"\n"
	    "node: { title: \"b.c:f.constprop.0\" label: \"f.constprop\\nb.c:3:12\\n8 bytes (dynamic,bounded)\" }\n"
	    "node: { title: \"ext\" label: \"ext\\nb.h:1:1\" shape : ellipse }\n"
	    "edge: { sourcename: \"b.c:f.constprop.0\" targetname: \"ext\" label: \"b.c:4:3\" }\n"
	    "edge: { sourcename: \"h\" targetname: \"__indirect_call\" label: \"b.c:9:3\" }\n}\n";
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	struct fwm_stk_gcc g = { 0 };
	struct fwm_err err = { "" };
	assert_int_equal(fwm_stk_gcc_read_su(&g, su, &err), 0);
	assert_int_equal(fwm_stk_gcc_read_ci(&g, ci, &err), 0);
	assert_int_equal(g.nsu, 4);
	assert_string_equal(g.su[0].name, "main");
	assert_string_equal(g.su[0].file, "src/a.c");
	assert_int_equal(g.su[0].bytes, 24);
	assert_int_equal(g.su[1].dynamic, 2);
	assert_int_equal(g.su[2].dynamic, 1);
	assert_string_equal(g.su[3].name, "f.constprop.0");
	assert_string_equal(g.su[3].file, "b.c");
	assert_int_equal(g.nedge, 2);
	assert_string_equal(g.edge[0].caller, "f.constprop.0");
	assert_string_equal(g.edge[0].callee, "ext");
	assert_null(g.edge[1].callee);
	fwm_stk_gcc_free(&g);
	unlink(su);
	unlink(ci);
}

static void test_arm_attributes(void **state)
{
	(void)state;
	/* 'A', then a vendor subsection "aeabi" with one Tag_File holding
	 * Tag_CPU_name "7E-M", Tag_FP_arch 5 (VFPv4-D16), Tag_ABI_VFP_args 1 */
	unsigned char a[] = { 'A', 25, 0, 0, 0, 'a', 'e', 'a', 'b', 'i', 0, 1, 15, 0, 0, 0,
			      5, '7', 'E', '-', 'M', 0, 10, 5, 28, 1 };
	assert_int_equal(fwm_stk_arm_fp_arch(a, sizeof a, 0), 5);
	a[23] = 0;                         /* no FP */
	assert_int_equal(fwm_stk_arm_fp_arch(a, sizeof a, 0), 0);
	assert_int_equal(fwm_stk_arm_fp_arch(a, sizeof a - 1, 0), -1);   /* truncated */
	a[1] = 200;                        /* a length past the end */
	assert_int_equal(fwm_stk_arm_fp_arch(a, sizeof a, 0), -1);
	assert_int_equal(fwm_stk_arm_fp_arch(a, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thumb_frame_and_indirect_call),
		cmocka_unit_test(test_thumb1_large_frame_and_veneer),
		cmocka_unit_test(test_thumb_unbounded_and_conditional_return),
		cmocka_unit_test(test_thumb_frame_pointer),
		cmocka_unit_test(test_rv32),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_su_and_ci),
		cmocka_unit_test(test_arm_attributes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
