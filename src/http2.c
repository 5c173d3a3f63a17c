/* http2.c - the first response's :status and the GOAWAY in a server's decrypted HTTP/2 frames. */
#include "http2.h"

#include <string.h>

#include "rd.h"

/* ---- HPACK (RFC 7541) ---- */

/* The code length of each symbol of Appendix B (256 is EOS). The code is
 * canonical: the codes of one length are consecutive in symbol order and
 * follow those of the shorter lengths, so the lengths define it. */
static const uint8_t huff_len[257] = {
	13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,   /*   0 */
	28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,   /*  16 */
	6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,           /*  32 ' ' */
	5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,                /*  48 '0' */
	13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                  /*  64 '@' */
	7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,               /*  80 'P' */
	15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                  /*  96 '`' */
	6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,              /* 112 'p' */
	20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,   /* 128 */
	24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,   /* 144 */
	22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,   /* 160 */
	21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,   /* 176 */
	26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,   /* 192 */
	19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,   /* 208 */
	20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,   /* 224 */
	26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,   /* 240 */
	30                                                                /* EOS */
};

#define HUFF_MAXLEN 30

bool hpack_huffman(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len)
{
	/* canonical decoding: per length, its first code, how many, where its symbols start */
	uint32_t first[HUFF_MAXLEN + 2] = { 0 }, count[HUFF_MAXLEN + 2] = { 0 }, start[HUFF_MAXLEN + 2] = { 0 };
	uint16_t sym[257];
	for (int s = 0; s < 257; s++)
		count[huff_len[s]]++;
	uint32_t code = 0, pos = 0;
	for (int l = 1; l <= HUFF_MAXLEN; l++) {
		first[l] = code;
		start[l] = pos;
		pos += count[l];
		code = (code + count[l]) << 1;
	}
	uint32_t fill[HUFF_MAXLEN + 2];
	memcpy(fill, start, sizeof fill);
	for (int s = 0; s < 257; s++)
		sym[fill[huff_len[s]]++] = (uint16_t)s;

	size_t n = 0;
	uint32_t c = 0;
	int l = 0;
	struct rd r = rd_make(in, len);
	uint8_t byte;
	while (rd_u8(&r, &byte)) {
		for (int bit = 7; bit >= 0; bit--) {
			c = (c << 1) | ((byte >> bit) & 1u);
			if (++l > HUFF_MAXLEN)
				return false;
			if (c - first[l] >= count[l] || c < first[l])
				continue;
			uint16_t s = sym[start[l] + (c - first[l])];
			if (s == 256 || n >= cap)
				return false;   /* EOS inside a string is an error (§5.2) */
			out[n++] = (char)s;
			c = 0;
			l = 0;
		}
	}
	/* padding: fewer than 8 bits, all ones (the start of EOS) */
	if (l > 7 || c != (1u << l) - 1)
		return false;
	*out_len = n;
	return true;
}

/* An integer with an N-bit prefix (§5.1); values beyond 2^28 are refused. */
static bool hpack_int(struct rd *r, uint8_t first, unsigned prefix, uint32_t *v)
{
	uint32_t max = (1u << prefix) - 1, x = first & max;
	if (x < max) {
		*v = x;
		return true;
	}
	for (unsigned shift = 0; shift <= 21; shift += 7) {
		uint8_t b;
		if (!rd_u8(r, &b))
			return false;
		x += (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* A string literal (§5.2): 1 decoded into out, 0 well-formed but longer
 * than cap (skipped), -1 malformed. */
static int hpack_string(struct rd *r, char *out, size_t cap, size_t *n)
{
	uint8_t b;
	uint32_t len;
	const uint8_t *p;
	if (!rd_u8(r, &b) || !hpack_int(r, b, 7, &len) || !rd_bytes(r, len, &p))
		return -1;
	if (b & 0x80)   /* a code is 5 bits or more: a failure with room for more than cap is "too long" */
		return hpack_huffman(p, len, out, cap, n) ? 1 : ((size_t)len * 8 / 5 > cap ? 0 : -1);
	if (len > cap)
		return 0;
	memcpy(out, p, len);
	*n = len;
	return 1;
}

/* The static table's :status entries, indices 8 to 14 (Appendix A). */
static const uint16_t static_status[] = { 200, 204, 206, 304, 400, 404, 500 };
#define STATIC_LAST 61

static bool is_status_index(uint32_t i)
{
	return i >= 8 && i <= 14;
}

enum hpack_status hpack_status(const uint8_t *block, size_t len, uint16_t *status)
{
	struct rd r = rd_make(block, len);
	/* a size update or two may come first (§4.2), then the field wanted */
	for (int field = 0; field < 3 && rd_left(&r); field++) {
		uint8_t b;
		uint32_t idx;
		rd_u8(&r, &b);
		if (b & 0x80) {   /* indexed field (§6.1) */
			if (!hpack_int(&r, b, 7, &idx) || idx == 0 || idx > STATIC_LAST)
				return HPACK_UNREADABLE;   /* 0 is an error; above 61 the dynamic table */
			if (!is_status_index(idx))
				return HPACK_NO_STATUS;
			*status = static_status[idx - 8];
			return HPACK_STATUS;
		}
		if ((b & 0xe0) == 0x20) {   /* dynamic table size update (§6.3): no table kept */
			if (!hpack_int(&r, b, 5, &idx))
				return HPACK_UNREADABLE;
			continue;
		}
		/* literal, with incremental indexing (6-bit index) or without / never indexed (4-bit) */
		if (!hpack_int(&r, b, (b & 0x40) ? 6 : 4, &idx) || idx > STATIC_LAST)
			return HPACK_UNREADABLE;
		if (idx == 0) {
			char name[8];
			size_t n = 0;
			int got = hpack_string(&r, name, sizeof name, &n);
			if (got < 0)
				return HPACK_UNREADABLE;
			if (got == 0 || n != 7 || memcmp(name, ":status", 7) != 0)
				return HPACK_NO_STATUS;
		} else if (!is_status_index(idx)) {
			return HPACK_NO_STATUS;
		}
		char value[4];
		size_t n = 0;
		if (hpack_string(&r, value, sizeof value, &n) != 1 || n != 3)
			return HPACK_UNREADABLE;
		uint16_t code = 0;
		for (int i = 0; i < 3; i++) {
			if (value[i] < '0' || value[i] > '9')
				return HPACK_UNREADABLE;
			code = (uint16_t)(code * 10 + (value[i] - '0'));
		}
		*status = code;
		return HPACK_STATUS;
	}
	return HPACK_UNREADABLE;
}

/* ---- frames (RFC 9113 §4.1, §6) ---- */

#define H2_HEADERS 0x1
#define H2_SETTINGS 0x4
#define H2_GOAWAY 0x7
#define H2_FLAG_PADDED 0x8
#define H2_FLAG_PRIORITY 0x20

static void frame_begin(struct h2_scan *h)
{
	struct rd r = rd_make(h->hdr, sizeof h->hdr);
	uint32_t len = 0, stream = 0;
	rd_u24(&r, &len);
	rd_u8(&r, &h->type);
	rd_u8(&r, &h->flags);
	rd_u32(&r, &stream);
	h->len = h->left = len;
	h->stream = stream & 0x7fffffffu;
	h->keep_n = 0;
	/* a server's connection preface is a SETTINGS frame (§3.4): anything else is not HTTP/2 */
	if (h->frames++ == 0 && (h->type != H2_SETTINGS || h->stream != 0 || len % 6 != 0))
		h->stop = true;
	if (h->frames > H2_FRAMES_MAX)
		h->stop = true;
}

/* The header block fragment of a HEADERS frame, as far as it was kept. */
static bool headers_block(const struct h2_scan *h, struct rd *block)
{
	struct rd r = rd_make(h->keep, h->keep_n);
	uint8_t pad = 0;
	uint32_t skip = 0;
	if ((h->flags & H2_FLAG_PADDED) && !rd_u8(&r, &pad))
		return false;
	if (h->flags & H2_FLAG_PRIORITY)
		skip = 5;   /* stream dependency and weight */
	uint32_t head = ((h->flags & H2_FLAG_PADDED) ? 1u : 0u) + skip;
	if (head + pad > h->len || !rd_skip(&r, skip))
		return false;
	size_t fragment = h->len - head - pad;
	*block = rd_make(r.p, rd_left(&r) < fragment ? rd_left(&r) : fragment);
	return true;
}

static unsigned frame_end(struct h2_scan *h)
{
	unsigned saw = 0;
	h->hdr_n = 0;
	if (h->type == H2_HEADERS && !h->status_seen && (h->stream & 1)) {
		struct rd block;
		uint16_t code = 0;
		if (!headers_block(h, &block) || hpack_status(block.p, rd_left(&block), &code) != HPACK_STATUS) {
			h->stop = true;   /* never guess an answer */
		} else if (code >= 200) {   /* 1xx are interim: the final response follows */
			h->status_seen = true;
			h->status = code;
			h->status_stream = h->stream;
			saw |= H2_SAW_STATUS;
		}
	} else if (h->type == H2_GOAWAY && h->stream == 0 && !h->goaway_seen) {
		struct rd r = rd_make(h->keep, h->keep_n);
		uint32_t last, err;
		if (rd_u32(&r, &last) && rd_u32(&r, &err)) {
			h->goaway_seen = true;
			h->goaway_last_stream = last & 0x7fffffffu;
			h->goaway_error = err;
			saw |= H2_SAW_GOAWAY;
		}
	}
	if (h->status_seen && h->goaway_seen)
		h->stop = true;
	return saw;
}

unsigned h2_scan_feed(struct h2_scan *h, const uint8_t *p, size_t len)
{
	unsigned saw = 0;
	struct rd r = rd_make(p, len);
	while (!h->stop && rd_left(&r)) {
		if (h->hdr_n < sizeof h->hdr) {
			size_t k = sizeof h->hdr - h->hdr_n;
			if (k > rd_left(&r))
				k = rd_left(&r);
			rd_copy(&r, h->hdr + h->hdr_n, k);
			h->hdr_n = (uint8_t)(h->hdr_n + k);
			if (h->hdr_n < sizeof h->hdr)
				break;
			frame_begin(h);
			if (!h->stop && h->left == 0)
				saw |= frame_end(h);
			continue;
		}
		size_t k = h->left < rd_left(&r) ? h->left : rd_left(&r);
		const uint8_t *q;
		rd_bytes(&r, k, &q);
		bool wanted = h->type == H2_HEADERS || h->type == H2_GOAWAY;
		size_t room = sizeof h->keep - h->keep_n;
		if (wanted && room) {
			size_t c = k < room ? k : room;
			memcpy(h->keep + h->keep_n, q, c);
			h->keep_n = (uint16_t)(h->keep_n + c);
		}
		h->left -= (uint32_t)k;
		if (h->left == 0)
			saw |= frame_end(h);
	}
	return saw;
}

bool h2_client_preface(const uint8_t *p, size_t len)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	return p && len >= sizeof preface - 1 && memcmp(p, preface, sizeof preface - 1) == 0;
}

const char *h2_error_name(uint32_t code)
{
	static const char *const names[] = { "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
					     "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
					     "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR",
					     "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED" };
	return code < sizeof names / sizeof names[0] ? names[code] : NULL;
}
