/* capture.h - packets from capture files (pcap, pcapng, gzip; pcapfile.h) or live interfaces (libpcap). */
#ifndef TLSDIAG_CAPTURE_H
#define TLSDIAG_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include "pcapfile.h"
#include "session.h"

#define CAPTURE_ERRBUF 512

struct capture;

struct capture_pkt {
	uint64_t frame;          /* 1-based index in the file, counting every packet */
	struct ts time;
	uint32_t caplen;
	uint32_t len;
	const uint8_t *data;
	/* The link type of the packet's own interface: a pcapng file may mix
	 * them (Ethernet and raw IP, say); decode each packet by its own. */
	int dlt;
	const char *dlt_name;    /* libpcap's name of dlt ("EN10MB"), static */
	uint32_t interface;      /* pcapng interface id in its section; 0 for pcap and live */
};

/* Open a capture file (pcap or pcapng, gzip-compressed or not; "-" is
 * standard input, a pipe too). filter (may be NULL) is a BPF expression
 * applied per packet, compiled for each link type the file holds; frame
 * numbers still count every packet, so they match Wireshark on the
 * unfiltered file. Fails unless some interface described before the first
 * packet has a link type decode.c supports. On failure returns NULL and
 * fills errbuf. */
struct capture *capture_open_file(const char *path, const char *filter, char *errbuf);

/* Live capture (see capture_live.c). */
struct capture_live_opts {
	const char *device;      /* NULL: the default device */
	int snaplen;             /* 0: whole packets */
	int buffer_size;         /* bytes, 0: libpcap default */
	bool immediate;
	const char *filter;      /* NULL: "tcp" */
};
struct capture *capture_open_live(const struct capture_live_opts *o, char *errbuf);

/* 1: a packet, 0: end of file, -1: the file is damaged from here (errbuf
 * says how; earlier packets stay valid; capture_end tells a file cut
 * mid-packet from a lying header), -2: interrupted (live). For live
 * captures, a timeout with no packet returns 2. */
int capture_next(struct capture *c, struct capture_pkt *pkt, char *errbuf);

/* pcapng Decryption Secrets Blocks read so far, in file order, each once
 * (out->type PCAPFILE_SECRETS_TLS_KEYLOG: NSS key log text; after_frame:
 * how many packets came before it). Call after each capture_next: blocks
 * before the first packet are read when the file is opened. false: none
 * waiting (always for live captures). */
bool capture_secrets(struct capture *c, struct pcapfile_secrets *out);
/* How a file's reading ended: PCAPFILE_CLEAN, PCAPFILE_CUT (the file ends
 * in the middle of a packet or block: connections open at that point
 * were cut off by the capture), PCAPFILE_DAMAGED, PCAPFILE_IO_ERROR;
 * PCAPFILE_MORE while reading and for live captures. */
enum pcapfile_end capture_end(const struct capture *c);

/* -D: the devices libpcap can capture on, numbered as tcpdump does. */
int capture_list_devices(FILE *out, char *errbuf);
/* libpcap's counters of a live capture. */
bool capture_stats(struct capture *c, uint64_t *received, uint64_t *dropped, uint64_t *if_dropped);

/* The link type of the first interface (the first one decode.c supports)
 * and its name: what -w writes. */
int capture_datalink(const struct capture *c);
const char *capture_datalink_name(const struct capture *c);
/* Every link type of the file's interfaces seen so far, "EN10MB" or
 * "EN10MB, RAW"; valid until the next call or capture_close. */
const char *capture_link_names(struct capture *c);
int capture_ts_digits(const struct capture *c);   /* 6 or 9 */
uint64_t capture_frames(const struct capture *c);  /* packets read so far */
uint64_t capture_offset(const struct capture *c);  /* a file's bytes read so far (0 live) */
/* A handle for pcap_dump_open (-w): the live one, or for a file a dead
 * one of capture_datalink's link type, microsecond timestamps. */
pcap_t *capture_pcap(struct capture *c);
void capture_break(struct capture *c);            /* live, from a signal handler */
void capture_close(struct capture *c);

#endif
