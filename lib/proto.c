/* The fwmem-protocol(5) stream decoder (see fwm_proto.h). Frame layouts
 * come from target-agent/include/fwmem/proto.h, as do the COBS, CRC and
 * varint codecs, so both ends share one definition. */
#include "fwm_proto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing one frame ------------------------------------------------ */

/* A bounded reader: a failed read sets bad (and names the field) and every
 * later read returns 0, so a parser reads straight through and checks once. */
struct rd {
	const uint8_t *p, *end;
	const char *bad;
};

static uint64_t uv(struct rd *r, const char *field)
{
	uint64_t v;

	if (r->bad != NULL)
		return 0;
	if (!fwm_proto_get_uv(&r->p, r->end, &v)) {
		r->bad = field;
		return 0;
	}
	return v;
}

static unsigned u8(struct rd *r, const char *field)
{
	if (r->bad != NULL)
		return 0;
	if (r->p >= r->end) {
		r->bad = field;
		return 0;
	}
	return *r->p++;
}

/* A str field into dst (cap bytes, NUL-terminated, cut to fit); returns
 * its length as stored. */
static size_t str(struct rd *r, char *dst, size_t cap, const char *field)
{
	uint64_t n = uv(r, field);
	size_t keep;

	dst[0] = '\0';
	if (r->bad != NULL)
		return 0;
	if (n > (uint64_t)(r->end - r->p)) {
		r->bad = field;
		return 0;
	}
	keep = n < cap ? (size_t)n : cap - 1;
	memcpy(dst, r->p, keep);
	dst[keep] = '\0';
	r->p += n;
	return keep;
}

static size_t bytes(struct rd *r, uint8_t *dst, size_t cap, const char *field)
{
	uint64_t n = uv(r, field);
	size_t keep;

	if (r->bad != NULL)
		return 0;
	if (n > (uint64_t)(r->end - r->p)) {
		r->bad = field;
		return 0;
	}
	keep = n < cap ? (size_t)n : cap;
	memcpy(dst, r->p, keep);
	r->p += n;
	return keep;
}

static void parse_hello(struct rd *r, struct fwm_proto_hello *h)
{
	h->minor = u8(r, "minor");
	h->flags = u8(r, "flags");
	h->ptr_size = u8(r, "ptr_size");
	h->index = uv(r, "index");
	h->ticks = uv(r, "ticks");
	h->tick_hz = uv(r, "tick_hz");
	h->config = uv(r, "config");
	h->sample_n = uv(r, "sample_n");
	h->sample_mode = u8(r, "sample_mode");
	h->code_base = uv(r, "code_base");
	h->ring_bytes = uv(r, "ring_bytes");
	h->cpuid = uv(r, "cpuid");
	str(r, h->cpu, sizeof h->cpu, "cpu");
	h->build_id_len = bytes(r, h->build_id, sizeof h->build_id, "build_id");
	if (r->bad == NULL && h->ptr_size != 4 && h->ptr_size != 8)
		r->bad = "ptr_size";
}

static void parse_heap(struct rd *r, struct fwm_proto_heap *h, bool pool)
{
	h->id = uv(r, "id");
	h->kind = u8(r, "kind");
	if (!pool) {
		h->variant = uv(r, "variant");
		h->parent = uv(r, "parent");
	}
	h->obj = uv(r, "obj");
	h->base = uv(r, "base");
	if (pool) {
		h->block_size = uv(r, "block_size");
		h->num_blocks = uv(r, "num_blocks");
	} else {
		h->size = uv(r, "size");
	}
	h->name_len = str(r, h->name, sizeof h->name, "name");
}

static void parse_stats(struct rd *r, struct fwm_proto_heap_stats *s)
{
	s->heap = uv(r, "heap");
	s->free = uv(r, "free");
	s->allocated = uv(r, "allocated");
	s->max_allocated = uv(r, "max_allocated");
	s->largest_free = uv(r, "largest_free");
	s->free_chunks = uv(r, "free_chunks");
	s->nbuckets = uv(r, "nbuckets");
	if (r->bad == NULL && s->nbuckets > FWM_PROTO_NBUCKETS_MAX) {
		r->bad = "nbuckets";
		return;
	}
	for (uint64_t b = 0; b < s->nbuckets; b++)
		s->bucket[b] = uv(r, "bucket");
	s->allocs = uv(r, "allocs");
	s->frees = uv(r, "frees");
	s->reallocs = uv(r, "reallocs");
	s->failures = uv(r, "failures");
	s->faults = uv(r, "faults");
}

static void parse_fragmap(struct rd *r, struct fwm_proto_fragmap *f)
{
	uint64_t n;

	f->heap = uv(r, "heap");
	f->flags = u8(r, "flags");
	f->unit = uv(r, "unit");
	f->total = uv(r, "total");
	f->start = uv(r, "start");
	n = uv(r, "nruns");
	if (r->bad == NULL && n > (uint64_t)(r->end - r->p)) {   /* a run is >= 1 byte */
		r->bad = "nruns";
		return;
	}
	f->nruns = (size_t)n;
	for (size_t i = 0; i < f->nruns; i++)
		f->run[i] = uv(r, "run");
}

static void parse_blocks(struct rd *r, struct fwm_proto_blocks *b)
{
	b->id = uv(r, "id");
	b->start = uv(r, "start");
	b->nbits = uv(r, "nbits");
	if (r->bad != NULL)
		return;
	if (b->nbits > 8 * (uint64_t)(r->end - r->p)) {
		r->bad = "nbits";
		return;
	}
	b->nbytes = (size_t)((b->nbits + 7) / 8);
	memcpy(b->bits, r->p, b->nbytes);
	r->p += b->nbytes;
}

int fwm_proto_parse(const uint8_t *frame, size_t len, struct fwm_proto_event *ev,
		    struct fwm_err *err)
{
	struct rd r = { NULL, NULL, NULL };
	uint64_t dt;

	if (frame == NULL || ev == NULL || len < FWM_PROTO_FRAME_MIN || len > FWM_PROTO_FRAME_MAX)
		return fwm_errf(err, -EINVAL, "frame of %zu bytes (%u to %u expected)", len,
				FWM_PROTO_FRAME_MIN, FWM_PROTO_FRAME_MAX);
	memset(&ev->u, 0, sizeof ev->u);
	ev->type = FWM_PROTO_TV_TYPE(frame[0]);
	ev->seq = frame[1];
	ev->index = frame[1];
	ev->time_uncertain = true;
	ev->frame = frame;
	ev->frame_len = len;
	r.p = frame + 2;
	r.end = frame + len - FWM_PROTO_CRC_BYTES;
	dt = uv(&r, "dt");
	ev->time = dt;
	switch (ev->type) {
	case FWM_FT_HELLO:
		parse_hello(&r, &ev->u.hello);
		break;
	case FWM_FT_SYNC:
		ev->u.sync.index = uv(&r, "index");
		ev->u.sync.ticks = uv(&r, "ticks");
		break;
	case FWM_FT_DROPS:
		ev->u.drops.events = uv(&r, "events");
		ev->u.drops.bytes = uv(&r, "bytes");
		break;
	case FWM_FT_LOG: {
		unsigned lv = u8(&r, "level");

		ev->u.log.level = lv & 7u;
		ev->u.log.cut = (lv & FWM_LOG_CUT) != 0;
		ev->u.log.len = str(&r, ev->u.log.text, sizeof ev->u.log.text, "text");
		break;
	}
	case FWM_FT_SUMMARY: {
		struct fwm_proto_summary *s = &ev->u.summary;

		s->status = fwm_proto_unzigzag(uv(&r, "status"));
		s->records = uv(&r, "records");
		s->dropped_events = uv(&r, "dropped_events");
		s->dropped_bytes = uv(&r, "dropped_bytes");
		s->sampled_out = uv(&r, "sampled_out");
		s->allocs = uv(&r, "allocs");
		s->frees = uv(&r, "frees");
		s->reallocs = uv(&r, "reallocs");
		s->fails = uv(&r, "fails");
		break;
	}
	case FWM_FT_HEAP:
	case FWM_FT_POOL:
		parse_heap(&r, &ev->u.heap, ev->type == FWM_FT_POOL);
		break;
	case FWM_FT_ALLOC:
	case FWM_FT_ALLOC_ALIGNED:
		ev->u.alloc.heap = uv(&r, "heap");
		ev->u.alloc.ptr = uv(&r, "ptr");
		ev->u.alloc.size = uv(&r, "size");
		ev->u.alloc.caller = uv(&r, "caller");
		ev->u.alloc.thread = uv(&r, "thread");
		if (ev->type == FWM_FT_ALLOC_ALIGNED)
			ev->u.alloc.align = uv(&r, "align");
		break;
	case FWM_FT_FREE:
		ev->u.alloc.heap = uv(&r, "heap");
		ev->u.alloc.ptr = uv(&r, "ptr");
		ev->u.alloc.caller = uv(&r, "caller");
		ev->u.alloc.thread = uv(&r, "thread");
		break;
	case FWM_FT_REALLOC: {
		struct fwm_proto_realloc *a = &ev->u.realloc;

		a->heap = uv(&r, "heap");
		a->old_ptr = uv(&r, "old");
		/* as sent: the zigzag difference, made absolute by the decoder */
		a->new_ptr = uv(&r, "new_minus_old");
		a->size = uv(&r, "size");
		a->align = uv(&r, "align");
		a->caller = uv(&r, "caller");
		a->thread = uv(&r, "thread");
		break;
	}
	case FWM_FT_FAIL:
		ev->u.alloc.heap = uv(&r, "heap");
		ev->u.alloc.size = uv(&r, "size");
		ev->u.alloc.align = uv(&r, "align");
		ev->u.alloc.caller = uv(&r, "caller");
		ev->u.alloc.thread = uv(&r, "thread");
		break;
	case FWM_FT_HEAP_STATS:
		parse_stats(&r, &ev->u.stats);
		break;
	case FWM_FT_FRAGMAP:
		parse_fragmap(&r, &ev->u.fragmap);
		break;
	case FWM_FT_POOL_USAGE:
		ev->u.pool_usage.id = uv(&r, "id");
		ev->u.pool_usage.used = uv(&r, "used");
		ev->u.pool_usage.max_used = uv(&r, "max_used");
		break;
	case FWM_FT_BLOCKS:
		parse_blocks(&r, &ev->u.blocks);
		break;
	case FWM_FT_STACK:
		ev->u.stack.thread = uv(&r, "thread");
		ev->u.stack.base = uv(&r, "base");
		ev->u.stack.size = uv(&r, "size");
		ev->u.stack.name_len = str(&r, ev->u.stack.name, sizeof ev->u.stack.name, "name");
		break;
	case FWM_FT_STACK_HWM:
		ev->u.stack_hwm.thread = uv(&r, "thread");
		ev->u.stack_hwm.used_max = uv(&r, "used_max");
		break;
	case FWM_FT_STACK_OVERFLOW:
		ev->u.overflow.thread = uv(&r, "thread");
		ev->u.overflow.how = u8(&r, "how");
		ev->u.overflow.addr = uv(&r, "addr");
		break;
	case FWM_FT_PAGE_EVENT:
		ev->u.page.what = u8(&r, "what");
		ev->u.page.vaddr = uv(&r, "vaddr");
		ev->u.page.frame = uv(&r, "frame");
		ev->u.page.thread = uv(&r, "thread");
		ev->u.page.cost = uv(&r, "cost");
		break;
	case FWM_FT_PAGE_STATS:
		ev->u.page_stats.faults = uv(&r, "faults");
		ev->u.page_stats.page_ins = uv(&r, "page_ins");
		ev->u.page_stats.page_outs = uv(&r, "page_outs");
		ev->u.page_stats.pinned = uv(&r, "pinned");
		ev->u.page_stats.frames_free = uv(&r, "frames_free");
		ev->u.page_stats.frames_total = uv(&r, "frames_total");
		break;
	default:
		break;   /* unknown: the raw frame is all there is */
	}
	if (r.bad != NULL)
		return fwm_errf(err, -EINVAL, "%s frame: field '%s' runs past the end or is malformed",
				fwm_proto_type_name(ev->type) ? fwm_proto_type_name(ev->type) : "unknown",
				r.bad);
	return 0;
}

/* ---- the stream decoder -------------------------------------------------- */

#define NIDS 256   /* object ids the decoder remembers bases for */

struct fwm_proto_dec {
	fwm_proto_fn fn;
	void *arg;
	struct fwm_proto_stats st;
	/* the chunk being collected (COBS bytes, no delimiter) */
	uint8_t chunk[FWM_PROTO_WIRE_MAX];
	size_t chunk_len;      /* bytes seen, possibly more than kept */
	uint64_t chunk_at;     /* stream offset of its first byte */
	/* the session */
	bool have_index;
	uint64_t next_index;
	uint64_t time;
	bool uncertain;
	uint64_t mask;         /* the target's pointer width */
	uint64_t code_base;
	uint64_t base[NIDS];
	bool known[NIDS];      /* a HEAP/POOL frame gave the base */
	uint8_t frame[FWM_PROTO_WIRE_MAX];
	struct fwm_proto_event ev;
};

int fwm_proto_dec_new(fwm_proto_fn fn, void *arg, struct fwm_proto_dec **out, struct fwm_err *err)
{
	struct fwm_proto_dec *d;

	if (fn == NULL || out == NULL)
		return fwm_errf(err, -EINVAL, "fwm_proto_dec_new: no callback");
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return fwm_errf(err, -ENOMEM, "fwm_proto_dec_new: out of memory");
	d->fn = fn;
	d->arg = arg;
	d->mask = UINT64_MAX;
	d->uncertain = true;
	*out = d;
	return 0;
}

void fwm_proto_dec_free(struct fwm_proto_dec *d)
{
	free(d);
}

void fwm_proto_dec_stats(const struct fwm_proto_dec *d, struct fwm_proto_stats *st)
{
	if (d != NULL && st != NULL)
		*st = d->st;
}

static void new_session(struct fwm_proto_dec *d, const struct fwm_proto_hello *h)
{
	d->mask = h->ptr_size == 4 ? UINT32_MAX : UINT64_MAX;
	d->code_base = h->code_base;
	memset(d->base, 0, sizeof d->base);
	memset(d->known, 0, sizeof d->known);
}

/* Id 0 is the agent's "no registration": absolute pointers. */
static uint64_t heap_base(const struct fwm_proto_dec *d, uint64_t id, bool *unresolved)
{
	*unresolved = id != 0 && (id >= NIDS || !d->known[id]);
	return id < NIDS ? d->base[id] : 0;
}

/* Frame index, time and absolute addresses for a parsed good frame. */
static void place(struct fwm_proto_dec *d, struct fwm_proto_event *ev)
{
	uint64_t dt = ev->time, full = UINT64_MAX, ticks = 0;
	bool boot = false;

	if (ev->type == FWM_FT_HELLO) {
		full = ev->u.hello.index;
		ticks = ev->u.hello.ticks;
		boot = (ev->u.hello.flags & FWM_HELLO_REPEAT) == 0;
	} else if (ev->type == FWM_FT_SYNC) {
		full = ev->u.sync.index;
		ticks = ev->u.sync.ticks;
	}
	if (boot) {
		d->st.boots++;
		d->have_index = false;
		new_session(d, &ev->u.hello);
	} else if (ev->type == FWM_FT_HELLO) {
		d->mask = ev->u.hello.ptr_size == 4 ? UINT32_MAX : UINT64_MAX;
		d->code_base = ev->u.hello.code_base;
	}
	if (!d->have_index) {
		ev->index = full != UINT64_MAX ? full : ev->seq;
		d->have_index = true;
	} else {
		uint64_t gap = (ev->seq - (d->next_index & 0xffu)) & 0xffu;

		ev->index = d->next_index + gap;
		if (full != UINT64_MAX && full > ev->index)
			gap += full - ev->index;   /* more than 256 lost */
		if (full != UINT64_MAX)
			ev->index = full;
		d->st.frames_lost += gap;
		if (gap != 0)
			d->uncertain = true;
	}
	d->next_index = ev->index + 1;
	if (full != UINT64_MAX) {
		d->time = ticks;
		d->uncertain = false;
	} else {
		d->time += dt;
	}
	ev->time = d->time;
	ev->time_uncertain = d->uncertain;

	switch (ev->type) {
	case FWM_FT_HEAP:
	case FWM_FT_POOL:
		if (ev->u.heap.id < NIDS) {
			d->base[ev->u.heap.id] = ev->u.heap.base;
			d->known[ev->u.heap.id] = true;
		}
		break;
	case FWM_FT_ALLOC:
	case FWM_FT_ALLOC_ALIGNED:
	case FWM_FT_FREE:
		ev->u.alloc.ptr = fwm_proto_ptr_unpack(ev->u.alloc.ptr,
						       heap_base(d, ev->u.alloc.heap, &ev->u.alloc.unresolved),
						       d->mask);
		ev->u.alloc.caller = (d->code_base + ev->u.alloc.caller) & d->mask;
		break;
	case FWM_FT_FAIL:
		ev->u.alloc.caller = (d->code_base + ev->u.alloc.caller) & d->mask;
		break;
	case FWM_FT_REALLOC: {
		struct fwm_proto_realloc *a = &ev->u.realloc;

		a->old_ptr = fwm_proto_ptr_unpack(a->old_ptr, heap_base(d, a->heap, &a->unresolved),
						  d->mask);
		a->new_ptr = a->size == 0 ? 0
					  : (a->old_ptr + (uint64_t)fwm_proto_unzigzag(a->new_ptr)) & d->mask;
		a->caller = (d->code_base + a->caller) & d->mask;
		break;
	}
	case FWM_FT_DROPS:
		d->st.dropped_events += ev->u.drops.events;
		d->st.dropped_bytes += ev->u.drops.bytes;
		break;
	default:
		break;
	}
}

/* A delimiter ended the chunk: decode it, or count it as noise. */
static int end_chunk(struct fwm_proto_dec *d)
{
	size_t n = d->chunk_len, wire = n + 1;
	uint64_t at = d->chunk_at;
	struct fwm_proto_event *ev = &d->ev;
	long len;

	d->chunk_len = 0;
	d->chunk_at = d->st.bytes_in;
	d->st.bytes_pending -= n;
	if (n == 0) {
		d->st.bytes_idle++;
		return 0;
	}
	if (n > sizeof d->chunk) {
		d->st.too_long++;
		goto noise;
	}
	len = fwm_proto_cobs_decode(d->frame, d->chunk, n);
	if (len < 0) {
		d->st.bad_cobs++;
		goto noise;
	}
	if ((size_t)len < FWM_PROTO_FRAME_MIN) {
		d->st.too_short++;
		goto noise;
	}
	if ((size_t)len > FWM_PROTO_FRAME_MAX) {
		d->st.too_long++;
		goto noise;
	}
	if (fwm_proto_crc16(FWM_PROTO_CRC_INIT, d->frame, (size_t)len) != 0) {
		d->st.bad_crc++;
		goto noise;
	}
	if (FWM_PROTO_TV_VERSION(d->frame[0]) != FWM_PROTO_VERSION) {
		d->st.bad_version++;
		goto noise;
	}
	if (fwm_proto_parse(d->frame, (size_t)len, ev, NULL) != 0) {
		d->st.malformed++;
		goto noise;
	}
	place(d, ev);
	ev->offset = at;
	ev->wire_bytes = wire;
	d->st.bytes_ok += wire;
	d->st.frames_ok++;
	if (fwm_proto_type_name(ev->type) == NULL)
		d->st.frames_unknown++;
	return d->fn(ev, d->arg);
noise:
	d->st.bytes_noise += wire;
	return 0;
}

int fwm_proto_dec_feed(struct fwm_proto_dec *d, const void *buf, size_t n, struct fwm_err *err)
{
	const uint8_t *p = buf, *end = p + n;

	if (d == NULL || (buf == NULL && n > 0))
		return fwm_errf(err, -EINVAL, "fwm_proto_dec_feed: no decoder or no bytes");
	while (p < end) {
		const uint8_t *z = memchr(p, 0, (size_t)(end - p));
		size_t run = (size_t)((z != NULL ? z : end) - p);
		size_t room = d->chunk_len < sizeof d->chunk ? sizeof d->chunk - d->chunk_len : 0;
		int rc;

		if (room > 0)   /* an overlong chunk is only counted */
			memcpy(d->chunk + d->chunk_len, p, run < room ? run : room);
		d->chunk_len += run;
		d->st.bytes_in += run;
		d->st.bytes_pending += run;
		p += run;
		if (z == NULL)
			break;
		p++;
		d->st.bytes_in++;
		rc = end_chunk(d);
		if (rc != 0)
			return fwm_errf(err, rc, "stream offset %" PRIu64 ": the event handler stopped (%d)",
					d->st.bytes_in - 1, rc);
	}
	return 0;
}

int fwm_proto_dec_finish(struct fwm_proto_dec *d, struct fwm_err *err)
{
	if (d == NULL)
		return fwm_errf(err, -EINVAL, "fwm_proto_dec_finish: no decoder");
	if (d->chunk_len > 0) {
		d->st.truncated++;
		d->st.bytes_noise += d->chunk_len;
		d->st.bytes_pending -= d->chunk_len;
		d->chunk_len = 0;
		d->chunk_at = d->st.bytes_in;
	}
	return 0;
}

/* ---- names and text -------------------------------------------------------- */

const char *fwm_proto_type_name(unsigned type)
{
	static const char *const names[] = {
		[FWM_FT_HELLO] = "hello", [FWM_FT_SYNC] = "sync", [FWM_FT_DROPS] = "drops",
		[FWM_FT_LOG] = "log", [FWM_FT_SUMMARY] = "summary", [FWM_FT_HEAP] = "heap",
		[FWM_FT_ALLOC] = "alloc", [FWM_FT_ALLOC_ALIGNED] = "alloc_aligned",
		[FWM_FT_FREE] = "free", [FWM_FT_REALLOC] = "realloc", [FWM_FT_FAIL] = "fail",
		[FWM_FT_HEAP_STATS] = "heap_stats", [FWM_FT_FRAGMAP] = "fragmap",
		[FWM_FT_POOL] = "pool", [FWM_FT_POOL_USAGE] = "pool_usage",
		[FWM_FT_BLOCKS] = "blocks", [FWM_FT_STACK] = "stack",
		[FWM_FT_STACK_HWM] = "stack_hwm", [FWM_FT_STACK_OVERFLOW] = "stack_overflow",
		[FWM_FT_PAGE_EVENT] = "page_event", [FWM_FT_PAGE_STATS] = "page_stats",
	};

	return type < sizeof names / sizeof *names ? names[type] : NULL;
}

const char *fwm_proto_kind_name(unsigned kind)
{
	static const char *const names[] = {
		[FWM_HK_SYS_HEAP] = "sys_heap", [FWM_HK_K_HEAP] = "k_heap",
		[FWM_HK_SYSTEM_HEAP] = "system_heap", [FWM_HK_MEM_SLAB] = "mem_slab",
		[FWM_HK_MEM_BLOCKS] = "mem_blocks", [FWM_HK_MULTI_HEAP] = "multi_heap",
		[FWM_HK_SHARED_MULTI_HEAP] = "shared_multi_heap", [FWM_HK_FREERTOS] = "freertos",
		[FWM_HK_MULTI_HEAP_REGION] = "multi_heap_region", [FWM_HK_LIBC] = "libc",
		[FWM_HK_OTHER] = "other",
	};
	const char *s = kind < sizeof names / sizeof *names ? names[kind] : NULL;

	return s != NULL ? s : "?";
}

/* snprintf into a running buffer that never overflows; n counts what the
 * whole text would take. */
struct out {
	char *buf;
	size_t cap;
	int n;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t at = o->n >= 0 && (size_t)o->n < o->cap ? (size_t)o->n : o->cap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->buf != NULL ? o->buf + at : NULL, o->buf != NULL ? o->cap - at : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += k;
}

static void put_text(struct out *o, const char *s, size_t n)
{
	put(o, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			put(o, "%c", c);
		else
			put(o, "\\x%02x", c);
	}
	put(o, "\"");
}

static const char *overflow_name(unsigned how)
{
	switch (how) {
	case FWM_OVF_CANARY: return "canary";
	case FWM_OVF_LIMIT: return "limit";
	case FWM_OVF_GUARD: return "guard";
	default: return "?";
	}
}

static const char *page_name(unsigned what)
{
	switch (what) {
	case FWM_PAGE_FAULT: return "fault";
	case FWM_PAGE_IN: return "in";
	case FWM_PAGE_OUT: return "out";
	case FWM_PAGE_PIN: return "pin";
	case FWM_PAGE_UNPIN: return "unpin";
	default: return "?";
	}
}

#define X(v) ((unsigned long long)(v))

int fwm_proto_format(const struct fwm_proto_event *ev, char *buf, size_t n)
{
	struct out o = { buf, buf != NULL ? n : 0, 0 };
	const char *name = fwm_proto_type_name(ev->type);

	if (buf != NULL && n > 0)
		buf[0] = '\0';
	put(&o, "[%llu] t%c%llu ", X(ev->index), ev->time_uncertain ? '~' : '=', X(ev->time));
	if (name == NULL) {
		put(&o, "type%u len=%zu", ev->type, ev->frame_len);
		return o.n;
	}
	put(&o, "%s", name);
	switch (ev->type) {
	case FWM_FT_HELLO: {
		const struct fwm_proto_hello *h = &ev->u.hello;

		put(&o, " v%u.%u flags=0x%x ptr=%u index=%llu ticks=%llu hz=%llu config=0x%llx"
			" sample=%llu/%u code_base=0x%llx ring=%llu cpuid=0x%llx cpu=",
		    FWM_PROTO_VERSION, h->minor, h->flags, h->ptr_size, X(h->index), X(h->ticks),
		    X(h->tick_hz), X(h->config), X(h->sample_n), h->sample_mode, X(h->code_base),
		    X(h->ring_bytes), X(h->cpuid));
		put_text(&o, h->cpu, strlen(h->cpu));
		put(&o, " build_id=");
		for (size_t i = 0; i < h->build_id_len; i++)
			put(&o, "%02x", h->build_id[i]);
		break;
	}
	case FWM_FT_SYNC:
		put(&o, " index=%llu ticks=%llu", X(ev->u.sync.index), X(ev->u.sync.ticks));
		break;
	case FWM_FT_DROPS:
		put(&o, " events=%llu bytes=%llu", X(ev->u.drops.events), X(ev->u.drops.bytes));
		break;
	case FWM_FT_LOG:
		put(&o, " level=%u%s text=", ev->u.log.level, ev->u.log.cut ? " cut" : "");
		put_text(&o, ev->u.log.text, ev->u.log.len);
		break;
	case FWM_FT_SUMMARY: {
		const struct fwm_proto_summary *s = &ev->u.summary;

		put(&o, " status=%lld records=%llu dropped=%llu/%lluB sampled_out=%llu allocs=%llu"
			" frees=%llu reallocs=%llu fails=%llu",
		    (long long)s->status, X(s->records), X(s->dropped_events), X(s->dropped_bytes),
		    X(s->sampled_out), X(s->allocs), X(s->frees), X(s->reallocs), X(s->fails));
		break;
	}
	case FWM_FT_HEAP:
	case FWM_FT_POOL: {
		const struct fwm_proto_heap *h = &ev->u.heap;

		put(&o, " id=%llu kind=%s", X(h->id), fwm_proto_kind_name(h->kind));
		if (ev->type == FWM_FT_HEAP)
			put(&o, " variant=%llu parent=%llu obj=0x%llx base=0x%llx size=%llu",
			    X(h->variant), X(h->parent), X(h->obj), X(h->base), X(h->size));
		else
			put(&o, " obj=0x%llx base=0x%llx block_size=%llu blocks=%llu", X(h->obj),
			    X(h->base), X(h->block_size), X(h->num_blocks));
		put(&o, " name=");
		put_text(&o, h->name, h->name_len);
		break;
	}
	case FWM_FT_ALLOC:
	case FWM_FT_ALLOC_ALIGNED:
		put(&o, " heap=%llu ptr=0x%llx size=%llu caller=0x%llx thread=%llu",
		    X(ev->u.alloc.heap), X(ev->u.alloc.ptr), X(ev->u.alloc.size),
		    X(ev->u.alloc.caller), X(ev->u.alloc.thread));
		if (ev->type == FWM_FT_ALLOC_ALIGNED)
			put(&o, " align=%llu", X(ev->u.alloc.align));
		if (ev->u.alloc.unresolved)
			put(&o, " unresolved");
		break;
	case FWM_FT_FREE:
		put(&o, " heap=%llu ptr=0x%llx caller=0x%llx thread=%llu%s", X(ev->u.alloc.heap),
		    X(ev->u.alloc.ptr), X(ev->u.alloc.caller), X(ev->u.alloc.thread),
		    ev->u.alloc.unresolved ? " unresolved" : "");
		break;
	case FWM_FT_REALLOC: {
		const struct fwm_proto_realloc *a = &ev->u.realloc;

		put(&o, " heap=%llu old=0x%llx new=0x%llx size=%llu align=%llu caller=0x%llx"
			" thread=%llu%s",
		    X(a->heap), X(a->old_ptr), X(a->new_ptr), X(a->size), X(a->align), X(a->caller),
		    X(a->thread), a->unresolved ? " unresolved" : "");
		break;
	}
	case FWM_FT_FAIL:
		put(&o, " heap=%llu size=%llu align=%llu caller=0x%llx thread=%llu",
		    X(ev->u.alloc.heap), X(ev->u.alloc.size), X(ev->u.alloc.align),
		    X(ev->u.alloc.caller), X(ev->u.alloc.thread));
		break;
	case FWM_FT_HEAP_STATS: {
		const struct fwm_proto_heap_stats *s = &ev->u.stats;

		put(&o, " heap=%llu free=%llu allocated=%llu max=%llu largest=%llu free_chunks=%llu"
			" buckets=[",
		    X(s->heap), X(s->free), X(s->allocated), X(s->max_allocated), X(s->largest_free),
		    X(s->free_chunks));
		for (uint64_t b = 0; b < s->nbuckets; b++)
			put(&o, "%s%llu", b ? "," : "", X(s->bucket[b]));
		put(&o, "] allocs=%llu frees=%llu reallocs=%llu failures=%llu faults=%llu",
		    X(s->allocs), X(s->frees), X(s->reallocs), X(s->failures), X(s->faults));
		break;
	}
	case FWM_FT_FRAGMAP: {
		const struct fwm_proto_fragmap *f = &ev->u.fragmap;
		bool used = (f->flags & FWM_FRAG_USED_FIRST) != 0;

		put(&o, " heap=%llu%s%s unit=%llu total=%llu start=%llu runs=", X(f->heap),
		    f->flags & FWM_FRAG_FIRST ? " first" : "", f->flags & FWM_FRAG_LAST ? " last" : "",
		    X(f->unit), X(f->total), X(f->start));
		for (size_t i = 0; i < f->nruns; i++, used = !used)
			put(&o, "%s%c%llu", i ? "," : "", used ? 'U' : 'F', X(f->run[i]));
		break;
	}
	case FWM_FT_POOL_USAGE:
		put(&o, " id=%llu used=%llu max=%llu", X(ev->u.pool_usage.id),
		    X(ev->u.pool_usage.used), X(ev->u.pool_usage.max_used));
		break;
	case FWM_FT_BLOCKS:
		put(&o, " id=%llu start=%llu nbits=%llu bits=", X(ev->u.blocks.id),
		    X(ev->u.blocks.start), X(ev->u.blocks.nbits));
		for (size_t i = 0; i < ev->u.blocks.nbytes; i++)
			put(&o, "%02x", ev->u.blocks.bits[i]);
		break;
	case FWM_FT_STACK:
		put(&o, " thread=%llu base=0x%llx size=%llu name=", X(ev->u.stack.thread),
		    X(ev->u.stack.base), X(ev->u.stack.size));
		put_text(&o, ev->u.stack.name, ev->u.stack.name_len);
		break;
	case FWM_FT_STACK_HWM:
		put(&o, " thread=%llu used_max=%llu", X(ev->u.stack_hwm.thread),
		    X(ev->u.stack_hwm.used_max));
		break;
	case FWM_FT_STACK_OVERFLOW:
		put(&o, " thread=%llu how=%s addr=0x%llx", X(ev->u.overflow.thread),
		    overflow_name(ev->u.overflow.how), X(ev->u.overflow.addr));
		break;
	case FWM_FT_PAGE_EVENT:
		put(&o, " what=%s vaddr=0x%llx frame=%llu thread=%llu cost=%llu",
		    page_name(ev->u.page.what), X(ev->u.page.vaddr), X(ev->u.page.frame),
		    X(ev->u.page.thread), X(ev->u.page.cost));
		break;
	case FWM_FT_PAGE_STATS: {
		const struct fwm_proto_page_stats *s = &ev->u.page_stats;

		put(&o, " faults=%llu ins=%llu outs=%llu pinned=%llu free=%llu total=%llu",
		    X(s->faults), X(s->page_ins), X(s->page_outs), X(s->pinned), X(s->frames_free),
		    X(s->frames_total));
		break;
	}
	default:
		break;
	}
	return o.n;
}
