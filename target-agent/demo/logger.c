/* fwmem demo: a logger formatting each line into a k_malloc'd buffer
 * (grown with k_realloc for every eighth line), sending it to the stream
 * now and then, and freeing it. One call site, log_remember_context(),
 * leaks 24 bytes every 25 lines: the slow leak memstat should name. */
#include "demo.h"
#include "fwmem/semihost.h"

#define LOG_PERIOD 10
#define LEAK_EVERY 25

uint32_t logger_lines;

/* The leak: context kept "for later" and never given back. */
__attribute__((noinline)) static void *log_remember_context(uint32_t line)
{
	uint32_t *ctx = k_malloc(24);

	if (ctx != NULL) {
		ctx[0] = line;
		ctx[1] = (uint32_t)fwm_ticks();
	}
	return ctx;
}

void logger_main(void *p1, void *p2, void *p3)
{
	struct demo_count *c = &demo_count[D_KMALLOC];

	(void)p1;
	(void)p2;
	(void)p3;
	for (uint32_t n = 0; demo_next_period(n, LOG_PERIOD); n++) {
		size_t size = 48 + n % 64;
		char *line = k_malloc(size);

		if (line == NULL) {
			c->fails++;
			continue;
		}
		c->allocs++;
		int len = fwm_snprintf(line, size, "log %lu at tick %lu", (unsigned long)n,
				       (unsigned long)fwm_ticks());
		if (n % 8 == 7) {
			char *bigger = k_realloc(line, size * 2);

			if (bigger == NULL) {
				c->fails++;
			} else {
				c->reallocs++;
				line = bigger;
				(void)fwm_snprintf(line + len, size * 2 - (size_t)len,
						   " (+%lu free bytes)",
						   (unsigned long)(size * 2 - (size_t)len));
			}
		}
		if (n % 50 == 0)
			demo_tel_log(line);
		k_free(line);
		c->frees++;
		logger_lines++;
		if (n % LEAK_EVERY == LEAK_EVERY - 1) {
			if (log_remember_context(n) != NULL)
				c->allocs++;
			else
				c->fails++;
		}
	}
}
