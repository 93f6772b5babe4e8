/* fwmem target agent, telemetry transport: the Stellaris (PL011-style)
 * UART of the LM3S6965 (lm3s6965evb UART0 at 0x4000C000). Registers: DR
 * +0x00, FR +0x18 (bit 5: TX FIFO full), IBRD +0x24, FBRD +0x28, LCRH
 * +0x2C, CTL +0x30. Writes poll TXFF byte by byte. */
#include "fwmem/telemetry.h"

#define UART_DR   0x00u
#define UART_FR   0x18u
#define UART_IBRD 0x24u
#define UART_FBRD 0x28u
#define UART_LCRH 0x2Cu
#define UART_CTL  0x30u
#define UART_FR_TXFF      0x20u
#define UART_LCRH_8N1_FEN 0x70u   /* WLEN 8 bits, FIFOs on */
#define UART_CTL_ENABLE   0x301u  /* UARTEN, TXE, RXE */

static inline volatile uint32_t *reg(uintptr_t base, uintptr_t off)
{
	return (volatile uint32_t *)(base + off);
}

static int stellaris_write(void *ctx, const uint8_t *buf, size_t len)
{
	uintptr_t base = (uintptr_t)ctx;

	for (size_t i = 0; i < len; i++) {
		while ((*reg(base, UART_FR) & UART_FR_TXFF) != 0)
			;
		*reg(base, UART_DR) = buf[i];
	}
	return 0;
}

void fwm_transport_stellaris_uart(struct fwm_tel_transport *t, uintptr_t base, uint32_t ibrd,
				  uint32_t fbrd)
{
	if (ibrd != 0) {
		*reg(base, UART_CTL) = 0;
		*reg(base, UART_IBRD) = ibrd;
		*reg(base, UART_FBRD) = fbrd;
		*reg(base, UART_LCRH) = UART_LCRH_8N1_FEN;   /* latches the divisors */
		*reg(base, UART_CTL) = UART_CTL_ENABLE;
	}
	t->write = stellaris_write;
	t->ctx = (void *)base;
}
