/* fuzz_tls.c - libFuzzer harness: both directions of a TLS connection in arbitrary chunks -> facts, rules, reports. */
/*
 * Input (see fuzz/README.md):
 *   flags:1  time:4 (capture seconds, big endian)
 *   then chunks, each a 16-bit big-endian header H:
 *     H & 0x8000  side (0 client, 1 server)
 *     H & 0x4000  a gap: tls_conn_gap(side, H & 0x3fff or 1), no data follows
 *     else        H & 0x3fff bytes of that side's stream follow (fewer at the end)
 * flags: 1,2 mid_stream client/server  4 verbose reports  8 --hostname www.example.com
 *        4|8 both: and --redact=names (rarer: its tables are costly)  16 server sends RST
 *        64 else FIN both ways  32 nanosecond timestamps  128 --hostname localhost
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diagnose.h"
#include "json.h"
#include "mem.h"
#include "redact.h"
#include "reporter.h"
#include "session.h"
#include "tls_conn.h"
#include "x509.h"

#include "fuzz_common.h"

#define MAX_CHUNKS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	size_t mem0 = mem_in_use();
	uint8_t flags = fin_u8(&in);
	struct ts t = { (int64_t)fin_be(&in, 4), 0 };
	bool mid[2] = { flags & 1, flags & 2 };
	if ((flags & 12) == 12)
		redact_enable(true, true);

	struct session *s = session_new();
	struct budget budget = { 0 };
	struct tls_conn *c = tls_conn_new(s, mid, &budget);
	uint64_t frame = 0, packets[2] = { 0, 0 };
	s->start_time = t;
	for (int k = 0; in.n >= 2 && k < MAX_CHUNKS; k++) {
		uint16_t h = (uint16_t)fin_be(&in, 2);
		int side = h >> 15;
		uint32_t n = h & 0x3fff;
		frame++;
		packets[side]++;
		t.nsec = (t.nsec + 1000) % 1000000000u;
		if (h & 0x4000) {
			tls_conn_gap(c, side, n ? n : 1, frame, n & 1 ? "snaplen" : "capture loss");
			continue;
		}
		size_t got;
		const uint8_t *p = fin_take(&in, n, &got);
		tls_conn_data(c, side, p, (uint32_t)got, frame, &t);
	}

	/* the TCP facts the analyzer would fill in */
	s->file = "fuzz";
	s->af = 4;
	s->client_ip[0] = 10, s->client_ip[3] = 1;
	s->server_ip[0] = 10, s->server_ip[3] = 2;
	s->client_port = 40000;
	s->server_port = 443;
	s->first_frame = 1;
	s->last_frame = frame;
	s->end_time = t;
	s->ts_prec = flags & 32 ? 9 : 6;
	for (int d = 0; d < 2; d++) {
		s->dir[d].packets = packets[d];
		s->dir[d].syn = !mid[d];
	}
	if (flags & 16) {
		s->close_kind = CLOSE_RST;
		s->closed_by = SIDE_SERVER;
		s->dir[SIDE_SERVER].rst = true;
		s->dir[SIDE_SERVER].rst_frame = frame;
	} else if (flags & 64) {
		s->close_kind = CLOSE_FIN;
		s->closed_by = SIDE_CLIENT;
		s->dir[0].fin = s->dir[1].fin = true;
		s->dir[0].fin_frame = s->dir[1].fin_frame = frame;
	} else {
		s->close_kind = CLOSE_END_OF_CAPTURE;
	}
	s->close_frame = frame;

	session_finish(s);
	tls_conn_free(c);
	struct diag_opts o = { .expiry_warn_days = 30 };
	if (flags & 136)
		o.hostname = flags & 8 ? "www.example.com" : "localhost";
	diagnose_session(s, &o, &s->findings);
	fuzz_render(s, flags & 4);
	session_free(s);

	check_counter("handshake bytes buffered (budget.handshake_bytes)", 0, budget.handshake_bytes);
	x509_cache_clear();
	redact_free();
	redact_enable(false, false);
	check_counter("accounted memory (mem_in_use)", mem0, mem_in_use());
	return 0;
}
