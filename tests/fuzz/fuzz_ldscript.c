/* libFuzzer harness: the GNU ld MEMORY-block parser. */
#include <stdint.h>

#include "fwm_regions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwm_region_set set = { 0 };
	struct fwm_err err;
	if (fwm_ld_parse_buf("fuzz.ld", (const char *)data, size, &set, &err) == 0)
		fwm_region_set_free(&set);
	return 0;
}
