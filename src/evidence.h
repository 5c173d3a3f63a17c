/* evidence.h - -w: write the packets of the connections worth a support case to a small pcap. */
#ifndef TLSDIAG_EVIDENCE_H
#define TLSDIAG_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

/*
 * A connection's packets are held from its first packet until its verdict
 * (the handshake settled: keep it if it has an error finding, or all TLS
 * connections with --write-all), then written together, so the file holds
 * whole connections. Holding is capped per connection and in total; a
 * connection over the cap keeps its first packets (the handshake).
 */
struct evidence;
struct ev_conn;

/* pcapng: --write-secrets, a pcapng file with Decryption Secrets Blocks (pcapng_write.h). */
struct evidence *evidence_open(const char *path, pcap_t *source, bool pcapng, char *errbuf);
/* A packet of a connection; *ec is created on first use. */
void evidence_packet(struct evidence *e, struct ev_conn **ec, const struct capture_pkt *p);
/* The verdict: keep (write what is held and what follows) or drop. */
void evidence_verdict(struct evidence *e, struct ev_conn *ec, bool keep);
/* --write-secrets: the key-log lines of a connection about to be kept,
 * written as a Decryption Secrets Block before its packets (nothing for a
 * pcap file, or a connection already decided). Call before evidence_verdict. */
void evidence_secrets(struct evidence *e, const struct ev_conn *ec, const char *text, size_t len);
bool evidence_writes_secrets(const struct evidence *e);
uint64_t evidence_secret_blocks(const struct evidence *e);
/* Live: the connection was reported before it closed; from now on at
 * most EV_FOLLOW_PACKETS packets or EV_FOLLOW_BYTES bytes more of it are
 * written (its alerts and closes, not a long transfer). */
#define EV_FOLLOW_PACKETS 256u
#define EV_FOLLOW_BYTES   (1u << 20)
void evidence_follow(struct ev_conn *ec);
/* The written file's frame for an original frame of this connection, 0 if none. */
uint64_t evidence_written_frame(const struct ev_conn *ec, uint64_t frame);
bool evidence_truncated(const struct ev_conn *ec);
/* The connection is gone: release what it holds (dropped if undecided). */
void evidence_conn_free(struct evidence *e, struct ev_conn *ec);
uint64_t evidence_packets_written(const struct evidence *e);
const char *evidence_path(const struct evidence *e);
/* Flush and close; false if writing failed (errbuf says why). */
bool evidence_close(struct evidence *e, char *errbuf);

#endif
