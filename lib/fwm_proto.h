/* The host side of fwmem-protocol(5): a stream decoder.
 *
 * Feed it the bytes of a stream in chunks of any size (a tty read, a TCP
 * segment, a file, a debugger's read of the RAM ring); it splits the
 * stream at 0x00 delimiters, undoes COBS, checks the CRC, parses the frame
 * (layouts in target-agent/include/fwmem/proto.h) and calls you back with
 * one typed event per good frame, with absolute time and absolute
 * addresses restored. Anything else is counted, never fatal: after noise
 * it is back in step at the next delimiter.
 *
 * Byte accounting: every byte fed is in exactly one of bytes_ok (good
 * frames, their COBS byte and delimiter included), bytes_noise (chunks that
 * were not good frames: garbage, bad CRC, bad COBS, too short or long, an
 * unknown version, a field that does not parse), bytes_idle (a delimiter
 * with nothing before it) or bytes_pending (a chunk not yet ended), so
 *   bytes_in == bytes_ok + bytes_noise + bytes_idle + bytes_pending
 * holds after every call. Frames the target sent that never arrived are
 * counted from the sequence numbers (frames_lost), and the events the
 * target itself could not queue from its DROPS frames (dropped_events,
 * dropped_bytes).
 *
 * Hostile input: every read is bounded by the frame; nothing is allocated
 * per byte or per frame; a decoder's memory is fixed at creation.
 */
#ifndef FWM_PROTO_H
#define FWM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fwm_err.h"
#include "fwmem/proto.h"

/* ---- events ------------------------------------------------------------ */

/* Addresses are absolute (heap base or code base added back, modulo the
 * target's pointer width); sizes in bytes; times in target ticks. */
struct fwm_proto_hello {
	unsigned minor, flags, ptr_size, sample_mode;
	uint64_t index, ticks, tick_hz, config, sample_n, code_base, ring_bytes, cpuid;
	char cpu[FWM_PROTO_NAME_MAX + 1];          /* NUL-terminated, cut */
	uint8_t build_id[FWM_PROTO_BUILD_ID_MAX];
	size_t build_id_len;
};
struct fwm_proto_sync { uint64_t index, ticks; };
struct fwm_proto_drops { uint64_t events, bytes; };
struct fwm_proto_log {
	unsigned level;
	bool cut;
	size_t len;
	char text[FWM_PROTO_FRAME_MAX + 1];        /* len bytes, then a NUL */
};
struct fwm_proto_summary {
	int64_t status;
	uint64_t records, dropped_events, dropped_bytes, sampled_out;
	uint64_t allocs, frees, reallocs, fails;
};
/* HEAP and POOL (pool: block_size and num_blocks, no variant/parent). */
struct fwm_proto_heap {
	uint64_t id, variant, parent, obj, base, size, block_size, num_blocks;
	unsigned kind;
	size_t name_len;
	char name[FWM_PROTO_FRAME_MAX + 1];
};
/* ALLOC, ALLOC_ALIGNED, FREE (size 0), FAIL (ptr 0); align 0 when absent.
 * unresolved: the heap's HEAP or POOL frame was not seen in this session
 * (lost, or the stream was joined late), so pointers are offsets from an
 * unknown base; the agent resends registrations after every repeated
 * HELLO, and from then on they resolve. */
struct fwm_proto_alloc {
	uint64_t heap, ptr, size, align, caller, thread;
	bool unresolved;
};
struct fwm_proto_realloc {
	uint64_t heap, old_ptr, new_ptr, size, align, caller, thread;
	bool unresolved;
};
struct fwm_proto_heap_stats {
	uint64_t heap, free, allocated, max_allocated, largest_free, free_chunks;
	uint64_t nbuckets, bucket[FWM_PROTO_NBUCKETS_MAX];
	uint64_t allocs, frees, reallocs, failures, faults;
};
struct fwm_proto_fragmap {
	uint64_t heap, unit, total, start;
	unsigned flags;
	size_t nruns;
	uint64_t run[FWM_PROTO_FRAME_MAX];
};
struct fwm_proto_pool_usage { uint64_t id, used, max_used; };
struct fwm_proto_blocks {
	uint64_t id, start, nbits;
	size_t nbytes;
	uint8_t bits[FWM_PROTO_FRAME_MAX];
};
struct fwm_proto_stack {
	uint64_t thread, base, size;
	size_t name_len;
	char name[FWM_PROTO_FRAME_MAX + 1];
};
struct fwm_proto_stack_hwm { uint64_t thread, used_max; };
struct fwm_proto_stack_overflow { uint64_t thread, addr; unsigned how; };
struct fwm_proto_page_event { uint64_t vaddr, frame, thread, cost; unsigned what; };
struct fwm_proto_page_stats {
	uint64_t faults, page_ins, page_outs, pinned, frames_free, frames_total;
};

struct fwm_proto_event {
	unsigned type;          /* enum fwm_proto_type, or an unknown type */
	unsigned seq;           /* as sent: index mod 256 */
	uint64_t index;         /* the frame's index in its session */
	uint64_t time;          /* absolute ticks */
	bool time_uncertain;    /* no HELLO/SYNC since the start or since a gap */
	uint64_t offset;        /* stream offset of the frame's first wire byte */
	size_t wire_bytes;      /* its bytes on the wire, delimiter included */
	const uint8_t *frame;   /* the decoded frame, tv to CRC (borrowed: valid */
	size_t frame_len;       /* until the callback returns) */
	union {
		struct fwm_proto_hello hello;
		struct fwm_proto_sync sync;
		struct fwm_proto_drops drops;
		struct fwm_proto_log log;
		struct fwm_proto_summary summary;
		struct fwm_proto_heap heap;        /* HEAP, POOL */
		struct fwm_proto_alloc alloc;      /* ALLOC*, FREE, FAIL */
		struct fwm_proto_realloc realloc;
		struct fwm_proto_heap_stats stats;
		struct fwm_proto_fragmap fragmap;
		struct fwm_proto_pool_usage pool_usage;
		struct fwm_proto_blocks blocks;
		struct fwm_proto_stack stack;
		struct fwm_proto_stack_hwm stack_hwm;
		struct fwm_proto_stack_overflow overflow;
		struct fwm_proto_page_event page;
		struct fwm_proto_page_stats page_stats;
	} u;
};

/* ---- the decoder ------------------------------------------------------ */

struct fwm_proto_stats {
	uint64_t bytes_in, bytes_ok, bytes_noise, bytes_idle, bytes_pending;
	uint64_t frames_ok;        /* good frames delivered ... */
	uint64_t frames_unknown;   /* ... of which of a type this decoder does not know */
	uint64_t frames_lost;      /* gaps in the frame index */
	uint64_t bad_crc, bad_cobs, too_short, too_long, bad_version, malformed, truncated;
	uint64_t dropped_events;   /* as the target reported them in DROPS */
	uint64_t dropped_bytes;
	uint64_t boots;            /* boot HELLOs */
};

/* Called once per good frame; ev is borrowed. Return 0 to go on, or a
 * negative errno: fwm_proto_dec_feed then stops and returns it. */
typedef int (*fwm_proto_fn)(const struct fwm_proto_event *ev, void *arg);

struct fwm_proto_dec;

/* A new decoder calling fn(ev, arg). 0, -EINVAL (fn NULL) or -ENOMEM;
 * *out is yours: release it with fwm_proto_dec_free. */
int fwm_proto_dec_new(fwm_proto_fn fn, void *arg, struct fwm_proto_dec **out,
		      struct fwm_err *err);
void fwm_proto_dec_free(struct fwm_proto_dec *d);

/* Decodes n more bytes. 0, -EINVAL (d NULL, or buf NULL with n > 0), or
 * what a callback returned (the bytes after that frame are then not
 * consumed). O(n). */
int fwm_proto_dec_feed(struct fwm_proto_dec *d, const void *buf, size_t n, struct fwm_err *err);

/* End of stream: a chunk left unterminated is noise (counted in
 * truncated). Returns 0. The decoder can be fed again afterwards. */
int fwm_proto_dec_finish(struct fwm_proto_dec *d, struct fwm_err *err);

/* The counts so far (a copy). */
void fwm_proto_dec_stats(const struct fwm_proto_dec *d, struct fwm_proto_stats *st);

/* ---- single frames and names ---------------------------------------- */

/* Parses one decoded frame (tv to CRC, CRC already checked or not: it is
 * not looked at) into ev's type, seq and u; index, time and addresses are
 * as sent (offsets, not absolute: the stream decoder adds them back). 0, or
 * -EINVAL with a message naming the field when the payload is malformed
 * (short, a bad varint, a count out of range). Unknown types parse as
 * themselves with nothing in u. */
int fwm_proto_parse(const uint8_t *frame, size_t len, struct fwm_proto_event *ev,
		    struct fwm_err *err);

/* "alloc", "heap_stats", ...; NULL for an unknown type. */
const char *fwm_proto_type_name(unsigned type);

/* "sys_heap", "k_heap", ...; "?" for an unknown kind. */
const char *fwm_proto_kind_name(unsigned kind);

/* One line (no newline) describing ev: "[index] t=time name field=value
 * ...", addresses in hex. Returns what snprintf would. */
int fwm_proto_format(const struct fwm_proto_event *ev, char *buf, size_t n);

#endif /* FWM_PROTO_H */
