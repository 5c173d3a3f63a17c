/* certfile_int.h - inside certfile: the state of one file being read, shared by the readers of each format. */
#ifndef TLSDIAG_CERTFILE_INT_H
#define TLSDIAG_CERTFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "certfile.h"

struct pem_state;

/* One file being read (certfile.c), whatever its format. */
struct loader {
	struct certfile *cf;
	const char *path;
	const char *pass;
	uint32_t cap;            /* of cf->certs / cf->line */
	uint32_t problems_dropped;
	bool certs_capped;
	uint32_t line_problem;   /* the line that already has its problem */
	struct pem_state *pem;   /* the PEM reader's blocks and markers, while it reads */
};

/* What every reader does with what it finds (certfile.c). A problem, damage
 * in a file that can still be read, is listed; at most one per line (0: no line). */
void cf_problem(struct loader *ld, uint32_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cf_add_cert(struct loader *ld, const uint8_t *der, size_t len, uint32_t line);
void cf_add_x509(struct loader *ld, X509 *x, uint32_t line);
void cf_set_key(struct loader *ld, EVP_PKEY *k, bool encrypted, uint32_t line);
const char *cf_ossl_reason(const char *fallback);
int cf_pass_cb(char *buf, int size, int rwflag, void *u);
size_t cf_der_element_len(const uint8_t *p, size_t n);

/* The readers: 0, or -1 with the reason the file cannot be used in err. */
int cf_load_pem(struct loader *ld, const char *buf, size_t n, bool text, char *err, size_t errlen);
int cf_load_pkcs12(struct loader *ld, PKCS12 *p12, char *err, size_t errlen);

#endif
