/*
 * test_tls.c - the bounded TLS hello reader (decoders/tls.c).
 *
 * Hellos are built byte by byte here (RFC 5246 §7.4.1.2-7.4.1.3, RFC 8446
 * §4.1.2-4.1.3, the SSLv2 CLIENT-HELLO of RFC 5246 Appendix E.2), plus two
 * real handshakes captured from OpenSSL 3.0 on loopback.  Every script of
 * (direction, bytes) steps is fed whole, with each step cut in two at
 * every byte, and byte by byte: each run must give the same verdict at the
 * same step and the same version and cipher.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/tls.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define BUF_MAX		(40 * 1024)
#define MAX_STEPS	8

/* --- building hellos --------------------------------------------------- */

struct buf {
	uint8_t		 b[BUF_MAX];
	size_t		 n;
};

static void
put8(struct buf *o, unsigned v)
{
	assert_true(o->n < BUF_MAX);
	o->b[o->n++] = (uint8_t)v;
}

static void
put16(struct buf *o, unsigned v)
{
	put8(o, v >> 8);
	put8(o, v & 0xff);
}

static void
put24(struct buf *o, unsigned v)
{
	put8(o, v >> 16);
	put16(o, v & 0xffff);
}

static void
putn(struct buf *o, const void *p, size_t n)
{
	assert_true(n <= BUF_MAX - o->n);
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void
fill(struct buf *o, uint8_t v, size_t n)
{
	assert_true(n <= BUF_MAX - o->n);
	memset(o->b + o->n, v, n);
	o->n += n;
}

/* A ClientHello body; versions: supported_versions entries, 0-terminated. */
static void
client_hello_body(struct buf *o, uint16_t legacy, const uint16_t *versions)
{
	size_t i, nv = 0;

	put16(o, legacy);
	fill(o, 0xcc, 32);			/* random */
	put8(o, 32);				/* session_id */
	fill(o, 0x5e, 32);
	put16(o, 8);				/* cipher_suites */
	put16(o, 0x1301);
	put16(o, 0xc02f);
	put16(o, 0x000a);
	put16(o, 0x00ff);
	put8(o, 1);				/* compression: null */
	put8(o, 0);
	if (versions == NULL)
		return;
	while (versions[nv] != 0)
		nv++;
	put16(o, 4 + 4 + 1 + 2 * nv);		/* extensions */
	put16(o, 0x000a);			/* supported_groups, skipped */
	put16(o, 0);
	put16(o, 43);				/* supported_versions */
	put16(o, 1 + 2 * nv);
	put8(o, 2 * nv);
	for (i = 0; i < nv; i++)
		put16(o, versions[i]);
	put16(o, 0x0017);			/* extended_master_secret */
	put16(o, 0);
}

/* A ServerHello body; sv: the supported_versions value, 0 for none. */
static void
server_hello_body(struct buf *o, uint16_t legacy, uint16_t cipher,
    uint16_t sv)
{
	put16(o, legacy);
	fill(o, 0x5a, 32);			/* random */
	put8(o, 0);				/* session_id */
	put16(o, cipher);
	put8(o, 0);				/* compression */
	if (sv == 0)
		return;
	put16(o, 4 + 6);
	put16(o, 0xff01);			/* renegotiation_info */
	put16(o, 0);
	put16(o, 43);
	put16(o, 2);
	put16(o, sv);
}

/* A handshake message: msg_type, uint24 length, body (RFC 5246 §7.4). */
static void
handshake(struct buf *o, uint8_t type, const struct buf *body)
{
	put8(o, type);
	put24(o, (unsigned)body->n);
	putn(o, body->b, body->n);
}

/* Records of content type ct and version rv, each at most frag bytes. */
static void
records(struct buf *o, uint8_t ct, uint16_t rv, const struct buf *payload,
    size_t frag)
{
	size_t off, k;

	for (off = 0; off < payload->n; off += k) {
		k = payload->n - off < frag ? payload->n - off : frag;
		put8(o, ct);
		put16(o, rv);
		put16(o, (unsigned)k);
		putn(o, payload->b + off, k);
	}
}

static void
client_flight(struct buf *o, uint16_t rv, uint16_t legacy,
    const uint16_t *versions, size_t frag)
{
	static struct buf body, msg;

	body.n = msg.n = 0;
	client_hello_body(&body, legacy, versions);
	handshake(&msg, 1, &body);
	records(o, 22, rv, &msg, frag);
}

static void
server_flight(struct buf *o, uint16_t rv, uint16_t legacy, uint16_t cipher,
    uint16_t sv, size_t frag)
{
	static struct buf body, msg;

	body.n = msg.n = 0;
	server_hello_body(&body, legacy, cipher, sv);
	handshake(&msg, 2, &body);
	records(o, 22, rv, &msg, frag);
}

/* --- running scripts --------------------------------------------------- */

struct step {
	enum dir	 dir;
	const uint8_t	*p;
	size_t		 n;
};

struct script {
	const char	*name;
	struct step	 steps[MAX_STEPS];
	size_t		 nsteps;
	enum tls_verdict want;		/* first verdict other than TLS_MORE */
	size_t		 at;		/* its step; nsteps: never */
};

struct outcome {
	enum tls_verdict v;
	size_t		 at;
	struct tls_watch w;
};

/* One run; `split`: cut every step in two there; 0: byte by byte; SIZE_MAX: whole. */
static void
run(const struct script *s, size_t split, struct outcome *out)
{
	const struct step *st;
	size_t i, off, k;
	enum tls_verdict v = TLS_MORE;

	tls_watch_init(&out->w);
	out->v = TLS_MORE;
	out->at = s->nsteps;
	for (i = 0; i < s->nsteps && v == TLS_MORE; i++) {
		st = &s->steps[i];
		for (off = 0; off < st->n && v == TLS_MORE; off += k) {
			k = st->n - off;
			if (split == 0)
				k = 1;
			else if (off == 0 && split < st->n)
				k = split;
			v = tls_watch_data(&out->w, st->dir, st->p + off, k);
		}
		if (v != TLS_MORE) {
			out->v = v;
			out->at = i;
		}
	}
}

static void
same(const char *name, const char *mode, const struct outcome *a,
    const struct outcome *b)
{
	if (a->v != b->v || a->at != b->at)
		fail_msg("%s %s: verdict %d at step %zu, whole run %d at %zu",
		    name, mode, b->v, b->at, a->v, a->at);
	if (a->w.version != b->w.version || a->w.cipher != b->w.cipher ||
	    a->w.client_version != b->w.client_version ||
	    a->w.client_hello != b->w.client_hello ||
	    a->w.server_hello != b->w.server_hello || a->w.sslv2 != b->w.sslv2)
		fail_msg("%s %s: hello fields differ from the whole run", name,
		    mode);
}

/* Run whole, at every split and byte by byte; the whole run's state in *w. */
static void
check(const struct script *s, struct tls_watch *w)
{
	static struct outcome whole, r;
	char mode[48];
	size_t i, split, maxlen = 0;

	run(s, SIZE_MAX, &whole);
	if (whole.v != s->want || whole.at != s->at)
		fail_msg("%s: verdict %d at step %zu, want %d at %zu", s->name,
		    whole.v, whole.at, s->want, s->at);
	for (i = 0; i < s->nsteps; i++)
		if (s->steps[i].n > maxlen)
			maxlen = s->steps[i].n;
	for (split = 1; split < maxlen; split++) {
		snprintf(mode, sizeof(mode), "split at %zu", split);
		run(s, split, &r);
		same(s->name, mode, &whole, &r);
	}
	run(s, 0, &r);
	same(s->name, "byte by byte", &whole, &r);
	if (w != NULL)
		*w = whole.w;
}

#define STEP(d, x)	{ (d), (x)->b, (x)->n }
#define RAW(d, a)	{ (d), (const uint8_t *)(a), sizeof(a) - 1 }

static void
expect_weak(const struct tls_watch *w, const char *why)
{
	const char *got;
	bool weak = tls_is_weak(w, &got);

	if (why == NULL) {
		assert_false(weak);
		assert_null(got);
	} else {
		assert_true(weak);
		assert_non_null(got);
		assert_string_equal(got, why);
	}
}

/* A full hello exchange: ClientHello, then the ServerHello gives the verdict. */
static void
exchange(const char *name, uint16_t cver, uint16_t sver, uint16_t cipher,
    uint16_t sv, const char *why)
{
	static struct buf c, s;
	struct script sc = { .name = name, .nsteps = 2,
	    .want = TLS_HELLO_DONE, .at = 1 };
	struct tls_watch w;
	uint16_t vers[] = { sv, 0 };

	c.n = s.n = 0;
	client_flight(&c, 0x0301, cver, sv != 0 ? vers : NULL, 16384);
	server_flight(&s, sver, sver, cipher, sv, 16384);
	sc.steps[0] = (struct step)STEP(DIR_C2S, &c);
	sc.steps[1] = (struct step)STEP(DIR_S2C, &s);
	check(&sc, &w);
	assert_true(w.client_hello);
	assert_true(w.server_hello);
	assert_int_equal(w.version, sv != 0 ? sv : sver);
	assert_int_equal(w.cipher, cipher);
	expect_weak(&w, why);
}

/* --- the cases ----------------------------------------------------------- */

static void
test_versions_and_ciphers(void **state)
{
	(void)state;
	exchange("tls1.0-3des", 0x0301, 0x0301, 0x000a, 0,
	    "TLS 1.0 with a 3DES cipher");
	exchange("tls1.2-gcm", 0x0303, 0x0303, 0xc02f, 0, NULL);
	exchange("tls1.2-chacha", 0x0303, 0x0303, 0xcca8, 0, NULL);
	exchange("tls1.3", 0x0303, 0x0303, 0x1301, 0x0304, NULL);
	exchange("tls1.2-rc4", 0x0303, 0x0303, 0x0005, 0, "RC4 cipher");
	exchange("tls1.0-export", 0x0301, 0x0301, 0x0003, 0,
	    "TLS 1.0 with an EXPORT cipher");
	exchange("tls1.2-export", 0x0303, 0x0303, 0x0014, 0,
	    "EXPORT cipher (40/56-bit keys)");
	exchange("tls1.2-anon", 0x0303, 0x0303, 0xc018, 0,
	    "anonymous cipher (server not authenticated)");
	exchange("tls1.2-dh-anon-gcm", 0x0303, 0x0303, 0x00a6, 0,
	    "anonymous cipher (server not authenticated)");
	exchange("tls1.2-null", 0x0303, 0x0303, 0x003b, 0,
	    "NULL cipher (no encryption)");
	exchange("tls1.2-null-null", 0x0303, 0x0303, 0x0000, 0,
	    "NULL cipher (no encryption)");
	exchange("tls1.2-des", 0x0303, 0x0303, 0x0009, 0, "DES cipher");
	exchange("tls1.2-3des", 0x0303, 0x0303, 0xc012, 0, "3DES cipher");
	exchange("tls1.1-aes", 0x0302, 0x0302, 0x002f, 0, "TLS 1.1");
	exchange("ssl3-aes", 0x0300, 0x0300, 0x002f, 0, "SSL 3.0");
	exchange("ssl3-rc4", 0x0300, 0x0300, 0x0004, 0,
	    "SSL 3.0 with an RC4 cipher");
	/* A suite we have no name for is judged by the version alone. */
	exchange("tls1.2-unknown", 0x0303, 0x0303, 0x1234, 0, NULL);
	exchange("tls1.0-unknown", 0x0301, 0x0301, 0x1234, 0, "TLS 1.0");
}

static void
test_client_versions(void **state)
{
	static const uint16_t offered[] = { 0x3a3a, 0x0304, 0x0303, 0x7f1c, 0 };
	static struct buf c;
	struct script sc = { .name = "client-1.3", .nsteps = 1,
	    .want = TLS_MORE, .at = 1 };
	struct tls_watch w;

	(void)state;
	/* GREASE (RFC 8701) and drafts are not versions we know. */
	client_flight(&c, 0x0301, 0x0303, offered, 16384);
	sc.steps[0] = (struct step)STEP(DIR_C2S, &c);
	check(&sc, &w);
	assert_true(w.client_hello);
	assert_false(w.server_hello);
	assert_int_equal(w.client_version, 0x0304);
	expect_weak(&w, NULL);		/* nothing negotiated yet */

	/* Without supported_versions, legacy_version is the offer. */
	c.n = 0;
	client_flight(&c, 0x0301, 0x0302, NULL, 16384);
	sc.steps[0] = (struct step)STEP(DIR_C2S, &c);
	check(&sc, &w);
	assert_int_equal(w.client_version, 0x0302);
}

/* A hello fragmented over several records (RFC 5246 §6.2.1 allows any split). */
static void
test_fragmented_records(void **state)
{
	static struct buf c, s;
	struct script sc = { .name = "fragments", .nsteps = 2,
	    .want = TLS_HELLO_DONE, .at = 1 };
	struct tls_watch w;
	size_t frag;

	(void)state;
	for (frag = 1; frag <= 41; frag += 4) {
		c.n = s.n = 0;
		client_flight(&c, 0x0301, 0x0301, NULL, frag + 30);
		server_flight(&s, 0x0301, 0x0301, 0x000a, 0, frag);
		sc.steps[0] = (struct step)STEP(DIR_C2S, &c);
		sc.steps[1] = (struct step)STEP(DIR_S2C, &s);
		check(&sc, &w);
		assert_int_equal(w.version, 0x0301);
		assert_int_equal(w.cipher, 0x000a);
		assert_int_equal(w.client_version, 0x0301);
	}
}

/* ServerHello, Certificate and more in one record; records before it skipped. */
static void
test_coalesced_and_other_records(void **state)
{
	static struct buf s, body, msgs, ccs;
	struct script sc = { .name = "coalesced", .nsteps = 1,
	    .want = TLS_HELLO_DONE, .at = 0 };
	struct tls_watch w;

	(void)state;
	server_hello_body(&body, 0x0303, 0xc030, 0);
	handshake(&msgs, 2, &body);
	body.n = 0;
	fill(&body, 0x30, 900);			/* a Certificate */
	handshake(&msgs, 11, &body);
	/* An empty application_data record, then a ChangeCipherSpec. */
	put8(&s, 23);
	put16(&s, 0x0303);
	put16(&s, 0);
	put8(&ccs, 1);
	records(&s, 20, 0x0303, &ccs, 16384);
	records(&s, 22, 0x0303, &msgs, 16384);
	sc.steps[0] = (struct step)STEP(DIR_S2C, &s);
	check(&sc, &w);
	assert_int_equal(w.version, 0x0303);
	assert_int_equal(w.cipher, 0xc030);
	assert_false(w.client_hello);
	expect_weak(&w, NULL);
}

/* Two real handshakes captured from OpenSSL 3.0.19 on loopback. */
static void
test_openssl_captures(void **state)
{
	/* s_client/s_server -tls1 -cipher 'AES128-SHA:@SECLEVEL=0': first records. */
	static const char tls10_c[] =
	    "\x16\x03\x01\x00\x3d\x01\x00\x00\x39\x03\x01\x9d"
	    "\xdc\xef\xd8\x80\xf8\xad\xaf\xc7\x28\xc9\x17\x3d"
	    "\x63\xe8\x80\x6e\xcd\x05\x62\xe0\x90\x01\xec\x8e"
	    "\xac\xdc\x3a\x67\xce\x97\xf9\x00\x00\x04\x00\x2f"
	    "\x00\xff\x01\x00\x00\x0c\x00\x23\x00\x00\x00\x16"
	    "\x00\x00\x00\x17\x00\x00";
	static const char tls10_s[] =
	    "\x16\x03\x01\x00\x3d\x02\x00\x00\x39\x03\x01\x6d"
	    "\x25\x32\x72\xbc\x76\xe1\xbd\x46\xef\xeb\xa3\xb5"
	    "\x41\x8b\xee\xa4\x11\x68\x9f\x77\x89\x2d\xf3\x8d"
	    "\x4a\xdd\xde\x20\x37\x6e\x06\x00\x00\x2f\x00\x00"
	    "\x11\xff\x01\x00\x01\x00\x00\x23\x00\x00\x00\x16"
	    "\x00\x00\x00\x17\x00\x00"
	    "\x16\x03\x01\x03\x0d\x0b\x00\x03\x09\x00\x03\x06";
	/* Defaults: TLS 1.3, TLS_AES_256_GCM_SHA384. */
	static const char tls13_c[] =
	    "\x16\x03\x01\x01\x24\x01\x00\x01\x20\x03\x03\x0e"
	    "\xc2\xdd\x1e\xb1\xb8\xd8\x95\x71\x9e\x2c\x62\x36"
	    "\xba\x64\x25\xd9\x06\x3c\x41\xd3\x24\x06\xb2\x65"
	    "\xf4\xb8\x34\xc7\xec\x32\x8c\x20\x95\xe3\xf5\xf0"
	    "\x9d\xa4\x4e\x3d\x0a\xa3\xbc\xcb\xd8\xd7\x34\x8a"
	    "\x19\x1d\x03\xcc\x65\xfa\x38\x9e\x6c\x1c\xe4\xfd"
	    "\x4c\xef\x2c\x95\x00\x3e\x13\x02\x13\x03\x13\x01"
	    "\xc0\x2c\xc0\x30\x00\x9f\xcc\xa9\xcc\xa8\xcc\xaa"
	    "\xc0\x2b\xc0\x2f\x00\x9e\xc0\x24\xc0\x28\x00\x6b"
	    "\xc0\x23\xc0\x27\x00\x67\xc0\x0a\xc0\x14\x00\x39"
	    "\xc0\x09\xc0\x13\x00\x33\x00\x9d\x00\x9c\x00\x3d"
	    "\x00\x3c\x00\x35\x00\x2f\x00\xff\x01\x00\x00\x99"
	    "\x00\x0b\x00\x04\x03\x00\x01\x02\x00\x0a\x00\x16"
	    "\x00\x14\x00\x1d\x00\x17\x00\x1e\x00\x19\x00\x18"
	    "\x01\x00\x01\x01\x01\x02\x01\x03\x01\x04\x00\x23"
	    "\x00\x00\x00\x16\x00\x00\x00\x17\x00\x00\x00\x0d"
	    "\x00\x2a\x00\x28\x04\x03\x05\x03\x06\x03\x08\x07"
	    "\x08\x08\x08\x09\x08\x0a\x08\x0b\x08\x04\x08\x05"
	    "\x08\x06\x04\x01\x05\x01\x06\x01\x03\x03\x03\x01"
	    "\x03\x02\x04\x02\x05\x02\x06\x02\x00\x2b\x00\x09"
	    "\x08\x03\x04\x03\x03\x03\x02\x03\x01\x00\x2d\x00"
	    "\x02\x01\x01\x00\x33\x00\x26\x00\x24\x00\x1d\x00"
	    "\x20\x79\x08\x7b\x48\x38\x2b\x2a\x64\xc7\x4f\x5d"
	    "\xbb\x32\xd1\x6d\x92\x53\xcf\x9e\x0d\x6d\x50\xb0"
	    "\x84\x89\x7c\xd1\x39\xb1\xa5\x95\x54";
	static const char tls13_s[] =
	    "\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03\x90"
	    "\xe9\x6e\x88\x5b\x31\x68\xf4\x52\xb3\xc4\x9c\xd0"
	    "\x02\xc8\x45\xe8\xbb\x62\xd6\xbe\x26\x8c\xd8\x11"
	    "\xf5\x21\x95\x17\xf6\x7e\xdb\x20\x95\xe3\xf5\xf0"
	    "\x9d\xa4\x4e\x3d\x0a\xa3\xbc\xcb\xd8\xd7\x34\x8a"
	    "\x19\x1d\x03\xcc\x65\xfa\x38\x9e\x6c\x1c\xe4\xfd"
	    "\x4c\xef\x2c\x95\x13\x02\x00\x00\x2e\x00\x2b\x00"
	    "\x02\x03\x04\x00\x33\x00\x24\x00\x1d\x00\x20\xc3"
	    "\xb5\xa2\xc5\xdf\xe8\x91\xbe\x2e\x44\x50\x03\xb5"
	    "\xc2\xb0\x9d\xd3\x30\x81\xaf\x3f\x5e\xcb\x9e\x0f"
	    "\x5e\x89\xba\x18\x6b\xc5\x0c";
	struct script s10 = { .name = "openssl-tls1.0", .nsteps = 2,
	    .steps = { RAW(DIR_C2S, tls10_c), RAW(DIR_S2C, tls10_s) },
	    .want = TLS_HELLO_DONE, .at = 1 };
	struct script s13 = { .name = "openssl-tls1.3", .nsteps = 2,
	    .steps = { RAW(DIR_C2S, tls13_c), RAW(DIR_S2C, tls13_s) },
	    .want = TLS_HELLO_DONE, .at = 1 };
	struct tls_watch w;

	(void)state;
	check(&s10, &w);
	assert_int_equal(w.client_version, 0x0301);
	assert_int_equal(w.version, 0x0301);
	assert_int_equal(w.cipher, 0x002f);
	assert_string_equal(tls_cipher_name(w.cipher),
	    "TLS_RSA_WITH_AES_128_CBC_SHA");
	expect_weak(&w, "TLS 1.0");
	check(&s13, &w);
	assert_int_equal(w.client_version, 0x0304);
	assert_int_equal(w.version, 0x0304);
	assert_int_equal(w.cipher, 0x1302);
	expect_weak(&w, NULL);
}

static void
test_sslv2(void **state)
{
	/* CLIENT-HELLO: len 34, type 1, version 2, 3 specs, no sid, 16 challenge. */
	static const char v2_c[] =
	    "\x80\x22\x01\x00\x02\x00\x09\x00\x00\x00\x10"
	    "\x01\x00\x80\x07\x00\xc0\x03\x00\x80"
	    "\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff\x00";
	/* SERVER-HELLO: type 4, hit 0, cert type 1, version 2, lengths. */
	static const char v2_s[] =
	    "\x80\x0e\x04\x00\x01\x00\x02\x00\x00\x00\x03\x00\x10"
	    "\x01\x00\x80";
	/* An SSLv2-compatible hello asking for TLS 1.0 (RFC 5246 E.2). */
	static const char compat_c[] =
	    "\x80\x1f\x01\x03\x01\x00\x06\x00\x00\x00\x10"
	    "\x00\x00\x0a\x00\x00\x2f"
	    "\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff\x00";
	static struct buf s;
	struct script sv2 = { .name = "sslv2", .nsteps = 2,
	    .steps = { RAW(DIR_C2S, v2_c), RAW(DIR_S2C, v2_s) },
	    .want = TLS_HELLO_DONE, .at = 1 };
	struct script compat = { .name = "sslv2-compat", .nsteps = 2,
	    .steps = { RAW(DIR_C2S, compat_c) },
	    .want = TLS_HELLO_DONE, .at = 1 };
	struct tls_watch w;

	(void)state;
	check(&sv2, &w);
	assert_true(w.sslv2);
	assert_int_equal(w.client_version, 0x0002);
	assert_int_equal(w.version, 0x0002);
	assert_int_equal(w.cipher, 0);
	assert_string_equal(tls_version_name(w.version), "SSLv2");
	expect_weak(&w, "SSL 2.0");

	server_flight(&s, 0x0301, 0x0301, 0x002f, 0, 16384);
	compat.steps[1] = (struct step)STEP(DIR_S2C, &s);
	check(&compat, &w);
	assert_true(w.sslv2);
	assert_int_equal(w.client_version, 0x0301);
	assert_int_equal(w.version, 0x0301);
	expect_weak(&w, "TLS 1.0");
}

/* Bytes that are no TLS are said to be so within three bytes, and it sticks. */
static void
test_not_tls(void **state)
{
	static const struct {
		const char	*in;
		size_t		 n;
		enum dir	 dir;
		size_t		 decided;	/* bytes needed to say so */
	} cases[] = {
		{ "EHLO client\r\n", 13, DIR_C2S, 1 },
		{ "220 mx ESMTP\r\n", 14, DIR_S2C, 1 },
		{ "+OK ready\r\n", 11, DIR_C2S, 1 },
		{ "\x16\x02\x01\x00\x10", 5, DIR_C2S, 2 },	/* major 2 */
		{ "\x16\x03\x05\x00\x10", 5, DIR_C2S, 3 },	/* minor 5 */
		{ "\x18\x03\x01\x00\x10", 5, DIR_C2S, 1 },	/* type 24 */
		{ "\x13\x03\x01\x00\x10", 5, DIR_S2C, 1 },	/* type 19 */
		{ "\x80\x00\x01", 3, DIR_C2S, 2 },		/* SSLv2, empty */
		{ "\x80\x10\x04\x00", 4, DIR_C2S, 3 },		/* SERVER-HELLO from the client */
		{ "\x80\x10\x01\x00", 4, DIR_S2C, 3 },		/* CLIENT-HELLO from the server */
		{ "\xc3\xa9t\xc3\xa9\r\n", 7, DIR_C2S, 3 },	/* UTF-8 text */
	};
	struct tls_watch w;
	size_t i, j;
	enum tls_verdict v;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		tls_watch_init(&w);
		assert_int_equal(tls_watch_data(&w, cases[i].dir,
		    (const uint8_t *)cases[i].in, cases[i].n), TLS_NOT_TLS);
		/* Sticky, whatever follows. */
		assert_int_equal(tls_watch_data(&w, cases[i].dir,
		    (const uint8_t *)"\x16\x03\x01", 3), TLS_NOT_TLS);
		tls_watch_init(&w);
		for (j = 0; j < cases[i].n; j++) {
			v = tls_watch_data(&w, cases[i].dir,
			    (const uint8_t *)cases[i].in + j, 1);
			if (v != TLS_MORE)
				break;
		}
		assert_int_equal(v, TLS_NOT_TLS);
		assert_int_equal(j + 1, cases[i].decided);
		assert_false(w.client_hello);
		assert_false(w.server_hello);
	}
	/* The other direction is judged on its own. */
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C,
	    (const uint8_t *)"421 timeout\r\n", 13), TLS_NOT_TLS);
	assert_int_equal(tls_watch_data(&w, DIR_C2S,
	    (const uint8_t *)"\x16\x03\x01\x00", 4), TLS_MORE);
}

/* Lengths that do not add up: never a read past what was kept. */
static void
test_truncated(void **state)
{
	static struct buf s, body, msg;
	struct tls_watch w;
	size_t cut;

	(void)state;
	/* session_id claims 200 bytes the message does not hold: no cipher. */
	put16(&body, 0x0301);
	fill(&body, 0x5a, 32);
	put8(&body, 200);
	fill(&body, 0, 20);
	handshake(&msg, 2, &body);
	records(&s, 22, 0x0301, &msg, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_GIVE_UP);
	assert_false(w.server_hello);
	expect_weak(&w, NULL);
	/* Sticky. */
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_GIVE_UP);

	/* The hello cut short at every length: never a verdict from half a cipher. */
	s.n = body.n = msg.n = 0;
	server_hello_body(&body, 0x0303, 0xc02f, 0);
	for (cut = 0; cut < body.n; cut++) {
		msg.n = s.n = 0;
		put8(&msg, 2);
		put24(&msg, (unsigned)cut);
		putn(&msg, body.b, cut);
		records(&s, 22, 0x0303, &msg, 16384);
		tls_watch_init(&w);
		assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n),
		    cut >= 2 + 32 + 1 + 2 ? TLS_HELLO_DONE : TLS_GIVE_UP);
		if (cut >= 2 + 32 + 1 + 2)
			assert_int_equal(w.cipher, 0xc02f);
	}

	/* supported_versions cut short: the legacy version stands. */
	s.n = body.n = msg.n = 0;
	server_hello_body(&body, 0x0303, 0x1301, 0x0304);
	body.n--;
	handshake(&msg, 2, &body);
	records(&s, 22, 0x0303, &msg, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_HELLO_DONE);
	assert_int_equal(w.version, 0x0303);
	assert_int_equal(w.cipher, 0x1301);

	/* A record that ends before its handshake message: more is awaited. */
	s.n = body.n = msg.n = 0;
	server_hello_body(&body, 0x0303, 0xc02f, 0);
	handshake(&msg, 2, &body);
	msg.n = 20;
	records(&s, 22, 0x0303, &msg, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_MORE);

	/* The server's first message is no ServerHello. */
	s.n = body.n = msg.n = 0;
	fill(&body, 0x30, 100);
	handshake(&msg, 11, &body);
	records(&s, 22, 0x0303, &msg, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_GIVE_UP);

	/* A ClientHello that does not parse: the server still decides. */
	s.n = msg.n = 0;
	put8(&msg, 1);
	put24(&msg, 1);
	put8(&msg, 3);
	records(&s, 22, 0x0301, &msg, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_C2S, s.b, s.n), TLS_MORE);
	assert_false(w.client_hello);
	s.n = 0;
	server_flight(&s, 0x0303, 0x0303, 0xc02f, 0, 16384);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_HELLO_DONE);
}

/* Lengths an attacker picks: the state stays a few hundred bytes per side. */
static void
test_huge_lengths(void **state)
{
	static struct buf s, body, msg;
	struct tls_watch w;

	(void)state;
	assert_true(sizeof(struct tls_watch) < 2 * (TLS_HELLO_MAX + 64));

	/* A record over 2^14 + 2048 bytes (RFC 5246 §6.2.3) is no record. */
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C,
	    (const uint8_t *)"\x16\x03\x03\xff\xff", 5), TLS_GIVE_UP);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_C2S,
	    (const uint8_t *)"\x16\x03\x03\xff\xff", 5), TLS_MORE);
	/* An empty handshake record neither. */
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C,
	    (const uint8_t *)"\x16\x03\x03\x00\x00", 5), TLS_GIVE_UP);

	/* A ServerHello claiming 16 MiB: read from the first 512 bytes. */
	server_hello_body(&body, 0x0303, 0x1301, 0x0304);
	put8(&msg, 2);
	put24(&msg, 0xffffff);
	putn(&msg, body.b, body.n);
	fill(&msg, 0xee, 16000);
	records(&s, 22, 0x0303, &msg, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_HELLO_DONE);
	assert_int_equal(w.version, 0x0304);
	assert_int_equal(w.cipher, 0x1301);
	assert_int_equal(w.h[DIR_S2C].msg_len, TLS_HELLO_MAX);

	/* A ClientHello over TLS_HELLO_MAX: what was kept still counts. */
	s.n = body.n = msg.n = 0;
	client_hello_body(&body, 0x0303, NULL);
	fill(&body, 0, 3000);			/* padding past the cap */
	handshake(&msg, 1, &body);
	records(&s, 22, 0x0301, &msg, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_C2S, s.b, s.n), TLS_MORE);
	assert_true(w.client_hello);
	assert_int_equal(w.client_version, 0x0303);

	/* 16 KiB without a ServerHello: give up. */
	s.n = body.n = 0;
	fill(&body, 0x42, 1000);
	while (s.n < 17 * 1024)
		records(&s, 23, 0x0303, &body, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, 8 * 1024), TLS_MORE);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b + 8 * 1024,
	    s.n - 8 * 1024), TLS_GIVE_UP);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_C2S, s.b, s.n), TLS_GIVE_UP);
}

/* After the ServerHello every call says so; nothing is read any more. */
static void
test_done_is_sticky(void **state)
{
	static struct buf s;
	struct tls_watch w;

	(void)state;
	server_flight(&s, 0x0301, 0x0301, 0x0005, 0, 16384);
	tls_watch_init(&w);
	assert_int_equal(tls_watch_data(&w, DIR_S2C, s.b, s.n), TLS_HELLO_DONE);
	assert_int_equal(tls_watch_data(&w, DIR_C2S,
	    (const uint8_t *)"EHLO x\r\n", 8), TLS_HELLO_DONE);
	assert_int_equal(tls_watch_data(&w, DIR_S2C,
	    (const uint8_t *)"garbage", 7), TLS_HELLO_DONE);
	expect_weak(&w, "TLS 1.0 with an RC4 cipher");
	assert_true(tls_is_weak(&w, NULL));
}

static void
test_names(void **state)
{
	static const struct {
		uint16_t	 code;
		const char	*name;
	} known[] = {
		{ 0x0000, "TLS_NULL_WITH_NULL_NULL" },
		{ 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
		{ 0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA" },
		{ 0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA" },
		{ 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
		{ 0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384" },
		{ 0x1301, "TLS_AES_128_GCM_SHA256" },
		{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
		{ 0xc001, "TLS_ECDH_ECDSA_WITH_NULL_SHA" },
		{ 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
		{ 0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384" },
		{ 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
		{ 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	};
	size_t i;
	unsigned c;

	(void)state;
	for (i = 0; i < NELEM(known); i++)
		assert_string_equal(tls_cipher_name(known[i].code),
		    known[i].name);
	assert_null(tls_cipher_name(0x1234));
	assert_null(tls_cipher_name(0xffff));
	/* Every code in the classic ranges has a name. */
	for (c = 0x0000; c <= 0x003a; c++)
		if (c != 0x001c && c != 0x001d)	/* FORTEZZA, withdrawn */
			assert_non_null(tls_cipher_name((uint16_t)c));
	for (c = 0xc001; c <= 0xc032; c++)
		assert_non_null(tls_cipher_name((uint16_t)c));
	assert_string_equal(tls_version_name(0x0002), "SSLv2");
	assert_string_equal(tls_version_name(0x0300), "SSLv3");
	assert_string_equal(tls_version_name(0x0301), "TLSv1.0");
	assert_string_equal(tls_version_name(0x0302), "TLSv1.1");
	assert_string_equal(tls_version_name(0x0303), "TLSv1.2");
	assert_string_equal(tls_version_name(0x0304), "TLSv1.3");
	assert_null(tls_version_name(0x0305));
	assert_null(tls_version_name(0x7f1c));
	assert_null(tls_version_name(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_and_ciphers),
		cmocka_unit_test(test_client_versions),
		cmocka_unit_test(test_fragmented_records),
		cmocka_unit_test(test_coalesced_and_other_records),
		cmocka_unit_test(test_openssl_captures),
		cmocka_unit_test(test_sslv2),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_done_is_sticky),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
