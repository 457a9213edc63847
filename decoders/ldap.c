/*
 * ldap.c - LDAP: simple and SASL binds in clear, Microsoft "Sicily" NTLM
 * binds, and StartTLS.
 *
 * Specifications: RFC 4511 (the protocol: §4.1.1 LDAPMessage, §4.2 Bind,
 * §4.12 Extended, §4.14 StartTLS, §5.1 BER restrictions), RFC 4513
 * (§5.1.1 anonymous, §5.1.2 unauthenticated and §5.1.3 name/password
 * simple binds, §5.2 SASL), RFC 4616 (PLAIN), RFC 2195 (CRAM-MD5),
 * RFC 2831 (DIGEST-MD5), RFC 5802 (SCRAM), MS-NLMP (NTLM), RFC 4178
 * (SPNEGO), MS-ADTS §5.1.1.1.3 (Sicily binds), X.690 (BER, ber.h).
 *
 * Framing: an LDAPMessage is one BER SEQUENCE whose length gives its end,
 * so each direction is cut into messages by that length, whatever the
 * segments.  A message is kept whole up to a cap (16 KiB from the client,
 * enough for bind requests with their tokens; 512 bytes from the server,
 * enough for the result code that comes first); the rest of a larger one
 * (search results, large adds) is counted down, never buffered, and the
 * message is parsed from its kept prefix.
 *
 * Policies, where the wire leaves a choice:
 * - One finding per bind, made when its BindResponse arrives (result
 *   success for 0, failure for anything else), or unknown when another
 *   bind, a gap in the server's bytes or the end comes first.  A SASL
 *   bind answered saslBindInProgress (14), and a Sicily negotiate answered
 *   with its challenge, go on with the next BindRequest of the same
 *   mechanism (RFC 4511 §4.2.1, MS-ADTS §5.1.1.1.3).
 * - Simple bind with a password: cleartext_credentials "LDAP simple bind",
 *   the DN as username.  A DN with an empty password is an unauthenticated
 *   bind (RFC 4513 §5.1.2), reported as cleartext_credentials "LDAP
 *   unauthenticated bind" with anonymous set and no secret: the client
 *   believes it logged in, the server that accepts it grants anonymous
 *   rights.  An anonymous bind (empty DN and password, §5.1.1) carries no
 *   credential and is not reported.
 * - SASL PLAIN: cleartext_credentials "LDAP SASL PLAIN", authcid as name.
 *   CRAM-MD5, DIGEST-MD5, SCRAM-*: challenge_response_auth as soon as the
 *   mechanism is asked for, with the name once a response shows it.
 *   NTLM, GSS-SPNEGO and Sicily: challenge_response_auth once an NTLMSSP
 *   message is seen, with DOMAIN\user from the AUTHENTICATE message and
 *   NTLMv1/v2 from its response length.  GSS-SPNEGO without NTLMSSP is
 *   Kerberos, GSSAPI, EXTERNAL and ANONYMOUS expose nothing crackable:
 *   no finding.
 * - StartTLS (1.3.6.1.4.1.1466.20037) answered success, or a TLS record
 *   from the client right behind the request: the rest is TLS, DEC_DONE.
 * - Once a SASL bind succeeded, a message that does not parse is taken
 *   as a SASL security layer (RFC 4422 §3.7) wrapping the rest: DEC_DONE.
 * - Malformed framing is counted; that direction is read again from the
 *   next delivery that starts like an LDAPMessage.  With the handshake
 *   seen, a first message that is no LDAP detaches the decoder.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ber.h"
#include "decoder.h"
#include "line.h"
#include "ntlm.h"
#include "sasl.h"

#define LDAP_CAP_C2S	16384	/* client message bytes kept */
#define LDAP_CAP_S2C	512	/* server message bytes kept */
#define LDAP_PW_MAX	256	/* password bytes kept for the fingerprint */
#define LDAP_MECH_MAX	20	/* RFC 4422 §3.1: mechanism names are 1-20 chars */
#define LDAP_OP_MAX	25	/* the highest protocolOp tag, IntermediateResponse */

#define COUNT(ctx, field) do {					\
	if ((ctx)->ctr != NULL)					\
		(ctx)->ctr->field++;				\
} while (0)

/* RFC 4511 §4.2, §4.12, §4.14; MS-ADTS §5.1.1.1.3. */
#define OP_BIND_REQ	0
#define OP_BIND_RESP	1
#define OP_EXT_REQ	23
#define OP_EXT_RESP	24
#define AUTH_SIMPLE	0
#define AUTH_SASL	3
#define AUTH_SICILY_DISC 9
#define AUTH_SICILY_NEGO 10
#define AUTH_SICILY_RESP 11
#define RC_SUCCESS	0
#define RC_SASL_IN_PROGRESS 14
#define STARTTLS_OID	"1.3.6.1.4.1.1466.20037"

enum bind_kind {
	B_NONE = 0,	/* no bind, or one that exposes nothing */
	B_SIMPLE,
	B_SASL,
	B_SICILY
};

struct framer {
	size_t		 have;	/* bytes kept of the message */
	size_t		 seen;	/* bytes of the message seen, kept or not */
	size_t		 need;	/* its total length; 0 while the header is read */
	bool		 sync;	/* false: framing lost, wait for a message start */
};

struct ldap {
	struct framer	 fr[2];
	bool		 valid_seen;	/* a well-formed message was seen */
	bool		 midstream;
	bool		 gap_seen;
	bool		 sasl_ok;	/* a SASL bind succeeded */

	/* the bind in progress */
	enum bind_kind	 kind;
	bool		 awaiting;	/* its request awaits a BindResponse */
	bool		 in_progress;	/* answered "go on" (14 or the Sicily challenge) */
	bool		 sicily_nego;	/* the request awaiting is a Sicily negotiate */
	int64_t		 bind_id;
	bool		 report;	/* the bind is worth a finding */
	enum finding_kind fkind;
	bool		 secret;	/* a password crossed */
	bool		 anonymous;
	enum sasl_mech	 mech;
	char		 mechname[LDAP_MECH_MAX + 1];
	uint8_t		 ntlm_ver;	/* 0 unknown, 1 NTLMv1, 2 NTLMv2 */
	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];
	size_t		 pw_len;
	uint8_t		 pw[LDAP_PW_MAX];
	char		 label[64];

	/* StartTLS asked for and not answered yet */
	bool		 tls_pending;
	int64_t		 tls_id;

	uint8_t		 sbuf[LDAP_CAP_S2C];
	uint8_t		 cbuf[LDAP_CAP_C2S];
};

/*
 * Whether p[0..n) starts like an LDAPMessage (RFC 4511 §4.1.1): a
 * SEQUENCE, a non-negative INTEGER messageID of at most four octets, then
 * an application-tagged protocolOp that fits in the SEQUENCE.
 */
static enum probe_result
ldap_looks(const uint8_t *p, size_t n, bool *is_server)
{
	struct ber_tlv t, id, op;
	size_t left, at;

	switch (ber_header(p, n, &t)) {
	case BER_MORE:
		return PROBE_MAYBE;
	case BER_BAD:
		return PROBE_NO;
	case BER_OK:
		break;
	}
	if (t.cls != BER_UNIVERSAL || !t.constructed ||
	    t.tag != BER_TAG_SEQUENCE || t.indefinite || t.len < 5)
		return PROBE_NO;
	at = t.hdr_len;
	left = t.len;
	switch (ber_header(p + at, n - at, &id)) {
	case BER_MORE:
		return n > at && p[at] != 0x02 ? PROBE_NO : PROBE_MAYBE;
	case BER_BAD:
		return PROBE_NO;
	case BER_OK:
		break;
	}
	if (id.cls != BER_UNIVERSAL || id.constructed ||
	    id.tag != BER_TAG_INTEGER || id.len < 1 || id.len > 4 ||
	    id.hdr_len + id.len > left)
		return PROBE_NO;
	if (n - at < id.hdr_len + 1)
		return PROBE_MAYBE;
	if (p[at + id.hdr_len] & 0x80)
		return PROBE_NO;	/* MessageID ::= INTEGER (0 .. maxInt) */
	if (n - at < id.hdr_len + id.len)
		return PROBE_MAYBE;
	left -= id.hdr_len + id.len;
	at += id.hdr_len + id.len;
	switch (ber_header(p + at, n - at, &op)) {
	case BER_MORE:
		return n > at && (p[at] & 0xc0) != 0x40 ? PROBE_NO : PROBE_MAYBE;
	case BER_BAD:
		return PROBE_NO;
	case BER_OK:
		break;
	}
	if (op.cls != BER_APPLICATION || op.tag > LDAP_OP_MAX ||
	    op.indefinite || op.hdr_len > left || op.len > left - op.hdr_len)
		return PROBE_NO;
	/* UnbindRequest, DelRequest, AbandonRequest are the primitive ops. */
	if (op.constructed == (op.tag == 2 || op.tag == 10 || op.tag == 16))
		return PROBE_NO;
	switch (op.tag) {
	case 1: case 4: case 5: case 7: case 9: case 11: case 13: case 15:
	case 19: case 24: case 25:
		*is_server = true;
		break;
	default:
		*is_server = false;
		break;
	}
	return PROBE_YES;
}

static enum probe_result
ldap_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	bool srv = false;
	enum probe_result r;

	(void)dir;
	r = ldap_looks(p, n, &srv);
	if (r == PROBE_YES)
		*sender_is_server = srv;
	return r;
}

static void
ldap_init(void *st, bool midstream)
{
	struct ldap *s = st;

	s->midstream = midstream;
	/* Picked up mid-way: wait for a delivery that starts a message. */
	s->fr[DIR_C2S].sync = !midstream;
	s->fr[DIR_S2C].sync = !midstream;
}

static void
set_user(struct ldap *s, const uint8_t *u, size_t n)
{
	s->user_truncated = n > SASL_USER_MAX;
	s->user_len = n > SASL_USER_MAX ? SASL_USER_MAX : n;
	memcpy(s->user, u, s->user_len);
}

static void
forget_bind(struct ldap *s)
{
	s->kind = B_NONE;
	s->awaiting = false;
	s->in_progress = false;
	s->sicily_nego = false;
	s->report = false;
	s->secret = false;
	s->anonymous = false;
	s->mech = MECH_NONE;
	s->ntlm_ver = 0;
	explicit_bzero(s->mechname, sizeof(s->mechname));
	explicit_bzero(s->user, sizeof(s->user));
	s->user_len = 0;
	s->user_truncated = false;
	explicit_bzero(s->pw, sizeof(s->pw));
	s->pw_len = 0;
}

static void
make_label(struct ldap *s)
{
	const char *v = s->ntlm_ver == 1 ? "NTLMv1" :
	    s->ntlm_ver == 2 ? "NTLMv2" : "NTLM";

	if (s->kind == B_SIMPLE)
		snprintf(s->label, sizeof(s->label), "%s", s->anonymous ?
		    "LDAP unauthenticated bind" : "LDAP simple bind");
	else if (s->kind == B_SICILY)
		snprintf(s->label, sizeof(s->label), "LDAP Sicily NTLM%s%s%s",
		    s->ntlm_ver != 0 ? " (" : "", s->ntlm_ver != 0 ? v : "",
		    s->ntlm_ver != 0 ? ")" : "");
	else if (s->mech == MECH_NTLM)
		snprintf(s->label, sizeof(s->label), "LDAP SASL NTLM%s%s%s",
		    s->ntlm_ver != 0 ? " (" : "", s->ntlm_ver != 0 ? v : "",
		    s->ntlm_ver != 0 ? ")" : "");
	else if (s->mech == MECH_OTHER &&
	    ascii_ieq((const uint8_t *)s->mechname, strlen(s->mechname),
	    "GSS-SPNEGO"))
		snprintf(s->label, sizeof(s->label), "LDAP SASL GSS-SPNEGO/%s", v);
	else
		snprintf(s->label, sizeof(s->label), "LDAP SASL %s", s->mechname);
}

/* The bind in progress is over: report it if worth it, then forget it. */
static void
close_bind(struct ldap *s, struct dec_ctx *ctx, enum auth_result res)
{
	struct finding f;

	if (s->kind != B_NONE && s->report) {
		make_label(s);
		memset(&f, 0, sizeof(f));
		f.kind = s->fkind;
		f.app_proto = "ldap";
		f.mechanism = s->label;
		f.username = s->user_len > 0 || s->kind == B_SIMPLE ?
		    s->user : NULL;
		f.username_len = s->user_len;
		f.username_truncated = s->user_truncated;
		f.result = res;
		f.anonymous = s->anonymous;
		f.secret_seen = s->secret;
		if (s->secret && s->pw_len > 0) {
			f.secret = s->pw;
			f.secret_len = s->pw_len;
		}
		f.gap_seen = s->gap_seen;
		dec_emit(ctx, &f);
	}
	forget_bind(s);
}

/* RFC 4616 §2: [authzid] NUL authcid NUL passwd. */
static void
sasl_plain(struct ldap *s, const uint8_t *v, size_t n)
{
	const uint8_t *a, *b;
	size_t ul, pl;

	s->fkind = K_CLEARTEXT_CREDENTIALS;
	s->report = true;
	if ((a = memchr(v, 0, n)) == NULL ||
	    (b = memchr(a + 1, 0, n - (size_t)(a + 1 - v))) == NULL) {
		s->secret = n > 0;	/* undecodable, yet on the wire */
		return;
	}
	ul = (size_t)(b - (a + 1));
	set_user(s, a + 1, ul);
	pl = n - (size_t)(b + 1 - v);
	s->secret = pl > 0;
	/* A longer one is not held: a prefix would fingerprint falsely. */
	s->pw_len = pl > LDAP_PW_MAX ? 0 : pl;
	memcpy(s->pw, b + 1, s->pw_len);
}

/* RFC 2195 §2: the response is the user name, a space, the digest. */
static void
sasl_cram(struct ldap *s, const uint8_t *v, size_t n)
{
	size_t i;

	for (i = n; i > 0 && v[i - 1] != ' '; i--)
		;
	if (i > 0)
		set_user(s, v, i - 1);
}

/* RFC 2831 §2.1.2: username="..." among the digest-response directives. */
static void
sasl_digest(struct ldap *s, const uint8_t *v, size_t n)
{
	size_t i = 0, ns, nl, o;
	bool q;

	while (i < n) {
		while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t'))
			i++;
		for (ns = i; i < n && v[i] != '=' && v[i] != ','; i++)
			;
		nl = i - ns;
		if (i >= n || v[i] != '=')
			continue;
		i++;
		q = i < n && v[i] == '"';
		if (q)
			i++;
		o = 0;
		if (ascii_ieq(v + ns, nl, "username"))
			s->user_len = 0;
		for (; i < n && (q ? v[i] != '"' : v[i] != ','); i++) {
			if (q && v[i] == '\\' && i + 1 < n)
				i++;
			if (ascii_ieq(v + ns, nl, "username")) {
				if (o < SASL_USER_MAX)
					s->user[o++] = v[i];
				else
					s->user_truncated = true;
				s->user_len = o;
			}
		}
		if (q && i < n)
			i++;
	}
}

/* RFC 5802 §7: gs2-header "," ... "n=" saslname "," "r=" ... */
static void
sasl_scram(struct ldap *s, const uint8_t *v, size_t n)
{
	size_t i, commas = 0, st;

	for (i = 0; i < n && commas < 2; i++)
		if (v[i] == ',')
			commas++;
	if (commas < 2)
		return;
	if (i + 1 < n && v[i] == 'm' && v[i + 1] == '=') {	/* reserved-mext */
		while (i < n && v[i] != ',')
			i++;
		i++;
	}
	if (i + 1 >= n || v[i] != 'n' || v[i + 1] != '=')
		return;
	for (st = i + 2, i = st; i < n && v[i] != ','; i++)
		;
	set_user(s, v + st, i - st);
}

/* An NTLM message inside SASL NTLM, GSS-SPNEGO or a Sicily bind. */
static void
ntlm_token(struct ldap *s, struct dec_ctx *ctx, const uint8_t *v, size_t n)
{
	struct ntlm_msg m;
	size_t o = 0;

	if (!ntlm_find(v, n, &m))
		return;		/* Kerberos inside SPNEGO: nothing crackable */
	s->fkind = K_CHALLENGE_RESPONSE;
	s->report = true;
	if (m.type == 3 && m.bad)
		COUNT(ctx, bad_sasl);
	else if (m.type == 3) {
		s->ntlm_ver = m.nt_len == NTLM_V1_RESP ? 1 :
		    m.nt_len > NTLM_V1_RESP ? 2 : 0;
		s->anonymous = m.anonymous;
		/* DOMAIN\user, as Windows writes it. */
		if (m.domain_len > 0) {
			memcpy(s->user, m.domain, m.domain_len);
			o = m.domain_len;
			if (o < SASL_USER_MAX)
				s->user[o++] = '\\';
		}
		s->user_len = o;
		s->user_truncated = m.domain_truncated || m.user_truncated;
		if (m.user_len > SASL_USER_MAX - o) {
			s->user_truncated = true;
			m.user_len = SASL_USER_MAX - o;
		}
		memcpy(s->user + o, m.user, m.user_len);
		s->user_len = o + m.user_len;
	}
	ntlm_clear(&m);
}

/* SaslCredentials (RFC 4511 §4.2): mechanism, then optional credentials. */
static void
bind_sasl(struct ldap *s, struct dec_ctx *ctx, struct cursor *c, bool cont)
{
	const uint8_t *m, *v = NULL;
	size_t ml, vl = 0, i;
	bool printable;

	if (!ber_get_octets(c, &m, &ml))
		return;
	if (cur_left(c) > 0 && !ber_get_octets(c, &v, &vl))
		v = NULL;
	if (!cont) {
		printable = ml >= 1 && ml <= LDAP_MECH_MAX;
		for (i = 0; printable && i < ml; i++)
			printable = (m[i] >= 'A' && m[i] <= 'Z') ||
			    (m[i] >= 'a' && m[i] <= 'z') ||
			    (m[i] >= '0' && m[i] <= '9') ||
			    m[i] == '-' || m[i] == '_';
		if (!printable)
			return;
		s->kind = B_SASL;
		for (i = 0; i < ml; i++)
			s->mechname[i] = (char)(m[i] >= 'a' && m[i] <= 'z' ?
			    m[i] - 'a' + 'A' : m[i]);
		s->mechname[ml] = '\0';
		s->mech = sasl_mech_lookup(m, ml);
	}
	switch (s->mech) {
	case MECH_PLAIN:
		if (v != NULL)
			sasl_plain(s, v, vl);
		break;
	case MECH_CRAM_MD5:
	case MECH_DIGEST_MD5:
	case MECH_SCRAM:
		s->fkind = K_CHALLENGE_RESPONSE;
		s->report = true;
		if (v == NULL || vl == 0)
			break;
		if (s->mech == MECH_CRAM_MD5)
			sasl_cram(s, v, vl);
		else if (s->mech == MECH_DIGEST_MD5)
			sasl_digest(s, v, vl);
		else if (s->user_len == 0)
			sasl_scram(s, v, vl);
		break;
	case MECH_NTLM:
		if (v != NULL)
			ntlm_token(s, ctx, v, vl);
		break;
	default:
		if (v != NULL && strcmp(s->mechname, "GSS-SPNEGO") == 0)
			ntlm_token(s, ctx, v, vl);
		break;
	}
}

/* BindRequest (RFC 4511 §4.2): version, name, authentication. */
static void
bind_request(struct ldap *s, struct dec_ctx *ctx, int64_t id, struct cursor *c)
{
	struct ber_tlv t;
	const uint8_t *name, *v, *m;
	size_t namelen, ml;
	int64_t version;
	bool cont;
	struct cursor sc;

	if (!ber_get_int(c, &version) || !ber_get_octets(c, &name, &namelen) ||
	    !ber_next(c, &t, &v) || t.cls != BER_CONTEXT) {
		/* A bind we cannot read (cut by the cap, or malformed). */
		close_bind(s, ctx, RES_UNKNOWN);
		s->awaiting = true;
		s->bind_id = id;
		return;
	}
	cont = s->in_progress &&
	    ((s->kind == B_SASL && t.tag == AUTH_SASL) ||
	     (s->kind == B_SICILY && t.tag == AUTH_SICILY_RESP));
	if (cont && t.tag == AUTH_SASL) {
		/* The same mechanism goes on; another one starts afresh. */
		cur_init(&sc, v, t.len);
		if (!ber_get_octets(&sc, &m, &ml) ||
		    !ascii_ieq(m, ml, s->mechname))
			cont = false;
	}
	if (!cont)
		close_bind(s, ctx, RES_UNKNOWN);
	s->awaiting = true;
	s->in_progress = false;
	s->sicily_nego = false;
	s->bind_id = id;
	if (t.tag == AUTH_SIMPLE && !t.constructed) {
		if (t.len == 0 && namelen == 0)
			return;		/* anonymous (RFC 4513 §5.1.1) */
		s->kind = B_SIMPLE;
		s->fkind = K_CLEARTEXT_CREDENTIALS;
		s->report = true;
		set_user(s, name, namelen);
		if (t.len == 0) {
			s->anonymous = true;	/* unauthenticated (§5.1.2) */
			return;
		}
		s->secret = true;
		/* A longer one is not held: a prefix would fingerprint falsely. */
		s->pw_len = t.len > LDAP_PW_MAX ? 0 : t.len;
		memcpy(s->pw, v, s->pw_len);
	} else if (t.tag == AUTH_SASL && t.constructed) {
		cur_init(&sc, v, t.len);
		bind_sasl(s, ctx, &sc, cont);
	} else if ((t.tag == AUTH_SICILY_NEGO || t.tag == AUTH_SICILY_RESP) &&
	    !t.constructed) {
		s->kind = B_SICILY;
		s->sicily_nego = t.tag == AUTH_SICILY_NEGO;
		ntlm_token(s, ctx, v, t.len);
	}
	/* [9] Sicily package discovery and anything else: nothing to learn. */
}

/* BindResponse (RFC 4511 §4.2.2): the resultCode decides. */
static void
bind_response(struct ldap *s, struct dec_ctx *ctx, int64_t id, int64_t rc)
{
	if (!s->awaiting || id != s->bind_id) {
		COUNT(ctx, unmatched_reply);
		return;
	}
	s->awaiting = false;
	if ((s->kind == B_SASL && rc == RC_SASL_IN_PROGRESS) ||
	    (s->kind == B_SICILY && s->sicily_nego && rc == RC_SUCCESS)) {
		s->in_progress = true;
		return;
	}
	if (rc == RC_SUCCESS && s->kind == B_SASL)
		s->sasl_ok = true;
	close_bind(s, ctx, rc == RC_SUCCESS ? RES_SUCCESS : RES_FAILURE);
}

/* One whole message, of which `have` bytes were kept. */
static enum dec_status
message(struct ldap *s, struct dec_ctx *ctx, enum dir dir, const uint8_t *b,
    size_t have)
{
	struct cursor c, oc;
	struct ber_tlv t, op;
	const uint8_t *v;
	size_t vl;
	int64_t id, rc;

	if (ber_header(b, have, &t) != BER_OK)
		return DEC_MISMATCH;	/* the framer checked it */
	cur_init(&c, b + t.hdr_len, have - t.hdr_len);
	cur_limit(&c, t.len);
	if (!ber_get_int(&c, &id) || id < 0 ||
	    ber_header(cur_ptr(&c), cur_left(&c), &op) != BER_OK ||
	    op.cls != BER_APPLICATION || op.indefinite)
		return DEC_MISMATCH;
	s->valid_seen = true;
	cur_skip(&c, op.hdr_len);
	/* The op's content, or the part of it that was kept. */
	cur_init(&oc, cur_ptr(&c), op.len < cur_left(&c) ? op.len : cur_left(&c));
	if (dir == DIR_C2S && op.tag == OP_BIND_REQ && op.constructed)
		bind_request(s, ctx, id, &oc);
	else if (dir == DIR_C2S && op.tag == OP_EXT_REQ && op.constructed) {
		/* ExtendedRequest: requestName [0] LDAPOID (§4.12). */
		if (ber_expect(&oc, BER_CONTEXT, false, 0, &v, &vl) &&
		    vl == strlen(STARTTLS_OID) && memcmp(v, STARTTLS_OID, vl) == 0) {
			s->tls_pending = true;
			s->tls_id = id;
		}
	} else if (dir == DIR_S2C &&
	    (op.tag == OP_BIND_RESP || op.tag == OP_EXT_RESP) && op.constructed) {
		/* LDAPResult (§4.1.9): resultCode comes first. */
		if (!ber_expect(&oc, BER_UNIVERSAL, false, BER_TAG_ENUMERATED, &v,
		    &vl) || !ber_int_value(v, vl, &rc)) {
			COUNT(ctx, bad_framing);
			return DEC_MORE;
		}
		if (op.tag == OP_BIND_RESP)
			bind_response(s, ctx, id, rc);
		else if (s->tls_pending && id == s->tls_id) {
			s->tls_pending = false;
			if (rc == RC_SUCCESS) {
				close_bind(s, ctx, RES_UNKNOWN);
				return DEC_DONE;	/* §4.14.2: TLS from here */
			}
		}
	}
	return DEC_MORE;
}

static void
frame_reset(struct ldap *s, enum dir dir)
{
	struct framer *fr = &s->fr[dir];

	explicit_bzero(dir == DIR_C2S ? s->cbuf : s->sbuf, fr->have);
	fr->have = 0;
	fr->seen = 0;
	fr->need = 0;
}

/*
 * A message that is no LDAPMessage; `lost`: its framing too, so that
 * direction waits for a delivery that starts a message.  DEC_MORE or the
 * verdict.
 */
static enum dec_status
bad_message(struct ldap *s, struct dec_ctx *ctx, enum dir dir, bool lost)
{
	frame_reset(s, dir);
	if (lost)
		s->fr[dir].sync = false;
	if (s->sasl_ok) {
		/* A SASL security layer wraps the messages now. */
		close_bind(s, ctx, RES_UNKNOWN);
		return DEC_DONE;
	}
	if (!s->valid_seen && !s->midstream) {
		COUNT(ctx, mismatch);
		return DEC_MISMATCH;
	}
	COUNT(ctx, bad_framing);
	return DEC_MORE;
}

static enum dec_status
ldap_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct ldap *s = st;
	struct framer *fr = &s->fr[dir];
	uint8_t *buf = dir == DIR_C2S ? s->cbuf : s->sbuf;
	size_t cap = dir == DIR_C2S ? sizeof(s->cbuf) : sizeof(s->sbuf);
	size_t take, keep;
	struct ber_tlv t;
	enum dec_status rc;
	bool srv;

	if (n > 0 && !fr->sync) {
		if (ldap_looks(p, n, &srv) == PROBE_NO)
			return DEC_MORE;	/* still lost: drop this delivery */
		fr->sync = true;
	}
	while (n > 0) {
		if (fr->need == 0) {
			/* StartTLS asked: a TLS record from the client is TLS. */
			if (fr->have == 0 && dir == DIR_C2S && s->tls_pending &&
			    p[0] == 0x16) {
				close_bind(s, ctx, RES_UNKNOWN);
				return DEC_DONE;
			}
			/* The header, byte by byte: it must not eat the next message. */
			buf[fr->have++] = *p++;
			n--;
			switch (ber_header(buf, fr->have, &t)) {
			case BER_MORE:
				continue;
			case BER_BAD:
				return bad_message(s, ctx, dir, true);
			case BER_OK:
				break;
			}
			if (t.cls != BER_UNIVERSAL || !t.constructed ||
			    t.tag != BER_TAG_SEQUENCE || t.indefinite || t.len == 0 ||
			    t.len > SIZE_MAX - t.hdr_len)
				return bad_message(s, ctx, dir, true);
			fr->need = t.hdr_len + t.len;
			fr->seen = fr->have;
		} else {
			take = fr->need - fr->seen;
			if (take > n)
				take = n;
			keep = cap - fr->have;
			if (keep > take)
				keep = take;
			memcpy(buf + fr->have, p, keep);
			fr->have += keep;
			fr->seen += take;
			p += take;
			n -= take;
		}
		if (fr->need != 0 && fr->seen == fr->need) {
			rc = message(s, ctx, dir, buf, fr->have);
			frame_reset(s, dir);
			if (rc == DEC_MISMATCH)
				rc = bad_message(s, ctx, dir, false);
			if (rc != DEC_MORE)
				return rc;
		}
	}
	return DEC_MORE;
}

static void
ldap_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct ldap *s = st;

	(void)missing;
	COUNT(ctx, gaps);
	s->gap_seen = true;
	frame_reset(s, dir);
	s->fr[dir].sync = false;
	/* The BindResponse may be in the hole. */
	if (dir == DIR_S2C && s->awaiting)
		close_bind(s, ctx, RES_UNKNOWN);
	if (dir == DIR_S2C)
		s->tls_pending = false;
}

static void
ldap_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct ldap *s = st;

	(void)why;
	close_bind(s, ctx, RES_UNKNOWN);
	frame_reset(s, DIR_C2S);
	frame_reset(s, DIR_S2C);
}

static void
ldap_wipe(void *st)
{
	struct ldap *s = st;

	explicit_bzero(s->pw, sizeof(s->pw));
	explicit_bzero(s->cbuf, sizeof(s->cbuf));
	explicit_bzero(s->sbuf, sizeof(s->sbuf));
	explicit_bzero(s->user, sizeof(s->user));
}

/* 389 LDAP, 3268 the Active Directory Global Catalog. */
static const uint16_t ldap_ports[] = { 389, 3268, 0 };

const struct decoder ldap_decoder = {
	.name = "ldap",
	.ports = ldap_ports,
	.state_size = sizeof(struct ldap),
	.probe = ldap_probe,
	.init = ldap_init,
	.data = ldap_data,
	.gap = ldap_gap,
	.end = ldap_end,
	.wipe = ldap_wipe,
};
