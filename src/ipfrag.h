/* ipfrag.h - IPv4/IPv6 fragment reassembly, bounded in datagrams, size and time. */
#ifndef TLSDIAG_IPFRAG_H
#define TLSDIAG_IPFRAG_H

#include <stdint.h>

#include "decode.h"

enum ipfrag_result {
	FRAG_PENDING = 0,   /* kept, datagram not complete yet */
	FRAG_DONE,          /* datagram complete: *out, *outlen */
	FRAG_DROPPED        /* unusable fragment (why) */
};

struct ipfrag_table;

struct ipfrag_table *ipfrag_new(void);
void ipfrag_free(struct ipfrag_table *t);

/* Add the fragment described by d->frag (and d->af/src/dst). On FRAG_DONE
 * the datagram's payload is at *out (valid until the next call). */
int ipfrag_add(struct ipfrag_table *t, const struct decoded *d, int64_t now_sec,
	       const uint8_t **out, uint32_t *outlen, const char **why);

/* Datagrams given up (timeout, table full) so far. */
uint64_t ipfrag_expired(const struct ipfrag_table *t);
/* Datagrams still waiting for fragments. */
unsigned ipfrag_pending(const struct ipfrag_table *t);

#endif
