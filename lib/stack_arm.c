/* ARM Thumb and Thumb-2 (Cortex-M) for the stack analysis, through capstone
 * (CS_MODE_THUMB | CS_MODE_MCLASS, detail on).
 *
 * What is modelled: push/pop, stmdb sp!/ldmia sp!, vpush/vpop (4 bytes an S
 * register, 8 a D register), loads and stores that write back to sp
 * ("str lr, [sp, #-4]!", "ldr pc, [sp], #4"), add/sub/addw/subw on sp with
 * an immediate or a register, mov to and from sp, and the few operations
 * that build constants (mov, movw/movt, mvn, lsl, lsr, neg, adr and
 * pc-relative literal loads).  Branches: b/b.w/b<cc>, cbz/cbnz, bl, blx,
 * bx (bx lr returns), pop/ldm with pc (returns), ldr pc, [pc] (a veneer),
 * tbb/tbh (a jump table).  Any other instruction that writes sp is one the
 * analysis cannot bound; any other write to pc is an indirect jump.
 */
#include "stack_int.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { R_SP = 13, R_LR = 14, R_PC = 15, R_NONE = 31 /* never written: always unknown */ };

struct arm {
	csh h;
	cs_insn *ci;
	const struct fwm_stk_mem *mem;
};

/* capstone register -> 0..15, or -1 */
static int reg(int r)
{
	if (r >= ARM_REG_R0 && r <= ARM_REG_R12)
		return r - ARM_REG_R0;
	if (r == ARM_REG_SP)
		return R_SP;
	if (r == ARM_REG_LR)
		return R_LR;
	if (r == ARM_REG_PC)
		return R_PC;
	return -1;
}

static void op(struct fwm_stk_insn *in, int kind, int rd, int rs1, int rs2, int64_t imm)
{
	if (in->nops >= FWM_STK_MAXOPS || rd < 0)
		return;
	in->op[in->nops++] = (struct fwm_stk_op){ (uint8_t)kind, (uint8_t)rd, (uint8_t)(rs1 < 0 ? R_NONE : rs1),
						   (uint8_t)(rs2 < 0 ? R_NONE : rs2), imm };
}

static void text(struct fwm_stk_insn *in, const cs_insn *ci)
{
	/* a long operand list is cut: the text is for messages */
	if (snprintf(in->text, sizeof in->text, "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "",
		     ci->op_str) >= (int)sizeof in->text)
		memcpy(in->text + sizeof in->text - 4, "...", 4);
}

/* Registers a list operand names (push, pop, ldm, stm), as a mask. */
static uint32_t reglist(const cs_arm *d, int from)
{
	uint32_t m = 0;
	for (int i = from; i < d->op_count; i++)
		if (d->operands[i].type == ARM_OP_REG && reg(d->operands[i].reg) >= 0)
			m |= 1u << reg(d->operands[i].reg);
	return m;
}

static int popcount(uint32_t m)
{
	return __builtin_popcount(m);
}

/* Whatever the instruction writes becomes unknown; sp and pc writes are
 * flagged. */
static void generic(struct arm *a, const cs_insn *ci, struct fwm_stk_insn *in)
{
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0;
	if (cs_regs_access(a->h, ci, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return;
	for (unsigned i = 0; i < nwr; i++) {
		int r = reg(wr[i]);
		if (r == R_SP) {
			in->bad_sp = 1;
			text(in, ci);
		} else if (r == R_PC) {
			in->flow = FWM_FL_JUMPR;
			in->reg = R_NONE;
			text(in, ci);
		} else if (r >= 0) {
			in->clobber |= 1u << r;
		}
	}
}

/* A load or store with writeback to sp: the change to sp, or 0 with *ok = 0. */
static int64_t writeback_delta(const cs_arm *d, int *ok)
{
	*ok = 0;
	for (int i = 0; i < d->op_count; i++) {
		const cs_arm_op *o = &d->operands[i];
		if (o->type != ARM_OP_MEM)
			continue;
		if (o->mem.base != ARM_REG_SP || o->mem.index != ARM_REG_INVALID)
			return 0;
		*ok = 1;
		if (i + 1 < d->op_count && d->operands[i + 1].type == ARM_OP_IMM)   /* post-index */
			return d->operands[i + 1].subtracted ? -(int64_t)d->operands[i + 1].imm
							     : d->operands[i + 1].imm;
		return o->mem.disp;
	}
	return 0;
}

static int is_load(unsigned id)
{
	switch (id) {
	case ARM_INS_LDR: case ARM_INS_LDRB: case ARM_INS_LDRH: case ARM_INS_LDRSB:
	case ARM_INS_LDRSH: case ARM_INS_LDRD: case ARM_INS_LDREX:
		return 1;
	default:
		return 0;
	}
}

/* add/sub/addw/subw: rd := rn +- (imm | rm) */
static void addsub(struct arm *a, const cs_insn *ci, struct fwm_stk_insn *in, int sub)
{
	const cs_arm *d = &ci->detail->arm;
	const cs_arm_op *o = d->operands;
	int n = d->op_count, rdn = n >= 1 && o[0].type == ARM_OP_REG ? reg(o[0].reg) : -1;
	const cs_arm_op *src = n == 3 ? &o[1] : &o[0], *x = n == 3 ? &o[2] : &o[1];
	if ((n != 2 && n != 3) || rdn < 0 || rdn == R_PC || src->type != ARM_OP_REG || reg(src->reg) < 0 ||
	    (x->type != ARM_OP_IMM && x->type != ARM_OP_REG) || x->shift.type != ARM_SFT_INVALID ||
	    src->shift.type != ARM_SFT_INVALID) {
		generic(a, ci, in);
		return;
	}
	int rn = reg(src->reg);
	if (x->type == ARM_OP_IMM)
		op(in, FWM_OP_ADDI, rdn, rn, -1, sub ? -(int64_t)x->imm : x->imm);
	else if (reg(x->reg) < 0)
		generic(a, ci, in);
	else
		op(in, sub ? FWM_OP_SUB : FWM_OP_ADD, rdn, rn, reg(x->reg), 0);
	if (rdn == R_SP)
		text(in, ci);
}

static unsigned decode(void *ctx, const unsigned char *p, size_t n, uint64_t addr, struct fwm_stk_insn *in)
{
	struct arm *a = ctx;
	const uint8_t *code = p;
	size_t size = n;
	uint64_t at = addr;
	cs_insn *ci = a->ci;
	if (!cs_disasm_iter(a->h, &code, &size, &at, ci))
		return 0;
	const cs_arm *d = &ci->detail->arm;
	const cs_arm_op *o = d->operands;
	int nop = d->op_count;
	int r0 = nop >= 1 && o[0].type == ARM_OP_REG ? reg(o[0].reg) : -1;
	in->cond = d->cc != ARM_CC_AL && d->cc != ARM_CC_INVALID;
	switch (ci->id) {
	case ARM_INS_PUSH:
		op(in, FWM_OP_ADDI, R_SP, R_SP, -1, -4 * (int64_t)popcount(reglist(d, 0)));
		break;
	case ARM_INS_POP: {
		uint32_t m = reglist(d, 0);
		op(in, FWM_OP_ADDI, R_SP, R_SP, -1, 4 * (int64_t)popcount(m));
		in->clobber = m & ~(1u << R_SP | 1u << R_PC);
		if (m & 1u << R_PC) {
			in->flow = FWM_FL_RET;
			text(in, ci);
		}
		break;
	}
	case ARM_INS_VPUSH:
	case ARM_INS_VPOP: {
		int64_t bytes = 0;
		for (int i = 0; i < nop; i++)
			bytes += o[i].type == ARM_OP_REG && o[i].reg >= ARM_REG_D0 && o[i].reg <= ARM_REG_D31 ? 8 : 4;
		op(in, FWM_OP_ADDI, R_SP, R_SP, -1, ci->id == ARM_INS_VPUSH ? -bytes : bytes);
		break;
	}
	case ARM_INS_STMDB:
	case ARM_INS_LDM:
	case ARM_INS_STM:
	case ARM_INS_LDMDB:
		if (r0 == R_SP && d->writeback) {
			uint32_t m = reglist(d, 1);
			int64_t bytes = 4 * (int64_t)popcount(m);
			int down = ci->id == ARM_INS_STMDB || ci->id == ARM_INS_LDMDB;
			op(in, FWM_OP_ADDI, R_SP, R_SP, -1, down ? -bytes : bytes);
			if (ci->id == ARM_INS_LDM || ci->id == ARM_INS_LDMDB) {
				in->clobber = m & ~(1u << R_SP | 1u << R_PC);
				if (m & 1u << R_PC)
					in->flow = FWM_FL_RET;
			}
			text(in, ci);
		} else {
			generic(a, ci, in);
		}
		break;
	case ARM_INS_B:
		if (nop == 1 && o[0].type == ARM_OP_IMM) {
			in->flow = FWM_FL_JUMP;
			in->target = (uint32_t)o[0].imm;
			text(in, ci);
		} else {
			generic(a, ci, in);
		}
		break;
	case ARM_INS_CBZ:
	case ARM_INS_CBNZ:
		in->flow = FWM_FL_JUMP;
		in->cond = 1;
		in->target = nop == 2 && o[1].type == ARM_OP_IMM ? (uint32_t)o[1].imm : addr;
		break;
	case ARM_INS_BL:
	case ARM_INS_BLX:
		text(in, ci);
		if (nop == 1 && o[0].type == ARM_OP_IMM) {
			in->flow = FWM_FL_CALL;
			in->target = (uint32_t)o[0].imm & ~1u;
		} else if (r0 >= 0) {
			in->flow = FWM_FL_CALLR;
			in->reg = (uint8_t)r0;
		} else {
			generic(a, ci, in);
		}
		break;
	case ARM_INS_BX:
		text(in, ci);
		if (r0 == R_LR) {
			in->flow = FWM_FL_RET;
		} else {
			in->flow = FWM_FL_JUMPR;
			in->reg = (uint8_t)(r0 >= 0 ? r0 : R_NONE);
		}
		break;
	case ARM_INS_TBB:
	case ARM_INS_TBH:
		in->flow = FWM_FL_SWITCH;
		break;
	case ARM_INS_UDF:
		in->flow = FWM_FL_STOP;
		break;
	case ARM_INS_ADD:
	case ARM_INS_ADDW:
		addsub(a, ci, in, 0);
		break;
	case ARM_INS_SUB:
	case ARM_INS_SUBW:
		addsub(a, ci, in, 1);
		break;
	case ARM_INS_MOV:
		if (nop == 2 && r0 >= 0 && o[1].shift.type == ARM_SFT_INVALID) {
			if (r0 == R_PC) {
				text(in, ci);
				int rm = o[1].type == ARM_OP_REG ? reg(o[1].reg) : -1;
				in->flow = rm == R_LR ? FWM_FL_RET : FWM_FL_JUMPR;
				in->reg = (uint8_t)(rm >= 0 ? rm : R_NONE);
			} else if (o[1].type == ARM_OP_IMM) {
				op(in, FWM_OP_CONST, r0, -1, -1, (uint32_t)o[1].imm);
			} else if (o[1].type == ARM_OP_REG && reg(o[1].reg) >= 0) {
				op(in, FWM_OP_MOV, r0, reg(o[1].reg), -1, 0);
			} else {
				generic(a, ci, in);
			}
			if (r0 == R_SP)
				text(in, ci);
		} else {
			generic(a, ci, in);
		}
		break;
	case ARM_INS_MOVW:
	case ARM_INS_MOVT:
	case ARM_INS_MVN:
		if (nop == 2 && r0 >= 0 && r0 != R_PC && o[1].type == ARM_OP_IMM) {
			uint32_t v = (uint32_t)o[1].imm;
			if (ci->id == ARM_INS_MOVT)
				op(in, FWM_OP_MOVT, r0, -1, -1, v & 0xffff);
			else
				op(in, FWM_OP_CONST, r0, -1, -1, ci->id == ARM_INS_MVN ? ~v : v);
		} else if (ci->id == ARM_INS_MVN && nop == 2 && r0 >= 0 && r0 != R_PC &&
			   o[1].type == ARM_OP_REG && reg(o[1].reg) >= 0 && o[1].shift.type == ARM_SFT_INVALID) {
			op(in, FWM_OP_NOT, r0, reg(o[1].reg), -1, 0);
		} else {
			generic(a, ci, in);
		}
		if (r0 == R_SP)
			text(in, ci);
		break;
	case ARM_INS_LSL:
	case ARM_INS_LSR:
		if (nop == 3 && r0 >= 0 && r0 != R_PC && o[1].type == ARM_OP_REG && reg(o[1].reg) >= 0 &&
		    o[2].type == ARM_OP_IMM)
			op(in, ci->id == ARM_INS_LSL ? FWM_OP_SHL : FWM_OP_SHR, r0, reg(o[1].reg), -1, o[2].imm);
		else
			generic(a, ci, in);
		if (r0 == R_SP)
			text(in, ci);
		break;
	case ARM_INS_RSB:
		if (nop == 3 && r0 >= 0 && r0 != R_PC && o[1].type == ARM_OP_REG && reg(o[1].reg) >= 0 &&
		    o[2].type == ARM_OP_IMM && o[2].imm == 0)
			op(in, FWM_OP_NEG, r0, reg(o[1].reg), -1, 0);
		else
			generic(a, ci, in);
		if (r0 == R_SP)
			text(in, ci);
		break;
	case ARM_INS_ADR:
		if (nop == 2 && r0 >= 0 && r0 != R_PC && o[1].type == ARM_OP_IMM)
			op(in, FWM_OP_CONST, r0, -1, -1, ((addr + 4) & ~(uint64_t)3) + (uint32_t)o[1].imm);
		else
			generic(a, ci, in);
		break;
	default:
		if (is_load(ci->id) && nop == 2 && r0 >= 0 && o[1].type == ARM_OP_MEM &&
		    o[1].mem.base == ARM_REG_PC && o[1].mem.index == ARM_REG_INVALID && !d->writeback &&
		    ci->id == ARM_INS_LDR) {
			/* a literal: ldr rX, [pc, #d] (a veneer when rX is pc) */
			uint32_t v;
			uint64_t lit = ((addr + 4) & ~(uint64_t)3) + (int64_t)o[1].mem.disp;
			int ok = fwm_stk_read32(a->mem, lit, &v) == 0;
			if (r0 == R_PC) {
				text(in, ci);
				in->flow = ok ? FWM_FL_JUMP : FWM_FL_JUMPR;
				in->target = v & ~1u;
				in->reg = R_NONE;
			} else {
				op(in, ok ? FWM_OP_CONST : FWM_OP_UNK, r0, -1, -1, ok ? v : 0);
				if (r0 == R_SP)
					text(in, ci);
			}
			break;
		}
		if (d->writeback) {
			int ok;
			int64_t delta = writeback_delta(d, &ok);
			if (ok) {
				/* the transfer registers of a load become unknown; pc returns */
				if (is_load(ci->id))
					for (int i = 0; i < nop; i++)
						if (o[i].type == ARM_OP_REG && reg(o[i].reg) >= 0) {
							int r = reg(o[i].reg);
							if (r == R_PC)
								in->flow = FWM_FL_RET;
							else if (r != R_SP)
								in->clobber |= 1u << r;
						}
				op(in, FWM_OP_ADDI, R_SP, R_SP, -1, delta);
				text(in, ci);
				break;
			}
		}
		generic(a, ci, in);
		if (in->flow == FWM_FL_JUMPR && r0 == R_PC && ci->id == ARM_INS_LDR && nop >= 2 &&
		    o[1].type == ARM_OP_MEM && o[1].mem.base == ARM_REG_SP)
			in->flow = FWM_FL_RET;       /* ldr pc, [sp, #N]: a return */
		break;
	}
	return ci->size;
}

static void arm_close(void *ctx)
{
	struct arm *a = ctx;
	if (!a)
		return;
	if (a->ci)
		cs_free(a->ci, 1);
	cs_close(&a->h);
	free(a);
}

int fwm_stk_arm_open(const struct fwm_stk_mem *mem, struct fwm_stk_arch *out, struct fwm_err *err)
{
	struct arm *a = calloc(1, sizeof *a);
	if (!a)
		return fwm_errf(err, -ENOMEM, "out of memory");
	a->mem = mem;
	cs_err e = cs_open(CS_ARCH_ARM, (cs_mode)(CS_MODE_THUMB | CS_MODE_MCLASS), &a->h);
	if (e != CS_ERR_OK) {
		free(a);
		return fwm_errf(err, -ENOTSUP, "capstone cannot disassemble Thumb: %s",
				cs_strerror(e));
	}
	cs_option(a->h, CS_OPT_DETAIL, CS_OPT_ON);
	if (!(a->ci = cs_malloc(a->h))) {
		arm_close(a);
		return fwm_errf(err, -ENOMEM, "out of memory");
	}
	*out = (struct fwm_stk_arch){
		.name = "ARM Thumb", .sp = R_SP, .lr = R_LR,
		/* r0-r3, r12, lr */
		.caller_saved = 0xfu | 1u << 12 | 1u << R_LR,
		.step = 2, .decode = decode, .ctx = a, .close = arm_close,
	};
	return 0;
}

/* ---- .ARM.attributes ---------------------------------------------------- */

static int uleb(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (unsigned sh = 0; *p < end; sh += 7) {
		unsigned char b = *(*p)++;
		if (sh < 64)
			*v |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

static int ntbs(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *z = memchr(*p, 0, (size_t)(end - *p));
	if (!z)
		return -1;
	*p = z + 1;
	return 0;
}

static uint32_t u32(const unsigned char *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The attributes of one Tag_File sub-subsection: Tag_FP_arch, or 0. */
static int file_attrs(const unsigned char *p, const unsigned char *end)
{
	int fp = 0;
	while (p < end) {
		uint64_t tag, v;
		if (uleb(&p, end, &tag) < 0)
			return -1;
		if (tag == 4 || tag == 5 || tag == 67 || (tag > 32 && (tag & 1))) {
			if (ntbs(&p, end) < 0)
				return -1;
		} else if (tag == 32) {            /* Tag_compatibility: a flag, then a name */
			if (uleb(&p, end, &v) < 0 || ntbs(&p, end) < 0)
				return -1;
		} else {
			if (uleb(&p, end, &v) < 0)
				return -1;
			if (tag == 10)             /* Tag_FP_arch */
				fp = v > 1000 ? 1000 : (int)v;
		}
	}
	return fp;
}

int fwm_stk_arm_fp_arch(const unsigned char *p, size_t n, int be)
{
	const unsigned char *end = p + n;
	int fp = 0;
	if (n == 0)
		return 0;
	if (*p++ != 'A')
		return -1;
	while (end - p >= 4) {
		uint32_t len = u32(p, be);
		if (len < 4 || len > (size_t)(end - p))
			return -1;
		const unsigned char *sec = p + 4, *send = p + len;
		const unsigned char *vend = memchr(sec, 0, (size_t)(send - sec));
		if (!vend)
			return -1;
		int aeabi = (size_t)(vend - sec) == 5 && memcmp(sec, "aeabi", 5) == 0;
		const unsigned char *q = vend + 1;
		while (aeabi && send - q >= 5) {
			unsigned tag = *q;
			uint32_t sl = u32(q + 1, be);
			if (sl < 5 || sl > (size_t)(send - q))
				return -1;
			if (tag == 1) {            /* Tag_File */
				int f = file_attrs(q + 5, q + sl);
				if (f < 0)
					return -1;
				if (f > fp)
					fp = f;
			}
			q += sl;
		}
		p = send;
	}
	return p == end ? fp : -1;
}
