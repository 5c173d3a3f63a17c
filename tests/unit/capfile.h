/* capfile.h - building capture files byte by byte for the reader's tests, and reading them back. */
#ifndef TLSDIAG_TEST_CAPFILE_H
#define TLSDIAG_TEST_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapfile.h"
#include "unit.h"

/* A growing file image in one byte order. */
struct fb {
	uint8_t *p;
	size_t n, cap;
	bool be;
};
void fb_bytes(struct fb *b, const void *src, size_t n);
void fb_u16(struct fb *b, uint16_t v);
void fb_u32(struct fb *b, uint32_t v);
void put32_at(struct fb *b, size_t at, uint32_t v);
void fb_pad4(struct fb *b);
void fb_free(struct fb *b);

/* The bytes of frame's packet: its first byte the frame number, then bytes
 * that depend on frame and offset and do not compress. At most 2048. */
const uint8_t *pattern(unsigned frame, uint32_t n);

/* Classic pcap: the file header, one record with pattern(frame) bytes. */
void pcap_header(struct fb *b, uint32_t magic, uint16_t major, uint16_t minor, uint32_t snaplen, uint32_t linktype);
void pcap_record(struct fb *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, unsigned frame);

/* pcapng blocks in b's byte order. ng_begin/ng_end frame any block. */
size_t ng_begin(struct fb *b, uint32_t type);
void ng_end(struct fb *b, size_t at);
void ng_shb(struct fb *b);
/* tsresol < 0: no if_tsresol option; tsoffset 0: no if_tsoffset. */
void ng_idb(struct fb *b, uint16_t linktype, uint32_t snaplen, int tsresol, uint64_t tsoffset);
void ng_epb(struct fb *b, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t len, unsigned frame);
void ng_spb(struct fb *b, uint32_t len, uint32_t held, unsigned frame);
void ng_pb(struct fb *b, uint16_t ifid, uint64_t ts, uint32_t caplen, uint32_t len, unsigned frame);
void ng_dsb(struct fb *b, uint32_t type, const char *text);
void ng_other(struct fb *b, uint32_t type, size_t n);

/* What a reader returned, packet by packet, and how it ended. */
struct got {
	uint64_t frame;
	int64_t sec;
	uint32_t nsec, caplen, len, iface;
	int dlt;
	bool data_ok;           /* the bytes are the pattern of this frame */
};

#define MAX_GOT 64

struct run {
	struct got pkt[MAX_GOT];
	size_t n;
	int rc;                 /* the last pcapfile_next: 0 or -1 */
	enum pcapfile_end end;
	char err[PCAPFILE_ERRBUF];
};

void read_all(struct pcapfile *f, struct run *r);
/* Open the first n bytes of b placed right before an unreadable page and
 * read them all. NULL if the open failed (r->err says why). */
struct pcapfile *open_guarded(struct guard *g, const struct fb *b, size_t n, struct run *r);
void expect_err(const struct run *r, const char *what, unsigned line);
#define EXPECT_ERR(r, what) expect_err(r, what, __LINE__)

#endif
