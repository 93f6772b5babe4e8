/* elfmap's reports over one firmware image: regions, sections, symbols and
 * the size tree.  A session opens the ELF, the optional ld script and map
 * file, and builds the layout once; each report renders it in any format.
 */
#ifndef FWM_ELFMAP_H
#define FWM_ELFMAP_H

#include <stdio.h>

#include "fwm_elf.h"
#include "fwm_layout.h"
#include "fwm_regions.h"
#include "fwm_table.h"

struct fwm_elfmap_opts {
	const char *elf;       /* required */
	const char *map;       /* GNU ld map file, or NULL */
	const char *ld;        /* linker script with a MEMORY block, or NULL */
};

struct fwm_elfmap {
	struct fwm_image *img;
	struct fwm_map *map;           /* NULL without --map */
	struct fwm_region_set ld;      /* empty without --ld */
	struct fwm_layout *lay;
	const char *region_file;       /* the file the regions came from, or NULL */
};

/* Open everything the options name.  Regions come from the ld script when
 * given, else from the map file's Memory Configuration, else from the
 * PT_LOAD segments. */
int fwm_elfmap_open(const struct fwm_elfmap_opts *o, struct fwm_elfmap **out, struct fwm_err *err);
void fwm_elfmap_close(struct fwm_elfmap *m);

struct fwm_out {
	FILE *f;
	enum fwm_format fmt;
	int color;             /* ANSI colour in text output */
	json_t *collect;       /* with FWM_FMT_JSON: add the document to this object
				  under the report's name instead of printing it */
};

/* Print a report's JSON document, or add it to o->collect under key; takes
 * the reference (doc may be NULL: out of memory). */
int fwm_elfmap_emit(json_t *doc, const struct fwm_out *o, const char *key, struct fwm_err *err);

int fwm_elfmap_regions(struct fwm_elfmap *m, const struct fwm_out *o, struct fwm_err *err);
int fwm_elfmap_sections(struct fwm_elfmap *m, const struct fwm_out *o, struct fwm_err *err);

struct fwm_symfilter {
	const char *region;    /* region name, or NULL */
	const char *section;   /* section name, or NULL */
	const char *name;      /* fnmatch(3) pattern, or NULL */
	int kind;              /* enum fwm_symkind, or -1 for any */
	int all;               /* also zero-size symbols */
};
int fwm_elfmap_symbols(struct fwm_elfmap *m, const struct fwm_symfilter *flt,
		       const struct fwm_out *o, struct fwm_err *err);

struct fwm_treeopts {
	int depth;             /* levels below the region to show in text; 0 = all */
};
int fwm_elfmap_tree(struct fwm_elfmap *m, const struct fwm_treeopts *t,
		    const struct fwm_out *o, struct fwm_err *err);

#endif
