/* capfile.c - building capture files byte by byte for the reader's tests (capfile.h), and reading them back. */
#include "capfile.h"

#include <stdlib.h>
#include <string.h>

/* ---- building capture files, in either byte order ---- */

void fb_bytes(struct fb *b, const void *src, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	if (n)
		memcpy(b->p + b->n, src, n);
	b->n += n;
}

void put32_at(struct fb *b, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->p[at + (size_t)i] = (uint8_t)(b->be ? v >> (24 - 8 * i) : v >> (8 * i));
}

void fb_u32(struct fb *b, uint32_t v)
{
	uint8_t z[4] = { 0 };
	fb_bytes(b, z, 4);
	put32_at(b, b->n - 4, v);
}

void fb_u16(struct fb *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(b->be ? v >> 8 : v), (uint8_t)(b->be ? v : v >> 8) };
	fb_bytes(b, x, 2);
}

void fb_pad4(struct fb *b)
{
	static const uint8_t z[3];
	fb_bytes(b, z, (4 - b->n % 4) % 4);
}

void fb_free(struct fb *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* A packet's bytes: its first byte the frame number, then bytes that
 * depend on frame and offset and do not compress (so that half a gzip
 * stream holds about half the packets). */
static uint8_t pkt_bytes[2048];

const uint8_t *pattern(unsigned frame, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < sizeof pkt_bytes; i++) {
		uint32_t x = frame * 2654435761u + i * 40503u;
		x ^= x >> 13;
		x *= 0x5bd1e995u;
		x ^= x >> 15;
		pkt_bytes[i] = (uint8_t)(i ? x : frame);
	}
	return pkt_bytes;
}

void pcap_header(struct fb *b, uint32_t magic, uint16_t major, uint16_t minor, uint32_t snaplen,
			uint32_t linktype)
{
	fb_u32(b, magic);
	fb_u16(b, major);
	fb_u16(b, minor);
	fb_u32(b, 0);
	fb_u32(b, 0);
	fb_u32(b, snaplen);
	fb_u32(b, linktype);
}

void pcap_record(struct fb *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, unsigned frame)
{
	fb_u32(b, sec);
	fb_u32(b, frac);
	fb_u32(b, caplen);
	fb_u32(b, len);
	fb_bytes(b, pattern(frame, caplen), caplen);
}

/* pcapng blocks: type, length (patched by ng_end), body, length again. */
size_t ng_begin(struct fb *b, uint32_t type)
{
	size_t at = b->n;
	fb_u32(b, type);
	fb_u32(b, 0);
	return at;
}

void ng_end(struct fb *b, size_t at)
{
	fb_pad4(b);
	fb_u32(b, (uint32_t)(b->n + 4 - at));
	put32_at(b, at + 4, (uint32_t)(b->n - at));
}

void ng_shb(struct fb *b)
{
	size_t at = ng_begin(b, 0x0a0d0d0a);
	fb_u32(b, 0x1a2b3c4d);
	fb_u16(b, 1);
	fb_u16(b, 0);
	fb_u32(b, 0xffffffff);
	fb_u32(b, 0xffffffff);
	ng_end(b, at);
}

/* tsresol < 0: no if_tsresol option; tsoffset 0: no if_tsoffset. */
void ng_idb(struct fb *b, uint16_t linktype, uint32_t snaplen, int tsresol, uint64_t tsoffset)
{
	size_t at = ng_begin(b, 1);
	fb_u16(b, linktype);
	fb_u16(b, 0);
	fb_u32(b, snaplen);
	fb_u16(b, 2);                   /* if_name, to be skipped */
	fb_u16(b, 3);
	fb_bytes(b, "lo0", 3);
	fb_pad4(b);
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;
		fb_u16(b, 9);
		fb_u16(b, 1);
		fb_bytes(b, &r, 1);
		fb_pad4(b);
	}
	if (tsoffset) {
		fb_u16(b, 14);
		fb_u16(b, 8);
		fb_u32(b, (uint32_t)(b->be ? tsoffset >> 32 : tsoffset));
		fb_u32(b, (uint32_t)(b->be ? tsoffset : tsoffset >> 32));
	}
	fb_u16(b, 0);
	fb_u16(b, 0);
	ng_end(b, at);
}

void ng_epb(struct fb *b, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t len, unsigned frame)
{
	size_t at = ng_begin(b, 6);
	fb_u32(b, ifid);
	fb_u32(b, (uint32_t)(ts >> 32));
	fb_u32(b, (uint32_t)ts);
	fb_u32(b, caplen);
	fb_u32(b, len);
	fb_bytes(b, pattern(frame, caplen), caplen);
	fb_pad4(b);
	fb_u16(b, 1);                   /* opt_comment, to be skipped */
	fb_u16(b, 2);
	fb_bytes(b, "hi", 2);
	fb_pad4(b);
	ng_end(b, at);
}

void ng_spb(struct fb *b, uint32_t len, uint32_t held, unsigned frame)
{
	size_t at = ng_begin(b, 3);
	fb_u32(b, len);
	fb_bytes(b, pattern(frame, held), held);
	ng_end(b, at);
}

void ng_pb(struct fb *b, uint16_t ifid, uint64_t ts, uint32_t caplen, uint32_t len, unsigned frame)
{
	size_t at = ng_begin(b, 2);
	fb_u16(b, ifid);
	fb_u16(b, 0);
	fb_u32(b, (uint32_t)(ts >> 32));
	fb_u32(b, (uint32_t)ts);
	fb_u32(b, caplen);
	fb_u32(b, len);
	fb_bytes(b, pattern(frame, caplen), caplen);
	ng_end(b, at);
}

void ng_dsb(struct fb *b, uint32_t type, const char *text)
{
	size_t at = ng_begin(b, 10);
	fb_u32(b, type);
	fb_u32(b, (uint32_t)strlen(text));
	fb_bytes(b, text, strlen(text));
	ng_end(b, at);
}

void ng_other(struct fb *b, uint32_t type, size_t n)
{
	size_t at = ng_begin(b, type);
	for (size_t i = 0; i < n; i++)
		fb_bytes(b, "x", 1);
	ng_end(b, at);
}

/* ---- reading everything back ---- */

void read_all(struct pcapfile *f, struct run *r)
{
	struct pcapfile_pkt p;
	memset(r, 0, sizeof *r);
	while ((r->rc = pcapfile_next(f, &p, r->err)) == 1) {
		if (r->n == MAX_GOT)
			break;
		struct got *g = &r->pkt[r->n++];
		g->frame = p.frame;
		g->sec = p.sec;
		g->nsec = p.nsec;
		g->caplen = p.caplen;
		g->len = p.len;
		g->iface = p.interface;
		g->dlt = p.dlt;
		g->data_ok = p.caplen == 0 || memcmp(p.data, pattern((unsigned)p.frame, p.caplen), p.caplen) == 0;
	}
	r->end = pcapfile_end(f);
}

/* Open bytes placed right before an unreadable page, read them all. NULL
 * if the open failed (err says why). */
struct pcapfile *open_guarded(struct guard *g, const struct fb *b, size_t n, struct run *r)
{
	const uint8_t *p = guard_move(g, b->p, n);
	memset(r, 0, sizeof *r);
	struct pcapfile *f = pcapfile_open_mem(p, n, r->err);
	if (f)
		read_all(f, r);
	return f;
}

void expect_err(const struct run *r, const char *what, unsigned line)
{
	if (!strstr(r->err, what))
		unit_fail(__FILE__, line, "error \"%s\" does not say \"%s\"", r->err, what);
}

