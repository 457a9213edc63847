/*
 * socks.c - SOCKS proxies: RFC 1929 username/password in clear, the SOCKS4
 * user id, and the hand-over of the tunnelled connection.
 *
 * Specifications: RFC 1928 (SOCKS5: greeting §3, method choice §3,
 * request §4, reply §6), RFC 1929 (username/password subnegotiation),
 * SOCKS4 ("SOCKS: A protocol for TCP proxy across firewalls", Ying-Da Lee)
 * and its 4A extension (a host name after the user id when DSTIP is
 * 0.0.0.x, x != 0).
 *
 * Every message is short and bounded by its format (at most 513 bytes for
 * RFC 1929, 262 for a reply; the SOCKS4 user id and host name are
 * NUL-terminated and capped here), so one message at a time is gathered
 * per direction in a fixed buffer and parsed with a cursor once whole.
 * The buffer is wiped after each message (it may hold a password).  When
 * the proxy grants a CONNECT (or the second reply of a BIND), the rest of
 * the stream is the tunnelled connection: DEC_TUNNEL hands it back to be
 * classified afresh, with ctx->consumed naming the reply's last byte.
 */
#include <string.h>

#include "cursor.h"
#include "decoder.h"
#include "sasl.h"

#define SOCKS_NAME_MAX	255	/* SOCKS4 user id / 4A host name kept (RFC 1929 caps at 255 too) */
#define SOCKS_MSG_MAX	(8 + SOCKS_NAME_MAX + 1 + SOCKS_NAME_MAX + 1)

/* What the next whole message in a direction is. */
enum msg {
	M_NONE = 0,	/* nothing expected: bytes are counted, not read */
	M_GREET,	/* client: 05 NMETHODS METHODS, or a SOCKS4 request */
	M_AFTER_GREET,	/* client: 01 (RFC 1929) or 05 (request), by its first byte */
	M_REQ4,		/* client: SOCKS4 request */
	M_METHOD,	/* server: 05 METHOD */
	M_AUTHSTAT,	/* server: 01 STATUS */
	M_REP5,		/* server: 05 REP 00 ATYP ADDR PORT */
	M_REP4		/* server: VN CD DSTPORT DSTIP */
};

enum phase {
	PH_OPEN = 0,
	PH_DONE,
	PH_MISMATCH,
	PH_TUNNEL
};

struct half {
	enum msg	 want;
	size_t		 len;
	uint8_t		 buf[SOCKS_MSG_MAX];
};

struct socks {
	enum phase	 phase;
	struct half	 h[2];
	bool		 gap_seen;
	uint8_t		 cmd;		/* the request's command: 1 CONNECT, 2 BIND, 3 UDP */
	unsigned	 replies;	/* request replies seen (BIND has two) */

	/* A login awaiting its answer. */
	bool		 pending;
	bool		 v4;		/* SOCKS4 user id, not RFC 1929 */
	size_t		 user_len;
	size_t		 pass_len;
	uint8_t		 user[SOCKS_NAME_MAX];
	uint8_t		 pass[SOCKS_NAME_MAX];
};

/* RFC 1928 §3: method codes: 00-03 assigned, 80-FE private, FF none. */
static bool
method_ok(uint8_t m)
{
	return m <= 0x09 || (m >= 0x80 && m <= 0xfe);
}

/* Offset just past the NUL ending the string that starts at `from`, or 0. */
static size_t
nul_end(const uint8_t *p, size_t n, size_t from)
{
	const uint8_t *z;

	if (from >= n || (z = memchr(p + from, 0, n - from)) == NULL)
		return 0;
	return (size_t)(z - p) + 1;
}

/*
 * SOCKS4 request length: 8 fixed bytes, USERID NUL, and with 4A a host
 * name NUL.  0: not yet known (more bytes); SIZE_MAX: over the caps.
 */
static size_t
req4_len(const uint8_t *p, size_t n)
{
	size_t u, h;

	if (n < 8)
		return 0;
	if ((u = nul_end(p, n, 8)) == 0)
		return n - 8 > SOCKS_NAME_MAX ? SIZE_MAX : 0;
	/* 4A: DSTIP 0.0.0.x with x != 0 announces a host name. */
	if (!(p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] != 0))
		return u;
	if ((h = nul_end(p, n, u)) == 0)
		return n - u > SOCKS_NAME_MAX ? SIZE_MAX : 0;
	return h;
}

/* RFC 1928 §4/§6: VER CMD/REP RSV ATYP ADDR PORT; 0 when not yet known. */
static size_t
addr_msg_len(const uint8_t *p, size_t n)
{
	if (n < 5)
		return 0;
	switch (p[3]) {
	case 1:
		return 4 + 4 + 2;
	case 3:
		return 4 + 1 + (size_t)p[4] + 2;
	case 4:
		return 4 + 16 + 2;
	default:
		return SIZE_MAX;
	}
}

/*
 * Bytes the message being gathered needs in all, judged from what is
 * there; 0 when more bytes must come before it is known, SIZE_MAX when the
 * message is malformed.
 */
static size_t
msg_len(enum msg m, const uint8_t *p, size_t n)
{
	switch (m) {
	case M_GREET:
		if (n < 1)
			return 0;
		if (p[0] == 4)
			return req4_len(p, n);
		if (p[0] != 5)
			return SIZE_MAX;
		return n < 2 ? 0 : 2 + (size_t)p[1];
	case M_AFTER_GREET:
		if (n < 1)
			return 0;
		if (p[0] == 5)
			return addr_msg_len(p, n);
		if (p[0] != 1)
			return SIZE_MAX;
		/* RFC 1929 §2: VER ULEN UNAME PLEN PASSWD */
		if (n < 2)
			return 0;
		if (n < 2 + (size_t)p[1] + 1)
			return 0;
		return 2 + (size_t)p[1] + 1 + (size_t)p[2 + p[1]];
	case M_REQ4:
		return req4_len(p, n);
	case M_METHOD:
	case M_AUTHSTAT:
		return 2;
	case M_REP5:
		return addr_msg_len(p, n);
	case M_REP4:
		return 8;
	case M_NONE:
		break;
	}
	return SIZE_MAX;
}

static void
finding_emit(struct socks *s, struct dec_ctx *ctx, enum auth_result res)
{
	struct finding f;

	if (!s->pending)
		return;
	memset(&f, 0, sizeof(f));
	f.kind = K_CLEARTEXT_CREDENTIALS;
	f.app_proto = "socks";
	f.gap_seen = s->gap_seen;
	f.result = res;
	f.username = s->user_len > 0 ? s->user : NULL;
	f.username_len = s->user_len;
	if (s->v4) {
		/* The user id is an identity, not a secret: nothing was proven. */
		f.mechanism = "SOCKS4 user id";
		f.reason = "SOCKS4 request carries a user id in clear";
	} else {
		f.mechanism = "SOCKS5 username/password (RFC 1929)";
		f.secret_seen = s->pass_len > 0;
		f.secret = s->pass_len > 0 ? s->pass : NULL;
		f.secret_len = s->pass_len;
	}
	dec_emit(ctx, &f);
	s->pending = false;
	explicit_bzero(s->user, sizeof(s->user));
	explicit_bzero(s->pass, sizeof(s->pass));
	s->user_len = s->pass_len = 0;
}

static void
set_name(uint8_t *dst, size_t *dlen, const uint8_t *p, size_t n)
{
	if (n > SOCKS_NAME_MAX)
		n = SOCKS_NAME_MAX;
	memcpy(dst, p, n);
	*dlen = n;
}

/* A whole client message in h->buf. */
static void
client_msg(struct socks *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	struct half *h = &s->h[DIR_C2S];
	struct cursor c;
	size_t ul, pl, i;

	cur_init(&c, p, n);
	if (p[0] == 4) {
		/* SOCKS4: VN CD DSTPORT DSTIP USERID NUL [HOST NUL] */
		s->cmd = p[1];
		if (s->cmd != 1 && s->cmd != 2) {
			s->phase = PH_MISMATCH;
			return;
		}
		cur_skip(&c, 8);
		ul = nul_end(p, n, 8) - 9;
		finding_emit(s, ctx, RES_UNKNOWN);
		if (ul > 0) {
			s->pending = true;
			s->v4 = true;
			set_name(s->user, &s->user_len, cur_ptr(&c), ul);
		}
		h->want = M_NONE;
		s->h[DIR_S2C].want = M_REP4;
		return;
	}
	if (h->want == M_GREET) {
		/* RFC 1928 §3: the methods the client offers. */
		for (i = 2; i < n; i++)
			if (!method_ok(p[i])) {
				s->phase = PH_MISMATCH;
				return;
			}
		if (n == 2) {
			s->phase = PH_MISMATCH;	/* NMETHODS is at least 1 */
			return;
		}
		h->want = M_AFTER_GREET;
		s->h[DIR_S2C].want = M_METHOD;
		return;
	}
	if (p[0] == 1) {
		/* RFC 1929 §2 */
		cur_skip(&c, 1);
		ul = cur_get_u8(&c);
		finding_emit(s, ctx, RES_UNKNOWN);
		set_name(s->user, &s->user_len, cur_ptr(&c), ul);
		cur_skip(&c, ul);
		pl = cur_get_u8(&c);
		if (cur_has(&c, pl))
			set_name(s->pass, &s->pass_len, cur_ptr(&c), pl);
		s->pending = true;
		s->v4 = false;
		return;		/* the request follows */
	}
	/* RFC 1928 §4: the request. */
	s->cmd = p[1];
	if (s->cmd < 1 || s->cmd > 3) {
		s->phase = PH_MISMATCH;
		return;
	}
	h->want = M_NONE;
	if (s->h[DIR_S2C].want == M_NONE)
		s->h[DIR_S2C].want = M_REP5;
}

/* A whole server message. */
static void
server_msg(struct socks *s, struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	struct half *h = &s->h[DIR_S2C];

	(void)n;
	switch (h->want) {
	case M_METHOD:
		if (p[0] != 5) {
			s->phase = PH_MISMATCH;
			return;
		}
		/* RFC 1928 §3: 02 username/password, 00 none, FF refusal. */
		if (p[1] == 2)
			h->want = M_AUTHSTAT;
		else if (p[1] == 0)
			h->want = M_REP5;
		else {
			/* FF: no method; GSSAPI and private methods encapsulate. */
			finding_emit(s, ctx, RES_UNKNOWN);
			s->phase = PH_DONE;
		}
		return;
	case M_AUTHSTAT:
		/* RFC 1929 §2: STATUS 00 success, anything else failure. */
		if (p[0] != 1 && p[0] != 5) {
			s->phase = PH_MISMATCH;
			return;
		}
		finding_emit(s, ctx, p[1] == 0 ? RES_SUCCESS : RES_FAILURE);
		if (p[1] != 0) {
			s->phase = PH_DONE;	/* RFC 1929: the server closes */
			return;
		}
		h->want = M_REP5;
		return;
	case M_REP5:
		if (p[0] != 5) {
			s->phase = PH_MISMATCH;
			return;
		}
		finding_emit(s, ctx, RES_UNKNOWN);
		s->replies++;
		/* RFC 1928 §6: REP 00 succeeded; BIND answers twice. */
		if (p[1] != 0 || s->cmd == 3)
			s->phase = PH_DONE;
		else if (s->cmd == 1 || s->replies >= 2)
			s->phase = PH_TUNNEL;
		return;
	case M_REP4:
		/* SOCKS4: VN 0 (some proxies echo 4), CD 5A granted, 5B-5D refused. */
		if ((p[0] != 0 && p[0] != 4) || p[1] < 0x5a || p[1] > 0x5d) {
			s->phase = PH_MISMATCH;
			return;
		}
		finding_emit(s, ctx, p[1] == 0x5a ? RES_SUCCESS : RES_FAILURE);
		s->replies++;
		if (p[1] != 0x5a)
			s->phase = PH_DONE;
		else if (s->cmd == 1 || s->replies >= 2)
			s->phase = PH_TUNNEL;
		return;
	default:
		return;
	}
}

static enum dec_status
status_of(const struct socks *s)
{
	switch (s->phase) {
	case PH_OPEN:
		return DEC_MORE;
	case PH_DONE:
		return DEC_DONE;
	case PH_MISMATCH:
		return DEC_MISMATCH;
	case PH_TUNNEL:
		return DEC_TUNNEL;
	}
	return DEC_DONE;
}

static enum dec_status
socks_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct socks *s = st;
	struct half *h = &s->h[dir];
	const uint8_t *start = p;
	size_t need, take;

	while (s->phase == PH_OPEN && n > 0) {
		if (h->want == M_NONE) {
			/* Bytes nobody asked for: early tunnel data, not ours. */
			ctx->ctr->pipeline_overflow++;
			p += n;
			break;
		}
		need = msg_len(h->want, h->buf, h->len);
		if (need == SIZE_MAX || need > SOCKS_MSG_MAX) {
			ctx->ctr->bad_framing++;
			s->phase = PH_MISMATCH;
			break;
		}
		take = need == 0 ? 1 : need - h->len;
		if (take > n)
			take = n;
		memcpy(h->buf + h->len, p, take);
		h->len += take;
		p += take;
		n -= take;
		need = msg_len(h->want, h->buf, h->len);
		if (need == 0 || need == SIZE_MAX || h->len < need)
			continue;
		if (dir == DIR_C2S)
			client_msg(s, ctx, h->buf, h->len);
		else
			server_msg(s, ctx, h->buf, h->len);
		explicit_bzero(h->buf, h->len);
		h->len = 0;
	}
	if (s->phase == PH_MISMATCH) {
		ctx->ctr->mismatch++;
		s->pending = false;
	}
	if (s->phase == PH_TUNNEL)
		ctx->consumed = (size_t)(p - start);
	if (s->phase != PH_OPEN) {
		explicit_bzero(s->h, sizeof(s->h));
		explicit_bzero(s->user, sizeof(s->user));
		explicit_bzero(s->pass, sizeof(s->pass));
	}
	return status_of(s);
}

static void
socks_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct socks *s = st;

	(void)dir;
	(void)missing;
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->phase != PH_OPEN)
		return;
	/* Message boundaries are lost: say what is known and stop. */
	finding_emit(s, ctx, RES_UNKNOWN);
	explicit_bzero(s->h, sizeof(s->h));
	s->phase = PH_DONE;
}

static void
socks_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct socks *s = st;

	(void)why;
	if (s->phase == PH_OPEN)
		finding_emit(s, ctx, RES_UNKNOWN);
	explicit_bzero(s->h, sizeof(s->h));	/* a message cut short */
}

static void
socks_wipe(void *st)
{
	struct socks *s = st;

	explicit_bzero(s->h, sizeof(s->h));
	explicit_bzero(s->user, sizeof(s->user));
	explicit_bzero(s->pass, sizeof(s->pass));
	s->user_len = s->pass_len = 0;
}

static void
socks_init(void *st, bool midstream)
{
	struct socks *s = st;

	/* A session picked up mid-way has lost its greeting: nothing to read. */
	s->phase = midstream ? PH_DONE : PH_OPEN;
	s->h[DIR_C2S].want = M_GREET;
	s->h[DIR_S2C].want = M_NONE;
}

/*
 * The client speaks first.  SOCKS5: VER 5, NMETHODS >= 1, sane method codes
 * (RFC 1928 §3), and the greeting ends where NMETHODS says or is followed
 * by an RFC 1929 or request message.  SOCKS4: VN 4, CD 1 or 2, a user id
 * ending in NUL within the cap.
 */
static enum probe_result
socks_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	size_t i, m, l;

	if (dir != DIR_C2S || n == 0)
		return n == 0 ? PROBE_MAYBE : PROBE_NO;
	if (p[0] == 5) {
		if (n < 2)
			return PROBE_MAYBE;
		m = p[1];
		if (m == 0)
			return PROBE_NO;
		for (i = 2; i < n && i < 2 + m; i++)
			if (!method_ok(p[i]))
				return PROBE_NO;
		if (n < 2 + m)
			return PROBE_MAYBE;
		if (n > 2 + m && p[2 + m] != 1 && p[2 + m] != 5)
			return PROBE_NO;
		*sender_is_server = false;
		return PROBE_YES;
	}
	if (p[0] == 4) {
		if (n < 2)
			return PROBE_MAYBE;
		if (p[1] != 1 && p[1] != 2)
			return PROBE_NO;
		l = req4_len(p, n);
		if (l == SIZE_MAX)
			return PROBE_NO;
		if (l == 0)
			return PROBE_MAYBE;
		/* The user id and 4A host name are text. */
		for (i = 8; i + 1 < l; i++)
			if (p[i] != 0 && (p[i] < 0x20 || p[i] > 0x7e))
				return PROBE_NO;
		if (n > l)
			return PROBE_NO;	/* nothing follows before the reply */
		*sender_is_server = false;
		return PROBE_YES;
	}
	return PROBE_NO;
}

static const uint16_t socks_ports[] = { 1080, 0 };

const struct decoder socks_decoder = {
	.name = "socks",
	.ports = socks_ports,
	.state_size = sizeof(struct socks),
	.probe = socks_probe,
	.init = socks_init,
	.data = socks_data,
	.gap = socks_gap,
	.end = socks_end,
	.wipe = socks_wipe,
};
