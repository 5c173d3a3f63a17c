/* bundle.c - --check-bundle: the platform playbook's checks of a certificate bundle and its key, without a capture.
 *
 * What a server will present is checked before it is uploaded: the file's
 * format and damage (with line numbers), the chain's order and completeness
 * (RFC 5246 §7.4.2, RFC 8446 §4.4.2), validity, names (RFC 6125), trust,
 * strength, and whether the private key is usable and belongs to the leaf.
 * Findings carry the same ids and wording as the capture rules (diagnose.c);
 * there are no frames, so the evidence is "certificate N (line L)".
 */
#include "bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "certcheck.h"
#include "certfile.h"
#include "diag.h"
#include "fmt.h"
#include "json.h"
#include "mem.h"
#include "report.h"
#include "session.h"
#include "strbuf.h"
#include "x509.h"

#define DAY (24 * 3600)

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_UNREADABLE = 2 };

struct bctx {
	const struct bundle_opts *o;
	int64_t now;
	struct certfile cf;          /* the bundle */
	struct certfile kf;          /* --key, when it is another file */
	bool chain_ok;               /* the bundle could be read */
	bool key_file_ok;            /* --key could be read (or is the bundle) */
	char chain_err[512];
	const struct certfile *keysrc;   /* where the private key comes from, or NULL */
	const char *key_file;
	int n;                       /* certificates checked (the first LIM_CERTS_PER_CHAIN) */
	struct chain_shape sh;
	bool have_leaf;              /* a server certificate to judge */
	bool chain_reported;         /* a specific finding explains a verification failure */
	int key_match;               /* 1 matches the leaf, 0 does not, -1 not known */
	int key_owner;               /* the certificate the key does belong to, -1 none */
	struct finding_list fl;
};

/* ---- wording helpers ---- */

static const struct x509_cert *cert(const struct bctx *c, int i)
{
	return c->cf.certs[i];
}

/* "certificate 1, line 23": the evidence a user can find in the file. */
static void cert_ref(struct strbuf *b, const struct bctx *c, int i)
{
	if (c->cf.line[i])
		sb_printf(b, "certificate %d, line %" PRIu32, i, c->cf.line[i]);
	else
		sb_printf(b, "certificate %d", i);
}

static const char *cert_role(const struct bctx *c, int i)
{
	if (!c->have_leaf)
		return "CA certificate";
	if (i == c->sh.leaf)
		return "server certificate";
	if (c->sh.root_sent && i == c->sh.top)
		return "root CA certificate";
	if (c->sh.extra[i])
		return "unrelated certificate";
	return "intermediate certificate";
}

static void time_text(struct strbuf *b, const struct bctx *c)
{
	char t[32];
	x509_format_time(c->now, t, sizeof t);
	if (c->o->at_given)
		sb_printf(b, "the time given with --at (%s)", t);
	else
		sb_printf(b, "now (%s)", t);
}

/* "RSA 2048 bits", "EC 256 bits (prime256v1)"; short: "RSA 2048" as in the certificates' JSON */
static void pkey_describe(struct strbuf *b, EVP_PKEY *k, bool shrt)
{
	int id = EVP_PKEY_get_base_id(k);
	const char *t;
	switch (id) {
	case EVP_PKEY_RSA: t = "RSA"; break;
	case EVP_PKEY_RSA_PSS: t = "RSA-PSS"; break;
	case EVP_PKEY_EC: t = "EC"; break;
	case EVP_PKEY_DSA: t = "DSA"; break;
	case EVP_PKEY_ED25519: t = "ED25519"; break;
	case EVP_PKEY_ED448: t = "ED448"; break;
	default: t = OBJ_nid2sn(id); break;
	}
	sb_printf(b, "%s %d%s", t ? t : "unknown", EVP_PKEY_get_bits(k), shrt ? "" : " bits");
	if (shrt)
		return;
	char curve[64];
	size_t n = 0;
	if (id == EVP_PKEY_EC && EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, &n))
		sb_printf(b, " (%s)", curve);
	ERR_clear_error();
}

static void pkey_text(struct strbuf *b, EVP_PKEY *k)
{
	pkey_describe(b, k, false);
}

static void cert_key_text(struct strbuf *b, const struct x509_cert *x)
{
	sb_printf(b, "%s %" PRIu32 " bits", x->key_type, x->key_bits);
	if (x->key_curve[0])
		sb_printf(b, " (%s)", x->key_curve);
}

/* ---- files ---- */

/* Files that cannot be opened are an operational error (one line, exit 2),
 * not a finding about their content. */
static bool openable(const char *path, const char *what)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "tlsdiag: %s%s: %s\n", what, path, strerror(errno));
		return false;
	}
	struct stat st;
	bool dir = fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode);
	fclose(f);
	if (dir) {
		fprintf(stderr, "tlsdiag: %s%s: is a directory, not a certificate file\n", what, path);
		return false;
	}
	return true;
}

/* ---- findings about the files ---- */

static void pem_name(char *buf, size_t len, const char *path);

/* certfile's reasons start with the path; the summary names it already */
static const char *reason_only(const char *err, const char *path)
{
	size_t n = strlen(path);
	return strncmp(err, path, n) == 0 && err[n] == ':' && err[n + 1] == ' ' ? err + n + 2 : err;
}

static void check_unreadable(struct bctx *c, const char *err, bool key)
{
	struct draft t = { 0 };
	if (key) {
		sb_printf(&t.sum, "The key file %s cannot be used: %s.", c->o->key_path, reason_only(err, c->o->key_path));
		sb_printf(&t.cause, "It cannot be read as a private key: servers read PEM text (-----BEGIN PRIVATE "
				    "KEY-----), DER, or a PKCS#12 keystore with its password.");
		sb_printf(&t.fix, "Give the private key file that was created together with the certificate's CSR (for a "
				  "password-protected PKCS#12 file, its password with --key-pass).");
	} else {
		sb_printf(&t.sum, "The bundle %s cannot be used: %s.", c->o->chain_path, reason_only(err, c->o->chain_path));
		sb_printf(&t.cause, "It cannot be read as a certificate file: platforms read PEM text (-----BEGIN "
				    "CERTIFICATE----- ... -----END CERTIFICATE-----), a DER certificate, or a PKCS#12 "
				    "keystore with its password.");
		sb_printf(&t.fix, "Export the certificate again as PEM (\"Base-64 encoded X.509\" in the Windows "
				  "certificate export, the .pem or .crt download of the CA) and check it with: openssl x509 "
				  "-in FILE -noout -subject -dates (for a password-protected PKCS#12 file, give its "
				  "password with --key-pass).");
	}
	draft_add(&t, &c->fl, "bundle-unreadable", SEV_ERROR, key ? SIDE_BOTH : SIDE_SERVER);
}

static void check_problems(struct bctx *c, const struct certfile *f, const char *path, bool key_file)
{
	for (uint32_t i = 0; i < f->n_problems; i++) {
		struct draft t = { 0 };
		sb_printf(&t.sum, "%s: %s.", path, f->problems[i]);
		sb_printf(&t.cause, "The file holds something a server cannot use as it is: damage from copying, pasting, "
				    "editing or joining files (a lost or changed character, a missing line break, a cut-off "
				    "end), or a block of the wrong kind (a CSR, a PKCS#7 bundle, a second key). "
				    "OpenSSL-based servers (nginx, Apache, HAProxy) and upload forms stop at such a block or "
				    "skip it, so what it holds is not used.");
		sb_printf(&t.fix, "Where the message says what to do, do that. For damage, copy the %s again from the "
				  "original file or the CA's download (never retyped, never through a word processor), join "
				  "PEM files with cat leaf.pem intermediate.pem > bundle.pem from files that each end with a "
				  "line break, and list what OpenSSL reads with: %s",
			  key_file ? "key" : "certificates",
			  key_file ? "openssl pkey -in KEY -noout"
				   : "openssl crl2pkcs7 -nocrl -certfile bundle.pem | openssl pkcs7 -print_certs -noout");
		draft_add(&t, &c->fl, "bundle-parse-error", SEV_ERROR, key_file ? SIDE_BOTH : SIDE_SERVER);
	}
}

static void check_format(struct bctx *c, const struct certfile *f, const char *path, bool key_file)
{
	struct draft t = { 0 };
	if (!strcmp(f->format, "DER") && !key_file && f->n) {
		sb_printf(&t.sum, "%s is a DER (binary) certificate, not PEM text.", path);
		sb_printf(&t.cause, "Many platforms (nginx, Apache, PCE Access Management, most upload forms) want PEM: "
				    "base64 text between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines. "
				    "A DER file holds one certificate, so it cannot carry the intermediates either.");
		char pem[512];
		pem_name(pem, sizeof pem, path);
		sb_printf(&t.fix, "Convert it: openssl x509 -inform der -in %s -out %s, then append the "
				  "intermediate certificate(s) in PEM.", path, pem);
		draft_add(&t, &c->fl, "bundle-der", SEV_INFO, SIDE_SERVER);
	} else if (!strcmp(f->format, "DER") && f->key_found) {
		sb_printf(&t.sum, "The key file %s is a DER (binary) private key, not PEM text.", path);
		sb_printf(&t.cause, "Many platforms (nginx, Apache, PCE Access Management, most upload forms) want a PEM "
				    "key: base64 text between -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- "
				    "lines.");
		sb_printf(&t.fix, "Convert it: openssl pkey -inform der -in %s -out key.pem", path);
		draft_add(&t, &c->fl, "bundle-der", SEV_INFO, SIDE_BOTH);
	} else if (!strcmp(f->format, "PKCS#12")) {
		sb_printf(&t.sum, "%s is a PKCS#12 keystore (certificates and key in one password-protected file), not "
				  "PEM text.", path);
		sb_printf(&t.cause, "Java, IIS and Windows import PKCS#12; platforms that take PEM files (nginx, Apache, "
				    "HAProxy, PCE Access Management) cannot read it.");
		sb_printf(&t.fix, "Where PEM is needed, extract it: openssl pkcs12 -in %s -nokeys -out chain.pem and "
				  "openssl pkcs12 -in %s -nocerts -nodes -out key.pem (then make sure chain.pem has the leaf "
				  "first).", path, path);
		draft_add(&t, &c->fl, "bundle-pkcs12", SEV_INFO, key_file ? SIDE_BOTH : SIDE_SERVER);
	} else {
		draft_free(&t);
	}
}

/* "leaf.der" -> "leaf.pem", for the conversion command */
static void pem_name(char *buf, size_t len, const char *path)
{
	size_t n = strlen(path);
	static const char *const exts[] = { ".der", ".cer", ".crt", ".DER", ".CER", ".CRT" };
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		if (n > 4 && strcmp(path + n - 4, exts[i]) == 0) {
			snprintf(buf, len, "%.*s.pem", (int)(n - 4), path);
			return;
		}
	}
	snprintf(buf, len, "%s.pem", path);
}

static void check_no_certificate(struct bctx *c)
{
	const struct certfile *f = &c->cf;
	struct draft t = { 0 };
	if (f->n == 0) {
		sb_printf(&t.sum, "%s holds no certificate", c->o->chain_path);
		if (f->key_found && f->key_line)
			sb_printf(&t.sum, ", only a private key (line %" PRIu32 ")", f->key_line);
		else if (f->key_found)
			sb_printf(&t.sum, ", only a private key");
		if (f->n_problems)
			sb_printf(&t.sum, "%s%s", f->key_found ? "; " : " ", "that could be read (see bundle-parse-error)");
		sb_printf(&t.sum, ".");
		sb_printf(&t.cause, "%s", f->key_found ? "The file given as the bundle is the private key file."
						      : "The file has no readable CERTIFICATE block, so there is nothing a "
							"server could present.");
		sb_printf(&t.fix, "Give the server certificate followed by its intermediate certificate(s) as the bundle, "
				  "and the private key with --key.");
	} else {
		sb_printf(&t.sum, "%s holds only CA certificates: ", c->o->chain_path);
		for (int i = 0; i < c->n; i++) {
			sb_printf(&t.sum, "%s[%d] %s", i ? ", " : "", i, cert(c, i)->subject);
			if (f->line[i])
				sb_printf(&t.sum, " (line %" PRIu32 ")", f->line[i]);
		}
		sb_printf(&t.sum, "; the server's own certificate is missing.");
		sb_printf(&t.cause, "The bundle was built from the CA's chain download without the certificate issued for "
				    "the server's name, or that certificate's block was lost.");
		if (f->n_problems)
			sb_printf(&t.cause, " Here a block that could not be read (see bundle-parse-error) may be it.");
		sb_printf(&t.fix, "Put the server certificate first in the file, followed by its intermediate "
				  "certificate(s).");
	}
	draft_add(&t, &c->fl, "bundle-no-certificate", SEV_ERROR, SIDE_SERVER);
}

/* ---- chain shape ---- */

static void check_incomplete(struct bctx *c)
{
	const struct chain_shape *sh = &c->sh;
	const struct x509_cert *top = cert(c, sh->top);
	if (sh->top_self_signed || !c->o->trust)
		return;
	if (trust_has_issuer(c->o->trust, top->x))
		return;
	bool leaf_only = sh->path_n == 1;
	struct draft t = { 0 };
	int sev = c->o->trust_given || leaf_only ? SEV_ERROR : SEV_WARNING;
	if (leaf_only) {
		sb_printf(&t.sum, "The bundle holds only the server certificate %s (", top->subject);
		cert_ref(&t.sum, c, sh->top);
		sb_printf(&t.sum, "); its issuer %s is not in the bundle", top->issuer);
	} else {
		sb_printf(&t.sum, "The chain in the bundle ends at %s (", top->subject);
		cert_ref(&t.sum, c, sh->top);
		sb_printf(&t.sum, "), whose issuer %s is not in the bundle", top->issuer);
	}
	sb_printf(&t.sum, "%s.", c->o->trust_given ? " and not in the trust store given"
						 : " and not a root of the system trust store");
	if (c->cf.n_problems)
		sb_printf(&t.sum, " A block that could not be read (see bundle-parse-error) may be the missing one.");
	if (sev == SEV_WARNING)
		sb_printf(&t.cause, "Either an intermediate certificate between %s and a public root is missing, or %s "
				    "is a private root CA that only clients with it in their truststore accept. Clients "
				    "that trust only the root cannot build the path (browsers may fetch intermediates; "
				    "Java, curl, OpenSSL and API gateways do not) and report unknown_ca, \"unable to get "
				    "local issuer certificate\" or \"peer not authenticated\".", top->subject, top->issuer);
	else
		sb_printf(&t.cause, "The bundle holds the %s without the intermediate CA certificate(s) that link it to a "
				    "root. Clients that trust only the root cannot build the path (browsers may fetch or "
				    "cache intermediates; Java, curl, OpenSSL and API gateways do not), and report "
				    "unknown_ca, \"unable to get local issuer certificate\" or \"peer not authenticated\".",
			  leaf_only ? "server certificate" : "chain's top certificate");
	if (sev == SEV_WARNING)
		sb_printf(&t.fix, "If %s is an intermediate CA, append its certificate (and any intermediate above it) "
				  "after the last certificate of the bundle; if it is your private root, check the bundle "
				  "against it with --ca-file ROOT.pem.", top->issuer);
	else
		sb_printf(&t.fix, "Append the certificate of %s (and any intermediate above it) to the bundle, in the "
				  "order leaf, intermediate(s); the root is not needed. The CA's download page has it.",
			  top->issuer);
	draft_add(&t, &c->fl, "server-chain-incomplete", sev, SIDE_SERVER);
	c->chain_reported = true;
}

static void check_order(struct bctx *c)
{
	if (c->sh.in_order)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The bundle lists its certificates out of order: ");
	for (int i = 0; i < c->n; i++) {
		sb_printf(&t.sum, "%s[%d] %s", i ? ", " : "", i, cert(c, i)->subject);
		if (c->cf.line[i])
			sb_printf(&t.sum, " (line %" PRIu32 ")", c->cf.line[i]);
	}
	sb_printf(&t.sum, "; the path from the leaf is ");
	for (int i = 0; i < c->sh.path_n; i++)
		sb_printf(&t.sum, "%s[%d]", i ? " -> " : "", c->sh.path[i]);
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The chain file lists the certificates in the wrong order. TLS requires the server's own "
			    "certificate first, then each issuer in turn; strict clients reject other orders, lenient "
			    "ones reorder.");
	sb_printf(&t.fix, "Order the chain file: leaf first, then the intermediate(s), each followed by its issuer (the "
			  "root may be left out): cat leaf.pem intermediate.pem > bundle.pem");
	draft_add(&t, &c->fl, "chain-order", SEV_WARNING, SIDE_SERVER);
}

static void check_extra(struct bctx *c)
{
	if (c->sh.extra_n == 0)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The bundle holds %d certificate%s that belong%s to no path from its leaf: ", c->sh.extra_n,
		  c->sh.extra_n == 1 ? "" : "s", c->sh.extra_n == 1 ? "s" : "");
	bool first = true;
	for (int i = 0; i < c->n; i++) {
		if (!c->sh.extra[i])
			continue;
		sb_printf(&t.sum, "%s%s (", first ? "" : "; ", cert(c, i)->subject);
		cert_ref(&t.sum, c, i);
		for (int k = 0; k < i; k++) {
			if (cert(c, k) == cert(c, i)) {   /* the cache shares identical DER */
				sb_printf(&t.sum, ", a second copy of certificate %d", k);
				break;
			}
		}
		sb_printf(&t.sum, ")");
		first = false;
	}
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The chain file contains certificates of another chain (an old intermediate, another "
			    "service's certificate, a cross-signed root no longer needed).");
	sb_printf(&t.fix, "Remove the unrelated certificates from the chain file; keep leaf, intermediate(s).");
	draft_add(&t, &c->fl, "chain-extra-cert", SEV_WARNING, SIDE_SERVER);
}

static void check_root_sent(struct bctx *c)
{
	if (!c->sh.root_sent)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The bundle includes the root CA %s (", cert(c, c->sh.top)->subject);
	cert_ref(&t.sum, c, c->sh.top);
	sb_printf(&t.sum, ").");
	sb_printf(&t.cause, "Harmless but not needed: a verifier uses its own copy of the root from its truststore, "
			    "and a root it does not already trust is not trusted because it was sent.");
	sb_printf(&t.fix, "Optionally remove the root from the chain file to save bytes.");
	draft_add(&t, &c->fl, "chain-root-sent", SEV_INFO, SIDE_SERVER);
}

/* ---- each certificate ---- */

static void check_validity(struct bctx *c)
{
	for (int i = 0; i < c->n; i++) {
		const struct x509_cert *x = cert(c, i);
		if (!x->has_validity)
			continue;
		const char *id;
		int sev;
		char when[32];
		struct draft t = { 0 };
		if (c->now > x->not_after) {
			id = "cert-expired";
			sev = SEV_ERROR;
			x509_format_time(x->not_after, when, sizeof when);
			sb_printf(&t.sum, "The %s %s (", cert_role(c, i), x->subject);
			cert_ref(&t.sum, c, i);
			sb_printf(&t.sum, ") expired on %s, %" PRId64 " days before ", when, (c->now - x->not_after) / DAY);
			time_text(&t.sum, c);
			sb_printf(&t.sum, ".");
			sb_printf(&t.cause, "An expired certificate: every peer that verifies it rejects the handshake "
					    "(certificate_expired, \"certificate has expired\", \"peer not authenticated\").");
			sb_printf(&t.fix, "Renew the certificate and upload the new one with its chain (to every server or "
					  "load balancer serving this name).");
		} else if (c->now < x->not_before) {
			id = "cert-not-yet-valid";
			sev = SEV_ERROR;
			x509_format_time(x->not_before, when, sizeof when);
			sb_printf(&t.sum, "The %s %s (", cert_role(c, i), x->subject);
			cert_ref(&t.sum, c, i);
			sb_printf(&t.sum, ") is not valid before %s, %" PRId64 " days after ", when,
				  (x->not_before - c->now) / DAY);
			time_text(&t.sum, c);
			sb_printf(&t.sum, ".");
			sb_printf(&t.cause, "The certificate was issued with a start date in the future, or the clock of the "
					    "host that made or checks it is wrong. OpenSSL reports it as \"certificate is "
					    "not yet valid\" and often sends bad_certificate.");
			sb_printf(&t.fix, "Wait until %s, check the clocks (NTP), or reissue the certificate with a correct "
					  "notBefore.", when);
		} else if (c->o->expiry_warn_days > 0 && x->not_after - c->now < (int64_t)c->o->expiry_warn_days * DAY) {
			id = "cert-expires-soon";
			sev = SEV_WARNING;
			x509_format_time(x->not_after, when, sizeof when);
			sb_printf(&t.sum, "The %s %s (", cert_role(c, i), x->subject);
			cert_ref(&t.sum, c, i);
			sb_printf(&t.sum, ") expires on %s, %" PRId64 " days after ", when, (x->not_after - c->now) / DAY);
			time_text(&t.sum, c);
			sb_printf(&t.sum, ".");
			sb_printf(&t.cause, "The certificate is close to its notAfter date (warning period: %d days).",
				  c->o->expiry_warn_days);
			sb_printf(&t.fix, "Renew it now and deploy the new certificate and chain before %s.", when);
		} else {
			draft_free(&t);
			continue;
		}
		draft_add(&t, &c->fl, id, sev, SIDE_SERVER);
		if (sev == SEV_ERROR)
			c->chain_reported = true;
	}
}

/* The bundle's certificates with the leaf first, as a verifier receives them. */
static int leaf_first(const struct bctx *c, struct x509_cert **out)
{
	int k = 0;
	out[k++] = c->cf.certs[c->sh.leaf];
	for (int i = 0; i < c->n; i++)
		if (i != c->sh.leaf)
			out[k++] = c->cf.certs[i];
	return k;
}

static void check_self_signed(struct bctx *c)
{
	const struct x509_cert *leaf = cert(c, c->sh.leaf);
	/* a lone self-signed certificate, whether or not it calls itself a CA
	 * (openssl req -x509 marks it CA:TRUE) */
	if (!leaf->self_signed || c->sh.path_n != 1)
		return;
	struct x509_cert *v[LIM_CERTS_PER_CHAIN];
	int vn = leaf_first(c, v);
	int depth;
	/* trusted on purpose: the user's trust store holds this very certificate */
	if (c->o->trust_given &&
	    chain_verify(c->o->trust, v, vn, c->now, X509_PURPOSE_SSL_SERVER, &depth) == X509_V_OK)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The server certificate %s (", leaf->subject);
	cert_ref(&t.sum, c, c->sh.leaf);
	sb_printf(&t.sum, ") is self-signed.");
	sb_printf(&t.cause, "No CA vouches for a self-signed certificate: clients reject it (\"self-signed certificate\", "
			    "unknown_ca, certificate_unknown, \"peer not authenticated\") unless this very certificate "
			    "is in their truststore.");
	sb_printf(&t.fix, "Replace it with a certificate issued by a CA the clients trust (a public CA, or your private "
			  "CA whose root is in their truststores), or import this certificate into every client's "
			  "truststore.");
	draft_add(&t, &c->fl, "cert-self-signed", SEV_WARNING, SIDE_SERVER);
	c->chain_reported = true;
}

static void check_weak(struct bctx *c)
{
	for (int i = 0; i < c->n; i++) {
		const struct x509_cert *x = cert(c, i);
		for (int k = 0; k < 2; k++) {
			bool weak = k == 0 ? cert_weak_signature(x) : cert_weak_key(x);
			if (!weak)
				continue;
			struct draft t = { 0 };
			sb_printf(&t.sum, "The %s %s (", cert_role(c, i), x->subject);
			cert_ref(&t.sum, c, i);
			if (k == 0) {
				sb_printf(&t.sum, ") is signed with %s (%s).", cert_sig_digest_name(x), x->sig_alg);
				sb_printf(&t.cause, "MD5 and SHA-1 signatures can be forged; OpenSSL 3 at its default security "
						    "level, Java and browsers reject them (OpenSSL clients send "
						    "bad_certificate: \"ca md too weak\").");
				sb_printf(&t.fix, "Reissue the certificate with a SHA-256 (or stronger) signature.");
			} else {
				sb_printf(&t.sum, ") has a %" PRIu32 "-bit %s key.", x->key_bits, x->key_type);
				sb_printf(&t.cause, "Keys this small are below current minimums (RSA 2048, EC 224 bits); OpenSSL "
						    "3 at its default security level rejects them (\"ee key too small\").");
				sb_printf(&t.fix, "Reissue the certificate with an RSA key of at least 2048 bits or an EC "
						  "P-256 key (a new key, and a new CSR).");
			}
			draft_add(&t, &c->fl, k == 0 ? "weak-signature" : "weak-key", SEV_WARNING, SIDE_SERVER);
		}
	}
}

/* "*.example.test covers exactly one label" when a wildcard was close. */
static void wildcard_hint(struct strbuf *b, const struct x509_cert *leaf, const char *name)
{
	for (uint32_t i = 0; i < leaf->san_n; i++) {
		const char *san = leaf->san[i];
		if (strncmp(san, "DNS:*.", 6) != 0)
			continue;
		const char *suffix = san + 5;   /* ".example.test" */
		size_t nl = strlen(name), sl = strlen(suffix);
		if (nl > sl && strcasecmp(name + nl - sl, suffix) == 0 && memchr(name, '.', nl - sl)) {
			sb_printf(b, " (%s covers exactly one label in place of the *, so not %s)", san + 4, name);
			return;
		}
	}
}

static void check_hostname(struct bctx *c)
{
	const char *name = c->o->hostname;
	const struct x509_cert *leaf = cert(c, c->sh.leaf);
	if (!name || cert_covers_host(leaf, name))
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The server certificate %s (", leaf->subject);
	cert_ref(&t.sum, c, c->sh.leaf);
	sb_printf(&t.sum, ") does not cover the name %s given with --hostname: ", name);
	if (leaf->san_n) {
		sb_printf(&t.sum, "its subjectAltName is ");
		for (uint32_t i = 0; i < leaf->san_n; i++)
			sb_printf(&t.sum, "%s%s", i ? ", " : "", leaf->san[i]);
		wildcard_hint(&t.sum, leaf, name);
	} else {
		sb_printf(&t.sum, "it has no subjectAltName and its CN is %s", leaf->cn ? leaf->cn : "absent");
	}
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "Clients that connect with this name reject the certificate. They check the subjectAltName "
			    "(the CN only when there is no SAN), and a wildcard matches one left-most label only (\"No "
			    "name matching ... found\", \"hostname mismatch\").");
	sb_printf(&t.fix, "Reissue the certificate with %s in its subjectAltName (a wildcard covers one level only: "
			  "*.example.com does not cover a.b.example.com), or have clients use a name it lists.", name);
	draft_add(&t, &c->fl, "hostname-mismatch", SEV_ERROR, SIDE_SERVER);
}

static void check_no_san(struct bctx *c)
{
	const struct x509_cert *leaf = cert(c, c->sh.leaf);
	if (leaf->has_san || leaf->self_signed)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The server certificate %s (", leaf->subject);
	cert_ref(&t.sum, c, c->sh.leaf);
	sb_printf(&t.sum, ") has no subjectAltName: its name is only in the CN (%s).", leaf->cn ? leaf->cn : "none");
	sb_printf(&t.cause, "RFC 6125 clients take names from the SAN; browsers, Go, Python and recent Java reject "
			    "certificates whose name is only in the CN, while OpenSSL still falls back to it.");
	sb_printf(&t.fix, "Reissue the certificate with the server's names in subjectAltName (DNS: and IP: entries).");
	draft_add(&t, &c->fl, "cert-no-san", SEV_WARNING, SIDE_SERVER);
}

static void check_untrusted(struct bctx *c)
{
	if (c->chain_reported || !c->o->trust)
		return;
	struct x509_cert *v[LIM_CERTS_PER_CHAIN];
	int vn = leaf_first(c, v);
	int depth = 0;
	int err = chain_verify(c->o->trust, v, vn, c->now, X509_PURPOSE_SSL_SERVER, &depth);
	if (err == X509_V_OK)
		return;
	const char *reason = X509_verify_cert_error_string(err);
	struct draft t = { 0 };
	int sev;
	if (c->o->trust_given) {
		sev = SEV_ERROR;
		sb_printf(&t.sum, "The bundle's chain does not verify against the trust store given: %s (at depth %d, "
				  "counting from the server certificate).", reason, depth);
		sb_printf(&t.cause, "Clients that verify this chain with this truststore reject it.");
	} else {
		sev = SEV_WARNING;
		sb_printf(&t.sum, "The bundle's chain is not publicly trusted: clients with default trust stores will "
				  "reject it (%s, at depth %d).", reason, depth);
		sb_printf(&t.cause, "The chain leads to a private or unknown root CA, which only clients that have it in "
				    "their own truststore accept. Give the trust store the clients really use with "
				    "--ca-file or --ca-path for a precise verdict.");
	}
	sb_printf(&t.fix, "Import the root CA of this chain into the clients' truststores, or use a certificate from a "
			  "CA they already trust; make sure the intermediates are in the bundle.");
	draft_add(&t, &c->fl, "chain-untrusted", sev, SIDE_SERVER);
}

/* ---- the private key ---- */

static void key_where(struct strbuf *b, const struct bctx *c)
{
	sb_printf(b, "%s", c->key_file);
	if (c->keysrc->key_line)
		sb_printf(b, ", line %" PRIu32, c->keysrc->key_line);
}

static void check_key_missing(struct bctx *c)
{
	const struct certfile *k = c->keysrc;
	struct draft t = { 0 };
	sb_printf(&t.sum, "%s, given with --key, holds no private key", c->key_file);
	if (k->n)
		sb_printf(&t.sum, " (it holds %" PRIu32 " certificate%s)", k->n, k->n == 1 ? "" : "s");
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The file given as the key is a certificate, a CSR or a public key, not the private key "
			    "that was created together with the CSR.");
	sb_printf(&t.fix, "Give the file that starts with -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY, EC PRIVATE "
			  "KEY): the one generated with the certificate's CSR.");
	draft_add(&t, &c->fl, "key-missing", SEV_ERROR, SIDE_BOTH);
}

static void check_key_encrypted(struct bctx *c)
{
	const struct certfile *k = c->keysrc;
	if (!k->key_encrypted)
		return;
	struct draft t = { 0 };
	sb_printf(&t.sum, "The private key (");
	key_where(&t.sum, c);
	sb_printf(&t.sum, ") is encrypted with a pass phrase");
	if (k->key)
		sb_printf(&t.sum, "; it was decrypted with --key-pass for the checks below.");
	else if (c->o->key_pass)
		sb_printf(&t.sum, ", and the pass phrase given does not decrypt it: whether it matches the certificate was "
				  "not checked.");
	else
		sb_printf(&t.sum, ": whether it matches the certificate was not checked (give --key-pass to check).");
	sb_printf(&t.cause, "Platforms that take the key without a pass-phrase field (PCE Access Management, load "
			    "balancers, many upload forms) cannot read it; nginx and HAProxy ask for the pass phrase at "
			    "start-up and fail when they run unattended.");
	sb_printf(&t.fix, "Remove the pass phrase: openssl pkey -in %s -out key-plain.pem (it asks for the pass phrase "
			  "once), upload key-plain.pem and keep it readable by the server only (chmod 600).", c->key_file);
	draft_add(&t, &c->fl, "key-encrypted", SEV_ERROR, SIDE_BOTH);
}

static void check_key_match(struct bctx *c)
{
	EVP_PKEY *key = c->keysrc->key;
	if (!key || !c->have_leaf)
		return;
	const struct x509_cert *leaf = cert(c, c->sh.leaf);
	EVP_PKEY *pub = X509_get0_pubkey(leaf->x);
	c->key_match = pub && EVP_PKEY_eq(pub, key) == 1;
	ERR_clear_error();
	if (c->key_match)
		return;
	for (int i = 0; i < c->n && c->key_owner < 0; i++) {
		EVP_PKEY *p = X509_get0_pubkey(cert(c, i)->x);
		if (i != c->sh.leaf && p && EVP_PKEY_eq(p, key) == 1)
			c->key_owner = i;
	}
	ERR_clear_error();
	struct draft t = { 0 };
	sb_printf(&t.sum, "The private key (");
	key_where(&t.sum, c);
	sb_printf(&t.sum, ": ");
	pkey_text(&t.sum, key);
	sb_printf(&t.sum, ") does not belong to the server certificate %s (", leaf->subject);
	cert_ref(&t.sum, c, c->sh.leaf);
	sb_printf(&t.sum, ": ");
	cert_key_text(&t.sum, leaf);
	sb_printf(&t.sum, "): %s.", pub && EVP_PKEY_get_base_id(pub) != EVP_PKEY_get_base_id(key)
					  ? "not even the same algorithm"
					  : "their public keys differ");
	if (c->key_owner >= 0) {
		sb_printf(&t.sum, " It is the key of %s (", cert(c, c->key_owner)->subject);
		cert_ref(&t.sum, c, c->key_owner);
		sb_printf(&t.sum, ").");
	}
	sb_printf(&t.cause, "The key was made for another certificate (an older CSR, a renewal done with a new key, "
			    "another server). A server cannot use the pair: nginx refuses to start (\"key values "
			    "mismatch\"), Apache and Java report a private key that does not match, and handshakes that "
			    "get through fail with decrypt_error.");
	sb_printf(&t.fix, "Use the key generated with this certificate's CSR, or request a new certificate with a CSR "
			  "made from this key. The two commands must print the same hash: openssl x509 -in CERT "
			  "-noout -pubkey | openssl sha256 and openssl pkey -in KEY -pubout | openssl sha256");
	draft_add(&t, &c->fl, "key-mismatch", SEV_ERROR, SIDE_BOTH);
}

/* ---- the run ---- */

static void run_checks(struct bctx *c)
{
	const struct bundle_opts *o = c->o;
	check_problems(c, &c->cf, o->chain_path, false);
	if (c->keysrc == &c->kf)
		check_problems(c, &c->kf, o->key_path, true);
	check_format(c, &c->cf, o->chain_path, false);
	if (c->keysrc == &c->kf)
		check_format(c, &c->kf, o->key_path, true);

	c->n = c->cf.n < LIM_CERTS_PER_CHAIN ? (int)c->cf.n : (int)LIM_CERTS_PER_CHAIN;
	if (c->n) {
		chain_shape_of(c->cf.certs, c->n, &c->sh);
		bool has_ee = false;
		for (int i = 0; i < c->n; i++)
			has_ee |= !cert(c, i)->is_ca;
		c->have_leaf = c->sh.leaf >= 0 && (has_ee || (c->n == 1 && cert(c, 0)->self_signed));
	}
	if (!c->have_leaf)
		check_no_certificate(c);

	if (c->keysrc && !c->keysrc->key_found)
		check_key_missing(c);
	else if (c->keysrc) {
		check_key_encrypted(c);
		check_key_match(c);
	}

	if (c->have_leaf) {
		check_incomplete(c);
		check_order(c);
		check_extra(c);
		check_root_sent(c);
	}
	if (c->n)
		check_validity(c);
	if (c->have_leaf) {
		check_self_signed(c);
		check_hostname(c);
		check_no_san(c);
	}
	if (c->n)
		check_weak(c);
	if (c->have_leaf)
		check_untrusted(c);
}

/* ---- output ---- */

static void count(const struct finding_list *l, int *errors, int *warnings)
{
	*errors = *warnings = 0;
	for (uint32_t i = 0; i < l->n; i++) {
		*errors += l->v[i].severity == SEV_ERROR;
		*warnings += l->v[i].severity == SEV_WARNING;
	}
}

static void put(FILE *out, const char *s)
{
	fmt_text_escape(out, s, strlen(s));
}

static const char *trust_text(const struct bctx *c)
{
	if (!c->o->trust)
		return "no trust store (none given, no system store)";
	return c->o->trust_given ? "the trust store given (--ca-file/--ca-path)" : "the system trust store";
}

static void text_cert(FILE *out, const struct bctx *c, int i)
{
	const struct x509_cert *x = cert(c, i);
	char hex[80], t1[32], t2[32];
	fprintf(out, "  [%d] ", i);
	if (c->cf.line[i])
		fprintf(out, "line %" PRIu32 ", ", c->cf.line[i]);
	fputs("subject ", out);
	put(out, x->subject);
	fputs("\n      issuer  ", out);
	put(out, x->issuer);
	if (x->self_signed)
		fputs(" (self-signed)", out);
	if (x->has_validity) {
		x509_format_time(x->not_before, t1, sizeof t1);
		x509_format_time(x->not_after, t2, sizeof t2);
		fprintf(out, "\n      valid   %s .. %s", t1, t2);
	}
	fprintf(out, "\n      key     %s", x->key_type);
	if (x->key_bits)
		fprintf(out, " %" PRIu32, x->key_bits);
	fprintf(out, ", %s, serial ", x->sig_alg);
	put(out, x->serial);
	if (x->is_ca)
		fputs(", CA", out);
	if (x->san_n) {
		fputs("\n      SAN     ", out);
		for (uint32_t k = 0; k < x->san_n; k++) {
			if (k)
				fputs(", ", out);
			put(out, x->san[k]);
		}
	}
	fmt_hex(hex, sizeof hex, x->sha256, sizeof x->sha256);
	fprintf(out, "\n      SHA-256 %s\n", hex);
}

/* One line about the private key, for text and Markdown. */
static char *key_line(const struct bctx *c)
{
	struct strbuf b;
	sb_init(&b);
	const struct certfile *k = c->keysrc;
	if (!k) {
		sb_printf(&b, "none in the bundle (give it with --key to check that it matches)");
		return sb_take(&b);
	}
	if (!k->key_found) {
		sb_printf(&b, "none found in %s", c->key_file);
		return sb_take(&b);
	}
	key_where(&b, c);
	if (k->key) {
		sb_printf(&b, ", ");
		pkey_text(&b, k->key);
	}
	if (k->key_encrypted)
		sb_printf(&b, ", encrypted");
	if (c->key_match == 1)
		sb_printf(&b, ", matches certificate %d", c->sh.leaf);
	else if (c->key_match == 0)
		sb_printf(&b, ", does not match certificate %d", c->sh.leaf);
	else
		sb_printf(&b, ", not compared with the certificate");
	return sb_take(&b);
}

static void text_report(FILE *out, const struct bctx *c)
{
	int errors, warnings;
	count(&c->fl, &errors, &warnings);
	fputs("Bundle ", out);
	put(out, c->o->chain_path);
	if (c->chain_ok)
		fprintf(out, ": %s, %" PRIu32 " certificate%s\n", c->cf.format, c->cf.n, c->cf.n == 1 ? "" : "s");
	else
		fputs(": not readable\n", out);
	for (int i = 0; i < c->n; i++)
		text_cert(out, c, i);
	if (c->cf.n > (uint32_t)c->n)
		fprintf(out, "  ... %" PRIu32 " more certificates not checked\n", c->cf.n - (uint32_t)c->n);
	if (c->chain_ok && c->key_file_ok) {
		char *kl = key_line(c);
		fputs("  Private key: ", out);
		put(out, kl);
		fputc('\n', out);
		mem_free(kl);
	}
	if (c->chain_ok) {
		char t[32];
		x509_format_time(c->now, t, sizeof t);
		fprintf(out, "  Checked at %s (%s), against %s\n", t, c->o->at_given ? "--at" : "now", trust_text(c));
	}
	fputc('\n', out);
	if (c->fl.n) {
		text_findings(out, &c->fl, "");
		fputc('\n', out);
	}
	if (errors + warnings == 0)
		fputs("No problem found.\n", out);
	else
		fprintf(out, "%d error%s, %d warning%s.\n", errors, errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s");
}

static void json_cert(struct json *j, const struct bctx *c, int i)
{
	const struct x509_cert *x = cert(c, i);
	json_object_begin(j);
	json_kv_int(j, "index", i);
	json_kv_uint(j, "line", c->cf.line[i]);
	json_kv_uint(j, "length", x->der_len);
	json_cert_facts(j, x);
	json_object_end(j);
}

static void json_report(FILE *out, const struct bctx *c, bool pretty)
{
	struct json j;
	char t[32];
	json_init(&j, out, pretty);
	json_object_begin(&j);
	json_kv_str(&j, "schema", "tlsdiag/1");
	json_key(&j, "bundle");
	json_object_begin(&j);
	json_kv_str(&j, "file", c->o->chain_path);
	json_kv_str(&j, "format", c->chain_ok ? c->cf.format : NULL);
	x509_format_time(c->now, t, sizeof t);
	json_kv_str(&j, "checked_at", t);
	json_kv_bool(&j, "at_given", c->o->at_given);
	json_kv_str(&j, "trust_store", !c->o->trust ? "none" : c->o->trust_given ? "given" : "system");
	json_key(&j, "certificates");
	json_array_begin(&j);
	for (int i = 0; i < c->n; i++)
		json_cert(&j, c, i);
	json_array_end(&j);
	json_kv_uint(&j, "certificates_not_checked", c->cf.n - (uint32_t)c->n);
	json_key(&j, "key");
	json_object_begin(&j);
	const struct certfile *k = c->keysrc;
	json_kv_bool(&j, "present", k && k->key_found);
	json_kv_str(&j, "file", k && k->key_found ? c->key_file : NULL);
	json_key(&j, "line");
	if (k && k->key_found && k->key_line)
		json_uint(&j, k->key_line);
	else
		json_null(&j);
	json_key(&j, "type");
	if (k && k->key) {
		struct strbuf b;
		sb_init(&b);
		pkey_describe(&b, k->key, true);
		json_string(&j, b.p);
		sb_free(&b);
	} else {
		json_null(&j);
	}
	json_kv_bool(&j, "encrypted", k && k->key_encrypted);
	json_key(&j, "matches_leaf");
	if (c->key_match < 0)
		json_null(&j);
	else
		json_bool(&j, c->key_match == 1);
	json_object_end(&j);
	json_object_end(&j);
	json_findings(&j, &c->fl);
	json_object_end(&j);
	fputc('\n', out);
}


static void md_report(FILE *out, const struct bctx *c)
{
	int errors, warnings;
	count(&c->fl, &errors, &warnings);
	fputs("## Bundle ", out);
	md_text(out, c->o->chain_path);
	if (c->chain_ok)
		fprintf(out, " (%s, %" PRIu32 " certificate%s)\n\n", c->cf.format, c->cf.n, c->cf.n == 1 ? "" : "s");
	else
		fputs(" (not readable)\n\n", out);
	if (c->n) {
		fputs("| # | line | subject | issuer | valid until | key |\n|---:|---:|---|---|---|---|\n", out);
		for (int i = 0; i < c->n; i++) {
			const struct x509_cert *x = cert(c, i);
			char t[32] = "?";
			if (x->has_validity)
				x509_format_time(x->not_after, t, sizeof t);
			fprintf(out, "| %d | %" PRIu32 " | ", i, c->cf.line[i]);
			md_text(out, x->subject);
			fputs(" | ", out);
			md_text(out, x->issuer);
			fprintf(out, " | %s | %s %" PRIu32 " |\n", t, x->key_type, x->key_bits);
		}
		fputc('\n', out);
	}
	if (c->chain_ok && c->key_file_ok) {
		char *kl = key_line(c);
		fputs("Private key: ", out);
		md_text(out, kl);
		fputs("  \n", out);
		mem_free(kl);
	}
	if (c->chain_ok) {
		char t[32];
		x509_format_time(c->now, t, sizeof t);
		fprintf(out, "Checked at %s (%s), against %s.\n\n", t, c->o->at_given ? "--at" : "now", trust_text(c));
	}
	if (c->fl.n) {
		fputs("### Findings\n\n", out);
		md_findings(out, &c->fl);
		fputc('\n', out);
	}
	if (errors + warnings == 0)
		fputs("**No problem found.**\n", out);
	else
		fprintf(out, "**%d error%s, %d warning%s.**\n", errors, errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s");
}

int bundle_check(const struct bundle_opts *o, FILE *out)
{
	if (!openable(o->chain_path, ""))
		return EXIT_UNREADABLE;
	bool key_separate = o->key_path && strcmp(o->key_path, o->chain_path) != 0;
	if (key_separate && !openable(o->key_path, "--key "))
		return EXIT_UNREADABLE;

	struct bctx c;
	memset(&c, 0, sizeof c);
	c.o = o;
	c.now = o->at_given ? o->at : (int64_t)time(NULL);
	c.key_match = -1;
	c.key_owner = -1;
	c.key_file_ok = true;
	char err[512];
	c.chain_ok = certfile_load(o->chain_path, o->key_pass, &c.cf, c.chain_err, sizeof c.chain_err) == 0;
	if (!c.chain_ok) {
		check_unreadable(&c, c.chain_err, false);
	} else {
		if (key_separate) {
			c.key_file_ok = certfile_load(o->key_path, o->key_pass, &c.kf, err, sizeof err) == 0;
			if (!c.key_file_ok)
				check_unreadable(&c, err, true);
			else {
				c.keysrc = &c.kf;
				c.key_file = o->key_path;
			}
		} else if (o->key_path || c.cf.key_found) {
			c.keysrc = &c.cf;
			c.key_file = o->chain_path;
		}
		/* an unusable key file still leaves the chain worth checking */
		run_checks(&c);
	}

	switch (o->format) {
	case REPORT_JSON:
		json_report(out, &c, o->pretty);
		break;
	case REPORT_JSONL:
		json_report(out, &c, false);
		break;
	case REPORT_MARKDOWN:
		md_report(out, &c);
		break;
	default:
		text_report(out, &c);
		break;
	}

	int status = !c.chain_ok || !c.key_file_ok ? EXIT_UNREADABLE
		     : finding_list_has_error(&c.fl) ? EXIT_FINDINGS
						       : EXIT_OK;
	finding_list_free(&c.fl);
	certfile_free(&c.cf);
	certfile_free(&c.kf);
	if (fflush(out) != 0 || ferror(out)) {
		fputs("tlsdiag: error writing the report\n", stderr);
		return EXIT_UNREADABLE;
	}
	return status;
}
