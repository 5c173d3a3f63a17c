/* flow.h - the table of TCP connections: lookup by 4-tuple, activity order, caps. */
#ifndef TLSDIAG_FLOW_H
#define TLSDIAG_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Endpoints are stored in a canonical order so both directions find the
 * same entry; a packet's direction is the index of its sender (0 or 1). */
struct flow_key {
	uint8_t af;
	uint8_t addr[2][16];
	uint16_t port[2];
};

struct flow {
	struct flow_key key;
	uint64_t hash;
	uint64_t stream;           /* Wireshark's tcp.stream */
	int64_t last_active;       /* capture seconds */
	uint32_t syn_seq[2];       /* SYN sequence number of each endpoint ... */
	uint8_t syn_seen;          /* ... valid where bit ep is set */
	struct flow *hnext;
	struct flow *prev, *next;  /* activity order: least recent first */
	struct flow *sprev, *snext;/* creation (stream) order */
	void *conn;                /* the analyzer's connection state */
};

struct flow_table;

struct flow_table *flow_table_new(void);
void flow_table_free(struct flow_table *t);

/* Build the canonical key for a packet; *dir is the sender's endpoint. */
void flow_key_make(struct flow_key *k, uint8_t af, const uint8_t *src, uint16_t sport,
		   const uint8_t *dst, uint16_t dport, int *dir);
uint64_t flow_key_hash(const struct flow_key *k);

struct flow *flow_find(struct flow_table *t, const struct flow_key *k, uint64_t hash);

/* Add a connection with the next stream number. */
struct flow *flow_add(struct flow_table *t, const struct flow_key *k, uint64_t hash, int64_t now);
/* Add a connection that continues a closed one's stream number. */
struct flow *flow_add_stream(struct flow_table *t, const struct flow_key *k, uint64_t hash, int64_t now,
			     uint64_t stream);

/* Mark activity: moves the flow to the most-recent end. */
void flow_touch(struct flow_table *t, struct flow *f, int64_t now);

/* Unlink and free a flow (its conn must already be released). If remember,
 * the 4-tuple keeps its stream number for late packets. */
void flow_remove(struct flow_table *t, struct flow *f, bool remember);

/* Least recently active flow, or NULL. */
struct flow *flow_oldest(const struct flow_table *t);
/* Oldest flow by creation (lowest stream number still open), or NULL. */
struct flow *flow_first_created(const struct flow_table *t);
size_t flow_count(const struct flow_table *t);

/* Late packets: was this 4-tuple a connection that has been closed? Its
 * stream number and the SYN numbers it saw (bit ep of syn_seen). */
struct closed_flow {
	uint64_t stream;
	uint32_t syn_seq[2];
	uint8_t syn_seen;
};
bool flow_closed_lookup(struct flow_table *t, uint64_t hash, struct closed_flow *out);
void flow_closed_forget(struct flow_table *t, uint64_t hash);

/* The next stream number to be given (Wireshark counts every TCP conversation). */
uint64_t flow_next_stream(const struct flow_table *t);
/* What remembering closed connections may still allocate at once (the next
 * doubling of its table): kept free under LIM_MEMORY_BUDGET, since it is
 * allocated while a connection is settled, inside the eviction loop. */
size_t flow_growth_bytes(const struct flow_table *t);

#endif
