/* RISC-V RV32IMAC for the stack analysis.
 *
 * The capstone of Debian 12 (4.0.2) has no RISC-V, so this is a decoder of
 * its own, for what the stack analysis needs: every instruction's length
 * and destination register, the register operations that build constants
 * and move sp (addi, c.addi, c.addi16sp, c.addi4spn, lui, c.lui, c.li,
 * auipc, add, sub, mv, slli, srli), and the control transfers: jal and
 * c.jal with a link register are calls, jal x0 and c.j are jumps (a tail
 * call when they leave the function), jalr/c.jr/c.jalr go through a
 * register (ret is jalr x0, 0(ra); auipc+jalr pairs are resolved through
 * the constant), branches are conditional jumps.  Any other write to sp is
 * one the analysis cannot bound.
 */
#include "stack_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum { X_RA = 1, X_SP = 2, X_T0 = 5 };

static const char *const abi[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static int32_t sext(uint32_t v, unsigned bits)
{
	uint32_t m = 1u << (bits - 1);
	v &= (bits == 32 ? 0xffffffffu : (1u << bits) - 1);
	return (int32_t)((v ^ m) - m);
}

static uint32_t bit(uint32_t w, unsigned i)
{
	return (w >> i) & 1;
}

static void op(struct fwm_stk_insn *in, int kind, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm)
{
	if (rd == 0 || in->nops >= FWM_STK_MAXOPS)
		return;     /* x0 stays zero */
	in->op[in->nops++] = (struct fwm_stk_op){ (uint8_t)kind, (uint8_t)rd, (uint8_t)rs1, (uint8_t)rs2, imm };
}

/* rd := unknown */
static void unk(struct fwm_stk_insn *in, unsigned rd)
{
	if (rd != 0)
		in->clobber |= 1u << rd;
}

/* 32-bit instructions */
static void decode32(uint32_t w, uint64_t addr, struct fwm_stk_insn *in)
{
	unsigned opc = w & 0x7f, rd = (w >> 7) & 31, f3 = (w >> 12) & 7, rs1 = (w >> 15) & 31;
	unsigned rs2 = (w >> 20) & 31, f7 = w >> 25;
	int32_t iimm = (int32_t)w >> 20;
	switch (opc) {
	case 0x37: /* lui */
		op(in, FWM_OP_CONST, rd, 0, 0, w & 0xfffff000u);
		snprintf(in->text, sizeof in->text, "lui %s, 0x%x", abi[rd], w >> 12);
		break;
	case 0x17: /* auipc */
		op(in, FWM_OP_CONST, rd, 0, 0, (uint32_t)addr + (w & 0xfffff000u));
		snprintf(in->text, sizeof in->text, "auipc %s, 0x%x", abi[rd], w >> 12);
		break;
	case 0x6f: { /* jal */
		int32_t off = sext(bit(w, 31) << 20 | ((w >> 21) & 0x3ff) << 1 | bit(w, 20) << 11 |
				   ((w >> 12) & 0xff) << 12, 21);
		in->target = (uint32_t)(addr + (int64_t)off);
		in->flow = rd == 0 ? FWM_FL_JUMP : FWM_FL_CALL;
		unk(in, rd);
		snprintf(in->text, sizeof in->text, rd == 0 ? "j 0x%llx" : "jal 0x%llx",
			 (unsigned long long)in->target);
		break;
	}
	case 0x67: /* jalr */
		if (f3 != 0) {
			unk(in, rd);
			break;
		}
		if (rd == 0 && (rs1 == X_RA || rs1 == X_T0) && iimm == 0) {
			in->flow = FWM_FL_RET;
			snprintf(in->text, sizeof in->text, "ret");
			break;
		}
		in->flow = rd == 0 ? FWM_FL_JUMPR : FWM_FL_CALLR;
		in->reg = (uint8_t)rs1;
		in->roff = iimm;
		unk(in, rd);
		snprintf(in->text, sizeof in->text, "jalr %s, %d(%s)", abi[rd], iimm, abi[rs1]);
		break;
	case 0x63: { /* branches */
		int32_t off = sext(bit(w, 31) << 12 | ((w >> 25) & 0x3f) << 5 | ((w >> 8) & 0xf) << 1 |
				   bit(w, 7) << 11, 13);
		in->flow = FWM_FL_JUMP;
		in->cond = 1;
		in->target = (uint32_t)(addr + (int64_t)off);
		break;
	}
	case 0x13: /* op-imm */
		if (f3 == 0) {
			op(in, FWM_OP_ADDI, rd, rs1, 0, iimm);
			snprintf(in->text, sizeof in->text, "addi %s, %s, %d", abi[rd], abi[rs1], iimm);
		} else if (f3 == 1 && f7 == 0) {
			op(in, FWM_OP_SHL, rd, rs1, 0, rs2);
		} else if (f3 == 5 && f7 == 0) {
			op(in, FWM_OP_SHR, rd, rs1, 0, rs2);
		} else {
			unk(in, rd);
			snprintf(in->text, sizeof in->text, ".insn 0x%08x", w);
		}
		break;
	case 0x33: /* op */
		if (f7 == 0 && f3 == 0)
			op(in, FWM_OP_ADD, rd, rs1, rs2, 0);
		else if (f7 == 0x20 && f3 == 0)
			op(in, FWM_OP_SUB, rd, rs1, rs2, 0);
		else
			unk(in, rd);
		snprintf(in->text, sizeof in->text, "%s %s, %s, %s",
			 f7 == 0 && f3 == 0 ? "add" : f7 == 0x20 && f3 == 0 ? "sub" : ".op", abi[rd], abi[rs1], abi[rs2]);
		break;
	case 0x03: /* loads */
	case 0x2f: /* atomics */
		unk(in, rd);
		snprintf(in->text, sizeof in->text, "%s %s, %d(%s)", opc == 3 ? "load" : "amo", abi[rd],
			 opc == 3 ? iimm : 0, abi[rs1]);
		break;
	case 0x73: /* system */
		if (f3 != 0) {
			unk(in, rd);
			snprintf(in->text, sizeof in->text, "csr %s, 0x%x", abi[rd], (unsigned)(w >> 20));
		} else if (w == 0x30200073 || w == 0x10200073) {  /* mret, sret */
			in->flow = FWM_FL_RET;
		}
		break;
	case 0x53: /* fp: the moves, conversions and compares to an integer register */
		if (f7 == 0x70 || f7 == 0x60 || f7 == 0x50 || f7 == 0x71 || f7 == 0x61 || f7 == 0x51)
			unk(in, rd);
		break;
	default: /* stores, fences, fp loads and stores, fma: no integer destination */
		break;
	}
}

static unsigned creg(uint32_t w, unsigned at)
{
	return 8 + ((w >> at) & 7);
}

/* the offset of c.j and c.jal */
static int32_t cj(uint32_t w)
{
	return sext(bit(w, 12) << 11 | bit(w, 11) << 4 | ((w >> 9) & 3) << 8 | bit(w, 8) << 10 |
		    bit(w, 7) << 6 | bit(w, 6) << 7 | ((w >> 3) & 7) << 1 | bit(w, 2) << 5, 12);
}

/* 16-bit instructions; 0 when reserved */
static int decode16(uint32_t w, uint64_t addr, struct fwm_stk_insn *in)
{
	unsigned q = w & 3, f3 = (w >> 13) & 7, rd = (w >> 7) & 31, rs2 = (w >> 2) & 31;
	int32_t imm6 = sext(bit(w, 12) << 5 | ((w >> 2) & 31), 6);
	if (w == 0)
		return 0;
	switch (q << 3 | f3) {
	case 0 << 3 | 0: { /* c.addi4spn */
		uint32_t u = ((w >> 7) & 0xf) << 6 | ((w >> 11) & 3) << 4 | bit(w, 5) << 3 | bit(w, 6) << 2;
		if (u == 0)
			return 0;
		op(in, FWM_OP_ADDI, creg(w, 2), X_SP, 0, u);
		break;
	}
	case 0 << 3 | 2: /* c.lw */
		unk(in, creg(w, 2));
		break;
	case 0 << 3 | 4:
		return 0;
	case 1 << 3 | 0: /* c.addi */
		op(in, FWM_OP_ADDI, rd, rd, 0, imm6);
		snprintf(in->text, sizeof in->text, "c.addi %s, %d", abi[rd], imm6);
		break;
	case 1 << 3 | 1: /* c.jal (RV32) */
		in->flow = FWM_FL_CALL;
		in->target = (uint32_t)(addr + (int64_t)cj(w));
		unk(in, X_RA);
		snprintf(in->text, sizeof in->text, "c.jal 0x%llx", (unsigned long long)in->target);
		break;
	case 1 << 3 | 2: /* c.li */
		op(in, FWM_OP_CONST, rd, 0, 0, (uint32_t)imm6);
		break;
	case 1 << 3 | 3:
		if (rd == X_SP) { /* c.addi16sp */
			int32_t v = sext(bit(w, 12) << 9 | bit(w, 6) << 4 | bit(w, 5) << 6 | ((w >> 3) & 3) << 7 |
					 bit(w, 2) << 5, 10);
			if (v == 0)
				return 0;
			op(in, FWM_OP_ADDI, X_SP, X_SP, 0, v);
			snprintf(in->text, sizeof in->text, "c.addi16sp sp, %d", v);
		} else { /* c.lui */
			op(in, FWM_OP_CONST, rd, 0, 0, (uint32_t)imm6 << 12);
		}
		break;
	case 1 << 3 | 4: /* c.srli ... c.and: on rd' */
		unk(in, creg(w, 7));
		break;
	case 1 << 3 | 5: /* c.j */
		in->flow = FWM_FL_JUMP;
		in->target = (uint32_t)(addr + (int64_t)cj(w));
		snprintf(in->text, sizeof in->text, "c.j 0x%llx", (unsigned long long)in->target);
		break;
	case 1 << 3 | 6: /* c.beqz */
	case 1 << 3 | 7: /* c.bnez */
		in->flow = FWM_FL_JUMP;
		in->cond = 1;
		in->target = (uint32_t)(addr + (int64_t)sext(bit(w, 12) << 8 | ((w >> 10) & 3) << 3 |
							  ((w >> 5) & 3) << 6 | ((w >> 3) & 3) << 1 |
							  bit(w, 2) << 5, 9));
		break;
	case 2 << 3 | 0: /* c.slli */
		op(in, FWM_OP_SHL, rd, rd, 0, (bit(w, 12) << 5) | rs2);
		break;
	case 2 << 3 | 2: /* c.lwsp */
		unk(in, rd);
		snprintf(in->text, sizeof in->text, "c.lwsp %s", abi[rd]);
		break;
	case 2 << 3 | 4:
		if (!bit(w, 12)) {
			if (rs2 == 0) { /* c.jr */
				if (rd == 0)
					return 0;
				in->flow = rd == X_RA || rd == X_T0 ? FWM_FL_RET : FWM_FL_JUMPR;
				in->reg = (uint8_t)rd;
				snprintf(in->text, sizeof in->text, "c.jr %s", abi[rd]);
			} else { /* c.mv */
				op(in, FWM_OP_MOV, rd, rs2, 0, 0);
				snprintf(in->text, sizeof in->text, "c.mv %s, %s", abi[rd], abi[rs2]);
			}
		} else if (rd == 0 && rs2 == 0) { /* c.ebreak */
			break;
		} else if (rs2 == 0) { /* c.jalr */
			in->flow = FWM_FL_CALLR;
			in->reg = (uint8_t)rd;
			unk(in, X_RA);
			snprintf(in->text, sizeof in->text, "c.jalr %s", abi[rd]);
		} else { /* c.add */
			op(in, FWM_OP_ADD, rd, rd, rs2, 0);
			snprintf(in->text, sizeof in->text, "c.add %s, %s", abi[rd], abi[rs2]);
		}
		break;
	default: /* c.fld, c.flw, c.sw, c.fsd, c.fsw, c.fldsp, c.flwsp, c.swsp, ... */
		break;
	}
	return 1;
}

static unsigned decode(void *ctx, const unsigned char *p, size_t n, uint64_t addr, struct fwm_stk_insn *in)
{
	(void)ctx;
	if (n < 2)
		return 0;
	uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8;
	unsigned len = 2;
	if ((w & 3) == 3) {
		if ((w & 0x1f) == 0x1f || n < 4)
			return 0;       /* 48-bit and longer encodings are not RV32IMAC */
		w |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		len = 4;
		decode32(w, addr, in);
	} else if (!decode16(w, addr, in)) {
		return 0;
	}
	/* a write to sp that the ops do not describe */
	if (in->clobber & 1u << X_SP) {
		in->clobber &= ~(1u << X_SP);
		in->bad_sp = 1;
	}
	if (in->bad_sp && !in->text[0])
		snprintf(in->text, sizeof in->text, ".insn 0x%0*x", len == 4 ? 8 : 4, w);
	return len;
}

int fwm_stk_rv_open(const struct fwm_stk_mem *mem, struct fwm_stk_arch *a, struct fwm_err *err)
{
	(void)mem;
	(void)err;
	*a = (struct fwm_stk_arch){
		.name = "RISC-V RV32", .sp = X_SP, .lr = X_RA,
		/* ra, t0-t2, a0-a7, t3-t6 */
		.caller_saved = 1u << 1 | 7u << 5 | 0xffu << 10 | 0xfu << 28,
		.step = 2, .const_pairs = 1, .decode = decode, .ctx = NULL, .close = NULL,
	};
	return 0;
}
