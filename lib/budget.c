/* Size budgets: `elfmap check --budget FILE`.
 *
 * A budget file has one rule a line ('#' starts a comment):
 *
 *     [growth] KIND PATTERN WARN FAIL
 *
 * KIND is region, section, dir, file, archive, object or symbol.  PATTERN is
 * a name or an fnmatch(3) glob; for dir, file, archive and object it is
 * REGION:PATH, where a PATH without wildcards matches a tree path that ends
 * with it at a '/' (so "FLASH:app/main.c" finds the compile unit
 * /src/app/main.c).  WARN and FAIL are "-" (none), a size in bytes with an
 * optional K or M (1024-based), a percentage of the matched region ("90%",
 * region rules only) or of a named region ("5%FLASH").  A growth rule limits
 * the increase against --baseline: bytes, or a percentage of the old size.
 * A rule without wildcards that matches nothing is an error, so a typo can
 * not pass silently.  A value above FAIL is a failure, above WARN a warning.
 */
#include "fwm_diff.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int fwm_checkfmt_parse(const char *s)
{
	static const char *const names[] = { "text", "json", "md", "junit", "github" };
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

struct limit {
	int set;
	uint64_t bytes;        /* absolute */
	int is_pct;
	double pct;            /* a percentage of pct_of */
	char pct_of[128];      /* "" = the matched region / the old size; else a region name */
	char text[64];         /* as written */
};

struct rule {
	unsigned line;
	int growth;
	enum fwm_itemkind kind;
	char pattern[512];
	struct limit warn, fail;
};

enum status { ST_OK, ST_WARN, ST_FAIL };
static const char *const status_names[] = { "ok", "warn", "fail" };

struct result {
	const struct rule *r;
	const char *name;
	uint64_t value;        /* size, or growth (may be "negative": see grew) */
	int64_t growth;
	uint64_t warn, fail;   /* resolved limits; UINT64_MAX = none */
	enum status st;
};

static int parse_limit(const char *path, unsigned line, const char *tok, int growth,
		       enum fwm_itemkind kind, struct limit *l, struct fwm_err *err)
{
	memset(l, 0, sizeof *l);
	snprintf(l->text, sizeof l->text, "%s", tok);
	if (strcmp(tok, "-") == 0)
		return 0;
	char *end;
	errno = 0;
	double v = strtod(tok, &end);
	if (end == tok || errno || v < 0 || !(v < 1e18))
		return fwm_errf(err, -EINVAL, "%s:%u: '%s' is not a size (bytes, 12K, 1M, 90%% or 5%%REGION)",
				path, line, tok);
	l->set = 1;
	if (*end == '%') {
		l->is_pct = 1;
		l->pct = v;
		if (strlen(end + 1) >= sizeof l->pct_of)
			return fwm_errf(err, -EINVAL, "%s:%u: region name too long in '%s'", path, line, tok);
		strcpy(l->pct_of, end + 1);
		if (!*l->pct_of && !growth && kind != FWM_IT_REGION)
			return fwm_errf(err, -EINVAL, "%s:%u: '%s': a percentage needs a region here, as in %sFLASH",
					path, line, tok, tok);
		return 0;
	}
	uint64_t mul = 1;
	if ((*end == 'K' || *end == 'k') && !end[1])
		mul = 1024;
	else if ((*end == 'M' || *end == 'm') && !end[1])
		mul = 1024 * 1024;
	else if (*end)
		return fwm_errf(err, -EINVAL, "%s:%u: '%s' is not a size (bytes, 12K, 1M, 90%% or 5%%REGION)",
				path, line, tok);
	if (v != (double)(uint64_t)v && mul == 1)
		return fwm_errf(err, -EINVAL, "%s:%u: '%s': a size in bytes is a whole number", path, line, tok);
	l->bytes = (uint64_t)(v * (double)mul);
	return 0;
}

static int parse_budget(const char *path, struct rule **out, size_t *nout, struct fwm_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
	char buf[2048];
	unsigned line = 0;
	struct rule *v = NULL;
	size_t n = 0;
	int rc = 0;
	while (fgets(buf, sizeof buf, f)) {
		line++;
		size_t len = strlen(buf);
		if (len == sizeof buf - 1 && buf[len - 1] != '\n') {
			rc = fwm_errf(err, -EINVAL, "%s:%u: line too long", path, line);
			break;
		}
		if (memchr(buf, 0, len) != NULL || strlen(buf) != len) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: NUL byte", path, line);
			break;
		}
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = 0;
		char *tok[7];
		int nt = 0;
		for (char *s = strtok(buf, " \t\r\n"); s; s = strtok(NULL, " \t\r\n"))
			if (nt < 7)
				tok[nt++] = s;
			else
				nt = 7;
		if (nt == 0)
			continue;
		struct rule r = { .line = line };
		int k = 0;
		if (strcmp(tok[0], "growth") == 0) {
			r.growth = 1;
			k = 1;
		}
		if (nt != k + 4) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: expected '%sKIND PATTERN WARN FAIL'", path, line,
				      r.growth ? "growth " : "[growth] ");
			break;
		}
		int kind = -1;
		for (int i = 0; i < FWM_IT_NKINDS; i++)
			if (i != FWM_IT_BUCKET && strcmp(tok[k], fwm_itemkind_names[i]) == 0)
				kind = i;
		if (kind < 0) {
			rc = fwm_errf(err, -EINVAL,
				      "%s:%u: unknown kind '%s' (region, section, dir, file, archive, object or symbol)",
				      path, line, tok[k]);
			break;
		}
		r.kind = (enum fwm_itemkind)kind;
		if (strlen(tok[k + 1]) >= sizeof r.pattern) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: pattern too long", path, line);
			break;
		}
		strcpy(r.pattern, tok[k + 1]);
		if (kind >= FWM_IT_DIR && kind <= FWM_IT_OBJECT && !strchr(r.pattern, ':')) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: a %s pattern is REGION:PATH, as in FLASH:%s", path,
				      line, tok[k], r.pattern);
			break;
		}
		if ((rc = parse_limit(path, line, tok[k + 2], r.growth, r.kind, &r.warn, err)) < 0 ||
		    (rc = parse_limit(path, line, tok[k + 3], r.growth, r.kind, &r.fail, err)) < 0)
			break;
		struct rule *nv = realloc(v, (n + 1) * sizeof *v);
		if (!nv) {
			rc = fwm_errf(err, -ENOMEM, "out of memory");
			break;
		}
		v = nv;
		v[n++] = r;
	}
	if (rc == 0 && ferror(f))
		rc = fwm_errf(err, -EIO, "%s: read error", path);
	fclose(f);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Whether item name matches the rule's pattern. */
static int matches(const struct rule *r, const char *name)
{
	if (r->kind == FWM_IT_SYMBOL) {
		/* locals are "name [file]": the pattern applies to the name */
		const char *br = strstr(name, " [");
		size_t len = br ? (size_t)(br - name) : strlen(name);
		char tmp[1024];
		if (len >= sizeof tmp)
			return 0;
		memcpy(tmp, name, len);
		tmp[len] = 0;
		return fnmatch(r->pattern, tmp, 0) == 0;
	}
	if (r->kind < FWM_IT_DIR)
		return fnmatch(r->pattern, name, 0) == 0;
	const char *pc = strchr(r->pattern, ':'), *nc = strchr(name, ':');
	if (!nc)
		return 0;
	char reg[256];
	size_t rl = (size_t)(pc - r->pattern);
	if (rl >= sizeof reg || (size_t)(nc - name) >= sizeof reg)
		return 0;
	memcpy(reg, r->pattern, rl);
	reg[rl] = 0;
	char nreg[256];
	memcpy(nreg, name, (size_t)(nc - name));
	nreg[nc - name] = 0;
	if (fnmatch(reg, nreg, 0) != 0)
		return 0;
	const char *pp = pc + 1, *np = nc + 1;
	if (has_glob(pp))
		return fnmatch(pp, np, 0) == 0;
	size_t pl = strlen(pp), nl = strlen(np);
	return nl >= pl && strcmp(np + nl - pl, pp) == 0 && (nl == pl || np[nl - pl - 1] == '/');
}

static int resolve(const struct limit *l, const struct fwm_item *it, uint64_t old,
		   const struct fwm_snapshot *img, const struct rule *r, const char *path,
		   uint64_t *out, struct fwm_err *err)
{
	*out = UINT64_MAX;
	if (!l->set)
		return 0;
	if (!l->is_pct) {
		*out = l->bytes;
		return 0;
	}
	uint64_t base;
	if (*l->pct_of) {
		const struct fwm_item *reg = fwm_snapshot_find(img, FWM_IT_REGION, l->pct_of);
		if (!reg)
			return fwm_errf(err, -EINVAL, "%s:%u: no region named '%s'", path, r->line, l->pct_of);
		base = reg->length;
	} else {
		base = r->growth ? old : it->length;
	}
	*out = (uint64_t)((double)base * l->pct / 100.0);
	return 0;
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
	}
}

static void describe(char *buf, size_t len, const struct result *x)
{
	const char *lim = x->st == ST_FAIL ? "fail" : "warn";
	uint64_t l = x->st == ST_FAIL ? x->fail : x->warn;
	const struct limit *lt = x->st == ST_FAIL ? &x->r->fail : &x->r->warn;
	if (x->r->growth && x->st == ST_OK)
		snprintf(buf, len, "%s %s changed by %+" PRId64 " bytes, within its growth limit",
			 fwm_itemkind_names[x->r->kind], x->name, x->growth);
	else if (x->r->growth)
		snprintf(buf, len, "%s %s grew by %+" PRId64 " bytes, over the %s limit of %" PRIu64 " (%s)",
			 fwm_itemkind_names[x->r->kind], x->name, x->growth, lim, l, lt->text);
	else if (x->st == ST_OK)
		snprintf(buf, len, "%s %s: %" PRIu64 " bytes, within budget", fwm_itemkind_names[x->r->kind],
			 x->name, x->value);
	else
		snprintf(buf, len, "%s %s uses %" PRIu64 " bytes, over the %s limit of %" PRIu64 " (%s)",
			 fwm_itemkind_names[x->r->kind], x->name, x->value, lim, l, lt->text);
}

int fwm_check(const struct fwm_snapshot *img, const struct fwm_snapshot *base,
	      const char *budget, enum fwm_checkfmt fmt, FILE *f, struct fwm_err *err)
{
	struct rule *rules = NULL;
	size_t nrules = 0;
	int rc = parse_budget(budget, &rules, &nrules, err);
	if (rc < 0)
		return rc;
	struct result *res = NULL;
	size_t nres = 0;
	for (size_t i = 0; i < nrules && rc == 0; i++) {
		const struct rule *r = &rules[i];
		if (r->growth && !base) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: a growth rule needs --baseline", budget, r->line);
			break;
		}
		size_t found = 0;
		for (size_t k = 0; k < img->n && rc == 0; k++) {
			const struct fwm_item *it = &img->v[k];
			if (it->kind != r->kind || !matches(r, it->name))
				continue;
			found++;
			const struct fwm_item *old = r->growth ? fwm_snapshot_find(base, it->kind, it->name) : NULL;
			struct result x = { r, it->name, it->size, 0, 0, 0, ST_OK };
			uint64_t oldsz = old ? old->size : 0;
			x.growth = (int64_t)(it->size - oldsz);
			if ((rc = resolve(&r->warn, it, oldsz, img, r, budget, &x.warn, err)) < 0 ||
			    (rc = resolve(&r->fail, it, oldsz, img, r, budget, &x.fail, err)) < 0)
				break;
			uint64_t v = r->growth ? (x.growth > 0 ? (uint64_t)x.growth : 0) : x.value;
			x.st = v > x.fail ? ST_FAIL : v > x.warn ? ST_WARN : ST_OK;
			struct result *nv = realloc(res, (nres + 1) * sizeof *res);
			if (!nv) {
				rc = fwm_errf(err, -ENOMEM, "out of memory");
				break;
			}
			res = nv;
			res[nres++] = x;
		}
		if (rc == 0 && !found && !has_glob(r->pattern))
			rc = fwm_errf(err, -EINVAL, "%s:%u: no %s matches '%s' in %s", budget, r->line,
				      fwm_itemkind_names[r->kind], r->pattern, img->label);
	}
	if (rc < 0)
		goto out;
	size_t cnt[3] = { 0 };
	for (size_t i = 0; i < nres; i++)
		cnt[res[i].st]++;
	char msg[1400];
	switch (fmt) {
	case FWM_CHECK_TEXT:   /* the breaches, then the count */
		for (size_t i = 0; i < nres; i++) {
			if (res[i].st == ST_OK)
				continue;
			describe(msg, sizeof msg, &res[i]);
			fprintf(f, "%-4s  %s (%s:%u)\n", res[i].st == ST_FAIL ? "FAIL" : res[i].st == ST_WARN ? "warn" : "ok",
				msg, budget, res[i].r->line);
		}
		fprintf(f, "%zu checks: %zu ok, %zu warnings, %zu failures\n", nres, cnt[0], cnt[1], cnt[2]);
		break;
	case FWM_CHECK_MD:
		fprintf(f, "### elfmap size budgets: %s\n\n%zu checks: %zu ok, %zu warnings, %zu failures\n\n",
			cnt[2] ? "failed" : cnt[1] ? "passed with warnings" : "passed", nres, cnt[0], cnt[1], cnt[2]);
		if (cnt[1] + cnt[2])
			fputs("| Status | Kind | Name | Bytes | Growth | Warn | Fail | Rule |\n"
			      "|---|---|---|---:|---:|---:|---:|---|\n", f);
		for (size_t i = 0; i < nres; i++) {
			const struct result *x = &res[i];
			if (x->st == ST_OK)
				continue;
			fprintf(f, "| %s | %s | ", x->st == ST_FAIL ? ":x: fail" : x->st == ST_WARN ? ":warning: warn" : "ok",
				fwm_itemkind_names[x->r->kind]);
			fwm_md_field(f, x->name);
			char g[32] = "";
			if (x->r->growth)
				snprintf(g, sizeof g, "%+" PRId64, x->growth);
			fprintf(f, " | %" PRIu64 " | %s | %s | %s | line %u |\n", x->value, g,
				x->r->warn.text, x->r->fail.text, x->r->line);
		}
		break;
	case FWM_CHECK_JSON: {
		json_t *doc = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I}", "file", fwm_json_string(img->label),
					"budget", fwm_json_string(budget), "results", json_array(),
					"ok", (json_int_t)cnt[0], "warnings", (json_int_t)cnt[1],
					"failures", (json_int_t)cnt[2]);
		json_t *arr = json_object_get(doc, "results");
		for (size_t i = 0; doc && i < nres; i++) {
			const struct result *x = &res[i];
			json_t *o = json_pack("{s:I, s:s, s:b, s:o, s:I, s:I, s:o, s:o, s:s}", "line",
					      (json_int_t)x->r->line, "kind", fwm_itemkind_names[x->r->kind],
					      "growth_rule", x->r->growth, "name", fwm_json_string(x->name),
					      "size", (json_int_t)x->value, "growth", (json_int_t)x->growth,
					      "warn", x->warn == UINT64_MAX ? json_null() : json_integer((json_int_t)x->warn),
					      "fail", x->fail == UINT64_MAX ? json_null() : json_integer((json_int_t)x->fail),
					      "status", status_names[x->st]);
			if (!o || json_array_append_new(arr, o)) {
				json_decref(doc);
				doc = NULL;
			}
		}
		if (!doc) {
			rc = fwm_errf(err, -ENOMEM, "out of memory");
			goto out;
		}
		fwm_json_dump(doc, f);
		json_decref(doc);
		break;
	}
	case FWM_CHECK_JUNIT:
		fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<testsuites>\n<testsuite name=\"elfmap size budgets\" tests=\"%zu\" failures=\"%zu\">\n",
			nres, cnt[2]);
		for (size_t i = 0; i < nres; i++) {
			const struct result *x = &res[i];
			fprintf(f, "  <testcase classname=\"%s%s\" name=\"", x->r->growth ? "growth." : "budget.",
				fwm_itemkind_names[x->r->kind]);
			xml_escaped(f, x->name);
			describe(msg, sizeof msg, x);
			if (x->st == ST_OK) {
				fputs("\"/>\n", f);
				continue;
			}
			fputs("\">\n", f);
			if (x->st == ST_FAIL) {
				fputs("    <failure message=\"", f);
				xml_escaped(f, msg);
				fputs("\"/>\n", f);
			} else {
				fputs("    <system-out>warning: ", f);
				xml_escaped(f, msg);
				fputs("</system-out>\n", f);
			}
			fputs("  </testcase>\n", f);
		}
		fputs("</testsuite>\n</testsuites>\n", f);
		break;
	case FWM_CHECK_GITHUB:
		for (size_t i = 0; i < nres; i++) {
			if (res[i].st == ST_OK)
				continue;
			describe(msg, sizeof msg, &res[i]);
			fprintf(f, "::%s file=%s,line=%u,title=size budget::%s\n",
				res[i].st == ST_FAIL ? "error" : "warning", budget, res[i].r->line, msg);
		}
		fprintf(f, "%zu checks: %zu ok, %zu warnings, %zu failures\n", nres, cnt[0], cnt[1], cnt[2]);
		break;
	}
	rc = cnt[2] ? 1 : 0;
out:
	free(rules);
	free(res);
	return rc;
}
