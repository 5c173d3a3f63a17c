/* certfile_store.c - what every certificate file reader (DER, PEM, PKCS#12) shares: adding
 * certificates and the key to the store being loaded, problems, pass phrases. */
#include "certfile_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "mem.h"

/* A wrong file (a disk image, a log) stops being read after these. */
#define CERTFILE_MAX_CERTS    1000u
#define CERTFILE_MAX_PROBLEMS 50u

/* Record a problem; at most one per line, so a damaged line reads as one sentence. */
void cf_problem(struct loader *ld, uint32_t line, const char *fmt, ...)
{
	struct certfile *cf = ld->cf;
	if (line && line == ld->line_problem)
		return;
	ld->line_problem = line;
	if (cf->n_problems >= CERTFILE_MAX_PROBLEMS) {
		ld->problems_dropped++;
		return;
	}
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char full[440];
	if (line)
		snprintf(full, sizeof full, "line %u: %s", line, msg);
	else
		snprintf(full, sizeof full, "%s", msg);
	cf->problems = mem_realloc(cf->problems, (cf->n_problems + 1) * sizeof *cf->problems);
	cf->problems[cf->n_problems++] = mem_strdup(full);
}

/* OpenSSL's reason for the last failure, for "not a certificate: ..." */
const char *cf_ossl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : fallback;
}

void cf_add_cert(struct loader *ld, const uint8_t *der, size_t len, uint32_t line)
{
	struct certfile *cf = ld->cf;
	if (cf->n >= CERTFILE_MAX_CERTS) {
		if (!ld->certs_capped)
			cf_problem(ld, line, "more than %u certificates: this one and the rest are not read", CERTFILE_MAX_CERTS);
		ld->certs_capped = true;
		return;
	}
	struct x509_cert *c = x509_get(der, len);
	if (!c->x) {
		cf_problem(ld, line, "not a certificate: %s", c->parse_error);
		x509_unref(c);
		return;
	}
	if (cf->n == ld->cap) {
		ld->cap = ld->cap ? ld->cap * 2 : 8;
		cf->certs = mem_realloc(cf->certs, ld->cap * sizeof *cf->certs);
		cf->line = mem_realloc(cf->line, ld->cap * sizeof *cf->line);
	}
	cf->certs[cf->n] = c;
	cf->line[cf->n] = line;
	cf->n++;
}

/* A certificate OpenSSL already decoded (PKCS#7, PKCS#12): added from its DER. */
void cf_add_x509(struct loader *ld, X509 *x, uint32_t line)
{
	unsigned char *d = NULL;
	int dl = i2d_X509(x, &d);
	if (dl > 0)
		cf_add_cert(ld, d, (size_t)dl, line);
	OPENSSL_free(d);
}

/* Length of the DER element at p (header + content), 0 if it is not one. */
size_t cf_der_element_len(const uint8_t *p, size_t n)
{
	const unsigned char *q = p;
	long len;
	int tag, cls;
	if (n == 0 || n > (size_t)LONG_MAX)
		return 0;
	int r = ASN1_get_object(&q, &len, &tag, &cls, (long)n);
	ERR_clear_error();
	if ((r & 0x80) || !(r & V_ASN1_CONSTRUCTED) || tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL)
		return 0;
	if (r & 1)
		return n;   /* BER indefinite length (old PKCS#12 exports): the decoder finds the end */
	size_t total = (size_t)(q - p) + (size_t)len;
	return total <= n ? total : 0;
}

/* A pass phrase callback that never prompts: the pass given, or refusal. */
int cf_pass_cb(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	const char *pass = u;
	if (!pass || size <= 0)
		return -1;
	size_t n = strlen(pass);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, pass, n);
	return (int)n;
}

void cf_set_key(struct loader *ld, EVP_PKEY *k, bool encrypted, uint32_t line)
{
	struct certfile *cf = ld->cf;
	cf->key_found = true;
	cf->key_encrypted = encrypted;
	cf->key_line = line;
	cf->key = k;
}
