/*
 * test_pgsql.c - the PostgreSQL decoder (Frontend/Backend protocol 3.0).
 *
 * Each test is a session of binary messages (byte literals with their
 * sizes) and the findings it must produce; session.h runs it whole, with
 * every step cut at every byte, and byte by byte.  Message layouts follow
 * PostgreSQL 15 documentation §55.7 "Message Formats".
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

extern const struct decoder pgsql_decoder;

#define SESSION_DECODER	pgsql_decoder
#define SESSION_APP	"postgresql"
#define SESSION_PORT	5432
#include "session.h"

#define PW		"ledger-pine-test-21"

/* Messages (length fields computed from the bodies). */
#define SSLREQ         "\x00\x00\x00\x08\x04\xd2\x16/"
#define GSSREQ         "\x00\x00\x00\x08\x04\xd2\x16" "0"
#define STARTUP_ALICE  \
	"\x00\x00\x00<\x00\x03\x00\x00user\x00" "alice\x00" "database\x00" \
	"postgres\x00" "application_name\x00psql\x00\x00"
#define STARTUP_BOB    \
	"\x00\x00\x00$\x00\x03\x00\x00" "database\x00postgres\x00user\x00" "b" \
	"ob\x00\x00"
#define R_CLEAR        "R\x00\x00\x00\x08\x00\x00\x00\x03"
#define R_MD5          "R\x00\x00\x00\x0c\x00\x00\x00\x05\x9a\x12\x7f\x01"
#define R_SASL         \
	"R\x00\x00\x00*\x00\x00\x00\x0aSCRAM-SHA-256-PLUS\x00SCRAM-SHA-25" \
	"6\x00\x00"
#define R_OK           "R\x00\x00\x00\x08\x00\x00\x00\x00"
#define P_CLEAR        "p\x00\x00\x00\x18ledger-pine-test-21\x00"
#define P_EMPTY        "p\x00\x00\x00\x05\x00"
#define P_MD5          "p\x00\x00\x00(md50123456789abcdef0123456789abcdef\x00"
#define P_SASL_INIT    \
	"p\x00\x00\x00" "2SCRAM-SHA-256\x00\x00\x00\x00\x1cn,,n=,r=rOprNG" \
	"fwEbeRWgbNEkqO"
#define R_SASL_CONT    \
	"R\x00\x00\x00^\x00\x00\x00\x0br=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2Ra" \
	"TCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define P_SASL_FINAL   \
	"p\x00\x00\x00nc=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIl" \
	"j)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define R_SASL_FINAL   \
	"R\x00\x00\x00" "6\x00\x00\x00\x0cv=6rriTRBi23WpRR/wtup+mMhUZUn/d" \
	"B5nLTJRsjl95G4="
#define E_28P01        \
	"E\x00\x00\x00" "eSFATAL\x00VFATAL\x00" "C28P01\x00Mpassword auth" \
	"entication failed for user \x22" "alice\x22\x00" "Fauth.c\x00L33" \
	"0\x00Rauth_failed\x00\x00"
#define E_28000        \
	"E\x00\x00\x00uSFATAL\x00VFATAL\x00" "C28000\x00Mno pg_hba.conf e" \
	"ntry for host \x22" "127.0.0.1\x22, user \x22" "bob\x22, databas" \
	"e \x22postgres\x22, no encryption\x00\x00"
#define PARAM_STATUS   "S\x00\x00\x00\x19server_version\x00" "15.18\x00"
#define CANCEL         "\x00\x00\x00\x10\x04\xd2\x16.\x00\x00\x04\xd2\x00\x00\x16."

static void
test_cleartext_success(void **unused)
{
	static const struct step st[] = {
		CB(SSLREQ),
		SB("N"),
		CB(STARTUP_ALICE),
		SB(R_CLEAR),
		CB(P_CLEAR),
		SB(R_OK),
		SB(PARAM_STATUS),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS,
		  .mech = "PostgreSQL cleartext password", .user = "alice",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

static void
test_cleartext_failure(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_ALICE),
		SB(R_CLEAR),
		CB(P_CLEAR),
		SB(E_28P01),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS,
		  .mech = "PostgreSQL cleartext password", .user = "alice",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

/* The connection ends before the server answers: result unknown, at end(). */
static void
test_cleartext_unanswered(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_ALICE),
		SB(R_CLEAR),
		CB(P_CLEAR),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS,
		  .mech = "PostgreSQL cleartext password", .user = "alice",
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

static void
test_cleartext_empty(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_ALICE),
		SB(R_CLEAR),
		CB(P_EMPTY),
		SB(E_28P01),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS,
		  .mech = "PostgreSQL cleartext password", .user = "alice",
		  .result = RES_FAILURE, .secret = false, .why = "empty password" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

static void
test_md5(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_BOB),
		SB(R_MD5),
		CB(P_MD5),
		SB(R_OK),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "PostgreSQL MD5",
		  .user = "bob", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

static void
test_scram(void **unused)
{
	static const struct step st[] = {
		CB(SSLREQ),
		SB("N"),
		CB(STARTUP_ALICE),
		SB(R_SASL),
		CB(P_SASL_INIT),
		SB(R_SASL_CONT),
		CB(P_SASL_FINAL),
		SB(R_SASL_FINAL R_OK),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE,
		  .mech = "PostgreSQL SASL SCRAM-SHA-256", .user = "alice",
		  .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

static void
test_scram_failure(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_ALICE),
		SB(R_SASL),
		CB(P_SASL_INIT),
		SB(R_SASL_CONT),
		CB(P_SASL_FINAL),
		SB(E_28P01),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE,
		  .mech = "PostgreSQL SASL SCRAM-SHA-256", .user = "alice",
		  .result = RES_FAILURE },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

/* psql without a password: asked for SCRAM, it hangs up; nothing crackable. */
static void
test_scram_abandoned(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_ALICE),
		SB(R_SASL),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, PW);
}

/* The client-first message alone holds no proof. */
static void
test_scram_first_only(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_ALICE),
		SB(R_SASL),
		CB(P_SASL_INIT),
		SB(R_SASL_CONT),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, PW);
}

/* SSLRequest answered 'S': TLS follows; the bytes behind it are never read. */
static void
test_ssl_accepted(void **unused)
{
	static const struct step st[] = {
		CB(SSLREQ),
		SB("S"),
		CB("\x16\x03\x01\x00\x05" "hello"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

static void
test_gssenc_accepted(void **unused)
{
	static const struct step st[] = {
		CB(GSSREQ),
		SB("G"),
		CB("\x00\x00\x00\x10opaque-gss-tok"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

/* trust authentication: AuthenticationOk at once, no login to report. */
static void
test_trust(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_ALICE),
		SB(R_OK PARAM_STATUS),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

/* Refused by pg_hba.conf before any password: nothing crossed. */
static void
test_hba_refused(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_BOB),
		SB(E_28000),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

static void
test_cancel(void **unused)
{
	static const struct step st[] = {
		CB(CANCEL),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

/* Not PostgreSQL: an HTTP request on 5432 is not framed as messages. */
static void
test_http_mismatch(void **unused)
{
	static const struct step st[] = {
		CB("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, PW);
}

/*
 * A start-up message longer than the decoder keeps: the user, first, is
 * still read, and the rest is skipped by count.
 */
static void
test_startup_longer_than_cap(void **unused)
{
	static char msg[8 + 11 + 8 + 2000 + 2];
	static struct step st[4];
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS,
		  .mech = "PostgreSQL cleartext password", .user = "carol",
		  .result = RES_SUCCESS, .secret = true },
	};
	size_t n = sizeof(msg);

	(void)unused;
	memset(msg, 'x', sizeof(msg));
	msg[0] = 0;
	msg[1] = 0;
	msg[2] = (char)(n >> 8);
	msg[3] = (char)(n & 0xff);
	memcpy(msg + 4, "\x00\x03\x00\x00" "user\0carol\0options\0", 4 + 11 + 8);
	msg[n - 2] = 0;
	msg[n - 1] = 0;
	st[0] = (struct step){ DIR_C2S, msg, n };
	st[1] = (struct step)SB(R_CLEAR);
	st[2] = (struct step)CB(P_CLEAR);
	st[3] = (struct step)SB(R_OK);
	SESSION(false, st, w, DEC_DONE, PW);
}

/* Picked up mid-session: a password message without its request is not judged. */
static void
test_midstream(void **unused)
{
	static const struct step st[] = {
		CB(P_CLEAR),
		SB(R_OK),
	};

	(void)unused;
	SESSION_NONE(true, st, DEC_DONE, PW);
}

/* A hole while a login is in flight: reported with an unknown result. */
static void
test_gap(void **unused)
{
	static const struct step st[] = {
		CB(STARTUP_BOB),
		SB(R_MD5),
		CB(P_MD5),
		GAP(DIR_S2C, 100),
		SB(R_OK),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "PostgreSQL MD5",
		  .user = "bob", .result = RES_UNKNOWN, .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

static const char *app_seen;

static void
app_hook(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	(void)arg;
	(void)fi;
	(void)ts_us;
	app_seen = f->app_proto;
}

/* The app_proto name in full. */
static void
test_app_proto(void **unused)
{
	static const struct flow_info fi = { .family = 4, .srv_port = 5432 };
	struct alert_opts opts = { .out = NULL, .hook = app_hook };
	struct dec_counters c;
	struct dec_ctx ctx = { .flow = &fi, .ctr = &c };
	void *st;

	(void)unused;
	memset(&c, 0, sizeof(c));
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(st = calloc(1, pgsql_decoder.state_size));
	pgsql_decoder.init(st, false);
	pgsql_decoder.data(st, &ctx, DIR_C2S, (const uint8_t *)STARTUP_BOB,
	    sizeof(STARTUP_BOB) - 1);
	pgsql_decoder.data(st, &ctx, DIR_S2C, (const uint8_t *)R_MD5, sizeof(R_MD5) - 1);
	pgsql_decoder.data(st, &ctx, DIR_C2S, (const uint8_t *)P_MD5, sizeof(P_MD5) - 1);
	assert_int_equal(pgsql_decoder.data(st, &ctx, DIR_S2C,
	    (const uint8_t *)R_OK, sizeof(R_OK) - 1), DEC_DONE);
	assert_non_null(app_seen);
	assert_string_equal(app_seen, "postgresql");
	pgsql_decoder.wipe(st);
	free(st);
	alert_sink_free(ctx.sink);
}

static enum probe_result
probe(enum dir d, const char *p, size_t n, bool *srv)
{
	*srv = false;
	return pgsql_decoder.probe(d, (const uint8_t *)p, n, srv);
}

static void
test_probe(void **unused)
{
	bool srv;

	(void)unused;
	assert_int_equal(probe(DIR_C2S, STARTUP_ALICE, sizeof(STARTUP_ALICE) - 1, &srv), PROBE_YES);
	assert_false(srv);
	assert_int_equal(probe(DIR_C2S, SSLREQ, sizeof(SSLREQ) - 1, &srv), PROBE_YES);
	assert_int_equal(probe(DIR_C2S, SSLREQ, 5, &srv), PROBE_MAYBE);
	assert_int_equal(probe(DIR_S2C, R_MD5, sizeof(R_MD5) - 1, &srv), PROBE_YES);
	assert_true(srv);
	assert_int_equal(probe(DIR_S2C, R_SASL, sizeof(R_SASL) - 1, &srv), PROBE_YES);
	assert_int_equal(probe(DIR_C2S, "GET / HTTP/1.1\r\n", 16, &srv), PROBE_NO);
	assert_int_equal(probe(DIR_C2S, "\x00\x00\x00\x08\x00\x00\x00\x01", 8, &srv), PROBE_NO);
	/* A MySQL greeting (3-byte length, sequence 0, protocol 10). */
	assert_int_equal(probe(DIR_S2C, "\x4a\x00\x00\x00\x0a" "5.7", 8, &srv), PROBE_NO);
	/* 'R' with a wrong length for its code. */
	assert_int_equal(probe(DIR_S2C, "R\x00\x00\x00\x09\x00\x00\x00\x00", 9, &srv), PROBE_NO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cleartext_success),
		cmocka_unit_test(test_cleartext_failure),
		cmocka_unit_test(test_cleartext_unanswered),
		cmocka_unit_test(test_cleartext_empty),
		cmocka_unit_test(test_md5),
		cmocka_unit_test(test_scram),
		cmocka_unit_test(test_scram_failure),
		cmocka_unit_test(test_scram_abandoned),
		cmocka_unit_test(test_scram_first_only),
		cmocka_unit_test(test_ssl_accepted),
		cmocka_unit_test(test_gssenc_accepted),
		cmocka_unit_test(test_trust),
		cmocka_unit_test(test_hba_refused),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_http_mismatch),
		cmocka_unit_test(test_startup_longer_than_cap),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_app_proto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
