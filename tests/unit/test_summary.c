/* test_summary.c - tally(): connections counted by outcome, by finding id and by server, in the summary's order. */
#include "summary.h"

#include <stdio.h>
#include <string.h>

#include "diagnose.h"
#include "mem.h"
#include "session.h"
#include "unit.h"

/* A reported connection to 10.0.0.<host>:443 with SNI sni (NULL: none). */
static struct session *conn(unsigned host, const char *sni, int outcome)
{
	struct session *s = session_new_for_test();
	s->af = 4;
	s->server_ip[0] = 10;
	s->server_ip[3] = (uint8_t)host;
	s->server_port = 443;
	s->outcome = (uint8_t)outcome;
	s->ch.present = true;
	if (sni) {
		s->ch.has_sni = true;
		s->ch.sni = (char *)sni;
		s->ch.sni_len = (uint16_t)strlen(sni);
	}
	return s;
}

static void add(struct session *s, const char *id, int severity)
{
	finding_list_add(&s->findings, id, severity, SIDE_SERVER, "summary", "cause", "fix");
}

static void count(struct summary *sum, struct session *s)
{
	tally(sum, s);
	session_free(s);
}

static void test_tally_outcomes_ids_and_servers(void)
{
	size_t n_cat;
	const struct rule_info *cat = diagnose_catalogue(&n_cat);
	CU_ASSERT_FATAL(n_cat >= 3);
	struct summary sum;
	summary_init(&sum);

	count(&sum, conn(1, "a.example", OUTCOME_COMPLETED));
	struct session *s = conn(2, "b.example", OUTCOME_FAILED);
	add(s, cat[2].id, SEV_ERROR);
	add(s, cat[0].id, SEV_WARNING);
	add(s, cat[0].id, SEV_WARNING);       /* one connection counts once per id */
	count(&sum, s);
	s = conn(1, "a.example", OUTCOME_COMPLETED);
	add(s, cat[1].id, SEV_INFO);          /* information is not counted by id */
	add(s, cat[0].id, SEV_WARNING);
	count(&sum, s);
	count(&sum, conn(3, "c\x1b[31m", OUTCOME_NOT_TLS));   /* a label: controls become '?' */
	count(&sum, conn(1, NULL, OUTCOME_INCOMPLETE));
	summary_finish(&sum);

	CU_ASSERT_EQUAL(sum.tls_connections, 5);
	CU_ASSERT_EQUAL(sum.outcome[OUTCOME_COMPLETED], 2);
	CU_ASSERT_EQUAL(sum.outcome[OUTCOME_FAILED], 1);
	CU_ASSERT_EQUAL(sum.outcome[OUTCOME_NOT_TLS], 1);
	CU_ASSERT_EQUAL(sum.outcome[OUTCOME_INCOMPLETE], 1);
	CU_ASSERT_EQUAL(sum.with_error, 1);
	CU_ASSERT_EQUAL(sum.with_warning, 1);
	/* in catalogue order, ids seen only */
	CU_ASSERT_EQUAL_FATAL(sum.n_ids, 2);
	CU_ASSERT_STRING_EQUAL(sum.by_id[0].id, cat[0].id);
	CU_ASSERT_EQUAL(sum.by_id[0].connections, 2);
	CU_ASSERT_STRING_EQUAL(sum.by_id[1].id, cat[2].id);
	CU_ASSERT_EQUAL(sum.by_id[1].connections, 1);
	/* errors first, then failures, then the busiest, then by name */
	CU_ASSERT_EQUAL_FATAL(sum.n_servers, 4);
	CU_ASSERT_STRING_EQUAL(sum.servers[0].endpoint, "10.0.0.2:443");
	CU_ASSERT_EQUAL(sum.servers[0].with_error, 1);
	CU_ASSERT_EQUAL(sum.servers[0].failed, 1);
	CU_ASSERT_STRING_EQUAL(sum.servers[1].endpoint, "10.0.0.3:443");
	CU_ASSERT_STRING_EQUAL(sum.servers[1].sni, "c?[31m");
	CU_ASSERT_EQUAL(sum.servers[1].failed, 1);
	CU_ASSERT_STRING_EQUAL(sum.servers[2].endpoint, "10.0.0.1:443");
	CU_ASSERT_STRING_EQUAL(sum.servers[2].sni, "a.example");
	CU_ASSERT_EQUAL(sum.servers[2].connections, 2);
	CU_ASSERT_STRING_EQUAL(sum.servers[3].endpoint, "10.0.0.1:443");
	CU_ASSERT_STRING_EQUAL(sum.servers[3].sni, "");
	CU_ASSERT_EQUAL(sum.servers[3].connections, 1);
	CU_ASSERT_EQUAL(sum.servers_not_listed, 0);
	summary_free(&sum);
}

/* Past SUMMARY_SERVERS distinct servers, connections are counted, not listed. */
static void test_tally_servers_beyond_the_table(void)
{
	size_t mem0 = mem_in_use();
	struct summary sum;
	summary_init(&sum);
	char sni[32];
	for (unsigned i = 0; i < SUMMARY_SERVERS + 10; i++) {
		snprintf(sni, sizeof sni, "host%u.example", i);
		count(&sum, conn(1, sni, OUTCOME_COMPLETED));
	}
	count(&sum, conn(1, "host7.example", OUTCOME_FAILED));   /* listed already: counted in its row */
	summary_finish(&sum);
	CU_ASSERT_EQUAL(sum.tls_connections, SUMMARY_SERVERS + 11);
	CU_ASSERT_EQUAL(sum.n_servers, SUMMARY_SERVERS);
	CU_ASSERT_EQUAL(sum.servers_not_listed, 10);
	CU_ASSERT_STRING_EQUAL(sum.servers[0].sni, "host7.example");
	CU_ASSERT_EQUAL(sum.servers[0].connections, 2);
	CU_ASSERT_EQUAL(sum.servers[0].failed, 1);
	summary_free(&sum);
	CU_ASSERT_EQUAL(mem_in_use(), mem0);
}

/* A row is an address and a label: a name sent with a control byte and
 * one sent with the '?' it shows as are one row; another address is
 * another row (found by the real address, formatted only when new). */
static void test_tally_one_row_per_address_and_label(void)
{
	struct summary sum;
	summary_init(&sum);
	count(&sum, conn(3, "c\x1b[31m", OUTCOME_COMPLETED));
	count(&sum, conn(3, "c?[31m", OUTCOME_FAILED));
	count(&sum, conn(4, "c?[31m", OUTCOME_COMPLETED));
	char long_name[120];
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	count(&sum, conn(3, long_name, OUTCOME_COMPLETED));
	long_name[100] = 'y';                 /* past the label's 79 characters: the same row */
	count(&sum, conn(3, long_name, OUTCOME_COMPLETED));
	summary_finish(&sum);
	CU_ASSERT_EQUAL_FATAL(sum.n_servers, 3);
	CU_ASSERT_STRING_EQUAL(sum.servers[0].endpoint, "10.0.0.3:443");
	CU_ASSERT_STRING_EQUAL(sum.servers[0].sni, "c?[31m");
	CU_ASSERT_EQUAL(sum.servers[0].connections, 2);
	CU_ASSERT_EQUAL(sum.servers[0].failed, 1);
	CU_ASSERT_STRING_EQUAL(sum.servers[1].endpoint, "10.0.0.3:443");
	CU_ASSERT_EQUAL(strlen(sum.servers[1].sni), 79);
	CU_ASSERT_EQUAL(sum.servers[1].connections, 2);
	CU_ASSERT_STRING_EQUAL(sum.servers[2].endpoint, "10.0.0.4:443");
	CU_ASSERT_EQUAL(sum.servers[2].connections, 1);
	summary_free(&sum);
}

void register_summary_tests(void)
{
	CU_pSuite suite = CU_add_suite("summary", NULL, NULL);
	CU_add_test(suite, "tally: outcomes, ids once per connection, servers by trouble", test_tally_outcomes_ids_and_servers);
	CU_add_test(suite, "tally: servers beyond the table are counted, not listed", test_tally_servers_beyond_the_table);
	CU_add_test(suite, "tally: one row per address and label", test_tally_one_row_per_address_and_label);
}
