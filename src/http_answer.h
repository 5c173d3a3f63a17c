/* http_answer.h - the server's HTTP answer inside TLS, from the decrypted
 * application records: an HTTP/1.x status line, or HTTP/2's first :status,
 * GOAWAY and frame counts (http2.c reads the frames). These are the facts
 * that tell a refusal after the handshake (a 400 for a missing client
 * certificate) from a connection that worked.
 */
#ifndef TLSDIAG_HTTP_ANSWER_H
#define TLSDIAG_HTTP_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

struct h2_scan;
struct session;

/* One connection's reading of its answer; all zero to start. */
struct http_answer {
	struct h2_scan *h2;                /* the server's HTTP/2 frames, until their answer is read */
	bool h2_tried;                     /* the server's first application record was offered to it */
};

/* A decrypted application record of side (body NULL: its bytes were not kept). */
void http_answer_record(struct http_answer *a, struct session *s, int side, const uint8_t *body, uint32_t len,
			uint64_t frame);
void http_answer_free(struct http_answer *a);

#endif
