/*
 * imap.c - IMAP: cleartext LOGIN and AUTHENTICATE, LOGINDISABLED, STARTTLS
 * use and tampering, and the TLS negotiated after it.
 *
 * Specifications: RFC 9051 and RFC 3501 (IMAP4rev2, IMAP4rev1), RFC 4959
 * (SASL-IR), RFC 7888 (LITERAL+), RFC 2595 (STARTTLS, LOGINDISABLED),
 * RFC 5530 (PRIVACYREQUIRED), RFC 3516 (literal8).
 *
 * Each command carries a tag and its completion names it (RFC 9051 §2.2.1),
 * so outstanding commands sit in a bounded table searched by tag, oldest
 * first (some clients use one tag, ".", for everything).  Literals (§4.3)
 * on either side are counted down in the splitter's raw mode: message text
 * in an APPEND or a FETCH answer is never read as commands or responses,
 * and a LOGIN password sent as a literal is counted, never copied.
 *
 * Policies, where the wire leaves a choice:
 * - LOGIN is reported once its password has started to cross (atom, quoted
 *   string or literal), with the result of its tagged reply: OK success,
 *   NO or BAD failure (NO [PRIVACYREQUIRED] too: the secret crossed).  A
 *   synchronizing literal refused before it was sent leaves nothing.
 * - AUTHENTICATE goes through sasl.c; a username alone is reported unless
 *   the client cancelled ("*") or answered a challenge with a command.
 *   Before any "+", a line that is no response is a pipelined command.
 * - Capabilities come from the greeting's or an untagged OK's [CAPABILITY]
 *   code, "* CAPABILITY", and tagged OKs, except those of LOGIN and
 *   AUTHENTICATE, which list the post-login set.  The newest list wins.
 * - cleartext_auth_offered: once, for the first list that allows LOGIN
 *   (no LOGINDISABLED: mechanism "LOGIN") or names AUTH=PLAIN/LOGIN.
 *   After PREAUTH only AUTH= counts (LOGIN is invalid once authenticated).
 * - starttls_not_offered / _offered_not_used: once, when a login exposed
 *   a secret or succeeded after a capability list, without STARTTLS tried.
 * - After OK to STARTTLS (or a ClientHello right behind STARTTLS, which
 *   may overtake the OK), bytes go to tls.c; cleartext from the client
 *   instead is starttls_stripped and is read on in clear.
 * - A hole in either direction ends the exchange in flight (result
 *   unknown); a hole in the server's bytes empties the tag table.
 * - With the handshake seen, a first server line that is no IMAP greeting
 *   makes the decoder detach (DEC_MISMATCH).
 * - After a successful login, a TLS verdict, PREAUTH or a BYE greeting
 *   nothing more is learnt: DEC_DONE.
 */
#include <stdint.h>
#include <string.h>
#ifdef IMAP_DEBUG
#include <stdio.h>
#endif

#include "decoder.h"
#include "line.h"
#include "sasl.h"
#include "tls.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define IMAP_TAGS_MAX	32	/* outstanding commands tracked */
#define IMAP_TAG_KEEP	16	/* tag bytes kept (and the length) */
#define IMAP_PROBE_TAG	64	/* longest tag the probe waits for */

#define COUNT(ctx, field) do {					\
	if ((ctx)->ctr != NULL)					\
		(ctx)->ctr->field++;				\
} while (0)

enum imap_state {
	S_COMMAND = 0,	/* commands and responses in clear */
	S_SASL,		/* AUTHENTICATE: client lines are responses */
	S_TLS,		/* OK to STARTTLS, or TLS right behind it */
	S_DONE,		/* nothing more to learn */
	S_MISMATCH	/* not IMAP after all */
};

enum cmd {
	C_OTHER = 0,
	C_LOGIN,
	C_AUTHENTICATE,
	C_STARTTLS
};

enum login {
	L_NONE = 0,
	L_LOGIN,	/* RFC 9051 §6.2.3 */
	L_SASL		/* RFC 9051 §6.2.2 */
};

/* Capabilities that matter here (RFC 9051 §7.2.2, RFC 2595 §3.1). */
#define CAP_STARTTLS		0x01u
#define CAP_LOGINDISABLED	0x02u

struct pending {
	uint32_t	 seq;		/* command number */
	uint8_t		 cmd;		/* enum cmd */
	uint8_t		 taglen;	/* bytes kept in tag */
	size_t		 fulllen;	/* the tag's real length */
	uint8_t		 tag[IMAP_TAG_KEEP];
};

struct imap {
	enum imap_state	 state;
	bool		 expect_greeting;	/* the server speaks first */
	bool		 gap_seen;

	/* what the server advertised */
	bool		 caps_seen;
	bool		 preauth;
	bool		 masked;	/* STARTTLS mangled in a list */
	uint32_t	 caps;
	uint32_t	 mechs;		/* MECH_BIT()s of AUTH= */
	uint32_t	 emitted;	/* once-per-session kinds, by bit */
	bool		 starttls_requested;
	bool		 starttls_ok;	/* a STARTTLS was answered OK */
	int		 starttls_reply;	/* 1 OK, -1 NO/BAD */

	struct pending	 q[IMAP_TAGS_MAX];	/* oldest first */
	unsigned	 qlen;
	uint32_t	 seq;

	/* the client command being read, across its literals */
	bool		 cli_cont;	/* the next line continues it */
	bool		 lit_sync;	/* its literal waits for "+" */
	size_t		 lit_len;
	uint32_t	 cmd_seq;
	enum cmd	 cmd_kind;
	unsigned	 arg;		/* LOGIN: 0 user, 1 password */
	bool		 srv_cont;	/* a response goes on */

	/* the login awaiting its tagged reply */
	enum login	 login;
	uint32_t	 login_seq;
	bool		 pw_started;
	size_t		 pass_len;	/* counted */
	struct held_secret pass;	/* for the fingerprint; wiped at the reply */
	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];
	unsigned	 prompts;	/* "+" continuations in the exchange */
	bool		 sasl_aborted;	/* a challenge got a command */
	struct sasl_exchange sasl;

	struct tls_watch tls;

	struct line_splitter ls[2];
};

typedef void cmd_fn(struct imap *, struct dec_ctx *, const uint8_t *, size_t);

static cmd_fn cmd_login, cmd_authenticate;

/* RFC 9051 §6.1-6.2: the commands whose replies change what we know. */
static const struct verb {
	const char	*name;
	enum cmd	 cmd;
	cmd_fn		*fn;
} verbs[] = {
	{ "LOGIN",		C_LOGIN,	cmd_login },
	{ "AUTHENTICATE",	C_AUTHENTICATE,	cmd_authenticate },
	{ "STARTTLS",		C_STARTTLS,	NULL },
};

static void client_bytes(struct imap *, struct dec_ctx *, const uint8_t *,
    size_t);

#ifdef IMAP_DEBUG
static const char *
strstate(enum imap_state st)
{
	static const char *const names[] = {
		"COMMAND", "SASL", "TLS", "DONE", "MISMATCH"
	};

	return (size_t)st < nitems(names) ? names[st] : "?";
}
#endif

static void
enter_state(struct imap *s, enum imap_state next)
{
#ifdef IMAP_DEBUG
	fprintf(stderr, "imap: %s -> %s\n", strstate(s->state), strstate(next));
#endif
	s->state = next;
	/* A decoder that has stopped reading holds no password. */
	if (next == S_DONE || next == S_MISMATCH)
		secret_drop(&s->pass);
}

static size_t
rtrim(const uint8_t *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n;
}

/* RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">, no atom-specials. */
static bool
is_tag_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' &&
	    c != '%' && c != '*' && c != '"' && c != '\\' && c != '+';
}

static size_t
tag_len(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_tag_char(p[i]); i++)
		continue;
	return i;
}

/*
 * RFC 9051 §4.3, RFC 7888 §3: a line ending in "{n}" (synchronizing) or
 * "{n+}" (non-synchronizing), "~{n}" for literal8 (RFC 3516), announces n
 * octets right after its CRLF.  *content: the line before the marker.
 */
static bool
trailing_literal(const uint8_t *p, size_t n, size_t *len, bool *sync,
    size_t *content)
{
	size_t end, i;
	uint64_t v = 0;

	if (n < 3 || p[n - 1] != '}')
		return false;
	end = n - 1;
	*sync = p[end - 1] != '+';
	if (!*sync)
		end--;
	for (i = end; i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9'; i--)
		continue;
	/* number = 1*DIGIT, at most 2^32-1 (RFC 9051 §9). */
	if (i == end || end - i > 10 || i == 0 || p[i - 1] != '{')
		return false;
	for (*content = i - 1; i < end; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	if (v > UINT32_MAX)
		return false;
	*len = (size_t)v;
	if (*content > 0 && p[*content - 1] == '~')
		(*content)--;
	return true;
}

/* --- findings ---------------------------------------------------------- */

static void
finding_init(const struct imap *s, struct finding *f, enum finding_kind k)
{
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->app_proto = "imap";
	f->result = RES_UNKNOWN;
	if (s->caps_seen)
		f->starttls_offered = (s->caps & CAP_STARTTLS) != 0 ? TRI_YES :
		    TRI_NO;
	else if (s->starttls_ok)
		f->starttls_offered = TRI_YES;
	f->starttls_requested = s->starttls_requested;
	f->starttls_reply = s->starttls_reply;
	f->gap_seen = s->gap_seen;
}

static void
emit_once(struct imap *s, struct dec_ctx *ctx, enum finding_kind k,
    const char *reason)
{
	struct finding f;

	if ((s->emitted & (1u << k)) != 0)
		return;
	s->emitted |= 1u << k;
	finding_init(s, &f, k);
	f.reason = reason;
	dec_emit(ctx, &f);
}

/* cleartext_auth_offered, once, for the first list that offers any. */
static void
offer_finding(struct imap *s, struct dec_ctx *ctx)
{
	struct finding f;

	finding_init(s, &f, K_CLEARTEXT_AUTH_OFFERED);
	if ((s->mechs & MECH_BIT(MECH_PLAIN)) != 0)
		f.mechs[f.nmechs++] = "PLAIN";
	/* RFC 2595 §3.1: without LOGINDISABLED the LOGIN command is open. */
	if ((s->mechs & MECH_BIT(MECH_LOGIN)) != 0 ||
	    (!s->preauth && (s->caps & CAP_LOGINDISABLED) == 0))
		f.mechs[f.nmechs++] = "LOGIN";
	if (f.nmechs == 0 || (s->emitted & (1u << f.kind)) != 0)
		return;
	s->emitted |= 1u << f.kind;
	f.reason = (s->caps & CAP_LOGINDISABLED) == 0 && !s->preauth ?
	    "capabilities lack LOGINDISABLED before TLS" : NULL;
	dec_emit(ctx, &f);
}

/* starttls_not_offered / _offered_not_used, once a login went out in clear. */
static void
tls_findings(struct imap *s, struct dec_ctx *ctx)
{
	if (!s->caps_seen || s->starttls_requested)
		return;
	if ((s->caps & CAP_STARTTLS) != 0)
		emit_once(s, ctx, K_STARTTLS_OFFERED_NOT_USED,
		    "STARTTLS listed; the client logged in without it");
	else if (!s->masked)
		emit_once(s, ctx, K_STARTTLS_NOT_OFFERED,
		    "STARTTLS not listed; the client logged in in cleartext");
}

static const char *
auth_label(enum sasl_mech m)
{
	static const char *const labels[MECH__COUNT] = {
		[MECH_NONE] = "AUTHENTICATE",
		[MECH_PLAIN] = "AUTHENTICATE PLAIN",
		[MECH_LOGIN] = "AUTHENTICATE LOGIN",
		[MECH_XOAUTH2] = "AUTHENTICATE XOAUTH2",
		[MECH_OAUTHBEARER] = "AUTHENTICATE OAUTHBEARER",
		[MECH_CRAM_MD5] = "AUTHENTICATE CRAM-MD5",
		[MECH_DIGEST_MD5] = "AUTHENTICATE DIGEST-MD5",
		[MECH_NTLM] = "AUTHENTICATE NTLM",
		[MECH_GSSAPI] = "AUTHENTICATE GSSAPI",
		[MECH_SCRAM] = "AUTHENTICATE SCRAM",
		[MECH_EXTERNAL] = "AUTHENTICATE EXTERNAL",
		[MECH_ANONYMOUS] = "AUTHENTICATE ANONYMOUS",
		[MECH_OTHER] = "AUTHENTICATE OTHER",
	};

	return (unsigned)m < MECH__COUNT ? labels[m] : "AUTHENTICATE";
}

/* The login awaiting a reply ends with `res`: report what it exposed. */
static void
login_done(struct imap *s, struct dec_ctx *ctx, enum auth_result res,
    const char *why)
{
	const struct sasl_exchange *x = &s->sasl;
	bool emit = false, gave_up = x->cancelled || s->sasl_aborted;
	struct finding f;

	if (s->login == L_NONE)
		return;
	finding_init(s, &f, K_CLEARTEXT_CREDENTIALS);
	if (s->login == L_LOGIN) {
		emit = s->pw_started;
		f.mechanism = "LOGIN";
		f.username = s->user;
		f.username_len = s->user_len;
		f.username_truncated = s->user_truncated;
		f.secret_seen = s->pass_len > 0;
		f.secret = s->pass.len > 0 ? s->pass.b : NULL;
		f.secret_len = s->pass.len;
	} else {
		if (x->malformed)
			COUNT(ctx, bad_sasl);
		switch (sasl_exchange_class(x)) {
		case MC_CLEARTEXT:
		case MC_BEARER:
			emit = x->secret_seen || (x->user_len > 0 && !gave_up);
			break;
		case MC_CHALLENGE:
			f.kind = K_CHALLENGE_RESPONSE;
			/* NTLM's type 1 message carries nothing crackable. */
			emit = !gave_up &&
			    x->responses >= (x->mech == MECH_NTLM ? 2u : 1u);
			break;
		case MC_OTHER:
			break;
		}
		f.mechanism = auth_label(x->mech);
		f.username = x->user;
		f.username_len = x->user_len;
		f.username_truncated = x->user_truncated;
		f.secret_seen = x->secret_seen;
		f.secret = x->pass.len > 0 ? x->pass.b : NULL;
		f.secret_len = x->pass.len;
	}
	if (f.username_len == 0) {
		f.username = NULL;
		f.username_truncated = false;
	}
	f.result = res;
	f.reason = why;
	if (emit)
		dec_emit(ctx, &f);
	if (emit || res == RES_SUCCESS)
		tls_findings(s, ctx);
	s->login = L_NONE;
	s->pw_started = s->sasl_aborted = s->user_truncated = false;
	s->pass_len = 0;
	secret_drop(&s->pass);
	memset(s->user, 0, s->user_len);
	s->user_len = 0;
	sasl_reset(&s->sasl);
	if (s->state == S_SASL)
		enter_state(s, S_COMMAND);
	if (res == RES_SUCCESS)
		enter_state(s, S_DONE);	/* the rest is mail access */
}

static void
finish(struct imap *s, struct dec_ctx *ctx)
{
	login_done(s, ctx, RES_UNKNOWN, NULL);
	enter_state(s, S_DONE);
}

/* RFC 9051 §7.2.2: capability *(SP capability); "AUTH=" names a mechanism. */
static void
caps_parse(struct imap *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	size_t i = 0, k, x;
	bool mangled = false;

	s->caps = s->mechs = 0;
	s->caps_seen = true;
	while ((i += line_skip_ws(p + i, n - i)) < n && p[i] != ']') {
		for (k = i; k < n && p[k] != ' ' && p[k] != ']'; k++)
			continue;
		if (ascii_ieq(p + i, k - i, "STARTTLS"))
			s->caps |= CAP_STARTTLS;
		else if (ascii_ieq(p + i, k - i, "LOGINDISABLED"))
			s->caps |= CAP_LOGINDISABLED;
		else if (k - i > 5 && ascii_agrees(p + i, 5, "AUTH="))
			s->mechs |= MECH_BIT(sasl_mech_lookup(p + i + 5,
			    k - i - 5));
		else if (k - i == 8) {
			/* "XXXXXXXX", "XXXXXXXA" for STARTTLS: STRIPTLS. */
			for (x = i; x < k - 1 && ascii_lower(p[x]) == 'x'; x++)
				continue;
			mangled |= x == k - 1 &&
			    (ascii_lower(p[x]) == 'x' || ascii_lower(p[x]) == 'a');
		}
		i = k;
	}
	if (mangled && (s->caps & CAP_STARTTLS) == 0) {
		s->masked = true;
		emit_once(s, ctx, K_STARTTLS_STRIPPED,
		    "STARTTLS capability masked");
	}
	offer_finding(s, ctx);
}

/* --- the tag table ----------------------------------------------------- */

static void
push_cmd(struct imap *s, struct dec_ctx *ctx, const uint8_t *tag, size_t tl,
    enum cmd c)
{
	struct pending *e;

	if (s->qlen == IMAP_TAGS_MAX) {
		COUNT(ctx, pipeline_overflow);
		return;
	}
	e = &s->q[s->qlen++];
	e->seq = s->seq;
	e->cmd = (uint8_t)c;
	e->fulllen = tl;
	e->taglen = (uint8_t)(tl < IMAP_TAG_KEEP ? tl : IMAP_TAG_KEEP);
	memcpy(e->tag, tag, e->taglen);
}

/* Take the oldest outstanding command with this tag. */
static bool
take_cmd(struct imap *s, const uint8_t *tag, size_t tl, struct pending *out)
{
	unsigned i;

	for (i = 0; i < s->qlen; i++) {
		if (s->q[i].fulllen != tl ||
		    memcmp(s->q[i].tag, tag, s->q[i].taglen) != 0)
			continue;
		*out = s->q[i];
		memmove(&s->q[i], &s->q[i + 1],
		    (s->qlen - i - 1) * sizeof(s->q[0]));
		s->qlen--;
		return true;
	}
	return false;
}

/* --- client commands --------------------------------------------------- */

/* LOGIN astring bytes: the name is kept (capped), the password counted. */
static void
astring_bytes(struct imap *s, const uint8_t *p, size_t n)
{
	size_t room = SASL_USER_MAX - s->user_len;

	if (s->login != L_LOGIN || s->login_seq != s->cmd_seq)
		return;
	if (s->arg == 1) {
		s->pass_len += n;
		secret_append(&s->pass, p, n);
		return;
	}
	if (s->arg != 0)
		return;
	if (n > room) {
		s->user_truncated = true;
		n = room;
	}
	memcpy(s->user + s->user_len, p, n);
	s->user_len += n;
}

/* RFC 9051 §9: LOGIN SP userid SP password; here atoms or quoted strings. */
static void
login_args(struct imap *s, const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	while (s->arg < 2 && (i += line_skip_ws(p + i, n - i)) < n) {
		if (s->arg == 1)
			s->pw_started = true;
		if (p[i] == '"') {
			/* §4.3: "\" quotes DQUOTE and "\" in a quoted string. */
			for (i++; i < n && p[i] != '"'; i++) {
				if (p[i] == '\\' && i + 1 < n)
					i++;
				astring_bytes(s, p + i, 1);
			}
			if (i < n)
				i++;
		} else {
			for (k = i; k < n && p[k] != ' '; k++)
				continue;
			astring_bytes(s, p + i, k - i);
			i = k;
		}
		s->arg++;
	}
}

/* A literal's last byte went by: the astring it carried is complete. */
static void
literal_done(struct imap *s)
{
	if (s->cmd_kind == C_LOGIN && s->arg < 2)
		s->arg++;
}

static void
cmd_login(struct imap *s, struct dec_ctx *ctx, const uint8_t *arg, size_t n)
{
	login_done(s, ctx, RES_UNKNOWN, NULL);	/* one left unanswered */
	s->login = L_LOGIN;
	s->login_seq = s->cmd_seq;
	login_args(s, arg, n);
}

/* RFC 9051 §6.2.2, RFC 4959 §3: AUTHENTICATE mech [SP initial-response]. */
static void
cmd_authenticate(struct imap *s, struct dec_ctx *ctx, const uint8_t *arg,
    size_t n)
{
	enum sasl_mech m;
	size_t k, sk;

	for (k = 0; k < n && arg[k] != ' '; k++)
		continue;
	if ((m = sasl_mech_lookup(arg, k)) == MECH_NONE) {
		COUNT(ctx, bad_sasl);	/* the server answers BAD */
		return;
	}
	login_done(s, ctx, RES_UNKNOWN, NULL);
	sk = k + line_skip_ws(arg + k, n - k);
	n = rtrim(arg + sk, n - sk);
	sasl_begin(&s->sasl, m, n > 0, arg + sk, n);
	s->login = L_SASL;
	s->login_seq = s->cmd_seq;
	s->prompts = 0;
	enter_state(s, S_SASL);
}

/* A command's first line: tag SP verb [SP arguments] (RFC 9051 §2.2.1). */
static void
start_command(struct imap *s, struct dec_ctx *ctx, const uint8_t *p,
    size_t n)
{
	const struct verb *v = NULL;
	size_t tl = tag_len(p, n), i, k, vl;

	s->cmd_kind = C_OTHER;
	s->arg = 0;
	/* Not a command: IDLE's "DONE" (RFC 2177), or noise. */
	if (tl == 0 || tl >= n || p[tl] != ' ')
		return;
	i = tl + 1;
	for (vl = 0; i + vl < n && p[i + vl] != ' '; vl++)
		continue;
	if (vl == 0)
		return;
	s->cmd_seq = ++s->seq;
	for (k = 0; k < nitems(verbs); k++)
		if (ascii_ieq(p + i, vl, verbs[k].name))
			v = &verbs[k];
	if (v != NULL)
		s->cmd_kind = v->cmd;
	s->starttls_requested |= s->cmd_kind == C_STARTTLS;
	push_cmd(s, ctx, p, tl, s->cmd_kind);
	i += vl;
	i += line_skip_ws(p + i, n - i);
	if (v != NULL && v->fn != NULL)
		v->fn(s, ctx, p + i, n - i);
}

/*
 * A client line while AUTHENTICATE is open (RFC 9051 §6.2.2).  Returns
 * false when the line is a command after all: one pipelined behind an
 * initial response, before any challenge.
 */
static bool
sasl_line(struct imap *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	n = rtrim(p, n);
	if (sasl_response(&s->sasl, p, n))
		return true;
	if (s->prompts == 0) {
		enter_state(s, S_COMMAND);
		return false;
	}
	/* The server reads it as a (bad) response: no reply of its own. */
	s->sasl_aborted = true;
	COUNT(ctx, bad_base64);
	return true;
}

static void
client_line(struct imap *s, struct dec_ctx *ctx, const struct line *l,
    bool cut)
{
	struct line_splitter *ls = &s->ls[DIR_C2S];
	size_t n = l->len, len = 0, content = 0;
	bool lit, sync = false;

	if (s->state == S_SASL && sasl_line(s, ctx, l->p, n))
		return;
	/* A cut line lost its end, and any literal marker with it. */
	lit = !cut && trailing_literal(l->p, n, &len, &sync, &content);
	if (lit)
		n = content;
	if (!s->cli_cont)
		start_command(s, ctx, l->p, n);
	else if (s->cmd_kind == C_LOGIN)
		login_args(s, l->p, n);
	s->cli_cont = lit;
	if (!lit)
		return;
	s->lit_sync = sync;
	s->lit_len = len;
	if (s->cmd_kind == C_LOGIN && s->arg == 1)
		s->pw_started = true;
	line_set_raw(ls, len);
	if (len == 0)
		literal_done(s);
}

/* --- server responses -------------------------------------------------- */

/* A response code "[NAME ...]" (RFC 9051 §7.1) opening resp-text. */
static bool
resp_code(const uint8_t *p, size_t n, const char *name, const uint8_t **arg,
    size_t *alen)
{
	size_t nl = strlen(name);

	if (n < nl + 2 || p[0] != '[' || !ascii_agrees(p + 1, nl, name) ||
	    (p[nl + 1] != ' ' && p[nl + 1] != ']'))
		return false;
	*arg = p + nl + 1;
	*alen = n - nl - 1;
	return true;
}

/* A data response's literal (FETCH bodies, §7.5.2): its bytes are skipped. */
static void
server_literal(struct imap *s, const uint8_t *p, size_t n, bool cut)
{
	size_t len = 0, content;
	bool sync;

	s->srv_cont = !cut && trailing_literal(p, n, &len, &sync, &content);
	if (s->srv_cont)
		line_set_raw(&s->ls[DIR_S2C], len);
}

/* The tagged reply to a sync literal came first: the literal never will. */
static void
literal_refused(struct imap *s)
{
	struct line_splitter *ls = &s->ls[DIR_C2S];

	if (s->lit_sync && line_raw_left(ls) == s->lit_len)
		line_set_raw(ls, 0);
	s->cli_cont = false;
}

static void
tagged(struct imap *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	size_t tl = tag_len(p, n), i, wl, alen;
	const uint8_t *arg;
	struct pending e;
	bool ok, priv;

	if (tl == 0 || tl >= n || p[tl] != ' ')
		return;
	i = tl + 1;
	if ((ok = line_verb_is(p + i, n - i, "OK")) ||
	    line_verb_is(p + i, n - i, "NO"))
		wl = 2;
	else if (line_verb_is(p + i, n - i, "BAD"))
		wl = 3;
	else
		return;		/* no tagged status */
	if (!take_cmd(s, p, tl, &e)) {
		COUNT(ctx, unmatched_reply);
		return;
	}
	i += wl;
	i += line_skip_ws(p + i, n - i);
	if (e.seq == s->cmd_seq && s->cli_cont)
		literal_refused(s);
	switch ((enum cmd)e.cmd) {
	case C_LOGIN:
	case C_AUTHENTICATE:
		/* Its OK lists post-login capabilities: ignored. */
		if (e.seq != s->login_seq)
			break;
		/* RFC 5530 §3: refused for want of TLS; the secret went. */
		priv = resp_code(p + i, n - i, "PRIVACYREQUIRED", &arg, &alen);
		login_done(s, ctx, ok ? RES_SUCCESS : RES_FAILURE, priv ?
		    "server requires TLS (PRIVACYREQUIRED)" : NULL);
		break;
	case C_STARTTLS:
		s->starttls_reply = ok ? 1 : -1;
		s->starttls_ok |= ok;
		if (ok && s->state != S_TLS) {
			tls_watch_init(&s->tls);
			enter_state(s, S_TLS);
		} else if (!ok && s->state == S_TLS)
			finish(s, ctx);	/* TLS went out regardless */
		else if (!ok)
			emit_once(s, ctx, K_STARTTLS_REFUSED,
			    "server answered NO/BAD to STARTTLS");
		break;
	case C_OTHER:
		if (ok && resp_code(p + i, n - i, "CAPABILITY", &arg, &alen))
			caps_parse(s, ctx, arg, alen);
		break;
	}
}

/* "* ..." (RFC 9051 §7): status, CAPABILITY, or data with literals. */
static void
untagged(struct imap *s, struct dec_ctx *ctx, const uint8_t *p, size_t n,
    bool cut)
{
	static const char *const status[] = { "OK", "PREAUTH", "BYE", "NO",
	    "BAD" };
	const uint8_t *arg;
	size_t k, i, alen;

	for (k = 0; k < nitems(status); k++)
		if (line_verb_is(p, n, status[k]))
			break;
	if (k == nitems(status)) {
		/*
		 * Servers (Dovecot) announce the post-login capabilities
		 * untagged before the tagged OK of a login: when the oldest
		 * command waiting is the login, they say nothing of what was
		 * offered before it.
		 */
		if (line_verb_is(p, n, "CAPABILITY") && !(s->qlen > 0 &&
		    (s->q[0].cmd == C_LOGIN || s->q[0].cmd == C_AUTHENTICATE)))
			caps_parse(s, ctx, p + 10, n - 10);
		else if (line_verb_is(p, n, "CAPABILITY"))
			return;
		else
			server_literal(s, p, n, cut);
		return;
	}
	/* Status responses carry resp-text, never a literal. */
	i = strlen(status[k]);
	i += line_skip_ws(p + i, n - i);
	if (k == 1)
		s->preauth = true;	/* §7.1.4: no LOGIN any more */
	if (k <= 1 && resp_code(p + i, n - i, "CAPABILITY", &arg, &alen))
		caps_parse(s, ctx, arg, alen);
	if (k == 1 || (k == 2 && s->expect_greeting))
		finish(s, ctx);	/* already authenticated, or refused */
}

static void
server_line(struct imap *s, struct dec_ctx *ctx, const struct line *l,
    bool cut)
{
	const uint8_t *p = l->p;
	size_t n = l->len;
	bool star = n >= 2 && p[0] == '*' && p[1] == ' ';

	if (s->srv_cont) {
		server_literal(s, p, n, cut);
		return;
	}
	if (s->expect_greeting) {
		/* RFC 9051 §7.1: the greeting is OK, PREAUTH or BYE. */
		if (!star || !(line_verb_is(p + 2, n - 2, "OK") ||
		    line_verb_is(p + 2, n - 2, "PREAUTH") ||
		    line_verb_is(p + 2, n - 2, "BYE"))) {
			COUNT(ctx, mismatch);
			s->login = L_NONE;	/* no IMAP login after all */
			enter_state(s, S_MISMATCH);
			return;
		}
		untagged(s, ctx, p + 2, n - 2, cut);
		s->expect_greeting = false;
		return;
	}
	if (n >= 1 && p[0] == '+') {
		/* §7.5: continuation: a SASL challenge, or "send the literal" */
		if (s->state == S_SASL)
			s->prompts++;
	} else if (star)
		untagged(s, ctx, p + 2, n - 2, cut);
	else
		tagged(s, ctx, p, n);
}

/* --- after STARTTLS ---------------------------------------------------- */

static void
tls_verdict(struct imap *s, struct dec_ctx *ctx, enum tls_verdict v)
{
	struct finding f;
	const char *why = NULL;

	if (v == TLS_HELLO_DONE && tls_is_weak(&s->tls, &why)) {
		finding_init(s, &f, K_WEAK_TLS);
		f.tls_version = s->tls.version;
		f.tls_cipher = s->tls.cipher;
		f.reason = why;
		dec_emit(ctx, &f);
	}
	if (v != TLS_MORE)
		finish(s, ctx);
}

/*
 * The client's bytes after OK to STARTTLS (RFC 9051 §6.2.1), or right
 * behind STARTTLS: a ClientHello, or, when something on the path answered
 * for the server or the client ignored it, commands in clear.  tls.c tells
 * them apart within a record header (no tag starts with a record type).
 * Returns false for cleartext: the caller reads the bytes as lines.
 */
static bool
tls_client(struct imap *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	enum tls_verdict v = tls_watch_data(&s->tls, DIR_C2S, p, n);

	if (v != TLS_NOT_TLS) {
		tls_verdict(s, ctx, v);
		return true;
	}
	if (s->starttls_reply == 1)
		emit_once(s, ctx, K_STARTTLS_STRIPPED,
		    "cleartext commands after OK to STARTTLS");
	tls_watch_init(&s->tls);
	enter_state(s, S_COMMAND);
	return false;
}

/* --- the decoder interface --------------------------------------------- */

/* The newest outstanding command is STARTTLS: TLS may beat its OK here. */
static bool
starttls_last(const struct imap *s)
{
	return s->qlen > 0 && s->q[s->qlen - 1].cmd == C_STARTTLS;
}

static void
client_bytes(struct imap *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	struct line_splitter *ls = &s->ls[DIR_C2S];
	bool clear = false;	/* the bytes at p were found not to be TLS */
	struct line l;
	enum line_ev ev;

	while (s->state != S_DONE && s->state != S_MISMATCH) {
		if (!clear && n > 0 && line_at_start(ls) &&
		    (s->state == S_TLS || (p[0] == 0x16 && starttls_last(s)))) {
			if (s->state != S_TLS) {
				/* Its answer is yet to come, as a line. */
				s->starttls_reply = 0;
				tls_watch_init(&s->tls);
				enter_state(s, S_TLS);
			}
			if (tls_client(s, ctx, p, n))
				return;
			clear = true;
			continue;
		}
		clear = false;
		if ((ev = line_next(ls, &p, &n, &l)) == LINE_NEED)
			return;
		if (ev == LINE_RAW) {
			if (s->cmd_kind == C_LOGIN && s->arg < 2)
				astring_bytes(s, l.p, l.len);
			if (line_raw_left(ls) == 0)
				literal_done(s);
			continue;
		}
		if (ev == LINE_LONG)
			COUNT(ctx, line_overflow);
		if (l.nul)
			COUNT(ctx, nul_in_line);
		/* A copied line (it may hold a password) is wiped on the next call. */
		client_line(s, ctx, &l, ev == LINE_LONG);
	}
}

static void
server_bytes(struct imap *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	struct line_splitter *ls = &s->ls[DIR_S2C];
	enum tls_verdict v;
	struct line l;
	enum line_ev ev;

	while (s->state != S_DONE && s->state != S_MISMATCH) {
		if (n > 0 && s->state == S_TLS && s->starttls_reply == 1 &&
		    line_at_start(ls)) {
			v = tls_watch_data(&s->tls, DIR_S2C, p, n);
			/* Cleartext from the server: no TLS to judge. */
			tls_verdict(s, ctx, v == TLS_NOT_TLS ? TLS_GIVE_UP : v);
			return;
		}
		if ((ev = line_next(ls, &p, &n, &l)) == LINE_NEED)
			return;
		if (ev == LINE_RAW)
			continue;	/* literal data: never parsed */
		if (ev == LINE_LONG)
			COUNT(ctx, line_overflow);
		if (l.nul)
			COUNT(ctx, nul_in_line);
		server_line(s, ctx, &l, ev == LINE_LONG);
	}
}

static enum dec_status
imap_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct imap *s = st;

	if (s->state != S_DONE && s->state != S_MISMATCH && n > 0) {
		if (dir == DIR_C2S)
			client_bytes(s, ctx, p, n);
		else
			server_bytes(s, ctx, p, n);
	}
	if (s->state == S_DONE)
		return DEC_DONE;
	return s->state == S_MISMATCH ? DEC_MISMATCH : DEC_MORE;
}

static void
imap_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct imap *s = st;

	line_gap(&s->ls[dir], missing);
	COUNT(ctx, gaps);
	s->gap_seen = true;
	if (s->state == S_DONE || s->state == S_MISMATCH)
		return;
	if (s->state == S_TLS) {
		finish(s, ctx);	/* the record header may be in the hole */
		return;
	}
	/* The exchange in flight is cut: its result is unknown. */
	login_done(s, ctx, RES_UNKNOWN, NULL);
	if (dir == DIR_S2C) {
		/* The greeting or tagged replies may be in the hole. */
		s->expect_greeting = false;
		s->qlen = 0;
		if (line_raw_left(&s->ls[dir]) == 0)
			s->srv_cont = false;
	} else if (line_raw_left(&s->ls[dir]) == 0)
		s->cli_cont = false;	/* the rest of the command is lost */
}

static void
imap_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct imap *s = st;

	(void)why;
	if (s->state != S_DONE && s->state != S_MISMATCH)
		login_done(s, ctx, RES_UNKNOWN, NULL);
}

static void
imap_wipe(void *st)
{
	struct imap *s = st;

	line_wipe(&s->ls[DIR_C2S]);
	line_wipe(&s->ls[DIR_S2C]);
	sasl_reset(&s->sasl);
	secret_drop(&s->pass);
	memset(s->user, 0, sizeof(s->user));
	s->user_len = 0;
	tls_watch_init(&s->tls);
}

static void
imap_init(void *st, bool midstream)
{
	struct imap *s = st;

	memset(s, 0, sizeof(*s));
	line_init(&s->ls[DIR_C2S]);
	line_init(&s->ls[DIR_S2C]);
	s->expect_greeting = !midstream;
	enter_state(s, S_COMMAND);
}

/*
 * LOGIN takes two arguments; "AUTH LOGIN [initial-response]" (SMTP, POP3)
 * has one, so a second one, or a literal, is what makes it IMAP.
 */
static enum probe_result
probe_login_args(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n > 0 && p[0] == '{')
		return PROBE_YES;
	while (i < n && p[i] != ' ' && p[i] != '\r' && p[i] != '\n')
		i++;
	if (i == n)
		return PROBE_MAYBE;
	if (p[i] != ' ')
		return PROBE_NO;
	i += line_skip_ws(p + i, n - i);
	if (i == n)
		return PROBE_MAYBE;
	return p[i] == '\r' || p[i] == '\n' ? PROBE_NO : PROBE_YES;
}

/*
 * The server's greeting (RFC 9051 §7.1.1, 7.1.4, 7.1.5) names the server;
 * a tagged CAPABILITY, LOGIN, STARTTLS or AUTHENTICATE names the client.
 */
static enum probe_result
imap_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	static const char *const greet[] = { "* OK", "* PREAUTH", "* BYE" };
	static const char *const first[] = { "CAPABILITY", "LOGIN", "STARTTLS",
	    "AUTHENTICATE" };
	enum probe_result r;
	bool maybe = false;
	size_t i, t, wl;

	(void)dir;	/* the bytes tell the roles better than the guess */
	if (n == 0)
		return PROBE_MAYBE;
	for (i = 0; p[0] == '*' && i < nitems(greet); i++) {
		wl = strlen(greet[i]);
		if (!ascii_agrees(p, n, greet[i]))
			continue;
		if (n <= wl) {
			maybe = true;
			continue;
		}
		if (p[wl] == ' ' || p[wl] == '\r' || p[wl] == '\n') {
			*sender_is_server = true;
			return PROBE_YES;
		}
	}
	if (p[0] == '*')
		return maybe ? PROBE_MAYBE : PROBE_NO;
	if ((t = tag_len(p, n)) == n)
		return t <= IMAP_PROBE_TAG ? PROBE_MAYBE : PROBE_NO;
	if (t == 0 || p[t] != ' ')
		return PROBE_NO;
	p += t + 1;
	n -= t + 1;
	for (i = 0; i < nitems(first); i++) {
		wl = strlen(first[i]);
		if (!ascii_agrees(p, n, first[i]))
			continue;
		if (n <= wl) {
			maybe = true;
			continue;
		}
		if (p[wl] != ' ' && p[wl] != '\r' && p[wl] != '\n')
			continue;
		r = PROBE_YES;
		if (i == 1)
			r = p[wl] == ' ' ? probe_login_args(p + wl + 1,
			    n - wl - 1) : PROBE_NO;
		if (r == PROBE_YES)
			*sender_is_server = false;
		if (r != PROBE_NO)
			return r;
	}
	return maybe ? PROBE_MAYBE : PROBE_NO;
}

static const uint16_t imap_ports[] = { 143, 1143, 0 };

const struct decoder imap_decoder = {
	.name = "imap",
	.ports = imap_ports,
	.state_size = sizeof(struct imap),
	.probe = imap_probe,
	.init = imap_init,
	.data = imap_data,
	.gap = imap_gap,
	.end = imap_end,
	.wipe = imap_wipe,
};
