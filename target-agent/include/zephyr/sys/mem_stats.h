/* <zephyr/sys/mem_stats.h> for the fwmem target agent: the statistics
 * record every Zephyr allocator fills in. */
#ifndef ZEPHYR_INCLUDE_SYS_MEM_STATS_H_
#define ZEPHYR_INCLUDE_SYS_MEM_STATS_H_

#include <stddef.h>

struct sys_memory_stats {
	size_t free_bytes;          /* capacity - allocated_bytes; rises and falls */
	size_t allocated_bytes;     /* in use now, allocator overhead included */
	size_t max_allocated_bytes; /* peak of allocated_bytes; falls only on a reset */
};

#endif /* ZEPHYR_INCLUDE_SYS_MEM_STATS_H_ */
