/* proxy_facts.h - what a PROXY protocol header carried (session.proxy); the type only, so that
 * session.h holds it without depending on the reader (proxy_proto.h). */
#ifndef TLSDIAG_PROXY_FACTS_H
#define TLSDIAG_PROXY_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"

/*
 * A load balancer in front of a backend (HAProxy send-proxy, AWS NLB,
 * nginx proxy_protocol) writes this header before it relays the client's
 * bytes: the backend's capture then shows the balancer's address, and the
 * header carries the original client's. The header is taken off the
 * client's stream; the TLS after it is parsed as usual.
 */
struct proxy_facts {
	bool present;
	uint8_t version;           /* 1 (text) or 2 (binary) */
	uint64_t frame;            /* where the header ended */
	uint32_t header_len;       /* bytes on the wire */
	bool local;                /* v2 LOCAL or v1 UNKNOWN: no address carried (health checks) */
	uint8_t af;                /* 4 or 6; 0: none or a UNIX socket */
	bool datagram;             /* v2: the original connection was UDP */
	uint8_t src[16], dst[16];  /* the original client, the address it connected to */
	uint16_t sport, dport;
	uint32_t tlv_count;        /* v2 TLVs on the wire ... */
	uint8_t tlv_types[LIM_PROXY_TLVS];   /* ... the types of the first ones */
	char authority[64];        /* PP2_TYPE_AUTHORITY: the host name the client asked for */
	uint8_t authority_len;
	bool malformed;            /* lengths did not add up: addresses not read */
};

#endif
