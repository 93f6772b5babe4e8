/* fwmem target agent, host port: the agent lock is one process-wide
 * pthread mutex (on a single-core target it is an interrupt lock: one for
 * everything, likewise), and each waiting thread sleeps on its own
 * condition variable, on CLOCK_MONOTONIC, so only the thread a free
 * satisfies is woken. */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include "fwmem/errno.h"
#include "fwmem/port.h"

static pthread_mutex_t agent_lock = PTHREAD_MUTEX_INITIALIZER;

fwm_port_key_t fwm_port_lock(void)
{
	(void)pthread_mutex_lock(&agent_lock);
	return 0;
}

void fwm_port_unlock(fwm_port_key_t key)
{
	(void)key;
	(void)pthread_mutex_unlock(&agent_lock);
}

static struct timespec deadline(k_timeout_t timeout)
{
	struct timespec ts;
	uint64_t ns = (uint64_t)timeout.ticks * (1000000000u / CONFIG_SYS_CLOCK_TICKS_PER_SEC);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns += (uint64_t)ts.tv_nsec;
	ts.tv_sec += (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	return ts;
}

int fwm_port_wait(struct fwm_waiter *w, fwm_port_key_t *key, k_timeout_t timeout)
{
	pthread_condattr_t attr;
	pthread_cond_t cond;
	bool forever = K_TIMEOUT_EQ(timeout, K_FOREVER);
	struct timespec until = forever ? (struct timespec){ 0, 0 } : deadline(timeout);
	int rc = 0;

	(void)key;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &attr);
	pthread_condattr_destroy(&attr);
	w->port = &cond;
	while (!w->done && rc != ETIMEDOUT)
		rc = forever ? pthread_cond_wait(&cond, &agent_lock)
			     : pthread_cond_timedwait(&cond, &agent_lock, &until);
	w->port = NULL;
	pthread_cond_destroy(&cond);
	return w->done ? 0 : -FWM_EAGAIN;
}

void fwm_port_wake(struct fwm_waiter *w)
{
	if (w->port != NULL)
		pthread_cond_signal(w->port);
}
