/* diag_bundle.c - the checks of --check-bundle: the files and the key, then the chain checks shared with captures.
 *
 * What a server will present is checked before it is uploaded: the file's
 * format and damage (with line numbers), whether it holds a server
 * certificate, whether the private key is usable and belongs to the leaf;
 * then the chain as a capture's would be (diag_chain.c: order,
 * completeness, validity, names, trust, strength). There are no frames:
 * the evidence is "certificate N (line L)".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "bundle.h"
#include "diag.h"
#include "diag_chain.h"

/* ---- the files ---- */

/* certfile's reasons start with the path; the summary names it already */
static const char *reason_only(const char *err, const char *path)
{
	size_t n = strlen(path);
	return strncmp(err, path, n) == 0 && err[n] == ':' && err[n + 1] == ' ' ? err + n + 2 : err;
}

static void check_unreadable(const struct bundle_facts *b, bool key, struct finding_list *out)
{
	struct draft t = DRAFT;
	if (key) {
		sb_printf(&t.sum, "The key file %s cannot be used: %s.", b->key_path, reason_only(b->key_err, b->key_path));
		sb_printf(&t.cause, "It cannot be read as a private key: servers read PEM text (-----BEGIN PRIVATE "
				    "KEY-----), DER, or a PKCS#12 keystore with its password.");
		sb_printf(&t.fix, "Give the private key file that was created together with the certificate's CSR (for a "
				  "password-protected PKCS#12 file, its password with --key-pass).");
	} else {
		sb_printf(&t.sum, "The bundle %s cannot be used: %s.", b->chain_path,
			  reason_only(b->chain_err, b->chain_path));
		sb_printf(&t.cause, "It cannot be read as a certificate file: platforms read PEM text (-----BEGIN "
				    "CERTIFICATE----- ... -----END CERTIFICATE-----), a DER certificate, or a PKCS#12 "
				    "keystore with its password.");
		sb_printf(&t.fix, "Export the certificate again as PEM (\"Base-64 encoded X.509\" in the Windows "
				  "certificate export, the .pem or .crt download of the CA) and check it with: openssl x509 "
				  "-in FILE -noout -subject -dates (for a password-protected PKCS#12 file, give its "
				  "password with --key-pass).");
	}
	draft_add(&t, out, "bundle-unreadable", SEV_ERROR, key ? SIDE_BOTH : SIDE_SERVER);
}

static void check_problems(const struct certfile *f, const char *path, bool key_file, struct finding_list *out)
{
	for (uint32_t i = 0; i < f->n_problems; i++) {
		struct draft t = DRAFT;
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
		draft_add(&t, out, "bundle-parse-error", SEV_ERROR, key_file ? SIDE_BOTH : SIDE_SERVER);
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

static void check_format(const struct certfile *f, const char *path, bool key_file, struct finding_list *out)
{
	struct draft t = DRAFT;
	if (!strcmp(f->format, "DER") && !key_file && f->n) {
		sb_printf(&t.sum, "%s is a DER (binary) certificate, not PEM text.", path);
		sb_printf(&t.cause, "Many platforms (nginx, Apache, PCE Access Management, most upload forms) want PEM: "
				    "base64 text between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines. "
				    "A DER file holds one certificate, so it cannot carry the intermediates either.");
		char pem[512];
		pem_name(pem, sizeof pem, path);
		sb_printf(&t.fix, "Convert it: openssl x509 -inform der -in %s -out %s, then append the "
				  "intermediate certificate(s) in PEM.", path, pem);
		draft_add(&t, out, "bundle-der", SEV_INFO, SIDE_SERVER);
	} else if (!strcmp(f->format, "DER") && f->key_found) {
		sb_printf(&t.sum, "The key file %s is a DER (binary) private key, not PEM text.", path);
		sb_printf(&t.cause, "Many platforms (nginx, Apache, PCE Access Management, most upload forms) want a PEM "
				    "key: base64 text between -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- "
				    "lines.");
		sb_printf(&t.fix, "Convert it: openssl pkey -inform der -in %s -out key.pem", path);
		draft_add(&t, out, "bundle-der", SEV_INFO, SIDE_BOTH);
	} else if (!strcmp(f->format, "PKCS#12")) {
		sb_printf(&t.sum, "%s is a PKCS#12 keystore (certificates and key in one password-protected file), not "
				  "PEM text.", path);
		sb_printf(&t.cause, "Java, IIS and Windows import PKCS#12; platforms that take PEM files (nginx, Apache, "
				    "HAProxy, PCE Access Management) cannot read it.");
		sb_printf(&t.fix, "Where PEM is needed, extract it: openssl pkcs12 -in %s -nokeys -out chain.pem and "
				  "openssl pkcs12 -in %s -nocerts -nodes -out key.pem (then make sure chain.pem has the leaf "
				  "first).", path, path);
		draft_add(&t, out, "bundle-pkcs12", SEV_INFO, key_file ? SIDE_BOTH : SIDE_SERVER);
	} else {
		draft_free(&t);
	}
}

static void check_no_certificate(const struct bundle_facts *b, const struct chain_view *v, struct finding_list *out)
{
	const struct certfile *f = &b->cf;
	struct draft t = DRAFT;
	if (f->n == 0) {
		sb_printf(&t.sum, "%s holds no certificate", b->chain_path);
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
		sb_printf(&t.sum, "%s holds only CA certificates: ", b->chain_path);
		chain_cert_list(&t.sum, v);
		sb_printf(&t.sum, "; the server's own certificate is missing.");
		sb_printf(&t.cause, "The bundle was built from the CA's chain download without the certificate issued for "
				    "the server's name, or that certificate's block was lost.");
		if (f->n_problems)
			sb_printf(&t.cause, " Here a block that could not be read (see bundle-parse-error) may be it.");
		sb_printf(&t.fix, "Put the server certificate first in the file, followed by its intermediate "
				  "certificate(s).");
	}
	draft_add(&t, out, "bundle-no-certificate", SEV_ERROR, SIDE_SERVER);
}

/* ---- the private key ---- */

/* "key.pem, line 1" */
static void key_where(struct strbuf *s, const struct bundle_facts *b)
{
	sb_printf(s, "%s", b->key_file);
	if (b->keysrc->key_line)
		sb_printf(s, ", line %" PRIu32, b->keysrc->key_line);
}

static void check_key_missing(const struct bundle_facts *b, struct finding_list *out)
{
	const struct certfile *k = b->keysrc;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "%s, given with --key, holds no private key", b->key_file);
	if (k->n)
		sb_printf(&t.sum, " (it holds %" PRIu32 " certificate%s)", k->n, diag_plural(k->n));
	sb_printf(&t.sum, ".");
	sb_printf(&t.cause, "The file given as the key is a certificate, a CSR or a public key, not the private key "
			    "that was created together with the CSR.");
	sb_printf(&t.fix, "Give the file that starts with -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY, EC PRIVATE "
			  "KEY): the one generated with the certificate's CSR.");
	draft_add(&t, out, "key-missing", SEV_ERROR, SIDE_BOTH);
}

static void check_key_encrypted(const struct bundle_facts *b, struct finding_list *out)
{
	const struct certfile *k = b->keysrc;
	if (!k->key_encrypted)
		return;
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The private key (");
	key_where(&t.sum, b);
	sb_printf(&t.sum, ") is encrypted with a pass phrase");
	if (k->key)
		sb_printf(&t.sum, "; it was decrypted with --key-pass for the checks below.");
	else if (b->key_pass_given)
		sb_printf(&t.sum, ", and the pass phrase given does not decrypt it: whether it matches the certificate was "
				  "not checked.");
	else
		sb_printf(&t.sum, ": whether it matches the certificate was not checked (give --key-pass to check).");
	sb_printf(&t.cause, "Platforms that take the key without a pass-phrase field (PCE Access Management, load "
			    "balancers, many upload forms) cannot read it; nginx and HAProxy ask for the pass phrase at "
			    "start-up and fail when they run unattended.");
	sb_printf(&t.fix, "Remove the pass phrase: openssl pkey -in %s -out key-plain.pem (it asks for the pass phrase "
			  "once), upload key-plain.pem and keep it readable by the server only (chmod 600).", b->key_file);
	draft_add(&t, out, "key-encrypted", SEV_ERROR, SIDE_BOTH);
}

static void check_key_match(const struct bundle_facts *b, const struct chain_view *v, struct finding_list *out)
{
	if (b->key_match != 0)
		return;   /* it matches, or could not be compared */
	EVP_PKEY *key = b->keysrc->key;
	int leaf = b->sh.leaf;
	const struct x509_cert *lc = b->cf.certs[leaf];
	EVP_PKEY *pub = X509_get0_pubkey(lc->x);
	struct draft t = DRAFT;
	sb_printf(&t.sum, "The private key (");
	key_where(&t.sum, b);
	char kt[X509_KEY_TEXT_LEN];
	x509_key_text(key, false, kt, sizeof kt);
	sb_printf(&t.sum, ": %s", kt);
	sb_printf(&t.sum, ") does not belong to the server certificate %s (", lc->subject);
	chain_file_ref(&t.sum, v, leaf);
	sb_printf(&t.sum, ": %s %" PRIu32 " bits", lc->key_type, lc->key_bits);
	if (lc->key_curve[0])
		sb_printf(&t.sum, " (%s)", lc->key_curve);
	sb_printf(&t.sum, "): %s.", pub && EVP_PKEY_get_base_id(pub) != EVP_PKEY_get_base_id(key)
					    ? "not even the same algorithm"
					    : "their public keys differ");
	ERR_clear_error();
	if (b->key_owner >= 0) {
		sb_printf(&t.sum, " It is the key of %s (", b->cf.certs[b->key_owner]->subject);
		chain_file_ref(&t.sum, v, b->key_owner);
		sb_printf(&t.sum, ").");
	}
	sb_printf(&t.cause, "The key was made for another certificate (an older CSR, a renewal done with a new key, "
			    "another server). A server cannot use the pair: nginx refuses to start (\"key values "
			    "mismatch\"), Apache and Java report a private key that does not match, and handshakes that "
			    "get through fail with decrypt_error.");
	sb_printf(&t.fix, "Use the key generated with this certificate's CSR, or request a new certificate with a CSR "
			  "made from this key. The two commands must print the same hash: openssl x509 -in CERT "
			  "-noout -pubkey | openssl sha256 and openssl pkey -in KEY -pubout | openssl sha256");
	draft_add(&t, out, "key-mismatch", SEV_ERROR, SIDE_BOTH);
}

/* ---- the run ---- */

/* The checks of the files themselves, and of the key. */
static void check_files(const struct bundle_facts *b, const struct chain_view *v, struct finding_list *out)
{
	bool key_file = b->keysrc == &b->kf;
	check_problems(&b->cf, b->chain_path, false, out);
	if (key_file)
		check_problems(&b->kf, b->key_path, true, out);
	check_format(&b->cf, b->chain_path, false, out);
	if (key_file)
		check_format(&b->kf, b->key_path, true, out);
	if (!b->have_leaf)
		check_no_certificate(b, v, out);
	if (b->keysrc && !b->keysrc->key_found) {
		check_key_missing(b, out);
	} else if (b->keysrc) {
		check_key_encrypted(b, out);
		check_key_match(b, v, out);
	}
}

void diagnose_bundle(const struct bundle_facts *b, const struct diag_opts *o, struct finding_list *out)
{
	if (!b->chain_ok) {
		check_unreadable(b, false, out);
		return;
	}
	if (!b->key_file_ok)
		check_unreadable(b, true, out);
	/* an unusable key file still leaves the chain worth checking */
	struct chain_view v = {
		.side = SIDE_SERVER, .certs = b->cf.certs, .n = b->n, .sh = &b->sh, .has_leaf = b->have_leaf,
		.vcerts = b->vcerts, .vn = b->vn, .at = b->now, .o = o, .line = b->cf.line,
		.file_problems = b->cf.n_problems > 0,
	};
	check_files(b, &v, out);
	if (b->have_leaf) {
		chain_check_incomplete(&v, out);
		chain_check_order(&v, out);
		chain_check_extra(&v, out);
		chain_check_root_sent(&v, out);
	}
	if (b->n)
		chain_check_validity(&v, out);
	if (b->have_leaf) {
		chain_check_self_signed(&v, out);
		chain_check_hostname(&v, o->hostname, 0, out);
		chain_check_no_san(&v, out);
	}
	if (b->n)
		chain_check_weak(&v, out);
	if (b->have_leaf)
		chain_check_untrusted(&v, out);
}
