/* Which input sections a rule selects, in one place for both directions:
 * the ld input-section statements the generator writes, and the test that
 * verify and explain apply to the input sections of a map file.  Both read
 * the same pattern lists, so they cannot disagree.
 *
 * GNU ld matches a file pattern against an object's path as given on the
 * command line, and against an archive member's own name; "archive:member"
 * patterns match the archive's path and the member; ":file" matches files
 * outside archives only.  A pattern without a wildcard makes ld open that
 * file, so every pattern written has one: "x.o" is written "x.[o]".
 */
#ifndef LG_MATCH_H
#define LG_MATCH_H

#include <stdio.h>

#include "lg_spec.h"

/* One input section, as a map file names it. */
struct lg_input {
	const char *file;      /* "dir/x.o" or "dir/libx.a(m.o)" (borrowed) */
	const char *section;   /* input section name (borrowed) */
	const char *out_section;
	uint64_t addr, size;
	unsigned kind;         /* LG_K_* bit of the section name, 0 for others */
	/* split by lg_input_init */
	char archive[512];     /* "dir/libx.a", "" when not in an archive */
	char member[256];      /* "m.o", "" when not in an archive */
};

void lg_input_init(struct lg_input *in, const char *file, const char *section);

/* The kind of an input section by its name: .text* code, .rodata* (and
 * .srodata*) rodata, .data* / .sdata* data, .bss* / .sbss* / COMMON bss;
 * 0 for anything else. */
unsigned lg_section_kind(const char *section);

/* The kind bit under which rule r selects input in (0: it does not). */
unsigned lg_rule_matches(const struct lg_rule *r, const struct lg_input *in);

/* Write r's input-section statements for the kinds given (a subset of
 * r->kinds), one per line, each line starting with indent. */
void lg_rule_write_inputs(const struct lg_rule *r, unsigned kinds, FILE *f, const char *indent);

/* The basename of a path. */
const char *lg_basename(const char *path);

#endif
