/* proxy_proto.h - a PROXY protocol header (HAProxy v1 text, v2 binary) before the client's first bytes. */
#ifndef TLSDIAG_PROXY_PROTO_H
#define TLSDIAG_PROXY_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "proxy_facts.h"
#include "rd.h"

struct proxy_pre;
struct session;

/*
 * The client's bytes while they may still start with a PROXY header
 * (n bytes of frame). Returns true once watching is over. Then *held (bytes
 * kept from earlier segments) and *rest (of these) are what follows the
 * header, to be handed on in that order; release *pp after using *held.
 * While false, nothing is to be handed on yet.
 */
bool proxy_feed(struct proxy_pre **pp, struct session *s, const uint8_t *p, uint32_t n, uint64_t frame,
		struct rd *held, struct rd *rest);
void proxy_pre_free(struct proxy_pre *pp);

/* "AUTHORITY", "ALPN", "SSL" ... of a v2 TLV type, NULL when unnamed. */
const char *proxy_tlv_name(uint8_t type);

#endif
