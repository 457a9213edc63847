/*
 * redis.c - Redis: AUTH and HELLO ... AUTH passwords in clear.
 *
 * Specifications: the Redis serialization protocol (RESP2 and RESP3,
 * redis.io/docs/reference/protocol-spec), the AUTH command (one argument:
 * the requirepass password, user "default" implied; two: an ACL user and
 * its password) and HELLO protover [AUTH username password] [SETNAME
 * clientname].
 *
 * Client bytes are commands: RESP arrays of bulk strings, or inline
 * commands (words on a line).  Server bytes are replies, one per command in
 * order (pipelining), so the reply stream is walked far enough to count its
 * top-level values: simple strings, errors, integers, bulk strings and
 * RESP3 aggregates (arrays, maps, sets, attributes), nested up to a
 * bounded depth; RESP3 pushes are out of band and answer nothing.  Both
 * readers go byte by byte through headers and skip bulk bodies by count,
 * so nothing is buffered but the arguments of AUTH and HELLO (capped), and
 * any split of the stream gives the same result.  A login awaiting its
 * reply holds the password for the fingerprint; it is wiped once reported.
 * After a successful login there is nothing more to learn (DEC_DONE).
 */
#include <string.h>

#include "decoder.h"
#include "line.h"
#include "sasl.h"

#define REDIS_ARG_MAX	256		/* bytes of an AUTH/HELLO argument kept */
#define REDIS_NAME_MAX	16		/* bytes of a command name kept */
#define REDIS_ARGC_MAX	((uint64_t)1 << 20)	/* Redis's own multibulk cap */
#define REDIS_BULK_MAX	(512ULL * 1024 * 1024)	/* proto-max-bulk-len default */
#define REDIS_INLINE_MAX ((size_t)64 << 10)	/* Redis's PROTO_INLINE_MAX_SIZE */
#define REDIS_DEPTH_MAX	16		/* nested aggregates followed */
#define REDIS_PIPE_MAX	64		/* outstanding commands tracked */
#define REDIS_NUM_DIGITS 12		/* digits of a length before it is absurd */

/* A length line: ['-'] digits CR LF. */
struct num {
	bool		 neg;
	bool		 bad;
	unsigned	 digits;
	uint64_t	 v;
};

enum cst {
	CS_START = 0,	/* a command starts */
	CS_ARRAY_LEN,	/* '*' seen: argument count */
	CS_ELEM,	/* an argument starts: '$' */
	CS_BULK_LEN,	/* '$' seen: its length */
	CS_BULK_BODY,	/* the argument's bytes */
	CS_BULK_CR,	/* CR LF after them */
	CS_BULK_LF,
	CS_INLINE	/* an inline command, up to LF */
};

enum sst {
	SS_START = 0,	/* a value starts: its type byte */
	SS_LINE,	/* the rest of a one-line value */
	SS_LEN,		/* the length of a blob or aggregate */
	SS_BODY,	/* a blob's bytes */
	SS_BODY_CR,
	SS_BODY_LF
};

enum cmd {
	C_OTHER = 0,
	C_AUTH,
	C_HELLO
};

/* HELLO's option words (what the next argument is). */
enum hello_next {
	HN_OPT = 0,
	HN_USER,
	HN_PASS,
	HN_SKIP		/* SETNAME's client name */
};

struct frame {
	uint64_t	 left;		/* elements still to come */
	bool		 attr;		/* an attribute: not a value of its own */
	bool		 push;		/* a push: not a reply */
};

struct login {
	bool		 active;
	const char	*mech;
	unsigned	 seq;
	size_t		 user_len;
	bool		 user_trunc;
	size_t		 pass_len;
	uint8_t		 user[SASL_USER_MAX];
	uint8_t		 pass[REDIS_ARG_MAX];
	bool		 pass_cut;	/* too long to hold whole: no fingerprint */
};

enum phase {
	PH_OPEN = 0,
	PH_DONE,
	PH_MISMATCH
};

struct redis {
	enum phase	 phase;
	bool		 gap_seen;
	bool		 replied;	/* a well-formed reply was seen */

	/* client: the command being read */
	enum cst	 cs;
	struct num	 cnum;
	uint64_t	 argc;
	uint64_t	 argi;
	uint64_t	 body_left;
	bool		 inl;		/* the command is inline */
	bool		 in_word;
	size_t		 inl_len;
	enum cmd	 cmd;
	enum hello_next	 hn;
	bool		 hello_auth;
	size_t		 arg_len;
	bool		 arg_trunc;
	uint8_t		 arg[REDIS_ARG_MAX];
	size_t		 a1_len, a2_len;
	bool		 a1_trunc, a2_trunc;
	uint8_t		 a1[REDIS_ARG_MAX];
	uint8_t		 a2[REDIS_ARG_MAX];

	/* outstanding commands: 0 = other, else the login's seq */
	unsigned	 q[REDIS_PIPE_MAX];
	unsigned	 qhead, qlen;
	unsigned	 seq;
	struct login	 login;

	/* server: the reply being read */
	enum sst	 ss;
	struct num	 snum;
	uint8_t		 stype;		/* type byte of the value being read */
	uint64_t	 sbody;
	unsigned	 depth;
	struct frame	 stack[REDIS_DEPTH_MAX];
	uint8_t		 top_type;	/* type byte of the top-level value */
	size_t		 top_len;
	uint8_t		 top_head[8];	/* first bytes of a top-level line value */
};

/* One byte of a length line; true when the line is complete. */
static bool
num_feed(struct num *m, uint8_t b)
{
	if (b == '\n')
		return true;
	if (b == '\r')
		return false;
	if (b == '-' && m->digits == 0 && !m->neg)
		m->neg = true;
	else if (b >= '0' && b <= '9' && m->digits < REDIS_NUM_DIGITS) {
		m->v = m->v * 10 + (uint64_t)(b - '0');
		m->digits++;
	} else
		m->bad = true;
	return false;
}

static void
num_reset(struct num *m)
{
	memset(m, 0, sizeof(*m));
}

/* --- logins ------------------------------------------------------------- */

static void
login_report(struct redis *s, struct dec_ctx *ctx, enum auth_result res)
{
	struct login *l = &s->login;
	struct finding f;

	if (!l->active)
		return;
	memset(&f, 0, sizeof(f));
	f.kind = K_CLEARTEXT_CREDENTIALS;
	f.app_proto = "redis";
	f.mechanism = l->mech;
	f.username = l->user_len > 0 ? l->user : NULL;
	f.username_len = l->user_len;
	f.username_truncated = l->user_trunc;
	f.result = res;
	f.secret_seen = l->pass_len > 0 || l->pass_cut;
	f.secret = l->pass_len > 0 ? l->pass : NULL;
	f.secret_len = l->pass_len;
	f.gap_seen = s->gap_seen;
	dec_emit(ctx, &f);
	explicit_bzero(l, sizeof(*l));
	if (res == RES_SUCCESS)
		s->phase = PH_DONE;	/* the rest is the application's data */
}

/* A login from the kept arguments: user in a1 (or none), password in pass. */
static unsigned
login_begin(struct redis *s, struct dec_ctx *ctx, const char *mech,
    const uint8_t *user, size_t ulen, bool utrunc, const uint8_t *pass,
    size_t plen, bool pcut)
{
	struct login *l = &s->login;

	/* A pipelined earlier login whose reply is not in yet. */
	login_report(s, ctx, RES_UNKNOWN);
	l->active = true;
	l->mech = mech;
	if (++s->seq == 0)
		s->seq = 1;	/* 0 tags a command that is no login */
	l->seq = s->seq;
	if (ulen > sizeof(l->user)) {
		ulen = sizeof(l->user);
		utrunc = true;
	}
	if (ulen > 0)
		memcpy(l->user, user, ulen);
	l->user_len = ulen;
	l->user_trunc = utrunc;
	/* A prefix would fingerprint falsely: a cut password is not held. */
	l->pass_cut = pcut;
	if (pcut)
		plen = 0;
	memcpy(l->pass, pass, plen);
	l->pass_len = plen;
	return l->seq;
}

static void
push_cmd(struct redis *s, struct dec_ctx *ctx, unsigned tag)
{
	if (s->qlen == REDIS_PIPE_MAX) {
		ctx->ctr->pipeline_overflow++;
		/* Replies can no longer be matched: the login's result is unknown. */
		login_report(s, ctx, RES_UNKNOWN);
		return;
	}
	s->q[(s->qhead + s->qlen) % REDIS_PIPE_MAX] = tag;
	s->qlen++;
}

/* --- client: commands --------------------------------------------------- */

static void
arg_begin(struct redis *s)
{
	s->arg_len = 0;
	s->arg_trunc = false;
}

/* Whether the current argument's bytes are worth keeping. */
static bool
arg_kept(const struct redis *s)
{
	return s->argi == 0 || s->cmd != C_OTHER;
}

static void
arg_bytes(struct redis *s, const uint8_t *p, size_t n)
{
	size_t cap = s->argi == 0 ? REDIS_NAME_MAX : sizeof(s->arg), room;

	if (!arg_kept(s))
		return;
	room = cap - s->arg_len;
	if (n > room) {
		s->arg_trunc = true;
		n = room;
	}
	memcpy(s->arg + s->arg_len, p, n);
	s->arg_len += n;
}

static void
keep(uint8_t *dst, size_t *dlen, const struct redis *s)
{
	memcpy(dst, s->arg, s->arg_len);
	*dlen = s->arg_len;
}

/* An argument is whole. */
static void
arg_done(struct redis *s)
{
	const uint8_t *a = s->arg;
	size_t n = s->arg_len;

	if (s->argi == 0) {
		s->cmd = C_OTHER;
		if (!s->arg_trunc && ascii_ieq(a, n, "AUTH"))
			s->cmd = C_AUTH;
		else if (!s->arg_trunc && ascii_ieq(a, n, "HELLO"))
			s->cmd = C_HELLO;
		s->hn = HN_OPT;
		s->hello_auth = false;
	} else if (s->cmd == C_AUTH) {
		if (s->argi == 1) {
			keep(s->a1, &s->a1_len, s);
			s->a1_trunc = s->arg_trunc;
		} else if (s->argi == 2) {
			keep(s->a2, &s->a2_len, s);
			s->a2_trunc = s->arg_trunc;
		}
	} else if (s->cmd == C_HELLO && s->argi >= 2) {
		switch (s->hn) {
		case HN_OPT:
			if (ascii_ieq(a, n, "AUTH"))
				s->hn = HN_USER;
			else if (ascii_ieq(a, n, "SETNAME"))
				s->hn = HN_SKIP;
			break;
		case HN_USER:
			keep(s->a1, &s->a1_len, s);
			s->a1_trunc = s->arg_trunc;
			s->hn = HN_PASS;
			break;
		case HN_PASS:
			keep(s->a2, &s->a2_len, s);
			s->a2_trunc = s->arg_trunc;
			s->hello_auth = true;
			s->hn = HN_OPT;
			break;
		case HN_SKIP:
			s->hn = HN_OPT;
			break;
		}
	}
	explicit_bzero(s->arg, s->arg_len);
	s->arg_len = 0;
	s->argi++;
}

/* A command is whole: queue it for its reply. */
static void
cmd_done(struct redis *s, struct dec_ctx *ctx)
{
	unsigned tag = 0;
	uint64_t argc = s->argi;

	if (s->cmd == C_AUTH && argc == 2)
		tag = login_begin(s, ctx, s->inl ? "Redis AUTH inline" :
		    "Redis AUTH (requirepass, password only)", NULL, 0, false,
		    s->a1, s->a1_len, s->a1_trunc);
	else if (s->cmd == C_AUTH && argc == 3)
		tag = login_begin(s, ctx, s->inl ? "Redis AUTH inline" :
		    "Redis AUTH (ACL user)", s->a1, s->a1_len, s->a1_trunc,
		    s->a2, s->a2_len, s->a2_trunc);
	else if (s->cmd == C_HELLO && s->hello_auth)
		tag = login_begin(s, ctx, "Redis HELLO AUTH", s->a1, s->a1_len,
		    s->a1_trunc, s->a2, s->a2_len, s->a2_trunc);
	if (argc > 0)
		push_cmd(s, ctx, tag);
	explicit_bzero(s->a1, sizeof(s->a1));
	explicit_bzero(s->a2, sizeof(s->a2));
	s->a1_len = s->a2_len = 0;
	s->a1_trunc = s->a2_trunc = false;
	s->cmd = C_OTHER;
	s->argi = 0;
	s->inl = false;
	s->cs = CS_START;
}

/* One byte of an inline command (words split on SP and HTAB, up to LF). */
static bool
inline_byte(struct redis *s, struct dec_ctx *ctx, uint8_t b)
{
	if (++s->inl_len > REDIS_INLINE_MAX) {
		ctx->ctr->line_overflow++;
		return false;
	}
	if (b == '\n' || b == ' ' || b == '\t' || b == '\r') {
		if (s->in_word)
			arg_done(s);
		s->in_word = false;
		if (b == '\n')
			cmd_done(s, ctx);
		return true;
	}
	if (b == 0)
		ctx->ctr->nul_in_line++;
	if (!s->in_word) {
		s->in_word = true;
		arg_begin(s);
	}
	arg_bytes(s, &b, 1);
	return true;
}

static bool
client_bytes(struct redis *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	size_t take;
	uint8_t b;

	while (n > 0 && s->phase == PH_OPEN) {
		switch (s->cs) {
		case CS_START:
			b = *p;
			if (b == '\r' || b == '\n') {
				p++;
				n--;
				break;
			}
			s->argi = 0;
			s->cmd = C_OTHER;
			if (b == '*') {
				p++;
				n--;
				num_reset(&s->cnum);
				s->cs = CS_ARRAY_LEN;
			} else {
				s->inl = true;
				s->in_word = false;
				s->inl_len = 0;
				s->cs = CS_INLINE;
			}
			break;
		case CS_INLINE:
			b = *p++;
			n--;
			if (!inline_byte(s, ctx, b))
				return false;
			break;
		case CS_ARRAY_LEN:
		case CS_BULK_LEN:
			b = *p++;
			n--;
			if (!num_feed(&s->cnum, b))
				break;
			if (s->cnum.bad || s->cnum.digits == 0)
				return false;
			if (s->cs == CS_ARRAY_LEN) {
				if (s->cnum.neg || s->cnum.v == 0) {
					s->cs = CS_START;	/* an empty command */
					break;
				}
				if (s->cnum.v > REDIS_ARGC_MAX)
					return false;
				s->argc = s->cnum.v;
				s->cs = CS_ELEM;
				break;
			}
			if (s->cnum.neg || s->cnum.v > REDIS_BULK_MAX)
				return false;
			s->body_left = s->cnum.v;
			arg_begin(s);
			s->cs = s->body_left > 0 ? CS_BULK_BODY : CS_BULK_CR;
			break;
		case CS_ELEM:
			/* Clients send arrays of bulk strings only. */
			if (*p != '$')
				return false;
			p++;
			n--;
			num_reset(&s->cnum);
			s->cs = CS_BULK_LEN;
			break;
		case CS_BULK_BODY:
			take = n < s->body_left ? n : (size_t)s->body_left;
			arg_bytes(s, p, take);
			p += take;
			n -= take;
			s->body_left -= take;
			if (s->body_left == 0)
				s->cs = CS_BULK_CR;
			break;
		case CS_BULK_CR:
		case CS_BULK_LF:
			b = *p++;
			n--;
			if (b != (s->cs == CS_BULK_CR ? '\r' : '\n'))
				return false;
			if (s->cs == CS_BULK_CR) {
				s->cs = CS_BULK_LF;
				break;
			}
			arg_done(s);
			if (s->argi == s->argc)
				cmd_done(s, ctx);
			else
				s->cs = CS_ELEM;
			break;
		}
	}
	return true;
}

/* --- server: replies ---------------------------------------------------- */

/* A top-level reply is whole: it answers the oldest outstanding command. */
static void
reply_done(struct redis *s, struct dec_ctx *ctx)
{
	unsigned tag;
	enum auth_result res = RES_UNKNOWN;

	s->replied = true;
	if (s->qlen == 0) {
		ctx->ctr->unmatched_reply++;
		return;
	}
	tag = s->q[s->qhead];
	s->qhead = (s->qhead + 1) % REDIS_PIPE_MAX;
	s->qlen--;
	if (tag == 0 || !s->login.active || tag != s->login.seq)
		return;
	switch (s->top_type) {
	case '+':
		/* AUTH answers +OK; a RESP2 HELLO answers an array. */
		if (s->top_len == 2 && memcmp(s->top_head, "OK", 2) == 0)
			res = RES_SUCCESS;
		break;
	case '-':
	case '!':
		res = RES_FAILURE;	/* -WRONGPASS, -ERR invalid password, -NOAUTH */
		break;
	case '*':
	case '%':
		/* HELLO's server properties, RESP2 array or RESP3 map. */
		if (s->login.mech != NULL && strcmp(s->login.mech,
		    "Redis HELLO AUTH") == 0)
			res = RES_SUCCESS;
		break;
	default:
		break;
	}
	login_report(s, ctx, res);
}

/* A value is whole: count it in its aggregate, or as a reply. */
static void
value_done(struct redis *s, struct dec_ctx *ctx, bool counts)
{
	struct frame *fr;

	for (;;) {
		if (s->depth == 0) {
			if (counts)
				reply_done(s, ctx);
			return;
		}
		if (!counts)
			return;		/* an attribute is no element */
		fr = &s->stack[s->depth - 1];
		if (--fr->left > 0)
			return;
		/* The aggregate is whole in its turn. */
		counts = !fr->attr && !(fr->push && s->depth == 1);
		s->depth--;
	}
}

/* An aggregate of `count` elements starts (type t). */
static bool
agg_begin(struct redis *s, struct dec_ctx *ctx, uint8_t t, uint64_t count)
{
	struct frame *fr;

	if (count == 0) {
		value_done(s, ctx, t != '|' && !(t == '>' && s->depth == 0));
		return true;
	}
	if (s->depth == REDIS_DEPTH_MAX)
		return false;
	fr = &s->stack[s->depth++];
	fr->left = count;
	fr->attr = t == '|';
	fr->push = t == '>';
	return true;
}

static bool
server_bytes(struct redis *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	size_t take;
	uint8_t b;
	uint64_t cnt;

	while (n > 0 && s->phase == PH_OPEN) {
		switch (s->ss) {
		case SS_START:
			b = *p++;
			n--;
			s->stype = b;
			if (s->depth == 0) {
				s->top_type = b;
				s->top_len = 0;
			}
			switch (b) {
			case '+': case '-': case ':': case '_': case '#':
			case ',': case '(':
				s->ss = SS_LINE;
				break;
			case '$': case '!': case '=': case '*': case '%':
			case '~': case '>': case '|':
				num_reset(&s->snum);
				s->ss = SS_LEN;
				break;
			default:
				return false;
			}
			break;
		case SS_LINE:
			b = *p++;
			n--;
			if (b == '\n') {
				s->ss = SS_START;
				value_done(s, ctx, true);
			} else if (b != '\r' && s->depth == 0 &&
			    s->top_len < sizeof(s->top_head))
				s->top_head[s->top_len++] = b;
			else if (b != '\r' && s->depth == 0)
				s->top_len++;
			break;
		case SS_LEN:
			b = *p++;
			n--;
			if (!num_feed(&s->snum, b))
				break;
			if (s->snum.bad || s->snum.digits == 0)
				return false;
			s->ss = SS_START;
			if (s->snum.neg) {
				/* RESP2 null bulk or array: "$-1", "*-1". */
				if (s->snum.v != 1)
					return false;
				value_done(s, ctx, true);
				break;
			}
			if (s->stype == '$' || s->stype == '!' || s->stype == '=') {
				if (s->snum.v > REDIS_BULK_MAX)
					return false;
				s->sbody = s->snum.v;
				s->ss = s->sbody > 0 ? SS_BODY : SS_BODY_CR;
				break;
			}
			if (s->snum.v > REDIS_ARGC_MAX)
				return false;
			cnt = s->snum.v;
			if (s->stype == '%' || s->stype == '|')
				cnt *= 2;	/* key-value pairs */
			if (!agg_begin(s, ctx, s->stype, cnt))
				return false;
			break;
		case SS_BODY:
			take = n < s->sbody ? n : (size_t)s->sbody;
			p += take;
			n -= take;
			s->sbody -= take;
			if (s->sbody == 0)
				s->ss = SS_BODY_CR;
			break;
		case SS_BODY_CR:
		case SS_BODY_LF:
			b = *p++;
			n--;
			if (b != (s->ss == SS_BODY_CR ? '\r' : '\n'))
				return false;
			if (s->ss == SS_BODY_CR) {
				s->ss = SS_BODY_LF;
				break;
			}
			s->ss = SS_START;
			value_done(s, ctx, true);
			break;
		}
	}
	return true;
}

static enum dec_status
status_of(const struct redis *s)
{
	return s->phase == PH_DONE ? DEC_DONE :
	    s->phase == PH_MISMATCH ? DEC_MISMATCH : DEC_MORE;
}

static void
wipe_args(struct redis *s)
{
	explicit_bzero(s->arg, sizeof(s->arg));
	explicit_bzero(s->a1, sizeof(s->a1));
	explicit_bzero(s->a2, sizeof(s->a2));
	s->arg_len = s->a1_len = s->a2_len = 0;
}

static enum dec_status
redis_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct redis *s = st;
	bool ok;

	if (s->phase != PH_OPEN)
		return status_of(s);
	ok = dir == DIR_C2S ? client_bytes(s, ctx, p, n) :
	    server_bytes(s, ctx, p, n);
	if (!ok) {
		ctx->ctr->bad_framing++;
		if (dir == DIR_C2S || !s->replied) {
			/* Not Redis, or not a command stream we can trust. */
			ctx->ctr->mismatch++;
			explicit_bzero(&s->login, sizeof(s->login));
			s->phase = PH_MISMATCH;
		} else {
			/* Replies we cannot frame: what the client sent stands. */
			login_report(s, ctx, RES_UNKNOWN);
			s->phase = PH_DONE;
		}
	}
	if (s->phase != PH_OPEN) {
		wipe_args(s);
		explicit_bzero(&s->login, sizeof(s->login));
	}
	return status_of(s);
}

static void
redis_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct redis *s = st;

	(void)dir;
	(void)missing;
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->phase != PH_OPEN)
		return;
	/* Framing and reply order are lost: report what is known and stop. */
	login_report(s, ctx, RES_UNKNOWN);
	wipe_args(s);
	s->phase = PH_DONE;
}

static void
redis_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct redis *s = st;

	(void)why;
	if (s->phase == PH_OPEN)
		login_report(s, ctx, RES_UNKNOWN);
	wipe_args(s);
}

static void
redis_wipe(void *st)
{
	struct redis *s = st;

	wipe_args(s);
	explicit_bzero(&s->login, sizeof(s->login));
}

static void
redis_init(void *st, bool midstream)
{
	struct redis *s = st;

	/*
	 * Mid-way through a session the framing is unknown (a '*' may sit
	 * inside a bulk body); logins come first, so nothing is lost.
	 */
	s->phase = midstream ? PH_DONE : PH_OPEN;
}

/* Whether p[0..n) is, or starts, type byte c, digits, CR LF. */
static enum probe_result
resp_header(const uint8_t *p, size_t n, uint8_t c)
{
	size_t i;

	if (n == 0 || p[0] != c)
		return PROBE_NO;
	for (i = 1; i < n && i <= 8 && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == n)
		return PROBE_MAYBE;
	if (i == 1 || i > 8 || p[i] != '\r')
		return PROBE_NO;
	if (i + 1 == n)
		return PROBE_MAYBE;
	return p[i + 1] == '\n' ? PROBE_YES : PROBE_NO;
}

/* Inline commands a client opens with; AUTH is POP3's, FTP's and SMTP's too. */
static const char *const inline_verbs[] = { "AUTH", "HELLO", "PING", "SELECT",
    "CLIENT", "INFO" };

/*
 * A client opens with a RESP array of bulk strings ("*2\r\n$4\r\n"): YES.
 * An inline command: MAYBE (the port hint or nDPI decide).  A server's
 * "+PONG", "-NOAUTH", "-WRONGPASS" are Redis's alone: YES; "+OK" and
 * "-ERR" are POP3's as well: MAYBE.
 */
static enum probe_result
redis_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	enum probe_result r;
	size_t i, wl;

	if (n == 0)
		return PROBE_MAYBE;
	if (dir == DIR_S2C) {
		if (p[0] == '+') {
			if (ascii_agrees(p, n, "+PONG\r\n") && n >= 7) {
				*sender_is_server = true;
				return PROBE_YES;
			}
			return ascii_agrees(p, n, "+OK\r\n") ||
			    ascii_agrees(p, n, "+PONG\r\n") ? PROBE_MAYBE : PROBE_NO;
		}
		if (p[0] == '-') {
			if ((n >= 8 && ascii_prefix(p, n, "-NOAUTH ")) ||
			    (n >= 11 && ascii_prefix(p, n, "-WRONGPASS "))) {
				*sender_is_server = true;
				return PROBE_YES;
			}
			return ascii_agrees(p, n, "-NOAUTH ") ||
			    ascii_agrees(p, n, "-WRONGPASS ") ||
			    ascii_agrees(p, n, "-ERR ") ? PROBE_MAYBE : PROBE_NO;
		}
		return PROBE_NO;
	}
	if (p[0] == '*') {
		if ((r = resp_header(p, n, '*')) != PROBE_YES)
			return r;
		for (i = 1; p[i] != '\r'; i++)
			;
		i += 2;
		if (i == n)
			return PROBE_MAYBE;
		if ((r = resp_header(p + i, n - i, '$')) == PROBE_YES) {
			*sender_is_server = false;
			return PROBE_YES;
		}
		return r;
	}
	for (wl = 0; wl < n && p[wl] != ' ' && p[wl] != '\r' && p[wl] != '\n';
	    wl++)
		;
	for (i = 0; i < sizeof(inline_verbs) / sizeof(inline_verbs[0]); i++) {
		if (wl < n && ascii_ieq(p, wl, inline_verbs[i]))
			return PROBE_MAYBE;
		if (wl == n && wl <= strlen(inline_verbs[i]) &&
		    ascii_agrees(p, wl, inline_verbs[i]))
			return PROBE_MAYBE;
	}
	return PROBE_NO;
}

static const uint16_t redis_ports[] = { 6379, 0 };

const struct decoder redis_decoder = {
	.name = "redis",
	.ports = redis_ports,
	.state_size = sizeof(struct redis),
	.probe = redis_probe,
	.init = redis_init,
	.data = redis_data,
	.gap = redis_gap,
	.end = redis_end,
	.wipe = redis_wipe,
};
