/* evidence.c - holding packets until a connection's verdict, then writing them with pcap_dump (or as pcapng with their secrets). */
#include "evidence.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "pcapng_write.h"

#define EV_CONN_BYTES   (1u << 20)   /* held per undecided connection */
#define EV_TOTAL_BYTES  (16u << 20)  /* held across all of them */
#define EV_MAP          4096u        /* original -> written frame pairs kept per connection */

struct held {
	struct held *next;
	struct pcap_pkthdr h;
	uint64_t frame;
	uint8_t data[];
};

struct ev_conn {
	struct held *head, *tail;
	uint32_t bytes;
	bool decided, keep, truncated;
	bool following;              /* reported: written up to the follow bound */
	uint32_t follow_packets, follow_bytes;
	uint32_t map_n, map_cap;
	uint64_t *map_orig;          /* ascending, as packets arrive in frame order */
	uint64_t *map_written;
};

struct evidence {
	pcap_dumper_t *d;
	struct ngw *ng;              /* --write-secrets: pcapng instead of d */
	int dlt;                     /* one pcap file has one link type */
	char *path;
	uint64_t held_total;
	uint64_t written;
};

struct evidence *evidence_open(const char *path, pcap_t *source, bool pcapng, char *errbuf)
{
	pcap_dumper_t *d = NULL;
	struct ngw *ng = NULL;
	if (pcapng)
		ng = ngw_open(path, pcap_datalink(source), (uint32_t)pcap_snapshot(source), errbuf, CAPTURE_ERRBUF);
	else if (!(d = pcap_dump_open(source, path)))
		snprintf(errbuf, CAPTURE_ERRBUF, "-w %s: %s", path, pcap_geterr(source));
	if (!d && !ng)
		return NULL;
	struct evidence *e = mem_alloc(sizeof *e);
	e->d = d;
	e->ng = ng;
	e->dlt = pcap_datalink(source);
	e->path = mem_strdup(path);
	return e;
}

static void write_one(struct evidence *e, struct ev_conn *ec, const struct pcap_pkthdr *h, const uint8_t *data,
		      uint64_t frame)
{
	if (e->ng)
		ngw_packet(e->ng, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
	else
		pcap_dump((u_char *)e->d, h, data);
	e->written++;
	if (ec->map_n == ec->map_cap && ec->map_cap < EV_MAP) {
		ec->map_cap = ec->map_cap ? ec->map_cap * 2 : 32;
		ec->map_orig = mem_realloc(ec->map_orig, ec->map_cap * sizeof *ec->map_orig);
		ec->map_written = mem_realloc(ec->map_written, ec->map_cap * sizeof *ec->map_written);
	}
	if (ec->map_n < ec->map_cap) {
		ec->map_orig[ec->map_n] = frame;
		ec->map_written[ec->map_n] = e->written;
		ec->map_n++;
	}
}

void evidence_packet(struct evidence *e, struct ev_conn **ecp, const struct capture_pkt *p)
{
	if (!*ecp)
		*ecp = mem_alloc(sizeof **ecp);
	struct ev_conn *ec = *ecp;
	if (p->dlt != e->dlt) {   /* from an interface of another link type (pcapng): cannot be written */
		ec->truncated = true;
		return;
	}
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)p->time.sec;
	h.ts.tv_usec = (suseconds_t)(p->time.nsec / 1000);   /* the dumper writes microseconds */
	h.caplen = p->caplen;
	h.len = p->len;
	if (ec->decided) {
		if (ec->following) {
			if (ec->follow_packets >= EV_FOLLOW_PACKETS || ec->follow_bytes + p->caplen > EV_FOLLOW_BYTES) {
				ec->truncated = true;
				return;
			}
			ec->follow_packets++;
			ec->follow_bytes += p->caplen;
		}
		if (ec->keep)
			write_one(e, ec, &h, p->data, p->frame);
		return;
	}
	size_t need = sizeof(struct held) + p->caplen;
	if (ec->bytes + need > EV_CONN_BYTES || e->held_total + need > EV_TOTAL_BYTES) {
		ec->truncated = true;   /* keep the start: the handshake is what matters */
		return;
	}
	struct held *k = mem_alloc(need);
	k->h = h;
	k->frame = p->frame;
	memcpy(k->data, p->data, p->caplen);
	if (ec->tail)
		ec->tail->next = k;
	else
		ec->head = k;
	ec->tail = k;
	ec->bytes += (uint32_t)need;
	e->held_total += need;
}

static void release_held(struct evidence *e, struct ev_conn *ec, bool write)
{
	struct held *k = ec->head;
	while (k) {
		struct held *next = k->next;
		if (write)
			write_one(e, ec, &k->h, k->data, k->frame);
		e->held_total -= sizeof *k + k->h.caplen;
		mem_free(k);
		k = next;
	}
	ec->head = ec->tail = NULL;
	ec->bytes = 0;
}

void evidence_verdict(struct evidence *e, struct ev_conn *ec, bool keep)
{
	if (!ec || ec->decided)
		return;
	ec->decided = true;
	ec->keep = keep;
	release_held(e, ec, keep);
}

void evidence_secrets(struct evidence *e, const struct ev_conn *ec, const char *text, size_t len)
{
	if (e->ng && ec && !ec->decided)
		ngw_secrets(e->ng, text, len);
}

bool evidence_writes_secrets(const struct evidence *e)
{
	return e && e->ng;
}

uint64_t evidence_secret_blocks(const struct evidence *e)
{
	return e ? ngw_secret_blocks(e->ng) : 0;
}

void evidence_follow(struct ev_conn *ec)
{
	if (ec)
		ec->following = true;
}

uint64_t evidence_written_frame(const struct ev_conn *ec, uint64_t frame)
{
	if (!ec)
		return 0;
	uint32_t lo = 0, hi = ec->map_n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (ec->map_orig[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ec->map_n && ec->map_orig[lo] == frame ? ec->map_written[lo] : 0;
}

bool evidence_truncated(const struct ev_conn *ec) { return ec && ec->truncated; }

void evidence_conn_free(struct evidence *e, struct ev_conn *ec)
{
	if (!ec)
		return;
	release_held(e, ec, false);
	mem_free(ec->map_orig);
	mem_free(ec->map_written);
	mem_free(ec);
}

uint64_t evidence_packets_written(const struct evidence *e) { return e->written; }
const char *evidence_path(const struct evidence *e) { return e->path; }

bool evidence_close(struct evidence *e, char *errbuf)
{
	if (!e)
		return true;
	bool ok;
	if (e->ng) {
		ok = ngw_close(e->ng);
	} else {
		ok = pcap_dump_flush(e->d) == 0;
		pcap_dump_close(e->d);
	}
	if (!ok)
		snprintf(errbuf, CAPTURE_ERRBUF, "-w %s: write failed", e->path);
	mem_free(e->path);
	mem_free(e);
	return ok;
}
