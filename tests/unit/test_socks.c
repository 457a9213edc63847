/*
 * test_socks.c - the SOCKS decoder (RFC 1928, RFC 1929, SOCKS4/4A).
 *
 * Each session is run whole, with each step cut in two at every byte, and
 * byte by byte (session.h); all runs must agree, no finding may carry a
 * password and the state may not keep one.  A granted CONNECT must hand
 * the rest of the stream over (DEC_TUNNEL) right after the reply.
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

extern const struct decoder socks_decoder;

#define SESSION_DECODER	socks_decoder
#define SESSION_APP	"socks"
#define SESSION_PORT	1080
#include "session.h"

#define PW1	"amber-falcon-test-11"
#define PW2	"cobalt-heron-test-12"

#define M5	"SOCKS5 username/password (RFC 1929)"

/* RFC 1928 §3 greeting offering no-auth and username/password; §4 requests. */
#define GREET_02	"\x05\x02\x00\x02"
#define CHOOSE_02	"\x05\x02"
#define AUTH_BOB_PW1	"\x01\x03" "bob\x14" PW1
#define AUTH_BOB_PW2	"\x01\x03" "bob\x14" PW2
#define REQ_IPV4	"\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x19"
#define REQ_NAME	"\x05\x01\x00\x03\x0b" "example.com\x00\x50"
#define REP_OK		"\x05\x00\x00\x01\x7f\x00\x00\x01\x9c\x40"
#define REP_OK6		"\x05\x00\x00\x04" "0123456789abcdef" "\x9c\x40"
#define REP_REFUSED	"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00"

static void
test_rfc1929_success(void **unused)
{
	static const struct step st[] = {
		C(GREET_02),
		S(CHOOSE_02),
		C(AUTH_BOB_PW1),
		S("\x01\x00"),
		C(REQ_NAME),
		S(REP_OK6),
		S("220 tunnelled smtp\r\n"),	/* after DEC_TUNNEL: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M5, .user = "bob",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_TUNNEL, PW1);
}

static void
test_rfc1929_failure(void **unused)
{
	static const struct step st[] = {
		C(GREET_02),
		S(CHOOSE_02),
		C(AUTH_BOB_PW2),
		S("\x01\x01"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M5, .user = "bob",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW2);
}

/* A client that sends greeting, login and request at once. */
static void
test_rfc1929_optimistic(void **unused)
{
	static const struct step st[] = {
		C("\x05\x01\x02" AUTH_BOB_PW1 REQ_IPV4),
		S(CHOOSE_02 "\x01\x00" REP_REFUSED),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M5, .user = "bob",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_rfc1929_no_answer(void **unused)
{
	static const struct step st[] = {
		C(GREET_02),
		S(CHOOSE_02),
		C(AUTH_BOB_PW1),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M5, .user = "bob",
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/* No authentication: nothing to report, and the tunnel is handed over. */
static void
test_no_auth_tunnel(void **unused)
{
	static const struct step st[] = {
		C("\x05\x01\x00"),
		S("\x05\x00"),
		C(REQ_IPV4),
		S(REP_OK),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_TUNNEL, PW1);
}

static void
test_no_acceptable_method(void **unused)
{
	static const struct step st[] = {
		C("\x05\x01\x00"),
		S("\x05\xff"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW1);
}

static void
test_socks4_userid(void **unused)
{
	static const struct step st[] = {
		C("\x04\x01\x00\x19\x7f\x00\x00\x01" "carol\x00"),
		S("\x00\x5a\x00\x00\x00\x00\x00\x00"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SOCKS4 user id",
		  .user = "carol", .result = RES_SUCCESS, .secret = false,
		  .why = "SOCKS4 request carries a user id in clear" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_TUNNEL, PW1);
}

/* 4A: a host name after the user id; refused. */
static void
test_socks4a_refused(void **unused)
{
	static const struct step st[] = {
		C("\x04\x01\x00\x50\x00\x00\x00\x01" "dave\x00" "example.com\x00"),
		S("\x00\x5b\x00\x00\x00\x00\x00\x00"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "SOCKS4 user id",
		  .user = "dave", .result = RES_FAILURE, .secret = false,
		  .why = "SOCKS4 request carries a user id in clear" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_socks4_empty_userid(void **unused)
{
	static const struct step st[] = {
		C("\x04\x01\x00\x19\x7f\x00\x00\x01\x00"),
		S("\x00\x5a\x00\x00\x00\x00\x00\x00"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_TUNNEL, PW1);
}

/* BIND (RFC 1928 §4): the tunnel starts after the second reply. */
static void
test_bind_two_replies(void **unused)
{
	static const struct step st[] = {
		C("\x05\x01\x00"),
		S("\x05\x00"),
		C("\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x00"),
		S(REP_OK),
		S(REP_OK),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_TUNNEL, PW1);
}

static void
test_gap_and_garbage(void **unused)
{
	static const struct step st[] = {
		C(GREET_02),
		S(CHOOSE_02),
		C(AUTH_BOB_PW1),
		GAP(DIR_S2C, 2),
		S(REP_OK),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M5, .user = "bob",
		  .result = RES_UNKNOWN, .secret = true, .gap = true },
	};
	static const struct step bad[] = {
		C(GREET_02),
		S("\x05\x02"),
		C("\x07\x03" "bob"),
	};
	static const struct step bad_atyp[] = {
		C("\x05\x01\x00"),
		S("\x05\x00"),
		C("\x05\x01\x00\x07\x00\x00"),
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
	SESSION_NONE(false, bad, DEC_MISMATCH, PW1);
	SESSION_NONE(false, bad_atyp, DEC_MISMATCH, PW1);
}

/* The reply and the tunnelled server's first bytes in one chunk. */
static void
test_tunnel_consumed(void **unused)
{
	static const char c1[] = "\x05\x01\x00", s1[] = "\x05\x00",
	    c2[] = REQ_IPV4, s2[] = REP_OK "220 smtp ready\r\n";
	static const struct flow_info fi = { .family = 4, .cli_port = 40000,
	    .srv_port = 1080, .flow_id = 1, .input = "test" };
	struct alert_opts opts = { .out = NULL, .hook = record };
	struct dec_ctx ctx;
	void *state;

	(void)unused;
	memset(&ctx, 0, sizeof(ctx));
	ctx.flow = &fi;
	ctx.ctr = &ctr;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(state = calloc(1, socks_decoder.state_size));
	socks_decoder.init(state, false);
	assert_int_equal(socks_decoder.data(state, &ctx, DIR_C2S,
	    (const uint8_t *)c1, sizeof(c1) - 1), DEC_MORE);
	assert_int_equal(socks_decoder.data(state, &ctx, DIR_S2C,
	    (const uint8_t *)s1, sizeof(s1) - 1), DEC_MORE);
	assert_int_equal(socks_decoder.data(state, &ctx, DIR_C2S,
	    (const uint8_t *)c2, sizeof(c2) - 1), DEC_MORE);
	ctx.consumed = SIZE_MAX;
	assert_int_equal(socks_decoder.data(state, &ctx, DIR_S2C,
	    (const uint8_t *)s2, sizeof(s2) - 1), DEC_TUNNEL);
	assert_int_equal(ctx.consumed, sizeof(REP_OK) - 1);
	socks_decoder.wipe(state);
	free(state);
	alert_sink_free(ctx.sink);
}

static void
test_midstream(void **unused)
{
	static const struct step st[] = {
		C(AUTH_BOB_PW1),
		S("\x01\x00"),
	};

	(void)unused;
	SESSION_NONE(true, st, DEC_DONE, PW1);
}

static void
test_probe(void **unused)
{
	bool srv = true;

	(void)unused;
#define P(d, s) socks_decoder.probe((d), (const uint8_t *)(s), sizeof(s) - 1, &srv)
	assert_int_equal(P(DIR_C2S, GREET_02), PROBE_YES);
	assert_false(srv);
	assert_int_equal(P(DIR_C2S, "\x05\x03\x00"), PROBE_MAYBE);
	assert_int_equal(P(DIR_C2S, "\x05\x00"), PROBE_NO);
	assert_int_equal(P(DIR_C2S, "\x05\x01\x00" "GET"), PROBE_NO);
	assert_int_equal(P(DIR_C2S, "\x05\x01\xff"), PROBE_NO);
	assert_int_equal(P(DIR_C2S, "\x04\x01\x00\x19\x7f\x00\x00\x01" "u\x00"), PROBE_YES);
	assert_int_equal(P(DIR_C2S, "\x04\x01\x00\x19\x7f\x00\x00\x01" "u"), PROBE_MAYBE);
	assert_int_equal(P(DIR_C2S, "\x04\x07"), PROBE_NO);
	assert_int_equal(P(DIR_C2S, "EHLO x\r\n"), PROBE_NO);
	assert_int_equal(P(DIR_S2C, "\x05\x02"), PROBE_NO);
#undef P
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1929_success),
		cmocka_unit_test(test_rfc1929_failure),
		cmocka_unit_test(test_rfc1929_optimistic),
		cmocka_unit_test(test_rfc1929_no_answer),
		cmocka_unit_test(test_no_auth_tunnel),
		cmocka_unit_test(test_no_acceptable_method),
		cmocka_unit_test(test_socks4_userid),
		cmocka_unit_test(test_socks4a_refused),
		cmocka_unit_test(test_socks4_empty_userid),
		cmocka_unit_test(test_bind_two_replies),
		cmocka_unit_test(test_gap_and_garbage),
		cmocka_unit_test(test_tunnel_consumed),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
