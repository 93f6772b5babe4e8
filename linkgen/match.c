/* Rule patterns: generated as ld input-section statements, and matched
 * against the input sections of a map (see lg_match.h). */
#include "lg_match.h"

#include <fnmatch.h>
#include <string.h>

#define MAXPAT 8
#define FPAT 1600

const char *lg_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

void lg_input_init(struct lg_input *in, const char *file, const char *section)
{
	in->file = file ? file : "";
	in->section = section;
	in->kind = lg_section_kind(section);
	in->archive[0] = in->member[0] = 0;
	size_t n = strlen(in->file);
	const char *open = n ? strrchr(in->file, '(') : NULL;
	if (open && in->file[n - 1] == ')' && open != in->file) {
		size_t al = (size_t)(open - in->file), ml = n - al - 2;
		if (al < sizeof in->archive && ml < sizeof in->member) {
			memcpy(in->archive, in->file, al);
			in->archive[al] = 0;
			memcpy(in->member, open + 1, ml);
			in->member[ml] = 0;
		}
	}
}

static int prefixed(const char *s, const char *p)
{
	size_t n = strlen(p);
	return strncmp(s, p, n) == 0 && (s[n] == 0 || s[n] == '.');
}

unsigned lg_section_kind(const char *s)
{
	if (prefixed(s, ".text"))
		return LG_K_CODE;
	if (prefixed(s, ".rodata") || prefixed(s, ".srodata"))
		return LG_K_RODATA;
	if (prefixed(s, ".data") || prefixed(s, ".sdata"))
		return LG_K_DATA;
	if (prefixed(s, ".bss") || prefixed(s, ".sbss") || strcmp(s, "COMMON") == 0)
		return LG_K_BSS;
	return 0;
}

/* ---- section-name patterns -------------------------------------------------- */

struct pats {
	char v[MAXPAT][300];
	int n;
};

static void add(struct pats *p, const char *fmt, const char *a)
{
	if (p->n < MAXPAT)
		snprintf(p->v[p->n++], sizeof p->v[0], fmt, a ? a : "");
}

/* The section patterns of one kind for rule r. */
static void section_patterns(const struct lg_rule *r, unsigned kind, struct pats *p)
{
	p->n = 0;
	if (r->sel == LG_SEL_SECTION) {
		if (r->kinds & kind)
			add(p, "%s", r->name);
		return;
	}
	if (r->sel == LG_SEL_INPUT) {
		if (lg_section_kind(r->member) == kind)
			add(p, "%s", r->member);
		return;
	}
	if (r->sel == LG_SEL_SYMBOL) {
		const char *n = r->name;
		switch (kind) {
		case LG_K_CODE:
			add(p, ".text.%s", n);
			add(p, ".text.unlikely.%s", n);
			add(p, ".text.startup.%s", n);
			add(p, ".text.hot.%s", n);
			break;
		case LG_K_RODATA:
			add(p, ".rodata.%s", n);
			add(p, ".rodata.%s.*", n);
			add(p, ".srodata.%s", n);
			break;
		case LG_K_DATA:
			add(p, ".data.%s", n);
			add(p, ".sdata.%s", n);
			break;
		case LG_K_BSS:
			add(p, ".bss.%s", n);
			add(p, ".sbss.%s", n);
			break;
		}
		return;
	}
	switch (kind) {
	case LG_K_CODE:
		add(p, ".text", NULL);
		add(p, ".text.*", NULL);
		break;
	case LG_K_RODATA:
		add(p, ".rodata", NULL);
		add(p, ".rodata.*", NULL);
		add(p, ".srodata", NULL);
		add(p, ".srodata.*", NULL);
		break;
	case LG_K_DATA:
		add(p, ".data", NULL);
		add(p, ".data.*", NULL);
		add(p, ".sdata", NULL);
		add(p, ".sdata.*", NULL);
		break;
	case LG_K_BSS:
		add(p, ".bss", NULL);
		add(p, ".bss.*", NULL);
		add(p, ".sbss", NULL);
		add(p, ".sbss.*", NULL);
		add(p, "COMMON", NULL);
		break;
	}
}

/* ---- file patterns ------------------------------------------------------------ */

/* The object names an object rule stands for: "dsp.c" means the objects
 * compilers make of it (dsp.o, dsp.c.o, dsp.c.obj, dsp.obj). */
static int object_names(const char *name, char out[4][300])
{
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');
	static const char *const src[] = { ".c", ".cc", ".cpp", ".cxx", ".S", ".s", ".asm" };
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof src / sizeof *src; i++)
			if (strcmp(dot, src[i]) == 0) {
				int stem = (int)(dot - name);
				snprintf(out[0], 300, "%.*s.o", stem, name);
				snprintf(out[1], 300, "%s.o", name);
				snprintf(out[2], 300, "%s.obj", name);
				snprintf(out[3], 300, "%.*s.obj", stem, name);
				return 4;
			}
	snprintf(out[0], 300, "%s", name);
	return 1;
}

/* path is name, or ends in "/name" */
static int path_is(const char *path, const char *name)
{
	size_t lp = strlen(path), ln = strlen(name);
	if (lp == ln)
		return strcmp(path, name) == 0;
	return lp > ln && path[lp - ln - 1] == '/' && strcmp(path + lp - ln, name) == 0;
}

/* A file-level selector (object, member, archive, glob, or a symbol's
 * "from") against the input's file. */
static int file_matches(enum lg_sel sel, const char *name, const char *member, const struct lg_input *in)
{
	int in_ar = in->archive[0] != 0;
	switch (sel) {
	case LG_SEL_OBJECT: {
		char names[4][300];
		int n = object_names(name, names);
		for (int i = 0; i < n; i++)
			if (!in_ar && path_is(in->file, names[i]))
				return 1;
		return 0;
	}
	case LG_SEL_MEMBER:
		return in_ar && path_is(in->archive, name) && fnmatch(member, in->member, 0) == 0;
	case LG_SEL_ARCHIVE:
		return in_ar && path_is(in->archive, name);
	case LG_SEL_GLOB: {
		const char *colon = strchr(name, ':');
		if (colon) {
			char ap[300];
			size_t al = (size_t)(colon - name);
			if (al >= sizeof ap)
				return 0;
			memcpy(ap, name, al);
			ap[al] = 0;
			if (al == 0)   /* ":file": outside archives */
				return !in_ar && fnmatch(colon + 1, in->file, 0) == 0;
			return in_ar && fnmatch(ap, in->archive, 0) == 0 &&
			       (!colon[1] || fnmatch(colon + 1, in->member, 0) == 0);
		}
		return fnmatch(name, in_ar ? in->member : in->file, 0) == 0;
	}
	default:
		return 0;
	}
}

/* "symbol N from F": F is an object, "archive:member", "archive:" or a pattern. */
static int from_matches(const char *from, const struct lg_input *in)
{
	if (strpbrk(from, "*?["))
		return file_matches(LG_SEL_GLOB, from, NULL, in);
	const char *colon = strchr(from, ':');
	if (!colon)
		return file_matches(LG_SEL_OBJECT, from, NULL, in);
	char ar[300];
	size_t al = (size_t)(colon - from);
	if (al >= sizeof ar)
		return 0;
	memcpy(ar, from, al);
	ar[al] = 0;
	if (!colon[1])
		return file_matches(LG_SEL_ARCHIVE, ar, NULL, in);
	return file_matches(LG_SEL_MEMBER, ar, colon + 1, in);
}

unsigned lg_rule_matches(const struct lg_rule *r, const struct lg_input *in)
{
	if (r->sel == LG_SEL_SECTION) {
		/* by name, whatever the name says of its kind: the rule's kind decides */
		if (fnmatch(r->name, in->section, 0) != 0 || (r->from && !from_matches(r->from, in)))
			return 0;
		return r->kinds;
	}
	unsigned k = in->kind;
	if (!k || !(r->kinds & k))
		return 0;
	if (r->sel == LG_SEL_INPUT)
		return strcmp(in->file, r->name) == 0 && strcmp(in->section, r->member) == 0 ? k : 0;
	if (r->sel == LG_SEL_SYMBOL) {
		if (r->from && !from_matches(r->from, in))
			return 0;
	} else if (!file_matches(r->sel, r->name, r->member, in))
		return 0;
	struct pats p;
	section_patterns(r, k, &p);
	for (int i = 0; i < p.n; i++)
		if (fnmatch(p.v[i], in->section, 0) == 0)
			return k;
	return 0;
}

/* ---- writing ld statements ----------------------------------------------------- */

/* "x.o" -> "x.[o]": the same name, but a wildcard, so that ld does not open it. */
static void exact(char *out, size_t n, const char *name)
{
	size_t l = strlen(name);
	if (l == 0 || strpbrk(name, "*?["))
		snprintf(out, n, "%s", name);
	else
		snprintf(out, n, "%.*s[%c]", (int)(l - 1), name, name[l - 1]);
}

/* The file patterns of a selector. */
static int file_patterns(enum lg_sel sel, const char *name, const char *member, char out[8][FPAT])
{
	char e[320], e2[320];
	switch (sel) {
	case LG_SEL_OBJECT: {
		char names[4][300];
		int n = object_names(name, names), k = 0;
		for (int i = 0; i < n; i++) {
			exact(e, sizeof e, names[i]);
			snprintf(out[k++], FPAT, ":*/%s", names[i]);
			snprintf(out[k++], FPAT, ":%s", e);
		}
		return k;
	}
	case LG_SEL_MEMBER:
		exact(e, sizeof e, name);
		snprintf(out[0], FPAT, "*/%s:%s", name, member);
		snprintf(out[1], FPAT, "%s:%s", e, member);
		return 2;
	case LG_SEL_ARCHIVE:
		exact(e, sizeof e, name);
		snprintf(out[0], FPAT, "*/%s:", name);
		snprintf(out[1], FPAT, "%s:", e);
		return 2;
	case LG_SEL_GLOB:
		snprintf(out[0], FPAT, "%s", name);
		return 1;
	case LG_SEL_INPUT: {
		/* name is a map file string: "dir/libx.a(m.o)" or "dir/x.o" */
		struct lg_input in;
		lg_input_init(&in, name, ".text");
		if (in.archive[0]) {
			const char *b = lg_basename(in.archive);
			exact(e, sizeof e, b);
			exact(e2, sizeof e2, in.member);
			snprintf(out[0], FPAT, "*/%s:%s", b, e2);
			snprintf(out[1], FPAT, "%s:%s", e, e2);
			return 2;
		}
		exact(e, sizeof e, name);
		snprintf(out[0], FPAT, ":%s", e);
		if (name[0] == '/')
			return 1;
		snprintf(out[1], FPAT, ":*/%s", name);
		return 2;
	}
	default:
		snprintf(out[0], FPAT, "*");
		return 1;
	}
}

void lg_rule_write_inputs(const struct lg_rule *r, unsigned kinds, FILE *f, const char *indent)
{
	char files[8][FPAT];
	int nf;
	if ((r->sel == LG_SEL_SYMBOL || r->sel == LG_SEL_SECTION) && r->from) {
		const char *colon = strchr(r->from, ':');
		if (strpbrk(r->from, "*?["))
			nf = file_patterns(LG_SEL_GLOB, r->from, NULL, files);
		else if (!colon)
			nf = file_patterns(LG_SEL_OBJECT, r->from, NULL, files);
		else if (!colon[1]) {
			char ar[300];
			snprintf(ar, sizeof ar, "%.*s", (int)(colon - r->from), r->from);
			nf = file_patterns(LG_SEL_ARCHIVE, ar, NULL, files);
		} else {
			char ar[300];
			snprintf(ar, sizeof ar, "%.*s", (int)(colon - r->from), r->from);
			nf = file_patterns(LG_SEL_MEMBER, ar, colon + 1, files);
		}
	} else
		nf = file_patterns(r->sel, r->name, r->member, files);
	for (int i = 0; i < nf; i++) {
		fprintf(f, "%s%s%s(", indent, r->keep ? "KEEP(" : "", files[i]);
		int first = 1;
		for (unsigned k = 1; k <= LG_K_BSS; k <<= 1) {
			if (!(kinds & k))
				continue;
			struct pats p;
			section_patterns(r, k, &p);
			for (int j = 0; j < p.n; j++) {
				fprintf(f, "%s%s", first ? "" : " ", p.v[j]);
				first = 0;
			}
		}
		fprintf(f, ")%s\n", r->keep ? ")" : "");
	}
}
