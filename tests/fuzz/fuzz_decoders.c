/*
 * fuzz_decoders.c - libFuzzer harness for every decoder in decoders[].
 *
 * The input is a script played against each decoder in turn, the way the
 * reassembler drives one (reassembly/flow.c): probe() on the first chunk
 * of each direction, init(), data() per chunk until DEC_DONE, DEC_MISMATCH
 * or DEC_TUNNEL, gap() events, then end() unless the decoder stopped
 * itself, and wipe() before the state is freed.
 *
 *   byte 0   bit 0: midstream; bits 1-3: end reason (modulo END_EXIT + 1)
 *   then ops, each starting with a control byte c:
 *     c & 0x80          direction: S2C when set, C2S when clear
 *     c & 0x40 == 0     data: length c & 0x3f; 0x3f means a big-endian
 *                       16-bit length follows; the bytes follow
 *     c & 0x60 == 0x40  gap: (next byte + 1) << (c & 0x1f) bytes missing
 *     c & 0x60 == 0x60  end of script (the rest is ignored)
 *
 * Each chunk is copied into a buffer of its exact size, so ASan catches a
 * read one byte past it.  Findings go to a hook that checks their shape.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../decoders/decoder.h"
#include "../../decoders/sasl.h"

#define MAX_TEXT	1024	/* longest label or reason a decoder passes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct run {
	const struct decoder	*dec;
	const struct flow_info	*fi;
	uint64_t		 ts;
	void			*st;
	unsigned		 findings;
};

static struct alert_sink *sink;
static struct run *cur;		/* what the hook checks findings against */

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_decoders: invariant broken: %s\n", what);
	abort();
}

#define CHECK(cond)	do { if (!(cond)) fail(#cond); } while (0)

/* A C string the alert writer may read: NUL-terminated within MAX_TEXT. */
static void
check_text(const char *s)
{
	CHECK(s != NULL);
	CHECK(strnlen(s, MAX_TEXT) < MAX_TEXT);
}

static void
hook(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	struct run *r = cur;
	volatile uint8_t sum = 0;
	size_t i;

	(void)arg;
	CHECK(r != NULL && r->dec != NULL);
	CHECK(fi == r->fi);
	CHECK(ts_us == r->ts);
	CHECK((unsigned)f->kind < K__COUNT);
	check_text(f->app_proto);
	CHECK(strcmp(f->app_proto, r->dec->name) == 0);
	if (f->mechanism != NULL)
		check_text(f->mechanism);
	if (f->reason != NULL)
		check_text(f->reason);
	CHECK(f->username_len <= SASL_USER_MAX);
	if (f->username == NULL)
		CHECK(f->username_len == 0 && !f->username_truncated);
	for (i = 0; f->username != NULL && i < f->username_len; i++)
		sum ^= f->username[i];	/* ASan: every byte is readable */
	(void)sum;
	CHECK(f->result == RES_UNKNOWN || f->result == RES_SUCCESS ||
	    f->result == RES_FAILURE);
	CHECK(f->starttls_offered == TRI_UNKNOWN ||
	    f->starttls_offered == TRI_NO || f->starttls_offered == TRI_YES);
	CHECK(f->nmechs <= FINDING_MAX_MECHS);
	for (i = 0; i < f->nmechs; i++)
		check_text(f->mechs[i]);
	if (f->kind == K_CLEARTEXT_CREDENTIALS ||
	    f->kind == K_CHALLENGE_RESPONSE)
		check_text(f->mechanism);
	r->findings++;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct alert_opts opts;

	(void)argc;
	(void)argv;
	memset(&opts, 0, sizeof(opts));
	opts.out = NULL;
	opts.sensor = "fuzz";
	opts.hook = hook;
	if ((sink = alert_sink_new(&opts)) == NULL)
		abort();
	return 0;
}

/* Copy n bytes into a buffer of exactly that size (ASan's bounds). */
static uint8_t *
exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *b;

	if ((b = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	if (n > 0)
		memcpy(b, p, n);
	return b;
}

static void
play(const struct decoder *dec, const uint8_t *data, size_t size)
{
	static const struct flow_info proto_fi = {
		.family = 4,
		.cli_addr = { 10, 0, 0, 1 },
		.srv_addr = { 10, 0, 0, 2 },
		.cli_port = 40000,
		.srv_port = 25,
		.flow_id = 1,
		.input = "fuzz",
	};
	struct flow_info fi = proto_fi;
	struct dec_counters ctr;
	struct dec_ctx ctx;
	struct run run;
	enum end_reason why;
	enum probe_result pr;
	enum dec_status ds = DEC_MORE;
	const uint8_t *p = data + 1, *end = data + size;
	bool probed[2] = { false, false }, srv;
	uint8_t *chunk, *st;
	uint64_t skip[2] = { 0, 0 };
	size_t n, k;
	uint8_t c;
	enum dir d;

	fi.midstream = (data[0] & 1) != 0;
	why = (enum end_reason)(((data[0] >> 1) & 7) % (END_EXIT + 1));
	if ((st = calloc(1, dec->state_size)) == NULL)
		abort();
	memset(&ctr, 0, sizeof(ctr));
	memset(&run, 0, sizeof(run));
	run.dec = dec;
	run.fi = &fi;
	run.st = st;
	ctx.flow = &fi;
	ctx.sink = sink;
	ctx.ctr = &ctr;
	ctx.ts_us = 1000000;
	cur = &run;
	dec->init(st, fi.midstream);

	while (p < end && ds == DEC_MORE) {
		c = *p++;
		d = (c & 0x80) ? DIR_S2C : DIR_C2S;
		ctx.ts_us += 1000;
		run.ts = ctx.ts_us;
		if ((c & 0x40) == 0) {
			n = c & 0x3f;
			if (n == 0x3f) {
				if (end - p < 2)
					break;
				n = (size_t)p[0] << 8 | p[1];
				p += 2;
			}
			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			chunk = exact_copy(p, n);
			p += n;
			if (!probed[d]) {
				/* As classify() does, on what came first. */
				probed[d] = true;
				srv = false;
				pr = dec->probe(d, chunk, n, &srv);
				CHECK(pr == PROBE_NO || pr == PROBE_MAYBE ||
				    pr == PROBE_YES);
			}
			/* As reassembly does: skipped bytes never arrive. */
			k = skip[d] < n ? (size_t)skip[d] : n;
			skip[d] -= k;
			ctx.consumed = SIZE_MAX;
			ctx.skip = 0;
			if (k < n)
				ds = dec->data(st, &ctx, d, chunk + k, n - k);
			if (ds == DEC_MORE && ctx.skip > 0)
				skip[d] = ctx.skip;
			free(chunk);
			CHECK(ds == DEC_MORE || ds == DEC_DONE ||
			    ds == DEC_MISMATCH || ds == DEC_TUNNEL);
			/* The reassembler trims the chunk by what was used. */
			if (ds == DEC_TUNNEL)
				CHECK(ctx.consumed <= n - k);
		} else if ((c & 0x60) == 0x40) {
			if (p == end)
				break;
			n = ((size_t)*p++ + 1) << (c & 0x1f);
			k = skip[d] < n ? (size_t)skip[d] : n;
			skip[d] -= k;
			if (dec->gap != NULL && k < n)
				dec->gap(st, &ctx, d, n - k);
		} else
			break;
	}
	ctx.ts_us += 1000;
	run.ts = ctx.ts_us;
	/* The reassembler detaches a decoder that stopped itself: no end(). */
	if (ds == DEC_MORE)
		dec->end(st, &ctx, why);
	if (dec->wipe != NULL)
		dec->wipe(st);
	free(st);
	cur = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	if (size < 1)
		return 0;
	for (i = 0; decoders[i] != NULL; i++)
		play(decoders[i], data, size);
	return 0;
}
