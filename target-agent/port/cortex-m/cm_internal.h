/* fwmem Cortex-M port, private: what the kernel shares with the port glue
 * (port_cm.c), the start-up code and switch.S. Not a public header. */
#ifndef FWM_CM_INTERNAL_H
#define FWM_CM_INTERNAL_H

#include "fwmem/cm_kernel.h"
#include "fwmem/port.h"

#define FWM_CM_NEVER UINT64_MAX     /* a deadline that never comes */

/* The running thread; switch.S saves its stack pointer in ->sp. */
extern struct fwm_thread *fwm_cm_current;

/* The tick a relative timeout ends at (K_FOREVER: FWM_CM_NEVER). Lock held. */
uint64_t fwm_cm_deadline(k_timeout_t timeout);

/* Lock held (*key from fwm_port_lock): blocks the caller on q (may be
 * NULL) until woken or the deadline; returns the wake status or -EAGAIN.
 * Returns -EAGAIN at once where blocking is impossible (an interrupt, the
 * scheduler not running, the idle thread, the lock taken twice). */
int fwm_cm_block(struct fwm_tq *q, fwm_port_key_t *key, uint64_t deadline);

/* Lock held: makes a blocked t ready with status (off its queue and the
 * timeout list); asks for a switch if it should run now. */
void fwm_cm_wake(struct fwm_thread *t, int status);

/* The scheduler lock behind vTaskSuspendAll/xTaskResumeAll: while it is
 * held the running thread is not preempted (interrupts still run). */
void fwm_cm_sched_lock(void);
void fwm_cm_sched_unlock(void);

/* Called by switch.S, lock held, with the outgoing thread's context saved:
 * picks the next thread and returns its saved stack pointer. */
uint32_t *fwm_cm_switch(void);

/* Called by switch.S on the fresh interrupt stack: paints it. */
void fwm_cm_paint_msp(void);

/* switch.S: moves to the boot PSP, resets the MSP and lets the pending
 * PendSV switch to the first thread. */
void fwm_cm_start(uint32_t *boot_psp) __attribute__((noreturn));

/* SysTick_Handler's work. */
void fwm_cm_tick(void);

/* HardFault_Handler's report: the stacked frame and EXC_RETURN. */
void fwm_cm_fault(const uint32_t *frame, uint32_t exc_return) __attribute__((noreturn));

/* The linker script's interrupt stack. */
extern uint32_t __msp_limit[], __msp_top[];

#endif /* FWM_CM_INTERNAL_H */
