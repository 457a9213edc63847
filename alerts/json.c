/*
 * json.c - findings as JSON lines (see alert.h).
 *
 * Specifications: shared/docs/alert-contract.md (field names and
 * meanings), RFC 8259 (JSON), RFC 3339 §5.6 (timestamps), RFC 3629 §4
 * (well-formed UTF-8), RFC 5952 (IPv6 text), Community ID v1
 * (github.com/corelight/community-id-spec), RFC 8314 §3.3 and the IANA
 * port registry (ports that carry implicit TLS).
 *
 * One compact object per line, nothing else on the stream.  json-c escapes
 * quotes, backslashes and control characters but passes bytes >= 0x80
 * through untouched, so every string that may hold wire bytes is first
 * sanitised here into printable, well-formed UTF-8.  A finding's secret
 * (alert.h) is never written: with --secret-key-file only its keyed
 * fingerprint is (fingerprint.c), so nothing written here can be a password.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>
#include <json.h>

#include "alert.h"
#include "aggregate.h"
#include "ecs.h"
#include "fingerprint.h"
#include "../decoders/tls.h"

#define USER_OUT_MAX	512	/* bytes of a sanitised username */
#define TEXT_IN_MAX	1024	/* bytes of any other string looked at */
#define TEXT_OUT_MAX	1024	/* bytes of another sanitised string */
#define SENSOR_MAX	256	/* bytes of a host name looked at */

/* The last second a four-digit year can write: 9999-12-31T23:59:59Z. */
#define TS_MAX_SEC	253402300799ULL

struct alert_sink {
	pthread_mutex_t	 mu;		/* workers share the sink: whole lines only */
	char		*path;		/* the output file, for reopening */
	FILE		*out;
	bool		 flush;		/* line by line: out is tailed */
	bool		 mask;
	enum alert_format format;
	const struct secret_key *key;	/* fingerprints; NULL: none */
	void		(*hook)(void *, const struct flow_info *, uint64_t,
			    const struct finding *);
	void		*hook_arg;
	char		 sensor[TEXT_OUT_MAX + 1];
	uint64_t	 count[K__COUNT];
	struct syslog_out *syslog[ALERT_SYSLOG_MAX];	/* syslog.c */
	size_t		 nsyslog;
	bool		 syslog_closed;
	struct agg	*agg;		/* aggregation, posture, relay (aggregate.c) */
};

static const char *const kind_names[K__COUNT] = {
	[K_CLEARTEXT_CREDENTIALS]	= "cleartext_credentials",
	[K_CLEARTEXT_AUTH_OFFERED]	= "cleartext_auth_offered",
	[K_STARTTLS_NOT_OFFERED]	= "starttls_not_offered",
	[K_STARTTLS_OFFERED_NOT_USED]	= "starttls_offered_not_used",
	[K_STARTTLS_REFUSED]		= "starttls_refused",
	[K_STARTTLS_STRIPPED]		= "starttls_stripped",
	[K_WEAK_TLS]			= "weak_tls",
	[K_UNAUTH_MAIL_ACCEPTED]	= "unauthenticated_mail_accepted",
	[K_CHALLENGE_RESPONSE]		= "challenge_response_auth",
};

const char *
finding_kind_name(enum finding_kind k)
{
	if ((unsigned)k >= K__COUNT)
		return "unknown";
	return kind_names[k];
}

/* --- sanitising ------------------------------------------------------ */

/* A bounded output string; a unit that does not fit ends it. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;		/* bytes of p, the NUL included */
	bool	 cut;		/* something did not fit */
};

static void
sb_init(struct sbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->cut = false;
	p[0] = '\0';
}

/* Append n bytes as one unit, or nothing at all. */
static bool
sb_put(struct sbuf *b, const void *p, size_t n)
{
	if (b->cut || n >= b->cap - b->len) {
		b->cut = true;
		return false;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

/*
 * Length of the printable character at p: 1 for printable ASCII, 2 to 4
 * for a well-formed UTF-8 sequence by RFC 3629 §4 (no overlong forms, no
 * surrogates D800-DFFF, nothing above U+10FFFF), 0 for anything else.
 * C1 controls (U+0080-U+009F) are well-formed but not printable: 0.
 */
static size_t
utf8_char(const uint8_t *p, size_t n)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (n == 0)
		return 0;
	if (p[0] >= 0x20 && p[0] < 0x7f)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		if (p[0] == 0xc2)
			lo = 0xa0;		/* C1 controls */
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else
		return 0;	/* controls, continuations, C0, C1, F5-FF */
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Append wire bytes as printable text: printable ASCII and well-formed
 * UTF-8 are kept, every other byte becomes the four characters "\xNN"
 * (which json-c writes as "\\xNN").  A backslash is kept as it is, so that
 * DOMAIN\user reads naturally.  Stops, with b->cut set, when full.
 */
static void
sb_sanitise(struct sbuf *b, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4];
	size_t k;

	while (n > 0) {
		if ((k = utf8_char(p, n)) > 0) {
			if (!sb_put(b, p, k))
				return;
		} else {
			k = 1;
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[p[0] >> 4];
			esc[3] = hex[p[0] & 0x0f];
			if (!sb_put(b, esc, sizeof(esc)))
				return;
		}
		p += k;
		n -= k;
	}
}

/*
 * Masked username (--mask-usernames): the first character of the local
 * part, then "***", then the "@domain" part if there is one, e.g.
 * "alice@example.org" -> "a***@example.org", "administrator" -> "a***".
 * A local part of one character is shown as "***" alone.  The length of
 * the name is not revealed.
 */
static void
sb_mask(struct sbuf *b, const uint8_t *u, size_t n)
{
	size_t local = n, first, i;

	for (i = n; i > 0; i--)
		if (u[i - 1] == '@') {
			local = i - 1;
			break;
		}
	if (local > 0) {
		if ((first = utf8_char(u, local)) == 0)
			first = 1;
		if (local > first)
			sb_sanitise(b, u, first);
	}
	sb_put(b, "***", 3);
	if (local < n)
		sb_sanitise(b, u + local, n - local);
}

static void
add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void
add_int(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void
add_bool(json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

/* A name, or "0xNNNN" when there is none. */
static void
add_code(json_object *o, const char *key, const char *name, uint16_t code)
{
	char buf[8];

	if (name == NULL) {
		snprintf(buf, sizeof(buf), "0x%04x", (unsigned)code);
		name = buf;
	}
	add_str(o, key, name);
}

/* A JSON string holding a sanitised copy of the C string s. */
static json_object *
text_json(const char *s)
{
	char buf[TEXT_OUT_MAX + 1];
	struct sbuf b;

	sb_init(&b, buf, sizeof(buf));
	sb_sanitise(&b, (const uint8_t *)s, strnlen(s, TEXT_IN_MAX));
	return json_object_new_string_len(b.p, (int)b.len);
}

/* Add the sanitised string s (NULL: `dflt`) to o. */
static void
add_text(json_object *o, const char *key, const char *s, const char *dflt)
{
	json_object_object_add(o, key, text_json(s != NULL ? s : dflt));
}

/* --- fields ---------------------------------------------------------- */

size_t
alert_format_ts(uint64_t ts_us, char *buf, size_t buflen)
{
	uint64_t sec = ts_us / 1000000, usec = ts_us % 1000000;
	struct tm tm;
	time_t t;
	int n;

	if (buf == NULL || buflen == 0)
		return 0;
	if (sec > TS_MAX_SEC) {
		sec = TS_MAX_SEC;
		usec = 999999;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL) {
		buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, buflen, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (unsigned)usec);
	if (n < 0 || (size_t)n >= buflen) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* IPv4 or IPv6 text; inet_ntop() writes RFC 5952 canonical IPv6. */
static void
add_addr(json_object *o, const char *key, uint8_t family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	assert(family == 4 || family == 6);
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf,
	    sizeof(buf)) == NULL)
		buf[0] = '\0';
	json_object_object_add(o, key, json_object_new_string(buf));
}

/*
 * Severity of a finding.  This is the rule the README documents:
 *
 *   cleartext_credentials          high; medium if the login failed;
 *                                  low if it was an anonymous login
 *   challenge_response_auth        medium; low if the login failed
 *   starttls_stripped              high (someone on the path tampers)
 *   cleartext_auth_offered,
 *   starttls_not_offered,
 *   starttls_offered_not_used,
 *   starttls_refused, weak_tls     medium
 *   unauthenticated_mail_accepted  from the relay judgement
 *                                  (aggregate.c): high for an open relay
 *                                  or submission without AUTH, low for
 *                                  delivery to the server's own domains;
 *                                  undecided: low to port 25, else medium
 */
static const char *
severity(const struct alert_sink *s, const struct flow_info *fi,
    const struct finding *f)
{
	switch (f->kind) {
	case K_CLEARTEXT_CREDENTIALS:
		if (f->anonymous)
			return "low";
		return f->result == RES_FAILURE ? "medium" : "high";
	case K_CHALLENGE_RESPONSE:
		return f->result == RES_FAILURE ? "low" : "medium";
	case K_STARTTLS_STRIPPED:
		return "high";
	case K_UNAUTH_MAIL_ACCEPTED:
		return agg_relay_severity(s->agg, fi, f);
	case K_CLEARTEXT_AUTH_OFFERED:
	case K_STARTTLS_NOT_OFFERED:
	case K_STARTTLS_OFFERED_NOT_USED:
	case K_STARTTLS_REFUSED:
	case K_WEAK_TLS:
	default:
		return "medium";
	}
}

static const char *
result_name(enum auth_result r)
{
	switch (r) {
	case RES_SUCCESS:
		return "success";
	case RES_FAILURE:
		return "failure";
	case RES_UNKNOWN:
	default:
		return "unknown";
	}
}

static json_object *
credential(const struct alert_sink *s, const struct finding *f)
{
	char buf[USER_OUT_MAX + 1], fp[FINGERPRINT_LEN];
	bool mask = s->mask;
	json_object *c;
	struct sbuf b;

	if ((c = json_object_new_object()) == NULL)
		return NULL;
	add_text(c, "mechanism", f->mechanism, "unknown");
	/* No username (e.g. NTLM not parsed): the field is left out. */
	if (f->username != NULL) {
		sb_init(&b, buf, sizeof(buf));
		if (mask)
			sb_mask(&b, f->username, f->username_len);
		else
			sb_sanitise(&b, f->username, f->username_len);
		json_object_object_add(c, "username",
		    json_object_new_string_len(b.p, (int)b.len));
		if (f->username_truncated || b.cut)
			add_bool(c, "username_truncated", true);
	}
	add_str(c, "result", result_name(f->result));
	add_bool(c, "anonymous", f->anonymous);
	add_bool(c, "password_seen", f->secret_seen);
	if (f->secret_well_known)
		add_bool(c, "well_known_secret", true);
	/* Only under the user's key (fingerprint.h); without one, nothing. */
	if (s->key != NULL && f->secret != NULL && f->secret_len > 0 &&
	    secret_fingerprint(s->key, f->secret, f->secret_len, fp, sizeof(fp)))
		add_str(c, "secret_fingerprint", fp);
	return c;
}

/*
 * Ports that by convention carry TLS from the first byte: submissions
 * (465, RFC 8314 §3.3), IMAPS (993), POP3S (995), FTPS control (990),
 * HTTPS (443), LDAPS (636).  A cleartext login there is no less a
 * cleartext login, but it says a client or server is misconfigured.
 */
static bool
implicit_tls_port(uint16_t port)
{
	static const uint16_t ports[] = { 465, 993, 995, 990, 443, 636 };
	size_t i;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (port == ports[i])
			return true;
	return false;
}

/* Mail protocols carry a tls object on every finding. */
static bool
wants_tls(const struct finding *f)
{
	static const char *const mail[] = { "smtp", "pop3", "imap" };
	size_t i;

	if (f->starttls_offered != TRI_UNKNOWN || f->starttls_requested ||
	    f->starttls_reply != 0 || f->tls_version != 0 || f->tls_cipher != 0)
		return true;
	if (f->app_proto == NULL)
		return false;
	for (i = 0; i < sizeof(mail) / sizeof(mail[0]); i++)
		if (strcmp(f->app_proto, mail[i]) == 0)
			return true;
	return false;
}

static json_object *
tls(const struct finding *f)
{
	json_object *t;

	if ((t = json_object_new_object()) == NULL)
		return NULL;
	if (f->starttls_offered != TRI_UNKNOWN)
		add_bool(t, "starttls_offered", f->starttls_offered == TRI_YES);
	add_bool(t, "starttls_requested", f->starttls_requested);
	if (f->starttls_reply != 0)
		add_int(t, "starttls_reply", f->starttls_reply);
	/* What the ServerHello negotiated; names from tls.c, else the code. */
	if (f->tls_version != 0)
		add_code(t, "version", tls_version_name(f->tls_version),
		    f->tls_version);
	if (f->tls_cipher != 0)
		add_code(t, "cipher", tls_cipher_name(f->tls_cipher),
		    f->tls_cipher);
	return t;
}

static json_object *
finding_json(const struct alert_sink *s, const struct flow_info *fi,
    uint64_t ts_us, const struct finding *f)
{
	char ts[ALERT_TS_LEN], cid[32];
	json_object *o, *a;
	size_t i, n;
	bool implicit;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	alert_format_ts(ts_us, ts, sizeof(ts));
	add_str(o, "timestamp", ts);
	add_str(o, "event_type", "credleak");
	add_str(o, "schema_version", CREDLEAK_SCHEMA_VERSION);
	add_str(o, "kind", finding_kind_name(f->kind));
	add_str(o, "severity", severity(s, fi, f));
	add_addr(o, "src_ip", fi->family, fi->cli_addr);
	add_int(o, "src_port", fi->cli_port);
	add_addr(o, "dest_ip", fi->family, fi->srv_addr);
	add_int(o, "dest_port", fi->srv_port);
	add_str(o, "proto", fi->ipproto == 17 ? "UDP" : "TCP");
	add_text(o, "app_proto", f->app_proto, "unknown");
	community_id_v1(fi, fi->ipproto == 17 ? 17 : 6, cid, sizeof(cid));
	add_str(o, "community_id", cid);
	json_object_object_add(o, "flow_id",
	    json_object_new_uint64(fi->flow_id));
	if (fi->nvlan > 0 && (a = json_object_new_array()) != NULL) {
		n = fi->nvlan < 2 ? fi->nvlan : 2;
		for (i = 0; i < n; i++)
			json_object_array_add(a,
			    json_object_new_int(fi->vlan[i]));
		json_object_object_add(o, "vlan", a);
	}
	add_str(o, "sensor", s->sensor);
	add_text(o, "input", fi->input, "");

	if (f->kind == K_CLEARTEXT_CREDENTIALS ||
	    f->kind == K_CHALLENGE_RESPONSE)
		json_object_object_add(o, "credential", credential(s, f));
	if (wants_tls(f))
		json_object_object_add(o, "tls", tls(f));
	if (f->nmechs > 0 && (a = json_object_new_array()) != NULL) {
		n = f->nmechs < FINDING_MAX_MECHS ? f->nmechs :
		    FINDING_MAX_MECHS;
		for (i = 0; i < n; i++)
			if (f->mechs[i] != NULL)
				json_object_array_add(a,
				    text_json(f->mechs[i]));
		json_object_object_add(o, "mechanisms_offered", a);
	}
	if (f->kind == K_UNAUTH_MAIL_ACCEPTED) {
		add_int(o, "rcpt_accepted", f->rcpt_accepted);
		add_int(o, "messages_accepted", f->messages_accepted);
		json_object_object_add(o, "relay", agg_relay_json(s->agg, fi, f));
	}
	implicit = f->kind == K_CLEARTEXT_CREDENTIALS &&
	    implicit_tls_port(fi->srv_port);
	if (implicit)
		add_bool(o, "implicit_tls_port", true);
	if (f->reason != NULL)
		add_text(o, "reason", f->reason, "");
	else if (implicit)
		add_str(o, "reason", "cleartext login on a port that "
		    "conventionally carries implicit TLS");
	if (f->gap_seen)
		add_bool(o, "gap_seen", true);
	if (fi->midstream)
		add_bool(o, "midstream", true);
	return o;
}

/* --- the sink -------------------------------------------------------- */

/*
 * libgcrypt wants gcry_check_version() before use.  nDPI initialises it
 * the same way when it gets there first; single-threaded use only.
 */
static void
gcrypt_init(void)
{
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_check_version(NULL);
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
}

/* Append-only, created 0640: alerts name users and servers. */
static FILE *
open_output(const char *path)
{
	int fd;
	FILE *fp;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0)
		return NULL;
	if ((fp = fdopen(fd, "a")) == NULL)
		close(fd);
	return fp;
}

struct alert_sink *
alert_sink_new(const struct alert_opts *opts)
{
	char host[SENSOR_MAX + 1];
	struct alert_sink *s;
	struct stat st;
	const char *name;
	struct sbuf b;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	gcrypt_init();
	pthread_mutex_init(&s->mu, NULL);
	s->out = opts->out;
	if (opts->path != NULL) {
		if ((s->path = strdup(opts->path)) == NULL ||
		    (s->out = open_output(opts->path)) == NULL) {
			int e = errno;

			free(s->path);
			pthread_mutex_destroy(&s->mu);
			free(s);
			errno = e;
			return NULL;
		}
	}
	s->mask = opts->mask_usernames;
	s->format = opts->format;
	s->key = opts->secret_key;
	s->hook = opts->hook;
	s->hook_arg = opts->hook_arg;
	/*
	 * Standard output into a regular file is flushed by stdio; anything
	 * else is tailed live, and so is an -o file (a log shipper follows
	 * it: a quiet sensor must not hold a finding back in a buffer).
	 */
	if (s->out != NULL)
		s->flush = s->path != NULL ||
		    fstat(fileno(s->out), &st) != 0 || !S_ISREG(st.st_mode);

	name = opts->sensor;
	if (name == NULL) {
		if (gethostname(host, sizeof(host) - 1) != 0)
			strcpy(host, "unknown");
		host[sizeof(host) - 1] = '\0';
		name = host;
	}
	sb_init(&b, s->sensor, sizeof(s->sensor));
	sb_sanitise(&b, (const uint8_t *)name, strnlen(name, TEXT_IN_MAX));
	return s;
}

int
alert_sink_free(struct alert_sink *s)
{
	size_t i;
	int rc = 0;

	if (s == NULL)
		return 0;
	alert_sink_syslog_close(s);
	for (i = 0; i < s->nsyslog; i++)
		syslog_out_free(s->syslog[i]);
	if (s->out != NULL && fflush(s->out) != 0)
		rc = -1;
	if (s->path != NULL && s->out != NULL && fclose(s->out) != 0)
		rc = -1;
	agg_free(s->agg);
	free(s->path);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return rc;
}

int
alert_sink_chown(struct alert_sink *s, unsigned uid, unsigned gid)
{
	int rc = 0;

	if (s == NULL || s->path == NULL)
		return 0;
	pthread_mutex_lock(&s->mu);
	if (s->out != NULL && fchown(fileno(s->out), (uid_t)uid, (gid_t)gid) != 0)
		rc = -1;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
alert_sink_reopen(struct alert_sink *s)
{
	FILE *fp, *old;

	if (s == NULL || s->path == NULL)
		return 0;
	if ((fp = open_output(s->path)) == NULL)
		return -1;
	pthread_mutex_lock(&s->mu);
	old = s->out;
	s->out = fp;
	pthread_mutex_unlock(&s->mu);
	if (old != NULL)
		fclose(old);	/* flushes what the old file still had buffered */
	return 0;
}

/*
 * One whole line to the output, and to each syslog target (which never
 * blocks: syslog.c), under the lock.  sev and msgid head the syslog message.
 */
static void
write_line(struct alert_sink *s, const char *line, const char *sev,
    const char *msgid)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	if (s->out != NULL) {
		fputs(line, s->out);
		fputc('\n', s->out);
		if (s->flush)
			fflush(s->out);
	}
	if (!s->syslog_closed)
		for (i = 0; i < s->nsyslog; i++)
			syslog_out_send(s->syslog[i], line, sev, msgid);
	pthread_mutex_unlock(&s->mu);
}

void
alert_write_event(struct alert_sink *s, struct json_object *o,
    const char *sev, const char *msgid)
{
	json_object *ecs = NULL;
	const char *line;

	if (s->format == ALERT_FORMAT_ECS) {
		if ((ecs = ecs_from_eve(o)) == NULL)
			return;
		o = ecs;
	}
	line = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (line != NULL)
		write_line(s, line, sev, msgid);
	json_object_put(ecs);
}

int
alert_sink_add_syslog(struct alert_sink *s, const char *spec, int facility,
    char *err, size_t errlen)
{
	struct syslog_out *t;

	if (s->nsyslog == ALERT_SYSLOG_MAX) {
		snprintf(err, errlen, "at most %d syslog targets",
		    ALERT_SYSLOG_MAX);
		return -1;
	}
	if ((t = syslog_out_new(spec, facility, err, errlen)) == NULL)
		return -1;
	pthread_mutex_lock(&s->mu);
	s->syslog[s->nsyslog++] = t;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void
alert_sink_syslog_tick(struct alert_sink *s)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; !s->syslog_closed && i < s->nsyslog; i++)
		syslog_out_tick(s->syslog[i]);
	pthread_mutex_unlock(&s->mu);
}

/* At exit: one shared bound, so several dead collectors cost 2 s, not 2 s each. */
void
alert_sink_syslog_close(struct alert_sink *s)
{
	struct timespec ts;
	uint64_t deadline;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (uint64_t)ts.tv_sec * 1000000 +
	    (uint64_t)ts.tv_nsec / 1000 + 2000000;
	pthread_mutex_lock(&s->mu);
	for (i = 0; !s->syslog_closed && i < s->nsyslog; i++)
		syslog_out_flush(s->syslog[i], deadline);
	s->syslog_closed = true;
	pthread_mutex_unlock(&s->mu);
}

void
alert_sink_syslog_print(struct alert_sink *s, FILE *fp)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nsyslog; i++)
		syslog_out_print(s->syslog[i], fp);
	pthread_mutex_unlock(&s->mu);
}

void
alert_emit_stats(struct alert_sink *s, const struct stats_event *e)
{
	char ts[ALERT_TS_LEN];
	json_object *o, *k, *ws, *w;
	uint64_t rx = 0, drop = 0, ifdrop = 0;
	unsigned i;

	if (s == NULL || (s->out == NULL && s->path == NULL && s->nsyslog == 0))
		return;
	if ((o = json_object_new_object()) == NULL)
		return;
	alert_format_ts(e->ts_us, ts, sizeof(ts));
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	json_object_object_add(o, "event_type", json_object_new_string("stats"));
	json_object_object_add(o, "schema_version",
	    json_object_new_string(CREDLEAK_SCHEMA_VERSION));
	json_object_object_add(o, "sensor", json_object_new_string(s->sensor));
	json_object_object_add(o, "input", json_object_new_string(
	    e->input != NULL ? e->input : ""));
	json_object_object_add(o, "final", json_object_new_boolean(e->final));
#define U64(name, v) json_object_object_add(o, name, json_object_new_uint64(v))
	U64("packets", e->packets);
	U64("bytes", e->bytes);
	U64("flows", e->flows);
	U64("flows_active", e->flows_active);
	U64("alerts", e->alerts);
	U64("gaps", e->gaps);
	U64("gap_bytes", e->gap_bytes);
	U64("evictions", e->evictions);
	U64("anomalies", e->anomalies);
	U64("memory_bytes", e->mem_in_use);
	U64("memory_peak_bytes", e->mem_peak);
#undef U64
	ws = json_object_new_array();
	for (i = 0; i < e->nworkers && i < STATS_MAX_WORKERS; i++) {
		w = json_object_new_object();
		json_object_object_add(w, "worker", json_object_new_int((int)i));
		json_object_object_add(w, "packets",
		    json_object_new_uint64(e->worker[i].packets));
		json_object_object_add(w, "received",
		    json_object_new_uint64(e->worker[i].received));
		json_object_object_add(w, "dropped",
		    json_object_new_uint64(e->worker[i].dropped));
		json_object_object_add(w, "if_dropped",
		    json_object_new_uint64(e->worker[i].if_dropped));
		json_object_array_add(ws, w);
		rx += e->worker[i].received;
		drop += e->worker[i].dropped;
		ifdrop += e->worker[i].if_dropped;
	}
	k = json_object_new_object();
	json_object_object_add(k, "received", json_object_new_uint64(rx));
	json_object_object_add(k, "dropped", json_object_new_uint64(drop));
	json_object_object_add(k, "if_dropped", json_object_new_uint64(ifdrop));
	json_object_object_add(o, "kernel", k);
	json_object_object_add(o, "workers", ws);
	agg_stats_json(s->agg, o);	/* aggregation and posture counters */
	alert_write_event(s, o, "info", "stats");
	json_object_put(o);
}

void
alert_emit(struct alert_sink *s, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	json_object *o;

	assert(s != NULL && fi != NULL && f != NULL);
	assert((unsigned)f->kind < K__COUNT);
	pthread_mutex_lock(&s->mu);
	s->count[f->kind]++;
	pthread_mutex_unlock(&s->mu);
	if (s->hook != NULL)
		s->hook(s->hook_arg, fi, ts_us, f);
	/* Posture counts every finding, written or folded into a summary. */
	agg_posture(s->agg, fi, ts_us, f);
	if (s->out == NULL && s->nsyslog == 0)
		return;
	if ((o = finding_json(s, fi, ts_us, f)) == NULL)
		return;
	if (agg_first(s->agg, s, fi, ts_us, f, o, severity(s, fi, f)))
		alert_write_event(s, o, severity(s, fi, f),
		    finding_kind_name(f->kind));
	json_object_put(o);
}

void
alert_sink_set_agg(struct alert_sink *s, struct agg *a)
{
	agg_free(s->agg);
	s->agg = a;
}

struct agg *
alert_sink_agg(struct alert_sink *s)
{
	return s->agg;
}

const char *
alert_sink_sensor(const struct alert_sink *s)
{
	return s->sensor;
}

size_t
alert_username_text(bool mask, const uint8_t *u, size_t n, char *buf,
    size_t buflen)
{
	struct sbuf b;

	if (buf == NULL || buflen == 0)
		return 0;
	sb_init(&b, buf, buflen);
	if (mask)
		sb_mask(&b, u, n);
	else
		sb_sanitise(&b, u, n);
	return b.len;
}

uint64_t
alert_count(const struct alert_sink *s, enum finding_kind k)
{
	uint64_t n;

	if (s == NULL || (unsigned)k >= K__COUNT)
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)(uintptr_t)&s->mu);
	n = s->count[k];
	pthread_mutex_unlock((pthread_mutex_t *)(uintptr_t)&s->mu);
	return n;
}

/* --- Community ID ---------------------------------------------------- */

/* RFC 4648 §4 base64 with padding; out needs 4 * ((n + 2) / 3) + 1 bytes. */
static void
base64(const uint8_t *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 0x3f];
		*out++ = tab[(v >> 6) & 0x3f];
		*out++ = tab[v & 0x3f];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 0x3f];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 0x3f];
		*out++ = tab[(v >> 6) & 0x3f];
		*out++ = '=';
	}
	*out = '\0';
}

/*
 * Community ID v1, seed 0: SHA-1 over seed (2 bytes), the two addresses,
 * protocol (1 byte), a zero pad byte and, for protocols with ports, the
 * two ports, all in network byte order; the endpoints ordered so that the
 * smaller (address, port) comes first.  ICMP types and codes would go in
 * the port fields, mapped as the spec says; flows here are TCP.
 */
void
community_id_v1(const struct flow_info *fi, uint8_t ipproto, char *buf,
    size_t buflen)
{
	uint8_t in[2 + 16 + 16 + 1 + 1 + 2 + 2], dig[20];
	const uint8_t *a1, *a2, *t;
	size_t alen, n = 0;
	uint16_t p1, p2, tp;
	bool ports;
	int cmp;

	if (buf == NULL || buflen == 0)
		return;
	buf[0] = '\0';
	if (buflen < 2 + 28 + 1 || (fi->family != 4 && fi->family != 6))
		return;
	ports = ipproto == 1 || ipproto == 6 || ipproto == 17 ||
	    ipproto == 58 || ipproto == 132;
	alen = fi->family == 6 ? 16 : 4;
	a1 = fi->cli_addr;
	a2 = fi->srv_addr;
	p1 = ports ? fi->cli_port : 0;
	p2 = ports ? fi->srv_port : 0;
	cmp = memcmp(a1, a2, alen);
	if (cmp > 0 || (cmp == 0 && p1 > p2)) {
		t = a1, a1 = a2, a2 = t;
		tp = p1, p1 = p2, p2 = tp;
	}

	in[n++] = 0;			/* seed 0, big-endian */
	in[n++] = 0;
	memcpy(in + n, a1, alen);
	n += alen;
	memcpy(in + n, a2, alen);
	n += alen;
	in[n++] = ipproto;
	in[n++] = 0;			/* pad */
	if (ports) {
		in[n++] = p1 >> 8;
		in[n++] = p1 & 0xff;
		in[n++] = p2 >> 8;
		in[n++] = p2 & 0xff;
	}

	gcrypt_init();
	gcry_md_hash_buffer(GCRY_MD_SHA1, dig, in, n);
	memcpy(buf, "1:", 2);
	base64(dig, sizeof(dig), buf + 2);
}
