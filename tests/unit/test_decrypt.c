/* test_decrypt.c - CUnit tests for the key schedules and record decryption (src/tls_decrypt.c): RFC 8448 and openssl. */
#include "tls_decrypt.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "keylog.h"
#include "mem.h"
#include "unit.h"

#include "decrypt_vectors.h"
#include "rfc8448_vectors.h"
#include "suite_ids.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BUF 20000

/* The hex without its spaces (for key log lines). */
static const char *nospace(const char *hex)
{
	static char out[4][256];
	static int k;
	char *o = out[k++ % 4];
	size_t n = 0;
	for (; *hex && n + 1 < sizeof(out[0]); hex++)
		if (*hex != ' ')
			o[n++] = *hex;
	o[n] = '\0';
	return o;
}

static void expect_bytes_line(const uint8_t *got, size_t n, const char *hex, const char *what, unsigned line)
{
	static uint8_t want[BUF];
	size_t m = test_unhex(hex, want, sizeof(want));
	if (n == m && memcmp(got, want, n) == 0) {
		CU_assertImplementation(CU_TRUE, line, what, __FILE__, "", CU_FALSE);
		return;
	}
	size_t at = 0;
	while (at < n && at < m && got[at] == want[at])
		at++;
	unit_fail(__FILE__, line, "%s: %zu bytes, want %zu; first difference at byte %zu", what, n, m, at);
}
#define EXPECT_BYTES(got, n, hex, what) expect_bytes_line((got), (n), (hex), (what), __LINE__)

static void expect_code_line(int got, int want, const struct tls_dec_status *st, const char *what, unsigned line)
{
	if (got == want && (!st || st->code == got)) {
		CU_assertImplementation(CU_TRUE, line, what, __FILE__, "", CU_FALSE);
		return;
	}
	unit_fail(__FILE__, line, "%s: %s (%s), want %s", what, tls_dec_code_name(got),
		  st && st->reason ? st->reason : "-", tls_dec_code_name(want));
}
#define EXPECT_CODE(got, want, st, what) expect_code_line((got), (want), (st), (what), __LINE__)

/* ---- RFC 8448 §3 ---- */

static void expect_expand(int prf, const char *secret_hex, const char *label, const char *want_hex, const char *what)
{
	uint8_t secret[48], out[48];
	size_t sl = test_unhex(secret_hex, secret, sizeof(secret));
	size_t n = test_unhex(want_hex, out, sizeof(out));
	CU_ASSERT_TRUE_FATAL(tls13_expand_label(prf, secret, sl, label, out, n));
	EXPECT_BYTES(out, n, want_hex, what);
}

static void test_rfc8448_keys(void)
{
	expect_expand(TLS_PRF_SHA256, rfc8448_s_hs_traffic, "key", rfc8448_s_hs_key, "server handshake key");
	expect_expand(TLS_PRF_SHA256, rfc8448_s_hs_traffic, "iv", rfc8448_s_hs_iv, "server handshake iv");
	expect_expand(TLS_PRF_SHA256, rfc8448_c_hs_traffic, "key", rfc8448_c_hs_key, "client handshake key");
	expect_expand(TLS_PRF_SHA256, rfc8448_c_hs_traffic, "iv", rfc8448_c_hs_iv, "client handshake iv");
	expect_expand(TLS_PRF_SHA256, rfc8448_s_ap_traffic, "key", rfc8448_s_ap_key, "server application key");
	expect_expand(TLS_PRF_SHA256, rfc8448_s_ap_traffic, "iv", rfc8448_s_ap_iv, "server application iv");
	expect_expand(TLS_PRF_SHA256, rfc8448_c_ap_traffic, "key", rfc8448_c_ap_key, "client application key");
	expect_expand(TLS_PRF_SHA256, rfc8448_c_ap_traffic, "iv", rfc8448_c_ap_iv, "client application iv");
	/* the same function with another label and a 32-byte output */
	expect_expand(TLS_PRF_SHA256, rfc8448_s_hs_traffic, "finished", rfc8448_s_finished_key, "server finished key");
	expect_expand(TLS_PRF_SHA256, rfc8448_c_hs_traffic, "finished", rfc8448_c_finished_key, "client finished key");
}

static char rfc_random[65];

/* The ClientHello random of the trace, as bytes and (in rfc_random) as hex. */
static void rfc8448_client_random(uint8_t random[32])
{
	uint8_t ch[256];
	test_unhex(rfc8448_client_hello, ch, sizeof(ch));
	memcpy(random, ch + 6, 32);
	for (int i = 0; i < 32; i++)
		snprintf(rfc_random + 2 * i, 3, "%02x", random[i]);
}

/* A key log with the RFC's secrets (those named in labels), keyed by the ClientHello random. */
static struct keylog *rfc8448_keylog(unsigned labels)
{
	static const struct { int label; const char *hex; } secrets[] = {
		{ KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, rfc8448_c_hs_traffic },
		{ KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, rfc8448_s_hs_traffic },
		{ KEYLOG_CLIENT_TRAFFIC_SECRET_0, rfc8448_c_ap_traffic },
		{ KEYLOG_SERVER_TRAFFIC_SECRET_0, rfc8448_s_ap_traffic },
		{ KEYLOG_EXPORTER_SECRET, rfc8448_exp_master },
	};
	uint8_t random[32];
	rfc8448_client_random(random);
	char text[2048];
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(secrets); i++)
		if (labels & (1u << secrets[i].label))
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %s %s\n", keylog_label_name(secrets[i].label),
					      rfc_random, nospace(secrets[i].hex));
	struct keylog *kl = keylog_new(NULL, NULL);
	CU_ASSERT_EQUAL(keylog_add_text(kl, "rfc8448.keys", text, n), __builtin_popcount(labels));
	return kl;
}

#define RFC_ALL 0x7cu    /* the handshake, traffic and exporter secrets */

static struct tls_decrypt *rfc8448_decryptor(struct keylog *kl)
{
	struct tls_decrypt_params p = { .version = 0x0304, .suite = suite_named("TLS_AES_128_GCM_SHA256")->s,
					.cipher = suite_named("TLS_AES_128_GCM_SHA256")->c };
	uint8_t sh[128];
	rfc8448_client_random(p.client_random);
	test_unhex(rfc8448_server_hello, sh, sizeof(sh));
	memcpy(p.server_random, sh + 6, 32);
	struct tls_dec_status st;
	struct tls_decrypt *d = tls_decrypt_new(&p, kl, keylog_find(kl, p.client_random), &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

static uint8_t out[BUF];

/* Decrypts a whole record given as hex (header and body). */
static int dec_hex(struct tls_decrypt *d, int dir, const char *hex, unsigned flags, struct tls_plain *pt,
		   struct tls_dec_status *st)
{
	static uint8_t rec[BUF];
	size_t n = test_unhex(hex, rec, sizeof(rec));
	return tls_decrypt_record(d, dir, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), rec + 5, n - 5, flags, out,
				  sizeof(out), pt, st);
}

/* The server flight is EncryptedExtensions .. Finished, and with the two
 * hellos it hashes to the transcript hash the RFC prints. */
static void check_server_flight(const struct tls_plain *pt)
{
	char flight[4096];
	snprintf(flight, sizeof(flight), "%s%s%s%s", rfc8448_encrypted_extensions, rfc8448_certificate,
		 rfc8448_certificate_verify, rfc8448_server_finished);
	EXPECT_BYTES(out, pt->len, flight, "server flight plaintext");
	uint8_t transcript[1024], hash[32];
	size_t n = test_unhex(rfc8448_client_hello, transcript, sizeof(transcript));
	n += test_unhex(rfc8448_server_hello, transcript + n, sizeof(transcript) - n);
	memcpy(transcript + n, out, pt->len);
	unsigned hl = 0;
	CU_ASSERT_TRUE(EVP_Digest(transcript, n + pt->len, hash, &hl, EVP_sha256(), NULL));
	EXPECT_BYTES(hash, hl, rfc8448_ap_transcript_hash, "SHA-256(ClientHello .. server Finished)");
}

static void test_rfc8448_records(void)
{
	struct keylog *kl = rfc8448_keylog(RFC_ALL);
	struct tls_decrypt *d = rfc8448_decryptor(kl);
	struct tls_dec_status st;
	struct tls_plain pt;
	char app[200] = "";
	for (int i = 0; i < 50; i++)
		snprintf(app + 2 * i, 3, "%02x", i);

	EXPECT_CODE(tls_decrypt_use(d, 1, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_OK, &st, "server handshake keys");
	EXPECT_CODE(dec_hex(d, 1, rfc8448_server_flight_record, 0, &pt, &st), TLS_DEC_OK, &st, "server flight");
	CU_ASSERT_EQUAL(pt.type, 22);
	CU_ASSERT_EQUAL(pt.seq, 0);
	check_server_flight(&pt);

	EXPECT_CODE(tls_decrypt_use(d, 0, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_OK, &st, "client handshake keys");
	EXPECT_CODE(dec_hex(d, 0, rfc8448_client_finished_record, 0, &pt, &st), TLS_DEC_OK, &st, "client Finished");
	CU_ASSERT_EQUAL(pt.type, 22);
	EXPECT_BYTES(out, pt.len, rfc8448_client_finished, "client Finished plaintext");

	EXPECT_CODE(tls_decrypt_use(d, 1, TLS_KEYS_TRAFFIC, &st), TLS_DEC_OK, &st, "server traffic keys");
	EXPECT_CODE(dec_hex(d, 1, rfc8448_new_session_ticket_record, 0, &pt, &st), TLS_DEC_OK, &st, "NewSessionTicket");
	CU_ASSERT_EQUAL(pt.type, 22);
	EXPECT_BYTES(out, pt.len, rfc8448_new_session_ticket, "NewSessionTicket plaintext");

	EXPECT_CODE(tls_decrypt_use(d, 0, TLS_KEYS_TRAFFIC, &st), TLS_DEC_OK, &st, "client traffic keys");
	EXPECT_CODE(dec_hex(d, 0, rfc8448_client_app_record, 0, &pt, &st), TLS_DEC_OK, &st, "client application data");
	CU_ASSERT_EQUAL(pt.type, 23);
	EXPECT_BYTES(out, pt.len, app, "client application data plaintext");
	EXPECT_CODE(dec_hex(d, 1, rfc8448_server_app_record, 0, &pt, &st), TLS_DEC_OK, &st, "server application data");
	CU_ASSERT_EQUAL(pt.type, 23);
	CU_ASSERT_EQUAL(pt.seq, 1);
	EXPECT_BYTES(out, pt.len, app, "server application data plaintext");
	EXPECT_CODE(dec_hex(d, 0, rfc8448_client_alert_record, 0, &pt, &st), TLS_DEC_OK, &st, "client close_notify");
	CU_ASSERT_EQUAL(pt.type, 21);
	EXPECT_BYTES(out, pt.len, "01 00", "client close_notify plaintext");
	EXPECT_CODE(dec_hex(d, 1, rfc8448_server_alert_record, 0, &pt, &st), TLS_DEC_OK, &st, "server close_notify");
	CU_ASSERT_EQUAL(pt.type, 21);
	CU_ASSERT_EQUAL(pt.seq, 2);
	EXPECT_BYTES(out, pt.len, "01 00", "server close_notify plaintext");

	struct tls_dec_info info;
	tls_decrypt_info(d, 1, &info);
	CU_ASSERT_TRUE(info.on);
	CU_ASSERT_EQUAL(info.label, KEYLOG_SERVER_TRAFFIC_SECRET_0);
	CU_ASSERT_STRING_EQUAL(info.source, "rfc8448.keys");
	CU_ASSERT_EQUAL(info.line, 4);
	CU_ASSERT_EQUAL(info.decrypted, 3);
	tls_decrypt_free(d);
	keylog_free(kl);
}

/* Copies a record given as hex with one byte changed. */
static size_t corrupt(const char *hex, size_t at, uint8_t *rec)
{
	size_t n = test_unhex(hex, rec, BUF);
	rec[at] ^= 0x01;
	return n;
}

static void test_rfc8448_corruption(void)
{
	struct keylog *kl = rfc8448_keylog(RFC_ALL);
	struct tls_decrypt *d = rfc8448_decryptor(kl);
	struct tls_dec_status st;
	struct tls_plain pt;
	static uint8_t rec[BUF];
	tls_decrypt_use(d, 1, TLS_KEYS_HANDSHAKE, &st);

	/* one byte of the tag, of the ciphertext, of the header (the additional data) */
	size_t n = corrupt(rfc8448_server_flight_record, 678, rec);
	EXPECT_CODE(tls_decrypt_record(d, 1, rec[0], 0x0303, rec + 5, n - 5, TLS_DEC_TRIAL, out, sizeof(out), &pt, &st),
		    TLS_DEC_WRONG_KEY, &st, "a tag byte changed, first record");
	CU_ASSERT_EQUAL(pt.len, 0);
	n = corrupt(rfc8448_server_flight_record, 100, rec);
	EXPECT_CODE(tls_decrypt_record(d, 1, rec[0], 0x0303, rec + 5, n - 5, TLS_DEC_TRIAL, out, sizeof(out), &pt, &st),
		    TLS_DEC_WRONG_KEY, &st, "a ciphertext byte changed");
	n = corrupt(rfc8448_server_flight_record, 5, rec);
	EXPECT_CODE(tls_decrypt_record(d, 1, rec[0], 0x0301, rec + 5, n - 5, TLS_DEC_TRIAL, out, sizeof(out), &pt, &st),
		    TLS_DEC_WRONG_KEY, &st, "the header's version changed");
	/* trial failures left the sequence number alone: the real record is still record 0 */
	EXPECT_CODE(dec_hex(d, 1, rfc8448_server_flight_record, 0, &pt, &st), TLS_DEC_OK, &st, "after the trials");
	CU_ASSERT_EQUAL(pt.seq, 0);

	/* after a good record under the same key, a bad one is corruption, and uses up its number */
	tls_decrypt_use(d, 1, TLS_KEYS_TRAFFIC, &st);
	EXPECT_CODE(dec_hex(d, 1, rfc8448_new_session_ticket_record, 0, &pt, &st), TLS_DEC_OK, &st, "ticket");
	n = corrupt(rfc8448_server_app_record, 71, rec);
	EXPECT_CODE(tls_decrypt_record(d, 1, rec[0], 0x0303, rec + 5, n - 5, 0, out, sizeof(out), &pt, &st),
		    TLS_DEC_AUTH_FAILED, &st, "a tag byte changed after a good record");
	EXPECT_CODE(dec_hex(d, 1, rfc8448_server_alert_record, 0, &pt, &st), TLS_DEC_OK, &st, "the record after it");
	CU_ASSERT_EQUAL(pt.seq, 2);
	struct tls_dec_info info;
	tls_decrypt_info(d, 1, &info);
	CU_ASSERT_EQUAL(info.decrypted, 2);
	CU_ASSERT_EQUAL(info.failed, 1);

	/* a record under the wrong epoch's key is a wrong key too */
	EXPECT_CODE(tls_decrypt_use(d, 0, TLS_KEYS_TRAFFIC, &st), TLS_DEC_OK, &st, "client traffic keys");
	EXPECT_CODE(dec_hex(d, 0, rfc8448_client_finished_record, 0, &pt, &st), TLS_DEC_WRONG_KEY, &st,
		    "client Finished under the traffic keys");
	tls_decrypt_free(d);
	keylog_free(kl);
}

static void test_rfc8448_key_problems(void)
{
	struct tls_dec_status st;
	struct tls_plain pt;
	/* only the server's handshake secret: the client's keys are missing, nothing else is */
	struct keylog *kl = rfc8448_keylog(1u << KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
	struct tls_decrypt *d = rfc8448_decryptor(kl);
	EXPECT_CODE(tls_decrypt_use(d, 0, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_NO_KEY, &st, "no client secret");
	EXPECT_CODE(dec_hex(d, 0, rfc8448_client_finished_record, 0, &pt, &st), TLS_DEC_NO_KEY, &st, "keys not on");
	EXPECT_CODE(tls_decrypt_use(d, 1, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_OK, &st, "server secret");
	EXPECT_CODE(dec_hex(d, 1, rfc8448_server_flight_record, 0, &pt, &st), TLS_DEC_OK, &st, "server flight");
	EXPECT_CODE(tls_decrypt_use(d, 1, TLS_KEYS_EARLY, &st), TLS_DEC_NO_KEY, &st, "servers send no 0-RTT data");
	EXPECT_CODE(tls_decrypt_key_update(d, 1, &st), TLS_DEC_NO_KEY, &st, "KeyUpdate without traffic keys");
	tls_decrypt_free(d);
	keylog_free(kl);

	/* another connection's secret: the first record does not authenticate */
	kl = keylog_new(NULL, NULL);
	uint8_t random[32];
	rfc8448_client_random(random);
	char line[512];
	int n = snprintf(line, sizeof(line), "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s\nCLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s00"
			 "000000000000000000000000000000\n", rfc_random, nospace(rfc8448_c_hs_traffic), rfc_random,
			 nospace(rfc8448_c_hs_traffic));
	CU_ASSERT_EQUAL(keylog_add_text(kl, "wrong.keys", line, (size_t)n), 2);
	d = rfc8448_decryptor(kl);
	EXPECT_CODE(tls_decrypt_use(d, 1, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_OK, &st, "a secret of the right length");
	EXPECT_CODE(dec_hex(d, 1, rfc8448_server_flight_record, 0, &pt, &st), TLS_DEC_WRONG_KEY, &st, "wrong secret");
	CU_ASSERT_PTR_NOT_NULL(st.reason);
	/* a 48-byte secret for a SHA-256 suite */
	EXPECT_CODE(tls_decrypt_use(d, 0, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_BAD_KEY, &st, "secret of the wrong length");
	tls_decrypt_free(d);

	/* a connection the key log knows nothing of */
	struct tls_decrypt_params p = { .version = 0x0304, .suite = suite_named("TLS_AES_128_GCM_SHA256")->s,
					.cipher = suite_named("TLS_AES_128_GCM_SHA256")->c };
	d = tls_decrypt_new(&p, kl, NULL, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	EXPECT_CODE(tls_decrypt_use(d, 1, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_NO_KEY, &st, "no entry");
	tls_decrypt_free(d);
	keylog_free(kl);
}

static void test_record_bounds(void)
{
	struct keylog *kl = rfc8448_keylog(RFC_ALL);
	struct tls_decrypt *d = rfc8448_decryptor(kl);
	struct tls_dec_status st;
	struct tls_plain pt;
	static uint8_t big[TLS_DEC_MAX_RECORD_13 + 2];
	tls_decrypt_use(d, 1, TLS_KEYS_HANDSHAKE, &st);
	for (size_t n = 0; n <= 16; n++)
		EXPECT_CODE(tls_decrypt_record(d, 1, 23, 0x0303, big, n, 0, out, sizeof(out), &pt, &st),
			    TLS_DEC_BAD_RECORD, &st, "shorter than tag and type");
	EXPECT_CODE(tls_decrypt_record(d, 1, 23, 0x0303, big, TLS_DEC_MAX_RECORD_13 + 1, 0, out, sizeof(out), &pt, &st),
		    TLS_DEC_BAD_RECORD, &st, "longer than 2^14 + 256");
	EXPECT_CODE(tls_decrypt_record(d, 1, 23, 0x0303, big, TLS_DEC_MAX_RECORD_13, 0, out, sizeof(out), &pt, &st),
		    TLS_DEC_WRONG_KEY, &st, "2^14 + 256 of garbage");
	EXPECT_CODE(tls_decrypt_record(d, 1, 22, 0x0303, big, 100, 0, out, sizeof(out), &pt, &st), TLS_DEC_BAD_RECORD,
		    &st, "TLS 1.3 ciphertext of type handshake");
	EXPECT_CODE(tls_decrypt_record(d, 1, 23, 0x0303, big, 100, 0, out, 99, &pt, &st), TLS_DEC_ERROR, &st,
		    "output buffer too short");
	/* the failures above used up 18 sequence numbers, the type and buffer checks none */
	struct tls_dec_info info;
	tls_decrypt_info(d, 1, &info);
	CU_ASSERT_EQUAL(info.failed, 19);
	EXPECT_CODE(tls_decrypt_record(NULL, 1, 23, 0x0303, big, 100, 0, out, sizeof(out), &pt, &st), TLS_DEC_NO_KEY,
		    &st, "no decryptor");
	EXPECT_CODE(tls_decrypt_use(d, 2, TLS_KEYS_HANDSHAKE, &st), TLS_DEC_ERROR, &st, "no such direction");
	tls_decrypt_free(d);
	keylog_free(kl);
}

static const struct tls_cipher_info ci_rc4 = { "RC4", 16, 0, 0, 0, 0, false };
static const struct tls_cipher_info ci_idea = { NULL, 16, 8, 8, 0, 8, false };

static void expect_unsupported(uint16_t version, const struct tls_suite *s, const struct tls_cipher_info *c,
			       const char *what)
{
	struct tls_decrypt_params p = { .version = version, .suite = s, .cipher = c };
	struct tls_dec_status st;
	struct tls_decrypt *d = tls_decrypt_new(&p, NULL, NULL, &st);
	CU_ASSERT_PTR_NULL(d);
	EXPECT_CODE(st.code, TLS_DEC_UNSUPPORTED, &st, what);
	CU_ASSERT_PTR_NOT_NULL(st.reason);
	tls_decrypt_free(d);
}

static void test_unsupported(void)
{
	const struct tls_suite *gcm = suite_named("ECDHE-RSA-AES128-GCM-SHA256")->s;
	const struct tls_cipher_info *ci_aes128gcm = tls_cipher_info(gcm->cipher);
	const struct tls_suite *cbc = suite_named("ECDHE-RSA-AES128-SHA")->s;
	const struct tls_cipher_info *ci_aes128cbc = tls_cipher_info(cbc->cipher);
	struct tls_suite idea = { 0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", TLS_KX_RSA, TLS_CIPHER_OTHER, TLS_MAC_SHA1,
				  TLS_PRF_SHA256 };
	struct tls_suite rc4 = { 0x0005, "TLS_RSA_WITH_RC4_128_SHA", TLS_KX_RSA, TLS_CIPHER_RC4_128, TLS_MAC_SHA1,
				 TLS_PRF_SHA256 };
	struct tls_suite gost = *cbc;
	gost.mac = TLS_MAC_OTHER;
	expect_unsupported(0x0300, gcm, ci_aes128gcm, "SSL 3.0");
	expect_unsupported(0x0305, gcm, ci_aes128gcm, "an unknown version");
	expect_unsupported(0x0303, NULL, NULL, "an unknown suite");
	expect_unsupported(0x0303, &idea, &ci_idea, "IDEA");
	expect_unsupported(0x0303, &gost, ci_aes128cbc, "a MAC that is not HMAC");
	expect_unsupported(0x0304, cbc, ci_aes128cbc, "a CBC suite under TLS 1.3");
	/* RC4 decrypts where libcrypto still has it (the legacy provider), else it is named unsupported */
	EVP_CIPHER *have = EVP_CIPHER_fetch(NULL, "RC4", NULL);
	if (!have)
		expect_unsupported(0x0303, &rc4, &ci_rc4, "RC4 without the legacy provider");
	EVP_CIPHER_free(have);
}

/* ---- real exchanges recorded with openssl (decrypt_vectors.h) ---- */

static uint16_t version_of(const char *protocol)
{
	static const struct { const char *name; uint16_t v; } v[] = {
		{ "TLSv1", 0x0301 }, { "TLSv1.1", 0x0302 }, { "TLSv1.2", 0x0303 }, { "TLSv1.3", 0x0304 } };
	for (size_t i = 0; i < ARRAY_LEN(v); i++)
		if (strcmp(protocol, v[i].name) == 0)
			return v[i].v;
	return 0;
}

struct drive {
	const struct dv_case *c;
	struct keylog *kl;
	struct tls_decrypt *d;
	bool started[2];
	uint8_t data[2][4096];      /* application data decrypted per direction */
	size_t ndata[2];
	unsigned trials;
};

static struct tls_decrypt *case_decryptor(struct drive *v)
{
	const struct tsuite *ts = suite_named(v->c->suite);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	struct tls_decrypt_params p = { .version = version_of(v->c->protocol), .suite = ts->s, .cipher = ts->c,
					.encrypt_then_mac = v->c->etm };
	test_unhex(v->c->client_random, p.client_random, 32);
	test_unhex(v->c->server_random, p.server_random, 32);
	v->kl = keylog_new(NULL, NULL);
	CU_ASSERT_TRUE(keylog_add_text(v->kl, v->c->name, v->c->keylog, strlen(v->c->keylog)) > 0);
	struct tls_dec_status st;
	struct tls_decrypt *d = tls_decrypt_new(&p, v->kl, keylog_find(v->kl, p.client_random), &st);
	if (!d)
		UNIT_FAIL("%s: %s", v->c->name, st.reason);
	return d;
}

/* Every one-byte change and every truncation of a record must fail, and
 * (tried with TLS_DEC_TRIAL) leave the direction ready for the real one. */
static void try_damaged(struct drive *v, int dir, const uint8_t *rec, size_t n)
{
	static uint8_t bad[BUF];
	struct tls_dec_status st;
	struct tls_plain pt;
	for (size_t at = 0; at < n; at += at < 64 || at + 40 > n ? 1 : 11) {
		if (at == 3 || at == 4)
			continue;      /* the length field is not passed (the body is) */
		memcpy(bad, rec, n);
		bad[at] ^= at < 5 ? 0x02 : 0x80;    /* header bytes: keep the type a type */
		int code = tls_decrypt_record(v->d, dir, bad[0], (uint16_t)(bad[1] << 8 | bad[2]), bad + 5, n - 5,
					      TLS_DEC_TRIAL, out, sizeof(out), &pt, &st);
		if (code == TLS_DEC_OK)
			UNIT_FAIL("%s: record of %zu bytes with byte %zu changed decrypts", v->c->name, n, at);
		v->trials++;
	}
	for (size_t len = 5; len < n; len += len < 80 ? 1 : 29) {
		int code = tls_decrypt_record(v->d, dir, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), rec + 5, len - 5,
					      TLS_DEC_TRIAL, out, sizeof(out), &pt, &st);
		if (code == TLS_DEC_OK)
			UNIT_FAIL("%s: record of %zu bytes cut to %zu decrypts", v->c->name, n, len);
		v->trials++;
	}
}

/* The epochs of TLS 1.3 as the handshake messages in a plaintext switch them. */
static void follow_handshake(struct drive *v, int dir, const uint8_t *p, size_t n)
{
	struct tls_dec_status st;
	for (size_t i = 0; i + 4 <= n; i += 4 + (size_t)(p[i + 1] << 16 | p[i + 2] << 8 | p[i + 3])) {
		if (p[i] == 20)
			EXPECT_CODE(tls_decrypt_use(v->d, dir, TLS_KEYS_TRAFFIC, &st), TLS_DEC_OK, &st, "traffic keys");
		if (p[i] == 24)
			EXPECT_CODE(tls_decrypt_key_update(v->d, dir, &st), TLS_DEC_OK, &st, "KeyUpdate");
	}
}

static void drive_record(struct drive *v, const struct dv_record *r)
{
	static uint8_t rec[BUF];
	struct tls_dec_status st;
	struct tls_plain pt;
	bool tls13 = version_of(v->c->protocol) == 0x0304;
	size_t n = test_unhex(r->record, rec, sizeof(rec));
	if (!v->started[r->dir]) {
		EXPECT_CODE(tls_decrypt_use(v->d, r->dir, tls13 ? TLS_KEYS_HANDSHAKE : TLS_KEYS_TRAFFIC, &st), TLS_DEC_OK,
			    &st, v->c->name);
		v->started[r->dir] = true;
	}
	try_damaged(v, r->dir, rec, n);
	int code = tls_decrypt_record(v->d, r->dir, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), rec + 5, n - 5, 0, out,
				      sizeof(out), &pt, &st);
	if (code != TLS_DEC_OK || pt.type != r->type) {
		UNIT_FAIL("%s: record of %zu bytes from %s: %s (%s), type %u want %u", v->c->name, n,
			  r->dir ? "server" : "client", tls_dec_code_name(code), st.reason ? st.reason : "-", pt.type,
			  r->type);
		return;
	}
	if (r->plain)
		EXPECT_BYTES(out, pt.len, r->plain, v->c->name);
	if (r->type == 23 && v->ndata[r->dir] + pt.len <= sizeof(v->data[0])) {
		memcpy(v->data[r->dir] + v->ndata[r->dir], out, pt.len);
		v->ndata[r->dir] += pt.len;
	}
	if (tls13 && r->type == 22)
		follow_handshake(v, r->dir, out, pt.len);
}

static void test_openssl_vectors(void)
{
	unsigned records = 0, trials = 0;
	for (size_t i = 0; i < ARRAY_LEN(dv_cases); i++) {
		static struct drive v;
		memset(&v, 0, sizeof(v));
		v.c = &dv_cases[i];
		v.d = case_decryptor(&v);
		if (!v.d) {
			keylog_free(v.kl);
			continue;
		}
		for (unsigned k = 0; k < v.c->nrecords; k++)
			drive_record(&v, &v.c->records[k]);
		for (int dir = 0; dir < 2; dir++) {
			char what[96];
			snprintf(what, sizeof(what), "%s: %s application data", v.c->name, dir ? "server" : "client");
			EXPECT_BYTES(v.data[dir], v.ndata[dir], v.c->data[dir], what);
			struct tls_dec_info info;
			tls_decrypt_info(v.d, dir, &info);
			CU_ASSERT_STRING_EQUAL(info.source, v.c->name);
			CU_ASSERT_TRUE(info.line >= 1);
		}
		records += v.c->nrecords;
		trials += v.trials;
		tls_decrypt_free(v.d);
		keylog_free(v.kl);
	}
	CU_ASSERT_EQUAL(records, 168);
	printf("\n  openssl vectors: %zu exchanges, %u records decrypted, %u damaged copies refused ", ARRAY_LEN(dv_cases),
	       records, trials);
}

/* CBC MAC-then-encrypt: one block cannot hold a 20-byte MAC and the padding length. */
static void test_cbc_bounds(void)
{
	const struct dv_case *c = NULL;
	for (size_t i = 0; i < ARRAY_LEN(dv_cases); i++)
		if (strcmp(dv_cases[i].name, "tls12_cbc_sha_mte") == 0)
			c = &dv_cases[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	struct drive v = { .c = c };
	v.d = case_decryptor(&v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v.d);
	struct tls_dec_status st;
	struct tls_plain pt;
	static const uint8_t body[48] = { 0 };
	tls_decrypt_use(v.d, 0, TLS_KEYS_TRAFFIC, &st);
	EXPECT_CODE(tls_decrypt_record(v.d, 0, 22, 0x0303, body, 32, 0, out, sizeof(out), &pt, &st), TLS_DEC_BAD_RECORD,
		    &st, "IV and one block");
	EXPECT_CODE(tls_decrypt_record(v.d, 0, 22, 0x0303, body, 40, 0, out, sizeof(out), &pt, &st), TLS_DEC_BAD_RECORD,
		    &st, "IV and a block and a half");
	EXPECT_CODE(tls_decrypt_record(v.d, 0, 22, 0x0303, body, 48, 0, out, sizeof(out), &pt, &st), TLS_DEC_WRONG_KEY,
		    &st, "IV and two blocks of zeros");
	tls_decrypt_free(v.d);
	keylog_free(v.kl);
}

void register_decrypt_tests(void)
{
	CU_pSuite suite = CU_add_suite("tls_decrypt", NULL, NULL);
	CU_add_test(suite, "RFC 8448 §3: traffic keys and IVs from the secrets", test_rfc8448_keys);
	CU_add_test(suite, "RFC 8448 §3: every record of the handshake decrypted", test_rfc8448_records);
	CU_add_test(suite, "RFC 8448 §3: a changed byte fails; trial leaves the state", test_rfc8448_corruption);
	CU_add_test(suite, "missing, wrong and misfit secrets", test_rfc8448_key_problems);
	CU_add_test(suite, "records too short, too long, of the wrong type", test_record_bounds);
	CU_add_test(suite, "versions and suites named unsupported", test_unsupported);
	CU_add_test(suite, "CBC records too short for the MAC", test_cbc_bounds);
	CU_add_test(suite, "openssl exchanges: GCM, CCM, ChaCha20, CBC MtE/EtM, NULL, TLS 1.0-1.3",
		    test_openssl_vectors);
}
