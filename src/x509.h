/* x509.h - certificate and distinguished-name facts, parsed once by OpenSSL libcrypto. */
#ifndef TLSDIAG_X509_H
#define TLSDIAG_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/*
 * A certificate is identified by its DER bytes; the same certificate seen in
 * a thousand handshakes is parsed once and shared (refcounted). Facts that
 * a report or a rule needs are computed at parse time; the X509 object is
 * kept for chain building and verification.
 */
struct x509_cert {
	uint32_t refs;
	uint64_t hkey;
	struct x509_cert *hnext;
	struct x509_cert *lru_prev, *lru_next;   /* unreferenced entries only */
	uint8_t *der;
	uint32_t der_len;

	X509 *x;                 /* NULL when the DER does not parse */
	char parse_error[96];
	bool trailing_bytes;     /* DER shorter than the entry */
	uint8_t sha256[32];

	int version;             /* 1..3 */
	char *subject;           /* RFC 4514, UTF-8 */
	char *issuer;
	char *cn;                /* last CN of the subject, or NULL */
	char *serial;            /* lowercase hex of the INTEGER content */
	bool has_validity;
	int64_t not_before, not_after;   /* Unix seconds */
	char **san;              /* "DNS:x", "IP:1.2.3.4", "email:x", "URI:x" */
	uint32_t san_n;
	bool has_san;
	char key_type[16];       /* "RSA", "EC", "DSA", "ED25519", ... */
	uint32_t key_bits;
	char key_curve[32];      /* EC group name, e.g. "prime256v1" */
	char sig_alg[64];        /* long name, e.g. "sha256WithRSAEncryption" */
	int sig_md_nid;          /* digest of the signature (NID_md5, NID_sha1, ...) */
	bool is_ca;              /* basicConstraints cA */
	long pathlen;            /* -1: none */
	bool self_issued;        /* subject == issuer */
	bool self_signed;        /* and its own key verifies the signature */
	bool has_key_usage;
	uint32_t key_usage;      /* KU_* bits */
	bool has_eku;
	bool eku_server_auth, eku_client_auth, eku_any;

	/* the names hostname checks compare with, as in the certificate (never
	 * redacted): SAN dNSName and iPAddress entries, and the subject's CN */
	struct x509_name_id {
		char *dns;           /* NULL for an address */
		uint8_t ip[16];
		uint8_t ip_len;      /* 4 or 16; 0 for a name */
	} *match;
	uint32_t match_n;
	char *cn_raw;

	/* memo of certcheck: is the issuer in this trust store? */
	const void *trust_store;
	bool trust_has_issuer;
};

/* Parse (or find) the certificate with these DER bytes. Never NULL: an
 * unparsable certificate gets x == NULL and parse_error set. The caller
 * owns one reference. */
struct x509_cert *x509_get(const uint8_t *der, size_t len);
struct x509_cert *x509_ref(struct x509_cert *c);
void x509_unref(struct x509_cert *c);

/* Release every cached certificate (at exit, for leak checkers). */
void x509_cache_clear(void);
/* Certificates parsed so far, and cache hits (for the benchmark). */
uint64_t x509_parsed_count(void);
uint64_t x509_cache_hits(void);

/* The DistinguishedNames of a CertificateRequest (RFC 5246 §7.4.4), parsed
 * once per distinct list: servers send the same list in every handshake. The
 * list stays valid until another list is looked up. */
struct dn_list {
	uint32_t n;
	X509_NAME **names;       /* NULL where a name does not parse */
	char **text;             /* RFC 4514 strings; NULL where unparsable */
};
const struct dn_list *x509_dn_list(const uint8_t *bytes, uint32_t len, const uint32_t *off,
				   const uint16_t *lens, uint32_t n);

/* A DistinguishedName (RFC 5280 §4.1.2.4) from DER, as an RFC 4514 UTF-8
 * string allocated with mem_alloc; NULL if the bytes are not a Name. */
char *x509_dn_string(const uint8_t *der, size_t len);

/* Parse a DER Name; NULL if invalid. Free with X509_NAME_free. */
X509_NAME *x509_dn_parse(const uint8_t *der, size_t len);

/* RFC 4514 text of a parsed name, allocated with mem_alloc. */
char *x509_name_string(const X509_NAME *name);

/* Names compared as X.509 does (canonical form: case and whitespace
 * folded), not as strings. */
bool x509_name_equal(const X509_NAME *a, const X509_NAME *b);

/* A private key described as certificates' keys are (key_type, key_bits,
 * key_curve): "RSA 2048 bits", "EC 256 bits (prime256v1)"; short: "RSA 2048". */
#define X509_KEY_TEXT_LEN 64
void x509_key_text(EVP_PKEY *k, bool shrt, char *buf, size_t len);

/* "2025-01-01T00:00:00Z" into buf (>= 21 bytes). */
void x509_format_time(int64_t t, char *buf, size_t len);

#endif
