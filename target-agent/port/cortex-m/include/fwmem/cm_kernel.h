/* fwmem Cortex-M port: a small preemptive kernel for firmware that has no
 * RTOS of its own, and the port the agent's blocking allocations run on.
 *
 * Threads have static stacks and fixed priorities 0 (highest) ..
 * FWM_CM_PRIOS - 1 (the idle thread's), as Zephyr's preemptible threads:
 * the highest-priority ready thread runs; equal priorities share the CPU
 * round-robin, one tick each. SysTick counts ticks
 * (CONFIG_SYS_CLOCK_TICKS_PER_SEC, from FWM_CM_CPU_HZ); PendSV switches
 * context, lowest priority of all. Blocking (sleep, mutex, semaphore, the
 * agent's k_heap and k_mem_slab waits) takes a k_timeout_t.
 *
 * Start-up (startup.c) calls fwm_cm_boot(), which starts the scheduler with
 * main() as the first thread ("main", priority FWM_CM_MAIN_PRIO, a
 * FWM_CM_MAIN_STACK-byte stack); when main returns, fwm_cm_main_exit(its
 * value) runs (a weak function: semihosting SYS_EXIT by default).
 *
 * Every stack (threads' and the interrupt stack) is painted and watched
 * (<fwmem/stack.h>): the idle thread scans FWM_CM_IDLE_SCAN words per
 * wake-up with the lock held, and each context switch checks the outgoing
 * thread's canary.
 *
 * Locking: one interrupt lock (the agent's fwm_port_lock): PRIMASK on
 * ARMv6-M, BASEPRI on ARMv7-M (interrupts numerically below
 * FWM_CM_LOCK_PRIO stay enabled and must not call the kernel or the agent).
 * From an interrupt only the non-blocking calls may be made (K_NO_WAIT,
 * gives, frees).
 *
 * Costs: switch and wake O(1) (a ready bitmap; ARMv6-M finds the highest
 * bit without CLZ); a timeout is kept in a list sorted by deadline, O(n)
 * to insert for n timed waits; wait queues are priority ordered, O(n).
 */
#ifndef FWMEM_CM_KERNEL_H
#define FWMEM_CM_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <zephyr/sys_clock.h>
#include "fwmem/port.h"
#include "fwmem/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef FWM_CM_CPU_HZ
#define FWM_CM_CPU_HZ 25000000u      /* mps2-an385's SYSCLK */
#endif
#define FWM_CM_PRIOS 32
#define FWM_CM_IDLE_PRIO (FWM_CM_PRIOS - 1)
#ifndef FWM_CM_MAIN_PRIO
#define FWM_CM_MAIN_PRIO 0
#endif
#ifndef FWM_CM_MAIN_STACK
#define FWM_CM_MAIN_STACK 2048
#endif
#ifndef FWM_CM_IDLE_STACK
#define FWM_CM_IDLE_STACK 512
#endif
#ifndef FWM_CM_IDLE_SCAN
#define FWM_CM_IDLE_SCAN 64u         /* stack words scanned per idle wake-up */
#endif

#define FWM_CM_EPERM 1               /* not the owner */

typedef void (*fwm_thread_entry_t)(void *p1, void *p2, void *p3);

enum fwm_thread_state {
	FWM_THREAD_READY = 1,   /* running or runnable */
	FWM_THREAD_BLOCKED,     /* on a wait queue, a timeout, or both */
	FWM_THREAD_DEAD,        /* returned from its entry */
};

struct fwm_thread;

/* Threads blocked on something, highest priority first, FIFO among equal
 * priorities. All-zero is empty. */
struct fwm_tq {
	struct fwm_thread *head;
};

struct fwm_thread {
	uint32_t *sp;                  /* saved stack pointer: at offset 0, for switch.S */
	struct fwm_thread *next, *prev; /* ring of ready threads of its priority */
	struct fwm_thread *q_next;     /* its wait queue */
	struct fwm_tq *q;              /* the wait queue it is on, or NULL */
	struct fwm_thread *t_next;     /* timeout list */
	uint64_t deadline;             /* tick it times out at, when timing */
	int wake_status;               /* 0: woken; -EAGAIN: timed out */
	uint8_t prio;                  /* current (raised while it holds a contended mutex) */
	uint8_t base_prio;             /* as created */
	uint8_t state;                 /* enum fwm_thread_state */
	uint8_t id;                    /* 1, 2, ... in creation order (0: interrupts) */
	bool timing;                   /* on the timeout list */
	bool sleeping;                 /* in fwm_sleep: fwm_thread_wakeup may end it */
	const char *name;
	fwm_thread_entry_t entry;
	void *p1, *p2, *p3;
	struct fwm_stack stack;        /* painted and watched */
	struct fwm_tq joiners;         /* threads in fwm_thread_join */
	uint32_t switches;             /* times switched to; wraps */
	struct fwm_thread *all_next;   /* every thread, in creation order */
};

/* A stack for a thread: bytes rounded up to 8, aligned to 8. */
#define FWM_THREAD_STACK_DEFINE(name, bytes) \
	uint64_t __attribute__((aligned(8))) name[((bytes) + 7) / 8]

/* Sets up t to run entry(p1, p2, p3) at priority prio (0 .. FWM_CM_PRIOS-2)
 * on the stack [stack, stack + bytes) (8-byte aligned; at least 256 bytes
 * with an FPU, 128 without), paints and watches the stack, and makes it
 * ready: it preempts the caller if of higher priority. name is borrowed.
 * Returns 0 or -EINVAL. O(bytes) for the paint. */
int fwm_thread_create(struct fwm_thread *t, const char *name, void *stack, size_t bytes,
		      fwm_thread_entry_t entry, void *p1, void *p2, void *p3, int prio);

/* Ends the calling thread (as returning from its entry does). */
void fwm_thread_exit(void) __attribute__((noreturn));

/* Waits until t has ended. 0; -EBUSY (K_NO_WAIT, still running); -EAGAIN
 * (timeout); -EINVAL (t is the caller). */
int fwm_thread_join(struct fwm_thread *t, k_timeout_t timeout);

/* The calling thread (NULL before the scheduler starts). */
struct fwm_thread *fwm_thread_self(void);

/* Sets the base priority of t (and its current one, unless a mutex raised
 * it above). May switch. */
void fwm_thread_priority_set(struct fwm_thread *t, int prio);

/* The calling thread's id (fwm_thread.id), 0 in an interrupt or before
 * the scheduler starts: the telemetry's thread ids. */
uint32_t fwm_thread_id(void);

/* Threads in creation order (the idle thread and main included). */
struct fwm_thread *fwm_thread_first(void);
struct fwm_thread *fwm_thread_next(const struct fwm_thread *t);

/* Ticks since the scheduler started. O(1). */
uint64_t fwm_ticks(void);

/* Blocks the caller for timeout (K_FOREVER: until fwm_thread_wakeup).
 * Returns 0, or the ticks left when woken early. Never from an interrupt. */
int64_t fwm_sleep(k_timeout_t timeout);

/* Blocks until the tick count reaches tick (returns at once if it has):
 * periodic work without drift. */
void fwm_sleep_until(uint64_t tick);

/* Wakes t from fwm_sleep early. */
void fwm_thread_wakeup(struct fwm_thread *t);

/* Lets the other ready threads of the caller's priority run first. */
void fwm_yield(void);

/* True in an exception handler. */
bool fwm_in_isr(void);

/* ---- mutexes: recursive, owner-only unlock, priority inheritance -------- */

struct fwm_mutex {
	struct fwm_thread *owner;
	uint32_t count;                 /* recursion depth */
	uint8_t owner_prio;             /* owner's priority before it took the mutex */
	struct fwm_tq waiters;
};
#define FWM_MUTEX_INIT { NULL, 0, 0, { NULL } }

void fwm_mutex_init(struct fwm_mutex *m);
/* 0; -EBUSY (K_NO_WAIT and taken); -EAGAIN (timed out); -EINVAL from an
 * interrupt. While a higher-priority thread waits, the owner runs at the
 * waiter's priority. */
int fwm_mutex_lock(struct fwm_mutex *m, k_timeout_t timeout);
/* 0; -EINVAL not locked; -EPERM not the owner. The longest-waiting
 * highest-priority waiter becomes the owner. */
int fwm_mutex_unlock(struct fwm_mutex *m);

/* ---- counting semaphores ------------------------------------------------ */

struct fwm_sem {
	uint32_t count, limit;
	struct fwm_tq waiters;
};
#define FWM_SEM_INIT(initial, lim) { (initial), (lim), { NULL } }

int fwm_sem_init(struct fwm_sem *s, uint32_t initial, uint32_t limit);
/* 0; -EBUSY (K_NO_WAIT, count 0); -EAGAIN (timed out). */
int fwm_sem_take(struct fwm_sem *s, k_timeout_t timeout);
/* Wakes the first waiter, or counts up to the limit. Interrupt-safe. */
void fwm_sem_give(struct fwm_sem *s);
uint32_t fwm_sem_count(const struct fwm_sem *s);

/* ---- wait queues, for code built on the kernel ------------------------- */

/* With the lock held (key from fwm_port_lock): queues the caller on q,
 * releases the lock, blocks up to timeout, takes the lock again. Returns
 * the waker's status (fwm_tq_wake_one), or -EAGAIN on timeout; -EAGAIN at
 * once where nothing can block (an interrupt, before the scheduler, the
 * idle thread, K_NO_WAIT). */
int fwm_tq_wait(struct fwm_tq *q, fwm_port_key_t *key, k_timeout_t timeout);
/* With the lock held: readies the first waiter with status; false if none. */
bool fwm_tq_wake_one(struct fwm_tq *q, int status);
/* With the lock held: readies every waiter with status; how many. */
unsigned fwm_tq_wake_all(struct fwm_tq *q, int status);

/* ---- start-up and exit ------------------------------------------------ */

/* Called once by Reset_Handler after .data and .bss: paints the interrupt
 * stack, sets up SysTick and PendSV, creates idle and main, and switches to
 * main. Never returns. */
void fwm_cm_boot(void) __attribute__((noreturn));

/* What runs when main returns (weak; default: semihosting SYS_EXIT with
 * main's value, see <fwmem/semihost.h>). */
void fwm_cm_main_exit(int status) __attribute__((noreturn));

/* The interrupt (MSP) stack, painted at boot. */
struct fwm_stack *fwm_cm_msp_stack(void);

/* Called (lock held) for every thread created, after its stack is
 * painted: weak, does nothing; the telemetry glue registers the stack. */
void fwm_cm_thread_created(struct fwm_thread *t);

/* With the telemetry (<fwmem/telemetry.h>, port/cortex-m/tel_cm.c):
 * registers every stack (thread ids as fwm_thread_id; 0 the interrupt
 * stack), and from then on reports each thread created, each rise of a
 * high-water mark the idle thread finds and each overflow. Call after
 * fwm_tel_init. fwm_cm_tel_now is a tick counter for fwm_tel_config.now. */
void fwm_cm_tel_stacks(void);
uint32_t fwm_cm_tel_now(void);

/* ---- Zephyr's names ------------------------------------------------------
 * Application code written for Zephyr's kernel threads compiles unchanged
 * for the subset below. */
#ifndef FWM_CM_NO_ZEPHYR_NAMES
typedef struct fwm_thread *k_tid_t;
#define k_thread fwm_thread
#define k_mutex fwm_mutex
#define k_sem fwm_sem
typedef uint64_t k_thread_stack_t;
#define K_THREAD_STACK_DEFINE(sym, size) FWM_THREAD_STACK_DEFINE(sym, size)
#define K_THREAD_STACK_SIZEOF(sym) sizeof(sym)
#define K_KERNEL_STACK_DEFINE(sym, size) FWM_THREAD_STACK_DEFINE(sym, size)
#define K_MUTEX_DEFINE(name) struct fwm_mutex name = FWM_MUTEX_INIT
#define K_SEM_DEFINE(name, initial, lim) struct fwm_sem name = FWM_SEM_INIT(initial, lim)
#define K_SEM_MAX_LIMIT UINT32_MAX
#define K_PRIO_PREEMPT(x) (x)

/* options and delay are not supported: 0 and K_NO_WAIT only. */
static inline k_tid_t k_thread_create(struct fwm_thread *t, k_thread_stack_t *stack,
				      size_t stack_size, fwm_thread_entry_t entry, void *p1,
				      void *p2, void *p3, int prio, uint32_t options,
				      k_timeout_t delay)
{
	(void)options;
	(void)delay;
	return fwm_thread_create(t, NULL, stack, stack_size, entry, p1, p2, p3, prio) == 0 ? t
											       : NULL;
}

static inline int k_thread_name_set(k_tid_t t, const char *name)
{
	t->name = name;
	t->stack.name = name;
	return 0;
}

static inline k_tid_t k_current_get(void)
{
	return fwm_thread_self();
}

static inline int k_thread_join(k_tid_t t, k_timeout_t timeout)
{
	return fwm_thread_join(t, timeout);
}

static inline void k_thread_priority_set(k_tid_t t, int prio)
{
	fwm_thread_priority_set(t, prio);
}

/* Bytes of t's stack never used so far (a full scan). */
int k_thread_stack_space_get(const struct fwm_thread *t, size_t *unused_ptr);

static inline int32_t k_sleep(k_timeout_t timeout)
{
	int64_t left = fwm_sleep(timeout);

	return (int32_t)(left * 1000 / CONFIG_SYS_CLOCK_TICKS_PER_SEC);
}

static inline int32_t k_msleep(int32_t ms)
{
	return k_sleep(K_MSEC(ms));
}

static inline int32_t k_usleep(int32_t us)
{
	return k_sleep(K_USEC(us));
}

static inline void k_yield(void)
{
	fwm_yield();
}

static inline void k_wakeup(k_tid_t t)
{
	fwm_thread_wakeup(t);
}

static inline int64_t k_uptime_ticks(void)
{
	return (int64_t)fwm_ticks();
}

static inline int64_t k_uptime_get(void)
{
	return (int64_t)(fwm_ticks() * 1000u / CONFIG_SYS_CLOCK_TICKS_PER_SEC);
}

static inline uint32_t k_uptime_get_32(void)
{
	return (uint32_t)k_uptime_get();
}

static inline bool k_is_in_isr(void)
{
	return fwm_in_isr();
}

static inline int k_mutex_init(struct fwm_mutex *m)
{
	fwm_mutex_init(m);
	return 0;
}

static inline int k_mutex_lock(struct fwm_mutex *m, k_timeout_t timeout)
{
	return fwm_mutex_lock(m, timeout);
}

static inline int k_mutex_unlock(struct fwm_mutex *m)
{
	return fwm_mutex_unlock(m);
}

static inline int k_sem_init(struct fwm_sem *s, unsigned int initial, unsigned int limit)
{
	return fwm_sem_init(s, initial, limit);
}

static inline int k_sem_take(struct fwm_sem *s, k_timeout_t timeout)
{
	return fwm_sem_take(s, timeout);
}

static inline void k_sem_give(struct fwm_sem *s)
{
	fwm_sem_give(s);
}

static inline unsigned int k_sem_count_get(struct fwm_sem *s)
{
	return fwm_sem_count(s);
}
#endif /* FWM_CM_NO_ZEPHYR_NAMES */

#ifdef __cplusplus
}
#endif

#endif /* FWMEM_CM_KERNEL_H */
