/* budget.h - the memory that the connections of one analyzer share. */
#ifndef TLSDIAG_BUDGET_H
#define TLSDIAG_BUDGET_H

#include <stdint.h>

/*
 * Bytes held across all connections of one analyzer, each checked against
 * its LIM_*_TOTAL cap (limits.h) before it grows. The analyzer owns one and
 * hands a pointer to every connection's TCP and TLS state, so two analyzers
 * (or two unit tests) never share a count.
 */
struct budget {
	uint64_t ooo_bytes;         /* out-of-order TCP payload queued (LIM_OOO_BYTES_TOTAL) */
	uint64_t handshake_bytes;   /* partial handshake messages buffered (LIM_HANDSHAKE_BYTES_TOTAL) */
	uint64_t keywait_bytes;     /* records held for keys not read yet (LIM_KEYWAIT_BYTES_TOTAL, tls_conn.h) */
};

#endif
