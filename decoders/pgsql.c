/*
 * pgsql.c - PostgreSQL: cleartext, MD5 and SCRAM logins.
 *
 * Specification: PostgreSQL 15 documentation, Frontend/Backend Protocol
 * version 3.0: §55.2 "Message Flow" (start-up, SSL and GSSAPI session
 * encryption) and §55.7 "Message Formats"; RFC 5802 / RFC 7677 for
 * SCRAM-SHA-256.
 *
 * Every message after start-up is a type byte and an int32 length that
 * counts itself; the client's first messages (StartupMessage, SSLRequest,
 * GSSENCRequest, CancelRequest) have no type byte.  A message body is kept
 * up to a cap and the rest is skipped by count, so a large message costs
 * nothing.  After the login's result (AuthenticationOk or ErrorResponse) or
 * an accepted SSLRequest/GSSENCRequest the session is of no interest: the
 * decoder says DEC_DONE.  A cleartext password is held only from the
 * client's PasswordMessage to the server's answer, then wiped.
 */
#include <string.h>

#include "decoder.h"
#include "cursor.h"
#include "sasl.h"

#define PG_BODY_MAX	1024	/* message bytes kept; the start-up message is the largest we read */
#define PG_MSG_MAX	(1u << 30)	/* a length past this is not PostgreSQL */
#define PG_STARTUP_MAX	10000	/* the server's own limit (MAX_STARTUP_PACKET_LENGTH) */
#define PG_PW_MAX	256	/* cleartext password bytes kept for the fingerprint */

/* §55.7: codes of the untyped first messages. */
#define PG_PROTO_V3	196608u		/* 3.0 */
#define PG_SSLREQ	80877103u
#define PG_GSSREQ	80877104u
#define PG_CANCEL	80877102u

/* §55.7 Authentication* request codes. */
#define AUTH_OK		0
#define AUTH_CLEAR	3
#define AUTH_MD5	5
#define AUTH_SASL	10
#define AUTH_SASL_CONT	11
#define AUTH_SASL_FINAL	12

enum pg_state {
	P_STARTUP = 0,	/* the client's untyped first message */
	P_AUTH,		/* start-up sent: authentication exchange */
	P_DONE
};

enum login {
	L_NONE = 0,
	L_CLEAR,	/* PasswordMessage after AuthenticationCleartextPassword */
	L_MD5,		/* "md5" + hex after AuthenticationMD5Password */
	L_SASL		/* SASLInitialResponse / SASLResponse */
};

/* One direction's message framer. */
struct pg_dir {
	uint8_t		 hdr[5];
	size_t		 nhdr;
	bool		 in_body;
	uint8_t		 type;		/* 0 for an untyped message */
	size_t		 need;		/* body bytes still to come */
	size_t		 blen;		/* body bytes kept */
	uint8_t		 body[PG_BODY_MAX];
};

struct pgsql {
	enum pg_state	 state;
	bool		 midstream;
	uint8_t		 await;		/* 'S' for an SSLRequest, 'G' for GSSENC: a one-byte answer */
	int		 asked;		/* the last Authentication request code, -1 none */
	bool		 gap_seen;
	bool		 framed;	/* a message header made sense */

	enum login	 login;
	const char	*mech;
	unsigned	 responses;	/* client 'p' messages in this login */
	bool		 pw_seen;
	size_t		 pw_len;
	uint8_t		 pw[PG_PW_MAX];

	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];

	struct pg_dir	 d[2];
};

static void
wipe_pw(struct pgsql *s)
{
	explicit_bzero(s->pw, sizeof(s->pw));
	s->pw_len = 0;
}

/* Report the login in flight with `res`; nothing when none was made. */
static void
login_done(struct pgsql *s, struct dec_ctx *ctx, enum auth_result res)
{
	struct finding f;

	if (s->login == L_NONE)
		return;
	/* SCRAM is crackable only once the client's proof (2nd response) crossed. */
	if (s->login != L_SASL || s->responses >= 2) {
		memset(&f, 0, sizeof(f));
		f.kind = s->login == L_CLEAR ? K_CLEARTEXT_CREDENTIALS :
		    K_CHALLENGE_RESPONSE;
		f.app_proto = "postgresql";
		f.mechanism = s->mech;
		f.username = s->user_len > 0 ? s->user : NULL;
		f.username_len = s->user_len;
		f.username_truncated = s->user_truncated;
		f.result = res;
		f.gap_seen = s->gap_seen;
		if (s->login == L_CLEAR) {
			f.secret_seen = s->pw_seen;
			if (s->pw_seen) {
				f.secret = s->pw;
				f.secret_len = s->pw_len;
			} else
				f.reason = "empty password";
		}
		dec_emit(ctx, &f);
	}
	wipe_pw(s);
	s->pw_seen = false;
	s->login = L_NONE;
	s->responses = 0;
}

/* StartupMessage (§55.7): int32 version, then name\0value\0 pairs, then \0. */
static void
startup(struct pgsql *s, struct cursor *c)
{
	const uint8_t *k, *v, *z;
	size_t kl, vl;

	while (cur_left(c) > 0) {
		k = cur_ptr(c);
		if ((z = memchr(k, 0, cur_left(c))) == NULL)
			return;		/* cut by the cap */
		kl = (size_t)(z - k);
		if (kl == 0)
			return;		/* the terminator */
		cur_skip(c, kl + 1);
		if (cur_left(c) == 0)
			return;
		v = cur_ptr(c);
		if ((z = memchr(v, 0, cur_left(c))) == NULL)
			vl = cur_left(c);
		else
			vl = (size_t)(z - v);
		if (kl == 4 && memcmp(k, "user", 4) == 0) {
			s->user_truncated = vl > SASL_USER_MAX || z == NULL;
			s->user_len = vl > SASL_USER_MAX ? SASL_USER_MAX : vl;
			memcpy(s->user, v, s->user_len);
		}
		cur_skip(c, z == NULL ? vl : vl + 1);
	}
}

/* The client's first, untyped message. */
static enum dec_status
client_untyped(struct pgsql *s, struct dec_ctx *ctx, struct cursor *c)
{
	uint32_t code = cur_get_be32(c);

	switch (code) {
	case PG_SSLREQ:
		s->await = 'S';
		return DEC_MORE;	/* an 'N' answer: a StartupMessage follows */
	case PG_GSSREQ:
		s->await = 'G';
		return DEC_MORE;
	case PG_CANCEL:
		return DEC_DONE;	/* a cancel connection carries no login */
	default:
		break;
	}
	if (code >> 16 != 3) {
		ctx->ctr->mismatch++;
		return DEC_MISMATCH;
	}
	startup(s, c);
	s->state = P_AUTH;
	return DEC_MORE;
}

static bool
hexstr(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* §55.7 PasswordMessage, SASLInitialResponse and SASLResponse share type 'p'. */
static void
client_password(struct pgsql *s, struct dec_ctx *ctx, struct pg_dir *d)
{
	const uint8_t *z;
	size_t n;

	switch (s->asked) {
	case AUTH_CLEAR:
		login_done(s, ctx, RES_UNKNOWN);	/* an earlier unanswered one */
		z = memchr(d->body, 0, d->blen);
		n = z != NULL ? (size_t)(z - d->body) : d->blen;
		s->login = L_CLEAR;
		s->mech = "PostgreSQL cleartext password";
		s->pw_seen = n > 0;
		/* Only a whole password: a prefix would fingerprint falsely. */
		s->pw_len = z == NULL || n > PG_PW_MAX ? 0 : n;
		memcpy(s->pw, d->body, s->pw_len);
		break;
	case AUTH_MD5:
		login_done(s, ctx, RES_UNKNOWN);
		if (d->blen < 35 || memcmp(d->body, "md5", 3) != 0 ||
		    !hexstr(d->body + 3, 32))
			ctx->ctr->bad_sasl++;	/* still an attempt */
		s->login = L_MD5;
		s->mech = "PostgreSQL MD5";
		break;
	case AUTH_SASL:
		/* SASLInitialResponse: mechanism name\0, int32 length, data. */
		login_done(s, ctx, RES_UNKNOWN);
		z = memchr(d->body, 0, d->blen);
		n = z != NULL ? (size_t)(z - d->body) : 0;
		if (n == 13 && memcmp(d->body, "SCRAM-SHA-256", 13) == 0)
			s->mech = "PostgreSQL SASL SCRAM-SHA-256";
		else if (n == 18 && memcmp(d->body, "SCRAM-SHA-256-PLUS", 18) == 0)
			s->mech = "PostgreSQL SASL SCRAM-SHA-256-PLUS";
		else {
			ctx->ctr->bad_sasl++;	/* no mechanism we can judge */
			break;
		}
		s->login = L_SASL;
		s->responses = 1;
		break;
	case AUTH_SASL_CONT:
		if (s->login == L_SASL)
			s->responses++;	/* client-final-message with the proof */
		break;
	default:
		break;		/* GSSAPI/SSPI tokens: nothing we judge */
	}
	/* The body may hold the password: it does not stay in the framer. */
	explicit_bzero(d->body, d->blen);
}

static enum dec_status
server_message(struct pgsql *s, struct dec_ctx *ctx, struct pg_dir *d)
{
	struct cursor c;
	uint32_t code;

	cur_init(&c, d->body, d->blen);
	switch (d->type) {
	case 'R':
		code = cur_get_be32(&c);
		if (!cur_ok(&c)) {
			ctx->ctr->bad_framing++;
			return DEC_MORE;
		}
		if (code == AUTH_OK) {
			login_done(s, ctx, RES_SUCCESS);
			return DEC_DONE;	/* the rest is queries */
		}
		/* What the client's next 'p' message answers. */
		if (code != AUTH_SASL_FINAL)
			s->asked = (int)code;
		return DEC_MORE;
	case 'E':
		/* ErrorResponse: 28P01, 28000 and any other refusal end the login. */
		login_done(s, ctx, RES_FAILURE);
		return DEC_DONE;
	default:
		return DEC_MORE;	/* NoticeResponse, NegotiateProtocolVersion */
	}
}

static enum dec_status
message(struct pgsql *s, struct dec_ctx *ctx, enum dir dir)
{
	struct pg_dir *d = &s->d[dir];
	struct cursor c;
	enum dec_status rc = DEC_MORE;

	if (dir == DIR_S2C)
		return server_message(s, ctx, d);
	if (d->type == 0) {
		cur_init(&c, d->body, d->blen);
		rc = client_untyped(s, ctx, &c);
	} else if (d->type == 'p')
		client_password(s, ctx, d);
	explicit_bzero(d->body, d->blen);
	return rc;
}

/* Whether a message of `len` (counting itself) may start here. */
static bool
sane_len(const struct pgsql *s, enum dir dir, uint8_t type, uint32_t len)
{
	if (type == 0)
		return len >= 8 && len <= PG_STARTUP_MAX;
	(void)s;
	(void)dir;
	return len >= 4 && len <= PG_MSG_MAX;
}

static enum dec_status
pgsql_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct pgsql *s = st;
	struct pg_dir *d = &s->d[dir];
	enum dec_status rc;
	size_t hl, take, keep;
	uint32_t len;

	while (n > 0) {
		if (s->state == P_DONE)
			return DEC_DONE;
		if (dir == DIR_S2C && s->await != 0 && d->nhdr == 0 && !d->in_body) {
			/* §55.2.10-11: one byte, 'S'/'G' (encryption follows) or 'N'. */
			if (p[0] == s->await) {
				login_done(s, ctx, RES_UNKNOWN);
				s->state = P_DONE;
				return DEC_DONE;
			}
			s->await = 0;
			if (p[0] == 'N') {
				p++;
				n--;
				continue;
			}
			/* An ErrorResponse from a server too old to know the request. */
		}
		if (!d->in_body) {
			hl = dir == DIR_C2S && s->state == P_STARTUP ? 4 : 5;
			take = hl - d->nhdr < n ? hl - d->nhdr : n;
			memcpy(d->hdr + d->nhdr, p, take);
			d->nhdr += take;
			p += take;
			n -= take;
			if (d->nhdr < hl)
				break;
			d->type = hl == 5 ? d->hdr[0] : 0;
			len = (uint32_t)d->hdr[hl - 4] << 24 |
			    (uint32_t)d->hdr[hl - 3] << 16 |
			    (uint32_t)d->hdr[hl - 2] << 8 | d->hdr[hl - 1];
			d->nhdr = 0;
			if (!sane_len(s, dir, d->type, len)) {
				login_done(s, ctx, RES_UNKNOWN);
				s->state = P_DONE;
				/* Nothing framed yet: this was never PostgreSQL. */
				if (!s->framed) {
					ctx->ctr->mismatch++;
					return DEC_MISMATCH;
				}
				ctx->ctr->bad_framing++;
				return DEC_DONE;
			}
			s->framed = true;
			d->in_body = true;
			d->need = len - 4;
			d->blen = 0;
		}
		take = d->need < n ? d->need : n;
		keep = PG_BODY_MAX - d->blen < take ? PG_BODY_MAX - d->blen : take;
		memcpy(d->body + d->blen, p, keep);
		d->blen += keep;
		d->need -= take;
		p += take;
		n -= take;
		if (d->need > 0)
			break;
		d->in_body = false;
		rc = message(s, ctx, dir);
		if (rc != DEC_MORE) {
			s->state = P_DONE;
			return rc;
		}
	}
	return s->state == P_DONE ? DEC_DONE : DEC_MORE;
}

static void
pgsql_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct pgsql *s = st;

	(void)dir;
	(void)missing;
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->state == P_DONE)
		return;
	/* Framing is lost: what was in flight has an unknown result. */
	login_done(s, ctx, RES_UNKNOWN);
	s->state = P_DONE;
}

static void
pgsql_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct pgsql *s = st;

	(void)why;
	login_done(s, ctx, RES_UNKNOWN);
}

static void
pgsql_wipe(void *st)
{
	struct pgsql *s = st;

	wipe_pw(s);
	explicit_bzero(s->d, sizeof(s->d));
	explicit_bzero(s->user, sizeof(s->user));
	s->user_len = 0;
}

static void
pgsql_init(void *st, bool midstream)
{
	struct pgsql *s = st;

	s->midstream = midstream;
	s->asked = -1;
	s->state = midstream ? P_AUTH : P_STARTUP;
}

static uint32_t
be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Client: a StartupMessage (v3), SSLRequest, GSSENCRequest or
 * CancelRequest with a sane length.  Server: an Authentication request.
 * Both are YES; a length whose high bytes are not zero is NO at once.
 */
static enum probe_result
pgsql_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	uint32_t len, code;

	if (n == 0)
		return PROBE_MAYBE;
	if (p[0] == 'R') {
		/* AuthenticationXXX: 'R', int32 length 8.., int32 code. */
		if (n >= 2 && p[1] != 0)
			return PROBE_NO;
		if (n < 9)
			return PROBE_MAYBE;
		len = be32_at(p + 1);
		code = be32_at(p + 5);
		if (len < 8 || len > 4096 || (code != AUTH_OK && code != AUTH_CLEAR &&
		    code != AUTH_MD5 && code != AUTH_SASL && code != 2 &&
		    code != 7 && code != 9))
			return PROBE_NO;
		if ((code == AUTH_OK || code == AUTH_CLEAR) && len != 8)
			return PROBE_NO;
		if (code == AUTH_MD5 && len != 12)
			return PROBE_NO;
		*sender_is_server = true;
		return PROBE_YES;
	}
	(void)dir;
	if (p[0] != 0 || (n >= 2 && p[1] != 0))
		return PROBE_NO;
	if (n < 8)
		return PROBE_MAYBE;
	len = be32_at(p);
	code = be32_at(p + 4);
	if (code == PG_PROTO_V3 && len > 8 && len <= PG_STARTUP_MAX) {
		/* The first parameter name is printable text. */
		if (n > 8 && (p[8] < 'a' || p[8] > 'z') && p[8] != '_')
			return PROBE_NO;
	} else if (!((code == PG_SSLREQ || code == PG_GSSREQ) && len == 8) &&
	    !(code == PG_CANCEL && len == 16))
		return PROBE_NO;
	*sender_is_server = false;
	return PROBE_YES;
}

static const uint16_t pgsql_ports[] = { 5432, 0 };

const struct decoder pgsql_decoder = {
	.name = "postgresql",
	.ports = pgsql_ports,
	.state_size = sizeof(struct pgsql),
	.probe = pgsql_probe,
	.init = pgsql_init,
	.data = pgsql_data,
	.gap = pgsql_gap,
	.end = pgsql_end,
	.wipe = pgsql_wipe,
};
