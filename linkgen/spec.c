/* The relocation spec: tokenizer, parser and resolver.
 *
 * A spec is read line by line; each line is one statement, "#" starts a
 * comment, tokens are separated by blanks and may be "double quoted" (with
 * \" and \\ inside).  Options are written key=value.  Paths in "regions"
 * lines are relative to the spec's own directory.
 */
#include "lg_spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTOK 48

struct tok {
	char *s;               /* points into the line copy, NUL-terminated */
	int quoted;
};

struct line {
	const char *name;
	unsigned no;
	struct tok t[MAXTOK];
	int n;
};

/* Split one line (modified in place) into tokens; "#" outside quotes starts a comment. */
static int tokenize(struct line *L, char *p, struct fwm_err *err)
{
	L->n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return 0;
		if (L->n == MAXTOK)
			return fwm_errf(err, -EINVAL, "%s:%u: more than %d words on one line", L->name, L->no,
					MAXTOK);
		struct tok *t = &L->t[L->n++];
		if (*p == '"') {
			char *o = ++p;
			t->s = o;
			t->quoted = 1;
			while (*p != '"') {
				if (!*p)
					return fwm_errf(err, -EINVAL, "%s:%u: unterminated \"string\"", L->name, L->no);
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*o++ = *p++;
			}
			p++;
			if (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
				return fwm_errf(err, -EINVAL, "%s:%u: no blank after a \"string\"", L->name, L->no);
			*o = 0;
			continue;
		}
		t->s = p;
		t->quoted = 0;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
			p++;
		if (*p == '#') {
			*p = 0;
			return 0;
		}
		if (*p)
			*p++ = 0;
	}
}

/* Numbers: decimal, 0x hex, 0 octal, with an optional K, M or G suffix (upper case). */
static int parse_num(const char *s, uint64_t *v)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	uint64_t mul = 1;
	if (*end == 'K')
		mul = 1024, end++;
	else if (*end == 'M')
		mul = 1024 * 1024, end++;
	else if (*end == 'G')
		mul = 1024ull * 1024 * 1024, end++;
	if (*end)
		return -1;
	if (n > UINT64_MAX / mul)
		return -1;
	*v = n * mul;
	return 0;
}

static int is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static int has_wild(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Characters that a symbol name or pattern may hold in a section name. */
static int is_symname(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("_.$*?[]!", *s)))
			return 0;
	return 1;
}

/* A file name or pattern as it may appear in an ld input-section statement. */
static int is_filename(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || strchr("(){};,\"", *s))
			return 0;
	return 1;
}

/* ---- edit distance, for "did you mean" ---------------------------------- */

static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 256 || lb > 256)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	size_t prev[257], cur[257];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		size_t best = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t c = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < c)
				c = prev[j] + 1;
			if (cur[j - 1] + 1 < c)
				c = cur[j - 1] + 1;
			cur[j] = c;
			if (c < best)
				best = c;
		}
		if (best > cap)
			return cap + 1;
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

/* Damerau: a transposition is one edit; computed over the plain distance. */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t d = edit_distance(a, b, cap);
	size_t la = strlen(a);
	if (d == 2 && la == strlen(b)) {
		/* exactly one swapped pair? */
		size_t i = 0;
		while (i < la && a[i] == b[i])
			i++;
		if (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0)
			return 1;
	}
	return d;
}

const char *lg_closest(const char *s, const char *const *cand, size_t n)
{
	size_t cap = strlen(s) / 3;
	if (cap < 1)
		cap = 1;
	const char *best = NULL;
	size_t bd = cap + 1;
	for (size_t i = 0; i < n; i++) {
		if (!cand[i] || strcmp(cand[i], s) == 0)
			continue;
		size_t d = distance(s, cand[i], cap);
		if (d < bd) {
			bd = d;
			best = cand[i];
		}
	}
	return best;
}

/* ---- names ---------------------------------------------------------------- */

enum lg_tier lg_rule_tier(const struct lg_rule *r)
{
	switch (r->sel) {
	case LG_SEL_SYMBOL:
	case LG_SEL_SECTION: return has_wild(r->name) ? LG_TIER_GLOB : LG_TIER_SYMBOL;
	case LG_SEL_INPUT: return LG_TIER_SYMBOL;
	case LG_SEL_OBJECT:
	case LG_SEL_MEMBER: return LG_TIER_OBJECT;
	case LG_SEL_ARCHIVE: return LG_TIER_ARCHIVE;
	default: return LG_TIER_GLOB;
	}
}

const char *lg_tier_name(enum lg_tier t)
{
	static const char *const n[] = { "symbol", "object", "archive", "glob" };
	return t < LG_NTIERS ? n[t] : "?";
}

const char *lg_phase_name(enum lg_phase p)
{
	return p == LG_PHASE_LATE ? "late" : "early";
}

const char *lg_kind_name(unsigned kind)
{
	switch (kind) {
	case LG_K_CODE: return "code";
	case LG_K_RODATA: return "rodata";
	case LG_K_DATA: return "data";
	case LG_K_BSS: return "bss";
	default: return "other";
	}
}

const char *lg_kinds_str(unsigned kinds, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (unsigned k = 1; k <= LG_K_BSS; k <<= 1)
		if (kinds & k)
			o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%s", o ? "," : "", lg_kind_name(k));
	return buf;
}

/* ---- parser ---------------------------------------------------------------- */

static const char *const statements[] = { "place", "region", "regions", "load", "insert", "phase" };

static int synerr(const struct line *L, struct fwm_err *err, const char *fmt, const char *a)
{
	char msg[FWM_ERRLEN];
	snprintf(msg, sizeof msg, fmt, a ? a : "");
	return fwm_errf(err, -EINVAL, "%s:%u: %s", L->name, L->no, msg);
}

/* Split "key=value"; 0 when tok has no "=". */
static int keyval(char *tok, char **key, char **val)
{
	char *eq = strchr(tok, '=');
	if (!eq)
		return 0;
	*eq = 0;
	*key = tok;
	*val = eq + 1;
	return 1;
}

static char *join_dir(const char *specpath, const char *p)
{
	if (p[0] == '/')
		return strdup(p);
	const char *slash = strrchr(specpath, '/');
	if (!slash)
		return strdup(p);
	size_t dl = (size_t)(slash - specpath);
	char *r = malloc(dl + 1 + strlen(p) + 1);
	if (r)
		sprintf(r, "%.*s/%s", (int)dl, specpath, p);
	return r;
}

static int parse_phase(const char *v, enum lg_phase *p)
{
	if (strcmp(v, "early") == 0)
		*p = LG_PHASE_EARLY;
	else if (strcmp(v, "late") == 0)
		*p = LG_PHASE_LATE;
	else
		return -1;
	return 0;
}

static int parse_kinds(const char *s, unsigned *kinds)
{
	char buf[128];
	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	*kinds = 0;
	for (char *save = NULL, *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		if (strcmp(k, "code") == 0 || strcmp(k, "text") == 0)
			*kinds |= LG_K_CODE;
		else if (strcmp(k, "rodata") == 0)
			*kinds |= LG_K_RODATA;
		else if (strcmp(k, "data") == 0)
			*kinds |= LG_K_DATA;
		else if (strcmp(k, "bss") == 0)
			*kinds |= LG_K_BSS;
		else if (strcmp(k, "all") == 0)
			*kinds |= LG_K_ALL;
		else
			return -1;
	}
	return *kinds ? 0 : -1;
}

static void rule_free(struct lg_rule *r)
{
	free(r->name);
	free(r->member);
	free(r->from);
	free(r->region);
	free(r->surround);
	free(r->text);
}

int lg_spec_add_rule(struct lg_spec *s, const struct lg_rule *r)
{
	if (s->nrules == s->caprules) {
		size_t nc = s->caprules ? s->caprules * 2 : 16;
		struct lg_rule *v = realloc(s->rules, nc * sizeof *v);
		if (!v)
			return -ENOMEM;
		s->rules = v;
		s->caprules = nc;
	}
	s->rules[s->nrules++] = *r;
	return 0;
}

/* The text of a rule, rebuilt from its tokens. */
static char *line_text(const struct line *L)
{
	size_t n = 1;
	for (int i = 0; i < L->n; i++)
		n += strlen(L->t[i].s) + 3;
	char *s = malloc(n), *o = s;
	if (!s)
		return NULL;
	for (int i = 0; i < L->n; i++)
		o += sprintf(o, i ? (L->t[i].quoted ? " \"%s\"" : " %s") : "%s", L->t[i].s);
	*o = 0;
	return s;
}

/* place SELECTOR [KINDS] in REGION [FLAGS] */
static int place_rule(struct lg_spec *s, struct line *L, struct lg_rule *rp, struct fwm_err *err)
{
#define r (*rp)
	int i = 1;
	r.line = L->no;
	if (L->n < 2)
		return synerr(L, err, "place wants a selector: symbol, section, object, member, archive or glob%s", NULL);
	const char *what = L->t[i++].s;
	if (i >= L->n)
		return synerr(L, err, "place %s wants a name", what);
	char *name = L->t[i++].s;
	int rc = -EINVAL;
	if (strcmp(what, "symbol") == 0 || strcmp(what, "function") == 0 || strcmp(what, "variable") == 0) {
		r.sel = LG_SEL_SYMBOL;
		if (!is_symname(name))
			return synerr(L, err, "'%s' is not a symbol name (letters, digits, _ . $ and the wildcards * ? [ ])",
				      name);
		if (i + 1 < L->n && strcmp(L->t[i].s, "from") == 0) {
			if (!is_filename(L->t[i + 1].s))
				return synerr(L, err, "'%s' is not a file name", L->t[i + 1].s);
			r.from = strdup(L->t[i + 1].s);
			i += 2;
		}
		if (strcmp(what, "function") == 0)
			r.kinds = LG_K_CODE, r.kinds_set = 1;
	} else if (strcmp(what, "object") == 0 || strcmp(what, "file") == 0) {
		r.sel = LG_SEL_OBJECT;
		if (!is_filename(name) || has_wild(name) || strchr(name, ':'))
			return synerr(L, err, "'%s' is not an object file name (use glob for patterns, member for archive members)",
				      name);
	} else if (strcmp(what, "member") == 0) {
		r.sel = LG_SEL_MEMBER;
		char *colon = strchr(name, ':');
		char *paren = strchr(name, '(');
		if (paren && name[strlen(name) - 1] == ')') {       /* libx.a(m.o), as maps write it */
			r.member = strndup(paren + 1, strlen(paren + 1) - 1);
			*paren = 0;
		} else if (colon && colon != name && colon[1]) {
			*colon = 0;
			r.member = strdup(colon + 1);
		} else
			return synerr(L, err, "member wants ARCHIVE:MEMBER (e.g. libdsp.a:fir.o), not '%s'", name);
		if (!r.member || !is_filename(name) || !is_filename(r.member))
			return synerr(L, err, "'%s' is not an archive member name", name);
	} else if (strcmp(what, "archive") == 0 || strcmp(what, "library") == 0) {
		r.sel = LG_SEL_ARCHIVE;
		if (!is_filename(name) || has_wild(name) || strchr(name, ':'))
			return synerr(L, err, "'%s' is not an archive name (use glob for patterns)", name);
	} else if (strcmp(what, "section") == 0) {
		r.sel = LG_SEL_SECTION;
		if (!is_symname(name) || name[0] != '.')
			return synerr(L, err, "'%s' is not an input section name (\".ramfunc\", \".itcm_text*\")", name);
		if (i + 1 < L->n && strcmp(L->t[i].s, "from") == 0) {
			if (!is_filename(L->t[i + 1].s))
				return synerr(L, err, "'%s' is not a file name", L->t[i + 1].s);
			r.from = strdup(L->t[i + 1].s);
			i += 2;
		}
		/* what a section holds is not in its name: loaded (copied) unless told bss */
		r.kinds = LG_K_CODE;
	} else if (strcmp(what, "glob") == 0) {
		r.sel = LG_SEL_GLOB;
		if (!is_filename(name))
			return synerr(L, err, "'%s' is not a file pattern", name);
		if (!has_wild(name))
			return synerr(L, err, "glob '%s' has no wildcard; use object, member or archive", name);
	} else {
		static const char *const sels[] = { "symbol", "object", "member", "archive", "glob", "section" };
		const char *m = lg_closest(what, sels, 6);
		char buf[200];
		snprintf(buf, sizeof buf, "unknown selector '%s': symbol, section, object, member, archive or glob%s%s%s", what,
			 m ? " (did you mean '" : "", m ? m : "", m ? "'?)" : "");
		return synerr(L, err, "%s", buf);
	}
	r.name = strdup(name);
	/* kinds */
	if (i < L->n && strcmp(L->t[i].s, "in") != 0) {
		unsigned k;
		if (parse_kinds(L->t[i].s, &k) < 0) {
			rc = synerr(L, err, "'%s' is not a kind list (code, rodata, data, bss, all; comma-separated) nor 'in'",
				    L->t[i].s);
			goto fail;
		}
		if (r.kinds_set && k != LG_K_CODE) {
			rc = synerr(L, err, "a function is code only, not '%s'", L->t[i].s);
			goto fail;
		}
		if (r.sel == LG_SEL_SECTION && k != LG_K_BSS && (k & LG_K_BSS)) {
			rc = synerr(L, err, "a section rule is loaded (code, rodata, data) or bss, not '%s'", L->t[i].s);
			goto fail;
		}
		r.kinds = r.sel == LG_SEL_SECTION ? (k == LG_K_BSS ? LG_K_BSS : LG_K_CODE) : k;
		r.kinds_set = 1;
		i++;
	}
	if (!r.kinds_set && r.sel != LG_SEL_SECTION)
		r.kinds = LG_K_ALL;
	if (i >= L->n || strcmp(L->t[i].s, "in") != 0) {
		rc = synerr(L, err, "place wants 'in REGION' after the selector%s", NULL);
		goto fail;
	}
	i++;
	if (i >= L->n || !is_ident(L->t[i].s)) {
		rc = synerr(L, err, "'in' wants a region name, not '%s'", i < L->n ? L->t[i].s : "end of line");
		goto fail;
	}
	r.region = strdup(L->t[i++].s);
	for (; i < L->n; i++) {
		char *key, *val, *t = L->t[i].s;
		if (strcmp(t, "keep") == 0)
			r.keep = 1;
		else if (strcmp(t, "nocopy") == 0 || strcmp(t, "noload") == 0)
			r.nocopy = 1;
		else if (keyval(t, &key, &val)) {
			if (strcmp(key, "align") == 0) {
				if (parse_num(val, &r.align) < 0 || r.align == 0 || (r.align & (r.align - 1)) ||
				    r.align > (1u << 20)) {
					rc = synerr(L, err, "align wants a power of two up to 1M, not '%s'", val);
					goto fail;
				}
			} else if (strcmp(key, "phase") == 0) {
				if (parse_phase(val, &r.phase) < 0) {
					rc = synerr(L, err, "phase is early or late, not '%s'", val);
					goto fail;
				}
				r.phase_set = 1;
			} else if (strcmp(key, "surround") == 0) {
				if (!is_ident(val)) {
					rc = synerr(L, err, "surround wants a C identifier, not '%s'", val);
					goto fail;
				}
				free(r.surround);
				r.surround = strdup(val);
			} else if (strcmp(key, "callees") == 0) {
				if (strcmp(val, "deny") == 0)
					r.callees = LG_CALLEES_DENY;
				else if (strcmp(val, "allow") == 0)
					r.callees = LG_CALLEES_ALLOW;
				else if (strcmp(val, "pull") == 0)
					r.callees = LG_CALLEES_PULL;
				else {
					rc = synerr(L, err, "callees is deny, allow or pull, not '%s'", val);
					goto fail;
				}
			} else {
				rc = synerr(L, err, "unknown option '%s': align=, phase=, surround=, callees=", key);
				goto fail;
			}
		} else {
			static const char *const flags[] = { "keep", "nocopy" };
			const char *m = lg_closest(t, flags, 2);
			char buf[200];
			snprintf(buf, sizeof buf, "unknown flag '%s': keep, nocopy, align=N, phase=early|late, surround=NAME, callees=deny|allow|pull%s%s%s",
				 t, m ? " (did you mean '" : "", m ? m : "", m ? "'?)" : "");
			rc = synerr(L, err, "%s", buf);
			goto fail;
		}
	}
	if (r.nocopy && r.phase_set) {
		rc = synerr(L, err, "a nocopy rule is not copied, so it has no phase%s", NULL);
		goto fail;
	}
	/* the same selector twice is a mistake, whatever the region */
	for (size_t j = 0; j < s->nrules; j++) {
		const struct lg_rule *o = &s->rules[j];
		if (o->sel == r.sel && strcmp(o->name, r.name) == 0 && (o->kinds & r.kinds) &&
		    !o->member == !r.member && (!r.member || strcmp(o->member, r.member) == 0) &&
		    !o->from == !r.from && (!r.from || strcmp(o->from, r.from) == 0)) {
			char buf[300];
			snprintf(buf, sizeof buf, "this rule selects what line %u already selects (%s)", o->line, o->text);
			rc = synerr(L, err, "%s", buf);
			goto fail;
		}
	}
	r.region_idx = -1;
	if (!r.name || !r.region || !r.text || lg_spec_add_rule(s, &r) < 0) {
		rc = fwm_errf(err, -ENOMEM, "%s: out of memory", L->name);
		goto fail;
	}
	return 0;
fail:
	return rc;
#undef r
}

/* place SELECTOR [KINDS] in REGION [FLAGS]; the rule keeps its text as written */
static int parse_place(struct lg_spec *s, struct line *L, struct fwm_err *err)
{
	struct lg_rule r = { 0 };
	r.text = line_text(L);
	if (!r.text)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", L->name);
	int rc = place_rule(s, L, &r, err);
	if (rc < 0)
		rule_free(&r);
	return rc;
}

static int parse_line(struct lg_spec *s, struct line *L, struct fwm_err *err)
{
	const char *kw = L->t[0].s;
	if (strcmp(kw, "place") == 0)
		return parse_place(s, L, err);
	if (strcmp(kw, "regions") == 0) {
		if (L->n != 3 || (strcmp(L->t[1].s, "ld") != 0 && strcmp(L->t[1].s, "map") != 0))
			return synerr(L, err, "regions wants 'ld PATH' or 'map PATH'%s", NULL);
		int ld = L->t[1].s[0] == 'l';
		if (ld ? s->ld_path != NULL : s->map_path != NULL)
			return synerr(L, err, "a second 'regions %s' line", L->t[1].s);
		char *p = join_dir(s->path, L->t[2].s);
		if (!p)
			return fwm_errf(err, -ENOMEM, "out of memory");
		if (ld)
			s->ld_path = p, s->ld_line = L->no;
		else
			s->map_path = p, s->map_line = L->no;
		return 0;
	}
	if (strcmp(kw, "region") == 0) {
		struct lg_decl d = { 0 };
		int have_o = 0, have_l = 0;
		if (L->n < 2 || !is_ident(L->t[1].s))
			return synerr(L, err, "region wants a name (letters, digits, _), not '%s'",
				      L->n < 2 ? "end of line" : L->t[1].s);
		enum lg_phase ph = LG_PHASE_EARLY;
		int phase_set = 0;
		for (int i = 2; i < L->n; i++) {
			char *key, *val;
			if (!keyval(L->t[i].s, &key, &val))
				return synerr(L, err, "region options are origin=N length=N [attrs=rwx] [phase=early|late], not '%s'",
					      L->t[i].s);
			if (strcmp(key, "origin") == 0) {
				if (parse_num(val, &d.origin) < 0)
					return synerr(L, err, "origin wants a number, not '%s'", val);
				have_o = 1;
			} else if (strcmp(key, "length") == 0) {
				if (parse_num(val, &d.length) < 0)
					return synerr(L, err, "length wants a number (K, M, G allowed), not '%s'", val);
				have_l = 1;
			} else if (strcmp(key, "attrs") == 0) {
				if (strlen(val) >= sizeof d.attrs || strspn(val, "rwxailRWXAIL!") != strlen(val))
					return synerr(L, err, "attrs are ld's r w x a i l and !, not '%s'", val);
				strcpy(d.attrs, val);
			} else if (strcmp(key, "phase") == 0) {
				if (parse_phase(val, &ph) < 0)
					return synerr(L, err, "phase is early or late, not '%s'", val);
				phase_set = 1;
			} else
				return synerr(L, err, "unknown region option '%s': origin, length, attrs, phase", key);
		}
		if (!have_o || !have_l)
			return synerr(L, err, "region %s wants both origin= and length=", L->t[1].s);
		if (d.length == 0)
			return synerr(L, err, "region %s has length 0", L->t[1].s);
		if (d.origin + d.length < d.origin)
			return synerr(L, err, "region %s wraps around the address space", L->t[1].s);
		for (size_t j = 0; j < s->ndecl; j++)
			if (strcmp(s->decl[j].name, L->t[1].s) == 0) {
				char buf[64];
				snprintf(buf, sizeof buf, "%u", s->decl[j].line);
				return synerr(L, err, "region declared again (first at line %s)", buf);
			}
		struct lg_decl *v = realloc(s->decl, (s->ndecl + 1) * sizeof *v);
		if (!v)
			return fwm_errf(err, -ENOMEM, "out of memory");
		s->decl = v;
		d.name = strdup(L->t[1].s);
		d.line = L->no;
		s->decl[s->ndecl++] = d;
		if (phase_set) {
			struct lg_region_phase *pv = realloc(s->rphase, (s->nrphase + 1) * sizeof *pv);
			if (!pv)
				return fwm_errf(err, -ENOMEM, "out of memory");
			s->rphase = pv;
			s->rphase[s->nrphase++] = (struct lg_region_phase){ strdup(L->t[1].s), ph, L->no };
		}
		return 0;
	}
	if (strcmp(kw, "phase") == 0) {       /* phase REGION early|late */
		enum lg_phase ph;
		if (L->n != 3 || !is_ident(L->t[1].s) || parse_phase(L->t[2].s, &ph) < 0)
			return synerr(L, err, "phase wants 'REGION early' or 'REGION late'%s", NULL);
		for (size_t j = 0; j < s->nrphase; j++)
			if (strcmp(s->rphase[j].name, L->t[1].s) == 0)
				return synerr(L, err, "the phase of region %s is set twice", L->t[1].s);
		struct lg_region_phase *pv = realloc(s->rphase, (s->nrphase + 1) * sizeof *pv);
		if (!pv)
			return fwm_errf(err, -ENOMEM, "out of memory");
		s->rphase = pv;
		s->rphase[s->nrphase++] = (struct lg_region_phase){ strdup(L->t[1].s), ph, L->no };
		return 0;
	}
	if (strcmp(kw, "load") == 0) {
		if (L->n != 2 || !is_ident(L->t[1].s))
			return synerr(L, err, "load wants one region name (where copied sections are stored)%s", NULL);
		if (s->load)
			return synerr(L, err, "a second 'load' line%s", NULL);
		s->load = strdup(L->t[1].s);
		s->load_line = L->no;
		return 0;
	}
	if (strcmp(kw, "insert") == 0) {
		if (L->n != 3 || (strcmp(L->t[1].s, "after") != 0 && strcmp(L->t[1].s, "before") != 0) ||
		    !is_filename(L->t[2].s))
			return synerr(L, err, "insert wants 'after SECTION' or 'before SECTION' (e.g. insert after .data)%s",
				      NULL);
		if (s->anchor_line)
			return synerr(L, err, "a second 'insert' line%s", NULL);
		free(s->anchor);
		s->anchor = strdup(L->t[2].s);
		s->insert_before = L->t[1].s[0] == 'b';
		s->anchor_line = L->no;
		return 0;
	}
	const char *m = lg_closest(kw, statements, sizeof statements / sizeof *statements);
	char buf[200];
	snprintf(buf, sizeof buf, "unknown statement '%s': regions, region, phase, load, insert or place%s%s%s", kw,
		 m ? " (did you mean '" : "", m ? m : "", m ? "'?)" : "");
	return synerr(L, err, "%s", buf);
}

int lg_spec_parse(const char *name, const char *buf, size_t len, struct lg_spec **out, struct fwm_err *err)
{
	struct lg_spec *s = calloc(1, sizeof *s);
	if (!s)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", name);
	s->path = strdup(name);
	s->anchor = strdup(".data");
	if (!s->path || !s->anchor) {
		lg_spec_free(s);
		return fwm_errf(err, -ENOMEM, "%s: out of memory", name);
	}
	struct line L = { .name = s->path };
	size_t pos = 0;
	unsigned no = 0;
	int rc = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && buf[e] != '\n')
			e++;
		no++;
		size_t n = e - pos;
		if (memchr(buf + pos, 0, n)) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: NUL byte: not a text file", name, no);
			break;
		}
		if (n > 4096) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: line longer than 4096 bytes", name, no);
			break;
		}
		char line[4097];
		memcpy(line, buf + pos, n);
		line[n] = 0;
		pos = e + 1;
		L.no = no;
		rc = tokenize(&L, line, err);
		if (rc == 0 && L.n)
			rc = parse_line(s, &L, err);
		if (rc < 0)
			break;
	}
	if (rc == 0 && s->nrules == 0)
		rc = fwm_errf(err, -EINVAL, "%s:%u: the spec has no place rule", name, no ? no : 1);
	if (rc < 0) {
		lg_spec_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int lg_spec_load(const char *path, struct lg_spec **out, struct fwm_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			return fwm_errf(err, -ENOMEM, "%s: out of memory", path);
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= (16u << 20)) {
			free(buf);
			fclose(f);
			return fwm_errf(err, -EFBIG, "%s: larger than 16 MB: not a spec", path);
		}
		cap *= 2;
		char *nb = realloc(buf, cap);
		if (!nb)
			free(buf);
		buf = nb;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return fwm_errf(err, -EIO, "%s: read error", path);
	}
	int rc = lg_spec_parse(path, buf, n, out, err);
	free(buf);
	return rc;
}

void lg_spec_free(struct lg_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nrules; i++)
		rule_free(&s->rules[i]);
	for (size_t i = 0; i < s->ndecl; i++)
		free(s->decl[i].name);
	for (size_t i = 0; i < s->nrphase; i++)
		free(s->rphase[i].name);
	free(s->rules);
	free(s->decl);
	free(s->rphase);
	free(s->path);
	free(s->ld_path);
	free(s->map_path);
	free(s->load);
	free(s->anchor);
	free(s);
}

/* ---- resolution ----------------------------------------------------------- */

int lg_region_find(const struct lg_regions *r, const char *name)
{
	for (size_t i = 0; i < r->set.n; i++)
		if (strcmp(r->set.v[i].name, name) == 0)
			return (int)i;
	return -1;
}

int lg_region_of(const struct lg_regions *r, uint64_t addr)
{
	for (size_t i = 0; i < r->set.n; i++)
		if (addr >= r->set.v[i].origin && addr - r->set.v[i].origin < r->set.v[i].length)
			return (int)i;
	return -1;
}

static int attr_denies_write(const char *a)
{
	/* ld: the attributes before "!" allow, after it deny */
	const char *bang = strchr(a, '!');
	int allow_w = 0;
	for (const char *p = a; *p && p != bang; p++)
		if (*p == 'w' || *p == 'W')
			allow_w = 1;
	if (bang)
		for (const char *p = bang; *p; p++)
			if (*p == 'w' || *p == 'W')
				return 1;
	return *a && !allow_w && (!bang || bang != a);
}

int lg_region_is_flash(const struct lg_regions *r, int idx)
{
	if (idx < 0)
		return 0;
	return idx == r->load || attr_denies_write(r->set.v[idx].attrs);
}

void lg_regions_free(struct lg_regions *r)
{
	fwm_region_set_free(&r->set);
	free(r->decl_line);
	free(r->phase);
	memset(r, 0, sizeof *r);
}

static int load_default(const struct lg_regions *r)
{
	/* the first region that is executable and not writable; then a region named like flash */
	for (size_t i = 0; i < r->set.n; i++) {
		const char *a = r->set.v[i].attrs;
		if (strpbrk(a, "xX") && attr_denies_write(a))
			return (int)i;
	}
	static const char *const names[] = { "FLASH", "flash", "ROM", "rom", "Flash", "FLASH0", "IROM1" };
	for (size_t k = 0; k < sizeof names / sizeof *names; k++)
		for (size_t i = 0; i < r->set.n; i++)
			if (strcmp(r->set.v[i].name, names[k]) == 0)
				return (int)i;
	return -1;
}

static int region_list(const struct lg_regions *r, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < r->set.n && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", r->set.v[i].name);
	return 0;
}

static const char *region_suggest(const struct lg_regions *r, const char *name)
{
	const char *c[64];
	size_t n = r->set.n < 64 ? r->set.n : 64;
	for (size_t i = 0; i < n; i++)
		c[i] = r->set.v[i].name;
	/* case-insensitive exact match first */
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(c[i], name) == 0)
			return c[i];
	return lg_closest(name, c, n);
}

static int unknown_region(const struct lg_spec *s, unsigned line, const char *name, const struct lg_regions *r,
			  struct fwm_err *err)
{
	char list[400];
	region_list(r, list, sizeof list);
	const char *m = region_suggest(r, name);
	return fwm_errf(err, -EINVAL, "%s:%u: no region named '%s'%s%s%s (regions: %s%s%s)", s->path, line, name,
			m ? "; did you mean '" : "", m ? m : "", m ? "'?" : "", list,
			r->source ? " from " : "", r->source ? r->source : "");
}

int lg_spec_resolve(struct lg_spec *s, const char *cli_ld, const char *cli_map, struct lg_regions *out,
		    struct fwm_err *err)
{
	struct lg_regions r = { 0 };
	r.load = -1;
	const char *ld = cli_ld ? cli_ld : cli_map ? NULL : s->ld_path;
	const char *map = cli_ld ? NULL : cli_map ? cli_map : ld ? NULL : s->map_path;
	int rc = 0;
	if (ld) {
		rc = fwm_ld_parse_file(ld, &r.set, err);
		r.source = ld;
	} else if (map) {
		struct fwm_map *m;
		rc = fwm_map_load(map, &m, err);
		if (rc == 0) {
			r.set = m->regions;
			m->regions.v = NULL;
			m->regions.n = 0;
			fwm_map_close(m);
			if (r.set.n == 0)
				rc = fwm_errf(err, -EINVAL, "%s: the map has no Memory Configuration regions", map);
		}
		r.source = map;
	}
	if (rc < 0) {
		/* a file the spec names: say which line named it */
		unsigned line = ld && ld == s->ld_path ? s->ld_line : map && map == s->map_path ? s->map_line : 0;
		if (line) {
			char msg[FWM_ERRLEN];
			snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
			fwm_errf(err, rc, "%s:%u: regions %s: %s", s->path, line, ld ? "ld" : "map", msg);
		}
		return rc;
	}
	size_t nfile = r.set.n;
	struct fwm_region *v = realloc(r.set.v, (nfile + s->ndecl + 1) * sizeof *v);
	r.decl_line = calloc(nfile + s->ndecl + 1, sizeof *r.decl_line);
	r.phase = calloc(nfile + s->ndecl + 1, sizeof *r.phase);
	if (!v || !r.decl_line || !r.phase) {
		if (v)
			r.set.v = v;
		lg_regions_free(&r);
		return fwm_errf(err, -ENOMEM, "out of memory");
	}
	r.set.v = v;
	for (size_t i = 0; i < s->ndecl; i++) {
		const struct lg_decl *d = &s->decl[i];
		int dup = lg_region_find(&r, d->name);
		if (dup >= 0 && (size_t)dup < nfile && r.set.v[dup].origin == d->origin && r.set.v[dup].length == d->length) {
			/* the same region, read back from a map of a link with this spec */
			r.decl_line[dup] = d->line;
			continue;
		}
		if (dup >= 0) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: region %s is already declared in %s", s->path, d->line, d->name,
				      r.source ? r.source : "the spec");
			goto fail;
		}
		for (size_t j = 0; j < r.set.n; j++) {
			const struct fwm_region *o = &r.set.v[j];
			if (d->origin < o->origin + o->length && o->origin < d->origin + d->length) {
				rc = fwm_errf(err, -EINVAL, "%s:%u: region %s [0x%llx, 0x%llx) overlaps region %s [0x%llx, 0x%llx)",
					      s->path, d->line, d->name, (unsigned long long)d->origin,
					      (unsigned long long)(d->origin + d->length), o->name,
					      (unsigned long long)o->origin, (unsigned long long)(o->origin + o->length));
				goto fail;
			}
		}
		struct fwm_region *n = &r.set.v[r.set.n];
		memset(n, 0, sizeof *n);
		n->name = strdup(d->name);
		n->origin = d->origin;
		n->length = d->length;
		memcpy(n->attrs, d->attrs, sizeof n->attrs);
		if (!n->name) {
			rc = fwm_errf(err, -ENOMEM, "out of memory");
			goto fail;
		}
		r.decl_line[r.set.n++] = d->line;
	}
	if (r.set.n == 0) {
		rc = fwm_errf(err, -EINVAL, "%s:1: no regions: add 'regions ld PATH', 'regions map PATH' or region lines, or give --ld or --map",
			      s->path);
		goto fail;
	}
	for (size_t i = 0; i < s->nrphase; i++) {
		int idx = lg_region_find(&r, s->rphase[i].name);
		if (idx < 0) {
			rc = unknown_region(s, s->rphase[i].line, s->rphase[i].name, &r, err);
			goto fail;
		}
		r.phase[idx] = s->rphase[i].phase;
	}
	if (s->load) {
		r.load = lg_region_find(&r, s->load);
		if (r.load < 0) {
			rc = unknown_region(s, s->load_line, s->load, &r, err);
			goto fail;
		}
	} else {
		r.load = load_default(&r);
	}
	for (size_t i = 0; i < s->nrules; i++) {
		struct lg_rule *u = &s->rules[i];
		u->region_idx = lg_region_find(&r, u->region);
		if (u->region_idx < 0) {
			rc = unknown_region(s, u->line, u->region, &r, err);
			goto fail;
		}
		int to_flash = lg_region_is_flash(&r, u->region_idx);
		if (to_flash) {
			/* pinning something in flash: never copied, never bss */
			if (u->kinds_set && (u->kinds & (LG_K_DATA | LG_K_BSS))) {
				rc = fwm_errf(err, -EINVAL, "%s:%u: region %s is %s: it takes code and rodata, not data or bss",
					      s->path, u->line, u->region,
					      u->region_idx == r.load ? "the load region" : "read-only");
				goto fail;
			}
			if (!u->kinds_set)
				u->kinds = LG_K_CODE | LG_K_RODATA;
			if (u->phase_set) {
				rc = fwm_errf(err, -EINVAL, "%s:%u: nothing is copied into %s, so the rule has no phase",
					      s->path, u->line, u->region);
				goto fail;
			}
		}
		u->copies = !u->nocopy && !to_flash;
		if (!u->phase_set)
			u->phase = r.phase[u->region_idx];
		if (u->copies && (u->kinds & (LG_K_CODE | LG_K_RODATA | LG_K_DATA)) && r.load < 0) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: the rule copies into %s, but there is no load region: add 'load REGION'",
				      s->path, u->line, u->region);
			goto fail;
		}
	}
	*out = r;
	return 0;
fail:
	lg_regions_free(&r);
	return rc;
}
