/* keylog_secret.h - the one way to the bytes of a key log secret: for the decryptor (and its tests) only. */
#ifndef TLSDIAG_KEYLOG_SECRET_H
#define TLSDIAG_KEYLOG_SECRET_H

#include <stdbool.h>
#include <stdint.h>

#include "keylog.h"

/* A copy of one secret. Whoever holds one wipes it (OPENSSL_cleanse) when
 * done with it, and never prints bytes. */
struct keylog_secret {
	uint8_t len;
	uint8_t bytes[KEYLOG_SECRET_MAX];
	const char *source;         /* owned by the key log */
	unsigned long line;
};

/* Copies the secret of label into *out; false (and *out zeroed) if absent. */
bool keylog_secret_get(const struct keylog *kl, const struct keylog_entry *e, int label,
		       struct keylog_secret *out);

#endif
