/* conn.h - one TCP connection as the analyzer (analyze.c) tracks it: both endpoints' TCP state and
 * counts, the session it feeds, and its place on the analyzer's waiting lists. */
#ifndef TLSDIAG_CONN_H
#define TLSDIAG_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "session.h"
#include "tcp_reasm.h"

struct after_report;
struct analyzer;
struct ev_conn;
struct tls_conn;

enum { CLOSING_CLEAN, CLOSING_LONG };
enum { LIST_CLOSING, LIST_WAITING };   /* the lists a connection waits on */

struct ep_stats {
	uint64_t packets;
	uint64_t bytes;
	bool syn, fin, rst;
	bool lost_start;          /* the first bytes of this endpoint were not captured */
	uint64_t fin_frame, rst_frame;
	struct ts close_time;     /* its first FIN or RST */
};

struct conn {
	struct analyzer *a;
	struct flow *flow;
	int client_ep;            /* endpoint index of the client, -1 while unknown */
	bool roles_guessed;
	int first_fin_ep;         /* -1 until a FIN */
	bool counted_left_out;    /* not TLS, not reported: in the summary's count */
	struct tcp_dir tcp[2];    /* by endpoint */
	struct ep_stats ep[2];
	uint64_t first_frame, last_frame;
	struct ts first_time, last_time;
	struct session *s;        /* created with the first payload */
	struct tls_conn *tls;
	struct ev_conn *ev;       /* -w: packets held until the verdict */
	bool verdict;             /* -w verdict given */
	bool reported;            /* live: already reported, only TCP tracking goes on */
	struct after_report *watch;   /* live, reported completed: a refusal after it still counts */
	bool closing;             /* RST or FIN both ways seen: lingering */
	uint8_t close_kind;
	uint8_t closing_list;     /* CLOSING_CLEAN or CLOSING_LONG; beside close_kind, so a conn fits 512 bytes (mem.c) */
	uint64_t close_frame;
	int64_t close_ns;
	struct conn *prev[2], *next[2];   /* its place on each list (LIST_*) */
	bool keywait_closed;      /* live: closed, its linger over, its records waiting for their keys */
	bool waiting;             /* TLS 1.3: on the list awaiting the server's answer */
	int64_t wait_since_ns;
};

/* Connections waiting for a time, oldest first, linked by their prev[k] and next[k]. */
struct conn_list {
	struct conn *head, *tail;
};

/* The side (SIDE_CLIENT, SIDE_SERVER) of endpoint ep. */
int conn_side(const struct conn *c, int ep);

/* The roles from the first payload (n bytes from endpoint ep), once. */
void conn_decide_roles(struct conn *c, int ep, const uint8_t *p, uint32_t n);

/* The end of list l, and off it again, by c's links k (LIST_*). */
void conn_list_append(struct conn_list *l, int k, struct conn *c);
void conn_list_unlink(struct conn_list *l, int k, struct conn *c);

/* The connection's TCP facts into its session: addresses, frames, counts, how it closed
 * (close_kind: enum close_kind, in frame). */
void conn_tcp_facts(const struct conn *c, struct session *s, const char *file, int ts_digits, int close_kind,
		    uint64_t frame);

#endif
