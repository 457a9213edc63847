/*
 * cursor.h - a bounded, length-checked reader over untrusted bytes.
 *
 * Every read from a packet or a stream goes through one of these.  The
 * cursor keeps a pointer and the number of bytes left (a size_t), and each
 * read first compares the wanted length with what is left.  The idea is
 * tcpdump's ND_TTEST_LEN (netdissect.h): test lengths, never pointers.  A
 * check written as `p + n > end` is undefined behaviour when p + n runs
 * past the object, and compilers may delete it as "always false"; `n >
 * left` cannot overflow.
 *
 * A failed read sets a sticky error flag, returns zero and leaves the
 * cursor where it was; every later read fails too.  A parser can therefore
 * do several reads in a row and test cur_ok() once, without longjmp (which
 * tcpdump needs an arena to survive) and without reading a byte too far.
 */
#ifndef CREDLEAK_CURSOR_H
#define CREDLEAK_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t	*p;	/* next byte to read */
	size_t		 left;	/* bytes readable from p */
	bool		 err;	/* a read ran past the end; sticky */
};

/* Start reading n bytes at p. */
static inline void
cur_init(struct cursor *c, const uint8_t *p, size_t n)
{
	c->p = p;
	c->left = n;
	c->err = false;
}

/* Whether every read so far stayed inside the buffer. */
static inline bool
cur_ok(const struct cursor *c)
{
	return !c->err;
}

/* Bytes left to read (0 after an error). */
static inline size_t
cur_left(const struct cursor *c)
{
	return c->err ? 0 : c->left;
}

/* The next byte's address; only meaningful with cur_left() > 0. */
static inline const uint8_t *
cur_ptr(const struct cursor *c)
{
	return c->p;
}

/* Whether n more bytes can be read; a false answer sets the error flag. */
static inline bool
cur_need(struct cursor *c, size_t n)
{
	if (c->err || n > c->left) {
		c->err = true;
		return false;
	}
	return true;
}

/* Whether n more bytes can be read; never sets the error flag. */
static inline bool
cur_has(const struct cursor *c, size_t n)
{
	return !c->err && n <= c->left;
}

/* Step over n bytes. */
static inline void
cur_skip(struct cursor *c, size_t n)
{
	if (!cur_need(c, n))
		return;
	c->p += n;
	c->left -= n;
}

/* Forget everything past the next n bytes (an inner length field). */
static inline void
cur_limit(struct cursor *c, size_t n)
{
	if (!c->err && n < c->left)
		c->left = n;
}

static inline uint8_t
cur_get_u8(struct cursor *c)
{
	uint8_t v;

	if (!cur_need(c, 1))
		return 0;
	v = c->p[0];
	c->p++;
	c->left--;
	return v;
}

static inline uint16_t
cur_get_be16(struct cursor *c)
{
	uint16_t v;

	if (!cur_need(c, 2))
		return 0;
	v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->left -= 2;
	return v;
}

static inline uint32_t
cur_get_be32(struct cursor *c)
{
	uint32_t v;

	if (!cur_need(c, 4))
		return 0;
	v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->left -= 4;
	return v;
}

/* A 32-bit value in the byte order of this host (BSD loopback headers). */
static inline uint32_t
cur_get_he32(struct cursor *c)
{
	uint32_t v;

	if (!cur_need(c, 4))
		return 0;
	memcpy(&v, c->p, sizeof(v));
	c->p += 4;
	c->left -= 4;
	return v;
}

/*
 * Take the next n bytes as a block: their address, the cursor past them;
 * NULL (and the error set) if fewer are left.  A fixed-size header is
 * checked once and its fields read at offsets below n with be16()/be32().
 */
static inline const uint8_t *
cur_take(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (!cur_need(c, n))
		return NULL;
	p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

/* Big-endian fields of a block from cur_take(), at offsets inside it. */
static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Copy n bytes to dst; on a short buffer dst is zeroed and the error set. */
static inline bool
cur_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cur_need(c, n)) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

#endif /* CREDLEAK_CURSOR_H */
