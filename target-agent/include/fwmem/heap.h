/* fwmem target agent: the sys_heap core, internal interface and extras.
 *
 * <zephyr/sys/sys_heap.h> is the public face of this heap; this header holds
 * what Zephyr does not have: the control block's layout (so heaps can be
 * defined statically), the statistics record, the free-chunk histogram, the
 * chunk walk for fragmentation maps, the fault report hook, and the
 * hook-free entry points the other agent allocators (k_heap, k_malloc,
 * multi-heaps) build on. The host library includes it too.
 *
 * Everything here is single-threaded: callers lock (k_heap does).
 */
#ifndef FWMEM_HEAP_H
#define FWMEM_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "fwmem/compiler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Build options (define them on the compiler command line).
 *
 * CONFIG_SYS_HEAP_ALLOC_LOOPS: how many chunks of the smallest bucket that
 *   might fit an allocation are tried before falling back to a larger bucket
 *   (default 3). When no larger bucket has a chunk, up to
 *   CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST are tried instead (default 16), so a
 *   nearly full heap fails less often. Both bound the alloc time.
 * CONFIG_SYS_HEAP_SMALL_ONLY: only heaps of up to 32767 units (256 KiB)
 *   with 4-byte headers; larger memory is used up to that size. Smaller code.
 * CONFIG_SYS_HEAP_BIG_ONLY: every heap uses 8-byte headers.
 */
#ifndef CONFIG_SYS_HEAP_ALLOC_LOOPS
#define CONFIG_SYS_HEAP_ALLOC_LOOPS 3
#endif
#ifndef CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST
#define CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST 16
#endif
#if defined(CONFIG_SYS_HEAP_SMALL_ONLY) && defined(CONFIG_SYS_HEAP_BIG_ONLY)
#error "CONFIG_SYS_HEAP_SMALL_ONLY and CONFIG_SYS_HEAP_BIG_ONLY exclude each other"
#endif

/* Free-list buckets: bucket b holds free chunks of 2^b .. 2^(b+1)-1 units of
 * 8 bytes. A heap of n units uses floor(log2(n)) + 1 of them. */
#ifdef CONFIG_SYS_HEAP_SMALL_ONLY
#define FWM_HEAP_NBUCKETS 15
#else
#define FWM_HEAP_NBUCKETS 31
#endif

/* The control block. Lives outside the managed memory (so none of the
 * heap's bytes go to bookkeeping); all-zero is a valid "not initialised"
 * heap on which every allocation fails. Fields are private to sys_heap.c,
 * except that readers may take the statistics directly. */
struct fwm_heap {
	unsigned char *base;  /* header of chunk 0; NULL until initialised */
	uint32_t end;         /* id of the end marker = number of units managed */
	uint32_t avail;       /* bit b set: bucket b has a free chunk */
	uint32_t big;         /* nonzero: 8-byte chunk headers */
	uint32_t bucket[FWM_HEAP_NBUCKETS]; /* any chunk of bucket b's ring */
	size_t allocated_bytes;     /* used chunks, headers included */
	size_t max_allocated_bytes; /* peak since init or the last reset */
	uint32_t allocs;      /* successful allocations (reallocs not included) */
	uint32_t frees;       /* blocks freed (frees of NULL not included) */
	uint32_t reallocs;    /* successful reallocs, in place or moved */
	uint32_t failures;    /* allocations and reallocs that returned NULL */
	uint32_t faults;      /* frees refused by the checks (see the report hook) */
	/* end and end * 8 for a heap with 4-byte headers, else 0: alloc and
	 * free test a request against them, so that one compare both checks
	 * it and picks the small-header code. */
	size_t fast_end;
	size_t fast_bytes;
};

struct sys_heap;

/* ---- statistics ---------------------------------------------------- */

/* A snapshot of one heap. Counters wrap modulo 2^32 and otherwise never
 * decrease; byte figures rise and fall except where said. */
struct fwm_heap_info {
	size_t capacity_bytes;      /* bytes of chunks managed (constant) */
	size_t allocated_bytes;     /* in used chunks, headers included */
	size_t max_allocated_bytes; /* peak; falls only on a reset of the max */
	size_t free_bytes;          /* capacity_bytes - allocated_bytes */
	size_t largest_free_bytes;  /* the largest sys_heap_alloc() that would
	                             * succeed now (0 if none) */
	uint32_t free_chunks;       /* number of free chunks */
	uint32_t header_bytes;      /* per-chunk overhead: 4, or 8 above 256 KiB */
	uint32_t allocs, frees, reallocs, failures, faults; /* as in fwm_heap */
	uint32_t nbuckets;          /* buckets this heap can use */
	uint32_t bucket_chunks[FWM_HEAP_NBUCKETS]; /* histogram: free chunks
	                             * of 2^b .. 2^(b+1)-1 units of 8 bytes */
};

/* Fills *info. O(number of free chunks). Read-only. Returns 0, or
 * -FWM_EINVAL if heap or info is NULL. */
int fwm_heap_info_get(struct sys_heap *heap, struct fwm_heap_info *info);

/* The largest allocation that would succeed now, in bytes (0 if none).
 * O(k), k = the number of free chunks in the highest non-empty bucket: the
 * bucket is found in O(1) from a bitmap and only it is scanned; the answer
 * lies between 2^b and 2^(b+1) units of that bucket b. Read-only. */
size_t fwm_heap_largest_free(struct sys_heap *heap);

/* The first broken invariant sys_heap_validate finds, as one line of text
 * (static storage), or NULL if the heap is consistent. O(n). Read-only. */
const char *fwm_heap_check(struct sys_heap *heap);

/* ---- chunk walk (fragmentation maps) ------------------------------- */

struct fwm_heap_chunk {
	void *mem;        /* what sys_heap_alloc returned (or would) */
	size_t offset;    /* bytes from the heap's first chunk to this one */
	size_t bytes;     /* chunk bytes, header included */
	size_t usable;    /* bytes usable by the caller */
	bool used;
};

/* Called once per chunk in address order; return false to stop. */
typedef bool (*fwm_heap_walk_fn)(const struct fwm_heap_chunk *chunk, void *arg);

/* Visits every chunk in address order. O(number of chunks); read-only; the
 * callback must not modify the heap. Returns the number of chunks visited,
 * or -FWM_EINVAL for a NULL heap or fn, or -FWM_EFAULT when the chain of
 * chunk sizes is broken (corrupt heap; the walk stops there). */
int fwm_heap_walk(struct sys_heap *heap, fwm_heap_walk_fn fn, void *arg);

/* ---- fault reports ------------------------------------------------- */

enum fwm_heap_fault {
	FWM_HEAP_FAULT_FOREIGN = 1,  /* pointer not inside this heap's chunks */
	FWM_HEAP_FAULT_DOUBLE_FREE,  /* block already free */
	FWM_HEAP_FAULT_HEADER,       /* chunk header overwritten */
};

/* Called when sys_heap_free (or realloc) refuses a pointer. The heap is
 * left as it was; the refused free is counted in faults. msg is a static
 * one-line text naming the likely bug. */
typedef void (*fwm_heap_report_fn)(struct sys_heap *heap, enum fwm_heap_fault fault,
				   void *ptr, const char *msg);

/* Installs the report hook for every heap and returns the previous one.
 * NULL (the default) only counts faults. O(1). */
fwm_heap_report_fn fwm_heap_set_report(fwm_heap_report_fn fn);

/* The message a fault is reported with. */
const char *fwm_heap_fault_message(enum fwm_heap_fault fault);

/* ---- entry points for the other agent allocators --------------------- */

/* The same as sys_heap_alloc, sys_heap_aligned_alloc, sys_heap_free and
 * sys_heap_aligned_realloc, but without the instrumentation hooks: for the
 * allocators built on top, which report under their own name. */
void *fwm_heap_alloc(struct sys_heap *heap, size_t bytes);
void *fwm_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes);
void fwm_heap_free(struct sys_heap *heap, void *mem);
void *fwm_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align,
			       size_t bytes);

/* True if mem lies inside the heap's chunks (not whether it is a live
 * block). O(1). */
bool fwm_heap_contains(const struct sys_heap *heap, const void *mem);

#ifdef __cplusplus
}
#endif

#endif /* FWMEM_HEAP_H */
