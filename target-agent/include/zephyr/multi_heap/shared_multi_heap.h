/* <zephyr/multi_heap/shared_multi_heap.h> for the fwmem target agent: one
 * system-wide pool of memory regions, each with an attribute (cacheable,
 * non-cacheable, or a board's own), from which drivers allocate by
 * attribute. Each region becomes a sys_heap; an allocation tries the
 * regions with the attribute in the order they were added. Locked through
 * the port; never waits.
 *
 * Time: alloc O(regions with the attribute) tries of sys_heap's O(1);
 * free O(regions).
 */
#ifndef ZEPHYR_INCLUDE_MULTI_HEAP_MANAGER_SMH_H_
#define ZEPHYR_INCLUDE_MULTI_HEAP_MANAGER_SMH_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum shared_multi_heap_attr {
	SMH_REG_ATTR_CACHEABLE,
	SMH_REG_ATTR_NON_CACHEABLE,
	SMH_REG_ATTR_NUM,             /* the first custom attribute */
};

/* Attributes SMH_REG_ATTR_NUM .. MAX_SHARED_MULTI_HEAP_ATTR - 1 are the
 * board's own (CONFIG_SHARED_MULTI_HEAP_CUSTOM_ATTRS of them, default 6). */
#ifndef CONFIG_SHARED_MULTI_HEAP_CUSTOM_ATTRS
#define CONFIG_SHARED_MULTI_HEAP_CUSTOM_ATTRS 6
#endif
#define MAX_SHARED_MULTI_HEAP_ATTR (SMH_REG_ATTR_NUM + CONFIG_SHARED_MULTI_HEAP_CUSTOM_ATTRS)

struct shared_multi_heap_region {
	uint32_t attr;
	uintptr_t addr;
	size_t size;
};

/* 0, or -EALREADY the second time. Must come first. */
int shared_multi_heap_pool_init(void);
/* Adds the region (its memory then belongs to the pool). 0; -EINVAL for an
 * attribute out of range or no pool; -ENOMEM when MAX_MULTI_HEAPS regions
 * are already in. */
int shared_multi_heap_add(struct shared_multi_heap_region *region, void *user_data);
/* A block from a region with attribute attr, or NULL (also when no region
 * has it). Not zeroed. */
void *shared_multi_heap_alloc(enum shared_multi_heap_attr attr, size_t bytes);
void *shared_multi_heap_aligned_alloc(enum shared_multi_heap_attr attr, size_t align, size_t bytes);
/* NULL does nothing; a block from no region is refused and reported. */
void shared_multi_heap_free(void *block);

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_MULTI_HEAP_MANAGER_SMH_H_ */
