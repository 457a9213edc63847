/*
 * test_nntp.c - the NNTP decoder (RFC 3977, RFC 4643 AUTHINFO, RFC 4642
 * STARTTLS).
 *
 * Sessions are run whole, with each step cut in two at every byte, and
 * byte by byte (tests/unit/session.h).
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

extern const struct decoder nntp_decoder;

#define SESSION_DECODER	nntp_decoder
#define SESSION_APP	"nntp"
#define SESSION_PORT	119
#include "session.h"

#define GREETING	S("200 news.example.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)\r\n")
#define PW		"news-cedar-test-49"
#define PW_BAD		"bad-cedar-test-50"
/* base64 of "\0alice\0news-cedar-test-49" */
#define B64_PLAIN	"AGFsaWNlAG5ld3MtY2VkYXItdGVzdC00OQ=="

static void
test_user_pass_success(void **unused)
{
	static const struct step st[] = {
		GREETING,
		C("MODE READER\r\n"), S("200 Posting allowed\r\n"),
		C("AUTHINFO USER alice\r\n"), S("381 Enter password\r\n"),
		C("AUTHINFO PASS " PW "\r\n"), S("281 Authentication accepted\r\n"),
		C("GROUP misc.test\r\n"),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHINFO USER/PASS",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

/* Pipelined (RFC 3977 §3.5) and refused. */
static void
test_user_pass_failure_pipelined(void **unused)
{
	static const struct step st[] = {
		GREETING,
		C("AUTHINFO USER bob\r\nAUTHINFO PASS " PW_BAD "\r\n"),
		S("381 Enter password\r\n481 Authentication failed\r\n"),
		C("QUIT\r\n"), S("205 Bye!\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHINFO USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW_BAD);
}

/* RFC 4643 §2.4: SASL PLAIN with an initial response. */
static void
test_sasl_plain(void **unused)
{
	static const struct step st[] = {
		GREETING,
		C("AUTHINFO SASL PLAIN " B64_PLAIN "\r\n"),
		S("281 Authentication accepted\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHINFO SASL PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW, B64_PLAIN);
}

/*
 * LOGIN abandoned at the password prompt: "QUIT" is valid base64, but a
 * bare command word ends the exchange (RFC 4643 §2.4); it is no password,
 * and without one the exchange reports nothing.
 */
static void
test_sasl_login_abandoned(void **unused)
{
	static const struct step st[] = {
		GREETING,
		C("AUTHINFO SASL LOGIN\r\n"),
		S("383 VXNlcm5hbWU6\r\n"),
		C("YWxpY2U=\r\n"),
		S("383 UGFzc3dvcmQ6\r\n"),
		C("QUIT\r\n"),
		S("205 closing connection\r\n"),
	};

	/* No password crossed: nothing to report (a username alone). */
	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, PW);
}

/* CRAM-MD5 through 383 continuations: challenge-response, refused. */
static void
test_sasl_cram(void **unused)
{
	static const struct step st[] = {
		GREETING,
		C("AUTHINFO SASL CRAM-MD5\r\n"),
		S("383 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
		C("YWxpY2UgMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\r\n"),
		S("481 Authentication failed\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "AUTHINFO SASL CRAM-MD5",
		  .user = "alice", .result = RES_FAILURE },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

/* RFC 4642: 382 and TLS; nothing after it is read. */
static void
test_starttls(void **unused)
{
	static const struct step st[] = {
		GREETING,
		C("STARTTLS\r\n"), S("382 Continue with TLS negotiation\r\n"),
		C("\x16\x03\x01\x00\x05hello"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW);
}

/* Articles are data: replies and commands inside them are not read. */
static void
test_article_bodies_skipped(void **unused)
{
	static const struct step st[] = {
		GREETING,
		C("GROUP misc.test\r\n"), S("211 2 1 2 misc.test\r\n"),
		C("ARTICLE 1\r\n"),
		S("220 1 <a@b> article\r\nSubject: password\r\n\r\n"
		  "281 Authentication accepted\r\nAUTHINFO PASS x\r\n.\r\n"),
		C("POST\r\n"), S("340 Send article\r\n"),
		C("Subject: t\r\n\r\nAUTHINFO USER x\r\nAUTHINFO PASS y\r\n.\r\n"),
		S("240 Article posted\r\n"),
		C("LISTGROUP misc.test\r\n"), S("211 2 1 2 misc.test\r\n1\r\n281 x\r\n.\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, PW);
}

static void
test_probe(void **unused)
{
	static const struct {
		enum dir		 dir;
		const char		*text;
		enum probe_result	 want;
		bool			 server;
	} cases[] = {
		{ DIR_S2C, "200 news.example.test InterNetNews NNRP server ready\r\n",
		  PROBE_YES, true },
		{ DIR_S2C, "201 NNTP Service Ready, posting prohibited\r\n", PROBE_YES, true },
		{ DIR_S2C, "200 OK\r\n", PROBE_NO, false },
		{ DIR_S2C, "20", PROBE_MAYBE, false },
		{ DIR_S2C, "220 mx ESMTP\r\n", PROBE_NO, false },
		{ DIR_C2S, "AUTHINFO USER a\r\n", PROBE_YES, false },
		{ DIR_C2S, "MODE READER\r\n", PROBE_YES, false },
		{ DIR_C2S, "AUTH", PROBE_MAYBE, false },
		{ DIR_C2S, "USER a\r\n", PROBE_NO, false },
	};
	size_t i;
	bool srv;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		srv = false;
		if (nntp_decoder.probe(cases[i].dir, (const uint8_t *)cases[i].text,
		    strlen(cases[i].text), &srv) != cases[i].want ||
		    srv != cases[i].server)
			fail_msg("probe case %zu", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_pass_success),
		cmocka_unit_test(test_user_pass_failure_pipelined),
		cmocka_unit_test(test_sasl_plain),
		cmocka_unit_test(test_sasl_cram),
		cmocka_unit_test(test_sasl_login_abandoned),
		cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_article_bodies_skipped),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
