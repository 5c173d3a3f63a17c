/* bundle.h - --check-bundle: the facts of a certificate bundle and its key, read without a capture. */
#ifndef TLSDIAG_BUNDLE_H
#define TLSDIAG_BUNDLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/x509.h>

#include "certcheck.h"
#include "certfile.h"
#include "diagnose.h"
#include "limits.h"
#include "session.h"

struct report_writer;

struct bundle_opts {
	const char *chain_path;     /* leaf, intermediates (, root): PEM or DER */
	const char *key_path;       /* --key: the private key (may be NULL) */
	const char *key_pass;       /* --key-pass */
	const char *hostname;       /* --hostname */
	bool at_given;              /* --at, else now */
	int64_t at;
	int expiry_warn_days;
	X509_STORE *trust;          /* --ca-file/--ca-path, else the system store (NULL: none) */
	bool trust_given;
	const struct report_writer *writer;   /* the --format (writer.h) with a bundle call */
	bool pretty;
};

enum bundle_trust { BUNDLE_TRUST_NONE, BUNDLE_TRUST_SYSTEM, BUNDLE_TRUST_GIVEN };

/* What --check-bundle read: the facts its checks (diag_bundle.c) judge and
 * its report shows. Nothing here is a verdict. */
struct bundle_facts {
	const char *chain_path;     /* the bundle, as given */
	const char *key_path;       /* --key, or NULL */
	bool key_pass_given;        /* --key-pass */
	int64_t now;                /* validity is judged at this time: --at, else the clock */
	bool at_given;
	int trust;                  /* enum bundle_trust: what the chain is verified against */

	bool chain_ok;              /* the bundle could be read ... */
	char chain_err[512];        /* ... else why */
	struct certfile cf;         /* the bundle: certificates in file order, their lines, format, damage */
	int n;                      /* certificates checked: the first LIM_CERTS_PER_CHAIN */
	struct chain_shape sh;      /* how they hang together */
	bool have_leaf;             /* a server certificate to judge (sh.leaf) */
	struct x509_cert *vcerts[LIM_CERTS_PER_CHAIN];   /* the leaf first, as a client receives them */
	int vn;

	bool key_file_ok;           /* --key could be read (or it is the bundle) ... */
	char key_err[512];          /* ... else why */
	struct certfile kf;         /* --key, when it is another file */
	const struct certfile *keysrc;  /* where the private key is looked for: &cf, &kf, or NULL */
	const char *key_file;       /* its path */
	int key_match;              /* 1 the key belongs to the leaf, 0 it does not, -1 not known */
	int key_owner;              /* the certificate the key belongs to instead, -1 none */
};

/* Read the bundle and the key. Returns 0, or the exit status 2 when a file
 * cannot be opened at all (said on stderr); a file that opens but cannot
 * be used is a fact (chain_ok, key_file_ok), judged as bundle-unreadable. */
int bundle_load(const struct bundle_opts *o, struct bundle_facts *b);
void bundle_facts_free(struct bundle_facts *b);

/* The bundle's checks (diag_bundle.c): the file and key checks of its own,
 * and the chain checks it shares with captures (diag_chain.c). */
void diagnose_bundle(const struct bundle_facts *b, const struct diag_opts *o, struct finding_list *out);

/* Check the bundle and write the report to out. Returns the exit status:
 * 0 no error finding, 1 an error finding, 2 the files could not be read. */
int bundle_check(const struct bundle_opts *o, FILE *out);

/* For the writers: "  Private key: ...", "  Checked at ... against ...",
 * each between before and after (the key line ended by line_end), the key
 * file's name written through esc. */
void bundle_key_and_time(FILE *out, const struct bundle_facts *b, const char *before, const char *after,
			 const char *line_end, void (*esc)(FILE *, const void *, size_t));

#endif
