/* fwmem target agent: sys_heap, a chunk heap with power-of-two bucketed
 * free lists. The layout and its invariants are described in heap_layout.h;
 * the contract of each public function in <zephyr/sys/sys_heap.h>. Each
 * public function reads the header width once and jumps to a copy of the
 * operation compiled for that width (alloc_small, alloc_big, ...).
 *
 * Policy: an allocation takes the best fit among a few chunks of its own
 * bucket, else the first chunk of the smallest larger bucket, cut from that
 * chunk's end so that the rest usually keeps its place on its list; a free
 * merges with both neighbours at once, and a merge into the left neighbour
 * that stays in its bucket needs no relinking. */
#include <zephyr/sys/sys_heap.h>
#include "fwmem/hooks.h"
#include "fwmem/mem.h"
#include "heap_layout.h"

/* ---- fault reports ---------------------------------------------------- */

static fwm_heap_report_fn report_hook;

static const char *const fault_text[] = {
	"unknown heap fault",
	"pointer is not a block of this heap: freed to the wrong heap, or a corrupted pointer?",
	"block is already free: double free?",
	"chunk header overwritten: buffer overflow from the block below, or a write before this block?",
};

fwm_heap_report_fn fwm_heap_set_report(fwm_heap_report_fn fn)
{
	fwm_heap_report_fn old = report_hook;

	report_hook = fn;
	return old;
}

const char *fwm_heap_fault_message(enum fwm_heap_fault fault)
{
	unsigned i = (unsigned)fault;

	return fault_text[i < sizeof fault_text / sizeof fault_text[0] ? i : 0];
}

/* The sys_heap whose control block is h (its first member). */
static inline struct sys_heap *heap_of(struct fwm_heap *h)
{
	return (struct sys_heap *)(void *)h;
}

static FWM_NOINLINE void report(struct sys_heap *heap, enum fwm_heap_fault fault, void *mem)
{
	heap->fwm.faults++;
	if (report_hook != NULL)
		report_hook(heap, fault, mem, fwm_heap_fault_message(fault));
}

/* ---- free lists -------------------------------------------------------- */

/* Appends free chunk c of sz units to its bucket's ring. O(1). */
HEAP_BODY void free_list_add(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t sz, bool big)
{
	unsigned b = bucket_of(sz);

	if (h->avail & (1u << b)) {
		chunkid_t head = h->bucket[b];
		chunkid_t tail = prev_free(m, head, big);

		set_next_free(m, tail, c, big);
		set_prev_free(m, c, tail, big);
		set_next_free(m, c, head, big);
		set_prev_free(m, head, c, big);
	} else {
		h->avail |= 1u << b;
		h->bucket[b] = c;
		set_next_free(m, c, c, big);
		set_prev_free(m, c, c, big);
	}
}

/* Unlinks free chunk c from the ring of bucket b. O(1). */
HEAP_BODY void free_list_remove(struct fwm_heap *h, chunkmem_t m, chunkid_t c, unsigned b, bool big)
{
	chunkid_t next = next_free(m, c, big);

	if (next == c) {
		h->avail &= ~(1u << b);
	} else {
		chunkid_t prev = prev_free(m, c, big);

		set_next_free(m, prev, next, big);
		set_prev_free(m, next, prev, big);
		h->bucket[b] = next;
	}
}

/* ---- statistics ---------------------------------------------------------- */

HEAP_BODY void count_used(struct fwm_heap *h, chunksz_t sz)
{
	size_t now = h->allocated_bytes + units_to_bytes(sz);

	h->allocated_bytes = now;
	if (now > h->max_allocated_bytes)
		h->max_allocated_bytes = now;
}

/* ---- carving ---------------------------------------------------------------- */

/* Turns the unlisted free chunk c of csz units into a used chunk of sz
 * units; the rest, if it can be a chunk, becomes a free chunk on its
 * right. The right neighbour of a free chunk is always used: no merge. */
HEAP_BODY chunkid_t carve_front(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t csz,
				chunksz_t sz, bool big)
{
	if (csz - sz >= min_chunk(big)) {
		chunkid_t rem = c + sz;
		chunksz_t rsz = csz - sz;

		set_chunk(m, rem, rsz, false, big);
		set_left_size(m, rem, sz, big);
		set_left_size(m, rem + rsz, rsz, big);
		free_list_add(h, m, rem, rsz, big);
		csz = sz;
	}
	set_chunk(m, c, csz, true, big);
	count_used(h, csz);
	return c;
}

/* Takes a used chunk of sz units off the end of free chunk c (csz units,
 * listed in bucket b). When what is left still belongs in bucket b, c
 * keeps its place on the list and nothing is relinked: the common case of
 * cutting a small block from a large chunk costs a few stores. */
HEAP_BODY chunkid_t carve(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t csz, chunksz_t sz,
			  unsigned b, bool big)
{
	chunksz_t rsz = csz - sz;

	if (rsz >= (1u << b)) {
		chunkid_t a = c + rsz;

		set_chunk(m, c, rsz, false, big);
		set_chunk(m, a, sz, true, big);
		set_left_size(m, a, rsz, big);
		set_left_size(m, a + sz, sz, big);
		count_used(h, sz);
		return a;
	}
	free_list_remove(h, m, c, b, big);
	return carve_front(h, m, c, csz, sz, big);
}

/* Makes used chunk c (sz units; left neighbour's header word lw, right
 * neighbour's rw, as read by the caller) free, merging it with free
 * neighbours. A merge into the left neighbour that keeps its bucket needs
 * no relinking. c's own header is marked free even when it is merged away,
 * so that a second free of it is recognised. */
HEAP_BODY void release(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t sz, chunksz_t lw,
		       chunksz_t rw, bool big)
{
	if (!word_used(rw)) {
		chunksz_t rsz = word_size(rw);
		unsigned rb = bucket_of(rsz);

		free_list_remove(h, m, c + sz, rb, big);
		sz += rsz;
	}
	if (!word_used(lw)) {
		chunksz_t lsz = word_size(lw);
		chunkid_t left = c - lsz;
		unsigned lb = bucket_of(lsz);

		set_chunk(m, c, sz, false, big);
		sz += lsz;
		if (bucket_of(sz) != lb) {
			free_list_remove(h, m, left, lb, big);
			free_list_add(h, m, left, sz, big);
		}
		set_chunk(m, left, sz, false, big);
		set_left_size(m, left + sz, sz, big);
		return;
	}
	set_chunk(m, c, sz, false, big);
	set_left_size(m, c + sz, sz, big);
	free_list_add(h, m, c, sz, big);
}

/* Frees the last sz - keep units of used chunk c, if they can be a chunk. */
HEAP_BODY void trim(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t sz, chunksz_t keep,
		    bool big)
{
	if (sz - keep < min_chunk(big))
		return;
	chunkid_t tail = c + keep;

	set_chunk(m, c, keep, true, big);
	set_left_size(m, tail, keep, big);
	h->allocated_bytes -= units_to_bytes(sz - keep);
	release(h, m, tail, sz - keep, chunk_word(m, c, big), chunk_word(m, c + sz, big), big);
}

/* ---- the free-path check ---------------------------------------------------- */

/* What the free path knows about a block after its O(1) checks. */
struct checked {
	chunkid_t c;     /* NO_CHUNK: refused (and reported) */
	chunksz_t sz;
	chunksz_t lw;    /* left neighbour's header word (c's own for chunk 0) */
	chunksz_t rw;    /* right neighbour's header word */
};

/* mem must be the block of a chunk of this heap; the chunk must be used;
 * its size must equal its right neighbour's left size, and its left size
 * its left neighbour's size (chunk 0 has left size 0). The neighbours'
 * header words are read anyway, for merging. */
HEAP_BODY struct checked check_block(struct fwm_heap *h, chunkmem_t m, void *mem, bool big)
{
	size_t off = mem_offset(m, mem, big);
	struct checked k = { NO_CHUNK, 0, 0, 0 };

	if (FWM_UNLIKELY(!offset_in_heap(h, off))) {
		report(heap_of(h), FWM_HEAP_FAULT_FOREIGN, mem);
		return k;
	}
	chunkid_t c = offset_chunk(off);
	chunksz_t w = chunk_word(m, c, big);
	chunksz_t lsz = left_size(m, c, big);

	k.sz = word_size(w);
	if (FWM_UNLIKELY(!word_used(w))) {
		report(heap_of(h), FWM_HEAP_FAULT_DOUBLE_FREE, mem);
		return k;
	}
	/* sz == 0 or the right neighbour past the end: one compare. */
	if (FWM_UNLIKELY(k.sz - 1 >= h->end - c || lsz > c ||
			 left_size(m, c + k.sz, big) != k.sz))
		goto bad;
	k.lw = chunk_word(m, c - lsz, big);
	if (FWM_UNLIKELY(word_size(k.lw) != lsz && (lsz | c) != 0))
		goto bad;
	k.rw = chunk_word(m, c + k.sz, big);
	k.c = c;
	return k;
bad:
	report(heap_of(h), FWM_HEAP_FAULT_HEADER, mem);
	return k;
}

/* ---- the operations, one body per header width ----------------------------- */

HEAP_BODY void *heap_alloc(struct fwm_heap *h, size_t bytes, bool big)
{
	chunkmem_t m = chunkmem(h);

	if (FWM_UNLIKELY(bytes - 1 >= units_to_bytes(h->end)))
		goto fail;
	chunksz_t sz = bytes_to_units(bytes, big);
	unsigned b = bucket_of(sz);
	uint32_t avail = h->avail;
	uint32_t above = avail & ~((2u << b) - 1u);
	chunkid_t c;

	/* The best fit among a few chunks of sz's own bucket (they may be
	 * too small). Until one fits, the ring is rotated so that the next
	 * search starts elsewhere. */
	if (avail & (1u << b)) {
		unsigned loops = above ? CONFIG_SYS_HEAP_ALLOC_LOOPS : CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST;

		chunkid_t best = NO_CHUNK;
		chunksz_t bsz = ~(chunksz_t)0;

		chunkid_t first = h->bucket[b];

		c = first;
		for (unsigned i = 0; i < loops; i++) {
			chunksz_t csz = chunk_size(m, c, big);

			if (csz >= sz && csz < bsz) {
				best = c;
				bsz = csz;
				if (csz == sz)
					break;
			}
			c = next_free(m, c, big);
			if (c == first)
				break;
			if (best == NO_CHUNK)
				h->bucket[b] = c;
		}
		if (best != NO_CHUNK) {
			free_list_remove(h, m, best, b, big);
			c = carve_front(h, m, best, bsz, sz, big);
			goto done;
		}
	}
	/* Then the smallest larger bucket: any of its chunks fits. */
	if (FWM_UNLIKELY(above == 0))
		goto fail;
	b = fwm_ctz_u32(above);
	c = h->bucket[b];
	c = carve(h, m, c, chunk_size(m, c, big), sz, b, big);
done:
	h->allocs++;
	return chunk_mem(m, c, big);
fail:
	h->failures++;
	return NULL;
}

HEAP_BODY void heap_free(struct fwm_heap *h, void *mem, bool big)
{
	chunkmem_t m = chunkmem(h);

	if (mem == NULL)
		return;
	struct checked k = check_block(h, m, mem, big);

	if (FWM_UNLIKELY(k.c == NO_CHUNK))
		return;
	h->allocated_bytes -= units_to_bytes(k.sz);
	h->frees++;
	release(h, m, k.c, k.sz, k.lw, k.rw, big);
}

/* Units from chunk c's block to the first address aligned to align, or
 * NO_CHUNK if a block of sz units aligned so does not fit in c's csz units.
 * On big heaps a gap of one unit cannot be a chunk, so it is pushed on by
 * one alignment step. */
HEAP_BODY chunksz_t aligned_gap(chunkmem_t m, chunkid_t c, chunksz_t csz, chunksz_t sz, size_t align,
				bool big)
{
	uintptr_t mem = (uintptr_t)chunk_mem(m, c, big);
	size_t gap = (size_t)((0 - mem) & (align - 1)) / CHUNK_UNIT;

	if (gap != 0 && gap < min_chunk(big))
		gap += align / CHUNK_UNIT;
	return gap <= csz && csz - gap >= sz ? (chunksz_t)gap : NO_CHUNK;
}

/* Takes a free chunk that can hold sz units aligned to align off its list;
 * *gap gets the units before the aligned block. A few chunks of sz's own
 * bucket are tried, then the first chunk of each larger bucket in turn.
 * O(CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST + buckets). */
HEAP_BODY chunkid_t find_aligned(struct fwm_heap *h, chunkmem_t m, chunksz_t sz, size_t align,
				 chunksz_t *gap, bool big)
{
	unsigned b = bucket_of(sz);
	uint32_t above = h->avail & ~((2u << b) - 1u);

	if (h->avail & (1u << b)) {
		unsigned loops = above ? CONFIG_SYS_HEAP_ALLOC_LOOPS : CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST;
		chunkid_t first = h->bucket[b], c = first;

		for (unsigned i = 0; i < loops; i++) {
			*gap = aligned_gap(m, c, chunk_size(m, c, big), sz, align, big);
			if (*gap != NO_CHUNK) {
				free_list_remove(h, m, c, b, big);
				return c;
			}
			c = next_free(m, c, big);
			if (c == first)
				break;
			h->bucket[b] = c;
		}
	}
	while (above) {
		unsigned bb = fwm_ctz_u32(above);
		chunkid_t c = h->bucket[bb];

		*gap = aligned_gap(m, c, chunk_size(m, c, big), sz, align, big);
		if (*gap != NO_CHUNK) {
			free_list_remove(h, m, c, bb, big);
			return c;
		}
		above &= above - 1;
	}
	return NO_CHUNK;
}

HEAP_BODY void *heap_aligned_alloc(struct fwm_heap *h, size_t align, size_t bytes, bool big)
{
	chunkmem_t m = chunkmem(h);

	if (align <= CHUNK_UNIT) {
		if (align & (align - 1))
			goto fail;
		return heap_alloc(h, bytes, big);
	}
	if (FWM_UNLIKELY(!fwm_is_pow2(align) || align > units_to_bytes(h->end) ||
			 bytes - 1 >= units_to_bytes(h->end)))
		goto fail;
	chunksz_t sz = bytes_to_units(bytes, big);
	chunksz_t gap;
	chunkid_t c = find_aligned(h, m, sz, align, &gap, big);

	if (c == NO_CHUNK)
		goto fail;
	chunksz_t csz = chunk_size(m, c, big);

	if (gap != 0) {                 /* the unused prefix becomes a free chunk */
		set_chunk(m, c, gap, false, big);
		free_list_add(h, m, c, gap, big);
		c += gap;
		csz -= gap;
		set_left_size(m, c, gap, big);
		set_left_size(m, c + csz, csz, big);
	}
	c = carve_front(h, m, c, csz, sz, big);
	h->allocs++;
	return chunk_mem(m, c, big);
fail:
	h->failures++;
	return NULL;
}

HEAP_BODY void *heap_realloc(struct fwm_heap *h, void *ptr, size_t align, size_t bytes, bool big)
{
	chunkmem_t m = chunkmem(h);

	if (ptr == NULL)
		return heap_aligned_alloc(h, align, bytes, big);
	if (bytes == 0) {
		heap_free(h, ptr, big);
		return NULL;
	}
	struct checked k = check_block(h, m, ptr, big);

	if (FWM_UNLIKELY(k.c == NO_CHUNK || (align & (align - 1)) != 0 ||
			 bytes > units_to_bytes(h->end)))
		goto fail;
	chunkid_t c = k.c;
	chunksz_t sz = k.sz;
	chunksz_t need = bytes_to_units(bytes, big);

	if (align <= CHUNK_UNIT || ((uintptr_t)ptr & (align - 1)) == 0) {
		if (need <= sz) {                   /* shrink in place */
			trim(h, m, c, sz, need, big);
			h->reallocs++;
			return ptr;
		}
		chunksz_t rsz = word_size(k.rw);

		if (!word_used(k.rw) && sz + rsz >= need) { /* grow into the right neighbour */
			free_list_remove(h, m, c + sz, bucket_of(rsz), big);
			set_chunk(m, c, sz + rsz, true, big);
			set_left_size(m, c + sz + rsz, sz + rsz, big);
			count_used(h, rsz);
			trim(h, m, c, sz + rsz, need, big);
			h->reallocs++;
			return ptr;
		}
	}
	/* Move. heap_aligned_alloc counts an allocation; this is a realloc. */
	void *mem = heap_aligned_alloc(h, align, bytes, big);

	if (mem == NULL)
		return NULL;
	h->allocs--;
	size_t keep = units_to_bytes(sz) - header_bytes(big);

	memcpy(mem, ptr, keep < bytes ? keep : bytes);
	/* The new block may have been cut from a free neighbour: re-read. */
	h->allocated_bytes -= units_to_bytes(sz);
	release(h, m, c, sz, chunk_word(m, left_chunk(m, c, big), big), chunk_word(m, c + sz, big), big);
	h->reallocs++;
	return mem;
fail:
	h->failures++;
	return NULL;
}

/* ---- public entry points ------------------------------------------------- */

void sys_heap_init(struct sys_heap *heap, void *mem, size_t bytes)
{
	struct fwm_heap *h = &heap->fwm;
	uintptr_t start = (uintptr_t)mem;
	uintptr_t limit = start + bytes;
	bool big;

	*h = (struct fwm_heap){ 0 };
	heap->init_mem = mem;
	heap->init_bytes = bytes;
	if (mem == NULL || limit < start)
		return;
	/* Small layout first: chunk 0's header at 4 mod 8, end marker after. */
	uintptr_t base = ((start + 3) & ~(uintptr_t)7) + 4;
	size_t units = base + 4 <= limit ? (size_t)(limit - base - 4) / CHUNK_UNIT : 0;

#if defined(CONFIG_SYS_HEAP_SMALL_ONLY)
	big = false;
	if (units > SMALL_MAX_UNITS)
		units = SMALL_MAX_UNITS;
#else
	big = units > SMALL_MAX_UNITS;
#ifdef CONFIG_SYS_HEAP_BIG_ONLY
	big = true;
#endif
	if (big) {
		base = (start + 7) & ~(uintptr_t)7;
		units = base + 8 <= limit ? (size_t)(limit - base - 8) / CHUNK_UNIT : 0;
		if (units > BIG_MAX_UNITS)
			units = BIG_MAX_UNITS;
	}
#endif
	if (units < min_chunk(big))
		return;
	h->base = (unsigned char *)base;
	h->big = big;
	h->end = (chunkid_t)units;

	chunkmem_t m = chunkmem(h);

	set_chunk(m, h->end, 0, true, big);          /* end marker */
	set_left_size(m, h->end, h->end, big);
	set_chunk(m, 0, h->end, false, big);         /* one free chunk */
	set_left_size(m, 0, 0, big);
	free_list_add(h, m, 0, h->end, big);
}

/* One function per operation and width: each entry point reads the width
 * and jumps to the one made for it (a tail call), so each body has only
 * its own registers to save. */
static FWM_NOINLINE void *alloc_small(struct fwm_heap *h, size_t bytes) { return heap_alloc(h, bytes, false); }
static FWM_NOINLINE void *alloc_big(struct fwm_heap *h, size_t bytes) { return heap_alloc(h, bytes, true); }
static FWM_NOINLINE void free_small(struct fwm_heap *h, void *mem) { heap_free(h, mem, false); }
static FWM_NOINLINE void free_big(struct fwm_heap *h, void *mem) { heap_free(h, mem, true); }
static FWM_NOINLINE void *aligned_small(struct fwm_heap *h, size_t align, size_t bytes) { return heap_aligned_alloc(h, align, bytes, false); }
static FWM_NOINLINE void *aligned_big(struct fwm_heap *h, size_t align, size_t bytes) { return heap_aligned_alloc(h, align, bytes, true); }
static FWM_NOINLINE void *realloc_small(struct fwm_heap *h, void *ptr, size_t align, size_t bytes) { return heap_realloc(h, ptr, align, bytes, false); }
static FWM_NOINLINE void *realloc_big(struct fwm_heap *h, void *ptr, size_t align, size_t bytes) { return heap_realloc(h, ptr, align, bytes, true); }
#define BY_WIDTH(h, call_big, call_small) (HEAP_BIG(h) ? (call_big) : (call_small))

void *fwm_heap_alloc(struct sys_heap *heap, size_t bytes)
{
	struct fwm_heap *h = &heap->fwm;

	return BY_WIDTH(h, alloc_big(h, bytes), alloc_small(h, bytes));
}

void *fwm_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	struct fwm_heap *h = &heap->fwm;

	return BY_WIDTH(h, aligned_big(h, align, bytes), aligned_small(h, align, bytes));
}

void fwm_heap_free(struct sys_heap *heap, void *mem)
{
	struct fwm_heap *h = &heap->fwm;

	BY_WIDTH(h, free_big(h, mem), free_small(h, mem));
}

void *fwm_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes)
{
	struct fwm_heap *h = &heap->fwm;

	return BY_WIDTH(h, realloc_big(h, ptr, align, bytes), realloc_small(h, ptr, align, bytes));
}

bool fwm_heap_contains(const struct sys_heap *heap, const void *mem)
{
	const struct fwm_heap *h = &heap->fwm;
	chunkmem_t m = chunkmem(h);

	return BY_WIDTH(h, offset_in_heap(h, mem_offset(m, mem, true)),
			offset_in_heap(h, mem_offset(m, mem, false)));
}

size_t sys_heap_usable_size(struct sys_heap *heap, void *mem)
{
	const struct fwm_heap *h = &heap->fwm;
	chunkmem_t m = chunkmem(h);

	if (mem == NULL || !fwm_heap_contains(heap, mem))
		return 0;
	return BY_WIDTH(h, chunk_usable(m, offset_chunk(mem_offset(m, mem, true)), true),
			chunk_usable(m, offset_chunk(mem_offset(m, mem, false)), false));
}

/* The Zephyr names: with the hooks compiled out they are the fwm_heap_*
 * functions themselves (aliases, not calls). */
#ifdef CONFIG_FWM_HOOKS
static void *aligned_alloc_at(struct sys_heap *heap, size_t align, size_t bytes, void *caller)
{
	void *mem = fwm_heap_aligned_alloc(heap, align, bytes);

	if (mem != NULL)
		FWM_HOOK_ALLOC_AT(caller, FWM_KIND_SYS_HEAP, heap, mem, bytes, align);
	else
		FWM_HOOK_FAIL_AT(caller, FWM_KIND_SYS_HEAP, heap, bytes, align);
	return mem;
}

static void *aligned_realloc_at(struct sys_heap *heap, void *ptr, size_t align, size_t bytes,
				void *caller)
{
	void *mem = fwm_heap_aligned_realloc(heap, ptr, align, bytes);

	if (mem != NULL || bytes == 0)
		FWM_HOOK_REALLOC_AT(caller, FWM_KIND_SYS_HEAP, heap, ptr, mem, bytes, align);
	else
		FWM_HOOK_FAIL_AT(caller, FWM_KIND_SYS_HEAP, heap, bytes, align);
	return mem;
}

void *sys_heap_alloc(struct sys_heap *heap, size_t bytes)
{
	return aligned_alloc_at(heap, 0, bytes, FWM_CALLER());
}

void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	return aligned_alloc_at(heap, align, bytes, FWM_CALLER());
}

void *sys_heap_noalign_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	FWM_UNUSED(align);
	return aligned_alloc_at(heap, 0, bytes, FWM_CALLER());
}

void sys_heap_free(struct sys_heap *heap, void *mem)
{
	if (mem != NULL)
		FWM_HOOK_FREE(FWM_KIND_SYS_HEAP, heap, mem);
	fwm_heap_free(heap, mem);
}

void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes)
{
	return aligned_realloc_at(heap, ptr, align, bytes, FWM_CALLER());
}

void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes)
{
	return aligned_realloc_at(heap, ptr, 0, bytes, FWM_CALLER());
}
#else
#define FWM_ALIAS(name) __attribute__((alias(#name)))
void *sys_heap_alloc(struct sys_heap *heap, size_t bytes) FWM_ALIAS(fwm_heap_alloc);
void *sys_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes)
	FWM_ALIAS(fwm_heap_aligned_alloc);
void sys_heap_free(struct sys_heap *heap, void *mem) FWM_ALIAS(fwm_heap_free);
void *sys_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes)
	FWM_ALIAS(fwm_heap_aligned_realloc);

void *sys_heap_realloc(struct sys_heap *heap, void *ptr, size_t bytes)
{
	return fwm_heap_aligned_realloc(heap, ptr, 0, bytes);
}

void *sys_heap_noalign_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	FWM_UNUSED(align);
	return fwm_heap_alloc(heap, bytes);
}
#endif

int sys_heap_runtime_stats_get(struct sys_heap *heap, struct sys_memory_stats *stats)
{
	if (heap == NULL || stats == NULL)
		return -FWM_EINVAL;
	stats->allocated_bytes = heap->fwm.allocated_bytes;
	stats->free_bytes = units_to_bytes(heap->fwm.end) - heap->fwm.allocated_bytes;
	stats->max_allocated_bytes = heap->fwm.max_allocated_bytes;
	return 0;
}

int sys_heap_runtime_stats_reset_max(struct sys_heap *heap)
{
	if (heap == NULL)
		return -FWM_EINVAL;
	heap->fwm.max_allocated_bytes = heap->fwm.allocated_bytes;
	return 0;
}
