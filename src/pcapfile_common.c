/* pcapfile_common.c - what the classic pcap and pcapng readers share: how a read ends,
 * interfaces' link types and snaplens, and the queue of Decryption Secrets Blocks. */
#include "pcapfile_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "mem.h"

int pf_fail(struct pcapfile *f, enum pcapfile_end how, char *errbuf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
	f->end = how;
	if (errbuf)
		snprintf(errbuf, PCAPFILE_ERRBUF, "%s", f->msg);
	return -1;
}

/* A read error or damaged gzip data explains a short read better than the format can. */
static int io_failed(struct pcapfile *f, char *errbuf, bool *gz_cut)
{
	const char *ioerr = pcapsrc_error(f->src, gz_cut);
	if (!ioerr)
		return 0;
	return pf_fail(f, strncmp(ioerr, "gzip", 4) == 0 ? PCAPFILE_DAMAGED : PCAPFILE_IO_ERROR, errbuf, "%s", ioerr);
}

int pf_short(struct pcapfile *f, char *errbuf, const char *fmt, ...)
{
	bool gz_cut;
	if (io_failed(f, errbuf, &gz_cut))
		return -1;
	char msg[PCAPFILE_ERRBUF];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return pf_fail(f, PCAPFILE_CUT, errbuf, "%s", msg);
}

int pf_eof(struct pcapfile *f, char *errbuf)
{
	bool gz_cut;
	if (io_failed(f, errbuf, &gz_cut))
		return -1;
	if (gz_cut)
		return pf_fail(f, PCAPFILE_CUT, errbuf, "truncated gzip file: the compressed stream ends before its end");
	f->end = PCAPFILE_CLEAN;
	return 0;
}

void pf_add_dlt(struct pcapfile *f, int dlt)
{
	for (size_t i = 0; i < f->n_dlts; i++)
		if (f->dlts[i] == dlt)
			return;
	if (f->n_dlts < PF_MAX_DLTS)
		f->dlts[f->n_dlts++] = dlt;
}

/* As libpcap: a snaplen of 0 or above INT32_MAX means "whole packets". */
uint32_t pf_adjust_snaplen(uint32_t snaplen)
{
	return snaplen == 0 || snaplen > 0x7fffffffu ? LIM_CAPLEN : snaplen;
}

/* The LINKTYPE_ values that are not libpcap's DLT_ values on this system
 * (https://www.tcpdump.org/linktypes.html); the rest are equal. */
int pcapfile_linktype_to_dlt(uint32_t linktype)
{
	switch (linktype) {
	case 100: return 11;   /* ATM_RFC1483 */
	case 101: return 12;   /* RAW */
	case 102: return 15;   /* SLIP_BSDOS */
	case 103: return 16;   /* PPP_BSDOS */
	case 106: return 19;   /* ATM_CLIP */
	default: return (int)(linktype & 0x7fffffff);
	}
}

void pf_queue_secret(struct pcapfile *f, uint32_t type, const uint8_t *p, size_t n)
{
	if (n > LIM_SECRETS_HELD - f->sec_held) {
		f->sec_dropped++;
		return;
	}
	struct pf_secret *s = mem_alloc_uninit(sizeof *s + n);
	s->next = NULL;
	s->type = type;
	s->after_frame = f->frames;
	s->len = n;
	memcpy(s->data, p, n);
	if (f->sec_tail)
		f->sec_tail->next = s;
	else
		f->sec_head = s;
	f->sec_tail = s;
	f->sec_held += n;
}
