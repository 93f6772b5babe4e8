/* libFuzzer harness: an ELF through the image model, the DWARF walk, every
 * elfmap report and the stack analysis (output to /dev/null).  The input is written to a memfd so
 * that the library reads it through its normal open/mmap path. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fwm_diff.h"
#include "fwm_elfmap.h"
#include "fwm_stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char path[64];
	int fd = memfd_create("fuzz.elf", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (!null)
		null = fopen("/dev/null", "w");
	struct fwm_elfmap_opts eo = { .elf = path };
	struct fwm_elfmap *m;
	struct fwm_err err;
	if (fwm_elfmap_open(&eo, &m, &err) == 0) {
		for (int fmt = FWM_FMT_TEXT; fmt <= FWM_FMT_MD; fmt++) {
			struct fwm_out o = { null, (enum fwm_format)fmt, 0, NULL };
			struct fwm_symfilter flt = { .kind = -1, .all = 1 };
			struct fwm_treeopts t = { 0 };
			fwm_elfmap_regions(m, &o, &err);
			fwm_elfmap_sections(m, &o, &err);
			fwm_elfmap_symbols(m, &flt, &o, &err);
			fwm_elfmap_tree(m, &t, &o, &err);
		}
		static const char *const all[] = { "*" };
		struct fwm_stackopts so = { .entry = all, .nentry = 1, .worst = 3 };
		struct fwm_out o = { null, FWM_FMT_TEXT, 0, NULL };
		fwm_elfmap_stack(m, &so, &o, &err);
		json_t *doc;
		if (fwm_snapshot_build(m, &doc, &err) == 0)
			json_decref(doc);
		fwm_elfmap_close(m);
	}
	close(fd);
	return 0;
}
