/* capture.c - packets from capture files (pcapfile.c) or live interfaces (libpcap), BPF filters via libpcap. */
#include "capture.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "limits.h"
#include "mem.h"

struct link {
	int dlt;
	const char *name;         /* libpcap's static string */
	struct bpf_program prog;  /* the filter compiled for this link type */
	bool has_prog;
};

struct capture {
	pcap_t *p;                /* live capture */
	struct pcapfile *file;    /* or a file */
	pcap_t *dead;             /* files: the first link type, for -w (capture_pcap) */
	char *filter;             /* files: compiled per link type as packets meet them */
	struct link links[16];
	unsigned n_links, last_link;
	bool live;
	uint64_t frames;
	int dlt;                  /* live, or the file's first supported link type */
	int ts_digits;
	int fd;                   /* live: the descriptor poll(2) waits on, or -1 */
	char names[160];
};

#define LIVE_TICK_MS 200   /* the longest a quiet wire keeps the analyzer from its ticks */
/* Immediate mode gives each packet a ring slot as large as the snapshot
 * length allows: libpcap's 2 MiB default holds a few dozen, and 400 python
 * handshakes a second on loopback lost 4,474 of 120,296 packets (4 false
 * failures); 8 MiB lost 82 in one of four runs, 16 MiB none in three
 * (docs/LIVE-AUDIT.md). */
#define LIVE_BUFFER_DEFAULT (16 * 1024 * 1024)

static const char *dlt_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

/* The link of a link type, its filter compiled on first use (pcap_compile
 * needs a handle of that link type: a dead one). NULL if the filter does
 * not compile for it (errbuf says why) or there are too many link types. */
static struct link *link_lookup(struct capture *c, int dlt, char *errbuf)
{
	struct link *l;
	for (unsigned i = 0; i < c->n_links; i++)
		if (c->links[i].dlt == dlt) {
			c->last_link = i;
			return &c->links[i];
		}
	if (c->n_links == sizeof c->links / sizeof c->links[0]) {
		snprintf(errbuf, CAPTURE_ERRBUF, "more than %u link types in one file", c->n_links);
		return NULL;
	}
	l = &c->links[c->n_links];
	l->dlt = dlt;
	l->name = dlt_name(dlt);
	if (c->filter) {
		pcap_t *d = pcap_open_dead(dlt, LIM_CAPLEN);
		if (!d || pcap_compile(d, &l->prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(errbuf, CAPTURE_ERRBUF, "filter \"%s\"%s%s: %s", c->filter, c->n_links ? " on link type " : "",
				 c->n_links ? l->name : "", d ? pcap_geterr(d) : "out of memory");
			if (d)
				pcap_close(d);
			return NULL;
		}
		pcap_close(d);
		l->has_prog = true;
	}
	c->last_link = c->n_links++;
	return l;
}

/* Every packet asks: the link of the packet before is kept small, so that
 * it is inlined; a new link type of a pcapng file goes the long way. */
static struct link *link_of(struct capture *c, int dlt, char *errbuf)
{
	struct link *l = &c->links[c->last_link];
	return c->n_links && l->dlt == dlt ? l : link_lookup(c, dlt, errbuf);
}

/* The first link type at the start of the file that we can decode. */
static int first_supported(const struct pcapfile *f)
{
	int dlts[16];
	size_t n = pcapfile_dlts(f, dlts, 16);
	for (size_t i = 0; i < n; i++)
		if (decode_link_supported(dlts[i]))
			return dlts[i];
	return -1;
}

struct capture *capture_open_file(const char *path, const char *filter, char *errbuf)
{
	char perr[PCAPFILE_ERRBUF];
	errbuf[0] = '\0';
	struct pcapfile *f = pcapfile_open(path, perr);
	if (!f) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: %s", path, perr);
		return NULL;
	}
	struct capture *c = mem_alloc(sizeof *c);
	c->file = f;
	c->ts_digits = pcapfile_ts_digits(f);
	c->dlt = first_supported(f);
	if (c->dlt < 0) {
		int d = pcapfile_dlt(f);
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: unsupported link type %s (%d)", path, dlt_name(d), d);
		capture_close(c);
		return NULL;
	}
	if (filter && *filter) {
		c->filter = mem_strdup(filter);
		if (!link_of(c, c->dlt, errbuf)) {   /* a filter that does not compile is an option error */
			capture_close(c);
			return NULL;
		}
	}
	return c;
}

static int next_from_file(struct capture *c, struct capture_pkt *pkt, char *errbuf)
{
	for (;;) {
		struct pcapfile_pkt fp;
		char perr[PCAPFILE_ERRBUF];
		int rc = pcapfile_next(c->file, &fp, perr);
		c->frames = pcapfile_frames(c->file);
		if (rc <= 0) {
			if (rc < 0)
				snprintf(errbuf, CAPTURE_ERRBUF, "%s", perr);
			return rc;
		}
		struct link *l = link_of(c, fp.dlt, errbuf);
		if (!l)
			return -1;
		if (l->has_prog) {
			struct pcap_pkthdr h = { .caplen = fp.caplen, .len = fp.len };
			if (!pcap_offline_filter(&l->prog, &h, fp.data))
				continue;   /* filtered out, but counted: frame numbers stay Wireshark's */
		}
		pkt->frame = fp.frame;
		pkt->time.sec = fp.sec;
		pkt->time.nsec = fp.nsec;
		pkt->caplen = fp.caplen;
		pkt->len = fp.len;
		pkt->data = fp.data;
		pkt->dlt = fp.dlt;
		pkt->dlt_name = l->name;
		pkt->interface = fp.interface;
		return 1;
	}
}

int capture_next(struct capture *c, struct capture_pkt *pkt, char *errbuf)
{
	if (c->file)
		return next_from_file(c, pkt, errbuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(c->p, &h, &data);
	if (rc == 0 && c->fd >= 0) {
		/* non-blocking: wait here, so a quiet wire still gives the caller
		 * its ticks (with TPACKET_V3 a blocking read may never time out) */
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		if (poll(&pfd, 1, LIVE_TICK_MS) <= 0)
			return 2;   /* timeout, or a signal: the caller checks its stop flag */
		rc = pcap_next_ex(c->p, &h, &data);
	}
	if (rc == PCAP_ERROR_BREAK)
		return -2;
	if (rc == 0)
		return 2;   /* timeout */
	if (rc < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s", pcap_geterr(c->p));
		return -1;
	}
	pkt->frame = ++c->frames;
	pkt->time.sec = (int64_t)h->ts.tv_sec;
	pkt->time.nsec = (uint32_t)h->ts.tv_usec * 1000u;
	pkt->caplen = h->caplen;
	pkt->len = h->len;
	pkt->data = data;
	pkt->dlt = c->dlt;
	pkt->dlt_name = c->links[0].name;
	pkt->interface = 0;
	return 1;
}

bool capture_secrets(struct capture *c, struct pcapfile_secrets *out)
{
	return c->file && pcapfile_secrets(c->file, out);
}

enum pcapfile_end capture_end(const struct capture *c)
{
	return c->file ? pcapfile_end(c->file) : PCAPFILE_MORE;
}

int capture_datalink(const struct capture *c) { return c->dlt; }
const char *capture_datalink_name(const struct capture *c) { return dlt_name(c->dlt); }

const char *capture_link_names(struct capture *c)
{
	int dlts[16];
	size_t n = c->file ? pcapfile_dlts(c->file, dlts, 16) : 0;
	if (!n)
		return capture_datalink_name(c);
	c->names[0] = '\0';
	for (size_t i = 0, at = 0; i < n && at < sizeof c->names; i++)
		at += (size_t)snprintf(c->names + at, sizeof c->names - at, "%s%s", i ? ", " : "", dlt_name(dlts[i]));
	return c->names;
}

int capture_ts_digits(const struct capture *c) { return c->ts_digits; }
uint64_t capture_frames(const struct capture *c) { return c->frames; }
uint64_t capture_offset(const struct capture *c) { return c->file ? pcapfile_offset(c->file) : 0; }

pcap_t *capture_pcap(struct capture *c)
{
	/* a file's -w copy: its first link type and snaplen, microsecond stamps (what evidence.c writes) */
	if (!c->p && !c->dead)
		c->dead = pcap_open_dead_with_tstamp_precision(c->dlt, (int)pcapfile_snaplen(c->file),
							       PCAP_TSTAMP_PRECISION_MICRO);
	return c->p ? c->p : c->dead;
}

void capture_break(struct capture *c)
{
	if (c->p)
		pcap_breakloop(c->p);
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n_links; i++)
		if (c->links[i].has_prog)
			pcap_freecode(&c->links[i].prog);
	if (c->p)
		pcap_close(c->p);
	if (c->dead)
		pcap_close(c->dead);
	pcapfile_close(c->file);
	mem_free(c->filter);
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
	pcap_set_timeout(c->p, LIVE_TICK_MS);   /* ms: lets a timeout or Ctrl-C be noticed */
	pcap_set_buffer_size(c->p, o->buffer_size > 0 ? o->buffer_size : LIVE_BUFFER_DEFAULT);
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
	c->dlt = pcap_datalink(c->p);
	c->fd = -1;
	if (pcap_setnonblock(c->p, 1, perr) == 0)
		c->fd = pcap_get_selectable_fd(c->p);   /* -1: blocking reads with the timeout above */
	if (c->fd < 0)
		pcap_setnonblock(c->p, 0, perr);
	c->links[0].dlt = c->dlt;
	c->links[0].name = dlt_name(c->dlt);
	if (!decode_link_supported(c->dlt)) {
		snprintf(errbuf, CAPTURE_ERRBUF, "%s: unsupported link type %s", dev, capture_datalink_name(c));
		capture_close(c);
		return NULL;
	}
	const char *filter = o->filter && *o->filter ? o->filter : "tcp";
	struct bpf_program prog;
	int compiled = pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN);
	if (compiled < 0 || pcap_setfilter(c->p, &prog) < 0) {
		if (compiled == 0)
			pcap_freecode(&prog);
		snprintf(errbuf, CAPTURE_ERRBUF, "filter \"%s\": %s", filter, pcap_geterr(c->p));
		capture_close(c);
		return NULL;
	}
	pcap_freecode(&prog);   /* the kernel has it; frame numbers count what we receive */
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
