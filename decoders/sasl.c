/*
 * sasl.c - base64 and protocol-neutral SASL exchange tracking (see sasl.h).
 *
 * Credentials are parsed the way a careful server does: decode into a
 * bounded buffer, split on NUL with memchr against the decoded length,
 * reject what does not fit, and wipe the buffer before returning.
 */
#include <string.h>

#include "line.h"
#include "sasl.h"

#define SASL_DEC_MAX	8192	/* decoded response bytes we look at */

static const struct {
	const char	*name;
	enum sasl_mech	 mech;
	enum mech_class	 cls;
} mechs[] = {
	{ "PLAIN",		MECH_PLAIN,		MC_CLEARTEXT },
	{ "LOGIN",		MECH_LOGIN,		MC_CLEARTEXT },
	{ "XOAUTH2",		MECH_XOAUTH2,		MC_BEARER },
	{ "OAUTHBEARER",	MECH_OAUTHBEARER,	MC_BEARER },
	{ "CRAM-MD5",		MECH_CRAM_MD5,		MC_CHALLENGE },
	{ "DIGEST-MD5",		MECH_DIGEST_MD5,	MC_CHALLENGE },
	{ "NTLM",		MECH_NTLM,		MC_CHALLENGE },
	{ "GSSAPI",		MECH_GSSAPI,		MC_OTHER },
	{ "SCRAM",		MECH_SCRAM,		MC_OTHER },
	{ "EXTERNAL",		MECH_EXTERNAL,		MC_OTHER },
	{ "ANONYMOUS",		MECH_ANONYMOUS,		MC_OTHER },
};

enum sasl_mech
sasl_mech_lookup(const uint8_t *name, size_t len)
{
	size_t i;

	if (len == 0)
		return MECH_NONE;
	/* SCRAM-SHA-1, SCRAM-SHA-256(-PLUS), ... (RFC 5802, 7677) */
	if (len > 6 && ascii_ieq(name, 6, "SCRAM-"))
		return MECH_SCRAM;
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (ascii_ieq(name, len, mechs[i].name))
			return mechs[i].mech;
	return MECH_OTHER;
}

const char *
sasl_mech_name(enum sasl_mech m)
{
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (mechs[i].mech == m)
			return mechs[i].name;
	return m == MECH_NONE ? "NONE" : "OTHER";
}

enum mech_class
sasl_mech_class(enum sasl_mech m)
{
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (mechs[i].mech == m)
			return mechs[i].cls;
	return MC_OTHER;
}

const char *
sasl_auth_label(enum sasl_mech m)
{
	static const char *const labels[MECH__COUNT] = {
		[MECH_NONE] = "AUTH",
		[MECH_PLAIN] = "AUTH PLAIN",
		[MECH_LOGIN] = "AUTH LOGIN",
		[MECH_XOAUTH2] = "AUTH XOAUTH2",
		[MECH_OAUTHBEARER] = "AUTH OAUTHBEARER",
		[MECH_CRAM_MD5] = "AUTH CRAM-MD5",
		[MECH_DIGEST_MD5] = "AUTH DIGEST-MD5",
		[MECH_NTLM] = "AUTH NTLM",
		[MECH_GSSAPI] = "AUTH GSSAPI",
		[MECH_SCRAM] = "AUTH SCRAM",
		[MECH_EXTERNAL] = "AUTH EXTERNAL",
		[MECH_ANONYMOUS] = "AUTH ANONYMOUS",
		[MECH_OTHER] = "AUTH OTHER",
	};

	return (unsigned)m < MECH__COUNT ? labels[m] : "AUTH";
}

uint32_t
sasl_mech_list(const uint8_t *p, size_t n)
{
	uint32_t set = 0;
	size_t i = 0, start;

	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '='))
			i++;
		start = i;
		while (i < n && p[i] != ' ' && p[i] != '\t' && p[i] != '=')
			i++;
		if (i > start)
			set |= MECH_BIT(sasl_mech_lookup(p + start, i - start));
	}
	return set & ~MECH_BIT(MECH_NONE);
}

static int
b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool
b64_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap,
    size_t *outlen)
{
	uint32_t acc = 0;
	size_t i, o = 0, pad = 0;
	unsigned bits = 0;
	int v;

	/* Padding only at the end, at most two '='. */
	while (inlen > 0 && in[inlen - 1] == '=' && pad < 2) {
		inlen--;
		pad++;
	}
	if (pad > 0 && (inlen + pad) % 4 != 0)
		return false;
	if (inlen % 4 == 1)
		return false;
	for (i = 0; i < inlen; i++) {
		if ((v = b64val(in[i])) < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap)
				return false;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = o;
	return true;
}

bool
b64_valid(const uint8_t *p, size_t n)
{
	size_t i, pad = 0;

	while (n > 0 && p[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (n % 4 == 1 || (pad > 0 && (n + pad) % 4 != 0))
		return false;
	for (i = 0; i < n; i++)
		if (b64val(p[i]) < 0)
			return false;
	return true;
}

void
secret_hold(struct held_secret *h, const uint8_t *p, size_t n)
{
	secret_drop(h);
	secret_append(h, p, n);
}

void
secret_append(struct held_secret *h, const uint8_t *p, size_t n)
{
	if (h->over || n == 0)
		return;
	if (n > sizeof(h->b) - h->len) {
		secret_drop(h);
		h->over = true;
		return;
	}
	memcpy(h->b + h->len, p, n);
	h->len += n;
}

void
secret_drop(struct held_secret *h)
{
	explicit_bzero(h, sizeof(*h));
}

static void
set_user(struct sasl_exchange *x, const uint8_t *u, size_t n)
{
	x->user_truncated = n > SASL_USER_MAX;
	x->user_len = n > SASL_USER_MAX ? SASL_USER_MAX : n;
	memcpy(x->user, u, x->user_len);
}

/* RFC 4616 §2: [authzid] NUL authcid NUL passwd. */
static void
parse_plain(struct sasl_exchange *x, const uint8_t *d, size_t n)
{
	const uint8_t *nul1, *nul2;

	nul1 = memchr(d, '\0', n);
	if (nul1 == NULL) {
		x->malformed = true;
		return;
	}
	nul2 = memchr(nul1 + 1, '\0', n - (size_t)(nul1 + 1 - d));
	if (nul2 == NULL) {
		x->malformed = true;
		return;
	}
	set_user(x, nul1 + 1, (size_t)(nul2 - nul1 - 1));
	x->secret_seen = (size_t)(d + n - (nul2 + 1)) > 0;
	secret_hold(&x->pass, nul2 + 1, (size_t)(d + n - (nul2 + 1)));
}

/* Find "key=" at the start of a ^A-separated field; returns the value. */
static bool
kv_field(const uint8_t *d, size_t n, const char *key, const uint8_t **v,
    size_t *vlen)
{
	size_t kl = strlen(key), i = 0, start, end;

	while (i < n) {
		start = i;
		while (i < n && d[i] != 0x01)
			i++;
		end = i;
		if (end - start >= kl && memcmp(d + start, key, kl) == 0) {
			*v = d + start + kl;
			*vlen = end - start - kl;
			return true;
		}
		i++;
	}
	return false;
}

/*
 * XOAUTH2: "user=" u ^A "auth=Bearer " token ^A ^A.
 * OAUTHBEARER (RFC 7628 §3.1): gs2-header "n,a=user," ^A "auth=Bearer " token ^A ^A.
 */
static void
parse_oauth(struct sasl_exchange *x, const uint8_t *d, size_t n)
{
	const uint8_t *v;
	size_t vl;

	if (x->mech == MECH_XOAUTH2) {
		if (kv_field(d, n, "user=", &v, &vl))
			set_user(x, v, vl);
	} else {
		/* gs2-header: the first field, up to ^A; "a=" is the authzid. */
		const uint8_t *end = memchr(d, 0x01, n);
		size_t hl = end != NULL ? (size_t)(end - d) : n, i;

		for (i = 0; i + 2 < hl; i++) {
			if (d[i] == ',' && d[i + 1] == 'a' && d[i + 2] == '=') {
				const uint8_t *u = d + i + 3;
				const uint8_t *c = memchr(u, ',', hl - (i + 3));

				set_user(x, u, c != NULL ? (size_t)(c - u) : hl - (i + 3));
				break;
			}
		}
	}
	if (kv_field(d, n, "auth=", &v, &vl) && vl > 0)
		x->secret_seen = true;
	else if (n > 0 && !(n == 1 && d[0] == 0x01))
		x->malformed = true;
}

/* CRAM-MD5 (RFC 2195): the response is "user SP digest". */
static void
parse_cram(struct sasl_exchange *x, const uint8_t *d, size_t n)
{
	size_t i = n;

	while (i > 0 && d[i - 1] != ' ')
		i--;
	if (i == 0) {
		x->malformed = true;
		return;
	}
	set_user(x, d, i - 1);
}

/* DIGEST-MD5 (RFC 2831 §2.1.2): username="..." inside the response. */
static void
parse_digest(struct sasl_exchange *x, const uint8_t *d, size_t n)
{
	static const char key[] = "username=\"";
	size_t kl = sizeof(key) - 1, i, j;

	for (i = 0; i + kl <= n; i++) {
		if (memcmp(d + i, key, kl) != 0)
			continue;
		for (j = i + kl; j < n && d[j] != '"'; j++)
			if (d[j] == '\\')
				j++;
		if (j > n)
			j = n;
		set_user(x, d + i + kl, j - (i + kl));
		return;
	}
}

/* NTLM type 3 (MS-NLMP 2.2.1.3): UserName field at offset 36. */
static void
parse_ntlm(struct sasl_exchange *x, const uint8_t *d, size_t n)
{
	size_t len, off, i, o = 0;
	uint8_t u[SASL_USER_MAX];

	if (n < 44 || memcmp(d, "NTLMSSP\0", 8) != 0 || d[8] != 3)
		return;
	len = (size_t)d[36] | (size_t)d[37] << 8;
	off = (size_t)d[40] | (size_t)d[41] << 8 | (size_t)d[42] << 16 |
	    (size_t)d[43] << 24;
	if (off > n || len > n - off)
		return;
	/* UTF-16LE without Unicode negotiation checks: keep the low bytes of ASCII. */
	for (i = 0; i + 1 < len && o < sizeof(u); i += 2)
		u[o++] = d[off + i + 1] == 0 ? d[off + i] : '?';
	set_user(x, u, o);
}

/* One client response (base64 already checked) at step x->responses. */
static void
response_decoded(struct sasl_exchange *x, const uint8_t *d, size_t n)
{
	switch (x->mech) {
	case MECH_PLAIN:
		parse_plain(x, d, n);
		break;
	case MECH_LOGIN:
		/* The first response is the username, the second the password. */
		if (x->responses == 1)
			set_user(x, d, n);
		else if (x->responses == 2) {
			x->secret_seen = true;
			secret_hold(&x->pass, d, n);
		}
		break;
	case MECH_XOAUTH2:
	case MECH_OAUTHBEARER:
		parse_oauth(x, d, n);
		break;
	case MECH_CRAM_MD5:
		parse_cram(x, d, n);
		break;
	case MECH_DIGEST_MD5:
		if (x->user_len == 0)
			parse_digest(x, d, n);
		break;
	case MECH_NTLM:
		if (x->user_len == 0)
			parse_ntlm(x, d, n);
		break;
	default:
		break;
	}
}

static void
take_response(struct sasl_exchange *x, const uint8_t *p, size_t n)
{
	uint8_t dec[SASL_DEC_MAX] = { 0 };	/* parsers never see stale bytes */
	size_t dlen = 0;

	x->responses++;
	if (n == 1 && p[0] == '=')	/* RFC 4954 §4: "=" is an empty response */
		n = 0;
	if (!b64_decode(p, n, dec, sizeof(dec), &dlen)) {
		x->malformed = true;
		/* A LOGIN password that does not decode still crossed the wire. */
		if (x->mech == MECH_LOGIN && x->responses == 2 && n > 0)
			x->secret_seen = true;
		return;
	}
	response_decoded(x, dec, dlen);
	explicit_bzero(dec, dlen);	/* a wipe the compiler may not drop */
}

void
sasl_begin(struct sasl_exchange *x, enum sasl_mech mech, bool has_ir,
    const uint8_t *ir, size_t irlen)
{
	sasl_reset(x);
	x->mech = mech;
	x->active = true;
	if (has_ir)
		take_response(x, ir, irlen);
}

bool
sasl_response(struct sasl_exchange *x, const uint8_t *p, size_t n)
{
	if (n == 1 && p[0] == '*') {
		x->cancelled = true;
		return true;
	}
	/*
	 * A prompt answered with something that is not base64 (a command such
	 * as "QUIT" or "EHLO x") is not a response: nothing secret was sent.
	 * Note that a short all-letter command like "QUIT" is valid base64, so
	 * callers also check for known verbs before calling this.
	 */
	if (!(n == 1 && p[0] == '=') && !b64_valid(p, n))
		return false;
	take_response(x, p, n);
	return true;
}

enum mech_class
sasl_exchange_class(const struct sasl_exchange *x)
{
	return sasl_mech_class(x->mech);
}

void
sasl_reset(struct sasl_exchange *x)
{
	explicit_bzero(x, sizeof(*x));	/* a wipe the compiler may not drop */
}
