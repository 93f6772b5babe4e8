/* The image model: sections, segments, symbols and build-id of an ELF.
 *
 * The file is mapped private and writable (copy-on-write: libelf may convert
 * byte order in place) and handed to libelf with elf_memory().  Before libelf
 * sees it, the ELF header and the extents of the section and program header
 * tables are checked against the file size; afterwards every section with
 * file contents is checked the same way, so nothing later reads past the end.
 */
#include "fwm_elf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_range(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Check the raw header and header tables before libelf reads them. */
static int check_headers(const char *path, const unsigned char *d, size_t size,
			 struct fwm_err *err)
{
	if (size < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG) != 0)
		return fwm_errf(err, -EINVAL, "%s: not an ELF file", path);
	int cls = d[EI_CLASS], enc = d[EI_DATA];
	if (cls != ELFCLASS32 && cls != ELFCLASS64)
		return fwm_errf(err, -EINVAL, "%s: unknown ELF class %d (offset 0x4)", path, cls);
	if (enc != ELFDATA2LSB && enc != ELFDATA2MSB)
		return fwm_errf(err, -EINVAL, "%s: unknown ELF byte order %d (offset 0x5)", path, enc);
	size_t ehsize = cls == ELFCLASS32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	if (size < ehsize)
		return fwm_errf(err, -EINVAL, "%s: truncated ELF header (%zu of %zu bytes)",
				path, size, ehsize);
	return 0;
}

/* An unsigned field of n bytes at off, in the file's byte order. */
static uint64_t rd(const unsigned char *d, size_t off, size_t n, int be)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)d[off + i] << (8 * (be ? n - 1 - i : i));
	return v;
}

#define FIELD(T, f) offsetof(T, f), sizeof(((T *)0)->f)

/* Check the header tables from the raw header, before libelf reads them:
 * libelf quietly reports no sections when the table lies past the end. */
static int check_tables(const char *path, const unsigned char *d, size_t size, struct fwm_err *err)
{
	int is32 = d[EI_CLASS] == ELFCLASS32, be = d[EI_DATA] == ELFDATA2MSB;
	uint64_t shoff, phoff, shnum, phnum, shentsz, phentsz, shent, phent;
	if (is32) {
		shoff = rd(d, FIELD(Elf32_Ehdr, e_shoff), be);
		phoff = rd(d, FIELD(Elf32_Ehdr, e_phoff), be);
		shnum = rd(d, FIELD(Elf32_Ehdr, e_shnum), be);
		phnum = rd(d, FIELD(Elf32_Ehdr, e_phnum), be);
		shentsz = rd(d, FIELD(Elf32_Ehdr, e_shentsize), be);
		phentsz = rd(d, FIELD(Elf32_Ehdr, e_phentsize), be);
		shent = sizeof(Elf32_Shdr);
		phent = sizeof(Elf32_Phdr);
	} else {
		shoff = rd(d, FIELD(Elf64_Ehdr, e_shoff), be);
		phoff = rd(d, FIELD(Elf64_Ehdr, e_phoff), be);
		shnum = rd(d, FIELD(Elf64_Ehdr, e_shnum), be);
		phnum = rd(d, FIELD(Elf64_Ehdr, e_phnum), be);
		shentsz = rd(d, FIELD(Elf64_Ehdr, e_shentsize), be);
		phentsz = rd(d, FIELD(Elf64_Ehdr, e_phentsize), be);
		shent = sizeof(Elf64_Shdr);
		phent = sizeof(Elf64_Phdr);
	}
	if (shoff) {
		if (shentsz != shent)
			return fwm_errf(err, -EINVAL, "%s: bad section header entry size %llu (offset 0x%x)",
					path, (unsigned long long)shentsz, is32 ? 0x2e : 0x3a);
		if (!check_range(shoff, shent, size))
			return fwm_errf(err, -EINVAL,
					"%s: section header table (offset 0x%llx) lies past the end of the file (%zu bytes)",
					path, (unsigned long long)shoff, size);
		/* extended numbering: the real counts live in section header 0 */
		if (shnum == 0)
			shnum = is32 ? rd(d, shoff + FIELD(Elf32_Shdr, sh_size), be)
				     : rd(d, shoff + FIELD(Elf64_Shdr, sh_size), be);
		if (phnum == PN_XNUM) {
			phnum = is32 ? rd(d, shoff + FIELD(Elf32_Shdr, sh_info), be)
				     : rd(d, shoff + FIELD(Elf64_Shdr, sh_info), be);
			if (phnum < PN_XNUM)
				return fwm_errf(err, -EINVAL,
						"%s: e_phnum is 0xffff (extended) but section header 0 gives %llu program headers",
						path, (unsigned long long)phnum);
		}
		if (shnum > size / shent || !check_range(shoff, shnum * shent, size))
			return fwm_errf(err, -EINVAL,
					"%s: section header table (offset 0x%llx, %llu entries) extends past the end of the file (%zu bytes)",
					path, (unsigned long long)shoff, (unsigned long long)shnum, size);
	} else if (shnum) {
		return fwm_errf(err, -EINVAL, "%s: %llu section headers but no section header table offset",
				path, (unsigned long long)shnum);
	}
	if (phnum) {
		if (phentsz != phent)
			return fwm_errf(err, -EINVAL, "%s: bad program header entry size %llu (offset 0x%x)",
					path, (unsigned long long)phentsz, is32 ? 0x2a : 0x36);
		if (phnum > size / phent || !check_range(phoff, phnum * phent, size))
			return fwm_errf(err, -EINVAL,
					"%s: program header table (offset 0x%llx, %llu entries) extends past the end of the file (%zu bytes)",
					path, (unsigned long long)phoff, (unsigned long long)phnum, size);
	}
	return 0;
}

struct extent { uint64_t off, size; size_t index; };

static int cmp_extent(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Sections with contents must not overlap each other or the ELF header,
 * and every link must name a section that exists. */
static int check_sections(struct fwm_image *img, Elf *e, struct fwm_err *err)
{
	size_t ehsize = img->elfclass == 32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr), n = 0;
	struct extent *v = malloc((img->nsec + 1) * sizeof *v);
	if (!v)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
	int rc = 0;
	for (size_t i = 1; i < img->nsec; i++) {
		const struct fwm_section *s = &img->sec[i];
		GElf_Shdr sh;
		gelf_getshdr(elf_getscn(e, i), &sh);
		if (sh.sh_link >= img->nsec) {
			rc = fwm_errf(err, -EINVAL, "%s: section %zu (%s) links to section %u, past the last (%zu)",
				      img->path, i, s->name, (unsigned)sh.sh_link, img->nsec - 1);
			goto out;
		}
		if ((s->type == SHT_SYMTAB || s->type == SHT_DYNSYM) &&
		    (sh.sh_link == i || img->sec[sh.sh_link].type != SHT_STRTAB)) {
			rc = fwm_errf(err, -EINVAL, "%s: symbol table (section %zu) links to section %u, which is not a string table",
				      img->path, i, (unsigned)sh.sh_link);
			goto out;
		}
		if (s->type != SHT_NOBITS && s->type != SHT_NULL && s->size)
			v[n++] = (struct extent){ s->offset, s->size, i };
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_extent);
	for (size_t i = 0; i < n; i++) {
		if (v[i].off < ehsize) {
			rc = fwm_errf(err, -EINVAL, "%s: section %zu (%s) at offset 0x%llx overlaps the ELF header",
				      img->path, v[i].index, img->sec[v[i].index].name,
				      (unsigned long long)v[i].off);
			goto out;
		}
		if (i && v[i].off < v[i - 1].off + v[i - 1].size) {
			rc = fwm_errf(err, -EINVAL, "%s: sections %zu (%s) and %zu (%s) overlap in the file at offset 0x%llx",
				      img->path, v[i - 1].index, img->sec[v[i - 1].index].name, v[i].index,
				      img->sec[v[i].index].name, (unsigned long long)v[i].off);
			goto out;
		}
	}
out:
	free(v);
	return rc;
}

int fwm_section_is_alloc(const struct fwm_section *s)
{
	return (s->flags & SHF_ALLOC) && s->size > 0 && s->type != SHT_NULL;
}

int fwm_section_is_loaded(const struct fwm_section *s)
{
	return fwm_section_is_alloc(s) && s->type != SHT_NOBITS;
}

const struct fwm_section *fwm_image_section(const struct fwm_image *img, unsigned index)
{
	return index < img->nsec ? &img->sec[index] : NULL;
}

/* The load address of an allocated section: from the PT_LOAD whose memory
 * image holds it (as binutils' ELF_SECTION_IN_SEGMENT decides). */
static uint64_t section_lma(const struct fwm_image *img, const struct fwm_section *s)
{
	if (!(s->flags & SHF_ALLOC))
		return s->vma;
	for (size_t i = 0; i < img->nseg; i++) {
		const struct fwm_segment *g = &img->seg[i];
		if (g->type != PT_LOAD)
			continue;
		if (s->vma < g->vaddr || s->vma - g->vaddr > g->memsz ||
		    s->size > g->memsz - (s->vma - g->vaddr))
			continue;
		if (s->type != SHT_NOBITS && s->size &&
		    (s->offset < g->offset || s->offset - g->offset > g->filesz ||
		     s->size > g->filesz - (s->offset - g->offset)))
			continue;
		if (s->size == 0 && g->memsz && s->vma - g->vaddr == g->memsz)
			continue;   /* an empty section at the end belongs to the next */
		return g->paddr + (s->vma - g->vaddr);
	}
	return s->vma;
}

static void read_build_id(struct fwm_image *img, Elf *e)
{
	for (size_t i = 0; i < img->nsec; i++) {
		if (img->sec[i].type != SHT_NOTE)
			continue;
		Elf_Scn *scn = elf_getscn(e, i);
		Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
		if (!d)
			continue;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((char *)d->d_buf + noff, "GNU", 4) == 0 &&
			    nh.n_descsz > 0 && nh.n_descsz <= sizeof img->build_id) {
				memcpy(img->build_id, (char *)d->d_buf + doff, nh.n_descsz);
				img->build_id_len = nh.n_descsz;
				return;
			}
		}
	}
}

static int load_sections(struct fwm_image *img, Elf *e, size_t shnum, size_t shstrndx,
			 struct fwm_err *err)
{
	if (shnum == 0)
		return 0;
	img->sec = calloc(shnum, sizeof *img->sec);
	if (!img->sec)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
	img->nsec = shnum;
	if (shstrndx >= shnum && shstrndx != SHN_UNDEF)
		return fwm_errf(err, -EINVAL, "%s: section name table index %zu out of range (%zu sections)",
				img->path, shstrndx, shnum);
	for (size_t i = 0; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return fwm_errf(err, -EINVAL, "%s: unreadable section header %zu: %s",
					img->path, i, elf_errmsg(-1));
		struct fwm_section *s = &img->sec[i];
		s->index = (unsigned)i;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->vma = sh.sh_addr;
		s->size = sh.sh_size;
		s->align = sh.sh_addralign;
		s->offset = sh.sh_offset;
		s->name = "";
		if (i && sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
		    !check_range(sh.sh_offset, sh.sh_size, img->size))
			return fwm_errf(err, -EINVAL,
					"%s: section %zu extends past the end of the file (offset 0x%llx, size 0x%llx, file %zu bytes)",
					img->path, i, (unsigned long long)sh.sh_offset,
					(unsigned long long)sh.sh_size, img->size);
		if (i && (sh.sh_flags & SHF_ALLOC) && sh.sh_size &&
		    sh.sh_addr + sh.sh_size - 1 < sh.sh_addr)
			return fwm_errf(err, -EINVAL, "%s: section %zu wraps around the address space",
					img->path, i);
	}
	if (shstrndx != SHN_UNDEF) {
		if (img->sec[shstrndx].type != SHT_STRTAB)
			return fwm_errf(err, -EINVAL, "%s: section name table (section %zu) is not a string table",
					img->path, shstrndx);
		for (size_t i = 1; i < shnum; i++) {
			GElf_Shdr sh;
			gelf_getshdr(elf_getscn(e, i), &sh);
			const char *n = elf_strptr(e, shstrndx, sh.sh_name);
			if (!n)
				return fwm_errf(err, -EINVAL,
						"%s: section %zu name offset 0x%x is outside the section name table or unterminated",
						img->path, i, (unsigned)sh.sh_name);
			img->sec[i].name = n;
		}
	}
	return 0;
}

static int load_segments(struct fwm_image *img, Elf *e, size_t phnum, struct fwm_err *err)
{
	if (phnum == 0)
		return 0;
	img->seg = calloc(phnum, sizeof *img->seg);
	if (!img->seg)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
	img->nseg = phnum;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			return fwm_errf(err, -EINVAL, "%s: unreadable program header %zu: %s",
					img->path, i, elf_errmsg(-1));
		struct fwm_segment *g = &img->seg[i];
		g->type = ph.p_type;
		g->flags = ph.p_flags;
		g->offset = ph.p_offset;
		g->vaddr = ph.p_vaddr;
		g->paddr = ph.p_paddr;
		g->filesz = ph.p_filesz;
		g->memsz = ph.p_memsz;
		g->align = ph.p_align;
		if (ph.p_type == PT_LOAD && !check_range(ph.p_offset, ph.p_filesz, img->size))
			return fwm_errf(err, -EINVAL,
					"%s: segment %zu extends past the end of the file (offset 0x%llx, size 0x%llx)",
					img->path, i, (unsigned long long)ph.p_offset,
					(unsigned long long)ph.p_filesz);
	}
	return 0;
}

int fwm_image_open(const char *path, struct fwm_image **out, struct fwm_err *err)
{
	*out = NULL;
	struct fwm_image *img = calloc(1, sizeof *img);
	if (!img || !(img->path = strdup(path))) {
		free(img);
		return fwm_errf(err, -ENOMEM, "%s: out of memory", path);
	}
	img->fd = -1;
	int rc;
	struct stat st;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0 || fstat(img->fd, &st) != 0) {
		rc = fwm_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = fwm_errf(err, -EINVAL, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_size == 0) {
		rc = fwm_errf(err, -EINVAL, "%s: empty file", path);
		goto fail;
	}
	img->size = (size_t)st.st_size;
	void *m = mmap(NULL, img->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, img->fd, 0);
	if (m == MAP_FAILED) {
		rc = fwm_errf(err, -errno, "%s: cannot map: %s", path, strerror(errno));
		goto fail;
	}
	img->data = m;
	if ((rc = check_headers(path, img->data, img->size, err)) < 0)
		goto fail;
	size_t shnum, phnum, shstrndx;
	if ((rc = check_tables(path, img->data, img->size, err)) < 0)
		goto fail;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)img->data, img->size);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		rc = fwm_errf(err, -EINVAL, "%s: not a valid ELF file: %s", path, elf_errmsg(-1));
		if (e)
			elf_end(e);
		goto fail;
	}
	img->elf = e;
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh) || elf_getshdrnum(e, &shnum) != 0 ||
	    elf_getphdrnum(e, &phnum) != 0 || elf_getshdrstrndx(e, &shstrndx) != 0) {
		rc = fwm_errf(err, -EINVAL, "%s: corrupt ELF header: %s", path, elf_errmsg(-1));
		goto fail;
	}
	img->elfclass = eh.e_ident[EI_CLASS] == ELFCLASS32 ? 32 : 64;
	img->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	img->machine = eh.e_machine;
	img->entry = eh.e_entry;
	if ((rc = load_sections(img, e, shnum, shstrndx, err)) < 0 ||
	    (rc = check_sections(img, e, err)) < 0 ||
	    (rc = load_segments(img, e, phnum, err)) < 0)
		goto fail;
	for (size_t i = 0; i < img->nsec; i++)
		img->sec[i].lma = section_lma(img, &img->sec[i]);
	read_build_id(img, e);
	*out = img;
	return 0;
fail:
	fwm_image_close(img);
	return rc;
}

void fwm_image_close(struct fwm_image *img)
{
	if (!img)
		return;
	if (img->elf)
		elf_end(img->elf);
	if (img->data)
		munmap((void *)img->data, img->size);
	if (img->fd >= 0)
		close(img->fd);
	free(img->sec);
	free(img->seg);
	free(img->sym);
	free(img->path);
	free(img);
}

int fwm_image_load_symbols(struct fwm_image *img, struct fwm_err *err)
{
	if (img->sym)
		return 0;
	Elf *e = img->elf;
	size_t symidx = 0;
	for (size_t i = 1; i < img->nsec; i++)
		if (img->sec[i].type == SHT_SYMTAB)
			symidx = i;
	if (!symidx)
		for (size_t i = 1; i < img->nsec; i++)
			if (img->sec[i].type == SHT_DYNSYM)
				symidx = i;
	if (!symidx)
		return 0;
	Elf_Scn *scn = elf_getscn(e, symidx);
	GElf_Shdr sh;
	if (!gelf_getshdr(scn, &sh))
		return fwm_errf(err, -EINVAL, "%s: unreadable symbol table header", img->path);
	size_t entsize = img->elfclass == 32 ? sizeof(Elf32_Sym) : sizeof(Elf64_Sym);
	if (sh.sh_entsize != entsize)
		return fwm_errf(err, -EINVAL, "%s: symbol table (section %zu) has entry size %llu, expected %zu",
				img->path, symidx, (unsigned long long)sh.sh_entsize, entsize);
	/* its link to a string table was checked when the image was opened */
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d)
		return fwm_errf(err, -EINVAL, "%s: unreadable symbol table: %s", img->path, elf_errmsg(-1));
	size_t n = d->d_size / entsize;
	/* Extended section indices, when the file has them. */
	Elf_Data *xd = NULL;
	for (size_t i = 1; i < img->nsec; i++)
		if (img->sec[i].type == SHT_SYMTAB_SHNDX) {
			GElf_Shdr xs;
			gelf_getshdr(elf_getscn(e, i), &xs);
			if (xs.sh_link == symidx)
				xd = elf_getdata(elf_getscn(e, i), NULL);
		}
	img->sym = calloc(n ? n : 1, sizeof *img->sym);
	if (!img->sym)
		return fwm_errf(err, -ENOMEM, "%s: out of memory", img->path);
	size_t k = 0;
	const char *file = NULL;
	int arm = img->machine == EM_ARM;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		Elf32_Word xndx = 0;
		if (!gelf_getsymshndx(d, xd, (int)i, &s, &xndx))
			continue;
		int type = GELF_ST_TYPE(s.st_info), bind = GELF_ST_BIND(s.st_info);
		const char *name = elf_strptr(e, sh.sh_link, s.st_name);
		if (!name) {
			fwm_errf(err, -EINVAL, "%s: symbol %zu name offset 0x%x is outside its string table or unterminated",
				 img->path, i, (unsigned)s.st_name);
			free(img->sym);
			img->sym = NULL;
			return -EINVAL;
		}
		unsigned shndx = s.st_shndx == SHN_XINDEX ? xndx : s.st_shndx;
		if ((s.st_shndx < SHN_LORESERVE || s.st_shndx == SHN_XINDEX) && shndx >= img->nsec) {
			fwm_errf(err, -EINVAL, "%s: symbol %zu (%s) is in section %u, past the last (%zu)",
				 img->path, i, name, shndx, img->nsec - 1);
			free(img->sym);
			img->sym = NULL;
			return -EINVAL;
		}
		if (type == STT_FILE) {
			file = *name ? name : NULL;
			img->ngroups++;
			continue;
		}
		if (bind != STB_LOCAL)
			file = NULL;   /* globals follow all locals; STT_FILE no longer applies */
		if (type == STT_SECTION || (!*name && type == STT_NOTYPE))
			continue;
		if (s.st_shndx == SHN_UNDEF)
			continue;

		struct fwm_symbol *y = &img->sym[k++];
		y->name = name;
		y->file = bind == STB_LOCAL ? file : NULL;
		y->group = bind == STB_LOCAL && file ? img->ngroups : 0;
		y->addr = s.st_value;
		y->size = s.st_size;
		y->kind = type == STT_FUNC ? FWM_SYM_FUNC : type == STT_OBJECT || type == STT_TLS ||
			  type == STT_COMMON ? FWM_SYM_OBJECT : FWM_SYM_OTHER;
		y->bind = bind == STB_LOCAL ? FWM_BIND_LOCAL : bind == STB_WEAK ? FWM_BIND_WEAK : FWM_BIND_GLOBAL;
		y->section = s.st_shndx >= SHN_LORESERVE && s.st_shndx != SHN_XINDEX ? -1 : (int)shndx;
		if (arm && type == STT_FUNC)
			y->addr &= ~(uint64_t)1;
	}
	img->nsym = k;
	return 0;
}

const char *fwm_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_ARM: return "ARM";
	case EM_AARCH64: return "AArch64";
	case EM_RISCV: return "RISC-V";
	case EM_X86_64: return "x86-64";
	case EM_386: return "x86";
	case EM_XTENSA: return "Xtensa";
	case EM_MIPS: return "MIPS";
	case EM_PPC: return "PowerPC";
	case EM_MSP430: return "MSP430";
	case EM_AVR: return "AVR";
	default: return "unknown";
	}
}
