/* <zephyr/sys_clock.h> for the fwmem target agent: timeouts.
 *
 * A k_timeout_t is a count of system clock ticks; K_NO_WAIT (0) means do
 * not block and K_FOREVER (-1) means no limit. Durations round up to whole
 * ticks, as Zephyr's do. CONFIG_SYS_CLOCK_TICKS_PER_SEC defaults to 1000
 * here (Zephyr's default depends on the board); define it to match the
 * target's kernel. */
#ifndef ZEPHYR_INCLUDE_SYS_CLOCK_H_
#define ZEPHYR_INCLUDE_SYS_CLOCK_H_

#include <stdint.h>
#include <stdbool.h>

#ifndef CONFIG_SYS_CLOCK_TICKS_PER_SEC
#define CONFIG_SYS_CLOCK_TICKS_PER_SEC 1000
#endif

typedef int64_t k_ticks_t;

typedef struct {
	k_ticks_t ticks;
} k_timeout_t;

#define K_TICKS_FOREVER ((k_ticks_t)-1)

/* Rounds up: a timeout is never shorter than asked for. */
#define Z_FWM_TO_TICKS(n, per_sec)                                                   \
	((k_ticks_t)(((uint64_t)(n) * (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC +        \
		      (uint64_t)(per_sec) - 1u) / (uint64_t)(per_sec)))

#define K_TICKS(t) ((k_timeout_t){ .ticks = (t) })
#define K_NO_WAIT ((k_timeout_t){ .ticks = 0 })
#define K_FOREVER ((k_timeout_t){ .ticks = K_TICKS_FOREVER })
#define K_NSEC(t) K_TICKS(Z_FWM_TO_TICKS(t, 1000000000u))
#define K_USEC(t) K_TICKS(Z_FWM_TO_TICKS(t, 1000000u))
#define K_MSEC(ms) K_TICKS(Z_FWM_TO_TICKS(ms, 1000u))
#define K_SECONDS(s) K_MSEC((s) * 1000)
#define K_MINUTES(m) K_SECONDS((m) * 60)
#define K_HOURS(h) K_MINUTES((h) * 60)
#define K_TIMEOUT_EQ(a, b) ((a).ticks == (b).ticks)

#endif /* ZEPHYR_INCLUDE_SYS_CLOCK_H_ */
