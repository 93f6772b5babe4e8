#include "fwm_layout.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fwm_section_takes_space(const struct fwm_section *s)
{
	if (!fwm_section_is_alloc(s))
		return 0;
	return !(s->type == SHT_NOBITS && (s->flags & SHF_TLS));
}

static int region_of(const struct fwm_region_set *set, uint64_t addr)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct fwm_region *r = &set->v[i];
		if (addr >= r->origin && addr - r->origin < r->length)
			return (int)i;
	}
	return -1;
}

struct range { uint64_t lo, hi; unsigned flags; };

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Regions from PT_LOAD segments: each segment's run-time range, and its load
 * range where that differs; ranges that overlap or touch are merged. */
static int regions_from_segments(const struct fwm_image *img, struct fwm_region_set *set,
				 struct fwm_err *err)
{
	struct range *v = calloc(2 * img->nseg + 1, sizeof *v);
	size_t n = 0;
	if (!v)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
	for (size_t i = 0; i < img->nseg; i++) {
		const struct fwm_segment *g = &img->seg[i];
		if (g->type != PT_LOAD || g->memsz == 0)
			continue;
		v[n++] = (struct range){ g->vaddr, g->vaddr + g->memsz, g->flags };
		if (g->filesz && g->paddr != g->vaddr)
			v[n++] = (struct range){ g->paddr, g->paddr + g->filesz, g->flags & ~(unsigned)PF_W };
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_range);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && v[i].lo <= v[m - 1].hi) {
			if (v[i].hi > v[m - 1].hi)
				v[m - 1].hi = v[i].hi;
			v[m - 1].flags |= v[i].flags;
		} else {
			v[m++] = v[i];
		}
	}
	set->v = calloc(m ? m : 1, sizeof *set->v);
	if (!set->v) {
		free(v);
		return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
	}
	for (size_t i = 0; i < m; i++) {
		struct fwm_region *r = &set->v[i];
		char name[32];
		snprintf(name, sizeof name, "LOAD%zu", i);
		r->name = strdup(name);
		if (!r->name) {
			set->n = i;
			free(v);
			return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
		}
		r->origin = v[i].lo;
		r->length = v[i].hi - v[i].lo;
		snprintf(r->attrs, sizeof r->attrs, "%s%s%s", v[i].flags & PF_R ? "r" : "",
			 v[i].flags & PF_W ? "w" : "", v[i].flags & PF_X ? "x" : "");
	}
	set->n = m;
	free(v);
	return 0;
}

static int cmp_place(const void *a, const void *b)
{
	const struct fwm_placement *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->section < y->section ? -1 : x->section > y->section;
}

static int add(struct fwm_placement **v, size_t *n, struct fwm_placement p)
{
	struct fwm_placement *nv = realloc(*v, (*n + 1) * sizeof **v);
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = p;
	*v = nv;
	return 0;
}

int fwm_layout_build(const struct fwm_image *img, const struct fwm_region_set *regions,
		     enum fwm_region_source source, struct fwm_layout **out, struct fwm_err *err)
{
	int rc;
	struct fwm_layout *lay = calloc(1, sizeof *lay);
	*out = NULL;
	if (!lay)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
	lay->source = regions ? source : FWM_SRC_SEGMENTS;
	if (!regions) {
		if ((rc = regions_from_segments(img, &lay->own, err)) < 0)
			goto fail;
		regions = &lay->own;
	}
	lay->reg = calloc(regions->n + 1, sizeof *lay->reg);
	if (lay->reg)
		lay->nreg = regions->n;
	lay->vma_region = malloc((img->nsec + 1) * sizeof(int));
	lay->lma_region = malloc((img->nsec + 1) * sizeof(int));
	if (!lay->reg || !lay->vma_region || !lay->lma_region)
		goto nomem;
	for (size_t i = 0; i < regions->n; i++)
		lay->reg[i].r = &regions->v[i];
	for (size_t i = 0; i < img->nsec; i++) {
		const struct fwm_section *s = &img->sec[i];
		lay->vma_region[i] = lay->lma_region[i] = -1;
		if (!fwm_section_takes_space(s))
			continue;
		int rv = region_of(regions, s->vma);
		struct fwm_placement p = { (unsigned)i, 0, s->vma, s->size };
		if (rv < 0 ? add(&lay->outside, &lay->noutside, p)
			   : add(&lay->reg[rv].p, &lay->reg[rv].np, p))
			goto nomem;
		lay->vma_region[i] = rv;
		if (s->type == SHT_NOBITS || s->lma == s->vma)
			continue;
		int rl = region_of(regions, s->lma);
		if (rl == rv && rv >= 0)
			continue;
		p = (struct fwm_placement){ (unsigned)i, 1, s->lma, s->size };
		if (rl < 0 ? add(&lay->outside, &lay->noutside, p)
			   : add(&lay->reg[rl].p, &lay->reg[rl].np, p))
			goto nomem;
		lay->lma_region[i] = rl;
	}
	for (size_t i = 0; i < lay->nreg; i++) {
		struct fwm_region_use *u = &lay->reg[i];
		if (u->np)
			qsort(u->p, u->np, sizeof *u->p, cmp_place);
		for (size_t k = 0; k < u->np; k++)
			if (u->p[k].addr + u->p[k].size - u->r->origin > u->used)
				u->used = u->p[k].addr + u->p[k].size - u->r->origin;
	}
	if (lay->noutside)
		qsort(lay->outside, lay->noutside, sizeof *lay->outside, cmp_place);
	*out = lay;
	return 0;
nomem:
	rc = fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
fail:
	fwm_layout_free(lay);
	return rc;
}

void fwm_layout_free(struct fwm_layout *lay)
{
	if (!lay)
		return;
	for (size_t i = 0; i < lay->nreg; i++)
		free(lay->reg[i].p);
	free(lay->reg);
	free(lay->outside);
	free(lay->vma_region);
	free(lay->lma_region);
	fwm_region_set_free(&lay->own);
	free(lay);
}
