/* test_problems.c - grouping connections into problems: what makes two the same, counts, ranks, filters, files. */
#include "problems.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include <openssl/evp.h>

#include "mem.h"
#include "session.h"
#include "x509.h"
#include "unit.h"
#include "x509.h"

/* A connection from 10.0.0.<client> to 192.0.2.<server>:443 with SNI sni and one finding id. */
static struct session *conn(const char *file, uint64_t stream, int client, int server, const char *sni, const char *id,
			    int sev)
{
	struct session *s = session_new_for_test();
	s->file = file;
	s->stream = s->index = stream;
	s->af = 4;
	s->client_ip[0] = 10, s->client_ip[3] = (uint8_t)client;
	s->server_ip[0] = 192, s->server_ip[2] = 2, s->server_ip[3] = (uint8_t)server;
	s->server_port = 443;
	s->start_time.sec = (int64_t)(1000 + stream);
	s->ts_prec = 6;
	s->outcome = OUTCOME_FAILED;
	if (sni) {
		s->ch.present = s->ch.has_sni = true;
		s->ch.sni = arena_strndup(&s->arena, sni, strlen(sni));
		s->ch.sni_len = (uint16_t)strlen(sni);
	}
	if (id)
		finding_list_add(&s->findings, id, sev, SIDE_SERVER, "s", "c", "f");
	return s;
}

static const struct problem *add(struct problem_set *ps, struct session *s, bool *first)
{
	const struct problem *p = problems_add(ps, s, first);
	session_free(s);
	return p;
}

static void test_same_cause_same_problem(void)
{
	struct problem_set *ps = problems_new();
	bool first;
	const struct problem *a = add(ps, conn("f", 0, 1, 1, "api.example.test", "hostname-mismatch", SEV_ERROR), &first);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(first);
	CU_ASSERT_PTR_EQUAL(add(ps, conn("f", 3, 2, 1, "api.example.test", "hostname-mismatch", SEV_ERROR), &first), a);
	CU_ASSERT_FALSE(first);
	/* tenants of one service without a certificate seen: one server */
	CU_ASSERT_PTR_EQUAL(add(ps, conn("f", 5, 2, 2, "tenant.example.test", "hostname-mismatch", SEV_ERROR), &first), a);
	/* another finding, another parent name: other problems */
	const struct problem *b = add(ps, conn("f", 7, 1, 1, "api.example.test", "cert-expired", SEV_ERROR), &first);
	CU_ASSERT_TRUE(first);
	CU_ASSERT_PTR_NOT_EQUAL(b, a);
	CU_ASSERT_PTR_NOT_EQUAL(add(ps, conn("f", 8, 1, 1, "api.other.test", "hostname-mismatch", SEV_ERROR), &first), a);
	/* warnings only: a warning problem; nothing notable: none */
	const struct problem *w = add(ps, conn("f", 9, 1, 1, NULL, "no-sni", SEV_WARNING), &first);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->severity, SEV_WARNING);
	CU_ASSERT_PTR_NULL(add(ps, conn("f", 10, 1, 1, NULL, NULL, 0), &first));
	CU_ASSERT_PTR_NULL(add(ps, conn("f", 11, 1, 1, NULL, "no-sni", SEV_INFO), &first));

	problems_finish(ps);
	CU_ASSERT_EQUAL_FATAL(problems_count(ps), 4);
	const struct problem *top = problems_get(ps, 0);
	CU_ASSERT_PTR_EQUAL(top, a);
	CU_ASSERT_EQUAL(top->rank, 1);
	CU_ASSERT_EQUAL(top->connections, 3);
	CU_ASSERT_EQUAL(top->clients, 2);
	CU_ASSERT_EQUAL(top->servers, 2);
	CU_ASSERT_EQUAL(top->snis, 2);
	CU_ASSERT_EQUAL(top->first_time.sec, 1000);
	CU_ASSERT_EQUAL(top->last_time.sec, 1005);
	CU_ASSERT_EQUAL(top->rep_stream, 0);
	CU_ASSERT_EQUAL_FATAL(top->n_files, 1);
	CU_ASSERT_EQUAL(top->files[0].n, 3);
	CU_ASSERT_EQUAL(top->files[0].streams[2], 5);
	CU_ASSERT_STRING_EQUAL(top->title, "Server *.example.test at 2 endpoints presents a certificate for another name "
					   "(its certificate); 3 connections from 2 clients");
	CU_ASSERT_EQUAL(problems_get(ps, 3)->severity, SEV_WARNING);   /* warnings after every error */
	CU_ASSERT_EQUAL(problems_connections(ps, SEV_ERROR), 5);
	CU_ASSERT_EQUAL(problems_connections(ps, SEV_WARNING), 1);
	problems_free(ps);
}

static void test_files_and_filters(void)
{
	struct problem_set *ps = problems_new();
	bool first;
	const struct problem *p = NULL;
	for (uint64_t i = 0; i < 450; i++)
		p = add(ps, conn("a.pcap", i * 2, 1, 1, "x.example.test", "cert-expired", SEV_ERROR), &first);
	add(ps, conn("b.pcap", 4, 1, 1, "x.example.test", "cert-expired", SEV_ERROR), &first);
	problems_finish(ps);
	CU_ASSERT_EQUAL_FATAL(p->n_files, 2);
	CU_ASSERT_STRING_EQUAL(p->files[0].file, "a.pcap");
	CU_ASSERT_EQUAL(p->files[0].n, 450);
	CU_ASSERT_EQUAL(p->files[1].n, 1);
	CU_ASSERT_EQUAL(problem_filter_count(&p->files[0]), 3);   /* 200 + 200 + 50 */
	char buf[PROBLEM_FILTER_LEN];
	problem_filter(&p->files[0], 2, buf, sizeof buf);
	CU_ASSERT_EQUAL(strncmp(buf, "tcp.stream in {800 802 ", 23), 0);
	CU_ASSERT_STRING_EQUAL(buf + strlen(buf) - 5, " 898}");
	problem_filter(&p->files[1], 0, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "tcp.stream in {4}");
	CU_ASSERT_EQUAL(p->connections, 451);
	problems_free(ps);
}

static void test_story_is_capped(void)
{
	struct problem_set *ps = problems_new();
	bool first;
	struct session *s = conn("f", 0, 1, 1, NULL, "cert-expired", SEV_ERROR);
	struct problem *p = problems_add(ps, s, &first);
	session_free(s);
	char *big = mem_alloc(PROBLEM_STORY_MAX + 10);
	memset(big, 'x', PROBLEM_STORY_MAX + 9);
	problem_set_story(p, big, PROBLEM_STORY_MAX + 9);
	CU_ASSERT_EQUAL(p->story_len, PROBLEM_STORY_MAX);
	CU_ASSERT_EQUAL(p->story[PROBLEM_STORY_MAX], '\0');
	mem_free(big);
	problems_free(ps);
}

/* Past PROBLEMS_MAX distinct causes, every further connection is counted in one catch-all. */
static void test_catch_all(void)
{
	struct problem_set *ps = problems_new();
	bool first;
	char sni[64];
	for (unsigned i = 0; i < PROBLEMS_MAX + 5; i++) {
		snprintf(sni, sizeof sni, "x.host%u.test", i);
		add(ps, conn("f", i, 1, 1, sni, "cert-expired", SEV_ERROR), &first);
	}
	/* a warning past the cap stays a warning: an error problem holds errors only */
	const struct problem *w = add(ps, conn("f", 999, 1, 1, NULL, "no-sni", SEV_WARNING), &first);
	CU_ASSERT_TRUE(w->catch_all);
	CU_ASSERT_EQUAL(w->severity, SEV_WARNING);
	problems_finish(ps);
	CU_ASSERT_EQUAL_FATAL(problems_count(ps), PROBLEMS_MAX + 2);
	const struct problem *last = problems_get(ps, PROBLEMS_MAX);
	CU_ASSERT_TRUE(last->catch_all);
	CU_ASSERT_EQUAL(last->severity, SEV_ERROR);
	CU_ASSERT_EQUAL(last->connections, 5);
	CU_ASSERT_PTR_EQUAL(problems_get(ps, PROBLEMS_MAX + 1), w);
	CU_ASSERT_EQUAL(problems_connections(ps, SEV_ERROR), PROBLEMS_MAX + 5);
	CU_ASSERT_EQUAL(problems_connections(ps, SEV_WARNING), 1);
	problems_free(ps);
}

/* Connections judged with cert-not-yet-valid before the capture's clock was
 * learned: the offset withdraws the id from their problem, if it covers all. */
static struct session *early_in(const char *file, uint64_t stream, struct x509_cert *leaf, struct cert_entry *e,
				 int64_t t)
{
	struct session *s = conn(file, stream, (int)stream, 1, "api.example.test", "cert-not-yet-valid", SEV_ERROR);
	finding_list_add(&s->findings, "alert", SEV_ERROR, SIDE_CLIENT, "s", "c", "f");
	e->x509 = leaf;
	s->server_chain.state = CHAIN_SEEN;
	s->server_chain.n = s->server_chain.count = 1;
	s->server_chain.certs = e;
	s->server_chain.time.sec = t;
	return s;
}

static struct session *early(uint64_t stream, struct x509_cert *leaf, struct cert_entry *e, int64_t t)
{
	return early_in("f", stream, leaf, e, t);
}

/* The certificates are the test's own: not the session's to release. */
static const struct problem *add_early(struct problem_set *ps, struct session *s, bool *first)
{
	const struct problem *p = problems_add(ps, s, first);
	s->server_chain.n = 0;
	session_free(s);
	return p;
}

static void test_clock_withdraws_not_yet_valid(void)
{
	static struct x509_cert soon = { .has_validity = true, .not_before = 1000 + 500, .not_after = 100000 };
	static struct x509_cert later = { .has_validity = true, .not_before = 1000 + 90000, .not_after = 200000 };
	later.sha256[0] = 1;   /* another certificate: another problem */
	struct cert_entry e[3];
	struct problem_set *ps = problems_new();
	bool first;
	const struct problem *a = add_early(ps, early(0, &soon, &e[0], 1000), &first);
	add_early(ps, early(1, &soon, &e[1], 1200), &first);   /* the earliest member needs the most: 500 s */
	const struct problem *b = add_early(ps, early(2, &later, &e[2], 1000), &first);
	CU_ASSERT_PTR_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(a->clock_need, 500);
	problems_apply_clock(ps, NULL, 499);   /* not all of it: kept */
	CU_ASSERT_EQUAL(a->n_ids, 2);
	CU_ASSERT_EQUAL(a->judged_early, 0);
	problems_apply_clock(ps, NULL, 500 + 3600);
	problems_finish(ps);
	CU_ASSERT_EQUAL_FATAL(a->n_ids, 1);
	CU_ASSERT_STRING_EQUAL(a->ids[0], "alert");
	CU_ASSERT_EQUAL(a->judged_early, 2);
	CU_ASSERT_PTR_NULL(strstr(a->title, "not yet valid"));
	/* 89,000 s after the capture time: beyond the offset, still not yet valid */
	CU_ASSERT_EQUAL(b->n_ids, 2);
	CU_ASSERT_STRING_EQUAL(b->ids[0], "cert-not-yet-valid");
	CU_ASSERT_EQUAL(b->judged_early, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b->title, "not yet valid"));
	problems_free(ps);
}

/* Each capture file has its own clock: one file's offset withdraws nothing
 * from another's members, nor from a problem whose members span both. */
static void test_clock_per_file(void)
{
	static struct x509_cert soon = { .has_validity = true, .not_before = 1000 + 500, .not_after = 100000 };
	static struct x509_cert other = { .has_validity = true, .not_before = 1000 + 600, .not_after = 100000 };
	other.sha256[0] = 2;   /* another certificate: another problem */
	struct cert_entry e[3];
	struct problem_set *ps = problems_new();
	bool first;
	const struct problem *mixed = add_early(ps, early_in("f", 0, &soon, &e[0], 1000), &first);
	add_early(ps, early_in("g", 1, &soon, &e[1], 1000), &first);
	const struct problem *g = add_early(ps, early_in("g", 2, &other, &e[2], 1000), &first);
	CU_ASSERT_PTR_NOT_EQUAL(mixed, g);
	CU_ASSERT_EQUAL(mixed->connections, 2);
	problems_apply_clock(ps, "f", 500 + 3600);   /* f's clock: g's members keep their verdict */
	CU_ASSERT_EQUAL(mixed->n_ids, 2);
	CU_ASSERT_EQUAL(g->n_ids, 2);
	problems_apply_clock(ps, "g", 600 + 3600);   /* g's clock: g's own problem only */
	CU_ASSERT_EQUAL(mixed->n_ids, 2);
	CU_ASSERT_EQUAL(mixed->judged_early, 0);
	CU_ASSERT_EQUAL_FATAL(g->n_ids, 1);
	CU_ASSERT_STRING_EQUAL(g->ids[0], "alert");
	CU_ASSERT_EQUAL(g->judged_early, 1);
	problems_free(ps);
}

/* ---- chains: which differences make another problem ---- */

struct der {
	uint8_t *b;
	size_t n;
};

/* Give s the server chain of the certificates (leaf first). */
static struct session *with_chain(struct session *s, const struct der *const *certs, uint32_t n)
{
	s->server_chain.state = CHAIN_SEEN;
	s->server_chain.count = s->server_chain.n = n;
	s->server_chain.certs = arena_alloc(&s->arena, n * sizeof *s->server_chain.certs);
	for (uint32_t i = 0; i < n; i++) {
		s->server_chain.certs[i].der_len = (uint32_t)certs[i]->n;
		s->server_chain.certs[i].x509 = x509_get(certs[i]->b, certs[i]->n);
	}
	return s;
}

static void test_untrusted_chain_by_its_end(void)
{
	EVP_PKEY *kr1 = test_key_ec(), *kr2 = test_key_ec(), *ki1 = test_key_ec(), *ki2 = test_key_ec();
	EVP_PKEY *kl1 = test_key_ec(), *kl2 = test_key_ec(), *kl3 = test_key_ec();
	struct der r1, r2, i1, i2, l1, l2, l3;
	r1.b = test_cert_der("Root One", "Root One", kr1, kr1, 1, true, &r1.n);
	r2.b = test_cert_der("Root Two", "Root Two", kr2, kr2, 2, true, &r2.n);
	i1.b = test_cert_der("Issuing One", "Root One", ki1, kr1, 3, true, &i1.n);
	i2.b = test_cert_der("Issuing Two", "Root Two", ki2, kr2, 4, true, &i2.n);
	l1.b = test_cert_der("api.example.test", "Issuing One", kl1, ki1, 5, false, &l1.n);
	l2.b = test_cert_der("api.example.test", "Issuing One", kl2, ki1, 6, false, &l2.n);   /* another key */
	l3.b = test_cert_der("api.example.test", "Issuing Two", kl3, ki2, 7, false, &l3.n);
	const struct der *c2[] = { &l1, &i1 }, *c3[] = { &l1, &i1, &r1 }, *other_leaf[] = { &l2, &i1 },
			 *other_root[] = { &l3, &i2 };
	struct problem_set *ps = problems_new();
	bool first;
	const char *sni = "a.example.test";
	const struct problem *a = add(ps, with_chain(conn("f", 0, 1, 1, sni, "chain-untrusted", SEV_WARNING), c2, 2),
				      &first);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	/* the root sent along, another leaf key, a CertificateRequest: one reason, one fix */
	CU_ASSERT_PTR_EQUAL(add(ps, with_chain(conn("f", 1, 2, 1, sni, "chain-untrusted", SEV_WARNING), c3, 3), &first), a);
	CU_ASSERT_PTR_EQUAL(add(ps, with_chain(conn("f", 2, 3, 2, sni, "chain-untrusted", SEV_WARNING), other_leaf, 2),
				&first), a);
	struct session *m = with_chain(conn("f", 3, 4, 1, sni, "chain-untrusted", SEV_WARNING), c2, 2);
	static const uint8_t dn[] = { 0x30, 0x00 };
	m->cr.present = true;
	m->cr.dn_bytes = (uint8_t *)dn;
	m->cr.dn_bytes_len = sizeof dn;
	CU_ASSERT_PTR_EQUAL(problems_add(ps, m, &first), a);
	m->cr.dn_bytes = NULL;
	session_free(m);
	/* another root is another root to import */
	const struct problem *b = add(ps, with_chain(conn("f", 4, 1, 1, sni, "chain-untrusted", SEV_WARNING), other_root, 2),
				      &first);
	CU_ASSERT_TRUE(first);
	CU_ASSERT_PTR_NOT_EQUAL(b, a);
	/* an expired certificate is keyed certificate by certificate: two chains, two problems ... */
	const struct problem *e2 = add(ps, with_chain(conn("f", 5, 1, 1, sni, "cert-expired", SEV_ERROR), c2, 2), &first);
	const struct problem *e3 = add(ps, with_chain(conn("f", 6, 1, 1, sni, "cert-expired", SEV_ERROR), c3, 3), &first);
	CU_ASSERT_PTR_NOT_EQUAL(e2, e3);
	problems_set_store(ps, "the system trust store (no --ca-file given)");   /* main.c's words without --ca-file */
	problems_finish(ps);
	CU_ASSERT_EQUAL_FATAL(problems_count(ps), 4);
	CU_ASSERT_EQUAL(a->connections, 4);
	CU_ASSERT_EQUAL(a->servers, 2);
	CU_ASSERT_STRING_EQUAL(a->title, "Server a.example.test at 2 endpoints: the chain (CN=api.example.test, chain ends "
					 "at CN=Root One) does not verify against the system trust store (no --ca-file given); "
					 "4 connections from 4 clients");
	CU_ASSERT_STRING_EQUAL(b->title, "Server 192.0.2.1:443 (SNI a.example.test): the chain (CN=api.example.test, chain "
					 "ends at CN=Root Two) does not verify against the system trust store (no --ca-file "
					 "given); 1 connection from 1 client");
	/* ... whose titles would read the same: each names the first fact that differs */
	CU_ASSERT_STRING_EQUAL(e2->title, "Server 192.0.2.1:443 (SNI a.example.test) presents a certificate that has "
					  "expired (CN=api.example.test) [chain of 2 certificates ending at CN=Root One]; "
					  "1 connection from 1 client");
	CU_ASSERT_STRING_EQUAL(e3->title, "Server 192.0.2.1:443 (SNI a.example.test) presents a certificate that has "
					  "expired (CN=api.example.test) [chain of 3 certificates ending at CN=Root One]; "
					  "1 connection from 1 client");
	problems_free(ps);
	const struct der *all[] = { &r1, &r2, &i1, &i2, &l1, &l2, &l3 };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]->b);
	EVP_PKEY *keys[] = { kr1, kr2, ki1, ki2, kl1, kl2, kl3 };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		EVP_PKEY_free(keys[i]);
}

void register_problems_tests(void)
{
	CU_pSuite suite = CU_add_suite("problems", NULL, NULL);
	CU_add_test(suite, "problems: same ids, server and facts group; counts, rank, title", test_same_cause_same_problem);
	CU_add_test(suite, "problems: streams per file, filters of 200 streams", test_files_and_filters);
	CU_add_test(suite, "problems: the representative's story is capped", test_story_is_capped);
	CU_add_test(suite, "problems: a catch-all past PROBLEMS_MAX", test_catch_all);
	CU_add_test(suite, "problems: the capture's clock withdraws cert-not-yet-valid judged early",
		    test_clock_withdraws_not_yet_valid);
	CU_add_test(suite, "problems: each file's clock withdraws only its own members' cert-not-yet-valid",
		    test_clock_per_file);
	CU_add_test(suite, "problems: an untrusted chain by where it ends; titles that would read the same told apart",
		    test_untrusted_chain_by_its_end);
}
