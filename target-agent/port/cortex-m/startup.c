/* fwmem Cortex-M port: start-up. The vector table (core exceptions and
 * the 32 interrupts of mps2-an385, named as in its CMSIS device header),
 * Reset_Handler (copies .data, zeroes .bss, boots the kernel), default
 * handlers, and the fault report over semihosting.
 *
 * Every handler is a weak alias: the firmware defines the ones it uses.
 * The linker script provides the symbols below (see mps2-an385.ld). */
#include "fwmem/cm_kernel.h"
#include "fwmem/semihost.h"
#include "cm_arch.h"
#include "cm_internal.h"

#ifndef FWM_CM_FAULT_STATUS
#define FWM_CM_FAULT_STATUS 3   /* exit status of a firmware that faulted */
#endif

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];

void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);
void PendSV_Handler(void);

#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
/* The fault handlers are weak aliases of fwm_cm_fault_entry (switch.S). */
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void UART0RX_IRQHandler(void) WEAK_DEFAULT;
void UART0TX_IRQHandler(void) WEAK_DEFAULT;
void UART1RX_IRQHandler(void) WEAK_DEFAULT;
void UART1TX_IRQHandler(void) WEAK_DEFAULT;
void UART2RX_IRQHandler(void) WEAK_DEFAULT;
void UART2TX_IRQHandler(void) WEAK_DEFAULT;
void GPIO0ALL_IRQHandler(void) WEAK_DEFAULT;
void GPIO1ALL_IRQHandler(void) WEAK_DEFAULT;
void TIMER0_IRQHandler(void) WEAK_DEFAULT;
void TIMER1_IRQHandler(void) WEAK_DEFAULT;
void DUALTIMER_IRQHandler(void) WEAK_DEFAULT;
void SPI_IRQHandler(void) WEAK_DEFAULT;
void UARTOVF_IRQHandler(void) WEAK_DEFAULT;
void ETHERNET_IRQHandler(void) WEAK_DEFAULT;
void I2S_IRQHandler(void) WEAK_DEFAULT;
void TSC_IRQHandler(void) WEAK_DEFAULT;
void GPIO2_IRQHandler(void) WEAK_DEFAULT;
void GPIO3_IRQHandler(void) WEAK_DEFAULT;
void UART3RX_IRQHandler(void) WEAK_DEFAULT;
void UART3TX_IRQHandler(void) WEAK_DEFAULT;
void UART4RX_IRQHandler(void) WEAK_DEFAULT;
void UART4TX_IRQHandler(void) WEAK_DEFAULT;
void ADCSPI_IRQHandler(void) WEAK_DEFAULT;
void SHIELDSPI_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_0_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_1_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_2_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_3_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_4_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_5_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_6_IRQHandler(void) WEAK_DEFAULT;
void GPIO0_7_IRQHandler(void) WEAK_DEFAULT;

typedef void (*fwm_vector_t)(void);

__attribute__((section(".isr_vector"), used))
const fwm_vector_t __isr_vector[16 + 32] = {
	(fwm_vector_t)(uintptr_t)__msp_top,
	Reset_Handler,
	NMI_Handler,
	HardFault_Handler,
	MemManage_Handler,
	BusFault_Handler,
	UsageFault_Handler,
	0, 0, 0, 0,
	SVC_Handler,
	DebugMon_Handler,
	0,
	PendSV_Handler,
	SysTick_Handler,
	UART0RX_IRQHandler, UART0TX_IRQHandler, UART1RX_IRQHandler, UART1TX_IRQHandler,
	UART2RX_IRQHandler, UART2TX_IRQHandler, GPIO0ALL_IRQHandler, GPIO1ALL_IRQHandler,
	TIMER0_IRQHandler, TIMER1_IRQHandler, DUALTIMER_IRQHandler, SPI_IRQHandler,
	UARTOVF_IRQHandler, ETHERNET_IRQHandler, I2S_IRQHandler, TSC_IRQHandler,
	GPIO2_IRQHandler, GPIO3_IRQHandler, UART3RX_IRQHandler, UART3TX_IRQHandler,
	UART4RX_IRQHandler, UART4TX_IRQHandler, ADCSPI_IRQHandler, SHIELDSPI_IRQHandler,
	GPIO0_0_IRQHandler, GPIO0_1_IRQHandler, GPIO0_2_IRQHandler, GPIO0_3_IRQHandler,
	GPIO0_4_IRQHandler, GPIO0_5_IRQHandler, GPIO0_6_IRQHandler, GPIO0_7_IRQHandler,
};

void Reset_Handler(void)
{
	const uint32_t *src = __data_load;

	for (uint32_t *p = __data_start; p < __data_end; p++)
		*p = *src++;
	for (uint32_t *p = __bss_start; p < __bss_end; p++)
		*p = 0;
#if !FWM_CM_V6M
	SCB_VTOR = (uint32_t)(uintptr_t)__isr_vector;
	SCB_CCR |= 1u << 9;     /* STKALIGN: 8-byte aligned exception frames */
#endif
	fwm_cm_boot();
}

void SysTick_Handler(void)
{
	fwm_cm_tick();
}

/* An interrupt nobody handles: report it as a fault would be. */
void Default_Handler(void)
{
	fwm_sh_printf("fwmem: unexpected exception %lu\n", (unsigned long)fwm_cm_ipsr());
	fwm_sh_exit(FWM_CM_FAULT_STATUS);
}

__attribute__((weak)) void fwm_cm_main_exit(int status)
{
	fwm_sh_exit(status);
}

static const char *exception_name(uint32_t n)
{
	switch (n) {
	case 3: return "HardFault";
	case 4: return "MemManage";
	case 5: return "BusFault";
	case 6: return "UsageFault";
	default: return "fault";
	}
}

void fwm_cm_fault(const uint32_t *frame, uint32_t exc_return)
{
	struct fwm_thread *t = fwm_cm_current;

	fwm_sh_printf("fwmem: %s in thread %s: pc=0x%08lx lr=0x%08lx xpsr=0x%08lx sp=%p "
		      "exc_return=0x%08lx\n",
		      exception_name(fwm_cm_ipsr()), t != NULL && t->name != NULL ? t->name : "?",
		      (unsigned long)frame[6], (unsigned long)frame[5], (unsigned long)frame[7],
		      (const void *)frame, (unsigned long)exc_return);
#if !FWM_CM_V6M
	fwm_sh_printf("fwmem: cfsr=0x%08lx hfsr=0x%08lx mmfar=0x%08lx bfar=0x%08lx\n",
		      (unsigned long)SCB_CFSR, (unsigned long)SCB_HFSR, (unsigned long)SCB_MMFAR,
		      (unsigned long)SCB_BFAR);
#endif
	for (struct fwm_stack *s = fwm_stack_first(); s != NULL; s = fwm_stack_next(s))
		if (!fwm_stack_canary_ok(s))
			fwm_sh_printf("fwmem: stack %s overflowed (canary at %p broken)\n",
				      s->name != NULL ? s->name : "?", (void *)s->base);
	fwm_sh_exit(FWM_CM_FAULT_STATUS);
}
