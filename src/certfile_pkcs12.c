/* certfile_pkcs12.c - PKCS#12 key stores (RFC 7292): the certificate of the key, its chain, the key. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "certfile_int.h"

int cf_load_pkcs12(struct loader *ld, PKCS12 *p12, char *err, size_t errlen)
{
	struct certfile *cf = ld->cf;
	snprintf(cf->format, sizeof cf->format, "PKCS#12");
	const char *pw = ld->pass;
	bool ok = false;
	if (!PKCS12_mac_present(p12)) {
		ok = true;
		if (!pw)
			pw = "";
	} else if (pw) {
		ok = PKCS12_verify_mac(p12, pw, -1) == 1;
	} else if (PKCS12_verify_mac(p12, "", 0) == 1) {
		ok = true;
		pw = "";
	} else if (PKCS12_verify_mac(p12, NULL, 0) == 1) {
		ok = true;
		pw = NULL;
	}
	ERR_clear_error();
	if (!ok) {
		snprintf(err, errlen, "%s: PKCS#12 file: %s", ld->path,
			 ld->pass ? "the password given does not open it" : "it needs a password, none was given");
		return -1;
	}
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	if (PKCS12_parse(p12, pw, &key, &cert, &ca) != 1) {
		const char *why = cf_ossl_reason("unreadable");
		snprintf(err, errlen, "%s: PKCS#12 file cannot be read: %s%s", ld->path, why,
			 strstr(why, "unsupported") ? " (old RC2/3DES encryption: re-export it with AES, or convert it "
						      "with openssl pkcs12 -legacy)"
						    : "");
		ERR_clear_error();
		return -1;
	}
	/* the certificate of the key first, then the others in file order */
	if (cert)
		cf_add_x509(ld, cert, 0);
	for (int i = 0; ca && i < sk_X509_num(ca); i++)
		cf_add_x509(ld, sk_X509_value(ca, i), 0);
	if (key)
		cf_set_key(ld, key, false, 0);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	ERR_clear_error();
	return 0;
}
