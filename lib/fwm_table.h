/* Tables of typed cells, rendered as aligned text, CSV, Markdown or a JSON
 * array of objects (one object per row, keyed by the column keys).
 *
 * A report fills a table once and every output format renders the same
 * cells, so the formats cannot disagree.  Strings are borrowed: they must
 * outlive the table (they usually point into the mapped ELF).
 */
#ifndef FWM_TABLE_H
#define FWM_TABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum fwm_format { FWM_FMT_TEXT, FWM_FMT_JSON, FWM_FMT_CSV, FWM_FMT_MD };

/* "text", "json", "csv", "md" -> format; -1 when unknown. */
int fwm_format_parse(const char *s);

enum fwm_coltype {
	FWM_COL_STR,    /* left-aligned; NULL renders as "" (null in JSON) */
	FWM_COL_INT,    /* unsigned decimal */
	FWM_COL_ADDR,   /* 0x-prefixed hex in text and md, decimal in CSV and JSON */
	FWM_COL_PCT,    /* a double, two decimals */
	FWM_COL_DELTA,  /* a signed integer (stored in u), always with its sign */
};

struct fwm_column {
	const char *key;     /* CSV header and JSON key */
	const char *title;   /* text and Markdown header */
	enum fwm_coltype type;
};

struct fwm_cell {
	union { uint64_t u; double d; const char *s; };
};

struct fwm_table {
	const struct fwm_column *cols;
	size_t ncols;
	struct fwm_cell *cells;   /* owned; nrows * ncols */
	size_t nrows, cap;
	int addr_digits;          /* hex digits of ADDR columns in text: 8 or 16 */
};

void fwm_table_init(struct fwm_table *t, const struct fwm_column *cols, size_t ncols);
void fwm_table_free(struct fwm_table *t);
/* Append a row and return its cells (ncols of them, zeroed), or NULL when out of memory. */
struct fwm_cell *fwm_table_add(struct fwm_table *t);

/* Render as text, CSV or Markdown (JSON: use fwm_table_json). */
void fwm_table_print(const struct fwm_table *t, enum fwm_format fmt, FILE *f);
/* A new JSON array of row objects, or NULL when out of memory. */
json_t *fwm_table_json(const struct fwm_table *t);

/* A JSON string for s; bytes that are not UTF-8 are shown as \xNN. */
json_t *fwm_json_string(const char *s);

/* Write a JSON document, indented, keys in insertion order, reals with
 * ten significant digits, and a final newline.  0 or -1 on a write error. */
int fwm_json_dump(json_t *doc, FILE *f);

/* Write s as a CSV field (quoted when it holds a comma, quote or newline). */
void fwm_csv_field(FILE *f, const char *s);
/* Write s escaped for a Markdown table cell. */
void fwm_md_field(FILE *f, const char *s);

#endif
