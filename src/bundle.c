/* bundle.c - --check-bundle: read a certificate bundle and its key into facts, judge them, hand them to the writer.
 *
 * The facts (struct bundle_facts) are what the file holds: its format and
 * damage, the certificates and their lines, how they hang together, the
 * private key and whether it belongs to the leaf. The checks are
 * diag_bundle.c's, over these facts, with the chain checks captures use.
 * The report is the chosen writer's (writer.h, its bundle call).
 */
#include "bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "exitcode.h"
#include "mem.h"
#include "strbuf.h"
#include "writer.h"
#include "x509.h"

/* ---- reading ---- */

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

/* The chain as read: how it hangs together, and the leaf first as a client receives it. */
static void read_chain(struct bundle_facts *b)
{
	b->n = b->cf.n < LIM_CERTS_PER_CHAIN ? (int)b->cf.n : (int)LIM_CERTS_PER_CHAIN;
	if (!b->n)
		return;
	chain_shape_of(b->cf.certs, b->n, &b->sh);
	bool has_ee = false;
	for (int i = 0; i < b->n; i++)
		has_ee |= !b->cf.certs[i]->is_ca;
	b->have_leaf = b->sh.leaf >= 0 && (has_ee || (b->n == 1 && b->cf.certs[0]->self_signed));
	if (!b->have_leaf)
		return;
	b->vcerts[b->vn++] = b->cf.certs[b->sh.leaf];
	for (int i = 0; i < b->n; i++)
		if (i != b->sh.leaf)
			b->vcerts[b->vn++] = b->cf.certs[i];
}

/* Does the private key belong to the leaf, and if not, to which certificate? */
static void read_key_match(struct bundle_facts *b)
{
	EVP_PKEY *key = b->keysrc ? b->keysrc->key : NULL;
	if (!key || !b->have_leaf)
		return;
	EVP_PKEY *pub = X509_get0_pubkey(b->cf.certs[b->sh.leaf]->x);
	b->key_match = pub && EVP_PKEY_eq(pub, key) == 1;
	for (int i = 0; i < b->n && !b->key_match && b->key_owner < 0; i++) {
		EVP_PKEY *p = X509_get0_pubkey(b->cf.certs[i]->x);
		if (i != b->sh.leaf && p && EVP_PKEY_eq(p, key) == 1)
			b->key_owner = i;
	}
	ERR_clear_error();
}

int bundle_load(const struct bundle_opts *o, struct bundle_facts *b)
{
	memset(b, 0, sizeof *b);
	b->chain_path = o->chain_path;
	b->key_path = o->key_path;
	b->key_pass_given = o->key_pass != NULL;
	b->at_given = o->at_given;
	b->now = o->at_given ? o->at : (int64_t)time(NULL);
	b->trust = !o->trust ? BUNDLE_TRUST_NONE : o->trust_given ? BUNDLE_TRUST_GIVEN : BUNDLE_TRUST_SYSTEM;
	b->key_match = -1;
	b->key_owner = -1;
	b->key_file_ok = true;
	if (!openable(o->chain_path, ""))
		return EXIT_USAGE;
	bool key_separate = o->key_path && strcmp(o->key_path, o->chain_path) != 0;
	if (key_separate && !openable(o->key_path, "--key "))
		return EXIT_USAGE;
	b->chain_ok = certfile_load(o->chain_path, o->key_pass, &b->cf, b->chain_err, sizeof b->chain_err) == 0;
	if (!b->chain_ok)
		return 0;
	if (key_separate) {
		b->key_file_ok = certfile_load(o->key_path, o->key_pass, &b->kf, b->key_err, sizeof b->key_err) == 0;
		if (b->key_file_ok) {
			b->keysrc = &b->kf;
			b->key_file = o->key_path;
		}
	} else if (o->key_path || b->cf.key_found) {
		b->keysrc = &b->cf;
		b->key_file = o->chain_path;
	}
	read_chain(b);
	read_key_match(b);
	return 0;
}

void bundle_facts_free(struct bundle_facts *b)
{
	certfile_free(&b->cf);
	certfile_free(&b->kf);
}

/* ---- the run ---- */

int bundle_check(const struct bundle_opts *o, FILE *out)
{
	if (!o->writer->bundle) {
		fprintf(stderr, "tlsdiag: --check-bundle: --format %s is for captures; use text, json, jsonl or markdown\n",
			o->writer->name);
		return EXIT_USAGE;
	}
	struct bundle_facts b;
	int rc = bundle_load(o, &b);
	if (rc) {
		bundle_facts_free(&b);
		return rc;
	}
	struct diag_opts dopts = {
		.trust = o->trust, .trust_given = o->trust_given, .hostname = o->hostname, .at_given = o->at_given,
		.at = o->at, .expiry_warn_days = o->expiry_warn_days,
	};
	struct finding_list fl = { 0 };
	diagnose_bundle(&b, &dopts, &fl);

	struct report_out ro = { .f = out, .pretty = o->pretty };
	o->writer->bundle(&ro, &b, &fl);

	int status = !b.chain_ok || !b.key_file_ok ? EXIT_USAGE
		     : finding_list_has_error(&fl) ? EXIT_FINDINGS
						     : EXIT_OK;
	finding_list_free(&fl);
	bundle_facts_free(&b);
	if (fflush(out) != 0 || ferror(out)) {
		fputs("tlsdiag: error writing the report\n", stderr);
		return EXIT_USAGE;
	}
	return status;
}

/* ---- the sentences text and Markdown share ---- */

static const char *trust_text(const struct bundle_facts *b)
{
	if (b->trust == BUNDLE_TRUST_NONE)
		return "no trust store (none given, no system store)";
	return b->trust == BUNDLE_TRUST_GIVEN ? "the trust store given (--ca-file/--ca-path)" : "the system trust store";
}

/* One line about the private key, for text and Markdown. */
static char *key_line(const struct bundle_facts *b)
{
	struct strbuf s;
	sb_init(&s);
	const struct certfile *k = b->keysrc;
	if (!k) {
		sb_printf(&s, "none in the bundle (give it with --key to check that it matches)");
		return sb_take(&s);
	}
	if (!k->key_found) {
		sb_printf(&s, "none found in %s", b->key_file);
		return sb_take(&s);
	}
	sb_printf(&s, "%s", b->key_file);
	if (k->key_line)
		sb_printf(&s, ", line %" PRIu32, k->key_line);
	if (k->key) {
		char kt[X509_KEY_TEXT_LEN];
		x509_key_text(k->key, false, kt, sizeof kt);
		sb_printf(&s, ", %s", kt);
	}
	if (k->key_encrypted)
		sb_printf(&s, ", encrypted");
	if (b->key_match == 1)
		sb_printf(&s, ", matches certificate %d", b->sh.leaf);
	else if (b->key_match == 0)
		sb_printf(&s, ", does not match certificate %d", b->sh.leaf);
	else
		sb_printf(&s, ", not compared with the certificate");
	return sb_take(&s);
}

void bundle_key_and_time(FILE *out, const struct bundle_facts *b, const char *before, const char *after,
			 const char *line_end, void (*esc)(FILE *, const void *, size_t))
{
	if (b->chain_ok && b->key_file_ok) {
		char *kl = key_line(b);
		fprintf(out, "%sPrivate key: ", before);
		esc(out, kl, strlen(kl));
		fputs(line_end, out);
		mem_free(kl);
	}
	if (b->chain_ok) {
		char t[32];
		x509_format_time(b->now, t, sizeof t);
		fprintf(out, "%sChecked at %s (%s), against %s%s", before, t, b->at_given ? "--at" : "now", trust_text(b),
			after);
	}
}
