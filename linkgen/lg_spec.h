/* linkgen's relocation spec: regions and placement rules, read from a
 * line-oriented text file (grammar in man/linkgen.1).
 *
 * Parsing (lg_spec_load) checks syntax only and needs nothing but the spec;
 * resolving (lg_spec_resolve) reads the regions the spec or the command line
 * names, checks every rule against them and settles each rule's phase and
 * copy mode.  Every error either step reports is one line that starts with
 * "SPEC:LINE: ".
 *
 * Precedence: each rule has a tier, from most to least specific:
 *   LG_TIER_SYMBOL   symbol NAME, section NAME (and input sections pulled in by closure)
 *   LG_TIER_OBJECT   object FILE, member ARCHIVE:MEMBER
 *   LG_TIER_ARCHIVE  archive NAME
 *   LG_TIER_GLOB     glob PATTERN, and symbol and section names with wildcards
 * An input section that several rules match goes to the one of the lowest
 * tier; the generated script lists the tiers in this order, so that GNU ld's
 * "first match wins" gives the same answer.  Two rules of the same tier
 * that send one input section to different regions are ambiguous: verify
 * reports them.
 */
#ifndef LG_SPEC_H
#define LG_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "fwm_err.h"
#include "fwm_regions.h"

enum lg_sel {
	LG_SEL_SYMBOL,     /* name: symbol name or wildcard pattern; from: optional file */
	LG_SEL_OBJECT,     /* name: object file (or source file) name or path suffix */
	LG_SEL_MEMBER,     /* name: archive, member: member */
	LG_SEL_ARCHIVE,    /* name: archive file name or path suffix */
	LG_SEL_GLOB,       /* name: ld file pattern, "archive:member" form allowed */
	LG_SEL_INPUT,      /* pulled by closure: name = file pattern, member = input section */
	LG_SEL_SECTION,    /* name: input section name or pattern (".ramfunc*"); from: optional file */
};

enum lg_tier { LG_TIER_SYMBOL, LG_TIER_OBJECT, LG_TIER_ARCHIVE, LG_TIER_GLOB, LG_NTIERS };

/* What a rule moves, as a bit set; LG_K_ALL when the rule names none. */
enum {
	LG_K_CODE = 1,     /* .text, .text.* */
	LG_K_RODATA = 2,   /* .rodata, .rodata.* */
	LG_K_DATA = 4,     /* .data, .data.* */
	LG_K_BSS = 8,      /* .bss, .bss.*, COMMON */
	LG_K_ALL = 15,
};

enum lg_phase { LG_PHASE_EARLY, LG_PHASE_LATE, LG_NPHASES };
enum lg_callees { LG_CALLEES_DENY, LG_CALLEES_ALLOW, LG_CALLEES_PULL };

struct lg_rule {
	unsigned line;         /* spec line; a pulled rule has the line of the rule that pulled it */
	enum lg_sel sel;
	char *name;            /* owned, never NULL */
	char *member;          /* owned; LG_SEL_MEMBER and LG_SEL_INPUT, else NULL */
	char *from;            /* owned; "symbol NAME from FILE", else NULL */
	char *region;          /* owned: region name as written */
	char *surround;        /* owned or NULL: emit _NAME_start/_NAME_end around the inputs */
	char *text;            /* owned: the rule as written, one line, for messages */
	unsigned kinds;        /* LG_K_* */
	uint64_t align;        /* 0: none */
	enum lg_callees callees;
	unsigned keep : 1;
	unsigned nocopy : 1;   /* as written (resolve may also set it: see copies) */
	unsigned phase_set : 1;
	unsigned kinds_set : 1;
	unsigned pulled : 1;   /* added by the closure, not written in the spec */
	enum lg_phase phase;   /* settled by lg_spec_resolve */
	/* set by lg_spec_resolve */
	int region_idx;        /* index into the resolved region set */
	unsigned copies : 1;   /* loaded kinds have a load copy in the load region */
};

struct lg_decl {               /* region NAME origin=.. length=.. */
	char *name;
	uint64_t origin, length;
	char attrs[16];
	unsigned line;
};

struct lg_region_phase {       /* region default phase, from "region ... phase=late" or "phase REGION late" */
	char *name;
	enum lg_phase phase;
	unsigned line;
};

struct lg_spec {
	char *path;            /* owned copy of the path given */
	char *ld_path;         /* "regions ld PATH", resolved against the spec's directory, or NULL */
	char *map_path;        /* "regions map PATH", likewise */
	unsigned ld_line, map_line;
	struct lg_decl *decl;
	size_t ndecl;
	struct lg_region_phase *rphase;
	size_t nrphase;
	char *load;            /* "load REGION", or NULL */
	unsigned load_line;
	char *anchor;          /* "insert after|before SECTION"; default after .data */
	int insert_before;
	unsigned anchor_line;
	struct lg_rule *rules;
	size_t nrules, caprules;
};

/* The regions a spec resolves to, in this order: the ld script's or map's,
 * then the declared ones. */
struct lg_regions {
	struct fwm_region_set set;
	unsigned *decl_line;       /* per region: spec line that declared it, 0 when read from a file */
	enum lg_phase *phase;      /* per region: default phase */
	const char *source;        /* borrowed: the file the non-declared regions came from, or NULL */
	int load;                  /* index of the load region */
};

/* Parse a spec file.  On success *out is a new spec (lg_spec_free it). */
int lg_spec_load(const char *path, struct lg_spec **out, struct fwm_err *err);
/* Parse a spec from memory; name is used in messages and relative paths. */
int lg_spec_parse(const char *name, const char *buf, size_t len, struct lg_spec **out,
		  struct fwm_err *err);
void lg_spec_free(struct lg_spec *s);

/* Read the regions (cli_ld / cli_map override the spec's "regions" lines;
 * either may be NULL), add the declared ones, and check every rule against
 * them.  On success out holds the regions (lg_regions_free them).  Errors name
 * the spec line, or the region file and its line. */
int lg_spec_resolve(struct lg_spec *s, const char *cli_ld, const char *cli_map,
		    struct lg_regions *out, struct fwm_err *err);
void lg_regions_free(struct lg_regions *r);

/* Append a rule (the closure's pulled rules).  The rule's strings become the
 * spec's.  0 or -ENOMEM. */
int lg_spec_add_rule(struct lg_spec *s, const struct lg_rule *r);

enum lg_tier lg_rule_tier(const struct lg_rule *r);
const char *lg_tier_name(enum lg_tier t);      /* "symbol", "object", "archive", "glob" */
const char *lg_phase_name(enum lg_phase p);    /* "early", "late" */
const char *lg_kind_name(unsigned kind);       /* one bit: "code", "rodata", "data", "bss" */
/* "code,rodata" into buf. */
const char *lg_kinds_str(unsigned kinds, char *buf, size_t n);

/* Index of the region named name, or -1. */
int lg_region_find(const struct lg_regions *r, const char *name);
/* The region holding addr, or -1. */
int lg_region_of(const struct lg_regions *r, uint64_t addr);
/* True when code there counts as "in flash": the load region, or a region
 * whose attributes deny writing. */
int lg_region_is_flash(const struct lg_regions *r, int idx);

/* The closest of n candidate strings to s (edit distance at most a third of
 * its length, at least 1), or NULL. */
const char *lg_closest(const char *s, const char *const *cand, size_t n);

#endif
