/* test_after_report.c - record headers after a live report: counts, split headers, refusals (TLS 1.2 and 1.3). */
#include "unit.h"

#include <string.h>

#include "after_report.h"
#include "mem.h"
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

/* TLS 1.3, AES-256-GCM-SHA384, as reported: the server's flight (4 records,
 * frame 6), the client's Finished (69 bytes, frame 8), two tickets (frames 9
 * and 10), nothing of the client's after its Finished. */
static void t13_reported(struct after_report *w)
{
	after_report_init(w, 0);
	struct after_report_t13 *t = mem_alloc(sizeof *t);
	CU_ASSERT_TRUE(t13_sizes_of(0x1302, &t->in.z));
	static const uint32_t flight[] = { 23, 1846, 281, 69 };
	for (uint32_t i = 0; i < 4; i++)
		t->rec[SIDE_SERVER][i] = (struct t13_rec){ 6, flight[i], i };
	t->rec[SIDE_CLIENT][0] = (struct t13_rec){ 8, 69, 4 };
	t->rec[SIDE_SERVER][4] = (struct t13_rec){ 9, 250, 5 };
	t->rec[SIDE_SERVER][5] = (struct t13_rec){ 10, 250, 6 };
	t->next_seq = 7;
	for (int side = 0; side < 2; side++)
		t->in.rec[side] = t->rec[side];
	t->in.n[SIDE_SERVER] = t->in.total[SIDE_SERVER] = 6;
	t->in.n[SIDE_CLIENT] = t->in.total[SIDE_CLIENT] = 1;
	w->t13 = t;
}

static void record(struct after_report *w, int side, uint16_t len, uint64_t frame)
{
	uint8_t r[5 + 300] = { 0x17, 0x03, 0x03, (uint8_t)(len >> 8), (uint8_t)len };
	after_report_data(w, side, r, 5u + len, frame);
}

static void test_tls13_sizes(void)
{
	struct after_report w;
	/* curl refusing the name: its close_notify-sized record, then a reset for the unread tickets */
	t13_reported(&w);
	record(&w, SIDE_CLIENT, 19, 12);
	CU_ASSERT_FALSE(after_report_refused(&w, false));   /* open at the end: not judged */
	after_report_closed(&w, SIDE_CLIENT, true, 13, 13);
	CU_ASSERT_TRUE(after_report_refused(&w, true));
	CU_ASSERT_EQUAL(w.t13->view.pattern, T13_CLIENT_CLOSED_AFTER_FINISHED);
	CU_ASSERT_EQUAL(w.t13->view.end_frame, 12);
	mem_free(w.t13);
	/* the server's alert-sized record and its close, the client silent: refused by the server */
	t13_reported(&w);
	record(&w, SIDE_SERVER, 19, 20);
	after_report_closed(&w, SIDE_SERVER, false, 21, 0);
	after_report_closed(&w, SIDE_CLIENT, false, 23, 0);
	CU_ASSERT_TRUE(after_report_refused(&w, true));
	CU_ASSERT_EQUAL(w.t13->view.ended_by, SIDE_SERVER);
	mem_free(w.t13);
	/* close_notify answered by close_notify, FIN both ways: an end, not a refusal */
	t13_reported(&w);
	record(&w, SIDE_CLIENT, 19, 12);
	record(&w, SIDE_SERVER, 19, 13);
	after_report_closed(&w, SIDE_SERVER, false, 14, 0);
	after_report_closed(&w, SIDE_CLIENT, false, 15, 0);
	CU_ASSERT_FALSE(after_report_refused(&w, true));
	CU_ASSERT_EQUAL(w.t13->view.pattern, T13_NO_DATA);
	mem_free(w.t13);
	/* the client's request (a record larger than an alert), then the close: completed */
	t13_reported(&w);
	record(&w, SIDE_CLIENT, 120, 12);
	record(&w, SIDE_SERVER, 280, 13);
	after_report_closed(&w, SIDE_CLIENT, true, 14, 14);
	CU_ASSERT_FALSE(after_report_refused(&w, true));
	mem_free(w.t13);
}

/* TLS 1.3 decrypted before its report: records after it are known by size */
static void test_tls13_decrypted(void)
{
	struct after_report w;
	after_report_init(&w, 0);
	w.sizes13 = true;
	record(&w, SIDE_SERVER, 250, 11);   /* a ticket: no client data, no alert */
	record(&w, SIDE_SERVER, 19, 20);    /* the server's close_notify three seconds on */
	after_report_closed(&w, SIDE_SERVER, false, 21, 0);
	CU_ASSERT_EQUAL(w.alert_from, SIDE_SERVER);
	CU_ASSERT_EQUAL(w.alert_frame, 20);
	CU_ASSERT_TRUE(after_report_refused(&w, true));
	/* the client's close_notify and FIN: a polite end */
	after_report_init(&w, 0);
	w.sizes13 = true;
	record(&w, SIDE_CLIENT, 19, 12);
	after_report_closed(&w, SIDE_CLIENT, false, 13, 0);
	CU_ASSERT_FALSE(after_report_refused(&w, true));
	/* ... and a reset after it (curl closing the socket on unread tickets): refused */
	after_report_closed(&w, SIDE_CLIENT, true, 13, 14);
	CU_ASSERT_TRUE(after_report_refused(&w, true));
	/* Java's padded alert is one too; a request is not */
	after_report_init(&w, 0);
	w.sizes13 = true;
	record(&w, SIDE_CLIENT, 120, 12);
	after_report_closed(&w, SIDE_CLIENT, true, 13, 13);
	CU_ASSERT_FALSE(after_report_refused(&w, true));
	after_report_init(&w, 0);
	w.sizes13 = true;
	record(&w, SIDE_SERVER, 35, 12);
	CU_ASSERT_EQUAL(w.alerts[SIDE_SERVER], 1);
}

void register_after_report_tests(void)
{
	CU_pSuite suite = CU_add_suite("after_report", NULL, NULL);
	if (!suite)
		return;
	CU_add_test(suite, "records split over segments, the client's data", test_split_records);
	CU_add_test(suite, "a close, bytes that are no record", test_close_and_garbage);
	CU_add_test(suite, "TLS 1.3 from record sizes: refusals and ends after the report", test_tls13_sizes);
	CU_add_test(suite, "TLS 1.3 decrypted before the report: alerts by their size after it", test_tls13_decrypted);
}
