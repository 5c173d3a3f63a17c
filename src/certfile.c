/* certfile.c - certificates and keys from user files: the format told by content, and DER.
 *
 * The format is told by content, never by the file name: PEM (RFC 7468) is
 * read by certfile_pem.c, PKCS#12 key stores (RFC 7292) by certfile_pkcs12.c,
 * DER certificates and keys here; what the readers share (adding to the
 * store, problems) is certfile_store.c. DER, PKCS#12 and the private keys
 * themselves are decoded by OpenSSL.
 */
#include "certfile.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "certfile_int.h"
#include "mem.h"

/* A certificate bundle is a few kilobytes; this cap only stops a wrong
 * file (a disk image, a log) from being read whole. */
#define CERTFILE_MAX_BYTES    (16u * 1024u * 1024u)

/* ---- DER ---- */

static int load_der(struct loader *ld, const uint8_t *buf, size_t n, char *err, size_t errlen)
{
	struct certfile *cf = ld->cf;
	size_t el = cf_der_element_len(buf, n);
	const unsigned char *p;

	/* a certificate */
	if (el) {
		p = buf;
		X509 *x = d2i_X509(NULL, &p, (long)el);
		ERR_clear_error();
		if (x) {
			X509_free(x);
			snprintf(cf->format, sizeof cf->format, "DER");
			cf_add_cert(ld, buf, el, 0);
			if (el < n)
				cf_problem(ld, 0, "%zu bytes after the DER certificate are ignored (a DER file holds one "
						  "certificate)", n - el);
			return 0;
		}
	}
	if (el == n) {
		/* PKCS#12 */
		p = buf;
		PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)n);
		ERR_clear_error();
		if (p12) {
			int r = cf_load_pkcs12(ld, p12, err, errlen);
			PKCS12_free(p12);
			return r;
		}
		/* an encrypted PKCS#8 private key */
		p = buf;
		X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)n);
		ERR_clear_error();
		if (sig) {
			X509_SIG_free(sig);
			snprintf(cf->format, sizeof cf->format, "DER");
			EVP_PKEY *k = NULL;
			if (ld->pass) {
				BIO *bio = BIO_new_mem_buf(buf, (int)n);
				k = bio ? d2i_PKCS8PrivateKey_bio(bio, NULL, cf_pass_cb, (void *)ld->pass) : NULL;
				BIO_free(bio);
				ERR_clear_error();
			}
			cf_set_key(ld, k, true, 0);
			return 0;
		}
		/* a private key: PKCS#8, RSA or EC */
		p = buf;
		EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)n);
		ERR_clear_error();
		if (k && p == buf + n) {
			snprintf(cf->format, sizeof cf->format, "DER");
			cf_set_key(ld, k, false, 0);
			return 0;
		}
		EVP_PKEY_free(k);
	}
	snprintf(err, errlen, "%s: not a PEM, DER or PKCS#12 certificate file (binary data that is not a "
			      "certificate, private key or PKCS#12)", ld->path);
	return -1;
}

/* ---- the file ---- */

/* Text has no control bytes other than blanks and line ends in its first
 * kilobytes; DER has them in its first few bytes. */
static bool looks_like_text(const uint8_t *p, size_t n)
{
	size_t lim = n < 4096 ? n : 4096;
	for (size_t i = 0; i < lim; i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n' && p[i] != '\f')
			return false;
	return true;
}

static uint8_t *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 64 * 1024, n = 0;
	uint8_t *buf = mem_alloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap > CERTFILE_MAX_BYTES) {
				snprintf(err, errlen, "%s: larger than %u MiB: not a certificate file", path,
					 CERTFILE_MAX_BYTES / (1024u * 1024u));
				mem_free(buf);
				fclose(f);
				return NULL;
			}
			/* one byte over the cap is enough to know the file is too large */
			cap = cap * 2 > CERTFILE_MAX_BYTES + 1u ? CERTFILE_MAX_BYTES + 1u : cap * 2;
			buf = mem_realloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		mem_free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	if (n > CERTFILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u MiB: not a certificate file", path,
			 CERTFILE_MAX_BYTES / (1024u * 1024u));
		mem_free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int certfile_load(const char *path, const char *pass, struct certfile *cf, char *err, size_t errlen)
{
	memset(cf, 0, sizeof *cf);
	size_t n = 0;
	uint8_t *buf = read_file(path, &n, err, errlen);
	if (!buf)
		return -1;
	struct loader ld;
	memset(&ld, 0, sizeof ld);
	ld.cf = cf;
	ld.path = path;
	ld.pass = pass;
	int r;
	const uint8_t *p = buf;
	size_t start = 0;
	while (start < n && (p[start] == ' ' || p[start] == '\t' || p[start] == '\r' || p[start] == '\n'))
		start++;
	if (start == n) {
		snprintf(err, errlen, "%s: empty file%s", path, n ? " (only blank lines)" : "");
		r = -1;
	} else if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
		snprintf(err, errlen, "%s: UTF-16 text (saved by a Windows editor?): save it as ASCII or UTF-8 without "
				      "a byte order mark", path);
		r = -1;
	} else if (p[0] == 0x30 && !looks_like_text(p, n)) {
		r = load_der(&ld, buf, n, err, errlen);
	} else {
		const char *text = (const char *)buf;
		size_t tn = n;
		bool bom = n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf;
		if (bom) {
			text += 3;
			tn -= 3;
		}
		r = cf_load_pem(&ld, text, tn, looks_like_text(p, n), err, errlen);
		if (r == 0 && bom) {
			/* OpenSSL does not see a BEGIN line behind a byte order mark */
			char *msg = mem_strdup("line 1: the file starts with a UTF-8 byte order mark, which hides its first "
					       "BEGIN line from OpenSSL: save it without BOM");
			cf->problems = mem_realloc(cf->problems, (cf->n_problems + 1) * sizeof *cf->problems);
			memmove(cf->problems + 1, cf->problems, cf->n_problems * sizeof *cf->problems);
			cf->problems[0] = msg;
			cf->n_problems++;
		}
	}
	if (r == 0 && ld.problems_dropped) {
		char msg[96];
		snprintf(msg, sizeof msg, "%u more problems not listed", ld.problems_dropped);
		cf->problems = mem_realloc(cf->problems, (cf->n_problems + 1) * sizeof *cf->problems);
		cf->problems[cf->n_problems++] = mem_strdup(msg);
	}
	mem_free(buf);
	ERR_clear_error();
	if (r < 0)
		certfile_free(cf);
	return r;
}

void certfile_free(struct certfile *cf)
{
	for (uint32_t i = 0; i < cf->n; i++)
		x509_unref(cf->certs[i]);
	mem_free(cf->certs);
	mem_free(cf->line);
	EVP_PKEY_free(cf->key);
	for (uint32_t i = 0; i < cf->n_problems; i++)
		mem_free(cf->problems[i]);
	mem_free(cf->problems);
	memset(cf, 0, sizeof *cf);
}
