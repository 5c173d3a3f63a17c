/* test_ipfrag.c - CUnit tests for IPv4/IPv6 fragment reassembly (src/ipfrag.c): order, overlap, limits. */
#include "ipfrag.h"

#include <string.h>

#include "limits.h"
#include "mem.h"
#include "unit.h"

/* The datagram every test splits: 40 bytes, recognisable at every offset. */
static uint8_t dgram[40];

static void fill_dgram(void)
{
	for (size_t i = 0; i < sizeof dgram; i++)
		dgram[i] = (uint8_t)(0x30 + i);
}

/* A fragment of dgram (or of data) as decode_packet would describe it. */
static struct decoded frag_of(uint8_t af, uint32_t id, const uint8_t *data, uint32_t off, uint32_t len, bool more)
{
	struct decoded d;
	memset(&d, 0, sizeof d);
	d.af = af;
	d.src[0] = af == 4 ? 10 : 0xfe;
	d.dst[0] = af == 4 ? 10 : 0xfe;
	d.dst[3] = 2;
	d.frag.id = id;
	d.frag.offset = off;
	d.frag.more = more;
	d.frag.proto = 6;
	d.frag.data = data + off;
	d.frag.caplen = len;
	d.frag.len = len;
	return d;
}

static int add(struct ipfrag_table *t, const struct decoded *d, int64_t now, const uint8_t **out, uint32_t *outlen,
	       const char **why)
{
	*out = NULL;
	*outlen = 0;
	*why = NULL;
	return ipfrag_add(t, d, now, out, outlen, why);
}

static void test_in_order_fragments_reassemble(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	struct decoded a = frag_of(4, 7, dgram, 0, 16, true);
	struct decoded b = frag_of(4, 7, dgram, 16, 16, true);
	struct decoded c = frag_of(4, 7, dgram, 32, 8, false);

	CU_ASSERT_EQUAL(add(t, &a, 100, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &b, 100, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &c, 100, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(outlen, 40);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(memcmp(out, dgram, 40), 0);
	CU_ASSERT_EQUAL(ipfrag_expired(t), 0);
	/* the slot is free again: the same id starts a new datagram */
	CU_ASSERT_EQUAL(add(t, &a, 100, &out, &outlen, &why), FRAG_PENDING);
	ipfrag_free(t);
}

static void test_reversed_fragments_reassemble(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	struct decoded a = frag_of(6, 0x10000007u, dgram, 0, 8, true);
	struct decoded b = frag_of(6, 0x10000007u, dgram, 8, 24, true);
	struct decoded c = frag_of(6, 0x10000007u, dgram, 32, 8, false);

	CU_ASSERT_EQUAL(add(t, &c, 5, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &b, 5, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &a, 5, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(outlen, 40);
	CU_ASSERT_EQUAL(memcmp(out, dgram, 40), 0);
	ipfrag_free(t);
}

/* Overlapping fragments: the bytes that arrived first are kept. */
static void test_overlapping_fragments_first_copy_wins(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	uint8_t other[40];
	memset(other, 0xee, sizeof other);
	struct decoded a = frag_of(4, 9, dgram, 0, 24, true);     /* 0..24 */
	struct decoded b = frag_of(4, 9, other, 16, 16, true);    /* 16..32, different bytes */
	struct decoded c = frag_of(4, 9, dgram, 24, 16, false);   /* 24..40 */

	CU_ASSERT_EQUAL(add(t, &a, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &b, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &c, 1, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(outlen, 40);
	/* 0..24 from a, 24..32 from b (first there), 32..40 from c */
	CU_ASSERT_EQUAL(memcmp(out, dgram, 24), 0);
	CU_ASSERT_EQUAL(memcmp(out + 24, other + 24, 8), 0);
	CU_ASSERT_EQUAL(memcmp(out + 32, dgram + 32, 8), 0);

	/* an exact duplicate changes nothing */
	struct decoded d1 = frag_of(4, 10, dgram, 0, 24, true);
	struct decoded d2 = frag_of(4, 10, dgram, 24, 16, false);
	CU_ASSERT_EQUAL(add(t, &d1, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &d1, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &d2, 1, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(memcmp(out, dgram, 40), 0);
	ipfrag_free(t);
}

static void test_duplicate_last_fragments_with_different_totals(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	struct decoded a = frag_of(4, 11, dgram, 0, 16, true);
	struct decoded last40 = frag_of(4, 11, dgram, 32, 8, false);
	struct decoded last36 = frag_of(4, 11, dgram, 32, 4, false);

	CU_ASSERT_EQUAL(add(t, &last40, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &last40, 1, &out, &outlen, &why), FRAG_PENDING);   /* same total: fine */
	CU_ASSERT_EQUAL(add(t, &last36, 1, &out, &outlen, &why), FRAG_DROPPED);
	CU_ASSERT_STRING_EQUAL(why, "two different last fragments");
	/* the datagram was given up: completing it now is impossible */
	struct decoded b = frag_of(4, 11, dgram, 16, 16, true);
	CU_ASSERT_EQUAL(add(t, &a, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &b, 1, &out, &outlen, &why), FRAG_PENDING);
	ipfrag_free(t);
}

/* A datagram older than LIM_FRAG_TIMEOUT_SEC is given up; at exactly the
 * timeout it is still alive. */
static void test_timeout_expires_datagram(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	struct decoded a = frag_of(4, 12, dgram, 0, 16, true);
	struct decoded b = frag_of(4, 12, dgram, 16, 24, false);

	CU_ASSERT_EQUAL(add(t, &a, 1000, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &b, 1000 + LIM_FRAG_TIMEOUT_SEC, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(ipfrag_expired(t), 0);

	CU_ASSERT_EQUAL(add(t, &a, 2000, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &b, 2000 + LIM_FRAG_TIMEOUT_SEC + 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(ipfrag_expired(t), 1);
	ipfrag_free(t);
}

/* With LIM_FRAG_DATAGRAMS under reassembly, a new one evicts the oldest. */
static void test_table_full_evicts_oldest(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;

	/* first seen over 20 seconds: none times out */
	for (uint32_t id = 0; id < LIM_FRAG_DATAGRAMS; id++) {
		struct decoded a = frag_of(4, 100 + id, dgram, 0, 16, true);
		CU_ASSERT_EQUAL(add(t, &a, 1000 + id * 20 / LIM_FRAG_DATAGRAMS, &out, &outlen, &why), FRAG_PENDING);
	}
	CU_ASSERT_EQUAL(ipfrag_expired(t), 0);
	struct decoded extra = frag_of(4, 999, dgram, 0, 16, true);
	CU_ASSERT_EQUAL(add(t, &extra, 1020, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(ipfrag_expired(t), 1);

	/* the oldest (id 100) lost its first fragment; the next oldest did not */
	struct decoded rest0 = frag_of(4, 100, dgram, 16, 24, false);
	struct decoded rest1 = frag_of(4, 101, dgram, 16, 24, false);
	CU_ASSERT_EQUAL(add(t, &rest1, 1020, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(memcmp(out, dgram, 40), 0);
	CU_ASSERT_EQUAL(add(t, &rest0, 1020, &out, &outlen, &why), FRAG_PENDING);
	ipfrag_free(t);
}

static void test_fragment_cut_by_snaplen_dropped(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	struct decoded a = frag_of(4, 13, dgram, 0, 16, true);
	a.frag.caplen = 10;
	CU_ASSERT_EQUAL(add(t, &a, 1, &out, &outlen, &why), FRAG_DROPPED);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_PTR_NOT_NULL(why ? strstr(why, "snaplen") : NULL);
	/* it left nothing behind: the whole datagram still needs all fragments */
	struct decoded b = frag_of(4, 13, dgram, 16, 24, false);
	CU_ASSERT_EQUAL(add(t, &b, 1, &out, &outlen, &why), FRAG_PENDING);
	a.frag.caplen = 16;
	CU_ASSERT_EQUAL(add(t, &a, 1, &out, &outlen, &why), FRAG_DONE);
	ipfrag_free(t);
}

static void test_unusable_fragments_dropped(void)
{
	static uint8_t big[65536];
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	struct decoded odd = frag_of(4, 14, dgram, 0, 12, true);      /* not a multiple of 8 */
	struct decoded empty = frag_of(4, 14, dgram, 0, 0, true);
	struct decoded beyond = frag_of(4, 14, big, 65528, 8, false); /* ends at 65536 */

	CU_ASSERT_EQUAL(add(t, &odd, 1, &out, &outlen, &why), FRAG_DROPPED);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(add(t, &empty, 1, &out, &outlen, &why), FRAG_DROPPED);
	CU_ASSERT_EQUAL(add(t, &beyond, 1, &out, &outlen, &why), FRAG_DROPPED);
	CU_ASSERT_PTR_NOT_NULL(why);
	/* the largest datagram, 65535 bytes, is fine */
	struct decoded first = frag_of(4, 15, big, 0, 65528, true);
	struct decoded last = frag_of(4, 15, big, 65528, 7, false);
	CU_ASSERT_EQUAL(add(t, &first, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &last, 1, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(outlen, 65535);
	ipfrag_free(t);
}

/* Datagrams are told apart by address family, addresses, id and protocol. */
static void test_datagrams_kept_apart(void)
{
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	uint8_t other[40];
	memset(other, 0x11, sizeof other);
	struct decoded a = frag_of(4, 20, dgram, 0, 16, true);
	struct decoded a_src = frag_of(4, 20, other, 16, 24, false);
	a_src.src[1] = 1;
	struct decoded a_proto = frag_of(4, 20, other, 16, 24, false);
	a_proto.frag.proto = 17;
	struct decoded a6 = frag_of(6, 20, other, 16, 24, false);
	struct decoded a_end = frag_of(4, 20, dgram, 16, 24, false);

	CU_ASSERT_EQUAL(add(t, &a, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &a_src, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &a_proto, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &a6, 1, &out, &outlen, &why), FRAG_PENDING);
	CU_ASSERT_EQUAL(add(t, &a_end, 1, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_EQUAL(memcmp(out, dgram, 40), 0);
	ipfrag_free(t);
}

static void test_free_releases_everything(void)
{
	size_t before = mem_in_use();
	struct ipfrag_table *t = ipfrag_new();
	const uint8_t *out;
	uint32_t outlen;
	const char *why;
	for (uint32_t id = 0; id < 8; id++) {
		struct decoded a = frag_of(4, id, dgram, 0, 16, true);
		add(t, &a, 1, &out, &outlen, &why);
	}
	struct decoded a = frag_of(4, 50, dgram, 0, 16, true);
	struct decoded b = frag_of(4, 50, dgram, 16, 24, false);
	add(t, &a, 1, &out, &outlen, &why);
	CU_ASSERT_EQUAL(add(t, &b, 1, &out, &outlen, &why), FRAG_DONE);
	CU_ASSERT_TRUE(mem_in_use() > before);
	ipfrag_free(t);
	CU_ASSERT_EQUAL(mem_in_use(), before);
}

static int ipfrag_suite_init(void)
{
	fill_dgram();
	return 0;
}

void register_ipfrag_tests(void)
{
	CU_pSuite suite = CU_add_suite("ipfrag", ipfrag_suite_init, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "in-order fragments reassemble to the original", test_in_order_fragments_reassemble);
	CU_add_test(suite, "reversed fragments reassemble to the original", test_reversed_fragments_reassemble);
	CU_add_test(suite, "overlapping fragments: first copy wins", test_overlapping_fragments_first_copy_wins);
	CU_add_test(suite, "two last fragments with different totals: dropped",
		test_duplicate_last_fragments_with_different_totals);
	CU_add_test(suite, "timeout expires a datagram (not at exactly the limit)", test_timeout_expires_datagram);
	CU_add_test(suite, "table full evicts the oldest datagram", test_table_full_evicts_oldest);
	CU_add_test(suite, "fragment cut by snaplen dropped", test_fragment_cut_by_snaplen_dropped);
	CU_add_test(suite, "odd-sized, empty and beyond-64K fragments dropped", test_unusable_fragments_dropped);
	CU_add_test(suite, "datagrams kept apart by af/addresses/id/protocol", test_datagrams_kept_apart);
	CU_add_test(suite, "ipfrag_free releases every byte", test_free_releases_everything);
}
