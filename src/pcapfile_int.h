/* pcapfile_int.h - the reader state that pcapfile.c (opening, classic pcap), pcapng.c and pcapfile_common.c (what both readers use) share. */
#ifndef TLSDIAG_PCAPFILE_INT_H
#define TLSDIAG_PCAPFILE_INT_H

#include "pcapfile.h"
#include "pcapsrc.h"
#include "rd.h"

#define PF_MAX_DLTS 16

struct pf_iface {
	int dlt;
	uint32_t snaplen;        /* adjusted: never 0 */
	uint64_t tsresol;        /* timestamp units per second */
	uint8_t tsshift;         /* tsresol = 2^tsshift when binary */
	bool tsbinary;
	uint64_t tsoffset;       /* seconds added (if_tsoffset) */
};

struct pf_secret {
	struct pf_secret *next;
	uint32_t type;
	uint64_t after_frame;
	size_t len;
	uint8_t data[];
};

struct pcapfile {
	struct pcapsrc *src;
	enum pcapfile_format format;
	bool be;                 /* the current section (or file) is big-endian */
	/* classic pcap */
	size_t rec_hdr;          /* 16, or 24 for the modified (Kuznetzov) format */
	uint8_t lengths_swapped; /* LEN_* */
	bool nsec;
	struct pf_iface file_if;
	/* pcapng: the interfaces of the current section */
	struct pf_iface *ifs;
	uint32_t n_if, cap_if;
	bool have_first;
	/* the file */
	int first_dlt;
	uint32_t first_snaplen;
	int ts_digits;
	int dlts[PF_MAX_DLTS];
	size_t n_dlts;
	uint64_t frames;
	enum pcapfile_end end;
	char msg[PCAPFILE_ERRBUF];
	/* Decryption Secrets Blocks not yet taken */
	struct pf_secret *sec_head, *sec_tail, *sec_taken;
	size_t sec_held;
	uint64_t sec_dropped;
};

enum { LEN_NOT_SWAPPED, LEN_MAYBE_SWAPPED, LEN_SWAPPED };

/* The byte order of the file (or section). */
static inline bool rd_e16(struct rd *r, bool be, uint16_t *v) { return be ? rd_u16(r, v) : rd_le16(r, v); }
static inline bool rd_e32(struct rd *r, bool be, uint32_t *v) { return be ? rd_u32(r, v) : rd_le32(r, v); }

/* Stop reading: sets the end state and the message (libpcap's style),
 * copies it to errbuf (may be NULL); returns -1. */
int pf_fail(struct pcapfile *f, enum pcapfile_end how, char *errbuf, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The input ended n bytes short: an I/O or gzip error if there was one,
 * else the file was cut (what tried to read, how much it got). */
int pf_short(struct pcapfile *f, char *errbuf, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* End of input at a block boundary: clean, unless the gzip stream was cut. */
int pf_eof(struct pcapfile *f, char *errbuf);
void pf_add_dlt(struct pcapfile *f, int dlt);
uint32_t pf_adjust_snaplen(uint32_t snaplen);
void pf_queue_secret(struct pcapfile *f, uint32_t type, const uint8_t *p, size_t n);

/* pcapng.c */
int pcapng_open(struct pcapfile *f, char *errbuf);
int pcapng_next(struct pcapfile *f, struct pcapfile_pkt *pkt, char *errbuf);
void pcapng_free(struct pcapfile *f);

#endif
