/* http2.h - the server's answer in decrypted HTTP/2: the first response's :status and a GOAWAY.
 *
 * Only what tells whether the server refused the request is read: the
 * :status of the first final response (HPACK, RFC 7541) and the server's
 * GOAWAY (RFC 9113 §6.8). No other header and no payload byte is kept: the
 * dynamic table holds the sizes of its entries and, for :status entries,
 * the code, which is all that later indices and evictions need.
 */
#ifndef TLSDIAG_HTTP2_H
#define TLSDIAG_HTTP2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- HPACK ---- */

/* Entries held: a table of the default 4096 bytes holds at most 4096 / 32
 * (§4.1: an entry costs 32 bytes more than its strings). */
#define HPACK_ENTRIES 128
/* Longest name or value handed to a field callback; longer ones are measured only. */
#define HPACK_STR_MAX 128
/* The dynamic table's size before any size update (RFC 9113 §6.5.2). */
#define HPACK_DEFAULT_TABLE 4096u

struct hpack_entry {
	uint32_t size;       /* name + value + 32 (§4.1) */
	uint32_t name_len;
	bool is_status;      /* its name is :status */
	uint16_t status;     /* and its value a 3-digit code, else 0 */
};

struct hpack_table {
	uint32_t max;        /* the size limit in force (§4.2) */
	uint32_t size;
	uint32_t n, newest;  /* a ring: ent[newest] is index 62 */
	bool lost;           /* more entries than HPACK_ENTRIES: dynamic indices are unknown from now on */
	struct hpack_entry ent[HPACK_ENTRIES];
};

void hpack_table_init(struct hpack_table *t, uint32_t max);

/* One decoded field, for the callback to look at and forget. name and
 * value are NUL-terminated, or NULL when they came from the dynamic table
 * (which keeps no strings) or are longer than HPACK_STR_MAX. */
struct hpack_field {
	const char *name, *value;
	size_t name_len, value_len;
	uint32_t index;      /* the table index of the field or of its name, 0 for a new name */
	bool indexed;        /* the whole field came from the table (§6.1) */
	bool is_status;      /* its name is :status */
	uint16_t status;     /* and its value a 3-digit code, else 0 */
};

typedef void (*hpack_field_fn)(const struct hpack_field *f, void *arg);

/* Decode a whole header block, updating the table; fn (may be NULL) sees
 * each field. false when malformed, cut short or a dynamic index is
 * unknown (the fields before were seen); the table is marked lost then. */
bool hpack_decode(struct hpack_table *t, const uint8_t *block, size_t len, hpack_field_fn fn, void *arg);

enum hpack_status {
	HPACK_STATUS,      /* *status holds the :status code */
	HPACK_NO_STATUS,   /* the block starts with another field: no :status in it */
	HPACK_UNREADABLE   /* malformed, cut short before the first field, or an unknown index */
};

/* The :status of a header block (it comes first: RFC 9113 §8.3), the block
 * decoded with hpack_decode. */
enum hpack_status hpack_status(struct hpack_table *t, const uint8_t *block, size_t len, uint16_t *status);

/* A Huffman-coded string (RFC 7541 §5.2, Appendix B): at most cap bytes
 * into out (out may be NULL), the whole decoded length in *out_len; false
 * when malformed (EOS inside, bad padding). */
bool hpack_huffman(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len);

/* ---- the server's frames ---- */

/* A header block kept for decoding (HEADERS or PUSH_PROMISE and their
 * CONTINUATION): the :status comes first and interim responses are short;
 * beyond it the block is cut and only its first fields count. */
#define H2_BLOCK_MAX 2048
/* Frames looked at before giving up: the answer comes within the first few. */
#define H2_FRAMES_MAX 64

/* Frame types of RFC 9113 §6: DATA (0) .. CONTINUATION (9). */
#define H2_TYPES 10

#define H2_SAW_STATUS 1u
#define H2_SAW_GOAWAY 2u

struct h2_scan {
	uint8_t hdr[9];
	uint8_t hdr_n;
	uint32_t len, left;   /* the current frame's payload length, and what is still to come */
	uint8_t type, flags;
	uint32_t stream;
	/* the header block being gathered: this frame's payload from frag_start on */
	uint8_t block[H2_BLOCK_MAX];
	uint32_t block_n, frag_start;
	bool block_cut;       /* bytes of it were dropped */
	bool in_block;        /* a CONTINUATION must come next (no END_HEADERS yet) */
	uint8_t block_type;
	uint32_t block_stream;
	uint8_t goaway[8];
	uint8_t goaway_n;
	struct hpack_table table;
	uint32_t frames;
	bool stop;            /* not HTTP/2, unreadable, or all that is wanted seen */
	/* what was found */
	bool status_seen;
	uint16_t status;
	uint32_t status_stream;
	bool goaway_seen;
	uint32_t goaway_last_stream, goaway_error;
	/* what the complete frames read held (RFC 9113 §6), so a report can
	 * tell the response from the connection's own frames: a count per
	 * type (H2_TYPES for any other type), the SETTINGS acks among them,
	 * the DATA bytes of the first response's stream, and the bytes of
	 * those frames with their 9-byte headers */
	uint16_t by_type[H2_TYPES + 1];
	uint16_t settings_acks;
	uint32_t response_data;
	uint32_t bytes;
};

void h2_scan_init(struct h2_scan *h);

/* Feed the server's decrypted application bytes in order; returns the
 * H2_SAW_ bits of what these bytes completed. */
unsigned h2_scan_feed(struct h2_scan *h, const uint8_t *p, size_t len);

/* Does a client's stream start with the HTTP/2 connection preface? */
bool h2_client_preface(const uint8_t *p, size_t len);

/* "NO_ERROR", "PROTOCOL_ERROR", ... (RFC 9113 §7), NULL if unknown. */
const char *h2_error_name(uint32_t code);

/* A GOAWAY's error code as reports print it: "PROTOCOL_ERROR (0x1)", or
 * "error code 0xff (not in RFC 9113)". */
void h2_error_text(char *buf, size_t n, uint32_t code);

/* "DATA", "HEADERS", ... "CONTINUATION" (RFC 9113 §6), NULL past them. */
const char *h2_frame_name(unsigned type);

#endif
