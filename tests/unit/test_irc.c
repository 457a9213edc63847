/*
 * test_irc.c - the IRC decoder (RFC 1459/2812, IRCv3 sasl-3.1 and tls,
 * NickServ IDENTIFY).
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

extern const struct decoder irc_decoder;

#define SESSION_DECODER	irc_decoder
#define SESSION_APP	"irc"
#define SESSION_PORT	6667
#include "session.h"

#define PW_SRV	"quiet-harbor-test-44"
#define PW_OPER	"oper-lantern-test-45"
#define PW_BAD	"bad-pebble-test-47"
#define PW_NS	"nick-meadow-test-48"
#define PW_SASL	"sasl-river-test-46"
/* base64 of "\0carol\0sasl-river-test-46" */
#define B64_SASL "AGNhcm9sAHNhc2wtcml2ZXItdGVzdC00Ng=="
/* base64 of 300 'x' (authzid), then the same: 400 + 36 characters */
#define X100	"eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4" \
		"eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4"

/* PASS, NICK and USER in one write; then OPER refused and accepted. */
static void
test_pass_and_oper(void **unused)
{
	static const struct step st[] = {
		C("PASS " PW_SRV "\r\nNICK alice\r\nUSER alice 0 * :Alice A\r\n"),
		S(":irc.test 001 alice :Welcome to the Internet Relay Network alice\r\n"
		  ":irc.test 002 alice :Your host is irc.test\r\n"),
		C("OPER admin " PW_BAD "\r\n"),
		S(":irc.test 464 alice :Password incorrect\r\n"),
		C("OPER admin :" PW_OPER "\r\n"),
		S(":irc.test 381 alice :You are now an IRC Operator\r\n"),
		C("QUIT :bye\r\n"),
		S("ERROR :Closing connection\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "IRC PASS",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "IRC OPER",
		  .user = "admin", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "IRC OPER",
		  .user = "admin", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW_SRV, PW_OPER, PW_BAD);
}

/* A wrong server password: 464 then ERROR, one finding. */
static void
test_pass_failure(void **unused)
{
	static const struct step st[] = {
		C("PASS " PW_BAD "\r\n"), C("NICK bob\r\n"),
		C("USER bob 0 * :Bob\r\n"),
		S(":irc.test 464 bob :Password incorrect\r\n"),
		S("ERROR :Access denied: Bad password?\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "IRC PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW_BAD);
}

/* NickServ: the PRIVMSG form accepted, the NS alias with an account refused. */
static void
test_nickserv(void **unused)
{
	static const struct step st[] = {
		C("NICK carol\r\nUSER carol 0 * :Carol\r\n"),
		S(":irc.test 001 carol :Welcome\r\n"),
		C("PRIVMSG NickServ :IDENTIFY " PW_NS "\r\n"),
		S(":NickServ!NickServ@services. NOTICE carol :You are now identified for \x02" "carol\x02.\r\n"),
		C("NS IDENTIFY dave " PW_BAD "\r\n"),
		S(":NickServ!NickServ@services. NOTICE carol :Invalid password for \x02" "dave\x02.\r\n"),
		C("NICKSERV IDENTIFY " PW_NS "\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "NickServ IDENTIFY",
		  .user = "carol", .result = RES_SUCCESS, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "NickServ IDENTIFY",
		  .user = "dave", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "NickServ IDENTIFY",
		  .user = "carol", .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW_NS, PW_BAD);
}

/* IRCv3 SASL PLAIN in one chunk, then in a 400-byte chunk and the rest. */
static void
test_sasl_plain(void **unused)
{
	static const struct step st[] = {
		C("CAP LS 302\r\nNICK carol\r\nUSER carol 0 * :Carol\r\n"),
		S(":irc.test CAP * LS :sasl multi-prefix\r\n"),
		C("CAP REQ :sasl\r\n"),
		S(":irc.test CAP carol ACK :sasl\r\n"),
		C("AUTHENTICATE PLAIN\r\n"),
		S("AUTHENTICATE +\r\n"),
		C("AUTHENTICATE " B64_SASL "\r\n"),
		S(":irc.test 904 carol :SASL authentication failed\r\n"),
		C("AUTHENTICATE PLAIN\r\n"),
		S("AUTHENTICATE +\r\n"),
		C("AUTHENTICATE " X100 X100 X100 X100 "\r\n"),
		C("AUTHENTICATE " B64_SASL "\r\n"),
		S(":irc.test 900 carol carol!c@h carol :You are now logged in as carol\r\n"),
		S(":irc.test 903 carol :SASL authentication successful\r\n"),
		C("CAP END\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "carol", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "carol", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW_SASL, B64_SASL);
}

#define PW_LOGIN	"Erin-Irc-Pw9"
#define TOK_XO		"ya29.IrcTok3n-Secret"
/* base64 of "user=dave@example.org\1auth=Bearer " TOK_XO "\1\1" */
#define B64_XO	"dXNlcj1kYXZlQGV4YW1wbGUub3JnAWF1dGg9QmVhcmVyIHlhMjkuSXJjVG9rM24tU2VjcmV0AQE="
#define B64_LOGIN_PW	"RXJpbi1JcmMtUHc5"

/*
 * The other mechanisms, read by the shared SASL code: XOAUTH2 names its
 * user inside the blob, LOGIN sends the user then the password (two
 * responses), CRAM-MD5 answers the challenge with the user and a digest
 * (RFC 2195 §2).
 */
static void
test_sasl_other_mechanisms(void **unused)
{
	static const struct step st[] = {
		S(":irc.test CAP * LS :sasl=PLAIN,LOGIN,XOAUTH2,CRAM-MD5\r\n"),
		C("CAP REQ :sasl\r\n"),
		S(":irc.test CAP * ACK :sasl\r\n"),
		C("AUTHENTICATE XOAUTH2\r\n"),
		S("AUTHENTICATE +\r\n"),
		C("AUTHENTICATE " B64_XO "\r\n"),
		S(":irc.test 904 dave :SASL authentication failed\r\n"),
		C("AUTHENTICATE LOGIN\r\n"),
		S("AUTHENTICATE VXNlcm5hbWU6\r\n"),
		C("AUTHENTICATE ZXJpbg==\r\n"),
		S("AUTHENTICATE UGFzc3dvcmQ6\r\n"),
		C("AUTHENTICATE " B64_LOGIN_PW "\r\n"),
		S(":irc.test 904 erin :SASL authentication failed\r\n"),
		C("AUTHENTICATE CRAM-MD5\r\n"),
		S("AUTHENTICATE PDE4OTYuNjk3MTcwOTUyQGlyYy50ZXN0Pg==\r\n"),
		C("AUTHENTICATE ZnJhbmsgMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\r\n"),
		S(":irc.test 903 frank :SASL authentication successful\r\n"),
		C("CAP END\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE XOAUTH2",
		  .user = "dave@example.org", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE LOGIN",
		  .user = "erin", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "AUTHENTICATE CRAM-MD5",
		  .user = "frank", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW_LOGIN, B64_LOGIN_PW, TOK_XO, B64_XO);
}

/* IRCv3 tls: 670 starts TLS; a pending password's result is unknown. */
static void
test_starttls(void **unused)
{
	static const struct step st[] = {
		C("PASS " PW_SRV "\r\nSTARTTLS\r\n"),
		S(":irc.test 670 * :STARTTLS successful, go ahead with TLS handshake\r\n"),
		C("\x16\x03\x01\x00\x05hello"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "IRC PASS",
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW_SRV);
}

/* Registration without a password, and chatter: nothing. */
static void
test_no_login(void **unused)
{
	static const struct step st[] = {
		C("NICK erin\r\nUSER erin 0 * :pass word\r\n"),
		S(":irc.test 001 erin :Welcome\r\n"),
		C("JOIN #test\r\nPRIVMSG #test :my PASS is not here\r\n"),
		C("PRIVMSG NickServ :HELP IDENTIFY\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, PW_SRV);
}

/* After the welcome only a bounded number of lines is read. */
static void
test_bounded_after_welcome(void **unused)
{
	static const char hello[] = "NICK f\r\nUSER f 0 * :F\r\n";
	static const char welcome[] = ":irc.test 001 f :Welcome\r\n";
	static const char chat[] = "PRIVMSG #c :hi\r\n";
	static const struct flow_info fi = { .family = 4, .srv_port = 6667 };
	struct dec_counters c = { 0 };
	struct alert_opts opts = { .out = NULL, .hook = record };
	struct dec_ctx ctx = { .flow = &fi, .ctr = &c };
	enum dec_status rc = DEC_MORE;
	void *state;
	int i;

	(void)unused;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(state = calloc(1, irc_decoder.state_size));
	irc_decoder.init(state, false);
	irc_decoder.data(state, &ctx, DIR_C2S, (const uint8_t *)hello, sizeof(hello) - 1);
	irc_decoder.data(state, &ctx, DIR_S2C, (const uint8_t *)welcome, sizeof(welcome) - 1);
	for (i = 0; i < 10000 && rc == DEC_MORE; i++)
		rc = irc_decoder.data(state, &ctx, DIR_C2S, (const uint8_t *)chat,
		    sizeof(chat) - 1);
	assert_int_equal(rc, DEC_DONE);
	assert_true(i < 1000);
	irc_decoder.wipe(state);
	free(state);
	alert_sink_free(ctx.sink);
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
		{ DIR_C2S, "NICK alice\r\n", PROBE_YES, false },
		{ DIR_C2S, "CAP LS 302\r\n", PROBE_YES, false },
		{ DIR_C2S, "PASS x\r\nNICK a\r\nUSER a 0 * :A\r\n", PROBE_YES, false },
		{ DIR_C2S, "PASS x\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "PASS x\r\nQUIT\r\n", PROBE_NO, false },
		{ DIR_C2S, "USER alice 0 * :Alice\r\n", PROBE_YES, false },
		{ DIR_C2S, "USER alice\r\n", PROBE_NO, false },
		{ DIR_C2S, "NI", PROBE_MAYBE, false },
		{ DIR_S2C, ":irc.test NOTICE * :*** Looking up your hostname\r\n",
		  PROBE_YES, true },
		{ DIR_S2C, ":irc.test 001 a :Welcome\r\n", PROBE_YES, true },
		{ DIR_S2C, "NOTICE AUTH :*** Looking up\r\n", PROBE_YES, true },
		{ DIR_S2C, ":irc.test", PROBE_MAYBE, false },
		{ DIR_S2C, "+OK POP3 ready\r\n", PROBE_NO, false },
		{ DIR_C2S, "GET / HTTP/1.1\r\n", PROBE_NO, false },
		{ DIR_S2C, "220 ftp ready\r\n", PROBE_NO, false },
	};
	size_t i;
	bool srv;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		srv = false;
		if (irc_decoder.probe(cases[i].dir, (const uint8_t *)cases[i].text,
		    strlen(cases[i].text), &srv) != cases[i].want ||
		    srv != cases[i].server)
			fail_msg("probe case %zu", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_and_oper),
		cmocka_unit_test(test_pass_failure),
		cmocka_unit_test(test_nickserv),
		cmocka_unit_test(test_sasl_plain),
		cmocka_unit_test(test_sasl_other_mechanisms),
		cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_no_login),
		cmocka_unit_test(test_bounded_after_welcome),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
