/*
 * test_ftp.c - the FTP decoder (RFC 959, 1635, 2228, 2389, 4217).
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

extern const struct decoder ftp_decoder;

#define SESSION_DECODER	ftp_decoder
#define SESSION_APP	"ftp"
#define SESSION_PORT	21
#include "session.h"

#define GREETING	"220 (vsFTPd 3.0.3)\r\n"
#define LOGIN_BOB							\
	C("USER bob\r\n"),						\
	S("331 Please specify the password.\r\n"),			\
	C("PASS hunter2\r\n")

/* A TLS 1.0 ClientHello (RFC 2246 §7.4.1.2): one suite, no extensions. */
#define RANDOM32	"0123456789abcdef0123456789abcdef"
#define CLIENT_HELLO	"\x16\x03\x01\x00\x2d" "\x01\x00\x00\x29" "\x03\x01"	\
			RANDOM32 "\x00" "\x00\x02\x00\x2f" "\x01\x00"
/* ServerHellos: TLS 1.0 with TLS_RSA_WITH_AES_128_CBC_SHA; TLS 1.2 with ECDHE-RSA-AES128-GCM. */
#define SERVER_HELLO_10	"\x16\x03\x01\x00\x2a" "\x02\x00\x00\x26" "\x03\x01"	\
			RANDOM32 "\x00" "\x00\x2f" "\x00"
#define SERVER_HELLO_12	"\x16\x03\x03\x00\x2a" "\x02\x00\x00\x26" "\x03\x03"	\
			RANDOM32 "\x00" "\xc0\x2f" "\x00"

static void
test_user_pass_success(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		LOGIN_BOB,
		S("230 Login successful.\r\n"),
		C("PASV\r\n"),		/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
}

static void
test_user_pass_failure(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		LOGIN_BOB,
		S("530 Login incorrect.\r\n"),
		C("QUIT\r\n"),
		S("221 Goodbye.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};
	/* 421 to PASS: the server hangs up, the password untried. */
	static const struct step st2[] = {
		S(GREETING),
		LOGIN_BOB,
		S("421 Timeout.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/* A USER refused before any PASS: no secret crossed. */
static void
test_user_refused(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER root\r\n"),
		S("530 Permission denied.\r\n"),
		C("QUIT\r\n"),
		S("221 Goodbye.\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "hunter2");
}

/* RFC 1635: the password is by custom an e-mail address; never printed. */
static void
test_anonymous(void **unused)
{
	static const struct step st[] = {
		S("220 ProFTPD Server (Debian) [::ffff:192.0.2.1]\r\n"),
		C("FEAT\r\n"),
		S("211-Features:\r\n AUTH TLS\r\n MDTM\r\n211 End\r\n"),
		C("USER anonymous\r\n"),
		S("331 Anonymous login ok, send your complete email address as "
		  "your password\r\n"),
		C("PASS guest@example.com\r\n"),
		S("230 Anonymous access granted, restrictions apply\r\n"),
	};
	/* An anonymous login in clear while AUTH TLS was offered is advised too. */
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "anonymous", .result = RES_SUCCESS, .secret = true,
		  .anon = true, .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};
	static const struct step st2[] = {
		S(GREETING),
		C("user FTP\r\n"),
		S("331 Please specify the password.\r\n"),
		C("pass mozilla@\r\n"),
		S("230 Login successful.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "FTP", .result = RES_SUCCESS, .secret = true,
		  .anon = true },
	};
	/* Not anonymous: only the exact names are. */
	static const struct step st3[] = {
		S(GREETING),
		C("USER ftpadmin\r\n"),
		S("331 Please specify the password.\r\n"),
		C("PASS hunter2\r\n"),
		S("230 Login successful.\r\n"),
	};
	static const struct want w3[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "ftpadmin", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "guest@example.com");
	SESSION(false, st2, w2, DEC_MORE, "mozilla@");
	SESSION(false, st3, w3, DEC_MORE, "hunter2");
}

/* 202 to USER: logged in with no password asked; nothing secret crossed. */
static void
test_no_password_needed(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER guest\r\n"),
		S("202 No password needed.\r\n"),
		C("SYST\r\n"),
	};
	/* Logged in by name alone: a login in clear, no secret. */
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER (no PASS sent)",
		  .user = "guest", .result = RES_SUCCESS, .secret = false },
	};
	/* A PASS sent ahead of that answer did cross the wire. */
	static const struct step st2[] = {
		S(GREETING),
		C("USER guest\r\nPASS hunter2\r\n"),
		S("202 No password needed.\r\n503 Already logged in.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "guest", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/* RFC 959 §5.4: 332 asks for an account; ACCT is part of the login. */
static void
test_acct(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		LOGIN_BOB,
		S("332 Need account for login.\r\n"),
		C("ACCT projx-9921\r\n"),
		S("230 User logged in, proceed.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};
	static const struct step st2[] = {
		S(GREETING),
		LOGIN_BOB,
		S("332 Need account for login.\r\n"),
		C("ACCT projx-9921\r\n"),
		S("530 Not logged in.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "projx-9921");
	SESSION(false, st2, w2, DEC_MORE, "hunter2", "projx-9921");
}

/*
 * RFC 959 §4.2: only "<code> SP" ends a multi-line reply.  NetBSD's ftpd
 * sends "230-" lines, lines without a code, and a banner may hold what looks
 * like another reply.
 */
static void
test_multiline(void **unused)
{
	static const struct step st[] = {
		S("220-\r\n"
		  "  Welcome to ftp.example.org\r\n"
		  "331 is not a reply in here\r\n"
		  "220-\r\n"
		  "220 ftp.example.org FTP server (NetBSD-ftpd 20100320) ready.\r\n"),
		LOGIN_BOB,
		S("230-\r\n"
		  "    The NetBSD Foundation welcomes you.\r\n"
		  "530 Login incorrect (banner text, not a reply)\r\n"
		  "\r\n"
		  "230-Last login: Sat Nov 22 16:00:00 2026\r\n"
		  "230 User bob logged in.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};
	/* A banner in ANSI colours (ESC is no sign of file data). */
	static const struct step st2[] = {
		S("220-\x1b[1;32mWelcome to the archive\x1b[0m\r\n"
		  "220 FTP server ready.\r\n"),
		LOGIN_BOB,
		S("230 Logged in.\r\n"),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w, DEC_MORE, "hunter2");
}

/* Every command sent before the first reply: replies pair in order. */
static void
test_pipelined(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("USER bob\r\nPASS hunter2\r\nSYST\r\nTYPE I\r\nPWD\r\n"),
		S("331 Please specify the password.\r\n230 Login successful.\r\n"
		  "215 UNIX Type: L8\r\n200 Switching to Binary mode.\r\n"
		  "257 \"/home/bob\"\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};
	/* Even before the greeting. */
	static const struct step st2[] = {
		C("USER bob\r\nPASS hunter2\r\nSYST\r\n"),
		S(GREETING "331 Password required\r\n530 Login incorrect.\r\n"
		  "530 Please login with USER and PASS.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};
	/* USER refused at once: the PASS behind it still crossed; its 503 is no second login. */
	static const struct step st3[] = {
		S(GREETING),
		C("USER bob\r\nPASS hunter2\r\n"),
		S("530 Permission denied.\r\n503 Login with USER first.\r\n"),
		C("QUIT\r\n"),
	};
	static const struct want w3[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};
	/* Two attempts in flight: the first ends unknown, the second is paired. */
	static const struct step st4[] = {
		S(GREETING),
		C("USER bob\r\nPASS hunter2\r\nUSER carol\r\nPASS Tr0ub4dor\r\n"),
		S("331 Password required\r\n530 Login incorrect.\r\n"
		  "331 Password required\r\n230 Logged in.\r\n"),
	};
	static const struct want w4[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "carol", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
	SESSION(false, st3, w3, DEC_MORE, "hunter2");
	SESSION(false, st4, w4, DEC_MORE, "hunter2", "Tr0ub4dor");
}

/* RFC 959 §4.2: a 1yz reply is preliminary; the command waits for another. */
static void
test_preliminary(void **unused)
{
	static const struct step st[] = {
		S("120 Service ready in 1 minute.\r\n"),
		S("220 Service ready.\r\n"),
		C("REIN\r\nUSER bob\r\n"),
		S("120 Service ready in 1 minute.\r\n"
		  "220 Service ready for new user.\r\n"
		  "331 User name okay, need password.\r\n"),
		C("PASS hunter2\r\n"),
		S("230 Logged in.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
}

static void
test_feat_offered_not_used(void **unused)
{
	static const struct step st[] = {
		S("220 ProFTPD Server (Debian) [::ffff:192.0.2.1]\r\n"),
		C("FEAT\r\n"),
		S("211-Features:\r\n MDTM\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n"
		  " SIZE\r\n UTF8\r\n211 End\r\n"),
		LOGIN_BOB,
		S("230 User bob logged in\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};
	/* Pure-FTPd's form, FEAT pipelined with the login. */
	static const struct step st2[] = {
		S("220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n"
		  "220 You will be disconnected after 15 minutes of inactivity.\r\n"),
		C("FEAT\r\nUSER bob\r\nPASS hunter2\r\n"),
		S("211-Extensions supported:\r\n EPRT\r\n AUTH TLS;SSL\r\n"
		  "211 End.\r\n331 User bob OK. Password required\r\n"
		  "530 Login authentication failed\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	/* Features written with the code in front, as a few servers do. */
	static const struct step st3[] = {
		S(GREETING),
		C("FEAT\r\n"),
		S("211-Extensions supported\r\n211-SIZE\r\n211-AUTH SSL\r\n"
		  "211 End\r\n"),
		LOGIN_BOB,
		S("230 Logged in.\r\n"),
	};
	static const struct want w3[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
	SESSION(false, st3, w3, DEC_DONE, "hunter2");
}

static void
test_feat_not_offered(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("FEAT\r\n"),
		S("211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n"
		  " REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n"),
		LOGIN_BOB,
		S("530 Login incorrect.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_NO },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};
	/* FEAT refused: no basis for either finding. */
	static const struct step st2[] = {
		S(GREETING),
		C("FEAT\r\n"),
		S("500 Unknown command.\r\n"),
		LOGIN_BOB,
		S("530 Login incorrect.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/* RFC 4217 §4: 234, then TLS; the login that follows is not seen. */
static void
test_auth_tls(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("FEAT\r\n"),
		S("211-Features:\r\n AUTH TLS\r\n PROT\r\n211 End\r\n"),
		C("AUTH TLS\r\n"),
		S("234 Proceed with negotiation.\r\n"),
		C(CLIENT_HELLO),
		S(SERVER_HELLO_12),
		C("USER bob\r\nPASS hunter2\r\n"),	/* never fed */
	};
	/* TLS 1.0 negotiated: weak. */
	static const struct step st2[] = {
		S(GREETING),
		C("AUTH TLS\r\n"),
		S("234 Proceed with negotiation.\r\n"),
		C(CLIENT_HELLO),
		S(SERVER_HELLO_10),
	};
	static const struct want w2[] = {
		{ .kind = K_WEAK_TLS, .offered = TRI_YES, .requested = true,
		  .reply = 234, .tls_version = 0x0301, .tls_cipher = 0x002f },
	};
	/* The client's hello before the 234 arrives, in one server chunk with the hello. */
	static const struct step st3[] = {
		S(GREETING),
		C("auth ssl\r\n"),
		C(CLIENT_HELLO),
		S("234 AUTH SSL OK.\r\n" SERVER_HELLO_10),
	};
	static const struct want w3[] = {
		{ .kind = K_WEAK_TLS, .offered = TRI_YES, .requested = true,
		  .reply = 234, .tls_version = 0x0301, .tls_cipher = 0x002f },
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_DONE, "no-secret-here");
	SESSION(false, st3, w3, DEC_DONE, "no-secret-here");
}

/* Cleartext after 234: something on the path answered for the server. */
static void
test_auth_tls_stripped(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH TLS\r\n"),
		S("234 Proceed with negotiation.\r\n"),
		LOGIN_BOB,
		S("230 Login successful.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_YES,
		  .requested = true, .reply = 234 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = 234 },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
}

static void
test_auth_tls_refused(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		C("AUTH TLS\r\n"),
		S("534 Request denied for policy reasons.\r\n"),
		LOGIN_BOB,
		S("230 Login successful.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_REFUSED, .requested = true, .reply = 534 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .requested = true, .reply = 534 },
	};
	/* FEAT listed it, the client asked: refused, not "offered, not used". */
	static const struct step st2[] = {
		S(GREETING),
		C("FEAT\r\n"),
		S("211-Features:\r\n AUTH TLS\r\n211 End\r\n"),
		C("AUTH TLS\r\n"),
		S("500 AUTH not understood\r\n"),
		LOGIN_BOB,
		S("530 Login incorrect.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_STARTTLS_REFUSED, .offered = TRI_YES,
		  .requested = true, .reply = 500 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = 500 },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

/*
 * Data connections (PASV/PORT targets) carry files, never logins: binary
 * or text that is no reply and no command detaches the decoder at once.
 */
static void
test_data_connection(void **unused)
{
	static const struct step png[] = {
		S("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"),
	};
	static const struct step gz[] = {
		C("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03USER bob\r\n"
		  "PASS hunter2\r\n"),
	};
	/* Binary with no line end: detached before any line completes. */
	static const struct step raw[] = {
		S("\x00\x00\x01\x00\x01\x00\x10\x10"),
	};
	static const struct step text[] = {
		S("Hello,\r\nthis is README.txt\r\n"),
		S("230 not a reply either\r\n"),
	};
	/* An uploaded config file whose later lines look like commands. */
	static const struct step upload[] = {
		C("# ftp client settings\r\nuser bob\r\npass hunter2\r\n"),
	};
	static const struct step http[] = {
		C("GET / HTTP/1.1\r\nHost: ftp.example.org\r\n\r\n"),
		S("HTTP/1.1 400 Bad Request\r\n\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, png, DEC_MISMATCH, "hunter2");
	assert_int_equal(ctr.mismatch, 1);
	SESSION_NONE(false, gz, DEC_MISMATCH, "hunter2");
	SESSION_NONE(true, gz, DEC_MISMATCH, "hunter2");
	SESSION_NONE(false, raw, DEC_MISMATCH, "hunter2");
	SESSION_NONE(false, text, DEC_MISMATCH, "hunter2");
	assert_int_equal(ctr.mismatch, 1);
	SESSION_NONE(false, upload, DEC_MISMATCH, "hunter2");
	SESSION_NONE(false, http, DEC_MISMATCH, "hunter2");
}

/* A hole in the server's reply: that login ends unknown, later ones say gap. */
static void
test_gap(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		LOGIN_BOB,
		GAP(DIR_S2C, 100),
		S("ply was lost\r\n230 Login successful.\r\n"),
		C("REIN\r\n"),
		S("220 Service ready for new user.\r\n"),
		C("USER carol\r\n"),
		S("331 Please specify the password.\r\n"),
		C("PASS Tr0ub4dor\r\n"),
		S("530 Login incorrect.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true,
		  .gap = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "carol", .result = RES_FAILURE, .secret = true,
		  .gap = true },
	};
	/* A hole after USER: the name is kept for the PASS that follows. */
	static const struct step st2[] = {
		S(GREETING),
		C("USER bob\r\n"),
		GAP(DIR_S2C, 40),
		S("\r\n"),
		C("PASS hunter2\r\n"),
		S("230 Login successful.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2", "Tr0ub4dor");
	assert_int_equal(ctr.gaps, 1);
	assert_int_equal(ctr.unmatched_reply, 1);
	SESSION(false, st2, w2, DEC_MORE, "hunter2");
}

static void
test_end_without_reply(void **unused)
{
	static const struct step st[] = {
		S(GREETING),
		LOGIN_BOB,
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true },
	};
	/* USER alone: nothing secret. */
	static const struct step st2[] = {
		S(GREETING),
		C("USER bob\r\n"),
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
	SESSION_NONE(false, st2, DEC_MORE, "hunter2");
}

static void
test_lower_case(void **unused)
{
	static const struct step st[] = {
		S("220 ftp server ready\n"),
		C("feat\n"),
		S("211-features:\n auth tls\n211 end\n"),
		C("user bob\n"),
		S("331 password required\n"),
		C("pass hunter2\n"),
		S("230 ok\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, "hunter2");
}

/* RFC 959 §5.4: 421 at connection time refuses service; nothing follows. */
static void
test_421_greeting(void **unused)
{
	static const struct step st[] = {
		S("421 Too many connections (8) from this IP\r\n"),
		C("USER bob\r\n"),	/* never fed */
	};
	/* A login sent ahead of the refusal still crossed the wire. */
	static const struct step st2[] = {
		C("USER bob\r\nPASS hunter2\r\n"),
		S("421 Service not available, closing control connection.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, "hunter2");
	SESSION(false, st2, w2, DEC_DONE, "hunter2");
}

static void
test_midstream(void **unused)
{
	/* Picked up after USER: the password is still seen, without a name. */
	static const struct step st[] = {
		C("PASS hunter2\r\n"),
		S("230 Login successful.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .result = RES_SUCCESS, .secret = true },
	};
	/* Picked up inside a banner: its lines have no code. */
	static const struct step st2[] = {
		S("    Welcome to the archive.\r\n    Be nice.\r\n"
		  "220 ftp.example.org ready\r\n"),
		LOGIN_BOB,
		S("530 Login incorrect.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(true, st, w, DEC_MORE, "hunter2");
	SESSION(true, st2, w2, DEC_MORE, "hunter2");
	assert_int_equal(ctr.unmatched_reply, 0);
}

/* "USER user@host" for proxies: kept as is; long names cut and flagged. */
static void
test_proxy_and_long_user(void **unused)
{
#define TEN	"abcdefghij"
#define HUNDRED	TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN
	static const struct step st[] = {
		S("220 Frox transparent ftp proxy. Login with username[@host[:port]]\r\n"),
		C("USER bob@ftp.example.org:2121\r\n"),
		S("331 Password required\r\n"),
		C("PASS hunter2\r\n"),
		S("230 Login successful.\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = "bob@ftp.example.org:2121", .result = RES_SUCCESS,
		  .secret = true },
	};
	static const struct step st2[] = {
		S(GREETING),
		C("USER " HUNDRED HUNDRED HUNDRED "\r\n"),
		S("331 Please specify the password.\r\n"),
		C("PASS hunter2\r\n"),
		S("530 Login incorrect.\r\n"),
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "USER/PASS",
		  .user = HUNDRED HUNDRED HUNDRED, .truncated = true,
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "hunter2");
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
		{ DIR_S2C, "220 ProFTPD Server (Debian) [::1]\r\n", PROBE_YES, true },
		{ DIR_S2C, "220-Welcome\r\n220 Microsoft FTP Service\r\n",
		  PROBE_YES, true },
		{ DIR_S2C, "220-FileZilla Server 1.7.0\r\n", PROBE_MAYBE, false },
		{ DIR_S2C, "220 host ready\r\n", PROBE_MAYBE, false },
		{ DIR_S2C, "220 ftp.example.org ESMTP\r\n", PROBE_MAYBE, false },
		{ DIR_S2C, "220 mx.example.org ESMTP Postfix\r\n", PROBE_NO, false },
		{ DIR_S2C, "22", PROBE_MAYBE, false },
		{ DIR_S2C, "220", PROBE_MAYBE, false },
		{ DIR_S2C, "421 Too many connections\r\n", PROBE_MAYBE, false },
		{ DIR_S2C, "230 ok\r\n", PROBE_NO, false },
		{ DIR_S2C, "2200 FTP\r\n", PROBE_NO, false },
		{ DIR_S2C, "220 \x01\x02 FTP\r\n", PROBE_NO, false },
		{ DIR_S2C, "+OK POP3 ready\r\n", PROBE_NO, false },
		{ DIR_S2C, "* OK IMAP4rev1\r\n", PROBE_NO, false },
		{ DIR_S2C, "HTTP/1.1 200 OK\r\n", PROBE_NO, false },
		{ DIR_S2C, "\x89PNG\r\n\x1a\n", PROBE_NO, false },
		{ DIR_C2S, "\x16\x03\x01\x00\x2d", PROBE_NO, false },
		{ DIR_C2S, "USER bob\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "user bob\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "AUTH TLS\r\n", PROBE_YES, false },
		{ DIR_C2S, "auth ssl\r\n", PROBE_YES, false },
		{ DIR_C2S, "AUTH TLS-C\r\n", PROBE_YES, false },
		{ DIR_C2S, "AUTH T", PROBE_MAYBE, false },
		{ DIR_C2S, "AUTH TLSX\r\n", PROBE_NO, false },
		{ DIR_C2S, "AUTH PLAIN\r\n", PROBE_NO, false },
		{ DIR_C2S, "AUTH\r\n", PROBE_NO, false },
		{ DIR_C2S, "FEAT\r\n", PROBE_YES, false },
		{ DIR_C2S, "SYST\r\n", PROBE_YES, false },
		{ DIR_C2S, "OPTS UTF8 ON\r\n", PROBE_YES, false },
		{ DIR_C2S, "OPTS MLST type;size;\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "FE", PROBE_MAYBE, false },
		{ DIR_C2S, "EHLO x\r\n", PROBE_NO, false },
		{ DIR_C2S, "CAPA\r\n", PROBE_NO, false },
		{ DIR_C2S, "GET / HTTP/1.1\r\n", PROBE_NO, false },
		{ DIR_C2S, "USERS\r\n", PROBE_NO, false },
		{ DIR_C2S, "Hello world\r\n", PROBE_NO, false },
		{ DIR_C2S, "SYST", PROBE_MAYBE, false },	/* "SYSTX"? */
		{ DIR_C2S, "AUTH TLS", PROBE_YES, false },
		{ DIR_C2S, "PWD\r\n", PROBE_YES, false },
		{ DIR_C2S, "PASS hunter2\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "USER\r\n", PROBE_NO, false },
		/* Sent before any reply: SYST is FTP's alone. */
		{ DIR_C2S, "USER bob\r\nPASS hunter2\r\nSYST\r\n", PROBE_YES,
		  false },
		{ DIR_C2S, "USER bob\r\nPASS hunter2\r\n", PROBE_MAYBE, false },
		{ DIR_C2S, "USER bob\r\nPASS hunter2\r\nSY", PROBE_MAYBE, false },
		{ DIR_C2S, "USER bob\r\nSTAT\r\n", PROBE_MAYBE, false },	/* POP3 too */
	};
	size_t i;
	bool server;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		server = cases[i].dir == DIR_C2S;	/* a client YES clears it */
		if (ftp_decoder.probe(cases[i].dir,
		    (const uint8_t *)cases[i].text, strlen(cases[i].text),
		    &server) != cases[i].want ||
		    (cases[i].want == PROBE_YES && server != cases[i].server))
			fail_msg("probe case %zu: \"%s\"", i, cases[i].text);
	}
}

static void
test_table(void **unused)
{
	(void)unused;
	assert_string_equal(ftp_decoder.name, "ftp");
	assert_int_equal(ftp_decoder.ports[0], 21);
	assert_int_equal(ftp_decoder.ports[1], 2121);
	assert_int_equal(ftp_decoder.ports[2], 0);
	assert_non_null(ftp_decoder.wipe);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_pass_success),
		cmocka_unit_test(test_user_pass_failure),
		cmocka_unit_test(test_user_refused),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_no_password_needed),
		cmocka_unit_test(test_acct),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_preliminary),
		cmocka_unit_test(test_feat_offered_not_used),
		cmocka_unit_test(test_feat_not_offered),
		cmocka_unit_test(test_auth_tls),
		cmocka_unit_test(test_auth_tls_stripped),
		cmocka_unit_test(test_auth_tls_refused),
		cmocka_unit_test(test_data_connection),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_end_without_reply),
		cmocka_unit_test(test_lower_case),
		cmocka_unit_test(test_421_greeting),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_proxy_and_long_user),
		cmocka_unit_test(test_pipeline_overflow),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
