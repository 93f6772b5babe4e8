/* Cortex-M start-up: vector table, .data copy, .bss clear. */
#include <stdint.h>
#include "util.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
int main(void);
void Reset_Handler(void);
void Default_Handler(void);

__attribute__((section(".isr_vector"), used))
static void (*const vectors[16])(void) = {
	(void (*)(void))_estack, Reset_Handler, Default_Handler, Default_Handler,
};

void Default_Handler(void)
{
	for (;;)
		;
}

void Reset_Handler(void)
{
	memcpy(_sdata, _sidata, (size_t)((char *)_edata - (char *)_sdata));
	memset(_sbss, 0, (size_t)((char *)_ebss - (char *)_sbss));
	main();
	for (;;)
		;
}
