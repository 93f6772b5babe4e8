/* fwmem target agent: sys_heap chunk layout (private to the heap sources).
 *
 * Design. The heap's memory is an array of 8-byte units. A chunk is a run
 * of units that starts with a header; chunk ids are unit indices from
 * h->base, sizes are counted in units. Two header widths exist, chosen at
 * init from the heap size:
 *
 *   small (up to 32767 units, 256 KiB): 16-bit fields, 4-byte header;
 *          h->base is 4 mod 8, so the block after each header is 8-aligned.
 *   big   (more units):                 32-bit fields, 8-byte header;
 *          h->base is 0 mod 8.
 *
 *   field  0              1            2           3
 *        +--------------+------------+-----------+-----------+---------
 *        | size [|free] | left size  | next free | prev free | ...
 *        +--------------+------------+-----------+-----------+---------
 *        |<--- header (every chunk) ->|<- free chunks only: the first
 *                                        bytes of what a block would use
 *
 * A used chunk's first field is its size; a free chunk's has the field's
 * top bit (free_bit) set as well. So the free path, which must find the
 * chunk used, reads its size with no decoding, and its left neighbour's
 * field is either exactly its left size or that with the free bit: one
 * compare checks it.
 *
 * Why this order: the size word comes first, so an overflow out of the
 * block below (which writes upward) hits it before anything else, and the
 * free path's O(1) check (a chunk's size must equal its right neighbour's
 * "left size", and its left size must equal its left neighbour's size)
 * catches the damage. The free-list links sit right after the header, so a
 * free chunk of one unit (small) or two (big) can carry them: 4 fields of
 * the header's width are exactly the minimum chunk.
 *
 * Chunk 0 starts at h->base and has left size 0: it has no left neighbour.
 * An end marker, a header with size 0 marked used, sits at unit h->end; it
 * stops merges to the right. Free chunks are never adjacent (merged at
 * once) and sit on circular doubly-linked lists, one per power-of-two
 * bucket (floor(log2(size))); bit b of h->avail says bucket b's list is
 * non-empty and h->bucket[b] is one of its chunks.
 *
 * Every function below takes `big` as its last argument. The algorithm
 * functions (HEAP_BODY) are compiled once per width when optimising for
 * speed (inlined into, or copied by WIDTH_COPIES as, a function per
 * width), so the width is a compile-time constant in each and the
 * accessors cost no branch; at -Os there is one copy, taking it at run
 * time.
 */
#ifndef FWMEM_HEAP_LAYOUT_H
#define FWMEM_HEAP_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "fwmem/compiler.h"
#include "fwmem/heap.h"

/* Both are stored in 16 or 32 bits; they are register-wide here, so that
 * they index memory with no widening. */
typedef size_t chunkid_t; /* unit index of a chunk's header from h->base */
typedef size_t chunksz_t; /* a length in 8-byte units */

#define CHUNK_UNIT 8u
#define NO_CHUNK (~(chunkid_t)0)
#define SMALL_MAX_UNITS 0x7fffu       /* sizes leave the free bit clear: 16 bits */
#define BIG_MAX_UNITS 0x7fffffffu     /* ... 32 bits */

enum chunk_field { SIZE_AND_USED = 0, LEFT_SIZE = 1, FREE_NEXT = 2, FREE_PREV = 3 };

FWM_STATIC_ASSERT(4 * sizeof(uint16_t) == 1 * CHUNK_UNIT, "small free chunk = 1 unit");
FWM_STATIC_ASSERT(4 * sizeof(uint32_t) == 2 * CHUNK_UNIT, "big free chunk = 2 units");
FWM_STATIC_ASSERT(SMALL_MAX_UNITS < (1u << FWM_HEAP_NBUCKETS) || FWM_HEAP_NBUCKETS >= 15,
		  "buckets cover small heaps");
#ifndef CONFIG_SYS_HEAP_SMALL_ONLY
FWM_STATIC_ASSERT(FWM_HEAP_NBUCKETS == 31, "buckets cover 2^31 - 1 units");
#endif

/* The algorithm bodies: inlined into each public function, once per header
 * width, when optimising for speed; ordinary functions taking the width at
 * run time when optimising for size (-Os), where one copy is worth more
 * than the branches it costs. */
#ifdef __OPTIMIZE_SIZE__
#define HEAP_BODY static
#else
#define HEAP_BODY FWM_ALWAYS_INLINE
#endif

/* 1 when optimising for speed. Shortcuts that only save time (a chunk
 * taking another's place on a list, a lone chunk moving to an empty list,
 * a second look further into a bucket) are taken only then; at -Os the
 * general path, which has the same result, is smaller. */
#ifdef __OPTIMIZE_SIZE__
#define HEAP_FAST 0
#else
#define HEAP_FAST 1
#endif

#if defined(CONFIG_SYS_HEAP_SMALL_ONLY)
#define HEAP_BIG(h) false
#elif defined(CONFIG_SYS_HEAP_BIG_ONLY)
#define HEAP_BIG(h) true
#else
#define HEAP_BIG(h) ((h)->big != 0)
#endif

/* ---- widths --------------------------------------------------------- */
FWM_ALWAYS_INLINE size_t header_bytes(bool big) { return big ? 8u : 4u; }
FWM_ALWAYS_INLINE chunksz_t min_chunk(bool big) { return big ? 2u : 1u; }
FWM_ALWAYS_INLINE size_t units_to_bytes(chunksz_t sz) { return (size_t)sz * CHUNK_UNIT; }
/* Units for a block of `bytes` plus its header; bytes <= h->end * 8. */
FWM_ALWAYS_INLINE chunksz_t bytes_to_units(size_t bytes, bool big) { return (chunksz_t)((bytes + header_bytes(big) + CHUNK_UNIT - 1) / CHUNK_UNIT); }
FWM_ALWAYS_INLINE unsigned bucket_of(chunksz_t sz) { return fwm_log2_u32((uint32_t)sz); }
/* bucket_of(big) != bucket_of(small), for small <= big, without either. */
FWM_ALWAYS_INLINE bool leaves_bucket(chunksz_t small, chunksz_t big) { return (small ^ big) >= small; }

/* The chunk memory of a heap, passed by value so that it lives in a
 * register: headers are written through may_alias pointers, after which
 * h->base would otherwise have to be loaded again. */
typedef struct { unsigned char *base; } chunkmem_t;
FWM_ALWAYS_INLINE chunkmem_t chunkmem(const struct fwm_heap *h) { return (chunkmem_t){ h->base }; }

/* ---- raw fields ------------------------------------------------------ */
FWM_ALWAYS_INLINE unsigned char *chunk_ptr(chunkmem_t m, chunkid_t c) { return m.base + units_to_bytes(c); }
FWM_ALWAYS_INLINE chunksz_t chunk_field(chunkmem_t m, chunkid_t c, enum chunk_field f, bool big) { return big ? ((const fwm_u32_alias *)(void *)chunk_ptr(m, c))[f] : ((const fwm_u16_alias *)(void *)chunk_ptr(m, c))[f]; }
FWM_ALWAYS_INLINE void set_chunk_field(chunkmem_t m, chunkid_t c, enum chunk_field f, chunksz_t v, bool big) { if (big) ((fwm_u32_alias *)(void *)chunk_ptr(m, c))[f] = (uint32_t)v; else ((fwm_u16_alias *)(void *)chunk_ptr(m, c))[f] = (uint16_t)v; }

/* ---- size and free bit (one word: read it once, then split it) --------- */
FWM_ALWAYS_INLINE chunksz_t free_bit(bool big) { return big ? 0x80000000u : 0x8000u; }
FWM_ALWAYS_INLINE chunksz_t word_size(chunksz_t w, bool big) { return w & (free_bit(big) - 1u); }
FWM_ALWAYS_INLINE bool word_used(chunksz_t w, bool big) { return (w & free_bit(big)) == 0; }
FWM_ALWAYS_INLINE chunksz_t chunk_word(chunkmem_t m, chunkid_t c, bool big) { return chunk_field(m, c, SIZE_AND_USED, big); }
FWM_ALWAYS_INLINE chunksz_t chunk_size(chunkmem_t m, chunkid_t c, bool big) { return word_size(chunk_word(m, c, big), big); }
FWM_ALWAYS_INLINE bool chunk_used(chunkmem_t m, chunkid_t c, bool big) { return word_used(chunk_word(m, c, big), big); }
FWM_ALWAYS_INLINE void set_chunk(chunkmem_t m, chunkid_t c, chunksz_t sz, bool used, bool big) { set_chunk_field(m, c, SIZE_AND_USED, used ? sz : sz | free_bit(big), big); }

/* ---- neighbours ------------------------------------------------------ */
FWM_ALWAYS_INLINE chunksz_t left_size(chunkmem_t m, chunkid_t c, bool big) { return chunk_field(m, c, LEFT_SIZE, big); }
FWM_ALWAYS_INLINE void set_left_size(chunkmem_t m, chunkid_t c, chunksz_t sz, bool big) { set_chunk_field(m, c, LEFT_SIZE, sz, big); }
FWM_ALWAYS_INLINE chunkid_t left_chunk(chunkmem_t m, chunkid_t c, bool big) { return c - left_size(m, c, big); }
FWM_ALWAYS_INLINE chunkid_t right_chunk(chunkmem_t m, chunkid_t c, bool big) { return c + chunk_size(m, c, big); }

/* ---- free-list links (free chunks only) ------------------------------- */
FWM_ALWAYS_INLINE chunkid_t next_free(chunkmem_t m, chunkid_t c, bool big) { return chunk_field(m, c, FREE_NEXT, big); }
FWM_ALWAYS_INLINE chunkid_t prev_free(chunkmem_t m, chunkid_t c, bool big) { return chunk_field(m, c, FREE_PREV, big); }
FWM_ALWAYS_INLINE void set_next_free(chunkmem_t m, chunkid_t c, chunkid_t n, bool big) { set_chunk_field(m, c, FREE_NEXT, n, big); }
FWM_ALWAYS_INLINE void set_prev_free(chunkmem_t m, chunkid_t c, chunkid_t p, bool big) { set_chunk_field(m, c, FREE_PREV, p, big); }
/* Both links of c, as two stores: the empty asm between them keeps the
 * compiler from merging them into one wider store, which takes more
 * instructions to assemble than it saves. */
FWM_ALWAYS_INLINE void set_free_links(chunkmem_t m, chunkid_t c, chunkid_t n, chunkid_t p, bool big)
{
	set_next_free(m, c, n, big);
	__asm__("" : : : "memory");
	set_prev_free(m, c, p, big);
}

/* ---- blocks ----------------------------------------------------------- */
FWM_ALWAYS_INLINE void *chunk_mem(chunkmem_t m, chunkid_t c, bool big) { return chunk_ptr(m, c) + header_bytes(big); }
/* Byte offset of mem from chunk 0's block; the block of chunk c iff it is
 * c * 8 (unsigned: pointers below the heap come out huge). */
FWM_ALWAYS_INLINE size_t mem_offset(chunkmem_t m, const void *mem, bool big) { return (size_t)((uintptr_t)mem - (uintptr_t)m.base - header_bytes(big)); }
FWM_ALWAYS_INLINE chunkid_t offset_chunk(size_t off) { return (chunkid_t)(off / CHUNK_UNIT); }
/* off / 8 if off is a multiple of 8, else at least 2^(w-3) (w: bits of
 * size_t), which no heap's end reaches (its bytes would not fit the
 * address space): off rotated right by 3, so that one compare with
 * h->end checks both. offset_unrotated gives off back. */
FWM_ALWAYS_INLINE size_t offset_rotated(size_t off) { return off >> 3 | off << (sizeof(size_t) * 8 - 3); }
FWM_ALWAYS_INLINE size_t offset_unrotated(size_t c) { return c << 3 | c >> (sizeof(size_t) * 8 - 3); }
FWM_ALWAYS_INLINE bool offset_in_heap(const struct fwm_heap *h, size_t off) { return off < units_to_bytes(h->end) && (off & (CHUNK_UNIT - 1)) == 0; }
FWM_ALWAYS_INLINE size_t chunk_usable(chunkmem_t m, chunkid_t c, bool big) { return units_to_bytes(chunk_size(m, c, big)) - header_bytes(big); }

#endif /* FWMEM_HEAP_LAYOUT_H */
