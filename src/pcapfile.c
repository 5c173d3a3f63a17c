/* pcapfile.c - capture files: opening and sniffing the format, classic pcap records, secrets held for the caller. */
#include "pcapfile_int.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "mem.h"

/* Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html):
 * a 24-byte file header, then records of a 16-byte header and caplen bytes. */
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define MAGIC_KUZ  0xa1b2cd34u   /* modified pcap: 8 more bytes per record header */
#define NG_SHB     0x0a0d0d0au
#define NG_BOM     0x1a2b3c4du
#define FILE_HDR   24u

bool pcapfile_secrets(struct pcapfile *f, struct pcapfile_secrets *out)
{
	mem_free(f->sec_taken);
	struct pf_secret *s = f->sec_taken = f->sec_head;
	if (!s)
		return false;
	f->sec_head = s->next;
	if (!f->sec_head)
		f->sec_tail = NULL;
	f->sec_held -= s->len;
	out->type = s->type;
	out->data = s->data;
	out->len = s->len;
	out->after_frame = s->after_frame;
	return true;
}

/* ---- classic pcap ---- */

static int pcap_open_header(struct pcapfile *f, uint32_t magic, char *errbuf)
{
	size_t got;
	const uint8_t *p = pcapsrc_peek(f->src, FILE_HDR, &got);
	if (got < FILE_HDR)
		return pf_short(f, errbuf, "truncated dump file; tried to read %u file header bytes, only got %zu",
				FILE_HDR, got);
	struct rd r = rd_make(p + 4, FILE_HDR - 4);
	uint16_t major, minor;
	uint32_t zone, sigfigs, snaplen, linktype;
	rd_e16(&r, f->be, &major);
	rd_e16(&r, f->be, &minor);
	rd_e32(&r, f->be, &zone);
	rd_e32(&r, f->be, &sigfigs);
	rd_e32(&r, f->be, &snaplen);
	rd_e32(&r, f->be, &linktype);
	pcapsrc_consume(f->src, FILE_HDR);
	if (major < 2)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "archaic pcap savefile format");
	if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0)))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "unsupported pcap savefile version %u.%u", major, minor);
	/* caplen and len changed places in version 2.3 (some 2.3 files have either) */
	f->lengths_swapped = major == 543 || minor < 3 ? LEN_SWAPPED : minor == 3 ? LEN_MAYBE_SWAPPED : LEN_NOT_SWAPPED;
	f->nsec = magic == MAGIC_NSEC;
	f->rec_hdr = magic == MAGIC_KUZ ? 24 : 16;
	/* the upper 6 bits hold FCS information (LT_LINKTYPE_EXT) */
	f->file_if.dlt = pcapfile_linktype_to_dlt(linktype & 0x03ffffffu);
	f->file_if.snaplen = pf_adjust_snaplen(snaplen);
	/* modified pcap written in cooked mode said the snaplen without the 14-byte fake Ethernet header */
	if (magic == MAGIC_KUZ && f->file_if.dlt == 1 && f->file_if.snaplen <= 0x7fffffffu - 14)
		f->file_if.snaplen += 14;
	f->first_dlt = f->file_if.dlt;
	f->first_snaplen = f->file_if.snaplen;
	f->ts_digits = f->nsec ? 9 : 6;
	pf_add_dlt(f, f->file_if.dlt);
	return 0;
}

static int pcap_next_record(struct pcapfile *f, struct pcapfile_pkt *pkt, char *errbuf)
{
	size_t got;
	const uint8_t *p = pcapsrc_peek(f->src, f->rec_hdr, &got);
	if (got == 0)
		return pf_eof(f, errbuf);
	if (got < f->rec_hdr)
		return pf_short(f, errbuf, "truncated dump file; tried to read %zu header bytes, only got %zu: "
				"the file ended mid-packet", f->rec_hdr, got);
	struct rd r = rd_make(p, 16);
	uint32_t sec, frac, caplen, len;
	rd_e32(&r, f->be, &sec);
	rd_e32(&r, f->be, &frac);
	rd_e32(&r, f->be, &caplen);
	rd_e32(&r, f->be, &len);
	if (f->lengths_swapped == LEN_SWAPPED || (f->lengths_swapped == LEN_MAYBE_SWAPPED && caplen > len)) {
		uint32_t t = caplen;
		caplen = len;
		len = t;
	}
	if (caplen > LIM_CAPLEN)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf,
			       "invalid packet capture length %u, bigger than the maximum of %u", caplen, LIM_CAPLEN);
	size_t need = f->rec_hdr + caplen;
	p = pcapsrc_peek(f->src, need, &got);
	if (got < need)
		return pf_short(f, errbuf, "truncated dump file; tried to read %u captured bytes, only got %zu: "
				"the file ended mid-packet", caplen, got - f->rec_hdr);
	pcapsrc_consume(f->src, need);
	pkt->frame = ++f->frames;
	pkt->sec = (int32_t)sec;   /* signed 32 bits in the file, as libpcap reads it */
	pkt->nsec = f->nsec ? frac : frac * 1000u;
	/* above the snaplen: keep the snaplen's worth, as libpcap does */
	pkt->caplen = caplen > f->file_if.snaplen ? f->file_if.snaplen : caplen;
	pkt->len = len;
	pkt->data = p + f->rec_hdr;
	pkt->interface = 0;
	pkt->dlt = f->file_if.dlt;
	return 1;
}

/* ---- opening ---- */

/* The magic decides the format and the byte order. */
static int sniff(struct pcapfile *f, char *errbuf)
{
	size_t got;
	const uint8_t *p = pcapsrc_peek(f->src, 12, &got);
	if (got < 4)
		return pf_short(f, errbuf, "truncated dump file; tried to read 4 file header bytes, only got %zu", got);
	struct rd r = rd_make(p, got);
	uint32_t le, be;
	rd_le32(&r, &le);
	be = (le >> 24) | ((le >> 8) & 0xff00u) | ((le << 8) & 0xff0000u) | (le << 24);
	if (le == MAGIC_USEC || le == MAGIC_NSEC || le == MAGIC_KUZ)
		return pcap_open_header(f, le, errbuf);
	if (be == MAGIC_USEC || be == MAGIC_NSEC || be == MAGIC_KUZ) {
		f->be = true;
		return pcap_open_header(f, be, errbuf);
	}
	uint32_t len, bom;
	if (le == NG_SHB && rd_le32(&r, &len) && rd_le32(&r, &bom) && (bom == NG_BOM || bom == 0x4d3c2b1au)) {
		f->format = PCAPFILE_PCAPNG;
		return pcapng_open(f, errbuf);
	}
	return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "not a pcap or pcapng capture file");
}

static struct pcapfile *finish_open(struct pcapsrc *src, int rc, char *errbuf)
{
	if (rc == SRC_EMPTY) {
		snprintf(errbuf, PCAPFILE_ERRBUF, "empty file, not a capture");
		return NULL;
	}
	if (rc != SRC_OK)
		return NULL;
	struct pcapfile *f = mem_alloc(sizeof *f);
	f->src = src;
	if (sniff(f, errbuf) < 0) {
		pcapfile_close(f);
		return NULL;
	}
	return f;
}

struct pcapfile *pcapfile_open(const char *path, char *errbuf)
{
	struct pcapsrc *src;
	int rc = pcapsrc_open_path(&src, path, errbuf, PCAPFILE_ERRBUF);
	return finish_open(src, rc, errbuf);
}

struct pcapfile *pcapfile_open_mem(const void *data, size_t len, char *errbuf)
{
	struct pcapsrc *src;
	int rc = pcapsrc_open_mem(&src, data, len, errbuf, PCAPFILE_ERRBUF);
	return finish_open(src, rc, errbuf);
}

int pcapfile_next(struct pcapfile *f, struct pcapfile_pkt *pkt, char *errbuf)
{
	if (f->end != PCAPFILE_MORE) {
		if (f->end == PCAPFILE_CLEAN)
			return 0;
		snprintf(errbuf, PCAPFILE_ERRBUF, "%s", f->msg);
		return -1;
	}
	return f->format == PCAPFILE_PCAP ? pcap_next_record(f, pkt, errbuf) : pcapng_next(f, pkt, errbuf);
}

enum pcapfile_format pcapfile_format(const struct pcapfile *f) { return f->format; }
enum pcapfile_end pcapfile_end(const struct pcapfile *f) { return f->end; }
uint64_t pcapfile_frames(const struct pcapfile *f) { return f->frames; }
uint64_t pcapfile_offset(const struct pcapfile *f) { return pcapsrc_offset(f->src); }
uint64_t pcapfile_secrets_dropped(const struct pcapfile *f) { return f->sec_dropped; }
int pcapfile_dlt(const struct pcapfile *f) { return f->first_dlt; }
uint32_t pcapfile_snaplen(const struct pcapfile *f) { return f->first_snaplen; }
int pcapfile_ts_digits(const struct pcapfile *f) { return f->ts_digits; }

size_t pcapfile_dlts(const struct pcapfile *f, int *out, size_t max)
{
	size_t n = f->n_dlts < max ? f->n_dlts : max;
	memcpy(out, f->dlts, n * sizeof *out);
	return n;
}

void pcapfile_close(struct pcapfile *f)
{
	if (!f)
		return;
	struct pf_secret *s = f->sec_head;
	while (s) {
		struct pf_secret *next = s->next;
		mem_free(s);
		s = next;
	}
	mem_free(f->sec_taken);
	pcapng_free(f);
	pcapsrc_close(f->src);
	mem_free(f);
}
