/* Fixture firmware for the map-file tests: a little of everything a real
 * map shows (newlib archive members, COMMON, .data with a load address,
 * discarded sections, a section name long enough to wrap). */

#include "util.h"

int counter_common;                     /* COMMON with -fcommon */
static int zeroed[64];                  /* .bss.zeroed */
int initialised[4] = { 1, 2, 3, 4 };    /* .data.initialised */
const char banner[] = "fwmem map fixture";

void this_function_has_a_rather_long_name_so_the_map_wraps(void);

void this_function_has_a_rather_long_name_so_the_map_wraps(void)
{
	counter_common++;
}

/* Never referenced: --gc-sections drops it ("Discarded input sections"). */
int unused_helper(int x);
int unused_helper(int x)
{
	return x * 7 + 3;
}

int main(void)
{
	char buf[32];

	memcpy(buf, banner, sizeof banner);
	zeroed[3] = util_sum(initialised, 4);
	this_function_has_a_rather_long_name_so_the_map_wraps();
	printf("%s %d %d\n", buf, zeroed[3], counter_common);
	return 0;
}
