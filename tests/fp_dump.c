/* fp_dump.c - test tool: the JA3, JA3S and JA4 of every hello of a capture, one line each, for tests/fingerprint.sh. */
/*
 * Usage: fp_dump CAPTURE
 *
 * Drives the capture through the analyzer as tlsdiag does (without the
 * diagnosis; the report goes to /dev/null) and prints, for each reported
 * connection in tcp.stream order, one tab-separated line per hello it kept
 * (ClientHello, HelloRetryRequest, second and later ClientHellos, ServerHello):
 *
 *   stream frame hello client server ja3 ja3_full ja3s ja3s_full ja4 ja4_r ja4_o ja4_ro
 *
 * hello is client_hello, hello_retry_request or server_hello; client and
 * server are the endpoints (address:port, [v6]:port); a field that
 * does not apply to it, or that fingerprint.h does not give for it, is "-".
 * Exit: 0, or 2 when the capture cannot be read from the start.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analyze.h"
#include "capture.h"
#include "fingerprint.h"
#include "fmt.h"
#include "writer.h"

/* big (fixed buffers): one of each, reused line after line */
static struct fp_ja3 ja3;
static struct fp_ja4 ja4;

static void print_line(const struct session *s, uint64_t frame, const char *hello, const char *const f[8])
{
	char client[FMT_ADDR_LEN + 8], server[FMT_ADDR_LEN + 8];
	fmt_endpoint(client, sizeof client, s->af, s->client_ip, s->client_port);
	fmt_endpoint(server, sizeof server, s->af, s->server_ip, s->server_port);
	printf("%llu\t%llu\t%s\t%s\t%s", (unsigned long long)s->stream, (unsigned long long)frame, hello,
	       client, server);
	for (int k = 0; k < 8; k++)
		printf("\t%s", f[k] ? f[k] : "-");
	putchar('\n');
}

static void client_line(const struct session *s, const struct client_hello *ch)
{
	const char *f[8] = { NULL };   /* ja3 ja3_full ja3s ja3s_full ja4 ja4_r ja4_o ja4_ro */
	if (fp_ja3(&ja3, ch)) {
		f[0] = ja3.md5;
		f[1] = ja3.str;
	}
	if (fp_ja4(&ja4, ch, FP_TCP)) {
		f[4] = ja4.ja4;
		f[5] = ja4.ja4_r;
		f[6] = ja4.ja4_o;
		f[7] = ja4.ja4_ro;
	}
	print_line(s, ch->frame, "client_hello", f);
}

static void server_line(const struct session *s, uint64_t frame, const char *hello, bool ok)
{
	const char *f[8] = { NULL, NULL, ok ? ja3.md5 : NULL, ok ? ja3.str : NULL };
	print_line(s, frame, hello, f);
}

static void settled(void *ctx, const struct session *s)
{
	(void)ctx;
	if (s->ch.present)
		client_line(s, &s->ch);
	if (s->hrr.present)
		server_line(s, s->hrr.frame, "hello_retry_request", fp_ja3s_hrr(&ja3, &s->hrr));
	if (s->ch2.present)
		client_line(s, &s->ch2);
	for (uint32_t i = 0; i < s->later_ch_n; i++)
		client_line(s, &s->later_ch[i]);
	if (s->sh.present)
		server_line(s, s->sh.frame, "server_hello", fp_ja3s(&ja3, &s->sh));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: fp_dump CAPTURE\n", stderr);
		return 2;
	}
	char errbuf[CAPTURE_ERRBUF];
	struct capture *cap = capture_open_file(argv[1], NULL, errbuf);
	if (!cap) {
		fprintf(stderr, "fp_dump: %s\n", errbuf);
		return 2;
	}
	FILE *null = fopen("/dev/null", "w");
	if (!null) {
		perror("fp_dump: /dev/null");
		return 2;
	}
	struct report_opts ropts = { .writer = &jsonl_writer, .only_failures = true };
	struct reporter rep;
	reporter_init(&rep, null, &ropts);
	struct analyze_opts aopts = { .settled = settled };
	struct analyzer *a = analyzer_new(&aopts, &rep);
	analyzer_begin_file(a, argv[1], capture_datalink(cap), capture_ts_digits(cap));
	struct capture_pkt pkt;
	int rc;
	while ((rc = capture_next(cap, &pkt, errbuf)) > 0)
		if (rc == 1)   /* 2 is a live capture's timeout: no packet */
			analyzer_packet(a, &pkt);
	if (rc < 0)
		fprintf(stderr, "fp_dump: %s: frame %llu: %s\n", argv[1],
			(unsigned long long)capture_frames(cap) + 1, errbuf);
	analyzer_end_file(a);
	capture_close(cap);
	analyzer_free(a);
	reporter_free(&rep);   /* the problems it grouped */
	fclose(null);
	return ferror(stdout) ? 2 : 0;
}
