/* report_json_problems.c - tlsdiag/2 JSON beside the connections: the problems, and the certificates table. */
#include "report_json.h"

#include <inttypes.h>
#include <string.h>

#include "fmt.h"
#include "mem.h"

struct json_certs {
	uint8_t (*seen)[32];      /* open addressing; an all-zero slot is empty */
	uint32_t n, cap;
	bool full;
	FILE *spool;              /* the document's table, written as certificates are first seen */
	struct json sj;
	bool pretty;
};

struct json_certs *json_certs_new(bool pretty, int depth)
{
	struct json_certs *t = mem_alloc(sizeof *t);
	t->pretty = pretty;
	json_init(&t->sj, NULL, pretty);
	t->sj.depth = depth;      /* the table's items sit this deep in the document */
	t->sj.first[depth] = true;
	return t;
}

void json_certs_free(struct json_certs *t)
{
	if (!t)
		return;
	if (t->spool)
		fclose(t->spool);
	mem_free(t->seen);
	mem_free(t);
}

static bool is_zero(const uint8_t *d)
{
	for (int i = 0; i < 32; i++)
		if (d[i])
			return false;
	return true;
}

/* true: d was not in the set (and is now) */
static bool insert(struct json_certs *t, const uint8_t *d)
{
	if ((t->n + 1) * 2 > t->cap) {
		uint32_t ncap = t->cap ? t->cap * 2 : 256;
		uint8_t (*ns)[32] = mem_alloc((size_t)ncap * 32);
		for (uint32_t i = 0; i < t->cap; i++) {
			if (is_zero(t->seen[i]))
				continue;
			uint32_t k;
			memcpy(&k, t->seen[i], sizeof k);
			for (k &= ncap - 1; !is_zero(ns[k]); k = (k + 1) & (ncap - 1))
				;
			memcpy(ns[k], t->seen[i], 32);
		}
		mem_free(t->seen);
		t->seen = ns;
		t->cap = ncap;
	}
	uint32_t k;
	memcpy(&k, d, sizeof k);
	for (k &= t->cap - 1; !is_zero(t->seen[k]); k = (k + 1) & (t->cap - 1))
		if (memcmp(t->seen[k], d, 32) == 0)
			return false;
	memcpy(t->seen[k], d, 32);
	t->n++;
	return true;
}

static void cert_object(struct json *j, const struct x509_cert *c)
{
	char hex[80];
	json_object_begin(j);
	if (c->x) {
		json_cert_facts(j, c);
	} else {
		json_kv_str(j, "parse_error", c->parse_error);
		fmt_hex(hex, sizeof hex, c->sha256, sizeof c->sha256);
		json_kv_str(j, "sha256", hex);
	}
	json_kv_uint(j, "length", c->der_len);
	json_object_end(j);
}

bool json_certs_add(struct json_certs *t, const struct x509_cert *c, FILE *line_out)
{
	static const uint8_t zero[32];
	if (memcmp(c->sha256, zero, 32) == 0)
		return false;   /* cannot be a key of the set */
	if (!t->full && t->n >= JSON_CERTS_MAX)
		t->full = true;
	if (t->full) {
		bool known = false;
		uint32_t k;
		memcpy(&k, c->sha256, sizeof k);
		for (k &= t->cap - 1; !is_zero(t->seen[k]) && !known; k = (k + 1) & (t->cap - 1))
			known = memcmp(t->seen[k], c->sha256, 32) == 0;
		return known;
	}
	if (!insert(t, c->sha256))
		return true;
	if (line_out) {   /* JSON Lines: {"certificate": {...}} on its own line */
		struct json line;
		json_init(&line, line_out, false);
		json_object_begin(&line);
		json_key(&line, "certificate");
		cert_object(&line, c);
		json_object_end(&line);
		fputc('\n', line_out);
		return true;
	}
	if (!t->spool && !(t->spool = tmpfile())) {
		t->full = true;
		return false;
	}
	t->sj.out = t->spool;
	cert_object(&t->sj, c);
	return true;
}

void json_certs_write(struct json_certs *t, struct json *j)
{
	json_key(j, "certificates");
	json_array_begin(j);
	if (t && t->spool && t->n) {
		char buf[1 << 15];
		size_t n;
		json_flush(&t->sj);   /* the last items still in its buffer */
		json_flush(j);        /* before writing to j->out directly */
		rewind(t->spool);
		while ((n = fread(buf, 1, sizeof buf, t->spool)) > 0)
			fwrite(buf, 1, n, j->out);
		j->first[j->depth] = false;   /* the copied items */
	}
	json_array_end(j);
}

/* "clients": 37, and "clients_at_least": true when the counter was full */
static void kv_count(struct json *j, const char *key, uint64_t n, bool more)
{
	char k2[32];
	json_kv_uint(j, key, n);
	if (more) {
		snprintf(k2, sizeof k2, "%s_at_least", key);
		json_kv_bool(j, k2, true);
	}
}

static void kv_time(struct json *j, const char *key, const struct ts *t, int digits)
{
	char buf[FMT_TIME_LEN];
	fmt_time_iso(buf, sizeof buf, t, digits);
	json_kv_str(j, key, buf);
}

static void streams(struct json *j, const struct problem *p)
{
	json_key(j, "streams");
	json_array_begin(j);
	for (uint32_t i = 0; i < p->n_files; i++) {
		const struct problem_file *f = &p->files[i];
		json_object_begin(j);
		json_kv_str(j, "file", f->file);
		json_key(j, "tcp_stream");
		json_array_begin(j);
		for (uint32_t k = 0; k < f->n; k++)
			json_uint(j, f->streams[k]);
		json_array_end(j);
		json_kv_uint(j, "not_listed", f->not_listed);
		json_object_end(j);
	}
	json_array_end(j);
}

static void filters(struct json *j, const struct problem *p)
{
	char *buf = mem_alloc_uninit(PROBLEM_FILTER_LEN);
	json_key(j, "wireshark_filter");
	json_array_begin(j);
	for (uint32_t i = 0; i < p->n_files; i++) {
		const struct problem_file *f = &p->files[i];
		json_object_begin(j);
		json_kv_str(j, "file", f->file);
		json_key(j, "filters");
		json_array_begin(j);
		for (uint32_t k = 0; k < problem_filter_count(f); k++) {
			problem_filter(f, k, buf, PROBLEM_FILTER_LEN);
			json_string(j, buf);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	mem_free(buf);
}

void json_problem(struct json *j, const struct problem *p)
{
	json_kv_uint(j, "id", p->id);
	json_kv_uint(j, "rank", p->rank);
	json_kv_str(j, "title", p->title);
	json_kv_str(j, "severity", severity_name(p->severity));
	json_key(j, "finding_ids");
	json_array_begin(j);
	for (uint32_t i = 0; i < p->n_ids; i++)
		json_string(j, p->ids[i]);
	json_array_end(j);
	json_kv_uint(j, "connections", p->connections);
	if (p->judged_early)   /* their connection objects still carry cert-not-yet-valid */
		json_kv_uint(j, "judged_early", p->judged_early);
	kv_count(j, "clients", p->clients, p->clients_more);
	kv_count(j, "servers", p->servers, p->servers_more);
	kv_count(j, "snis", p->snis, p->snis_more);
	kv_time(j, "first_time", &p->first_time, p->ts_prec);
	kv_time(j, "last_time", &p->last_time, p->ts_prec);
	json_key(j, "representative");
	json_object_begin(j);
	json_kv_str(j, "file", p->rep_file);
	json_kv_uint(j, "stream", p->rep_stream);
	json_kv_uint(j, "index", p->rep_index);
	json_object_end(j);
	streams(j, p);
	filters(j, p);
	json_kv_str(j, "written_file", p->written ? p->written_file : NULL);
}
