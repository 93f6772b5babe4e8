/* Snapshots, diffs and size budgets.
 *
 * A snapshot is one JSON document with every elfmap report of an image
 * ({"fwmem_snapshot": 1, "regions": ..., "sections": ..., "symbols": ...,
 * "tree": ...}, as `elfmap snapshot` writes it).  diff and check read either
 * an ELF (which they snapshot in memory) or a saved snapshot, flatten it into
 * items (kind, name, size) and compare those, so a saved baseline and the ELF
 * it came from behave the same.
 */
#ifndef FWM_DIFF_H
#define FWM_DIFF_H

#include "fwm_elfmap.h"

/* Items, by kind.  Names: regions and sections by name; tree nodes as
 * "REGION:PATH" (every directory prefix of a folded chain gets its own item,
 * so that folding never changes a key); symbols by name, with " [FILE]" for
 * locals. */
enum fwm_itemkind { FWM_IT_REGION, FWM_IT_SECTION, FWM_IT_DIR, FWM_IT_FILE, FWM_IT_ARCHIVE,
		    FWM_IT_OBJECT, FWM_IT_BUCKET, FWM_IT_SYMBOL, FWM_IT_NKINDS };
extern const char *const fwm_itemkind_names[FWM_IT_NKINDS];

struct fwm_item {
	enum fwm_itemkind kind;
	char *name;            /* owned */
	uint64_t size;
	uint64_t length;       /* regions: their length; else 0 */
	int prefix;            /* a directory prefix of a folded chain (same size as the chain) */
};

struct fwm_snapshot {
	char *label;           /* the path it came from (owned) */
	json_t *doc;
	struct fwm_item *v;    /* sorted by kind, then name; names unique per kind */
	size_t n;
};

/* Snapshot of an open session (every report, in memory). */
int fwm_snapshot_build(struct fwm_elfmap *m, json_t **doc, struct fwm_err *err);
/* Load an ELF (regions from ld, which may be NULL) or a saved snapshot. */
int fwm_snapshot_load(const char *path, const char *ld, struct fwm_snapshot *s, struct fwm_err *err);
void fwm_snapshot_free(struct fwm_snapshot *s);
/* The item of that kind and name, or NULL. */
const struct fwm_item *fwm_snapshot_find(const struct fwm_snapshot *s, enum fwm_itemkind kind,
					 const char *name);

struct fwm_diffopts {
	int all;               /* also rows whose size did not change */
	int limit;             /* rows per kind in text and md (0: all) */
};
int fwm_diff_write(const struct fwm_snapshot *a, const struct fwm_snapshot *b,
		   const struct fwm_diffopts *d, const struct fwm_out *o, struct fwm_err *err);

/* Budgets (see elfmap(1), BUDGET FILES). */
enum fwm_checkfmt { FWM_CHECK_TEXT, FWM_CHECK_JSON, FWM_CHECK_MD, FWM_CHECK_JUNIT,
		    FWM_CHECK_GITHUB };
/* "text", "json", "md", "junit", "github" -> format, or -1. */
int fwm_checkfmt_parse(const char *s);

/* Check img against the budget file (base may be NULL: growth rules are then
 * an error).  Returns 0 when every budget holds (warnings allowed), 1 when
 * one is breached, or a negative code (a bad budget file: "FILE:LINE: ..."). */
int fwm_check(const struct fwm_snapshot *img, const struct fwm_snapshot *base,
	      const char *budget, enum fwm_checkfmt fmt, FILE *f, struct fwm_err *err);

#endif
