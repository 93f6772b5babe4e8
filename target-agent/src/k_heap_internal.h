/* fwmem target agent: k_heap operations without the instrumentation hooks,
 * for the allocators built on k_heap (k_malloc), which report under their
 * own name. Same contracts as the k_heap_* functions in <zephyr/kernel.h>. */
#ifndef FWMEM_K_HEAP_INTERNAL_H
#define FWMEM_K_HEAP_INTERNAL_H

#include <zephyr/kernel.h>

void *fwm_k_heap_alloc(struct k_heap *h, size_t align, size_t bytes, k_timeout_t timeout);
void *fwm_k_heap_realloc(struct k_heap *h, void *ptr, size_t bytes, k_timeout_t timeout);
void fwm_k_heap_free(struct k_heap *h, void *mem);

#endif /* FWMEM_K_HEAP_INTERNAL_H */
