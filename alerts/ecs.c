/*
 * ecs.c - events under Elastic Common Schema names (see ecs.h).
 *
 * Specifications: the Elastic Common Schema 8.x field reference
 * (www.elastic.co/guide/en/ecs/current/ecs-field-reference.html), in
 * particular the event.kind, event.category and event.type allowed values
 * ("ECS Categorization Fields"), and shared/docs/alert-contract.md for the
 * names mapped from.
 *
 * One mapping for every event type: json.c builds each event once, with
 * the contract's names, and this file renames it by the table below, so a
 * field added to a finding, to stats, or to a new event type comes out in
 * ECS form without a second formatter.  A field the table does not know is
 * kept under "credleak." with its EVE path, so nothing is lost and nothing
 * lands on a name ECS defines differently.  Values are the EVE values,
 * already sanitised by json.c; nothing here sees wire bytes or secrets, and
 * "message" is made from those same values.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ecs.h"

#define MSG_MAX		1024	/* bytes of the message sentence */
#define PATH_MAX_ECS	128	/* bytes of a dotted field path */

/* How a value is carried over. */
enum conv {
	CV_COPY = 0,
	CV_LOWER,	/* "TCP" -> "tcp" (ECS network.transport) */
	CV_SEVERITY,	/* "high" -> 73, the text kept in credleak.severity */
	CV_EVENT_TYPE,	/* event.kind and event.dataset from it */
	CV_KIND,	/* event.action, rule.name, event.category */
	CV_VLAN,	/* [outer, inner] -> network.vlan.id, network.inner.vlan.id */
	CV_TLS_VERSION	/* "TLSv1.2" -> tls.version "1.2", tls.version_protocol "tls" */
};

static const struct {
	const char	*eve;	/* EVE path: "kind", "credential.username" */
	const char	*ecs;	/* ECS path */
	enum conv	 cv;
} map[] = {
	{ "timestamp",			"@timestamp",			CV_COPY },
	{ "event_type",			"credleak.event_type",		CV_EVENT_TYPE },
	{ "kind",			"event.action",			CV_KIND },
	{ "severity",			"event.severity",		CV_SEVERITY },
	{ "src_ip",			"source.ip",			CV_COPY },
	{ "src_port",			"source.port",			CV_COPY },
	{ "dest_ip",			"destination.ip",		CV_COPY },
	{ "dest_port",			"destination.port",		CV_COPY },
	{ "proto",			"network.transport",		CV_LOWER },
	{ "app_proto",			"network.protocol",		CV_COPY },
	{ "community_id",		"network.community_id",		CV_COPY },
	{ "vlan",			"network.vlan.id",		CV_VLAN },
	{ "sensor",			"observer.name",		CV_COPY },
	{ "reason",			"event.reason",			CV_COPY },
	{ "credential.username",	"user.name",			CV_COPY },
	{ "credential.result",		"event.outcome",		CV_COPY },
	{ "credential.mechanism",	"credleak.mechanism",		CV_COPY },
	{ "credential.anonymous",	"credleak.anonymous",		CV_COPY },
	{ "credential.password_seen",	"credleak.password_seen",	CV_COPY },
	{ "credential.username_truncated", "credleak.username_truncated", CV_COPY },
	{ "credential.well_known_secret", "credleak.well_known_secret",	CV_COPY },
	{ "credential.secret_fingerprint", "credleak.secret_fingerprint", CV_COPY },
	{ "tls.version",		"tls.version",			CV_TLS_VERSION },
	{ "tls.cipher",			"tls.cipher",			CV_COPY },
	{ "tls.starttls_offered",	"credleak.starttls_offered",	CV_COPY },
	{ "tls.starttls_requested",	"credleak.starttls_requested",	CV_COPY },
	{ "tls.starttls_reply",		"credleak.starttls_reply",	CV_COPY },
	{ "flow_id",			"credleak.flow_id",		CV_COPY },
	{ "input",			"credleak.input",		CV_COPY },
	{ "schema_version",		"credleak.schema_version",	CV_COPY },
};

/*
 * ECS categorisation of each finding kind: event.category (two values at
 * most) and a phrase for the message.  event.type is "info" for all: a
 * finding reports what was seen, it is not the login or connection itself.
 */
static const struct {
	const char	*kind;
	const char	*cat[2];
	const char	*phrase;
} kinds[] = {
	{ "cleartext_credentials",	{ "authentication", "network" },
	  "Cleartext credentials" },
	{ "challenge_response_auth",	{ "authentication", "network" },
	  "Challenge-response login without TLS" },
	{ "cleartext_auth_offered",	{ "network", "vulnerability" },
	  "Cleartext authentication offered" },
	{ "starttls_not_offered",	{ "network", "vulnerability" },
	  "STARTTLS not offered" },
	{ "starttls_offered_not_used",	{ "network", "vulnerability" },
	  "STARTTLS offered but not used" },
	{ "starttls_refused",		{ "network", "vulnerability" },
	  "STARTTLS refused" },
	{ "weak_tls",			{ "network", "vulnerability" },
	  "Weak TLS negotiated" },
	{ "starttls_stripped",		{ "network", "intrusion_detection" },
	  "STARTTLS stripped on the path" },
	{ "unauthenticated_mail_accepted", { "email", "network" },
	  "Mail accepted without authentication" },
};

/* --- reading the EVE object ------------------------------------------- */

static json_object *
get(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* A string field of o, or NULL. */
static const char *
get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* --- writing the ECS object ------------------------------------------- */

/*
 * Put v (a reference is taken) at the dotted path in root, creating the
 * objects on the way.  A path whose step is already a non-object is left
 * alone rather than overwritten.
 */
static void
put(json_object *root, const char *path, json_object *v)
{
	char step[PATH_MAX_ECS];
	const char *p = path, *dot;
	json_object *o = root, *next;
	size_t n;

	if (v == NULL)
		return;
	while ((dot = strchr(p, '.')) != NULL) {
		n = (size_t)(dot - p);
		if (n >= sizeof(step))
			return;
		memcpy(step, p, n);
		step[n] = '\0';
		if ((next = get(o, step)) == NULL) {
			if ((next = json_object_new_object()) == NULL)
				return;
			json_object_object_add(o, step, next);
		} else if (!json_object_is_type(next, json_type_object))
			return;
		o = next;
		p = dot + 1;
	}
	json_object_object_add(o, p, v);
}

static void
put_str(json_object *root, const char *path, const char *s)
{
	put(root, path, json_object_new_string(s));
}

/* An array of strings (skipping NULLs). */
static void
put_strs(json_object *root, const char *path, const char *const *s, size_t n)
{
	json_object *a;
	size_t i;

	if ((a = json_object_new_array()) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (s[i] != NULL)
			json_object_array_add(a, json_object_new_string(s[i]));
	put(root, path, a);
}

/* Append the string v to the array at path "a.b", once. */
static void
add_related(json_object *root, const char *path, json_object *v)
{
	json_object *o, *a;
	const char *dot = strchr(path, '.');
	size_t i, n;
	char step[PATH_MAX_ECS];

	if (v == NULL || !json_object_is_type(v, json_type_string) || dot == NULL ||
	    (size_t)(dot - path) >= sizeof(step))
		return;
	memcpy(step, path, (size_t)(dot - path));
	step[dot - path] = '\0';
	if ((o = get(root, step)) == NULL || (a = get(o, dot + 1)) == NULL) {
		if ((a = json_object_new_array()) == NULL)
			return;
		put(root, path, a);
	}
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)),
		    json_object_get_string(v)) == 0)
			return;
	json_object_array_add(a, json_object_get(v));
}

/* --- conversions ------------------------------------------------------ */

/*
 * event.severity is a number; Elastic's detection rules use 21, 47, 73 and
 * 99 for low, medium, high and critical, and info is 0.
 */
static int
severity_number(const char *s)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "high") == 0)
		return 73;
	if (strcmp(s, "medium") == 0)
		return 47;
	if (strcmp(s, "low") == 0)
		return 21;
	return 0;
}

/*
 * ECS event.kind: "alert" for findings, "metric" for statistics, and
 * "state" for every other event credleak writes (per-server posture and
 * summaries describe a state of the network, not one packet).
 */
static const char *
event_kind(const char *event_type)
{
	if (event_type == NULL)
		return "state";
	if (strcmp(event_type, "credleak") == 0)
		return "alert";
	if (strcmp(event_type, "stats") == 0)
		return "metric";
	return "state";
}

/* ECS tls.version is "1.2" with tls.version_protocol "tls"; 0xNNNN stays ours. */
static void
tls_version(json_object *ecs, json_object *v)
{
	const char *s = json_object_get_string(v);

	if (strncmp(s, "TLSv", 4) == 0) {
		put_str(ecs, "tls.version", s + 4);
		put_str(ecs, "tls.version_protocol", "tls");
	} else if (strcmp(s, "SSLv3") == 0 || strcmp(s, "SSLv2") == 0) {
		put_str(ecs, "tls.version", s[4] == '3' ? "3.0" : "2.0");
		put_str(ecs, "tls.version_protocol", "ssl");
	} else
		put(ecs, "credleak.tls_version", json_object_get(v));
}

static void
convert(json_object *ecs, const char *path, enum conv cv, json_object *v)
{
	char buf[64];
	const char *s;
	size_t i, n;

	switch (cv) {
	case CV_LOWER:
		s = json_object_get_string(v);
		for (i = 0; s[i] != '\0' && i + 1 < sizeof(buf); i++)
			buf[i] = (char)tolower((unsigned char)s[i]);
		buf[i] = '\0';
		put_str(ecs, path, buf);
		break;
	case CV_SEVERITY:
		put(ecs, path, json_object_new_int(
		    severity_number(json_object_get_string(v))));
		put(ecs, "credleak.severity", json_object_get(v));
		break;
	case CV_EVENT_TYPE:
		s = json_object_get_string(v);
		snprintf(buf, sizeof(buf), "credleak.%s",
		    strcmp(s, "credleak") == 0 ? "finding" : s);
		put_str(ecs, "event.dataset", buf);
		put(ecs, path, json_object_get(v));
		break;
	case CV_KIND:
		s = json_object_get_string(v);
		put(ecs, path, json_object_get(v));
		put(ecs, "rule.name", json_object_get(v));
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(kinds[i].kind, s) == 0) {
				put_strs(ecs, "event.category", kinds[i].cat, 2);
				break;
			}
		break;
	case CV_VLAN:
		/* ECS vlan ids are keywords; the outer tag is network.vlan. */
		n = json_object_array_length(v);
		for (i = 0; i < n && i < 2; i++) {
			snprintf(buf, sizeof(buf), "%d", json_object_get_int(
			    json_object_array_get_idx(v, i)));
			put_str(ecs, i == 0 ? path : "network.inner.vlan.id", buf);
		}
		break;
	case CV_TLS_VERSION:
		tls_version(ecs, v);
		break;
	case CV_COPY:
	default:
		put(ecs, path, json_object_get(v));
		break;
	}
}

/* Carry one EVE field (path "a" or "a.b") over. */
static void
map_field(json_object *ecs, const char *path, json_object *v)
{
	char dst[PATH_MAX_ECS];
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].eve, path) == 0) {
			/* Not the shape expected: kept as ours below. */
			if (map[i].cv != CV_COPY && !json_object_is_type(v,
			    map[i].cv == CV_VLAN ? json_type_array :
			    json_type_string))
				break;
			convert(ecs, map[i].ecs, map[i].cv, v);
			return;
		}
	/* Unknown: kept, under credleak., by its EVE path. */
	if ((size_t)snprintf(dst, sizeof(dst), "credleak.%s", path) < sizeof(dst))
		put(ecs, dst, json_object_get(v));
}

/* Whether the table maps some field inside the top-level object `key`. */
static bool
mapped_parent(const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(map[i].eve, key, n) == 0 && map[i].eve[n] == '.')
			return true;
	return false;
}

/* --- message ---------------------------------------------------------- */

static const char *
kind_phrase(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].phrase;
	return kind;
}

/*
 * A sentence for a human reading the event in Kibana.  Made from the EVE
 * values only (sanitised, secret-free); the fingerprint is left out.
 */
static void
message(json_object *eve, char *buf, size_t len)
{
	const char *et = get_str(eve, "event_type"), *kind = get_str(eve, "kind");
	const char *app = get_str(eve, "app_proto"), *src = get_str(eve, "src_ip");
	const char *dst = get_str(eve, "dest_ip"), *reason = get_str(eve, "reason");
	json_object *cred = get(eve, "credential"), *port = get(eve, "dest_port");
	const char *user = get_str(cred, "username");
	const char *mech = get_str(cred, "mechanism");
	const char *result = get_str(cred, "result");
	char appu[16];
	size_t i, o = 0;

	for (i = 0; app != NULL && app[i] != '\0' && i + 1 < sizeof(appu); i++)
		appu[i] = (char)toupper((unsigned char)app[i]);
	appu[i] = '\0';
	buf[0] = '\0';
#define ADD(...) do {							\
	if (o < len) {							\
		int n_ = snprintf(buf + o, len - o, __VA_ARGS__);	\
		o = n_ < 0 ? len : o + (size_t)n_;			\
	}								\
} while (0)
	if (et != NULL && strcmp(et, "stats") == 0) {
		json_object *pk = get(eve, "packets"), *al = get(eve, "alerts");

		ADD("credleak statistics for %s: %lld packets, %lld findings",
		    get_str(eve, "input") != NULL ? get_str(eve, "input") : "?",
		    pk != NULL ? (long long)json_object_get_int64(pk) : 0LL,
		    al != NULL ? (long long)json_object_get_int64(al) : 0LL);
		return;
	}
	if (kind != NULL)
		ADD("%s", kind_phrase(kind));
	else
		ADD("credleak %s event", et != NULL ? et : "unknown");
	if (app != NULL)
		ADD(" on %s", appu);
	if (mech != NULL)
		ADD(" (%s)", mech);
	if (user != NULL)
		ADD(" for user \"%s\"", user);
	if (src != NULL)
		ADD(" from %s", src);
	if (dst != NULL) {
		ADD(" to %s", dst);
		if (port != NULL)
			ADD("%s%lld", strchr(dst, ':') != NULL ? "." : ":",
			    (long long)json_object_get_int64(port));
	}
	if (result != NULL)
		ADD("; login %s", result);
	if (reason != NULL)
		ADD(": %s", reason);
#undef ADD
	/* Cut at a character boundary: never half a UTF-8 sequence. */
	if (o >= len) {
		o = len - 1;
		while (o > 0 && ((unsigned char)buf[o] & 0xc0) == 0x80)
			o--;
		buf[o] = '\0';
	}
}

/* --- the event -------------------------------------------------------- */

json_object *
ecs_from_eve(json_object *eve)
{
	static const char *const type_info[] = { "info" };
	json_object *ecs, *v, *cv, *cred;
	struct json_object_iterator it, end, cit, cend;
	char msg[MSG_MAX], path[PATH_MAX_ECS];
	const char *key, *et;

	if (eve == NULL || !json_object_is_type(eve, json_type_object) ||
	    (ecs = json_object_new_object()) == NULL)
		return NULL;
	/* The order a reader expects first: time, sentence, versions. */
	if ((v = get(eve, "timestamp")) != NULL)
		put(ecs, "@timestamp", json_object_get(v));
	message(eve, msg, sizeof(msg));
	put_str(ecs, "message", msg);
	put_str(ecs, "ecs.version", CREDLEAK_ECS_VERSION);
	et = get_str(eve, "event_type");
	put_str(ecs, "event.kind", event_kind(et));
	put_str(ecs, "event.module", "credleak");

	it = json_object_iter_begin(eve);
	end = json_object_iter_end(eve);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		v = json_object_iter_peek_value(&it);
		if (strcmp(key, "timestamp") == 0)
			continue;
		if (v != NULL && json_object_is_type(v, json_type_object) &&
		    mapped_parent(key)) {
			cit = json_object_iter_begin(v);
			cend = json_object_iter_end(v);
			for (; !json_object_iter_equal(&cit, &cend);
			    json_object_iter_next(&cit)) {
				cv = json_object_iter_peek_value(&cit);
				if ((size_t)snprintf(path, sizeof(path), "%s.%s",
				    key, json_object_iter_peek_name(&cit)) <
				    sizeof(path))
					map_field(ecs, path, cv);
			}
			continue;
		}
		if (v != NULL)
			map_field(ecs, key, v);
	}

	/* What ECS wants on every event and the EVE form says otherwise. */
	if (get(get(ecs, "event"), "category") == NULL) {
		static const char *const net[] = { "network" };

		put_strs(ecs, "event.category", net, 1);
	}
	put_strs(ecs, "event.type", type_info, 1);
	put_str(ecs, "observer.product", "credleak");
	put_str(ecs, "observer.type", "sensor");
	/* related.*: the fields Kibana pivots on across sources. */
	add_related(ecs, "related.ip", get(eve, "src_ip"));
	add_related(ecs, "related.ip", get(eve, "dest_ip"));
	cred = get(eve, "credential");
	add_related(ecs, "related.user", get(cred, "username"));
	return ecs;
}
