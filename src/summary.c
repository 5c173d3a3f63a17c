/* summary.c - counting reported connections for the run's summary: by outcome, by finding id, by server. */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "fmt.h"
#include "mem.h"
#include "redact.h"

#define SERVER_SLOTS (SUMMARY_SERVERS * 4)   /* open addressing, a power of two */

struct summary_tables {
	uint64_t id_counts[SUMMARY_IDS];          /* by catalogue index */
	struct server_stat servers[SUMMARY_SERVERS];   /* in the order first seen */
	uint32_t n_servers;
	uint16_t server_slot[SERVER_SLOTS];       /* index + 1, 0 = empty */
	struct server_stat sorted[SUMMARY_SERVERS];
};

void summary_init(struct summary *sum)
{
	memset(sum, 0, sizeof *sum);
	sum->tables = mem_alloc(sizeof *sum->tables);
}

void summary_free(struct summary *sum)
{
	mem_free(sum->tables);
	sum->tables = NULL;
}

_Static_assert(SUMMARY_IDS <= 64, "count_ids keeps the ids seen in a 64-bit mask");

/* A connection counts once per id it has a warning or an error of. Most
 * findings are information (what TLS 1.3 hides, the root sent): the
 * catalogue is looked up for the others only. */
static void count_ids(struct summary_tables *t, const struct session *s)
{
	size_t n_ids;
	const struct rule_info *cat = diagnose_catalogue(&n_ids);
	uint64_t seen = 0;   /* by catalogue index */
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		if (f->severity < SEV_WARNING)
			continue;
		for (size_t k = 0; k < n_ids && k < SUMMARY_IDS; k++)
			if (f->id == cat[k].id || strcmp(f->id, cat[k].id) == 0) {
				seen |= 1ull << k;
				break;
			}
	}
	for (size_t k = 0; seen; k++, seen >>= 1)
		t->id_counts[k] += seen & 1;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* The SNI as a table label: printable ASCII as sent ('?' for any other
 * byte), pseudonymised under --redact; a name that is already a label is
 * copied, as most are. */
static size_t server_label(char sni[SUMMARY_LABEL_LEN], const struct session *s)
{
	size_t n = 0;
	if (!s->ch.has_sni) {
		sni[0] = '\0';
		return 0;
	}
	bool plain = !redact_names() && s->ch.sni_len < SUMMARY_LABEL_LEN;
	for (size_t i = 0; plain && i < s->ch.sni_len; i++)
		plain = (unsigned char)s->ch.sni[i] > 0x20 && (unsigned char)s->ch.sni[i] < 0x7f;
	if (plain) {
		n = s->ch.sni_len;
		if (n)
			memcpy(sni, s->ch.sni, n);
	} else {
		char shown[FMT_SNI_LEN];
		size_t m = fmt_sni(shown, sizeof shown, s->ch.sni, s->ch.sni_len);
		for (size_t i = 0; i < m && n + 1 < SUMMARY_LABEL_LEN; i++) {
			unsigned char ch = (unsigned char)shown[i];
			sni[n++] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';   /* a label for the table, not evidence */
		}
	}
	sni[n] = '\0';
	return n;
}

/* The row of the server a connection went to (its address and name as
 * the table shows them), created on first sight; NULL once the table is
 * full. Rows are found by the real address, so pseudonyms of two
 * addresses stay two rows, and the address is formatted only for a new
 * row: most lookups of a busy capture miss a full table. */
struct server_stat *summary_server(struct summary *sum, const struct session *s)
{
	struct summary_tables *t = sum->tables;
	char sni[SUMMARY_LABEL_LEN];
	size_t n = server_label(sni, s);
	uint64_t ip[2];
	memcpy(ip, s->server_ip, sizeof ip);
	uint64_t key = (ip[0] * 0x9e3779b97f4a7c15ull) ^ ip[1] ^ ((uint64_t)s->server_port << 8 | s->af);
	key = fnv1a(key * 0xbf58476d1ce4e5b9ull, sni, n);
	uint32_t slot = (uint32_t)(key & (SERVER_SLOTS - 1));
	while (t->server_slot[slot]) {
		struct server_stat *w = &t->servers[t->server_slot[slot] - 1];
		if (w->key == key && w->af == s->af && w->port == s->server_port &&
		    !memcmp(w->ip, s->server_ip, sizeof w->ip) && !strcmp(w->sni, sni))
			return w;
		slot = (slot + 1) & (SERVER_SLOTS - 1);
	}
	if (t->n_servers == SUMMARY_SERVERS)
		return NULL;
	t->server_slot[slot] = (uint16_t)(t->n_servers + 1);
	struct server_stat *v = &t->servers[t->n_servers++];
	v->key = key;
	v->af = s->af;
	v->port = s->server_port;
	memcpy(v->ip, s->server_ip, sizeof v->ip);
	fmt_endpoint(v->endpoint, sizeof v->endpoint, s->af, s->server_ip, s->server_port);
	memcpy(v->sni, sni, n + 1);
	return v;
}

static bool ts_less(const struct ts *a, const struct ts *b)
{
	return a->sec < b->sec || (a->sec == b->sec && a->nsec < b->nsec);
}

static void span(struct summary *sum, const struct session *s)
{
	if (!sum->has_time || ts_less(&s->start_time, &sum->first_time))
		sum->first_time = s->start_time;
	if (!sum->has_time || ts_less(&sum->last_time, &s->end_time))
		sum->last_time = s->end_time;
	if (s->ts_prec > sum->ts_prec)
		sum->ts_prec = s->ts_prec;
	sum->has_time = true;
}

void tally(struct summary *sum, const struct session *s)
{
	bool err = finding_list_has_error(&s->findings), warn = false;
	bool failed = s->outcome == OUTCOME_FAILED || s->outcome == OUTCOME_NOT_TLS;
	sum->tls_connections++;
	span(sum, s);
	sum->outcome[s->outcome]++;
	sum->server_chains += s->server_chain.state == CHAIN_SEEN && s->server_chain.count > 0;
	sum->client_chains += s->client_chain.state == CHAIN_SEEN && s->client_chain.count > 0;
	count_ids(sum->tables, s);
	for (uint32_t i = 0; i < s->findings.n; i++)
		if (s->findings.v[i].severity == SEV_WARNING)
			warn = true;
	if (err)
		sum->with_error++;
	else if (warn)
		sum->with_warning++;
	else if (s->outcome == OUTCOME_COMPLETED)
		sum->healthy++;
	struct server_stat *v = summary_server(sum, s);
	if (!v) {
		sum->servers_not_listed++;
		return;
	}
	v->connections++;
	v->failed += failed;
	v->with_error += err;
}

void summary_failed_after_report(struct summary *sum, uint8_t was, const char *id, struct server_stat *row)
{
	sum->failed_after_report++;
	if (sum->outcome[OUTCOME_COMPLETED])
		sum->outcome[OUTCOME_COMPLETED]--;
	sum->outcome[OUTCOME_FAILED]++;
	if (row) {
		row->failed++;
		row->with_error += was != 2;
	}
	if (was == 2)
		return;   /* already counted with an error */
	if (was == 1 && sum->with_warning)
		sum->with_warning--;
	else if (was == 0 && sum->healthy)
		sum->healthy--;
	sum->with_error++;
	size_t n_ids;
	const struct rule_info *cat = diagnose_catalogue(&n_ids);
	for (size_t k = 0; k < n_ids && k < SUMMARY_IDS; k++)
		if (!strcmp(cat[k].id, id))
			sum->tables->id_counts[k]++;
}

static int by_trouble(const void *x, const void *y)
{
	const struct server_stat *p = x, *q = y;
	if (p->with_error != q->with_error)
		return p->with_error < q->with_error ? 1 : -1;
	if (p->failed != q->failed)
		return p->failed < q->failed ? 1 : -1;
	if (p->connections != q->connections)
		return p->connections < q->connections ? 1 : -1;
	int c = strcmp(p->endpoint, q->endpoint);
	return c ? c : strcmp(p->sni, q->sni);
}

void summary_finish(struct summary *sum)
{
	struct summary_tables *t = sum->tables;
	size_t n_ids;
	const struct rule_info *cat = diagnose_catalogue(&n_ids);
	sum->n_ids = 0;
	for (size_t k = 0; k < n_ids && k < SUMMARY_IDS; k++) {
		if (!t->id_counts[k])
			continue;
		sum->by_id[sum->n_ids].id = cat[k].id;
		sum->by_id[sum->n_ids].connections = t->id_counts[k];
		sum->n_ids++;
	}
	/* sorted apart: servers[] keeps its order, the hash slots point into it */
	memcpy(t->sorted, t->servers, t->n_servers * sizeof *t->servers);
	qsort(t->sorted, t->n_servers, sizeof *t->sorted, by_trouble);
	sum->servers = t->sorted;
	sum->n_servers = t->n_servers;
}

void summary_left_out(struct strbuf *b, const struct summary *sum)
{
	if (!sum->not_tls_left_out)
		return;
	sb_printf(b, "%" PRIu64 " TCP connection%s on port%s ", sum->not_tls_left_out, sum->not_tls_left_out == 1 ? "" : "s",
		  sum->n_not_tls_ports == 1 ? "" : "s");
	for (uint32_t i = 0; i < sum->n_not_tls_ports; i++)
		sb_printf(b, "%s%u", i ? ", " : "", sum->not_tls_ports[i]);
	if (sum->not_tls_left_out > sum->n_not_tls_ports && sum->n_not_tls_ports == SUMMARY_NOT_TLS_PORTS)
		sb_printf(b, " ...");
	sb_printf(b, " not TLS: not analysed (--tls-port PORT reports them as not-tls)");
}
