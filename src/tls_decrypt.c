/* tls_decrypt.c - key schedules (RFC 8446 §7, RFC 5246 §6.3) and record protection (see tls_decrypt.h). */
#include "tls_decrypt.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keylog_secret.h"
#include "mem.h"

#define TLS10 0x0301
#define TLS11 0x0302
#define TLS12 0x0303
#define TLS13 0x0304

#define MAX_KEY  32
#define MAX_IV   16
#define MAX_MAC  48
#define MAX_HASH 48

/* Fetching an EVP object costs a provider lookup: once per process. */
static struct {
	EVP_CIPHER *cipher[TLS_CIPHER_COUNT];
	bool cipher_tried[TLS_CIPHER_COUNT];
	EVP_MAC *hmac;
	EVP_KDF *tls13_kdf;
	EVP_KDF *tls1_prf;
	EVP_MAC_CTX *hmac_md[2];      /* HMAC-SHA256, HMAC-SHA384: keyed anew for each use */
	bool tried;
} cache;

/* One direction's record protection. */
struct dec_dir {
	bool on;
	uint8_t keys;                 /* enum tls_dec_keys */
	uint8_t label;                /* enum keylog_label of the secret */
	EVP_CIPHER_CTX *ctx;
	EVP_MAC_CTX *mac;
	uint8_t key[MAX_KEY];
	uint8_t iv[MAX_IV];           /* TLS 1.3 / ChaCha IV, GCM/CCM salt, TLS 1.0 CBC chain */
	uint8_t secret[MAX_HASH];     /* TLS 1.3: the traffic secret, for KeyUpdate */
	uint64_t seq;
	uint64_t decrypted, failed;
	unsigned updates;
	const char *source;
	unsigned long line;
};

struct tls_decrypt {
	struct tls_decrypt_params p;
	const struct keylog *kl;
	const struct keylog_entry *keys;
	const EVP_CIPHER *evp;        /* NULL for the NULL cipher */
	const char *mac_md;           /* HMAC digest, NULL for AEAD */
	uint8_t mac_len;
	uint8_t key_len, fixed_iv_len, record_iv_len, tag_len, block_len;
	uint8_t hash_len;             /* TLS 1.3 */
	bool aead, ccm, etm;
	struct dec_dir dir[2];
	/* TLS 1.2: the key block of both directions, derived for the first
	 * and kept for the second (the PRF was half of --keylog's cost), with
	 * the master secret it came from; cleansed with the rest */
	bool have_block;
	uint8_t block_master[KEYLOG_SECRET_MAX];
	uint8_t block_master_len;
	uint8_t block[2 * (MAX_MAC + MAX_KEY + MAX_IV)];
};

const char *tls_dec_code_name(int code)
{
	static const char *const names[] = { "ok", "wrong-key", "auth-failed", "bad-record", "no-key",
					     "bad-key", "unsupported", "error" };
	return code >= 0 && code <= TLS_DEC_ERROR ? names[code] : "?";
}

static int status(struct tls_dec_status *st, int code, const char *reason)
{
	if (st) {
		st->code = code;
		st->reason = code == TLS_DEC_OK ? NULL : reason;
	}
	if (code == TLS_DEC_ERROR || code == TLS_DEC_WRONG_KEY || code == TLS_DEC_AUTH_FAILED)
		ERR_clear_error();     /* leave no stale errors for the X.509 code */
	return code;
}

void tls_decrypt_cleanup(void)
{
	for (int i = 0; i < TLS_CIPHER_COUNT; i++)
		EVP_CIPHER_free(cache.cipher[i]);
	EVP_MAC_CTX_free(cache.hmac_md[0]);
	EVP_MAC_CTX_free(cache.hmac_md[1]);
	EVP_MAC_free(cache.hmac);
	EVP_KDF_free(cache.tls13_kdf);
	EVP_KDF_free(cache.tls1_prf);
	memset(&cache, 0, sizeof(cache));
}

static bool fetch_common(void)
{
	if (!cache.tried) {
		cache.tried = true;
		cache.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		cache.tls13_kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
		cache.tls1_prf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
		ERR_clear_error();
	}
	return cache.hmac && cache.tls13_kdf && cache.tls1_prf;
}

static const EVP_CIPHER *fetch_cipher(int cipher, const char *name)
{
	if (!cache.cipher_tried[cipher]) {
		cache.cipher_tried[cipher] = true;
		cache.cipher[cipher] = EVP_CIPHER_fetch(NULL, name, NULL);
		ERR_clear_error();
	}
	return cache.cipher[cipher];
}

/* HMAC digest of a record MAC (RFC 5246 §6.2.3.1). */
static const char *mac_digest(int mac, uint8_t *len)
{
	switch (mac) {
	case TLS_MAC_MD5: *len = 16; return "MD5";
	case TLS_MAC_SHA1: *len = 20; return "SHA1";
	case TLS_MAC_SHA256: *len = 32; return "SHA256";
	case TLS_MAC_SHA384: *len = 48; return "SHA384";
	default: *len = 0; return NULL;
	}
}

/* The PRF / HKDF hash: TLS 1.0 and 1.1 always use MD5+SHA-1 (RFC 2246 §5). */
static const char *prf_md(uint16_t version, int prf)
{
	if (version < TLS12)
		return "MD5-SHA1";
	return prf == TLS_PRF_SHA384 ? "SHA384" : "SHA256";
}

static const char *prf_digest(const struct tls_decrypt *d)
{
	return prf_md(d->p.version, d->p.suite->prf);
}

static bool is_ccm(int cipher)
{
	return cipher == TLS_CIPHER_AES_128_CCM || cipher == TLS_CIPHER_AES_256_CCM ||
	       cipher == TLS_CIPHER_AES_128_CCM_8 || cipher == TLS_CIPHER_AES_256_CCM_8;
}

/* What the suite and version need; a reason when tlsdiag cannot decrypt them. */
static const char *check_suite(struct tls_decrypt *d)
{
	const struct tls_suite *s = d->p.suite;
	const struct tls_cipher_info *c = d->p.cipher;
	if (d->p.version < TLS10 || d->p.version > TLS13)
		return "only TLS 1.0 to 1.3 are decrypted";
	if (!s || !c)
		return "unknown cipher suite";
	if (s->cipher == TLS_CIPHER_OTHER || s->cipher >= TLS_CIPHER_COUNT)
		return "the suite's cipher is not one tlsdiag decrypts";
	if (s->prf == TLS_PRF_OTHER && d->p.version >= TLS12)
		return "the suite's PRF hash is not SHA-256 or SHA-384";
	if (!fetch_common())
		return "this OpenSSL lacks HMAC, TLS13-KDF or TLS1-PRF";
	d->aead = c->aead;
	d->ccm = is_ccm(s->cipher);
	d->key_len = c->key_len;
	d->tag_len = c->tag_len;
	d->block_len = c->block_len;
	if (d->p.version == TLS13) {
		if (!c->aead)
			return "TLS 1.3 suites are AEAD";
		d->hash_len = s->prf == TLS_PRF_SHA384 ? 48 : 32;
		d->fixed_iv_len = 12;
	} else if (c->aead) {
		d->fixed_iv_len = c->fixed_iv_len;
		d->record_iv_len = c->record_iv_len;
	} else {
		d->mac_md = mac_digest(s->mac, &d->mac_len);
		if (!d->mac_md)
			return "the suite's MAC is not HMAC with MD5, SHA-1, SHA-256 or SHA-384";
		/* CBC: TLS 1.0 chains the IV from the key block, later versions send one per record */
		d->fixed_iv_len = d->block_len && d->p.version == TLS10 ? d->block_len : 0;
		d->record_iv_len = d->block_len && d->p.version > TLS10 ? d->block_len : 0;
		d->etm = d->block_len && d->p.encrypt_then_mac;
	}
	if (d->key_len > MAX_KEY || d->fixed_iv_len > MAX_IV || d->tag_len > 16 ||
	    (c->aead && (d->fixed_iv_len + d->record_iv_len != 12 || !d->tag_len)))
		return "the suite's cipher parameters are out of range";
	if (c->evp_name) {
		d->evp = fetch_cipher(s->cipher, c->evp_name);
		if (!d->evp)
			return "this OpenSSL does not provide the suite's cipher (legacy provider?)";
	} else if (s->cipher != TLS_CIPHER_NULL) {
		return "the suite's cipher has no libcrypto name";
	}
	return NULL;
}

struct tls_decrypt *tls_decrypt_new(const struct tls_decrypt_params *p, const struct keylog *kl,
				    const struct keylog_entry *keys, struct tls_dec_status *st)
{
	struct tls_decrypt *d = mem_alloc(sizeof(*d));
	d->p = *p;
	d->kl = kl;
	d->keys = keys;
	const char *why = check_suite(d);
	if (why) {
		mem_free(d);
		status(st, TLS_DEC_UNSUPPORTED, why);
		return NULL;
	}
	status(st, TLS_DEC_OK, NULL);
	return d;
}

static void dir_clear(struct dec_dir *k)
{
	EVP_CIPHER_CTX_free(k->ctx);
	EVP_MAC_CTX_free(k->mac);
	OPENSSL_cleanse(k, sizeof(*k));
}

void tls_decrypt_free(struct tls_decrypt *d)
{
	if (!d)
		return;
	dir_clear(&d->dir[0]);
	dir_clear(&d->dir[1]);
	OPENSSL_cleanse(d, sizeof(*d));
	mem_free(d);
}

void tls_decrypt_info(const struct tls_decrypt *d, int dir, struct tls_dec_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!d || dir < 0 || dir > 1 || !d->dir[dir].on)
		return;
	const struct dec_dir *k = &d->dir[dir];
	out->on = true;
	out->keys = k->keys;
	out->label = k->label;
	out->source = k->source;
	out->line = k->line;
	out->updates = k->updates;
	out->seq = k->seq;
	out->decrypted = k->decrypted;
	out->failed = k->failed;
}

/* ---- key schedules ---- */

/*
 * The key schedules are HMAC chains. EVP_KDF_derive built an HMAC context,
 * and fetched its digest, for every derivation: with a key log for every
 * connection that was a third of the text report's time (four labels and
 * a key block per connection). SHA-256 and SHA-384 run here on one cached
 * HMAC context per digest, re-keyed per use; TLS 1.0/1.1's MD5+SHA-1 PRF
 * stays with TLS1-PRF.
 */
static EVP_MAC_CTX *hmac_of(const char *md)
{
	int i = strcmp(md, "SHA256") == 0 ? 0 : strcmp(md, "SHA384") == 0 ? 1 : -1;
	if (i < 0)
		return NULL;
	if (!cache.hmac_md[i]) {
		EVP_MAC_CTX *c = EVP_MAC_CTX_new(cache.hmac);
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0),
			OSSL_PARAM_construct_end(),
		};
		if (c && EVP_MAC_CTX_set_params(c, params) <= 0) {
			EVP_MAC_CTX_free(c);
			c = NULL;
		}
		cache.hmac_md[i] = c;
	}
	return cache.hmac_md[i];
}

/* HMAC(key, a || b) into out (*olen bytes); key NULL: the key of the last call
 * (HMAC keeps its padded key state, so a chain is keyed once). */
static bool hmac2(EVP_MAC_CTX *c, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen, const uint8_t *b,
		  size_t blen, uint8_t *out, size_t *olen)
{
	return EVP_MAC_init(c, key, key ? klen : 0, NULL) > 0 && (!alen || EVP_MAC_update(c, a, alen) > 0) &&
	       (!blen || EVP_MAC_update(c, b, blen) > 0) && EVP_MAC_final(c, out, olen, MAX_HASH) > 0;
}

/* HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(prk, T(i-1) || info || i). */
static bool hkdf_expand(EVP_MAC_CTX *c, const uint8_t *prk, size_t plen, const uint8_t *info, size_t ilen,
			uint8_t *out, size_t n, bool keyed)
{
	uint8_t t[MAX_HASH + 256 + 1], block[MAX_HASH];
	size_t tlen = 0;
	if (ilen > 256)
		return false;
	for (uint8_t i = 1; n > 0; i++) {
		memcpy(t + tlen, info, ilen);
		t[tlen + ilen] = i;
		size_t bl = 0;
		if (!hmac2(c, i == 1 && !keyed ? prk : NULL, plen, t, tlen + ilen + 1, NULL, 0, block, &bl) || bl == 0)
			return false;
		size_t k = n < bl ? n : bl;
		memcpy(out, block, k);
		out += k;
		n -= k;
		memcpy(t, block, bl);
		tlen = bl;
	}
	return true;
}

/* TLS 1.2's P_hash (RFC 5246 §5): A(i) = HMAC(secret, A(i-1)), out = HMAC(secret, A(i) || seed)... */
static bool p_hash(EVP_MAC_CTX *c, const uint8_t *secret, size_t slen, const uint8_t *seed, size_t seedlen,
		   uint8_t *out, size_t n)
{
	uint8_t a[MAX_HASH], block[MAX_HASH];
	size_t al = 0, bl = 0;
	if (!hmac2(c, secret, slen, seed, seedlen, NULL, 0, a, &al))
		return false;
	while (n > 0) {
		if (!hmac2(c, NULL, 0, a, al, seed, seedlen, block, &bl))
			return false;
		size_t k = n < bl ? n : bl;
		memcpy(out, block, k);
		out += k;
		n -= k;
		if (n && !hmac2(c, NULL, 0, a, al, NULL, 0, a, &al))
			return false;
	}
	return true;
}

/* HKDF-Expand-Label(secret, label, "", n) (RFC 8446 §7.1); keyed: the
 * digest's HMAC context holds secret already (the call before used it). */
static bool expand_label_keyed(const char *md, const uint8_t *secret, size_t slen, const char *label,
			       uint8_t *out, size_t n, bool keyed)
{
	EVP_MAC_CTX *h = hmac_of(md);
	size_t ll = strlen(label);
	if (h && n <= 0xffff && ll <= 249) {
		uint8_t info[2 + 1 + 255 + 1];
		info[0] = (uint8_t)(n >> 8);
		info[1] = (uint8_t)n;
		info[2] = (uint8_t)(6 + ll);
		memcpy(info + 3, "tls13 ", 6);
		memcpy(info + 9, label, ll);
		info[9 + ll] = 0;   /* empty context */
		return hkdf_expand(h, secret, slen, info, 10 + ll, out, n, keyed);
	}
	EVP_KDF_CTX *c = EVP_KDF_CTX_new(cache.tls13_kdf);
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	static const char prefix[] = "tls13 ";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, slen),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)prefix, sizeof(prefix) - 1),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, (void *)"", 0),
		OSSL_PARAM_construct_end(),
	};
	bool ok = c && EVP_KDF_derive(c, out, n, params) > 0;
	EVP_KDF_CTX_free(c);
	return ok;
}

static bool expand_label(const char *md, const uint8_t *secret, size_t slen, const char *label, uint8_t *out,
			 size_t n)
{
	return expand_label_keyed(md, secret, slen, label, out, n, false);
}

bool tls13_expand_label(int prf, const uint8_t *secret, size_t slen, const char *label, uint8_t *out, size_t n)
{
	return fetch_common() && expand_label(prf_md(TLS13, prf), secret, slen, label, out, n);
}

/* PRF(master, "key expansion", server_random + client_random) (RFC 5246 §6.3). */
bool tls_key_block(uint16_t version, int prf, const uint8_t *master, size_t mlen, const uint8_t client_random[32],
		   const uint8_t server_random[32], uint8_t *out, size_t n)
{
	uint8_t seed[13 + 64];
	if (!fetch_common())
		return false;
	memcpy(seed, "key expansion", 13);
	memcpy(seed + 13, server_random, 32);
	memcpy(seed + 45, client_random, 32);
	EVP_MAC_CTX *h = hmac_of(prf_md(version, prf));
	if (h)
		return p_hash(h, master, mlen, seed, sizeof(seed), out, n);
	EVP_KDF_CTX *c = EVP_KDF_CTX_new(cache.tls1_prf);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)prf_md(version, prf), 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)master, mlen),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed)),
		OSSL_PARAM_construct_end(),
	};
	bool ok = c && EVP_KDF_derive(c, out, n, params) > 0;
	EVP_KDF_CTX_free(c);
	return ok;
}

/* A fresh cipher context with the direction's key; AEAD nonces and CBC IVs come per record. */
static bool start_cipher(const struct tls_decrypt *d, struct dec_dir *k)
{
	/* a new key for the same GCM/ChaCha context (TLS 1.3's handshake, then
	 * application keys): only the key changes; the nonce comes per record */
	if (k->ctx && d->evp && d->aead && !d->ccm && EVP_CIPHER_CTX_get0_cipher(k->ctx) == d->evp)
		return EVP_DecryptInit_ex2(k->ctx, NULL, k->key, NULL, NULL) > 0;
	EVP_CIPHER_CTX_free(k->ctx);
	k->ctx = NULL;
	if (!d->evp)
		return true;       /* the NULL cipher */
	k->ctx = EVP_CIPHER_CTX_new();
	if (!k->ctx || !EVP_DecryptInit_ex2(k->ctx, d->evp, NULL, NULL, NULL))
		return false;
	if (d->aead) {
		if (!EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL))
			return false;
		if (d->ccm && !EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_TAG, d->tag_len, NULL))
			return false;
	} else if (d->block_len) {
		EVP_CIPHER_CTX_set_padding(k->ctx, 0);
	}
	return EVP_DecryptInit_ex2(k->ctx, NULL, k->key, NULL, NULL) > 0;
}

static bool start_mac(const struct tls_decrypt *d, struct dec_dir *k, const uint8_t *key)
{
	EVP_MAC_CTX_free(k->mac);
	k->mac = EVP_MAC_CTX_new(cache.hmac);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)d->mac_md, 0),
		OSSL_PARAM_construct_end(),
	};
	return k->mac && EVP_MAC_init(k->mac, key, d->mac_len, params) > 0;
}

/* Key and IV of a TLS 1.3 traffic secret (RFC 8446 §7.3). */
static int start_tls13(struct tls_decrypt *d, struct dec_dir *k, struct tls_dec_status *st)
{
	const char *md = prf_digest(d);
	/* the IV from the secret the key's derivation keyed HMAC with */
	if (!expand_label(md, k->secret, d->hash_len, "key", k->key, d->key_len) ||
	    !expand_label_keyed(md, k->secret, d->hash_len, "iv", k->iv, 12, true))
		return status(st, TLS_DEC_ERROR, "HKDF-Expand-Label failed");
	if (!start_cipher(d, k))
		return status(st, TLS_DEC_ERROR, "the cipher did not take the key");
	k->seq = 0;
	k->decrypted = k->failed = 0;
	return status(st, TLS_DEC_OK, NULL);
}

static int tls13_label(int dir, int keys)
{
	static const int8_t labels[2][3] = {
		{ KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
		  KEYLOG_CLIENT_TRAFFIC_SECRET_0 },
		{ -1, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, KEYLOG_SERVER_TRAFFIC_SECRET_0 },
	};
	return labels[dir][keys];
}

static int use_tls13(struct tls_decrypt *d, struct dec_dir *k, int dir, int keys, struct tls_dec_status *st)
{
	int label = tls13_label(dir, keys);
	struct keylog_secret s;
	if (label < 0)
		return status(st, TLS_DEC_NO_KEY, "the server sends no early data");
	if (!keylog_secret_get(d->kl, d->keys, label, &s))
		return status(st, TLS_DEC_NO_KEY, "the key log has no secret for these keys");
	if (s.len != d->hash_len) {
		OPENSSL_cleanse(&s, sizeof(s));
		return status(st, TLS_DEC_BAD_KEY, "the secret's length is not the suite's hash length");
	}
	memcpy(k->secret, s.bytes, s.len);
	k->source = s.source;
	k->line = s.line;
	k->label = (uint8_t)label;
	OPENSSL_cleanse(&s, sizeof(s));
	return start_tls13(d, k, st);
}

/* Both directions' keys from the master secret: client_write_MAC_key,
 * server_write_MAC_key, client_write_key, server_write_key, client and
 * server IVs, in this order (RFC 5246 §6.3). */
static int use_tls12(struct tls_decrypt *d, struct dec_dir *k, int dir, struct tls_dec_status *st)
{
	struct keylog_secret s;
	uint8_t *block = d->block;
	size_t m = d->mac_len, n = d->key_len, v = d->fixed_iv_len;
	if (!keylog_secret_get(d->kl, d->keys, KEYLOG_CLIENT_RANDOM, &s))
		return status(st, TLS_DEC_NO_KEY, "the key log has no CLIENT_RANDOM line for this connection");
	bool ok = true;
	if (!d->have_block || d->block_master_len != s.len || CRYPTO_memcmp(d->block_master, s.bytes, s.len) != 0) {
		ok = tls_key_block(d->p.version, d->p.suite->prf, s.bytes, s.len, d->p.client_random,
				   d->p.server_random, block, 2 * (m + n + v));
		d->have_block = ok;
		memcpy(d->block_master, s.bytes, s.len);
		d->block_master_len = s.len;
	}
	k->source = s.source;
	k->line = s.line;
	k->label = KEYLOG_CLIENT_RANDOM;
	OPENSSL_cleanse(&s, sizeof(s));
	if (!ok) {
		OPENSSL_cleanse(d->block, sizeof(d->block));
		return status(st, TLS_DEC_ERROR, "the TLS PRF failed");
	}
	memcpy(k->key, block + 2 * m + dir * n, n);
	memcpy(k->iv, block + 2 * m + 2 * n + dir * v, v);
	ok = (!m || start_mac(d, k, block + dir * m)) && start_cipher(d, k);
	if (!ok)
		return status(st, TLS_DEC_ERROR, "the cipher or MAC did not take the key");
	k->seq = 0;
	k->decrypted = k->failed = 0;
	return status(st, TLS_DEC_OK, NULL);
}

int tls_decrypt_use(struct tls_decrypt *d, int dir, int keys, struct tls_dec_status *st)
{
	if (!d || dir < 0 || dir > 1 || keys < TLS_KEYS_EARLY || keys > TLS_KEYS_TRAFFIC)
		return status(st, TLS_DEC_ERROR, "bad arguments");
	struct dec_dir *k = &d->dir[dir];
	dir_clear(k);
	int code;
	if (d->p.version == TLS13)
		code = use_tls13(d, k, dir, keys, st);
	else if (keys != TLS_KEYS_TRAFFIC)
		code = status(st, TLS_DEC_NO_KEY, "before TLS 1.3 only the keys after ChangeCipherSpec exist");
	else
		code = use_tls12(d, k, dir, st);
	if (code != TLS_DEC_OK) {
		dir_clear(k);
		return code;
	}
	k->on = true;
	k->keys = (uint8_t)keys;
	return code;
}

void tls_decrypt_set_seq(struct tls_decrypt *d, int dir, uint64_t seq)
{
	if (d && dir >= 0 && dir <= 1 && d->dir[dir].on && (d->aead || d->p.version == TLS13))
		d->dir[dir].seq = seq;
}

int tls_decrypt_key_update(struct tls_decrypt *d, int dir, struct tls_dec_status *st)
{
	if (!d || dir < 0 || dir > 1)
		return status(st, TLS_DEC_ERROR, "bad arguments");
	struct dec_dir *k = &d->dir[dir];
	if (d->p.version != TLS13 || !k->on || k->keys != TLS_KEYS_TRAFFIC)
		return status(st, TLS_DEC_NO_KEY, "no TLS 1.3 application traffic keys to update");
	uint8_t next[MAX_HASH];
	if (!expand_label(prf_digest(d), k->secret, d->hash_len, "traffic upd", next, d->hash_len)) {
		k->on = false;
		return status(st, TLS_DEC_ERROR, "HKDF-Expand-Label failed");
	}
	memcpy(k->secret, next, d->hash_len);
	OPENSSL_cleanse(next, sizeof(next));
	int code = start_tls13(d, k, st);
	if (code != TLS_DEC_OK)
		k->on = false;
	k->updates++;
	return code;
}

/* ---- records ---- */

static void put_be(uint8_t *o, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		o[i] = (uint8_t)v;
}

/* seq_num + type + version + length: the additional data of TLS <= 1.2
 * AEAD records and the head of the record MAC (RFC 5246 §6.2.3.1, §6.2.3.3). */
static void pseudo_header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t len)
{
	put_be(h, seq, 8);
	h[8] = type;
	put_be(h + 9, version, 2);
	put_be(h + 11, len, 2);
}

/* A record that does not authenticate: the first under a key says the key is wrong. */
static int auth_failed(const struct dec_dir *k, struct tls_dec_status *st, const char *why)
{
	return status(st, k->decrypted ? TLS_DEC_AUTH_FAILED : TLS_DEC_WRONG_KEY, why);
}

/* AEAD open of ct || tag (tag_len bytes after ctlen): 1 authentic, 0 not, -1 libcrypto error. */
static int aead_open(const struct tls_decrypt *d, struct dec_dir *k, const uint8_t *nonce, const uint8_t *aad,
		     size_t aadlen, const uint8_t *ct, size_t ctlen, uint8_t *out)
{
	EVP_CIPHER_CTX *c = k->ctx;
	void *tag = (void *)(ct + ctlen);
	int n = 0, m = 0;
	if (d->ccm) {
		/* CCM takes the tag and the length first and verifies in its one update (RFC 6655) */
		if (!EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, d->tag_len, tag) ||
		    !EVP_DecryptInit_ex2(c, NULL, NULL, nonce, NULL) || !EVP_DecryptUpdate(c, NULL, &n, NULL, (int)ctlen) ||
		    !EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen))
			return -1;
		return EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen) > 0;
	}
	if (!EVP_DecryptInit_ex2(c, NULL, NULL, nonce, NULL) || !EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen) ||
	    (ctlen && !EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen)) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, d->tag_len, tag))
		return -1;
	return EVP_DecryptFinal_ex(c, out + n, &m) > 0;
}

static int aead_result(struct dec_dir *k, int r, struct tls_dec_status *st)
{
	if (r < 0)
		return status(st, TLS_DEC_ERROR, "libcrypto refused the AEAD operation");
	return r ? status(st, TLS_DEC_OK, NULL) : auth_failed(k, st, "the tag does not verify");
}

/* TLS 1.3 (RFC 8446 §5.2, §5.3): nonce = iv xor seq, the header is the
 * additional data, the inner plaintext ends with its type and zero padding. */
static int open_tls13(const struct tls_decrypt *d, struct dec_dir *k, uint8_t type, uint16_t version,
		      const uint8_t *body, size_t len, uint8_t *out, struct tls_plain *pt, struct tls_dec_status *st)
{
	if (len < (size_t)d->tag_len + 1)
		return status(st, TLS_DEC_BAD_RECORD, "shorter than the tag and a content type");
	uint8_t nonce[12], aad[5] = { type, (uint8_t)(version >> 8), (uint8_t)version, (uint8_t)(len >> 8),
				    (uint8_t)len };
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
	int code = aead_result(k, aead_open(d, k, nonce, aad, sizeof(aad), body, len - d->tag_len, out), st);
	if (code != TLS_DEC_OK)
		return code;
	size_t n = len - d->tag_len;
	while (n && !out[n - 1])
		n--;
	if (!n) {
		k->decrypted++;        /* authentic, but the sender broke the rules */
		return status(st, TLS_DEC_BAD_RECORD, "the plaintext has no content type (all zeros)");
	}
	pt->type = out[n - 1];
	pt->len = (uint32_t)(n - 1);
	return code;
}

/* TLS <= 1.2 AEAD: GCM and CCM nonce = 4-byte salt + 8 explicit bytes
 * (RFC 5288 §3, RFC 6655 §3); ChaCha20-Poly1305 nonce = iv xor seq (RFC 7905 §2). */
static int open_aead12(const struct tls_decrypt *d, struct dec_dir *k, uint8_t type, uint16_t version,
		       const uint8_t *body, size_t len, uint8_t *out, struct tls_plain *pt, struct tls_dec_status *st)
{
	size_t e = d->record_iv_len, f = d->fixed_iv_len;
	if (len < e + d->tag_len)
		return status(st, TLS_DEC_BAD_RECORD, "shorter than the explicit nonce and the tag");
	uint8_t nonce[12], aad[13];
	memcpy(nonce, k->iv, f);
	memcpy(nonce + f, body, e);
	if (!e)
		for (int i = 0; i < 8; i++)
			nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
	size_t ctlen = len - e - d->tag_len;
	pseudo_header(aad, k->seq, type, version, ctlen);
	int code = aead_result(k, aead_open(d, k, nonce, aad, sizeof(aad), body + e, ctlen, out), st);
	pt->type = type;
	pt->len = (uint32_t)ctlen;
	return code;
}

/* HMAC(MAC_write_key, seq_num + type + version + length + data) equal to mac? */
static int mac_check(const struct tls_decrypt *d, struct dec_dir *k, uint8_t type, uint16_t version,
		     const uint8_t *p, size_t n, const uint8_t *mac)
{
	uint8_t h[13], md[EVP_MAX_MD_SIZE];
	size_t ol = 0;
	pseudo_header(h, k->seq, type, version, n);
	if (EVP_MAC_init(k->mac, NULL, 0, NULL) <= 0 || EVP_MAC_update(k->mac, h, sizeof(h)) <= 0 ||
	    EVP_MAC_update(k->mac, p, n) <= 0 || EVP_MAC_final(k->mac, md, &ol, sizeof(md)) <= 0 || ol != d->mac_len)
		return -1;
	return CRYPTO_memcmp(md, mac, d->mac_len) == 0;
}

static int mac_result(struct dec_dir *k, int r, struct tls_dec_status *st)
{
	if (r < 0)
		return status(st, TLS_DEC_ERROR, "libcrypto refused the HMAC");
	return r ? status(st, TLS_DEC_OK, NULL) : auth_failed(k, st, "the MAC does not verify");
}

static bool cbc_decrypt(struct dec_dir *k, const uint8_t *iv, const uint8_t *ct, size_t n, uint8_t *out)
{
	int a = 0, b = 0;
	return EVP_DecryptInit_ex2(k->ctx, NULL, NULL, iv, NULL) && EVP_DecryptUpdate(k->ctx, out, &a, ct, (int)n) &&
	       EVP_DecryptFinal_ex(k->ctx, out + a, &b) && (size_t)(a + b) == n;
}

/* The padding of a decrypted block-cipher fragment: its bytes, or -1. */
static long padding_len(const uint8_t *out, size_t n, size_t room)
{
	uint8_t pad = out[n - 1];
	if ((size_t)pad + 1 > room)
		return -1;
	uint8_t bad = 0;
	for (size_t i = 0; i <= pad; i++)
		bad |= out[n - 1 - i] ^ pad;
	return bad ? -1 : (long)pad + 1;
}

/* CBC with HMAC (RFC 5246 §6.2.3.2): MAC-then-encrypt, or encrypt-then-MAC
 * over IV and ciphertext when negotiated (RFC 7366 §3). TLS 1.0 takes the
 * IV from the previous record's last block (RFC 2246 §6.2.3.2). */
static int open_cbc(const struct tls_decrypt *d, struct dec_dir *k, uint8_t type, uint16_t version,
		    const uint8_t *body, size_t len, uint8_t *out, struct tls_plain *pt, struct tls_dec_status *st)
{
	size_t b = d->block_len, ivl = d->record_iv_len, m = d->mac_len;
	size_t tail = d->etm ? m : 0;
	if (len < ivl + b + tail || (len - ivl - tail) % b)
		return status(st, TLS_DEC_BAD_RECORD, "not an IV, whole cipher blocks and a MAC");
	size_t ctlen = len - ivl - tail;
	if (!d->etm && ctlen < m + 1)
		return status(st, TLS_DEC_BAD_RECORD, "shorter than the MAC and the padding length");
	const uint8_t *ct = body + ivl;
	if (d->etm) {
		int code = mac_result(k, mac_check(d, k, type, version, body, len - m, body + len - m), st);
		if (code != TLS_DEC_OK)
			return code;
	}
	if (!cbc_decrypt(k, ivl ? body : k->iv, ct, ctlen, out))
		return status(st, TLS_DEC_ERROR, "libcrypto refused the CBC decryption");
	if (!ivl)
		memcpy(k->iv, ct + ctlen - b, b);
	long pad = padding_len(out, ctlen, ctlen - (d->etm ? 0 : m));
	if (pad < 0)
		return d->etm ? status(st, TLS_DEC_BAD_RECORD, "bad padding under a good MAC")
			      : auth_failed(k, st, "bad padding");
	size_t n = ctlen - (size_t)pad - (d->etm ? 0 : m);
	pt->type = type;
	pt->len = (uint32_t)n;
	if (d->etm)
		return status(st, TLS_DEC_OK, NULL);
	return mac_result(k, mac_check(d, k, type, version, out, n, out + n), st);
}

/* RC4 or no cipher, then the MAC (RFC 5246 §6.2.3.1). */
static int open_stream(const struct tls_decrypt *d, struct dec_dir *k, uint8_t type, uint16_t version,
		       const uint8_t *body, size_t len, uint8_t *out, struct tls_plain *pt, struct tls_dec_status *st)
{
	int n = 0;
	if (len < d->mac_len)
		return status(st, TLS_DEC_BAD_RECORD, "shorter than the MAC");
	if (!d->evp)
		memcpy(out, body, len);
	else if (len && (!EVP_DecryptUpdate(k->ctx, out, &n, body, (int)len) || (size_t)n != len))
		return status(st, TLS_DEC_ERROR, "libcrypto refused the stream decryption");
	size_t c = len - d->mac_len;
	pt->type = type;
	pt->len = (uint32_t)c;
	return mac_result(k, mac_check(d, k, type, version, out, c, out + c), st);
}

int tls_decrypt_record(struct tls_decrypt *d, int dir, uint8_t type, uint16_t version, const uint8_t *body,
		       size_t len, unsigned flags, uint8_t *out, size_t cap, struct tls_plain *pt,
		       struct tls_dec_status *st)
{
	memset(pt, 0, sizeof(*pt));
	if (!d || dir < 0 || dir > 1 || !d->dir[dir].on)
		return status(st, TLS_DEC_NO_KEY, "no keys are on for this direction");
	struct dec_dir *k = &d->dir[dir];
	bool tls13 = d->p.version == TLS13;
	if (cap < len)
		return status(st, TLS_DEC_ERROR, "the output buffer is shorter than the record");
	if (tls13 && type != 23)
		return status(st, TLS_DEC_BAD_RECORD, "TLS 1.3 ciphertext is always of type application_data");
	if ((flags & TLS_DEC_TRIAL) && d->p.suite->cipher == TLS_CIPHER_RC4_128)
		return status(st, TLS_DEC_ERROR, "RC4 cannot be tried: its key stream would move on");
	uint8_t iv[MAX_IV];
	memcpy(iv, k->iv, sizeof(iv));
	pt->seq = k->seq;
	int code;
	if (len > (tls13 ? TLS_DEC_MAX_RECORD_13 : TLS_DEC_MAX_RECORD_12))
		code = status(st, TLS_DEC_BAD_RECORD, "longer than the protocol allows");
	else if (tls13)
		code = open_tls13(d, k, type, version, body, len, out, pt, st);
	else if (d->aead)
		code = open_aead12(d, k, type, version, body, len, out, pt, st);
	else if (d->block_len)
		code = open_cbc(d, k, type, version, body, len, out, pt, st);
	else
		code = open_stream(d, k, type, version, body, len, out, pt, st);
	if (code == TLS_DEC_OK) {
		k->decrypted++;
		k->seq++;
	} else if (code == TLS_DEC_ERROR) {
		memcpy(k->iv, iv, sizeof(iv));
	} else if (flags & TLS_DEC_TRIAL) {
		memcpy(k->iv, iv, sizeof(iv));    /* as if the record had not been seen */
	} else {
		k->failed++;
		k->seq++;              /* the sender used up this number all the same */
	}
	OPENSSL_cleanse(iv, sizeof(iv));
	if (code != TLS_DEC_OK)
		pt->len = 0;
	return code;
}
