/* tls_service.c - is a server a TLS service (tls_service.h)? */
#include "tls_service.h"

#include <string.h>

#include "session.h"

bool tls_service_port(uint16_t p)
{
	switch (p) {
	case 261: case 443: case 448: case 465: case 563: case 585: case 614: case 636: case 684:
	case 695: case 853: case 989: case 990: case 992: case 993: case 994: case 995: case 2376:
	case 3269: case 4433: case 5061: case 5223: case 5671: case 5986: case 6443: case 6514:
	case 6697: case 8443: case 8883: case 9443: case 10443:
		return true;
	default:
		return false;
	}
}

static uint64_t endpoint_hash(uint8_t af, const uint8_t *ip, uint16_t port)
{
	uint64_t h = 0xcbf29ce484222325ull ^ af;
	for (int i = 0; i < 16; i++) {
		h ^= ip[i];
		h *= 0x100000001b3ull;
	}
	h ^= port;
	h *= 0x100000001b3ull;
	return h ? h : 1;
}

void tls_service_remember(struct tls_services *k, const struct session *s)
{
	if (s->dir[SIDE_SERVER].not_tls)
		return;   /* upgraded from clear text (STARTTLS): its port speaks plain text too */
	uint64_t h = endpoint_hash(s->af, s->server_ip, s->server_port);
	k->known[h & (TLS_SERVICE_KNOWN - 1)] = h;
}

static bool known_server(const struct tls_services *k, const struct session *s)
{
	uint64_t h = endpoint_hash(s->af, s->server_ip, s->server_port);
	return k->known[h & (TLS_SERVICE_KNOWN - 1)] == h;
}

static bool listed_port(const uint16_t *ports, size_t n_ports, uint16_t port)
{
	for (size_t i = 0; i < n_ports; i++)
		if (ports[i] == port)
			return true;
	return false;
}

/* The client's first bytes are an HTTP request. */
static bool http_request(const struct direction *d)
{
	static const char *const methods[] = { "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH " };
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		size_t n = strlen(methods[i]);
		if (d->prefix_len >= n && !memcmp(d->prefix, methods[i], n))
			return true;
	}
	return false;
}

const char *tls_service_why(const struct tls_services *k, const uint16_t *ports, size_t n_ports,
			    const struct session *s)
{
	const struct direction *c = &s->dir[SIDE_CLIENT], *sv = &s->dir[SIDE_SERVER];
	if (c->spoke_tls || sv->spoke_tls)
		return sv->spoke_tls && !c->spoke_tls ? "it answered in TLS records" : "the other side spoke TLS";
	if (s->starttls.requested)
		return "the client asked to start TLS";
	if (listed_port(ports, n_ports, s->server_port))
		return "--tls-port names its port";
	if (known_server(k, s))
		return "other connections to it speak TLS";
	if (sv->not_tls && sv->names_tls && sv->prefix_len >= 10 && !memcmp(sv->prefix, "HTTP/1.", 7) && sv->prefix[9] == '4')
		return "its HTTP error names HTTPS, SSL or TLS";
	if (c->not_tls && http_request(c) && sv->payload_bytes == 0 && (sv->fin || sv->rst))
		return "it closed without a word on a plain HTTP request, as TLS servers do";
	if (tls_service_port(s->server_port))
		return "its port is registered for TLS";
	return NULL;
}
