/* fwmem target agent: the port, what the agent needs from the kernel under
 * it, and the wait queues built on it.
 *
 * One lock guards every agent object (on a single-core target it is an
 * interrupt lock, as Zephyr's k_spinlock is there). A thread that must
 * wait for memory queues a waiter (on its own stack) on the object and
 * calls fwm_port_wait; whoever frees memory hands it to the waiters it can
 * satisfy, marks them done and calls fwm_port_wake for each. Nobody else
 * is woken.
 *
 * A port provides the four fwm_port_* functions: target-agent/port/host/
 * (pthreads) in the host library; the Cortex-M port comes with telemetry.
 */
#ifndef FWMEM_PORT_H
#define FWMEM_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <zephyr/sys_clock.h>

typedef uintptr_t fwm_port_key_t;

/* One blocked thread, queued FIFO on an object. Lives on the waiting
 * thread's stack; the fields below `port` are the object's business. */
struct fwm_waiter {
	struct fwm_waiter *next, *prev;
	void *port;          /* the port's per-wait state */
	bool done;           /* set, under the lock, by whoever satisfied it */
	size_t bytes;        /* what it waits for ... */
	size_t align;
	void *result;        /* ... and what it was given */
};

struct fwm_wait_q {
	struct fwm_waiter *head, *tail;  /* all-zero is an empty queue */
};

/* Takes the agent lock; returns what fwm_port_unlock needs. O(1). */
fwm_port_key_t fwm_port_lock(void);
void fwm_port_unlock(fwm_port_key_t key);

/* With the lock held (key from fwm_port_lock) and w queued: releases the
 * lock, blocks until fwm_port_wake(w) or the timeout (K_FOREVER: none),
 * takes the lock again. Returns 0 when woken, -FWM_EAGAIN on timeout;
 * either way the caller then reads w->done, which decides. Never called
 * with K_NO_WAIT. */
int fwm_port_wait(struct fwm_waiter *w, fwm_port_key_t *key, k_timeout_t timeout);

/* With the lock held: makes the thread blocked on w runnable. O(1). */
void fwm_port_wake(struct fwm_waiter *w);

/* ---- wait queues (lock held for all of these) ------------------------- */

static inline void fwm_waitq_append(struct fwm_wait_q *q, struct fwm_waiter *w)
{
	w->next = NULL;
	w->prev = q->tail;
	if (q->tail != NULL)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
}

static inline void fwm_waitq_remove(struct fwm_wait_q *q, struct fwm_waiter *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->next = w->prev = NULL;
}

/* Dequeues w, records what it was given and wakes its thread. */
static inline void fwm_waitq_finish(struct fwm_wait_q *q, struct fwm_waiter *w, void *result)
{
	fwm_waitq_remove(q, w);
	w->result = result;
	w->done = true;
	fwm_port_wake(w);
}

/* Number of queued waiters. O(n). */
static inline unsigned fwm_waitq_count(const struct fwm_wait_q *q)
{
	unsigned n = 0;

	for (const struct fwm_waiter *w = q->head; w != NULL; w = w->next)
		n++;
	return n;
}

/* Queues a waiter for (bytes, align) on q and blocks; the result handed
 * over, or NULL on timeout. Lock held on entry and on return. */
void *fwm_waitq_block(struct fwm_wait_q *q, fwm_port_key_t *key, size_t bytes, size_t align,
		      k_timeout_t timeout);

#endif /* FWMEM_PORT_H */
