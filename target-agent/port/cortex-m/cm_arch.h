/* fwmem Cortex-M port, private: system control registers and the few
 * instructions C cannot express, for ARMv6-M (M0/M0+) and ARMv7-M/ARMv7E-M
 * (M3, M4, M4F, M7). Not a public header. */
#ifndef FWM_CM_ARCH_H
#define FWM_CM_ARCH_H

#if defined(__ARM_ARCH_6M__)
#define FWM_CM_V6M 1         /* no BASEPRI, no CLZ, no IT blocks, low registers */
#elif defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
#define FWM_CM_V6M 0
#else
#error "the fwmem Cortex-M port supports ARMv6-M and ARMv7-M (M0+, M3, M4, M7)"
#endif

#if defined(__ARM_FP) && !FWM_CM_V6M
#define FWM_CM_FPU 1         /* M4F/M7 built for an FPU: lazy FP stacking */
#else
#define FWM_CM_FPU 0
#endif

/* Exception priorities: PendSV the lowest of all, so that a switch happens
 * only when no other handler is active; SysTick just above it. The agent
 * lock (BASEPRI on ARMv7-M) masks both and every interrupt of priority
 * value FWM_CM_LOCK_PRIO or more: interrupts above it (numerically lower)
 * never wait for the lock, and must not call the agent. */
#ifndef FWM_CM_LOCK_PRIO
#define FWM_CM_LOCK_PRIO 0x20
#endif
#define FWM_CM_PENDSV_PRIO 0xFFu
#define FWM_CM_SYSTICK_PRIO 0xE0u

/* EXC_RETURN of a thread that has not used the FPU: thread mode, PSP,
 * basic frame. */
#define FWM_CM_EXC_RETURN_THREAD_PSP 0xFFFFFFFDu

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stdbool.h>

#define FWM_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* System control space. */
#define SYST_CSR   FWM_REG32(0xE000E010u)
#define SYST_RVR   FWM_REG32(0xE000E014u)
#define SYST_CVR   FWM_REG32(0xE000E018u)
#define SCB_ICSR   FWM_REG32(0xE000ED04u)
#define SCB_VTOR   FWM_REG32(0xE000ED08u)
#define SCB_AIRCR  FWM_REG32(0xE000ED0Cu)
#define SCB_CCR    FWM_REG32(0xE000ED14u)
#define SCB_SHPR3  FWM_REG32(0xE000ED20u)
#define SCB_SHCSR  FWM_REG32(0xE000ED24u)
#define SCB_CFSR   FWM_REG32(0xE000ED28u)   /* ARMv7-M only */
#define SCB_HFSR   FWM_REG32(0xE000ED2Cu)   /* ARMv7-M only */
#define SCB_MMFAR  FWM_REG32(0xE000ED34u)   /* ARMv7-M only */
#define SCB_BFAR   FWM_REG32(0xE000ED38u)   /* ARMv7-M only */
#define SCB_CPACR  FWM_REG32(0xE000ED88u)   /* with an FPU */
#define FPU_FPCCR  FWM_REG32(0xE000EF34u)   /* with an FPU */

#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)        /* the processor clock */
#define ICSR_PENDSVSET     (1u << 28)
#define FPCCR_ASPEN_LSPEN  (3u << 30)       /* automatic and lazy FP state saving */

static inline void fwm_cm_pend_switch(void)
{
	SCB_ICSR = ICSR_PENDSVSET;
	__asm__ volatile("dsb\n\tisb" ::: "memory");
}

static inline uint32_t fwm_cm_ipsr(void)
{
	uint32_t v;

	__asm__ volatile("mrs %0, ipsr" : "=r"(v));
	return v;
}

static inline void *fwm_cm_sp(void)
{
	void *sp;

	__asm__ volatile("mov %0, sp" : "=r"(sp));
	return sp;
}

#if FWM_CM_V6M
/* PRIMASK: masks everything but NMI and HardFault. */
static inline uint32_t fwm_cm_irq_lock(void)
{
	uint32_t key;

	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(key) :: "memory");
	return key;
}

static inline void fwm_cm_irq_unlock(uint32_t key)
{
	__asm__ volatile("msr primask, %0" :: "r"(key) : "memory");
}
#else
/* BASEPRI_MAX only ever raises the mask, so nested locks work and an
 * interrupt above FWM_CM_LOCK_PRIO is never held off. */
static inline uint32_t fwm_cm_irq_lock(void)
{
	uint32_t key, level = (uint32_t)FWM_CM_LOCK_PRIO;

	__asm__ volatile("mrs %0, basepri\n\t"
			 "msr basepri_max, %1\n\t"
			 "isb"
			 : "=&r"(key) : "r"(level) : "memory");
	return key;
}

static inline void fwm_cm_irq_unlock(uint32_t key)
{
	__asm__ volatile("msr basepri, %0\n\tisb" :: "r"(key) : "memory");
}
#endif

/* Index of the lowest set bit of x, x != 0: the highest ready priority. */
static inline unsigned fwm_cm_lowest_bit(uint32_t x)
{
#if FWM_CM_V6M
	/* No CLZ on ARMv6-M: isolate the bit and look it up (de Bruijn). */
	static const uint8_t pos[32] = {
		0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
		31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9,
	};

	return pos[((x & (0u - x)) * 0x077CB531u) >> 27];
#else
	return 31u - (unsigned)__builtin_clz(x & (0u - x));
#endif
}

#endif /* __ASSEMBLER__ */

#endif /* FWM_CM_ARCH_H */
