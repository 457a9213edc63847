/*
 * mqtt.c - MQTT: the CONNECT login (username, password) and enhanced
 * authentication, judged by the CONNACK.
 *
 * Specifications: MQTT 3.1 (IBM, protocol name "MQIsdp", level 3), OASIS
 * MQTT 3.1.1 (§2.2 fixed header and Remaining Length, §3.1 CONNECT, §3.2
 * CONNACK) and OASIS MQTT 5.0 (§1.5.5 Variable Byte Integer, §2.2.2
 * properties, §3.1 CONNECT, §3.2 CONNACK, §3.15 AUTH, §4.12 enhanced
 * authentication).
 *
 * Each direction is read as a sequence of control packets: a type byte, a
 * Remaining Length (at most four bytes, §2.2.3), and that many bytes of
 * body.  A body is walked field by field by a small reader that keeps only
 * the field in progress, so any split of the stream gives the same result
 * and nothing is buffered but the protocol name, the authentication method
 * and the username and password (capped).  Only CONNECT, CONNACK and AUTH
 * are read; other packets are skipped by count.  After the CONNACK there
 * is nothing more to learn (DEC_DONE).
 */
#include <string.h>

#include "decoder.h"
#include "sasl.h"

#define MQTT_SECRET_MAX	256	/* password bytes kept for the fingerprint */
#define MQTT_METHOD_MAX	32	/* authentication method name kept */
#define MQTT_PNAME_MAX	6	/* "MQIsdp" */

/* Control packet types (3.1.1 §2.2.1, 5.0 §2.1.2), the type byte's high nibble. */
#define PT_CONNECT	1
#define PT_CONNACK	2
#define PT_AUTH		15

/* CONNECT flags (3.1.1 §3.1.2.3). */
#define CF_USER		0x80
#define CF_PASS		0x40
#define CF_WILL		0x04

enum hstate {
	H_TYPE = 0,	/* the fixed header's first byte */
	H_LEN,		/* the Remaining Length */
	H_BODY		/* rem bytes of body */
};

/* The field being read. */
enum fkind {
	FK_INT = 0,	/* big-endian integer of `need` bytes */
	FK_VBI,		/* Variable Byte Integer (5.0 §1.5.5) */
	FK_BYTES	/* `need` bytes, copied to a sink or skipped */
};

enum fsink {
	SK_NONE = 0,
	SK_PNAME,
	SK_METHOD,
	SK_USER,
	SK_PASS
};

/* Where a body is in its fields. */
enum step {
	ST_SKIP = 0,	/* the rest of the packet, unread */
	/* CONNECT variable header (3.1.1 §3.1.2, 5.0 §3.1.2) */
	ST_PNAME_LEN, ST_PNAME, ST_LEVEL, ST_FLAGS, ST_KEEPALIVE,
	/* 5.0 §3.1.2.11 properties */
	ST_PROPLEN, ST_PROP_ID, ST_PROP_VAL, ST_PROP_SLEN, ST_PROP_STR,
	/* payload (3.1.1 §3.1.3, 5.0 §3.1.3) */
	ST_CID_LEN, ST_CID, ST_WPROPLEN, ST_WPROPS, ST_WTOPIC_LEN, ST_WTOPIC,
	ST_WPAY_LEN, ST_WPAY, ST_USER_LEN, ST_USER, ST_PASS_LEN, ST_PASS,
	/* CONNACK (3.1.1 §3.2.2, 5.0 §3.2.2) */
	ST_CA_FLAGS, ST_CA_CODE
};

struct field {
	enum fkind	 kind;
	enum fsink	 sink;
	uint32_t	 need;
	uint32_t	 val;
	unsigned	 vbytes;	/* FK_VBI: bytes read */
};

struct mdir {
	enum hstate	 hs;
	uint8_t		 type;
	uint32_t	 rem;		/* body bytes left */
	struct field	 rl;		/* the Remaining Length */
	enum step	 step;
	struct field	 f;
};

enum phase {
	PH_OPEN = 0,
	PH_DONE,
	PH_MISMATCH
};

struct mqtt {
	enum phase	 phase;
	struct mdir	 d[2];
	bool		 gap_seen;

	/* CONNECT */
	bool		 connect_seen;	/* a CONNECT was read to its end */
	bool		 in_connect;	/* the first client packet is being read */
	unsigned	 level;		/* protocol level: 3, 4 or 5 */
	uint8_t		 flags;
	uint32_t	 prop_left;	/* bytes left of the properties being read */
	uint8_t		 prop_id;
	bool		 prop_pair;	/* a string pair: one more string follows */
	bool		 has_method;	/* 5.0 §3.1.2.11.9 Authentication Method */
	unsigned	 server_auth;	/* AUTH packets from the server */

	size_t		 pname_len;
	uint8_t		 pname[MQTT_PNAME_MAX];
	size_t		 method_len;
	uint8_t		 method[MQTT_METHOD_MAX];
	size_t		 user_len;
	bool		 user_trunc;
	bool		 pass_cut;	/* longer than pass[]: not held (no fingerprint) */
	uint8_t		 user[SASL_USER_MAX];
	size_t		 pass_len;
	uint8_t		 pass[MQTT_SECRET_MAX];
};

/* Property value types (5.0 §2.2.2.2). */
enum ptype {
	PV_BAD = 0,
	PV_U8,
	PV_U16,
	PV_U32,
	PV_VBI,
	PV_STR,		/* UTF-8 string or binary data: u16 length, bytes */
	PV_PAIR		/* UTF-8 string pair */
};

static enum ptype
prop_type(uint8_t id)
{
	switch (id) {
	case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28:
	case 0x29: case 0x2a:
		return PV_U8;
	case 0x13: case 0x21: case 0x22: case 0x23:
		return PV_U16;
	case 0x02: case 0x11: case 0x18: case 0x27:
		return PV_U32;
	case 0x0b:
		return PV_VBI;
	case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16:
	case 0x1a: case 0x1c: case 0x1f:
		return PV_STR;
	case 0x26:
		return PV_PAIR;
	default:
		return PV_BAD;
	}
}

static void
field_int(struct field *f, uint32_t bytes)
{
	memset(f, 0, sizeof(*f));
	f->kind = FK_INT;
	f->need = bytes;
}

static void
field_vbi(struct field *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = FK_VBI;
}

static void
field_bytes(struct field *f, uint32_t n, enum fsink sink)
{
	memset(f, 0, sizeof(*f));
	f->kind = FK_BYTES;
	f->need = n;
	f->sink = sink;
}

/* Where a sink's bytes go: buffer, capacity, length so far. */
static uint8_t *
sink_buf(struct mqtt *s, enum fsink k, size_t *cap, size_t **len)
{
	switch (k) {
	case SK_PNAME:
		*cap = sizeof(s->pname);
		*len = &s->pname_len;
		return s->pname;
	case SK_METHOD:
		*cap = sizeof(s->method);
		*len = &s->method_len;
		return s->method;
	case SK_USER:
		*cap = sizeof(s->user);
		*len = &s->user_len;
		return s->user;
	case SK_PASS:
		*cap = sizeof(s->pass);
		*len = &s->pass_len;
		return s->pass;
	case SK_NONE:
		break;
	}
	return NULL;
}

enum fres {
	FR_MORE = 0,	/* the input ran out */
	FR_DONE,	/* the field is whole */
	FR_BAD		/* a Variable Byte Integer over four bytes */
};

/*
 * Feed up to n bytes to field f; *used says how many it took.  5.0 §1.5.5
 * (3.1.1 §2.2.3 for the Remaining Length): seven bits a byte, least
 * significant first, the high bit says another follows, at most four.
 */
static enum fres
field_feed(struct mqtt *s, struct field *f, const uint8_t *p, size_t n,
    size_t *used)
{
	size_t take, cap, room;
	size_t *len;
	uint8_t *dst;

	*used = 0;
	switch (f->kind) {
	case FK_INT:
		while (f->need > 0 && *used < n) {
			f->val = f->val << 8 | p[(*used)++];
			f->need--;
		}
		return f->need == 0 ? FR_DONE : FR_MORE;
	case FK_VBI:
		while (*used < n) {
			uint8_t b = p[(*used)++];

			f->val |= (uint32_t)(b & 0x7f) << (7 * f->vbytes);
			f->vbytes++;
			if ((b & 0x80) == 0)
				return FR_DONE;
			if (f->vbytes == 4)
				return FR_BAD;
		}
		return FR_MORE;
	case FK_BYTES:
		take = f->need < n ? f->need : n;
		if ((dst = sink_buf(s, f->sink, &cap, &len)) != NULL &&
		    *len < cap) {
			room = cap - *len;
			if (f->sink == SK_USER && take > room)
				s->user_trunc = true;
			if (f->sink == SK_PASS && take > room)
				s->pass_cut = true;
			memcpy(dst + *len, p, take < room ? take : room);
			*len += take < room ? take : room;
		} else if (f->sink == SK_USER && take > 0)
			s->user_trunc = true;
		f->need -= (uint32_t)take;
		*used = take;
		return f->need == 0 ? FR_DONE : FR_MORE;
	}
	return FR_BAD;
}

static bool
in_props(enum step st)
{
	return st >= ST_PROP_ID && st <= ST_PROP_STR;
}

static void
finding_base(const struct mqtt *s, struct finding *f, enum finding_kind k,
    enum auth_result res)
{
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->app_proto = "mqtt";
	f->result = res;
	f->gap_seen = s->gap_seen;
	if ((s->flags & CF_USER) && s->user_len > 0) {
		f->username = s->user;
		f->username_len = s->user_len;
		f->username_truncated = s->user_trunc;
	}
}

/* The CONNECT's login ends with `res`: report what crossed. */
static void
login_done(struct mqtt *s, struct dec_ctx *ctx, enum auth_result res)
{
	struct finding f;

	if (!s->connect_seen)
		return;
	s->connect_seen = false;
	if (s->has_method) {
		/* 5.0 §4.12: a challenge-response (e.g. SCRAM) in clear. */
		finding_base(s, &f, K_CHALLENGE_RESPONSE, res);
		f.mechanism = "MQTT enhanced auth";
		f.reason = s->server_auth > 0 ?
		    "MQTT 5 AUTH exchange without TLS" :
		    "MQTT 5 CONNECT names an authentication method, without TLS";
		dec_emit(ctx, &f);
	}
	if (s->flags & CF_PASS) {
		finding_base(s, &f, K_CLEARTEXT_CREDENTIALS, res);
		f.mechanism = "MQTT CONNECT";
		f.secret_seen = true;
		/* Only a whole password: a prefix would fingerprint falsely. */
		if (!s->pass_cut) {
			f.secret = s->pass;
			f.secret_len = s->pass_len;
		}
		dec_emit(ctx, &f);
	} else if ((s->flags & CF_USER) && !s->has_method) {
		/* A username alone: an identity in clear, no secret. */
		finding_base(s, &f, K_CLEARTEXT_CREDENTIALS, res);
		f.mechanism = "MQTT CONNECT";
		f.reason = "CONNECT carries a username without a password";
		dec_emit(ctx, &f);
	}
	explicit_bzero(s->pass, sizeof(s->pass));
	s->pass_len = 0;
	s->pass_cut = false;
}

/* 3.1.1 §3.2.2.3 return codes, 5.0 §3.2.2.2 reason codes. */
static enum auth_result
connack_result(unsigned level, uint8_t code)
{
	if (code == 0)
		return RES_SUCCESS;
	if (level == 5)
		return code == 0x86 || code == 0x87 || code == 0x8c ?
		    RES_FAILURE : RES_UNKNOWN;
	/* 4: bad user name or password, 5: not authorized. */
	return code == 4 || code == 5 ? RES_FAILURE : RES_UNKNOWN;
}

static void
props_next(struct mqtt *s, struct mdir *d)
{
	if (s->prop_left > 0) {
		d->step = ST_PROP_ID;
		field_int(&d->f, 1);
	} else {
		d->step = ST_CID_LEN;
		field_int(&d->f, 2);
	}
}

static void
user_or_pass(struct mqtt *s, struct mdir *d)
{
	if (s->flags & CF_USER) {
		d->step = ST_USER_LEN;
		field_int(&d->f, 2);
	} else if (s->flags & CF_PASS) {
		d->step = ST_PASS_LEN;
		field_int(&d->f, 2);
	} else {
		s->connect_seen = true;
		d->step = ST_SKIP;
	}
}

/*
 * The field of step d->step is whole: act on it and set up the next.
 * Returns false when the packet is not what it should be.
 */
static bool
field_done(struct mqtt *s, struct dec_ctx *ctx, struct mdir *d)
{
	uint32_t v = d->f.val;

	switch (d->step) {
	case ST_PNAME_LEN:
		if (v != 4 && v != 6)
			return false;
		d->step = ST_PNAME;
		field_bytes(&d->f, v, SK_PNAME);
		break;
	case ST_PNAME:
		/* 3.1.1 §3.1.2.1 "MQTT"; 3.1 "MQIsdp". */
		if (!((s->pname_len == 4 && memcmp(s->pname, "MQTT", 4) == 0) ||
		    (s->pname_len == 6 && memcmp(s->pname, "MQIsdp", 6) == 0)))
			return false;
		d->step = ST_LEVEL;
		field_int(&d->f, 1);
		break;
	case ST_LEVEL:
		/* 0x80 marks a bridge (mosquitto's try_private). */
		s->level = v & 0x7f;
		if (s->level < 3 || s->level > 5)
			return false;
		d->step = ST_FLAGS;
		field_int(&d->f, 1);
		break;
	case ST_FLAGS:
		s->flags = (uint8_t)v;
		if (v & 0x01)
			ctx->ctr->bad_framing++;	/* §3.1.2.3: reserved, must be 0 */
		d->step = ST_KEEPALIVE;
		field_int(&d->f, 2);
		break;
	case ST_KEEPALIVE:
		if (s->level == 5) {
			d->step = ST_PROPLEN;
			field_vbi(&d->f);
		} else {
			d->step = ST_CID_LEN;
			field_int(&d->f, 2);
		}
		break;
	case ST_PROPLEN:
		s->prop_left = v;
		props_next(s, d);
		break;
	case ST_PROP_ID:
		s->prop_id = (uint8_t)v;
		s->prop_pair = false;
		switch (prop_type(s->prop_id)) {
		case PV_U8:
			field_int(&d->f, 1);
			d->step = ST_PROP_VAL;
			break;
		case PV_U16:
			field_int(&d->f, 2);
			d->step = ST_PROP_VAL;
			break;
		case PV_U32:
			field_int(&d->f, 4);
			d->step = ST_PROP_VAL;
			break;
		case PV_VBI:
			field_vbi(&d->f);
			d->step = ST_PROP_VAL;
			break;
		case PV_PAIR:
		case PV_STR:
			s->prop_pair = prop_type(s->prop_id) == PV_PAIR;
			field_int(&d->f, 2);
			d->step = ST_PROP_SLEN;
			break;
		case PV_BAD:
			return false;
		}
		break;
	case ST_PROP_VAL:
		props_next(s, d);
		break;
	case ST_PROP_SLEN:
		if (s->prop_id == 0x15) {
			/* 5.0 §3.1.2.11.9: enhanced authentication */
			s->has_method = true;
			s->method_len = 0;
		}
		d->step = ST_PROP_STR;
		field_bytes(&d->f, v, s->prop_id == 0x15 ? SK_METHOD : SK_NONE);
		break;
	case ST_PROP_STR:
		if (s->prop_pair) {
			s->prop_pair = false;
			d->step = ST_PROP_SLEN;
			field_int(&d->f, 2);
		} else
			props_next(s, d);
		break;
	case ST_CID_LEN:
		d->step = ST_CID;
		field_bytes(&d->f, v, SK_NONE);
		break;
	case ST_CID:
		if (s->flags & CF_WILL) {
			if (s->level == 5) {
				d->step = ST_WPROPLEN;
				field_vbi(&d->f);
			} else {
				d->step = ST_WTOPIC_LEN;
				field_int(&d->f, 2);
			}
		} else
			user_or_pass(s, d);
		break;
	case ST_WPROPLEN:
		d->step = ST_WPROPS;
		field_bytes(&d->f, v, SK_NONE);
		break;
	case ST_WPROPS:
		d->step = ST_WTOPIC_LEN;
		field_int(&d->f, 2);
		break;
	case ST_WTOPIC_LEN:
		d->step = ST_WTOPIC;
		field_bytes(&d->f, v, SK_NONE);
		break;
	case ST_WTOPIC:
		d->step = ST_WPAY_LEN;
		field_int(&d->f, 2);
		break;
	case ST_WPAY_LEN:
		d->step = ST_WPAY;
		field_bytes(&d->f, v, SK_NONE);
		break;
	case ST_WPAY:
		user_or_pass(s, d);
		break;
	case ST_USER_LEN:
		d->step = ST_USER;
		field_bytes(&d->f, v, SK_USER);
		break;
	case ST_USER:
		if (s->flags & CF_PASS) {
			d->step = ST_PASS_LEN;
			field_int(&d->f, 2);
		} else {
			s->connect_seen = true;
			d->step = ST_SKIP;
		}
		break;
	case ST_PASS_LEN:
		d->step = ST_PASS;
		field_bytes(&d->f, v, SK_PASS);
		break;
	case ST_PASS:
		s->connect_seen = true;
		d->step = ST_SKIP;
		break;
	case ST_CA_FLAGS:
		d->step = ST_CA_CODE;
		field_int(&d->f, 1);
		break;
	case ST_CA_CODE:
		login_done(s, ctx, connack_result(s->level, (uint8_t)v));
		s->phase = PH_DONE;
		d->step = ST_SKIP;
		break;
	case ST_SKIP:
		break;
	}
	return true;
}

/* A packet's fixed header is read: choose how to walk its body. */
static bool
packet_begin(struct mqtt *s, enum dir dir, struct mdir *d)
{
	unsigned t = d->type >> 4;

	d->step = ST_SKIP;
	if (dir == DIR_C2S) {
		if (!s->in_connect && s->level == 0) {
			/* The first client packet must be CONNECT (3.1.1 §3.1). */
			if (d->type != PT_CONNECT << 4)
				return false;
			s->in_connect = true;
			d->step = ST_PNAME_LEN;
			field_int(&d->f, 2);
		}
	} else if (t == PT_CONNACK && s->level != 0) {
		d->step = ST_CA_FLAGS;
		field_int(&d->f, 1);
	} else if (t == PT_AUTH && s->level == 5)
		s->server_auth++;
	return true;
}

/* The body ran out: a CONNECT or CONNACK cut short is malformed. */
static bool
packet_end(struct mqtt *s, enum dir dir, struct mdir *d)
{
	bool whole = d->step == ST_SKIP;

	if (dir == DIR_C2S && s->in_connect) {
		s->in_connect = false;
		if (!whole)
			return false;
	}
	d->hs = H_TYPE;
	return whole;
}

static enum dec_status
status_of(const struct mqtt *s)
{
	return s->phase == PH_DONE ? DEC_DONE :
	    s->phase == PH_MISMATCH ? DEC_MISMATCH : DEC_MORE;
}

static enum dec_status
mqtt_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct mqtt *s = st;
	struct mdir *d = &s->d[dir];
	size_t avail, used;
	enum fres r;
	bool ok = true;

	while (s->phase == PH_OPEN && n > 0 && ok) {
		switch (d->hs) {
		case H_TYPE:
			d->type = *p++;
			n--;
			field_vbi(&d->rl);
			d->hs = H_LEN;
			break;
		case H_LEN:
			r = field_feed(s, &d->rl, p, n, &used);
			p += used;
			n -= used;
			if (r == FR_BAD) {
				ok = false;	/* §2.2.3: a fifth byte is malformed */
				break;
			}
			if (r == FR_MORE)
				break;
			d->rem = d->rl.val;
			d->hs = H_BODY;
			if (!(ok = packet_begin(s, dir, d)))
				break;
			if (d->rem == 0)
				ok = packet_end(s, dir, d) || dir == DIR_S2C;
			break;
		case H_BODY:
			avail = n < d->rem ? n : d->rem;
			if (d->step == ST_SKIP) {
				used = avail;
				r = FR_MORE;
			} else {
				if (in_props(d->step) && avail > s->prop_left)
					avail = s->prop_left;
				r = field_feed(s, &d->f, p, avail, &used);
			}
			p += used;
			n -= used;
			d->rem -= (uint32_t)used;
			if (in_props(d->step))
				s->prop_left -= (uint32_t)used;
			if (r == FR_DONE)
				ok = field_done(s, ctx, d);
			else if (r == FR_BAD ||
			    (in_props(d->step) && s->prop_left == 0))
				ok = false;	/* a fifth VBI byte, or a property past its block */
			/* Zero-length fields are whole at once. */
			while (ok && s->phase == PH_OPEN && d->step != ST_SKIP &&
			    d->f.kind == FK_BYTES && d->f.need == 0)
				ok = field_done(s, ctx, d);
			if (ok && s->phase == PH_OPEN && d->rem == 0)
				ok = packet_end(s, dir, d) || dir == DIR_S2C;
			break;
		}
	}
	if (!ok) {
		ctx->ctr->bad_framing++;
		if (s->level == 0 || dir == DIR_C2S) {
			/* Not MQTT, or a CONNECT we cannot trust. */
			ctx->ctr->mismatch++;
			s->phase = PH_MISMATCH;
			s->connect_seen = false;
		} else {
			/* A server packet we cannot frame: what was sent stands. */
			login_done(s, ctx, RES_UNKNOWN);
			s->phase = PH_DONE;
		}
	}
	if (s->phase != PH_OPEN) {
		explicit_bzero(s->pass, sizeof(s->pass));
		s->pass_len = 0;
		s->pass_cut = false;
	}
	return status_of(s);
}

static void
mqtt_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct mqtt *s = st;

	(void)dir;
	(void)missing;
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->phase != PH_OPEN)
		return;
	/* Packet boundaries are lost: report what crossed and stop. */
	login_done(s, ctx, RES_UNKNOWN);
	s->phase = PH_DONE;
	explicit_bzero(s->pass, sizeof(s->pass));
	s->pass_len = 0;
	s->pass_cut = false;
}

static void
mqtt_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct mqtt *s = st;

	(void)why;
	if (s->phase == PH_OPEN)
		login_done(s, ctx, RES_UNKNOWN);
	explicit_bzero(s->pass, sizeof(s->pass));
	s->pass_len = 0;
	s->pass_cut = false;
}

static void
mqtt_wipe(void *st)
{
	struct mqtt *s = st;

	explicit_bzero(s->pass, sizeof(s->pass));
	explicit_bzero(s->user, sizeof(s->user));
	s->pass_len = s->user_len = 0;
}

static void
mqtt_init(void *st, bool midstream)
{
	struct mqtt *s = st;

	/* Without the CONNECT there is nothing to learn. */
	s->phase = midstream ? PH_DONE : PH_OPEN;
}

/*
 * The client speaks first with CONNECT (3.1.1 §3.1): type byte 0x10, a
 * Remaining Length, then the protocol name with its length, "MQTT" or
 * "MQIsdp".
 */
static enum probe_result
mqtt_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	static const uint8_t v4[] = { 0, 4, 'M', 'Q', 'T', 'T' };
	static const uint8_t v3[] = { 0, 6, 'M', 'Q', 'I', 's', 'd', 'p' };
	size_t i, k, m;

	if (n == 0)
		return PROBE_MAYBE;
	if (dir != DIR_C2S || p[0] != PT_CONNECT << 4)
		return PROBE_NO;
	for (i = 1; i < n && i < 5 && (p[i] & 0x80); i++)
		;
	if (i == 5)
		return PROBE_NO;
	if (i >= n)
		return PROBE_MAYBE;
	i++;		/* past the Remaining Length's last byte */
	m = n - i;
	for (k = 0; k < m && k < sizeof(v3); k++)
		if (p[i + k] != v3[k])
			break;
	if (k == sizeof(v3)) {
		*sender_is_server = false;
		return PROBE_YES;
	}
	if (k == m)
		return PROBE_MAYBE;
	for (k = 0; k < m && k < sizeof(v4); k++)
		if (p[i + k] != v4[k])
			break;
	if (k == sizeof(v4)) {
		*sender_is_server = false;
		return PROBE_YES;
	}
	return k == m ? PROBE_MAYBE : PROBE_NO;
}

static const uint16_t mqtt_ports[] = { 1883, 0 };

const struct decoder mqtt_decoder = {
	.name = "mqtt",
	.ports = mqtt_ports,
	.state_size = sizeof(struct mqtt),
	.probe = mqtt_probe,
	.init = mqtt_init,
	.data = mqtt_data,
	.gap = mqtt_gap,
	.end = mqtt_end,
	.wipe = mqtt_wipe,
};
