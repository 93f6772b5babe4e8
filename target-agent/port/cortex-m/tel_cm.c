/* fwmem Cortex-M port: the telemetry glue. Stacks are registered with the
 * telemetry under the kernel's thread ids (0: the interrupt stack), and the
 * stack watcher's reports (the idle thread's scans, the context switch's
 * canary check) become STACK_HWM and STACK_OVERFLOW events. Linked only in
 * firmware that has the telemetry. */
#include "fwmem/cm_kernel.h"
#include "fwmem/telemetry.h"
#include "cm_arch.h"
#include "cm_internal.h"

static bool on;

static uint32_t stack_thread_id(const struct fwm_stack *s)
{
	return s->owner != NULL ? ((const struct fwm_thread *)s->owner)->id : 0;
}

static void register_stack(const struct fwm_stack *s)
{
	(void)fwm_tel_stack_register(stack_thread_id(s), s->name != NULL ? s->name : "",
				     (const void *)fwm_stack_base(s), fwm_stack_size(s));
	if (fwm_stack_hwm(s) != 0)
		(void)fwm_tel_stack_hwm(stack_thread_id(s), fwm_stack_hwm(s));
}

static void report(const struct fwm_stack *s, enum fwm_stack_event ev)
{
	if (ev == FWM_STACK_EV_OVERFLOW)
		(void)fwm_tel_stack_overflow(stack_thread_id(s), FWM_OVF_CANARY, s->base);
	else
		(void)fwm_tel_stack_hwm(stack_thread_id(s), fwm_stack_hwm(s));
}

void fwm_cm_thread_created(struct fwm_thread *t)
{
	if (on)
		register_stack(&t->stack);
}

void fwm_cm_tel_stacks(void)
{
	uint32_t key = fwm_cm_irq_lock();

	for (const struct fwm_stack *s = fwm_stack_first(); s != NULL; s = fwm_stack_next(s))
		register_stack(s);
	(void)fwm_stack_set_report(report);
	on = true;
	fwm_cm_irq_unlock(key);
}

uint32_t fwm_cm_tel_now(void)
{
	return (uint32_t)fwm_ticks();
}
