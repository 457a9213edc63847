/*
 * aggregate.c - aggregation of repeated findings, per-server posture, the
 * --report text and the relay judgement (see aggregate.h).
 *
 * Aggregation.  A POP3 client polling every minute logs in 60 times an
 * hour; a SIEM wants that once, with a count.  A finding is identified by
 * a key: for credential kinds (kind, server address and port, app_proto,
 * mechanism, username, result, anonymous) - a failure is not the same
 * finding as a success; for the per-server kinds the alert contract names
 * (cleartext_auth_offered, starttls_not_offered) the server alone; for
 * weak_tls the server and what was negotiated; for the kinds that describe
 * what one client did (STARTTLS unused, refused or stripped, mail accepted
 * without AUTH) the server and the client's address.  The first occurrence
 * of a key in a window is written at once, exactly as without aggregation;
 * the others are counted, and when the window closes one summary line is
 * written: the last occurrence's fields plus an "aggregate" object (count
 * of every occurrence in the window, the first included; first and last
 * seen).  No summary when the key occurred once.  Windows are in packet
 * time (captures are read offline at any speed); offline the default
 * window is the whole run.  The table is capped: when full, the oldest
 * key's summary is written early and a counter says so.
 *
 * Posture.  Every finding, before aggregation, also updates its server's
 * row (address, port, app_proto): which remediation advisories the
 * traffic confirmed, counts, distinct users (exact up to a cap, then "at
 * least"), first and last seen.  One "posture" event per server at the end
 * of the run (and every --posture-interval live), worst first; --report
 * prints the same in words with the configuration that fixes each.
 *
 * Relay judgement.  unauthenticated_mail_accepted on port 25 is what an MX
 * does for its own domains; to a foreign domain it is an open relay; on a
 * submission port (RFC 6409 §4.3, RFC 8314 §3.3) it is a server that should
 * have required AUTH.  --home-net and --local-domains say which servers
 * and domains are ours; without them the session's own evidence is used
 * (port, AUTH advertised, recipient domain under the greeting's domain)
 * and the "basis" field says which.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "../decoders/tls.h"

#define KEY_MAX		768	/* bytes of a key: fixed part, mechanism, username */
#define KEY_USER_MAX	512	/* username bytes in a key (json.c prints no more) */
#define APP_MAX		16	/* app_proto bytes kept */
#define POSTURE_USERS	128	/* distinct users counted exactly per server */
#define POSTURE_NAMES	5	/* user names kept for the report */
#define NAME_MAX_TXT	72	/* bytes of one kept (sanitised) name */
/*
 * Sessions with findings are counted once each: tags of (flow id,
 * server) seen, in a direct-mapped table (flow ids are unique in a run).
 * Two sessions that share a slot and whose findings interleave count
 * twice: with 8 192 slots, rare until hundreds of sessions have findings
 * at once.
 */
#define SESSION_SLOTS	8192	/* 2^13: the slot is the tag's top 13 bits */
#define POSTURE_MECHS	8	/* mechanism names kept per server */
#define MECH_TXT	64
#define NETS_MAX	64	/* --home-net entries */
#define DOMAINS_MAX	64	/* --local-domains entries */
#define DOMAIN_TXT	128

/* --- the aggregation table ---------------------------------------------- */

struct agg_entry {
	struct agg_entry *hnext;		/* bucket chain */
	struct agg_entry *prev, *next;		/* creation order: oldest first */
	uint64_t	 hash;
	uint64_t	 first, last, count;
	char		*line;		/* last occurrence as written (EVE); NULL while count is 1 */
	const char	*sev;		/* its severity (a static string) */
	enum finding_kind kind;
	size_t		 klen;
	uint8_t		 key[];
};

/* --- the posture table -------------------------------------------------- */

enum relay_j {
	RJ_NONE = 0,
	RJ_INBOUND,
	RJ_OUTBOUND,
	RJ_UNKNOWN,
	RJ_SUBMISSION,
	RJ_OPEN_RELAY
};

static const char *const rj_names[] = {
	[RJ_NONE] = "none", [RJ_INBOUND] = "inbound_delivery",
	[RJ_OUTBOUND] = "outbound_delivery", [RJ_UNKNOWN] = "unknown",
	[RJ_SUBMISSION] = "submission_without_auth",
	[RJ_OPEN_RELAY] = "open_relay",
};

struct server {
	struct server	*hnext;
	uint64_t	 id;		/* 1, 2, ... in order of creation */
	uint8_t		 family, ipproto;
	uint8_t		 addr[16];
	uint16_t	 port;
	char		 app[APP_MAX];
	uint64_t	 first, last;
	uint64_t	 kinds[K__COUNT];	/* findings by kind */
	uint64_t	 login_ok, login_fail, login_unknown, login_anon;
	uint64_t	 sessions;
	uint64_t	 users[POSTURE_USERS];	/* hashes of distinct usernames */
	unsigned	 nusers;
	bool		 users_capped;
	char		 names[POSTURE_NAMES][NAME_MAX_TXT];
	unsigned	 nnames;
	char		 mechs[POSTURE_MECHS][MECH_TXT];	/* advertised in clear */
	unsigned	 nmechs;
	char		 logins[POSTURE_MECHS][MECH_TXT];	/* used in clear */
	unsigned	 nlogins;
	uint16_t	 weakest_tls;		/* lowest weak version seen, 0 none */
	enum relay_j	 relay;			/* worst judgement seen */
	int		 score;			/* filled when written */
};

struct net {
	uint8_t		 family;
	uint8_t		 addr[16];
	unsigned	 bits;
};

struct agg {
	pthread_mutex_t	 mu;
	struct agg_opts	 o;
	/* aggregation */
	struct agg_entry **buckets;
	size_t		 nbuckets;	/* a power of two */
	struct agg_entry *head, *tail;
	size_t		 nkeys;
	uint64_t	 suppressed, summaries, evicted;
	/* posture */
	uint64_t	*session_seen;	/* SESSION_SLOTS flow ids + 1 */
	struct server	**sbuckets;
	size_t		 nsbuckets;
	struct server	**servers;	/* in order of appearance */
	size_t		 nservers;
	uint64_t	 servers_dropped;
	uint64_t	 max_ts;	/* latest packet time of a finding */
	uint64_t	 next_posture;	/* live: when the next posture events are due */
	bool		 ended;
	/* relay judgement */
	struct net	 nets[NETS_MAX];
	size_t		 nnets;
	char		 domains[DOMAINS_MAX][DOMAIN_TXT];
	size_t		 ndomains;
};

/* FNV-1a, 64 bits: keys are hashed, then compared in full. */
static uint64_t
fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t
pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* --- options ------------------------------------------------------------ */

static bool
parse_nets(struct agg *a, const char *spec, char *err, size_t errlen)
{
	char buf[128], *slash, *end;
	const char *p = spec, *q;
	struct net *n;
	unsigned long bits;
	size_t len;

	while (*p != '\0') {
		q = strchr(p, ',');
		len = q != NULL ? (size_t)(q - p) : strlen(p);
		if (len == 0 || len >= sizeof(buf) || a->nnets == NETS_MAX) {
			snprintf(err, errlen, "--home-net: bad list (at most %d "
			    "CIDRs, comma-separated)", NETS_MAX);
			return false;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		n = &a->nets[a->nnets];
		memset(n, 0, sizeof(*n));
		if ((slash = strchr(buf, '/')) != NULL)
			*slash = '\0';
		if (inet_pton(AF_INET, buf, n->addr) == 1)
			n->family = 4;
		else if (inet_pton(AF_INET6, buf, n->addr) == 1)
			n->family = 6;
		else {
			snprintf(err, errlen, "--home-net: '%s' is not an "
			    "address", buf);
			return false;
		}
		bits = n->family == 4 ? 32 : 128;
		if (slash != NULL) {
			bits = strtoul(slash + 1, &end, 10);
			if (end == slash + 1 || *end != '\0' ||
			    bits > (n->family == 4 ? 32u : 128u)) {
				snprintf(err, errlen, "--home-net: bad prefix "
				    "length in '%.*s'", (int)len, p);
				return false;
			}
		}
		n->bits = (unsigned)bits;
		a->nnets++;
		p += len;
		if (*p == ',')
			p++;
	}
	return true;
}

static bool
parse_domains(struct agg *a, const char *spec, char *err, size_t errlen)
{
	const char *p = spec, *q;
	size_t len, i;
	char *d;

	while (*p != '\0') {
		q = strchr(p, ',');
		len = q != NULL ? (size_t)(q - p) : strlen(p);
		if (len > 0 && p[0] == '.')	/* ".example.org" as example.org */
			p++, len--;
		if (len == 0 || len >= DOMAIN_TXT || a->ndomains == DOMAINS_MAX) {
			snprintf(err, errlen, "--local-domains: bad list (at most "
			    "%d domains of %d bytes, comma-separated)",
			    DOMAINS_MAX, DOMAIN_TXT - 1);
			return false;
		}
		d = a->domains[a->ndomains++];
		for (i = 0; i < len; i++)
			d[i] = (char)tolower((unsigned char)p[i]);
		d[len] = '\0';
		p += len;
		if (*p == ',')
			p++;
	}
	return true;
}

struct agg *
agg_new(const struct agg_opts *o, char *err, size_t errlen)
{
	struct agg *a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->mu, NULL);
	a->o = *o;
	if (a->o.max_keys == 0)
		a->o.max_keys = AGG_MAX_KEYS;
	if (a->o.max_servers == 0)
		a->o.max_servers = AGG_MAX_SERVERS;
	a->o.home_net = a->o.local_domains = NULL;	/* not kept */
	if ((o->home_net != NULL && !parse_nets(a, o->home_net, err, errlen)) ||
	    (o->local_domains != NULL &&
	    !parse_domains(a, o->local_domains, err, errlen))) {
		agg_free(a);
		return NULL;
	}
	a->nbuckets = pow2_at_least(a->o.max_keys);
	a->nsbuckets = pow2_at_least(a->o.max_servers);
	a->buckets = calloc(a->nbuckets, sizeof(struct agg_entry *));
	a->sbuckets = calloc(a->nsbuckets, sizeof(struct server *));
	a->servers = calloc(a->o.max_servers, sizeof(struct server *));
	a->session_seen = calloc(SESSION_SLOTS, sizeof(uint64_t));
	if (a->buckets == NULL || a->sbuckets == NULL || a->servers == NULL ||
	    a->session_seen == NULL) {
		agg_free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return a;
}

void
agg_free(struct agg *a)
{
	struct agg_entry *e, *n;
	size_t i;

	if (a == NULL)
		return;
	for (e = a->head; e != NULL; e = n) {
		n = e->next;
		free(e->line);
		free(e);
	}
	for (i = 0; a->servers != NULL && i < a->nservers; i++)
		free(a->servers[i]);
	free(a->buckets);
	free(a->sbuckets);
	free(a->session_seen);
	free(a->servers);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

/* --- the relay judgement ------------------------------------------------ */

static bool
in_nets(const struct agg *a, uint8_t family, const uint8_t *addr)
{
	const struct net *n;
	unsigned full, rest;
	size_t i;

	for (i = 0; a != NULL && i < a->nnets; i++) {
		n = &a->nets[i];
		if (n->family != family)
			continue;
		full = n->bits / 8;
		rest = n->bits % 8;
		if (memcmp(n->addr, addr, full) != 0)
			continue;
		if (rest != 0 && ((n->addr[full] ^ addr[full]) &
		    (uint8_t)(0xff << (8 - rest))) != 0)
			continue;
		return true;
	}
	return false;
}

/* d is parent, or a name under it ("x.example.org" under "example.org"). */
static bool
dom_under(const char *d, const char *parent)
{
	size_t dl = strlen(d), pl = strlen(parent);

	if (pl == 0 || dl < pl)
		return false;
	if (dl == pl)
		return strcmp(d, parent) == 0;
	return d[dl - pl - 1] == '.' && strcmp(d + dl - pl, parent) == 0;
}

/*
 * A recipient domain is the server's own, by its greeting, when the
 * server's host name lies under it (mail.example.org for example.org), or
 * it lies under the host's parent domain, when that parent still has two
 * labels (example.org for mx1.example.org; not "org").
 */
static bool
greeting_local(const char *d, const char *host)
{
	const char *parent = strchr(host, '.');

	/* RFC 6761 §6.3: localhost names are the server itself. */
	if (dom_under(d, "localhost"))
		return true;
	if (dom_under(host, d))
		return true;
	return parent != NULL && strchr(parent + 1, '.') != NULL &&
	    dom_under(d, parent + 1);
}

static bool
list_local(const struct agg *a, const char *d)
{
	size_t i;

	for (i = 0; i < a->ndomains; i++)
		if (dom_under(d, a->domains[i]))
			return true;
	return false;
}

struct relay_v {
	enum relay_j	 j;
	const char	*basis;
};

static void
judge(const struct agg *a, const struct flow_info *fi, const struct finding *f,
    struct relay_v *v)
{
	bool home = a != NULL && a->nnets > 0;
	bool listed = a != NULL && a->ndomains > 0;
	const char *dbasis = NULL;
	int local = -1;		/* 1 every domain local, 0 one foreign, -1 unknown */
	size_t i;

	/* RFC 6409 §4.3 / RFC 8314 §3.3: submission wants AUTH, always. */
	if (fi->srv_port == 587 || fi->srv_port == 465) {
		v->j = RJ_SUBMISSION;
		v->basis = "port";
		return;
	}
	if (f->nrcpt_domains > 0 && (listed || f->server_name != NULL)) {
		local = 1;
		dbasis = listed ? "local_domains" : "greeting_domain";
		for (i = 0; i < f->nrcpt_domains && i < FINDING_MAX_DOMAINS; i++)
			if (f->rcpt_domains[i] != NULL && !(listed ?
			    list_local(a, f->rcpt_domains[i]) :
			    greeting_local(f->rcpt_domains[i], f->server_name)))
				local = 0;
	}
	if (home && !in_nets(a, fi->family, fi->srv_addr)) {
		/* Not our server: our client delivering elsewhere. */
		v->j = RJ_OUTBOUND;
		v->basis = "home_net";
		return;
	}
	if (local >= 0) {
		v->j = local ? RJ_INBOUND : RJ_OPEN_RELAY;
		if (home)
			v->basis = listed ? "home_net+local_domains" :
			    "home_net+greeting_domain";
		else
			v->basis = dbasis;
		return;
	}
	if (f->auth_offered == TRI_YES) {
		/* It offers AUTH, so it expects logins: mail without one. */
		v->j = RJ_SUBMISSION;
		v->basis = "auth_advertised";
		return;
	}
	v->j = RJ_UNKNOWN;
	v->basis = home ? "home_net" : "port";
}

static const char *
rj_severity(enum relay_j j, uint16_t port)
{
	switch (j) {
	case RJ_OPEN_RELAY:
	case RJ_SUBMISSION:
		return "high";
	case RJ_INBOUND:
	case RJ_OUTBOUND:
		return "low";
	case RJ_NONE:
	case RJ_UNKNOWN:
	default:
		/* What port 25 is for; elsewhere AUTH was expected. */
		return port == 25 ? "low" : "medium";
	}
}

const char *
agg_relay_severity(const struct agg *a, const struct flow_info *fi,
    const struct finding *f)
{
	struct relay_v v;

	judge(a, fi, f, &v);
	return rj_severity(v.j, fi->srv_port);
}

json_object *
agg_relay_json(const struct agg *a, const struct flow_info *fi,
    const struct finding *f)
{
	json_object *o, *d;
	struct relay_v v;
	size_t i;

	judge(a, fi, f, &v);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "judgement",
	    json_object_new_string(rj_names[v.j]));
	json_object_object_add(o, "basis", json_object_new_string(v.basis));
	if ((d = json_object_new_array()) != NULL) {
		/* smtp.c keeps only [a-z0-9.-:[]] in these: nothing to sanitise. */
		for (i = 0; i < f->nrcpt_domains && i < FINDING_MAX_DOMAINS; i++)
			if (f->rcpt_domains[i] != NULL)
				json_object_array_add(d,
				    json_object_new_string(f->rcpt_domains[i]));
		json_object_object_add(o, "recipient_domains", d);
	}
	if (f->server_name != NULL)
		json_object_object_add(o, "server_name",
		    json_object_new_string(f->server_name));
	if (f->auth_offered != TRI_UNKNOWN)
		json_object_object_add(o, "auth_offered",
		    json_object_new_boolean(f->auth_offered == TRI_YES));
	return o;
}

/* --- aggregation -------------------------------------------------------- */

struct kbuf {
	uint8_t	*p;
	size_t	 len, cap;
};

static void
kput(struct kbuf *k, const void *p, size_t n)
{
	if (n > k->cap - k->len)
		n = k->cap - k->len;
	memcpy(k->p + k->len, p, n);
	k->len += n;
}

static void
kstr(struct kbuf *k, const char *s)
{
	uint8_t z = 0;

	if (s != NULL)
		kput(k, s, strnlen(s, 64));
	kput(k, &z, 1);
}

static size_t
build_key(const struct flow_info *fi, const struct finding *f, uint8_t *buf,
    size_t cap)
{
	struct kbuf k = { buf, 0, cap };
	uint8_t b[4];
	uint16_t n;

	b[0] = (uint8_t)f->kind;
	b[1] = fi->family;
	b[2] = fi->ipproto == 17 ? 17 : 6;
	kput(&k, b, 3);
	kput(&k, fi->srv_addr, 16);
	kput(&k, &fi->srv_port, sizeof(fi->srv_port));
	kstr(&k, f->app_proto);
	switch (f->kind) {
	case K_CLEARTEXT_CREDENTIALS:
	case K_CHALLENGE_RESPONSE:
		kstr(&k, f->mechanism);
		b[0] = (uint8_t)f->result;
		b[1] = f->anonymous;
		b[2] = f->username != NULL;
		kput(&k, b, 3);
		n = (uint16_t)(f->username_len < KEY_USER_MAX ?
		    f->username_len : KEY_USER_MAX);
		kput(&k, &n, sizeof(n));
		if (f->username != NULL)
			kput(&k, f->username, n);
		break;
	case K_CLEARTEXT_AUTH_OFFERED:
	case K_STARTTLS_NOT_OFFERED:
		break;		/* the contract: once per server and window */
	case K_WEAK_TLS:
		kput(&k, &f->tls_version, sizeof(f->tls_version));
		kput(&k, &f->tls_cipher, sizeof(f->tls_cipher));
		break;
	case K_STARTTLS_OFFERED_NOT_USED:
	case K_STARTTLS_REFUSED:
	case K_STARTTLS_STRIPPED:
	case K_UNAUTH_MAIL_ACCEPTED:
	case K__COUNT:
	default:
		kput(&k, fi->cli_addr, 16);	/* what one client did */
		break;
	}
	return k.len;
}

static void
unlink_entry(struct agg *a, struct agg_entry *e)
{
	struct agg_entry **pp = &a->buckets[e->hash & (a->nbuckets - 1)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		a->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		a->tail = e->prev;
	a->nkeys--;
}

/* The window of e is over: its summary (when it repeated), then it goes. */
static void
close_entry(struct agg *a, struct alert_sink *s, struct agg_entry *e)
{
	char first[ALERT_TS_LEN], last[ALERT_TS_LEN];
	json_object *o, *g;

	unlink_entry(a, e);
	if (e->count > 1 && e->line != NULL &&
	    (o = json_tokener_parse(e->line)) != NULL) {
		if ((g = json_object_new_object()) != NULL) {
			alert_format_ts(e->first, first, sizeof(first));
			alert_format_ts(e->last, last, sizeof(last));
			json_object_object_add(g, "count",
			    json_object_new_uint64(e->count));
			json_object_object_add(g, "first_seen",
			    json_object_new_string(first));
			json_object_object_add(g, "last_seen",
			    json_object_new_string(last));
			json_object_object_add(g, "window_seconds",
			    json_object_new_uint64(a->o.window_us / 1000000));
			json_object_object_add(o, "aggregate", g);
			alert_write_event(s, o, e->sev, finding_kind_name(e->kind));
			a->summaries++;
		}
		json_object_put(o);
	}
	free(e->line);
	free(e);
}

/* Close every window that ended by now (packet time). */
static void
sweep(struct agg *a, struct alert_sink *s, uint64_t now)
{
	while (a->o.window_us > 0 && a->head != NULL &&
	    now >= a->head->first + a->o.window_us)
		close_entry(a, s, a->head);
}

bool
agg_first(struct agg *a, struct alert_sink *s, const struct flow_info *fi,
    uint64_t ts_us, const struct finding *f, json_object *o, const char *sev)
{
	uint8_t key[KEY_MAX];
	struct agg_entry *e;
	const char *line;
	size_t klen;
	uint64_t h;
	char *copy;

	if (a == NULL || !a->o.aggregate)
		return true;
	if (a->o.per_server_only && f->kind != K_CLEARTEXT_AUTH_OFFERED &&
	    f->kind != K_STARTTLS_NOT_OFFERED)
		return true;
	klen = build_key(fi, f, key, sizeof(key));
	/*
	 * Mail accepted without AUTH: an open relay after an inbound
	 * delivery from the same client is a new finding, not a repeat; the
	 * severity carries the relay judgement.
	 */
	if (f->kind == K_UNAUTH_MAIL_ACCEPTED && sev != NULL &&
	    klen + strlen(sev) <= sizeof(key)) {
		memcpy(key + klen, sev, strlen(sev));
		klen += strlen(sev);
	}
	h = fnv(key, klen);
	pthread_mutex_lock(&a->mu);
	sweep(a, s, ts_us);
	for (e = a->buckets[h & (a->nbuckets - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			break;
	if (e != NULL && a->o.window_us > 0 &&
	    ts_us >= e->first + a->o.window_us) {
		close_entry(a, s, e);	/* a late worker: its window is over */
		e = NULL;
	}
	if (e != NULL) {
		/* A repeat: counted; its line becomes the summary's fields. */
		e->count++;
		a->suppressed++;
		if (ts_us < e->first)
			e->first = ts_us;
		if (ts_us >= e->last && o != NULL) {
			e->last = ts_us;
			line = json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
			if (line != NULL && (copy = strdup(line)) != NULL) {
				free(e->line);
				e->line = copy;
				e->sev = sev;
			}
		}
		pthread_mutex_unlock(&a->mu);
		return false;
	}
	if (a->nkeys >= a->o.max_keys && a->head != NULL) {
		close_entry(a, s, a->head);	/* full: the oldest goes early */
		a->evicted++;
	}
	if ((e = calloc(1, sizeof(*e) + klen)) != NULL) {
		e->hash = h;
		e->first = e->last = ts_us;
		e->count = 1;
		e->kind = f->kind;
		e->sev = sev;
		e->klen = klen;
		memcpy(e->key, key, klen);
		e->hnext = a->buckets[h & (a->nbuckets - 1)];
		a->buckets[h & (a->nbuckets - 1)] = e;
		e->prev = a->tail;
		if (a->tail != NULL)
			a->tail->next = e;
		else
			a->head = e;
		a->tail = e;
		a->nkeys++;
	}
	pthread_mutex_unlock(&a->mu);
	return true;
}

/* --- posture ------------------------------------------------------------ */

static void
keep_name(char (*list)[MECH_TXT], unsigned *n, const char *name)
{
	unsigned i;

	if (name == NULL)
		return;
	for (i = 0; i < *n; i++)
		if (strncmp(list[i], name, MECH_TXT - 1) == 0)
			return;
	if (*n < POSTURE_MECHS) {
		snprintf(list[*n], MECH_TXT, "%s", name);
		(*n)++;
	}
}

static struct server *
server_get(struct agg *a, const struct flow_info *fi, const char *app)
{
	uint8_t key[3 + 16 + 2 + APP_MAX];
	struct server *sv, **slot;
	uint64_t h;

	memset(key, 0, sizeof(key));
	key[0] = fi->family;
	key[1] = fi->ipproto == 17 ? 17 : 6;
	memcpy(key + 3, fi->srv_addr, 16);
	memcpy(key + 19, &fi->srv_port, 2);
	strncpy((char *)key + 21, app, APP_MAX - 1);
	h = fnv(key, sizeof(key));
	slot = &a->sbuckets[h & (a->nsbuckets - 1)];
	for (sv = *slot; sv != NULL; sv = sv->hnext)
		if (sv->family == fi->family && sv->port == fi->srv_port &&
		    sv->ipproto == key[1] &&
		    memcmp(sv->addr, fi->srv_addr, 16) == 0 &&
		    strncmp(sv->app, app, APP_MAX - 1) == 0)
			return sv;
	if (a->nservers >= a->o.max_servers ||
	    (sv = calloc(1, sizeof(*sv))) == NULL) {
		a->servers_dropped++;
		return NULL;
	}
	sv->family = fi->family;
	sv->ipproto = key[1];
	memcpy(sv->addr, fi->srv_addr, 16);
	sv->port = fi->srv_port;
	snprintf(sv->app, sizeof(sv->app), "%s", app);
	sv->hnext = *slot;
	*slot = sv;
	a->servers[a->nservers++] = sv;
	sv->id = a->nservers;
	return sv;
}

void
agg_posture(struct agg *a, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	struct relay_v v;
	struct server *sv;
	uint64_t uh, *slot;
	unsigned i;

	if (a == NULL || !a->o.posture)
		return;
	pthread_mutex_lock(&a->mu);
	if (ts_us > a->max_ts)
		a->max_ts = ts_us;
	if ((sv = server_get(a, fi, f->app_proto != NULL ? f->app_proto :
	    "unknown")) == NULL) {
		pthread_mutex_unlock(&a->mu);
		return;
	}
	if (sv->first == 0 || ts_us < sv->first)
		sv->first = ts_us;
	if (ts_us > sv->last)
		sv->last = ts_us;
	sv->kinds[f->kind]++;
	/*
	 * Sessions: flows with findings, each once (0 marks a free slot).
	 * The tag mixes in the server (a tunnel's inner protocol is another)
	 * by its number, not its address: the same input counts the same.
	 */
	uh = (fi->flow_id ^ sv->id << 40) * 0x9e3779b97f4a7c15ULL;
	slot = &a->session_seen[uh >> 51];
	if (*slot != (uh | 1)) {
		*slot = uh | 1;
		sv->sessions++;
	}
	switch (f->kind) {
	case K_CLEARTEXT_CREDENTIALS:
	case K_CHALLENGE_RESPONSE:
		if (f->kind == K_CLEARTEXT_CREDENTIALS) {
			if (f->anonymous)
				sv->login_anon++;
			else if (f->result == RES_SUCCESS)
				sv->login_ok++;
			else if (f->result == RES_FAILURE)
				sv->login_fail++;
			else
				sv->login_unknown++;
		}
		keep_name(sv->logins, &sv->nlogins, f->mechanism);
		if (f->username == NULL)
			break;
		uh = fnv(f->username, f->username_len);
		for (i = 0; i < sv->nusers; i++)
			if (sv->users[i] == uh)
				break;
		if (i < sv->nusers)
			break;
		if (sv->nusers == POSTURE_USERS) {
			sv->users_capped = true;
			break;
		}
		sv->users[sv->nusers++] = uh;
		if (sv->nnames < POSTURE_NAMES)
			alert_username_text(a->o.mask, f->username,
			    f->username_len, sv->names[sv->nnames++],
			    NAME_MAX_TXT);
		break;
	case K_CLEARTEXT_AUTH_OFFERED:
		for (i = 0; i < f->nmechs && i < FINDING_MAX_MECHS; i++)
			keep_name(sv->mechs, &sv->nmechs, f->mechs[i]);
		break;
	case K_WEAK_TLS:
		if (f->tls_version != 0 && (sv->weakest_tls == 0 ||
		    f->tls_version < sv->weakest_tls))
			sv->weakest_tls = f->tls_version;
		break;
	case K_UNAUTH_MAIL_ACCEPTED:
		judge(a, fi, f, &v);
		if (v.j > sv->relay)
			sv->relay = v.j;
		break;
	case K_STARTTLS_NOT_OFFERED:
	case K_STARTTLS_OFFERED_NOT_USED:
	case K_STARTTLS_REFUSED:
	case K_STARTTLS_STRIPPED:
	case K__COUNT:
	default:
		break;
	}
	pthread_mutex_unlock(&a->mu);
}

/*
 * The advisories a server's traffic confirmed, with a weight each: the
 * score is the heaviest plus 2 for each other one (at most 100), and the
 * severity follows the score.  Logins that went through in clear weigh
 * most; then tampering on the path, relaying, submission without AUTH.
 */
enum adv {
	A_LOGIN = 0,		/* cleartext logins permitted */
	A_STRIPPED,
	A_OPEN_RELAY,
	A_SUBMISSION,
	A_CHALLENGE,
	A_WEAK_TLS,
	A_STARTTLS_ABSENT,
	A_STARTTLS_REFUSED,
	A_STARTTLS_UNUSED,
	A_MECHS,		/* cleartext mechanisms advertised */
	A_UNAUTH_MAIL,		/* mail without AUTH, not judged a relay */
	A__COUNT
};

static const struct {
	const char	*code;
	const char	*words;
	int		 weight;
} advs[A__COUNT] = {
	[A_LOGIN] = { "cleartext_login_permitted", "Cleartext logins permitted", 100 },
	[A_STRIPPED] = { "starttls_stripped", "STARTTLS stripped or tampered with on the path", 90 },
	[A_OPEN_RELAY] = { "open_relay", "Open relay: mail to foreign domains accepted without AUTH", 95 },
	[A_SUBMISSION] = { "submission_without_auth", "Submission accepts mail without AUTH", 80 },
	[A_CHALLENGE] = { "challenge_response_in_clear", "Challenge-response logins in clear (crackable offline)", 50 },
	[A_WEAK_TLS] = { "weak_tls", "Weak TLS negotiated after STARTTLS", 45 },
	[A_STARTTLS_ABSENT] = { "starttls_absent", "STARTTLS not offered", 40 },
	[A_STARTTLS_REFUSED] = { "starttls_refused", "STARTTLS offered but refused", 40 },
	[A_STARTTLS_UNUSED] = { "starttls_offered_not_used", "STARTTLS offered but not used by clients", 35 },
	[A_MECHS] = { "cleartext_mechanisms_advertised", "Cleartext authentication mechanisms advertised before TLS", 30 },
	[A_UNAUTH_MAIL] = { "mail_accepted_without_auth", "Mail accepted without authentication", 10 },
};

static bool
adv_on(const struct server *sv, enum adv x)
{
	switch (x) {
	case A_LOGIN:
		return sv->kinds[K_CLEARTEXT_CREDENTIALS] > 0;
	case A_STRIPPED:
		return sv->kinds[K_STARTTLS_STRIPPED] > 0;
	case A_OPEN_RELAY:
		return sv->relay == RJ_OPEN_RELAY;
	case A_SUBMISSION:
		return sv->relay == RJ_SUBMISSION;
	case A_CHALLENGE:
		return sv->kinds[K_CHALLENGE_RESPONSE] > 0;
	case A_WEAK_TLS:
		return sv->kinds[K_WEAK_TLS] > 0;
	case A_STARTTLS_ABSENT:
		return sv->kinds[K_STARTTLS_NOT_OFFERED] > 0;
	case A_STARTTLS_REFUSED:
		return sv->kinds[K_STARTTLS_REFUSED] > 0;
	case A_STARTTLS_UNUSED:
		return sv->kinds[K_STARTTLS_OFFERED_NOT_USED] > 0;
	case A_MECHS:
		return sv->kinds[K_CLEARTEXT_AUTH_OFFERED] > 0;
	case A_UNAUTH_MAIL:
		return sv->kinds[K_UNAUTH_MAIL_ACCEPTED] > 0 &&
		    sv->relay != RJ_OPEN_RELAY && sv->relay != RJ_SUBMISSION;
	case A__COUNT:
	default:
		return false;
	}
}

static int
adv_weight(const struct server *sv, enum adv x)
{
	if (x == A_LOGIN && sv->login_ok == 0)
		/* Only failed, unknown or anonymous logins: still the risk. */
		return sv->login_fail + sv->login_unknown > 0 ? 70 : 20;
	if (x == A_UNAUTH_MAIL && sv->relay == RJ_UNKNOWN)
		return 40;
	return advs[x].weight;
}

static int
score(const struct server *sv)
{
	int best = 0, w, n = 0, x;

	for (x = 0; x < A__COUNT; x++)
		if (adv_on(sv, (enum adv)x)) {
			w = adv_weight(sv, (enum adv)x);
			if (w > best)
				best = w;
			n++;
		}
	if (n == 0)
		return 0;
	w = best + 2 * (n - 1);
	return w > 100 ? 100 : w;
}

static const char *
score_severity(int sc)
{
	return sc >= 80 ? "high" : sc >= 35 ? "medium" : sc >= 10 ? "low" :
	    "info";
}

static int
server_cmp(const void *x, const void *y)
{
	const struct server *a = *(const struct server *const *)x;
	const struct server *b = *(const struct server *const *)y;
	int c;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, 16)) != 0)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return strcmp(a->app, b->app);
}

/* Worst first; the caller holds the lock and frees the array. */
static struct server **
sorted_servers(struct agg *a)
{
	struct server **v;
	size_t i;

	if (a->nservers == 0 ||
	    (v = malloc(a->nservers * sizeof(struct server *))) == NULL)
		return NULL;
	for (i = 0; i < a->nservers; i++) {
		a->servers[i]->score = score(a->servers[i]);
		v[i] = a->servers[i];
	}
	qsort(v, a->nservers, sizeof(struct server *), server_cmp);
	return v;
}

static void
addr_text(const struct server *sv, char *buf, size_t len)
{
	if (inet_ntop(sv->family == 6 ? AF_INET6 : AF_INET, sv->addr, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

static json_object *
names_json(char (*list)[MECH_TXT], unsigned n)
{
	json_object *arr = json_object_new_array();
	unsigned i;

	for (i = 0; arr != NULL && i < n; i++)
		json_object_array_add(arr, json_object_new_string(list[i]));
	return arr;
}

static json_object *
posture_json(struct agg *a, struct alert_sink *s, const struct server *sv,
    uint64_t ts, bool final)
{
	char buf[INET6_ADDRSTRLEN], t[ALERT_TS_LEN];
	json_object *o, *arr, *k;
	const char *vn;
	int x;

	(void)a;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
#define STR(key, v) json_object_object_add(o, key, json_object_new_string(v))
#define U64(key, v) json_object_object_add(o, key, json_object_new_uint64(v))
	alert_format_ts(ts, t, sizeof(t));
	STR("timestamp", t);
	STR("event_type", "posture");
	STR("schema_version", CREDLEAK_SCHEMA_VERSION);
	STR("severity", score_severity(sv->score));
	json_object_object_add(o, "score", json_object_new_int(sv->score));
	addr_text(sv, buf, sizeof(buf));
	STR("dest_ip", buf);
	json_object_object_add(o, "dest_port", json_object_new_int(sv->port));
	STR("proto", sv->ipproto == 17 ? "UDP" : "TCP");
	STR("app_proto", sv->app);
	STR("sensor", alert_sink_sensor(s));
	alert_format_ts(sv->first, t, sizeof(t));
	STR("first_seen", t);
	alert_format_ts(sv->last, t, sizeof(t));
	STR("last_seen", t);
	U64("sessions", sv->sessions);
	U64("users", sv->nusers);
	if (sv->users_capped)
		json_object_object_add(o, "users_at_least",
		    json_object_new_boolean(true));
	if ((arr = json_object_new_array()) != NULL) {
		for (x = 0; x < A__COUNT; x++)
			if (adv_on(sv, (enum adv)x))
				json_object_array_add(arr,
				    json_object_new_string(advs[x].code));
		json_object_object_add(o, "advisories", arr);
	}
	if ((k = json_object_new_object()) != NULL) {
		for (x = 0; x < K__COUNT; x++)
			if (sv->kinds[x] > 0)
				json_object_object_add(k,
				    finding_kind_name((enum finding_kind)x),
				    json_object_new_uint64(sv->kinds[x]));
		json_object_object_add(o, "finding_counts", k);
	}
	if (sv->kinds[K_CLEARTEXT_CREDENTIALS] > 0) {
		U64("logins_success", sv->login_ok);
		U64("logins_failure", sv->login_fail);
		U64("logins_unknown", sv->login_unknown);
		U64("logins_anonymous", sv->login_anon);
	}
	if (sv->nlogins > 0)
		json_object_object_add(o, "login_mechanisms",
		    names_json((char (*)[MECH_TXT])(uintptr_t)sv->logins,
		    sv->nlogins));
	if (sv->nmechs > 0)
		json_object_object_add(o, "mechanisms_offered",
		    names_json((char (*)[MECH_TXT])(uintptr_t)sv->mechs,
		    sv->nmechs));
	if (sv->weakest_tls != 0) {
		vn = tls_version_name(sv->weakest_tls);
		if (vn == NULL) {
			snprintf(buf, sizeof(buf), "0x%04x",
			    (unsigned)sv->weakest_tls);
			vn = buf;
		}
		STR("weakest_tls_version", vn);
	}
	if (sv->relay != RJ_NONE)
		STR("relay_judgement", rj_names[sv->relay]);
	json_object_object_add(o, "final", json_object_new_boolean(final));
#undef STR
#undef U64
	return o;
}

static void
write_posture(struct agg *a, struct alert_sink *s, uint64_t ts, bool final)
{
	struct server **v;
	json_object *o;
	size_t i;

	if ((v = sorted_servers(a)) == NULL)
		return;
	for (i = 0; i < a->nservers; i++)
		if ((o = posture_json(a, s, v[i], ts, final)) != NULL) {
			alert_write_event(s, o, score_severity(v[i]->score),
			    "posture");
			json_object_put(o);
		}
	free(v);
}

void
agg_tick(struct agg *a, struct alert_sink *s, uint64_t now_us)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	if (!a->ended) {
		sweep(a, s, now_us);
		if (a->o.posture && a->o.posture_us > 0) {
			if (a->next_posture == 0)
				a->next_posture = now_us + a->o.posture_us;
			else if (now_us >= a->next_posture) {
				write_posture(a, s, now_us, false);
				a->next_posture = now_us + a->o.posture_us;
			}
		}
	}
	pthread_mutex_unlock(&a->mu);
}

void
agg_end(struct agg *a, struct alert_sink *s)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	if (!a->ended) {
		struct agg_entry *e, *n;

		a->ended = true;
		/* close_entry() unlinks and frees only the entry it is given. */
		for (e = a->head; e != NULL; e = n) {
			n = e->next;
			close_entry(a, s, e);
		}
		if (a->o.posture)
			write_posture(a, s, a->max_ts, true);
	}
	pthread_mutex_unlock(&a->mu);
}

void
agg_stats_json(struct agg *a, json_object *o)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
#define U64(key, v) json_object_object_add(o, key, json_object_new_uint64(v))
	U64("aggregate_keys", a->nkeys);
	U64("aggregate_suppressed", a->suppressed);
	U64("aggregate_summaries", a->summaries);
	U64("aggregate_evicted", a->evicted);
	U64("posture_servers", a->nservers);
	U64("posture_servers_dropped", a->servers_dropped);
#undef U64
	pthread_mutex_unlock(&a->mu);
}

/* --- the report --------------------------------------------------------- */

static bool
is(const char *app, const char *want)
{
	return strcmp(app, want) == 0;
}

/*
 * Logins in clear on the protocols beyond mail, web and FTP: the setting
 * that stops them on the server most networks run.
 */
static const struct {
	const char	*app;
	const char	*fix;
} login_fixes[] = {
	{ "ldap", "OpenLDAP: olcSecurity: simple_bind=128 (or tls=1) so binds "
	    "need TLS, olcDisallows: bind_anon; clients use ldaps:// or -ZZ" },
	{ "snmp", "snmpd: drop rocommunity/rwcommunity (never public or "
	    "private); SNMPv3 users with authPriv only (rouser NAME priv)" },
	{ "telnet", "turn telnetd off; use SSH" },
	{ "rlogin", "turn rlogind off (and .rhosts with it); use SSH" },
	{ "irc", "ngircd: a TLS listener ([SSL] Ports) and no plaintext "
	    "Ports for clients that send PASS or OPER" },
	{ "nntp", "INN: require TLS before AUTHINFO (nnrpd -S, or "
	    "readers.conf require_ssl: true)" },
	{ "redis", "Redis: tls-port with tls-cert-file/tls-key-file and "
	    "port 0, so AUTH only crosses TLS" },
	{ "mqtt", "Mosquitto: listener 8883 with certfile/keyfile, no "
	    "plaintext listener 1883 for authenticated clients" },
	{ "socks", "Dante: accept username logins only over a tunnel (SSH "
	    "or TLS); RFC 1929 passwords cross in clear" },
	{ "postgresql", "PostgreSQL pg_hba.conf: hostssl lines with "
	    "scram-sha-256, no 'password' or 'md5', and ssl = on" },
	{ "mysql", "MySQL/MariaDB: require_secure_transport = ON; no "
	    "mysql_clear_password outside TLS" },
};

/* The configuration that fixes advisory x on a server speaking app. */
static const char *
fix(enum adv x, const char *app)
{
	size_t i;

	bool smtp = is(app, "smtp"), dove = is(app, "pop3") || is(app, "imap");
	bool ftp = is(app, "ftp"), http = is(app, "http");

	switch (x) {
	case A_LOGIN:
	case A_MECHS:
	case A_STARTTLS_UNUSED:
	case A_CHALLENGE:
		if (smtp)
			return "Postfix: smtpd_tls_auth_only = yes and "
			    "smtpd_tls_security_level = may (encrypt on "
			    "submission); smtpd_sasl_auth_enable = yes only on "
			    "the submission service (master.cf -o), not on 25";
		if (dove)
			return "Dovecot 2.3: disable_plaintext_auth = yes "
			    "(2.4: auth_allow_cleartext = no) and ssl = required";
		if (ftp)
			return "vsftpd: ssl_enable=YES, force_local_logins_ssl=YES "
			    "and force_local_data_ssl=YES";
		if (http)
			return "serve Basic auth only over HTTPS: Apache "
			    "SSLRequireSSL (or a redirect of port 80 to https), "
			    "nginx auth_basic only in the 'listen 443 ssl' "
			    "server, lighttpd auth.require only under "
			    "$SERVER[\"socket\"] == \":443\"";
		for (i = 0; i < sizeof(login_fixes) / sizeof(login_fixes[0]); i++)
			if (is(app, login_fixes[i].app))
				return login_fixes[i].fix;
		return "require TLS (implicit TLS or a mandatory STARTTLS) "
		    "before any login, and disable cleartext mechanisms";
	case A_STARTTLS_ABSENT:
		if (smtp)
			return "Postfix: smtpd_tls_cert_file/smtpd_tls_key_file "
			    "and smtpd_tls_security_level = may (encrypt on "
			    "submission)";
		if (dove)
			return "Dovecot: ssl_cert/ssl_key and ssl = required";
		if (ftp)
			return "vsftpd: ssl_enable=YES with rsa_cert_file, then "
			    "force_local_logins_ssl=YES";
		return "enable TLS on the service and require it";
	case A_STARTTLS_REFUSED:
		return "the server advertises STARTTLS but cannot start it: "
		    "check its certificate and key files and its log (a 454 "
		    "answer is a local TLS problem)";
	case A_STRIPPED:
		return "something on the path rewrites STARTTLS: check "
		    "firewalls doing SMTP inspection; make clients require "
		    "TLS (Postfix smtp_tls_security_level = encrypt or dane, "
		    "MTA-STS)";
	case A_WEAK_TLS:
		if (smtp)
			return "Postfix: smtpd_tls_protocols = >=TLSv1.2 and "
			    "smtpd_tls_mandatory_protocols = >=TLSv1.2";
		if (dove)
			return "Dovecot: ssl_min_protocol = TLSv1.2";
		return "allow TLS 1.2 and later only, without NULL, EXPORT, "
		    "RC4, DES or 3DES ciphers";
	case A_OPEN_RELAY:
		return "Postfix: smtpd_relay_restrictions = permit_mynetworks, "
		    "permit_sasl_authenticated, defer_unauth_destination, "
		    "with mynetworks no wider than your own hosts";
	case A_SUBMISSION:
		return "Postfix submission (master.cf): -o "
		    "smtpd_tls_security_level=encrypt -o "
		    "smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions="
		    "permit_sasl_authenticated,reject";
	case A_UNAUTH_MAIL:
		return "fine for an MX receiving its own domains; otherwise "
		    "Postfix smtpd_relay_restrictions = permit_mynetworks, "
		    "permit_sasl_authenticated, defer_unauth_destination";
	case A__COUNT:
	default:
		return "";
	}
}

static void
detail(FILE *fp, const struct server *sv, enum adv x)
{
	unsigned i;

	switch (x) {
	case A_LOGIN:
		fprintf(fp, " (%llu: %llu succeeded, %llu failed, %llu unknown, "
		    "%llu anonymous",
		    (unsigned long long)sv->kinds[K_CLEARTEXT_CREDENTIALS],
		    (unsigned long long)sv->login_ok,
		    (unsigned long long)sv->login_fail,
		    (unsigned long long)sv->login_unknown,
		    (unsigned long long)sv->login_anon);
		for (i = 0; i < sv->nlogins; i++)
			fprintf(fp, "%s%s", i == 0 ? "; " : ", ", sv->logins[i]);
		fputc(')', fp);
		break;
	case A_MECHS:
		for (i = 0; i < sv->nmechs; i++)
			fprintf(fp, "%s%s", i == 0 ? " (" : ", ", sv->mechs[i]);
		if (sv->nmechs > 0)
			fputc(')', fp);
		break;
	case A_WEAK_TLS:
		if (sv->weakest_tls != 0 && tls_version_name(sv->weakest_tls))
			fprintf(fp, " (down to %s)",
			    tls_version_name(sv->weakest_tls));
		break;
	case A_UNAUTH_MAIL:
	case A_OPEN_RELAY:
	case A_SUBMISSION:
		fprintf(fp, " (%llu session%s; judged %s)",
		    (unsigned long long)sv->kinds[K_UNAUTH_MAIL_ACCEPTED],
		    sv->kinds[K_UNAUTH_MAIL_ACCEPTED] == 1 ? "" : "s",
		    rj_names[sv->relay]);
		break;
	case A_STRIPPED:
	case A_CHALLENGE:
	case A_STARTTLS_ABSENT:
	case A_STARTTLS_REFUSED:
	case A_STARTTLS_UNUSED:
	case A__COUNT:
	default:
		break;
	}
}

void
agg_report(struct agg *a, FILE *fp)
{
	char buf[INET6_ADDRSTRLEN], t1[ALERT_TS_LEN], t2[ALERT_TS_LEN];
	struct server **v, *sv;
	size_t i;
	unsigned k;
	int x;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	v = sorted_servers(a);
	fprintf(fp, "credleak report: %zu server%s with findings, worst "
	    "first%s\n", a->nservers, a->nservers == 1 ? "" : "s",
	    a->servers_dropped > 0 ? " (table full: some left out)" : "");
	for (i = 0; v != NULL && i < a->nservers; i++) {
		sv = v[i];
		addr_text(sv, buf, sizeof(buf));
		alert_format_ts(sv->first, t1, sizeof(t1));
		alert_format_ts(sv->last, t2, sizeof(t2));
		fprintf(fp, "\n%zu. %s%s%s port %u (%s): %s, score %d\n", i + 1,
		    sv->family == 6 ? "[" : "", buf, sv->family == 6 ? "]" : "",
		    sv->port, sv->app, score_severity(sv->score), sv->score);
		fprintf(fp, "   seen %s to %s; %llu session%s with findings; "
		    "%s%u user%s", t1, t2, (unsigned long long)sv->sessions,
		    sv->sessions == 1 ? "" : "s",
		    sv->users_capped ? "at least " : "", sv->nusers,
		    sv->nusers == 1 ? "" : "s");
		for (k = 0; k < sv->nnames; k++)
			fprintf(fp, "%s%s", k == 0 ? " (" : ", ", sv->names[k]);
		fprintf(fp, "%s\n", sv->nnames == 0 ? "" :
		    sv->nusers > sv->nnames ? ", ...)" : ")");
		for (x = 0; x < A__COUNT; x++) {
			if (!adv_on(sv, (enum adv)x))
				continue;
			fprintf(fp, "   - %s", advs[x].words);
			detail(fp, sv, (enum adv)x);
			fprintf(fp, "\n     fix: %s\n", fix((enum adv)x, sv->app));
		}
	}
	free(v);
	pthread_mutex_unlock(&a->mu);
	fflush(fp);
}
