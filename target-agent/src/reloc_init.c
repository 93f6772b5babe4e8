/* The copy and zero tables of linkgen's fragment (see fwmem/reloc.h). */
#include "fwmem/reloc.h"

#include <stddef.h>

/* Defined by linkgen.ld; weak, so that a firmware without it links. */
#define FWM_TABLE(kind, phase)                                                                      \
	extern const struct fwm_##kind##_entry __fwm_##kind##_table_##phase##_start__[]                \
		__attribute__((weak));                                                              \
	extern const struct fwm_##kind##_entry __fwm_##kind##_table_##phase##_end__[]                  \
		__attribute__((weak))

FWM_TABLE(copy, early);
FWM_TABLE(zero, early);
FWM_TABLE(copy, late);
FWM_TABLE(zero, late);

static uint32_t *word_ptr(uint32_t addr)
{
	return (uint32_t *)(uintptr_t)addr;
}

unsigned fwm_reloc_walk(const struct fwm_copy_entry *copy, const struct fwm_copy_entry *copy_end,
			const struct fwm_zero_entry *zero, const struct fwm_zero_entry *zero_end)
{
	unsigned n = 0;
	if (copy && copy_end)
		for (const struct fwm_copy_entry *e = copy; e < copy_end; e++, n++) {
			const volatile uint32_t *src = word_ptr(e->src);
			volatile uint32_t *dst = word_ptr(e->dest);
			/* volatile: the source may be code the compiler cannot see into,
			 * and a library call could itself live in the memory being filled */
			for (uint32_t i = 0; i < e->wlen; i++)
				dst[i] = src[i];
		}
	if (zero && zero_end)
		for (const struct fwm_zero_entry *e = zero; e < zero_end; e++, n++) {
			volatile uint32_t *dst = word_ptr(e->dest);
			for (uint32_t i = 0; i < e->wlen; i++)
				dst[i] = 0;
		}
	return n;
}

unsigned fwm_reloc_init(enum fwm_reloc_phase phase)
{
	switch (phase) {
	case FWM_RELOC_EARLY:
		return fwm_reloc_walk(__fwm_copy_table_early_start__, __fwm_copy_table_early_end__,
				      __fwm_zero_table_early_start__, __fwm_zero_table_early_end__);
	case FWM_RELOC_LATE:
		return fwm_reloc_walk(__fwm_copy_table_late_start__, __fwm_copy_table_late_end__,
				      __fwm_zero_table_late_start__, __fwm_zero_table_late_end__);
	default:
		return 0;
	}
}
