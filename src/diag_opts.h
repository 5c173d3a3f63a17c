/* diag_opts.h - what a diagnosis is asked (trust stores, host name, time): for the rule table
 * (diagnose.h) and the rules (diag.h) alike. */
#ifndef TLSDIAG_DIAG_OPTS_H
#define TLSDIAG_DIAG_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/x509.h>

struct x509_cert;
struct clockskew;

struct diag_opts {
	X509_STORE *trust;          /* the client's, for the server's chain: --ca-file/--ca-path, else the
				     * system store (NULL: none) */
	bool trust_given;           /* the store is the user's, not the system's */
	X509_STORE *client_trust;   /* the server's, for client chains: --client-ca-file/--client-ca-path (NULL: none) */
	bool client_trust_given;
	struct x509_cert **keystore;/* --client-cert: the client's certificate and chain */
	uint32_t keystore_n;
	bool keystore_given;
	const char *hostname;       /* --hostname: the name the client used */
	bool at_given;              /* --at: judge validity at this time, not the capture's */
	int64_t at;
	int expiry_warn_days;       /* cert-expires-soon threshold */
	/* the capture's clock as the completed handshakes show it (clockskew.h;
	 * the analyzer feeds it, the validity rules read it); NULL: none */
	struct clockskew *clock;
	/* diagnose_facts at settling, the words later for the connections a
	 * writer prints (false: a writer prints the words of every connection) */
	bool words_later;
};

#endif
