/* fwmem target agent, telemetry: set-up, the event ring (producers' side,
 * drop accounting) and the drain (framing, HELLO/SYNC, transport writes).
 * The ring's design is in tel_int.h; the frame format in <fwmem/proto.h>. */
#include "tel_int.h"

struct fwm_tel fwm_tel_g;
static const struct tel_obj tel_unregistered;   /* id 0, base 0: absolute pointers */

static uint32_t zero(void)
{
	return 0;
}
#ifdef TEL_CRIT_SPIN
volatile unsigned char fwm_tel_spin;
#endif

/* ---- set-up ---------------------------------------------------------------- */

int fwm_tel_init(const struct fwm_tel_config *cfg)
{
	uint32_t size = FWM_TEL_RING_MIN;
	uintptr_t at, skip;

	if (cfg == NULL || cfg->transport.write == NULL || cfg->ring == NULL)
		return -FWM_EINVAL;
	at = (uintptr_t)cfg->ring;
	skip = (TEL_ALIGN - (at & (TEL_ALIGN - 1))) & (TEL_ALIGN - 1);   /* records are aligned */
	if (cfg->ring_bytes < FWM_TEL_RING_MIN + skip)
		return -FWM_EINVAL;
	while (size < 0x80000000u && (size_t)size * 2 <= cfg->ring_bytes - skip)
		size *= 2;
	__atomic_store_n(&TEL.on, false, __ATOMIC_RELEASE);
	memset(&TEL, 0, sizeof TEL);
	TEL.cfg = *cfg;
	if (TEL.cfg.now == NULL)
		TEL.cfg.now = zero;
	if (TEL.cfg.thread_id == NULL)
		TEL.cfg.thread_id = zero;
	TEL.ring = (uint8_t *)cfg->ring + skip;
	TEL.size = size;
	TEL.mask = size - 1;
	TEL.mode = cfg->sample_n > 1 ? (uint8_t)cfg->sample_mode : (uint8_t)FWM_SAMPLE_NONE;
	if (TEL.mode > FWM_SAMPLE_COUNT)
		TEL.mode = FWM_SAMPLE_NONE;
	if (TEL.mode == FWM_SAMPLE_ADDR)
		TEL.sample_thr = UINT32_MAX / cfg->sample_n;
	TEL.sample_left = 1;
	TEL.hot = &tel_unregistered;
	TEL.last_ts = tel_now();
	TEL.drain_ts = TEL.last_ts;
	TEL.abs = TEL.last_ts;
	__atomic_store_n(&TEL.on, true, __ATOMIC_RELEASE);
	return 0;
}

int fwm_tel_build_id(const void *note, const uint8_t **id, size_t *len)
{
	const uint8_t *n = note;
	uint32_t w[3];

	if (n == NULL || id == NULL || len == NULL)
		return -FWM_EINVAL;
	memcpy(w, n, sizeof w);   /* namesz, descsz, type, in the target's order */
	if (w[0] != 4 || w[2] != 3 || n[12] != 'G' || n[13] != 'N' || n[14] != 'U' || n[15] != 0 ||
	    w[1] == 0 || w[1] > 64)
		return -FWM_EINVAL;
	*id = n + 16;
	*len = w[1];
	return 0;
}

/* ---- producers ----------------------------------------------------------- */

const struct tel_obj *tel_lookup_slow(unsigned kind, const void *obj)
{
	const struct tel_obj *o = tel_find(kind, obj);

	if (o == NULL)
		o = tel_autoreg(kind, obj);
	if (o == NULL)
		return &tel_unregistered;
	__atomic_store_n(&TEL.hot, o, __ATOMIC_RELAXED);
	return o;
}

static void ring_write(uint32_t pos, const uint8_t *src, uint32_t n)
{
	uint32_t off = pos & TEL.mask, first = TEL.size - off;

	if (FWM_LIKELY(n <= first)) {
		memcpy(TEL.ring + off, src, n);
	} else {
		memcpy(TEL.ring + off, src, first);
		memcpy(TEL.ring, src + first, n - first);
	}
}

static void ring_read(uint32_t pos, uint8_t *dst, uint32_t n)
{
	uint32_t off = pos & TEL.mask, first = TEL.size - off;

	if (n <= first) {
		memcpy(dst, TEL.ring + off, n);
	} else {
		memcpy(dst, TEL.ring + off, first);
		memcpy(dst + first, TEL.ring, n - first);
	}
}

static unsigned uv32_len(uint32_t v)
{
	unsigned n = 1;

	while (v >= 0x80u) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Writes the record (header into the TEL_HDR bytes before the payload) if
 * room allows; room is what the ring has free. A record that does not fit
 * is counted with the frame bytes it would have taken. */
static int put_record(uint8_t type, uint8_t *buf, size_t n, uint32_t now, uint32_t room)
{
	struct tel_rec_head h = { (uint8_t)(TEL_HDR + n), type, { 0, 0 }, now };
	uint32_t span = TEL_SPAN(TEL_HDR + n);

	if (FWM_UNLIKELY(span > room || n > TEL_PAYLOAD_MAX)) {
		uint32_t frame = 2u + uv32_len(now - TEL.last_ts) + (uint32_t)n + FWM_PROTO_CRC_BYTES;

		TEL.drop_events++;
		TEL.drop_bytes += frame;
		TEL.dropped_events++;
		TEL.dropped_bytes += frame;
		return -FWM_ENOMEM;
	}
	memcpy(buf, &h, sizeof h);
	ring_write(TEL.head, buf, TEL_HDR + (uint32_t)n);
	__atomic_store_n(&TEL.head, TEL.head + span, __ATOMIC_RELEASE);
	TEL.last_ts = now;
	TEL.records++;
	return 0;
}

static uint32_t ring_room(void)
{
	return TEL.size - (TEL.head - __atomic_load_n(&TEL.tail, __ATOMIC_ACQUIRE));
}

/* Queues the pending drop counts as a DROPS record if it fits; if not,
 * the counts wait (that is not a drop of its own). */
static int put_drops(uint32_t now)
{
	uint8_t buf[TEL_HDR + 2 * FWM_PROTO_UV32_MAX];
	uint8_t *p = buf + TEL_HDR;
	size_t n;

	p = fwm_proto_put_uv32(p, TEL.drop_events);
	p = fwm_proto_put_uv32(p, TEL.drop_bytes);
	n = TEL_LEN(buf, p);
	if (TEL_SPAN(TEL_HDR + n) > ring_room())
		return -FWM_ENOMEM;
	TEL.drop_events = 0;
	TEL.drop_bytes = 0;
	return put_record(FWM_FT_DROPS, buf, n, now, ring_room());
}

int tel_put_now(uint8_t type, uint8_t *buf, size_t n, uint32_t now)
{
	if (FWM_UNLIKELY(TEL.drop_events != 0) && put_drops(now) != 0)
		return put_record(type, buf, n, now, 0);   /* counted as a drop */
	return put_record(type, buf, n, now, ring_room());
}

int tel_put_locked(uint8_t type, uint8_t *buf, size_t n)
{
	return tel_put_now(type, buf, n, tel_now());
}

int tel_put(uint8_t type, uint8_t *buf, size_t n, enum tel_class cls)
{
	fwm_tel_key_t key;
	int rc;

	if (FWM_UNLIKELY(!TEL.on))
		return -FWM_EINVAL;
	key = tel_crit_enter();
	rc = tel_put_locked(type, buf, n);
	if (cls != TEL_C_NONE)
		TEL.seen[cls]++;
	tel_crit_exit(key);
	return rc;
}

void tel_skip(enum tel_class cls)
{
	fwm_tel_key_t key = tel_crit_enter();

	TEL.seen[cls]++;
	TEL.sampled_out++;
	tel_crit_exit(key);
}

bool tel_count_kept(void)
{
	fwm_tel_key_t key = tel_crit_enter();
	bool keep = --TEL.sample_left == 0;

	if (keep)
		TEL.sample_left = TEL.cfg.sample_n;
	tel_crit_exit(key);
	return keep;
}

bool fwm_tel_sampled(const void *ptr)
{
	return TEL.mode != FWM_SAMPLE_ADDR || tel_addr_kept(ptr);
}

void fwm_tel_counts(struct fwm_tel_counts *c)
{
	fwm_tel_key_t key;

	if (c == NULL)
		return;
	key = tel_crit_enter();
	c->records = TEL.records;
	c->dropped_events = TEL.dropped_events;
	c->dropped_bytes = TEL.dropped_bytes;
	c->sampled_out = TEL.sampled_out;
	c->allocs = TEL.seen[TEL_C_ALLOC];
	c->frees = TEL.seen[TEL_C_FREE];
	c->reallocs = TEL.seen[TEL_C_REALLOC];
	c->fails = TEL.seen[TEL_C_FAIL];
	tel_crit_exit(key);
	c->frames = TEL.index;
}

/* ---- the drain ----------------------------------------------------------- */

static const char *default_cpu(void)
{
#if defined(__ARM_ARCH_6M__)
	return "armv6-m";
#elif defined(__ARM_ARCH_7M__)
	return "armv7-m";
#elif defined(__ARM_ARCH_7EM__)
	return "armv7e-m";
#elif defined(__ARM_ARCH_8M_BASE__)
	return "armv8-m.base";
#elif defined(__ARM_ARCH_8M_MAIN__)
	return "armv8-m.main";
#elif defined(__riscv) && __riscv_xlen == 32
	return "rv32";
#elif defined(__riscv)
	return "rv64";
#elif defined(__x86_64__)
	return "x86_64";
#elif defined(__aarch64__)
	return "aarch64";
#elif defined(__i386__)
	return "i386";
#else
	return "unknown";
#endif
}

static uint32_t cpuid(void)
{
	if (TEL.cfg.cpuid != 0)
		return TEL.cfg.cpuid;
#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
	return *(volatile const uint32_t *)0xE000ED00u;   /* SCB->CPUID */
#else
	return 0;
#endif
}

static uint8_t *put_str(uint8_t *p, const void *s, size_t n)
{
	p = fwm_proto_put_uv32(p, (uint32_t)n);
	if (n > 0)
		memcpy(p, s, n);
	return p + n;
}

/* Starts a frame of the drain's own in TEL.frame: tv, seq, dt 0. */
static uint8_t *own_frame(uint8_t type)
{
	TEL.frame[0] = FWM_PROTO_TV(type);
	TEL.frame[1] = (uint8_t)TEL.index;
	TEL.frame[2] = 0;
	return TEL.frame + 3;
}

/* A frame of len bytes (without its CRC) is ready in TEL.frame. */
static size_t built(size_t len)
{
	TEL.index++;
	return len;
}

/* COBS-encodes the frame, its CRC behind it, into dst and adds the
 * delimiter: len + 4 bytes. A frame is never longer than 254 bytes with its
 * CRC, so the code byte never passes 0xff and COBS adds exactly one byte.
 * CRC and COBS in one pass. */
FWM_STATIC_ASSERT(FWM_PROTO_FRAME_MAX <= 254, "one COBS block per frame");
static size_t stuff(uint8_t *dst, const uint8_t *src, size_t len)
{
	uint16_t crc = FWM_PROTO_CRC_INIT;
	size_t code_at = 0, o = 1;
	uint8_t code = 1, tail[2];

	for (size_t i = 0; i < len; i++) {
		uint8_t b = src[i];

		crc = fwm_proto_crc16_update(crc, b);
		if (b == 0) {
			dst[code_at] = code;
			code_at = o++;
			code = 1;
		} else {
			dst[o++] = b;
			code++;
		}
	}
	tail[0] = (uint8_t)(crc >> 8);
	tail[1] = (uint8_t)crc;
	for (size_t i = 0; i < 2; i++) {
		if (tail[i] == 0) {
			dst[code_at] = code;
			code_at = o++;
			code = 1;
		} else {
			dst[o++] = tail[i];
			code++;
		}
	}
	dst[code_at] = code;
	dst[o++] = 0;
	return o;
}

static size_t hello(bool repeat)
{
	uint8_t *p = own_frame(FWM_FT_HELLO);
	const char *cpu = TEL.cfg.cpu != NULL ? TEL.cfg.cpu : default_cpu();
	size_t idlen = TEL.cfg.build_id != NULL ? TEL.cfg.build_id_len : 0;
	uint8_t flags = repeat ? FWM_HELLO_REPEAT : 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	flags |= FWM_HELLO_LE;
#endif
	if (idlen > FWM_PROTO_BUILD_ID_MAX)
		idlen = FWM_PROTO_BUILD_ID_MAX;
	*p++ = FWM_PROTO_MINOR;
	*p++ = flags;
	*p++ = (uint8_t)sizeof(void *);
	p = fwm_proto_put_uv32(p, TEL.index);
	p = fwm_proto_put_uv64(p, TEL.abs);
	p = fwm_proto_put_uv32(p, TEL.cfg.tick_hz);
	p = fwm_proto_put_uv32(p, CONFIG_FWM_TEL_EVENTS);
	p = fwm_proto_put_uv32(p, TEL.mode == FWM_SAMPLE_NONE ? 1u : TEL.cfg.sample_n);
	*p++ = TEL.mode;
	p = tel_put_uptr(p, TEL.cfg.code_base);
	p = fwm_proto_put_uv32(p, TEL.size);
	p = fwm_proto_put_uv32(p, cpuid());
	p = put_str(p, cpu, tel_name_len(cpu, FWM_PROTO_NAME_MAX));
	p = put_str(p, TEL.cfg.build_id, idlen);
	return built((size_t)(p - TEL.frame));
}

static size_t sync_frame(void)
{
	uint8_t *p = own_frame(FWM_FT_SYNC);

	p = fwm_proto_put_uv32(p, TEL.index);
	p = fwm_proto_put_uv64(p, TEL.abs);
	return built((size_t)(p - TEL.frame));
}

/* Resends the registration of a published slot. */
static size_t announce(const struct tel_obj *o)
{
	uint8_t *p = own_frame(o->pool ? FWM_FT_POOL : FWM_FT_HEAP);

	p = tel_obj_payload(p, o);
	return built((size_t)(p - TEL.frame));
}

/* The frame payload of a raw record in TEL.rec, at p. */
static uint8_t *raw_payload(uint8_t *p, uint8_t type)
{
	uint8_t id;
	uintptr_t base;

	if (type == FWM_FT_FREE) {
		struct tel_raw_free r;

		memcpy(&r, TEL.rec, sizeof r);
		id = r.id;
		base = id != 0 && id <= CONFIG_FWM_TEL_MAX_OBJS ? TEL.obj[id - 1].base : 0;
		return tel_free_payload(p, id, base, r.ptr, r.caller, r.thread);
	} else {
		struct tel_raw_alloc r;

		memcpy(&r, TEL.rec, sizeof r);
		id = r.id;
		base = id != 0 && id <= CONFIG_FWM_TEL_MAX_OBJS ? TEL.obj[id - 1].base : 0;
		return tel_alloc_payload(p, id, base, r.ptr, r.size, r.caller, r.thread, r.align);
	}
}

/* The oldest record, as a frame. */
static size_t record(void)
{
	uint32_t tail = TEL.tail;
	struct tel_rec_head h;
	uint8_t type, *p;

	ring_read(tail, TEL.rec, TEL_HDR);
	memcpy(&h, TEL.rec, sizeof h);
	type = h.type & (uint8_t)~TEL_RAW;
	if (FWM_UNLIKELY(h.len < TEL_HDR || h.len > TEL_HDR + TEL_PAYLOAD_MAX ||
			 type > FWM_FT_TYPE_MAX ||
			 ((h.type & TEL_RAW) != 0 && h.len != (type == FWM_FT_FREE
								? sizeof(struct tel_raw_free)
								: sizeof(struct tel_raw_alloc))))) {
		/* Only a memory corruption gets here: give up what is queued. */
		__atomic_store_n(&TEL.tail, __atomic_load_n(&TEL.head, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
		return 0;
	}
	ring_read(tail + TEL_HDR, TEL.rec + TEL_HDR, h.len - TEL_HDR);
	__atomic_store_n(&TEL.tail, tail + TEL_SPAN(h.len), __ATOMIC_RELEASE);
	TEL.frame[0] = FWM_PROTO_TV(type);
	TEL.frame[1] = (uint8_t)TEL.index;
	p = fwm_proto_put_uv32(TEL.frame + 2, h.ts - TEL.drain_ts);
	TEL.abs += h.ts - TEL.drain_ts;
	TEL.drain_ts = h.ts;
	if (h.type & TEL_RAW) {
		p = raw_payload(p, type);
	} else {
		memcpy(p, TEL.rec + TEL_HDR, h.len - TEL_HDR);
		p += h.len - TEL_HDR;
	}
	return built((size_t)(p - TEL.frame));
}

/* Builds the next frame in TEL.frame; its length, 0 if there is none. */
static size_t next_frame(void)
{
	uint32_t nobj = __atomic_load_n(&TEL.nobj, __ATOMIC_ACQUIRE);

	if (!TEL.boot_sent) {
		TEL.boot_sent = true;
		TEL.wire[TEL.wire_len++] = 0;   /* ends whatever came before */
		return hello(false);
	}
	while (TEL.ann_next < TEL.ann_end) {
		const struct tel_obj *o = &TEL.obj[TEL.ann_next++];

		if (__atomic_load_n(&o->obj, __ATOMIC_RELAXED) != NULL)
			return announce(o);
	}
	if (__atomic_load_n(&TEL.head, __ATOMIC_ACQUIRE) == TEL.tail) {
		fwm_tel_key_t key;

		if (__atomic_load_n(&TEL.drop_events, __ATOMIC_RELAXED) == 0)
			return 0;
		key = tel_crit_enter();
		if (TEL.drop_events != 0)
			(void)put_drops(tel_now());
		tel_crit_exit(key);
		if (__atomic_load_n(&TEL.head, __ATOMIC_ACQUIRE) == TEL.tail)
			return 0;
	}
	if ((TEL.index & 0xffu) == 0) {
		if ((TEL.index & 0xfffu) == 0) {
			TEL.ann_next = 0;
			TEL.ann_end = nobj;
			return hello(true);
		}
		return sync_frame();
	}
	return record();
}

/* Hands the wire buffer to the transport. */
static int flush(long *sent)
{
	int rc;

	if (TEL.wire_len == 0)
		return 0;
	rc = TEL.cfg.transport.write(TEL.cfg.transport.ctx, TEL.wire, TEL.wire_len);
	if (rc != 0)
		return rc;
	*sent += (long)TEL.wire_len;
	TEL.wire_len = 0;
	return 0;
}

long fwm_tel_drain(void)
{
	long sent = 0;
	int rc;

	if (!__atomic_load_n(&TEL.on, __ATOMIC_ACQUIRE))
		return -FWM_EINVAL;
	for (;;) {
		if (TEL.pend == 0 && (TEL.pend = next_frame()) == 0)
			break;
		if (TEL.wire_len + TEL.pend + 4 > sizeof TEL.wire) {
			rc = flush(&sent);
			if (rc != 0)
				return rc == -FWM_EAGAIN ? sent : rc;
		}
		TEL.wire_len += stuff(TEL.wire + TEL.wire_len, TEL.frame, TEL.pend);
		TEL.pend = 0;
	}
	rc = flush(&sent);
	return rc == 0 || rc == -FWM_EAGAIN ? sent : rc;
}
