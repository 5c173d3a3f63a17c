/* report_ecs.c - --format ecs: one Elastic Common Schema event per connection, one line each.
 *
 * For log shippers (Filebeat, Fluent Bit, Vector) tailing tlsdiag's output:
 * every field is an ECS field of the version named in ECS_VERSION, with the
 * ECS type (tests/ecs.sh checks each against ECS's published field list),
 * except tlsdiag's own facts, which live under "tlsdiag." as ECS asks of
 * custom fields. A line is built whole in memory and written with one
 * fwrite, so a reader never sees half an event; live, the reporter flushes
 * each line as its connection settles.
 */
#include "writer.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fingerprint.h"
#include "fmt.h"
#include "mem.h"
#include "problems.h"
#include "redact.h"
#include "report_json.h"
#include "tls_names.h"
#include "x509.h"

#define ECS_VERSION "9.4.0"

/* the line being built, reused from one connection to the next */
static FILE *line;
static char *line_buf;
static size_t line_size;

/* several KiB each: one of each, reused */
static struct fp_ja3 ja3;
static struct fp_ja4 ja4;

/*
 * Values that come back event after event, written once and their bytes
 * kept: a client library's list of cipher suites (by the list as sent), a
 * certificate's x509 and hash objects (by its SHA-256 and length). A slot
 * holds its key whole and is compared byte for byte; the output is what
 * writing the value again would give. A value longer than KEPT_MAX is
 * written every time. Freed at the end of the report.
 */
#define KEPT_SLOTS 64u
#define KEPT_MAX 4096u

struct kept {
	uint64_t h;
	uint32_t klen, vlen, split;   /* split: where the second value starts */
	uint8_t *key;                 /* NULL: empty */
	char *val;
};

static struct kept kept_suites[KEPT_SLOTS], kept_certs[KEPT_SLOTS];

static uint64_t kept_hash(const void *key, size_t n)
{
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	size_t i = 0;
	for (uint64_t v; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h ^ h >> 29;
}

static const struct kept *kept_find(const struct kept *t, uint64_t h, const void *key, size_t klen)
{
	const struct kept *k = &t[h % KEPT_SLOTS];
	if (k->key && k->h == h && k->klen == klen && memcmp(k->key, key, klen) == 0)
		return k;
	return NULL;
}

/* Keep v (vlen bytes, the second value from split) under key. */
static void kept_put(struct kept *t, uint64_t h, const void *key, size_t klen, const char *v, size_t vlen,
		     size_t split)
{
	if (vlen > KEPT_MAX || klen > KEPT_MAX)
		return;
	struct kept *k = &t[h % KEPT_SLOTS];
	mem_free(k->key);
	mem_free(k->val);
	k->key = mem_alloc_uninit(klen ? klen : 1);
	k->val = mem_alloc_uninit(vlen ? vlen : 1);
	memcpy(k->key, key, klen);
	memcpy(k->val, v, vlen);
	k->h = h;
	k->klen = (uint32_t)klen;
	k->vlen = (uint32_t)vlen;
	k->split = (uint32_t)split;
}

static void kept_clear(struct kept *t)
{
	for (unsigned i = 0; i < KEPT_SLOTS; i++) {
		mem_free(t[i].key);
		mem_free(t[i].val);
		t[i].key = NULL;
		t[i].val = NULL;
	}
}

static void kv_time(struct json *j, const char *key, const struct ts *t, int digits)
{
	char buf[FMT_TIME_LEN];
	fmt_time_iso(buf, sizeof buf, t, digits);
	json_kv_str(j, key, buf);
}

/* ECS writes hashes and serial numbers in upper-case hex. */
static void kv_upper_hex(struct json *j, const char *key, const char *lower)
{
	char buf[160];
	size_t n = 0;
	for (; lower[n] && n < sizeof buf - 1; n++)
		buf[n] = (char)toupper((unsigned char)lower[n]);
	buf[n] = '\0';
	json_kv_str(j, key, buf);
}

static void sha256_value(struct json *j, const uint8_t *d)
{
	char hex[65];
	fmt_hex(hex, sizeof hex, d, 32);
	json_object_begin(j);
	kv_upper_hex(j, "sha256", hex);
	json_object_end(j);
}

static void kv_one_name(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_array_begin(j);
	json_string(j, v);
	json_array_end(j);
}

/* ECS's event.start/end are dates, event.duration nanoseconds. */
static void event(struct json *j, const struct session *s, const char *start)
{
	static const char *const outcome[] = { [OUTCOME_INCOMPLETE] = "unknown", [OUTCOME_COMPLETED] = "success",
					       [OUTCOME_FAILED] = "failure", [OUTCOME_NOT_TLS] = "failure" };
	json_key(j, "event");
	json_object_begin(j);
	/* the members every event has, as writing them one by one gives them */
	json_raw_members_lit(j, "\"kind\":\"event\",\"category\":[\"network\"],"
				"\"type\":[\"connection\",\"protocol\"],\"action\":\"tls-handshake\"");
	json_kv_str(j, "outcome", outcome[s->outcome <= OUTCOME_NOT_TLS ? s->outcome : OUTCOME_INCOMPLETE]);
	json_raw_members_lit(j, "\"module\":\"tlsdiag\",\"dataset\":\"tlsdiag.connection\"");
	json_kv_str(j, "start", start);
	kv_time(j, "end", &s->end_time, s->ts_prec);
	int64_t ns = (s->end_time.sec - s->start_time.sec) * 1000000000 + ((int64_t)s->end_time.nsec - s->start_time.nsec);
	json_kv_int(j, "duration", ns > 0 ? ns : 0);
	/* the worst finding, in words: what a dashboard lists */
	const struct finding *worst = NULL;
	finding_words(&s->findings);
	for (uint32_t i = 0; i < s->findings.n; i++)
		if (!worst || s->findings.v[i].severity > worst->severity)
			worst = &s->findings.v[i];
	if (worst && worst->severity > SEV_INFO)
		json_kv_str(j, "reason", worst->summary);
	json_object_end(j);
}

static void endpoint(struct json *j, const char *key, const struct session *s, int side)
{
	char ip[FMT_ADDR_LEN];
	fmt_ip(ip, sizeof ip, s->af, side == SIDE_CLIENT ? s->client_ip : s->server_ip);
	json_key(j, key);
	json_object_begin(j);
	json_kv_str(j, "ip", ip);
	json_kv_str(j, "address", ip);
	json_kv_uint(j, "port", side == SIDE_CLIENT ? s->client_port : s->server_port);
	json_kv_uint(j, "packets", s->dir[side].packets);
	json_kv_uint(j, "bytes", s->dir[side].payload_bytes);
	json_object_end(j);
}

/*
 * The Community ID (v1, seed 0) of the connection, as Zeek, Suricata and
 * Wireshark compute it, so an event joins theirs: "1:" and the base64 SHA-1
 * of seed, the lower (address, port) end's address, the other's, protocol
 * 6, a zero byte and the two ports in that order. Not written with
 * --redact: a hash of real addresses could be matched back to them.
 */
static EVP_MD *sha1;
static EVP_MD_CTX *sha1_ctx;
static bool sha1_fetched;

static void community_id(struct json *j, const struct session *s)
{
	size_t alen = s->af == 6 ? 16 : 4;
	int c = memcmp(s->client_ip, s->server_ip, alen);
	bool client_first = c < 0 || (c == 0 && s->client_port <= s->server_port);
	const uint8_t *a = client_first ? s->client_ip : s->server_ip, *b = client_first ? s->server_ip : s->client_ip;
	uint16_t pa = client_first ? s->client_port : s->server_port, pb = client_first ? s->server_port : s->client_port;
	uint8_t in[2 + 16 + 16 + 2 + 4] = { 0, 0 };
	size_t n = 2;
	memcpy(in + n, a, alen);
	n += alen;
	memcpy(in + n, b, alen);
	n += alen;
	in[n++] = 6;   /* TCP */
	in[n++] = 0;
	in[n++] = (uint8_t)(pa >> 8);
	in[n++] = (uint8_t)pa;
	in[n++] = (uint8_t)(pb >> 8);
	in[n++] = (uint8_t)pb;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdn = 0;
	char out[2 + 4 * ((20 + 2) / 3) + 1] = "1:";
	/* SHA-1 fetched once and one context reused: EVP_Digest with
	 * EVP_sha1() fetched it and made a context for every event */
	if (!sha1_fetched) {
		sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
		sha1_ctx = EVP_MD_CTX_new();
		sha1_fetched = true;
	}
	if (!sha1 || !sha1_ctx || !EVP_DigestInit_ex2(sha1_ctx, sha1, NULL) || !EVP_DigestUpdate(sha1_ctx, in, n) ||
	    !EVP_DigestFinal_ex(sha1_ctx, md, &mdn) || mdn != 20)
		return;
	EVP_EncodeBlock((unsigned char *)out + 2, md, 20);
	json_kv_str(j, "community_id", out);
}

static void network(struct json *j, const struct session *s)
{
	json_key(j, "network");
	json_object_begin(j);
	json_raw_members_lit(j, "\"transport\":\"tcp\",\"iana_number\":\"6\"");
	json_kv_str(j, "type", s->af == 6 ? "ipv6" : "ipv4");
	json_raw_members_lit(j, "\"protocol\":\"tls\"");
	if (!redact_addresses())
		community_id(j, s);
	json_kv_uint(j, "packets", s->dir[0].packets + s->dir[1].packets);
	json_kv_uint(j, "bytes", s->dir[0].payload_bytes + s->dir[1].payload_bytes);
	json_object_end(j);
}

/* A distinguished name: the whole, and its common name where it has one. */
static void dn(struct json *j, const char *key, const char *name, const char *cn)
{
	json_key(j, key);
	json_object_begin(j);
	json_kv_str(j, "distinguished_name", name);
	if (cn)
		kv_one_name(j, "common_name", cn);
	json_object_end(j);
}

/* ECS's x509 field set, of the leaf certificate. */
static void x509_value(struct json *j, const struct x509_cert *c)
{
	char t[32];
	json_object_begin(j);
	dn(j, "subject", c->subject, c->cn);
	dn(j, "issuer", c->issuer, NULL);
	if (c->has_validity) {
		x509_format_time(c->not_before, t, sizeof t);
		json_kv_str(j, "not_before", t);
		x509_format_time(c->not_after, t, sizeof t);
		json_kv_str(j, "not_after", t);
	}
	kv_upper_hex(j, "serial_number", c->serial);
	json_kv_str(j, "signature_algorithm", c->sig_alg);
	json_kv_str(j, "public_key_algorithm", c->key_type);
	if (c->key_bits)
		json_kv_uint(j, "public_key_size", c->key_bits);
	if (c->key_curve[0])
		json_kv_str(j, "public_key_curve", c->key_curve);
	snprintf(t, sizeof t, "%d", c->version);
	json_kv_str(j, "version_number", t);
	if (c->san_n) {
		json_key(j, "alternative_names");   /* the names, without tlsdiag's "DNS:" prefixes */
		json_array_begin(j);
		for (uint32_t i = 0; i < c->san_n; i++) {
			const char *colon = strchr(c->san[i], ':');
			json_string(j, colon ? colon + 1 : c->san[i]);
		}
		json_array_end(j);
	}
	json_object_end(j);
}

/* The leaf's x509 and hash objects: kept by certificate, the same leaf is
 * in thousands of events. */
static void leaf_fields(struct json *j, const struct x509_cert *c)
{
	static char first[KEPT_MAX];
	uint8_t key[sizeof c->sha256 + sizeof c->der_len];
	memcpy(key, c->sha256, sizeof c->sha256);
	memcpy(key + sizeof c->sha256, &c->der_len, sizeof c->der_len);
	uint64_t h;
	memcpy(&h, c->sha256, sizeof h);   /* a digest: as good a hash as any */
	const struct kept *k = kept_find(kept_certs, h, key, sizeof key);
	json_key(j, "x509");
	if (k) {
		json_raw_value(j, k->val, k->split);
		json_key(j, "hash");
		json_raw_value(j, k->val + k->split, k->vlen - k->split);
		return;
	}
	uint64_t m = json_mark(j);
	x509_value(j, c);
	size_t n1 = 0, n2 = 0;
	const char *v = json_since(j, m, &n1);
	bool keep = v && n1 <= sizeof first;
	if (keep)
		memcpy(first, v, n1);
	json_key(j, "hash");
	m = json_mark(j);
	sha256_value(j, c->sha256);
	v = json_since(j, m, &n2);
	if (keep && v && n1 + n2 <= KEPT_MAX) {
		static char both[KEPT_MAX];
		memcpy(both, first, n1);
		memcpy(both + n1, v, n2);
		kept_put(kept_certs, h, key, sizeof key, both, n1 + n2, n1);
	}
}

/* The names of the suites a client offers, without GREASE: kept by the
 * list as sent. */
static void supported_ciphers(struct json *j, const struct u16list *l)
{
	char buf[FMT_SNI_LEN];
	size_t klen = l->n * sizeof *l->v;
	uint64_t h = klen ? kept_hash(l->v, klen) : 0;
	const struct kept *k = klen ? kept_find(kept_suites, h, l->v, klen) : NULL;
	json_key(j, "supported_ciphers");
	if (k) {
		json_raw_value(j, k->val, k->vlen);
		return;
	}
	uint64_t m = json_mark(j);
	json_array_begin(j);
	for (uint32_t i = 0; i < l->n; i++)
		if (!tls_is_grease(l->v[i]))
			json_string(j, fmt_suite(buf, sizeof buf, l->v[i]));
	json_array_end(j);
	size_t n;
	const char *v = json_since(j, m, &n);
	if (klen && v)
		kept_put(kept_suites, h, l->v, klen, v, n, n);
}

/* The leaf of a chain that was seen and parses, or NULL. */
static const struct x509_cert *leaf(const struct chain *c)
{
	if (c->state != CHAIN_SEEN || !c->n || !c->certs[0].x509 || !c->certs[0].x509->x)
		return NULL;
	return c->certs[0].x509;
}

static void tls_client(struct json *j, const struct session *s)
{
	const struct client_hello *ch = &s->ch;
	const struct x509_cert *c = leaf(&s->client_chain);
	char buf[FMT_SNI_LEN];
	json_key(j, "client");
	json_object_begin(j);
	if (ch->present && fp_ja3(&ja3, ch))
		json_kv_str(j, "ja3", ja3.md5);
	if (ch->has_sni) {
		size_t n = fmt_sni(buf, sizeof buf, ch->sni, ch->sni_len);
		json_key(j, "server_name");
		json_string_bytes(j, buf, n);
	}
	if (ch->present)
		supported_ciphers(j, &ch->cipher_suites);
	if (c)
		leaf_fields(j, c);
	json_object_end(j);
}

static void tls_server(struct json *j, const struct session *s)
{
	const struct x509_cert *c = leaf(&s->server_chain);
	json_key(j, "server");
	json_object_begin(j);
	if (s->sh.present && fp_ja3s(&ja3, &s->sh))
		json_kv_str(j, "ja3s", ja3.md5);
	if (c)
		leaf_fields(j, c);
	json_object_end(j);
}

/* The group of the key exchange: TLS 1.3's key share, TLS 1.2's ECDHE curve. */
static const char *curve(const struct session *s)
{
	if (s->sh.present && s->sh.has_key_share)
		return tls_group_name(s->sh.key_share_group);
	if (s->skx.present && s->skx.kind == SKX_ECDHE && s->skx.curve_type == 3)
		return tls_group_name(s->skx.group);
	return NULL;
}

static void tls(struct json *j, const struct session *s)
{
	char buf[64];
	json_key(j, "tls");
	json_object_begin(j);
	if (s->sh.present) {
		/* "TLS 1.2" -> version_protocol "tls", version "1.2"; "SSL 3.0" likewise */
		const char *v = fmt_version(buf, sizeof buf, s->sh.version), *sp = strchr(v, ' ');
		if (sp) {
			json_kv_str(j, "version_protocol", v[0] == 'S' ? "ssl" : "tls");
			json_kv_str(j, "version", sp + 1);
		}
		json_kv_str(j, "cipher", fmt_suite(buf, sizeof buf, s->sh.cipher_suite));
		if (s->sh.has_alpn) {
			json_key(j, "next_protocol");
			json_string_bytes(j, s->sh.alpn, s->sh.alpn_len);
		}
	}
	const char *g = curve(s);
	if (g)
		json_kv_str(j, "curve", g);
	json_kv_bool(j, "resumed", s->resumed);
	json_kv_bool(j, "established", s->outcome == OUTCOME_COMPLETED);
	tls_client(j, s);
	tls_server(j, s);
	json_object_end(j);
}

/* The fingerprints ECS has no field for: JA4, and those of a retried handshake. */
static void fingerprints(struct json *j, const struct session *s)
{
	if (s->ch.present && fp_ja4(&ja4, &s->ch, FP_TCP))
		json_kv_str(j, "ja4", ja4.ja4);
	if (s->hrr.present && fp_ja3s_hrr(&ja3, &s->hrr))
		json_kv_str(j, "hello_retry_request_ja3s", ja3.md5);
	if (s->ch2.present && fp_ja3(&ja3, &s->ch2))
		json_kv_str(j, "second_client_hello_ja3", ja3.md5);
	if (s->ch2.present && fp_ja4(&ja4, &s->ch2, FP_TCP))
		json_kv_str(j, "second_client_hello_ja4", ja4.ja4);
}

/* tlsdiag.problem: the id of the connection's problem (connections that
 * fail for one cause, problems.h), as the JSON report's "problem" names it;
 * no key for a connection without one. */
static void problem(struct json *j, const struct problem *p)
{
	if (p)
		json_kv_uint(j, "problem", p->id);
}

static void own_fields(struct json *j, const struct session *s, const struct problem *p)
{
	json_key(j, "tlsdiag");
	json_object_begin(j);
	json_kv_str(j, "outcome", outcome_name(s->outcome));
	json_kv_str(j, "file", s->file);
	json_kv_uint(j, "stream", s->stream);
	json_kv_uint(j, "first_frame", s->first_frame);
	json_kv_uint(j, "last_frame", s->last_frame);
	fingerprints(j, s);
	if (s->client_chain.state == CHAIN_SEEN)   /* 0: the client sent an empty Certificate */
		json_kv_uint(j, "client_certificates", s->client_chain.count);
	problem(j, p);
	json_findings_with(j, &s->findings, json_finding_words);   /* tlsdiag.findings */
	json_object_end(j);
}

static void write_event(FILE *f, const struct session *s, const struct problem *p)
{
	struct json j;
	json_init(&j, f, false);
	char start[FMT_TIME_LEN];
	fmt_time_iso(start, sizeof start, &s->start_time, s->ts_prec);
	json_object_begin(&j);
	json_kv_str(&j, "@timestamp", start);
	json_raw_members_lit(&j, "\"ecs\":{\"version\":\"" ECS_VERSION "\"}");
	event(&j, s, start);
	endpoint(&j, "source", s, SIDE_CLIENT);
	endpoint(&j, "destination", s, SIDE_SERVER);
	network(&j, s);
	tls(&j, s);
	own_fields(&j, s, p);
	json_object_end(&j);
	fputc('\n', f);
}

static void ecs_connection(struct report_out *o, const struct session *s, bool brief)
{
	(void)brief;   /* an event holds everything */
	if (!line)
		line = open_memstream(&line_buf, &line_size);
	if (!line || fseeko(line, 0, SEEK_SET) != 0) {
		write_event(o->f, s, o->problem);   /* no memory for the line: straight out */
	} else {
		write_event(line, s, o->problem);
		off_t n = ftello(line);
		if (fflush(line) == 0 && n > 0)
			fwrite(line_buf, 1, (size_t)n, o->f);
	}
	/* live, the reporter flushes it (report_out.stream) */
}

static void ecs_end(struct report_out *o, const struct input_info *in, size_t n_in, const struct summary *sum)
{
	(void)o;
	(void)in;
	(void)n_in;
	(void)sum;
	if (line)
		fclose(line);
	kept_clear(kept_suites);
	kept_clear(kept_certs);
	EVP_MD_CTX_free(sha1_ctx);
	EVP_MD_free(sha1);
	sha1_ctx = NULL;
	sha1 = NULL;
	sha1_fetched = false;
	free(line_buf);
	line = NULL;
	line_buf = NULL;
	line_size = 0;
}

const struct report_writer ecs_writer = {
	.name = "ecs",
	.help = "ECS events, a line per connection",
	.words_every = true,
	.connection = ecs_connection,
	.end = ecs_end,
};
