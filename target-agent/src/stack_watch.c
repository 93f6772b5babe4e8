/* fwmem target agent: stack painting, incremental high-water scans and
 * canaries (see <fwmem/stack.h> for the layout and the scan's invariant). */
#include "fwmem/stack.h"

#define WORD ((uintptr_t)sizeof(uint32_t))
#define LIVE_MARGIN 64u /* bytes below a live stack pointer left unpainted */

static struct fwm_stack *watched;   /* creation order */
static struct fwm_stack *rr;        /* next stack fwm_stack_watch_step scans */
static fwm_stack_report_fn report;

void fwm_stack_init(struct fwm_stack *s, void *mem, size_t bytes, const char *name,
		    const void *owner, const void *live)
{
	uintptr_t lo = ((uintptr_t)mem + WORD - 1) & ~(WORD - 1);
	uintptr_t hi = ((uintptr_t)mem + bytes) & ~(WORD - 1);
	uint32_t words = hi > lo ? (uint32_t)((hi - lo) / WORD) : 0;

	if (words <= FWM_STACK_CANARY_WORDS)
		words = 0;
	*s = (struct fwm_stack){
		.base = (uint32_t *)lo,
		.words = words,
		.mark = words,
		.cursor = FWM_STACK_CANARY_WORDS,
		.name = name,
		.owner = owner,
	};
	if (words == 0)
		return;
	uint32_t paint_to = words;

	if (live != NULL) {
		uintptr_t sp = (uintptr_t)live;

		sp = sp > lo + LIVE_MARGIN ? sp - LIVE_MARGIN : lo;
		if (sp < hi)
			paint_to = (uint32_t)((sp - lo) / WORD);
		if (paint_to < FWM_STACK_CANARY_WORDS)
			paint_to = FWM_STACK_CANARY_WORDS;
		s->mark = paint_to;
	}
	for (uint32_t i = 0; i < FWM_STACK_CANARY_WORDS; i++)
		s->base[i] = FWM_STACK_CANARY;
	for (uint32_t i = FWM_STACK_CANARY_WORDS; i < paint_to; i++)
		((volatile uint32_t *)s->base)[i] = FWM_STACK_PAINT;
}

size_t fwm_stack_size(const struct fwm_stack *s)
{
	return (size_t)s->words * sizeof(uint32_t);
}

uintptr_t fwm_stack_base(const struct fwm_stack *s)
{
	return (uintptr_t)s->base;
}

uintptr_t fwm_stack_top(const struct fwm_stack *s)
{
	return (uintptr_t)s->base + fwm_stack_size(s);
}

size_t fwm_stack_hwm(const struct fwm_stack *s)
{
	if (s->overflowed)
		return fwm_stack_size(s);
	return (size_t)(s->words - s->mark) * sizeof(uint32_t);
}

size_t fwm_stack_unused(const struct fwm_stack *s)
{
	return fwm_stack_size(s) - fwm_stack_hwm(s);
}

bool fwm_stack_canary_ok(const struct fwm_stack *s)
{
	for (uint32_t i = 0; i < FWM_STACK_CANARY_WORDS && i < s->words; i++)
		if (((const volatile uint32_t *)s->base)[i] != FWM_STACK_CANARY)
			return false;
	return true;
}

/* Up to budget words of the current pass. *pass_done: the pass reached
 * the mark (or found a used word), so the next call starts a new one.
 * Returns true if the mark went down. */
static bool scan_some(struct fwm_stack *s, uint32_t budget, bool *pass_done)
{
	const volatile uint32_t *w = s->base;

	*pass_done = false;
	for (; budget > 0; budget--) {
		if (s->cursor >= s->mark) {
			s->cursor = FWM_STACK_CANARY_WORDS;
			*pass_done = true;
			return false;
		}
		if (w[s->cursor] != FWM_STACK_PAINT) {
			s->mark = s->cursor;
			s->cursor = FWM_STACK_CANARY_WORDS;
			*pass_done = true;
			return true;
		}
		s->cursor++;
	}
	return false;
}

bool fwm_stack_scan(struct fwm_stack *s, uint32_t budget)
{
	bool done, changed = false;

	if (s->words == 0)
		return false;
	if (!s->overflowed && !fwm_stack_canary_ok(s))
		s->overflowed = changed = true;
	if (scan_some(s, budget == 0 ? 1 : budget, &done))
		changed = true;
	return changed;
}

size_t fwm_stack_scan_full(struct fwm_stack *s)
{
	bool done = false;

	if (s->words == 0)
		return 0;
	if (!fwm_stack_canary_ok(s))
		s->overflowed = true;
	s->cursor = FWM_STACK_CANARY_WORDS;
	(void)scan_some(s, s->words, &done);
	return fwm_stack_hwm(s);
}

/* ---- the watch list ------------------------------------------------------ */

fwm_stack_report_fn fwm_stack_set_report(fwm_stack_report_fn fn)
{
	fwm_stack_report_fn old = report;

	report = fn;
	return old;
}

void fwm_stack_watch(struct fwm_stack *s)
{
	struct fwm_stack **pp = &watched;

	for (; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s)
			return;
	s->next = NULL;
	*pp = s;
}

void fwm_stack_unwatch(struct fwm_stack *s)
{
	for (struct fwm_stack **pp = &watched; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			if (rr == s)
				rr = s->next;
			s->next = NULL;
			return;
		}
	}
}

struct fwm_stack *fwm_stack_first(void)
{
	return watched;
}

struct fwm_stack *fwm_stack_next(const struct fwm_stack *s)
{
	return s->next;
}

/* Tells the hook about an overflow once, and about every rise. */
static void tell(struct fwm_stack *s, size_t hwm_before)
{
	if (s->overflowed && !s->reported_overflow) {
		s->reported_overflow = true;
		if (report != NULL)
			report(s, FWM_STACK_EV_OVERFLOW);
	}
	if (fwm_stack_hwm(s) > hwm_before && report != NULL)
		report(s, FWM_STACK_EV_HWM);
}

bool fwm_stack_check_overflow(struct fwm_stack *s)
{
	if (s->words == 0 || s->overflowed || fwm_stack_canary_ok(s))
		return !s->overflowed;
	size_t before = fwm_stack_hwm(s);

	s->overflowed = true;
	tell(s, before);
	return false;
}

void fwm_stack_watch_step(uint32_t budget)
{
	unsigned n = 0;

	for (const struct fwm_stack *s = watched; s != NULL; s = s->next)
		n++;
	/* Each stack gets the budget until its pass ends, then the next one;
	 * at most one round over the list per call. */
	for (unsigned i = 0; i < n && budget > 0; i++) {
		if (rr == NULL)
			rr = watched;
		struct fwm_stack *s = rr;
		size_t before = fwm_stack_hwm(s);
		uint32_t chunk = s->mark > s->cursor ? s->mark - s->cursor + 1 : 1;
		bool done = true;

		if (chunk > budget)
			chunk = budget;
		budget -= chunk;
		if (s->words != 0) {
			if (!s->overflowed && !fwm_stack_canary_ok(s))
				s->overflowed = true;
			(void)scan_some(s, chunk, &done);
			tell(s, before);
		}
		if (!done)
			return;
		rr = s->next;
	}
}
