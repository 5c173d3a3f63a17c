/* fuzz_decrypt.c - libFuzzer harness: junk key logs, then records with lying contents through the decryptor. */
/*
 * Input (see fuzz/README.md):
 *   flags:1  client_random:32  server_random:32  keylog_len:2  keylog text
 *   then ops, each op:1 len:2 (big endian) and up to len bytes of data:
 *     op & 1          direction (0 client, 1 server)
 *     (op >> 1) & 7   0 decrypt an application_data record (the data is its body)
 *                     1 decrypt a record of type data[0] (body: the rest)
 *                     (records carry the version's header: TLS 1.3's legacy 0x0303)
 *                     2 switch keys: tls_decrypt_use(dir, len % 3)
 *                     3 KeyUpdate
 *                     4 decrypt with TLS_DEC_TRIAL
 *                     5 TLS 1.3 round trip: seal data[1..] + type data[0] + (len >> 8) zero
 *                       bytes of padding under the harness's own keys, decrypt, compare
 *                     6 more key log text (a growing log, or a second DSB)
 *                     7 export the connection's key log lines
 * flags: bits 0-1 the version (TLS 1.0 + n), 2 encrypt_then_mac, 3 the harness's own
 *        secrets for client_random are added first (so round trips have keys),
 *        bits 4-7 the suite (index into suite_ids.h, modulo its size)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keylog.h"
#include "mem.h"
#include "tls_decrypt.h"

#include "../tests/unit/suite_ids.h"
#include "fuzz_common.h"

#define MAX_OPS 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t plain[TLS_DEC_MAX_RECORD_12 + 64];
static uint8_t sealed[TLS_DEC_MAX_RECORD_13 + 64];

/* The harness's secret of a label: recognisable, of the suite's hash length. */
static void own_secret(int label, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(0x30 + label * 7 + i);
}

static void add_own_keys(struct keylog *kl, const uint8_t *random, size_t hash_len)
{
	char text[KEYLOG_LABELS * 200], *o = text;
	for (int label = 0; label < KEYLOG_LABELS; label++) {
		uint8_t s[KEYLOG_SECRET_MAX];
		size_t n = label == KEYLOG_CLIENT_RANDOM ? 48 : hash_len;
		own_secret(label, n, s);
		o += sprintf(o, "%s ", keylog_label_name(label));
		for (int i = 0; i < 32; i++)
			o += sprintf(o, "%02x", random[i]);
		*o++ = ' ';
		for (size_t i = 0; i < n; i++)
			o += sprintf(o, "%02x", s[i]);
		*o++ = '\n';
	}
	keylog_add_text(kl, "own keys", text, (size_t)(o - text));
}

/* What the harness knows of a TLS 1.3 direction it holds the keys of. */
struct mirror {
	bool on;
	uint8_t secret[48];
};

/* Seals with the harness's mirror of dir's keys (RFC 8446 §5.2) and checks
 * the decryptor gives back exactly the content and type. */
static void round_trip(struct tls_decrypt *d, const struct tsuite *ts, struct mirror *m, int dir, const uint8_t *p,
		       size_t n, size_t pad)
{
	struct tls_dec_info info;
	tls_decrypt_info(d, dir, &info);
	if (!m->on || !info.on || n < 1 || !p[0] || n + pad > 16384)
		return;            /* type 0 is no content type: the zeros would run into the content */
	size_t hl = ts->s->prf == TLS_PRF_SHA384 ? 48 : 32, len = n + pad + ts->c->tag_len;
	uint8_t key[32], iv[12], aad[5] = { 23, 3, 3, (uint8_t)(len >> 8), (uint8_t)len };
	if (!tls13_expand_label(ts->s->prf, m->secret, hl, "key", key, ts->c->key_len) ||
	    !tls13_expand_label(ts->s->prf, m->secret, hl, "iv", iv, 12))
		abort();
	for (int i = 0; i < 8; i++)
		iv[11 - i] ^= (uint8_t)(info.seq >> (8 * i));
	memcpy(plain, p + 1, n - 1);
	plain[n - 1] = p[0];
	memset(plain + n, 0, pad);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int a = 0, b = 0;
	bool ccm = strstr(ts->c->evp_name, "CCM") != NULL;
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, ts->c->evp_name, NULL);
	if (!c || !cipher || !EVP_EncryptInit_ex2(c, cipher, NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
	    (ccm && !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, ts->c->tag_len, NULL)) ||
	    !EVP_EncryptInit_ex2(c, NULL, key, iv, NULL) || (ccm && !EVP_EncryptUpdate(c, NULL, &a, NULL, (int)(n + pad))) ||
	    !EVP_EncryptUpdate(c, NULL, &a, aad, 5) || !EVP_EncryptUpdate(c, sealed, &a, plain, (int)(n + pad)) ||
	    !EVP_EncryptFinal_ex(c, sealed + a, &b) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, ts->c->tag_len, sealed + n + pad))
		abort();
	EVP_CIPHER_CTX_free(c);
	EVP_CIPHER_free(cipher);
	struct tls_plain pt;
	struct tls_dec_status st;
	int code = tls_decrypt_record(d, dir, 23, 0x0303, sealed, len, 0, plain, sizeof(plain), &pt, &st);
	if (code != TLS_DEC_OK || pt.type != p[0] || pt.len != n - 1 || memcmp(plain, p + 1, n - 1) != 0) {
		fprintf(stderr, "\n==fuzz== TLS 1.3 round trip of %zu bytes (type %u, %zu of padding): %s (%s)\n", n - 1,
			p[0], pad, tls_dec_code_name(code), st.reason ? st.reason : "-");
		abort();
	}
}

/* The connection the ops work on. */
struct conn {
	struct tls_decrypt *d;
	struct keylog *kl;
	const struct tsuite *ts;
	const uint8_t *random;
	bool own, tls13;
	uint16_t record_version;  /* of the record headers: the version, TLS 1.3's legacy 0x0303 */
	struct mirror m[2];
};

static void run_op(struct conn *c, uint8_t op, uint16_t len, const uint8_t *p, size_t got)
{
	int dir = op & 1, kind = (op >> 1) & 7;
	struct tls_decrypt *d = c->d;
	struct mirror *m = c->m;
	struct tls_plain pt;
	struct tls_dec_status st;
	int code;
	switch (kind) {
	case 0:
	case 4:
		code = tls_decrypt_record(d, dir, 23, c->record_version, p, got, kind == 4 ? TLS_DEC_TRIAL : 0, plain,
					  sizeof(plain), &pt, &st);
		if (code == TLS_DEC_OK && pt.len > got)
			abort();
		break;
	case 1:
		if (got)
			tls_decrypt_record(d, dir, p[0], c->record_version, p + 1, got - 1, 0, plain, sizeof(plain), &pt,
					   &st);
		break;
	case 2:
		code = tls_decrypt_use(d, dir, len % 3, &st);
		m[dir].on = c->own && c->tls13 && code == TLS_DEC_OK;
		if (m[dir].on) {
			struct tls_dec_info info;
			tls_decrypt_info(d, dir, &info);
			own_secret(info.label, sizeof(m[dir].secret), m[dir].secret);
		}
		break;
	case 3:
		if (tls_decrypt_key_update(d, dir, &st) == TLS_DEC_OK && m[dir].on) {
			uint8_t next[48];
			size_t hl = c->ts->s->prf == TLS_PRF_SHA384 ? 48 : 32;
			if (!tls13_expand_label(c->ts->s->prf, m[dir].secret, hl, "traffic upd", next, hl))
				abort();
			memcpy(m[dir].secret, next, hl);
		}
		break;
	case 5:
		if (c->tls13)
			round_trip(d, c->ts, &m[dir], dir, p, got, len >> 8);
		break;
	case 6:
		keylog_add_text(c->kl, dir ? "pcapng DSB in fuzz" : "fuzz.keys", p, got);
		break;
	default: {
		size_t n = 0;
		char *text = keylog_export(c->kl, (const uint8_t(*)[32])c->random, 1, &n);
		if (strlen(text) != n)
			abort();
		keylog_export_free(text, n);
	}
	}
}

static void no_warning(void *arg, const struct keylog_warning *w)
{
	(void)arg;
	if (!w->source || !w->message || strlen(w->message) > 255)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	size_t mem0 = mem_in_use(), got;
	uint8_t flags = fin_u8(&in);
	const struct tsuite *ts = suite_at((flags >> 4) % N_SUITE_IDS);
	struct tls_decrypt_params p = { .version = (uint16_t)(0x0301 + (flags & 3)), .suite = ts->s, .cipher = ts->c,
					.encrypt_then_mac = flags & 4 };
	memcpy(p.client_random, fin_take(&in, 32, &got), got);
	memcpy(p.server_random, fin_take(&in, 32, &got), got);
	struct keylog *kl = keylog_new(no_warning, NULL);
	bool own = flags & 8;
	if (own)
		add_own_keys(kl, p.client_random, ts->s->prf == TLS_PRF_SHA384 ? 48 : 32);
	uint32_t n = fin_be(&in, 2);
	const uint8_t *text = fin_take(&in, n, &got);
	keylog_add_text(kl, "fuzz.keys", text, got);

	struct tls_dec_status st;
	struct conn c = { .d = tls_decrypt_new(&p, kl, keylog_find(kl, p.client_random), &st), .kl = kl, .ts = ts,
			  .random = p.client_random, .own = own,
			  .tls13 = p.version == 0x0304 && ts->s->kx == TLS_KX_TLS13,
			  .record_version = p.version < 0x0304 ? p.version : 0x0303 };
	for (int k = 0; c.d && in.n >= 3 && k < MAX_OPS; k++) {
		uint8_t op = fin_u8(&in);
		uint16_t len = (uint16_t)fin_be(&in, 2);
		const uint8_t *body = fin_take(&in, len, &got);
		run_op(&c, op, len, body, got);
	}
	tls_decrypt_free(c.d);
	keylog_free(kl);
	check_counter("accounted memory (mem_in_use)", mem0, mem_in_use());
	return 0;
}
