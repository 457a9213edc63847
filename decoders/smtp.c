/*
 * smtp.c - SMTP: cleartext AUTH, STARTTLS use and tampering, mail accepted
 * without AUTH.
 *
 * Specifications: RFC 5321 (SMTP), RFC 4954 (AUTH), RFC 3207 (STARTTLS),
 * RFC 2920 (PIPELINING), RFC 3030 (CHUNKING, BDAT).
 *
 * Client bytes are read as commands, SASL responses, message body or BDAT
 * chunk bytes, as `state` says.  Server replies are paired in order with a
 * bounded FIFO of outstanding commands (RFC 2920 §3); a multi-line reply
 * counts once, on its "NNN " line (RFC 5321 §4.2.1).
 *
 * Policies, where the wire leaves a choice:
 * - DATA: client lines after DATA are body (never commands) until the "."
 *   line, even before 354 arrives.  If DATA is then rejected, the server
 *   read those lines as commands: each is owed one reply, absorbed without
 *   pairing it with later commands (a "." already seen is owed one too, as
 *   ever).  Lines after the rejection are commands.
 * - AUTH: client lines are SASL responses until the final reply.  A known
 *   verb after a 334 is a prompt answered with a command: no secret, and no
 *   reply of its own (the server reads it as a response).  A verb before any
 *   334 is a command pipelined behind an initial response.
 * - A hole in either direction during AUTH ends the exchange, result
 *   unknown; a hole in the replies empties the FIFO (pairing is lost).
 * - After a successful AUTH nothing more can be learnt: DEC_DONE.
 * - STARTTLS (RFC 3207 §4): after its 220, or when the client sends bytes
 *   right behind STARTTLS before the 220 arrives, each direction's bytes
 *   go to the TLS hello reader (tls.c).  A ServerHello ends inspection
 *   (weak_tls first if it deserves one); client bytes that are no TLS
 *   after a 220 mean the upgrade was answered for the server or stripped,
 *   and are read as commands again.  A ClientHello answered by cleartext
 *   is a client speaking TLS to a plain server: no leak, inspection ends.
 * - A mangled EHLO keyword is evidence of stripping only when it can only
 *   be STARTTLS: a near spelling ("STARTTLZ"), or the one masked keyword
 *   ("XXXXXXXA") of STARTTLS's length while every other keyword is in
 *   clear.  Devices that mask every keyword they do not know (XXXA,
 *   XXXXXXXB, ...) mask CHUNKING as readily as STARTTLS: then whether
 *   STARTTLS was offered is unknown, and findings say so.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"
#include "line.h"
#include "sasl.h"
#include "tls.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define SMTP_FIFO_MAX	32	/* outstanding pipelined commands we track */
#define SMTP_TLS_PEEK	5	/* bytes kept: tls.c says "not TLS" within 3 */
#define SMTP_KW_MAX	8	/* a keyword quoted in a reason: STARTTLS's length */
#define SMTP_DOMAINS	FINDING_MAX_DOMAINS	/* distinct RCPT TO domains kept */
#define SMTP_DOMAIN_MAX	63	/* bytes of a kept domain or server name */

/* Said on findings when masked keywords leave STARTTLS support unknown. */
#define MASKED_NOTE	"EHLO keywords masked on the path (XXXA, XXXXXXXB, " \
			"...): whether STARTTLS was offered is unknown"

#define COUNT(ctx, field) do {					\
	if ((ctx)->ctr != NULL)					\
		(ctx)->ctr->field++;				\
} while (0)

/* How the next client bytes are read. */
enum smtp_st {
	ST_COMMAND = 0,	/* command lines */
	ST_AUTH,	/* SASL responses until the AUTH's final reply */
	ST_DATA_WAIT,	/* DATA sent, not answered: lines are body for now */
	ST_BODY,	/* after 354: body up to the "." line */
	ST_BDAT,	/* chunk bytes; the splitter counts them down */
	ST_TLS_WAIT,	/* 220 to STARTTLS, or TLS right behind it: tls.c reads */
	ST_DONE		/* TLS, or nothing left to learn */
};

enum smtp_cmd {
	C_NONE = 0,	/* not a verb we know */
	C_GREETING,	/* pseudo-command: the server speaks first (RFC 5321 §3.1) */
	C_HELO,
	C_EHLO,
	C_MAIL,
	C_RCPT,
	C_DATA,
	C_DATA_END,	/* the "." line ending a DATA body */
	C_BDAT,
	C_BDAT_LAST,
	C_AUTH,
	C_STARTTLS,
	C_OTHER
};

static const struct {
	const char	*verb;
	enum smtp_cmd	 cmd;
} verbs[] = {
	{ "EHLO", C_EHLO },	{ "HELO", C_HELO },	{ "LHLO", C_EHLO },
	{ "MAIL", C_MAIL },	{ "RCPT", C_RCPT },	{ "DATA", C_DATA },
	{ "BDAT", C_BDAT },	{ "AUTH", C_AUTH },	{ "STARTTLS", C_STARTTLS },
	{ "RSET", C_OTHER },	{ "QUIT", C_OTHER },	{ "NOOP", C_OTHER },
	{ "VRFY", C_OTHER },	{ "EXPN", C_OTHER },	{ "HELP", C_OTHER },
	{ "ETRN", C_OTHER },	{ "TURN", C_OTHER },	{ "ATRN", C_OTHER },
	{ "BURL", C_OTHER },	{ "XCLIENT", C_OTHER },	{ "XFORWARD", C_OTHER },
};

/* EHLO keywords that matter here (RFC 5321 §4.1.1.1: one per reply line). */
#define CAP_STARTTLS	0x01u	/* RFC 3207 */
#define CAP_AUTH	0x02u	/* RFC 4954 */
#define CAP_PIPELINING	0x04u	/* RFC 2920 */
#define CAP_CHUNKING	0x08u	/* RFC 3030 */

static const struct {
	const char	*kw;
	uint32_t	 bit;
} capkw[] = {
	{ "STARTTLS", CAP_STARTTLS },
	{ "AUTH", CAP_AUTH },
	{ "PIPELINING", CAP_PIPELINING },
	{ "CHUNKING", CAP_CHUNKING },
};

struct pending {
	uint8_t		 cmd;		/* enum smtp_cmd */
	uint8_t		 dom;		/* RCPT: index + 1 of its domain in rdom, 0 none */
	uint32_t	 replies;	/* replies still owed (C_OTHER may absorb many) */
	uint32_t	 extra;		/* DATA: body lines sent before its reply */
};

struct smtp_state {
	enum smtp_st	 state;
	bool		 gap_seen;
	bool		 body_gap;	/* a hole inside a DATA body */
	bool		 tls;		/* TLS records followed STARTTLS */

	/* the reply being read */
	bool		 in_reply;	/* inside a multi-line reply */
	int		 code;		/* code of its first line */
	unsigned	 rlines;	/* its lines so far */
	unsigned	 replies;	/* complete replies so far */
	uint32_t	 rcaps, rmechs;	/* an EHLO reply's keywords so far */
	unsigned	 rmasked;	/* keywords of X's (and a letter) */
	uint8_t		 rkw[SMTP_KW_MAX];	/* STARTTLS-long masked one, or near */
	size_t		 rkw_len;
	bool		 rnear;		/* rkw is STARTTLS one or two letters off */

	/* what the session showed */
	bool		 ehlo_seen;	/* an EHLO answer: the capabilities are known */
	bool		 masked;	/* keywords masked with X's: absence uncertain */
	bool		 offer_unknown;	/* masked, and no evidence either way */
	uint32_t	 caps;
	uint32_t	 mechs;		/* MECH_BIT()s from AUTH keywords */
	bool		 starttls_requested, starttls_pending;
	int		 starttls_reply;
	bool		 auth_attempted, auth_ok, auth_aborted, mail_sent;
	unsigned	 auth_prompts;	/* 334s in the current exchange */
	unsigned	 mail_accepted, rcpt_accepted, messages_accepted;
	uint32_t	 emitted;	/* once-per-session kinds, bit per kind */
	bool		 tls_accepted;	/* a 2xx answered STARTTLS */
	/* for the relay judgement: RCPT TO domains, the server's name */
	char		 rdom[SMTP_DOMAINS][SMTP_DOMAIN_MAX + 1];
	uint8_t		 ndom;
	uint8_t		 dom_ok;	/* bit per rdom: a RCPT to it was accepted */
	char		 srv_name[SMTP_DOMAIN_MAX + 1];

	/* the upgrade (ST_TLS_WAIT) */
	struct tls_watch tw;
	bool		 tw_on[2];	/* by enum dir: bytes go to tw, not lines */
	uint8_t		 held[2][SMTP_TLS_PEEK];	/* first bytes given to tw */
	size_t		 nheld[2];

	struct pending	 fifo[SMTP_FIFO_MAX];
	size_t		 fhead, fcount;
	struct sasl_exchange auth;
	struct line_splitter cli, srv;
};

/* What the TLS reader made of some bytes. */
enum tls_turn {
	TT_MORE = 0,	/* all taken; more wanted */
	TT_DONE,	/* inspection is over */
	TT_CLEAR	/* no TLS: read the held bytes, then these, as lines */
};

static void command_line(struct smtp_state *, struct dec_ctx *,
    const struct line *);
static enum dec_status server_bytes(struct smtp_state *, struct dec_ctx *,
    const uint8_t *, size_t);
static enum dec_status client_bytes(struct smtp_state *, struct dec_ctx *,
    const uint8_t *, size_t, bool);

#ifdef SMTP_DEBUG
static const char *
strstate(enum smtp_st s)
{
	static const char *const names[] = { "COMMAND", "AUTH", "DATA_WAIT",
	    "BODY", "BDAT", "TLS_WAIT", "DONE" };

	return (size_t)s < nitems(names) ? names[s] : "?";
}
#endif

static void
enter_state(struct smtp_state *st, enum smtp_st s)
{
#ifdef SMTP_DEBUG
	fprintf(stderr, "smtp: %s -> %s\n", strstate(st->state), strstate(s));
#endif
	st->state = s;
}

static size_t
rtrim(const uint8_t *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n;
}

static enum smtp_cmd
verb_lookup(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < nitems(verbs); i++)
		if (line_verb_is(p, n, verbs[i].verb))
			return verbs[i].cmd;
	return C_NONE;
}

/* --- the FIFO of commands awaiting a reply ---------------------------- */

static struct pending *
fifo_at(struct smtp_state *st, size_t i)
{
	return &st->fifo[(st->fhead + i) % SMTP_FIFO_MAX];
}

static struct pending *
fifo_push(struct smtp_state *st, struct dec_ctx *ctx, enum smtp_cmd c,
    bool front)
{
	struct pending *e;

	if (st->fcount == SMTP_FIFO_MAX) {
		COUNT(ctx, pipeline_overflow);
		return NULL;
	}
	if (front) {
		st->fhead = (st->fhead + SMTP_FIFO_MAX - 1) % SMTP_FIFO_MAX;
		e = &st->fifo[st->fhead];
	} else
		e = fifo_at(st, st->fcount);
	st->fcount++;
	memset(e, 0, sizeof(*e));
	e->cmd = (uint8_t)c;
	e->replies = 1;
	return e;
}

static void
fifo_pop(struct smtp_state *st)
{
	if (st->fcount == 0 || --st->fifo[st->fhead].replies > 0)
		return;
	st->fhead = (st->fhead + 1) % SMTP_FIFO_MAX;
	st->fcount--;
}

/* --- what the relay judgement reads ------------------------------------ */

/*
 * A host or domain name as kept: lower case, letters, digits, '.', '-',
 * and for an address literal (RFC 5321 §4.1.3) '[', ']', ':'; anything
 * else, or a name longer than SMTP_DOMAIN_MAX, is not kept (0).
 */
static size_t
name_copy(char *dst, const uint8_t *p, size_t n)
{
	size_t i;
	uint8_t c;

	if (n == 0 || n > SMTP_DOMAIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '[' || c == ']' || c == ':'))
			return 0;
		dst[i] = (char)c;
	}
	dst[n] = '\0';
	return n;
}

/* The first word after "NNN " / "NNN-": the greeting's or EHLO's host. */
static void
server_name(struct smtp_state *st, const uint8_t *p, size_t n)
{
	size_t k;

	if (n <= 4)
		return;
	p += 4;
	n -= 4;
	for (k = 0; k < n && p[k] != ' ' && p[k] != '\t'; k++)
		continue;
	name_copy(st->srv_name, p, k);
}

/*
 * "RCPT TO:<user@Example.ORG> params" (RFC 5321 §4.1.1.3): the index + 1
 * of its domain among the first SMTP_DOMAINS distinct ones, 0 if none.
 */
static uint8_t
rcpt_domain(struct smtp_state *st, const uint8_t *p, size_t n)
{
	char d[SMTP_DOMAIN_MAX + 1];
	size_t i, at = 0, end;
	uint8_t k;

	for (i = 0; i < n && p[i] != ':'; i++)
		continue;
	if (i == n)
		return 0;
	for (i++; i < n && p[i] == ' '; i++)
		continue;
	for (end = i; end < n && p[end] != '>' && p[end] != ' '; end++)
		if (p[end] == '@')
			at = end + 1;
	if (at == 0 || name_copy(d, p + at, end - at) == 0)
		return 0;
	for (k = 0; k < st->ndom; k++)
		if (strcmp(st->rdom[k], d) == 0)
			return (uint8_t)(k + 1);
	if (st->ndom == SMTP_DOMAINS)
		return 0;
	memcpy(st->rdom[st->ndom], d, sizeof(d));
	return ++st->ndom;
}

/* --- findings ---------------------------------------------------------- */

static void
finding_init(const struct smtp_state *st, struct finding *f,
    enum finding_kind k)
{
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->app_proto = "smtp";
	f->result = RES_UNKNOWN;
	if ((st->caps & CAP_STARTTLS) != 0)
		f->starttls_offered = TRI_YES;
	else if (st->ehlo_seen && !st->offer_unknown)
		f->starttls_offered = TRI_NO;
	f->starttls_requested = st->starttls_requested;
	f->starttls_reply = st->starttls_reply;
	if (st->tw.server_hello) {
		f->tls_version = st->tw.version;
		f->tls_cipher = st->tw.cipher;
	}
	f->gap_seen = st->gap_seen;
}

static void
emit_once(struct smtp_state *st, struct dec_ctx *ctx, enum finding_kind k,
    const char *reason)
{
	static const enum sasl_mech clear[] = { MECH_PLAIN, MECH_LOGIN };
	struct finding f;
	size_t i;

	if ((st->emitted & (1u << k)) != 0)
		return;
	st->emitted |= 1u << k;
	finding_init(st, &f, k);
	f.reason = reason != NULL ? reason : st->offer_unknown ? MASKED_NOTE :
	    NULL;
	for (i = 0; k == K_CLEARTEXT_AUTH_OFFERED && i < nitems(clear); i++)
		if ((st->mechs & MECH_BIT(clear[i])) != 0)
			f.mechs[f.nmechs++] = sasl_mech_name(clear[i]);
	if (k == K_UNAUTH_MAIL_ACCEPTED) {
		f.rcpt_accepted = st->rcpt_accepted;
		f.messages_accepted = st->messages_accepted;
		for (i = 0; i < st->ndom; i++)
			if ((st->dom_ok & (1u << i)) != 0)
				f.rcpt_domains[f.nrcpt_domains++] = st->rdom[i];
		f.server_name = st->srv_name[0] != '\0' ? st->srv_name : NULL;
		if ((st->caps & CAP_AUTH) != 0)
			f.auth_offered = TRI_YES;
		else if (st->ehlo_seen && !st->offer_unknown)
			f.auth_offered = TRI_NO;
	}
	dec_emit(ctx, &f);
}

/*
 * The AUTH exchange is over (final reply, hole or end of flow): report what
 * crossed the wire.  A username alone is reported unless the client gave up
 * ("*", RFC 4954 §4, or a command instead of a response).
 */
static void
auth_finish(struct smtp_state *st, struct dec_ctx *ctx, enum auth_result res)
{
	struct sasl_exchange *x = &st->auth;
	struct finding f;
	bool gave_up = x->cancelled || st->auth_aborted, report = false;

	if (!x->active)
		return;
	if (x->malformed)
		COUNT(ctx, bad_sasl);
	finding_init(st, &f, K_CLEARTEXT_CREDENTIALS);
	switch (sasl_exchange_class(x)) {
	case MC_CLEARTEXT:
	case MC_BEARER:
		report = x->secret_seen || (x->user_len > 0 && !gave_up);
		break;
	case MC_CHALLENGE:
		f.kind = K_CHALLENGE_RESPONSE;
		report = x->responses > 0 && !gave_up;
		break;
	case MC_OTHER:
		break;
	}
	if (report) {
		f.mechanism = sasl_auth_label(x->mech);
		f.username = x->user_len > 0 ? x->user : NULL;
		f.username_len = x->user_len;
		f.username_truncated = x->user_truncated;
		f.result = res;
		f.secret_seen = x->secret_seen;
		/* For the keyed fingerprint only; sasl_reset() wipes it. */
		f.secret = x->pass.len > 0 ? x->pass.b : NULL;
		f.secret_len = x->pass.len;
		dec_emit(ctx, &f);
	}
	sasl_reset(x);
	st->auth_aborted = false;
}

/* Findings that need facts from both sides; each fires once. */
static void
check_session(struct smtp_state *st, struct dec_ctx *ctx)
{
	bool offered = (st->caps & CAP_STARTTLS) != 0;

	/* Only an EHLO answer proves absence; HELO alone lists nothing. */
	if (st->ehlo_seen && !offered && !st->masked && (st->auth_attempted ||
	    st->mail_accepted > 0 || st->messages_accepted > 0))
		emit_once(st, ctx, K_STARTTLS_NOT_OFFERED, NULL);
	if (st->ehlo_seen && offered && !st->starttls_requested &&
	    (st->auth_attempted || st->mail_sent))
		emit_once(st, ctx, K_STARTTLS_OFFERED_NOT_USED, NULL);
}

/* Last words before the decoder stops: the flow ends, TLS, or AUTH worked. */
static void
flush_pending(struct smtp_state *st, struct dec_ctx *ctx)
{
	auth_finish(st, ctx, RES_UNKNOWN);
	if (!st->auth_ok && st->mail_accepted > 0 && st->rcpt_accepted > 0)
		emit_once(st, ctx, K_UNAUTH_MAIL_ACCEPTED, NULL);
}

/* The upgrade is over (a ServerHello, or nothing more to read): stop. */
static enum tls_turn
tls_started(struct smtp_state *st, struct dec_ctx *ctx)
{
	st->tls = true;
	flush_pending(st, ctx);
	enter_state(st, ST_DONE);
	return TT_DONE;
}

/* Bytes of direction d go to the TLS reader from now on. */
static void
tls_begin(struct smtp_state *st, enum dir d)
{
	if (st->state != ST_TLS_WAIT) {
		tls_watch_init(&st->tw);
		st->nheld[DIR_C2S] = st->nheld[DIR_S2C] = 0;
		enter_state(st, ST_TLS_WAIT);
	}
	st->tw_on[d] = true;
}

/*
 * Bytes of direction d during the upgrade.  On TT_CLEAR the bytes given to
 * the reader before this call are copied to held (the caller reads them,
 * then p, as lines); this call's bytes are all the caller's again.
 */
static enum tls_turn
tls_bytes(struct smtp_state *st, struct dec_ctx *ctx, enum dir d,
    const uint8_t *p, size_t n, uint8_t *held, size_t *nheld)
{
	const char *why;
	size_t k;

	switch (tls_watch_data(&st->tw, d, p, n)) {
	case TLS_MORE:
		k = SMTP_TLS_PEEK - st->nheld[d];
		k = n < k ? n : k;
		memcpy(st->held[d] + st->nheld[d], p, k);
		st->nheld[d] += k;
		return TT_MORE;
	case TLS_HELLO_DONE:
		if (tls_is_weak(&st->tw, &why))
			emit_once(st, ctx, K_WEAK_TLS, why);
		return tls_started(st, ctx);
	case TLS_GIVE_UP:
		return tls_started(st, ctx);
	case TLS_NOT_TLS:
		break;
	}
	*nheld = st->nheld[d];
	memcpy(held, st->held[d], *nheld);
	memset(st->held[d], 0, sizeof(st->held[d]));
	st->nheld[d] = 0;
	if (d == DIR_S2C) {
		st->tw_on[DIR_S2C] = false;
		/*
		 * The client already spoke TLS and the server answers in
		 * clear: a client speaking TLS to a plain server, not a leak.
		 */
		if (st->tw_on[DIR_C2S] && st->tw.h[DIR_C2S].seen > 0)
			return tls_started(st, ctx);
		return TT_CLEAR;
	}
	/* RFC 3207 §4: after 220 the client must start TLS at once. */
	if (st->tls_accepted)
		emit_once(st, ctx, K_STARTTLS_STRIPPED,
		    "220 to STARTTLS followed by cleartext");
	st->tw_on[DIR_C2S] = st->tw_on[DIR_S2C] = false;
	st->starttls_pending = false;	/* no TLS behind it: no second look */
	enter_state(st, ST_COMMAND);
	return TT_CLEAR;
}

/* --- server replies ---------------------------------------------------- */

/*
 * STARTTLS with one or two letters changed ("STARTTLZ"): no other keyword
 * is that close, so something on the path rewrote it.  A keyword that is
 * all X's is a masked one, below, and says less.
 */
static bool
near_starttls(const uint8_t *k, size_t n)
{
	static const char want[] = "STARTTLS";
	size_t i, x = 0, diff = 0;

	if (n != sizeof(want) - 1)
		return false;
	for (i = 0; i < n; i++) {
		x += ascii_lower(k[i]) == 'x';
		diff += ascii_lower(k[i]) != ascii_lower((unsigned char)want[i]);
	}
	return diff > 0 && diff <= 2 && x < n - 1;
}

/*
 * A keyword of X's with an optional letter: some keyword was masked, as
 * Cisco's ESMTP inspection does ("XXXXXXXA", "XXXXXXXB", ... in order).
 */
static bool
masked_keyword(const uint8_t *k, size_t n)
{
	size_t i;

	for (i = 0; i < n && ascii_lower(k[i]) == 'x'; i++)
		continue;
	return i >= 3 && (i == n || (i + 1 == n && ascii_lower(k[i]) >= 'a' &&
	    ascii_lower(k[i]) <= 'z'));
}

static void
keep_keyword(struct smtp_state *st, const uint8_t *k, size_t n)
{
	size_t i;

	/* Quoted in a reason: printable ASCII only. */
	for (i = 0; i < n && i < SMTP_KW_MAX; i++)
		st->rkw[i] = k[i] > 0x20 && k[i] < 0x7f ? k[i] : '?';
	st->rkw_len = i;
}

/* One line of a 250 answer to EHLO: "250-KEYWORD params". */
static void
ehlo_line(struct smtp_state *st, const uint8_t *p, size_t n)
{
	size_t i, k;

	/* The first line names the domain; keywords follow (RFC 5321 §4.1.1.1). */
	if (st->rlines == 0 || n < 4)
		return;
	p += 4;
	n -= 4;
	i = line_skip_ws(p, n);
	p += i;
	n -= i;
	/* "AUTH=LOGIN PLAIN" is the pre-RFC 4954 spelling. */
	for (k = 0; k < n && p[k] != ' ' && p[k] != '\t' && p[k] != '='; k++)
		continue;
	for (i = 0; i < nitems(capkw); i++) {
		if (!ascii_ieq(p, k, capkw[i].kw))
			continue;
		st->rcaps |= capkw[i].bit;
		if (capkw[i].bit == CAP_AUTH)
			st->rmechs |= sasl_mech_list(p + k, n - k);
		return;
	}
	if (near_starttls(p, k)) {
		st->rnear = true;
		keep_keyword(st, p, k);
	} else if (masked_keyword(p, k)) {
		if (k == SMTP_KW_MAX && st->rmasked == 0 && !st->rnear)
			keep_keyword(st, p, k);
		st->rmasked++;
	}
}

static void
ehlo_reply(struct smtp_state *st, struct dec_ctx *ctx, int code)
{
	char why[96];
	bool strong;

	/* 500/502: no ESMTP at all, hence no STARTTLS. */
	if (code != 250 && code != 500 && code != 502)
		return;
	st->ehlo_seen = true;
	st->caps |= st->rcaps;
	st->mechs |= st->rmechs;
	/*
	 * Strong evidence only: a near spelling of STARTTLS, or one masked
	 * keyword of its length with every other keyword in clear.
	 */
	strong = (st->rcaps & CAP_STARTTLS) == 0 && (st->rnear ||
	    (st->rmasked == 1 && st->rkw_len == SMTP_KW_MAX));
	if (st->rnear || st->rmasked > 0)
		st->masked = true;
	if (strong) {
		snprintf(why, sizeof(why), "capability %.*s in place of "
		    "STARTTLS%s", (int)st->rkw_len, (const char *)st->rkw,
		    st->rnear ? "" : " (no other keyword masked)");
		emit_once(st, ctx, K_STARTTLS_STRIPPED, why);
	} else if (st->rmasked > 0 && (st->caps & CAP_STARTTLS) == 0)
		st->offer_unknown = true;
	if ((st->rmechs & MECH_CLEARTEXT_SET) != 0)
		emit_once(st, ctx, K_CLEARTEXT_AUTH_OFFERED, NULL);
}

static void
data_reply(struct smtp_state *st, struct dec_ctx *ctx, int code)
{
	struct pending *e;
	uint32_t extra = fifo_at(st, 0)->extra;
	bool sending = st->state == ST_DATA_WAIT;

	fifo_pop(st);
	/* Whether the client is still sending the body of this very DATA. */
	sending = sending && st->fcount == 0;
	if (code == 354) {		/* RFC 5321 §4.1.1.4 */
		if (sending)
			enter_state(st, ST_BODY);
		return;
	}
	/* Rejected: what the client sent as body were commands to the server. */
	if (sending)
		enter_state(st, ST_COMMAND);
	if (extra > 0 && (e = fifo_push(st, ctx, C_OTHER, true)) != NULL)
		e->replies = extra;
}

/* A complete reply with the code of its first line; 0 when it had none. */
static void
reply_done(struct smtp_state *st, struct dec_ctx *ctx, int code)
{
	struct pending *h;
	int cls = code / 100;

	st->replies++;
	/* A reply while a body is open after a hole: its "." was lost. */
	if (st->state == ST_BODY && st->body_gap && st->fcount == 0) {
		fifo_push(st, ctx, C_DATA_END, false);
		enter_state(st, ST_COMMAND);
	}
	h = st->fcount > 0 ? fifo_at(st, 0) : NULL;
	/* Picked up midstream: a first 220 is the greeting, not an answer. */
	if (code == 220 && st->replies == 1 && (h == NULL ||
	    (h->cmd != C_GREETING && h->cmd != C_STARTTLS)))
		return;
	if (h == NULL) {
		COUNT(ctx, unmatched_reply);
		return;
	}
	switch ((enum smtp_cmd)h->cmd) {
	case C_AUTH:
		if (cls == 3) {		/* 334: the exchange goes on */
			st->auth_prompts++;
			return;
		}
		fifo_pop(st);
		if (st->state == ST_AUTH)
			enter_state(st, ST_COMMAND);
		st->auth_ok = cls == 2;
		auth_finish(st, ctx, cls == 2 ? RES_SUCCESS :
		    cls == 4 || cls == 5 ? RES_FAILURE : RES_UNKNOWN);
		break;
	case C_STARTTLS:
		fifo_pop(st);
		st->starttls_pending = false;
		st->starttls_reply = code;
		if (cls == 2 && (st->state == ST_COMMAND ||
		    st->state == ST_TLS_WAIT)) {
			/* RFC 3207 §4: both sides start TLS now. */
			st->tls_accepted = true;
			tls_begin(st, DIR_C2S);
			tls_begin(st, DIR_S2C);
		} else if (cls == 4 || cls == 5) {
			emit_once(st, ctx, K_STARTTLS_REFUSED, NULL);
			/* TLS went to a server that said no: no cleartext follows. */
			if (st->state == ST_TLS_WAIT) {
				flush_pending(st, ctx);
				enter_state(st, ST_DONE);
			}
		}
		break;
	case C_EHLO:
		fifo_pop(st);
		ehlo_reply(st, ctx, code);
		break;
	case C_MAIL:
		fifo_pop(st);
		st->mail_accepted += cls == 2;
		break;
	case C_RCPT:
		if (cls == 2 && h->dom > 0)
			st->dom_ok |= (uint8_t)(1u << (h->dom - 1));
		fifo_pop(st);
		st->rcpt_accepted += cls == 2;	/* 250 or 251 */
		break;
	case C_DATA:
		data_reply(st, ctx, code);
		break;
	case C_DATA_END:
	case C_BDAT_LAST:
		fifo_pop(st);
		if (cls == 2) {
			st->messages_accepted++;
			if (st->mail_accepted > 0 && st->rcpt_accepted > 0)
				emit_once(st, ctx, K_UNAUTH_MAIL_ACCEPTED, NULL);
		}
		break;
	case C_NONE:
	case C_GREETING:
	case C_HELO:
	case C_BDAT:
	case C_OTHER:
		fifo_pop(st);
		break;
	}
	check_session(st, ctx);
	if (st->auth_ok) {
		/* Nothing left to learn: no second AUTH, no unauthenticated mail. */
		flush_pending(st, ctx);
		enter_state(st, ST_DONE);
	}
}

/* "NNN-text" continues a reply, "NNN text" or "NNN" ends it (RFC 5321 §4.2.1). */
static void
reply_line(struct smtp_state *st, struct dec_ctx *ctx, const struct line *l)
{
	const uint8_t *p = l->p;
	size_t n = l->len;
	bool coded, last;

	coded = n >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' &&
	    p[1] <= '9' && p[2] >= '0' && p[2] <= '9';
	/* A line without a code continues a reply, or stands alone as one. */
	last = coded ? !(n > 3 && p[3] == '-') : !st->in_reply;
	if (!st->in_reply) {
		st->code = coded ? (p[0] - '0') * 100 + (p[1] - '0') * 10 +
		    (p[2] - '0') : 0;
		st->rlines = 0;
		st->rcaps = st->rmechs = 0;
		st->rmasked = 0;
		st->rkw_len = 0;
		st->rnear = false;
		/* RFC 5321 §4.3.1: a greeting is 220, 421 or 554; else none came. */
		if (st->fcount > 0 && fifo_at(st, 0)->cmd == C_GREETING &&
		    st->code != 220 && st->code != 421 && st->code != 554)
			fifo_pop(st);
	}
	if (coded && st->code == 250 && st->fcount > 0 &&
	    fifo_at(st, 0)->cmd == C_EHLO) {
		if (st->rlines == 0)
			server_name(st, p, n);	/* the EHLO answer names it */
		ehlo_line(st, p, n);
	} else if (coded && st->code == 220 && st->rlines == 0 &&
	    st->replies == 0 && st->srv_name[0] == '\0')
		server_name(st, p, n);		/* the greeting */
	st->rlines++;
	st->in_reply = !last;
	if (last)
		reply_done(st, ctx, st->code);
}

static enum dec_status
server_bytes(struct smtp_state *st, struct dec_ctx *ctx, const uint8_t *p,
    size_t n)
{
	uint8_t held[SMTP_TLS_PEEK];
	size_t nheld = 0;
	struct line l;
	enum line_ev ev;

	for (;;) {
		if (st->tw_on[DIR_S2C]) {
			switch (tls_bytes(st, ctx, DIR_S2C, p, n, held,
			    &nheld)) {
			case TT_MORE:
				return DEC_MORE;
			case TT_DONE:
				return DEC_DONE;
			case TT_CLEAR:
				break;
			}
			/* Too short for a reply line that starts TLS again. */
			if (server_bytes(st, ctx, held, nheld) == DEC_DONE)
				return DEC_DONE;
			continue;
		}
		if ((ev = line_next(&st->srv, &p, &n, &l)) == LINE_NEED)
			return DEC_MORE;
		if (ev == LINE_LONG)
			COUNT(ctx, line_overflow);
		if (l.nul)
			COUNT(ctx, nul_in_line);
		reply_line(st, ctx, &l);
		if (st->state == ST_DONE)
			return DEC_DONE;
	}
}

/* --- client commands --------------------------------------------------- */

/* "AUTH mechanism [initial-response]" (RFC 4954 §4). */
static void
auth_command(struct smtp_state *st, struct dec_ctx *ctx, const uint8_t *p,
    size_t n)
{
	enum sasl_mech m;
	size_t i, k;

	i = line_skip_ws(p, n);
	p += i;
	n -= i;
	for (k = 0; k < n && p[k] != ' ' && p[k] != '\t'; k++)
		continue;
	if ((m = sasl_mech_lookup(p, k)) == MECH_NONE) {
		COUNT(ctx, bad_sasl);	/* the server answers 501 */
		fifo_push(st, ctx, C_OTHER, false);
		return;
	}
	auth_finish(st, ctx, RES_UNKNOWN);	/* one left unanswered */
	st->auth_attempted = true;
	st->auth_prompts = 0;
	i = k + line_skip_ws(p + k, n - k);
	n = rtrim(p + i, n - i);
	sasl_begin(&st->auth, m, n > 0, p + i, n);
	fifo_push(st, ctx, C_AUTH, false);
	enter_state(st, ST_AUTH);
}

/* A client line between AUTH and its final reply. */
static void
auth_line(struct smtp_state *st, struct dec_ctx *ctx, const struct line *l)
{
	size_t n = rtrim(l->p, l->len);

	/* Checked first: "QUIT" and "RSET" are valid base64. */
	if (verb_lookup(l->p, n) != C_NONE) {
		if (st->auth_prompts == 0) {
			enter_state(st, ST_COMMAND);
			command_line(st, ctx, l);
		} else {
			st->auth_aborted = true;
			COUNT(ctx, bad_sasl);
		}
		return;
	}
	if (st->auth.active && !sasl_response(&st->auth, l->p, n)) {
		st->auth_aborted = true;
		COUNT(ctx, bad_base64);
	}
}

/* "BDAT size [LAST]" (RFC 3030 §2); the chunk's bytes follow at once. */
static void
bdat_command(struct smtp_state *st, struct dec_ctx *ctx, const uint8_t *p,
    size_t n)
{
	size_t i, d = 0, size = 0, v;
	bool last;

	i = line_skip_ws(p, n);
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, d++) {
		v = (size_t)(p[i] - '0');
		if (size > (SIZE_MAX - v) / 10) {
			d = 0;
			break;
		}
		size = size * 10 + v;
	}
	i += line_skip_ws(p + i, n - i);
	last = line_verb_is(p + i, n - i, "LAST");
	if (last)
		i += 4;
	/* A bad size or a stray argument: 501, and the server reads no chunk. */
	if (d == 0 || rtrim(p + i, n - i) > 0) {
		fifo_push(st, ctx, C_OTHER, false);
		return;
	}
	fifo_push(st, ctx, last ? C_BDAT_LAST : C_BDAT, false);
	if (size > 0) {
		line_set_raw(&st->cli, size);
		enter_state(st, ST_BDAT);
	}
}

static void
command_line(struct smtp_state *st, struct dec_ctx *ctx, const struct line *l)
{
	enum smtp_cmd c = verb_lookup(l->p, l->len);
	struct pending *e;

	switch (c) {
	case C_AUTH:
		auth_command(st, ctx, l->p + 4, l->len - 4);
		break;
	case C_BDAT:
		bdat_command(st, ctx, l->p + 4, l->len - 4);
		break;
	case C_DATA:
		fifo_push(st, ctx, C_DATA, false);
		enter_state(st, ST_DATA_WAIT);
		break;
	case C_STARTTLS:
		st->starttls_requested = st->starttls_pending = true;
		fifo_push(st, ctx, c, false);
		break;
	case C_MAIL:
		st->mail_sent = true;
		fifo_push(st, ctx, c, false);
		break;
	case C_RCPT:
		if ((e = fifo_push(st, ctx, c, false)) != NULL)
			e->dom = rcpt_domain(st, l->p, l->len);
		break;
	case C_NONE:
		fifo_push(st, ctx, C_OTHER, false);
		break;
	default:
		fifo_push(st, ctx, c, false);
		break;
	}
	check_session(st, ctx);
}

/* Message text; RFC 5321 §4.1.1.4: a line holding only "." ends it. */
static void
body_line(struct smtp_state *st, struct dec_ctx *ctx, const struct line *l)
{
	struct pending *t;

	if (l->len != 1 || l->p[0] != '.') {
		t = st->fcount > 0 ? fifo_at(st, st->fcount - 1) : NULL;
		if (st->state == ST_DATA_WAIT && t != NULL && t->cmd == C_DATA &&
		    t->extra < UINT32_MAX)
			t->extra++;
		return;
	}
	fifo_push(st, ctx, C_DATA_END, false);
	enter_state(st, ST_COMMAND);
}

static void
client_line(struct smtp_state *st, struct dec_ctx *ctx, enum line_ev ev,
    const struct line *l)
{
	if (st->state == ST_DATA_WAIT || st->state == ST_BODY) {
		body_line(st, ctx, l);
		return;
	}
	if (ev == LINE_LONG)
		COUNT(ctx, line_overflow);
	if (l->nul)
		COUNT(ctx, nul_in_line);
	if (st->state == ST_AUTH)
		auth_line(st, ctx, l);
	else if (st->state == ST_COMMAND)
		command_line(st, ctx, l);
}

/*
 * Client bytes; `upgrade`: bytes right behind STARTTLS, or after its 220,
 * go to the TLS reader (off when replaying bytes it gave back).
 */
static enum dec_status
client_bytes(struct smtp_state *st, struct dec_ctx *ctx, const uint8_t *p,
    size_t n, bool upgrade)
{
	uint8_t held[SMTP_TLS_PEEK];
	size_t nheld = 0;
	struct line l;
	enum line_ev ev;

	for (;;) {
		/* TLS right behind STARTTLS: its 220 is late or was lost. */
		if (upgrade && st->starttls_pending &&
		    st->state == ST_COMMAND && n > 0 && line_at_start(&st->cli))
			tls_begin(st, DIR_C2S);
		if (upgrade && st->tw_on[DIR_C2S]) {
			switch (tls_bytes(st, ctx, DIR_C2S, p, n, held,
			    &nheld)) {
			case TT_MORE:
				return DEC_MORE;
			case TT_DONE:
				return DEC_DONE;
			case TT_CLEAR:
				break;
			}
			if (client_bytes(st, ctx, held, nheld, false) ==
			    DEC_DONE)
				return DEC_DONE;
			continue;
		}
		if ((ev = line_next(&st->cli, &p, &n, &l)) == LINE_NEED)
			return DEC_MORE;
		if (ev == LINE_RAW) {
			if (line_raw_left(&st->cli) == 0 && st->state == ST_BDAT)
				enter_state(st, ST_COMMAND);
			continue;
		}
		client_line(st, ctx, ev, &l);
		if (st->state == ST_DONE)
			return DEC_DONE;
	}
}

/* --- the decoder interface --------------------------------------------- */

static bool
probe_char(char want, uint8_t c, bool verb)
{
	if (verb && want == ' ')
		return c == ' ' || c == '\r' || c == '\n';
	return ascii_lower(c) == ascii_lower((unsigned char)want);
}

/* Bytes of the first line of p (without its end). */
static size_t
line_len(const uint8_t *p, size_t n)
{
	const uint8_t *lf = memchr(p, '\n', n);

	return lf != NULL ? (size_t)(lf - p) : n;
}

static enum probe_result
smtp_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	static const struct {
		const char	*pfx;
		bool		 server;
	} pats[] = {
		{ "220 ", true }, { "220-", true },	/* greeting */
		{ "EHLO ", false }, { "HELO ", false },	/* first command */
	};
	size_t i, j, len;
	bool maybe = false, ok;

	(void)dir;	/* the bytes tell the roles better than the guess */
	for (i = 0; i < nitems(pats); i++) {
		len = strlen(pats[i].pfx);
		ok = true;
		for (j = 0; j < len && j < n && ok; j++)
			ok = probe_char(pats[i].pfx[j], p[j], !pats[i].server);
		if (!ok)
			continue;
		if (n < len) {
			maybe = true;
			continue;
		}
		/*
		 * FTP greets with 220 too (RFC 959 §4.2): a greeting is SMTP's
		 * when its first line says so ("ESMTP", "SMTP"), FTP's when it
		 * names FTP alone; otherwise the client's first command or nDPI
		 * decides.
		 */
		if (pats[i].server) {
			size_t ll = line_len(p, n);

			if (!ascii_find(p, ll, "SMTP")) {
				if (ascii_find(p, ll, "FTP"))
					continue;
				maybe = true;
				continue;
			}
		}
		if (sender_is_server != NULL)
			*sender_is_server = pats[i].server;
		return PROBE_YES;
	}
	return maybe ? PROBE_MAYBE : PROBE_NO;
}

static void
smtp_init(void *vst, bool midstream)
{
	struct smtp_state *st = vst;

	memset(st, 0, sizeof(*st));
	line_init(&st->cli);
	line_init(&st->srv);
	if (!midstream) {
		st->fifo[0].cmd = C_GREETING;
		st->fifo[0].replies = 1;
		st->fcount = 1;
	}
}

static enum dec_status
smtp_data(void *vst, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct smtp_state *st = vst;

	if (st->state == ST_DONE)
		return DEC_DONE;
	if (dir == DIR_S2C)
		return server_bytes(st, ctx, p, n);
	return client_bytes(st, ctx, p, n, true);
}

static void
smtp_gap(void *vst, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct smtp_state *st = vst;

	COUNT(ctx, gaps);
	st->gap_seen = true;
	if (st->state == ST_DONE)
		return;
	if (st->tw_on[dir]) {
		/* A record header may be in the hole: TLS cannot be judged. */
		flush_pending(st, ctx);
		enter_state(st, ST_DONE);
		return;
	}
	auth_finish(st, ctx, RES_UNKNOWN);
	if (dir == DIR_S2C) {
		/* Replies were lost: pairing them with commands is lost too. */
		line_gap(&st->srv, missing);
		st->in_reply = false;
		st->fhead = st->fcount = 0;
		if (st->state == ST_AUTH)
			enter_state(st, ST_COMMAND);
		return;
	}
	line_gap(&st->cli, missing);
	switch (st->state) {
	case ST_BDAT:
		if (line_raw_left(&st->cli) == 0)
			enter_state(st, ST_COMMAND);
		break;
	case ST_DATA_WAIT:
	case ST_BODY:
		st->body_gap = true;
		break;
	case ST_TLS_WAIT:	/* the client's bytes are read by tw: above */
	case ST_COMMAND:
	case ST_AUTH:	/* stays until the final reply; responses ignored */
	case ST_DONE:
		break;
	}
}

static void
smtp_end(void *vst, struct dec_ctx *ctx, enum end_reason why)
{
	(void)why;
	flush_pending(vst, ctx);
}

static void
smtp_wipe(void *vst)
{
	struct smtp_state *st = vst;

	line_wipe(&st->cli);
	line_wipe(&st->srv);
	sasl_reset(&st->auth);
	memset(st->held, 0, sizeof(st->held));
	st->nheld[DIR_C2S] = st->nheld[DIR_S2C] = 0;
	/* A "hello" that was really cleartext may sit in its buffers. */
	memset(&st->tw, 0, sizeof(st->tw));
}

static const uint16_t smtp_ports[] = { 25, 587, 2525, 0 };

const struct decoder smtp_decoder = {
	.name = "smtp",
	.ports = smtp_ports,
	.state_size = sizeof(struct smtp_state),
	.probe = smtp_probe,
	.init = smtp_init,
	.data = smtp_data,
	.gap = smtp_gap,
	.end = smtp_end,
	.wipe = smtp_wipe,
};
