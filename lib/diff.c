/* Snapshots, diffs and budgets (see fwm_diff.h). */
#include "fwm_diff.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *const fwm_itemkind_names[FWM_IT_NKINDS] = {
	"region", "section", "dir", "file", "archive", "object", "bucket", "symbol",
};

static int nomem(struct fwm_err *err)
{
	return fwm_errf(err, -ENOMEM, "out of memory");
}

int fwm_snapshot_build(struct fwm_elfmap *m, json_t **doc, struct fwm_err *err)
{
	json_t *d = json_object();
	struct fwm_out o = { NULL, FWM_FMT_JSON, 0, d };
	struct fwm_symfilter flt = { .kind = -1 };
	struct fwm_treeopts topt = { 0 };
	int rc;
	*doc = NULL;
	if (!d || json_object_set_new(d, "fwmem_snapshot", json_integer(1)) ||
	    json_object_set_new(d, "file", fwm_json_string(m->img->path))) {
		json_decref(d);
		return nomem(err);
	}
	if ((rc = fwm_elfmap_regions(m, &o, err)) < 0 || (rc = fwm_elfmap_sections(m, &o, err)) < 0 ||
	    (rc = fwm_elfmap_symbols(m, &flt, &o, err)) < 0 || (rc = fwm_elfmap_tree(m, &topt, &o, err)) < 0) {
		json_decref(d);
		return rc;
	}
	*doc = d;
	return 0;
}

/* ---- flattening ---------------------------------------------------------- */

struct items {
	struct fwm_item *v;
	size_t n, cap;
};

static int item_add(struct items *it, enum fwm_itemkind kind, const char *name, size_t len,
		    uint64_t size, uint64_t length, int prefix)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? 2 * it->cap : 256;
		struct fwm_item *v = realloc(it->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		it->v = v;
		it->cap = cap;
	}
	char *s = strndup(name, len);
	if (!s)
		return -ENOMEM;
	it->v[it->n++] = (struct fwm_item){ kind, s, size, length, prefix };
	return 0;
}

static uint64_t jint(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	return v > 0 ? (uint64_t)v : 0;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int tree_items(struct items *it, json_t *node, char *path, size_t plen)
{
	const char *name = jstr(node, "name"), *kind = jstr(node, "kind");
	enum fwm_itemkind k = FWM_IT_NKINDS;
	for (int i = FWM_IT_DIR; i <= FWM_IT_BUCKET; i++)
		if (kind && strcmp(kind, fwm_itemkind_names[i]) == 0)
			k = (enum fwm_itemkind)i;
	if (!name || k == FWM_IT_NKINDS)
		return -EINVAL;
	size_t nl = strlen(name);
	if (plen + nl + 2 > 4096)
		return -EINVAL;
	char *o = path + plen;
	if (path[plen - 1] != ':')
		*o++ = '/';
	memcpy(o, name, nl + 1);
	size_t len = (size_t)(o - path) + nl;
	uint64_t size = jint(node, "size");
	int rc;
	/* every directory prefix of a folded chain is an item of its own */
	if (k == FWM_IT_DIR)
		for (char *q = o + 1; *q; q++)
			if (*q == '/' && (rc = item_add(it, k, path, (size_t)(q - path), size, 0, 1)) < 0)
				return rc;
	if ((rc = item_add(it, k, path, len, size, 0, 0)) < 0)
		return rc;
	json_t *ch = json_object_get(node, "children"), *c;
	size_t i;
	json_array_foreach(ch, i, c)
		if ((rc = tree_items(it, c, path, len)) < 0)
			return rc;
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct fwm_item *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int flatten(struct fwm_snapshot *s, struct fwm_err *err)
{
	struct items it = { 0 };
	json_t *d = s->doc, *a, *e;
	size_t i;
	int rc = 0;
	char buf[4200];
	if (!json_is_object(d) || !json_object_get(d, "fwmem_snapshot") ||
	    !json_is_array(json_object_get(json_object_get(d, "regions"), "regions")) ||
	    !json_is_array(json_object_get(json_object_get(d, "sections"), "sections")) ||
	    !json_is_array(json_object_get(json_object_get(d, "symbols"), "symbols")) ||
	    !json_is_array(json_object_get(json_object_get(d, "tree"), "regions")))
		return fwm_errf(err, -EINVAL, "%s: not an elfmap snapshot (write one with 'elfmap snapshot ELF')",
				s->label);
	a = json_object_get(json_object_get(d, "regions"), "regions");
	json_array_foreach(a, i, e) {
		const char *n = jstr(e, "name");
		if (n && (rc = item_add(&it, FWM_IT_REGION, n, strlen(n), jint(e, "used"), jint(e, "length"), 0)) < 0)
			goto fail;
	}
	a = json_object_get(json_object_get(d, "sections"), "sections");
	json_array_foreach(a, i, e) {
		const char *n = jstr(e, "name"), *fl = jstr(e, "flags");
		if (n && fl && strchr(fl, 'A') && jint(e, "size") &&
		    (rc = item_add(&it, FWM_IT_SECTION, n, strlen(n), jint(e, "size"), 0, 0)) < 0)
			goto fail;
	}
	a = json_object_get(json_object_get(d, "symbols"), "symbols");
	json_array_foreach(a, i, e) {
		const char *n = jstr(e, "name"), *f = jstr(e, "file"), *b = jstr(e, "bind");
		if (!n)
			continue;
		int len = b && strcmp(b, "local") == 0 && f ? snprintf(buf, sizeof buf, "%s [%s]", n, f)
							    : snprintf(buf, sizeof buf, "%s", n);
		if (len >= (int)sizeof buf)
			len = (int)sizeof buf - 1;
		if ((rc = item_add(&it, FWM_IT_SYMBOL, buf, (size_t)len, jint(e, "size"), 0, 0)) < 0)
			goto fail;
	}
	a = json_object_get(json_object_get(d, "tree"), "regions");
	json_array_foreach(a, i, e) {
		const char *r = jstr(e, "name");
		json_t *root = json_object_get(e, "tree"), *c;
		size_t k;
		if (!r || strlen(r) > 100)
			continue;
		int plen = snprintf(buf, sizeof buf, "%s:", r);
		json_array_foreach(json_object_get(root, "children"), k, c)
			if ((rc = tree_items(&it, c, buf, (size_t)plen)) < 0)
				goto fail;
	}
	if (it.n)
		qsort(it.v, it.n, sizeof *it.v, cmp_item);
	/* one item per kind and name: sizes of duplicates add up */
	size_t k = 0;
	for (i = 0; i < it.n; i++) {
		if (k && cmp_item(&it.v[k - 1], &it.v[i]) == 0) {
			it.v[k - 1].size += it.v[i].size;
			it.v[k - 1].prefix &= it.v[i].prefix;
			free(it.v[i].name);
		} else {
			it.v[k++] = it.v[i];
		}
	}
	s->v = it.v;
	s->n = k;
	return 0;
fail:
	for (i = 0; i < it.n; i++)
		free(it.v[i].name);
	free(it.v);
	if (rc == -ENOMEM)
		return nomem(err);
	return fwm_errf(err, -EINVAL, "%s: malformed elfmap snapshot", s->label);
}

int fwm_snapshot_load(const char *path, const char *ld, struct fwm_snapshot *s, struct fwm_err *err)
{
	memset(s, 0, sizeof *s);
	if (!(s->label = strdup(path)))
		return nomem(err);
	FILE *f = fopen(path, "rb");
	unsigned char magic[4] = { 0 };
	int rc;
	if (!f) {
		rc = fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	size_t got = fread(magic, 1, 4, f);
	fclose(f);
	if (got == 4 && memcmp(magic, "\177ELF", 4) == 0) {
		struct fwm_elfmap_opts eo = { .elf = path, .ld = ld };
		struct fwm_elfmap *m;
		if ((rc = fwm_elfmap_open(&eo, &m, err)) < 0)
			goto fail;
		rc = fwm_snapshot_build(m, &s->doc, err);
		fwm_elfmap_close(m);
		if (rc < 0)
			goto fail;
	} else {
		json_error_t je;
		s->doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
		if (!s->doc) {
			rc = fwm_errf(err, -EINVAL, "%s:%d: neither an ELF nor an elfmap snapshot: %s", path,
				      je.line, je.text);
			goto fail;
		}
	}
	if ((rc = flatten(s, err)) < 0)
		goto fail;
	return 0;
fail:
	fwm_snapshot_free(s);
	return rc;
}

void fwm_snapshot_free(struct fwm_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	json_decref(s->doc);
	free(s->label);
	memset(s, 0, sizeof *s);
}

const struct fwm_item *fwm_snapshot_find(const struct fwm_snapshot *s, enum fwm_itemkind kind,
					 const char *name)
{
	struct fwm_item key = { kind, (char *)name, 0, 0, 0 };
	return bsearch(&key, s->v, s->n, sizeof *s->v, cmp_item);
}

/* ---- diff ---------------------------------------------------------------- */

struct drow {
	enum fwm_itemkind kind;
	const char *name;
	uint64_t old, new;
};

static int64_t delta(const struct drow *r)
{
	return (int64_t)(r->new - r->old);
}

static int cmp_drow(const void *a, const void *b)
{
	const struct drow *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	int64_t dx = delta(x), dy = delta(y);
	uint64_t ax = dx < 0 ? (uint64_t)-dx : (uint64_t)dx, ay = dy < 0 ? (uint64_t)-dy : (uint64_t)dy;
	if (ax != ay)
		return ax > ay ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const struct fwm_column diff_cols[] = {
	{ "kind", "Kind", FWM_COL_STR },
	{ "name", "Name", FWM_COL_STR },
	{ "old", "Old", FWM_COL_INT },
	{ "new", "New", FWM_COL_INT },
	{ "delta", "Delta", FWM_COL_DELTA },
};

int fwm_diff_write(const struct fwm_snapshot *a, const struct fwm_snapshot *b,
		   const struct fwm_diffopts *d, const struct fwm_out *o, struct fwm_err *err)
{
	struct drow *v = malloc((a->n + b->n + 1) * sizeof *v);
	size_t n = 0, i = 0, j = 0;
	if (!v)
		return nomem(err);
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : cmp_item(&a->v[i], &b->v[j]);
		struct drow r;
		/* a folded chain's prefixes repeat its size: show the chain once */
		int prefix = (c <= 0 ? a->v[i].prefix : 1) && (c >= 0 ? b->v[j].prefix : 1);
		if (c < 0)
			r = (struct drow){ a->v[i].kind, a->v[i].name, a->v[i].size, 0 }, i++;
		else if (c > 0)
			r = (struct drow){ b->v[j].kind, b->v[j].name, 0, b->v[j].size }, j++;
		else
			r = (struct drow){ a->v[i].kind, a->v[i].name, a->v[i].size, b->v[j].size }, i++, j++;
		if ((d->all || r.old != r.new) && !prefix)
			v[n++] = r;
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_drow);
	struct fwm_table t;
	fwm_table_init(&t, diff_cols, sizeof diff_cols / sizeof *diff_cols);
	int rc = 0, shown[FWM_IT_NKINDS] = { 0 }, hidden[FWM_IT_NKINDS] = { 0 };
	for (i = 0; i < n; i++) {
		if (o->fmt != FWM_FMT_JSON && o->fmt != FWM_FMT_CSV && d->limit &&
		    v[i].kind != FWM_IT_REGION && shown[v[i].kind] >= d->limit) {
			hidden[v[i].kind]++;
			continue;
		}
		shown[v[i].kind]++;
		struct fwm_cell *c = fwm_table_add(&t);
		if (!c) {
			rc = nomem(err);
			goto out;
		}
		c[0].s = fwm_itemkind_names[v[i].kind];
		c[1].s = v[i].name;
		c[2].u = v[i].old;
		c[3].u = v[i].new;
		c[4].u = (uint64_t)delta(&v[i]);
	}
	if (o->fmt == FWM_FMT_JSON) {
		json_t *doc = json_object(), *rows = fwm_table_json(&t);
		if (!doc || !rows || json_object_set_new(doc, "old", fwm_json_string(a->label)) ||
		    json_object_set_new(doc, "new", fwm_json_string(b->label)) ||
		    json_object_set_new(doc, "changes", rows)) {
			json_decref(doc);
			rc = nomem(err);
			goto out;
		}
		rc = fwm_elfmap_emit(doc, o, "diff", err);
		goto out;
	}
	if (o->fmt == FWM_FMT_MD) {
		fprintf(o->f, "### elfmap diff\n\n`%s` \u2192 `%s`\n\n", a->label, b->label);
		/* regions first, as a summary, then every other change */
		fputs("| Region | Old | New | Delta | % |\n|---|---:|---:|---:|---:|\n", o->f);
		for (i = 0; i < a->n; i++) {
			if (a->v[i].kind != FWM_IT_REGION)
				continue;
			const struct fwm_item *nb = fwm_snapshot_find(b, FWM_IT_REGION, a->v[i].name);
			uint64_t nv = nb ? nb->size : 0;
			fputs("| ", o->f);
			fwm_md_field(o->f, a->v[i].name);
			fprintf(o->f, " | %" PRIu64 " | %" PRIu64 " | %+" PRId64 " | %s%.2f%% |\n", a->v[i].size, nv,
				(int64_t)(nv - a->v[i].size), nv >= a->v[i].size ? "+" : "",
				a->v[i].size ? (double)(int64_t)(nv - a->v[i].size) * 100.0 / (double)a->v[i].size : 0.0);
		}
		fputs(n ? "\n<details><summary>Changes</summary>\n\n" : "\nNo size changed.\n", o->f);
		if (n) {
			fwm_table_print(&t, FWM_FMT_MD, o->f);
			fputs("\n</details>\n", o->f);
		}
	} else {
		if (o->fmt == FWM_FMT_TEXT)
			fprintf(o->f, "%s -> %s\n", a->label, b->label);
		if (n || o->fmt == FWM_FMT_CSV)
			fwm_table_print(&t, o->fmt, o->f);
		if (o->fmt == FWM_FMT_TEXT && !n)
			fputs("no size changed\n", o->f);
	}
	for (int k = 0; o->fmt == FWM_FMT_TEXT && k < FWM_IT_NKINDS; k++)
		if (hidden[k])
			fprintf(o->f, "(%d more %s changes; --limit 0 shows all)\n", hidden[k], fwm_itemkind_names[k]);
out:
	fwm_table_free(&t);
	free(v);
	return rc;
}
