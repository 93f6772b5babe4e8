/* fwmem target agent: FreeRTOS heap_1 behind <portable.h> (see
 * <fwmem/rtos_heap.h> for the scheme). Link exactly one heap_N. */
#define RTOS_SCHEME 1
#include "heap_api.h"
