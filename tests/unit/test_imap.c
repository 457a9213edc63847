/*
 * test_imap.c - the IMAP decoder (RFC 9051, 3501, 4959, 7888, 2595).
 *
 * Each test is a session written as an ordered list of (direction, bytes)
 * steps and the findings it must produce.  Every session is run whole, with
 * each step cut in two at every byte, and byte by byte; all runs must give
 * the same findings and the same final status.  No finding may carry a
 * session's secrets, and the decoder state may not hold them after the run.
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

extern const struct decoder imap_decoder;

#define SESSION_DECODER	imap_decoder
#define SESSION_APP	"imap"
#define SESSION_PORT	143
#include "session.h"

#define GREETING	"* OK IMAP4rev1 Service Ready\r\n"
/* Dovecot's pre-login set: STARTTLS, LOGINDISABLED-less, AUTH=PLAIN. */
#define CAPS_TLS	"IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE " \
			"LITERAL+ STARTTLS AUTH=PLAIN"
#define CAPS_CLEAR	"IMAP4rev1 IDLE AUTH=LOGIN AUTH=PLAIN AUTH=CRAM-MD5"

/* base64 of "\0bob\0hunter2" (RFC 4616) */
#define PLAIN_BOB	"AGJvYgBodW50ZXIy"

static void
test_login_atoms(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a001 LOGIN bob hunter2\r\n"),
		S("a001 OK LOGIN completed\r\n"),
		C("a002 SELECT INBOX\r\n"),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};
	static const struct step st2[] = {
		S(GREETING),
		C("a001 LOGIN bob hunter2\r\n"),
		S("a001 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"),
		C("a002 LOGOUT\r\n"),
		S("* BYE\r\na002 OK\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/* RFC 9051 §4.3: quoted strings, "\" quoting DQUOTE and "\"; UTF-8 names. */
static void
test_login_quoted(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 LOGIN \"j\xc3\xb6rg \\\"the\\\" user\" \"hun\\\\ter\\\"2 x\"\r\n"),
		S("a1 BAD invalid\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "j\xc3\xb6rg \"the\" user", .result = RES_FAILURE,
		  .secret = true },
	};
	/* An empty password is still a login attempt, without a secret. */
	static const struct step st2[] = {
		S(GREETING),
		C("a1 LOGIN \"\" \"\"\r\n"),
		S("a1 NO\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .result = RES_FAILURE },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hun\\ter\"2 x", "hun\\\\ter\\\"2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/* RFC 9051 §4.3, §7.5: a synchronizing literal waits for "+". */
static void
test_login_literal_sync(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("A1 LOGIN {3}\r\n"),
		S("+ Ready for literal data\r\n"),
		C("bob {11}\r\n"),
		S("+ \r\n"),
		C("hunter2 \"x\"\r\n"),
		S("A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	/* An empty literal (RFC 9051 §4.3 allows {0}) is an empty password. */
	static const struct step st2[] = {
		S(GREETING),
		C("A1 LOGIN bob {0}\r\n"),
		S("+ go ahead\r\n"),
		C("\r\n"),
		S("A1 NO\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2 \"x\"");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/* RFC 7888: "{n+}" literals follow at once. */
static void
test_login_literal_plus(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 login {5+}\r\nalice {9+}\r\ns3cr3t!\r\n \r\n"),
		S("a1 NO [AUTHENTICATIONFAILED]\r\n"),
		C("a2 LOGIN {3+}\r\nbob \"hunter2\"\r\n"),
		S("a2 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "alice", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	/* An empty user name as a literal; the password follows it. */
	static const struct step st2[] = {
		S(GREETING),
		C("a1 LOGIN {0+}\r\n hunter2\r\n"),
		S("a1 NO\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "s3cr3t!", "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/* A literal that arrives in several segments, and an over-long name. */
static void
test_login_literal_split(void **unused)
{
#define TEN	"abcdefghij"
#define HUNDRED	TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN
	static const struct step st[] = {
		S(GREETING),
		C("a1 LOGIN carol {23+}\r\nTr0u"),
		C("b4dor-correct"),
		C("-horse\r\n"),
		S("a1 NO\r\n"),
		C("a2 LOGIN {300+}\r\n" HUNDRED HUNDRED HUNDRED " hunter2\r\n"),
		S("a2 NO\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "carol", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = HUNDRED HUNDRED HUNDRED, .truncated = true,
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "Tr0ub4dor-correct-horse", "hunter2");
#undef HUNDRED
#undef TEN
}

/* The server refuses a synchronizing literal: it is never sent. */
static void
test_literal_refused(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 LOGIN {9999}\r\n"),
		S("a1 NO literal too big\r\n"),
		C("a2 LOGIN bob hunter2\r\n"),
		S("a2 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/* RFC 4959: SASL-IR, the initial response on the command line. */
static void
test_authenticate_plain_ir(void **unused)
{
	static const struct step st[] = {
		S("* OK [CAPABILITY " CAPS_TLS "] Dovecot ready.\r\n"),
		C("a AUTHENTICATE PLAIN " PLAIN_BOB "\r\n"),
		S("a OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2", PLAIN_BOB);
}

static void
test_authenticate_plain_continuation(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 AUTHENTICATE PLAIN\r\n"),
		S("+ \r\n"),
		C("YWRtaW4AYWxpY2UAczNjcjN0IQ==\r\n"),
		S("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "alice", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "s3cr3t!", "YWRtaW4AYWxpY2UAczNjcjN0IQ==");
}

static void
test_authenticate_login(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 AUTHENTICATE LOGIN\r\n"),
		S("+ VXNlcm5hbWU6\r\n"),
		C("Y2Fyb2w=\r\n"),
		S("+ UGFzc3dvcmQ6\r\n"),
		C("VHIwdWI0ZG9y\r\n"),
		S("a1 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE LOGIN",
		  .user = "carol", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "Tr0ub4dor", "VHIwdWI0ZG9y");
}

/* Google's XOAUTH2; on failure the server sends an error as a challenge. */
static void
test_authenticate_xoauth2(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("x AUTHENTICATE XOAUTH2 dXNlcj1kYXZlQGV4YW1wbGUuY29tAWF1dGg9"
		  "QmVhcmVyIHlhMjkudG9rVE9LRU4BAQ==\r\n"),
		S("+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"),
		C("\r\n"),
		S("x NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE XOAUTH2",
		  .user = "dave@example.com", .result = RES_FAILURE,
		  .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "ya29.tokTOKEN",
	    "dXNlcj1kYXZlQGV4YW1wbGUuY29tAWF1dGg9");
}

/* "*" cancels (RFC 9051 §6.2.2): nothing secret; the session goes on. */
static void
test_authenticate_cancel(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 AUTHENTICATE LOGIN\r\n"),
		S("+ VXNlcm5hbWU6\r\n"),
		C("ZnJhbms=\r\n"),
		S("+ UGFzc3dvcmQ6\r\n"),
		C("*\r\n"),
		S("a1 BAD Authentication cancelled\r\n"),
		C("a2 LOGIN frank hunter2\r\n"),
		S("a2 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "frank", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/*
 * A challenge answered with a command: the server reads the line as the
 * (bad) response, so no secret was sent and the line gets no reply.
 */
static void
test_authenticate_abandoned(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 AUTHENTICATE LOGIN\r\n"),
		S("+ VXNlcm5hbWU6\r\n"),
		C("Y2Fyb2w=\r\n"),
		S("+ UGFzc3dvcmQ6\r\n"),
		C("a2 LOGOUT\r\n"),
		S("a1 BAD Invalid response\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "Tr0ub4dor");
	assert_int_equal(ctr.unmatched_reply, 0);
	assert_int_equal(ctr.bad_base64, 1);
}

/* Behind an initial response (RFC 4959) and before any "+", a command is one. */
static void
test_authenticate_pipelined(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 AUTHENTICATE PLAIN " PLAIN_BOB "\r\na2 CAPABILITY\r\n"),
		S("a1 NO [AUTHENTICATIONFAILED]\r\n"
		  "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN\r\n"
		  "a2 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", PLAIN_BOB);
	assert_int_equal(ctr.unmatched_reply, 0);
}

static void
test_authenticate_cram_md5(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 AUTHENTICATE CRAM-MD5\r\n"),
		S("+ PDE4OTYuNjk3MTcwOTUyQG1haWwuZXhhbXBsZS5jb20+\r\n"),
		C("ZXJpbiA5YTFkNGIyYzNlNGY1MDYxNzI4Mzk0YTViNmM3ZDhlOQ==\r\n"),
		S("a1 NO\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "AUTHENTICATE CRAM-MD5",
		  .user = "erin", .result = RES_FAILURE },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "9a1d4b2c3e4f5061728394a5b6c7d8e9");
}

/* Capabilities in the greeting's response code (RFC 9051 §7.1). */
static void
test_caps_greeting(void **unused)
{
	static const struct step st[] = {
		S("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED "
		  "AUTH=PLAIN] ready\r\n"),
		C("a1 AUTHENTICATE PLAIN " PLAIN_BOB "\r\n"),
		S("a1 NO [PRIVACYREQUIRED] TLS required\r\n"),
	};
	/* LOGINDISABLED: only AUTH=PLAIN is offered in clear. */
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};
	/* LOGINDISABLED and no AUTH=: nothing offered in clear. */
	static const struct step st2[] = {
		S("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
		C("a1 CAPABILITY\r\n"),
		S("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n"
		  "a1 OK\r\n"),
		C("a2 LOGOUT\r\n"),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", PLAIN_BOB);
	SESSION_NONE(false, st2, DEC_MORE, "hunter2");
}

/* "* CAPABILITY" answering the command; no STARTTLS at all. */
static void
test_caps_command(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("C00001 CAPABILITY\r\n"),
		S("* CAPABILITY " CAPS_CLEAR "\r\nC00001 OK CAPABILITY completed\r\n"),
		C("C00002 LOGIN samir hunter2\r\n"),
		S("C00002 OK LOGIN completed\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "samir", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_NO },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/*
 * A tagged OK's [CAPABILITY] code counts before login; LOGIN's own OK
 * lists the post-login set, which must not count (no LOGINDISABLED there).
 */
static void
test_caps_tagged_ok(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a0 NOOP\r\n"),
		S("a0 OK [CAPABILITY IMAP4rev1 AUTH=NTLM] done\r\n"),
		C("a1 LOGIN \"neulingern\" \"XXXXXX\"\r\n"),
		S("a1 OK LOGIN completed\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "LOGIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "neulingern", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_NO },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};
	static const struct step st2[] = {
		S("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED STARTTLS] hi\r\n"),
		C("a1 AUTHENTICATE CRAM-MD5\r\n"),
		S("+ PDE4OTYuNjk3MTcwOTUyQG1haWwuZXhhbXBsZS5jb20+\r\n"),
		C("ZXJpbiA5YTFkNGIyYzNlNGY1MDYxNzI4Mzk0YTViNmM3ZDhlOQ==\r\n"),
		S("a1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "AUTHENTICATE CRAM-MD5",
		  .user = "erin", .result = RES_SUCCESS, .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "XXXXXX");
	SESSION(false, st2, w2, DEC_DONE, "9a1d4b2c3e4f5061728394a5b6c7d8e9");
}

/* TLS 1.0 records (RFC 2246): a ClientHello and a ServerHello. */
#define RANDOM32	"\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
			"\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
			"\x11\x11\x11\x11\x11\x11\x11\x11"
#define CLIENT_HELLO	"\x16\x03\x01\x00\x2d" "\x01\x00\x00\x29" "\x03\x01" \
			RANDOM32 "\x00" "\x00\x02\x00\x2f" "\x01\x00"
#define SERVER_HELLO_10	"\x16\x03\x01\x00\x2a" "\x02\x00\x00\x26" "\x03\x01" \
			RANDOM32 "\x00" "\x00\x2f" "\x00"
#define SERVER_HELLO_12	"\x16\x03\x03\x00\x2a" "\x02\x00\x00\x26" "\x03\x03" \
			RANDOM32 "\x00" "\xc0\x2f" "\x00"

static void
test_starttls(void **unused)
{
	static const struct step st[] = {
		S("* OK [CAPABILITY " CAPS_TLS "] ready\r\n"),
		C("a1 STARTTLS\r\n"),
		S("a1 OK Begin TLS negotiation now\r\n"),
		CB(CLIENT_HELLO),
		SB(SERVER_HELLO_12),
		C("a2 LOGIN bob hunter2\r\n"),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
	};
	static const struct step st2[] = {
		S("* OK [CAPABILITY " CAPS_TLS "] ready\r\n"),
		C(". STARTTLS\r\n"),
		S(". OK Begin TLS negotiation now\r\n"),
		CB(CLIENT_HELLO),
		SB(SERVER_HELLO_10),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_WEAK_TLS, .offered = TRI_YES, .requested = true,
		  .reply = 1, .tls_version = 0x0301, .tls_cipher = 0x002f },
	};
	/* The ClientHello overtakes the OK (the client did not wait). */
	static const struct step st3[] = {
		S(GREETING),
		C("a1 STARTTLS\r\n"),
		CB(CLIENT_HELLO),
		S("a1 OK Begin TLS\r\n"),
		SB(SERVER_HELLO_10),
	};
	static const struct want w3[] = {
		{ .kind = K_WEAK_TLS, .offered = TRI_YES, .requested = true,
		  .reply = 1, .tls_version = 0x0301, .tls_cipher = 0x002f },
	};

	/* TLS went out before the answer, which was NO: no cleartext session follows. */
	static const struct step st4[] = {
		S(GREETING),
		C("a1 STARTTLS\r\n"),
		CB(CLIENT_HELLO),
		S("a1 NO not now\r\n"),
		C("a2 LOGIN bob hunter2\r\n"),
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_DONE, "hunter2");
	SESSION(false, st3, w3, DEC_DONE, "hunter2");
	SESSION_NONE(false, st4, DEC_DONE, "hunter2");
}

/* Only the start of the handshake was captured: still no cleartext. */
static void
test_starttls_unfinished(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 STARTTLS\r\n"),
		S("a1 OK\r\n"),
		CB("\x16\x03\x01\x00\x2d" "\x01\x00\x00\x29" "\x03\x01"
		   "a2 LOGIN bob xyzzy\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "hunter2");
}

/* OK to STARTTLS, then commands in clear: something answered for the server. */
static void
test_starttls_stripped(void **unused)
{
	static const struct step st[] = {
		S("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
		C("a1 STARTTLS\r\n"),
		S("a1 OK Begin TLS negotiation now\r\n"),
		C("a2 LOGIN bob hunter2\r\n"),
		S("a2 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_YES,
		  .requested = true, .reply = 1 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = 1 },
	};
	/* A STRIPTLS box masks the capability itself. */
	static const struct step st2[] = {
		S("* OK [CAPABILITY IMAP4rev1 XXXXXXXX LOGINDISABLED] ready\r\n"),
		C("a1 LOGIN bob hunter2\r\n"),
		S("a1 NO [PRIVACYREQUIRED]\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_NO },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_NO },
	};

	/*
	 * Not TLS right behind STARTTLS, before any answer (found by
	 * fuzzing: this once recursed without end): no stripping, since the
	 * server said nothing yet, and the bytes are read as lines.
	 */
	static const struct step st3[] = {
		S(GREETING),
		C("a1 STARTTLS\r\n"),
		CB("\x16Sx\r\n"),
		S("a1 NO\r\n"),
		C("a2 STARTTLS\r\na3 STARTTLS\r\n"),
		S("a2 OK\r\n"),
		CB("\x16\x16x\r\na4 LOGIN bob hunter2\r\n"),
		S("a3 BAD\r\na4 OK\r\n"),
	};
	static const struct want w3[] = {
		{ .kind = K_STARTTLS_REFUSED, .requested = true, .reply = -1 },
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_YES,
		  .requested = true, .reply = 1 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = -1 },
	};

	/* Stripped once; the next STARTTLS's ClientHello overtakes its OK. */
	static const struct step st4[] = {
		S(GREETING),
		C("a1 STARTTLS\r\n"),
		S("a1 OK\r\n"),
		C("a2 NOOP\r\n"),
		S("a2 OK\r\n"),
		C("a3 STARTTLS\r\n"),
		CB(CLIENT_HELLO),
		S("a3 OK\r\n"),
		SB(SERVER_HELLO_10),
	};
	static const struct want w4[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_YES,
		  .requested = true, .reply = 1 },
		{ .kind = K_WEAK_TLS, .offered = TRI_YES, .requested = true,
		  .reply = 1, .tls_version = 0x0301, .tls_cipher = 0x002f },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
	SESSION(false, st3, w3, DEC_DONE, "hunter2");
	SESSION(false, st4, w4, DEC_DONE, "hunter2");
}

static void
test_starttls_refused(void **unused)
{
	static const struct step st[] = {
		S("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
		C("a1 STARTTLS\r\n"),
		S("a1 NO TLS not available\r\n"),
		C("a2 LOGIN bob hunter2\r\n"),
		S("a2 OK\r\n"),
	};
	/* The client asked: not starttls_offered_not_used. */
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "LOGIN" },
		{ .kind = K_STARTTLS_REFUSED, .offered = TRI_YES,
		  .requested = true, .reply = -1 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = -1 },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/* RFC 5530 §3: refused for want of TLS, but the password already crossed. */
static void
test_privacy_required(void **unused)
{
	static const struct step st[] = {
		S("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
		C("a1 LOGIN bob hunter2\r\n"),
		S("a1 NO [PRIVACYREQUIRED] Connection is not secure\r\n"),
		C("a2 LOGOUT\r\n"),
		S("* BYE\r\na2 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
}

/*
 * A FETCH body (RFC 9051 §7.5.2) holding lines that look like responses:
 * read as responses, "a2 OK" would answer LOGIN and the CAPABILITY line
 * would offer PLAIN.  Likewise an APPEND literal holding a LOGIN command.
 */
static void
test_literal_bodies_skipped(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 FETCH 1 (FLAGS BODY[])\r\na2 LOGIN bob hunter2\r\n"),
		S("* 1 FETCH (FLAGS (\\Seen) BODY[] {70}\r\n"
		  "a2 OK fake\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
		  "* 2 FETCH (BODY[] {5}\r\n"
		  " BODY[HEADER] {5}\r\n+ x\r\n)\r\n"
		  "a1 OK FETCH done\r\n"),
		S("* OK [ALERT] quota {5}\r\na2 NO [PRIVACYREQUIRED]\r\n"),
		C("a3 APPEND INBOX {38+}\r\nSubject: x\r\n\r\n"
		  "a4 LOGIN eve Tr0ub4dor\r\n\r\n"),
		S("a3 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
	assert_int_equal(ctr.unmatched_reply, 0);
}

/* A hole in the server's bytes: that login ends unknown, later ones say gap. */
static void
test_gap(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 LOGIN bob hunter2\r\n"),
		GAP(DIR_S2C, 100),
		S("ply was lost\r\n"),
		C("a2 LOGIN carol Tr0ub4dor\r\n"),
		S("a2 NO\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true,
		  .gap = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "carol", .result = RES_FAILURE, .secret = true,
		  .gap = true },
	};
	/* A hole inside a client literal: the command is resumed past it. */
	static const struct step st2[] = {
		S(GREETING),
		C("a1 APPEND INBOX {100+}\r\nSubject: x\r\n"),
		GAP(DIR_C2S, 50),
		C("012345678901234567890123456789012345\r\n\r\n"),
		C("a2 LOGIN carol Tr0ub4dor\r\n"),
		S("a1 OK\r\na2 NO\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "carol", .result = RES_FAILURE, .secret = true,
		  .gap = true },
	};

	/* A hole past the end of a literal: what follows is a new command. */
	static const struct step st5[] = {
		S(GREETING),
		C("a1 APPEND INBOX {10+}\r\nSubj"),
		GAP(DIR_C2S, 100),
		C("lost tail\r\n"),
		C("a2 LOGIN carol Tr0ub4dor\r\n"),
		S("a1 OK\r\na2 NO\r\n"),
	};
	/* The reply to a reused tag fell in a hole: no stale pairing after it. */
	static const struct step st3[] = {
		S(GREETING),
		C(". CAPABILITY\r\n"),
		GAP(DIR_S2C, 40),
		S("ITY IMAP4rev1 IDLE\r\n"),
		C(". LOGIN bob hunter2\r\n"),
		S(". OK\r\n"),
	};
	static const struct want w3[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .gap = true },
	};
	/* A hole cuts an AUTHENTICATE: what was seen, result unknown. */
	static const struct step st4[] = {
		S(GREETING),
		C("a1 AUTHENTICATE LOGIN\r\n"),
		S("+ VXNlcm5hbWU6\r\n"),
		C("Y2Fyb2w=\r\n"),
		GAP(DIR_S2C, 16),
		C("VHIwdWI0ZG9y\r\n"),
	};
	static const struct want w4[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE LOGIN",
		  .user = "carol", .result = RES_UNKNOWN, .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
	assert_int_equal(ctr.gaps, 1);
	SESSION(false, st2, w2, DEC_MORE, "Tr0ub4dor");
	assert_int_equal(ctr.unmatched_reply, 0);
	SESSION(false, st3, w3, DEC_DONE, "hunter2");
	SESSION(false, st4, w4, DEC_MORE, "Tr0ub4dor", "VHIwdWI0ZG9y");
	SESSION(false, st5, w2, DEC_MORE, "Tr0ub4dor");
}

/* Literal sizes past 2^32-1 (RFC 9051 §9 number) are no literals. */
static void
test_literal_bounds(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 LOGIN bob hunter2\r\n"),
		S("* 1 FETCH (BODY[] {18446744073709551617}\r\na1 NO\r\n"),
	};
	static const struct step st2[] = {
		S(GREETING),
		C("a1 LOGIN bob hunter2\r\n"),
		S("* 1 FETCH (BODY[] {4294967296}\r\na1 NO\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w, DEC_MORE, "hunter2");
}

static void
test_end_without_reply(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a1 LOGIN bob hunter2\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true },
	};
	static const struct step st2[] = {
		S(GREETING),
		C("a1 AUTHENTICATE PLAIN\r\n"),
		S("+\r\n"),
		C(PLAIN_BOB "\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2", PLAIN_BOB);
}

static void
test_lower_case(void **unused)
{
	static const struct step st[] = {
		S("* ok imap ready\n"),
		C("a1 capability\n"),
		S("* capability imap4rev1 starttls auth=plain\na1 ok\n"),
		C("a2 authenticate plain\n"),
		S("+\n"),
		C(PLAIN_BOB "\n"),
		S("a2 ok\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTHENTICATE PLAIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2", PLAIN_BOB);
}

/* One tag for every command (GMX's client uses "."), pipelined. */
static void
test_tag_reuse(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C(". CAPABILITY\r\n. LOGIN bob hunter2\r\n"),
		S("* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK done\r\n"),
		S(". NO [AUTHENTICATIONFAILED]\r\n"),
		C(". LOGIN bob hunter3\r\n"),
		S(". OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "LOGIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2", "hunter3");
	assert_int_equal(ctr.unmatched_reply, 0);
}

/* Dovecot: the post-login capabilities come untagged before the login's OK. */
static void
test_post_login_capability(void **unused)
{
	static const struct step st[] = {
		S("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n"),
		C("a1 LOGIN bob hunter2\r\n"),
		S("* CAPABILITY IMAP4rev1 SORT THREAD=REFS\r\na1 OK Logged in\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/* PREAUTH: already authenticated; LOGIN is no longer on offer. */
static void
test_preauth_and_bye(void **unused)
{
	static const struct step st[] = {
		S("* PREAUTH [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n"),
		C("a1 LOGIN bob hunter2\r\n"),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN" },
	};
	static const struct step st2[] = {
		S("* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n"),
	};
	static const struct step st3[] = {
		S("* BYE Autologout; idle for too long\r\n"),
		C("a1 LOGIN bob hunter2\r\n"),
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION_NONE(false, st2, DEC_DONE, "hunter2");
	SESSION_NONE(false, st3, DEC_DONE, "hunter2");
}

static void
test_midstream(void **unused)
{
	static const struct step st[] = {
		C("a7 LOGIN bob hunter2\r\n"),
		S("a7 OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};
	/* The first reply answers a command sent before the capture began. */
	static const struct step st2[] = {
		S("a5 OK fetched\r\n"),
		C("a8 LOGIN bob hunter2\r\n"),
		S("a8 NO\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(true, st, w, DEC_DONE, "hunter2");
	SESSION(true, st2, w2, DEC_MORE, "hunter2");
	assert_int_equal(ctr.unmatched_reply, 1);
}

/* With the handshake seen, a server that does not greet as IMAP is not IMAP. */
static void
test_mismatch(void **unused)
{
	static const struct step st[] = {
		S("+OK POP3 ready\r\n"),
		C("a1 LOGIN bob hunter2\r\n"),
	};

	/* The client spoke first: its "LOGIN" was no IMAP login either. */
	static const struct step st2[] = {
		C("a1 LOGIN bob hunter2\r\n"),
		S("+OK POP3 ready\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, "hunter2");
	assert_int_equal(ctr.mismatch, 1);
	SESSION_NONE(false, st2, DEC_MISMATCH, "hunter2");
}

static void
test_pipeline_overflow(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("a NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\n"
		  "a NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\n"
		  "a NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\n"
		  "a NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\n"
		  "a NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\n"
		  "a NOOP\r\na NOOP\r\na NOOP\r\na NOOP\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "no-secret-here");
	assert_int_equal(ctr.pipeline_overflow, 2);
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
		{ DIR_S2C, GREETING, PROBE_YES, true },
		{ DIR_S2C, "* OK [CAPABILITY IMAP4rev1] Dovecot\r\n", PROBE_YES,
		  true },
		{ DIR_S2C, "* PREAUTH hi\r\n", PROBE_YES, true },
		{ DIR_S2C, "* BYE\r\n", PROBE_YES, true },
		{ DIR_S2C, "* ok\r\n", PROBE_YES, true },
		{ DIR_S2C, "* O", PROBE_MAYBE, false },
		{ DIR_S2C, "* OK", PROBE_MAYBE, false },
		{ DIR_S2C, "* OKAY\r\n", PROBE_NO, false },
		{ DIR_S2C, "*2\r\n$4\r\n", PROBE_NO, false },
		{ DIR_S2C, "+OK POP3 ready\r\n", PROBE_NO, false },
		{ DIR_S2C, "220 mx ESMTP\r\n", PROBE_NO, false },
		{ DIR_C2S, "a1 CAPABILITY\r\n", PROBE_YES, false },
		{ DIR_C2S, ". capability\r\n", PROBE_YES, false },
		{ DIR_C2S, "a1 STARTTLS\r\n", PROBE_YES, false },
		{ DIR_C2S, "a1 AUTHENTICATE PLAIN\r\n", PROBE_YES, false },
		{ DIR_C2S, "a1 LOGIN bob pw\r\n", PROBE_YES, false },
		{ DIR_C2S, "a1 LOGIN {3}\r\n", PROBE_YES, false },
		{ DIR_C2S, "a1 LOGIN bob", PROBE_MAYBE, false },
		{ DIR_C2S, "a1 CAPA", PROBE_MAYBE, false },
		{ DIR_C2S, "a1", PROBE_MAYBE, false },
		/* SMTP and POP3 AUTH LOGIN have one argument at most. */
		{ DIR_C2S, "AUTH LOGIN\r\n", PROBE_NO, false },
		{ DIR_C2S, "AUTH LOGIN dXNlcg==\r\n", PROBE_NO, false },
		{ DIR_C2S, "AUTH PLAIN AGJvYgBodW50ZXIy\r\n", PROBE_NO, false },
		{ DIR_C2S, "USER bob\r\n", PROBE_NO, false },
		{ DIR_C2S, "EHLO x\r\n", PROBE_NO, false },
		{ DIR_C2S, "GET / HTTP/1.1\r\n", PROBE_NO, false },
		{ DIR_C2S, "a1 SELECT INBOX\r\n", PROBE_NO, false },
		{ DIR_C2S, "a(1 LOGIN bob pw\r\n", PROBE_NO, false },
	};
	size_t i;
	bool server;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		server = false;
		if (imap_decoder.probe(cases[i].dir,
		    (const uint8_t *)cases[i].text, strlen(cases[i].text),
		    &server) != cases[i].want || server != cases[i].server)
			fail_msg("probe case %zu: \"%s\"", i, cases[i].text);
	}
}

static void
test_table(void **unused)
{
	const struct decoder *d = decoder_by_name("imap");

	(void)unused;
	assert_string_equal(imap_decoder.name, "imap");
	assert_int_equal(imap_decoder.ports[0], 143);
	assert_int_equal(imap_decoder.ports[1], 1143);
	assert_int_equal(imap_decoder.ports[2], 0);
	/* Until the lead registers it, the registry may not know it yet. */
	assert_true(d == NULL || d == &imap_decoder);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_atoms),
		cmocka_unit_test(test_login_quoted),
		cmocka_unit_test(test_login_literal_sync),
		cmocka_unit_test(test_login_literal_plus),
		cmocka_unit_test(test_login_literal_split),
		cmocka_unit_test(test_literal_refused),
		cmocka_unit_test(test_authenticate_plain_ir),
		cmocka_unit_test(test_authenticate_plain_continuation),
		cmocka_unit_test(test_authenticate_login),
		cmocka_unit_test(test_authenticate_xoauth2),
		cmocka_unit_test(test_authenticate_cancel),
		cmocka_unit_test(test_authenticate_abandoned),
		cmocka_unit_test(test_authenticate_pipelined),
		cmocka_unit_test(test_authenticate_cram_md5),
		cmocka_unit_test(test_caps_greeting),
		cmocka_unit_test(test_caps_command),
		cmocka_unit_test(test_caps_tagged_ok),
		cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_starttls_unfinished),
		cmocka_unit_test(test_starttls_stripped),
		cmocka_unit_test(test_starttls_refused),
		cmocka_unit_test(test_privacy_required),
		cmocka_unit_test(test_literal_bodies_skipped),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_literal_bounds),
		cmocka_unit_test(test_end_without_reply),
		cmocka_unit_test(test_lower_case),
		cmocka_unit_test(test_tag_reuse),
		cmocka_unit_test(test_post_login_capability),
		cmocka_unit_test(test_preauth_and_bye),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_pipeline_overflow),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
