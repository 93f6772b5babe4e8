/* The stack analysis's text inputs: GCC's -fstack-usage (.su) and
 * -fcallgraph-info=su (.ci) files, and the user's annotations file.
 *
 * .su:  "FILE:LINE:COL:FUNCTION<TAB>BYTES<TAB>static|dynamic|dynamic,bounded"
 * .ci:  VCG, one item a line:
 *         node: { title: "NAME" label: "PRINTNAME\nFILE:LINE:COL\nN bytes (static)" }
 *         edge: { sourcename: "A" targetname: "B" label: "FILE:LINE:COL" }
 *       a local function's title is "FILE:NAME"; an indirect call's target
 *       is "__indirect_call".
 * annotations: see fwm_stack.h.
 */
#include "stack_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int nomem(struct fwm_err *err)
{
	return fwm_errf(err, -ENOMEM, "out of memory");
}

/* The whole file, NUL-terminated (a NUL inside is an error). */
static int slurp(const char *path, char **out, struct fwm_err *err)
{
	FILE *f = fopen(path, "rb");
	*out = NULL;
	if (!f)
		return fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	while (b) {
		n += fread(b + n, 1, cap - 1 - n, f);
		if (n < cap - 1)
			break;
		char *nb = cap > (SIZE_MAX >> 2) ? NULL : realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (!b)
		return nomem(err);
	if (bad) {
		free(b);
		return fwm_errf(err, -EIO, "%s: cannot read the file", path);
	}
	b[n] = 0;
	size_t z = strlen(b);
	if (z != n) {
		free(b);
		return fwm_errf(err, -EINVAL, "%s: a NUL byte at offset %zu: not a text file", path, z);
	}
	*out = b;
	return 0;
}

/* Cut the next line out of *p (in place); NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p;
	if (!*s)
		return NULL;
	char *e = strchr(s, '\n');
	if (e) {
		*e = 0;
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	size_t n = strlen(s);
	if (n && s[n - 1] == '\r')
		s[n - 1] = 0;
	return s;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static char *where(const char *path, unsigned line)
{
	char *w;
	return asprintf(&w, "%s:%u", path, line) < 0 ? NULL : w;
}

/* Call fn on path, or on every file under the directory path whose name
 * ends in ext, in name order. */
static int each_file(struct fwm_stk_gcc *g, const char *path, const char *ext,
		     int (*fn)(struct fwm_stk_gcc *, const char *, struct fwm_err *), int depth,
		     struct fwm_err *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fn(g, path, err);
	if (depth > 32)
		return fwm_errf(err, -ELOOP, "%s: directories nested too deep", path);
	struct dirent **ent;
	int n = scandir(path, &ent, NULL, alphasort), rc = 0;
	if (n < 0)
		return fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *nm = ent[i]->d_name;
		size_t l = strlen(nm), le = strlen(ext);
		char *sub = NULL;
		if (rc == 0 && nm[0] != '.' && asprintf(&sub, "%s/%s", path, nm) < 0)
			rc = nomem(err);
		if (rc == 0 && sub && stat(sub, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = each_file(g, sub, ext, fn, depth + 1, err);
			else if (l > le && strcmp(nm + l - le, ext) == 0)
				rc = fn(g, sub, err);
		}
		free(sub);
		free(ent[i]);
	}
	free(ent);
	return rc;
}

static int add_su(struct fwm_stk_gcc *g, const char *name, size_t nlen, const char *file, size_t flen,
		  uint64_t bytes, int dyn, const char *path, unsigned line)
{
	if (g->nsu == g->capsu) {
		size_t n = g->capsu ? 2 * g->capsu : 64;
		struct fwm_stk_su *v = realloc(g->su, n * sizeof *v);
		if (!v)
			return -ENOMEM;
		g->su = v;
		g->capsu = n;
	}
	struct fwm_stk_su *s = &g->su[g->nsu];
	s->name = xstrndup(name, nlen);
	s->file = file ? xstrndup(file, flen) : NULL;
	s->where = where(path, line);
	s->bytes = bytes;
	s->dynamic = (uint8_t)dyn;
	if (!s->name || (file && !s->file) || !s->where) {
		free(s->name);
		free(s->file);
		free(s->where);
		return -ENOMEM;
	}
	g->nsu++;
	return 0;
}

/* "static", "dynamic", "dynamic,bounded" -> 0, 1, 2; -1 otherwise */
static int qualifier(const char *s, size_t n)
{
	if (n == 6 && memcmp(s, "static", 6) == 0)
		return 0;
	if (n == 7 && memcmp(s, "dynamic", 7) == 0)
		return 1;
	if (n == 15 && memcmp(s, "dynamic,bounded", 15) == 0)
		return 2;
	return -1;
}

/* The position of ":LINE:COL:" in s (the function follows it), or NULL. */
static const char *line_col(const char *s)
{
	for (const char *p = strchr(s, ':'); p; p = strchr(p + 1, ':')) {
		const char *q = p + 1;
		if (!isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q++ != ':' || !isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q == ':')
			return p;
	}
	return NULL;
}

static int read_su(struct fwm_stk_gcc *g, const char *path, struct fwm_err *err)
{
	char *buf, *p, *l;
	int rc = slurp(path, &buf, err);
	unsigned line = 0;
	if (rc < 0)
		return rc;
	g->nfiles++;
	for (p = buf; (l = next_line(&p)); ) {
		line++;
		if (!*l)
			continue;
		char *t1 = strchr(l, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		const char *lc = t1 ? line_col(l) : NULL;
		if (!t2 || !lc || lc > t1) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: not a -fstack-usage line "
				      "(FILE:LINE:COL:FUNCTION, bytes, static or dynamic)", path, line);
			break;
		}
		const char *name = strchr(strchr(lc + 1, ':') + 1, ':') + 1;
		char *end;
		errno = 0;
		unsigned long long bytes = strtoull(t1 + 1, &end, 10);
		int q = qualifier(t2 + 1, strlen(t2 + 1));
		if (end == t1 + 1 || end != t2 || errno || !isdigit((unsigned char)t1[1]) || q < 0 ||
		    name >= t1) {
			rc = fwm_errf(err, -EINVAL, "%s:%u: not a -fstack-usage line "
				      "(FILE:LINE:COL:FUNCTION, bytes, static or dynamic)", path, line);
			break;
		}
		if (add_su(g, name, (size_t)(t1 - name), l, (size_t)(lc - l), bytes, q, path, line) < 0) {
			rc = nomem(err);
			break;
		}
	}
	free(buf);
	return rc;
}

int fwm_stk_gcc_read_su(struct fwm_stk_gcc *g, const char *path, struct fwm_err *err)
{
	return each_file(g, path, ".su", read_su, 0, err);
}

/* The quoted value after key in s (escapes kept as written), or NULL. */
static const char *quoted(const char *s, const char *key, size_t *len)
{
	const char *p = strstr(s, key);
	if (!p)
		return NULL;
	p += strlen(key);
	while (*p == ' ')
		p++;
	if (*p++ != '"')
		return NULL;
	const char *q = p;
	while (*q && *q != '"')
		q += q[0] == '\\' && q[1] ? 2 : 1;
	if (!*q)
		return NULL;
	*len = (size_t)(q - p);
	return p;
}

/* "FILE:NAME" -> NAME, with the file in *file (NULL when there is none). */
static const char *title_name(const char *t, size_t n, size_t *nlen, const char **file, size_t *flen)
{
	const char *c = NULL;
	for (size_t i = 0; i < n; i++)
		if (t[i] == ':')
			c = t + i;
	*file = NULL;
	*flen = 0;
	if (!c) {
		*nlen = n;
		return t;
	}
	*file = t;
	*flen = (size_t)(c - t);
	*nlen = n - (size_t)(c + 1 - t);
	return c + 1;
}

static int add_edge(struct fwm_stk_gcc *g, const char *src, size_t ns, const char *dst, size_t nd,
		    const char *path, unsigned line)
{
	if (g->nedge == g->capedge) {
		size_t n = g->capedge ? 2 * g->capedge : 64;
		struct fwm_stk_edge *v = realloc(g->edge, n * sizeof *v);
		if (!v)
			return -ENOMEM;
		g->edge = v;
		g->capedge = n;
	}
	struct fwm_stk_edge *e = &g->edge[g->nedge];
	const char *f, *nm, *cf, *cn;
	size_t fl, nl, cfl, cnl;
	int indirect = nd == 15 && memcmp(dst, "__indirect_call", 15) == 0;
	nm = title_name(src, ns, &nl, &f, &fl);
	e->caller = xstrndup(nm, nl);
	e->caller_file = f ? xstrndup(f, fl) : NULL;
	cn = title_name(dst, nd, &cnl, &cf, &cfl);
	e->callee = indirect ? NULL : xstrndup(cn, cnl);
	e->where = where(path, line);
	if (!e->caller || (f && !e->caller_file) || (!indirect && !e->callee) || !e->where) {
		free(e->caller);
		free(e->caller_file);
		free(e->callee);
		free(e->where);
		return -ENOMEM;
	}
	g->nedge++;
	return 0;
}

static int read_ci(struct fwm_stk_gcc *g, const char *path, struct fwm_err *err)
{
	char *buf, *p, *l;
	int rc = slurp(path, &buf, err), graph = 0;
	unsigned line = 0;
	if (rc < 0)
		return rc;
	g->nfiles++;
	for (p = buf; rc == 0 && (l = next_line(&p)); ) {
		line++;
		while (*l == ' ' || *l == '\t')
			l++;
		size_t n1, n2;
		const char *a, *b;
		if (strncmp(l, "graph:", 6) == 0) {
			graph = 1;
		} else if (strncmp(l, "node:", 5) == 0) {
			if (!(a = quoted(l, "title:", &n1)) || !(b = quoted(l, "label:", &n2))) {
				rc = fwm_errf(err, -EINVAL, "%s:%u: a node without a title and a label", path, line);
				break;
			}
			/* the label's third line: "N bytes (static)" */
			const char *s = b, *end = b + n2;
			for (int k = 0; k < 2 && s; k++) {
				const char *nl = NULL;
				for (const char *q = s; q + 1 < end; q++)
					if (q[0] == '\\' && q[1] == 'n') {
						nl = q + 2;
						break;
					}
				s = nl;
			}
			char *e;
			unsigned long long bytes;
			if (!s || !isdigit((unsigned char)*s))
				continue;      /* an external function: no stack usage */
			errno = 0;
			bytes = strtoull(s, &e, 10);
			const char *q = e, *qq;
			if (errno || strncmp(q, " bytes (", 8) != 0 || !(qq = memchr(q + 8, ')', (size_t)(end - q - 8)))) {
				rc = fwm_errf(err, -EINVAL, "%s:%u: a node label without \"N bytes (static)\"",
					      path, line);
				break;
			}
			int dyn = qualifier(q + 8, (size_t)(qq - q - 8));
			if (dyn < 0) {
				rc = fwm_errf(err, -EINVAL, "%s:%u: unknown stack qualifier in a node label", path, line);
				break;
			}
			const char *f, *nm;
			size_t fl, nl;
			nm = title_name(a, n1, &nl, &f, &fl);
			if (!f) {   /* a global: the source file is the label's second line */
				const char *loc = b;
				for (const char *x = b; x + 1 < end; x++)
					if (x[0] == '\\' && x[1] == 'n') {
						loc = x + 2;
						break;
					}
				const char *lc = NULL;
				for (const char *x = loc; x < end && *x != '\\'; x++)
					if (*x == ':' && !lc)
						lc = x;
				if (lc && loc != b) {
					f = loc;
					fl = (size_t)(lc - loc);
				}
			}
			if (add_su(g, nm, nl, f, fl, bytes, dyn, path, line) < 0)
				rc = nomem(err);
		} else if (strncmp(l, "edge:", 5) == 0) {
			if (!(a = quoted(l, "sourcename:", &n1)) || !(b = quoted(l, "targetname:", &n2))) {
				rc = fwm_errf(err, -EINVAL, "%s:%u: an edge without a sourcename and a targetname",
					      path, line);
				break;
			}
			if (add_edge(g, a, n1, b, n2, path, line) < 0)
				rc = nomem(err);
		} else if (*l && *l != '}') {
			rc = fwm_errf(err, -EINVAL, "%s:%u: not a -fcallgraph-info line (graph, node or edge)",
				      path, line);
		}
	}
	if (rc == 0 && !graph)
		rc = fwm_errf(err, -EINVAL, "%s: not a -fcallgraph-info file (no \"graph:\")", path);
	free(buf);
	return rc;
}

int fwm_stk_gcc_read_ci(struct fwm_stk_gcc *g, const char *path, struct fwm_err *err)
{
	return each_file(g, path, ".ci", read_ci, 0, err);
}

void fwm_stk_gcc_free(struct fwm_stk_gcc *g)
{
	for (size_t i = 0; i < g->nsu; i++) {
		free(g->su[i].name);
		free(g->su[i].file);
		free(g->su[i].where);
	}
	for (size_t i = 0; i < g->nedge; i++) {
		free(g->edge[i].caller);
		free(g->edge[i].caller_file);
		free(g->edge[i].callee);
		free(g->edge[i].where);
	}
	free(g->su);
	free(g->edge);
	memset(g, 0, sizeof *g);
}

/* ---- annotations ------------------------------------------------------- */

static void ann_free(struct fwm_stk_ann *a)
{
	free(a->func);
	for (size_t i = 0; i < a->ntargets; i++)
		free(a->targets[i]);
	free(a->targets);
}

void fwm_stk_anns_free(struct fwm_stk_anns *a)
{
	for (size_t i = 0; i < a->n; i++)
		ann_free(&a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* Split s at blanks (in place) into at most max words. */
static int words(char *s, char **w, int max)
{
	int n = 0;
	char *save;
	for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static int add_target(struct fwm_stk_ann *a, const char *t, size_t n)
{
	char **v = realloc(a->targets, (a->ntargets + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	a->targets = v;
	if (!(v[a->ntargets] = xstrndup(t, n)))
		return -ENOMEM;
	a->ntargets++;
	return 0;
}

static int parse_line(struct fwm_stk_anns *as, const char *path, unsigned line, char *l,
		      struct fwm_err *err)
{
	char *hash = strchr(l, '#'), *w[66];
	if (hash)
		*hash = 0;
	int n = words(l, w, 64);
	if (n == 0)
		return 0;
	struct fwm_stk_ann a = { .line = line };
	if (strcmp(w[0], "indirect") == 0) {
		if (n < 3)
			return fwm_errf(err, -EINVAL, "%s:%u: indirect wants CALLER TARGET[,TARGET...]", path, line);
		a.kind = FWM_ANN_INDIRECT;
		for (int i = 2; i < n; i++)
			for (char *t = w[i]; *t; ) {
				size_t k = strcspn(t, ",");
				if (k && add_target(&a, t, k) < 0) {
					ann_free(&a);
					return nomem(err);
				}
				t += k + (t[k] == ',');
			}
		if (!a.ntargets) {
			ann_free(&a);
			return fwm_errf(err, -EINVAL, "%s:%u: indirect wants CALLER TARGET[,TARGET...]", path, line);
		}
	} else if (strcmp(w[0], "frame") == 0) {
		char *end;
		if (n != 3)
			return fwm_errf(err, -EINVAL, "%s:%u: frame wants FUNCTION BYTES", path, line);
		errno = 0;
		unsigned long long v = strtoull(w[2], &end, 0);
		if (!isdigit((unsigned char)w[2][0]) || *end || errno || v > FWM_STK_MAXDEPTH)
			return fwm_errf(err, -EINVAL, "%s:%u: '%s' is not a frame size in bytes (0 to %u)",
					path, line, w[2], FWM_STK_MAXDEPTH);
		a.kind = FWM_ANN_FRAME;
		a.bytes = v;
	} else if (strcmp(w[0], "entry") == 0) {
		if (n != 2)
			return fwm_errf(err, -EINVAL, "%s:%u: entry wants one FUNCTION", path, line);
		a.kind = FWM_ANN_ENTRY;
	} else {
		return fwm_errf(err, -EINVAL, "%s:%u: unknown annotation '%s' (indirect, frame or entry)",
				path, line, w[0]);
	}
	if (!(a.func = strdup(w[1]))) {
		ann_free(&a);
		return nomem(err);
	}
	if (as->n == as->cap) {
		size_t c = as->cap ? 2 * as->cap : 16;
		struct fwm_stk_ann *v = realloc(as->v, c * sizeof *v);
		if (!v) {
			ann_free(&a);
			return nomem(err);
		}
		as->v = v;
		as->cap = c;
	}
	as->v[as->n++] = a;
	return 0;
}

int fwm_stk_anns_parse(struct fwm_stk_anns *as, const char *path, const char *text, struct fwm_err *err)
{
	char *buf = strdup(text), *p, *l;
	unsigned line = 0;
	int rc = 0;
	as->path = path;
	if (!buf)
		return nomem(err);
	for (p = buf; rc == 0 && (l = next_line(&p)); )
		rc = parse_line(as, path, ++line, l, err);
	free(buf);
	return rc;
}

int fwm_stk_anns_read(struct fwm_stk_anns *as, const char *path, struct fwm_err *err)
{
	char *buf;
	int rc = slurp(path, &buf, err);
	if (rc < 0)
		return rc;
	rc = fwm_stk_anns_parse(as, path, buf, err);
	free(buf);
	return rc;
}
