/* diagnose.h - rules that turn session facts into findings: cause, evidence frames, fix. */
#ifndef TLSDIAG_DIAGNOSE_H
#define TLSDIAG_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "session.h"
#include "x509.h"

struct diag_opts {
	X509_STORE *trust;          /* --ca-file/--ca-path, else the system store (NULL: none) */
	bool trust_given;           /* the store is the user's, not the system's */
	struct x509_cert **keystore;/* --client-cert: the client's certificate and chain */
	uint32_t keystore_n;
	bool keystore_given;
	const char *hostname;       /* --hostname: the name the client used */
	bool at_given;              /* --at: judge validity at this time, not the capture's */
	int64_t at;
	int expiry_warn_days;       /* cert-expires-soon threshold */
};

/* Run every rule on a settled session; findings are added to it. Rules
 * read facts only, and never fire on what the capture could not show. */
void diagnose_session(struct session *s, const struct diag_opts *o);

/* The catalogue: every finding id, its severity range and one line. */
struct rule_info {
	const char *id;
	const char *title;
};
const struct rule_info *diagnose_catalogue(size_t *n);

#endif
