/* keylog.c - NSS key log parsing, storage by ClientHello random, live re-reads and export (see keylog.h). */
#include "keylog.h"
#include "keylog_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mem.h"

static const char *const label_names[KEYLOG_LABELS] = {
	[KEYLOG_CLIENT_RANDOM] = "CLIENT_RANDOM",
	[KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
	[KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	[KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	[KEYLOG_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
	[KEYLOG_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
	[KEYLOG_EXPORTER_SECRET] = "EXPORTER_SECRET",
	[KEYLOG_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
};

/* Labels of the format that decrypt nothing tlsdiag sees: RSA (keyed by the
 * encrypted premaster, not the random), Wireshark's PMS_CLIENT_RANDOM, and
 * the ECH secrets (RFC 9850 §3). Each is noted once per source. */
static const char *const unused_labels[] = { "RSA", "PMS_CLIENT_RANDOM", "ECH_SECRET", "ECH_CONFIG" };
#define N_UNUSED (sizeof(unused_labels) / sizeof(unused_labels[0]))

/* label_of() results besides enum keylog_label */
#define LBL_NONE     (-1)
#define LBL_UNUSED   100      /* + index in unused_labels */
#define LBL_DERIVED  200      /* *_TRAFFIC_SECRET_N after a KeyUpdate: the decryptor derives it */

/* ---- chunked arrays: stable addresses, 32-bit indices ---- */

#define POOL_SHIFT 10
#define POOL_CHUNK (1u << POOL_SHIFT)

struct pool {
	uint8_t **chunk;
	uint32_t nchunks, cap;
	uint32_t n;          /* elements in use */
	size_t size;         /* bytes per element */
};

static void *pool_at(const struct pool *p, uint32_t i)
{
	return p->chunk[i >> POOL_SHIFT] + (size_t)(i & (POOL_CHUNK - 1)) * p->size;
}

static uint32_t pool_add(struct pool *p)
{
	if (p->n == p->nchunks * POOL_CHUNK) {
		if (p->nchunks == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 16;
			p->chunk = mem_realloc(p->chunk, p->cap * sizeof(*p->chunk));
		}
		p->chunk[p->nchunks++] = mem_alloc(POOL_CHUNK * p->size);
	}
	return p->n++;
}

static void pool_free(struct pool *p)
{
	for (uint32_t k = 0; k < p->nchunks; k++) {
		OPENSSL_cleanse(p->chunk[k], POOL_CHUNK * p->size);
		mem_free(p->chunk[k]);
	}
	mem_free(p->chunk);
	memset(p, 0, sizeof(*p));
}

/* ---- the store ---- */

struct kl_secret {
	uint8_t bytes[KEYLOG_SECRET_MAX];
	uint32_t next;        /* 1 + index of the entry's next secret, 0: none */
	uint32_t line;
	uint16_t source;
	uint8_t label;
	uint8_t len;
};

struct keylog_entry {
	uint8_t random[KEYLOG_RANDOM_LEN];
	uint32_t first;       /* 1 + index of its first secret */
	uint16_t labels;      /* bit per label present */
};

/* A slot keeps 32 bits of the hash: most probes and every rehash never
 * touch the entry (a cache miss each). */
struct kl_slot {
	uint32_t entry;       /* 1 + entry index, 0: empty */
	uint32_t hash;
};

enum prefix_kind { PFX_SYSLOG, PFX_TIMESTAMP, PFX_ADDRESS, PFX_OTHER, PFX_KINDS };

struct kl_source {
	char *name;
	uint16_t index;           /* in keylog.src */
	bool follow;
	off_t offset;             /* bytes of the file read so far */
	dev_t dev;
	ino_t ino;
	unsigned long lineno;     /* lines completed */
	char carry[LIM_KEYLOG_LINE];  /* a line still without its newline */
	size_t ncarry;
	bool overlong;            /* inside a line longer than LIM_KEYLOG_LINE */
	unsigned noted;           /* bits: prefix kinds, then unused labels, each warned once */
	bool noted_crlf, noted_upper;   /* shapes accepted, each warned once */
	unsigned long shown;      /* malformed lines warned one by one */
	unsigned long suppressed; /* ... and not, since the last summary */
};

struct keylog {
	keylog_warn_fn *warn;
	void *arg;
	struct pool entries, secrets;
	struct kl_slot *slots;    /* open addressing, linear probing */
	uint32_t nslots;
	uint64_t seed;
	struct kl_source *src[LIM_KEYLOG_SOURCES];
	unsigned nsrc;
	struct keylog_stats st;
	unsigned long max_secrets;
	bool cap_noted;
	int64_t polled_ns;        /* CLOCK_MONOTONIC of the last keylog_poll that read */
};

const char *keylog_label_name(int label)
{
	return label >= 0 && label < KEYLOG_LABELS ? label_names[label] : NULL;
}

struct keylog *keylog_new(keylog_warn_fn *warn, void *arg)
{
	struct keylog *kl = mem_alloc(sizeof(*kl));
	kl->warn = warn;
	kl->arg = arg;
	kl->entries.size = sizeof(struct keylog_entry);
	kl->secrets.size = sizeof(struct kl_secret);
	kl->max_secrets = LIM_KEYLOG_SECRETS;
	/* a seeded hash: a key log crafted to collide cannot make loading quadratic */
	if (RAND_bytes((unsigned char *)&kl->seed, sizeof(kl->seed)) != 1)
		kl->seed = (uint64_t)(uintptr_t)kl ^ 0x5bd1e9955bd1e995ull;
	return kl;
}

void keylog_set_max_secrets(struct keylog *kl, unsigned long n)
{
	kl->max_secrets = n < LIM_KEYLOG_SECRETS ? n : LIM_KEYLOG_SECRETS;
}

void keylog_free(struct keylog *kl)
{
	if (!kl)
		return;
	pool_free(&kl->secrets);
	pool_free(&kl->entries);
	mem_free(kl->slots);
	for (unsigned i = 0; i < kl->nsrc; i++) {
		OPENSSL_cleanse(kl->src[i]->carry, sizeof(kl->src[i]->carry));
		mem_free(kl->src[i]->name);
		mem_free(kl->src[i]);
	}
	mem_free(kl);
}

__attribute__((format(printf, 4, 0)))
static void vnote(struct keylog *kl, const struct kl_source *s, unsigned long line, const char *fmt, va_list ap)
{
	char msg[256];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (kl->warn) {
		struct keylog_warning w = { s->name, line, msg };
		kl->warn(kl->arg, &w);
	}
}

__attribute__((format(printf, 4, 5)))
static void note(struct keylog *kl, const struct kl_source *s, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(kl, s, line, fmt, ap);
	va_end(ap);
}

/* A line that is skipped: warned about until the source has had its share. */
__attribute__((format(printf, 3, 4)))
static void malformed(struct keylog *kl, struct kl_source *s, const char *fmt, ...)
{
	kl->st.malformed++;
	if (s->shown >= LIM_KEYLOG_WARNINGS) {
		s->suppressed++;
		return;
	}
	s->shown++;
	va_list ap;
	va_start(ap, fmt);
	vnote(kl, s, s->lineno, fmt, ap);
	va_end(ap);
}

static void summarize(struct keylog *kl, struct kl_source *s)
{
	if (!s->suppressed)
		return;
	note(kl, s, 0, "%lu more malformed lines were skipped without a warning each", s->suppressed);
	s->suppressed = 0;
}

/* ---- the hash table ---- */

static uint64_t hash_random(const struct keylog *kl, const uint8_t *r)
{
	uint64_t h = kl->seed;
	for (int i = 0; i < KEYLOG_RANDOM_LEN; i += 8) {
		uint64_t w;
		memcpy(&w, r + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

/* The slot holding this random, or the empty one where it would go. */
static struct kl_slot *slot_of(const struct keylog *kl, const uint8_t *r, uint32_t h)
{
	uint32_t mask = kl->nslots - 1;
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		struct kl_slot *s = &kl->slots[i];
		if (!s->entry)
			return s;
		if (s->hash != h)
			continue;
		const struct keylog_entry *e = pool_at(&kl->entries, s->entry - 1);
		if (memcmp(e->random, r, KEYLOG_RANDOM_LEN) == 0)
			return s;
	}
}

/* Keeps the table at most 3/4 full, so a probe ends quickly. */
static void grow_table(struct keylog *kl)
{
	if ((uint64_t)(kl->entries.n + 1) * 4 <= (uint64_t)kl->nslots * 3)
		return;
	struct kl_slot *old = kl->slots;
	uint32_t nold = kl->nslots;
	kl->nslots = nold ? nold * 2 : 1024;
	kl->slots = mem_alloc(kl->nslots * sizeof(*kl->slots));
	uint32_t mask = kl->nslots - 1;
	for (uint32_t i = 0; i < nold; i++) {
		if (!old[i].entry)
			continue;
		uint32_t k = old[i].hash & mask;
		while (kl->slots[k].entry)
			k = (k + 1) & mask;
		kl->slots[k] = old[i];
	}
	mem_free(old);
}

static struct keylog_entry *find(const struct keylog *kl, const uint8_t *random, uint32_t h)
{
	if (!kl || !kl->nslots)
		return NULL;
	struct kl_slot *s = slot_of(kl, random, h);
	return s->entry ? pool_at(&kl->entries, s->entry - 1) : NULL;
}

const struct keylog_entry *keylog_find(const struct keylog *kl, const uint8_t random[KEYLOG_RANDOM_LEN])
{
	return kl ? find(kl, random, (uint32_t)hash_random(kl, random)) : NULL;
}

unsigned keylog_entry_labels(const struct keylog_entry *e)
{
	return e ? e->labels : 0;
}

static const struct kl_secret *secret_of(const struct keylog *kl, const struct keylog_entry *e, int label)
{
	for (uint32_t i = e ? e->first : 0; i;) {
		const struct kl_secret *s = pool_at(&kl->secrets, i - 1);
		if (s->label == label)
			return s;
		i = s->next;
	}
	return NULL;
}

bool keylog_entry_source(const struct keylog *kl, const struct keylog_entry *e, int label,
			 const char **source, unsigned long *line)
{
	const struct kl_secret *s = secret_of(kl, e, label);
	if (!s)
		return false;
	*source = kl->src[s->source]->name;
	*line = s->line;
	return true;
}

bool keylog_secret_get(const struct keylog *kl, const struct keylog_entry *e, int label,
		       struct keylog_secret *out)
{
	const struct kl_secret *s = secret_of(kl, e, label);
	memset(out, 0, sizeof(*out));
	if (!s)
		return false;
	out->len = s->len;
	memcpy(out->bytes, s->bytes, s->len);
	out->source = kl->src[s->source]->name;
	out->line = s->line;
	return true;
}

size_t keylog_footprint(const struct keylog *kl)
{
	if (!kl)
		return 0;
	size_t n = sizeof(*kl) + (size_t)kl->nslots * sizeof(*kl->slots);
	n += ((size_t)kl->entries.nchunks * kl->entries.size + (size_t)kl->secrets.nchunks * kl->secrets.size) *
	     POOL_CHUNK;
	n += ((size_t)kl->entries.cap + kl->secrets.cap) * sizeof(uint8_t *);
	return n + (size_t)kl->nsrc * sizeof(struct kl_source);
}

void keylog_stats(const struct keylog *kl, struct keylog_stats *st)
{
	*st = kl->st;
}

/* Keeps one secret: the first of a random and label wins; the same one
 * again is a duplicate, a different one a conflict worth a warning. */
static void store(struct keylog *kl, struct kl_source *s, int label, const uint8_t *random,
		  const uint8_t *secret, size_t len)
{
	uint32_t h = (uint32_t)hash_random(kl, random);
	struct keylog_entry *e = find(kl, random, h);
	const struct kl_secret *old = secret_of(kl, e, label);
	if (old) {
		if (old->len == len && CRYPTO_memcmp(old->bytes, secret, len) == 0)
			kl->st.duplicates++;
		else
			malformed(kl, s, "another %s for the same client random (first at %s line %lu): the first is kept",
				  label_names[label], kl->src[old->source]->name, (unsigned long)old->line);
		return;
	}
	if (kl->secrets.n >= kl->max_secrets) {
		if (!kl->cap_noted)
			note(kl, s, s->lineno, "the key log holds %lu secrets, as many as tlsdiag keeps: "
			     "this line and all further ones are ignored", kl->max_secrets);
		kl->cap_noted = true;
		kl->st.dropped++;
		return;
	}
	if (!e) {
		grow_table(kl);
		uint32_t ei = pool_add(&kl->entries);
		e = pool_at(&kl->entries, ei);
		memcpy(e->random, random, KEYLOG_RANDOM_LEN);
		*slot_of(kl, random, h) = (struct kl_slot){ ei + 1, h };
		kl->st.randoms++;
	}
	uint32_t si = pool_add(&kl->secrets);
	struct kl_secret *n = pool_at(&kl->secrets, si);
	memcpy(n->bytes, secret, len);
	n->len = (uint8_t)len;
	n->label = (uint8_t)label;
	n->line = (uint32_t)s->lineno;
	n->source = s->index;
	n->next = e->first;
	e->first = si + 1;
	e->labels |= (uint16_t)(1u << label);
	kl->st.secrets++;
}

/* ---- one line ---- */

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
			len[i] = strlen(label_names[i]);
	if (t->n < 3 || t->p[0] < 'A' || t->p[0] > 'Z')
		return LBL_NONE;
	for (int i = 0; i < KEYLOG_LABELS; i++)
		if (tok_is(t, label_names[i], len[i]))
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
	note(kl, s, s->lineno, "lines start with %s before the label: those fields are ignored", what[k]);
}

static void note_unused(struct keylog *kl, struct kl_source *s, int which)
{
	kl->st.unused++;
	if (which == LBL_DERIVED || (s->noted & (1u << (PFX_KINDS + which))))
		return;
	s->noted |= 1u << (PFX_KINDS + which);
	note(kl, s, s->lineno, "%s lines are not used: tlsdiag decrypts with CLIENT_RANDOM and the TLS 1.3 secrets",
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
		note(kl, s, s->lineno, "hex digits in upper case (as some key log writers print them): accepted");
	}
	store(kl, s, label, random, secret, len);
}

/* "<label> <random> <secret>" from token k on: checks and stores. */
static void parse_fields(struct keylog *kl, struct kl_source *s, const struct tok *t, int nt, int k, int label)
{
	int nl = (int)t[k].n;          /* a known label: safe to quote */
	const char *name = t[k].p;
	if (nt < k + 3) {
		malformed(kl, s, "%.*s line without %s", nl, name, nt == k + 1 ? "client random and secret" : "a secret");
		return;
	}
	if (nt > k + 3) {
		malformed(kl, s, "%.*s line with more fields after the secret", nl, name);
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
		malformed(kl, s, r->n != 2 * KEYLOG_RANDOM_LEN ? "the client random is %zu characters, not 64 hex digits"
							       : "the client random is not hex (%zu characters)", r->n);
		return;
	}
	size_t len = x->n / 2;
	bool tls12 = label == KEYLOG_CLIENT_RANDOM;
	if (x->n % 2 || (len <= KEYLOG_SECRET_MAX && !unhex(x, secret, &shape)))
		malformed(kl, s, "the %.*s secret is not hex", nl, name);
	else if (tls12 ? len != 48 : len != 32 && len != 48)
		malformed(kl, s, tls12 ? "the %.*s secret is %zu bytes, expected 48 (the master secret)"
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

static void parse_line(struct keylog *kl, struct kl_source *s, const char *p, size_t n)
{
	kl->st.lines++;
	if (n && p[n - 1] == '\r' && !s->noted_crlf) {
		s->noted_crlf = true;
		note(kl, s, s->lineno, "lines end with CRLF (a file written on Windows): accepted");
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
		malformed(kl, s, "binary data, not a key log line");
		return;
	}
	if (nt > MAX_TOKENS) {
		malformed(kl, s, "not a key log line (more than %d fields)", MAX_TOKENS);
		return;
	}
	int label = LBL_NONE, k = 0;
	for (; k < nt && (label = label_of(&t[k])) == LBL_NONE; k++)
		;
	if (label == LBL_NONE) {
		if (nt == 3 && label_like(&t[0]))
			malformed(kl, s, "unknown label %.*s", (int)t[0].n, t[0].p);
		else
			malformed(kl, s, "not a key log line (expected: LABEL CLIENT_RANDOM SECRET)");
		return;
	}
	if (k > 0)
		note_prefix(kl, s, &t[0]);
	parse_fields(kl, s, t, nt, k, label);
}

/* ---- sources and their bytes ---- */

/* The source of this name (created on first use), or NULL past LIM_KEYLOG_SOURCES. */
static struct kl_source *source_get(struct keylog *kl, const char *name)
{
	for (unsigned i = 0; i < kl->nsrc; i++)
		if (strcmp(kl->src[i]->name, name) == 0)
			return kl->src[i];
	if (kl->nsrc == LIM_KEYLOG_SOURCES)
		return NULL;
	struct kl_source *s = mem_alloc(sizeof(*s));
	s->name = mem_strdup(name);
	s->index = (uint16_t)kl->nsrc;
	kl->src[kl->nsrc++] = s;
	return s;
}

static void end_line(struct keylog *kl, struct kl_source *s, const char *p, size_t n)
{
	s->lineno++;
	if (s->overlong) {
		s->overlong = false;
		kl->st.lines++;
		malformed(kl, s, "line longer than %u bytes: skipped", LIM_KEYLOG_LINE);
		return;
	}
	parse_line(kl, s, p, n);
}

/* Bytes of a source, cut into lines. A line without its newline is kept
 * in carry (it may be completed by the next bytes) unless final. */
static void feed(struct keylog *kl, struct kl_source *s, const char *p, size_t n, bool final)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (!s->overlong && s->ncarry + take > LIM_KEYLOG_LINE) {
			s->overlong = true;
			OPENSSL_cleanse(s->carry, s->ncarry);
			s->ncarry = 0;
		}
		if (!s->overlong && !nl) {
			memcpy(s->carry + s->ncarry, p, take);
			s->ncarry += take;
		} else if (nl && s->ncarry && !s->overlong) {
			memcpy(s->carry + s->ncarry, p, take);
			end_line(kl, s, s->carry, s->ncarry + take);
			OPENSSL_cleanse(s->carry, s->ncarry + take);
			s->ncarry = 0;
		} else if (nl) {
			end_line(kl, s, p, take);
		}
		take += nl != NULL;
		p += take;
		n -= take;
	}
	if (final && (s->ncarry || s->overlong)) {
		end_line(kl, s, s->carry, s->ncarry);
		OPENSSL_cleanse(s->carry, s->ncarry);
		s->ncarry = 0;
	}
}

long keylog_add_text(struct keylog *kl, const char *source, const void *text, size_t len)
{
	struct kl_source *s = source_get(kl, source);
	if (!s)
		return 0;
	unsigned long before = kl->st.secrets;
	feed(kl, s, text, len, true);
	summarize(kl, s);
	return (long)(kl->st.secrets - before);
}

/* Reads fd from s->offset to its end, or max bytes of it. */
static bool read_rest(struct keylog *kl, struct kl_source *s, int fd, size_t max, char *errbuf, size_t errlen)
{
	static char buf[64 * 1024];
	bool ok = true;
	for (size_t done = 0; done < max;) {
		size_t want = max - done < sizeof(buf) ? max - done : sizeof(buf);
		ssize_t r = pread(fd, buf, want, s->offset);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(errbuf, errlen, "cannot read key log %s: %s", s->name, strerror(errno));
			ok = false;
			break;
		}
		if (r == 0)
			break;
		s->offset += r;
		done += (size_t)r;
		feed(kl, s, buf, (size_t)r, false);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!s->follow)
		feed(kl, s, NULL, 0, true);
	summarize(kl, s);
	return ok;
}

/* Opens a source's file; a followed file that shrank or was replaced is
 * read again from its start. */
static int open_source(struct keylog *kl, struct kl_source *s, char *errbuf, size_t errlen)
{
	int fd = open(s->name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(errbuf, errlen, "cannot open key log %s: %s", s->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "cannot read key log %s: it is a directory", s->name);
		close(fd);
		return -1;
	}
	if (s->offset && (st.st_size < s->offset || st.st_ino != s->ino || st.st_dev != s->dev)) {
		note(kl, s, 0, "the key log shrank or was replaced: read again from its start");
		s->offset = 0;
		s->lineno = 0;
		OPENSSL_cleanse(s->carry, s->ncarry);
		s->ncarry = 0;
		s->overlong = false;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return fd;
}

long keylog_load_file(struct keylog *kl, const char *path, bool follow, char *errbuf, size_t errlen)
{
	struct kl_source *s = source_get(kl, path);
	if (!s) {
		snprintf(errbuf, errlen, "cannot read key log %s: more than %u key logs", path, LIM_KEYLOG_SOURCES);
		return -1;
	}
	s->follow = s->follow || follow;
	int fd = open_source(kl, s, errbuf, errlen);
	if (fd < 0)
		return -1;
	unsigned long before = kl->st.secrets;
	bool ok = read_rest(kl, s, fd, SIZE_MAX, errbuf, errlen);
	close(fd);
	return ok ? (long)(kl->st.secrets - before) : -1;
}

static long refresh(struct keylog *kl, size_t max, char *errbuf, size_t errlen)
{
	unsigned long before = kl->st.secrets;
	bool ok = true;
	for (unsigned i = 0; i < kl->nsrc; i++) {
		struct kl_source *s = kl->src[i];
		if (!s->follow)
			continue;
		int fd = open_source(kl, s, errbuf, errlen);
		if (fd < 0) {
			ok = false;
			continue;
		}
		ok = read_rest(kl, s, fd, max, errbuf, errlen) && ok;
		close(fd);
	}
	return ok ? (long)(kl->st.secrets - before) : -1;
}

long keylog_refresh(struct keylog *kl, char *errbuf, size_t errlen)
{
	return refresh(kl, SIZE_MAX, errbuf, errlen);
}

static int64_t monotonic_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

long keylog_poll(struct keylog *kl, unsigned min_interval_ms, char *errbuf, size_t errlen)
{
	bool followed = false;
	for (unsigned i = 0; i < kl->nsrc && !followed; i++)
		followed = kl->src[i]->follow;
	if (!followed)
		return 0;
	int64_t now = monotonic_ns();
	if (kl->polled_ns && now - kl->polled_ns < (int64_t)min_interval_ms * 1000000LL)
		return 0;
	kl->polled_ns = now;
	return refresh(kl, LIM_KEYLOG_POLL_BYTES, errbuf, errlen);
}

unsigned long keylog_secrets(const struct keylog *kl)
{
	return kl ? kl->st.secrets : 0;
}

/* ---- export ---- */

struct pick {
	uint32_t secret;
	uint16_t source;
	uint32_t line;
	uint32_t entry;
};

static int pick_order(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->secret < y->secret ? -1 : x->secret > y->secret;
}

static char *hex_out(char *o, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 15];
	}
	return o;
}

char *keylog_export(const struct keylog *kl, const uint8_t (*randoms)[KEYLOG_RANDOM_LEN], size_t n,
		    size_t *len)
{
	size_t np = 0, cap = 0, bytes = 0;
	struct pick *picks = NULL;
	for (size_t r = 0; r < n; r++) {
		const struct kl_slot *slot = kl->nslots ? slot_of(kl, randoms[r], (uint32_t)hash_random(kl, randoms[r])) : NULL;
		const struct keylog_entry *e = slot && slot->entry ? pool_at(&kl->entries, slot->entry - 1) : NULL;
		for (uint32_t i = e ? e->first : 0; i;) {
			const struct kl_secret *s = pool_at(&kl->secrets, i - 1);
			if (np == cap) {
				cap = cap ? cap * 2 : 16;
				picks = mem_realloc(picks, cap * sizeof(*picks));
			}
			picks[np++] = (struct pick){ i - 1, s->source, s->line, slot->entry - 1 };
			i = s->next;
		}
	}
	if (np)
		qsort(picks, np, sizeof(*picks), pick_order);
	char *text = NULL, *o;
	for (int pass = 0; pass < 2; pass++) {
		o = text;
		for (size_t k = 0; k < np; k++) {
			if (k && picks[k].secret == picks[k - 1].secret)
				continue;         /* the same random asked for twice */
			const struct kl_secret *s = pool_at(&kl->secrets, picks[k].secret);
			const struct keylog_entry *e = pool_at(&kl->entries, picks[k].entry);
			size_t ln = strlen(label_names[s->label]);
			if (!pass) {
				bytes += ln + 2 * KEYLOG_RANDOM_LEN + 2u * s->len + 3;
				continue;
			}
			memcpy(o, label_names[s->label], ln);
			o += ln;
			*o++ = ' ';
			o = hex_out(o, e->random, KEYLOG_RANDOM_LEN);
			*o++ = ' ';
			o = hex_out(o, s->bytes, s->len);
			*o++ = '\n';
		}
		if (!pass)
			text = mem_alloc_uninit(bytes + 1);
	}
	text[bytes] = '\0';
	mem_free(picks);
	*len = bytes;
	return text;
}

void keylog_export_free(char *text, size_t len)
{
	if (!text)
		return;
	OPENSSL_cleanse(text, len);
	mem_free(text);
}
