/* The checks: each prints "PASS what" or "FAIL what" over semihosting; the
 * firmware exits with ADP_Stopped_ApplicationExit when all pass.  Memory
 * ranges come from the board's memory map (fw.h), not from the linker, so
 * that a wrong script cannot make a wrong answer look right. */
#include "fw.h"
#include "fwmem/reloc.h"

/* a lookup table: the spec moves it to the block RAM (DTCM) */
const uint32_t lut[64] = {
	0, 1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144, 169, 196, 225,
	256, 289, 324, 361, 400, 441, 484, 529, 576, 625, 676, 729, 784, 841, 900, 961,
	1024, 1089, 1156, 1225, 1296, 1369, 1444, 1521, 1600, 1681, 1764, 1849, 1936, 2025, 2116, 2209,
	2304, 2401, 2500, 2601, 2704, 2809, 2916, 3025, 3136, 3249, 3364, 3481, 3600, 3721, 3844, 3969,
};
/* a buffer (bss) and a pattern (data): the spec moves them to the PSRAM bank, late */
uint8_t rx_buf[1024];
uint32_t tx_pattern[8] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444,
			   0x55555555, 0x66666666, 0x77777777, 0x88888888 };

extern uint32_t __fwm_PSRAM_start[] __attribute__((weak)), __fwm_PSRAM_end[] __attribute__((weak));

static unsigned failed, passed;

static void check(int ok, const char *what, uint32_t value)
{
	char hex[11];
	sh_write0(ok ? "PASS " : "FAIL ");
	sh_write0(what);
	sh_hex(value, hex);
	sh_write0(" (");
	sh_write0(hex);
	sh_write0(")\n");
	if (ok)
		passed++;
	else
		failed++;
}

static int in(uint32_t a, uint32_t base, uint32_t size)
{
	return a >= base && a - base < size;
}

/* inlined into main: it has no symbol, so a rule naming it matches nothing */
static uint32_t scale(uint32_t v)
{
	return v * 3u + 1u;
}

uint32_t fw_clip(uint32_t v)
{
	return v > 0x7fffffffu ? 0x7fffffffu : v;
}

/* the same sum as hot_filter, in flash, to check its answer */
static uint32_t __attribute__((noinline)) ref_filter(const int32_t *x, unsigned n)
{
	static const int32_t c[8] = { 3, -1, 4, 1, -5, 9, 2, 6 };
	int64_t acc = 0;
	for (unsigned i = 0; i < n; i++)
		acc += (int64_t)x[i] * c[i & 7] * 1000003;
	return fw_clip((uint32_t)((uint64_t)acc / ((uint64_t)n + 3u)));
}

int main(void)
{
	static int32_t x[32];
	uint32_t pc = 0, a;
	for (unsigned i = 0; i < 32; i++)
		x[i] = (int32_t)(i * 7u + 1u);

	/* early phase: done by the reset handler */
	a = (uint32_t)(uintptr_t)&hot_filter & ~1u;
	check(in(a, RAM_BASE, RAM_SIZE), "hot_filter is linked in RAM", a);
	check(hot_calls == 0, "hot_calls (bss) was zeroed over the 0xa5 fill", hot_calls);
	check(coeff[0] == 3 && coeff[5] == 9 && coeff[7] == 6, "coeff (data) was copied to RAM", (uint32_t)(uintptr_t)coeff);
	uint32_t got = hot_filter(x, 32, &pc);
	check(in(pc, RAM_BASE, RAM_SIZE), "hot_filter executed from RAM: pc", pc);
	check(got == ref_filter(x, 32), "hot_filter computes what the flash copy computes", got);
	check(hot_calls == 1, "hot_calls counted the call", hot_calls);

	a = (uint32_t)(uintptr_t)lut;
	uint32_t sum = 0;
	for (unsigned i = 0; i < 64; i++)
		sum += lut[i] == i * i;
	check(in(a, BRAM_BASE, BRAM_SIZE), "lut is in the block RAM (DTCM)", a);
	check(sum == 64, "lut was copied: 64 of 64 entries right", sum);

	uint32_t w = window_apply(x, 32, &pc);
	check(in(pc, BRAM_BASE, BRAM_SIZE), "libdsp.a(window.o) executed from the block RAM: pc", pc);
	check(in((uint32_t)(uintptr_t)window_tab, BRAM_BASE, BRAM_SIZE) && w != 0, "window_tab is in the block RAM",
	      (uint32_t)(uintptr_t)window_tab);
	a = (uint32_t)(uintptr_t)&gain_apply & ~1u;
	check(in(a, FLASH_BASE, FLASH_SIZE) && gain_apply(1) == 7, "libdsp.a(gain.o) stayed in flash", a);

	/* late phase: "initialise the external RAM", fill it, then copy and zero */
	fill32(__fwm_PSRAM_start, (uint32_t)((uintptr_t)__fwm_PSRAM_end - (uintptr_t)__fwm_PSRAM_start), 0x5a5a5a5au);
	check(in((uint32_t)(uintptr_t)rx_buf, PSRAM_BASE, PSRAM_SIZE), "rx_buf is in the PSRAM bank",
	      (uint32_t)(uintptr_t)rx_buf);
	check(tx_pattern[0] == 0x5a5a5a5au, "tx_pattern is not there before the late phase", tx_pattern[0]);
	unsigned n = fwm_reloc_init(FWM_RELOC_LATE);
	check(n >= 2, "fwm_reloc_init(FWM_RELOC_LATE) walked the late tables: entries", n);
	uint32_t nz = 0;
	for (unsigned i = 0; i < sizeof rx_buf; i++)
		nz += rx_buf[i] != 0;
	check(nz == 0, "rx_buf (bss) was zeroed: non-zero bytes", nz);
	check(tx_pattern[0] == 0x11111111u && tx_pattern[7] == 0x88888888u, "tx_pattern (data) was copied to PSRAM",
	      (uint32_t)(uintptr_t)tx_pattern);
	check(scale(got) == got * 3u + 1u, "scale() ran inlined", scale(got));

	char hex[11];
	sh_hex(passed, hex);
	sh_write0(failed ? "fw: FAILED, passed " : "fw: all passed, passed ");
	sh_write0(hex);
	sh_write0("\n");
	return failed ? 1 : 0;
}
