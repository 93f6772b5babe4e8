/* fwmem target agent, telemetry transport: a RAM ring that a debugger
 * reads while the target runs, in the way of SEGGER RTT's up-buffers. The
 * control block `_fwm_ring` is described in <fwmem/telemetry.h> and
 * fwmem-protocol(5). The target only writes wr, the debugger only rd. */
#include "fwmem/errno.h"
#include "fwmem/mem.h"
#include "fwmem/telemetry.h"

struct fwm_ring_cb _fwm_ring;

static int ram_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct fwm_ring_cb *r = ctx;
	uint32_t size = r->size, wr = r->wr;
	uint32_t rd = __atomic_load_n(&r->rd, __ATOMIC_ACQUIRE);
	uint32_t held, first;

	if (wr >= size || rd >= size)
		return -FWM_EFAULT;   /* the control block was overwritten */
	held = wr >= rd ? wr - rd : size - rd + wr;
	if (len > size - 1 - held)
		return -FWM_EAGAIN;
	first = size - wr;
	if (len <= first) {
		memcpy(r->buf + wr, buf, len);
	} else {
		memcpy(r->buf + wr, buf, first);
		memcpy(r->buf, buf + first, len - first);
	}
	wr += (uint32_t)len;
	if (wr >= size)
		wr -= size;
	__atomic_store_n(&r->wr, wr, __ATOMIC_RELEASE);   /* after the bytes */
	return 0;
}

void fwm_transport_ram(struct fwm_tel_transport *t, uint8_t *buf, uint32_t size)
{
	__atomic_store_n(&_fwm_ring.magic, 0, __ATOMIC_RELEASE);
	_fwm_ring.version = FWM_RING_VERSION;
	_fwm_ring.flags = 0;
	_fwm_ring.size = size;
	_fwm_ring.buf = buf;
	_fwm_ring.wr = 0;
	_fwm_ring.rd = 0;
	__atomic_store_n(&_fwm_ring.magic, FWM_RING_MAGIC, __ATOMIC_RELEASE);
	t->write = ram_write;
	t->ctx = &_fwm_ring;
}
