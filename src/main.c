/* main.c - tlsdiag: options, wiring of the pipeline, exit status. */

#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "capture.h"
#include "mem.h"
#include "report.h"
#include "x509.h"

#define MAX_INPUTS 256

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

enum {
	OPT_JSON = 256, OPT_FORMAT, OPT_PRETTY, OPT_IDLE_TIMEOUT, OPT_HELP, OPT_VERSION
};

static const struct option long_options[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *out)
{
	fputs("Usage: tlsdiag [options] -r FILE [-r FILE ...] [BPF expression]\n"
	      "Explain TLS handshakes in packet captures: every connection, message and alert,\n"
	      "with the frame numbers Wireshark shows.\n"
	      "\n"
	      "Input:\n"
	      "  -r, --read FILE        read a pcap, pcapng or gzip-compressed capture (repeatable;\n"
	      "                         files are analyzed in order, each numbered from frame 1)\n"
	      "  BPF expression         only packets matching it, as in tcpdump (frame numbers\n"
	      "                         still count every packet of the file)\n"
	      "  --idle-timeout SEC     settle a connection idle for SEC seconds of capture time\n"
	      "                         (default 600)\n"
	      "\n"
	      "Output:\n"
	      "      --json             one JSON document (schema tlsdiag/1, see tlsdiag(1))\n"
	      "      --format FMT       text (default), json, or jsonl (one object per line)\n"
	      "      --pretty           indent JSON\n"
	      "  -v, --verbose          show everything (e.g. every acceptable CA name)\n"
	      "\n"
	      "  -h, --help             this help\n"
	      "  -V, --version          version and library versions\n"
	      "\n"
	      "Exit status: 0 no error found, 1 an error finding, 2 input or options unusable.\n",
	      out);
}

static void warn_packet(void *ctx, const char *file, uint64_t frame, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "tlsdiag: %s: frame %llu: %s\n", file, (unsigned long long)frame, msg);
}

static bool parse_seconds(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || v <= 0 || v > 100000000LL)
		return false;
	*out = v;
	return true;
}

/* The trailing arguments form one BPF expression, as with tcpdump. */
static char *join_args(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = mem_alloc(n);
	size_t o = 0;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if (i)
			s[o++] = ' ';
		memcpy(s + o, argv[i], l);
		o += l;
	}
	s[o] = '\0';
	return s;
}

int main(int argc, char **argv)
{
	const char *inputs[MAX_INPUTS];
	size_t n_inputs = 0;
	struct report_opts ropts = { .format = REPORT_TEXT };
	struct analyze_opts aopts = { .warn = warn_packet, .ordered = true };
	int c;

	while ((c = getopt_long(argc, argv, "r:vhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (n_inputs == MAX_INPUTS) {
				fprintf(stderr, "tlsdiag: at most %d capture files\n", MAX_INPUTS);
				return EXIT_USAGE;
			}
			inputs[n_inputs++] = optarg;
			break;
		case OPT_JSON:
			ropts.format = REPORT_JSON;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				ropts.format = REPORT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				ropts.format = REPORT_JSON;
			else if (strcmp(optarg, "jsonl") == 0)
				ropts.format = REPORT_JSONL;
			else {
				fprintf(stderr, "tlsdiag: --format: unknown format \"%s\" (text, json, jsonl)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_PRETTY:
			ropts.pretty = true;
			break;
		case 'v':
			ropts.verbose = true;
			break;
		case OPT_IDLE_TIMEOUT:
			if (!parse_seconds(optarg, &aopts.idle_timeout)) {
				fprintf(stderr, "tlsdiag: --idle-timeout: \"%s\" is not a number of seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("tlsdiag %s\n%s\n%s\n", PACKAGE_VERSION, pcap_lib_version(), OpenSSL_version(OPENSSL_VERSION));
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (n_inputs == 0) {
		fputs("tlsdiag: no capture given (-r FILE)\n", stderr);
		usage(stderr);
		return EXIT_USAGE;
	}
	char *filter = optind < argc ? join_args(argc - optind, argv + optind) : NULL;

	struct reporter rep;
	reporter_init(&rep, stdout, &ropts);
	struct analyzer *a = analyzer_new(&aopts, &rep);
	struct input_info info[MAX_INPUTS];
	size_t n_info = 0;
	int status = EXIT_OK;
	bool began = false;

	for (size_t i = 0; i < n_inputs; i++) {
		char errbuf[CAPTURE_ERRBUF];
		struct capture *cap = capture_open_file(inputs[i], filter, errbuf);
		if (!cap) {
			fprintf(stderr, "tlsdiag: %s\n", errbuf);
			status = EXIT_USAGE;
			continue;
		}
		if (!began) {
			reporter_begin(&rep);
			began = true;
		}
		struct input_info *in = &info[n_info++];
		memset(in, 0, sizeof *in);
		in->file = inputs[i];
		in->link_type = capture_datalink_name(cap);
		in->ts_digits = capture_ts_digits(cap);
		analyzer_begin_file(a, inputs[i], capture_datalink(cap), capture_ts_digits(cap));
		struct capture_pkt pkt;
		int rc;
		while ((rc = capture_next(cap, &pkt, errbuf)) > 0) {
			if (rc == 1)
				analyzer_packet(a, &pkt);
		}
		in->frames = capture_frames(cap);
		if (rc < 0) {
			in->error_frame = in->frames + 1;
			in->error = mem_strdup(errbuf);
			fprintf(stderr, "tlsdiag: %s: frame %llu: %s (analysis covers frames 1-%llu)\n", inputs[i],
				(unsigned long long)in->error_frame, errbuf, (unsigned long long)in->frames);
		}
		analyzer_end_file(a);
		/* the link type name is libpcap's static string; the capture can go */
		capture_close(cap);
	}
	if (began)
		reporter_end(&rep, info, n_info, analyzer_summary(a));
	for (size_t i = 0; i < n_info; i++)
		mem_free((void *)info[i].error);
	analyzer_free(a);
	mem_free(filter);
	x509_cache_clear();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("tlsdiag: error writing the report\n", stderr);
		return EXIT_USAGE;
	}
	return status;
}
