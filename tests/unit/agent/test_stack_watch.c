/* Stack painting and high-water marks (<fwmem/stack.h>): painting, the
 * incremental scan against a full scan after random "usage", the bounded
 * budget, canaries and the watch list's reports. Stacks here are plain
 * arrays; "using" a stack writes words from its top down. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "fwmem/stack.h"
#include "agent_test.h"

#define WORDS 256

/* Writes n words below the top, as a stack n words deep would. Every
 * fourth word is left alone (a local array nobody wrote to): the scan must
 * still find the deepest word. */
static void use(uint32_t *mem, uint32_t n, uint32_t value)
{
	for (uint32_t i = 0; i < n; i++)
		if (i % 4 != 1 || i == n - 1)
			mem[WORDS - 1 - i] = value;
}

static void test_paint(void **state)
{
	uint32_t mem[WORDS];
	struct fwm_stack s;

	(void)state;
	t_fill_random(mem, sizeof mem, 1);
	fwm_stack_init(&s, mem, sizeof mem, "t", NULL, NULL);
	assert_int_equal(fwm_stack_size(&s), sizeof mem);
	assert_int_equal(mem[0], FWM_STACK_CANARY);
	assert_int_equal(mem[FWM_STACK_CANARY_WORDS - 1], FWM_STACK_CANARY);
	for (unsigned i = FWM_STACK_CANARY_WORDS; i < WORDS; i++)
		assert_int_equal(mem[i], FWM_STACK_PAINT);
	assert_int_equal(fwm_stack_hwm(&s), 0);
	assert_int_equal(fwm_stack_scan_full(&s), 0);
	assert_true(fwm_stack_canary_ok(&s));

	/* Misaligned memory: rounded to whole words inside it. */
	fwm_stack_init(&s, (char *)mem + 1, 4 * 10, "t", NULL, NULL);
	assert_int_equal(fwm_stack_base(&s), (uintptr_t)&mem[1]);
	assert_int_equal(fwm_stack_size(&s), 4 * 9);
	/* Too small to hold the canary and a word: nothing. */
	fwm_stack_init(&s, mem, 8, "t", NULL, NULL);
	assert_int_equal(fwm_stack_size(&s), 0);
	assert_false(fwm_stack_scan(&s, 10));
}

static void test_live(void **state)
{
	uint32_t mem[WORDS];
	struct fwm_stack s;

	(void)state;
	t_fill_random(mem, sizeof mem, 2);
	/* SP 100 words from the bottom: 16 words of margin stay unpainted. */
	fwm_stack_init(&s, mem, sizeof mem, "msp", NULL, &mem[100]);
	assert_int_equal(mem[83], FWM_STACK_PAINT);
	assert_int_equal(fwm_stack_hwm(&s), (WORDS - 84) * 4);
	assert_int_equal(fwm_stack_scan_full(&s), (WORDS - 84) * 4);
}

/* The incremental scan, with any budget, agrees with a full scan once a
 * pass has had time to finish, and never goes down. */
static void test_incremental(void **state)
{
	uint64_t seed = 3;

	(void)state;
	for (uint32_t budget = 1; budget < 300; budget = budget * 2 + 1) {
		uint32_t mem[WORDS], copy[WORDS];
		struct fwm_stack s, ref;
		size_t last = 0;

		fwm_stack_init(&s, mem, sizeof mem, "t", NULL, NULL);
		for (int round = 0; round < 40; round++) {
			use(mem, 1 + t_rand(&seed, WORDS - 3), (uint32_t)t_rand64(&seed) | 1);
			/* Enough calls for two passes over the whole stack. */
			for (uint32_t n = 0; n < 2 * (WORDS / budget + 2); n++) {
				(void)fwm_stack_scan(&s, budget);
				assert_true(fwm_stack_hwm(&s) >= last);
				last = fwm_stack_hwm(&s);
			}
			memcpy(copy, mem, sizeof mem);
			ref = (struct fwm_stack){ .base = copy, .words = WORDS, .mark = WORDS,
						  .cursor = FWM_STACK_CANARY_WORDS };
			assert_int_equal(fwm_stack_hwm(&s), fwm_stack_scan_full(&ref));
		}
	}
}

/* A call looks at no more than its budget: after k calls of budget b over
 * a clean stack, a used word further than k*b words from the bottom has
 * not been seen yet. */
static void test_budget(void **state)
{
	uint32_t mem[WORDS];
	struct fwm_stack s;

	(void)state;
	fwm_stack_init(&s, mem, sizeof mem, "t", NULL, NULL);
	mem[FWM_STACK_CANARY_WORDS + 50] = 0;
	for (int k = 0; k < 5; k++)
		assert_false(fwm_stack_scan(&s, 10));
	assert_int_equal(fwm_stack_hwm(&s), 0);
	assert_true(fwm_stack_scan(&s, 10));
	assert_int_equal(fwm_stack_hwm(&s), (WORDS - FWM_STACK_CANARY_WORDS - 50) * 4);
}

static int reports[3];
static const struct fwm_stack *reported;

static void on_report(const struct fwm_stack *s, enum fwm_stack_event ev)
{
	reports[ev]++;
	reported = s;
}

static void test_canary_and_watch(void **state)
{
	uint32_t a[WORDS], b[WORDS];
	struct fwm_stack sa, sb;

	(void)state;
	fwm_stack_init(&sa, a, sizeof a, "a", NULL, NULL);
	fwm_stack_init(&sb, b, sizeof b, "b", NULL, NULL);
	assert_null(fwm_stack_set_report(on_report));
	fwm_stack_watch(&sa);
	fwm_stack_watch(&sb);
	fwm_stack_watch(&sa);
	assert_ptr_equal(fwm_stack_first(), &sa);
	assert_ptr_equal(fwm_stack_next(&sa), &sb);
	assert_null(fwm_stack_next(&sb));

	use(b, 30, 7);
	fwm_stack_watch_step(2 * WORDS + 4);
	assert_int_equal(reports[FWM_STACK_EV_HWM], 1);
	assert_ptr_equal(reported, &sb);
	assert_int_equal(fwm_stack_hwm(&sb), 30 * 4);
	fwm_stack_watch_step(2 * WORDS + 4);
	assert_int_equal(reports[FWM_STACK_EV_HWM], 1);

	/* Overflow: the canary of a breaks; found by the context-switch check
	 * and reported once, whoever finds it. */
	a[0] = 0;
	assert_false(fwm_stack_check_overflow(&sa));
	assert_int_equal(reports[FWM_STACK_EV_OVERFLOW], 1);
	assert_ptr_equal(reported, &sa);
	assert_int_equal(fwm_stack_hwm(&sa), sizeof a);
	assert_false(fwm_stack_check_overflow(&sa));
	fwm_stack_watch_step(4 * WORDS);
	assert_int_equal(reports[FWM_STACK_EV_OVERFLOW], 1);

	fwm_stack_unwatch(&sa);
	assert_ptr_equal(fwm_stack_first(), &sb);
	fwm_stack_unwatch(&sb);
	assert_null(fwm_stack_first());
	fwm_stack_watch_step(100);
	(void)fwm_stack_set_report(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paint),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_canary_and_watch),
	};

	return cmocka_run_group_tests_name("stack_watch", tests, NULL, NULL);
}
