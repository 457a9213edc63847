/*
 * test_tcp.c - the per-direction stream window: order, overlaps, gaps,
 * sequence wrap-around and the ACK-gated delivery policy of flow.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../reassembly/tcp.h"

/* What the sink received: bytes, with a '#' per gap event. */
struct rec {
	char	 out[65536];
	size_t	 len;
	size_t	 gaps, gap_bytes;
	bool	 stop_after_data;
};

static bool
rec_data(void *arg, const uint8_t *p, size_t n)
{
	struct rec *r = arg;

	assert_true(r->len + n < sizeof(r->out));
	memcpy(r->out + r->len, p, n);
	r->len += n;
	r->out[r->len] = '\0';
	return !r->stop_after_data;
}

static bool
rec_gap(void *arg, size_t n)
{
	struct rec *r = arg;

	r->gaps++;
	r->gap_bytes += n;
	r->out[r->len++] = '#';
	r->out[r->len] = '\0';
	return true;
}

struct fixture {
	struct half		h;
	struct rbuf		*b;
	struct rec		rec;
	struct half_sink	sink;
	struct reasm_counters	c;
};

static struct fixture *
fx_new(uint32_t isn)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->b = calloc(1, sizeof(struct rbuf) + RBUF_SIZE);
	assert_non_null(fx->b);
	fx->b->cap = RBUF_SIZE;
	fx->h.buf = fx->b;
	fx->h.base = isn;
	fx->h.flags = H_SEQ;
	fx->sink.data = rec_data;
	fx->sink.gap = rec_gap;
	fx->sink.arg = &fx->rec;
	return fx;
}

static void
put(struct fixture *fx, uint32_t seq, const char *s)
{
	assert_true(half_insert(&fx->h, seq, (const uint8_t *)s, strlen(s), 1,
	    &fx->c, &fx->sink));
}

static void
test_in_order_waits_for_ack(void **state)
{
	struct fixture *fx = fx_new(1000);

	(void)state;
	put(fx, 1000, "220 hello\r\n");
	put(fx, 1011, "250 ok\r\n");
	assert_int_equal(fx->rec.len, 0);	/* nothing acknowledged yet */
	half_deliver(&fx->h, 1011, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "220 hello\r\n");
	half_deliver(&fx->h, 1019, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "220 hello\r\n250 ok\r\n");
	assert_false(half_pending(&fx->h));
	free(fx->b);
	free(fx);
}

static void
test_out_of_order(void **state)
{
	struct fixture *fx = fx_new(1);

	(void)state;
	put(fx, 7, "DEF");
	put(fx, 4, "abc");
	put(fx, 1, "XYZ");
	half_deliver(&fx->h, 10, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "XYZabcDEF");
	assert_int_equal(fx->rec.gaps, 0);
	free(fx->b);
	free(fx);
}

static void
test_retransmission_dropped(void **state)
{
	struct fixture *fx = fx_new(1);

	(void)state;
	put(fx, 1, "hello");
	half_deliver(&fx->h, 6, false, &fx->c, &fx->sink);
	put(fx, 1, "HELLO");	/* wholly before the delivery point */
	put(fx, 3, "LLO world");	/* partly: only " world" is new */
	half_deliver(&fx->h, 12, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "hello world");
	assert_int_equal(fx->c.retransmissions, 1);
	free(fx->b);
	free(fx);
}

/*
 * A bogus segment the receiver never acknowledged is replaced by the genuine
 * bytes that overlap it: the later copy of waiting bytes wins.
 */
static void
test_unacked_overlap_later_copy_wins(void **state)
{
	struct fixture *fx = fx_new(1);
	char bogus[5003];

	(void)state;
	memcpy(bogus, "220 ok\r\n", 8);
	memset(bogus + 8, 'A', sizeof(bogus) - 9);
	bogus[sizeof(bogus) - 1] = '\0';
	put(fx, 1, bogus);
	half_deliver(&fx->h, 9, false, &fx->c, &fx->sink);	/* greeting only */
	put(fx, 9, "250-x\r\n250 AUTH PLAIN\r\n");
	half_deliver(&fx->h, 9 + 23, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "220 ok\r\n250-x\r\n250 AUTH PLAIN\r\n");
	assert_int_equal(fx->c.overlap_diff, 1);
	free(fx->b);
	free(fx);
}

static void
test_ack_past_hole_is_gap(void **state)
{
	struct fixture *fx = fx_new(100);

	(void)state;
	put(fx, 100, "one\n");
	put(fx, 110, "three\n");	/* bytes 104..109 never captured */
	half_deliver(&fx->h, 116, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "one\n#three\n");
	assert_int_equal(fx->rec.gaps, 1);
	assert_int_equal(fx->rec.gap_bytes, 6);
	free(fx->b);
	free(fx);
}

static void
test_ack_beyond_everything_is_gap(void **state)
{
	struct fixture *fx = fx_new(100);

	(void)state;
	put(fx, 100, "one\n");
	half_deliver(&fx->h, 150, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "one\n#");
	assert_int_equal(fx->rec.gap_bytes, 46);
	put(fx, 150, "two\n");
	half_deliver(&fx->h, 154, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "one\n#two\n");
	free(fx->b);
	free(fx);
}

static void
test_flush_all_with_holes(void **state)
{
	struct fixture *fx = fx_new(0);

	(void)state;
	put(fx, 0, "a");
	put(fx, 5, "b");
	put(fx, 9, "c");
	half_deliver(&fx->h, 0, true, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "a#b#c");
	assert_int_equal(fx->rec.gap_bytes, 4 + 3);
	free(fx->b);
	free(fx);
}

static void
test_sequence_wraparound(void **state)
{
	struct fixture *fx = fx_new(0xfffffffcu);

	(void)state;
	put(fx, 0x00000002u, "CD");	/* after the wrap, out of order */
	put(fx, 0xfffffffcu, "AUTH");
	put(fx, 0x00000000u, "AB");
	half_deliver(&fx->h, 0x00000004u, false, &fx->c, &fx->sink);
	assert_string_equal(fx->rec.out, "AUTHABCD");
	free(fx->b);
	free(fx);
}

static void
test_window_overflow_forces_delivery(void **state)
{
	struct fixture *fx = fx_new(0);
	char *big = malloc(RBUF_SIZE + 11);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', RBUF_SIZE + 10);
	big[RBUF_SIZE + 10] = '\0';
	put(fx, 0, "head\n");
	put(fx, 5, big);	/* larger than the window: handed on directly */
	assert_int_equal(fx->rec.len, 5 + RBUF_SIZE + 10);
	assert_int_equal(fx->c.window_overflow, 1);
	assert_int_equal(fx->h.base, 5 + RBUF_SIZE + 10);
	free(big);
	free(fx->b);
	free(fx);
}

static void
test_too_many_islands(void **state)
{
	struct fixture *fx = fx_new(0);
	uint32_t i;

	(void)state;
	for (i = 0; i < RBUF_RANGES + 4; i++)
		put(fx, 10 + i * 10, "z");
	/* Never more islands than the cap; the overflow was delivered with gaps. */
	assert_true(fx->b->nr <= RBUF_RANGES);
	assert_true(fx->c.window_overflow >= 1);
	assert_true(fx->rec.gaps >= 1);
	assert_null(memchr(fx->rec.out, '\0', fx->rec.len));
	free(fx->b);
	free(fx);
}

static void
test_far_future_segment_ignored(void **state)
{
	struct fixture *fx = fx_new(0);

	(void)state;
	put(fx, 0x40000000u, "forged");
	assert_false(half_pending(&fx->h));
	free(fx->b);
	free(fx);
}

static void
test_sink_stop_leaves_at_once(void **state)
{
	struct fixture *fx = fx_new(0);

	(void)state;
	put(fx, 0, "first");
	put(fx, 6, "second");
	fx->rec.stop_after_data = true;
	half_deliver(&fx->h, 0, true, &fx->c, &fx->sink);
	/* The sink said stop after the first chunk: nothing else handed on. */
	assert_string_equal(fx->rec.out, "first");
	free(fx->b);
	free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_waits_for_ack),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_retransmission_dropped),
		cmocka_unit_test(test_unacked_overlap_later_copy_wins),
		cmocka_unit_test(test_ack_past_hole_is_gap),
		cmocka_unit_test(test_ack_beyond_everything_is_gap),
		cmocka_unit_test(test_flush_all_with_holes),
		cmocka_unit_test(test_sequence_wraparound),
		cmocka_unit_test(test_window_overflow_forces_delivery),
		cmocka_unit_test(test_too_many_islands),
		cmocka_unit_test(test_far_future_segment_ignored),
		cmocka_unit_test(test_sink_stop_leaves_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
