/* test_rd.c - CUnit tests for the bounds-checked reader (src/rd.h): getters, failure, vectors, guard pages. */
#include "rd.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

/* The reader's invariant: it views the tail of the input, never beyond. */
static bool at_end(const struct rd *r, const uint8_t *end)
{
	return r->p + r->len == end;
}

static bool emptied(const struct rd *r, const uint8_t *end)
{
	return r->len == 0 && r->p == end;
}

/* ---- fixed-width getters ---- */

static const uint8_t bytes8[8] = { 0x81, 0x02, 0x83, 0x04, 0x85, 0x06, 0x87, 0x08 };

static void test_u8_exact_short_empty(void)
{
	struct rd r = rd_make(bytes8, 1);
	uint8_t v = 0;

	CU_ASSERT_TRUE(rd_u8(&r, &v));
	CU_ASSERT_EQUAL(v, 0x81);
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 1));
	CU_ASSERT_FALSE(rd_u8(&r, &v));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 1));

	r = rd_make(bytes8, 0);
	CU_ASSERT_FALSE(rd_u8(&r, &v));
	CU_ASSERT_TRUE(emptied(&r, bytes8));
}

static void test_u16_exact_short_empty(void)
{
	struct rd r = rd_make(bytes8, 2);
	uint16_t v = 0;

	CU_ASSERT_TRUE(rd_u16(&r, &v));
	CU_ASSERT_EQUAL(v, 0x8102);
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 2));

	r = rd_make(bytes8, 1);
	CU_ASSERT_FALSE(rd_u16(&r, &v));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 1));

	r = rd_make(bytes8, 0);
	CU_ASSERT_FALSE(rd_u16(&r, &v));
	CU_ASSERT_TRUE(emptied(&r, bytes8));
}

static void test_u24_exact_short_empty(void)
{
	struct rd r = rd_make(bytes8, 3);
	uint32_t v = 0;

	CU_ASSERT_TRUE(rd_u24(&r, &v));
	CU_ASSERT_EQUAL(v, 0x810283);
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 3));

	for (size_t n = 0; n < 3; n++) {
		r = rd_make(bytes8, n);
		CU_ASSERT_FALSE(rd_u24(&r, &v));
		CU_ASSERT_TRUE(emptied(&r, bytes8 + n));
	}
}

static void test_u32_exact_short_empty(void)
{
	struct rd r = rd_make(bytes8, 4);
	uint32_t v = 0;

	CU_ASSERT_TRUE(rd_u32(&r, &v));
	CU_ASSERT_EQUAL(v, 0x81028304u);
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 4));

	for (size_t n = 0; n < 4; n++) {
		r = rd_make(bytes8, n);
		CU_ASSERT_FALSE(rd_u32(&r, &v));
		CU_ASSERT_TRUE(emptied(&r, bytes8 + n));
	}
}

static void test_little_endian_getters(void)
{
	struct rd r = rd_make(bytes8, 6);
	uint16_t v16 = 0;
	uint32_t v32 = 0;

	CU_ASSERT_TRUE(rd_le16(&r, &v16));
	CU_ASSERT_EQUAL(v16, 0x0281);
	CU_ASSERT_TRUE(rd_le32(&r, &v32));
	CU_ASSERT_EQUAL(v32, 0x06850483u);
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 6));

	r = rd_make(bytes8, 1);
	CU_ASSERT_FALSE(rd_le16(&r, &v16));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 1));
	for (size_t n = 0; n < 4; n++) {
		r = rd_make(bytes8, n);
		CU_ASSERT_FALSE(rd_le32(&r, &v32));
		CU_ASSERT_TRUE(emptied(&r, bytes8 + n));
	}
}

static void test_sequence_of_getters_reads_big_endian_in_order(void)
{
	struct rd r = rd_make(bytes8, 8);
	uint8_t a = 0;
	uint16_t b = 0;
	uint32_t c = 0;
	uint8_t d = 0, e = 0;

	CU_ASSERT_TRUE(rd_u8(&r, &a));
	CU_ASSERT_TRUE(rd_u16(&r, &b));
	CU_ASSERT_TRUE(rd_u24(&r, &c));
	CU_ASSERT_TRUE(rd_u8(&r, &d));
	CU_ASSERT_EQUAL(rd_left(&r), 1);
	CU_ASSERT_TRUE(rd_u8(&r, &e));
	CU_ASSERT_EQUAL(a, 0x81);
	CU_ASSERT_EQUAL(b, 0x0283);
	CU_ASSERT_EQUAL(c, 0x048506);
	CU_ASSERT_EQUAL(d, 0x87);
	CU_ASSERT_EQUAL(e, 0x08);
	CU_ASSERT_EQUAL(rd_left(&r), 0);
}

/* A failed getter empties the reader even when some bytes were left, so
 * nothing after a failure can read them. */
static void test_failure_empties_reader(void)
{
	struct rd r = rd_make(bytes8, 3);
	uint32_t v32;
	uint8_t v8;

	CU_ASSERT_FALSE(rd_u32(&r, &v32));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 3));
	CU_ASSERT_FALSE(rd_u8(&r, &v8));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 3));

	r = rd_make(bytes8, 5);
	CU_ASSERT_FALSE(rd_skip(&r, 6));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 5));

	r = rd_make(bytes8, 5);
	CU_ASSERT_TRUE(rd_skip(&r, 2));
	CU_ASSERT_FALSE(rd_u32(&r, &v32));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 5));
}

/* ---- byte ranges ---- */

static void test_skip_bytes_copy(void)
{
	struct rd r = rd_make(bytes8, 8);
	const uint8_t *p = NULL;
	uint8_t buf[4] = { 0 };

	CU_ASSERT_TRUE(rd_skip(&r, 0));
	CU_ASSERT_EQUAL(rd_left(&r), 8);
	CU_ASSERT_TRUE(rd_skip(&r, 1));
	CU_ASSERT_TRUE(rd_bytes(&r, 3, &p));
	CU_ASSERT_PTR_EQUAL(p, bytes8 + 1);
	CU_ASSERT_TRUE(rd_copy(&r, buf, 4));
	CU_ASSERT_EQUAL(memcmp(buf, bytes8 + 4, 4), 0);
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 8));
	/* zero bytes from an empty reader is fine */
	CU_ASSERT_TRUE(rd_skip(&r, 0));
	CU_ASSERT_TRUE(rd_bytes(&r, 0, &p));
	CU_ASSERT_TRUE(rd_copy(&r, buf, 0));

	r = rd_make(bytes8, 2);
	CU_ASSERT_FALSE(rd_bytes(&r, 3, &p));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 2));
	r = rd_make(bytes8, 2);
	memset(buf, 0xee, sizeof buf);
	CU_ASSERT_FALSE(rd_copy(&r, buf, 3));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 2));
	CU_ASSERT_EQUAL(buf[0], 0xee);   /* nothing copied on failure */
	/* a huge count does not wrap around */
	r = rd_make(bytes8, 8);
	CU_ASSERT_FALSE(rd_skip(&r, (size_t)-1));
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 8));
}

static void test_peek_does_not_consume(void)
{
	struct rd r = rd_make(bytes8, 3);
	uint8_t v = 0;

	CU_ASSERT_TRUE(rd_peek_u8(&r, 0, &v));
	CU_ASSERT_EQUAL(v, 0x81);
	CU_ASSERT_TRUE(rd_peek_u8(&r, 2, &v));
	CU_ASSERT_EQUAL(v, 0x83);
	CU_ASSERT_FALSE(rd_peek_u8(&r, 3, &v));
	CU_ASSERT_FALSE(rd_peek_u8(&r, (size_t)-1, &v));
	CU_ASSERT_EQUAL(rd_left(&r), 3);   /* a failed peek does not empty */
	CU_ASSERT_PTR_EQUAL(r.p, bytes8);
	r = rd_make(bytes8, 0);
	CU_ASSERT_FALSE(rd_peek_u8(&r, 0, &v));
}

/* ---- vectors ---- */

static void test_sub_child_reader(void)
{
	struct rd r = rd_make(bytes8, 8), child;
	uint8_t v;

	CU_ASSERT_TRUE(rd_sub(&r, 3, &child));
	CU_ASSERT_PTR_EQUAL(child.p, bytes8);
	CU_ASSERT_EQUAL(child.len, 3);
	CU_ASSERT_PTR_EQUAL(r.p, bytes8 + 3);
	CU_ASSERT_EQUAL(r.len, 5);
	/* the child ends where it ends, not where the parent does */
	CU_ASSERT_TRUE(rd_skip(&child, 2));
	CU_ASSERT_TRUE(rd_u8(&child, &v));
	CU_ASSERT_FALSE(rd_u8(&child, &v));
	CU_ASSERT_TRUE(emptied(&child, bytes8 + 3));
	CU_ASSERT_EQUAL(r.len, 5);

	CU_ASSERT_FALSE(rd_sub(&r, 6, &child));
	CU_ASSERT_EQUAL(child.len, 0);
	CU_ASSERT_TRUE(emptied(&r, bytes8 + 8));
}

static void test_vec8_children(void)
{
	static const uint8_t in[] = { 2, 0xaa, 0xbb, 0, 1, 0xcc, 5, 0xdd };
	struct rd r = rd_make(in, sizeof in), c;
	uint8_t v;

	CU_ASSERT_TRUE(rd_vec8(&r, &c));
	CU_ASSERT_PTR_EQUAL(c.p, in + 1);
	CU_ASSERT_EQUAL(c.len, 2);
	CU_ASSERT_TRUE(rd_vec8(&r, &c));          /* empty vector */
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_PTR_EQUAL(c.p, in + 4);
	CU_ASSERT_TRUE(rd_vec8(&r, &c));
	CU_ASSERT_TRUE(rd_u8(&c, &v));
	CU_ASSERT_EQUAL(v, 0xcc);
	/* claims 5 bytes, 1 is left */
	CU_ASSERT_FALSE(rd_vec8(&r, &c));
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_TRUE(emptied(&r, in + sizeof in));
	/* no length byte at all */
	CU_ASSERT_FALSE(rd_vec8(&r, &c));
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_TRUE(emptied(&r, in + sizeof in));
}

static void test_vec16_children(void)
{
	static const uint8_t in[] = { 0, 3, 1, 2, 3, 0, 0, 0x01, 0x00, 9 };
	struct rd r = rd_make(in, sizeof in), c;

	CU_ASSERT_TRUE(rd_vec16(&r, &c));
	CU_ASSERT_PTR_EQUAL(c.p, in + 2);
	CU_ASSERT_EQUAL(c.len, 3);
	CU_ASSERT_TRUE(rd_vec16(&r, &c));
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_FALSE(rd_vec16(&r, &c));        /* claims 256, 1 left */
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_TRUE(emptied(&r, in + sizeof in));

	r = rd_make(in, 1);                       /* half a length */
	CU_ASSERT_FALSE(rd_vec16(&r, &c));
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_TRUE(emptied(&r, in + 1));
}

static void test_vec24_children(void)
{
	static const uint8_t in[] = { 0, 0, 2, 7, 8, 0xff, 0xff, 0xff, 1 };
	struct rd r = rd_make(in, sizeof in), c;

	CU_ASSERT_TRUE(rd_vec24(&r, &c));
	CU_ASSERT_PTR_EQUAL(c.p, in + 3);
	CU_ASSERT_EQUAL(c.len, 2);
	CU_ASSERT_FALSE(rd_vec24(&r, &c));        /* claims 2^24-1 */
	CU_ASSERT_EQUAL(c.len, 0);
	CU_ASSERT_TRUE(emptied(&r, in + sizeof in));

	for (size_t n = 0; n < 3; n++) {
		r = rd_make(in, n);
		CU_ASSERT_FALSE(rd_vec24(&r, &c));
		CU_ASSERT_EQUAL(c.len, 0);
		CU_ASSERT_TRUE(emptied(&r, in + n));
	}
}

/* Vectors nest: a child's failure leaves the parent untouched. */
static void test_nested_vectors(void)
{
	static const uint8_t in[] = { 0, 6, 2, 'h', '2', 9, 'x', 'y', 0xee };
	struct rd r = rd_make(in, sizeof in), list, name;

	CU_ASSERT_TRUE(rd_vec16(&r, &list));
	CU_ASSERT_TRUE(rd_vec8(&list, &name));
	CU_ASSERT_EQUAL(name.len, 2);
	CU_ASSERT_EQUAL(memcmp(name.p, "h2", 2), 0);
	CU_ASSERT_FALSE(rd_vec8(&list, &name));   /* claims 9 inside a 3-byte rest */
	CU_ASSERT_TRUE(emptied(&list, in + 8));
	CU_ASSERT_EQUAL(rd_left(&r), 1);
	CU_ASSERT_PTR_EQUAL(r.p, in + 8);
}

/* ---- guard page: no getter reads past the end ---- */

/* Every getter, on every input length 0..8 placed right before an
 * unreadable page, with every length prefix value: a read past the end
 * would fault. The reader must stay within [start, end]. */
static void test_guard_page_every_getter_every_length(void)
{
	uint8_t src[8];
	unsigned bad = 0;

	for (unsigned fill = 0; fill < 4; fill++) {
		/* fill 0: zeros; 1: 0xff (maximal lengths); 2: small lengths; 3: 0x01 */
		static const uint8_t fills[4] = { 0x00, 0xff, 0x02, 0x01 };
		memset(src, fills[fill], sizeof src);
		for (size_t n = 0; n <= sizeof src; n++) {
			struct guard g;
			const uint8_t *p = guard_put(&g, src, n);
			const uint8_t *end = p + n;
			for (int op = 0; op < 15; op++) {
				struct rd r = rd_make(p, n), c = { NULL, 0 };
				uint8_t v8, buf[8];
				uint16_t v16;
				uint32_t v32;
				const uint8_t *q;
				bool ok = false;
				size_t need = 0;
				switch (op) {
				case 0: ok = rd_u8(&r, &v8); need = 1; break;
				case 1: ok = rd_u16(&r, &v16); need = 2; break;
				case 2: ok = rd_u24(&r, &v32); need = 3; break;
				case 3: ok = rd_u32(&r, &v32); need = 4; break;
				case 4: ok = rd_le16(&r, &v16); need = 2; break;
				case 5: ok = rd_le32(&r, &v32); need = 4; break;
				case 6: ok = rd_skip(&r, 5); need = 5; break;
				case 7: ok = rd_bytes(&r, 6, &q); need = 6; break;
				case 8: ok = rd_copy(&r, buf, 7); need = 7; break;
				case 9: ok = rd_sub(&r, 8, &c); need = 8; break;
				case 10: ok = rd_vec8(&r, &c); need = n ? 1u + p[0] : 1; break;
				case 11: ok = rd_vec16(&r, &c); need = n >= 2 ? 2u + (p[0] << 8 | p[1]) : 2; break;
				case 12: ok = rd_vec24(&r, &c);
					need = n >= 3 ? 3u + ((size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2]) : 3;
					break;
				case 13: ok = rd_peek_u8(&r, 7, &v8); need = 8; break;
				default:
					/* walk: read vec8s until the reader is empty */
					ok = true;
					while (rd_left(&r) && ok) {
						ok = rd_vec8(&r, &c);
						while (ok && rd_u8(&c, &v8))
							;
					}
					need = 0;
					break;
				}
				if (op != 14 && ok != (n >= need))
					bad++;
				if (!at_end(&r, end) || r.p < p)
					bad++;
				if (c.p && (c.p < p || c.p + c.len > end))
					bad++;
				if (!ok && op != 13 && !emptied(&r, end))
					bad++;
			}
			guard_free(&g);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A pseudo-random walk of every operation over random bytes before a
 * guard page: whatever the bytes claim, the reader stays inside. */
static void test_guard_page_random_walks(void)
{
	uint32_t seed = 12345;
	unsigned bad = 0;

	for (int round = 0; round < 2000; round++) {
		uint8_t src[64];
		size_t n;
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % (sizeof src + 1);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			src[i] = (uint8_t)(seed >> 16);
			if (src[i] > 0x40 && src[i] < 0xf0)
				src[i] &= 0x0f;   /* mostly small lengths, some huge */
		}
		struct guard g;
		const uint8_t *p = guard_put(&g, src, n);
		struct rd stack[8];
		int top = 0;
		stack[0] = rd_make(p, n);
		for (int step = 0; step < 64; step++) {
			struct rd *r = &stack[top];
			uint8_t v8;
			uint16_t v16;
			uint32_t v32;
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % 9) {
			case 0: rd_u8(r, &v8); break;
			case 1: rd_u16(r, &v16); break;
			case 2: rd_u24(r, &v32); break;
			case 3: rd_u32(r, &v32); break;
			case 4: rd_skip(r, (seed >> 8) % 5); break;
			case 5:
			case 6:
				if (top < 7) {
					struct rd c;
					if ((seed >> 16) % 9 == 5 ? rd_vec8(r, &c) : rd_vec16(r, &c))
						stack[++top] = c;
				}
				break;
			case 7: rd_vec24(r, &stack[top < 7 ? top + 1 : top]); break;
			default:
				if (top > 0 && rd_left(r) == 0)
					top--;
				break;
			}
			for (int k = 0; k <= top; k++)
				if (stack[k].p < p || stack[k].p + stack[k].len > p + n)
					bad++;
		}
		/* drain every reader to the last byte: must not fault */
		for (int k = top; k >= 0; k--) {
			uint8_t v8;
			while (rd_u8(&stack[k], &v8))
				;
		}
		guard_free(&g);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

void register_rd_tests(void)
{
	CU_pSuite suite = CU_add_suite("rd", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "rd_u8 on exact, short and empty input", test_u8_exact_short_empty);
	CU_add_test(suite, "rd_u16 on exact, short and empty input", test_u16_exact_short_empty);
	CU_add_test(suite, "rd_u24 on exact, short and empty input", test_u24_exact_short_empty);
	CU_add_test(suite, "rd_u32 on exact, short and empty input", test_u32_exact_short_empty);
	CU_add_test(suite, "rd_le16/rd_le32 little-endian, short input", test_little_endian_getters);
	CU_add_test(suite, "getters in sequence read big-endian in order",
		test_sequence_of_getters_reads_big_endian_in_order);
	CU_add_test(suite, "a failed getter empties the reader", test_failure_empties_reader);
	CU_add_test(suite, "rd_skip/rd_bytes/rd_copy bounds", test_skip_bytes_copy);
	CU_add_test(suite, "rd_peek_u8 does not consume", test_peek_does_not_consume);
	CU_add_test(suite, "rd_sub child reader ends at its length", test_sub_child_reader);
	CU_add_test(suite, "rd_vec8 children, empty, too long, no length", test_vec8_children);
	CU_add_test(suite, "rd_vec16 children, empty, too long, half a length", test_vec16_children);
	CU_add_test(suite, "rd_vec24 children, too long, short length", test_vec24_children);
	CU_add_test(suite, "nested vectors: child failure leaves parent", test_nested_vectors);
	CU_add_test(suite, "guard page: every getter at every length stays inside",
		test_guard_page_every_getter_every_length);
	CU_add_test(suite, "guard page: random walks never read past the end",
		test_guard_page_random_walks);
}
