/* tls_conn.h - one TLS connection, both directions: TCP bytes in, session facts out. */
#ifndef TLSDIAG_TLS_CONN_H
#define TLSDIAG_TLS_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
#include "session.h"

struct tls_conn;

/* Start parsing a connection whose facts go to s. mid_stream[side] says
 * that side's first byte was not captured (no SYN). Partial handshake
 * messages are charged to budget. */
struct tls_conn *tls_conn_new(struct session *s, const bool mid_stream[2], struct budget *budget);

/* In-order bytes of one side, with the frame that made them available. */
void tls_conn_data(struct tls_conn *c, int side, const uint8_t *p, uint32_t n, uint64_t frame,
		   const struct ts *t);

/* n bytes of one side were never captured. */
void tls_conn_gap(struct tls_conn *c, int side, uint32_t n, uint64_t frame, const char *why);

/* The connection is over: report a record or handshake message it cut short. */
void tls_conn_end(struct tls_conn *c, uint64_t frame, const char *why);

/* Did this side's stream contain a TLS record yet? */
bool tls_conn_side_is_tls(const struct tls_conn *c, int side);

void tls_conn_free(struct tls_conn *c);

#endif
