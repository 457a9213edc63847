/*
 * test_http.c - the HTTP/1.x decoder (RFC 9110, 9112, 7617, 6750, 7616, 4559).
 *
 * Each test is a session written as an ordered list of (direction, text)
 * steps and the findings it must produce.  Every session is run whole, with
 * each step cut in two at every byte, and byte by byte; all runs must give
 * the same findings and the same final status, and a DEC_TUNNEL must name
 * the same tunnel start.  No finding may carry a session's secrets, and the
 * decoder state may not hold them after the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/decoder.h"
#include "../../decoders/line.h"
#include "../../decoders/sasl.h"

extern const struct decoder http_decoder;

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_GOT		16

struct step {
	enum dir	 dir;
	const char	*text;		/* NULL: a gap of `gap` bytes */
	size_t		 gap;
};

#define C(t)		{ DIR_C2S, (t), 0 }
#define S(t)		{ DIR_S2C, (t), 0 }
#define GAP(d, n)	{ (d), NULL, (n) }

/* A finding as expected; unset fields must be zero/NULL in the finding too. */
struct want {
	enum finding_kind kind;
	const char	*mech;
	const char	*user;
	enum auth_result result;
	bool		 secret;
	const char	*reason;
	bool		 anonymous;
	bool		 gap;
};

struct got {
	enum finding_kind kind;
	char		 mech[64];
	bool		 has_user;
	uint8_t		 user[SASL_USER_MAX + 1];
	size_t		 user_len;
	enum auth_result result;
	bool		 secret;
	char		 reason[64];
	bool		 anonymous;
	bool		 gap;
	bool		 other;		/* a field HTTP never sets was set */
	char		 app[8];
};

/* Where a session's DEC_TUNNEL must say the tunnel starts. */
struct tunnel {
	size_t		 step;		/* SIZE_MAX: no tunnel */
	size_t		 off;		/* bytes of that step that are HTTP */
};

static const struct tunnel no_tunnel = { SIZE_MAX, 0 };

static struct got got[MAX_GOT];
static size_t ngot;
static const char *const *cur_secrets;
static struct dec_counters ctr;

static bool
contains(const void *hay, size_t hn, const char *needle)
{
	const uint8_t *h = hay;
	size_t nn = strlen(needle), i;

	if (nn == 0 || nn > hn)
		return false;
	for (i = 0; i + nn <= hn; i++)
		if (memcmp(h + i, needle, nn) == 0)
			return true;
	return false;
}

static void
no_secret_in(const void *p, size_t n, const char *what)
{
	size_t i;

	for (i = 0; cur_secrets[i] != NULL; i++)
		if (contains(p, n, cur_secrets[i]))
			fail_msg("%s holds secret \"%s\"", what, cur_secrets[i]);
}

static void
record(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	struct got *g;

	(void)arg;
	(void)fi;
	(void)ts_us;
	assert_true(ngot < MAX_GOT);
	g = &got[ngot++];
	memset(g, 0, sizeof(*g));
	g->kind = f->kind;
	if (f->mechanism != NULL) {
		no_secret_in(f->mechanism, strlen(f->mechanism), "mechanism");
		snprintf(g->mech, sizeof(g->mech), "%s", f->mechanism);
	}
	if (f->reason != NULL) {
		no_secret_in(f->reason, strlen(f->reason), "reason");
		snprintf(g->reason, sizeof(g->reason), "%s", f->reason);
	}
	if (f->app_proto != NULL)
		snprintf(g->app, sizeof(g->app), "%s", f->app_proto);
	if (f->username != NULL) {
		assert_true(f->username_len <= SASL_USER_MAX);
		no_secret_in(f->username, f->username_len, "username");
		g->has_user = true;
		memcpy(g->user, f->username, f->username_len);
		g->user_len = f->username_len;
	}
	g->result = f->result;
	g->secret = f->secret_seen;
	g->anonymous = f->anonymous;
	g->gap = f->gap_seen;
	g->other = f->username_truncated || f->starttls_offered != TRI_UNKNOWN ||
	    f->starttls_requested || f->starttls_reply != 0 || f->nmechs != 0 ||
	    f->rcpt_accepted != 0 || f->messages_accepted != 0;
}

static void
compare(const char *name, const char *run, const struct want *w, size_t nw)
{
	size_t i;

	if (ngot != nw)
		fail_msg("%s (%s): %zu findings, want %zu", name, run, ngot, nw);
	for (i = 0; i < nw; i++) {
		const struct got *g = &got[i];

#define EXPECT(cond) do {						\
	if (!(cond))							\
		fail_msg("%s (%s): finding %zu: %s", name, run, i, #cond); \
} while (0)
		EXPECT(g->kind == w[i].kind);
		EXPECT(strcmp(g->app, "http") == 0);
		EXPECT(strcmp(g->mech, w[i].mech != NULL ? w[i].mech : "") == 0);
		EXPECT(g->has_user == (w[i].user != NULL));
		if (w[i].user != NULL) {
			EXPECT(g->user_len == strlen(w[i].user));
			EXPECT(memcmp(g->user, w[i].user, g->user_len) == 0);
		}
		EXPECT(g->result == w[i].result);
		EXPECT(g->secret == w[i].secret);
		EXPECT(strcmp(g->reason,
		    w[i].reason != NULL ? w[i].reason : "") == 0);
		EXPECT(g->anonymous == w[i].anonymous);
		EXPECT(g->gap == w[i].gap);
		EXPECT(!g->other);
#undef EXPECT
	}
}

/* One run; split_step == SIZE_MAX: no step is cut. */
static enum dec_status
run_once(const char *name, bool midstream, const struct step *st, size_t nst,
    const struct tunnel *tun, size_t split_step, size_t split_at,
    bool bytewise)
{
	static const struct flow_info fi = { .family = 4, .cli_port = 40000,
	    .srv_port = 80, .flow_id = 1, .input = "test" };
	struct alert_opts opts = { .out = NULL, .hook = record };
	struct dec_ctx ctx;
	enum dec_status rc = DEC_MORE;
	size_t i, off, len, part, k;
	uint64_t skip[2];
	void *state;

	memset(&ctr, 0, sizeof(ctr));
	ngot = 0;
	ctx.flow = &fi;
	ctx.ts_us = 1000000;
	ctx.ctr = &ctr;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(state = calloc(1, http_decoder.state_size));
	http_decoder.init(state, midstream);
	memset(skip, 0, sizeof(skip));
	for (i = 0; i < nst && rc == DEC_MORE; i++) {
		if (st[i].text == NULL) {
			/* As reassembly does: a hole in skipped bytes is none. */
			size_t gap = st[i].gap;

			k = skip[st[i].dir] < gap ? (size_t)skip[st[i].dir] : gap;
			skip[st[i].dir] -= k;
			if (gap > k)
				http_decoder.gap(state, &ctx, st[i].dir, gap - k);
			continue;
		}
		len = strlen(st[i].text);
		for (off = 0; off < len && rc == DEC_MORE; off += part) {
			if (bytewise)
				part = 1;
			else if (i == split_step && off == 0)
				part = split_at;
			else
				part = len - off;
			/* Bytes the decoder said to skip never reach it. */
			k = skip[st[i].dir] < part ? (size_t)skip[st[i].dir] : part;
			skip[st[i].dir] -= k;
			if (k == part)
				continue;
			ctx.consumed = SIZE_MAX;
			ctx.skip = 0;
			rc = http_decoder.data(state, &ctx, st[i].dir,
			    (const uint8_t *)st[i].text + off + k, part - k);
			if (rc == DEC_MORE && ctx.skip > 0)
				skip[st[i].dir] = ctx.skip;
			if (rc != DEC_TUNNEL)
				continue;
			/* The call holding the header's last LF, and no further. */
			if (i != tun->step || ctx.consumed > part - k ||
			    off + k + ctx.consumed != tun->off ||
			    ctx.consumed == 0)
				fail_msg("%s: DEC_TUNNEL at step %zu offset %zu "
				    "consumed %zu of %zu, want step %zu offset %zu",
				    name, i, off, ctx.consumed, part, tun->step,
				    tun->off);
		}
	}
	/* DEC_DONE, DEC_MISMATCH and DEC_TUNNEL detach: no end() then. */
	if (rc == DEC_MORE)
		http_decoder.end(state, &ctx, END_FIN);
	/* Handled lines must not linger in the state; wipe() clears the rest. */
	no_secret_in(state, http_decoder.state_size, "decoder state");
	http_decoder.wipe(state);
	no_secret_in(state, http_decoder.state_size, "wiped decoder state");
	free(state);
	alert_sink_free(ctx.sink);
	return rc;
}

static void
check_session(const char *name, bool midstream, const struct step *st,
    size_t nst, const struct want *w, size_t nw, enum dec_status final,
    const struct tunnel *tun, const char *const *secrets)
{
	size_t i, k, len;
	char buf[64];
	enum dec_status rc;

	cur_secrets = secrets;
	rc = run_once(name, midstream, st, nst, tun, SIZE_MAX, 0, false);
	if (rc != final)
		fail_msg("%s (whole): status %d, want %d", name, rc, final);
	compare(name, "whole", w, nw);
	for (i = 0; i < nst; i++) {
		if (st[i].text == NULL)
			continue;
		len = strlen(st[i].text);
		for (k = 1; k < len; k++) {
			rc = run_once(name, midstream, st, nst, tun, i, k, false);
			snprintf(buf, sizeof(buf), "step %zu cut at %zu", i, k);
			if (rc != final)
				fail_msg("%s (%s): status %d, want %d", name, buf,
				    rc, final);
			compare(name, buf, w, nw);
		}
	}
	rc = run_once(name, midstream, st, nst, tun, SIZE_MAX, 0, true);
	if (rc != final)
		fail_msg("%s (byte by byte): status %d, want %d", name, rc, final);
	compare(name, "byte by byte", w, nw);
}

/* Secrets are listed after the expectation; automatic so tests may build them. */
#define SESSION(mid, steps, want, final, ...) do {			\
	const char *const secrets_[] = { __VA_ARGS__, NULL };		\
	check_session(__func__, (mid), (steps), NELEM(steps), (want),	\
	    NELEM(want), (final), &no_tunnel, secrets_);		\
} while (0)

#define SESSION_NONE(mid, steps, final, ...) do {			\
	const char *const secrets_[] = { __VA_ARGS__, NULL };		\
	check_session(__func__, (mid), (steps), NELEM(steps), NULL, 0,	\
	    (final), &no_tunnel, secrets_);				\
} while (0)

#define BASIC(u, p)	{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic", \
			  .user = (u), .result = (p), .secret = true }

/* alice:hunter2, bob:pa:ss:word, carol:Tr0ub4dor, eve:evilpw, bob:wrongpw */
#define B_ALICE		"YWxpY2U6aHVudGVyMg=="
#define B_BOB_COLON	"Ym9iOnBhOnNzOndvcmQ="
#define B_CAROL		"Y2Fyb2w6VHIwdWI0ZG9y"
#define B_EVE		"ZXZlOmV2aWxwdw=="
#define B_BOB_WRONG	"Ym9iOndyb25ncHc="
#define B_PROXY		"cHJveHl1c2VyOnByMHh5UHc="	/* proxyuser:pr0xyPw */

#define OK_EMPTY	"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
#define DENIED		"HTTP/1.1 401 Unauthorized\r\n" \
			"WWW-Authenticate: Basic realm=\"x\"\r\n" \
			"Content-Length: 12\r\n\r\nUnauthorized"

static void
test_basic_success(void **unused)
{
	/* The page echoes the password: bodies are never looked at. */
	static const struct step st[] = {
		C("GET /private HTTP/1.1\r\nHost: example.com\r\n"
		  "Authorization: Basic " B_ALICE "\r\nAccept: */*\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
		  "Content-Length: 50\r\n\r\n"
		  "Your password hunter2 is weak.\r\n"
		  "Authorization: Basic"),
	};
	static const struct want w[] = { BASIC("alice", RES_SUCCESS) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", B_ALICE);
}

static void
test_basic_failure(void **unused)
{
	static const struct step st[] = {
		C("GET / HTTP/1.1\r\nHost: example.com\r\n"
		  "Authorization: Basic " B_BOB_WRONG "\r\n\r\n"),
		S(DENIED),
	};
	static const struct want w[] = { BASIC("bob", RES_FAILURE) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "wrongpw", B_BOB_WRONG);
}

/* RFC 7617 §2: the user-id holds no ':', the password may: split at the first. */
static void
test_basic_colon_in_password(void **unused)
{
	static const struct step st[] = {
		C("GET / HTTP/1.1\r\nAuthorization: Basic " B_BOB_COLON "\r\n\r\n"),
		S(OK_EMPTY),
	};
	static const struct want w[] = { BASIC("bob", RES_SUCCESS) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "pa:ss:word", "ss:word", B_BOB_COLON);
}

/* Header names are case-insensitive (RFC 9110 §5.1), so is the scheme (§11.1). */
static void
test_basic_spaces_and_case(void **unused)
{
	static const struct step st[] = {
		C("GET / HTTP/1.1\r\nauthorization:   bASIC   " B_CAROL "  \r\n\r\n"),
		S(OK_EMPTY),
	};
	static const struct want w[] = { BASIC("carol", RES_SUCCESS) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "Tr0ub4dor", B_CAROL);
}

/* Not base64, or no ':': counted, no name; "Basic" alone is nothing. */
static void
test_basic_malformed(void **unused)
{
	static const struct step st[] = {
		C("GET /1 HTTP/1.1\r\nAuthorization: Basic alice:hunter2\r\n\r\n"
		  "GET /2 HTTP/1.1\r\nAuthorization: Basic YWxpY2U=\r\n\r\n"
		  "GET /3 HTTP/1.1\r\nAuthorization: Basic\r\n\r\n"),
		S(DENIED DENIED DENIED),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	assert_int_equal(ctr.bad_base64, 1);
	assert_int_equal(ctr.bad_sasl, 1);
}

/* A browser resends Basic with every request: one finding per result. */
static void
test_basic_repeated(void **unused)
{
	static const struct step st[] = {
		C("GET /a HTTP/1.1\r\nAuthorization: Basic " B_BOB_WRONG "\r\n\r\n"),
		S(DENIED),
		C("GET /a HTTP/1.1\r\nAuthorization: Basic " B_BOB_COLON "\r\n\r\n"),
		S(OK_EMPTY),
		C("GET /b HTTP/1.1\r\nAuthorization: Basic " B_BOB_COLON "\r\n\r\n"),
		S(OK_EMPTY),
		C("GET /c HTTP/1.1\r\nAuthorization: Basic " B_BOB_COLON "\r\n\r\n"),
	};
	static const struct want w[] = {
		BASIC("bob", RES_FAILURE),
		BASIC("bob", RES_SUCCESS),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "wrongpw", "pa:ss:word", B_BOB_COLON);
}

/* RFC 9110 §11.7.2: 407 refuses proxy credentials; then they work. */
static void
test_proxy_407(void **unused)
{
	static const struct step st[] = {
		C("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n"
		  "Proxy-Authorization: Basic " B_BOB_WRONG "\r\n\r\n"),
		S("HTTP/1.1 407 Proxy Authentication Required\r\n"
		  "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
		  "Content-Length: 0\r\n\r\n"),
		C("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n"
		  "Proxy-Authorization: Basic " B_PROXY "\r\n\r\n"),
		S("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .reason = "Proxy-Authorization" },
		/* The origin said 401: the proxy let the request through. */
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "proxyuser", .result = RES_SUCCESS, .secret = true,
		  .reason = "Proxy-Authorization" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "wrongpw", "pr0xyPw", B_PROXY,
	    B_BOB_WRONG);
}

static void
test_bearer(void **unused)
{
	static const struct step st[] = {
		C("GET /resource HTTP/1.1\r\nHost: server.example.com\r\n"
		  "Authorization: Bearer mF_9.B5f-4.1JqM\r\n\r\n"),
		S(OK_EMPTY),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Bearer",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "mF_9.B5f-4.1JqM");
}

/*
 * Unknown schemes are cleartext tokens.  A bare key, or a first word too
 * long to be a scheme name, is never printed as the mechanism.
 */
static void
test_unknown_scheme(void **unused)
{
	static const struct step st[] = {
		/* One at a time: the decoder holds two unanswered credentials. */
		C("GET /1 HTTP/1.1\r\nAuthorization: Token 9944b09199c62bcf\r\n\r\n"),
		S(OK_EMPTY),
		C("GET /2 HTTP/1.1\r\nAuthorization: sk_live_4eC39HqLyjWDarjtT1\r\n\r\n"),
		S(DENIED),
		C("GET /3 HTTP/1.1\r\nAuthorization: AKIAIOSFODNN7EXAMPLEKEY x\r\n"
		  "\r\n"),
		S(OK_EMPTY),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Token",
		  .result = RES_SUCCESS, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Authorization",
		  .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Authorization",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "9944b09199c62bcf",
	    "sk_live_4eC39HqLyjWDarjtT1", "AKIAIOSFODNN7EXAMPLEKEY");
}

/* RFC 7616 §3.9.1, after the 401 that carries the challenge. */
static void
test_digest(void **unused)
{
	static const struct step st[] = {
		/* A scheme without credentials crosses nothing. */
		C("GET /dir/index.html HTTP/1.1\r\nHost: www.example.org\r\n"
		  "Authorization: Digest\r\n\r\n"),
		S("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
		  "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
		  "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
		  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"\r\n"
		  "Content-Length: 0\r\n\r\n"),
		C("GET /dir/index.html HTTP/1.1\r\nHost: www.example.org\r\n"
		  "Authorization: Digest username=\"Mufasa\", "
		  "realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
		  "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
		  "nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
		  "qop=auth, response=\"8ca523f5e9506fed4657c9700eebdbec\", "
		  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"\r\n\r\n"),
		S(OK_EMPTY),
		/* A quoted-pair in the name, to a proxy, refused. */
		C("GET http://a.example/ HTTP/1.1\r\nProxy-Authorization: digest "
		  "realm=\"p\",username=\"CORP\\\\jo\\\"e\",response=\"0a1b2c3d\"\r\n\r\n"),
		S("HTTP/1.1 407 No\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "HTTP Digest",
		  .user = "Mufasa", .result = RES_SUCCESS },
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "HTTP Digest",
		  .user = "CORP\\jo\"e", .result = RES_FAILURE,
		  .reason = "Proxy-Authorization" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "8ca523f5e9506fed4657c9700eebdbec",
	    "0a1b2c3d");
}

static void
b64enc(const uint8_t *in, size_t n, char *out)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*out++ = a[v >> 18];
		*out++ = a[v >> 12 & 63];
		*out++ = i + 1 < n ? a[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? a[v & 63] : '=';
	}
	*out = '\0';
}

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* A security buffer (MS-NLMP §2.2.2.10) at `field`, its bytes at *off. */
static void
secbuf(uint8_t *msg, size_t field, size_t *off, const void *data, size_t len)
{
	put16(msg + field, len);
	put16(msg + field + 2, len);
	put16(msg + field + 4, *off);
	memcpy(msg + *off, data, len);
	*off += len;
}

/*
 * An NTLM AUTHENTICATE message (MS-NLMP §2.2.1.3) for CORP\alice from WS,
 * Unicode, with `pre` bytes of SPNEGO wrapping before it; base64 into out.
 */
static void
ntlm_type3(const char *pre, size_t prelen, char *out)
{
	static const uint8_t user[] = { 'a', 0, 'l', 0, 'i', 0, 'c', 0, 'e', 0 };
	static const uint8_t dom[] = { 'C', 0, 'O', 0, 'R', 0, 'P', 0 };
	static const uint8_t ws[] = { 'W', 0, 'S', 0 };
	uint8_t raw[256], *m, lm[24], nt[24];
	size_t off = 64;

	memset(raw, 0, sizeof(raw));
	memcpy(raw, pre, prelen);
	m = raw + prelen;
	memset(lm, 0x11, sizeof(lm));
	memset(nt, 0x5a, sizeof(nt));
	memcpy(m, "NTLMSSP\0\3\0\0\0", 12);
	secbuf(m, 12, &off, lm, sizeof(lm));
	secbuf(m, 20, &off, nt, sizeof(nt));
	secbuf(m, 28, &off, dom, sizeof(dom));
	secbuf(m, 36, &off, user, sizeof(user));
	secbuf(m, 44, &off, ws, sizeof(ws));
	m[60] = 0x05;		/* NEGOTIATE_UNICODE | REQUEST_TARGET */
	m[61] = 0x82;		/* NEGOTIATE_NTLM | ALWAYS_SIGN */
	m[62] = 0x08;
	b64enc(raw, prelen + off, out);
}

/* RFC 4559 §4 with NTLM: type 1, the 401 with type 2, type 3 with the name. */
static void
test_ntlm(void **unused)
{
	static const uint8_t type1[32] = "NTLMSSP\0\1\0\0\0\7\x82\x08\xa2";
	char t1[64], t3[512], n3[512], req1[128], req3[640], req4[640];
	const struct step st[] = {
		C(req1),
		S("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM "
		  "TlRMTVNTUAACAAAAAAAAACgAAAABggAAU3J2Tm9uY2UAAAAAAAAAAA==\r\n"
		  "Content-Length: 0\r\n\r\n"),
		C(req3),
		S(OK_EMPTY),
	};
	const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "HTTP NTLM",
		  .user = "alice", .result = RES_SUCCESS },
	};
	/* SPNEGO NegTokenResp wrapping the same message (RFC 4178 §4.2.2). */
	const struct step st2[] = {
		C(req4),
		S(OK_EMPTY),
	};
	const struct want w2[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "HTTP Negotiate",
		  .user = "alice", .result = RES_SUCCESS },
	};

	(void)unused;
	b64enc(type1, sizeof(type1), t1);
	ntlm_type3("", 0, t3);
	ntlm_type3("\xa1\x81\xa0\x30\x81\x9d\xa2\x81\x9a\x04\x81\x97", 12, n3);
	snprintf(req1, sizeof(req1),
	    "GET / HTTP/1.1\r\nAuthorization: NTLM %s\r\n\r\n", t1);
	snprintf(req3, sizeof(req3),
	    "GET / HTTP/1.1\r\nAuthorization: NTLM %s\r\n\r\n", t3);
	snprintf(req4, sizeof(req4),
	    "GET / HTTP/1.1\r\nAuthorization: Negotiate %s\r\n\r\n", n3);
	SESSION(false, st, w, DEC_MORE, t3);
	SESSION(false, st2, w2, DEC_MORE, n3);
}

/* Negotiate with Kerberos (RFC 4559 §4.2): crackable offline, no name. */
static void
test_negotiate_kerberos(void **unused)
{
	static const struct step st[] = {
		C("GET / HTTP/1.1\r\nAuthorization: Negotiate "
		  "YIIBzQYGKwYBBQUCoIIBwTCCAb2gDTALBgkqhkiG9xIBAgKiggGqBIIBpmCC\r\n"
		  "\r\n"),
		S("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "HTTP Negotiate",
		  .result = RES_UNKNOWN },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "YIIBzQYGKwYBBQUCoIIBwTCCAb2g");
}

/* RFC 3986 §3.2.1 userinfo in an absolute-form target (RFC 9112 §3.2.2). */
static void
test_url_userinfo(void **unused)
{
	static const struct step st[] = {
		C("GET http://carol:Tr0ub4dor@example.com/index.html HTTP/1.1\r\n"
		  "Host: example.com\r\n\r\n"),
		S(OK_EMPTY),
		/* No password, and an '@' past the authority: nothing. */
		C("GET http://dave@example.com/ HTTP/1.1\r\n\r\n"
		  "GET http://erin:@example.com/ HTTP/1.1\r\n\r\n"
		  "GET http://example.com/?u=x:y@z HTTP/1.1\r\n\r\n"
		  "GET /a:b@c HTTP/1.1\r\n\r\n"),
		S(OK_EMPTY OK_EMPTY OK_EMPTY OK_EMPTY),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "URL userinfo",
		  .user = "carol", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "Tr0ub4dor");
}

/* Keep-alive: the 401's body is skipped, the second request carries Basic. */
static void
test_keepalive(void **unused)
{
	static const struct step st[] = {
		C("GET /admin HTTP/1.1\r\nHost: example.com\r\n\r\n"),
		S(DENIED),
		C("GET /admin HTTP/1.1\r\nHost: example.com\r\n"
		  "Authorization: Basic " B_ALICE "\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nok\r\n"),
	};
	static const struct want w[] = { BASIC("alice", RES_SUCCESS) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", B_ALICE);
}

/* RFC 9112 §9.3.2: responses come in request order. */
static void
test_pipelined(void **unused)
{
	static const struct step st[] = {
		C("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
		  "GET /b HTTP/1.1\r\nAuthorization: Basic " B_BOB_WRONG "\r\n\r\n"
		  "GET /c HTTP/1.1\r\nAuthorization: Basic " B_CAROL "\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
		  "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
		  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = {
		BASIC("bob", RES_FAILURE),
		BASIC("carol", RES_SUCCESS),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "wrongpw", "Tr0ub4dor", B_CAROL,
	    B_BOB_WRONG);
}

/* Request bodies, by Content-Length and chunked, quote a header: never parsed. */
static void
test_request_body_skipped(void **unused)
{
	static const struct step st[] = {
		C("POST /form HTTP/1.1\r\nContent-Length: 80\r\n\r\n"
		  "GET http://mallory:evilpw@x/ HTTP/1.1\r\n"
		  "Authorization: Basic " B_EVE "\r\n\r\n"),
		C("PUT /up HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		  "50\r\nGET http://mallory:evilpw@x/ HTTP/1.1\r\n"
		  "Authorization: Basic " B_EVE "\r\n\r\n\r\n"
		  "0\r\n\r\n"),
		C("GET / HTTP/1.1\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"),
		S(OK_EMPTY OK_EMPTY DENIED),
	};
	static const struct want w[] = { BASIC("alice", RES_FAILURE) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", B_ALICE);
	assert_int_equal(ctr.bad_framing, 0);
}

/*
 * A chunked response (RFC 9112 §7.1: extensions, trailers) whose body holds
 * a status line: parsed, it would answer bob's request with 401.
 */
static void
test_chunked_response_skipped(void **unused)
{
	static const struct step st[] = {
		C("GET /a HTTP/1.1\r\n\r\n"
		  "GET /b HTTP/1.1\r\nAuthorization: Basic " B_BOB_COLON "\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "1D;name=\"value\"\r\nHTTP/1.1 401 Unauthorized\r\n\r\n\r\n"
		  "a \r\npa:ss:word\r\n"
		  "0\r\nExpires: never\r\nX-Trailer: 1\r\n\r\n"
		  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = { BASIC("bob", RES_SUCCESS) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "pa:ss:word", B_BOB_COLON);
	assert_int_equal(ctr.bad_framing, 0);
}

/* RFC 9112 §6.3: no body after HEAD, 1xx, 204 and 304, whatever the length says. */
static void
test_no_body_responses(void **unused)
{
	static const struct step st[] = {
		C("HEAD / HTTP/1.1\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"
		  "GET / HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n"
		  "DELETE / HTTP/1.1\r\n\r\n"
		  "GET / HTTP/1.1\r\nAuthorization: Basic " B_CAROL "\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
		  "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
		  "HTTP/1.1 204 No Content\r\n\r\n"
		  "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = {
		BASIC("alice", RES_SUCCESS),
		BASIC("carol", RES_FAILURE),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
}

/* RFC 9110 §15.2: 100 Continue is interim; the request still awaits its answer. */
static void
test_continue(void **unused)
{
	static const struct step st[] = {
		C("POST /upload HTTP/1.1\r\nExpect: 100-continue\r\n"
		  "Authorization: Basic " B_CAROL "\r\nContent-Length: 5\r\n\r\n"),
		S("HTTP/1.1 100 Continue\r\n\r\n"),
		C("hello"),
		S("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = { BASIC("carol", RES_FAILURE) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "Tr0ub4dor");
}

/* A response without a length runs to the close (RFC 9112 §6.3 rule 8). */
static void
test_close_delimited(void **unused)
{
	static const struct step st[] = {
		C("GET /a HTTP/1.0\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"
		  "GET /b HTTP/1.0\r\nAuthorization: Basic " B_CAROL "\r\n\r\n"),
		S("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<pre>\r\n"
		  "HTTP/1.1 401 Unauthorized\r\n\r\n"),
	};
	static const struct want w[] = {
		BASIC("alice", RES_SUCCESS),
		BASIC("carol", RES_UNKNOWN),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
}

/* Conflicting lengths (RFC 9110 §8.6): the response runs to the close. */
static void
test_bad_length(void **unused)
{
	static const struct step st[] = {
		C("GET /a HTTP/1.1\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"
		  "GET /b HTTP/1.1\r\nAuthorization: Basic " B_CAROL "\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello"
		  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
		  "\r\nhello"
		  "HTTP/1.1 401 Unauthorized\r\n\r\n"),
	};
	static const struct want w[] = {
		BASIC("alice", RES_SUCCESS),
		BASIC("carol", RES_SUCCESS),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
	assert_int_equal(ctr.bad_framing, 1);
}

/*
 * RFC 9110 §9.3.6: a 2xx to CONNECT makes the rest a tunnel.  The SMTP
 * greeting in the same segment is not HTTP's: ctx->consumed stops before it.
 */
static void
test_connect_tunnel(void **unused)
{
#define EST	"HTTP/1.1 200 Connection established\r\nVia: 1.1 proxy\r\n\r\n"
	static const struct step st[] = {
		C("CONNECT mail.example.com:25 HTTP/1.1\r\n"
		  "Host: mail.example.com:25\r\n"
		  "Proxy-Authorization: Basic " B_BOB_WRONG "\r\n\r\n"),
		S("HTTP/1.1 407 Proxy Authentication Required\r\n"
		  "Content-Length: 6\r\n\r\ndenied"),
		C("CONNECT mail.example.com:25 HTTP/1.1\r\n"
		  "Host: mail.example.com:25\r\n"
		  "Proxy-Authorization: Basic " B_PROXY "\r\n\r\n"),
		S(EST "220 smtp.example.com ESMTP Postfix\r\n"),
		C("EHLO client\r\n"),		/* never fed: DEC_TUNNEL */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .reason = "Proxy-Authorization" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "proxyuser", .result = RES_SUCCESS, .secret = true,
		  .reason = "Proxy-Authorization" },
	};
	const char *const secrets[] = { "pr0xyPw", B_PROXY, "wrongpw", NULL };
	const struct tunnel tun = { 3, sizeof(EST) - 1 };

	(void)unused;
	check_session(__func__, false, st, NELEM(st), w, NELEM(w), DEC_TUNNEL,
	    &tun, secrets);
#undef EST
}

/* Client bytes after CONNECT, before its answer, are held off and counted. */
static void
test_connect_client_first(void **unused)
{
	static const struct step st[] = {
		C("CONNECT example.com:443 HTTP/1.1\r\n\r\n\x16\x03\x01\x02\x05"),
		C("\x01\x01\xfc\x03\x03"),
		S("HTTP/1.1 200 OK\r\n\r\n"),
	};
	const char *const secrets[] = { "no-secret-here", NULL };
	const struct tunnel tun = { 2, 19 };

	(void)unused;
	check_session(__func__, false, st, NELEM(st), NULL, 0, DEC_TUNNEL,
	    &tun, secrets);
	assert_true(ctr.pipeline_overflow > 0);
}

/* RFC 9110 §15.2.2: after 101 (WebSocket) nothing is HTTP/1 any more. */
static void
test_upgrade_101(void **unused)
{
	static const struct step st[] = {
		C("GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"
		  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		  "Authorization: Basic " B_CAROL "\r\n"
		  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		  "Sec-WebSocket-Version: 13\r\n\r\n"
		  "GET /next HTTP/1.1\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"),
		S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		  "Connection: Upgrade\r\n"
		  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
		  "\x81\x05hello"),
		C("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"),
	};
	static const struct want w[] = {
		BASIC("carol", RES_SUCCESS),
		BASIC("alice", RES_UNKNOWN),
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "Tr0ub4dor", "hunter2");
}

/* A hole outside a body: pending ends unknown; resync on the next status line. */
static void
test_gap(void **unused)
{
	static const struct step st[] = {
		C("GET /a HTTP/1.1\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"),
		GAP(DIR_S2C, 100),
		S("t was lost\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
		C("GET /b HTTP/1.1\r\nAuthorization: Basic " B_CAROL "\r\n\r\n"),
		S("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "alice", .result = RES_UNKNOWN, .secret = true,
		  .gap = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "carol", .result = RES_FAILURE, .secret = true,
		  .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
	assert_int_equal(ctr.gaps, 1);
	assert_int_equal(ctr.unmatched_reply, 1);
}

/* A hole inside a body of known length keeps the framing and the pairing. */
static void
test_gap_in_body(void **unused)
{
	static const struct step st[] = {
		C("POST / HTTP/1.1\r\nContent-Length: 20\r\n"
		  "Authorization: Basic " B_ALICE "\r\n\r\n0123"),
		GAP(DIR_C2S, 10),
		C("456789GET / HTTP/1.1\r\nAuthorization: Basic " B_CAROL "\r\n\r\n"),
		S(OK_EMPTY DENIED),
	};
	/*
	 * The decoder skips the body by count, so the hole falls in bytes
	 * it never wanted: the framing holds and nothing is partial.
	 */
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Basic",
		  .user = "carol", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
}

static void
test_end_without_response(void **unused)
{
	static const struct step st[] = {
		C("GET / HTTP/1.1\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"),
	};
	static const struct want w[] = { BASIC("alice", RES_UNKNOWN) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", B_ALICE);
}

/*
 * A header line over LINE_MAX_LEN is counted and skipped; a credential
 * header that long keeps what fits (a large bearer token).
 */
static void
test_long_lines(void **unused)
{
	static char c1[LINE_MAX_LEN + 200], c2[LINE_MAX_LEN + 200];
	const struct step st[] = {
		C(c1),
		S(OK_EMPTY),
		C(c2),
		S(DENIED),
	};
	static const struct want w[] = {
		BASIC("alice", RES_SUCCESS),
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "HTTP Bearer",
		  .result = RES_FAILURE, .secret = true },
	};
	size_t n;

	(void)unused;
	n = (size_t)snprintf(c1, sizeof(c1), "GET / HTTP/1.1\r\nX-Pad: ");
	memset(c1 + n, 'p', LINE_MAX_LEN);
	snprintf(c1 + n + LINE_MAX_LEN, sizeof(c1) - n - LINE_MAX_LEN,
	    "\r\nAuthorization: Basic " B_ALICE "\r\n\r\n");
	n = (size_t)snprintf(c2, sizeof(c2),
	    "GET / HTTP/1.1\r\nAuthorization: Bearer ");
	memset(c2 + n, 'T', LINE_MAX_LEN);
	snprintf(c2 + n + LINE_MAX_LEN, sizeof(c2) - n - LINE_MAX_LEN,
	    "\r\n\r\n");
	SESSION(false, st, w, DEC_MORE, "hunter2", B_ALICE, "TTTTTTTTTTTTTTTT");
	assert_int_equal(ctr.line_overflow, 2);
}

/*
 * More credentials waiting than tracked: the newest goes out at once with
 * result unknown; the others still get theirs, in order.
 */
static void
test_pipeline_overflow(void **unused)
{
	/* One credentialed request more than the decoder holds (2). */
	static char c[3 * 96], srv[3 * sizeof(OK_EMPTY)];
	static const char *const users[] = { "u1", "u2", "u3" };
	const struct step st[] = { C(c), S(srv) };
	struct want w[3];
	char pair[16], tok[32];
	size_t i, o = 0;

	(void)unused;
	memset(w, 0, sizeof(w));
	srv[0] = '\0';
	for (i = 0; i < 3; i++) {
		snprintf(pair, sizeof(pair), "%s:pw%zu", users[i], i);
		b64enc((const uint8_t *)pair, strlen(pair), tok);
		o += (size_t)snprintf(c + o, sizeof(c) - o,
		    "GET / HTTP/1.1\r\nAuthorization: Basic %s\r\n\r\n", tok);
		strcat(srv, OK_EMPTY);
		w[i].kind = K_CLEARTEXT_CREDENTIALS;
		w[i].mech = "HTTP Basic";
		w[i].secret = true;
		/* The one that finds the queue full goes out at once, unknown. */
		w[i].user = users[i == 0 ? 2 : i - 1];
		w[i].result = i == 0 ? RES_UNKNOWN : RES_SUCCESS;
	}
	SESSION(false, st, w, DEC_MORE, "pw0", "pw2");
	assert_int_equal(ctr.pipeline_overflow, 1);
}

/* Handshake seen and the first line is not HTTP: detach. */
static void
test_mismatch(void **unused)
{
	static const struct step st[] = {
		C("GET / HTTP/1.1\r\nAuthorization: Basic " B_ALICE "\r\n\r\n"),
		S("SSH-2.0-OpenSSH_9.2\r\n"),
	};
	static const struct want w[] = { BASIC("alice", RES_UNKNOWN) };
	static const struct step st2[] = {
		C("EHLO client.example.com\r\n"),
		S("250 ok\r\n"),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MISMATCH, "hunter2", B_ALICE);
	SESSION_NONE(false, st2, DEC_MISMATCH, "no-secret-here");
	assert_int_equal(ctr.mismatch, 1);
}

/* Picked up mid-body: resync on the first request and status lines. */
static void
test_midstream(void **unused)
{
	static const struct step st[] = {
		S("ody of an earlier page\r\n</html>\r\n"),
		C("x: y\r\n\r\nGET / HTTP/1.1\r\nAuthorization: Basic " B_CAROL
		  "\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct want w[] = { BASIC("carol", RES_SUCCESS) };

	(void)unused;
	SESSION(true, st, w, DEC_MORE, "Tr0ub4dor", B_CAROL);
	assert_int_equal(ctr.bad_framing, 0);	/* resync skips quietly */
}

static void
test_probe(void **unused)
{
	static const struct {
		const char		*text;
		enum probe_result	 want;
		bool			 server;
	} cases[] = {
		{ "GET / HTTP/1.1\r\n", PROBE_YES, false },
		{ "POST /login HTTP/1.0\n", PROBE_YES, false },
		{ "CONNECT example.com:443 HTTP/1.1\r\n", PROBE_YES, false },
		{ "PROPFIND /dav/ HTTP/1.1\r\n", PROBE_YES, false },
		{ "HTTP/1.1 200 OK\r\n", PROBE_YES, true },
		{ "HTTP/1.0 404", PROBE_YES, true },
		{ "HTTP/1", PROBE_MAYBE, false },
		{ "H", PROBE_MAYBE, false },
		{ "", PROBE_MAYBE, false },
		{ "GE", PROBE_MAYBE, false },
		{ "GET", PROBE_MAYBE, false },
		{ "GET /index.html", PROBE_MAYBE, false },
		{ "GET /index.html HTTP/1.", PROBE_MAYBE, false },
		{ "GET /index.html HTTP/1.1", PROBE_MAYBE, false },
		{ "get / HTTP/1.1\r\n", PROBE_NO, false },
		{ "GET / HTTP/2.0\r\n", PROBE_NO, false },
		{ "PRI * HTTP/2.0\r\n", PROBE_NO, false },
		{ "GET /\r\n", PROBE_NO, false },
		{ "GET  / HTTP/1.1\r\n", PROBE_NO, false },
		{ "HTTP/2 200\r\n", PROBE_NO, false },
		{ "USER bob\r\n", PROBE_NO, false },
		{ "EHLO x\r\n", PROBE_NO, false },
		{ "220 mx ESMTP\r\n", PROBE_NO, false },
		{ "+OK POP3\r\n", PROBE_NO, false },
		{ "\x16\x03\x01", PROBE_NO, false },
	};
	size_t i;
	bool server;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		server = !cases[i].server;
		if (http_decoder.probe(DIR_C2S, (const uint8_t *)cases[i].text,
		    strlen(cases[i].text), &server) != cases[i].want ||
		    (cases[i].want == PROBE_YES && server != cases[i].server))
			fail_msg("probe case %zu: \"%s\"", i, cases[i].text);
	}
}

static void
test_table(void **unused)
{
	static const uint16_t ports[] = { 80, 8080, 8000, 3128, 8008, 0 };
	size_t i;

	(void)unused;
	assert_string_equal(http_decoder.name, "http");
	for (i = 0; i < NELEM(ports); i++)
		assert_int_equal(http_decoder.ports[i], ports[i]);
	assert_non_null(http_decoder.wipe);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_success),
		cmocka_unit_test(test_basic_failure),
		cmocka_unit_test(test_basic_colon_in_password),
		cmocka_unit_test(test_basic_spaces_and_case),
		cmocka_unit_test(test_basic_malformed),
		cmocka_unit_test(test_basic_repeated),
		cmocka_unit_test(test_proxy_407),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_unknown_scheme),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_ntlm),
		cmocka_unit_test(test_negotiate_kerberos),
		cmocka_unit_test(test_url_userinfo),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_request_body_skipped),
		cmocka_unit_test(test_chunked_response_skipped),
		cmocka_unit_test(test_no_body_responses),
		cmocka_unit_test(test_continue),
		cmocka_unit_test(test_close_delimited),
		cmocka_unit_test(test_bad_length),
		cmocka_unit_test(test_connect_tunnel),
		cmocka_unit_test(test_connect_client_first),
		cmocka_unit_test(test_upgrade_101),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_gap_in_body),
		cmocka_unit_test(test_end_without_response),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_pipeline_overflow),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
