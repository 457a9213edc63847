/*
 * line.c - shared line splitter (see line.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"

/*
 * Buffers for split lines, shared by every flow of every worker: a line
 * split across segments is common (DATA bodies, long headers) and must not
 * cost a malloc each time.  The pool is bounded; beyond it buffers are
 * freed.
 */
#define LINE_POOL_MAX	256

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *pool[LINE_POOL_MAX];
static size_t npool;

static uint8_t *
buf_get(void)
{
	uint8_t *b = NULL;

	pthread_mutex_lock(&pool_mu);
	if (npool > 0)
		b = pool[--npool];
	pthread_mutex_unlock(&pool_mu);
	return b != NULL ? b : malloc(LINE_MAX_LEN);
}

/* The buffer back to the pool; its bytes were wiped by the caller. */
static void
buf_put(struct line_splitter *ls)
{
	uint8_t *b = ls->buf;

	ls->buf = NULL;
	if (b == NULL)
		return;
	pthread_mutex_lock(&pool_mu);
	if (npool < LINE_POOL_MAX) {
		pool[npool++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&pool_mu);
	free(b);
}

void
line_init(struct line_splitter *ls)
{
	if (ls->buf != NULL)
		line_wipe(ls);
	ls->len = 0;
	ls->raw_left = 0;
	ls->discarding = false;
	ls->held = 0;
}

void
line_set_raw(struct line_splitter *ls, size_t n)
{
	ls->raw_left = n;
}

void
line_gap(struct line_splitter *ls, size_t missing)
{
	if (ls->raw_left > 0) {
		if (missing < ls->raw_left) {
			ls->raw_left -= missing;
			return;
		}
		ls->raw_left = 0;
	}
	/* Whatever follows a hole starts mid-line: resync at the next LF. */
	if (ls->buf != NULL) {
		explicit_bzero(ls->buf, ls->len > ls->held ? ls->len : ls->held);
		buf_put(ls);
	}
	ls->len = 0;
	ls->held = 0;
	ls->discarding = true;
}

void
line_wipe(struct line_splitter *ls)
{
	if (ls->buf != NULL) {
		explicit_bzero(ls->buf, LINE_MAX_LEN);
		buf_put(ls);
	}
	ls->len = 0;
	ls->held = 0;
}

/* Strip one trailing CR and note NULs. */
static void
finish(struct line *out, const uint8_t *p, size_t len)
{
	if (len > 0 && p[len - 1] == '\r')
		len--;
	out->p = p;
	out->len = len;
	out->nul = memchr(p, '\0', len) != NULL;
}

enum line_ev
line_next(struct line_splitter *ls, const uint8_t **pp, size_t *np,
    struct line *out)
{
	const uint8_t *p = *pp, *lf;
	size_t n = *np, take;

	if (ls->held > 0) {
		/* The copied line handed out last time is no longer needed. */
		explicit_bzero(ls->buf, ls->held);
		ls->held = 0;
		if (ls->len == 0)
			buf_put(ls);
	}

	if (ls->raw_left > 0) {
		if (n == 0)
			return LINE_NEED;
		take = n < ls->raw_left ? n : ls->raw_left;
		out->p = p;
		out->len = take;
		out->nul = false;
		ls->raw_left -= take;
		*pp = p + take;
		*np = n - take;
		return LINE_RAW;
	}

	while (ls->discarding) {
		if (n == 0)
			return LINE_NEED;
		lf = memchr(p, '\n', n);
		if (lf == NULL) {
			*pp = p + n;
			*np = 0;
			return LINE_NEED;
		}
		n -= (size_t)(lf - p) + 1;
		p = lf + 1;
		ls->discarding = false;
	}

	if (n == 0) {
		*pp = p;
		*np = 0;
		return LINE_NEED;
	}
	lf = memchr(p, '\n', n);
	take = lf != NULL ? (size_t)(lf - p) : n;	/* bytes before the LF */

	if (ls->len == 0 && lf != NULL && take <= LINE_MAX_LEN) {
		/* Whole line in the input: no copy. */
		finish(out, p, take);
		*pp = p + take + 1;
		*np = n - take - 1;
		return LINE_OK;
	}

	if (ls->buf == NULL && (ls->buf = buf_get()) == NULL) {
		/* No memory for the split line: drop it as if too long. */
		ls->len = 0;
		if (lf != NULL) {
			*pp = lf + 1;
			*np = n - take - 1;
		} else {
			*pp = p + n;
			*np = 0;
			ls->discarding = true;
		}
		return LINE_NEED;
	}
	if (ls->len + take > LINE_MAX_LEN) {
		/* Too long: deliver the first LINE_MAX_LEN bytes, drop the rest. */
		size_t room = LINE_MAX_LEN - ls->len;

		memcpy(ls->buf + ls->len, p, room);
		out->p = ls->buf;
		out->len = LINE_MAX_LEN;
		out->nul = memchr(ls->buf, '\0', LINE_MAX_LEN) != NULL;
		ls->held = LINE_MAX_LEN;
		ls->len = 0;
		if (lf != NULL) {
			*pp = lf + 1;
			*np = n - take - 1;
		} else {
			*pp = p + n;
			*np = 0;
			ls->discarding = true;
		}
		return LINE_LONG;
	}

	memcpy(ls->buf + ls->len, p, take);
	ls->len += take;
	if (lf == NULL) {
		*pp = p + n;
		*np = 0;
		return LINE_NEED;
	}
	finish(out, ls->buf, ls->len);
	ls->held = ls->len;
	ls->len = 0;
	*pp = lf + 1;
	*np = n - take - 1;
	return LINE_OK;
}

bool
ascii_agrees(const uint8_t *p, size_t n, const char *w)
{
	size_t i, wl = strlen(w);

	for (i = 0; i < n && i < wl; i++)
		if (ascii_lower(p[i]) != ascii_lower((unsigned char)w[i]))
			return false;
	return true;
}

bool
ascii_ieq(const uint8_t *p, size_t n, const char *w)
{
	return n == strlen(w) && ascii_agrees(p, n, w);
}

bool
ascii_prefix(const uint8_t *p, size_t n, const char *w)
{
	return n >= strlen(w) && ascii_agrees(p, n, w);
}

bool
ascii_find(const uint8_t *p, size_t n, const char *w)
{
	size_t i, wl = strlen(w);

	for (i = 0; i + wl <= n; i++)
		if (ascii_agrees(p + i, wl, w))
			return true;
	return false;
}

bool
line_verb_is(const uint8_t *p, size_t n, const char *w)
{
	size_t i, wl = strlen(w);

	if (n < wl)
		return false;
	for (i = 0; i < wl; i++)
		if (ascii_lower(p[i]) != ascii_lower((unsigned char)w[i]))
			return false;
	return n == wl || p[wl] == ' ' || p[wl] == '\t';
}

size_t
line_skip_ws(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}
