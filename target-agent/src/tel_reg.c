/* fwmem target agent, telemetry: the table of registered heaps and pools
 * (see tel_int.h for how it is read without a lock). */
#include <zephyr/kernel.h>
#include <zephyr/sys/mem_blocks.h>
#include "tel_int.h"

size_t tel_name_len(const char *s, size_t max)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	while (n < max && s[n] != '\0')
		n++;
	return n;
}

uint8_t *tel_obj_payload(uint8_t *p, const struct tel_obj *o)
{
	size_t nl = tel_name_len(o->name, FWM_PROTO_NAME_MAX);

	p = fwm_proto_put_uv32(p, o->id);
	*p++ = o->kind;
	if (!o->pool) {
		p = fwm_proto_put_uv32(p, o->variant);
		p = fwm_proto_put_uv32(p, o->parent);
	}
	p = tel_put_uptr(p, (uintptr_t)__atomic_load_n(&o->obj, __ATOMIC_RELAXED));
	p = tel_put_uptr(p, o->base);
	p = tel_put_size(p, o->size);
	if (o->pool)
		p = fwm_proto_put_uv32(p, o->count);
	p = fwm_proto_put_uv32(p, (uint32_t)nl);
	if (nl > 0)
		memcpy(p, o->name, nl);
	return p + nl;
}

const struct tel_obj *tel_find_any(const void *obj)
{
	uint32_t n = __atomic_load_n(&TEL.nobj, __ATOMIC_ACQUIRE);

	if (obj == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (__atomic_load_n(&TEL.obj[i].obj, __ATOMIC_RELAXED) == obj)
			return &TEL.obj[i];
	return NULL;
}

static bool same_shape(const struct tel_obj *a, const struct tel_obj *b)
{
	return a->base == b->base && a->size == b->size && a->count == b->count &&
	       a->pool == b->pool && a->variant == b->variant && a->parent == b->parent;
}

int tel_register(const struct tel_obj *in)
{
	uint8_t buf[TEL_HDR + TEL_OBJ_MAX];
	struct tel_obj *old = NULL, *slot;
	fwm_tel_key_t key;
	uint32_t n;
	int rc;

	if (!TEL.on)
		return -FWM_EINVAL;
	key = tel_crit_enter();
	n = TEL.nobj;
	for (uint32_t i = 0; i < n; i++)
		if (TEL.obj[i].obj == in->obj && TEL.obj[i].kind == in->kind)
			old = &TEL.obj[i];
	if (old != NULL && same_shape(old, in)) {
		/* The same object again: a new name at most. */
		__atomic_store_n(&old->name, in->name, __ATOMIC_RELAXED);
		rc = tel_put_locked(old->pool ? FWM_FT_POOL : FWM_FT_HEAP, buf,
				    TEL_LEN(buf, tel_obj_payload(buf + TEL_HDR, old)));
		tel_crit_exit(key);
		return rc == 0 ? old->id : rc;
	}
	if (n >= CONFIG_FWM_TEL_MAX_OBJS) {
		tel_crit_exit(key);
		return -FWM_ENOMEM;
	}
	slot = &TEL.obj[n];
	*slot = *in;
	slot->id = (uint8_t)(n + 1);
	slot->frag_hash = 0;
	rc = tel_put_locked(slot->pool ? FWM_FT_POOL : FWM_FT_HEAP, buf,
			    TEL_LEN(buf, tel_obj_payload(buf + TEL_HDR, slot)));
	if (rc == 0) {
		if (old != NULL)
			__atomic_store_n(&old->obj, NULL, __ATOMIC_RELAXED);
		__atomic_store_n(&TEL.nobj, n + 1, __ATOMIC_RELEASE);
		rc = slot->id;
	}
	tel_crit_exit(key);
	return rc;
}

int fwm_tel_heap_register_ex(enum fwm_proto_kind kind, uint32_t variant, const void *parent,
			     const void *obj, const char *name, const void *base, size_t size)
{
	struct tel_obj o = { .obj = obj, .base = (uintptr_t)base, .size = size, .name = name,
			     .variant = variant, .kind = (uint8_t)kind };
	const struct tel_obj *p = tel_find_any(parent);

	if (!FWM_TEL_WANT(FWM_CFG_HEAP))
		return 0;
	if (obj == NULL || (unsigned)kind == 0)
		return -FWM_EINVAL;
	o.parent = p != NULL ? p->id : 0;
	return tel_register(&o);
}

int fwm_tel_heap_register(enum fwm_proto_kind kind, const void *obj, const char *name,
			  const void *base, size_t size)
{
	return fwm_tel_heap_register_ex(kind, 0, NULL, obj, name, base, size);
}

int fwm_tel_pool_register(enum fwm_proto_kind kind, const void *obj, const char *name,
			  const void *base, size_t block_size, uint32_t num_blocks)
{
	struct tel_obj o = { .obj = obj, .base = (uintptr_t)base, .size = block_size,
			     .count = num_blocks, .name = name, .kind = (uint8_t)kind, .pool = true };

	if (!FWM_TEL_WANT(FWM_CFG_HEAP))
		return 0;
	if (obj == NULL || (unsigned)kind == 0)
		return -FWM_EINVAL;
	return tel_register(&o);
}

/* What the hooks' objects tell about themselves. */
static void sys_heap_shape(struct tel_obj *o, const struct sys_heap *h)
{
	o->base = (uintptr_t)h->fwm.base;
	o->size = (size_t)h->fwm.end * 8u;
}

const struct tel_obj *tel_autoreg(unsigned kind, const void *obj)
{
	struct tel_obj o = { .obj = obj, .kind = (uint8_t)kind };

	if (obj == NULL || kind == 0 || kind > 0xffu)
		return NULL;
	switch (kind) {
	case FWM_HK_SYS_HEAP:
		sys_heap_shape(&o, obj);
		break;
	case FWM_HK_K_HEAP:
	case FWM_HK_SYSTEM_HEAP:
		sys_heap_shape(&o, &((const struct k_heap *)obj)->heap);
		break;
	case FWM_HK_MEM_SLAB: {
		const struct k_mem_slab *s = obj;

		o.pool = true;
		o.base = (uintptr_t)s->buffer;
		o.size = s->info.block_size;
		o.count = s->info.num_blocks;
		break;
	}
	case FWM_HK_MEM_BLOCKS: {
		const sys_mem_blocks_t *b = obj;

		o.pool = true;
		o.base = (uintptr_t)b->buffer;
		o.size = (size_t)1 << b->blk_sz_shift;
		o.count = b->num_blocks;
		break;
	}
	default:
		break;   /* no base known: pointers go absolute */
	}
	if (tel_register(&o) < 0)
		return NULL;
	return tel_find(kind, obj);
}
