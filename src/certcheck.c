/* certcheck.c - chain shape, trust lookups, verification, hostname and strength checks (RFC 5280, RFC 6125). */
#include "certcheck.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* X509_check_issued compares names in canonical form: costly, and asked
 * again for every connection that sends the same chain. Remembered by the
 * certificates' hashes. */
#define ISSUED_MEMO 4096u   /* power of two */

static struct issued_memo {
	uint64_t subject, issuer;   /* first 8 bytes of each SHA-256; 0 = empty */
	bool result;
} issued_memo[ISSUED_MEMO];

static uint64_t cert_id(const struct x509_cert *c)
{
	uint64_t id;
	memcpy(&id, c->sha256, sizeof id);
	return id ? id : 1;
}

static bool issued_by(const struct x509_cert *subject, const struct x509_cert *issuer)
{
	if (!subject->x || !issuer->x)
		return false;
	uint64_t s = cert_id(subject), i = cert_id(issuer);
	struct issued_memo *m = &issued_memo[(s ^ (i * 0x9e3779b97f4a7c15ull)) & (ISSUED_MEMO - 1)];
	if (m->subject == s && m->issuer == i)
		return m->result;
	m->subject = s;
	m->issuer = i;
	m->result = X509_check_issued(issuer->x, subject->x) == X509_V_OK;
	return m->result;
}

void chain_shape_of(struct x509_cert *const *certs, int n, struct chain_shape *out)
{
	memset(out, 0, sizeof *out);
	out->leaf = -1;
	out->top = -1;
	if (n > (int)LIM_CERTS_PER_CHAIN)
		n = (int)LIM_CERTS_PER_CHAIN;
	/* The end entity is normally first; if the first is a CA, take the
	 * first non-CA certificate that certifies nothing else sent. */
	for (int i = 0; i < n && out->leaf < 0; i++) {
		if (!certs[i]->x)
			continue;
		if (i == 0 && !certs[0]->is_ca) {
			out->leaf = 0;
			break;
		}
		if (certs[i]->is_ca)
			continue;
		bool issues = false;
		for (int j = 0; j < n; j++)
			if (j != i && issued_by(certs[j], certs[i]))
				issues = true;
		if (!issues)
			out->leaf = i;
	}
	if (out->leaf < 0) {
		for (int i = 0; i < n; i++)
			if (certs[i]->x) {
				out->leaf = i;
				break;
			}
	}
	if (out->leaf < 0)
		return;
	bool used[LIM_CERTS_PER_CHAIN] = { false };
	int cur = out->leaf;
	used[cur] = true;
	out->path[out->path_n++] = cur;
	while (!certs[cur]->self_signed) {
		int next = -1;
		/* prefer the certificate that follows, as the order demands */
		if (cur + 1 < n && !used[cur + 1] && issued_by(certs[cur], certs[cur + 1]))
			next = cur + 1;
		for (int j = 0; j < n && next < 0; j++)
			if (!used[j] && issued_by(certs[cur], certs[j]))
				next = j;
		if (next < 0)
			break;
		used[next] = true;
		out->path[out->path_n++] = next;
		cur = next;
	}
	out->top = cur;
	out->top_self_signed = certs[cur]->self_signed;
	out->root_sent = out->path_n > 1 && out->top_self_signed;
	out->in_order = true;
	for (int i = 0; i < out->path_n; i++)
		if (out->path[i] != i)
			out->in_order = false;
	for (int i = 0; i < n; i++) {
		if (!used[i]) {
			out->extra[i] = true;
			out->extra_n++;
		}
	}
}

/*
 * The same chains come back in every connection of a capture: their
 * verification is cached. A result holds for another time as long as no
 * certificate of the chain starts or ends its validity in between.
 */
#define VERIFY_CACHE 1024u   /* power of two */

#define MEMO_CHAIN 8         /* longer chains are verified every time */

struct verify_memo {
	uint64_t ids[MEMO_CHAIN];/* the certificates, by the first bytes of their SHA-256 */
	int n;
	int purpose;
	bool used;
	X509_STORE *store;
	int64_t at;
	int err, depth;
	int64_t lo, hi;          /* the result holds for times in [lo, hi) */
	uint64_t last_use;       /* verify_clock when last used */
};

static struct verify_memo verify_memo[VERIFY_CACHE];   /* pairs of ways, by chain */
static uint64_t verify_clock;


/* The span around at in which no validity boundary of the chain falls. */
static void validity_span(struct x509_cert *const *certs, int n, int64_t at, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	for (int i = 0; i < n; i++) {
		if (!certs[i]->has_validity)
			continue;
		int64_t b[2] = { certs[i]->not_before, certs[i]->not_after + 1 };
		for (int k = 0; k < 2; k++) {
			if (b[k] <= at && b[k] > *lo)
				*lo = b[k];
			if (b[k] > at && b[k] < *hi)
				*hi = b[k];
		}
	}
}

bool trust_has_issuer_cert(X509_STORE *store, struct x509_cert *c)
{
	if (!store || !c->x)
		return false;
	/* one answer per certificate and store, however many connections send it */
	if (c->trust_store != store) {
		c->trust_store = store;
		c->trust_has_issuer = trust_has_issuer(store, c->x);
	}
	return c->trust_has_issuer;
}

bool trust_has_issuer(X509_STORE *store, X509 *x)
{
	if (!store || !x)
		return false;
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!ctx)
		return false;
	bool found = false;
	if (X509_STORE_CTX_init(ctx, store, x, NULL) == 1) {
		X509 *issuer = NULL;
		if (X509_STORE_CTX_get1_issuer(&issuer, ctx, x) == 1) {
			found = true;
			X509_free(issuer);
		}
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return found;
}

static int chain_verify_now(X509_STORE *store, struct x509_cert *const *certs, int n, int64_t at, int purpose,
			    int *depth);

int chain_verify(X509_STORE *store, struct x509_cert *const *certs, int n, int64_t at, int purpose, int *depth)
{
	*depth = 0;
	if (!store || n < 1 || !certs[0]->x)
		return X509_V_ERR_UNSPECIFIED;
	if (n > MEMO_CHAIN)
		return chain_verify_now(store, certs, n, at, purpose, depth);
	uint64_t ids[MEMO_CHAIN] = { 0 }, h = (uint64_t)purpose * 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < n; i++) {
		ids[i] = cert_id(certs[i]);
		h = (h ^ ids[i]) * 0xbf58476d1ce4e5b9ull;
	}
	/* two ways per chain: one chain is often checked at two times (the
	 * capture's clock, then corrected for its skew), which one entry
	 * would trade back and forth at every connection */
	struct verify_memo *way = &verify_memo[(h ^ h >> 29) & (VERIFY_CACHE - 2)];
	for (int k = 0; k < 2; k++) {
		struct verify_memo *w = &way[k];
		if (w->used && w->store == store && w->n == n && w->purpose == purpose &&
		    memcmp(w->ids, ids, sizeof ids) == 0 && at >= w->lo && at < w->hi) {
			w->last_use = ++verify_clock;
			*depth = w->depth;
			return w->err;
		}
	}
	struct verify_memo *m = way[0].last_use <= way[1].last_use ? &way[0] : &way[1];   /* the least recently used */
	m->last_use = ++verify_clock;
	int err = chain_verify_now(store, certs, n, at, purpose, depth);
	memcpy(m->ids, ids, sizeof ids);
	m->n = n;
	m->purpose = purpose;
	m->used = true;
	m->store = store;
	m->at = at;
	m->err = err;
	m->depth = *depth;
	validity_span(certs, n, at, &m->lo, &m->hi);
	return err;
}

static int chain_verify_now(X509_STORE *store, struct x509_cert *const *certs, int n, int64_t at, int purpose,
			    int *depth)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	for (int i = 1; i < n && untrusted; i++)
		if (certs[i]->x)
			sk_X509_push(untrusted, certs[i]->x);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err = X509_V_ERR_UNSPECIFIED;
	if (ctx && untrusted && X509_STORE_CTX_init(ctx, store, certs[0]->x, untrusted) == 1) {
		X509_STORE_CTX_set_purpose(ctx, purpose);
		X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
		X509_VERIFY_PARAM_set_time(p, (time_t)at);
		if (X509_verify_cert(ctx) == 1) {
			err = X509_V_OK;
		} else {
			err = X509_STORE_CTX_get_error(ctx);
			*depth = X509_STORE_CTX_get_error_depth(ctx);
		}
	}
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);   /* the X509s belong to the cache */
	ERR_clear_error();
	return err;
}

bool host_is_ip(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* One presented DNS identifier against the reference name (RFC 6125 §6.4):
 * case-insensitive; "*" may stand for the whole left-most label only, and
 * for exactly one label. */
static bool dns_id_matches(const char *id, const char *host)
{
	size_t il = strlen(id), hl = strlen(host);
	if (il && id[il - 1] == '.')
		il--;
	if (hl && host[hl - 1] == '.')
		hl--;
	if (il >= 2 && id[0] == '*' && id[1] == '.') {
		const char *dot = memchr(host, '.', hl);
		if (!dot || dot == host)
			return false;
		size_t rest = hl - (size_t)(dot - host);   /* ".example.com" */
		/* the wildcard's domain needs two labels: no "*.com" */
		if (!memchr(id + 2, '.', il - 2))
			return false;
		return rest == il - 1 && strncasecmp(dot, id + 1, rest) == 0;
	}
	return il == hl && strncasecmp(id, host, hl) == 0;
}

bool cert_covers_host(const struct x509_cert *c, const char *host)
{
	if (!c->x || !host || !*host)
		return false;
	unsigned char want[16];
	int af = 0;
	if (inet_pton(AF_INET, host, want) == 1)
		af = 4;
	else if (inet_pton(AF_INET6, host, want) == 1)
		af = 6;
	bool dns_sans = false;
	for (uint32_t i = 0; i < c->match_n; i++) {
		const struct x509_name_id *id = &c->match[i];
		dns_sans |= id->dns != NULL;
		if (af && id->ip_len == (af == 4 ? 4 : 16) && memcmp(id->ip, want, id->ip_len) == 0)
			return true;
		if (!af && id->dns && dns_id_matches(id->dns, host))
			return true;
	}
	/* the CN counts only without DNS names in the SAN (RFC 6125 §6.4.4; as
	 * OpenSSL's X509_check_host) */
	return !af && !dns_sans && c->cn_raw && dns_id_matches(c->cn_raw, host);
}

bool cert_weak_signature(const struct x509_cert *c)
{
	if (!c->x || c->self_signed)
		return false;
	return c->sig_md_nid == NID_md5 || c->sig_md_nid == NID_sha1 || c->sig_md_nid == NID_md4 ||
	       c->sig_md_nid == NID_md2 || c->sig_md_nid == NID_md5_sha1;
}

bool cert_weak_key(const struct x509_cert *c)
{
	if (!c->x || !c->key_bits)
		return false;
	if (!strcmp(c->key_type, "RSA") || !strcmp(c->key_type, "RSA-PSS") || !strcmp(c->key_type, "DSA"))
		return c->key_bits < 2048;
	if (!strcmp(c->key_type, "EC"))
		return c->key_bits < 224;
	return false;
}

const char *cert_sig_digest_name(const struct x509_cert *c)
{
	switch (c->sig_md_nid) {
	case NID_md2: return "MD2";
	case NID_md4: return "MD4";
	case NID_md5: return "MD5";
	case NID_sha1: return "SHA-1";
	case NID_md5_sha1: return "MD5+SHA-1";
	default: {
		const char *n = OBJ_nid2sn(c->sig_md_nid);
		return n ? n : "unknown";
	}
	}
}
