/* LD_PRELOAD library for allocation-failure injection (as SQLite's harness
 * does): with FWM_FAIL_AT=N the Nth call to malloc, calloc or realloc made
 * by the program itself (fwmem's code is linked statically into it) returns
 * NULL, once.  Calls made inside shared libraries (libelf, libdw, jansson,
 * libc) are counted apart and never failed: libdw, for one, does not survive
 * its own allocations failing, and that is not ours to test.  With
 * FWM_FAIL_COUNT=FILE the number of the program's calls is written to FILE
 * at exit, so a test knows how many runs cover them all. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static unsigned long calls, fail_at;
static uintptr_t prog_lo[8], prog_hi[8];
static int nprog;
static int inited;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);

/* dlsym may allocate (calloc) before real_calloc is known: serve that from
 * a static buffer. */
static char early[4096];
static size_t early_used;

/* The program's own executable segments (the first object listed). */
static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	for (int i = 0; i < info->dlpi_phnum && nprog < 8; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X)) {
			prog_lo[nprog] = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
			prog_hi[nprog] = prog_lo[nprog] + info->dlpi_phdr[i].p_memsz;
			nprog++;
		}
	return 1;   /* the first entry only */
}

static void init(void)
{
	if (inited)
		return;
	inited = 1;
	dl_iterate_phdr(phdr_cb, NULL);
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	const char *s = getenv("FWM_FAIL_AT");
	fail_at = s ? strtoul(s, NULL, 10) : 0;
}

static int from_program(const void *ret)
{
	for (int i = 0; i < nprog; i++)
		if ((uintptr_t)ret >= prog_lo[i] && (uintptr_t)ret < prog_hi[i])
			return 1;
	return 0;
}

#define fail_now() (from_program(__builtin_return_address(0)) && ++calls == fail_at)

void *malloc(size_t n)
{
	init();
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (!real_calloc) {
		if (inited && !real_calloc) {   /* inside dlsym */
			size_t n = a * b;
			void *p = early + early_used;
			early_used += (n + 15) & ~(size_t)15;
			return early_used <= sizeof early ? memset(p, 0, n) : NULL;
		}
		init();
	}
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	init();
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_realloc(p, n);
}

void free(void *p)
{
	static void (*real_free)(void *);
	if ((char *)p >= early && (char *)p < early + sizeof early)
		return;
	if (!real_free)
		real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_free(p);
}

__attribute__((destructor)) static void report(void)
{
	const char *f = getenv("FWM_FAIL_COUNT");
	if (f) {
		FILE *o = fopen(f, "w");
		if (o) {
			fprintf(o, "%lu\n", calls);
			fclose(o);
		}
	}
}
