/* bundle.c - --check-bundle: read a certificate bundle and its key into facts, judge them, write the report.
 *
 * The facts (struct bundle_facts) are what the file holds: its format and
 * damage, the certificates and their lines, how they hang together, the
 * private key and whether it belongs to the leaf. The checks are
 * diag_bundle.c's, over these facts, with the chain checks captures use.
 * The three writers below read the facts and the findings only.
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
#include "fmt.h"
#include "json.h"
#include "mem.h"
#include "report.h"
#include "strbuf.h"
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

static const char *trust_text(const struct bundle_facts *b)
{
	if (b->trust == BUNDLE_TRUST_NONE)
		return "no trust store (none given, no system store)";
	return b->trust == BUNDLE_TRUST_GIVEN ? "the trust store given (--ca-file/--ca-path)" : "the system trust store";
}

static void text_cert(FILE *out, const struct bundle_facts *b, int i)
{
	const struct x509_cert *x = b->cf.certs[i];
	char hex[80], t1[32], t2[32];
	fprintf(out, "  [%d] ", i);
	if (b->cf.line[i])
		fprintf(out, "line %" PRIu32 ", ", b->cf.line[i]);
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

/* The key line and "Checked at ...", between before and after; text puts
 * them as they are, Markdown escapes the key line. */
static void key_and_time(FILE *out, const struct bundle_facts *b, const char *before, const char *after, bool md)
{
	if (b->chain_ok && b->key_file_ok) {
		char *kl = key_line(b);
		fprintf(out, "%sPrivate key: ", before);
		if (md)
			md_text(out, kl);
		else
			put(out, kl);
		fputs(md ? "  \n" : "\n", out);
		mem_free(kl);
	}
	if (b->chain_ok) {
		char t[32];
		x509_format_time(b->now, t, sizeof t);
		fprintf(out, "%sChecked at %s (%s), against %s%s", before, t, b->at_given ? "--at" : "now", trust_text(b),
			after);
	}
}

/* "No problem found." or "1 error, 2 warnings.", wrapped in mark ("**" for Markdown) */
static void totals(FILE *out, const struct finding_list *fl, const char *mark)
{
	int errors, warnings;
	count(fl, &errors, &warnings);
	if (errors + warnings == 0)
		fprintf(out, "%sNo problem found.%s\n", mark, mark);
	else
		fprintf(out, "%s%d error%s, %d warning%s.%s\n", mark, errors, errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s", mark);
}

static void text_report(FILE *out, const struct bundle_facts *b, const struct finding_list *fl)
{
	fputs("Bundle ", out);
	put(out, b->chain_path);
	if (b->chain_ok)
		fprintf(out, ": %s, %" PRIu32 " certificate%s\n", b->cf.format, b->cf.n, b->cf.n == 1 ? "" : "s");
	else
		fputs(": not readable\n", out);
	for (int i = 0; i < b->n; i++)
		text_cert(out, b, i);
	if (b->cf.n > (uint32_t)b->n)
		fprintf(out, "  ... %" PRIu32 " more certificates not checked\n", b->cf.n - (uint32_t)b->n);
	key_and_time(out, b, "  ", "\n", false);
	fputc('\n', out);
	if (fl->n) {
		text_findings(out, fl, "");
		fputc('\n', out);
	}
	totals(out, fl, "");
}

static void json_cert(struct json *j, const struct bundle_facts *b, int i)
{
	const struct x509_cert *x = b->cf.certs[i];
	json_object_begin(j);
	json_kv_int(j, "index", i);
	json_kv_uint(j, "line", b->cf.line[i]);
	json_kv_uint(j, "length", x->der_len);
	json_cert_facts(j, x);
	json_object_end(j);
}

static void json_key_facts(struct json *j, const struct bundle_facts *b)
{
	json_key(j, "key");
	json_object_begin(j);
	const struct certfile *k = b->keysrc;
	json_kv_bool(j, "present", k && k->key_found);
	json_kv_str(j, "file", k && k->key_found ? b->key_file : NULL);
	json_key(j, "line");
	if (k && k->key_found && k->key_line)
		json_uint(j, k->key_line);
	else
		json_null(j);
	json_key(j, "type");
	if (k && k->key) {
		char kt[X509_KEY_TEXT_LEN];
		x509_key_text(k->key, true, kt, sizeof kt);
		json_string(j, kt);
	} else {
		json_null(j);
	}
	json_kv_bool(j, "encrypted", k && k->key_encrypted);
	json_key(j, "matches_leaf");
	if (b->key_match < 0)
		json_null(j);
	else
		json_bool(j, b->key_match == 1);
	json_object_end(j);
}

static void json_report(FILE *out, const struct bundle_facts *b, const struct finding_list *fl, bool pretty)
{
	static const char *const trust[] = { [BUNDLE_TRUST_NONE] = "none", [BUNDLE_TRUST_SYSTEM] = "system",
					     [BUNDLE_TRUST_GIVEN] = "given" };
	struct json j;
	char t[32];
	json_init(&j, out, pretty);
	json_object_begin(&j);
	json_kv_str(&j, "schema", "tlsdiag/1");
	json_key(&j, "bundle");
	json_object_begin(&j);
	json_kv_str(&j, "file", b->chain_path);
	json_kv_str(&j, "format", b->chain_ok ? b->cf.format : NULL);
	x509_format_time(b->now, t, sizeof t);
	json_kv_str(&j, "checked_at", t);
	json_kv_bool(&j, "at_given", b->at_given);
	json_kv_str(&j, "trust_store", trust[b->trust]);
	json_key(&j, "certificates");
	json_array_begin(&j);
	for (int i = 0; i < b->n; i++)
		json_cert(&j, b, i);
	json_array_end(&j);
	json_kv_uint(&j, "certificates_not_checked", b->cf.n - (uint32_t)b->n);
	json_key_facts(&j, b);
	json_object_end(&j);
	json_findings(&j, fl);
	json_object_end(&j);
	fputc('\n', out);
}

static void md_report(FILE *out, const struct bundle_facts *b, const struct finding_list *fl)
{
	fputs("## Bundle ", out);
	md_text(out, b->chain_path);
	if (b->chain_ok)
		fprintf(out, " (%s, %" PRIu32 " certificate%s)\n\n", b->cf.format, b->cf.n, b->cf.n == 1 ? "" : "s");
	else
		fputs(" (not readable)\n\n", out);
	if (b->n) {
		fputs("| # | line | subject | issuer | valid until | key |\n|---:|---:|---|---|---|---|\n", out);
		for (int i = 0; i < b->n; i++) {
			const struct x509_cert *x = b->cf.certs[i];
			char t[32] = "?";
			if (x->has_validity)
				x509_format_time(x->not_after, t, sizeof t);
			fprintf(out, "| %d | %" PRIu32 " | ", i, b->cf.line[i]);
			md_text(out, x->subject);
			fputs(" | ", out);
			md_text(out, x->issuer);
			fprintf(out, " | %s | %s %" PRIu32 " |\n", t, x->key_type, x->key_bits);
		}
		fputc('\n', out);
	}
	key_and_time(out, b, "", ".\n\n", true);
	if (fl->n) {
		fputs("### Findings\n\n", out);
		md_findings(out, fl);
		fputc('\n', out);
	}
	totals(out, fl, "**");
}

/* ---- the run ---- */

int bundle_check(const struct bundle_opts *o, FILE *out)
{
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

	switch (o->format) {
	case REPORT_JSON:
		json_report(out, &b, &fl, o->pretty);
		break;
	case REPORT_JSONL:
		json_report(out, &b, &fl, false);
		break;
	case REPORT_MARKDOWN:
		md_report(out, &b, &fl);
		break;
	default:
		text_report(out, &b, &fl);
		break;
	}

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
