/* test_flow.c - CUnit tests for the connection table (src/flow.c): keys, lookup, orders, closed-tuple notes. */
#include "flow.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "mem.h"
#include "unit.h"

/* A distinct IPv4 connection for each index. */
static void key_of(uint32_t i, struct flow_key *k, int *dir)
{
	uint8_t a[16] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	uint8_t b[16] = { 192, 0, 2, 1 };
	flow_key_make(k, 4, a, (uint16_t)(40000 + (i & 0xff)), b, 443, dir);
}

static struct flow *add_index(struct flow_table *t, uint32_t i, int64_t now)
{
	struct flow_key k;
	int dir;
	key_of(i, &k, &dir);
	return flow_add(t, &k, flow_key_hash(&k), now);
}

/* ---- keys ---- */

static void test_key_canonical_both_directions(void)
{
	uint8_t a[16] = { 10, 0, 0, 9, 0xde, 0xad };   /* bytes past the IPv4 address are ignored */
	uint8_t b[16] = { 10, 0, 0, 1 };
	struct flow_key k1, k2;
	int d1 = -1, d2 = -1;

	flow_key_make(&k1, 4, a, 50000, b, 443, &d1);
	flow_key_make(&k2, 4, b, 443, a, 50000, &d2);
	CU_ASSERT_EQUAL(memcmp(&k1, &k2, sizeof k1), 0);
	CU_ASSERT_EQUAL(flow_key_hash(&k1), flow_key_hash(&k2));
	CU_ASSERT_EQUAL(d1 + d2, 1);
	/* dir is the index of the sender in the key */
	CU_ASSERT_EQUAL(memcmp(k1.addr[d1], a, 4), 0);
	CU_ASSERT_EQUAL(k1.port[d1], 50000);
	CU_ASSERT_EQUAL(memcmp(k1.addr[d2], b, 4), 0);
	CU_ASSERT_EQUAL(k1.port[d2], 443);
	CU_ASSERT_EQUAL(k1.af, 4);
	static const uint8_t zero[12];
	CU_ASSERT_EQUAL(memcmp(k1.addr[0] + 4, zero, 12), 0);
	CU_ASSERT_EQUAL(memcmp(k1.addr[1] + 4, zero, 12), 0);

	/* same address: the port decides */
	flow_key_make(&k1, 4, b, 2000, b, 1000, &d1);
	flow_key_make(&k2, 4, b, 1000, b, 2000, &d2);
	CU_ASSERT_EQUAL(memcmp(&k1, &k2, sizeof k1), 0);
	CU_ASSERT_EQUAL(d1, 1);
	CU_ASSERT_EQUAL(d2, 0);

	/* IPv6 compares all 16 bytes */
	uint8_t c[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t e[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	flow_key_make(&k1, 6, c, 1, e, 2, &d1);
	flow_key_make(&k2, 6, e, 2, c, 1, &d2);
	CU_ASSERT_EQUAL(memcmp(&k1, &k2, sizeof k1), 0);
	CU_ASSERT_EQUAL(d1, 1);
	CU_ASSERT_EQUAL(memcmp(k1.addr[0], e, 16), 0);
	CU_ASSERT_NOT_EQUAL(flow_key_hash(&k1), 0);

	/* a different af or port is a different key */
	struct flow_key k3;
	flow_key_make(&k3, 6, c, 1, e, 3, &d1);
	CU_ASSERT_NOT_EQUAL(memcmp(&k1, &k3, sizeof k1), 0);
	CU_ASSERT_NOT_EQUAL(flow_key_hash(&k1), flow_key_hash(&k3));
}

/* ---- find / add / remove ---- */

static void test_find_add_remove(void)
{
	struct flow_table *t = flow_table_new();
	struct flow_key k0, k1, k2, k9;
	int dir;
	key_of(0, &k0, &dir);
	key_of(1, &k1, &dir);
	key_of(2, &k2, &dir);
	key_of(9, &k9, &dir);

	CU_ASSERT_EQUAL(flow_count(t), 0);
	CU_ASSERT_PTR_NULL(flow_find(t, &k0, flow_key_hash(&k0)));
	CU_ASSERT_PTR_NULL(flow_oldest(t));
	CU_ASSERT_PTR_NULL(flow_first_created(t));
	struct flow *f0 = flow_add(t, &k0, flow_key_hash(&k0), 100);
	struct flow *f1 = flow_add(t, &k1, flow_key_hash(&k1), 101);
	struct flow *f2 = flow_add(t, &k2, flow_key_hash(&k2), 102);
	CU_ASSERT_EQUAL(flow_count(t), 3);
	CU_ASSERT_EQUAL(f0->stream, 0);
	CU_ASSERT_EQUAL(f1->stream, 1);
	CU_ASSERT_EQUAL(f2->stream, 2);
	CU_ASSERT_EQUAL(flow_next_stream(t), 3);
	CU_ASSERT_EQUAL(f1->last_active, 101);
	CU_ASSERT_PTR_NULL(f1->conn);
	CU_ASSERT_EQUAL(memcmp(&f1->key, &k1, sizeof k1), 0);
	CU_ASSERT_PTR_EQUAL(flow_find(t, &k0, flow_key_hash(&k0)), f0);
	CU_ASSERT_PTR_EQUAL(flow_find(t, &k1, flow_key_hash(&k1)), f1);
	CU_ASSERT_PTR_EQUAL(flow_find(t, &k2, flow_key_hash(&k2)), f2);
	CU_ASSERT_PTR_NULL(flow_find(t, &k9, flow_key_hash(&k9)));
	/* same hash, other key: not found */
	CU_ASSERT_PTR_NULL(flow_find(t, &k9, flow_key_hash(&k1)));

	flow_remove(t, f1, false);
	CU_ASSERT_EQUAL(flow_count(t), 2);
	CU_ASSERT_PTR_NULL(flow_find(t, &k1, flow_key_hash(&k1)));
	CU_ASSERT_PTR_EQUAL(flow_find(t, &k0, flow_key_hash(&k0)), f0);
	CU_ASSERT_PTR_EQUAL(flow_find(t, &k2, flow_key_hash(&k2)), f2);
	struct closed_flow stream = { .stream = 77 };
	CU_ASSERT_FALSE(flow_closed_lookup(t, flow_key_hash(&k1), &stream));   /* not remembered */
	CU_ASSERT_EQUAL(stream.stream, 77);
	/* re-adding takes a new stream number */
	f1 = flow_add(t, &k1, flow_key_hash(&k1), 103);
	CU_ASSERT_EQUAL(f1->stream, 3);
	flow_table_free(t);
}

/* Thousands of flows force the bucket array to grow: all stay findable. */
static void test_many_flows_survive_rehash(void)
{
	enum { N = 5000 };
	static struct flow *fl[N];
	struct flow_table *t = flow_table_new();
	unsigned bad = 0;

	for (uint32_t i = 0; i < N; i++)
		fl[i] = add_index(t, i, i);
	CU_ASSERT_EQUAL(flow_count(t), N);
	for (uint32_t i = 0; i < N; i++) {
		struct flow_key k;
		int dir;
		key_of(i, &k, &dir);
		if (flow_find(t, &k, flow_key_hash(&k)) != fl[i] || fl[i]->stream != i)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (uint32_t i = 0; i < N; i += 2)
		flow_remove(t, fl[i], false);
	CU_ASSERT_EQUAL(flow_count(t), N / 2);
	for (uint32_t i = 0; i < N; i++) {
		struct flow_key k;
		int dir;
		key_of(i, &k, &dir);
		struct flow *f = flow_find(t, &k, flow_key_hash(&k));
		if (i % 2 == 0 ? f != NULL : f != fl[i])
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	flow_table_free(t);
}

/* ---- orders ---- */

static void test_activity_order(void)
{
	struct flow_table *t = flow_table_new();
	struct flow *a = add_index(t, 1, 10);
	struct flow *b = add_index(t, 2, 20);
	struct flow *c = add_index(t, 3, 30);

	CU_ASSERT_PTR_EQUAL(flow_oldest(t), a);
	flow_touch(t, a, 40);
	CU_ASSERT_EQUAL(a->last_active, 40);
	CU_ASSERT_PTR_EQUAL(flow_oldest(t), b);
	/* whole order, both ways: b c a */
	CU_ASSERT_PTR_EQUAL(b->next, c);
	CU_ASSERT_PTR_EQUAL(c->next, a);
	CU_ASSERT_PTR_NULL(a->next);
	CU_ASSERT_PTR_EQUAL(a->prev, c);
	CU_ASSERT_PTR_EQUAL(c->prev, b);
	CU_ASSERT_PTR_NULL(b->prev);
	/* touching the most recent keeps the order */
	flow_touch(t, a, 41);
	CU_ASSERT_PTR_EQUAL(flow_oldest(t), b);
	CU_ASSERT_PTR_EQUAL(c->next, a);
	flow_touch(t, b, 50);   /* c a b */
	CU_ASSERT_PTR_EQUAL(flow_oldest(t), c);
	flow_remove(t, a, false);   /* c b */
	CU_ASSERT_PTR_EQUAL(flow_oldest(t), c);
	CU_ASSERT_PTR_EQUAL(c->next, b);
	CU_ASSERT_PTR_EQUAL(b->prev, c);
	flow_remove(t, c, false);
	CU_ASSERT_PTR_EQUAL(flow_oldest(t), b);
	CU_ASSERT_PTR_NULL(b->prev);
	CU_ASSERT_PTR_NULL(b->next);
	flow_remove(t, b, false);
	CU_ASSERT_PTR_NULL(flow_oldest(t));
	flow_table_free(t);
}

static void test_creation_order_after_removals(void)
{
	struct flow_table *t = flow_table_new();
	struct flow *f[5];
	for (uint32_t i = 0; i < 5; i++)
		f[i] = add_index(t, i, 100 - i);
	flow_touch(t, f[0], 200);   /* activity does not change creation order */
	CU_ASSERT_PTR_EQUAL(flow_first_created(t), f[0]);
	flow_remove(t, f[2], false);   /* middle */
	flow_remove(t, f[0], false);   /* head */
	flow_remove(t, f[4], false);   /* tail */
	CU_ASSERT_PTR_EQUAL(flow_first_created(t), f[1]);
	CU_ASSERT_PTR_EQUAL(f[1]->snext, f[3]);
	CU_ASSERT_PTR_NULL(f[3]->snext);
	CU_ASSERT_PTR_EQUAL(f[3]->sprev, f[1]);
	CU_ASSERT_PTR_NULL(f[1]->sprev);
	struct flow *g = add_index(t, 7, 300);
	CU_ASSERT_EQUAL(g->stream, 5);
	CU_ASSERT_PTR_EQUAL(f[3]->snext, g);
	CU_ASSERT_PTR_EQUAL(g->sprev, f[3]);
	/* walk: streams 1, 3, 5 */
	uint64_t seen[8];
	unsigned i = 0;
	for (struct flow *x = flow_first_created(t); x && i < 8; x = x->snext)
		seen[i++] = x->stream;
	CU_ASSERT_EQUAL_FATAL(i, 3);
	CU_ASSERT_EQUAL(seen[0], 1);
	CU_ASSERT_EQUAL(seen[1], 3);
	CU_ASSERT_EQUAL(seen[2], 5);
	flow_remove(t, f[1], false);
	CU_ASSERT_PTR_EQUAL(flow_first_created(t), f[3]);
	flow_table_free(t);
}

/* ---- closed-tuple notes ---- */

static void test_closed_notes_remember_lookup_forget(void)
{
	struct flow_table *t = flow_table_new();
	struct closed_flow stream = { .stream = 0 };
	struct flow *a = add_index(t, 1, 1);
	struct flow *b = add_index(t, 2, 1);
	uint64_t ha = a->hash, hb = b->hash;

	CU_ASSERT_FALSE(flow_closed_lookup(t, ha, &stream));   /* nothing noted yet */
	flow_closed_forget(t, ha);                             /* harmless */
	flow_remove(t, a, true);
	flow_remove(t, b, true);
	CU_ASSERT_TRUE(flow_closed_lookup(t, ha, &stream));
	CU_ASSERT_EQUAL(stream.stream, 0);
	CU_ASSERT_TRUE(flow_closed_lookup(t, hb, &stream));
	CU_ASSERT_EQUAL(stream.stream, 1);
	CU_ASSERT_FALSE(flow_closed_lookup(t, ha ^ 0x1000000, &stream));
	flow_closed_forget(t, ha);
	CU_ASSERT_FALSE(flow_closed_lookup(t, ha, &stream));
	CU_ASSERT_TRUE(flow_closed_lookup(t, hb, &stream));
	CU_ASSERT_EQUAL(stream.stream, 1);
	flow_closed_forget(t, ha);   /* twice: no effect */
	flow_closed_forget(t, 0);    /* 0 means empty: never a note */
	CU_ASSERT_TRUE(flow_closed_lookup(t, hb, &stream));
	CU_ASSERT_EQUAL(flow_count(t), 0);
	flow_table_free(t);
}

/* Notes whose hashes share home slots (and wrap around the end of the
 * table) are chained by linear probing; deleting any of them must leave
 * every other one findable (backward-shift deletion). The low 40 bits
 * choose the home slot in a table of any power-of-two size: -1 is its
 * last slot, 0 its first. */
#define LOW40 ((1ull << 40) - 1)
#define NCOLL 14

static uint64_t coll_hash(unsigned j)
{
	/* home slots: a cluster straddling the end of the table */
	static const int64_t home[NCOLL] = { -2, -2, -1, 0, 0, 1, -1, 2, 1, 0, -2, 3, 5, -3 };
	return ((uint64_t)home[j] & LOW40) | ((uint64_t)(j + 1) << 40);
}

/* A table holding the NCOLL notes, remembered in the given order; stream
 * numbers follow that order. */
static struct flow_table *table_with_notes(const unsigned *order, uint64_t *stream_of)
{
	struct flow_table *t = flow_table_new();
	for (unsigned i = 0; i < NCOLL; i++) {
		struct flow_key k;
		int dir;
		key_of(order[i], &k, &dir);
		struct flow *f = flow_add(t, &k, coll_hash(order[i]), 0);
		stream_of[order[i]] = f->stream;
		flow_remove(t, f, true);
	}
	return t;
}

static unsigned check_notes(struct flow_table *t, const bool *gone, const uint64_t *stream_of)
{
	unsigned bad = 0;
	for (unsigned j = 0; j < NCOLL; j++) {
		struct closed_flow s = { .stream = 12345 };
		bool found = flow_closed_lookup(t, coll_hash(j), &s);
		if (found == gone[j] || (found && s.stream != stream_of[j]))
			bad++;
	}
	/* absent hashes homed in the cluster are not found (probing stops) */
	for (int64_t h = -4; h < 7; h++) {
		struct closed_flow s;
		if (flow_closed_lookup(t, ((uint64_t)h & LOW40) | (99ull << 40), &s))
			bad++;
	}
	return bad;
}

static void test_closed_notes_backward_shift_deletion(void)
{
	unsigned order[NCOLL];
	uint64_t stream_of[NCOLL];
	unsigned bad = 0;

	/* delete each single note, for two insertion orders */
	for (int rev = 0; rev < 2; rev++) {
		for (unsigned i = 0; i < NCOLL; i++)
			order[i] = rev ? NCOLL - 1 - i : i;
		for (unsigned del = 0; del < NCOLL; del++) {
			bool gone[NCOLL] = { false };
			struct flow_table *t = table_with_notes(order, stream_of);
			bad += check_notes(t, gone, stream_of);
			flow_closed_forget(t, coll_hash(del));
			gone[del] = true;
			bad += check_notes(t, gone, stream_of);
			flow_table_free(t);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);

	/* delete all of them, one at a time, in pseudo-random orders */
	uint32_t seed = 7;
	for (int round = 0; round < 12; round++) {
		unsigned del_order[NCOLL];
		bool gone[NCOLL] = { false };
		for (unsigned i = 0; i < NCOLL; i++) {
			order[i] = i;
			del_order[i] = i;
		}
		for (unsigned i = NCOLL - 1; i > 0; i--) {
			seed = seed * 1103515245u + 12345u;
			unsigned j = (seed >> 16) % (i + 1), tmp = del_order[i];
			del_order[i] = del_order[j];
			del_order[j] = tmp;
			seed = seed * 1103515245u + 12345u;
			j = (seed >> 16) % (i + 1);
			tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		struct flow_table *t = table_with_notes(order, stream_of);
		for (unsigned i = 0; i < NCOLL; i++) {
			flow_closed_forget(t, coll_hash(del_order[i]));
			gone[del_order[i]] = true;
			bad += check_notes(t, gone, stream_of);
		}
		flow_table_free(t);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Remember notes for flows first..first+n-1 (real keys and hashes). */
static void remember_range(struct flow_table *t, uint32_t first, uint32_t n, uint64_t *hashes)
{
	for (uint32_t i = first; i < first + n; i++) {
		struct flow *f = add_index(t, i, 0);
		hashes[i] = f->hash;
		flow_remove(t, f, true);
	}
}

static uint32_t count_found(struct flow_table *t, const uint64_t *hashes, uint32_t from, uint32_t to)
{
	uint32_t n = 0;
	for (uint32_t i = from; i < to; i++) {
		struct closed_flow s;
		if (flow_closed_lookup(t, hashes[i], &s))
			n++;
	}
	return n;
}

/* When LIM_CLOSED_FLOWS notes are held, the oldest is forgotten first. */
static void test_closed_notes_full_forgets_oldest(void)
{
	const uint32_t L = LIM_CLOSED_FLOWS;
	uint64_t *h = mem_alloc((size_t)(L + 2) * sizeof *h);
	struct flow_table *t = flow_table_new();
	struct closed_flow s = { 0 };

	remember_range(t, 0, L + 2, h);
	CU_ASSERT_FALSE(flow_closed_lookup(t, h[0], &s));
	CU_ASSERT_FALSE(flow_closed_lookup(t, h[1], &s));
	CU_ASSERT_TRUE(flow_closed_lookup(t, h[2], &s));
	CU_ASSERT_EQUAL(s.stream, 2);
	CU_ASSERT_TRUE(flow_closed_lookup(t, h[L + 1], &s));
	CU_ASSERT_EQUAL(s.stream, L + 1);
	CU_ASSERT_EQUAL(count_found(t, h, 0, L + 2), L);
	flow_table_free(t);
	mem_free(h);
}

/* A note forgotten on purpose (the 4-tuple was reused by a new SYN) must
 * not let the table outgrow LIM_CLOSED_FLOWS, nor keep an old note past
 * LIM_CLOSED_FLOWS newer ones. */
static void test_closed_notes_stay_bounded_after_forget(void)
{
	const uint32_t L = LIM_CLOSED_FLOWS;
	uint64_t *h = mem_alloc((size_t)2 * L * sizeof *h);
	struct flow_table *t = flow_table_new();
	struct closed_flow s = { 0 };

	remember_range(t, 0, L, h);
	flow_closed_forget(t, h[L - 1]);
	remember_range(t, L, L, h);
	/* the newest L are all there, the older ones all gone */
	uint32_t newer = count_found(t, h, L, 2 * L), older = count_found(t, h, 0, L);
	CU_ASSERT_EQUAL(newer, L);
	if (older != 0)
		UNIT_FAIL("%u notes held (LIM_CLOSED_FLOWS %u): %u of the oldest batch survive %u newer notes%s",
			  newer + older, L, older, L, flow_closed_lookup(t, h[0], &s) ? ", the very first among them" : "");
	flow_table_free(t);
	mem_free(h);
}

void register_flow_tests(void)
{
	CU_pSuite suite = CU_add_suite("flow", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "key is canonical for both directions; dir is the sender",
		test_key_canonical_both_directions);
	CU_add_test(suite, "find/add/remove and stream numbers", test_find_add_remove);
	CU_add_test(suite, "5000 flows survive bucket growth and removals", test_many_flows_survive_rehash);
	CU_add_test(suite, "activity order: flow_oldest after touches and removals", test_activity_order);
	CU_add_test(suite, "creation order: flow_first_created after removals", test_creation_order_after_removals);
	CU_add_test(suite, "closed notes: remember, lookup, forget", test_closed_notes_remember_lookup_forget);
	CU_add_test(suite, "closed notes: colliding hashes all found after each deletion",
		test_closed_notes_backward_shift_deletion);
	CU_add_test(suite, "closed notes: full table forgets the oldest", test_closed_notes_full_forgets_oldest);
	CU_add_test(suite, "closed notes: bounded by LIM_CLOSED_FLOWS after an explicit forget",
		test_closed_notes_stay_bounded_after_forget);
}
