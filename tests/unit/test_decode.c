/* test_decode.c - CUnit tests for link layer -> IPv4/IPv6 -> TCP decoding (src/decode.c) on hand-built frames. */
#include "decode.h"

#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static const uint8_t ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_dst[4] = { 198, 51, 100, 7 };
static const uint8_t ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

#define SPORT 49152
#define DPORT 443
#define SEQ   0x11223344u
#define ACK   0x55667788u

/* ---- frame builders ---- */

/* TCP header with optlen bytes of NOP options, data offset doff_words
 * (0: computed), then the payload. */
static void put_tcp(struct bb *b, const char *payload, unsigned optlen, unsigned doff_words)
{
	unsigned doff = doff_words ? doff_words : (20 + optlen) / 4;
	bb_u16(b, SPORT);
	bb_u16(b, DPORT);
	bb_u32(b, SEQ);
	bb_u32(b, ACK);
	bb_u8(b, doff << 4);
	bb_u8(b, TCP_PSH | TCP_ACK);
	bb_u16(b, 65535);      /* window */
	bb_u16(b, 0);          /* checksum */
	bb_u16(b, 0);          /* urgent */
	bb_fill(b, 1, optlen); /* NOPs */
	bb_str(b, payload);
}

/* IPv4 header. total 0xffffffff: computed from l4. ihl 0: from optlen. */
static void put_ipv4(struct bb *b, const struct bb *l4, uint8_t proto, unsigned optlen, uint32_t total,
		     unsigned ihl, uint16_t id, uint16_t frag)
{
	unsigned hl = ihl ? ihl : 5 + optlen / 4;
	bb_u8(b, 0x40 | hl);
	bb_u8(b, 0);
	bb_u16(b, total == 0xffffffffu ? 20 + optlen + (unsigned)l4->n : total);
	bb_u16(b, id);
	bb_u16(b, frag);
	bb_u8(b, 64);
	bb_u8(b, proto);
	bb_u16(b, 0);
	bb_bytes(b, ip4_src, 4);
	bb_bytes(b, ip4_dst, 4);
	for (unsigned i = 0; i + 1 < optlen; i += 4) {
		bb_u8(b, 1);           /* NOP NOP NOP NOP */
		bb_u8(b, 1);
		bb_u8(b, 1);
		bb_u8(b, 1);
	}
	bb_bytes(b, l4->p, l4->n);
}

static void put_ipv6(struct bb *b, const struct bb *rest, uint8_t next, uint32_t plen)
{
	bb_u32(b, 0x60000000u);
	bb_u16(b, plen == 0xffffffffu ? (unsigned)rest->n : plen);
	bb_u8(b, next);
	bb_u8(b, 64);
	bb_bytes(b, ip6_src, 16);
	bb_bytes(b, ip6_dst, 16);
	bb_bytes(b, rest->p, rest->n);
}

static void put_eth(struct bb *b, uint16_t type)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	bb_bytes(b, macs, 12);
	bb_u16(b, type);
}

/* A TCP segment in IPv4 (20-byte header) */
static void tcp4(struct bb *ip, const char *payload)
{
	struct bb l4;
	bb_init(&l4);
	put_tcp(&l4, payload, 0, 0);
	put_ipv4(ip, &l4, 6, 0, 0xffffffffu, 0, 0x1234, 0);
	bb_free(&l4);
}

static void tcp6(struct bb *ip, const char *payload)
{
	struct bb l4;
	bb_init(&l4);
	put_tcp(&l4, payload, 0, 0);
	put_ipv6(ip, &l4, 6, 0xffffffffu);
	bb_free(&l4);
}

static int decode_all(int dlt, const struct bb *f, struct decoded *d)
{
	return decode_packet(dlt, f->p, (uint32_t)f->n, (uint32_t)f->n, d);
}

/* The TCP facts every builder above produces. */
static void check_tcp_line(const struct decoded *d, int af, const uint8_t *payload, uint32_t len, unsigned line)
{
	char msg[64];
	bool ok = d->af == af && d->sport == SPORT && d->dport == DPORT && d->seq == SEQ && d->ack == ACK &&
		  d->flags == (TCP_PSH | TCP_ACK) && d->payload == payload && d->payload_len == len &&
		  d->payload_caplen == len && !d->snapped &&
		  memcmp(d->src, af == 4 ? ip4_src : ip6_src, af == 4 ? 4 : 16) == 0 &&
		  memcmp(d->dst, af == 4 ? ip4_dst : ip6_dst, af == 4 ? 4 : 16) == 0;
	snprintf(msg, sizeof msg, "TCP facts (IPv%d, payload %u)", af, len);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}
#define CHECK_TCP(d, af, payload, len) check_tcp_line(d, af, payload, len, __LINE__)

/* ---- link layers ---- */

static void test_ethernet_ipv4(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	put_eth(&f, 0x0800);
	tcp4(&f, "hello");
	CU_ASSERT_TRUE(decode_link_supported(DLT_EN10MB));
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 14 + 20 + 20, 5);
	/* IPv4 addresses take the first 4 bytes, the rest is zero */
	static const uint8_t zero[12];
	CU_ASSERT_EQUAL(memcmp(d.src + 4, zero, 12), 0);
	CU_ASSERT_EQUAL(memcmp(d.dst + 4, zero, 12), 0);
	bb_free(&f);
}

static void test_ethernet_8021q_ipv4(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	put_eth(&f, 0x8100);
	bb_u16(&f, 0x0064);   /* VLAN 100 */
	bb_u16(&f, 0x0800);
	tcp4(&f, "vlan");
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 18 + 40, 4);
	bb_free(&f);
}

static void test_ethernet_qinq_ipv6(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	put_eth(&f, 0x88a8);
	bb_u16(&f, 0x0010);
	bb_u16(&f, 0x8100);
	bb_u16(&f, 0x0020);
	bb_u16(&f, 0x86dd);
	tcp6(&f, "qinq");
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 6, f.p + 22 + 40 + 20, 4);
	bb_free(&f);
}

static void test_linux_sll(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	bb_u16(&f, 0);        /* packet type: to us */
	bb_u16(&f, 1);        /* ARPHRD_ETHER */
	bb_u16(&f, 6);
	bb_fill(&f, 0xaa, 8);
	bb_u16(&f, 0x0800);
	tcp4(&f, "sll");
	CU_ASSERT_TRUE(decode_link_supported(DLT_LINUX_SLL));
	CU_ASSERT_EQUAL(decode_all(DLT_LINUX_SLL, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 16 + 40, 3);
	bb_free(&f);
}

static void test_linux_sll2(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	bb_u16(&f, 0x86dd);   /* protocol first */
	bb_u16(&f, 0);
	bb_u32(&f, 3);        /* ifindex */
	bb_u16(&f, 1);
	bb_u8(&f, 4);         /* outgoing */
	bb_u8(&f, 6);
	bb_fill(&f, 0xbb, 8);
	tcp6(&f, "sll2");
	CU_ASSERT_TRUE(decode_link_supported(DLT_LINUX_SLL2));
	CU_ASSERT_EQUAL(decode_all(DLT_LINUX_SLL2, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 6, f.p + 20 + 60, 4);
	bb_free(&f);
}

static void test_raw_ipv4_and_ipv6(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	tcp4(&f, "raw4");
	CU_ASSERT_TRUE(decode_link_supported(DLT_RAW));
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 40, 4);
	bb_reset(&f);
	tcp6(&f, "raw6!");
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 6, f.p + 60, 5);
	/* neither version: not ours */
	f.p[0] = 0x50;
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_NOT_TCP);
	bb_free(&f);
}

/* DLT_NULL holds the address family in the capturing host's byte order;
 * BSDs disagree on AF_INET6 (24, 28, 30; Linux 10). */
static void test_null_loopback_families_both_orders(void)
{
	static const struct {
		uint32_t af;
		int ipver;
	} fams[] = { { 2, 4 }, { 24, 6 }, { 28, 6 }, { 30, 6 }, { 10, 6 } };
	struct bb f;
	struct decoded d;
	bb_init(&f);
	CU_ASSERT_TRUE(decode_link_supported(DLT_NULL));
	CU_ASSERT_TRUE(decode_link_supported(DLT_LOOP));
	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
		for (int be = 0; be < 2; be++) {
			bb_reset(&f);
			if (be)
				bb_u32(&f, fams[i].af);
			else {
				bb_u8(&f, fams[i].af);
				bb_fill(&f, 0, 3);
			}
			if (fams[i].ipver == 4)
				tcp4(&f, "lo");
			else
				tcp6(&f, "lo");
			CU_ASSERT_EQUAL(decode_all(DLT_NULL, &f, &d), DEC_TCP);
			CHECK_TCP(&d, fams[i].ipver, f.p + 4 + (fams[i].ipver == 4 ? 40 : 60), 2);
		}
	}
	/* an unknown family is not TCP; DLT_LOOP is network order */
	bb_reset(&f);
	bb_u32(&f, 7);
	tcp4(&f, "lo");
	CU_ASSERT_EQUAL(decode_all(DLT_NULL, &f, &d), DEC_NOT_TCP);
	bb_reset(&f);
	bb_u32(&f, 2);
	tcp4(&f, "lo");
	CU_ASSERT_EQUAL(decode_all(DLT_LOOP, &f, &d), DEC_TCP);
	bb_free(&f);
}

static void test_not_tcp_and_unsupported(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	put_eth(&f, 0x0806);   /* ARP */
	bb_fill(&f, 0, 28);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_NOT_TCP);
	bb_reset(&f);
	put_eth(&f, 0x05dc);   /* 802.3 length field */
	bb_fill(&f, 0, 46);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_NOT_TCP);
	bb_reset(&f);
	bb_fill(&l4, 0, 8);    /* UDP */
	put_eth(&f, 0x0800);
	put_ipv4(&f, &l4, 17, 0, 0xffffffffu, 0, 1, 0);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_NOT_TCP);
	CU_ASSERT_FALSE(decode_link_supported(105));   /* 802.11 */
	CU_ASSERT_EQUAL(decode_all(105, &f, &d), DEC_UNSUPPORTED);
	bb_free(&f);
	bb_free(&l4);
}

/* ---- IP options, extension headers, padding ---- */

static void test_ipv4_options_and_tcp_options(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	put_tcp(&l4, "opts", 12, 0);
	put_eth(&f, 0x0800);
	put_ipv4(&f, &l4, 6, 8, 0xffffffffu, 0, 7, 0);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 14 + 28 + 32, 4);
	/* the largest header: IHL 15 (40 bytes of options) */
	bb_reset(&f);
	put_eth(&f, 0x0800);
	put_ipv4(&f, &l4, 6, 40, 0xffffffffu, 0, 7, 0);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 14 + 60 + 32, 4);
	bb_free(&f);
	bb_free(&l4);
}

/* IPv6 with hop-by-hop (8 bytes) and destination options (16 bytes). */
static void put_ipv6_ext(struct bb *f, const char *payload)
{
	struct bb rest;
	bb_init(&rest);
	bb_u8(&rest, 60);      /* hop-by-hop: next is destination options */
	bb_u8(&rest, 0);
	bb_u8(&rest, 1);       /* PadN, 4 bytes */
	bb_u8(&rest, 4);
	bb_fill(&rest, 0, 4);
	bb_u8(&rest, 6);       /* destination options: next is TCP */
	bb_u8(&rest, 1);
	bb_u8(&rest, 1);       /* PadN, 12 bytes */
	bb_u8(&rest, 12);
	bb_fill(&rest, 0, 12);
	put_tcp(&rest, payload, 0, 0);
	put_ipv6(f, &rest, 0, 0xffffffffu);
	bb_free(&rest);
}

static void test_ipv6_extension_headers(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	put_eth(&f, 0x86dd);
	put_ipv6_ext(&f, "ext hdrs");
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 6, f.p + 14 + 40 + 24 + 20, 8);
	bb_free(&f);
}

/* Ethernet pads frames to 60 bytes: the payload length comes from the IP
 * header, never from the frame. */
static void test_ethernet_padding_after_short_packet(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	put_eth(&f, 0x0800);
	tcp4(&f, "hi");
	bb_fill(&f, 0, 60 - f.n);
	CU_ASSERT_EQUAL(f.n, 60);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 54, 2);

	bb_reset(&f);   /* a bare ACK padded with non-zero bytes */
	put_eth(&f, 0x0800);
	tcp4(&f, "");
	bb_fill(&f, 0xee, 6);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 54, 0);

	bb_reset(&f);   /* IPv6 too */
	put_eth(&f, 0x86dd);
	tcp6(&f, "x");
	bb_fill(&f, 0xee, 8);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 6, f.p + 74, 1);
	bb_free(&f);
}

/* IPv4 total length 0 (TCP segmentation offload on the capturing host):
 * the capture is trusted. */
static void test_ipv4_total_length_zero_trusts_capture(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	put_tcp(&l4, "tso", 0, 0);
	put_ipv4(&f, &l4, 6, 0, 0, 0, 1, 0);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 40, 3);
	bb_free(&f);
	bb_free(&l4);
}

/* ---- fragments ---- */

static void test_ipv4_fragments(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	bb_fill(&l4, 0x5a, 16);
	put_eth(&f, 0x0800);
	put_ipv4(&f, &l4, 6, 0, 0xffffffffu, 0, 0xbeef, 0x2000);   /* MF, offset 0 */
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_FRAGMENT);
	CU_ASSERT_EQUAL(d.af, 4);
	CU_ASSERT_EQUAL(memcmp(d.src, ip4_src, 4), 0);
	CU_ASSERT_EQUAL(d.frag.id, 0xbeef);
	CU_ASSERT_EQUAL(d.frag.offset, 0);
	CU_ASSERT_TRUE(d.frag.more);
	CU_ASSERT_EQUAL(d.frag.proto, 6);
	CU_ASSERT_PTR_EQUAL(d.frag.data, f.p + 34);
	CU_ASSERT_EQUAL(d.frag.caplen, 16);
	CU_ASSERT_EQUAL(d.frag.len, 16);

	bb_reset(&f);   /* the last fragment at offset 185 units, with DF noise */
	put_eth(&f, 0x0800);
	put_ipv4(&f, &l4, 6, 0, 0xffffffffu, 0, 0xbeef, 185);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_FRAGMENT);
	CU_ASSERT_EQUAL(d.frag.offset, 1480);
	CU_ASSERT_FALSE(d.frag.more);

	bb_reset(&f);   /* DF alone is not a fragment */
	bb_reset(&l4);
	put_tcp(&l4, "df", 0, 0);
	put_ipv4(&f, &l4, 6, 0, 0xffffffffu, 0, 1, 0x4000);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 4, f.p + 40, 2);
	bb_free(&f);
	bb_free(&l4);
}

static void put_frag6(struct bb *rest, uint8_t next, uint32_t offset, bool more, uint32_t id)
{
	bb_u8(rest, next);
	bb_u8(rest, 0);
	bb_u16(rest, (offset / 8) << 3 | (more ? 1 : 0));
	bb_u32(rest, id);
}

static void test_ipv6_fragments(void)
{
	struct bb f, rest;
	struct decoded d;
	bb_init(&f);
	bb_init(&rest);
	/* hop-by-hop, then the fragment header */
	bb_u8(&rest, 44);
	bb_u8(&rest, 0);
	bb_u8(&rest, 1);
	bb_u8(&rest, 4);
	bb_fill(&rest, 0, 4);
	put_frag6(&rest, 6, 0, true, 0xcafe0001u);
	bb_fill(&rest, 0x77, 24);
	put_ipv6(&f, &rest, 0, 0xffffffffu);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_FRAGMENT);
	CU_ASSERT_EQUAL(d.af, 6);
	CU_ASSERT_EQUAL(memcmp(d.dst, ip6_dst, 16), 0);
	CU_ASSERT_EQUAL(d.frag.id, 0xcafe0001u);
	CU_ASSERT_EQUAL(d.frag.offset, 0);
	CU_ASSERT_TRUE(d.frag.more);
	CU_ASSERT_EQUAL(d.frag.proto, 6);
	CU_ASSERT_PTR_EQUAL(d.frag.data, f.p + 40 + 16);
	CU_ASSERT_EQUAL(d.frag.caplen, 24);
	CU_ASSERT_EQUAL(d.frag.len, 24);

	bb_reset(&f);
	bb_reset(&rest);
	put_frag6(&rest, 6, 1232, false, 0xcafe0001u);
	bb_fill(&rest, 0x77, 10);
	put_ipv6(&f, &rest, 44, 0xffffffffu);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_FRAGMENT);
	CU_ASSERT_EQUAL(d.frag.offset, 1232);
	CU_ASSERT_FALSE(d.frag.more);
	CU_ASSERT_EQUAL(d.frag.len, 10);

	/* an atomic fragment (offset 0, no more) is the whole datagram */
	bb_reset(&f);
	bb_reset(&rest);
	put_frag6(&rest, 6, 0, false, 9);
	put_tcp(&rest, "atomic", 0, 0);
	put_ipv6(&f, &rest, 44, 0xffffffffu);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_TCP);
	CHECK_TCP(&d, 6, f.p + 48 + 20, 6);
	bb_free(&f);
	bb_free(&rest);
}

/* A reassembled datagram's payload goes through decode_transport. */
static void test_decode_transport_of_reassembled_payload(void)
{
	struct bb l4;
	struct decoded d;
	bb_init(&l4);
	put_tcp(&l4, "reassembled", 4, 0);
	memset(&d, 0, sizeof d);
	d.af = 4;
	memcpy(d.src, ip4_src, 4);
	memcpy(d.dst, ip4_dst, 4);
	CU_ASSERT_EQUAL(decode_transport(6, l4.p, (uint32_t)l4.n, (uint32_t)l4.n, &d), DEC_TCP);
	CHECK_TCP(&d, 4, l4.p + 24, 11);
	CU_ASSERT_EQUAL(decode_transport(17, l4.p, (uint32_t)l4.n, (uint32_t)l4.n, &d), DEC_NOT_TCP);
	bb_free(&l4);
}

/* ---- truncation: every prefix of every frame ---- */

struct sample {
	const char *name;
	int dlt;
	struct bb f;
	size_t hdr;        /* bytes before the TCP payload */
};

static void make_samples(struct sample *s, size_t *n)
{
	size_t k = 0;
	struct bb l4;
	bb_init(&l4);
	put_tcp(&l4, "payload!", 12, 0);

	s[k].name = "Ethernet IPv4 options TCP options";
	s[k].dlt = DLT_EN10MB;
	bb_init(&s[k].f);
	put_eth(&s[k].f, 0x0800);
	put_ipv4(&s[k].f, &l4, 6, 8, 0xffffffffu, 0, 3, 0);
	s[k].hdr = 14 + 28 + 32;
	k++;

	s[k].name = "802.1Q IPv6 extension headers";
	s[k].dlt = DLT_EN10MB;
	bb_init(&s[k].f);
	put_eth(&s[k].f, 0x8100);
	bb_u16(&s[k].f, 5);
	bb_u16(&s[k].f, 0x86dd);
	put_ipv6_ext(&s[k].f, "payload!");
	s[k].hdr = 18 + 40 + 24 + 20;
	k++;

	s[k].name = "QinQ IPv4";
	s[k].dlt = DLT_EN10MB;
	bb_init(&s[k].f);
	put_eth(&s[k].f, 0x88a8);
	bb_u16(&s[k].f, 5);
	bb_u16(&s[k].f, 0x8100);
	bb_u16(&s[k].f, 6);
	bb_u16(&s[k].f, 0x0800);
	tcp4(&s[k].f, "payload!");
	s[k].hdr = 22 + 40;
	k++;

	s[k].name = "SLL IPv4";
	s[k].dlt = DLT_LINUX_SLL;
	bb_init(&s[k].f);
	bb_fill(&s[k].f, 0, 14);
	bb_u16(&s[k].f, 0x0800);
	tcp4(&s[k].f, "payload!");
	s[k].hdr = 16 + 40;
	k++;

	s[k].name = "SLL2 IPv6";
	s[k].dlt = DLT_LINUX_SLL2;
	bb_init(&s[k].f);
	bb_u16(&s[k].f, 0x86dd);
	bb_fill(&s[k].f, 0, 18);
	tcp6(&s[k].f, "payload!");
	s[k].hdr = 20 + 60;
	k++;

	s[k].name = "raw IPv6";
	s[k].dlt = DLT_RAW;
	bb_init(&s[k].f);
	tcp6(&s[k].f, "payload!");
	s[k].hdr = 60;
	k++;

	s[k].name = "null IPv4";
	s[k].dlt = DLT_NULL;
	bb_init(&s[k].f);
	bb_u8(&s[k].f, 2);
	bb_fill(&s[k].f, 0, 3);
	put_ipv4(&s[k].f, &l4, 6, 0, 0xffffffffu, 0, 3, 0);
	s[k].hdr = 4 + 20 + 32;
	k++;

	bb_free(&l4);
	*n = k;
}

/* Cut by snaplen (caplen < wirelen) at every length: inside a header it is
 * DEC_TRUNCATED with a reason; inside the payload it is TCP with exactly
 * the captured bytes. Each prefix sits before a guard page. */
static void test_every_snaplen_prefix_truncated_or_consistent(void)
{
	struct sample s[8];
	size_t ns;
	make_samples(s, &ns);
	for (size_t i = 0; i < ns; i++) {
		unsigned bad = 0;
		uint32_t wire = (uint32_t)s[i].f.n;
		for (uint32_t k = 0; k < wire; k++) {
			struct guard g;
			struct decoded d;
			const uint8_t *p = guard_put(&g, s[i].f.p, k);
			int r = decode_packet(s[i].dlt, p, k, wire, &d);
			if (k < s[i].hdr) {
				if (r != DEC_TRUNCATED || d.why == NULL)
					bad++;
			} else if (r != DEC_TCP || !d.snapped || d.payload != p + s[i].hdr ||
				   d.payload_caplen != k - s[i].hdr || d.payload_len != wire - s[i].hdr) {
				bad++;
			}
			guard_free(&g);
		}
		if (bad)
			UNIT_FAIL("%s: %u prefixes decoded wrongly", s[i].name, bad);
		bb_free(&s[i].f);
	}
}

/* Short frames that were not cut by the capture (caplen == wirelen): a cut
 * header is truncated, an IP length beyond the frame is invalid; never TCP. */
static void test_every_short_frame_truncated_or_invalid(void)
{
	struct sample s[8];
	size_t ns;
	make_samples(s, &ns);
	for (size_t i = 0; i < ns; i++) {
		unsigned bad = 0;
		for (uint32_t k = 0; k < s[i].f.n; k++) {
			struct guard g;
			struct decoded d;
			const uint8_t *p = guard_put(&g, s[i].f.p, k);
			int r = decode_packet(s[i].dlt, p, k, k, &d);
			if ((r != DEC_TRUNCATED && r != DEC_INVALID) || d.why == NULL || d.snapped)
				bad++;
			guard_free(&g);
		}
		CU_ASSERT_EQUAL(bad, 0);
		bb_free(&s[i].f);
	}
}

static void test_snaplen_cut_payload(void)
{
	struct bb f;
	struct decoded d;
	char payload[101];
	memset(payload, 'p', 100);
	payload[100] = '\0';
	bb_init(&f);
	put_eth(&f, 0x0800);
	tcp4(&f, payload);
	CU_ASSERT_EQUAL(decode_packet(DLT_EN10MB, f.p, 64, (uint32_t)f.n, &d), DEC_TCP);
	CU_ASSERT_TRUE(d.snapped);
	CU_ASSERT_EQUAL(d.payload_caplen, 10);
	CU_ASSERT_EQUAL(d.payload_len, 100);
	CU_ASSERT_PTR_EQUAL(d.payload, f.p + 54);
	bb_free(&f);
}

/* ---- invalid fields ---- */

static void test_invalid_ipv4_header_length_below_5(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	put_tcp(&l4, "x", 0, 0);
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		bb_reset(&f);
		put_eth(&f, 0x0800);
		put_ipv4(&f, &l4, 6, 0, 0xffffffffu, 0, 1, 0);
		f.p[14] = (uint8_t)(0x40 | ihl);
		CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_INVALID);
		CU_ASSERT_PTR_NOT_NULL(d.why);
	}
	bb_free(&f);
	bb_free(&l4);
}

static void test_invalid_ip_version_under_its_ethertype(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	put_eth(&f, 0x0800);
	tcp4(&f, "v");
	f.p[14] = 0x65;
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_INVALID);
	bb_reset(&f);
	put_eth(&f, 0x86dd);
	tcp6(&f, "v");
	f.p[14] = 0x40;
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_INVALID);
	bb_free(&f);
}

static void test_invalid_tcp_data_offset(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	for (unsigned doff = 1; doff < 5; doff++) {
		bb_reset(&f);
		bb_reset(&l4);
		put_tcp(&l4, "data offset", 0, doff);
		put_ipv4(&f, &l4, 6, 0, 0xffffffffu, 0, 1, 0);
		CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_INVALID);
	}
	/* data offset 0 too */
	f.p[20 + 12] = 0;
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_INVALID);
	/* 60-byte TCP header in a 31-byte IP payload */
	bb_reset(&f);
	bb_reset(&l4);
	put_tcp(&l4, "data offset", 0, 15);
	put_ipv4(&f, &l4, 6, 0, 0xffffffffu, 0, 1, 0);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_INVALID);
	bb_free(&f);
	bb_free(&l4);
}

static void test_invalid_ip_length_beyond_uncut_frame(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	put_tcp(&l4, "short", 0, 0);
	put_eth(&f, 0x0800);
	put_ipv4(&f, &l4, 6, 0, 1000, 0, 1, 0);
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_INVALID);
	CU_ASSERT_PTR_NOT_NULL(d.why);
	/* the same frame cut by the snaplen is a partial capture, not invalid */
	CU_ASSERT_EQUAL(decode_packet(DLT_EN10MB, f.p, (uint32_t)f.n, 1014, &d), DEC_TCP);
	CU_ASSERT_EQUAL(d.payload_caplen, 5);
	CU_ASSERT_EQUAL(d.payload_len, 960);
	/* total length below the header length */
	bb_reset(&f);
	put_ipv4(&f, &l4, 6, 0, 19, 0, 1, 0);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_INVALID);
	/* IPv6 payload length beyond the frame */
	bb_reset(&f);
	put_ipv6(&f, &l4, 6, 500);
	CU_ASSERT_EQUAL(decode_all(DLT_RAW, &f, &d), DEC_INVALID);
	CU_ASSERT_EQUAL(decode_packet(DLT_RAW, f.p, (uint32_t)f.n, 540, &d), DEC_TCP);
	CU_ASSERT_EQUAL(d.payload_caplen, 5);
	CU_ASSERT_EQUAL(d.payload_len, 480);
	bb_free(&f);
	bb_free(&l4);
}

/* The sender's IPv4 total length leaves room for only 10 bytes of TCP
 * header, in a frame the capture kept whole: the header cannot be right
 * (DEC_INVALID); the capture cut nothing, so it is not DEC_TRUNCATED. */
static void test_invalid_ip_payload_shorter_than_tcp_header(void)
{
	struct bb f, l4;
	struct decoded d;
	bb_init(&f);
	bb_init(&l4);
	put_tcp(&l4, "", 0, 0);
	put_eth(&f, 0x0800);
	put_ipv4(&f, &l4, 6, 0, 30, 0, 1, 0);   /* 20 + 10 */
	int r = decode_all(DLT_EN10MB, &f, &d);
	if (r != DEC_INVALID)
		UNIT_FAIL("decode_packet = %d (why \"%s\"), want DEC_INVALID (%d)", r, d.why ? d.why : "", DEC_INVALID);
	bb_free(&f);
	bb_free(&l4);
}

/* An IPv6 extension header that claims more bytes than the payload length,
 * in a frame the capture kept whole: the sender's fault (DEC_INVALID). */
static void test_invalid_ipv6_extension_longer_than_payload(void)
{
	struct bb f, rest;
	struct decoded d;
	bb_init(&f);
	bb_init(&rest);
	bb_u8(&rest, 6);
	bb_u8(&rest, 3);       /* hop-by-hop of 32 bytes ... */
	bb_fill(&rest, 0, 6);
	put_tcp(&rest, "abcdefghijklmnopqrstuvwxyz", 0, 0);
	put_ipv6(&f, &rest, 0, 8);   /* ... in an 8-byte payload */
	int r = decode_all(DLT_RAW, &f, &d);
	if (r != DEC_INVALID)
		UNIT_FAIL("decode_packet = %d (why \"%s\"), want DEC_INVALID (%d)", r, d.why ? d.why : "", DEC_INVALID);
	bb_free(&f);
	bb_free(&rest);
}

static void test_too_many_vlan_tags(void)
{
	struct bb f;
	struct decoded d;
	bb_init(&f);
	put_eth(&f, 0x8100);
	for (int i = 0; i < 12; i++) {
		bb_u16(&f, (unsigned)i);
		bb_u16(&f, 0x8100);
	}
	bb_u16(&f, 1);
	bb_u16(&f, 0x0800);
	tcp4(&f, "deep");
	CU_ASSERT_EQUAL(decode_all(DLT_EN10MB, &f, &d), DEC_INVALID);
	bb_free(&f);
}

/* ---- Cisco MetaData and ERSPAN ----
 *
 * No capture of these was at hand: the frames wrap frame 11 of
 * pcaps/starttls-smtp.pcap (a real ClientHello) in the headers as
 * Wireshark's cmd and erspan dissectors read them; tshark 4 decodes each
 * to the same TCP segment, except ERSPAN III with frame type 2 (IP), which
 * the draft defines and tshark leaves as data.
 */
static const char real_eth_frame[] =
	"00000000000000000000000008004500017911cb4000400629b27f0000017f000001ce4059d908a12ff2b9db96118018"
	"0040ff6d00000101080a5a6f9fdca4c8bd0916030101400100013c0303ba4489113260c94d1f9bd1e8661dd65dc3ef67"
	"1be3d0d171c7e59b880f90aadb20bc73ab999e4537650ccc23b4525834900043bc35837a2dd4d814f5cd8fa9fa22003e"
	"130213031301c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033"
	"009d009c003d003c0035002f00ff010000b50000001800160000137365727665722e6578616d706c652e74657374000b"
	"000403000102000a00160014001d0017001e0019001801000101010201030104002300000016000000170000000d002a"
	"0028040305030603080708080809080a080b080408050806040105010601030303010302040205020602002b00090803"
	"04030303020301002d00020101003300260024001d00205a9cfd61c36a6473d5ee9f1a835522fe92cefcc479f3c70472"
	"31da09d9b3416a";

static void check_encapsulated(const char *prefix, bool ip_only)
{
	static uint8_t buf[1024];
	size_t n = test_unhex(prefix, buf, sizeof buf);
	uint8_t inner[512];
	size_t m = test_unhex(real_eth_frame, inner, sizeof inner);
	size_t skip = ip_only ? 14 : 0;
	memcpy(buf + n, inner + skip, m - skip);
	n += m - skip;
	struct decoded d;
	CU_ASSERT_EQUAL_FATAL(decode_packet(DLT_EN10MB, buf, (uint32_t)n, (uint32_t)n, &d), DEC_TCP);
	CU_ASSERT_EQUAL(d.af, 4);
	CU_ASSERT_EQUAL(d.sport, 52800);
	CU_ASSERT_EQUAL(d.dport, 23001);
	CU_ASSERT_EQUAL(d.payload_len, 325);
	CU_ASSERT_EQUAL(memcmp(d.src, "\x7f\x00\x00\x01", 4), 0);
	/* a cut inside the headers is never a segment, and nothing is read past it */
	struct guard g = { 0 };
	for (size_t k = 0; k < n - m + skip + 20; k++) {
		const uint8_t *p = guard_move(&g, buf, k);
		CU_ASSERT_NOT_EQUAL(decode_packet(DLT_EN10MB, p, (uint32_t)k, (uint32_t)k, &d), DEC_TCP);
	}
	guard_free(&g);
}

static void test_cisco_metadata_and_erspan(void)
{
	/* Cisco MetaData: version 1, length 1, option 0x0001, SGT 10, IPv4 */
	check_encapsulated("020000000002020000000001 8909 0101 0001 000a 0800", true);
	/* ERSPAN type I: GRE without sequence number, no ERSPAN header */
	check_encapsulated("020000000002020000000001 0800 4500019f12344000402f12fa0a0000010a000002 0000 88be", false);
	/* type II: GRE with sequence number, 8-byte header (version 1, session 100) */
	check_encapsulated("020000000002020000000001 0800 450001ab12344000402f12ee0a0000010a000002 1000 88be 00000007"
			   " 10000064 00000000", false);
	/* type III: 12-byte header (version 2, timestamp, SGT 10), Ethernet frame */
	check_encapsulated("020000000002020000000001 0800 450001af12344000402f12ea0a0000010a000002 1000 22eb 00000007"
			   " 20000064 11223344 000a 0000", false);
	/* type III, frame type IP, with the 8-byte platform subheader */
	check_encapsulated("020000000002020000000001 0800 450001a912344000402f12f00a0000010a000002 1000 22eb 00000007"
			   " 20000064 11223344 000a 0801 0000000000000000", true);
}

void register_decode_tests(void)
{
	CU_pSuite suite = CU_add_suite("decode", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "Ethernet IPv4 TCP", test_ethernet_ipv4);
	CU_add_test(suite, "802.1Q tag", test_ethernet_8021q_ipv4);
	CU_add_test(suite, "QinQ 0x88a8 + 0x8100 then IPv6", test_ethernet_qinq_ipv6);
	CU_add_test(suite, "Linux SLL", test_linux_sll);
	CU_add_test(suite, "Linux SLL2", test_linux_sll2);
	CU_add_test(suite, "DLT_RAW IPv4 and IPv6", test_raw_ipv4_and_ipv6);
	CU_add_test(suite, "DLT_NULL AF values 2/24/28/30/10 in both byte orders",
		test_null_loopback_families_both_orders);
	CU_add_test(suite, "ARP, 802.3, UDP are not TCP; unknown DLT unsupported", test_not_tcp_and_unsupported);
	CU_add_test(suite, "IPv4 options and TCP options skipped", test_ipv4_options_and_tcp_options);
	CU_add_test(suite, "IPv6 hop-by-hop + destination options", test_ipv6_extension_headers);
	CU_add_test(suite, "Ethernet padding: payload length from the IP header",
		test_ethernet_padding_after_short_packet);
	CU_add_test(suite, "IPv4 total length 0 trusts the capture", test_ipv4_total_length_zero_trusts_capture);
	CU_add_test(suite, "IPv4 fragments: offset, more, data", test_ipv4_fragments);
	CU_add_test(suite, "IPv6 fragments and atomic fragment", test_ipv6_fragments);
	CU_add_test(suite, "decode_transport on a reassembled payload", test_decode_transport_of_reassembled_payload);
	CU_add_test(suite, "every snaplen prefix: truncated in headers, exact payload after",
		test_every_snaplen_prefix_truncated_or_consistent);
	CU_add_test(suite, "every uncut short frame: truncated or invalid, never TCP",
		test_every_short_frame_truncated_or_invalid);
	CU_add_test(suite, "snaplen-cut frame: payload_caplen < payload_len", test_snaplen_cut_payload);
	CU_add_test(suite, "IHL below 5 is invalid", test_invalid_ipv4_header_length_below_5);
	CU_add_test(suite, "IP version not matching its EtherType is invalid",
		test_invalid_ip_version_under_its_ethertype);
	CU_add_test(suite, "TCP data offset below 5 or beyond the payload is invalid", test_invalid_tcp_data_offset);
	CU_add_test(suite, "IP length beyond an uncut frame is invalid", test_invalid_ip_length_beyond_uncut_frame);
	CU_add_test(suite, "IPv4 payload shorter than a TCP header is invalid (not truncated)",
		test_invalid_ip_payload_shorter_than_tcp_header);
	CU_add_test(suite, "IPv6 extension header beyond the payload length is invalid (not truncated)",
		test_invalid_ipv6_extension_longer_than_payload);
	CU_add_test(suite, "more than 8 VLAN tags is invalid", test_too_many_vlan_tags);
	CU_add_test(suite, "Cisco MetaData, ERSPAN I, II, III around a real frame", test_cisco_metadata_and_erspan);
}
