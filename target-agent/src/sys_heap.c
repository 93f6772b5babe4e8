/* fwmem target agent: sys_heap, a chunk heap with power-of-two bucketed
 * free lists. The layout and its invariants are described in heap_layout.h;
 * the contract of each public function in <zephyr/sys/sys_heap.h>.
 *
 * Policy: an allocation takes the best fit among a few chunks of its own
 * bucket, else the first chunk of the smallest larger bucket, and is cut
 * from the end of the chunk it takes: the chunk keeps its start, and its
 * place on its list when what is left stays in its bucket (the common case
 * of a small block from a large chunk). A free merges with both neighbours
 * at once; a merge that keeps the free neighbour's bucket needs no
 * relinking.
 *
 * Code shape. Each operation exists once per header width (the width is a
 * compile-time constant in each copy, see HEAP_BODY), and at -O2 it is cut
 * into small functions that jump to one another (tail calls): alloc and
 * free test a request against a limit that is 0 unless the heap has 4-byte
 * headers, do the common case inline and jump to the function for anything
 * else, so each keeps to the registers a call may clobber and saves none.
 * At -Os the pieces are ordinary functions taking the width at run time.
 */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE_SIZE__)
/* GCC's partial redundancy elimination and code hoisting move loads and
 * address computations shared by the branches of these small functions up
 * front, where they hold registers across the branch, which then have to
 * be saved and restored: with them, the replays of bench/RESULTS.md take 3
 * to 4 more instructions per operation (x86-64, GCC 12). */
#pragma GCC optimize("no-tree-pre", "no-code-hoisting")
#endif
#include <zephyr/sys/sys_heap.h>
#include "fwmem/hooks.h"
#include "fwmem/mem.h"
#include "heap_layout.h"

/* ---- one copy per header width -------------------------------------------- */

/* WIDTH_COPIES defines name_small and name_big, the copies of HEAP_BODY
 * function name for each width, not inlined, so that a fast path can jump
 * to them; BY_WIDTH_CALL calls the one for big (a constant). At -Os there
 * is only the body, which takes the width as its last argument. */
#ifdef __OPTIMIZE_SIZE__
#define WIDTH_COPIES(ret, name, params, ...)
#define WIDTH_COPIES_VOID(name, params, ...)
#define BY_WIDTH_CALL(name, big, ...) name(__VA_ARGS__, big)
#else
#define WIDTH_COPIES(ret, name, params, ...)                                              \
	static FWM_NOINLINE ret name##_small params { return name(__VA_ARGS__, false); } \
	static FWM_NOINLINE ret name##_big params { return name(__VA_ARGS__, true); }
#define WIDTH_COPIES_VOID(name, params, ...)                                             \
	static FWM_NOINLINE void name##_small params { name(__VA_ARGS__, false); }       \
	static FWM_NOINLINE void name##_big params { name(__VA_ARGS__, true); }
#define BY_WIDTH_CALL(name, big, ...) ((big) ? name##_big(__VA_ARGS__) : name##_small(__VA_ARGS__))
#endif

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

static FWM_NOINLINE void refuse(struct fwm_heap *h, enum fwm_heap_fault fault, void *mem)
{
	h->faults++;
	if (report_hook != NULL)
		report_hook(heap_of(h), fault, mem, fwm_heap_fault_message(fault));
}

/* ---- free lists -------------------------------------------------------- */

/* Appends free chunk c to the ring of bucket b, before the chunk the
 * bucket points at. O(1). c's own links are set once, after the branch,
 * so that the compiler has nothing to hoist. */
HEAP_BODY void free_list_add_to(struct fwm_heap *h, chunkmem_t m, chunkid_t c, unsigned b, bool big)
{
	chunkid_t head = c, tail = c;

	if ((h->avail >> b) & 1u) {
		head = h->bucket[b];
		tail = prev_free(m, head, big);
		set_next_free(m, tail, c, big);
		set_prev_free(m, head, c, big);
	} else {
		h->avail |= 1u << b;
		h->bucket[b] = (uint32_t)c;
	}
	set_free_links(m, c, head, tail, big);
}

/* Appends free chunk c of sz units to the ring of its bucket. O(1). */
HEAP_BODY void free_list_add(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t sz, bool big)
{
	free_list_add_to(h, m, c, bucket_of(sz), big);
}

/* Unlinks free chunk c from the ring of bucket b; the bucket then points
 * at the chunk after c. O(1). */
HEAP_BODY void free_list_remove(struct fwm_heap *h, chunkmem_t m, chunkid_t c, unsigned b, bool big)
{
	chunkid_t next = next_free(m, c, big);

	if (next == c) {
		h->avail &= ~(1u << b);
	} else {
		chunkid_t prev = prev_free(m, c, big);

		set_next_free(m, prev, next, big);
		set_prev_free(m, next, prev, big);
		h->bucket[b] = (uint32_t)next;
	}
}

/* Puts free chunk c in the place of free chunk old on the ring of bucket
 * b, c's bucket too: the same ring and the same bucket pointer as
 * free_list_remove(old) then free_list_add(c), in fewer steps. O(1). */
HEAP_BODY void free_list_replace(struct fwm_heap *h, chunkmem_t m, chunkid_t old, chunkid_t c, unsigned b,
				 bool big)
{
	chunkid_t next = next_free(m, old, big), prev = c;

	if (next == old) {
		next = c;
	} else {
		prev = prev_free(m, old, big);
		set_next_free(m, prev, c, big);
		set_prev_free(m, next, c, big);
	}
	h->bucket[b] = (uint32_t)next;
	set_free_links(m, c, next, prev, big);
}

/* Moves free chunk c from the ring of bucket from to that of bucket to,
 * another: free_list_remove then free_list_add, except that a chunk alone
 * on its ring going to an empty one keeps its links and only the bitmap
 * and the bucket pointer change. O(1). */
HEAP_BODY void free_list_move(struct fwm_heap *h, chunkmem_t m, chunkid_t c, unsigned from, unsigned to, bool big)
{
	if (!HEAP_FAST) {
		free_list_remove(h, m, c, from, big);
		free_list_add_to(h, m, c, to, big);
		return;
	}
	chunkid_t next = next_free(m, c, big);

	if (next == c) {
		uint32_t avail = h->avail & ~(1u << from);

		if (!((avail >> to) & 1u)) {
			h->avail = avail | 1u << to;
			h->bucket[to] = (uint32_t)c;
			return;
		}
		h->avail = avail;
	} else {
		chunkid_t prev = prev_free(m, c, big);

		set_next_free(m, prev, next, big);
		set_prev_free(m, next, prev, big);
		h->bucket[from] = (uint32_t)next;
	}
	free_list_add_to(h, m, c, to, big);
}

/* ---- statistics ---------------------------------------------------------- */

HEAP_BODY void count_used(struct fwm_heap *h, chunksz_t sz)
{
	size_t now = h->allocated_bytes + units_to_bytes(sz);

	h->allocated_bytes = now;
	if (now > h->max_allocated_bytes)
		h->max_allocated_bytes = now;
}

/* ---- alloc --------------------------------------------------------------------- */

static FWM_NOINLINE void *alloc_failed(struct fwm_heap *h)
{
	h->failures++;
	return NULL;
}

/* Cuts a used chunk of sz units from the end of free chunk c (csz units),
 * when what is left stays in c's bucket: c keeps its place on its ring. */
HEAP_BODY void *alloc_tail(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t csz, chunksz_t sz,
			   bool big)
{
	chunksz_t rsz = csz - sz;

	set_chunk(m, c, rsz, false, big);
	c += rsz;
	set_chunk(m, c, sz, true, big);
	set_left_size(m, c, rsz, big);
	set_left_size(m, c + sz, sz, big);
	count_used(h, sz);
	h->allocs++;
	return chunk_mem(m, c, big);
}

/* Turns the unlisted free chunk c of csz units into a used chunk of sz
 * units; the rest, if it can be a chunk, becomes a free chunk on its
 * right (whose right neighbour is used: no merge). For aligned blocks,
 * whose place is fixed. */
HEAP_BODY chunkid_t carve_front(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t csz, chunksz_t sz,
				bool big)
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

/* Cuts a used chunk of sz units from the end of free chunk c (csz units,
 * on the ring of bucket b), taking all of it if the rest could not be a
 * chunk. Fast paths come here only when the rest moves to a smaller
 * bucket, as it always does when c is of sz's own bucket. */
HEAP_BODY void *alloc_cut(struct fwm_heap *h, chunkid_t c, chunksz_t csz, chunksz_t sz, unsigned b, bool big)
{
	chunkmem_t m = chunkmem(h);
	chunksz_t rsz = csz - sz;

	if (rsz < min_chunk(big)) {             /* all of it */
		free_list_remove(h, m, c, b, big);
		set_chunk(m, c, csz, true, big);
		count_used(h, csz);
		h->allocs++;
		return chunk_mem(m, c, big);
	}
	if (HEAP_FAST || (rsz >> b) == 0)
		free_list_move(h, m, c, b, bucket_of(rsz), big);
	return alloc_tail(h, m, c, csz, sz, big);
}
WIDTH_COPIES(void *, alloc_cut, (struct fwm_heap *h, chunkid_t c, chunksz_t csz, chunksz_t sz, unsigned b),
	     h, c, csz, sz, b)

/* sz units from the first chunk of the smallest bucket in above (not
 * empty); any chunk of it fits. */
HEAP_BODY void *alloc_above(struct fwm_heap *h, chunksz_t sz, uint32_t above, bool big)
{
	chunkmem_t m = chunkmem(h);
	unsigned b = fwm_ctz_u32(above);
	chunkid_t c = h->bucket[b];
	chunksz_t csz = chunk_size(m, c, big);

	if (!HEAP_FAST || FWM_UNLIKELY(((csz - sz) >> b) == 0))
		return BY_WIDTH_CALL(alloc_cut, big, h, c, csz, sz, b);
	return alloc_tail(h, m, c, csz, sz, big);
}

/* sz units from a bucket above sz's own, or NULL. */
HEAP_BODY void *alloc_larger(struct fwm_heap *h, chunksz_t sz, bool big)
{
	uint32_t above = h->avail & (~1u << bucket_of(sz));

	if (FWM_UNLIKELY(above == 0))
		return alloc_failed(h);
	return alloc_above(h, sz, above, big);
}
WIDTH_COPIES(void *, alloc_larger, (struct fwm_heap *h, chunksz_t sz), h, sz)

/* The best fit for sz units among at most loops chunks of a ring, from
 * *c on: NO_CHUNK if none fits; *waste (in: the best so far) gets its
 * units beyond sz. *c is left at the last chunk looked at, *next at the
 * one after it (the first again when the ring was walked round). A
 * chunk's waste csz - sz wraps to a huge number when it is too small, so
 * one compare both tests the fit and keeps the best. */
HEAP_BODY chunkid_t best_fit(chunkmem_t m, chunksz_t sz, chunkid_t first, chunkid_t *c, chunkid_t *next,
			     unsigned loops, chunksz_t *waste, bool big)
{
	chunkid_t best = NO_CHUNK, at = *c, after = at;

	for (;;) {
		chunksz_t d = chunk_size(m, at, big) - sz;

		if (d < *waste) {
			best = at;
			*waste = d;
			if (d == 0)
				break;
		}
		after = next_free(m, at, big);
		if (after == first || --loops == 0)
			break;
		at = after;
	}
	*c = at;
	*next = after;
	return best;
}

/* sz units when sz's own bucket b has chunks: the best fit among
 * CONFIG_SYS_HEAP_ALLOC_LOOPS of them (they may be too small), or among
 * CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST when no larger bucket has a chunk; else
 * from a larger bucket. When none fits, the next search of bucket b starts
 * after the chunks looked at. */
HEAP_BODY void *alloc_own(struct fwm_heap *h, chunksz_t sz, unsigned b, bool big)
{
	chunkmem_t m = chunkmem(h);
	chunkid_t first = h->bucket[b], c = first, next = first;
	chunksz_t waste = ~(chunksz_t)0 >> 1;
	unsigned loops = HEAP_FAST || (h->avail & (~1u << b)) ? CONFIG_SYS_HEAP_ALLOC_LOOPS
							     : CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST;
	chunkid_t best = best_fit(m, sz, first, &c, &next, loops, &waste, big);

	/* The fast path looks at the first few, and further only when that
	 * could change the answer: none of them fitted exactly, the ring goes
	 * on, and nothing larger is left. */
	if (HEAP_FAST && FWM_UNLIKELY(waste != 0 && next != first && (h->avail & (~1u << b)) == 0)) {
		chunkid_t more;

		c = next;
		more = best_fit(m, sz, first, &c, &next,
				CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST - CONFIG_SYS_HEAP_ALLOC_LOOPS, &waste, big);
		if (more != NO_CHUNK)
			best = more;
	}
	if (best != NO_CHUNK)
		return alloc_cut(h, best, sz + waste, sz, b, big);
	h->bucket[b] = (uint32_t)(next == first ? c : next);
	return BY_WIDTH_CALL(alloc_larger, big, h, sz);
}
WIDTH_COPIES(void *, alloc_own, (struct fwm_heap *h, chunksz_t sz, unsigned b), h, sz, b)

/* A used chunk of sz units (1 <= sz <= h->end + 1), or NULL. O(1): at most
 * CONFIG_SYS_HEAP_ALLOC_LOOPS_LAST chunks are looked at. */
HEAP_BODY void *alloc_units(struct fwm_heap *h, chunksz_t sz, bool big)
{
	unsigned b = bucket_of(sz);
	uint32_t avail = h->avail;

	if ((avail >> b) & 1u)
		return BY_WIDTH_CALL(alloc_own, big, h, sz, b);
	uint32_t above = avail & (~1u << b);

	if (FWM_UNLIKELY(above == 0))
		return alloc_failed(h);
	return alloc_above(h, sz, above, big);
}
WIDTH_COPIES(void *, alloc_units, (struct fwm_heap *h, chunksz_t sz), h, sz)

HEAP_BODY void *heap_alloc(struct fwm_heap *h, size_t bytes, bool big)
{
	if (FWM_UNLIKELY(bytes - 1 >= units_to_bytes(h->end)))
		return alloc_failed(h);
	return alloc_units(h, bytes_to_units(bytes, big), big);
}

/* ---- free -------------------------------------------------------------------------- */

/* Makes used chunk c of sz units free when neither neighbour is. */
HEAP_BODY void free_alone(struct fwm_heap *h, chunkid_t c, chunksz_t sz, bool big)
{
	chunkmem_t m = chunkmem(h);

	set_chunk(m, c, sz, false, big);
	free_list_add(h, m, c, sz, big);
}
WIDTH_COPIES_VOID(free_alone, (struct fwm_heap *h, chunkid_t c, chunksz_t sz), h, c, sz)

/* Merges used chunk c of sz units with its free left neighbour of lfree
 * units, which keeps its place on its ring unless it grows out of its
 * bucket. c's header is marked free too, so that a second free of it is
 * recognised. */
HEAP_BODY void merge_left(struct fwm_heap *h, chunkid_t c, chunksz_t sz, chunksz_t lfree, bool big)
{
	chunkmem_t m = chunkmem(h);
	chunkid_t left = c - lfree;

	set_chunk(m, c, sz, false, big);
	sz += lfree;
	set_chunk(m, left, sz, false, big);
	set_left_size(m, left + sz, sz, big);
	if (leaves_bucket(lfree, sz)) {
		free_list_remove(h, m, left, bucket_of(lfree), big);
		free_list_add(h, m, left, sz, big);
	}
}
WIDTH_COPIES_VOID(merge_left, (struct fwm_heap *h, chunkid_t c, chunksz_t sz, chunksz_t lfree), h, c, sz, lfree)

/* Merges used chunk c of sz units with its free right neighbour of rfree
 * units: c takes that neighbour's place on its ring if the merged chunk
 * stays in its bucket. */
HEAP_BODY void merge_right(struct fwm_heap *h, chunkid_t c, chunksz_t sz, chunksz_t rfree, bool big)
{
	chunkmem_t m = chunkmem(h);
	chunkid_t r = c + sz;

	sz += rfree;
	set_chunk(m, c, sz, false, big);
	set_left_size(m, c + sz, sz, big);
	if (HEAP_FAST && !leaves_bucket(rfree, sz)) {
		free_list_replace(h, m, r, c, bucket_of(rfree), big);
		return;
	}
	free_list_remove(h, m, r, bucket_of(rfree), big);
	free_list_add(h, m, c, sz, big);
}
WIDTH_COPIES_VOID(merge_right, (struct fwm_heap *h, chunkid_t c, chunksz_t sz, chunksz_t rfree), h, c, sz, rfree)

/* Merges used chunk c of sz units with both neighbours, free: the right one
 * (rfree units) leaves its ring, then as merge_left. */
HEAP_BODY void merge_both(struct fwm_heap *h, chunkid_t c, chunksz_t sz, chunksz_t lfree, chunksz_t rfree,
			  bool big)
{
	chunkmem_t m = chunkmem(h);

	free_list_remove(h, m, c + sz, bucket_of(rfree), big);
	sz += rfree;
	set_left_size(m, c + sz, sz, big);
	merge_left(h, c, sz, lfree, big);
}
WIDTH_COPIES_VOID(merge_both, (struct fwm_heap *h, chunkid_t c, chunksz_t sz, chunksz_t lfree, chunksz_t rfree),
		  h, c, sz, lfree, rfree)

/* Makes used chunk c of sz units free, merging it with free neighbours:
 * lsz is the left one's size, lfree nonzero if it is free; rw the right
 * one's header word. The chunk right of c has left size sz. O(1). */
HEAP_BODY void release(struct fwm_heap *h, chunkid_t c, chunksz_t sz, chunksz_t lsz, chunksz_t lfree, chunksz_t rw,
		       bool big)
{
	if (!word_used(rw, big)) {
		if (lfree != 0)
			BY_WIDTH_CALL(merge_both, big, h, c, sz, lsz, word_size(rw, big));
		else
			BY_WIDTH_CALL(merge_right, big, h, c, sz, word_size(rw, big));
	} else if (lfree != 0) {
		BY_WIDTH_CALL(merge_left, big, h, c, sz, lsz);
	} else {
		BY_WIDTH_CALL(free_alone, big, h, c, sz);
	}
}

/* release(), reading the neighbours' header words itself. */
HEAP_BODY void release_chunk(struct fwm_heap *h, chunkid_t c, chunksz_t sz, bool big)
{
	chunkmem_t m = chunkmem(h);
	chunksz_t lw = chunk_word(m, left_chunk(m, c, big), big);

	release(h, c, sz, word_size(lw, big), !word_used(lw, big), chunk_word(m, c + sz, big), big);
}

/* ---- the free-path check ---------------------------------------------------- */

/* What the free path knows about a block after its O(1) checks. */
struct checked {
	bool ok;         /* false: refused (and reported) */
	chunksz_t sz;
	chunksz_t lsz;   /* left neighbour's size */
	chunksz_t lfree; /* nonzero if the left neighbour is free */
	chunksz_t rw;    /* right neighbour's header word */
};

/* Refuses chunk c (< h->end), marked free: a double free if its size is
 * one a block freed before could have, else an overwritten header. */
static FWM_NOINLINE void refuse_free(struct fwm_heap *h, chunkid_t c, bool big)
{
	chunkmem_t m = chunkmem(h);
	chunksz_t sz = chunk_size(m, c, big);

	refuse(h, sz - 1 < h->end - c ? FWM_HEAP_FAULT_DOUBLE_FREE : FWM_HEAP_FAULT_HEADER,
	       chunk_mem(m, c, big));
}

/* Chunk c (< h->end) must be used; its size must equal its right
 * neighbour's left size, and its left size lsz its left neighbour's size
 * (chunk 0 has left size 0). The neighbours' header words are read anyway,
 * for merging. A used chunk's word is its size, so c's word is sz and the
 * left neighbour's is lsz, or lsz with the free bit: their difference is
 * nothing else. */
HEAP_BODY struct checked check_chunk(struct fwm_heap *h, chunkmem_t m, chunkid_t c, bool big)
{
	struct checked k = { false, 0, 0, 0, 0 };
	chunksz_t sz = chunk_word(m, c, big);
	chunksz_t lsz = left_size(m, c, big);

	if (FWM_UNLIKELY(!word_used(sz, big))) {
		refuse_free(h, c, big);
		return k;
	}
	/* sz == 0 or the right neighbour past the end: one compare. */
	if (FWM_UNLIKELY(sz - 1 >= h->end - c || lsz > c || left_size(m, c + sz, big) != sz))
		goto bad;
	k.lfree = chunk_word(m, c - lsz, big) ^ lsz;
	if (FWM_UNLIKELY(word_size(k.lfree, big) != 0)) {
		if ((lsz | c) != 0)
			goto bad;
		k.lfree = 0;
	}
	k.rw = chunk_word(m, c + sz, big);
	k.sz = sz;
	k.lsz = lsz;
	k.ok = true;
	return k;
bad:
	refuse(h, FWM_HEAP_FAULT_HEADER, chunk_mem(m, c, big));
	return k;
}

/* The chunk whose block mem is, or NO_CHUNK (reported) if mem is not the
 * block of a chunk of this heap. A misaligned offset rotates into the
 * high bits, so one compare checks both. */
HEAP_BODY chunkid_t block_chunk(struct fwm_heap *h, chunkmem_t m, void *mem, bool big)
{
	size_t c = offset_rotated(mem_offset(m, mem, big));

	if (FWM_UNLIKELY(c >= h->end)) {
		refuse(h, FWM_HEAP_FAULT_FOREIGN, mem);
		return NO_CHUNK;
	}
	return (chunkid_t)c;
}

/* Frees chunk c (< h->end) after the checks. */
HEAP_BODY void free_chunk(struct fwm_heap *h, chunkid_t c, bool big)
{
	struct checked k = check_chunk(h, chunkmem(h), c, big);

	if (FWM_UNLIKELY(!k.ok))
		return;
	h->allocated_bytes -= units_to_bytes(k.sz);
	h->frees++;
	release(h, c, k.sz, k.lsz, k.lfree, k.rw, big);
}

HEAP_BODY void heap_free(struct fwm_heap *h, void *mem, bool big)
{
	if (mem == NULL)
		return;
	chunkid_t c = block_chunk(h, chunkmem(h), mem, big);

	if (c != NO_CHUNK)
		free_chunk(h, c, big);
}

/* Frees the last sz - keep units of used chunk c, if they can be a chunk. */
HEAP_BODY void trim(struct fwm_heap *h, chunkmem_t m, chunkid_t c, chunksz_t sz, chunksz_t keep, bool big)
{
	if (sz - keep < min_chunk(big))
		return;
	chunkid_t tail = c + keep;

	set_chunk(m, c, keep, true, big);
	set_left_size(m, tail, keep, big);
	set_left_size(m, c + sz, sz - keep, big);
	h->allocated_bytes -= units_to_bytes(sz - keep);
	release(h, tail, sz - keep, keep, 0, chunk_word(m, c + sz, big), big);
}

/* ---- aligned alloc and realloc ------------------------------------------------ */

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
			h->bucket[b] = (uint32_t)c;
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
			return alloc_failed(h);
		return heap_alloc(h, bytes, big);
	}
	if (FWM_UNLIKELY(!fwm_is_pow2(align) || align > units_to_bytes(h->end) ||
			 bytes - 1 >= units_to_bytes(h->end)))
		return alloc_failed(h);
	chunksz_t sz = bytes_to_units(bytes, big);
	chunksz_t gap;
	chunkid_t c = find_aligned(h, m, sz, align, &gap, big);

	if (c == NO_CHUNK)
		return alloc_failed(h);
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
}
WIDTH_COPIES(void *, heap_aligned_alloc, (struct fwm_heap *h, size_t align, size_t bytes), h, align, bytes)

HEAP_BODY void *heap_realloc(struct fwm_heap *h, void *ptr, size_t align, size_t bytes, bool big)
{
	chunkmem_t m = chunkmem(h);

	if (ptr == NULL)
		return heap_aligned_alloc(h, align, bytes, big);
	if (bytes == 0) {
		heap_free(h, ptr, big);
		return NULL;
	}
	chunkid_t c = block_chunk(h, m, ptr, big);

	if (FWM_UNLIKELY(c == NO_CHUNK))
		return alloc_failed(h);
	struct checked k = check_chunk(h, m, c, big);

	if (FWM_UNLIKELY(!k.ok || (align & (align - 1)) != 0 || bytes > units_to_bytes(h->end)))
		return alloc_failed(h);
	chunksz_t sz = k.sz;
	chunksz_t need = bytes_to_units(bytes, big);

	if (align <= CHUNK_UNIT || ((uintptr_t)ptr & (align - 1)) == 0) {
		if (need <= sz) {                   /* shrink in place */
			trim(h, m, c, sz, need, big);
			h->reallocs++;
			return ptr;
		}
		chunksz_t rsz = word_size(k.rw, big);

		if (!word_used(k.rw, big) && sz + rsz >= need) { /* grow into the right neighbour */
			free_list_remove(h, m, c + sz, bucket_of(rsz), big);
			set_chunk(m, c, sz + rsz, true, big);
			set_left_size(m, c + sz + rsz, sz + rsz, big);
			count_used(h, rsz);
			trim(h, m, c, sz + rsz, need, big);
			h->reallocs++;
			return ptr;
		}
	}
	/* Move. The allocation counts one; this is a realloc. */
	void *mem = HEAP_FAST && align <= CHUNK_UNIT ? BY_WIDTH_CALL(alloc_units, big, h, need)
						     : BY_WIDTH_CALL(heap_aligned_alloc, big, h, align, bytes);

	if (mem == NULL)
		return NULL;
	h->allocs--;
	h->reallocs++;
	size_t keep = units_to_bytes(sz) - header_bytes(big);

	memcpy(mem, ptr, keep < bytes ? keep : bytes);
	/* The new block may have been cut from a free neighbour: re-read. */
	h->allocated_bytes -= units_to_bytes(sz);
	release_chunk(h, c, sz, big);
	return mem;
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
	h->end = (uint32_t)units;
	if (!big) {
		h->fast_end = units;
		h->fast_bytes = units_to_bytes((chunksz_t)units);
	}

	chunkmem_t m = chunkmem(h);

	set_chunk(m, h->end, 0, true, big);          /* end marker */
	set_left_size(m, h->end, h->end, big);
	set_chunk(m, 0, h->end, false, big);         /* one free chunk */
	set_left_size(m, 0, 0, big);
	free_list_add(h, m, 0, h->end, big);
}

#ifdef __OPTIMIZE_SIZE__
/* One body per operation, taking the header width at run time: the
 * smallest code. */
void *fwm_heap_alloc(struct sys_heap *heap, size_t bytes)
{
	return heap_alloc(&heap->fwm, bytes, HEAP_BIG(&heap->fwm));
}

void fwm_heap_free(struct sys_heap *heap, void *mem)
{
	heap_free(&heap->fwm, mem, HEAP_BIG(&heap->fwm));
}

void *fwm_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	return heap_aligned_alloc(&heap->fwm, align, bytes, HEAP_BIG(&heap->fwm));
}

void *fwm_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes)
{
	return heap_realloc(&heap->fwm, ptr, align, bytes, HEAP_BIG(&heap->fwm));
}
#else
/* alloc and free test the request against limits that are 0 unless the
 * heap has 4-byte headers (fast_bytes, fast_end), so that one compare
 * takes them to the small copy inlined here; everything else (big heaps,
 * NULL, zero or impossible sizes, foreign pointers) goes the slow way. */
static FWM_NOINLINE void *alloc_big(struct fwm_heap *h, size_t bytes) { return heap_alloc(h, bytes, true); }
static FWM_NOINLINE void free_big(struct fwm_heap *h, void *mem) { heap_free(h, mem, true); }
static FWM_NOINLINE void *realloc_small(struct fwm_heap *h, void *ptr, size_t align, size_t bytes) { return heap_realloc(h, ptr, align, bytes, false); }
static FWM_NOINLINE void *realloc_big(struct fwm_heap *h, void *ptr, size_t align, size_t bytes) { return heap_realloc(h, ptr, align, bytes, true); }

static FWM_NOINLINE void *alloc_slow(struct fwm_heap *h, size_t bytes)
{
	return HEAP_BIG(h) ? alloc_big(h, bytes) : alloc_failed(h);
}

/* The pointer fwm_heap_free took for a small heap's chunk c (rotated). */
static FWM_NOINLINE void free_slow(struct fwm_heap *h, size_t c)
{
	void *mem = (void *)((uintptr_t)chunk_mem(chunkmem(h), 0, false) + offset_unrotated(c));

	if (HEAP_BIG(h))
		free_big(h, mem);
	else if (mem != NULL)
		refuse(h, FWM_HEAP_FAULT_FOREIGN, mem);
}

void *fwm_heap_alloc(struct sys_heap *heap, size_t bytes)
{
	struct fwm_heap *h = &heap->fwm;

	if (FWM_LIKELY(bytes - 1 < h->fast_bytes))
		return alloc_units(h, bytes_to_units(bytes, false), false);
	return alloc_slow(h, bytes);
}

void fwm_heap_free(struct sys_heap *heap, void *mem)
{
	struct fwm_heap *h = &heap->fwm;
	size_t c = offset_rotated(mem_offset(chunkmem(h), mem, false));

	if (FWM_LIKELY(c < h->fast_end))
		free_chunk(h, (chunkid_t)c, false);
	else
		free_slow(h, c);
}

void *fwm_heap_aligned_alloc(struct sys_heap *heap, size_t align, size_t bytes)
{
	struct fwm_heap *h = &heap->fwm;

	return BY_WIDTH_CALL(heap_aligned_alloc, HEAP_BIG(h), h, align, bytes);
}

void *fwm_heap_aligned_realloc(struct sys_heap *heap, void *ptr, size_t align, size_t bytes)
{
	struct fwm_heap *h = &heap->fwm;

	return HEAP_BIG(h) ? realloc_big(h, ptr, align, bytes) : realloc_small(h, ptr, align, bytes);
}
#endif

#define BY_WIDTH(h, call_big, call_small) (HEAP_BIG(h) ? (call_big) : (call_small))

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
