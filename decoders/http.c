/*
 * http.c - HTTP/1.x: credentials in Authorization, Proxy-Authorization and
 * request URLs, with the result the response status gives them.
 *
 * Specifications: RFC 9110 (semantics: §11 authentication, §9.3.6 CONNECT,
 * §15 status codes), RFC 9112 (HTTP/1.1 messages and framing), RFC 7617
 * (Basic), RFC 6750 (Bearer), RFC 7616 (Digest), RFC 4559 (Negotiate and
 * NTLM over HTTP), MS-NLMP §2.2.1.3 (the NTLM AUTHENTICATE message),
 * RFC 3986 §3.2.1 (userinfo).
 *
 * Requests go into a bounded FIFO so each response is matched to the
 * request it answers (keep-alive and pipelining, RFC 9112 §9.3.2).  Bodies
 * are framed by Content-Length or chunked coding (RFC 9112 §6.3, §7.1) and
 * handed over raw by the line splitter: a body is never parsed, so a page
 * that echoes a secret back, or a POST that quotes a header, is no input.
 *
 * Policies, where the wire leaves a choice:
 * - Findings carry the scheme, the user name and the result, never a
 *   token; a Basic or NTLM token is decoded into a stack buffer that is
 *   wiped before returning.  One finding per request carrying credentials,
 *   made when its final status line arrives (unknown at a gap or the end).
 * - Result: 2xx, 3xx and 101 (the server switched protocols, so it took
 *   the request) are success; 401 is failure for origin credentials, 407
 *   for proxy credentials; 401 to proxy credentials is success (the proxy
 *   let the request through), 407 to origin credentials unknown (they never
 *   reached the origin); anything else is unknown.
 * - A browser resends Basic with every request: one finding per
 *   (mechanism, proxy or not, user name) and result; unknown adds none.
 * - An unknown scheme is printed as "HTTP <scheme>" only when it looks like
 *   a scheme name (a short token followed by credentials); a bare value
 *   ("Authorization: <key>") is "HTTP Authorization", so a raw API key is
 *   never printed as a scheme.
 * - A header line over LINE_MAX_LEN is counted and skipped, except
 *   credential headers, which keep what fits (large Kerberos or JWT tokens).
 * - A gap inside a body of known length keeps the framing; any other gap
 *   ends what is pending with result unknown and resyncs that direction on
 *   the next request or status line.
 * - After CONNECT the client's bytes are not read until the answer: a 2xx
 *   hands the rest of the stream over (DEC_TUNNEL), anything else resumes.
 *   After 101 nothing here is HTTP/1 any more: DEC_DONE.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"
#include "line.h"
#include "ntlm.h"
#include "sasl.h"

#define HTTP_PIPE_MAX	32	/* outstanding requests tracked */
/*
 * Credentials awaiting their response.  Each slot holds a user name and,
 * for fingerprints, a password, and every HTTP flow, downloads included,
 * carries the slots (at 20 000 concurrent flows a slot is 8 MiB).  Two:
 * a request may carry Authorization and Proxy-Authorization at once, and
 * clients wait for the answer to a credentialed request (browsers do not
 * pipeline); a further one goes out at once, result unknown, and counts
 * as pipeline_overflow.
 */
#define HTTP_CRED_MAX	2
/* User name bytes kept (longer ones are cut and flagged): Basic user ids. */
#define HTTP_USER_MAX	128
#define HTTP_SEEN_MAX	16	/* (mechanism, user) pairs already reported */
#define HTTP_HDR_MAX	256	/* header lines read per message */
#define HTTP_SCHEME_MAX	20	/* longest unknown scheme name printed */
#define B64_DEC_MAX	(LINE_MAX_LEN / 4 * 3)

#define COUNT(ctx, field) do {					\
	if ((ctx)->ctr != NULL)					\
		(ctx)->ctr->field++;				\
} while (0)
/* Malformed framing (lengths, chunks, start lines) is its own counter. */
#define COUNT_BAD(ctx)	COUNT(ctx, bad_framing)

/* Where one direction is in its current message. */
enum phase {
	P_START = 0,	/* a request (client) or status (server) line is next */
	P_HEADERS,
	P_BODY,		/* Content-Length bytes, raw */
	P_CHUNK_SIZE,	/* RFC 9112 §7.1: chunk-size [ext] */
	P_CHUNK_DATA,	/* chunk bytes, raw */
	P_CHUNK_END,	/* the CRLF after chunk data */
	P_TRAILERS,	/* RFC 9112 §7.1.2, up to an empty line */
	P_CLOSE,	/* server: the body runs to the end of the stream */
	P_RESYNC,	/* after a gap or bad framing: skip to a start line */
	P_HOLD		/* client after CONNECT: wait for its answer */
};

enum method {
	M_OTHER = 0,
	M_HEAD,
	M_CONNECT
};

struct cred {
	enum finding_kind kind;
	char		 mech[32];
	const char	*reason;
	bool		 proxy;
	bool		 secret;
	bool		 anonymous;
	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[HTTP_USER_MAX];
	struct held_secret pass;	/* Basic's password, for the fingerprint */
};

struct req {
	uint8_t		 method;	/* enum method */
	uint8_t		 ncred;		/* its credentials in the cred FIFO */
};

struct msg {
	enum phase	 phase;
	bool		 seen_start;	/* a start line was seen this way */
	uint8_t		 method;	/* of the request, or the one answered */
	int		 status;
	unsigned	 nhdr;
	unsigned	 ncred;		/* client: credentials of this request */
	bool		 cl_seen;
	bool		 cl_bad;
	bool		 te_seen;
	bool		 te_chunked;	/* chunked is the final coding */
	size_t		 cl;
};

struct http {
	enum dec_status	 status;
	bool		 midstream;
	bool		 gap_seen;
	struct msg	 m[2];
	struct req	 q[HTTP_PIPE_MAX];
	unsigned	 qhead;
	unsigned	 qlen;
	struct cred	 cred[HTTP_CRED_MAX];
	bool		 cred_touched;	/* a slot was ever filled: wipe() has work */
	unsigned	 chead;
	unsigned	 clen;
	struct {
		uint64_t key;
		uint8_t	 results;	/* bits of enum auth_result reported */
	}		 seen[HTTP_SEEN_MAX];
	unsigned	 nseen;
	struct line_splitter ls[2];
};

/* RFC 9110 §9 and WebDAV (RFC 4918); methods are case-sensitive. */
static const struct {
	const char	*name;
	enum method	 m;
} methods[] = {
	{ "GET", M_OTHER }, { "HEAD", M_HEAD }, { "POST", M_OTHER },
	{ "PUT", M_OTHER }, { "DELETE", M_OTHER }, { "CONNECT", M_CONNECT },
	{ "OPTIONS", M_OTHER }, { "TRACE", M_OTHER }, { "PATCH", M_OTHER },
	{ "PROPFIND", M_OTHER }, { "PROPPATCH", M_OTHER }, { "MKCOL", M_OTHER },
	{ "COPY", M_OTHER }, { "MOVE", M_OTHER }, { "LOCK", M_OTHER },
	{ "UNLOCK", M_OTHER }, { "REPORT", M_OTHER }, { "SEARCH", M_OTHER },
};

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* RFC 9110 §5.6.2 tchar. */
static bool
is_tchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
method_find(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (n == strlen(methods[i].name) &&
		    memcmp(p, methods[i].name, n) == 0)
			return (int)i;
	return -1;
}

static void
set_user(struct cred *c, const uint8_t *u, size_t n)
{
	c->user_truncated = n > HTTP_USER_MAX;
	c->user_len = n > HTTP_USER_MAX ? HTTP_USER_MAX : n;
	memcpy(c->user, u, c->user_len);
}

static void
set_mech(struct cred *c, const char *m)
{
	snprintf(c->mech, sizeof(c->mech), "%s", m);
}

static enum auth_result
result_of(int code, bool proxy)
{
	if (code == 407)
		return proxy ? RES_FAILURE : RES_UNKNOWN;
	if (code == 401)
		return proxy ? RES_SUCCESS : RES_FAILURE;
	if (code == 101 || (code >= 200 && code < 400))
		return RES_SUCCESS;
	return RES_UNKNOWN;
}

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n-- > 0)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

/* Report a credential unless its (mechanism, user) had this result. */
static void
cred_emit(struct http *s, struct dec_ctx *ctx, const struct cred *c,
    enum auth_result res)
{
	struct finding f;
	uint64_t key;
	uint8_t bit = (uint8_t)(1u << res);
	unsigned i;
	int e = -1;

	key = fnv1a(0xcbf29ce484222325ULL, c->mech, strlen(c->mech) + 1);
	key = fnv1a(key, &c->proxy, sizeof(c->proxy));
	key = fnv1a(key, c->user, c->user_len);
	for (i = 0; i < s->nseen; i++)
		if (s->seen[i].key == key)
			e = (int)i;
	if (e >= 0 && ((s->seen[e].results & bit) != 0 ||
	    (res == RES_UNKNOWN && s->seen[e].results != 0)))
		return;
	if (e < 0 && s->nseen < HTTP_SEEN_MAX) {
		e = (int)s->nseen++;
		s->seen[e].key = key;
	}
	if (e >= 0)
		s->seen[e].results |= bit;

	memset(&f, 0, sizeof(f));
	f.kind = c->kind;
	f.app_proto = "http";
	f.mechanism = c->mech;
	f.username = c->user_len > 0 ? c->user : NULL;
	f.username_len = c->user_len;
	f.username_truncated = c->user_truncated;
	f.result = res;
	f.anonymous = c->anonymous;
	f.secret_seen = c->secret;
	f.secret = c->pass.len > 0 ? c->pass.b : NULL;	/* wiped by the callers */
	f.secret_len = c->pass.len;
	f.reason = c->reason;
	f.gap_seen = s->gap_seen;
	dec_emit(ctx, &f);
}

/* Queue a credential until its response; past the cap it goes out unknown. */
static void
cred_push(struct http *s, struct dec_ctx *ctx, const struct cred *c)
{
	if (s->clen == HTTP_CRED_MAX) {
		COUNT(ctx, pipeline_overflow);
		cred_emit(s, ctx, c, RES_UNKNOWN);
		return;
	}
	s->cred[(s->chead + s->clen) % HTTP_CRED_MAX] = *c;
	s->clen++;
	s->cred_touched = true;
	s->m[DIR_C2S].ncred++;
}

/* The oldest credential gets its answer; code -1: none came. */
static void
cred_pop(struct http *s, struct dec_ctx *ctx, int code)
{
	struct cred *c = &s->cred[s->chead];

	cred_emit(s, ctx, c, result_of(code, c->proxy));
	secret_drop(&c->pass);
	s->chead = (s->chead + 1) % HTTP_CRED_MAX;
	s->clen--;
}

/* Everything still waiting for a response ends unknown. */
static void
flush_pending(struct http *s, struct dec_ctx *ctx)
{
	while (s->clen > 0)
		cred_pop(s, ctx, -1);
	s->qhead = s->qlen = 0;
	s->m[DIR_C2S].ncred = 0;
}

/* Base64 token68 (RFC 9110 §11.2); a cut line keeps whole quanta only. */
static bool
token_decode(struct dec_ctx *ctx, const uint8_t *t, size_t n, bool cut,
    uint8_t *out, size_t cap, size_t *outlen)
{
	if (cut)
		n -= n % 4;
	if (n > 0 && b64_decode(t, n, out, cap, outlen))
		return true;
	COUNT(ctx, bad_base64);
	return false;
}

/* RFC 7617 §2: base64 of user-id ":" password; a user-id holds no ':'. */
static void
auth_basic(struct dec_ctx *ctx, struct cred *c, const uint8_t *t, size_t n,
    bool cut)
{
	uint8_t d[B64_DEC_MAX];
	const uint8_t *colon;
	size_t dl = 0;

	set_mech(c, "HTTP Basic");
	if (n == 0)
		return;
	if (!token_decode(ctx, t, n, cut, d, sizeof(d), &dl))
		c->secret = true;	/* undecodable, yet on the wire */
	else if ((colon = memchr(d, ':', dl)) == NULL) {
		COUNT(ctx, bad_sasl);
		c->secret = dl > 0;
	} else {
		set_user(c, d, (size_t)(colon - d));
		c->secret = (size_t)(colon - d) + 1 < dl;
		secret_hold(&c->pass, colon + 1, dl - (size_t)(colon - d) - 1);
	}
	explicit_bzero(d, sizeof(d));	/* a failed decode leaves a prefix */
}

/*
 * RFC 4559 §4: an NTLM token, or a SPNEGO one that may wrap NTLM.  Only
 * an NTLM type 3 carries a crackable response and the user name; a
 * Negotiate token without NTLMSSP inside is Kerberos: no name on the wire.
 * Returns whether the token is worth a finding.
 */
static bool
auth_ntlm(struct dec_ctx *ctx, struct cred *c, const uint8_t *t, size_t n,
    bool cut, bool nego)
{
	uint8_t d[B64_DEC_MAX];
	struct ntlm_msg m;
	size_t dl = 0;
	bool worth = false;

	c->kind = K_CHALLENGE_RESPONSE;
	set_mech(c, nego ? "HTTP Negotiate" : "HTTP NTLM");
	if (n == 0 || !token_decode(ctx, t, n, cut, d, sizeof(d), &dl))
		goto out;
	if (!ntlm_find(d, dl, &m)) {
		worth = nego;		/* Kerberos */
		if (!nego)
			COUNT(ctx, bad_sasl);
	} else if (m.type == 3) {
		if (m.bad)
			COUNT(ctx, bad_sasl);
		else {
			set_user(c, m.user, m.user_len);
			c->user_truncated = m.user_truncated;
			c->anonymous = m.anonymous;
		}
		worth = true;
	}
	/* Types 1 and 2 carry nothing crackable. */
	ntlm_clear(&m);
out:
	explicit_bzero(d, sizeof(d));
	return worth;
}

/* Copy a quoted-string's content (RFC 9110 §5.6.4) as the user name. */
static void
set_user_unquoted(struct cred *c, const uint8_t *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o < HTTP_USER_MAX; i++) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		c->user[o++] = p[i];
	}
	c->user_len = o;
	c->user_truncated = i < n;
}

/*
 * RFC 7616 §3.4: auth-params name=token or name="quoted-string".
 * username* (§3.4.4, RFC 8187 encoding) is kept as sent.
 */
static void
auth_digest(struct cred *c, const uint8_t *p, size_t n)
{
	size_t i = 0, ns, nl, vs, ve;
	bool q;

	c->kind = K_CHALLENGE_RESPONSE;
	set_mech(c, "HTTP Digest");
	while (i < n) {
		while (i < n && (p[i] == ',' || p[i] == ' ' || p[i] == '\t'))
			i++;
		for (ns = i; i < n && is_tchar(p[i]); i++)
			;
		nl = i - ns;
		i += line_skip_ws(p + i, n - i);
		if (nl == 0 || i >= n || p[i] != '=')
			return;		/* not an auth-param: stop here */
		i++;
		i += line_skip_ws(p + i, n - i);
		if ((q = i < n && p[i] == '"')) {
			for (vs = ++i; i < n && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
			ve = i < n ? i : n;
			i++;
		} else {
			for (vs = i; i < n && p[i] != ',' && p[i] != ' ' &&
			    p[i] != '\t'; i++)
				;
			ve = i;
		}
		if (ascii_ieq(p + ns, nl, "username") && q)
			set_user_unquoted(c, p + vs, ve - vs);
		else if (ascii_ieq(p + ns, nl, "username") ||
		    (ascii_ieq(p + ns, nl, "username*") && c->user_len == 0))
			set_user(c, p + vs, ve - vs);
		else if (ascii_ieq(p + ns, nl, "userhash") &&
		    ascii_ieq(p + vs, ve - vs, "true") && c->reason == NULL)
			c->reason = "Digest userhash: the user name is hashed";
	}
}

/* Whether an unknown scheme name may be printed (see the policy above). */
static bool
scheme_printable(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0 || n > HTTP_SCHEME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!is_tchar(p[i]) || strchr("!#$%&'*+^`|~", p[i]) != NULL)
			return false;
	return true;
}

/* RFC 9110 §11.4: credentials = auth-scheme [ 1*SP token68 / params ]. */
static void
auth_header(struct http *s, struct dec_ctx *ctx, const uint8_t *v, size_t n,
    bool proxy, bool cut)
{
	struct cred c;
	const uint8_t *t;
	size_t sl, tl;

	memset(&c, 0, sizeof(c));
	c.kind = K_CLEARTEXT_CREDENTIALS;
	c.proxy = proxy;
	c.reason = proxy ? "Proxy-Authorization" : NULL;
	for (sl = 0; sl < n && v[sl] != ' ' && v[sl] != '\t'; sl++)
		;
	t = v + sl + line_skip_ws(v + sl, n - sl);
	tl = n - (size_t)(t - v);
	if (ascii_ieq(v, sl, "Basic"))
		auth_basic(ctx, &c, t, tl, cut);
	else if (ascii_ieq(v, sl, "Bearer")) {
		set_mech(&c, "HTTP Bearer");
		c.secret = tl > 0;
	} else if (ascii_ieq(v, sl, "Digest"))
		auth_digest(&c, t, tl);
	else if (ascii_ieq(v, sl, "NTLM") || ascii_ieq(v, sl, "Negotiate")) {
		if (!auth_ntlm(ctx, &c, t, tl, cut, ascii_ieq(v, sl, "Negotiate")))
			return;
	} else if (tl > 0 && scheme_printable(v, sl)) {
		snprintf(c.mech, sizeof(c.mech), "HTTP %.*s", (int)sl,
		    (const char *)v);
		c.secret = true;
	} else {
		set_mech(&c, "HTTP Authorization");	/* a bare key */
		c.secret = n > 0;
	}
	if (!c.secret && c.user_len == 0 &&
	    (c.kind == K_CLEARTEXT_CREDENTIALS || tl == 0))
		return;			/* "Basic" or "Digest" alone */
	cred_push(s, ctx, &c);
	secret_drop(&c.pass);	/* the queue has its copy */
}

/*
 * RFC 3986 §3.2.1: an absolute-form target (RFC 9112 §3.2.2, as sent to
 * proxies) may carry "user:password@" before the host; deprecated, still
 * sent by old clients and scripts.  The name is kept raw (not
 * percent-decoded); without a password nothing secret crossed.
 */
static void
url_userinfo(struct http *s, struct dec_ctx *ctx, const uint8_t *t, size_t n)
{
	struct cred c;
	const uint8_t *a, *colon;
	size_t i, an, at;

	for (i = 0; i < n && (is_tchar(t[i]) && t[i] != ':'); i++)
		;
	if (i == 0 || n - i < 3 || memcmp(t + i, "://", 3) != 0)
		return;
	a = t + i + 3;
	for (an = 0; an < n - i - 3 && a[an] != '/' && a[an] != '?' &&
	    a[an] != '#'; an++)
		;
	for (at = an; at > 0 && a[at - 1] != '@'; at--)
		;
	if (at == 0 || (colon = memchr(a, ':', at - 1)) == NULL ||
	    (size_t)(colon - a) + 2 == at)
		return;
	memset(&c, 0, sizeof(c));
	c.kind = K_CLEARTEXT_CREDENTIALS;
	set_mech(&c, "URL userinfo");
	set_user(&c, a, (size_t)(colon - a));
	c.secret = true;
	cred_push(s, ctx, &c);
}

/* RFC 9112 §2.3: "HTTP/1." DIGIT, alone. */
static bool
is_version(const uint8_t *p, size_t n)
{
	return n == 8 && memcmp(p, "HTTP/1.", 7) == 0 && is_digit(p[7]);
}

/* The last space in p[0..n), or NULL (memrchr is not standard C). */
static const uint8_t *
last_space(const uint8_t *p, size_t n)
{
	while (n > 0)
		if (p[--n] == ' ')
			return p + n;
	return NULL;
}

/*
 * RFC 9112 §3: method SP request-target SP HTTP-version.  A line cut by the
 * splitter has lost its version: a known method is enough then.
 */
static bool
request_line(struct http *s, struct dec_ctx *ctx, const uint8_t *p, size_t n,
    bool cut)
{
	struct msg *m = &s->m[DIR_C2S];
	size_t i, t, k;
	int mi;

	for (i = 0; i < n && is_tchar(p[i]); i++)
		;
	if (i == 0 || i >= n || p[i] != ' ')
		return false;
	mi = method_find(p, i);
	for (t = k = i + 1; k < n && p[k] > ' ' && p[k] != 0x7f; k++)
		;
	if (k == t)
		return false;
	if (!(cut && k == n && mi >= 0) &&
	    !(k < n && p[k] == ' ' && is_version(p + k + 1, n - k - 1))) {
		/*
		 * Some clients put more between the target and the version
		 * ("CONNECT host:25 / HTTP/1.0"); servers and proxies take
		 * the last word as the version.
		 */
		const uint8_t *sp = k < n ? last_space(p + k, n - k) : NULL;

		if (mi < 0 || sp == NULL ||
		    !is_version(sp + 1, n - (size_t)(sp + 1 - p)))
			return false;
	}
	memset(m, 0, sizeof(*m));
	m->seen_start = true;
	m->phase = P_HEADERS;
	m->method = (uint8_t)(mi >= 0 ? methods[mi].m : M_OTHER);
	url_userinfo(s, ctx, p + t, k - t);
	return true;
}

/* RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason]; the last SP may lack. */
static int
status_code(const uint8_t *p, size_t n)
{
	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || !is_digit(p[7]) ||
	    p[8] != ' ' || !is_digit(p[9]) || !is_digit(p[10]) ||
	    !is_digit(p[11]) || (n > 12 && p[12] != ' '))
		return -1;
	return (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
}

/* A status line: a final one answers the oldest request. */
static void
status_line(struct http *s, struct dec_ctx *ctx, int code)
{
	struct msg *m = &s->m[DIR_S2C];
	struct req r = { M_OTHER, 0 };

	memset(m, 0, sizeof(*m));
	m->seen_start = true;
	m->phase = P_HEADERS;
	m->status = code;
	/* Interim (RFC 9110 §15.2): the request stays open. */
	if (code >= 100 && code < 200 && code != 101)
		return;
	if (s->qlen == 0)
		COUNT(ctx, unmatched_reply);
	else {
		r = s->q[s->qhead];
		s->qhead = (s->qhead + 1) % HTTP_PIPE_MAX;
		s->qlen--;
	}
	m->method = r.method;
	while (r.ncred-- > 0)
		cred_pop(s, ctx, code);
	if (code == 101) {
		/* RFC 9110 §15.2.2: WebSocket, h2c: no more HTTP/1 here. */
		flush_pending(s, ctx);
		s->status = DEC_DONE;
	} else if (r.method == M_CONNECT && (code < 200 || code > 299) &&
	    s->m[DIR_C2S].phase == P_HOLD)
		s->m[DIR_C2S].phase = P_START;	/* refused: the client goes on */
}

/* RFC 9110 §8.6: 1*DIGIT; a list of identical values is that length. */
static void
content_length(struct msg *m, const uint8_t *v, size_t n)
{
	size_t i = 0, d, val;

	for (;;) {
		i += line_skip_ws(v + i, n - i);
		for (d = 0, val = 0; i < n && is_digit(v[i]); i++, d++) {
			if (val > (SIZE_MAX - 9) / 10) {
				m->cl_bad = true;
				return;
			}
			val = val * 10 + (size_t)(v[i] - '0');
		}
		i += line_skip_ws(v + i, n - i);
		if (d == 0 || (i < n && v[i] != ',') ||
		    (m->cl_seen && val != m->cl)) {
			m->cl_bad = true;
			return;
		}
		m->cl_seen = true;
		m->cl = val;
		if (i++ >= n)
			return;
	}
}

/* RFC 9112 §6.1: chunked must be the final transfer coding. */
static bool
chunked_last(const uint8_t *v, size_t n)
{
	size_t b;

	for (b = n; b > 0 && v[b - 1] != ','; b--)
		;
	b += line_skip_ws(v + b, n - b);
	return ascii_ieq(v + b, n - b, "chunked");
}

static void
header_line(struct http *s, struct dec_ctx *ctx, enum dir dir,
    const uint8_t *p, size_t n, bool cut)
{
	struct msg *m = &s->m[dir];
	const uint8_t *colon, *v;
	size_t nl, vl;
	bool proxy;

	if (++m->nhdr > HTTP_HDR_MAX) {
		if (m->nhdr == HTTP_HDR_MAX + 1)
			COUNT(ctx, line_overflow);
		return;
	}
	/* obs-fold (RFC 9112 §5.2): none of the fields we read is folded. */
	if (p[0] == ' ' || p[0] == '\t')
		return;
	if ((colon = memchr(p, ':', n)) == NULL) {
		COUNT_BAD(ctx);
		return;
	}
	nl = (size_t)(colon - p);
	v = colon + 1 + line_skip_ws(colon + 1, n - nl - 1);
	for (vl = n - (size_t)(v - p); vl > 0 && (v[vl - 1] == ' ' ||
	    v[vl - 1] == '\t'); vl--)
		;
	/* RFC 9110 §11.6.2, §11.7.2; a cut line keeps only credentials. */
	if ((proxy = ascii_ieq(p, nl, "Proxy-Authorization")) ||
	    ascii_ieq(p, nl, "Authorization")) {
		if (dir == DIR_C2S)
			auth_header(s, ctx, v, vl, proxy, cut);
	} else if (cut)
		return;
	else if (ascii_ieq(p, nl, "Content-Length"))
		content_length(m, v, vl);
	else if (ascii_ieq(p, nl, "Transfer-Encoding")) {
		m->te_seen = true;
		m->te_chunked = chunked_last(v, vl);
	}
}

/* RFC 9112 §6.3: how long the body after these headers is. */
static void
body_start(struct http *s, struct dec_ctx *ctx, enum dir dir)
{
	struct msg *m = &s->m[dir];
	/* rules 4, 5: a request cannot be framed; a response runs to the close */
	enum phase unframed = dir == DIR_C2S ? P_RESYNC : P_CLOSE;

	if (m->te_seen) {
		/* rule 3: TE wins over a length (a smuggling sign); rule 4 */
		if (m->cl_seen || (!m->te_chunked && dir == DIR_C2S))
			COUNT_BAD(ctx);
		m->phase = m->te_chunked ? P_CHUNK_SIZE : unframed;
	} else if (m->cl_bad) {
		COUNT_BAD(ctx);
		m->phase = unframed;
	} else if (m->cl_seen && m->cl > 0) {
		line_set_raw(&s->ls[dir], m->cl);
		m->phase = P_BODY;
	} else if (!m->cl_seen && dir == DIR_S2C)
		m->phase = P_CLOSE;	/* rule 8: close-delimited */
	else
		m->phase = P_START;	/* rule 7: a request without either: none */
}

/* The empty line after a request's headers. */
static void
request_done(struct http *s, struct dec_ctx *ctx)
{
	struct msg *m = &s->m[DIR_C2S];
	struct req *r;

	if (s->qlen == HTTP_PIPE_MAX) {
		COUNT(ctx, pipeline_overflow);
		while (m->ncred-- > 0) {
			s->clen--;
			cred_emit(s, ctx, &s->cred[(s->chead + s->clen) %
			    HTTP_CRED_MAX], RES_UNKNOWN);
			secret_drop(&s->cred[(s->chead + s->clen) %
			    HTTP_CRED_MAX].pass);
		}
	} else {
		r = &s->q[(s->qhead + s->qlen++) % HTTP_PIPE_MAX];
		r->method = m->method;
		r->ncred = (uint8_t)m->ncred;
	}
	m->ncred = 0;
	/* RFC 9110 §9.3.6: CONNECT has no content; a tunnel may follow. */
	if (m->method == M_CONNECT)
		m->phase = P_HOLD;
	else
		body_start(s, ctx, DIR_C2S);
}

/* The empty line after a response's headers. */
static void
response_done(struct http *s, struct dec_ctx *ctx)
{
	struct msg *m = &s->m[DIR_S2C];

	if (m->method == M_CONNECT && m->status >= 200 && m->status < 300) {
		/* RFC 9110 §9.3.6: the tunnel starts after this empty line. */
		flush_pending(s, ctx);
		s->status = DEC_TUNNEL;
	} else if (m->status < 200 || m->status == 204 || m->status == 304 ||
	    m->method == M_HEAD)
		m->phase = P_START;	/* RFC 9112 §6.3 rules 1 and 2: no body */
	else
		body_start(s, ctx, DIR_S2C);
}

/* RFC 9112 §7.1: chunk-size [BWS ; chunk-ext]; 0 is the last chunk. */
static void
chunk_size(struct http *s, struct dec_ctx *ctx, enum dir dir,
    const uint8_t *p, size_t n)
{
	struct msg *m = &s->m[dir];
	size_t i, e, val = 0;
	int d;

	for (i = 0; i < n; i++) {
		d = is_digit(p[i]) ? p[i] - '0' : ascii_lower(p[i]) >= 'a' &&
		    ascii_lower(p[i]) <= 'f' ? ascii_lower(p[i]) - 'a' + 10 : -1;
		if (d < 0 || val > SIZE_MAX >> 4)
			break;
		val = val << 4 | (size_t)d;
	}
	e = i + line_skip_ws(p + i, n - i);
	if (i == 0 || (e < n && p[e] != ';')) {
		COUNT_BAD(ctx);
		m->phase = dir == DIR_C2S ? P_RESYNC : P_CLOSE;
	} else if (val == 0)
		m->phase = P_TRAILERS;
	else {
		line_set_raw(&s->ls[dir], val);
		m->phase = P_CHUNK_DATA;
	}
}

static void
handle_line(struct http *s, struct dec_ctx *ctx, enum dir dir,
    const uint8_t *p, size_t n, bool cut)
{
	struct msg *m = &s->m[dir];
	int code;

	switch (m->phase) {
	case P_START:
	case P_RESYNC:
		if (n == 0)
			return;		/* RFC 9112 §2.2: a stray CRLF */
		if (dir == DIR_C2S && request_line(s, ctx, p, n, cut))
			return;
		if (dir == DIR_S2C && (code = status_code(p, n)) >= 0) {
			status_line(s, ctx, code);
			return;
		}
		if (m->phase == P_RESYNC)
			return;
		if (!s->midstream && !m->seen_start) {
			flush_pending(s, ctx);	/* the first line is not HTTP */
			COUNT(ctx, mismatch);
			s->status = DEC_MISMATCH;
			return;
		}
		COUNT_BAD(ctx);
		m->phase = P_RESYNC;
		return;
	case P_HEADERS:
		if (n > 0)
			header_line(s, ctx, dir, p, n, cut);
		else if (dir == DIR_C2S)
			request_done(s, ctx);
		else
			response_done(s, ctx);
		return;
	case P_CHUNK_END:
		m->phase = P_CHUNK_SIZE;
		if (n == 0)
			return;
		COUNT_BAD(ctx);		/* no CRLF after the data: a size? */
		__attribute__((fallthrough));
	case P_CHUNK_SIZE:
		chunk_size(s, ctx, dir, p, n);
		return;
	case P_TRAILERS:
		if (n == 0)
			m->phase = P_START;	/* trailer fields are not read */
		return;
	default:
		return;
	}
}

static enum dec_status
http_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct http *s = st;
	struct msg *m = &s->m[dir];
	struct line_splitter *ls = &s->ls[dir];
	const uint8_t *start = p;
	struct line l;
	enum line_ev ev;

	if (s->status != DEC_MORE || n == 0)
		return s->status;
	if (m->phase == P_CLOSE) {
		ctx->skip = UINT64_MAX;
		return DEC_MORE;
	}
	if (m->phase == P_HOLD) {
		/* Client bytes before the CONNECT answer: not ours to read. */
		COUNT(ctx, pipeline_overflow);
		return DEC_MORE;
	}
	while ((ev = line_next(ls, &p, &n, &l)) != LINE_NEED) {
		if (ev == LINE_RAW) {
			if (line_raw_left(ls) == 0)
				m->phase = m->phase == P_CHUNK_DATA ?
				    P_CHUNK_END : P_START;
			continue;
		}
		if (ev == LINE_LONG)
			COUNT(ctx, line_overflow);
		if (l.nul)
			COUNT(ctx, nul_in_line);
		handle_line(s, ctx, dir, l.p, l.len, ev == LINE_LONG);
		if (s->status != DEC_MORE || m->phase == P_CLOSE)
			break;
		if (m->phase == P_HOLD) {
			if (n > 0)
				COUNT(ctx, pipeline_overflow);
			break;
		}
	}
	if (s->status == DEC_MORE) {
		/*
		 * The rest of a body of known length (RFC 9112 §6.3) or of a
		 * chunk (§7.1) is never parsed: reassembly may drop it by
		 * count instead of handing it over, so bulk downloads cost no
		 * copy.  A body that runs to the close is the rest of the
		 * direction.
		 */
		if (line_raw_left(ls) > 0) {
			ctx->skip = line_raw_left(ls);
			line_set_raw(ls, 0);
			m->phase = m->phase == P_CHUNK_DATA ? P_CHUNK_END :
			    P_START;
		} else if (m->phase == P_CLOSE)
			ctx->skip = UINT64_MAX;
		return DEC_MORE;
	}
	ctx->consumed = (size_t)(p - start);
	line_wipe(&s->ls[DIR_C2S]);
	line_wipe(&s->ls[DIR_S2C]);
	return s->status;
}

static void
http_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct http *s = st;
	struct msg *m = &s->m[dir];
	bool in_body = line_raw_left(&s->ls[dir]) > missing;

	line_gap(&s->ls[dir], missing);
	COUNT(ctx, gaps);
	s->gap_seen = true;
	if (s->status != DEC_MORE || in_body || m->phase == P_CLOSE ||
	    m->phase == P_HOLD)
		return;
	flush_pending(s, ctx);
	m->phase = P_RESYNC;
	if (dir == DIR_S2C && s->m[DIR_C2S].phase == P_HOLD)
		s->m[DIR_C2S].phase = P_RESYNC;	/* the CONNECT answer is lost */
}

static void
http_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct http *s = st;

	(void)why;
	if (s->status == DEC_MORE)
		flush_pending(s, ctx);
}

static void
http_wipe(void *st)
{
	struct http *s = st;

	line_wipe(&s->ls[DIR_C2S]);
	line_wipe(&s->ls[DIR_S2C]);
	/* Held passwords; most flows (downloads) never held one. */
	if (s->cred_touched)
		explicit_bzero(s->cred, sizeof(s->cred));
}

static void
http_init(void *st, bool midstream)
{
	struct http *s = st;

	line_init(&s->ls[DIR_C2S]);
	line_init(&s->ls[DIR_S2C]);
	s->status = DEC_MORE;
	s->midstream = midstream;
	s->m[DIR_C2S].phase = s->m[DIR_S2C].phase =
	    midstream ? P_RESYNC : P_START;
}

/*
 * A server's first bytes are "HTTP/1."; a client's first line is a known
 * method, a target and "HTTP/1.x" (RFC 9112 §2.1).  Either names the sender.
 */
static enum probe_result
http_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	static const char ver[] = "HTTP/1.";
	size_t i, k, m;

	(void)dir;
	if (n == 0)
		return PROBE_MAYBE;
	if (memcmp(p, ver, n < 7 ? n : 7) == 0) {
		if (n < 7)
			return PROBE_MAYBE;
		*sender_is_server = true;
		return PROBE_YES;
	}
	for (m = 0; m < n && p[m] != ' '; m++)
		;
	if (m == n) {
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (n <= strlen(methods[i].name) &&
			    memcmp(p, methods[i].name, n) == 0)
				return PROBE_MAYBE;
		return PROBE_NO;
	}
	if (method_find(p, m) < 0)
		return PROBE_NO;
	for (k = m + 1; k < n && p[k] > ' ' && p[k] != 0x7f; k++)
		;
	if (k == n)
		return PROBE_MAYBE;
	if (k == m + 1 || p[k] != ' ')
		return PROBE_NO;
	{
		/* The version is the last word of the line (see request_line). */
		const uint8_t *lf = memchr(p + k, '\n', n - k);
		size_t end = lf != NULL ? (size_t)(lf - p) : n;
		const uint8_t *sp;

		if (lf == NULL)
			return end < 1024 ? PROBE_MAYBE : PROBE_NO;
		if (end > 0 && p[end - 1] == '\r')
			end--;
		sp = last_space(p + k, end - k);
		k = (size_t)(sp - p) + 1;
	}
	for (i = 0; i < 8 && k + i < n; i++)
		if (i < 7 ? p[k + i] != (uint8_t)ver[i] : !is_digit(p[k + i]))
			return PROBE_NO;
	if (i < 8)
		return PROBE_NO;
	*sender_is_server = false;
	return PROBE_YES;
}

static const uint16_t http_ports[] = { 80, 8080, 8000, 3128, 8008, 0 };

const struct decoder http_decoder = {
	.name = "http",
	.ports = http_ports,
	.state_size = sizeof(struct http),
	.probe = http_probe,
	.init = http_init,
	.data = http_data,
	.gap = http_gap,
	.end = http_end,
	.wipe = http_wipe,
};
