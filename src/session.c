/* session.c - recording facts on a session and deciding its outcome. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "tls_names.h"
#include "x509.h"

/* Grow a capped array (in the arena if there is one): returns false once
 * the cap is reached. */
static bool grow_from(struct arena *arena, void **arr, uint32_t n, uint32_t *cap, uint32_t limit, size_t elem,
		      uint32_t first)
{
	if (n < *cap)
		return true;
	if (n >= limit)
		return false;
	uint32_t ncap = *cap ? *cap * 2 : first;
	if (ncap > limit)
		ncap = limit;
	if (arena)
		*arr = arena_grow(arena, *arr, (size_t)*cap * elem, (size_t)ncap * elem);
	else
		*arr = mem_realloc(*arr, (size_t)ncap * elem);
	*cap = ncap;
	return true;
}

static bool grow(struct arena *arena, void **arr, uint32_t n, uint32_t *cap, uint32_t limit, size_t elem)
{
	return grow_from(arena, arr, n, cap, limit, elem, 16);
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
	/* in frame order: bytes that waited behind a lost segment are read
	 * after later frames of the other side */
	uint32_t i = s->timeline_n++;
	for (; i > 0 && s->timeline[i - 1].frame > frame; i--)
		s->timeline[i] = s->timeline[i - 1];
	struct msg *m = &s->timeline[i];
	memset(m, 0, sizeof *m);
	m->decrypted = s->in_decrypted_record;
	m->frame = frame;
	m->time = *t;
	m->from = (uint8_t)from;
	m->kind = (uint8_t)kind;
	return m;
}

struct finding *finding_list_add(struct finding_list *l, const char *id, int severity, int side,
				 const char *summary, const char *cause, const char *fix)
{
	/* most connections have one or two: 16 findings of 264 bytes zeroed a
	 * 4 KiB block of their own per connection (4 % of the text report) */
	if (!grow_from(l->arena, (void **)&l->v, l->n, &l->cap, 64, sizeof *l->v, 4))
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
		/* (no words yet: diagnose_facts) */
		static char none[1];
		f->summary = *summary ? arena_strndup(l->arena, summary, strlen(summary)) : none;
		f->cause = *cause ? arena_strndup(l->arena, cause, strlen(cause)) : none;
		f->fix = *fix ? arena_strndup(l->arena, fix, strlen(fix)) : none;
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
	uint32_t i = s->alerts_n++;
	for (; i > 0 && s->alerts[i - 1].frame > frame; i--)
		s->alerts[i] = s->alerts[i - 1];
	struct alert *a = &s->alerts[i];
	a->decrypted = s->in_decrypted_record;
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
	d->appdata_last_time = *t;
	d->appdata_bytes += len;
	if (s->tls13 && s->sh.present && d->rlog_n < LIM_RECORD_LOG) {
		d->rlog[d->rlog_n].frame = frame;
		d->rlog[d->rlog_n].len = len;
		d->rlog[d->rlog_n].seq = s->record_seq;
		d->rlog[d->rlog_n].time = *t;
		d->rlog_n++;
	}
}

static bool side_closed(const struct session *s, int side)
{
	return s->dir[side].fin || s->dir[side].rst;
}

/* Did a key log open records of this connection, or were TLS 1.3
 * handshake messages after the ServerHello seen? Then the facts speak and
 * nothing is inferred from record sizes. */
static bool tls13_handshake_seen(const struct session *s)
{
	if (s->decrypted)
		return true;
	if (s->server_chain.state == CHAIN_SEEN || s->client_chain.state == CHAIN_SEEN)
		return true;
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		if (m->kind == MSG_HANDSHAKE && m->frame >= s->sh.frame && m->hs_type != 2 && m->hs_type != 1)
			return true;
	}
	return false;
}

bool session_t13_input(const struct session *s, struct t13_input *in, struct t13_rec rec[2][LIM_RECORD_LOG])
{
	memset(in, 0, sizeof *in);
	if (!t13_sizes_of(s->sh.cipher_suite, &in->z))
		return false;
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		for (uint32_t i = 0; i < d->rlog_n; i++)
			rec[side][i] = (struct t13_rec){ d->rlog[i].frame, d->rlog[i].len, d->rlog[i].seq };
		in->rec[side] = rec[side];
		in->n[side] = d->rlog_n;
		in->total[side] = d->appdata_records;
		in->closed[side] = side_closed(s, side);
		in->reset[side] = d->rst;
		in->close_frame[side] = d->rst && (!d->fin || d->rst_frame < d->fin_frame) ? d->rst_frame : d->fin_frame;
		in->lost |= d->unobservable || d->gaps > 0;
	}
	in->resumed = s->sh.pre_shared_key;
	in->early_data = s->ch.early_data || s->ch2.early_data;
	return true;
}

/* What the record sizes prove (tls13_infer.c): the flights and who ended it. */
static bool infer_tls13(struct session *s)
{
	struct t13_input in;
	struct t13_rec rec[2][LIM_RECORD_LOG];
	if (tls13_handshake_seen(s) || !session_t13_input(s, &in, rec))
		return false;
	t13_infer(&in, &s->t13);
	if (s->t13.pattern == T13_UNKNOWN)
		return false;
	s->handshake_done[SIDE_SERVER] = s->t13.sflight_n > 0;
	s->handshake_done[SIDE_CLIENT] = s->t13.client_finished;
	if (s->t13.client_finished) {
		s->handshake_done_frame = s->t13.cflight_frame;
		s->handshake_done_seq = s->t13.cfin_seq;
	}
	if (s->t13.alert_from >= 0 && (s->t13.pattern == T13_CLIENT_ALERT || s->t13.pattern == T13_SERVER_ALERT)) {
		s->inferred_alert = true;
		s->inferred_alert_from = (uint8_t)s->t13.alert_from;
		s->inferred_alert_frame = s->t13.alert_frame;
	}
	return true;
}

/* TLS 1.3 hides everything after the ServerHello in application_data
 * records; record sizes and the order of closes still tell what happened.
 * When they fit no known pattern (or the handshake was decrypted), only
 * the plain reading is made: a server record means its flight, a client
 * record its Finished. */
static void finish_tls13(struct session *s)
{
	const struct direction *c = &s->dir[SIDE_CLIENT], *sv = &s->dir[SIDE_SERVER];
	if (!s->sh.present)
		return;
	if (infer_tls13(s)) {
		s->t13_inferred = true;
		return;
	}
	s->handshake_done[SIDE_SERVER] = sv->rlog_n > 0;
	if (c->rlog_n == 0)
		return;
	s->handshake_done[SIDE_CLIENT] = true;
	s->handshake_done_frame = c->rlog[0].frame;
	s->handshake_done_seq = c->rlog[0].seq;
}

/* TLS 1.3 read with a key log: the client's close_notify after the server's
 * tickets (a session-ticket fetch), or one the server answers with its own
 * (openssl s_client with stdin at EOF), ends a connection that was not
 * refused; curl's close_notify right after its Finished gets no answer, and
 * after the tickets it resets what the server sends next. */
static bool polite_close13(const struct session *s, const struct alert *a)
{
	const struct direction *c = &s->dir[SIDE_CLIENT];
	if (!s->tls13 || a->from != SIDE_CLIENT || a->encrypted || a->desc != 0)
		return false;
	if (c->rst && c->rst_frame > a->frame)
		return false;   /* it closed the socket at once: curl rejecting the name after the tickets */
	for (uint32_t i = 0; i < s->alerts_n; i++) {
		const struct alert *b = &s->alerts[i];
		if (b->from == SIDE_SERVER && !b->encrypted && b->desc == 0 && b->seq > a->seq)
			return true;
	}
	for (uint32_t k = 0; k < s->timeline_n; k++) {
		const struct msg *m = &s->timeline[k];
		if (m->from == SIDE_SERVER && m->kind == MSG_HANDSHAKE && m->hs_type == 4 && m->frame < a->frame)
			return true;
	}
	return false;
}

/* Completed, then ended by an alert or a close before the client sent any
 * data. (Inferred TLS 1.3 has its own patterns in tls13_infer.c; an opaque
 * TLS 1.3 record count mixes tickets with data, so it is not judged here.) */
static void post_handshake_end(struct session *s)
{
	/* bytes of the client the capture lost may have been its data */
	if (s->dir[SIDE_CLIENT].appdata_records || s->dir[SIDE_CLIENT].unobservable || s->renegotiation ||
	    s->t13_inferred || (s->tls13 && !tls13_handshake_seen(s)))
		return;
	const struct alert *first = NULL;
	for (uint32_t i = 0; i < s->alerts_n && !first; i++)
		if (s->alerts[i].seq > s->handshake_done_seq)
			first = &s->alerts[i];
	if (first && polite_close13(s, first)) {
		return;
	} else if (first) {
		s->rejected_by = first->from;
		s->rejected_frame = first->frame;
		s->rejected_alert = true;
	} else if (s->close_kind == CLOSE_FIN || s->close_kind == CLOSE_RST) {
		const struct direction *d = &s->dir[s->closed_by];
		s->rejected_by = s->closed_by;
		s->rejected_frame = d->rst && (!d->fin || d->rst_frame < d->fin_frame) ? d->rst_frame : d->fin_frame;
	} else {
		return;
	}
	s->rejected_after_handshake = true;
}

/* TLS 1.3: the server judges the client's flight after its own Finished
 * (RFC 8446 4.4.4). A connection over for us without a close (the capture
 * ended, idle, evicted) and with nothing of the server's after the client's
 * Finished, read from sizes or decrypted, has no verdict: not completed. */
static bool tls13_unanswered(const struct session *s)
{
	const struct direction *c = &s->dir[SIDE_CLIENT], *sv = &s->dir[SIDE_SERVER];
	if (!s->tls13 || s->close_kind == CLOSE_NONE || c->fin || c->rst || sv->fin || sv->rst)
		return false;
	if (s->t13_inferred)
		return s->t13.pattern == T13_OPEN && !s->t13.answered;
	if (!s->keys.dir[SIDE_CLIENT].decrypted || !c->finished || sv->rlog_n == LIM_RECORD_LOG)
		return false;
	for (uint32_t i = 0; i < sv->rlog_n; i++)
		if (sv->rlog[i].seq > c->finished_seq)
			return false;
	return true;
}

bool session_beyond_rejection(const struct session *s)
{
	const struct direction *c = &s->dir[SIDE_CLIENT], *sv = &s->dir[SIDE_SERVER];
	if (s->tls13 && !s->t13_inferred && !tls13_handshake_seen(s))
		return false;   /* opaque records whose sizes fit no pattern yet: wait for the close */
	if (s->t13_inferred && s->t13.pattern != T13_COMPLETED)
		return false;
	uint64_t capp = s->t13_inferred ? s->t13.app[SIDE_CLIENT] : c->appdata_records;
	uint64_t sapp = s->t13_inferred ? s->t13.app[SIDE_SERVER] : sv->appdata_records;
	bool big = !s->tls13 && sv->appdata_bytes > 4096;   /* TLS 1.3's count the handshake's bytes too */
	return capp >= 2 || (capp >= 1 && (sapp > 3 || big));
}

bool session_handshake_over(struct session *s)
{
	session_finish(s);
	if (s->outcome == OUTCOME_NOT_TLS && s->starttls.requested && s->starttls.answer != STLS_REFUSED)
		return false;   /* clear text so far, but the upgrade may still begin */
	return s->outcome == OUTCOME_COMPLETED || s->outcome == OUTCOME_FAILED || s->outcome == OUTCOME_NOT_TLS;
}

/* Decrypted, the client's flight leaves no opaque record: its Finished is in
 * the timeline, and anything the server said after it (a ticket, data, an
 * alert) is the answer. */
static bool decrypted_answer_due(const struct session *s, struct ts *since)
{
	const struct msg *fin = NULL;
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		if (!fin && m->from == SIDE_CLIENT && m->kind == MSG_HANDSHAKE && m->hs_type == HS_FINISHED)
			fin = m;
		else if (fin && m->from == SIDE_SERVER)
			return false;
	}
	if (!fin)
		return false;
	*since = fin->time;
	return true;
}

bool session_server_answer_due(const struct session *s, struct ts *since)
{
	const struct direction *cl = &s->dir[SIDE_CLIENT], *sv = &s->dir[SIDE_SERVER];
	/* decrypted, a client that closes right after its Finished makes the
	 * outcome failed at once; the server's verdict on that flight (its
	 * certificate_required) is still on its way */
	bool flight_went = s->outcome == OUTCOME_COMPLETED || (s->outcome == OUTCOME_FAILED && cl->finished);
	if (!s->tls13 || !flight_went)
		return false;
	if (!cl->rlog_n)
		return cl->finished && decrypted_answer_due(s, since);
	uint64_t flight = cl->rlog[0].frame;
	/* A record larger than an alert (2 bytes, inner type, a 16-byte tag:
	 * 19) answered; one of an alert's size may be the rejection, which
	 * the close right after it proves: wait for that. */
	for (uint32_t i = 0; i < sv->rlog_n; i++)
		if (sv->rlog[i].frame > flight && sv->rlog[i].len > 19)
			return false;
	if (sv->rlog_n == LIM_RECORD_LOG && sv->appdata_last_frame > flight)
		return false;   /* beyond the log: it spoke at length */
	*since = cl->rlog[0].time;
	return true;
}

/* TLS 1.3 with keys: a server checks the client's certificate and Finished
 * after its own Finished (RFC 8446 §4.4.4), so a fatal alert it sends before
 * any ticket or data of its own rejects the handshake (certificate_required,
 * bad_certificate ...) even though both Finished went by. */
static bool server_rejected13(const struct session *s)
{
	if (!s->keys.dir[SIDE_SERVER].decrypted)
		return false;
	for (uint32_t i = 0; i < s->alerts_n; i++) {
		const struct alert *a = &s->alerts[i];
		if (a->from != SIDE_SERVER || a->encrypted || a->level != 2)
			continue;
		bool spoke = s->dir[SIDE_SERVER].appdata_records && s->dir[SIDE_SERVER].appdata_first_frame < a->frame;
		for (uint32_t k = 0; k < s->timeline_n && !spoke; k++) {
			const struct msg *m = &s->timeline[k];
			spoke = m->from == SIDE_SERVER && m->kind == MSG_HANDSHAKE && m->hs_type == 4 && m->frame < a->frame;
		}
		return !spoke;
	}
	return false;
}

/* A direction whose handshake a key log opened: its Finished is known, not
 * inferred from record sizes, and its alerts are read, not guessed. */
static void finish_decrypted13(struct session *s)
{
	uint32_t done_seq = 0;
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		if (!s->keys.dir[side].decrypted)
			continue;
		s->handshake_done[side] = d->finished;
		if (d->finished && d->finished_seq >= done_seq) {
			done_seq = d->finished_seq;
			s->handshake_done_frame = d->finished_frame;
			s->handshake_done_seq = d->finished_seq;
		}
		if (s->inferred_alert && s->inferred_alert_from == side)
			s->inferred_alert = false;
	}
}

bool session_one_way(const struct session *s)
{
	return (s->dir[SIDE_CLIENT].packets == 0) != (s->dir[SIDE_SERVER].packets == 0);
}

bool session_alert_unjudged(const struct session *s, const struct alert *a)
{
	return a->encrypted && session_one_way(s) && s->handshake_done[a->from];
}

static void finish_tls12(struct session *s)
{
	for (int side = 0; side < 2; side++) {
		const struct direction *d = &s->dir[side];
		if ((d->ccs || d->ccs_inferred) && (d->enc_handshake_records > 0 || d->finished)) {
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
	s->t13_inferred = false;
	memset(&s->t13, 0, sizeof s->t13);
	s->rejected_after_handshake = false;

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
	if (s->tls13 && s->decrypted)
		finish_decrypted13(s);

	bool done = s->handshake_done[0] && s->handshake_done[1];
	/* A fatal (or encrypted) alert before the handshake finished ends it;
	 * a warning alert does not by itself (unrecognized_name, no_certificate). */
	for (uint32_t i = 0; i < s->alerts_n; i++) {
		const struct alert *a = &s->alerts[i];
		bool before = !done || a->seq <= s->handshake_done_seq;
		if (session_alert_unjudged(s, a))
			continue;
		if (before && (a->encrypted || a->level == 2)) {
			s->outcome = OUTCOME_FAILED;
			return;
		}
	}
	if (s->inferred_alert || (s->t13_inferred && s->t13.failed) ||
	    (s->tls13 && s->decrypted && server_rejected13(s))) {
		s->outcome = OUTCOME_FAILED;
		return;
	}
	if (done && tls13_unanswered(s)) {
		s->outcome = OUTCOME_INCOMPLETE;
		return;
	}
	if (done) {
		post_handshake_end(s);
		s->outcome = s->rejected_after_handshake ? OUTCOME_FAILED : OUTCOME_COMPLETED;
		return;
	}
	/* No handshake in the capture, but data flowed both ways: it had
	 * completed before the capture started. */
	if (!s->ch.present && !s->sh.present && c->appdata_records && sv->appdata_records) {
		s->outcome = OUTCOME_COMPLETED;
		return;
	}
	bool lost = c->unobservable || sv->unobservable || session_one_way(s);
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
