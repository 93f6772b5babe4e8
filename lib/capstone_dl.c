/* capstone, loaded when a command first disassembles.
 *
 * Linked as a shared library, capstone costs every fwmem command about
 * 80,000 relocations at start-up (all architectures' tables), more than
 * elfmap needs for a whole report on a small firmware; linked statically,
 * its own allocations cannot fail safely.  So the few capstone functions
 * fwmem uses are defined here with capstone's prototypes and forward to the
 * library opened with dlopen() on first use.  When it cannot be loaded,
 * cs_open() fails with CS_ERR_HANDLE and cs_strerror() says why.
 */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static struct {
	int tried;
	void *lib;
	char why[256];
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*close)(csh *);
	cs_err (*option)(csh, cs_opt_type, size_t);
	const char *(*strerror)(cs_err);
	size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
	void (*free)(cs_insn *, size_t);
	cs_insn *(*malloc)(csh);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
	cs_err (*regs_access)(csh, const cs_insn *, cs_regs, uint8_t *, cs_regs, uint8_t *);
} cs;

#define LOAD(field, name) \
	(*(void **)&cs.field = dlsym(cs.lib, name)) != NULL

static int load(void)
{
	if (cs.tried)
		return cs.lib != NULL;
	cs.tried = 1;
	cs.lib = dlopen("libcapstone.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!cs.lib)
		cs.lib = dlopen("libcapstone.so", RTLD_NOW | RTLD_LOCAL);
	if (!cs.lib) {
		snprintf(cs.why, sizeof cs.why, "capstone is not installed (%s)", dlerror());
		return 0;
	}
	if (!(LOAD(open, "cs_open") && LOAD(close, "cs_close") && LOAD(option, "cs_option") &&
	      LOAD(strerror, "cs_strerror") && LOAD(disasm, "cs_disasm") && LOAD(free, "cs_free") &&
	      LOAD(malloc, "cs_malloc") && LOAD(disasm_iter, "cs_disasm_iter") &&
	      LOAD(regs_access, "cs_regs_access"))) {
		snprintf(cs.why, sizeof cs.why, "this capstone lacks a function fwmem needs (%s)", dlerror());
		dlclose(cs.lib);
		cs.lib = NULL;
		return 0;
	}
	return 1;
}

cs_err cs_open(cs_arch arch, cs_mode mode, csh *handle)
{
	return load() ? cs.open(arch, mode, handle) : CS_ERR_HANDLE;
}

/* The rest is only reached with a handle from a successful cs_open. */
cs_err cs_close(csh *handle)
{
	return cs.close(handle);
}

cs_err cs_option(csh handle, cs_opt_type type, size_t value)
{
	return cs.option(handle, type, value);
}

const char *cs_strerror(cs_err code)
{
	if (!load())
		return cs.why;
	return cs.strerror(code);
}

size_t cs_disasm(csh handle, const uint8_t *code, size_t code_size, uint64_t address, size_t count,
		 cs_insn **insn)
{
	return cs.disasm(handle, code, code_size, address, count, insn);
}

void cs_free(cs_insn *insn, size_t count)
{
	cs.free(insn, count);
}

cs_insn *cs_malloc(csh handle)
{
	return cs.malloc(handle);
}

bool cs_disasm_iter(csh handle, const uint8_t **code, size_t *size, uint64_t *address, cs_insn *insn)
{
	return cs.disasm_iter(handle, code, size, address, insn);
}

cs_err cs_regs_access(csh handle, const cs_insn *insn, cs_regs regs_read, uint8_t *regs_read_count,
		      cs_regs regs_write, uint8_t *regs_write_count)
{
	return cs.regs_access(handle, insn, regs_read, regs_read_count, regs_write, regs_write_count);
}
