/* Compile units and their addresses through libdw (see fwm_dwarf.h). */
#include "fwm_dwarf.h"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fwm_ivals_add(struct fwm_ivals *a, uint64_t lo, uint64_t hi, unsigned owner)
{
	if (hi <= lo)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 256;
		struct fwm_ival *v = realloc(a->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = (struct fwm_ival){ lo, hi, owner };
	return 0;
}

static int cmp_ival(const void *a, const void *b)
{
	const struct fwm_ival *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->owner < y->owner ? -1 : x->owner > y->owner;
}

void fwm_ivals_normalize(struct fwm_ivals *a)
{
	if (a->n)
		qsort(a->v, a->n, sizeof *a->v, cmp_ival);
	size_t k = 0;
	uint64_t end = 0;
	for (size_t i = 0; i < a->n; i++) {
		struct fwm_ival x = a->v[i];
		if (k && x.lo < end)
			x.lo = end;
		if (x.hi <= x.lo)
			continue;
		a->v[k++] = x;
		end = x.hi;
	}
	a->n = k;
}

size_t fwm_ivals_find(const struct fwm_ivals *a, uint64_t addr)
{
	size_t lo = 0, hi = a->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a->v[mid].hi <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long fwm_ivals_owner(const struct fwm_ivals *a, uint64_t addr)
{
	size_t i = fwm_ivals_find(a, addr);
	return i < a->n && a->v[i].lo <= addr ? (long)a->v[i].owner : -1;
}

long fwm_cus_lookup(const struct fwm_cus *cus, uint64_t addr)
{
	long o = fwm_ivals_owner(&cus->funcs, addr);
	return o >= 0 ? o : fwm_ivals_owner(&cus->units, addr);
}

char *fwm_path_join(const char *dir, const char *name)
{
	size_t dl = dir && name[0] != '/' ? strlen(dir) : 0, nl = strlen(name);
	char *p = malloc(dl + nl + 2);
	if (!p)
		return NULL;
	if (dl) {
		memcpy(p, dir, dl);
		p[dl] = '/';
	}
	memcpy(p + (dl ? dl + 1 : 0), name, nl + 1);
	/* Normalise in place: drop "" and "." parts, fold "x/.." pairs. */
	char *o = p, *s = p, *start;
	if (*s == '/')
		*o++ = *s++;
	start = o;
	while (*s) {
		char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		int dotdot = len == 2 && s[0] == '.' && s[1] == '.';
		char *last = o;   /* start of the last part written */
		while (last > start && last[-1] != '/')
			last--;
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* nothing */
		} else if (dotdot && o > start && !(o - last == 2 && last[0] == '.' && last[1] == '.')) {
			o = last > start ? last - 1 : start;
		} else {
			if (o > start)
				*o++ = '/';
			memmove(o, s, len);
			o += len;
		}
		s += len + (e != NULL);
	}
	*o = 0;
	return p;
}

/* ---- the symbol index used to confirm DWARF entries --------------------- */

struct symix {
	const struct fwm_symbol **v;   /* sorted by address */
	size_t n;
};

static int cmp_symaddr(const void *a, const void *b)
{
	const struct fwm_symbol *x = *(const struct fwm_symbol *const *)a;
	const struct fwm_symbol *y = *(const struct fwm_symbol *const *)b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* A symbol of kind k at addr named name, or name.suffix (GCC clones such as
 * foo.constprop.0, function statics such as counter.1); NULL when none.
 * name NULL matches any. */
static const struct fwm_symbol *sym_at(const struct symix *ix, uint64_t addr, int k, const char *name)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->v[mid]->addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t nl = name ? strlen(name) : 0;
	for (; lo < ix->n && ix->v[lo]->addr == addr; lo++) {
		const struct fwm_symbol *s = ix->v[lo];
		if (s->kind != k)
			continue;
		if (!name || (strncmp(s->name, name, nl) == 0 && (s->name[nl] == 0 || s->name[nl] == '.')))
			return s;
	}
	return NULL;
}

/* ---- reading ------------------------------------------------------------ */

struct reader {
	struct fwm_image *img;
	struct fwm_cus *cus;
	struct symix syms;
	struct fwm_err *err;
};

/* The attributes of a function or variable DIE, read in one pass
 * (dwarf_getattrs) rather than one dwarf_attr() lookup each. */
struct dieattrs {
	Dwarf_Attribute low, high, name, origin, location;
	unsigned have;
};
enum { A_LOW = 1, A_HIGH = 2, A_NAME = 4, A_RANGES = 8, A_ORIGIN = 16, A_DECL = 32, A_LOC = 64 };

static int attr_cb(Dwarf_Attribute *a, void *arg)
{
	struct dieattrs *d = arg;
	switch (dwarf_whatattr(a)) {
	case DW_AT_low_pc: d->low = *a; d->have |= A_LOW; break;
	case DW_AT_high_pc: d->high = *a; d->have |= A_HIGH; break;
	case DW_AT_name: d->name = *a; d->have |= A_NAME; break;
	case DW_AT_ranges: d->have |= A_RANGES; break;
	case DW_AT_abstract_origin:
	case DW_AT_specification: d->origin = *a; d->have |= A_ORIGIN; break;
	case DW_AT_declaration: d->have |= A_DECL; break;
	case DW_AT_location: d->location = *a; d->have |= A_LOC; break;
	default: break;
	}
	return DWARF_CB_OK;
}

/* The DIE's name, or that of its abstract origin or specification (the
 * out-of-line copy of an inlined function, a clone, a C++ definition). */
static const char *die_name(struct dieattrs *d)
{
	if (d->have & A_NAME)
		return dwarf_formstring(&d->name);
	Dwarf_Die o;
	if ((d->have & A_ORIGIN) && dwarf_formref_die(&d->origin, &o))
		return dwarf_diename(&o);
	return NULL;
}

static int add_function(struct reader *r, Dwarf_Die *die, unsigned cu)
{
	struct dieattrs d = { .have = 0 };
	Dwarf_Addr entry, base, lo, hi;
	dwarf_getattrs(die, attr_cb, &d, 0);
	if (d.have & A_DECL)
		return 0;
	if ((d.have & (A_LOW | A_HIGH)) == (A_LOW | A_HIGH) && !(d.have & A_RANGES)) {
		Dwarf_Word len;
		if (dwarf_formaddr(&d.low, &lo) != 0)
			return 0;
		if (dwarf_formaddr(&d.high, &hi) != 0) {
			if (dwarf_formudata(&d.high, &len) != 0)
				return 0;
			hi = lo + len;
		}
		const struct fwm_symbol *s = sym_at(&r->syms, lo, FWM_SYM_FUNC, die_name(&d));
		if (!s)
			return 0;   /* no such function in the image: removed by the linker */
		if (s->size && hi - lo > s->size)
			hi = lo + s->size;
		return fwm_ivals_add(&r->cus->funcs, lo, hi, cu) < 0 ? -ENOMEM : 0;
	}
	/* split into several ranges (hot and cold parts) */
	if (dwarf_entrypc(die, &entry) != 0)
		return 0;   /* a declaration or an inline-only function */
	const struct fwm_symbol *s = sym_at(&r->syms, entry, FWM_SYM_FUNC, die_name(&d));
	if (!s)
		return 0;
	ptrdiff_t off = 0;
	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (lo == entry && s->size && hi - lo > s->size)
			hi = lo + s->size;
		if (fwm_ivals_add(&r->cus->funcs, lo, hi, cu) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int add_variable(struct reader *r, Dwarf_Die *die, unsigned cu)
{
	struct dieattrs d = { .have = 0 };
	Dwarf_Op *ops;
	size_t nops;
	dwarf_getattrs(die, attr_cb, &d, 0);
	if (!(d.have & A_LOC) || dwarf_getlocation(&d.location, &ops, &nops) != 0 ||
	    nops != 1 || ops[0].atom != DW_OP_addr)
		return 0;
	const struct fwm_symbol *s = sym_at(&r->syms, ops[0].number, FWM_SYM_OBJECT, die_name(&d));
	uint64_t size = s ? s->size : 0;
	if (!size || s->addr + size < s->addr)
		return 0;
	return fwm_ivals_add(&r->cus->funcs, s->addr, s->addr + size, cu) < 0 ? -ENOMEM : 0;
}

/* A CU's own ranges, cut to the executable sections; a range at address 0
 * or 1 (where ld leaves removed code) only where a function symbol starts
 * there that no confirmed function claims. */
static int add_unit_ranges(struct reader *r, Dwarf_Die *cudie, unsigned cu)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	const struct fwm_image *img = r->img;
	while ((off = dwarf_ranges(cudie, off, &base, &lo, &hi)) > 0) {
		if (lo <= 1 && (!sym_at(&r->syms, lo, FWM_SYM_FUNC, NULL) ||
				fwm_ivals_owner(&r->cus->funcs, lo) >= 0))
			continue;
		for (size_t i = 1; i < img->nsec; i++) {
			const struct fwm_section *s = &img->sec[i];
			if (!(s->flags & SHF_EXECINSTR) || !fwm_section_is_alloc(s))
				continue;
			uint64_t a = lo > s->vma ? lo : s->vma;
			uint64_t b = hi < s->vma + s->size ? hi : s->vma + s->size;
			if (a < b && fwm_ivals_add(&r->cus->units, a, b, cu) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* Functions and variables among the children of die (a CU or a namespace). */
static int scan_children(struct reader *r, Dwarf_Die *parent, unsigned cu)
{
	Dwarf_Die die;
	int rc = dwarf_child(parent, &die);
	if (rc != 0)
		return rc < 0 ? -EINVAL : 0;
	do {
		switch (dwarf_tag(&die)) {
		case DW_TAG_subprogram: rc = add_function(r, &die, cu); break;
		case DW_TAG_variable: rc = add_variable(r, &die, cu); break;
		case DW_TAG_namespace: rc = scan_children(r, &die, cu); break;
		default: rc = 0; break;
		}
		if (rc < 0)
			return rc;
	} while ((rc = dwarf_siblingof(&die, &die)) == 0);
	return rc < 0 ? -EINVAL : 0;
}

static int has_section(const struct fwm_image *img, const char *name)
{
	for (size_t i = 1; i < img->nsec; i++)
		if (strcmp(img->sec[i].name, name) == 0 && img->sec[i].size)
			return 1;
	return 0;
}

static int load(struct fwm_image *img, struct fwm_cus *cus, int names_only, struct fwm_err *err);

int fwm_cus_load(struct fwm_image *img, struct fwm_cus *cus, struct fwm_err *err)
{
	return load(img, cus, 0, err);
}

int fwm_cus_load_names(struct fwm_image *img, struct fwm_cus *cus, struct fwm_err *err)
{
	return load(img, cus, 1, err);
}

static int path_ends_with(const char *p, const char *f)
{
	size_t pl = strlen(p), fl = strlen(f);
	return pl >= fl && strcmp(p + pl - fl, f) == 0 && (pl == fl || p[pl - fl - 1] == '/');
}

/* Whether the compile unit's own ranges hold addr (never an address 0 or
 * 1, where ld leaves the ranges of code it removed). */
static int unit_holds(const struct fwm_cus *cus, size_t cu, uint64_t addr)
{
	Dwarf_Die die;
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	if (!cus->dw || !dwarf_offdie(cus->dw, cus->dieoff[cu], &die))
		return 0;
	while ((off = dwarf_ranges(&die, off, &base, &lo, &hi)) > 0)
		if (lo > 1 && addr >= lo && addr < hi)
			return 1;
	return 0;
}

long *fwm_cus_match_groups(const struct fwm_image *img, const struct fwm_cus *cus)
{
	long *g = malloc((img->ngroups + 1) * sizeof *g);
	unsigned *votes = calloc(cus->n + 1, sizeof *votes);
	if (!g || !votes) {
		free(g);
		free(votes);
		return NULL;
	}
	for (unsigned i = 0; i <= img->ngroups; i++)
		g[i] = -2;   /* not looked at yet */
	for (size_t i = 0; i < img->nsym; i++) {
		const struct fwm_symbol *s = &img->sym[i];
		if (!s->group || g[s->group] != -2)
			continue;
		/* the units whose path ends in the STT_FILE name */
		long only = -1;
		size_t cand = 0;
		for (size_t k = 0; k < cus->n; k++)
			if (path_ends_with(cus->path[k], s->file)) {
				only = (long)k;
				cand++;
			}
		g[s->group] = only;
		if (cand < 2)
			continue;
		/* several: the one whose code holds the group's symbols */
		memset(votes, 0, (cus->n + 1) * sizeof *votes);
		for (size_t k = 0; k < cus->n; k++) {
			if (!path_ends_with(cus->path[k], s->file))
				continue;
			for (size_t j = i; j < img->nsym && img->sym[j].group <= s->group; j++)
				if (img->sym[j].group == s->group && unit_holds(cus, k, img->sym[j].addr))
					votes[k]++;
		}
		g[s->group] = -1;
		unsigned best = 0;
		for (size_t k = 0; k < cus->n; k++)
			if (votes[k] > best) {
				best = votes[k];
				g[s->group] = (long)k;
			}
	}
	free(votes);
	return g;
}

static int load(struct fwm_image *img, struct fwm_cus *cus, int names_only, struct fwm_err *err)
{
	memset(cus, 0, sizeof *cus);
	cus->has_dwarf = has_section(img, ".debug_info") || has_section(img, ".zdebug_info");
	if (!cus->has_dwarf)
		return 0;
	int rc = fwm_image_load_symbols(img, err);
	if (rc < 0)
		return rc;
	struct reader r = { img, cus, { NULL, 0 }, err };
	r.syms.v = malloc((names_only ? 1 : img->nsym + 1) * sizeof *r.syms.v);
	if (!r.syms.v)
		return fwm_errf(err, -ENOMEM, "out of memory");
	for (size_t i = 0; !names_only && i < img->nsym; i++)
		if (img->sym[i].section >= 0 && img->sym[i].kind != FWM_SYM_OTHER)
			r.syms.v[r.syms.n++] = &img->sym[i];
	if (r.syms.n)
		qsort(r.syms.v, r.syms.n, sizeof *r.syms.v, cmp_symaddr);

	Dwarf *dw = dwarf_begin_elf(img->elf, DWARF_C_READ, NULL);
	if (!dw) {
		free(r.syms.v);
		return fwm_errf(err, -EINVAL, "%s: cannot read its DWARF: %s", img->path, dwarf_errmsg(-1));
	}
	Dwarf_Off off = 0, next;
	size_t hsize, cap = 0;
	while ((rc = dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) == 0) {
		Dwarf_Die cudie;
		Dwarf_Off cuoff = off;
		off = next;
		if (!dwarf_offdie(dw, cuoff + hsize, &cudie)) {
			rc = fwm_errf(err, -EINVAL, "%s: corrupt DWARF unit at .debug_info offset 0x%llx: %s",
				      img->path, (unsigned long long)cuoff, dwarf_errmsg(-1));
			break;
		}
		int tag = dwarf_tag(&cudie);
		if (tag != DW_TAG_compile_unit && tag != DW_TAG_partial_unit)
			continue;
		if (cus->n == cap) {
			cap = cap ? 2 * cap : 64;
			char **v = realloc(cus->path, cap * sizeof *v);
			if (v)
				cus->path = v;
			uint64_t *o = realloc(cus->dieoff, cap * sizeof *o);
			if (o)
				cus->dieoff = o;
			if (!v || !o) {
				rc = -ENOMEM;
				break;
			}
		}
		const char *name = dwarf_diename(&cudie);
		Dwarf_Attribute at;
		const char *dir = dwarf_formstring(dwarf_attr(&cudie, DW_AT_comp_dir, &at));
		char *path = fwm_path_join(dir, name && *name ? name : "[unnamed compile unit]");
		if (!path) {
			rc = -ENOMEM;
			break;
		}
		unsigned cu = (unsigned)cus->n;
		cus->dieoff[cu] = cuoff + hsize;
		cus->path[cus->n++] = path;
		if (!names_only && (rc = scan_children(&r, &cudie, cu)) < 0) {
			if (rc == -EINVAL)
				rc = fwm_errf(err, rc, "%s: corrupt DWARF in the unit at .debug_info offset 0x%llx: %s",
					      img->path, (unsigned long long)cuoff, dwarf_errmsg(-1));
			break;
		}
	}
	if (rc > 0)
		rc = 0;   /* the end of the units */
	else if (rc == -1)
		rc = fwm_errf(err, -EINVAL, "%s: corrupt DWARF unit header at .debug_info offset 0x%llx: %s",
			      img->path, (unsigned long long)off, dwarf_errmsg(-1));
	fwm_ivals_normalize(&cus->funcs);
	/* second pass: unit ranges, which need every confirmed function */
	for (size_t cu = 0; rc == 0 && !names_only && cu < cus->n; cu++) {
		Dwarf_Die cudie;
		if (dwarf_offdie(dw, cus->dieoff[cu], &cudie))
			rc = add_unit_ranges(&r, &cudie, (unsigned)cu);
	}
	fwm_ivals_normalize(&cus->units);
	if (rc == -ENOMEM)
		rc = fwm_errf(err, rc, "out of memory");
	free(r.syms.v);
	cus->dw = dw;
	if (rc < 0)
		fwm_cus_free(cus);
	return rc;
}

void fwm_cus_free(struct fwm_cus *cus)
{
	if (cus->dw)
		dwarf_end(cus->dw);
	free(cus->dieoff);
	for (size_t i = 0; i < cus->n; i++)
		free(cus->path[i]);
	free(cus->path);
	free(cus->funcs.v);
	free(cus->units.v);
	memset(cus, 0, sizeof *cus);
}
