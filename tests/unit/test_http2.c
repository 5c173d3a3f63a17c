/* test_http2.c - CUnit tests for the HTTP/2 answer reader (src/http2.c): HPACK with RFC 7541 Appendix C, frames. */
#include "http2.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

/* ---- the fields of a block, as a decoder callback sees them ---- */

struct seen {
	int n;
	char line[8][160];   /* "name: value", or "[62] 10+15" for a dynamic entry */
	bool is_status[8];
	uint16_t status[8];
};

static void collect(const struct hpack_field *f, void *arg)
{
	struct seen *s = arg;
	if (s->n >= 8)
		return;
	if (f->name && f->value)
		snprintf(s->line[s->n], sizeof s->line[0], "%s: %s", f->name, f->value);
	else
		snprintf(s->line[s->n], sizeof s->line[0], "[%u] %zu+%zu", (unsigned)f->index, f->name_len,
			 f->value_len);
	s->is_status[s->n] = f->is_status;
	s->status[s->n] = f->status;
	s->n++;
}

static bool decode_hex(struct hpack_table *t, const char *hex, struct seen *s)
{
	uint8_t block[256];
	size_t n = test_unhex(hex, block, sizeof block);
	memset(s, 0, sizeof *s);
	return hpack_decode(t, block, n, collect, s);
}

static enum hpack_status status_hex(struct hpack_table *t, const char *hex, uint16_t *code)
{
	uint8_t block[256];
	size_t n = test_unhex(hex, block, sizeof block);
	return hpack_status(t, block, n, code);
}

/* ---- RFC 7541 C.4: requests with Huffman, one table ---- */

static void test_c4_requests_huffman(void)
{
	struct hpack_table t;
	struct seen s;
	uint16_t code = 0;
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);

	/* C.4.1 */
	CU_ASSERT_TRUE(decode_hex(&t, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", &s));
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT_STRING_EQUAL(s.line[0], ":method: GET");
	CU_ASSERT_STRING_EQUAL(s.line[1], ":scheme: http");
	CU_ASSERT_STRING_EQUAL(s.line[2], ":path: /");
	CU_ASSERT_STRING_EQUAL(s.line[3], ":authority: www.example.com");
	CU_ASSERT_EQUAL(t.size, 57);
	CU_ASSERT_EQUAL(t.n, 1);

	/* C.4.2: :authority comes from the dynamic table, which keeps only its sizes */
	CU_ASSERT_TRUE(decode_hex(&t, "8286 84be 5886 a8eb 1064 9cbf", &s));
	CU_ASSERT_EQUAL(s.n, 5);
	CU_ASSERT_STRING_EQUAL(s.line[2], ":path: /");
	CU_ASSERT_STRING_EQUAL(s.line[3], "[62] 10+15");
	CU_ASSERT_STRING_EQUAL(s.line[4], "cache-control: no-cache");
	CU_ASSERT_EQUAL(t.size, 110);
	CU_ASSERT_EQUAL(t.n, 2);

	/* C.4.3: a new name, Huffman-coded, with incremental indexing */
	CU_ASSERT_TRUE(decode_hex(&t, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", &s));
	CU_ASSERT_EQUAL(s.n, 5);
	CU_ASSERT_STRING_EQUAL(s.line[1], ":scheme: https");
	CU_ASSERT_STRING_EQUAL(s.line[2], ":path: /index.html");
	CU_ASSERT_STRING_EQUAL(s.line[3], "[63] 10+15");
	CU_ASSERT_STRING_EQUAL(s.line[4], "custom-key: custom-value");
	CU_ASSERT_EQUAL(t.size, 164);
	CU_ASSERT_EQUAL(t.n, 3);
	for (int i = 0; i < s.n; i++)
		CU_ASSERT_FALSE(s.is_status[i]);

	/* a request has no :status */
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_EQUAL(status_hex(&t, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", &code), HPACK_NO_STATUS);
}

/* ---- RFC 7541 C.6: responses with Huffman, a 256-byte table that evicts ---- */

static const char c61[] = "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
			  "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3";
static const char c62[] = "4883 640e ffc1 c0bf";
static const char c63[] = "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab"
			  "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f"
			  "9587 3160 65c0 03ed 4ee5 b106 3d50 07";

static void test_c6_responses_status(void)
{
	struct hpack_table t;
	uint16_t code = 0;
	hpack_table_init(&t, 256);
	CU_ASSERT_EQUAL(status_hex(&t, c61, &code), HPACK_STATUS);
	CU_ASSERT_EQUAL(code, 302);
	CU_ASSERT_EQUAL(t.size, 222);
	CU_ASSERT_EQUAL(t.n, 4);
	CU_ASSERT_EQUAL(status_hex(&t, c62, &code), HPACK_STATUS);
	CU_ASSERT_EQUAL(code, 307);
	CU_ASSERT_EQUAL(t.size, 222);   /* :status 302 evicted for :status 307 */
	CU_ASSERT_EQUAL(t.n, 4);
	CU_ASSERT_EQUAL(status_hex(&t, c63, &code), HPACK_STATUS);
	CU_ASSERT_EQUAL(code, 200);
	CU_ASSERT_EQUAL(t.size, 215);
	CU_ASSERT_EQUAL(t.n, 3);
	CU_ASSERT_FALSE(t.lost);
}

static void test_c6_responses_fields(void)
{
	struct hpack_table t;
	struct seen s;
	hpack_table_init(&t, 256);
	CU_ASSERT_TRUE(decode_hex(&t, c61, &s));
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT_STRING_EQUAL(s.line[0], ":status: 302");
	CU_ASSERT_TRUE(s.is_status[0]);
	CU_ASSERT_EQUAL(s.status[0], 302);
	CU_ASSERT_STRING_EQUAL(s.line[1], "cache-control: private");
	CU_ASSERT_STRING_EQUAL(s.line[2], "date: Mon, 21 Oct 2013 20:13:21 GMT");
	CU_ASSERT_STRING_EQUAL(s.line[3], "location: https://www.example.com");

	/* C.6.2: the other three from the table, by their sizes */
	CU_ASSERT_TRUE(decode_hex(&t, c62, &s));
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT_STRING_EQUAL(s.line[0], ":status: 307");
	CU_ASSERT_STRING_EQUAL(s.line[1], "[65] 13+7");
	CU_ASSERT_STRING_EQUAL(s.line[2], "[64] 4+29");
	CU_ASSERT_STRING_EQUAL(s.line[3], "[63] 8+23");
	CU_ASSERT_FALSE(s.is_status[1]);

	CU_ASSERT_TRUE(decode_hex(&t, c63, &s));
	CU_ASSERT_EQUAL(s.n, 6);
	CU_ASSERT_STRING_EQUAL(s.line[0], ":status: 200");
	CU_ASSERT_EQUAL(s.status[0], 200);
	CU_ASSERT_STRING_EQUAL(s.line[2], "date: Mon, 21 Oct 2013 20:13:22 GMT");
	CU_ASSERT_STRING_EQUAL(s.line[4], "content-encoding: gzip");
	CU_ASSERT_STRING_EQUAL(s.line[5], "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
	CU_ASSERT_EQUAL(t.size, 215);
}

/* A :status taken from the dynamic table: the code is all its entry keeps. */
static void test_status_from_dynamic_table(void)
{
	struct hpack_table t;
	uint16_t code = 0;
	hpack_table_init(&t, 256);
	CU_ASSERT_EQUAL(status_hex(&t, c61, &code), HPACK_STATUS);
	CU_ASSERT_EQUAL(status_hex(&t, c62, &code), HPACK_STATUS);
	code = 0;
	CU_ASSERT_EQUAL(status_hex(&t, "be", &code), HPACK_STATUS);   /* 62: :status 307 */
	CU_ASSERT_EQUAL(code, 307);
	/* a literal with the dynamic :status name and a new value */
	CU_ASSERT_EQUAL(status_hex(&t, "7e 03 343030", &code), HPACK_STATUS);   /* 62: name :status, "400" */
	CU_ASSERT_EQUAL(code, 400);
	/* that pushed :status 307 to 63 and location to 64; cache-control was evicted */
	CU_ASSERT_EQUAL(status_hex(&t, "bf", &code), HPACK_STATUS);
	CU_ASSERT_EQUAL(code, 307);
	CU_ASSERT_EQUAL(status_hex(&t, "c0", &code), HPACK_NO_STATUS);
	CU_ASSERT_EQUAL(t.n, 4);
	CU_ASSERT_EQUAL(t.size, 42 + 42 + 63 + 65);
}

/* ---- the other representations and what is refused ---- */

static void test_literals_and_size_updates(void)
{
	struct hpack_table t;
	struct seen s;
	uint16_t code = 0;
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	/* without indexing (0000), never indexed (0001), with a new name: the table stays empty */
	CU_ASSERT_TRUE(decode_hex(&t, "08 03 343034  10 07 3a737461747573 03 353033", &s));
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(s.status[0], 404);
	CU_ASSERT_STRING_EQUAL(s.line[1], ":status: 503");
	CU_ASSERT_EQUAL(t.n, 0);
	/* with incremental indexing, then a size update to 0 empties the table, then up again */
	CU_ASSERT_TRUE(decode_hex(&t, "48 03 343033", &s));
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT_EQUAL(t.size, 7 + 3 + 32);
	CU_ASSERT_EQUAL(status_hex(&t, "20 3fe11f 8c", &code), HPACK_STATUS);
	CU_ASSERT_EQUAL(code, 400);
	CU_ASSERT_EQUAL(t.n, 0);
	CU_ASSERT_EQUAL(t.max, 4096);
	/* an entry bigger than the table empties it and is not kept (§4.4) */
	hpack_table_init(&t, 40);
	CU_ASSERT_TRUE(decode_hex(&t, "48 03 343033", &s));
	CU_ASSERT_EQUAL(t.n, 0);
	CU_ASSERT_EQUAL(t.size, 0);
	CU_ASSERT_EQUAL(status_hex(&t, "be", &code), HPACK_UNREADABLE);
}

static void test_refused_blocks(void)
{
	struct hpack_table t;
	struct seen s;
	uint16_t code = 0;
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_FALSE(decode_hex(&t, "80", &s));                 /* index 0 */
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_FALSE(decode_hex(&t, "be", &s));                 /* an empty dynamic table */
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_FALSE(decode_hex(&t, "88 20", &s));              /* a size update after a field */
	CU_ASSERT_EQUAL(s.n, 1);                                   /* the field before was seen */
	CU_ASSERT_TRUE(t.lost);
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_FALSE(decode_hex(&t, "ff ff ff ff ff 0f", &s));  /* an integer beyond 2^28 */
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_FALSE(decode_hex(&t, "48 05 3430", &s));         /* a string cut short */
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_EQUAL(status_hex(&t, "48 02 3430", &code), HPACK_UNREADABLE);   /* :status "40" */
	hpack_table_init(&t, HPACK_DEFAULT_TABLE);
	CU_ASSERT_EQUAL(status_hex(&t, "", &code), HPACK_UNREADABLE);
}

static void test_huffman(void)
{
	uint8_t in[32];
	char out[32];
	size_t n = 0, len = test_unhex("f1e3 c2e5 f23a 6ba0 ab90 f4ff", in, sizeof in);
	CU_ASSERT_TRUE(hpack_huffman(in, len, out, sizeof out, &n));
	CU_ASSERT_EQUAL(n, 15);
	CU_ASSERT_TRUE(memcmp(out, "www.example.com", 15) == 0);
	/* a small buffer gets the start, the length is the whole */
	memset(out, 0, sizeof out);
	CU_ASSERT_TRUE(hpack_huffman(in, len, out, 3, &n));
	CU_ASSERT_EQUAL(n, 15);
	CU_ASSERT_TRUE(memcmp(out, "www\0", 4) == 0);
	CU_ASSERT_TRUE(hpack_huffman(in, len, NULL, 0, &n));
	CU_ASSERT_EQUAL(n, 15);
	/* "302" = 0x6402; the symbols of 28 and 30 bits: NUL is 13 bits 1111111111000 */
	len = test_unhex("6402", in, sizeof in);
	CU_ASSERT_TRUE(hpack_huffman(in, len, out, sizeof out, &n));
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_TRUE(memcmp(out, "302", 3) == 0);
	len = test_unhex("ffc7", in, sizeof in);   /* 1111111111000 + padding 111 */
	CU_ASSERT_TRUE(hpack_huffman(in, len, out, sizeof out, &n));
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(out[0], '\0');
	/* padding of 8 bits, padding of zeros, EOS inside */
	len = test_unhex("ff", in, sizeof in);
	CU_ASSERT_FALSE(hpack_huffman(in, len, out, sizeof out, &n));
	len = test_unhex("00", in, sizeof in);   /* '0' (00000) then 000: not ones */
	CU_ASSERT_FALSE(hpack_huffman(in, len, out, sizeof out, &n));
	len = test_unhex("ffff fffc", in, sizeof in);   /* 30 ones: EOS */
	CU_ASSERT_FALSE(hpack_huffman(in, len, out, sizeof out, &n));
}

/* ---- frames ---- */

static size_t frame(uint8_t *out, uint8_t type, uint8_t flags, uint32_t stream, const char *payload_hex)
{
	uint8_t payload[512];
	size_t n = test_unhex(payload_hex, payload, sizeof payload);
	out[0] = (uint8_t)(n >> 16);
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	out[3] = type;
	out[4] = flags;
	out[5] = (uint8_t)(stream >> 24);
	out[6] = (uint8_t)(stream >> 16);
	out[7] = (uint8_t)(stream >> 8);
	out[8] = (uint8_t)stream;
	memcpy(out + 9, payload, n);
	return 9 + n;
}

/* nginx's answer: SETTINGS, WINDOW_UPDATE, a SETTINGS ack, HEADERS :status 400, DATA, fed a byte at a time */
static void test_scan_status_byte_by_byte(void)
{
	uint8_t buf[512];
	size_t n = 0;
	n += frame(buf + n, 0x4, 0, 0, "0003 00000080 0004 00010000 0005 00004000");
	n += frame(buf + n, 0x8, 0, 0, "7fff0000");
	n += frame(buf + n, 0x4, 0x1, 0, "");
	n += frame(buf + n, 0x1, 0x4, 1, "8c 76 05 6e67696e78");   /* :status 400, server: nginx */
	n += frame(buf + n, 0x0, 0x1, 1, "3c68746d6c3e");
	struct h2_scan h;
	h2_scan_init(&h);
	unsigned saw = 0;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned got = h2_scan_feed(&h, buf + i, 1);
		if (got && !at)
			at = i;
		saw |= got;
	}
	CU_ASSERT_EQUAL(saw, H2_SAW_STATUS);
	CU_ASSERT_TRUE(h.status_seen);
	CU_ASSERT_EQUAL(h.status, 400);
	CU_ASSERT_EQUAL(h.status_stream, 1);
	CU_ASSERT_EQUAL(at, n - 16);   /* the HEADERS frame's last byte */
	CU_ASSERT_FALSE(h.stop);       /* still looking for a GOAWAY */
	/* what the frames held: the connection's own and the response's */
	CU_ASSERT_EQUAL(h.by_type[0x4], 2);
	CU_ASSERT_EQUAL(h.settings_acks, 1);
	CU_ASSERT_EQUAL(h.by_type[0x8], 1);
	CU_ASSERT_EQUAL(h.by_type[0x1], 1);
	CU_ASSERT_EQUAL(h.by_type[0x0], 1);
	CU_ASSERT_EQUAL(h.response_data, 6);
	CU_ASSERT_EQUAL(h.bytes, n);
	CU_ASSERT_STRING_EQUAL(h2_frame_name(8), "WINDOW_UPDATE");
	CU_ASSERT_PTR_NULL(h2_frame_name(H2_TYPES));
}

/* Padding, priority, CONTINUATION, a 1xx before the answer, a push promise. */
static void test_scan_block_forms(void)
{
	uint8_t buf[512];
	size_t n = 0;
	n += frame(buf + n, 0x4, 0, 0, "");
	/* 103 Early Hints, padded (2 bytes) and with priority, into the table as :status 103 */
	n += frame(buf + n, 0x1, 0x4 | 0x8 | 0x20, 1, "02 80000000 10  48 03 313033  0000");
	/* a PUSH_PROMISE for stream 2: its block is decoded for the table only */
	n += frame(buf + n, 0x5, 0x4, 1, "00000002 8287 85");
	/* the answer: HEADERS without END_HEADERS, then CONTINUATION: "be" would be :status 103 (interim),
	 * so a literal of the dynamic name with "403" */
	n += frame(buf + n, 0x1, 0, 1, "7e");
	n += frame(buf + n, 0x9, 0x4, 1, "03 343033");
	struct h2_scan h;
	h2_scan_init(&h);
	CU_ASSERT_EQUAL(h2_scan_feed(&h, buf, n), H2_SAW_STATUS);
	CU_ASSERT_EQUAL(h.status, 403);
	CU_ASSERT_FALSE(h.stop);
	CU_ASSERT_EQUAL(h.table.n, 2);

	/* a frame between HEADERS and its CONTINUATION is a protocol error: stop, no answer */
	n = 0;
	n += frame(buf + n, 0x4, 0, 0, "");
	n += frame(buf + n, 0x1, 0, 1, "");
	n += frame(buf + n, 0x8, 0, 0, "00000001");
	n += frame(buf + n, 0x9, 0x4, 1, "8c");
	h2_scan_init(&h);
	CU_ASSERT_EQUAL(h2_scan_feed(&h, buf, n), 0);
	CU_ASSERT_TRUE(h.stop);
	CU_ASSERT_FALSE(h.status_seen);
}

static void test_scan_goaway(void)
{
	uint8_t buf[256];
	size_t n = 0;
	n += frame(buf + n, 0x4, 0, 0, "");
	/* last stream 0, INADEQUATE_SECURITY (0xc), debug data never kept */
	n += frame(buf + n, 0x7, 0, 0, "80000000 0000000c 736563726574");
	struct h2_scan h;
	h2_scan_init(&h);
	CU_ASSERT_EQUAL(h2_scan_feed(&h, buf, n), H2_SAW_GOAWAY);
	CU_ASSERT_TRUE(h.goaway_seen);
	CU_ASSERT_EQUAL(h.goaway_last_stream, 0);
	CU_ASSERT_EQUAL(h.goaway_error, 12);
	CU_ASSERT_STRING_EQUAL(h2_error_name(h.goaway_error), "INADEQUATE_SECURITY");
	CU_ASSERT_PTR_NULL(h2_error_name(14));
	char text[64];
	h2_error_text(text, sizeof text, 1);
	CU_ASSERT_STRING_EQUAL(text, "PROTOCOL_ERROR (0x1)");
	h2_error_text(text, sizeof text, 0xff);
	CU_ASSERT_STRING_EQUAL(text, "error code 0xff (not in RFC 9113)");
	CU_ASSERT_EQUAL(h.by_type[0x7], 1);
	CU_ASSERT_EQUAL(h.bytes, n);
	/* a frame of a type RFC 9113 does not define is counted apart */
	n = 0;
	n += frame(buf + n, 0x4, 0, 0, "");
	n += frame(buf + n, 0xfa, 0, 0, "0102");
	h2_scan_init(&h);
	h2_scan_feed(&h, buf, n);
	CU_ASSERT_EQUAL(h.by_type[H2_TYPES], 1);
	CU_ASSERT_EQUAL(h.bytes, n);
	/* a short GOAWAY says nothing */
	n = 0;
	n += frame(buf + n, 0x4, 0, 0, "");
	n += frame(buf + n, 0x7, 0, 0, "00000000");
	h2_scan_init(&h);
	CU_ASSERT_EQUAL(h2_scan_feed(&h, buf, n), 0);
	CU_ASSERT_FALSE(h.goaway_seen);
}

static void test_scan_not_http2(void)
{
	static const char http1[] = "HTTP/1.1 400 Bad Request\r\n";
	struct h2_scan h;
	h2_scan_init(&h);
	CU_ASSERT_EQUAL(h2_scan_feed(&h, (const uint8_t *)http1, sizeof http1 - 1), 0);
	CU_ASSERT_TRUE(h.stop);
	/* a HEADERS answer that cannot be read is no answer */
	uint8_t buf[64];
	size_t n = 0;
	n += frame(buf + n, 0x4, 0, 0, "");
	n += frame(buf + n, 0x1, 0x4, 1, "c0");   /* index 64 of an empty table */
	h2_scan_init(&h);
	CU_ASSERT_EQUAL(h2_scan_feed(&h, buf, n), 0);
	CU_ASSERT_TRUE(h.stop);
	CU_ASSERT_FALSE(h.status_seen);
	/* the client's preface */
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	CU_ASSERT_TRUE(h2_client_preface((const uint8_t *)preface, sizeof preface - 1));
	CU_ASSERT_FALSE(h2_client_preface((const uint8_t *)preface, sizeof preface - 2));
	CU_ASSERT_FALSE(h2_client_preface((const uint8_t *)"GET / HTTP/1.1\r\n\r\nxxxxxxxx", 26));
}

/* Every byte of a real answer flipped, every block cut at every length,
 * each piece against a guard page: nothing is read past what was given. */
static void test_scan_hostile(void)
{
	uint8_t buf[256];
	size_t n = 0;
	n += frame(buf + n, 0x4, 0, 0, "0003 00000080");
	n += frame(buf + n, 0x1, 0x4 | 0x8 | 0x20, 1, "02 80000000 10  48 03 313033  0000");
	n += frame(buf + n, 0x1, 0x4, 1, "7e 03 343033 76 05 6e67696e78 6196 d07a be94 1054 d444 a820");
	n += frame(buf + n, 0x7, 0, 0, "00000001 00000000 6262");
	struct guard g = { 0 };
	struct h2_scan h;
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			uint8_t m[256];
			memcpy(m, buf, n);
			m[i] ^= (uint8_t)(1u << bit);
			h2_scan_init(&h);
			for (size_t o = 0; o < n; o += 7) {
				size_t k = n - o < 7 ? n - o : 7;
				h2_scan_feed(&h, guard_move(&g, m + o, k), k);
			}
			CU_ASSERT_TRUE(h.block_n <= sizeof h.block);
			CU_ASSERT_TRUE(h.goaway_n <= sizeof h.goaway);
		}
	}
	struct hpack_table t;
	static const uint8_t block[] = { 0x20, 0x48, 0x03, 0x34, 0x30, 0x33, 0x7e, 0x83, 0x64, 0x0e, 0xff, 0xbe, 0x0f, 0x2f };
	for (size_t len = 0; len <= sizeof block; len++) {
		hpack_table_init(&t, HPACK_DEFAULT_TABLE);
		hpack_decode(&t, guard_move(&g, block, len), len, NULL, NULL);
		CU_ASSERT_TRUE(t.n <= 2);
	}
	guard_free(&g);
}

void register_http2_tests(void)
{
	CU_pSuite suite = CU_add_suite("http2", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "RFC 7541 C.4 requests with Huffman: fields and table sizes", test_c4_requests_huffman);
	CU_add_test(suite, "RFC 7541 C.6 responses with Huffman: :status 302, 307, 200", test_c6_responses_status);
	CU_add_test(suite, "RFC 7541 C.6 responses: fields and evictions", test_c6_responses_fields);
	CU_add_test(suite, ":status from the dynamic table", test_status_from_dynamic_table);
	CU_add_test(suite, "literal forms and size updates", test_literals_and_size_updates);
	CU_add_test(suite, "malformed blocks are refused", test_refused_blocks);
	CU_add_test(suite, "Huffman strings, padding and EOS", test_huffman);
	CU_add_test(suite, "frames: nginx's 400 fed a byte at a time", test_scan_status_byte_by_byte);
	CU_add_test(suite, "frames: padding, priority, CONTINUATION, 1xx, PUSH_PROMISE", test_scan_block_forms);
	CU_add_test(suite, "frames: GOAWAY ids, never its debug data", test_scan_goaway);
	CU_add_test(suite, "frames: not HTTP/2, unreadable answer, client preface", test_scan_not_http2);
	CU_add_test(suite, "frames and blocks: flipped bits, cuts, guard pages", test_scan_hostile);
}
