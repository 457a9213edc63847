/*
 * tcp.c - per-direction stream window (RFC 9293 sequence space).
 *
 * The window holds bytes from the delivery point `base` onwards as at most
 * RBUF_RANGES sorted, disjoint ranges of offsets.  Offsets, not pointers,
 * are compared, and every offset is checked against the window's capacity
 * before use.
 */
#include <string.h>

#include "tcp.h"

/* A segment further ahead than this is not believed (a forged sequence number). */
#define MAX_AHEAD	(1u << 24)

size_t
half_contig(const struct half *h, const uint8_t **p)
{
	if (h->buf == NULL || h->buf->nr == 0 || h->buf->lo[0] != 0)
		return 0;
	*p = h->buf->data;
	return h->buf->hi[0];
}

bool
half_pending(const struct half *h)
{
	return h->buf != NULL && h->buf->nr > 0;
}

/* Drop the first k offsets of the window: base moves on by k. */
static void
shift(struct half *h, uint32_t k)
{
	struct rbuf *b = h->buf;
	uint32_t i, j, top;

	h->base += k;
	if (b == NULL || b->nr == 0)
		return;
	top = b->hi[b->nr - 1];
	if (k >= top) {
		b->nr = 0;
		h->first_ts = 0;
		return;
	}
	memmove(b->data, b->data + k, top - k);
	for (i = 0, j = 0; i < b->nr; i++) {
		if (b->hi[i] <= k)
			continue;
		b->lo[j] = b->lo[i] > k ? b->lo[i] - k : 0;
		b->hi[j] = b->hi[i] - k;
		j++;
	}
	b->nr = j;
}

size_t
half_need(const struct half *h, uint32_t seq, size_t n)
{
	int64_t off;

	if (!(h->flags & H_SEQ))
		return n;
	off = seq_diff(seq, h->base);
	if (off + (int64_t)n <= 0)
		return 0;
	return off < 0 ? (size_t)(off + (int64_t)n) : (size_t)off + n;
}

void
half_move(struct half *h, struct rbuf *b)
{
	struct rbuf *o = h->buf;

	b->nr = o->nr;
	b->used = o->used;
	memcpy(b->lo, o->lo, sizeof(o->lo));
	memcpy(b->hi, o->hi, sizeof(o->hi));
	memcpy(b->data, o->data, o->used);
	h->buf = b;
}

bool
half_pass(struct half *h, uint32_t seq, const uint8_t *p, size_t n,
    struct reasm_counters *c, const struct half_sink *out)
{
	int64_t off;

	if (half_pending(h))
		return false;
	if (!(h->flags & H_SEQ)) {
		h->base = seq;
		h->flags |= H_SEQ;
	}
	off = seq_diff(seq, h->base);
	if (off > 0)
		return false;
	if (off < 0) {
		if ((uint64_t)-off >= n) {
			c->retransmissions++;
			return true;
		}
		p += -off;
		n -= (size_t)-off;
	}
	h->delivered += n;
	h->base += (uint32_t)n;
	(void)out->data(out->arg, p, n);
	return true;
}

void
half_consume(struct half *h, uint32_t n)
{
	shift(h, n);
}

/* Ranges the window would hold after adding [lo, hi). */
static uint32_t
merged_count(const struct rbuf *b, uint32_t lo, uint32_t hi)
{
	uint32_t i, n = 1;

	for (i = 0; i < b->nr; i++)
		if (b->hi[i] < lo || b->lo[i] > hi)
			n++;
	return n;
}

/* Copy [off, off+n) in; a later copy wins over bytes still waiting. */
static void
store(struct half *h, uint32_t off, const uint8_t *p, size_t n,
    struct reasm_counters *c)
{
	struct rbuf *b = h->buf;
	uint32_t lo = off, hi = off + (uint32_t)n, i, j, nlo, nhi;
	uint32_t olo, ohi;
	bool differ = false;

	for (i = 0; i < b->nr; i++) {
		olo = b->lo[i] > lo ? b->lo[i] : lo;
		ohi = b->hi[i] < hi ? b->hi[i] : hi;
		if (olo < ohi && memcmp(b->data + olo, p + (olo - lo), ohi - olo) != 0)
			differ = true;
	}
	if (differ)
		c->overlap_diff++;
	memcpy(b->data + lo, p, n);
	if (hi > b->used)
		b->used = hi;

	/* Merge [lo, hi) with every range it touches. */
	nlo = lo;
	nhi = hi;
	for (i = 0, j = 0; i < b->nr; i++) {
		if (b->hi[i] < lo || b->lo[i] > hi) {
			b->lo[j] = b->lo[i];
			b->hi[j] = b->hi[i];
			j++;
			continue;
		}
		if (b->lo[i] < nlo)
			nlo = b->lo[i];
		if (b->hi[i] > nhi)
			nhi = b->hi[i];
	}
	b->nr = j;
	/* Insert the merged range in order. */
	for (i = b->nr; i > 0 && b->lo[i - 1] > nlo; i--) {
		b->lo[i] = b->lo[i - 1];
		b->hi[i] = b->hi[i - 1];
	}
	b->lo[i] = nlo;
	b->hi[i] = nhi;
	b->nr++;
}

void
half_deliver(struct half *h, uint32_t upto, bool all, struct reasm_counters *c,
    const struct half_sink *out)
{
	struct rbuf *b;
	uint32_t lim, g, k;

	if (!(h->flags & H_SEQ))
		return;
	if (all)
		lim = UINT32_MAX;
	else {
		int32_t d = seq_diff(upto, h->base);

		if (d <= 0)
			return;
		lim = (uint32_t)d;
	}
	while (lim > 0) {
		b = h->buf;
		if (b == NULL || b->nr == 0) {
			/*
			 * The receiver acknowledged bytes the capture never
			 * showed: a hole.  At the end of a flow (all) there is
			 * nothing more to say.
			 */
			if (all || lim > MAX_AHEAD)
				return;
			c->gaps++;
			c->gap_bytes += lim;
			shift(h, lim);
			if (!out->gap(out->arg, lim))
				return;
			return;
		}
		if (b->lo[0] > 0) {
			g = b->lo[0] < lim ? b->lo[0] : lim;
			c->gaps++;
			c->gap_bytes += g;
			shift(h, g);
			lim -= all ? 0 : g;
			if (!out->gap(out->arg, g))
				return;
			continue;
		}
		k = b->hi[0] < lim ? b->hi[0] : lim;
		/*
		 * Hand on, then advance.  The sink may end the decoder; it
		 * never frees this window during the call, and on false we
		 * leave at once.
		 */
		h->delivered += k;
		if (!out->data(out->arg, b->data, k))
			return;
		shift(h, k);
		if (!all)
			lim -= k;
	}
}

bool
half_insert(struct half *h, uint32_t seq, const uint8_t *p, size_t n,
    uint64_t ts, struct reasm_counters *c, const struct half_sink *out)
{
	int64_t off;

	if (n == 0)
		return true;
	if (!(h->flags & H_SEQ)) {
		h->base = seq;
		h->flags |= H_SEQ;
	}
	off = seq_diff(seq, h->base);
	if (off < 0) {
		if ((uint64_t)-off >= n) {
			c->retransmissions++;
			return true;
		}
		p += -off;
		n -= (size_t)-off;
		off = 0;
	}
	if (off > (int64_t)MAX_AHEAD) {
		c->retransmissions++;	/* not believable; treat as noise */
		return true;
	}
	if ((uint64_t)off + n > h->buf->cap ||
	    merged_count(h->buf, (uint32_t)off, (uint32_t)(off + (int64_t)n)) > RBUF_RANGES) {
		if (out == NULL)
			return false;
		/*
		 * No room: hand on everything waiting, holes as gaps, then
		 * skip to this segment.  Ordering is kept; ACK gating is not.
		 */
		c->window_overflow++;
		if (half_pending(h)) {
			half_deliver(h, 0, true, c, out);
			if (half_pending(h))
				return true;	/* the sink stopped: decoder gone */
		}
		off = seq_diff(seq, h->base);
		if (off < 0) {
			if ((uint64_t)-off >= n)
				return true;
			p += -off;
			n -= (size_t)-off;
			off = 0;
		}
		if (off > 0) {
			c->gaps++;
			c->gap_bytes += (uint64_t)off;
			shift(h, (uint32_t)off);
			if (!out->gap(out->arg, (size_t)off))
				return true;
		}
		if (n > h->buf->cap) {
			h->delivered += n;
			h->base += (uint32_t)n;
			(void)out->data(out->arg, p, n);
			return true;
		}
		off = 0;
	}
	store(h, (uint32_t)off, p, n, c);
	if (h->first_ts == 0)
		h->first_ts = ts;
	return true;
}
