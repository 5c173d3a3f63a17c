/* ipfrag.c - fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5): first copy wins. */
#include "ipfrag.h"

#include <string.h>

#include "limits.h"
#include "mem.h"

#define MAX_DATAGRAM 65535u
#define UNITS ((MAX_DATAGRAM + 7) / 8)

struct datagram {
	bool used;
	uint8_t af;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	int64_t first_seen;
	uint32_t total;          /* known once the last fragment arrived; 0 before */
	uint32_t size;           /* bytes allocated in buf */
	uint8_t *buf;
	uint8_t have[(UNITS + 7) / 8];   /* one bit per 8-byte unit */
};

struct ipfrag_table {
	struct datagram slot[LIM_FRAG_DATAGRAMS];
	uint8_t *done;           /* the last completed datagram */
	uint64_t expired;
};

struct ipfrag_table *ipfrag_new(void)
{
	return mem_alloc(sizeof(struct ipfrag_table));
}

static void release(struct datagram *g)
{
	mem_free(g->buf);
	memset(g, 0, sizeof *g);
}

void ipfrag_free(struct ipfrag_table *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < LIM_FRAG_DATAGRAMS; i++)
		release(&t->slot[i]);
	mem_free(t->done);
	mem_free(t);
}

uint64_t ipfrag_expired(const struct ipfrag_table *t) { return t->expired; }

unsigned ipfrag_pending(const struct ipfrag_table *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < LIM_FRAG_DATAGRAMS; i++)
		n += t->slot[i].used;
	return n;
}

static bool same(const struct datagram *g, const struct decoded *d)
{
	return g->used && g->af == d->af && g->id == d->frag.id && g->proto == d->frag.proto &&
	       memcmp(g->src, d->src, 16) == 0 && memcmp(g->dst, d->dst, 16) == 0;
}

static struct datagram *find_or_make(struct ipfrag_table *t, const struct decoded *d, int64_t now)
{
	struct datagram *free_slot = NULL, *oldest = NULL;
	for (unsigned i = 0; i < LIM_FRAG_DATAGRAMS; i++) {
		struct datagram *g = &t->slot[i];
		if (g->used && now - g->first_seen > LIM_FRAG_TIMEOUT_SEC) {
			release(g);
			t->expired++;
		}
		if (same(g, d))
			return g;
		if (!g->used && !free_slot)
			free_slot = g;
		if (g->used && (!oldest || g->first_seen < oldest->first_seen))
			oldest = g;
	}
	if (!free_slot) {
		release(oldest);
		t->expired++;
		free_slot = oldest;
	}
	struct datagram *g = free_slot;
	g->used = true;
	g->af = d->af;
	g->proto = d->frag.proto;
	g->id = d->frag.id;
	memcpy(g->src, d->src, 16);
	memcpy(g->dst, d->dst, 16);
	g->first_seen = now;
	return g;
}

static bool complete(const struct datagram *g)
{
	if (!g->total)
		return false;
	uint32_t units = (g->total + 7) / 8;
	for (uint32_t u = 0; u < units; u++)
		if (!(g->have[u / 8] & (1u << (u % 8))))
			return false;
	return true;
}

int ipfrag_add(struct ipfrag_table *t, const struct decoded *d, int64_t now, const uint8_t **out,
	       uint32_t *outlen, const char **why)
{
	uint32_t off = d->frag.offset, len = d->frag.len;
	if (d->frag.caplen < len) {
		*why = "fragment cut by the capture's snaplen";
		return FRAG_DROPPED;
	}
	if (off + len > MAX_DATAGRAM) {
		*why = "fragment beyond 65535 bytes";
		return FRAG_DROPPED;
	}
	if (d->frag.more && (len % 8 != 0 || len == 0)) {
		*why = "non-final fragment not a multiple of 8 bytes";
		return FRAG_DROPPED;
	}
	struct datagram *g = find_or_make(t, d, now);
	if (!d->frag.more) {
		if (g->total && g->total != off + len) {
			*why = "two different last fragments";
			release(g);
			return FRAG_DROPPED;
		}
		g->total = off + len;
	}
	if (off + len > g->size) {
		uint32_t nsize = off + len;
		g->buf = mem_realloc(g->buf, nsize);
		memset(g->buf + g->size, 0, nsize - g->size);
		g->size = nsize;
	}
	/* copy 8-byte units not already present: the first copy wins */
	for (uint32_t pos = 0; pos < len; pos += 8) {
		uint32_t u = (off + pos) / 8;
		if (g->have[u / 8] & (1u << (u % 8)))
			continue;
		uint32_t n = len - pos < 8 ? len - pos : 8;
		memcpy(g->buf + off + pos, d->frag.data + pos, n);
		g->have[u / 8] |= (uint8_t)(1u << (u % 8));
	}
	if (!complete(g))
		return FRAG_PENDING;
	if (g->size < g->total) {
		*why = "fragments do not cover the datagram";
		release(g);
		return FRAG_DROPPED;
	}
	mem_free(t->done);
	t->done = g->buf;
	*out = g->buf;
	*outlen = g->total;
	g->buf = NULL;
	release(g);
	return FRAG_DONE;
}
