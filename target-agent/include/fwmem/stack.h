/* fwmem target agent: stack painting, high-water marks and overflow canaries.
 *
 * A watched stack is painted with FWM_STACK_PAINT when it is created; its
 * lowest FWM_STACK_CANARY_WORDS words hold FWM_STACK_CANARY instead. Stacks
 * grow down, so the lowest word that is no longer paint tells how deep the
 * stack has ever been: the high-water mark is the bytes from that word to
 * the top. A broken canary means the stack ran past its limit (or something
 * wrote below it): that is an overflow, reported once.
 *
 *   base                                                         top
 *   | canary | paint paint ... paint | used ... (SP somewhere) ... |
 *            ^ first word scanned    ^ mark: lowest word seen used
 *
 * Scanning is incremental so that it can run with the agent lock held (in
 * the idle thread, a timer, a debugger's poll) with a bounded cost: each
 * fwm_stack_scan call looks at no more than `budget` words. A pass walks up
 * from the bottom towards the mark; the first used word it meets lowers the
 * mark and starts the next pass. A word used after the pass went past it
 * is found by the next pass. The mark only ever goes down (the high-water
 * mark only rises), so a pass is at most (mark - base) words long.
 *
 * A stack may also be painted while it is in use (the interrupt stack at
 * start-up): only the words below `live` are painted then.
 *
 * Single-threaded: callers lock (the Cortex-M port scans under its lock).
 * Freestanding; no allocation: the caller owns struct fwm_stack and the
 * stack memory for as long as the stack is watched.
 */
#ifndef FWMEM_STACK_H
#define FWMEM_STACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FWM_STACK_PAINT 0xAAAAAAAAu      /* Zephyr's and FreeRTOS's habit: 0xAA bytes */
#define FWM_STACK_CANARY 0xF00DC0DEu     /* a value code is unlikely to push */
#define FWM_STACK_CANARY_WORDS 2u

struct fwm_stack {
	uint32_t *base;         /* lowest word: the first canary */
	uint32_t words;         /* stack size in 32-bit words */
	uint32_t mark;          /* index of the lowest word seen used (words: none yet) */
	uint32_t cursor;        /* index the current pass goes on from */
	const char *name;       /* borrowed; may be NULL */
	const void *owner;      /* the thread (for reports); may be NULL */
	bool overflowed;        /* canary found broken (sticky) */
	bool reported_overflow; /* the report hook has been told */
	struct fwm_stack *next; /* fwm_stack_watch list */
};

/* Paints the stack at [mem, mem + bytes) and starts watching nothing yet
 * (see fwm_stack_watch). mem is rounded up and bytes down to whole words;
 * a stack under FWM_STACK_CANARY_WORDS + 1 words is treated as 0 words.
 * live: NULL for a stack not in use, else the current stack pointer of the
 * stack being painted (only words below live - 64 bytes are painted, the
 * rest counts as used). name and owner are borrowed. O(bytes). */
void fwm_stack_init(struct fwm_stack *s, void *mem, size_t bytes, const char *name,
		    const void *owner, const void *live);

/* Size of the stack in bytes. O(1). */
size_t fwm_stack_size(const struct fwm_stack *s);

/* Lowest and one-past-highest address of the stack. O(1). */
uintptr_t fwm_stack_base(const struct fwm_stack *s);
uintptr_t fwm_stack_top(const struct fwm_stack *s);

/* The high-water mark found so far, in bytes from the top (canary words
 * included when they are broken: an overflowed stack reports its full
 * size). Never decreases. O(1). */
size_t fwm_stack_hwm(const struct fwm_stack *s);

/* Bytes never used so far: size - hwm. O(1). */
size_t fwm_stack_unused(const struct fwm_stack *s);

/* Looks at no more than budget words (at least 1): continues the current
 * pass, lowering the mark when it finds a used word, and checks the
 * canary. Returns true if the high-water mark rose or an overflow was
 * found during this call. O(budget). */
bool fwm_stack_scan(struct fwm_stack *s, uint32_t budget);

/* Scans to the end of a full pass: the exact high-water mark now. O(words). */
size_t fwm_stack_scan_full(struct fwm_stack *s);

/* True while the canary words are intact. O(FWM_STACK_CANARY_WORDS). */
bool fwm_stack_canary_ok(const struct fwm_stack *s);

/* ---- the watch list and reports --------------------------------------- */

enum fwm_stack_event {
	FWM_STACK_EV_HWM = 1,     /* the high-water mark rose */
	FWM_STACK_EV_OVERFLOW,    /* the canary broke (reported once per stack) */
};

/* Called from fwm_stack_watch_step and fwm_stack_check_overflow (so in
 * whatever context those run, lock held): must not block. */
typedef void (*fwm_stack_report_fn)(const struct fwm_stack *s, enum fwm_stack_event ev);

/* Installs the report hook, returns the previous one (NULL: none). */
fwm_stack_report_fn fwm_stack_set_report(fwm_stack_report_fn fn);

/* Adds s to the watched stacks (once; adding twice does nothing). O(n). */
void fwm_stack_watch(struct fwm_stack *s);

/* Removes s from the watched stacks. O(n). */
void fwm_stack_unwatch(struct fwm_stack *s);

/* The first watched stack and the next one (creation order), for reports. */
struct fwm_stack *fwm_stack_first(void);
struct fwm_stack *fwm_stack_next(const struct fwm_stack *s);

/* Spends up to budget words scanning the watched stacks round-robin and
 * reports each rise and overflow through the hook. O(budget + n). */
void fwm_stack_watch_step(uint32_t budget);

/* Checks s's canary only; on the first failure marks it overflowed and
 * reports it. For a context switch: O(1). Returns true if it is intact. */
bool fwm_stack_check_overflow(struct fwm_stack *s);

#ifdef __cplusplus
}
#endif

#endif /* FWMEM_STACK_H */
