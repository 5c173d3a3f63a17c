/* tls_keys.c - the key logs as a tls_conn decryptor (see tls_keys.h). */
#include "tls_keys.h"

#include <string.h>

#include "mem.h"
#include "tls_decrypt.h"
#include "tls_suite.h"

/* One direction as the decryptor follows it. */
struct kdir {
	bool set;                  /* keys chosen for (epoch, generation) */
	bool on;                   /* ... and they exist */
	bool dead;                 /* a record did not authenticate: nothing more is opened */
	bool early_fallback;       /* 0-RTT refused: the client's records moved on to its handshake keys */
	uint8_t epoch;             /* enum tls_epoch the keys are for */
	uint32_t generation;
	uint32_t appdata;          /* application data records offered after the handshake */
	uint32_t later;            /* records answered "keys not read yet" (live), each counted once */
	uint64_t later_seq;        /* ... the last of them: 1 + its sequence number, its epoch */
	uint8_t later_epoch;
	unsigned long looked_at;   /* secrets the key log held at this direction's last miss */
};

struct tls_keys {
	struct session *s;
	const struct keylog *kl;
	struct tls_keys_tally *tally;
	const struct keylog_entry *entry;
	struct tls_decrypt *d;
	struct tls_decrypt *reneg;  /* TLS <= 1.2: the keys after the first renegotiation */
	bool reneg_failed;
	bool failed;               /* no decryptor can be made (unsupported suite) */
	struct kdir dir[2];
	struct keylog *follow;     /* live: re-read on a key miss (NULL: the key log is complete) */
};

/* Live: re-read the key logs at most this often on a miss. */
#define KEYS_POLL_MS 1u

static int keys_of_epoch(uint8_t epoch)
{
	switch (epoch) {
	case TLS_EPOCH_EARLY: return TLS_KEYS_EARLY;
	case TLS_EPOCH_HANDSHAKE: return TLS_KEYS_HANDSHAKE;
	default: return TLS_KEYS_TRAFFIC;
	}
}

static void tally_sources(struct tls_keys *k)
{
	struct tls_keys_tally *t = k->tally;
	if (!t)
		return;
	t->matched++;
	const char *seen[KEYLOG_LABELS];
	unsigned n = 0;
	for (int label = 0; label < KEYLOG_LABELS; label++) {
		const char *src;
		unsigned long line;
		if (!keylog_entry_source(k->kl, k->entry, label, &src, &line))
			continue;
		bool dup = false;
		for (unsigned i = 0; i < n; i++)
			dup |= seen[i] == src;
		if (dup)
			continue;
		seen[n++] = src;
		uint32_t i = 0;
		while (i < t->n && t->v[i].source != src)
			i++;
		if (i == t->n && t->n < TLS_KEYS_SOURCES)
			t->v[t->n++].source = src;
		if (i < t->n)
			t->v[i].connections++;
	}
}

/* The connection's secrets, looked up once its records are protected. */
static bool find_entry(struct tls_keys *k, const struct tls_protection *st)
{
	struct conn_keys *ck = &k->s->keys;
	if (k->entry)
		return true;
	if (!st->client_random)
		return false;
	k->entry = keylog_find(k->kl, st->client_random);
	ck->looked_up = true;
	ck->matched = k->entry != NULL;
	if (k->entry)
		tally_sources(k);
	return k->entry != NULL;
}

/* The decryptor, made once the ServerHello told version and suite. */
static bool start(struct tls_keys *k, const struct tls_protection *st)
{
	if (k->d)
		return true;
	if (k->failed || !st->suite || !st->version || !st->server_random || !find_entry(k, st))
		return false;
	struct tls_decrypt_params p = { .version = st->version, .suite = st->suite,
					.cipher = tls_cipher_info(st->suite->cipher),
					.encrypt_then_mac = st->encrypt_then_mac };
	memcpy(p.client_random, st->client_random, sizeof p.client_random);
	memcpy(p.server_random, st->server_random, sizeof p.server_random);
	struct tls_dec_status ds;
	k->d = tls_decrypt_new(&p, k->kl, k->entry, &ds);
	if (!k->d) {
		k->failed = true;
		k->s->keys.unsupported = ds.reason;
	}
	return k->d != NULL;
}

/* Live, a key miss: the client may be writing the secret right now. Re-reads
 * the followed key logs (rate-limited, keylog_poll) and says whether they
 * hold more secrets than at this direction's last miss. */
static bool more_keys(struct tls_keys *k, int side)
{
	if (!k->follow)
		return false;
	char err[256];
	keylog_poll(k->follow, KEYS_POLL_MS, err, sizeof err);
	unsigned long n = keylog_secrets(k->kl);
	bool more = n != k->dir[side].looked_at;
	k->dir[side].looked_at = n;
	return more;
}

/* No keys, but live they may still come: the record waits (tls_conn holds it
 * and offers it again: a record is counted once, by its epoch and number). */
static int later(struct tls_keys *k, int side, const struct tls_protection *st)
{
	struct kdir *kd = &k->dir[side];
	if (kd->later_seq != st->seq + 1 || kd->later_epoch != st->epoch) {
		kd->later++;
		kd->later_seq = st->seq + 1;
		kd->later_epoch = st->epoch;
	}
	return TLS_OPEN_LATER;
}

static void missing(struct tls_keys *k, int side, const struct tls_protection *st, uint64_t frame)
{
	struct conn_keys *ck = &k->s->keys;
	if (ck->dir[side].missing)
		return;
	ck->dir[side].missing = true;
	ck->dir[side].missing_epoch = st->epoch;
	ck->dir[side].missing_frame = frame;
}

/* A TLS <= 1.2 renegotiation (RFC 5746) makes a new master secret from the
 * randoms of the hellos it exchanged under the old keys: the key log line
 * of its ClientHello random. */
static struct tls_decrypt *renegotiated(struct tls_keys *k, const struct tls_protection *st)
{
	const struct session *s = k->s;
	if (k->reneg || k->reneg_failed)
		return k->reneg;
	k->reneg_failed = true;
	if (!s->later_ch_n || !s->reneg_sh.present)
		return NULL;
	const struct keylog_entry *e = keylog_find(k->kl, s->later_ch[0].random);
	const struct tls_suite *suite = tls_suite_find(s->reneg_sh.cipher_suite);
	if (!e || !suite)
		return NULL;
	struct tls_decrypt_params p = { .version = st->version, .suite = suite, .cipher = tls_cipher_info(suite->cipher),
					.encrypt_then_mac = st->encrypt_then_mac };
	memcpy(p.client_random, s->later_ch[0].random, sizeof p.client_random);
	memcpy(p.server_random, s->reneg_sh.random, sizeof p.server_random);
	struct tls_dec_status ds;
	k->reneg = tls_decrypt_new(&p, k->kl, e, &ds);
	k->reneg_failed = k->reneg == NULL;
	return k->reneg;
}

/* The decryptor of the keys st is under. */
static struct tls_decrypt *dec_of(const struct tls_keys *k, const struct tls_protection *st)
{
	return st->epoch == TLS_EPOCH_CCS && st->generation == 1 ? k->reneg : k->d;
}

/* Follow tls_conn to the keys of (epoch, generation): a KeyUpdate derives
 * the next secret, anything else switches to the epoch's own. */
static void switch_keys(struct tls_keys *k, int side, const struct tls_protection *st, uint64_t frame)
{
	struct kdir *kd = &k->dir[side];
	struct tls_dec_status ds;
	bool update = kd->set && kd->on && kd->epoch == st->epoch && st->epoch == TLS_EPOCH_APPLICATION &&
		      st->generation == kd->generation + 1;
	kd->early_fallback = kd->early_fallback && st->epoch == TLS_EPOCH_EARLY;
	int code;
	if (update) {
		code = tls_decrypt_key_update(k->d, side, &ds);
	} else if (st->epoch == TLS_EPOCH_CCS && st->generation > 0) {
		struct tls_decrypt *d = st->generation == 1 ? renegotiated(k, st) : NULL;
		code = d ? tls_decrypt_use(d, side, TLS_KEYS_TRAFFIC, &ds) : TLS_DEC_NO_KEY;
	} else {
		code = tls_decrypt_use(k->d, side, kd->early_fallback ? TLS_KEYS_HANDSHAKE : keys_of_epoch(st->epoch),
				       &ds);
		for (uint32_t g = 0; code == TLS_DEC_OK && st->epoch == TLS_EPOCH_APPLICATION && g < st->generation; g++)
			code = tls_decrypt_key_update(k->d, side, &ds);
	}
	kd->set = true;
	kd->on = code == TLS_DEC_OK;
	if (kd->on)
		tls_decrypt_set_seq(dec_of(k, st), side, st->seq);
	kd->epoch = st->epoch;
	kd->generation = st->generation;
	if (kd->on && k->s->keys.dir[side].missing && k->s->keys.dir[side].missing_epoch == st->epoch)
		k->s->keys.dir[side].missing = false;   /* live: the secret was read after the first try */
	if (!kd->on && st->epoch == TLS_EPOCH_CCS && st->generation > 1 && !k->s->keys.unsupported)
		k->s->keys.unsupported = "the keys of a second renegotiation";
	else if (!kd->on && code == TLS_DEC_BAD_KEY && !k->s->keys.unsupported)
		k->s->keys.unsupported = ds.reason;
	else if (!kd->on)
		missing(k, side, st, frame);
}

static void opened(struct tls_keys *k, int side, const struct tls_protection *st)
{
	struct conn_keys *ck = &k->s->keys;
	k->s->decrypted = true;
	if (ck->dir[side].records++ == 0) {
		struct tls_dec_info info;
		tls_decrypt_info(dec_of(k, st), side, &info);
		ck->dir[side].decrypted = true;
		ck->dir[side].source = info.source;
		ck->dir[side].line = info.line;
	}
}

/* A client that offered 0-RTT stays in the early epoch until EndOfEarlyData;
 * when the server refused the early data the client's handshake records
 * are under its handshake keys instead. */
static int early_fallback(struct tls_keys *k, int side, const struct tls_protection *st,
			  const struct tls_ciphertext *rec, uint8_t *out, uint32_t cap, struct tls_plain *pt)
{
	struct kdir *kd = &k->dir[side];
	struct tls_dec_status ds;
	kd->early_fallback = true;
	kd->set = false;
	switch_keys(k, side, st, rec->frame);
	if (!kd->on)
		return TLS_DEC_NO_KEY;
	return tls_decrypt_record(k->d, side, rec->type, rec->version, rec->body, rec->len, 0, out, cap, pt, &ds);
}

static int key_open(void *ctx, int side, const struct tls_protection *st, const struct tls_ciphertext *rec,
		    uint8_t *out, uint32_t cap, uint32_t *out_len)
{
	struct tls_keys *k = ctx;
	struct kdir *kd = &k->dir[side];
	k->s->keys.dir[side].offered++;
	if (kd->dead)
		return TLS_OPEN_NO_KEYS;
	if (!start(k, st)) {
		if (!k->follow || k->failed || !st->client_random || !st->suite || !st->server_random)
			return TLS_OPEN_NO_KEYS;
		if (!more_keys(k, side) || !start(k, st))
			return later(k, side, st);
	}
	if (!kd->set || kd->epoch != st->epoch || kd->generation != st->generation)
		switch_keys(k, side, st, rec->frame);
	if (!kd->on && kd->set && more_keys(k, side)) {
		kd->set = false;   /* the key log grew: the secret of this epoch may be in it now */
		switch_keys(k, side, st, rec->frame);
	}
	/* past LIM_KEYS_APPDATA the framer skips application data without offering
	 * it here: a later alert (TLS 1.2's close_notify after a download) takes its
	 * sequence number from the records seen, not from those decrypted */
	if (kd->on && k->s->keys.dir[side].stopped)
		tls_decrypt_set_seq(dec_of(k, st), side, st->seq);
	bool early = st->epoch == TLS_EPOCH_EARLY && !kd->early_fallback;
	if (!kd->on && !early)
		return k->follow && !k->s->keys.unsupported ? later(k, side, st) : TLS_OPEN_NO_KEYS;
	struct tls_plain pt;
	struct tls_dec_status ds = { TLS_DEC_NO_KEY, NULL };
	int code = kd->on ? tls_decrypt_record(dec_of(k, st), side, rec->type, rec->version, rec->body, rec->len,
					       early ? TLS_DEC_TRIAL : 0, out, cap, &pt, &ds)
			  : TLS_DEC_NO_KEY;
	if (early && code != TLS_DEC_OK)
		code = early_fallback(k, side, st, rec, out, cap, &pt);
	if (code == TLS_DEC_NO_KEY)
		return k->follow ? later(k, side, st) : TLS_OPEN_NO_KEYS;
	if (code != TLS_DEC_OK) {
		struct conn_keys *ck = &k->s->keys;
		kd->dead = true;
		if (ck->dir[side].records == 0 && !ck->mismatch) {
			ck->mismatch = true;
			ck->mismatch_side = (uint8_t)side;
			ck->mismatch_frame = rec->frame;
		} else if (ck->dir[side].records > 0 && !ck->dir[side].failed) {
			ck->dir[side].failed = true;
			ck->dir[side].failed_frame = rec->frame;
		}
		return TLS_OPEN_FAILED;
	}
	opened(k, side, st);
	/* TLS 1.3: tls_conn reads the inner content type after the content */
	*out_len = st->version == 0x0304 ? pt.len + 1 : pt.len;
	if (rec->type == 23 && (st->epoch == TLS_EPOCH_APPLICATION || st->epoch == TLS_EPOCH_CCS))
		kd->appdata++;
	return TLS_OPEN_OK;
}

/* Bodies of application_data records are worth keeping while they may hold
 * the handshake (TLS 1.3), and for the first few after it. */
static bool key_keep_appdata(void *ctx, int side, const struct tls_protection *st)
{
	struct tls_keys *k = ctx;
	const struct kdir *kd = &k->dir[side];
	if (st->epoch == TLS_EPOCH_CLEAR || k->failed || kd->dead)
		return false;
	if (!find_entry(k, st))
		return k->follow && kd->later < LIM_KEYS_APPDATA;   /* live: its keys may still be written */
	if (st->epoch == TLS_EPOCH_EARLY || st->epoch == TLS_EPOCH_HANDSHAKE)
		return true;
	if (kd->appdata < LIM_KEYS_APPDATA)
		return true;
	k->s->keys.dir[side].stopped = true;
	return false;
}

static void key_release(void *ctx)
{
	struct tls_keys *k = ctx;
	tls_decrypt_free(k->d);
	tls_decrypt_free(k->reneg);
	mem_free(k);
}

static const struct tls_decryptor key_decryptor = {
	.open = key_open,
	.keep_appdata = key_keep_appdata,
	.release = key_release,
};

void tls_keys_attach(struct tls_conn *c, struct session *s, const struct keylog *kl, bool files_given,
		     struct tls_keys_tally *tally, struct keylog *follow)
{
	struct keylog_stats st;
	keylog_stats(kl, &st);
	s->keys.given = st.secrets > 0 || files_given;
	if (!s->keys.given)
		return;
	struct tls_keys *k = mem_alloc(sizeof *k);
	k->s = s;
	k->kl = kl;
	k->tally = tally;
	k->follow = follow;
	k->dir[0].looked_at = k->dir[1].looked_at = keylog_secrets(kl);
	tls_conn_set_decryptor(c, &key_decryptor, k);
}

uint64_t tls_keys_tally_of(const struct tls_keys_tally *t, const char *source)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].source, source) == 0)
			return t->v[i].connections;
	return 0;
}

const char *tls_keys_missing_label(const struct session *s, int side)
{
	const struct conn_keys *ck = &s->keys;
	if (!ck->dir[side].missing)
		return NULL;
	bool client = side == SIDE_CLIENT;
	switch (ck->dir[side].missing_epoch) {
	case TLS_EPOCH_EARLY: return "CLIENT_EARLY_TRAFFIC_SECRET";
	case TLS_EPOCH_HANDSHAKE: return client ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET" : "SERVER_HANDSHAKE_TRAFFIC_SECRET";
	case TLS_EPOCH_APPLICATION: return client ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0";
	default: return "CLIENT_RANDOM";
	}
}

const char *tls_keys_missing_what(const struct session *s, int side)
{
	switch (s->keys.dir[side].missing_epoch) {
	case TLS_EPOCH_EARLY: return "0-RTT data";
	case TLS_EPOCH_HANDSHAKE: return "handshake";
	case TLS_EPOCH_APPLICATION: return "records after its Finished";
	default: return "records after its ChangeCipherSpec";
	}
}
