/*
 * test_mysql.c - the MySQL/MariaDB decoder (client/server protocol,
 * connection phase, COM_CHANGE_USER).
 *
 * Each test is a session of packets (byte literals with their sizes: a
 * 3-byte length, a sequence id, the payload) and the findings it must
 * produce; session.h runs it whole, with every step cut at every byte, and
 * byte by byte.
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

extern const struct decoder mysql_decoder;

#define SESSION_DECODER	mysql_decoder
#define SESSION_APP	"mysql"
#define SESSION_PORT	3306
#include "session.h"

#define PW		"maple-drum-test-24"

/* Packets (lengths computed from the payloads). */
#define GREET_NATIVE   \
	"J\x00\x00\x00\x0a" "8.0.36\x00\x07\x00\x00\x00" "01234567\x00" \
	"\x0d\xaa\xff\x02\x00" "8\x00\x15\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00" "89abcdefghij\x00mysql_native_password\x00"
#define GREET_SHA2     \
	"J\x00\x00\x00\x0a" "8.0.36\x00\x07\x00\x00\x00" "01234567\x00" \
	"\x0d\xaa\xff\x02\x00" "8\x00\x15\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00" "89abcdefghij\x00" "caching_sha2_password\x00"
#define GREET_ERR      \
	"D\x00\x00\x00\xffj\x04Host '192.168.1.3' is not allowed to conne" \
	"ct to this MySQL server"
#define RESP_NATIVE    \
	"V\x00\x00\x01\x0d\xa2(\x00\x00\x00\x00\x01\xff\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00" "alice\x00\x14" "ABCDEFGHIJKLMNOPQRSTshop\x00mysql" \
	"_native_password\x00"
#define RESP_EMPTY     \
	"=\x00\x00\x01\x05\xa2(\x00\x00\x00\x00\x01\xff\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00" "alice\x00\x00mysql_native_password\x00"
#define RESP_SHA2      \
	"]\x00\x00\x01\x05\xa2(\x00\x00\x00\x00\x01\xff\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00" "alice\x00 abcdefghijklmnopqrstuvwxyzABCDEFcaching" \
	"_sha2_password\x00"
#define RESP_CLEAR     \
	"O\x00\x00\x01\x05\xa2(\x00\x00\x00\x00\x01\xff\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00" "alice\x00\x13maple-drum-test-24\x00mysql_clear_pa" \
	"ssword\x00"
#define RESP_OLDCAPS   \
	";\x00\x00\x01\x00\x82\x00\x00\x00\x00\x00\x01\x08\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00\x00" "alice\x00\x14" "ABCDEFGHIJKLMNOPQRST"
#define SSLREQ         \
	" \x00\x00\x01\x05\xaa(\x00\x00\x00\x00\x01\xff\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00"
#define OK2            "\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00"
#define OK4            "\x07\x00\x00\x04\x00\x00\x00\x02\x00\x00\x00"
#define OK6            "\x07\x00\x00\x06\x00\x00\x00\x02\x00\x00\x00"
#define ERR2           \
	"I\x00\x00\x02\xff\x15\x04#28000Access denied for user 'alice'@'l" \
	"ocalhost' (using password: YES)"
#define ERR4           \
	"3\x00\x00\x04\xff\x86\x04#HY000Authentication requires secure co" \
	"nnection."
#define SWITCH_NATIVE  \
	",\x00\x00\x02\xfemysql_native_password\x00" "0123456789abcdefghi" \
	"j\x00"
#define SWITCH_SHA2    \
	",\x00\x00\x02\xfe" "caching_sha2_password\x00" "0123456789abcdef" \
	"ghij\x00"
#define SWITCH_DIALOG  "\x13\x00\x00\x02\xfe" "dialog\x00\x04Password: "
#define AUTH_SCR3      "\x14\x00\x00\x03" "ABCDEFGHIJKLMNOPQRST"
#define AUTH_SHA3      " \x00\x00\x03" "abcdefghijklmnopqrstuvwxyzABCDEF"
#define AUTH_PW3       "\x13\x00\x00\x03maple-drum-test-24\x00"
#define FAST_OK        "\x02\x00\x00\x02\x01\x03"
#define FULL_AUTH      "\x02\x00\x00\x02\x01\x04"
#define KEY_REQ        "\x01\x00\x00\x03\x02"
#define PUBKEY         \
	"b\x00\x00\x04\x01-----BEGIN PUBLIC KEY-----\x0aMIIBIjANBgkqhkiG9" \
	"w0BAQEFAAOCAQ8AMIIBCgKCAQEA\x0a-----END PUBLIC KEY-----\x0a"
#define RSA_BLOB       \
	"\x00\x01\x00\x05\x0b" "0Uz\x9f\xc4\xe9\x0e" "3X}\xa2\xc7\xec\x11" "6" \
	"[\x80\xa5\xca\xef\x14" "9^\x83\xa8\xcd\xf2\x17<a\x86\xab\xd0\xf5" \
	"\x1a?d\x89\xae\xd3\xf8\x1d" "Bg\x8c\xb1\xd6\xfb Ej\x8f\xb4\xd9" \
	"\xfe#Hm\x92\xb7\xdc\x01&Kp\x95\xba\xdf\x04)Ns\x98\xbd\xe2\x07,Qv" \
	"\x9b\xc0\xe5\x0a/Ty\x9e\xc3\xe8\x0d" "2W|\xa1\xc6\xeb\x10" "5Z" \
	"\x7f\xa4\xc9\xee\x13" "8]\x82\xa7\xcc\xf1\x16;`\x85\xaa\xcf\xf4" \
	"\x19>c\x88\xad\xd2\xf7\x1c" "Af\x8b\xb0\xd5\xfa\x1f" "Di\x8e\xb3" \
	"\xd8\xfd\x22Gl\x91\xb6\xdb\x00%Jo\x94\xb9\xde\x03(Mr\x97\xbc\xe1" \
	"\x06+Pu\x9a\xbf\xe4\x09.Sx\x9d\xc2\xe7\x0c" "1V{\xa0\xc5\xea\x0f" "4" \
	"Y~\xa3\xc8\xed\x12" "7\x5c\x81\xa6\xcb\xf0\x15:_\x84\xa9\xce\xf3" \
	"\x18=b\x87\xac\xd1\xf6\x1b@e\x8a\xaf\xd4\xf9\x1e" "Ch\x8d\xb2" \
	"\xd7\xfc!Fk\x90\xb5\xda\xff$In\x93\xb8\xdd\x02'Lq\x96\xbb\xe0" \
	"\x05*Ot\x99\xbe\xe3\x08-Rw\x9c\xc1\xe6"
#define QUERY          "\x09\x00\x00\x00\x03SELECT 1"
#define RESULT         \
	"\x01\x00\x00\x01\x01\x17\x00\x00\x02\x03" "def\x00\x00\x00\x01" "1" \
	"\x00\x0c?\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00\x05\x00" \
	"\x00\x03\xfe\x00\x00\x02\x00\x02\x00\x00\x04\x01" "1\x05\x00\x00" \
	"\x05\xfe\x00\x00\x02\x00"
#define CHANGE_USER    \
	"4\x00\x00\x00\x11" "dave\x00\x14" "ABCDEFGHIJKLMNOPQRST\x00-\x00" \
	"mysql_native_password\x00"
#define CU_SWITCH      \
	",\x00\x00\x01\xfemysql_native_password\x00" "0123456789abcdefghi" \
	"j\x00"
#define CU_AUTH        "\x14\x00\x00\x02" "ABCDEFGHIJKLMNOPQRST"
#define CU_OK          "\x07\x00\x00\x03\x00\x00\x00\x02\x00\x00\x00"

static void
test_native_success(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_NATIVE),
		SB(OK2),
		CB(QUERY),
		SB(RESULT),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "mysql_native_password",
		  .user = "alice", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

static void
test_native_failure(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_NATIVE),
		SB(ERR2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "mysql_native_password",
		  .user = "alice", .result = RES_FAILURE },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

/* A client without CLIENT_PLUGIN_AUTH: the 4.1 scramble is native. */
static void
test_native_no_plugin_field(void **unused)
{
	static const struct step st[] = {
		SB(GREET_SHA2),
		CB(RESP_OLDCAPS),
		SB(OK2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "mysql_native_password",
		  .user = "alice", .result = RES_SUCCESS },
	};

	(void)unused;
	/* Not the server's default: the client cannot speak plugins. */
	SESSION(false, st, w, DEC_MORE, PW);
}

static void
test_empty_password(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_EMPTY),
		SB(ERR2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "mysql_native_password",
		  .user = "alice", .result = RES_FAILURE, .why = "empty password" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

/* SSLRequest: TLS follows, nothing is reported (no user on the wire). */
static void
test_ssl_request(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(SSLREQ),
		CB("\x16\x03\x01\x00\x05" "hello"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

/* The server refuses the host instead of greeting: no login. */
static void
test_host_refused(void **unused)
{
	static const struct step st[] = {
		SB(GREET_ERR),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

static void
test_sha2_fast(void **unused)
{
	static const struct step st[] = {
		SB(GREET_SHA2),
		CB(RESP_SHA2),
		SB(FAST_OK),
		SB(OK4),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "caching_sha2_password",
		  .user = "alice", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

/* Full authentication over RSA: the scramble is still crackable. */
static void
test_sha2_full_rsa(void **unused)
{
	static const struct step st[] = {
		SB(GREET_SHA2),
		CB(RESP_SHA2),
		SB(FULL_AUTH),
		CB(KEY_REQ),
		SB(PUBKEY),
		CB(RSA_BLOB),
		SB(OK6),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "caching_sha2_password",
		  .user = "alice", .result = RES_SUCCESS,
		  .why = "scramble crackable offline; then an RSA-encrypted password" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

/* Full authentication answered with the password in clear. */
static void
test_sha2_full_cleartext(void **unused)
{
	static const struct step st[] = {
		SB(GREET_SHA2),
		CB(RESP_SHA2),
		SB(FULL_AUTH),
		CB(AUTH_PW3),
		SB(ERR4),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "caching_sha2_password",
		  .user = "alice", .result = RES_FAILURE, .secret = true,
		  .why = "full authentication: password sent without TLS" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

static void
test_clear_password(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_CLEAR),
		SB(SWITCH_NATIVE),
		CB(AUTH_SCR3),
		SB(OK4),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "mysql_clear_password",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

/* An empty first answer, then the scramble after the switch. */
static void
test_switch_to_sha2(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_EMPTY),
		SB(SWITCH_SHA2),
		CB(AUTH_SHA3),
		SB(FAST_OK),
		SB(OK4),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE,
		  .mech = "caching_sha2_password (after auth switch)",
		  .user = "alice", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

static void
test_dialog(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_NATIVE),
		SB(SWITCH_DIALOG),
		CB(AUTH_PW3),
		SB(OK4),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS,
		  .mech = "dialog (after auth switch)", .user = "alice",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

static void
test_change_user(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_NATIVE),
		SB(OK2),
		CB(QUERY),
		SB(RESULT),
		CB(CHANGE_USER),
		SB(CU_SWITCH),
		CB(CU_AUTH),
		SB(CU_OK),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "mysql_native_password",
		  .user = "alice", .result = RES_SUCCESS },
		{ .kind = K_CHALLENGE_RESPONSE,
		  .mech = "mysql_native_password (COM_CHANGE_USER, after auth switch)",
		  .user = "dave", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

/* Picked up mid-session: COM_CHANGE_USER is still a login. */
static void
test_midstream_change_user(void **unused)
{
	static const struct step st[] = {
		CB(QUERY),
		SB(RESULT),
		CB(CHANGE_USER),
		SB(CU_SWITCH),
		CB(CU_AUTH),
		SB(CU_OK),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE,
		  .mech = "mysql_native_password (COM_CHANGE_USER, after auth switch)",
		  .user = "dave", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(true, st, w, DEC_MORE, PW);
}

/* File data whose packet id wrapped to 0 and starts with 0x11: no command. */
static void
test_change_user_lookalike(void **unused)
{
	static const struct step st[] = {
		CB("\x08\x00\x00\x00\x11\x80\x81\x00\x14\x01\x02\x03"),
		SB(CU_OK),
	};

	(void)unused;
	SESSION_NONE(true, st, DEC_MORE, PW);
}

/* The connection ends before the server answers. */
static void
test_unanswered(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_CLEAR),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "mysql_clear_password",
		  .user = "alice", .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

static void
test_gap(void **unused)
{
	static const struct step st[] = {
		SB(GREET_NATIVE),
		CB(RESP_NATIVE),
		GAP(DIR_S2C, 11),
		SB(OK2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "mysql_native_password",
		  .user = "alice", .result = RES_UNKNOWN, .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

/* Not a greeting: protocol byte 9 is not spoken here. */
static void
test_mismatch(void **unused)
{
	static const struct step st[] = {
		SB("\x05\x00\x00\x00\x09" "abcd"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, PW);
}

static enum probe_result
probe(enum dir d, const char *p, size_t n, bool *srv)
{
	*srv = false;
	return mysql_decoder.probe(d, (const uint8_t *)p, n, srv);
}

static void
test_probe(void **unused)
{
	bool srv;

	(void)unused;
	assert_int_equal(probe(DIR_S2C, GREET_NATIVE, sizeof(GREET_NATIVE) - 1, &srv), PROBE_YES);
	assert_true(srv);
	assert_int_equal(probe(DIR_S2C, GREET_NATIVE, 7, &srv), PROBE_MAYBE);
	assert_int_equal(probe(DIR_C2S, RESP_NATIVE, sizeof(RESP_NATIVE) - 1, &srv), PROBE_YES);
	assert_false(srv);
	assert_int_equal(probe(DIR_C2S, SSLREQ, sizeof(SSLREQ) - 1, &srv), PROBE_YES);
	assert_int_equal(probe(DIR_C2S, "GET / HTTP/1.1\r\n", 16, &srv), PROBE_NO);
	assert_int_equal(probe(DIR_S2C, "220 mail ESMTP\r\n", 16, &srv), PROBE_NO);
	/* A PostgreSQL StartupMessage. */
	assert_int_equal(probe(DIR_C2S, "\x00\x00\x00\x26\x00\x03\x00\x00user", 12, &srv), PROBE_NO);
	assert_int_equal(probe(DIR_S2C, "R\x00\x00\x00\x08\x00\x00\x00\x03", 9, &srv), PROBE_NO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native_success),
		cmocka_unit_test(test_native_failure),
		cmocka_unit_test(test_native_no_plugin_field),
		cmocka_unit_test(test_empty_password),
		cmocka_unit_test(test_ssl_request),
		cmocka_unit_test(test_host_refused),
		cmocka_unit_test(test_sha2_fast),
		cmocka_unit_test(test_sha2_full_rsa),
		cmocka_unit_test(test_sha2_full_cleartext),
		cmocka_unit_test(test_clear_password),
		cmocka_unit_test(test_switch_to_sha2),
		cmocka_unit_test(test_dialog),
		cmocka_unit_test(test_change_user),
		cmocka_unit_test(test_midstream_change_user),
		cmocka_unit_test(test_change_user_lookalike),
		cmocka_unit_test(test_unanswered),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
