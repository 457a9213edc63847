/*
 * rlogin.c - BSD rlogin: the account named in clear, and a password typed
 * at the server's prompt when the host does not trust the client.
 *
 * Specification: RFC 1282.  The client opens with four NUL-terminated
 * strings: an empty one, the client's user name, the server's user name
 * (the account to log in to) and the terminal type/speed; the server
 * answers one NUL byte.  What follows is terminal text: perhaps a
 * "Password:" prompt and the typed password, read by the terminal-login
 * tracker of line.c as for telnet.  The client's window-size messages
 * (RFC 1282 "Control", 0xFF 0xFF 's' 's' and 8 bytes) are taken out.
 */
#include <string.h>

#include "decoder.h"
#include "line.h"

#define RLOGIN_FIELD_MAX	1024	/* a handshake string longer than this is no rlogin */
#define RLOGIN_WINSZ_LEN	12	/* 0xFF 0xFF 's' 's' rows cols xpixel ypixel */

enum hdr {
	H_ZERO = 0,	/* the leading empty string */
	H_CLIENT_USER,
	H_SERVER_USER,
	H_TERMINAL,
	H_SESSION	/* the handshake is over: terminal text */
};

struct rlogin {
	struct term_login term;
	uint8_t		 hdr;		/* enum hdr */
	size_t		 field_len;
	uint8_t		 user[TERM_LINE_MAX];	/* the server user name */
	size_t		 user_len;
	bool		 user_long;
	size_t		 winsz_skip;	/* bytes of a window-size message still to drop */
	bool		 gap_seen;
	bool		 bad;
	struct dec_ctx	*ctx;		/* during a call, for the login callback */
};

static void
login_done(void *arg, const struct term_login *t, int result)
{
	struct rlogin *s = arg;
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.kind = K_CLEARTEXT_CREDENTIALS;
	f.app_proto = "rlogin";
	f.mechanism = "rlogin";
	if (t->user_len > 0) {
		f.username = t->user;
		f.username_len = t->user_len;
		f.username_truncated = t->user_long;
	}
	f.result = (enum auth_result)result;
	f.secret_seen = t->pw_len > 0;
	if (f.secret_seen && !t->pw_long) {
		f.secret = t->pw;
		f.secret_len = t->pw_len;
	}
	if (!f.secret_seen)
		f.reason = "account named in the handshake; no password typed";
	f.gap_seen = s->gap_seen;
	dec_emit(s->ctx, &f);
}

/* The client's handshake strings (RFC 1282 "Connection Establishment"). */
static size_t
handshake(struct rlogin *s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && s->hdr != H_SESSION; i++) {
		if (s->hdr == H_ZERO) {
			if (p[i] != 0) {
				s->bad = true;
				return i;
			}
			s->hdr = H_CLIENT_USER;
			s->field_len = 0;
			continue;
		}
		if (p[i] != 0) {
			if (++s->field_len > RLOGIN_FIELD_MAX) {
				s->bad = true;
				return i;
			}
			if (s->hdr == H_SERVER_USER) {
				if (s->user_len < sizeof(s->user))
					s->user[s->user_len++] = p[i];
				else
					s->user_long = true;
			}
			continue;
		}
		s->field_len = 0;
		s->hdr++;
		if (s->hdr == H_SESSION)
			term_begin(&s->term, s->user, s->user_len, s->user_long);
	}
	return i;
}

/* Keystrokes, less the window-size messages. */
static void
keys(struct rlogin *s, const uint8_t *p, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		if (s->winsz_skip > 0) {
			s->winsz_skip--;
			run = i + 1;
			continue;
		}
		if (p[i] != 0xff)
			continue;
		term_client(&s->term, p + run, i - run,
		    &s->ctx->ctr->line_overflow, login_done, s);
		s->winsz_skip = RLOGIN_WINSZ_LEN - 1;
		run = i + 1;
	}
	if (run < n)
		term_client(&s->term, p + run, n - run,
		    &s->ctx->ctr->line_overflow, login_done, s);
}

static enum dec_status
rlogin_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct rlogin *s = st;
	size_t k;

	if (s->term.done)
		return DEC_DONE;
	s->ctx = ctx;
	if (dir == DIR_S2C)
		term_server(&s->term, p, n, login_done, s);
	else {
		if (s->hdr != H_SESSION) {
			k = handshake(s, p, n);
			p += k;
			n -= k;
		}
		if (s->bad) {
			s->ctx = NULL;
			ctx->ctr->bad_framing++;
			ctx->ctr->mismatch++;
			return DEC_MISMATCH;
		}
		keys(s, p, n);
	}
	s->ctx = NULL;
	return s->term.done ? DEC_DONE : DEC_MORE;
}

static void
rlogin_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct rlogin *s = st;

	(void)missing;
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (dir == DIR_C2S && s->hdr != H_SESSION) {
		/* The account may be in the hole: no attempt to report. */
		s->hdr = H_SESSION;
	}
	s->winsz_skip = 0;
	s->ctx = ctx;
	term_end(&s->term, login_done, s);
	s->ctx = NULL;
}

static void
rlogin_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct rlogin *s = st;

	(void)why;
	s->ctx = ctx;
	term_end(&s->term, login_done, s);
	s->ctx = NULL;
}

static void
rlogin_wipe(void *st)
{
	struct rlogin *s = st;

	term_wipe(&s->term);
}

static void
rlogin_init(void *st, bool midstream)
{
	struct rlogin *s = st;

	term_init(&s->term);
	/* Picked up mid-session: no handshake to read. */
	s->hdr = midstream ? H_SESSION : H_ZERO;
}

/*
 * The client's handshake: NUL, two user names, "terminal/speed", each
 * NUL-terminated, all printable.  The server's first byte is one NUL.
 */
static enum probe_result
rlogin_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	size_t i, field = 0, flen = 0;
	bool slash = false;

	(void)dir;
	(void)sender_is_server;
	if (n == 0)
		return PROBE_MAYBE;
	if (p[0] != 0)
		return PROBE_NO;
	if (n == 1)
		return PROBE_MAYBE;
	for (i = 1; i < n; i++) {
		if (p[i] == 0) {
			/* Names may be empty; the terminal string may not. */
			if (field == 2 && (flen == 0 || !slash))
				return PROBE_NO;
			if (++field == 3)
				return PROBE_YES;
			flen = 0;
			continue;
		}
		if (p[i] <= 0x20 || p[i] > 0x7e || ++flen > 64)
			return PROBE_NO;
		if (field == 2 && p[i] == '/')
			slash = true;
	}
	return PROBE_MAYBE;
}

static const uint16_t rlogin_ports[] = { 513, 0 };

const struct decoder rlogin_decoder = {
	.name = "rlogin",
	.ports = rlogin_ports,
	.state_size = sizeof(struct rlogin),
	.probe = rlogin_probe,
	.init = rlogin_init,
	.data = rlogin_data,
	.gap = rlogin_gap,
	.end = rlogin_end,
	.wipe = rlogin_wipe,
};
