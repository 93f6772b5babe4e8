/* The telemetry encoder's cost: replays allocation traces through sys_heap
 * (hook-free entry points) and reports every alloc, free and realloc to the
 * encoder through the real hooks, as an instrumented firmware would; drains
 * every 64 operations into memory; then decodes the stream with lib's
 * decoder and prints how many bytes each kind of frame took on the wire.
 *
 *   tel_bench [--quiet] TRACE...
 *
 * prints one line per trace:
 *   trace ops alloc_calls free_calls realloc_calls fail_calls frames
 *   wire_bytes alloc_mean alloc_min alloc_max alloc_under16_pct free_mean
 *   realloc_mean drops
 * (the *_calls: fwm_hook_* calls; the sizes: bytes on the wire per frame,
 * delimiter included).
 * bench/tel_bench.sh runs it under `valgrind --tool=callgrind` and takes the
 * inclusive instruction counts of fwm_hook_alloc, fwm_hook_free and
 * fwm_tel_drain from callgrind_annotate.
 *
 * What the target would see is imitated: callers are 64 call sites spread
 * over 192 KiB of flash after code_base, thread ids 1..6, a 1 kHz tick that
 * advances once every 8 operations, the heap registered with its base. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zephyr/sys/sys_heap.h>
#include "fwmem/heap.h"
#include "fwmem/telemetry.h"
#include "fwm_proto.h"

#define CODE_BASE 0x08000000u

static uint8_t ring[64 * 1024];
static uint8_t *wire;
static size_t wire_len, wire_cap;
static uint32_t ticks, thread;

static int to_memory(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	if (wire_len + len > wire_cap) {
		wire_cap = (wire_len + len) * 2;
		wire = realloc(wire, wire_cap);
		if (wire == NULL)
			return -ENOMEM;
	}
	memcpy(wire + wire_len, buf, len);
	wire_len += len;
	return 0;
}

static uint32_t now(void)
{
	return ticks;
}

static uint32_t thread_id(void)
{
	return thread;
}

struct sizes {
	uint64_t n, bytes, min, max, under16;
};

struct tally {
	struct sizes by_type[64];
	uint64_t dropped;
};

static int count(const struct fwm_proto_event *ev, void *arg)
{
	struct tally *t = arg;
	struct sizes *s = &t->by_type[ev->type & 63];

	if (s->n == 0 || ev->wire_bytes < s->min)
		s->min = ev->wire_bytes;
	if (ev->wire_bytes > s->max)
		s->max = ev->wire_bytes;
	s->n++;
	s->bytes += ev->wire_bytes;
	s->under16 += ev->wire_bytes < 16;
	if (ev->type == FWM_FT_DROPS)
		t->dropped += ev->u.drops.events;
	return 0;
}

static double mean(const struct sizes *s)
{
	return s->n ? (double)s->bytes / (double)s->n : 0.0;
}

static int replay(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t heap_bytes = 0, nids = 0;
	void **blk = NULL;
	uint8_t *mem = NULL;
	struct sys_heap heap;
	unsigned long ops = 0, allocs = 0, frees = 0, reallocs = 0, fails = 0;
	struct fwm_tel_config cfg = {
		.ring = ring, .ring_bytes = sizeof ring, .transport = { to_memory, NULL },
		.now = now, .tick_hz = 1000, .thread_id = thread_id, .code_base = CODE_BASE,
		.cpu = "bench",
	};
	struct tally t;
	struct fwm_proto_dec *d;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (f == NULL) {
		fprintf(stderr, "tel_bench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	wire_len = 0;
	ticks = 0;
	if (fwm_tel_init(&cfg) != 0)
		return 1;
	while (fgets(line, sizeof line, f) != NULL) {
		char op;
		unsigned long id = 0, size = 0, align = 0;
		int n = sscanf(line, " %c %lu %lu %lu", &op, &id, &size, &align);
		void *caller = (void *)(uintptr_t)(CODE_BASE + 0x200u + (id % 64) * 3072u + 2u * (id % 7));

		if (n < 1 || op == '#')
			continue;
		if (op == 'h') {
			sscanf(line, "heap %zu", &heap_bytes);
			mem = aligned_alloc(8, heap_bytes);
			sys_heap_init(&heap, mem, heap_bytes);
			fwm_tel_heap_register(FWM_HK_SYS_HEAP, &heap, "trace", mem, heap_bytes);
			continue;
		}
		if (mem == NULL || n < 2)
			continue;
		if (id >= nids) {
			size_t nn = id * 2 + 1024;

			blk = realloc(blk, nn * sizeof *blk);
			memset(blk + nids, 0, (nn - nids) * sizeof *blk);
			nids = nn;
		}
		ops++;
		thread = 1 + (uint32_t)(id % 6);
		if ((ops & 7) == 0)
			ticks++;
		if (op == 'a') {
			void *p = fwm_heap_aligned_alloc(&heap, align, size);

			if (p != NULL) {
				fwm_hook_alloc(FWM_KIND_SYS_HEAP, &heap, p, size, align, caller);
				allocs++;
			} else {
				fwm_hook_fail(FWM_KIND_SYS_HEAP, &heap, size, align, caller);
				fails++;
			}
			blk[id] = p;
		} else if (op == 'f' && blk[id] != NULL) {
			fwm_hook_free(FWM_KIND_SYS_HEAP, &heap, blk[id], caller);
			fwm_heap_free(&heap, blk[id]);
			blk[id] = NULL;
			frees++;
		} else if (op == 'r' && blk[id] != NULL) {
			void *p = fwm_heap_aligned_realloc(&heap, blk[id], 0, size);

			if (p != NULL) {
				fwm_hook_realloc(FWM_KIND_SYS_HEAP, &heap, blk[id], p, size, 0, caller);
				blk[id] = p;
				reallocs++;
			} else {
				fwm_hook_fail(FWM_KIND_SYS_HEAP, &heap, size, 0, caller);
				fails++;
			}
		}
		if ((ops & 63) == 0 && fwm_tel_drain() < 0)
			return 1;
	}
	fclose(f);
	while (fwm_tel_drain() > 0)
		;
	memset(&t, 0, sizeof t);
	if (fwm_proto_dec_new(count, &t, &d, NULL) != 0 || fwm_proto_dec_feed(d, wire, wire_len, NULL) != 0)
		return 1;
	{
		const struct sizes *a = &t.by_type[FWM_FT_ALLOC];
		uint64_t frames = 0;

		for (int i = 0; i < 64; i++)
			frames += t.by_type[i].n;
		printf("%s %lu %lu %lu %lu %lu %llu %zu %.2f %llu %llu %.1f %.2f %.2f %llu\n", name,
		       ops, allocs, frees, reallocs, fails, (unsigned long long)frames, wire_len, mean(a),
		       (unsigned long long)a->min, (unsigned long long)a->max,
		       a->n ? 100.0 * (double)a->under16 / (double)a->n : 0.0,
		       mean(&t.by_type[FWM_FT_FREE]), mean(&t.by_type[FWM_FT_REALLOC]),
		       (unsigned long long)t.dropped);
	}
	fwm_proto_dec_free(d);
	free(blk);
	free(mem);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: tel_bench TRACE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		rc |= replay(argv[i]);
	free(wire);
	return rc;
}
