/* http2.h - the server's answer in decrypted HTTP/2: the first response's :status and a GOAWAY.
 *
 * Only what tells whether the server refused the request is read: the
 * :status of the first response (HPACK, RFC 7541, static table and Huffman
 * strings, no dynamic table) and the server's GOAWAY (RFC 9113 §6.8). No
 * other header and no payload byte is kept.
 */
#ifndef TLSDIAG_HTTP2_H
#define TLSDIAG_HTTP2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- HPACK ---- */

enum hpack_status {
	HPACK_STATUS,      /* *status holds the :status code */
	HPACK_NO_STATUS,   /* the block starts with another field: no :status in it */
	HPACK_UNREADABLE   /* malformed, cut short, or needs the dynamic table */
};

/* The :status of a header block (it comes first: RFC 9113 §8.3). */
enum hpack_status hpack_status(const uint8_t *block, size_t len, uint16_t *status);

/* A Huffman-coded string (RFC 7541 §5.2, Appendix B) into out; false when
 * malformed (EOS inside, bad padding) or longer than cap. */
bool hpack_huffman(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len);

/* ---- the server's frames ---- */

/* The start of a HEADERS or GOAWAY payload that is kept: the :status field
 * comes first, and a GOAWAY's ids are its first 8 bytes. */
#define H2_KEEP 256
/* Frames looked at before giving up: the answer comes within the first few. */
#define H2_FRAMES_MAX 256

#define H2_SAW_STATUS 1u
#define H2_SAW_GOAWAY 2u

struct h2_scan {
	uint8_t hdr[9];
	uint8_t hdr_n;
	uint32_t len, left;   /* the current frame's payload length, and what is still to come */
	uint8_t type, flags;
	uint32_t stream;
	uint8_t keep[H2_KEEP];
	uint16_t keep_n;
	uint32_t frames;
	bool stop;            /* not HTTP/2, unreadable, or all that is wanted seen */
	/* what was found */
	bool status_seen;
	uint16_t status;
	uint32_t status_stream;
	bool goaway_seen;
	uint32_t goaway_last_stream, goaway_error;
};

/* Feed the server's decrypted application bytes in order; returns the
 * H2_SAW_ bits of what these bytes completed. */
unsigned h2_scan_feed(struct h2_scan *h, const uint8_t *p, size_t len);

/* Does a client's stream start with the HTTP/2 connection preface? */
bool h2_client_preface(const uint8_t *p, size_t len);

/* "NO_ERROR", "PROTOCOL_ERROR", ... (RFC 9113 §7), NULL if unknown. */
const char *h2_error_name(uint32_t code);

#endif
