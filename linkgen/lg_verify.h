/* After the link: check every rule against the ELF (and its map), say which
 * rule placed a symbol, list what relocated code calls, and pull callees in.
 *
 * A session holds the linked image, the map's input sections and, for each
 * input section, the rule that wins it by precedence.  Without a map only
 * symbol rules can be checked (by symbol name); rules that select files
 * need the map, since the ELF no longer says which file a byte came from.
 */
#ifndef LG_VERIFY_H
#define LG_VERIFY_H

#include <stdio.h>

#include "fwm_elf.h"
#include "fwm_regions.h"
#include "fwm_table.h"
#include "lg_closure.h"
#include "lg_emit.h"
#include "lg_match.h"
#include "lg_spec.h"

struct lg_session {
	const struct lg_spec *spec;      /* borrowed */
	const struct lg_regions *reg;    /* borrowed */
	struct fwm_image *img;           /* owned */
	struct fwm_map *map;             /* owned, or NULL */
	struct lg_input *in;             /* owned: the map's input sections, split */
	size_t nin;
	int *winner;                     /* per input: the rule that wins it, or -1 */
	int *rival;                      /* per input: a rule of the same tier that wants another region, or -1 */
	unsigned char *pulled;           /* per input: 1 when won as a callee pulled by its winner */
	struct lg_code *code;            /* NULL when calls cannot be read */
	char code_note[FWM_ERRLEN];      /* why code is NULL */
};

/* Open the ELF (and map, when not NULL) against a resolved spec. */
int lg_session_open(const struct lg_spec *s, const struct lg_regions *r, const char *elf, const char *map,
		    struct lg_session **out, struct fwm_err *err);
void lg_session_close(struct lg_session *ss);

/* ---- verify ------------------------------------------------------------- */

enum lg_vkind {
	LG_V_NOMATCH,      /* a rule matched nothing */
	LG_V_SHADOWED,     /* everything a rule matched went to more specific rules */
	LG_V_REGION,       /* an input (symbol) is not in its rule's region */
	LG_V_LOAD,         /* a copied input has no load copy in the load region */
	LG_V_AMBIGUOUS,    /* two rules of one tier send an input to different regions */
	LG_V_STALE,        /* linkgen's output sections hold what no rule selects */
	LG_V_CALL,         /* relocated code calls into flash */
	LG_V_OVERFLOW,     /* a region holds more than its length */
	LG_V_TABLE,        /* the copy/zero tables do not describe the sections */
	LG_V_REF,          /* warning: relocated code references flash data or code */
	LG_V_NOTE,         /* information: what could not be checked */
};

struct lg_finding {
	enum lg_vkind kind;
	int violation;         /* 1: counts against exit status 1; 0: warning or note */
	int rule;              /* index into spec->rules, or -1 */
	char symbol[128];
	char *msg;             /* owned, one line */
};

struct lg_rule_stat {
	size_t inputs;         /* input sections (or symbols, without a map) it won */
	uint64_t bytes;
	char symbols[256];     /* the first symbols it placed, comma-separated */
	int pulled;            /* input sections pulled in as callees */
	const char *status;    /* "ok", "violation" */
};

enum lg_callstate { LG_CALL_OK, LG_CALL_ALLOWED, LG_CALL_DENIED, LG_CALL_UNPULLED };

struct lg_edge {               /* a reference from relocated code to outside its region */
	char caller[128];
	int caller_region;
	char callee[128];      /* symbol name, or "0x..." */
	uint64_t target;
	int target_region;     /* -1: in no region */
	char veneer[128];      /* "" when called directly */
	enum lg_refkind kind;
	int rule;
	enum lg_callstate state;
};

struct lg_verify {
	struct lg_finding *f;
	size_t nf;
	size_t nviolations, nwarnings;
	struct lg_rule_stat *rs;   /* per spec rule */
	struct lg_edge *e;
	size_t ne;
	uint64_t *used;            /* per region: bytes used (ld's count) */
};

int lg_verify_run(struct lg_session *ss, struct lg_verify *out, struct fwm_err *err);
void lg_verify_free(struct lg_verify *v);
const char *lg_vkind_name(enum lg_vkind k);
int lg_verify_print(const struct lg_session *ss, const struct lg_verify *v, enum fwm_format fmt, FILE *f);

/* ---- explain ------------------------------------------------------------ */

/* Print which rule placed each symbol named name.  1 when no symbol of that
 * name exists (with the reason, when DWARF knows it was inlined). */
int lg_explain(struct lg_session *ss, const char *name, enum fwm_format fmt, FILE *f, struct fwm_err *err);

/* ---- closure -------------------------------------------------------------- */

/* The callees that relocated code reaches in flash (transitively, through
 * flash code), as rules to add: each input section that holds one goes to
 * the region of the rule that pulled it (rules with callees=pull only, or
 * every relocated rule when all is set).  Appends to spec (which must be the
 * session's spec); *added says how many. */
int lg_closure_pull(struct lg_session *ss, struct lg_spec *spec, int all, size_t *added, struct fwm_err *err);

/* Print the closure report: the references that leave each relocated rule's region. */
int lg_closure_print(struct lg_session *ss, enum fwm_format fmt, FILE *f, struct fwm_err *err);

/* ---- DWARF: inlined functions -------------------------------------------- */

struct lg_inlined {
	char into[128];        /* the function it was inlined into */
	char file[128];        /* the call's source file (base name), or "" */
	unsigned line;         /* the call's line, or 0 */
};

/* The places function name was inlined (at most max); *declared is set
 * when DWARF describes a function of that name at all. */
int lg_find_inlined(struct fwm_image *img, const char *name, struct lg_inlined *out, size_t max, int *declared);

#endif
