/* starttls_report.c - the upgrade and the PROXY header as the writers show them (text, markdown, JSON). */
#include "starttls_report.h"

#include <inttypes.h>
#include <string.h>

#include "fmt.h"
#include "json.h"
#include "mem.h"
#include "proxy_proto.h"
#include "redact.h"
#include "session.h"
#include "starttls.h"

/* A word that names a host: letters, digits, '-' and at least one '.' with a letter. */
static bool hostlike(const char *w, size_t n)
{
	bool dot = false, alpha = false;
	for (size_t i = 0; i < n; i++) {
		char c = w[i];
		if (c == '.')
			dot = true;
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			alpha = true;
		else if (!(c >= '0' && c <= '9') && c != '-')
			return false;
	}
	return dot && alpha && w[0] != '.' && w[n - 1] != '.';
}

/* A dotted quad (not an enhanced status code such as 4.7.0). */
static bool ipv4_word(const char *w, size_t n, uint8_t out[4])
{
	unsigned part = 0, v = 0, digits = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && w[i] >= '0' && w[i] <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(w[i] - '0');
			digits++;
		} else if ((i == n || w[i] == '.') && digits && v <= 255 && part < 4) {
			out[part++] = (uint8_t)v;
			v = digits = 0;
		} else {
			return false;
		}
	}
	return part == 4;
}

static size_t put(char *buf, size_t cap, size_t o, const char *p, size_t n)
{
	if (o >= cap)
		return o;
	size_t k = n < cap - 1 - o ? n : cap - 1 - o;
	memcpy(buf + o, p, k);
	return o + k;
}

/* Under --redact, each word that is a host name or an address is replaced. */
size_t starttls_words(const struct starttls_facts *f, char *buf, size_t cap)
{
	const char *w = (const char *)f->words;
	size_t n = f->words_len, o = 0;
	if (!cap)
		return 0;
	for (size_t i = 0; i < n;) {
		size_t k = 0;
		while (i + k < n && w[i + k] != ' ' && w[i + k] != ':' && w[i + k] != '<' && w[i + k] != '>' &&
		       w[i + k] != '[' && w[i + k] != ']' && w[i + k] != '(' && w[i + k] != ')')
			k++;
		uint8_t ip[16] = { 0 }, shown[16];
		if (k && redact_addresses() && ipv4_word(w + i, k, ip)) {
			char a[FMT_ADDR_LEN];
			redact_address(4, ip, shown);
			fmt_ip_real(a, sizeof a, 4, shown);
			o = put(buf, cap, o, a, strlen(a));
		} else if (k && redact_names() && hostlike(w + i, k)) {
			char *r = redact_hostname(w + i, k);
			o = put(buf, cap, o, r, strlen(r));
			mem_free(r);
		} else {
			o = put(buf, cap, o, w + i, k);
		}
		if (i + k < n)
			o = put(buf, cap, o, w + i + k, 1);
		i += k + 1;
	}
	buf[o < cap ? o : cap - 1] = '\0';
	return o;
}

static const char *answer_name(int a)
{
	return a == STLS_ACCEPTED ? "accepted" : a == STLS_REFUSED ? "refused" : NULL;
}

/* The first frame of TLS after the plaintext: the earlier of both sides'. */
static uint64_t tls_start(const struct session *s)
{
	uint64_t c = s->dir[SIDE_CLIENT].tls_start_frame, v = s->dir[SIDE_SERVER].tls_start_frame;
	return c && (!v || c < v) ? c : v;
}

static void describe_starttls(FILE *out, const struct session *s, const char *indent,
			      void (*esc)(FILE *, const void *, size_t))
{
	const struct starttls_facts *f = &s->starttls;
	char w[LIM_STARTTLS_WORDS * 2 + 8];
	size_t wn = starttls_words(f, w, sizeof w);
	fprintf(out, "%sSTARTTLS (%s): ", indent, starttls_proto_name(f->proto));
	if (f->gssenc_refused)
		fprintf(out, "GSSENCRequest refused with N (frame %" PRIu64 "); ", f->gssenc_frame);
	fprintf(out, "the client asked with %s (frame %" PRIu64 "); ", f->request, f->request_frame);
	if (f->implicit) {
		fprintf(out, "the server's greeting (frame %" PRIu64 ", version \"", f->answer_frame);
		esc(out, w, wn);
		fprintf(out, "\") %s SSL", f->answer == STLS_ACCEPTED ? "offered" : "did not offer");
	} else if (f->answer != STLS_NO_ANSWER) {
		fprintf(out, "the server %s (frame %" PRIu64 ": \"", f->answer == STLS_ACCEPTED ? "agreed" : "refused",
			f->answer_frame);
		esc(out, w, wn);
		fprintf(out, "%s\")", f->words_cut ? "..." : "");
	} else {
		fputs("no answer from the server", out);
	}
	uint64_t start = tls_start(s);
	if (start)
		fprintf(out, "; TLS from frame %" PRIu64 "\n", start);
	else
		fputs("; no TLS followed\n", out);
}

static void describe_proxy(FILE *out, const struct session *s, const char *indent,
			   void (*esc)(FILE *, const void *, size_t))
{
	const struct proxy_facts *p = &s->proxy;
	fprintf(out, "%sPROXY protocol v%u header (frame %" PRIu64 ", %" PRIu32 " bytes): ", indent, p->version, p->frame,
		p->header_len);
	if (p->malformed)
		fputs("malformed", out);
	else if (p->local || !p->af)
		fputs("no original address (LOCAL or UNKNOWN: a health check)", out);
	else {
		char a[FMT_ADDR_LEN], b[FMT_ADDR_LEN];
		fmt_endpoint(a, sizeof a, p->af, p->src, p->sport);
		fmt_endpoint(b, sizeof b, p->af, p->dst, p->dport);
		fprintf(out, "original client %s -> %s%s", a, b, p->datagram ? " (UDP)" : "");
	}
	if (p->authority_len) {
		char name[FMT_SNI_LEN];
		size_t n = fmt_sni(name, sizeof name, p->authority, p->authority_len);
		fputs(", authority \"", out);
		esc(out, name, n);
		fputc('"', out);
	}
	for (uint32_t i = 0; i < p->tlv_count && i < LIM_PROXY_TLVS; i++) {
		const char *n = proxy_tlv_name(p->tlv_types[i]);
		fprintf(out, "%s", i ? ", " : "; TLVs ");
		if (n)
			fputs(n, out);
		else
			fprintf(out, "0x%02x", p->tlv_types[i]);
	}
	if (p->tlv_count > LIM_PROXY_TLVS)
		fprintf(out, " and %" PRIu32 " more", p->tlv_count - LIM_PROXY_TLVS);
	fputc('\n', out);
}

void starttls_describe(FILE *out, const struct session *s, const char *indent,
		       void (*esc)(FILE *, const void *, size_t))
{
	if (s->proxy.present)
		describe_proxy(out, s, indent, esc);
	if (s->starttls.requested)
		describe_starttls(out, s, indent, esc);
}

static void kv_frame(struct json *j, const char *key, uint64_t frame)
{
	json_key(j, key);
	if (frame)
		json_uint(j, frame);
	else
		json_null(j);
}

static void json_starttls(struct json *j, const struct session *s)
{
	const struct starttls_facts *f = &s->starttls;
	char w[LIM_STARTTLS_WORDS * 2 + 8];
	json_key(j, "starttls");
	json_object_begin(j);
	json_kv_str(j, "protocol", starttls_proto_name(f->proto));
	json_kv_str(j, "request", f->request);
	json_kv_uint(j, "request_frame", f->request_frame);
	json_kv_str(j, "answer", answer_name(f->answer));
	kv_frame(j, "answer_frame", f->answer_frame);
	if (f->implicit)
		json_kv_bool(j, "answer_in_greeting", true);
	json_key(j, "server_words");
	if (f->answer != STLS_NO_ANSWER) {
		size_t n = starttls_words(f, w, sizeof w);
		json_string_bytes(j, w, n);
	} else {
		json_null(j);
	}
	if (f->words_cut)
		json_kv_bool(j, "server_words_cut", true);
	if (f->gssenc_refused)
		json_kv_uint(j, "gssenc_refused_frame", f->gssenc_frame);
	kv_frame(j, "tls_start_frame", tls_start(s));
	json_object_end(j);
}

static void json_proxy(struct json *j, const struct session *s)
{
	const struct proxy_facts *p = &s->proxy;
	char a[FMT_ADDR_LEN];
	json_key(j, "proxy_protocol");
	json_object_begin(j);
	json_kv_uint(j, "version", p->version);
	json_kv_uint(j, "frame", p->frame);
	json_kv_uint(j, "header_bytes", p->header_len);
	json_kv_bool(j, "malformed", p->malformed);
	json_kv_str(j, "command", p->local ? "local" : "proxy");
	const char *keys[2] = { "original_client", "original_destination" };
	const uint8_t *ips[2] = { p->src, p->dst };
	uint16_t ports[2] = { p->sport, p->dport };
	for (int i = 0; i < 2; i++) {
		json_key(j, keys[i]);
		if (!p->af) {
			json_null(j);
			continue;
		}
		fmt_ip(a, sizeof a, p->af, ips[i]);
		json_object_begin(j);
		json_kv_str(j, "ip", a);
		json_kv_uint(j, "port", ports[i]);
		json_object_end(j);
	}
	if (p->af)
		json_kv_str(j, "transport", p->datagram ? "udp" : "tcp");
	json_key(j, "tlvs");
	json_array_begin(j);
	for (uint32_t i = 0; i < p->tlv_count && i < LIM_PROXY_TLVS; i++) {
		const char *n = proxy_tlv_name(p->tlv_types[i]);
		char hex[8];
		snprintf(hex, sizeof hex, "0x%02x", p->tlv_types[i]);
		json_string(j, n ? n : hex);
	}
	json_array_end(j);
	if (p->tlv_count > LIM_PROXY_TLVS)
		json_kv_uint(j, "tlv_count", p->tlv_count);
	if (p->authority_len) {
		char name[FMT_SNI_LEN];
		size_t n = fmt_sni(name, sizeof name, p->authority, p->authority_len);
		json_key(j, "authority");
		json_string_bytes(j, name, n);
	}
	json_object_end(j);
}

void starttls_json(struct json *j, const struct session *s)
{
	if (s->proxy.present)
		json_proxy(j, s);
	if (s->starttls.requested)
		json_starttls(j, s);
}
