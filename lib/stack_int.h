/* Private to the stack analysis (stack*.c): the instruction model the
 * decoders fill, and the per-function analysis over it.
 *
 * A decoder turns the bytes of one instruction into a struct fwm_stk_insn:
 * how it changes registers (a few register operations over constants and
 * stack-relative values), how control leaves it, and its text.  The
 * per-function analysis (stack_flow.c) knows nothing of any architecture: it
 * runs those operations over the function's control flow and finds the
 * deepest stack pointer, the depth at every call, and what it cannot bound.
 */
#ifndef FWM_STACK_INT_H
#define FWM_STACK_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fwm_elf.h"

#define FWM_STK_NREG 32        /* registers a decoder may name: 0..31 */
#define FWM_STK_MAXDEPTH (16u << 20)   /* a frame above 16 MiB is not believed */

/* A register operation: rd := f(rs1, rs2, imm).  Values are 32-bit. */
enum fwm_stk_opk {
	FWM_OP_CONST,   /* rd := imm */
	FWM_OP_MOV,     /* rd := rs1 */
	FWM_OP_ADDI,    /* rd := rs1 + imm */
	FWM_OP_ADD,     /* rd := rs1 + rs2 */
	FWM_OP_SUB,     /* rd := rs1 - rs2 */
	FWM_OP_SHL,     /* rd := rs1 << imm */
	FWM_OP_SHR,     /* rd := rs1 >> imm (logical) */
	FWM_OP_NEG,     /* rd := -rs1 */
	FWM_OP_NOT,     /* rd := ~rs1 */
	FWM_OP_MOVT,    /* rd := (rd & 0xffff) | imm << 16 */
	FWM_OP_UNK,     /* rd := unknown */
};

struct fwm_stk_op {
	uint8_t kind, rd, rs1, rs2;
	int64_t imm;
};

/* How control leaves an instruction. */
enum fwm_stk_flow {
	FWM_FL_NEXT,    /* to the next instruction */
	FWM_FL_JUMP,    /* to target (in the function, or a tail call) */
	FWM_FL_CALL,    /* call target, then the next instruction */
	FWM_FL_JUMPR,   /* to the address in register reg (a constant: a jump; else indirect) */
	FWM_FL_CALLR,   /* call the address in register reg */
	FWM_FL_RET,     /* return to the caller */
	FWM_FL_SWITCH,  /* a jump table: the targets follow in the code */
	FWM_FL_STOP,    /* no successor (a trap that does not return) */
};

#define FWM_STK_MAXOPS 4
struct fwm_stk_insn {
	uint64_t addr;
	uint8_t len;
	uint8_t flow;          /* enum fwm_stk_flow */
	uint8_t cond;          /* conditional: also falls through */
	uint8_t reg;           /* JUMPR, CALLR: the target is reg + roff */
	uint8_t nops;
	uint8_t bad_sp;        /* writes the stack pointer in a way the ops do not describe */
	uint64_t target;       /* JUMP, CALL */
	int32_t roff;
	uint32_t clobber;      /* registers set to unknown (after the ops) */
	struct fwm_stk_op op[FWM_STK_MAXOPS];
	char text[48];         /* "sub.w sp, sp, r3"; may be empty for ordinary instructions */
};

/* What reads the image for a decoder: 32-bit words of loaded sections. */
struct fwm_stk_mem {
	const struct fwm_image *img;
};
/* The little- or big-endian word at addr of a loaded section: 0, or -1. */
int fwm_stk_read32(const struct fwm_stk_mem *mem, uint64_t addr, uint32_t *v);

struct fwm_stk_arch {
	const char *name;      /* "ARM Thumb", "RISC-V RV32" */
	unsigned sp, lr;       /* register numbers */
	uint32_t caller_saved; /* registers a call leaves unknown */
	unsigned step;         /* bytes to skip over an undecodable instruction */
	uint8_t const_pairs;   /* a constant put in sp may take one more "addi sp, sp, lo" (RISC-V la) */
	/* Decode the instruction at p (n bytes available) at addr into *in.
	 * Returns its length, or 0 when the bytes are not an instruction. */
	unsigned (*decode)(void *ctx, const unsigned char *p, size_t n, uint64_t addr,
			   struct fwm_stk_insn *in);
	void *ctx;
	void (*close)(void *ctx);
};

/* A decoder for img's machine: ARM (Thumb, through capstone) or RISC-V
 * (RV32IMAC, built in).  -ENOTSUP with "elfmap stack: MACHINE is not
 * supported (ARM Thumb and RISC-V)" for any other machine. */
int fwm_stk_arch_open(const struct fwm_image *img, const struct fwm_stk_mem *mem,
		      struct fwm_stk_arch *a, struct fwm_err *err);
void fwm_stk_arch_close(struct fwm_stk_arch *a);
int fwm_stk_arm_open(const struct fwm_stk_mem *mem, struct fwm_stk_arch *a, struct fwm_err *err);
int fwm_stk_rv_open(const struct fwm_stk_mem *mem, struct fwm_stk_arch *a, struct fwm_err *err);

/* ---- one function ------------------------------------------------------- */

enum fwm_stk_sitek {
	FWM_SITE_CALL,      /* a direct call */
	FWM_SITE_TAIL,      /* a branch out of the function: a tail call */
	FWM_SITE_ICALL,     /* a call through a register */
	FWM_SITE_IJUMP,     /* a jump through a register */
};

struct fwm_stk_site {
	uint64_t addr;         /* of the instruction */
	uint64_t target;       /* CALL, TAIL */
	uint32_t depth;        /* stack depth at the instruction, bytes */
	uint8_t kind;          /* enum fwm_stk_sitek */
	char text[48];
};

enum fwm_stk_problem {
	FWM_PB_NONE,
	FWM_PB_SP,          /* an sp write it cannot bound */
	FWM_PB_LOOP,        /* sp keeps moving around a loop */
	FWM_PB_HUGE,        /* a frame above FWM_STK_MAXDEPTH */
};

struct fwm_stk_frame {
	uint32_t frame;        /* deepest stack use of the function itself, bytes */
	uint8_t problem;       /* enum fwm_stk_problem: the first one */
	uint64_t problem_addr;
	char problem_text[48];
	struct fwm_stk_site *site;   /* owned, in address order */
	size_t nsite;
	size_t ninsn, nbad;    /* instructions decoded; bytes that did not decode */
};

/* A byte range of a function that holds data, not code (ARM $d). */
struct fwm_stk_range {
	uint64_t lo, hi;
};

/* Scratch space reused across functions; zero it before the first use. */
struct fwm_stk_work {
	struct fwm_stk_insn *insn;
	size_t cap;
	void *state;           /* register states, one row per instruction */
	size_t state_cap;
	uint16_t *visits;      /* times the state at an instruction changed */
	uint16_t *deeper;      /* times it changed to a deeper stack pointer */
	uint8_t *queued;
	size_t *work;
};
void fwm_stk_work_free(struct fwm_stk_work *w);

/* Analyse the code bytes [bytes, bytes + len) at addr, leaving out the data
 * ranges (sorted, may be NULL).  On success *fr is filled (free its sites
 * with fwm_stk_frame_free); -ENOMEM otherwise. */
int fwm_stk_analyse(const struct fwm_stk_arch *a, struct fwm_stk_work *w, const unsigned char *bytes,
		    uint64_t addr, size_t len, const struct fwm_stk_range *data, size_t ndata,
		    struct fwm_stk_frame *fr);
void fwm_stk_frame_free(struct fwm_stk_frame *fr);

/* ---- GCC's files and the user's annotations ---------------------------- */

/* One function's stack use as GCC reports it (.su, or a .ci node). */
struct fwm_stk_su {
	char *name;            /* owned; as GCC prints it ("f", "f.constprop") */
	char *file;            /* owned; the source file ("app/main.c"), or NULL */
	char *where;           /* owned; "FILE:LINE" of the .su/.ci line, for messages */
	uint64_t bytes;
	uint8_t dynamic;       /* 0 static, 1 dynamic, 2 dynamic,bounded */
};

struct fwm_stk_edge {
	char *caller, *callee; /* owned; callee NULL for an indirect call */
	char *caller_file;     /* owned, or NULL */
	char *where;           /* owned; "FILE:LINE" of the .ci line */
};

struct fwm_stk_gcc {
	struct fwm_stk_su *su;
	size_t nsu, capsu;
	struct fwm_stk_edge *edge;
	size_t nedge, capedge;
	size_t nfiles;         /* .su and .ci files read */
};
/* Read a .su file, a .ci file, or every *.su (or *.ci) file under a
 * directory.  Errors name the file and line. */
int fwm_stk_gcc_read_su(struct fwm_stk_gcc *g, const char *path, struct fwm_err *err);
int fwm_stk_gcc_read_ci(struct fwm_stk_gcc *g, const char *path, struct fwm_err *err);
void fwm_stk_gcc_free(struct fwm_stk_gcc *g);

enum fwm_stk_annk { FWM_ANN_INDIRECT, FWM_ANN_FRAME, FWM_ANN_ENTRY };
struct fwm_stk_ann {
	uint8_t kind;
	unsigned line;
	char *func;            /* owned */
	char **targets;        /* owned; INDIRECT */
	size_t ntargets;
	uint64_t bytes;        /* FRAME */
};
struct fwm_stk_anns {
	const char *path;      /* borrowed */
	struct fwm_stk_ann *v;
	size_t n, cap;
};
/* Parse an annotations file ("FILE:LINE: what" on a syntax error). */
int fwm_stk_anns_read(struct fwm_stk_anns *a, const char *path, struct fwm_err *err);
/* The same from a string (for tests); path names it in messages. */
int fwm_stk_anns_parse(struct fwm_stk_anns *a, const char *path, const char *text, struct fwm_err *err);
void fwm_stk_anns_free(struct fwm_stk_anns *a);

/* ---- the ARM attributes ------------------------------------------------- */

/* Tag_FP_arch of the aeabi attributes in .ARM.attributes: its value, 0 when
 * absent, -1 when the section is malformed. */
int fwm_stk_arm_fp_arch(const unsigned char *p, size_t n, int big_endian);

#endif
