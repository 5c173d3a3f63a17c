/* problems.h - connections that fail for one cause, grouped: the report's first view.
 *
 * A problem is the connections with the same error (or, without an error,
 * warning) finding ids, towards the same server (its certificate, else its
 * SNI, else its address) and the same distinguishing facts, those its
 * findings speak to (acceptable CA list and client certificate issuer,
 * server chain, first fatal alert and its sender, offered versions when
 * versions are the issue; for an untrusted server chain, where it ends and
 * the leaf's subject instead of the chain). Only compact facts are kept per
 * problem; no session outlives its report.
 *
 * Usage (reporter.c does this; a writer only reads what it is handed):
 *
 *   struct problem_set *ps = problems_new();
 *   bool first;
 *   struct problem *p = problems_add(ps, s, &first);   // each settled connection; NULL: no problem
 *   if (first)                                          // s is p's representative:
 *       problem_set_story(p, text, len);                //   its story as the writer tells it
 *   problems_finish(ps);                                // titles, most connections first
 *   for (size_t i = 0; i < problems_count(ps); i++)
 *       writer->problem(o, problems_get(ps, i));        // p->title, p->connections, problem_filter() ...
 *   problems_free(ps);
 */
#ifndef TLSDIAG_PROBLEMS_H
#define TLSDIAG_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "session.h"

#define PROBLEMS_MAX        256u      /* problems kept; further connections join their severity's catch-all */
#define PROBLEM_IDS         12u       /* finding ids that define one */
#define PROBLEM_STREAMS_MAX 262144u   /* stream numbers listed per problem; the rest only counted */
#define PROBLEM_SET_MAX     65536u    /* distinct clients/servers/SNIs counted exactly; beyond: "at least" */
#define PROBLEM_STORY_MAX   (256u * 1024)   /* bytes of the representative's story */
#define PROBLEM_FILTER_STREAMS 200u   /* stream numbers per Wireshark filter */

struct problem_counter;   /* distinct values, counted (problems.c) */

/* The stream numbers of one capture file. */
struct problem_file {
	const char *file;         /* the caller's (options, analyzer): lives for the run */
	uint64_t *streams;        /* in the order reported */
	uint32_t n, cap;
	uint64_t not_listed;      /* beyond PROBLEM_STREAMS_MAX */
};

struct problem {
	uint32_t id;              /* creation order from 1: connections name theirs as they are written */
	uint32_t rank;            /* 1 = most connections (problems_finish) */
	uint8_t severity;         /* SEV_ERROR or SEV_WARNING */
	bool catch_all;           /* PROBLEMS_MAX reached: the rest of its severity, whatever their cause */
	const char *ids[PROBLEM_IDS];   /* finding ids (static strings), catalogue order */
	uint32_t n_ids;
	char title[1024];          /* in the playbooks' words, with the counts (problems_finish) */
	size_t title_cut;         /* where its counts start (0: unknown): a distinguishing fact goes before them */
	uint64_t connections;
	uint64_t clients, servers, snis;         /* distinct: client address, server address:port, SNI */
	bool clients_more, servers_more, snis_more;   /* at least that many: the counter was full */
	struct ts first_time, last_time;
	uint8_t ts_prec;
	/* the representative: the first connection of the problem */
	const char *rep_file;
	uint64_t rep_stream, rep_index;
	char *story;              /* as its writer told it (problem_set_story), or NULL */
	size_t story_len;
	bool written;             /* -w wrote its packets (the representative's, hence all) */
	const char *written_file;
	/* members by file, in file order */
	struct problem_file *files;
	uint32_t n_files;
	/* facts behind the title (escaped for display when the title is made) */
	char server[64];          /* the first connection's server address:port */
	char sni[96];
	char sni_parent[96];      /* "*.example.com": shown when the SNIs vary */
	char leaf_subject[160];
	char ca_list[200];        /* "CN=A" or "CN=A and 2 more" */
	char client_issuer[160];
	char untrusted_leaf[160];   /* chain-untrusted: the leaf of the chain that failed ... */
	char untrusted_end[160];    /* ... and where that chain ends (its root, sent or named) */
	uint8_t untrusted_side;     /* whose chain: SIDE_SERVER or SIDE_CLIENT */
	char alert[64];           /* "fatal alert unknown_ca (48) from the server" */
	char versions[48];
	/* cert-not-yet-valid of members reported before the capture's clock
	 * offset was learned (problems_apply_clock) */
	int64_t clock_need;       /* the most a member's certificate began after its capture time */
	const char *clock_file;   /* the capture file of those members (each file has its own clock) */
	bool clock_files;         /* ... they come from more than one file */
	uint64_t judged_early;    /* members whose cert-not-yet-valid the offset withdrew (stories still say it) */
	/* more of the first connection, for problems whose titles would read the same */
	bool cr_present, client_cert_empty, has_chain;
	uint32_t cr_bytes;        /* the CA list's length: Wireshark's "Distinguished Names Length" */
	uint32_t chain_count;     /* the server's certificates on the wire */
	char chain_end[160];      /* where the server's chain ends */
	uint8_t leaf_sha256[32];
	uint8_t key[32];          /* SHA-256 of what defines it */
	struct problem_counter *c_clients, *c_servers, *c_snis;
};

struct problem_set;

struct problem_set *problems_new(void);
/* The trust store server chains were judged against, in words for a title ("the trust store given
 * (--ca-file/--ca-path)", "the system trust store (no --ca-file given)"); the caller's, it lives
 * for the run. NULL: "the trust store". */
void problems_set_store(struct problem_set *ps, const char *words);
/* Count a settled connection in its problem (created on first sight);
 * NULL when it has no error or warning finding. *first: s is the first
 * of its problem. */
struct problem *problems_add(struct problem_set *ps, const struct session *s, bool *first);
/* Keep the representative's story (copied, cut at PROBLEM_STORY_MAX). */
void problem_set_story(struct problem *p, const char *text, size_t len);
/* Before problems_finish: the clock of capture file (NULL: of every
 * file) makes every certificate valid that begins at most covered seconds
 * after its capture time (0: nothing learned). A problem whose
 * cert-not-yet-valid all of its members owe to that (judged before the
 * offset was learned, all in that file) loses the id. */
void problems_apply_clock(struct problem_set *ps, const char *file, int64_t covered);
/* Titles and ranks: errors first, then by connections, most first. */
void problems_finish(struct problem_set *ps);
size_t problems_count(const struct problem_set *ps);
const struct problem *problems_get(const struct problem_set *ps, size_t i);   /* in rank order */
/* Connections in error problems / warning problems. */
uint64_t problems_connections(const struct problem_set *ps, int severity);
void problems_free(struct problem_set *ps);

/* The Wireshark display filters for file f of p: "tcp.stream in {1 5 9}",
 * PROBLEM_FILTER_STREAMS streams each; k-th of them into buf. Returns the
 * number of filters (0: none). */
uint32_t problem_filter_count(const struct problem_file *f);
void problem_filter(const struct problem_file *f, uint32_t k, char *buf, size_t len);
#define PROBLEM_FILTER_LEN (PROBLEM_FILTER_STREAMS * 21 + 32)

#endif
