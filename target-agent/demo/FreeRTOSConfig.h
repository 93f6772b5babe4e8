/* fwmem demo firmware: the FreeRTOS configuration heap_4 is built with. */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configTOTAL_HEAP_SIZE ((size_t)12288)
#define configUSE_MALLOC_FAILED_HOOK 0

#endif /* FREERTOS_CONFIG_H */
