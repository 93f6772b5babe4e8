/* The MEMORY block(s) of a GNU ld linker script.
 *
 * Two passes over the script, following what GNU ld 2.40 does:
 *
 *  1. Walk the top level.  MEMORY blocks are parsed for syntax and each
 *     region remembers where its ORIGIN and LENGTH expressions start.
 *     Top-level symbol assignments are evaluated in order, so
 *     "X = DEFINED(X) ? X : 4K;" sees only what came before it.  An
 *     assignment that cannot be evaluated here (it uses ".", SIZEOF(),
 *     an undefined symbol, a division by zero, ...) is not an error yet:
 *     the symbol keeps the message and reports it only if MEMORY uses it.
 *     Everything else (SECTIONS, PHDRS, ENTRY(...), ...) is skipped as
 *     balanced text, minding strings, comments and cpp line markers.
 *  2. Evaluate the regions in declaration order, with the symbols' final
 *     values (ld evaluates MEMORY after all top-level assignments).
 *     ORIGIN(r)/LENGTH(r) may name regions declared earlier, and a
 *     region's LENGTH may use its own ORIGIN.
 *
 * Arithmetic is ld's: 64-bit unsigned, signed division and remainder,
 * unsigned comparisons, shift counts taken modulo 64.  Where ld would
 * silently produce a meaningless value (a number too big for 64 bits, a
 * region used before it is declared, a region wrapping past 2^64) this
 * parser reports an error instead.
 */
#include "fwm_regions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 200   /* expression nesting; deeper input is rejected */
#define SHOWN 64        /* longest name quoted in a message */

/* Length of a name as quoted in messages. */
#define SHOWN_LEN(n) ((int)((n) > SHOWN ? SHOWN : (n)))

enum tok_kind { T_EOF, T_NUM, T_NAME, T_STR, T_OP, T_BAD };

/* Operators of more than one character; single ones use their char. */
enum {
	OP_SHL = 256, OP_SHR, OP_LE, OP_GE, OP_EQ, OP_NE, OP_ANDAND, OP_OROR,
	OP_ADDEQ, OP_SUBEQ, OP_MULEQ, OP_DIVEQ, OP_SHLEQ, OP_SHREQ,
	OP_ANDEQ, OP_OREQ,
};

struct tok {
	enum tok_kind kind;
	int op;                 /* T_OP */
	const char *s;          /* T_NAME, T_STR (without quotes): text */
	size_t n;
	const char *bad;        /* T_BAD: what is wrong (NULL: an unexpected
				 * character); T_NUM: why it is unusable */
	size_t start, end;      /* bytes of the token in the buffer */
	unsigned line;          /* line of start */
	uint64_t num;           /* T_NUM */
};

/* Where the lexer stands: enough to come back and parse again. */
struct mark {
	struct tok tok;
	size_t pos;
	unsigned line;
};

struct sym {
	const char *name;       /* points into the script */
	size_t n;
	uint64_t val;
	char *err;              /* owned; "FILE:LINE: why" if val is unusable */
};

struct reg {
	const char *name;       /* points into the script */
	size_t n;
	unsigned line;
	char attrs[16];
	struct mark org, len;   /* where the expressions start */
};

/* Open-addressing table of names; idx is an index into syms/regs. */
struct hent {
	const char *s;
	size_t n;
	size_t idx;
};

struct htab {
	struct hent *e;
	size_t cap, used;
};

struct ld {
	const char *file;
	const char *buf;
	size_t len;
	size_t pos;             /* lexer cursor: after tok */
	unsigned line;
	struct tok tok;         /* current (lookahead) token */
	struct fwm_err *err;

	int depth;
	bool eval;              /* false inside a branch not taken */
	bool in_memory;         /* pass 2 */
	size_t cur;             /* pass 2: region being evaluated */
	bool cur_origin;        /* its ORIGIN is known */
	uint64_t cur_origin_val;
	bool have_sem;
	char sem[FWM_ERRLEN];   /* first evaluation error of this expression */

	struct sym *syms;
	size_t nsyms, csyms;
	struct reg *regs;
	size_t nregs, cregs;
	struct htab symtab, regtab;
	uint64_t *origin, *length;      /* pass 2 results */

	bool saw_memory;
	unsigned memory_line;
	unsigned include_line;  /* first INCLUDE, 0 if none */
	const char *include_s;
	size_t include_n;
};

/* ---- characters ---- */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_val(int c)
{
	if (is_digit(c))
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Symbol names in expressions, as ld's lexer has them: "a-b" is a
 * subtraction but "a/b" is one name. */
static bool is_name1(int c)
{
	return is_alpha(c) || c == '_' || c == '.' || c == '$';
}

static bool is_name(int c)
{
	return is_name1(c) || is_digit(c);
}

/* Memory region names: also "-", as in "RAM-D1". */
static bool is_region_char(int c)
{
	return is_name(c) || c == '-';
}

/* ---- errors ---- */

__attribute__((format(printf, 3, 4)))
static int fail(struct ld *p, unsigned line, const char *fmt, ...)
{
	char msg[FWM_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fwm_errf(p->err, -EINVAL, "%s:%u: %s", p->file, line, msg);
}

/* An evaluation error: kept (the first one only) and reported when the
 * value turns out to matter.  Nothing is recorded in a branch not taken. */
__attribute__((format(printf, 3, 4)))
static void sem(struct ld *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->eval || p->have_sem)
		return;
	n = snprintf(p->sem, sizeof p->sem, "%s:%u: ", p->file, line);
	if (n >= 0 && (size_t)n < sizeof p->sem) {
		va_start(ap, fmt);
		vsnprintf(p->sem + n, sizeof p->sem - (size_t)n, fmt, ap);
		va_end(ap);
	}
	p->have_sem = true;
}

static void sem_copy(struct ld *p, const char *msg)
{
	if (!p->eval || p->have_sem)
		return;
	snprintf(p->sem, sizeof p->sem, "%s", msg);
	p->have_sem = true;
}

/* The token as the user wrote it, quoted, for "expected X, got Y". */
static const char *tok_desc(const struct ld *p, const struct tok *t,
			    char *out, size_t outsz)
{
	size_t n;

	if (t->kind == T_EOF)
		return "end of file";
	n = t->end - t->start;
	if (n > 32)
		snprintf(out, outsz, "'%.32s...'", p->buf + t->start);
	else
		snprintf(out, outsz, "'%.*s'", (int)n, p->buf + t->start);
	return out;
}

static int fail_expected(struct ld *p, const char *what)
{
	char d[48];

	return fail(p, p->tok.line, "expected %s, got %s", what,
		    tok_desc(p, &p->tok, d, sizeof d));
}

/* ---- name tables ---- */

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct hent *ht_slot(const struct htab *h, const char *s, size_t n)
{
	size_t i;

	if (!h->cap)
		return NULL;
	i = (size_t)hash(s, n) & (h->cap - 1);
	for (;;) {
		struct hent *e = &h->e[i];

		if (!e->s || (e->n == n && !memcmp(e->s, s, n)))
			return e;
		i = (i + 1) & (h->cap - 1);
	}
}

/* Index of name, or -1. */
static long ht_find(const struct htab *h, const char *s, size_t n)
{
	struct hent *e = ht_slot(h, s, n);

	return e && e->s ? (long)e->idx : -1;
}

static int ht_add(struct htab *h, const char *s, size_t n, size_t idx)
{
	struct hent *e;

	if ((h->used + 1) * 2 > h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct htab g = { calloc(cap, sizeof *g.e), cap, 0 };

		if (!g.e)
			return -ENOMEM;
		for (size_t i = 0; i < h->cap; i++)
			if (h->e[i].s)
				*ht_slot(&g, h->e[i].s, h->e[i].n) = h->e[i];
		g.used = h->used;
		free(h->e);
		*h = g;
	}
	e = ht_slot(h, s, n);
	if (!e->s)
		h->used++;
	e->s = s;
	e->n = n;
	e->idx = idx;
	return 0;
}

/* ---- lexer ---- */

/* '#' starts a cpp line marker only as the first thing on its line. */
static bool at_line_start(const struct ld *p, size_t i)
{
	while (i > 0 && (p->buf[i - 1] == ' ' || p->buf[i - 1] == '\t'))
		i--;
	return i == 0 || p->buf[i - 1] == '\n';
}

/* Skip blanks, comments and cpp lines.  On an unterminated comment,
 * return its message and opening line. */
static const char *skip_blank(struct ld *p, unsigned *bad_line)
{
	const char *b = p->buf;

	while (p->pos < p->len) {
		char c = b[p->pos];

		if (c == '\n') {
			p->line++;
			p->pos++;
		} else if (is_space(c)) {
			p->pos++;
		} else if (c == '/' && p->pos + 1 < p->len && b[p->pos + 1] == '*') {
			unsigned open = p->line;
			size_t i = p->pos + 2;

			for (;;) {
				if (i + 1 >= p->len) {
					*bad_line = open;
					return "unterminated comment";
				}
				if (b[i] == '*' && b[i + 1] == '/')
					break;
				if (b[i] == '\n')
					p->line++;
				i++;
			}
			p->pos = i + 2;
		} else if (c == '#' && at_line_start(p, p->pos)) {
			const char *nl = memchr(b + p->pos, '\n', p->len - p->pos);

			p->pos = nl ? (size_t)(nl - b) : p->len;
		} else {
			break;
		}
	}
	return NULL;
}

/* A number as ld writes them: 0x hex, $hex, 0 octal, decimal, then an
 * optional K or M (and G, which ld lacks).  Returns why it is malformed,
 * or NULL. */
static const char *parse_num(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	size_t i = 0, digits = 0;
	uint64_t v = 0, mul = 1;

	if (n >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		base = 16;
		i = 2;
	} else if (s[0] == '$') {
		base = 16;
		i = 1;
	} else if (n >= 2 && s[0] == '0' && is_digit(s[1])) {
		base = 8;
		i = 1;
	}
	for (; i < n; i++, digits++) {
		unsigned d;

		if (base == 16 ? !is_hex(s[i]) : !is_digit(s[i]))
			break;
		d = (unsigned)hex_val(s[i]);
		if (d >= base)
			return "malformed octal number";
		if (v > (UINT64_MAX - d) / base)
			return "number too large for 64 bits";
		v = v * base + d;
	}
	if (!digits)
		return "malformed number";
	if (i + 1 == n) {
		switch (s[i]) {
		case 'K': case 'k': mul = 1024; break;
		case 'M': case 'm': mul = 1024 * 1024; break;
		case 'G': case 'g': mul = 1024 * 1024 * 1024; break;
		default: return "malformed number";
		}
		i++;
		if (v > UINT64_MAX / mul)
			return "number too large for 64 bits";
		v *= mul;
	}
	if (i != n)
		return "malformed number";
	*out = v;
	return NULL;
}

static void lex_string(struct ld *p, struct tok *t)
{
	const char *b = p->buf;
	size_t i = p->pos + 1;
	unsigned lines = 0;

	while (i < p->len && b[i] != '"') {
		if (b[i] == '\n')
			lines++;
		i++;
	}
	if (i >= p->len) {
		t->kind = T_BAD;
		t->bad = "unterminated string";
		p->pos = p->len;
		return;
	}
	t->kind = T_STR;
	t->s = b + p->pos + 1;
	t->n = i - p->pos - 1;
	p->pos = i + 1;
	p->line += lines;
}

struct opdef {
	const char *text;
	int op;
};

/* Longest first. */
static const struct opdef ops[] = {
	{ "<<=", OP_SHLEQ }, { ">>=", OP_SHREQ },
	{ "<<", OP_SHL }, { ">>", OP_SHR }, { "<=", OP_LE }, { ">=", OP_GE },
	{ "==", OP_EQ }, { "!=", OP_NE }, { "&&", OP_ANDAND }, { "||", OP_OROR },
	{ "+=", OP_ADDEQ }, { "-=", OP_SUBEQ }, { "*=", OP_MULEQ },
	{ "/=", OP_DIVEQ }, { "&=", OP_ANDEQ }, { "|=", OP_OREQ },
};

static void lex_op(struct ld *p, struct tok *t)
{
	const char *b = p->buf + p->pos;
	size_t left = p->len - p->pos;

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t n = strlen(ops[i].text);

		if (n <= left && !memcmp(b, ops[i].text, n)) {
			t->kind = T_OP;
			t->op = ops[i].op;
			p->pos += n;
			return;
		}
	}
	if (*b && strchr("+-*/%&|!~?:(),;={}<>", *b)) {
		t->kind = T_OP;
		t->op = *b;
		p->pos++;
		return;
	}
	t->kind = T_BAD;
	t->bad = NULL;
	p->pos++;
}

/* Lex the next token of an expression or statement into p->tok. */
static void lex(struct ld *p)
{
	struct tok *t = &p->tok;
	const char *b = p->buf;
	const char *msg;
	unsigned bad_line = 0;
	char c;

	memset(t, 0, sizeof *t);
	msg = skip_blank(p, &bad_line);
	if (msg) {
		t->kind = T_BAD;
		t->bad = msg;
		t->line = bad_line;
		t->start = t->end = p->pos = p->len;
		return;
	}
	t->start = p->pos;
	t->line = p->line;
	if (p->pos >= p->len) {
		t->kind = T_EOF;
		t->end = p->pos;
		return;
	}
	c = b[p->pos];
	if (is_digit(c) || c == '$') {
		size_t i = p->pos + 1;
		bool hex = true;

		/* The whole alphanumeric run, so "4KB" is one bad number
		 * rather than "4K" followed by a name. */
		while (i < p->len && (is_name(b[i]) && b[i] != '.' && b[i] != '$'))
			i++;
		if (c == '$') {
			/* "$1f" is hex, "$foo" a name. */
			for (size_t j = p->pos + 1; j < i; j++)
				if (!is_hex(b[j]) && !(j + 1 == i && strchr("KkMmGg", b[j])))
					hex = false;
			hex = hex && i > p->pos + 1 && (i >= p->len || !is_name(b[i]));
		}
		if (c != '$' || hex) {
			t->kind = T_NUM;
			t->bad = parse_num(b + p->pos, i - p->pos, &t->num);
			p->pos = i;
			t->end = i;
			return;
		}
	}
	if (is_name1(c)) {
		size_t i = p->pos + 1;

		while (i < p->len && (is_name(b[i]) ||
				      (b[i] == '/' && (i + 1 >= p->len || b[i + 1] != '*'))))
			i++;
		t->kind = T_NAME;
		t->s = b + p->pos;
		t->n = i - p->pos;
		p->pos = i;
	} else if (c == '"') {
		lex_string(p, t);
	} else {
		lex_op(p, t);
	}
	t->end = p->pos;
}

/* Advance to the next token; a token that cannot start anything is an
 * error right away. */
static int next(struct ld *p)
{
	lex(p);
	if (p->tok.kind == T_BAD) {
		unsigned char c;

		if (p->tok.bad)         /* may stand at the end of the buffer */
			return fail(p, p->tok.line, "%s", p->tok.bad);
		c = (unsigned char)p->buf[p->tok.start];
		if (c >= 0x20 && c < 0x7f)
			return fail(p, p->tok.line, "unexpected character '%c'", c);
		return fail(p, p->tok.line, "unexpected byte 0x%02x", c);
	}
	return 0;
}

/* Re-read the current token as a memory region name ("RAM-D1", "q r"). */
static void relex_region(struct ld *p)
{
	struct tok *t = &p->tok;
	size_t i = t->start;

	if (t->kind == T_STR || t->kind == T_EOF)
		return;
	while (i < p->len && is_region_char(p->buf[i]))
		i++;
	if (i == t->start)
		return;         /* not a name: the caller says what it wanted */
	t->kind = T_NAME;
	t->s = p->buf + t->start;
	t->n = i - t->start;
	t->end = i;
	p->pos = i;
	p->line = t->line;      /* a name holds no newline */
}

static bool is_op(const struct ld *p, int op)
{
	return p->tok.kind == T_OP && p->tok.op == op;
}

static bool is_word(const struct tok *t, const char *w)
{
	return t->kind == T_NAME && t->n == strlen(w) && !memcmp(t->s, w, t->n);
}

static int expect(struct ld *p, int op, const char *what)
{
	if (!is_op(p, op))
		return fail_expected(p, what);
	return next(p);
}

static struct mark mark_here(const struct ld *p)
{
	struct mark m = { p->tok, p->pos, p->line };

	return m;
}

static void mark_go(struct ld *p, const struct mark *m)
{
	p->tok = m->tok;
	p->pos = m->pos;
	p->line = m->line;
}

/* Skip balanced text from the opening char at p->tok (a '{' or '('),
 * minding strings, comments and cpp lines; then lex what follows. */
static int skip_balanced(struct ld *p)
{
	const char *b = p->buf;
	char open = b[p->tok.start], close = open == '{' ? '}' : ')';
	unsigned open_line = p->tok.line, line = p->tok.line;
	size_t i = p->tok.start, depth = 0;

	while (i < p->len) {
		char c = b[i];

		if (c == '\n') {
			line++;
		} else if (c == '/' && i + 1 < p->len && b[i + 1] == '*') {
			unsigned cl = line;

			for (i += 2; i + 1 < p->len && !(b[i] == '*' && b[i + 1] == '/'); i++)
				if (b[i] == '\n')
					line++;
			if (i + 1 >= p->len)
				return fail(p, cl, "unterminated comment");
			i++;
		} else if (c == '"') {
			unsigned sl = line;

			for (i++; i < p->len && b[i] != '"'; i++)
				if (b[i] == '\n')
					line++;
			if (i >= p->len)
				return fail(p, sl, "unterminated string");
		} else if (c == '#' && at_line_start(p, i)) {
			const char *nl = memchr(b + i, '\n', p->len - i);

			if (!nl)
				break;
			i = (size_t)(nl - b);
			continue;
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			p->pos = i + 1;
			p->line = line;
			return next(p);
		}
		i++;
	}
	return fail(p, open_line, "'%c' is never closed", open);
}

/* ---- expressions ---- */

static int expr(struct ld *p, uint64_t *v);

static uint64_t sym_value(struct ld *p, const char *s, size_t n, unsigned line)
{
	long i;

	if (!p->eval)
		return 0;
	i = ht_find(&p->symtab, s, n);
	if (i < 0) {
		if (memchr(s, '/', n))
			sem(p, line, "undefined symbol '%.*s' (ld reads 'a/b' as one name; "
			    "write 'a / b' to divide)", SHOWN_LEN(n), s);
		else if (n == 1 && s[0] == '.')
			sem(p, line, "the location counter '.' has no value outside SECTIONS");
		else
			sem(p, line, "undefined symbol '%.*s'", SHOWN_LEN(n), s);
		return 0;
	}
	if (p->syms[i].err) {
		sem_copy(p, p->syms[i].err);
		return 0;
	}
	return p->syms[i].val;
}

/* ORIGIN(r) or LENGTH(r); p->tok is the '('. */
static int region_ref(struct ld *p, bool origin, unsigned line, uint64_t *v)
{
	const char *fn = origin ? "ORIGIN" : "LENGTH";
	const char *s;
	size_t n;
	long i;
	int rc;

	*v = 0;
	if ((rc = next(p)))
		return rc;
	relex_region(p);
	if (p->tok.kind != T_NAME && p->tok.kind != T_STR)
		return fail_expected(p, "a memory region name");
	s = p->tok.s;
	n = p->tok.n;
	if ((rc = next(p)) || (rc = expect(p, ')', "')'")))
		return rc;
	if (!p->eval)
		return 0;
	if (!p->in_memory) {
		sem(p, line, "%s(%.*s) in a symbol assignment cannot be used by MEMORY",
		    fn, SHOWN_LEN(n), s);
		return 0;
	}
	i = ht_find(&p->regtab, s, n);
	if (i < 0) {
		sem(p, line, "undefined memory region '%.*s'", SHOWN_LEN(n), s);
	} else if ((size_t)i == p->cur && origin && p->cur_origin) {
		*v = p->cur_origin_val;
	} else if ((size_t)i >= p->cur) {
		sem(p, line, "%s(%.*s) used before region '%.*s' is defined (line %u)",
		    fn, SHOWN_LEN(n), s, SHOWN_LEN(n), s, p->regs[i].line);
	} else {
		*v = origin ? p->origin[i] : p->length[i];
	}
	return 0;
}

/* Arguments of a function call; p->tok is the '('. */
static int call_args(struct ld *p, const char *fn, size_t fnn, unsigned line,
		     uint64_t *a, unsigned *na)
{
	int rc;

	*na = 0;
	if ((rc = next(p)))
		return rc;
	for (;;) {
		if (*na == 2)
			return fail(p, line, "too many arguments to %.*s()",
				    SHOWN_LEN(fnn), fn);
		if ((rc = expr(p, &a[(*na)++])))
			return rc;
		if (!is_op(p, ','))
			break;
		if ((rc = next(p)))
			return rc;
	}
	return expect(p, ')', "',' or ')'");
}

static uint64_t log2ceil(uint64_t x)
{
	uint64_t r = 0;

	if (x <= 1)
		return 0;
	for (x--; x; x >>= 1)
		r++;
	return r;
}

/* A function call; p->tok is the '(' after the name. */
static int call(struct ld *p, const char *fn, size_t fnn, unsigned line,
		uint64_t *v)
{
	const struct tok name = { .kind = T_NAME, .s = fn, .n = fnn };
	uint64_t a[2] = { 0, 0 };
	unsigned na;
	int rc;

	*v = 0;
	if (is_word(&name, "ORIGIN") || is_word(&name, "LENGTH"))
		return region_ref(p, is_word(&name, "ORIGIN"), line, v);
	if (is_word(&name, "DEFINED")) {
		if ((rc = next(p)))
			return rc;
		if (p->tok.kind != T_NAME && p->tok.kind != T_STR)
			return fail_expected(p, "a symbol name");
		*v = ht_find(&p->symtab, p->tok.s, p->tok.n) >= 0;
		if ((rc = next(p)))
			return rc;
		return expect(p, ')', "')'");
	}
	if (is_word(&name, "ALIGN") || is_word(&name, "MAX") ||
	    is_word(&name, "MIN") || is_word(&name, "ABSOLUTE") ||
	    is_word(&name, "LOG2CEIL")) {
		unsigned want = is_word(&name, "MAX") || is_word(&name, "MIN") ? 2 : 1;

		if ((rc = call_args(p, fn, fnn, line, a, &na)))
			return rc;
		if (is_word(&name, "ALIGN")) {
			if (na == 1) {
				sem(p, line, "ALIGN(x) needs the location counter; "
				    "only ALIGN(x, align) works outside SECTIONS");
			} else if (a[1] > 1) {
				uint64_t r = a[0] % a[1];

				*v = r ? a[0] + (a[1] - r) : a[0];
			} else {
				*v = a[0];
			}
			return 0;
		}
		if (na != want)
			return fail(p, line, "%.*s() takes %u argument%s", SHOWN_LEN(fnn),
				    fn, want, want > 1 ? "s" : "");
		if (is_word(&name, "MAX"))
			*v = a[0] > a[1] ? a[0] : a[1];
		else if (is_word(&name, "MIN"))
			*v = a[0] < a[1] ? a[0] : a[1];
		else if (is_word(&name, "LOG2CEIL"))
			*v = log2ceil(a[0]);
		else
			*v = a[0];
		return 0;
	}
	/* SIZEOF(.text), ADDR(), SEGMENT_START("text", 0), CONSTANT(...):
	 * meaningful only while sections are laid out. */
	sem(p, line, "%.*s() cannot be evaluated outside SECTIONS",
	    SHOWN_LEN(fnn), fn);
	return skip_balanced(p);
}

static int primary(struct ld *p, uint64_t *v)
{
	struct tok t = p->tok;
	int rc;

	*v = 0;
	switch (t.kind) {
	case T_NUM:
		if (t.bad) {
			char d[48];

			return fail(p, t.line, "%s %s", t.bad, tok_desc(p, &t, d, sizeof d));
		}
		*v = t.num;
		return next(p);
	case T_NAME:
		if ((rc = next(p)))
			return rc;
		if (is_op(p, '('))
			return call(p, t.s, t.n, t.line, v);
		*v = sym_value(p, t.s, t.n, t.line);
		return 0;
	case T_STR:
		*v = sym_value(p, t.s, t.n, t.line);
		return next(p);
	case T_OP:
		if (t.op == '(') {
			if ((rc = next(p)) || (rc = expr(p, v)))
				return rc;
			return expect(p, ')', "')'");
		}
		break;
	default:
		break;
	}
	return fail_expected(p, "an expression");
}

static int unary(struct ld *p, uint64_t *v)
{
	int op, rc;

	op = p->tok.kind == T_OP ? p->tok.op : 0;
	if (op != '-' && op != '!' && op != '~' && op != '+')
		return primary(p, v);
	if (++p->depth > MAX_DEPTH)
		return fail(p, p->tok.line, "expression nested too deeply");
	if ((rc = next(p)) || (rc = unary(p, v)))
		return rc;
	p->depth--;
	switch (op) {
	case '-': *v = 0 - *v; break;
	case '!': *v = !*v; break;
	case '~': *v = ~*v; break;
	default: break;
	}
	return 0;
}

/* Binary operators by precedence, loosest first, as in ld's grammar. */
static const int levels[][5] = {
	{ OP_OROR },
	{ OP_ANDAND },
	{ '|' },
	{ '&' },
	{ OP_EQ, OP_NE },
	{ '<', '>', OP_LE, OP_GE },
	{ OP_SHL, OP_SHR },
	{ '+', '-' },
	{ '*', '/', '%' },
};

#define NLEVELS (sizeof levels / sizeof levels[0])

static bool op_at_level(const struct ld *p, size_t level)
{
	if (p->tok.kind != T_OP)
		return false;
	for (size_t i = 0; i < 5 && levels[level][i]; i++)
		if (levels[level][i] == p->tok.op)
			return true;
	return false;
}

static uint64_t apply(struct ld *p, int op, uint64_t a, uint64_t b, unsigned line)
{
	switch (op) {
	case '+': return a + b;
	case '-': return a - b;
	case '*': return a * b;
	case '/':
	case '%':
		if (!b) {
			sem(p, line, op == '/' ? "division by zero" : "modulo by zero");
			return 0;
		}
		/* Signed, as in ld; INT64_MIN / -1 wraps instead of trapping. */
		if (b == UINT64_MAX)
			return op == '/' ? 0 - a : 0;
		return op == '/' ? (uint64_t)((int64_t)a / (int64_t)b)
				 : (uint64_t)((int64_t)a % (int64_t)b);
	case OP_SHL: return a << (b & 63);      /* what ld gets on x86-64 and arm64 */
	case OP_SHR: return a >> (b & 63);
	case '<': return a < b;
	case '>': return a > b;
	case OP_LE: return a <= b;
	case OP_GE: return a >= b;
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case '&': return a & b;
	case '|': return a | b;
	case OP_ANDAND: return a && b;
	case OP_OROR: return a || b;
	default: return 0;
	}
}

static int binary(struct ld *p, size_t level, uint64_t *v)
{
	int rc;

	if (level == NLEVELS)
		return unary(p, v);
	if ((rc = binary(p, level + 1, v)))
		return rc;
	while (op_at_level(p, level)) {
		int op = p->tok.op;
		unsigned line = p->tok.line;
		bool saved = p->eval;
		uint64_t rhs;

		if ((rc = next(p)))
			return rc;
		/* && and || do not evaluate what cannot matter. */
		if ((op == OP_ANDAND && !*v) || (op == OP_OROR && *v))
			p->eval = false;
		rc = binary(p, level + 1, &rhs);
		p->eval = saved;
		if (rc)
			return rc;
		*v = apply(p, op, *v, rhs, line);
	}
	return 0;
}

/* cond ? a : b, evaluating only the branch taken. */
static int expr(struct ld *p, uint64_t *v)
{
	uint64_t c, a, b;
	bool saved = p->eval;
	int rc;

	if (++p->depth > MAX_DEPTH)
		return fail(p, p->tok.line, "expression nested too deeply");
	if ((rc = binary(p, 0, &c)))
		return rc;
	if (is_op(p, '?')) {
		if ((rc = next(p)))
			return rc;
		p->eval = saved && c;
		rc = expr(p, &a);
		p->eval = saved;
		if (rc || (rc = expect(p, ':', "':' of '?:'")))
			return rc;
		p->eval = saved && !c;
		rc = expr(p, &b);
		p->eval = saved;
		if (rc)
			return rc;
		c = c ? a : b;
	}
	p->depth--;
	*v = c;
	return 0;
}

/* ---- top level ---- */

static int sym_set(struct ld *p, const char *s, size_t n, uint64_t v,
		   const char *errmsg)
{
	long i = ht_find(&p->symtab, s, n);
	char *e = NULL;

	if (errmsg && !(e = strdup(errmsg)))
		return -ENOMEM;
	if (i < 0) {
		if (p->nsyms == p->csyms) {
			size_t c = p->csyms ? p->csyms * 2 : 32;
			struct sym *t = realloc(p->syms, c * sizeof *t);

			if (!t) {
				free(e);
				return -ENOMEM;
			}
			p->syms = t;
			p->csyms = c;
		}
		if (ht_add(&p->symtab, s, n, p->nsyms)) {
			free(e);
			return -ENOMEM;
		}
		i = (long)p->nsyms++;
		p->syms[i].name = s;
		p->syms[i].n = n;
		p->syms[i].err = NULL;
	}
	free(p->syms[i].err);
	p->syms[i].val = v;
	p->syms[i].err = e;
	return 0;
}

static int compound_op(int op)
{
	switch (op) {
	case OP_ADDEQ: return '+';
	case OP_SUBEQ: return '-';
	case OP_MULEQ: return '*';
	case OP_DIVEQ: return '/';
	case OP_SHLEQ: return OP_SHL;
	case OP_SHREQ: return OP_SHR;
	case OP_ANDEQ: return '&';
	case OP_OREQ: return '|';
	default: return 0;
	}
}

static bool is_assign_op(const struct ld *p)
{
	return is_op(p, '=') || (p->tok.kind == T_OP && compound_op(p->tok.op));
}

/* NAME op= expr, evaluated now; p->tok is the operator.  A PROVIDE only
 * defines a symbol that is not defined yet. */
static int assignment(struct ld *p, const struct tok *name, bool provide)
{
	int op = compound_op(p->tok.op);
	unsigned op_line = p->tok.line;
	uint64_t v, old = 0;
	int rc;

	if ((rc = next(p)))
		return rc;
	p->eval = true;
	p->have_sem = false;
	p->depth = 0;
	if ((rc = expr(p, &v)))
		return rc;
	if (name->n == 1 && name->s[0] == '.')
		return 0;       /* the location counter: not a symbol */
	if (op) {
		old = sym_value(p, name->s, name->n, op_line);
		v = apply(p, op, old, v, op_line);
	}
	if (provide && ht_find(&p->symtab, name->s, name->n) >= 0)
		return 0;
	return sym_set(p, name->s, name->n, v, p->have_sem ? p->sem : NULL);
}

/* INCLUDE file: not followed, but remembered for the error message
 * when no MEMORY turns up.  p->tok is the INCLUDE. */
static int include(struct ld *p)
{
	unsigned line = p->tok.line, bad_line = 0;
	const char *b = p->buf;
	size_t i;

	if (skip_blank(p, &bad_line))
		return fail(p, bad_line, "unterminated comment");
	if (p->pos < p->len && b[p->pos] == '"') {
		lex(p);
		if (p->tok.kind == T_BAD)
			return fail(p, p->tok.line, "%s", p->tok.bad);
	} else {
		for (i = p->pos; i < p->len && !is_space(b[i]) && b[i] != ';' &&
		     b[i] != '}'; i++)
			;
		p->tok.kind = T_NAME;
		p->tok.s = b + p->pos;
		p->tok.n = i - p->pos;
		p->pos = i;
	}
	if (!p->tok.n)
		return fail(p, line, "INCLUDE without a file name");
	if (!p->include_line) {
		p->include_line = line;
		p->include_s = p->tok.s;
		p->include_n = p->tok.n;
	}
	return next(p);
}

static int region_attrs(struct ld *p, struct reg *r)
{
	const char *b = p->buf;
	size_t i = p->pos, n = 0;

	for (; i < p->len && b[i] != ')'; i++) {
		if (b[i] == '\n')
			p->line++;
		if (is_space(b[i]))
			continue;
		if (!strchr("rwxailRWXAIL!", b[i]))
			return fail(p, p->line, "invalid attribute '%c' for memory region '%.*s'"
				    " (valid: r w x a i l !)", b[i] >= 0x20 && b[i] < 0x7f ?
				    b[i] : '?', SHOWN_LEN(r->n), r->name);
		if (n + 1 >= sizeof r->attrs)
			return fail(p, p->line, "attributes of memory region '%.*s' are too long",
				    SHOWN_LEN(r->n), r->name);
		r->attrs[n++] = b[i];
	}
	if (i >= p->len)
		return fail(p, r->line, "attributes of memory region '%.*s' are not closed",
			    SHOWN_LEN(r->n), r->name);
	if (!n)
		return fail(p, p->line, "empty attribute list for memory region '%.*s'",
			    SHOWN_LEN(r->n), r->name);
	r->attrs[n] = '\0';
	p->pos = i + 1;
	return next(p);
}

/* ORIGIN|org|o = expr, or LENGTH|len|l = expr: remember where the
 * expression starts and check its syntax (it is evaluated in pass 2). */
static int region_expr(struct ld *p, const char *w1, const char *w2,
		       const char *w3, struct mark *m)
{
	uint64_t v;
	bool saved = p->eval;
	int rc;

	if (!is_word(&p->tok, w1) && !is_word(&p->tok, w2) && !is_word(&p->tok, w3)) {
		char what[32];

		snprintf(what, sizeof what, "%s", w1);
		return fail_expected(p, what);
	}
	if ((rc = next(p)) || (rc = expect(p, '=', "'='")))
		return rc;
	*m = mark_here(p);
	p->eval = false;
	p->depth = 0;
	rc = expr(p, &v);
	p->eval = saved;
	return rc;
}

static int region(struct ld *p)
{
	struct reg r;
	long dup;
	int rc;

	memset(&r, 0, sizeof r);
	relex_region(p);
	if ((p->tok.kind != T_NAME && p->tok.kind != T_STR) || !p->tok.n)
		return fail_expected(p, "a memory region name");
	r.name = p->tok.s;
	r.n = p->tok.n;
	r.line = p->tok.line;
	dup = ht_find(&p->regtab, r.name, r.n);
	if (dup >= 0)
		return fail(p, r.line, "duplicate memory region '%.*s' (first declared at line %u)",
			    SHOWN_LEN(r.n), r.name, p->regs[dup].line);
	if ((rc = next(p)))
		return rc;
	if (is_op(p, '(') && (rc = region_attrs(p, &r)))
		return rc;
	if ((rc = expect(p, ':', "':' after the region name")))
		return rc;
	if ((rc = region_expr(p, "ORIGIN", "org", "o", &r.org)))
		return rc;
	if (is_op(p, ',') && (rc = next(p)))
		return rc;
	if ((rc = region_expr(p, "LENGTH", "len", "l", &r.len)))
		return rc;

	if (p->nregs == p->cregs) {
		size_t c = p->cregs ? p->cregs * 2 : 16;
		struct reg *t = realloc(p->regs, c * sizeof *t);

		if (!t)
			return -ENOMEM;
		p->regs = t;
		p->cregs = c;
	}
	if (ht_add(&p->regtab, r.name, r.n, p->nregs))
		return -ENOMEM;
	p->regs[p->nregs++] = r;
	return 0;
}

/* MEMORY { ... }; p->tok is the '{'. */
static int memory(struct ld *p, unsigned line)
{
	int rc;

	if (!p->saw_memory)
		p->memory_line = line;
	p->saw_memory = true;
	if ((rc = next(p)))
		return rc;
	for (;;) {
		if (is_op(p, '}'))
			return next(p);
		if (p->tok.kind == T_EOF)
			return fail(p, line, "MEMORY block is never closed");
		if (is_op(p, ',')) {
			if ((rc = next(p)))
				return rc;
			continue;
		}
		if (is_word(&p->tok, "INCLUDE")) {
			if ((rc = include(p)))
				return rc;
			continue;
		}
		if ((rc = region(p)))
			return rc;
	}
}

/* One top-level statement; p->tok is its first token. */
static int statement(struct ld *p)
{
	struct tok t = p->tok;
	int rc;

	if (is_op(p, ';') || is_op(p, ','))
		return next(p);
	if (t.kind == T_OP) {
		if (t.op == '}' || t.op == ')')
			return fail(p, t.line, "unbalanced '%c'", t.op);
		return fail_expected(p, "a statement");
	}
	if (t.kind == T_NUM)
		return fail_expected(p, "a statement");
	if (is_word(&t, "INCLUDE"))
		return include(p);
	if ((rc = next(p)))
		return rc;
	if (is_word(&t, "MEMORY")) {
		if (!is_op(p, '{'))
			return fail_expected(p, "'{' after MEMORY");
		return memory(p, t.line);
	}
	if (is_assign_op(p)) {
		if ((rc = assignment(p, &t, false)))
			return rc;
		if (!is_op(p, ';') && !is_op(p, ','))
			return fail_expected(p, "';' after the assignment");
		return next(p);
	}
	if (t.kind == T_STR)
		return fail_expected(p, "'=' after a quoted symbol name");
	if (is_op(p, '(') && (is_word(&t, "PROVIDE") || is_word(&t, "PROVIDE_HIDDEN") ||
			      is_word(&t, "HIDDEN"))) {
		struct tok name;

		if ((rc = next(p)))
			return rc;
		name = p->tok;
		if (name.kind != T_NAME && name.kind != T_STR)
			return fail_expected(p, "a symbol name");
		if ((rc = next(p)))
			return rc;
		if (!is_op(p, '='))
			return fail_expected(p, "'='");
		if ((rc = assignment(p, &name, !is_word(&t, "HIDDEN"))) ||
		    (rc = expect(p, ')', "')'")))
			return rc;
		return 0;
	}
	/* SECTIONS { }, PHDRS { }, VERSION { }, ENTRY(...), ASSERT(...),
	 * OUTPUT_FORMAT(...), REGION_ALIAS(...): not about MEMORY. */
	if (is_op(p, '{') || is_op(p, '('))
		return skip_balanced(p);
	return 0;       /* a lone keyword: FORCE_COMMON_ALLOCATION, INSERT AFTER x */
}

static int pass1(struct ld *p)
{
	int rc = next(p);

	while (!rc && p->tok.kind != T_EOF)
		rc = statement(p);
	if (rc)
		return rc;
	if (!p->saw_memory || !p->nregs) {
		char inc[160] = "";

		if (p->include_line)
			snprintf(inc, sizeof inc, "; INCLUDE %.*s (line %u) is not followed",
				 SHOWN_LEN(p->include_n), p->include_s, p->include_line);
		if (!p->saw_memory)
			return fail(p, p->include_line ? p->include_line : 1,
				    "no MEMORY block%s", inc);
		return fail(p, p->memory_line, "MEMORY declares no regions%s", inc);
	}
	return 0;
}

static int eval_at(struct ld *p, const struct mark *m, uint64_t *v)
{
	int rc;

	mark_go(p, m);
	p->eval = true;
	p->have_sem = false;
	p->depth = 0;
	if ((rc = expr(p, v)))
		return rc;
	if (p->have_sem)
		return fwm_errf(p->err, -EINVAL, "%s", p->sem);
	return 0;
}

static int pass2(struct ld *p, struct fwm_region_set *out)
{
	struct fwm_region *v;
	int rc;

	p->origin = calloc(p->nregs, sizeof *p->origin);
	p->length = calloc(p->nregs, sizeof *p->length);
	if (!p->origin || !p->length)
		return -ENOMEM;
	p->in_memory = true;
	for (size_t i = 0; i < p->nregs; i++) {
		struct reg *r = &p->regs[i];

		p->cur = i;
		p->cur_origin = false;
		if ((rc = eval_at(p, &r->org, &p->origin[i])))
			return rc;
		p->cur_origin = true;
		p->cur_origin_val = p->origin[i];
		if ((rc = eval_at(p, &r->len, &p->length[i])))
			return rc;
		if (p->length[i] > UINT64_MAX - p->origin[i])
			return fail(p, r->line, "memory region '%.*s' ends beyond 64 bits "
				    "(ORIGIN 0x%llx + LENGTH 0x%llx)", SHOWN_LEN(r->n), r->name,
				    (unsigned long long)p->origin[i],
				    (unsigned long long)p->length[i]);
	}

	v = calloc(p->nregs, sizeof *v);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->nregs; i++) {
		v[i].name = strndup(p->regs[i].name, p->regs[i].n);
		if (!v[i].name) {
			struct fwm_region_set tmp = { v, i };

			fwm_region_set_free(&tmp);
			return -ENOMEM;
		}
		v[i].origin = p->origin[i];
		v[i].length = p->length[i];
		memcpy(v[i].attrs, p->regs[i].attrs, sizeof v[i].attrs);
	}
	out->v = v;
	out->n = p->nregs;
	return 0;
}

void fwm_region_set_free(struct fwm_region_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].name);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

int fwm_ld_parse_buf(const char *name, const char *buf, size_t len,
		     struct fwm_region_set *out, struct fwm_err *err)
{
	struct ld p;
	const char *nul;
	int rc;

	if (!name)
		name = "<buffer>";
	if (!out || (!buf && len))
		return fwm_errf(err, -EINVAL, "%s: no script to parse", name);
	out->v = NULL;
	out->n = 0;

	memset(&p, 0, sizeof p);
	p.file = name;
	p.buf = buf ? buf : "";
	p.len = len;
	p.line = 1;
	p.err = err;

	nul = memchr(p.buf, '\0', len);
	if (nul) {
		unsigned line = 1;

		for (const char *c = p.buf; c < nul; c++)
			line += *c == '\n';
		return fail(&p, line, "NUL byte in a linker script");
	}

	rc = pass1(&p);
	if (!rc)
		rc = pass2(&p, out);
	if (rc == -ENOMEM)
		fwm_errf(err, rc, "%s: out of memory", name);

	for (size_t i = 0; i < p.nsyms; i++)
		free(p.syms[i].err);
	free(p.syms);
	free(p.regs);
	free(p.symtab.e);
	free(p.regtab.e);
	free(p.origin);
	free(p.length);
	return rc;
}

/* The whole file, NUL-terminated; works for pipes and /proc files too. */
static int read_file(const char *path, char **data, size_t *len, struct fwm_err *err)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf;
	int fd, e;

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
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return fwm_errf(err, -ENOMEM, "%s: out of memory", path);
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *t = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);

			if (!t) {
				free(buf);
				close(fd);
				return fwm_errf(err, -ENOMEM, "%s: out of memory", path);
			}
			buf = t;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			free(buf);
			close(fd);
			return fwm_errf(err, -e, "%s: %s", path, strerror(e));
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int fwm_ld_parse_file(const char *path, struct fwm_region_set *out, struct fwm_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (out) {
		out->v = NULL;
		out->n = 0;
	}
	if (!path)
		return fwm_errf(err, -EINVAL, "no linker script path");
	rc = read_file(path, &buf, &len, err);
	if (rc)
		return rc;
	rc = fwm_ld_parse_buf(path, buf, len, out, err);
	free(buf);
	return rc;
}
