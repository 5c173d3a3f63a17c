/* diag_chain.h - the chain checks a capture and --check-bundle share: shape, validity, names, trust, strength.
 *
 * Each check reads certificate facts (a chain_view) and appends at most a
 * few findings. The same check words its findings for where the chain was
 * seen: a Certificate message (frames, the peer that sent it, the other
 * side's abort) or a bundle file (certificate and line numbers).
 */
#ifndef TLSDIAG_DIAG_CHAIN_H
#define TLSDIAG_DIAG_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "certcheck.h"
#include "diagnose.h"
#include "session.h"
#include "strbuf.h"
#include "x509.h"

struct diag;

/* One chain to judge. */
struct chain_view {
	int side;                          /* whose chain (a bundle's: SIDE_SERVER) */
	struct x509_cert *const *certs;    /* as sent, or in file order */
	int n;
	const struct chain_shape *sh;      /* how they hang together (sh->leaf >= 0) */
	bool has_leaf;                     /* sh->leaf is an end-entity certificate, not a CA taken for one */
	struct x509_cert *const *vcerts;   /* as a verifier receives them: the first is taken as the leaf */
	int vn;
	int64_t at;                        /* validity is judged at this time */
	const struct diag_opts *o;
	/* seen in a capture: the diagnosis and the Certificate message's frame ... */
	struct diag *c;                    /* NULL: a bundle */
	uint64_t frame;
	/* ... or in a bundle file */
	const uint32_t *line;              /* line of each certificate in the file (0: not known) */
	bool file_problems;                /* blocks of the file could not be read */
};

/* "certificate 1, line 23" (the line when known): what a user finds in the file */
void chain_file_ref(struct strbuf *b, const struct chain_view *v, int i);

/* "[0] CN=a (line 1), [1] CN=b (line 30)" */
void chain_cert_list(struct strbuf *b, const struct chain_view *v);

/* The shape of the chain (need a leaf). */
void chain_check_incomplete(const struct chain_view *v, struct finding_list *out);
void chain_check_order(const struct chain_view *v, struct finding_list *out);
void chain_check_extra(const struct chain_view *v, struct finding_list *out);
void chain_check_root_sent(const struct chain_view *v, struct finding_list *out);

/* Each certificate: cert-expired, cert-not-yet-valid, cert-expires-soon;
 * weak-signature, weak-key. */
void chain_check_validity(const struct chain_view *v, struct finding_list *out);
void chain_check_weak(const struct chain_view *v, struct finding_list *out);

/* The leaf (need a leaf). hostname: the name the client uses; sni_frame:
 * the ClientHello that sent it as SNI, 0 when it was given with --hostname. */
void chain_check_self_signed(const struct chain_view *v, struct finding_list *out);
void chain_check_hostname(const struct chain_view *v, const char *hostname, uint64_t sni_frame,
			  struct finding_list *out);
void chain_check_no_san(const struct chain_view *v, struct finding_list *out);

/* Verification against the trust store, when no finding before it in out
 * names a more specific cause. */
void chain_check_untrusted(const struct chain_view *v, struct finding_list *out);

#endif
