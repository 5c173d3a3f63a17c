/* fuzz_pcap.c - libFuzzer harness: a whole capture file (pcap, pcapng, gzip) through the pipeline, as main.c runs it. */
/*
 * The input is the capture file. capture.h opens files by path only, so
 * each input is written to one temp file (in /dev/shm) and opened with
 * capture_open_file: pcapfile.c's reader (its read buffer, gzip and
 * format sniffing) and the per-link-type filters are fuzzed too.
 * The options come from the file's last byte (usually packet data):
 *   bits 0-1 format: JSON, JSON Lines, text, Markdown   4 live mode
 *   8 -w /dev/null (as pcapng with --write-secrets when 16)   16 -v   32 filter "tcp"
 *   bits 6-7: 1 --write-all, 2 --only-failures, 3 --redact=names (its tables are costly)
 * JSON output is checked to be valid UTF-8 JSON.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analyze.h"
#include "capture.h"
#include "decode.h"
#include "evidence.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "redact.h"
#include "reporter.h"
#include "x509.h"

#include "fuzz_common.h"

#define MAX_PACKETS 2000
#define MAX_BYTES   (16u << 20)   /* packet bytes read per input (gzip can inflate a lot) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_temp(void)
{
	unlink(path);
}

/* Decryption Secrets Blocks: every byte is read, so ASan sees any overrun;
 * what they hold counts against the input's byte budget. */
static uint64_t drain_secrets(struct capture *cap)
{
	struct pcapfile_secrets s;
	uint64_t n = 0;
	uint8_t x = 0;
	while (capture_secrets(cap, &s)) {
		for (size_t i = 0; i < s.len; i++)
			x ^= s.data[i];
		n += s.len;
	}
	return n + (x & 1);
}

/* run_files' loop, bounded; the last capture_next status. */
static int read_packets(struct capture *cap, struct analyzer *a, char *errbuf)
{
	struct capture_pkt pkt;
	int rc = 0;
	uint64_t bytes = 0;
	for (int n = 0; n < MAX_PACKETS && bytes < MAX_BYTES && !analyzer_done(a); n++) {
		rc = capture_next(cap, &pkt, errbuf);
		bytes += drain_secrets(cap);
		if (rc <= 0)
			break;
		if (!pkt.dlt_name || pkt.caplen > LIM_CAPLEN || pkt.frame > capture_frames(cap))
			abort();
		bytes += pkt.caplen;
		analyzer_packet(a, &pkt);
	}
	return rc;
}

static void warn_packet(void *ctx, const char *file, uint64_t frame, const char *msg)
{
	(void)ctx, (void)file, (void)frame, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(path, sizeof path, "%s/tlsdiag-fuzz-pcap.%ld", dir, (long)getpid());
		atexit(remove_temp);
	}
	size_t mem0 = mem_in_use();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	uint8_t mode = size ? data[size - 1] : 0;

	char errbuf[CAPTURE_ERRBUF];
	struct capture *cap = capture_open_file(path, mode & 32 ? "tcp" : NULL, errbuf);
	if (!cap) {   /* not a capture: nothing may stay allocated */
		check_counter("accounted memory (mem_in_use)", mem0, mem_in_use());
		return 0;
	}
	if (!decode_link_supported(capture_datalink(cap)))   /* capture_open_file checks this */
		abort();
	if (mode >> 6 == 3)
		redact_enable(true, true);

	static const char *const formats[4] = { "json", "jsonl", "text", "markdown" };
	const struct report_writer *format = writer_find(formats[mode & 3]);
	bool live = mode & 4;
	struct diag_opts dopts = { .expiry_warn_days = 30 };
	struct analyze_opts aopts = {
		.live = live, .idle_timeout = live ? 60 : 0, .diag = &dopts,
		.write_all = mode >> 6 == 1, .warn = warn_packet,
	};
	struct report_opts ropts = { .writer = format, .verbose = mode & 16,
				     .only_failures = mode >> 6 == 2 || (live && !(mode & 16)) };
	char *doc = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&doc, &len);
	if (!out)
		abort();
	struct reporter rep;
	reporter_init(&rep, out, &ropts);
	struct analyzer *a = analyzer_new(&aopts, &rep);
	/* -w: as pcapng with secrets when verbose, as pcap otherwise */
	struct evidence *ev = mode & 8 ? evidence_open("/dev/null", capture_pcap(cap), (mode & 16) != 0, errbuf) : NULL;
	analyzer_set_evidence(a, ev);

	/* run_files, for one input */
	reporter_begin(&rep);
	struct input_info in = { .file = "fuzz.pcap", .link_type = capture_datalink_name(cap),
				 .ts_digits = capture_ts_digits(cap) };
	analyzer_begin_file(a, "fuzz.pcap", capture_datalink(cap), capture_ts_digits(cap));
	int rc = read_packets(cap, a, errbuf);
	in.frames = capture_frames(cap);
	if (rc < 0) {
		in.error_frame = in.frames + 1;
		in.error = errbuf;
	}
	analyzer_end_file(a);
	check_counter("handshake bytes buffered (budget.handshake_bytes)", 0, analyzer_budget(a)->handshake_bytes);
	check_counter("out-of-order bytes queued (budget.ooo_bytes)", 0, analyzer_budget(a)->ooo_bytes);
	capture_close(cap);
	struct summary sum = *analyzer_summary(a);
	if (ev) {
		sum.written_file = "/dev/null";
		sum.packets_written = evidence_packets_written(ev);
	}
	reporter_end(&rep, &in, 1, &sum);
	if (ev && !evidence_close(ev, errbuf))
		abort();
	analyzer_free(a);
	reporter_free(&rep);   /* the problems it grouped */
	fclose(out);
	if (format == &json_writer || format == &jsonl_writer)
		check_json(doc, len);
	free(doc);

	x509_cache_clear();
	redact_free();
	redact_enable(false, false);
	check_counter("accounted memory (mem_in_use)", mem0, mem_in_use());
	return 0;
}
