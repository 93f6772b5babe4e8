/* fwm_reloc_init: copy code and data to their run-time memories and zero
 * bss, as told by the tables that linkgen's linker script fragment emits.
 *
 * Layout (CMSIS, as in ARM's gcc_arm.ld and startup_ARMCMx.c): a copy
 * table is an array of {src, dest, wlen} and a zero table an array of
 * {dest, wlen}, each field a 32-bit word; wlen counts 32-bit words, and
 * src, dest and every section are 4-byte aligned.  linkgen writes one copy
 * and one zero table per phase, between these linker symbols:
 *
 *   __fwm_copy_table_early_start__ .. __fwm_copy_table_early_end__
 *   __fwm_zero_table_early_start__ .. __fwm_zero_table_early_end__
 *   __fwm_copy_table_late_start__  .. __fwm_copy_table_late_end__
 *   __fwm_zero_table_late_start__  .. __fwm_zero_table_late_end__
 *
 * and PROVIDEs the CMSIS names (__copy_table_start__, __copy_table_end__,
 * __zero_table_start__, __zero_table_end__) for the early tables when the
 * script has no tables of its own, so a CMSIS start-up walks them too.
 * The symbols are referenced weakly: a firmware linked without linkgen's
 * fragment (start == end == 0) makes fwm_reloc_init a no-op.
 *
 * Phases: FWM_RELOC_EARLY runs from the reset handler, before main and
 * before anything in the relocated memories is used (and before C++
 * constructors); FWM_RELOC_LATE runs once memories that need set-up (an
 * external SDRAM behind a memory controller) are ready.  fwm_reloc_init
 * itself must stay in flash: linkgen verify reports it when a rule moved it
 * (or anything it calls).
 *
 * Freestanding C11 that calls nothing (its loops use volatile accesses, so
 * the compiler does not turn them into memcpy/memset calls, which could sit
 * in the memory being filled).  Complexity: linear in the bytes copied and
 * zeroed.  Not reentrant, not interrupt-safe: call it with the memories of
 * the phase unused.
 */
#ifndef FWMEM_RELOC_H
#define FWMEM_RELOC_H

#include <stdint.h>

enum fwm_reloc_phase {
	FWM_RELOC_EARLY = 0,   /* before main */
	FWM_RELOC_LATE = 1,    /* after external memories are initialised */
};

struct fwm_copy_entry {
	uint32_t src;          /* load address (LMA), in flash */
	uint32_t dest;         /* run-time address (VMA) */
	uint32_t wlen;         /* 32-bit words */
};

struct fwm_zero_entry {
	uint32_t dest;
	uint32_t wlen;
};

_Static_assert(sizeof(struct fwm_copy_entry) == 12, "CMSIS copy-table entry is three words");
_Static_assert(sizeof(struct fwm_zero_entry) == 8, "CMSIS zero-table entry is two words");

/* Walk the copy and zero tables of one phase: copy every entry, then zero
 * every entry.  Returns the number of entries walked (copy + zero); 0 for a
 * phase without tables or an unknown phase. */
unsigned fwm_reloc_init(enum fwm_reloc_phase phase);

/* Walk the given tables (the work of fwm_reloc_init, for tests and for
 * start-up code with tables of its own).  NULL or empty ranges are skipped. */
unsigned fwm_reloc_walk(const struct fwm_copy_entry *copy, const struct fwm_copy_entry *copy_end,
			const struct fwm_zero_entry *zero, const struct fwm_zero_entry *zero_end);

#endif
