/* tls_service.h - is a server a TLS service? The evidence on which a
 * connection that did not speak TLS is still reported (someone spoke the
 * wrong protocol to a TLS server), and the ports that tell the roles of a
 * connection seen without its SYN.
 */
#ifndef TLSDIAG_TLS_SERVICE_H
#define TLSDIAG_TLS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct session;

#define TLS_SERVICE_KNOWN 4096u   /* TLS server endpoints remembered (power of two) */

/* Endpoints seen serving TLS, a cache (collisions overwrite); all zero: none. */
struct tls_services {
	uint64_t known[TLS_SERVICE_KNOWN];
};

/* The port is registered for TLS (IANA TLS service ports and common alternatives). */
bool tls_service_port(uint16_t port);
/* s's server spoke TLS: other connections to it are judged with that in mind. */
void tls_service_remember(struct tls_services *k, const struct session *s);
/* Why s's server is a TLS service although s did not speak TLS, or NULL;
 * ports: the ones --tls-port names. */
const char *tls_service_why(const struct tls_services *k, const uint16_t *ports, size_t n_ports,
			    const struct session *s);

#endif
