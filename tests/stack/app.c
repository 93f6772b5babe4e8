/* Stack fixture: call chains with known stack use (see build.sh).
 * The worst case of main is the deep chain into big_locals; of
 * TIMER0_IRQHandler the helpers it calls; recursion, a function pointer, a
 * tail call and a variable-length array each have their own entry. */
#include "stack.h"

volatile int sink;

/* a deep chain: main -> chain_a -> chain_b -> chain_c -> chain_d -> big_locals */
NOINLINE int big_locals(int n)
{
	volatile char buf[200];
	for (int i = 0; i < n && i < 200; i++)
		buf[i] = (char)i;
	return buf[n & 127];
}

NOINLINE int chain_d(int x) { volatile int v[4]; v[1] = x; v[2] = x; return big_locals(v[1]) + v[2]; }
NOINLINE int chain_c(int x) { volatile int v[2]; v[0] = x; v[1] = x; return chain_d(v[0] + 1) + v[1]; }
NOINLINE int chain_b(int x) { volatile long long v = x; return chain_c((int)v + 2) + (int)v; }
NOINLINE int chain_a(int x) { volatile int v = x; return chain_b(v + 3) + v; }

/* recursion: ping -> pong -> ping */
NOINLINE int pong(int n);
NOINLINE int ping(int n) { volatile int v = n; return n > 0 ? pong(v - 1) + 1 : 0; }
NOINLINE int pong(int n) { volatile int v = n; return n > 0 ? ping(v - 1) + 2 : 0; }

/* a function pointer call */
typedef int (*op_fn)(int);
NOINLINE int op_double(int x) { volatile int v[8]; v[0] = x; return v[0] * 2; }
NOINLINE int op_square(int x) { volatile int v[2]; v[0] = x; return v[0] * v[0]; }
op_fn volatile ops[2] = { op_double, op_square };
NOINLINE int dispatch(int which, int x)
{
	volatile int v[3]; v[0] = which; v[1] = 0;
	return ops[v[0] & 1](x) + v[1];
}

/* tail calls: tail_caller has no frame and ends in "b tail_target";
 * tail_popper frees its 16-byte frame before its "b tail_target", so the
 * target runs at worker_tail's depth (GCC's .ci adds the two frames) */
NOINLINE int tail_target(int x) { volatile int v[6]; v[0] = x; return v[0] + 1; }
NOINLINE int tail_caller(int x) { return tail_target(x * 3 + 1); }
NOINLINE int tail_popper(int x) { volatile int v[4]; v[0] = x; v[3] = 2; return tail_target(v[0] + v[3]); }

/* a variable-length array: sub sp, rN */
NOINLINE int vla_user(int n)
{
	volatile char buf[n + 1];
	buf[0] = (char)n;
	buf[n] = 1;
	return buf[0] + buf[n];
}

/* worker thread entries, named with --entry */
NOINLINE void worker_fast(void) { sink = dispatch(sink, 3); }
NOINLINE void worker_slow(void) { sink = ping(sink); }
NOINLINE void worker_vla(void) { sink = vla_user(sink & 63); }
NOINLINE void worker_tail(void) { sink = tail_caller(sink) + tail_popper(sink); }

int main(void)
{
	volatile int v[2];
	v[0] = 0;
	v[1] = 1;
	sink = chain_a(v[0]) + helper_sum(v[1], 2);
	for (;;)
		__asm__ volatile ("" ::: "memory");
}
