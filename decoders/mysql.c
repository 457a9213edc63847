/*
 * mysql.c - MySQL and MariaDB: scramble logins, cleartext plugins, SSL.
 *
 * Specification: MySQL Client/Server Protocol (MySQL source documentation,
 * "Connection Phase"): packets are a 3-byte little-endian length and a
 * sequence id; Protocol::Handshake v10, Protocol::HandshakeResponse41 and
 * 320, Protocol::SSLRequest, Protocol::AuthSwitchRequest,
 * Protocol::AuthMoreData, OK_Packet, ERR_Packet, COM_CHANGE_USER; the
 * authentication plugins mysql_native_password, caching_sha2_password
 * ("fast" and "full" authentication), sha256_password,
 * mysql_clear_password, MariaDB's dialog and client_ed25519.
 *
 * A packet's payload is kept up to a cap and the rest skipped by count.
 * Scramble-based plugins give challenge_response_auth; a password that
 * crosses in clear (mysql_clear_password, dialog, a full authentication
 * answered without RSA) gives cleartext_credentials; an empty auth
 * response is an empty password and is said so.  An SSLRequest ends
 * inspection (TLS follows).  After the login, only client packets are
 * looked at, for COM_CHANGE_USER, a second login on the same connection.
 */
#include <stdio.h>
#include <string.h>

#include "decoder.h"
#include "cursor.h"
#include "sasl.h"

#define MY_BODY_MAX	1024	/* payload bytes kept */
#define MY_PW_MAX	256	/* cleartext password bytes kept for the fingerprint */
#define MY_PLUGIN_MAX	32	/* plugin name bytes kept */

/* Capability flags (Protocol::CapabilityFlags). */
#define CLIENT_CONNECT_WITH_DB	0x00000008u
#define CLIENT_COMPRESS		0x00000020u
#define CLIENT_PROTOCOL_41	0x00000200u
#define CLIENT_SSL		0x00000800u
#define CLIENT_SECURE_CONN	0x00008000u
#define CLIENT_PLUGIN_AUTH	0x00080000u
#define CLIENT_LENENC_DATA	0x00200000u	/* CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA */

#define COM_CHANGE_USER		0x11

enum my_state {
	M_GREETING = 0,	/* the server's Handshake */
	M_LOGIN,	/* the client's HandshakeResponse (or SSLRequest) */
	M_AUTH,		/* server: OK, ERR, AuthSwitchRequest, AuthMoreData */
	M_COMMAND,	/* logged in: client packets only, for COM_CHANGE_USER */
	M_DONE
};

/* What the client's next auth packet answers. */
enum my_ask {
	A_NONE = 0,
	A_SWITCH,	/* AuthSwitchRequest: the new plugin's response */
	A_FULL,		/* caching_sha2 0x01 0x04, or more plugin data */
};

struct my_dir {
	uint8_t		 hdr[4];
	size_t		 nhdr;
	bool		 in_body;
	uint8_t		 seq;
	size_t		 len;		/* payload length */
	size_t		 need;		/* payload bytes still to come */
	size_t		 blen;		/* payload bytes kept */
	uint8_t		 body[MY_BODY_MAX];
};

struct mysql {
	enum my_state	 state;
	uint32_t	 srv_caps;
	uint32_t	 caps;		/* the client's */
	char		 srv_plugin[MY_PLUGIN_MAX + 1];
	bool		 gap_seen;

	/* the login in flight */
	bool		 login;
	bool		 change_user;
	bool		 switched;
	enum my_ask	 ask;
	char		 plugin[MY_PLUGIN_MAX + 1];
	bool		 scramble;	/* a non-empty scramble crossed */
	bool		 scramble_switched;
	char		 scramble_plugin[MY_PLUGIN_MAX + 1];
	bool		 clear;		/* a password crossed in clear */
	bool		 clear_switched;
	char		 clear_plugin[MY_PLUGIN_MAX + 1];
	bool		 clear_empty;	/* a cleartext plugin sent an empty one */
	bool		 nonempty;	/* any non-empty auth data */
	bool		 rsa;		/* RSA-encrypted password (not readable) */
	size_t		 pw_len;
	uint8_t		 pw[MY_PW_MAX];
	char		 label[MY_PLUGIN_MAX + 48];

	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];

	struct my_dir	 d[2];
};

static bool
plugin_is(const char *have, const char *name)
{
	return strcmp(have, name) == 0;
}

/* Copy a plugin name from the wire, keeping only name characters. */
static void
set_plugin(char *dst, const uint8_t *p, size_t n)
{
	size_t i;

	if (n > MY_PLUGIN_MAX)
		n = MY_PLUGIN_MAX;
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		dst[i] = (char)((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ? c : '?');
	}
	dst[n] = '\0';
}

/* A \0-terminated string at the cursor; false when the packet ends first. */
static bool
get_cstr(struct cursor *c, const uint8_t **s, size_t *n)
{
	const uint8_t *z;

	*s = cur_ptr(c);
	if (cur_left(c) == 0 || (z = memchr(*s, 0, cur_left(c))) == NULL) {
		*n = cur_left(c);
		cur_skip(c, *n);
		return false;
	}
	*n = (size_t)(z - *s);
	cur_skip(c, *n + 1);
	return true;
}

/* Protocol::LengthEncodedInteger; the sticky error flag on 0xfb/0xff. */
static uint64_t
get_lenenc(struct cursor *c)
{
	uint8_t b = cur_get_u8(c);
	uint64_t v = 0;
	size_t k, i;

	if (b < 0xfb)
		return b;
	k = b == 0xfc ? 2 : b == 0xfd ? 3 : b == 0xfe ? 8 : 0;
	if (k == 0) {
		cur_skip(c, SIZE_MAX);	/* NULL or an error marker: not a length */
		return 0;
	}
	for (i = 0; i < k; i++)
		v |= (uint64_t)cur_get_u8(c) << (8 * i);
	return v;
}

static void
wipe_pw(struct mysql *s)
{
	explicit_bzero(s->pw, sizeof(s->pw));
	s->pw_len = 0;
}

static bool
challenge_plugin(const char *pl)
{
	return plugin_is(pl, "mysql_native_password") ||
	    plugin_is(pl, "caching_sha2_password") ||
	    plugin_is(pl, "mysql_old_password") ||
	    plugin_is(pl, "client_ed25519");
}

static bool
cleartext_plugin(const char *pl)
{
	return plugin_is(pl, "mysql_clear_password") || plugin_is(pl, "dialog");
}

/* Printable text ended by one \0: what a password sent in clear looks like. */
static bool
printable_cstr(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < 2 || p[n - 1] != 0)
		return false;
	for (i = 0; i + 1 < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static void
keep_pw(struct mysql *s, const char *pl, const uint8_t *p, size_t n)
{
	s->clear = true;
	s->clear_switched = s->switched;
	memcpy(s->clear_plugin, pl, sizeof(s->clear_plugin));
	/* Only a whole password: a prefix would fingerprint falsely. */
	s->pw_len = n > MY_PW_MAX ? 0 : n;
	memcpy(s->pw, p, s->pw_len);
}

/*
 * Auth data from the client for plugin `pl`: in the HandshakeResponse, after
 * an AuthSwitchRequest, or after AuthMoreData (`more`).
 */
static void
auth_data(struct mysql *s, const char *pl, const uint8_t *p, size_t n, bool more)
{
	if (n > 0)
		s->nonempty = true;
	if (more) {
		/* 0x02 / 0x01: the client asks for the RSA key; text: cleartext. */
		if (printable_cstr(p, n))
			keep_pw(s, pl, p, n - 1);
		else if (n > 1)
			s->rsa = true;
		return;
	}
	if (cleartext_plugin(pl)) {
		/* The password itself, \0-terminated. */
		if (n > 0 && p[n - 1] == 0)
			n--;
		if (n > 0)
			keep_pw(s, pl, p, n);
		else
			s->clear_empty = true;
	} else if (challenge_plugin(pl)) {
		if (n > 0) {
			s->scramble = true;
			s->scramble_switched = s->switched;
			memcpy(s->scramble_plugin, pl, sizeof(s->scramble_plugin));
		}
	} else if (plugin_is(pl, "sha256_password")) {
		if (printable_cstr(p, n))
			keep_pw(s, pl, p, n - 1);
		else if (n > 1)
			s->rsa = true;
	}
}

static void
login_begin(struct mysql *s, bool change_user)
{
	s->login = true;
	s->change_user = change_user;
	s->switched = false;
	s->ask = A_NONE;
	s->scramble = s->scramble_switched = false;
	s->clear = s->clear_empty = s->nonempty = s->rsa = false;
	s->scramble_plugin[0] = '\0';
	wipe_pw(s);
	s->state = M_AUTH;
}

static const char *
make_label(struct mysql *s, const char *pl, bool sw)
{
	const char *sfx = s->change_user ? (sw ? " (COM_CHANGE_USER, after auth switch)" :
	    " (COM_CHANGE_USER)") : sw ? " (after auth switch)" : "";

	snprintf(s->label, sizeof(s->label), "%s%s", pl[0] != '\0' ? pl :
	    "unknown plugin", sfx);
	return s->label;
}

/* The login in flight ends with `res`. */
static void
login_done(struct mysql *s, struct dec_ctx *ctx, enum auth_result res)
{
	struct finding f;

	if (!s->login)
		return;
	memset(&f, 0, sizeof(f));
	f.app_proto = "mysql";
	f.username = s->user_len > 0 ? s->user : NULL;
	f.username_len = s->user_len;
	f.username_truncated = s->user_truncated;
	f.result = res;
	f.gap_seen = s->gap_seen;
	if (s->clear) {
		f.kind = K_CLEARTEXT_CREDENTIALS;
		f.mechanism = make_label(s, s->clear_plugin, s->clear_switched);
		f.secret_seen = true;
		f.secret = s->pw;
		f.secret_len = s->pw_len;
		if (!cleartext_plugin(s->clear_plugin))
			f.reason = "full authentication: password sent without TLS";
		dec_emit(ctx, &f);
	} else if (s->scramble) {
		f.kind = K_CHALLENGE_RESPONSE;
		f.mechanism = make_label(s, s->scramble_plugin, s->scramble_switched);
		if (s->rsa)
			f.reason = "scramble crackable offline; then an RSA-encrypted password";
		dec_emit(ctx, &f);
	} else if (!s->nonempty && !s->rsa) {
		/* No auth data at all: an empty password, no secret crossed. */
		f.kind = cleartext_plugin(s->plugin) ? K_CLEARTEXT_CREDENTIALS :
		    K_CHALLENGE_RESPONSE;
		f.mechanism = make_label(s, s->plugin, s->switched);
		f.reason = "empty password";
		dec_emit(ctx, &f);
	}
	wipe_pw(s);
	s->login = false;
	s->ask = A_NONE;
}

/* Protocol::HandshakeV10. */
static enum dec_status
greeting(struct mysql *s, struct dec_ctx *ctx, struct cursor *c)
{
	const uint8_t *str;
	size_t n, alen;
	uint8_t proto = cur_get_u8(c);

	if (proto == 0xff)
		return DEC_DONE;	/* ERR instead of a greeting: host refused */
	if (proto != 10) {
		ctx->ctr->mismatch++;
		return DEC_MISMATCH;
	}
	get_cstr(c, &str, &n);			/* server version */
	cur_skip(c, 4 + 8 + 1);			/* connection id, scramble 1, filler */
	s->srv_caps = cur_get_u8(c);
	s->srv_caps |= (uint32_t)cur_get_u8(c) << 8;
	if (cur_left(c) > 0) {
		cur_skip(c, 1 + 2);		/* character set, status */
		s->srv_caps |= (uint32_t)cur_get_u8(c) << 16;
		s->srv_caps |= (uint32_t)cur_get_u8(c) << 24;
		alen = cur_get_u8(c);
		cur_skip(c, 10);
		if (s->srv_caps & CLIENT_SECURE_CONN)
			cur_skip(c, alen > 21 ? alen - 8 : 13);
		if ((s->srv_caps & CLIENT_PLUGIN_AUTH) && cur_ok(c)) {
			get_cstr(c, &str, &n);
			set_plugin(s->srv_plugin, str, n);
		}
	}
	if (!cur_ok(c))
		ctx->ctr->bad_framing++;
	s->state = M_LOGIN;
	return DEC_MORE;
}

/* Protocol::HandshakeResponse41 / 320, or an SSLRequest. */
static enum dec_status
response(struct mysql *s, struct dec_ctx *ctx, const struct my_dir *d)
{
	struct cursor c;
	const uint8_t *str, *auth = NULL;
	size_t n, alen = 0;
	uint64_t l;

	cur_init(&c, d->body, d->blen);
	s->caps = cur_get_u8(&c);
	s->caps |= (uint32_t)cur_get_u8(&c) << 8;
	if (s->caps & CLIENT_PROTOCOL_41) {
		s->caps |= (uint32_t)cur_get_u8(&c) << 16;
		s->caps |= (uint32_t)cur_get_u8(&c) << 24;
		cur_skip(&c, 4 + 1 + 23);	/* max packet, charset, filler */
		if ((s->caps & CLIENT_SSL) && d->len <= 32 && cur_ok(&c))
			return DEC_DONE;	/* SSLRequest: TLS follows */
	} else {
		cur_skip(&c, 3);		/* max packet */
		if ((s->caps & CLIENT_SSL) && d->len <= 5 && cur_ok(&c))
			return DEC_DONE;
	}
	if (!cur_ok(&c)) {
		ctx->ctr->bad_framing++;
		return DEC_DONE;
	}
	login_begin(s, false);
	get_cstr(&c, &str, &n);
	s->user_truncated = n > SASL_USER_MAX;
	s->user_len = n > SASL_USER_MAX ? SASL_USER_MAX : n;
	memcpy(s->user, str, s->user_len);
	if (!(s->caps & CLIENT_PROTOCOL_41)) {
		/* 320: the old scramble, \0-terminated only if a database follows. */
		if (s->caps & CLIENT_CONNECT_WITH_DB)
			get_cstr(&c, &auth, &alen);
		else {
			auth = cur_ptr(&c);
			alen = cur_left(&c);
		}
		memcpy(s->plugin, "mysql_old_password", sizeof("mysql_old_password"));
		auth_data(s, s->plugin, auth, alen, false);
		return DEC_MORE;
	}
	if (s->caps & CLIENT_LENENC_DATA) {
		l = get_lenenc(&c);
		alen = l < cur_left(&c) ? (size_t)l : cur_left(&c);
		auth = cur_ptr(&c);
		cur_skip(&c, alen);
	} else if (s->caps & CLIENT_SECURE_CONN) {
		alen = cur_get_u8(&c);
		alen = alen < cur_left(&c) ? alen : cur_left(&c);
		auth = cur_ptr(&c);
		cur_skip(&c, alen);
	} else
		get_cstr(&c, &auth, &alen);
	if (s->caps & CLIENT_CONNECT_WITH_DB)
		get_cstr(&c, &str, &n);
	if ((s->caps & CLIENT_PLUGIN_AUTH) && cur_left(&c) > 0) {
		get_cstr(&c, &str, &n);
		set_plugin(s->plugin, str, n);
	} else if ((s->caps & CLIENT_PLUGIN_AUTH) && s->srv_plugin[0] != '\0')
		memcpy(s->plugin, s->srv_plugin, sizeof(s->plugin));
	else if (!(s->caps & CLIENT_SECURE_CONN))
		memcpy(s->plugin, "mysql_old_password", sizeof("mysql_old_password"));
	else	/* a client without plugins speaks the 4.1 scramble */
		memcpy(s->plugin, "mysql_native_password", sizeof("mysql_native_password"));
	if (!cur_ok(&c))
		ctx->ctr->bad_framing++;
	auth_data(s, s->plugin, auth != NULL ? auth : d->body, auth != NULL ? alen : 0,
	    false);
	return DEC_MORE;
}

/* COM_CHANGE_USER: user, auth response, database, charset, plugin. */
static void
change_user(struct mysql *s, struct dec_ctx *ctx, const struct my_dir *d)
{
	struct cursor c;
	const uint8_t *str, *auth;
	size_t n, alen;

	cur_init(&c, d->body, d->blen);
	cur_skip(&c, 1);
	/*
	 * The sequence id wraps every 256 packets, so a long upload (LOAD
	 * DATA) can put 0x11 at the start of a packet with id 0: a command
	 * must hold a terminated, printable user name.
	 */
	if (!get_cstr(&c, &str, &n) || !printable_cstr(str, n + 1) ||
	    d->len > MY_BODY_MAX) {
		ctx->ctr->bad_framing++;
		return;
	}
	login_begin(s, true);
	s->user_truncated = n > SASL_USER_MAX;
	s->user_len = n > SASL_USER_MAX ? SASL_USER_MAX : n;
	memcpy(s->user, str, s->user_len);
	if (s->caps & CLIENT_SECURE_CONN) {
		alen = cur_get_u8(&c);
		alen = alen < cur_left(&c) ? alen : cur_left(&c);
		auth = cur_ptr(&c);
		cur_skip(&c, alen);
	} else
		get_cstr(&c, &auth, &alen);
	get_cstr(&c, &str, &n);			/* database */
	cur_skip(&c, 2);			/* character set */
	if ((s->caps & CLIENT_PLUGIN_AUTH) && cur_left(&c) > 0) {
		get_cstr(&c, &str, &n);
		set_plugin(s->plugin, str, n);
	} else
		memcpy(s->plugin, "mysql_native_password", sizeof("mysql_native_password"));
	auth_data(s, s->plugin, auth, alen, false);
}

static enum dec_status
server_packet(struct mysql *s, struct dec_ctx *ctx, const struct my_dir *d)
{
	struct cursor c;
	const uint8_t *str;
	size_t n;
	uint8_t b;

	cur_init(&c, d->body, d->blen);
	if (s->state == M_GREETING)
		return greeting(s, ctx, &c);
	if (s->state != M_AUTH || d->blen == 0)
		return DEC_MORE;
	b = cur_get_u8(&c);
	switch (b) {
	case 0x00:		/* OK_Packet */
		login_done(s, ctx, RES_SUCCESS);
		/* Compressed framing after login is not followed. */
		if (s->caps & CLIENT_COMPRESS)
			return DEC_DONE;
		s->state = M_COMMAND;
		return DEC_MORE;
	case 0xff:		/* ERR_Packet: 1045 access denied, ... */
		login_done(s, ctx, RES_FAILURE);
		if (!s->change_user)
			return DEC_DONE;
		s->state = M_COMMAND;
		return DEC_MORE;
	case 0xfe:		/* AuthSwitchRequest (a lone 0xfe: old password) */
		s->switched = true;
		if (cur_left(&c) == 0)
			memcpy(s->plugin, "mysql_old_password", sizeof("mysql_old_password"));
		else {
			get_cstr(&c, &str, &n);
			set_plugin(s->plugin, str, n);
		}
		s->ask = A_SWITCH;
		return DEC_MORE;
	case 0x01:		/* AuthMoreData */
		if (cur_left(&c) == 1 && cur_ptr(&c)[0] == 0x03)
			return DEC_MORE;	/* caching_sha2 fast auth: OK follows */
		s->ask = A_FULL;
		return DEC_MORE;
	default:
		/* A dialog plugin's next question. */
		s->ask = cleartext_plugin(s->plugin) ? A_SWITCH : A_FULL;
		return DEC_MORE;
	}
}

static enum dec_status
client_packet(struct mysql *s, struct dec_ctx *ctx, struct my_dir *d)
{
	enum dec_status rc = DEC_MORE;

	switch (s->state) {
	case M_LOGIN:
		rc = response(s, ctx, d);
		break;
	case M_AUTH:
		if (s->ask == A_NONE)
			break;
		auth_data(s, s->plugin, d->body, d->blen, s->ask == A_FULL);
		s->ask = A_NONE;
		break;
	case M_COMMAND:
		if (d->seq == 0 && d->blen > 0 && d->body[0] == COM_CHANGE_USER)
			change_user(s, ctx, d);
		break;
	default:
		break;
	}
	/* Auth packets may hold a password: nothing stays in the framer. */
	explicit_bzero(d->body, d->blen);
	return rc;
}

static enum dec_status
mysql_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct mysql *s = st;
	struct my_dir *d = &s->d[dir];
	enum dec_status rc;
	size_t take, keep;

	while (s->state != M_DONE) {
		if (!d->in_body) {
			if (n == 0)
				break;
			take = 4 - d->nhdr < n ? 4 - d->nhdr : n;
			memcpy(d->hdr + d->nhdr, p, take);
			d->nhdr += take;
			p += take;
			n -= take;
			if (d->nhdr < 4)
				break;
			d->nhdr = 0;
			d->len = (size_t)d->hdr[0] | (size_t)d->hdr[1] << 8 |
			    (size_t)d->hdr[2] << 16;
			d->seq = d->hdr[3];
			d->need = d->len;
			d->blen = 0;
			d->in_body = true;
		}
		take = d->need < n ? d->need : n;
		keep = MY_BODY_MAX - d->blen < take ? MY_BODY_MAX - d->blen : take;
		memcpy(d->body + d->blen, p, keep);
		d->blen += keep;
		d->need -= take;
		p += take;
		n -= take;
		if (d->need > 0)
			break;
		d->in_body = false;
		/* Client packets in the command phase other than ours: skipped. */
		rc = dir == DIR_S2C ? server_packet(s, ctx, d) : client_packet(s, ctx, d);
		if (rc != DEC_MORE) {
			s->state = M_DONE;
			return rc;
		}
	}
	return s->state == M_DONE ? DEC_DONE : DEC_MORE;
}

static void
mysql_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct mysql *s = st;

	(void)dir;
	(void)missing;
	ctx->ctr->gaps++;
	s->gap_seen = true;
	if (s->state == M_DONE)
		return;
	login_done(s, ctx, RES_UNKNOWN);
	s->state = M_DONE;	/* framing is lost */
}

static void
mysql_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct mysql *s = st;

	(void)why;
	login_done(s, ctx, RES_UNKNOWN);
}

static void
mysql_wipe(void *st)
{
	struct mysql *s = st;

	wipe_pw(s);
	explicit_bzero(s->d, sizeof(s->d));
	explicit_bzero(s->user, sizeof(s->user));
	s->user_len = 0;
}

static void
mysql_init(void *st, bool midstream)
{
	struct mysql *s = st;

	/* Midstream: assume a 4.1 client with plugins, as every current one is. */
	if (midstream) {
		s->caps = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONN | CLIENT_PLUGIN_AUTH;
		s->state = M_COMMAND;
	} else
		s->state = M_GREETING;
}

/*
 * Server: a Handshake v10 (protocol byte 10 after a header with sequence
 * id 0, then a printable version string).  Client: a HandshakeResponse41
 * or SSLRequest (sequence id 1, CLIENT_PROTOCOL_41, 23 zero filler bytes).
 */
static enum probe_result
mysql_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	size_t len, i;

	(void)dir;
	if (n >= 3 && p[2] != 0)
		return PROBE_NO;	/* no first packet is 64 KiB */
	if (n < 4)
		return PROBE_MAYBE;
	len = (size_t)p[0] | (size_t)p[1] << 8;
	if (p[3] == 0) {
		if (len < 20 || len > 1024 || (n >= 5 && p[4] != 10))
			return PROBE_NO;
		for (i = 5; i < n && i < 4 + len && p[i] != 0; i++)
			if (p[i] < 0x20 || p[i] > 0x7e)
				return PROBE_NO;
		if (i == n || i == 5)
			return i == n && i < 4 + len ? PROBE_MAYBE : PROBE_NO;
		*sender_is_server = true;
		return PROBE_YES;
	}
	if (p[3] != 1 || len < 32 || len > 4096)
		return PROBE_NO;
	if (n >= 6 && !(p[5] & (CLIENT_PROTOCOL_41 >> 8)))
		return PROBE_NO;
	for (i = 13; i < n && i < 36; i++)
		if (p[i] != 0)
			return PROBE_NO;
	if (n < 36)
		return PROBE_MAYBE;
	*sender_is_server = false;
	return PROBE_YES;
}

static const uint16_t mysql_ports[] = { 3306, 0 };

const struct decoder mysql_decoder = {
	.name = "mysql",
	.ports = mysql_ports,
	.state_size = sizeof(struct mysql),
	.probe = mysql_probe,
	.init = mysql_init,
	.data = mysql_data,
	.gap = mysql_gap,
	.end = mysql_end,
	.wipe = mysql_wipe,
};
