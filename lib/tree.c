/* elfmap tree: every byte of every region, attributed to a compile unit
 * (through DWARF), an object or archive member (through the map file), or a
 * named bucket, so that each region's tree adds up to its used bytes.
 *
 * Attribution works on address intervals in layers, highest first:
 *   1. DWARF functions and variables confirmed by the symbol table, then
 *      compile units' own ranges in executable sections (fwm_dwarf.h);
 *   2. the map file: input sections by object, and *fill* lines; an object
 *      whose code a compile unit covers is that compile unit, so its
 *      string literals and other debug-less input sections join it;
 *   3. what remains of a section is "[SECTION: no debug info]", or
 *      "[SECTION: reserved]" for a section without any input (a heap or a
 *      stack reserved with ". = . + SIZE"); the map's *fill* inside sections
 *      with input and the gaps between sections that a region's used size
 *      includes are "[fill]".
 * A load image (.data at its LMA) is attributed like its run-time copy.
 * Overlapping intervals are cut so that no byte counts twice.
 */
#include "fwm_dwarf.h"
#include "fwm_elfmap.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_REGION, K_DIR, K_FILE, K_ARCHIVE, K_OBJECT, K_BUCKET };
static const char *const kind_names[] = { "region", "dir", "file", "archive", "object", "bucket" };

struct node {
	char *name;               /* owned */
	enum kind kind;
	uint64_t size;
	int first, next;          /* children list, indices into the pool; -1 ends */
};

struct tree {
	struct fwm_elfmap *m;
	/* owners: [0, ncu) compile units, [ncu, ncu + nobj) map objects,
	 * then buckets: [fill], then one per section index */
	struct fwm_cus cus;
	size_t ncu;
	const char **obj;         /* borrowed from the map */
	int *obj_cu;              /* compile unit of a map object, or -1 */
	char *has_input;          /* per section index: holds symbols or map input sections */
	size_t nobj;
	unsigned fill_owner, sec_owner0, nowner;
	struct fwm_ivals map;
	const struct fwm_ivals *layer[3];   /* funcs, units, map */
	struct node *pool;
	size_t npool, cappool;
	int *leaf;                /* per owner: its leaf node in the current region, or -1 */
	int root;
};

/* ---- the tree ----------------------------------------------------------- */

static int node_new(struct tree *t, const char *name, size_t len, enum kind kind)
{
	if (t->npool == t->cappool) {
		size_t cap = t->cappool ? 2 * t->cappool : 256;
		struct node *v = realloc(t->pool, cap * sizeof *v);
		if (!v)
			return -1;
		t->pool = v;
		t->cappool = cap;
	}
	char *n = strndup(name, len);
	if (!n)
		return -1;
	t->pool[t->npool] = (struct node){ n, kind, 0, -1, -1 };
	return (int)t->npool++;
}

static int child(struct tree *t, int parent, const char *name, size_t len, enum kind kind)
{
	for (int c = t->pool[parent].first; c >= 0; c = t->pool[c].next)
		if (t->pool[c].kind == kind && strlen(t->pool[c].name) == len &&
		    memcmp(t->pool[c].name, name, len) == 0)
			return c;
	int c = node_new(t, name, len, kind);
	if (c < 0)
		return -1;
	t->pool[c].next = t->pool[parent].first;
	t->pool[parent].first = c;
	return c;
}

/* Create the nodes of a path ("/a/b/c.c": dirs "/a", "b", file "c.c"). */
static int path_leaf(struct tree *t, int parent, const char *path, enum kind leafkind)
{
	const char *s = path;
	int n = parent;
	while (n >= 0) {
		const char *e = strchr(s + (s == path && *s == '/'), '/');
		if (!e)
			return child(t, n, s, strlen(s), leafkind);
		n = child(t, n, s, (size_t)(e - s), K_DIR);
		s = e + 1;
	}
	return -1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The leaf node of an owner in the current region, created on first use. */
static int owner_leaf(struct tree *t, unsigned owner)
{
	if (t->leaf[owner] >= 0)
		return t->leaf[owner];
	int n;
	char buf[300];
	if (owner < t->ncu) {
		n = path_leaf(t, t->root, t->cus.path[owner], K_FILE);
	} else if (owner < t->ncu + t->nobj) {
		const char *o = t->obj[owner - t->ncu];
		const char *paren = strchr(o, '(');
		size_t len = strlen(o);
		if (paren && o[len - 1] == ')') {     /* archive(member) */
			const char *a = o;
			for (const char *q = o; q < paren; q++)
				if (*q == '/')
					a = q + 1;
			int ar = child(t, t->root, a, (size_t)(paren - a), K_ARCHIVE);
			n = ar < 0 ? -1 : child(t, ar, paren + 1, (size_t)(o + len - 1 - paren - 1), K_OBJECT);
		} else {
			n = child(t, t->root, base_name(o), strlen(base_name(o)), K_OBJECT);
		}
	} else if (owner == t->fill_owner) {
		n = child(t, t->root, "[fill]", 6, K_BUCKET);
	} else {
		const struct fwm_section *s = &t->m->img->sec[owner - t->sec_owner0];
		snprintf(buf, sizeof buf, t->has_input[s->index] ? "[%s: no debug info]" : "[%s: reserved]",
			 s->name);
		n = child(t, t->root, buf, strlen(buf), K_BUCKET);
	}
	t->leaf[owner] = n;
	return n;
}

/* Add size to an owner's leaf; ancestors are summed when printing. */
static int credit(struct tree *t, unsigned owner, uint64_t size)
{
	if (!size)
		return 0;
	int n = owner_leaf(t, owner);
	if (n < 0)
		return -ENOMEM;
	t->pool[n].size += size;
	return 0;
}

/* Attribute [a, b) of a section (VMA space) through the layers from l on. */
static int attribute(struct tree *t, unsigned sec, uint64_t a, uint64_t b, int l)
{
	if (a >= b)
		return 0;
	if (l == 3)
		return credit(t, t->sec_owner0 + sec, b - a);
	const struct fwm_ivals *L = t->layer[l];
	uint64_t cur = a;
	int rc;
	for (size_t i = fwm_ivals_find(L, a); i < L->n && L->v[i].lo < b; i++) {
		const struct fwm_ival *x = &L->v[i];
		if (x->lo > cur && (rc = attribute(t, sec, cur, x->lo, l + 1)) < 0)
			return rc;
		uint64_t lo = x->lo > cur ? x->lo : cur, hi = x->hi < b ? x->hi : b;
		if ((rc = credit(t, x->owner, hi - lo)) < 0)
			return rc;
		cur = hi;
	}
	return attribute(t, sec, cur, b, l + 1);
}

/* ---- the map layer ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int load_map(struct tree *t)
{
	const struct fwm_map *map = t->m->map;
	if (!map)
		return 0;
	t->obj = malloc((map->nin + 1) * sizeof *t->obj);
	if (!t->obj)
		return -ENOMEM;
	for (size_t i = 0; i < map->nin; i++)
		if (!map->in[i].is_fill && map->in[i].file)
			t->obj[t->nobj++] = map->in[i].file;
	qsort(t->obj, t->nobj, sizeof *t->obj, cmp_str);
	size_t k = 0;
	for (size_t i = 0; i < t->nobj; i++)
		if (!k || strcmp(t->obj[k - 1], t->obj[i]) != 0)
			t->obj[k++] = t->obj[i];
	t->nobj = k;
	t->obj_cu = malloc((t->nobj + 1) * sizeof *t->obj_cu);
	if (!t->obj_cu)
		return -ENOMEM;
	for (size_t i = 0; i < t->nobj; i++)
		t->obj_cu[i] = -1;
	return 0;
}

/* The index of the section that takes space under that name, or 0. */
static size_t alloc_section_named(const struct fwm_image *img, const char *name)
{
	for (size_t i = 1; i < img->nsec; i++)
		if (strcmp(img->sec[i].name, name) == 0)
			return fwm_section_takes_space(&img->sec[i]) ? i : 0;
	return 0;
}

/* Which sections hold input: a sized symbol, or an input section in the
 * map.  A section without any (a heap or stack made by ". = . + SIZE") is
 * reserved space, not padding: its map *fill* is left to its bucket. */
static int find_inputs(struct tree *t)
{
	const struct fwm_image *img = t->m->img;
	t->has_input = calloc(img->nsec + 1, 1);
	if (!t->has_input)
		return -ENOMEM;
	for (size_t i = 0; i < img->nsym; i++)
		if (img->sym[i].size && img->sym[i].section > 0)
			t->has_input[img->sym[i].section] = 1;
	for (size_t i = 0; t->m->map && i < t->m->map->nin; i++)
		if (!t->m->map->in[i].is_fill)
			t->has_input[alloc_section_named(img, t->m->map->in[i].out_section)] = 1;
	return 0;
}

static int map_layer(struct tree *t)
{
	const struct fwm_map *map = t->m->map;
	const struct fwm_image *img = t->m->img;
	for (size_t i = 0; map && i < map->nin; i++) {
		const struct fwm_map_input *in = &map->in[i];
		unsigned owner;
		size_t sec = alloc_section_named(img, in->out_section);
		if (!sec || (in->is_fill && !t->has_input[sec]))
			continue;   /* debug information and other non-memory sections; reservations */
		if (in->is_fill || !in->file) {
			owner = t->fill_owner;
		} else {
			const char **o = bsearch(&in->file, t->obj, t->nobj, sizeof *t->obj, cmp_str);
			size_t oi = (size_t)(o - t->obj);
			/* an object whose code a compile unit covers is that unit */
			for (int l = 0; l < 2 && t->obj_cu[oi] < 0; l++) {
				size_t d = fwm_ivals_find(t->layer[l], in->addr);
				if (d < t->layer[l]->n && t->layer[l]->v[d].lo < in->addr + in->size)
					t->obj_cu[oi] = (int)t->layer[l]->v[d].owner;
			}
			owner = (unsigned)(t->ncu + oi);
		}
		if (fwm_ivals_add(&t->map, in->addr, in->addr + in->size, owner) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < t->map.n; i++) {
		unsigned o = t->map.v[i].owner;
		if (o >= t->ncu && o < t->ncu + t->nobj && t->obj_cu[o - t->ncu] >= 0)
			t->map.v[i].owner = (unsigned)t->obj_cu[o - t->ncu];
	}
	fwm_ivals_normalize(&t->map);
	return 0;
}

/* ---- output ------------------------------------------------------------- */

/* Sum children into parents, sort children by size (largest first) and
 * fold a directory's only subdirectory into it ("a" + "b" -> "a/b"). */
static uint64_t finish(struct tree *t, int n)
{
	struct node *p = &t->pool[n];
	if (p->first < 0)
		return p->size;
	uint64_t sum = p->size;
	int cnt = 0;
	for (int c = p->first; c >= 0; c = t->pool[c].next, cnt++)
		sum += finish(t, c);
	p = &t->pool[n];
	p->size = sum;
	/* insertion sort of the child list */
	int sorted = -1;
	for (int c = p->first; c >= 0;) {
		int nx = t->pool[c].next, *pp = &sorted;
		while (*pp >= 0 && (t->pool[*pp].size > t->pool[c].size ||
				    (t->pool[*pp].size == t->pool[c].size &&
				     strcmp(t->pool[*pp].name, t->pool[c].name) <= 0)))
			pp = &t->pool[*pp].next;
		t->pool[c].next = *pp;
		*pp = c;
		c = nx;
	}
	p->first = sorted;
	int only = p->first;
	if (p->kind == K_DIR && cnt == 1 && t->pool[only].kind == K_DIR) {
		size_t a = strlen(p->name), b = strlen(t->pool[only].name);
		char *nm = malloc(a + b + 2);
		if (nm) {
			memcpy(nm, p->name, a);
			nm[a] = '/';
			memcpy(nm + a + 1, t->pool[only].name, b + 1);
			free(p->name);
			p->name = nm;
			p->first = t->pool[only].first;
		}
	}
	return sum;
}

static json_t *node_json(const struct tree *t, int n)
{
	const struct node *p = &t->pool[n];
	json_t *o = json_pack("{s:o, s:s, s:I}", "name", fwm_json_string(p->name),
			      "kind", kind_names[p->kind], "size", (json_int_t)p->size);
	if (!o || p->first < 0)
		return o;
	json_t *a = json_array();
	if (!a || json_object_set_new(o, "children", a)) {
		json_decref(o);
		return NULL;
	}
	for (int c = p->first; c >= 0; c = t->pool[c].next)
		if (json_array_append_new(a, node_json(t, c))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static void node_print(const struct tree *t, int n, int depth, int maxdepth, uint64_t total,
		       const struct fwm_out *o, const char *region)
{
	const struct node *p = &t->pool[n];
	FILE *f = o->f;
	if (o->fmt == FWM_FMT_CSV) {
		fwm_csv_field(f, region);
		fprintf(f, ",%d,%s,", depth, kind_names[p->kind]);
		fwm_csv_field(f, p->name);
		fprintf(f, ",%" PRIu64 "\n", p->size);
	} else if (o->fmt == FWM_FMT_MD) {
		fprintf(f, "| %*s", 2 * depth, "");
		fwm_md_field(f, p->name);
		fprintf(f, "%s | %" PRIu64 " | %.1f%% |\n", p->kind == K_DIR ? "/" : "", p->size,
			total ? (double)p->size * 100.0 / (double)total : 0.0);
	} else {
		int w = 48 - 2 * depth - (int)strlen(p->name) - (p->kind == K_DIR);
		const char *c1 = "", *c0 = "";
		if (o->color && p->kind == K_DIR)
			c1 = "\033[1;34m", c0 = "\033[0m";
		else if (o->color && p->kind == K_BUCKET)
			c1 = "\033[2m", c0 = "\033[0m";
		else if (o->color && p->kind == K_REGION)
			c1 = "\033[1m", c0 = "\033[0m";
		fprintf(f, "%*s%s%s%s%s %*" PRIu64 "  %5.1f%%\n", 2 * depth, "", c1, p->name,
			p->kind == K_DIR ? "/" : "", c0, w > 0 ? w + 10 : 10, p->size,
			total ? (double)p->size * 100.0 / (double)total : 0.0);
	}
	if (o->fmt != FWM_FMT_CSV && maxdepth && depth >= maxdepth)
		return;
	for (int c = p->first; c >= 0; c = t->pool[c].next)
		node_print(t, c, depth + 1, maxdepth, total, o, region);
}

static void tree_free(struct tree *t)
{
	fwm_cus_free(&t->cus);
	free(t->obj);
	free(t->obj_cu);
	free(t->has_input);
	free(t->map.v);
	for (size_t i = 0; i < t->npool; i++)
		free(t->pool[i].name);
	free(t->pool);
	free(t->leaf);
}

int fwm_elfmap_tree(struct fwm_elfmap *m, const struct fwm_treeopts *topt,
		    const struct fwm_out *o, struct fwm_err *err)
{
	struct tree t = { .m = m };
	const struct fwm_layout *lay = m->lay;
	int rc;
	json_t *doc = NULL, *regs = NULL;
	if ((rc = fwm_cus_load(m->img, &t.cus, err)) < 0)
		return rc;
	t.ncu = t.cus.n;
	t.layer[0] = &t.cus.funcs;
	t.layer[1] = &t.cus.units;
	t.layer[2] = &t.map;
	if ((rc = fwm_image_load_symbols(m->img, err)) < 0)
		goto out;
	if ((rc = load_map(&t)) < 0 || (rc = find_inputs(&t)) < 0)
		goto out;
	t.fill_owner = (unsigned)(t.ncu + t.nobj);
	t.sec_owner0 = t.fill_owner + 1;
	t.nowner = t.sec_owner0 + (unsigned)m->img->nsec;
	if ((rc = map_layer(&t)) < 0)
		goto out;
	t.leaf = malloc(t.nowner * sizeof *t.leaf);
	if (!t.leaf) {
		rc = -ENOMEM;
		goto out;
	}
	if (o->fmt == FWM_FMT_JSON) {
		doc = json_object();
		regs = json_array();
		if (!doc || !regs || json_object_set_new(doc, "file", fwm_json_string(m->img->path)) ||
		    json_object_set(doc, "regions", regs)) {
			rc = -ENOMEM;
			goto out;
		}
	} else if (o->fmt == FWM_FMT_CSV) {
		fputs("region,depth,kind,name,size\n", o->f);
	} else if (o->fmt == FWM_FMT_MD) {
		fputs("| Region / path | Bytes | Share |\n|---|---:|---:|\n", o->f);
	}
	for (size_t r = 0; r < lay->nreg; r++) {
		const struct fwm_region_use *u = &lay->reg[r];
		for (unsigned i = 0; i < t.nowner; i++)
			t.leaf[i] = -1;
		if ((t.root = node_new(&t, u->r->name, strlen(u->r->name), K_REGION)) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		/* sweep the region's placements in address order; gaps are fill */
		uint64_t cur = u->r->origin, end = u->r->origin + u->used;
		for (size_t k = 0; k < u->np; k++) {
			const struct fwm_placement *p = &u->p[k];
			const struct fwm_section *s = &m->img->sec[p->section];
			if (p->addr > cur && (rc = credit(&t, t.fill_owner, p->addr - cur)) < 0)
				goto out;
			uint64_t a = p->addr > cur ? p->addr : cur, b = p->addr + p->size;
			if (b > a && (rc = attribute(&t, p->section, s->vma + (a - p->addr),
						     s->vma + (b - p->addr), 0)) < 0)
				goto out;
			if (b > cur)
				cur = b;
		}
		if (cur < end && (rc = credit(&t, t.fill_owner, end - cur)) < 0)
			goto out;
		finish(&t, t.root);
		if (o->fmt == FWM_FMT_JSON) {
			json_t *tr = node_json(&t, t.root);
			if (!tr || json_array_append_new(regs, json_pack("{s:s, s:I, s:o}", "name",
					u->r->name, "used", (json_int_t)u->used, "tree", tr))) {
				rc = -ENOMEM;
				goto out;
			}
		} else {
			if (o->fmt == FWM_FMT_TEXT && r)
				fputc('\n', o->f);
			node_print(&t, t.root, 0, topt->depth, u->used, o, u->r->name);
		}
	}
	if (o->fmt == FWM_FMT_JSON) {
		rc = fwm_elfmap_emit(doc, o, "tree", err);
		doc = NULL;
	}
out:
	json_decref(regs);
	json_decref(doc);
	tree_free(&t);
	if (rc == -ENOMEM)
		return fwm_errf(err, rc, "out of memory");
	return rc;
}
