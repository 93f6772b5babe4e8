/* demo_decode: decodes a telemetry stream with libfwmem's decoder
 * (lib/fwm_proto.h) and prints what it saw in the key=value records of the
 * demo firmware's semihosting summary, so that tests/cli/demo_qemu.sh can
 * set one against the other:
 *
 *   stream bytes= ok= noise= frames= lost= unknown= dropped_events= boots= tick_hz= build_id=
 *   alloc NAME kind=K allocs= frees= reallocs= fails= live=
 *   heap NAME kind=K allocated= max_allocated= free= largest_free= allocs= frees= reallocs= failures=
 *   pool NAME kind=K used= max_used=
 *   stack NAME id= size= hwm= overflow=
 *   callers NAME ADDR...           the distinct call sites of its ALLOC events (at most 32)
 *   log lines=
 *   summary status= records= dropped_events= dropped_bytes= allocs= frees= reallocs= fails=
 *
 * NAME is the registered name, or the kind's name for an object that
 * registered itself unnamed. live is counted from the events themselves: a
 * set of the blocks each ALLOC adds, FREE removes and REALLOC moves.
 *
 * Usage: demo_decode STREAM-FILE. Exit 0, or 3 for an unreadable file. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fwm_proto.h"

#define MAX_OBJS 256          /* heap and pool ids are u8 on the target */
#define MAX_THREADS 256
#define LIVE_SLOTS (1u << 18) /* blocks alive at once, across heaps */

struct obj {
	bool seen, pool;
	unsigned kind;
	char name[FWM_PROTO_FRAME_MAX + 1];
	uint64_t allocs, frees, reallocs, fails, live;
	bool have_stats, have_usage;
	struct fwm_proto_heap_stats stats;
	uint64_t used, max_used;
	uint64_t caller[32];
	unsigned ncallers;
};

struct thread {
	bool seen, overflow;
	char name[FWM_PROTO_FRAME_MAX + 1];
	uint64_t size, hwm;
};

/* The set of live blocks: open addressing on (heap, ptr), with tombstones. */
struct slot {
	uint64_t ptr;
	uint32_t heap;   /* heap id + 1; 0 empty; UINT32_MAX a tombstone */
};

static struct obj objs[MAX_OBJS];
static struct thread threads[MAX_THREADS];
static struct slot *live;
static struct fwm_proto_hello hello;
static bool have_hello, have_summary;
static struct fwm_proto_summary summary;
static uint64_t log_lines, live_overflow;

static size_t slot_of(uint64_t heap, uint64_t ptr)
{
	uint64_t h = (ptr ^ (heap << 56)) * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 40) & (LIVE_SLOTS - 1);
}

static void live_add(uint64_t heap, uint64_t ptr)
{
	size_t i = slot_of(heap, ptr);

	for (size_t n = 0; n < LIVE_SLOTS; n++, i = (i + 1) & (LIVE_SLOTS - 1)) {
		if (live[i].heap == 0 || live[i].heap == UINT32_MAX) {
			live[i] = (struct slot){ ptr, (uint32_t)heap + 1 };
			objs[heap].live++;
			return;
		}
	}
	live_overflow++;
}

static void live_remove(uint64_t heap, uint64_t ptr)
{
	size_t i = slot_of(heap, ptr);

	for (size_t n = 0; n < LIVE_SLOTS && live[i].heap != 0; n++, i = (i + 1) & (LIVE_SLOTS - 1)) {
		if (live[i].heap == (uint32_t)heap + 1 && live[i].ptr == ptr) {
			live[i].heap = UINT32_MAX;
			objs[heap].live--;
			return;
		}
	}
}

static void add_caller(struct obj *o, uint64_t caller)
{
	for (unsigned i = 0; i < o->ncallers; i++)
		if (o->caller[i] == caller)
			return;
	if (o->ncallers < sizeof o->caller / sizeof o->caller[0])
		o->caller[o->ncallers++] = caller;
}

static struct obj *obj_of(uint64_t id)
{
	return &objs[id < MAX_OBJS ? id : 0];
}

static int on_event(const struct fwm_proto_event *ev, void *arg)
{
	struct obj *o;

	(void)arg;
	switch (ev->type) {
	case FWM_FT_HELLO:
		hello = ev->u.hello;
		have_hello = true;
		break;
	case FWM_FT_HEAP:
	case FWM_FT_POOL:
		o = obj_of(ev->u.heap.id);
		o->seen = true;
		o->pool = ev->type == FWM_FT_POOL;
		o->kind = ev->u.heap.kind;
		snprintf(o->name, sizeof o->name, "%.*s", (int)ev->u.heap.name_len, ev->u.heap.name);
		break;
	case FWM_FT_ALLOC:
	case FWM_FT_ALLOC_ALIGNED:
		o = obj_of(ev->u.alloc.heap);
		o->allocs++;
		add_caller(o, ev->u.alloc.caller);
		live_add(ev->u.alloc.heap < MAX_OBJS ? ev->u.alloc.heap : 0, ev->u.alloc.ptr);
		break;
	case FWM_FT_FREE:
		obj_of(ev->u.alloc.heap)->frees++;
		live_remove(ev->u.alloc.heap < MAX_OBJS ? ev->u.alloc.heap : 0, ev->u.alloc.ptr);
		break;
	case FWM_FT_FAIL:
		obj_of(ev->u.alloc.heap)->fails++;
		break;
	case FWM_FT_REALLOC: {
		const struct fwm_proto_realloc *r = &ev->u.realloc;
		uint64_t h = r->heap < MAX_OBJS ? r->heap : 0;

		obj_of(h)->reallocs++;
		if (r->old_ptr != 0)
			live_remove(h, r->old_ptr);
		if (r->size != 0)
			live_add(h, r->new_ptr);
		break;
	}
	case FWM_FT_HEAP_STATS:
		o = obj_of(ev->u.stats.heap);
		o->stats = ev->u.stats;
		o->have_stats = true;
		break;
	case FWM_FT_POOL_USAGE:
		o = obj_of(ev->u.pool_usage.id);
		o->used = ev->u.pool_usage.used;
		o->max_used = ev->u.pool_usage.max_used;
		o->have_usage = true;
		break;
	case FWM_FT_STACK: {
		struct thread *t = &threads[ev->u.stack.thread % MAX_THREADS];

		t->seen = true;
		t->size = ev->u.stack.size;
		snprintf(t->name, sizeof t->name, "%.*s", (int)ev->u.stack.name_len, ev->u.stack.name);
		break;
	}
	case FWM_FT_STACK_HWM: {
		struct thread *t = &threads[ev->u.stack_hwm.thread % MAX_THREADS];

		if (ev->u.stack_hwm.used_max > t->hwm)
			t->hwm = ev->u.stack_hwm.used_max;
		break;
	}
	case FWM_FT_STACK_OVERFLOW:
		threads[ev->u.overflow.thread % MAX_THREADS].overflow = true;
		break;
	case FWM_FT_LOG:
		log_lines++;
		break;
	case FWM_FT_SUMMARY:
		summary = ev->u.summary;
		have_summary = true;
		break;
	default:
		break;
	}
	return 0;
}

static const char *obj_name(const struct obj *o)
{
	return o->name[0] != '\0' ? o->name : fwm_proto_kind_name(o->kind);
}

#define U(x) ((unsigned long long)(x))

static void report(const struct fwm_proto_stats *st)
{
	printf("stream bytes=%llu ok=%llu noise=%llu frames=%llu lost=%llu unknown=%llu "
	       "dropped_events=%llu boots=%llu tick_hz=%llu build_id=",
	       U(st->bytes_in), U(st->bytes_ok), U(st->bytes_noise), U(st->frames_ok),
	       U(st->frames_lost), U(st->frames_unknown), U(st->dropped_events), U(st->boots),
	       U(have_hello ? hello.tick_hz : 0));
	for (size_t i = 0; have_hello && i < hello.build_id_len; i++)
		printf("%02x", hello.build_id[i]);
	printf("\n");
	for (unsigned i = 0; i < MAX_OBJS; i++) {
		const struct obj *o = &objs[i];

		if (!o->seen && o->allocs + o->frees + o->reallocs + o->fails == 0)
			continue;
		printf("alloc %s kind=%s allocs=%llu frees=%llu reallocs=%llu fails=%llu live=%llu\n",
		       obj_name(o), fwm_proto_kind_name(o->kind), U(o->allocs), U(o->frees),
		       U(o->reallocs), U(o->fails), U(o->live));
		if (o->have_stats)
			printf("heap %s kind=%s allocated=%llu max_allocated=%llu free=%llu "
			       "largest_free=%llu allocs=%llu frees=%llu reallocs=%llu failures=%llu\n",
			       obj_name(o), fwm_proto_kind_name(o->kind), U(o->stats.allocated),
			       U(o->stats.max_allocated), U(o->stats.free), U(o->stats.largest_free),
			       U(o->stats.allocs), U(o->stats.frees), U(o->stats.reallocs),
			       U(o->stats.failures));
		if (o->have_usage)
			printf("pool %s kind=%s used=%llu max_used=%llu\n", obj_name(o),
			       fwm_proto_kind_name(o->kind), U(o->used), U(o->max_used));
		if (o->ncallers > 0) {
			printf("callers %s", obj_name(o));
			for (unsigned k = 0; k < o->ncallers; k++)
				printf(" 0x%llx", U(o->caller[k]));
			printf("\n");
		}
	}
	for (unsigned i = 0; i < MAX_THREADS; i++) {
		const struct thread *t = &threads[i];

		if (t->seen)
			printf("stack %s id=%u size=%llu hwm=%llu overflow=%d\n", t->name, i,
			       U(t->size), U(t->hwm), t->overflow ? 1 : 0);
	}
	printf("log lines=%llu\n", U(log_lines));
	if (have_summary)
		printf("summary status=%lld records=%llu dropped_events=%llu dropped_bytes=%llu "
		       "allocs=%llu frees=%llu reallocs=%llu fails=%llu\n",
		       (long long)summary.status, U(summary.records), U(summary.dropped_events),
		       U(summary.dropped_bytes), U(summary.allocs), U(summary.frees),
		       U(summary.reallocs), U(summary.fails));
	if (live_overflow != 0)
		printf("warning live_overflow=%llu\n", U(live_overflow));
}

int main(int argc, char **argv)
{
	struct fwm_err err = { 0 };
	struct fwm_proto_dec *dec = NULL;
	struct fwm_proto_stats st;
	unsigned char buf[65536];
	size_t n;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: demo_decode STREAM-FILE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL) {
		fprintf(stderr, "demo_decode: %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	live = calloc(LIVE_SLOTS, sizeof *live);
	if (live == NULL || fwm_proto_dec_new(on_event, NULL, &dec, &err) != 0) {
		fprintf(stderr, "demo_decode: out of memory\n");
		fclose(f);
		free(live);
		return 3;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		(void)fwm_proto_dec_feed(dec, buf, n, &err);
	(void)fwm_proto_dec_finish(dec, &err);
	fwm_proto_dec_stats(dec, &st);
	report(&st);
	fwm_proto_dec_free(dec);
	fclose(f);
	free(live);
	return 0;
}
