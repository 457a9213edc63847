/*
 * pop3.c - POP3: cleartext logins, challenge-response logins and STLS use.
 *
 * Specifications: RFC 1939 (POP3), RFC 2449 (CAPA, PIPELINING),
 * RFC 5034 (AUTH with SASL), RFC 2595 §4 (STLS), RFC 1734 (the bare "AUTH"
 * that lists mechanisms, still sent by some clients).
 *
 * Commands go into a bounded FIFO so that each +OK/-ERR is matched to the
 * command it answers (pipelining, RFC 2449 §6.6) and so that the multi-line
 * replies of RETR, TOP, LIST, UIDL, CAPA and the bare AUTH (RFC 1939 §3: up
 * to a line holding a single ".") are skipped: a message body is never
 * parsed as replies.  Findings never carry secret bytes; a PASS argument is
 * only measured, SASL responses go through sasl.c, and client lines that the
 * splitter had to copy are wiped once handled.
 *
 * After +OK to STLS (RFC 2595 §4), or when the client sends bytes right
 * behind STLS before the +OK arrives, each direction's bytes go to the TLS
 * hello reader (tls.c): a ServerHello ends inspection (with weak_tls when
 * it deserves one); client bytes that are no TLS after +OK mean the
 * upgrade was faked or stripped, and are read as commands again.  A CAPA
 * "XXXX" where STLS would be is evidence of stripping only when it is the
 * one masked capability; several masked lines leave STLS support unknown.
 */
#include <stdio.h>
#include <string.h>

#include "decoder.h"
#include "line.h"
#include "sasl.h"
#include "tls.h"

#define POP3_PIPE_MAX	32	/* outstanding commands tracked */
#define POP3_TLS_PEEK	5	/* bytes kept: tls.c says "not TLS" within 3 */

enum pop3_state {
	S_GREETING = 0,		/* handshake seen: the server must speak first */
	S_AUTHORIZATION,	/* RFC 1939 §4; also where a midstream pickup starts */
	S_SASL,			/* after "AUTH mech": client lines are responses */
	S_TLS,			/* +OK to STLS, or TLS right behind it: tls.c reads */
	S_DONE,			/* TLS, logged in, or service refused: nothing to learn */
	S_MISMATCH		/* not POP3 after all */
};

/* The commands whose replies change what we know. */
enum cmd {
	C_OTHER = 0,
	C_PASS,
	C_APOP,
	C_AUTH,
	C_STLS
};

/* What a multi-line +OK carries (RFC 1939 §3). */
enum body {
	B_NONE = 0,	/* single-line reply */
	B_SKIP,		/* RETR, TOP, LIST, UIDL: message data, never parsed */
	B_CAPA,		/* RFC 2449 §5 capability lines */
	B_MECHS		/* bare AUTH: one SASL mechanism per line */
};

enum login {
	L_NONE = 0,
	L_PASS,		/* RFC 1939 §7 USER/PASS */
	L_APOP,		/* RFC 1939 §7 APOP */
	L_SASL		/* RFC 5034 AUTH */
};

struct pending {
	uint8_t		 cmd;	/* enum cmd */
	uint8_t		 body;	/* enum body of a +OK */
};

struct pop3 {
	enum pop3_state	 state;
	bool		 server_spoke;
	bool		 client_spoke;
	bool		 greeted;
	bool		 unconfirmed;	/* client spoke first: the first reply must be POP3's */
	bool		 apop_offered;	/* RFC 1939 §7 timestamp in the greeting */
	bool		 gap_seen;

	/* What the server advertised (CAPA, bare AUTH). */
	bool		 capa_seen;	/* a complete +OK CAPA reply */
	bool		 capa_stls;
	bool		 offer_user;
	uint32_t	 offer_sasl;
	bool		 offer_reported;
	bool		 tls_reported;	/* starttls_not_offered / _offered_not_used */
	bool		 strip_reported;
	unsigned	 capa_masked;	/* CAPA lines of X's in this reply */
	bool		 capa_xxxx;	/* one of them is "XXXX", STLS's length */
	bool		 stls_unknown;	/* masked lines: STLS support unknown */

	bool		 stls_requested;
	int		 stls_reply;	/* 1 = +OK, -1 = -ERR, 0 = none */
	bool		 stls_clear;	/* bytes behind the last STLS: no TLS */
	bool		 stls_accepted;	/* a +OK answered STLS */

	/* the upgrade (S_TLS) */
	struct tls_watch tw;
	bool		 tw_on[2];	/* by enum dir: bytes go to tw, not lines */
	uint8_t		 held[2][POP3_TLS_PEEK];	/* first bytes given to tw */
	size_t		 nheld[2];

	enum body	 body;		/* inside a multi-line reply */
	struct pending	 q[POP3_PIPE_MAX];
	unsigned	 qhead;
	unsigned	 qlen;

	enum login	 login;		/* awaiting the final reply */
	bool		 pass_secret;
	struct held_secret pass;	/* PASS's argument, for the fingerprint */
	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];	/* from USER or APOP */
	struct sasl_exchange sasl;

	struct line_splitter ls[2];
};

typedef void cmd_fn(struct pop3 *, struct dec_ctx *, const uint8_t *, size_t);

/* What the TLS reader made of some bytes. */
enum tls_turn {
	TT_MORE = 0,	/* all taken; more wanted */
	TT_DONE,	/* inspection is over */
	TT_CLEAR	/* no TLS: read the held bytes, then these, as lines */
};

static cmd_fn cmd_user, cmd_pass, cmd_apop, cmd_auth, cmd_stls;

/*
 * RFC 1939 §§5-7, RFC 2449 §5, RFC 2595 §4, RFC 5034 §4.  `body` is what a
 * +OK carries (-ERR is always one line); with `bare`, only when the command
 * had no argument ("LIST" versus "LIST 1").
 */
static const struct verb {
	const char	*name;
	enum cmd	 cmd;
	enum body	 body;
	bool		 bare;
	cmd_fn		*fn;
} verbs[] = {
	{ "USER",	C_OTHER,	B_NONE,		false,	cmd_user },
	{ "PASS",	C_PASS,		B_NONE,		false,	cmd_pass },
	{ "APOP",	C_APOP,		B_NONE,		false,	cmd_apop },
	{ "AUTH",	C_AUTH,		B_MECHS,	true,	cmd_auth },
	{ "CAPA",	C_OTHER,	B_CAPA,		false,	NULL },
	{ "STLS",	C_STLS,		B_NONE,		false,	cmd_stls },
	{ "RETR",	C_OTHER,	B_SKIP,		false,	NULL },
	{ "TOP",	C_OTHER,	B_SKIP,		false,	NULL },
	{ "LIST",	C_OTHER,	B_SKIP,		true,	NULL },
	{ "UIDL",	C_OTHER,	B_SKIP,		true,	NULL },
	{ "STAT",	C_OTHER,	B_NONE,		false,	NULL },
	{ "DELE",	C_OTHER,	B_NONE,		false,	NULL },
	{ "NOOP",	C_OTHER,	B_NONE,		false,	NULL },
	{ "RSET",	C_OTHER,	B_NONE,		false,	NULL },
	{ "QUIT",	C_OTHER,	B_NONE,		false,	NULL },
};

#ifdef POP3_DEBUG
static const char *
strstate(enum pop3_state st)
{
	static const char *const names[] = {
		"GREETING", "AUTHORIZATION", "SASL", "TLS", "DONE", "MISMATCH"
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}
#endif

static void
enter_state(struct pop3 *s, enum pop3_state next)
{
#ifdef POP3_DEBUG
	fprintf(stderr, "pop3: %s -> %s\n", strstate(s->state), strstate(next));
#endif
	s->state = next;
	/* A decoder that has stopped reading holds no password. */
	if (next == S_DONE || next == S_MISMATCH)
		secret_drop(&s->pass);
}

static const struct verb *
verb_find(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (line_verb_is(p, n, verbs[i].name))
			return &verbs[i];
	return NULL;
}

/* A RESP (Redis) array, bulk or integer header: '*', '$' or ':', then a length. */
static bool
is_resp(const uint8_t *p, size_t n)
{
	return n >= 2 && (p[0] == '*' || p[0] == '$' || p[0] == ':') &&
	    (p[1] == '-' || (p[1] >= '0' && p[1] <= '9'));
}

static bool
is_ok(const uint8_t *p, size_t n)
{
	return ascii_prefix(p, n, "+OK");
}

static bool
is_err(const uint8_t *p, size_t n)
{
	return ascii_prefix(p, n, "-ERR");
}

/* RFC 5034 §4: a continuation is "+" SP [base64]; some servers drop the SP. */
static bool
is_cont(const uint8_t *p, size_t n)
{
	return n >= 1 && p[0] == '+' && (n == 1 || p[1] == ' ');
}

static void
set_user(struct pop3 *s, const uint8_t *u, size_t n)
{
	s->user_truncated = n > SASL_USER_MAX;
	s->user_len = n > SASL_USER_MAX ? SASL_USER_MAX : n;
	memcpy(s->user, u, s->user_len);
}

static void
finding_init(const struct pop3 *s, struct finding *f, enum finding_kind k)
{
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->app_proto = "pop3";
	if (s->capa_seen && !s->stls_unknown)
		f->starttls_offered = s->capa_stls ? TRI_YES : TRI_NO;
	else if (s->stls_reply == 1 || s->capa_stls)
		f->starttls_offered = TRI_YES;
	f->starttls_requested = s->stls_requested;
	f->starttls_reply = s->stls_reply;
	if (s->tw.server_hello) {
		f->tls_version = s->tw.version;
		f->tls_cipher = s->tw.cipher;
	}
	f->gap_seen = s->gap_seen;
}

/*
 * starttls_offered_not_used / starttls_not_offered, once, when a login
 * exposed credentials or succeeded.  Only on a certain basis: a complete
 * CAPA reply (RFC 2595 §4 advertises STLS there) and no STLS attempt.
 */
static void
tls_findings(struct pop3 *s, struct dec_ctx *ctx)
{
	struct finding f;

	if (s->tls_reported || !s->capa_seen || s->stls_requested ||
	    (s->stls_unknown && !s->capa_stls))
		return;
	s->tls_reported = true;
	finding_init(s, &f, s->capa_stls ? K_STARTTLS_OFFERED_NOT_USED :
	    K_STARTTLS_NOT_OFFERED);
	f.reason = s->capa_stls ? "CAPA listed STLS; client logged in without it" :
	    "CAPA did not list STLS; client logged in in cleartext";
	dec_emit(ctx, &f);
}

/* The login awaiting a reply ends with `res`: report what it exposed. */
static void
login_done(struct pop3 *s, struct dec_ctx *ctx, enum auth_result res)
{
	const struct sasl_exchange *x = &s->sasl;
	struct finding f;
	bool emit = true;

	switch (s->login) {
	case L_NONE:
		return;
	case L_PASS:
		finding_init(s, &f, K_CLEARTEXT_CREDENTIALS);
		f.mechanism = "USER/PASS";
		f.secret_seen = s->pass_secret;
		f.secret = s->pass.len > 0 ? s->pass.b : NULL;
		f.secret_len = s->pass.len;
		break;
	case L_APOP:
		finding_init(s, &f, K_CHALLENGE_RESPONSE);
		f.mechanism = "APOP";
		f.reason = s->apop_offered ? "APOP digest over the greeting's timestamp" :
		    "APOP digest";
		break;
	case L_SASL:
		if (x->malformed)
			ctx->ctr->bad_sasl++;
		switch (sasl_exchange_class(x)) {
		case MC_CLEARTEXT:
		case MC_BEARER:
			finding_init(s, &f, K_CLEARTEXT_CREDENTIALS);
			emit = x->secret_seen;
			break;
		case MC_CHALLENGE:
			finding_init(s, &f, K_CHALLENGE_RESPONSE);
			/* NTLM's first message (type 1) carries nothing crackable. */
			emit = x->responses >= (x->mech == MECH_NTLM ? 2u : 1u);
			break;
		default:
			finding_init(s, &f, K_CLEARTEXT_CREDENTIALS);
			emit = false;
			break;
		}
		f.mechanism = sasl_auth_label(x->mech);
		f.secret_seen = x->secret_seen;
		f.secret = x->pass.len > 0 ? x->pass.b : NULL;
		f.secret_len = x->pass.len;
		break;
	}
	if (s->login == L_SASL) {
		f.username = x->user_len > 0 ? x->user : NULL;
		f.username_len = x->user_len;
		f.username_truncated = x->user_truncated;
	} else {
		f.username = s->user_len > 0 ? s->user : NULL;
		f.username_len = s->user_len;
		f.username_truncated = s->user_truncated;
	}
	f.result = res;
	if (emit)
		dec_emit(ctx, &f);
	if (emit || res == RES_SUCCESS)
		tls_findings(s, ctx);
	s->login = L_NONE;
	s->pass_secret = false;
	secret_drop(&s->pass);
	sasl_reset(&s->sasl);
	if (res == RES_SUCCESS)
		enter_state(s, S_DONE);	/* the rest is mail download */
}

static void
stls_finding(struct pop3 *s, struct dec_ctx *ctx, enum finding_kind k,
    const char *why)
{
	struct finding f;

	finding_init(s, &f, k);
	f.reason = why;
	dec_emit(ctx, &f);
}

/* cleartext_auth_offered, once per session, after a CAPA or mechanism list. */
static void
offer_finding(struct pop3 *s, struct dec_ctx *ctx)
{
	struct finding f;

	if (s->offer_reported ||
	    (!s->offer_user && (s->offer_sasl & MECH_CLEARTEXT_SET) == 0))
		return;
	s->offer_reported = true;
	finding_init(s, &f, K_CLEARTEXT_AUTH_OFFERED);
	if (s->offer_user)
		f.mechs[f.nmechs++] = "USER";
	if (s->offer_sasl & MECH_BIT(MECH_PLAIN))
		f.mechs[f.nmechs++] = "PLAIN";
	if (s->offer_sasl & MECH_BIT(MECH_LOGIN))
		f.mechs[f.nmechs++] = "LOGIN";
	dec_emit(ctx, &f);
}

static void
cmd_user(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	(void)ctx;
	set_user(s, arg, n);
}

static void
cmd_pass(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	login_done(s, ctx, RES_UNKNOWN);	/* a pipelined earlier attempt */
	s->login = L_PASS;
	s->pass_secret = n > 0;
	secret_hold(&s->pass, arg, n);
}

/* RFC 1939 §7: APOP name SP digest; the digest is the last word. */
static void
cmd_apop(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	size_t digest = n, name;

	login_done(s, ctx, RES_UNKNOWN);
	while (digest > 0 && arg[digest - 1] != ' ' && arg[digest - 1] != '\t')
		digest--;
	for (name = digest; name > 0 &&
	    (arg[name - 1] == ' ' || arg[name - 1] == '\t'); name--)
		;
	if (digest == 0) {
		ctx->ctr->bad_sasl++;	/* no digest: still an attempt */
		name = n;
	}
	set_user(s, arg, name);
	s->login = L_APOP;
}

/* RFC 5034 §4: AUTH mechanism [SP initial-response]. */
static void
cmd_auth(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	size_t ml = 0, sk;

	if (n == 0)
		return;		/* bare AUTH: a mechanism listing */
	login_done(s, ctx, RES_UNKNOWN);
	while (ml < n && arg[ml] != ' ' && arg[ml] != '\t')
		ml++;
	sk = line_skip_ws(arg + ml, n - ml);
	sasl_begin(&s->sasl, sasl_mech_lookup(arg, ml), ml + sk < n,
	    arg + ml + sk, n - ml - sk);
	s->login = L_SASL;
	enter_state(s, S_SASL);
}

static void
cmd_stls(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	(void)ctx;
	(void)arg;
	(void)n;
	s->stls_requested = true;
	s->stls_clear = false;
}

static void
push_cmd(struct pop3 *s, struct dec_ctx *ctx, enum cmd c, enum body b)
{
	struct pending *e;

	if (s->qlen == POP3_PIPE_MAX) {
		ctx->ctr->pipeline_overflow++;
		return;
	}
	e = &s->q[(s->qhead + s->qlen) % POP3_PIPE_MAX];
	e->cmd = (uint8_t)c;
	e->body = (uint8_t)b;
	s->qlen++;
}

static void
mismatch(struct pop3 *s, struct dec_ctx *ctx)
{
	ctx->ctr->mismatch++;
	s->login = L_NONE;
	sasl_reset(&s->sasl);
	enter_state(s, S_MISMATCH);
}

static void
client_line(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	const struct verb *v;
	const uint8_t *arg;
	size_t alen, vl;
	enum body b = B_NONE;

	s->client_spoke = true;
	if (is_resp(p, n)) {
		mismatch(s, ctx);
		return;
	}
	v = verb_find(p, n);
	if (s->state == S_SASL) {
		/*
		 * RFC 5034 §4: until the final reply, a line is a response
		 * (or "*").  A bare verb such as "QUIT" is also valid base64,
		 * so it counts as a command, as does anything not base64.
		 */
		if ((v == NULL || n != strlen(v->name)) &&
		    sasl_response(&s->sasl, p, n))
			return;
		enter_state(s, S_AUTHORIZATION);
	}
	if (v == NULL) {
		push_cmd(s, ctx, C_OTHER, B_NONE);
		return;
	}
	vl = strlen(v->name);
	arg = p + vl;
	alen = n - vl;
	vl = line_skip_ws(arg, alen);
	arg += vl;
	alen -= vl;
	while (alen > 0 && (arg[alen - 1] == ' ' || arg[alen - 1] == '\t'))
		alen--;
	if (!v->bare || alen == 0)
		b = v->body;
	if (v->fn != NULL)
		v->fn(s, ctx, arg, alen);
	push_cmd(s, ctx, v->cmd, b);
}

/* RFC 1939 §7: a timestamp "<...@...>" in the greeting offers APOP. */
static bool
has_timestamp(const uint8_t *p, size_t n)
{
	const uint8_t *lt, *at;

	if ((lt = memchr(p, '<', n)) == NULL)
		return false;
	n -= (size_t)(lt - p);
	if ((at = memchr(lt, '@', n)) == NULL)
		return false;
	return memchr(at, '>', n - (size_t)(at - lt)) != NULL;
}

static void
greeting(struct pop3 *s, const uint8_t *p, size_t n)
{
	s->greeted = true;
	s->apop_offered = has_timestamp(p, n);
	enter_state(s, S_AUTHORIZATION);
}

/* RFC 2449 §5 capability lines; tags are case-insensitive. */
static void
capa_line(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	size_t i;

	if (line_verb_is(p, n, "USER"))
		s->offer_user = true;
	else if (line_verb_is(p, n, "STLS"))
		s->capa_stls = true;
	else if (line_verb_is(p, n, "SASL") && n > 4)
		s->offer_sasl |= sasl_mech_list(p + 4, n - 4);
	else {
		/* X's and at most one letter: masked on the path. */
		for (i = 0; i < n && ascii_lower(p[i]) == 'x'; i++)
			;
		if (i >= 3 && (i == n || (i + 1 == n && ascii_lower(p[i]) >= 'a' &&
		    ascii_lower(p[i]) <= 'z'))) {
			s->capa_masked++;
			s->capa_xxxx |= n == 4 && i == n;
		}
	}
	(void)ctx;
}

/*
 * The end of a CAPA reply.  "XXXX" where STLS was is a known STRIPTLS
 * rewrite, but a device that masks every capability it does not know masks
 * UIDL or USER as readily: only the one masked line is evidence.
 */
static void
capa_done(struct pop3 *s, struct dec_ctx *ctx)
{
	s->capa_seen = true;
	s->stls_unknown = false;
	if (s->capa_stls || s->capa_masked == 0)
		return;
	if (s->capa_masked == 1 && s->capa_xxxx) {
		if (!s->strip_reported)
			stls_finding(s, ctx, K_STARTTLS_STRIPPED,
			    "CAPA line XXXX in place of STLS (no other "
			    "capability masked)");
		s->strip_reported = true;
	} else
		s->stls_unknown = true;
}

static void
body_line(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	/* RFC 1939 §3: "." alone ends it; ".." starts a byte-stuffed line. */
	if (n == 1 && p[0] == '.') {
		if (s->body == B_CAPA)
			capa_done(s, ctx);
		if (s->body == B_CAPA || s->body == B_MECHS)
			offer_finding(s, ctx);
		s->body = B_NONE;
		return;
	}
	if (s->body == B_CAPA)
		capa_line(s, ctx, p, n);
	else if (s->body == B_MECHS)
		s->offer_sasl |= sasl_mech_list(p, n);
}

/* Bytes of direction d go to the TLS reader from now on. */
static void
tls_begin(struct pop3 *s, enum dir d)
{
	if (s->state != S_TLS) {
		tls_watch_init(&s->tw);
		s->nheld[DIR_C2S] = s->nheld[DIR_S2C] = 0;
		enter_state(s, S_TLS);
	}
	s->tw_on[d] = true;
}

/* The upgrade is over (a ServerHello, or nothing more to read): stop. */
static void
tls_over(struct pop3 *s, struct dec_ctx *ctx)
{
	login_done(s, ctx, RES_UNKNOWN);
	enter_state(s, S_DONE);
}

/*
 * Bytes of direction d during the upgrade.  On TT_CLEAR the bytes given to
 * the reader before this call are copied to held (the caller reads them,
 * then p, as lines); this call's bytes are all the caller's again.
 */
static enum tls_turn
tls_bytes(struct pop3 *s, struct dec_ctx *ctx, enum dir d, const uint8_t *p,
    size_t n, uint8_t *held, size_t *nheld)
{
	const char *why;
	size_t k;

	switch (tls_watch_data(&s->tw, d, p, n)) {
	case TLS_MORE:
		k = POP3_TLS_PEEK - s->nheld[d];
		k = n < k ? n : k;
		memcpy(s->held[d] + s->nheld[d], p, k);
		s->nheld[d] += k;
		return TT_MORE;
	case TLS_HELLO_DONE:
		if (tls_is_weak(&s->tw, &why))
			stls_finding(s, ctx, K_WEAK_TLS, why);
		tls_over(s, ctx);
		return TT_DONE;
	case TLS_GIVE_UP:
		tls_over(s, ctx);
		return TT_DONE;
	case TLS_NOT_TLS:
		break;
	}
	*nheld = s->nheld[d];
	memcpy(held, s->held[d], *nheld);
	memset(s->held[d], 0, sizeof(s->held[d]));
	s->nheld[d] = 0;
	if (d == DIR_S2C) {
		s->tw_on[DIR_S2C] = false;
		/*
		 * The client already spoke TLS and the server answers in
		 * clear: a client speaking TLS to a plain server, not a leak.
		 */
		if (s->tw_on[DIR_C2S] && s->tw.h[DIR_C2S].seen > 0) {
			tls_over(s, ctx);
			return TT_DONE;
		}
		return TT_CLEAR;
	}
	/* Cleartext after +OK: the path answered for the server. */
	if (s->stls_accepted && !s->strip_reported) {
		s->strip_reported = true;
		stls_finding(s, ctx, K_STARTTLS_STRIPPED,
		    "+OK to STLS followed by cleartext");
	}
	s->tw_on[DIR_C2S] = s->tw_on[DIR_S2C] = false;
	s->stls_clear = true;		/* no TLS behind it: no second look */
	enter_state(s, S_AUTHORIZATION);
	return TT_CLEAR;
}

/* A +OK or -ERR: it answers the oldest outstanding command. */
static void
status_line(struct pop3 *s, struct dec_ctx *ctx, bool ok)
{
	struct pending c;

	if (s->qlen == 0) {
		ctx->ctr->unmatched_reply++;
		return;
	}
	c = s->q[s->qhead];
	s->qhead = (s->qhead + 1) % POP3_PIPE_MAX;
	s->qlen--;
	if (ok && c.body != B_NONE) {
		s->body = (enum body)c.body;
		if (c.body == B_CAPA) {
			s->capa_stls = false;	/* the newest CAPA wins */
			s->capa_masked = 0;
			s->capa_xxxx = false;
		}
	}
	switch ((enum cmd)c.cmd) {
	case C_PASS:
	case C_APOP:
		login_done(s, ctx, ok ? RES_SUCCESS : RES_FAILURE);
		break;
	case C_AUTH:
		if (c.body == B_MECHS)
			break;		/* the listing, not an exchange */
		if (s->state == S_SASL)
			enter_state(s, S_AUTHORIZATION);
		login_done(s, ctx, ok ? RES_SUCCESS : RES_FAILURE);
		break;
	case C_STLS:
		s->stls_reply = ok ? 1 : -1;
		if (ok && (s->state == S_AUTHORIZATION || s->state == S_TLS)) {
			/* RFC 2595 §4: both sides start TLS now. */
			s->stls_accepted = true;
			tls_begin(s, DIR_C2S);
			tls_begin(s, DIR_S2C);
		} else if (!ok) {
			stls_finding(s, ctx, K_STARTTLS_REFUSED,
			    "server answered -ERR to STLS");
			/* TLS went to a server that said no: no cleartext follows. */
			if (s->state == S_TLS)
				tls_over(s, ctx);
		}
		break;
	default:
		break;
	}
}

static void
server_line(struct pop3 *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (s->body != B_NONE) {
		body_line(s, ctx, p, n);
		return;
	}
	if (s->unconfirmed) {
		/*
		 * No greeting: the first reply decides.  POP3 says "+OK text"
		 * or "-ERR ..." (RFC 1939 §3); Redis answers a bare "+OK".
		 */
		s->unconfirmed = false;
		if (n < 4 || (!is_err(p, n) && memcmp(p, "+OK ", 4) != 0)) {
			mismatch(s, ctx);
			return;
		}
	}
	if (s->state == S_GREETING) {
		/* RFC 1939 §4: the greeting is +OK; -ERR refuses service. */
		if (is_ok(p, n))
			greeting(s, p, n);
		else if (is_err(p, n))
			enter_state(s, S_DONE);
		else
			mismatch(s, ctx);
		return;
	}
	if (is_ok(p, n)) {
		/* A midstream pickup may still start at the greeting. */
		if (!s->greeted && !s->client_spoke && s->qlen == 0)
			greeting(s, p, n);
		else
			status_line(s, ctx, true);
	} else if (is_err(p, n))
		status_line(s, ctx, false);
	else if (is_cont(p, n)) {
		if (s->state != S_SASL)
			ctx->ctr->unmatched_reply++;
	} else if (s->qlen > 0) {
		/* A reply was due: "+PONG", "$5", ":1" are Redis, not POP3. */
		if (p[0] == '+' || is_resp(p, n))
			mismatch(s, ctx);
		else
			ctx->ctr->unmatched_reply++;
	}
	/* Else: the rest of a reply that began before the capture. */
}

/* The newest outstanding command is STLS: TLS may follow before its reply. */
static bool
stls_last(const struct pop3 *s)
{
	return s->qlen > 0 &&
	    s->q[(s->qhead + s->qlen - 1) % POP3_PIPE_MAX].cmd == C_STLS;
}

static enum dec_status
status_of(const struct pop3 *s)
{
	if (s->state == S_DONE)
		return DEC_DONE;
	if (s->state == S_MISMATCH)
		return DEC_MISMATCH;
	return DEC_MORE;
}

/*
 * The bytes of one direction; `upgrade`: bytes right behind STLS, or after
 * its +OK, go to the TLS reader (off when replaying bytes it gave back).
 */
static enum dec_status
feed(struct pop3 *s, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n, bool upgrade)
{
	struct line_splitter *ls = &s->ls[dir];
	uint8_t held[POP3_TLS_PEEK];
	size_t nheld = 0;
	struct line l;
	enum line_ev ev;

	while (s->state != S_DONE && s->state != S_MISMATCH) {
		/* TLS right behind STLS: the +OK is still on its way. */
		if (upgrade && dir == DIR_C2S && !s->tw_on[dir] &&
		    !s->stls_clear && stls_last(s) && n > 0 &&
		    line_at_start(ls))
			tls_begin(s, DIR_C2S);
		if (upgrade && s->tw_on[dir]) {
			switch (tls_bytes(s, ctx, dir, p, n, held, &nheld)) {
			case TT_MORE:
				return DEC_MORE;
			case TT_DONE:
				return status_of(s);
			case TT_CLEAR:
				break;
			}
			/* Too short to hold a line that starts TLS again. */
			(void)feed(s, ctx, dir, held, nheld, false);
			continue;
		}
		if ((ev = line_next(ls, &p, &n, &l)) == LINE_NEED)
			break;
		if (ev == LINE_RAW)
			continue;
		if (dir == DIR_S2C && s->body == B_SKIP &&
		    !(l.len == 1 && l.p[0] == '.'))
			continue;	/* message data: no counters, no parsing */
		if (ev == LINE_LONG)
			ctx->ctr->line_overflow++;
		if (l.nul)
			ctx->ctr->nul_in_line++;
		if (dir == DIR_C2S)
			client_line(s, ctx, l.p, l.len);	/* the splitter wipes its copy */
		else
			server_line(s, ctx, l.p, l.len);
	}
	return status_of(s);
}

static enum dec_status
pop3_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct pop3 *s = st;

	if (s->state == S_DONE || s->state == S_MISMATCH || n == 0)
		return status_of(s);
	if (dir == DIR_S2C)
		s->server_spoke = true;
	else if (s->state == S_GREETING && !s->server_spoke) {
		/*
		 * The client spoke first.  Some servers (and test rigs) send
		 * no greeting; Redis never does.  Go on without one: what the
		 * server answers tells them apart (RESP, "+PONG").
		 */
		s->unconfirmed = true;
		enter_state(s, S_AUTHORIZATION);
	}
	return feed(s, ctx, dir, p, n, true);
}

static void
pop3_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct pop3 *s = st;

	line_gap(&s->ls[dir], missing);
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->state == S_DONE || s->state == S_MISMATCH)
		return;
	/* The exchange in flight is cut: its result is unknown. */
	login_done(s, ctx, RES_UNKNOWN);
	/* Replies can no longer be matched to commands; resync on new ones. */
	s->qhead = s->qlen = 0;
	s->body = B_NONE;
	if (s->state == S_TLS)
		enter_state(s, S_DONE);	/* the record header may be in the hole */
	else
		enter_state(s, S_AUTHORIZATION);
}

static void
pop3_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct pop3 *s = st;

	(void)why;
	if (s->state == S_DONE || s->state == S_MISMATCH)
		return;
	login_done(s, ctx, RES_UNKNOWN);
}

static void
pop3_wipe(void *st)
{
	struct pop3 *s = st;

	line_wipe(&s->ls[DIR_C2S]);
	line_wipe(&s->ls[DIR_S2C]);
	sasl_reset(&s->sasl);
	secret_drop(&s->pass);
	memset(s->user, 0, sizeof(s->user));
	s->user_len = 0;
	memset(s->held, 0, sizeof(s->held));
	s->nheld[DIR_C2S] = s->nheld[DIR_S2C] = 0;
	/* A "hello" that was really cleartext may sit in its buffers. */
	memset(&s->tw, 0, sizeof(s->tw));
}

static void
pop3_init(void *st, bool midstream)
{
	struct pop3 *s = st;

	line_init(&s->ls[DIR_C2S]);
	line_init(&s->ls[DIR_S2C]);
	enter_state(s, midstream ? S_AUTHORIZATION : S_GREETING);
}

/*
 * A server "+OK text" is a greeting (or a reply): YES, and it names the
 * server.  Client commands are MAYBE at best, since USER/PASS are FTP's too
 * and "AUTH pw" is Redis's; the port hint decides.  RESP is NO.  A bare
 * "+OK" and "-ERR" are what Redis answers as well: MAYBE.
 */
static enum probe_result
pop3_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	size_t i, wl;

	(void)dir;
	if (n == 0)
		return PROBE_MAYBE;
	if (p[0] == '*' || p[0] == '$' || p[0] == ':')
		return PROBE_NO;
	if (p[0] == '-')
		return ascii_agrees(p, n, "-ERR") ? PROBE_MAYBE : PROBE_NO;
	if (p[0] == '+') {
		if (n == 1 || is_cont(p, n))
			return PROBE_MAYBE;
		if (!ascii_agrees(p, n, "+OK"))
			return PROBE_NO;	/* "+PONG", "+QUEUED" */
		if (n > 4 && p[3] == ' ' && p[4] != '\r' && p[4] != '\n') {
			*sender_is_server = true;
			return PROBE_YES;
		}
		return PROBE_MAYBE;
	}
	for (wl = 0; wl < n && p[wl] != ' ' && p[wl] != '\r' && p[wl] != '\n';
	    wl++)
		;
	if (wl < n)
		return verb_find(p, wl) != NULL ? PROBE_MAYBE : PROBE_NO;
	/* The verb is still incomplete: the start of one of ours? */
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (wl <= strlen(verbs[i].name) &&
		    ascii_agrees(p, wl, verbs[i].name))
			return PROBE_MAYBE;
	return PROBE_NO;
}

static const uint16_t pop3_ports[] = { 110, 1110, 0 };

const struct decoder pop3_decoder = {
	.name = "pop3",
	.ports = pop3_ports,
	.state_size = sizeof(struct pop3),
	.probe = pop3_probe,
	.init = pop3_init,
	.data = pop3_data,
	.gap = pop3_gap,
	.end = pop3_end,
	.wipe = pop3_wipe,
};
