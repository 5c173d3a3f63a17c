/* decode.h - link layer -> IPv4/IPv6 -> TCP, for one captured packet. */
#ifndef TLSDIAG_DECODE_H
#define TLSDIAG_DECODE_H

#include <stdbool.h>
#include <stdint.h>

enum decode_result {
	DEC_TCP = 0,      /* a TCP segment: fields below are set */
	DEC_NOT_TCP,      /* some other protocol: ignored */
	DEC_FRAGMENT,     /* an IP fragment: see frag, to be reassembled */
	DEC_TRUNCATED,    /* the capture cut the packet inside a header (why) */
	DEC_INVALID,      /* a header that cannot be right (why) */
	DEC_UNSUPPORTED   /* a link type we do not decode */
};

struct decoded {
	const char *why;          /* DEC_TRUNCATED / DEC_INVALID: what */
	bool snapped;             /* the capture kept fewer bytes than the wire had */
	bool clipped;             /* a link-layer length ends the packet (PPPoE) */
	uint8_t tunnels;          /* encapsulations decoded (VXLAN, Geneve, GTP-U, GRE, IP in IP) */
	uint8_t af;               /* 4 or 6 */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	/* TCP */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *payload;
	uint32_t payload_caplen;  /* bytes present in the capture */
	uint32_t payload_len;     /* bytes on the wire (from the IP length) */
	/* IP fragment */
	struct {
		uint32_t id;
		uint32_t offset;      /* bytes */
		bool more;
		uint8_t proto;
		const uint8_t *data;
		uint32_t caplen, len;
	} frag;
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Is this libpcap DLT one we decode? */
bool decode_link_supported(int dlt);

/* Decode a captured packet of link type dlt (a DLT_ value from
 * pcap_datalink). caplen bytes are present, wirelen were on the wire. */
int decode_packet(int dlt, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
		  struct decoded *d);

/* Decode the payload of a reassembled IP datagram (addresses already set
 * in d by decode_packet). */
int decode_transport(uint8_t proto, const uint8_t *p, uint32_t caplen,
		     uint32_t len, struct decoded *d);

#endif
