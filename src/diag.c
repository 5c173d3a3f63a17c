/* diag.c - what the rules share: the context of one diagnosis, peer naming, and the finding builder. */
#include "diag.h"

#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "tls_handshake.h"   /* the message type names */

struct finding *draft_add(struct draft *t, struct finding_list *out, const char *id, int severity, int side)
{
	struct finding *f = finding_list_add(out, id, severity, side, t->sum.p, t->cause.p, t->fix.p);
	draft_free(t);
	return f;
}

void draft_free(struct draft *t)
{
	sb_free(&t->sum);
	sb_free(&t->cause);
	sb_free(&t->fix);
	*t = (struct draft)DRAFT;   /* empty, and still words */
}

const struct chain *diag_chain(const struct session *s, int side)
{
	return side == SIDE_SERVER ? &s->server_chain : &s->client_chain;
}

static void load_chain(struct diag *c, int side)
{
	const struct chain *ch = diag_chain(c->s, side);
	c->n[side] = 0;
	c->have_chain[side] = false;
	if (ch->state != CHAIN_SEEN || ch->n == 0)
		return;
	/* a chain from a renegotiation or resumption is not judged twice */
	for (uint32_t i = 0; i < ch->n; i++)
		c->certs[side][c->n[side]++] = ch->certs[i].x509;
	chain_shape_of(c->certs[side], c->n[side], &c->shape[side]);
	/* The first entry is the sender's own certificate (RFC 8446 §4.4.2): when it does not
	 * parse, which one is the leaf cannot be told, and no finding rests on a guess (the
	 * x509.parse_error event says what was sent). */
	c->have_chain[side] = c->shape[side].leaf >= 0 && c->certs[side][0]->x &&
			      diag_observable_until(c->s, side, ch->frame);
}

void diag_init(struct diag *c, const struct session *s, const struct diag_opts *o, struct finding_list *out)
{
	memset(c, 0, sizeof *c);
	c->s = s;
	c->o = o;
	c->out = out;
	load_chain(c, SIDE_SERVER);
	load_chain(c, SIDE_CLIENT);
}

const char *diag_peer(struct diag *c, int side)
{
	char *buf = c->peer_buf[side];
	if (buf[0])
		return buf;
	const struct session *s = c->s;
	_Static_assert(sizeof c->peer_buf[0] >= 7 + FMT_ADDR_LEN, "room for the word and the endpoint");
	/* (the word copied, the endpoint formatted after it: snprintf showed in profiles) */
	if (side == SIDE_CLIENT) {
		memcpy(buf, "Client ", 7);
		fmt_ip(buf + 7, FMT_ADDR_LEN, s->af, s->client_ip);
	} else {
		memcpy(buf, "Server ", 7);
		fmt_endpoint(buf + 7, FMT_ADDR_LEN, s->af, s->server_ip, s->server_port);
	}
	return buf;
}

bool diag_observable_until(const struct session *s, int side, uint64_t frame)
{
	const struct direction *d = &s->dir[side];
	return !d->unobservable || d->unobservable_frame > frame;
}

bool diag_handshake_done(const struct session *s)
{
	return s->handshake_done[SIDE_CLIENT] && s->handshake_done[SIDE_SERVER];
}

/* (close_frame is the closing side's own FIN or RST, else where the analysis ended.) */
uint64_t diag_own_close_frame(const struct session *s, int side)
{
	const struct direction *d = &s->dir[side];
	if (d->rst)
		return d->rst_frame;
	if (d->fin)
		return d->fin_frame;
	return s->close_frame;
}

bool diag_has_finding(const struct finding_list *l, const char *id, int side)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id) && (side < 0 || l->v[i].side == side))
			return true;
	return false;
}

/* A verification failure is chain-untrusted's only when nothing names its
 * cause: a missing intermediate, a CA the server does not list, a purpose,
 * a self-signed leaf, or an expired, not yet valid or weak certificate the
 * peer rejected. */
bool diag_chain_explained(const struct finding_list *l, int side)
{
	static const char *const any[] = { "server-chain-incomplete", "client-cert-issuer-not-requested",
					   "client-cert-unsuitable", "cert-self-signed" };
	static const char *const errors[] = { "cert-expired", "cert-not-yet-valid", "weak-signature", "weak-key" };
	for (uint32_t i = 0; i < l->n; i++) {
		const struct finding *f = &l->v[i];
		if (f->side != side)
			continue;
		for (size_t k = 0; k < sizeof any / sizeof any[0]; k++)
			if (!strcmp(f->id, any[k]))
				return true;
		for (size_t k = 0; k < sizeof errors / sizeof errors[0]; k++)
			if (f->severity == SEV_ERROR && !strcmp(f->id, errors[k]))
				return true;
	}
	return false;
}

bool diag_server_hello_lost(const struct session *s, uint64_t frame)
{
	if (s->sh.present)
		return false;
	if (!diag_observable_until(s, SIDE_SERVER, frame))
		return true;
	for (uint32_t i = 0; i < s->timeline_n; i++) {
		const struct msg *m = &s->timeline[i];
		if (m->from == SIDE_CLIENT && (m->kind == MSG_CCS || (m->kind == MSG_HANDSHAKE && (m->hs_type == HS_CERTIFICATE || m->hs_type == HS_CLIENT_KEY_EXCHANGE))))
			return true;
	}
	return false;
}

const char *diag_plural(int64_t n)
{
	return n == 1 ? "" : "s";
}
