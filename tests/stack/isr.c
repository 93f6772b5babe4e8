/* Interrupt handlers of the stack fixture: TIMER0 calls helpers two deep. */
#include "stack.h"

extern volatile int sink;

NOINLINE int helper_leaf(int x) { volatile int v[10]; v[0] = x; v[9] = 1; return v[0] + v[9]; }
NOINLINE int helper_sum(int a, int b) { volatile int v[5]; v[0] = a; v[1] = b; v[4] = 3; return helper_leaf(v[0] + v[1]) + v[4]; }

void TIMER0_IRQHandler(void)
{
	volatile int v[3]; v[0] = sink; v[2] = 1;
	sink = helper_sum(v[0], v[2]);
}

void UART0_IRQHandler(void)
{
	sink = helper_leaf(sink) + ram_scale(sink);
}

/* a frame too large for Thumb-1's "sub sp, #imm" (Cortex-M0+: a literal) */
NOINLINE int huge_locals(int n)
{
	volatile char buf[1500];
	buf[n & 1023] = 1;
	return buf[(n >> 1) & 1023];
}

/* runs from RAM: far from FLASH, so ld reaches it through a veneer */
__attribute__((section(".ramfunc"), noinline, noclone)) int ram_scale(int x)
{
	volatile int v[2];
	v[0] = x;
	return v[0] * 3;
}

void SysTick_Handler(void)
{
	sink = huge_locals(sink);
}
