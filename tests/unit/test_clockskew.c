/* test_clockskew.c - the capture's clock learned from completed handshakes: quorum, majority, slack, bounds (issue 13). */
#include "clockskew.h"

#include <string.h>

#include "unit.h"

#define T0 1732376206   /* 2024-11-23T15:36:46Z: the capture's time */
#define NB 1735689600   /* 2025-01-01T00:00:00Z: the certificates begin */

static void test_quorum_learns_the_offset(void)
{
	struct clockskew *ck = clockskew_new();
	clockskew_observe(ck, T0, NB, "f", 0, 8);
	clockskew_observe(ck, T0 + 2, NB, "f", 1, 30);
	CU_ASSERT_EQUAL(clockskew_offset(ck), 0);   /* two handshakes: not yet proof */
	CU_ASSERT_TRUE(clockskew_pending(ck));
	CU_ASSERT_FALSE(clockskew_decided(ck));
	uint64_t gen = ck->generation;
	clockskew_observe(ck, T0 + 5, NB, "f", 2, 52);
	/* the earliest of them needs the most: the minimum offset that makes all valid */
	CU_ASSERT_EQUAL(clockskew_offset(ck), NB - T0);
	CU_ASSERT_NOT_EQUAL(ck->generation, gen);
	CU_ASSERT_TRUE(clockskew_decided(ck));
	CU_ASSERT_EQUAL(ck->proof->stream, 0);
	CU_ASSERT_EQUAL(ck->proof->frame, 8);
	CU_ASSERT_EQUAL(clockskew_explained(ck), 3);
	/* a failed connection earlier in the capture, the same certificate: valid (slack) */
	CU_ASSERT_TRUE(clockskew_covers(ck, T0 - 10, NB));
	/* a certificate valid by the capture's clock alone is not "covered" */
	CU_ASSERT_FALSE(clockskew_covers(ck, T0, T0 - 1));
	/* one that begins more than the slack later is still not yet valid */
	CU_ASSERT_TRUE(clockskew_covers(ck, T0, NB + CLOCK_SLACK));
	CU_ASSERT_FALSE(clockskew_covers(ck, T0, NB + CLOCK_SLACK + 1));
	char note[CLOCK_NOTE_LEN];
	clockskew_note(ck, note, sizeof note);
	CU_ASSERT_PTR_NOT_NULL(strstr(note, "at least 38 days 08:23:14 behind"));
	CU_ASSERT_PTR_NOT_NULL(strstr(note, "3 of 3 completed handshakes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(note, "tcp.stream eq 0 in f, frame 8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(note, "capture time + 3313394 s (+1 h"));
	clockskew_free(ck);
}

static void test_one_odd_connection_moves_nothing(void)
{
	struct clockskew *ck = clockskew_new();
	for (int i = 0; i < 10; i++)
		clockskew_observe(ck, T0 + i, NB, "f", (uint64_t)i, 1);
	int64_t off = clockskew_offset(ck);
	CU_ASSERT_EQUAL(off, NB - T0);
	/* a client that checks nothing accepts a certificate of 2030 */
	clockskew_observe(ck, T0 + 20, 1893456000, "f", 20, 1);
	CU_ASSERT_EQUAL(clockskew_offset(ck), off);
	CU_ASSERT_FALSE(clockskew_covers(ck, T0 + 20, 1893456000));
	CU_ASSERT_EQUAL(clockskew_explained(ck), 10);
	CU_ASSERT_EQUAL(ck->ahead, 11);
	/* it waits a while for company, then no longer holds reports back */
	CU_ASSERT_TRUE(clockskew_pending(ck));
	for (unsigned i = 0; i < CLOCK_PENDING; i++)
		clockskew_observe(ck, T0 + 30, NB, "f", 30 + i, 1);
	CU_ASSERT_FALSE(clockskew_pending(ck));
	CU_ASSERT_EQUAL(clockskew_offset(ck), off);
	clockskew_free(ck);
}

static void test_a_majority_valid_by_the_capture_clock(void)
{
	struct clockskew *ck = clockskew_new();
	for (int i = 0; i < 3; i++)
		clockskew_observe(ck, T0, NB, "f", (uint64_t)i, 1);
	CU_ASSERT_EQUAL(clockskew_offset(ck), NB - T0);
	/* most completed handshakes had certificates valid at capture time: the clock is fine */
	for (int i = 0; i < 3; i++)
		clockskew_observe(ck, T0, T0 - 86400, "f", 10 + (uint64_t)i, 1);
	CU_ASSERT_EQUAL(clockskew_offset(ck), 0);
	CU_ASSERT_FALSE(clockskew_covers(ck, T0, NB));
	char note[CLOCK_NOTE_LEN];
	clockskew_note(ck, note, sizeof note);
	CU_ASSERT_STRING_EQUAL(note, "");
	clockskew_free(ck);
}

static void test_start_times_beyond_the_table_are_counted(void)
{
	struct clockskew *ck = clockskew_new();
	for (unsigned i = 0; i < CLOCK_GROUPS + 5; i++)
		clockskew_observe(ck, T0, NB + (int64_t)i, "f", i, 1);
	CU_ASSERT_EQUAL(ck->n, CLOCK_GROUPS);
	CU_ASSERT_EQUAL(ck->untracked, 5);
	CU_ASSERT_EQUAL(clockskew_offset(ck), 0);   /* each seen once: no quorum */
	clockskew_free(ck);
}

void register_clockskew_tests(void)
{
	CU_pSuite suite = CU_add_suite("clockskew", NULL, NULL);
	CU_add_test(suite, "three handshakes with one start time teach the smallest offset", test_quorum_learns_the_offset);
	CU_add_test(suite, "one odd connection does not move the offset", test_one_odd_connection_moves_nothing);
	CU_add_test(suite, "most handshakes valid by the capture clock: nothing learned", test_a_majority_valid_by_the_capture_clock);
	CU_add_test(suite, "start times beyond the table are only counted", test_start_times_beyond_the_table_are_counted);
}
