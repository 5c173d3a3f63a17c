/* test_html.c - the HTML report: hostile strings escaped, the chart's bounded grid, the ladder of a hand-built session. */
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "problems.h"
#include "reporter.h"
#include "session.h"
#include "unit.h"
#include "writer.h"

/* What f wrote, as a malloc'd string. */
struct capture {
	FILE *f;
	char *p;
	size_t n;
};

static FILE *cap_open(struct capture *c)
{
	c->f = open_memstream(&c->p, &c->n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->f);
	return c->f;
}

static const char *cap_text(struct capture *c)
{
	fflush(c->f);
	return c->p;
}

static void cap_free(struct capture *c)
{
	fclose(c->f);
	free(c->p);
}

static void check_escape(const void *in, size_t n, const char *want)
{
	struct capture c;
	html_escape(cap_open(&c), in, n);
	CU_ASSERT_STRING_EQUAL(cap_text(&c), want);
	if (strcmp(cap_text(&c), want) != 0)
		fprintf(stderr, "\nescaped to [%s], want [%s]\n", c.p, want);
	cap_free(&c);
}

#define ESC(lit, want) check_escape(lit, sizeof lit - 1, want)

static void test_escape_hostile_strings(void)
{
	ESC("www.example.com", "www.example.com");
	ESC("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	/* out of a double- or single-quoted attribute */
	ESC("x\" onmouseover=\"alert(1)", "x&quot; onmouseover=&quot;alert(1)");
	ESC("x' onload='y", "x&#39; onload=&#39;y");
	ESC("&lt;", "&amp;lt;");
	ESC("</svg><svg onload=x>", "&lt;/svg&gt;&lt;svg onload=x&gt;");
	/* control bytes and a terminal escape: visible, not acted on */
	ESC("a\r\nb\x1b[31mc\x7f", "a\\x0d\\x0ab\\x1b[31mc\\x7f");
	ESC("nul\0in", "nul\\x00in");
	/* invalid UTF-8: a lone continuation byte, a cut sequence, an overlong '<' */
	ESC("\xff\x80", "\\xff\\x80");
	ESC("caf\xc3", "caf\\xc3");
	ESC("\xc0\xbc", "\\xc0\\xbc");
	/* valid UTF-8 stays; a bidi override (Trojan Source) and C1 controls do not */
	ESC("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac");
	ESC("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb");
	ESC("\xc2\x85", "\\xc2\\x85");
}

/* A chart keeps its buckets whatever the span: a minute each while they
 * fit, then twice as wide, and no count is lost on the way. */
static void test_chart_grid(void)
{
	struct html_chart *c = mem_alloc(sizeof *c);
	unsigned a = html_chart_series(c, "client-cert-empty");
	unsigned b = html_chart_series(c, "cert-expired");
	CU_ASSERT_EQUAL(a, 0);
	CU_ASSERT_EQUAL(b, 1);
	CU_ASSERT_EQUAL(html_chart_series(c, "client-cert-empty"), 0);
	const int64_t t0 = 1764000000;   /* 2025-11-24T16:00:00Z, a whole minute */
	html_chart_add(c, t0 + 30, (int)a);
	html_chart_add(c, t0 + 90, (int)a);
	html_chart_add(c, t0 + 95, -1);
	CU_ASSERT_EQUAL(c->width, 60);
	CU_ASSERT_EQUAL(c->base, t0);
	CU_ASSERT_EQUAL(c->failed[a][0], 1);
	CU_ASSERT_EQUAL(c->failed[a][1], 1);
	CU_ASSERT_EQUAL(c->connections[1], 2);
	/* an earlier connection (settled later) moves the grid, not the counts */
	html_chart_add(c, t0 - 61, (int)b);
	CU_ASSERT_EQUAL(c->width, 60);
	CU_ASSERT_EQUAL(c->base, t0 - 120);
	CU_ASSERT_EQUAL(c->failed[b][0], 1);
	CU_ASSERT_EQUAL(c->failed[a][2], 1);
	CU_ASSERT_EQUAL(c->failed[a][3], 1);
	/* five hours: 240 one-minute buckets do not hold it, two-minute ones do */
	html_chart_add(c, t0 + 5 * 3600, (int)a);
	CU_ASSERT_EQUAL(c->width, 120);
	CU_ASSERT_EQUAL(c->base % 120, 0);
	uint64_t fa = 0, conns = 0;
	for (unsigned i = 0; i < HTML_BUCKETS; i++) {
		fa += c->failed[a][i];
		conns += c->connections[i];
	}
	CU_ASSERT_EQUAL(fa, 3);
	CU_ASSERT_EQUAL(conns, 5);
	CU_ASSERT_EQUAL(c->series_total[a], 3);
	/* a year still fits the same grid */
	html_chart_add(c, t0 + 366 * 86400, (int)b);
	CU_ASSERT(c->width * (int64_t)HTML_BUCKETS > 366 * 86400);
	CU_ASSERT_EQUAL(c->series_total[b], 2);
	/* past HTML_SERIES labels the others share one series */
	char label[16];
	for (unsigned i = 0; i < HTML_SERIES + 3; i++) {
		snprintf(label, sizeof label, "id-%u", i);
		CU_ASSERT(html_chart_series(c, label) <= HTML_SERIES);
	}
	CU_ASSERT_EQUAL(html_chart_series(c, "yet-another"), HTML_SERIES);
	mem_free(c);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* TLS 1.2 mTLS refused: hello, server flight, empty client Certificate, a
 * decrypted alert (as a key log shows it), then the server's FIN. */
static struct session *refused_session(void)
{
	struct session *s = session_new_for_test();
	struct ts t = { 1764000000, 1000 };
	s->ts_prec = 6;
	s->start_time = t;
	s->outcome = OUTCOME_FAILED;
	struct msg *m = session_add_msg(s, 4, &t, SIDE_CLIENT, MSG_HANDSHAKE);
	m->hs_type = 1, m->length = 207;
	t.nsec += 2000000;
	m = session_add_msg(s, 6, &t, SIDE_SERVER, MSG_HANDSHAKE);
	m->hs_type = 2, m->length = 61;
	m = session_add_msg(s, 8, &t, SIDE_SERVER, MSG_HANDSHAKE);
	m->hs_type = 13, m->length = 110;
	t.nsec += 6000000;
	m = session_add_msg(s, 10, &t, SIDE_CLIENT, MSG_HANDSHAKE);
	m->hs_type = 11, m->length = 3;
	m = session_add_msg(s, 11, &t, SIDE_SERVER, MSG_ALERT);
	m->level = 2, m->desc = 40, m->length = 2, m->decrypted = true;
	s->close_kind = CLOSE_FIN;
	s->closed_by = SIDE_SERVER;
	s->close_frame = 13;
	s->dir[SIDE_SERVER].close_time = t;
	struct finding *f = finding_list_add(&s->findings, "client-cert-empty", SEV_ERROR, SIDE_CLIENT,
					     "Client sent no certificate to <script>x</script>", "cause", "fix");
	finding_add_frame(f, 10);
	return s;
}

static void test_ladder_of_a_refused_handshake(void)
{
	struct session *s = refused_session();
	struct capture c;
	html_ladder(cap_open(&c), s);
	const char *h = cap_text(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "<svg class=\"ladder\""));
	CU_ASSERT_EQUAL(count(h, "</svg>"), 1);
	/* one arrow per message, plus the FIN */
	CU_ASSERT_EQUAL(count(h, "<g class=\"m"), 6);
	CU_ASSERT_EQUAL(count(h, "<g class=\"m alert\" data-frame=\"11\""), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "Alert: fatal handshake_failure (40)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "decrypted with the key log"));
	CU_ASSERT_EQUAL(count(h, "decrypted with the key log"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "the handshake broke here (frame 11)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "TCP FIN: server closes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "16:00:00.000001"));   /* time of day of frame 4 */
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "+8.000 ms"));
	CU_ASSERT_EQUAL(count(h, "class=\"cited\""), 1);          /* frame 10, the one the error cites */
	cap_free(&c);
	session_free(s);
}

/* TLS 1.3 without keys: the records by size, the alert inferred, dashed. */
static void test_ladder_marks_inferred_alert(void)
{
	struct session *s = session_new_for_test();
	struct ts t = { 1764000000, 0 };
	s->outcome = OUTCOME_FAILED;
	session_add_msg(s, 4, &t, SIDE_CLIENT, MSG_HANDSHAKE)->hs_type = 1;
	session_add_msg(s, 6, &t, SIDE_SERVER, MSG_HANDSHAKE)->hs_type = 2;
	s->tls13 = true;
	s->sh.present = true;
	session_add_appdata(s, 6, &t, SIDE_SERVER, 2413);
	session_add_appdata(s, 12, &t, SIDE_SERVER, 19);
	s->inferred_alert = true;
	s->inferred_alert_from = SIDE_SERVER;
	s->inferred_alert_frame = 12;
	struct capture c;
	html_ladder(cap_open(&c), s);
	const char *h = cap_text(&c);
	CU_ASSERT_EQUAL(count(h, "<g class=\"m enc\" data-frame=\"6\""), 1);
	CU_ASSERT_EQUAL(count(h, "<g class=\"m inferred\" data-frame=\"12\""), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "inferred, not seen"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "the handshake broke here (frame 12)"));
	CU_ASSERT_PTR_NULL(strstr(h, "decrypted"));
	cap_free(&c);
	session_free(s);
}

/* The whole page: a hostile SNI and finding text come out as text only. */
static void test_page_escapes_capture_text(void)
{
	struct session *s = refused_session();
	static const char sni[] = "\"><script>alert(document.domain)</script>\x1b";
	s->ch.present = true;
	s->ch.has_sni = true;
	s->ch.sni = arena_strndup(&s->arena, sni, sizeof sni - 1);
	s->ch.sni_len = sizeof sni - 1;
	s->file = "<img src=x onerror=alert(1)>.pcap";
	struct capture c;
	struct report_out o = { .f = cap_open(&c) };
	struct summary sum;
	memset(&sum, 0, sizeof sum);
	sum.tls_connections = 1;
	sum.outcome[OUTCOME_FAILED] = 1;
	struct input_info in = { .file = s->file, .link_type = "EN10MB", .frames = 14 };
	/* as reporter.c drives a writer: the problem, then the headline with the set */
	struct problem_set *ps = problems_new();
	bool first = false;
	html_writer.begin(&o);
	o.problem = problems_add(ps, s, &first);
	o.representative = first;
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.problem);
	html_writer.connection(&o, s, false);
	problems_finish(ps);
	o.problem = NULL;
	html_writer.headline(&o, &in, 1, &sum, ps);
	html_writer.end(&o, &in, 1, &sum);
	problems_free(ps);
	const char *h = cap_text(&c);
	CU_ASSERT_PTR_NULL(strstr(h, "<script"));
	CU_ASSERT_PTR_NULL(strstr(h, "<img"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "&quot;&gt;&lt;script&gt;alert(document.domain)&lt;/script&gt;\\x1b"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "&lt;img src=x onerror=alert(1)&gt;.pcap"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "<section class=\"problem\" id=\"p1\">"));
	CU_ASSERT_EQUAL(count(h, "<svg class=\"ladder\""), 1);
	CU_ASSERT_EQUAL(count(h, "<svg class=\"chart\""), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "tcp.stream eq 0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "</html>\n"));
	cap_free(&c);
	session_free(s);
}

void register_html_tests(void)
{
	CU_pSuite s = CU_add_suite("html", NULL, NULL);
	CU_add_test(s, "escape hostile strings", test_escape_hostile_strings);
	CU_add_test(s, "chart grid", test_chart_grid);
	CU_add_test(s, "ladder of a refused handshake", test_ladder_of_a_refused_handshake);
	CU_add_test(s, "ladder marks an inferred alert", test_ladder_marks_inferred_alert);
	CU_add_test(s, "page escapes capture text", test_page_escapes_capture_text);
}
