/* conn.c - one TCP connection as the analyzer tracks it: its roles, its waiting lists, its TCP facts. */
#include "conn.h"

#include <string.h>

#include "tls_record.h"
#include "tls_service.h"

int conn_side(const struct conn *c, int ep)
{
	return ep == c->client_ep ? SIDE_CLIENT : SIDE_SERVER;
}

/* Without a SYN: a hello at the start of the bytes tells the roles, else
 * the TLS service port or the lower port is taken as the server's. */
void conn_decide_roles(struct conn *c, int ep, const uint8_t *p, uint32_t n)
{
	if (c->client_ep >= 0)
		return;
	int sender = tls_rec_hello_sender(p, n);
	if (sender >= 0) {
		c->client_ep = sender == SIDE_CLIENT ? ep : 1 - ep;
		return;
	}
	uint16_t p0 = c->flow->key.port[0], p1 = c->flow->key.port[1];
	c->roles_guessed = true;
	if (tls_service_port(p0) != tls_service_port(p1))
		c->client_ep = tls_service_port(p0) ? 1 : 0;
	else
		c->client_ep = p0 < p1 ? 1 : 0;
}

void conn_list_append(struct conn_list *l, int k, struct conn *c)
{
	c->prev[k] = l->tail;
	c->next[k] = NULL;
	if (l->tail)
		l->tail->next[k] = c;
	else
		l->head = c;
	l->tail = c;
}

void conn_list_unlink(struct conn_list *l, int k, struct conn *c)
{
	if (c->prev[k])
		c->prev[k]->next[k] = c->next[k];
	else
		l->head = c->next[k];
	if (c->next[k])
		c->next[k]->prev[k] = c->prev[k];
	else
		l->tail = c->prev[k];
	c->prev[k] = c->next[k] = NULL;
}

void conn_tcp_facts(const struct conn *c, struct session *s, const char *file, int ts_digits, int close_kind,
		    uint64_t frame)
{
	const struct flow_key *k = &c->flow->key;
	int ce = c->client_ep, se = 1 - ce;
	s->file = file;
	s->stream = c->flow->stream;
	s->af = k->af;
	memcpy(s->client_ip, k->addr[ce], 16);
	memcpy(s->server_ip, k->addr[se], 16);
	s->client_port = k->port[ce];
	s->server_port = k->port[se];
	s->roles_guessed = c->roles_guessed;
	s->first_frame = c->first_frame;
	s->last_frame = c->last_frame;
	s->start_time = c->first_time;
	s->end_time = c->last_time;
	s->ts_prec = (uint8_t)ts_digits;
	s->close_kind = (uint8_t)close_kind;
	s->close_frame = frame;
	for (int e = 0; e < 2; e++) {
		struct direction *d = &s->dir[conn_side(c, e)];
		d->packets = c->ep[e].packets;
		d->payload_bytes = c->ep[e].bytes;
		d->syn = c->ep[e].syn;
		d->fin = c->ep[e].fin;
		d->rst = c->ep[e].rst;
		d->fin_frame = c->ep[e].fin_frame;
		d->rst_frame = c->ep[e].rst_frame;
		d->close_time = c->ep[e].close_time;
	}
	if (close_kind == CLOSE_RST)
		s->closed_by = (uint8_t)conn_side(c, c->ep[0].rst ? 0 : 1);
	else if (close_kind == CLOSE_FIN && c->first_fin_ep >= 0)
		s->closed_by = (uint8_t)conn_side(c, c->first_fin_ep);
	/* the frame of the named side's own FIN or RST, not of the close that completed it */
	if (close_kind == CLOSE_FIN || close_kind == CLOSE_RST) {
		const struct direction *d = &s->dir[s->closed_by];
		uint64_t own = close_kind == CLOSE_RST ? d->rst_frame : d->fin_frame;
		if (own)
			s->close_frame = own;
	}
}
