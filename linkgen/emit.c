/* The generator: plan the output sections, then write the ld fragment, the
 * MEMORY block and the whole script (see lg_emit.h). */
#include "lg_emit.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lg_match.h"

#define LOADED_KINDS (LG_K_CODE | LG_K_RODATA | LG_K_DATA)

static const char *const tier_short[] = { "sym", "obj", "lib", "glob" };

/* ---- plan --------------------------------------------------------------------- */

static int plan_add(struct lg_plan *p, const struct lg_regions *r, enum lg_tier t, int reg, int copies,
		    enum lg_phase ph, int bss)
{
	struct lg_osec *v = realloc(p->v, (p->n + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	p->v = v;
	struct lg_osec *o = &p->v[p->n++];
	memset(o, 0, sizeof *o);
	const char *rn = r->set.v[reg].name;
	snprintf(o->name, sizeof o->name, ".fwm.%s.%s%s%s%s", rn, tier_short[t],
		 copies && ph == LG_PHASE_LATE ? ".late" : "", copies ? "" : ".nocopy", bss ? ".bss" : "");
	snprintf(o->sym, sizeof o->sym, "__fwm_%s_%s%s%s%s", rn, tier_short[t],
		 copies && ph == LG_PHASE_LATE ? "_late" : "", copies ? "" : "_nocopy", bss ? "_bss" : "");
	o->region = reg;
	o->tier = t;
	o->phase = ph;
	o->copies = copies;
	o->bss = bss;
	o->align = 4;
	return 0;
}

static int rule_in(const struct lg_rule *u, enum lg_tier t, int reg, int copies, enum lg_phase ph)
{
	return lg_rule_tier(u) == t && u->region_idx == reg && (int)u->copies == copies && (!copies || u->phase == ph);
}

int lg_plan_build(const struct lg_spec *s, const struct lg_regions *r, struct lg_plan *out, struct fwm_err *err)
{
	struct lg_plan p = { 0 };
	for (int t = 0; t < LG_NTIERS; t++)
		for (int reg = 0; reg < (int)r->set.n; reg++)
			for (int copies = 1; copies >= 0; copies--)
				for (int ph = 0; ph < (copies ? LG_NPHASES : 1); ph++)
					for (int bss = 0; bss < 2; bss++) {
						unsigned want = bss ? LG_K_BSS : LOADED_KINDS;
						size_t n = 0;
						for (size_t i = 0; i < s->nrules; i++)
							if (rule_in(&s->rules[i], (enum lg_tier)t, reg, copies, (enum lg_phase)ph) &&
							    (s->rules[i].kinds & want))
								n++;
						if (!n)
							continue;
						if (plan_add(&p, r, (enum lg_tier)t, reg, copies, (enum lg_phase)ph, bss) < 0)
							goto oom;
						struct lg_osec *o = &p.v[p.n - 1];
						o->rules = malloc(n * sizeof *o->rules);
						if (!o->rules)
							goto oom;
						for (size_t i = 0; i < s->nrules; i++) {
							const struct lg_rule *u = &s->rules[i];
							if (rule_in(u, (enum lg_tier)t, reg, copies, (enum lg_phase)ph) &&
							    (u->kinds & want)) {
								o->rules[o->nrules++] = i;
								if (u->align > o->align)
									o->align = u->align;
							}
						}
						if (copies)
							(bss ? p.nzero : p.ncopy)[ph]++;
					}
	if ((p.ncopy[0] || p.ncopy[1] || p.nzero[0] || p.nzero[1]) && r->load < 0) {
		lg_plan_free(&p);
		return fwm_errf(err, -EINVAL, "%s:1: the copy and zero tables need a load region: add 'load REGION'",
				s->path);
	}
	*out = p;
	return 0;
oom:
	lg_plan_free(&p);
	return fwm_errf(err, -ENOMEM, "out of memory");
}

void lg_plan_free(struct lg_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].rules);
	free(p->v);
	memset(p, 0, sizeof *p);
}

const struct lg_osec *lg_plan_osec(const struct lg_plan *p, size_t rule, unsigned kind)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct lg_osec *o = &p->v[i];
		if (o->bss != (kind == LG_K_BSS))
			continue;
		for (size_t j = 0; j < o->nrules; j++)
			if (o->rules[j] == rule)
				return o;
	}
	return NULL;
}

/* ---- writing -------------------------------------------------------------------- */

static const char *rule_tag(const struct lg_spec *s, const struct lg_rule *u, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%u", lg_basename(s->path), u->line);
	return buf;
}

/* The rule's text without comment terminators. */
static void put_comment_text(FILE *f, const char *t)
{
	for (; *t; t++) {
		if (t[0] == '*' && t[1] == '/')
			fputs("* /", f), t++;
		else
			fputc(*t, f);
	}
}

static void write_osec(const struct lg_spec *s, const struct lg_regions *r, const struct lg_osec *o, FILE *f)
{
	const char *rn = r->set.v[o->region].name;
	const char *ln = r->load >= 0 ? r->set.v[r->load].name : "?";
	fprintf(f, "\n  /* %s, %s tier: ", rn, lg_tier_name(o->tier));
	if (o->bss)
		fprintf(f, o->copies ? "zeroed in the %s phase */\n" : "not zeroed (nocopy) */\n",
			lg_phase_name(o->phase));
	else if (o->copies)
		fprintf(f, "copied from %s in the %s phase */\n", ln, lg_phase_name(o->phase));
	else
		fprintf(f, "linked in place, not copied */\n");
	fprintf(f, "  %s%s : ALIGN(%llu)\n  {\n", o->name, o->bss ? " (NOLOAD)" : "", (unsigned long long)o->align);
	fprintf(f, "    %s_start = .;\n", o->sym);
	for (size_t j = 0; j < o->nrules; j++) {
		const struct lg_rule *u = &s->rules[o->rules[j]];
		unsigned kinds = u->kinds & (o->bss ? LG_K_BSS : LOADED_KINDS);
		char tag[300], kb[64];
		fprintf(f, "    /* %s ", rule_tag(s, u, tag, sizeof tag));
		put_comment_text(f, u->text);
		if (u->kinds_set || o->bss)
			fprintf(f, "  [%s]", lg_kinds_str(kinds, kb, sizeof kb));
		fprintf(f, " */\n");
		if (u->align)
			fprintf(f, "    . = ALIGN(%llu);\n", (unsigned long long)u->align);
		if (u->surround)
			fprintf(f, "    _%s%s_start = .;\n", u->surround, o->bss ? "_bss" : "");
		lg_rule_write_inputs(u, kinds, f, "    ");
		if (u->surround)
			fprintf(f, "    _%s%s_end = .;\n", u->surround, o->bss ? "_bss" : "");
	}
	fprintf(f, "    . = ALIGN(4);\n    %s_end = .;\n  }", o->sym);
	if (o->copies && !o->bss)
		fprintf(f, " > %s AT> %s\n", rn, ln);
	else
		fprintf(f, " > %s\n", rn);
	fprintf(f, "  %s_size = SIZEOF(%s);\n", o->sym, o->name);
	if (!o->bss)
		fprintf(f, "  %s_load = LOADADDR(%s);\n", o->sym, o->name);
}

static void write_tables(const struct lg_regions *r, const struct lg_plan *p, FILE *f)
{
	int any = 0;
	for (int ph = 0; ph < LG_NPHASES; ph++)
		any |= p->ncopy[ph] | p->nzero[ph];
	fprintf(f, "\n  /* Copy and zero tables, CMSIS layout: copy entries {src, dest, wlen},\n"
		   "     zero entries {dest, wlen}, 32-bit words; one pair per phase,\n"
		   "     walked by fwm_reloc_init(FWM_RELOC_EARLY / FWM_RELOC_LATE). */\n");
	if (!any) {
		for (int ph = 0; ph < LG_NPHASES; ph++) {
			const char *pn = lg_phase_name((enum lg_phase)ph);
			fprintf(f, "  __fwm_copy_table_%s_start__ = 0;\n  __fwm_copy_table_%s_end__ = 0;\n", pn, pn);
			fprintf(f, "  __fwm_zero_table_%s_start__ = 0;\n  __fwm_zero_table_%s_end__ = 0;\n", pn, pn);
		}
		return;
	}
	fprintf(f, "  .fwm.tables : ALIGN(4)\n  {\n");
	for (int ph = 0; ph < LG_NPHASES; ph++) {
		const char *pn = lg_phase_name((enum lg_phase)ph);
		fprintf(f, "    __fwm_copy_table_%s_start__ = .;\n", pn);
		for (size_t i = 0; i < p->n; i++) {
			const struct lg_osec *o = &p->v[i];
			if (o->copies && !o->bss && (int)o->phase == ph)
				fprintf(f, "    LONG(LOADADDR(%s)) LONG(ADDR(%s)) LONG(SIZEOF(%s) / 4)\n", o->name, o->name,
					o->name);
		}
		fprintf(f, "    __fwm_copy_table_%s_end__ = .;\n", pn);
		fprintf(f, "    __fwm_zero_table_%s_start__ = .;\n", pn);
		for (size_t i = 0; i < p->n; i++) {
			const struct lg_osec *o = &p->v[i];
			if (o->copies && o->bss && (int)o->phase == ph)
				fprintf(f, "    LONG(ADDR(%s)) LONG(SIZEOF(%s) / 4)\n", o->name, o->name);
		}
		fprintf(f, "    __fwm_zero_table_%s_end__ = .;\n", pn);
	}
	fprintf(f, "  } > %s\n", r->set.v[r->load].name);
	fprintf(f, "  /* CMSIS names for the early tables, unless the script defines its own */\n"
		   "  PROVIDE(__copy_table_start__ = __fwm_copy_table_early_start__);\n"
		   "  PROVIDE(__copy_table_end__ = __fwm_copy_table_early_end__);\n"
		   "  PROVIDE(__zero_table_start__ = __fwm_zero_table_early_start__);\n"
		   "  PROVIDE(__zero_table_end__ = __fwm_zero_table_early_end__);\n");
}

static void write_region_symbols(const struct lg_regions *r, const struct lg_plan *p, FILE *f)
{
	int first = 1;
	for (size_t reg = 0; reg < r->set.n; reg++) {
		const struct lg_osec *lo = NULL, *hi = NULL;
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i].region == (int)reg) {
				if (!lo)
					lo = &p->v[i];
				hi = &p->v[i];
			}
		if (!lo)
			continue;
		if (first)
			fprintf(f, "\n  /* What linkgen placed in each region, first to last byte */\n");
		first = 0;
		const char *rn = r->set.v[reg].name;
		fprintf(f, "  __fwm_%s_start = ADDR(%s);\n", rn, lo->name);
		fprintf(f, "  __fwm_%s_end = ADDR(%s) + SIZEOF(%s);\n", rn, hi->name, hi->name);
		fprintf(f, "  __fwm_%s_size = __fwm_%s_end - __fwm_%s_start;\n", rn, rn, rn);
	}
}

static void write_header(const struct lg_spec *s, FILE *f, const char *file, const char *what)
{
	fprintf(f, "/* %s: generated by linkgen %s from %s; do not edit.\n", file, FWM_VERSION, lg_basename(s->path));
	fprintf(f, " * %s\n", what);
}

int lg_write_fragment(const struct lg_spec *s, const struct lg_regions *r, const struct lg_plan *p, FILE *f)
{
	write_header(s, f, "linkgen.ld",
		     "The relocation fragment: output sections, copy and zero tables, symbols.");
	fprintf(f, " *\n"
		   " * Link with the three scripts in this order (the file ldflags has them):\n"
		   " *   -T memory.ld -T linkgen.ld -T base.ld\n"
		   " * memory.ld first, so that every region is declared before use; then this\n"
		   " * fragment, whose statements come before the vendor's and so win the input\n"
		   " * sections they select; then base.ld, the vendor script without MEMORY.\n"
		   " * INSERT moves the output sections below to after the anchor.\n"
		   " *\n"
		   " * Precedence: the most specific rule wins, symbol > object/member >\n"
		   " * archive > glob.  GNU ld gives an input section to the first statement\n"
		   " * that matches it, so the output sections come tier by tier.\n"
		   " *\n"
		   " * Rules (line, tier, region, phase):\n");
	for (size_t i = 0; i < s->nrules; i++) {
		const struct lg_rule *u = &s->rules[i];
		char tag[300];
		fprintf(f, " *   %-14s %-8s %-10s %-6s ", rule_tag(s, u, tag, sizeof tag), lg_tier_name(lg_rule_tier(u)),
			u->region, u->copies ? lg_phase_name(u->phase) : "-");
		put_comment_text(f, u->text);
		fputc('\n', f);
	}
	fprintf(f, " */\nSECTIONS\n{");
	int tier = -1;
	for (size_t i = 0; i < p->n; i++) {
		if ((int)p->v[i].tier != tier) {
			tier = (int)p->v[i].tier;
			fprintf(f, "\n  /* ==== %s tier ==== */\n", lg_tier_name((enum lg_tier)tier));
		}
		write_osec(s, r, &p->v[i], f);
	}
	write_tables(r, p, f);
	write_region_symbols(r, p, f);
	fprintf(f, "}\nINSERT %s %s;\n", s->insert_before ? "BEFORE" : "AFTER", s->anchor);
	return ferror(f) ? -EIO : 0;
}

int lg_write_memory(const struct lg_spec *s, const struct lg_regions *r, FILE *f)
{
	write_header(s, f, "memory.ld", "Every memory region: the vendor script's and the spec's.");
	fprintf(f, " */\nMEMORY\n{\n");
	for (size_t i = 0; i < r->set.n; i++) {
		const struct fwm_region *g = &r->set.v[i];
		char attrs[24] = "";
		if (g->attrs[0])
			snprintf(attrs, sizeof attrs, " (%s)", g->attrs);
		fprintf(f, "  %s%s : ORIGIN = 0x%08llx, LENGTH = 0x%08llx", g->name, attrs,
			(unsigned long long)g->origin, (unsigned long long)g->length);
		if (r->decl_line[i])
			fprintf(f, "   /* %s:%u */\n", lg_basename(s->path), r->decl_line[i]);
		else
			fprintf(f, "   /* %s */\n", r->source ? lg_basename(r->source) : "?");
	}
	fprintf(f, "}\n");
	return ferror(f) ? -EIO : 0;
}

/* ---- reading a vendor script: MEMORY blocks and output sections ------------------ */

static char *read_file(const char *path, size_t *len, struct fwm_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap > (64u << 20)) {
			free(b);
			b = NULL;
			fwm_errf(err, -EFBIG, "%s: larger than 64 MB: not a linker script", path);
			fclose(f);
			return NULL;
		}
		cap *= 2;
		char *nb = realloc(b, cap + 1);
		if (!nb)
			free(b);
		b = nb;
	}
	fclose(f);
	if (!b) {
		fwm_errf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	b[n] = 0;
	*len = n;
	return b;
}

/* A scanner over ld script text that skips comments and strings. */
struct scan {
	const char *b;
	size_t n, i;
};

/* Advance over blanks and comments. */
static void skip_space(struct scan *s)
{
	while (s->i < s->n) {
		if (isspace((unsigned char)s->b[s->i]))
			s->i++;
		else if (s->b[s->i] == '/' && s->i + 1 < s->n && s->b[s->i + 1] == '*') {
			const char *e = strstr(s->b + s->i + 2, "*/");
			s->i = e ? (size_t)(e - s->b) + 2 : s->n;
		} else
			break;
	}
}

static int word_char(char c)
{
	return c && (isalnum((unsigned char)c) || strchr("_.$-*?[]/~!", c));
}

/* Offsets of each top-level "MEMORY { ... }" (begin, end) pairs. */
static size_t find_memory(const char *b, size_t n, size_t *ranges, size_t max)
{
	struct scan s = { b, n, 0 };
	size_t k = 0;
	int depth = 0;
	while (s.i < n) {
		skip_space(&s);
		if (s.i >= n)
			break;
		char c = b[s.i];
		if (c == '"') {
			const char *e = memchr(b + s.i + 1, '"', n - s.i - 1);
			s.i = e ? (size_t)(e - b) + 1 : n;
		} else if (c == '{')
			depth++, s.i++;
		else if (c == '}')
			depth--, s.i++;
		else if (word_char(c)) {
			size_t st = s.i;
			while (s.i < n && word_char(b[s.i]))
				s.i++;
			if (depth == 0 && s.i - st == 6 && memcmp(b + st, "MEMORY", 6) == 0) {
				skip_space(&s);
				if (s.i < n && b[s.i] == '{') {
					const char *e = memchr(b + s.i, '}', n - s.i);
					size_t end = e ? (size_t)(e - b) + 1 : n;
					if (k < max) {
						ranges[2 * k] = st;
						ranges[2 * k + 1] = end;
						k++;
					}
					s.i = end;
				}
			}
		} else
			s.i++;
	}
	return k;
}

void lg_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* The name of the output section whose statement runs from stmt to the
 * "{" at end: the first word that is not the previous statement's trailer
 * ("> REGION", "AT> REGION", ":phdr", "=fill"), or NULL (not an output
 * section: no ":" before the brace). */
static char *section_name(const char *b, size_t stmt, size_t end)
{
	if (!memchr(b + stmt, ':', end - stmt))
		return NULL;
	struct scan t = { b, end, stmt };
	int skip = 0;
	while (t.i < end) {
		skip_space(&t);
		if (t.i >= end)
			break;
		char c = b[t.i];
		if (c == '(') {
			int d = 0;
			for (; t.i < end; t.i++) {
				d += b[t.i] == '(';
				d -= b[t.i] == ')';
				if (!d)
					break;
			}
			t.i++;
			continue;
		}
		if (c == '>' || c == '=') {
			skip = 1;
			t.i++;
			continue;
		}
		if (c == ':') {
			/* ":phdr" of the previous statement */
			if (t.i + 1 < end && word_char(b[t.i + 1]))
				skip = 1;
			t.i++;
			continue;
		}
		if (word_char(c)) {
			size_t st = t.i;
			while (t.i < end && word_char(b[t.i]))
				t.i++;
			if (t.i - st == 2 && memcmp(b + st, "AT", 2) == 0)
				continue;   /* "AT>" */
			if (skip) {
				skip = 0;
				continue;
			}
			return strndup(b + st, t.i - st);
		}
		t.i++;
	}
	return NULL;
}

int lg_script_sections(const char *path, char ***names, struct fwm_err *err)
{
	size_t n;
	char *b = read_file(path, &n, err);
	if (!b)
		return -EINVAL;
	struct scan s = { b, n, 0 };
	size_t cap = 16, k = 0;
	char **v = calloc(cap + 1, sizeof *v);
	int depth = 0, in_sections = 0, sec_depth = 0;
	size_t stmt = 0;   /* start of the current statement at SECTIONS depth */
	while (v && s.i < n) {
		skip_space(&s);
		if (s.i >= n)
			break;
		char c = b[s.i];
		if (c == '"') {
			const char *e = memchr(b + s.i + 1, '"', n - s.i - 1);
			s.i = e ? (size_t)(e - b) + 1 : n;
			continue;
		}
		if (word_char(c)) {
			size_t st = s.i;
			while (s.i < n && word_char(b[s.i]))
				s.i++;
			if (!in_sections && s.i - st == 8 && memcmp(b + st, "SECTIONS", 8) == 0) {
				skip_space(&s);
				if (s.i < n && b[s.i] == '{') {
					in_sections = 1;
					sec_depth = ++depth;
					s.i++;
					stmt = s.i;
				}
			}
			continue;
		}
		if (c == '{') {
			if (in_sections && depth == sec_depth) {
				char *name = section_name(b, stmt, s.i);
				if (name) {
					if (k == cap) {
						char **nv = realloc(v, (cap * 2 + 1) * sizeof *nv);
						if (!nv) {
							free(name);
							break;
						}
						v = nv;
						cap *= 2;
					}
					v[k++] = name;
					v[k] = NULL;
				}
			}
			depth++;
		} else if (c == '}') {
			depth--;
			if (in_sections && depth == sec_depth)
				stmt = s.i + 1;
			if (in_sections && depth < sec_depth)
				in_sections = 0;
		} else if (c == ';' && in_sections && depth == sec_depth)
			stmt = s.i + 1;
		s.i++;
	}
	free(b);
	if (!v)
		return fwm_errf(err, -ENOMEM, "out of memory");
	*names = v;
	return 0;
}

int lg_check_anchor(const struct lg_spec *s, const char *vendor_ld, struct fwm_err *err)
{
	char **secs;
	int rc = lg_script_sections(vendor_ld, &secs, err);
	if (rc < 0)
		return rc;
	int found = 0;
	char list[600] = "";
	size_t l = 0;
	for (char **q = secs; *q; q++) {
		if (strcmp(*q, s->anchor) == 0)
			found = 1;
		if (l < sizeof list)
			l += (size_t)snprintf(list + l, sizeof list - l, "%s%s", l ? " " : "", *q);
	}
	lg_strv_free(secs);
	if (!found)
		return fwm_errf(err, -EINVAL, "%s:%u: %s has no output section %s to insert %s (its sections: %s)",
				s->path, s->anchor_line ? s->anchor_line : 1, vendor_ld, s->anchor,
				s->insert_before ? "before" : "after", *list ? list : "none");
	return 0;
}

/* ---- files ----------------------------------------------------------------------- */

static int mkdirs(const char *dir)
{
	char buf[4096];
	if (strlen(dir) >= sizeof buf)
		return -ENAMETOOLONG;
	strcpy(buf, dir);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0777) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int add_file(char ***files, size_t *n, const char *path)
{
	char **v = realloc(*files, (*n + 2) * sizeof *v);
	if (!v)
		return -ENOMEM;
	*files = v;
	v[*n] = strdup(path);
	if (!v[*n])
		return -ENOMEM;
	v[++*n] = NULL;
	return 0;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t n, struct fwm_err *err)
{
	snprintf(path, n, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path, struct fwm_err *err)
{
	int bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return fwm_errf(err, -EIO, "%s: write error", path);
	return 0;
}

int lg_generate(const struct lg_spec *s, const struct lg_regions *r, const struct lg_plan *p,
		const struct lg_genopts *o, char ***files, struct fwm_err *err)
{
	char path[4096];
	size_t nf = 0;
	*files = NULL;
	int rc = mkdirs(o->outdir);
	if (rc < 0)
		return fwm_errf(err, rc, "%s: cannot create the directory: %s", o->outdir, strerror(-rc));

	/* the vendor script, read first: it must have the anchor */
	char *vendor = NULL;
	size_t vlen = 0;
	if (o->vendor_ld) {
		rc = lg_check_anchor(s, o->vendor_ld, err);
		if (rc < 0)
			return rc;
		vendor = read_file(o->vendor_ld, &vlen, err);
		if (!vendor)
			return -EINVAL;
	}

	FILE *f = open_out(o->outdir, "linkgen.ld", path, sizeof path, err);
	if (!f)
		goto fail;
	lg_write_fragment(s, r, p, f);
	if (close_out(f, path, err) < 0 || add_file(files, &nf, path) < 0)
		goto fail;

	f = open_out(o->outdir, "memory.ld", path, sizeof path, err);
	if (!f)
		goto fail;
	lg_write_memory(s, r, f);
	if (close_out(f, path, err) < 0 || add_file(files, &nf, path) < 0)
		goto fail;

	if (vendor) {
		size_t ranges[16];
		size_t nm = find_memory(vendor, vlen, ranges, 8);
		f = open_out(o->outdir, "base.ld", path, sizeof path, err);
		if (!f)
			goto fail;
		fprintf(f, "/* base.ld: generated by linkgen %s: %s without its MEMORY block,\n"
			   " * which memory.ld declares (with the spec's regions); do not edit.\n */\n",
			FWM_VERSION, lg_basename(o->vendor_ld));
		size_t at = 0;
		for (size_t i = 0; i < nm; i++) {
			fwrite(vendor + at, 1, ranges[2 * i] - at, f);
			fprintf(f, "/* MEMORY: in memory.ld */");
			for (size_t j = ranges[2 * i]; j < ranges[2 * i + 1]; j++)
				if (vendor[j] == '\n')
					fputc('\n', f);
			at = ranges[2 * i + 1];
		}
		fwrite(vendor + at, 1, vlen - at, f);
		if (close_out(f, path, err) < 0 || add_file(files, &nf, path) < 0)
			goto fail;
	}
	/* the linker options, in the one order that works (see linkgen.ld) */
	f = open_out(o->outdir, "ldflags", path, sizeof path, err);
	if (!f)
		goto fail;
	fprintf(f, "-Wl,-T,%s/memory.ld -Wl,-T,%s/linkgen.ld", o->outdir, o->outdir);
	if (vendor)
		fprintf(f, " -Wl,-T,%s/base.ld", o->outdir);
	fprintf(f, "\n");
	if (close_out(f, path, err) < 0 || add_file(files, &nf, path) < 0)
		goto fail;
	free(vendor);
	return 0;
fail:
	free(vendor);
	if (!err->msg[0])
		fwm_errf(err, -ENOMEM, "out of memory");
	lg_strv_free(*files);
	*files = NULL;
	return -EIO;
}
