/* test_reporter.c - the reporter: writers by name, which connections each format is handed, and how briefly. */
#include "reporter.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "problems.h"
#include "session.h"
#include "unit.h"

static void test_writer_find(void)
{
	CU_ASSERT_PTR_EQUAL(writer_find("text"), &text_writer);
	CU_ASSERT_PTR_EQUAL(writer_find("json"), &json_writer);
	CU_ASSERT_PTR_EQUAL(writer_find("jsonl"), &jsonl_writer);
	CU_ASSERT_PTR_EQUAL(writer_find("markdown"), &md_writer);
	CU_ASSERT_PTR_EQUAL(writer_find("md"), &md_writer);
	CU_ASSERT_PTR_NULL(writer_find("JSON"));
	CU_ASSERT_PTR_NULL(writer_find(""));
	CU_ASSERT_PTR_EQUAL(writer_find("html"), &html_writer);
	CU_ASSERT_PTR_NULL(writer_find("HTML"));
	/* the formats for people leave healthy connections out; JSON keeps them */
	CU_ASSERT_TRUE(text_writer.quiet_when_healthy);
	CU_ASSERT_TRUE(md_writer.quiet_when_healthy);
	CU_ASSERT_FALSE(json_writer.quiet_when_healthy);
	CU_ASSERT_FALSE(jsonl_writer.quiet_when_healthy);
	CU_ASSERT_FALSE(html_writer.quiet_when_healthy);   /* it counts them all for its chart */
}

/* A writer that records what it was handed. */
static struct seen {
	unsigned begins, ends;
	unsigned n;
	uint64_t index[8];
	bool brief[8];
	uint64_t not_shown;
} seen;

static void rec_begin(struct report_out *o)
{
	(void)o;
	seen.begins++;
}

static void rec_connection(struct report_out *o, const struct session *s, bool brief)
{
	(void)o;
	if (seen.n < 8) {
		seen.index[seen.n] = s->index;
		seen.brief[seen.n] = brief;
	}
	seen.n++;
}

static void rec_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	(void)o, (void)in, (void)n_in;
	seen.ends++;
	seen.not_shown = sum->not_shown;
}

/* Four connections: healthy (1), a warning (2), an error (3), failed without findings (4). */
static void run(const struct report_writer *w, bool verbose, bool only_failures)
{
	struct report_opts ro = { .writer = w, .verbose = verbose, .only_failures = only_failures };
	struct reporter r;
	memset(&seen, 0, sizeof seen);
	reporter_init(&r, stdout, &ro);
	reporter_begin(&r);
	for (uint64_t i = 1; i <= 4; i++) {
		struct session *s = session_new_for_test();
		s->index = i;
		s->outcome = i == 4 ? OUTCOME_FAILED : OUTCOME_COMPLETED;
		if (i == 2 || i == 3)
			finding_list_add(&s->findings, "some-id", i == 2 ? SEV_WARNING : SEV_ERROR, SIDE_SERVER, "s", "c", "f");
		reporter_connection(&r, s);
		session_free(s);
	}
	struct summary sum;
	memset(&sum, 0, sizeof sum);
	sum.not_shown = 99;   /* the reporter's own count replaces it */
	reporter_end(&r, NULL, 0, &sum);
	reporter_free(&r);
}

static void test_reporter_hands_over_what_the_format_shows(void)
{
	struct report_writer quiet = { .name = "q", .quiet_when_healthy = true, .begin = rec_begin,
				       .connection = rec_connection, .end = rec_end };
	struct report_writer all = quiet;
	all.quiet_when_healthy = false;

	run(&quiet, false, false);   /* text without -v: the healthy one is left out, the warning is brief */
	CU_ASSERT_EQUAL(seen.begins, 1);
	CU_ASSERT_EQUAL(seen.ends, 1);
	CU_ASSERT_EQUAL_FATAL(seen.n, 3);
	CU_ASSERT_EQUAL(seen.index[0], 2);
	CU_ASSERT_TRUE(seen.brief[0]);
	CU_ASSERT_EQUAL(seen.index[1], 3);
	CU_ASSERT_FALSE(seen.brief[1]);
	CU_ASSERT_EQUAL(seen.index[2], 4);
	CU_ASSERT_FALSE(seen.brief[2]);
	CU_ASSERT_EQUAL(seen.not_shown, 1);

	run(&quiet, true, false);    /* -v: everything, nothing brief */
	CU_ASSERT_EQUAL_FATAL(seen.n, 4);
	for (unsigned i = 0; i < 4; i++)
		CU_ASSERT_FALSE(seen.brief[i]);
	CU_ASSERT_EQUAL(seen.not_shown, 0);

	run(&all, false, false);     /* JSON: everything; the healthy and the warning one marked brief */
	CU_ASSERT_EQUAL_FATAL(seen.n, 4);
	CU_ASSERT_TRUE(seen.brief[0]);
	CU_ASSERT_TRUE(seen.brief[1]);
	CU_ASSERT_FALSE(seen.brief[2]);
	CU_ASSERT_EQUAL(seen.not_shown, 0);

	run(&all, true, true);       /* --only-failures leaves healthy ones out whatever the format and -v */
	CU_ASSERT_EQUAL_FATAL(seen.n, 3);
	CU_ASSERT_EQUAL(seen.index[0], 2);
	CU_ASSERT_FALSE(seen.brief[0]);
	CU_ASSERT_EQUAL(seen.not_shown, 1);
}

/* A format with nothing to write at the start or the end leaves those NULL. */
static void test_reporter_skips_null_calls(void)
{
	struct report_writer only = { .name = "c", .connection = rec_connection };
	run(&only, false, false);
	CU_ASSERT_EQUAL(seen.begins, 0);
	CU_ASSERT_EQUAL(seen.ends, 0);
	CU_ASSERT_EQUAL(seen.n, 4);
}

static void test_notable_and_failure(void)
{
	struct session *s = session_new_for_test();
	s->outcome = OUTCOME_COMPLETED;
	CU_ASSERT_FALSE(report_is_notable(s));
	CU_ASSERT_FALSE(report_is_failure(s));
	finding_list_add(&s->findings, "an-info", SEV_INFO, SIDE_BOTH, "s", "c", "f");
	CU_ASSERT_FALSE(report_is_notable(s));
	finding_list_add(&s->findings, "a-warning", SEV_WARNING, SIDE_CLIENT, "s", "c", "f");
	CU_ASSERT_TRUE(report_is_notable(s));
	CU_ASSERT_FALSE(report_is_failure(s));
	finding_list_add(&s->findings, "an-error", SEV_ERROR, SIDE_SERVER, "s", "c", "f");
	CU_ASSERT_TRUE(report_is_failure(s));
	session_free(s);
	s = session_new_for_test();
	s->outcome = OUTCOME_NOT_TLS;
	CU_ASSERT_TRUE(report_is_notable(s));
	CU_ASSERT_TRUE(report_is_failure(s));
	s->outcome = OUTCOME_INCOMPLETE;
	CU_ASSERT_FALSE(report_is_notable(s));
	session_free(s);
}

/* ---- the problem view ---- */

static struct pv {
	unsigned headlines, problems, connections;
	size_t n_problems;
	char out[4096];
} pv;

static void pv_connection(struct report_out *o, const struct session *s, bool brief)
{
	fprintf(o->f, "[conn %llu%s]", (unsigned long long)s->index, brief ? " brief" : "");
	pv.connections++;
}

static void pv_headline(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum,
			const struct problem_set *ps)
{
	(void)in, (void)n_in, (void)sum;
	fputs("[headline]", o->f);
	pv.headlines++;
	pv.n_problems = problems_count(ps);
}

static void pv_problem(struct report_out *o, const struct problem *p)
{
	fprintf(o->f, "[problem %u: %.*s]", p->rank, (int)p->story_len, p->story);
	pv.problems++;
}

static void pv_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	(void)in, (void)n_in, (void)sum;
	fputs("[end]", o->f);
}

/* n connections: 1 healthy, then errors of one cause (index 2, 3 ...). */
static void pv_run(unsigned n, int verbose)
{
	static const struct report_writer w = { .name = "pv", .quiet_when_healthy = true, .problems_first = true,
						.connection = pv_connection, .headline = pv_headline,
						.problem = pv_problem, .end = pv_end };
	struct report_opts ro = { .writer = &w, .verbose = verbose };
	struct reporter r;
	memset(&pv, 0, sizeof pv);
	FILE *out = fmemopen(pv.out, sizeof pv.out - 1, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	reporter_init(&r, out, &ro);
	reporter_begin(&r);
	for (uint64_t i = 1; i <= n; i++) {
		struct session *s = session_new_for_test();
		s->index = s->stream = i;
		s->file = "f.pcap";
		s->outcome = i == 1 ? OUTCOME_COMPLETED : OUTCOME_FAILED;
		if (i > 1)
			finding_list_add(&s->findings, "cert-expired", SEV_ERROR, SIDE_SERVER, "s", "c", "f");
		reporter_connection(&r, s);
		session_free(s);
	}
	struct summary sum;
	memset(&sum, 0, sizeof sum);
	reporter_end(&r, NULL, 0, &sum);
	reporter_free(&r);
	fclose(out);
}

static void test_problem_view(void)
{
	pv_run(2, 0);   /* two connections: told as before, no problem view */
	CU_ASSERT_EQUAL(pv.headlines, 0);
	CU_ASSERT_STRING_EQUAL(pv.out, "[conn 2][end]");
	pv_run(2, 1);   /* -v: the healthy one too */
	CU_ASSERT_STRING_EQUAL(pv.out, "[conn 1][conn 2][end]");
	pv_run(4, 0);   /* three errors: the headline, the problem with its story, nothing else */
	CU_ASSERT_EQUAL(pv.headlines, 1);
	CU_ASSERT_EQUAL(pv.n_problems, 1);
	CU_ASSERT_STRING_EQUAL(pv.out, "[headline][problem 1: [conn 2]][end]");
	pv_run(4, 1);   /* -v: then every connection with a finding */
	CU_ASSERT_STRING_EQUAL(pv.out, "[headline][problem 1: [conn 2]][conn 2][conn 3][conn 4][end]");
	pv_run(4, 2);   /* -vv: every connection */
	CU_ASSERT_STRING_EQUAL(pv.out, "[headline][problem 1: [conn 2]][conn 1][conn 2][conn 3][conn 4][end]");
}

void register_reporter_tests(void)
{
	CU_pSuite suite = CU_add_suite("reporter", NULL, NULL);
	CU_add_test(suite, "writer_find: the four formats and md, nothing else", test_writer_find);
	CU_add_test(suite, "reporter: -v, --only-failures and brief per format", test_reporter_hands_over_what_the_format_shows);
	CU_add_test(suite, "reporter: NULL calls are skipped", test_reporter_skips_null_calls);
	CU_add_test(suite, "report_is_notable / report_is_failure", test_notable_and_failure);
	CU_add_test(suite, "reporter: problem view past two connections, -v and -vv after it", test_problem_view);
}
