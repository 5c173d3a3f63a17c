/* proxy_proto.c - parse a PROXY protocol header (haproxy's proxy-protocol.txt, versions 1 and 2). */
#include "proxy_proto.h"

#include <arpa/inet.h>
#include <string.h>

#include "mem.h"
#include "session.h"

static const uint8_t v2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
static const char v1_sig[] = "PROXY ";
#define V1_MAX 107u   /* the longest v1 line, CRLF included */

/* Bytes held while a header spans segments (allocated only then). */
struct proxy_pre {
	uint8_t buf[LIM_PROXY_HEADER];
	uint32_t n;
	uint32_t skip;             /* an over-long v2 header: bytes still to pass by */
};

enum { NEED_MORE = 0, NOT_PROXY = -1, SKIP_LONG = -2 };

const char *proxy_tlv_name(uint8_t type)
{
	switch (type) {
	case 0x01: return "ALPN";
	case 0x02: return "AUTHORITY";
	case 0x03: return "CRC32C";
	case 0x04: return "NOOP";
	case 0x05: return "UNIQUE_ID";
	case 0x20: return "SSL";
	case 0x30: return "NETNS";
	case 0xea: return "AWS";
	case 0xee: return "AZURE";
	default: return NULL;
	}
}

/* ---- version 1: "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n" ---- */

static bool v1_port(struct rd t, uint16_t *out)
{
	uint32_t v = 0;
	uint8_t c;
	if (rd_left(&t) == 0 || rd_left(&t) > 5)
		return false;
	while (rd_u8(&t, &c)) {
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (uint32_t)(c - '0');
	}
	*out = (uint16_t)v;
	return v <= 65535;
}

static bool v1_addr(struct rd t, int af, uint8_t *out)
{
	char tmp[48];
	if (rd_left(&t) == 0 || rd_left(&t) >= sizeof tmp)
		return false;
	memcpy(tmp, t.p, t.len);
	tmp[t.len] = '\0';
	return inet_pton(af == 6 ? AF_INET6 : AF_INET, tmp, out) == 1;
}

static struct rd v1_token(struct rd *r)
{
	size_t k = 0;
	uint8_t c;
	while (rd_peek_u8(r, k, &c) && c != ' ')
		k++;
	struct rd t;
	rd_sub(r, k, &t);
	rd_skip(r, rd_left(r) ? 1 : 0);
	return t;
}

static void v1_parse(struct proxy_facts *f, const uint8_t *line, size_t n)
{
	struct rd r = rd_make(line + 6, n - 6);
	struct rd proto = v1_token(&r);
	if (rd_left(&proto) == 7 && memcmp(proto.p, "UNKNOWN", 7) == 0) {
		f->local = true;
		return;
	}
	int af = rd_left(&proto) == 4 && memcmp(proto.p, "TCP4", 4) == 0   ? 4
		 : rd_left(&proto) == 4 && memcmp(proto.p, "TCP6", 4) == 0 ? 6
									    : 0;
	struct rd src = v1_token(&r), dst = v1_token(&r), sp = v1_token(&r), dp = v1_token(&r);
	if (!af || rd_left(&r) || !v1_addr(src, af, f->src) || !v1_addr(dst, af, f->dst) || !v1_port(sp, &f->sport) ||
	    !v1_port(dp, &f->dport)) {
		f->malformed = true;
		return;
	}
	f->af = (uint8_t)af;
}

/* Length of a v1 header at the start of p, or NEED_MORE / NOT_PROXY. */
static int64_t v1_len(const uint8_t *p, size_t n)
{
	size_t lim = n < V1_MAX ? n : V1_MAX;
	for (size_t i = 0; i + 1 < lim; i++)
		if (p[i] == '\r' && p[i + 1] == '\n')
			return (int64_t)i + 2;
	return n < V1_MAX ? NEED_MORE : NOT_PROXY;
}

/* ---- version 2: signature, ver_cmd, family, length, addresses, TLVs ---- */

static void v2_tlvs(struct proxy_facts *f, struct rd r)
{
	while (rd_left(&r)) {
		uint8_t type;
		struct rd v;
		if (!rd_u8(&r, &type) || !rd_vec16(&r, &v)) {
			f->malformed = true;
			return;
		}
		if (f->tlv_count < LIM_PROXY_TLVS)
			f->tlv_types[f->tlv_count] = type;
		f->tlv_count++;
		if (type == 0x02 && !f->authority_len) {
			size_t k = rd_left(&v) < sizeof f->authority ? rd_left(&v) : sizeof f->authority;
			rd_copy(&v, f->authority, k);
			f->authority_len = (uint8_t)k;
		}
	}
}

static void v2_parse(struct proxy_facts *f, const uint8_t *p, size_t n)
{
	struct rd r = rd_make(p + 12, n - 12), body;
	uint8_t ver_cmd, fam;
	if (!rd_u8(&r, &ver_cmd) || !rd_u8(&r, &fam) || !rd_vec16(&r, &body)) {
		f->malformed = true;
		return;
	}
	f->local = (ver_cmd & 0x0f) == 0;
	f->datagram = (fam & 0x0f) == 2;
	size_t alen = 0;
	switch (fam >> 4) {
	case 1: alen = 12; break;
	case 2: alen = 36; break;
	case 3: alen = 216; break;
	default: break;
	}
	struct rd a;
	if (!rd_sub(&body, alen, &a)) {
		f->malformed = true;
		return;
	}
	if (!f->local && (fam >> 4) == 1) {
		f->af = 4;
		rd_copy(&a, f->src, 4);
		rd_copy(&a, f->dst, 4);
	} else if (!f->local && (fam >> 4) == 2) {
		f->af = 6;
		rd_copy(&a, f->src, 16);
		rd_copy(&a, f->dst, 16);
	}
	if (f->af) {
		rd_u16(&a, &f->sport);
		rd_u16(&a, &f->dport);
	}
	v2_tlvs(f, body);
}

static int64_t v2_len(const uint8_t *p, size_t n)
{
	if (n < 16)
		return NEED_MORE;
	if ((p[12] >> 4) != 2)
		return NOT_PROXY;
	int64_t len = 16 + ((int64_t)p[14] << 8 | p[15]);
	if (len > (int64_t)LIM_PROXY_HEADER)
		return SKIP_LONG;
	return (size_t)len > n ? NEED_MORE : len;   /* the rest comes in later segments */
}

/* ---- the client's first bytes ---- */

/* The length of the header at the start of p, NEED_MORE, NOT_PROXY or SKIP_LONG. */
static int64_t header_len(const uint8_t *p, size_t n, int *version)
{
	size_t k1 = n < 6 ? n : 6, k2 = n < 12 ? n : 12;
	if (memcmp(p, v1_sig, k1) == 0) {
		*version = 1;
		return k1 < 6 ? NEED_MORE : v1_len(p, n);
	}
	if (memcmp(p, v2_sig, k2) == 0) {
		*version = 2;
		return k2 < 12 ? NEED_MORE : v2_len(p, n);
	}
	return NOT_PROXY;
}

static void record(struct session *s, int version, const uint8_t *p, size_t len, uint64_t frame)
{
	struct proxy_facts *f = &s->proxy;
	memset(f, 0, sizeof *f);
	f->present = true;
	f->version = (uint8_t)version;
	f->frame = frame;
	f->header_len = (uint32_t)len;
	if (version == 1)
		v1_parse(f, p, len - 2);   /* without its CRLF */
	else
		v2_parse(f, p, len);
	if (f->malformed)
		session_event(s, frame, "proxy.malformed", "PROXY protocol v%d header of %zu bytes does not parse",
			      version, len);
}

bool proxy_feed(struct proxy_pre **pp, struct session *s, const uint8_t *p, uint32_t n, uint64_t frame,
		struct rd *held, struct rd *rest)
{
	struct proxy_pre *h = *pp;
	*held = rd_make(NULL, 0);
	*rest = rd_make(p, n);
	if (h && h->skip) {
		uint32_t k = h->skip < n ? h->skip : n;
		h->skip -= k;
		rd_skip(rest, k);
		return h->skip == 0;
	}
	const uint8_t *buf = p;
	size_t have = n;
	if (h) {
		size_t take = n < sizeof h->buf - h->n ? n : sizeof h->buf - h->n;
		memcpy(h->buf + h->n, p, take);
		buf = h->buf;
		have = h->n + take;
	}
	int version = 0;
	int64_t len = have ? header_len(buf, have, &version) : NEED_MORE;
	size_t before = h ? h->n : 0;   /* of the header, bytes held from earlier segments */
	if (len == NEED_MORE) {
		if (!h) {
			h = *pp = mem_alloc(sizeof *h);
			memcpy(h->buf, p, n);
		}
		h->n = (uint32_t)have;
		*rest = rd_make(NULL, 0);
		return false;
	}
	if (len == NOT_PROXY) {
		if (h)
			*held = rd_make(h->buf, h->n);
		return true;
	}
	if (len == SKIP_LONG) {
		uint32_t total = 16u + ((uint32_t)buf[14] << 8 | buf[15]);
		session_event(s, frame, "proxy.too_long", "PROXY protocol v2 header of %u bytes skipped (cap %u)", total,
			      LIM_PROXY_HEADER);
		s->proxy.present = true;
		s->proxy.version = 2;
		s->proxy.frame = frame;
		s->proxy.header_len = total;
		s->proxy.malformed = true;
		if (!h)
			h = *pp = mem_alloc(sizeof *h);
		h->skip = total - (uint32_t)before;
		return proxy_feed(pp, s, p, n, frame, held, rest);
	}
	record(s, version, buf, (size_t)len, frame);
	rd_skip(rest, (size_t)len - before);
	return true;
}

void proxy_pre_free(struct proxy_pre *pp)
{
	mem_free(pp);
}
