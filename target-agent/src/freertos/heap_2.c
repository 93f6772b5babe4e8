/* fwmem target agent: FreeRTOS heap_2 behind <portable.h> (see
 * <fwmem/rtos_heap.h> for the scheme). Link exactly one heap_N. */
#define RTOS_SCHEME 2
#include "heap_api.h"
