/* pcapng_write.h - -w --write-secrets: a pcapng file whose Decryption Secrets Blocks hold the written connections' key-log lines. */
#ifndef TLSDIAG_PCAPNG_WRITE_H
#define TLSDIAG_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One section, one interface (the capture's link type and snapshot length,
 * microsecond time stamps: what -w writes as pcap too), Enhanced Packet
 * Blocks, and a Decryption Secrets Block (type 0x0000000A, secrets type
 * 0x544c534b "TLSK", as editcap --inject-secrets writes) before the packets
 * of each connection whose secrets the key logs hold. Wireshark and tlsdiag
 * read every DSB of a file, so the file opens decrypted with no option.
 * Blocks are written in host byte order (the section header's byte-order
 * magic says which).
 */
struct ngw;

/* path "-": standard output. NULL and errbuf filled on failure. */
struct ngw *ngw_open(const char *path, int linktype, uint32_t snaplen, char *errbuf, size_t errlen);
void ngw_packet(struct ngw *w, int64_t sec, int64_t usec, uint32_t caplen, uint32_t origlen, const uint8_t *data);
void ngw_secrets(struct ngw *w, const char *text, size_t len);
uint64_t ngw_secret_blocks(const struct ngw *w);
/* Flush and close; false if any write failed. */
bool ngw_close(struct ngw *w);

#endif
