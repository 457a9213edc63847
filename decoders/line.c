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

/* --- interactive terminal logins (see line.h) --------------------------- */

enum { TP_NONE = 0, TP_USER, TP_PASS };
/* enum auth_result (alerts/alert.h), which this file does not include. */
enum { TR_UNKNOWN = 0, TR_SUCCESS, TR_FAILURE };

void
term_init(struct term_login *t)
{
	memset(t, 0, sizeof(*t));
}

/* Whether the tail, less trailing blanks, ends with w (lower case). */
static bool
tail_ends(const struct term_login *t, const char *w)
{
	size_t n = t->tail_len, wl = strlen(w);

	while (n > 0 && (t->tail[n - 1] == ' ' || t->tail[n - 1] == '\t'))
		n--;
	return n >= wl && memcmp(t->tail + n - wl, w, wl) == 0;
}

/* The prompt the server's output ends with. */
static int
tail_prompt(const struct term_login *t)
{
	if (t->srv_since == 0)
		return TP_NONE;
	if (tail_ends(t, "login:") || tail_ends(t, "username:") ||
	    tail_ends(t, "user name:"))
		return TP_USER;
	if (tail_ends(t, "password:"))
		return TP_PASS;
	return TP_NONE;
}

/* A shell prompt: the output ends in $, #, % or > (then perhaps a space). */
static bool
tail_shell(const struct term_login *t)
{
	size_t n = t->tail_len;

	while (n > 0 && (t->tail[n - 1] == ' ' || t->tail[n - 1] == '\t'))
		n--;
	return t->srv_since > 0 && n > 0 && (t->tail[n - 1] == '$' ||
	    t->tail[n - 1] == '#' || t->tail[n - 1] == '%' ||
	    t->tail[n - 1] == '>');
}

static void
term_finish(struct term_login *t, int result, term_done_fn *cb, void *arg)
{
	if (t->stage == 0)
		return;
	cb(arg, t, result);
	explicit_bzero(t->pw, sizeof(t->pw));
	t->pw_len = 0;
	t->stage = 0;
	if (result == TR_SUCCESS)
		t->done = true;
}

/* What login(1), PAM and network devices print for a refused login. */
static const char *const term_refusals[] = {
	"incorrect", "login failed", "authentication failed",
	"authentication failure", "access denied", "permission denied",
	"bad password", "invalid password", "invalid login",
};

void
term_server(struct term_login *t, const uint8_t *p, size_t n,
    term_done_fn *cb, void *arg)
{
	size_t i, k;
	int c;

	for (i = 0; i < n && !t->done; i++) {
		c = p[i];
		if (c == '\r')
			c = '\n';
		else if (c != '\t' && (c < 0x20 || c > 0x7e))
			continue;	/* NUL, escape sequences' ESC, rlogin's control bytes */
		if (t->tail_len == TERM_TAIL) {
			memmove(t->tail, t->tail + 1, TERM_TAIL - 1);
			t->tail_len--;
		}
		t->tail[t->tail_len++] = (uint8_t)ascii_lower(c);
		if (c == '\n' || c == ' ' || c == '\t')
			continue;
		if (t->srv_since < SIZE_MAX)
			t->srv_since++;
		if (t->stage == 0)
			continue;
		for (k = 0; k < sizeof(term_refusals) / sizeof(term_refusals[0]); k++)
			if (tail_ends(t, term_refusals[k])) {
				term_finish(t, TR_FAILURE, cb, arg);
				break;
			}
		if (t->stage > 0 && tail_ends(t, "last login"))
			term_finish(t, TR_SUCCESS, cb, arg);
	}
}

/* The client starts a line: what does it answer? */
static void
line_start(struct term_login *t, term_done_fn *cb, void *arg)
{
	int tp = tail_prompt(t);

	t->typing = true;
	t->line_len = 0;
	t->line_long = false;
	t->prompt = TP_NONE;
	if (t->stage > 0 && t->srv_since > 0) {
		if (tp == TP_PASS && t->stage == 1) {
			t->prompt = TP_PASS;
			return;
		}
		if (tp == TP_NONE) {
			/* Typing into whatever came after the login: a session. */
			term_finish(t, TR_SUCCESS, cb, arg);
			return;
		}
		/* Asked again: the last attempt was refused. */
		term_finish(t, TR_FAILURE, cb, arg);
	}
	if (t->stage == 0)
		t->prompt = (uint8_t)tp;
}

static void
line_end(struct term_login *t)
{
	if (t->prompt == TP_USER) {
		memcpy(t->user, t->line, t->line_len);
		t->user_len = t->line_len;
		t->user_long = t->line_long;
		t->stage = 1;
	} else if (t->prompt == TP_PASS) {
		if (t->stage == 0)
			t->user_len = 0;	/* a password-only prompt */
		memcpy(t->pw, t->line, t->line_len);
		t->pw_len = t->line_len;
		t->pw_long = t->line_long;
		t->stage = 2;
	}
	explicit_bzero(t->line, sizeof(t->line));
	t->line_len = 0;
	t->typing = false;
	t->prompt = TP_NONE;
	t->srv_since = 0;
}

void
term_client(struct term_login *t, const uint8_t *p, size_t n,
    uint64_t *overflow, term_done_fn *cb, void *arg)
{
	size_t i;
	uint8_t c;

	for (i = 0; i < n && !t->done; i++) {
		c = p[i];
		if (t->eat) {
			t->eat = false;
			if (c == '\n' || c == 0)
				continue;
		}
		if (!t->typing) {
			if (c == 0)
				continue;
			line_start(t, cb, arg);
			if (t->done)
				return;
		}
		switch (c) {
		case '\r':
			t->eat = true;
			line_end(t);
			break;
		case '\n':
			line_end(t);
			break;
		case 0x08:	/* BS */
		case 0x7f:	/* DEL */
			if (t->line_len > 0)
				t->line[--t->line_len] = 0;
			break;
		case 0x15:	/* ^U: kill the line */
			explicit_bzero(t->line, t->line_len);
			t->line_len = 0;
			break;
		default:
			if (c < 0x20)
				break;	/* other control keys edit nothing we keep */
			if (t->line_len < TERM_LINE_MAX)
				t->line[t->line_len++] = c;
			else if (!t->line_long) {
				t->line_long = true;
				(*overflow)++;
			}
			break;
		}
	}
}

void
term_begin(struct term_login *t, const uint8_t *user, size_t n, bool truncated)
{
	if (n > TERM_LINE_MAX) {
		n = TERM_LINE_MAX;
		truncated = true;
	}
	memcpy(t->user, user, n);
	t->user_len = n;
	t->user_long = truncated;
	t->stage = 1;
	t->srv_since = 0;
}

void
term_end(struct term_login *t, term_done_fn *cb, void *arg)
{
	int r = TR_UNKNOWN;

	/* Typing into a session, or a shell prompt last. */
	if ((t->typing && t->stage > 0 && t->srv_since > 0 &&
	    tail_prompt(t) == TP_NONE) || (!t->typing && tail_shell(t)))
		r = TR_SUCCESS;
	else if (!t->typing && tail_prompt(t) == TP_USER)
		r = TR_FAILURE;
	term_finish(t, r, cb, arg);
	explicit_bzero(t->line, sizeof(t->line));
	t->line_len = 0;
	t->typing = false;
	t->eat = false;
	t->prompt = TP_NONE;
}

void
term_wipe(struct term_login *t)
{
	explicit_bzero(t->line, sizeof(t->line));
	explicit_bzero(t->pw, sizeof(t->pw));
	explicit_bzero(t->user, sizeof(t->user));
	t->line_len = t->pw_len = t->user_len = 0;
}
