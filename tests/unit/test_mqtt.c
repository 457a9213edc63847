/*
 * test_mqtt.c - the MQTT decoder (3.1, 3.1.1, 5.0: CONNECT, CONNACK, AUTH).
 *
 * Each session is run whole, with each step cut in two at every byte, and
 * byte by byte (session.h): the Remaining Length and every field of a
 * CONNECT are split at every position.  No finding may carry a password
 * and the state may not keep one.
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

extern const struct decoder mqtt_decoder;

#define SESSION_DECODER	mqtt_decoder
#define SESSION_APP	"mqtt"
#define SESSION_PORT	1883
#include "session.h"

#define PW1	"amber-falcon-test-11"
#define PW2	"cobalt-heron-test-12"

/* Packets as the OASIS specifications lay them out (made by a script, checked by hand). */
#define V311         "\x10+\x00\x04MQTT\x04\xc2\x00<\x00\x02" "c1\x00\x05" "alice\x00\x14" "amber-falcon-test-11"
#define V311_BAD     "\x10+\x00\x04MQTT\x04\xc2\x00<\x00\x02" "c1\x00\x05" "alice\x00\x14" "cobalt-heron-test-12"
#define V31_WILL     "\x10<\x00\x06MQIsdp\x03\xc6\x00<\x00\x02" "c1\x00\x09last/will\x00\x04gone\x00\x03" "bob\x00\x14" "amber-falcon-test-11"
#define V5           "\x10G\x00\x04MQTT\x05\xc6\x00<\x0f\x11\x00\x00\x00\x1e!\x00\x0a&\x00\x01k\x00\x01v\x00\x02" "c1\x05\x18\x00\x00\x00\x05\x00\x01t\x00\x01p\x00\x05" "carol\x00\x14" "cobalt-heron-test-12"
#define V5_SCRAM     "\x10" "5\x00\x04MQTT\x05\x82\x00< \x15\x00\x0bSCRAM-SHA-1\x16\x00\x0fn,,n=dave,r=abc\x00\x02" "c1\x00\x04" "dave"
#define USER_ONLY    "\x10\x13\x00\x04MQTT\x04\x82\x00<\x00\x02" "c1\x00\x03" "eve"
#define ANON         "\x10\x0e\x00\x04MQTT\x04\x02\x00<\x00\x02" "c1"
#define LONG_CID     "\x10\xf1\x01\x00\x04MQTT\x04\xc2\x00<\x00\xc8xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x00\x05" "frank\x00\x14" "amber-falcon-test-11"
#define EMPTY_CID    "\x10)\x00\x04MQTT\x05\xc2\x00<\x00\x00\x00\x00\x04gina\x00\x14" "amber-falcon-test-11"
#define PUBLISH      "0\x0a\x00\x03" "a/bhello"
#define CONNACK0     " \x02\x00\x00"
#define CONNACK4     " \x02\x00\x04"
#define CONNACK5_86  " \x06\x00\x86\x03!\x00\x0a"
#define AUTH_S       "\xf0'\x18%\x15\x00\x0bSCRAM-SHA-1\x16\x00\x14r=abcdef,s=xx,i=4096"
#define AUTH_C       "\xf0\x19\x18\x17\x16\x00\x14" "c=biws,r=abcdef,p=xx"

static void
test_v311_success(void **unused)
{
	static const struct step st[] = {
		C(V311),
		S(CONNACK0),
		C(PUBLISH),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_v311_bad_password(void **unused)
{
	static const struct step st[] = {
		C(V311_BAD),
		S(CONNACK4),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "alice", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW2);
}

/* 3.1 ("MQIsdp"), a will topic and message before the username. */
static void
test_v31_will(void **unused)
{
	static const struct step st[] = {
		C(V31_WILL),
		S(CONNACK0),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

/* 5.0: properties (a string pair among them), will properties, reason 0x86. */
static void
test_v5_props_failure(void **unused)
{
	static const struct step st[] = {
		C(V5),
		C(PUBLISH),	/* pipelined before the CONNACK: skipped */
		S(CONNACK5_86),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "carol", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW2);
}

/* 5.0 §4.12 enhanced authentication (SCRAM): challenge-response. */
static void
test_v5_scram(void **unused)
{
	static const struct step st[] = {
		C(V5_SCRAM),
		S(AUTH_S),
		C(AUTH_C),
		S(CONNACK0),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "MQTT enhanced auth",
		  .user = "dave", .result = RES_SUCCESS,
		  .why = "MQTT 5 AUTH exchange without TLS" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_user_only(void **unused)
{
	static const struct step st[] = {
		C(USER_ONLY),
		S(CONNACK0),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "eve", .result = RES_SUCCESS, .secret = false },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_anonymous(void **unused)
{
	static const struct step st[] = {
		C(ANON),
		S(CONNACK0),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW1);
}

/* A two-byte Remaining Length (241), cut at every byte. */
static void
test_long_remaining_length(void **unused)
{
	static const struct step st[] = {
		C(LONG_CID),
		S(CONNACK0),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "frank", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

/* A zero-length client id and an empty property block. */
static void
test_empty_fields(void **unused)
{
	static const struct step st[] = {
		C(EMPTY_CID),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "gina", .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/* §2.2.3: a Remaining Length of four continuation bytes is malformed. */
static void
test_remaining_length_too_long(void **unused)
{
	static const struct step st[] = {
		C("\x10\xff\xff\xff\xff\x01"),
	};
	/* A non-minimal but four-byte encoding (5.0 §1.5.5 allows decoding it). */
	static const struct step st2[] = {
		C("\x10\x8e\x80\x80\x00\x00\x04MQTT\x04\x02\x00<\x00\x02" "c1"),
		S(CONNACK0),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, PW1);
	SESSION_NONE(false, st2, DEC_DONE, PW1);
}

/* The body ends before the password the flags announce. */
static void
test_truncated_connect(void **unused)
{
	static const struct step st[] = {
		C("\x10\x13\x00\x04MQTT\x04\xc2\x00<\x00\x02" "c1\x00\x03" "eve"),
		S(CONNACK0),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, PW1);
}

static void
test_end_and_gap(void **unused)
{
	static const struct step st[] = {
		C(V311),
		GAP(DIR_S2C, 10),
		S(CONNACK0),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "MQTT CONNECT",
		  .user = "alice", .result = RES_UNKNOWN, .secret = true,
		  .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

static void
test_not_mqtt(void **unused)
{
	static const struct step st[] = {
		C(PUBLISH),
	};
	static const struct step st2[] = {
		C("\x10\x0e\x00\x04MQTX\x04\x02\x00<\x00\x02" "c1"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, PW1);
	SESSION_NONE(false, st2, DEC_MISMATCH, PW1);
}

static void
test_probe(void **unused)
{
	bool srv = true;

	(void)unused;
#define P(d, s) mqtt_decoder.probe((d), (const uint8_t *)(s), sizeof(s) - 1, &srv)
	assert_int_equal(P(DIR_C2S, V311), PROBE_YES);
	assert_false(srv);
	assert_int_equal(P(DIR_C2S, V31_WILL), PROBE_YES);
	assert_int_equal(P(DIR_C2S, LONG_CID), PROBE_YES);
	assert_int_equal(P(DIR_C2S, "\x10\xf1"), PROBE_MAYBE);
	assert_int_equal(P(DIR_C2S, "\x10\x13\x00\x04MQ"), PROBE_MAYBE);
	assert_int_equal(P(DIR_C2S, "\x10\x13\x00\x04MX"), PROBE_NO);
	assert_int_equal(P(DIR_C2S, "\x10\xff\xff\xff\xff"), PROBE_NO);
	assert_int_equal(P(DIR_C2S, PUBLISH), PROBE_NO);
	assert_int_equal(P(DIR_S2C, CONNACK0), PROBE_NO);
#undef P
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v311_success),
		cmocka_unit_test(test_v311_bad_password),
		cmocka_unit_test(test_v31_will),
		cmocka_unit_test(test_v5_props_failure),
		cmocka_unit_test(test_v5_scram),
		cmocka_unit_test(test_user_only),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_long_remaining_length),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_remaining_length_too_long),
		cmocka_unit_test(test_truncated_connect),
		cmocka_unit_test(test_end_and_gap),
		cmocka_unit_test(test_not_mqtt),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
