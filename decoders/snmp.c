/*
 * snmp.c - SNMP: community strings of v1 and v2c, and the user names of
 * authenticated SNMPv3 (USM) messages, over UDP.
 *
 * Specifications: RFC 1157 (SNMPv1: §4 the message, §3.2.5 community
 * authentication), RFC 1901 and RFC 3416 (SNMPv2c and the PDUs: §3
 * PDU types, error-status values), RFC 3412 §6 (the v3 message and its
 * msgFlags), RFC 3414 §2.4 (UsmSecurityParameters), §3.2 (the usmStats
 * counters a Report carries), RFC 3417 §8 (BER, definite lengths only).
 *
 * A datagram is one whole message: data() gets one per call and parses it
 * through the BER reader (ber.h).  Nothing is buffered between datagrams.
 *
 * Policies, where the wire leaves a choice:
 * - A community in any PDU (request, response, trap) is a cleartext
 *   secret: cleartext_credentials "SNMPv1 community" / "SNMPv2c
 *   community", no username, secret_well_known for the vendor defaults
 *   "public" and "private".  One finding per (flow, community), made when
 *   a Response carries it (success; failure for authorizationError 16) or
 *   at the end: failure when the client sent a request more than once and
 *   no response came (agents drop wrong communities silently, RFC 1157
 *   §4.1, RFC 3584 §4.6, and managers retry), unknown otherwise (traps).
 * - SNMPv3 with the authentication flag and a user name: challenge_
 *   response_auth "SNMPv3 USM" with the user (the HMAC over a known
 *   message can be cracked offline).  One finding per (flow, user): success
 *   when an authenticated non-reportable message of that user answers a
 *   reportable one (RFC 3412 §6.4), failure when a Report names
 *   usmStatsUnknownUserNames or usmStatsWrongDigests, else unknown at the
 *   end.  noAuthNoPriv messages (engine discovery) expose nothing.
 * - Beyond SNMP_TRACK communities or users per flow, new ones are
 *   reported at once with the result known then.
 */
#include <stdint.h>
#include <string.h>

#include "ber.h"
#include "decoder.h"
#include "sasl.h"

#define SNMP_COMM_MAX	128	/* community bytes kept (for the fingerprint) */
#define SNMP_TRACK	4	/* communities and users tracked per flow */

#define COUNT(ctx, field) do {					\
	if ((ctx)->ctr != NULL)					\
		(ctx)->ctr->field++;				\
} while (0)

/* RFC 3416 §3 and RFC 1157 §4.1: PDU tags, [CONTEXT n] constructed. */
#define PDU_GET		0
#define PDU_GETNEXT	1
#define PDU_RESPONSE	2
#define PDU_SET		3
#define PDU_TRAP_V1	4
#define PDU_GETBULK	5
#define PDU_INFORM	6
#define PDU_TRAP_V2	7
#define PDU_REPORT	8
#define ERR_AUTHORIZATION 16	/* RFC 3416 §3: authorizationError */

#define V3_FLAG_AUTH	0x01	/* RFC 3412 §6.4 msgFlags */
#define V3_FLAG_PRIV	0x02
#define V3_FLAG_REPORTABLE 0x04
#define USM_MODEL	3	/* RFC 3411 §5: SnmpSecurityModel usm */

struct comm {
	bool		 used;
	bool		 emitted;
	uint8_t		 version;	/* 0 v1, 1 v2c */
	unsigned	 requests;	/* requests with no response seen */
	size_t		 len;		/* real length */
	size_t		 kept;
	uint8_t		 b[SNMP_COMM_MAX];
};

struct v3user {
	bool		 used;
	bool		 emitted;
	bool		 requested;	/* a reportable message was seen */
	bool		 truncated;
	size_t		 len;
	uint8_t		 name[SASL_USER_MAX];
};

struct snmp {
	struct comm	 c[SNMP_TRACK];
	struct v3user	 u[SNMP_TRACK];
};

/* RFC 1157 §4, RFC 3412 §6: SEQUENCE { version INTEGER (0, 1, 3), ... }. */
static enum probe_result
snmp_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	struct ber_tlv t, v, c, pdu;
	size_t at;

	(void)dir;
	if (ber_header(p, n, &t) != BER_OK || t.cls != BER_UNIVERSAL ||
	    !t.constructed || t.tag != BER_TAG_SEQUENCE || t.indefinite)
		return PROBE_NO;
	at = t.hdr_len;
	if (ber_header(p + at, n - at, &v) != BER_OK || v.cls != BER_UNIVERSAL ||
	    v.constructed || v.tag != BER_TAG_INTEGER || v.len != 1 ||
	    n - at < v.hdr_len + 1)
		return PROBE_NO;
	at += v.hdr_len;
	if (p[at] == 3) {
		at++;
		/* msgGlobalData, a SEQUENCE beginning with msgID. */
		return ber_header(p + at, n - at, &c) == BER_OK &&
		    c.cls == BER_UNIVERSAL && c.constructed &&
		    c.tag == BER_TAG_SEQUENCE ? PROBE_YES : PROBE_NO;
	}
	if (p[at] > 1)
		return PROBE_NO;
	at++;
	if (ber_header(p + at, n - at, &c) != BER_OK || c.cls != BER_UNIVERSAL ||
	    c.constructed || c.tag != BER_TAG_OCTET_STRING ||
	    c.hdr_len + c.len > n - at)
		return PROBE_NO;
	at += c.hdr_len + c.len;
	if (ber_header(p + at, n - at, &pdu) != BER_OK ||
	    pdu.cls != BER_CONTEXT || !pdu.constructed || pdu.tag > PDU_REPORT)
		return PROBE_NO;
	*sender_is_server = pdu.tag == PDU_RESPONSE || pdu.tag == PDU_REPORT;
	return PROBE_YES;
}

static void
snmp_init(void *st, bool midstream)
{
	(void)st;
	(void)midstream;
}

static bool
well_known(const uint8_t *b, size_t n)
{
	return (n == 6 && memcmp(b, "public", 6) == 0) ||
	    (n == 7 && memcmp(b, "private", 7) == 0);
}

static void
emit_comm(struct dec_ctx *ctx, uint8_t version, const uint8_t *b, size_t len,
    size_t kept, enum auth_result res, const char *reason)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.kind = K_CLEARTEXT_CREDENTIALS;
	f.app_proto = "snmp";
	f.mechanism = version == 0 ? "SNMPv1 community" : "SNMPv2c community";
	f.result = res;
	f.secret_seen = true;
	/* Only a whole community: a prefix would fingerprint falsely. */
	if (kept == len) {
		f.secret = b;
		f.secret_len = kept;
	}
	f.secret_well_known = well_known(b, len);
	f.reason = reason;
	dec_emit(ctx, &f);
}

static void
emit_user(struct dec_ctx *ctx, const uint8_t *name, size_t len, bool trunc,
    enum auth_result res)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.kind = K_CHALLENGE_RESPONSE;
	f.app_proto = "snmp";
	f.mechanism = "SNMPv3 USM";
	f.username = name;
	f.username_len = len;
	f.username_truncated = trunc;
	f.result = res;
	dec_emit(ctx, &f);
}

/* A v1/v2c message: its community and what the PDU says of it. */
static void
community(struct snmp *s, struct dec_ctx *ctx, uint8_t version,
    const uint8_t *b, size_t len, struct cursor *c)
{
	struct ber_tlv pdu;
	const uint8_t *v;
	struct cursor pc;
	struct comm *e = NULL, *slot = NULL;
	int64_t reqid, err = 0;
	size_t i, kept = len > SNMP_COMM_MAX ? SNMP_COMM_MAX : len;
	enum auth_result res;

	if (!ber_next(c, &pdu, &v) || pdu.cls != BER_CONTEXT ||
	    !pdu.constructed || pdu.tag > PDU_REPORT) {
		COUNT(ctx, bad_framing);
		return;
	}
	if (pdu.tag == PDU_RESPONSE) {
		cur_init(&pc, v, pdu.len);
		if (!ber_get_int(&pc, &reqid) || !ber_get_int(&pc, &err)) {
			COUNT(ctx, bad_framing);
			return;
		}
	}
	for (i = 0; i < SNMP_TRACK; i++) {
		if (!s->c[i].used) {
			if (slot == NULL)
				slot = &s->c[i];
			continue;
		}
		if (s->c[i].version == version && s->c[i].len == len &&
		    memcmp(s->c[i].b, b, kept) == 0) {
			e = &s->c[i];
			break;
		}
	}
	res = err == ERR_AUTHORIZATION ? RES_FAILURE : RES_SUCCESS;
	if (e == NULL && slot == NULL) {
		COUNT(ctx, pipeline_overflow);
		emit_comm(ctx, version, b, len, kept,
		    pdu.tag == PDU_RESPONSE ? res : RES_UNKNOWN, NULL);
		return;
	}
	if (e == NULL) {
		e = slot;
		e->used = true;
		e->version = version;
		e->len = len;
		e->kept = kept;
		memcpy(e->b, b, kept);
	}
	if (e->emitted)
		return;
	switch (pdu.tag) {
	case PDU_RESPONSE:
		e->emitted = true;
		emit_comm(ctx, version, e->b, e->len, e->kept, res, NULL);
		break;
	case PDU_GET:
	case PDU_GETNEXT:
	case PDU_SET:
	case PDU_GETBULK:
	case PDU_INFORM:
		e->requests++;
		break;
	default:
		break;	/* traps and reports: no answer to wait for */
	}
}

static struct v3user *
user_find(struct snmp *s, const uint8_t *name, size_t len)
{
	size_t i, kept = len > SASL_USER_MAX ? SASL_USER_MAX : len;

	for (i = 0; i < SNMP_TRACK; i++)
		if (s->u[i].used && s->u[i].len == kept &&
		    memcmp(s->u[i].name, name, kept) == 0)
			return &s->u[i];
	return NULL;
}

/*
 * A plaintext Report (RFC 3414 §3.2): its first varbind names the usmStats
 * counter that made the agent refuse.  Unknown user (.3) and wrong digest
 * (.5) are failures; not in time window (.2) only resynchronises clocks.
 */
static bool
report_refuses(struct cursor *c)
{
	const uint8_t *v;
	size_t n;
	struct ber_tlv pdu;
	struct cursor pc, vb;
	int64_t x;

	/* ScopedPDU ::= SEQUENCE { contextEngineID, contextName, data } */
	if (!ber_expect(c, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, &v, &n))
		return false;
	cur_init(&pc, v, n);
	if (!ber_get_octets(&pc, &v, &n) || !ber_get_octets(&pc, &v, &n) ||
	    !ber_next(&pc, &pdu, &v) || pdu.cls != BER_CONTEXT ||
	    pdu.tag != PDU_REPORT)
		return false;
	cur_init(&pc, v, pdu.len);
	if (!ber_get_int(&pc, &x) || !ber_get_int(&pc, &x) ||
	    !ber_get_int(&pc, &x) ||
	    !ber_expect(&pc, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, &v, &n))
		return false;
	cur_init(&vb, v, n);
	if (!ber_expect(&vb, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, &v, &n))
		return false;
	cur_init(&pc, v, n);
	if (!ber_expect(&pc, BER_UNIVERSAL, false, BER_TAG_OID, &v, &n))
		return false;
	return ber_oid_has_prefix(v, n, "1.3.6.1.6.3.15.1.1.3") ||
	    ber_oid_has_prefix(v, n, "1.3.6.1.6.3.15.1.1.5");
}

/* RFC 3412 §6: msgGlobalData, msgSecurityParameters, msgData. */
static void
v3_message(struct snmp *s, struct dec_ctx *ctx, struct cursor *c)
{
	const uint8_t *v, *sp, *name;
	size_t n, spl, namel, i;
	struct cursor g, u;
	int64_t x, model;
	uint8_t flags;
	struct v3user *e, *slot = NULL;

	if (!ber_expect(c, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, &v, &n)) {
		COUNT(ctx, bad_framing);
		return;
	}
	cur_init(&g, v, n);
	if (!ber_get_int(&g, &x) || !ber_get_int(&g, &x) ||
	    !ber_get_octets(&g, &v, &n) || n != 1 || !ber_get_int(&g, &model) ||
	    !ber_get_octets(c, &sp, &spl)) {
		COUNT(ctx, bad_framing);
		return;
	}
	flags = v[0];
	if (model != USM_MODEL)
		return;
	/* RFC 3414 §2.4: UsmSecurityParameters, BER inside the OCTET STRING. */
	cur_init(&u, sp, spl);
	if (!ber_expect(&u, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, &v, &n)) {
		COUNT(ctx, bad_framing);
		return;
	}
	cur_init(&u, v, n);
	if (!ber_get_octets(&u, &v, &n) || !ber_get_int(&u, &x) ||
	    !ber_get_int(&u, &x) || !ber_get_octets(&u, &name, &namel)) {
		COUNT(ctx, bad_framing);
		return;
	}
	if ((flags & V3_FLAG_AUTH) == 0) {
		/* A refusal comes back unauthenticated: it fails the users waiting. */
		if ((flags & V3_FLAG_PRIV) == 0 && report_refuses(c))
			for (i = 0; i < SNMP_TRACK; i++)
				if (s->u[i].used && !s->u[i].emitted &&
				    s->u[i].requested) {
					s->u[i].emitted = true;
					emit_user(ctx, s->u[i].name, s->u[i].len,
					    s->u[i].truncated, RES_FAILURE);
				}
		return;
	}
	if (namel == 0)
		return;
	if ((e = user_find(s, name, namel)) == NULL) {
		for (i = 0; i < SNMP_TRACK && slot == NULL; i++)
			if (!s->u[i].used)
				slot = &s->u[i];
		if (slot == NULL) {
			COUNT(ctx, pipeline_overflow);
			emit_user(ctx, name, namel > SASL_USER_MAX ?
			    SASL_USER_MAX : namel, namel > SASL_USER_MAX,
			    RES_UNKNOWN);
			return;
		}
		e = slot;
		e->used = true;
		e->truncated = namel > SASL_USER_MAX;
		e->len = e->truncated ? SASL_USER_MAX : namel;
		memcpy(e->name, name, e->len);
	}
	if (e->emitted)
		return;
	if (flags & V3_FLAG_REPORTABLE)
		e->requested = true;
	else if (e->requested) {
		/* An authenticated answer: the agent knew the key. */
		e->emitted = true;
		emit_user(ctx, e->name, e->len, e->truncated, RES_SUCCESS);
	}
}

static enum dec_status
snmp_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct snmp *s = st;
	struct cursor c, m;
	const uint8_t *v, *comm;
	size_t vl, cl;
	int64_t version;

	(void)dir;
	cur_init(&c, p, n);
	if (!ber_expect(&c, BER_UNIVERSAL, true, BER_TAG_SEQUENCE, &v, &vl)) {
		COUNT(ctx, bad_framing);
		return DEC_MORE;
	}
	cur_init(&m, v, vl);
	if (!ber_get_int(&m, &version)) {
		COUNT(ctx, bad_framing);
		return DEC_MORE;
	}
	if (version == 3)
		v3_message(s, ctx, &m);
	else if (version == 0 || version == 1) {
		if (!ber_get_octets(&m, &comm, &cl)) {
			COUNT(ctx, bad_framing);
			return DEC_MORE;
		}
		community(s, ctx, (uint8_t)version, comm, cl, &m);
	} else
		COUNT(ctx, bad_framing);
	return DEC_MORE;
}

static void
snmp_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct snmp *s = st;
	struct comm *e;
	size_t i;

	(void)why;
	for (i = 0; i < SNMP_TRACK; i++) {
		e = &s->c[i];
		if (e->used && !e->emitted)
			emit_comm(ctx, e->version, e->b, e->len, e->kept,
			    e->requests > 1 ? RES_FAILURE : RES_UNKNOWN,
			    e->requests > 1 ? "requests retried, never answered" :
			    NULL);
		explicit_bzero(e, sizeof(*e));
	}
	for (i = 0; i < SNMP_TRACK; i++)
		if (s->u[i].used && !s->u[i].emitted) {
			s->u[i].emitted = true;
			emit_user(ctx, s->u[i].name, s->u[i].len,
			    s->u[i].truncated, RES_UNKNOWN);
		}
}

static void
snmp_wipe(void *st)
{
	struct snmp *s = st;

	explicit_bzero(s, sizeof(*s));
}

static const uint16_t snmp_ports[] = { 161, 162, 0 };

const struct decoder snmp_decoder = {
	.name = "snmp",
	.ports = snmp_ports,
	.state_size = sizeof(struct snmp),
	.probe = snmp_probe,
	.init = snmp_init,
	.data = snmp_data,
	.end = snmp_end,
	.wipe = snmp_wipe,
	.ipproto = 17,
};
