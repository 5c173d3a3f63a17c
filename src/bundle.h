/* bundle.h - --check-bundle: the platform playbook's checks of a certificate bundle, without a capture. */
#ifndef TLSDIAG_BUNDLE_H
#define TLSDIAG_BUNDLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/x509.h>

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
	int format;                 /* enum report_format */
	bool pretty;
};

/* Check the bundle and write the report to out. Returns the exit status:
 * 0 no error finding, 1 an error finding, 2 the files could not be read. */
int bundle_check(const struct bundle_opts *o, FILE *out);

#endif
