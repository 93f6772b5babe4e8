/* The generator: from a resolved spec to GNU ld script text.
 *
 * The plan is the list of output sections the fragment defines, in the
 * order it writes them: tier by tier (symbol, object, archive, glob), and in
 * each tier region by region (in region order), copied sections before
 * not-copied ones, early phase before late, each as a loaded section and a
 * NOLOAD .bss section when its rules have such inputs.  Names:
 *   .fwm.<REGION>.<tier>[.late][.nocopy][.bss]
 * and their symbols __fwm_<REGION>_<tier>[_late][_nocopy][_bss]_{start,end,size,load}.
 *
 * Files written by lg_generate into a directory:
 *   linkgen.ld   the fragment: SECTIONS { output sections, tables } INSERT AFTER anchor
 *   memory.ld    a MEMORY block with every region
 *   base.ld      with a vendor script: the vendor script without its MEMORY
 *   ldflags      the linker options, in order:
 *                -Wl,-T,DIR/memory.ld -Wl,-T,DIR/linkgen.ld -Wl,-T,DIR/base.ld
 *
 * Why three files: GNU ld gives an input section to the first statement
 * that matches it, so linkgen's statements must be read before the
 * vendor's; a script with INSERT must be read before the script it inserts
 * into (and it keeps ld's built-in script unless another -T follows); and a
 * region must be declared before a statement names it.  memory.ld, then
 * linkgen.ld, then base.ld satisfies all three, with no warnings.
 */
#ifndef LG_EMIT_H
#define LG_EMIT_H

#include <stdio.h>

#include "lg_spec.h"

struct lg_osec {
	char name[128];        /* ".fwm.RAM.sym" */
	char sym[128];         /* "__fwm_RAM_sym" */
	int region;
	enum lg_tier tier;
	enum lg_phase phase;
	int copies;            /* has a load copy (AT> load region) */
	int bss;               /* NOLOAD; zeroed when copies */
	size_t *rules;         /* owned: indices into spec->rules */
	size_t nrules;
	uint64_t align;        /* at least 4 */
};

struct lg_plan {
	struct lg_osec *v;     /* owned */
	size_t n;
	int ncopy[LG_NPHASES]; /* entries of each phase's copy table */
	int nzero[LG_NPHASES];
};

int lg_plan_build(const struct lg_spec *s, const struct lg_regions *r, struct lg_plan *out, struct fwm_err *err);
void lg_plan_free(struct lg_plan *p);

/* The output section of the plan that takes rule i's inputs of this kind, or NULL. */
const struct lg_osec *lg_plan_osec(const struct lg_plan *p, size_t rule, unsigned kind);

/* Write the fragment, the MEMORY block. */
int lg_write_fragment(const struct lg_spec *s, const struct lg_regions *r, const struct lg_plan *p, FILE *f);
int lg_write_memory(const struct lg_spec *s, const struct lg_regions *r, FILE *f);

struct lg_genopts {
	const char *outdir;
	const char *vendor_ld;     /* the vendor script (for base.ld), or NULL */
};

/* Write every file into o->outdir (created if missing).  The paths written
 * are listed in *files (a NULL-terminated array; free each and it). */
int lg_generate(const struct lg_spec *s, const struct lg_regions *r, const struct lg_plan *p,
		const struct lg_genopts *o, char ***files, struct fwm_err *err);

/* The output sections a linker script defines inside SECTIONS (for the
 * anchor check), as a NULL-terminated array of new strings. */
int lg_script_sections(const char *path, char ***names, struct fwm_err *err);
void lg_strv_free(char **v);

/* The spec's anchor ("insert after .data") must be an output section of
 * the vendor script: 0, or an error naming the spec line and the sections
 * the script has. */
int lg_check_anchor(const struct lg_spec *s, const char *vendor_ld, struct fwm_err *err);

#endif
