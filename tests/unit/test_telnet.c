/*
 * test_telnet.c - the Telnet decoder (RFC 854, 855, 1572) and the
 * terminal-login tracker it shares with rlogin (decoders/line.c).
 *
 * Sessions are run whole, with each step cut in two at every byte, and
 * byte by byte (tests/unit/session.h).  Typing is one key per step with the
 * server echoing the name but not the password, as telnetd and login(1) do.
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

extern const struct decoder telnet_decoder;

#define SESSION_DECODER	telnet_decoder
#define SESSION_APP	"telnet"
#define SESSION_PORT	23
#include "session.h"

#define PW1	"velvet-otter-test-41"
#define PW2	"wrong-otter-test-42"
#define MECH	"telnet login prompt"

/* Option negotiation as inetutils telnetd and the telnet client open. */
#define NEG_S	S("\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27")
#define NEG_C	C("\xff\xfb\x18\xff\xfb\x20\xff\xfc\x23\xff\xfb\x27")
#define TTYPE	C("\xff\xfa\x18\x00XTERM\xff\xf0")

/* One key per segment, echoed. */
#define KEY_ECHO(k)	C(k), S(k)

static void
test_fail_then_success_char_mode(void **unused)
{
	static const struct step st[] = {
		NEG_S, NEG_C, TTYPE,
		S("\xff\xfb\x03\xff\xfb\x01\r\nDebian GNU/Linux 12\r\n\r\n"),
		S("host login: "),
		KEY_ECHO("a"), KEY_ECHO("l"), KEY_ECHO("i"), KEY_ECHO("c"),
		KEY_ECHO("e"), C("\r\0"), S("\r\n"),
		S("Password: "),
		C("w"), C("r"), C("o"), C("n"), C("g"), C("-otter-test-42"),
		C("\r\0"), S("\r\n"),
		S("\r\nLogin incorrect\r\n"),
		S("host login: "),
		KEY_ECHO("a"), KEY_ECHO("l"), KEY_ECHO("i"), KEY_ECHO("c"),
		KEY_ECHO("e"), C("\r\0"), S("\r\n"),
		S("Password: "),
		C("velvet"), C("-"), C("otter-test-41"), C("\r\0"), S("\r\n"),
		S("Last login: Sun Nov 22 10:00:00 on pts/1\r\n"),
		S("alice@host:~$ "),
		C("l"),		/* after DEC_DONE: never fed */
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "alice",
		  .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "alice",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1, PW2);
}

/* No "Last login": typing into what followed the password is a session. */
static void
test_success_by_typing(void **unused)
{
	static const struct step st[] = {
		NEG_S, NEG_C,
		S("login: "), C("bob\r\n"),
		S("Password:"), C(PW1 "\r\n"),
		S("\r\nWelcome\r\nrouter>"),
		C("s"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "bob",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_DONE, PW1);
}

/* BS, DEL and ^U edit the line; IAC commands between keys change nothing. */
static void
test_line_editing_and_iac_between_keys(void **unused)
{
	static const struct step st[] = {
		NEG_S,
		S("Username: "),
		C("c"), C("x"), C("\x08"), C("a"), C("r"), C("\xff\xf1"),
		C("o"), C("l"), C("\r\n"),
		S("Password: "),
		C("garbage"), C("\x15"), C("velvet-otter-test-4"), C("9"),
		C("\x7f"), C("\xff\xf7"), C("41\r"), C("\n"),
		S("\r\n% Authentication failed\r\n"),
		S("Username: "),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "carol",
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/* A second login prompt is a refusal even without "Login incorrect". */
static void
test_new_prompt_is_failure(void **unused)
{
	static const struct step st[] = {
		S("login: "), C("dave\r\n"), S("Password: "), C(PW2 "\r\n"),
		S("\r\n\r\nlogin: "),
		C("dave\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "dave",
		  .result = RES_FAILURE, .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "dave",
		  .result = RES_UNKNOWN },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW2);
}

/* RFC 1572: NEW-ENVIRON IS VAR "USER" VALUE "erin"; only Password: asked. */
static void
test_new_environ_user(void **unused)
{
	static const struct step st[] = {
		S("\xff\xfd\x27"), C("\xff\xfb\x27"),
		S("\xff\xfa\x27\x01\xff\xf0"),
		C("\xff\xfa\x27\x00\x03SYSTEMTYPE\x01UNIX\x00USER\x01" "erin"
		  "\x00" "DISPLAY\x01:0\xff\xf0"),
		S("Password: "), C(PW1 "\r\n"),
		S("\r\n$ "),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "erin",
		  .result = RES_SUCCESS, .secret = true,
		  .why = "account named by the client's NEW-ENVIRON USER variable" },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/* The capture ends after the password: the result is unknown. */
static void
test_end_unknown(void **unused)
{
	static const struct step st[] = {
		S("login: "), C("frank\r\n"), S("Password: "), C(PW1 "\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH, .user = "frank",
		  .result = RES_UNKNOWN, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/* IAC SB with no IAC SE (a robustness trace): nothing kept, nothing found. */
static void
test_unclosed_suboption(void **unused)
{
	static const char junk[] = "login: Password: $ ";
	char *big;
	size_t i, n = 1 << 16;
	void *state;
	struct dec_counters c = { 0 };
	struct alert_opts opts = { .out = NULL, .hook = record };
	static const struct flow_info fi = { .family = 4, .srv_port = 23 };
	struct dec_ctx ctx = { .flow = &fi, .ctr = &c };

	(void)unused;
	ngot = 0;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(state = calloc(1, telnet_decoder.state_size));
	assert_non_null(big = malloc(n));
	for (i = 0; i < n; i++)
		big[i] = junk[i % (sizeof(junk) - 1)];
	big[0] = (char)0xff;
	big[1] = (char)0xfa;
	big[2] = 0x18;
	telnet_decoder.init(state, false);
	for (i = 0; i < 64; i++) {
		assert_int_equal(telnet_decoder.data(state, &ctx, DIR_S2C,
		    (const uint8_t *)big, n), DEC_MORE);
		assert_int_equal(telnet_decoder.data(state, &ctx, DIR_C2S,
		    (const uint8_t *)"x\r\n", 3), DEC_MORE);
	}
	telnet_decoder.end(state, &ctx, END_FIN);
	telnet_decoder.wipe(state);
	assert_int_equal(ngot, 0);
	free(big);
	free(state);
	alert_sink_free(ctx.sink);
}

/* A typed line over TERM_LINE_MAX is cut, flagged and counted once. */
static void
test_long_name(void **unused)
{
#define X64	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	static const struct step st[] = {
		S("login: "), C(X64 X64 X64 X64 X64 "\r\n"),
		S("Password: "), C(PW1 "\r\n"), S("Login incorrect\r\n"),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = MECH,
		  .user = X64 X64 X64 X64, .truncated = true,
		  .result = RES_FAILURE, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
	assert_int_equal(ctr.line_overflow, 1);
#undef X64
}

/* A banner mentioning "login:" before the prompt, and IAC IAC in text. */
static void
test_no_login_no_finding(void **unused)
{
	static const struct step st[] = {
		NEG_S, NEG_C,
		S("Last login: never\r\n\xff\xff" "banner\r\n"),
		C("\r\n"), S("\r\n"),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, PW1);
}

/* The secret handed to alert_emit() for the fingerprint, compared in tests. */
static uint8_t secret_got[64];
static size_t secret_got_len;

static void
record_secret(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	(void)arg;
	(void)fi;
	(void)ts_us;
	secret_got_len = 0;
	if (f->secret != NULL && f->secret_len <= sizeof(secret_got)) {
		memcpy(secret_got, f->secret, f->secret_len);
		secret_got_len = f->secret_len;
	}
}

/* The rebuilt password is exactly what the editing keys leave. */
static void
test_secret_after_editing(void **unused)
{
	static const struct flow_info fi = { .family = 4, .srv_port = 23 };
	static const struct {
		const char	*keys;
		size_t		 n;
	} steps[] = {
		{ "Password: ", 0 },
		{ "junk\x15", 5 },			/* ^U */
		{ "velvet-otter-test-", 18 },
		{ "9\x7f", 2 },			/* DEL */
		{ "x\xff", 2 },			/* IAC split from its command */
		{ "\xf7", 1 },			/* EC: erases the x */
		{ "41\r\0", 4 },
		{ "Login incorrect\r\n", 0 },
	};
	struct dec_counters c = { 0 };
	struct alert_opts opts = { .out = NULL, .hook = record_secret };
	struct dec_ctx ctx = { .flow = &fi, .ctr = &c };
	void *state;
	size_t i;

	(void)unused;
	secret_got_len = 0;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(state = calloc(1, telnet_decoder.state_size));
	telnet_decoder.init(state, false);
	for (i = 0; i < NELEM(steps); i++) {
		if (steps[i].n == 0)
			telnet_decoder.data(state, &ctx, DIR_S2C,
			    (const uint8_t *)steps[i].keys, strlen(steps[i].keys));
		else
			telnet_decoder.data(state, &ctx, DIR_C2S,
			    (const uint8_t *)steps[i].keys, steps[i].n);
	}
	assert_int_equal(secret_got_len, strlen(PW1));
	assert_memory_equal(secret_got, PW1, strlen(PW1));
	explicit_bzero(secret_got, sizeof(secret_got));
	telnet_decoder.end(state, &ctx, END_FIN);
	telnet_decoder.wipe(state);
	free(state);
	alert_sink_free(ctx.sink);
}

static void
test_probe(void **unused)
{
	static const struct {
		const char		*p;
		size_t			 n;
		enum probe_result	 want;
	} cases[] = {
		{ "\xff\xfd\x18", 3, PROBE_YES },
		{ "\xff\xfb\x01\xff\xfb\x03", 6, PROBE_YES },
		{ "\xff\xfa\x18\x01\xff\xf0", 6, PROBE_YES },
		{ "\xff\xfd", 2, PROBE_MAYBE },
		{ "\xff", 1, PROBE_MAYBE },
		{ "\xff\xff\x00", 3, PROBE_NO },
		{ "\xff\x10\x00", 3, PROBE_NO },
		{ "\xff\xfd\xc8", 3, PROBE_NO },
		{ "login: ", 7, PROBE_NO },
		{ "\x16\x03\x01", 3, PROBE_NO },
	};
	size_t i;
	bool srv;

	(void)unused;
	for (i = 0; i < NELEM(cases); i++) {
		srv = false;
		if (telnet_decoder.probe(DIR_S2C, (const uint8_t *)cases[i].p,
		    cases[i].n, &srv) != cases[i].want)
			fail_msg("probe case %zu", i);
		assert_false(srv);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_then_success_char_mode),
		cmocka_unit_test(test_success_by_typing),
		cmocka_unit_test(test_line_editing_and_iac_between_keys),
		cmocka_unit_test(test_new_prompt_is_failure),
		cmocka_unit_test(test_new_environ_user),
		cmocka_unit_test(test_end_unknown),
		cmocka_unit_test(test_unclosed_suboption),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_no_login_no_finding),
		cmocka_unit_test(test_secret_after_editing),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
