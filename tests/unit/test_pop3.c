/*
 * test_pop3.c - the POP3 decoder (RFC 1939, 2449, 5034, 2595).
 *
 * Each test is a session written as an ordered list of (direction, text)
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

extern const struct decoder pop3_decoder;

#define SESSION_DECODER	pop3_decoder
#define SESSION_APP	"pop3"
#define SESSION_PORT	110
#include "session.h"

#define GREETING	"+OK POP3 server ready\r\n"
#define TS_GREETING	"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"

/*
 * TLS hellos (RFC 5246 §7.4.1.2-7.4.1.3): record header, handshake header,
 * version, random, empty session id, suites, compression.
 */
#define RAND32		"ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
#define CH_TLS10	"\x16\x03\x01\x00\x2f" "\x01\x00\x00\x2b" "\x03\x01" \
			RAND32 "\x00" "\x00\x04\x00\x0a\x00\x2f" "\x01\x00"
#define CH_TLS12	"\x16\x03\x01\x00\x2f" "\x01\x00\x00\x2b" "\x03\x03" \
			RAND32 "\x00" "\x00\x04\xc0\x2f\x00\x9c" "\x01\x00"
#define SH_TLS10_3DES	"\x16\x03\x01\x00\x2a" "\x02\x00\x00\x26" "\x03\x01" \
			RAND32 "\x00" "\x00\x0a" "\x00"
#define SH_TLS12_GCM	"\x16\x03\x03\x00\x2a" "\x02\x00\x00\x26" "\x03\x03" \
			RAND32 "\x00" "\xc0\x2f" "\x00"

static void
test_user_pass_success(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER bob\r\n"),
		S("+OK bob is welcome here\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK bob's maildrop has 2 messages (320 octets)\r\n"),
		C("RETR 1\r\n"),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

static void
test_user_pass_failure(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("-ERR [AUTH] invalid password\r\n"),
		C("QUIT\r\n"),
		S("+OK bye\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
}

static void
test_user_without_pass(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER bob\r\n"),
		S("-ERR no such user\r\n"),
		C("QUIT\r\n"),
		S("+OK\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "hunter2");
}

static void
test_auth_plain_ir(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH PLAIN AGJvYgBodW50ZXIy\r\n"),
		S("+OK Logged in.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2", "AGJvYgBodW50ZXIy");
}

static void
test_auth_plain_continuation(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH PLAIN\r\n"),
		S("+ \r\n"),
		C("YWRtaW4AYWxpY2UAczNjcjN0IQ==\r\n"),
		S("-ERR [AUTH] Authentication failed.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "s3cr3t!", "YWRtaW4AYWxpY2UAczNjcjN0IQ==");
}

static void
test_auth_login(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH LOGIN\r\n"),
		S("+ VXNlcm5hbWU6\r\n"),
		C("Y2Fyb2w=\r\n"),
		S("+ UGFzc3dvcmQ6\r\n"),
		C("VHIwdWI0ZG9y\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH LOGIN",
		  .user = "carol", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "Tr0ub4dor", "VHIwdWI0ZG9y");
}

static void
test_auth_xoauth2(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH XOAUTH2 dXNlcj1kYXZlQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHlh"
		  "MjkudG9rVE9LRU4BAQ==\r\n"),
		S("+OK Welcome.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH XOAUTH2",
		  .user = "dave@example.com", .result = RES_SUCCESS,
		  .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "ya29.tokTOKEN",
	    "dXNlcj1kYXZlQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHlh");
}

/* "*" (RFC 5034 §4) before the password: nothing secret; the session goes on. */
static void
test_auth_cancel(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH LOGIN\r\n"),
		S("+ VXNlcm5hbWU6\r\n"),
		C("ZnJhbms=\r\n"),
		S("+ UGFzc3dvcmQ6\r\n"),
		C("*\r\n"),
		S("-ERR Authentication cancelled\r\n"),
		C("USER frank\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "frank", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/*
 * A prompt answered with a bare command (RFC 5034 §4 leaves the client
 * nothing else to do when it gives up): "QUIT" is valid base64 but is not
 * a password.
 */
static void
test_auth_abandoned(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH LOGIN\r\n"),
		S("+ VXNlcm5hbWU6\r\n"),
		C("Y2Fyb2w=\r\n"),
		S("+ UGFzc3dvcmQ6\r\n"),
		C("QUIT\r\n"),
		S("-ERR bad response\r\n+OK bye\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "Tr0ub4dor");
}

static void
test_auth_cram_md5(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH CRAM-MD5\r\n"),
		S("+ PDE4OTYuNjk3MTcwOTUyQG1haWwuZXhhbXBsZS5jb20+\r\n"),
		C("ZXJpbiA5YTFkNGIyYzNlNGY1MDYxNzI4Mzk0YTViNmM3ZDhlOQ==\r\n"),
		S("-ERR\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "AUTH CRAM-MD5",
		  .user = "erin", .result = RES_FAILURE },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "9a1d4b2c3e4f5061728394a5b6c7d8e9");
}

static void
test_apop(void **unused)
{
	static const struct step st[] = {
		S(TS_GREETING),
		C("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"),
		S("+OK maildrop has 1 message (369 octets)\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "APOP",
		  .user = "mrose", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "c4c9334bac560ecc979e58001b3e22fb");
}

static void
test_capa_offered_not_used(void **unused)
{
	static const struct step st[] = {
		S(TS_GREETING),
		C("CAPA\r\n"),
		S("+OK Capability list follows\r\nTOP\r\nUSER\r\n"
		  "SASL PLAIN LOGIN CRAM-MD5\r\nSTLS\r\nPIPELINING\r\n.\r\n"),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "USER PLAIN LOGIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

static void
test_capa_not_offered(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("CAPA\r\n"),
		S("+OK\r\nTOP\r\nUIDL\r\nSASL CRAM-MD5\r\n.\r\n"),
		C("AUTH PLAIN AGJvYgBodW50ZXIy\r\n"),
		S("-ERR\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_NO },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "AGJvYgBodW50ZXIy");
}

/* Bare AUTH (RFC 1734 clients) lists mechanisms in a multi-line reply. */
static void
test_auth_listing(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH\r\n"),
		S("+OK\r\nPLAIN\r\nCRAM-MD5\r\n.\r\n"),
		C("AUTH PLAIN\r\n"),
		S("+ \r\n"),
		C("AGJvYgBodW50ZXIy\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .mechs = "PLAIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2", "AGJvYgBodW50ZXIy");
}

static void
test_stls_then_tls(void **unused)
{
	/* TLS 1.2 with AES-GCM: nothing to say; inspection ends at the ServerHello. */
	static const struct step st[] = {
		S(GREETING),
		C("CAPA\r\n"),
		S("+OK\r\nTOP\r\nSTLS\r\n.\r\n"),
		C("STLS\r\n"),
		S("+OK Begin TLS negotiation\r\n"),
		C(CH_TLS12),
		S(SH_TLS12_GCM),
		C("USER bob\r\nPASS hunter2\r\n"),	/* never fed: DEC_DONE */
		S("+OK\r\n"),
	};
	/* The ClientHello right behind STLS, before the +OK; joined segments. */
	static const struct step early[] = {
		S(GREETING),
		C("STLS\r\n" CH_TLS12),
		S("+OK Begin TLS negotiation\r\n" SH_TLS12_GCM),
		C("USER bob\r\nPASS hunter2\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, "hunter2");
	SESSION_NONE(false, early, DEC_DONE, "hunter2");
}

static void
test_stls_weak_tls(void **unused)
{
	/* TLS 1.0 with 3DES after STLS: weak_tls, then nothing more. */
	static const struct step st[] = {
		S(GREETING),
		C("CAPA\r\n"),
		S("+OK\r\nTOP\r\nSTLS\r\n.\r\n"),
		C("STLS\r\n"),
		S("+OK Begin TLS negotiation\r\n"),
		C(CH_TLS10),
		S(SH_TLS10_3DES),
		C("USER bob\r\nPASS hunter2\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_WEAK_TLS, .offered = TRI_YES, .requested = true,
		  .reply = 1, .tls_version = 0x0301, .tls_cipher = 0x000a,
		  .why = "TLS 1.0 with a 3DES cipher" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

static void
test_stls_hello_answered_in_clear(void **unused)
{
	/*
	 * The client starts TLS and the server answers in clear: the client
	 * said nothing in clear, so nothing leaked and nothing is reported.
	 */
	static const struct step st[] = {
		S(GREETING),
		C("STLS\r\n"),
		S("+OK Begin TLS negotiation\r\n"),
		C(CH_TLS12),
		S("-ERR unknown command\r\n"),
		C("USER bob\r\nPASS hunter2\r\n"),
	};
	/* A ClientHello behind STLS that the server refuses. */
	static const struct step refused[] = {
		S(GREETING),
		C("STLS\r\n" CH_TLS12),
		S("-ERR TLS not available\r\n"),
		C("USER bob\r\nPASS hunter2\r\n"),
	};
	static const struct want wr[] = {
		{ .kind = K_STARTTLS_REFUSED, .requested = true, .reply = -1 },
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, "hunter2");
	SESSION(false, refused, wr, DEC_DONE, "hunter2");
}

static void
test_stls_stripped(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("STLS\r\n"),
		S("+OK Begin TLS negotiation\r\n"),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_YES,
		  .requested = true, .reply = 1,
		  .why = "+OK to STLS followed by cleartext" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = 1 },
	};
	/* Commands pipelined behind STLS are commands, not TLS. */
	static const struct step piped[] = {
		S(GREETING),
		C("STLS\r\nSTLS\r\nUSER bob\r\nPASS hunter2\r\n"),
		S("-ERR no\r\n-ERR no\r\n+OK\r\n+OK\r\n"),
	};
	static const struct want wp[] = {
		{ .kind = K_STARTTLS_REFUSED, .requested = true, .reply = -1 },
		{ .kind = K_STARTTLS_REFUSED, .requested = true, .reply = -1 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .requested = true, .reply = -1 },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION(false, piped, wp, DEC_DONE, "hunter2");
}

static void
test_capa_mangled(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("CAPA\r\n"),
		S("+OK\r\nTOP\r\nXXXX\r\n.\r\n"),
		C("QUIT\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_NO,
		  .why = "CAPA line XXXX in place of STLS (no other capability "
		  "masked)" },
	};
	/* Two signs of stripping in one session: one finding. */
	static const struct step st2[] = {
		S(GREETING),
		C("CAPA\r\n"),
		S("+OK\r\nXXXX\r\n.\r\n"),
		C("STLS\r\n"),
		S("+OK\r\n"),
		C("QUIT\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_NO },
	};
	/*
	 * Every capability the device does not know is masked: XXXX may be
	 * UIDL as well as STLS.  No finding on that, and no claim that STLS
	 * was not offered.
	 */
	static const struct step st3[] = {
		S(GREETING),
		C("CAPA\r\n"),
		S("+OK\r\nTOP\r\nUSER\r\nXXXX\r\nXXXXXXXXXA\r\n.\r\n"),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w3[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .mechs = "USER" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret-here");
	SESSION(false, st2, w2, DEC_MORE, "no-secret-here");
	SESSION(false, st3, w3, DEC_DONE, "hunter2");
}

static void
test_stls_refused(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("STLS\r\n"),
		S("-ERR TLS not available\r\n"),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_REFUSED, .requested = true, .reply = -1 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .requested = true, .reply = -1 },
	};

	static const struct step st2[] = {
		S(GREETING),
		C("CAPA\r\n"),
		S("+OK\r\nSTLS\r\n.\r\n"),
		C("STLS\r\n"),
		S("-ERR\r\n"),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	/* The client tried STLS: not starttls_offered_not_used. */
	static const struct want w2[] = {
		{ .kind = K_STARTTLS_REFUSED, .offered = TRI_YES,
		  .requested = true, .reply = -1 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = -1 },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_DONE, "hunter2");
}

/*
 * A pipelined RETR (RFC 2449 §6.6) whose body looks like replies: parsed
 * as replies, "-ERR nope" would answer USER and "+OK fake" PASS.
 */
static void
test_retr_body_skipped(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("LIST 1\r\nUIDL\r\nRETR 1\r\nUSER bob\r\nPASS hunter2\r\n"),
		S("+OK 1 120\r\n+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n"),
		S("+OK 120 octets\r\nSubject: hi\r\n\r\nPASS x\r\n-ERR nope\r\n"
		  "+OK fake\r\n..\r\n+ more\r\n...\r\n.\r\n"),
		S("+OK\r\n-ERR [AUTH] invalid\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
}

static void
test_midstream(void **unused)
{
	static const struct step st[] = {
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	/* Picked up "midstream" yet at the greeting: not an unmatched reply. */
	static const struct step st2[] = {
		S(GREETING),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};

	(void)unused;
	SESSION(true, st, w, DEC_DONE, "hunter2");
	SESSION(true, st2, w, DEC_DONE, "hunter2");
	assert_int_equal(ctr.unmatched_reply, 0);
}

/* Picked up after USER: the password is still seen, without a name. */
static void
test_midstream_pass_only(void **unused)
{
	static const struct step st[] = {
		C("PASS hunter2\r\n"),
		S("-ERR\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(true, st, w, DEC_MORE, "hunter2");
}

/* Redis speaks client-first: with the handshake seen that is not POP3. */
static void
test_redis_inline(void **unused)
{
	static const struct step st[] = {
		C("AUTH r3disPa55\r\n"),
		S("+OK\r\n"),
		C("PING\r\n"),
		S("+PONG\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, "r3disPa55");
	assert_int_equal(ctr.mismatch, 1);
}

/* A server that sends no greeting, handshake seen: POP3 once it answers "+OK text". */
static void
test_no_greeting_client_first(void **unused)
{
	static const struct step st[] = {
		C("CAPA\r\n"),
		S("+OK Capability list follows\r\nUSER\r\nSASL PLAIN\r\n.\r\n"),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK Welcome.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "USER PLAIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_NO },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

static void
test_redis_resp(void **unused)
{
	static const struct step st[] = {
		C("*2\r\n$4\r\nAUTH\r\n$9\r\nr3disPa55\r\n"),
		S("+OK\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, "r3disPa55");
	SESSION_NONE(true, st, DEC_MISMATCH, "r3disPa55");
	assert_int_equal(ctr.mismatch, 1);
}

/* Midstream, the port hint may pick us: "AUTH pw" is no SASL mechanism. */
static void
test_redis_midstream(void **unused)
{
	static const struct step st[] = {
		C("AUTH r3disPa55\r\n"),
		S("+OK\r\n"),
	};
	static const struct step st2[] = {
		C("PING\r\n"),
		S("+PONG\r\n"),
	};

	(void)unused;
	SESSION_NONE(true, st, DEC_DONE, "r3disPa55");
	SESSION_NONE(true, st2, DEC_MISMATCH, "r3disPa55");
}

/* A hole in the server's reply: that login ends unknown, later ones say gap. */
static void
test_gap(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		GAP(DIR_S2C, 100),
		S("ply was lost\r\n+OK 1 message\r\n"),
		C("USER carol\r\n"),
		S("+OK\r\n"),
		C("PASS Tr0ub4dor\r\n"),
		S("-ERR\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true,
		  .gap = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "carol", .result = RES_FAILURE, .secret = true,
		  .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
	assert_int_equal(ctr.gaps, 1);
}

static void
test_end_without_reply(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER bob\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
}

static void
test_lower_case(void **unused)
{
	static const struct step st[] = {
		S("+ok hello\n"),
		C("capa\n"),
		S("+ok\nuser\nsasl plain\n.\n"),
		C("user bob\r\n"),
		S("+ok\r\n"),
		C("pass hunter2\r\n"),
		S("+ok\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "USER PLAIN" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_NO },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/* Raw 8-bit greetings (GB2312 here) and long user names. */
static void
test_8bit_and_long_user(void **unused)
{
#define TEN	"abcdefghij"
#define HUNDRED	TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN
	static const struct step st[] = {
		S("+OK \xbb\xb6\xd3\xad\xca\xb9\xd3\xc3 POP3\r\n"),
		C("USER first.middle.lastname@subdomain.example.com\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("+OK\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "first.middle.lastname@subdomain.example.com",
		  .result = RES_SUCCESS, .secret = true },
	};
	static const struct step st2[] = {
		S(GREETING),
		C("USER " HUNDRED HUNDRED HUNDRED "\r\n"),
		S("+OK\r\n"),
		C("PASS hunter2\r\n"),
		S("-ERR\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = HUNDRED HUNDRED HUNDRED, .truncated = true,
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
#undef HUNDRED
#undef TEN
}

static void
test_pipeline_overflow(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"
		  "NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"
		  "NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"
		  "NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"
		  "NOOP\r\nNOOP\r\n"),
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
		{ DIR_S2C, "+OK Dovecot ready.\r\n", PROBE_YES, true },
		{ DIR_S2C, "+OK \xbb\xb6\xd3\xad\r\n", PROBE_YES, true },
		{ DIR_S2C, "+OK\r\n", PROBE_MAYBE, false },	/* Redis too */
		{ DIR_S2C, "+OK", PROBE_MAYBE, false },
		{ DIR_S2C, "+O", PROBE_MAYBE, false },
		{ DIR_S2C, "-ERR too many connections\r\n", PROBE_MAYBE, false },
		{ DIR_S2C, "+PONG\r\n", PROBE_NO, false },
		{ DIR_S2C, "-NOAUTH Authentication required.\r\n", PROBE_NO, false },
		{ DIR_S2C, "220 mx ESMTP\r\n", PROBE_NO, false },
		{ DIR_S2C, "* OK IMAP4rev1\r\n", PROBE_NO, false },
		{ DIR_C2S, "*2\r\n$4\r\nAUTH\r\n", PROBE_NO, false },
		{ DIR_C2S, "$4\r\n", PROBE_NO, false },
		{ DIR_C2S, "USER bob\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "CAPA\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "capa\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "STLS\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "AUTH PLAIN\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
		  PROBE_MAYBE, false },
		{ DIR_C2S, "US", PROBE_MAYBE, false },
		{ DIR_C2S, "GET / HTTP/1.1\r\n", PROBE_NO, false },
		{ DIR_C2S, "EHLO x\r\n", PROBE_NO, false },
		{ DIR_C2S, "a1 LOGIN bob pw\r\n", PROBE_NO, false },
		{ DIR_C2S, "USERS\r\n", PROBE_NO, false },
	};
	size_t i;
	bool server;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		server = false;
		if (pop3_decoder.probe(cases[i].dir,
		    (const uint8_t *)cases[i].text, strlen(cases[i].text),
		    &server) != cases[i].want || server != cases[i].server)
			fail_msg("probe case %zu: \"%s\"", i, cases[i].text);
	}
}

static void
test_table(void **unused)
{
	(void)unused;
	assert_string_equal(pop3_decoder.name, "pop3");
	assert_int_equal(pop3_decoder.ports[0], 110);
	assert_int_equal(pop3_decoder.ports[1], 1110);
	assert_int_equal(pop3_decoder.ports[2], 0);
	assert_ptr_equal(decoder_by_name("pop3"), &pop3_decoder);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_pass_success),
		cmocka_unit_test(test_user_pass_failure),
		cmocka_unit_test(test_user_without_pass),
		cmocka_unit_test(test_auth_plain_ir),
		cmocka_unit_test(test_auth_plain_continuation),
		cmocka_unit_test(test_auth_login),
		cmocka_unit_test(test_auth_xoauth2),
		cmocka_unit_test(test_auth_cancel),
		cmocka_unit_test(test_auth_abandoned),
		cmocka_unit_test(test_auth_cram_md5),
		cmocka_unit_test(test_apop),
		cmocka_unit_test(test_capa_offered_not_used),
		cmocka_unit_test(test_capa_not_offered),
		cmocka_unit_test(test_auth_listing),
		cmocka_unit_test(test_stls_then_tls),
		cmocka_unit_test(test_stls_weak_tls),
		cmocka_unit_test(test_stls_hello_answered_in_clear),
		cmocka_unit_test(test_stls_stripped),
		cmocka_unit_test(test_capa_mangled),
		cmocka_unit_test(test_stls_refused),
		cmocka_unit_test(test_retr_body_skipped),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_midstream_pass_only),
		cmocka_unit_test(test_redis_inline),
		cmocka_unit_test(test_no_greeting_client_first),
		cmocka_unit_test(test_redis_resp),
		cmocka_unit_test(test_redis_midstream),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_end_without_reply),
		cmocka_unit_test(test_lower_case),
		cmocka_unit_test(test_8bit_and_long_user),
		cmocka_unit_test(test_pipeline_overflow),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
