/* The stack use of one function, from its decoded instructions.
 *
 * A forward data-flow over the function's instructions.  The state at an
 * instruction is what is known of each register: nothing, a 32-bit
 * constant, or the stack pointer at entry plus an offset ("sp-relative").
 * The stack pointer itself starts sp-relative at 0; its depth is minus its
 * offset.  Where paths meet, a register keeps its value only when the paths
 * agree, except the stack pointer, which keeps the deeper of the two: the
 * depth at every instruction is then the worst over the paths that reach it.
 *
 * Constants and sp-relative values are what bound a frame where the code
 * does not say it in one instruction: Thumb-1's "ldr r7, =-1508; add sp, r7",
 * a frame pointer ("add r7, sp, #0 ... mov sp, r7"), and the veneer's
 * "ldr r0, =target; mov ip, r0; bx ip".  A write to the stack pointer of
 * anything else (a variable-length array's "sub sp, sp, r3") cannot be
 * bounded and is the function's problem; a constant written to it is a new
 * stack (a reset handler's "ldr sp, =_estack"), at depth 0.
 *
 * Code that no path reaches (the cases of a jump table, whose targets are
 * data) starts at the depth of the reached instruction before it, with
 * every other register unknown.
 *
 * Cost: O(instructions x registers) per pass; a join only ever loses
 * information, so each instruction is revisited a bounded number of times
 * (a stack pointer that keeps going deeper around a loop is stopped and
 * reported after FWM_LOOP_LIMIT rounds).
 */
#include "stack_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { V_UNK, V_CONST, V_SP };

struct val {
	int32_t v;             /* V_CONST: the bits; V_SP: offset from sp at entry */
	uint8_t k;
};

typedef struct val state_t[FWM_STK_NREG];

#define FWM_LOOP_LIMIT 16      /* deeper joins at one instruction before giving up */
#define FWM_VISIT_LIMIT 256    /* visits of one instruction, whatever changes */
#define SP_LIMIT (1 << 30)     /* sp-relative offsets are kept well inside int32 */

void fwm_stk_work_free(struct fwm_stk_work *w)
{
	free(w->insn);
	free(w->state);
	free(w->visits);
	free(w->deeper);
	free(w->queued);
	free(w->work);
	memset(w, 0, sizeof *w);
}

void fwm_stk_frame_free(struct fwm_stk_frame *fr)
{
	free(fr->site);
	fr->site = NULL;
	fr->nsite = 0;
}

static int grow(struct fwm_stk_work *w, size_t n)
{
	if (n <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < n)
		cap *= 2;
	void *a = realloc(w->insn, cap * sizeof *w->insn);
	if (!a)
		return -ENOMEM;
	w->insn = a;
	if (!(a = realloc(w->state, cap * sizeof(state_t))))
		return -ENOMEM;
	w->state = a;
	if (!(a = realloc(w->visits, cap * sizeof *w->visits)))
		return -ENOMEM;
	w->visits = a;
	if (!(a = realloc(w->deeper, cap * sizeof *w->deeper)))
		return -ENOMEM;
	w->deeper = a;
	if (!(a = realloc(w->queued, cap * sizeof *w->queued)))
		return -ENOMEM;
	w->queued = a;
	if (!(a = realloc(w->work, cap * sizeof *w->work)))
		return -ENOMEM;
	w->work = a;
	w->cap = cap;
	return 0;
}

static struct val vconst(uint32_t c)
{
	return (struct val){ (int32_t)c, V_CONST };
}

static struct val vsp(int64_t off)
{
	if (off <= -SP_LIMIT || off >= SP_LIMIT)
		return (struct val){ 0, V_UNK };
	return (struct val){ (int32_t)off, V_SP };
}

static const struct val unk = { 0, V_UNK };

static struct val add(struct val a, struct val b)
{
	if (a.k == V_CONST && b.k == V_CONST)
		return vconst((uint32_t)a.v + (uint32_t)b.v);
	if (a.k == V_SP && b.k == V_CONST)
		return vsp((int64_t)a.v + b.v);
	if (a.k == V_CONST && b.k == V_SP)
		return vsp((int64_t)b.v + a.v);
	return unk;
}

static struct val eval(const struct fwm_stk_op *op, const struct val *s)
{
	struct val a = s[op->rs1 % FWM_STK_NREG], b = s[op->rs2 % FWM_STK_NREG];
	switch (op->kind) {
	case FWM_OP_CONST: return vconst((uint32_t)op->imm);
	case FWM_OP_MOV: return a;
	case FWM_OP_ADDI: return add(a, vconst((uint32_t)op->imm));
	case FWM_OP_ADD: return add(a, b);
	case FWM_OP_SUB:
		if (b.k != V_CONST)
			return unk;
		return add(a, vconst(-(uint32_t)b.v));
	case FWM_OP_SHL:
		return a.k == V_CONST && op->imm >= 0 && op->imm < 32 ? vconst((uint32_t)a.v << op->imm) : unk;
	case FWM_OP_SHR:
		return a.k == V_CONST && op->imm >= 0 && op->imm < 32 ? vconst((uint32_t)a.v >> op->imm) : unk;
	case FWM_OP_NEG: return a.k == V_CONST ? vconst(-(uint32_t)a.v) : unk;
	case FWM_OP_NOT: return a.k == V_CONST ? vconst(~(uint32_t)a.v) : unk;
	case FWM_OP_MOVT: {
		struct val d = s[op->rd % FWM_STK_NREG];
		return d.k == V_CONST ? vconst(((uint32_t)d.v & 0xffff) | (uint32_t)op->imm << 16) : unk;
	}
	default: return unk;
	}
}

struct ctx {
	const struct fwm_stk_arch *a;
	struct fwm_stk_work *w;
	struct fwm_stk_frame *fr;
	size_t n;
	uint64_t lo, hi;       /* the function's range */
};

static void problem(struct ctx *c, int kind, const struct fwm_stk_insn *in)
{
	struct fwm_stk_frame *fr = c->fr;
	if (fr->problem && fr->problem_addr <= in->addr)
		return;
	fr->problem = (uint8_t)kind;
	fr->problem_addr = in->addr;
	snprintf(fr->problem_text, sizeof fr->problem_text, "%s", in->text);
}

static void note_depth(struct ctx *c, const struct val *sp)
{
	if (sp->k == V_SP && sp->v < 0 && (uint32_t)-sp->v > c->fr->frame)
		c->fr->frame = (uint32_t)-sp->v;
}

/* Apply an instruction's register operations to s.  A constant written to
 * sp is a new stack: depth 0 from there.  Where the architecture builds
 * addresses in two steps (RISC-V "la sp, X" is auipc, then addi), the
 * constant stays pending for one "addi sp, sp, lo". */
static void transfer(struct ctx *c, const struct fwm_stk_insn *in, struct val *s)
{
	unsigned sp = c->a->sp;
	int pending = s[sp].k == V_CONST, absorb = 0;
	if (pending) {
		absorb = in->nops == 1 && in->op[0].kind == FWM_OP_ADDI && in->op[0].rd == sp && in->op[0].rs1 == sp;
		if (!absorb)
			s[sp] = vsp(0);
	}
	struct val old = s[sp];
	int set_const = 0;
	for (unsigned i = 0; i < in->nops && i < FWM_STK_MAXOPS; i++) {
		const struct fwm_stk_op *op = &in->op[i];
		s[op->rd % FWM_STK_NREG] = eval(op, s);
		if (op->rd == sp) {
			set_const = op->kind == FWM_OP_CONST;
			note_depth(c, &s[sp]);
		}
	}
	for (unsigned r = 0; r < FWM_STK_NREG; r++)
		if (in->clobber & (1u << r))
			s[r] = unk;
	if (in->bad_sp) {
		problem(c, FWM_PB_SP, in);
		s[sp] = old.k == V_SP ? old : vsp(0);
	} else if (s[sp].k == V_CONST) {
		if (!(set_const && c->a->const_pairs) || absorb)
			s[sp] = vsp(0);        /* a new stack */
	} else if (s[sp].k != V_SP) {
		problem(c, FWM_PB_SP, in);
		s[sp] = old.k == V_SP ? old : vsp(0);
	} else if (s[sp].v < 0 && (uint32_t)-s[sp].v > FWM_STK_MAXDEPTH) {
		problem(c, FWM_PB_HUGE, in);
		s[sp] = old.k == V_SP ? old : vsp(0);
	}
}

static long find(const struct ctx *c, uint64_t addr)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->w->insn[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->w->insn[lo].addr == addr ? (long)lo : -1;
}

static struct val *row(const struct ctx *c, size_t i)
{
	return ((state_t *)c->w->state)[i];
}

/* Merge s into the state at instruction i; queue i when it changed. */
static void flow_to(struct ctx *c, size_t i, const struct val *s, size_t *nwork)
{
	struct fwm_stk_work *w = c->w;
	struct val *d = row(c, i);
	unsigned sp = c->a->sp;
	int changed = 0, deeper = 0;
	if (w->visits[i] == 0) {
		memcpy(d, s, sizeof(state_t));
		changed = 1;
	} else {
		for (unsigned r = 0; r < FWM_STK_NREG; r++) {
			if (d[r].k == s[r].k && d[r].v == s[r].v)
				continue;
			if (r == sp && d[r].k == V_SP && s[r].k == V_SP) {
				if (s[r].v < d[r].v) {
					d[r].v = s[r].v;
					changed = deeper = 1;
				}
			} else if (d[r].k != V_UNK) {
				d[r] = unk;
				changed = 1;
			}
		}
	}
	if (!changed)
		return;
	if (w->visits[i] >= FWM_VISIT_LIMIT)
		return;
	if (deeper && ++w->deeper[i] > FWM_LOOP_LIMIT) {
		problem(c, FWM_PB_LOOP, &w->insn[i]);
		w->visits[i] = FWM_VISIT_LIMIT;
		return;
	}
	w->visits[i]++;
	if (!w->queued[i]) {
		w->queued[i] = 1;
		w->work[(*nwork)++] = i;
	}
}

static int inside(const struct ctx *c, uint64_t t)
{
	return t >= c->lo && t < c->hi;
}

/* Run the data-flow from the states already queued. */
static void run(struct ctx *c, size_t nwork)
{
	struct fwm_stk_work *w = c->w;
	const struct fwm_stk_arch *a = c->a;
	state_t s, before;
	while (nwork) {
		size_t i = w->work[--nwork];
		w->queued[i] = 0;
		const struct fwm_stk_insn *in = &w->insn[i];
		memcpy(s, row(c, i), sizeof s);
		memcpy(before, s, sizeof s);
		note_depth(c, &s[a->sp]);
		transfer(c, in, s);
		int next = in->cond, call = 0;
		uint64_t t = in->target;
		switch (in->flow) {
		case FWM_FL_NEXT:
			next = 1;
			break;
		case FWM_FL_CALLR:
			if (row(c, i)[in->reg % FWM_STK_NREG].k != V_CONST) {
				next = call = 1;
				break;
			}
			t = ((uint32_t)row(c, i)[in->reg % FWM_STK_NREG].v + (uint32_t)in->roff) & ~(uint64_t)1;
			/* fall through */
		case FWM_FL_CALL:
			next = call = 1;
			/* a bl that stays inside the function (not to its start) is a long branch */
			if (inside(c, t) && t != c->lo) {
				long j = find(c, t);
				if (j >= 0)
					flow_to(c, (size_t)j, s, &nwork);
			}
			break;
		case FWM_FL_JUMPR:
			if (row(c, i)[in->reg % FWM_STK_NREG].k != V_CONST)
				break;
			t = ((uint32_t)row(c, i)[in->reg % FWM_STK_NREG].v + (uint32_t)in->roff) & ~(uint64_t)1;
			/* fall through */
		case FWM_FL_JUMP:
			if (inside(c, t)) {
				long j = find(c, t);
				if (j >= 0)
					flow_to(c, (size_t)j, s, &nwork);
			}
			break;
		default:
			break;
		}
		if (call)
			for (unsigned r = 0; r < FWM_STK_NREG; r++)
				if (a->caller_saved & (1u << r))
					s[r] = unk;
		if (next && i + 1 < c->n && w->insn[i + 1].addr == in->addr + in->len) {
			flow_to(c, i + 1, s, &nwork);
			/* not executed: the state before it goes on as well */
			if (in->cond)
				flow_to(c, i + 1, before, &nwork);
		}
	}
}

static int add_site(struct fwm_stk_frame *fr, size_t *cap, const struct fwm_stk_insn *in, int kind,
		    uint64_t target, uint32_t depth)
{
	if (fr->nsite == *cap) {
		size_t n = *cap ? 2 * *cap : 8;
		struct fwm_stk_site *v = realloc(fr->site, n * sizeof *v);
		if (!v)
			return -ENOMEM;
		fr->site = v;
		*cap = n;
	}
	struct fwm_stk_site *s = &fr->site[fr->nsite++];
	memset(s, 0, sizeof *s);
	s->addr = in->addr;
	s->target = target;
	s->depth = depth;
	s->kind = (uint8_t)kind;
	memcpy(s->text, in->text, sizeof s->text);
	return 0;
}

/* The call sites, from the final states. */
static int sites(struct ctx *c)
{
	struct fwm_stk_work *w = c->w;
	size_t cap = 0;
	unsigned sp = c->a->sp;
	for (size_t i = 0; i < c->n; i++) {
		const struct fwm_stk_insn *in = &w->insn[i];
		if (!w->visits[i])
			continue;
		const struct val *s = row(c, i);
		uint32_t depth = s[sp].k == V_SP && s[sp].v < 0 ? (uint32_t)-s[sp].v : 0;
		struct val r = s[in->reg % FWM_STK_NREG];
		uint64_t t = in->target;
		int kind = -1;
		switch (in->flow) {
		case FWM_FL_CALL:
			if (!inside(c, t) || t == c->lo)
				kind = FWM_SITE_CALL;
			break;
		case FWM_FL_CALLR:
			if (r.k == V_CONST) {
				t = ((uint32_t)r.v + (uint32_t)in->roff) & ~(uint64_t)1;
				kind = inside(c, t) && t != c->lo ? -1 : FWM_SITE_CALL;
			} else {
				kind = FWM_SITE_ICALL;
			}
			break;
		case FWM_FL_JUMP:
			if (!inside(c, t))
				kind = FWM_SITE_TAIL;
			break;
		case FWM_FL_JUMPR:
			if (r.k == V_CONST) {
				t = ((uint32_t)r.v + (uint32_t)in->roff) & ~(uint64_t)1;
				kind = inside(c, t) ? -1 : FWM_SITE_TAIL;
			} else {
				kind = FWM_SITE_IJUMP;
			}
			break;
		default:
			break;
		}
		if (kind >= 0 && add_site(c->fr, &cap, in, kind, t, depth) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int decode_all(struct ctx *c, const unsigned char *bytes, uint64_t addr, size_t len,
		      const struct fwm_stk_range *data, size_t ndata)
{
	const struct fwm_stk_arch *a = c->a;
	size_t off = 0, d = 0;
	c->n = 0;
	while (off < len) {
		uint64_t at = addr + off;
		while (d < ndata && data[d].hi <= at)
			d++;
		if (d < ndata && data[d].lo <= at) {
			off = data[d].hi - addr;
			continue;
		}
		if (grow(c->w, c->n + 1) < 0)
			return -ENOMEM;
		struct fwm_stk_insn *in = &c->w->insn[c->n];
		memset(in, 0, offsetof(struct fwm_stk_insn, op));
		in->text[0] = 0;
		unsigned l = a->decode(a->ctx, bytes + off, len - off, at, in);
		if (l == 0 || l > len - off) {
			c->fr->nbad += a->step;
			off += a->step;
			continue;
		}
		in->addr = at;
		in->len = (uint8_t)l;
		c->n++;
		off += l;
	}
	c->fr->ninsn = c->n;
	return 0;
}

int fwm_stk_analyse(const struct fwm_stk_arch *a, struct fwm_stk_work *w, const unsigned char *bytes,
		    uint64_t addr, size_t len, const struct fwm_stk_range *data, size_t ndata,
		    struct fwm_stk_frame *fr)
{
	struct ctx c = { a, w, fr, 0, addr, addr + len };
	memset(fr, 0, sizeof *fr);
	if (decode_all(&c, bytes, addr, len, data, ndata) < 0)
		return -ENOMEM;
	if (c.n == 0)
		return 0;
	memset(w->visits, 0, c.n * sizeof *w->visits);
	memset(w->deeper, 0, c.n * sizeof *w->deeper);
	memset(w->queued, 0, c.n * sizeof *w->queued);
	state_t s;
	for (unsigned r = 0; r < FWM_STK_NREG; r++)
		s[r] = unk;
	s[a->sp] = vsp(0);
	size_t nwork = 0;
	flow_to(&c, 0, s, &nwork);
	run(&c, nwork);
	/* code that only a jump table reaches */
	for (size_t i = 1; i < c.n; i++) {
		if (w->visits[i])
			continue;
		size_t p = i;
		while (p > 0 && !w->visits[p - 1])
			p--;
		for (unsigned r = 0; r < FWM_STK_NREG; r++)
			s[r] = unk;
		s[a->sp] = p > 0 ? row(&c, p - 1)[a->sp] : vsp(0);
		if (s[a->sp].k != V_SP)
			s[a->sp] = vsp(0);
		nwork = 0;
		flow_to(&c, i, s, &nwork);
		run(&c, nwork);
	}
	if (sites(&c) < 0) {
		fwm_stk_frame_free(fr);
		return -ENOMEM;
	}
	return 0;
}
