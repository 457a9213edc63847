/*
 * test_alert.c - the JSON line contract, Community ID, sanitising, masking.
 *
 * Output is written to an open_memstream() buffer and parsed back with
 * json-c; fields are checked one by one rather than by diffing text.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json.h>

#include "../../alerts/alert.h"

/* --- helpers --------------------------------------------------------- */

/* A sink writing into memory. */
struct mem {
	char		*buf;
	size_t		 len;
	FILE		*fp;
	struct alert_sink *sink;
};

static void
mem_open(struct mem *m, bool mask, const char *sensor)
{
	struct alert_opts o = { 0 };

	m->buf = NULL;
	m->len = 0;
	m->fp = open_memstream(&m->buf, &m->len);
	assert_non_null(m->fp);
	o.out = m->fp;
	o.mask_usernames = mask;
	o.sensor = sensor;
	m->sink = alert_sink_new(&o);
	assert_non_null(m->sink);
}

static void
mem_close(struct mem *m)
{
	alert_sink_free(m->sink);
	fclose(m->fp);
	free(m->buf);
}

/* Strict RFC 3629 check, written independently of json.c's. */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			k = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			k = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			k = 4;
			cp = s[i] & 0x07;
		} else
			return false;
		if (i + k > n)
			return false;
		for (j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
		    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k;
	}
	return true;
}

/*
 * The single line written since the last call, parsed.  It must end in
 * one newline, hold no other, be valid UTF-8 and parse as an object.
 */
static json_object *
last_line(struct mem *m, size_t *off)
{
	json_object *o;
	size_t i, n;

	fflush(m->fp);
	assert_true(m->len > *off);
	n = m->len - *off;
	assert_int_equal(m->buf[m->len - 1], '\n');
	for (i = *off; i < m->len - 1; i++) {
		assert_true(m->buf[i] != '\n');
		assert_true((unsigned char)m->buf[i] >= 0x20);
	}
	assert_true(valid_utf8((const unsigned char *)m->buf + *off, n));
	o = json_tokener_parse(m->buf + *off);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	*off = m->len;
	return o;
}

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("missing key %s", key);
	return v;
}

static bool
has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static void
check_str(json_object *o, const char *key, const char *want)
{
	json_object *v = get(o, key);

	assert_true(json_object_is_type(v, json_type_string));
	assert_string_equal(json_object_get_string(v), want);
}

static void
check_int(json_object *o, const char *key, int64_t want)
{
	json_object *v = get(o, key);

	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int64(v), want);
}

static void
check_bool(json_object *o, const char *key, bool want)
{
	json_object *v = get(o, key);

	assert_true(json_object_is_type(v, json_type_boolean));
	assert_int_equal(json_object_get_boolean(v), want);
}

static void
flow4(struct flow_info *fi, const char *cli, uint16_t cport, const char *srv,
    uint16_t sport)
{
	memset(fi, 0, sizeof(*fi));
	fi->family = 4;
	assert_int_equal(inet_pton(AF_INET, cli, fi->cli_addr), 1);
	assert_int_equal(inet_pton(AF_INET, srv, fi->srv_addr), 1);
	fi->cli_port = cport;
	fi->srv_port = sport;
	fi->flow_id = 7;
	fi->input = "test.pcap";
}

static void
flow_any(struct flow_info *fi, const char *cli, uint16_t cport,
    const char *srv, uint16_t sport)
{
	memset(fi, 0, sizeof(*fi));
	if (strchr(cli, ':') != NULL) {
		fi->family = 6;
		assert_int_equal(inet_pton(AF_INET6, cli, fi->cli_addr), 1);
		assert_int_equal(inet_pton(AF_INET6, srv, fi->srv_addr), 1);
	} else {
		fi->family = 4;
		assert_int_equal(inet_pton(AF_INET, cli, fi->cli_addr), 1);
		assert_int_equal(inet_pton(AF_INET, srv, fi->srv_addr), 1);
	}
	fi->cli_port = cport;
	fi->srv_port = sport;
}

/* A cleartext AUTH PLAIN login of `user` on SMTP submission. */
static void
cred(struct finding *f, const char *user, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->kind = K_CLEARTEXT_CREDENTIALS;
	f->app_proto = "smtp";
	f->mechanism = "AUTH PLAIN";
	f->username = (const uint8_t *)user;
	f->username_len = len;
	f->result = RES_SUCCESS;
	f->secret_seen = true;
}

/* The username the sink writes for `user` (masked or not). */
static char *
username_of(const char *user, size_t len, bool mask, bool *truncated)
{
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o, *c;
	size_t off = 0;
	char *s;

	mem_open(&m, mask, "s");
	flow4(&fi, "10.0.0.1", 40000, "10.0.0.2", 587);
	cred(&f, user, len);
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	c = get(o, "credential");
	s = strdup(json_object_get_string(get(c, "username")));
	*truncated = has(c, "username_truncated") &&
	    json_object_get_boolean(get(c, "username_truncated"));
	json_object_put(o);
	mem_close(&m);
	return s;
}

static void
check_user(const char *user, size_t len, bool mask, const char *want)
{
	bool trunc;
	char *got;

	got = username_of(user, len, mask, &trunc);
	assert_string_equal(got, want);
	assert_false(trunc);
	free(got);
}

#define USER(s, want)		check_user(s, sizeof(s) - 1, false, want)
#define MASKED(s, want)		check_user(s, sizeof(s) - 1, true, want)

/* --- Community ID ---------------------------------------------------- */

/*
 * Every vector of corelight/community-id-spec baseline/baseline_deflt.json
 * (seed 0, base64).  The ICMP and ICMPv6 rows give the type/code already
 * mapped to port equivalents, as the spec's reference does.
 */
static const struct {
	uint8_t		 proto;
	const char	*saddr, *daddr;
	uint16_t	 sport, dport;
	const char	*cid;
} cid_vectors[] = {
	{ 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
	    "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
	    "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
	    "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135,
	    "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	    "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
	{ 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da",
	    1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
	{ 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129,
	    "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128,
	    "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134,
	    "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133,
	    "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
	{ 1, "192.168.0.89", "192.168.0.1", 8, 0,
	    "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 1, "192.168.0.1", "192.168.0.89", 0, 8,
	    "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 1, "10.0.0.1", "10.0.0.2", 11, 0,
	    "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a",
	    63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887",
	    25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 132, "192.168.170.8", "192.168.170.56", 7, 7,
	    "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 132, "192.168.170.56", "192.168.170.8", 7, 7,
	    "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80,
	    "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 6, "66.35.250.204", "128.232.110.120", 80, 34855,
	    "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 17, "192.168.1.52", "8.8.8.8", 54585, 53,
	    "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585,
	    "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 46, "10.1.12.1", "10.1.12.2", 0, 0,
	    "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 46, "10.1.12.2", "10.1.12.1", 0, 0,
	    "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
};

static void
test_community_id_baseline(void **state)
{
	struct flow_info fi;
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cid_vectors) / sizeof(cid_vectors[0]); i++) {
		flow_any(&fi, cid_vectors[i].saddr, cid_vectors[i].sport,
		    cid_vectors[i].daddr, cid_vectors[i].dport);
		community_id_v1(&fi, cid_vectors[i].proto, buf, sizeof(buf));
		assert_string_equal(buf, cid_vectors[i].cid);
	}
}

/* Protocols without ports ignore them; a short buffer gets "". */
static void
test_community_id_edges(void **state)
{
	struct flow_info fi;
	char buf[32], other[32], small[16];

	(void)state;
	flow_any(&fi, "10.1.12.1", 1234, "10.1.12.2", 80);
	community_id_v1(&fi, 46, buf, sizeof(buf));
	assert_string_equal(buf, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=");

	memset(small, 'x', sizeof(small));
	community_id_v1(&fi, 6, small, 0);	/* no room at all: untouched */
	assert_int_equal(small[0], 'x');
	community_id_v1(&fi, 6, small, sizeof(small));
	assert_string_equal(small, "");

	/* Same address both ends: the ports decide the order. */
	flow_any(&fi, "127.0.0.1", 80, "127.0.0.1", 1234);
	community_id_v1(&fi, 6, buf, sizeof(buf));
	flow_any(&fi, "127.0.0.1", 1234, "127.0.0.1", 80);
	community_id_v1(&fi, 6, other, sizeof(other));
	assert_string_equal(buf, other);

	/* The spec's example: both directions order to 10.0.0.1, 127.0.0.1, 1234, 80. */
	flow_any(&fi, "10.0.0.1", 1234, "127.0.0.1", 80);
	community_id_v1(&fi, 6, buf, sizeof(buf));
	flow_any(&fi, "127.0.0.1", 80, "10.0.0.1", 1234);
	community_id_v1(&fi, 6, other, sizeof(other));
	assert_string_equal(buf, other);
}

/* --- the JSON line --------------------------------------------------- */

static void
test_line_shape(void **state)
{
	static const char *const fields[] = {
		"timestamp", "event_type", "schema_version", "kind", "severity",
		"src_ip", "src_port", "dest_ip", "dest_port", "proto",
		"app_proto", "community_id", "flow_id", "vlan", "sensor",
		"input", "credential", "tls", "mechanisms_offered", "reason",
		"gap_seen", "midstream",
	};
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o, *c, *t, *a;
	size_t off = 0, i;

	(void)state;
	mem_open(&m, false, "sensor-1");
	flow4(&fi, "192.0.2.10", 51515, "198.51.100.25", 587);
	fi.nvlan = 2;
	fi.vlan[0] = 100;
	fi.vlan[1] = 4094;
	fi.midstream = true;
	fi.flow_id = UINT64_C(18446744073709551615);
	cred(&f, "alice@example.org", 17);
	f.starttls_offered = TRI_YES;
	f.starttls_requested = false;
	f.mechs[0] = "PLAIN";
	f.mechs[1] = "LOGIN";
	f.nmechs = 2;
	f.reason = "AUTH before STARTTLS";
	f.gap_seen = true;
	alert_emit(m.sink, &fi, UINT64_C(1795357438123456), &f);

	o = last_line(&m, &off);
	check_str(o, "timestamp", "2026-11-22T14:23:58.123456Z");
	check_str(o, "event_type", "credleak");
	check_str(o, "schema_version", CREDLEAK_SCHEMA_VERSION);
	check_str(o, "kind", "cleartext_credentials");
	check_str(o, "severity", "high");
	check_str(o, "src_ip", "192.0.2.10");
	check_int(o, "src_port", 51515);
	check_str(o, "dest_ip", "198.51.100.25");
	check_int(o, "dest_port", 587);
	check_str(o, "proto", "TCP");
	check_str(o, "app_proto", "smtp");
	assert_true(json_object_is_type(get(o, "flow_id"), json_type_int));
	assert_int_equal(json_object_get_uint64(get(o, "flow_id")),
	    UINT64_C(18446744073709551615));
	check_str(o, "sensor", "sensor-1");
	check_str(o, "input", "test.pcap");
	check_str(o, "reason", "AUTH before STARTTLS");
	check_bool(o, "gap_seen", true);
	check_bool(o, "midstream", true);

	/* The same flow's Community ID, as community_id_v1() gives it. */
	{
		char cid[32];

		community_id_v1(&fi, 6, cid, sizeof(cid));
		check_str(o, "community_id", cid);
		assert_memory_equal(cid, "1:", 2);
	}

	a = get(o, "vlan");
	assert_true(json_object_is_type(a, json_type_array));
	assert_int_equal(json_object_array_length(a), 2);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(a, 0)), 100);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(a, 1)), 4094);

	c = get(o, "credential");
	check_str(c, "mechanism", "AUTH PLAIN");
	check_str(c, "username", "alice@example.org");
	check_str(c, "result", "success");
	check_bool(c, "anonymous", false);
	check_bool(c, "password_seen", true);
	assert_false(has(c, "username_truncated"));
	assert_false(has(c, "password"));

	t = get(o, "tls");
	check_bool(t, "starttls_offered", true);
	check_bool(t, "starttls_requested", false);
	assert_false(has(t, "starttls_reply"));

	a = get(o, "mechanisms_offered");
	assert_int_equal(json_object_array_length(a), 2);
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(a, 0)), "PLAIN");
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(a, 1)), "LOGIN");

	/* Nothing else on the line. */
	assert_int_equal(json_object_object_length(o),
	    sizeof(fields) / sizeof(fields[0]));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_true(has(o, fields[i]));
	/* Compact, and "/" is not escaped. */
	assert_null(strstr(m.buf, ": "));
	assert_null(strstr(m.buf, "\\/"));
	json_object_put(o);

	/* A plain finding: no vlan, no optional fields. */
	fi.nvlan = 0;
	fi.midstream = false;
	memset(&f, 0, sizeof(f));
	f.kind = K_STARTTLS_REFUSED;
	f.app_proto = "smtp";
	f.starttls_offered = TRI_NO;
	f.starttls_requested = true;
	f.starttls_reply = 454;
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	check_str(o, "timestamp", "1970-01-01T00:00:00.000000Z");
	check_str(o, "kind", "starttls_refused");
	check_str(o, "severity", "medium");
	assert_false(has(o, "vlan"));
	assert_false(has(o, "credential"));
	assert_false(has(o, "mechanisms_offered"));
	assert_false(has(o, "reason"));
	assert_false(has(o, "gap_seen"));
	assert_false(has(o, "midstream"));
	assert_false(has(o, "rcpt_accepted"));
	t = get(o, "tls");
	check_bool(t, "starttls_offered", false);
	check_bool(t, "starttls_requested", true);
	check_int(t, "starttls_reply", 454);
	json_object_put(o);

	assert_int_equal(alert_count(m.sink, K_CLEARTEXT_CREDENTIALS), 1);
	assert_int_equal(alert_count(m.sink, K_STARTTLS_REFUSED), 1);
	assert_int_equal(alert_count(m.sink, K_WEAK_TLS), 0);
	mem_close(&m);
}

static void
test_ipv6_text(void **state)
{
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o;
	size_t off = 0;

	(void)state;
	mem_open(&m, false, "s");
	flow_any(&fi, "2001:0db8:0000:0000:0000:0000:0000:0001", 40000,
	    "2001:db8:0:0:1:0:0:1", 110);
	cred(&f, "bob", 3);
	f.app_proto = "pop3";
	f.mechanism = "USER/PASS";
	f.result = RES_FAILURE;
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	check_str(o, "src_ip", "2001:db8::1");
	check_str(o, "dest_ip", "2001:db8::1:0:0:1");	/* RFC 5952 §4.2.3 */
	check_str(o, "severity", "medium");
	check_str(get(o, "credential"), "result", "failure");
	check_str(get(o, "credential"), "mechanism", "USER/PASS");
	/* A mail protocol: tls is there, with what is unknown left out. */
	assert_false(has(get(o, "tls"), "starttls_offered"));
	check_bool(get(o, "tls"), "starttls_requested", false);
	json_object_put(o);
	mem_close(&m);
}

static void
test_severity(void **state)
{
	static const struct {
		enum finding_kind kind;
		enum auth_result res;
		bool		 anon;
		uint16_t	 port;
		const char	*want;
	} t[] = {
		{ K_CLEARTEXT_CREDENTIALS, RES_SUCCESS, false, 587, "high" },
		{ K_CLEARTEXT_CREDENTIALS, RES_UNKNOWN, false, 587, "high" },
		{ K_CLEARTEXT_CREDENTIALS, RES_FAILURE, false, 587, "medium" },
		{ K_CLEARTEXT_CREDENTIALS, RES_SUCCESS, true, 587, "low" },
		{ K_CHALLENGE_RESPONSE, RES_SUCCESS, false, 110, "medium" },
		{ K_CHALLENGE_RESPONSE, RES_FAILURE, false, 110, "low" },
		{ K_STARTTLS_STRIPPED, RES_UNKNOWN, false, 25, "high" },
		{ K_CLEARTEXT_AUTH_OFFERED, RES_UNKNOWN, false, 25, "medium" },
		{ K_STARTTLS_NOT_OFFERED, RES_UNKNOWN, false, 25, "medium" },
		{ K_STARTTLS_OFFERED_NOT_USED, RES_UNKNOWN, false, 25, "medium" },
		{ K_STARTTLS_REFUSED, RES_UNKNOWN, false, 25, "medium" },
		{ K_WEAK_TLS, RES_UNKNOWN, false, 25, "medium" },
		{ K_UNAUTH_MAIL_ACCEPTED, RES_UNKNOWN, false, 25, "low" },
		/* Submission without AUTH (relay judgement, aggregate.c). */
		{ K_UNAUTH_MAIL_ACCEPTED, RES_UNKNOWN, false, 587, "high" },
	};
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o;
	size_t off = 0, i;

	(void)state;
	mem_open(&m, false, "s");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		flow4(&fi, "10.0.0.1", 40000, "10.0.0.2", t[i].port);
		cred(&f, "u", 1);
		f.kind = t[i].kind;
		f.result = t[i].res;
		f.anonymous = t[i].anon;
		f.rcpt_accepted = 3;
		f.messages_accepted = 2;
		alert_emit(m.sink, &fi, 0, &f);
		o = last_line(&m, &off);
		check_str(o, "kind", finding_kind_name(t[i].kind));
		check_str(o, "severity", t[i].want);
		assert_int_equal(has(o, "credential"),
		    t[i].kind == K_CLEARTEXT_CREDENTIALS ||
		    t[i].kind == K_CHALLENGE_RESPONSE);
		if (t[i].kind == K_UNAUTH_MAIL_ACCEPTED) {
			check_int(o, "rcpt_accepted", 3);
			check_int(o, "messages_accepted", 2);
		} else
			assert_false(has(o, "rcpt_accepted"));
		if (t[i].kind == K_CLEARTEXT_CREDENTIALS)
			check_bool(get(o, "credential"), "anonymous", t[i].anon);
		json_object_put(o);
	}
	assert_int_equal(alert_count(m.sink, K_CLEARTEXT_CREDENTIALS), 4);
	assert_int_equal(alert_count(m.sink, K_UNAUTH_MAIL_ACCEPTED), 2);
	assert_int_equal(alert_count(m.sink, K__COUNT), 0);
	mem_close(&m);
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(finding_kind_name(K_CLEARTEXT_CREDENTIALS),
	    "cleartext_credentials");
	assert_string_equal(finding_kind_name(K_CLEARTEXT_AUTH_OFFERED),
	    "cleartext_auth_offered");
	assert_string_equal(finding_kind_name(K_STARTTLS_NOT_OFFERED),
	    "starttls_not_offered");
	assert_string_equal(finding_kind_name(K_STARTTLS_OFFERED_NOT_USED),
	    "starttls_offered_not_used");
	assert_string_equal(finding_kind_name(K_STARTTLS_REFUSED),
	    "starttls_refused");
	assert_string_equal(finding_kind_name(K_STARTTLS_STRIPPED),
	    "starttls_stripped");
	assert_string_equal(finding_kind_name(K_WEAK_TLS), "weak_tls");
	assert_string_equal(finding_kind_name(K_UNAUTH_MAIL_ACCEPTED),
	    "unauthenticated_mail_accepted");
	assert_string_equal(finding_kind_name(K_CHALLENGE_RESPONSE),
	    "challenge_response_auth");
	assert_string_equal(finding_kind_name(K__COUNT), "unknown");
}

/* A finding of a protocol that is not mail, with nothing known of TLS. */
static void
test_no_tls_object(void **state)
{
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o;
	size_t off = 0;

	(void)state;
	mem_open(&m, false, "s");
	flow4(&fi, "10.0.0.1", 40000, "10.0.0.2", 80);
	cred(&f, "carol", 5);
	f.app_proto = "http";
	f.mechanism = "HTTP Basic";
	f.username = NULL;
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	assert_false(has(o, "tls"));
	check_str(o, "app_proto", "http");
	assert_false(has(get(o, "credential"), "username"));
	json_object_put(o);
	mem_close(&m);
}

/* What a handshake showed: names from tls.c, else the code in hex. */
static void
test_tls_version_cipher(void **state)
{
	static const struct {
		const char	*proto;
		uint16_t	 version, cipher;
		const char	*vname, *cname;	/* NULL: key absent */
	} t[] = {
		{ "smtp", 0x0301, 0x000a, "TLSv1.0",
		  "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
		{ "pop3", 0x0304, 0x1302, "TLSv1.3", "TLS_AES_256_GCM_SHA384" },
		{ "smtp", 0x0300, 0x0005, "SSLv3", "TLS_RSA_WITH_RC4_128_SHA" },
		{ "smtp", 0x0002, 0, "SSLv2", NULL },
		{ "imap", 0x7f1c, 0x1234, "0x7f1c", "0x1234" },
		{ "smtp", 0, 0, NULL, NULL },
		/* Not a mail protocol: the tls object is there for the handshake. */
		{ "ftp", 0x0302, 0xc014, "TLSv1.1",
		  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
	};
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o, *tl;
	size_t off = 0, i;

	(void)state;
	mem_open(&m, false, "s");
	flow4(&fi, "10.0.0.1", 40000, "10.0.0.2", 25);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.kind = K_WEAK_TLS;
		f.app_proto = t[i].proto;
		f.starttls_offered = TRI_YES;
		f.starttls_requested = true;
		f.starttls_reply = 220;
		f.tls_version = t[i].version;
		f.tls_cipher = t[i].cipher;
		f.reason = "TLS 1.0 with a 3DES cipher";
		alert_emit(m.sink, &fi, 0, &f);
		o = last_line(&m, &off);
		check_str(o, "kind", "weak_tls");
		check_str(o, "severity", "medium");
		check_str(o, "reason", "TLS 1.0 with a 3DES cipher");
		assert_false(has(o, "implicit_tls_port"));
		tl = get(o, "tls");
		check_int(tl, "starttls_reply", 220);
		if (t[i].vname != NULL)
			check_str(tl, "version", t[i].vname);
		else
			assert_false(has(tl, "version"));
		if (t[i].cname != NULL)
			check_str(tl, "cipher", t[i].cname);
		else
			assert_false(has(tl, "cipher"));
		json_object_put(o);
	}
	/* No STARTTLS facts, but a handshake: still a tls object. */
	memset(&f, 0, sizeof(f));
	f.kind = K_WEAK_TLS;
	f.app_proto = "ftp";
	f.tls_version = 0x0301;
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	check_str(get(o, "tls"), "version", "TLSv1.0");
	assert_false(has(get(o, "tls"), "cipher"));
	json_object_put(o);
	mem_close(&m);
}

/* A cleartext login on a port meant for implicit TLS says so. */
static void
test_implicit_tls_port(void **state)
{
	static const struct {
		uint16_t	 port;
		bool		 implicit;
	} t[] = {
		{ 465, true }, { 993, true }, { 995, true }, { 990, true },
		{ 443, true }, { 636, true },
		{ 25, false }, { 587, false }, { 110, false }, { 143, false },
		{ 80, false }, { 21, false }, { 4443, false },
	};
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o;
	size_t off = 0, i;

	(void)state;
	mem_open(&m, false, "s");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		flow4(&fi, "10.0.0.1", 40000, "10.0.0.2", t[i].port);
		cred(&f, "alice", 5);
		alert_emit(m.sink, &fi, 0, &f);
		o = last_line(&m, &off);
		check_str(o, "kind", "cleartext_credentials");
		check_str(o, "severity", "high");
		if (t[i].implicit) {
			check_bool(o, "implicit_tls_port", true);
			check_str(o, "reason", "cleartext login on a port that "
			    "conventionally carries implicit TLS");
		} else {
			assert_false(has(o, "implicit_tls_port"));
			assert_false(has(o, "reason"));
		}
		json_object_put(o);
	}
	/* A decoder's own reason is kept. */
	flow4(&fi, "10.0.0.1", 40000, "10.0.0.2", 995);
	cred(&f, "bob", 3);
	f.app_proto = "pop3";
	f.reason = "USER/PASS before STLS";
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	check_bool(o, "implicit_tls_port", true);
	check_str(o, "reason", "USER/PASS before STLS");
	json_object_put(o);
	/* Only cleartext credentials: not other kinds on those ports. */
	flow4(&fi, "10.0.0.1", 40000, "10.0.0.2", 993);
	cred(&f, "bob", 3);
	f.kind = K_CHALLENGE_RESPONSE;
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	assert_false(has(o, "implicit_tls_port"));
	assert_false(has(o, "reason"));
	json_object_put(o);
	mem_close(&m);
}

/* --- usernames ------------------------------------------------------- */

static void
test_sanitise(void **state)
{
	(void)state;
	USER("alice", "alice");
	USER("", "");
	USER("CORP\\bob", "CORP\\bob");
	USER("quote\"d", "quote\"d");
	USER("j\xc3\xbcrgen", "j\xc3\xbcrgen");			/* ü */
	USER("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");	/* 日本 */
	USER("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");		/* U+1F600 */
	USER("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");		/* U+10FFFF */
	USER("a\0b", "a\\x00b");				/* NUL */
	USER("x\r\ny\t\x1b[31m", "x\\x0d\\x0ay\\x09\\x1b[31m");	/* controls */
	USER("del\x7f", "del\\x7f");
	USER("\xff\xfe", "\\xff\\xfe");				/* invalid bytes */
	USER("\xc0\xaf", "\\xc0\\xaf");				/* overlong '/' */
	USER("\xe0\x80\xaf", "\\xe0\\x80\\xaf");		/* overlong, 3 bytes */
	USER("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");	/* overlong, 4 bytes */
	USER("\xed\xa0\x80", "\\xed\\xa0\\x80");		/* surrogate D800 */
	USER("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");	/* U+110000 */
	USER("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	USER("\xc2\x85", "\\xc2\\x85");				/* C1 control NEL */
	USER("\xc2\xa0ok", "\xc2\xa0ok");			/* NBSP is printable */
	USER("end\xe2\x82", "end\\xe2\\x82");			/* cut sequence */
	USER("\x80x", "\\x80x");				/* lone continuation */
	USER("\xe2\x82\xac\xe2", "\xe2\x82\xac\\xe2");		/* € then junk */
}

static void
test_sanitise_long(void **state)
{
	char user[1000], *got;
	bool trunc;

	(void)state;
	/* Long plain names are capped and flagged. */
	memset(user, 'a', sizeof(user));
	got = username_of(user, sizeof(user), false, &trunc);
	assert_true(trunc);
	assert_true(strlen(got) > 0 && strlen(got) <= 512);
	free(got);

	/* Escapes are never cut in half. */
	memset(user, 0xff, sizeof(user));
	got = username_of(user, sizeof(user), false, &trunc);
	assert_true(trunc);
	assert_int_equal(strlen(got) % 4, 0);
	assert_memory_equal(got + strlen(got) - 4, "\\xff", 4);
	free(got);

	/* The decoder's own truncation flag is carried through. */
	{
		struct flow_info fi;
		struct finding f;
		struct mem m;
		json_object *o;
		size_t off = 0;

		mem_open(&m, false, "s");
		flow4(&fi, "10.0.0.1", 1, "10.0.0.2", 2);
		cred(&f, "short", 5);
		f.username_truncated = true;
		alert_emit(m.sink, &fi, 0, &f);
		o = last_line(&m, &off);
		check_bool(get(o, "credential"), "username_truncated", true);
		json_object_put(o);
		mem_close(&m);
	}
}

static void
test_mask(void **state)
{
	(void)state;
	MASKED("alice@example.org", "a***@example.org");
	MASKED("administrator", "a***");
	MASKED("x", "***");
	MASKED("x@example.org", "***@example.org");
	MASKED("@example.org", "***@example.org");
	MASKED("", "***");
	MASKED("j\xc3\xbcrgen", "j***");
	MASKED("\xc3\xbcnter", "\xc3\xbc***");
	MASKED("\xffroot", "\\xff***");
	MASKED("a@b@evil\x01.org", "a***@evil\\x01.org");
	MASKED("CORP\\bob", "C***");
}

/* --- timestamps ------------------------------------------------------ */

static void
test_timestamps(void **state)
{
	char buf[ALERT_TS_LEN];

	(void)state;
	assert_int_equal(alert_format_ts(0, buf, sizeof(buf)), 27);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
	alert_format_ts(UINT64_C(1795357438123456), buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T14:23:58.123456Z");
	alert_format_ts(UINT64_C(1709251199999999), buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29T23:59:59.999999Z");
	alert_format_ts(UINT64_C(946684800000001), buf, sizeof(buf));
	assert_string_equal(buf, "2000-01-01T00:00:00.000001Z");
	alert_format_ts(UINT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "9999-12-31T23:59:59.999999Z");
	/* Too small a buffer: nothing half-written. */
	assert_int_equal(alert_format_ts(0, buf, 27), 0);
	assert_string_equal(buf, "");
}

/* --- the sink -------------------------------------------------------- */

struct rec {
	int		 calls;
	enum finding_kind kind;
	uint64_t	 ts;
	uint16_t	 port;
};

static void
hook(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	struct rec *r = arg;

	r->calls++;
	r->kind = f->kind;
	r->ts = ts_us;
	r->port = fi->srv_port;
}

static void
test_hook_no_output(void **state)
{
	struct alert_opts o = { 0 };
	struct alert_sink *s;
	struct flow_info fi;
	struct finding f;
	struct rec r = { 0 };

	(void)state;
	o.hook = hook;
	o.hook_arg = &r;
	s = alert_sink_new(&o);
	assert_non_null(s);
	flow4(&fi, "10.0.0.1", 1, "10.0.0.2", 110);
	cred(&f, "u", 1);
	f.kind = K_CHALLENGE_RESPONSE;
	alert_emit(s, &fi, 99, &f);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.kind, K_CHALLENGE_RESPONSE);
	assert_int_equal(r.ts, 99);
	assert_int_equal(r.port, 110);
	assert_int_equal(alert_count(s, K_CHALLENGE_RESPONSE), 1);
	alert_sink_free(s);
	alert_sink_free(NULL);
	assert_int_equal(alert_count(NULL, K_WEAK_TLS), 0);
}

/* The sensor defaults to the host name. */
static void
test_sensor_default(void **state)
{
	struct flow_info fi;
	struct finding f;
	struct mem m;
	json_object *o;
	char host[256];
	size_t off = 0;

	(void)state;
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	mem_open(&m, false, NULL);
	flow4(&fi, "10.0.0.1", 1, "10.0.0.2", 25);
	memset(&f, 0, sizeof(f));
	f.kind = K_STARTTLS_NOT_OFFERED;
	f.app_proto = "smtp";
	alert_emit(m.sink, &fi, 0, &f);
	o = last_line(&m, &off);
	check_str(o, "sensor", host);
	json_object_put(o);
	mem_close(&m);
}

/* On a pipe every line is flushed at once. */
static void
test_pipe_flush(void **state)
{
	struct alert_opts o = { 0 };
	struct alert_sink *s;
	struct flow_info fi;
	struct finding f;
	char buf[4096];
	ssize_t n;
	FILE *w;
	int fd[2];

	(void)state;
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(fcntl(fd[0], F_SETFL, O_NONBLOCK), 0);
	w = fdopen(fd[1], "w");
	assert_non_null(w);
	o.out = w;
	o.sensor = "s";
	s = alert_sink_new(&o);
	flow4(&fi, "10.0.0.1", 1, "10.0.0.2", 25);
	memset(&f, 0, sizeof(f));
	f.kind = K_WEAK_TLS;
	f.app_proto = "smtp";
	alert_emit(s, &fi, 0, &f);
	n = read(fd[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	alert_sink_free(s);
	fclose(w);
	close(fd[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_community_id_baseline),
		cmocka_unit_test(test_community_id_edges),
		cmocka_unit_test(test_line_shape),
		cmocka_unit_test(test_ipv6_text),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_no_tls_object),
		cmocka_unit_test(test_tls_version_cipher),
		cmocka_unit_test(test_implicit_tls_port),
		cmocka_unit_test(test_sanitise),
		cmocka_unit_test(test_sanitise_long),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_hook_no_output),
		cmocka_unit_test(test_sensor_default),
		cmocka_unit_test(test_pipe_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
