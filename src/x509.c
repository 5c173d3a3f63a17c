/* x509.c - certificate facts via OpenSSL (d2i_X509), with a cache keyed by DER bytes. */
#include "x509.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "limits.h"
#include "mem.h"
#include "redact.h"

#define BUCKETS 4096u   /* power of two */

static struct x509_cert *buckets[BUCKETS];
static uint32_t cached;
static struct x509_cert *lru_head, *lru_tail;   /* unreferenced, oldest first */
static uint64_t parsed_count, hit_count;

/* A 64-bit hash of the DER bytes; equality is confirmed with memcmp, so
 * collisions cost time, never correctness. Long inputs are sampled: 32
 * words spread over the bytes and the last 8 (certificates differ in their
 * serial, key and signature, which samples catch). */
static uint64_t hash_full(const uint8_t *p, size_t n);

static uint64_t hash_der(const uint8_t *p, size_t n)
{
	if (n <= 512)
		return hash_full(p, n);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
	size_t step = (n - 8) / 32;
	for (size_t i = 0; i < 32; i++) {
		uint64_t v;
		memcpy(&v, p + i * step, 8);
		h ^= v * 0xff51afd7ed558ccdull;
		h = (h << 27 | h >> 37) * 0xc4ceb9fe1a85ec53ull;
	}
	uint64_t last;
	memcpy(&last, p + n - 8, 8);
	h ^= last * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h;
}

static uint64_t hash_full(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
	while (n >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		h ^= v * 0xff51afd7ed558ccdull;
		h = (h << 27 | h >> 37) * 0xc4ceb9fe1a85ec53ull;
		p += 8;
		n -= 8;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < n; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	h ^= tail * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h;
}

static void lru_unlink(struct x509_cert *c)
{
	if (c->lru_prev)
		c->lru_prev->lru_next = c->lru_next;
	else if (lru_head == c)
		lru_head = c->lru_next;
	if (c->lru_next)
		c->lru_next->lru_prev = c->lru_prev;
	else if (lru_tail == c)
		lru_tail = c->lru_prev;
	c->lru_prev = c->lru_next = NULL;
}

static void lru_append(struct x509_cert *c)
{
	c->lru_prev = lru_tail;
	c->lru_next = NULL;
	if (lru_tail)
		lru_tail->lru_next = c;
	else
		lru_head = c;
	lru_tail = c;
}

static void cert_destroy(struct x509_cert *c)
{
	X509_free(c->x);
	mem_free(c->der);
	mem_free(c->subject);
	mem_free(c->issuer);
	mem_free(c->cn);
	mem_free(c->cn_raw);
	for (uint32_t i = 0; i < c->match_n; i++)
		mem_free(c->match[i].dns);
	mem_free(c->match);
	mem_free(c->serial);
	for (uint32_t i = 0; i < c->san_n; i++)
		mem_free(c->san[i]);
	mem_free(c->san);
	mem_free(c);
}

static void cache_remove(struct x509_cert *c)
{
	struct x509_cert **pp = &buckets[c->hkey & (BUCKETS - 1)];
	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	cached--;
}

/* Print with RFC 4514 rules but keep UTF-8 as UTF-8 (OpenSSL's RFC 2253
 * flag would escape every non-ASCII byte). */
#define NAME_FLAGS ((XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT)

char *x509_name_string(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return mem_strdup("");
	if (X509_NAME_print_ex(b, name, 0, NAME_FLAGS) < 0) {
		BIO_free(b);
		return mem_strdup("");
	}
	char *p;
	long n = BIO_get_mem_data(b, &p);
	char *s = mem_strndup(p, n > 0 ? (size_t)n : 0);
	BIO_free(b);
	if (redact_names()) {
		char *r = redact_dn(s);
		mem_free(s);
		s = r;
	}
	return s;
}

X509_NAME *x509_dn_parse(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	if (len == 0 || len > LIM_CA_NAMES_BYTES)
		return NULL;
	X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
	if (n && p != der + len) {   /* trailing bytes: not one Name */
		X509_NAME_free(n);
		n = NULL;
	}
	ERR_clear_error();
	return n;
}

char *x509_dn_string(const uint8_t *der, size_t len)
{
	X509_NAME *n = x509_dn_parse(der, len);
	if (!n)
		return NULL;
	char *s = x509_name_string(n);
	X509_NAME_free(n);
	return s;
}

bool x509_name_equal(const X509_NAME *a, const X509_NAME *b)
{
	return a && b && X509_NAME_cmp(a, b) == 0;
}

void x509_format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool asn1_time_to_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

static char *hex_string(const unsigned char *p, size_t n, bool negative)
{
	static const char hx[] = "0123456789abcdef";
	char *s = mem_alloc(n * 2 + 2);
	size_t o = 0;
	if (negative)
		s[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		s[o++] = hx[p[i] >> 4];
		s[o++] = hx[p[i] & 15];
	}
	s[o] = '\0';
	return s;
}

static void add_san(struct x509_cert *c, const char *prefix, const char *val, size_t vlen)
{
	if (c->san_n >= 1024)   /* a certificate is < LIM_HANDSHAKE_MSG; this is plenty */
		return;
	char *shown = NULL;
	if (redact_names() && strcmp(prefix, "IP:") != 0) {
		shown = redact_hostname(val, vlen);
		val = shown;
		vlen = strlen(shown);
	}
	/* a NUL would cut the string where it is shown ("DNS:www.bank.example\0.evil.test" would
	 * read "DNS:www.bank.example"): write it as RFC 4514 does in names, \00 */
	size_t pl = strlen(prefix), nuls = 0, o = pl;
	for (size_t i = 0; i < vlen; i++)
		nuls += val[i] == '\0';
	char *s = mem_alloc(pl + vlen + 2 * nuls + 1);
	memcpy(s, prefix, pl);
	for (size_t i = 0; i < vlen; i++) {
		if (val[i] == '\0') {
			memcpy(s + o, "\\00", 3);
			o += 3;
		} else {
			s[o++] = val[i];
		}
	}
	s[o] = '\0';
	c->san = mem_realloc(c->san, (c->san_n + 1) * sizeof *c->san);
	c->san[c->san_n++] = s;
	mem_free(shown);
}

/* A name for hostname checks; names with NUL bytes never match anything. */
static void add_match(struct x509_cert *c, const char *dns, size_t dlen, const uint8_t *ip, int ip_len)
{
	if (c->match_n >= 1024 || (dns && memchr(dns, '\0', dlen)))
		return;
	c->match = mem_realloc(c->match, (c->match_n + 1) * sizeof *c->match);
	struct x509_name_id *m = &c->match[c->match_n++];
	memset(m, 0, sizeof *m);
	if (dns) {
		m->dns = mem_strndup(dns, dlen);
	} else {
		memcpy(m->ip, ip, (size_t)ip_len);
		m->ip_len = (uint8_t)ip_len;
	}
}

static void read_san(struct x509_cert *c)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(c->x, NID_subject_alt_name, NULL, NULL);
	if (!names)
		return;
	c->has_san = true;
	for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		const ASN1_STRING *s;
		switch (g->type) {
		case GEN_DNS:
			s = g->d.dNSName;
			add_san(c, "DNS:", (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
			add_match(c, (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), NULL, 0);
			break;
		case GEN_EMAIL:
			s = g->d.rfc822Name;
			add_san(c, "email:", (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
			break;
		case GEN_URI:
			s = g->d.uniformResourceIdentifier;
			add_san(c, "URI:", (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
			break;
		case GEN_IPADD: {
			char buf[INET6_ADDRSTRLEN] = "";
			s = g->d.iPAddress;
			int n = ASN1_STRING_length(s);
			const unsigned char *p = ASN1_STRING_get0_data(s);
			if (n == 4 || n == 16)
				add_match(c, NULL, 0, p, n);
			uint8_t shown[16];
			if ((n == 4 || n == 16) && redact_addresses()) {
				uint8_t full[16] = { 0 };
				memcpy(full, p, (size_t)n);
				redact_address(n == 4 ? 4 : 6, full, shown);
				p = shown;
			}
			if (n == 4)
				inet_ntop(AF_INET, p, buf, sizeof buf);
			else if (n == 16)
				inet_ntop(AF_INET6, p, buf, sizeof buf);
			else
				snprintf(buf, sizeof buf, "<%d bytes>", n);
			add_san(c, "IP:", buf, strlen(buf));
			break;
		}
		case GEN_DIRNAME: {
			char *dn = x509_name_string(g->d.directoryName);
			add_san(c, "DirName:", dn, strlen(dn));
			mem_free(dn);
			break;
		}
		default:
			add_san(c, "othername", "", 0);
			break;
		}
	}
	GENERAL_NAMES_free(names);
}

/* The key type as OpenSSL 3 names it, its size, and the EC group. */
static void key_describe(EVP_PKEY *k, char *type, size_t type_len, uint32_t *bits, char *curve, size_t curve_len)
{
	int id = EVP_PKEY_get_base_id(k);
	const char *t;
	switch (id) {
	case EVP_PKEY_RSA: t = "RSA"; break;
	case EVP_PKEY_RSA_PSS: t = "RSA-PSS"; break;
	case EVP_PKEY_EC: t = "EC"; break;
	case EVP_PKEY_DSA: t = "DSA"; break;
	case EVP_PKEY_ED25519: t = "ED25519"; break;
	case EVP_PKEY_ED448: t = "ED448"; break;
	default: t = OBJ_nid2sn(id); break;
	}
	snprintf(type, type_len, "%s", t ? t : "unknown");
	int b = EVP_PKEY_get_bits(k);
	*bits = b > 0 ? (uint32_t)b : 0;
	curve[0] = '\0';
	size_t n = 0;
	if (id == EVP_PKEY_EC && !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, curve, curve_len, &n))
		curve[0] = '\0';
	ERR_clear_error();
}

static void read_key(struct x509_cert *c)
{
	EVP_PKEY *k = X509_get0_pubkey(c->x);
	if (!k) {
		snprintf(c->key_type, sizeof c->key_type, "unknown");
		return;
	}
	key_describe(k, c->key_type, sizeof c->key_type, &c->key_bits, c->key_curve, sizeof c->key_curve);
}

void x509_key_text(EVP_PKEY *k, bool shrt, char *buf, size_t len)
{
	char type[16], curve[32];
	uint32_t bits;
	key_describe(k, type, sizeof type, &bits, curve, sizeof curve);
	if (shrt || !curve[0])
		snprintf(buf, len, "%s %" PRIu32 "%s", type, bits, shrt ? "" : " bits");
	else
		snprintf(buf, len, "%s %" PRIu32 " bits (%s)", type, bits, curve);
}

static void read_facts(struct x509_cert *c)
{
	X509 *x = c->x;
	c->version = (int)X509_get_version(x) + 1;
	c->subject = x509_name_string(X509_get_subject_name(x));
	c->issuer = x509_name_string(X509_get_issuer_name(x));

	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	c->serial = hex_string(ASN1_STRING_get0_data(sn), (size_t)ASN1_STRING_length(sn),
			       ASN1_STRING_type(sn) == V_ASN1_NEG_INTEGER);

	c->has_validity = asn1_time_to_unix(X509_get0_notBefore(x), &c->not_before) &&
			  asn1_time_to_unix(X509_get0_notAfter(x), &c->not_after);

	X509_NAME *subj = X509_get_subject_name(x);
	int last = -1;
	for (int i = X509_NAME_get_index_by_NID(subj, NID_commonName, -1); i >= 0;
	     i = X509_NAME_get_index_by_NID(subj, NID_commonName, i))
		last = i;
	if (last >= 0) {
		const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, last));
		unsigned char *u = NULL;
		int ul = ASN1_STRING_to_UTF8(&u, data);
		c->cn = ul >= 0 ? mem_strndup((const char *)u, (size_t)ul) : mem_strdup("");
		if (ul > 0 && !memchr(u, '\0', (size_t)ul))
			c->cn_raw = mem_strndup((const char *)u, (size_t)ul);   /* for hostname checks */
		OPENSSL_free(u);
		if (redact_names()) {
			char *r = redact_hostname(c->cn, strlen(c->cn));
			mem_free(c->cn);
			c->cn = r;
		}
	}

	read_san(c);
	read_key(c);

	int nid = X509_get_signature_nid(x);
	const char *ln = OBJ_nid2ln(nid);
	if (ln) {
		snprintf(c->sig_alg, sizeof c->sig_alg, "%s", ln);
	} else {
		const X509_ALGOR *alg;
		X509_get0_signature(NULL, &alg, x);
		const ASN1_OBJECT *obj;
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		OBJ_obj2txt(c->sig_alg, sizeof c->sig_alg, obj, 1);
	}
	int md = NID_undef;
	if (!X509_get_signature_info(x, &md, NULL, NULL, NULL))
		md = NID_undef;
	c->sig_md_nid = md;

	uint32_t flags = X509_get_extension_flags(x);   /* also caches extensions */
	c->is_ca = (flags & EXFLAG_CA) && (flags & EXFLAG_BCONS);
	c->pathlen = X509_get_pathlen(x);
	c->self_issued = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
	c->self_signed = c->self_issued && X509_self_signed(x, 1) == 1;
	c->has_key_usage = (flags & EXFLAG_KUSAGE) != 0;
	c->key_usage = c->has_key_usage ? X509_get_key_usage(x) : 0;
	c->has_eku = (flags & EXFLAG_XKUSAGE) != 0;
	if (c->has_eku) {
		uint32_t xku = X509_get_extended_key_usage(x);
		c->eku_server_auth = (xku & XKU_SSL_SERVER) != 0;
		c->eku_client_auth = (xku & XKU_SSL_CLIENT) != 0;
		c->eku_any = (xku & XKU_ANYEKU) != 0;
	}
}

static struct x509_cert *parse_new(const uint8_t *der, size_t len, uint64_t h)
{
	struct x509_cert *c = mem_alloc(sizeof *c);
	c->hkey = h;
	c->der = mem_alloc(len ? len : 1);
	memcpy(c->der, der, len);
	c->der_len = (uint32_t)len;
	c->pathlen = -1;
	EVP_Digest(der, len, c->sha256, NULL, EVP_sha256(), NULL);

	const unsigned char *p = der;
	ERR_clear_error();
	c->x = d2i_X509(NULL, &p, (long)len);
	if (!c->x) {
		unsigned long e = ERR_peek_last_error();
		const char *why = e ? ERR_reason_error_string(e) : NULL;
		snprintf(c->parse_error, sizeof c->parse_error, "%s", why ? why : "not a DER certificate");
		c->subject = mem_strdup("");
		c->issuer = mem_strdup("");
		c->serial = mem_strdup("");
		snprintf(c->key_type, sizeof c->key_type, "unknown");
	} else {
		c->trailing_bytes = p != der + len;
		read_facts(c);
	}
	ERR_clear_error();
	parsed_count++;
	return c;
}

struct x509_cert *x509_get(const uint8_t *der, size_t len)
{
	uint64_t h = hash_der(der, len);
	struct x509_cert **slot = &buckets[h & (BUCKETS - 1)];
	for (struct x509_cert *c = *slot; c; c = c->hnext) {
		if (c->hkey == h && c->der_len == len && memcmp(c->der, der, len) == 0) {
			hit_count++;
			return x509_ref(c);
		}
	}
	/* make room: drop the oldest certificate nobody holds */
	while (cached >= LIM_CERT_CACHE && lru_head) {
		struct x509_cert *old = lru_head;
		lru_unlink(old);
		cache_remove(old);
		cert_destroy(old);
	}
	struct x509_cert *c = parse_new(der, len, h);
	c->hnext = *slot;
	*slot = c;
	cached++;
	c->refs = 1;
	return c;
}

struct x509_cert *x509_ref(struct x509_cert *c)
{
	if (c->refs++ == 0)
		lru_unlink(c);
	return c;
}

void x509_unref(struct x509_cert *c)
{
	if (!c || c->refs == 0)
		return;
	if (--c->refs == 0)
		lru_append(c);
}

#define DN_LISTS 16

struct dn_entry {
	uint64_t hash;
	uint8_t *bytes;
	uint32_t len;
	struct dn_list list;
};

static struct dn_entry dn_cache[DN_LISTS];
static unsigned dn_next;

static void dn_entry_free(struct dn_entry *e)
{
	for (uint32_t i = 0; i < e->list.n; i++) {
		X509_NAME_free(e->list.names[i]);
		mem_free(e->list.text[i]);
	}
	mem_free(e->list.names);
	mem_free(e->list.text);
	mem_free(e->bytes);
	memset(e, 0, sizeof *e);
}

const struct dn_list *x509_dn_list(const uint8_t *bytes, uint32_t len, const uint32_t *off, const uint16_t *lens,
				   uint32_t n)
{
	uint64_t h = hash_der(bytes, len) ^ n;
	for (unsigned i = 0; i < DN_LISTS; i++) {
		struct dn_entry *e = &dn_cache[i];
		if (e->bytes && e->hash == h && e->len == len && e->list.n == n &&
		    (!len || memcmp(e->bytes, bytes, len) == 0))
			return &e->list;
	}
	struct dn_entry *e = &dn_cache[dn_next];
	dn_next = (dn_next + 1) % DN_LISTS;
	dn_entry_free(e);
	e->hash = h;
	e->len = len;
	e->bytes = mem_alloc(len ? len : 1);
	if (len)   /* a CertificateRequest cut short has no names: bytes is NULL */
		memcpy(e->bytes, bytes, len);
	e->list.n = n;
	e->list.names = mem_alloc((n ? n : 1) * sizeof *e->list.names);
	e->list.text = mem_alloc((n ? n : 1) * sizeof *e->list.text);
	for (uint32_t i = 0; i < n; i++) {
		e->list.names[i] = x509_dn_parse(bytes + off[i], lens[i]);
		e->list.text[i] = e->list.names[i] ? x509_name_string(e->list.names[i]) : NULL;
	}
	return &e->list;
}

void x509_cache_clear(void)
{
	for (unsigned i = 0; i < DN_LISTS; i++)
		dn_entry_free(&dn_cache[i]);
	for (uint32_t i = 0; i < BUCKETS; i++) {
		struct x509_cert *c = buckets[i];
		while (c) {
			struct x509_cert *next = c->hnext;
			cert_destroy(c);
			c = next;
		}
		buckets[i] = NULL;
	}
	lru_head = lru_tail = NULL;
	cached = 0;
}

uint64_t x509_parsed_count(void) { return parsed_count; }
uint64_t x509_cache_hits(void) { return hit_count; }
