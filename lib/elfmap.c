/* elfmap reports: regions, sections and symbols (the tree is in tree.c). */
#include "fwm_dwarf.h"
#include "fwm_elfmap.h"

#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int fwm_elfmap_open(const struct fwm_elfmap_opts *o, struct fwm_elfmap **out, struct fwm_err *err)
{
	int rc;
	struct fwm_elfmap *m = calloc(1, sizeof *m);
	*out = NULL;
	if (!m)
		return fwm_errf(err, -ENOMEM, "out of memory");
	if ((rc = fwm_image_open(o->elf, &m->img, err)) < 0)
		goto fail;
	if (o->ld && (rc = fwm_ld_parse_file(o->ld, &m->ld, err)) < 0)
		goto fail;
	if (o->map && (rc = fwm_map_load(o->map, &m->map, err)) < 0)
		goto fail;
	const struct fwm_region_set *set = NULL;
	enum fwm_region_source src = FWM_SRC_SEGMENTS;
	if (o->ld) {
		set = &m->ld;
		src = FWM_SRC_LD;
		m->region_file = o->ld;
	} else if (m->map && m->map->regions.n) {
		set = &m->map->regions;
		src = FWM_SRC_MAP;
		m->region_file = o->map;
	}
	if ((rc = fwm_layout_build(m->img, set, src, &m->lay, err)) < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	fwm_elfmap_close(m);
	return rc;
}

void fwm_elfmap_close(struct fwm_elfmap *m)
{
	if (!m)
		return;
	fwm_layout_free(m->lay);
	fwm_map_close(m->map);
	fwm_region_set_free(&m->ld);
	fwm_image_close(m->img);
	free(m);
}

/* ---- shared helpers ---------------------------------------------------- */

static const char *source_name(enum fwm_region_source s)
{
	return s == FWM_SRC_LD ? "ld-script" : s == FWM_SRC_MAP ? "map" : "segments";
}

static int nomem(struct fwm_err *err)
{
	return fwm_errf(err, -ENOMEM, "out of memory");
}

int fwm_elfmap_emit(json_t *doc, const struct fwm_out *o, const char *key, struct fwm_err *err)
{
	if (!doc)
		return nomem(err);
	if (o->collect)
		return json_object_set_new(o->collect, key, doc) ? nomem(err) : 0;
	int rc = fwm_json_dump(doc, o->f);
	json_decref(doc);
	return rc ? fwm_errf(err, -EIO, "cannot write the output") : 0;
}

/* A document {"file": ..., "machine": ..., ...} that reports fill in. */
static json_t *doc_new(const struct fwm_elfmap *m)
{
	json_t *d = json_object();
	char bid[2 * sizeof m->img->build_id + 1] = "";
	for (size_t i = 0; i < m->img->build_id_len; i++)
		sprintf(bid + 2 * i, "%02x", m->img->build_id[i]);
	if (d && (json_object_set_new(d, "file", fwm_json_string(m->img->path)) ||
		  json_object_set_new(d, "machine", json_string(fwm_machine_name(m->img->machine))) ||
		  json_object_set_new(d, "class", json_integer(m->img->elfclass)) ||
		  json_object_set_new(d, "build_id", m->img->build_id_len ? json_string(bid) : json_null()))) {
		json_decref(d);
		return NULL;
	}
	return d;
}

static const char *region_name(const struct fwm_elfmap *m, int r)
{
	return r >= 0 ? m->lay->reg[r].r->name : NULL;
}

/* ---- regions ------------------------------------------------------------ */

static const struct fwm_column region_cols[] = {
	{ "name", "Region", FWM_COL_STR },
	{ "origin", "Origin", FWM_COL_ADDR },
	{ "length", "Length", FWM_COL_INT },
	{ "used", "Used", FWM_COL_INT },
	{ "free", "Free", FWM_COL_INT },
	{ "percent", "Use%", FWM_COL_PCT },
	{ "attributes", "Attr", FWM_COL_STR },
};

static double pct(uint64_t used, uint64_t len)
{
	return len ? (double)used * 100.0 / (double)len : 0.0;
}

static json_t *placements_json(const struct fwm_elfmap *m, const struct fwm_placement *p, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		const struct fwm_section *s = &m->img->sec[p[i].section];
		if (json_array_append_new(a, json_pack("{s:o, s:s, s:I, s:I}",
				"section", fwm_json_string(s->name),
				"placement", p[i].at_lma ? "lma" : "vma",
				"address", (json_int_t)p[i].addr, "size", (json_int_t)p[i].size))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static void bar(FILE *f, double p, int color)
{
	int n = p >= 100.0 ? 20 : (int)(p / 5.0 + 0.5);
	const char *c = p >= 90.0 ? "\033[31m" : p >= 75.0 ? "\033[33m" : "\033[32m";
	fputs(color ? c : "", f);
	fputc('[', f);
	for (int i = 0; i < 20; i++)
		fputc(i < n ? '#' : '.', f);
	fputc(']', f);
	fputs(color ? "\033[0m" : "", f);
}

int fwm_elfmap_regions(struct fwm_elfmap *m, const struct fwm_out *o, struct fwm_err *err)
{
	const struct fwm_layout *lay = m->lay;
	struct fwm_table t;
	fwm_table_init(&t, region_cols, sizeof region_cols / sizeof *region_cols);
	t.addr_digits = m->img->elfclass == 64 ? 16 : 8;
	for (size_t i = 0; i < lay->nreg; i++) {
		const struct fwm_region_use *u = &lay->reg[i];
		struct fwm_cell *c = fwm_table_add(&t);
		if (!c) {
			fwm_table_free(&t);
			return nomem(err);
		}
		c[0].s = u->r->name;
		c[1].u = u->r->origin;
		c[2].u = u->r->length;
		c[3].u = u->used;
		c[4].u = u->used < u->r->length ? u->r->length - u->used : 0;
		c[5].d = pct(u->used, u->r->length);
		c[6].s = u->r->attrs;
	}
	int rc = 0;
	if (o->fmt == FWM_FMT_JSON) {
		json_t *d = doc_new(m), *rows = fwm_table_json(&t);
		for (size_t i = 0; d && rows && i < lay->nreg; i++)
			json_object_set_new(json_array_get(rows, i), "contents",
					    placements_json(m, lay->reg[i].p, lay->reg[i].np));
		if (d && rows) {
			json_object_set_new(d, "region_source", json_string(source_name(lay->source)));
			json_object_set_new(d, "regions", rows);
			json_object_set_new(d, "outside", placements_json(m, lay->outside, lay->noutside));
		} else {
			json_decref(rows);
			json_decref(d);
			d = NULL;
		}
		rc = fwm_elfmap_emit(d, o, "regions", err);
	} else if (o->fmt != FWM_FMT_TEXT) {
		fwm_table_print(&t, o->fmt, o->f);
	} else {
		FILE *f = o->f;
		fprintf(f, "%s: %s ELF%d, regions from %s%s%s\n", m->img->path,
			fwm_machine_name(m->img->machine), m->img->elfclass, source_name(lay->source),
			m->region_file ? " " : "", m->region_file ? m->region_file : "");
		fwm_table_print(&t, FWM_FMT_TEXT, f);
		for (size_t i = 0; i < lay->nreg; i++) {
			const struct fwm_region_use *u = &lay->reg[i];
			fprintf(f, "\n%s ", u->r->name);
			bar(f, pct(u->used, u->r->length), o->color);
			fprintf(f, " %" PRIu64 " of %" PRIu64 " bytes\n", u->used, u->r->length);
			for (size_t k = 0; k < u->np; k++)
				fprintf(f, "  0x%0*" PRIx64 " %10" PRIu64 "  %s%s\n", t.addr_digits, u->p[k].addr,
					u->p[k].size, m->img->sec[u->p[k].section].name,
					u->p[k].at_lma ? " (load image)" : "");
		}
		if (lay->noutside) {
			fprintf(f, "\nnot in any region:\n");
			for (size_t k = 0; k < lay->noutside; k++)
				fprintf(f, "  0x%0*" PRIx64 " %10" PRIu64 "  %s%s\n", t.addr_digits,
					lay->outside[k].addr, lay->outside[k].size,
					m->img->sec[lay->outside[k].section].name,
					lay->outside[k].at_lma ? " (load image)" : "");
		}
	}
	fwm_table_free(&t);
	return rc;
}

/* ---- sections ----------------------------------------------------------- */

static const struct fwm_column section_cols[] = {
	{ "index", "Idx", FWM_COL_INT },
	{ "name", "Name", FWM_COL_STR },
	{ "type", "Type", FWM_COL_STR },
	{ "flags", "Flags", FWM_COL_STR },
	{ "vma", "VMA", FWM_COL_ADDR },
	{ "lma", "LMA", FWM_COL_ADDR },
	{ "size", "Size", FWM_COL_INT },
	{ "align", "Align", FWM_COL_INT },
	{ "region", "Region", FWM_COL_STR },
	{ "load_region", "Load region", FWM_COL_STR },
};

static const char *section_type(uint32_t type, unsigned machine, char *buf, size_t len)
{
	static const char *const names[] = {
		[SHT_NULL] = "NULL", [SHT_PROGBITS] = "PROGBITS", [SHT_SYMTAB] = "SYMTAB",
		[SHT_STRTAB] = "STRTAB", [SHT_RELA] = "RELA", [SHT_HASH] = "HASH",
		[SHT_DYNAMIC] = "DYNAMIC", [SHT_NOTE] = "NOTE", [SHT_NOBITS] = "NOBITS",
		[SHT_REL] = "REL", [SHT_SHLIB] = "SHLIB", [SHT_DYNSYM] = "DYNSYM",
		[SHT_INIT_ARRAY] = "INIT_ARRAY", [SHT_FINI_ARRAY] = "FINI_ARRAY",
		[SHT_PREINIT_ARRAY] = "PREINIT_ARRAY", [SHT_GROUP] = "GROUP",
		[SHT_SYMTAB_SHNDX] = "SYMTAB_SHNDX",
	};
	if (type < sizeof names / sizeof *names && names[type])
		return names[type];
	if (machine == EM_ARM && type == SHT_ARM_EXIDX)
		return "ARM_EXIDX";
	if (machine == EM_ARM && type == SHT_ARM_ATTRIBUTES)
		return "ARM_ATTRIBUTES";
	if (machine == EM_RISCV && type == 0x70000003)
		return "RISCV_ATTRIBUTES";
	if (type == SHT_GNU_HASH)
		return "GNU_HASH";
	if (type == SHT_GNU_versym)
		return "VERSYM";
	if (type == SHT_GNU_verneed)
		return "VERNEED";
	snprintf(buf, len, "0x%08" PRIx32, type);
	return buf;
}

static void section_flags(uint64_t fl, char *buf)
{
	static const struct { uint64_t bit; char c; } map[] = {
		{ SHF_WRITE, 'W' }, { SHF_ALLOC, 'A' }, { SHF_EXECINSTR, 'X' }, { SHF_MERGE, 'M' },
		{ SHF_STRINGS, 'S' }, { SHF_INFO_LINK, 'I' }, { SHF_LINK_ORDER, 'L' },
		{ SHF_OS_NONCONFORMING, 'O' }, { SHF_GROUP, 'G' }, { SHF_TLS, 'T' },
		{ SHF_COMPRESSED, 'C' }, { SHF_EXCLUDE, 'E' },
	};
	char *p = buf;
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (fl & map[i].bit)
			*p++ = map[i].c;
	*p = 0;
}

/* Whether binutils' BFD makes a section of it (size -A lists those). */
static int bfd_visible(const struct fwm_section *s)
{
	if (s->type == SHT_NULL || s->type == SHT_GROUP || s->type == SHT_SYMTAB_SHNDX)
		return 0;
	if (!(s->flags & SHF_ALLOC) &&
	    (s->type == SHT_SYMTAB || s->type == SHT_STRTAB || s->type == SHT_REL || s->type == SHT_RELA))
		return 0;
	return 1;
}

int fwm_elfmap_sections(struct fwm_elfmap *m, const struct fwm_out *o, struct fwm_err *err)
{
	const struct fwm_image *img = m->img;
	struct fwm_table t;
	fwm_table_init(&t, section_cols, sizeof section_cols / sizeof *section_cols);
	t.addr_digits = img->elfclass == 64 ? 16 : 8;
	char (*strs)[2][24] = calloc(img->nsec + 1, sizeof *strs);
	uint64_t text = 0, data = 0, bss = 0, all = 0;
	int rc = 0;
	if (!strs)
		return nomem(err);
	for (size_t i = 1; i < img->nsec; i++) {
		const struct fwm_section *s = &img->sec[i];
		struct fwm_cell *c = fwm_table_add(&t);
		if (!c) {
			rc = nomem(err);
			goto out;
		}
		section_flags(s->flags, strs[i][1]);
		c[0].u = s->index;
		c[1].s = s->name;
		c[2].s = section_type(s->type, img->machine, strs[i][0], sizeof strs[i][0]);
		c[3].s = strs[i][1];
		c[4].u = s->vma;
		c[5].u = s->lma;
		c[6].u = s->size;
		c[7].u = s->align;
		c[8].s = region_name(m, m->lay->vma_region[i]);
		c[9].s = region_name(m, m->lay->lma_region[i]);
		if (bfd_visible(s))
			all += s->size;
		if (s->flags & SHF_ALLOC) {   /* Berkeley classes, as size -B counts */
			if ((s->flags & SHF_EXECINSTR) || !(s->flags & SHF_WRITE))
				text += s->size;
			else if (s->type != SHT_NOBITS)
				data += s->size;
			else
				bss += s->size;
		}
	}
	if (o->fmt == FWM_FMT_JSON) {
		json_t *d = doc_new(m), *rows = fwm_table_json(&t);
		if (d && rows && !json_object_set_new(d, "sections", rows)) {
			json_object_set_new(d, "totals", json_pack("{s:I,s:I,s:I,s:I,s:I}",
				"text", (json_int_t)text, "data", (json_int_t)data, "bss", (json_int_t)bss,
				"dec", (json_int_t)(text + data + bss), "all", (json_int_t)all));
		} else {
			json_decref(rows);
			json_decref(d);
			d = NULL;
		}
		rc = fwm_elfmap_emit(d, o, "sections", err);
	} else {
		fwm_table_print(&t, o->fmt, o->f);
		if (o->fmt == FWM_FMT_TEXT)
			fprintf(o->f, "\ntext %" PRIu64 "  data %" PRIu64 "  bss %" PRIu64 "  dec %" PRIu64
				"  (all sections %" PRIu64 ")\n", text, data, bss, text + data + bss, all);
	}
out:
	fwm_table_free(&t);
	free(strs);
	return rc;
}

/* ---- symbols ------------------------------------------------------------ */

static const struct fwm_column symbol_cols[] = {
	{ "name", "Name", FWM_COL_STR },
	{ "address", "Address", FWM_COL_ADDR },
	{ "size", "Size", FWM_COL_INT },
	{ "type", "Type", FWM_COL_STR },
	{ "bind", "Bind", FWM_COL_STR },
	{ "section", "Section", FWM_COL_STR },
	{ "region", "Region", FWM_COL_STR },
	{ "file", "File", FWM_COL_STR },
};

/* ARM and RISC-V mapping symbols ($a, $t, $d, $x, "$d.12"): not program symbols. */
static int is_mapping_symbol(const char *n)
{
	return n[0] == '$' && strchr("atdx", n[1]) && (n[2] == 0 || n[2] == '.');
}

/* Sort keys kept beside the pointer, so that sorting touches one array. */
struct symkey {
	uint64_t size, addr;
	const struct fwm_symbol *s;
};

/* Whether x sorts before y: larger first, then lower address, then name. */
static inline int sym_before(const struct symkey *x, const struct symkey *y)
{
	if (x->size != y->size)
		return x->size > y->size;
	if (x->addr != y->addr)
		return x->addr < y->addr;
	return strcmp(x->s->name, y->s->name) < 0;
}

/* A stable bottom-up merge sort: with the comparison inlined it costs a
 * third of qsort(3) on the 40,000 symbols of a large firmware. */
static int sort_symbols(struct symkey *v, size_t n)
{
	struct symkey *tmp = malloc((n + 1) * sizeof *tmp), *a = v, *b = tmp;
	if (!tmp)
		return -ENOMEM;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				b[k++] = sym_before(&a[j], &a[i]) ? a[j++] : a[i++];
			while (i < mid)
				b[k++] = a[i++];
			while (j < hi)
				b[k++] = a[j++];
		}
		struct symkey *t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof *v);
	free(tmp);
	return 0;
}

static const char *const kind_names[] = { "func", "object", "other" };
static const char *const bind_names[] = { "local", "global", "weak" };

int fwm_elfmap_symbols(struct fwm_elfmap *m, const struct fwm_symfilter *flt,
		       const struct fwm_out *o, struct fwm_err *err)
{
	struct fwm_image *img = m->img;
	struct fwm_cus cus;
	int rc = fwm_image_load_symbols(img, err);
	if (rc < 0 || (rc = fwm_cus_load_names(img, &cus, err)) < 0)
		return rc;
	long *groupcu = fwm_cus_match_groups(img, &cus);
	if (!groupcu) {
		fwm_cus_free(&cus);
		return nomem(err);
	}
	struct symkey *v = malloc((img->nsym + 1) * sizeof *v);
	if (!v) {
		fwm_cus_free(&cus);
		free(groupcu);
		return nomem(err);
	}
	size_t n = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < img->nsym; i++) {
		const struct fwm_symbol *s = &img->sym[i];
		if (s->section < 0 || (!s->size && !flt->all) || is_mapping_symbol(s->name))
			continue;
		if (flt->kind >= 0 && s->kind != flt->kind)
			continue;
		if (flt->section && strcmp(img->sec[s->section].name, flt->section) != 0)
			continue;
		if (flt->region) {
			const char *r = region_name(m, m->lay->vma_region[s->section]);
			if (!r || strcmp(r, flt->region) != 0)
				continue;
		}
		if (flt->name && fnmatch(flt->name, s->name, 0) != 0)
			continue;
		v[n++] = (struct symkey){ s->size, s->addr, s };
		total += s->size;
	}
	struct fwm_table t;
	fwm_table_init(&t, symbol_cols, sizeof symbol_cols / sizeof *symbol_cols);
	if (sort_symbols(v, n) < 0) {
		rc = nomem(err);
		goto out;
	}
	t.addr_digits = img->elfclass == 64 ? 16 : 8;
	for (size_t i = 0; i < n; i++) {
		struct fwm_cell *c = fwm_table_add(&t);
		if (!c) {
			rc = nomem(err);
			goto out;
		}
		c[0].s = v[i].s->name;
		c[1].u = v[i].s->addr;
		c[2].u = v[i].s->size;
		c[3].s = kind_names[v[i].s->kind];
		c[4].s = bind_names[v[i].s->bind];
		c[5].s = img->sec[v[i].s->section].name;
		c[6].s = region_name(m, m->lay->vma_region[v[i].s->section]);
		/* locals: the compile unit of their STT_FILE group, else its name */
		long cu = groupcu[v[i].s->group];
		c[7].s = cu >= 0 ? cus.path[cu] : v[i].s->file;
	}
	if (o->fmt == FWM_FMT_JSON) {
		json_t *d = doc_new(m), *rows = fwm_table_json(&t);
		if (d && rows && !json_object_set_new(d, "symbols", rows)) {
			json_object_set_new(d, "count", json_integer((json_int_t)n));
			json_object_set_new(d, "total_size", json_integer((json_int_t)total));
		} else {
			json_decref(rows);
			json_decref(d);
			d = NULL;
		}
		rc = fwm_elfmap_emit(d, o, "symbols", err);
	} else {
		fwm_table_print(&t, o->fmt, o->f);
		if (o->fmt == FWM_FMT_TEXT)
			fprintf(o->f, "\n%zu symbols, %" PRIu64 " bytes\n", n, total);
	}
out:
	fwm_table_free(&t);
	free(v);
	free(groupcu);
	fwm_cus_free(&cus);
	return rc;
}
