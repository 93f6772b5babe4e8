/* Closure of relocated code: what a function calls or references, read from
 * its machine code with capstone (ARM and Thumb; capstone 4, Debian 12's,
 * has no RISC-V), with the linker's veneers followed to their real targets.
 *
 *   calls      bl/blx to another function
 *   tail       a branch (b, b.w, cbz, cbnz) out of the function
 *   literal    an address loaded from a literal pool (ldr rX, [pc, #n]) or
 *              built with a movw/movt pair
 * A veneer is a stub the linker puts near the caller when the target is out
 * of branch range (GNU ld names it __TARGET_veneer): "ldr pc, [pc]" with the
 * target after it, or movw/movt ip + bx ip.
 */
#ifndef LG_CLOSURE_H
#define LG_CLOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "fwm_elf.h"
#include "fwm_err.h"

enum lg_refkind { LG_REF_CALL, LG_REF_TAIL, LG_REF_LITERAL };

struct lg_ref {
	uint64_t at;           /* address of the instruction */
	uint64_t target;       /* address called or referenced (veneers followed, Thumb bit clear) */
	uint64_t veneer;       /* the veneer's address, or 0 */
	enum lg_refkind kind;
};

/* A disassembler over one image: symbols sorted by address, capstone open. */
struct lg_code;

/* Open for img (its symbols are loaded).  -ENOTSUP when capstone does not
 * know the machine. */
int lg_code_open(struct fwm_image *img, struct lg_code **out, struct fwm_err *err);
void lg_code_close(struct lg_code *c);

/* Every reference made by the code in [addr, addr+size): a new array in
 * *refs (free(3) it), *n entries. */
int lg_code_refs(struct lg_code *c, uint64_t addr, uint64_t size, struct lg_ref **refs, size_t *n);

/* The function or object symbol covering addr (a function is preferred;
 * a symbol of size 0 covers its own address), or NULL. */
const struct fwm_symbol *lg_code_symbol_at(const struct lg_code *c, uint64_t addr);
/* The veneer symbol at addr (a name ending in "_veneer"), or NULL. */
const char *lg_code_veneer_name(const struct lg_code *c, uint64_t addr);

/* Read a 32-bit little- or big-endian word of the image at address addr
 * (from a section with bytes in the file).  0 or -1. */
int lg_read32(const struct fwm_image *img, uint64_t addr, uint32_t *v);

#endif
