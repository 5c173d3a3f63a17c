/* test_pcapfile.c - CUnit tests for the capture file reader (src/pcapfile.h): classic pcap, gzip, files, pipes. */
#include "pcapfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"
#include "limits.h"
#include "unit.h"

/* ---- classic pcap ---- */

static void classic_two(struct fb *b, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
	pcap_header(b, magic, 2, 4, snaplen, linktype);
	pcap_record(b, 1767225600, 250000, 60, 60, 1);
	pcap_record(b, 1767225601, 999999, 100, 1514, 2);
}

static void test_classic_byte_orders_and_resolutions(void)
{
	static const struct { uint32_t magic; bool be; uint32_t nsec2; int digits; } v[] = {
		{ 0xa1b2c3d4, false, 999999000, 6 }, { 0xa1b2c3d4, true, 999999000, 6 },
		{ 0xa1b23c4d, false, 999999, 9 }, { 0xa1b23c4d, true, 999999, 9 },
	};
	struct guard g = { 0 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct fb b = { .be = v[i].be };
		struct run r;
		classic_two(&b, v[i].magic, 65535, 1);
		struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(pcapfile_format(f), PCAPFILE_PCAP);
		CU_ASSERT_EQUAL(pcapfile_ts_digits(f), v[i].digits);
		CU_ASSERT_EQUAL(pcapfile_dlt(f), 1);
		CU_ASSERT_EQUAL(pcapfile_snaplen(f), 65535);
		CU_ASSERT_EQUAL(r.rc, 0);
		CU_ASSERT_EQUAL(r.end, PCAPFILE_CLEAN);
		CU_ASSERT_EQUAL_FATAL(r.n, 2);
		CU_ASSERT_EQUAL(r.pkt[0].frame, 1);
		CU_ASSERT_EQUAL(r.pkt[0].sec, 1767225600);
		CU_ASSERT_EQUAL(r.pkt[0].nsec, v[i].digits == 6 ? 250000000u : 250000u);
		CU_ASSERT_EQUAL(r.pkt[1].frame, 2);
		CU_ASSERT_EQUAL(r.pkt[1].nsec, v[i].nsec2);
		CU_ASSERT_EQUAL(r.pkt[1].caplen, 100);
		CU_ASSERT_EQUAL(r.pkt[1].len, 1514);
		CU_ASSERT_EQUAL(r.pkt[1].dlt, 1);
		CU_ASSERT_TRUE(r.pkt[0].data_ok && r.pkt[1].data_ok);
		CU_ASSERT_EQUAL(pcapfile_frames(f), 2);
		pcapfile_close(f);
		fb_free(&b);
	}
	guard_free(&g);
}

/* The modified format: 24-byte record headers (ifindex, protocol, type). */
static void test_classic_kuznetzov(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	struct run r;
	pcap_header(&b, 0xa1b2cd34, 2, 4, 1500, 1);
	for (unsigned k = 1; k <= 2; k++) {
		fb_u32(&b, 100 + k);
		fb_u32(&b, 7);
		fb_u32(&b, 1514);
		fb_u32(&b, 1514);
		fb_u32(&b, 2);   /* ifindex */
		fb_u32(&b, 0);   /* protocol, pkt_type, pad */
		fb_bytes(&b, pattern(k, 1514), 1514);
	}
	struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* its EN10MB snaplen left out the 14-byte fake Ethernet header */
	CU_ASSERT_EQUAL(pcapfile_snaplen(f), 1514);
	CU_ASSERT_EQUAL(r.end, PCAPFILE_CLEAN);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_EQUAL(r.pkt[1].sec, 102);
	CU_ASSERT_EQUAL(r.pkt[1].nsec, 7000);
	CU_ASSERT_EQUAL(r.pkt[1].caplen, 1514);
	CU_ASSERT_TRUE(r.pkt[0].data_ok && r.pkt[1].data_ok);
	pcapfile_close(f);
	fb_free(&b);
	guard_free(&g);
}

/* Before 2.3, caplen and len were the other way round; 2.3 files have either. */
static void test_classic_old_versions_swap_lengths(void)
{
	struct guard g = { 0 };
	for (uint16_t minor = 2; minor <= 3; minor++) {
		struct fb b = { 0 };
		struct run r;
		pcap_header(&b, 0xa1b2c3d4, 2, minor, 0, 1);
		fb_u32(&b, 1);
		fb_u32(&b, 0);
		fb_u32(&b, 1514);   /* "len" first */
		fb_u32(&b, 64);
		fb_bytes(&b, pattern(1, 64), 64);
		struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(pcapfile_snaplen(f), LIM_CAPLEN);   /* snaplen 0: whole packets */
		CU_ASSERT_EQUAL_FATAL(r.n, 1);
		CU_ASSERT_EQUAL(r.pkt[0].caplen, 64);
		CU_ASSERT_EQUAL(r.pkt[0].len, 1514);
		CU_ASSERT_TRUE(r.pkt[0].data_ok);
		pcapfile_close(f);
		fb_free(&b);
	}
	guard_free(&g);
}

static void test_classic_link_types(void)
{
	static const struct { uint32_t linktype; int dlt; } v[] = {
		{ 101, 12 }, { 0x04000001, 1 } /* FCS bits above the link type */, { 276, 276 }, { 113, 113 }, { 0, 0 },
	};
	struct guard g = { 0 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct fb b = { 0 };
		struct run r;
		classic_two(&b, 0xa1b2c3d4, 262144, v[i].linktype);
		struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(pcapfile_dlt(f), v[i].dlt);
		CU_ASSERT_EQUAL(r.pkt[0].dlt, v[i].dlt);
		int dlts[4];
		CU_ASSERT_EQUAL(pcapfile_dlts(f, dlts, 4), 1);
		CU_ASSERT_EQUAL(dlts[0], v[i].dlt);
		pcapfile_close(f);
		fb_free(&b);
	}
	guard_free(&g);
}

/* caplen above the snaplen: the snaplen's worth, as libpcap keeps it. */
static void test_classic_caplen_over_snaplen(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	struct run r;
	pcap_header(&b, 0xa1b2c3d4, 2, 4, 96, 1);
	pcap_record(&b, 1, 0, 1500, 1500, 1);
	pcap_record(&b, 2, 0, 50, 50, 2);
	struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_EQUAL(r.pkt[0].caplen, 96);
	CU_ASSERT_EQUAL(r.pkt[0].len, 1500);
	CU_ASSERT_TRUE(r.pkt[0].data_ok);
	CU_ASSERT_EQUAL(r.pkt[1].caplen, 50);
	CU_ASSERT_TRUE(r.pkt[1].data_ok);
	pcapfile_close(f);
	fb_free(&b);
	guard_free(&g);
}

/* A caplen above LIM_CAPLEN lies: reading stops, what came before stays. */
static void test_classic_huge_caplen(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	struct run r;
	classic_two(&b, 0xa1b2c3d4, 262144, 1);
	fb_u32(&b, 3);
	fb_u32(&b, 0);
	fb_u32(&b, 0x7fffffff);
	fb_u32(&b, 0x7fffffff);
	pcap_record(&b, 4, 0, 60, 60, 4);
	struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(r.n, 2);
	CU_ASSERT_EQUAL(r.rc, -1);
	CU_ASSERT_EQUAL(r.end, PCAPFILE_DAMAGED);
	CU_ASSERT_STRING_EQUAL(r.err, "invalid packet capture length 2147483647, bigger than the maximum of 262144");
	/* and it says so again */
	struct pcapfile_pkt p;
	char err[PCAPFILE_ERRBUF];
	CU_ASSERT_EQUAL(pcapfile_next(f, &p, err), -1);
	CU_ASSERT_STRING_EQUAL(err, r.err);
	pcapfile_close(f);
	fb_free(&b);
	guard_free(&g);
}

static void test_classic_bad_headers(void)
{
	static const struct { uint16_t major, minor; const char *err; } v[] = {
		{ 1, 0, "archaic pcap savefile format" },
		{ 2, 5, "unsupported pcap savefile version 2.5" },
		{ 3, 0, "unsupported pcap savefile version 3.0" },
	};
	struct guard g = { 0 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct fb b = { 0 };
		struct run r;
		pcap_header(&b, 0xa1b2c3d4, v[i].major, v[i].minor, 0, 1);
		CU_ASSERT_PTR_NULL(open_guarded(&g, &b, b.n, &r));
		CU_ASSERT_STRING_EQUAL(r.err, v[i].err);
		fb_free(&b);
	}
	struct run r;
	struct fb t = { 0 };
	fb_bytes(&t, "GET / HTTP/1.1\r\n", 16);
	CU_ASSERT_PTR_NULL(open_guarded(&g, &t, t.n, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "not a pcap or pcapng capture file");
	/* "\n\r\r\n" is a pcapng only with a byte-order magic after it */
	fb_free(&t);
	fb_bytes(&t, "\n\r\r\n\x1c\0\0\0GET / HTTP", 18);
	CU_ASSERT_PTR_NULL(open_guarded(&g, &t, t.n, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "not a pcap or pcapng capture file");
	fb_free(&t);
	guard_free(&g);
}

/* Every prefix of a small file: the frames in it are read, and the end is
 * clean exactly at record boundaries, else the file ended mid-packet. */
static void test_classic_every_prefix(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	pcap_header(&b, 0xa1b2c3d4, 2, 4, 262144, 1);
	size_t ends[4] = { b.n };
	for (unsigned k = 1; k <= 3; k++) {
		pcap_record(&b, k, 0, 20 * k, 20 * k, k);
		ends[k] = b.n;
	}
	for (size_t n = 0; n <= b.n; n++) {
		struct run r;
		struct pcapfile *f = open_guarded(&g, &b, n, &r);
		if (n < 24) {
			CU_ASSERT_PTR_NULL(f);
			EXPECT_ERR(&r, n == 0 ? "empty file, not a capture" : "truncated dump file; tried to read");
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		size_t whole = 0;
		while (whole < 3 && ends[whole + 1] <= n)
			whole++;
		if (r.n != whole)
			UNIT_FAIL("prefix %zu: %zu frames read, %zu expected", n, r.n, whole);
		for (size_t i = 0; i < r.n; i++)
			CU_ASSERT_TRUE(r.pkt[i].data_ok && r.pkt[i].frame == i + 1);
		if (n == ends[whole]) {
			CU_ASSERT_EQUAL(r.end, PCAPFILE_CLEAN);
		} else {
			CU_ASSERT_EQUAL(r.end, PCAPFILE_CUT);
			EXPECT_ERR(&r, "the file ended mid-packet");
			EXPECT_ERR(&r, n - ends[whole] < 16 ? "header bytes, only got" : "captured bytes, only got");
		}
		pcapfile_close(f);
	}
	/* the exact message for a record header cut after 7 bytes */
	struct run r;
	pcapfile_close(open_guarded(&g, &b, ends[1] + 7, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "truncated dump file; tried to read 16 header bytes, only got 7: "
			       "the file ended mid-packet");
	pcapfile_close(open_guarded(&g, &b, ends[1] + 16 + 30, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "truncated dump file; tried to read 40 captured bytes, only got 30: "
			       "the file ended mid-packet");
	fb_free(&b);
	guard_free(&g);
}

/* ---- gzip, files and pipes ---- */

static void gzip_bytes(const uint8_t *p, size_t n, struct fb *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	CU_ASSERT_EQUAL_FATAL(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t at = out->n;
	uint8_t room[4096];
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	int rc;
	do {
		z.next_out = room;
		z.avail_out = sizeof room;
		rc = deflate(&z, Z_FINISH);
		fb_bytes(out, room, sizeof room - z.avail_out);
	} while (rc == Z_OK);
	CU_ASSERT_EQUAL(rc, Z_STREAM_END);
	deflateEnd(&z);
	(void)at;
}

/* A capture bigger than the read buffer, with a block bigger than it too. */
static void big_capture(struct fb *b)
{
	ng_shb(b);
	ng_idb(b, 1, 0, 9, 0);
	for (unsigned k = 1; k <= 40; k++)
		ng_epb(b, 0, k, k == 20 ? 2000 : 1500, 1500, k);
	size_t at = b->n;
	ng_dsb(b, PCAPFILE_SECRETS_TLS_KEYLOG, "x");
	/* a DSB of 300 KiB: more than the starting buffer */
	b->n = at + 12;
	size_t big = 300u * 1024;
	uint8_t *junk = malloc(big);
	memset(junk, 'k', big);
	fb_u32(b, (uint32_t)big);
	fb_bytes(b, junk, big);
	ng_end(b, at);
	free(junk);
	for (unsigned k = 41; k <= 60; k++)
		ng_epb(b, 0, k, 1200, 1200, k);
}

static void check_big(struct pcapfile *f, unsigned line)
{
	struct run r;
	read_all(f, &r);
	struct pcapfile_secrets s;
	bool sec = pcapfile_secrets(f, &s) && s.len == 300u * 1024 && s.data[0] == 'k' && s.after_frame == 40;
	if (r.n != 60 || r.end != PCAPFILE_CLEAN || !sec)
		unit_fail(__FILE__, line, "%zu frames, end %d (%s), secrets %s", r.n, (int)r.end, r.err,
			  sec ? "ok" : "wrong");
	for (size_t i = 0; i < r.n; i++)
		if (!r.pkt[i].data_ok || r.pkt[i].frame != i + 1 || r.pkt[i].nsec != i + 1)
			unit_fail(__FILE__, line, "frame %zu read wrong", i + 1);
}

static void test_gzip_in_memory(void)
{
	struct fb b = { 0 }, z = { 0 };
	big_capture(&b);
	gzip_bytes(b.p, b.n, &z);
	char err[PCAPFILE_ERRBUF];
	struct pcapfile *f = pcapfile_open_mem(z.p, z.n, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	check_big(f, __LINE__);
	pcapfile_close(f);
	/* two members (cat a.gz b.gz) read as one stream, trailing junk ignored */
	fb_free(&z);
	gzip_bytes(b.p, b.n / 2, &z);
	gzip_bytes(b.p + b.n / 2, b.n - b.n / 2, &z);
	fb_bytes(&z, "\0\0\0\0", 4);
	f = pcapfile_open_mem(z.p, z.n, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	check_big(f, __LINE__);
	pcapfile_close(f);
	/* cut inside the compressed stream: the file ended mid-packet */
	struct fb c = { 0 };
	fb_free(&z);
	pcap_header(&c, 0xa1b2c3d4, 2, 4, 0, 1);
	for (unsigned k = 1; k <= 30; k++)
		pcap_record(&c, k, 0, 1000, 1000, k);
	gzip_bytes(c.p, c.n, &z);
	f = pcapfile_open_mem(z.p, z.n / 2, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct run r;
	read_all(f, &r);
	if (r.n < 5 || r.n >= 30)
		UNIT_FAIL("%zu frames from half the compressed stream (%s)", r.n, r.err);
	for (size_t i = 0; i < r.n; i++)
		CU_ASSERT_TRUE(r.pkt[i].data_ok && r.pkt[i].frame == i + 1);
	CU_ASSERT_EQUAL(r.end, PCAPFILE_CUT);
	EXPECT_ERR(&r, "the file ended mid-packet");
	pcapfile_close(f);
	fb_free(&c);
	/* damaged compressed data: a wrong CRC-32 in the trailer (RFC 1952 §2.3) */
	fb_free(&z);
	gzip_bytes(b.p, b.n, &z);
	z.p[z.n - 8] ^= 0xff;
	f = pcapfile_open_mem(z.p, z.n, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	read_all(f, &r);
	CU_ASSERT_EQUAL(r.n, 60);
	CU_ASSERT_EQUAL(r.end, PCAPFILE_DAMAGED);
	CU_ASSERT_STRING_EQUAL(r.err, "gzip data is damaged: incorrect data check");
	pcapfile_close(f);
	fb_free(&z);
	fb_free(&b);
}

/* Feed bytes into a pipe from a child, in small writes, as standard input. */
static pid_t pipe_stdin(const struct fb *b, int *saved)
{
	int fds[2];
	if (pipe(fds) != 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t at = 0; at < b->n;) {
			size_t k = b->n - at < 7000 ? b->n - at : 7000;
			ssize_t w = write(fds[1], b->p + at, k);
			if (w <= 0)
				_exit(1);
			at += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	*saved = dup(0);
	dup2(fds[0], 0);
	close(fds[0]);
	return pid;
}

static void restore_stdin(pid_t pid, int saved)
{
	int st;
	dup2(saved, 0);
	close(saved);
	waitpid(pid, &st, 0);
}

static void test_files_and_pipes(void)
{
	struct fb b = { 0 }, z = { 0 };
	char err[PCAPFILE_ERRBUF];
	big_capture(&b);
	gzip_bytes(b.p, b.n, &z);
	for (int gz = 0; gz <= 1; gz++) {
		const struct fb *src = gz ? &z : &b;
		char path[] = "/tmp/tlsdiag-test-pcapfile.XXXXXX";
		int fd = mkstemp(path);
		CU_ASSERT_FATAL(fd >= 0 && write(fd, src->p, src->n) == (ssize_t)src->n);
		close(fd);
		struct pcapfile *f = pcapfile_open(path, err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		check_big(f, __LINE__);
		pcapfile_close(f);
		unlink(path);
		int saved;
		pid_t pid = pipe_stdin(src, &saved);
		f = pcapfile_open("-", err);
		CU_ASSERT_PTR_NOT_NULL(f);
		if (f)
			check_big(f, __LINE__);
		pcapfile_close(f);
		restore_stdin(pid, saved);
	}
	CU_ASSERT_PTR_NULL(pcapfile_open("/nonexistent/x.pcap", err));
	CU_ASSERT_STRING_EQUAL(err, "No such file or directory");
	CU_ASSERT_PTR_NULL(pcapfile_open("/tmp", err));
	CU_ASSERT_STRING_EQUAL(err, "is a directory");
	fb_free(&z);
	fb_free(&b);
}

void register_pcapfile_tests(void)
{
	CU_pSuite suite = CU_add_suite("pcapfile", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "pcap: both byte orders, usec and nsec magic", test_classic_byte_orders_and_resolutions);
	CU_add_test(suite, "pcap: the modified (Kuznetzov) format", test_classic_kuznetzov);
	CU_add_test(suite, "pcap: versions 2.2 and 2.3 swap caplen and len", test_classic_old_versions_swap_lengths);
	CU_add_test(suite, "pcap: LINKTYPE to DLT, FCS bits ignored", test_classic_link_types);
	CU_add_test(suite, "pcap: caplen above the snaplen is cut to it", test_classic_caplen_over_snaplen);
	CU_add_test(suite, "pcap: a huge caplen stops reading, precisely", test_classic_huge_caplen);
	CU_add_test(suite, "pcap: bad versions, not a capture", test_classic_bad_headers);
	CU_add_test(suite, "pcap: every prefix of a file", test_classic_every_prefix);
	CU_add_test(suite, "gzip in memory: members, cut, damaged", test_gzip_in_memory);
	CU_add_test(suite, "files and pipes, plain and gzip, bigger than the buffer", test_files_and_pipes);
}

