/* keylog_line.c - one line of an NSS key log: its fields, their checks and warnings, into the store (keylog.c). */
#include "keylog_int.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>

/* Labels of the format that decrypt nothing tlsdiag sees: RSA (keyed by the
 * encrypted premaster, not the random), Wireshark's PMS_CLIENT_RANDOM, and
 * the ECH secrets (RFC 9850 §3). Each is noted once per source. */
static const char *const unused_labels[] = { "RSA", "PMS_CLIENT_RANDOM", "ECH_SECRET", "ECH_CONFIG" };
#define N_UNUSED (sizeof(unused_labels) / sizeof(unused_labels[0]))

/* label_of() results besides enum keylog_label */
#define LBL_NONE     (-1)
#define LBL_UNUSED   100      /* + index in unused_labels */
#define LBL_DERIVED  200      /* *_TRAFFIC_SECRET_N after a KeyUpdate: the decryptor derives it */

enum prefix_kind { PFX_SYSLOG, PFX_TIMESTAMP, PFX_ADDRESS, PFX_OTHER, PFX_KINDS };

#define MAX_TOKENS 12

struct tok {
	const char *p;
	size_t n;
};

/* Two hex digits to a byte, 0x100 if either is not one, with 0x200 if
 * either is upper case (to name that shape once): one lookup per byte. */
static const uint16_t *hex_pairs(void)
{
	static uint16_t t[65536];
	static bool ready;
	if (!ready) {
		int8_t v[256];
		memset(v, -1, sizeof(v));
		for (int i = 0; i < 10; i++)
			v['0' + i] = (int8_t)i;
		for (int i = 0; i < 6; i++)
			v['a' + i] = v['A' + i] = (int8_t)(10 + i);
		for (int i = 0; i < 65536; i++)
			t[i] = (v[i >> 8] | v[i & 255]) < 0 ? 0x100 : (uint16_t)(v[i >> 8] << 4 | v[i & 255]);
		for (int i = 0; i < 65536; i++)
			if (((i >> 8) >= 'A' && (i >> 8) <= 'F') || ((i & 255) >= 'A' && (i & 255) <= 'F'))
				t[i] |= 0x200;
		ready = true;
	}
	return t;
}

/* *shape gains 0x200 when the digits are upper case. */
static bool unhex(const struct tok *t, uint8_t *out, unsigned *shape)
{
	const uint16_t *h = hex_pairs();
	const uint8_t *p = (const uint8_t *)t->p;
	unsigned bad = 0;
	for (size_t i = 0; i < t->n / 2; i++) {
		uint16_t v = h[p[2 * i] << 8 | p[2 * i + 1]];
		bad |= v;
		out[i] = (uint8_t)v;
	}
	*shape |= bad & 0x200;
	return !(bad & 0x100);
}

static bool tok_is(const struct tok *t, const char *s, size_t n)
{
	return t->n == n && memcmp(t->p, s, n) == 0;
}

/* Which label a token is: an enum keylog_label, LBL_UNUSED + i, LBL_DERIVED, or LBL_NONE. */
static int label_of(const struct tok *t)
{
	static size_t len[KEYLOG_LABELS];
	if (!len[0])
		for (int i = 0; i < KEYLOG_LABELS; i++)
			len[i] = strlen(kl_label_names[i]);
	if (t->n < 3 || t->p[0] < 'A' || t->p[0] > 'Z')
		return LBL_NONE;
	for (int i = 0; i < KEYLOG_LABELS; i++)
		if (tok_is(t, kl_label_names[i], len[i]))
			return i;
	for (unsigned i = 0; i < N_UNUSED; i++)
		if (tok_is(t, unused_labels[i], strlen(unused_labels[i])))
			return LBL_UNUSED + (int)i;
	/* OpenSSL writes CLIENT_TRAFFIC_SECRET_N after a KeyUpdate, others _1, _2 ... */
	static const char *const gen[] = { "CLIENT_TRAFFIC_SECRET_", "SERVER_TRAFFIC_SECRET_" };
	for (int i = 0; i < 2; i++) {
		size_t n = strlen(gen[i]);
		if (t->n > n && memcmp(t->p, gen[i], n) == 0)
			return LBL_DERIVED;
	}
	return LBL_NONE;
}

/* Looks like a label someone meant (upper case, digits, '_'), so it can be
 * named in a warning without risk of quoting secret hex. */
static bool label_like(const struct tok *t)
{
	bool letter = false;
	if (t->n < 2 || t->n > 40)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		char c = t->p[i];
		if (c >= 'G' && c <= 'Z')
			letter = true;
		else if (!((c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return letter;
}

/* What the fields before the label look like, to name the format once. */
static enum prefix_kind prefix_kind(const struct tok *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tok first = *t;
	if (first.n && first.p[0] == '[')
		first.p++, first.n--;
	for (int m = 0; m < 12; m++)
		if (first.n == 3 && memcmp(first.p, months + 3 * m, 3) == 0)
			return PFX_SYSLOG;
	if (!first.n || first.p[0] < '0' || first.p[0] > '9')
		return PFX_OTHER;
	unsigned dots = 0, colons = 0, hexletters = 0;
	for (size_t i = 0; i < first.n; i++) {
		char c = first.p[i];
		dots += c == '.';
		colons += c == ':';
		hexletters += (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}
	if (dots == 3 || (colons >= 2 && (hexletters || memmem(first.p, first.n, "::", 2))))
		return PFX_ADDRESS;
	return PFX_TIMESTAMP;
}

static void note_prefix(struct keylog *kl, struct kl_source *s, const struct tok *first)
{
	static const char *const what[PFX_KINDS] = {
		[PFX_SYSLOG] = "a syslog prefix (date, host, program), as proxies that log key lines write",
		[PFX_TIMESTAMP] = "a timestamp, as some LD_PRELOAD key loggers write",
		[PFX_ADDRESS] = "address fields",
		[PFX_OTHER] = "other fields",
	};
	enum prefix_kind k = prefix_kind(first);
	if (s->noted & (1u << k))
		return;
	s->noted |= 1u << k;
	kl_note(kl, s, s->lineno, "lines start with %s before the label: those fields are ignored", what[k]);
}

static void note_unused(struct keylog *kl, struct kl_source *s, int which)
{
	kl->st.unused++;
	if (which == LBL_DERIVED || (s->noted & (1u << (PFX_KINDS + which))))
		return;
	s->noted |= 1u << (PFX_KINDS + which);
	kl_note(kl, s, s->lineno, "%s lines are not used: tlsdiag decrypts with CLIENT_RANDOM and the TLS 1.3 secrets",
	     unused_labels[which]);
}

/* Byte classes for the tokenizer: a byte of a field, a blank, or one no key log has. */
enum { C_FIELD = 0, C_BLANK, C_BAD };

static const uint8_t *byte_classes(void)
{
	static uint8_t c[256];
	static bool ready;
	if (!ready) {
		for (int i = 0; i < 256; i++)
			c[i] = i < 0x20 || i >= 0x7f ? C_BAD : C_FIELD;
		c[' '] = c['\t'] = C_BLANK;
		ready = true;
	}
	return c;
}

/* Splits on blanks; more than MAX_TOKENS tokens give MAX_TOKENS + 1.
 * false: a byte no key log has (binary data). */
static bool tokenize(const char *p, size_t n, struct tok *t, int *nt)
{
	const uint8_t *cls = byte_classes();
	int k = 0;
	size_t i = 0;
	while (i < n) {
		uint8_t c = cls[(uint8_t)p[i]];
		if (c == C_BLANK) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && (c = cls[(uint8_t)p[j]]) == C_FIELD)
			j++;
		if (c == C_BAD && j < n)
			return false;
		if (k < MAX_TOKENS)
			t[k] = (struct tok){ p + i, j - i };
		k++;
		i = j;
	}
	*nt = k > MAX_TOKENS ? MAX_TOKENS + 1 : k;
	return true;
}

/* A secret to keep, read from digits of this shape (upper case is named once). */
static void store_shaped(struct keylog *kl, struct kl_source *s, int label, const uint8_t *random,
			 const uint8_t *secret, size_t len, unsigned shape)
{
	if ((shape & 0x200) && !s->noted_upper) {
		s->noted_upper = true;
		kl_note(kl, s, s->lineno, "hex digits in upper case (as some key log writers print them): accepted");
	}
	kl_store(kl, s, label, random, secret, len);
}

/* "<label> <random> <secret>" from token k on: checks and stores. */
static void parse_fields(struct keylog *kl, struct kl_source *s, const struct tok *t, int nt, int k, int label)
{
	int nl = (int)t[k].n;          /* a known label: safe to quote */
	const char *name = t[k].p;
	if (nt < k + 3) {
		kl_malformed(kl, s, "%.*s line without %s", nl, name, nt == k + 1 ? "client random and secret" : "a secret");
		return;
	}
	if (nt > k + 3) {
		kl_malformed(kl, s, "%.*s line with more fields after the secret", nl, name);
		return;
	}
	if (label >= LBL_UNUSED) {
		note_unused(kl, s, label >= LBL_DERIVED ? LBL_DERIVED : label - LBL_UNUSED);
		return;
	}
	uint8_t random[KEYLOG_RANDOM_LEN], secret[KEYLOG_SECRET_MAX];
	const struct tok *r = &t[k + 1], *x = &t[k + 2];
	unsigned shape = 0;
	if (r->n != 2 * KEYLOG_RANDOM_LEN || !unhex(r, random, &shape)) {
		kl_malformed(kl, s, r->n != 2 * KEYLOG_RANDOM_LEN ? "the client random is %zu characters, not 64 hex digits"
							       : "the client random is not hex (%zu characters)", r->n);
		return;
	}
	size_t len = x->n / 2;
	bool tls12 = label == KEYLOG_CLIENT_RANDOM;
	if (x->n % 2 || (len <= KEYLOG_SECRET_MAX && !unhex(x, secret, &shape)))
		kl_malformed(kl, s, "the %.*s secret is not hex", nl, name);
	else if (tls12 ? len != 48 : len != 32 && len != 48)
		kl_malformed(kl, s, tls12 ? "the %.*s secret is %zu bytes, expected 48 (the master secret)"
				       : "the %.*s secret is %zu bytes, expected 32 or 48 (the hash length of the suite)",
			  nl, name, len);
	else
		store_shaped(kl, s, label, random, secret, len, shape);
	OPENSSL_cleanse(secret, sizeof(secret));
}

/* The common case, "<label> <64 hex digits> <hex>" with single spaces,
 * without tokenizing; anything else is left to the full parse, which also
 * words the warnings. */
static bool parse_fast(struct keylog *kl, struct kl_source *s, const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n < 40 ? n : 40);
	if (!sp)
		return false;
	struct tok lt = { p, (size_t)(sp - p) };
	int label = label_of(&lt);
	size_t rest = n - lt.n - 1;
	if (label < 0 || label >= KEYLOG_LABELS || rest < 2 * KEYLOG_RANDOM_LEN + 2 || sp[1 + 64] != ' ')
		return false;
	struct tok rt = { sp + 1, 64 }, xt = { sp + 66, rest - 65 };
	size_t len = xt.n / 2;
	if (xt.n % 2 || (label == KEYLOG_CLIENT_RANDOM ? len != 48 : len != 32 && len != 48))
		return false;
	uint8_t random[KEYLOG_RANDOM_LEN], secret[KEYLOG_SECRET_MAX];
	unsigned shape = 0;
	bool ok = unhex(&rt, random, &shape) && unhex(&xt, secret, &shape);
	if (ok)
		store_shaped(kl, s, label, random, secret, len, shape);
	OPENSSL_cleanse(secret, sizeof(secret));
	return ok;
}

void kl_parse_line(struct keylog *kl, struct kl_source *s, const char *p, size_t n)
{
	kl->st.lines++;
	if (n && p[n - 1] == '\r' && !s->noted_crlf) {
		s->noted_crlf = true;
		kl_note(kl, s, s->lineno, "lines end with CRLF (a file written on Windows): accepted");
	}
	while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	if (!n || *p == '#' || parse_fast(kl, s, p, n))
		return;
	struct tok t[MAX_TOKENS];
	int nt;
	if (!tokenize(p, n, t, &nt)) {
		kl_malformed(kl, s, "binary data, not a key log line");
		return;
	}
	if (nt > MAX_TOKENS) {
		kl_malformed(kl, s, "not a key log line (more than %d fields)", MAX_TOKENS);
		return;
	}
	int label = LBL_NONE, k = 0;
	for (; k < nt && (label = label_of(&t[k])) == LBL_NONE; k++)
		;
	if (label == LBL_NONE) {
		if (nt == 3 && label_like(&t[0]))
			kl_malformed(kl, s, "unknown label %.*s", (int)t[0].n, t[0].p);
		else
			kl_malformed(kl, s, "not a key log line (expected: LABEL CLIENT_RANDOM SECRET)");
		return;
	}
	if (k > 0)
		note_prefix(kl, s, &t[0]);
	parse_fields(kl, s, t, nt, k, label);
}
