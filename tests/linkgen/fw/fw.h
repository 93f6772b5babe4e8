/* The linkgen test firmware: what its files share. */
#ifndef FW_H
#define FW_H

#include <stdint.h>

/* mps2-an385 memories (QEMU hw/arm/mps2.c) */
#define FLASH_BASE 0x00000000u   /* ZBT SSRAM1, 4 MB, holds the image */
#define FLASH_SIZE 0x00400000u
#define BRAM_BASE  0x01000000u   /* FPGA block RAM, 16 KB: the "DTCM" */
#define BRAM_SIZE  0x00004000u
#define RAM_BASE   0x20000000u   /* ZBT SSRAM2/3, 4 MB */
#define RAM_SIZE   0x00400000u
#define PSRAM_BASE 0x21000000u   /* 16 MB PSRAM: the second bank, "external" */
#define PSRAM_SIZE 0x01000000u

/* semihosting */
void sh_write0(const char *s);
void sh_exit(int ok) __attribute__((noreturn));
void sh_hex(uint32_t v, char *out);   /* "0x%08x" into out[11] */

/* hot.c: the hot loop and its data, moved to RAM */
extern int32_t coeff[8];
extern uint32_t hot_calls;
uint32_t hot_filter(const int32_t *x, unsigned n, uint32_t *pc);
uint32_t fw_clip(uint32_t v);

/* libdsp.a */
extern const uint16_t window_tab[16];
uint32_t window_apply(const int32_t *x, unsigned n, uint32_t *pc);
uint32_t gain_apply(uint32_t v);

/* main.c */
extern const uint32_t lut[64];
extern uint8_t rx_buf[1024];
extern uint32_t tx_pattern[8];

void fill32(volatile uint32_t *p, uint32_t bytes, uint32_t v);

#endif
