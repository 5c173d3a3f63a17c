/* keylog.c - NSS key logs: the store by ClientHello random and export (see keylog.h); the sources
 * and live re-reads are keylog_source.c, each line is read by keylog_line.c. */
#include "keylog.h"
#include "keylog_int.h"
#include "keylog_secret.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mem.h"

const char *const kl_label_names[KEYLOG_LABELS] = {
	[KEYLOG_CLIENT_RANDOM] = "CLIENT_RANDOM",
	[KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
	[KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	[KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	[KEYLOG_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
	[KEYLOG_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
	[KEYLOG_EXPORTER_SECRET] = "EXPORTER_SECRET",
	[KEYLOG_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
};

/* ---- chunked arrays: stable addresses, 32-bit indices ---- */

#define POOL_SHIFT 10
#define POOL_CHUNK (1u << POOL_SHIFT)

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

const char *keylog_label_name(int label)
{
	return label >= 0 && label < KEYLOG_LABELS ? kl_label_names[label] : NULL;
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
void kl_note(struct keylog *kl, const struct kl_source *s, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(kl, s, line, fmt, ap);
	va_end(ap);
}

/* A line that is skipped: warned about until the source has had its share. */
__attribute__((format(printf, 3, 4)))
void kl_malformed(struct keylog *kl, struct kl_source *s, const char *fmt, ...)
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
void kl_store(struct keylog *kl, struct kl_source *s, int label, const uint8_t *random,
	      const uint8_t *secret, size_t len)
{
	uint32_t h = (uint32_t)hash_random(kl, random);
	struct keylog_entry *e = find(kl, random, h);
	const struct kl_secret *old = secret_of(kl, e, label);
	if (old) {
		if (old->len == len && CRYPTO_memcmp(old->bytes, secret, len) == 0)
			kl->st.duplicates++;
		else
			kl_malformed(kl, s, "another %s for the same client random (first at %s line %lu): the first is kept",
				  kl_label_names[label], kl->src[old->source]->name, (unsigned long)old->line);
		return;
	}
	if (kl->secrets.n >= kl->max_secrets) {
		if (!kl->cap_noted)
			kl_note(kl, s, s->lineno, "the key log holds %lu secrets, as many as tlsdiag keeps: "
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
			size_t ln = strlen(kl_label_names[s->label]);
			if (!pass) {
				bytes += ln + 2 * KEYLOG_RANDOM_LEN + 2u * s->len + 3;
				continue;
			}
			memcpy(o, kl_label_names[s->label], ln);
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
