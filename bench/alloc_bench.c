/* alloc_bench: replays allocation traces (../shared/traces/README.md)
 * through the agent's allocators, and runs Zephyr's sys_heap_stress rig.
 *
 *   alloc_bench [--alloc NAME] [--heap BYTES] [--measure] TRACE...
 *   alloc_bench --stress
 *   alloc_bench --stress-sweep SEEDS
 *   alloc_bench --list
 *
 * Without --measure each trace is replayed once with bookkeeping and one
 * line of figures is printed per trace and allocator:
 *   trace alloc ops failed peak_in_use peak_footprint largest_free_end
 * With --measure only the bare replay loop runs (fwm_bench_replay_NAME),
 * for `valgrind --tool=callgrind --toggle-collect=fwm_bench_replay_NAME`;
 * the loop makes the same calls as the bookkeeping run, so both see the
 * same heap. bench/alloc_bench.sh drives the callgrind runs. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zephyr/sys/sys_heap.h>
#if __has_include("fwmem/rtos_heap.h")
#define HAVE_RTOS 1
#include "fwmem/rtos_heap.h"
#endif

/* The commonest operations first: the measured loop tests them in this
 * order. */
enum { OP_F, OP_A, OP_AA, OP_R };

struct op {
	uint32_t kind;
	uint32_t id;
	uint32_t size;
	uint32_t align;
};

struct trace {
	const char *name;
	size_t heap;
	struct op *ops;
	size_t nops;
	uint32_t max_id;
};

struct run {
	void **ptr;        /* live block per id (NULL: never, failed or freed) */
	uint32_t *size;    /* bytes per id, for emulated realloc and in-use */
	unsigned char *mem;
	size_t failed;
	size_t in_use, peak_in_use;
};

static int load_trace(const char *path, struct trace *t)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t cap = 0, lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "alloc_bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	memset(t, 0, sizeof *t);
	t->name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	while (fgets(line, sizeof line, f) != NULL) {
		char k;
		unsigned long id = 0, size = 0, align = 0;
		int n;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (strncmp(line, "heap ", 5) == 0) {
			t->heap = strtoul(line + 5, NULL, 10);
			continue;
		}
		n = sscanf(line, "%c %lu %lu %lu", &k, &id, &size, &align);
		if (n < 2 || id == 0 || id > UINT32_MAX || size > UINT32_MAX || align > UINT32_MAX ||
		    (k != 'a' && k != 'f' && k != 'r')) {
			fprintf(stderr, "alloc_bench: %s:%zu: bad line\n", path, lineno);
			fclose(f);
			return -1;
		}
		if (t->nops == cap) {
			cap = cap ? 2 * cap : 4096;
			t->ops = realloc(t->ops, cap * sizeof *t->ops);
			if (t->ops == NULL) {
				fclose(f);
				return -1;
			}
		}
		struct op *o = &t->ops[t->nops++];

		o->kind = k == 'a' ? (n == 4 && align > 8 ? OP_AA : OP_A) : k == 'f' ? OP_F : OP_R;
		o->id = (uint32_t)id;
		o->size = (uint32_t)size;
		o->align = (uint32_t)align;
		if (o->id > t->max_id)
			t->max_id = o->id;
	}
	fclose(f);
	if (t->heap == 0) {
		fprintf(stderr, "alloc_bench: %s: no heap line\n", path);
		return -1;
	}
	return 0;
}

/* ---- allocators --------------------------------------------------------------- */

static struct sys_heap heap;

static void in_use(struct run *r, uint32_t id, size_t now)
{
	r->in_use += now - r->size[id];
	r->size[id] = (uint32_t)now;
	if (r->in_use > r->peak_in_use)
		r->peak_in_use = r->in_use;
}

/* The replay loops. STATS adds the bookkeeping; without it each loop is the
 * bare sequence of calls measured by callgrind. */
#define REPLAY(NAME, ALLOC, ALIGNED, FREE, REALLOC)                                      \
	static void replay_##NAME##_stats(const struct trace *t, struct run *r)          \
	{                                                                                \
		for (const struct op *o = t->ops, *e = o + t->nops; o < e; o++) {        \
			void **p = &r->ptr[o->id];                                       \
			switch (o->kind) {                                               \
			case OP_A: *p = ALLOC(o->size); break;                           \
			case OP_AA: *p = ALIGNED(o->align, o->size); break;              \
			case OP_F:                                                       \
				if (*p != NULL) {                                        \
					FREE(*p);                                        \
					in_use(r, o->id, 0);                             \
				}                                                        \
				*p = NULL;                                               \
				continue;                                                \
			case OP_R:                                                       \
				if (*p != NULL) {                                        \
					void *q = REALLOC(*p, o->id, o->size);           \
					if (q != NULL) {                                 \
						*p = q;                                  \
						in_use(r, o->id, o->size);               \
					} else {                                         \
						r->failed++;                             \
					}                                                \
				}                                                        \
				continue;                                                \
			}                                                                \
			if (*p == NULL)                                                  \
				r->failed++;                                             \
			else                                                             \
				in_use(r, o->id, o->size);                               \
		}                                                                        \
	}                                                                                \
	__attribute__((noinline)) void fwm_bench_replay_##NAME(const struct trace *t,    \
							       struct run *r);           \
	__attribute__((noinline)) void fwm_bench_replay_##NAME(const struct trace *t,    \
							       struct run *r)            \
	{                                                                                \
		void **ptr = r->ptr;                                                     \
		for (const struct op *o = t->ops, *e = o + t->nops; o < e; o++) {        \
			void **p = &ptr[o->id];                                          \
			if (o->kind == OP_F) {                                           \
				if (*p != NULL)                                          \
					FREE(*p);                                        \
			} else if (o->kind == OP_A) {                                    \
				*p = ALLOC(o->size);                                     \
			} else if (o->kind == OP_AA) {                                   \
				*p = ALIGNED(o->align, o->size);                         \
			} else if (*p != NULL) {                                         \
				void *q = REALLOC(*p, o->id, o->size);                   \
				if (q != NULL)                                           \
					*p = q;                                          \
			}                                                                \
		}                                                                        \
	}

/* sys_heap: all native. */
#define SH_ALLOC(n) sys_heap_alloc(&heap, (n))
#define SH_ALIGNED(a, n) sys_heap_aligned_alloc(&heap, (a), (n))
#define SH_FREE(p) sys_heap_free(&heap, (p))
#define SH_REALLOC(p, id, n) sys_heap_realloc(&heap, (p), (n))
REPLAY(sys_heap, SH_ALLOC, SH_ALIGNED, SH_FREE, SH_REALLOC)

#ifdef HAVE_RTOS
/* FreeRTOS schemes: no aligned alloc (FreeRTOS blocks are 8-aligned; a
 * larger alignment is emulated by over-allocating) and realloc emulated as
 * alloc + copy + free, as the reference figures did. The emulated
 * aligned block is used from its raw start: replay only counts. */
static struct fwm_rtos_heap rtos;
#define RT_ALLOC(n) fwm_rtos_malloc(&rtos, (n))
#define RT_ALIGNED(a, n) fwm_rtos_malloc(&rtos, (size_t)(n) + (a) - 8)
#define RT_FREE(p) fwm_rtos_free(&rtos, (p))
static void *rt_realloc(void *p, size_t n)
{
	void *q = fwm_rtos_malloc(&rtos, n);

	if (q != NULL) {
		size_t old = fwm_rtos_usable_size(&rtos, p);

		memcpy(q, p, old < n ? old : n);
		fwm_rtos_free(&rtos, p);
	}
	return q;
}
#define RT_REALLOC(p, id, n) rt_realloc((p), (n))
REPLAY(heap_4, RT_ALLOC, RT_ALIGNED, RT_FREE, RT_REALLOC)
REPLAY(heap_5, RT_ALLOC, RT_ALIGNED, RT_FREE, RT_REALLOC)
REPLAY(heap_2, RT_ALLOC, RT_ALIGNED, RT_FREE, RT_REALLOC)

#endif

struct allocator {
	const char *name;
	int scheme;     /* FreeRTOS heap_N, or 0 for sys_heap */
	void (*stats)(const struct trace *, struct run *);
	void (*measure)(const struct trace *, struct run *);
};

static const struct allocator allocators[] = {
	{ "sys_heap", 0, replay_sys_heap_stats, fwm_bench_replay_sys_heap },
#ifdef HAVE_RTOS
	{ "heap_4", 4, replay_heap_4_stats, fwm_bench_replay_heap_4 },
	{ "heap_5", 5, replay_heap_5_stats, fwm_bench_replay_heap_5 },
	{ "heap_2", 2, replay_heap_2_stats, fwm_bench_replay_heap_2 },
#endif
};

/* heap_5 gets the same bytes as two regions (a gap between them), as a
 * board with two RAM banks would. */
static void setup(const struct allocator *a, unsigned char *mem, size_t bytes)
{
	if (a->scheme == 0) {
		sys_heap_init(&heap, mem, bytes);
		return;
	}
#ifdef HAVE_RTOS
	if (a->scheme == 5) {
		size_t half = bytes / 2 & ~(size_t)7;
		struct fwm_rtos_region regions[] = {
			{ mem, half },
			{ mem + half + 64, bytes - half },
			{ NULL, 0 },
		};
		fwm_rtos_init(&rtos, 5, regions);
	} else {
		struct fwm_rtos_region regions[] = { { mem, bytes }, { NULL, 0 } };

		fwm_rtos_init(&rtos, a->scheme, regions);
	}
#endif
}

static void footprint(const struct allocator *a, size_t *peak, size_t *largest)
{
	if (a->scheme == 0) {
		*peak = heap.fwm.max_allocated_bytes;
		*largest = fwm_heap_largest_free(&heap);
		return;
	}
#ifdef HAVE_RTOS
	struct fwm_rtos_stats st;

	fwm_rtos_stats_get(&rtos, &st);
	*peak = st.total_bytes - st.min_ever_free_bytes;
	*largest = st.largest_free_bytes;
#endif
}

static int replay(const struct trace *t, const struct allocator *a, size_t heap_bytes, bool measure)
{
	struct run r = { 0 };

	r.ptr = calloc(t->max_id + 1u, sizeof *r.ptr);
	r.size = calloc(t->max_id + 1u, sizeof *r.size);
	r.mem = aligned_alloc(64, heap_bytes + 128);
	if (r.ptr == NULL || r.size == NULL || r.mem == NULL)
		return -1;
	memset(r.mem, 0x5a, heap_bytes + 128);
	setup(a, r.mem, heap_bytes);
	if (measure) {
		a->measure(t, &r);
	} else {
		a->stats(t, &r);
		size_t peak, largest;

		footprint(a, &peak, &largest);
		printf("%s %s %zu %zu %zu %zu %zu\n", t->name, a->name, t->nops, r.failed,
		       r.peak_in_use, peak, largest);
	}
	free(r.ptr);
	free(r.size);
	free(r.mem);
	return 0;
}

/* ---- sys_heap_stress ------------------------------------------------------------ */

static void *stress_alloc(void *arg, size_t bytes)
{
	return sys_heap_alloc(arg, bytes);
}

static void stress_free(void *arg, void *p)
{
	sys_heap_free(arg, p);
}

static void stress(void)
{
	static const struct { size_t size; int target; } runs[] = {
		{ 2048, 50 }, { 2048, 100 }, { 256 * 1024, 100 },
	};
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		size_t size = runs[i].size;
		void *mem = aligned_alloc(8, size);
		size_t scratch_bytes = size * 16;
		void *scratch = malloc(scratch_bytes);
		struct z_heap_stress_result res;
		struct sys_heap h;

		sys_heap_init(&h, mem, size);
		sys_heap_stress(stress_alloc, stress_free, &h, size, (uint32_t)(2 * size), scratch,
				scratch_bytes, runs[i].target, &res);
		printf("stress %zu %d%%: success %.1f%% average usage %.1f%% (%u/%u allocs, %u frees)\n",
		       size, runs[i].target, 100.0 * res.successful_allocs / res.total_allocs,
		       100.0 * (double)res.accumulated_in_use_bytes / (2.0 * (double)size) / (double)size,
		       res.successful_allocs, res.total_allocs, res.total_frees);
		free(scratch);
		free(mem);
	}
}

/* The same rig with another seed, for the spread between seeds. */
static uint64_t sweep_state;

static uint32_t sweep_rand(void)
{
	sweep_state = sweep_state * 2862933555777941757ull + 3037000493ull;
	return (uint32_t)(sweep_state >> 32);
}

static void stress_seeded(size_t size, int target, uint64_t seed, double *success, double *usage)
{
	/* As many live blocks as the rig's scratch holds for 256 KiB. */
	static struct { void *p; size_t sz; } blocks[1 << 18];
	unsigned char *mem = aligned_alloc(8, size);
	struct sys_heap h;
	size_t live = 0, bytes = 0;
	unsigned long tries = 0, ok = 0;
	unsigned long long acc = 0;
	uint32_t ops = (uint32_t)(2 * size);

	sweep_state = seed;
	sys_heap_init(&h, mem, size);
	for (uint32_t i = 0; i < ops; i++) {
		bool alloc = live == 0;

		if (!alloc && live < sizeof blocks / sizeof blocks[0]) {
			uint32_t pct = (uint32_t)(100 * bytes / size), chance = 0xffffffffu;

			if (pct < (uint32_t)target)
				chance = pct * (0x80000000u / (uint32_t)target);
			alloc = sweep_rand() > chance;
		}
		if (alloc) {
			uint32_t r = sweep_rand();
			unsigned scale = 4u + (r ? (unsigned)__builtin_clz(r) : 32u);
			size_t sz = sweep_rand() & (scale >= 32 ? 0xffffffffu : (1u << scale) - 1u);
			void *p = sys_heap_alloc(&h, sz);

			tries++;
			if (p != NULL) {
				ok++;
				blocks[live].p = p;
				blocks[live++].sz = sz;
				bytes += sz;
			}
		} else {
			size_t b = sweep_rand() % live;

			bytes -= blocks[b].sz;
			sys_heap_free(&h, blocks[b].p);
			blocks[b] = blocks[--live];
		}
		acc += bytes;
	}
	*success = 100.0 * (double)ok / (double)tries;
	*usage = 100.0 * (double)acc / (double)ops / (double)size;
	free(mem);
}

static void stress_sweep(int seeds)
{
	static const struct { size_t size; int target; } runs[] = {
		{ 2048, 50 }, { 2048, 100 }, { 256 * 1024, 100 },
	};

	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		double s_sum = 0, u_sum = 0, u_sq = 0, u_min = 100, u_max = 0;

		for (int k = 0; k < seeds; k++) {
			double s, u;

			stress_seeded(runs[i].size, runs[i].target, 123456789ull + (uint64_t)k * 7919u, &s, &u);
			s_sum += s;
			u_sum += u;
			u_sq += u * u;
			u_min = u < u_min ? u : u_min;
			u_max = u > u_max ? u : u_max;
		}
		double mean = u_sum / seeds;
		double var = u_sq / seeds - mean * mean;

		printf("stress %zu %d%% over %d seeds: success %.2f%% mean, average usage %.2f%% mean "
		       "(sd %.2f, %.1f .. %.1f)\n", runs[i].size, runs[i].target, seeds, s_sum / seeds, mean,
		       var > 0 ? __builtin_sqrt(var) : 0.0, u_min, u_max);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alloc", required_argument, NULL, 'a' },
		{ "heap", required_argument, NULL, 'H' },
		{ "measure", no_argument, NULL, 'm' },
		{ "stress", no_argument, NULL, 's' },
		{ "stress-sweep", required_argument, NULL, 'S' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL;
	size_t heap_bytes = 0;
	bool measure = false;
	int c;

	while ((c = getopt_long(argc, argv, "a:H:msS:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': only = optarg; break;
		case 'H': heap_bytes = strtoul(optarg, NULL, 0); break;
		case 'm': measure = true; break;
		case 's': stress(); return 0;
		case 'S': stress_sweep(atoi(optarg) > 0 ? atoi(optarg) : 1); return 0;
		case 'l':
			for (size_t i = 0; i < sizeof allocators / sizeof allocators[0]; i++)
				printf("%s\n", allocators[i].name);
			return 0;
		case 'h':
			printf("usage: alloc_bench [--alloc NAME] [--heap BYTES] [--measure] TRACE...\n"
			       "       alloc_bench --stress | --stress-sweep SEEDS | --list\n");
			return 0;
		default: return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "alloc_bench: no trace given (try --help)\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		struct trace t;

		if (load_trace(argv[i], &t) != 0)
			return 3;
		for (size_t k = 0; k < sizeof allocators / sizeof allocators[0]; k++) {
			if (only != NULL && strcmp(only, allocators[k].name) != 0)
				continue;
			if (replay(&t, &allocators[k], heap_bytes ? heap_bytes : t.heap, measure) != 0)
				return 3;
		}
		free(t.ops);
	}
	return 0;
}
