/* <FreeRTOS.h> for the fwmem target agent: the configuration the memory
 * API needs, and <portable.h>. The application's FreeRTOSConfig.h is
 * included when there is one on the include path; the defaults below are
 * what the prebuilt host libraries (libfwmem_heap_N.a) use:
 *   configTOTAL_HEAP_SIZE         32768 bytes (heap_1, heap_2, heap_4)
 *   configUSE_MALLOC_FAILED_HOOK  0
 *   configAPPLICATION_ALLOCATED_HEAP 0 (the heap is the library's ucHeap)
 */
#ifndef INC_FREERTOS_H
#define INC_FREERTOS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__has_include)
#if __has_include("FreeRTOSConfig.h")
#include "FreeRTOSConfig.h"
#endif
#endif

#ifndef configTOTAL_HEAP_SIZE
#define configTOTAL_HEAP_SIZE ((size_t)32768)
#endif
#ifndef configUSE_MALLOC_FAILED_HOOK
#define configUSE_MALLOC_FAILED_HOOK 0
#endif
#ifndef configAPPLICATION_ALLOCATED_HEAP
#define configAPPLICATION_ALLOCATED_HEAP 0
#endif
#ifndef configSUPPORT_DYNAMIC_ALLOCATION
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#endif
#ifndef portBYTE_ALIGNMENT
#define portBYTE_ALIGNMENT 8
#endif
#ifndef portBYTE_ALIGNMENT_MASK
#define portBYTE_ALIGNMENT_MASK (portBYTE_ALIGNMENT - 1)
#endif
#ifndef portMAX_DELAY
#define portMAX_DELAY ((uint32_t)0xffffffffu)
#endif

#include "portable.h"

#endif /* INC_FREERTOS_H */
