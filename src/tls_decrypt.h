/* tls_decrypt.h - TLS 1.0-1.3 record decryption with key log secrets (libcrypto EVP only). */
#ifndef TLSDIAG_TLS_DECRYPT_H
#define TLSDIAG_TLS_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keylog.h"
#include "tls_suite.h"

/*
 * One decryptor per connection, made once its ServerHello is parsed, from
 * the hello facts and the key log entry of its ClientHello random:
 *
 *   struct tls_decrypt_params p = { .version = negotiated_version,
 *           .suite = tls_suite_find(suite_id), .cipher = tls_cipher_info(suite->cipher),
 *           .encrypt_then_mac = both hellos carried encrypt_then_mac };
 *   memcpy(p.client_random, ...); memcpy(p.server_random, ...);
 *   e = keylog_find(kl, p.client_random);          NULL: no secrets (keylog-no-match)
 *   d = tls_decrypt_new(&p, kl, e, &st);           NULL: st says why (unsupported suite)
 *
 * Keys are switched on per direction (dir: 0 client, 1 server, as enum side)
 * where the protocol switches them:
 *   TLS 1.3  TLS_KEYS_EARLY      client, after a ClientHello offering early_data
 *            TLS_KEYS_HANDSHAKE  each side, after the ServerHello (client: after
 *                                EndOfEarlyData when 0-RTT data was accepted)
 *            TLS_KEYS_TRAFFIC    server after its Finished, client after its Finished
 *            tls_decrypt_key_update() for the sender of a KeyUpdate, after that record
 *   TLS 1.2  TLS_KEYS_TRAFFIC    each side at its ChangeCipherSpec (its Finished is
 *   and older                    the first record under the new keys)
 * A missing secret is TLS_DEC_NO_KEY for that direction and epoch only: a
 * partial key log decrypts whatever it has keys for.
 *
 * Then each protected record (TLS 1.3: every application_data record after
 * the keys are on; CCS records stay in the clear) is decrypted into a
 * buffer of the caller's, at least as long as the record:
 *   code = tls_decrypt_record(d, dir, type, version, body, len, 0, buf, sizeof(buf), &pt, &st);
 * pt says the content type (TLS 1.3: the inner one) and the plaintext
 * length. A failure is a code with a short reason, never a crash: the first
 * record under a key that does not authenticate is TLS_DEC_WRONG_KEY (the
 * key log does not belong to this connection: keylog-mismatch), a later one
 * TLS_DEC_AUTH_FAILED (corruption or lost bytes); TLS_DEC_UNSUPPORTED names
 * what tlsdiag does not decrypt. Secrets and keys never leave this module
 * and are wiped when the decryptor is freed.
 */

enum tls_dec_code {
	TLS_DEC_OK = 0,
	TLS_DEC_WRONG_KEY,     /* the first record under this key does not authenticate */
	TLS_DEC_AUTH_FAILED,   /* a record after good ones does not authenticate */
	TLS_DEC_BAD_RECORD,    /* too short or long for the cipher, not TLS 1.3 ciphertext, no content type */
	TLS_DEC_NO_KEY,        /* no secret for this direction and epoch, or its keys are not on */
	TLS_DEC_BAD_KEY,       /* the secret does not fit the suite (length) */
	TLS_DEC_UNSUPPORTED,   /* a version, suite or cipher tlsdiag does not decrypt */
	TLS_DEC_ERROR          /* libcrypto failed, or the output buffer is too small */
};

/* "ok", "wrong-key", "auth-failed", "bad-record", "no-key", "bad-key", "unsupported", "error". */
const char *tls_dec_code_name(int code);

struct tls_dec_status {
	int code;              /* enum tls_dec_code */
	const char *reason;    /* a static phrase, e.g. "the tag does not verify"; NULL when OK */
};

enum tls_dec_keys { TLS_KEYS_EARLY = 0, TLS_KEYS_HANDSHAKE, TLS_KEYS_TRAFFIC };

struct tls_decrypt_params {
	uint16_t version;                       /* negotiated: 0x0301 .. 0x0304 */
	const struct tls_suite *suite;          /* the ServerHello's suite */
	const struct tls_cipher_info *cipher;   /* tls_cipher_info(suite->cipher) */
	uint8_t client_random[32];
	uint8_t server_random[32];
	bool encrypt_then_mac;                  /* RFC 7366, both hellos (used for CBC suites only) */
};

/* Records longer than these are not TLS (RFC 8446 §5.2, RFC 5246 §6.2.3). */
#define TLS_DEC_MAX_RECORD_13  (16384u + 256u)
#define TLS_DEC_MAX_RECORD_12  (16384u + 2048u)

struct tls_decrypt;

/* NULL (and *st filled) when the version or suite cannot be decrypted.
 * keys may be NULL: every direction is then TLS_DEC_NO_KEY. kl and keys
 * must outlive the decryptor. */
struct tls_decrypt *tls_decrypt_new(const struct tls_decrypt_params *p, const struct keylog *kl,
				    const struct keylog_entry *keys, struct tls_dec_status *st);
void tls_decrypt_free(struct tls_decrypt *d);

/* Switches dir to the keys of an epoch (enum tls_dec_keys), sequence number 0. */
int tls_decrypt_use(struct tls_decrypt *d, int dir, int keys, struct tls_dec_status *st);

/* The sequence number of dir's next record: records of the epoch that went
 * by unopened (0-RTT data before the ServerHello named the suite) still
 * count (RFC 8446 §5.3). No-op for TLS <= 1.2 CBC and RC4, whose state
 * chains from record to record. */
void tls_decrypt_set_seq(struct tls_decrypt *d, int dir, uint64_t seq);

/* TLS 1.3 KeyUpdate (RFC 8446 §7.2): dir's next application traffic secret. */
int tls_decrypt_key_update(struct tls_decrypt *d, int dir, struct tls_dec_status *st);

/* Trial decryption: a record that fails leaves the direction as it was (its
 * sequence number is not used up), e.g. to tell 0-RTT data the server
 * skipped from the client's handshake records. Not possible for RC4. */
#define TLS_DEC_TRIAL 1u

struct tls_plain {
	uint8_t type;          /* content type: the record's, for TLS 1.3 the inner one */
	uint32_t len;          /* plaintext bytes at the start of out */
	uint64_t seq;          /* the record's sequence number under its key */
};

int tls_decrypt_record(struct tls_decrypt *d, int dir, uint8_t type, uint16_t version, const uint8_t *body,
		       size_t len, unsigned flags, uint8_t *out, size_t cap, struct tls_plain *pt,
		       struct tls_dec_status *st);

/* What a direction decrypts with, for the report ("decrypted with keys.log line 12"). */
struct tls_dec_info {
	bool on;               /* keys switched on */
	int keys;              /* enum tls_dec_keys */
	int label;             /* enum keylog_label of the secret */
	const char *source;    /* where the secret was read */
	unsigned long line;
	unsigned updates;      /* KeyUpdates followed */
	uint64_t seq;          /* the next record's sequence number */
	uint64_t decrypted;    /* records that authenticated under the current key */
	uint64_t failed;       /* ... and that did not */
};
void tls_decrypt_info(const struct tls_decrypt *d, int dir, struct tls_dec_info *out);

/* The key schedules' building blocks (pure functions of public inputs and
 * a secret; exposed for the unit tests against RFC 8448 and openssl):
 * HKDF-Expand-Label(secret, label, "", n) with the hash of prf (enum
 * tls_prf), RFC 8446 §7.1 ... */
bool tls13_expand_label(int prf, const uint8_t *secret, size_t slen, const char *label, uint8_t *out, size_t n);
/* ... and the key block of RFC 5246 §6.3 (TLS 1.0/1.1: the MD5+SHA-1 PRF of RFC 2246 §5). */
bool tls_key_block(uint16_t version, int prf, const uint8_t *master, size_t mlen, const uint8_t client_random[32],
		   const uint8_t server_random[32], uint8_t *out, size_t n);

/* Frees the EVP objects fetched once for all connections (at exit, for leak checkers). */
void tls_decrypt_cleanup(void);

#endif
