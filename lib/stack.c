/* elfmap stack: the functions of an image, their frames and calls, the
 * entry points and the worst path from each (see fwm_stack.h).
 *
 * The steps, each over arrays indexed by function:
 *   functions   FUNC symbols grouped by address (aliases share one), with
 *               their code bytes clipped to their section's file bytes;
 *   frames      each function disassembled (stack_flow.c);
 *   GCC, user   .su frames, .ci edges, annotations;
 *   edges       calls from the disassembly, the .ci files and the
 *               annotations, sorted by caller;
 *   worst       Tarjan's strongly connected components (a component of
 *               more than one function, or one that calls itself, is
 *               recursion), then the worst case of each function in the
 *               order the components come out (callees first);
 *   entries     main, --entry, "entry" lines and the vector table.
 */
#include "fwm_stack.h"
#include "stack_int.h"

#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)
#define MAX_VECTORS 512         /* 16 system exceptions + 496 interrupts (ARMv7-M, ARMv8-M) */
#define EXC_FRAME 32            /* r0-r3, r12, lr, pc, xPSR */
#define EXC_FRAME_FP 104        /* and s0-s15, FPSCR, a reserved word */

enum via { VIA_CALL, VIA_TAIL, VIA_CI, VIA_ANN };
static const char *const via_names[] = { "call", "tail", "ci", "annotation" };

enum rk { RK_ICALL, RK_IJUMP, RK_SP, RK_LOOP, RK_HUGE, RK_DYNAMIC, RK_CI_ICALL, RK_NOCODE, RK_ARM,
	  RK_TARGET, RK_RECURSION };
static const char *const rk_names[] = {
	"indirect_call", "indirect_jump", "stack_pointer", "stack_loop", "huge_frame", "dynamic",
	"indirect_call", "no_code", "arm_code", "unknown_target", "recursion",
};

enum ek { EK_MAIN, EK_THREAD, EK_RESET, EK_EXCEPTION };
static const char *const ek_names[] = { "main", "thread", "reset", "exception" };

struct edge {
	size_t from, to;
	uint32_t depth;        /* the caller's depth at the call */
	uint8_t via;           /* enum via */
	uint64_t addr;         /* the call instruction (0: from a file) */
};

struct reason {
	size_t fn;
	uint8_t kind;          /* enum rk */
	uint64_t addr;
	int has_addr;
	const char *insn;      /* borrowed: the instruction text, or NULL */
	const char *where;     /* borrowed: a .su/.ci location, or NULL */
	uint64_t target;       /* RK_TARGET */
	char *chain;           /* owned: RK_RECURSION, "a -> b -> a" */
};

struct fn {
	const struct fwm_symbol *sym;  /* the name it goes by */
	uint64_t addr, size;
	int sec;                       /* section with its bytes, or -1: no code */
	uint8_t arm;                   /* A32 code ($a): not analysed */
	struct fwm_stk_frame fr;
	int64_t su;                    /* GCC's frame, or -1 */
	uint8_t su_dyn;
	const char *su_where;
	int64_t ann;                   /* the annotations' frame, or -1 */
	uint32_t frame;                /* the one used */
	const char *frame_src;
	uint8_t resolved;              /* indirect calls named by the annotations */
	const char *ci_indirect;       /* a .ci indirect call (where), or NULL */
	size_t e0, ne;                 /* edges, in the sorted edge array */
	size_t r0, nr;                 /* own reasons */
	/* results */
	uint64_t worst;
	uint8_t unb, done, recursive;
	size_t next;                   /* edge on the worst path, or NONE */
	long idx, low;
	uint8_t onstack;
	size_t stamp;
	size_t comp;                   /* its strongly connected component */
};

struct name {
	const char *name;
	size_t fn;
	char *owned;           /* name, when it is a copy */
};

struct entry {
	size_t fn;
	uint8_t kind;                  /* enum ek */
	unsigned *vec;                 /* owned: vector numbers */
	size_t nvec;
	uint64_t worst;                /* with the exception frame */
	uint8_t unb;
	size_t *rs;                    /* owned: reasons reachable from it */
	size_t nrs;
};

struct st {
	struct fwm_elfmap *m;
	struct fwm_image *img;
	const struct fwm_stackopts *so;
	struct fwm_stk_mem mem;
	struct fwm_stk_arch arch;
	struct fn *fn;
	size_t nfn, capfn;
	size_t *byaddr;                /* fn indices by address */
	struct fwm_symbol **synth;     /* owned: names made up for unnamed code that is called */
	size_t nsynth;
	struct name *names, *norm;     /* by name; norm: without a ".N" clone suffix */
	size_t nnames;
	struct fwm_stk_range *data, *armcode;
	size_t ndata, narmcode;
	struct edge *e;
	size_t ne, cape;
	struct reason *r;
	size_t nr, capr;
	struct entry *ent;
	size_t nent, capent;
	char **warn;
	size_t nwarn;
	struct fwm_stk_gcc gcc;
	struct fwm_stk_anns anns;
	int has_anns;
	size_t su_matched, su_ambiguous, ci_edges;
	size_t stamp;                  /* the last search's mark (struct fn.stamp) */
	/* the vector table */
	const char *vt_name;           /* symbol or section */
	uint64_t vt_addr;
	size_t vt_n;
	int fp;                        /* Tag_FP_arch, or -1 malformed */
	uint32_t exc;                  /* the exception frame */
};

static int nomem(struct fwm_err *err)
{
	return fwm_errf(err, -ENOMEM, "out of memory");
}

static int warnf(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warnf(struct st *s, const char *fmt, ...)
{
	char **v = realloc(s->warn, (s->nwarn + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	s->warn = v;
	va_list ap;
	va_start(ap, fmt);
	int rc = vasprintf(&v[s->nwarn], fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	s->nwarn++;
	return 0;
}

/* ---- reading the image --------------------------------------------------- */

static int has_bytes(const struct fwm_image *img, const struct fwm_section *sec)
{
	return sec->type != SHT_NOBITS && sec->size && sec->offset <= img->size &&
	       sec->size <= img->size - sec->offset;
}

int fwm_stk_read32(const struct fwm_stk_mem *mem, uint64_t addr, uint32_t *v)
{
	const struct fwm_image *img = mem->img;
	for (size_t i = 1; i < img->nsec; i++) {
		const struct fwm_section *sec = &img->sec[i];
		if (!(sec->flags & SHF_ALLOC) || !has_bytes(img, sec) || addr < sec->vma ||
		    addr - sec->vma > sec->size - 4 || sec->size < 4)
			continue;
		const unsigned char *p = img->data + sec->offset + (addr - sec->vma);
		*v = img->big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
				     : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		return 0;
	}
	return -1;
}

int fwm_stk_arch_open(const struct fwm_image *img, const struct fwm_stk_mem *mem, struct fwm_stk_arch *a,
		      struct fwm_err *err)
{
	memset(a, 0, sizeof *a);
	if (img->machine == EM_ARM && img->elfclass == 32)
		return fwm_stk_arm_open(mem, a, err);
	if (img->machine == EM_RISCV && img->elfclass == 32)
		return fwm_stk_rv_open(mem, a, err);
	return fwm_errf(err, -ENOTSUP, "%s: %s%s is not supported (ARM Thumb and RISC-V)", img->path,
			fwm_machine_name(img->machine),
			img->machine == EM_RISCV ? " RV64" : img->machine == EM_ARM ? " ELF64" : "");
}

void fwm_stk_arch_close(struct fwm_stk_arch *a)
{
	if (a->close)
		a->close(a->ctx);
	memset(a, 0, sizeof *a);
}

/* ---- functions ------------------------------------------------------------ */

static int bind_rank(const struct fwm_symbol *y)
{
	return y->bind == FWM_BIND_GLOBAL ? 0 : y->bind == FWM_BIND_WEAK ? 1 : 2;
}

/* by address; the name to show first: global, weak, local; sized; by name */
static int cmp_sym(const void *a, const void *b)
{
	const struct fwm_symbol *x = *(const struct fwm_symbol *const *)a;
	const struct fwm_symbol *y = *(const struct fwm_symbol *const *)b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (bind_rank(x) != bind_rank(y))
		return bind_rank(x) - bind_rank(y);
	if ((x->size == 0) != (y->size == 0))
		return x->size == 0 ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->fn < y->fn ? -1 : x->fn > y->fn;
}

static int cmp_range(const void *a, const void *b)
{
	const struct fwm_stk_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int is_mapping(const char *n, char *kind)
{
	if (n[0] != '$' || !strchr("atdx", n[1]) || !n[1] || (n[2] != 0 && n[2] != '.'))
		return 0;
	*kind = n[1];
	return 1;
}

/* by section, then address */
static int cmp_mapping(const void *a, const void *b)
{
	const struct fwm_symbol *x = *(const struct fwm_symbol *const *)a;
	const struct fwm_symbol *y = *(const struct fwm_symbol *const *)b;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Data ($d) and A32 ($a) ranges of executable and function-holding sections,
 * from the mapping symbols. */
static int mapping_ranges(struct st *s)
{
	struct fwm_image *img = s->img;
	const struct fwm_symbol **v = malloc((img->nsym + 1) * sizeof *v);
	size_t n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < img->nsym; i++) {
		char k;
		if (img->sym[i].section > 0 && is_mapping(img->sym[i].name, &k))
			v[n++] = &img->sym[i];
	}
	qsort(v, n, sizeof *v, cmp_mapping);
	size_t capd = 0, capa = 0;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char k = 0;
		is_mapping(v[i]->name, &k);
		if (k != 'd' && k != 'a')
			continue;
		const struct fwm_section *sec = &img->sec[v[i]->section];
		uint64_t hi = sec->vma + sec->size;
		if (i + 1 < n && v[i + 1]->section == v[i]->section && v[i + 1]->addr < hi)
			hi = v[i + 1]->addr;
		if (hi <= v[i]->addr)
			continue;
		struct fwm_stk_range **arr = k == 'd' ? &s->data : &s->armcode;
		size_t *cnt = k == 'd' ? &s->ndata : &s->narmcode, *cap = k == 'd' ? &capd : &capa;
		if (*cnt == *cap) {
			size_t c = *cap ? 2 * *cap : 64;
			struct fwm_stk_range *a = realloc(*arr, c * sizeof *a);
			if (!a) {
				rc = -ENOMEM;
				break;
			}
			*arr = a;
			*cap = c;
		}
		(*arr)[(*cnt)++] = (struct fwm_stk_range){ v[i]->addr, hi };
	}
	free(v);
	if (rc == 0) {
		if (s->ndata)
			qsort(s->data, s->ndata, sizeof *s->data, cmp_range);
		if (s->narmcode)
			qsort(s->armcode, s->narmcode, sizeof *s->armcode, cmp_range);
	}
	return rc;
}

/* The first range that ends above addr. */
static size_t range_from(const struct fwm_stk_range *r, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].hi <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A section holds code when it has file bytes and is allocated. */
static int code_section(const struct fwm_image *img, int i)
{
	return i > 0 && (size_t)i < img->nsec && (img->sec[i].flags & SHF_ALLOC) && has_bytes(img, &img->sec[i]);
}

static char *normalize(const char *n)
{
	/* "f.constprop.0" -> "f.constprop", as -fstack-usage prints clones */
	size_t l = strlen(n), k = l;
	while (k > 0 && n[k - 1] >= '0' && n[k - 1] <= '9')
		k--;
	if (k == l || k < 2 || n[k - 1] != '.')
		return NULL;
	char *d = malloc(k);
	if (d) {
		memcpy(d, n, k - 1);
		d[k - 1] = 0;
	}
	return d;
}

static int load_functions(struct st *s)
{
	struct fwm_image *img = s->img;
	const struct fwm_symbol **v = malloc((img->nsym + 1) * sizeof *v);
	size_t n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < img->nsym; i++) {
		const struct fwm_symbol *y = &img->sym[i];
		if (y->kind == FWM_SYM_FUNC && (y->section > 0 || y->addr != 0))
			v[n++] = y;
	}
	qsort(v, n, sizeof *v, cmp_sym);
	s->fn = calloc(n ? n : 1, sizeof *s->fn);
	s->capfn = n ? n : 1;
	s->names = calloc(n ? n : 1, sizeof *s->names);
	s->norm = calloc(n ? n : 1, sizeof *s->norm);
	s->byaddr = calloc(n ? n : 1, sizeof *s->byaddr);
	if (!s->fn || !s->names || !s->norm || !s->byaddr) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (s->nfn == 0 || s->fn[s->nfn - 1].addr != v[i]->addr) {
			struct fn *f = &s->fn[s->nfn++];
			f->sym = v[i];
			f->addr = v[i]->addr;
			f->sec = code_section(img, v[i]->section) ? v[i]->section : -1;
			f->su = f->ann = -1;
		}
		struct fn *f = &s->fn[s->nfn - 1];
		if (v[i]->size > f->size)
			f->size = v[i]->size;
		if (f->sec < 0 && code_section(img, v[i]->section))
			f->sec = v[i]->section;
		s->names[s->nnames] = (struct name){ v[i]->name, s->nfn - 1, NULL };
		char *nn = normalize(v[i]->name);
		s->norm[s->nnames++] = (struct name){ nn ? nn : v[i]->name, s->nfn - 1, nn };
	}
	free(v);
	for (size_t i = 0; i < s->nfn; i++)
		s->byaddr[i] = i;
	qsort(s->names, s->nnames, sizeof *s->names, cmp_name);
	qsort(s->norm, s->nnames, sizeof *s->norm, cmp_name);
	/* sizes: a function ends at its section's end and at the next
	 * function's start (so that hostile sizes cannot make the work more
	 * than linear); a size of 0 runs to the next function */
	for (size_t i = 0; i < s->nfn; i++) {
		struct fn *f = &s->fn[i];
		if (f->sec < 0)
			continue;
		const struct fwm_section *sec = &img->sec[f->sec];
		uint64_t end = sec->vma + sec->size;
		if (f->addr < sec->vma || f->addr >= end) {
			f->sec = -1;
			continue;
		}
		if (i + 1 < s->nfn && s->fn[i + 1].addr < end)
			end = s->fn[i + 1].addr;
		if (f->size == 0)
			f->size = end - f->addr > 65536 ? 65536 : end - f->addr;
		if (f->size > end - f->addr)
			f->size = end - f->addr;
		size_t a = range_from(s->armcode, s->narmcode, f->addr);
		f->arm = a < s->narmcode && s->armcode[a].lo <= f->addr;
	}
	return 0;
}

/* The functions called name (aliases included): [*lo, *hi) of s->names. */
static void by_name(const struct name *v, size_t n, const char *name, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (strcmp(v[mid].name, name) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (a < n && strcmp(v[a].name, name) == 0)
		a++;
	*hi = a;
}

/* The function that starts at addr, else the one that holds it, or NONE. */
static size_t fn_at(const struct st *s, uint64_t addr, int *start)
{
	size_t lo = 0, hi = s->nfn;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->fn[s->byaddr[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	*start = 0;
	if (lo == 0)
		return NONE;
	size_t i = s->byaddr[lo - 1];
	const struct fn *f = &s->fn[i];
	if (f->addr == addr) {
		*start = 1;
		return i;
	}
	return addr - f->addr < f->size ? i : NONE;
}

/* The address of the first function above addr, or UINT64_MAX. */
static uint64_t next_fn(const struct st *s, uint64_t addr)
{
	size_t lo = 0, hi = s->nfn;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->fn[s->byaddr[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nfn ? s->fn[s->byaddr[lo]].addr : UINT64_MAX;
}

static const char *fname(const struct st *s, size_t i)
{
	return s->fn[i].sym->name;
}

static int analyse(struct st *s, size_t from)
{
	struct fwm_stk_work w = { 0 };
	int rc = 0;
	for (size_t i = from; i < s->nfn && rc == 0; i++) {
		struct fn *f = &s->fn[i];
		if (f->sec < 0 || f->arm)
			continue;
		const struct fwm_section *sec = &s->img->sec[f->sec];
		const unsigned char *bytes = s->img->data + sec->offset + (f->addr - sec->vma);
		size_t d = range_from(s->data, s->ndata, f->addr);
		rc = fwm_stk_analyse(&s->arch, &w, bytes, f->addr, (size_t)f->size, s->data ? s->data + d : NULL,
				     s->ndata - d, &f->fr);
	}
	fwm_stk_work_free(&w);
	return rc;
}

static int cmp_byaddr(const void *a, const void *b, void *fns)
{
	const struct fn *fn = fns;
	uint64_t x = fn[*(const size_t *)a].addr, y = fn[*(const size_t *)b].addr;
	return x < y ? -1 : x > y;
}

/* Code that is called but has no symbol (newlib's strcmp branches to a
 * piece of code before its own symbol): a function named "code@0xADDR",
 * from there to the next function or the end of its section. */
static int add_unnamed(struct st *s, uint64_t t)
{
	const struct fwm_image *img = s->img;
	int sec = -1;
	for (size_t i = 1; i < img->nsec && sec < 0; i++)
		if (code_section(img, (int)i) && (img->sec[i].flags & SHF_EXECINSTR) && t >= img->sec[i].vma &&
		    t - img->sec[i].vma < img->sec[i].size)
			sec = (int)i;
	size_t d = range_from(s->data, s->ndata, t), a = range_from(s->armcode, s->narmcode, t);
	if (sec < 0 || (d < s->ndata && s->data[d].lo <= t) || (a < s->narmcode && s->armcode[a].lo <= t))
		return 0;
	if (s->nfn == s->capfn) {
		struct fn *v = realloc(s->fn, 2 * s->capfn * sizeof *v);
		size_t *b = v ? realloc(s->byaddr, 2 * s->capfn * sizeof *b) : NULL;
		if (v)
			s->fn = v;
		if (!b)
			return -ENOMEM;
		s->byaddr = b;
		s->capfn *= 2;
	}
	struct fwm_symbol **sv = realloc(s->synth, (s->nsynth + 1) * sizeof *sv);
	if (!sv)
		return -ENOMEM;
	s->synth = sv;
	struct fwm_symbol *y = calloc(1, sizeof *y);
	char *name = NULL;
	if (!y || asprintf(&name, "code@0x%08" PRIx64, t) < 0) {
		free(y);
		return -ENOMEM;
	}
	y->name = name;
	y->addr = t;
	y->kind = FWM_SYM_FUNC;
	y->bind = FWM_BIND_LOCAL;
	y->section = sec;
	sv[s->nsynth++] = y;
	uint64_t end = img->sec[sec].vma + img->sec[sec].size, nx = next_fn(s, t);
	if (nx < end)
		end = nx;
	struct fn *f = &s->fn[s->nfn];
	memset(f, 0, sizeof *f);
	f->sym = y;
	f->addr = t;
	f->size = end - t > 65536 ? 65536 : end - t;
	f->sec = sec;
	f->su = f->ann = -1;
	s->byaddr[s->nfn] = s->nfn;
	s->nfn++;
	qsort_r(s->byaddr, s->nfn, sizeof *s->byaddr, cmp_byaddr, s->fn);
	return 1;
}

/* Analyse every function, then the unnamed code they call, until there is
 * no more (each round's new code is analysed in the next). */
static int analyse_all(struct st *s)
{
	size_t from = 0, first_new = s->nfn;
	int rc;
	for (int round = 0; round < 64; round++) {
		if ((rc = analyse(s, from)) < 0)
			return rc;
		size_t n = s->nfn;
		for (size_t i = from; i < n; i++)
			for (size_t k = 0; k < s->fn[i].fr.nsite; k++) {
				const struct fwm_stk_site *site = &s->fn[i].fr.site[k];
				int start;
				if ((site->kind == FWM_SITE_CALL || site->kind == FWM_SITE_TAIL) &&
				    fn_at(s, site->target, &start) == NONE && (rc = add_unnamed(s, site->target)) < 0)
					return rc;
			}
		if (s->nfn == n)
			break;
		from = n;
	}
	/* their names, for the annotations */
	size_t add = s->nfn - first_new;
	if (add) {
		struct name *a = realloc(s->names, (s->nnames + add) * sizeof *a);
		if (a)
			s->names = a;
		struct name *b = a ? realloc(s->norm, (s->nnames + add) * sizeof *b) : NULL;
		if (!b)
			return -ENOMEM;
		s->norm = b;
		for (size_t i = first_new; i < s->nfn; i++) {
			s->names[s->nnames] = (struct name){ s->fn[i].sym->name, i, NULL };
			s->norm[s->nnames++] = (struct name){ s->fn[i].sym->name, i, NULL };
		}
		qsort(s->names, s->nnames, sizeof *s->names, cmp_name);
		qsort(s->norm, s->nnames, sizeof *s->norm, cmp_name);
	}
	return 0;
}

/* ---- GCC's files and the annotations -------------------------------------- */

static const char *base(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

/* The one function a GCC name (and file) means, or NONE (*amb: several). */
static size_t gcc_fn(const struct st *s, const char *name, const char *file, int *amb)
{
	size_t lo, hi, found = NONE, nfound = 0, nglobal = 0, global = NONE;
	const struct name *v = s->names;
	*amb = 0;
	by_name(v, s->nnames, name, &lo, &hi);
	if (lo == hi) {
		v = s->norm;
		by_name(v, s->nnames, name, &lo, &hi);
	}
	for (size_t i = lo; i < hi; i++) {
		const struct fn *f = &s->fn[v[i].fn];
		if (i > lo && v[i].fn == v[i - 1].fn)
			continue;
		if (f->sym->bind != FWM_BIND_LOCAL) {
			nglobal++;
			global = v[i].fn;
			continue;
		}
		/* a local: its STT_FILE names the source */
		if (hi - lo > 1 && file && f->sym->file && strcmp(base(f->sym->file), base(file)) != 0)
			continue;
		found = v[i].fn;
		nfound++;
	}
	if (nfound == 0 && nglobal == 1)
		return global;
	if (nfound == 1 && (nglobal == 0 || (file && found != NONE)))
		return found;
	*amb = nfound + nglobal > 1;
	return NONE;
}

static void apply_su(struct st *s, const struct fwm_stk_su *u)
{
	int amb;
	size_t i = gcc_fn(s, u->name, u->file, &amb);
	if (i == NONE) {
		s->su_ambiguous += amb;
		return;
	}
	struct fn *f = &s->fn[i];
	if (f->su >= 0)
		return;
	f->su = (int64_t)u->bytes;
	f->su_dyn = u->dynamic;
	f->su_where = u->where;
	s->su_matched++;
}

static int read_gcc(struct st *s, struct fwm_err *err)
{
	const struct fwm_stackopts *so = s->so;
	int rc;
	for (size_t i = 0; i < so->nsu; i++)
		if ((rc = fwm_stk_gcc_read_su(&s->gcc, so->su[i], err)) < 0)
			return rc;
	for (size_t i = 0; i < so->nci; i++)
		if ((rc = fwm_stk_gcc_read_ci(&s->gcc, so->ci[i], err)) < 0)
			return rc;
	return 0;
}

/* .su lines first (they were read first): a .ci node only sizes a function
 * that no .su line names. */
static void match_gcc(struct st *s)
{
	for (size_t i = 0; i < s->gcc.nsu; i++)
		apply_su(s, &s->gcc.su[i]);
}

/* Check each annotation's names against the image. */
static int check_anns(struct st *s, struct fwm_err *err)
{
	for (size_t i = 0; i < s->anns.n; i++) {
		const struct fwm_stk_ann *a = &s->anns.v[i];
		size_t lo, hi;
		by_name(s->names, s->nnames, a->func, &lo, &hi);
		if (lo == hi)
			return fwm_errf(err, -EINVAL, "%s:%u: no function '%s' in %s", s->anns.path, a->line,
					a->func, s->img->path);
		for (size_t t = 0; t < a->ntargets; t++) {
			by_name(s->names, s->nnames, a->targets[t], &lo, &hi);
			if (lo == hi)
				return fwm_errf(err, -EINVAL, "%s:%u: no function '%s' in %s", s->anns.path, a->line,
						a->targets[t], s->img->path);
		}
	}
	return 0;
}

/* ---- frames and edges ------------------------------------------------------ */

static void frames(struct st *s)
{
	for (size_t i = 0; i < s->nfn; i++) {
		struct fn *f = &s->fn[i];
		f->frame = f->fr.frame;
		f->frame_src = "disassembly";
		if (f->su >= 0 && f->su_dyn != 1) {
			f->frame = (uint32_t)(f->su > FWM_STK_MAXDEPTH ? FWM_STK_MAXDEPTH : f->su);
			f->frame_src = "su";
		}
	}
	for (size_t i = 0; i < s->anns.n; i++) {
		const struct fwm_stk_ann *a = &s->anns.v[i];
		size_t lo, hi;
		if (a->kind != FWM_ANN_FRAME)
			continue;
		by_name(s->names, s->nnames, a->func, &lo, &hi);
		for (size_t k = lo; k < hi; k++) {
			struct fn *f = &s->fn[s->names[k].fn];
			f->ann = (int64_t)a->bytes;
			f->frame = (uint32_t)a->bytes;
			f->frame_src = "annotation";
		}
	}
}

static int add_edge(struct st *s, size_t from, size_t to, uint32_t depth, int via, uint64_t addr)
{
	if (s->ne == s->cape) {
		size_t c = s->cape ? 2 * s->cape : 256;
		struct edge *v = realloc(s->e, c * sizeof *v);
		if (!v)
			return -ENOMEM;
		s->e = v;
		s->cape = c;
	}
	s->e[s->ne++] = (struct edge){ from, to, depth, (uint8_t)via, addr };
	return 0;
}

/* The disassembly's depths hold unless GCC or the user says otherwise. */
static uint32_t site_depth(const struct fn *f, const struct fwm_stk_site *site)
{
	return f->frame == f->fr.frame ? site->depth : f->frame;
}

/* "f" and "f.cold" (or "f.part.0") are one function in two pieces. */
static int same_function(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return (lb > la && strncmp(a, b, la) == 0 && b[la] == '.') ||
	       (la > lb && strncmp(a, b, lb) == 0 && a[lb] == '.');
}

static int disasm_edges(struct st *s)
{
	for (size_t i = 0; i < s->nfn; i++) {
		const struct fn *f = &s->fn[i];
		for (size_t k = 0; k < f->fr.nsite; k++) {
			const struct fwm_stk_site *site = &f->fr.site[k];
			int start;
			if (site->kind != FWM_SITE_CALL && site->kind != FWM_SITE_TAIL)
				continue;
			size_t t = fn_at(s, site->target, &start);
			if (t == NONE)
				continue;      /* a reason, later */
			if (!start && site->kind == FWM_SITE_TAIL && same_function(fname(s, i), fname(s, t)))
				continue;      /* back into the function it came from */
			if (add_edge(s, i, t, site_depth(f, site), site->kind == FWM_SITE_TAIL ? VIA_TAIL : VIA_CALL,
				     site->addr) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* True when f reaches t through its disassembled calls (indexed) directly
 * or through a veneer (a function whose only call is a branch to t). */
static int calls(const struct st *s, size_t f, size_t t)
{
	for (size_t k = s->fn[f].e0; k < s->fn[f].e0 + s->fn[f].ne; k++) {
		const struct edge *e = &s->e[k];
		if (e->to == t)
			return 1;
		const struct fn *v = &s->fn[e->to];
		if (v->fr.nsite == 1 && v->fr.site[0].kind == FWM_SITE_TAIL) {
			int start;
			if (fn_at(s, v->fr.site[0].target, &start) == t)
				return 1;
		}
	}
	return 0;
}

static void index_edges(struct st *s);

static int ci_edges(struct st *s)
{
	index_edges(s);
	for (size_t i = 0; i < s->gcc.nedge; i++) {
		const struct fwm_stk_edge *g = &s->gcc.edge[i];
		int amb;
		size_t a = gcc_fn(s, g->caller, g->caller_file, &amb);
		if (a == NONE)
			continue;
		struct fn *f = &s->fn[a];
		if (!g->callee) {
			int has = 0;
			for (size_t k = 0; k < f->fr.nsite; k++)
				has |= f->fr.site[k].kind == FWM_SITE_ICALL || f->fr.site[k].kind == FWM_SITE_IJUMP;
			if (!has && !f->ci_indirect)
				f->ci_indirect = g->where;
			continue;
		}
		size_t b = gcc_fn(s, g->callee, NULL, &amb);
		if (b == NONE || calls(s, a, b))
			continue;
		if (add_edge(s, a, b, f->frame, VIA_CI, 0) < 0)
			return -ENOMEM;
		s->ci_edges++;
	}
	return 0;
}

static int ann_edges(struct st *s)
{
	for (size_t i = 0; i < s->anns.n; i++) {
		const struct fwm_stk_ann *a = &s->anns.v[i];
		size_t lo, hi;
		if (a->kind != FWM_ANN_INDIRECT)
			continue;
		by_name(s->names, s->nnames, a->func, &lo, &hi);
		for (size_t k = lo; k < hi; k++) {
			size_t c = s->names[k].fn;
			struct fn *f = &s->fn[c];
			uint32_t depth = 0;
			uint64_t at = 0;
			int any = 0;
			for (size_t j = 0; j < f->fr.nsite; j++) {
				const struct fwm_stk_site *site = &f->fr.site[j];
				if (site->kind != FWM_SITE_ICALL && site->kind != FWM_SITE_IJUMP)
					continue;
				if (!any || site_depth(f, site) > depth)
					depth = site_depth(f, site);
				if (!any)
					at = site->addr;
				any = 1;
			}
			if (!any)
				depth = f->frame;
			f->resolved = 1;
			for (size_t t = 0; t < a->ntargets; t++) {
				size_t tlo, thi;
				by_name(s->names, s->nnames, a->targets[t], &tlo, &thi);
				for (size_t x = tlo; x < thi; x++)
					if (add_edge(s, c, s->names[x].fn, depth, VIA_ANN, at) < 0)
						return -ENOMEM;
			}
		}
	}
	return 0;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return (int)x->via - (int)y->via;
}

static void index_edges(struct st *s)
{
	if (s->ne)
		qsort(s->e, s->ne, sizeof *s->e, cmp_edge);
	for (size_t i = 0; i < s->nfn; i++)
		s->fn[i].e0 = s->fn[i].ne = 0;
	for (size_t k = s->ne; k-- > 0; ) {
		s->fn[s->e[k].from].e0 = k;
		s->fn[s->e[k].from].ne++;
	}
}

/* ---- recursion and the worst case ------------------------------------------ */

static int add_reason(struct st *s, size_t fn, int kind, uint64_t addr, int has_addr, const char *insn,
		      const char *where)
{
	if (s->nr == s->capr) {
		size_t c = s->capr ? 2 * s->capr : 64;
		struct reason *v = realloc(s->r, c * sizeof *v);
		if (!v)
			return -ENOMEM;
		s->r = v;
		s->capr = c;
	}
	s->r[s->nr++] = (struct reason){ fn, (uint8_t)kind, addr, has_addr, insn && *insn ? insn : NULL,
					 where, 0, NULL };
	return 0;
}

/* A cycle through member v of a component, as "v -> ... -> v" (BFS over
 * the component's edges). */
static char *cycle(struct st *s, size_t v, const size_t *comp, size_t *prev, size_t *queue)
{
	size_t head = 0, tail = 0, found = NONE;
	size_t stamp = ++s->stamp;
	for (size_t k = 0; k < s->fn[v].ne && found == NONE; k++) {
		size_t w = s->e[s->fn[v].e0 + k].to;
		if (w == v) {
			found = v;
			prev[v] = v;
		} else if (comp[w] == comp[v] && s->fn[w].stamp != stamp) {
			s->fn[w].stamp = stamp;
			prev[w] = v;
			queue[tail++] = w;
		}
	}
	while (head < tail && found == NONE) {
		size_t u = queue[head++];
		for (size_t k = 0; k < s->fn[u].ne; k++) {
			size_t w = s->e[s->fn[u].e0 + k].to;
			if (w == v) {
				found = u;
				break;
			}
			if (comp[w] == comp[v] && s->fn[w].stamp != stamp) {
				s->fn[w].stamp = stamp;
				prev[w] = u;
				queue[tail++] = w;
			}
		}
	}
	/* the chain backwards: found, prev[found], ..., v */
	size_t n = 1, len = strlen(fname(s, v)) + 1;
	for (size_t u = found; u != v && u != NONE && n < s->nfn + 1; u = prev[u], n++)
		len += strlen(fname(s, u)) + 4;
	len += strlen(fname(s, v)) + 4;
	size_t *path = malloc((n + 1) * sizeof *path);
	char *c = malloc(len + 1);
	if (!path || !c || found == NONE) {
		free(path);
		free(c);
		return NULL;
	}
	size_t k = 0;
	for (size_t u = found; u != v && k < n; u = prev[u])
		path[k++] = u;
	char *p = c;
	p += sprintf(p, "%s", fname(s, v));
	while (k-- > 0)
		p += sprintf(p, " -> %s", fname(s, path[k]));
	sprintf(p, " -> %s", fname(s, v));
	free(path);
	return c;
}

static void worst_of(struct st *s, size_t v)
{
	struct fn *f = &s->fn[v];
	f->worst = f->frame;
	f->next = NONE;
	for (size_t k = 0; k < f->ne; k++) {
		const struct edge *e = &s->e[f->e0 + k];
		const struct fn *t = &s->fn[e->to];
		if (!t->done)
			continue;
		f->unb |= t->unb;
		if ((uint64_t)e->depth + t->worst > f->worst) {
			f->worst = (uint64_t)e->depth + t->worst;
			f->next = f->e0 + k;
		}
	}
	f->done = 1;
}

/* Tarjan, without recursion; each component's worst cases as it closes. */
static int components(struct st *s, size_t *comp)
{
	size_t n = s->nfn, *stk = malloc((n + 1) * sizeof *stk), *cv = malloc((n + 1) * sizeof *cv);
	size_t *ce = malloc((n + 1) * sizeof *ce), sp = 0, top = 0, ncomp = 0;
	long index = 0;
	if (!stk || !cv || !ce) {
		free(stk);
		free(cv);
		free(ce);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		s->fn[i].idx = -1;
	for (size_t r = 0; r < n; r++) {
		if (s->fn[r].idx >= 0)
			continue;
		s->fn[r].idx = s->fn[r].low = index++;
		stk[sp++] = r;
		s->fn[r].onstack = 1;
		cv[top] = r;
		ce[top++] = 0;
		while (top) {
			size_t v = cv[top - 1];
			struct fn *f = &s->fn[v];
			if (ce[top - 1] < f->ne) {
				size_t w = s->e[f->e0 + ce[top - 1]++].to;
				struct fn *g = &s->fn[w];
				if (g->idx < 0) {
					g->idx = g->low = index++;
					stk[sp++] = w;
					g->onstack = 1;
					cv[top] = w;
					ce[top++] = 0;
				} else if (g->onstack && g->idx < f->low) {
					f->low = g->idx;
				}
				continue;
			}
			top--;
			if (top && f->low < s->fn[cv[top - 1]].low)
				s->fn[cv[top - 1]].low = f->low;
			if (f->low != f->idx)
				continue;
			/* a component: v and what is above it on the stack */
			size_t first = sp;
			do {
				first--;
				comp[stk[first]] = ncomp;
				s->fn[stk[first]].comp = ncomp;
				s->fn[stk[first]].onstack = 0;
			} while (stk[first] != v);
			int rec = sp - first > 1;
			for (size_t k = 0; k < f->ne && !rec; k++)
				rec = s->e[f->e0 + k].to == v;
			for (size_t k = first; k < sp; k++) {
				s->fn[stk[k]].recursive = (uint8_t)rec;
				s->fn[stk[k]].unb |= (uint8_t)rec;
			}
			for (size_t k = sp; k-- > first; )
				worst_of(s, stk[k]);
			sp = first;
			ncomp++;
		}
	}
	free(stk);
	free(cv);
	free(ce);
	return 0;
}

/* Each function's own reasons, in function order. */
static int reasons(struct st *s, const size_t *comp)
{
	size_t *prev = malloc((s->nfn + 1) * sizeof *prev), *queue = malloc((s->nfn + 1) * sizeof *queue);
	int rc = prev && queue ? 0 : -ENOMEM;
	for (size_t i = 0; i < s->nfn && rc == 0; i++) {
		struct fn *f = &s->fn[i];
		size_t r0 = s->nr;
		int fixed = f->ann >= 0;
		int su_ok = f->su >= 0 && f->su_dyn != 1;
		if (f->sec < 0 && !fixed)
			rc = add_reason(s, i, RK_NOCODE, f->addr, 1, NULL, NULL);
		else if (f->arm && !fixed)
			rc = add_reason(s, i, RK_ARM, f->addr, 1, NULL, NULL);
		if (rc == 0 && f->fr.problem && !fixed && !su_ok)
			rc = add_reason(s, i, f->fr.problem == FWM_PB_SP ? RK_SP : f->fr.problem == FWM_PB_LOOP ? RK_LOOP
					: RK_HUGE, f->fr.problem_addr, 1, f->fr.problem_text, NULL);
		if (rc == 0 && f->su >= 0 && f->su_dyn == 1 && !f->fr.problem && !fixed)
			rc = add_reason(s, i, RK_DYNAMIC, 0, 0, NULL, f->su_where);
		for (size_t k = 0; k < f->fr.nsite && rc == 0; k++) {
			const struct fwm_stk_site *site = &f->fr.site[k];
			int start;
			if ((site->kind == FWM_SITE_ICALL || site->kind == FWM_SITE_IJUMP) && !f->resolved)
				rc = add_reason(s, i, site->kind == FWM_SITE_ICALL ? RK_ICALL : RK_IJUMP, site->addr, 1,
						site->text, NULL);
			else if ((site->kind == FWM_SITE_CALL || site->kind == FWM_SITE_TAIL) &&
				 fn_at(s, site->target, &start) == NONE) {
				rc = add_reason(s, i, RK_TARGET, site->addr, 1, site->text, NULL);
				if (rc == 0)
					s->r[s->nr - 1].target = site->target;
			}
		}
		if (rc == 0 && f->ci_indirect && !f->resolved)
			rc = add_reason(s, i, RK_CI_ICALL, 0, 0, NULL, f->ci_indirect);
		if (rc == 0 && f->recursive) {
			char *c = cycle(s, i, comp, prev, queue);
			rc = c ? add_reason(s, i, RK_RECURSION, 0, 0, NULL, NULL) : -ENOMEM;
			if (rc == 0)
				s->r[s->nr - 1].chain = c;
			else
				free(c);
		}
		f->r0 = r0;
		f->nr = s->nr - r0;
	}
	free(prev);
	free(queue);
	return rc;
}

static int worst(struct st *s)
{
	size_t *comp = malloc((s->nfn + 1) * sizeof *comp);
	if (!comp)
		return -ENOMEM;
	/* own reasons first: they make a function unbounded before its callers look */
	for (size_t i = 0; i < s->nfn; i++) {
		struct fn *f = &s->fn[i];
		int fixed = f->ann >= 0, su_ok = f->su >= 0 && f->su_dyn != 1;
		f->unb = (f->sec < 0 && !fixed) || (f->arm && !fixed) || (f->fr.problem && !fixed && !su_ok) ||
			 (f->su >= 0 && f->su_dyn == 1 && !fixed) || (f->ci_indirect && !f->resolved);
		for (size_t k = 0; k < f->fr.nsite; k++) {
			const struct fwm_stk_site *site = &f->fr.site[k];
			int start;
			if ((site->kind == FWM_SITE_ICALL || site->kind == FWM_SITE_IJUMP) && !f->resolved)
				f->unb = 1;
			else if ((site->kind == FWM_SITE_CALL || site->kind == FWM_SITE_TAIL) &&
				 fn_at(s, site->target, &start) == NONE)
				f->unb = 1;
		}
	}
	int rc = components(s, comp);
	if (rc == 0)
		rc = reasons(s, comp);
	free(comp);
	return rc;
}

/* ---- entry points ------------------------------------------------------------ */

static struct entry *add_entry(struct st *s, size_t fn, int kind)
{
	for (size_t i = 0; i < s->nent; i++)
		if (s->ent[i].fn == fn) {
			if (kind > s->ent[i].kind)
				s->ent[i].kind = (uint8_t)kind;
			return &s->ent[i];
		}
	if (s->nent == s->capent) {
		size_t c = s->capent ? 2 * s->capent : 16;
		struct entry *v = realloc(s->ent, c * sizeof *v);
		if (!v)
			return NULL;
		s->ent = v;
		s->capent = c;
	}
	struct entry *e = &s->ent[s->nent++];
	memset(e, 0, sizeof *e);
	e->fn = fn;
	e->kind = (uint8_t)kind;
	return e;
}

static int has_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

static int named_entries(struct st *s, struct fwm_err *err)
{
	size_t lo, hi;
	int start;
	by_name(s->names, s->nnames, "main", &lo, &hi);
	if (lo < hi && !add_entry(s, s->names[lo].fn, EK_MAIN))
		return nomem(err);
	/* the ELF's entry point: the reset handler, or _start */
	size_t e = s->img->entry ? fn_at(s, s->img->entry & ~(uint64_t)1, &start) : NONE;
	if (e != NONE && start && !add_entry(s, e, EK_RESET))
		return nomem(err);
	for (size_t i = 0; i < s->so->nentry; i++) {
		const char *p = s->so->entry[i];
		size_t n = 0;
		for (size_t k = 0; k < s->nnames; k++)
			if (fnmatch(p, s->names[k].name, 0) == 0) {
				if (!add_entry(s, s->names[k].fn, EK_THREAD))
					return nomem(err);
				n++;
			}
		if (n == 0 && !has_glob(p))
			return fwm_errf(err, -ENOENT, "%s: no function '%s' (--entry)", s->img->path, p);
	}
	for (size_t i = 0; i < s->anns.n; i++) {
		if (s->anns.v[i].kind != FWM_ANN_ENTRY)
			continue;
		by_name(s->names, s->nnames, s->anns.v[i].func, &lo, &hi);
		for (size_t k = lo; k < hi; k++)
			if (!add_entry(s, s->names[k].fn, EK_THREAD))
				return nomem(err);
	}
	return 0;
}

static const char *const vt_symbols[] = {
	"g_pfnVectors", "__isr_vector", "__Vectors", "__vectors", "_vectors", "_vector_table",
	"vector_table", "__vector_table", "isr_vector", "_isr_vector", "exception_table",
};
static const char *const vt_sections[] = { ".isr_vector", ".vectors", ".vector_table", ".intvec" };

/* Where the vector table is, and how many words it may have. */
static int find_vectors(struct st *s, uint64_t *addr, size_t *n, int *strict)
{
	struct fwm_image *img = s->img;
	*strict = 1;
	for (size_t k = 0; k < sizeof vt_symbols / sizeof *vt_symbols; k++)
		for (size_t i = 0; i < img->nsym; i++) {
			const struct fwm_symbol *y = &img->sym[i];
			if (strcmp(y->name, vt_symbols[k]) != 0 || !code_section(img, y->section))
				continue;
			const struct fwm_section *sec = &img->sec[y->section];
			if (y->addr < sec->vma || y->addr >= sec->vma + sec->size)
				continue;
			uint64_t room = sec->vma + sec->size - y->addr;
			*addr = y->addr;
			*n = (size_t)((y->size && y->size < room ? y->size : room) / 4);
			s->vt_name = y->name;
			return 1;
		}
	for (size_t k = 0; k < sizeof vt_sections / sizeof *vt_sections; k++)
		for (size_t i = 1; i < img->nsec; i++)
			if (strcmp(img->sec[i].name, vt_sections[k]) == 0 && code_section(img, (int)i)) {
				*addr = img->sec[i].vma;
				*n = (size_t)(img->sec[i].size / 4);
				s->vt_name = img->sec[i].name;
				return 1;
			}
	/* the lowest-addressed section whose second word is the entry point */
	*strict = 0;
	const struct fwm_section *best = NULL;
	for (size_t i = 1; i < img->nsec; i++) {
		const struct fwm_section *sec = &img->sec[i];
		uint32_t w0, w1;
		if (!code_section(img, (int)i) || sec->type != SHT_PROGBITS || sec->size < 8 || !img->entry ||
		    fwm_stk_read32(&s->mem, sec->vma, &w0) < 0 || fwm_stk_read32(&s->mem, sec->vma + 4, &w1) < 0)
			continue;
		if ((w1 | 1) == (img->entry | 1) && (w1 & 1) && !(w0 & 3) && (!best || sec->vma < best->vma))
			best = sec;
	}
	if (!best)
		return 0;
	*addr = best->vma;
	*n = (size_t)(best->size / 4);
	s->vt_name = best->name;
	return 1;
}

static int vector_entries(struct st *s)
{
	uint64_t at;
	size_t n;
	int strict;
	if (s->img->machine != EM_ARM || !find_vectors(s, &at, &n, &strict))
		return 0;
	if (n > MAX_VECTORS)
		n = MAX_VECTORS;
	s->vt_addr = at;
	for (size_t v = 1; v < n; v++) {
		uint32_t w;
		int start;
		if (fwm_stk_read32(&s->mem, at + 4 * v, &w) < 0)
			break;
		if (w == 0)
			continue;
		size_t f = fn_at(s, w & ~1u, &start);
		if (!(w & 1) || f == NONE || !start) {
			if (!strict)
				break;
			if (warnf(s, "vector %zu of %s: 0x%08" PRIx32 " is %s", v, s->vt_name, w,
				  !(w & 1) ? "not a Thumb address" : "not the start of a function") < 0)
				return -ENOMEM;
			continue;
		}
		struct entry *e = add_entry(s, f, v == 1 ? EK_RESET : EK_EXCEPTION);
		if (!e)
			return -ENOMEM;
		unsigned *vv = realloc(e->vec, (e->nvec + 1) * sizeof *vv);
		if (!vv)
			return -ENOMEM;
		e->vec = vv;
		vv[e->nvec++] = (unsigned)v;
		s->vt_n = v + 1;
	}
	return 0;
}

static void fpu(struct st *s)
{
	s->exc = EXC_FRAME;
	if (s->img->machine != EM_ARM) {
		s->exc = 0;
		return;
	}
	for (size_t i = 1; i < s->img->nsec; i++) {
		const struct fwm_section *sec = &s->img->sec[i];
		if (strcmp(sec->name, ".ARM.attributes") != 0 || !has_bytes(s->img, sec))
			continue;
		s->fp = fwm_stk_arm_fp_arch(s->img->data + sec->offset, (size_t)sec->size, s->img->big_endian);
		if (s->fp != 0)
			s->exc = EXC_FRAME_FP;   /* malformed: assume the worse */
	}
}

static uint32_t exc_of(const struct st *s, const struct entry *e)
{
	return e->kind == EK_EXCEPTION ? s->exc : 0;
}

/* The reasons reachable from each entry (nearest first). */
static int entry_reasons(struct st *s)
{
	size_t *queue = malloc((s->nfn + 1) * sizeof *queue);
	if (!queue)
		return -ENOMEM;
	for (size_t k = 0; k < s->nent; k++) {
		struct entry *en = &s->ent[k];
		size_t head = 0, tail = 0, stamp = ++s->stamp, cap = 0;
		const struct fn *f = &s->fn[en->fn];
		en->worst = f->worst + exc_of(s, en);
		en->unb = f->unb;
		if (!f->unb)
			continue;
		/* every function on a path to a reason is unbounded too */
		queue[tail++] = en->fn;
		s->fn[en->fn].stamp = stamp;
		while (head < tail) {
			const struct fn *g = &s->fn[queue[head++]];
			for (size_t r = 0; r < g->nr; r++) {
				/* one recursion reason a cycle */
				const struct reason *x = &s->r[g->r0 + r];
				int dup = 0;
				for (size_t q = 0; x->kind == RK_RECURSION && q < en->nrs && !dup; q++)
					dup = s->r[en->rs[q]].kind == RK_RECURSION &&
					      s->fn[s->r[en->rs[q]].fn].comp == s->fn[x->fn].comp;
				if (dup)
					continue;
				if (en->nrs == cap) {
					cap = cap ? 2 * cap : 8;
					size_t *v = realloc(en->rs, cap * sizeof *v);
					if (!v) {
						free(queue);
						return -ENOMEM;
					}
					en->rs = v;
				}
				en->rs[en->nrs++] = g->r0 + r;
			}
			for (size_t e = 0; e < g->ne; e++) {
				size_t w = s->e[g->e0 + e].to;
				if (s->fn[w].stamp != stamp && s->fn[w].unb) {
					s->fn[w].stamp = stamp;
					queue[tail++] = w;
				}
			}
		}
	}
	free(queue);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->unb != y->unb)
		return x->unb ? -1 : 1;
	if (x->worst != y->worst)
		return x->worst > y->worst ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

/* ---- output ----------------------------------------------------------------- */

static char *reason_text(const struct st *s, const struct reason *r)
{
	char *t = NULL, ins[64] = "";
	const char *f = fname(s, r->fn);
	if (r->insn)
		snprintf(ins, sizeof ins, " (%s)", r->insn);
	switch (r->kind) {
	case RK_ICALL:
		return asprintf(&t, "indirect call in %s at 0x%08" PRIx64 "%s", f, r->addr, ins) < 0 ? NULL : t;
	case RK_IJUMP:
		return asprintf(&t, "indirect jump in %s at 0x%08" PRIx64 "%s", f, r->addr, ins) < 0 ? NULL : t;
	case RK_SP:
		return asprintf(&t, "unbounded sp adjustment in %s at 0x%08" PRIx64 "%s", f, r->addr, ins) < 0
			       ? NULL : t;
	case RK_LOOP:
		return asprintf(&t, "sp moves in a loop in %s at 0x%08" PRIx64 "%s", f, r->addr, ins) < 0 ? NULL : t;
	case RK_HUGE:
		return asprintf(&t, "a frame above %u bytes in %s at 0x%08" PRIx64 "%s", FWM_STK_MAXDEPTH, f,
				r->addr, ins) < 0 ? NULL : t;
	case RK_DYNAMIC:
		return asprintf(&t, "dynamic stack allocation in %s (%s)", f, r->where) < 0 ? NULL : t;
	case RK_CI_ICALL:
		return asprintf(&t, "indirect call in %s (%s)", f, r->where) < 0 ? NULL : t;
	case RK_NOCODE:
		return asprintf(&t, "no code for %s at 0x%08" PRIx64, f, r->addr) < 0 ? NULL : t;
	case RK_ARM:
		return asprintf(&t, "%s at 0x%08" PRIx64 " is ARM (A32) code, not analysed", f, r->addr) < 0
			       ? NULL : t;
	case RK_TARGET:
		return asprintf(&t, "call to 0x%08" PRIx64 ", in no function, from %s at 0x%08" PRIx64, r->target,
				f, r->addr) < 0 ? NULL : t;
	default:
		return asprintf(&t, "recursion %s", r->chain) < 0 ? NULL : t;
	}
}

static json_t *reason_json(const struct st *s, const struct reason *r)
{
	char *t = reason_text(s, r);
	json_t *o = json_object(), *chain = NULL;
	if (r->kind == RK_RECURSION && r->chain) {
		chain = json_array();
		for (const char *p = r->chain; chain && *p; ) {
			const char *q = strstr(p, " -> ");
			size_t l = q ? (size_t)(q - p) : strlen(p);
			char *nm = strndup(p, l);
			json_array_append_new(chain, nm ? fwm_json_string(nm) : json_null());
			free(nm);
			p += l + (q ? 4 : 0);
		}
	}
	if (!o || !t || json_object_set_new(o, "kind", json_string(rk_names[r->kind])) ||
	    json_object_set_new(o, "function", fwm_json_string(fname(s, r->fn))) ||
	    json_object_set_new(o, "address", r->has_addr ? json_integer((json_int_t)r->addr) : json_null()) ||
	    json_object_set_new(o, "instruction", r->insn ? fwm_json_string(r->insn) : json_null()) ||
	    json_object_set_new(o, "location", r->where ? fwm_json_string(r->where) : json_null()) ||
	    json_object_set_new(o, "chain", chain ? chain : json_null()) ||
	    json_object_set_new(o, "message", fwm_json_string(t))) {
		json_decref(o);
		o = NULL;
	}
	free(t);
	return o;
}

static json_t *path_json(const struct st *s, const struct entry *en)
{
	json_t *a = json_array();
	size_t v = en->fn, steps = 0;
	uint32_t exc = exc_of(s, en);
	if (a && exc && json_array_append_new(a, json_pack("{s:n, s:n, s:I, s:s, s:n}", "function", "address",
							    "bytes", (json_int_t)exc, "via", "exception",
							    "call_site")))
		goto fail;
	int via = -1;
	uint64_t at = 0;
	while (a && v != NONE && steps++ <= s->nfn) {
		const struct fn *f = &s->fn[v];
		const struct edge *e = f->next != NONE ? &s->e[f->next] : NULL;
		json_t *o = json_pack("{s:o, s:I, s:I, s:s, s:o}", "function", fwm_json_string(fname(s, v)),
				      "address", (json_int_t)f->addr, "bytes",
				      (json_int_t)(e ? e->depth : f->frame),
				      "via", via < 0 ? "entry" : via_names[via],
				      "call_site", via < 0 || !at ? json_null() : json_integer((json_int_t)at));
		if (json_array_append_new(a, o))
			goto fail;
		v = e ? e->to : NONE;
		via = e ? e->via : -1;
		at = e ? e->addr : 0;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

static const char *status(const struct entry *e)
{
	return e->unb ? "UNBOUNDED" : "bounded";
}

static json_t *entries_json(const struct st *s)
{
	json_t *a = json_array();
	for (size_t k = 0; a && k < s->nent; k++) {
		const struct entry *en = &s->ent[k];
		json_t *vec = json_array(), *rs = json_array();
		for (size_t i = 0; vec && i < en->nvec; i++)
			json_array_append_new(vec, json_integer(en->vec[i]));
		for (size_t i = 0; rs && i < en->nrs; i++)
			json_array_append_new(rs, reason_json(s, &s->r[en->rs[i]]));
		json_t *o = json_pack("{s:o, s:s, s:I, s:o, s:I, s:b, s:i, s:o, s:o}",
				      "name", fwm_json_string(fname(s, en->fn)), "kind", ek_names[en->kind],
				      "address", (json_int_t)s->fn[en->fn].addr, "vectors", vec ? vec : json_null(),
				      "stack", (json_int_t)en->worst, "bounded", !en->unb,
				      "exception_frame", (int)exc_of(s, en), "reasons", rs ? rs : json_null(),
				      "path", path_json(s, en));
		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *functions_json(const struct st *s)
{
	json_t *a = json_array();
	for (size_t j = 0; a && j < s->nfn; j++) {
		size_t i = s->byaddr[j];
		const struct fn *f = &s->fn[i];
		json_t *c = json_array(), *pb = json_array();
		for (size_t k = 0; c && k < f->ne; k++) {
			const struct edge *e = &s->e[f->e0 + k];
			json_array_append_new(c, json_pack("{s:o, s:o, s:I, s:s}", "function",
							   fwm_json_string(fname(s, e->to)), "call_site",
							   e->addr ? json_integer((json_int_t)e->addr) : json_null(),
							   "depth", (json_int_t)e->depth, "via", via_names[e->via]));
		}
		for (size_t r = 0; pb && r < f->nr; r++)
			json_array_append_new(pb, reason_json(s, &s->r[f->r0 + r]));
		int code = f->sec >= 0 && !f->arm;
		json_t *o = json_pack("{s:o, s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:b, s:o, s:o}",
				      "name", fwm_json_string(fname(s, i)), "address", (json_int_t)f->addr,
				      "size", (json_int_t)f->size, "frame", (json_int_t)f->frame,
				      "frame_source", f->frame_src,
				      "frame_disassembly", code ? json_integer((json_int_t)f->fr.frame) : json_null(),
				      "frame_su", f->su >= 0 ? json_integer((json_int_t)f->su) : json_null(),
				      "su_qualifier", f->su < 0 ? json_null()
				      : json_string(f->su_dyn == 0 ? "static" : f->su_dyn == 1 ? "dynamic" : "dynamic,bounded"),
				      "su_location", f->su_where ? fwm_json_string(f->su_where) : json_null(),
				      "worst", (json_int_t)f->worst, "bounded", !f->unb,
				      "calls", c ? c : json_null(), "problems", pb ? pb : json_null());
		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *mismatches_json(const struct st *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->nfn; i++) {
		const struct fn *f = &s->fn[i];
		if (f->su < 0 || f->sec < 0 || f->arm || (uint64_t)f->su == f->fr.frame)
			continue;
		if (json_array_append_new(a, json_pack("{s:o, s:I, s:I, s:s, s:o}", "function",
						       fwm_json_string(fname(s, i)), "disassembly",
						       (json_int_t)f->fr.frame, "su", (json_int_t)f->su,
						       "su_qualifier", f->su_dyn == 0 ? "static" : f->su_dyn == 1
						       ? "dynamic" : "dynamic,bounded", "location",
						       fwm_json_string(f->su_where)))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static size_t mismatches(const struct st *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nfn; i++) {
		const struct fn *f = &s->fn[i];
		n += f->su >= 0 && f->sec >= 0 && !f->arm && (uint64_t)f->su != f->fr.frame;
	}
	return n;
}

static json_t *doc(const struct st *s)
{
	const struct fwm_image *img = s->img;
	char bid[2 * sizeof img->build_id + 1] = "";
	for (size_t i = 0; i < img->build_id_len; i++)
		sprintf(bid + 2 * i, "%02x", img->build_id[i]);
	json_t *vt = s->vt_name ? json_pack("{s:o, s:I, s:I}", "name", fwm_json_string(s->vt_name), "address",
					    (json_int_t)s->vt_addr, "entries", (json_int_t)s->vt_n)
				: json_null();
	json_t *w = json_array();
	for (size_t i = 0; w && i < s->nwarn; i++)
		json_array_append_new(w, fwm_json_string(s->warn[i]));
	return json_pack("{s:o, s:s, s:i, s:o, s:s, s:I, s:o, s:i, s:b, s:o, s:o, s:o, s:o, s:I, s:I}",
			 "file", fwm_json_string(img->path), "machine", fwm_machine_name(img->machine),
			 "class", img->elfclass, "build_id", img->build_id_len ? json_string(bid) : json_null(),
			 "arch", s->arch.name, "functions_count", (json_int_t)s->nfn,
			 "vector_table", vt ? vt : json_null(), "exception_frame", (int)s->exc,
			 "fp_context", s->exc == EXC_FRAME_FP, "entries", entries_json(s),
			 "functions", functions_json(s), "su_mismatches", mismatches_json(s),
			 "warnings", w ? w : json_null(), "su_matched", (json_int_t)s->su_matched,
			 "ci_edges_added", (json_int_t)s->ci_edges);
}

static const struct fwm_column entry_cols[] = {
	{ "name", "Entry", FWM_COL_STR },
	{ "kind", "Kind", FWM_COL_STR },
	{ "address", "Address", FWM_COL_ADDR },
	{ "stack", "Stack", FWM_COL_INT },
	{ "status", "Status", FWM_COL_STR },
	{ "reason", "Reason", FWM_COL_STR },
	{ "path", "Worst path", FWM_COL_STR },
};

/* "a (8) > b (16) > c (40)" */
static char *path_text(const struct st *s, const struct entry *en)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	uint32_t exc = exc_of(s, en);
	if (exc)
		fprintf(f, "[exception frame] (%" PRIu32 ") > ", exc);
	size_t v = en->fn, steps = 0;
	while (v != NONE && steps++ <= s->nfn) {
		const struct fn *g = &s->fn[v];
		const struct edge *e = g->next != NONE ? &s->e[g->next] : NULL;
		fprintf(f, "%s%s (%" PRIu32 ")", steps > 1 ? " > " : "", fname(s, v), e ? e->depth : g->frame);
		v = e ? e->to : NONE;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_path(const struct st *s, const struct entry *en, FILE *out, int md)
{
	uint32_t exc = exc_of(s, en);
	int w = 8;
	if (md)
		fprintf(out, "\n**%s**: %s%" PRIu64 " bytes\n\n| Bytes | Function | Address | Via |\n|---:|---|---|---|\n",
			fname(s, en->fn), en->unb ? "UNBOUNDED, at least " : "", en->worst);
	else
		fprintf(out, "\n%s: %s%" PRIu64 " bytes\n", fname(s, en->fn),
			en->unb ? "UNBOUNDED, at least " : "", en->worst);
	if (exc) {
		if (md)
			fprintf(out, "| %" PRIu32 " | (exception frame) | | |\n", exc);
		else
			fprintf(out, "  %*" PRIu32 "  (exception frame)\n", w, exc);
	}
	size_t v = en->fn, steps = 0;
	int via = -1;
	while (v != NONE && steps++ <= s->nfn) {
		const struct fn *g = &s->fn[v];
		const struct edge *e = g->next != NONE ? &s->e[g->next] : NULL;
		uint32_t b = e ? e->depth : g->frame;
		const char *vn = via < 0 ? "" : via == VIA_CALL ? "" : via == VIA_TAIL ? " (tail call)"
			       : via == VIA_CI ? " (from .ci)" : " (annotation)";
		if (md) {
			fprintf(out, "| %" PRIu32 " | ", b);
			fwm_md_field(out, fname(s, v));
			fprintf(out, " | 0x%08" PRIx64 " | %s |\n", g->addr, via < 0 ? "entry" : via_names[via]);
		} else {
			fprintf(out, "  %*" PRIu32 "  %-28s 0x%08" PRIx64 "%s%s\n", w, b, fname(s, v), g->addr, vn,
				g->frame_src[0] == 'd' ? "" : g->frame_src[0] == 's' ? " [.su]" : " [annotation]");
		}
		v = e ? e->to : NONE;
		via = e ? e->via : -1;
	}
	for (size_t r = 0; r < en->nrs; r++) {
		char *t = reason_text(s, &s->r[en->rs[r]]);
		if (md) {
			fputs("\n- ", out);
			fwm_md_field(out, t ? t : "?");
		} else {
			fprintf(out, "  unbounded: %s\n", t ? t : "?");
		}
		free(t);
		if (r == 9 && en->nrs > 10) {
			fprintf(out, md ? "\n- (%zu more)" : "  (%zu more; --format json lists them all)\n",
				en->nrs - 10);
			break;
		}
	}
	if (md && en->nrs)
		fputc('\n', out);
}

static int report(struct st *s, const struct fwm_out *o, struct fwm_err *err)
{
	if (o->fmt == FWM_FMT_JSON)
		return fwm_elfmap_emit(doc(s), o, "stack", err);
	struct fwm_table t;
	size_t ncols = sizeof entry_cols / sizeof *entry_cols;
	fwm_table_init(&t, entry_cols, o->fmt == FWM_FMT_TEXT ? ncols - 1 : ncols);
	char **texts = calloc(2 * s->nent + 1, sizeof *texts);
	int rc = texts ? 0 : nomem(err);
	for (size_t k = 0; k < s->nent && rc == 0; k++) {
		const struct entry *en = &s->ent[k];
		struct fwm_cell *c = fwm_table_add(&t);
		if (!c) {
			rc = nomem(err);
			break;
		}
		c[0].s = fname(s, en->fn);
		c[1].s = ek_names[en->kind];
		c[2].u = s->fn[en->fn].addr;
		c[3].u = en->worst;
		c[4].s = status(en);
		if (en->nrs) {
			char *r = reason_text(s, &s->r[en->rs[0]]), *x = NULL;
			if (r && en->nrs > 1 && asprintf(&x, "%s (+%zu more)", r, en->nrs - 1) >= 0) {
				free(r);
				r = x;
			}
			texts[2 * k] = r;
			c[5].s = r;
		}
		if (o->fmt != FWM_FMT_TEXT)
			c[6].s = texts[2 * k + 1] = path_text(s, en);
	}
	if (rc == 0) {
		FILE *f = o->f;
		if (o->fmt == FWM_FMT_TEXT) {
			fprintf(f, "%s: %s, %zu functions", s->img->path, s->arch.name, s->nfn);
			if (s->vt_name)
				fprintf(f, ", vector table %s at 0x%08" PRIx64 " (%zu entries), exception frame %" PRIu32
					" bytes (%s)", s->vt_name, s->vt_addr, s->vt_n, s->exc,
					s->fp > 0 ? "FP context: Tag_FP_arch" : s->fp < 0 ? "FP context: bad .ARM.attributes"
					: "no FPU");
			fputc('\n', f);
		} else if (o->fmt == FWM_FMT_MD) {
			fprintf(f, "### elfmap stack: %s\n\n", s->img->path);
		}
		fwm_table_print(&t, o->fmt, f);
		if (o->fmt == FWM_FMT_TEXT || o->fmt == FWM_FMT_MD) {
			size_t n = s->so->worst < 0 ? 0 : (size_t)s->so->worst;
			if (n > s->nent)
				n = s->nent;
			if (n && o->fmt == FWM_FMT_TEXT)
				fprintf(f, "\nworst path%s:\n", n > 1 ? "s" : "");
			for (size_t k = 0; k < n; k++)
				print_path(s, &s->ent[k], f, o->fmt == FWM_FMT_MD);
			if (o->fmt == FWM_FMT_TEXT) {
				if (s->gcc.nfiles)
					fprintf(f, "\nGCC: %zu functions sized by .su/.ci files, %zu differ from the "
						"disassembly%s, %zu call edges added from .ci files\n", s->su_matched,
						mismatches(s), mismatches(s) ? " (--format json: su_mismatches)" : "",
						s->ci_edges);
				for (size_t i = 0; i < s->nwarn; i++)
					fprintf(f, "warning: %s\n", s->warn[i]);
			}
		}
	}
	for (size_t k = 0; texts && k < 2 * s->nent; k++)
		free(texts[k]);
	free(texts);
	fwm_table_free(&t);
	return rc;
}

/* ---- the session -------------------------------------------------------------- */

static void st_free(struct st *s)
{
	for (size_t i = 0; i < s->nfn; i++)
		fwm_stk_frame_free(&s->fn[i].fr);
	for (size_t i = 0; s->norm && i < s->nnames; i++)
		free(s->norm[i].owned);
	free(s->fn);
	free(s->byaddr);
	for (size_t i = 0; i < s->nsynth; i++) {
		free((char *)s->synth[i]->name);
		free(s->synth[i]);
	}
	free(s->synth);
	free(s->names);
	free(s->norm);
	free(s->data);
	free(s->armcode);
	free(s->e);
	for (size_t i = 0; i < s->nr; i++)
		free(s->r[i].chain);
	free(s->r);
	for (size_t i = 0; i < s->nent; i++) {
		free(s->ent[i].vec);
		free(s->ent[i].rs);
	}
	free(s->ent);
	for (size_t i = 0; i < s->nwarn; i++)
		free(s->warn[i]);
	free(s->warn);
	fwm_stk_gcc_free(&s->gcc);
	fwm_stk_anns_free(&s->anns);
	fwm_stk_arch_close(&s->arch);
}

int fwm_elfmap_stack(struct fwm_elfmap *m, const struct fwm_stackopts *so, const struct fwm_out *o,
		     struct fwm_err *err)
{
	struct st s = { .m = m, .img = m->img, .so = so };
	int rc;
	s.mem.img = m->img;
	if ((rc = fwm_stk_arch_open(m->img, &s.mem, &s.arch, err)) < 0)
		return rc;
	if ((rc = fwm_image_load_symbols(m->img, err)) < 0)
		goto out;
	if (so->annotations && (rc = fwm_stk_anns_read(&s.anns, so->annotations, err)) < 0)
		goto out;
	if ((rc = read_gcc(&s, err)) < 0)
		goto out;
	if (mapping_ranges(&s) < 0 || load_functions(&s) < 0 || analyse_all(&s) < 0) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = check_anns(&s, err)) < 0)
		goto out;
	match_gcc(&s);
	frames(&s);
	if (disasm_edges(&s) < 0 || ci_edges(&s) < 0 || ann_edges(&s) < 0) {
		rc = nomem(err);
		goto out;
	}
	index_edges(&s);
	if (worst(&s) < 0) {
		rc = nomem(err);
		goto out;
	}
	fpu(&s);
	if ((rc = named_entries(&s, err)) < 0)
		goto out;
	if (vector_entries(&s) < 0 || entry_reasons(&s) < 0) {
		rc = nomem(err);
		goto out;
	}
	if (s.nent)
		qsort(s.ent, s.nent, sizeof *s.ent, cmp_entry);
	rc = report(&s, o, err);
out:
	st_free(&s);
	return rc;
}
