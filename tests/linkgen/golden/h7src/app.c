/* Golden link test (tests/cli/linkgen_golden.sh): app.o of the h7 spec. */
const unsigned big_table[64] = { 1, 2, 3 };          /* pinned in FLASH */
const unsigned boot_cfg[4] = { 0xb007 };             /* RAM_D2, nocopy */
unsigned fir_state[16];                               /* DTCMRAM bss */
volatile unsigned ticks;

void SysTick_Handler(void) { ticks++; }               /* ITCMRAM */
void uart_isr(void) { ticks += 2; }                   /* ITCMRAM by "*_isr" */
void dma_isr(void) { ticks += 3; }

unsigned fir_run(unsigned x);
unsigned arm_fir_f32(unsigned x);
unsigned uart_send(unsigned c);
unsigned cam_frames(void);

void _start(void)
{
	for (;;)
		ticks += fir_run(big_table[ticks & 63]) + arm_fir_f32(boot_cfg[0]) + uart_send(fir_state[1]) + cam_frames();
}
