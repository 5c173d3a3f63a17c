/* report_json_bundle.c - the --check-bundle JSON document (json and jsonl formats). */
#include "report_json.h"

#include <inttypes.h>

#include "bundle.h"
#include "certfile.h"
#include "x509.h"

static void bundle_cert(struct json *j, const struct bundle_facts *b, int i)
{
	const struct x509_cert *x = b->cf.certs[i];
	json_object_begin(j);
	json_kv_int(j, "index", i);
	json_kv_uint(j, "line", b->cf.line[i]);
	json_kv_uint(j, "length", x->der_len);
	json_cert_facts(j, x);
	json_object_end(j);
}

static void bundle_key_facts(struct json *j, const struct bundle_facts *b)
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

/* --check-bundle: {"schema", "bundle": {file, format, checked_at, ..., certificates, key}, "findings"}. */
void json_bundle_document(FILE *out, const struct bundle_facts *b, const struct finding_list *fl, bool pretty)
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
		bundle_cert(&j, b, i);
	json_array_end(&j);
	json_kv_uint(&j, "certificates_not_checked", b->cf.n - (uint32_t)b->n);
	bundle_key_facts(&j, b);
	json_object_end(&j);
	json_findings(&j, fl);
	json_object_end(&j);
	fputc('\n', out);
}
