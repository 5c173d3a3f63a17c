/* certcheck.h - checks of certificates and chains, shared by the capture rules and --check-bundle. */
#ifndef TLSDIAG_CERTCHECK_H
#define TLSDIAG_CERTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "limits.h"
#include "x509.h"

/* How the certificates a peer sent hang together (RFC 5246 §7.4.2: the
 * sender's certificate first, each following one certifying the one before). */
struct chain_shape {
	int leaf;                        /* index of the end-entity certificate, -1 if none parsed */
	int path[LIM_CERTS_PER_CHAIN];   /* leaf, its issuer, ... as found among the sent ones */
	int path_n;
	bool in_order;                   /* path is 0, 1, 2 ... */
	bool root_sent;                  /* the path ends with a self-signed CA after the leaf */
	int top;                         /* last certificate of the path */
	bool top_self_signed;
	bool extra[LIM_CERTS_PER_CHAIN]; /* sent, but on no path from the leaf */
	int extra_n;
};

void chain_shape_of(struct x509_cert *const *certs, int n, struct chain_shape *out);

/* Look for the issuer of x among the trust anchors of store; the _cert
 * form remembers the answer in the certificate. */
bool trust_has_issuer(X509_STORE *store, X509 *x);
bool trust_has_issuer_cert(X509_STORE *store, struct x509_cert *c);

/* Verify the chain (certs[0] is the leaf; the others are offered as
 * intermediates) at time at, for purpose X509_PURPOSE_SSL_SERVER or
 * _SSL_CLIENT. Returns X509_V_OK or the verification error; *depth is the
 * depth at which it failed. */
int chain_verify(X509_STORE *store, struct x509_cert *const *certs, int n, int64_t at, int purpose,
		 int *depth);

/* Does the certificate cover host (a DNS name or an IP address)? RFC 6125:
 * DNS and IP SANs; the subject CN only when there is no SAN; a wildcard
 * covers exactly one left-most label. */
bool cert_covers_host(const struct x509_cert *c, const char *host);

/* Is host an IP address literal? */
bool host_is_ip(const char *host);

/* Weak by today's rules: MD5 or SHA-1 signature (roots excepted: their
 * signature is not checked), RSA/DSA keys below 2048 bits, EC below 224. */
bool cert_weak_signature(const struct x509_cert *c);
bool cert_weak_key(const struct x509_cert *c);

/* Name of the signature digest: "SHA-1", "MD5" ... */
const char *cert_sig_digest_name(const struct x509_cert *c);

#endif
