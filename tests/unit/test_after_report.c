/* test_after_report.c - record headers after a live report: counts, split headers, refusals. */
#include "unit.h"

#include <string.h>

#include "after_report.h"
#include "session.h"

static void test_split_records(void)
{
	struct after_report w;
	after_report_init(&w, 0);
	/* the server's encrypted alert (26 bytes of body), its header split over two segments */
	static const uint8_t alert[] = { 0x15, 0x03, 0x03, 0x00, 0x1a };
	uint8_t body[26] = { 0 };
	after_report_data(&w, SIDE_SERVER, alert, 2, 11);
	after_report_data(&w, SIDE_SERVER, alert + 2, 3, 12);
	after_report_data(&w, SIDE_SERVER, body, 20, 12);
	after_report_data(&w, SIDE_SERVER, body, 6, 13);
	CU_ASSERT_EQUAL(w.alerts[SIDE_SERVER], 1);
	CU_ASSERT_EQUAL(w.alert_from, SIDE_SERVER);
	CU_ASSERT_EQUAL(w.alert_frame, 12);
	CU_ASSERT_FALSE(w.lost);
	CU_ASSERT_TRUE(after_report_refused(&w, false));
	/* the client's data after it: not refused before its request */
	static const uint8_t data[] = { 0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb };
	after_report_data(&w, SIDE_CLIENT, data, sizeof data, 14);
	CU_ASSERT_EQUAL(w.appdata[SIDE_CLIENT], 1);
	CU_ASSERT_FALSE(after_report_refused(&w, true));
}

static void test_close_and_garbage(void)
{
	struct after_report w;
	after_report_init(&w, 1);
	CU_ASSERT_FALSE(after_report_refused(&w, false));   /* still open at the end: not judged */
	CU_ASSERT_TRUE(after_report_refused(&w, true));     /* a FIN or RST before any data */
	/* bytes that are no record header (the report left a record half read): nothing is judged */
	static const uint8_t junk[] = { 0x47, 0x45, 0x54, 0x20, 0x2f };
	after_report_data(&w, SIDE_CLIENT, junk, sizeof junk, 9);
	CU_ASSERT_TRUE(w.lost);
	CU_ASSERT_FALSE(after_report_refused(&w, true));
	/* a length over the protocol's maximum is no header either */
	after_report_init(&w, 0);
	static const uint8_t big[] = { 0x17, 0x03, 0x03, 0xff, 0xff };
	after_report_data(&w, SIDE_SERVER, big, sizeof big, 9);
	CU_ASSERT_TRUE(w.lost);
}

void register_after_report_tests(void)
{
	CU_pSuite suite = CU_add_suite("after_report", NULL, NULL);
	if (!suite)
		return;
	CU_add_test(suite, "records split over segments, the client's data", test_split_records);
	CU_add_test(suite, "a close, bytes that are no record", test_close_and_garbage);
}
