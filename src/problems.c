/* problems.c - grouping connections with errors (then warnings) into problems, titled in the playbooks' words. */
#include "problems.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "clockskew.h"
#include "diagnose.h"
#include "fmt.h"
#include "mem.h"
#include "x509.h"

/* ---- distinct values: an open-addressing set of 64-bit hashes, capped ---- */

struct problem_counter {
	uint64_t *slot;           /* 0 = empty (a hash of 0 is stored as 1) */
	uint32_t cap, n;
	bool full;
};

static void counter_grow(struct problem_counter *c)
{
	uint32_t ncap = c->cap ? c->cap * 2 : 64;
	uint64_t *ns = mem_alloc(ncap * sizeof *ns);
	for (uint32_t i = 0; i < c->cap; i++) {
		if (!c->slot[i])
			continue;
		uint32_t k = (uint32_t)c->slot[i] & (ncap - 1);
		while (ns[k])
			k = (k + 1) & (ncap - 1);
		ns[k] = c->slot[i];
	}
	mem_free(c->slot);
	c->slot = ns;
	c->cap = ncap;
}

static void counter_add(struct problem_counter *c, uint64_t h)
{
	h = h ? h : 1;
	if (c->full)
		return;
	if ((c->n + 1) * 2 > c->cap) {
		if (c->n >= PROBLEM_SET_MAX) {
			c->full = true;   /* counted so far: "at least" */
			return;
		}
		counter_grow(c);
	}
	uint32_t k = (uint32_t)h & (c->cap - 1);
	while (c->slot[k]) {
		if (c->slot[k] == h)
			return;
		k = (k + 1) & (c->cap - 1);
	}
	c->slot[k] = h;
	c->n++;
}

static void counter_free(struct problem_counter *c)
{
	if (c)
		mem_free(c->slot);
	mem_free(c);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}
#define FNV0 0xcbf29ce484222325ull

/* ---- the set ---- */

struct problem_set {
	struct problem *v[PROBLEMS_MAX + 2];   /* + a catch-all per severity */
	uint32_t n;
	struct problem *catch_all[2];          /* [0] warnings, [1] errors */
	uint32_t next_id;
	const char *server_store;              /* problems_set_store */
};

struct problem_set *problems_new(void)
{
	return mem_alloc(sizeof(struct problem_set));
}

void problems_set_store(struct problem_set *ps, const char *words)
{
	ps->server_store = words;
}

static void problem_free(struct problem *p)
{
	for (uint32_t i = 0; i < p->n_files; i++)
		mem_free(p->files[i].streams);
	mem_free(p->files);
	mem_free(p->story);
	counter_free(p->c_clients);
	counter_free(p->c_servers);
	counter_free(p->c_snis);
	mem_free(p);
}

void problems_free(struct problem_set *ps)
{
	if (!ps)
		return;
	for (uint32_t i = 0; i < ps->n; i++)
		problem_free(ps->v[i]);
	mem_free(ps);
}

/* The ids at the problem's severity, in catalogue order (so the same set
 * always reads the same). */
static uint32_t finding_ids(const struct session *s, int sev, const char **ids)
{
	size_t n_cat;
	uint32_t n = 0, m = 0;
	for (uint32_t i = 0; i < s->findings.n; i++)
		m += s->findings.v[i].severity == sev;
	if (!m)   /* most connections: nothing of this severity, no scan of the catalogue */
		return 0;
	const struct rule_info *cat = diagnose_catalogue(&n_cat);
	for (size_t k = 0; k < n_cat && n < PROBLEM_IDS; k++)
		for (uint32_t i = 0; i < s->findings.n; i++)
			if (s->findings.v[i].severity == sev && strcmp(s->findings.v[i].id, cat[k].id) == 0) {
				ids[n++] = cat[k].id;
				break;
			}
	return n;
}

static bool has_id(const char *const *ids, uint32_t n, const char *id)
{
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/* The alert that ended the handshake: a fatal one, or an encrypted one of
 * a handshake that failed (after a completed one it is mostly close_notify). */
static const struct alert *first_fatal_alert(const struct session *s)
{
	for (uint32_t i = 0; i < s->alerts_n; i++)
		if ((s->alerts[i].encrypted && s->outcome == OUTCOME_FAILED) ||
		    (!s->alerts[i].encrypted && s->alerts[i].level == 2))
			return &s->alerts[i];
	return NULL;
}

static const struct x509_cert *leaf(const struct chain *c)
{
	return c->state == CHAIN_SEEN && c->n && c->certs[0].x509 ? c->certs[0].x509 : NULL;
}

static bool versions_matter(const struct session *s, const char *const *ids, uint32_t n)
{
	const struct alert *a = first_fatal_alert(s);
	return has_id(ids, n, "version-or-cipher-mismatch") || has_id(ids, n, "deprecated-version") ||
	       (a && !a->encrypted && a->desc == 70);
}

/* Where the parent domain of a name starts: "a.b.example" -> "b.example"
 * (0: a name of two labels or fewer). Names under one parent served
 * without a certificate seen (TLS 1.3, no ServerHello) are one server:
 * the SNI of tenants or services varies where the service does not. */
static size_t sni_parent(const char *sni, size_t n)
{
	const char *dot = memchr(sni, '.', n);
	if (!dot || !memchr(dot + 1, '.', n - (size_t)(dot + 1 - sni)))
		return 0;
	return (size_t)(dot - sni);   /* keeps the dot: ".b.example" */
}

static void digest_str(EVP_MD_CTX *md, char tag, const void *p, size_t n)
{
	uint32_t len = (uint32_t)n;
	EVP_DigestUpdate(md, &tag, 1);
	EVP_DigestUpdate(md, &len, sizeof len);
	EVP_DigestUpdate(md, p, n);
}

/* Which facts a finding speaks to, hence which of them tell its problems
 * apart: a fact that no finding of a problem speaks to would split one
 * cause into problems that read the same (eight "chain does not verify"
 * problems that differed only in the CertificateRequest of mTLS servers,
 * or in whether the root was sent along). */
enum {
	F_CLIENT_CERT = 1,     /* the CA list asked for, the client certificate's issuer */
	F_SERVER_CHAIN = 2,    /* the server's chain as sent, certificate by certificate */
	F_UNTRUSTED = 4,       /* where the server's chain ends: chain-untrusted */
};

#define F_OF_CHAIN 0x80    /* of the finding's side's chain: server -> F_SERVER_CHAIN, client -> F_CLIENT_CERT */

static const struct {
	const char *id;
	uint8_t facts;
} fact_table[] = {
	{ "client-cert-empty", F_CLIENT_CERT },
	{ "client-cert-missing", F_CLIENT_CERT },
	{ "client-cert-issuer-not-requested", F_CLIENT_CERT },
	{ "client-cert-unsuitable", F_CLIENT_CERT },
	{ "client-cert-empty-inferred", F_CLIENT_CERT },
	{ "server-chain-incomplete", F_SERVER_CHAIN },
	{ "hostname-mismatch", F_SERVER_CHAIN },
	{ "cert-no-san", F_SERVER_CHAIN },
	{ "chain-order", F_OF_CHAIN },
	{ "chain-extra-cert", F_OF_CHAIN },
	{ "chain-root-sent", F_OF_CHAIN },
	{ "cert-expired", F_OF_CHAIN },
	{ "cert-not-yet-valid", F_OF_CHAIN },
	{ "cert-expires-soon", F_OF_CHAIN },
	{ "cert-self-signed", F_OF_CHAIN },
	{ "weak-signature", F_OF_CHAIN },
	{ "weak-key", F_OF_CHAIN },
	/* the server's: where its chain ends; the client's: its issuer says */
	{ "chain-untrusted", F_OF_CHAIN | F_UNTRUSTED },
	/* a failure nothing more specific explains: any of it may be the cause */
	{ "alert", F_CLIENT_CERT | F_SERVER_CHAIN },
	{ "handshake-aborted", F_CLIENT_CERT | F_SERVER_CHAIN },
	{ "tls13-encrypted-failure", F_CLIENT_CERT | F_SERVER_CHAIN },
	{ "rejected-after-handshake", F_CLIENT_CERT | F_SERVER_CHAIN },
};

static uint8_t problem_facts(const struct session *s, int sev)
{
	uint8_t facts = 0;
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		if (f->severity != sev)
			continue;
		for (size_t k = 0; k < sizeof fact_table / sizeof fact_table[0]; k++) {
			if (strcmp(f->id, fact_table[k].id) != 0)
				continue;
			uint8_t t = fact_table[k].facts;
			if (t & F_OF_CHAIN) {
				t &= (uint8_t)~F_OF_CHAIN;
				if (f->side == SIDE_CLIENT)
					t = (uint8_t)((t & ~F_UNTRUSTED) | F_CLIENT_CERT);
				else if (!(t & F_UNTRUSTED))
					t |= F_SERVER_CHAIN;
			}
			facts |= t;
			break;
		}
	}
	return facts;
}

/* Where a chain as sent ends: its last certificate's subject when that one
 * issued itself (a root sent along), else its issuer, the CA the verifier
 * must hold. NULL when the chain was not all kept or not all read. */
static const char *chain_end(const struct chain *c)
{
	if (c->state != CHAIN_SEEN || !c->n || c->count != c->n)
		return NULL;
	const struct x509_cert *top = c->certs[c->n - 1].x509;
	if (!top)
		return NULL;
	return top->self_issued ? top->subject : top->issuer;
}

/* Is a problem of the server's untrusted chain told apart by where the
 * chain ends rather than certificate by certificate? When nothing else of
 * it speaks to the chain: leaves of one name under one root (an RSA and an
 * ECDSA certificate, a rotated key, with or without the root sent) fail
 * for one reason and are fixed by one change, importing that root. */
static bool by_chain_end(const struct session *s, uint8_t facts)
{
	const struct x509_cert *sl = leaf(&s->server_chain);
	return (facts & F_UNTRUSTED) && !(facts & F_SERVER_CHAIN) && sl && sl->subject && chain_end(&s->server_chain);
}

/* What makes two connections the same problem, as one SHA-256. */
static void problem_key(const struct session *s, int sev, const char *const *ids, uint32_t n, uint8_t out[32])
{
	uint8_t facts = problem_facts(s, sev);
	bool by_end = by_chain_end(s, facts);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int olen = 0;
	memset(out, 0, 32);
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return;
	}
	uint8_t sv = (uint8_t)sev;
	digest_str(md, 'v', &sv, 1);
	for (uint32_t i = 0; i < n; i++)
		digest_str(md, 'i', ids[i], strlen(ids[i]));
	/* the server: its certificate, else its name, else its address */
	const struct x509_cert *sl = leaf(&s->server_chain);
	if (sl && by_end)
		digest_str(md, 'N', sl->subject, strlen(sl->subject));
	else if (sl)
		digest_str(md, 'C', sl->sha256, sizeof sl->sha256);
	else if (s->ch.has_sni) {
		size_t skip = sni_parent(s->ch.sni, s->ch.sni_len);
		digest_str(md, 'S', s->ch.sni + skip, s->ch.sni_len - skip);
	} else {
		digest_str(md, 'A', s->server_ip, sizeof s->server_ip);
		digest_str(md, 'P', &s->server_port, sizeof s->server_port);
	}
	if (by_end) {
		const char *end = chain_end(&s->server_chain);
		digest_str(md, 'T', end, strlen(end));
	} else if (facts & F_SERVER_CHAIN) {
		for (uint32_t i = 0; s->server_chain.state == CHAIN_SEEN && i < s->server_chain.n; i++)
			if (s->server_chain.certs[i].x509)
				digest_str(md, 'c', s->server_chain.certs[i].x509->sha256, 32);
	}
	if (facts & F_CLIENT_CERT) {
		if (s->cr.present)
			digest_str(md, 'R', s->cr.dn_bytes ? s->cr.dn_bytes : (const uint8_t *)"", s->cr.dn_bytes_len);
		const struct x509_cert *cl = leaf(&s->client_chain);
		if (cl && cl->issuer)
			digest_str(md, 'I', cl->issuer, strlen(cl->issuer));
		else if (s->client_chain.state == CHAIN_SEEN && s->client_chain.count == 0)
			digest_str(md, 'E', "", 0);
	}
	const struct alert *a = first_fatal_alert(s);
	if (a) {
		uint8_t al[3] = { a->from, a->encrypted, a->encrypted ? 0 : a->desc };
		digest_str(md, 'a', al, sizeof al);
	} else if (s->inferred_alert && s->outcome == OUTCOME_FAILED) {
		digest_str(md, 'n', &s->inferred_alert_from, 1);
	}
	if (versions_matter(s, ids, n)) {
		uint16_t v[2] = { s->ch.max_version, s->sh.present ? s->sh.version : 0 };
		digest_str(md, 'V', v, sizeof v);
	}
	EVP_DigestFinal_ex(md, out, &olen);
	EVP_MD_CTX_free(md);
}

/* A label for a title: what could upset a terminal or a table becomes '?'. */
static void label(char *dst, size_t cap, const char *src, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[k++] = ch >= 0x20 && ch != 0x7f ? (char)ch : '?';
	}
	dst[k] = '\0';
}

static void ca_list_label(struct problem *p, const struct cert_request *cr)
{
	if (!cr->present)
		return;
	if (cr->dn_count == 0) {
		snprintf(p->ca_list, sizeof p->ca_list, "any CA (empty list)");
		return;
	}
	const struct dn_list *dl = x509_dn_list(cr->dn_bytes, cr->dn_bytes_len, cr->dn_off, cr->dn_len, cr->dn_count);
	const char *first = dl && dl->text[0] ? dl->text[0] : "an unparsable name";
	char one[160];
	label(one, sizeof one, first, strlen(first));
	if (cr->dn_count == 1)
		snprintf(p->ca_list, sizeof p->ca_list, "%s", one);
	else
		snprintf(p->ca_list, sizeof p->ca_list, "%s and %" PRIu32 " more CA%s", one, cr->dn_count - 1,
			 cr->dn_count == 2 ? "" : "s");
}

/* The facts its title is made of, from its first connection. */
static void first_facts(struct problem *p, const struct session *s)
{
	fmt_endpoint(p->server, sizeof p->server, s->af, s->server_ip, s->server_port);
	if (s->ch.has_sni) {
		char sni[FMT_SNI_LEN];
		size_t n = fmt_sni(sni, sizeof sni, s->ch.sni, s->ch.sni_len);
		label(p->sni, sizeof p->sni, sni, n);
		size_t skip = sni_parent(sni, n);
		if (skip)
			snprintf(p->sni_parent, sizeof p->sni_parent, "*%.*s", (int)(n - skip > 90 ? 90 : n - skip), sni + skip);
		for (char *c = p->sni_parent; *c; c++)
			*c = (unsigned char)*c >= 0x20 && *c != 0x7f ? *c : '?';
	}
	const struct x509_cert *sl = leaf(&s->server_chain);
	if (sl && sl->subject)
		label(p->leaf_subject, sizeof p->leaf_subject, sl->subject, strlen(sl->subject));
	ca_list_label(p, &s->cr);
	const struct x509_cert *cl = leaf(&s->client_chain);
	if (cl && cl->issuer)
		label(p->client_issuer, sizeof p->client_issuer, cl->issuer, strlen(cl->issuer));
	for (uint32_t i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		if (f->severity != p->severity || strcmp(f->id, "chain-untrusted") != 0)
			continue;
		const struct chain *ch = f->side == SIDE_CLIENT ? &s->client_chain : &s->server_chain;
		const struct x509_cert *ul = leaf(ch);
		const char *end = chain_end(ch);
		p->untrusted_side = f->side == SIDE_CLIENT ? SIDE_CLIENT : SIDE_SERVER;
		if (ul && ul->subject)
			label(p->untrusted_leaf, sizeof p->untrusted_leaf, ul->subject, strlen(ul->subject));
		if (end)
			label(p->untrusted_end, sizeof p->untrusted_end, end, strlen(end));
		break;
	}
	const struct alert *a = first_fatal_alert(s);
	if (!a && s->inferred_alert && s->outcome == OUTCOME_FAILED) {
		snprintf(p->alert, sizeof p->alert, "an encrypted alert from the %s (inferred from its size)",
			 side_name(s->inferred_alert_from));
	} else if (a && a->encrypted) {
		snprintf(p->alert, sizeof p->alert, "an encrypted alert from the %s", side_name(a->from));
	} else if (a) {
		char ab[48];
		snprintf(p->alert, sizeof p->alert, "%s from the %s", fmt_alert(ab, sizeof ab, a->level, a->desc),
			 side_name(a->from));
	}
	char v1[16], v2[16];
	if (s->ch.present && s->sh.present)
		snprintf(p->versions, sizeof p->versions, "offers up to %s, server chose %s",
			 fmt_version(v1, sizeof v1, s->ch.max_version), fmt_version(v2, sizeof v2, s->sh.version));
	else if (s->ch.present)
		snprintf(p->versions, sizeof p->versions, "client offers up to %s",
			 fmt_version(v1, sizeof v1, s->ch.max_version));
	p->cr_present = s->cr.present;
	p->cr_bytes = s->cr.dn_bytes_len;
	p->client_cert_empty = s->client_chain.state == CHAIN_SEEN && s->client_chain.count == 0;
	if (sl) {
		const char *end = chain_end(&s->server_chain);
		p->has_chain = true;
		p->chain_count = s->server_chain.count;
		memcpy(p->leaf_sha256, sl->sha256, sizeof p->leaf_sha256);
		if (end)
			label(p->chain_end, sizeof p->chain_end, end, strlen(end));
	}
	p->rep_file = s->file;
	p->rep_stream = s->stream;
	p->rep_index = s->index;
	p->first_time = p->last_time = s->start_time;
	p->ts_prec = s->ts_prec;
	p->written = s->ev != NULL;
	p->written_file = s->written_file;
}

static struct problem *problem_new(struct problem_set *ps, int sev, const char *const *ids, uint32_t n,
				   const uint8_t key[32])
{
	struct problem *p = mem_alloc(sizeof *p);
	p->id = ++ps->next_id;
	p->severity = (uint8_t)sev;
	memcpy(p->ids, ids, n * sizeof *ids);
	p->n_ids = n;
	memcpy(p->key, key, 32);
	p->c_clients = mem_alloc(sizeof *p->c_clients);
	p->c_servers = mem_alloc(sizeof *p->c_servers);
	p->c_snis = mem_alloc(sizeof *p->c_snis);
	ps->v[ps->n++] = p;
	return p;
}

static struct problem *find_or_make(struct problem_set *ps, const struct session *s, bool *first)
{
	const char *ids[PROBLEM_IDS];
	int sev = SEV_ERROR;
	uint32_t n = finding_ids(s, sev, ids);
	if (!n) {
		sev = SEV_WARNING;
		n = finding_ids(s, sev, ids);
	}
	if (!n)
		return NULL;
	uint8_t key[32];
	problem_key(s, sev, ids, n, key);
	for (uint32_t i = 0; i < ps->n; i++)
		if (!ps->v[i]->catch_all && memcmp(ps->v[i]->key, key, 32) == 0)
			return ps->v[i];
	*first = true;
	if (ps->n < PROBLEMS_MAX)
		return problem_new(ps, sev, ids, n, key);
	/* the table is full: one more problem per severity holds every further connection */
	struct problem **ca = &ps->catch_all[sev == SEV_ERROR];
	if (!*ca) {
		*ca = problem_new(ps, sev, ids, 0, key);
		(*ca)->catch_all = true;
		return *ca;
	}
	*first = false;
	return *ca;
}

static void add_stream(struct problem *p, const struct session *s)
{
	struct problem_file *f = p->n_files ? &p->files[p->n_files - 1] : NULL;
	if (!f || f->file != s->file) {   /* files are read one after another */
		p->files = mem_realloc(p->files, (p->n_files + 1) * sizeof *p->files);
		f = &p->files[p->n_files++];
		memset(f, 0, sizeof *f);
		f->file = s->file;
	}
	uint64_t listed = 0;
	for (uint32_t i = 0; i < p->n_files; i++)
		listed += p->files[i].n;
	if (listed >= PROBLEM_STREAMS_MAX) {
		f->not_listed++;
		return;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->streams = mem_realloc(f->streams, f->cap * sizeof *f->streams);
	}
	f->streams[f->n++] = s->stream;
}

static bool ts_before(const struct ts *a, const struct ts *b)
{
	return a->sec < b->sec || (a->sec == b->sec && a->nsec < b->nsec);
}

struct problem *problems_add(struct problem_set *ps, const struct session *s, bool *first)
{
	*first = false;
	struct problem *p = find_or_make(ps, s, first);
	if (!p)
		return NULL;
	if (*first)
		first_facts(p, s);
	p->connections++;
	if (ts_before(&s->start_time, &p->first_time))
		p->first_time = s->start_time;
	if (ts_before(&p->last_time, &s->start_time))
		p->last_time = s->start_time;
	if (!p->catch_all && has_id(p->ids, p->n_ids, "cert-not-yet-valid")) {
		int64_t need = clockskew_chain_ahead(&s->server_chain), cn = clockskew_chain_ahead(&s->client_chain);
		need = cn > need ? cn : need;
		if (need > p->clock_need)
			p->clock_need = need;
		if (need > 0 && p->clock_file && s->file && strcmp(p->clock_file, s->file) != 0)
			p->clock_files = true;   /* another file's clock may not excuse it */
		else if (need > 0 && !p->clock_file)
			p->clock_file = s->file;
	}
	counter_add(p->c_clients, fnv(fnv(FNV0, &s->af, 1), s->client_ip, sizeof s->client_ip));
	uint64_t sh = fnv(fnv(FNV0, &s->af, 1), s->server_ip, sizeof s->server_ip);
	counter_add(p->c_servers, fnv(sh, &s->server_port, sizeof s->server_port));
	if (s->ch.has_sni)
		counter_add(p->c_snis, fnv(FNV0, s->ch.sni, s->ch.sni_len));
	add_stream(p, s);
	return p;
}

void problem_set_story(struct problem *p, const char *text, size_t len)
{
	if (len > PROBLEM_STORY_MAX)
		len = PROBLEM_STORY_MAX;
	mem_free(p->story);
	p->story = mem_alloc_uninit(len + 1);
	memcpy(p->story, text, len);
	p->story[len] = '\0';
	p->story_len = len;
}

/* ---- titles ---- */

#define PLURAL(n) ((n) == 1 ? "" : "s")

/* "Server 192.0.2.10:443 (SNI a.example)", or the name and how many endpoints. */
static void server_words(const struct problem *p, char *buf, size_t len)
{
	const char *name = p->snis > 1 && p->sni_parent[0] ? p->sni_parent : p->sni[0] ? p->sni : NULL;
	if (p->servers <= 1)
		snprintf(buf, len, "Server %s%s%s%s", p->server, name ? " (SNI " : "", name ? name : "", name ? ")" : "");
	else if (name || !p->leaf_subject[0])
		snprintf(buf, len, "Server %s at %" PRIu64 "%s endpoints", name ? name : p->server, p->servers,
			 p->servers_more ? "+" : "");
	else
		snprintf(buf, len, "Server with certificate %s at %" PRIu64 "%s endpoints", p->leaf_subject, p->servers,
			 p->servers_more ? "+" : "");
}

static void count_words(const struct problem *p, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 " connection%s from %" PRIu64 "%s client%s%s%s", p->connections,
		 PLURAL(p->connections), p->clients, p->clients_more ? "+" : "", PLURAL(p->clients), what[0] ? " " : "",
		 what);
}

static const char *rule_title(const char *id)
{
	size_t n;
	const struct rule_info *cat = diagnose_catalogue(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cat[i].id, id) == 0)
			return cat[i].title;
	return id;
}

/* The k-th fact that may tell apart problems whose titles read the same,
 * in the order a support engineer would check them; false past the last. */
static bool tell_apart(const struct problem *p, int k, char *buf, size_t len)
{
	switch (k) {
	case 0:
		snprintf(buf, len, "%s", p->versions[0] ? p->versions : "no ClientHello seen");
		return true;
	case 1:
		if (p->cr_present && !p->cr_bytes)
			snprintf(buf, len, "empty CA list");
		else if (p->cr_present)
			snprintf(buf, len, "CA list %s, %" PRIu32 " bytes", p->ca_list, p->cr_bytes);
		else
			snprintf(buf, len, "no CertificateRequest");
		return true;
	case 2:
		snprintf(buf, len, "%s%s", p->client_issuer[0] ? "client certificate from " : "",
			 p->client_issuer[0] ? p->client_issuer : p->client_cert_empty ? "empty client certificate" :
			 "no client certificate");
		return true;
	case 3:
		if (p->has_chain)
			snprintf(buf, len, "chain of %" PRIu32 " certificate%s%s%s", p->chain_count, PLURAL(p->chain_count),
				 p->chain_end[0] ? " ending at " : "", p->chain_end);
		else
			snprintf(buf, len, "no server certificate seen");
		return true;
	case 4:
		if (p->has_chain)
			snprintf(buf, len, "leaf SHA-256 %02x%02x%02x%02x%02x%02x%02x%02x...", p->leaf_sha256[0],
				 p->leaf_sha256[1], p->leaf_sha256[2], p->leaf_sha256[3], p->leaf_sha256[4], p->leaf_sha256[5],
				 p->leaf_sha256[6], p->leaf_sha256[7]);
		else
			snprintf(buf, len, "no server certificate seen");
		return true;
	case 5:
		snprintf(buf, len, "%s", p->alert[0] ? p->alert : "no alert");
		return true;
	case 6:
		snprintf(buf, len, "first seen at %s", p->server);
		return true;
	default:
		return false;
	}
}

/* Do two titles read the same but for their counts? */
static bool same_words(const struct problem *p, const struct problem *q)
{
	return p->title_cut && p->title_cut == q->title_cut && memcmp(p->title, q->title, p->title_cut) == 0;
}

/* Titles that read the same but for their counts name, in brackets, the
 * first fact that differs among them (their keys differ, so some fact
 * does; these are the ones a title can say). */
static void tell_titles_apart(struct problem_set *ps)
{
	char a[256], b[256];
	bool *done = mem_alloc(ps->n ? ps->n : 1);
	for (uint32_t i = 0; i < ps->n; i++) {
		struct problem *p = ps->v[i];
		if (done[i] || p->catch_all || !p->title_cut)
			continue;
		bool dup = false;
		for (uint32_t j = i + 1; j < ps->n && !dup; j++)
			dup = same_words(p, ps->v[j]);
		if (!dup)
			continue;
		/* the group: p and every later problem of its words; each fact
		 * that varies in it is named until no two of them read the same */
		uint32_t members[PROBLEMS_MAX + 2], n = 0;
		for (uint32_t j = i; j < ps->n; j++)
			if (j == i || same_words(p, ps->v[j]))
				members[n++] = j;
		char (*lab)[256] = mem_alloc(n * sizeof *lab);
		bool distinct = false;
		for (int k = 0; !distinct && tell_apart(p, k, a, sizeof a); k++) {
			bool varies = false;
			for (uint32_t m = 1; m < n && !varies; m++) {
				tell_apart(ps->v[members[m]], k, b, sizeof b);
				varies = strcmp(a, b) != 0;
			}
			if (!varies)
				continue;
			for (uint32_t m = 0; m < n; m++) {
				size_t l = strlen(lab[m]);
				tell_apart(ps->v[members[m]], k, b, sizeof b);
				snprintf(lab[m] + l, sizeof lab[m] - l, "%s%s", l ? "; " : "", b);
			}
			distinct = true;
			for (uint32_t x = 0; x < n && distinct; x++)
				for (uint32_t y = x + 1; y < n && distinct; y++)
					distinct = strcmp(lab[x], lab[y]) != 0;
		}
		for (uint32_t m = 0; m < n; m++) {
			struct problem *q = ps->v[members[m]];
			done[members[m]] = true;
			if (!lab[m][0])
				continue;   /* nothing a title can say differs */
			char tail[sizeof q->title];
			snprintf(tail, sizeof tail, "%s", q->title + q->title_cut);
			snprintf(q->title + q->title_cut, sizeof q->title - q->title_cut, " [%s]%s", lab[m], tail);
		}
		mem_free(lab);
	}
	mem_free(done);
}

/* store: the words for the store server chains were judged against (problems_set_store) */
static void make_title(struct problem *p, const char *store)
{
	char srv[320], cnt[120];
	const char *id = p->n_ids ? p->ids[0] : "";
	server_words(p, srv, sizeof srv);
	const char *subj = p->leaf_subject[0] ? p->leaf_subject : "its certificate";
	const char *ca = p->ca_list[0] ? p->ca_list : "a CA it names";
	const char *iss = p->client_issuer[0] ? p->client_issuer : "an unlisted CA";
	if (p->catch_all) {
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "More problems than the report groups (%u): %s", PROBLEMS_MAX, cnt);
	} else if (!strcmp(id, "client-cert-empty") || !strcmp(id, "client-cert-missing")) {
		count_words(p, "sent none", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s asks for a client certificate from %s; %s", srv, ca, cnt);
	} else if (!strcmp(id, "client-cert-issuer-not-requested") || !strcmp(id, "client-cert-unsuitable")) {
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s rejects client certificates issued by %s (it asks for %s); %s",
			 srv, iss, ca, cnt);
	} else if (!strcmp(id, "cert-expired") || !strcmp(id, "cert-not-yet-valid")) {
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s presents a certificate %s (%s); %s", srv,
			 id[5] == 'e' ? "that has expired" : "that is not yet valid", subj, cnt);
	} else if (!strcmp(id, "hostname-mismatch")) {
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s presents a certificate for another name (%s); %s", srv, subj, cnt);
	} else if (!strcmp(id, "chain-untrusted")) {
		/* where the chain ends names the root to import: what tells these problems apart */
		bool cli = p->untrusted_side == SIDE_CLIENT;
		const char *who = p->untrusted_leaf[0] ? p->untrusted_leaf : cli ? "the client's certificate" : subj;
		count_words(p, "", cnt, sizeof cnt);
		/* which store: the rule table's "the trust store" does not say whether it was the user's or the
		 * system's (a client chain is only judged against one given) */
		if (cli)
			store = "the server's trust store given (--client-ca-file/--client-ca-path)";
		/* the peer's alert is what makes an untrusted chain an error: say it */
		snprintf(p->title, sizeof p->title, "%s: %s (%s%s%s) does not verify against %s%s%s; %s", srv,
			 cli ? "the client's chain" : "the chain", who, p->untrusted_end[0] ? ", chain ends at " : "",
			 p->untrusted_end, store, p->alert[0] ? " and the handshake ends with " : "", p->alert, cnt);
	} else if (!strcmp(id, "server-chain-incomplete") || !strcmp(id, "cert-self-signed")) {
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s: %s (%s); %s", srv, rule_title(id), subj, cnt);
	} else if (has_id(p->ids, p->n_ids, "client-cert-empty-inferred")) {
		/* TLS 1.3 hides the request and its CA list: the sizes are the evidence */
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s: TLS 1.3 clients send an empty certificate%s (inferred from record "
			 "sizes); %s", srv, has_id(p->ids, p->n_ids, "tls13-encrypted-failure") ? " and the handshake fails" : "",
			 cnt);
	} else if (!strcmp(id, "version-or-cipher-mismatch")) {
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s and its clients have no protocol version or cipher suite in common%s%s%s; %s",
			 srv, p->alert[0] ? " (" : "", p->alert, p->alert[0] ? ")" : "", cnt);
	} else if ((!strcmp(id, "alert") || !strcmp(id, "handshake-aborted")) && p->alert[0]) {
		count_words(p, "", cnt, sizeof cnt);
		snprintf(p->title, sizeof p->title, "%s: the handshake ends with %s; %s", srv, p->alert, cnt);
	} else {
		count_words(p, "", cnt, sizeof cnt);
		/* a rule title that ends in "(inferred)" takes the alert after a comma, not in a second bracket */
		const char *rt = rule_title(id);
		bool paren = rt[0] && rt[strlen(rt) - 1] == ')';
		snprintf(p->title, sizeof p->title, "%s: %s%s%s%s; %s", srv, rt,
			 p->alert[0] ? paren ? ", with " : " (" : "", p->alert, p->alert[0] && !paren ? ")" : "", cnt);
	}
}

void problems_apply_clock(struct problem_set *ps, const char *file, int64_t covered)
{
	for (uint32_t i = 0; covered > 0 && i < ps->n; i++) {
		struct problem *p = ps->v[i];
		/* the other ids still make it a problem (a failed connection has its alert) */
		if (p->catch_all || p->n_ids < 2 || p->clock_need <= 0 || p->clock_need > covered)
			continue;
		if (file && (p->clock_files || !p->clock_file || strcmp(p->clock_file, file) != 0))
			continue;   /* members of another capture, judged by its own clock */
		uint32_t k = 0;
		for (uint32_t j = 0; j < p->n_ids; j++)
			if (strcmp(p->ids[j], "cert-not-yet-valid") != 0)
				p->ids[k++] = p->ids[j];
		if (k < p->n_ids)
			p->judged_early = p->connections;
		p->n_ids = k;
	}
}

static int by_rank(const void *x, const void *y)
{
	const struct problem *a = *(const struct problem *const *)x, *b = *(const struct problem *const *)y;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->catch_all != b->catch_all)
		return a->catch_all ? 1 : -1;
	if (a->connections != b->connections)
		return a->connections > b->connections ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

void problems_finish(struct problem_set *ps)
{
	for (uint32_t i = 0; i < ps->n; i++) {
		struct problem *p = ps->v[i];
		p->clients = p->c_clients->n;
		p->clients_more = p->c_clients->full;
		p->servers = p->c_servers->n;
		p->servers_more = p->c_servers->full;
		p->snis = p->c_snis->n;
		p->snis_more = p->c_snis->full;
		make_title(p, ps->server_store ? ps->server_store : "the trust store");
		/* where "; N connections ..." starts, when the title ends with it */
		char cnt[120];
		count_words(p, "", cnt, sizeof cnt);
		size_t tl = strlen(p->title), cl = strlen(cnt) + 2;
		const char *sent = strstr(p->title, " sent none");
		if (sent && strcmp(sent, " sent none") == 0)
			cl += strlen(" sent none");
		p->title_cut = !p->catch_all && tl > cl && strncmp(p->title + tl - cl, "; ", 2) == 0 ? tl - cl : 0;
	}
	qsort(ps->v, ps->n, sizeof ps->v[0], by_rank);
	tell_titles_apart(ps);
	for (uint32_t i = 0; i < ps->n; i++)
		ps->v[i]->rank = i + 1;
}

size_t problems_count(const struct problem_set *ps)
{
	return ps ? ps->n : 0;
}

const struct problem *problems_get(const struct problem_set *ps, size_t i)
{
	return i < ps->n ? ps->v[i] : NULL;
}

uint64_t problems_connections(const struct problem_set *ps, int severity)
{
	uint64_t n = 0;
	for (uint32_t i = 0; ps && i < ps->n; i++)
		if (ps->v[i]->severity == severity)
			n += ps->v[i]->connections;
	return n;
}

/* ---- Wireshark filters ---- */

uint32_t problem_filter_count(const struct problem_file *f)
{
	return (f->n + PROBLEM_FILTER_STREAMS - 1) / PROBLEM_FILTER_STREAMS;
}

void problem_filter(const struct problem_file *f, uint32_t k, char *buf, size_t len)
{
	size_t at = 0;
	uint32_t from = k * PROBLEM_FILTER_STREAMS, to = from + PROBLEM_FILTER_STREAMS;
	if (to > f->n)
		to = f->n;
	int w = snprintf(buf, len, "tcp.stream in {");
	at = w > 0 ? (size_t)w : 0;
	for (uint32_t i = from; i < to && at < len; i++) {
		w = snprintf(buf + at, len - at, "%s%" PRIu64, i > from ? " " : "", f->streams[i]);
		at += w > 0 ? (size_t)w : 0;
	}
	if (at < len)
		snprintf(buf + at, len - at, "}");
}
