/* pcapng.c - pcapng blocks: sections, interfaces, packet blocks, Decryption Secrets Blocks (draft-ietf-opsawg-pcapng §4). */
#include "pcapfile_int.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "mem.h"

/* Block types (§4, §11.1). */
#define BT_SHB 0x0a0d0d0au
#define BT_IDB 0x00000001u
#define BT_PB  0x00000002u   /* obsolete Packet Block (Appendix A) */
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u
#define BT_DSB 0x0000000au
/* Records that are no packets but that Wireshark (4.0) numbers as frames
 * all the same: custom blocks (§4.8), systemd journal entries, sysdig
 * events. Skipped, but counted, or every frame number after one is off. */
#define BT_JOURNAL      0x00000009u
#define BT_SYSDIG_EVENT 0x00000204u
#define BT_CUSTOM       0x00000badu
#define BT_CUSTOM_NOCOPY 0x40000badu
#define NG_BOM 0x1a2b3c4du

#define SHB_MAX (1u << 20)   /* a section header is options only: libpcap's "insane" bound */

/* IDB options (§4.2). */
#define OPT_END      0
#define IF_TSRESOL   9
#define IF_TSOFFSET  14

enum { STEP_EOF = 0, STEP_PACKET = 1, STEP_BLOCK = 2, STEP_AT_PACKET = 3 };

static bool is_packet_block(uint32_t type)
{
	return type == BT_EPB || type == BT_SPB || type == BT_PB;
}

static const char *block_name(uint32_t type, char *buf, size_t len)
{
	switch (type) {
	case BT_SHB: return "section header block";
	case BT_IDB: return "interface description block";
	case BT_PB: return "packet block";
	case BT_SPB: return "simple packet block";
	case BT_EPB: return "enhanced packet block";
	case BT_DSB: return "decryption secrets block";
	default:
		snprintf(buf, len, "block of type 0x%08x", type);
		return buf;
	}
}

static uint32_t block_cap(uint32_t type)
{
	if (is_packet_block(type))
		return LIM_PACKET_BLOCK;
	return type == BT_SHB ? SHB_MAX : LIM_PCAPNG_BLOCK;
}

/* The type and total length of the next block (§3.1); a section header
 * says the byte order of its section with its byte-order magic. */
static int block_head(struct pcapfile *f, uint32_t *type, uint32_t *len, char *errbuf)
{
	size_t got;
	const uint8_t *p = pcapsrc_peek(f->src, 12, &got);
	if (got == 0)
		return pf_eof(f, errbuf) < 0 ? -1 : STEP_EOF;
	if (got < 8)
		return pf_short(f, errbuf, "truncated pcapng dump file; tried to read 8 block header bytes, only got %zu: "
				"the file ended mid-block", got);
	struct rd r = rd_make(p, got);
	uint32_t t, bom;
	rd_le32(&r, &t);
	if (t == BT_SHB) {   /* the same in both byte orders */
		struct rd b = rd_make(p + 8, got - 8);
		if (!rd_le32(&b, &bom))
			return pf_short(f, errbuf, "truncated pcapng dump file; tried to read 12 bytes of a section "
					"header block, only got %zu: the file ended mid-block", got);
		if (bom != NG_BOM && bom != 0x4d3c2b1au)
			return pf_fail(f, PCAPFILE_DAMAGED, errbuf,
				       "the file has a section with a bad byte order magic field (0x%08x)", bom);
		f->be = bom != NG_BOM;
	}
	r = rd_make(p, got);
	rd_e32(&r, f->be, type);
	rd_e32(&r, f->be, len);
	char nb[32];
	if (*len < 12)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "%s has a length of %u < 12", block_name(*type, nb, sizeof nb),
			       *len);
	if (*len % 4)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "%s has a length of %u, not a multiple of 4",
			       block_name(*type, nb, sizeof nb), *len);
	if (*len > block_cap(*type))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "%s length %u exceeds the maximum of %u",
			       block_name(*type, nb, sizeof nb), *len, block_cap(*type));
	return 1;
}

/* The whole block in one piece; body is what lies between its header and trailer. */
static int block_read(struct pcapfile *f, uint32_t type, uint32_t len, struct rd *body, char *errbuf)
{
	size_t got;
	char nb[32];
	const uint8_t *p = pcapsrc_peek(f->src, len, &got);
	if (got < len)
		return pf_short(f, errbuf, "truncated pcapng dump file; tried to read %u bytes of %s %s, only got %zu: "
				"the file ended mid-%s", len, type == BT_IDB || type == BT_EPB ? "an" : "a",
				block_name(type, nb, sizeof nb), got, is_packet_block(type) ? "packet" : "block");
	struct rd t = rd_make(p + len - 4, 4);
	uint32_t trailer;
	rd_e32(&t, f->be, &trailer);
	if (trailer != len)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "%s total length in header (%u) and trailer (%u) don't match",
			       block_name(type, nb, sizeof nb), len, trailer);
	*body = rd_make(p + 8, len - 12);
	return 1;
}

static int section_header(struct pcapfile *f, struct rd body, char *errbuf)
{
	uint32_t bom;
	uint16_t major, minor;
	if (!rd_e32(&body, f->be, &bom) || !rd_e16(&body, f->be, &major) || !rd_e16(&body, f->be, &minor) ||
	    !rd_skip(&body, 8))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "section header block too short for its header");
	/* only 1.0 exists (1.2 is written by some as 1.0); later sections may differ in minor */
	if (major != 1 || (!f->have_first && minor != 0 && minor != 2))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "unsupported pcapng savefile version %u.%u", major, minor);
	f->n_if = 0;   /* interface ids start again in each section (§4.1) */
	return STEP_BLOCK;
}

/* if_tsresol: a negative power of 10, or of 2 with the top bit set (§4.2). */
static int set_tsresol(struct pcapfile *f, struct pf_iface *ifc, uint8_t v, char *errbuf)
{
	ifc->tsbinary = v & 0x80;
	unsigned e = v & 0x7f;
	if ((ifc->tsbinary && e > 63) || (!ifc->tsbinary && e > 19))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "interface description block: if_tsresol %s^-%u is too fine "
			       "for 64-bit timestamps", ifc->tsbinary ? "2" : "10", e);
	ifc->tsshift = (uint8_t)e;
	ifc->tsresol = 1;
	for (unsigned i = 0; i < e; i++)
		ifc->tsresol *= ifc->tsbinary ? 2 : 10;
	return 0;
}

static int idb_options(struct pcapfile *f, struct rd opts, struct pf_iface *ifc, char *errbuf)
{
	bool seen_resol = false, seen_offset = false;
	while (rd_left(&opts)) {
		uint16_t code, olen;
		struct rd v;
		if (!rd_e16(&opts, f->be, &code) || !rd_e16(&opts, f->be, &olen) || !rd_sub(&opts, olen, &v) ||
		    !rd_skip(&opts, (4 - olen % 4) % 4))
			return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "interface description block: an option runs past "
				       "the end of the block");
		if (code == OPT_END)
			return 0;
		if (code == IF_TSRESOL) {
			uint8_t res;
			if (olen != 1 || seen_resol || !rd_u8(&v, &res))
				return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "interface description block: %s if_tsresol "
					       "option", seen_resol ? "a second" : "a malformed");
			seen_resol = true;
			if (set_tsresol(f, ifc, res, errbuf) < 0)
				return -1;
		} else if (code == IF_TSOFFSET) {
			uint32_t a, b;
			if (olen != 8 || seen_offset || !rd_e32(&v, f->be, &a) || !rd_e32(&v, f->be, &b))
				return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "interface description block: %s if_tsoffset "
					       "option", seen_offset ? "a second" : "a malformed");
			seen_offset = true;
			ifc->tsoffset = f->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
		}
	}
	return 0;
}

static int interface(struct pcapfile *f, struct rd body, char *errbuf)
{
	uint16_t linktype, reserved;
	uint32_t snaplen;
	if (!rd_e16(&body, f->be, &linktype) || !rd_e16(&body, f->be, &reserved) || !rd_e32(&body, f->be, &snaplen))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "interface description block too short for its header");
	if (f->n_if >= LIM_PCAPNG_INTERFACES)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "more than %u interfaces in one section",
			       LIM_PCAPNG_INTERFACES);
	struct pf_iface ifc = {
		.dlt = pcapfile_linktype_to_dlt(linktype), .snaplen = pf_adjust_snaplen(snaplen),
		.tsresol = 1000000, .tsshift = 6,   /* microseconds unless if_tsresol says otherwise */
	};
	if (idb_options(f, body, &ifc, errbuf) < 0)
		return -1;
	if (f->n_if == f->cap_if) {
		f->cap_if = f->cap_if ? f->cap_if * 2 : 4;
		f->ifs = mem_realloc(f->ifs, f->cap_if * sizeof *f->ifs);
	}
	f->ifs[f->n_if++] = ifc;
	if (!f->have_first) {
		f->have_first = true;
		f->first_dlt = ifc.dlt;
		f->first_snaplen = ifc.snaplen;
		f->ts_digits = ifc.tsresol > 1000000 ? 9 : 6;
	}
	pf_add_dlt(f, ifc.dlt);
	return STEP_BLOCK;
}

/* Timestamp units since 1970 (plus if_tsoffset seconds) to seconds and
 * nanoseconds, as libpcap converts them, but with the seconds kept within
 * PCAPFILE_MAX_SEC either way (a timestamp of the wrong resolution would
 * overflow nanoseconds since 1970 downstream). */
static void to_time(const struct pf_iface *ifc, uint64_t t, int64_t *sec, uint32_t *nsec)
{
	uint64_t s = t / ifc->tsresol + ifc->tsoffset;
	int64_t signed_s = (int64_t)s;   /* if_tsoffset may be negative */
	if (signed_s > PCAPFILE_MAX_SEC)
		signed_s = PCAPFILE_MAX_SEC;
	else if (signed_s < -PCAPFILE_MAX_SEC)
		signed_s = -PCAPFILE_MAX_SEC;
	uint64_t frac = t % ifc->tsresol;
	if (!ifc->tsbinary)
		frac = ifc->tsshift <= 9 ? frac * (1000000000u / ifc->tsresol) : frac / (ifc->tsresol / 1000000000u);
	else if (ifc->tsshift <= 34)   /* frac < 2^34: frac * 10^9 fits in 64 bits */
		frac = frac * 1000000000u >> ifc->tsshift;
	else                           /* finer than 2^-34 s (58 ps) does not matter */
		frac = (frac >> (ifc->tsshift - 34)) * 1000000000u >> 34;
	*sec = signed_s;
	*nsec = (uint32_t)frac;
}

/* EPB (§4.3), SPB (§4.4) and the obsolete PB (Appendix A). */
static int packet(struct pcapfile *f, uint32_t type, struct rd body, struct pcapfile_pkt *pkt, char *errbuf)
{
	uint32_t ifid = 0, hi = 0, lo = 0, caplen = 0, len = 0;
	uint16_t if16, drops;
	bool ok;
	char nb[32];
	if (type == BT_EPB)
		ok = rd_e32(&body, f->be, &ifid) && rd_e32(&body, f->be, &hi) && rd_e32(&body, f->be, &lo) &&
		     rd_e32(&body, f->be, &caplen) && rd_e32(&body, f->be, &len);
	else if (type == BT_PB)
		ok = rd_e16(&body, f->be, &if16) && rd_e16(&body, f->be, &drops) && rd_e32(&body, f->be, &hi) &&
		     rd_e32(&body, f->be, &lo) && rd_e32(&body, f->be, &caplen) && rd_e32(&body, f->be, &len) &&
		     (ifid = if16, true);
	else
		ok = rd_e32(&body, f->be, &len);
	if (!ok)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "%s too short for its header", block_name(type, nb, sizeof nb));
	if (ifid >= f->n_if)
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "a packet arrived on interface %u, but there's no Interface "
			       "Description Block for that interface", ifid);
	const struct pf_iface *ifc = &f->ifs[ifid];
	if (type == BT_SPB) {   /* no caplen: the packet up to the snaplen, as far as the block holds it */
		caplen = len < ifc->snaplen ? len : ifc->snaplen;
		if (caplen > rd_left(&body))
			caplen = (uint32_t)rd_left(&body);
	} else if (caplen > LIM_CAPLEN) {
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "invalid packet capture length %u, bigger than the maximum "
			       "of %u", caplen, LIM_CAPLEN);
	} else if (caplen > rd_left(&body)) {
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "%s claims %u captured bytes but holds %zu",
			       block_name(type, nb, sizeof nb), caplen, rd_left(&body));
	}
	pkt->frame = ++f->frames;
	to_time(ifc, (uint64_t)hi << 32 | lo, &pkt->sec, &pkt->nsec);
	pkt->caplen = caplen > ifc->snaplen ? ifc->snaplen : caplen;   /* as for classic pcap */
	pkt->len = len;
	pkt->data = body.p;
	pkt->interface = ifid;
	pkt->dlt = ifc->dlt;
	return STEP_PACKET;
}

/* DSB (§4.7): secrets_type, secrets_length, the secrets, options. */
static int secrets(struct pcapfile *f, struct rd body, char *errbuf)
{
	uint32_t stype, slen;
	const uint8_t *data;
	if (!rd_e32(&body, f->be, &stype) || !rd_e32(&body, f->be, &slen))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "decryption secrets block too short for its header");
	size_t held = rd_left(&body);
	if (!rd_bytes(&body, slen, &data))
		return pf_fail(f, PCAPFILE_DAMAGED, errbuf, "decryption secrets block claims %u bytes of secrets but "
			       "holds %zu", slen, held);
	pf_queue_secret(f, stype, data, slen);
	return STEP_BLOCK;
}

/* One block. at_packet: stop in front of a packet block (STEP_AT_PACKET)
 * instead of reading it. */
static int step(struct pcapfile *f, struct pcapfile_pkt *pkt, bool at_packet, char *errbuf)
{
	uint32_t type = 0, len = 0;
	int rc = block_head(f, &type, &len, errbuf);
	if (rc <= 0)
		return rc;
	if (at_packet && is_packet_block(type))
		return STEP_AT_PACKET;
	if (!is_packet_block(type) && type != BT_SHB && type != BT_IDB && type != BT_DSB) {
		uint64_t skipped = pcapsrc_skip(f->src, len);   /* name resolution, statistics, custom ... */
		char nb[32];
		if (skipped < len)
			return pf_short(f, errbuf, "truncated pcapng dump file; tried to read %u bytes of a %s, only got "
					"%llu: the file ended mid-block", len, block_name(type, nb, sizeof nb),
					(unsigned long long)skipped);
		if (type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY || type == BT_JOURNAL || type == BT_SYSDIG_EVENT)
			f->frames++;
		return STEP_BLOCK;
	}
	struct rd body = rd_make(NULL, 0);
	if (block_read(f, type, len, &body, errbuf) < 0)
		return -1;
	pcapsrc_consume(f->src, len);   /* body stays valid until the next peek */
	switch (type) {
	case BT_SHB:
		return section_header(f, body, errbuf);
	case BT_IDB:
		return interface(f, body, errbuf);
	case BT_DSB:
		return secrets(f, body, errbuf);
	default:
		return packet(f, type, body, pkt, errbuf);
	}
}

/* Every block up to the first packet block, so the first interfaces are
 * known; damage after the first interface is left for pcapng_next to
 * report (the file opens: what came before is valid). */
int pcapng_open(struct pcapfile *f, char *errbuf)
{
	for (;;) {
		int rc = step(f, NULL, true, errbuf);
		if (rc == STEP_BLOCK)
			continue;
		if (rc < 0)
			return f->have_first ? 0 : -1;
		if (!f->have_first)
			return pf_fail(f, PCAPFILE_DAMAGED, errbuf, rc == STEP_EOF ?
				       "the capture file has no Interface Description Blocks" :
				       "the capture file has a packet block before any Interface Description Blocks");
		return 0;   /* at the first packet block, or at a clean end */
	}
}

int pcapng_next(struct pcapfile *f, struct pcapfile_pkt *pkt, char *errbuf)
{
	for (;;) {
		int rc = step(f, pkt, false, errbuf);
		if (rc != STEP_BLOCK)
			return rc;
	}
}

void pcapng_free(struct pcapfile *f)
{
	mem_free(f->ifs);
}
