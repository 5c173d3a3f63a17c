/* http2.c - the first response's :status and the GOAWAY in a server's decrypted HTTP/2 frames. */
#include "http2.h"

#include <stdio.h>
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
			if (c < first[l] || c - first[l] >= count[l])
				continue;
			uint16_t s = sym[start[l] + (c - first[l])];
			if (s == 256)
				return false;   /* EOS inside a string is an error (§5.2) */
			if (out && n < cap)
				out[n] = (char)s;
			n++;
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

/* A string literal (§5.2): its decoded length, and its text in out
 * (cap HPACK_STR_MAX + 1) when it fits, else out[0] = 0 and *fits false. */
static bool hpack_string(struct rd *r, char *out, size_t *n, bool *fits)
{
	uint8_t b;
	uint32_t len;
	const uint8_t *p;
	if (!rd_u8(r, &b) || !hpack_int(r, b, 7, &len) || !rd_bytes(r, len, &p))
		return false;
	if (b & 0x80) {
		if (!hpack_huffman(p, len, out, HPACK_STR_MAX, n))
			return false;
	} else {
		*n = len;
		memcpy(out, p, len < HPACK_STR_MAX ? len : HPACK_STR_MAX);
	}
	*fits = *n <= HPACK_STR_MAX;
	out[*fits ? *n : 0] = '\0';
	return true;
}

/* Appendix A. Only the :status values matter here; the rest are kept so
 * that a field callback (and the RFC's examples) see whole fields. */
static const char *const static_table[][2] = {
	{ NULL, NULL },
	{ ":authority", "" }, { ":method", "GET" }, { ":method", "POST" }, { ":path", "/" },
	{ ":path", "/index.html" }, { ":scheme", "http" }, { ":scheme", "https" }, { ":status", "200" },
	{ ":status", "204" }, { ":status", "206" }, { ":status", "304" }, { ":status", "400" },
	{ ":status", "404" }, { ":status", "500" }, { "accept-charset", "" },
	{ "accept-encoding", "gzip, deflate" }, { "accept-language", "" }, { "accept-ranges", "" },
	{ "accept", "" }, { "access-control-allow-origin", "" }, { "age", "" }, { "allow", "" },
	{ "authorization", "" }, { "cache-control", "" }, { "content-disposition", "" },
	{ "content-encoding", "" }, { "content-language", "" }, { "content-length", "" },
	{ "content-location", "" }, { "content-range", "" }, { "content-type", "" }, { "cookie", "" },
	{ "date", "" }, { "etag", "" }, { "expect", "" }, { "expires", "" }, { "from", "" }, { "host", "" },
	{ "if-match", "" }, { "if-modified-since", "" }, { "if-none-match", "" }, { "if-range", "" },
	{ "if-unmodified-since", "" }, { "last-modified", "" }, { "link", "" }, { "location", "" },
	{ "max-forwards", "" }, { "proxy-authenticate", "" }, { "proxy-authorization", "" }, { "range", "" },
	{ "referer", "" }, { "refresh", "" }, { "retry-after", "" }, { "server", "" }, { "set-cookie", "" },
	{ "strict-transport-security", "" }, { "transfer-encoding", "" }, { "user-agent", "" }, { "vary", "" },
	{ "via", "" }, { "www-authenticate", "" },
};
#define STATIC_LAST 61

void hpack_table_init(struct hpack_table *t, uint32_t max)
{
	memset(t, 0, sizeof *t);
	t->max = max;
}

/* The entry of dynamic index i (62 is the newest), NULL if there is none. */
static const struct hpack_entry *dyn_entry(const struct hpack_table *t, uint32_t i)
{
	if (t->lost || i <= STATIC_LAST || i - STATIC_LAST > t->n)
		return NULL;
	return &t->ent[(t->newest + HPACK_ENTRIES - (i - STATIC_LAST - 1)) % HPACK_ENTRIES];
}

/* Evict the oldest entries until room more bytes fit under max (§4.4). */
static void table_evict(struct hpack_table *t, uint32_t room)
{
	while (t->n && t->size + room > t->max) {
		t->size -= t->ent[(t->newest + HPACK_ENTRIES - (t->n - 1)) % HPACK_ENTRIES].size;
		t->n--;
	}
}

static void table_add(struct hpack_table *t, size_t name_len, size_t value_len, bool is_status, uint16_t status)
{
	uint64_t size = (uint64_t)name_len + value_len + 32;
	if (size > t->max) {   /* bigger than the table: it empties it (§4.4) */
		t->n = 0;
		t->size = 0;
		return;
	}
	table_evict(t, (uint32_t)size);
	if (t->n == HPACK_ENTRIES) {
		t->lost = true;   /* only a table over 4096 bytes gets here */
		return;
	}
	t->newest = (t->newest + 1) % HPACK_ENTRIES;
	t->ent[t->newest] = (struct hpack_entry){ (uint32_t)size, (uint32_t)name_len, is_status, status };
	t->n++;
	t->size += (uint32_t)size;
}

static uint16_t status_code(const char *v, size_t n)
{
	if (!v || n != 3)
		return 0;
	uint16_t code = 0;
	for (int i = 0; i < 3; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		code = (uint16_t)(code * 10 + (v[i] - '0'));
	}
	return code;
}

/* The name (and for an indexed field the value) of table index i. */
static bool field_from_table(const struct hpack_table *t, uint32_t i, bool whole, struct hpack_field *f)
{
	f->index = i;
	if (i >= 1 && i <= STATIC_LAST) {
		f->name = static_table[i][0];
		f->name_len = strlen(f->name);
		f->is_status = i >= 8 && i <= 14;
		if (whole) {
			f->value = static_table[i][1];
			f->value_len = strlen(f->value);
			f->status = status_code(f->value, f->value_len);
		}
		return true;
	}
	const struct hpack_entry *e = dyn_entry(t, i);
	if (!e)
		return false;   /* 0, or an entry not held */
	f->name_len = e->name_len;
	f->is_status = e->is_status;
	if (whole) {
		f->value_len = e->size - 32 - e->name_len;
		f->status = e->status;
	}
	return true;
}

bool hpack_decode(struct hpack_table *t, const uint8_t *block, size_t len, hpack_field_fn fn, void *arg)
{
	struct rd r = rd_make(block, len);
	bool fields = false;
	while (rd_left(&r)) {
		uint8_t b;
		uint32_t idx;
		char name[HPACK_STR_MAX + 1], value[HPACK_STR_MAX + 1];
		struct hpack_field f = { 0 };
		rd_u8(&r, &b);
		if ((b & 0xe0) == 0x20) {   /* dynamic table size update (§6.3): only before the first field */
			if (fields || !hpack_int(&r, b, 5, &idx))
				goto bad;
			t->max = idx;
			table_evict(t, 0);
			continue;
		}
		fields = true;
		if (b & 0x80) {   /* indexed field (§6.1) */
			if (!hpack_int(&r, b, 7, &idx) || !field_from_table(t, idx, true, &f))
				goto bad;
			f.indexed = true;
		} else {
			/* literal with incremental indexing (6-bit index), else without / never indexed (4-bit) */
			bool add = (b & 0x40) != 0;
			bool fits;
			if (!hpack_int(&r, b, add ? 6 : 4, &idx))
				goto bad;
			if (idx == 0) {
				if (!hpack_string(&r, name, &f.name_len, &fits))
					goto bad;
				f.name = fits ? name : NULL;
				f.is_status = fits && f.name_len == 7 && memcmp(name, ":status", 7) == 0;
			} else if (!field_from_table(t, idx, false, &f)) {
				goto bad;
			}
			if (!hpack_string(&r, value, &f.value_len, &fits))
				goto bad;
			f.value = fits ? value : NULL;
			if (f.is_status)
				f.status = status_code(f.value, f.value_len);
			if (add)
				table_add(t, f.name_len, f.value_len, f.is_status, f.status);
		}
		if (fn)
			fn(&f, arg);
	}
	return true;
bad:
	t->lost = true;   /* the encoder's table went on without us */
	return false;
}

struct first_field {
	int n;
	bool is_status;
	uint16_t status;
};

static void note_first(const struct hpack_field *f, void *arg)
{
	struct first_field *ff = arg;
	if (ff->n++ == 0) {
		ff->is_status = f->is_status;
		ff->status = f->status;
	}
}

enum hpack_status hpack_status(struct hpack_table *t, const uint8_t *block, size_t len, uint16_t *status)
{
	struct first_field ff = { 0 };
	hpack_decode(t, block, len, note_first, &ff);
	if (ff.n == 0 || (ff.is_status && ff.status == 0))
		return HPACK_UNREADABLE;
	if (!ff.is_status)
		return HPACK_NO_STATUS;
	*status = ff.status;
	return HPACK_STATUS;
}

/* ---- frames (RFC 9113 §4.1, §6) ---- */

#define H2_DATA 0x0
#define H2_HEADERS 0x1
#define H2_SETTINGS 0x4
#define H2_PUSH_PROMISE 0x5
#define H2_GOAWAY 0x7
#define H2_CONTINUATION 0x9
#define H2_FLAG_ACK 0x1
#define H2_FLAG_END_HEADERS 0x4
#define H2_FLAG_PADDED 0x8
#define H2_FLAG_PRIORITY 0x20

void h2_scan_init(struct h2_scan *h)
{
	memset(h, 0, sizeof *h);
	hpack_table_init(&h->table, HPACK_DEFAULT_TABLE);
}

static bool carries_block(const struct h2_scan *h)
{
	return h->type == H2_HEADERS || h->type == H2_PUSH_PROMISE || h->type == H2_CONTINUATION;
}

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
	h->goaway_n = 0;
	/* a server's connection preface is a SETTINGS frame (§3.4): anything else is not HTTP/2 */
	if (h->frames++ == 0 && (h->type != H2_SETTINGS || h->stream != 0 || len % 6 != 0))
		h->stop = true;
	if (h->frames > H2_FRAMES_MAX)
		h->stop = true;
	/* a header block is one HEADERS or PUSH_PROMISE and its CONTINUATION frames, nothing between (§6.10) */
	if (h->in_block != (h->type == H2_CONTINUATION) || (h->in_block && h->stream != h->block_stream))
		h->stop = true;
	if ((h->type == H2_HEADERS || h->type == H2_PUSH_PROMISE) && !h->stop) {
		if (h->stream == 0)
			h->stop = true;
		h->block_n = 0;
		h->block_cut = false;
		h->block_type = h->type;
		h->block_stream = h->stream;
	}
	h->frag_start = h->block_n;
}

/* Strip this frame's padding and the fields before its fragment, which
 * sit at the start of what was kept from frag_start on (§6.2, §6.6). */
static bool fragment_in_place(struct h2_scan *h)
{
	uint32_t kept = h->block_n - h->frag_start;
	struct rd r = rd_make(h->block + h->frag_start, kept);
	uint8_t pad = 0;
	uint32_t head = 0;
	if (h->type != H2_CONTINUATION && (h->flags & H2_FLAG_PADDED)) {
		if (!rd_u8(&r, &pad))
			return false;
		head = 1;
	}
	if (h->type == H2_HEADERS && (h->flags & H2_FLAG_PRIORITY))
		head += 5;   /* stream dependency and weight */
	if (h->type == H2_PUSH_PROMISE)
		head += 4;   /* the promised stream id */
	if ((uint64_t)head + pad > h->len || head > kept)
		return false;
	uint32_t fragment = h->len - head - pad, have = kept - head;
	if (have > fragment)
		have = fragment;   /* the padding was kept too */
	memmove(h->block + h->frag_start, h->block + h->frag_start + head, have);
	h->block_n = h->frag_start + have;
	return true;
}

/* A whole header block: the table follows it; a client stream's first
 * final :status is the answer. */
static unsigned block_end(struct h2_scan *h)
{
	uint16_t code = 0;
	enum hpack_status got = hpack_status(&h->table, h->block, h->block_n, &code);
	if (h->block_cut)
		h->table.lost = true;   /* the fields after the cut may have changed it */
	if (h->block_type != H2_HEADERS || !(h->block_stream & 1) || h->status_seen)
		return 0;   /* a promise, a pushed response, or after the answer */
	if (got != HPACK_STATUS) {
		h->stop = true;   /* never guess an answer */
		return 0;
	}
	if (code < 200)
		return 0;   /* 1xx are interim: the final response follows */
	h->status_seen = true;
	h->status = code;
	h->status_stream = h->block_stream;
	return H2_SAW_STATUS;
}

/* A complete frame, counted by type (before the stop it may cause: it was read). */
static void tally(struct h2_scan *h)
{
	uint16_t *n = &h->by_type[h->type < H2_TYPES ? h->type : H2_TYPES];
	if (*n < UINT16_MAX)
		(*n)++;
	if (h->type == H2_SETTINGS && (h->flags & H2_FLAG_ACK) && h->settings_acks < UINT16_MAX)
		h->settings_acks++;
	if (h->type == H2_DATA && h->status_seen && h->stream == h->status_stream)
		h->response_data += h->len;   /* a frame's length is at most 2^24 - 1, and 64 frames are read */
	h->bytes += 9 + h->len;
}

static unsigned frame_end(struct h2_scan *h)
{
	unsigned saw = 0;
	h->hdr_n = 0;
	tally(h);
	if (carries_block(h)) {
		if (!fragment_in_place(h)) {
			h->stop = true;
			return 0;
		}
		h->in_block = !(h->flags & H2_FLAG_END_HEADERS);
		if (!h->in_block)
			saw |= block_end(h);
	} else if (h->type == H2_GOAWAY && h->stream == 0 && !h->goaway_seen) {
		struct rd r = rd_make(h->goaway, h->goaway_n);
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

/* Keep what is wanted of a payload piece: header block bytes up to the
 * cap, a GOAWAY's first 8 bytes (its debug data never). */
static void keep_payload(struct h2_scan *h, const uint8_t *q, size_t k)
{
	if (carries_block(h)) {
		size_t room = sizeof h->block - h->block_n, c = k < room ? k : room;
		memcpy(h->block + h->block_n, q, c);
		h->block_n += (uint32_t)c;
		if (c < k)
			h->block_cut = true;
	} else if (h->type == H2_GOAWAY) {
		size_t room = sizeof h->goaway - h->goaway_n, c = k < room ? k : room;
		memcpy(h->goaway + h->goaway_n, q, c);
		h->goaway_n = (uint8_t)(h->goaway_n + c);
	}
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
		const uint8_t *q = p;
		rd_bytes(&r, k, &q);
		keep_payload(h, q, k);
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

const char *h2_frame_name(unsigned type)
{
	static const char *const names[H2_TYPES] = { "DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS",
						     "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE",
						     "CONTINUATION" };
	return type < H2_TYPES ? names[type] : NULL;
}

const char *h2_error_name(uint32_t code)
{
	static const char *const names[] = { "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
					     "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
					     "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR",
					     "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED" };
	return code < sizeof names / sizeof names[0] ? names[code] : NULL;
}

void h2_error_text(char *buf, size_t n, uint32_t code)
{
	const char *name = h2_error_name(code);
	if (name)
		snprintf(buf, n, "%s (0x%x)", name, (unsigned)code);
	else
		snprintf(buf, n, "error code 0x%x (not in RFC 9113)", (unsigned)code);
}
