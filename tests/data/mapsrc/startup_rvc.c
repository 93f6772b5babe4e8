#include <stdint.h>
#include "util.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
int main(void);
void Reset_Handler(void);

void Reset_Handler(void)
{
	memcpy(_sdata, _sidata, (size_t)((char *)_edata - (char *)_sdata));
	memset(_sbss, 0, (size_t)((char *)_ebss - (char *)_sbss));
	main();
}
