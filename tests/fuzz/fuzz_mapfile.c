/* libFuzzer harness: the GNU ld map-file parser. */
#include <stdint.h>

#include "fwm_regions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwm_map *map;
	struct fwm_err err;
	if (fwm_map_load_buf("fuzz.map", (const char *)data, size, &map, &err) == 0)
		fwm_map_close(map);
	return 0;
}
