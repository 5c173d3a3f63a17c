/* test_mem.c - CUnit tests for the accounted allocator (src/mem.c): classes, pools, arenas. */
#include "mem.h"
#include "strbuf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

/* Bytes accounted for one block of n bytes. */
static size_t cost_of(size_t n)
{
	mem_release_pools();
	size_t before = mem_in_use();
	void *p = mem_alloc(n);
	size_t cost = mem_in_use() - before;
	mem_free(p);
	mem_release_pools();
	return cost;
}

/* Sanitizer and -DTLSDIAG_MEM_EXACT builds allocate exact sizes: no classes. */
static bool exact_build(void)
{
	return cost_of(2800) == 2800 + 16;
}

static void test_classes_quarter_steps(void)
{
	if (exact_build())
		return;
	/* a 2.8 KB block takes the 3 KiB class, a 3.5 KB one 3.5 KiB, not 4 KiB */
	CU_ASSERT_EQUAL(cost_of(2800), 3072);
	CU_ASSERT_EQUAL(cost_of(3072 - 16), 3072);
	CU_ASSERT_EQUAL(cost_of(3072 - 15), 3584);
	CU_ASSERT_EQUAL(cost_of(3584 - 15), 4096);
	CU_ASSERT_EQUAL(cost_of(200), 224);
	CU_ASSERT_EQUAL(cost_of(209), 256);
	CU_ASSERT_EQUAL(cost_of(113), 128 + 32);
	CU_ASSERT_EQUAL(cost_of(112), 128);
	CU_ASSERT_EQUAL(cost_of(32768 - 16), 32768);
	/* outside the classes: the size asked plus the header */
	CU_ASSERT_EQUAL(cost_of(100), 116);
	CU_ASSERT_EQUAL(cost_of(40000), 40016);
}

static void test_pools_counted_and_released(void)
{
	if (exact_build())
		return;
	mem_release_pools();
	size_t foot = mem_footprint();
	void *p[8];
	for (int i = 0; i < 8; i++)
		p[i] = mem_alloc(1000);
	CU_ASSERT_EQUAL(mem_footprint(), foot + 8 * 1024);
	for (int i = 0; i < 8; i++)
		mem_free(p[i]);
	/* freed blocks stay in the pool and still count in the footprint */
	CU_ASSERT_EQUAL(mem_pooled(), 8 * 1024);
	CU_ASSERT_EQUAL(mem_footprint(), foot + 8 * 1024);
	/* a block of the class comes back from the pool, zeroed */
	unsigned char *q = mem_alloc(1000);
	CU_ASSERT_EQUAL(mem_pooled(), 7 * 1024);
	unsigned char zero[1000] = { 0 };
	CU_ASSERT(memcmp(q, zero, sizeof zero) == 0);
	mem_free(q);
	mem_release_pools();
	CU_ASSERT_EQUAL(mem_pooled(), 0);
	CU_ASSERT_EQUAL(mem_footprint(), foot);
}

static void test_arena_first_chunk_small(void)
{
	if (exact_build())
		return;
	mem_release_pools();
	size_t before = mem_in_use();
	struct arena a = { 0 };
	/* what most handshakes need fits in the first, 1.5 KiB chunk */
	for (int i = 0; i < 10; i++) {
		unsigned char *b = arena_alloc(&a, 100);
		b[99] = 1;
	}
	CU_ASSERT_EQUAL(mem_in_use() - before, 1536);
	/* more takes 4 KiB chunks */
	arena_alloc(&a, 800);
	CU_ASSERT_EQUAL(mem_in_use() - before, 1536 + 4096);
	/* a large block gets a chunk of its own */
	arena_alloc(&a, 5000);
	CU_ASSERT(mem_in_use() - before >= 1536 + 4096 + 5000);
	arena_free(&a);
	CU_ASSERT_EQUAL(mem_in_use(), before);
	mem_release_pools();
}

/* sb_printf formats into the buffer: long, repeated and plain pieces come
 * out whole, and text past STRBUF_MAX is cut with "..." exactly as sb_put cuts. */
static void test_strbuf_printf_in_place(void)
{
	struct strbuf b;
	sb_init(&b);
	sb_printf(&b, "plain, no conversions; ");
	sb_printf(&b, "frame %d of %s", 7, "x.pcap");
	CU_ASSERT_STRING_EQUAL(b.p, "plain, no conversions; frame 7 of x.pcap");
	char big[1500];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	sb_printf(&b, "[%s]", big);   /* more than the first reservation */
	CU_ASSERT_EQUAL(b.len, 40 + 1501);
	CU_ASSERT_EQUAL(b.p[b.len - 1], ']');
	CU_ASSERT_EQUAL(strlen(b.p), b.len);
	sb_free(&b);
	/* to the maximum, then past it */
	for (int i = 0; i < 10; i++)
		sb_printf(&b, "%s", big);
	CU_ASSERT_EQUAL(b.len, 10 * 1499);
	sb_printf(&b, "%s|%s", big, big);
	CU_ASSERT(b.cut);
	CU_ASSERT_EQUAL(b.len, STRBUF_MAX - 1);
	CU_ASSERT_EQUAL(strlen(b.p), b.len);
	CU_ASSERT_STRING_EQUAL(b.p + b.len - 4, "a...");
	sb_printf(&b, "%d", 1);   /* nothing after a cut */
	CU_ASSERT_EQUAL(b.len, STRBUF_MAX - 1);
	sb_free(&b);
	mem_release_pools();
}

/* The conversions sb_printf formats by hand (%s, %.*s, %d, %u, %ld, %lu,
 * %%) come out as snprintf writes them, and the others are snprintf's. */
#define SAME_AS_SNPRINTF(...)                                           \
	do {                                                             \
		struct strbuf b_;                                        \
		char want_[2048];                                        \
		sb_init(&b_);                                            \
		sb_printf(&b_, __VA_ARGS__);                             \
		snprintf(want_, sizeof want_, __VA_ARGS__);              \
		CU_ASSERT_STRING_EQUAL(b_.p ? b_.p : "", want_);         \
		sb_free(&b_);                                            \
	} while (0)

static void test_strbuf_conversions(void)
{
	const char *volatile none_ = NULL;   /* (unseen by the format checker) */
	const char *none = none_;
	char long_arg[1200];
	memset(long_arg, 'l', sizeof long_arg - 1);
	long_arg[sizeof long_arg - 1] = '\0';
	SAME_AS_SNPRINTF("a%sb%sc", "xyz", "");
	SAME_AS_SNPRINTF("%d %d %d %d", 0, -1, (int)INT32_MAX, (int)INT32_MIN);
	SAME_AS_SNPRINTF("%u %u", 0u, (unsigned)UINT32_MAX);
	SAME_AS_SNPRINTF("frame %" PRIu64 ", %" PRId64 " s, %" PRId64, UINT64_MAX, INT64_MIN, (int64_t)-86400);
	SAME_AS_SNPRINTF("%" PRIu32 " records", (uint32_t)4000000000u);
	SAME_AS_SNPRINTF("[%.*s] [%.*s] [%.*s] [%.*s]", 3, "abcdef", 10, "ab", -1, "abc", 0, "abc");
	SAME_AS_SNPRINTF("100%% %s", "sure");
	SAME_AS_SNPRINTF("%s|%.*s|%.*s", none, 8, none, 3, none);
	SAME_AS_SNPRINTF("%02x %5d %c %zu %.3f %llu", 5, 3, 'x', (size_t)7, 1.5, 8ull);
	SAME_AS_SNPRINTF("<%s> %d", long_arg, 1);   /* longer than the hand-made buffer */
	mem_release_pools();
}

void register_mem_tests(void)
{
	CU_pSuite suite = CU_add_suite("mem", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "classes: powers of two and quarter steps, 128 B to 32 KiB", test_classes_quarter_steps);
	CU_add_test(suite, "pools: freed blocks count in the footprint until released",
		test_pools_counted_and_released);
	CU_add_test(suite, "arena: a 1.5 KiB first chunk, then 4 KiB", test_arena_first_chunk_small);
	CU_add_test(suite, "strbuf: sb_printf in place, cut at STRBUF_MAX like sb_put", test_strbuf_printf_in_place);
	CU_add_test(suite, "strbuf: the conversions formatted by hand are snprintf's", test_strbuf_conversions);
}
