/*
 * genfw: write a deterministic, firmware-like C project for elfmap's
 * benchmark (issue 3, "Speed").  bench/genfw.sh runs it and compiles the
 * result with arm-none-eabi-gcc; this program only writes text.
 *
 *   genfw OUTDIR NTU NDIR NFUNC NOBJ SEED
 *
 * OUTDIR gets include/ (one common header, one header per directory),
 * src/<dir>/<file>.c (NTU translation units spread over NDIR directories),
 * src/main.c, src/startup.c, fw.ld (STM32-style script, FLASH 4M, RAM 1M)
 * and a Makefile.  The units hold exactly NFUNC functions and NOBJ data
 * objects in all (each unit's fixed cmp_u32(), scratch objects and tables
 * included): global and static functions (the same static names recur in
 * many units), about half of them one-line accessors, the rest with five
 * signatures and bodies with loops, dense switches (jump tables), calls
 * within the unit, across units and into newlib (string, stdio, stdlib,
 * libm); objects in .rodata, .data and .bss of varied sizes.  Every function
 * and object is referenced from a per-unit table that main() reads, so
 * --gc-sections keeps them all.  The same arguments give the same bytes: the
 * only randomness is a splitmix64 generator seeded with SEED.  The mix
 * (TINY_PCT, statement counts, table sizes) is tuned so that the large
 * preset of bench/genfw.sh links to about 15 MB with about 9 MB of DWARF.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- deterministic randomness ---------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* A number in [0, n); n > 0. */
static unsigned rn(unsigned n) { return rnd() % n; }
/* A number in [lo, hi]. */
static unsigned rr(unsigned lo, unsigned hi) { return lo + rn(hi - lo + 1); }

/* ---- small helpers ---------------------------------------------------- */

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("genfw: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		die("out of memory");
	return p;
}

static void mkdirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n >= sizeof buf)
		die("path too long: %s", path);
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				die("mkdir %s: %s", buf, strerror(errno));
			buf[i] = c;
		}
	}
}

static FILE *xopen(const char *out, const char *rel)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", out, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	FILE *f = fopen(path, "w");
	if (!f)
		die("open %s: %s", path, strerror(errno));
	return f;
}

static void xclose(FILE *f, const char *rel)
{
	if (ferror(f) || fclose(f) != 0)
		die("write %s failed", rel);
}

/* ---- the model -------------------------------------------------------- */

enum sig { SIG_II, SIG_BUF, SIG_CTX, SIG_FLT, SIG_DEV, NSIG_BODY, SIG_SET = NSIG_BODY, SIG_GET, NSIG };

/* Percentage of functions that are one-line accessors (void f(void), uint32_t f(void)). */
#define TINY_PCT 52

/* Per unit, besides the generated ones (see write_unit). */
#define EXTRA_FN 1
#define EXTRA_OBJ 7

struct func {
	char name[64];
	int is_static;
	enum sig sig;
};

enum okind { O_ROTAB, O_ROSTR, O_DATA, O_BSS, O_CTX, O_CMDS, O_SCALAR, NOKIND };

struct obj {
	char name[64];
	int is_static;
	enum okind kind;
	const char *ctype;   /* element type */
	unsigned esize;      /* bytes per element */
	unsigned count;      /* elements (string length for O_ROSTR) */
};

struct dir {
	const char *path;
	const char *tag;
	unsigned ntu;
};

struct tu {
	struct dir *dir;
	char stem[48];       /* e.g. uart_dma */
	char rel[128];       /* e.g. src/drivers/uart/uart_dma.c */
	struct func *fn;
	unsigned nfn;
	struct obj *ob;
	unsigned nob;
};

static struct dir dirs_all[] = {
	{ "drivers/uart", "uart", 0 }, { "drivers/spi", "spi", 0 },
	{ "drivers/i2c", "i2c", 0 },   { "drivers/flash", "flash", 0 },
	{ "drivers/gpio", "gpio", 0 }, { "net/ip", "ip", 0 },
	{ "net/tcp", "tcp", 0 },       { "net/mqtt", "mqtt", 0 },
	{ "fs/lfs", "lfs", 0 },        { "crypto/sha", "sha", 0 },
	{ "crypto/aes", "aes", 0 },    { "app/ctrl", "ctrl", 0 },
	{ "app/ui", "ui", 0 },         { "lib/util", "util", 0 },
	{ "kernel/sched", "sched", 0 },
};
#define MAXDIR (sizeof dirs_all / sizeof dirs_all[0])

static const char *const stems[] = {
	"core", "dma", "irq", "cfg", "pm", "buf", "fifo", "proto",
	"diag", "stats", "shell", "log", "hw", "api", "timer", "cache",
};
#define NSTEM ((unsigned)(sizeof stems / sizeof stems[0]))

static const char *const verbs[] = {
	"init", "setup", "reset_state", "poll", "handle_irq", "parse_hdr",
	"encode", "decode", "crc_update", "check_range", "clamp_val",
	"next_state", "flush_fifo", "fill_buf", "update_stats", "apply_cfg",
	"validate", "dispatch", "on_timer", "on_event", "start_xfer",
	"stop_xfer", "calc_timeout", "lookup", "insert_entry", "remove_entry",
	"pack_frame", "unpack_frame", "scale_sample", "filter_step",
	"log_event", "retry", "arm_watchdog", "cb_done", "map_addr",
	"sum_block", "compare_key", "hash_str", "print_stats", "sync_clock",
};
#define NVERB ((unsigned)(sizeof verbs / sizeof verbs[0]))

static const char *const nouns[] = {
	"lut", "cfg", "state", "buf", "tbl", "stats", "rxq", "txq", "keys",
	"map", "cache", "pool", "desc", "regs", "coeff", "names", "limits",
	"hist", "ring", "scratch",
};
#define NNOUN ((unsigned)(sizeof nouns / sizeof nouns[0]))

static struct tu *tus;
static unsigned ntu;

/* ---- planning: names, signatures, kinds (no text yet) ----------------- */

static void plan(unsigned ndir, unsigned nfunc, unsigned nobj)
{
	tus = xcalloc(ntu, sizeof *tus);
	/* The totals count what every unit has besides its generated functions
	 * and objects: cmp_u32(), and tu_scratch, tu_words, tu_ctx, tu_regs,
	 * tu_dev and the two tables main() reads. */
	nfunc -= ntu * EXTRA_FN;
	nobj -= ntu * EXTRA_OBJ;
	unsigned fbase = nfunc / ntu, frem = nfunc % ntu;
	unsigned obase = nobj / ntu, orem = nobj % ntu;
	unsigned df = 0, dob = 0;

	for (unsigned i = 0; i < ntu; i++) {
		struct tu *t = &tus[i];
		t->dir = &dirs_all[i % ndir];
		unsigned k = t->dir->ntu++;
		if (k < NSTEM)
			snprintf(t->stem, sizeof t->stem, "%s_%s", t->dir->tag, stems[k]);
		else
			snprintf(t->stem, sizeof t->stem, "%s_%s%u", t->dir->tag,
				 stems[k % NSTEM], k / NSTEM);
		snprintf(t->rel, sizeof t->rel, "src/%s/%s.c", t->dir->path, t->stem);

		/* Vary unit sizes in pairs (+d, -d) so that the totals stay exact. */
		unsigned nf = fbase + (i < frem), no = obase + (i < orem);
		if ((i & 1) == 0 && i + 1 < ntu) {
			df = rn(nf / 2 + 1);
			dob = rn(no / 2 + 1);
			t->nfn = nf + df;
			t->nob = no + dob;
		} else if (i & 1) {
			t->nfn = nf - df;
			t->nob = no - dob;
		} else {
			t->nfn = nf;
			t->nob = no;
		}
	}
	for (unsigned i = 0; i < ntu; i++) {
		struct tu *t = &tus[i];
		if (t->nfn < 2)
			t->nfn = 2;
		if (t->nob < 4)
			t->nob = 4;
		t->fn = xcalloc(t->nfn, sizeof *t->fn);
		for (unsigned j = 0; j < t->nfn; j++) {
			struct func *f = &t->fn[j];
			f->is_static = rn(100) < 35;
			f->sig = rn(100) < TINY_PCT ? (enum sig)(SIG_SET + rn(2)) : (enum sig)rn(NSIG_BODY);
			if (j == 0) { /* every unit has a global entry point */
				f->is_static = 0;
				f->sig = SIG_II;
			}
			if (f->is_static) {
				/* same names in every unit, as in real code bases */
				if (j / NVERB)
					snprintf(f->name, sizeof f->name, "%s_%u", verbs[j % NVERB], j / NVERB);
				else
					snprintf(f->name, sizeof f->name, "%s", verbs[j % NVERB]);
			} else {
				snprintf(f->name, sizeof f->name, "%s_%s_%u", t->stem, verbs[rn(NVERB)], j);
			}
		}
		t->ob = xcalloc(t->nob, sizeof *t->ob);
		for (unsigned j = 0; j < t->nob; j++) {
			struct obj *o = &t->ob[j];
			unsigned p = rn(100);
			o->kind = p < 30 ? O_ROTAB : p < 42 ? O_ROSTR : p < 55 ? O_DATA :
				  p < 80 ? O_BSS : p < 85 ? O_CTX : p < 90 ? O_CMDS : O_SCALAR;
			o->is_static = rn(2);
			static const char *const ty[] = { "uint8_t", "uint16_t", "uint32_t" };
			static const unsigned tsz[] = { 1, 2, 4 };
			unsigned ti = rn(3);
			o->ctype = ty[ti];
			o->esize = tsz[ti];
			switch (o->kind) {
			case O_ROTAB: o->count = rn(100) >= 19 ? rr(4, rn(4) ? 64 : 256) : rr(512, 2048); break;
			case O_ROSTR: o->count = rr(6, 60); o->ctype = "char"; o->esize = 1; break;
			case O_DATA: o->count = rr(1, 24); break;
			case O_BSS: o->count = rr(1, rn(5) ? 64 : 400); break;
			case O_CTX: o->count = 1; o->ctype = "struct fw_ctx"; o->esize = 0; break;
			case O_CMDS: o->count = rr(2, 12); o->ctype = "struct fw_cmd"; o->esize = 0; break;
			case O_SCALAR: o->count = 1; o->ctype = "uint32_t"; o->esize = 4; break;
			default: break;
			}
			if (o->is_static)
				snprintf(o->name, sizeof o->name, "%s_%u", nouns[j % NNOUN], j);
			else
				snprintf(o->name, sizeof o->name, "%s_%s_%u", t->stem, nouns[rn(NNOUN)], j);
		}
	}
}

/* ---- text ------------------------------------------------------------- */

static const char *sig_ret(enum sig s)
{
	static const char *const r[] = { "int", "uint32_t", "void", "float", "int", "void", "uint32_t" };
	return r[s];
}

static void sig_params(FILE *f, enum sig s, const char *tag)
{
	switch (s) {
	case SIG_II: fputs("(int a, int b)", f); break;
	case SIG_BUF: fputs("(const uint8_t *p, size_t n)", f); break;
	case SIG_CTX: fputs("(struct fw_ctx *c, int ev)", f); break;
	case SIG_FLT: fputs("(float x, int n)", f); break;
	case SIG_DEV: fprintf(f, "(struct %s_dev *d, uint32_t arg)", tag); break;
	case SIG_SET: case SIG_GET: fputs("(void)", f); break;
	default: break;
	}
}

static void proto(FILE *f, const struct func *fn, const char *tag, int ext)
{
	fprintf(f, "%s%s %s", fn->is_static ? "static " : ext ? "extern " : "",
		sig_ret(fn->sig), fn->name);
	sig_params(f, fn->sig, tag);
}

static void write_common(const char *out)
{
	FILE *f = xopen(out, "include/fw_common.h");
	fputs("/* generated by bench/genfw.c: types every unit shares */\n"
	      "#ifndef FW_COMMON_H\n#define FW_COMMON_H\n"
	      "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n"
	      "#include <stdio.h>\n#include <stdlib.h>\n#include <math.h>\n\n"
	      "enum fw_err { FW_OK = 0, FW_EINVAL = -22, FW_EBUSY = -16, FW_ENOMEM = -12,\n"
	      "              FW_ETIMEDOUT = -110, FW_EIO = -5 };\n\n"
	      "struct fw_ctx {\n\tuint32_t state;\n\tuint32_t flags;\n\tint32_t acc;\n"
	      "\tuint8_t buf[32];\n\tuint16_t len;\n\tuint16_t seq;\n\tfloat gain;\n"
	      "\tstruct fw_ctx *next;\n};\n\n"
	      "struct fw_msg {\n\tuint8_t type;\n\tuint8_t len;\n\tuint16_t seq;\n"
	      "\tuint32_t payload[4];\n};\n\n"
	      "typedef int (*fw_cmd_fn)(int, int);\n"
	      "struct fw_cmd {\n\tconst char *name;\n\tfw_cmd_fn fn;\n\tuint16_t flags;\n"
	      "\tuint16_t min_args;\n};\n\n"
	      "typedef void (*fw_fnptr)(void);\n"
	      "struct fw_unit {\n\tconst char *name;\n\tconst fw_fnptr *fns;\n"
	      "\tunsigned nfns;\n\tconst void *const *objs;\n\tunsigned nobjs;\n};\n\n"
	      "#endif\n", f);
	xclose(f, "include/fw_common.h");
}

static void write_dir_header(const char *out, const struct dir *d)
{
	char rel[256];
	snprintf(rel, sizeof rel, "include/%s.h", d->tag);
	FILE *f = xopen(out, rel);
	unsigned nreg = rr(4, 16), nst = rr(2, 12), nstate = rr(3, 9);
	fprintf(f, "/* generated by bench/genfw.c: %s */\n#ifndef FW_%s_H\n#define FW_%s_H\n"
		"#include \"fw_common.h\"\n\n", d->path, d->tag, d->tag);
	fprintf(f, "enum %s_state {\n", d->tag);
	for (unsigned i = 0; i < nstate; i++)
		fprintf(f, "\t%s_STATE_%u = %u,\n", d->tag, i, i);
	fprintf(f, "};\n\nstruct %s_regs {\n", d->tag);
	for (unsigned i = 0; i < nreg; i++)
		fprintf(f, "\tvolatile uint32_t r%u;\n", i);
	fprintf(f, "};\n\nstruct %s_dev {\n\tstruct %s_regs *regs;\n\tuint32_t base;\n"
		"\tuint16_t irq;\n\tuint8_t mode;\n\tuint8_t flags;\n\tenum %s_state state;\n"
		"\tstruct fw_ctx *ctx;\n\tuint32_t shadow[8];\n\tuint32_t stats[%u];\n};\n\n"
		"#endif\n", d->tag, d->tag, d->tag, nst);
	xclose(f, rel);
}

/* What a function body may touch, found in its unit. */
struct env {
	const struct tu *t;
	unsigned self;
	int depth;
	FILE *ext;           /* extern declarations for foreign callees */
	unsigned char *declared; /* per foreign function: index by global id */
};

static unsigned *fn_base; /* global id of unit i's first function */

static const struct obj *pick_obj(const struct tu *t, int want)
{
	/* want: 0 rodata table, 1 string, 2 writable array */
	for (unsigned tries = 0; tries < 8; tries++) {
		const struct obj *o = &t->ob[rn(t->nob)];
		if (want == 0 && o->kind == O_ROTAB)
			return o;
		if (want == 1 && o->kind == O_ROSTR)
			return o;
		if (want == 2 && (o->kind == O_DATA || o->kind == O_BSS))
			return o;
	}
	return NULL;
}

static void emit_call(FILE *f, struct env *e, const struct func *fn, const char *ind)
{
	switch (fn->sig) {
	case SIG_II:
		fprintf(f, "%sr += (uint32_t)%s((int)r, %u);\n", ind, fn->name, rn(1000));
		break;
	case SIG_BUF:
		fprintf(f, "%sr += %s(tu_scratch, (size_t)(r & 63u));\n", ind, fn->name);
		break;
	case SIG_CTX:
		fprintf(f, "%s%s(&tu_ctx, (int)r);\n%sr += (uint32_t)tu_ctx.acc;\n", ind, fn->name, ind);
		break;
	case SIG_FLT:
		fprintf(f, "%sr += (uint32_t)(int32_t)%s((float)(r & 0xffffu) * 0.5f, %u);\n",
			ind, fn->name, rn(64));
		break;
	case SIG_DEV:
		fprintf(f, "%sr += (uint32_t)%s(&tu_dev, r);\n", ind, fn->name);
		break;
	case SIG_SET:
		fprintf(f, "%s%s();\n", ind, fn->name);
		break;
	case SIG_GET:
		fprintf(f, "%sr += %s();\n", ind, fn->name);
		break;
	default:
		break;
	}
	(void)e;
}

static void emit_stmt(FILE *f, struct env *e, const char *ind);

static void emit_call_any(FILE *f, struct env *e, const char *ind)
{
	const struct tu *t = e->t;
	if (rn(100) < 70 || ntu == 1) {
		unsigned k = rn(t->nfn);
		if (k == e->self)
			k = (k + 1) % t->nfn;
		emit_call(f, e, &t->fn[k], ind);
		return;
	}
	/* a global function of another unit, not taking a directory's device */
	for (unsigned tries = 0; tries < 16; tries++) {
		unsigned u = rn(ntu);
		const struct tu *o = &tus[u];
		if (o == t)
			continue;
		unsigned k = rn(o->nfn);
		const struct func *fn = &o->fn[k];
		if (fn->is_static || fn->sig == SIG_DEV)
			continue;
		unsigned id = fn_base[u] + k;
		if (!e->declared[id]) {
			e->declared[id] = 1;
			proto(e->ext, fn, o->dir->tag, 1);
			fputs(";\n", e->ext);
		}
		emit_call(f, e, fn, ind);
		return;
	}
	emit_call(f, e, &t->fn[0 == e->self ? 1 : 0], ind);
}

static void emit_newlib(FILE *f, struct env *e, const char *ind)
{
	const struct obj *s = pick_obj(e->t, 1), *tb = pick_obj(e->t, 0), *w = pick_obj(e->t, 2);
	switch (rn(10)) {
	case 0:
		if (s)
			fprintf(f, "%sr += (uint32_t)strlen(%s);\n", ind, s->name);
		else
			fprintf(f, "%sr += (uint32_t)strlen((const char *)tu_scratch);\n", ind);
		break;
	case 1:
		if (tb)
			fprintf(f, "%smemcpy(tu_scratch, %s, sizeof tu_scratch < sizeof %s ? sizeof tu_scratch : sizeof %s);\n",
				ind, tb->name, tb->name, tb->name);
		else
			fprintf(f, "%smemcpy(tu_scratch, &tu_ctx, sizeof tu_ctx < sizeof tu_scratch ? sizeof tu_ctx : sizeof tu_scratch);\n", ind);
		break;
	case 2:
		if (w)
			fprintf(f, "%smemset(%s, (int)(r & 0xffu), sizeof %s);\n", ind, w->name, w->name);
		else
			fprintf(f, "%smemset(tu_scratch, 0, sizeof tu_scratch);\n", ind);
		break;
	case 3:
		fprintf(f, "%sr += (uint32_t)snprintf((char *)tu_scratch, sizeof tu_scratch, \"%s%u:%%d/%%u\", (int)r, %uu);\n",
			ind, verbs[rn(NVERB)], rn(100), rn(4096));
		break;
	case 4:
		if (s)
			fprintf(f, "%sr += (uint32_t)strcmp(%s, \"%s\");\n", ind, s->name, nouns[rn(NNOUN)]);
		else
			fprintf(f, "%sr += (uint32_t)memcmp(tu_scratch, \"%s\", 4);\n", ind, nouns[rn(NNOUN)]);
		break;
	case 5:
		fprintf(f, "%sr += (uint32_t)strtol((const char *)tu_scratch, NULL, %u);\n", ind, rn(2) ? 10 : 16);
		break;
	case 6:
		if (w && w->esize == 4 && w->count > 1)
			fprintf(f, "%sqsort(%s, %uu, sizeof %s[0], cmp_u32);\n", ind, w->name, w->count, w->name);
		else
			fprintf(f, "%sqsort(tu_words, 16u, sizeof tu_words[0], cmp_u32);\n", ind);
		break;
	case 7:
		fprintf(f, "%sr += (uint32_t)abs((int)r - %d);\n", ind, (int)rn(5000));
		break;
	case 8:
		fprintf(f, "%sr += (uint32_t)(int32_t)(sqrtf((float)(r & 0xffffu)) * %u.0f);\n", ind, rr(2, 9));
		break;
	default:
		fprintf(f, "%sr ^= (uint32_t)memcmp(tu_scratch, tu_scratch + %u, %u);\n", ind, rn(16), rr(4, 16));
		break;
	}
}

static void emit_block(FILE *f, struct env *e, const char *ind, unsigned n)
{
	char in2[32];
	snprintf(in2, sizeof in2, "%s\t", ind);
	for (unsigned i = 0; i < n; i++)
		emit_stmt(f, e, in2);
}

static void emit_stmt(FILE *f, struct env *e, const char *ind)
{
	const struct tu *t = e->t;
	unsigned choice = rn(e->depth > 1 ? 7 : 12);
	const struct obj *o;
	e->depth++;
	switch (choice) {
	case 0:
		fprintf(f, "%sr = r * %uu + %uu;\n", ind, rr(3, 257) | 1, rn(65536));
		break;
	case 1:
		emit_call_any(f, e, ind);
		break;
	case 2:
		emit_newlib(f, e, ind);
		break;
	case 3:
		if ((o = pick_obj(t, 0)) != NULL)
			fprintf(f, "%sfor (unsigned i = 0; i < %uu; i++)\n%s\tr = r * 31u + %s[i];\n",
				ind, o->count, ind, o->name);
		else
			fprintf(f, "%sfor (unsigned i = 0; i < sizeof tu_scratch; i++)\n%s\tr = (r << 1) ^ tu_scratch[i];\n", ind, ind);
		break;
	case 4:
		if ((o = pick_obj(t, 2)) != NULL)
			fprintf(f, "%s%s[r %% %uu] = (%s)r;\n", ind, o->name, o->count, o->ctype);
		else
			fprintf(f, "%stu_words[r & 15u] = r;\n", ind);
		break;
	case 5: {
		unsigned k = rr(1, 4);
		fprintf(f, "%s{\n%s\tuint32_t v%u = r ^ %uu;\n", ind, ind, k, rn(1u << 20));
		fprintf(f, "%s\tv%u ^= v%u >> %u;\n%s\tv%u *= 0x%08xu;\n%s\tr += v%u;\n%s}\n",
			ind, k, k, rr(3, 17), ind, k, rnd() | 1, ind, k, ind);
		break;
	}
	case 6:
		fprintf(f, "%stu_ctx.acc += (int32_t)r;\n%stu_ctx.flags |= 1u << (r & 31u);\n"
			"%stu_dev.stats[r %% (sizeof tu_dev.stats / sizeof tu_dev.stats[0])]++;\n", ind, ind, ind);
		break;
	case 7: case 8: {
		unsigned nc = rr(4, 10);
		fprintf(f, "%sswitch (r %% %uu) {\n", ind, nc);
		for (unsigned c = 0; c < nc; c++) {
			fprintf(f, "%scase %u:\n", ind, c);
			unsigned how = rn(5);
			if (how == 0 && e->depth < 3) {
				char in2[32];
				snprintf(in2, sizeof in2, "%s\t", ind);
				emit_stmt(f, e, in2);
			} else if (how == 1)
				fprintf(f, "%s\tr = r * %uu + 1u;\n", ind, rr(3, 99));
			else if (how == 2 && (o = pick_obj(t, 0)) != NULL)
				fprintf(f, "%s\tr ^= %s[r %% %uu];\n", ind, o->name, o->count);
			else
				fprintf(f, "%s\tr += %uu;\n", ind, rn(100000));
			fprintf(f, "%s\tbreak;\n", ind);
		}
		fprintf(f, "%sdefault:\n%s\tr ^= 0x%xu;\n%s\tbreak;\n%s}\n", ind, ind, rnd(), ind, ind);
		break;
	}
	case 9: {
		unsigned m = rr(1, 255);
		fprintf(f, "%sif ((r & 0x%xu) == %uu) {\n", ind, m, rn(8) & m);
		emit_block(f, e, ind, rr(1, 2));
		fprintf(f, "%s} else {\n", ind);
		emit_block(f, e, ind, 1);
		fprintf(f, "%s}\n", ind);
		break;
	}
	case 10:
		fprintf(f, "%sfor (unsigned i = 0; i < (r & 63u); i++) {\n%s\tr ^= tu_scratch[i];\n"
			"%s\tfor (int k = 0; k < 8; k++)\n%s\t\tr = (r >> 1) ^ (0xEDB88320u & (0u - (r & 1u)));\n%s}\n",
			ind, ind, ind, ind, ind);
		break;
	default:
		fprintf(f, "%swhile (r > %uu)\n%s\tr = (r >> 1) + (r & 3u);\n", ind, rr(4, 100000), ind);
		break;
	}
	e->depth--;
}

/* A one-line accessor: sets or returns a field, or wraps another function. */
static void emit_tiny(FILE *f, struct env *e, const struct func *fn)
{
	const struct tu *t = e->t;
	const struct obj *o;
	unsigned how = rn(4);
	if (fn->sig == SIG_SET) {
		const struct func *c = &t->fn[rn(t->nfn)];
		if (how == 0 && c != fn && c->sig != SIG_BUF && c->sig != SIG_FLT && c->sig != SIG_GET) {
			if (c->sig == SIG_II)
				fprintf(f, "\t(void)%s(%u, %u);\n", c->name, rn(256), rn(256));
			else if (c->sig == SIG_CTX)
				fprintf(f, "\t%s(&tu_ctx, %u);\n", c->name, rn(256));
			else if (c->sig == SIG_DEV)
				fprintf(f, "\t(void)%s(&tu_dev, %uu);\n", c->name, rn(256));
			else
				fprintf(f, "\t%s();\n", c->name);
		} else if (how == 1 && (o = pick_obj(t, 2)) != NULL) {
			fprintf(f, "\t%s[%u] = (%s)%uu;\n", o->name, rn(o->count), o->ctype, rn(256));
		} else if (how == 2) {
			fprintf(f, "\ttu_dev.flags |= 0x%xu;\n\ttu_dev.state = (enum %s_state)%u;\n",
				1u << rn(8), t->dir->tag, rn(3));
		} else {
			fprintf(f, "\ttu_ctx.state = %uu;\n", rn(16));
		}
		return;
	}
	if (how == 0 && (o = pick_obj(t, 0)) != NULL)
		fprintf(f, "\treturn %s[%u];\n", o->name, rn(o->count));
	else if (how == 1)
		fprintf(f, "\treturn tu_words[%u] + %uu;\n", rn(16), rn(1000));
	else if (how == 2)
		fprintf(f, "\treturn (uint32_t)tu_dev.irq << %u;\n", rn(8));
	else
		fprintf(f, "\treturn tu_ctx.state;\n");
}

static void emit_function(FILE *f, struct env *e, unsigned j)
{
	const struct tu *t = e->t;
	const struct func *fn = &t->fn[j];
	unsigned p = rn(100), n;
	n = p < 50 ? 0 : p < 85 ? rr(1, 2) : rr(3, 6);
	e->self = j;
	e->depth = 0;
	fprintf(f, "\n");
	proto(f, fn, t->dir->tag, 0);
	fprintf(f, "\n{\n");
	if (fn->sig >= SIG_SET) {
		emit_tiny(f, e, fn);
		fprintf(f, "}\n");
		return;
	}
	switch (fn->sig) {
	case SIG_II: fprintf(f, "\tuint32_t r = (uint32_t)a * %uu + (uint32_t)b;\n", rr(3, 999)); break;
	case SIG_BUF: fprintf(f, "\tuint32_t r = n ? p[0] : %uu;\n\tfor (size_t i = 1; i < n; i++)\n\t\tr = (r << 3) ^ p[i];\n", rn(999)); break;
	case SIG_CTX: fprintf(f, "\tuint32_t r = c->state + (uint32_t)ev;\n\tc->buf[r & 31u] = (uint8_t)r;\n"); break;
	case SIG_FLT: fprintf(f, "\tuint32_t r = (uint32_t)(int32_t)(x * %u.0f) + (uint32_t)n;\n", rr(2, 99)); break;
	case SIG_DEV: fprintf(f, "\tuint32_t r = d->shadow[arg & 7u] + arg;\n\td->mode = (uint8_t)r;\n"); break;
	default: break;
	}
	for (unsigned i = 0; i < n; i++)
		emit_stmt(f, e, "\t");
	switch (fn->sig) {
	case SIG_II: fprintf(f, "\treturn (int)r;\n"); break;
	case SIG_BUF: fprintf(f, "\treturn r;\n"); break;
	case SIG_CTX: fprintf(f, "\tc->acc += (int32_t)r;\n\tc->seq++;\n"); break;
	case SIG_FLT: fprintf(f, "\treturn (float)r * 0.25f;\n"); break;
	case SIG_DEV: fprintf(f, "\treturn (int)(r & 0xffu);\n"); break;
	default: break;
	}
	fprintf(f, "}\n");
}

static void emit_object(FILE *f, const struct tu *t, const struct obj *o)
{
	const char *st = o->is_static ? "static " : "";
	switch (o->kind) {
	case O_ROTAB:
	case O_DATA:
		fprintf(f, "%s%s%s %s[%u] = {", st, o->kind == O_ROTAB ? "const " : "", o->ctype, o->name, o->count);
		for (unsigned i = 0; i < o->count; i++) {
			uint32_t v = rnd();
			if (o->esize < 4)
				v &= o->esize == 1 ? 0xffu : 0xffffu;
			fprintf(f, "%s%s%uu", i ? "," : "", i % 12 ? " " : "\n\t", v);
		}
		fputs("\n};\n", f);
		break;
	case O_ROSTR:
		fprintf(f, "%sconst char %s[] = \"", st, o->name);
		for (unsigned i = 0; i < o->count; i++)
			fputc("abcdefghijklmnopqrstuvwxyz0123456789 _-:"[rn(40)], f);
		fputs("\";\n", f);
		break;
	case O_BSS:
		fprintf(f, "%s%s %s[%u];\n", st, o->ctype, o->name, o->count);
		break;
	case O_CTX:
		fprintf(f, "%sstruct fw_ctx %s = { .state = %uu, .flags = 0x%xu, .acc = %d, .len = %u, .gain = %u.5f };\n",
			st, o->name, rn(16), rnd(), (int)rn(1000) - 500, rn(32), rn(10));
		break;
	case O_CMDS: {
		/* handlers are the unit's (int, int) functions */
		fprintf(f, "%sconst struct fw_cmd %s[%u] = {\n", st, o->name, o->count);
		for (unsigned i = 0; i < o->count; i++) {
			const struct func *h = &t->fn[0];
			for (unsigned tries = 0; tries < 6; tries++) {
				const struct func *c = &t->fn[rn(t->nfn)];
				if (c->sig == SIG_II) {
					h = c;
					break;
				}
			}
			fprintf(f, "\t{ \"%s\", %s, 0x%xu, %uu },\n", verbs[rn(NVERB)], h->name, rn(65536), rn(4));
		}
		fputs("};\n", f);
		break;
	}
	case O_SCALAR:
		if (rn(2))
			fprintf(f, "%suint32_t %s = %uu;\n", st, o->name, rnd() | 1);
		else
			fprintf(f, "%suint32_t %s;\n", st, o->name);
		break;
	default:
		break;
	}
}

static void write_unit(const char *out, unsigned ti, unsigned char *declared)
{
	const struct tu *t = &tus[ti];
	char *ebuf = NULL, *bbuf = NULL;
	size_t elen = 0, blen = 0;
	FILE *ext = open_memstream(&ebuf, &elen);
	FILE *body = open_memstream(&bbuf, &blen);
	if (!ext || !body)
		die("open_memstream failed");
	struct env e = { t, 0, 0, ext, declared };

	for (unsigned j = 0; j < t->nfn; j++)
		emit_function(body, &e, j);
	fputs("\nstatic int cmp_u32(const void *x, const void *y)\n{\n"
	      "\tuint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;\n"
	      "\treturn (a > b) - (a < b);\n}\n", body);
	fclose(ext);
	fclose(body);

	FILE *f = xopen(out, t->rel);
	fprintf(f, "/* generated by bench/genfw.c: %s, %u functions, %u objects */\n"
		"#include \"%s.h\"\n\n", t->rel, t->nfn, t->nob, t->dir->tag);
	fputs("/* functions of other units */\n", f);
	fwrite(ebuf, 1, elen, f);
	fputs("\n/* this unit */\nstatic int cmp_u32(const void *x, const void *y);\n", f);
	for (unsigned j = 0; j < t->nfn; j++) {
		proto(f, &t->fn[j], t->dir->tag, 0);
		fputs(";\n", f);
	}
	fprintf(f, "\nstatic uint8_t tu_scratch[64];\nstatic uint32_t tu_words[16];\n"
		"static struct fw_ctx tu_ctx = { .state = %uu, .gain = 1.0f };\n"
		"static struct %s_regs tu_regs;\n"
		"static struct %s_dev tu_dev = { .regs = &tu_regs, .base = 0x%08xu, .irq = %uu, .ctx = &tu_ctx };\n\n",
		rn(8), t->dir->tag, t->dir->tag, 0x40000000u + (rn(4096) << 10), rn(96));
	for (unsigned j = 0; j < t->nob; j++)
		emit_object(f, t, &t->ob[j]);
	fwrite(bbuf, 1, blen, f);

	fprintf(f, "\nconst fw_fnptr %s_fns[%u] = {\n", t->stem, t->nfn + 1);
	for (unsigned j = 0; j < t->nfn; j++)
		fprintf(f, "\t(fw_fnptr)%s,\n", t->fn[j].name);
	fputs("\t(fw_fnptr)cmp_u32,\n};\n", f);
	fprintf(f, "\nconst void *const %s_objs[%u] = {\n", t->stem, t->nob + 5);
	for (unsigned j = 0; j < t->nob; j++)
		fprintf(f, "\t&%s,\n", t->ob[j].name);
	fputs("\ttu_scratch, tu_words, &tu_ctx, &tu_regs, &tu_dev,\n};\n", f);
	xclose(f, t->rel);
	free(ebuf);
	free(bbuf);
}

static void write_main(const char *out)
{
	FILE *f = xopen(out, "src/main.c");
	fputs("/* generated by bench/genfw.c: reaches every unit's tables */\n"
	      "#include \"fw_common.h\"\n\n", f);
	for (unsigned i = 0; i < ntu; i++)
		fprintf(f, "extern const fw_fnptr %s_fns[%u];\nextern const void *const %s_objs[%u];\n",
			tus[i].stem, tus[i].nfn + 1, tus[i].stem, tus[i].nob + 5);
	fprintf(f, "\nconst struct fw_unit fw_units[%u] = {\n", ntu);
	for (unsigned i = 0; i < ntu; i++)
		fprintf(f, "\t{ \"%s\", %s_fns, %uu, %s_objs, %uu },\n", tus[i].rel,
			tus[i].stem, tus[i].nfn + 1, tus[i].stem, tus[i].nob + 5);
	fputs("};\n\nvolatile uintptr_t fw_sink;\n\n"
	      "int main(void)\n{\n"
	      "\tfor (;;) {\n"
	      "\t\tfor (unsigned u = 0; u < sizeof fw_units / sizeof fw_units[0]; u++) {\n"
	      "\t\t\tconst struct fw_unit *m = &fw_units[u];\n"
	      "\t\t\tfor (unsigned k = 0; k < m->nfns; k++)\n"
	      "\t\t\t\tfw_sink += (uintptr_t)m->fns[k];\n"
	      "\t\t\tfor (unsigned k = 0; k < m->nobjs; k++)\n"
	      "\t\t\t\tfw_sink += (uintptr_t)m->objs[k];\n"
	      "\t\t}\n"
	      "\t}\n}\n", f);
	xclose(f, "src/main.c");

	f = xopen(out, "src/startup.c");
	fputs("/* generated by bench/genfw.c: Cortex-M4 vector table and reset */\n"
	      "#include <stdint.h>\n\n"
	      "extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;\n"
	      "extern int main(void);\nextern void __libc_init_array(void);\n"
	      "void Reset_Handler(void);\nvoid Default_Handler(void);\n\n"
	      "void Reset_Handler(void)\n{\n"
	      "\tuint32_t *s = &_sidata, *d = &_sdata;\n"
	      "\twhile (d < &_edata)\n\t\t*d++ = *s++;\n"
	      "\tfor (d = &_sbss; d < &_ebss; d++)\n\t\t*d = 0;\n"
	      "\t__libc_init_array();\n\tmain();\n\tfor (;;)\n\t\t;\n}\n\n"
	      "void Default_Handler(void)\n{\n\tfor (;;)\n\t\t;\n}\n\n", f);
	static const char *const exc[] = {
		"NMI_Handler", "HardFault_Handler", "MemManage_Handler", "BusFault_Handler",
		"UsageFault_Handler", "SVC_Handler", "DebugMon_Handler", "PendSV_Handler",
		"SysTick_Handler",
	};
	for (unsigned i = 0; i < sizeof exc / sizeof exc[0]; i++)
		fprintf(f, "void %s(void) __attribute__((weak, alias(\"Default_Handler\")));\n", exc[i]);
	for (unsigned i = 0; i < 82; i++)
		fprintf(f, "void IRQ%u_Handler(void) __attribute__((weak, alias(\"Default_Handler\")));\n", i);
	fputs("\n__attribute__((section(\".isr_vector\"), used))\n"
	      "void (*const g_pfnVectors[16 + 82])(void) = {\n"
	      "\t(void (*)(void))&_estack, Reset_Handler, NMI_Handler, HardFault_Handler,\n"
	      "\tMemManage_Handler, BusFault_Handler, UsageFault_Handler, 0, 0, 0, 0,\n"
	      "\tSVC_Handler, DebugMon_Handler, 0, PendSV_Handler, SysTick_Handler,\n", f);
	for (unsigned i = 0; i < 82; i++)
		fprintf(f, "%sIRQ%u_Handler,%s", i % 6 ? " " : "\t", i, i % 6 == 5 ? "\n" : "");
	fputs("\n};\n", f);
	xclose(f, "src/startup.c");
}

static void write_build(const char *out)
{
	FILE *f = xopen(out, "fw.ld");
	fputs("/* generated by bench/genfw.c: STM32-style layout */\n"
	      "ENTRY(Reset_Handler)\n\n"
	      "MEMORY\n{\n"
	      "  FLASH (rx)  : ORIGIN = 0x08000000, LENGTH = 4M\n"
	      "  RAM   (xrw) : ORIGIN = 0x20000000, LENGTH = 1M\n}\n\n"
	      "_estack = ORIGIN(RAM) + LENGTH(RAM);\n"
	      "_Min_Heap_Size = 0x2000;\n_Min_Stack_Size = 0x1000;\n\n"
	      "SECTIONS\n{\n"
	      "  .isr_vector : { . = ALIGN(4); KEEP(*(.isr_vector)) . = ALIGN(4); } >FLASH\n\n"
	      "  .text :\n  {\n    . = ALIGN(4);\n    *(.text)\n    *(.text*)\n"
	      "    *(.glue_7)\n    *(.glue_7t)\n    *(.eh_frame)\n"
	      "    KEEP(*(.init))\n    KEEP(*(.fini))\n    . = ALIGN(4);\n    _etext = .;\n  } >FLASH\n\n"
	      "  .rodata : { . = ALIGN(4); *(.rodata) *(.rodata*) . = ALIGN(4); } >FLASH\n\n"
	      "  .ARM.extab : { *(.ARM.extab* .gnu.linkonce.armextab.*) } >FLASH\n"
	      "  .ARM : { __exidx_start = .; *(.ARM.exidx*) __exidx_end = .; } >FLASH\n\n"
	      "  .preinit_array :\n  {\n    PROVIDE_HIDDEN(__preinit_array_start = .);\n"
	      "    KEEP(*(.preinit_array*))\n    PROVIDE_HIDDEN(__preinit_array_end = .);\n  } >FLASH\n"
	      "  .init_array :\n  {\n    PROVIDE_HIDDEN(__init_array_start = .);\n"
	      "    KEEP(*(SORT(.init_array.*)))\n    KEEP(*(.init_array*))\n"
	      "    PROVIDE_HIDDEN(__init_array_end = .);\n  } >FLASH\n"
	      "  .fini_array :\n  {\n    PROVIDE_HIDDEN(__fini_array_start = .);\n"
	      "    KEEP(*(SORT(.fini_array.*)))\n    KEEP(*(.fini_array*))\n"
	      "    PROVIDE_HIDDEN(__fini_array_end = .);\n  } >FLASH\n\n"
	      "  _sidata = LOADADDR(.data);\n"
	      "  .data :\n  {\n    . = ALIGN(4);\n    _sdata = .;\n    *(.data)\n    *(.data*)\n"
	      "    . = ALIGN(4);\n    _edata = .;\n  } >RAM AT> FLASH\n\n"
	      "  .bss (NOLOAD) :\n  {\n    . = ALIGN(4);\n    _sbss = .;\n    __bss_start__ = _sbss;\n"
	      "    *(.bss)\n    *(.bss*)\n    *(COMMON)\n    . = ALIGN(4);\n    _ebss = .;\n"
	      "    __bss_end__ = _ebss;\n  } >RAM\n\n"
	      "  ._user_heap_stack (NOLOAD) :\n  {\n    . = ALIGN(8);\n    PROVIDE(end = .);\n"
	      "    PROVIDE(_end = .);\n    . = . + _Min_Heap_Size;\n    . = . + _Min_Stack_Size;\n"
	      "    . = ALIGN(8);\n  } >RAM\n\n"
	      "  .ARM.attributes 0 : { *(.ARM.attributes) }\n}\n", f);
	xclose(f, "fw.ld");

	f = xopen(out, "Makefile");
	fputs("# generated by bench/genfw.c\n"
	      "CC = arm-none-eabi-gcc\n"
	      "ARCH = -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16\n"
	      "CFLAGS = $(ARCH) -g -O1 -ffunction-sections -fdata-sections -Iinclude\n"
	      "LDFLAGS = $(ARCH) -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs "
	      "-T fw.ld -Wl,-Map=fw.map -Wl,--print-memory-usage\n\n"
	      "OBJS = obj/main.o obj/startup.o", f);
	for (unsigned i = 0; i < ntu; i++)
		fprintf(f, " \\\n\tobj/%s/%s.o", tus[i].dir->path, tus[i].stem);
	fputs("\n\nfw.elf: $(OBJS) fw.ld\n"
	      "\t$(CC) $(LDFLAGS) -o $@ $(OBJS) -lm\n\n"
	      "obj/%.o: src/%.c\n"
	      "\t@mkdir -p $(dir $@)\n"
	      "\t$(CC) $(CFLAGS) -c $< -o $@\n", f);
	xclose(f, "Makefile");
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: genfw OUTDIR NTU NDIR NFUNC NOBJ SEED\n");
		return 2;
	}
	const char *out = argv[1];
	ntu = (unsigned)strtoul(argv[2], NULL, 10);
	unsigned ndir = (unsigned)strtoul(argv[3], NULL, 10);
	unsigned nfunc = (unsigned)strtoul(argv[4], NULL, 10);
	unsigned nobj = (unsigned)strtoul(argv[5], NULL, 10);
	rng_state = strtoull(argv[6], NULL, 10);
	if (ntu < 1 || ndir < 1 || ndir > MAXDIR || nfunc < (2 + EXTRA_FN) * ntu || nobj < (4 + EXTRA_OBJ) * ntu)
		die("bad sizes: NTU >= 1, 1 <= NDIR <= %u, NFUNC >= %u*NTU, NOBJ >= %u*NTU",
		    (unsigned)MAXDIR, 2 + EXTRA_FN, 4 + EXTRA_OBJ);

	plan(ndir, nfunc, nobj);
	fn_base = xcalloc(ntu, sizeof *fn_base);
	unsigned total = 0;
	for (unsigned i = 0; i < ntu; i++) {
		fn_base[i] = total;
		total += tus[i].nfn;
	}
	write_common(out);
	for (unsigned d = 0; d < ndir; d++)
		write_dir_header(out, &dirs_all[d]);
	unsigned char *declared = xcalloc(total, 1);
	for (unsigned i = 0; i < ntu; i++) {
		memset(declared, 0, total);
		write_unit(out, i, declared);
	}
	write_main(out);
	write_build(out);
	free(declared);
	return 0;
}
