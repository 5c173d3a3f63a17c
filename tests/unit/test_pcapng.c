/* test_pcapng.c - CUnit tests for the pcapng part of the reader (src/pcapng.c): blocks, sections, interfaces, secrets, damage. */
#include "pcapfile.h"

#include <stdio.h>
#include <string.h>

#include "capfile.h"
#include "limits.h"
#include "unit.h"

/* ---- pcapng ---- */

/* SHB, IDB Ethernet (microseconds), a DSB, EPB, SPB, an ISB and a custom
 * block (skipped), the obsolete PB, a second DSB. */
static void ng_small(struct fb *b)
{
	ng_shb(b);
	ng_idb(b, 1, 65535, -1, 0);
	ng_dsb(b, PCAPFILE_SECRETS_TLS_KEYLOG, "CLIENT_RANDOM 00 11\n");
	ng_epb(b, 0, 1767225600250000ull, 60, 60, 1);
	ng_spb(b, 1514, 1514, 2);
	ng_other(b, 5, 13);            /* interface statistics */
	ng_other(b, 0x40000bad, 7);    /* custom, not copyable: Wireshark numbers it frame 3 */
	ng_pb(b, 0, 1767225601000001ull, 70, 80, 4);
	ng_dsb(b, 0x57474b4c, "wireguard keys");
}

static void test_pcapng_blocks_both_byte_orders(void)
{
	struct guard g = { 0 };
	for (int be = 0; be <= 1; be++) {
		struct fb b = { .be = be };
		struct run r;
		ng_small(&b);
		struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(pcapfile_format(f), PCAPFILE_PCAPNG);
		CU_ASSERT_EQUAL(pcapfile_dlt(f), 1);
		CU_ASSERT_EQUAL(pcapfile_snaplen(f), 65535);
		CU_ASSERT_EQUAL(pcapfile_ts_digits(f), 6);
		CU_ASSERT_EQUAL(r.end, PCAPFILE_CLEAN);
		CU_ASSERT_EQUAL_FATAL(r.n, 3);
		CU_ASSERT_EQUAL(r.pkt[0].sec, 1767225600);
		CU_ASSERT_EQUAL(r.pkt[0].nsec, 250000000);
		CU_ASSERT_EQUAL(r.pkt[0].caplen, 60);
		CU_ASSERT_EQUAL(r.pkt[1].frame, 2);
		CU_ASSERT_EQUAL(r.pkt[1].sec, 0);   /* simple packet blocks have no timestamp */
		CU_ASSERT_EQUAL(r.pkt[1].caplen, 1514);
		CU_ASSERT_EQUAL(r.pkt[1].len, 1514);
		CU_ASSERT_EQUAL(r.pkt[2].frame, 4);
		CU_ASSERT_EQUAL(r.pkt[2].sec, 1767225601);
		CU_ASSERT_EQUAL(r.pkt[2].nsec, 1000);
		CU_ASSERT_EQUAL(r.pkt[2].caplen, 70);
		CU_ASSERT_EQUAL(r.pkt[2].len, 80);
		for (size_t i = 0; i < 3; i++)
			CU_ASSERT_TRUE(r.pkt[i].data_ok && r.pkt[i].dlt == 1 && r.pkt[i].iface == 0);
		pcapfile_close(f);
		fb_free(&b);
	}
	guard_free(&g);
}

/* Secrets come out in file order, once, each with the frames before it. */
static void test_pcapng_decryption_secrets(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	ng_small(&b);
	char err[PCAPFILE_ERRBUF];
	struct pcapfile *f = pcapfile_open_mem(guard_move(&g, b.p, b.n), b.n, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct pcapfile_secrets s = { 0 };
	/* the first one came before the first packet: read when opening */
	CU_ASSERT_TRUE_FATAL(pcapfile_secrets(f, &s));
	CU_ASSERT_EQUAL(s.type, PCAPFILE_SECRETS_TLS_KEYLOG);
	CU_ASSERT_EQUAL(s.after_frame, 0);
	CU_ASSERT_EQUAL(s.len, 20);
	CU_ASSERT_NSTRING_EQUAL(s.data, "CLIENT_RANDOM 00 11\n", 20);
	CU_ASSERT_FALSE(pcapfile_secrets(f, &s));
	struct pcapfile_pkt p;
	int n = 0;
	while (pcapfile_next(f, &p, err) == 1)
		n++;
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_TRUE_FATAL(pcapfile_secrets(f, &s));
	CU_ASSERT_EQUAL(s.type, 0x57474b4c);
	CU_ASSERT_EQUAL(s.after_frame, 4);
	CU_ASSERT_EQUAL(s.len, 14);
	CU_ASSERT_NSTRING_EQUAL(s.data, "wireguard keys", 14);
	CU_ASSERT_FALSE(pcapfile_secrets(f, &s));
	CU_ASSERT_EQUAL(pcapfile_secrets_dropped(f), 0);
	pcapfile_close(f);
	/* a secrets length past its block */
	struct fb d = { 0 };
	struct run r;
	ng_shb(&d);
	ng_idb(&d, 1, 0, -1, 0);
	ng_epb(&d, 0, 1, 10, 10, 1);
	size_t at = d.n;
	ng_dsb(&d, PCAPFILE_SECRETS_TLS_KEYLOG, "CLIENT_RANDOM");
	put32_at(&d, at + 12, 17);
	ng_epb(&d, 0, 2, 10, 10, 2);
	pcapfile_close(open_guarded(&g, &d, d.n, &r));
	CU_ASSERT_EQUAL(r.n, 1);
	CU_ASSERT_EQUAL(r.end, PCAPFILE_DAMAGED);
	CU_ASSERT_STRING_EQUAL(r.err, "decryption secrets block claims 17 bytes of secrets but holds 16");
	fb_free(&d);
	fb_free(&b);
	guard_free(&g);
}

/* Interfaces of different link types in one file (libpcap refuses these):
 * each packet carries its own interface's. */
static void test_pcapng_interfaces_of_different_link_types(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	struct run r;
	ng_shb(&b);
	ng_idb(&b, 1, 262144, -1, 0);
	ng_idb(&b, 101, 1600, -1, 0);
	ng_epb(&b, 1, 5, 40, 40, 1);
	ng_epb(&b, 0, 6, 60, 60, 2);
	ng_idb(&b, 276, 0, -1, 0);   /* described after packets */
	ng_epb(&b, 2, 7, 80, 80, 3);
	ng_epb(&b, 1, 8, 2000, 2000, 4);   /* above its interface's snaplen */
	struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(pcapfile_dlt(f), 1);
	CU_ASSERT_EQUAL(r.end, PCAPFILE_CLEAN);
	CU_ASSERT_EQUAL_FATAL(r.n, 4);
	CU_ASSERT_TRUE(r.pkt[0].dlt == 12 && r.pkt[0].iface == 1);
	CU_ASSERT_TRUE(r.pkt[1].dlt == 1 && r.pkt[1].iface == 0);
	CU_ASSERT_TRUE(r.pkt[2].dlt == 276 && r.pkt[2].iface == 2);
	CU_ASSERT_TRUE(r.pkt[3].dlt == 12 && r.pkt[3].caplen == 1600 && r.pkt[3].len == 2000);
	for (size_t i = 0; i < 4; i++)
		CU_ASSERT_TRUE(r.pkt[i].data_ok);
	int dlts[8];
	CU_ASSERT_EQUAL_FATAL(pcapfile_dlts(f, dlts, 8), 3);
	CU_ASSERT_TRUE(dlts[0] == 1 && dlts[1] == 12 && dlts[2] == 276);
	pcapfile_close(f);
	fb_free(&b);
	guard_free(&g);
}

/* Two sections, little- then big-endian: interface ids start again, frame
 * numbers go on. */
static void test_pcapng_sections(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	struct run r;
	ng_shb(&b);
	ng_idb(&b, 1, 0, -1, 0);
	ng_epb(&b, 0, 1000000, 20, 20, 1);
	struct fb second = { .be = true };
	ng_shb(&second);
	ng_idb(&second, 101, 0, 9, 0);
	ng_epb(&second, 0, 3000000005ull, 30, 30, 2);
	ng_epb(&second, 1, 3000000006ull, 30, 30, 3);   /* section 1 has one interface only */
	fb_bytes(&b, second.p, second.n);
	struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_TRUE(r.pkt[0].dlt == 1 && r.pkt[0].sec == 1 && r.pkt[0].nsec == 0);
	CU_ASSERT_TRUE(r.pkt[1].frame == 2 && r.pkt[1].dlt == 12 && r.pkt[1].iface == 0);
	CU_ASSERT_TRUE(r.pkt[1].sec == 3 && r.pkt[1].nsec == 5 && r.pkt[1].data_ok);
	CU_ASSERT_EQUAL(r.end, PCAPFILE_DAMAGED);
	CU_ASSERT_STRING_EQUAL(r.err, "a packet arrived on interface 1, but there's no Interface Description Block "
			       "for that interface");
	pcapfile_close(f);
	fb_free(&second);
	fb_free(&b);
	guard_free(&g);
}

/* if_tsresol as powers of 10 and of 2, and if_tsoffset. */
static void test_pcapng_timestamp_resolutions(void)
{
	static const struct { int resol; uint64_t offset, ts; int64_t sec; uint32_t nsec; int digits; } v[] = {
		{ 9, 0, 1767225600123456789ull, 1767225600, 123456789, 9 },
		{ 3, 0, 1767225600123ull, 1767225600, 123000000, 6 },
		{ 0, 0, 42, 42, 0, 6 },
		{ 12, 0, 5000000000001ull, 5, 0, 9 },               /* picoseconds */
		{ 0x80 | 10, 0, (7ull << 10) | 512, 7, 500000000, 6 },   /* 2^-10 s: coarser than microseconds */
		{ 0x80 | 40, 0, (3ull << 40) | (1ull << 38), 3, 250000000, 9 },
		{ 6, 1000, 2500000, 1002, 500000000, 6 },         /* if_tsoffset seconds */
		{ 0, 0, 1700000000000000000ull, PCAPFILE_MAX_SEC, 0, 6 },   /* nanoseconds read as seconds */
		{ 6, (uint64_t)-(INT64_C(1) << 40), 5, -PCAPFILE_MAX_SEC, 5000, 6 },   /* a negative offset */
	};
	struct guard g = { 0 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct fb b = { .be = i % 2 };
		struct run r;
		ng_shb(&b);
		ng_idb(&b, 1, 0, v[i].resol, v[i].offset);
		ng_epb(&b, 0, v[i].ts, 10, 10, 1);
		struct pcapfile *f = open_guarded(&g, &b, b.n, &r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(pcapfile_ts_digits(f), v[i].digits);
		CU_ASSERT_EQUAL_FATAL(r.n, 1);
		if (r.pkt[0].sec != v[i].sec || r.pkt[0].nsec != v[i].nsec)
			UNIT_FAIL("if_tsresol 0x%02x: %lld.%09u, expected %lld.%09u", (unsigned)v[i].resol,
				  (long long)r.pkt[0].sec, r.pkt[0].nsec, (long long)v[i].sec, v[i].nsec);
		pcapfile_close(f);
		fb_free(&b);
	}
	struct fb b = { 0 };
	struct run r;
	ng_shb(&b);
	ng_idb(&b, 1, 0, 20, 0);
	CU_ASSERT_PTR_NULL(open_guarded(&g, &b, b.n, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "interface description block: if_tsresol 10^-20 is too fine for 64-bit timestamps");
	fb_free(&b);
	guard_free(&g);
}

/* Every prefix of a small pcapng: opened once its first interface is
 * whole, frames as far as their blocks are whole, clean only at block ends. */
static void test_pcapng_every_prefix(void)
{
	struct fb b = { 0 };
	struct guard g = { 0 };
	size_t ends[8], n_ends = 0, idb_end, pkt_end[3];
	ng_shb(&b);
	ends[n_ends++] = b.n;
	ng_idb(&b, 1, 0, -1, 0);
	ends[n_ends++] = idb_end = b.n;
	ng_dsb(&b, PCAPFILE_SECRETS_TLS_KEYLOG, "CLIENT_RANDOM a b\n");
	ends[n_ends++] = b.n;
	for (unsigned k = 0; k < 3; k++) {
		ng_epb(&b, 0, k, 30 + k, 30 + k, k + 1);
		ends[n_ends++] = pkt_end[k] = b.n;
	}
	for (size_t n = 0; n <= b.n; n++) {
		struct run r;
		struct pcapfile *f = open_guarded(&g, &b, n, &r);
		if (n < idb_end) {
			if (f)
				UNIT_FAIL("prefix %zu opened without a whole interface block", n);
			pcapfile_close(f);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		size_t whole = 0;
		while (whole < 3 && pkt_end[whole] <= n)
			whole++;
		if (r.n != whole)
			UNIT_FAIL("prefix %zu: %zu frames read, %zu expected", n, r.n, whole);
		bool at_end = false;
		size_t start = 0;   /* of the block the file ends in */
		for (size_t i = 0; i < n_ends; i++) {
			at_end |= ends[i] == n;
			if (ends[i] < n)
				start = ends[i];
		}
		CU_ASSERT_EQUAL(r.end, at_end ? PCAPFILE_CLEAN : PCAPFILE_CUT);
		pcapfile_close(f);
		if (at_end)
			continue;
		if (n - start < 8)
			EXPECT_ERR(&r, "tried to read 8 block header bytes");
		else if (start >= ends[2])
			EXPECT_ERR(&r, "bytes of an enhanced packet block, only got");
		EXPECT_ERR(&r, n - start >= 8 && start >= ends[2] ? "the file ended mid-packet" : "the file ended mid-block");
	}
	fb_free(&b);
	guard_free(&g);
}

/* Lengths that lie, each after one good packet: exact messages. */
static void test_pcapng_lying_lengths(void)
{
	static const struct { size_t at; uint32_t value; const char *err; enum pcapfile_end end; } v[] = {
		{ 4, 8, "enhanced packet block has a length of 8 < 12", PCAPFILE_DAMAGED },
		{ 4, 0x2e, "enhanced packet block has a length of 46, not a multiple of 4", PCAPFILE_DAMAGED },
		{ 4, 0xfffffffc, "enhanced packet block length 4294967292 exceeds the maximum of 393216", PCAPFILE_DAMAGED },
		{ 4, 0x1000, "truncated pcapng dump file; tried to read 4096 bytes of an enhanced packet block, only "
			     "got 52: the file ended mid-packet", PCAPFILE_CUT },
		{ 48, 0x30, "enhanced packet block total length in header (52) and trailer (48) don't match",
		  PCAPFILE_DAMAGED },
		{ 20, 21, "enhanced packet block claims 21 captured bytes but holds 20", PCAPFILE_DAMAGED },
		{ 20, 0x7fffffff, "invalid packet capture length 2147483647, bigger than the maximum of 262144",
		  PCAPFILE_DAMAGED },
		{ 8, 3, "a packet arrived on interface 3, but there's no Interface Description Block for that interface",
		  PCAPFILE_DAMAGED },
	};
	struct guard g = { 0 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct fb b = { 0 };
		struct run r;
		ng_shb(&b);
		ng_idb(&b, 1, 0, -1, 0);
		ng_epb(&b, 0, 1, 10, 10, 1);
		size_t at = b.n;
		ng_epb(&b, 0, 2, 10, 10, 2);   /* 52 bytes: 28 of header, 12 of data, 8 of option, 4 of trailer */
		put32_at(&b, at + v[i].at, v[i].value);
		pcapfile_close(open_guarded(&g, &b, b.n, &r));
		CU_ASSERT_EQUAL(r.n, 1);
		CU_ASSERT_EQUAL(r.end, v[i].end);
		if (strcmp(r.err, v[i].err) != 0)
			UNIT_FAIL("case %zu: \"%s\", expected \"%s\"", i, r.err, v[i].err);
		fb_free(&b);
	}
	guard_free(&g);
}

/* What makes a pcapng unreadable from its start: open fails with the reason. */
static void test_pcapng_unreadable_start(void)
{
	struct guard g = { 0 };
	struct fb b = { 0 };
	struct run r;
	ng_shb(&b);
	CU_ASSERT_PTR_NULL(open_guarded(&g, &b, b.n, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "the capture file has no Interface Description Blocks");
	ng_epb(&b, 0, 1, 10, 10, 1);
	CU_ASSERT_PTR_NULL(open_guarded(&g, &b, b.n, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "the capture file has a packet block before any Interface Description Blocks");
	fb_free(&b);
	ng_shb(&b);
	b.p[12] = 2;   /* major version 2 */
	ng_idb(&b, 1, 0, -1, 0);
	CU_ASSERT_PTR_NULL(open_guarded(&g, &b, b.n, &r));
	CU_ASSERT_STRING_EQUAL(r.err, "unsupported pcapng savefile version 2.0");
	fb_free(&b);
	/* a second section with a bad byte-order magic */
	ng_shb(&b);
	ng_idb(&b, 1, 0, -1, 0);
	ng_epb(&b, 0, 1, 10, 10, 1);
	size_t at = b.n;
	ng_shb(&b);
	put32_at(&b, at + 8, 0x12345678);
	pcapfile_close(open_guarded(&g, &b, b.n, &r));
	CU_ASSERT_EQUAL(r.n, 1);
	CU_ASSERT_STRING_EQUAL(r.err, "the file has a section with a bad byte order magic field (0x12345678)");
	fb_free(&b);
	guard_free(&g);
}

void register_pcapng_tests(void)
{
	CU_pSuite suite = CU_add_suite("pcapng", NULL, NULL);

	if (suite == NULL)
		return;
	CU_add_test(suite, "EPB, SPB, PB, skipped blocks, both byte orders",
		    test_pcapng_blocks_both_byte_orders);
	CU_add_test(suite, "Decryption Secrets Blocks in order, once", test_pcapng_decryption_secrets);
	CU_add_test(suite, "interfaces of different link types", test_pcapng_interfaces_of_different_link_types);
	CU_add_test(suite, "sections of both byte orders", test_pcapng_sections);
	CU_add_test(suite, "if_tsresol (10^-n, 2^-n) and if_tsoffset", test_pcapng_timestamp_resolutions);
	CU_add_test(suite, "every prefix of a file", test_pcapng_every_prefix);
	CU_add_test(suite, "lying lengths, exact messages", test_pcapng_lying_lengths);
	CU_add_test(suite, "no interface, packet first, bad version or byte order",
		    test_pcapng_unreadable_start);
}
