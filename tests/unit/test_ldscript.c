/* Unit tests of the GNU ld MEMORY parser (lib/ldscript.c).
 *
 * Expected values of the expression tests were checked against GNU ld
 * 2.40 (arm-none-eabi-ld), where ld accepts the input: its "Memory
 * Configuration" shows the same numbers, truncated to 32 bits.
 * Data files are found under $FWMEM_SRCDIR/tests/data (default: the
 * current directory is the source tree, as in `make check`).
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

static const char *srcdir(void)
{
	const char *d = getenv("FWMEM_SRCDIR");

	return d && *d ? d : ".";
}

static char *data_path(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof buf, "%s/tests/data/%s", srcdir(), name);
	return buf;
}

static int parse(const char *text, struct fwm_region_set *s, struct fwm_err *e)
{
	memset(e->msg, 0, sizeof e->msg);
	return fwm_ld_parse_buf("t.ld", text, strlen(text), s, e);
}

/* Parse text from a heap block of its exact length, so that reading one
 * byte too far is caught by valgrind and ASan. */
static int parse_exact(const char *text, struct fwm_err *e)
{
	size_t n = strlen(text);
	char *copy = malloc(n);
	struct fwm_region_set s;
	int rc;

	assert_non_null(copy);
	memcpy(copy, text, n);
	rc = fwm_ld_parse_buf("t.ld", copy, n, &s, e);
	if (!rc)
		fwm_region_set_free(&s);
	free(copy);
	return rc;
}

/* Parse text, which must succeed with n regions. */
static struct fwm_region_set ok(const char *text, size_t n)
{
	struct fwm_region_set s;
	struct fwm_err e;
	int rc = parse(text, &s, &e);

	if (rc)
		print_error("unexpected error: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, n);
	return s;
}

/* Parse text, which must fail with code and exactly msg. */
static void bad(const char *text, int code, const char *msg)
{
	struct fwm_region_set s = { (void *)1, 99 };
	struct fwm_err e;
	int rc = parse(text, &s, &e);

	assert_int_equal(rc, code);
	assert_string_equal(e.msg, msg);
	assert_null(s.v);       /* nothing handed out on failure */
	assert_int_equal(s.n, 0);
}

static void region_is(const struct fwm_region_set *s, size_t i, const char *name,
		      uint64_t origin, uint64_t length, const char *attrs)
{
	assert_true(i < s->n);
	assert_string_equal(s->v[i].name, name);
	assert_int_equal(s->v[i].origin, origin);
	assert_int_equal(s->v[i].length, length);
	assert_string_equal(s->v[i].attrs, attrs);
}

/* The ORIGIN of a one-region script "MEMORY { R : ORIGIN = expr, LENGTH = 1 }". */
static uint64_t eval(const char *prefix, const char *e)
{
	char text[1024];
	struct fwm_region_set s;
	uint64_t v;

	snprintf(text, sizeof text, "%s\nMEMORY { R : ORIGIN = %s, LENGTH = 0 }\n", prefix, e);
	s = ok(text, 1);
	v = s.v[0].origin;
	fwm_region_set_free(&s);
	return v;
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(eval("", "0"), 0);
	assert_int_equal(eval("", "1234"), 1234);
	assert_int_equal(eval("", "0x8000000"), 0x8000000);
	assert_int_equal(eval("", "0XdeadBEEF"), 0xdeadbeef);
	assert_int_equal(eval("", "$10"), 0x10);            /* ld's $hex */
	assert_int_equal(eval("", "010"), 8);               /* leading 0: octal */
	assert_int_equal(eval("", "00"), 0);
	assert_int_equal(eval("", "4K"), 4096);
	assert_int_equal(eval("", "4k"), 4096);
	assert_int_equal(eval("", "1M"), 1048576);
	assert_int_equal(eval("", "1m"), 1048576);
	assert_int_equal(eval("", "2G"), 2147483648u);     /* tolerated; ld lacks G */
	assert_int_equal(eval("", "0x10K"), 0x4000);
	assert_int_equal(eval("", "0xffffffffffffffff"), UINT64_MAX);
	assert_int_equal(eval("", "18446744073709551615"), UINT64_MAX);
	assert_int_equal(eval("", "0x0000000000000000000001"), 1);  /* leading zeros */
}

static void test_keywords(void **state)
{
	struct fwm_region_set s;

	(void)state;
	s = ok("MEMORY\n{\n"
	       "  A (rx) : ORIGIN = 0x1000, LENGTH = 0x100\n"
	       "  B : org = 0x2000, len = 0x200\n"
	       "  C : o = 0x3000, l = 0x300\n"
	       "  D:ORIGIN=0x4000 LENGTH=0x400,\n"         /* no blanks, no comma */
	       "  E : ORIGIN = 5 , LENGTH = 6 , F : ORIGIN = 7, LENGTH = 8\n"
	       "}\n", 6);
	region_is(&s, 0, "A", 0x1000, 0x100, "rx");
	region_is(&s, 1, "B", 0x2000, 0x200, "");
	region_is(&s, 2, "C", 0x3000, 0x300, "");
	region_is(&s, 3, "D", 0x4000, 0x400, "");
	region_is(&s, 4, "E", 5, 6, "");
	region_is(&s, 5, "F", 7, 8, "");
	fwm_region_set_free(&s);
	assert_null(s.v);
	assert_int_equal(s.n, 0);
	fwm_region_set_free(&s);        /* twice is harmless */
	fwm_region_set_free(NULL);
}

static void test_operators(void **state)
{
	(void)state;
	assert_int_equal(eval("", "1 + 2"), 3);
	assert_int_equal(eval("", "1 - 2"), UINT64_MAX);   /* 64-bit wrap */
	assert_int_equal(eval("", "6 * 7"), 42);
	assert_int_equal(eval("", "17 / 4"), 4);
	assert_int_equal(eval("", "-16 / 3"), (uint64_t)-5);     /* signed, as ld */
	assert_int_equal(eval("", "17 % 5"), 2);
	assert_int_equal(eval("", "-1 % 5"), (uint64_t)-1);
	assert_int_equal(eval("", "(0 - 0x7fffffffffffffff - 1) / -1"), 0x8000000000000000u);
	assert_int_equal(eval("", "7 % -1"), 0);
	assert_int_equal(eval("", "1 << 4"), 16);
	assert_int_equal(eval("", "0x100 >> 4"), 0x10);
	assert_int_equal(eval("", "1 << 64"), 1);          /* count mod 64, as ld on x86-64 */
	assert_int_equal(eval("", "1 >> 65"), 0);
	assert_int_equal(eval("", "0xf0 & 0x3c"), 0x30);
	assert_int_equal(eval("", "0xf0 | 0x0f"), 0xff);
	assert_int_equal(eval("", "~0"), UINT64_MAX);
	assert_int_equal(eval("", "~0xff & 0xfff"), 0xf00);
	assert_int_equal(eval("", "!0"), 1);
	assert_int_equal(eval("", "!7"), 0);
	assert_int_equal(eval("", "-5"), (uint64_t)-5);
	assert_int_equal(eval("", "- -5"), 5);
	assert_int_equal(eval("", "+5"), 5);
	assert_int_equal(eval("", "(1 + 2) * 3"), 9);
	assert_int_equal(eval("", "1 + 2 * 3"), 7);
	assert_int_equal(eval("", "3 - 5 * 2 + 17 / 4 - 10 % 3"), (uint64_t)-4);  /* ld: 0xfffffffc */
	assert_int_equal(eval("", "1 | 6 & 3 == 3"), 1);
	assert_int_equal(eval("", "1 ? 7 : 8"), 7);
	assert_int_equal(eval("", "0 ? 7 : 8"), 8);
	assert_int_equal(eval("", "0 ? 1 : 0 ? 2 : 3"), 3);  /* right associative */
	assert_int_equal(eval("", "2 && 0 || 3"), 1);
	assert_int_equal(eval("", "2 && 5"), 1);
	assert_int_equal(eval("", "0 || 0"), 0);
	assert_int_equal(eval("", "3 == 3"), 1);
	assert_int_equal(eval("", "3 != 3"), 0);
	assert_int_equal(eval("", "2 < 3"), 1);
	assert_int_equal(eval("", "3 > 2"), 1);
	assert_int_equal(eval("", "3 <= 3"), 1);
	assert_int_equal(eval("", "2 >= 3"), 0);
	assert_int_equal(eval("", "-1 < 2"), 0);           /* unsigned, as ld */
	assert_int_equal(eval("", "1 + 2 < 4 == 1"), 1);
	assert_int_equal(eval("", "1 << 2 + 1"), 8);        /* + binds tighter */
	assert_int_equal(eval("", "0x8000000 + 16K"), 0x8004000);
	assert_int_equal(eval("", "1M-1"), 0xfffff);
	assert_int_equal(eval("", "ALIGN(5, 4)"), 8);
	assert_int_equal(eval("", "ALIGN(8, 4)"), 8);
	assert_int_equal(eval("", "ALIGN(5, 0)"), 5);
	assert_int_equal(eval("", "MAX(3, 9)"), 9);
	assert_int_equal(eval("", "MIN(3, 9)"), 3);
	assert_int_equal(eval("", "ABSOLUTE(12)"), 12);
	assert_int_equal(eval("", "LOG2CEIL(1000)"), 10);
	assert_int_equal(eval("", "LOG2CEIL(1)"), 0);
	assert_int_equal(eval("", "1 << LOG2CEIL(4 * (16 + 28))"), 256);   /* Zephyr */
	/* Short-circuits: what is not evaluated cannot fail. */
	assert_int_equal(eval("", "0 && 1 / 0"), 0);
	assert_int_equal(eval("", "1 || UNDEFINED_SYM"), 1);
	assert_int_equal(eval("", "1 ? 2 : 1 / 0"), 2);
	assert_int_equal(eval("", "0 ? NOPE : 3"), 3);
}

static void test_symbols(void **state)
{
	(void)state;
	assert_int_equal(eval("FLASH_SIZE = 512K;", "FLASH_SIZE"), 512 * 1024);
	assert_int_equal(eval("FOO = 8;", "FOO-4"), 4);     /* ld: subtraction */
	assert_int_equal(eval("A.b$c_1 = 8;", "A.b$c_1"), 8);
	assert_int_equal(eval("\"my sym\" = 9;", "\"my sym\""), 9);
	assert_int_equal(eval("X = 1; X += 4; X <<= 2;", "X"), 20);
	assert_int_equal(eval("X = 100; X -= 1; X *= 2; X /= 3; X >>= 1; X &= 0xff; X |= 0x100;", "X"), 0x121);
	assert_int_equal(eval("X = 5; X = X + 1;", "X"), 6);
	/* The vendor idiom: DEFINED sees only what came before. */
	assert_int_equal(eval("__stack_size = DEFINED(__stack_size) ? __stack_size : 0x800;",
			      "__stack_size"), 0x800);
	assert_int_equal(eval("__stack_size = 0x400;\n"
			      "__stack_size = DEFINED(__stack_size) ? __stack_size : 0x800;",
			      "__stack_size"), 0x400);
	assert_int_equal(eval("", "DEFINED(nope)"), 0);
	assert_int_equal(eval("yes = 0;", "DEFINED(yes)"), 1);
	assert_int_equal(eval("yes = 0;", "DEFINED(\"yes\")"), 1);
	/* PROVIDE defines only what is not defined yet. */
	assert_int_equal(eval("PROVIDE(P = 9);", "P"), 9);
	assert_int_equal(eval("P = 1; PROVIDE(P = 9);", "P"), 1);
	assert_int_equal(eval("PROVIDE_HIDDEN(P = 3);", "P"), 3);
	assert_int_equal(eval("P = 1; HIDDEN(P = 2);", "P"), 2);
	/* MEMORY sees the final values, as in ld 2.40. */
	{
		struct fwm_region_set s = ok("X = 5;\nMEMORY { R : ORIGIN = X, LENGTH = 1 }\n"
					     "X += 6;\nMEMORY { S : ORIGIN = Y, LENGTH = 1 }\nY = 7;\n", 2);

		region_is(&s, 0, "R", 11, 1, "");
		region_is(&s, 1, "S", 7, 1, "");
		fwm_region_set_free(&s);
	}
	/* Assignments MEMORY does not use may hold what only SECTIONS can
	 * evaluate; the location counter is not a symbol. */
	assert_int_equal(eval(". = 0x1000;\n"
			      "_sidata = LOADADDR(.data);\n"
			      "end = SIZEOF(.text) + ADDR(.text);\n"
			      "start = SEGMENT_START(\"text-segment\", 0x400000) + SIZEOF_HEADERS;\n"
			      "bad = 1 / 0;\n"
			      "unk = NOPE + 1;\n"
			      "_estack = ORIGIN(RAM) + LENGTH(RAM);\n"
			      "ok = 0x20;", "ok"), 0x20);
	/* A later assignment clears an earlier failure. */
	assert_int_equal(eval("X = 1 / 0; X = 3;", "X"), 3);
}

static void test_region_refs(void **state)
{
	struct fwm_region_set s;

	(void)state;
	s = ok("MEMORY {\n"
	       "  FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 512K\n"
	       "  RAM-D1.x (rw) : ORIGIN = 0x24000000, LENGTH = 320K\n"
	       "  TAIL : ORIGIN = ORIGIN(FLASH) + LENGTH(FLASH), LENGTH = LENGTH(RAM-D1.x)\n"
	       "  Q : ORIGIN = ORIGIN(\"RAM-D1.x\"), LENGTH = 0x1000 - ORIGIN(Q) % 0x1000\n"
	       "  \"two words\" : ORIGIN = 0x100, LENGTH = 0x1000 - ORIGIN(\"two words\")\n"
	       "}\n"
	       "MEMORY { LATER : ORIGIN = ORIGIN(TAIL) + 4K, LENGTH = LENGTH(\"two words\") }\n", 6);
	region_is(&s, 0, "FLASH", 0x08000000, 0x80000, "rx");
	region_is(&s, 1, "RAM-D1.x", 0x24000000, 0x50000, "rw");
	region_is(&s, 2, "TAIL", 0x08080000, 0x50000, "");
	region_is(&s, 3, "Q", 0x24000000, 0x1000, "");
	region_is(&s, 4, "two words", 0x100, 0xf00, "");
	region_is(&s, 5, "LATER", 0x08081000, 0xf00, "");
	fwm_region_set_free(&s);
}

static void test_attributes(void **state)
{
	struct fwm_region_set s;

	(void)state;
	s = ok("MEMORY {\n"
	       "  a (rx) : ORIGIN = 0, LENGTH = 1\n"
	       "  b (!w) : ORIGIN = 0, LENGTH = 1\n"
	       "  c (RWX) : ORIGIN = 0, LENGTH = 1\n"
	       "  d (rxai!w) : ORIGIN = 0, LENGTH = 1\n"
	       "  e ( R W ) : ORIGIN = 0, LENGTH = 1\n"
	       "  f(wxa!ri):ORIGIN = 0, LENGTH = 1\n"
	       "  g (rwxailRWXA!!!) : ORIGIN = 0, LENGTH = 1\n"
	       "  h : ORIGIN = 0, LENGTH = 1\n"
	       "}\n", 8);
	region_is(&s, 0, "a", 0, 1, "rx");
	region_is(&s, 1, "b", 0, 1, "!w");
	region_is(&s, 2, "c", 0, 1, "RWX");
	region_is(&s, 3, "d", 0, 1, "rxai!w");
	region_is(&s, 4, "e", 0, 1, "RW");
	region_is(&s, 5, "f", 0, 1, "wxa!ri");
	region_is(&s, 6, "g", 0, 1, "rwxailRWXA!!!");
	region_is(&s, 7, "h", 0, 1, "");
	fwm_region_set_free(&s);

	bad("MEMORY {\n  Q (z) : ORIGIN = 1, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: invalid attribute 'z' for memory region 'Q' (valid: r w x a i l !)");
	bad("MEMORY {\n  Q () : ORIGIN = 1, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: empty attribute list for memory region 'Q'");
	bad("MEMORY {\n  Q (rwxrwxrwxrwxrwxr) : ORIGIN = 1, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: attributes of memory region 'Q' are too long");
	bad("MEMORY {\n  Q (rw", -EINVAL,
	    "t.ld:2: attributes of memory region 'Q' are not closed");
}

static void test_comments_and_cpp(void **state)
{
	struct fwm_region_set s;

	(void)state;
	s = ok("# 1 \"board.ld.S\"\n"
	       "# 1 \"<built-in>\"\n"
	       "/* A comment { with braces ( and \" quotes */\n"
	       "MEMORY /* here */ {\n"
	       "#pragma whatever\n"
	       "  /* FLASH (rx) : ORIGIN = 0, LENGTH = 1 */\n"
	       "  FLASH /* name */ (rx) /* attrs */ : /* colon */ ORIGIN /* kw */ =\n"
	       "      0x08000000 /* value */ + /* op */ 16K, LENGTH = 1M - 16K\n"
	       "  # 40 \"board.ld.S\" 2\n"
	       "\tRAM\t(rwx)\t:\tORIGIN\t=\t0x20000000,\tLENGTH\t=\t128K /* multi\n"
	       "  line\n"
	       "  comment */\n"
	       "}\n", 2);
	region_is(&s, 0, "FLASH", 0x08004000, 0xfc000, "rx");
	region_is(&s, 1, "RAM", 0x20000000, 0x20000, "rwx");
	fwm_region_set_free(&s);
	/* The LENGTH of FLASH above is missing: the error names the line. */
	bad("MEMORY {\n  FLASH (rx) : ORIGIN = 0x08000000 /* no length */\n  RAM : ORIGIN = 0, LENGTH = 1\n}\n",
	    -EINVAL, "t.ld:3: expected LENGTH, got 'RAM'");

	/* CRLF line endings. */
	s = ok("FLASH_SIZE = 64K;\r\nMEMORY\r\n{\r\n  FLASH (rx) : ORIGIN = 0, LENGTH = FLASH_SIZE\r\n}\r\n", 1);
	region_is(&s, 0, "FLASH", 0, 0x10000, "rx");
	fwm_region_set_free(&s);
}

static void test_skipping(void **state)
{
	struct fwm_region_set s;

	(void)state;
	s = ok("OUTPUT_FORMAT(\"elf32-littlearm\", \"elf32-bigarm\", \"elf32-littlearm\")\n"
	       "OUTPUT_ARCH(arm)\n"
	       "SEARCH_DIR(.)\n"
	       "GROUP(-lgcc -lc -lnosys)\n"
	       "ENTRY(\"__start\")\n"
	       "INCLUDE \"common defs.ld\"\n"
	       "INCLUDE ../board/mem_layout.ld\n"
	       "FORCE_COMMON_ALLOCATION\n"
	       "SECTIONS\n"
	       "{\n"
	       "  .text : {\n"
	       "    KEEP(*(.isr_vector))\n"
	       "    *(\".text.*\")          /* a } in a comment */\n"
	       "    ASSERT(. < 0x1000, \"text } too ) big {\");\n"
	       "# 12 \"file{with}brace.h\"\n"
	       "    . = ALIGN(4);\n"
	       "  } > FLASH\n"
	       "  /DISCARD/ : { libc.a ( * ) }\n"
	       "}\n"
	       "PHDRS { text PT_LOAD FILEHDR PHDRS; }\n"
	       "VERSION { VERS_1.0 { global: foo; local: *; }; }\n"
	       "REGION_ALIAS(\"REGION_TEXT\", FLASH);\n"
	       "NOCROSSREFS(.text .data)\n"
	       "ASSERT(DEFINED(x) || 1, \"msg ; with ; semicolons\")\n"
	       "MEMORY\n"
	       "{\n"
	       "  INCLUDE regions.ld\n"
	       "  FLASH (rx) : ORIGIN = 0, LENGTH = 64K\n"
	       "}\n"
	       "SECTIONS { .data : { *(.data) } > RAM AT> FLASH }\n"
	       "INSERT AFTER .text;\n"
	       "MEMORY { RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 16K }\n", 2);
	region_is(&s, 0, "FLASH", 0, 0x10000, "rx");
	region_is(&s, 1, "RAM", 0x20000000, 0x4000, "rwx");
	fwm_region_set_free(&s);
}

/* Renditions of how vendors write MEMORY (not copies of their files). */
static void test_vendor_styles(void **state)
{
	struct fwm_region_set s;

	(void)state;
	/* STM32CubeIDE */
	s = ok("/* Entry Point */\nENTRY(Reset_Handler)\n\n"
	       "/* Highest address of the user mode stack */\n"
	       "_estack = ORIGIN(RAM) + LENGTH(RAM);\t/* end of \"RAM\" Ram type memory */\n\n"
	       "_Min_Heap_Size = 0x200 ;\t/* required amount of heap  */\n"
	       "_Min_Stack_Size = 0x400 ;\t/* required amount of stack */\n\n"
	       "/* Memories definition */\nMEMORY\n{\n"
	       "  RAM    (xrw)    : ORIGIN = 0x20000000,   LENGTH = 128K\n"
	       "  FLASH    (rx)    : ORIGIN = 0x8000000,   LENGTH = 512K\n"
	       "}\n", 2);
	region_is(&s, 0, "RAM", 0x20000000, 0x20000, "xrw");
	region_is(&s, 1, "FLASH", 0x8000000, 0x80000, "rx");
	fwm_region_set_free(&s);

	/* NXP MCUXpresso SDK */
	s = ok("HEAP_SIZE  = DEFINED(__heap_size__)  ? __heap_size__  : 0x0400;\n"
	       "STACK_SIZE = DEFINED(__stack_size__) ? __stack_size__ : 0x0400;\n"
	       "M_VECTOR_RAM_SIZE = DEFINED(__ram_vector_table__) ? 0x0400 : 0x0;\n"
	       "MEMORY\n{\n"
	       "  m_interrupts          (RX)  : ORIGIN = 0x00000000, LENGTH = 0x00000400\n"
	       "  m_flash_config        (RX)  : ORIGIN = 0x00000400, LENGTH = 0x00000010\n"
	       "  m_text                (RX)  : ORIGIN = 0x00000410, LENGTH = 0x000FFBF0\n"
	       "  m_data                (RW)  : ORIGIN = 0x1FFF0000 + M_VECTOR_RAM_SIZE, "
	       "LENGTH = 0x00010000 - M_VECTOR_RAM_SIZE\n"
	       "  m_data_2              (RW)  : ORIGIN = 0x20000000, LENGTH = 0x00030000\n"
	       "}\n", 5);
	region_is(&s, 2, "m_text", 0x410, 0xffbf0, "RX");
	region_is(&s, 3, "m_data", 0x1fff0000, 0x10000, "RW");
	fwm_region_set_free(&s);

	/* Nordic nRF5 SDK, with a SoftDevice */
	s = ok("SEARCH_DIR(.)\nGROUP(-lgcc -lc -lnosys)\n\nMEMORY\n{\n"
	       "  FLASH (rx) : ORIGIN = 0x27000, LENGTH = 0xd9000\n"
	       "  RAM (rwx) :  ORIGIN = 0x20002210, LENGTH = 0x3ddf0\n"
	       "  uicr_bootloader_start_address (r) : ORIGIN = 0x00000FF8, LENGTH = 0x4\n"
	       "}\n\nSECTIONS\n{\n  . = ALIGN(4);\n  .mem_section_dummy_ram :\n  {\n  }\n} INSERT AFTER .data;\n"
	       "INCLUDE \"nrf_common.ld\"\n", 3);
	region_is(&s, 2, "uicr_bootloader_start_address", 0xff8, 4, "r");
	fwm_region_set_free(&s);

	/* Zephyr's preprocessed linker.cmd */
	s = ok(" OUTPUT_FORMAT(\"elf32-littlearm\")\n_region_min_align = 32;\nMEMORY\n    {\n"
	       "    FLASH (rx) : ORIGIN = (0x0 + 0x0), LENGTH = (1024*1K - 0x0)\n"
	       "    RAM (wx) : ORIGIN = 0x20000000, LENGTH = (256 * 1K)\n"
	       "   \n"
	       "    IDT_LIST (wx) : ORIGIN = 0xFFFF7FFF, LENGTH = 32K\n"
	       "    }\nENTRY(\"__start\")\nSECTIONS\n    {\n"
	       " .rel.plt :\n {\n *(.rel.plt)\n PROVIDE_HIDDEN (__rel_iplt_start = .);\n }\n"
	       "    /DISCARD/ :\n {\n *(.plt)\n }\n"
	       " ASSERT(\n  256 >= _kobject_text_area_used,\n\"The configuration system has incorrectly set\n"
	       "'CONFIG_KOBJECT_TEXT_AREA' to\n256, which is not big enough.\"\n  );\n"
	       "    }\n", 3);
	region_is(&s, 0, "FLASH", 0, 0x100000, "rx");
	region_is(&s, 2, "IDT_LIST", 0xffff7fff, 0x8000, "wx");
	fwm_region_set_free(&s);

	/* ESP-IDF memory.ld after the C preprocessor */
	s = ok("MEMORY\n{\n"
	       "  iram0_0_seg (RX) :                 org = 0x40080000, len = 0x20000 + 0x0\n"
	       "  iram0_2_seg (RX) :                 org = 0x400D0020, len = 0x330000-0x20\n"
	       "  dram0_0_seg (RW) :                 org = 0x3FFB0000 + 0xdb5c,\n"
	       "                                     len = 0x2c200 - 0xdb5c\n"
	       "  drom0_0_seg (R) :                  org = 0x3F400020, len = 0x400000-0x20\n"
	       "  rtc_slow_seg(RW)  :                org = 0x50000000 + 0,\n"
	       "                                     len = 0x2000 - 0\n"
	       "}\n"
	       "_heap_start = _heap_low_start;\n", 5);
	region_is(&s, 1, "iram0_2_seg", 0x400d0020, 0x32ffe0, "RX");
	region_is(&s, 2, "dram0_0_seg", 0x3ffbdb5c, 0x1e6a4, "RW");
	region_is(&s, 4, "rtc_slow_seg", 0x50000000, 0x2000, "RW");
	fwm_region_set_free(&s);

	/* SiFive freedom-e-sdk metal.default.lds */
	s = ok("OUTPUT_ARCH(\"riscv\")\nENTRY(_enter)\n\nMEMORY\n{\n"
	       "\tram (airwx) : ORIGIN = 0x80000000, LENGTH = 0x4000\n"
	       "\tflash (rxai!w) : ORIGIN = 0x20010000, LENGTH = 0x6a120\n"
	       "}\n\nPHDRS\n{\n\tflash PT_LOAD;\n\tram_init PT_LOAD;\n\ttls PT_TLS;\n}\n\n"
	       "SECTIONS\n{\n\t__stack_size = DEFINED(__stack_size) ? __stack_size : 0x400;\n"
	       "\tPROVIDE(__stack_size = __stack_size);\n}\n", 2);
	region_is(&s, 0, "ram", 0x80000000, 0x4000, "airwx");
	region_is(&s, 1, "flash", 0x20010000, 0x6a120, "rxai!w");
	fwm_region_set_free(&s);
}

/* The scripts that linked the map files under tests/data: what this parser
 * reads must be what ld used (its "Memory Configuration"). */
static void same_as_ld(const char *script, const char *map, bool same_attrs)
{
	struct fwm_region_set s;
	struct fwm_map *m;
	struct fwm_err e;
	char *path = strdup(data_path(script));
	int rc;

	assert_non_null(path);
	rc = fwm_ld_parse_file(path, &s, &e);
	if (rc)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
	rc = fwm_map_load(data_path(map), &m, &e);
	if (rc)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, m->regions.n);
	for (size_t i = 0; i < s.n; i++) {
		assert_string_equal(s.v[i].name, m->regions.v[i].name);
		assert_int_equal(s.v[i].origin, m->regions.v[i].origin);
		assert_int_equal(s.v[i].length, m->regions.v[i].length);
		if (same_attrs)
			assert_string_equal(s.v[i].attrs, m->regions.v[i].attrs);
	}
	fwm_region_set_free(&s);
	fwm_map_close(m);
	free(path);
}

static void test_real_scripts(void **state)
{
	struct fwm_region_set s;
	struct fwm_err e;

	(void)state;
	assert_int_equal(fwm_ld_parse_file(data_path("mapsrc/stm32.ld"), &s, &e), 0);
	assert_int_equal(s.n, 4);
	region_is(&s, 0, "FLASH", 0x08004000, 0x7c000, "rx");
	region_is(&s, 1, "RAM", 0x20000000, 0x20000, "xrw");
	region_is(&s, 2, "CCMRAM", 0x10000000, 0x10000, "rw");
	region_is(&s, 3, "BKPSRAM", 0x40004000, 0x1000, "rw");
	fwm_region_set_free(&s);

	assert_int_equal(fwm_ld_parse_file(data_path("mapsrc/sifive.ld"), &s, &e), 0);
	assert_int_equal(s.n, 3);
	region_is(&s, 0, "flash", 0x20010000, 0x6a120, "rxai!w");
	region_is(&s, 1, "ram", 0x80000000, 0x4000, "wxa!ri");
	region_is(&s, 2, "itim", 0x80004000, 0x2000, "wx!rai");
	fwm_region_set_free(&s);

	assert_int_equal(fwm_ld_parse_file(data_path("mapsrc/x86_64.ld"), &s, &e), 0);
	assert_int_equal(s.n, 2);
	region_is(&s, 0, "kernel_text_and_rodata", 0xffffffff80100000u, 0x200000, "rx");
	region_is(&s, 1, "kdata", 0xffffffff80300000u, 0x100000, "rw!x");
	fwm_region_set_free(&s);

	/* ld prints attributes in its own order ("xr" for "rx"). */
	same_as_ld("mapsrc/stm32.ld", "cortexm.map", false);
	same_as_ld("mapsrc/sifive.ld", "riscv32.map", false);
	same_as_ld("mapsrc/x86_64.ld", "x86_64-kernel.map", false);
}

static void test_errors(void **state)
{
	(void)state;
	bad("MEMORY {\n  RAM : ORIGIN = 0, LENGTH = 1\n  ROM : ORIGIN = 0, LENGTH = 1\n}\n"
	    "MEMORY {\n  RAM : ORIGIN = 1, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:6: duplicate memory region 'RAM' (first declared at line 2)");
	bad("MEMORY {\n  TOP : ORIGIN = 0xffffffffffff0000, LENGTH = 0x10000\n}\n", -EINVAL,
	    "t.ld:2: memory region 'TOP' ends beyond 64 bits (ORIGIN 0xffffffffffff0000 + "
	    "LENGTH 0x10000)");
	bad("MEMORY {\n  R : ORIGIN = 0,\n      LENGTH = 0x1000 /\n (4 - 4)\n}\n", -EINVAL,
	    "t.ld:3: division by zero");
	bad("MEMORY {\n  R : ORIGIN = 7 % 0, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: modulo by zero");
	/* In a symbol: reported where the division is. */
	bad("A = 4;\nB = A / (A - 4);\nMEMORY {\n  R : ORIGIN = B, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: division by zero");
	bad("X = 1;\nX /= 0;\nMEMORY { R : ORIGIN = X, LENGTH = 1 }\n", -EINVAL,
	    "t.ld:2: division by zero");
	bad("MEMORY {\n  R : ORIGIN = 0, LENGTH = FLASH_SIZE\n}\n", -EINVAL,
	    "t.ld:2: undefined symbol 'FLASH_SIZE'");
	bad("MEMORY {\n  R : ORIGIN = X, LENGTH = 1\n}\nX = Y;\nY = 7;\n", -EINVAL,
	    "t.ld:4: undefined symbol 'Y'");
	bad("X += 1;\nMEMORY { R : ORIGIN = X, LENGTH = 1 }\n", -EINVAL,
	    "t.ld:1: undefined symbol 'X'");
	bad("SIZE = 8;\nMEMORY { R : ORIGIN = 0, LENGTH = SIZE/2 }\n", -EINVAL,
	    "t.ld:2: undefined symbol 'SIZE/2' (ld reads 'a/b' as one name; write 'a / b' to divide)");
	bad("MEMORY { R : ORIGIN = ORIGIN(NOPE), LENGTH = 1 }\n", -EINVAL,
	    "t.ld:1: undefined memory region 'NOPE'");
	bad("MEMORY {\n  R : ORIGIN = ORIGIN(S), LENGTH = 1\n  S : ORIGIN = 5, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: ORIGIN(S) used before region 'S' is defined (line 3)");
	bad("MEMORY { R : ORIGIN = 0, LENGTH = LENGTH(R) }\n", -EINVAL,
	    "t.ld:1: LENGTH(R) used before region 'R' is defined (line 1)");
	bad("X = ORIGIN(R);\nMEMORY { R : ORIGIN = 16, LENGTH = 1 }\nMEMORY { S : ORIGIN = X, LENGTH = 2 }\n",
	    -EINVAL, "t.ld:1: ORIGIN(R) in a symbol assignment cannot be used by MEMORY");
	bad("X = SIZEOF(.text);\nMEMORY { R : ORIGIN = X, LENGTH = 2 }\n", -EINVAL,
	    "t.ld:1: SIZEOF() cannot be evaluated outside SECTIONS");
	bad("MEMORY {\n  R : ORIGIN = ., LENGTH = 2\n}\n", -EINVAL,
	    "t.ld:2: the location counter '.' has no value outside SECTIONS");
	bad("MEMORY { R : ORIGIN = ALIGN(4), LENGTH = 2 }\n", -EINVAL,
	    "t.ld:1: ALIGN(x) needs the location counter; only ALIGN(x, align) works outside SECTIONS");
	bad("MEMORY { R : ORIGIN = MAX(4), LENGTH = 2 }\n", -EINVAL,
	    "t.ld:1: MAX() takes 2 arguments");
	bad("MEMORY { R : ORIGIN = MIN(1, 2, 3), LENGTH = 2 }\n", -EINVAL,
	    "t.ld:1: too many arguments to MIN()");

	bad("", -EINVAL, "t.ld:1: no MEMORY block");
	bad("ENTRY(main)\nSECTIONS { .text : { *(.text) } }\n", -EINVAL, "t.ld:1: no MEMORY block");
	bad("ENTRY(main)\n\nINCLUDE mem.ld\nINCLUDE other.ld\n", -EINVAL,
	    "t.ld:3: no MEMORY block; INCLUDE mem.ld (line 3) is not followed");
	bad("\nMEMORY\n{\n}\n", -EINVAL, "t.ld:2: MEMORY declares no regions");
	bad("MEMORY {\n  INCLUDE \"board regions.ld\"\n}\n", -EINVAL,
	    "t.ld:1: MEMORY declares no regions; INCLUDE board regions.ld (line 2) is not followed");

	bad("MEMORY {\n  R ORIGIN = 0, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: expected ':' after the region name, got 'ORIGIN'");
	bad("MEMORY {\n  R : LENGTH = 1, ORIGIN = 0\n}\n", -EINVAL,
	    "t.ld:2: expected ORIGIN, got 'LENGTH'");
	bad("MEMORY {\n  R : ORIGIN 0, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: expected '=', got '0'");
	bad("MEMORY {\n  R : ORIGIN = , LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: expected an expression, got ','");
	bad("MEMORY {\n  R : ORIGIN = (1 + 2, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: expected ')', got ','");
	bad("MEMORY {\n  R : ORIGIN = 1 ? 2, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: expected ':' of '?:', got ','");
	bad("MEMORY {\n  : ORIGIN = 0, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: expected a memory region name, got ':'");
	bad("MEMORY {\n  \"\" : ORIGIN = 0, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: expected a memory region name, got '\"\"'");
	bad("MEMORY {\n  R : ORIGIN = 08, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: malformed octal number '08'");
	bad("MEMORY {\n  R : ORIGIN = 0x, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: malformed number '0x'");
	bad("MEMORY {\n  R : ORIGIN = 0, LENGTH = 512KB\n}\n", -EINVAL,
	    "t.ld:2: malformed number '512KB'");
	bad("MEMORY {\n  R : ORIGIN = 0x1_0000, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: malformed number '0x1_0000'");
	bad("MEMORY {\n  R : ORIGIN = 0x10000000000000000, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: number too large for 64 bits '0x10000000000000000'");
	bad("MEMORY {\n  R : ORIGIN = 18446744073709551616, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: number too large for 64 bits '18446744073709551616'");
	bad("MEMORY {\n  R : ORIGIN = 0xffffffffffffffffK, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: number too large for 64 bits '0xffffffffffffffffK'");
	bad("MEMORY {\n  R : ORIGIN = 1 ^ 3, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: unexpected character '^'");
	bad("MEMORY {\n  R : ORIGIN = 1 \xc2\xb5 3, LENGTH = 1\n}\n", -EINVAL,
	    "t.ld:2: unexpected byte 0xc2");
	bad("X = 5\nMEMORY { R : ORIGIN = X, LENGTH = 1 }\n", -EINVAL,
	    "t.ld:2: expected ';' after the assignment, got 'MEMORY'");
	bad("PROVIDE(X 5);\n", -EINVAL, "t.ld:1: expected '=', got '5'");
	bad("MEMORY { R : ORIGIN = 0, LENGTH = 1 }\n}\n", -EINVAL, "t.ld:2: unbalanced '}'");
	bad("MEMORY { R : ORIGIN = 0, LENGTH = 1 }\n)\n", -EINVAL, "t.ld:2: unbalanced ')'");
	bad("MEMORY { R : ORIGIN = 0, LENGTH = 1 }\n42;\n", -EINVAL,
	    "t.ld:2: expected a statement, got '42'");
	bad("MEMORY R : ORIGIN = 0, LENGTH = 1\n", -EINVAL,
	    "t.ld:1: expected '{' after MEMORY, got 'R'");
	bad("MEMORY {\n  R : ORIGIN = 0, LENGTH = 1\n", -EINVAL,
	    "t.ld:1: MEMORY block is never closed");
	bad("\"quoted\" 5;\n", -EINVAL,
	    "t.ld:1: expected '=' after a quoted symbol name, got '5'");
}

static void test_hostile(void **state)
{
	struct fwm_region_set s;
	struct fwm_err e;
	size_t big = 1 << 20;
	char *text = malloc(big + 256);
	int rc;

	(void)state;
	assert_non_null(text);

	bad("MEMORY { R : ORIGIN = 0, LENGTH = 1 }\n/* not closed\n\n", -EINVAL,
	    "t.ld:2: unterminated comment");
	bad("MEMORY {\n  R : ORIGIN = 0, /* open\n LENGTH = 1 }", -EINVAL,
	    "t.ld:2: unterminated comment");
	bad("SECTIONS {\n  /* open\n}\nMEMORY { R : ORIGIN = 0, LENGTH = 1 }\n", -EINVAL,
	    "t.ld:2: unterminated comment");
	bad("SECTIONS {\n  ASSERT(1, \"open\n}\n", -EINVAL, "t.ld:2: unterminated string");
	bad("\n\"open = 5;\n", -EINVAL, "t.ld:2: unterminated string");
	bad("MEMORY { R : ORIGIN = 0, LENGTH = 1 }\nSECTIONS\n{\n .text : { *(.text) }\n", -EINVAL,
	    "t.ld:3: '{' is never closed");
	bad("MEMORY { R : ORIGIN = 0, LENGTH = 1 }\nENTRY(main\n", -EINVAL,
	    "t.ld:2: '(' is never closed");
	bad("SECTIONS {\n# 1 \"no newline {\"", -EINVAL, "t.ld:1: '{' is never closed");

	/* NUL bytes: the line of the first one. */
	rc = fwm_ld_parse_buf("t.ld", "MEMORY {\n R : ORIGIN = 0,\0 LENGTH = 1 }\n", 36, &s, &e);
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(e.msg, "t.ld:2: NUL byte in a linker script");
	rc = fwm_ld_parse_buf("t.ld", "\0", 1, &s, &e);
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(e.msg, "t.ld:1: NUL byte in a linker script");

	/* Empty and blank input; no name; no buffer. */
	rc = fwm_ld_parse_buf(NULL, NULL, 0, &s, &e);
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(e.msg, "<buffer>:1: no MEMORY block");
	rc = fwm_ld_parse_buf("t.ld", NULL, 5, &s, &e);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(fwm_ld_parse_buf("t.ld", "x", 1, NULL, &e), -EINVAL);
	rc = fwm_ld_parse_buf("t.ld", " \n\t\n", 4, &s, NULL);  /* err is optional */
	assert_int_equal(rc, -EINVAL);

	/* A buffer that is not NUL-terminated: nothing is read past len. */
	{
		char *exact = malloc(37);

		assert_non_null(exact);
		memcpy(exact, "MEMORY { R : ORIGIN = 1, LENGTH = 2 }", 37);
		s = (struct fwm_region_set){ 0 };
		assert_int_equal(fwm_ld_parse_buf("t.ld", exact, 37, &s, &e), 0);
		region_is(&s, 0, "R", 1, 2, "");
		fwm_region_set_free(&s);
		/* Cut inside the number, then inside the comment opener. */
		assert_int_equal(fwm_ld_parse_buf("t.ld", exact, 23, &s, &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: expected LENGTH, got end of file");
		memcpy(exact, "MEMORY { R : ORIGIN = 1 /", 25);
		assert_int_equal(fwm_ld_parse_buf("t.ld", exact, 25, &s, &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: expected an expression, got end of file");
		free(exact);
		/* An unterminated comment or string right at the end (found
		 * by libFuzzer: an over-read by one). */
		assert_int_equal(parse_exact("/*\n * Linker scr/*ipt", &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: unterminated comment");
		assert_int_equal(parse_exact("MEMORY { \"R", &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: unterminated string");
		assert_int_equal(parse_exact("MEMORY { R (rw", &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: attributes of memory region 'R' are not closed");
		assert_int_equal(parse_exact("INCLUDE", &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: INCLUDE without a file name");
		assert_int_equal(parse_exact("MEMORY { R : ORIGIN = $", &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: expected LENGTH, got end of file");
		assert_int_equal(parse_exact("# 1", &e), -EINVAL);
		assert_int_equal(parse_exact("SECTIONS {\n#", &e), -EINVAL);
		assert_int_equal(parse_exact("MEMORY { R : ORIGIN = 1, LENGTH = 1 } X = 0x1", &e), -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: expected ';' after the assignment, got end of file");
	}

	/* Deep nesting is refused, not a stack overflow. */
	memset(text, '(', big);
	memcpy(text, "MEMORY { R : ORIGIN = ", 22);
	text[big] = '\0';
	bad(text, -EINVAL, "t.ld:1: expression nested too deeply");
	memset(text + 22, '-', big - 22);
	bad(text, -EINVAL, "t.ld:1: expression nested too deeply");
	memset(text + 22, '!', big - 22);
	bad(text, -EINVAL, "t.ld:1: expression nested too deeply");
	/* ...but 150 levels are fine. */
	{
		char deep[512];
		int n = 0;

		n += snprintf(deep + n, sizeof deep - n, "MEMORY { R : ORIGIN = ");
		for (int i = 0; i < 150; i++)
			deep[n++] = '(';
		deep[n++] = '7';
		for (int i = 0; i < 150; i++)
			deep[n++] = ')';
		snprintf(deep + n, sizeof deep - n, ", LENGTH = 1 }");
		s = ok(deep, 1);
		region_is(&s, 0, "R", 7, 1, "");
		fwm_region_set_free(&s);
	}

	/* A 1 MiB line: a long flat sum. */
	{
		size_t n = (size_t)snprintf(text, big, "MEMORY { R : ORIGIN = 0");

		while (n + 64 < big) {
			memcpy(text + n, " + 1", 4);
			n += 4;
		}
		n += (size_t)snprintf(text + n, 64, ", LENGTH = 1 }");
		s = ok(text, 1);
		assert_int_equal(s.v[0].origin, (n - 23 - 14) / 4);
		fwm_region_set_free(&s);
	}

	/* A 1 MiB region name: kept whole, quoted short in messages. */
	{
		size_t n = (size_t)snprintf(text, big, "MEMORY { ");

		memset(text + n, 'N', big - 100);
		n += big - 100;
		n += (size_t)snprintf(text + n, 100, " : ORIGIN = 0, LENGTH = 1 }");
		s = ok(text, 1);
		assert_int_equal(strlen(s.v[0].name), big - 100);
		fwm_region_set_free(&s);
		memcpy(text + n - 2, "/ 0 }", 6);
		rc = parse(text, &s, &e);
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(e.msg, "t.ld:1: division by zero");
	}

	/* A 1 MiB comment, 1 MiB of SECTIONS to skip, 1 MiB of blank lines. */
	{
		size_t n = (size_t)snprintf(text, big, "SECTIONS { ");

		memset(text + n, 'x', big - 100);
		n += big - 100;
		n += (size_t)snprintf(text + n, 100, " }\nMEMORY { R : ORIGIN = 0, LENGTH = 1 }");
		s = ok(text, 1);
		fwm_region_set_free(&s);
		memset(text, '\n', big - 100);
		memcpy(text + big - 100, "MEMORY { R : ORIGIN = 1 / 0, LENGTH = 1 }", 42);
		bad(text, -EINVAL, "t.ld:1048477: division by zero");
	}

	/* Many regions and symbols. */
	{
		size_t n = 0;

		for (int i = 0; i < 5000; i++)
			n += (size_t)snprintf(text + n, big - n, "S%d = %d;\n", i, i);
		n += (size_t)snprintf(text + n, big - n, "MEMORY {\n");
		for (int i = 0; i < 5000; i++)
			n += (size_t)snprintf(text + n, big - n,
					      "  R%d : ORIGIN = S%d * 4K, LENGTH = %s\n", i, i,
					      i ? "LENGTH(R0)" : "4K");
		snprintf(text + n, big - n, "}\n");
		s = ok(text, 5000);
		region_is(&s, 4999, "R4999", 4999 * 4096, 4096, "");
		fwm_region_set_free(&s);
	}

	/* Random damage to a valid script: an error or a result, never a crash. */
	{
		static const char base[] =
			"X = DEFINED(X) ? X : 0x400; /* c */\n# 1 \"f\"\n"
			"SECTIONS { .t : { *(.text*) \"s}\" } > F }\n"
			"MEMORY { F (rx) : ORIGIN = 0x8000000, LENGTH = 512K - X\n"
			"  R (!w) : org = ORIGIN(F) + LENGTH(F), len = (1 << 4) ? 4K : 8K }\n";
		static const char junk[] = "(){}\"/*#:;=,!?-+<>0x9KM \n\t";
		unsigned seed = 12345;
		size_t n = sizeof base - 1;

		for (int i = 0; i < 20000; i++) {
			memcpy(text, base, n);
			for (int k = 0; k < 1 + i % 4; k++) {
				seed = seed * 1103515245 + 12345;
				text[(seed >> 8) % n] = junk[(seed >> 20) % (sizeof junk - 1)];
			}
			e.msg[0] = '\0';
			rc = fwm_ld_parse_buf("t.ld", text, n, &s, &e);
			if (rc) {
				assert_int_equal(rc, -EINVAL);
				assert_memory_equal(e.msg, "t.ld:", 5);
				assert_null(strchr(e.msg, '\n'));
			} else {
				fwm_region_set_free(&s);
			}
			/* Cut short as well. */
			rc = fwm_ld_parse_buf("t.ld", text, (seed >> 4) % n, &s, &e);
			if (!rc)
				fwm_region_set_free(&s);
		}
	}
	free(text);
}

static void test_files(void **state)
{
	struct fwm_region_set s = { (void *)1, 7 };
	struct fwm_err e;
	char path[64];
	FILE *f;

	(void)state;
	assert_int_equal(fwm_ld_parse_file("/nonexistent/x.ld", &s, &e), -ENOENT);
	assert_string_equal(e.msg, "/nonexistent/x.ld: No such file or directory");
	assert_null(s.v);
	assert_int_equal(fwm_ld_parse_file("/", &s, &e), -EISDIR);
	assert_string_equal(e.msg, "/: Is a directory");
	assert_int_equal(fwm_ld_parse_file(NULL, &s, &e), -EINVAL);

	/* An error in a file names the file. */
	snprintf(path, sizeof path, "/tmp/fwm_test_ld_%d.ld", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("MEMORY\n{\n  FLASH : ORIGIN = 0, LENGTH = 4K\n  RAM : ORIGIN = BASE, LENGTH = 4K\n}\n", f);
	fclose(f);
	assert_int_equal(fwm_ld_parse_file(path, &s, &e), -EINVAL);
	{
		char want[128];

		snprintf(want, sizeof want, "%s:4: undefined symbol 'BASE'", path);
		assert_string_equal(e.msg, want);
	}
	remove(path);

	/* A device file, which has no size. */
	assert_int_equal(fwm_ld_parse_file("/dev/null", &s, &e), -EINVAL);
	assert_string_equal(e.msg, "/dev/null:1: no MEMORY block");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_region_refs),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_comments_and_cpp),
		cmocka_unit_test(test_skipping),
		cmocka_unit_test(test_vendor_styles),
		cmocka_unit_test(test_real_scripts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
