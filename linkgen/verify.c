/* verify, explain and closure over a linked image (see lg_verify.h). */
#include "lg_verify.h"

#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fwm_layout.h"

#define LOADED_KINDS (LG_K_CODE | LG_K_RODATA | LG_K_DATA)

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* "good.spec:7" */
static const char *where(const struct lg_spec *s, const struct lg_rule *u, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%u", s->path, u->line);
	return buf;
}

static const char *region_name(const struct lg_regions *r, int idx)
{
	return idx >= 0 ? r->set.v[idx].name : "no region";
}

/* ---- session ------------------------------------------------------------------- */

static const struct fwm_section *section_named(const struct fwm_image *img, const char *name);

/* Precedence key of a rule: tier, then the generated script's section order. */
static long rank(const struct lg_rule *u, size_t idx)
{
	long k = (long)lg_rule_tier(u);
	k = k * 4096 + u->region_idx;
	k = k * 2 + !u->copies;
	k = k * 2 + (u->copies ? (long)u->phase : 0);
	return k * 65536 + (long)idx;
}

static int is_fwm_section(const char *name)
{
	return name && strncmp(name, ".fwm.", 5) == 0 && strcmp(name, ".fwm.tables") != 0;
}

static void compute_winners(struct lg_session *ss)
{
	const struct lg_spec *s = ss->spec;
	for (size_t i = 0; i < ss->nin; i++) {
		int best = -1, rival = -1;
		for (size_t j = 0; j < s->nrules; j++) {
			const struct lg_rule *u = &s->rules[j];
			if (!lg_rule_matches(u, &ss->in[i]))
				continue;
			if (best < 0 || rank(u, j) < rank(&s->rules[best], (size_t)best)) {
				if (best >= 0 && lg_rule_tier(&s->rules[best]) == lg_rule_tier(u) &&
				    s->rules[best].region_idx != u->region_idx)
					rival = best;
				else if (best >= 0)
					rival = rival >= 0 && lg_rule_tier(&s->rules[rival]) == lg_rule_tier(u) ? rival : -1;
				best = (int)j;
			} else if (lg_rule_tier(u) == lg_rule_tier(&s->rules[best]) &&
				   u->region_idx != s->rules[best].region_idx && rival < 0)
				rival = (int)j;
		}
		ss->winner[i] = best;
		ss->rival[i] = rival;
	}
}

/* The input section holding addr, or -1 (inputs are sorted by address). */
static long input_at(const struct lg_session *ss, uint64_t addr)
{
	size_t lo = 0, hi = ss->nin;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ss->in[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;) {
		const struct lg_input *x = &ss->in[i];
		if (addr >= x->addr && addr < x->addr + x->size)
			return (long)i;
		if (x->addr + x->size <= addr && i + 8 < lo)
			break;
	}
	return -1;
}

static int is_code_rule(const struct lg_session *ss, const struct lg_rule *u)
{
	return (u->kinds & LG_K_CODE) && !lg_region_is_flash(ss->reg, u->region_idx);
}

/* Functions whose address lies in [lo, hi). */
static size_t funcs_in(const struct lg_session *ss, uint64_t lo, uint64_t hi, const struct fwm_symbol **out,
		       size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ss->img->nsym && n < max; i++) {
		const struct fwm_symbol *y = &ss->img->sym[i];
		if (y->kind == FWM_SYM_FUNC && y->addr >= lo && y->addr < hi)
			out[n++] = y;
	}
	return n;
}

/* Inputs in linkgen's sections that no rule selects, but that the code of a
 * callees=pull rule reaches: the rule pulled them in. */
static void attribute_pulled(struct lg_session *ss)
{
	if (!ss->code || !ss->nin)
		return;
	size_t *queue = malloc(ss->nin * sizeof *queue), qn = 0;
	if (!queue)
		return;
	for (size_t i = 0; i < ss->nin; i++) {
		int w = ss->winner[i];
		if (w >= 0 && ss->spec->rules[w].callees == LG_CALLEES_PULL && (ss->in[i].kind == LG_K_CODE || !ss->in[i].kind))
			queue[qn++] = i;
	}
	for (size_t q = 0; q < qn; q++) {
		const struct lg_input *x = &ss->in[queue[q]];
		int w = ss->winner[queue[q]];
		struct lg_ref *refs;
		size_t nr;
		if (lg_code_refs(ss->code, x->addr, x->size, &refs, &nr) < 0)
			continue;
		for (size_t k = 0; k < nr; k++) {
			if (refs[k].kind == LG_REF_LITERAL)
				continue;
			long t = input_at(ss, refs[k].target);
			if (t < 0 || ss->winner[t] >= 0 || !is_fwm_section(ss->in[t].out_section))
				continue;
			ss->winner[t] = w;
			ss->pulled[t] = 1;
			if (qn < ss->nin)
				queue[qn++] = (size_t)t;
		}
		free(refs);
	}
	free(queue);
}

int lg_session_open(const struct lg_spec *s, const struct lg_regions *r, const char *elf, const char *map,
		    struct lg_session **out, struct fwm_err *err)
{
	struct lg_session *ss = calloc(1, sizeof *ss);
	if (!ss)
		return fwm_errf(err, -ENOMEM, "out of memory");
	ss->spec = s;
	ss->reg = r;
	int rc = fwm_image_open(elf, &ss->img, err);
	if (rc == 0)
		rc = fwm_image_load_symbols(ss->img, err);
	if (rc == 0 && map)
		rc = fwm_map_load(map, &ss->map, err);
	if (rc < 0) {
		lg_session_close(ss);
		return rc;
	}
	if (ss->map) {
		ss->in = calloc(ss->map->nin + 1, sizeof *ss->in);
		ss->winner = calloc(ss->map->nin + 1, sizeof *ss->winner);
		ss->rival = calloc(ss->map->nin + 1, sizeof *ss->rival);
		ss->pulled = calloc(ss->map->nin + 1, 1);
		if (!ss->in || !ss->winner || !ss->rival || !ss->pulled) {
			lg_session_close(ss);
			return fwm_errf(err, -ENOMEM, "out of memory");
		}
		const char *last_out = NULL;
		int last_alloc = 0;
		for (size_t i = 0; i < ss->map->nin; i++) {
			const struct fwm_map_input *m = &ss->map->in[i];
			if (m->is_fill || !m->file || strcmp(m->file, "linker stubs") == 0)
				continue;   /* veneers: the calls check follows them */
			if (m->out_section != last_out) {   /* the map interns these names */
				const struct fwm_section *os = section_named(ss->img, m->out_section);
				last_out = m->out_section;
				last_alloc = os ? fwm_section_is_alloc(os) : lg_section_kind(m->section) != 0;
			}
			if (!last_alloc)
				continue;   /* debug information, comments: not in memory */
			struct lg_input *x = &ss->in[ss->nin++];
			lg_input_init(x, m->file, m->section);
			x->out_section = m->out_section;
			x->addr = m->addr;
			x->size = m->size;
		}
	}
	struct fwm_err cerr = { "" };
	if (lg_code_open(ss->img, &ss->code, &cerr) < 0) {
		ss->code = NULL;
		snprintf(ss->code_note, sizeof ss->code_note, "%s", cerr.msg);
	}
	compute_winners(ss);
	attribute_pulled(ss);
	*out = ss;
	return 0;
}

void lg_session_close(struct lg_session *ss)
{
	if (!ss)
		return;
	lg_code_close(ss->code);
	if (ss->map)
		fwm_map_close(ss->map);
	if (ss->img)
		fwm_image_close(ss->img);
	free(ss->in);
	free(ss->winner);
	free(ss->rival);
	free(ss->pulled);
	free(ss);
}

/* ---- helpers --------------------------------------------------------------------- */

static const struct fwm_section *section_named(const struct fwm_image *img, const char *name)
{
	for (size_t i = 1; i < img->nsec; i++)
		if (name && strcmp(img->sec[i].name, name) == 0)
			return &img->sec[i];
	return NULL;
}

/* Symbols (functions and objects) inside an input section, comma-separated. */
static void input_symbols(const struct lg_session *ss, const struct lg_input *x, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < ss->img->nsym; i++) {
		const struct fwm_symbol *y = &ss->img->sym[i];
		if ((y->kind == FWM_SYM_FUNC || y->kind == FWM_SYM_OBJECT) && y->addr >= x->addr &&
		    y->addr < x->addr + (x->size ? x->size : 1) && o + strlen(y->name) + 2 < n)
			o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? "," : "", y->name);
	}
	if (!buf[0])
		snprintf(buf, n, "%s", x->section);
}

static const struct fwm_symbol *symbol_named(const struct fwm_image *img, const char *name)
{
	for (size_t i = 0; i < img->nsym; i++)
		if (strcmp(img->sym[i].name, name) == 0 &&
		    (img->sym[i].kind == FWM_SYM_FUNC || img->sym[i].kind == FWM_SYM_OBJECT))
			return &img->sym[i];
	for (size_t i = 0; i < img->nsym; i++)
		if (strcmp(img->sym[i].name, name) == 0)
			return &img->sym[i];
	return NULL;
}

static unsigned symbol_kind(const struct fwm_image *img, const struct fwm_symbol *y)
{
	if (y->kind == FWM_SYM_FUNC)
		return LG_K_CODE;
	if (y->section < 0)
		return 0;
	const struct fwm_section *s = &img->sec[y->section];
	if (s->type == SHT_NOBITS)
		return LG_K_BSS;
	if (s->flags & SHF_WRITE)
		return LG_K_DATA;
	if (s->flags & SHF_EXECINSTR)
		return LG_K_CODE;
	return LG_K_RODATA;
}

struct fv {
	struct lg_verify *v;
	int oom;
};

static void add_finding(struct fv *fv, enum lg_vkind k, int violation, int rule, const char *symbol, char *msg)
{
	struct lg_verify *v = fv->v;
	if (!msg) {
		fv->oom = 1;
		return;
	}
	struct lg_finding *nf = realloc(v->f, (v->nf + 1) * sizeof *nf);
	if (!nf) {
		free(msg);
		fv->oom = 1;
		return;
	}
	v->f = nf;
	struct lg_finding *x = &v->f[v->nf++];
	memset(x, 0, sizeof *x);
	x->kind = k;
	x->violation = violation;
	x->rule = rule;
	snprintf(x->symbol, sizeof x->symbol, "%s", symbol ? symbol : "");
	x->msg = msg;
	if (violation)
		v->nviolations++;
	else if (k != LG_V_NOTE)
		v->nwarnings++;
}

static void stat_symbols(struct lg_rule_stat *st, const char *names)
{
	size_t o = strlen(st->symbols);
	if (o + 4 >= sizeof st->symbols)
		return;
	if (o + strlen(names) + 2 >= sizeof st->symbols) {
		snprintf(st->symbols + o, sizeof st->symbols - o, "%s...", o ? "," : "");
		return;
	}
	snprintf(st->symbols + o, sizeof st->symbols - o, "%s%s", o ? "," : "", names);
}

/* ---- why a rule matched nothing --------------------------------------------------- */

/* Distinct archive basenames, object basenames or members of one archive in the map. */
static size_t map_names(const struct lg_session *ss, int what, const char *archive, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ss->nin && n < max; i++) {
		const struct lg_input *x = &ss->in[i];
		const char *name;
		if (what == 0)   /* archives */
			name = x->archive[0] ? lg_basename(x->archive) : NULL;
		else if (what == 1)   /* plain objects */
			name = x->archive[0] ? NULL : lg_basename(x->file);
		else   /* members of archive */
			name = x->archive[0] && strcmp(lg_basename(x->archive), lg_basename(archive)) == 0 ? x->member
												 : NULL;
		if (!name)
			continue;
		size_t k;
		for (k = 0; k < n; k++)
			if (strcmp(out[k], name) == 0)
				break;
		if (k == n)
			out[n++] = name;
	}
	return n;
}

static void join(char *buf, size_t n, const char **v, size_t nv, size_t max)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < nv && i < max && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", v[i]);
	if (nv > max && o < n)
		snprintf(buf + o, n - o, ", ... (%zu in all)", nv);
}

static char *why_nothing(const struct lg_session *ss, const struct lg_rule *u)
{
	const struct fwm_image *img = ss->img;
	const char *elf = img->path;
	char list[600];
	const char *names[512];
	size_t nn;
	if (u->sel == LG_SEL_SYMBOL) {
		if (strpbrk(u->name, "*?["))
			return xprintf("no symbol matches '%s' in %s", u->name, elf);
		const struct fwm_symbol *y = symbol_named(img, u->name);
		if (y) {
			unsigned k = symbol_kind(img, y);
			char kb[64];
			if (k && !(u->kinds & k))
				return xprintf("%s is %s, but the rule places %s", u->name, lg_kind_name(k),
					       lg_kinds_str(u->kinds, kb, sizeof kb));
			long i = ss->map ? input_at(ss, y->addr) : -1;
			if (i >= 0) {
				const struct lg_input *x = &ss->in[i];
				if (u->from && !lg_rule_matches(u, x))
					return xprintf("%s is defined in %s, not in %s", u->name, x->file, u->from);
				if (!x->kind)
					return xprintf("%s is in input section %s of %s, named by the source (__attribute__((section))): place it with 'place section %s'",
						       u->name, x->section, x->file, x->section);
				return xprintf("%s exists, but in input section %s of %s, not in a section of its own: compile %s with -ffunction-sections -fdata-sections, or place the object",
					       u->name, x->section, x->file, lg_basename(x->archive[0] ? x->member : x->file));
			}
			return xprintf("%s exists at 0x%08llx but not in a section of its own (compile with -ffunction-sections -fdata-sections)",
				       u->name, (unsigned long long)y->addr);
		}
		struct lg_inlined inl[4];
		int declared = 0;
		int ni = lg_find_inlined((struct fwm_image *)img, u->name, inl, 4, &declared);
		if (ni > 0) {
			char at[200] = "";
			if (inl[0].file[0])
				snprintf(at, sizeof at, " (%s:%u)", inl[0].file, inl[0].line);
			return xprintf("no symbol '%s' in %s: it was inlined into %s%s%s and has no out-of-line copy; mark it __attribute__((noinline)) or place its caller",
				       u->name, elf, inl[0].into, at, ni > 1 ? " and elsewhere" : "");
		}
		if (declared)
			return xprintf("no symbol '%s' in %s: DWARF describes it but it has no code or data in the image (removed by --gc-sections, or never defined)",
				       u->name, elf);
		nn = 0;
		for (size_t i = 0; i < img->nsym && nn < 512; i++)
			if (img->sym[i].kind == FWM_SYM_FUNC || img->sym[i].kind == FWM_SYM_OBJECT)
				names[nn++] = img->sym[i].name;
		const char *m = lg_closest(u->name, names, nn);
		return xprintf("no symbol '%s' in %s%s%s%s", u->name, elf, m ? "; did you mean '" : "", m ? m : "",
			       m ? "'?" : "");
	}
	if (!ss->map)
		return xprintf("not checked: rules that select files need --map");
	if (u->sel == LG_SEL_SECTION)
		return xprintf("no input section named %s%s%s in the link", u->name, u->from ? " from " : "",
			       u->from ? u->from : "");
	/* the files may be there, with none of the rule's kinds */
	struct lg_rule all = *u;
	all.kinds = LG_K_ALL;
	size_t any = 0;
	for (size_t i = 0; i < ss->nin; i++)
		if (lg_rule_matches(&all, &ss->in[i]))
			any++;
	if (any) {
		char kb[64];
		return xprintf("the files are in the link, but none has %s input sections",
			       lg_kinds_str(u->kinds, kb, sizeof kb));
	}
	switch (u->sel) {
	case LG_SEL_ARCHIVE: {
		nn = map_names(ss, 0, NULL, names, 512);
		const char *m = lg_closest(u->name, names, nn);
		join(list, sizeof list, names, nn, 8);
		return xprintf("no archive named %s in the link (archives: %s)%s%s%s", u->name, nn ? list : "none",
			       m ? "; did you mean '" : "", m ? m : "", m ? "'?" : "");
	}
	case LG_SEL_MEMBER: {
		nn = map_names(ss, 0, NULL, names, 512);
		int found = 0;
		for (size_t i = 0; i < nn; i++)
			if (strcmp(names[i], lg_basename(u->name)) == 0)
				found = 1;
		if (!found) {
			const char *m = lg_closest(lg_basename(u->name), names, nn);
			join(list, sizeof list, names, nn, 8);
			return xprintf("no archive named %s in the link (archives: %s)%s%s%s", u->name, nn ? list : "none",
				       m ? "; did you mean '" : "", m ? m : "", m ? "'?" : "");
		}
		nn = map_names(ss, 2, u->name, names, 512);
		const char *m = lg_closest(u->member, names, nn);
		join(list, sizeof list, names, nn, 8);
		return xprintf("%s has no member %s in the link (members linked: %s)%s%s%s", u->name, u->member, list,
			       m ? "; did you mean '" : "", m ? m : "", m ? "'?" : "");
	}
	case LG_SEL_OBJECT: {
		const char *base = lg_basename(u->name);
		for (size_t i = 0; i < ss->nin; i++)
			if (ss->in[i].archive[0] && strcmp(ss->in[i].member, base) == 0)
				return xprintf("%s is not a plain object in this link but a member of %s: use 'member %s:%s'",
					       u->name, lg_basename(ss->in[i].archive), lg_basename(ss->in[i].archive),
					       base);
		nn = map_names(ss, 1, NULL, names, 512);
		const char *m = lg_closest(base, names, nn);
		return xprintf("no object file %s in the link%s%s%s", u->name, m ? "; did you mean '" : "", m ? m : "",
			       m ? "'?" : "");
	}
	default:
		return xprintf("'%s' matches no input file of the link", u->name);
	}
}

/* ---- verify -------------------------------------------------------------------------- */

const char *lg_vkind_name(enum lg_vkind k)
{
	static const char *const n[] = { "no-match", "shadowed", "region", "load", "ambiguous", "stale",
					 "flash-call", "overflow", "table", "flash-ref", "note" };
	return k <= LG_V_NOTE ? n[k] : "?";
}

static void check_inputs(struct lg_session *ss, struct fv *fv)
{
	const struct lg_spec *s = ss->spec;
	const struct lg_regions *r = ss->reg;
	struct lg_verify *v = fv->v;
	char w[600], syms[256];
	for (size_t i = 0; i < ss->nin; i++) {
		const struct lg_input *x = &ss->in[i];
		int wi = ss->winner[i];
		if ((!x->kind && wi < 0) || !x->size)
			continue;
		if (wi < 0) {
			if (is_fwm_section(x->out_section)) {
				input_symbols(ss, x, syms, sizeof syms);
				add_finding(fv, LG_V_STALE, 1, -1, syms,
					    xprintf("%s (%s of %s) is in %s, but no rule of %s selects it: the link used a script generated from another spec",
						    syms, x->section, x->file, x->out_section, s->path));
			}
			continue;
		}
		const struct lg_rule *u = &s->rules[wi];
		struct lg_rule_stat *st = &v->rs[wi];
		input_symbols(ss, x, syms, sizeof syms);
		st->inputs++;
		st->bytes += x->size;
		st->pulled += ss->pulled[i];
		stat_symbols(st, syms);
		int at = lg_region_of(r, x->addr);
		if (at != u->region_idx)
			add_finding(fv, LG_V_REGION, 1, wi, syms,
				    xprintf("%s: %s (%s of %s) is at 0x%08llx in %s, not in %s", where(s, u, w, sizeof w), syms,
					    x->section, x->file, (unsigned long long)x->addr, region_name(r, at), u->region));
		else if (u->copies && (x->kind & LOADED_KINDS)) {
			const struct fwm_section *os = section_named(ss->img, x->out_section);
			if (os) {
				uint64_t lma = os->lma + (x->addr - os->vma);
				int lr = lg_region_of(r, lma);
				if (lma == x->addr || lr != r->load)
					add_finding(fv, LG_V_LOAD, 1, wi, syms,
						    xprintf("%s: %s is copied into %s, but its load address 0x%08llx is in %s, not in %s",
							    where(s, u, w, sizeof w), syms, u->region, (unsigned long long)lma,
							    region_name(r, lr), region_name(r, r->load)));
			}
		}
		if (ss->rival[i] >= 0) {
			const struct lg_rule *o = &s->rules[ss->rival[i]];
			char w2[600];
			add_finding(fv, LG_V_AMBIGUOUS, 1, wi, syms,
				    xprintf("%s and %s both select %s (%s of %s) at the same precedence (%s) for regions %s and %s: make one more specific",
					    where(s, u, w, sizeof w), where(s, o, w2, sizeof w2), syms, x->section, x->file,
					    lg_tier_name(lg_rule_tier(u)), u->region, o->region));
		}
	}
	/* rules that won nothing */
	for (size_t j = 0; j < s->nrules; j++) {
		const struct lg_rule *u = &s->rules[j];
		if (v->rs[j].inputs)
			continue;
		size_t cand = 0;
		char by[400] = "";
		size_t o = 0;
		for (size_t i = 0; i < ss->nin; i++)
			if (lg_rule_matches(u, &ss->in[i])) {
				cand++;
				int wi = ss->winner[i];
				if (wi >= 0 && o < sizeof by && !strstr(by, s->rules[wi].text))
					o += (size_t)snprintf(by + o, sizeof by - o, "%sline %u (%s)", o ? ", " : "",
							      s->rules[wi].line, s->rules[wi].text);
			}
		if (cand) {
			add_finding(fv, LG_V_SHADOWED, 1, (int)j, u->name,
				    xprintf("%s: %s: everything it matches (%zu input sections) goes to more specific rules: %s",
					    where(s, u, w, sizeof w), u->text, cand, by));
		} else {
			char *why = why_nothing(ss, u);
			add_finding(fv, LG_V_NOMATCH, 1, (int)j, u->name,
				    xprintf("%s: %s: matched nothing: %s", where(s, u, w, sizeof w), u->text, why ? why : "?"));
			free(why);
		}
	}
}

/* Without a map: symbol rules by symbol name. */
static void check_symbols(struct lg_session *ss, struct fv *fv)
{
	const struct lg_spec *s = ss->spec;
	const struct lg_regions *r = ss->reg;
	const struct fwm_image *img = ss->img;
	char w[600];
	for (size_t j = 0; j < s->nrules; j++) {
		const struct lg_rule *u = &s->rules[j];
		struct lg_rule_stat *st = &fv->v->rs[j];
		if (u->sel != LG_SEL_SYMBOL)
			continue;
		for (size_t i = 0; i < img->nsym; i++) {
			const struct fwm_symbol *y = &img->sym[i];
			if ((y->kind != FWM_SYM_FUNC && y->kind != FWM_SYM_OBJECT) || y->section < 0)
				continue;
			if (fnmatch(u->name, y->name, 0) != 0)
				continue;
			unsigned k = symbol_kind(img, y);
			int ok_kind = y->kind == FWM_SYM_FUNC ? (u->kinds & LG_K_CODE) != 0
							      : (u->kinds & (LG_K_RODATA | LG_K_DATA | LG_K_BSS)) != 0;
			if (!ok_kind)
				continue;
			st->inputs++;
			st->bytes += y->size;
			stat_symbols(st, y->name);
			int at = lg_region_of(r, y->addr);
			if (at != u->region_idx)
				add_finding(fv, LG_V_REGION, 1, (int)j, y->name,
					    xprintf("%s: %s is at 0x%08llx in %s, not in %s", where(s, u, w, sizeof w), y->name,
						    (unsigned long long)y->addr, region_name(r, at), u->region));
			else if (u->copies && (k & LOADED_KINDS)) {
				const struct fwm_section *os = &img->sec[y->section];
				uint64_t lma = os->lma + (y->addr - os->vma);
				if (lma == y->addr || lg_region_of(r, lma) != r->load)
					add_finding(fv, LG_V_LOAD, 1, (int)j, y->name,
						    xprintf("%s: %s is copied into %s, but its load address 0x%08llx is in %s, not in %s",
							    where(s, u, w, sizeof w), y->name, u->region, (unsigned long long)lma,
							    region_name(r, lg_region_of(r, lma)), region_name(r, r->load)));
			}
		}
		if (!st->inputs) {
			char *why = why_nothing(ss, u);
			add_finding(fv, LG_V_NOMATCH, 1, (int)j, u->name,
				    xprintf("%s: %s: matched nothing: %s", where(s, u, w, sizeof w), u->text, why ? why : "?"));
			free(why);
		}
	}
}

/* The functions a rule placed, for the call check. */
static size_t rule_functions(const struct lg_session *ss, size_t j, const struct fwm_symbol **out, size_t max,
			     uint64_t *lo, uint64_t *hi)
{
	const struct lg_rule *u = &ss->spec->rules[j];
	size_t n = 0;
	if (ss->map) {
		for (size_t i = 0; i < ss->nin && n < max; i++)
			if (ss->winner[i] == (int)j && (ss->in[i].kind == LG_K_CODE || (!ss->in[i].kind && (u->kinds & LG_K_CODE)))) {
				size_t k = funcs_in(ss, ss->in[i].addr, ss->in[i].addr + ss->in[i].size, out + n, max - n);
				for (size_t q = 0; q < k; q++) {
					lo[n + q] = ss->in[i].addr;
					hi[n + q] = ss->in[i].addr + ss->in[i].size;
				}
				n += k;
			}
		return n;
	}
	for (size_t i = 0; i < ss->img->nsym && n < max; i++) {
		const struct fwm_symbol *y = &ss->img->sym[i];
		if (u->sel == LG_SEL_SYMBOL && y->kind == FWM_SYM_FUNC && fnmatch(u->name, y->name, 0) == 0) {
			lo[n] = y->addr;
			hi[n] = y->addr + y->size;
			out[n++] = y;
		}
	}
	return n;
}

static int add_edge(struct lg_verify *v, const struct lg_edge *e)
{
	for (size_t i = 0; i < v->ne; i++)   /* one line per caller, callee and kind */
		if (strcmp(v->e[i].caller, e->caller) == 0 && v->e[i].target == e->target && v->e[i].kind == e->kind)
			return 0;
	struct lg_edge *ne = realloc(v->e, (v->ne + 1) * sizeof *ne);
	if (!ne)
		return -ENOMEM;
	v->e = ne;
	v->e[v->ne++] = *e;
	return 0;
}

/* References out of relocated code into flash (and out of every region). */
static int collect_edges(struct lg_session *ss, struct lg_verify *v, int only_flash)
{
	const struct lg_spec *s = ss->spec;
	const struct lg_regions *r = ss->reg;
	enum { MAXF = 4096 };
	const struct fwm_symbol **fn = malloc(MAXF * sizeof *fn);
	uint64_t *lo = malloc(MAXF * sizeof *lo), *hi = malloc(MAXF * sizeof *hi);
	if (!fn || !lo || !hi) {
		free(fn), free(lo), free(hi);
		return -ENOMEM;
	}
	for (size_t j = 0; j < s->nrules; j++) {
		const struct lg_rule *u = &s->rules[j];
		if (!is_code_rule(ss, u))
			continue;
		size_t nf = rule_functions(ss, j, fn, MAXF, lo, hi);
		for (size_t k = 0; k < nf; k++) {
			struct lg_ref *refs;
			size_t nr;
			uint64_t end = fn[k]->size ? fn[k]->addr + fn[k]->size : hi[k];
			if (lg_code_refs(ss->code, fn[k]->addr, end - fn[k]->addr, &refs, &nr) < 0)
				continue;
			int cr = lg_region_of(r, fn[k]->addr);
			if (cr != u->region_idx) {   /* not where the rule wants it: a region violation */
				free(refs);
				continue;
			}
			for (size_t q = 0; q < nr; q++) {
				const struct lg_ref *x = &refs[q];
				int tr = lg_region_of(r, x->target);
				int flash = tr < 0 || lg_region_is_flash(r, tr);
				if (x->target >= lo[k] && x->target < hi[k] && !x->veneer)
					continue;   /* inside its own input section */
				if (x->kind == LG_REF_LITERAL && tr < 0)
					continue;   /* a constant, a peripheral */
				if (only_flash && !flash)
					continue;
				if (!flash && x->kind == LG_REF_LITERAL)
					continue;
				const struct fwm_symbol *ty = lg_code_symbol_at(ss->code, x->target);
				if (x->kind == LG_REF_LITERAL && !ty)
					continue;
				struct lg_edge e = { 0 };
				snprintf(e.caller, sizeof e.caller, "%s", fn[k]->name);
				e.caller_region = cr;
				if (ty && ty->addr == x->target)
					snprintf(e.callee, sizeof e.callee, "%s", ty->name);
				else if (ty)
					snprintf(e.callee, sizeof e.callee, "%s+0x%llx", ty->name,
						 (unsigned long long)(x->target - ty->addr));
				else
					snprintf(e.callee, sizeof e.callee, "0x%08llx", (unsigned long long)x->target);
				e.target = x->target;
				e.target_region = tr;
				if (x->veneer) {
					const char *vn = lg_code_veneer_name(ss->code, x->veneer);
					if (vn)
						snprintf(e.veneer, sizeof e.veneer, "%s", vn);
					else
						snprintf(e.veneer, sizeof e.veneer, "0x%08llx", (unsigned long long)x->veneer);
				}
				e.kind = x->kind;
				e.rule = (int)j;
				if (!flash)
					e.state = LG_CALL_OK;
				else if (u->callees == LG_CALLEES_ALLOW)
					e.state = LG_CALL_ALLOWED;
				else if (x->kind == LG_REF_LITERAL)
					e.state = LG_CALL_DENIED;
				else
					e.state = u->callees == LG_CALLEES_PULL ? LG_CALL_UNPULLED : LG_CALL_DENIED;
				if (add_edge(v, &e) < 0) {
					free(refs);
					free(fn), free(lo), free(hi);
					return -ENOMEM;
				}
			}
			free(refs);
		}
	}
	free(fn), free(lo), free(hi);
	return 0;
}

static void check_calls(struct lg_session *ss, struct fv *fv)
{
	const struct lg_spec *s = ss->spec;
	const struct lg_regions *r = ss->reg;
	struct lg_verify *v = fv->v;
	int any_code = 0;
	for (size_t j = 0; j < s->nrules; j++)
		any_code |= is_code_rule(ss, &s->rules[j]);
	if (!any_code)
		return;
	if (!ss->code) {
		add_finding(fv, LG_V_NOTE, 0, -1, NULL, xprintf("calls from relocated code not checked: %s", ss->code_note));
		return;
	}
	if (collect_edges(ss, v, 1) < 0) {
		fv->oom = 1;
		return;
	}
	char w[600];
	for (size_t i = 0; i < v->ne; i++) {
		const struct lg_edge *e = &v->e[i];
		const struct lg_rule *u = &s->rules[e->rule];
		char via[200] = "";
		if (e->veneer[0])
			snprintf(via, sizeof via, " through the veneer %s", e->veneer);
		if (e->state == LG_CALL_ALLOWED)
			continue;
		if (e->kind == LG_REF_LITERAL) {
			add_finding(fv, LG_V_REF, 0, e->rule, e->caller,
				    xprintf("%s: %s (%s) references %s at 0x%08llx in %s", where(s, u, w, sizeof w), e->caller,
					    region_name(r, e->caller_region), e->callee, (unsigned long long)e->target,
					    region_name(r, e->target_region)));
			continue;
		}
		add_finding(fv, LG_V_CALL, 1, e->rule, e->caller,
			    xprintf("%s: %s (%s) %s %s at 0x%08llx in %s%s%s", where(s, u, w, sizeof w), e->caller,
				    region_name(r, e->caller_region), e->kind == LG_REF_TAIL ? "branches to" : "calls", e->callee,
				    (unsigned long long)e->target, region_name(r, e->target_region), via,
				    e->state == LG_CALL_UNPULLED
					    ? "; callees=pull: run linkgen generate --closure with this ELF and its map, then link again"
					    : "; pull it in (callees=pull), place it, or allow it (callees=allow)"));
	}
}

/* fwm_reloc_init runs before the copy: neither it nor what it calls may have
 * been moved into memory that it fills. */
static void check_reloc_init(struct lg_session *ss, struct fv *fv)
{
	const struct fwm_symbol *y = symbol_named(ss->img, "fwm_reloc_init");
	if (!y || y->kind != FWM_SYM_FUNC || !ss->code)
		return;
	const struct lg_regions *r = ss->reg;
	int at = lg_region_of(r, y->addr);
	if (at >= 0 && !lg_region_is_flash(r, at)) {
		add_finding(fv, LG_V_REGION, 1, -1, y->name,
			    xprintf("fwm_reloc_init is at 0x%08llx in %s: it must stay in flash, it runs before the copy",
				    (unsigned long long)y->addr, r->set.v[at].name));
		return;
	}
	struct lg_ref *refs;
	size_t nr;
	if (lg_code_refs(ss->code, y->addr, y->size, &refs, &nr) < 0)
		return;
	for (size_t k = 0; k < nr; k++) {
		if (refs[k].kind == LG_REF_LITERAL)
			continue;
		int tr = lg_region_of(r, refs[k].target);
		const struct fwm_symbol *t = lg_code_symbol_at(ss->code, refs[k].target);
		if (tr >= 0 && !lg_region_is_flash(r, tr) && t && t != y)
			add_finding(fv, LG_V_REGION, 1, -1, t->name,
				    xprintf("fwm_reloc_init calls %s, which is at 0x%08llx in %s: it runs before the copy that puts it there",
					    t->name, (unsigned long long)refs[k].target, r->set.v[tr].name));
	}
	free(refs);
}

static void check_overflow(struct lg_session *ss, struct fv *fv)
{
	const struct lg_regions *r = ss->reg;
	struct fwm_layout *lay;
	struct fwm_err e = { "" };
	if (fwm_layout_build(ss->img, &r->set, FWM_SRC_LD, &lay, &e) < 0) {
		add_finding(fv, LG_V_NOTE, 0, -1, NULL, xprintf("region use not checked: %s", e.msg));
		return;
	}
	for (size_t i = 0; i < lay->nreg && i < r->set.n; i++)
		fv->v->used[i] = lay->reg[i].used;
	/* what a rule sent to a region counts there even past its end, where
	 * the layout (by address) no longer sees it: ld's own overflow count */
	for (size_t i = 0; i < ss->nin; i++) {
		int w = ss->winner[i];
		if (w < 0)
			continue;
		int reg = ss->spec->rules[w].region_idx;
		const struct fwm_region *g = &r->set.v[reg];
		const struct lg_input *x = &ss->in[i];
		char prefix[160];
		snprintf(prefix, sizeof prefix, ".fwm.%s.", g->name);
		if (!x->out_section || strncmp(x->out_section, prefix, strlen(prefix)) != 0)
			continue;   /* not placed by linkgen's script: the region check reports it */
		if (x->addr >= g->origin && x->addr + x->size - g->origin > fv->v->used[reg])
			fv->v->used[reg] = x->addr + x->size - g->origin;
	}
	for (size_t i = 0; i < r->set.n; i++) {
		const struct fwm_region *g = &r->set.v[i];
		uint64_t used = fv->v->used[i];
		if (used <= g->length)
			continue;
		char rules[300] = "";
		size_t o = 0;
		for (size_t j = 0; j < ss->spec->nrules && o < sizeof rules; j++)
			if (ss->spec->rules[j].region_idx == (int)i)
				o += (size_t)snprintf(rules + o, sizeof rules - o, "%s%u", o ? ", " : "", ss->spec->rules[j].line);
		add_finding(fv, LG_V_OVERFLOW, 1, -1, g->name,
			    xprintf("region %s overflows: %llu bytes used, %llu available (by %llu bytes)%s%s%s%s", g->name,
				    (unsigned long long)used, (unsigned long long)g->length,
				    (unsigned long long)(used - g->length), o ? "; rules at " : "",
				    o ? ss->spec->path : "", o ? " lines " : "", rules));
	}
	fwm_layout_free(lay);
}

static int table_has(const struct fwm_image *img, uint64_t start, uint64_t end, unsigned words, const uint32_t *want)
{
	for (uint64_t a = start; a + 4u * words <= end; a += 4u * words) {
		int ok = 1;
		for (unsigned k = 0; k < words && ok; k++) {
			uint32_t v;
			if (lg_read32(img, a + 4u * k, &v) < 0 || v != want[k])
				ok = 0;
		}
		if (ok)
			return 1;
	}
	return 0;
}

static void check_tables(struct lg_session *ss, struct fv *fv)
{
	const struct fwm_image *img = ss->img;
	uint64_t tab[LG_NPHASES][2][2];   /* phase, copy/zero, start/end */
	int have = 0, any_sec = 0;
	for (int ph = 0; ph < LG_NPHASES; ph++)
		for (int z = 0; z < 2; z++)
			for (int e = 0; e < 2; e++) {
				char name[80];
				snprintf(name, sizeof name, "__fwm_%s_table_%s_%s__", z ? "zero" : "copy",
					 lg_phase_name((enum lg_phase)ph), e ? "end" : "start");
				const struct fwm_symbol *y = symbol_named(img, name);
				tab[ph][z][e] = y ? y->addr : 0;
				have += y != NULL;
			}
	for (size_t i = 1; i < img->nsec; i++) {
		const struct fwm_section *s = &img->sec[i];
		if (!is_fwm_section(s->name) || strstr(s->name, ".nocopy") || !s->size)
			continue;
		any_sec = 1;
		if (have < 2 * 2 * LG_NPHASES)
			continue;
		int late = strstr(s->name, ".late") != NULL, bss = s->type == SHT_NOBITS;
		uint32_t want[3];
		unsigned words;
		if (bss) {
			want[0] = (uint32_t)s->vma;
			want[1] = (uint32_t)((s->size + 3) / 4);
			words = 2;
		} else {
			want[0] = (uint32_t)s->lma;
			want[1] = (uint32_t)s->vma;
			want[2] = (uint32_t)((s->size + 3) / 4);
			words = 3;
		}
		if (!table_has(img, tab[late][bss][0], tab[late][bss][1], words, want))
			add_finding(fv, LG_V_TABLE, 1, -1, s->name,
				    xprintf("%s (0x%08llx, %llu bytes) has no entry in the %s %s table", s->name,
					    (unsigned long long)s->vma, (unsigned long long)s->size, late ? "late" : "early",
					    bss ? "zero" : "copy"));
	}
	if (any_sec && have < 2 * 2 * LG_NPHASES)
		add_finding(fv, LG_V_TABLE, 1, -1, NULL,
			    xprintf("%s has linkgen sections but no __fwm_copy_table_*/__fwm_zero_table_* symbols: was it linked with linkgen.ld?",
				    img->path));
}

int lg_verify_run(struct lg_session *ss, struct lg_verify *out, struct fwm_err *err)
{
	struct lg_verify v = { 0 };
	struct fv fv = { &v, 0 };
	v.rs = calloc(ss->spec->nrules + 1, sizeof *v.rs);
	v.used = calloc(ss->reg->set.n + 1, sizeof *v.used);
	if (!v.rs || !v.used) {
		lg_verify_free(&v);
		return fwm_errf(err, -ENOMEM, "out of memory");
	}
	if (ss->map)
		check_inputs(ss, &fv);
	else
		check_symbols(ss, &fv);
	check_calls(ss, &fv);
	check_reloc_init(ss, &fv);
	check_overflow(ss, &fv);
	check_tables(ss, &fv);
	for (size_t j = 0; j < ss->spec->nrules; j++) {
		v.rs[j].status = "ok";
		for (size_t i = 0; i < v.nf; i++)
			if (v.f[i].rule == (int)j && v.f[i].violation)
				v.rs[j].status = "violation";
	}
	if (fv.oom) {
		lg_verify_free(&v);
		return fwm_errf(err, -ENOMEM, "out of memory");
	}
	*out = v;
	return 0;
}

void lg_verify_free(struct lg_verify *v)
{
	for (size_t i = 0; i < v->nf; i++)
		free(v->f[i].msg);
	free(v->f);
	free(v->rs);
	free(v->e);
	free(v->used);
	memset(v, 0, sizeof *v);
}

/* ---- printing ------------------------------------------------------------------------ */

static const char *state_name(enum lg_callstate s)
{
	static const char *const n[] = { "ok", "allowed", "denied", "not pulled" };
	return n[s];
}

static const char *refkind_name(enum lg_refkind k)
{
	return k == LG_REF_CALL ? "call" : k == LG_REF_TAIL ? "branch" : "literal";
}

static const struct fwm_column rule_cols[] = {
	{ "line", "Line", FWM_COL_INT },     { "rule", "Rule", FWM_COL_STR },
	{ "tier", "Tier", FWM_COL_STR },     { "region", "Region", FWM_COL_STR },
	{ "phase", "Phase", FWM_COL_STR },   { "inputs", "Inputs", FWM_COL_INT },
	{ "bytes", "Bytes", FWM_COL_INT },   { "status", "Status", FWM_COL_STR },
	{ "symbols", "Symbols", FWM_COL_STR },
};

static const struct fwm_column finding_cols[] = {
	{ "kind", "Kind", FWM_COL_STR },
	{ "severity", "Severity", FWM_COL_STR },
	{ "line", "Line", FWM_COL_INT },
	{ "symbol", "Symbol", FWM_COL_STR },
	{ "message", "Message", FWM_COL_STR },
};

static const struct fwm_column edge_cols[] = {
	{ "caller", "Caller", FWM_COL_STR },     { "caller_region", "From", FWM_COL_STR },
	{ "kind", "Kind", FWM_COL_STR },         { "callee", "Callee", FWM_COL_STR },
	{ "address", "Address", FWM_COL_ADDR },  { "callee_region", "In", FWM_COL_STR },
	{ "veneer", "Veneer", FWM_COL_STR },     { "state", "State", FWM_COL_STR },
	{ "line", "Rule", FWM_COL_INT },
};

static int fill_rules(const struct lg_session *ss, const struct lg_verify *v, struct fwm_table *t)
{
	fwm_table_init(t, rule_cols, sizeof rule_cols / sizeof *rule_cols);
	for (size_t j = 0; j < ss->spec->nrules; j++) {
		const struct lg_rule *u = &ss->spec->rules[j];
		struct fwm_cell *c = fwm_table_add(t);
		if (!c)
			return -ENOMEM;
		c[0].u = u->line;
		c[1].s = u->text;
		c[2].s = lg_tier_name(lg_rule_tier(u));
		c[3].s = u->region;
		c[4].s = u->copies ? lg_phase_name(u->phase) : "-";
		c[5].u = v->rs[j].inputs;
		c[6].u = v->rs[j].bytes;
		c[7].s = v->rs[j].status;
		c[8].s = v->rs[j].symbols;
	}
	return 0;
}

static int fill_findings(const struct lg_session *ss, const struct lg_verify *v, struct fwm_table *t)
{
	fwm_table_init(t, finding_cols, sizeof finding_cols / sizeof *finding_cols);
	for (int pass = 0; pass < 3; pass++)   /* violations, warnings, notes */
		for (size_t i = 0; i < v->nf; i++) {
			const struct lg_finding *x = &v->f[i];
			int p = x->violation ? 0 : x->kind == LG_V_NOTE ? 2 : 1;
			if (p != pass)
				continue;
			struct fwm_cell *c = fwm_table_add(t);
			if (!c)
				return -ENOMEM;
			c[0].s = lg_vkind_name(x->kind);
			c[1].s = pass == 0 ? "violation" : pass == 1 ? "warning" : "note";
			c[2].u = x->rule >= 0 ? ss->spec->rules[x->rule].line : 0;
			c[3].s = x->symbol;
			c[4].s = x->msg;
		}
	return 0;
}

static int fill_edges(const struct lg_session *ss, const struct lg_edge *e, size_t n, struct fwm_table *t)
{
	fwm_table_init(t, edge_cols, sizeof edge_cols / sizeof *edge_cols);
	for (size_t i = 0; i < n; i++) {
		struct fwm_cell *c = fwm_table_add(t);
		if (!c)
			return -ENOMEM;
		c[0].s = e[i].caller;
		c[1].s = region_name(ss->reg, e[i].caller_region);
		c[2].s = refkind_name(e[i].kind);
		c[3].s = e[i].callee;
		c[4].u = e[i].target;
		c[5].s = region_name(ss->reg, e[i].target_region);
		c[6].s = e[i].veneer[0] ? e[i].veneer : NULL;
		c[7].s = state_name(e[i].state);
		c[8].u = ss->spec->rules[e[i].rule].line;
	}
	return 0;
}

static json_t *regions_json(const struct lg_session *ss, const uint64_t *used)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < ss->reg->set.n; i++) {
		const struct fwm_region *g = &ss->reg->set.v[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", fwm_json_string(g->name));
		json_object_set_new(o, "origin", json_integer((json_int_t)g->origin));
		json_object_set_new(o, "length", json_integer((json_int_t)g->length));
		json_object_set_new(o, "used", json_integer((json_int_t)(used ? used[i] : 0)));
		json_object_set_new(o, "load", json_boolean((int)i == ss->reg->load));
		json_array_append_new(a, o);
	}
	return a;
}

int lg_verify_print(const struct lg_session *ss, const struct lg_verify *v, enum fwm_format fmt, FILE *f)
{
	struct fwm_table rules, finds, edges;
	int rc = 0;
	if (fill_rules(ss, v, &rules) < 0 || fill_findings(ss, v, &finds) < 0 || fill_edges(ss, v->e, v->ne, &edges) < 0)
		rc = -ENOMEM;
	if (rc == 0 && fmt == FWM_FMT_JSON) {
		json_t *doc = json_object();
		json_object_set_new(doc, "spec", fwm_json_string(ss->spec->path));
		json_object_set_new(doc, "elf", fwm_json_string(ss->img->path));
		json_object_set_new(doc, "map", ss->map ? json_true() : json_false());
		json_object_set_new(doc, "ok", json_boolean(v->nviolations == 0));
		json_object_set_new(doc, "violations", json_integer((json_int_t)v->nviolations));
		json_object_set_new(doc, "warnings", json_integer((json_int_t)v->nwarnings));
		json_object_set_new(doc, "rules", fwm_table_json(&rules));
		json_object_set_new(doc, "calls", fwm_table_json(&edges));
		json_object_set_new(doc, "regions", regions_json(ss, v->used));
		json_object_set_new(doc, "findings", fwm_table_json(&finds));
		rc = fwm_json_dump(doc, f) ? -EIO : 0;
		json_decref(doc);
	} else if (rc == 0 && fmt == FWM_FMT_CSV) {
		fwm_table_print(&finds, fmt, f);
	} else if (rc == 0) {
		if (fmt == FWM_FMT_TEXT)
			fprintf(f, "%s: %zu rules against %s%s%s\n", ss->spec->path, ss->spec->nrules, ss->img->path,
				ss->map ? " and " : " (no map: symbol rules only)", ss->map ? ss->map->regions.n ? "its map" : "its map" : "");
		else
			fprintf(f, "### linkgen verify: `%s` against `%s`\n\n", ss->spec->path, ss->img->path);
		fwm_table_print(&rules, fmt, f);
		if (edges.nrows) {
			fprintf(f, fmt == FWM_FMT_TEXT ? "\nReferences from relocated code into flash:\n" : "\n#### References into flash\n\n");
			fwm_table_print(&edges, fmt, f);
		}
		if (finds.nrows) {
			fprintf(f, fmt == FWM_FMT_TEXT ? "\n" : "\n#### Findings\n\n");
			if (fmt == FWM_FMT_TEXT) {
				for (size_t i = 0; i < finds.nrows; i++) {
					const struct fwm_cell *c = &finds.cells[i * finds.ncols];
					fprintf(f, "%s: %s: %s\n", c[1].s, c[0].s, c[4].s);
				}
			} else
				fwm_table_print(&finds, fmt, f);
		}
		fprintf(f, "%s%zu rules, %zu violations, %zu warnings\n", fmt == FWM_FMT_TEXT ? "\n" : "\n", ss->spec->nrules,
			v->nviolations, v->nwarnings);
	}
	fwm_table_free(&rules);
	fwm_table_free(&finds);
	fwm_table_free(&edges);
	return rc;
}

/* ---- explain ---------------------------------------------------------------------------- */

static int cmp_rank(const void *a, const void *b, void *ctx)
{
	const struct lg_spec *s = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	long rx = rank(&s->rules[x], x), ry = rank(&s->rules[y], y);
	return rx < ry ? -1 : rx > ry;
}

int lg_explain(struct lg_session *ss, const char *name, enum fwm_format fmt, FILE *f, struct fwm_err *err)
{
	const struct lg_spec *s = ss->spec;
	const struct lg_regions *r = ss->reg;
	const struct fwm_image *img = ss->img;
	json_t *doc = json_object(), *arr = json_array();
	size_t found = 0;
	char w[600];
	if (!doc || !arr) {
		json_decref(doc);
		json_decref(arr);
		return fwm_errf(err, -ENOMEM, "out of memory");
	}
	struct fwm_table t;
	static const struct fwm_column cols[] = {
		{ "symbol", "Symbol", FWM_COL_STR },     { "address", "Address", FWM_COL_ADDR },
		{ "region", "Region", FWM_COL_STR },     { "input_section", "Input", FWM_COL_STR },
		{ "file", "File", FWM_COL_STR },         { "line", "Rule", FWM_COL_INT },
		{ "rule", "Placed by", FWM_COL_STR },
	};
	fwm_table_init(&t, cols, sizeof cols / sizeof *cols);
	size_t *cand = malloc((s->nrules + 1) * sizeof *cand);
	if (!cand) {
		json_decref(doc);
		json_decref(arr);
		return fwm_errf(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < img->nsym; i++) {
		const struct fwm_symbol *y = &img->sym[i];
		if (strcmp(y->name, name) != 0 || (y->kind != FWM_SYM_FUNC && y->kind != FWM_SYM_OBJECT))
			continue;
		found++;
		long in = ss->map ? input_at(ss, y->addr) : -1;
		const struct lg_input *x = in >= 0 ? &ss->in[in] : NULL;
		size_t nc = 0;
		for (size_t j = 0; j < s->nrules; j++) {
			const struct lg_rule *u = &s->rules[j];
			if (x ? lg_rule_matches(u, x) != 0
			      : u->sel == LG_SEL_SYMBOL && fnmatch(u->name, y->name, 0) == 0)
				cand[nc++] = j;
		}
		qsort_r(cand, nc, sizeof *cand, cmp_rank, (void *)s);
		int win = x ? ss->winner[in] : nc ? (int)cand[0] : -1;
		int reg = lg_region_of(r, y->addr);
		const struct fwm_section *sec = y->section >= 0 ? &img->sec[y->section] : NULL;
		uint64_t lma = sec ? sec->lma + (y->addr - sec->vma) : y->addr;
		json_t *o = json_object(), *ca = json_array();
		json_object_set_new(o, "symbol", fwm_json_string(y->name));
		json_object_set_new(o, "address", json_integer((json_int_t)y->addr));
		json_object_set_new(o, "size", json_integer((json_int_t)y->size));
		json_object_set_new(o, "region", reg >= 0 ? fwm_json_string(r->set.v[reg].name) : json_null());
		json_object_set_new(o, "section", sec ? fwm_json_string(sec->name) : json_null());
		json_object_set_new(o, "load_address", json_integer((json_int_t)lma));
		json_object_set_new(o, "file", x ? fwm_json_string(x->file) : y->file ? fwm_json_string(y->file) : json_null());
		json_object_set_new(o, "input_section", x ? fwm_json_string(x->section) : json_null());
		json_object_set_new(o, "pulled", json_boolean(x && ss->pulled[in]));
		if (win >= 0) {
			json_t *ro = json_object();
			json_object_set_new(ro, "line", json_integer(s->rules[win].line));
			json_object_set_new(ro, "rule", fwm_json_string(s->rules[win].text));
			json_object_set_new(ro, "tier", fwm_json_string(lg_tier_name(lg_rule_tier(&s->rules[win]))));
			json_object_set_new(ro, "region", fwm_json_string(s->rules[win].region));
			json_object_set_new(o, "rule", ro);
		} else
			json_object_set_new(o, "rule", json_null());
		for (size_t k = 0; k < nc; k++) {
			const struct lg_rule *u = &s->rules[cand[k]];
			json_t *co = json_object();
			json_object_set_new(co, "line", json_integer(u->line));
			json_object_set_new(co, "rule", fwm_json_string(u->text));
			json_object_set_new(co, "tier", fwm_json_string(lg_tier_name(lg_rule_tier(u))));
			json_object_set_new(co, "region", fwm_json_string(u->region));
			json_object_set_new(co, "wins", json_boolean((int)cand[k] == win));
			json_array_append_new(ca, co);
		}
		json_object_set_new(o, "candidates", ca);
		json_array_append_new(arr, o);

		struct fwm_cell *c = fwm_table_add(&t);
		if (c) {
			c[0].s = y->name;
			c[1].u = y->addr;
			c[2].s = region_name(r, reg);
			c[3].s = x ? x->section : NULL;
			c[4].s = x ? x->file : y->file;
			c[5].u = win >= 0 ? s->rules[win].line : 0;
			c[6].s = win >= 0 ? s->rules[win].text : "no rule: the script places it";
		}
		if (fmt != FWM_FMT_TEXT)
			continue;
		fprintf(f, "%s: %s at 0x%08llx (%llu bytes) in %s", y->name, y->kind == FWM_SYM_FUNC ? "function" : "object",
			(unsigned long long)y->addr, (unsigned long long)y->size, region_name(r, reg));
		if (sec)
			fprintf(f, ", section %s", sec->name);
		if (lma != y->addr)
			fprintf(f, ", loaded from 0x%08llx in %s", (unsigned long long)lma, region_name(r, lg_region_of(r, lma)));
		fprintf(f, "\n");
		if (x)
			fprintf(f, "  input section %s of %s\n", x->section, x->file);
		else if (!ss->map)
			fprintf(f, "  (no --map: only symbol rules are considered)\n");
		if (win >= 0) {
			const struct lg_rule *u = &s->rules[win];
			fprintf(f, "  placed by %s: %s  [%s tier%s]\n", where(s, u, w, sizeof w), u->text,
				lg_tier_name(lg_rule_tier(u)), x && ss->pulled[in] ? ", pulled in as a callee" : "");
			if (reg != u->region_idx)
				fprintf(f, "  but it is not in %s: the link did not follow the rule (run linkgen verify)\n",
					u->region);
		} else
			fprintf(f, "  placed by no rule: the linker script puts it in %s\n", sec ? sec->name : "?");
		for (size_t k = 0; k < nc; k++) {
			const struct lg_rule *u = &s->rules[cand[k]];
			if ((int)cand[k] == win)
				continue;
			fprintf(f, "  outranks %s: %s  [%s tier]\n", where(s, u, w, sizeof w), u->text,
				lg_tier_name(lg_rule_tier(u)));
		}
	}
	int rc = 0;
	if (!found) {
		struct lg_inlined inl[4];
		int declared = 0;
		int ni = lg_find_inlined((struct fwm_image *)img, name, inl, 4, &declared);
		char why[400];
		if (ni > 0 && inl[0].file[0])
			snprintf(why, sizeof why, "it was inlined into %s (%s:%u) and has no out-of-line copy", inl[0].into,
				 inl[0].file, inl[0].line);
		else if (ni > 0)
			snprintf(why, sizeof why, "it was inlined into %s and has no out-of-line copy", inl[0].into);
		else if (declared)
			snprintf(why, sizeof why, "DWARF describes it, but it has no code or data in the image");
		else {
			const char *names[512];
			size_t nn = 0;
			for (size_t i = 0; i < img->nsym && nn < 512; i++)
				if (img->sym[i].kind == FWM_SYM_FUNC || img->sym[i].kind == FWM_SYM_OBJECT)
					names[nn++] = img->sym[i].name;
			const char *m = lg_closest(name, names, nn);
			snprintf(why, sizeof why, "no such function or object%s%s%s", m ? "; did you mean '" : "", m ? m : "",
				 m ? "'?" : "");
		}
		if (fmt == FWM_FMT_TEXT)
			fprintf(f, "%s: not in %s: %s\n", name, img->path, why);
		json_object_set_new(doc, "error", fwm_json_string(why));
		rc = 1;
	}
	if (fmt == FWM_FMT_JSON) {
		json_object_set_new(doc, "symbol", fwm_json_string(name));
		json_object_set_new(doc, "matches", arr);
		arr = NULL;
		if (fwm_json_dump(doc, f))
			rc = fwm_errf(err, -EIO, "cannot write the output");
	} else if (fmt != FWM_FMT_TEXT)
		fwm_table_print(&t, fmt, f);
	json_decref(arr);
	json_decref(doc);
	fwm_table_free(&t);
	free(cand);
	return rc;
}

/* ---- closure ----------------------------------------------------------------------------- */

int lg_closure_print(struct lg_session *ss, enum fwm_format fmt, FILE *f, struct fwm_err *err)
{
	if (!ss->code)
		return fwm_errf(err, -ENOTSUP, "%s", ss->code_note);
	struct lg_verify v = { 0 };
	if (collect_edges(ss, &v, 0) < 0)
		return fwm_errf(err, -ENOMEM, "out of memory");
	struct fwm_table t;
	int rc = fill_edges(ss, v.e, v.ne, &t);
	if (rc == 0 && fmt == FWM_FMT_JSON) {
		json_t *doc = json_object();
		json_object_set_new(doc, "elf", fwm_json_string(ss->img->path));
		json_object_set_new(doc, "references", fwm_table_json(&t));
		rc = fwm_json_dump(doc, f) ? -EIO : 0;
		json_decref(doc);
	} else if (rc == 0) {
		if (fmt == FWM_FMT_TEXT)
			fprintf(f, "References from relocated code to other functions and to flash, in %s:\n", ss->img->path);
		fwm_table_print(&t, fmt, f);
		if (fmt == FWM_FMT_TEXT) {
			size_t flash = 0;
			for (size_t i = 0; i < v.ne; i++)
				flash += v.e[i].target_region < 0 || lg_region_is_flash(ss->reg, v.e[i].target_region);
			fprintf(f, "\n%zu references, %zu into flash\n", v.ne, flash);
		}
	}
	fwm_table_free(&t);
	lg_verify_free(&v);
	if (rc < 0)
		return fwm_errf(err, rc, "cannot write the output");
	return 0;
}

int lg_closure_pull(struct lg_session *ss, struct lg_spec *spec, int all, size_t *added, struct fwm_err *err)
{
	*added = 0;
	if (!ss->code)
		return fwm_errf(err, -ENOTSUP, "%s", ss->code_note);
	const struct lg_regions *r = ss->reg;
	size_t nrules = spec->nrules;
	/* a work list of (function address, end, pulling rule) */
	struct item {
		uint64_t lo, hi;
		size_t rule;
		char caller[128];
	};
	size_t cap = 256, n = 0;
	struct item *q = malloc(cap * sizeof *q);
	if (!q)
		return fwm_errf(err, -ENOMEM, "out of memory");
	enum { MAXF = 4096 };
	const struct fwm_symbol **fn = malloc(MAXF * sizeof *fn);
	uint64_t *lo = malloc(MAXF * sizeof *lo), *hi = malloc(MAXF * sizeof *hi);
	if (!fn || !lo || !hi)
		goto oom;
	for (size_t j = 0; j < nrules; j++) {
		const struct lg_rule *u = &spec->rules[j];
		if (!is_code_rule(ss, u) || (!all && u->callees != LG_CALLEES_PULL))
			continue;
		size_t nf = rule_functions(ss, j, fn, MAXF, lo, hi);
		for (size_t k = 0; k < nf; k++) {
			if (n == cap) {
				struct item *nq = realloc(q, (cap *= 2) * sizeof *q);
				if (!nq)
					goto oom;
				q = nq;
			}
			q[n].lo = fn[k]->addr;
			q[n].hi = fn[k]->size ? fn[k]->addr + fn[k]->size : hi[k];
			q[n].rule = j;
			snprintf(q[n].caller, sizeof q[n].caller, "%s", fn[k]->name);
			n++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct lg_ref *refs;
		size_t nr;
		if (lg_code_refs(ss->code, q[i].lo, q[i].hi - q[i].lo, &refs, &nr) < 0)
			continue;
		for (size_t k = 0; k < nr; k++) {
			if (refs[k].kind == LG_REF_LITERAL)
				continue;
			int tr = lg_region_of(r, refs[k].target);
			const struct fwm_symbol *ty = lg_code_symbol_at(ss->code, refs[k].target);
			if (!ty || ty->kind != FWM_SYM_FUNC)
				continue;
			long in = ss->map ? input_at(ss, ty->addr) : -1;
			/* in flash; or pulled by an earlier closure (this ELF was linked
			 * with it), so that generating again keeps it */
			int again = in >= 0 && ss->pulled[in];
			if (!again && (tr < 0 || !lg_region_is_flash(r, tr)))
				continue;
			struct lg_rule nr_ = { 0 };
			const struct lg_rule *pu = &spec->rules[q[i].rule];
			if (in >= 0) {
				nr_.sel = LG_SEL_INPUT;
				nr_.name = strdup(ss->in[in].file);
				nr_.member = strdup(ss->in[in].section);
			} else {
				nr_.sel = LG_SEL_SYMBOL;
				nr_.name = strdup(ty->name);
			}
			/* already pulled? */
			int dup = 0;
			for (size_t j = nrules; j < spec->nrules && !dup; j++) {
				const struct lg_rule *o = &spec->rules[j];
				dup = o->sel == nr_.sel && nr_.name && strcmp(o->name, nr_.name) == 0 &&
				      (!nr_.member || strcmp(o->member, nr_.member) == 0);
			}
			if (dup) {
				free(nr_.name);
				free(nr_.member);
				continue;
			}
			nr_.line = pu->line;
			nr_.kinds = LG_K_CODE;
			nr_.kinds_set = 1;
			nr_.region = strdup(pu->region);
			nr_.region_idx = pu->region_idx;
			nr_.phase = pu->phase;
			nr_.phase_set = 1;
			nr_.copies = pu->copies;
			nr_.nocopy = pu->nocopy;
			nr_.callees = LG_CALLEES_PULL;
			nr_.pulled = 1;
			nr_.text = xprintf("pulled in: %s calls %s (%s%s%s)", q[i].caller, ty->name,
					   in >= 0 ? ss->in[in].section : "", in >= 0 ? " of " : "guessed as .text.",
					   in >= 0 ? lg_basename(ss->in[in].file) : ty->name);
			if (!nr_.name || !nr_.region || !nr_.text || (nr_.sel == LG_SEL_INPUT && !nr_.member) ||
			    lg_spec_add_rule(spec, &nr_) < 0) {
				free(nr_.name), free(nr_.member), free(nr_.region), free(nr_.text);
				free(refs);
				goto oom;
			}
			(*added)++;
			/* and what it calls in turn */
			if (n == cap) {
				struct item *nq = realloc(q, (cap *= 2) * sizeof *q);
				if (!nq) {
					free(refs);
					goto oom;
				}
				q = nq;
			}
			q[n].lo = in >= 0 ? ss->in[in].addr : ty->addr;
			q[n].hi = in >= 0 ? ss->in[in].addr + ss->in[in].size : ty->addr + ty->size;
			q[n].rule = q[i].rule;
			snprintf(q[n].caller, sizeof q[n].caller, "%s", ty->name);
			n++;
		}
		free(refs);
	}
	free(q);
	free(fn), free(lo), free(hi);
	return 0;
oom:
	free(q);
	free(fn), free(lo), free(hi);
	return fwm_errf(err, -ENOMEM, "out of memory");
}
