/* tls_record.h - TLS record framing of one direction's byte stream (RFC 5246 §6.2, RFC 8446 §5). */
#ifndef TLSDIAG_TLS_RECORD_H
#define TLSDIAG_TLS_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

#define TLS_CT_CCS        20
#define TLS_CT_ALERT      21
#define TLS_CT_HANDSHAKE  22
#define TLS_CT_APPDATA    23
#define TLS_CT_HEARTBEAT  24

/* One record header as it was on the wire (RFC 5246 §6.2.1, RFC 8446 §5.1). */
struct tls_rec_hdr {
	uint8_t type;
	uint16_t version;
	uint32_t len;           /* of the body */
	uint8_t wire[5];        /* the header's bytes: TLS 1.3's AEAD additional data (RFC 8446 §5.2) */
};

/*
 * The framer finds records in the bytes and hands each complete one up
 * with the frame that completed it. Application data is not copied unless
 * asked for (tls_rec_dir.keep_appdata): record() then gets a NULL body and
 * only the header. Other records are passed whole (from the packet when
 * they fit in it, else from a buffer sized to the record, at most
 * LIM_RECORD_LEN).
 */
struct tls_rec_cb {
	void (*record)(void *ctx, int side, const struct tls_rec_hdr *h, const uint8_t *body, uint64_t frame,
		       const struct ts *t);
	/* SSLv2-compatible ClientHello (RFC 5246 Appendix E.2): the body after
	 * the 2-byte header, starting with msg_type */
	void (*sslv2)(void *ctx, int side, const uint8_t *body, uint32_t len, uint64_t frame,
		      const struct ts *t);
	/* the first bytes of a direction that does not start with TLS */
	void (*plaintext)(void *ctx, int side, const uint8_t *p, uint32_t n, uint64_t frame);
	/* TLS started after plaintext (STARTTLS), or resumed after a gap */
	void (*resync)(void *ctx, int side, uint64_t frame, uint64_t skipped, bool starttls);
	void (*event)(void *ctx, uint64_t frame, const char *id, const char *detail);
	/* the first record header of a side is TLS's but not a valid one */
	void (*bad_start)(void *ctx, int side);
};

enum tls_rec_state {
	RS_START = 0,   /* nothing seen yet */
	RS_HEADER,      /* reading a record header */
	RS_BODY,        /* inside a record */
	RS_SEEK,        /* lost the framing: look for a header at segment starts */
	RS_PLAINTEXT,   /* not TLS so far: watch for a STARTTLS switch */
	RS_DEAD         /* not TLS: ignore the rest */
};

struct tls_rec_dir {
	uint8_t state;
	bool mid_stream;        /* the stream's first byte was not seen */
	bool sslv2;             /* current record has an SSLv2 header */
	bool keep;              /* current body is handed up (not app data) */
	bool keep_appdata;      /* hand application data bodies up too (set by the caller: a decryptor wants them) */
	uint8_t hdr_n;          /* bytes of cur.wire read so far */
	struct tls_rec_hdr cur; /* the record being read */
	uint16_t last_version;  /* of the last good record, to resync on */
	uint32_t have;          /* body bytes of cur read so far */
	uint8_t *body;
	uint64_t skipped;       /* bytes passed over while seeking */
	uint64_t records;
};

void tls_rec_init(struct tls_rec_dir *d, bool mid_stream);
void tls_rec_feed(struct tls_rec_dir *d, int side, const uint8_t *p, uint32_t n, uint64_t frame,
		  const struct ts *t, const struct tls_rec_cb *cb, void *ctx);
/* Bytes were lost: drop the partial record and seek the next header. */
void tls_rec_gap(struct tls_rec_dir *d);
void tls_rec_free(struct tls_rec_dir *d);

/* Does a 5-byte header look like a TLS record? */
bool tls_rec_plausible(const uint8_t *h, uint32_t n);

/* The first bytes of a stream as a hello tells their sender: SIDE_CLIENT
 * for a ClientHello (TLS or SSLv2), SIDE_SERVER for a ServerHello, -1 when
 * they do not tell. */
int tls_rec_hello_sender(const uint8_t *p, uint32_t n);

#endif
