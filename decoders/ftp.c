/*
 * ftp.c - FTP control connections: USER/PASS logins and AUTH TLS use.
 *
 * Specifications: RFC 959 (FTP: §4.2 replies, §5.3 commands, §5.4
 * sequencing), RFC 1635 (anonymous FTP), RFC 2228 (AUTH), RFC 2389 (FEAT),
 * RFC 4217 (FTP over TLS).
 *
 * Commands go into a bounded FIFO and each final reply answers the oldest
 * (clients may send several commands before the first reply arrives).  A
 * 1yz reply is preliminary: its command waits for another (RFC 959 §4.2).
 * A multi-line reply ends at the line that starts with its code and a
 * space; the lines between may be anything and are read only in the answer
 * to FEAT.  A PASS or ACCT argument is never stored, only measured.
 *
 * Policies, where the wire leaves a choice:
 * - A login (USER, PASS, ACCT) is reported once a PASS crossed the wire, at
 *   its final reply: 230/202 success, 4yz/5yz failure, 421 (the server
 *   hangs up) unknown.  USER answered 230 or 202 with no PASS sent is a
 *   login in clear too ("USER (no PASS sent)"), reported at the next
 *   command unless that is PASS.  After a success, DEC_DONE once a FEAT
 *   answer was seen (or 16 commands later).  A second USER or PASS while a
 *   password awaits its reply ends that one unknown.
 * - Anonymous logins (RFC 1635: "anonymous" or "ftp") are reported with
 *   anonymous set.
 * - STARTTLS advice needs a FEAT answer, before or soon after the login:
 *   AUTH TLS listed and unused, or not listed, when a login crossed in
 *   clear.
 * - Data connections carry no logins.  Until the server has sent a
 *   well-formed reply, control bytes, server lines without a reply code and
 *   client lines that are no command detach the decoder.
 */
#include <string.h>
#ifdef FTP_DEBUG
#include <stdio.h>
#endif

#include "decoder.h"
#include "line.h"
#include "sasl.h"
#include "tls.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define FTP_PIPE_MAX	32	/* outstanding commands tracked */
#define FTP_PICKUP_JUNK	8	/* shapeless lines let by after a pickup */
#define FTP_PROBE_SCAN	512	/* greeting bytes searched for "FTP" */

enum ftp_state {
	S_GREETING = 0,	/* handshake seen: the server speaks first (§5.4) */
	S_READY,	/* commands and replies; a pickup starts here */
	S_DONE,		/* logged in, TLS, or service refused */
	S_MISMATCH	/* not an FTP control connection */
};

/* The commands whose replies change what we know. */
enum cmd {
	C_OTHER = 0,
	C_USER,
	C_PASS,
	C_ACCT,
	C_AUTH_TLS,
	C_FEAT
};

struct pending {
	uint8_t		 cmd;	/* enum cmd */
	uint8_t		 seq;	/* login attempt of a USER/PASS/ACCT */
};

struct ftp {
	enum ftp_state	 state;
	bool		 confirmed;	/* a well-formed reply was seen */
	bool		 greeted;
	bool		 client_spoke;
	bool		 gap_seen;
	unsigned	 junk;		/* unconfirmed lines still tolerated */

	int		 ml_code;	/* in a multi-line reply: its code */
	uint8_t		 ml_cmd;	/* the command it answers */

	bool		 feat_seen;	/* a 2yz answer to FEAT */
	bool		 feat_tls;	/* it listed AUTH TLS or SSL */
	bool		 feat_acc;	/* ... in the FEAT reply being read */
	bool		 tls_requested;
	int		 tls_reply;	/* code of the answer to AUTH TLS/SSL */
	bool		 tls_reported;	/* a STARTTLS advice was given */
	bool		 strip_reported;

	bool		 tls[2];	/* by enum dir: bytes go to tls_watch */
	bool		 tls_fed;	/* client bytes went to it already */
	struct tls_watch tw;

	struct pending	 q[FTP_PIPE_MAX];
	unsigned	 qhead;
	unsigned	 qlen;

	bool		 login;		/* an attempt awaits its final reply */
	uint8_t		 seq;
	bool		 pass_sent;
	bool		 user_ok;	/* USER alone was answered 230: logged in, a PASS may follow */
	bool		 logged_in;	/* a login succeeded; waiting a while for FEAT */
	uint8_t		 after_login;	/* commands since, bounded */
	bool		 pass_secret;	/* the PASS argument was not empty */
	struct held_secret pass;	/* PASS's argument, for the fingerprint */
	bool		 anon;
	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];

	struct line_splitter ls[2];
};

typedef enum cmd cmd_fn(struct ftp *, struct dec_ctx *, const uint8_t *,
    size_t);

static cmd_fn cmd_user, cmd_pass, cmd_acct, cmd_auth;

/* RFC 959 §5.3.1, RFC 2228 §3, RFC 2389 §3. */
static const struct verb {
	const char	*name;
	enum cmd	 cmd;
	cmd_fn		*fn;
} verbs[] = {
	{ "USER",	C_USER,		cmd_user },
	{ "PASS",	C_PASS,		cmd_pass },
	{ "ACCT",	C_ACCT,		cmd_acct },
	{ "AUTH",	C_OTHER,	cmd_auth },
	{ "FEAT",	C_FEAT,		NULL },
};

static void
enter_state(struct ftp *s, enum ftp_state next)
{
#ifdef FTP_DEBUG
	static const char *const names[] = {
		"GREETING", "READY", "DONE", "MISMATCH"
	};

	fprintf(stderr, "ftp: %s -> %s\n", names[s->state], names[next]);
#endif
	s->state = next;
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(uint8_t c)
{
	return ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z';
}

/*
 * Bytes no text protocol sends: file data on a data connection.  ESC is
 * allowed, for the ANSI colours of some banners.
 */
static bool
has_ctl(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\r' && p[i] != '\n' &&
		    p[i] != '\t' && p[i] != 0x1b) || p[i] == 0x7f)
			return true;
	return false;
}

/*
 * RFC 959 §4.2: three digits, then SP (the last line) or "-" (the first of
 * several); some servers send the bare code.  -1 if the line is no reply.
 */
static int
reply_code(const uint8_t *p, size_t n, bool *more)
{
	if (n < 3 || p[0] < '1' || p[0] > '5' || !is_digit(p[1]) ||
	    !is_digit(p[2]) || (n > 3 && p[3] != ' ' && p[3] != '-'))
		return -1;
	*more = n > 3 && p[3] == '-';
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* RFC 959 §5.3.1: a command code is three or four letters; 0 if none. */
static size_t
verb_len(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 5 && is_alpha(p[i]); i++)
		;
	if ((i != 3 && i != 4) || (i < n && p[i] != ' ' && p[i] != '\t'))
		return 0;
	return i;
}

static void
finding_init(const struct ftp *s, struct finding *f, enum finding_kind k)
{
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->app_proto = "ftp";
	if (s->tls_reply == 234 || s->tls_reply == 334)
		f->starttls_offered = TRI_YES;
	else if (s->feat_seen)
		f->starttls_offered = s->feat_tls ? TRI_YES : TRI_NO;
	f->starttls_requested = s->tls_requested;
	f->starttls_reply = s->tls_reply;
	f->gap_seen = s->gap_seen;
}

static void
note(struct ftp *s, struct dec_ctx *ctx, enum finding_kind k, const char *why)
{
	struct finding f;

	finding_init(s, &f, k);
	f.reason = why;
	dec_emit(ctx, &f);
}

/*
 * starttls_offered_not_used / starttls_not_offered, once, when a password
 * crossed in clear.  Only on a certain basis: a FEAT answer (RFC 4217 §6
 * lists AUTH there) and no AUTH TLS attempt.
 */
static void
tls_findings(struct ftp *s, struct dec_ctx *ctx)
{
	if (s->tls_reported || !s->feat_seen || s->tls_requested)
		return;
	s->tls_reported = true;
	if (s->feat_tls)
		note(s, ctx, K_STARTTLS_OFFERED_NOT_USED,
		    "FEAT listed AUTH TLS; client logged in without it");
	else
		note(s, ctx, K_STARTTLS_NOT_OFFERED,
		    "FEAT did not list AUTH TLS; client logged in in clear");
}

/* The login attempt ends with `res`: report it if a password crossed. */
static void
login_done(struct ftp *s, struct dec_ctx *ctx, enum auth_result res)
{
	struct finding f;

	if (!s->login)
		return;
	if (s->pass_sent || s->user_ok) {
		/*
		 * A USER answered 230 with no PASS at all (anonymous servers
		 * do this) is still a login in clear, with its name.
		 */
		finding_init(s, &f, K_CLEARTEXT_CREDENTIALS);
		f.mechanism = s->pass_sent ? "USER/PASS" : "USER (no PASS sent)";
		f.username = s->user_len > 0 ? s->user : NULL;
		f.username_len = s->user_len;
		f.username_truncated = s->user_truncated;
		f.result = s->pass_sent ? res : RES_SUCCESS;
		f.anonymous = s->anon;
		f.secret_seen = s->pass_sent && s->pass_secret;
		/* An anonymous login's "password" is a mail address, no secret. */
		f.secret = s->pass.len > 0 && !s->anon ? s->pass.b : NULL;
		f.secret_len = f.secret != NULL ? s->pass.len : 0;
		dec_emit(ctx, &f);
		if (f.result == RES_SUCCESS)
			s->logged_in = true;
		tls_findings(s, ctx);
	}
	s->login = s->pass_sent = s->pass_secret = s->anon = s->user_ok = false;
	secret_drop(&s->pass);
	memset(s->user, 0, s->user_len);
	s->user_len = 0;
	s->user_truncated = false;
	/*
	 * The rest is file transfer; but a FEAT sent after the login still
	 * tells whether AUTH TLS was on offer, so wait for one a little.
	 */
	if (s->logged_in && (s->feat_seen || s->tls_reported))
		enter_state(s, S_DONE);
}

/* Last words before the decoder stops (end() is not called after DONE). */
static void
finish(struct ftp *s, struct dec_ctx *ctx)
{
	login_done(s, ctx, RES_UNKNOWN);
	enter_state(s, S_DONE);
}

static void
mismatch(struct ftp *s, struct dec_ctx *ctx)
{
	ctx->ctr->mismatch++;
	s->login = false;
	secret_drop(&s->pass);
	enter_state(s, S_MISMATCH);
}

/* A line of no FTP shape before any reply: tolerated after a pickup only. */
static bool
tolerate(struct ftp *s, struct dec_ctx *ctx)
{
	if (s->junk > 0) {
		s->junk--;
		return true;
	}
	mismatch(s, ctx);
	return false;
}

/* A new attempt; an earlier one whose reply is still due ends unknown. */
static void
login_start(struct ftp *s, struct dec_ctx *ctx)
{
	if (s->login && s->pass_sent)
		login_done(s, ctx, RES_UNKNOWN);
	s->login = true;
	s->seq++;
}

static enum cmd
cmd_user(struct ftp *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	login_start(s, ctx);
	memset(s->user, 0, s->user_len);
	s->user_truncated = n > SASL_USER_MAX;
	s->user_len = n > SASL_USER_MAX ? SASL_USER_MAX : n;
	memcpy(s->user, arg, s->user_len);	/* "user@host" (proxies) */
	s->anon = (n == 9 && ascii_prefix(arg, n, "anonymous")) ||
	    (n == 3 && ascii_prefix(arg, n, "ftp"));
	return C_USER;
}

static enum cmd
cmd_pass(struct ftp *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	if (!s->login || s->pass_sent)
		login_start(s, ctx);	/* no USER in sight: no name */
	s->pass_sent = true;
	s->pass_secret = n > 0;
	secret_hold(&s->pass, arg, n);
	return C_PASS;
}

/* RFC 959 §5.4: 332 asks for ACCT, part of the login. */
static enum cmd
cmd_acct(struct ftp *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	(void)arg;
	(void)n;
	if (!s->login)
		login_start(s, ctx);
	return C_ACCT;
}

/* RFC 4217 §4: "AUTH TLS"; older clients say SSL, TLS-C or TLS-P. */
static enum cmd
cmd_auth(struct ftp *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	(void)ctx;
	if (!ascii_prefix(arg, n, "TLS") && !ascii_prefix(arg, n, "SSL"))
		return C_OTHER;		/* GSSAPI and the like: no TLS */
	s->tls_requested = true;
	return C_AUTH_TLS;
}

static void
push_cmd(struct ftp *s, struct dec_ctx *ctx, enum cmd c)
{
	struct pending *e;

	if (s->qlen == FTP_PIPE_MAX) {
		ctx->ctr->pipeline_overflow++;
		return;
	}
	e = &s->q[(s->qhead + s->qlen) % FTP_PIPE_MAX];
	e->cmd = (uint8_t)c;
	e->seq = s->seq;
	s->qlen++;
}

static void
client_line(struct ftp *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	const struct verb *v = NULL;
	const uint8_t *arg;
	size_t i, vl, alen;
	enum cmd c = C_OTHER;

	if (n == 0)
		return;
	s->client_spoke = true;
	if ((vl = verb_len(p, n)) == 0) {
		/* Not a command: the server still answers it (500). */
		if (s->confirmed || tolerate(s, ctx))
			push_cmd(s, ctx, C_OTHER);
		return;
	}
	for (i = 0; i < nitems(verbs); i++)
		if (line_verb_is(p, vl, verbs[i].name))
			v = &verbs[i];
	if (v != NULL) {
		arg = p + vl + line_skip_ws(p + vl, n - vl);
		alen = n - (size_t)(arg - p);
		while (alen > 0 &&
		    (arg[alen - 1] == ' ' || arg[alen - 1] == '\t'))
			alen--;
		if (s->user_ok && v->cmd != C_PASS && v->cmd != C_ACCT)
			login_done(s, ctx, RES_SUCCESS);	/* no PASS came */
		c = v->fn != NULL ? v->fn(s, ctx, arg, alen) : v->cmd;
	}
	push_cmd(s, ctx, c);
	/* Logged in: a few more commands to catch a FEAT, then stop. */
	if (s->logged_in && ++s->after_login > 16)
		enter_state(s, S_DONE);
}

/*
 * RFC 2389 §3.2: one feature per line after a space; RFC 4217 §6 lists
 * "AUTH TLS", servers add SSL, TLS-C, TLS-P separated by ';' or spaces.
 */
static void
feat_line(struct ftp *s, const uint8_t *p, size_t n)
{
	size_t i, k;

	i = line_skip_ws(p, n);
	if (!line_verb_is(p + i, n - i, "AUTH"))
		return;
	for (i += 4; i < n; i = k) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ';' ||
		    p[i] == ','))
			i++;
		for (k = i; k < n && p[k] != ' ' && p[k] != '\t' &&
		    p[k] != ';' && p[k] != ','; k++)
			;
		if (ascii_prefix(p + i, k - i, "TLS") ||
		    ascii_prefix(p + i, k - i, "SSL"))
			s->feat_acc = true;
	}
}

static void
tls_begin(struct ftp *s)
{
	if (!s->tls[DIR_C2S] && !s->tls[DIR_S2C])
		tls_watch_init(&s->tw);
	s->tls_fed = false;
}

/* RFC 2228 §3, RFC 4217 §4: 234 starts TLS (334: old AUTH SSL servers). */
static void
auth_reply(struct ftp *s, struct dec_ctx *ctx, int code)
{
	s->tls_reply = code;
	if (code == 234 || code == 334) {
		if (!s->tls[DIR_C2S])
			tls_begin(s);
		s->tls[DIR_C2S] = s->tls[DIR_S2C] = true;
	} else if (code >= 400) {
		note(s, ctx, K_STARTTLS_REFUSED, "server refused AUTH TLS");
		if (s->tls[DIR_C2S])
			finish(s, ctx);	/* the client went ahead with TLS */
	}
}

/* RFC 959 §5.4: 120 (220 follows), 220 ready, 421 service refused. */
static void
greeting(struct ftp *s, struct dec_ctx *ctx, int code)
{
	s->greeted = true;
	if (code / 100 == 1)
		return;
	if (code / 100 == 2)
		enter_state(s, S_READY);
	else
		finish(s, ctx);
}

/*
 * RFC 959 §5.4 lists the answers to USER, PASS and ACCT: 230 and 202 log
 * in, 4yz and 5yz do not (421: the server closes, the password untried).
 * Any other code answers some command lost in a hole: unknown.
 */
static enum auth_result
login_result(int code)
{
	if (code == 230 || code == 202)
		return RES_SUCCESS;
	if (code >= 400 && code != 421)
		return RES_FAILURE;
	return RES_UNKNOWN;
}

/* A complete reply: it answers the oldest outstanding command. */
static void
reply(struct ftp *s, struct dec_ctx *ctx, int code)
{
	struct pending c;

	if (s->state == S_GREETING) {
		greeting(s, ctx, code);
		return;
	}
	if (s->qlen == 0) {
		/* A pickup may begin at the greeting; else nothing asked. */
		if (s->greeted || s->client_spoke)
			ctx->ctr->unmatched_reply++;
		s->greeted = true;
		return;
	}
	if (code / 100 == 1)
		return;		/* RFC 959 §4.2: preliminary, more follows */
	c = s->q[s->qhead];
	s->qhead = (s->qhead + 1) % FTP_PIPE_MAX;
	s->qlen--;
	switch ((enum cmd)c.cmd) {
	case C_USER:
	case C_PASS:
	case C_ACCT:
		if (c.cmd == C_USER && s->login && c.seq == s->seq &&
		    !s->pass_sent && (code == 230 || code == 202)) {
			s->user_ok = true;	/* reported at the next command */
			break;
		}
		if (s->login && c.seq == s->seq && code / 100 != 3)
			login_done(s, ctx, login_result(code));
		break;	/* else settled already, or 331/332: more to come */
	case C_AUTH_TLS:
		auth_reply(s, ctx, code);
		break;
	case C_FEAT:
		if (code / 100 == 2) {
			s->feat_seen = true;
			s->feat_tls = s->feat_acc;	/* the last FEAT wins */
			if (s->logged_in) {
				tls_findings(s, ctx);
				enter_state(s, S_DONE);
			}
		}
		break;
	case C_OTHER:
		break;
	}
	s->feat_acc = false;
}

static void
server_line(struct ftp *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	bool more = false;
	int code = reply_code(p, n, &more);

	if (s->ml_code != 0) {
		/* RFC 959 §4.2: only "<same code> SP" ends it. */
		if (code != s->ml_code || more) {
			/* Some servers write "211-AUTH TLS". */
			if (s->ml_cmd == C_FEAT && code > 0 && n > 3)
				feat_line(s, p + 4, n - 4);
			else if (s->ml_cmd == C_FEAT)
				feat_line(s, p, n);
			return;
		}
		s->ml_code = 0;
		reply(s, ctx, code);
		return;
	}
	if (code < 0) {
		if (s->confirmed)
			ctx->ctr->unmatched_reply++;
		else
			(void)tolerate(s, ctx);
		return;
	}
	s->confirmed = true;
	if (more) {
		s->ml_code = code;
		s->ml_cmd = s->state != S_GREETING && s->qlen > 0 ?
		    s->q[s->qhead].cmd : C_OTHER;
		return;
	}
	reply(s, ctx, code);
}

static enum dec_status
status_of(const struct ftp *s)
{
	if (s->state == S_DONE)
		return DEC_DONE;
	if (s->state == S_MISMATCH)
		return DEC_MISMATCH;
	return DEC_MORE;
}

static enum dec_status tls_bytes(struct ftp *, struct dec_ctx *, enum dir,
    const uint8_t *, size_t);

static enum dec_status
lines(struct ftp *s, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct line_splitter *ls = &s->ls[dir];
	struct line l;
	enum line_ev ev;

	while (s->state < S_DONE &&
	    (ev = line_next(ls, &p, &n, &l)) != LINE_NEED) {
		if (ev == LINE_LONG)
			ctx->ctr->line_overflow++;
		if (l.nul)
			ctx->ctr->nul_in_line++;
		if (dir == DIR_C2S)
			client_line(s, ctx, l.p, l.len);
		else
			server_line(s, ctx, l.p, l.len);
		if (s->tls[dir])	/* 234: what follows it is TLS */
			return tls_bytes(s, ctx, dir, p, n);
	}
	return status_of(s);
}

/*
 * After 234 (RFC 4217 §4) both sides speak TLS.  Cleartext from the client
 * means something on the path answered 234 for the server, or the client
 * ignores it: report it and read on in clear.  A command starts with a
 * letter, never a record's first byte, so the verdict comes on the first
 * byte; bytes the reader took earlier are only skipped to the next line.
 */
static enum dec_status
tls_bytes(struct ftp *s, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	const char *why;

	if (n == 0)
		return status_of(s);
	switch (tls_watch_data(&s->tw, dir, p, n)) {
	case TLS_MORE:
		s->tls_fed |= dir == DIR_C2S;
		return DEC_MORE;
	case TLS_NOT_TLS:
		if (dir == DIR_S2C)
			break;	/* the client's bytes were TLS: done */
		if (!s->strip_reported)
			note(s, ctx, K_STARTTLS_STRIPPED,
			    "cleartext commands after 234 to AUTH TLS");
		s->strip_reported = true;
		s->tls[DIR_C2S] = s->tls[DIR_S2C] = false;
		if (s->tls_fed)
			line_gap(&s->ls[DIR_C2S], 0);
		return lines(s, ctx, dir, p, n);
	case TLS_HELLO_DONE:
		if (tls_is_weak(&s->tw, &why)) {
			struct finding f;

			finding_init(s, &f, K_WEAK_TLS);
			f.tls_version = s->tw.version;
			f.tls_cipher = s->tw.cipher;
			f.reason = why;
			dec_emit(ctx, &f);
		}
		break;
	case TLS_GIVE_UP:
		break;
	}
	finish(s, ctx);
	return DEC_DONE;
}

/* The newest outstanding command is AUTH TLS: TLS may come before 234. */
static bool
auth_last(const struct ftp *s)
{
	return s->qlen > 0 &&
	    s->q[(s->qhead + s->qlen - 1) % FTP_PIPE_MAX].cmd == C_AUTH_TLS;
}

static enum dec_status
ftp_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct ftp *s = st;

	if (s->state >= S_DONE || n == 0)
		return status_of(s);
	if (dir == DIR_C2S && !s->tls[dir] && auth_last(s) && p[0] == 0x16 &&
	    line_at_start(&s->ls[dir])) {
		tls_begin(s);	/* the 234 is still on its way */
		s->tls[DIR_C2S] = true;
	}
	if (s->tls[dir])
		return tls_bytes(s, ctx, dir, p, n);
	if (!s->confirmed && has_ctl(p, n)) {
		mismatch(s, ctx);	/* file data, not commands or replies */
		return DEC_MISMATCH;
	}
	return lines(s, ctx, dir, p, n);
}

static void
ftp_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct ftp *s = st;

	line_gap(&s->ls[dir], missing);
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->state >= S_DONE)
		return;
	if (s->tls[DIR_C2S] || s->tls[DIR_S2C]) {
		finish(s, ctx);	/* the record header may be in the hole */
		return;
	}
	/* A password in flight: its reply may be in the hole. */
	if (s->pass_sent)
		login_done(s, ctx, RES_UNKNOWN);
	/* Replies can no longer be matched to commands; resync on new ones. */
	s->qhead = s->qlen = 0;
	s->ml_code = 0;
	s->feat_acc = false;
	if (s->state == S_GREETING)
		enter_state(s, S_READY);
	if (!s->confirmed)
		s->junk = FTP_PICKUP_JUNK;
}

static void
ftp_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct ftp *s = st;

	(void)why;
	if (s->state < S_DONE)
		login_done(s, ctx, RES_UNKNOWN);
}

static void
ftp_wipe(void *st)
{
	struct ftp *s = st;

	line_wipe(&s->ls[DIR_C2S]);
	line_wipe(&s->ls[DIR_S2C]);
	secret_drop(&s->pass);
	memset(s->user, 0, sizeof(s->user));
	s->user_len = 0;
}

static void
ftp_init(void *st, bool midstream)
{
	struct ftp *s = st;

	line_init(&s->ls[DIR_C2S]);
	line_init(&s->ls[DIR_S2C]);
	s->junk = midstream ? FTP_PICKUP_JUNK : 0;
	enter_state(s, midstream ? S_READY : S_GREETING);
}

/* A reply line as the first bytes: only a 220 naming FTP is ours for sure. */
static enum probe_result
probe_reply(const uint8_t *p, size_t n, bool *sender_is_server)
{
	bool more, ftp, smtp;
	size_t i;
	int code;

	for (i = 0; i < n && i < 3; i++)
		if (!is_digit(p[i]))
			return PROBE_NO;
	if (n < 4)
		return PROBE_MAYBE;
	if ((code = reply_code(p, n, &more)) < 0)
		return PROBE_NO;
	if (code == 120 || code == 421)
		return PROBE_MAYBE;	/* RFC 959 §5.4; SMTP says 421 too */
	if (code != 220)
		return PROBE_NO;
	if (n > FTP_PROBE_SCAN)
		n = FTP_PROBE_SCAN;
	if (has_ctl(p, n))
		return PROBE_NO;
	/* SMTP greets with 220 too (RFC 5321 §4.2); its probe takes "SMTP". */
	ftp = ascii_find(p, n, "FTP");
	smtp = ascii_find(p, n, "SMTP");
	if (ftp && !smtp) {
		*sender_is_server = true;
		return PROBE_YES;
	}
	return smtp && !ftp ? PROBE_NO : PROBE_MAYBE;
}

/*
 * One client line (`whole`: its LF was seen).  YES for a command only FTP
 * has (RFC 959 §4.1, RFC 2389, RFC 4217); MAYBE for USER and PASS, which
 * POP3 shares, and for the start of a command; else NO.
 */
static enum probe_result
probe_command(const uint8_t *p, size_t n, bool whole)
{
	static const char *const only[] = {
		"FEAT", "SYST", "PWD", "CWD", "TYPE", "PASV", "EPSV", "ACCT"
	};
	static const char *const shared[] = { "USER", "PASS", "AUTH", "OPTS" };
	const uint8_t *arg;
	size_t i, wl, alen;
	bool has_arg;

	if (whole && n > 0 && p[n - 1] == '\r')
		n--;
	for (wl = 0; wl < n && wl < 5 && is_alpha(p[wl]); wl++)
		;
	if (wl == n && !whole) {
		for (i = 0; i < nitems(only) + nitems(shared); i++)
			if (wl <= 4 && ascii_agrees(p, wl, i < nitems(only) ?
			    only[i] : shared[i - nitems(only)]))
				return PROBE_MAYBE;
		return PROBE_NO;
	}
	if ((wl != 3 && wl != 4) || (wl < n && p[wl] != ' ' && p[wl] != '\r'))
		return PROBE_NO;
	for (i = 0; i < nitems(only); i++)
		if (wl == strlen(only[i]) && ascii_agrees(p, wl, only[i]))
			return PROBE_YES;
	has_arg = wl < n && p[wl] == ' ';
	arg = p + wl + (has_arg ? 1 : 0);
	alen = n - (size_t)(arg - p);
	if (wl != 4 || !has_arg)
		return PROBE_NO;
	if (ascii_agrees(p, 4, "USER") || ascii_agrees(p, 4, "PASS"))
		return PROBE_MAYBE;
	if (ascii_agrees(p, 4, "OPTS"))
		return ascii_prefix(arg, alen, "UTF8") ? PROBE_YES : PROBE_MAYBE;
	if (!ascii_agrees(p, 4, "AUTH"))
		return PROBE_NO;
	if (alen < 3 && !whole)
		return ascii_agrees(arg, alen, "TLS") ||
		    ascii_agrees(arg, alen, "SSL") ? PROBE_MAYBE : PROBE_NO;
	if ((!ascii_prefix(arg, alen, "TLS") && !ascii_prefix(arg, alen, "SSL")) ||
	    (alen > 3 && arg[3] != '-' && arg[3] != ' ' && arg[3] != '\r'))
		return PROBE_NO;
	return PROBE_YES;
}

/*
 * A 220 naming FTP, or client lines one of which only FTP sends (a client
 * that sends USER, PASS and SYST before any reply).  The first line alone
 * can say NO.
 */
static enum probe_result
ftp_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	const uint8_t *lf;
	enum probe_result v;
	size_t len;
	bool first = true;

	(void)dir;
	if (n == 0)
		return PROBE_MAYBE;
	if (is_digit(p[0]))
		return probe_reply(p, n, sender_is_server);
	if (n > FTP_PROBE_SCAN)
		n = FTP_PROBE_SCAN;
	for (; n > 0; first = false) {
		lf = memchr(p, '\n', n);
		len = lf != NULL ? (size_t)(lf - p) : n;
		v = probe_command(p, len, lf != NULL);
		if (v == PROBE_YES) {
			*sender_is_server = false;
			return PROBE_YES;
		}
		if (v == PROBE_NO)
			return first ? PROBE_NO : PROBE_MAYBE;
		if (lf == NULL)
			break;
		p = lf + 1;
		n -= len + 1;
	}
	return PROBE_MAYBE;
}

static const uint16_t ftp_ports[] = { 21, 2121, 0 };

const struct decoder ftp_decoder = {
	.name = "ftp",
	.ports = ftp_ports,
	.state_size = sizeof(struct ftp),
	.probe = ftp_probe,
	.init = ftp_init,
	.data = ftp_data,
	.gap = ftp_gap,
	.end = ftp_end,
	.wipe = ftp_wipe,
};
