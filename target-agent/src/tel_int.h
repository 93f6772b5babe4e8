/* fwmem target agent: telemetry internals (private to tel_*.c).
 *
 * Design. One event ring of 2^k bytes holds records, each starting at a
 * multiple of TEL_ALIGN (the pointer size):
 *
 *     len (u8) | type (u8) | 2 spare | ts (u32) | payload ...   (padding)
 *
 * len counts the record's bytes from len on, padding excluded. Most types'
 * payloads are the frame's payload as it goes on the wire, varints and all
 * (encoded by the producer, tel_events.c). The hooks' alloc and free
 * events, the hot path, are stored raw instead (type | TEL_RAW, the fixed
 * fields of struct tel_raw_alloc/free, written with a few word stores) and
 * the drain encodes their varints: the producer's cost is then a table
 * look-up, the time, one critical section and the stores.
 *
 * head and tail are free-running byte counters: producers advance head
 * inside the critical section (so records, their times and the drop counts
 * are in one order), the drain alone advances tail. The drain turns a
 * record into a frame: tv and seq in front, dt from the previous record's
 * ts, the payload, the CRC; then COBS and the transport writes.
 *
 * Objects (heaps and pools) live in a table of CONFIG_FWM_TEL_MAX_OBJS
 * slots. A slot is filled, its HEAP or POOL record queued, and only then is
 * it published (nobj advanced), all inside the critical section, so no
 * event can name an id whose registration is not ahead of it in the ring.
 * A published slot never changes but for its obj, cleared when the object
 * is registered again with another base (retired: lookups skip it, the id
 * stays valid on the host), its name (a rename) and frag_hash; so the hooks
 * and the drain read the table without a lock.
 */
#ifndef FWMEM_TEL_INT_H
#define FWMEM_TEL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "fwmem/compiler.h"
#include "fwmem/errno.h"
#include "fwmem/mem.h"
#include "fwmem/proto.h"
#include "fwmem/telemetry.h"

FWM_STATIC_ASSERT(CONFIG_FWM_TEL_WIRE_BUF >= FWM_PROTO_WIRE_MAX,
		  "the wire buffer holds the largest frame");
FWM_STATIC_ASSERT(CONFIG_FWM_TEL_MAX_OBJS >= 1 && CONFIG_FWM_TEL_MAX_OBJS <= 255,
		  "object ids are 1..255");
FWM_STATIC_ASSERT(FWM_PROTO_BODY_MAX + 1 <= 255, "a record's length fits its u8");
FWM_STATIC_ASSERT(sizeof(uintptr_t) == 4 || sizeof(uintptr_t) == 8, "32- or 64-bit pointers");
FWM_STATIC_ASSERT((int)FWM_HK_SYS_HEAP == (int)FWM_KIND_SYS_HEAP &&
		  (int)FWM_HK_K_HEAP == (int)FWM_KIND_K_HEAP &&
		  (int)FWM_HK_SYSTEM_HEAP == (int)FWM_KIND_K_MALLOC &&
		  (int)FWM_HK_MEM_SLAB == (int)FWM_KIND_MEM_SLAB &&
		  (int)FWM_HK_MEM_BLOCKS == (int)FWM_KIND_MEM_BLOCKS &&
		  (int)FWM_HK_MULTI_HEAP == (int)FWM_KIND_MULTI_HEAP &&
		  (int)FWM_HK_SHARED_MULTI_HEAP == (int)FWM_KIND_SHARED_MULTI_HEAP &&
		  (int)FWM_HK_FREERTOS == (int)FWM_KIND_FREERTOS,
		  "wire kinds are the hooks' kinds");

/* ---- the critical section ------------------------------------------------ */

typedef uintptr_t fwm_tel_key_t;

#if defined(FWM_TEL_CRIT_ENTER)
#define tel_crit_enter() ((fwm_tel_key_t)FWM_TEL_CRIT_ENTER())
#define tel_crit_exit(key) FWM_TEL_CRIT_EXIT(key)
#elif defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
/* Cortex-M: mask every configurable interrupt; restore the old PRIMASK. */
FWM_ALWAYS_INLINE fwm_tel_key_t tel_crit_enter(void)
{
	uint32_t primask;

	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
	return primask;
}
FWM_ALWAYS_INLINE void tel_crit_exit(fwm_tel_key_t key)
{
	__asm__ volatile("msr primask, %0" : : "r"((uint32_t)key) : "memory");
}
#elif defined(__riscv) && !defined(__linux__)
/* RISC-V, machine mode: clear mstatus.MIE; set it again if it was set.
 * Spelt as .insn (csrrci rd, mstatus, 8 and csrsi mstatus, 8) so that no
 * Zicsr extension need be named in -march. */
FWM_ALWAYS_INLINE fwm_tel_key_t tel_crit_enter(void)
{
	uintptr_t mstatus;

	__asm__ volatile(".insn i 0x73, 7, %0, x8, 0x300" : "=r"(mstatus) : : "memory");
	return mstatus & 8u;
}
FWM_ALWAYS_INLINE void tel_crit_exit(fwm_tel_key_t key)
{
	if (key != 0)
		__asm__ volatile(".insn i 0x73, 6, x0, x8, 0x300" : : : "memory");
	else
		__asm__ volatile("" : : : "memory");
}
#else
/* Hosted: no interrupts, threads; a test-and-set spinlock held for a few
 * dozen instructions. */
#define TEL_CRIT_SPIN 1
extern volatile unsigned char fwm_tel_spin;
FWM_ALWAYS_INLINE fwm_tel_key_t tel_crit_enter(void)
{
	while (__atomic_test_and_set(&fwm_tel_spin, __ATOMIC_ACQUIRE))
		;
	return 0;
}
FWM_ALWAYS_INLINE void tel_crit_exit(fwm_tel_key_t key)
{
	(void)key;
	__atomic_clear(&fwm_tel_spin, __ATOMIC_RELEASE);
}
#endif

/* ---- state ----------------------------------------------------------------- */

/* Hook-call classes counted for SUMMARY; TEL_C_NONE counts nothing. */
enum tel_class { TEL_C_ALLOC, TEL_C_FREE, TEL_C_REALLOC, TEL_C_FAIL, TEL_C_NONE };

/* A registered heap or pool. Once published only obj (retired), name (a
 * rename) and frag_hash (fwm_tel_fragmap's own) change. */
struct tel_obj {
	const void *obj;        /* NULL: retired */
	uintptr_t base;
	size_t size;            /* heap: bytes; pool: block size */
	uint32_t count;         /* pool: blocks */
	const char *name;
	uint32_t variant;
	uint32_t frag_hash;     /* the last fragmentation map sent (0: none) */
	uint8_t id, kind, parent;
	bool pool;
};

/* A record's header. Producers that encode their payload leave TEL_HDR
 * bytes in front of it in their buffer, for tel_put to fill. */
struct tel_rec_head {
	uint8_t len, type, spare[2];
	uint32_t ts;
};
#define TEL_HDR 8u
FWM_STATIC_ASSERT(sizeof(struct tel_rec_head) == TEL_HDR, "record header layout");
#define TEL_ALIGN ((uint32_t)sizeof(uintptr_t))
#define TEL_SPAN(len) (((uint32_t)(len) + TEL_ALIGN - 1) & ~(TEL_ALIGN - 1))
/* The largest encoded payload: a frame's body less a 5-byte dt. */
#define TEL_PAYLOAD_MAX (FWM_PROTO_BODY_MAX - FWM_PROTO_UV32_MAX)
FWM_STATIC_ASSERT(TEL_HDR + TEL_PAYLOAD_MAX <= 255, "a record's length fits its u8");
/* Payload bytes between buf + TEL_HDR and p. */
#define TEL_LEN(buf, p) ((size_t)((p) - ((buf) + TEL_HDR)))

/* Raw records of the hooks (type FWM_FT_ALLOC, FWM_FT_ALLOC_ALIGNED or
 * FWM_FT_FREE, with TEL_RAW). */
#define TEL_RAW 0x80u
struct tel_raw_alloc {
	struct tel_rec_head h;
	uintptr_t ptr, size, caller, align;   /* caller: less code_base */
	uint32_t thread;
	uint8_t id;
};
struct tel_raw_free {
	struct tel_rec_head h;
	uintptr_t ptr, caller;
	uint32_t thread;
	uint8_t id;
};
FWM_STATIC_ASSERT(sizeof(struct tel_raw_alloc) % sizeof(uintptr_t) == 0 &&
		  sizeof(struct tel_raw_free) % sizeof(uintptr_t) == 0, "raw records keep alignment");

struct fwm_tel {
	/* ring: head under the critical section, tail by the drain only */
	uint8_t *ring;
	uint32_t size, mask;
	uint32_t head;
	uint32_t tail;
	uint32_t last_ts;       /* time of the last record queued */
	uint32_t drain_ts;      /* time of the last record the drain framed */
	uint32_t drop_events;   /* since the last DROPS record */
	uint32_t drop_bytes;
	uint32_t records, dropped_events, dropped_bytes, sampled_out;
	uint32_t seen[4];       /* hook calls by enum tel_class */
	uint32_t sample_left;   /* FWM_SAMPLE_COUNT: events until the next kept */
	/* set-up (fixed after fwm_tel_init) */
	bool on;
	struct fwm_tel_config cfg;
	uint8_t mode;           /* enum fwm_proto_sample, FWM_SAMPLE_NONE if n <= 1 */
	uint32_t sample_thr;    /* FWM_SAMPLE_ADDR: keep if hash < this */
	/* objects */
	struct tel_obj obj[CONFIG_FWM_TEL_MAX_OBJS];
	uint32_t nobj;          /* published slots */
	const struct tel_obj *hot; /* the slot the hooks matched last (never NULL) */
	/* drain */
	uint64_t abs;           /* time of the last frame built */
	uint32_t index;         /* next frame's index */
	bool boot_sent;         /* the leading 0x00 and the boot HELLO */
	uint32_t ann_next, ann_end; /* slots to resend after a repeated HELLO */
	size_t pend;            /* TEL.frame holds a frame of pend bytes, CRC to come */
	size_t wire_len;
	uint8_t frame[FWM_PROTO_FRAME_MAX];
	uint8_t rec[256];       /* the record being framed */
	uint8_t wire[CONFIG_FWM_TEL_WIRE_BUF];
};

extern struct fwm_tel fwm_tel_g;
#define TEL fwm_tel_g

/* ---- producer helpers ---------------------------------------------------- */

FWM_ALWAYS_INLINE uint8_t *tel_put_uptr(uint8_t *p, uintptr_t v)
{
	if (sizeof(uintptr_t) == 4)
		return fwm_proto_put_uv32(p, (uint32_t)v);
	return fwm_proto_put_uv64(p, (uint64_t)v);
}

FWM_ALWAYS_INLINE uint8_t *tel_put_size(uint8_t *p, size_t v)
{
	return tel_put_uptr(p, (uintptr_t)v);
}

/* A ptr field (<fwmem/proto.h>): 8-aligned addresses in 8-byte grains. */
FWM_ALWAYS_INLINE uint8_t *tel_put_ptr(uint8_t *p, uintptr_t ptr, uintptr_t base)
{
	if (FWM_LIKELY((ptr & (FWM_PROTO_GRAIN - 1)) == 0))
		return tel_put_uptr(p, ((ptr - (base & ~(uintptr_t)(FWM_PROTO_GRAIN - 1))) >> 3) << 1);
	return fwm_proto_put_uv64(p, ((uint64_t)(ptr - base) << 1) | 1u);
}

/* The thread id and the time: the integrator's macros when defined (see
 * <fwmem/telemetry.h>), else the config's callbacks (never NULL after
 * fwm_tel_init, which puts a function returning 0 in an empty one). */
FWM_ALWAYS_INLINE uint32_t tel_thread(void)
{
#ifdef FWM_TEL_THREAD_ID
	return (uint32_t)FWM_TEL_THREAD_ID();
#else
	return TEL.cfg.thread_id();
#endif
}

FWM_ALWAYS_INLINE uint32_t tel_now(void)
{
#ifdef FWM_TEL_NOW
	return (uint32_t)FWM_TEL_NOW();
#else
	return TEL.cfg.now();
#endif
}

/* Appends a record: the payload is buf[TEL_HDR .. TEL_HDR + n); the header
 * is written into the TEL_HDR bytes in front of it. Takes the critical
 * section; counts the call under cls. 0 or -FWM_ENOMEM (counted as a drop). */
int tel_put(uint8_t type, uint8_t *buf, size_t n, enum tel_class cls);

/* The same with the critical section already held by the caller (and the
 * time already read). */
int tel_put_locked(uint8_t type, uint8_t *buf, size_t n);
int tel_put_now(uint8_t type, uint8_t *buf, size_t n, uint32_t now);

/* The producers' fast path, for the hooks. With the critical section held:
 * if the ring has TEL_FAST contiguous free bytes at its head and no drops
 * are pending, tel_fast_at returns where the raw record goes (aligned to
 * TEL_ALIGN) and tel_fast_commit publishes it; otherwise tel_fast_at
 * returns NULL and the caller encodes into a buffer for tel_put_now, which
 * handles the ring's end, an exact fit and the drops. */
#define TEL_FAST ((uint32_t)sizeof(struct tel_raw_alloc))
FWM_STATIC_ASSERT(TEL_FAST <= FWM_TEL_RING_MIN, "a raw record fits the smallest ring");

FWM_ALWAYS_INLINE void *tel_fast_at(uint32_t head)
{
	uint32_t off = head & TEL.mask;
	uint32_t used = head - __atomic_load_n(&TEL.tail, __ATOMIC_ACQUIRE);

	if (FWM_UNLIKELY(TEL.size - used < TEL_FAST || off > TEL.size - TEL_FAST ||
			 TEL.drop_events != 0))
		return NULL;
	return __builtin_assume_aligned(TEL.ring + off, sizeof(uintptr_t));
}

FWM_ALWAYS_INLINE void tel_fast_commit(uint32_t head, uint32_t len, uint32_t now,
				       enum tel_class cls)
{
	__atomic_store_n(&TEL.head, head + len, __ATOMIC_RELEASE);
	TEL.last_ts = now;
	TEL.records++;
	TEL.seen[cls]++;
}

/* The wire payloads of the hooks' events (layouts in <fwmem/proto.h>),
 * written at p; used by the drain for raw records and by the slow path. */
FWM_ALWAYS_INLINE uint8_t *tel_alloc_payload(uint8_t *p, uint8_t id, uintptr_t base, uintptr_t ptr,
					      uintptr_t size, uintptr_t caller, uint32_t thread,
					      uintptr_t align)
{
	p = fwm_proto_put_uv32(p, id);
	p = tel_put_ptr(p, ptr, base);
	p = tel_put_uptr(p, size);
	p = tel_put_uptr(p, caller);
	p = fwm_proto_put_uv32(p, thread);
	if (align != 0)
		p = tel_put_uptr(p, align);
	return p;
}

FWM_ALWAYS_INLINE uint8_t *tel_free_payload(uint8_t *p, uint8_t id, uintptr_t base, uintptr_t ptr,
					     uintptr_t caller, uint32_t thread)
{
	p = fwm_proto_put_uv32(p, id);
	p = tel_put_ptr(p, ptr, base);
	p = tel_put_uptr(p, caller);
	return fwm_proto_put_uv32(p, thread);
}

/* Counts a call whose event was sampled out or could not be encoded
 * (dropped: bytes is the frame size it would have had). */
void tel_skip(enum tel_class cls);
void tel_drop(enum tel_class cls, size_t frame_bytes);

/* The published slot of (kind, obj), or NULL. Lock-free. */
FWM_ALWAYS_INLINE const struct tel_obj *tel_find(unsigned kind, const void *obj)
{
	uint32_t n = __atomic_load_n(&TEL.nobj, __ATOMIC_ACQUIRE);

	for (uint32_t i = 0; i < n; i++)
		if (__atomic_load_n(&TEL.obj[i].obj, __ATOMIC_RELAXED) == obj && TEL.obj[i].kind == kind)
			return &TEL.obj[i];
	return NULL;
}

/* The slot of (kind, obj) for the hooks: the one matched last, else a scan
 * (tel_find), else a registration (tel_autoreg), else the "unregistered"
 * slot (id 0, base 0). Never NULL. Lock-free but for a registration. */
const struct tel_obj *tel_lookup_slow(unsigned kind, const void *obj);
FWM_ALWAYS_INLINE const struct tel_obj *tel_lookup(unsigned kind, const void *obj)
{
	const struct tel_obj *o = __atomic_load_n(&TEL.hot, __ATOMIC_RELAXED);

	if (FWM_LIKELY(__atomic_load_n(&o->obj, __ATOMIC_RELAXED) == obj && o->kind == kind))
		return o;
	return tel_lookup_slow(kind, obj);
}

/* The published slot of obj, whatever its kind, or NULL. */
const struct tel_obj *tel_find_any(const void *obj);

/* The slot of a hooked object not seen before: registered under its kind
 * with what can be read from it (tel_reg.c). NULL if the table or the ring
 * is full. */
const struct tel_obj *tel_autoreg(unsigned kind, const void *obj);

/* Registers (or re-registers) an object; inside, the critical section.
 * Returns the id or a negative errno. */
int tel_register(const struct tel_obj *o);

/* Builds the HEAP or POOL payload of o at p; returns its end. At most
 * TEL_OBJ_MAX bytes. */
#define TEL_OBJ_MAX (3u * FWM_PROTO_UV32_MAX + 1u + 4u * FWM_PROTO_UV_MAX + 1u + FWM_PROTO_NAME_MAX)
uint8_t *tel_obj_payload(uint8_t *p, const struct tel_obj *o);

/* Bytes of s up to FWM_PROTO_NAME_MAX (s may be NULL). */
size_t tel_name_len(const char *s, size_t max);

/* FWM_SAMPLE_ADDR's hash test. */
FWM_ALWAYS_INLINE bool tel_addr_kept(const void *ptr)
{
	uint32_t h = (uint32_t)((uintptr_t)ptr >> 3) * 0x9e3779b1u;

	return h < TEL.sample_thr;
}

/* FWM_SAMPLE_COUNT: true for every sample_n-th call (the first one
 * included). Takes the critical section. */
bool tel_count_kept(void);

/* Whether an alloc/free/realloc event of ptr is kept by the sampling. */
FWM_ALWAYS_INLINE bool tel_keep(const void *ptr)
{
	if (FWM_LIKELY(TEL.mode == FWM_SAMPLE_NONE))
		return true;
	if (TEL.mode == FWM_SAMPLE_ADDR)
		return tel_addr_kept(ptr);
	return tel_count_kept();
}

#endif /* FWMEM_TEL_INT_H */
