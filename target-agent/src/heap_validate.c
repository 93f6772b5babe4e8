/* fwmem target agent: sys_heap's read-only side: the invariant check, the
 * chunk walk, statistics snapshots and the stress rig. Nothing here writes
 * to a heap. Layout in heap_layout.h. */
#include <zephyr/sys/sys_heap.h>
#include "heap_layout.h"

/* ---- invariant check --------------------------------------------------- */

struct bucket_tally {
	uint32_t count;  /* free chunks of this bucket */
	uint32_t idsum;  /* sum of their ids, modulo 2^32 */
};

/* Walks the chunks in address order, checking the chain and tallying free
 * chunks per bucket and used bytes. */
FWM_ALWAYS_INLINE const char *check_chain(const struct fwm_heap *h, struct bucket_tally *t, bool big)
{
	chunkmem_t m = chunkmem(h);
	size_t used_bytes = 0;
	bool left_free = false;
	chunkid_t c = 0;

	if (left_size(m, 0, big) != 0)
		return "chunk 0 has a left neighbour";
	while (c < h->end) {
		chunksz_t sz = chunk_size(m, c, big);
		bool used = chunk_used(m, c, big);

		if (sz < min_chunk(big))
			return "chunk smaller than the minimum (zero size?)";
		if (sz > h->end - c)
			return "chunk runs past the end of the heap";
		if (left_size(m, c + sz, big) != sz)
			return "right neighbour's left size differs from the chunk's size";
		if (used) {
			used_bytes += units_to_bytes(sz);
		} else {
			if (left_free)
				return "two adjacent free chunks (missed merge)";
			unsigned b = bucket_of(sz);

			if (b >= FWM_HEAP_NBUCKETS)
				return "free chunk too large for any bucket";
			t[b].count++;
			t[b].idsum += (uint32_t)c;
		}
		left_free = !used;
		c += sz;
	}
	if (c != h->end)
		return "chunk chain does not end at the end marker";
	if (chunk_size(m, h->end, big) != 0 || !chunk_used(m, h->end, big))
		return "end marker overwritten";
	if (used_bytes != h->allocated_bytes)
		return "allocated_bytes differs from the sum of used chunks";
	if (h->max_allocated_bytes < h->allocated_bytes)
		return "max_allocated_bytes below allocated_bytes";
	return NULL;
}

/* Walks bucket b's ring and compares it with the tally of the chain walk:
 * same number of chunks and same sum of ids, every one free, in range, of
 * this bucket, with consistent links. */
FWM_ALWAYS_INLINE const char *check_bucket(const struct fwm_heap *h, unsigned b, const struct bucket_tally *t,
				bool big)
{
	chunkmem_t m = chunkmem(h);
	bool listed = (h->avail >> b) & 1u;

	if (!listed)
		return t->count == 0 ? NULL : "free chunk missing from its bucket (bit clear)";
	chunkid_t head = h->bucket[b];
	chunkid_t c = head;
	uint32_t n = 0, idsum = 0;

	do {
		if (c >= h->end)
			return "free-list link points outside the heap";
		if (chunk_used(m, c, big))
			return "used chunk on a free list";
		if (bucket_of(chunk_size(m, c, big)) != b)
			return "free chunk on the wrong bucket's list";
		chunkid_t next = next_free(m, c, big);

		if (next >= h->end || prev_free(m, next, big) != c)
			return "free-list links inconsistent (next->prev != self)";
		idsum += (uint32_t)c;
		if (++n > t->count)
			return "bucket list longer than the free chunks of its size";
		c = next;
	} while (c != head);
	if (n != t->count || idsum != t->idsum)
		return "bucket list does not hold exactly the free chunks of its size";
	return NULL;
}

FWM_ALWAYS_INLINE const char *check_heap(const struct fwm_heap *h, bool big)
{
	struct bucket_tally t[FWM_HEAP_NBUCKETS] = { { 0, 0 } };
	const char *why = check_chain(h, t, big);

	for (unsigned b = 0; why == NULL && b < FWM_HEAP_NBUCKETS; b++)
		why = check_bucket(h, b, &t[b], big);
	if (why == NULL && h->avail >> (FWM_HEAP_NBUCKETS - 1) >> 1)
		why = "bucket bitmap has bits beyond the last bucket";
	return why;
}

/* One copy per header width, as in sys_heap.c. */
static FWM_NOINLINE const char *check_small(const struct fwm_heap *h) { return check_heap(h, false); }
static FWM_NOINLINE const char *check_big(const struct fwm_heap *h) { return check_heap(h, true); }

const char *fwm_heap_check(struct sys_heap *heap)
{
	const struct fwm_heap *h;

	if (heap == NULL)
		return "NULL heap";
	h = &heap->fwm;
	if (h->base == NULL)
		return h->end == 0 && h->avail == 0 && h->allocated_bytes == 0 &&
				       h->fast_end == 0 && h->fast_bytes == 0
			       ? NULL : "uninitialised heap with state";
#if defined(CONFIG_SYS_HEAP_SMALL_ONLY)
	if (h->big)
		return "big heap in a small-only build";
#endif
	if (!HEAP_BIG(h) && h->end > SMALL_MAX_UNITS)
		return "small heap larger than 32767 units";
	if (((uintptr_t)h->base + header_bytes(HEAP_BIG(h))) % CHUNK_UNIT != 0)
		return "base misaligned for the header width";
	if (h->fast_end != (HEAP_BIG(h) ? 0 : h->end) || h->fast_bytes != units_to_bytes(h->fast_end))
		return "fast-path limits wrong";
	return HEAP_BIG(h) ? check_big(h) : check_small(h);
}

bool sys_heap_validate(struct sys_heap *heap)
{
	return fwm_heap_check(heap) == NULL;
}

/* ---- chunk walk ------------------------------------------------------------ */

static int walk(const struct fwm_heap *h, fwm_heap_walk_fn fn, void *arg, bool big)
{
	chunkmem_t m = chunkmem(h);
	int n = 0;

	for (chunkid_t c = 0; c < h->end;) {
		chunksz_t sz = chunk_size(m, c, big);

		if (sz == 0 || sz > h->end - c)
			return -FWM_EFAULT;
		struct fwm_heap_chunk ch = {
			.mem = chunk_mem(m, c, big),
			.offset = units_to_bytes(c),
			.bytes = units_to_bytes(sz),
			.usable = units_to_bytes(sz) - header_bytes(big),
			.used = chunk_used(m, c, big),
		};

		n++;
		if (!fn(&ch, arg))
			break;
		c += sz;
	}
	return n;
}

int fwm_heap_walk(struct sys_heap *heap, fwm_heap_walk_fn fn, void *arg)
{
	if (heap == NULL || fn == NULL)
		return -FWM_EINVAL;
	return walk(&heap->fwm, fn, arg, HEAP_BIG(&heap->fwm));
}

/* ---- statistics ----------------------------------------------------------- */

/* Free chunks on bucket b's ring and the largest of them (units); stops
 * after h->end steps on a corrupt ring. */
static uint32_t bucket_scan(const struct fwm_heap *h, unsigned b, chunksz_t *largest, bool big)
{
	chunkmem_t m = chunkmem(h);
	uint32_t n = 0;

	*largest = 0;
	if (!((h->avail >> b) & 1u))
		return 0;
	chunkid_t head = h->bucket[b], c = head;

	do {
		chunksz_t sz = chunk_size(m, c, big);

		if (sz > *largest)
			*largest = sz;
		n++;
		c = next_free(m, c, big);
	} while (c != head && c < h->end && n <= h->end);
	return n;
}

static size_t largest_usable(chunksz_t sz, bool big)
{
	return sz == 0 ? 0 : units_to_bytes(sz) - header_bytes(big);
}

size_t fwm_heap_largest_free(struct sys_heap *heap)
{
	const struct fwm_heap *h = &heap->fwm;
	bool big = HEAP_BIG(h);
	chunksz_t largest = 0;

	if (h->avail != 0)
		(void)bucket_scan(h, fwm_log2_u32(h->avail), &largest, big);
	return largest_usable(largest, big);
}

int fwm_heap_info_get(struct sys_heap *heap, struct fwm_heap_info *info)
{
	if (heap == NULL || info == NULL)
		return -FWM_EINVAL;
	const struct fwm_heap *h = &heap->fwm;
	bool big = HEAP_BIG(h);
	chunksz_t largest = 0;

	*info = (struct fwm_heap_info){
		.capacity_bytes = units_to_bytes(h->end),
		.allocated_bytes = h->allocated_bytes,
		.max_allocated_bytes = h->max_allocated_bytes,
		.free_bytes = units_to_bytes(h->end) - h->allocated_bytes,
		.header_bytes = (uint32_t)header_bytes(big),
		.allocs = h->allocs,
		.frees = h->frees,
		.reallocs = h->reallocs,
		.failures = h->failures,
		.faults = h->faults,
		.nbuckets = h->end ? fwm_log2_u32(h->end) + 1 : 0,
	};
	for (unsigned b = 0; b < FWM_HEAP_NBUCKETS; b++) {
		chunksz_t l;

		info->bucket_chunks[b] = bucket_scan(h, b, &l, big);
		info->free_chunks += info->bucket_chunks[b];
		if (l > largest)
			largest = l;
	}
	info->largest_free_bytes = largest_usable(largest, big);
	return 0;
}

/* ---- stress rig ------------------------------------------------------------- */

struct stress_block {
	void *ptr;
	size_t sz;
};

/* Zephyr's 64-bit LCG; the high half is the output. */
static uint32_t stress_rand(uint64_t *s)
{
	*s = *s * 2862933555777941757ull + 3037000493ull;
	return (uint32_t)(*s >> 32);
}

void sys_heap_stress(void *(*alloc_fn)(void *arg, size_t bytes),
		     void (*free_fn)(void *arg, void *p),
		     void *arg, size_t total_bytes,
		     uint32_t op_count,
		     void *scratch_mem, size_t scratch_bytes,
		     int target_percent,
		     struct z_heap_stress_result *result)
{
	struct stress_block *blocks = scratch_mem;
	size_t nblocks = scratch_bytes / sizeof(*blocks);
	size_t live = 0, live_bytes = 0;
	uint64_t seed = 123456789u;
	uint32_t target = target_percent > 0 ? (uint32_t)target_percent : 1u;

	*result = (struct z_heap_stress_result){ 0 };
	for (uint32_t i = 0; i < op_count; i++) {
		bool do_alloc;

		if (live == 0) {
			do_alloc = true;
		} else if (live >= nblocks) {
			do_alloc = false;
		} else {
			/* Even odds at the target fill, always alloc when empty,
			 * always free above the target. */
			uint32_t full_pct = (uint32_t)(100u * live_bytes / total_bytes);
			uint32_t free_chance = 0xffffffffu;

			if (full_pct < (uint32_t)target_percent)
				free_chance = full_pct * (0x80000000u / target);
			do_alloc = stress_rand(&seed) > free_chance;
		}
		if (do_alloc) {
			/* Each power of two of size equally likely. */
			uint32_t r = stress_rand(&seed);
			unsigned scale = 4u + (r != 0 ? (unsigned)__builtin_clz(r) : 32u);
			uint32_t mask = scale >= 32 ? 0xffffffffu : (1u << scale) - 1u;
			size_t sz = stress_rand(&seed) & mask;
			void *p = alloc_fn(arg, sz);

			result->total_allocs++;
			if (p != NULL) {
				result->successful_allocs++;
				blocks[live].ptr = p;
				blocks[live].sz = sz;
				live++;
				live_bytes += sz;
			}
		} else {
			size_t b = stress_rand(&seed) % live;
			void *p = blocks[b].ptr;

			result->total_frees++;
			live_bytes -= blocks[b].sz;
			blocks[b] = blocks[--live];
			free_fn(arg, p);
		}
		result->accumulated_in_use_bytes += live_bytes;
	}
}
