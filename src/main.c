/* main.c - tlsdiag: options, wiring of the pipeline, exit status. */

#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "analyze.h"
#include "bundle.h"
#include "capture.h"
#include "certfile.h"
#include "diagnose.h"
#include "mem.h"
#include "report.h"
#include "x509.h"

#define MAX_INPUTS 256

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

enum {
	OPT_JSON = 256, OPT_FORMAT, OPT_PRETTY, OPT_IDLE_TIMEOUT, OPT_CA_FILE, OPT_CA_PATH, OPT_CLIENT_CERT,
	OPT_CLIENT_CERT_PASS, OPT_HOSTNAME, OPT_AT, OPT_EXPIRY_WARNING, OPT_CHECK_BUNDLE, OPT_KEY, OPT_KEY_PASS
};

static const struct option long_options[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "ca-path", required_argument, NULL, OPT_CA_PATH },
	{ "client-cert", required_argument, NULL, OPT_CLIENT_CERT },
	{ "client-cert-pass", required_argument, NULL, OPT_CLIENT_CERT_PASS },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "at", required_argument, NULL, OPT_AT },
	{ "expiry-warning", required_argument, NULL, OPT_EXPIRY_WARNING },
	{ "check-bundle", required_argument, NULL, OPT_CHECK_BUNDLE },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "key-pass", required_argument, NULL, OPT_KEY_PASS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *out)
{
	fputs("Usage: tlsdiag [options] -r FILE [-r FILE ...] [BPF expression]\n"
	      "       tlsdiag --check-bundle CHAIN.pem [--key KEY.pem] [--hostname NAME]\n"
	      "Explain TLS handshakes in packet captures: what failed, the frames that show it\n"
	      "(as Wireshark numbers them), the cause and the fix.\n"
	      "\n"
	      "Input:\n"
	      "  -r, --read FILE        read a pcap, pcapng or gzip-compressed capture (repeatable;\n"
	      "                         files are analyzed in order, each numbered from frame 1)\n"
	      "  BPF expression         only packets matching it, as in tcpdump (frame numbers\n"
	      "                         still count every packet of the file)\n"
	      "  --idle-timeout SEC     settle a connection idle for SEC seconds of capture time\n"
	      "                         (default 600)\n"
	      "\n"
	      "Diagnosis:\n"
	      "      --ca-file FILE     trust store (PEM) of the side that verifies; default:\n"
	      "                         the system store (\"publicly trusted\")\n"
	      "      --ca-path DIR      trust store directory (c_rehash layout)\n"
	      "      --client-cert FILE the client's keystore certificate (chain): PEM, DER or\n"
	      "                         PKCS#12; explains an empty client Certificate\n"
	      "      --client-cert-pass PASS  password of a PKCS#12 --client-cert\n"
	      "      --hostname NAME    the name the client used (when it sent no SNI)\n"
	      "      --at TIME          judge certificate validity at TIME (2026-01-31,\n"
	      "                         2026-01-31T12:00:00Z or @UNIXTIME), not at capture time\n"
	      "      --expiry-warning DAYS  warn when a certificate expires within DAYS (30)\n"
	      "      --check-bundle FILE  check a certificate bundle before upload (no capture):\n"
	      "                         order, completeness, expiry, hostname, key\n"
	      "      --key FILE         with --check-bundle: the private key to match\n"
	      "      --key-pass PASS    pass phrase of an encrypted --key\n"
	      "\n"
	      "Output:\n"
	      "      --json             one JSON document (schema tlsdiag/1, see tlsdiag(1))\n"
	      "      --format FMT       text (default), json, jsonl (one object per line) or\n"
	      "                         markdown (for support tickets)\n"
	      "      --pretty           indent JSON\n"
	      "  -v, --verbose          show healthy connections too, and every acceptable CA name\n"
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

/* --at: "2026-01-31", "2026-01-31T12:00:00Z" (or a space, or no Z) or "@UNIX". */
static bool parse_time(const char *s, int64_t *out)
{
	if (s[0] == '@') {
		char *end;
		long long v = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end)
			return false;
		*out = v;
		return true;
	}
	static const char *const formats[] = { "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
						"%Y-%m-%d" };
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		const char *end = strptime(s, formats[i], &tm);
		if (end && *end == '\0') {
			*out = (int64_t)timegm(&tm);
			return true;
		}
	}
	return false;
}

/* The trust store: the user's files, or the system's default locations. */
static X509_STORE *load_trust(const char *file, const char *dir, bool *given)
{
	X509_STORE *st = X509_STORE_new();
	if (!st)
		return NULL;
	*given = file || dir;
	if (file && X509_STORE_load_file(st, file) != 1) {
		fprintf(stderr, "tlsdiag: --ca-file %s: no certificate could be read from it\n", file);
		X509_STORE_free(st);
		return NULL;
	}
	if (dir && X509_STORE_load_path(st, dir) != 1) {
		fprintf(stderr, "tlsdiag: --ca-path %s: not a usable certificate directory\n", dir);
		X509_STORE_free(st);
		return NULL;
	}
	if (!*given && X509_STORE_set_default_paths(st) != 1) {
		X509_STORE_free(st);
		st = NULL;   /* no system store: the untrusted rule stays silent */
	}
	ERR_clear_error();
	return st;
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
	struct diag_opts dopts = { .expiry_warn_days = 30 };
	const char *ca_file = NULL, *ca_path = NULL, *client_cert = NULL, *client_cert_pass = NULL;
	const char *bundle = NULL, *key = NULL, *key_pass = NULL;
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
			else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
				ropts.format = REPORT_MARKDOWN;
			else {
				fprintf(stderr, "tlsdiag: --format: unknown format \"%s\" (text, json, jsonl, markdown)\n",
					optarg);
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
		case OPT_CA_FILE:
			ca_file = optarg;
			break;
		case OPT_CA_PATH:
			ca_path = optarg;
			break;
		case OPT_CLIENT_CERT:
			client_cert = optarg;
			break;
		case OPT_CLIENT_CERT_PASS:
			client_cert_pass = optarg;
			break;
		case OPT_HOSTNAME:
			dopts.hostname = optarg;
			break;
		case OPT_AT:
			if (!parse_time(optarg, &dopts.at)) {
				fprintf(stderr, "tlsdiag: --at: \"%s\" is not a time (2026-01-31, 2026-01-31T12:00:00Z, @UNIXTIME)\n",
					optarg);
				return EXIT_USAGE;
			}
			dopts.at_given = true;
			break;
		case OPT_EXPIRY_WARNING: {
			int64_t days;
			if (!parse_seconds(optarg, &days) || days > 3650) {
				fprintf(stderr, "tlsdiag: --expiry-warning: \"%s\" is not a number of days (1-3650)\n", optarg);
				return EXIT_USAGE;
			}
			dopts.expiry_warn_days = (int)days;
			break;
		}
		case OPT_CHECK_BUNDLE:
			bundle = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_KEY_PASS:
			key_pass = optarg;
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
	X509_STORE *trust = load_trust(ca_file, ca_path, &dopts.trust_given);
	if (!trust && (ca_file || ca_path))
		return EXIT_USAGE;
	dopts.trust = trust;

	if (bundle) {
		if (n_inputs || optind < argc) {
			fputs("tlsdiag: --check-bundle checks files, not captures: leave out -r and filters\n", stderr);
			X509_STORE_free(trust);
			return EXIT_USAGE;
		}
		struct bundle_opts bo = {
			.chain_path = bundle, .key_path = key, .key_pass = key_pass, .hostname = dopts.hostname,
			.at_given = dopts.at_given, .at = dopts.at, .expiry_warn_days = dopts.expiry_warn_days,
			.trust = trust, .trust_given = dopts.trust_given, .format = ropts.format, .pretty = ropts.pretty,
		};
		int rc = bundle_check(&bo, stdout);
		X509_STORE_free(trust);
		x509_cache_clear();
		return rc;
	}
	if (key || key_pass) {
		fputs("tlsdiag: --key and --key-pass go with --check-bundle\n", stderr);
		X509_STORE_free(trust);
		return EXIT_USAGE;
	}
	if (n_inputs == 0) {
		fputs("tlsdiag: no capture given (-r FILE)\n", stderr);
		usage(stderr);
		X509_STORE_free(trust);
		return EXIT_USAGE;
	}

	struct certfile keystore;
	memset(&keystore, 0, sizeof keystore);
	if (client_cert) {
		char err[256];
		if (certfile_load(client_cert, client_cert_pass, &keystore, err, sizeof err) < 0) {
			fprintf(stderr, "tlsdiag: --client-cert %s\n", err);
			X509_STORE_free(trust);
			return EXIT_USAGE;
		}
		dopts.keystore = keystore.certs;
		dopts.keystore_n = keystore.n;
		dopts.keystore_given = true;
	}
	aopts.diag = &dopts;
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
	if (began) {
		const struct summary *sum = analyzer_summary(a);
		reporter_end(&rep, info, n_info, sum);
		if (sum->with_error && status == EXIT_OK)
			status = EXIT_FINDINGS;
	}
	for (size_t i = 0; i < n_info; i++)
		mem_free((void *)info[i].error);
	analyzer_free(a);
	mem_free(filter);
	certfile_free(&keystore);
	X509_STORE_free(trust);
	x509_cache_clear();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("tlsdiag: error writing the report\n", stderr);
		return EXIT_USAGE;
	}
	return status;
}
