/*
 * alert.h - findings and the sink that writes them as JSON lines.
 *
 * The field names follow shared/docs/alert-contract.md.  A finding carries
 * secret bytes in one place only, `secret`, which nothing prints: it feeds
 * the keyed fingerprint (--secret-key-file) and is forgotten when
 * alert_emit() returns.  Everything else is what may be printed (username,
 * mechanism, result).
 */
#ifndef CREDLEAK_ALERT_H
#define CREDLEAK_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CREDLEAK_SCHEMA_VERSION	"1"

/* The connection a finding belongs to; client = the side that opened it. */
struct flow_info {
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 nvlan;		/* 0..2 */
	uint16_t	 vlan[2];	/* outermost first */
	uint8_t		 cli_addr[16];	/* IPv4 uses the first 4 bytes */
	uint8_t		 srv_addr[16];
	uint16_t	 cli_port;
	uint16_t	 srv_port;
	uint64_t	 flow_id;	/* the same for every event of this flow in a run */
	bool		 midstream;	/* handshake not seen; roles from content */
	uint8_t		 ipproto;	/* 6 TCP (also when 0), 17 UDP */
	const char	*input;		/* capture file name or interface */
};

enum finding_kind {
	K_CLEARTEXT_CREDENTIALS = 0,
	K_CLEARTEXT_AUTH_OFFERED,
	K_STARTTLS_NOT_OFFERED,
	K_STARTTLS_OFFERED_NOT_USED,
	K_STARTTLS_REFUSED,
	K_STARTTLS_STRIPPED,
	K_WEAK_TLS,
	K_UNAUTH_MAIL_ACCEPTED,
	K_CHALLENGE_RESPONSE,
	K__COUNT
};

enum auth_result {
	RES_UNKNOWN = 0,
	RES_SUCCESS,
	RES_FAILURE
};

/* Tri-state for facts the capture may not show. */
enum tri {
	TRI_UNKNOWN = 0,
	TRI_NO,
	TRI_YES
};

#define FINDING_MAX_MECHS	8

struct finding {
	enum finding_kind kind;
	const char	*app_proto;	/* "smtp", "pop3", ... */

	/* credential: cleartext_credentials and challenge_response_auth */
	const char	*mechanism;	/* "AUTH PLAIN", "USER/PASS", "APOP", ... */
	const uint8_t	*username;	/* raw wire bytes; sanitised on output; may be NULL */
	size_t		 username_len;
	bool		 username_truncated; /* the decoder kept only a prefix */
	enum auth_result result;
	bool		 anonymous;
	bool		 secret_seen;	/* a password/token crossed the wire (not just a username) */
	/*
	 * The secret itself (password, community string, token) as it crossed
	 * the wire, or NULL when the decoder did not keep it.  Never written
	 * anywhere: only hashed under the user's key for a fingerprint; valid
	 * only during alert_emit().
	 */
	const uint8_t	*secret;
	size_t		 secret_len;
	bool		 secret_well_known; /* a vendor default, e.g. SNMP "public" */

	/* tls: what is known of STARTTLS on this session */
	enum tri	 starttls_offered;
	bool		 starttls_requested;
	int		 starttls_reply;	/* SMTP reply code; POP3: 1 = +OK, -1 = -ERR; 0 = none */
	uint16_t	 tls_version;	/* after a handshake: negotiated version (0x0301 = TLS 1.0), 0 unknown */
	uint16_t	 tls_cipher;	/* after a handshake: negotiated cipher suite, 0 unknown */

	/* mechanisms_offered: cleartext mechanisms advertised, e.g. "PLAIN", "LOGIN", "USER" */
	const char	*mechs[FINDING_MAX_MECHS];
	size_t		 nmechs;

	/* unauthenticated_mail_accepted */
	unsigned	 rcpt_accepted;
	unsigned	 messages_accepted;
	/*
	 * What the relay judgement (aggregate.c) reads: the domains of the
	 * accepted RCPT TO addresses (the first few distinct, lower case), the
	 * host name of the server's greeting or EHLO answer (lower case; NULL
	 * unknown) and whether the server advertised AUTH.
	 */
#define FINDING_MAX_DOMAINS	4
	const char	*rcpt_domains[FINDING_MAX_DOMAINS];
	size_t		 nrcpt_domains;
	const char	*server_name;
	enum tri	 auth_offered;

	/* free text for a human, never wire data that could hold a secret */
	const char	*reason;

	bool		 gap_seen;	/* the session had holes; the finding may be partial */
};

/* Where findings go.  Opaque outside alerts/. */
struct alert_sink;
struct secret_key;

/*
 * How events are written: EVE, the contract's names (the default), or the
 * same events under Elastic Common Schema 8.x names (alerts/ecs.c).
 */
enum alert_format {
	ALERT_FORMAT_EVE = 0,
	ALERT_FORMAT_ECS
};

struct alert_opts {
	FILE		*out;		/* JSON lines (when path is NULL) */
	const char	*path;		/* append to this file (mode 0640), reopened on request */
	bool		 mask_usernames;
	const char	*sensor;	/* NULL: the host name */
	/*
	 * When set, every finding is also handed to hook (unit tests record
	 * findings this way); out may then be NULL to write nothing.
	 */
	void		(*hook)(void *arg, const struct flow_info *fi, uint64_t ts_us,
			    const struct finding *f);
	void		*hook_arg;
	enum alert_format format;	/* names of the fields written */
	/* --secret-key-file: fingerprint secrets under it (fingerprint.h); NULL: none */
	const struct secret_key *secret_key;
};

/*
 * Open a sink writing to opts->out, or to opts->path; flushes per line when
 * writing to opts->path or when out is not a regular file.
 */
struct alert_sink *alert_sink_new(const struct alert_opts *opts);

/*
 * Give the output file to uid/gid (before dropping root, so the file the
 * sensor created stays writable, and re-openable on SIGHUP, by it).
 * 0 when there is no output file.
 */
int alert_sink_chown(struct alert_sink *s, unsigned uid, unsigned gid);

/* Flush and free; -1 (errno set) if the output file could not be written. */
int alert_sink_free(struct alert_sink *s);

/*
 * Reopen the output file by its path (after logrotate renamed it): every
 * line already written is flushed to the old file first, and no line is
 * split between the two.  -1 (errno set) keeps the old file.
 */
int alert_sink_reopen(struct alert_sink *s);

/* Counters of a run, for "stats" events (event_type "stats"). */
#define STATS_MAX_WORKERS	64

struct stats_event {
	uint64_t	 ts_us;
	const char	*input;		/* interface or "offline" */
	bool		 final;		/* the totals at exit */
	uint64_t	 packets, bytes, flows, flows_active, alerts;
	uint64_t	 gaps, gap_bytes, evictions, anomalies;
	uint64_t	 mem_in_use, mem_peak;
	unsigned	 nworkers;
	struct {
		uint64_t packets, received, dropped, if_dropped;
	}		 worker[STATS_MAX_WORKERS];
};

/*
 * Write one event built as an EVE object (json.c's names) as a line in the
 * sink's format: as it is, or mapped to ECS (ecs.c), to the output and to
 * every syslog target.  o stays the caller's.  Every event type goes
 * through here, so --format applies to all of them.
 */
struct json_object;
void alert_write_event(struct alert_sink *s, struct json_object *o,
    const char *sev, const char *msgid);

/* Write one stats event as a JSON line. */
void alert_emit_stats(struct alert_sink *s, const struct stats_event *e);

/* Write one finding as a JSON line.  ts_us: time of the completing packet. */
void alert_emit(struct alert_sink *s, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f);

/* Findings written so far, by kind. */
uint64_t alert_count(const struct alert_sink *s, enum finding_kind k);

/* The contract's name of a kind: "cleartext_credentials", ... */
const char *finding_kind_name(enum finding_kind k);

/* Bytes alert_format_ts() needs: "2026-11-22T14:23:58.123456Z" and a NUL. */
#define ALERT_TS_LEN	32

/*
 * RFC 3339 text, UTC, with microseconds, of ts_us (microseconds since the
 * epoch) into buf; times past year 9999 are clamped.  Returns the length.
 */
size_t alert_format_ts(uint64_t ts_us, char *buf, size_t buflen);

/* Community ID v1 (seed 0) of a TCP flow into buf ("1:" + base64); buf >= 32 bytes. */
void community_id_v1(const struct flow_info *fi, uint8_t ipproto, char *buf, size_t buflen);

/*
 * Syslog outputs (alerts/syslog.c): every JSON line the sink writes also
 * goes, as the MSG of an RFC 5424 message, to each target added here.
 * SPEC: "unix" (/dev/log), "unix:PATH", "udp://HOST:PORT",
 * "tcp://HOST:PORT" (RFC 6587 octet counting; IPv6 as [ADDR]:PORT).
 * facility: a code from syslog_facility(), -1 for local0.  -1 with a
 * reason in err when SPEC is wrong, the name does not resolve, or a local
 * or UDP socket cannot be opened.  At most ALERT_SYSLOG_MAX targets.
 */
#define ALERT_SYSLOG_MAX	8

int alert_sink_add_syslog(struct alert_sink *s, const char *spec, int facility,
    char *err, size_t errlen);

/* Retry connecting and send what TCP targets queued; call now and then. */
void alert_sink_syslog_tick(struct alert_sink *s);

/*
 * Send what is queued, waiting at most 2 s in all, then close every
 * target (counters are kept for alert_sink_syslog_print).  alert_sink_free()
 * does it too when it was not done.
 */
void alert_sink_syslog_close(struct alert_sink *s);

/* One line per target: sent, dropped, queued. */
void alert_sink_syslog_print(struct alert_sink *s, FILE *fp);

/* The RFC 5424 §6.2.1 facility code of a name ("local0", "daemon"), or -1. */
int syslog_facility(const char *name);

/* One target; the sink holds them (json.c), under its lock. */
struct syslog_out;

struct syslog_out *syslog_out_new(const char *spec, int facility, char *err,
    size_t errlen);
/* line: one JSON line; severity: "high".."info"; msgid: kind or "stats". */
void syslog_out_send(struct syslog_out *t, const char *line,
    const char *severity, const char *msgid);
void syslog_out_tick(struct syslog_out *t);
/* Send what is queued until deadline_us (CLOCK_MONOTONIC), then close. */
void syslog_out_flush(struct syslog_out *t, uint64_t deadline_us);
void syslog_out_print(const struct syslog_out *t, FILE *fp);
void syslog_out_free(struct syslog_out *t);

#endif /* CREDLEAK_ALERT_H */
