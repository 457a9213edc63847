/*
 * nntp.c - NNTP: AUTHINFO logins in clear and STARTTLS.
 *
 * Specifications: RFC 3977 (NNTP: greeting §5.1, multi-line data blocks
 * §3.1.1, pipelining §3.5), RFC 4643 (AUTHINFO USER/PASS §2.3, AUTHINFO
 * SASL §2.4 with 383 continuations, 281/283 success, 481/482 failure),
 * RFC 4642 (STARTTLS, 382 "continue with TLS negotiation").
 *
 * Commands go into a bounded FIFO so that each reply is matched to the
 * command it answers, and so that the data blocks of ARTICLE, HEAD, BODY,
 * LIST, OVER and the like (up to a line holding a single ".") are skipped:
 * article text is never read as replies.  Articles the client sends after
 * 340/335 are skipped the same way.
 */
#include <string.h>

#include "decoder.h"
#include "line.h"
#include "sasl.h"

#define NNTP_PIPE_MAX	32	/* outstanding commands tracked */

enum cmd {
	C_OTHER = 0,
	C_USER,		/* AUTHINFO USER */
	C_PASS,		/* AUTHINFO PASS */
	C_SASL,		/* AUTHINFO SASL */
	C_STARTTLS,
	C_LISTGROUP,	/* 211 carries a data block only for LISTGROUP */
	C_POST		/* POST, IHAVE: 340/335 ask for an article */
};

enum login {
	L_NONE = 0,
	L_USER,		/* AUTHINFO USER sent, PASS perhaps to come */
	L_PASS,
	L_SASL
};

struct nntp {
	struct line_splitter ls[2];
	uint8_t		 q[NNTP_PIPE_MAX];	/* enum cmd */
	unsigned	 qhead, qlen;
	bool		 s_block;	/* inside a server data block */
	bool		 c_block;	/* inside an article the client sends */
	bool		 in_sasl;	/* client lines are SASL responses */
	bool		 greeted;

	enum login	 login;
	size_t		 user_len;
	bool		 user_truncated;
	uint8_t		 user[SASL_USER_MAX];
	bool		 pass_secret;
	struct held_secret pass;
	struct sasl_exchange sasl;

	bool		 gap_seen;
	bool		 done;
};

/* Mechanism label of an RFC 4643 §2.4 login. */
static const char *
sasl_label(enum sasl_mech m)
{
	switch (m) {
	case MECH_PLAIN:
		return "AUTHINFO SASL PLAIN";
	case MECH_LOGIN:
		return "AUTHINFO SASL LOGIN";
	case MECH_CRAM_MD5:
		return "AUTHINFO SASL CRAM-MD5";
	case MECH_DIGEST_MD5:
		return "AUTHINFO SASL DIGEST-MD5";
	case MECH_NTLM:
		return "AUTHINFO SASL NTLM";
	case MECH_XOAUTH2:
		return "AUTHINFO SASL XOAUTH2";
	case MECH_OAUTHBEARER:
		return "AUTHINFO SASL OAUTHBEARER";
	default:
		return "AUTHINFO SASL";
	}
}

/* RFC 3977 §3.1: a line that is one known command word, no argument. */
static bool
bare_verb(const uint8_t *p, size_t n)
{
	static const char *const verbs[] = { "QUIT", "LIST", "HELP", "DATE",
	    "NEXT", "LAST", "STAT", "HEAD", "BODY", "MODE", "GROUP",
	    "ARTICLE", "CAPABILITIES", "NEWGROUPS", "NEWNEWS", "POST" };
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (ascii_ieq(p, n, verbs[i]))
			return true;
	return false;
}

static void
login_done(struct nntp *s, struct dec_ctx *ctx, enum auth_result res)
{
	const struct sasl_exchange *x = &s->sasl;
	struct finding f;
	bool emit = true;

	if (s->login == L_NONE)
		return;
	memset(&f, 0, sizeof(f));
	f.kind = K_CLEARTEXT_CREDENTIALS;
	f.app_proto = "nntp";
	f.gap_seen = s->gap_seen;
	f.result = res;
	if (s->login == L_SASL) {
		if (x->malformed)
			ctx->ctr->bad_sasl++;
		switch (sasl_exchange_class(x)) {
		case MC_CLEARTEXT:
		case MC_BEARER:
			emit = x->secret_seen;
			break;
		case MC_CHALLENGE:
			f.kind = K_CHALLENGE_RESPONSE;
			emit = x->responses >= (x->mech == MECH_NTLM ? 2u : 1u);
			break;
		default:
			emit = false;
			break;
		}
		f.mechanism = sasl_label(x->mech);
		f.secret_seen = x->secret_seen;
		if (x->pass.len > 0) {
			f.secret = x->pass.b;
			f.secret_len = x->pass.len;
		}
		if (x->user_len > 0) {
			f.username = x->user;
			f.username_len = x->user_len;
			f.username_truncated = x->user_truncated;
		}
	} else {
		f.mechanism = "AUTHINFO USER/PASS";
		f.secret_seen = s->pass_secret;
		if (s->pass.len > 0) {
			f.secret = s->pass.b;
			f.secret_len = s->pass.len;
		}
		if (s->user_len > 0) {
			f.username = s->user;
			f.username_len = s->user_len;
			f.username_truncated = s->user_truncated;
		}
	}
	if (emit)
		dec_emit(ctx, &f);
	s->login = L_NONE;
	s->pass_secret = false;
	secret_drop(&s->pass);
	sasl_reset(&s->sasl);
	s->in_sasl = false;
	if (res == RES_SUCCESS)
		s->done = true;		/* the rest is news reading */
}

static void
push(struct nntp *s, struct dec_ctx *ctx, enum cmd c)
{
	if (s->qlen == NNTP_PIPE_MAX) {
		ctx->ctr->pipeline_overflow++;
		return;
	}
	s->q[(s->qhead + s->qlen) % NNTP_PIPE_MAX] = (uint8_t)c;
	s->qlen++;
}

/* RFC 4643 §2.3-2.4: AUTHINFO USER name, AUTHINFO PASS pw, AUTHINFO SASL mech [ir]. */
static enum cmd
authinfo(struct nntp *s, struct dec_ctx *ctx, const uint8_t *a, size_t n)
{
	size_t wl = 0, sk, ml;

	while (wl < n && a[wl] != ' ' && a[wl] != '\t')
		wl++;
	sk = wl + line_skip_ws(a + wl, n - wl);
	a += sk;
	n -= sk;
	if (ascii_ieq(a - sk, wl, "USER")) {
		if (s->login != L_USER)
			login_done(s, ctx, RES_UNKNOWN);
		s->login = L_USER;
		s->user_truncated = n > SASL_USER_MAX;
		s->user_len = n > SASL_USER_MAX ? SASL_USER_MAX : n;
		memcpy(s->user, a, s->user_len);
		return C_USER;
	}
	if (ascii_ieq(a - sk, wl, "PASS")) {
		if (s->login != L_USER && s->login != L_PASS) {
			login_done(s, ctx, RES_UNKNOWN);
			s->user_len = 0;
		}
		s->login = L_PASS;
		s->pass_secret = n > 0;
		secret_hold(&s->pass, a, n);
		return C_PASS;
	}
	if (ascii_ieq(a - sk, wl, "SASL")) {
		login_done(s, ctx, RES_UNKNOWN);
		for (ml = 0; ml < n && a[ml] != ' ' && a[ml] != '\t'; ml++)
			;
		sk = line_skip_ws(a + ml, n - ml);
		sasl_begin(&s->sasl, sasl_mech_lookup(a, ml), ml + sk < n,
		    a + ml + sk, n - ml - sk);
		s->login = L_SASL;
		s->in_sasl = true;
		return C_SASL;
	}
	return C_OTHER;
}

static void
client_line(struct nntp *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	enum cmd c = C_OTHER;
	size_t sk;

	if (s->c_block) {
		/* RFC 3977 §3.1.1: "." alone ends the article. */
		if (n == 1 && p[0] == '.')
			s->c_block = false;
		return;
	}
	if (s->in_sasl) {
		/*
		 * RFC 4643 §2.4: responses until the final reply; "*" cancels.
		 * A bare verb ("QUIT", "LIST", "HELP", "DATE") is also valid
		 * base64: a client that gave up on the exchange sent it.
		 */
		if (!bare_verb(p, n) && sasl_response(&s->sasl, p, n))
			return;
		s->in_sasl = false;
	}
	if (line_verb_is(p, n, "AUTHINFO")) {
		sk = 8 + line_skip_ws(p + 8, n - 8);
		c = authinfo(s, ctx, p + sk, n - sk);
	} else if (line_verb_is(p, n, "STARTTLS"))
		c = C_STARTTLS;
	else if (line_verb_is(p, n, "LISTGROUP"))
		c = C_LISTGROUP;
	else if (line_verb_is(p, n, "POST") || line_verb_is(p, n, "IHAVE"))
		c = C_POST;
	push(s, ctx, c);
}

/* RFC 3977 §3.2 and the commands' sections: replies followed by a data block. */
static bool
has_block(int code, enum cmd c)
{
	switch (code) {
	case 100: case 101: case 215: case 220: case 221: case 222:
	case 224: case 225: case 230: case 231: case 282:
		return true;
	case 211:
		return c == C_LISTGROUP;
	default:
		return false;
	}
}

static void
server_line(struct nntp *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	enum cmd c = C_OTHER;
	int code;

	if (s->s_block) {
		if (n == 1 && p[0] == '.')
			s->s_block = false;
		return;
	}
	if (n < 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9' || (n > 3 && p[3] != ' ')) {
		ctx->ctr->unmatched_reply++;
		return;
	}
	code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	if (!s->greeted && s->qlen == 0 && (code == 200 || code == 201)) {
		s->greeted = true;	/* RFC 3977 §5.1 */
		return;
	}
	s->greeted = true;
	if (code == 383) {
		/* RFC 4643 §2.4: a SASL challenge; the command is still open. */
		return;
	}
	if (s->qlen > 0) {
		c = (enum cmd)s->q[s->qhead];
		s->qhead = (s->qhead + 1) % NNTP_PIPE_MAX;
		s->qlen--;
	} else
		ctx->ctr->unmatched_reply++;
	if (has_block(code, c))
		s->s_block = true;
	switch (c) {
	case C_USER:
		if (code == 281)
			login_done(s, ctx, RES_SUCCESS);	/* no password needed */
		else if (code == 481 || code == 482 || code == 502)
			login_done(s, ctx, RES_FAILURE);
		break;
	case C_PASS:
	case C_SASL:
		if (code == 281 || code == 283)
			login_done(s, ctx, RES_SUCCESS);
		else if (code / 100 >= 4)
			login_done(s, ctx, RES_FAILURE);
		break;
	case C_STARTTLS:
		if (code == 382) {
			/* RFC 4642 §2.2: TLS starts now. */
			login_done(s, ctx, RES_UNKNOWN);
			s->done = true;
		}
		break;
	case C_POST:
		if (code == 340 || code == 335)
			s->c_block = true;
		break;
	default:
		break;
	}
}

static enum dec_status
nntp_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct nntp *s = st;
	struct line l;
	enum line_ev ev;

	while (!s->done && (ev = line_next(&s->ls[dir], &p, &n, &l)) != LINE_NEED) {
		if (ev == LINE_RAW)
			continue;
		if (ev == LINE_LONG && !(dir == DIR_S2C ? s->s_block : s->c_block))
			ctx->ctr->line_overflow++;
		if (l.nul)
			ctx->ctr->nul_in_line++;
		if (dir == DIR_C2S)
			client_line(s, ctx, l.p, l.len);
		else
			server_line(s, ctx, l.p, l.len);
	}
	return s->done ? DEC_DONE : DEC_MORE;
}

static void
nntp_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct nntp *s = st;

	line_gap(&s->ls[dir], missing);
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->done)
		return;
	login_done(s, ctx, RES_UNKNOWN);
	s->qhead = s->qlen = 0;
	s->s_block = s->c_block = false;
}

static void
nntp_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct nntp *s = st;

	(void)why;
	if (!s->done)
		login_done(s, ctx, RES_UNKNOWN);
}

static void
nntp_wipe(void *st)
{
	struct nntp *s = st;

	line_wipe(&s->ls[DIR_C2S]);
	line_wipe(&s->ls[DIR_S2C]);
	secret_drop(&s->pass);
	sasl_reset(&s->sasl);
	explicit_bzero(s->user, sizeof(s->user));
	s->user_len = 0;
}

static void
nntp_init(void *st, bool midstream)
{
	struct nntp *s = st;

	(void)midstream;
	line_init(&s->ls[DIR_C2S]);
	line_init(&s->ls[DIR_S2C]);
}

/*
 * The greeting "200 " or "201 " (RFC 3977 §5.1) names the server when it
 * mentions NNTP or news; AUTHINFO and MODE READER are NNTP's alone.
 */
static enum probe_result
nntp_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	size_t e;

	(void)dir;
	if (n == 0)
		return PROBE_MAYBE;
	for (e = 0; e < n && p[e] != '\n'; e++)
		;
	if (p[0] == '2') {
		if (n < 4)
			return ascii_agrees(p, n, "200 ") || ascii_agrees(p, n, "201 ") ?
			    PROBE_MAYBE : PROBE_NO;
		if (!ascii_prefix(p, n, "200 ") && !ascii_prefix(p, n, "201 "))
			return PROBE_NO;
		if (ascii_find(p, e, "nntp") || ascii_find(p, e, "news") ||
		    ascii_find(p, e, "posting")) {
			*sender_is_server = true;
			return PROBE_YES;
		}
		return e < n ? PROBE_NO : PROBE_MAYBE;
	}
	if (ascii_agrees(p, n, "AUTHINFO ") || ascii_agrees(p, n, "MODE READER"))
		return n >= 9 ? PROBE_YES : PROBE_MAYBE;
	return PROBE_NO;
}

static const uint16_t nntp_ports[] = { 119, 0 };

const struct decoder nntp_decoder = {
	.name = "nntp",
	.ports = nntp_ports,
	.state_size = sizeof(struct nntp),
	.probe = nntp_probe,
	.init = nntp_init,
	.data = nntp_data,
	.gap = nntp_gap,
	.end = nntp_end,
	.wipe = nntp_wipe,
};
