/*
 * irc.c - IRC: connection passwords, operator logins, NickServ
 * identification and SASL, in clear.
 *
 * Specifications: RFC 1459 and RFC 2812 (message format §2.3, PASS §3.1.1,
 * NICK §3.1.2, USER §3.1.3, OPER §3.1.4, numerics §5), IRCv3 "sasl-3.1"
 * (AUTHENTICATE, base64 in chunks of 400 bytes, "+" for an empty or final
 * chunk, numerics 900-908) and IRCv3 "tls" (STARTTLS, 670/691).  NickServ
 * is a services convention (Atheme, Anope): PRIVMSG NickServ :IDENTIFY
 * [account] password, or the NS / NICKSERV command aliases.
 *
 * Several commands often share a segment (PASS, NICK and USER in one
 * write), so every line goes through the shared splitter.  Each kind of
 * login is tracked on its own and ends at its numeric; NickServ answers
 * with notices, read for the usual wording only.  After the welcome (001)
 * a bounded number of lines is still read, since IDENTIFY and OPER come
 * later, then inspection stops.
 */
#include <string.h>

#include "decoder.h"
#include "line.h"
#include "sasl.h"

#define IRC_SASL_CHUNK		400	/* IRCv3 sasl-3.1: a full chunk, more follow */
#define IRC_SASL_B64_MAX	1600	/* base64 of one AUTHENTICATE response kept */
#define IRC_AFTER_LINES		200	/* client lines read after the welcome */
#define IRC_AFTER_BYTES		((size_t)256 * 1024)	/* server bytes read after the welcome */

enum lk {
	LK_PASS = 0,	/* RFC 2812 §3.1.1 connection password */
	LK_OPER,	/* RFC 2812 §3.1.4 */
	LK_NICKSERV,	/* services IDENTIFY */
	LK_SASL,	/* IRCv3 AUTHENTICATE */
	LK__N
};

static const char *const lk_mech[LK__N] = {
	"IRC PASS", "IRC OPER", "NickServ IDENTIFY", NULL
};

struct irc_login {
	bool		 active;
	bool		 secret_seen;
	bool		 challenge;	/* a challenge-response SASL mechanism */
	size_t		 user_len;
	bool		 user_truncated;
	uint8_t		 user[SASL_USER_MAX];
	struct held_secret pw;
};

struct irc {
	struct line_splitter ls[2];
	struct irc_login lg[LK__N];
	size_t		 nick_len;
	bool		 nick_truncated;
	uint8_t		 nick[SASL_USER_MAX];

	/* IRCv3 SASL */
	bool		 sasl_started;	/* AUTHENTICATE <mechanism> sent */
	enum sasl_mech	 sasl_mech;
	struct sasl_exchange sx;	/* the responses, read by sasl.c */
	bool		 b64_over;
	size_t		 b64_len;
	uint8_t		 b64[IRC_SASL_B64_MAX];

	bool		 registered;	/* 001 seen */
	unsigned	 after_lines;
	size_t		 after_bytes;
	bool		 gap_seen;
	bool		 done;
};

/* One space-separated parameter (RFC 2812 §2.3.1); a ':' one is the rest. */
static bool
next_param(const uint8_t *p, size_t n, size_t *off, const uint8_t **w,
    size_t *wl)
{
	size_t i = *off, s;

	while (i < n && p[i] == ' ')
		i++;
	if (i >= n)
		return false;
	if (p[i] == ':') {
		*w = p + i + 1;
		*wl = n - i - 1;
		*off = n;
		return true;
	}
	for (s = i; i < n && p[i] != ' '; i++)
		;
	*w = p + s;
	*wl = i - s;
	*off = i;
	return true;
}

static void
copy_user(uint8_t *dst, size_t *dl, bool *trunc, const uint8_t *u, size_t n)
{
	*trunc = n > SASL_USER_MAX;
	*dl = n > SASL_USER_MAX ? SASL_USER_MAX : n;
	if (*dl > 0)
		memcpy(dst, u, *dl);
}

static void
login_clear(struct irc_login *l)
{
	secret_drop(&l->pw);
	explicit_bzero(l, sizeof(*l));
}

/* Mechanism label of an IRCv3 SASL login. */
static const char *
sasl_label(enum sasl_mech m)
{
	switch (m) {
	case MECH_PLAIN:
		return "AUTHENTICATE PLAIN";
	case MECH_LOGIN:
		return "AUTHENTICATE LOGIN";
	case MECH_XOAUTH2:
		return "AUTHENTICATE XOAUTH2";
	case MECH_OAUTHBEARER:
		return "AUTHENTICATE OAUTHBEARER";
	case MECH_CRAM_MD5:
		return "AUTHENTICATE CRAM-MD5";
	case MECH_DIGEST_MD5:
		return "AUTHENTICATE DIGEST-MD5";
	case MECH_NTLM:
		return "AUTHENTICATE NTLM";
	default:
		return "AUTHENTICATE";
	}
}

static void
emit(struct irc *s, struct dec_ctx *ctx, enum lk k, enum auth_result res)
{
	struct irc_login *l = &s->lg[k];
	struct finding f;

	if (!l->active)
		return;
	memset(&f, 0, sizeof(f));
	f.kind = l->challenge ? K_CHALLENGE_RESPONSE : K_CLEARTEXT_CREDENTIALS;
	f.app_proto = "irc";
	f.mechanism = k == LK_SASL ? sasl_label(s->sasl_mech) : lk_mech[k];
	if (k == LK_PASS) {
		/* A server password names nobody: the nickname says who. */
		if (s->nick_len > 0) {
			f.username = s->nick;
			f.username_len = s->nick_len;
			f.username_truncated = s->nick_truncated;
		}
	} else if (l->user_len > 0) {
		f.username = l->user;
		f.username_len = l->user_len;
		f.username_truncated = l->user_truncated;
	}
	f.result = res;
	f.secret_seen = l->secret_seen;
	if (l->pw.len > 0) {
		f.secret = l->pw.b;
		f.secret_len = l->pw.len;
	}
	f.gap_seen = s->gap_seen;
	dec_emit(ctx, &f);
	login_clear(l);
}

static void
emit_all(struct irc *s, struct dec_ctx *ctx, enum auth_result res)
{
	int k;

	for (k = 0; k < LK__N; k++)
		emit(s, ctx, (enum lk)k, res);
}

static void
login_start(struct irc *s, struct dec_ctx *ctx, enum lk k, const uint8_t *user,
    size_t ul, const uint8_t *pw, size_t pl)
{
	struct irc_login *l = &s->lg[k];

	emit(s, ctx, k, RES_UNKNOWN);	/* a second try before the answer */
	l->active = true;
	copy_user(l->user, &l->user_len, &l->user_truncated, user, ul);
	l->secret_seen = pl > 0;
	secret_hold(&l->pw, pw, pl);
}

/* IDENTIFY [account] password (Atheme, Anope). */
static void
identify(struct irc *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	const uint8_t *w1, *w2, *w;
	size_t off = 0, l1, l2, wl;

	if (!next_param(p, n, &off, &w, &wl) || !ascii_ieq(w, wl, "IDENTIFY"))
		return;
	/* Inside a PRIVMSG text every word is a word, ':' or not. */
	while (off < n && p[off] == ' ')
		off++;
	for (w1 = p + off, l1 = 0; off < n && p[off] != ' '; off++, l1++)
		;
	while (off < n && p[off] == ' ')
		off++;
	for (w2 = p + off, l2 = 0; off < n && p[off] != ' '; off++, l2++)
		;
	if (l1 == 0)
		return;
	if (l2 == 0)
		login_start(s, ctx, LK_NICKSERV, s->nick, s->nick_len, w1, l1);
	else
		login_start(s, ctx, LK_NICKSERV, w1, l1, w2, l2);
}

static bool
is_nickserv(const uint8_t *p, size_t n)
{
	/* "NickServ" or "NickServ@services.example" */
	return n >= 8 && ascii_prefix(p, n, "NickServ") &&
	    (n == 8 || p[8] == '@' || p[8] == '!');
}

/* The exchange is over (a reply, an abort, a gap): forget and wipe it. */
static void
sasl_stop(struct irc *s)
{
	s->sasl_started = false;
	sasl_reset(&s->sx);
	explicit_bzero(s->b64, sizeof(s->b64));
	s->b64_len = 0;
	s->b64_over = false;
}

/*
 * One whole AUTHENTICATE response (its chunks joined; empty for "+"),
 * read by the SASL code the mail decoders share: PLAIN's authcid and
 * passwd (RFC 4616 §2), LOGIN's two answers, XOAUTH2's user and token,
 * the user of CRAM-MD5 (RFC 2195 §2).  A login starts once a password or
 * token has crossed, or with a challenge-response mechanism's answer.
 */
static void
sasl_done(struct irc *s, struct dec_ctx *ctx)
{
	struct sasl_exchange *x = &s->sx;
	enum mech_class mc = sasl_exchange_class(x);
	bool was_malformed = x->malformed;

	if (s->b64_over || !sasl_response(x, s->b64, s->b64_len))
		ctx->ctr->bad_base64++;
	else if (x->malformed && !was_malformed)
		ctx->ctr->bad_sasl++;
	else if (mc == MC_CHALLENGE) {
		login_start(s, ctx, LK_SASL, x->user, x->user_len, NULL, 0);
		s->lg[LK_SASL].challenge = true;
	} else if ((mc == MC_CLEARTEXT || mc == MC_BEARER) && x->secret_seen &&
	    !s->lg[LK_SASL].active) {
		login_start(s, ctx, LK_SASL, x->user, x->user_len, x->pass.b,
		    x->pass.len);
		/* A token, or a password too long to hold, crossed all the same. */
		s->lg[LK_SASL].secret_seen = true;
		s->lg[LK_SASL].user_truncated = x->user_truncated;
	}
	explicit_bzero(s->b64, sizeof(s->b64));
	s->b64_len = 0;
	s->b64_over = false;
}

/* IRCv3 sasl-3.1: AUTHENTICATE mechanism, then base64 chunks. */
static void
authenticate(struct irc *s, struct dec_ctx *ctx, const uint8_t *a, size_t n)
{
	if (n == 1 && a[0] == '*') {
		/* Aborted by the client (906 follows). */
		sasl_stop(s);
		return;
	}
	if (!s->sasl_started) {
		sasl_stop(s);
		s->sasl_started = true;
		s->sasl_mech = sasl_mech_lookup(a, n);
		sasl_begin(&s->sx, s->sasl_mech, false, NULL, 0);
		return;
	}
	if (!(n == 1 && a[0] == '+')) {
		if (n > sizeof(s->b64) - s->b64_len)
			s->b64_over = true;
		else {
			memcpy(s->b64 + s->b64_len, a, n);
			s->b64_len += n;
		}
		if (n == IRC_SASL_CHUNK)
			return;		/* more follows */
	}
	sasl_done(s, ctx);
}

static void
set_nick(struct irc *s, const uint8_t *w, size_t wl)
{
	copy_user(s->nick, &s->nick_len, &s->nick_truncated, w, wl);
}

static void
client_line(struct irc *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	const uint8_t *v, *w, *t;
	size_t off = 0, vl, wl, tl;

	if (s->registered)
		s->after_lines++;
	if (n > 0 && p[0] == ':') {
		/* RFC 2812 §2.3.1: a prefix from a client is ignored. */
		while (off < n && p[off] != ' ')
			off++;
	}
	if (!next_param(p, n, &off, &v, &vl))
		return;
	if (ascii_ieq(v, vl, "PASS")) {
		if (!s->registered && next_param(p, n, &off, &w, &wl))
			login_start(s, ctx, LK_PASS, NULL, 0, w, wl);
	} else if (ascii_ieq(v, vl, "NICK")) {
		if (next_param(p, n, &off, &w, &wl) && wl > 0)
			set_nick(s, w, wl);
	} else if (ascii_ieq(v, vl, "OPER")) {
		if (next_param(p, n, &off, &w, &wl) &&
		    next_param(p, n, &off, &t, &tl))
			login_start(s, ctx, LK_OPER, w, wl, t, tl);
	} else if (ascii_ieq(v, vl, "PRIVMSG") || ascii_ieq(v, vl, "MSG")) {
		if (next_param(p, n, &off, &w, &wl) && is_nickserv(w, wl) &&
		    next_param(p, n, &off, &t, &tl))
			identify(s, ctx, t, tl);
	} else if (ascii_ieq(v, vl, "NS") || ascii_ieq(v, vl, "NICKSERV")) {
		while (off < n && p[off] == ' ')
			off++;
		if (off < n && p[off] == ':')
			off++;
		identify(s, ctx, p + off, n - off);
	} else if (ascii_ieq(v, vl, "AUTHENTICATE")) {
		if (next_param(p, n, &off, &w, &wl))
			authenticate(s, ctx, w, wl);
	}
}

/* Whether a NickServ notice's text reads as accepted or refused. */
static enum auth_result
nickserv_says(const uint8_t *p, size_t n)
{
	if (ascii_find(p, n, "now identified") || ascii_find(p, n, "password accepted") ||
	    ascii_find(p, n, "now logged in"))
		return RES_SUCCESS;
	if (ascii_find(p, n, "invalid password") || ascii_find(p, n, "incorrect") ||
	    ascii_find(p, n, "authentication failed") ||
	    ascii_find(p, n, "not registered"))
		return RES_FAILURE;
	return RES_UNKNOWN;
}

static bool
is_code(const uint8_t *v, size_t vl, const char *code)
{
	return vl == 3 && memcmp(v, code, 3) == 0;
}

static void
server_line(struct irc *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	const uint8_t *pre = NULL, *v, *w;
	size_t off = 0, prel = 0, vl, wl;
	enum auth_result r;

	if (n > 0 && p[0] == ':') {
		pre = p + 1;
		while (off < n && p[off] != ' ')
			off++;
		prel = off - 1;
	}
	if (!next_param(p, n, &off, &v, &vl))
		return;
	if (is_code(v, vl, "001")) {
		s->registered = true;
		emit(s, ctx, LK_PASS, RES_SUCCESS);
	} else if (is_code(v, vl, "464")) {
		/* ERR_PASSWDMISMATCH answers OPER as well as PASS. */
		if (s->lg[LK_OPER].active)
			emit(s, ctx, LK_OPER, RES_FAILURE);
		else
			emit(s, ctx, LK_PASS, RES_FAILURE);
	} else if (is_code(v, vl, "381")) {
		emit(s, ctx, LK_OPER, RES_SUCCESS);
	} else if (is_code(v, vl, "491")) {
		emit(s, ctx, LK_OPER, RES_FAILURE);
	} else if (is_code(v, vl, "900") || is_code(v, vl, "903")) {
		/* RPL_LOGGEDIN also follows a NickServ identification. */
		if (s->lg[LK_SASL].active)
			emit(s, ctx, LK_SASL, RES_SUCCESS);
		else if (is_code(v, vl, "900"))
			emit(s, ctx, LK_NICKSERV, RES_SUCCESS);
		sasl_stop(s);
	} else if (is_code(v, vl, "902") || is_code(v, vl, "904") ||
	    is_code(v, vl, "905") || is_code(v, vl, "906")) {
		emit(s, ctx, LK_SASL, RES_FAILURE);
		sasl_stop(s);
	} else if (is_code(v, vl, "670")) {
		/* IRCv3 tls: TLS starts now. */
		emit_all(s, ctx, RES_UNKNOWN);
		s->done = true;
	} else if (ascii_ieq(v, vl, "ERROR")) {
		/* The server closes the link; a pending PASS was refused. */
		emit(s, ctx, LK_PASS, RES_FAILURE);
	} else if (ascii_ieq(v, vl, "NOTICE") && pre != NULL &&
	    s->lg[LK_NICKSERV].active && is_nickserv(pre, prel) &&
	    next_param(p, n, &off, &w, &wl) && next_param(p, n, &off, &w, &wl)) {
		if ((r = nickserv_says(w, wl)) != RES_UNKNOWN)
			emit(s, ctx, LK_NICKSERV, r);
	}
}

static bool
pending(const struct irc *s)
{
	int k;

	for (k = 0; k < LK__N; k++)
		if (s->lg[k].active)
			return true;
	return false;
}

static enum dec_status
irc_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct irc *s = st;
	struct line l;
	enum line_ev ev;

	if (s->done)
		return DEC_DONE;
	if (dir == DIR_S2C && s->registered)
		s->after_bytes += n;
	while (!s->done && (ev = line_next(&s->ls[dir], &p, &n, &l)) != LINE_NEED) {
		if (ev == LINE_RAW)
			continue;
		if (ev == LINE_LONG)
			ctx->ctr->line_overflow++;
		if (l.nul)
			ctx->ctr->nul_in_line++;
		if (dir == DIR_C2S)
			client_line(s, ctx, l.p, l.len);
		else
			server_line(s, ctx, l.p, l.len);
	}
	/*
	 * Enough of the session after the welcome: stop once nothing is
	 * pending, or at four times the bound whatever is.
	 */
	if (!s->done && s->registered &&
	    (s->after_lines > IRC_AFTER_LINES || s->after_bytes > IRC_AFTER_BYTES)) {
		if (!pending(s) || s->after_lines > 4 * IRC_AFTER_LINES ||
		    s->after_bytes / 4 > IRC_AFTER_BYTES) {
			emit_all(s, ctx, RES_UNKNOWN);
			s->done = true;
		}
	}
	return s->done ? DEC_DONE : DEC_MORE;
}

static void
irc_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct irc *s = st;

	line_gap(&s->ls[dir], missing);
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->done)
		return;
	/* The answer may be in the hole. */
	emit_all(s, ctx, RES_UNKNOWN);
	sasl_stop(s);
}

static void
irc_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct irc *s = st;

	(void)why;
	if (!s->done)
		emit_all(s, ctx, RES_UNKNOWN);
}

static void
irc_wipe(void *st)
{
	struct irc *s = st;
	int k;

	line_wipe(&s->ls[DIR_C2S]);
	line_wipe(&s->ls[DIR_S2C]);
	for (k = 0; k < LK__N; k++)
		login_clear(&s->lg[k]);
	sasl_stop(s);
}

static void
irc_init(void *st, bool midstream)
{
	struct irc *s = st;

	(void)midstream;
	line_init(&s->ls[DIR_C2S]);
	line_init(&s->ls[DIR_S2C]);
}

/* Whether w[0..wl) is word v, or, when not complete yet, may become it. */
static bool
word_is(const uint8_t *w, size_t wl, bool complete, const char *v)
{
	return complete ? ascii_ieq(w, wl, v) :
	    wl <= strlen(v) && ascii_agrees(w, wl, v);
}

static bool
is_numeric(const uint8_t *w, size_t wl)
{
	return wl == 3 && w[0] >= '0' && w[0] <= '9' && w[1] >= '0' &&
	    w[1] <= '9' && w[2] >= '0' && w[2] <= '9';
}

/*
 * Client registration (RFC 2812 §3.1): NICK, "USER u m * :real" (four
 * parameters, unlike FTP's and POP3's USER), CAP (IRCv3).  PASS alone is
 * POP3's and FTP's too: the next line decides.  Server: ":prefix NOTICE" or
 * ":prefix 001" (a numeric), or the old "NOTICE AUTH :" banner.
 */
static enum probe_result
irc_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	const uint8_t *w;
	size_t i = 0, e, o, wl, sp;
	bool line_done, word_done;
	int lines;

	(void)dir;
	for (lines = 0; lines < 4 && i < n; lines++) {
		for (e = i; e < n && p[e] != '\n'; e++)
			;
		line_done = e < n;
		if (line_done && e > i && p[e - 1] == '\r')
			e--;
		o = i;
		if (p[i] == ':') {
			while (o < e && p[o] != ' ')
				o++;
			if (o == e)
				return line_done ? PROBE_NO : PROBE_MAYBE;
			o++;
		}
		for (w = p + o, wl = 0; o + wl < e && p[o + wl] != ' '; wl++)
			;
		word_done = o + wl < e || line_done;
		if (p[i] == ':') {
			if (!word_done)
				return PROBE_MAYBE;
			if (ascii_ieq(w, wl, "NOTICE") || is_numeric(w, wl)) {
				*sender_is_server = true;
				return PROBE_YES;
			}
			return PROBE_NO;
		}
		if (word_is(w, wl, word_done, "NICK") ||
		    word_is(w, wl, word_done, "CAP"))
			return word_done ? PROBE_YES : PROBE_MAYBE;
		if (word_is(w, wl, word_done, "NOTICE")) {
			if (e - i >= 12 && ascii_prefix(p + i, e - i, "NOTICE AUTH ")) {
				*sender_is_server = true;
				return PROBE_YES;
			}
			return line_done || e - i >= 12 ? PROBE_NO : PROBE_MAYBE;
		}
		if (word_is(w, wl, word_done, "USER")) {
			if (!line_done)
				return PROBE_MAYBE;
			for (sp = 0, o = i + wl; o < e && p[o] != ':'; o++)
				sp += p[o] == ' ';
			return sp >= 4 && o < e ? PROBE_YES : PROBE_NO;
		}
		if (!word_is(w, wl, word_done, "PASS"))
			return PROBE_NO;
		if (!line_done)
			return PROBE_MAYBE;
		i = e;
		while (i < n && (p[i] == '\r' || p[i] == '\n'))
			i++;
	}
	return PROBE_MAYBE;
}

static const uint16_t irc_ports[] = { 6667, 6668, 6669, 7000, 0 };

const struct decoder irc_decoder = {
	.name = "irc",
	.ports = irc_ports,
	.state_size = sizeof(struct irc),
	.probe = irc_probe,
	.init = irc_init,
	.data = irc_data,
	.gap = irc_gap,
	.end = irc_end,
	.wipe = irc_wipe,
};
