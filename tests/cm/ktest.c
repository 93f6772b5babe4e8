/* The Cortex-M port's own test firmware, run in QEMU on each architecture
 * (tests/cli/cortexm_port.sh): preemption by priority, time slicing,
 * sleeps, mutexes with priority inheritance, semaphores, the FreeRTOS
 * scheduler lock, k_heap and k_mem_slab allocations that block for real
 * and time out, calls from an interrupt that must not block, the FP
 * context across switches, stack high-water marks and overflow detection.
 * It prints TAP over semihosting and exits with the number of failures.
 * With "fault" on the command line (QEMU's -append) a thread executes an
 * undefined instruction instead: the fault report names it and the exit
 * status is 3. */
#include <zephyr/kernel.h>
#include <FreeRTOS.h>
#include "fwmem/cm_kernel.h"
#include "fwmem/semihost.h"

static int tap_n, tap_failed;

static void check(bool cond, const char *name, long got)
{
	tap_n++;
	if (cond) {
		fwm_sh_printf("ok %d - %s\n", tap_n, name);
	} else {
		tap_failed++;
		fwm_sh_printf("not ok %d - %s (got %ld)\n", tap_n, name, got);
	}
}

static uint32_t now(void)
{
	return (uint32_t)fwm_ticks();
}

static void spin_until(uint32_t tick)
{
	while (now() < tick)
		;
}

#define STACK 768
static K_THREAD_STACK_DEFINE(sa, STACK);
static K_THREAD_STACK_DEFINE(sb, STACK);
static K_THREAD_STACK_DEFINE(sc, STACK);
static struct k_thread ta, tb, tc;

static void start(struct k_thread *t, k_thread_stack_t *s, fwm_thread_entry_t fn, int prio,
		  const char *name)
{
	(void)fwm_thread_create(t, name, s, STACK, fn, NULL, NULL, NULL, prio);
}

/* ---- priorities and time slicing ------------------------------------------ */

static K_SEM_DEFINE(sem, 0, 10);
static volatile int order[4], norder;

static void high_waiter(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	(void)k_sem_take(&sem, K_FOREVER);
	order[norder++] = 2;
}

static void low_giver(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	order[norder++] = 1;
	k_sem_give(&sem);               /* the waiter preempts us here */
	order[norder++] = 3;
}

static void test_preemption(void)
{
	norder = 0;
	start(&ta, sa, high_waiter, 5, "high");
	start(&tb, sb, low_giver, 6, "low");
	(void)k_thread_join(&ta, K_FOREVER);
	(void)k_thread_join(&tb, K_FOREVER);
	check(norder == 3 && order[0] == 1 && order[1] == 2 && order[2] == 3,
	      "a higher-priority thread made ready runs at once", norder);
}

static volatile uint32_t spins[2];
static volatile uint32_t slice_end;

static void spinner(void *a, void *b, void *c)
{
	(void)b, (void)c;
	while (now() < slice_end)
		spins[(uintptr_t)a]++;
}

static void test_time_slicing(void)
{
	slice_end = now() + 40;
	(void)fwm_thread_create(&ta, "spin0", sa, STACK, spinner, (void *)0, NULL, NULL, 15);
	(void)fwm_thread_create(&tb, "spin1", sb, STACK, spinner, (void *)1, NULL, NULL, 15);
	(void)k_thread_join(&ta, K_FOREVER);
	(void)k_thread_join(&tb, K_FOREVER);
	check(spins[0] > 0 && spins[1] > 0 && ta.switches >= 10 && tb.switches >= 10,
	      "equal priorities share the CPU tick by tick", (long)ta.switches);
}

/* ---- time ---------------------------------------------------------------------- */

static void test_sleep(void)
{
	uint32_t t0 = now();

	(void)k_msleep(50);
	uint32_t dt = now() - t0;

	check(dt >= 50 && dt <= 52, "k_msleep(50) sleeps 50 to 52 ticks", (long)dt);
	t0 = now();
	bool exact = true;

	for (uint32_t i = 1; i <= 10; i++) {
		fwm_sleep_until(t0 + 7 * i);
		if (now() - (t0 + 7 * i) > 1)
			exact = false;
	}
	check(exact, "fwm_sleep_until keeps a period without drift", (long)(now() - t0));
}

/* ---- mutexes --------------------------------------------------------------------- */

static K_MUTEX_DEFINE(mtx);
static volatile int other_rc[3];
static volatile uint32_t waited;

static void mutex_other(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	other_rc[0] = k_mutex_unlock(&mtx);
	other_rc[1] = k_mutex_lock(&mtx, K_NO_WAIT);
	uint32_t t0 = now();

	other_rc[2] = k_mutex_lock(&mtx, K_MSEC(5));
	waited = now() - t0;
}

static void test_mutex(void)
{
	check(k_mutex_lock(&mtx, K_NO_WAIT) == 0 && k_mutex_lock(&mtx, K_FOREVER) == 0,
	      "a mutex is recursive", 0);
	start(&ta, sa, mutex_other, 3, "other");
	(void)k_thread_join(&ta, K_FOREVER);
	check(other_rc[0] == -FWM_CM_EPERM, "unlock by another thread: -EPERM", other_rc[0]);
	check(other_rc[1] == -EBUSY, "lock with K_NO_WAIT when taken: -EBUSY", other_rc[1]);
	check(other_rc[2] == -EAGAIN && waited >= 5 && waited <= 7,
	      "lock with a 5 ms timeout: -EAGAIN after 5 to 7 ticks", (long)waited);
	check(k_mutex_unlock(&mtx) == 0 && k_mutex_unlock(&mtx) == 0 && k_mutex_unlock(&mtx) == -EINVAL,
	      "unlocked as often as locked, then -EINVAL", 0);
}

/* Priority inheritance: low holds the mutex, high waits for it, medium
 * spins for 30 ticks. With inheritance low finishes first and high gets
 * the mutex long before medium is done. */
static K_SEM_DEFINE(pi_locked, 0, 1);
static volatile uint32_t high_got, medium_done;

static void pi_low(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	(void)k_mutex_lock(&mtx, K_FOREVER);
	k_sem_give(&pi_locked);
	spin_until(now() + 5);
	(void)k_mutex_unlock(&mtx);
}

static void pi_medium(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	spin_until(now() + 30);
	medium_done = now();
}

static void pi_high(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	(void)k_mutex_lock(&mtx, K_FOREVER);
	high_got = now();
	(void)k_mutex_unlock(&mtx);
}

static void test_priority_inheritance(void)
{
	start(&ta, sa, pi_low, 12, "low");
	(void)k_sem_take(&pi_locked, K_FOREVER);
	start(&tb, sb, pi_medium, 11, "medium");
	start(&tc, sc, pi_high, 10, "high");
	(void)k_thread_join(&ta, K_FOREVER);
	(void)k_thread_join(&tb, K_FOREVER);
	(void)k_thread_join(&tc, K_FOREVER);
	check(high_got != 0 && high_got < medium_done,
	      "priority inheritance: the owner outruns a medium-priority spinner",
	      (long)medium_done - (long)high_got);
	check(ta.prio == 12, "the owner's priority is restored on unlock", ta.prio);
}

/* ---- semaphores and the FreeRTOS scheduler lock -------------------------------- */

static void sem_giver(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	(void)k_msleep(5);
	k_sem_give(&sem);
}

static volatile bool h_ran, h_ran_while_locked;

static void sched_high(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	(void)k_sem_take(&sem, K_FOREVER);
	h_ran = true;
}

static void sched_low(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	vTaskSuspendAll();
	k_sem_give(&sem);
	spin_until(now() + 3);
	h_ran_while_locked = h_ran;
	(void)xTaskResumeAll();
}

static void test_semaphore(void)
{
	check(k_sem_take(&sem, K_NO_WAIT) == -EBUSY, "k_sem_take(K_NO_WAIT) on 0: -EBUSY", 0);
	uint32_t t0 = now();
	int rc = k_sem_take(&sem, K_MSEC(10));

	check(rc == -EAGAIN && now() - t0 >= 10, "k_sem_take times out with -EAGAIN", rc);
	start(&ta, sa, sem_giver, 4, "giver");
	t0 = now();
	rc = k_sem_take(&sem, K_FOREVER);
	check(rc == 0 && now() - t0 >= 5 && now() - t0 <= 7, "k_sem_give wakes the waiter",
	      (long)(now() - t0));
	(void)k_thread_join(&ta, K_FOREVER);

	start(&ta, sa, sched_high, 7, "high");
	start(&tb, sb, sched_low, 8, "low");
	(void)k_thread_join(&ta, K_FOREVER);
	(void)k_thread_join(&tb, K_FOREVER);
	check(!h_ran_while_locked && h_ran, "vTaskSuspendAll holds preemption off until xTaskResumeAll",
	      h_ran_while_locked);
}

/* ---- blocking allocations --------------------------------------------------------- */

K_HEAP_DEFINE(heap, 1024);
K_MEM_SLAB_DEFINE(slab, 64, 2, 8);
static void *volatile got;
static volatile uint32_t got_after;
static volatile int slab_rc;

static void heap_waiter(void *timeout_ms, void *b, void *c)
{
	(void)b, (void)c;
	uint32_t t0 = now();

	got = k_heap_alloc(&heap, 800, K_MSEC((uintptr_t)timeout_ms));
	got_after = now() - t0;
}

static void slab_waiter(void *timeout_ms, void *b, void *c)
{
	(void)b, (void)c;
	uint32_t t0 = now();
	void *p;

	slab_rc = k_mem_slab_alloc(&slab, &p, K_MSEC((uintptr_t)timeout_ms));
	got = p;
	got_after = now() - t0;
}

static void test_blocking_alloc(void)
{
	void *big = k_heap_alloc(&heap, 900, K_NO_WAIT);

	(void)fwm_thread_create(&ta, "waiter", sa, STACK, heap_waiter, (void *)100, NULL, NULL, 3);
	(void)k_msleep(10);
	k_heap_free(&heap, big);
	(void)k_thread_join(&ta, K_FOREVER);
	check(got != NULL && got_after >= 10 && got_after <= 12,
	      "k_heap_alloc blocks until a free hands it the memory", (long)got_after);
	big = k_heap_alloc(&heap, 900, K_NO_WAIT);
	check(big == NULL, "...and the memory is the waiter's, not the next caller's", 0);
	k_heap_free(&heap, got);

	big = k_heap_alloc(&heap, 900, K_NO_WAIT);
	(void)fwm_thread_create(&ta, "waiter", sa, STACK, heap_waiter, (void *)20, NULL, NULL, 3);
	(void)k_thread_join(&ta, K_FOREVER);
	check(got == NULL && got_after >= 20 && got_after <= 22,
	      "k_heap_alloc gives up after its timeout", (long)got_after);
	k_heap_free(&heap, big);

	void *b0, *b1;

	(void)k_mem_slab_alloc(&slab, &b0, K_NO_WAIT);
	(void)k_mem_slab_alloc(&slab, &b1, K_NO_WAIT);
	(void)fwm_thread_create(&ta, "waiter", sa, STACK, slab_waiter, (void *)100, NULL, NULL, 3);
	(void)k_msleep(10);
	k_mem_slab_free(&slab, b1);
	(void)k_thread_join(&ta, K_FOREVER);
	check(slab_rc == 0 && got == b1 && got_after >= 10 && got_after <= 12,
	      "k_mem_slab_alloc blocks until a free hands it the block", (long)got_after);
	(void)fwm_thread_create(&ta, "waiter", sa, STACK, slab_waiter, (void *)15, NULL, NULL, 3);
	(void)k_thread_join(&ta, K_FOREVER);
	check(slab_rc == -EAGAIN && got_after >= 15 && got_after <= 17,
	      "k_mem_slab_alloc returns -EAGAIN after its timeout", (long)got_after);
	k_mem_slab_free(&slab, b0);
	k_mem_slab_free(&slab, (void *)got == NULL ? b1 : (void *)got);
}

/* ---- an interrupt: allocations never block there; gives wake threads --------- */

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ISPR0 (*(volatile uint32_t *)0xE000E200u)
#define NVIC_IPR2  (*(volatile uint32_t *)0xE000E408u)
static void *volatile isr_got = (void *)1;
static volatile uint32_t isr_ipsr;
void TIMER0_IRQHandler(void);

void TIMER0_IRQHandler(void)
{
	isr_ipsr = fwm_in_isr() ? 1u : 0u;
	isr_got = k_heap_alloc(&heap, 2000, K_MSEC(10));
	k_sem_give(&sem);
}

static void test_interrupt(void)
{
	NVIC_IPR2 = 0x80u;              /* IRQ 8: below the lock level */
	NVIC_ISER0 = 1u << 8;
	uint32_t t0 = now();

	NVIC_ISPR0 = 1u << 8;
	int rc = k_sem_take(&sem, K_MSEC(100));

	check(rc == 0 && now() - t0 <= 1 && isr_ipsr == 1,
	      "an interrupt's k_sem_give wakes a thread", rc);
	check(isr_got == NULL, "k_heap_alloc with a timeout in an interrupt fails at once", 0);
}

/* ---- floating point across context switches ------------------------------------- */

#if defined(__ARM_FP)
static volatile float fp_result[2];
static volatile uint32_t fp_bad;

static float fp_work(float seed)
{
	float x = seed, acc = 0.0f;

	for (int i = 0; i < 2000; i++) {
		x = x * 1.0001f + 0.5f;
		acc += x;
	}
	return acc;
}

static void fp_thread(void *a, void *b, void *c)
{
	(void)b, (void)c;
	uintptr_t id = (uintptr_t)a;
	float want = fp_result[id];
	uint32_t end = now() + 60;

	while (now() < end)
		if (fp_work(id ? 1.5f : 2.25f) != want)
			fp_bad++;
}

static void test_fp(void)
{
	fp_result[0] = fp_work(2.25f);
	fp_result[1] = fp_work(1.5f);
	(void)fwm_thread_create(&ta, "fp0", sa, STACK, fp_thread, (void *)0, NULL, NULL, 15);
	(void)fwm_thread_create(&tb, "fp1", sb, STACK, fp_thread, (void *)1, NULL, NULL, 15);
	(void)k_thread_join(&ta, K_FOREVER);
	(void)k_thread_join(&tb, K_FOREVER);
	check(fp_bad == 0 && ta.switches >= 20, "FP registers survive preemption (lazy stacking)",
	      (long)fp_bad);
}
#endif

/* ---- stacks ------------------------------------------------------------------------ */

static void use_600(void *a, void *b, void *c)
{
	volatile uint8_t buf[600];

	(void)a, (void)b, (void)c;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)i;
}

static int overflow_reports;
static const struct fwm_stack *overflowed_stack;

static void on_stack_report(const struct fwm_stack *s, enum fwm_stack_event ev)
{
	if (ev == FWM_STACK_EV_OVERFLOW) {
		overflow_reports++;
		overflowed_stack = s;
	}
}

static void smash_canary(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	/* What running off the end of the stack does to the limit's canary. */
	fwm_thread_self()->stack.base[0] = 0x12345678u;
	k_yield();
	(void)k_msleep(1);
}

static void test_stacks(void)
{
	size_t unused;

	start(&ta, sa, use_600, 3, "use600");
	(void)k_thread_join(&ta, K_FOREVER);
	(void)k_thread_stack_space_get(&ta, &unused);
	size_t hwm = STACK - unused;

	check(hwm >= 600 && hwm <= 600 + 160, "high-water mark of a thread that used 600 bytes",
	      (long)hwm);
	(void)fwm_stack_set_report(on_stack_report);
	start(&ta, sa, smash_canary, 3, "smasher");
	(void)k_thread_join(&ta, K_FOREVER);
	check(overflow_reports == 1 && overflowed_stack == &ta.stack && ta.stack.overflowed,
	      "a broken canary is reported once, at the next switch", overflow_reports);
	(void)fwm_stack_set_report(NULL);
	fwm_port_key_t key = fwm_port_lock();
	size_t isr = fwm_stack_scan_full(fwm_cm_msp_stack());

	fwm_port_unlock(key);
	check(isr > 0 && isr < 512, "the interrupt stack is painted and watched", (long)isr);
}

/* ---- a fault --------------------------------------------------------------------- */

static bool contains(const char *s, const char *word)
{
	for (; *s != '\0'; s++) {
		size_t i = 0;

		while (word[i] != '\0' && s[i] == word[i])
			i++;
		if (word[i] == '\0')
			return true;
	}
	return false;
}

static void crasher(void *a, void *b, void *c)
{
	(void)a, (void)b, (void)c;
	__asm__ volatile("udf #0");
}

int main(void)
{
	char cmd[80];

	if (fwm_sh_cmdline(cmd, sizeof cmd) == 0 && contains(cmd, "fault")) {
		start(&ta, sa, crasher, 3, "crasher");
		(void)k_thread_join(&ta, K_FOREVER);
		return 0;   /* not reached: the fault handler exits */
	}
	test_preemption();
	test_time_slicing();
	test_sleep();
	test_mutex();
	test_priority_inheritance();
	test_semaphore();
	test_blocking_alloc();
	test_interrupt();
#if defined(__ARM_FP)
	test_fp();
#endif
	test_stacks();
	fwm_sh_printf("1..%d\n", tap_n);
	return tap_failed;
}
