/* report_fp.c - JA3, JA3S and JA4 of each hello in the JSON, text and Markdown reports. */
#include "report_fp.h"

#include <inttypes.h>
#include <stdbool.h>

#include "fingerprint.h"

/* Several KiB each (the longest lists the parser keeps): one of each, reused. */
static struct fp_ja3 ja3;
static struct fp_ja4 ja4;

void fp_json_client(struct json *j, const struct client_hello *ch)
{
	bool has3 = fp_ja3(&ja3, ch), has4 = fp_ja4(&ja4, ch, FP_TCP);
	json_key(j, "fingerprints");
	json_object_begin(j);
	json_kv_str(j, "ja3", has3 ? ja3.md5 : NULL);
	json_kv_str(j, "ja3_string", has3 ? ja3.str : NULL);
	json_kv_str(j, "ja4", has4 ? ja4.ja4 : NULL);
	json_kv_str(j, "ja4_r", has4 ? ja4.ja4_r : NULL);
	json_kv_str(j, "ja4_o", has4 ? ja4.ja4_o : NULL);
	json_kv_str(j, "ja4_ro", has4 ? ja4.ja4_ro : NULL);
	json_object_end(j);
}

static void json_ja3s(struct json *j, bool has)
{
	json_key(j, "fingerprints");
	json_object_begin(j);
	json_kv_str(j, "ja3s", has ? ja3.md5 : NULL);
	json_kv_str(j, "ja3s_string", has ? ja3.str : NULL);
	json_object_end(j);
}

void fp_json_server(struct json *j, const struct server_hello *sh)
{
	json_ja3s(j, fp_ja3s(&ja3, sh));
}

void fp_json_hrr(struct json *j, const struct hello_retry_request *hrr)
{
	json_ja3s(j, fp_ja3s_hrr(&ja3, hrr));
}

/* ---- one line per hello, for the reports people read ---- */

enum fp_style { FP_TEXT, FP_MD };

static const char *or_none(bool has, const char *v)
{
	return has ? v : "none";
}

static void client_line(FILE *out, enum fp_style st, const struct client_hello *ch)
{
	bool has3 = fp_ja3(&ja3, ch), has4 = fp_ja4(&ja4, ch, FP_TCP);
	if (st == FP_TEXT)
		fprintf(out, "    %7" PRIu64 "  Client Hello         JA3 %s  JA4 %s\n", ch->frame,
			or_none(has3, ja3.md5), or_none(has4, ja4.ja4));
	else
		fprintf(out, "| %" PRIu64 " | Client Hello | JA3 `%s` | JA4 `%s` |\n", ch->frame,
			or_none(has3, ja3.md5), or_none(has4, ja4.ja4));
}

static void server_line(FILE *out, enum fp_style st, uint64_t frame, const char *what, bool has)
{
	if (st == FP_TEXT)
		fprintf(out, "    %7" PRIu64 "  %-19s  JA3S %s\n", frame, what, or_none(has, ja3.md5));
	else
		fprintf(out, "| %" PRIu64 " | %s | JA3S `%s` | |\n", frame, what, or_none(has, ja3.md5));
}

/* In the order they were sent: ClientHello, HelloRetryRequest, the second
 * ClientHello, ServerHello, then any later ClientHellos (renegotiation). */
static void hello_lines(FILE *out, enum fp_style st, const struct session *s)
{
	if (s->ch.present)
		client_line(out, st, &s->ch);
	if (s->hrr.present)
		server_line(out, st, s->hrr.frame, "Hello Retry Request", fp_ja3s_hrr(&ja3, &s->hrr));
	if (s->ch2.present)
		client_line(out, st, &s->ch2);
	if (s->sh.present)
		server_line(out, st, s->sh.frame, "Server Hello", fp_ja3s(&ja3, &s->sh));
	for (uint32_t i = 0; i < s->later_ch_n; i++)
		client_line(out, st, &s->later_ch[i]);
}

static bool any_hello(const struct session *s)
{
	return s->ch.present || s->hrr.present || s->ch2.present || s->sh.present || s->later_ch_n;
}

void fp_text(FILE *out, const struct session *s)
{
	if (!any_hello(s))
		return;
	fputs("  Fingerprints:\n", out);
	hello_lines(out, FP_TEXT, s);
}

void fp_md(FILE *out, const struct session *s)
{
	if (!any_hello(s))
		return;
	fputs("### Fingerprints\n\n| frame | message | JA3 / JA3S | JA4 |\n|---:|---|---|---|\n", out);
	hello_lines(out, FP_MD, s);
	fputc('\n', out);
}
