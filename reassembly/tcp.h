/*
 * tcp.h - one direction of a TCP connection: a bounded window of bytes not
 * yet handed on, kept as sorted ranges relative to the delivery point.
 * See flow.h for the retransmission and overlap policy this implements.
 */
#ifndef CREDLEAK_TCP_H
#define CREDLEAK_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define RBUF_SMALL	2048	/* a window's first size: a segment or two waiting */
#define RBUF_SIZE	16384	/* the largest window per direction */
#define RBUF_RANGES	16	/* separate islands of out-of-order data */

struct rbuf {
	struct rbuf	*next;		/* free list */
	uint32_t	 cap;		/* bytes of data[]: RBUF_SMALL or RBUF_SIZE */
	uint32_t	 nr;
	uint32_t	 used;		/* high-water offset written: what a wipe must cover */
	uint32_t	 lo[RBUF_RANGES], hi[RBUF_RANGES]; /* offsets from base, sorted, disjoint */
	uint8_t		 data[];
};

#define H_SEQ		0x01	/* base is known */
#define H_ACKED		0x02	/* acked is valid */
#define H_FIN		0x04	/* a FIN was seen */
#define H_DEPTH		0x08	/* inspection depth reached: drop further bytes */

struct half {
	struct rbuf	*buf;		/* NULL until bytes must wait */
	uint32_t	 base;		/* sequence number of the next byte to hand on */
	uint32_t	 acked;		/* highest acknowledgment from the other side */
	uint32_t	 fin_seq;	/* sequence number the FIN occupies */
	uint8_t		 flags;
	uint64_t	 delivered;	/* bytes handed on so far */
	uint64_t	 skip;		/* bytes after base the decoder does not need */
	uint64_t	 first_ts;	/* arrival of the oldest waiting byte (0: none) */
};

/* Where a half's bytes go.  Each call returns false to stop delivery. */
struct half_sink {
	bool	(*data)(void *arg, const uint8_t *p, size_t n);
	bool	(*gap)(void *arg, size_t n);
	void	*arg;
};

/* Sequence arithmetic modulo 2^32 (RFC 9293 §3.4). */
static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/*
 * The window size a segment needs to be stored without forcing delivery:
 * its end offset from the delivery point (0 for bytes already handed on).
 */
size_t half_need(const struct half *h, uint32_t seq, size_t n);

/* Move the waiting bytes of h into the larger window b (b->cap >= the old one). */
void half_move(struct half *h, struct rbuf *b);

/* Bytes waiting contiguously at the delivery point; *p points at them. */
size_t half_contig(const struct half *h, const uint8_t **p);

/* Whether any byte is waiting. */
bool half_pending(const struct half *h);

/*
 * Store a segment's bytes (h->buf must be set).  Bytes wholly before the
 * delivery point are dropped and counted.  A segment that does not fit the
 * window forces delivery to `out` (holes become gaps); with out == NULL it
 * returns false and stores nothing.
 */
bool half_insert(struct half *h, uint32_t seq, const uint8_t *p, size_t n,
    uint64_t ts, struct reasm_counters *c, const struct half_sink *out);

/*
 * The fast path: a segment that starts at the delivery point (or repeats
 * bytes before it) while nothing waits goes straight to `out`, no copy.
 * false: it must be stored (a hole before it, or bytes waiting).
 */
bool half_pass(struct half *h, uint32_t seq, const uint8_t *p, size_t n,
    struct reasm_counters *c, const struct half_sink *out);

/* Drop the first n waiting bytes as consumed (they were handed on already). */
void half_consume(struct half *h, uint32_t n);

/*
 * Hand on waiting bytes: up to sequence `upto` (what the receiver
 * acknowledged), or everything when `all`.  Bytes acknowledged but never
 * seen, and holes when `all`, become gap events.
 */
void half_deliver(struct half *h, uint32_t upto, bool all,
    struct reasm_counters *c, const struct half_sink *out);

#endif /* CREDLEAK_TCP_H */
