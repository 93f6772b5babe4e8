/* Memory regions: the MEMORY block of a GNU ld script, the "Memory
 * Configuration" and input-section attribution of a GNU ld map file.
 *
 * Both parsers read the whole file into memory, never run ld, and reject
 * malformed input with a message "FILE:LINE: what is wrong".
 */
#ifndef FWM_REGIONS_H
#define FWM_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "fwm_err.h"

struct fwm_region {
	char *name;            /* owned; e.g. "FLASH" */
	uint64_t origin;
	uint64_t length;
	char attrs[16];        /* attribute string as written, e.g. "rx", "!w", "" */
};

struct fwm_region_set {
	struct fwm_region *v;  /* owned array, in declaration order */
	size_t n;
};

void fwm_region_set_free(struct fwm_region_set *set);

/* Parse the MEMORY block(s) of a GNU ld linker script.
 * ORIGIN/org/o and LENGTH/len/l may be expressions, evaluated as ld 2.40
 * does (64-bit): numbers in decimal, 0x or $ hex, 0 octal, with K/M/G
 * suffixes; every ld operator, the ternary ?:, ORIGIN(r) and LENGTH(r) of
 * regions declared earlier, DEFINED, ALIGN(x,a), MAX, MIN, ABSOLUTE,
 * LOG2CEIL, and symbols assigned at top level (=, +=, ..., PROVIDE,
 * PROVIDE_HIDDEN, HIDDEN) with their final top-level value, as ld uses it.
 * Attributes "(rwx!...)" are kept as written.  C-style comments and cpp
 * line markers ("# 1 file") are skipped, and so is everything outside
 * MEMORY; INCLUDE is not followed.
 * On success *out holds the regions; on error a negative code and err says
 * "PATH:LINE: message". A script without a MEMORY block is an error. */
int fwm_ld_parse_file(const char *path, struct fwm_region_set *out, struct fwm_err *err);
int fwm_ld_parse_buf(const char *name, const char *buf, size_t len,
		     struct fwm_region_set *out, struct fwm_err *err);

/* One input-section line of a map file's "Linker script and memory map". */
struct fwm_map_input {
	char *section;         /* input section name, e.g. ".text.main"; "*fill*" for fill */
	char *file;            /* "path/to/obj.o" or "path/to/libx.a(member.o)"; NULL for fill */
	char *out_section;     /* output section it belongs to, e.g. ".text" */
	uint64_t addr;         /* VMA */
	uint64_t size;
	unsigned is_fill : 1;  /* a "*fill*" line (padding or alignment) */
};

struct fwm_map {
	struct fwm_region_set regions;   /* Memory Configuration, without "*default*" */
	struct fwm_map_input *in;        /* owned; sorted by addr, then file order */
	size_t nin;
};

/* Parse a GNU ld map file (as written by ld -Map, any target, 32- or 64-bit
 * address widths).  Input sections of size 0 are dropped; discarded input
 * sections are ignored; long section names wrapped onto the next line are
 * joined.  Error: "PATH:LINE: message". */
int fwm_map_load(const char *path, struct fwm_map **out, struct fwm_err *err);
int fwm_map_load_buf(const char *name, const char *buf, size_t len,
		     struct fwm_map **out, struct fwm_err *err);
void fwm_map_close(struct fwm_map *map);

#endif
