/*
 * test_ber.c - the BER reader (ITU-T X.690 §8.1-8.3, §8.19).
 *
 * Every encoding is fed whole and cut short at every byte: a prefix of a
 * header must say "need more" (BER_MORE) until the header is complete,
 * never "malformed"; a prefix of a whole TLV must fail in the TLV readers
 * without reading past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/ber.h"

struct enc {
	const char	*bytes;
	size_t		 len;
	uint8_t		 cls;
	bool		 cons;
	uint32_t	 tag;
	size_t		 hdr;
	size_t		 clen;
	bool		 indef;
};

#define E(b, cls, cons, tag, hdr, clen) \
	{ (b), sizeof(b) - 1, (cls), (cons), (tag), (hdr), (clen), false }

static const struct enc good[] = {
	/* §8.1.2: low tag, short length */
	E("\x02\x01\x05", BER_UNIVERSAL, false, 2, 2, 1),
	E("\x30\x00", BER_UNIVERSAL, true, 16, 2, 0),
	E("\x60\x03\x02\x01\x03", BER_APPLICATION, true, 0, 2, 3),
	E("\x80\x02pw", BER_CONTEXT, false, 0, 2, 2),
	E("\xa3\x00", BER_CONTEXT, true, 3, 2, 0),
	E("\xde\x01z", BER_PRIVATE, false, 30, 2, 1),
	/* §8.1.2.4: high tag form, one and two subsequent octets */
	E("\x5f\x1f\x01z", BER_APPLICATION, false, 31, 3, 1),
	E("\x9f\x81\x00\x00", BER_CONTEXT, false, 128, 4, 0),
	E("\x7f\x87\x68\x00", BER_APPLICATION, true, 1000, 4, 0),
	/* §8.1.3.5: long form lengths, with a leading zero (BER allows it) */
	E("\x04\x81\x03" "abc", BER_UNIVERSAL, false, 4, 3, 3),
	E("\x04\x82\x00\x02" "ab", BER_UNIVERSAL, false, 4, 4, 2),
	E("\x04\x84\x00\x00\x00\x01" "a", BER_UNIVERSAL, false, 4, 6, 1),
};

static const struct {
	const char	*bytes;
	size_t		 len;
} bad[] = {
#define B(b)	{ (b), sizeof(b) - 1 }
	B("\x04\xff"),			/* §8.1.3.5 c) reserved */
	B("\x04\x85\x00\x00\x00\x00\x01"),	/* more length octets than the cap */
	B("\x04\x80"),			/* indefinite on a primitive */
	B("\x1f\x80\x01\x00"),		/* high tag with a leading zero */
	B("\x1f\x1e\x00"),		/* high tag form for a low number */
	B("\x1f\x81\x81\x81\x81\x01\x00"),	/* tag number over the cap */
#undef B
};

/* Every prefix of a header is BER_MORE, the whole header its values. */
static void
test_header_split(void **unused)
{
	struct ber_tlv t;
	size_t i, k;

	(void)unused;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const uint8_t *p = (const uint8_t *)good[i].bytes;

		for (k = 0; k < good[i].hdr; k++)
			assert_int_equal(ber_header(p, k, &t), BER_MORE);
		for (k = good[i].hdr; k <= good[i].len; k++) {
			assert_int_equal(ber_header(p, k, &t), BER_OK);
			assert_int_equal(t.cls, good[i].cls);
			assert_int_equal(t.constructed, good[i].cons);
			assert_int_equal(t.tag, good[i].tag);
			assert_int_equal(t.hdr_len, good[i].hdr);
			assert_int_equal(t.len, good[i].clen);
			assert_false(t.indefinite);
		}
	}
}

/* Malformed headers are BER_BAD once the offending octet is in, never OK. */
static void
test_header_bad(void **unused)
{
	struct ber_tlv t;
	enum ber_status r;
	size_t i, k;
	bool seen_bad;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seen_bad = false;
		for (k = 0; k <= bad[i].len; k++) {
			r = ber_header((const uint8_t *)bad[i].bytes, k, &t);
			assert_int_not_equal(r, BER_OK);
			if (r == BER_BAD)
				seen_bad = true;
			else
				assert_false(seen_bad);	/* BAD stays BAD */
		}
		assert_true(seen_bad);
	}
}

/* §8.1.3.6: the indefinite form is seen, and refused by the TLV readers. */
static void
test_indefinite(void **unused)
{
	static const uint8_t p[] = "\x30\x80\x02\x01\x01\x00\x00";
	struct ber_tlv t;
	struct cursor c;
	const uint8_t *v;

	(void)unused;
	assert_int_equal(ber_header(p, 1, &t), BER_MORE);
	assert_int_equal(ber_header(p, sizeof(p) - 1, &t), BER_OK);
	assert_true(t.indefinite);
	cur_init(&c, p, sizeof(p) - 1);
	assert_false(ber_next(&c, &t, &v));
	assert_false(cur_ok(&c));
}

/* A whole TLV reads; every prefix of it fails without moving on. */
static void
test_next_split(void **unused)
{
	struct ber_tlv t;
	struct cursor c;
	const uint8_t *v;
	size_t i, k;

	(void)unused;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const uint8_t *p = (const uint8_t *)good[i].bytes;
		size_t whole = good[i].hdr + good[i].clen;

		for (k = 0; k < whole; k++) {
			cur_init(&c, p, k);
			assert_false(ber_next(&c, &t, &v));
			assert_false(cur_ok(&c));
			assert_null(v);
		}
		cur_init(&c, p, good[i].len);
		assert_true(ber_next(&c, &t, &v));
		assert_ptr_equal(v, p + good[i].hdr);
		assert_int_equal(t.len, good[i].clen);
		assert_int_equal(cur_left(&c), good[i].len - whole);
	}
}

/* A length that runs past the buffer is an error, not an overread. */
static void
test_length_past_end(void **unused)
{
	static const uint8_t p[] = "\x04\x84\xff\xff\xff\xff" "abc";
	struct ber_tlv t;
	struct cursor c;
	const uint8_t *v;

	(void)unused;
	assert_int_equal(ber_header(p, sizeof(p) - 1, &t), BER_OK);
	assert_int_equal(t.len, 0xffffffffu);
	cur_init(&c, p, sizeof(p) - 1);
	assert_false(ber_next(&c, &t, &v));
}

/* §8.3: two's complement, one to eight octets. */
static void
test_integers(void **unused)
{
	static const struct {
		const char	*b;
		size_t		 n;
		int64_t		 v;
	} ints[] = {
		{ "\x00", 1, 0 }, { "\x7f", 1, 127 }, { "\x00\x80", 2, 128 },
		{ "\xff", 1, -1 }, { "\x80", 1, -128 }, { "\xff\x7f", 2, -129 },
		{ "\x7f\xff\xff\xff", 4, 2147483647 },
		{ "\x7f\xff\xff\xff\xff\xff\xff\xff", 8, INT64_MAX },
		{ "\x80\x00\x00\x00\x00\x00\x00\x00", 8, INT64_MIN },
	};
	struct cursor c;
	int64_t v;
	size_t i, k;

	(void)unused;
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		assert_true(ber_int_value((const uint8_t *)ints[i].b, ints[i].n,
		    &v));
		assert_true(v == ints[i].v);
	}
	assert_false(ber_int_value((const uint8_t *)"", 0, &v));
	assert_false(ber_int_value((const uint8_t *)"\x01\x02\x03\x04\x05\x06"
	    "\x07\x08\x09", 9, &v));
	/* ber_get_int: the tag must be INTEGER; prefixes fail. */
	for (k = 0; k <= 4; k++) {
		cur_init(&c, (const uint8_t *)"\x02\x02\x01\x00", k);
		assert_int_equal(ber_get_int(&c, &v), k == 4);
		if (k == 4)
			assert_true(v == 256);
	}
	cur_init(&c, (const uint8_t *)"\x0a\x01\x00", 3);
	assert_false(ber_get_int(&c, &v));
	cur_init(&c, (const uint8_t *)"\x02\x00", 2);
	assert_false(ber_get_int(&c, &v));
}

/* OCTET STRING: primitive only; ber_expect leaves the cursor on mismatch. */
static void
test_octets(void **unused)
{
	static const uint8_t s[] = "\x04\x03" "abc" "\x24\x05\x04\x03" "abc";
	struct cursor c;
	const uint8_t *v;
	size_t n;

	(void)unused;
	cur_init(&c, s, sizeof(s) - 1);
	assert_true(ber_get_octets(&c, &v, &n));
	assert_int_equal(n, 3);
	assert_memory_equal(v, "abc", 3);
	/* The constructed form (§8.7.3.2) is refused. */
	assert_false(ber_get_octets(&c, &v, &n));
	assert_false(cur_ok(&c));
}

/* §8.19: OBJECT IDENTIFIER content against dotted text. */
static void
test_oid(void **unused)
{
	/* 1.3.6.1.6.3.15.1.1.5.0 (usmStatsWrongDigests.0) */
	static const uint8_t o[] = "\x2b\x06\x01\x06\x03\x0f\x01\x01\x05\x00";
	/* 1.2.840.113549 */
	static const uint8_t rsa[] = "\x2a\x86\x48\x86\xf7\x0d";

	(void)unused;
	assert_true(ber_oid_is(o, sizeof(o) - 1, "1.3.6.1.6.3.15.1.1.5.0"));
	assert_false(ber_oid_is(o, sizeof(o) - 1, "1.3.6.1.6.3.15.1.1.5"));
	assert_true(ber_oid_has_prefix(o, sizeof(o) - 1,
	    "1.3.6.1.6.3.15.1.1.5"));
	assert_false(ber_oid_has_prefix(o, sizeof(o) - 1,
	    "1.3.6.1.6.3.15.1.1.3"));
	assert_true(ber_oid_is(rsa, sizeof(rsa) - 1, "1.2.840.113549"));
	assert_false(ber_oid_is(rsa, sizeof(rsa) - 1, "not.an.oid"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_split),
		cmocka_unit_test(test_header_bad),
		cmocka_unit_test(test_indefinite),
		cmocka_unit_test(test_next_split),
		cmocka_unit_test(test_length_past_end),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_octets),
		cmocka_unit_test(test_oid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
