/* Layout: which memory region each section's bytes occupy, and how full each
 * region is, counted the way GNU ld's --print-memory-usage counts.
 *
 * A section is placed in the region that holds its VMA.  A loaded section
 * (not NOBITS) whose load address lies in another region is placed there too,
 * as ld's "> RAM AT> FLASH" does: .data counts in RAM at its VMA and in FLASH
 * at its LMA.  A region's used size is the end of the highest placement minus
 * the origin (ld's "current - origin"), so alignment gaps between sections
 * count as used, exactly as ld reports them.  .tbss takes no space.
 */
#ifndef FWM_LAYOUT_H
#define FWM_LAYOUT_H

#include "fwm_elf.h"
#include "fwm_regions.h"

enum fwm_region_source { FWM_SRC_LD, FWM_SRC_MAP, FWM_SRC_SEGMENTS };

struct fwm_placement {
	unsigned section;      /* index into img->sec */
	int at_lma;            /* 1: the load-image copy at the LMA; 0: at the VMA */
	uint64_t addr, size;
};

struct fwm_region_use {
	const struct fwm_region *r;   /* borrowed from the region set */
	uint64_t used;
	struct fwm_placement *p;      /* owned; sorted by address */
	size_t np;
};

struct fwm_layout {
	enum fwm_region_source source;
	struct fwm_region_use *reg;   /* owned; in declaration order */
	size_t nreg;
	struct fwm_placement *outside;   /* allocated sections in no region */
	size_t noutside;
	int *vma_region;              /* per section index: region index or -1 */
	int *lma_region;              /* per section index: region of the load copy, or -1 */
	struct fwm_region_set own;    /* regions derived from segments, when no set was given */
};

/* Build the layout of img over regions (borrowed; must outlive the layout),
 * or over regions derived from the PT_LOAD segments when regions is NULL:
 * the address ranges the segments cover (run-time and load addresses),
 * merged where they touch, named LOAD0, LOAD1, ... in address order. */
int fwm_layout_build(const struct fwm_image *img, const struct fwm_region_set *regions,
		     enum fwm_region_source source, struct fwm_layout **out, struct fwm_err *err);
void fwm_layout_free(struct fwm_layout *lay);

/* True when the section takes space in target memory (alloc, non-empty, not .tbss). */
int fwm_section_takes_space(const struct fwm_section *s);

#endif
