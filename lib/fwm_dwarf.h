/* Compile units and the addresses they own, from DWARF (libdw).
 *
 * Two layers of address intervals, each sorted and free of overlaps:
 *   funcs: functions (DW_TAG_subprogram with a code range) and variables
 *          (DW_OP_addr locations) at a CU's top level, each confirmed by the
 *          symbol table: a function counts only where a function symbol of
 *          the same name starts at its address, and is clipped to that
 *          symbol's size; a variable is sized by the data symbol at its
 *          address, else by its type.  This rejects the ranges that GNU ld
 *          leaves at address 0 for functions --gc-sections removed.
 *   units: each CU's own ranges (DW_AT_low_pc/high_pc or DW_AT_ranges,
 *          DWARF 4 ranges and DWARF 5 rnglists), kept only inside executable
 *          sections: this covers assembly units, which have no subprograms.
 * A lookup consults funcs first, then units.
 */
#ifndef FWM_DWARF_H
#define FWM_DWARF_H

#include <stddef.h>
#include <stdint.h>

#include "fwm_elf.h"

struct fwm_ival {
	uint64_t lo, hi;       /* [lo, hi) */
	unsigned owner;
};

struct fwm_ivals {
	struct fwm_ival *v;    /* owned */
	size_t n, cap;
};

int fwm_ivals_add(struct fwm_ivals *a, uint64_t lo, uint64_t hi, unsigned owner);
/* Sort and cut overlaps: a byte belongs to the interval that starts first
 * (the longer one when two start together). */
void fwm_ivals_normalize(struct fwm_ivals *a);
/* Index of the first interval that ends above addr (n when none). */
size_t fwm_ivals_find(const struct fwm_ivals *a, uint64_t addr);
/* The owner of addr, or -1. */
long fwm_ivals_owner(const struct fwm_ivals *a, uint64_t addr);

struct fwm_cus {
	char **path;           /* owned: comp_dir joined with the name, normalised */
	uint64_t *dieoff;      /* owned: each unit's DIE offset in .debug_info */
	size_t n;
	void *dw;              /* Dwarf * (libdw), open until fwm_cus_free() */
	struct fwm_ivals funcs, units;
	int has_dwarf;         /* the file has .debug_info */
};

/* Read every compile unit of img.  A file without DWARF gives n == 0 and
 * returns 0; DWARF that libdw cannot read is an error naming the file. */
int fwm_cus_load(struct fwm_image *img, struct fwm_cus *cus, struct fwm_err *err);
void fwm_cus_free(struct fwm_cus *cus);
/* Only the compile units' paths (funcs and units stay empty): a cheap
 * pass over the unit DIEs alone. */
int fwm_cus_load_names(struct fwm_image *img, struct fwm_cus *cus, struct fwm_err *err);

/* The compile unit of each STT_FILE group of local symbols: the unit whose
 * path ends in the STT_FILE name ("crc.c" matches ".../lib/crc.c"); where
 * several do, the one whose ranges hold most of the group's symbols.
 * Returns an array of img->ngroups + 1 entries (index: fwm_symbol.group;
 * -1 where no unit matches, e.g. an object without DWARF); free(3) it. */
long *fwm_cus_match_groups(const struct fwm_image *img, const struct fwm_cus *cus);

/* The compile unit that owns addr, or -1. */
long fwm_cus_lookup(const struct fwm_cus *cus, uint64_t addr);

/* Join dir and name (when name is relative) and remove "." and ".." parts.
 * A new string (free(3) it), or NULL when out of memory. */
char *fwm_path_join(const char *dir, const char *name);

#endif
