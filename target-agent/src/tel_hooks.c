/* fwmem target agent, telemetry: the allocator hooks of <fwmem/hooks.h>.
 *
 * This file defines the four fwm_hook_* functions and nothing else that is
 * global, so a program that brings its own hooks (a test) never pulls it
 * out of the library.
 *
 * The alloc and free paths are the ones that count (bench/RESULTS.md): the
 * heap's slot from a one-entry cache, the thread id, then inside the
 * critical section the time, a check that the ring has room at its head,
 * and the raw record (struct tel_raw_alloc/free) stored with a few word
 * stores; the drain encodes its varints. Anything unusual (the ring's end
 * near, little room, drops to report first) is encoded into a stack buffer
 * for tel_put_now, which handles it exactly. */
#include "tel_int.h"

/* Payload bytes of the largest heap event (REALLOC): heap, 2 pointers,
 * size, align, caller, thread. */
#define EV_MAX (2u * FWM_PROTO_UV32_MAX + 5u * FWM_PROTO_UV_MAX)

/* The slow path of both: encoded through a buffer, with the critical
 * section held. */
static FWM_NOINLINE void put_slow(uint8_t type, const struct tel_obj *o, uintptr_t ptr,
				  uintptr_t size, uintptr_t align, uintptr_t caller,
				  uint32_t thread, uint32_t now, enum tel_class cls)
{
	uint8_t buf[TEL_HDR + EV_MAX];
	uint8_t *p = type == FWM_FT_FREE
			     ? tel_free_payload(buf + TEL_HDR, o->id, o->base, ptr, caller, thread)
			     : tel_alloc_payload(buf + TEL_HDR, o->id, o->base, ptr, size, caller,
						 thread, align);

	(void)tel_put_now(type, buf, TEL_LEN(buf, p), now);
	TEL.seen[cls]++;
}

FWM_ALWAYS_INLINE void emit_alloc(const struct tel_obj *o, void *ptr, size_t size, size_t align,
				  void *caller, enum tel_class cls)
{
	uint8_t type = align != 0 ? FWM_FT_ALLOC_ALIGNED : FWM_FT_ALLOC;
	uintptr_t c = (uintptr_t)caller - TEL.cfg.code_base;
	uint32_t thread = tel_thread(), now, head;
	fwm_tel_key_t key = tel_crit_enter();
	struct tel_raw_alloc *r;

	now = tel_now();
	head = TEL.head;
	r = tel_fast_at(head);
	if (FWM_LIKELY(r != NULL)) {
		r->h.len = (uint8_t)sizeof *r;
		r->h.type = (uint8_t)(TEL_RAW | type);
		r->h.ts = now;
		r->ptr = (uintptr_t)ptr;
		r->size = size;
		r->caller = c;
		r->align = align;
		r->thread = thread;
		r->id = o->id;
		tel_fast_commit(head, sizeof *r, now, cls);
	} else {
		put_slow(type, o, (uintptr_t)ptr, size, align, c, thread, now, cls);
	}
	tel_crit_exit(key);
}

FWM_ALWAYS_INLINE void emit_free(const struct tel_obj *o, void *ptr, void *caller,
				 enum tel_class cls)
{
	uintptr_t c = (uintptr_t)caller - TEL.cfg.code_base;
	uint32_t thread = tel_thread(), now, head;
	fwm_tel_key_t key = tel_crit_enter();
	struct tel_raw_free *r;

	now = tel_now();
	head = TEL.head;
	r = tel_fast_at(head);
	if (FWM_LIKELY(r != NULL)) {
		r->h.len = (uint8_t)sizeof *r;
		r->h.type = TEL_RAW | FWM_FT_FREE;
		r->h.ts = now;
		r->ptr = (uintptr_t)ptr;
		r->caller = c;
		r->thread = thread;
		r->id = o->id;
		tel_fast_commit(head, sizeof *r, now, cls);
	} else {
		put_slow(FWM_FT_FREE, o, (uintptr_t)ptr, 0, 0, c, thread, now, cls);
	}
	tel_crit_exit(key);
}

void fwm_hook_alloc(enum fwm_alloc_kind kind, const void *obj, void *ptr, size_t size, size_t align,
		    void *caller)
{
	if (!FWM_TEL_WANT(FWM_CFG_ALLOC) || FWM_UNLIKELY(!TEL.on))
		return;
	if (FWM_UNLIKELY(!tel_keep(ptr))) {
		tel_skip(TEL_C_ALLOC);
		return;
	}
	emit_alloc(tel_lookup((unsigned)kind, obj), ptr, size, align, caller, TEL_C_ALLOC);
}

void fwm_hook_free(enum fwm_alloc_kind kind, const void *obj, void *ptr, void *caller)
{
	if (!FWM_TEL_WANT(FWM_CFG_ALLOC) || FWM_UNLIKELY(!TEL.on))
		return;
	if (FWM_UNLIKELY(!tel_keep(ptr))) {
		tel_skip(TEL_C_FREE);
		return;
	}
	emit_free(tel_lookup((unsigned)kind, obj), ptr, caller, TEL_C_FREE);
}

/* With address sampling a realloc can move a block into or out of the
 * sample: it is then sent as the alloc or the free the sample sees. */
void fwm_hook_realloc(enum fwm_alloc_kind kind, const void *obj, void *old_ptr, void *new_ptr,
		      size_t size, size_t align, void *caller)
{
	uint8_t buf[TEL_HDR + EV_MAX];
	uint8_t *p = buf + TEL_HDR;
	const struct tel_obj *o;
	bool keep_old = true, keep_new = true;
	uintptr_t delta;

	if (!FWM_TEL_WANT(FWM_CFG_ALLOC) || FWM_UNLIKELY(!TEL.on))
		return;
	if (TEL.mode == FWM_SAMPLE_ADDR) {
		keep_old = old_ptr != NULL ? tel_addr_kept(old_ptr) : tel_addr_kept(new_ptr);
		keep_new = new_ptr != NULL ? tel_addr_kept(new_ptr) : keep_old;
	} else if (TEL.mode == FWM_SAMPLE_COUNT) {
		keep_old = keep_new = tel_count_kept();
	}
	if (!keep_old && !keep_new) {
		tel_skip(TEL_C_REALLOC);
		return;
	}
	o = tel_lookup((unsigned)kind, obj);
	if (!keep_new) {
		emit_free(o, old_ptr, caller, TEL_C_REALLOC);
		return;
	}
	if (!keep_old) {
		emit_alloc(o, new_ptr, size, align, caller, TEL_C_REALLOC);
		return;
	}
	delta = new_ptr != NULL ? (uintptr_t)new_ptr - (uintptr_t)old_ptr : 0;
	p = fwm_proto_put_uv32(p, o->id);
	p = tel_put_ptr(p, (uintptr_t)old_ptr, o->base);
	if (sizeof(uintptr_t) == 4)   /* zigzag of the signed difference */
		p = fwm_proto_put_uv32(p, (uint32_t)((uint32_t)delta << 1) ^
					  (uint32_t)((int32_t)(uint32_t)delta >> 31));
	else
		p = fwm_proto_put_uv64(p, fwm_proto_zigzag((int64_t)(uint64_t)delta));
	p = tel_put_size(p, new_ptr != NULL ? size : 0);
	p = tel_put_size(p, align);
	p = tel_put_uptr(p, (uintptr_t)caller - TEL.cfg.code_base);
	p = fwm_proto_put_uv32(p, tel_thread());
	(void)tel_put(FWM_FT_REALLOC, buf, TEL_LEN(buf, p), TEL_C_REALLOC);
}

void fwm_hook_fail(enum fwm_alloc_kind kind, const void *obj, size_t size, size_t align,
		   void *caller)
{
	uint8_t buf[TEL_HDR + EV_MAX];
	uint8_t *p = buf + TEL_HDR;
	const struct tel_obj *o;

	if (!FWM_TEL_WANT(FWM_CFG_FAIL) || FWM_UNLIKELY(!TEL.on))
		return;
	o = tel_lookup((unsigned)kind, obj);
	p = fwm_proto_put_uv32(p, o->id);
	p = tel_put_size(p, size);
	p = tel_put_size(p, align);
	p = tel_put_uptr(p, (uintptr_t)caller - TEL.cfg.code_base);
	p = fwm_proto_put_uv32(p, tel_thread());
	(void)tel_put(FWM_FT_FAIL, buf, TEL_LEN(buf, p), TEL_C_FAIL);
}
