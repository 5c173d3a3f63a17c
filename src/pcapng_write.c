/* pcapng_write.c - the blocks of pcapng_write.h (pcapng: draft-ietf-opsawg-pcapng). */
#include "pcapng_write.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BT_DSB 0x0000000Au
#define SECRETS_TLS 0x544c534bu   /* "TLSK": an NSS key log */
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

struct ngw {
	FILE *f;
	bool to_stdout;
	bool failed;
	uint64_t dsbs;
};

static void put(struct ngw *w, const void *p, size_t n)
{
	if (!w->failed && n && fwrite(p, 1, n, w->f) != n)
		w->failed = true;
}

static void put32(struct ngw *w, uint32_t v)
{
	put(w, &v, 4);
}

/* A block's body is padded to 32 bits; its length stands before and after it. */
static void block(struct ngw *w, uint32_t type, const void *head, uint32_t head_len, const void *body,
		  size_t body_len)
{
	static const uint8_t zeros[4];
	size_t pad = (4 - body_len % 4) % 4;
	uint32_t total = (uint32_t)(12 + head_len + body_len + pad);
	put32(w, type);
	put32(w, total);
	put(w, head, head_len);
	put(w, body, body_len);
	put(w, zeros, pad);
	put32(w, total);
}

struct ngw *ngw_open(const char *path, int linktype, uint32_t snaplen, char *errbuf, size_t errlen)
{
	bool out = strcmp(path, "-") == 0;
	FILE *f = out ? stdout : fopen(path, "wb");
	if (!f) {
		snprintf(errbuf, errlen, "-w %s: cannot create it", path);
		return NULL;
	}
	struct ngw *w = mem_alloc(sizeof *w);
	w->f = f;
	w->to_stdout = out;
	struct { uint32_t magic; uint16_t major, minor; int64_t section_len; } shb = { BYTE_ORDER_MAGIC, 1, 0, -1 };
	block(w, BT_SHB, &shb, 16, NULL, 0);
	struct { uint16_t linktype, reserved; uint32_t snaplen; } idb = { (uint16_t)linktype, 0, snaplen };
	block(w, BT_IDB, &idb, 8, NULL, 0);
	return w;
}

void ngw_packet(struct ngw *w, int64_t sec, int64_t usec, uint32_t caplen, uint32_t origlen, const uint8_t *data)
{
	uint64_t ts = (uint64_t)sec * 1000000u + (uint64_t)usec;   /* if_tsresol absent: microseconds */
	struct { uint32_t interface, ts_high, ts_low, caplen, origlen; } epb = {
		0, (uint32_t)(ts >> 32), (uint32_t)ts, caplen, origlen
	};
	block(w, BT_EPB, &epb, 20, data, caplen);
}

void ngw_secrets(struct ngw *w, const char *text, size_t len)
{
	if (!len || len > UINT32_MAX - 64)
		return;
	struct { uint32_t type, len; } dsb = { SECRETS_TLS, (uint32_t)len };
	block(w, BT_DSB, &dsb, 8, text, len);
	w->dsbs++;
}

uint64_t ngw_secret_blocks(const struct ngw *w)
{
	return w ? w->dsbs : 0;
}

bool ngw_close(struct ngw *w)
{
	if (!w)
		return true;
	bool ok = !w->failed && fflush(w->f) == 0;
	if (!w->to_stdout && fclose(w->f) != 0)
		ok = false;
	mem_free(w);
	return ok;
}
