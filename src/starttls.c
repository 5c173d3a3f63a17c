/* starttls.c - recognise an upgrade to TLS in the clear-text exchange that precedes it.
 *
 * Each direction's plaintext is cut into messages by the framing its
 * protocol uses (text lines, XML elements, PostgreSQL, LDAP BER and MySQL
 * packets), one message at a time in a capped buffer; a message is judged
 * when its last byte arrives, with that frame. The client's request names
 * the protocol; the server's next answer accepts or refuses it.
 */
#include "starttls.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "rd.h"
#include "session.h"

enum framing { F_UNKNOWN = 0, F_LINE, F_XML, F_PG, F_BER, F_MYSQL, F_OFF };

struct sdir {
	uint8_t buf[LIM_STARTTLS_MSG];
	uint32_t n;
	uint32_t skip;             /* bytes of an over-long binary message still to pass by */
	bool skip_text;            /* an over-long line or element: pass by up to its end */
	uint8_t framing;           /* enum framing */
};

struct starttls_scan {
	struct sdir d[2];          /* by side */
	uint8_t hint;              /* a protocol the greeting or hello suggests (enum starttls_proto) */
	uint8_t pg_pending;        /* PostgreSQL: 'S' SSLRequest or 'G' GSSENCRequest awaiting its byte */
	bool mysql_greeting;       /* a MySQL server greeting was seen ... */
	bool mysql_ssl;            /* ... and it offers CLIENT_SSL */
	uint64_t mysql_frame;
	uint8_t mysql_version[48];
	uint8_t mysql_version_len;
	uint8_t tag[32];           /* IMAP: the tag of the STARTTLS command */
	uint8_t tag_len;
	uint32_t ldap_id;          /* LDAP: messageID of the StartTLS request */
};

#define PG_SSL_REQUEST   80877103u   /* 1234 << 16 | 5679 (PostgreSQL protocol, "SSLRequest") */
#define PG_GSSENC_REQUEST 80877104u  /* 1234 << 16 | 5680 */
#define MYSQL_CLIENT_SSL 0x0800u
#define LDAP_STARTTLS_OID "1.3.6.1.4.1.1466.20037"

const char *starttls_proto_name(int proto)
{
	static const char *const names[] = {
		[STLS_NONE] = "", [STLS_SMTP] = "SMTP", [STLS_LMTP] = "LMTP", [STLS_IMAP] = "IMAP",
		[STLS_POP3] = "POP3", [STLS_FTP] = "FTP", [STLS_LDAP] = "LDAP", [STLS_POSTGRES] = "PostgreSQL",
		[STLS_MYSQL] = "MySQL", [STLS_XMPP] = "XMPP",
	};
	return proto >= 0 && proto <= STLS_XMPP ? names[proto] : "";
}

/* ---- facts ---- */

static void set_words(struct starttls_facts *f, const uint8_t *p, size_t n)
{
	f->words_cut = n > sizeof f->words;
	if (n > sizeof f->words)
		n = sizeof f->words;
	memcpy(f->words, p, n);
	f->words_len = (uint8_t)n;
}

static void request(struct session *s, int proto, const char *what, uint64_t frame)
{
	struct starttls_facts *f = &s->starttls;
	if (f->requested)
		return;   /* the first request is the one judged */
	f->proto = (uint8_t)proto;
	f->requested = true;
	f->request = what;
	f->request_frame = frame;
}

static void answer(struct session *s, int ans, const uint8_t *words, size_t n, uint64_t frame)
{
	struct starttls_facts *f = &s->starttls;
	if (!f->requested || f->answer != STLS_NO_ANSWER)
		return;
	f->answer = (uint8_t)ans;
	f->answer_frame = frame;
	set_words(f, words, n);
}

/* ---- text: tokens of a command or reply line ---- */

static bool ieq(const uint8_t *p, size_t n, const char *w)
{
	size_t k = strlen(w);
	if (n != k)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 32);
		if (c != (uint8_t)w[i])
			return false;
	}
	return true;
}

/* The next space-separated token of r. */
static struct rd token(struct rd *r)
{
	uint8_t c;
	while (rd_peek_u8(r, 0, &c) && c == ' ')
		rd_skip(r, 1);
	size_t k = 0;
	while (rd_peek_u8(r, k, &c) && c != ' ')
		k++;
	struct rd t;
	rd_sub(r, k, &t);
	return t;
}

static bool has(const uint8_t *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

static void client_line(struct starttls_scan *sc, struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	struct rd r = rd_make(m, n);
	struct rd t0 = token(&r), t1 = token(&r), t2 = token(&r);
	bool one = rd_left(&t1) == 0, two = rd_left(&t2) == 0 && !one;
	if (ieq(t0.p, t0.len, "EHLO") || ieq(t0.p, t0.len, "HELO"))
		sc->hint = STLS_SMTP;
	else if (ieq(t0.p, t0.len, "LHLO"))
		sc->hint = STLS_LMTP;
	else if (one && ieq(t0.p, t0.len, "STARTTLS"))
		request(s, sc->hint == STLS_LMTP ? STLS_LMTP : STLS_SMTP, "STARTTLS", frame);
	else if (two && ieq(t1.p, t1.len, "STARTTLS") && t0.len <= sizeof sc->tag && !s->starttls.requested) {
		memcpy(sc->tag, t0.p, t0.len);
		sc->tag_len = (uint8_t)t0.len;
		request(s, STLS_IMAP, "STARTTLS", frame);
	} else if (one && ieq(t0.p, t0.len, "STLS"))
		request(s, STLS_POP3, "STLS", frame);
	else if (two && ieq(t0.p, t0.len, "AUTH") && (ieq(t1.p, t1.len, "TLS") || ieq(t1.p, t1.len, "TLS-C")))
		request(s, STLS_FTP, "AUTH TLS", frame);
	else if (two && ieq(t0.p, t0.len, "AUTH") && (ieq(t1.p, t1.len, "SSL") || ieq(t1.p, t1.len, "TLS-P")))
		request(s, STLS_FTP, "AUTH SSL", frame);
}

/* A reply's three-digit code, or -1; *more: a continuation line ("250-"). */
static int reply_code(const uint8_t *m, size_t n, bool *more)
{
	if (n < 3)
		return -1;
	int code = 0;
	for (int i = 0; i < 3; i++) {
		if (m[i] < '0' || m[i] > '9')
			return -1;
		code = code * 10 + (m[i] - '0');
	}
	*more = n > 3 && m[3] == '-';
	return code;
}

static void server_line(struct starttls_scan *sc, struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	const struct starttls_facts *f = &s->starttls;
	if (!f->requested || f->answer != STLS_NO_ANSWER || frame < f->request_frame)
		return;
	struct rd r = rd_make(m, n);
	struct rd t0 = token(&r), t1 = token(&r);
	bool more = false;
	int code;
	switch (f->proto) {
	case STLS_SMTP:
	case STLS_LMTP:
	case STLS_FTP:
		code = reply_code(m, n, &more);
		if (code < 0 || more)
			return;
		answer(s, code == (f->proto == STLS_FTP ? 234 : 220) ? STLS_ACCEPTED : STLS_REFUSED, m, n, frame);
		break;
	case STLS_IMAP:
		if (t0.len != sc->tag_len || memcmp(t0.p, sc->tag, sc->tag_len) != 0) {
			if (ieq(t0.p, t0.len, "*") && ieq(t1.p, t1.len, "BYE"))
				answer(s, STLS_REFUSED, m, n, frame);
			return;
		}
		answer(s, ieq(t1.p, t1.len, "OK") ? STLS_ACCEPTED : STLS_REFUSED, m, n, frame);
		break;
	case STLS_POP3:
		if (ieq(t0.p, t0.len, "+OK"))
			answer(s, STLS_ACCEPTED, m, n, frame);
		else if (ieq(t0.p, t0.len, "-ERR"))
			answer(s, STLS_REFUSED, m, n, frame);
		break;
	default:
		break;
	}
}

/* XMPP (RFC 6120 §5.4): elements, judged by name. */
static void xml_element(struct session *s, int side, const uint8_t *m, size_t n, uint64_t frame)
{
	const struct starttls_facts *f = &s->starttls;
	if (side == SIDE_CLIENT) {
		if (has(m, n, "<starttls"))
			request(s, STLS_XMPP, "<starttls/>", frame);
		return;
	}
	if (f->proto != STLS_XMPP || frame < f->request_frame)
		return;
	if (has(m, n, "<proceed"))
		answer(s, STLS_ACCEPTED, m, n, frame);
	else if (has(m, n, "<failure"))
		answer(s, STLS_REFUSED, m, n, frame);
}

/* ---- PostgreSQL (protocol 3.0, "SSL Session Encryption") ---- */

static void pg_client(struct starttls_scan *sc, struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	struct rd r = rd_make(m, n);
	uint32_t len, code;
	if (!rd_u32(&r, &len) || !rd_u32(&r, &code) || len != 8)
		return;
	if (code == PG_SSL_REQUEST) {
		request(s, STLS_POSTGRES, "SSLRequest", frame);
		sc->pg_pending = 'S';
	} else if (code == PG_GSSENC_REQUEST) {
		sc->pg_pending = 'G';
		s->starttls.proto = STLS_POSTGRES;
	}
}

/* The ErrorResponse's human message (field 'M'), else the whole message. */
static void pg_error_words(struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	struct rd r = rd_make(m, n);
	rd_skip(&r, 5);
	uint8_t type;
	while (rd_u8(&r, &type) && type != 0) {
		size_t k = 0;
		uint8_t c;
		while (rd_peek_u8(&r, k, &c) && c != 0)
			k++;
		const uint8_t *v;
		if (!rd_bytes(&r, k, &v))
			break;
		rd_skip(&r, 1);
		if (type == 'M') {
			answer(s, STLS_REFUSED, v, k, frame);
			return;
		}
	}
	answer(s, STLS_REFUSED, m, n, frame);
}

static void pg_server(struct starttls_scan *sc, struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	uint8_t pending = sc->pg_pending;
	sc->pg_pending = 0;
	if (pending == 'G' && m[0] == 'N' && !s->starttls.gssenc_refused) {
		s->starttls.gssenc_refused = true;
		s->starttls.gssenc_frame = frame;
	} else if (pending == 'S' && (m[0] == 'S' || m[0] == 'N')) {
		answer(s, m[0] == 'S' ? STLS_ACCEPTED : STLS_REFUSED, m, 1, frame);
	} else if (pending == 'S' && m[0] == 'E') {
		pg_error_words(s, m, n, frame);   /* servers before 7.0 answer with an error */
	}
}

/* A server message: one byte answering a pending request, else type + length. */
static int64_t pg_server_len(const struct starttls_scan *sc, const struct sdir *d)
{
	if (sc->pg_pending && d->buf[0] != 'E')
		return 1;
	struct rd r = rd_make(d->buf + 1, d->n - 1);
	uint32_t len;
	if (!rd_u32(&r, &len))
		return 0;
	return len < 4 ? -1 : (int64_t)len + 1;
}

/* ---- LDAP (RFC 4511 §4.14): BER ---- */

static bool ber_tlv(struct rd *r, uint8_t *tag, struct rd *val)
{
	uint8_t t, l;
	if (!rd_u8(r, &t) || !rd_u8(r, &l))
		return false;
	size_t len = l;
	if (l & 0x80) {
		unsigned k = l & 0x7fu;
		if (k == 0 || k > 4)
			return rd_fail(r);
		len = 0;
		for (unsigned i = 0; i < k; i++) {
			uint8_t b;
			if (!rd_u8(r, &b))
				return false;
			len = len << 8 | b;
		}
	}
	*tag = t;
	return rd_sub(r, len, val);
}

static bool ber_uint(struct rd v, uint32_t *out)
{
	uint8_t b;
	*out = 0;
	if (rd_left(&v) == 0 || rd_left(&v) > 4)
		return false;
	while (rd_u8(&v, &b))
		*out = *out << 8 | b;
	return true;
}

/* The total length of the BER element at the start of the buffer. */
static int64_t ber_len(const struct sdir *d)
{
	struct rd r = rd_make(d->buf, d->n);
	uint8_t t, l;
	if (!rd_u8(&r, &t) || !rd_u8(&r, &l))
		return 0;
	if (!(l & 0x80))
		return 2 + (int64_t)l;
	unsigned k = l & 0x7fu;
	if (k == 0 || k > 4)
		return -1;
	uint64_t len = 0;
	for (unsigned i = 0; i < k; i++) {
		uint8_t b;
		if (!rd_u8(&r, &b))
			return 0;
		len = len << 8 | b;
	}
	return (int64_t)(2 + k + len);
}

/* LDAPMessage: the messageID and the protocolOp. */
static bool ldap_message(const uint8_t *m, size_t n, uint32_t *id, uint8_t *op, struct rd *body)
{
	struct rd r = rd_make(m, n), msg, v;
	uint8_t tag;
	if (!ber_tlv(&r, &tag, &msg) || tag != 0x30 || !ber_tlv(&msg, &tag, &v) || tag != 0x02 || !ber_uint(v, id))
		return false;
	return ber_tlv(&msg, op, body);
}

static void ldap_client(struct starttls_scan *sc, struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	uint32_t id;
	uint8_t op, tag;
	struct rd body, name;
	if (!ldap_message(m, n, &id, &op, &body) || op != 0x77)   /* [APPLICATION 23] ExtendedRequest */
		return;
	if (!ber_tlv(&body, &tag, &name) || tag != 0x80 || !ieq(name.p, name.len, LDAP_STARTTLS_OID))
		return;
	sc->ldap_id = id;
	request(s, STLS_LDAP, "StartTLS ExtendedRequest", frame);
}

static const char *ldap_result_name(uint32_t code)
{
	switch (code) {
	case 1: return "operationsError";
	case 2: return "protocolError";
	case 12: return "unavailableCriticalExtension";
	case 13: return "confidentialityRequired";
	case 51: return "busy";
	case 52: return "unavailable";
	case 53: return "unwillingToPerform";
	case 80: return "other";
	default: return "error";
	}
}

static void ldap_server(struct starttls_scan *sc, struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	uint32_t id, code;
	uint8_t op, tag;
	struct rd body, v, dn, diag;
	if (!s->starttls.requested || s->starttls.proto != STLS_LDAP)
		return;
	if (!ldap_message(m, n, &id, &op, &body) || op != 0x78 || id != sc->ldap_id)   /* ExtendedResponse */
		return;
	if (!ber_tlv(&body, &tag, &v) || tag != 0x0a || !ber_uint(v, &code))
		return;
	if (code == 0) {
		answer(s, STLS_ACCEPTED, (const uint8_t *)"success (0)", 11, frame);
		return;
	}
	/* "unavailable (52): <diagnosticMessage>" */
	char w[LIM_STARTTLS_WORDS + 1];
	int k = snprintf(w, sizeof w, "%s (%u)", ldap_result_name(code), (unsigned)code);
	size_t len = k > 0 && (size_t)k < sizeof w ? (size_t)k : 0;
	if (ber_tlv(&body, &tag, &dn) && ber_tlv(&body, &tag, &diag) && tag == 0x04 && rd_left(&diag) &&
	    len + 2 < sizeof w) {
		size_t take = rd_left(&diag) < sizeof w - len - 2 ? rd_left(&diag) : sizeof w - len - 2;
		memcpy(w + len, ": ", 2);
		memcpy(w + len + 2, diag.p, take);
		len += 2 + take;
	}
	answer(s, STLS_REFUSED, (const uint8_t *)w, len, frame);
}

/* ---- MySQL (client/server protocol: Initial Handshake, SSLRequest) ---- */

static void mysql_server(struct starttls_scan *sc, const uint8_t *m, size_t n, uint64_t frame)
{
	struct rd r = rd_make(m, n);
	uint8_t seq, proto_v;
	if (sc->mysql_greeting || !rd_skip(&r, 3) || !rd_u8(&r, &seq) || !rd_u8(&r, &proto_v) || seq != 0 ||
	    proto_v != 10)
		return;
	size_t k = 0;
	uint8_t c;
	while (rd_peek_u8(&r, k, &c) && c != 0)
		k++;
	const uint8_t *ver;
	uint16_t caps;
	if (!rd_bytes(&r, k, &ver) || !rd_skip(&r, 1 + 4 + 8 + 1) || !rd_le16(&r, &caps))
		return;
	sc->mysql_greeting = true;
	sc->mysql_ssl = caps & MYSQL_CLIENT_SSL;
	sc->mysql_frame = frame;
	sc->mysql_version_len = (uint8_t)(k < sizeof sc->mysql_version ? k : sizeof sc->mysql_version);
	memcpy(sc->mysql_version, ver, sc->mysql_version_len);
}

static void mysql_client(struct starttls_scan *sc, struct session *s, const uint8_t *m, size_t n, uint64_t frame)
{
	struct rd r = rd_make(m, n);
	uint8_t seq;
	uint32_t caps;
	if (!rd_skip(&r, 3) || !rd_u8(&r, &seq) || seq != 1 || !rd_le32(&r, &caps) || !(caps & MYSQL_CLIENT_SSL))
		return;
	request(s, STLS_MYSQL, "SSLRequest (CLIENT_SSL)", frame);
	struct starttls_facts *f = &s->starttls;
	if (f->answer == STLS_NO_ANSWER) {
		/* the server's greeting was its answer: a client asks only if offered */
		f->answer = sc->mysql_ssl ? STLS_ACCEPTED : STLS_REFUSED;
		f->answer_frame = sc->mysql_frame;
		f->implicit = true;
		set_words(f, sc->mysql_version, sc->mysql_version_len);
	}
}

/* ---- framing ---- */

static uint8_t choose_framing(const struct starttls_scan *sc, int side, const struct sdir *d)
{
	uint8_t b0 = d->buf[0];
	if (side == SIDE_CLIENT) {
		if (sc->mysql_greeting)
			return F_MYSQL;
		return b0 == 0x00 ? F_PG : b0 == 0x30 ? F_BER : b0 == '<' ? F_XML : F_LINE;
	}
	if (sc->d[SIDE_CLIENT].framing == F_PG)
		return F_PG;
	if (b0 == 0x30)
		return F_BER;
	if (b0 == '<')
		return F_XML;
	if (d->n < 5)
		return F_UNKNOWN;   /* a MySQL greeting shows at its fifth byte */
	return d->buf[3] == 0 && d->buf[4] == 10 ? F_MYSQL : F_LINE;
}

/* Length of the message at the start of the buffer: 0 need more, -1 give up. */
static int64_t message_len(const struct starttls_scan *sc, int side, struct sdir *d)
{
	switch (d->framing) {
	case F_LINE:
	case F_XML: {
		const uint8_t *e = memchr(d->buf, d->framing == F_LINE ? '\n' : '>', d->n);
		return e ? e - d->buf + 1 : 0;
	}
	case F_PG: {
		if (side == SIDE_SERVER)
			return pg_server_len(sc, d);
		if (d->n < 4)
			return 0;
		uint32_t len = (uint32_t)d->buf[0] << 24 | (uint32_t)d->buf[1] << 16 | (uint32_t)d->buf[2] << 8 | d->buf[3];
		return len < 8 ? -1 : (int64_t)len;
	}
	case F_BER:
		return ber_len(d);
	case F_MYSQL:
		return d->n < 4 ? 0 : 4 + (int64_t)(d->buf[0] | d->buf[1] << 8 | d->buf[2] << 16);
	default:
		return -1;
	}
}

static void judge(struct starttls_scan *sc, struct session *s, int side, const uint8_t *m, size_t n, uint64_t frame)
{
	const struct sdir *d = &sc->d[side];
	struct starttls_facts *f = &s->starttls;
	if (side == SIDE_CLIENT && f->answer != STLS_NO_ANSWER && !f->client_clear_after && frame > f->answer_frame &&
	    frame > f->request_frame)
		f->client_clear_after = frame;
	size_t t = n;
	if (d->framing == F_LINE)
		while (t && (m[t - 1] == '\n' || m[t - 1] == '\r'))
			t--;
	switch (d->framing) {
	case F_LINE:
		if (side == SIDE_CLIENT)
			client_line(sc, s, m, t, frame);
		else
			server_line(sc, s, m, t, frame);
		break;
	case F_XML:
		xml_element(s, side, m, n, frame);
		break;
	case F_PG:
		if (side == SIDE_CLIENT)
			pg_client(sc, s, m, n, frame);
		else
			pg_server(sc, s, m, n, frame);
		break;
	case F_BER:
		if (side == SIDE_CLIENT)
			ldap_client(sc, s, m, n, frame);
		else
			ldap_server(sc, s, m, n, frame);
		break;
	case F_MYSQL:
		if (side == SIDE_CLIENT)
			mysql_client(sc, s, m, n, frame);
		else
			mysql_server(sc, m, n, frame);
		break;
	default:
		break;
	}
}

/* Cut the buffer into messages and judge each; an over-long one is judged
 * on its first LIM_STARTTLS_MSG bytes (text) or passed by (binary). */
static void drain(struct starttls_scan *sc, struct session *s, int side, uint64_t frame)
{
	struct sdir *d = &sc->d[side];
	while (d->n > 0) {
		if (d->framing == F_UNKNOWN && (d->framing = choose_framing(sc, side, d)) == F_UNKNOWN)
			return;
		int64_t len = message_len(sc, side, d);
		bool text = d->framing == F_LINE || d->framing == F_XML;
		if (len < 0 || len > (int64_t)LIM_STARTTLS_SCAN) {
			d->framing = F_OFF;   /* not the framing guessed: stop reading this side */
			d->n = 0;
			return;
		}
		if ((len == 0 && d->n < sizeof d->buf) || (len > (int64_t)d->n && len <= (int64_t)sizeof d->buf))
			return;   /* the message goes on in a later segment */
		if (len == 0 || (uint64_t)len > sizeof d->buf) {
			if (text) {
				judge(sc, s, side, d->buf, d->n, frame);
				d->skip_text = true;
			} else {
				d->skip = (uint32_t)((uint64_t)len - d->n);
			}
			d->n = 0;
			return;
		}
		judge(sc, s, side, d->buf, (size_t)len, frame);
		memmove(d->buf, d->buf + len, d->n - (size_t)len);
		d->n -= (uint32_t)len;
	}
}

void starttls_feed(struct starttls_scan **sp, struct session *s, int side, const uint8_t *p, uint32_t n,
		   uint64_t frame)
{
	if (!*sp)
		*sp = mem_alloc(sizeof **sp);
	struct starttls_scan *sc = *sp;
	struct sdir *d = &sc->d[side];
	struct rd in = rd_make(p, n);
	struct starttls_facts *f = &s->starttls;
	uint8_t b[7];
	/* after the server agreed, a TLS alert record where the ClientHello was due */
	if (side == SIDE_CLIENT && f->answer == STLS_ACCEPTED && d->n == 0 && !f->client_alert && n >= 7 &&
	    rd_copy(&(struct rd){ p, n }, b, 7) && b[0] == 21 && b[1] == 3 && b[3] == 0 && b[4] == 2) {
		f->client_alert = true;
		f->client_alert_level = b[5];
		f->client_alert_desc = b[6];
		f->client_alert_frame = frame;
		return;
	}
	while (rd_left(&in) && d->framing != F_OFF) {
		if (d->skip) {
			size_t k = d->skip < rd_left(&in) ? d->skip : rd_left(&in);
			rd_skip(&in, k);
			d->skip -= (uint32_t)k;
			continue;
		}
		if (d->skip_text) {
			const uint8_t *e = memchr(in.p, d->framing == F_LINE ? '\n' : '>', rd_left(&in));
			d->skip_text = !e;
			rd_skip(&in, e ? (size_t)(e - in.p) + 1 : rd_left(&in));
			continue;
		}
		size_t room = sizeof d->buf - d->n;
		size_t take = room < rd_left(&in) ? room : rd_left(&in);
		rd_copy(&in, d->buf + d->n, take);
		d->n += (uint32_t)take;
		drain(sc, s, side, frame);
	}
}

void starttls_gap(struct starttls_scan *sc, int side)
{
	if (sc)
		sc->d[side].framing = F_OFF;
}

void starttls_free(struct starttls_scan *sc)
{
	mem_free(sc);
}
