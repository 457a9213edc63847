/*
 * test_sasl.c - base64 (RFC 4648) and the SASL exchange tracker.
 */
#define _GNU_SOURCE	/* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/sasl.h"

#define U8(s)	((const uint8_t *)(s))

static void
b64enc(const uint8_t *in, size_t n, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = t[in[i] >> 2];
		out[o++] = t[(in[i] & 3) << 4 | in[i + 1] >> 4];
		out[o++] = t[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
		out[o++] = t[in[i + 2] & 63];
	}
	if (n - i == 1) {
		out[o++] = t[in[i] >> 2];
		out[o++] = t[(in[i] & 3) << 4];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		out[o++] = t[in[i] >> 2];
		out[o++] = t[(in[i] & 3) << 4 | in[i + 1] >> 4];
		out[o++] = t[(in[i + 1] & 15) << 2];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static void
test_b64(void **state)
{
	uint8_t out[16];
	size_t n;

	(void)state;
	/* RFC 4648 §10 test vectors. */
	assert_true(b64_decode(U8(""), 0, out, sizeof(out), &n));
	assert_int_equal(n, 0);
	assert_true(b64_decode(U8("Zg=="), 4, out, sizeof(out), &n));
	assert_int_equal(n, 1);
	assert_memory_equal(out, "f", 1);
	assert_true(b64_decode(U8("Zm8="), 4, out, sizeof(out), &n));
	assert_memory_equal(out, "fo", 2);
	assert_true(b64_decode(U8("Zm9vYmFy"), 8, out, sizeof(out), &n));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_true(b64_decode(U8("Zm9vYg"), 6, out, sizeof(out), &n));	/* no padding */
	assert_memory_equal(out, "foob", 4);
	assert_false(b64_decode(U8("Zm9v YmFy"), 9, out, sizeof(out), &n));
	assert_false(b64_decode(U8("Z"), 1, out, sizeof(out), &n));
	assert_false(b64_decode(U8("Zg="), 3, out, sizeof(out), &n));
	assert_false(b64_decode(U8("Zm9vYmFy"), 8, out, 5, &n));	/* no room */
	assert_true(b64_valid(U8("QUIT"), 4));	/* why callers check verbs first */
	assert_false(b64_valid(U8("EHLO x"), 6));
}

static void
test_mech_lookup_and_list(void **state)
{
	uint32_t set;

	(void)state;
	assert_int_equal(sasl_mech_lookup(U8("plain"), 5), MECH_PLAIN);
	assert_int_equal(sasl_mech_lookup(U8("CRAM-MD5"), 8), MECH_CRAM_MD5);
	assert_int_equal(sasl_mech_lookup(U8("SCRAM-SHA-256"), 13), MECH_SCRAM);
	assert_int_equal(sasl_mech_lookup(U8("FOO"), 3), MECH_OTHER);
	set = sasl_mech_list(U8("=LOGIN PLAIN  CRAM-MD5"), 22);
	assert_true(set & MECH_BIT(MECH_LOGIN));
	assert_true(set & MECH_BIT(MECH_PLAIN));
	assert_true(set & MECH_BIT(MECH_CRAM_MD5));
	assert_false(set & MECH_BIT(MECH_XOAUTH2));
	assert_int_equal(sasl_mech_class(MECH_PLAIN), MC_CLEARTEXT);
	assert_int_equal(sasl_mech_class(MECH_XOAUTH2), MC_BEARER);
	assert_int_equal(sasl_mech_class(MECH_NTLM), MC_CHALLENGE);
}

static void
test_plain(void **state)
{
	static const uint8_t raw[] = "\0alice\0Tr0ub4dor-test-1";
	char b64[128];
	struct sasl_exchange x;

	(void)state;
	b64enc(raw, sizeof(raw) - 1, b64);
	sasl_begin(&x, MECH_PLAIN, true, U8(b64), strlen(b64));
	assert_int_equal(x.user_len, 5);
	assert_memory_equal(x.user, "alice", 5);
	assert_true(x.secret_seen);
	assert_false(x.malformed);
	/* The password alone is held, for the fingerprint, until the reset. */
	assert_int_equal(x.pass.len, 16);
	assert_memory_equal(x.pass.b, "Tr0ub4dor-test-1", 16);
	sasl_reset(&x);
	assert_null(memmem(&x, sizeof(x), "Tr0ub4dor", 9));	/* nothing kept */
}

static void
test_plain_with_authzid_and_continuation(void **state)
{
	static const uint8_t raw[] = "admin\0bob\0correct-horse-test-2";
	char b64[128];
	struct sasl_exchange x;

	(void)state;
	b64enc(raw, sizeof(raw) - 1, b64);
	sasl_begin(&x, MECH_PLAIN, false, NULL, 0);
	assert_int_equal(x.responses, 0);
	assert_true(sasl_response(&x, U8(b64), strlen(b64)));
	assert_memory_equal(x.user, "bob", 3);
	assert_int_equal(x.user_len, 3);
	assert_true(x.secret_seen);
}

static void
test_plain_malformed(void **state)
{
	struct sasl_exchange x;
	char b64[64];

	(void)state;
	b64enc(U8("no-nuls-here"), 12, b64);
	sasl_begin(&x, MECH_PLAIN, true, U8(b64), strlen(b64));
	assert_true(x.malformed);
	assert_false(x.secret_seen);
	sasl_begin(&x, MECH_PLAIN, true, U8("!!!!"), 4);
	assert_true(x.malformed);
}

static void
test_login_steps_and_cancel(void **state)
{
	struct sasl_exchange x;
	char b64[64];

	(void)state;
	sasl_begin(&x, MECH_LOGIN, false, NULL, 0);
	b64enc(U8("alice"), 5, b64);
	assert_true(sasl_response(&x, U8(b64), strlen(b64)));
	assert_memory_equal(x.user, "alice", 5);
	assert_false(x.secret_seen);
	b64enc(U8("Tr0ub4dor-test-1"), 16, b64);
	assert_true(sasl_response(&x, U8(b64), strlen(b64)));
	assert_true(x.secret_seen);

	sasl_begin(&x, MECH_LOGIN, true, U8("Ym9i"), 4);	/* "bob" inline */
	assert_memory_equal(x.user, "bob", 3);
	assert_true(sasl_response(&x, U8("*"), 1));
	assert_true(x.cancelled);
	assert_false(x.secret_seen);
	assert_false(sasl_response(&x, U8("EHLO x"), 6));	/* a command, not SASL */
}

static void
test_xoauth2_and_oauthbearer(void **state)
{
	static const uint8_t xo[] = "user=carol@example.org\1auth=Bearer ya29.test-token\1\1";
	static const uint8_t ob[] = "n,a=dave@example.org,\1host=x\1auth=Bearer tok-test\1\1";
	struct sasl_exchange x;
	char b64[256];

	(void)state;
	b64enc(xo, sizeof(xo) - 1, b64);
	sasl_begin(&x, MECH_XOAUTH2, true, U8(b64), strlen(b64));
	assert_int_equal(x.user_len, 17);
	assert_memory_equal(x.user, "carol@example.org", 17);
	assert_true(x.secret_seen);
	b64enc(ob, sizeof(ob) - 1, b64);
	sasl_begin(&x, MECH_OAUTHBEARER, true, U8(b64), strlen(b64));
	assert_int_equal(x.user_len, 16);
	assert_memory_equal(x.user, "dave@example.org", 16);
	assert_true(x.secret_seen);
}

static void
test_cram_md5_user(void **state)
{
	static const uint8_t r[] = "tim b913a602c7eda7a495b4e6e7334d3890";
	struct sasl_exchange x;
	char b64[128];

	(void)state;
	sasl_begin(&x, MECH_CRAM_MD5, false, NULL, 0);
	b64enc(r, sizeof(r) - 1, b64);
	assert_true(sasl_response(&x, U8(b64), strlen(b64)));
	assert_int_equal(x.user_len, 3);
	assert_memory_equal(x.user, "tim", 3);
	assert_int_equal(sasl_exchange_class(&x), MC_CHALLENGE);
}

static void
test_long_user_truncated(void **state)
{
	static uint8_t raw[SASL_USER_MAX + 64];
	static char b64[sizeof(raw) * 2];
	struct sasl_exchange x;

	(void)state;
	memset(raw, 'u', sizeof(raw));
	raw[0] = '\0';
	raw[sizeof(raw) - 4] = '\0';
	b64enc(raw, sizeof(raw), b64);
	sasl_begin(&x, MECH_PLAIN, true, U8(b64), strlen(b64));
	assert_true(x.user_truncated);
	assert_int_equal(x.user_len, SASL_USER_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_mech_lookup_and_list),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_plain_with_authzid_and_continuation),
		cmocka_unit_test(test_plain_malformed),
		cmocka_unit_test(test_login_steps_and_cancel),
		cmocka_unit_test(test_xoauth2_and_oauthbearer),
		cmocka_unit_test(test_cram_md5_user),
		cmocka_unit_test(test_long_user_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
