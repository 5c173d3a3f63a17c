/* test_x509.c - CUnit tests for certificate and DN facts (src/x509.c): generated certificates, cache, names. */
#include "x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "limits.h"
#include "mem.h"
#include "redact.h"
#include "unit.h"

/* ---- certificate generation ---- */

static EVP_PKEY *ca_key, *leaf_key;
static uint8_t *ca_der, *leaf_der;
static size_t ca_len, leaf_len;

static X509_NAME *name_of(const char *c, const char *o, const char *cn)
{
	X509_NAME *n = X509_NAME_new();
	if (c)
		X509_NAME_add_entry_by_txt(n, "C", MBSTRING_UTF8, (const unsigned char *)c, -1, -1, 0);
	if (o)
		X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)o, -1, -1, 0);
	if (cn)
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	return n;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		abort();
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate; exts is a list of (nid, value) pairs ending with 0. */
static uint8_t *make_cert(X509_NAME *subject, X509_NAME *issuer, EVP_PKEY *key, EVP_PKEY *signer, uint64_t serial,
			  int64_t nb, int64_t na, const EVP_MD *md, const int *nids, const char *const *values,
			  size_t *len)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, subject);
	X509_set_issuer_name(x, issuer);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
	X509_set_pubkey(x, key);
	for (size_t i = 0; nids && nids[i]; i++)
		add_ext(x, x, nids[i], values[i]);
	if (!X509_sign(x, signer, md))
		abort();
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	uint8_t *out = malloc((size_t)n);
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	X509_free(x);
	return out;
}

static int suite_init(void)
{
	static const int ca_nids[] = { NID_basic_constraints, NID_key_usage, 0 };
	static const char *const ca_vals[] = { "critical,CA:TRUE,pathlen:1", "critical,keyCertSign,cRLSign" };
	static const int leaf_nids[] = { NID_basic_constraints, NID_key_usage, NID_ext_key_usage, NID_subject_alt_name, 0 };
	static const char *const leaf_vals[] = {
		"CA:FALSE", "critical,digitalSignature", "serverAuth,clientAuth",
		("DNS:www.example.com,DNS:example.com,IP:192.0.2.1,IP:2001:db8::1,email:admin@example.com,"
		 "URI:https://example.com/"),
	};
	X509_NAME *ca_name = name_of("US", "Example Org", "Example Root CA");
	X509_NAME *leaf_name = name_of("US", "Example Org", "www.example.com");
	ca_key = test_key_ec();
	leaf_key = test_key_ec();
	ca_der = make_cert(ca_name, ca_name, ca_key, ca_key, 1, 1704067200, 2019686400, EVP_sha256(), ca_nids, ca_vals,
			   &ca_len);
	leaf_der = make_cert(leaf_name, ca_name, leaf_key, ca_key, 0x0123456789abcdefull, 1704067200, 1735689600,
			     EVP_sha256(), leaf_nids, leaf_vals, &leaf_len);
	X509_NAME_free(ca_name);
	X509_NAME_free(leaf_name);
	return 0;
}

static int suite_cleanup(void)
{
	x509_cache_clear();
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
	free(ca_der);
	free(leaf_der);
	return 0;
}

/* ---- facts ---- */

static void test_leaf_certificate_facts(void)
{
	struct x509_cert *c = x509_get(leaf_der, leaf_len);
	uint8_t sha[32];
	EVP_Digest(leaf_der, leaf_len, sha, NULL, EVP_sha256(), NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL(c->x);
	CU_ASSERT_STRING_EQUAL(c->parse_error, "");
	CU_ASSERT_FALSE(c->trailing_bytes);
	CU_ASSERT_EQUAL(c->der_len, leaf_len);
	CU_ASSERT_EQUAL(memcmp(c->der, leaf_der, leaf_len), 0);
	CU_ASSERT_EQUAL(memcmp(c->sha256, sha, 32), 0);
	CU_ASSERT_EQUAL(c->version, 3);
	CU_ASSERT_STRING_EQUAL(c->subject, "CN=www.example.com,O=Example Org,C=US");
	CU_ASSERT_STRING_EQUAL(c->issuer, "CN=Example Root CA,O=Example Org,C=US");
	CU_ASSERT_STRING_EQUAL(c->cn, "www.example.com");
	CU_ASSERT_STRING_EQUAL(c->serial, "0123456789abcdef");
	CU_ASSERT_TRUE(c->has_validity);
	CU_ASSERT_EQUAL(c->not_before, 1704067200);
	CU_ASSERT_EQUAL(c->not_after, 1735689600);
	CU_ASSERT_TRUE(c->has_san);
	CU_ASSERT_EQUAL_FATAL(c->san_n, 6);
	CU_ASSERT_STRING_EQUAL(c->san[0], "DNS:www.example.com");
	CU_ASSERT_STRING_EQUAL(c->san[1], "DNS:example.com");
	CU_ASSERT_STRING_EQUAL(c->san[2], "IP:192.0.2.1");
	CU_ASSERT_STRING_EQUAL(c->san[3], "IP:2001:db8::1");
	CU_ASSERT_STRING_EQUAL(c->san[4], "email:admin@example.com");
	CU_ASSERT_STRING_EQUAL(c->san[5], "URI:https://example.com/");
	CU_ASSERT_STRING_EQUAL(c->key_type, "EC");
	CU_ASSERT_EQUAL(c->key_bits, 256);
	CU_ASSERT_STRING_EQUAL(c->key_curve, "prime256v1");
	CU_ASSERT_STRING_EQUAL(c->sig_alg, "ecdsa-with-SHA256");
	CU_ASSERT_EQUAL(c->sig_md_nid, NID_sha256);
	CU_ASSERT_FALSE(c->is_ca);
	CU_ASSERT_EQUAL(c->pathlen, -1);
	CU_ASSERT_FALSE(c->self_issued);
	CU_ASSERT_FALSE(c->self_signed);
	CU_ASSERT_TRUE(c->has_key_usage);
	CU_ASSERT_EQUAL(c->key_usage, KU_DIGITAL_SIGNATURE);
	CU_ASSERT_TRUE(c->has_eku);
	CU_ASSERT_TRUE(c->eku_server_auth);
	CU_ASSERT_TRUE(c->eku_client_auth);
	CU_ASSERT_FALSE(c->eku_any);
	x509_unref(c);
}

static void test_ca_certificate_facts(void)
{
	struct x509_cert *c = x509_get(ca_der, ca_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->x);
	CU_ASSERT_STRING_EQUAL(c->subject, "CN=Example Root CA,O=Example Org,C=US");
	CU_ASSERT_STRING_EQUAL(c->issuer, c->subject);
	CU_ASSERT_STRING_EQUAL(c->serial, "01");
	CU_ASSERT_EQUAL(c->not_after, 2019686400);
	CU_ASSERT_TRUE(c->is_ca);
	CU_ASSERT_EQUAL(c->pathlen, 1);
	CU_ASSERT_TRUE(c->self_issued);
	CU_ASSERT_TRUE(c->self_signed);
	CU_ASSERT_TRUE(c->has_key_usage);
	CU_ASSERT_EQUAL(c->key_usage, KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	CU_ASSERT_FALSE(c->has_eku);
	CU_ASSERT_FALSE(c->has_san);
	CU_ASSERT_EQUAL(c->san_n, 0);
	x509_unref(c);
}

/* RSA and Ed25519 keys; self-issued without a valid self-signature. */
static void test_other_keys_and_self_issued(void)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509_NAME *n = name_of(NULL, NULL, "self");
	size_t len;
	uint8_t *der;
	struct x509_cert *c;
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ed);

	der = make_cert(n, n, rsa, rsa, 7, 1704067200, 1735689600, EVP_sha384(), NULL, NULL, &len);
	c = x509_get(der, len);
	CU_ASSERT_STRING_EQUAL(c->key_type, "RSA");
	CU_ASSERT_EQUAL(c->key_bits, 1024);
	CU_ASSERT_STRING_EQUAL(c->key_curve, "");
	CU_ASSERT_STRING_EQUAL(c->sig_alg, "sha384WithRSAEncryption");
	CU_ASSERT_EQUAL(c->sig_md_nid, NID_sha384);
	CU_ASSERT_TRUE(c->self_issued);
	CU_ASSERT_TRUE(c->self_signed);
	CU_ASSERT_FALSE(c->has_san);
	CU_ASSERT_EQUAL(c->version, 3);
	x509_unref(c);
	free(der);

	der = make_cert(n, n, ed, ed, 8, 1704067200, 1735689600, NULL, NULL, NULL, &len);
	c = x509_get(der, len);
	CU_ASSERT_STRING_EQUAL(c->key_type, "ED25519");
	CU_ASSERT_STRING_EQUAL(c->sig_alg, "ED25519");
	CU_ASSERT_TRUE(c->self_signed);
	x509_unref(c);
	free(der);

	/* subject == issuer, but signed by another key */
	der = make_cert(n, n, rsa, ca_key, 9, 1704067200, 1735689600, EVP_sha256(), NULL, NULL, &len);
	c = x509_get(der, len);
	CU_ASSERT_TRUE(c->self_issued);
	CU_ASSERT_FALSE(c->self_signed);
	CU_ASSERT_STRING_EQUAL(c->sig_alg, "ecdsa-with-SHA256");
	x509_unref(c);
	free(der);
	X509_NAME_free(n);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
}

/* ---- cache ---- */

static void test_cache_same_object_parsed_once(void)
{
	uint64_t parsed = x509_parsed_count(), hits = x509_cache_hits();
	uint8_t *copy = malloc(leaf_len);
	memcpy(copy, leaf_der, leaf_len);
	struct x509_cert *a = x509_get(leaf_der, leaf_len);
	uint64_t after_first = x509_parsed_count();
	struct x509_cert *b = x509_get(copy, leaf_len);   /* same bytes, other buffer */
	CU_ASSERT_PTR_EQUAL(a, b);
	CU_ASSERT_EQUAL(x509_parsed_count(), after_first);
	CU_ASSERT_TRUE(after_first - parsed <= 1);        /* 0 if an earlier test parsed it */
	CU_ASSERT_EQUAL(x509_cache_hits(), hits + 1 + (after_first == parsed));
	CU_ASSERT_EQUAL(a->refs, 2);
	CU_ASSERT_PTR_EQUAL(x509_ref(a), a);
	CU_ASSERT_EQUAL(a->refs, 3);
	x509_unref(a);
	x509_unref(a);
	x509_unref(b);
	CU_ASSERT_EQUAL(a->refs, 0);
	/* unreferenced, still cached */
	struct x509_cert *c = x509_get(leaf_der, leaf_len);
	CU_ASSERT_PTR_EQUAL(c, a);
	CU_ASSERT_EQUAL(x509_parsed_count(), after_first);
	x509_unref(c);
	/* another DER is another certificate */
	copy[leaf_len - 5] ^= 0x01;   /* inside the signature: still parses */
	struct x509_cert *d = x509_get(copy, leaf_len);
	CU_ASSERT_PTR_NOT_EQUAL(d, a);
	CU_ASSERT_PTR_NOT_NULL(d->x);
	CU_ASSERT_EQUAL(x509_parsed_count(), after_first + 1);
	x509_unref(d);
	free(copy);
}

/* Over LIM_CERT_CACHE unreferenced certificates, the oldest goes first;
 * a referenced one stays. */
static void test_cache_evicts_oldest_unreferenced(void)
{
	uint8_t *v = malloc(leaf_len);
	memcpy(v, leaf_der, leaf_len);
	x509_cache_clear();
	/* variant 0 stays referenced */
	v[leaf_len - 6] = 0;
	v[leaf_len - 5] = 0;
	struct x509_cert *held = x509_get(v, leaf_len);
	for (uint32_t i = 1; i <= LIM_CERT_CACHE; i++) {
		v[leaf_len - 6] = (uint8_t)(i >> 8);
		v[leaf_len - 5] = (uint8_t)i;
		x509_unref(x509_get(v, leaf_len));
	}
	uint64_t parsed = x509_parsed_count();
	/* variant 1 was the oldest unreferenced one: parsed again */
	v[leaf_len - 6] = 0;
	v[leaf_len - 5] = 1;
	x509_unref(x509_get(v, leaf_len));
	CU_ASSERT_EQUAL(x509_parsed_count(), parsed + 1);
	/* the held one is still the same object */
	v[leaf_len - 5] = 0;
	CU_ASSERT_PTR_EQUAL(x509_get(v, leaf_len), held);
	CU_ASSERT_EQUAL(x509_parsed_count(), parsed + 1);
	/* the newest is still cached */
	v[leaf_len - 6] = (uint8_t)(LIM_CERT_CACHE >> 8);
	v[leaf_len - 5] = (uint8_t)LIM_CERT_CACHE;
	x509_unref(x509_get(v, leaf_len));
	CU_ASSERT_EQUAL(x509_parsed_count(), parsed + 1);
	x509_unref(held);
	x509_unref(held);
	x509_cache_clear();
	free(v);
}

static void test_unparsable_der(void)
{
	static const uint8_t garbage[] = "this is not a certificate";
	struct x509_cert *c = x509_get(garbage, sizeof garbage - 1);
	CU_ASSERT_PTR_NULL(c->x);
	CU_ASSERT_NOT_EQUAL(c->parse_error[0], '\0');
	CU_ASSERT_STRING_EQUAL(c->subject, "");
	CU_ASSERT_STRING_EQUAL(c->issuer, "");
	CU_ASSERT_STRING_EQUAL(c->serial, "");
	CU_ASSERT_STRING_EQUAL(c->key_type, "unknown");
	CU_ASSERT_EQUAL(c->der_len, sizeof garbage - 1);
	x509_unref(c);

	c = x509_get(leaf_der, leaf_len - 1);   /* truncated */
	CU_ASSERT_PTR_NULL(c->x);
	CU_ASSERT_NOT_EQUAL(c->parse_error[0], '\0');
	x509_unref(c);

	c = x509_get(garbage, 0);               /* empty */
	CU_ASSERT_PTR_NULL(c->x);
	CU_ASSERT_NOT_EQUAL(c->parse_error[0], '\0');
	x509_unref(c);

	uint8_t *longer = malloc(leaf_len + 1);   /* a byte after the DER */
	memcpy(longer, leaf_der, leaf_len);
	longer[leaf_len] = 0;
	c = x509_get(longer, leaf_len + 1);
	CU_ASSERT_PTR_NOT_NULL(c->x);
	CU_ASSERT_TRUE(c->trailing_bytes);
	CU_ASSERT_EQUAL(c->der_len, leaf_len + 1);
	CU_ASSERT_STRING_EQUAL(c->cn, "www.example.com");
	x509_unref(c);
	free(longer);
}

/* Every prefix of a certificate, placed before a guard page. */
static void test_every_der_prefix_is_safe(void)
{
	unsigned bad = 0;
	for (size_t n = 0; n < leaf_len; n += 7) {
		struct guard g;
		const uint8_t *p = guard_put(&g, leaf_der, n);
		struct x509_cert *c = x509_get(p, n);
		if (c->x != NULL || c->parse_error[0] == '\0')
			bad++;
		x509_unref(c);
		guard_free(&g);
	}
	CU_ASSERT_EQUAL(bad, 0);
	x509_cache_clear();
}

/* ---- distinguished names ---- */

static uint8_t *name_der(X509_NAME *n, size_t *len)
{
	unsigned char *der = NULL;
	int k = i2d_X509_NAME(n, &der);
	uint8_t *out = malloc((size_t)k);
	memcpy(out, der, (size_t)k);
	OPENSSL_free(der);
	*len = (size_t)k;
	return out;
}

static void test_dn_string_utf8_and_escapes(void)
{
	X509_NAME *n = name_of("DE", "Müller & Söhne GmbH", "Zürich ✓ 日本");
	size_t len;
	uint8_t *der = name_der(n, &len);
	char *s = x509_dn_string(der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "CN=Zürich ✓ 日本,O=Müller & Söhne GmbH,C=DE");
	mem_free(s);
	free(der);
	X509_NAME_free(n);

	/* RFC 4514 special characters are escaped */
	n = name_of(NULL, "a+b", "Smith, John");
	der = name_der(n, &len);
	s = x509_dn_string(der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "CN=Smith\\, John,O=a\\+b");
	mem_free(s);

	/* parse + print is the same */
	X509_NAME *p = x509_dn_parse(der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	s = x509_name_string(p);
	CU_ASSERT_STRING_EQUAL(s, "CN=Smith\\, John,O=a\\+b");
	mem_free(s);
	X509_NAME_free(p);
	free(der);
	X509_NAME_free(n);

	/* the empty name (SEQUENCE of nothing) prints as "" */
	static const uint8_t empty_name[2] = { 0x30, 0x00 };
	s = x509_dn_string(empty_name, 2);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s)
		CU_ASSERT_STRING_EQUAL(s, "");
	mem_free(s);
}

static void test_dn_string_garbage_is_null(void)
{
	static const uint8_t garbage[] = { 0x30, 0x05, 0x31, 0x03, 0x02, 0x01 };
	X509_NAME *n = name_of("US", "Example Org", "Example Root CA");
	size_t len;
	uint8_t *der = name_der(n, &len);
	CU_ASSERT_PTR_NULL(x509_dn_string(garbage, sizeof garbage));
	CU_ASSERT_PTR_NULL(x509_dn_string((const uint8_t *)"hello", 5));
	CU_ASSERT_PTR_NULL(x509_dn_string(der, 0));
	CU_ASSERT_PTR_NULL(x509_dn_string(der, len - 1));   /* truncated */
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	CU_ASSERT_PTR_NULL(x509_dn_string(longer, len + 1));   /* trailing byte */
	CU_ASSERT_PTR_NULL(x509_dn_parse(longer, len + 1));
	for (size_t k = 0; k < len; k++) {   /* every prefix, before a guard page */
		struct guard g;
		const uint8_t *p = guard_put(&g, der, k);
		char *s = x509_dn_string(p, k);
		CU_ASSERT_PTR_NULL(s);
		mem_free(s);
		guard_free(&g);
	}
	free(longer);
	free(der);
	X509_NAME_free(n);
}

static X509_NAME *printable_name(const char *o, const char *cn, int type)
{
	X509_NAME *n = X509_NAME_new();
	if (o)
		X509_NAME_add_entry_by_txt(n, "O", type, (const unsigned char *)o, -1, -1, 0);
	if (cn)
		X509_NAME_add_entry_by_txt(n, "CN", type, (const unsigned char *)cn, -1, -1, 0);
	return n;
}

static void test_name_equal_canonical(void)
{
	X509_NAME *a = printable_name("ACME Corp", "Example  CA", V_ASN1_PRINTABLESTRING);
	X509_NAME *b = printable_name("acme corp", "example ca", V_ASN1_PRINTABLESTRING);
	X509_NAME *c = printable_name(" ACME   Corp ", "EXAMPLE CA", V_ASN1_PRINTABLESTRING);
	X509_NAME *u = printable_name("acme corp", "example ca", V_ASN1_UTF8STRING);
	X509_NAME *other = printable_name("ACME Corp", "Example CB", V_ASN1_PRINTABLESTRING);
	X509_NAME *order = X509_NAME_new();
	X509_NAME_add_entry_by_txt(order, "CN", V_ASN1_PRINTABLESTRING, (const unsigned char *)"Example CA", -1, -1, 0);
	X509_NAME_add_entry_by_txt(order, "O", V_ASN1_PRINTABLESTRING, (const unsigned char *)"ACME Corp", -1, -1, 0);

	CU_ASSERT_TRUE(x509_name_equal(a, a));
	CU_ASSERT_TRUE(x509_name_equal(a, b));
	CU_ASSERT_TRUE(x509_name_equal(b, a));
	CU_ASSERT_TRUE(x509_name_equal(a, c));
	CU_ASSERT_TRUE(x509_name_equal(a, u));      /* PrintableString vs UTF8String */
	CU_ASSERT_FALSE(x509_name_equal(a, other));
	CU_ASSERT_FALSE(x509_name_equal(a, order)); /* RDN order matters */
	CU_ASSERT_FALSE(x509_name_equal(a, NULL));
	CU_ASSERT_FALSE(x509_name_equal(NULL, a));
	CU_ASSERT_FALSE(x509_name_equal(NULL, NULL));
	/* the strings differ even though the names are equal */
	char *sa = x509_name_string(a), *sb = x509_name_string(b);
	CU_ASSERT_STRING_NOT_EQUAL(sa, sb);
	mem_free(sa);
	mem_free(sb);
	X509_NAME_free(a);
	X509_NAME_free(b);
	X509_NAME_free(c);
	X509_NAME_free(u);
	X509_NAME_free(other);
	X509_NAME_free(order);
}

static void test_format_time(void)
{
	char buf[32];
	x509_format_time(0, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01T00:00:00Z");
	x509_format_time(1735689599, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "2024-12-31T23:59:59Z");
	x509_format_time(4102444800, buf, sizeof buf);   /* after 2038 */
	CU_ASSERT_STRING_EQUAL(buf, "2100-01-01T00:00:00Z");
}

/* ---- --redact=names ---- */

static void test_redacted_names(void)
{
	static const int nids[] = { NID_subject_alt_name, 0 };
	static const char *const vals[] = { "DNS:secret.example.com,IP:192.0.2.9" };
	X509_NAME *n = name_of(NULL, "Secret Org", "secret.example.com");
	size_t len;
	uint8_t *der = make_cert(n, n, leaf_key, leaf_key, 77, 1704067200, 1735689600, EVP_sha256(), nids, vals, &len);
	redact_enable(false, true);
	struct x509_cert *c = x509_get(der, len);
	CU_ASSERT_PTR_NULL(strstr(c->subject, "ecret"));
	CU_ASSERT_EQUAL(strncmp(c->subject, "CN=n", 4), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(c->subject, ",O=n"));
	CU_ASSERT_PTR_NULL(strstr(c->cn, "ecret"));
	CU_ASSERT_EQUAL(c->san_n, 2);   /* not _FATAL: redaction must be switched off below */
	if (c->san_n == 2) {
		CU_ASSERT_EQUAL(strncmp(c->san[0], "DNS:n", 5), 0);
		CU_ASSERT_PTR_NULL(strstr(c->san[0], "ecret"));
		CU_ASSERT_STRING_EQUAL(c->san[1], "IP:192.0.2.9");   /* addresses are not names */
		/* the same label gets the same pseudonym: CN and SAN agree */
		CU_ASSERT_STRING_EQUAL(c->san[0] + 4, c->cn);
	}
	x509_unref(c);
	redact_enable(false, false);
	x509_cache_clear();
	redact_free();
	free(der);
	X509_NAME_free(n);
}

/* More SAN entries than are kept (1024), with names redacted: everything
 * allocated for the extra entries is released. */
static void test_redacted_many_sans_no_leak(void)
{
	static const int nids[] = { NID_subject_alt_name, 0 };
	char *vals_buf = malloc(1100 * 24);
	size_t o = 0;
	for (int i = 0; i < 1030; i++)
		o += (size_t)snprintf(vals_buf + o, 1100 * 24 - o, "%sDNS:h%d.example", i ? "," : "", i);
	const char *vals[] = { vals_buf };
	X509_NAME *n = name_of(NULL, NULL, "many");
	size_t len;
	uint8_t *der = make_cert(n, n, leaf_key, leaf_key, 78, 1704067200, 1735689600, EVP_sha256(), nids, vals, &len);
	x509_cache_clear();
	size_t before = mem_in_use();
	redact_enable(false, true);
	struct x509_cert *c = x509_get(der, len);
	CU_ASSERT_EQUAL(c->san_n, 1024);
	x509_unref(c);
	redact_enable(false, false);
	x509_cache_clear();
	redact_free();
	size_t after = mem_in_use();
	if (after != before)
		UNIT_FAIL("%zu bytes still allocated after x509_cache_clear() and redact_free()", after - before);
	free(der);
	free(vals_buf);
	X509_NAME_free(n);
}

void register_x509_tests(void)
{
	CU_pSuite suite = CU_add_suite("x509", suite_init, suite_cleanup);

	if (suite == NULL)
		return;
	CU_add_test(suite, "leaf: subject, issuer, serial, validity, SAN, key, signature, EKU",
		test_leaf_certificate_facts);
	CU_add_test(suite, "CA: is_ca, pathlen, self-signed, key usage", test_ca_certificate_facts);
	CU_add_test(suite, "RSA and Ed25519 keys; self-issued but not self-signed", test_other_keys_and_self_issued);
	CU_add_test(suite, "cache: same DER, same object, parsed once", test_cache_same_object_parsed_once);
	CU_add_test(suite, "cache: evicts the oldest unreferenced beyond LIM_CERT_CACHE",
		test_cache_evicts_oldest_unreferenced);
	CU_add_test(suite, "unparsable, truncated, empty DER get parse_error; trailing byte flagged",
		test_unparsable_der);
	CU_add_test(suite, "every DER prefix before a guard page is a parse error", test_every_der_prefix_is_safe);
	CU_add_test(suite, "x509_dn_string: UTF-8 kept, RFC 4514 escapes", test_dn_string_utf8_and_escapes);
	CU_add_test(suite, "x509_dn_string: garbage, truncated, trailing give NULL", test_dn_string_garbage_is_null);
	CU_add_test(suite, "x509_name_equal: case/whitespace folded, order kept", test_name_equal_canonical);
	CU_add_test(suite, "x509_format_time", test_format_time);
	CU_add_test(suite, "--redact=names: subject, CN, SAN DNS are pseudonyms", test_redacted_names);
	CU_add_test(suite, "--redact=names with more than 1024 SANs releases everything",
		test_redacted_many_sans_no_leak);
}
