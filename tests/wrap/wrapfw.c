/* A firmware that keeps newlib's allocator: plain malloc, calloc, realloc
 * and free, linked with -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,
 * --wrap=calloc so that target-agent/src/wrap_newlib.c sees every call and
 * the telemetry streams it over UART0 (tests/cli/wrap_qemu.sh decodes the
 * stream). It counts its own calls as the events should count them and
 * prints the counts over semihosting:
 *
 *   wrap allocs=N frees=N reallocs=N fails=N live=N
 *
 * allocs: malloc, calloc and realloc(NULL, n) that succeeded; frees: free
 * of a block; reallocs: realloc of a block that succeeded, realloc(p, 0)
 * included; fails: calls that returned NULL. Runs on the Cortex-M port
 * (main is its first thread); newlib's heap is the linker script's .heap
 * (--defsym=__heap_size=...), handed out by _sbrk below. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fwmem/cm_kernel.h"
#include "fwmem/semihost.h"
#include "fwmem/telemetry.h"

extern char __heap_start[], __heap_end[];
extern const uint8_t __build_id_note[];
void *_sbrk(ptrdiff_t incr);

/* newlib's heap grows through _sbrk: from the linker script's .heap. */
void *_sbrk(ptrdiff_t incr)
{
	static char *brk = __heap_start;
	char *old = brk;

	if (incr > __heap_end - brk || incr < __heap_start - brk)
		return (void *)-1;
	brk += incr;
	return old;
}

static uint32_t allocs, frees, reallocs, fails;
static void *slot[16];

static void got(void *p)
{
	if (p != NULL)
		allocs++;
	else
		fails++;
}

static void drop(unsigned i)
{
	if (slot[i] != NULL) {
		free(slot[i]);
		frees++;
		slot[i] = NULL;
	}
}

int main(void)
{
	static uint8_t ring[4096];
	struct fwm_tel_config cfg = {
		.ring = ring,
		.ring_bytes = sizeof ring,
		.now = fwm_cm_tel_now,
		.tick_hz = CONFIG_SYS_CLOCK_TICKS_PER_SEC,
		.thread_id = fwm_thread_id,
	};
	uint32_t live = 0;

	fwm_transport_cmsdk_uart(&cfg.transport, FWM_CMSDK_UART0, 16);
	(void)fwm_tel_build_id(__build_id_note, &cfg.build_id, &cfg.build_id_len);
	(void)fwm_tel_init(&cfg);

	for (unsigned i = 0; i < 400; i++) {
		unsigned k = (i * 7u) % 16u;
		size_t n = 16 + (i * 37u) % 300u;

		switch (i % 5) {
		case 0:
		case 1:
			drop(k);
			slot[k] = malloc(n);
			got(slot[k]);
			break;
		case 2:
			drop(k);
			slot[k] = calloc(n / 8, 8);
			got(slot[k]);
			break;
		case 3:
			if (slot[k] == NULL) {
				slot[k] = realloc(NULL, n);      /* an alloc */
				got(slot[k]);
			} else {
				void *p = realloc(slot[k], n * 2);

				if (p != NULL) {
					slot[k] = p;
					reallocs++;
				} else {
					fails++;
				}
			}
			break;
		default:
			drop(k);
			break;
		}
		if (i % 50 == 49)
			(void)fwm_tel_drain();
	}
	/* A request newlib cannot meet, and a realloc to 0 (a free). */
	got(malloc(64u << 20));
	if (slot[1] != NULL) {
		void *none = realloc(slot[1], 0);

		slot[1] = NULL;
		if (none == NULL)
			reallocs++;
	}
	for (unsigned i = 0; i < 16; i++)
		if (slot[i] != NULL)
			live++;
	fwm_sh_printf("wrap allocs=%lu frees=%lu reallocs=%lu fails=%lu live=%lu\n",
		      (unsigned long)allocs, (unsigned long)frees, (unsigned long)reallocs,
		      (unsigned long)fails, (unsigned long)live);
	(void)fwm_tel_summary(0);
	while (fwm_tel_drain() > 0)
		;
	return 0;
}
