/* GNU ld map files (ld -Map): the "Memory Configuration" table and the
 * input sections of "Linker script and memory map".
 *
 * The map is read line by line, once.  The parts before and after (archive
 * members, common symbols, discarded input sections, cross references)
 * are recognised by their headings and skipped.  In the memory map, what
 * a line is follows from its indentation, as ld prints it:
 *
 *   column 0      an output section ".text  0xADDR  0xSIZE [load address ..]",
 *                 or LOAD / START GROUP / OUTPUT(...) lines
 *   one space     an input section " .text.f  0xADDR  0xSIZE  file", a
 *                 " *fill*  0xADDR  0xSIZE [pattern]", " COMMON ...", or an
 *                 input-section pattern " *(.text*)"
 *   more spaces   symbols, assignments, "(size before relaxing)"
 *
 * A section name too long for its column (16 characters) is printed alone
 * and the numbers follow on the next line, indented.
 *
 * Speed: the text is parsed where it lies (the caller's buffer, or the
 * file mapped read-only), never copied whole.  The strings of the result
 * live in an arena owned by the map: file and output section names are
 * interned (thousands of lines name the same archive member), section
 * names are copied; so a large map costs no allocation per line.  On a
 * cold process, touching fresh memory is most of what a big map costs.
 *
 * The strings belong to the map: never free or change them.
 */
#include "fwm_regions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ROW_TOKENS 32
#define CHUNK 65536             /* arena block */

enum part { P_BEFORE, P_MEMCFG, P_MAP, P_OTHER };

struct span {
	const char *s;
	size_t n;
};

/* Strings of the result live in a list of chunks. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

/* The map and what only fwm_map_close() needs to know. */
struct map_priv {
	struct fwm_map map;     /* first: the pointer handed out */
	struct chunk *chunks;
};

struct istr {
	uint64_t hash;
	char *s;                /* NULL: free slot */
	size_t n;
};

struct mp {
	const char *file;
	const char *text;
	size_t len;
	size_t pos;             /* start of the next line */
	unsigned line;          /* number of the line last read */
	struct fwm_err *err;
	struct map_priv *priv;
	struct fwm_map *map;
	size_t cap;             /* of map->in */
	size_t cregs;
	char *out;              /* current output section */
	char *empty;            /* "" for a missing file name or output section */
	struct istr *strs;      /* interned strings (table only while parsing) */
	size_t scap, sused;
	char *last;             /* the string interned last */
	size_t last_n;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next line, without its newline and trailing blanks. */
static bool peek_line(const struct mp *p, struct span *l, size_t *after)
{
	const char *s, *nl;
	size_t n;

	if (p->pos >= p->len)
		return false;
	s = p->text + p->pos;
	nl = memchr(s, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - s) : p->len - p->pos;
	*after = p->pos + n + (nl ? 1 : 0);
	while (n && is_blank(s[n - 1]))
		n--;
	l->s = s;
	l->n = n;
	return true;
}

static bool get_line(struct mp *p, struct span *l)
{
	size_t after;

	if (!peek_line(p, l, &after))
		return false;
	p->pos = after;
	p->line++;
	return true;
}

/* The next blank-separated token of l from *i; false at the end. */
static bool token(const struct span *l, size_t *i, struct span *t)
{
	size_t j = *i;

	while (j < l->n && is_blank(l->s[j]))
		j++;
	if (j >= l->n)
		return false;
	t->s = l->s + j;
	while (j < l->n && !is_blank(l->s[j]))
		j++;
	t->n = (size_t)(l->s + j - t->s);
	*i = j;
	return true;
}

static bool is_0x(const struct span *t)
{
	return t->n >= 2 && t->s[0] == '0' && (t->s[1] | 0x20) == 'x';
}

/* A number where ld prints one: validated, so garbage is not skipped
 * silently.  (Patterns and keywords never start with a digit.) */
static bool is_num_like(const struct span *t)
{
	return t->n && t->s[0] >= '0' && t->s[0] <= '9';
}

static bool span_is(const struct span *t, const char *w)
{
	return t->n == strlen(w) && !memcmp(t->s, w, t->n);
}

enum { HEX_OK, HEX_BAD, HEX_BIG };

/* "0x" and hex digits that fit in 64 bits. */
static int parse_hex(const struct span *t, uint64_t *v)
{
	uint64_t x = 0;

	if (!is_0x(t) || t->n == 2)
		return HEX_BAD;
	for (size_t i = 2; i < t->n; i++) {
		char c = t->s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (unsigned)((c | 0x20) - 'a' + 10);
		else
			return HEX_BAD;
		if (x >> 60)
			return HEX_BIG;
		x = x << 4 | d;
	}
	*v = x;
	return HEX_OK;
}

static int fail_num(struct mp *p, unsigned line, const char *what, int why,
		    const struct span *t)
{
	int n = (int)(t->n > 40 ? 40 : t->n);

	if (why == HEX_BIG)
		return fwm_errf(p->err, -EINVAL, "%s:%u: %s '%.*s' does not fit in 64 bits",
				p->file, line, what, n, t->s);
	return fwm_errf(p->err, -EINVAL, "%s:%u: malformed %s '%.*s'", p->file, line,
			what, n, t->s);
}

/* The two numbers of a section line: address and size. */
static int addr_size(struct mp *p, unsigned line, const struct span *l,
		     size_t *i, const struct span *a, uint64_t *addr, uint64_t *size)
{
	struct span t;
	int why;

	if ((why = parse_hex(a, addr)))
		return fail_num(p, line, "address", why, a);
	if (!token(l, i, &t))
		return fwm_errf(p->err, -EINVAL, "%s:%u: size missing after address '%.*s'",
				p->file, line, (int)(a->n > 40 ? 40 : a->n), a->s);
	if ((why = parse_hex(&t, size)))
		return fail_num(p, line, "size", why, &t);
	return 0;
}

static char *arena_copy(struct mp *p, const char *s, size_t n)
{
	struct chunk *c = p->priv->chunks;
	char *d;

	if (!c || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > CHUNK / 4 ? n + 1 : CHUNK;

		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		/* A string of its own goes behind the current chunk, which
		 * keeps filling up. */
		if (cap != CHUNK && p->priv->chunks) {
			c->next = p->priv->chunks->next;
			p->priv->chunks->next = c;
		} else {
			c->next = p->priv->chunks;
			p->priv->chunks = c;
		}
	}
	d = c->data + c->used;
	memcpy(d, s, n);
	d[n] = '\0';
	c->used += n + 1;
	return d;
}

/* A word at a time: file paths are long and there is one per line. */
static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ull, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* The one copy of t's text in the arena, or NULL when out of memory. */
static char *intern(struct mp *p, const struct span *t)
{
	uint64_t h;
	size_t i;

	/* The same file often comes many lines in a row. */
	if (p->last && p->last_n == t->n && !memcmp(p->last, t->s, t->n))
		return p->last;
	h = hash(t->s, t->n);
	if ((p->sused + 1) * 2 > p->scap) {
		size_t cap = p->scap ? p->scap * 2 : 1024;
		struct istr *v = calloc(cap, sizeof *v);

		if (!v)
			return NULL;
		for (i = 0; i < p->scap; i++) {
			size_t j = (size_t)p->strs[i].hash & (cap - 1);

			if (!p->strs[i].s)
				continue;
			while (v[j].s)
				j = (j + 1) & (cap - 1);
			v[j] = p->strs[i];
		}
		free(p->strs);
		p->strs = v;
		p->scap = cap;
	}
	for (i = (size_t)h & (p->scap - 1); p->strs[i].s; i = (i + 1) & (p->scap - 1)) {
		if (p->strs[i].hash == h && p->strs[i].n == t->n &&
		    !memcmp(p->strs[i].s, t->s, t->n)) {
			p->last = p->strs[i].s;
			p->last_n = t->n;
			return p->last;
		}
	}
	p->strs[i].s = arena_copy(p, t->s, t->n);
	if (!p->strs[i].s)
		return NULL;
	p->strs[i].hash = h;
	p->strs[i].n = t->n;
	p->sused++;
	p->last = p->strs[i].s;
	p->last_n = t->n;
	return p->strs[i].s;
}

/* If the next line holds "0xADDR 0xSIZE ..." indented, it continues a
 * name that was too long for its column: read it into *l. */
static bool continuation(struct mp *p, struct span *l, size_t *i, struct span *a)
{
	struct span n, t0, t1;
	size_t after, j = 0;

	if (!peek_line(p, &n, &after) || !n.n || !is_blank(n.s[0]))
		return false;
	if (!token(&n, &j, &t0) || !token(&n, &j, &t1) || !is_0x(&t0) || !is_0x(&t1))
		return false;
	get_line(p, l);
	*i = (size_t)(t0.s + t0.n - l->s);
	*a = t0;
	return true;
}

static int add_input(struct mp *p, const struct span *section,
		     const struct span *file, uint64_t addr, uint64_t size)
{
	struct fwm_map *m = p->map;
	struct fwm_map_input *in;
	char *sec, *f = NULL;

	if (!size)
		return 0;
	/* Section names are mostly unique (-ffunction-sections): copied,
	 * not interned. */
	sec = arena_copy(p, section->s, section->n);
	if (!sec || (file && !(f = intern(p, file))))
		return -ENOMEM;
	if (m->nin == p->cap) {
		size_t c = p->cap ? p->cap * 2 : 256;
		struct fwm_map_input *t;

		if (c > SIZE_MAX / sizeof *t)
			return -ENOMEM;
		t = realloc(m->in, c * sizeof *t);
		if (!t)
			return -ENOMEM;
		m->in = t;
		p->cap = c;
	}
	in = &m->in[m->nin++];
	in->section = sec;
	in->file = f;
	in->out_section = p->out ? p->out : p->empty;
	in->addr = addr;
	in->size = size;
	in->is_fill = !file;
	return 0;
}

/* " name 0xADDR 0xSIZE file", or the name alone and the rest on the next
 * line; anything else with one space of indent (patterns such as
 * " *(.text*)", " FILL mask 0xff") is not an input section. */
static int input_line(struct mp *p, struct span l)
{
	struct span name, a, f;
	uint64_t addr, size;
	size_t i = 0;
	int rc;

	token(&l, &i, &name);
	if (!token(&l, &i, &a)) {
		if (!continuation(p, &l, &i, &a))
			return 0;
	} else if (!is_num_like(&a)) {
		return 0;
	}
	if ((rc = addr_size(p, p->line, &l, &i, &a, &addr, &size)))
		return rc;
	if (span_is(&name, "*fill*"))
		return add_input(p, &name, NULL, addr, size);
	/* The rest of the line: a path may hold spaces. */
	while (i < l.n && is_blank(l.s[i]))
		i++;
	f.s = l.s + i;
	f.n = l.n - i;
	return add_input(p, &name, &f, addr, size);
}

/* An output section ".name 0xADDR 0xSIZE", possibly wrapped, or one
 * without an address (empty, or /DISCARD/); other column-0 lines are
 * LOAD, START GROUP, END GROUP, OUTPUT(...). */
static int output_line(struct mp *p, struct span l)
{
	struct span name, a;
	uint64_t addr, size;
	size_t i = 0;
	int rc;

	token(&l, &i, &name);
	if (memchr(name.s, '(', name.n) || span_is(&name, "LOAD"))
		return 0;
	if (token(&l, &i, &a)) {
		if (!is_num_like(&a))
			return 0;
	} else if (!continuation(p, &l, &i, &a)) {
		p->out = intern(p, &name);
		return p->out ? 0 : -ENOMEM;
	}
	if ((rc = addr_size(p, p->line, &l, &i, &a, &addr, &size)))
		return rc;
	p->out = intern(p, &name);
	return p->out ? 0 : -ENOMEM;
}

/* "NAME  0xORIGIN  0xLENGTH  [attributes]".  The name may hold spaces (ld
 * allows quoted names), or run into the origin when it is 16 characters
 * or more (older ld versions print no blank then). */
static int memcfg_row(struct mp *p, struct span l)
{
	struct fwm_region_set *set = &p->map->regions;
	struct span t[MAX_ROW_TOKENS];
	size_t n = 0, i = 0, k, nn;
	uint64_t origin, length;
	struct fwm_region *r;
	const char *name;
	char attrs[16];
	size_t na = 0;

	while (n < MAX_ROW_TOKENS && token(&l, &i, &t[n]))
		n++;
	if (n >= 4 && span_is(&t[0], "Name") && span_is(&t[1], "Origin"))
		return 0;
	for (k = 1; k + 1 < n; k++)
		if (!parse_hex(&t[k], &origin) && !parse_hex(&t[k + 1], &length))
			break;
	if (k + 1 < n) {
		name = l.s;
		nn = (size_t)(t[k].s - l.s);
		while (nn && is_blank(name[nn - 1]))
			nn--;
		k += 2;
	} else {
		/* NAME0xORIGIN 0xLENGTH: split at the last "0x". */
		struct span o;
		size_t j;

		if (n < 2 || parse_hex(&t[1], &length))
			goto bad;
		for (j = t[0].n - 1; j > 0; j--)
			if (t[0].s[j - 1] == '0' && (t[0].s[j] | 0x20) == 'x')
				break;
		if (j < 2)
			goto bad;
		o.s = t[0].s + j - 1;
		o.n = t[0].n - (j - 1);
		if (parse_hex(&o, &origin))
			goto bad;
		name = t[0].s;
		nn = j - 1;
		k = 2;
	}
	if (nn == 9 && !memcmp(name, "*default*", 9))
		return 0;
	for (; k < n; k++) {
		if (na + t[k].n >= sizeof attrs)
			goto bad;
		memcpy(attrs + na, t[k].s, t[k].n);
		na += t[k].n;
	}
	attrs[na] = '\0';

	if (set->n == p->cregs) {
		size_t c = p->cregs ? p->cregs * 2 : 8;
		struct fwm_region *v = realloc(set->v, c * sizeof *v);

		if (!v)
			return -ENOMEM;
		set->v = v;
		p->cregs = c;
	}
	r = &set->v[set->n];
	r->name = strndup(name, nn);
	if (!r->name)
		return -ENOMEM;
	r->origin = origin;
	r->length = length;
	memcpy(r->attrs, attrs, na + 1);
	set->n++;
	return 0;
bad:
	return fwm_errf(p->err, -EINVAL, "%s:%u: malformed Memory Configuration line '%.*s'",
			p->file, p->line, (int)(l.n > 60 ? 60 : l.n), l.s);
}

static const char *const other_parts[] = {
	"Archive member included to satisfy reference by file (symbol)",
	"As-needed library included to satisfy reference by file (symbol)",
	"Allocating common symbols",
	"Discarded input sections",
	"Cross Reference Table",
	"Merging program properties",
};

/* A heading of one of the map's parts, or -1. */
static int heading(const struct span *l)
{
	if (span_is(l, "Memory Configuration"))
		return P_MEMCFG;
	if (span_is(l, "Linker script and memory map"))
		return P_MAP;
	for (size_t i = 0; i < sizeof other_parts / sizeof other_parts[0]; i++)
		if (span_is(l, other_parts[i]))
			return P_OTHER;
	return -1;
}

static int parse(struct mp *p)
{
	enum part part = P_BEFORE;
	bool seen_map = false;
	struct span l;
	int rc = 0;

	while (!rc && get_line(p, &l)) {
		int h;

		if (!l.n)
			continue;
		if (!is_blank(l.s[0]) && (h = heading(&l)) >= 0) {
			part = (enum part)h;
			seen_map |= part == P_MAP;
			continue;
		}
		if (part == P_MEMCFG)
			rc = memcfg_row(p, l);
		else if (part != P_MAP)
			continue;
		else if (!is_blank(l.s[0]))
			rc = output_line(p, l);
		else if (l.s[0] == ' ' && l.n > 1 && !is_blank(l.s[1]))
			rc = input_line(p, l);
	}
	if (!rc && !seen_map)
		rc = fwm_errf(p->err, -EINVAL, "%s:%u: not a GNU ld map file (no "
			      "\"Linker script and memory map\")", p->file, 1u);
	return rc;
}

/* Stable merge sort by address: equal addresses keep their map order
 * (a zero-size label section before the code at the same address). */
static int sort_inputs(struct fwm_map_input *v, size_t n)
{
	struct fwm_map_input *tmp, *src = v, *dst;
	size_t i;

	for (i = 1; i < n && v[i - 1].addr <= v[i].addr; i++)
		;
	if (i >= n)
		return 0;
	tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return -ENOMEM;
	dst = tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, o = lo;

			while (a < mid && b < hi)
				dst[o++] = src[b].addr < src[a].addr ? src[b++] : src[a++];
			while (a < mid)
				dst[o++] = src[a++];
			while (b < hi)
				dst[o++] = src[b++];
		}
		struct fwm_map_input *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	free(tmp);
	return 0;
}

void fwm_map_close(struct fwm_map *map)
{
	struct map_priv *mp = (struct map_priv *)map;

	if (!map)
		return;
	while (mp->chunks) {
		struct chunk *c = mp->chunks;

		mp->chunks = c->next;
		free(c);
	}
	free(map->in);
	fwm_region_set_free(&map->regions);
	free(mp);
}

int fwm_map_load_buf(const char *name, const char *buf, size_t len,
		     struct fwm_map **out, struct fwm_err *err)
{
	struct mp p;
	const char *nul;
	int rc;

	if (!name)
		name = "<buffer>";
	if (!out || (!buf && len))
		return fwm_errf(err, -EINVAL, "%s: no map to parse", name);
	*out = NULL;
	memset(&p, 0, sizeof p);
	p.priv = calloc(1, sizeof *p.priv);
	if (!p.priv)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", name);
	p.map = &p.priv->map;
	p.file = name;
	p.text = buf ? buf : "";
	p.len = len;
	p.err = err;

	nul = memchr(p.text, '\0', len);
	if (nul) {
		unsigned line = 1;

		for (const char *c = p.text; c < nul; c++)
			line += *c == '\n';
		rc = fwm_errf(err, -EINVAL, "%s:%u: NUL byte in a map file", name, line);
	} else if (!(p.empty = arena_copy(&p, "", 0))) {
		rc = -ENOMEM;
	} else {
		rc = parse(&p);
	}
	free(p.strs);
	if (!rc)
		rc = sort_inputs(p.map->in, p.map->nin);
	if (rc) {
		if (rc == -ENOMEM)
			fwm_errf(err, rc, "%s: out of memory", name);
		fwm_map_close(p.map);
		return rc;
	}
	*out = p.map;
	return 0;
}

/* A whole file that mmap cannot map (a pipe, a /proc file). */
static int read_all(int fd, const char *path, char **data, size_t *len,
		    struct fwm_err *err)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	for (;;) {
		ssize_t r;

		if (buf && n == cap) {
			char *t = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);

			if (!t)
				free(buf);
			buf = t;
			cap *= 2;
		}
		if (!buf)
			return fwm_errf(err, -ENOMEM, "%s: out of memory", path);
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return fwm_errf(err, -e, "%s: %s", path, strerror(e));
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*data = buf;
	*len = n;
	return 0;
}

int fwm_map_load(const char *path, struct fwm_map **out, struct fwm_err *err)
{
	struct stat st;
	char *data = NULL;
	void *m = MAP_FAILED;
	size_t len = 0;
	int fd, e, rc;

	if (!path)
		return fwm_errf(err, -EINVAL, "no map file path");
	if (!out)
		return fwm_errf(err, -EINVAL, "%s: nowhere to put the map", path);
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return fwm_errf(err, -e, "%s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		return fwm_errf(err, -e, "%s: %s", path, strerror(e));
	}
	/* Mapping a regular file spares copying it into fresh memory,
	 * which is most of the time a large map takes. */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX) {
		len = (size_t)st.st_size;
		m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	}
	if (m == MAP_FAILED && (rc = read_all(fd, path, &data, &len, err))) {
		close(fd);
		return rc;
	}
	close(fd);
	rc = fwm_map_load_buf(path, m != MAP_FAILED ? m : data, len, out, err);
	if (m != MAP_FAILED)
		munmap(m, len);
	free(data);
	return rc;
}
