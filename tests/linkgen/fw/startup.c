/* Vector table and reset handler, as a vendor's start-up writes them, plus
 * the one call linkgen asks for: fwm_reloc_init(FWM_RELOC_EARLY) before main.
 * Before it, the reset handler fills the memories linkgen relocates into
 * with 0xA5 bytes, so that what main finds there was put there by the
 * copy and zero tables and not by the ELF loader or a zeroed RAM. */
#include "fw.h"
#include "fwmem/reloc.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
/* linkgen.ld defines them; weak, so that a spec without those regions links */
extern uint32_t __fwm_RAM_start[] __attribute__((weak)), __fwm_RAM_end[] __attribute__((weak));
extern uint32_t __fwm_DTCM_start[] __attribute__((weak)), __fwm_DTCM_end[] __attribute__((weak));
int main(void);
void Reset_Handler(void);
void Default_Handler(void);

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)_estack, Reset_Handler, Default_Handler, Default_Handler,
	Default_Handler, Default_Handler, Default_Handler, 0, 0, 0, 0,
	Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler,
};

void fill32(volatile uint32_t *p, uint32_t bytes, uint32_t v)
{
	for (uint32_t i = 0; i < bytes / 4; i++)
		p[i] = v;
}

void Reset_Handler(void)
{
	volatile uint32_t *d = _sdata;
	for (uint32_t *s = _sidata; d < _edata;)
		*d++ = *s++;
	fill32(_sbss, (uint32_t)((uintptr_t)_ebss - (uintptr_t)_sbss), 0);
	fill32(__fwm_RAM_start, (uint32_t)((uintptr_t)__fwm_RAM_end - (uintptr_t)__fwm_RAM_start), 0xa5a5a5a5u);
	fill32(__fwm_DTCM_start, (uint32_t)((uintptr_t)__fwm_DTCM_end - (uintptr_t)__fwm_DTCM_start), 0xa5a5a5a5u);
	fwm_reloc_init(FWM_RELOC_EARLY);
	sh_exit(main() == 0);
}

void Default_Handler(void)
{
	sh_write0("FAIL fault\n");
	sh_exit(0);
}
