/* fwmem target agent, telemetry transport: the CMSDK APB UART of ARM's MPS2
 * boards (mps2-an385 UART0 at 0x40004000). Registers: DATA +0x00,
 * STATE +0x04 (bit 0: TX buffer full), CTRL +0x08 (bit 0: TX enable),
 * BAUDDIV +0x10 (at least 16). Writes poll TX-full byte by byte: call the
 * drain from a thread that may spin. */
#include "fwmem/telemetry.h"

#define CMSDK_DATA    0x00u
#define CMSDK_STATE   0x04u
#define CMSDK_CTRL    0x08u
#define CMSDK_BAUDDIV 0x10u
#define CMSDK_STATE_TXFULL 0x1u
#define CMSDK_CTRL_TXEN    0x1u

static inline volatile uint32_t *reg(uintptr_t base, uintptr_t off)
{
	return (volatile uint32_t *)(base + off);
}

static int cmsdk_write(void *ctx, const uint8_t *buf, size_t len)
{
	uintptr_t base = (uintptr_t)ctx;

	for (size_t i = 0; i < len; i++) {
		while ((*reg(base, CMSDK_STATE) & CMSDK_STATE_TXFULL) != 0)
			;
		*reg(base, CMSDK_DATA) = buf[i];
	}
	return 0;
}

void fwm_transport_cmsdk_uart(struct fwm_tel_transport *t, uintptr_t base, uint32_t bauddiv)
{
	if (bauddiv != 0)
		*reg(base, CMSDK_BAUDDIV) = bauddiv;
	*reg(base, CMSDK_CTRL) |= CMSDK_CTRL_TXEN;
	t->write = cmsdk_write;
	t->ctx = (void *)base;
}
