/* pcapfile.h - a streaming reader of capture files: classic pcap and pcapng, plain or gzip, file or pipe. */
#ifndef TLSDIAG_PCAPFILE_H
#define TLSDIAG_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Formats: classic pcap in either byte order, with microsecond or
 * nanosecond magic, and the "modified" (Kuznetzov) variant; pcapng
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html) with
 * any number of sections, each in its own byte order, interfaces of
 * different link types, Enhanced, Simple and obsolete Packet Blocks, and
 * Decryption Secrets Blocks; every other block is skipped by its length.
 * Either of them may be gzip-compressed; input may be a pipe.
 *
 * Frame numbers count every packet block, as Wireshark numbers frames.
 * Headers that lie (a length past the end of the file, a caplen above
 * LIM_CAPLEN, a block above its cap) stop the reading with a message in
 * libpcap's style; everything returned before stays valid. Link types are
 * the LINKTYPE_ values of the file mapped to libpcap's DLT_ values (the
 * two differ for raw IP: LINKTYPE_RAW 101 is DLT_RAW).
 */

#define PCAPFILE_ERRBUF 256
/* pcapng timestamps are 64-bit: seconds beyond 2^33 (the year 2242) either
 * way are clamped to it, so nanoseconds since 1970 fit in an int64_t. */
#define PCAPFILE_MAX_SEC (INT64_C(1) << 33)

struct pcapfile;

enum pcapfile_format { PCAPFILE_PCAP, PCAPFILE_PCAPNG };

struct pcapfile_pkt {
	uint64_t frame;          /* 1-based, counting every packet block */
	int64_t sec;             /* as libpcap gives it (may be before 1970), within PCAPFILE_MAX_SEC */
	uint32_t nsec;           /* nanoseconds (not checked below 10^9, as libpcap) */
	uint32_t caplen;         /* bytes at data (at most the interface's snaplen) */
	uint32_t len;            /* length on the wire */
	const uint8_t *data;     /* valid until the next pcapfile_next or pcapfile_close */
	uint32_t interface;      /* pcapng interface id within its section; 0 for pcap */
	int dlt;                 /* link type of the packet's interface */
};

/* A Decryption Secrets Block (pcapng block type 0x0000000A). */
#define PCAPFILE_SECRETS_TLS_KEYLOG 0x544c534bu   /* "TLSK": NSS key log lines */
struct pcapfile_secrets {
	uint32_t type;           /* PCAPFILE_SECRETS_TLS_KEYLOG, or another secrets type */
	const uint8_t *data;     /* valid until the next pcapfile_secrets, pcapfile_next or pcapfile_close */
	size_t len;
	uint64_t after_frame;    /* packets read before the block (0: before the first) */
};

/* How reading ended (pcapfile_next returned 0 or -1). */
enum pcapfile_end {
	PCAPFILE_MORE,           /* not ended yet */
	PCAPFILE_CLEAN,          /* end of file at a block boundary */
	PCAPFILE_CUT,            /* the file ended inside a block: mid-packet, or inside its header */
	PCAPFILE_DAMAGED,        /* a header lies or the format is broken */
	PCAPFILE_IO_ERROR,       /* read(2) or gzip failed */
};

/* path "-" is standard input. gzip input (the magic 1f 8b) is
 * decompressed, from a pipe too. Reads the file header (pcapng: every
 * block up to the first packet block), so the link types of the first
 * interfaces are known. NULL on failure, with errbuf filled (without the
 * path: the caller names the file). */
struct pcapfile *pcapfile_open(const char *path, char *errbuf);
/* The same over bytes in memory (tests, fuzzing); not copied: they must
 * outlive the reader. gzip is decompressed here too. */
struct pcapfile *pcapfile_open_mem(const void *data, size_t len, char *errbuf);

/* 1: a packet in *pkt; 0: clean end of file; -1: reading stopped, errbuf
 * says why and pcapfile_end says how. Once ended, every call repeats it. */
int pcapfile_next(struct pcapfile *f, struct pcapfile_pkt *pkt, char *errbuf);

/* The next Decryption Secrets Block read so far and not yet taken, in
 * file order; false if none. Blocks above LIM_SECRETS_HELD in total that
 * nobody took are dropped and counted. */
bool pcapfile_secrets(struct pcapfile *f, struct pcapfile_secrets *out);
uint64_t pcapfile_secrets_dropped(const struct pcapfile *f);

enum pcapfile_format pcapfile_format(const struct pcapfile *f);
enum pcapfile_end pcapfile_end(const struct pcapfile *f);
uint64_t pcapfile_frames(const struct pcapfile *f);      /* packets returned so far */
uint64_t pcapfile_offset(const struct pcapfile *f);      /* bytes read so far (gzip: inflated) */
/* The first interface's link type (classic pcap: the file's) and snaplen
 * (adjusted as libpcap does: 0 or above INT32_MAX becomes LIM_CAPLEN). */
int pcapfile_dlt(const struct pcapfile *f);
uint32_t pcapfile_snaplen(const struct pcapfile *f);
/* 9 if the first interface stamps finer than microseconds, else 6. */
int pcapfile_ts_digits(const struct pcapfile *f);
/* The distinct link types of every interface seen so far, in order. */
size_t pcapfile_dlts(const struct pcapfile *f, int *out, size_t max);
void pcapfile_close(struct pcapfile *f);

/* LINKTYPE_ (file) to DLT_ (libpcap) values. */
int pcapfile_linktype_to_dlt(uint32_t linktype);

#endif
