/* fwmem target agent, telemetry: the producers other than the allocator
 * hooks (statistics, snapshots, stacks, paging, text, the summary). Each
 * encodes its payload (layouts in <fwmem/proto.h>) into a stack buffer and
 * queues it with tel_put. */
#include <zephyr/sys/sys_heap.h>
#include "tel_int.h"

/* Room for a payload of the largest frame, with the record header. */
#define BODY_ROOM (FWM_PROTO_BODY_MAX - FWM_PROTO_UV32_MAX)   /* after a 5-byte dt */
typedef uint8_t tel_buf_t[TEL_HDR + BODY_ROOM];

static size_t used(const uint8_t *buf, const uint8_t *p)
{
	return TEL_LEN(buf, p);
}

/* The registered object for obj, or NULL (telemetry off, or never seen). */
static const struct tel_obj *known(const void *obj)
{
	return TEL.on ? tel_find_any(obj) : NULL;
}

/* ---- heap statistics ------------------------------------------------------ */

/* heap id, 5 sizes, free chunks, nbuckets, buckets, 5 counters */
FWM_STATIC_ASSERT(2 + 5 * sizeof(size_t) / 4 * FWM_PROTO_UV32_MAX + FWM_PROTO_UV32_MAX + 1 +
			  FWM_PROTO_NBUCKETS_MAX * FWM_PROTO_UV32_MAX + 5 * FWM_PROTO_UV32_MAX <=
		  BODY_ROOM, "HEAP_STATS fits a frame");

int fwm_tel_heap_stats(const void *obj, const struct fwm_tel_heap_stats *st)
{
	const struct tel_obj *o = known(obj);
	tel_buf_t buf;
	uint8_t *p = buf + TEL_HDR;
	uint32_t nb;

	if (!FWM_TEL_WANT(FWM_CFG_HEAP))
		return 0;
	if (o == NULL || st == NULL)
		return -FWM_EINVAL;
	nb = st->nbuckets < FWM_PROTO_NBUCKETS_MAX ? st->nbuckets : FWM_PROTO_NBUCKETS_MAX;
	p = fwm_proto_put_uv32(p, o->id);
	p = tel_put_size(p, st->free_bytes);
	p = tel_put_size(p, st->allocated_bytes);
	p = tel_put_size(p, st->max_allocated_bytes);
	p = tel_put_size(p, st->largest_free_bytes);
	p = fwm_proto_put_uv32(p, st->free_chunks);
	p = fwm_proto_put_uv32(p, nb);
	for (uint32_t b = 0; b < nb; b++)
		p = fwm_proto_put_uv32(p, st->buckets[b]);
	p = fwm_proto_put_uv32(p, st->allocs);
	p = fwm_proto_put_uv32(p, st->frees);
	p = fwm_proto_put_uv32(p, st->reallocs);
	p = fwm_proto_put_uv32(p, st->failures);
	p = fwm_proto_put_uv32(p, st->faults);
	return tel_put(FWM_FT_HEAP_STATS, buf, used(buf, p), TEL_C_NONE);
}

int fwm_tel_sys_heap_stats(const void *obj, struct sys_heap *heap)
{
	struct fwm_heap_info info;
	struct fwm_tel_heap_stats st;
	int rc;

	if (!FWM_TEL_WANT(FWM_CFG_HEAP))
		return 0;
	rc = fwm_heap_info_get(heap, &info);
	if (rc != 0)
		return rc;
	st.free_bytes = info.free_bytes;
	st.allocated_bytes = info.allocated_bytes;
	st.max_allocated_bytes = info.max_allocated_bytes;
	st.largest_free_bytes = info.largest_free_bytes;
	st.free_chunks = info.free_chunks;
	st.nbuckets = info.nbuckets;
	for (uint32_t b = 0; b < FWM_PROTO_NBUCKETS_MAX; b++)
		st.buckets[b] = b < FWM_HEAP_NBUCKETS && b < info.nbuckets ? info.bucket_chunks[b] : 0;
	st.allocs = info.allocs;
	st.frees = info.frees;
	st.reallocs = info.reallocs;
	st.failures = info.failures;
	st.faults = info.faults;
	return fwm_tel_heap_stats(obj, &st);
}

/* ---- fragmentation maps ---------------------------------------------------- */

/* Header of a FRAGMAP part: id, flags, unit, total, start, nruns (< 256). */
#define FRAG_HEAD (FWM_PROTO_UV32_MAX + 1 + 3 * FWM_PROTO_UV_MAX + 2)
#define FRAG_RUNS (BODY_ROOM - FRAG_HEAD)

struct frag {
	const struct tel_obj *o;
	bool emit;              /* second pass: send the parts */
	bool cur_used;
	uint64_t cur_units;     /* the run being built */
	uint64_t at;            /* units before it */
	uint64_t total;
	uint32_t hash;
	/* the part being built */
	uint64_t part_start;
	bool part_used, first;
	uint32_t nruns;
	size_t nbytes;
	uint8_t runs[FRAG_RUNS];
	int rc;
};

static void frag_part(struct frag *f, bool last)
{
	tel_buf_t buf;
	uint8_t *p = buf + TEL_HDR;
	uint8_t flags = (uint8_t)((f->part_used ? FWM_FRAG_USED_FIRST : 0) |
				  (f->first ? FWM_FRAG_FIRST : 0) | (last ? FWM_FRAG_LAST : 0));
	int rc;

	p = fwm_proto_put_uv32(p, f->o->id);
	*p++ = flags;
	p = fwm_proto_put_uv32(p, 8u);
	p = fwm_proto_put_uv64(p, f->total);
	p = fwm_proto_put_uv64(p, f->part_start);
	p = fwm_proto_put_uv32(p, f->nruns);
	memcpy(p, f->runs, f->nbytes);
	p += f->nbytes;
	rc = tel_put(FWM_FT_FRAGMAP, buf, used(buf, p), TEL_C_NONE);
	if (rc != 0)
		f->rc = rc;
	f->first = false;
	f->nruns = 0;
	f->nbytes = 0;
}

/* A run is complete: hash it, or add it to the part (sending the part
 * first if it is full). */
static void frag_run(struct frag *f, bool used_, uint64_t units)
{
	uint8_t tmp[FWM_PROTO_UV_MAX];
	size_t n;

	if (!f->emit) {
		uint64_t v = units << 1 | (used_ ? 1u : 0u);

		for (unsigned i = 0; i < 8; i++)   /* FNV-1a over the run's 8 bytes */
			f->hash = (f->hash ^ (uint8_t)(v >> (8 * i))) * 16777619u;
		f->total += units;
		return;
	}
	n = (size_t)(fwm_proto_put_uv64(tmp, units) - tmp);
	if (f->nbytes + n > sizeof f->runs || f->nruns == 255) {
		frag_part(f, false);
	}
	if (f->nruns == 0) {
		f->part_start = f->at;
		f->part_used = used_;
	}
	memcpy(f->runs + f->nbytes, tmp, n);
	f->nbytes += n;
	f->nruns++;
	f->at += units;
}

static bool frag_chunk(const struct fwm_heap_chunk *c, void *arg)
{
	struct frag *f = arg;
	uint64_t units = (uint64_t)c->bytes / 8u;

	if (f->cur_units != 0 && c->used != f->cur_used) {
		frag_run(f, f->cur_used, f->cur_units);
		f->cur_units = 0;
	}
	f->cur_used = c->used;
	f->cur_units += units;
	return true;
}

static int frag_walk(struct frag *f, struct sys_heap *heap)
{
	int rc = fwm_heap_walk(heap, frag_chunk, f);

	if (rc < 0)
		return rc;
	if (f->cur_units != 0)
		frag_run(f, f->cur_used, f->cur_units);
	return 0;
}

int fwm_tel_fragmap(const void *obj, struct sys_heap *heap, bool force)
{
	struct tel_obj *o = (struct tel_obj *)known(obj);
	struct frag f;
	int rc;

	if (!FWM_TEL_WANT(FWM_CFG_HEAP))
		return 0;
	if (o == NULL || heap == NULL)
		return -FWM_EINVAL;
	memset(&f, 0, sizeof f);
	f.o = o;
	f.hash = 2166136261u;
	rc = frag_walk(&f, heap);
	if (rc != 0)
		return rc;
	if (f.hash == 0)
		f.hash = 1;
	if (!force && f.hash == o->frag_hash)
		return 1;
	f.emit = true;
	f.first = true;
	f.cur_units = 0;
	rc = frag_walk(&f, heap);
	if (rc != 0)
		return rc;
	frag_part(&f, true);
	if (f.rc == 0)
		o->frag_hash = f.hash;   /* the drain never reads it */
	return f.rc;
}

/* ---- pools ------------------------------------------------------------------ */

int fwm_tel_pool_usage(const void *obj, uint32_t used_blocks, uint32_t max_used)
{
	const struct tel_obj *o = known(obj);
	uint8_t buf[TEL_HDR + 3 * FWM_PROTO_UV32_MAX];
	uint8_t *p = buf + TEL_HDR;

	if (!FWM_TEL_WANT(FWM_CFG_HEAP))
		return 0;
	if (o == NULL)
		return -FWM_EINVAL;
	p = fwm_proto_put_uv32(p, o->id);
	p = fwm_proto_put_uv32(p, used_blocks);
	p = fwm_proto_put_uv32(p, max_used);
	return tel_put(FWM_FT_POOL_USAGE, buf, used(buf, p), TEL_C_NONE);
}

#define BLOCKS_BYTES (BODY_ROOM - 3 * FWM_PROTO_UV32_MAX)

int fwm_tel_blocks(const void *obj, const uint32_t *bitmap, uint32_t nbits)
{
	const struct tel_obj *o = known(obj);
	uint32_t start = 0;
	int rc = 0;

	if (!FWM_TEL_WANT(FWM_CFG_HEAP))
		return 0;
	if (o == NULL || (bitmap == NULL && nbits != 0))
		return -FWM_EINVAL;
	do {
		tel_buf_t buf;
		uint8_t *p = buf + TEL_HDR;
		uint32_t n = nbits - start < BLOCKS_BYTES * 8u ? nbits - start : BLOCKS_BYTES * 8u;
		int r;

		p = fwm_proto_put_uv32(p, o->id);
		p = fwm_proto_put_uv32(p, start);
		p = fwm_proto_put_uv32(p, n);
		for (uint32_t i = 0; i < n; i += 8) {
			uint8_t byte = 0;

			for (uint32_t k = 0; k < 8 && i + k < n; k++) {
				uint32_t bit = start + i + k;

				if ((bitmap[bit / 32] >> (bit % 32)) & 1u)
					byte = (uint8_t)(byte | (1u << k));
			}
			*p++ = byte;
		}
		r = tel_put(FWM_FT_BLOCKS, buf, used(buf, p), TEL_C_NONE);
		if (r != 0)
			rc = r;
		start += n;
	} while (start < nbits);
	return rc;
}

/* ---- stacks ----------------------------------------------------------------- */

int fwm_tel_stack_register(uint32_t thread, const char *name, const void *base, size_t size)
{
	uint8_t buf[TEL_HDR + FWM_PROTO_UV32_MAX + 3 * FWM_PROTO_UV_MAX + FWM_PROTO_NAME_MAX];
	uint8_t *p = buf + TEL_HDR;
	size_t nl = tel_name_len(name, FWM_PROTO_NAME_MAX);

	if (!FWM_TEL_WANT(FWM_CFG_STACK))
		return 0;
	p = fwm_proto_put_uv32(p, thread);
	p = tel_put_uptr(p, (uintptr_t)base);
	p = tel_put_size(p, size);
	p = fwm_proto_put_uv32(p, (uint32_t)nl);
	if (nl > 0)
		memcpy(p, name, nl);
	p += nl;
	return tel_put(FWM_FT_STACK, buf, used(buf, p), TEL_C_NONE);
}

int fwm_tel_stack_hwm(uint32_t thread, size_t used_max)
{
	uint8_t buf[TEL_HDR + FWM_PROTO_UV32_MAX + FWM_PROTO_UV_MAX];
	uint8_t *p = buf + TEL_HDR;

	if (!FWM_TEL_WANT(FWM_CFG_STACK))
		return 0;
	p = fwm_proto_put_uv32(p, thread);
	p = tel_put_size(p, used_max);
	return tel_put(FWM_FT_STACK_HWM, buf, used(buf, p), TEL_C_NONE);
}

int fwm_tel_stack_overflow(uint32_t thread, enum fwm_proto_overflow how, const void *addr)
{
	uint8_t buf[TEL_HDR + FWM_PROTO_UV32_MAX + 1 + FWM_PROTO_UV_MAX];
	uint8_t *p = buf + TEL_HDR;

	if (!FWM_TEL_WANT(FWM_CFG_STACK))
		return 0;
	p = fwm_proto_put_uv32(p, thread);
	*p++ = (uint8_t)how;
	p = tel_put_uptr(p, (uintptr_t)addr);
	return tel_put(FWM_FT_STACK_OVERFLOW, buf, used(buf, p), TEL_C_NONE);
}

/* ---- paging (reserved frames) ----------------------------------------------- */

int fwm_tel_page_event(enum fwm_proto_page what, const void *vaddr, uint32_t frame,
		       uint32_t thread, uint32_t cost)
{
	uint8_t buf[TEL_HDR + 1 + FWM_PROTO_UV_MAX + 3 * FWM_PROTO_UV32_MAX];
	uint8_t *p = buf + TEL_HDR;

	if (!FWM_TEL_WANT(FWM_CFG_PAGING))
		return 0;
	*p++ = (uint8_t)what;
	p = tel_put_uptr(p, (uintptr_t)vaddr);
	p = fwm_proto_put_uv32(p, frame);
	p = fwm_proto_put_uv32(p, thread);
	p = fwm_proto_put_uv32(p, cost);
	return tel_put(FWM_FT_PAGE_EVENT, buf, used(buf, p), TEL_C_NONE);
}

int fwm_tel_page_stats(const struct fwm_tel_page_stats *st)
{
	uint8_t buf[TEL_HDR + 6 * FWM_PROTO_UV32_MAX];
	uint8_t *p = buf + TEL_HDR;

	if (!FWM_TEL_WANT(FWM_CFG_PAGING))
		return 0;
	if (st == NULL)
		return -FWM_EINVAL;
	p = fwm_proto_put_uv32(p, st->faults);
	p = fwm_proto_put_uv32(p, st->page_ins);
	p = fwm_proto_put_uv32(p, st->page_outs);
	p = fwm_proto_put_uv32(p, st->pinned);
	p = fwm_proto_put_uv32(p, st->frames_free);
	p = fwm_proto_put_uv32(p, st->frames_total);
	return tel_put(FWM_FT_PAGE_STATS, buf, used(buf, p), TEL_C_NONE);
}

/* ---- text and the summary ------------------------------------------------- */

#define LOG_TEXT_MAX (BODY_ROOM - 1 - 2)   /* level, a 2-byte length */

int fwm_tel_log(enum fwm_proto_level level, const char *text)
{
	tel_buf_t buf;
	uint8_t *p = buf + TEL_HDR;
	size_t n = tel_name_len(text, LOG_TEXT_MAX + 1);
	uint8_t lv = (uint8_t)((unsigned)level & 7u);

	if (!FWM_TEL_WANT(FWM_CFG_LOG))
		return 0;
	if (n > LOG_TEXT_MAX) {
		n = LOG_TEXT_MAX;
		lv |= FWM_LOG_CUT;
	}
	*p++ = lv;
	p = fwm_proto_put_uv32(p, (uint32_t)n);
	if (n > 0)
		memcpy(p, text, n);
	p += n;
	return tel_put(FWM_FT_LOG, buf, used(buf, p), TEL_C_NONE);
}

int fwm_tel_summary(int32_t status)
{
	uint8_t buf[TEL_HDR + 1 + 9 * FWM_PROTO_UV32_MAX];
	uint8_t *p = buf + TEL_HDR;
	fwm_tel_key_t key;
	int rc;

	if (!TEL.on)
		return -FWM_EINVAL;
	key = tel_crit_enter();   /* the counters and the record in one go */
	p = fwm_proto_put_uv32(p, ((uint32_t)status << 1) ^ (uint32_t)(status >> 31));
	p = fwm_proto_put_uv32(p, TEL.records);
	p = fwm_proto_put_uv32(p, TEL.dropped_events);
	p = fwm_proto_put_uv32(p, TEL.dropped_bytes);
	p = fwm_proto_put_uv32(p, TEL.sampled_out);
	p = fwm_proto_put_uv32(p, TEL.seen[TEL_C_ALLOC]);
	p = fwm_proto_put_uv32(p, TEL.seen[TEL_C_FREE]);
	p = fwm_proto_put_uv32(p, TEL.seen[TEL_C_REALLOC]);
	p = fwm_proto_put_uv32(p, TEL.seen[TEL_C_FAIL]);
	rc = tel_put_locked(FWM_FT_SUMMARY, buf, used(buf, p));
	tel_crit_exit(key);
	return rc;
}
