/*
 * fuzz_tls.c - libFuzzer harness for the TLS hello reader (decoders/tls.c).
 *
 * The input is a script in fuzz_decoders' format (byte 0 is read and
 * ignored; data ops carry the bytes of each direction after an upgrade;
 * gap ops are skipped, as the reader has no gap call).  Bytes go to
 * tls_watch_data() until it gives a verdict other than TLS_MORE, as the
 * tls.h contract says; then the verdict's accessors are checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../decoders/tls.h"

#define MAX_NAME	128	/* longest version, cipher or reason name */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_tls: invariant broken: %s\n", what);
	abort();
}

#define CHECK(cond)	do { if (!(cond)) fail(#cond); } while (0)

/* NULL or a C string of a sane length. */
static void
check_name(const char *s)
{
	if (s != NULL)
		CHECK(strnlen(s, MAX_NAME) < MAX_NAME);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_watch *w;
	enum tls_verdict v = TLS_MORE;
	const uint8_t *p, *end;
	const char *why;
	uint8_t *chunk, c;
	size_t n;
	enum dir d;
	bool weak;

	if (size < 1)
		return 0;
	p = data + 1;
	end = data + size;
	/* On the heap, so that ASan bounds the state too. */
	if ((w = malloc(sizeof(*w))) == NULL)
		abort();
	memset(w, 0xa5, sizeof(*w));	/* tls_watch_init() must zero it */
	tls_watch_init(w);

	while (p < end && v == TLS_MORE) {
		c = *p++;
		d = (c & 0x80) ? DIR_S2C : DIR_C2S;
		if ((c & 0x60) == 0x60)
			break;
		if ((c & 0x40) != 0) {
			p++;		/* a gap op's size byte */
			continue;
		}
		n = c & 0x3f;
		if (n == 0x3f) {
			if (end - p < 2)
				break;
			n = (size_t)p[0] << 8 | p[1];
			p += 2;
		}
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		if ((chunk = malloc(n > 0 ? n : 1)) == NULL)
			abort();
		if (n > 0)
			memcpy(chunk, p, n);
		p += n;
		v = tls_watch_data(w, d, chunk, n);
		free(chunk);
		CHECK(v == TLS_MORE || v == TLS_NOT_TLS ||
		    v == TLS_HELLO_DONE || v == TLS_GIVE_UP);
		CHECK(w->h[0].msg_len <= TLS_HELLO_MAX);
		CHECK(w->h[1].msg_len <= TLS_HELLO_MAX);
	}
	if (v == TLS_HELLO_DONE)
		CHECK(w->server_hello);
	why = NULL;
	weak = tls_is_weak(w, &why);
	if (weak) {
		CHECK(why != NULL);
		check_name(why);
	}
	check_name(tls_version_name(w->version));
	check_name(tls_version_name(w->client_version));
	check_name(tls_cipher_name(w->cipher));
	free(w);
	return 0;
}
