/* main.c - tlsdiag: options, wiring of the pipeline, exit status. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "analyze.h"
#include "bundle.h"
#include "capture.h"
#include "certfile.h"
#include "diagnose.h"
#include "evidence.h"
#include "mem.h"
#include "redact.h"
#include "report.h"
#include "x509.h"

#define MAX_INPUTS 256

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

enum {
	OPT_JSON = 256, OPT_FORMAT, OPT_PRETTY, OPT_IDLE_TIMEOUT, OPT_CA_FILE, OPT_CA_PATH, OPT_CLIENT_CERT,
	OPT_CLIENT_CERT_PASS, OPT_HOSTNAME, OPT_AT, OPT_EXPIRY_WARNING, OPT_CHECK_BUNDLE, OPT_KEY, OPT_KEY_PASS,
	OPT_DURATION, OPT_ONLY_FAILURES, OPT_WRITE_ALL, OPT_REDACT, OPT_MEMORY_LIMIT, OPT_LIST_FINDINGS
};

static const struct option long_options[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "list-interfaces", no_argument, NULL, 'D' },
	{ "snapshot-length", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "relinquish-privileges", required_argument, NULL, 'Z' },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "memory-limit", required_argument, NULL, OPT_MEMORY_LIMIT },
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
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "only-failures", no_argument, NULL, OPT_ONLY_FAILURES },
	{ "write", required_argument, NULL, 'w' },
	{ "write-all", no_argument, NULL, OPT_WRITE_ALL },
	{ "redact", optional_argument, NULL, OPT_REDACT },
	{ "list-findings", no_argument, NULL, OPT_LIST_FINDINGS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *out)
{
	fputs("Usage: tlsdiag [options] -r FILE [-r FILE ...] [BPF expression]\n"
	      "       tlsdiag [options] [-i INTERFACE] [BPF expression]\n"
	      "       tlsdiag --check-bundle CHAIN.pem [--key KEY.pem] [--hostname NAME]\n"
	      "Explain TLS handshakes in packet captures: what failed, the frames that show it\n"
	      "(as Wireshark numbers them), the cause and the fix.\n"
	      "\n"
	      "Input:\n"
	      "  -r, --read FILE        read a pcap, pcapng or gzip-compressed capture (repeatable;\n"
	      "                         files are analyzed in order, each numbered from frame 1)\n"
	      "  -i, --interface IFACE  capture live on IFACE (\"any\": all interfaces); without -r\n"
	      "                         and -i, the first interface libpcap lists\n"
	      "  -D, --list-interfaces  list the interfaces and exit\n"
	      "  -s, --snapshot-length N  capture N bytes per packet (default: whole packets)\n"
	      "  -B, --buffer-size KIB  kernel capture buffer in KiB\n"
	      "  -c, --count N          stop after N TLS connections have been reported\n"
	      "      --duration SEC     stop a live capture after SEC seconds\n"
	      "  -Z, --relinquish-privileges USER  drop root for USER once the capture is open\n"
	      "  BPF expression         only packets matching it, as in tcpdump (in files, frame\n"
	      "                         numbers still count every packet; live default: tcp)\n"
	      "      --idle-timeout SEC settle a connection idle for SEC seconds (default 600,\n"
	      "                         live 60)\n"
	      "      --memory-limit MIB memory held for open connections before the least\n"
	      "                         recently active are evicted (default 40)\n"
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
	      "      --json             one JSON document (schema tlsdiag/1, see tlsdiag(1));\n"
	      "                         live: one JSON object per line\n"
	      "      --format FMT       text (default), json, jsonl (one object per line) or\n"
	      "                         markdown (for support tickets)\n"
	      "      --pretty           indent JSON\n"
	      "  -v, --verbose          show healthy connections too, and every acceptable CA name\n"
	      "      --only-failures    leave out healthy connections, in every format (live default)\n"
	      "  -w, --write FILE       write the packets of every connection with an error finding\n"
	      "                         (whole connections) to the pcap FILE\n"
	      "      --write-all        with -w: write every TLS connection\n"
	      "      --redact[=names]   replace IP addresses in the report (consistently); with\n"
	      "                         =names also SNI and certificate names\n"
	      "\n"
	      "      --list-findings    the finding ids, one per line with what each means\n"
	      "  -h, --help             this help\n"
	      "  -V, --version          version and library versions\n"
	      "\n"
	      "Exit status: 0 no error found, 1 an error finding, 2 input or options unusable.\n",
	      out);
}

/* ---- small parsers ---- */

static bool parse_number(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* --at: "2026-01-31", "2026-01-31T12:00:00Z" (or a space, or no Z) or "@UNIX". */
static bool parse_time(const char *s, int64_t *out)
{
	if (s[0] == '@')
		return parse_number(s + 1, INT64_MIN / 2, INT64_MAX / 2, out);
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
	if (!*given) {
		/* The system bundle, read once into memory. (OpenSSL 3's
		 * X509_STORE_set_default_paths adds a "file:" store that lists
		 * the certificate directory on every lookup: far too slow for a
		 * capture with thousands of connections.) */
		const char *bundle = getenv(X509_get_default_cert_file_env());
		if (!bundle)
			bundle = X509_get_default_cert_file();
		if (X509_STORE_load_file(st, bundle) != 1) {
			const char *dir_env = getenv(X509_get_default_cert_dir_env());
			X509_LOOKUP *hashed = X509_STORE_add_lookup(st, X509_LOOKUP_hash_dir());
			if (!hashed || !X509_LOOKUP_add_dir(hashed, dir_env ? dir_env : X509_get_default_cert_dir(),
							 X509_FILETYPE_PEM)) {
				X509_STORE_free(st);
				st = NULL;   /* no system store: the untrusted rule stays silent */
			}
		}
	}
	ERR_clear_error();
	return st;
}

/* ---- the run ---- */

struct config {
	const char *inputs[MAX_INPUTS];
	size_t n_inputs;
	const char *device;
	bool live;
	int snaplen;
	int buffer_kib;
	int64_t duration;
	const char *drop_user;
	const char *write_path;
	bool write_all;
	char *filter;
	struct report_opts ropts;
	struct analyze_opts aopts;
	struct diag_opts dopts;
};

static volatile sig_atomic_t stop_requested;
static struct capture *live_capture;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (live_capture)
		capture_break(live_capture);   /* pcap_breakloop may be called from a handler */
}

static void catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
}

static void warn_packet(void *ctx, const char *file, uint64_t frame, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "tlsdiag: %s: frame %llu: %s\n", file, (unsigned long long)frame, msg);
}

/* Drop root as tcpdump -Z does: groups, gid, uid, and make sure it stuck. */
static bool drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "tlsdiag: -Z %s: no such user\n", user);
		return false;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0 ||
	    (pw->pw_uid != 0 && setuid(0) == 0)) {
		fprintf(stderr, "tlsdiag: -Z %s: cannot drop privileges: %s\n", user, strerror(errno));
		return false;
	}
	return true;
}

static int run_files(struct config *cfg, struct analyzer *a, struct reporter *rep)
{
	struct input_info info[MAX_INPUTS];
	size_t n_info = 0;
	int status = EXIT_OK;
	bool began = false;
	struct evidence *ev = NULL;
	int ev_dlt = -1;

	for (size_t i = 0; i < cfg->n_inputs; i++) {
		char errbuf[CAPTURE_ERRBUF];
		struct capture *cap = capture_open_file(cfg->inputs[i], cfg->filter, errbuf);
		if (!cap) {
			fprintf(stderr, "tlsdiag: %s\n", errbuf);
			status = EXIT_USAGE;
			continue;
		}
		if (cfg->write_path && !ev) {
			ev = evidence_open(cfg->write_path, capture_pcap(cap), errbuf);
			if (!ev) {
				fprintf(stderr, "tlsdiag: %s\n", errbuf);
				capture_close(cap);
				status = EXIT_USAGE;
				break;
			}
			ev_dlt = capture_datalink(cap);
		}
		/* one pcap file has one link type: -w follows the first input's */
		bool write_this = ev && capture_datalink(cap) == ev_dlt;
		if (ev && !write_this)
			fprintf(stderr, "tlsdiag: %s: link type %s differs from the first file's: not written to %s\n",
				cfg->inputs[i], capture_datalink_name(cap), cfg->write_path);
		analyzer_set_evidence(a, write_this ? ev : NULL);
		if (!began) {
			reporter_begin(rep);
			began = true;
		}
		struct input_info *in = &info[n_info++];
		memset(in, 0, sizeof *in);
		in->file = cfg->inputs[i];
		in->link_type = capture_datalink_name(cap);
		in->ts_digits = capture_ts_digits(cap);
		analyzer_begin_file(a, cfg->inputs[i], capture_datalink(cap), capture_ts_digits(cap));
		struct capture_pkt pkt;
		int rc = 0;
		while (!analyzer_done(a) && (rc = capture_next(cap, &pkt, errbuf)) > 0)
			analyzer_packet(a, &pkt);
		in->frames = capture_frames(cap);
		if (!analyzer_done(a) && rc < 0) {
			in->error_frame = in->frames + 1;
			in->error = mem_strdup(errbuf);
			fprintf(stderr, "tlsdiag: %s: frame %llu: %s (analysis covers frames 1-%llu)\n", cfg->inputs[i],
				(unsigned long long)in->error_frame, errbuf, (unsigned long long)in->frames);
		}
		analyzer_end_file(a);
		capture_close(cap);   /* the link type name is libpcap's static string */
		if (analyzer_done(a))
			break;
	}
	if (began) {
		struct summary sum = *analyzer_summary(a);
		if (ev) {
			sum.written_file = cfg->write_path;
			sum.packets_written = evidence_packets_written(ev);
		}
		reporter_end(rep, info, n_info, &sum);
		if (sum.with_error && status == EXIT_OK)
			status = EXIT_FINDINGS;
	}
	char errbuf[CAPTURE_ERRBUF];
	if (!evidence_close(ev, errbuf)) {
		fprintf(stderr, "tlsdiag: %s\n", errbuf);
		status = EXIT_USAGE;
	}
	for (size_t i = 0; i < n_info; i++)
		mem_free((void *)info[i].error);
	return status;
}

static int run_live(struct config *cfg, struct analyzer *a, struct reporter *rep)
{
	char errbuf[CAPTURE_ERRBUF];
	struct capture_live_opts lo = {
		.device = cfg->device, .snaplen = cfg->snaplen, .buffer_size = cfg->buffer_kib * 1024,
		.immediate = true, .filter = cfg->filter,
	};
	struct capture *cap = capture_open_live(&lo, errbuf);
	if (!cap) {
		fprintf(stderr, "tlsdiag: %s\n", errbuf);
		return EXIT_USAGE;
	}
	if (cfg->drop_user && !drop_privileges(cfg->drop_user)) {
		capture_close(cap);
		return EXIT_USAGE;
	}
	struct evidence *ev = NULL;
	if (cfg->write_path) {
		/* opened after dropping root: the file belongs to the user */
		ev = evidence_open(cfg->write_path, capture_pcap(cap), errbuf);
		if (!ev) {
			fprintf(stderr, "tlsdiag: %s\n", errbuf);
			capture_close(cap);
			return EXIT_USAGE;
		}
	}
	analyzer_set_evidence(a, ev);
	live_capture = cap;
	if (cfg->duration > 0)
		alarm((unsigned)cfg->duration);
	const char *name = cfg->device ? cfg->device : "default interface";
	fprintf(stderr, "tlsdiag: listening on %s (%s)%s%s, Ctrl-C to stop\n", name, capture_datalink_name(cap),
		cfg->filter ? ", filter: " : "", cfg->filter ? cfg->filter : "");
	reporter_begin(rep);
	analyzer_begin_file(a, cfg->device ? cfg->device : "live", capture_datalink(cap), 6);
	struct capture_pkt pkt;
	int rc = 0;
	while (!stop_requested && !analyzer_done(a)) {
		rc = capture_next(cap, &pkt, errbuf);
		if (rc == 1)
			analyzer_packet(a, &pkt);
		else if (rc == 2)
			analyzer_tick(a, (int64_t)time(NULL));   /* quiet wire: idle connections settle */
		else
			break;
	}
	if (rc == -1)
		fprintf(stderr, "tlsdiag: %s: %s\n", name, errbuf);
	struct input_info in = { .file = cfg->device ? cfg->device : "live", .link_type = capture_datalink_name(cap),
				 .ts_digits = 6, .frames = capture_frames(cap) };
	analyzer_end_file(a);
	struct summary sum = *analyzer_summary(a);
	sum.live = capture_stats(cap, &sum.pcap_received, &sum.pcap_dropped, &sum.pcap_if_dropped);
	if (ev) {
		sum.written_file = cfg->write_path;
		sum.packets_written = evidence_packets_written(ev);
	}
	reporter_end(rep, &in, 1, &sum);
	live_capture = NULL;
	capture_close(cap);
	int status = rc == -1 ? EXIT_USAGE : sum.with_error ? EXIT_FINDINGS : EXIT_OK;
	if (!evidence_close(ev, errbuf)) {
		fprintf(stderr, "tlsdiag: %s\n", errbuf);
		status = EXIT_USAGE;
	}
	return status;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	const char *ca_file = NULL, *ca_path = NULL, *client_cert = NULL, *client_cert_pass = NULL;
	const char *bundle = NULL, *key = NULL, *key_pass = NULL;
	bool list_devices = false, json_flag = false, format_given = false;
	int64_t v;
	int c;

	cfg.ropts.format = REPORT_TEXT;
	cfg.aopts.warn = warn_packet;
	cfg.dopts.expiry_warn_days = 30;

	while ((c = getopt_long(argc, argv, "r:i:Ds:B:c:Z:w:vhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (cfg.n_inputs == MAX_INPUTS) {
				fprintf(stderr, "tlsdiag: at most %d capture files\n", MAX_INPUTS);
				return EXIT_USAGE;
			}
			cfg.inputs[cfg.n_inputs++] = optarg;
			break;
		case 'i':
			cfg.device = optarg;
			cfg.live = true;
			break;
		case 'D':
			list_devices = true;
			break;
		case 's':
			if (!parse_number(optarg, 0, 262144, &v)) {
				fprintf(stderr, "tlsdiag: -s: \"%s\" is not a snapshot length (0-262144)\n", optarg);
				return EXIT_USAGE;
			}
			cfg.snaplen = (int)v;
			break;
		case 'B':
			if (!parse_number(optarg, 1, 4 * 1024 * 1024, &v)) {
				fprintf(stderr, "tlsdiag: -B: \"%s\" is not a buffer size in KiB\n", optarg);
				return EXIT_USAGE;
			}
			cfg.buffer_kib = (int)v;
			break;
		case 'c':
			if (!parse_number(optarg, 1, INT64_MAX, &v)) {
				fprintf(stderr, "tlsdiag: -c: \"%s\" is not a count\n", optarg);
				return EXIT_USAGE;
			}
			cfg.aopts.stop_after = (uint64_t)v;
			break;
		case OPT_DURATION:
			if (!parse_number(optarg, 1, 100000000, &cfg.duration)) {
				fprintf(stderr, "tlsdiag: --duration: \"%s\" is not a number of seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'Z':
			cfg.drop_user = optarg;
			break;
		case OPT_IDLE_TIMEOUT:
			if (!parse_number(optarg, 1, 100000000, &cfg.aopts.idle_timeout)) {
				fprintf(stderr, "tlsdiag: --idle-timeout: \"%s\" is not a number of seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MEMORY_LIMIT:
			if (!parse_number(optarg, 16, 1048576, &v)) {
				fprintf(stderr, "tlsdiag: --memory-limit: \"%s\" is not a number of MiB from 16 to 1048576\n",
					optarg);
				return EXIT_USAGE;
			}
			cfg.aopts.memory_limit = (uint64_t)v << 20;
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
			cfg.dopts.hostname = optarg;
			break;
		case OPT_AT:
			if (!parse_time(optarg, &cfg.dopts.at)) {
				fprintf(stderr, "tlsdiag: --at: \"%s\" is not a time (2026-01-31, 2026-01-31T12:00:00Z, @UNIXTIME)\n",
					optarg);
				return EXIT_USAGE;
			}
			cfg.dopts.at_given = true;
			break;
		case OPT_EXPIRY_WARNING:
			if (!parse_number(optarg, 0, 3650, &v)) {
				fprintf(stderr, "tlsdiag: --expiry-warning: \"%s\" is not a number of days (0-3650)\n", optarg);
				return EXIT_USAGE;
			}
			cfg.dopts.expiry_warn_days = (int)v;
			break;
		case OPT_CHECK_BUNDLE:
			bundle = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_KEY_PASS:
			key_pass = optarg;
			break;
		case OPT_JSON:
			json_flag = true;
			break;
		case OPT_FORMAT:
			format_given = true;
			if (strcmp(optarg, "text") == 0)
				cfg.ropts.format = REPORT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				cfg.ropts.format = REPORT_JSON;
			else if (strcmp(optarg, "jsonl") == 0)
				cfg.ropts.format = REPORT_JSONL;
			else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
				cfg.ropts.format = REPORT_MARKDOWN;
			else {
				fprintf(stderr, "tlsdiag: --format: unknown format \"%s\" (text, json, jsonl, markdown)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_PRETTY:
			cfg.ropts.pretty = true;
			break;
		case 'v':
			cfg.ropts.verbose = true;
			break;
		case OPT_ONLY_FAILURES:
			cfg.ropts.only_failures = true;
			break;
		case 'w':
			cfg.write_path = optarg;
			break;
		case OPT_WRITE_ALL:
			cfg.write_all = true;
			break;
		case OPT_REDACT:
			if (!optarg)
				redact_enable(true, false);
			else if (strcmp(optarg, "names") == 0)
				redact_enable(true, true);
			else {
				fprintf(stderr, "tlsdiag: --redact: \"%s\" is not a choice (--redact or --redact=names)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_LIST_FINDINGS: {
			size_t n;
			const struct rule_info *r = diagnose_catalogue(&n);
			for (size_t i = 0; i < n; i++)
				printf("%s\t%s\t%s\n", r[i].id, r[i].severity, r[i].title);
			return EXIT_OK;
		}
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
	if (list_devices) {
		char errbuf[CAPTURE_ERRBUF];
		if (capture_list_devices(stdout, errbuf) < 0) {
			fprintf(stderr, "tlsdiag: -D: %s\n", errbuf);
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	if (cfg.live && cfg.n_inputs) {
		fputs("tlsdiag: -r and -i exclude each other: read files or capture live\n", stderr);
		return EXIT_USAGE;
	}
	if (cfg.write_all && !cfg.write_path) {
		fputs("tlsdiag: --write-all goes with -w FILE\n", stderr);
		return EXIT_USAGE;
	}
	if (!bundle && !cfg.n_inputs)
		cfg.live = true;   /* like tcpdump: no file, capture on the default interface */

	X509_STORE *trust = load_trust(ca_file, ca_path, &cfg.dopts.trust_given);
	if (!trust && (ca_file || ca_path))
		return EXIT_USAGE;
	cfg.dopts.trust = trust;

	if (bundle) {
		if (cfg.n_inputs || cfg.device || optind < argc) {
			fputs("tlsdiag: --check-bundle checks files, not captures: leave out -r, -i and filters\n", stderr);
			X509_STORE_free(trust);
			return EXIT_USAGE;
		}
		struct bundle_opts bo = {
			.chain_path = bundle, .key_path = key, .key_pass = key_pass, .hostname = cfg.dopts.hostname,
			.at_given = cfg.dopts.at_given, .at = cfg.dopts.at, .expiry_warn_days = cfg.dopts.expiry_warn_days,
			.trust = trust, .trust_given = cfg.dopts.trust_given, .format = cfg.ropts.format,
			.pretty = cfg.ropts.pretty,
		};
		if (json_flag)
			bo.format = REPORT_JSON;
		int rc = bundle_check(&bo, stdout);
		X509_STORE_free(trust);
		x509_cache_clear();
		mem_release_pools();
		return rc;
	}
	if (key || key_pass) {
		fputs("tlsdiag: --key and --key-pass go with --check-bundle\n", stderr);
		X509_STORE_free(trust);
		return EXIT_USAGE;
	}

	/* live reports stream: JSON becomes JSON Lines, healthy handshakes stay quiet */
	if (json_flag)
		cfg.ropts.format = cfg.live ? REPORT_JSONL : REPORT_JSON;
	(void)format_given;
	if (cfg.live) {
		cfg.aopts.live = true;
		if (!cfg.ropts.verbose)
			cfg.ropts.only_failures = true;
		if (cfg.aopts.idle_timeout == 0)
			cfg.aopts.idle_timeout = 60;
	}
	cfg.aopts.write_all = cfg.write_all;

	struct certfile keystore;
	memset(&keystore, 0, sizeof keystore);
	if (client_cert) {
		char err[256];
		if (certfile_load(client_cert, client_cert_pass, &keystore, err, sizeof err) < 0) {
			fprintf(stderr, "tlsdiag: --client-cert %s\n", err);
			X509_STORE_free(trust);
			return EXIT_USAGE;
		}
		cfg.dopts.keystore = keystore.certs;
		cfg.dopts.keystore_n = keystore.n;
		cfg.dopts.keystore_given = true;
	}
	cfg.aopts.diag = &cfg.dopts;
	cfg.filter = optind < argc ? join_args(argc - optind, argv + optind) : NULL;

	catch_stop_signals();
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);   /* reports flush per connection where it matters */
	struct reporter rep;
	reporter_init(&rep, stdout, &cfg.ropts);
	struct analyzer *a = analyzer_new(&cfg.aopts, &rep);
	int status = cfg.live ? run_live(&cfg, a, &rep) : run_files(&cfg, a, &rep);

	analyzer_free(a);
	mem_free(cfg.filter);
	certfile_free(&keystore);
	X509_STORE_free(trust);
	x509_cache_clear();
	redact_free();
	mem_release_pools();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("tlsdiag: error writing the report\n", stderr);
		return EXIT_USAGE;
	}
	return status;
}
