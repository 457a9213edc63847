/*
 * test_redis.c - the Redis decoder (RESP2/RESP3, AUTH, HELLO ... AUTH).
 *
 * Each session is run whole, with each step cut in two at every byte, and
 * byte by byte (session.h); all runs must agree, no finding may carry a
 * password and the state may not keep one.
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

extern const struct decoder redis_decoder;

#define SESSION_DECODER	redis_decoder
#define SESSION_APP	"redis"
#define SESSION_PORT	6379
#include "session.h"

#define PW1	"amber-falcon-test-11"
#define PW2	"cobalt-heron-test-12"

#define M_PWONLY	"Redis AUTH (requirepass, password only)"
#define M_ACL		"Redis AUTH (ACL user)"
#define M_INLINE	"Redis AUTH inline"
#define M_HELLO		"Redis HELLO AUTH"

static void
test_auth_password_only(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n$4\r\nAUTH\r\n$20\r\n" PW1 "\r\n"),
		S("+OK\r\n"),
		C("*1\r\n$4\r\nPING\r\n"),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_PWONLY,
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_auth_acl_user_wrong(void **unused)
{
	static const struct step st[] = {
		C("*3\r\n$4\r\nauth\r\n$5\r\nalice\r\n$20\r\n" PW2 "\r\n"),
		S("-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
		C("*3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n$20\r\n" PW1 "\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_ACL,
		  .user = "alice", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_ACL,
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1, PW2);
}

static void
test_auth_err_invalid_password(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n$4\r\nAUTH\r\n$20\r\n" PW2 "\r\n"),
		S("-ERR invalid password\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_PWONLY,
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW2);
}

/* Inline commands, pipelined: the second reply answers AUTH. */
static void
test_inline_pipelined(void **unused)
{
	static const struct step st[] = {
		C("PING\r\nAUTH bob " PW1 "\r\nPING\r\n"),
		S("+PONG\r\n"),
		S("+OK\r\n+PONG\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_INLINE,
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

/* Replies of every RESP3 shape before the AUTH's: counted, never parsed as it. */
static void
test_resp3_replies_counted(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"),
		C("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"),
		C("*1\r\n$4\r\nPING\r\n"),
		C("*3\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$2\r\n+O\r\n"),
		C("*2\r\n$4\r\nAUTH\r\n$20\r\n" PW1 "\r\n"),
		S("%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nmodes\r\n"
		  "~2\r\n+a\r\n_\r\n"),
		S("|1\r\n+key\r\n:1\r\n$5\r\n+OK\r\n\r\n"),	/* attribute, then a bulk */
		S(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n"),	/* push: no reply */
		S("$-1\r\n"),
		S("*2\r\n$1\r\n0\r\n*0\r\n"),
		S("-WRONGPASS invalid username-password pair\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_PWONLY,
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

static void
test_hello_auth(void **unused)
{
	static const struct step st[] = {
		C("*7\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n"
		  "$20\r\n" PW1 "\r\n$7\r\nSETNAME\r\n$4\r\nAUTH\r\n"),
		S("%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_HELLO,
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_hello_auth_resp2_fail(void **unused)
{
	static const struct step st[] = {
		C("HELLO 2 AUTH alice " PW2 "\r\n"),
		S("-WRONGPASS invalid username-password pair\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_HELLO,
		  .user = "alice", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW2);
}

/* HELLO without AUTH, and AUTH with no argument: no login. */
static void
test_no_login(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"),
		S("%1\r\n$5\r\nproto\r\n:3\r\n"),
		C("*1\r\n$4\r\nAUTH\r\n"),
		S("-ERR wrong number of arguments for 'auth' command\r\n"),
		C("*3\r\n$3\r\nSET\r\n$4\r\nAUTH\r\n$3\r\nabc\r\n"),
		S("+OK\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "abc-def-test-0");
}

/* A big value's body is skipped by count, whatever bytes it holds. */
static void
test_big_bulk_skipped(void **unused)
{
	static const struct step st[] = {
		C("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$28\r\n*2\r\n$4\r\nAUTH\r\n$8\r\nxxxxxxxx\r\n\r\n"),
		C("*2\r\n$4\r\nAUTH\r\n$20\r\n" PW1 "\r\n"),
		S("+OK\r\n"),
		S("-NOAUTH Authentication required.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_PWONLY,
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

static void
test_end_without_reply(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n$4\r\nAUTH\r\n$20\r\n" PW1 "\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_PWONLY,
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

static void
test_gap(void **unused)
{
	static const struct step st[] = {
		C("*3\r\n$4\r\nAUTH\r\n$3\r\nbob\r\n$20\r\n" PW1 "\r\n"),
		GAP(DIR_S2C, 100),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_ACL, .user = "bob",
		  .result = RES_UNKNOWN, .secret = true, .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

/* A broken array element: not Redis after all. */
static void
test_mismatch(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n+AUTH\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, "abc-def-test-0");
}

/* Absurd lengths cost a counter, not memory. */
static void
test_bounds(void **unused)
{
	static const struct step st[] = {
		C("*99999999999999\r\n"),
	};
	static const struct step st2[] = {
		C("*1\r\n$999999999999\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, "abc-def-test-0");
	SESSION_NONE(false, st2, DEC_MISMATCH, "abc-def-test-0");
}

/* Deep nesting in replies is bounded: the login's result becomes unknown. */
static void
test_deep_reply(void **unused)
{
	static const struct step st[] = {
		C("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nAUTH\r\n$20\r\n" PW1 "\r\n"),
		S("+PONG\r\n"),
		S("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n"
		  "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = M_PWONLY,
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_midstream(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n$4\r\nAUTH\r\n$20\r\n" PW1 "\r\n"),
		S("+OK\r\n"),
	};

	(void)unused;
	SESSION_NONE(true, st, DEC_DONE, PW1);
}

static void
test_probe(void **unused)
{
	bool srv = true;

	(void)unused;
#define P(d, s) redis_decoder.probe((d), (const uint8_t *)(s), sizeof(s) - 1, &srv)
	assert_int_equal(P(DIR_C2S, "*2\r\n$4\r\nAUTH\r\n"), PROBE_YES);
	assert_false(srv);
	assert_int_equal(P(DIR_C2S, "*2\r"), PROBE_MAYBE);
	assert_int_equal(P(DIR_C2S, "* OK IMAP4rev1\r\n"), PROBE_NO);
	assert_int_equal(P(DIR_C2S, "AUTH bob pw\r\n"), PROBE_MAYBE);
	assert_int_equal(P(DIR_C2S, "EHLO x\r\n"), PROBE_NO);
	assert_int_equal(P(DIR_S2C, "+PONG\r\n"), PROBE_YES);
	assert_true(srv);
	assert_int_equal(P(DIR_S2C, "+OK\r\n"), PROBE_MAYBE);
	assert_int_equal(P(DIR_S2C, "+OK POP3 ready\r\n"), PROBE_NO);
	assert_int_equal(P(DIR_S2C, "220 smtp\r\n"), PROBE_NO);
#undef P
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_password_only),
		cmocka_unit_test(test_auth_acl_user_wrong),
		cmocka_unit_test(test_auth_err_invalid_password),
		cmocka_unit_test(test_inline_pipelined),
		cmocka_unit_test(test_resp3_replies_counted),
		cmocka_unit_test(test_hello_auth),
		cmocka_unit_test(test_hello_auth_resp2_fail),
		cmocka_unit_test(test_no_login),
		cmocka_unit_test(test_big_bulk_skipped),
		cmocka_unit_test(test_end_without_reply),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_deep_reply),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
