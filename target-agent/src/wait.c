/* fwmem target agent: blocking on a wait queue through the port. */
#include "fwmem/port.h"

void *fwm_waitq_block(struct fwm_wait_q *q, fwm_port_key_t *key, size_t bytes, size_t align,
		      k_timeout_t timeout)
{
	struct fwm_waiter w = { .bytes = bytes, .align = align };

	fwm_waitq_append(q, &w);
	(void)fwm_port_wait(&w, key, timeout);
	/* Whatever the port says, `done` (set under the lock) decides: a
	 * hand-off that raced with the timeout still counts. */
	if (!w.done) {
		fwm_waitq_remove(q, &w);
		return NULL;
	}
	return w.result;
}
