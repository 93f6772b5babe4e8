#include "fwm_table.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int fwm_format_parse(const char *s)
{
	static const char *names[] = { "text", "json", "csv", "md" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void fwm_table_init(struct fwm_table *t, const struct fwm_column *cols, size_t ncols)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
	t->ncols = ncols;
	t->addr_digits = 8;
}

void fwm_table_free(struct fwm_table *t)
{
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

struct fwm_cell *fwm_table_add(struct fwm_table *t)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct fwm_cell *c = realloc(t->cells, cap * t->ncols * sizeof *c);
		if (!c)
			return NULL;
		t->cells = c;
		t->cap = cap;
	}
	struct fwm_cell *row = &t->cells[t->nrows++ * t->ncols];
	memset(row, 0, t->ncols * sizeof *row);
	return row;
}

void fwm_csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

void fwm_md_field(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '[' || *s == ']')
			putc('\\', f);
		putc(*s == '\n' ? ' ' : *s, f);
	}
}

/* Write v in decimal (or hex) at the end of buf; returns the start. */
static char *fmt_u64(char *end, uint64_t v, int hex, int mindigits)
{
	char *p = end;
	int n = 0;
	do {
		*--p = "0123456789abcdef"[hex ? v & 15 : v % 10];
		v = hex ? v >> 4 : v / 10;
		n++;
	} while (v || n < mindigits);
	return p;
}

/* Format one cell for text or Markdown into buf[64]; returns the text. */
static const char *cell_text(const struct fwm_table *t, size_t col, const struct fwm_cell *c,
			     char *buf, size_t len)
{
	char *end = buf + len - 1, *p;
	*end = 0;
	switch (t->cols[col].type) {
	case FWM_COL_STR:
		return c->s ? c->s : "";
	case FWM_COL_INT:
		return fmt_u64(end, c->u, 0, 1);
	case FWM_COL_ADDR:
		p = fmt_u64(end, c->u, 1, t->addr_digits);
		*--p = 'x';
		*--p = '0';
		return p;
	case FWM_COL_PCT:
		snprintf(buf, len, "%.2f%%", c->d);
		break;
	case FWM_COL_DELTA:
		snprintf(buf, len, "%+" PRId64, (int64_t)c->u);
		break;
	}
	return buf;
}

static void print_text(const struct fwm_table *t, FILE *f)
{
	size_t *w = calloc(t->ncols, sizeof *w), linelen = 1;
	char buf[64];
	if (!w)
		return;
	for (size_t k = 0; k < t->ncols; k++)
		w[k] = strlen(t->cols[k].title);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t k = 0; k < t->ncols; k++) {
			size_t n = strlen(cell_text(t, k, &t->cells[r * t->ncols + k], buf, sizeof buf));
			if (n > w[k])
				w[k] = n;
		}
	for (size_t k = 0; k < t->ncols; k++)
		linelen += w[k] + 2;
	/* each line is laid out in one buffer and written at once */
	char *line = malloc(linelen);
	if (!line) {
		free(w);
		return;
	}
	for (size_t r = 0; r <= t->nrows; r++) {   /* row 0 is the header */
		char *o = line;
		for (size_t k = 0; k < t->ncols; k++) {
			int right = t->cols[k].type != FWM_COL_STR && t->cols[k].type != FWM_COL_ADDR;
			int last = k + 1 == t->ncols;
			const char *s = r == 0 ? t->cols[k].title
				      : cell_text(t, k, &t->cells[(r - 1) * t->ncols + k], buf, sizeof buf);
			size_t n = strlen(s), gap = w[k] - n;
			if (right) {
				memset(o, ' ', gap);
				o += gap;
			}
			memcpy(o, s, n);
			o += n;
			if (!last) {
				if (!right) {
					memset(o, ' ', gap);
					o += gap;
				}
				*o++ = ' ';
				*o++ = ' ';
			}
		}
		*o++ = '\n';
		fwrite_unlocked(line, 1, (size_t)(o - line), f);
	}
	free(line);
	free(w);
}

void fwm_table_print(const struct fwm_table *t, enum fwm_format fmt, FILE *f)
{
	char buf[64];
	if (fmt == FWM_FMT_TEXT) {
		print_text(t, f);
		return;
	}
	if (fmt == FWM_FMT_MD) {
		for (size_t k = 0; k < t->ncols; k++)
			fprintf(f, "| %s ", t->cols[k].title);
		fputs("|\n", f);
		for (size_t k = 0; k < t->ncols; k++) {
			int right = t->cols[k].type != FWM_COL_STR && t->cols[k].type != FWM_COL_ADDR;
			fputs(right ? "|---:" : "|---", f);
		}
		fputs("|\n", f);
		for (size_t r = 0; r < t->nrows; r++) {
			for (size_t k = 0; k < t->ncols; k++) {
				fputs("| ", f);
				fwm_md_field(f, cell_text(t, k, &t->cells[r * t->ncols + k], buf, sizeof buf));
				putc(' ', f);
			}
			fputs("|\n", f);
		}
		return;
	}
	/* CSV */
	for (size_t k = 0; k < t->ncols; k++) {
		if (k)
			putc(',', f);
		fwm_csv_field(f, t->cols[k].key);
	}
	putc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t k = 0; k < t->ncols; k++) {
			const struct fwm_cell *c = &t->cells[r * t->ncols + k];
			if (k)
				putc(',', f);
			switch (t->cols[k].type) {
			case FWM_COL_STR: fwm_csv_field(f, c->s); break;
			case FWM_COL_INT:
			case FWM_COL_ADDR: fputs(fmt_u64(buf + sizeof buf - 1, c->u, 0, 1), f); break;
			case FWM_COL_PCT: fprintf(f, "%.2f", c->d); break;
			case FWM_COL_DELTA: fprintf(f, "%" PRId64, (int64_t)c->u); break;
			}
		}
		putc('\n', f);
	}
}

json_t *fwm_table_json(const struct fwm_table *t)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	for (size_t r = 0; r < t->nrows; r++) {
		json_t *o = json_object();
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
		for (size_t k = 0; k < t->ncols; k++) {
			const struct fwm_cell *c = &t->cells[r * t->ncols + k];
			json_t *v;
			switch (t->cols[k].type) {
			case FWM_COL_STR: v = c->s ? fwm_json_string(c->s) : json_null(); break;
			case FWM_COL_PCT: v = json_real(c->d); break;
			case FWM_COL_DELTA: v = json_integer((json_int_t)(int64_t)c->u); break;
			default: v = json_integer((json_int_t)c->u); break;
			}
			if (!v || json_object_set_new_nocheck(o, t->cols[k].key, v)) {
				json_decref(arr);
				return NULL;
			}
		}
	}
	return arr;
}

json_t *fwm_json_string(const char *s)
{
	json_t *v = json_string(s);
	if (v || !s)
		return v;
	/* Not UTF-8 (names in a hostile file can be anything): keep ASCII, and
	 * show every other byte as \xNN so nothing is silently dropped. */
	size_t n = strlen(s);
	char *b = malloc(4 * n + 1), *o = b;
	if (!b)
		return NULL;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x80)
			*o++ = (char)ch;
		else
			o += sprintf(o, "\\x%02x", ch);
	}
	*o = 0;
	v = json_string(b);
	free(b);
	return v;
}

int fwm_json_dump(json_t *doc, FILE *f)
{
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)))
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}
