/* session.c - recording facts on a session and deciding its outcome. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "x509.h"

/* Grow a capped array (in the arena if there is one): returns false once
 * the cap is reached. */
static bool grow(struct arena *arena, void **arr, uint32_t n, uint32_t *cap, uint32_t limit, size_t elem)
{
	if (n < *cap)
		return true;
	if (n >= limit)
		return false;
	uint32_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > limit)
		ncap = limit;
	if (arena)
		*arr = arena_grow(arena, *arr, (size_t)*cap * elem, (size_t)ncap * elem);
	else
		*arr = mem_realloc(*arr, (size_t)ncap * elem);
	*cap = ncap;
	return true;
}

struct session *session_new(void)
{
	struct session *s = mem_alloc(sizeof *s);
	s->findings.arena = &s->arena;
	return s;
}

void session_event(struct session *s, uint64_t frame, const char *id, const char *fmt, ...)
{
	if (!grow(&s->arena, (void **)&s->events, s->events_n, &s->events_cap, LIM_EVENTS, sizeof *s->events)) {
		s->events_dropped++;
		return;
	}
	struct event *e = &s->events[s->events_n++];
	e->frame = frame;
	e->id = id;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
}

struct msg *session_add_msg(struct session *s, uint64_t frame, const struct ts *t, int from, int kind)
{
	if (!grow(&s->arena, (void **)&s->timeline, s->timeline_n, &s->timeline_cap, LIM_TIMELINE, sizeof *s->timeline)) {
		s->timeline_dropped++;
		return NULL;
	}
	struct msg *m = &s->timeline[s->timeline_n++];
	memset(m, 0, sizeof *m);
	m->frame = frame;
	m->time = *t;
	m->from = (uint8_t)from;
	m->kind = (uint8_t)kind;
	return m;
}

struct finding *finding_list_add(struct finding_list *l, const char *id, int severity, int side,
				 const char *summary, const char *cause, const char *fix)
{
	if (!grow(l->arena, (void **)&l->v, l->n, &l->cap, 64, sizeof *l->v))
		return NULL;
	struct finding *f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->id = id;
	f->severity = (uint8_t)severity;
	f->side = (uint8_t)side;
	summary = summary ? summary : "";
	cause = cause ? cause : "";
	fix = fix ? fix : "";
	if (l->arena) {
		f->summary = arena_strndup(l->arena, summary, strlen(summary));
		f->cause = arena_strndup(l->arena, cause, strlen(cause));
		f->fix = arena_strndup(l->arena, fix, strlen(fix));
	} else {
		f->summary = mem_strdup(summary);
		f->cause = mem_strdup(cause);
		f->fix = mem_strdup(fix);
	}
	return f;
}

void finding_list_free(struct finding_list *l)
{
	struct arena *arena = l->arena;
	if (!arena) {
		for (uint32_t i = 0; i < l->n; i++) {
			mem_free(l->v[i].summary);
			mem_free(l->v[i].cause);
			mem_free(l->v[i].fix);
			for (unsigned k = 0; k < l->v[i].n_logs; k++)
				mem_free(l->v[i].logs[k].line);
		}
		mem_free(l->v);
	}
	memset(l, 0, sizeof *l);   /* arena blocks go with the arena */
	l->arena = arena;
}

void finding_add_log(struct finding_list *l, struct finding *f, int side, bool identified, const char *software,
		     const char *line)
{
	if (!f || f->n_logs == FINDING_LOGS)
		return;
	struct finding_log *g = &f->logs[f->n_logs];
	g->line = l->arena ? arena_strndup(l->arena, line, strlen(line)) : mem_strdup(line);
	if (!g->line)
		return;
	g->side = (uint8_t)side;
	g->identified = identified;
	g->software = software;
	f->n_logs++;
}

bool finding_list_has_error(const struct finding_list *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i].severity == SEV_ERROR)
			return true;
	return false;
}

void finding_add_frame(struct finding *f, uint64_t frame)
{
	if (!f || !frame)
		return;
	for (unsigned i = 0; i < f->n_frames; i++)
		if (f->frames[i] == frame)
			return;
	if (f->n_frames < FINDING_FRAMES)
		f->frames[f->n_frames++] = frame;
	/* keep them sorted: evidence reads in capture order */
	for (unsigned i = f->n_frames - 1; i > 0 && f->frames[i] < f->frames[i - 1]; i--) {
		uint64_t t = f->frames[i];
		f->frames[i] = f->frames[i - 1];
		f->frames[i - 1] = t;
	}
}

const char *severity_name(int severity)
{
	switch (severity) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	default: return "info";
	}
}

void session_add_alert(struct session *s, uint64_t frame, int from, bool encrypted, uint8_t level, uint8_t desc)
{
	if (!grow(&s->arena, (void **)&s->alerts, s->alerts_n, &s->alerts_cap, LIM_ALERTS, sizeof *s->alerts)) {
		s->alerts_dropped++;
		return;
	}
	struct alert *a = &s->alerts[s->alerts_n++];
	a->frame = frame;
	a->seq = s->record_seq;
	a->from = (uint8_t)from;
	a->encrypted = encrypted;
	a->level = level;
	a->desc = desc;
}

void session_add_appdata(struct session *s, uint64_t frame, const struct ts *t, int side, uint32_t len)
{
	struct direction *d = &s->dir[side];
	d->spoke_tls = true;
	s->record_seq++;
	if (d->appdata_records++ == 0)
		d->appdata_first_frame = frame;
	d->appdata_last_frame = frame;
	d->appdata_bytes += len;
	if (s->tls13 && s->sh.present && d->rlog_n < LIM_RECORD_LOG) {
		d->rlog[d->rlog_n].frame = frame;
		d->rlog[d->rlog_n].len = len;
		d->rlog[d->rlog_n].seq = s->record_seq;
		d->rlog[d->rlog_n].time = *t;
		d->rlog_n++;
	}
}

/* An encrypted TLS 1.3 alert is 2 bytes + 1 content type + the AEAD tag:
 * 19 bytes with a 16-byte tag, 11 with TLS_AES_128_CCM_8_SHA256. A
 * Finished is never that short. */
static bool alert_sized(const struct session *s, uint32_t len)
{
	return len == 19 || (len == 11 && s->sh.cipher_suite == 0x1305);
}

static bool side_closed(const struct session *s, int side)
{
	return s->dir[side].fin || s->dir[side].rst;
}

/* TLS 1.3 hides everything after the ServerHello in application_data
 * records; record sizes and the order of closes still tell what happened. */
static void finish_tls13(struct session *s)
{
	const struct direction *c = &s->dir[SIDE_CLIENT], *sv = &s->dir[SIDE_SERVER];
	if (!s->sh.present)
		return;
	s->handshake_done[SIDE_SERVER] = sv->rlog_n > 0;
	if (c->rlog_n == 0)
		return;
	uint64_t cflight = c->rlog[0].frame;
	if (alert_sized(s, c->rlog[0].len) && c->appdata_records == 1 && side_closed(s, SIDE_CLIENT)) {
		s->inferred_alert = true;
		s->inferred_alert_from = SIDE_CLIENT;
		s->inferred_alert_frame = cflight;
		return;
	}
	s->handshake_done[SIDE_CLIENT] = true;
	s->handshake_done_frame = cflight;
	s->handshake_done_seq = c->rlog[0].seq;
	/* server records after the client's flight */
	uint32_t after = 0;
	uint32_t last_len = 0;
	uint64_t last_frame = 0;
	for (uint32_t i = 0; i < sv->rlog_n; i++) {
		if (sv->rlog[i].frame > cflight) {
			after++;
			last_len = sv->rlog[i].len;
			last_frame = sv->rlog[i].frame;
		}
	}
	if (after == 1 && sv->rlog_n < LIM_RECORD_LOG && sv->appdata_last_frame == last_frame &&
	    alert_sized(s, last_len) && side_closed(s, SIDE_SERVER)) {
		s->inferred_alert = true;
		s->inferred_alert_from = SIDE_SERVER;
		s->inferred_alert_frame = last_frame;
	}
}

static void finish_tls12(struct session *s)
{
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		if (d->ccs && (d->enc_handshake_records > 0 || d->finished)) {
			s->handshake_done[side] = true;
			uint32_t seq = d->finished ? d->finished_seq : d->enc_handshake_seq;
			if (seq > s->handshake_done_seq) {
				s->handshake_done_frame = d->finished ? d->finished_frame : d->enc_handshake_frame;
				s->handshake_done_seq = seq;
			}
		}
	}
}

void session_finish(struct session *s)
{
	struct direction *c = &s->dir[SIDE_CLIENT], *sv = &s->dir[SIDE_SERVER];
	s->outcome = OUTCOME_INCOMPLETE;
	s->handshake_done[0] = s->handshake_done[1] = false;
	s->handshake_done_frame = 0;
	s->handshake_done_seq = 0;
	s->inferred_alert = false;
	s->inferred_alert_frame = 0;

	if (!s->is_tls) {
		s->outcome = (c->not_tls || sv->not_tls) ? OUTCOME_NOT_TLS : OUTCOME_INCOMPLETE;
		return;
	}
	if ((c->not_tls && !c->spoke_tls) || (sv->not_tls && !sv->spoke_tls)) {
		s->outcome = OUTCOME_NOT_TLS;
		return;
	}
	if (s->tls13)
		finish_tls13(s);
	else
		finish_tls12(s);

	bool done = s->handshake_done[0] && s->handshake_done[1];
	/* A fatal (or encrypted) alert before the handshake finished ends it;
	 * a warning alert does not by itself (unrecognized_name, no_certificate). */
	for (uint32_t i = 0; i < s->alerts_n; i++) {
		const struct alert *a = &s->alerts[i];
		bool before = !done || a->seq <= s->handshake_done_seq;
		if (before && (a->encrypted || a->level == 2)) {
			s->outcome = OUTCOME_FAILED;
			return;
		}
	}
	if (s->inferred_alert) {
		s->outcome = OUTCOME_FAILED;
		return;
	}
	if (done) {
		s->outcome = OUTCOME_COMPLETED;
		return;
	}
	/* No handshake in the capture, but data flowed both ways: it had
	 * completed before the capture started. */
	if (!s->ch.present && !s->sh.present && c->appdata_records && sv->appdata_records) {
		s->outcome = OUTCOME_COMPLETED;
		return;
	}
	bool lost = c->unobservable || sv->unobservable;
	if (!lost && (s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST))
		s->outcome = OUTCOME_FAILED;
	else
		s->outcome = OUTCOME_INCOMPLETE;
}

static void chain_free(struct chain *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		x509_unref(c->certs[i].x509);
	c->n = 0;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	chain_free(&s->server_chain);
	chain_free(&s->client_chain);
	finding_list_free(&s->findings);
	arena_free(&s->arena);
	mem_free(s);
}

const char *outcome_name(int outcome)
{
	switch (outcome) {
	case OUTCOME_COMPLETED: return "completed";
	case OUTCOME_FAILED: return "failed";
	case OUTCOME_NOT_TLS: return "not_tls";
	default: return "incomplete";
	}
}

const char *side_name(int side)
{
	return side == SIDE_SERVER ? "server" : "client";
}
