/* fwmem target agent: the telemetry encoder.
 *
 * Producers (the allocator hooks, the registration and snapshot calls
 * below) encode each event into a small record and append it to one event
 * ring; one low-priority thread or the idle loop calls fwm_tel_drain(),
 * which frames the records (sequence number, CRC, COBS: <fwmem/proto.h>)
 * and hands the bytes to a transport. The wire format is fwmem-protocol(5).
 *
 * Interrupt safety. A producer never blocks and never waits for the drain:
 * it prepares its record outside, then appends it inside a critical section
 * of a few dozen instructions: interrupts masked through PRIMASK on
 * Cortex-M, mstatus.MIE on RISC-V machine mode, a spinlock on a hosted
 * build, or the integrator's FWM_TEL_CRIT_ENTER/EXIT. The alloc and free
 * hooks store their raw fields there (their varints are the drain's work);
 * other producers copy a payload they encoded on their own stack. Any producer
 * may run in an interrupt, and in a hook with the agent's port lock held
 * (the telemetry never takes that lock). When the ring has no room the
 * event is counted, not queued; the counts go out in a DROPS frame ahead of
 * the next event that fits (or from the drain once the ring is empty). No
 * event is lost without being counted.
 *
 * The critical section makes the producers safe against interrupts on one
 * core; on a multi-core target FWM_TEL_CRIT_ENTER/EXIT must also exclude
 * the other cores (a spinlock with interrupts masked).
 *
 * The drain is the ring's only consumer: call it from one thread at a time.
 *
 * Ring space: an alloc event takes 32 bytes of ring on a 32-bit target (48
 * on a 64-bit host), a free 24 (32): the hooks store them raw and the drain
 * encodes them (15 bytes or so on the wire). Other events take their
 * frame's payload plus 8 bytes, rounded up to 4 (8). A ring should hold the
 * events of the longest stretch between two drains.
 *
 * Memory besides the ring: about 1.5 KiB of state on a 32-bit target (frame,
 * record and CONFIG_FWM_TEL_WIRE_BUF-byte output buffers; 32 bytes per
 * registration slot, CONFIG_FWM_TEL_MAX_OBJS of them).
 */
#ifndef FWMEM_TELEMETRY_H
#define FWMEM_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "fwmem/hooks.h"
#include "fwmem/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- build options -----------------------------------------------------
 *
 * CONFIG_FWM_TEL_EVENTS   the FWM_CFG_* classes compiled in (default all);
 *                         a call for a class left out compiles to a return.
 * CONFIG_FWM_TEL_MAX_OBJS heaps and pools that can be registered (16).
 * CONFIG_FWM_TEL_WIRE_BUF bytes the drain collects before each transport
 *                         write (256; at least FWM_PROTO_WIRE_MAX).
 * FWM_TEL_CRIT_ENTER() / FWM_TEL_CRIT_EXIT(key): the integrator's own
 *                         critical section (both, or neither); the key is
 *                         a uintptr_t.
 * FWM_TEL_NOW() / FWM_TEL_THREAD_ID(): expressions giving the time and the
 *                         current thread's id, used instead of the config's
 *                         callbacks (saves an indirect call on each event:
 *                         e.g. a read of DWT->CYCCNT or of the kernel's
 *                         current-thread variable). Define them for the
 *                         agent's sources only.
 */
#ifndef CONFIG_FWM_TEL_EVENTS
#define CONFIG_FWM_TEL_EVENTS FWM_CFG_ALL
#endif
#ifndef CONFIG_FWM_TEL_MAX_OBJS
#define CONFIG_FWM_TEL_MAX_OBJS 16
#endif
#ifndef CONFIG_FWM_TEL_WIRE_BUF
#define CONFIG_FWM_TEL_WIRE_BUF FWM_PROTO_WIRE_MAX
#endif
#define FWM_TEL_WANT(cls) ((CONFIG_FWM_TEL_EVENTS & (cls)) != 0)

/* The smallest ring fwm_tel_init accepts. */
#define FWM_TEL_RING_MIN 64u

/* ---- transports ------------------------------------------------------ */

/* Where the drain's bytes go. write() takes all len bytes (whole frames)
 * or none: it returns 0, -FWM_EAGAIN when it has no room now (the drain
 * keeps the bytes and tries again on its next call), or another negative
 * errno, which the drain passes on. */
struct fwm_tel_transport {
	int (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

/* CMSDK APB UART (mps2-an385 UART0 at 0x40004000): enables the transmitter
 * with BAUDDIV bauddiv (at least 16; 0 leaves it as it is) and polls the
 * TX-full bit for every byte. The returned transport lives in *t. */
void fwm_transport_cmsdk_uart(struct fwm_tel_transport *t, uintptr_t base, uint32_t bauddiv);
#define FWM_CMSDK_UART0 0x40004000u

/* Stellaris (PL011-style) UART (lm3s6965evb UART0 at 0x4000C000): when
 * ibrd is not 0, sets 8N1 with FIFOs at that divisor (fbrd its fraction)
 * and enables the UART; polls TXFF for every byte. The board start-up
 * enables the UART's clock (SYSCTL RCGC1). */
void fwm_transport_stellaris_uart(struct fwm_tel_transport *t, uintptr_t base, uint32_t ibrd,
				  uint32_t fbrd);
#define FWM_STELLARIS_UART0 0x4000C000u

/* Semihosting: opens path on the debugger's (or QEMU's) host with SYS_OPEN
 * "wb" and writes each batch with SYS_WRITE. 0, or -FWM_EINVAL when the
 * host refuses the file or the CPU has no semihosting (hosted builds).
 * Each write stops the core for the debugger: slow on real probes. */
int fwm_transport_semihost(struct fwm_tel_transport *t, const char *path);

/* RAM ring a debugger reads, as SEGGER RTT's up-buffer: the control block
 * is the global `_fwm_ring` (the host finds it by its ELF symbol, or by
 * scanning for the magic). Layout (offsets for 32-bit targets; on 64-bit
 * hosts buf is 8 bytes at offset 24):
 *
 *   0  u32 magic    FWM_RING_MAGIC ("FWMR" in memory), written last
 *   4  u16 version  FWM_RING_VERSION
 *   6  u16 flags    FWM_RING_F_* (0: the writer never overwrites)
 *   8  u32 size     bytes in buf
 *  12  u32 wr       next byte the target writes, 0..size-1; target only
 *  16  u32 rd       next byte the debugger reads, 0..size-1; debugger only
 *  20  ptr buf      the bytes
 *
 * Empty when wr == rd; at most size - 1 bytes are held. The target writes
 * the bytes, then wr (after a memory barrier); the debugger reads from rd
 * up to wr, then writes rd. When the bytes of a write do not fit, the
 * write returns -FWM_EAGAIN and the telemetry keeps them (and counts drops
 * once its own ring fills): nothing is overwritten. */
struct fwm_ring_cb {
	uint32_t magic;
	uint16_t version;
	uint16_t flags;
	uint32_t size;
	volatile uint32_t wr;
	volatile uint32_t rd;
	uint8_t *buf;
};
#define FWM_RING_MAGIC   0x524d5746u   /* 'F' 'W' 'M' 'R' little-endian */
#define FWM_RING_VERSION 1u
extern struct fwm_ring_cb _fwm_ring;

/* Points _fwm_ring at buf (size bytes, at least 2) and *t at it. */
void fwm_transport_ram(struct fwm_tel_transport *t, uint8_t *buf, uint32_t size);

/* ---- set-up and the drain -------------------------------------------- */

struct fwm_tel_config {
	void *ring;              /* event ring: the largest power of two that */
	size_t ring_bytes;       /* ... fits from ring aligned to a pointer is
	                          * used (at least FWM_TEL_RING_MIN bytes) */
	struct fwm_tel_transport transport;
	uint32_t (*now)(void);   /* tick counter (wraps at 2^32); NULL: 0 */
	uint32_t tick_hz;        /* its rate, for the host (0: unknown) */
	uint32_t (*thread_id)(void); /* current thread's id; 0 in interrupts.
	                          * Small numbers make short frames. NULL: 0 */
	uintptr_t code_base;     /* callers are sent relative to this (e.g. the
	                          * start of flash) */
	const uint8_t *build_id; /* GNU build-id bytes (fwm_tel_build_id) */
	size_t build_id_len;     /* at most FWM_PROTO_BUILD_ID_MAX are sent */
	const char *cpu;         /* NULL: the architecture the agent was built for */
	uint32_t cpuid;          /* 0: SCB->CPUID is read on Cortex-M */
	uint32_t sample_n;       /* keep 1 in sample_n alloc/free/realloc events */
	enum fwm_proto_sample sample_mode; /* how (FWM_SAMPLE_NONE: all) */
};

/* Starts (or restarts) the telemetry: the ring is emptied, every counter,
 * registration and the frame index start again at 0, and the next drain
 * sends a 0x00 (which ends whatever the line carried before) and a boot
 * HELLO. cfg is copied; the ring, build_id and cpu must outlive the
 * telemetry. 0, or -FWM_EINVAL (NULL cfg or write, ring under
 * FWM_TEL_RING_MIN bytes). Not safe against producers running at the same
 * time: call it before the first event. O(1). */
int fwm_tel_init(const struct fwm_tel_config *cfg);

/* Moves framed events from the ring to the transport until the ring is
 * empty or the transport says -FWM_EAGAIN. Returns the bytes the
 * transport took (0 or more), or the transport's error. One caller at a
 * time; never from an interrupt unless that is the only caller. O(bytes). */
long fwm_tel_drain(void);

/* The GNU build-id from an ELF note (the bytes at the start of
 * .note.gnu.build-id: namesz, descsz, type 3, "GNU\0", the id). Sets *id
 * and *len and returns 0, or -FWM_EINVAL when note is not such a note. */
int fwm_tel_build_id(const void *note, const uint8_t **id, size_t *len);

/* ---- events -------------------------------------------------------------
 *
 * Every producer returns 0 when the event is queued, -FWM_ENOMEM when the
 * ring had no room (the event is counted as dropped), -FWM_EINVAL for a bad
 * argument, an object that was never registered, or before fwm_tel_init.
 * Each is O(1) unless said otherwise. Names are not copied: they must live
 * as long as the telemetry (string literals do); at most FWM_PROTO_NAME_MAX
 * bytes are sent. */

/* Registers a heap so that its events name it and carry short pointers
 * (offsets from base). Returns its id (1..255), or a negative errno. The
 * allocator hooks register an object they have not seen under its kind and
 * an empty name (the host names it through obj's ELF symbol), with base
 * and size read from sys_heap, k_heap, k_malloc's heap, slab and mem_blocks
 * objects; register explicitly first to give a name. Registering the same
 * (kind, obj) again with the same base and size resends it (renaming it);
 * with another base or size it gets a new id. O(CONFIG_FWM_TEL_MAX_OBJS). */
int fwm_tel_heap_register(enum fwm_proto_kind kind, const void *obj, const char *name,
			  const void *base, size_t size);

/* The same with a variant (FreeRTOS heap_N scheme N, multi-heap region
 * index, shared multi-heap attribute) and a parent (the multi-heap's
 * object, or NULL). */
int fwm_tel_heap_register_ex(enum fwm_proto_kind kind, uint32_t variant, const void *parent,
			     const void *obj, const char *name, const void *base, size_t size);

/* Registers a slab (FWM_HK_MEM_SLAB) or mem_blocks (FWM_HK_MEM_BLOCKS) pool
 * of num_blocks blocks of block_size bytes at base. Returns its id. */
int fwm_tel_pool_register(enum fwm_proto_kind kind, const void *obj, const char *name,
			  const void *base, size_t block_size, uint32_t num_blocks);

/* Heap statistics, as struct fwm_heap_info holds them. */
struct fwm_tel_heap_stats {
	size_t free_bytes, allocated_bytes, max_allocated_bytes, largest_free_bytes;
	uint32_t free_chunks;
	uint32_t nbuckets;                      /* at most FWM_PROTO_NBUCKETS_MAX */
	uint32_t buckets[FWM_PROTO_NBUCKETS_MAX];
	uint32_t allocs, frees, reallocs, failures, faults;
};
int fwm_tel_heap_stats(const void *obj, const struct fwm_tel_heap_stats *st);

struct sys_heap;
/* fwm_tel_heap_stats with the figures of heap (fwm_heap_info_get: O(free
 * chunks)), sent for the registered obj (the heap itself, or the k_heap
 * around it). Call with the heap quiescent (a k_heap: under its lock). */
int fwm_tel_sys_heap_stats(const void *obj, struct sys_heap *heap);

/* The fragmentation map of heap (a walk of its chunks: O(chunks)), sent for
 * the registered obj in as many FRAGMAP parts as it takes, unless the
 * layout is the one sent last for obj and force is false: then nothing is
 * sent and 1 is returned. 0 when sent. Call with the heap quiescent. */
int fwm_tel_fragmap(const void *obj, struct sys_heap *heap, bool force);

/* Usage of a registered pool, in blocks. */
int fwm_tel_pool_usage(const void *obj, uint32_t used, uint32_t max_used);

/* A snapshot of a registered mem_blocks pool's bitmap (bit i of word i / 32
 * set = block i allocated), nbits blocks, in as many BLOCKS parts as it
 * takes. O(nbits). */
int fwm_tel_blocks(const void *obj, const uint32_t *bitmap, uint32_t nbits);

/* Stacks: thread is the integrator's id (0: the interrupt stack). */
int fwm_tel_stack_register(uint32_t thread, const char *name, const void *base, size_t size);
int fwm_tel_stack_hwm(uint32_t thread, size_t used_max);
int fwm_tel_stack_overflow(uint32_t thread, enum fwm_proto_overflow how, const void *addr);

/* Demand paging (the frames are reserved for the paging engine). */
int fwm_tel_page_event(enum fwm_proto_page what, const void *vaddr, uint32_t frame,
		       uint32_t thread, uint32_t cost);
struct fwm_tel_page_stats {
	uint32_t faults, page_ins, page_outs, pinned, frames_free, frames_total;
};
int fwm_tel_page_stats(const struct fwm_tel_page_stats *st);

/* A line of text at level (FWM_LOG_*); cut (and marked FWM_LOG_CUT) where
 * it does not fit a frame. O(length). */
int fwm_tel_log(enum fwm_proto_level level, const char *text);

/* The end-of-run summary: status, and the counters below as they stand
 * (this frame not included). Then drain until fwm_tel_drain returns 0. */
int fwm_tel_summary(int32_t status);

/* What the telemetry counted since fwm_tel_init. Counters wrap at 2^32 and
 * never decrease otherwise. */
struct fwm_tel_counts {
	uint32_t records;          /* events queued */
	uint32_t dropped_events;   /* events counted as dropped (ring full) */
	uint32_t dropped_bytes;    /* their frame bytes, as DROPS reports them */
	uint32_t sampled_out;      /* alloc/free/realloc events sampled out */
	uint32_t allocs, frees, reallocs, fails; /* hook calls, whatever became of them */
	uint32_t frames;           /* frames the drain built (its frame index) */
};
void fwm_tel_counts(struct fwm_tel_counts *c);

/* True if an alloc or free of ptr would be kept by the sampling set up in
 * fwm_tel_init (always true with FWM_SAMPLE_NONE; with FWM_SAMPLE_COUNT it
 * depends on the order of events, and this returns true). O(1). */
bool fwm_tel_sampled(const void *ptr);

/* The allocator hooks (<fwmem/hooks.h>), implemented by the telemetry in
 * tel_hooks.c: declared here also for builds without CONFIG_FWM_HOOKS, so
 * that code observing an allocator the agent does not own (a --wrap'ed
 * malloc, FreeRTOS trace macros) can call them. */
void fwm_hook_alloc(enum fwm_alloc_kind kind, const void *obj, void *ptr,
		    size_t size, size_t align, void *caller);
void fwm_hook_free(enum fwm_alloc_kind kind, const void *obj, void *ptr,
		   void *caller);
void fwm_hook_realloc(enum fwm_alloc_kind kind, const void *obj, void *old_ptr,
		      void *new_ptr, size_t size, size_t align, void *caller);
void fwm_hook_fail(enum fwm_alloc_kind kind, const void *obj, size_t size,
		   size_t align, void *caller);

#ifdef __cplusplus
}
#endif

#endif /* FWMEM_TELEMETRY_H */
