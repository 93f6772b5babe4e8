/* elfmap stack: static worst-case stack depth of every entry point.
 *
 * Entry points are main, the functions named by --entry (names or
 * fnmatch(3) patterns, for thread entries), the annotations file's "entry"
 * lines, and on ARM every handler of the Cortex-M vector table (the reset
 * handler without, every other with the exception frame the core pushes:
 * 32 bytes, or 104 with the FP context when the ELF's .ARM.attributes has a
 * Tag_FP_arch, i.e. the code may use the FPU).
 *
 * Each function's frame is its deepest stack pointer, from the disassembly
 * of its FUNC symbol's bytes (ARM Thumb through capstone; RISC-V RV32IMAC);
 * calls come from the same disassembly (direct calls, tail-call branches,
 * linker veneers, calls through a register loaded with a constant).  An
 * entry's worst case is the deepest path from it: at each call, the depth
 * of the caller at the call instruction plus the callee's worst case.
 * What cannot be bounded (an indirect call or jump, recursion, a stack
 * adjustment by an unknown amount, a function without code) makes the
 * entry UNBOUNDED, with the reasons; its figure is then what the bounded
 * part uses.
 *
 * GCC's -fstack-usage files override the disassembled frame of each
 * function they name (a disagreement is reported); -fcallgraph-info=su
 * files add their call edges and indirect calls.  The annotations file
 * (one directive a line, '#' starts a comment):
 *     indirect CALLER TARGET[,TARGET...]   the targets of CALLER's indirect calls
 *     frame FUNCTION BYTES                 FUNCTION's frame, whatever the code says
 *     entry FUNCTION                       one more entry point
 * A name applies to every function of that name (and to aliases).
 */
#ifndef FWM_STACK_H
#define FWM_STACK_H

#include "fwm_elfmap.h"

struct fwm_stackopts {
	const char *const *entry;      /* --entry NAME|GLOB, nentry of them */
	size_t nentry;
	const char *const *su;         /* .su files or directories holding them */
	size_t nsu;
	const char *const *ci;         /* .ci files or directories holding them */
	size_t nci;
	const char *annotations;       /* or NULL */
	int worst;                     /* worst paths printed in text and md (0: none) */
};

/* Analyse m's ELF and write the report.  Errors (-ENOTSUP for a machine
 * other than ARM or RISC-V; -EINVAL for a bad .su, .ci or annotations file,
 * "FILE:LINE: ..."; -ENOENT for an --entry name without a function) leave a
 * one-line message in err.  Time: linear in the code size, plus the call
 * graph (functions + calls) once per entry point. */
int fwm_elfmap_stack(struct fwm_elfmap *m, const struct fwm_stackopts *so, const struct fwm_out *o,
		     struct fwm_err *err);

#endif
