/*
 * line.h - the one line splitter every text decoder uses.
 *
 * Lines end in LF, with an optional CR before it (RFC 5321 §2.3.8 demands
 * CRLF, but real clients send bare LF and servers accept it).  A line longer
 * than the maximum is delivered once, truncated, and the rest up to the next
 * LF is discarded.  NUL is an ordinary byte that sets a flag, never a
 * terminator.  A raw mode hands over the next N bytes untouched (BDAT chunks,
 * bodies).  Lines are returned zero-copy when they sit whole in the input;
 * only a line split across calls is copied into the fixed buffer, and that
 * copy is zeroed on the next call (it may hold an AUTH line).
 */
#ifndef CREDLEAK_LINE_H
#define CREDLEAK_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_MAX_LEN	4096	/* longest line kept; XOAUTH2 tokens need room */

struct line_splitter {
	size_t	 len;		/* bytes of a partial line held in buf */
	size_t	 raw_left;	/* raw mode: bytes still to hand over untouched */
	bool	 discarding;	/* after an overflow or gap: drop up to the next LF */
	size_t	 held;		/* length of the copied line last returned, wiped on the next call */
	uint8_t	*buf;		/* LINE_MAX_LEN bytes from a shared pool, only while a line is split */
};

enum line_ev {
	LINE_NEED = 0,	/* input exhausted: call again with more bytes */
	LINE_OK,	/* a complete line, without its CR LF */
	LINE_LONG,	/* a line over LINE_MAX_LEN: its first LINE_MAX_LEN bytes */
	LINE_RAW	/* raw-mode bytes */
};

struct line {
	const uint8_t	*p;
	size_t		 len;
	bool		 nul;	/* the line holds a NUL byte */
};

/* Reset to the start of a line, not discarding. */
void line_init(struct line_splitter *ls);

/*
 * Take the next event from the input *p / *n, advancing them past what was
 * consumed.  The returned line is valid until the next call.
 */
enum line_ev line_next(struct line_splitter *ls, const uint8_t **p, size_t *n,
    struct line *out);

/* Hand over the next `n` bytes raw (LINE_RAW) before splitting lines again. */
void line_set_raw(struct line_splitter *ls, size_t n);

/* `missing` bytes were lost: drop the partial line and resync at the next LF. */
void line_gap(struct line_splitter *ls, size_t missing);

/* Wipe held bytes (they may be part of a secret) and give the buffer back. */
void line_wipe(struct line_splitter *ls);

/* Whether the next byte starts a line (nothing partial held, not discarding, not raw). */
static inline bool
line_at_start(const struct line_splitter *ls)
{
	return ls->len == 0 && !ls->discarding && ls->raw_left == 0;
}

/* Raw-mode bytes still to come (0: splitting lines). */
static inline size_t
line_raw_left(const struct line_splitter *ls)
{
	return ls->raw_left;
}

/*
 * ASCII text helpers every text decoder uses (commands, capabilities and
 * keywords are case-insensitive ASCII in every protocol here).
 */

/* c in ASCII lower case; other bytes unchanged. */
static inline int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Whether p[0..n) and word w agree on their common length, in any case. */
bool ascii_agrees(const uint8_t *p, size_t n, const char *w);

/* Whether p[0..n) is w, in any case. */
bool ascii_ieq(const uint8_t *p, size_t n, const char *w);

/* Whether p[0..n) starts with w, in any case. */
bool ascii_prefix(const uint8_t *p, size_t n, const char *w);

/* Whether w occurs in p[0..n), in any case. */
bool ascii_find(const uint8_t *p, size_t n, const char *w);

/* ASCII case-insensitive: does the line start with word `w` followed by SP or end? */
bool line_verb_is(const uint8_t *p, size_t n, const char *w);

/* Skip SP/HTAB from p[0..n); returns the count skipped. */
size_t line_skip_ws(const uint8_t *p, size_t n);

/*
 * Interactive logins on a terminal stream: telnet (RFC 854, once its option
 * negotiation is taken out) and rlogin (RFC 1282, after its handshake).
 * The server prints a prompt and the client types, often one key per
 * segment, with the server echoing the name but not the password.  The
 * typed line is rebuilt from the client's bytes (RFC 854 NVT: BS and DEL
 * erase a character, ^U the line; CR LF, CR NUL or a bare LF end it) and
 * judged by the prompt the server had printed last when the client began
 * typing it.  A login's result comes from what the server prints next: a
 * "Login incorrect" or a new login prompt is a failure, "Last login" or
 * anything else the client goes on typing into is a success.
 */
#define TERM_LINE_MAX	256	/* bytes of a typed line kept; longer ones are cut and counted */
#define TERM_TAIL	48	/* the server's last printable bytes kept */

struct term_login {
	uint8_t	 tail[TERM_TAIL];	/* lower-cased; CR and LF become LF */
	size_t	 tail_len;
	size_t	 srv_since;	/* non-blank server bytes since the last typed line ended */
	uint8_t	 line[TERM_LINE_MAX];
	size_t	 line_len;
	bool	 line_long;
	bool	 typing;	/* a line is under way: its prompt is fixed */
	bool	 eat;		/* after CR: a LF or NUL belongs to it */
	uint8_t	 prompt;	/* what the line being typed answers */
	uint8_t	 stage;		/* 0 no attempt, 1 name typed, 2 password typed */
	uint8_t	 user[TERM_LINE_MAX];
	size_t	 user_len;
	bool	 user_long;
	uint8_t	 pw[TERM_LINE_MAX];	/* the typed password, until the result */
	size_t	 pw_len;
	bool	 pw_long;	/* cut at TERM_LINE_MAX: pw is a prefix only */
	bool	 done;		/* logged in: nothing more to learn */
};

/*
 * Called when an attempt ends; `result` is an enum auth_result value
 * (alerts/alert.h).  t->user/pw are valid during the call only.
 */
typedef void term_done_fn(void *arg, const struct term_login *t, int result);

void term_init(struct term_login *t);

/* Server output (no telnet commands): tracks prompts and results. */
void term_server(struct term_login *t, const uint8_t *p, size_t n,
    term_done_fn *cb, void *arg);

/* Client keystrokes; *overflow counts lines cut at TERM_LINE_MAX. */
void term_client(struct term_login *t, const uint8_t *p, size_t n,
    uint64_t *overflow, term_done_fn *cb, void *arg);

/* An attempt whose name came another way (the rlogin handshake). */
void term_begin(struct term_login *t, const uint8_t *user, size_t n,
    bool truncated);

/* The stream ends or has a hole: an attempt under way ends as the tail says. */
void term_end(struct term_login *t, term_done_fn *cb, void *arg);

/* Wipe the typed bytes (passwords among them). */
void term_wipe(struct term_login *t);

#endif /* CREDLEAK_LINE_H */
