/* capture.h - packets from capture files (pcap, pcapng, gzip) or live interfaces, via libpcap. */
#ifndef TLSDIAG_CAPTURE_H
#define TLSDIAG_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include "session.h"

#define CAPTURE_ERRBUF 512

struct capture;

struct capture_pkt {
	uint64_t frame;          /* 1-based index in the file, counting every packet */
	struct ts time;
	uint32_t caplen;
	uint32_t len;
	const uint8_t *data;
};

/* Open a capture file, gzip-compressed or not. filter (may be NULL) is a
 * BPF expression applied per packet; frame numbers still count every
 * packet, so they match Wireshark on the unfiltered file. On failure
 * returns NULL and fills errbuf. */
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
 * says how; earlier packets stay valid), -2: interrupted (live). For live
 * captures, a timeout with no packet returns 2. */
int capture_next(struct capture *c, struct capture_pkt *pkt, char *errbuf);

/* -D: the devices libpcap can capture on, numbered as tcpdump does. */
int capture_list_devices(FILE *out, char *errbuf);
/* libpcap's counters of a live capture. */
bool capture_stats(struct capture *c, uint64_t *received, uint64_t *dropped, uint64_t *if_dropped);

int capture_datalink(const struct capture *c);
const char *capture_datalink_name(const struct capture *c);
int capture_ts_digits(const struct capture *c);   /* 6 or 9 */
uint64_t capture_frames(const struct capture *c);  /* packets read so far */
pcap_t *capture_pcap(struct capture *c);
void capture_break(struct capture *c);            /* from a signal handler */
void capture_close(struct capture *c);

#endif
