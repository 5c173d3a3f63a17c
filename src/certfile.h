/* certfile.h - certificates and keys from files a user hands us: PEM, DER, PKCS#12. */
#ifndef TLSDIAG_CERTFILE_H
#define TLSDIAG_CERTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "x509.h"

struct certfile {
	char format[16];            /* "PEM", "DER", "PKCS#12" */
	struct x509_cert **certs;   /* in file order; one reference each */
	uint32_t n;
	uint32_t *line;             /* PEM: line of each certificate's BEGIN; 0 otherwise */
	EVP_PKEY *key;              /* the first private key, when it could be read */
	bool key_found;             /* a private key is present (read or not) */
	bool key_encrypted;         /* ... protected by a pass phrase */
	uint32_t key_line;
	char **problems;            /* "line 14: invalid base64 in a CERTIFICATE block" ... */
	uint32_t n_problems;
};

/* Read every certificate (and a private key) in path. pass decrypts
 * PKCS#12 files and encrypted keys (may be NULL). Returns 0 with cf filled
 * (problems in a readable file are listed, not fatal), or -1 when the file
 * cannot be used at all, with a one-line reason in err. */
int certfile_load(const char *path, const char *pass, struct certfile *cf, char *err, size_t errlen);
void certfile_free(struct certfile *cf);

#endif
