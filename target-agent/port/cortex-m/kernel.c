/* fwmem Cortex-M port: the scheduler, threads, ticks and timeouts, wait
 * queues, mutexes and semaphores (see <fwmem/cm_kernel.h>).
 *
 * State, all guarded by the one interrupt lock (fwm_cm_irq_lock):
 *   ready_ring[p]  circular list of the ready threads of priority p; its
 *                  head runs next at that priority (the running thread
 *                  stays in its ring, at the head, while it runs)
 *   ready_bits     bit p set: ready_ring[p] is not empty
 *   timeouts       threads with a deadline, earliest first
 * A blocked thread is out of the rings, on at most one wait queue and
 * perhaps on the timeout list; whoever readies it takes it off both.
 */
#include "fwmem/cm_kernel.h"
#include "fwmem/errno.h"
#include "fwmem/mem.h"
#include "cm_arch.h"
#include "cm_internal.h"

_Static_assert(offsetof(struct fwm_thread, sp) == 0, "switch.S stores the stack pointer at offset 0");
_Static_assert(FWM_CM_PRIOS <= 32, "one ready bit per priority in a word");

struct fwm_thread *fwm_cm_current;

static struct fwm_thread *ready_ring[FWM_CM_PRIOS];
static uint32_t ready_bits;
static struct fwm_thread *timeouts;
static struct fwm_thread *threads, *threads_last;
static volatile uint64_t tick_count;
static bool running;
static uint32_t sched_locked;     /* vTaskSuspendAll depth */
static uint8_t last_id;

static struct fwm_thread idle_thread, main_thread;
static FWM_THREAD_STACK_DEFINE(idle_stack, FWM_CM_IDLE_STACK);
static FWM_THREAD_STACK_DEFINE(main_stack, FWM_CM_MAIN_STACK);
static struct fwm_stack msp_stack;

/* The context the boot code leaves behind: the first switch saves it here
 * and nothing ever resumes it. */
static struct fwm_thread boot_context = { .state = FWM_THREAD_DEAD, .name = "boot" };
static uint32_t boot_psp[40];

/* ---- ready rings ---------------------------------------------------------- */

static void ready_add(struct fwm_thread *t)
{
	struct fwm_thread *head = ready_ring[t->prio];

	if (head == NULL) {
		t->next = t->prev = t;
		ready_ring[t->prio] = t;
		ready_bits |= 1u << t->prio;
	} else {
		t->next = head;
		t->prev = head->prev;
		head->prev->next = t;
		head->prev = t;
	}
}

static void ready_remove(struct fwm_thread *t)
{
	if (t->next == t) {
		ready_ring[t->prio] = NULL;
		ready_bits &= ~(1u << t->prio);
	} else {
		t->prev->next = t->next;
		t->next->prev = t->prev;
		if (ready_ring[t->prio] == t)
			ready_ring[t->prio] = t->next;
	}
	t->next = t->prev = NULL;
}

static struct fwm_thread *highest_ready(void)
{
	return ready_ring[fwm_cm_lowest_bit(ready_bits)];
}

/* Asks for a switch if the running thread should no longer run. */
static void reschedule(void)
{
	struct fwm_thread *cur = fwm_cm_current;

	if (!running)
		return;
	if (cur->state != FWM_THREAD_READY) {
		fwm_cm_pend_switch();
		return;
	}
	if (sched_locked != 0)
		return;
	if (highest_ready() != cur)
		fwm_cm_pend_switch();
}

/* ---- wait queues and timeouts ------------------------------------------------ */

static void tq_insert(struct fwm_tq *q, struct fwm_thread *t)
{
	struct fwm_thread **pp = &q->head;

	while (*pp != NULL && (*pp)->prio <= t->prio)
		pp = &(*pp)->q_next;
	t->q_next = *pp;
	*pp = t;
	t->q = q;
}

static void tq_remove(struct fwm_thread *t)
{
	for (struct fwm_thread **pp = &t->q->head; *pp != NULL; pp = &(*pp)->q_next) {
		if (*pp == t) {
			*pp = t->q_next;
			break;
		}
	}
	t->q_next = NULL;
	t->q = NULL;
}

static void timeout_add(struct fwm_thread *t, uint64_t deadline)
{
	struct fwm_thread **pp = &timeouts;

	while (*pp != NULL && (*pp)->deadline <= deadline)
		pp = &(*pp)->t_next;
	t->deadline = deadline;
	t->t_next = *pp;
	*pp = t;
	t->timing = true;
}

static void timeout_remove(struct fwm_thread *t)
{
	for (struct fwm_thread **pp = &timeouts; *pp != NULL; pp = &(*pp)->t_next) {
		if (*pp == t) {
			*pp = t->t_next;
			break;
		}
	}
	t->t_next = NULL;
	t->timing = false;
}

uint64_t fwm_cm_deadline(k_timeout_t timeout)
{
	if (K_TIMEOUT_EQ(timeout, K_FOREVER))
		return FWM_CM_NEVER;
	/* One more tick for the part of the current one already gone: a
	 * timeout is never shorter than asked for. */
	return tick_count + (uint64_t)(timeout.ticks > 0 ? timeout.ticks : 0) + 1u;
}

/* Is the lock as fwm_port_lock found it "unlocked"? */
static bool key_unlocked(fwm_port_key_t key)
{
#if FWM_CM_V6M
	return (key & 1u) == 0;
#else
	return key == 0 || key > (uint32_t)FWM_CM_LOCK_PRIO;
#endif
}

int fwm_cm_block(struct fwm_tq *q, fwm_port_key_t *key, uint64_t deadline)
{
	struct fwm_thread *cur = fwm_cm_current;

	if (!running || fwm_in_isr() || cur == &idle_thread || !key_unlocked(*key))
		return -FWM_EAGAIN;
	ready_remove(cur);
	cur->state = FWM_THREAD_BLOCKED;
	cur->wake_status = -FWM_EAGAIN;
	if (q != NULL)
		tq_insert(q, cur);
	if (deadline != FWM_CM_NEVER)
		timeout_add(cur, deadline);
	fwm_cm_pend_switch();
	fwm_cm_irq_unlock((uint32_t)*key);   /* the switch happens here */
	*key = fwm_cm_irq_lock();
	return cur->wake_status;
}

void fwm_cm_wake(struct fwm_thread *t, int status)
{
	if (t->state != FWM_THREAD_BLOCKED)
		return;
	if (t->q != NULL)
		tq_remove(t);
	if (t->timing)
		timeout_remove(t);
	t->wake_status = status;
	t->state = FWM_THREAD_READY;
	ready_add(t);
	reschedule();
}

int fwm_tq_wait(struct fwm_tq *q, fwm_port_key_t *key, k_timeout_t timeout)
{
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
		return -FWM_EAGAIN;
	return fwm_cm_block(q, key, fwm_cm_deadline(timeout));
}

bool fwm_tq_wake_one(struct fwm_tq *q, int status)
{
	if (q->head == NULL)
		return false;
	fwm_cm_wake(q->head, status);
	return true;
}

unsigned fwm_tq_wake_all(struct fwm_tq *q, int status)
{
	unsigned n = 0;

	while (fwm_tq_wake_one(q, status))
		n++;
	return n;
}

/* ---- the scheduler ------------------------------------------------------------ */

uint32_t *fwm_cm_switch(void)
{
	struct fwm_thread *prev = fwm_cm_current, *next;

	/* Overflow: the outgoing thread's canary, one word compare or two. */
	(void)fwm_stack_check_overflow(&prev->stack);
	if (sched_locked != 0 && prev->state == FWM_THREAD_READY)
		next = prev;
	else
		next = highest_ready();
	next->switches++;
	fwm_cm_current = next;
	return next->sp;
}

void fwm_cm_tick(void)
{
	uint32_t key = fwm_cm_irq_lock();
	struct fwm_thread *cur = fwm_cm_current;

	tick_count++;
	while (timeouts != NULL && timeouts->deadline <= tick_count) {
		struct fwm_thread *t = timeouts;

		timeouts = t->t_next;
		t->t_next = NULL;
		t->timing = false;
		fwm_cm_wake(t, -FWM_EAGAIN);
	}
	/* Time slice: the next ready thread of the same priority gets a turn. */
	if (running && cur->state == FWM_THREAD_READY && cur->next != cur &&
	    ready_ring[cur->prio] == cur && sched_locked == 0)
		ready_ring[cur->prio] = cur->next;
	reschedule();
	fwm_cm_irq_unlock(key);
}

void fwm_cm_sched_lock(void)
{
	uint32_t key = fwm_cm_irq_lock();

	sched_locked++;
	fwm_cm_irq_unlock(key);
}

void fwm_cm_sched_unlock(void)
{
	uint32_t key = fwm_cm_irq_lock();

	if (sched_locked > 0 && --sched_locked == 0)
		reschedule();
	fwm_cm_irq_unlock(key);
}

/* ---- threads ------------------------------------------------------------------- */

static void thread_entry(struct fwm_thread *t)
{
	t->entry(t->p1, t->p2, t->p3);
	fwm_thread_exit();
}

/* The minimum stack: the initial frames plus room for the entry call (and
 * an FP context frame where there is an FPU). */
#define MIN_STACK (FWM_CM_FPU ? 256u : 128u)

static int create(struct fwm_thread *t, const char *name, void *stack, size_t bytes,
		  fwm_thread_entry_t entry, void *p1, void *p2, void *p3, int prio)
{
	if (t == NULL || stack == NULL || entry == NULL || prio < 0 || prio >= FWM_CM_PRIOS ||
	    bytes < MIN_STACK || ((uintptr_t)stack & 7u) != 0)
		return -FWM_EINVAL;
	*t = (struct fwm_thread){
		.prio = (uint8_t)prio,
		.base_prio = (uint8_t)prio,
		.state = FWM_THREAD_READY,
		.name = name,
		.entry = entry,
		.p1 = p1,
		.p2 = p2,
		.p3 = p3,
	};
	fwm_stack_init(&t->stack, stack, bytes, name, t, NULL);

	/* The frames PendSV unstacks: r4-r11 and EXC_RETURN, then what the
	 * exception return pops: r0-r3, r12, lr, pc, xPSR (Thumb bit set). */
	uint32_t *sp = (uint32_t *)(fwm_stack_top(&t->stack) & ~(uintptr_t)7);

	sp -= 8;
	sp[0] = (uint32_t)(uintptr_t)t;                          /* r0 */
	sp[1] = sp[2] = sp[3] = sp[4] = 0;                       /* r1-r3, r12 */
	sp[5] = (uint32_t)(uintptr_t)fwm_thread_exit;            /* lr */
	sp[6] = (uint32_t)(uintptr_t)thread_entry & ~1u;         /* pc */
	sp[7] = 0x01000000u;                                     /* xPSR: T */
	sp -= 9;
	for (int i = 0; i < 8; i++)
		sp[i] = 0;                                       /* r4-r11 */
	sp[8] = FWM_CM_EXC_RETURN_THREAD_PSP;
	t->sp = sp;

	uint32_t key = fwm_cm_irq_lock();

	t->id = ++last_id;
	if (threads_last != NULL)
		threads_last->all_next = t;
	else
		threads = t;
	threads_last = t;
	fwm_stack_watch(&t->stack);
	fwm_cm_thread_created(t);
	ready_add(t);
	reschedule();
	fwm_cm_irq_unlock(key);
	return 0;
}

int fwm_thread_create(struct fwm_thread *t, const char *name, void *stack, size_t bytes,
		      fwm_thread_entry_t entry, void *p1, void *p2, void *p3, int prio)
{
	if (prio >= FWM_CM_IDLE_PRIO)
		return -FWM_EINVAL;
	return create(t, name, stack, bytes, entry, p1, p2, p3, prio);
}

void fwm_thread_exit(void)
{
	(void)fwm_cm_irq_lock();
	struct fwm_thread *cur = fwm_cm_current;

	ready_remove(cur);
	cur->state = FWM_THREAD_DEAD;
	(void)fwm_tq_wake_all(&cur->joiners, 0);
	if (sched_locked != 0)
		sched_locked = 0;       /* a thread that dies holding it gives it back */
	fwm_cm_pend_switch();
	fwm_cm_irq_unlock(0);
	for (;;)
		__asm__ volatile("wfi");
}

int fwm_thread_join(struct fwm_thread *t, k_timeout_t timeout)
{
	fwm_port_key_t key = fwm_cm_irq_lock();
	int rc = 0;

	if (t == fwm_cm_current)
		rc = -FWM_EINVAL;
	else if (t->state != FWM_THREAD_DEAD)
		rc = K_TIMEOUT_EQ(timeout, K_NO_WAIT) ? -FWM_EBUSY : fwm_tq_wait(&t->joiners, &key, timeout);
	fwm_cm_irq_unlock((uint32_t)key);
	return rc;
}

struct fwm_thread *fwm_thread_self(void)
{
	return running ? fwm_cm_current : NULL;
}

/* Moves t to priority prio wherever it is (lock held). */
static void set_prio(struct fwm_thread *t, uint8_t prio)
{
	if (t->prio == prio)
		return;
	if (t->state == FWM_THREAD_READY) {
		ready_remove(t);
		t->prio = prio;
		ready_add(t);
	} else if (t->q != NULL) {
		struct fwm_tq *q = t->q;

		tq_remove(t);
		t->prio = prio;
		tq_insert(q, t);
	} else {
		t->prio = prio;
	}
	reschedule();
}

void fwm_thread_priority_set(struct fwm_thread *t, int prio)
{
	if (prio < 0 || prio >= FWM_CM_IDLE_PRIO)
		return;
	uint32_t key = fwm_cm_irq_lock();
	bool raised = t->prio < t->base_prio;

	t->base_prio = (uint8_t)prio;
	if (!raised || prio < t->prio)
		set_prio(t, (uint8_t)prio);
	fwm_cm_irq_unlock(key);
}

uint32_t fwm_thread_id(void)
{
	return running && !fwm_in_isr() ? fwm_cm_current->id : 0;
}

__attribute__((weak)) void fwm_cm_thread_created(struct fwm_thread *t)
{
	(void)t;
}

struct fwm_thread *fwm_thread_first(void)
{
	return threads;
}

struct fwm_thread *fwm_thread_next(const struct fwm_thread *t)
{
	return t->all_next;
}

int k_thread_stack_space_get(const struct fwm_thread *t, size_t *unused_ptr)
{
	uint32_t key = fwm_cm_irq_lock();

	/* The scan state is the watcher's; a full scan only moves it on. */
	(void)fwm_stack_scan_full((struct fwm_stack *)&t->stack);
	*unused_ptr = fwm_stack_unused(&t->stack);
	fwm_cm_irq_unlock(key);
	return 0;
}

/* ---- time ------------------------------------------------------------------------ */

uint64_t fwm_ticks(void)
{
	uint32_t key = fwm_cm_irq_lock();
	uint64_t t = tick_count;

	fwm_cm_irq_unlock(key);
	return t;
}

bool fwm_in_isr(void)
{
	return fwm_cm_ipsr() != 0;
}

int64_t fwm_sleep(k_timeout_t timeout)
{
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT)) {
		fwm_yield();
		return 0;
	}
	fwm_port_key_t key = fwm_cm_irq_lock();
	uint64_t deadline = fwm_cm_deadline(timeout);
	struct fwm_thread *cur = fwm_cm_current;

	cur->sleeping = true;
	int rc = fwm_cm_block(NULL, &key, deadline);
	int64_t left = 0;

	cur->sleeping = false;

	if (rc == 0 && deadline != FWM_CM_NEVER && deadline > tick_count)
		left = (int64_t)(deadline - tick_count);
	fwm_cm_irq_unlock((uint32_t)key);
	return left;
}

void fwm_sleep_until(uint64_t tick)
{
	fwm_port_key_t key = fwm_cm_irq_lock();

	while (tick_count < tick && fwm_cm_block(NULL, &key, tick) == 0)
		;      /* woken early by fwm_thread_wakeup: sleep on */
	fwm_cm_irq_unlock((uint32_t)key);
}

void fwm_thread_wakeup(struct fwm_thread *t)
{
	uint32_t key = fwm_cm_irq_lock();

	if (t->state == FWM_THREAD_BLOCKED && t->sleeping)
		fwm_cm_wake(t, 0);
	fwm_cm_irq_unlock(key);
}

void fwm_yield(void)
{
	uint32_t key = fwm_cm_irq_lock();
	struct fwm_thread *cur = fwm_cm_current;

	if (running && cur->state == FWM_THREAD_READY && ready_ring[cur->prio] == cur)
		ready_ring[cur->prio] = cur->next;
	reschedule();
	fwm_cm_irq_unlock(key);
}

/* ---- mutexes ------------------------------------------------------------------------ */

void fwm_mutex_init(struct fwm_mutex *m)
{
	*m = (struct fwm_mutex)FWM_MUTEX_INIT;
}

int fwm_mutex_lock(struct fwm_mutex *m, k_timeout_t timeout)
{
	if (fwm_in_isr())
		return -FWM_EINVAL;
	fwm_port_key_t key = fwm_cm_irq_lock();
	struct fwm_thread *cur = fwm_cm_current;
	int rc = 0;

	if (m->owner == NULL) {
		m->owner = cur;
		m->count = 1;
		m->owner_prio = cur->prio;
	} else if (m->owner == cur) {
		m->count++;
	} else if (K_TIMEOUT_EQ(timeout, K_NO_WAIT)) {
		rc = -FWM_EBUSY;
	} else {
		/* Priority inheritance: the owner runs at least at our priority
		 * until it unlocks. */
		if (cur->prio < m->owner->prio)
			set_prio(m->owner, cur->prio);
		rc = fwm_tq_wait(&m->waiters, &key, timeout);
		if (rc != 0) {
			rc = -FWM_EAGAIN;
			if (m->owner != NULL) {
				uint8_t want = m->owner_prio;

				if (m->waiters.head != NULL && m->waiters.head->prio < want)
					want = m->waiters.head->prio;
				set_prio(m->owner, want);
			}
		}
	}
	fwm_cm_irq_unlock((uint32_t)key);
	return rc;
}

int fwm_mutex_unlock(struct fwm_mutex *m)
{
	uint32_t key = fwm_cm_irq_lock();
	struct fwm_thread *cur = fwm_cm_current;
	int rc = 0;

	if (m->owner == NULL) {
		rc = -FWM_EINVAL;
	} else if (m->owner != cur) {
		rc = -FWM_CM_EPERM;
	} else if (--m->count == 0) {
		uint8_t restore = m->owner_prio;
		struct fwm_thread *w = m->waiters.head;

		m->owner = w;
		if (w != NULL) {
			/* Hand over: the waiter owns it when it wakes. */
			m->count = 1;
			m->owner_prio = w->prio;
			fwm_cm_wake(w, 0);
			if (m->waiters.head != NULL && m->waiters.head->prio < w->prio)
				set_prio(w, m->waiters.head->prio);
		}
		set_prio(cur, restore);
	}
	fwm_cm_irq_unlock(key);
	return rc;
}

/* ---- semaphores ----------------------------------------------------------------------- */

int fwm_sem_init(struct fwm_sem *s, uint32_t initial, uint32_t limit)
{
	if (limit == 0 || initial > limit)
		return -FWM_EINVAL;
	*s = (struct fwm_sem)FWM_SEM_INIT(initial, limit);
	return 0;
}

int fwm_sem_take(struct fwm_sem *s, k_timeout_t timeout)
{
	fwm_port_key_t key = fwm_cm_irq_lock();
	int rc = 0;

	if (s->count > 0)
		s->count--;
	else if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
		rc = -FWM_EBUSY;
	else if (fwm_tq_wait(&s->waiters, &key, timeout) != 0)
		rc = -FWM_EAGAIN;
	fwm_cm_irq_unlock((uint32_t)key);
	return rc;
}

void fwm_sem_give(struct fwm_sem *s)
{
	uint32_t key = fwm_cm_irq_lock();

	if (!fwm_tq_wake_one(&s->waiters, 0) && s->count < s->limit)
		s->count++;
	fwm_cm_irq_unlock(key);
}

uint32_t fwm_sem_count(const struct fwm_sem *s)
{
	return s->count;
}

/* ---- boot ------------------------------------------------------------------------------- */

int main(void);

static void main_entry(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	fwm_cm_main_exit(main());
}

static void idle_entry(void *p1, void *p2, void *p3)
{
	(void)p1;
	(void)p2;
	(void)p3;
	for (;;) {
		uint32_t key = fwm_cm_irq_lock();

		fwm_stack_watch_step(FWM_CM_IDLE_SCAN);
		fwm_cm_irq_unlock(key);
		__asm__ volatile("wfi");
	}
}

struct fwm_stack *fwm_cm_msp_stack(void)
{
	return &msp_stack;
}

void fwm_cm_paint_msp(void)
{
	fwm_stack_init(&msp_stack, __msp_limit, (size_t)((uintptr_t)__msp_top - (uintptr_t)__msp_limit),
		       "isr", NULL, fwm_cm_sp());
	fwm_stack_watch(&msp_stack);
}

void fwm_cm_boot(void)
{
	__asm__ volatile("cpsid i" ::: "memory");
#if FWM_CM_FPU
	SCB_CPACR |= 0xFu << 20;           /* CP10, CP11: full access */
	FPU_FPCCR |= FPCCR_ASPEN_LSPEN;    /* lazy stacking of the FP context */
	__asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
	SCB_SHPR3 = (SCB_SHPR3 & 0x0000FFFFu) | (FWM_CM_PENDSV_PRIO << 16) | (FWM_CM_SYSTICK_PRIO << 24);
	(void)create(&idle_thread, "idle", idle_stack, sizeof idle_stack, idle_entry, NULL, NULL,
		     NULL, FWM_CM_IDLE_PRIO);
	(void)create(&main_thread, "main", main_stack, sizeof main_stack, main_entry, NULL, NULL,
		     NULL, FWM_CM_MAIN_PRIO);
	SYST_RVR = FWM_CM_CPU_HZ / CONFIG_SYS_CLOCK_TICKS_PER_SEC - 1u;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
	fwm_cm_current = &boot_context;
	running = true;
	fwm_cm_pend_switch();
	fwm_cm_start(boot_psp + sizeof boot_psp / sizeof boot_psp[0]);
}
