/*
 * test_line.c - the shared line splitter: CRLF and LF, every split position,
 * overflow and discard, NUL as a flag, raw mode, gaps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/line.h"

/* Feed s in chunks cut at `cut` and render events as "L:text|", "R:text|", "T:len|". */
static void
run(struct line_splitter *ls, const char *s, size_t len, size_t cut,
    char *out, size_t outcap)
{
	size_t off = 0, o = 0, part;
	struct line ln;
	enum line_ev ev;

	out[0] = '\0';
	while (off < len) {
		const uint8_t *p;
		size_t n;

		part = cut == 0 ? len : cut;
		if (part > len - off)
			part = len - off;
		p = (const uint8_t *)s + off;
		n = part;
		while ((ev = line_next(ls, &p, &n, &ln)) != LINE_NEED) {
			int w;

			if (ev == LINE_LONG)
				w = snprintf(out + o, outcap - o, "T:%zu|", ln.len);
			else if (ev == LINE_RAW && o > 0 && out[o - 1] == ']') {
				/* Raw bytes may come in pieces: render one run. */
				o--;
				w = snprintf(out + o, outcap - o, "%.*s]",
				    (int)ln.len, (const char *)ln.p);
			} else if (ev == LINE_RAW)
				w = snprintf(out + o, outcap - o, "R:[%.*s]",
				    (int)ln.len, (const char *)ln.p);
			else
				w = snprintf(out + o, outcap - o, "L:%.*s%s|",
				    (int)ln.len,
				    (const char *)ln.p, ln.nul ? "<nul>" : "");
			assert_true(w > 0 && (size_t)w < outcap - o);
			o += (size_t)w;
			if (ev == LINE_OK && ln.len >= 4 && memcmp(ln.p, "BDAT", 4) == 0)
				line_set_raw(ls, 5);
		}
		assert_int_equal(n, 0);
		off += part;
	}
}

static void
check_all_splits(const char *s, size_t len, const char *want)
{
	static struct line_splitter ls;
	static char out[20000];
	size_t cut;

	for (cut = 0; cut <= len; cut++) {
		line_init(&ls);
		run(&ls, s, len, cut, out, sizeof(out));
		if (strcmp(out, want) != 0)
			fail_msg("cut %zu: got '%s' want '%s'", cut, out, want);
	}
}

static void
test_crlf_and_lf(void **state)
{
	const char s[] = "EHLO a\r\nMAIL FROM:<x>\nQUIT\r\n";

	(void)state;
	check_all_splits(s, sizeof(s) - 1, "L:EHLO a|L:MAIL FROM:<x>|L:QUIT|");
}

static void
test_bare_cr_is_not_an_end(void **state)
{
	const char s[] = "a\rb\r\n\r\n";

	(void)state;
	check_all_splits(s, sizeof(s) - 1, "L:a\rb|L:|");
}

static void
test_nul_is_a_flag(void **state)
{
	const char s[] = "AU\0TH\r\nok\r\n";

	(void)state;
	check_all_splits(s, sizeof(s) - 1, "L:AU<nul>|L:ok|");
}

static void
test_raw_mode(void **state)
{
	/* BDAT then 5 raw bytes ending mid-line, then a command again. */
	const char s[] = "BDAT 5\r\nab\r\ncQUIT\r\n";

	(void)state;
	check_all_splits(s, sizeof(s) - 1, "L:BDAT 5|R:[ab\r\nc]L:QUIT|");
}

static void
test_overflow_discards_to_eol(void **state)
{
	static char s[LINE_MAX_LEN * 2 + 32];
	static char want[64];
	size_t n;

	(void)state;
	memset(s, 'A', LINE_MAX_LEN + 100);
	n = LINE_MAX_LEN + 100;
	memcpy(s + n, "\r\nNEXT\r\n", 8);
	n += 8;
	snprintf(want, sizeof(want), "T:%d|L:NEXT|", LINE_MAX_LEN);
	check_all_splits(s, n, want);
}

static void
test_exactly_max_is_a_line(void **state)
{
	static char s[LINE_MAX_LEN + 8];
	struct line_splitter *ls = calloc(1, sizeof(*ls));
	const uint8_t *p = (const uint8_t *)s;
	size_t n;
	struct line ln;

	(void)state;
	memset(s, 'B', LINE_MAX_LEN);
	memcpy(s + LINE_MAX_LEN, "\n", 1);
	n = LINE_MAX_LEN + 1;
	line_init(ls);
	assert_int_equal(line_next(ls, &p, &n, &ln), LINE_OK);
	assert_int_equal(ln.len, LINE_MAX_LEN);
	free(ls);
}

static void
test_gap_resyncs_at_next_line(void **state)
{
	struct line_splitter *ls = calloc(1, sizeof(*ls));
	const uint8_t *p;
	size_t n;
	struct line ln;

	(void)state;
	line_init(ls);
	p = (const uint8_t *)"AUTH PL";
	n = 7;
	assert_int_equal(line_next(ls, &p, &n, &ln), LINE_NEED);
	line_gap(ls, 100);
	p = (const uint8_t *)"AIN tail\r\nQUIT\r\n";
	n = 16;
	assert_int_equal(line_next(ls, &p, &n, &ln), LINE_OK);
	assert_int_equal(ln.len, 4);
	assert_memory_equal(ln.p, "QUIT", 4);
	free(ls);
}

static void
test_gap_inside_raw(void **state)
{
	struct line_splitter *ls = calloc(1, sizeof(*ls));
	const uint8_t *p;
	size_t n;
	struct line ln;

	(void)state;
	line_init(ls);
	line_set_raw(ls, 10);
	line_gap(ls, 4);		/* 6 raw bytes still to come */
	p = (const uint8_t *)"123456QUIT\r\n";
	n = 12;
	assert_int_equal(line_next(ls, &p, &n, &ln), LINE_RAW);
	assert_int_equal(ln.len, 6);
	assert_int_equal(line_next(ls, &p, &n, &ln), LINE_OK);
	assert_memory_equal(ln.p, "QUIT", 4);
	free(ls);
}

static void
test_verb(void **state)
{
	(void)state;
	assert_true(line_verb_is((const uint8_t *)"auth plain", 10, "AUTH"));
	assert_true(line_verb_is((const uint8_t *)"QUIT", 4, "QUIT"));
	assert_false(line_verb_is((const uint8_t *)"QUITX", 5, "QUIT"));
	assert_false(line_verb_is((const uint8_t *)"QUI", 3, "QUIT"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_and_lf),
		cmocka_unit_test(test_bare_cr_is_not_an_end),
		cmocka_unit_test(test_nul_is_a_flag),
		cmocka_unit_test(test_raw_mode),
		cmocka_unit_test(test_overflow_discards_to_eol),
		cmocka_unit_test(test_exactly_max_is_a_line),
		cmocka_unit_test(test_gap_resyncs_at_next_line),
		cmocka_unit_test(test_gap_inside_raw),
		cmocka_unit_test(test_verb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
