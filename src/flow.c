/* flow.c - connection table: hash by 4-tuple, LRU by activity, closed-tuple memory. */
#include "flow.h"

#include <string.h>

#include "limits.h"
#include "mem.h"

/*
 * Closed connections leave a 16-byte note (tuple hash -> stream number) so a
 * late ACK or FIN retransmission is counted in the same tcp.stream, as
 * Wireshark does, without keeping the connection. The notes live in an
 * open-addressing table that forgets the oldest note when full.
 */
struct closed_note {
	uint64_t hash;      /* 0 = empty */
	struct closed_flow info;
};

struct flow_table {
	struct flow **buckets;
	size_t nbuckets;           /* power of two */
	size_t count;
	struct flow *lru_head, *lru_tail;
	struct flow *s_head, *s_tail;
	uint64_t next_stream;

	struct closed_note *notes;
	size_t notes_cap;          /* power of two, LIM_CLOSED_FLOWS * 2 */
	size_t notes_n;
	uint64_t *ring;            /* insertion order, to forget the oldest */
	size_t ring_pos;
};

struct flow_table *flow_table_new(void)
{
	struct flow_table *t = mem_alloc(sizeof *t);
	t->nbuckets = 1024;
	t->buckets = mem_alloc(t->nbuckets * sizeof *t->buckets);
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	struct flow *f = t->lru_head;
	while (f) {
		struct flow *n = f->next;
		mem_free(f);
		f = n;
	}
	mem_free(t->buckets);
	mem_free(t->notes);
	mem_free(t->ring);
	mem_free(t);
}

/* Addresses compare as memcmp would (big-endian numbers), by loads of the
 * fixed sizes: this runs for every packet, and memcmp of a length known
 * only at run time is a libc call. */
static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static int ep_cmp(uint8_t af, const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	if (af == 6) {
		uint64_t x = be64_at(a), y = be64_at(b);
		if (x == y) {
			x = be64_at(a + 8);
			y = be64_at(b + 8);
		}
		if (x != y)
			return x < y ? -1 : 1;
	} else {
		uint32_t x, y;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		x = __builtin_bswap32(x);
		y = __builtin_bswap32(y);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return pa < pb ? -1 : pa > pb;
}

void flow_key_make(struct flow_key *k, uint8_t af, const uint8_t *src, uint16_t sport,
		   const uint8_t *dst, uint16_t dport, int *dir)
{
	memset(k, 0, sizeof *k);
	k->af = af;
	int first = ep_cmp(af, src, sport, dst, dport) <= 0 ? 0 : 1;
	if (af == 6) {
		memcpy(k->addr[first], src, 16);
		memcpy(k->addr[1 - first], dst, 16);
	} else {
		memcpy(k->addr[first], src, 4);
		memcpy(k->addr[1 - first], dst, 4);
	}
	k->port[first] = sport;
	k->port[1 - first] = dport;
	*dir = first;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v * 0x9e3779b97f4a7c15ull;
	return (h << 29 | h >> 35) * 0xbf58476d1ce4e5b9ull;
}

uint64_t flow_key_hash(const struct flow_key *k)
{
	/* 64-bit words of the key, then a final mix; 0 is reserved for "empty". */
	uint64_t w[4], h = k->af;
	memcpy(w, k->addr[0], 16);
	memcpy(w + 2, k->addr[1], 16);
	for (int i = 0; i < 4; i++)
		h = mix(h, w[i]);
	h = mix(h, (uint64_t)k->port[0] << 16 | k->port[1]);
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ull;
	h ^= h >> 27;
	return h ? h : 1;
}

struct flow *flow_find(struct flow_table *t, const struct flow_key *k, uint64_t hash)
{
	for (struct flow *f = t->buckets[hash & (t->nbuckets - 1)]; f; f = f->hnext)
		if (f->hash == hash && memcmp(&f->key, k, sizeof *k) == 0)
			return f;
	return NULL;
}

static void rehash(struct flow_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct flow **b = mem_alloc(nb * sizeof *b);
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct flow *f = t->buckets[i];
		while (f) {
			struct flow *n = f->hnext;
			f->hnext = b[f->hash & (nb - 1)];
			b[f->hash & (nb - 1)] = f;
			f = n;
		}
	}
	mem_free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		t->lru_head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		t->lru_tail = f->prev;
	f->prev = f->next = NULL;
}

static void lru_append(struct flow_table *t, struct flow *f)
{
	f->prev = t->lru_tail;
	f->next = NULL;
	if (t->lru_tail)
		t->lru_tail->next = f;
	else
		t->lru_head = f;
	t->lru_tail = f;
}

struct flow *flow_add(struct flow_table *t, const struct flow_key *k, uint64_t hash, int64_t now)
{
	return flow_add_stream(t, k, hash, now, t->next_stream++);
}

struct flow *flow_add_stream(struct flow_table *t, const struct flow_key *k, uint64_t hash, int64_t now,
			     uint64_t stream)
{
	if (t->count >= t->nbuckets && t->nbuckets < LIM_FLOWS * 2)
		rehash(t);
	struct flow *f = mem_alloc(sizeof *f);
	f->key = *k;
	f->hash = hash;
	f->stream = stream;
	f->last_active = now;
	size_t b = hash & (t->nbuckets - 1);
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	lru_append(t, f);
	f->sprev = t->s_tail;
	if (t->s_tail)
		t->s_tail->snext = f;
	else
		t->s_head = f;
	t->s_tail = f;
	t->count++;
	return f;
}

void flow_touch(struct flow_table *t, struct flow *f, int64_t now)
{
	f->last_active = now;
	if (t->lru_tail != f) {
		lru_unlink(t, f);
		lru_append(t, f);
	}
}

/* Insert into the open-addressing table (no duplicate check). */
static void notes_put(struct closed_note *notes, size_t cap, uint64_t hash, const struct closed_flow *info)
{
	size_t i = hash & (cap - 1);
	while (notes[i].hash && notes[i].hash != hash)
		i = (i + 1) & (cap - 1);
	notes[i].hash = hash;
	notes[i].info = *info;
}

/* The table grows with use (up to twice LIM_CLOSED_FLOWS slots), so a
 * short run does not pay for the largest one. */
static void notes_grow(struct flow_table *t)
{
	size_t cap = t->notes_cap ? t->notes_cap * 2 : 1024;
	struct closed_note *n = mem_alloc(cap * sizeof *n);
	for (size_t i = 0; i < t->notes_cap; i++)
		if (t->notes[i].hash)
			notes_put(n, cap, t->notes[i].hash, &t->notes[i].info);
	mem_free(t->notes);
	t->notes = n;
	t->notes_cap = cap;
}

static void remember_closed(struct flow_table *t, uint64_t hash, const struct closed_flow *info)
{
	if (!t->ring)
		t->ring = mem_alloc((size_t)LIM_CLOSED_FLOWS * sizeof *t->ring);
	if ((t->notes_n + 1) * 2 > t->notes_cap && t->notes_cap < (size_t)LIM_CLOSED_FLOWS * 2)
		notes_grow(t);
	/* The ring remembers insertion order; the note it overwrites is forgotten
	 * (if still there), so notes never outnumber the ring. */
	if (t->ring[t->ring_pos])
		flow_closed_forget(t, t->ring[t->ring_pos]);
	size_t i = hash & (t->notes_cap - 1);
	while (t->notes[i].hash && t->notes[i].hash != hash)
		i = (i + 1) & (t->notes_cap - 1);
	if (!t->notes[i].hash)
		t->notes_n++;
	t->notes[i].hash = hash;
	t->notes[i].info = *info;
	t->ring[t->ring_pos] = hash;
	t->ring_pos = (t->ring_pos + 1) % LIM_CLOSED_FLOWS;
}

bool flow_closed_lookup(struct flow_table *t, uint64_t hash, struct closed_flow *out)
{
	if (!t->notes)
		return false;
	size_t i = hash & (t->notes_cap - 1);
	while (t->notes[i].hash) {
		if (t->notes[i].hash == hash) {
			*out = t->notes[i].info;
			return true;
		}
		i = (i + 1) & (t->notes_cap - 1);
	}
	return false;
}

/* Delete with backward-shift so probe chains stay intact. */
void flow_closed_forget(struct flow_table *t, uint64_t hash)
{
	if (!t->notes || !hash)
		return;
	size_t mask = t->notes_cap - 1;
	size_t i = hash & mask;
	while (t->notes[i].hash && t->notes[i].hash != hash)
		i = (i + 1) & mask;
	if (!t->notes[i].hash)
		return;
	t->notes_n--;
	size_t j = i;
	for (;;) {
		t->notes[i].hash = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!t->notes[j].hash)
				return;
			size_t home = t->notes[j].hash & mask;
			/* move j back to i if its home is not in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		t->notes[i] = t->notes[j];
		i = j;
	}
}

void flow_remove(struct flow_table *t, struct flow *f, bool remember)
{
	struct flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(t, f);
	if (f->sprev)
		f->sprev->snext = f->snext;
	else
		t->s_head = f->snext;
	if (f->snext)
		f->snext->sprev = f->sprev;
	else
		t->s_tail = f->sprev;
	t->count--;
	if (remember) {
		struct closed_flow info = { f->stream, { f->syn_seq[0], f->syn_seq[1] }, f->syn_seen };
		remember_closed(t, f->hash, &info);
	}
	mem_free(f);
}

struct flow *flow_oldest(const struct flow_table *t) { return t->lru_head; }
struct flow *flow_first_created(const struct flow_table *t) { return t->s_head; }
size_t flow_count(const struct flow_table *t) { return t->count; }
uint64_t flow_next_stream(const struct flow_table *t) { return t->next_stream; }

size_t flow_growth_bytes(const struct flow_table *t)
{
	size_t n = t->ring ? 0 : (size_t)LIM_CLOSED_FLOWS * sizeof *t->ring;
	if (t->notes_cap < (size_t)LIM_CLOSED_FLOWS * 2)
		n += (t->notes_cap ? t->notes_cap * 2 : 1024) * sizeof *t->notes;
	return n;
}
