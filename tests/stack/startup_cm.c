/* Cortex-M start-up of the stack fixture: a vector table (__isr_vector) whose
 * unused entries share Default_Handler, and a Reset_Handler that calls main. */
#include "stack.h"

extern unsigned _estack;
int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void TIMER0_IRQHandler(void);
void UART0_IRQHandler(void);
#define ALIAS __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) ALIAS;
void HardFault_Handler(void) ALIAS;
void SVC_Handler(void) ALIAS;
void PendSV_Handler(void) ALIAS;
void SysTick_Handler(void);

typedef void (*vector_t)(void);
__attribute__((section(".isr_vector"), used))
const vector_t __isr_vector[16 + 4] = {
	(vector_t)&_estack,
	Reset_Handler,
	NMI_Handler,
	HardFault_Handler,
	0, 0, 0, 0, 0, 0, 0,
	SVC_Handler,
	0, 0,
	PendSV_Handler,
	SysTick_Handler,
	UART0_IRQHandler,
	TIMER0_IRQHandler,
	Default_Handler,
	0,
};

void Reset_Handler(void)
{
	main();
	for (;;)
		;
}

void Default_Handler(void)
{
	for (;;)
		;
}
