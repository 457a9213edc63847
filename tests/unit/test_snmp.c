/*
 * test_snmp.c - the SNMP decoder (RFC 1157, RFC 3416, RFC 3412, RFC 3414).
 *
 * SNMP runs over UDP: each step is one whole datagram, fed whole (the
 * decoder never sees a part of one).  The datagrams below are BER written
 * out byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/decoder.h"
#include "../../decoders/sasl.h"

extern const struct decoder snmp_decoder;

#define SESSION_DECODER	snmp_decoder
#define SESSION_APP	"snmp"
#define SESSION_PORT	161
#include "session.h"

#define COMM1	"sierra-tango-test-704"
#define COMM2	"uniform-victor-test-705"

#define V1_GET_PUBLIC	"0'\x02\x01\x00\x04\x06public\xa0\x1a\x02\x02\x03\xe9\x02" \
	    "\x01\x00\x02\x01\x00" "0\x0e" "0\x0c\x06\x08+\x06\x01\x02" \
	    "\x01\x01\x01\x00\x05\x00"
#define V1_RESP_PUBLIC	"0,\x02\x01\x00\x04\x06public\xa2\x1f\x02\x02\x03\xe9\x02" \
	    "\x01\x00\x02\x01\x00" "0\x13" "0\x11\x06\x08+\x06\x01\x02" \
	    "\x01\x01\x01\x00\x04\x05Linux"
#define V2_GET_SECRET	"06\x02\x01\x01\x04\x15sierra-tango-test-704\xa0\x1a\x02\x02" \
	    "\x07\xd2\x02\x01\x00\x02\x01\x00" "0\x0e" "0\x0c\x06\x08+" \
	    "\x06\x01\x02\x01\x01\x01\x00\x05\x00"
#define V2_RESP_SECRET	"0;\x02\x01\x01\x04\x15sierra-tango-test-704\xa2\x1f\x02\x02" \
	    "\x07\xd2\x02\x01\x00\x02\x01\x00" "0\x13" "0\x11\x06\x08+" \
	    "\x06\x01\x02\x01\x01\x01\x00\x04\x05Linux"
#define V2_RESP_DENIED	"06\x02\x01\x01\x04\x15sierra-tango-test-704\xa2\x1a\x02\x02" \
	    "\x07\xd2\x02\x01\x10\x02\x01\x01" "0\x0e" "0\x0c\x06\x08+" \
	    "\x06\x01\x02\x01\x01\x01\x00\x05\x00"
#define V2_GET_WRONG	"08\x02\x01\x01\x04\x17uniform-victor-test-705\xa0\x1a\x02" \
	    "\x02\x0b\xbb\x02\x01\x00\x02\x01\x00" "0\x0e" "0\x0c\x06" \
	    "\x08+\x06\x01\x02\x01\x01\x01\x00\x05\x00"
#define V2_TRAP_PRIVATE	"0B\x02\x01\x01\x04\x07private\xa7" "4\x02\x02\x0f\xa4\x02" \
	    "\x01\x00\x02\x01\x00" "0(0\x0d\x06\x08+\x06\x01\x02\x01\x01" \
	    "\x03\x00" "C\x01\x01" "0\x17\x06\x0a+\x06\x01\x06\x03\x01" \
	    "\x01\x04\x01\x00\x06\x09+\x06\x01\x06\x03\x01\x01\x05\x01"
#define V3_DISCOVER	"0J\x02\x01\x03" "0\x0e\x02\x01M\x02\x03\x00\xff\xe3\x04\x01" \
	    "\x04\x02\x01\x03\x04\x19" "0\x17\x04\x09\x80\x00\x1f\x88" \
	    "\x80\x01\x02\x03\x04\x02\x01\x01\x02\x01" "d\x04\x00\x04" \
	    "\x00\x04\x00" "0\x1a\x04\x09\x80\x00\x1f\x88\x80\x01\x02" \
	    "\x03\x04\x04\x00\xa0\x0b\x02\x01\x05\x02\x01\x00\x02\x01" \
	    "\x00" "0\x00"
#define V3_GET_AUTH	"0j\x02\x01\x03" "0\x0e\x02\x01M\x02\x03\x00\xff\xe3\x04\x01" \
	    "\x05\x02\x01\x03\x04+0)\x04\x09\x80\x00\x1f\x88\x80\x01\x02" \
	    "\x03\x04\x02\x01\x01\x02\x01" "d\x04\x06walter\x04\x0c\xaa" \
	    "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\x04\x00" "0(" \
	    "\x04\x09\x80\x00\x1f\x88\x80\x01\x02\x03\x04\x04\x00\xa0" \
	    "\x19\x02\x01\x06\x02\x01\x00\x02\x01\x00" "0\x0e" "0\x0c" \
	    "\x06\x08+\x06\x01\x02\x01\x01\x01\x00\x05\x00"
#define V3_RESP_AUTH	"0o\x02\x01\x03" "0\x0e\x02\x01M\x02\x03\x00\xff\xe3\x04\x01" \
	    "\x01\x02\x01\x03\x04+0)\x04\x09\x80\x00\x1f\x88\x80\x01\x02" \
	    "\x03\x04\x02\x01\x01\x02\x01" "d\x04\x06walter\x04\x0c\xaa" \
	    "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\x04\x00" "0-" \
	    "\x04\x09\x80\x00\x1f\x88\x80\x01\x02\x03\x04\x04\x00\xa2" \
	    "\x1e\x02\x01\x06\x02\x01\x00\x02\x01\x00" "0\x13" "0\x11" \
	    "\x06\x08+\x06\x01\x02\x01\x01\x01\x00\x04\x05Linux"
#define V3_REPORT_WRONG	"0a\x02\x01\x03" "0\x0e\x02\x01M\x02\x03\x00\xff\xe3\x04\x01" \
	    "\x00\x02\x01\x03\x04\x1f" "0\x1d\x04\x09\x80\x00\x1f\x88" \
	    "\x80\x01\x02\x03\x04\x02\x01\x01\x02\x01" "d\x04\x06walter" \
	    "\x04\x00\x04\x00" "0+\x04\x09\x80\x00\x1f\x88\x80\x01\x02" \
	    "\x03\x04\x04\x00\xa8\x1c\x02\x01\x06\x02\x01\x00\x02\x01" \
	    "\x00" "0\x11" "0\x0f\x06\x0a+\x06\x01\x06\x03\x0f\x01\x01" \
	    "\x05\x00" "A\x01\x01"
#define V3_REPORT_TIME	"0a\x02\x01\x03" "0\x0e\x02\x01M\x02\x03\x00\xff\xe3\x04\x01" \
	    "\x00\x02\x01\x03\x04\x1f" "0\x1d\x04\x09\x80\x00\x1f\x88" \
	    "\x80\x01\x02\x03\x04\x02\x01\x01\x02\x01" "d\x04\x06walter" \
	    "\x04\x00\x04\x00" "0+\x04\x09\x80\x00\x1f\x88\x80\x01\x02" \
	    "\x03\x04\x04\x00\xa8\x1c\x02\x01\x06\x02\x01\x00\x02\x01" \
	    "\x00" "0\x11" "0\x0f\x06\x0a+\x06\x01\x06\x03\x0f\x01\x01" \
	    "\x02\x00" "A\x01\x01"
#define V3_GET_NOAUTH	"0^\x02\x01\x03" "0\x0e\x02\x01M\x02\x03\x00\xff\xe3\x04\x01" \
	    "\x04\x02\x01\x03\x04\x1f" "0\x1d\x04\x09\x80\x00\x1f\x88" \
	    "\x80\x01\x02\x03\x04\x02\x01\x01\x02\x01" "d\x04\x06xavier" \
	    "\x04\x00\x04\x00" "0(\x04\x09\x80\x00\x1f\x88\x80\x01\x02" \
	    "\x03\x04\x04\x00\xa0\x19\x02\x01\x07\x02\x01\x00\x02\x01" \
	    "\x00" "0\x0e" "0\x0c\x06\x08+\x06\x01\x02\x01\x01\x01\x00" \
	    "\x05\x00"
#define V3_GET_PRIV	"0b\x02\x01\x03" "0\x0e\x02\x01M\x02\x03\x00\xff\xe3\x04\x01" \
	    "\x07\x02\x01\x03\x04+0)\x04\x09\x80\x00\x1f\x88\x80\x01\x02" \
	    "\x03\x04\x02\x01\x01\x02\x01" "d\x04\x06yvonne\x04\x0c\xaa" \
	    "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\x04\x00\x04 " \
	    "\x12" "4Vx\x12" "4Vx\x12" "4Vx\x12" "4Vx\x12" "4Vx\x12" "4V" \
	    "x\x12" "4Vx\x12" "4Vx"

/* Datagrams are whole: run once, never cut. */
static void
datagrams(const char *name, const struct step *st, size_t nst,
    const struct want *w, size_t nw, const char *const *secrets)
{
	(void)check_session;	/* the stream harness is not for datagrams */
	cur_secrets = secrets;
	assert_int_equal(run_once(false, st, nst, SIZE_MAX, 0, false), DEC_MORE);
	compare(name, "whole", w, nw);
}

#define DGRAMS(steps, want, ...) do {					\
	static const char *const secrets_[] = { __VA_ARGS__, NULL };	\
	datagrams(__func__, (steps), NELEM(steps), (want), NELEM(want),	\
	    secrets_);							\
} while (0)

#define DGRAMS_NONE(steps, ...) do {					\
	static const char *const secrets_[] = { __VA_ARGS__, NULL };	\
	datagrams(__func__, (steps), NELEM(steps), NULL, 0, secrets_);	\
} while (0)

/* RFC 1157: a v1 get and its response; retransmissions add nothing. */
static void
test_v1_success(void **unused)
{
	static const struct step st[] = {
		C(V1_GET_PUBLIC), S(V1_RESP_PUBLIC), C(V1_GET_PUBLIC),
		S(V1_RESP_PUBLIC),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv1 community",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	DGRAMS(st, w, "no-secret");
}

/* v2c: success, and authorizationError (16) is a failure. */
static void
test_v2c(void **unused)
{
	static const struct step ok[] = { C(V2_GET_SECRET), S(V2_RESP_SECRET) };
	static const struct step denied[] = {
		C(V2_GET_SECRET), S(V2_RESP_DENIED),
	};
	static const struct want wok[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv2c community",
		  .result = RES_SUCCESS, .secret = true },
	};
	static const struct want wdenied[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv2c community",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	DGRAMS(ok, wok, COMM1);
	DGRAMS(denied, wdenied, COMM1);
}

/*
 * A wrong community is dropped silently: retried requests with no answer
 * are a failure at the end, a single one unknown.
 */
static void
test_no_response(void **unused)
{
	static const struct step retried[] = {
		C(V2_GET_WRONG), C(V2_GET_WRONG), C(V2_GET_WRONG),
	};
	static const struct step once[] = { C(V2_GET_WRONG) };
	static const struct want wr[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv2c community",
		  .result = RES_FAILURE, .secret = true,
		  .why = "requests retried, never answered" },
	};
	static const struct want wo[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv2c community",
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	DGRAMS(retried, wr, COMM2);
	DGRAMS(once, wo, COMM2);
}

/* Two communities on one flow: one finding each. */
static void
test_two_communities(void **unused)
{
	static const struct step st[] = {
		C(V2_GET_WRONG), C(V2_GET_SECRET), S(V2_RESP_SECRET),
		C(V2_GET_WRONG),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv2c community",
		  .result = RES_SUCCESS, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv2c community",
		  .result = RES_FAILURE, .secret = true,
		  .why = "requests retried, never answered" },
	};

	(void)unused;
	DGRAMS(st, w, COMM1, COMM2);
}

/* A trap waits for no answer: unknown. */
static void
test_trap(void **unused)
{
	static const struct step st[] = { C(V2_TRAP_PRIVATE), C(V2_TRAP_PRIVATE) };
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SNMPv2c community",
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	DGRAMS(st, w, "no-secret");
}

/* RFC 3414: discovery, then an authenticated get and its answer. */
static void
test_v3_auth(void **unused)
{
	static const struct step ok[] = {
		C(V3_DISCOVER), C(V3_GET_AUTH), S(V3_REPORT_TIME), C(V3_GET_AUTH),
		S(V3_RESP_AUTH),
	};
	static const struct step wrong[] = {
		C(V3_DISCOVER), C(V3_GET_AUTH), S(V3_REPORT_WRONG),
	};
	static const struct step quiet[] = { C(V3_GET_AUTH) };
	static const struct step priv[] = { C(V3_GET_PRIV) };
	static const struct want wok[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "SNMPv3 USM",
		  .user = "walter", .result = RES_SUCCESS },
	};
	static const struct want wwrong[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "SNMPv3 USM",
		  .user = "walter", .result = RES_FAILURE },
	};
	static const struct want wquiet[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "SNMPv3 USM",
		  .user = "walter", .result = RES_UNKNOWN },
	};
	static const struct want wpriv[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "SNMPv3 USM",
		  .user = "yvonne", .result = RES_UNKNOWN },
	};

	(void)unused;
	DGRAMS(ok, wok, "no-secret");
	DGRAMS(wrong, wwrong, "no-secret");
	DGRAMS(quiet, wquiet, "no-secret");
	DGRAMS(priv, wpriv, "no-secret");
}

/* noAuthNoPriv exposes no key: nothing. */
static void
test_v3_noauth(void **unused)
{
	static const struct step st[] = { C(V3_DISCOVER), C(V3_GET_NOAUTH) };

	(void)unused;
	DGRAMS_NONE(st, "no-secret");
}

/* Malformed datagrams cost a counter and nothing else. */
static void
test_malformed(void **unused)
{
	static const struct step st[] = {
		C("\x30\x03\x02\x01\x02"),		/* version 2 */
		C("\x30\x05\x02\x01\x01\x04\x09"),	/* community past the end */
		C("\x30\x80\x02\x01\x01"),		/* indefinite */
		C("garbage"),
	};
	static const char good[] = V2_GET_SECRET;
	char cut[sizeof(good)];
	struct step one[1];
	size_t k;

	(void)unused;
	DGRAMS_NONE(st, "no-secret");
	assert_true(ctr.bad_framing == 4);
	/* Every truncation of a datagram: no finding, no overread. */
	for (k = 0; k + 1 < sizeof(good); k++) {
		memcpy(cut, good, k);
		one[0] = (struct step){ DIR_C2S, cut, k };
		cur_secrets = (const char *const[]){ "no-secret", NULL };
		assert_int_equal(run_once(false, one, 1, SIZE_MAX, 0, false),
		    DEC_MORE);
		assert_int_equal(ngot, 0);
	}
}

static bool wk_seen, wk_value;
static uint8_t wk_secret[64];
static size_t wk_len;

static void
wk_hook(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	(void)arg;
	(void)fi;
	(void)ts_us;
	wk_seen = true;
	wk_value = f->secret_well_known;
	assert_true(f->secret != NULL && f->secret_len <= sizeof(wk_secret));
	wk_len = f->secret_len;
	memcpy(wk_secret, f->secret, f->secret_len);
}

/* The community is the secret (for the fingerprint); defaults are flagged. */
static void
test_secret_well_known(void **unused)
{
	static const struct flow_info fi = { .family = 4, .cli_port = 40000,
	    .srv_port = 161, .flow_id = 1, .input = "test", .ipproto = 17 };
	static const char g1[] = V1_GET_PUBLIC, r1[] = V1_RESP_PUBLIC;
	static const char g2[] = V2_GET_SECRET, r2[] = V2_RESP_SECRET;
	struct alert_opts opts = { .out = NULL, .hook = wk_hook };
	struct dec_ctx ctx = { .flow = &fi, .ts_us = 1, .ctr = &ctr };
	void *st;
	int round;

	(void)unused;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	for (round = 0; round < 2; round++) {
		wk_seen = false;
		assert_non_null(st = calloc(1, snmp_decoder.state_size));
		snmp_decoder.init(st, false);
		snmp_decoder.data(st, &ctx, DIR_C2S, (const uint8_t *)
		    (round == 0 ? g1 : g2), (round == 0 ? sizeof(g1) :
		    sizeof(g2)) - 1);
		assert_false(wk_seen);
		snmp_decoder.data(st, &ctx, DIR_S2C, (const uint8_t *)
		    (round == 0 ? r1 : r2), (round == 0 ? sizeof(r1) :
		    sizeof(r2)) - 1);
		assert_true(wk_seen);
		if (round == 0) {
			assert_true(wk_value);
			assert_true(wk_len == 6 &&
			    memcmp(wk_secret, "public", 6) == 0);
		} else {
			assert_false(wk_value);
			assert_true(wk_len == strlen(COMM1) &&
			    memcmp(wk_secret, COMM1, wk_len) == 0);
		}
		explicit_bzero(wk_secret, sizeof(wk_secret));
		snmp_decoder.end(st, &ctx, END_TIMEOUT);
		snmp_decoder.wipe(st);
		free(st);
	}
	alert_sink_free(ctx.sink);
}

static void
test_probe(void **unused)
{
	static const char get[] = V1_GET_PUBLIC, resp[] = V2_RESP_SECRET;
	static const char v3[] = V3_DISCOVER;
	bool srv = false;

	(void)unused;
	assert_int_equal(snmp_decoder.ipproto, 17);
	assert_int_equal(snmp_decoder.probe(DIR_C2S, (const uint8_t *)get,
	    sizeof(get) - 1, &srv), PROBE_YES);
	assert_false(srv);
	assert_int_equal(snmp_decoder.probe(DIR_C2S, (const uint8_t *)resp,
	    sizeof(resp) - 1, &srv), PROBE_YES);
	assert_true(srv);
	assert_int_equal(snmp_decoder.probe(DIR_C2S, (const uint8_t *)v3,
	    sizeof(v3) - 1, &srv), PROBE_YES);
	/* DNS, an LDAP message, a version 2 message. */
	assert_int_equal(snmp_decoder.probe(DIR_C2S, (const uint8_t *)
	    "\x12\x34\x01\x00\x00\x01", 6, &srv), PROBE_NO);
	assert_int_equal(snmp_decoder.probe(DIR_C2S, (const uint8_t *)
	    "\x30\x05\x02\x01\x01\x42\x00", 7, &srv), PROBE_NO);
	assert_int_equal(snmp_decoder.probe(DIR_C2S, (const uint8_t *)
	    "\x30\x05\x02\x01\x02\x04\x00", 7, &srv), PROBE_NO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_success),
		cmocka_unit_test(test_v2c),
		cmocka_unit_test(test_no_response),
		cmocka_unit_test(test_two_communities),
		cmocka_unit_test(test_trap),
		cmocka_unit_test(test_v3_auth),
		cmocka_unit_test(test_v3_noauth),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_secret_well_known),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
