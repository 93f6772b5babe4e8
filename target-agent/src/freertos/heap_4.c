/* fwmem target agent: FreeRTOS heap_4 behind <portable.h> (see
 * <fwmem/rtos_heap.h> for the scheme). Link exactly one heap_N. */
#define RTOS_SCHEME 4
#include "heap_api.h"
