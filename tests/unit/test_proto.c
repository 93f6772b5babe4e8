/* fwmem-protocol(5): the target agent's telemetry encoder and the host
 * decoder in lib/, against golden bytes and against each other.
 *
 * - Golden vectors, one per frame type: the encoder's bytes must equal
 *   them, and the decoder must turn them into the expected event. The
 *   vectors were computed from proto.h's text by a separate model of the
 *   format (COBS, CRC-16/CCITT-FALSE, LEB128 written again from scratch),
 *   not by printing what the encoder produced.
 * - Round trips of random event streams, drained at random moments and fed
 *   to the decoder in random chunks.
 * - Noise: garbage between frames and flipped bytes; the decoder resyncs
 *   and accounts for every byte and every lost frame exactly.
 * - A ring too small for the rate, a transport that pushes back, threads
 *   producing at once: drops are counted and reported exactly, nothing else
 *   is lost.
 * - Sampling 1-in-N, by address and by count.
 * - The real allocators (the agent built with CONFIG_FWM_HOOKS) driving
 *   the encoder through the hooks; fragmentation maps of a real heap.
 * - Hostile bytes: random streams and well-framed garbage payloads.
 *
 * FWM_TEL_STRESS scales the random tests (default 20000 operations).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <zephyr/kernel.h>
#include <zephyr/sys/mem_blocks.h>
#include <zephyr/sys/sys_heap.h>
#include "fwmem/heap.h"
#include "fwmem/telemetry.h"
#include "fwm_proto.h"

/* ---- helpers --------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static uint32_t rnd(uint32_t n) /* 0 .. n-1 */
{
	return (uint32_t)((rnd64() >> 32) % n);
}

static unsigned long stress(unsigned long dflt)
{
	const char *e = getenv("FWM_TEL_STRESS");

	return e != NULL && *e != '\0' ? strtoul(e, NULL, 10) : dflt;
}

static char *hex(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", p[i]);
	s[2 * n] = '\0';
	return s;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* ---- the memory transport and the clock ---------------------------------- */

static uint8_t *wire;
static size_t wire_len, wire_cap;
static size_t wire_room = SIZE_MAX;   /* bytes it may still take (EAGAIN beyond) */
static unsigned writes;

static int mem_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	if (len > wire_room)
		return -FWM_EAGAIN;
	if (wire_room != SIZE_MAX)
		wire_room -= len;
	if (wire_len + len > wire_cap) {
		wire_cap = (wire_len + len) * 2 + 4096;
		wire = realloc(wire, wire_cap);
		assert_non_null(wire);
	}
	memcpy(wire + wire_len, buf, len);
	wire_len += len;
	writes++;
	return 0;
}

static uint32_t clk;
static uint32_t fake_now(void)
{
	return __atomic_load_n(&clk, __ATOMIC_RELAXED);
}

static uint32_t thread_no;
static __thread uint32_t my_thread;   /* for the multi-threaded test */
static bool per_thread;
static uint32_t fake_thread(void)
{
	return per_thread ? my_thread : thread_no;
}

static _Alignas(8) uint8_t ring[1u << 16];
static const uint8_t build_id[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
				      11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

static void tel_start_with(size_t ring_bytes, uint32_t sample_n, enum fwm_proto_sample mode,
			   struct fwm_tel_transport tr)
{
	struct fwm_tel_config cfg = {
		.ring = ring, .ring_bytes = ring_bytes, .transport = tr,
		.now = fake_now, .tick_hz = 1000, .thread_id = fake_thread, .code_base = 0x8000,
		.build_id = build_id, .build_id_len = sizeof build_id, .cpu = "cortex-m3",
		.cpuid = 0x412fc231, .sample_n = sample_n, .sample_mode = mode,
	};

	wire_len = 0;
	wire_room = SIZE_MAX;
	writes = 0;
	clk = 100;
	thread_no = 3;
	per_thread = false;
	assert_int_equal(fwm_tel_init(&cfg), 0);
}

static void tel_start(size_t ring_bytes, uint32_t sample_n, enum fwm_proto_sample mode)
{
	tel_start_with(ring_bytes, sample_n, mode, (struct fwm_tel_transport){ mem_write, NULL });
}

static void drain_all(void)
{
	long n;

	do {
		n = fwm_tel_drain();
		assert_true(n >= 0);
	} while (n > 0);
}

/* Frame k of the stream (k = its index; the leading 0x00 is skipped):
 * offset and length of its wire bytes, delimiter included. */
static bool frame_at(const uint8_t *w, size_t n, size_t k, size_t *off, size_t *len)
{
	size_t i = 0, idx = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && w[j] != 0)
			j++;
		if (j == n)
			return false;
		if (j > i) {
			if (idx == k) {
				*off = i;
				*len = j - i + 1;
				return true;
			}
			idx++;
		}
		i = j + 1;
	}
	return false;
}

/* ---- a decoder that keeps what it saw -------------------------------------- */

struct seen {
	unsigned type;
	uint64_t index, time;
	bool uncertain;
	struct fwm_proto_alloc alloc;
	struct fwm_proto_drops drops;
	struct fwm_proto_summary summary;
	char *line;          /* fwm_proto_format's text */
};

struct collect {
	struct seen *ev;
	size_t n, cap;
	struct fwm_proto_dec *dec;
	struct fwm_proto_stats st;
};

static int on_event(const struct fwm_proto_event *ev, void *arg)
{
	struct collect *c = arg;
	struct seen *s;
	int len = fwm_proto_format(ev, NULL, 0);

	if (c->n == c->cap) {
		c->cap = c->cap * 2 + 64;
		c->ev = realloc(c->ev, c->cap * sizeof *c->ev);
		assert_non_null(c->ev);
	}
	s = &c->ev[c->n++];
	memset(s, 0, sizeof *s);
	s->type = ev->type;
	s->index = ev->index;
	s->time = ev->time;
	s->uncertain = ev->time_uncertain;
	if (ev->type == FWM_FT_ALLOC || ev->type == FWM_FT_ALLOC_ALIGNED || ev->type == FWM_FT_FREE ||
	    ev->type == FWM_FT_FAIL)
		s->alloc = ev->u.alloc;
	if (ev->type == FWM_FT_DROPS)
		s->drops = ev->u.drops;
	if (ev->type == FWM_FT_SUMMARY)
		s->summary = ev->u.summary;
	s->line = malloc((size_t)len + 1);
	assert_non_null(s->line);
	fwm_proto_format(ev, s->line, (size_t)len + 1);
	return 0;
}

static void collect_open(struct collect *c)
{
	struct fwm_err err = { "" };

	memset(c, 0, sizeof *c);
	assert_int_equal(fwm_proto_dec_new(on_event, c, &c->dec, &err), 0);
}

static void collect_feed(struct collect *c, const uint8_t *p, size_t n, bool random_chunks)
{
	struct fwm_err err = { "" };

	while (n > 0) {
		size_t k = random_chunks ? 1 + rnd(n < 97 ? (uint32_t)n : 97u) : n;

		assert_int_equal(fwm_proto_dec_feed(c->dec, p, k, &err), 0);
		p += k;
		n -= k;
	}
	fwm_proto_dec_stats(c->dec, &c->st);
	assert_true(c->st.bytes_in == c->st.bytes_ok + c->st.bytes_noise + c->st.bytes_idle +
				      c->st.bytes_pending);
}

static void collect_close(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->ev[i].line);
	free(c->ev);
	fwm_proto_dec_free(c->dec);
	memset(c, 0, sizeof *c);
}

/* The event's line without "[index] t=time ". */
static const char *body(const char *line)
{
	const char *p = strchr(line, ' ');

	p = p != NULL ? strchr(p + 1, ' ') : NULL;
	return p != NULL ? p + 1 : line;
}

/* ---- codecs -------------------------------------------------------------------- */

static void test_codecs(void **state)
{
	uint8_t buf[600], dec[600];
	const uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, 0xffffffffull,
				  0x100000000ull, UINT64_MAX };
	(void)state;

	/* CRC-16/CCITT-FALSE check value, and a good frame's CRC is 0 */
	assert_int_equal(fwm_proto_crc16(FWM_PROTO_CRC_INIT, (const uint8_t *)"123456789", 9), 0x29b1);
	memcpy(buf, "123456789\x29\xb1", 11);
	assert_int_equal(fwm_proto_crc16(FWM_PROTO_CRC_INIT, buf, 11), 0);

	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		uint8_t *e = fwm_proto_put_uv64(buf, vals[i]);
		const uint8_t *p = buf;
		uint64_t v = 0;

		assert_int_equal((size_t)(e - buf), fwm_proto_uv_len(vals[i]));
		assert_true(fwm_proto_get_uv(&p, e, &v));
		assert_true(p == e);
		assert_true(v == vals[i]);
		/* one byte short: refused, nothing consumed */
		p = buf;
		assert_false(fwm_proto_get_uv(&p, e - 1, &v));
		assert_true(p == buf);
		assert_true(fwm_proto_unzigzag(fwm_proto_zigzag((int64_t)vals[i])) == (int64_t)vals[i]);
	}
	assert_int_equal(fwm_proto_put_uv32(buf, 0xffffffffu) - buf, 5);
	/* an 11th byte, and bits beyond 64 */
	memset(buf, 0x80, 10);
	buf[10] = 0;
	{
		const uint8_t *p = buf;
		uint64_t v;

		assert_false(fwm_proto_get_uv(&p, buf + 11, &v));
		memset(buf, 0xff, 9);
		buf[9] = 0x02;
		p = buf;
		assert_false(fwm_proto_get_uv(&p, buf + 10, &v));
		buf[9] = 0x01;
		p = buf;
		assert_true(fwm_proto_get_uv(&p, buf + 10, &v));
		assert_true(v == UINT64_MAX);
	}
	assert_true(fwm_proto_zigzag(-1) == 1 && fwm_proto_zigzag(1) == 2 && fwm_proto_zigzag(-256) == 511);

	/* COBS: n + 1 bytes for n <= 254 whatever the content; round trips */
	for (size_t n = 0; n <= 520; n++) {
		for (int pattern = 0; pattern < 4; pattern++) {
			uint8_t src[520];
			size_t m;
			long d;

			for (size_t i = 0; i < n; i++)
				src[i] = pattern == 0 ? 0 : pattern == 1 ? 0x55 :
					 pattern == 2 ? (uint8_t)(i % 7 == 3 ? 0 : i + 1) : (uint8_t)rnd(256);
			m = fwm_proto_cobs_encode(buf, src, n);
			if (n <= 254)
				assert_int_equal(m, n + 1);
			assert_null(memchr(buf, 0, m));
			d = fwm_proto_cobs_decode(dec, buf, m);
			assert_int_equal(d, (long)n);
			assert_memory_equal(dec, src, n);
		}
	}
	/* not COBS: a zero inside, a code running past the end, nothing */
	assert_int_equal(fwm_proto_cobs_decode(dec, (const uint8_t *)"\x03\x01\x00", 3), -1);
	assert_int_equal(fwm_proto_cobs_decode(dec, (const uint8_t *)"\x05\x01\x02", 3), -1);
	assert_int_equal(fwm_proto_cobs_decode(dec, buf, 0), -1);
}

/* ---- golden vectors ------------------------------------------------------------ */

#define OBJ   ((void *)0x20000100)
#define BASE  ((void *)0x20001000)
#define AT(off) ((void *)(uintptr_t)(0x20001000u + (off)))
#define CODE(off) ((void *)(uintptr_t)(0x8000u + (off)))

static void g_heap(void)
{
	clk = 110;
	assert_int_equal(fwm_tel_heap_register(FWM_HK_K_HEAP, OBJ, "net", BASE, 16384), 1);
}

static void g_alloc(void)
{
	g_heap();
	clk = 115;
	fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(0x1010), 64, 0, CODE(0x1a2b4));
}

static void g_alloc_aligned(void)
{
	g_heap();
	clk = 115;
	fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(0x1100), 200, 32, CODE(0x1a2b4));
}

static void g_free(void)
{
	g_heap();
	clk = 410;
	fwm_hook_free(FWM_KIND_K_HEAP, OBJ, AT(0x1010), CODE(0x2345));
}

static void g_realloc(void)
{
	g_heap();
	clk = 111;
	fwm_hook_realloc(FWM_KIND_K_HEAP, OBJ, AT(0x1010), AT(0x0f10), 96, 0, CODE(0x2345));
}

static void g_realloc0(void)
{
	g_heap();
	clk = 111;
	fwm_hook_realloc(FWM_KIND_K_HEAP, OBJ, AT(0x1010), NULL, 0, 0, CODE(0x2345));
}

static void g_fail(void)
{
	g_heap();
	clk = 112;
	fwm_hook_fail(FWM_KIND_K_HEAP, OBJ, 20000, 0, CODE(0x2345));
}

static void g_heap_stats(void)
{
	struct fwm_tel_heap_stats st = {
		.free_bytes = 5000, .allocated_bytes = 11384, .max_allocated_bytes = 12000,
		.largest_free_bytes = 4096, .free_chunks = 6, .nbuckets = 11,
		.buckets = { 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2 },
		.allocs = 150, .frees = 120, .reallocs = 7, .failures = 2, .faults = 1,
	};

	g_heap();
	assert_int_equal(fwm_tel_heap_stats(OBJ, &st), 0);
}

static void g_pool(void)
{
	assert_int_equal(fwm_tel_pool_register(FWM_HK_MEM_SLAB, (void *)0x20000200, "msgs",
					       (void *)0x20004000, 32, 16), 1);
}

static void g_pool_usage(void)
{
	g_pool();
	assert_int_equal(fwm_tel_pool_usage((void *)0x20000200, 5, 9), 0);
}

static void g_blocks(void)
{
	static const uint32_t bitmap[2] = { 0x0000f00fu, 0xffffff01u };   /* bits past 40 ignored */

	g_pool();
	assert_int_equal(fwm_tel_blocks((void *)0x20000200, bitmap, 40), 0);
}

static void g_stack(void)
{
	assert_int_equal(fwm_tel_stack_register(7, "sensor", (void *)0x20008000, 2048), 0);
}

static void g_stack_hwm(void)
{
	assert_int_equal(fwm_tel_stack_hwm(7, 1536), 0);
}

static void g_stack_overflow(void)
{
	assert_int_equal(fwm_tel_stack_overflow(7, FWM_OVF_CANARY, (void *)0x20008000), 0);
}

static void g_page_event(void)
{
	assert_int_equal(fwm_tel_page_event(FWM_PAGE_FAULT, (void *)0x60001000, 12, 7, 250), 0);
}

static void g_page_stats(void)
{
	struct fwm_tel_page_stats st = { 40, 38, 30, 2, 4, 16 };

	assert_int_equal(fwm_tel_page_stats(&st), 0);
}

static void g_log(void)
{
	assert_int_equal(fwm_tel_log(FWM_LOG_INF, "boot ok"), 0);
}

static void g_log_cut(void)
{
	char text[301];

	for (int i = 0; i < 300; i++)
		text[i] = (char)('a' + i % 26);
	text[300] = '\0';
	assert_int_equal(fwm_tel_log(FWM_LOG_WRN, text), 0);
}

static void g_summary(void)
{
	g_heap();
	clk = 115;
	fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(0x1010), 64, 0, CODE(0x1a2b4));
	fwm_hook_free(FWM_KIND_K_HEAP, OBJ, AT(0x1010), CODE(0x2345));
	fwm_hook_fail(FWM_KIND_K_HEAP, OBJ, 20000, 0, CODE(0x2345));
	assert_int_equal(fwm_tel_summary(-3), 0);
}

/* Records with dt 1 each; the drain adds SYNC (and HELLO) frames. */
static void ticking_records(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		clk++;
		assert_int_equal(fwm_tel_stack_hwm(1, i), 0);
		if (i % 64 == 63)
			drain_all();
	}
}

static void g_sync(void)
{
	ticking_records(255 + 1);
}

static void g_hello_repeat(void)
{
	ticking_records(4080 + 1);
}

/* A ring of 64 bytes: two log records of 20 bytes (24 with padding) fit,
 * the third does not (it would have been a 17-byte frame); the DROPS
 * record that reports it fits in the 16 bytes left, ahead of the fourth,
 * which is dropped, as are the last two (a second DROPS, from the drain). */
static void g_drops(void)
{
	for (int i = 0; i < 6; i++)
		fwm_tel_log(FWM_LOG_INF, "0123456789");
}

static _Alignas(8) uint8_t frag_mem[1024];
static struct sys_heap frag_heap;

/* An empty heap: one free run, whatever the allocator's placement policy
 * (test_fragmap checks real layouts against the chunk walk; the four-run
 * vector below is checked in the decoding direction). */
static void g_fragmap(void)
{
	sys_heap_init(&frag_heap, frag_mem, sizeof frag_mem);
	assert_true(fwm_tel_heap_register(FWM_HK_SYS_HEAP, &frag_heap, "frag", frag_mem,
					  sizeof frag_mem) > 0);
	assert_int_equal(fwm_tel_fragmap(&frag_heap, &frag_heap, true), 0);
}

struct golden {
	const char *name;
	void (*run)(void);
	size_t ring;           /* 0: 1024 */
	unsigned index;        /* the frame compared */
	const char *ctx;       /* golden frame the decoder sees first (after boot) */
	const char *hex;       /* its bytes on the wire */
	const char *text;      /* the decoder's line for it */
};

#define BOOT_HEX                                                                         \
	"00024101010302080664e8073f012c8080028008b184bf890409636f727465782d6d33140102030405" \
	"060708090a0b0c0d0e0f1011121314ef2000"
#define HEAP_HEX "0648010a01020114808280800280a0808002808001036e6574604f00"
#define POOL_HEX "035001160104808480800280808180022010046d736773a5b800"

static const struct golden goldens[] = {
	{ "hello", NULL, 0, 0, NULL, BOOT_HEX,
	  "[0] t=100 hello v1.0 flags=0x2 ptr=8 index=0 ticks=100 hz=1000 config=0x3f sample=1/0"
	  " code_base=0x8000 ring=1024 cpuid=0x412fc231 cpu=\"cortex-m3\""
	  " build_id=0102030405060708090a0b0c0d0e0f1011121314" },
	{ "heap", g_heap, 0, 1, NULL, HEAP_HEX,
	  "[1] t=110 heap id=1 kind=k_heap variant=0 parent=0 obj=0x20000100 base=0x20001000"
	  " size=16384 name=\"net\"" },
	{ "alloc", g_alloc, 0, 2, HEAP_HEX, "0e49020501840840b4c506031e7f00",
	  "[2] t=115 alloc heap=1 ptr=0x20002010 size=64 caller=0x222b4 thread=3" },
	{ "alloc_aligned", g_alloc_aligned, 0, 2, HEAP_HEX, "0f4a020501c008c801b4c5060320260100",
	  "[2] t=115 alloc_aligned heap=1 ptr=0x20002100 size=200 caller=0x222b4 thread=3 align=32" },
	{ "free", g_free, 0, 2, HEAP_HEX, "0d4b02ac02018408c5460368c600",
	  "[2] t=410 free heap=1 ptr=0x20002010 caller=0xa345 thread=3" },
	{ "realloc", g_realloc, 0, 2, HEAP_HEX, "0a4c0201018408ff036006c54603d80900",
	  "[2] t=111 realloc heap=1 old=0x20002010 new=0x20001f10 size=96 align=0 caller=0xa345"
	  " thread=3" },
	{ "realloc to 0", g_realloc0, 0, 2, HEAP_HEX, "074c0201018408010106c54603505f00",
	  "[2] t=111 realloc heap=1 old=0x20002010 new=0x0 size=0 align=0 caller=0xa345 thread=3" },
	{ "fail", g_fail, 0, 2, HEAP_HEX, "084d020201a09c0106c54603147300",
	  "[2] t=112 fail heap=1 size=20000 align=0 caller=0xa345 thread=3" },
	{ "heap_stats", g_heap_stats, 0, 2, HEAP_HEX,
	  "034e020d018827f858e05d8020060b0302010101010101010a029601780702013f1500",
	  "[2] t=110 heap_stats heap=1 free=5000 allocated=11384 max=12000 largest=4096"
	  " free_chunks=6 buckets=[3,0,1,0,0,0,0,0,0,0,2] allocs=150 frees=120 reallocs=7"
	  " failures=2 faults=1" },
	{ "pool", g_pool, 0, 1, NULL, POOL_HEX,
	  "[1] t=100 pool id=1 kind=mem_slab obj=0x20000200 base=0x20004000 block_size=32"
	  " blocks=16 name=\"msgs\"" },
	{ "pool_usage", g_pool_usage, 0, 2, POOL_HEX, "03510206010509264b00",
	  "[2] t=100 pool_usage id=1 used=5 max=9" },
	{ "blocks", g_blocks, 0, 2, POOL_HEX, "035202020104280ff00104012ed200",
	  "[2] t=100 blocks id=1 start=0 nbits=40 bits=0ff0000001" },
	{ "stack", g_stack, 0, 1, NULL, "0353011207808082800280100673656e736f7290bc00",
	  "[1] t=100 stack thread=7 base=0x20008000 size=2048 name=\"sensor\"" },
	{ "stack_hwm", g_stack_hwm, 0, 1, NULL, "0354010607800c8df000",
	  "[1] t=100 stack_hwm thread=7 used_max=1536" },
	{ "stack_overflow", g_stack_overflow, 0, 1, NULL, "0355010a07018080828002e30a00",
	  "[1] t=100 stack_overflow thread=7 how=canary addr=0x20008000" },
	{ "page_event", g_page_event, 0, 1, NULL, "0358010d0180a08080060c07fa01ae8c00",
	  "[1] t=100 page_event what=fault vaddr=0x60001000 frame=12 thread=7 cost=250" },
	{ "page_stats", g_page_stats, 0, 1, NULL, "0359010928261e020410654900",
	  "[1] t=100 page_stats faults=40 ins=38 outs=30 pinned=2 free=4 total=16" },
	{ "log", g_log, 0, 1, NULL, "0344010c0307626f6f74206f6b9b2400",
	  "[1] t=100 log level=3 text=\"boot ok\"" },
	{ "log, cut", g_log_cut, 0, 1, NULL,
	  "034401f882f2016162636465666768696a6b6c6d6e6f707172737475767778797a61626364656667"
	  "68696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475"
	  "767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a616263646566676869"
	  "6a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f7071727374757677"
	  "78797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b"
	  "6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f70717273747576777879"
	  "7a6162636465666768298c00",
	  NULL },
	{ "summary", g_summary, 0, 5, NULL, "03450503050401010301010401f71200",
	  "[5] t~100 summary status=-3 records=4 dropped=0/0B sampled_out=0 allocs=1 frees=1"
	  " reallocs=0 fails=1" },
	{ "drops", g_drops, 64, 3, NULL, "034303050111444b00",
	  "[3] t~100 drops events=1 bytes=17" },
	{ "sync", g_sync, 0, 256, NULL, "024201078002e3029a3a00",
	  "[256] t=355 sync index=256 ticks=355" },
	{ "hello, repeated", g_hello_repeat, 0, 4096, NULL,
	  "024101010b03088020d420e8073f012c8080028008b184bf890409636f727465782d6d331401020304"
	  "05060708090a0b0c0d0e0f10111213144a5900",
	  "[4096] t=4180 hello v1.0 flags=0x3 ptr=8 index=4096 ticks=4180 hz=1000 config=0x3f"
	  " sample=1/0 code_base=0x8000 ring=1024 cpuid=0x412fc231 cpu=\"cortex-m3\""
	  " build_id=0102030405060708090a0b0c0d0e0f1011121314" },
	{ "fragmap", g_fragmap, 0, 2, NULL, "034f02050106087f05017f1e8a00",
	  "[2] t~100 fragmap heap=1 first last unit=8 total=127 start=0 runs=F127" },
	{ "fragmap, four runs (decoding only)", NULL, 0, 2, NULL, "034f02050106087f080464050d09865b00",
	  "[2] t~100 fragmap heap=1 first last unit=8 total=127 start=0 runs=F100,U5,F13,U9" },
};

static void test_golden_encode(void **state)
{
	(void)state;
	for (size_t g = 0; g < sizeof goldens / sizeof *goldens; g++) {
		const struct golden *c = &goldens[g];
		size_t off = 0, len = 0;
		char *got;

		if (c->run == NULL && c->index != 0)
			continue;   /* a vector for the decoder only */
		tel_start(c->ring ? c->ring : 1024, 1, FWM_SAMPLE_NONE);
		if (c->run != NULL)
			c->run();
		drain_all();
		if (c->index == 0) {   /* the boot: the leading 0x00 and HELLO */
			assert_true(frame_at(wire, wire_len, 0, &off, &len));
			off = 0;
			len += 1;
		} else if (!frame_at(wire, wire_len, c->index, &off, &len)) {
			fail_msg("golden '%s': no frame %u in %zu bytes", c->name, c->index, wire_len);
		}
		got = hex(wire + off, len);
		if (strcmp(got, c->hex) != 0)
			fail_msg("golden '%s' (frame %u):\n  expected %s\n       got %s", c->name,
				 c->index, c->hex, got);
		free(got);
	}
}

static void test_golden_decode(void **state)
{
	(void)state;
	for (size_t g = 0; g < sizeof goldens / sizeof *goldens; g++) {
		const struct golden *c = &goldens[g];
		static uint8_t bytes[2048];
		size_t n = unhex(BOOT_HEX, bytes, sizeof bytes);
		struct collect col;

		if (c->index != 0) {
			if (c->ctx != NULL)
				n += unhex(c->ctx, bytes + n, sizeof bytes - n);
			n += unhex(c->hex, bytes + n, sizeof bytes - n);
		}
		collect_open(&col);
		collect_feed(&col, bytes, n, true);
		assert_int_equal(col.st.bytes_noise, 0);
		assert_int_equal(col.st.bytes_pending, 0);
		assert_true(col.n >= 1);
		if (c->text != NULL && strcmp(col.ev[col.n - 1].line, c->text) != 0)
			fail_msg("golden '%s' decoded:\n  expected %s\n       got %s", c->name, c->text,
				 col.ev[col.n - 1].line);
		if (c->text == NULL) {   /* the cut log: 242 letters, marked cut */
			const char *t = strstr(col.ev[col.n - 1].line, "level=2 cut text=\"abcdefghij");

			assert_non_null(t);
			assert_int_equal(strlen(t), strlen("level=2 cut text=\"") + 242 + 1);
		}
		collect_close(&col);
	}
}

/* The typical alloc event of proto.h's header: 15 bytes on the wire. */
static void test_alloc_size(void **state)
{
	(void)state;
	assert_int_equal(strlen(goldens[2].hex) / 2, 15);
	tel_start(1024, 1, FWM_SAMPLE_NONE);
	g_heap();
	drain_all();
	{
		size_t before = wire_len;

		clk += 7;
		fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(0x2ff8), 48, 0, CODE(0x3fff0));
		drain_all();
		assert_int_equal(wire_len - before, 15);
	}
}

/* Alloc and free events go raw into the ring and are encoded by the drain,
 * unless the ring is nearly full or its end is near: then the hook encodes
 * them itself. Both must give the same bytes. */
static void test_fast_slow_same(void **state)
{
	uint8_t *a = NULL;
	size_t alen = 0, off0 = 0, len0 = 0, off1 = 0, len1 = 0;

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		tel_start(pass == 0 ? sizeof ring : 64, 1, FWM_SAMPLE_NONE);
		g_heap();
		drain_all();
		for (unsigned i = 0; i < 300; i++) {
			clk += i % 3;
			thread_no = i % 200;
			if (i % 3 == 2)
				fwm_hook_free(FWM_KIND_K_HEAP, OBJ, AT(8u * i + (i % 5 == 0)), CODE(i * 977u));
			else
				fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(8u * i), i * 37u, i % 4 ? 0 : 16,
					       CODE(i * 977u));
			drain_all();   /* the small ring must not drop */
		}
		if (pass == 0) {
			a = malloc(wire_len);
			memcpy(a, wire, wire_len);
			alen = wire_len;
		}
	}
	{
		struct fwm_tel_counts c;

		fwm_tel_counts(&c);
		assert_int_equal(c.dropped_events, 0);
	}
	/* the same after HELLO (which names the ring's size) */
	assert_true(frame_at(a, alen, 1, &off0, &len0));
	assert_true(frame_at(wire, wire_len, 1, &off1, &len1));
	assert_int_equal(alen - off0, wire_len - off1);
	assert_memory_equal(a + off0, wire + off1, alen - off0);
	free(a);
}

/* ---- round trips of random streams ----------------------------------------- */

#define NHEAPS 6

struct model {
	struct collect col;
	char **want;          /* expected lines, without "[index] t=... " */
	uint64_t *want_time;
	size_t n, cap;
	uint64_t now;         /* absolute time */
	size_t fed;           /* wire bytes handed to the decoder */
	uint64_t heap_base[NHEAPS], heap_id[NHEAPS];
	unsigned slots;       /* registrations that took a new id */
};

static void expect_ev(struct model *m, struct fwm_proto_event *ev)
{
	int len;

	ev->index = 0;
	ev->time = 0;
	len = fwm_proto_format(ev, NULL, 0);
	if (m->n == m->cap) {
		m->cap = m->cap * 2 + 64;
		m->want = realloc(m->want, m->cap * sizeof *m->want);
		m->want_time = realloc(m->want_time, m->cap * sizeof *m->want_time);
		assert_true(m->want && m->want_time);
	}
	{
		char *line = malloc((size_t)len + 1);

		assert_non_null(line);
		fwm_proto_format(ev, line, (size_t)len + 1);
		m->want[m->n] = strdup(body(line));
		free(line);
	}
	m->want_time[m->n++] = m->now;
}

static void model_feed(struct model *m, bool random_chunks)
{
	collect_feed(&m->col, wire + m->fed, wire_len - m->fed, random_chunks);
	m->fed = wire_len;
}

static void tick(struct model *m, uint32_t dt)
{
	clk += dt;
	m->now += dt;
}

/* One random producer call, and what the decoder should make of it. */
static void random_op(struct model *m)
{
	struct fwm_proto_event ev;
	unsigned h = rnd(NHEAPS), op = rnd(20);
	void *obj = (void *)(uintptr_t)(0x30000000u + 0x100u * h);
	uint64_t base = m->heap_base[h], ptr;
	uint64_t caller = 0x8000 + rnd(0x200000);
	uint32_t size = rnd(4) == 0 ? rnd(100000) : rnd(300);

	memset(&ev, 0, sizeof ev);
	if (rnd(3) == 0)
		tick(m, rnd(4) == 0 ? rnd(UINT32_MAX) : rnd(2000));
	thread_no = rnd(40);
	if (m->heap_id[h] == 0 || (op == 0 && m->slots < CONFIG_FWM_TEL_MAX_OBJS)) {
		static const char *const names[] = { "net", "", "a-much-longer-heap-name-cut-at-32-bytes!", "x" };
		const char *name = names[rnd(4)];

		if (m->heap_id[h] == 0 || rnd(2) == 0) {   /* a new base: a new id */
			m->heap_base[h] = base = 0x20000000u + 0x100000u * h + 8u * rnd(1000);
			m->heap_id[h] = ++m->slots;
		}
		assert_int_equal(fwm_tel_heap_register(FWM_HK_FREERTOS, obj, name, (void *)(uintptr_t)base,
						       0x10000), (int)m->heap_id[h]);
		ev.type = FWM_FT_HEAP;
		ev.u.heap.id = m->heap_id[h];
		ev.u.heap.kind = FWM_HK_FREERTOS;
		ev.u.heap.obj = (uintptr_t)obj;
		ev.u.heap.base = base;
		ev.u.heap.size = 0x10000;
		ev.u.heap.name_len = strnlen(name, FWM_PROTO_NAME_MAX);
		memcpy(ev.u.heap.name, name, ev.u.heap.name_len);
		expect_ev(m, &ev);
		return;
	}
	ptr = base + rnd(0x10000);
	ev.u.alloc.thread = thread_no;
	ev.u.alloc.caller = caller;
	switch (op % 10) {
	case 1:
	case 2:
		ev.type = FWM_FT_ALLOC;
		ev.u.alloc.ptr = ptr;
		ev.u.alloc.size = size;
		fwm_hook_alloc(FWM_KIND_FREERTOS, obj, (void *)(uintptr_t)ptr, size, 0,
			       (void *)(uintptr_t)caller);
		break;
	case 3:
		ev.type = FWM_FT_ALLOC_ALIGNED;
		ev.u.alloc.ptr = ptr;
		ev.u.alloc.size = size;
		ev.u.alloc.align = 1u << (3 + rnd(10));
		fwm_hook_alloc(FWM_KIND_FREERTOS, obj, (void *)(uintptr_t)ptr, size,
			       (size_t)ev.u.alloc.align, (void *)(uintptr_t)caller);
		break;
	case 4:
		ev.type = FWM_FT_FREE;
		ev.u.alloc.ptr = ptr;
		fwm_hook_free(FWM_KIND_FREERTOS, obj, (void *)(uintptr_t)ptr, (void *)(uintptr_t)caller);
		break;
	case 5: {
		uint64_t np = rnd(3) == 0 ? ptr : base + rnd(0x10000);
		bool to0 = rnd(8) == 0;

		ev.type = FWM_FT_REALLOC;
		ev.u.realloc.heap = 0;
		ev.u.realloc.old_ptr = ptr;
		ev.u.realloc.new_ptr = to0 ? 0 : np;
		ev.u.realloc.size = to0 ? 0 : size + 1;
		ev.u.realloc.align = rnd(2) ? 0 : 16;
		ev.u.realloc.caller = caller;
		ev.u.realloc.thread = thread_no;
		fwm_hook_realloc(FWM_KIND_FREERTOS, obj, (void *)(uintptr_t)ptr,
				 to0 ? NULL : (void *)(uintptr_t)np, to0 ? 0 : size + 1,
				 (size_t)ev.u.realloc.align, (void *)(uintptr_t)caller);
		break;
	}
	case 6:
		ev.type = FWM_FT_FAIL;
		ev.u.alloc.size = size;
		ev.u.alloc.align = rnd(2) ? 0 : 64;
		fwm_hook_fail(FWM_KIND_FREERTOS, obj, size, (size_t)ev.u.alloc.align,
			      (void *)(uintptr_t)caller);
		break;
	case 7: {
		struct fwm_tel_heap_stats st;

		memset(&st, 0, sizeof st);
		st.free_bytes = rnd(0x10000);
		st.allocated_bytes = 0x10000 - st.free_bytes;
		st.max_allocated_bytes = rnd(0x20000);
		st.largest_free_bytes = rnd(0x10000);
		st.free_chunks = rnd(100);
		st.nbuckets = rnd(33);
		for (uint32_t b = 0; b < st.nbuckets; b++)
			st.buckets[b] = rnd(3) ? 0 : rnd(1000);
		st.allocs = (uint32_t)rnd64();
		st.frees = rnd(1000);
		st.reallocs = rnd(10);
		st.failures = rnd(10);
		st.faults = rnd(3);
		assert_int_equal(fwm_tel_heap_stats(obj, &st), 0);
		ev.type = FWM_FT_HEAP_STATS;
		ev.u.stats = (struct fwm_proto_heap_stats){
			0, st.free_bytes, st.allocated_bytes, st.max_allocated_bytes,
			st.largest_free_bytes, st.free_chunks, st.nbuckets, { 0 }, st.allocs,
			st.frees, st.reallocs, st.failures, st.faults };
		for (uint32_t b = 0; b < st.nbuckets; b++)
			ev.u.stats.bucket[b] = st.buckets[b];
		break;
	}
	case 8: {
		char text[300];
		size_t len = rnd(300);

		for (size_t i = 0; i < len; i++)
			text[i] = (char)(1 + rnd(255));
		text[len] = '\0';
		ev.type = FWM_FT_LOG;
		ev.u.log.level = 1 + rnd(4);
		ev.u.log.len = len > 242 ? 242 : len;
		ev.u.log.cut = len > 242;
		memcpy(ev.u.log.text, text, ev.u.log.len);
		assert_int_equal(fwm_tel_log((enum fwm_proto_level)ev.u.log.level, text), 0);
		break;
	}
	default: {
		uint32_t t = 1 + rnd(30);
		size_t used_max = rnd(100000);

		ev.type = FWM_FT_STACK_HWM;
		ev.u.stack_hwm.thread = t;
		ev.u.stack_hwm.used_max = used_max;
		assert_int_equal(fwm_tel_stack_hwm(t, used_max), 0);
		break;
	}
	}
	/* the heap's id, for the heap events */
	if (ev.type == FWM_FT_REALLOC)
		ev.u.realloc.heap = m->heap_id[h];
	else if (ev.type == FWM_FT_HEAP_STATS)
		ev.u.stats.heap = m->heap_id[h];
	else if (ev.type != FWM_FT_LOG && ev.type != FWM_FT_STACK_HWM)
		ev.u.alloc.heap = m->heap_id[h];
	expect_ev(m, &ev);
}

static void check_model(struct model *m)
{
	size_t j = 0;

	for (size_t i = 0; i < m->col.n; i++) {
		const struct seen *s = &m->col.ev[i];

		if (s->type == FWM_FT_HELLO || s->type == FWM_FT_SYNC)
			continue;
		if (s->type == FWM_FT_HEAP) {   /* resent after a repeated HELLO? */
			bool resent = false;

			for (size_t k = 0; k < j && !resent; k++)
				resent = strcmp(m->want[k], body(s->line)) == 0;
			if (resent && (j == m->n || strcmp(m->want[j], body(s->line)) != 0))
				continue;
		}
		if (j >= m->n)
			fail_msg("event %zu not expected: %s", i, s->line);
		if (strcmp(body(s->line), m->want[j]) != 0)
			fail_msg("event %zu (expected #%zu):\n  expected %s\n       got %s", i, j, m->want[j],
				 body(s->line));
		if (s->time != m->want_time[j] || s->uncertain)
			fail_msg("event %zu: time %llu%s, expected %llu: %s", i, (unsigned long long)s->time,
				 s->uncertain ? " (uncertain)" : "", (unsigned long long)m->want_time[j],
				 s->line);
		j++;
	}
	if (j != m->n)
		fail_msg("%zu events expected, %zu decoded", m->n, j);
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->want[i]);
	free(m->want);
	free(m->want_time);
	collect_close(&m->col);
}

static void run_random(struct model *m, unsigned long ops, uint64_t seed)
{
	rng_state = seed;
	memset(m, 0, sizeof *m);
	collect_open(&m->col);
	tel_start(sizeof ring, 1, FWM_SAMPLE_NONE);
	m->now = clk;
	for (unsigned long i = 0; i < ops; i++) {
		random_op(m);
		if (rnd(40) == 0) {
			drain_all();
			if (rnd(2))
				model_feed(m, true);
		}
	}
	drain_all();
}

static void test_roundtrip_random(void **state)
{
	struct model m;
	struct fwm_tel_counts c;

	(void)state;
	run_random(&m, stress(20000), 0x1234567);
	model_feed(&m, true);
	check_model(&m);
	assert_int_equal(m.col.st.bytes_noise, 0);
	assert_int_equal(m.col.st.bytes_pending, 0);
	assert_int_equal(m.col.st.frames_lost, 0);
	assert_int_equal(m.col.st.bytes_ok + m.col.st.bytes_idle, wire_len);
	fwm_tel_counts(&c);
	assert_int_equal(c.dropped_events, 0);
	assert_int_equal(c.frames, m.col.st.frames_ok);
	model_free(&m);
}

/* ---- noise ---------------------------------------------------------------------- */

static void test_noise(void **state)
{
	struct model m;
	uint8_t *noisy;
	size_t n = 0, nframes = 0, delivered_bytes = 0, idle = 0, pending;
	size_t *fo, *fl;
	bool *intact;
	struct collect col;

	(void)state;
	run_random(&m, stress(20000) / 2, 0xfeedbeef);
	model_feed(&m, false);
	check_model(&m);
	/* the clean stream's frames */
	fo = malloc(sizeof *fo * (m.col.st.frames_ok + 1));
	fl = malloc(sizeof *fl * (m.col.st.frames_ok + 1));
	intact = calloc(m.col.st.frames_ok + 1, sizeof *intact);
	while (frame_at(wire, wire_len, nframes, &fo[nframes], &fl[nframes]))
		nframes++;
	assert_int_equal(nframes, m.col.st.frames_ok);
	noisy = malloc(wire_len * 3 + 100);
	rng_state = 42;
	noisy[n++] = 0;   /* the leading 0x00 */
	for (size_t k = 0; k < nframes; k++) {
		/* Gaps show only between good frames, so the first and last stay
		 * intact; so do registrations, without which a heap's pointers
		 * stay offsets (test_unresolved) and the events would differ. */
		bool edge = k == 0 || k == nframes - 1 || m.col.ev[k].type == FWM_FT_HEAP ||
			    m.col.ev[k + 1].type == FWM_FT_HEAP;   /* its delimiter */

		if (!edge && rnd(5) == 0) {   /* garbage, sometimes ending in 0x00 */
			size_t g = 1 + rnd(40);

			for (size_t i = 0; i < g; i++)
				noisy[n++] = (uint8_t)(rnd(8) == 0 ? 0 : rnd(256));
		}
		memcpy(noisy + n, wire + fo[k], fl[k]);
		if (!edge && rnd(7) == 0)   /* a flipped byte, delimiter included */
			noisy[n + rnd((uint32_t)fl[k])] ^= (uint8_t)(1 + rnd(255));
		n += fl[k];
	}
	for (int i = 0; i < 5; i++)   /* an unfinished frame at the end */
		noisy[n++] = (uint8_t)(1 + rnd(255));
	/* What must come out: the chunks between delimiters that are intact
	 * frames (frames keep their order, so look a little way ahead only). */
	{
		size_t i = 0, next = 0;

		while (i < n) {
			size_t j = i;

			while (j < n && noisy[j] != 0)
				j++;
			if (j == n)
				break;
			if (j == i)
				idle++;
			for (size_t f = next; j > i && f < nframes && f < next + 64; f++)
				if (fl[f] == j - i + 1 && memcmp(wire + fo[f], noisy + i, fl[f]) == 0) {
					intact[f] = true;
					delivered_bytes += fl[f];
					next = f + 1;
					break;
				}
			i = j + 1;
		}
		pending = n - i;
	}
	collect_open(&col);
	collect_feed(&col, noisy, n, true);
	{
		size_t lost = 0, got = 0;

		for (size_t f = 0; f < nframes; f++)
			lost += !intact[f];
		for (size_t f = 0; f < nframes; f++)
			if (intact[f]) {
				/* delivered in order, each the clean stream's frame */
				assert_true(got < col.n);
				assert_string_equal(body(col.ev[got].line), body(m.col.ev[f].line));
				assert_int_equal(col.ev[got].index, f);
				got++;
			}
		assert_int_equal(got, col.n);
		assert_true(lost > 10);
		assert_int_equal(col.st.frames_ok, nframes - lost);
		assert_int_equal(col.st.frames_lost, lost);
		assert_int_equal(col.st.bytes_ok, delivered_bytes);
		assert_int_equal(col.st.bytes_idle, idle);
		assert_int_equal(col.st.bytes_pending, pending);
		assert_int_equal(col.st.bytes_noise, n - delivered_bytes - idle - pending);
		assert_int_equal(col.st.bytes_in, n);
		/* and the end of the stream turns the pending bytes into noise */
		assert_int_equal(fwm_proto_dec_finish(col.dec, NULL), 0);
		fwm_proto_dec_stats(col.dec, &col.st);
		assert_int_equal(col.st.bytes_pending, 0);
		assert_int_equal(col.st.truncated, 1);
		assert_int_equal(col.st.bytes_noise, n - delivered_bytes - idle);
	}
	collect_close(&col);
	free(noisy);
	free(fo);
	free(fl);
	free(intact);
	model_free(&m);
}

/* More than 256 frames lost in one gap: the SYNC frames tell. */
static void test_long_gap(void **state)
{
	struct collect col;
	size_t a_off = 0, a_len = 0, b_off = 0, b_len = 0;

	(void)state;
	tel_start(sizeof ring, 1, FWM_SAMPLE_NONE);
	ticking_records(1000);
	drain_all();
	/* cut frames 100 .. 699 (600 frames) out of the stream */
	assert_true(frame_at(wire, wire_len, 100, &a_off, &a_len));
	assert_true(frame_at(wire, wire_len, 700, &b_off, &b_len));
	collect_open(&col);
	collect_feed(&col, wire, a_off, false);
	collect_feed(&col, wire + b_off, wire_len - b_off, false);
	assert_int_equal(col.st.frames_lost, 600);
	assert_int_equal(col.st.bytes_noise, 0);
	/* after the gap, time is uncertain until the next SYNC; from there on
	 * the index is right again */
	{
		size_t i = 0;

		while (col.ev[i].index < 99)
			i++;
		assert_int_equal(col.ev[i].index, 99);
		for (i++; col.ev[i].type != FWM_FT_SYNC; i++)
			assert_true(col.ev[i].uncertain);
		assert_int_equal(col.ev[i].index, 768);
		for (; i < col.n; i++) {
			assert_false(col.ev[i].uncertain);
			assert_int_equal(col.ev[i].index, 768 + (i - (col.n - 1 - (1003 - 768))));
		}
	}
	assert_int_equal(col.ev[col.n - 1].index, 1000 + 3);   /* 3 SYNCs */
	collect_close(&col);
}

/* A lost registration: the heap's pointers stay offsets, flagged, until
 * the agent resends its registrations after the next repeated HELLO. */
static void test_unresolved(void **state)
{
	struct collect col;
	size_t h_off = 0, h_len = 0;
	const struct seen *last = NULL, *first = NULL;

	(void)state;
	tel_start(sizeof ring, 1, FWM_SAMPLE_NONE);
	g_heap();
	fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(0x1010), 64, 0, CODE(0));
	ticking_records(4100);
	fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(0x1010), 64, 0, CODE(0));
	drain_all();
	assert_true(frame_at(wire, wire_len, 1, &h_off, &h_len));
	collect_open(&col);
	collect_feed(&col, wire, h_off, false);
	collect_feed(&col, wire + h_off + h_len, wire_len - h_off - h_len, true);
	assert_int_equal(col.st.frames_lost, 1);
	for (size_t i = 0; i < col.n; i++)
		if (col.ev[i].type == FWM_FT_ALLOC) {
			if (first == NULL)
				first = &col.ev[i];
			last = &col.ev[i];
		}
	assert_non_null(strstr(first->line, "alloc heap=1 ptr=0x1010 size=64 caller=0x8000 thread=3 unresolved"));
	assert_non_null(strstr(last->line, "alloc heap=1 ptr=0x20002010 size=64 caller=0x8000 thread=3"));
	assert_null(strstr(last->line, "unresolved"));
	collect_close(&col);
}

/* ---- drops ---------------------------------------------------------------------- */

/* An ALLOC frame's bytes before COBS; ptr is the field's value. */
static size_t alloc_frame_bytes(uint64_t id, uint64_t ptr, uint64_t size, uint64_t caller_off,
				uint32_t thread, uint32_t dt)
{
	return 2 + fwm_proto_uv_len(dt) + fwm_proto_uv_len(id) + fwm_proto_uv_len(ptr) +
	       fwm_proto_uv_len(size) + fwm_proto_uv_len(caller_off) + fwm_proto_uv_len(thread) + 2;
}

static void test_ring_too_small(void **state)
{
	struct collect col;
	uint64_t want_bytes = 0, got_drop_events = 0, got_drop_bytes = 0;
	size_t nallocs = 0;
	const unsigned total = 200;

	(void)state;
	tel_start(256, 1, FWM_SAMPLE_NONE);
	g_heap();
	drain_all();
	for (unsigned i = 0; i < total; i++) {
		uint64_t off = 8u * i, size = 16u + i, caller = 0x100u * i;

		thread_no = i % 5;
		fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(off), size, 0, CODE(caller));
	}
	collect_open(&col);
	drain_all();
	collect_feed(&col, wire, wire_len, true);
	/* the kept ones are the first k, in order; the rest were dropped */
	for (size_t i = 0; i < col.n; i++) {
		const struct seen *s = &col.ev[i];

		if (s->type == FWM_FT_ALLOC) {
			assert_int_equal(s->alloc.ptr, 0x20001000u + 8u * nallocs);
			assert_int_equal(s->alloc.size, 16u + nallocs);
			nallocs++;
		} else if (s->type == FWM_FT_DROPS) {
			got_drop_events += s->drops.events;
			got_drop_bytes += s->drops.bytes;
		}
	}
	for (unsigned i = (unsigned)nallocs; i < total; i++)
		want_bytes += alloc_frame_bytes(1, ((8u * i) >> 3) << 1, 16u + i, 0x100u * i, i % 5, 0);
	assert_true(nallocs > 5 && nallocs < total);
	assert_int_equal(nallocs + got_drop_events, total);
	assert_int_equal(got_drop_bytes, want_bytes);
	assert_int_equal(col.st.dropped_events, total - nallocs);
	assert_int_equal(col.st.frames_lost, 0);
	assert_int_equal(col.st.bytes_noise, 0);
	{
		struct fwm_tel_counts c;

		fwm_tel_counts(&c);
		assert_int_equal(c.allocs, total);
		assert_int_equal(c.dropped_events, total - nallocs);
		assert_int_equal(c.dropped_bytes, want_bytes);
	}
	collect_close(&col);
}

/* Bursts larger than the ring, drained between them, the clock running. */
static void test_ring_bursts(void **state)
{
	struct collect col;
	uint64_t drop_events = 0;
	unsigned total = 0, kept = 0, next = 0, logs = 0, logs_kept = 0;
	struct fwm_tel_counts c;

	(void)state;
	rng_state = 99;
	tel_start(512, 1, FWM_SAMPLE_NONE);
	g_heap();
	collect_open(&col);
	for (int round = 0; round < 200; round++) {
		unsigned burst = rnd(80);

		for (unsigned i = 0; i < burst; i++, total++) {
			clk += rnd(3);
			fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(8u * total), total, 0, CODE(0));
		}
		if (rnd(3) == 0) {
			fwm_tel_log(FWM_LOG_DBG, "between bursts");
			logs++;
		}
		drain_all();
	}
	assert_int_equal(fwm_tel_summary(0), 0);
	drain_all();
	collect_feed(&col, wire, wire_len, true);
	for (size_t i = 0; i < col.n; i++) {
		const struct seen *s = &col.ev[i];

		if (s->type == FWM_FT_ALLOC) {
			/* a subsequence of what was produced, in order */
			assert_true(s->alloc.size >= next);
			next = (unsigned)s->alloc.size + 1;
			kept++;
		} else if (s->type == FWM_FT_LOG) {
			logs_kept++;
		} else if (s->type == FWM_FT_DROPS) {
			drop_events += s->drops.events;
		} else if (s->type == FWM_FT_SUMMARY) {
			assert_int_equal(s->summary.allocs, total);
			assert_int_equal(s->summary.dropped_events, drop_events);
		}
	}
	assert_true(drop_events > 0);
	/* every event is either delivered or counted, once */
	assert_int_equal(kept + logs_kept + drop_events, total + logs);
	assert_int_equal(col.st.frames_lost, 0);
	assert_int_equal(col.st.bytes_noise, 0);
	fwm_tel_counts(&c);
	assert_int_equal(c.dropped_events, drop_events);
	assert_int_equal(col.st.dropped_bytes, c.dropped_bytes);
	collect_close(&col);
}

/* A transport that takes nothing for a while: the ring fills, the rest is
 * counted, and once the transport takes bytes again all of it comes out. */
static void test_transport_backpressure(void **state)
{
	struct collect col;
	unsigned kept = 0;
	uint64_t dropped = 0;

	(void)state;
	tel_start(1024, 1, FWM_SAMPLE_NONE);
	g_heap();
	wire_room = 0;
	for (unsigned i = 0; i < 500; i++) {
		fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(8u * i), i, 0, CODE(0));
		if (i % 50 == 0)
			assert_int_equal(fwm_tel_drain(), 0);   /* EAGAIN: nothing moved */
	}
	assert_int_equal(wire_len, 0);
	wire_room = 300;          /* a little at a time */
	while (wire_room == 300) {
		long n = fwm_tel_drain();

		assert_true(n >= 0);
		if (n == 0)
			break;
		wire_room = 300;
	}
	wire_room = SIZE_MAX;
	drain_all();
	collect_open(&col);
	collect_feed(&col, wire, wire_len, true);
	for (size_t i = 0; i < col.n; i++) {
		if (col.ev[i].type == FWM_FT_ALLOC)
			kept++;
		if (col.ev[i].type == FWM_FT_DROPS)
			dropped += col.ev[i].drops.events;
	}
	assert_true(kept > 10 && dropped > 100);
	assert_int_equal(kept + dropped, 500);
	assert_int_equal(col.st.frames_lost, 0);
	assert_int_equal(col.st.bytes_noise, 0);
	collect_close(&col);
}

/* Producers on four threads, the drain on a fifth feeding the decoder. */
#define NPROD 4

static struct collect mt_col;
static volatile bool mt_done;

static int mt_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct fwm_err err;

	(void)ctx;
	return fwm_proto_dec_feed(mt_col.dec, buf, len, &err);
}

static void *mt_producer(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg;
	unsigned long n = stress(20000);

	my_thread = t + 1;
	for (unsigned long i = 0; i < n; i++)
		fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(8u * (i % 1000)), i, 0, CODE(t));
	return NULL;
}

static void *mt_drain(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&mt_done, __ATOMIC_ACQUIRE))
		assert_true(fwm_tel_drain() >= 0);
	drain_all();
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t prod[NPROD], drainer;
	uint64_t next[NPROD + 1] = { 0 }, kept = 0, dropped = 0;
	unsigned long n = stress(20000);
	struct fwm_tel_counts c;

	(void)state;
	collect_open(&mt_col);
	tel_start_with(4096, 1, FWM_SAMPLE_NONE, (struct fwm_tel_transport){ mt_write, NULL });
	g_heap();
	per_thread = true;
	mt_done = false;
	assert_int_equal(pthread_create(&drainer, NULL, mt_drain, NULL), 0);
	for (unsigned t = 0; t < NPROD; t++)
		assert_int_equal(pthread_create(&prod[t], NULL, mt_producer, (void *)(uintptr_t)t), 0);
	for (unsigned t = 0; t < NPROD; t++)
		pthread_join(prod[t], NULL);
	__atomic_store_n(&mt_done, true, __ATOMIC_RELEASE);
	pthread_join(drainer, NULL);
	per_thread = false;
	fwm_proto_dec_stats(mt_col.dec, &mt_col.st);
	for (size_t i = 0; i < mt_col.n; i++) {
		const struct seen *s = &mt_col.ev[i];

		if (s->type == FWM_FT_ALLOC) {
			/* each thread's events in its own order */
			assert_true(s->alloc.thread >= 1 && s->alloc.thread <= NPROD);
			assert_true(s->alloc.size >= next[s->alloc.thread]);
			assert_int_equal(s->alloc.caller, 0x8000 + s->alloc.thread - 1);
			next[s->alloc.thread] = s->alloc.size + 1;
			kept++;
		} else if (s->type == FWM_FT_DROPS) {
			dropped += s->drops.events;
		}
	}
	assert_int_equal(kept + dropped, NPROD * n);
	assert_int_equal(mt_col.st.frames_lost, 0);
	assert_int_equal(mt_col.st.bytes_noise, 0);
	fwm_tel_counts(&c);
	assert_int_equal(c.allocs, NPROD * n);
	assert_int_equal(c.dropped_events, dropped);
	collect_close(&mt_col);
}

/* ---- sampling ------------------------------------------------------------------ */

static void test_sampling_addr(void **state)
{
	struct collect col;
	unsigned want_kept = 0, allocs = 0, frees = 0, total = 4000;
	struct fwm_tel_counts c;

	(void)state;
	tel_start(sizeof ring, 4, FWM_SAMPLE_ADDR);
	g_heap();
	for (unsigned i = 0; i < total; i++) {
		void *p = AT(8u * i);

		fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, p, 32, 0, CODE(0));
		want_kept += fwm_tel_sampled(p);
		if (i % 256 == 0)
			drain_all();
	}
	for (unsigned i = 0; i < total; i++) {
		fwm_hook_free(FWM_KIND_K_HEAP, OBJ, AT(8u * i), CODE(0));
		if (i % 256 == 0)
			drain_all();
	}
	fwm_hook_fail(FWM_KIND_K_HEAP, OBJ, 1u << 20, 0, CODE(0));   /* never sampled out */
	drain_all();
	collect_open(&col);
	collect_feed(&col, wire, wire_len, false);
	for (size_t i = 0; i < col.n; i++) {
		const struct seen *s = &col.ev[i];

		if (s->type == FWM_FT_ALLOC || s->type == FWM_FT_FREE) {
			/* only sampled blocks, and both their alloc and free */
			assert_true(fwm_tel_sampled((void *)(uintptr_t)s->alloc.ptr));
			if (s->type == FWM_FT_ALLOC)
				allocs++;
			else
				frees++;
		}
	}
	assert_int_equal(allocs, want_kept);
	assert_int_equal(frees, want_kept);
	/* about 1 in 4 */
	assert_true(want_kept > total / 4 - total / 20 && want_kept < total / 4 + total / 20);
	fwm_tel_counts(&c);
	assert_int_equal(c.dropped_events, 0);
	assert_int_equal(c.sampled_out, 2 * (total - want_kept));
	assert_int_equal(c.allocs, total);
	assert_int_equal(c.fails, 1);
	/* HELLO tells the host */
	assert_non_null(strstr(col.ev[0].line, " sample=4/1 "));
	collect_close(&col);
}

/* A realloc moving a block into or out of the address sample is sent as
 * the alloc or the free the sample sees. */
static void test_sampling_realloc(void **state)
{
	struct collect col;
	void *keep[2] = { NULL, NULL }, *drop[2] = { NULL, NULL };
	unsigned nk = 0, nd = 0;
	struct fwm_tel_counts c;

	(void)state;
	tel_start(sizeof ring, 4, FWM_SAMPLE_ADDR);
	g_heap();
	for (unsigned i = 0; nk < 2 || nd < 2; i++) {
		void *p = AT(8u * i);

		if (fwm_tel_sampled(p) && nk < 2)
			keep[nk++] = p;
		else if (!fwm_tel_sampled(p) && nd < 2)
			drop[nd++] = p;
	}
	fwm_hook_realloc(FWM_KIND_K_HEAP, OBJ, keep[0], drop[0], 10, 0, CODE(0));   /* leaves */
	fwm_hook_realloc(FWM_KIND_K_HEAP, OBJ, drop[0], keep[0], 20, 0, CODE(0));   /* enters */
	fwm_hook_realloc(FWM_KIND_K_HEAP, OBJ, keep[0], keep[1], 30, 0, CODE(0));   /* stays */
	fwm_hook_realloc(FWM_KIND_K_HEAP, OBJ, drop[0], drop[1], 40, 0, CODE(0));   /* never in */
	drain_all();
	collect_open(&col);
	collect_feed(&col, wire, wire_len, false);
	assert_int_equal(col.n, 5);
	assert_int_equal(col.ev[2].type, FWM_FT_FREE);
	assert_int_equal(col.ev[2].alloc.ptr, (uintptr_t)keep[0]);
	assert_int_equal(col.ev[3].type, FWM_FT_ALLOC);
	assert_int_equal(col.ev[3].alloc.ptr, (uintptr_t)keep[0]);
	assert_int_equal(col.ev[3].alloc.size, 20);
	assert_int_equal(col.ev[4].type, FWM_FT_REALLOC);
	fwm_tel_counts(&c);
	assert_int_equal(c.reallocs, 4);
	assert_int_equal(c.sampled_out, 1);
	collect_close(&col);
}

static void test_sampling_count(void **state)
{
	struct collect col;
	unsigned n = 0;
	struct fwm_tel_counts c;

	(void)state;
	tel_start(sizeof ring, 3, FWM_SAMPLE_COUNT);
	g_heap();
	for (unsigned i = 0; i < 300; i++)
		fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(8u * i), i, 0, CODE(0));
	drain_all();
	collect_open(&col);
	collect_feed(&col, wire, wire_len, false);
	for (size_t i = 0; i < col.n; i++)
		if (col.ev[i].type == FWM_FT_ALLOC) {
			assert_int_equal(col.ev[i].alloc.size, 3 * n);   /* events 0, 3, 6, ... */
			n++;
		}
	assert_int_equal(n, 100);
	fwm_tel_counts(&c);
	assert_int_equal(c.sampled_out, 200);
	collect_close(&col);
}

/* ---- the real allocators through the hooks ------------------------------------ */

K_HEAP_DEFINE(t_kheap, 2048);
K_MEM_SLAB_DEFINE(t_slab, 32, 8, 8);
SYS_MEM_BLOCKS_DEFINE(t_blocks, 64, 16, 8);

static __attribute__((noinline)) void *call_site(void)
{
	void *p = k_heap_alloc(&t_kheap, 100, K_NO_WAIT);

	__asm__ volatile("" ::: "memory");
	return p;
}

static void test_real_allocators(void **state)
{
	static _Alignas(8) uint8_t mem[4096];
	struct sys_heap heap;
	struct collect col;
	void *a, *b, *k, *km, *s, *blk;
	char want[256];
	bool seen_kheap = false, seen_slab = false;

	(void)state;
	tel_start(sizeof ring, 1, FWM_SAMPLE_NONE);
	sys_heap_init(&heap, mem, sizeof mem);
	assert_int_equal(fwm_tel_heap_register(FWM_HK_SYS_HEAP, &heap, "main", mem, sizeof mem), 1);
	a = sys_heap_alloc(&heap, 40);
	b = sys_heap_aligned_alloc(&heap, 64, 10);
	b = sys_heap_realloc(&heap, b, 500);
	sys_heap_free(&heap, a);
	assert_null(sys_heap_alloc(&heap, 100000));
	k = call_site();                        /* auto-registered: k_heap */
	km = k_malloc(24);                      /* k_malloc's heap */
	assert_int_equal(k_mem_slab_alloc(&t_slab, &s, K_NO_WAIT), 0);
	assert_int_equal(sys_mem_blocks_alloc(&t_blocks, 1, &blk), 0);
	assert_int_equal(fwm_tel_sys_heap_stats(&heap, &heap), 0);
	drain_all();
	collect_open(&col);
	collect_feed(&col, wire, wire_len, true);
	assert_int_equal(col.st.bytes_noise, 0);
	/* pointers come back absolute, callers are in this program */
	snprintf(want, sizeof want, "alloc heap=1 ptr=%p size=40 ", a);
	assert_non_null(strstr(col.ev[2].line, want + 0));
	snprintf(want, sizeof want, "free heap=1 ptr=%p ", a);
	{
		bool found = false;

		for (size_t i = 0; i < col.n; i++)
			found |= strstr(col.ev[i].line, want) != NULL;
		assert_true(found);
	}
	for (size_t i = 0; i < col.n; i++) {
		const char *l = col.ev[i].line;

		if (strstr(l, " heap id=") && strstr(l, "kind=k_heap")) {
			char base[64];

			snprintf(base, sizeof base, "obj=%p base=%p size=", (void *)&t_kheap,
				 (void *)t_kheap.heap.fwm.base);
			assert_non_null(strstr(l, base));
			seen_kheap = true;
		}
		if (strstr(l, " pool id=") && strstr(l, "kind=mem_slab")) {
			snprintf(want, sizeof want, "base=%p block_size=32 blocks=8", (void *)t_slab.buffer);
			assert_non_null(strstr(l, want));
			seen_slab = true;
		}
		if (col.ev[i].type == FWM_FT_ALLOC && col.ev[i].alloc.ptr == (uintptr_t)k) {
			/* the caller is inside call_site */
			assert_true(col.ev[i].alloc.caller > (uintptr_t)call_site &&
				    col.ev[i].alloc.caller < (uintptr_t)call_site + 64);
		}
		if (col.ev[i].type == FWM_FT_ALLOC)
			assert_true(col.ev[i].alloc.caller != 0);
	}
	assert_true(seen_kheap && seen_slab);
	{
		struct fwm_tel_counts c;

		fwm_tel_counts(&c);
		assert_int_equal(c.allocs, 6);     /* a, b, k, km, s, blk */
		assert_int_equal(c.reallocs, 1);
		assert_int_equal(c.frees, 1);
		assert_int_equal(c.fails, 1);
	}
	k_heap_free(&t_kheap, k);
	k_free(km);
	k_mem_slab_free(&t_slab, s);
	sys_mem_blocks_free(&t_blocks, 1, &blk);
	collect_close(&col);
}

/* Fragmentation maps: runs add up to the heap, match the chunk walk, come
 * in parts when long, and are not resent unchanged. */
struct walk_runs {
	char text[65536];
	size_t len;
	bool used;
	uint64_t units;
};

static bool walk_run(const struct fwm_heap_chunk *c, void *arg)
{
	struct walk_runs *w = arg;

	if (w->units != 0 && c->used != w->used) {
		w->len += (size_t)snprintf(w->text + w->len, sizeof w->text - w->len, "%s%c%llu",
					   w->len ? "," : "", w->used ? 'U' : 'F',
					   (unsigned long long)w->units);
		w->units = 0;
	}
	w->used = c->used;
	w->units += c->bytes / 8;
	return true;
}

static void test_fragmap(void **state)
{
	static _Alignas(8) uint8_t mem[64 * 1024];
	static void *blocks[2000];
	static struct walk_runs w;
	static char joined[65536];
	struct sys_heap heap;
	struct collect col;
	size_t nb = 0, parts = 0, jl = 0;
	uint64_t next_start = 0, total = 0;

	(void)state;
	tel_start(sizeof ring, 1, FWM_SAMPLE_NONE);
	sys_heap_init(&heap, mem, sizeof mem);
	while (nb < 2000 && (blocks[nb] = fwm_heap_alloc(&heap, 8 + 8 * (nb % 5))) != NULL)
		nb++;
	for (size_t i = 0; i < nb; i += 2)   /* every other block: many runs */
		fwm_heap_free(&heap, blocks[i]);
	assert_true(fwm_tel_heap_register(FWM_HK_SYS_HEAP, &heap, "frag", mem, sizeof mem) > 0);
	assert_int_equal(fwm_tel_fragmap(&heap, &heap, false), 0);
	assert_int_equal(fwm_tel_fragmap(&heap, &heap, false), 1);   /* unchanged */
	fwm_heap_free(&heap, blocks[1]);
	assert_int_equal(fwm_tel_fragmap(&heap, &heap, false), 0);   /* changed */
	drain_all();
	memset(&w, 0, sizeof w);
	fwm_heap_walk(&heap, walk_run, &w);
	walk_run(&(struct fwm_heap_chunk){ .used = !w.used, .bytes = 0 }, &w);
	collect_open(&col);
	collect_feed(&col, wire, wire_len, true);
	/* the second map, reassembled from its parts */
	for (size_t i = 0; i < col.n; i++) {
		const char *l = col.ev[i].line, *r;
		unsigned long long start, tot;

		if (col.ev[i].type != FWM_FT_FRAGMAP)
			continue;
		if (strstr(l, " first") != NULL) {
			parts = 0;
			jl = 0;
			next_start = 0;
		}
		assert_non_null(r = strstr(l, " total="));
		assert_int_equal(sscanf(r, " total=%llu start=%llu", &tot, &start), 2);
		total = tot;
		assert_int_equal(start, next_start);
		r = strstr(l, "runs=") + 5;
		jl += (size_t)snprintf(joined + jl, sizeof joined - jl, "%s%s", jl ? "," : "", r);
		for (const char *q = r; *q; q++)   /* units of this part */
			if (*q == 'U' || *q == 'F')
				next_start += strtoull(q + 1, NULL, 10);
		parts++;
	}
	assert_true(parts > 3);
	assert_int_equal(next_start, total);
	assert_int_equal(total, heap.fwm.end);
	/* adjacent parts may split a run in two: join them before comparing */
	{
		char merged[65536];
		size_t ml = 0;
		char last = 0;
		unsigned long long acc = 0;

		for (const char *q = joined; *q;) {
			char kind = *q;
			unsigned long long v = strtoull(q + 1, (char **)&q, 10);

			if (*q == ',')
				q++;
			if (kind == last) {
				acc += v;
				continue;
			}
			if (last)
				ml += (size_t)snprintf(merged + ml, sizeof merged - ml, "%s%c%llu",
						       ml ? "," : "", last, acc);
			last = kind;
			acc = v;
		}
		ml += (size_t)snprintf(merged + ml, sizeof merged - ml, "%s%c%llu", ml ? "," : "", last,
				       acc);
		assert_string_equal(merged, w.text);
	}
	collect_close(&col);
}

static void test_blocks_parts(void **state)
{
	static uint32_t bitmap[4000 / 32 + 1];
	struct collect col;
	uint64_t next = 0;
	uint8_t all[500] = { 0 };

	(void)state;
	rng_state = 7;
	for (size_t i = 0; i < sizeof bitmap / sizeof *bitmap; i++)
		bitmap[i] = (uint32_t)rnd64();
	tel_start(sizeof ring, 1, FWM_SAMPLE_NONE);
	g_pool();
	assert_int_equal(fwm_tel_blocks((void *)0x20000200, bitmap, 4000), 0);
	drain_all();
	collect_open(&col);
	collect_feed(&col, wire, wire_len, false);
	for (size_t i = 0; i < col.n; i++) {
		unsigned long long start, nbits;
		const char *b;

		if (col.ev[i].type != FWM_FT_BLOCKS)
			continue;
		assert_int_equal(sscanf(strstr(col.ev[i].line, " start="), " start=%llu nbits=%llu",
					&start, &nbits), 2);
		assert_int_equal(start, next);
		assert_int_equal(start % 8, 0);
		b = strstr(col.ev[i].line, " bits=") + 6;
		for (unsigned k = 0; k < (nbits + 7) / 8; k++) {
			unsigned v;

			sscanf(b + 2 * k, "%2x", &v);
			all[start / 8 + k] = (uint8_t)v;
		}
		next += nbits;
	}
	assert_int_equal(next, 4000);
	assert_memory_equal(all, bitmap, 500);
	collect_close(&col);
}

/* Registering again: a rename keeps the id, a move gets a new one; ids
 * and bases survive in the decoder. */
static void test_reregister(void **state)
{
	struct collect col;

	(void)state;
	tel_start(1024, 1, FWM_SAMPLE_NONE);
	assert_int_equal(fwm_tel_heap_register(FWM_HK_SYS_HEAP, OBJ, "a", BASE, 4096), 1);
	assert_int_equal(fwm_tel_heap_register(FWM_HK_SYS_HEAP, OBJ, "b", BASE, 4096), 1);
	fwm_hook_alloc(FWM_KIND_SYS_HEAP, OBJ, AT(16), 8, 0, CODE(0));
	assert_int_equal(fwm_tel_heap_register(FWM_HK_SYS_HEAP, OBJ, "c", AT(0x10000), 4096), 2);
	fwm_hook_alloc(FWM_KIND_SYS_HEAP, OBJ, AT(0x10010), 8, 0, CODE(0));
	assert_int_equal(fwm_tel_heap_register_ex(FWM_HK_MULTI_HEAP_REGION, 1, OBJ, (void *)0x5000,
						  "region", AT(0x20000), 512), 3);
	assert_int_equal(fwm_tel_heap_register(FWM_HK_SYS_HEAP, NULL, "x", BASE, 1), -FWM_EINVAL);
	assert_int_equal(fwm_tel_heap_stats((void *)0x1234, NULL), -FWM_EINVAL);
	drain_all();
	collect_open(&col);
	collect_feed(&col, wire, wire_len, false);
	assert_int_equal(col.n, 7);
	assert_non_null(strstr(col.ev[2].line, "id=1 ") && strstr(col.ev[2].line, "name=\"b\""));
	assert_non_null(strstr(col.ev[3].line, "alloc heap=1 ptr=0x20001010 "));
	assert_non_null(strstr(col.ev[4].line, "heap id=2 "));
	assert_non_null(strstr(col.ev[5].line, "alloc heap=2 ptr=0x20011010 "));
	assert_non_null(strstr(col.ev[6].line, "heap id=3 kind=multi_heap_region variant=1 parent=2 "));
	collect_close(&col);
}

/* ---- the RAM ring transport, read the way a debugger would --------------------- */

static void test_ram_ring(void **state)
{
	static uint8_t buf[300];
	struct fwm_tel_transport tr;
	struct collect col;
	size_t got = 0;
	unsigned allocs = 0;

	(void)state;
	fwm_transport_ram(&tr, buf, sizeof buf);
	assert_int_equal(_fwm_ring.magic, FWM_RING_MAGIC);
	assert_int_equal(_fwm_ring.version, FWM_RING_VERSION);
	assert_int_equal(_fwm_ring.size, sizeof buf);
	assert_true(_fwm_ring.buf == buf);
	assert_int_equal(offsetof(struct fwm_ring_cb, wr), 12);
	assert_int_equal(offsetof(struct fwm_ring_cb, rd), 16);
	tel_start_with(2048, 1, FWM_SAMPLE_NONE, tr);
	g_heap();
	collect_open(&col);
	for (unsigned i = 0; i < 400; i++) {
		fwm_hook_alloc(FWM_KIND_K_HEAP, OBJ, AT(8u * i), i, 0, CODE(0));
		assert_true(fwm_tel_drain() >= 0);
		if (i % 7 == 0) {   /* the debugger polls now and then */
			uint32_t rd = _fwm_ring.rd, wr = _fwm_ring.wr;

			while (rd != wr) {
				collect_feed(&col, buf + rd, 1, false);
				rd = (rd + 1) % _fwm_ring.size;
				got++;
			}
			_fwm_ring.rd = rd;
		}
	}
	for (int k = 0; k < 100; k++) {
		uint32_t rd = _fwm_ring.rd, wr = _fwm_ring.wr;

		assert_true(fwm_tel_drain() >= 0);
		while (rd != wr) {
			collect_feed(&col, buf + rd, 1, false);
			rd = (rd + 1) % _fwm_ring.size;
		}
		_fwm_ring.rd = rd;
	}
	for (size_t i = 0; i < col.n; i++)
		allocs += col.ev[i].type == FWM_FT_ALLOC;
	assert_int_equal(allocs + col.st.dropped_events, 400);
	assert_int_equal(col.st.frames_lost, 0);
	assert_int_equal(col.st.bytes_noise, 0);
	assert_int_equal(col.st.bytes_pending, 0);
	collect_close(&col);
}

/* ---- hostile input ------------------------------------------------------------ */

static int count_only(const struct fwm_proto_event *ev, void *arg)
{
	char line[64];

	fwm_proto_format(ev, line, sizeof line);   /* truncated on purpose */
	(*(unsigned long *)arg)++;
	return 0;
}

static void test_hostile(void **state)
{
	struct fwm_proto_dec *d;
	struct fwm_proto_stats st;
	unsigned long events = 0, n = stress(20000) * 20;
	uint8_t *junk = malloc(n);

	(void)state;
	rng_state = 0xabad1dea;
	assert_int_equal(fwm_proto_dec_new(count_only, &events, &d, NULL), 0);
	for (unsigned long i = 0; i < n; i++)   /* zeros often enough to end chunks */
		junk[i] = (uint8_t)(rnd(16) == 0 ? 0 : rnd(256));
	for (unsigned long i = 0; i < n;) {
		size_t k = 1 + rnd(500);

		if (k > n - i)
			k = n - i;
		assert_int_equal(fwm_proto_dec_feed(d, junk + i, k, NULL), 0);
		i += k;
	}
	fwm_proto_dec_stats(d, &st);
	assert_true(st.bytes_in == n);
	assert_true(st.bytes_in == st.bytes_ok + st.bytes_noise + st.bytes_idle + st.bytes_pending);
	/* well-framed garbage: right version, good CRC, random payloads */
	for (unsigned long i = 0; i < stress(20000) * 5; i++) {
		uint8_t f[FWM_PROTO_FRAME_MAX], w[FWM_PROTO_WIRE_MAX + 1];
		size_t len = FWM_PROTO_FRAME_MIN + rnd(FWM_PROTO_FRAME_MAX - FWM_PROTO_FRAME_MIN + 1);
		uint16_t crc;
		size_t m;

		for (size_t k = 0; k < len - 2; k++)
			f[k] = (uint8_t)(rnd(4) == 0 ? 0xff : rnd(256));
		f[0] = FWM_PROTO_TV(rnd(3) == 0 ? rnd(64) : 1 + rnd(25));
		crc = fwm_proto_crc16(FWM_PROTO_CRC_INIT, f, len - 2);
		f[len - 2] = (uint8_t)(crc >> 8);
		f[len - 1] = (uint8_t)crc;
		m = fwm_proto_cobs_encode(w, f, len);
		w[m++] = 0;
		assert_int_equal(fwm_proto_dec_feed(d, w, m, NULL), 0);
	}
	fwm_proto_dec_stats(d, &st);
	assert_true(st.bytes_in == st.bytes_ok + st.bytes_noise + st.bytes_idle + st.bytes_pending);
	assert_true(st.malformed > 0 && st.frames_ok > 0);
	assert_int_equal(events, st.frames_ok);
	/* errors */
	assert_int_equal(fwm_proto_dec_feed(NULL, junk, 1, NULL), -EINVAL);
	assert_int_equal(fwm_proto_dec_feed(d, NULL, 1, NULL), -EINVAL);
	assert_int_equal(fwm_proto_dec_new(NULL, NULL, &d, NULL), -EINVAL);
	fwm_proto_dec_free(d);
	free(junk);
}

/* A callback's error stops the feed and comes back with a message. */
static int stop_at_alloc(const struct fwm_proto_event *ev, void *arg)
{
	(void)arg;
	return ev->type == FWM_FT_ALLOC ? -ECANCELED : 0;
}

static void test_callback_stops(void **state)
{
	struct fwm_proto_dec *d;
	struct fwm_err err = { "" };
	uint8_t bytes[256];
	size_t n = unhex(BOOT_HEX HEAP_HEX "0e49020501840840b4c506031e7f00", bytes, sizeof bytes);

	(void)state;
	assert_int_equal(fwm_proto_dec_new(stop_at_alloc, NULL, &d, &err), 0);
	assert_int_equal(fwm_proto_dec_feed(d, bytes, n, &err), -ECANCELED);
	assert_non_null(strstr(err.msg, "stream offset"));
	fwm_proto_dec_free(d);
}

static void test_api_errors(void **state)
{
	struct fwm_tel_config cfg = { 0 };
	uint8_t note[36] = { 4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0 };
	const uint8_t *id;
	size_t len;

	(void)state;
	assert_int_equal(fwm_tel_init(NULL), -FWM_EINVAL);
	assert_int_equal(fwm_tel_init(&cfg), -FWM_EINVAL);
	cfg.ring = ring;
	cfg.ring_bytes = 10;
	cfg.transport.write = mem_write;
	assert_int_equal(fwm_tel_init(&cfg), -FWM_EINVAL);
	memcpy(note + 16, build_id, 20);
	assert_int_equal(fwm_tel_build_id(note, &id, &len), 0);
	assert_int_equal(len, 20);
	assert_memory_equal(id, build_id, 20);
	note[8] = 1;
	assert_int_equal(fwm_tel_build_id(note, &id, &len), -FWM_EINVAL);
	assert_int_equal(fwm_transport_semihost(&cfg.transport, "x"), -FWM_EINVAL);   /* hosted */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_golden_encode),
		cmocka_unit_test(test_golden_decode),
		cmocka_unit_test(test_alloc_size),
		cmocka_unit_test(test_fast_slow_same),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_long_gap),
		cmocka_unit_test(test_unresolved),
		cmocka_unit_test(test_ring_too_small),
		cmocka_unit_test(test_ring_bursts),
		cmocka_unit_test(test_transport_backpressure),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_sampling_addr),
		cmocka_unit_test(test_sampling_realloc),
		cmocka_unit_test(test_sampling_count),
		cmocka_unit_test(test_real_allocators),
		cmocka_unit_test(test_fragmap),
		cmocka_unit_test(test_blocks_parts),
		cmocka_unit_test(test_reregister),
		cmocka_unit_test(test_ram_ring),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_api_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(wire);
	return rc;
}
