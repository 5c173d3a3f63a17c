/* redact.h - --redact: consistent pseudonyms for addresses and names in reports. */
#ifndef TLSDIAG_REDACT_H
#define TLSDIAG_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The same real value always gets the same pseudonym within a run, so a
 * redacted report still shows which connections share a server or a name.
 * Addresses become 198.18.0.0/15 (RFC 2544 benchmarking) and 2001:db8::/32
 * (documentation) addresses; names keep their shape: each DNS label and each
 * attribute value of a distinguished name is replaced ("CN=n3,O=n4",
 * "*.n1.n2"), so a wildcard or a matching SAN is still visible.
 */
void redact_enable(bool addresses, bool names);
bool redact_addresses(void);
bool redact_names(void);

/* The pseudonym of an address (af 4 or 6, 16 bytes, IPv4 in the first 4). */
void redact_address(uint8_t af, const uint8_t *in, uint8_t *out);

/* A host name (SNI, SAN DNS entry, CN), label by label, into a mem_alloc'd string. */
char *redact_hostname(const char *name, size_t len);

/* An RFC 4514 distinguished name: attribute types kept, values replaced. */
char *redact_dn(const char *dn);

void redact_free(void);

#endif
