/* The image model: what a firmware ELF holds, read through libelf.
 *
 * fwm_image_open() maps the file read-only and validates every table it
 * touches (section headers, program headers, string tables, symbol tables)
 * against the file size before anything reads it, so a truncated or hostile
 * file yields an error, never an out-of-bounds read.  ELF32 and ELF64 of
 * either byte order are accepted.  Names point into the mapped file and live
 * as long as the image.
 */
#ifndef FWM_ELF_H
#define FWM_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "fwm_err.h"

struct fwm_section {
	const char *name;      /* borrowed; never NULL ("" when unnamed) */
	unsigned index;        /* ELF section index */
	uint32_t type;         /* SHT_* */
	uint64_t flags;        /* SHF_* */
	uint64_t vma;          /* sh_addr */
	uint64_t lma;          /* load address from the PT_LOAD that holds it; = vma otherwise */
	uint64_t size;
	uint64_t align;
	uint64_t offset;
};

struct fwm_segment {
	uint32_t type, flags;  /* PT_*, PF_* */
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

enum fwm_symkind { FWM_SYM_FUNC, FWM_SYM_OBJECT, FWM_SYM_OTHER };
enum fwm_symbind { FWM_BIND_LOCAL, FWM_BIND_GLOBAL, FWM_BIND_WEAK };

struct fwm_symbol {
	const char *name;      /* borrowed */
	const char *file;      /* source file from the nearest STT_FILE before it (locals), or NULL */
	unsigned group;        /* locals: 1 + the ordinal of that STT_FILE symbol; else 0 */
	uint64_t addr;         /* st_value; the Thumb bit of ARM functions is cleared */
	uint64_t size;
	int section;           /* index into image->sec, or -1 (absolute, common, undefined) */
	uint8_t kind;          /* enum fwm_symkind */
	uint8_t bind;          /* enum fwm_symbind */
};

struct fwm_image {
	char *path;            /* owned copy of the path given */
	const unsigned char *data;
	size_t size;           /* file size */
	void *elf;             /* Elf * (libelf) */
	int fd;
	int elfclass;          /* 32 or 64 */
	int big_endian;
	unsigned machine;      /* EM_* */
	uint64_t entry;
	struct fwm_section *sec;   /* owned; every section of the file, in index order */
	size_t nsec;
	struct fwm_segment *seg;   /* owned */
	size_t nseg;
	struct fwm_symbol *sym;    /* owned; filled by fwm_image_load_symbols() */
	size_t nsym;
	unsigned ngroups;          /* STT_FILE symbols seen */
	unsigned char build_id[64];
	size_t build_id_len;       /* 0 when the file has no NT_GNU_BUILD_ID */
};

/* Open and validate an ELF.  On success *out is a new image: release it with
 * fwm_image_close().  Errors: -ENOENT/-EACCES (unreadable), -EINVAL (not an
 * ELF, truncated, corrupt), with "PATH: what, where" in err. */
int fwm_image_open(const char *path, struct fwm_image **out, struct fwm_err *err);
void fwm_image_close(struct fwm_image *img);

/* Read .symtab (or .dynsym when there is no .symtab).  Idempotent.
 * Section, STT_FILE and null symbols are left out. */
int fwm_image_load_symbols(struct fwm_image *img, struct fwm_err *err);

/* The section at index i of the file, or NULL. */
const struct fwm_section *fwm_image_section(const struct fwm_image *img, unsigned index);

/* True when the section occupies target memory (SHF_ALLOC, size > 0). */
int fwm_section_is_alloc(const struct fwm_section *s);
/* True when the section has bytes in the file that are loaded (not NOBITS). */
int fwm_section_is_loaded(const struct fwm_section *s);

const char *fwm_machine_name(unsigned machine);

#endif
