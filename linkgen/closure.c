/* What relocated code calls and references, from its machine code
 * (see lg_closure.h). */
#include "lg_closure.h"

#include <capstone/capstone.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct lg_code {
	struct fwm_image *img;
	csh cs;
	const struct fwm_symbol **sym;   /* function and object symbols, by address */
	size_t nsym;
	const struct fwm_symbol **map;   /* ARM mapping symbols $a $t $d, by address */
	size_t nmap;
	int default_thumb;
};

static int by_addr(const void *a, const void *b)
{
	const struct fwm_symbol *x = *(const struct fwm_symbol *const *)a, *y = *(const struct fwm_symbol *const *)b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* functions first, then larger first */
	if (x->kind != y->kind)
		return x->kind == FWM_SYM_FUNC ? -1 : y->kind == FWM_SYM_FUNC ? 1 : 0;
	return x->size > y->size ? -1 : x->size < y->size;
}

static int is_mapping(const char *n)
{
	return n[0] == '$' && (n[1] == 'a' || n[1] == 't' || n[1] == 'd') && (n[2] == 0 || n[2] == '.');
}

int lg_code_open(struct fwm_image *img, struct lg_code **out, struct fwm_err *err)
{
	if (img->machine != EM_ARM)
		return fwm_errf(err, -ENOTSUP, "%s: call analysis reads ARM code only, not %s", img->path,
				fwm_machine_name(img->machine));
	int rc = fwm_image_load_symbols(img, err);
	if (rc < 0)
		return rc;
	struct lg_code *c = calloc(1, sizeof *c);
	if (!c)
		return fwm_errf(err, -ENOMEM, "out of memory");
	c->img = img;
	c->sym = calloc(img->nsym + 1, sizeof *c->sym);
	c->map = calloc(img->nsym + 1, sizeof *c->map);
	if (!c->sym || !c->map) {
		lg_code_close(c);
		return fwm_errf(err, -ENOMEM, "out of memory");
	}
	int saw_arm = 0;
	for (size_t i = 0; i < img->nsym; i++) {
		const struct fwm_symbol *y = &img->sym[i];
		if (y->kind == FWM_SYM_FUNC || y->kind == FWM_SYM_OBJECT ||
		    (y->kind == FWM_SYM_OTHER && y->section >= 0 && !is_mapping(y->name) && y->name[0] != '$'))
			c->sym[c->nsym++] = y;
		else if (is_mapping(y->name)) {
			c->map[c->nmap++] = y;
			saw_arm |= y->name[1] == 'a';
		}
	}
	qsort(c->sym, c->nsym, sizeof *c->sym, by_addr);
	qsort(c->map, c->nmap, sizeof *c->map, by_addr);
	/* Cortex-M is Thumb only; an entry point with bit 0 set says Thumb too */
	c->default_thumb = (img->entry & 1) || !saw_arm;
	if (cs_open(CS_ARCH_ARM, (cs_mode)(CS_MODE_THUMB | CS_MODE_MCLASS | (img->big_endian ? CS_MODE_BIG_ENDIAN : 0)),
		    &c->cs) != CS_ERR_OK) {
		free(c->sym);
		free(c->map);
		free(c);
		return fwm_errf(err, -ENOTSUP, "capstone cannot open an ARM disassembler");
	}
	cs_option(c->cs, CS_OPT_DETAIL, CS_OPT_ON);
	*out = c;
	return 0;
}

void lg_code_close(struct lg_code *c)
{
	if (!c)
		return;
	if (c->cs)
		cs_close(&c->cs);
	free(c->sym);
	free(c->map);
	free(c);
}

/* The section that holds addr with bytes in the file. */
static const struct fwm_section *section_at(const struct fwm_image *img, uint64_t addr, uint64_t len)
{
	for (size_t i = 1; i < img->nsec; i++) {
		const struct fwm_section *s = &img->sec[i];
		if (!fwm_section_is_alloc(s) || !fwm_section_is_loaded(s))
			continue;
		if (addr >= s->vma && addr - s->vma + len <= s->size && s->offset + s->size <= img->size)
			return s;
	}
	return NULL;
}

int lg_read32(const struct fwm_image *img, uint64_t addr, uint32_t *v)
{
	const struct fwm_section *s = section_at(img, addr, 4);
	if (!s)
		return -1;
	const unsigned char *p = img->data + s->offset + (addr - s->vma);
	*v = img->big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
			     : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return 0;
}

const struct fwm_symbol *lg_code_symbol_at(const struct lg_code *c, uint64_t addr)
{
	/* last symbol starting at or below addr */
	size_t lo = 0, hi = c->nsym;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->sym[mid]->addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct fwm_symbol *best = NULL;
	for (size_t i = lo; i-- > 0;) {
		const struct fwm_symbol *y = c->sym[i];
		if (addr - y->addr > (1u << 24))
			break;
		int covers = y->size ? addr < y->addr + y->size : addr == y->addr;
		if (!covers)
			continue;
		if (y->kind == FWM_SYM_FUNC && y->size)
			return y;
		if (!best || (best->kind != FWM_SYM_FUNC && y->kind == FWM_SYM_FUNC))
			best = y;
	}
	return best;
}

const char *lg_code_veneer_name(const struct lg_code *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nsym;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->sym[mid]->addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->nsym && c->sym[i]->addr == addr; i++) {
		size_t l = strlen(c->sym[i]->name);
		if (l > 7 && strcmp(c->sym[i]->name + l - 7, "_veneer") == 0)
			return c->sym[i]->name;
	}
	return NULL;
}

/* Is addr in a literal pool ($d) or ARM code ($a)?  'd', 'a', 't' */
static char mapping_at(const struct lg_code *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nmap;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->map[mid]->addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return c->default_thumb ? 't' : 'a';
	return c->map[lo - 1]->name[1];
}

/* The end of the mapping run that holds addr (the next mapping symbol). */
static uint64_t mapping_end(const struct lg_code *c, uint64_t addr, uint64_t limit)
{
	for (size_t i = 0; i < c->nmap; i++)
		if (c->map[i]->addr > addr)
			return c->map[i]->addr < limit ? c->map[i]->addr : limit;
	return limit;
}

struct refv {
	struct lg_ref *v;
	size_t n, cap;
};

static int push(struct refv *r, uint64_t at, uint64_t target, enum lg_refkind k)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		struct lg_ref *v = realloc(r->v, nc * sizeof *v);
		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = nc;
	}
	r->v[r->n++] = (struct lg_ref){ at, target, 0, k };
	return 0;
}

/* Where a veneer at addr jumps: "ldr pc, [pc, #n]" with the literal, or
 * "movw ip, #lo; movt ip, #hi; bx ip".  0 when addr is not a veneer. */
static uint64_t veneer_target(struct lg_code *c, uint64_t addr)
{
	const struct fwm_section *s = section_at(c->img, addr, 4);
	if (!s)
		return 0;
	uint64_t avail = s->size - (addr - s->vma);
	const uint8_t *code = c->img->data + s->offset + (addr - s->vma);
	size_t len = avail < 16 ? (size_t)avail : 16;
	cs_insn *insn;
	size_t n = cs_disasm(c->cs, code, len, addr, 3, &insn);
	uint64_t target = 0;
	if (n >= 1 && insn[0].id == ARM_INS_LDR && insn[0].detail->arm.op_count == 2 &&
	    insn[0].detail->arm.operands[0].type == ARM_OP_REG && insn[0].detail->arm.operands[0].reg == ARM_REG_PC &&
	    insn[0].detail->arm.operands[1].type == ARM_OP_MEM &&
	    insn[0].detail->arm.operands[1].mem.base == ARM_REG_PC) {
		int64_t disp = insn[0].detail->arm.operands[1].mem.disp;
		if (insn[0].detail->arm.operands[1].subtracted && disp > 0)
			disp = -disp;
		uint32_t v;
		if (lg_read32(c->img, ((insn[0].address + 4) & ~(uint64_t)3) + (uint64_t)disp, &v) == 0)
			target = v & ~1u;
	} else if (n >= 3 && insn[0].id == ARM_INS_MOVW && insn[1].id == ARM_INS_MOVT &&
		   (insn[2].id == ARM_INS_BX) && insn[0].detail->arm.op_count == 2 && insn[1].detail->arm.op_count == 2) {
		uint32_t lo = (uint32_t)insn[0].detail->arm.operands[1].imm & 0xffff;
		uint32_t hi = (uint32_t)insn[1].detail->arm.operands[1].imm & 0xffff;
		target = (hi << 16 | lo) & ~1u;
	}
	if (n)
		cs_free(insn, n);
	return target;
}

int lg_code_refs(struct lg_code *c, uint64_t addr, uint64_t size, struct lg_ref **refs, size_t *nrefs)
{
	struct refv r = { 0 };
	uint64_t end = addr + size;
	uint32_t movw_val[ARM_REG_ENDING];
	uint64_t movw_at[ARM_REG_ENDING];
	memset(movw_at, 0, sizeof movw_at);
	cs_insn *insn = cs_malloc(c->cs);
	if (!insn)
		return -ENOMEM;
	uint64_t pc = addr;
	while (pc < end) {
		char m = mapping_at(c, pc);
		uint64_t run_end = mapping_end(c, pc, end);
		if (m == 'd') {
			pc = run_end;
			continue;
		}
		cs_option(c->cs, CS_OPT_MODE, (size_t)((m == 'a' ? CS_MODE_ARM : CS_MODE_THUMB | CS_MODE_MCLASS) |
						      (c->img->big_endian ? CS_MODE_BIG_ENDIAN : 0)));
		const struct fwm_section *s = section_at(c->img, pc, 1);
		if (!s)
			break;
		uint64_t sec_end = s->vma + s->size;
		if (run_end > sec_end)
			run_end = sec_end;
		const uint8_t *code = c->img->data + s->offset + (pc - s->vma);
		size_t len = (size_t)(run_end - pc);
		uint64_t a = pc;
		while (len && cs_disasm_iter(c->cs, &code, &len, &a, insn)) {
			const cs_arm *d = &insn->detail->arm;
			uint64_t at = insn->address;
			switch (insn->id) {
			case ARM_INS_BL:
			case ARM_INS_BLX:
				if (d->op_count == 1 && d->operands[0].type == ARM_OP_IMM)
					push(&r, at, (uint64_t)(uint32_t)d->operands[0].imm, LG_REF_CALL);
				break;
			case ARM_INS_B:
			case ARM_INS_CBZ:
			case ARM_INS_CBNZ: {
				const cs_arm_op *o = &d->operands[d->op_count ? d->op_count - 1 : 0];
				if (d->op_count && o->type == ARM_OP_IMM) {
					uint64_t t = (uint64_t)(uint32_t)o->imm;
					if (t < addr || t >= end)
						push(&r, at, t, LG_REF_TAIL);
				}
				break;
			}
			case ARM_INS_LDR:
				if (d->op_count == 2 && d->operands[1].type == ARM_OP_MEM &&
				    d->operands[1].mem.base == ARM_REG_PC && d->operands[1].mem.index == ARM_REG_INVALID) {
					int64_t disp = d->operands[1].mem.disp;
					if (d->operands[1].subtracted && disp > 0)
						disp = -disp;
					uint64_t lit = ((at + 4) & ~(uint64_t)3) + (uint64_t)disp;
					uint32_t v;
					if (lg_read32(c->img, lit, &v) == 0)
						push(&r, at, v, d->operands[0].reg == ARM_REG_PC ? LG_REF_TAIL : LG_REF_LITERAL);
				}
				break;
			case ARM_INS_MOVW:
				if (d->op_count == 2 && d->operands[0].type == ARM_OP_REG && d->operands[1].type == ARM_OP_IMM &&
				    d->operands[0].reg < ARM_REG_ENDING) {
					movw_val[d->operands[0].reg] = (uint32_t)d->operands[1].imm & 0xffff;
					movw_at[d->operands[0].reg] = at + 1;
				}
				break;
			case ARM_INS_MOVT:
				if (d->op_count == 2 && d->operands[0].type == ARM_OP_REG && d->operands[1].type == ARM_OP_IMM &&
				    d->operands[0].reg < ARM_REG_ENDING && movw_at[d->operands[0].reg]) {
					uint32_t v = ((uint32_t)d->operands[1].imm & 0xffff) << 16 | movw_val[d->operands[0].reg];
					push(&r, movw_at[d->operands[0].reg] - 1, v, LG_REF_LITERAL);
					movw_at[d->operands[0].reg] = 0;
				}
				break;
			default:
				break;
			}
		}
		/* the run is done, or undecodable bytes stopped it: step over a halfword */
		pc = len ? a + 2 : run_end;
	}
	cs_free(insn, 1);
	/* follow veneers; clear the Thumb bit of code addresses */
	for (size_t i = 0; i < r.n; i++) {
		struct lg_ref *x = &r.v[i];
		if (x->kind != LG_REF_LITERAL || (x->target & 1)) {
			uint64_t t = x->target & ~(uint64_t)1;
			uint64_t v = veneer_target(c, t);
			if (v && x->kind != LG_REF_LITERAL) {
				x->veneer = t;
				x->target = v;
			} else if (x->kind != LG_REF_LITERAL || lg_code_symbol_at(c, t))
				x->target = t;
		}
	}
	*refs = r.v;
	*nrefs = r.n;
	return 0;
}
