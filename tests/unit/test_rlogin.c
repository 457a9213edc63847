/*
 * test_rlogin.c - the rlogin decoder (RFC 1282).
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

extern const struct decoder rlogin_decoder;

#define SESSION_DECODER	rlogin_decoder
#define SESSION_APP	"rlogin"
#define SESSION_PORT	513
#include "session.h"

#define PW	"amber-finch-test-43"
#define HELLO	C("\0alice\0bob\0xterm/38400\0")
/* RFC 1282 window-size message: 0xFF 0xFF 's' 's', rows, cols, x, y. */
#define WINSZ	C("\xff\xffss\x00\x18\x00\x50\x00\x00\x00\x00")

static void
test_password_success(void **unused)
{
	static const struct step st[] = {
		HELLO, S("\0"), S("\x80"), WINSZ,
		S("Password: "),
		C("a"), C("m"), C("b"), C("e"), C("r"), WINSZ,
		C("-finch-test-43"), C("\r"),
		S("\r\nLast login: Sun Nov 22 10:00:00 from 127.0.0.2\r\n"),
		S("bob@host:~$ "),
		C("exit\r"),	/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "rlogin", .user = "bob",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW);
}

static void
test_password_failure(void **unused)
{
	static const struct step st[] = {
		HELLO, S("\0"),
		S("Password: "), C(PW "\r"),
		S("\r\nLogin incorrect\r\n"),
		S("login: "),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "rlogin", .user = "bob",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

/* A trusted host (.rhosts): no password, the shell prompt comes at once. */
static void
test_trusted_no_password(void **unused)
{
	static const struct step st[] = {
		HELLO, S("\0"), S("Linux host 6.1\r\n$ "),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "rlogin", .user = "bob",
		  .result = RES_SUCCESS, .secret = false,
		  .why = "account named in the handshake; no password typed" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW);
}

/* A handshake string that never ends is no rlogin. */
static void
test_endless_field(void **unused)
{
#define A64	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A1K	A64 A64 A64 A64 A64 A64 A64 A64 A64 A64 A64 A64 A64 A64 A64 A64
	static const struct step st[] = {
		C("\0alice\0" A1K "a"),
		S("\0Password: "),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, PW);
#undef A1K
#undef A64
}

static void
test_probe(void **unused)
{
	static const struct {
		const char		*p;
		size_t			 n;
		enum probe_result	 want;
	} cases[] = {
		{ "\0alice\0bob\0xterm/38400\0", 23, PROBE_YES },
		{ "\0\0bob\0vt100/9600\0", 17, PROBE_YES },
		{ "\0alice\0bob\0xte", 14, PROBE_MAYBE },
		{ "\0", 1, PROBE_MAYBE },
		{ "\0alice\0bob\0xterm\0", 17, PROBE_NO },	/* no speed */
		{ "\0al ice\0", 8, PROBE_NO },
		{ "login: ", 7, PROBE_NO },
		{ "\x16\x03\x01", 3, PROBE_NO },
	};
	size_t i;
	bool srv;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		srv = false;
		if (rlogin_decoder.probe(DIR_C2S, (const uint8_t *)cases[i].p,
		    cases[i].n, &srv) != cases[i].want)
			fail_msg("probe case %zu", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_success),
		cmocka_unit_test(test_password_failure),
		cmocka_unit_test(test_trusted_no_password),
		cmocka_unit_test(test_endless_field),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
