/* fwmem Cortex-M port: the agent's port (<fwmem/port.h>) on the kernel,
 * and the FreeRTOS scheduler lock the heap_N schemes call.
 *
 * The agent lock is the kernel's interrupt lock (PRIMASK on ARMv6-M,
 * BASEPRI on ARMv7-M), so k_heap, k_malloc, slabs and the rest may be
 * called from threads and from interrupts alike; a thread waiting for
 * memory is blocked for real and only the free that satisfies it readies
 * it. */
#include "fwmem/cm_kernel.h"
#include "fwmem/errno.h"
#include "fwmem/port.h"
#include "cm_arch.h"
#include "cm_internal.h"

fwm_port_key_t fwm_port_lock(void)
{
	return fwm_cm_irq_lock();
}

void fwm_port_unlock(fwm_port_key_t key)
{
	fwm_cm_irq_unlock((uint32_t)key);
}

int fwm_port_wait(struct fwm_waiter *w, fwm_port_key_t *key, k_timeout_t timeout)
{
	int rc;

	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
		return -FWM_EAGAIN;
	w->port = fwm_cm_current;
	rc = fwm_cm_block(NULL, key, fwm_cm_deadline(timeout));
	w->port = NULL;
	return rc == 0 ? 0 : -FWM_EAGAIN;
}

void fwm_port_wake(struct fwm_waiter *w)
{
	if (w->port != NULL)
		fwm_cm_wake(w->port, 0);
}

/* FreeRTOS's vTaskSuspendAll/xTaskResumeAll: the running thread keeps the
 * CPU (interrupts still run). These replace the heap schemes' weak
 * stand-ins. */
void vTaskSuspendAll(void);
long xTaskResumeAll(void);

void vTaskSuspendAll(void)
{
	fwm_cm_sched_lock();
}

long xTaskResumeAll(void)
{
	fwm_cm_sched_unlock();
	return 0;
}
