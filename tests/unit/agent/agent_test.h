/* Helpers shared by the agent's unit tests: a seeded generator, random
 * fill, the operation count for stress tests, and a fragment map of a
 * sys_heap printed when a check fails. Include after the cmocka headers. */
#ifndef FWM_AGENT_TEST_H
#define FWM_AGENT_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zephyr/sys/sys_heap.h>

/* xorshift64*: deterministic, seeded per test. */
static inline uint64_t t_rand64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static inline uint32_t t_rand(uint64_t *s, uint32_t n) /* 0 .. n-1 */
{
	return (uint32_t)((t_rand64(s) >> 32) % n);
}

/* Fills memory with random bytes so that nothing can rely on zeroes. */
static inline void t_fill_random(void *mem, size_t n, uint64_t seed)
{
	unsigned char *p = mem;

	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(t_rand64(&seed) >> 56);
}

/* Operations for a stress test: FWM_STRESS_OPS or the default. */
static inline unsigned long t_stress_ops(unsigned long dflt)
{
	const char *e = getenv("FWM_STRESS_OPS");

	return e != NULL && *e != '\0' ? strtoul(e, NULL, 10) : dflt;
}

/* The heap's chunks as "U16 F48 U24 ..." (U used / F free, chunk bytes). */
struct t_map {
	char text[4096];
	size_t len;
};

static inline bool t_map_chunk(const struct fwm_heap_chunk *c, void *arg)
{
	struct t_map *m = arg;
	int n = snprintf(m->text + m->len, sizeof m->text - m->len, "%s%c%zu",
			 m->len ? " " : "", c->used ? 'U' : 'F', c->bytes);

	if (n < 0 || (size_t)n >= sizeof m->text - m->len)
		return false;
	m->len += (size_t)n;
	return true;
}

static inline const char *t_heap_map(struct sys_heap *h, struct t_map *m)
{
	m->len = 0;
	m->text[0] = '\0';
	(void)fwm_heap_walk(h, t_map_chunk, m);
	return m->text;
}

/* Fails the test, printing both maps, when the heap's map differs. */
#define assert_heap_map(heap, expected)                                           \
	do {                                                                      \
		struct t_map m_;                                                  \
		const char *got_ = t_heap_map((heap), &m_);                       \
		if (strcmp(got_, (expected)) != 0) {                              \
			print_error("heap map\n  expected: %s\n       got: %s\n", \
				    (expected), got_);                            \
			fail();                                                   \
		}                                                                 \
	} while (0)

/* Fails the test, naming the broken invariant, when validation fails. */
#define assert_heap_valid(heap)                                                  \
	do {                                                                     \
		const char *why_ = fwm_heap_check(heap);                         \
		if (why_ != NULL) {                                              \
			struct t_map m_;                                         \
			print_error("heap invalid: %s\n  map: %s\n", why_,       \
				    t_heap_map((heap), &m_));                    \
			fail();                                                  \
		}                                                                \
	} while (0)

#endif /* FWM_AGENT_TEST_H */
