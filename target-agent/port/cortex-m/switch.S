/* fwmem Cortex-M port: context switch (PendSV), the first switch, and the
 * HardFault entry.
 *
 * A switched-out thread's stack holds, from its saved sp up:
 *   r4 r5 r6 r7 r8 r9 r10 r11 EXC_RETURN [s16-s31 if EXC_RETURN bit 4 is 0]
 *   then the frame the exception entry stacked (r0-r3 r12 lr pc xPSR
 *   [s0-s15 FPSCR, lazily filled, with an FP context]).
 * EXC_RETURN is saved per thread: on an FPU core it tells whether the
 * thread has an FP context (bit 4 clear) whose callee-saved s16-s31 must
 * be saved too; touching them triggers the lazy save of s0-s15 into the
 * space the hardware reserved, so a thread that never used the FPU costs
 * nothing extra.
 *
 * ARMv6-M (M0/M0+): STM/LDM take only r0-r7 and cannot write back
 * downwards, so the high registers go through r4-r7, and there is no
 * BASEPRI: the switch runs with PRIMASK set.
 */
#include "cm_arch.h"

	.syntax unified
	.thumb
	.text

	.global	PendSV_Handler
	.type	PendSV_Handler, %function
	.thumb_func
PendSV_Handler:
#if FWM_CM_V6M
	mrs	r0, psp
	ldr	r3, =fwm_cm_current
	ldr	r2, [r3]
	subs	r0, r0, #36
	str	r0, [r2]                /* current->sp */
	stmia	r0!, {r4-r7}
	mov	r4, r8
	mov	r5, r9
	mov	r6, r10
	mov	r7, r11
	stmia	r0!, {r4-r7}
	mov	r1, lr
	str	r1, [r0]                /* EXC_RETURN */
	cpsid	i
	bl	fwm_cm_switch           /* r0 = next->sp */
	cpsie	i
	adds	r0, r0, #16
	ldmia	r0!, {r4-r7}            /* r8-r11 */
	mov	r8, r4
	mov	r9, r5
	mov	r10, r6
	mov	r11, r7
	ldmia	r0!, {r1}               /* EXC_RETURN */
	msr	psp, r0
	subs	r0, r0, #36
	ldmia	r0!, {r4-r7}
	bx	r1
#else
	mrs	r0, psp
	isb
	ldr	r3, =fwm_cm_current
	ldr	r2, [r3]
#if FWM_CM_FPU
	tst	lr, #0x10               /* an FP context? */
	it	eq
	vstmdbeq r0!, {s16-s31}
#endif
	stmdb	r0!, {r4-r11, lr}
	str	r0, [r2]                /* current->sp */
	mov	r0, #FWM_CM_LOCK_PRIO
	msr	basepri, r0
	dsb
	isb
	bl	fwm_cm_switch           /* r0 = next->sp */
	mov	r1, #0
	msr	basepri, r1
	ldmia	r0!, {r4-r11, lr}
#if FWM_CM_FPU
	tst	lr, #0x10
	it	eq
	vldmiaeq r0!, {s16-s31}
#endif
	msr	psp, r0
	isb
	bx	lr
#endif
	.ltorg
	.size	PendSV_Handler, . - PendSV_Handler

/* void fwm_cm_start(uint32_t *boot_psp): interrupts masked, PendSV
 * pending. The boot code's context goes to boot_psp (never resumed); the
 * interrupt stack starts again from its top, without the FP context flag,
 * and is painted; unmasking takes the PendSV into the first thread. */
	.global	fwm_cm_start
	.type	fwm_cm_start, %function
	.thumb_func
fwm_cm_start:
	msr	psp, r0
	ldr	r1, =__msp_top
	msr	msp, r1
	movs	r2, #0
	msr	control, r2
	isb
	bl	fwm_cm_paint_msp
#if !FWM_CM_V6M
	movs	r0, #0
	msr	basepri, r0
#endif
	cpsie	i
	isb
1:	wfi
	b	1b
	.ltorg
	.size	fwm_cm_start, . - fwm_cm_start

/* HardFault (and, on ARMv7-M, MemManage, BusFault, UsageFault): the frame
 * is on the stack EXC_RETURN bit 2 names. */
	.global	fwm_cm_fault_entry
	.type	fwm_cm_fault_entry, %function
	.thumb_func
fwm_cm_fault_entry:
	mov	r1, lr
	movs	r0, #4
	tst	r0, r1
	bne	1f
	mrs	r0, msp
	b	2f
1:	mrs	r0, psp
2:	ldr	r2, =fwm_cm_fault
	bx	r2
	.ltorg
	.size	fwm_cm_fault_entry, . - fwm_cm_fault_entry

	.weak	HardFault_Handler
	.thumb_set HardFault_Handler, fwm_cm_fault_entry
	.weak	MemManage_Handler
	.thumb_set MemManage_Handler, fwm_cm_fault_entry
	.weak	BusFault_Handler
	.thumb_set BusFault_Handler, fwm_cm_fault_entry
	.weak	UsageFault_Handler
	.thumb_set UsageFault_Handler, fwm_cm_fault_entry
