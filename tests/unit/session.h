/*
 * session.h - the harness the protocol decoders' unit tests share.
 *
 * A test is a session written as an ordered list of (direction, text) steps
 * and the findings it must produce.  check_session() runs it whole, with each
 * step cut in two at every byte, and byte by byte; all runs must give the
 * same findings and the same final status.  No finding may carry a session's
 * secrets, and the decoder state may not hold them after the run.
 *
 * Before including it, define SESSION_DECODER (the struct decoder under
 * test), SESSION_APP (its app_proto) and SESSION_PORT (the server port).
 */
#ifndef CREDLEAK_TEST_SESSION_H
#define CREDLEAK_TEST_SESSION_H

#if !defined(SESSION_DECODER) || !defined(SESSION_APP) || !defined(SESSION_PORT)
#error "define SESSION_DECODER, SESSION_APP and SESSION_PORT first"
#endif

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_GOT		16

struct step {
	enum dir	 dir;
	const char	*text;		/* NULL: a gap of `len` bytes */
	size_t		 len;		/* of text, which may hold NUL bytes */
};

/* Steps are string literals: their size is their length, NULs included. */
#define C(t)		{ DIR_C2S, (t), sizeof(t) - 1 }
#define S(t)		{ DIR_S2C, (t), sizeof(t) - 1 }
#define CB(t)		C(t)
#define SB(t)		S(t)
#define GAP(d, n)	{ (d), NULL, (n) }

/* A finding as expected; unset fields must be zero/NULL in the finding too. */
struct want {
	enum finding_kind kind;
	const char	*mech;
	const char	*user;
	bool		 truncated;	/* compare the first SASL_USER_MAX bytes of user */
	enum auth_result result;
	bool		 secret;
	bool		 anon;
	enum tri	 offered;
	bool		 requested;
	int		 reply;
	const char	*mechs;		/* mechanisms_offered joined by spaces */
	bool		 gap;
	uint16_t	 tls_version, tls_cipher;
	const char	*why;		/* the reason; NULL: not compared */
};

struct got {
	enum finding_kind kind;
	char		 mech[64];
	bool		 has_user;
	uint8_t		 user[SASL_USER_MAX + 1];
	size_t		 user_len;
	bool		 truncated;
	enum auth_result result;
	bool		 secret;
	bool		 anon;
	enum tri	 offered;
	bool		 requested;
	int		 reply;
	char		 mechs[64];
	bool		 gap;
	char		 app[16];
	uint16_t	 tls_version, tls_cipher;
	char		 why[128];
};

static struct got got[MAX_GOT];
static size_t ngot;
static const char *const *cur_secrets;
static struct dec_counters ctr;

static bool
contains(const void *hay, size_t hn, const char *needle)
{
	const uint8_t *h = hay;
	size_t nn = strlen(needle), i;

	if (nn == 0 || nn > hn)
		return false;
	for (i = 0; i + nn <= hn; i++)
		if (memcmp(h + i, needle, nn) == 0)
			return true;
	return false;
}

static void
no_secret_in(const void *p, size_t n, const char *what)
{
	size_t i;

	for (i = 0; cur_secrets[i] != NULL; i++)
		if (contains(p, n, cur_secrets[i]))
			fail_msg("%s holds secret \"%s\"", what, cur_secrets[i]);
}

static void
record(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	struct got *g;
	size_t i, o = 0;

	(void)arg;
	(void)fi;
	(void)ts_us;
	assert_true(ngot < MAX_GOT);
	g = &got[ngot++];
	memset(g, 0, sizeof(*g));
	g->kind = f->kind;
	if (f->mechanism != NULL) {
		no_secret_in(f->mechanism, strlen(f->mechanism), "mechanism");
		snprintf(g->mech, sizeof(g->mech), "%s", f->mechanism);
	}
	if (f->reason != NULL)
		no_secret_in(f->reason, strlen(f->reason), "reason");
	if (f->app_proto != NULL)
		snprintf(g->app, sizeof(g->app), "%s", f->app_proto);
	if (f->username != NULL) {
		assert_true(f->username_len <= SASL_USER_MAX);
		no_secret_in(f->username, f->username_len, "username");
		g->has_user = true;
		memcpy(g->user, f->username, f->username_len);
		g->user_len = f->username_len;
	}
	g->truncated = f->username_truncated;
	g->result = f->result;
	g->secret = f->secret_seen;
	g->anon = f->anonymous;
	g->offered = f->starttls_offered;
	g->requested = f->starttls_requested;
	g->reply = f->starttls_reply;
	assert_true(f->nmechs <= FINDING_MAX_MECHS);
	for (i = 0; i < f->nmechs; i++) {
		no_secret_in(f->mechs[i], strlen(f->mechs[i]), "mechs");
		o += (size_t)snprintf(g->mechs + o, sizeof(g->mechs) - o, "%s%s",
		    i > 0 ? " " : "", f->mechs[i]);
		assert_true(o < sizeof(g->mechs));
	}
	g->gap = f->gap_seen;
	g->tls_version = f->tls_version;
	g->tls_cipher = f->tls_cipher;
	if (f->reason != NULL)
		snprintf(g->why, sizeof(g->why), "%s", f->reason);
}

static const char *
how(size_t split_step, size_t split_at, bool bytewise, char *buf, size_t len)
{
	if (bytewise)
		snprintf(buf, len, "byte by byte");
	else if (split_step == SIZE_MAX)
		snprintf(buf, len, "whole");
	else
		snprintf(buf, len, "step %zu cut at %zu", split_step, split_at);
	return buf;
}

static void
compare(const char *name, const char *run, const struct want *w, size_t nw)
{
	size_t i, ul;

	if (ngot != nw)
		fail_msg("%s (%s): %zu findings, want %zu", name, run, ngot, nw);
	for (i = 0; i < nw; i++) {
		const struct got *g = &got[i];

#define EXPECT(cond) do {						\
	if (!(cond))							\
		fail_msg("%s (%s): finding %zu: %s", name, run, i, #cond); \
} while (0)
		EXPECT(g->kind == w[i].kind);
		EXPECT(strcmp(g->app, SESSION_APP) == 0);
		EXPECT(strcmp(g->mech, w[i].mech != NULL ? w[i].mech : "") == 0);
		EXPECT(g->has_user == (w[i].user != NULL));
		if (w[i].user != NULL) {
			ul = strlen(w[i].user);
			if (w[i].truncated)
				ul = SASL_USER_MAX;
			EXPECT(g->user_len == ul);
			EXPECT(memcmp(g->user, w[i].user, ul) == 0);
		}
		EXPECT(g->truncated == w[i].truncated);
		EXPECT(g->result == w[i].result);
		EXPECT(g->secret == w[i].secret);
		EXPECT(g->anon == w[i].anon);
		EXPECT(g->offered == w[i].offered);
		EXPECT(g->requested == w[i].requested);
		EXPECT(g->reply == w[i].reply);
		EXPECT(strcmp(g->mechs, w[i].mechs != NULL ? w[i].mechs : "") == 0);
		EXPECT(g->gap == w[i].gap);
		EXPECT(g->tls_version == w[i].tls_version);
		EXPECT(g->tls_cipher == w[i].tls_cipher);
		EXPECT(w[i].why == NULL || strcmp(g->why, w[i].why) == 0);
#undef EXPECT
	}
}

/* One run; split_step == SIZE_MAX: no step is cut. */
static enum dec_status
run_once(bool midstream, const struct step *st, size_t nst, size_t split_step,
    size_t split_at, bool bytewise)
{
	static const struct flow_info fi = { .family = 4, .cli_port = 40000,
	    .srv_port = SESSION_PORT, .flow_id = 1, .input = "test" };
	struct alert_opts opts = { .out = NULL, .hook = record };
	struct dec_ctx ctx;
	enum dec_status rc = DEC_MORE;
	size_t i, off, len, part;
	void *state;

	memset(&ctr, 0, sizeof(ctr));
	ngot = 0;
	ctx.flow = &fi;
	ctx.ts_us = 1000000;
	ctx.ctr = &ctr;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(state = calloc(1, SESSION_DECODER.state_size));
	SESSION_DECODER.init(state, midstream);
	for (i = 0; i < nst && rc == DEC_MORE; i++) {
		if (st[i].text == NULL) {
			SESSION_DECODER.gap(state, &ctx, st[i].dir, st[i].len);
			continue;
		}
		len = st[i].len;
		for (off = 0; off < len && rc == DEC_MORE; off += part) {
			if (bytewise)
				part = 1;
			else if (i == split_step && off == 0)
				part = split_at;
			else
				part = len - off;
			rc = SESSION_DECODER.data(state, &ctx, st[i].dir,
			    (const uint8_t *)st[i].text + off, part);
		}
	}
	/* As the flow table does: end() only while the decoder is attached. */
	if (rc == DEC_MORE)
		SESSION_DECODER.end(state, &ctx, END_FIN);
	/* Handled lines must not linger in the state; wipe() clears the rest. */
	no_secret_in(state, SESSION_DECODER.state_size, "decoder state");
	SESSION_DECODER.wipe(state);
	no_secret_in(state, SESSION_DECODER.state_size, "wiped decoder state");
	free(state);
	alert_sink_free(ctx.sink);
	return rc;
}

static void
check_session(const char *name, bool midstream, const struct step *st,
    size_t nst, const struct want *w, size_t nw, enum dec_status final,
    const char *const *secrets)
{
	size_t i, k, len;
	char buf[64];
	enum dec_status rc;

	cur_secrets = secrets;
	rc = run_once(midstream, st, nst, SIZE_MAX, 0, false);
	if (rc != final)
		fail_msg("%s (whole): status %d, want %d", name, rc, final);
	compare(name, "whole", w, nw);
	for (i = 0; i < nst; i++) {
		if (st[i].text == NULL)
			continue;
		len = st[i].len;
		for (k = 1; k < len; k++) {
			rc = run_once(midstream, st, nst, i, k, false);
			how(i, k, false, buf, sizeof(buf));
			if (rc != final)
				fail_msg("%s (%s): status %d, want %d", name, buf,
				    rc, final);
			compare(name, buf, w, nw);
		}
	}
	rc = run_once(midstream, st, nst, SIZE_MAX, 0, true);
	if (rc != final)
		fail_msg("%s (byte by byte): status %d, want %d", name, rc, final);
	compare(name, "byte by byte", w, nw);
}

#define SESSION(mid, steps, want, final, ...) do {			\
	static const char *const secrets_[] = { __VA_ARGS__, NULL };	\
	check_session(__func__, (mid), (steps), NELEM(steps), (want),	\
	    NELEM(want), (final), secrets_);				\
} while (0)

#define SESSION_NONE(mid, steps, final, ...) do {			\
	static const char *const secrets_[] = { __VA_ARGS__, NULL };	\
	check_session(__func__, (mid), (steps), NELEM(steps), NULL, 0,	\
	    (final), secrets_);						\
} while (0)

#endif /* CREDLEAK_TEST_SESSION_H */
