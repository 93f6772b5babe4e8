/* libFuzzer harness: elfmap budget files (and snapshot loading), checked
 * against a snapshot of a small fixed ELF-free document. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fwm_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char snapshot[] =
	"{\"fwmem_snapshot\": 1, \"file\": \"x.elf\","
	" \"regions\": {\"regions\": [{\"name\": \"FLASH\", \"used\": 1000, \"length\": 4096},"
	"   {\"name\": \"RAM\", \"used\": 300, \"length\": 1024}]},"
	" \"sections\": {\"sections\": [{\"name\": \".text\", \"flags\": \"AX\", \"size\": 900}]},"
	" \"symbols\": {\"symbols\": [{\"name\": \"main\", \"size\": 40, \"bind\": \"global\"},"
	"   {\"name\": \"counter\", \"size\": 4, \"bind\": \"local\", \"file\": \"/src/a.c\"}]},"
	" \"tree\": {\"regions\": [{\"name\": \"FLASH\", \"used\": 1000, \"tree\": {\"name\": \"FLASH\","
	"   \"kind\": \"region\", \"size\": 1000, \"children\": [{\"name\": \"/src\", \"kind\": \"dir\","
	"   \"size\": 900, \"children\": [{\"name\": \"a.c\", \"kind\": \"file\", \"size\": 900}]},"
	"   {\"name\": \"[fill]\", \"kind\": \"bucket\", \"size\": 100}]}}]}}";

static int memfile(const void *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char spath[64], bpath[64];
	struct fwm_snapshot img;
	struct fwm_err err;
	if (!null)
		null = fopen("/dev/null", "w");
	int sfd = memfile(snapshot, sizeof snapshot - 1, spath, sizeof spath);
	int bfd = memfile(data, size, bpath, sizeof bpath);
	if (sfd >= 0 && bfd >= 0 && fwm_snapshot_load(spath, NULL, &img, &err) == 0) {
		for (int fmt = FWM_CHECK_TEXT; fmt <= FWM_CHECK_GITHUB; fmt++)
			fwm_check(&img, &img, bpath, (enum fwm_checkfmt)fmt, null, &err);
		/* the input as a snapshot, too */
		struct fwm_snapshot other;
		if (fwm_snapshot_load(bpath, NULL, &other, &err) == 0) {
			struct fwm_diffopts d = { 1, 0 };
			struct fwm_out o = { null, FWM_FMT_TEXT, 0, NULL };
			fwm_diff_write(&img, &other, &d, &o, &err);
			fwm_snapshot_free(&other);
		}
		fwm_snapshot_free(&img);
	}
	if (sfd >= 0)
		close(sfd);
	if (bfd >= 0)
		close(bfd);
	return 0;
}
