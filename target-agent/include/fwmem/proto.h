/* fwmem wire protocol, version 1: the one source of truth for the bytes
 * between the target agent's telemetry encoder and the host decoder
 * (lib/proto.c). man/fwmem-protocol.5 says the same in prose; the golden
 * vectors in tests/unit/test_proto.c pin every frame type byte for byte.
 * Freestanding: this header needs only <stdint.h>, <stddef.h>, <stdbool.h>.
 *
 * Design. A stream is a sequence of frames. Each frame is COBS-encoded and
 * followed by one 0x00 byte, so 0x00 never occurs inside a frame and a
 * reader that joins mid-stream, or loses bytes to line noise, is back in
 * step at the next 0x00. Decoded, a frame is
 *
 *   +------+-----+----------+----------------------+-----------+
 *   | tv   | seq | dt       | payload              | crc16     |
 *   | u8   | u8  | uvarint  | per type (below)     | u16, MSB  |
 *   +------+-----+----------+----------------------+-----------+
 *
 *   tv    version in bits 7..6 (FWM_PROTO_VERSION, 1), type in bits 5..0;
 *   seq   the frame's index modulo 256: the host counts a gap as lost
 *         frames; HELLO and SYNC frames carry the full index;
 *   dt    ticks since the previous frame (uvarint); HELLO and SYNC carry
 *         absolute ticks instead and have dt 0;
 *   crc16 CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no
 *         final xor) of every byte before it, most significant byte first,
 *         so the CRC of a whole good frame is 0.
 *
 * Why CRC-16 and not CRC-32: frames are at most FWM_PROTO_FRAME_MAX (254)
 * bytes, 2032 bits. At that length CRC-16/CCITT has Hamming distance 4:
 * every 1-, 2- and 3-bit error, every odd number of bit errors and every
 * burst of up to 16 bits is caught, and random damage slips through with
 * probability 2^-16, before the COBS structure, the version bits and the
 * field parse each reject most of what is left. CRC-32 would add two bytes
 * to a 15-byte alloc frame (13 %) for protection a UART link does not need,
 * and needs a 1 KiB table (or four times the instructions a byte without
 * one); CRC-16 below takes a 512-byte table, or none.
 *
 * Why frames are at most 254 bytes: COBS then costs exactly one byte per
 * frame (one code byte; every zero inside becomes a code byte), so a frame
 * of n bytes is n + 2 bytes on the wire, delimiter included, whatever it
 * holds. Larger snapshots (fragmentation maps, block bitmaps) are split.
 *
 * Field encodings used in the layouts below:
 *   u8    one byte;
 *   uv    unsigned LEB128 varint: 7 bits a byte, least significant group
 *         first, bit 7 set on every byte but the last; at most 10 bytes
 *         (64 bits); a decoder rejects an 11th byte or bits beyond 64;
 *   sv    a signed value as uv of its zigzag form ((v << 1) ^ (v >> 63));
 *   ptr   an address in a heap, as uv of a value v relative to the heap's
 *         registered base (0 if unknown), arithmetic modulo 2^(8 * ptr
 *         size): for an address that is a multiple of 8 (every block of
 *         sys_heap, heap_4, newlib),
 *             v = ((address - (base & ~7)) >> 3) << 1      (bit 0 clear)
 *         else
 *             v = ((address - base) << 1) | 1               (bit 0 set)
 *         so a block of a 64 KiB heap takes 2 bytes, not 3 (or 5 absolute);
 *         fwm_proto_ptr_unpack() below reverses it;
 *   code  a code address as uv of (address - code_base) modulo 2^(8 * ptr
 *         size), code_base from HELLO;
 *   str   uv length, then that many bytes (no terminating NUL; any bytes);
 *   ...   the fields that follow.
 * A later minor version may append fields at the end of any payload; a
 * decoder ignores bytes after the fields it knows. A payload shorter than
 * its fields is malformed.
 *
 * A typical alloc event (ALLOC, 64 bytes from a heap of up to 64 KiB, caller
 * within 2 MiB of code_base, thread id < 128, dt < 128 ticks) is 13 bytes
 * before COBS and 15 on the wire:
 *   tv seq dt | heap ptr ptr size caller caller caller thread | crc crc
 *   + COBS code byte + 0x00 delimiter.
 */
#ifndef FWMEM_PROTO_H
#define FWMEM_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define FWM_PROTO_VERSION       1u    /* bits 7..6 of tv */
#define FWM_PROTO_MINOR         0u    /* HELLO's minor version */
#define FWM_PROTO_TV(type)      ((uint8_t)((FWM_PROTO_VERSION << 6) | ((type) & 0x3fu)))
#define FWM_PROTO_TV_VERSION(tv) ((unsigned)(tv) >> 6)
#define FWM_PROTO_TV_TYPE(tv)   ((unsigned)(tv) & 0x3fu)

/* Sizes. FRAME_MAX: a decoded frame, tv through crc. WIRE_MAX: the same
 * COBS-encoded with its delimiter. HEAD_MAX: tv + seq + a 5-byte dt.
 * BODY_MAX: what an encoder may put after tv and seq (dt + payload). */
#define FWM_PROTO_FRAME_MAX     254u
#define FWM_PROTO_WIRE_MAX      (FWM_PROTO_FRAME_MAX + 2u)
#define FWM_PROTO_FRAME_MIN     5u    /* tv seq dt crc crc */
#define FWM_PROTO_CRC_BYTES     2u
#define FWM_PROTO_BODY_MAX      (FWM_PROTO_FRAME_MAX - 2u - FWM_PROTO_CRC_BYTES)
#define FWM_PROTO_UV_MAX        10u   /* bytes of a 64-bit uv */
#define FWM_PROTO_UV32_MAX      5u    /* bytes of a 32-bit uv */
#define FWM_PROTO_NAME_MAX      32u   /* names (heaps, pools, threads, cpu) are cut here */
#define FWM_PROTO_BUILD_ID_MAX  32u   /* GNU build-id bytes sent (SHA-1 has 20) */
#define FWM_PROTO_NBUCKETS_MAX  32u   /* heap stats histogram buckets */

/* Frame types (tv bits 5..0). 0, 6, 7, 22, 23 and 26..63 are unassigned; a
 * decoder passes a good frame of an unknown type on as raw bytes. */
enum fwm_proto_type {
	/* stream control */
	FWM_FT_HELLO = 1,          /* who is talking; frame index 0 at boot */
	FWM_FT_SYNC = 2,           /* full index and absolute time */
	FWM_FT_DROPS = 3,          /* events the agent could not queue */
	FWM_FT_LOG = 4,            /* a line of text */
	FWM_FT_SUMMARY = 5,        /* end of run */
	/* heaps */
	FWM_FT_HEAP = 8,           /* heap registered */
	FWM_FT_ALLOC = 9,
	FWM_FT_ALLOC_ALIGNED = 10, /* ALLOC with an explicit alignment */
	FWM_FT_FREE = 11,
	FWM_FT_REALLOC = 12,
	FWM_FT_FAIL = 13,          /* failed alloc (or a refused free) */
	FWM_FT_HEAP_STATS = 14,
	FWM_FT_FRAGMAP = 15,       /* fragmentation map, one part */
	/* fixed-size block allocators */
	FWM_FT_POOL = 16,          /* slab or mem_blocks registered */
	FWM_FT_POOL_USAGE = 17,
	FWM_FT_BLOCKS = 18,        /* mem_blocks bitmap snapshot, one part */
	/* stacks */
	FWM_FT_STACK = 19,         /* stack registered */
	FWM_FT_STACK_HWM = 20,     /* high-water mark */
	FWM_FT_STACK_OVERFLOW = 21,
	/* demand paging (reserved: layouts defined, engine in a later issue) */
	FWM_FT_PAGE_EVENT = 24,
	FWM_FT_PAGE_STATS = 25,
	FWM_FT_TYPE_MAX = 63,
};

/* Payload layouts, in wire order (see the field encodings above).
 *
 * HELLO       u8 minor, u8 flags (FWM_HELLO_*), u8 ptr_size (4 or 8),
 *             uv index (this frame's index: 0 at boot), uv ticks (absolute,
 *             the stream's time from here on), uv tick_hz (0: unknown),
 *             uv config (FWM_CFG_* bits: what this build reports),
 *             uv sample_n (1: every alloc/free), u8 sample_mode
 *             (FWM_SAMPLE_*), uv code_base, uv ring_bytes, uv cpuid (ARM
 *             SCB->CPUID; 0: unknown), str cpu (e.g. "armv7-m"),
 *             str build_id (the GNU build-id's bytes, at most 32)
 * SYNC        uv index (of this frame), uv ticks (absolute). Sent when the
 *             index is a multiple of 256 (HELLO with FWM_HELLO_REPEAT at
 *             multiples of 4096), so a reader can tell gaps of more than
 *             256 frames and restore absolute time after one. After a
 *             repeated HELLO the agent resends the HEAP or POOL frame of
 *             every live registration, for readers that joined late or
 *             lost one.
 * DROPS       uv events, uv bytes: events the ring had no room for since
 *             the last DROPS, and the frame bytes (decoded, tv to crc)
 *             they would have taken. Sent as soon as there is room again.
 * LOG         u8 level (bits 2..0; bit 7: text was cut), str text
 * SUMMARY     sv status, uv records (events queued), uv dropped_events,
 *             uv dropped_bytes, uv sampled_out, uv allocs, uv frees,
 *             uv reallocs, uv fails (hook calls seen, queued or not)
 * HEAP        uv id, u8 kind (FWM_HK_*), uv variant (FreeRTOS scheme N;
 *             region index; shared multi-heap attribute), uv parent (id of
 *             the multi-heap a region belongs to; 0: none), uv obj (the
 *             control object's address, for the ELF's symbol), uv base,
 *             uv size, str name. Ids are shared with POOL, never 0. A heap
 *             registered again with another base or size gets a new id; the
 *             host relates the two through obj.
 * ALLOC       uv heap, ptr ptr, uv size, code caller, uv thread
 * ALLOC_ALIGNED  as ALLOC, then uv align
 * FREE        uv heap, ptr ptr, code caller, uv thread
 * REALLOC     uv heap, ptr old, sv new_minus_old, uv size, uv align,
 *             code caller, uv thread. size 0: the block was freed and the
 *             new pointer is NULL (new_minus_old is then 0).
 * FAIL        uv heap, uv size, uv align, code caller, uv thread
 * HEAP_STATS  uv heap, uv free, uv allocated, uv max_allocated,
 *             uv largest_free, uv free_chunks, uv nbuckets (at most 32),
 *             uv bucket[nbuckets] (free chunks of 2^b .. 2^(b+1)-1 units),
 *             uv allocs, uv frees, uv reallocs, uv failures, uv faults
 * FRAGMAP     uv heap, u8 flags (FWM_FRAG_*), uv unit (bytes per unit),
 *             uv total (units in the heap), uv start (first unit of this
 *             part), uv nruns, uv run[nruns]: lengths in units of
 *             alternating used and free runs, the first one used if
 *             FWM_FRAG_USED_FIRST. A map longer than a frame comes in parts
 *             (FWM_FRAG_FIRST on the first, FWM_FRAG_LAST on the last),
 *             each starting where the previous ended.
 * POOL        uv id, u8 kind (FWM_HK_MEM_SLAB or FWM_HK_MEM_BLOCKS),
 *             uv obj, uv base, uv block_size, uv num_blocks, str name
 * POOL_USAGE  uv id, uv used, uv max_used (blocks)
 * BLOCKS      uv id, uv start (first block), uv nbits, then (nbits + 7) / 8
 *             bytes: bit i (byte i / 8, bit i % 8) set = block start + i
 *             allocated
 * STACK       uv thread, uv base (lowest address), uv size, str name
 * STACK_HWM   uv thread, uv used_max (bytes ever used)
 * STACK_OVERFLOW  uv thread, u8 how (FWM_OVF_*), uv addr (the canary's or
 *             the faulting stack pointer's address)
 * PAGE_EVENT  u8 what (FWM_PAGE_*), uv vaddr, uv frame (physical frame
 *             index), uv thread, uv cost (ticks spent)
 * PAGE_STATS  uv faults, uv page_ins, uv page_outs, uv pinned,
 *             uv frames_free, uv frames_total
 *
 * Thread ids are the integrator's (0: interrupt context or no thread).
 */

/* HELLO flags */
#define FWM_HELLO_REPEAT   0x01u  /* not a boot: the stream goes on */
#define FWM_HELLO_LE       0x02u  /* the target is little-endian */

/* HELLO config bits: which event classes this build reports. */
#define FWM_CFG_ALLOC      0x0001u  /* alloc, free, realloc */
#define FWM_CFG_FAIL       0x0002u
#define FWM_CFG_HEAP       0x0004u  /* heap and pool registration, stats, maps */
#define FWM_CFG_STACK      0x0008u
#define FWM_CFG_LOG        0x0010u
#define FWM_CFG_PAGING     0x0020u
#define FWM_CFG_ALL        0x003fu

/* HELLO sample modes (alloc, free and realloc events only; failures and
 * everything else are never sampled out). */
enum fwm_proto_sample {
	FWM_SAMPLE_NONE = 0,  /* every event */
	FWM_SAMPLE_ADDR = 1,  /* blocks whose address hashes into 1/N: a
	                       * block's alloc and free are kept or dropped
	                       * together */
	FWM_SAMPLE_COUNT = 2, /* every Nth event of the three kinds */
};

/* Heap and pool kinds. 1..8 are the agent's enum fwm_alloc_kind
 * (<fwmem/hooks.h>), value for value. */
enum fwm_proto_kind {
	FWM_HK_SYS_HEAP = 1,
	FWM_HK_K_HEAP = 2,
	FWM_HK_SYSTEM_HEAP = 3,        /* k_malloc's heap */
	FWM_HK_MEM_SLAB = 4,
	FWM_HK_MEM_BLOCKS = 5,
	FWM_HK_MULTI_HEAP = 6,
	FWM_HK_SHARED_MULTI_HEAP = 7,
	FWM_HK_FREERTOS = 8,           /* variant: the heap_N scheme */
	FWM_HK_MULTI_HEAP_REGION = 9,  /* variant: region index; parent */
	FWM_HK_LIBC = 10,              /* a C library's malloc, observed */
	FWM_HK_OTHER = 11,
};

/* FRAGMAP flags */
#define FWM_FRAG_USED_FIRST 0x01u
#define FWM_FRAG_FIRST      0x02u
#define FWM_FRAG_LAST       0x04u

/* STACK_OVERFLOW how */
enum fwm_proto_overflow {
	FWM_OVF_CANARY = 1,   /* the pattern at the stack limit was overwritten */
	FWM_OVF_LIMIT = 2,    /* PSPLIM/MSPLIM fault */
	FWM_OVF_GUARD = 3,    /* MPU guard region fault */
};

/* PAGE_EVENT what */
enum fwm_proto_page {
	FWM_PAGE_FAULT = 1,
	FWM_PAGE_IN = 2,
	FWM_PAGE_OUT = 3,
	FWM_PAGE_PIN = 4,
	FWM_PAGE_UNPIN = 5,
};

/* LOG levels */
enum fwm_proto_level {
	FWM_LOG_ERR = 1, FWM_LOG_WRN = 2, FWM_LOG_INF = 3, FWM_LOG_DBG = 4,
};
#define FWM_LOG_CUT 0x80u

/* ---- codecs shared by both ends ----------------------------------------- */

/* CRC-16/CCITT-FALSE, one byte, table-free (about 10 instructions on a
 * 32-bit core). */
static inline uint16_t fwm_proto_crc16_byte(uint16_t crc, uint8_t b)
{
	crc = (uint16_t)((crc >> 8) | (crc << 8));
	crc ^= b;
	crc ^= (uint16_t)((crc & 0xffu) >> 4);
	crc ^= (uint16_t)(crc << 12);
	crc ^= (uint16_t)((crc & 0xffu) << 5);
	return crc;
}

#define FWM_PROTO_CRC_INIT 0xffffu

/* One byte more of CRC-16/CCITT-FALSE. Table-driven (512 bytes of
 * constants, about 6 instructions a byte), or with FWM_PROTO_CRC_NO_TABLE
 * defined the table-free form above (three to four times the work). */
static inline uint16_t fwm_proto_crc16_update(uint16_t crc, uint8_t b)
{
#ifdef FWM_PROTO_CRC_NO_TABLE
	return fwm_proto_crc16_byte(crc, b);
#else
	static const uint16_t table[256] = {
		0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
		0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
		0x1231, 0x0210, 0x3273, 0x2252, 0x52b5, 0x4294, 0x72f7, 0x62d6,
		0x9339, 0x8318, 0xb37b, 0xa35a, 0xd3bd, 0xc39c, 0xf3ff, 0xe3de,
		0x2462, 0x3443, 0x0420, 0x1401, 0x64e6, 0x74c7, 0x44a4, 0x5485,
		0xa56a, 0xb54b, 0x8528, 0x9509, 0xe5ee, 0xf5cf, 0xc5ac, 0xd58d,
		0x3653, 0x2672, 0x1611, 0x0630, 0x76d7, 0x66f6, 0x5695, 0x46b4,
		0xb75b, 0xa77a, 0x9719, 0x8738, 0xf7df, 0xe7fe, 0xd79d, 0xc7bc,
		0x48c4, 0x58e5, 0x6886, 0x78a7, 0x0840, 0x1861, 0x2802, 0x3823,
		0xc9cc, 0xd9ed, 0xe98e, 0xf9af, 0x8948, 0x9969, 0xa90a, 0xb92b,
		0x5af5, 0x4ad4, 0x7ab7, 0x6a96, 0x1a71, 0x0a50, 0x3a33, 0x2a12,
		0xdbfd, 0xcbdc, 0xfbbf, 0xeb9e, 0x9b79, 0x8b58, 0xbb3b, 0xab1a,
		0x6ca6, 0x7c87, 0x4ce4, 0x5cc5, 0x2c22, 0x3c03, 0x0c60, 0x1c41,
		0xedae, 0xfd8f, 0xcdec, 0xddcd, 0xad2a, 0xbd0b, 0x8d68, 0x9d49,
		0x7e97, 0x6eb6, 0x5ed5, 0x4ef4, 0x3e13, 0x2e32, 0x1e51, 0x0e70,
		0xff9f, 0xefbe, 0xdfdd, 0xcffc, 0xbf1b, 0xaf3a, 0x9f59, 0x8f78,
		0x9188, 0x81a9, 0xb1ca, 0xa1eb, 0xd10c, 0xc12d, 0xf14e, 0xe16f,
		0x1080, 0x00a1, 0x30c2, 0x20e3, 0x5004, 0x4025, 0x7046, 0x6067,
		0x83b9, 0x9398, 0xa3fb, 0xb3da, 0xc33d, 0xd31c, 0xe37f, 0xf35e,
		0x02b1, 0x1290, 0x22f3, 0x32d2, 0x4235, 0x5214, 0x6277, 0x7256,
		0xb5ea, 0xa5cb, 0x95a8, 0x8589, 0xf56e, 0xe54f, 0xd52c, 0xc50d,
		0x34e2, 0x24c3, 0x14a0, 0x0481, 0x7466, 0x6447, 0x5424, 0x4405,
		0xa7db, 0xb7fa, 0x8799, 0x97b8, 0xe75f, 0xf77e, 0xc71d, 0xd73c,
		0x26d3, 0x36f2, 0x0691, 0x16b0, 0x6657, 0x7676, 0x4615, 0x5634,
		0xd94c, 0xc96d, 0xf90e, 0xe92f, 0x99c8, 0x89e9, 0xb98a, 0xa9ab,
		0x5844, 0x4865, 0x7806, 0x6827, 0x18c0, 0x08e1, 0x3882, 0x28a3,
		0xcb7d, 0xdb5c, 0xeb3f, 0xfb1e, 0x8bf9, 0x9bd8, 0xabbb, 0xbb9a,
		0x4a75, 0x5a54, 0x6a37, 0x7a16, 0x0af1, 0x1ad0, 0x2ab3, 0x3a92,
		0xfd2e, 0xed0f, 0xdd6c, 0xcd4d, 0xbdaa, 0xad8b, 0x9de8, 0x8dc9,
		0x7c26, 0x6c07, 0x5c64, 0x4c45, 0x3ca2, 0x2c83, 0x1ce0, 0x0cc1,
		0xef1f, 0xff3e, 0xcf5d, 0xdf7c, 0xaf9b, 0xbfba, 0x8fd9, 0x9ff8,
		0x6e17, 0x7e36, 0x4e55, 0x5e74, 0x2e93, 0x3eb2, 0x0ed1, 0x1ef0,
	};

	return (uint16_t)((crc << 8) ^ table[((crc >> 8) ^ b) & 0xffu]);
#endif
}

/* CRC-16/CCITT-FALSE of n bytes, continuing from crc. */
static inline uint16_t fwm_proto_crc16(uint16_t crc, const uint8_t *p, size_t n)
{
	while (n-- > 0)
		crc = fwm_proto_crc16_update(crc, *p++);
	return crc;
}

/* uv of a 32-bit value at p; returns the byte after it. At most 5 bytes.
 * Values of up to 3 bytes (2 MiB) take the straight-line paths. */
static inline uint8_t *fwm_proto_put_uv32(uint8_t *p, uint32_t v)
{
	if (v < (1u << 7)) {
		p[0] = (uint8_t)v;
		return p + 1;
	}
	if (v < (1u << 14)) {
		p[0] = (uint8_t)(v | 0x80u);
		p[1] = (uint8_t)(v >> 7);
		return p + 2;
	}
	if (v < (1u << 21)) {
		p[0] = (uint8_t)(v | 0x80u);
		p[1] = (uint8_t)((v >> 7) | 0x80u);
		p[2] = (uint8_t)(v >> 14);
		return p + 3;
	}
	while (v >= 0x80u) {
		*p++ = (uint8_t)(v | 0x80u);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* uv of a 64-bit value. At most 10 bytes. */
static inline uint8_t *fwm_proto_put_uv64(uint8_t *p, uint64_t v)
{
	if (v < (1u << 21))
		return fwm_proto_put_uv32(p, (uint32_t)v);
	while (v >= 0x80u) {
		*p++ = (uint8_t)(v | 0x80u);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Bytes the uv of v takes. */
static inline unsigned fwm_proto_uv_len(uint64_t v)
{
	unsigned n = 1;

	while (v >= 0x80u) {
		v >>= 7;
		n++;
	}
	return n;
}

static inline uint64_t fwm_proto_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t fwm_proto_unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1u);
}

/* Reads a uv from [*pp, end) into *v. Returns false, *pp unchanged, if it
 * runs past end, is longer than 10 bytes or does not fit 64 bits. Never
 * reads at or beyond end. */
static inline bool fwm_proto_get_uv(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;

	for (unsigned shift = 0; p < end; shift += 7) {
		uint8_t b = *p++;

		if (shift == 63 && (b & 0x7eu) != 0)
			return false;       /* bits beyond 64, or an 11th byte */
		x |= (uint64_t)(b & 0x7fu) << shift;
		if ((b & 0x80u) == 0) {
			*v = x;
			*pp = p;
			return true;
		}
		if (shift == 63)
			return false;
	}
	return false;
}

/* A ptr field's value v back to the address (see "ptr" above); base as
 * registered, mask the target's pointer width (UINT32_MAX or UINT64_MAX). */
#define FWM_PROTO_GRAIN 8u
static inline uint64_t fwm_proto_ptr_unpack(uint64_t v, uint64_t base, uint64_t mask)
{
	if (v & 1u)
		return (base + (v >> 1)) & mask;
	return ((base & ~(uint64_t)(FWM_PROTO_GRAIN - 1)) + ((v >> 1) << 3)) & mask;
}

/* COBS: encodes n bytes from src into dst (room for n + 1 + (n - 1) / 254
 * bytes; exactly n + 1 when n <= 254), no delimiter. Returns the length.
 * A block of 254 non-zero bytes that ends the data is not followed by an
 * empty block. src and dst must not overlap. */
static inline size_t fwm_proto_cobs_encode(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t code_at = 0, o = 1;
	uint8_t code = 1;

	for (size_t i = 0; i < n; i++) {
		if (src[i] == 0) {
			dst[code_at] = code;
			code_at = o++;
			code = 1;
			continue;
		}
		dst[o++] = src[i];
		if (++code == 0xffu && i + 1 < n) {
			dst[code_at] = code;
			code_at = o++;
			code = 1;
		}
	}
	dst[code_at] = code;
	return o;
}

/* COBS: decodes n bytes (no delimiter) from src into dst (room for n - 1
 * bytes; dst may equal src). Returns the decoded length, or -1 if src is
 * not a COBS encoding (a 0x00 inside, or a code running past the end).
 * Never reads beyond src + n nor writes beyond dst + n - 1. */
static inline long fwm_proto_cobs_decode(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i = 0, o = 0;

	if (n == 0)
		return -1;
	while (i < n) {
		uint8_t code = src[i++];

		if (code == 0 || (size_t)code - 1 > n - i)
			return -1;
		for (uint8_t k = 1; k < code; k++) {
			if (src[i] == 0)
				return -1;
			dst[o++] = src[i++];
		}
		if (code != 0xffu && i < n)
			dst[o++] = 0;
	}
	return (long)o;
}

#endif /* FWMEM_PROTO_H */
