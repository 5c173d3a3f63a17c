/* decode.c - link layers (Ethernet, 802.1Q/802.1ad, Linux SLL/SLL2, raw IP,
 * BSD loopback) -> IPv4 (RFC 791) / IPv6 (RFC 8200) -> TCP (RFC 9293). */
#include "decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "rd.h"

#define ETH_IPV4   0x0800
#define ETH_IPV6   0x86dd
#define ETH_VLAN   0x8100
#define ETH_QINQ   0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS   0x8847
#define ETH_PPPOE  0x8864
#define ETH_CMD    0x8909   /* Cisco MetaData (TrustSec SGT) */
#define GRE_ERSPAN2 0x88be  /* ERSPAN types I and II */
#define GRE_ERSPAN3 0x22eb

#define MAX_TAGS   8     /* VLAN / MPLS labels followed before giving up */

static int truncated(struct decoded *d, const char *why)
{
	d->why = why;
	return DEC_TRUNCATED;
}

static int invalid(struct decoded *d, const char *why)
{
	d->why = why;
	return DEC_INVALID;
}

bool decode_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

static int decode_ipv4(struct rd r, struct decoded *d);
static int decode_ipv6(struct rd r, struct decoded *d);
static int decode_ip_by_version(struct rd r, struct decoded *d);
static int decode_ethertype(uint16_t type, struct rd r, struct decoded *d);

#define MAX_TUNNELS 3   /* encapsulations followed, one inside the other */

#define UDP_VXLAN  4789
#define UDP_GENEVE 6081
#define UDP_GTPU   2152

/* The payload of a tunnel: an Ethernet frame or an IP packet. */
static int decode_inner(uint16_t ethertype, struct rd r, struct decoded *d)
{
	if (++d->tunnels > MAX_TUNNELS)
		return invalid(d, "too many nested tunnels");
	if (ethertype == 0x6558) {   /* transparent Ethernet bridging */
		uint16_t type;
		if (!rd_skip(&r, 12) || !rd_u16(&r, &type))
			return truncated(d, "tunnelled Ethernet header");
		return type < 0x0600 ? DEC_NOT_TCP : decode_ethertype(type, r, d);
	}
	return decode_ethertype(ethertype, r, d);
}

/* ERSPAN over GRE (draft-foschiano-erspan): type I has no header (a GRE
 * without sequence number), type II 8 bytes (version 1), type III 12 bytes
 * (version 2) and an optional 8-byte platform subheader; then the mirrored
 * frame: Ethernet, or for type III with frame type 2 an IP packet. */
static int decode_erspan(uint16_t type, uint16_t gre_flags, struct rd r, struct decoded *d)
{
	if (type == GRE_ERSPAN2 && !(gre_flags & 0x1000))
		return decode_inner(0x6558, r, d);
	uint16_t ver_vlan, session;
	if (!rd_u16(&r, &ver_vlan) || !rd_u16(&r, &session))
		return truncated(d, "ERSPAN header");
	unsigned ver = ver_vlan >> 12;
	if (type == GRE_ERSPAN2) {
		if (ver != 1)
			return DEC_NOT_TCP;
		if (!rd_skip(&r, 4))
			return truncated(d, "ERSPAN type II header");
		return decode_inner(0x6558, r, d);
	}
	uint16_t sgt, fl;
	if (ver != 2)
		return DEC_NOT_TCP;
	if (!rd_skip(&r, 4) || !rd_u16(&r, &sgt) || !rd_u16(&r, &fl))
		return truncated(d, "ERSPAN type III header");
	if ((fl & 0x0001) && !rd_skip(&r, 8))   /* O: platform-specific subheader */
		return truncated(d, "ERSPAN platform subheader");
	unsigned frame_type = (fl >> 10) & 0x1fu;
	if (frame_type == 0)
		return decode_inner(0x6558, r, d);
	uint8_t v;
	if (frame_type != 2 || !rd_peek_u8(&r, 0, &v))
		return DEC_NOT_TCP;
	return decode_inner(v >> 4 == 6 ? 0x86dd : 0x0800, r, d);
}

/* UDP tunnels that cloud load balancers and mobile cores put TLS in:
 * VXLAN (RFC 7348), Geneve (RFC 8926), GTP-U (3GPP TS 29.281). */
static int decode_udp(const uint8_t *p, uint32_t caplen, struct decoded *d)
{
	struct rd r = rd_make(p, caplen);
	uint16_t sport, dport, ulen, csum;
	if (!rd_u16(&r, &sport) || !rd_u16(&r, &dport) || !rd_u16(&r, &ulen) || !rd_u16(&r, &csum))
		return DEC_NOT_TCP;
	if (dport == UDP_VXLAN || sport == UDP_VXLAN) {
		uint8_t flags;
		if (!rd_u8(&r, &flags) || !(flags & 0x08) || !rd_skip(&r, 7))
			return DEC_NOT_TCP;
		return decode_inner(0x6558, r, d);
	}
	if (dport == UDP_GENEVE || sport == UDP_GENEVE) {
		uint8_t ver_optlen, flags;
		uint16_t proto;
		if (!rd_u8(&r, &ver_optlen) || !rd_u8(&r, &flags) || !rd_u16(&r, &proto) || !rd_skip(&r, 4) ||
		    (ver_optlen >> 6) != 0 || !rd_skip(&r, (size_t)(ver_optlen & 0x3f) * 4))
			return DEC_NOT_TCP;
		return decode_inner(proto, r, d);
	}
	if (dport == UDP_GTPU || sport == UDP_GTPU) {
		uint8_t flags, type, next = 0;
		uint16_t len;
		uint32_t teid;
		if (!rd_u8(&r, &flags) || !rd_u8(&r, &type) || !rd_u16(&r, &len) || !rd_u32(&r, &teid) ||
		    (flags >> 5) != 1 || !(flags & 0x10) || type != 0xff)
			return DEC_NOT_TCP;   /* only G-PDUs (user data) carry packets */
		if (flags & 0x07) {
			uint16_t seq;
			uint8_t npdu;
			if (!rd_u16(&r, &seq) || !rd_u8(&r, &npdu) || !rd_u8(&r, &next))
				return truncated(d, "GTP-U header");
		}
		while (next) {   /* extension headers: length in 4-byte units, next type last */
			uint8_t units;
			if (!rd_u8(&r, &units) || units == 0 || !rd_skip(&r, (size_t)units * 4 - 2) || !rd_u8(&r, &next))
				return truncated(d, "GTP-U extension header");
		}
		uint8_t v;
		if (!rd_peek_u8(&r, 0, &v))
			return DEC_NOT_TCP;
		return decode_inner(v >> 4 == 6 ? 0x86dd : 0x0800, r, d);
	}
	return DEC_NOT_TCP;
}

int decode_transport(uint8_t proto, const uint8_t *p, uint32_t caplen, uint32_t len, struct decoded *d)
{
	switch (proto) {
	case 6:
		break;
	case 17:
		return decode_udp(p, caplen < len ? caplen : len, d);
	case 4:    /* IPv4 in IP (RFC 2003) */
	case 41:   /* IPv6 in IP (RFC 4213) */
		return decode_inner(proto == 4 ? 0x0800 : 0x86dd, rd_make(p, caplen < len ? caplen : len), d);
	case 47: { /* GRE (RFC 2784, 2890): checksum, key, sequence are optional */
		struct rd r = rd_make(p, caplen < len ? caplen : len);
		uint16_t flags, type;
		if (!rd_u16(&r, &flags) || !rd_u16(&r, &type) || (flags & 0x0007) != 0)
			return DEC_NOT_TCP;
		if (!rd_skip(&r, ((flags & 0x8000) ? 4u : 0u) + ((flags & 0x2000) ? 4u : 0u) + ((flags & 0x1000) ? 4u : 0u)))
			return truncated(d, "GRE header");
		if (type == GRE_ERSPAN2 || type == GRE_ERSPAN3)
			return decode_erspan(type, flags, r, d);
		if (type != 0x0800 && type != 0x86dd && type != 0x6558)
			return DEC_NOT_TCP;
		return decode_inner(type, r, d);
	}
	default:
		return DEC_NOT_TCP;
	}
	if (len < 20)
		return invalid(d, "IP payload shorter than a TCP header");
	struct rd r = rd_make(p, caplen);
	uint8_t off_flags, flags;
	if (!rd_u16(&r, &d->sport) || !rd_u16(&r, &d->dport) || !rd_u32(&r, &d->seq) ||
	    !rd_u32(&r, &d->ack) || !rd_u8(&r, &off_flags) || !rd_u8(&r, &flags))
		return truncated(d, "TCP header");
	uint32_t hlen = (uint32_t)(off_flags >> 4) * 4;
	if (hlen < 20)
		return invalid(d, "TCP data offset below 20 bytes");
	if (hlen > len)
		return invalid(d, "TCP header longer than the IP payload");
	if (hlen > caplen)
		return truncated(d, "TCP options");
	d->flags = flags;
	d->payload = p + hlen;
	d->payload_len = len - hlen;
	d->payload_caplen = caplen - hlen;
	if (d->payload_caplen > d->payload_len)
		d->payload_caplen = d->payload_len;   /* Ethernet padding */
	return DEC_TCP;
}

/* RFC 791 §3.1 */
static int decode_ipv4(struct rd r, struct decoded *d)
{
	const uint8_t *start = r.p;
	uint32_t caplen = (uint32_t)rd_left(&r);
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag, csum;
	if (!rd_u8(&r, &vihl) || !rd_u8(&r, &tos) || !rd_u16(&r, &total) || !rd_u16(&r, &id) ||
	    !rd_u16(&r, &frag) || !rd_u8(&r, &ttl) || !rd_u8(&r, &proto) || !rd_u16(&r, &csum))
		return truncated(d, "IPv4 header");
	if (vihl >> 4 != 4)
		return invalid(d, "IPv4 version field is not 4");
	uint32_t hlen = (uint32_t)(vihl & 15) * 4;
	if (hlen < 20)
		return invalid(d, "IPv4 header length below 20 bytes");
	d->af = 4;
	memset(d->src, 0, sizeof d->src);
	memset(d->dst, 0, sizeof d->dst);
	if (!rd_copy(&r, d->src, 4) || !rd_copy(&r, d->dst, 4))
		return truncated(d, "IPv4 header");
	/* total == 0 happens with TSO on the capturing host: trust the capture */
	uint32_t len = total ? total : caplen;
	if (len < hlen)
		return invalid(d, "IPv4 total length below header length");
	if (len > caplen && d->clipped)
		len = caplen;   /* the link layer's length field says where the packet ends */
	if (len > caplen && !d->snapped)
		return invalid(d, "IPv4 total length beyond the end of the frame");
	if (hlen > caplen)
		return truncated(d, "IPv4 options");
	uint32_t plen = len - hlen;
	uint32_t pcap_len = caplen - hlen;
	if (pcap_len > plen)
		pcap_len = plen;              /* trailing link padding */
	uint32_t offset = (uint32_t)(frag & 0x1fff) * 8;
	bool more = (frag & 0x2000) != 0;
	if (offset || more) {
		d->frag.id = id;
		d->frag.offset = offset;
		d->frag.more = more;
		d->frag.proto = proto;
		d->frag.data = start + hlen;
		d->frag.caplen = pcap_len;
		d->frag.len = plen;
		return DEC_FRAGMENT;
	}
	return decode_transport(proto, start + hlen, pcap_len, plen, d);
}

/* The extension headers between an IPv6 header and the upper layer
 * (RFC 8200 §4), walked in body: the captured part of the payload. */
struct ipv6_walk {
	struct rd body;
	uint32_t len;        /* payload length */
	uint32_t consumed;   /* bytes of extension headers so far */
	uint8_t next;        /* next header */
};

#define IPV6_WALK_ON (-1)   /* not a DEC_* result: go on to the next header */

/* Hop-by-hop, routing, destination options, mobility, HIP and shim6 count
 * their length in 8-octet units; AH (RFC 4302) in 4-octet units minus 2. */
static int ipv6_skip_ext(struct ipv6_walk *w, bool ah, struct decoded *d)
{
	const char *what = ah ? "IPv6 AH header" : "IPv6 extension header";
	uint8_t nh, hl;
	if (w->consumed + 2 > w->len)
		return invalid(d, "IPv6 extension headers longer than the payload");
	if (!rd_u8(&w->body, &nh) || !rd_u8(&w->body, &hl))
		return truncated(d, what);
	uint32_t elen = ah ? ((uint32_t)hl + 2) * 4 : ((uint32_t)hl + 1) * 8;
	if (w->consumed + elen > w->len)
		return invalid(d, "IPv6 extension headers longer than the payload");
	if (!rd_skip(&w->body, elen - 2))
		return truncated(d, what);
	w->consumed += elen;
	w->next = nh;
	return IPV6_WALK_ON;
}

/* RFC 8200 §4.5: a fragment, or an atomic fragment (RFC 6946) to walk through. */
static int ipv6_fragment(struct ipv6_walk *w, struct decoded *d)
{
	uint8_t nh, res;
	uint16_t offm;
	uint32_t ident;
	if (w->consumed + 8 > w->len)
		return invalid(d, "IPv6 extension headers longer than the payload");
	if (!rd_u8(&w->body, &nh) || !rd_u8(&w->body, &res) || !rd_u16(&w->body, &offm) || !rd_u32(&w->body, &ident))
		return truncated(d, "IPv6 fragment header");
	w->consumed += 8;
	uint32_t offset = (uint32_t)(offm >> 3) * 8;
	bool more = (offm & 1) != 0;
	w->next = nh;
	if (!offset && !more)
		return IPV6_WALK_ON;
	d->frag.id = ident;
	d->frag.offset = offset;
	d->frag.more = more;
	d->frag.proto = nh;
	d->frag.data = w->body.p;
	d->frag.caplen = (uint32_t)rd_left(&w->body);
	d->frag.len = w->len - w->consumed;
	return DEC_FRAGMENT;
}

/* RFC 8200 §3-4: the header, then the extension headers to the upper layer. */
static int decode_ipv6(struct rd r, struct decoded *d)
{
	uint32_t caplen = (uint32_t)rd_left(&r);
	uint32_t vtcfl;
	uint16_t plen16;
	uint8_t next, hops;
	if (!rd_u32(&r, &vtcfl) || !rd_u16(&r, &plen16) || !rd_u8(&r, &next) || !rd_u8(&r, &hops))
		return truncated(d, "IPv6 header");
	if (vtcfl >> 28 != 6)
		return invalid(d, "IPv6 version field is not 6");
	d->af = 6;
	if (!rd_copy(&r, d->src, 16) || !rd_copy(&r, d->dst, 16))
		return truncated(d, "IPv6 header");
	/* payload length 0 means a jumbogram (RFC 2675): trust the capture */
	uint32_t len = plen16 ? plen16 : caplen - 40;
	if (len > caplen - 40 && !d->snapped)
		return invalid(d, "IPv6 payload length beyond the end of the frame");
	uint32_t have = caplen - 40 < len ? caplen - 40 : len;
	struct ipv6_walk w = { rd_make(r.p, have), len, 0, next };
	for (int i = 0; i < 16; i++) {
		int rc;
		switch (w.next) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			rc = ipv6_skip_ext(&w, false, d);
			break;
		case 51:  /* AH */
			rc = ipv6_skip_ext(&w, true, d);
			break;
		case 44:  /* fragment */
			rc = ipv6_fragment(&w, d);
			break;
		default:
			if (w.consumed > w.len)
				return invalid(d, "IPv6 extension headers longer than the payload");
			return decode_transport(w.next, w.body.p, (uint32_t)rd_left(&w.body), w.len - w.consumed, d);
		}
		if (rc != IPV6_WALK_ON)
			return rc;
	}
	return invalid(d, "too many IPv6 extension headers");
}

static int decode_ip_by_version(struct rd r, struct decoded *d)
{
	uint8_t v;
	if (!rd_peek_u8(&r, 0, &v))
		return truncated(d, "IP header");
	if (v >> 4 == 4)
		return decode_ipv4(r, d);
	if (v >> 4 == 6)
		return decode_ipv6(r, d);
	return DEC_NOT_TCP;
}

/* An EtherType, after any number of VLAN tags, MPLS labels or a PPPoE
 * session header. */
static int decode_ethertype(uint16_t type, struct rd r, struct decoded *d)
{
	for (int i = 0; i < MAX_TAGS; i++) {
		switch (type) {
		case ETH_IPV4:
			return decode_ipv4(r, d);
		case ETH_IPV6:
			return decode_ipv6(r, d);
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ_OLD: {
			uint16_t tci;
			if (!rd_u16(&r, &tci) || !rd_u16(&r, &type))
				return truncated(d, "802.1Q tag");
			break;
		}
		case ETH_CMD: {
			/* version, length, option length/type, SGT, then the EtherType
			 * (the layout Wireshark's cmd dissector reads) */
			uint8_t ver, len;
			uint16_t opt, sgt;
			if (!rd_u8(&r, &ver) || !rd_u8(&r, &len) || !rd_u16(&r, &opt) || !rd_u16(&r, &sgt) ||
			    !rd_u16(&r, &type))
				return truncated(d, "Cisco MetaData header");
			break;
		}
		case ETH_MPLS: {
			uint32_t label;
			do {
				if (!rd_u32(&r, &label))
					return truncated(d, "MPLS label");
			} while (!(label & 0x100) && ++i < MAX_TAGS);
			return decode_ip_by_version(r, d);
		}
		case ETH_PPPOE: {
			uint8_t vt, code;
			uint16_t sid, plen, proto;
			if (!rd_u8(&r, &vt) || !rd_u8(&r, &code) || !rd_u16(&r, &sid) ||
			    !rd_u16(&r, &plen) || !rd_u16(&r, &proto))
				return truncated(d, "PPPoE header");
			/* PPPoE's length (RFC 2516) counts the PPP protocol field; what
			 * follows it is link padding, whatever the IP header says */
			if (plen >= 2 && (size_t)plen - 2 < rd_left(&r)) {
				r.len = (size_t)plen - 2;
				d->clipped = true;
			}
			if (proto == 0x0021)
				return decode_ipv4(r, d);
			if (proto == 0x0057)
				return decode_ipv6(r, d);
			return DEC_NOT_TCP;
		}
		default:
			return DEC_NOT_TCP;
		}
	}
	return invalid(d, "too many VLAN/MPLS tags");
}

int decode_packet(int dlt, const uint8_t *p, uint32_t caplen, uint32_t wirelen, struct decoded *d)
{
	/* addresses are written by the IP decoders; the rest is reset here */
	d->why = NULL;
	d->snapped = caplen < wirelen;
	d->clipped = false;
	d->tunnels = 0;
	d->flags = 0;
	d->payload = NULL;
	d->payload_caplen = d->payload_len = 0;
	struct rd r = rd_make(p, caplen);
	uint16_t type;
	switch (dlt) {
	case DLT_EN10MB:
		if (!rd_skip(&r, 12) || !rd_u16(&r, &type))
			return truncated(d, "Ethernet header");
		if (type < 0x0600)   /* 802.3 length field: LLC, not IP */
			return DEC_NOT_TCP;
		return decode_ethertype(type, r, d);
	case DLT_LINUX_SLL:      /* 16 bytes, protocol last */
		if (!rd_skip(&r, 14) || !rd_u16(&r, &type))
			return truncated(d, "Linux cooked header");
		return decode_ethertype(type, r, d);
	case DLT_LINUX_SLL2:     /* 20 bytes, protocol first */
		if (!rd_u16(&r, &type) || !rd_skip(&r, 18))
			return truncated(d, "Linux cooked v2 header");
		return decode_ethertype(type, r, d);
	case DLT_RAW:
		return decode_ip_by_version(r, d);
	case DLT_IPV4:
		return decode_ipv4(r, d);
	case DLT_IPV6:
		return decode_ipv6(r, d);
	case DLT_NULL:
	case DLT_LOOP: {
		/* 4-byte address family: host order for NULL, network order for
		 * LOOP; BSDs disagree on AF_INET6, so accept all their values. */
		uint8_t fam[4];
		if (!rd_copy(&r, fam, 4))
			return truncated(d, "loopback header");
		uint32_t le = (uint32_t)fam[0] | (uint32_t)fam[1] << 8 | (uint32_t)fam[2] << 16 | (uint32_t)fam[3] << 24;
		uint32_t be = (uint32_t)fam[3] | (uint32_t)fam[2] << 8 | (uint32_t)fam[1] << 16 | (uint32_t)fam[0] << 24;
		uint32_t af = le < 256 ? le : be;
		if (af == 2)
			return decode_ipv4(r, d);
		if (af == 10 || af == 24 || af == 28 || af == 30)
			return decode_ipv6(r, d);
		return DEC_NOT_TCP;
	}
	default:
		return DEC_UNSUPPORTED;
	}
}
