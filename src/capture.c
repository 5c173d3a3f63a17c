/* capture.c - reading capture files with libpcap; gzip through a stdio cookie. */
#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "decode.h"
#include "mem.h"

struct capture {
	pcap_t *p;
	struct bpf_program prog;
	bool has_prog;
	bool live;
	uint64_t frames;
	int ts_digits;
	uint8_t *iobuf;          /* the stdio buffer libpcap reads through */
};

#define READ_BUFFER (1u << 20)

/* stdio cookie over zlib so libpcap reads a .gz capture as a stream. */
static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	int n = gzread((gzFile)cookie, buf, size > 1u << 30 ? 1u << 30 : (unsigned)size);
	return n < 0 ? -1 : n;
}

static int gz_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

static FILE *open_gzip(const char *path, char *errbuf)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		return NULL;
	}
	gzbuffer(gz, 256 * 1024);
	cookie_io_functions_t io = { .read = gz_read, .write = NULL, .seek = NULL, .close = gz_close };
	FILE *f = fopencookie(gz, "r", io);
	if (!f) {
		gzclose(gz);
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return f;
}

/* Classic pcap says its timestamp resolution in the magic; pcapng per
 * interface (libpcap does not tell us, and tcpdump writes microseconds). */
static int magic_ts_digits(const uint8_t m[4])
{
	if ((m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
	    (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1))
		return 9;
	return 6;
}

struct capture *capture_open_file(const char *path, const char *filter, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	uint8_t magic[4] = { 0 };
	struct stat st;

	errbuf[0] = '\0';
	/* "-" is standard input, as with tcpdump -r - */
	FILE *raw = strcmp(path, "-") == 0 ? fdopen(dup(0), "rb") : fopen(path, "rb");
	if (!raw) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* libpcap reads record by record through stdio: a large buffer (set
	 * before the first read; glibc ignores the size without one) turns tens
	 * of thousands of 4 KiB read() calls into a few hundred */
	uint8_t *iobuf = mem_alloc(READ_BUFFER);
	setvbuf(raw, (char *)iobuf, _IOFBF, READ_BUFFER);
	if (fstat(fileno(raw), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: is a directory", path);
		fclose(raw);
		mem_free(iobuf);
		return NULL;
	}
	size_t got = fread(magic, 1, sizeof magic, raw);
	if (got == 0) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: empty file, not a capture", path);
		fclose(raw);
		mem_free(iobuf);
		return NULL;
	}
	bool gz = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	bool seekable = fseek(raw, 0, SEEK_SET) == 0;
	FILE *f;
	if (!seekable) {
		/* a pipe: put the 4 bytes back in front of the rest */
		if (gz) {
			snprintf(errbuf, CAPTURE_ERRBUF, "%s: gzip-compressed input from a pipe: decompress it first (zcat)",
				 path);
			fclose(raw);
			mem_free(iobuf);
			return NULL;
		}
		for (size_t i = got; i > 0; i--)
			ungetc(magic[i - 1], raw);
		f = raw;
	} else if (gz) {
		fclose(raw);
		gzFile peek = gzopen(path, "rb");
		if (peek) {
			if (gzread(peek, magic, 4) != 4)
				memset(magic, 0, 4);
			gzclose(peek);
		}
		f = open_gzip(path, errbuf);
		if (!f) {
			mem_free(iobuf);
			return NULL;
		}
		setvbuf(f, (char *)iobuf, _IOFBF, READ_BUFFER);
	} else {
		f = raw;
	}

	struct capture *c = mem_alloc(sizeof *c);
	c->iobuf = iobuf;   /* freed after pcap_close has closed the FILE */
	c->ts_digits = magic_ts_digits(magic);
	/* ask for nanoseconds: libpcap scales microsecond files up */
	c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!c->p) {
		fclose(f);
		c->iobuf = NULL;
		mem_free(iobuf);
		if (strstr(perr, "unknown file format"))
			snprintf(errbuf, CAPTURE_ERRBUF, "%s: not a pcap or pcapng capture file", path);
		else
			snprintf(errbuf, CAPTURE_ERRBUF, "%s: %s", path, perr);
		mem_free(c);
		return NULL;
	}
	if (!decode_link_supported(pcap_datalink(c->p))) {
		const char *n = pcap_datalink_val_to_name(pcap_datalink(c->p));
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: unsupported link type %s (%d)", path, n ? n : "unknown",
			 pcap_datalink(c->p));
		capture_close(c);
		return NULL;
	}
	if (filter && *filter) {
		if (pcap_compile(c->p, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(errbuf, CAPTURE_ERRBUF, "filter \"%s\": %s", filter, pcap_geterr(c->p));
			capture_close(c);
			return NULL;
		}
		c->has_prog = true;
	}
	return c;
}

int capture_next(struct capture *c, struct capture_pkt *pkt, char *errbuf)
{
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(c->p, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			return c->live ? -2 : 0;
		if (rc == 0)
			return 2;   /* live: timeout */
		if (rc < 0) {
			snprintf(errbuf, CAPTURE_ERRBUF, "%s", pcap_geterr(c->p));
			return -1;
		}
		c->frames++;
		if (c->has_prog && !pcap_offline_filter(&c->prog, h, data))
			continue;   /* filtered out, but counted: frame numbers stay Wireshark's */
		pkt->frame = c->frames;
		pkt->time.sec = (int64_t)h->ts.tv_sec;
		pkt->time.nsec = (uint32_t)h->ts.tv_usec;   /* nanoseconds: see open */
		pkt->caplen = h->caplen;
		pkt->len = h->len;
		pkt->data = data;
		return 1;
	}
}

int capture_datalink(const struct capture *c) { return pcap_datalink(c->p); }

const char *capture_datalink_name(const struct capture *c)
{
	const char *n = pcap_datalink_val_to_name(pcap_datalink(c->p));
	return n ? n : "unknown";
}

int capture_ts_digits(const struct capture *c) { return c->ts_digits; }
uint64_t capture_frames(const struct capture *c) { return c->frames; }
pcap_t *capture_pcap(struct capture *c) { return c->p; }
void capture_break(struct capture *c) { pcap_breakloop(c->p); }

void capture_close(struct capture *c)
{
	if (!c)
		return;
	if (c->has_prog)
		pcap_freecode(&c->prog);
	if (c->p)
		pcap_close(c->p);   /* closes the FILE, and the gzip cookie with it */
	mem_free(c->iobuf);
	mem_free(c);
}

/* The device -i names, or the first one libpcap lists (as tcpdump picks). */
static bool default_device(char *name, size_t len, char *errbuf)
{
	pcap_if_t *all = NULL;
	char perr[PCAP_ERRBUF_SIZE] = "";
	if (pcap_findalldevs(&all, perr) < 0 || !all) {
		snprintf(errbuf, CAPTURE_ERRBUF, "no capture device found%s%s", perr[0] ? ": " : "", perr);
		if (all)
			pcap_freealldevs(all);
		return false;
	}
	snprintf(name, len, "%s", all->name);
	pcap_freealldevs(all);
	return true;
}

struct capture *capture_open_live(const struct capture_live_opts *o, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	char dev[256];
	errbuf[0] = '\0';
	if (o->device)
		snprintf(dev, sizeof dev, "%s", o->device);
	else if (!default_device(dev, sizeof dev, errbuf))
		return NULL;
	struct capture *c = mem_alloc(sizeof *c);
	c->live = true;
	c->ts_digits = 6;
	c->p = pcap_create(dev, perr);
	if (!c->p) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%.200s: %s", dev, perr);
		mem_free(c);
		return NULL;
	}
	pcap_set_snaplen(c->p, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(c->p, 0);
	/* deliver packets as they come, so reports are not held back */
	if (o->immediate)
		pcap_set_immediate_mode(c->p, 1);
	pcap_set_timeout(c->p, 200);   /* ms: lets a timeout or Ctrl-C be noticed */
	if (o->buffer_size > 0)
		pcap_set_buffer_size(c->p, o->buffer_size);
	int rc = pcap_activate(c->p);
	if (rc < 0) {
		if (rc == PCAP_ERROR_PERM_DENIED)
			snprintf(errbuf, CAPTURE_ERRBUF, "%s: capture not permitted (%s): run as root or with CAP_NET_RAW",
				 dev, pcap_geterr(c->p));
		else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			snprintf(errbuf, CAPTURE_ERRBUF, "%s: no such device (tlsdiag -D lists them)", dev);
		else
			snprintf(errbuf, CAPTURE_ERRBUF, "%s: %s", dev, pcap_geterr(c->p));
		capture_close(c);
		return NULL;
	}
	/* "any" gives Linux cooked headers; prefer SLL2, which names the interface */
	if (pcap_datalink(c->p) == DLT_LINUX_SLL)
		pcap_set_datalink(c->p, DLT_LINUX_SLL2);
	if (!decode_link_supported(pcap_datalink(c->p))) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: unsupported link type %s", dev, capture_datalink_name(c));
		capture_close(c);
		return NULL;
	}
	const char *filter = o->filter && *o->filter ? o->filter : "tcp";
	if (pcap_compile(c->p, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(c->p, &c->prog) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF, "filter \"%s\": %s", filter, pcap_geterr(c->p));
		capture_close(c);
		return NULL;
	}
	pcap_freecode(&c->prog);   /* the kernel has it; frame numbers count what we receive */
	return c;
}

int capture_list_devices(FILE *out, char *errbuf)
{
	pcap_if_t *all = NULL;
	char perr[PCAP_ERRBUF_SIZE] = "";
	if (pcap_findalldevs(&all, perr) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s", perr);
		return -1;
	}
	int i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		fprintf(out, "%d.%s", i, d->name);
		if (d->description)
			fprintf(out, " (%s)", d->description);
		if (d->flags & PCAP_IF_LOOPBACK)
			fputs(" [Loopback]", out);
		if (d->flags & PCAP_IF_UP)
			fputs(" [Up]", out);
		fputc('\n', out);
	}
	pcap_freealldevs(all);
	return 0;
}

bool capture_stats(struct capture *c, uint64_t *received, uint64_t *dropped, uint64_t *if_dropped)
{
	struct pcap_stat st;
	if (!c->live || pcap_stats(c->p, &st) < 0)
		return false;
	*received = st.ps_recv;
	*dropped = st.ps_drop;
	*if_dropped = st.ps_ifdrop;
	return true;
}
