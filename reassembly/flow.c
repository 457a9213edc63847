/*
 * flow.c - the flow table and each flow's life (see flow.h).
 *
 * Flows live in a keyed hash table (random key per run, so crafted tuples
 * cannot pile into one chain) and on an LRU list whose head is the flow idle
 * longest: the timeout sweep and the eviction under the caps both take from
 * the head, a bounded amount of work per packet.  Flow records come from
 * slabs and are recycled; stream windows and decoder state are allocated
 * when a flow first needs them and counted against the memory cap.  Every
 * end - FIN, RST, timeout, eviction, end of input - goes through
 * flow_end(), which lets the decoder emit what it knows and frees the flow.
 */
#include <sys/mman.h>
#include <sys/random.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../decoders/classify.h"
#include "flow.h"
#include "tcp.h"
#include "udp.h"

#define ACKLOG		12	/* ACK changes remembered while a flow is classified */

enum fstate {
	F_CLASSIFY = 0,	/* bytes buffered until a decoder is chosen */
	F_DECODE,	/* a decoder follows the flow */
	F_IGNORED	/* nothing to learn: a hash lookup per packet, no more */
};

/*
 * What every packet of a flow reads comes first: the chain, the hash, the
 * times, the state and the tuple (info) fill the first two cache lines, so
 * a flow that is ignored or done costs those two lines and no more.
 */
struct flow {
	struct flow		*hnext;		/* hash chain */
	uint64_t		 hash;
	uint64_t		 last_ts;
	uint64_t		 lru_ts;	/* last_ts when last moved to the LRU tail */
	uint8_t			 state;
	uint8_t			 fin_mask;	/* bit per direction */
	uint8_t			 first_dir;	/* 0xff: no payload yet */
	uint8_t			 ndpi;		/* enum cls_ndpi */
	uint8_t			 packets;	/* payload packets while classifying */
	bool			 ack_seen[2];	/* that side has sent ACKs */
	bool			 acklog_lost;	/* more ACK changes than the log holds */
	struct flow_info	 info;
	struct flow		*prev, *next;	/* LRU list, head = idle longest */
	struct half		 h[2];		/* by enum dir */
	const struct decoder	*dec;
	void			*st;
	void			*nflow;		/* nDPI state while classifying */
	const struct decoder	*ndpi_dec;	/* nDPI's verdict, when it named a decoder */
	uint8_t			 nacklog;
	uint16_t		 acklog_from;	/* bit i: entry i was sent by the server */
	uint32_t		 acklog[ACKLOG];	/* while classifying: the ACKs seen, in order */
};

/*
 * Flow records come in slabs of one huge page (2 MiB) where the kernel
 * gives them (transparent huge pages, asked for with madvise): with a
 * hundred thousand flows and more, every packet's record is a new page,
 * and 4 KiB pages would make each a TLB miss on top of the cache miss.
 */
#define SLAB_BYTES	((size_t)2 << 20)
#define RBUF_POOL_MAX	64
#define EXPIRE_EVERY	16	/* packets between two idle sweeps */
#define EXPIRE_PER_SWEEP 64	/* flows a sweep may end: 4 per packet */
#define NDPI_PACKETS	4	/* payload packets nDPI may see before the probes decide */
#define GATE_BYTES	65536	/* bytes per direction handed on only once acknowledged */
#define LRU_RELINK_US	1000000	/* how stale a flow's LRU place may get */
#define NH_WORDS	12	/* 32-bit words of a tuple, for tuple_hash() */

struct slab {
	struct slab	*next;
	size_t		 used;		/* flows handed out, from the front */
	struct flow	 flows[];
};

struct reasm {
	struct reasm_config	 cfg;
	struct alert_sink	*sink;
	struct cls_engine	*cls;		/* nDPI */
	struct udp_table	*udp;		/* NULL: no decoder reads UDP */
	bool			 cls_failed;	/* nDPI could not be set up: probes alone */
	const char		*input;
	struct flow		**buckets;
	size_t			 nbuckets;	/* power of two */
	uint64_t		 seed;		/* tuple_hash()'s key: seed, nh_key */
	uint32_t		 nh_key[NH_WORDS];
	struct flow		*lru_head, *lru_tail;
	struct flow		*free_flows;
	struct slab		*slabs;		/* newest first */
	struct rbuf		*free_rbufs[2];	/* small and large windows */
	size_t			 nfree_rbufs[2];
	uint64_t		 next_id;
	uint64_t		 now;		/* latest packet time seen */
	uint64_t		 cur_ts;	/* time stamped on findings */
	const struct pkt	*cur_pkt;	/* the packet being handled (for nDPI) */
	unsigned		 sweep_count;	/* packets since the last idle sweep */
	uint64_t		 sweep_ts;	/* packet time of the last idle sweep */
	unsigned		 ending;	/* inside flow_end(): no eviction */
	struct reasm_counters	 ctr;
	struct dec_counters	 dctr;
};

/* --- hashing --------------------------------------------------------- */

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return h;
}

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Symmetric: both directions of a connection hash alike.  The tuple, in a
 * fixed order, is twelve 32-bit words (NH_WORDS) hashed with NH (the UMAC
 * inner hash: pairs of key-added words multiplied and summed, Black et al.
 * 1999, an almost-universal family): six independent multiplies instead of a chain
 * of mixes, and with a per-run random key nobody can aim tuples at one
 * chain.  One mix at the end spreads the sum into the low bits that pick
 * the slot.  No branch on the order: packets come in both directions.
 */
static inline uint64_t
nh_pair(const struct reasm *r, unsigned k, uint32_t x, uint32_t y)
{
	return (uint64_t)(uint32_t)(x + r->nh_key[k]) *
	    (uint64_t)(uint32_t)(y + r->nh_key[k + 1]);
}

static uint64_t
tuple_hash(const struct reasm *r, const struct pkt *p)
{
	uint64_t a0 = load64(p->src), a1 = load64(p->src + 8);
	uint64_t b0 = load64(p->dst), b1 = load64(p->dst + 8);
	uint32_t pa = p->sport, pb = p->dport, pp, vl;
	uint64_t m, x, y, h;

	/* Any total order will do: the lower (address, port) goes first. */
	m = (uint64_t)0 - (uint64_t)((a0 > b0) | ((a0 == b0) &
	    ((a1 > b1) | ((a1 == b1) & (pa > pb)))));
	x = (a0 ^ b0) & m;
	y = (a1 ^ b1) & m;
	a0 ^= x;
	b0 ^= x;
	a1 ^= y;
	b1 ^= y;
	pp = (pa ^ pb) & (uint32_t)m;
	pp = (pa ^ pp) << 16 | (pb ^ pp);
	vl = (uint32_t)(p->nvlan > 0 ? p->vlan[0] : 0) << 16 |
	    (uint32_t)(p->nvlan > 1 ? p->vlan[1] : 0);
	h = nh_pair(r, 0, (uint32_t)a0, (uint32_t)(a0 >> 32)) +
	    nh_pair(r, 2, (uint32_t)a1, (uint32_t)(a1 >> 32)) +
	    nh_pair(r, 4, (uint32_t)b0, (uint32_t)(b0 >> 32)) +
	    nh_pair(r, 6, (uint32_t)b1, (uint32_t)(b1 >> 32)) +
	    nh_pair(r, 8, pp, vl) +
	    nh_pair(r, 10, (uint32_t)p->family << 8 | p->nvlan, 0);
	return mix(r->seed, h);
}

/* Two 16-byte addresses alike: two word compares, not a memcmp call. */
static inline bool
addr_eq(const uint8_t *a, const uint8_t *b)
{
	return load64(a) == load64(b) && load64(a + 8) == load64(b + 8);
}

/* Does p belong to f, and in which direction? */
static bool
flow_match(const struct flow *f, const struct pkt *p, enum dir *d)
{
	const struct flow_info *fi = &f->info;

	if (fi->family != p->family || fi->nvlan != p->nvlan ||
	    (p->nvlan > 0 && fi->vlan[0] != p->vlan[0]) ||
	    (p->nvlan > 1 && fi->vlan[1] != p->vlan[1]))
		return false;
	if (p->sport == fi->cli_port && p->dport == fi->srv_port &&
	    addr_eq(p->src, fi->cli_addr) && addr_eq(p->dst, fi->srv_addr)) {
		*d = DIR_C2S;
		return true;
	}
	if (p->sport == fi->srv_port && p->dport == fi->cli_port &&
	    addr_eq(p->src, fi->srv_addr) && addr_eq(p->dst, fi->cli_addr)) {
		*d = DIR_S2C;
		return true;
	}
	return false;
}

static void
table_grow(struct reasm *r)
{
	size_t nb = r->nbuckets * 2, i, bytes;
	struct flow **nbk, *f, *next;

	/* A table of huge pages too, once it is that big (see SLAB_BYTES). */
	bytes = nb * sizeof(struct flow *);
	if (bytes >= SLAB_BYTES) {
		if ((nbk = aligned_alloc(SLAB_BYTES, bytes)) != NULL) {
			(void)madvise(nbk, bytes, MADV_HUGEPAGE);
			memset(nbk, 0, bytes);
		}
	} else
		nbk = calloc(nb, sizeof(struct flow *));
	if (nbk == NULL)
		return;		/* keep the old table: longer chains, still correct */
	for (i = 0; i < r->nbuckets; i++) {
		for (f = r->buckets[i]; f != NULL; f = next) {
			next = f->hnext;
			f->hnext = nbk[f->hash & (nb - 1)];
			nbk[f->hash & (nb - 1)] = f;
		}
	}
	free(r->buckets);
	r->buckets = nbk;
	r->nbuckets = nb;
}

/* --- LRU --------------------------------------------------------------- */

static void
lru_unlink(struct reasm *r, struct flow *f)
{
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		r->lru_head = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		r->lru_tail = f->prev;
	f->prev = f->next = NULL;
}

static void
lru_append(struct reasm *r, struct flow *f)
{
	f->next = NULL;
	f->prev = r->lru_tail;
	if (r->lru_tail != NULL)
		r->lru_tail->next = f;
	else
		r->lru_head = f;
	r->lru_tail = f;
}

/* --- memory ------------------------------------------------------------ */

static void
mem_add(struct reasm *r, size_t n)
{
	r->ctr.mem_in_use += n;
	if (r->ctr.mem_in_use > r->ctr.mem_peak)
		r->ctr.mem_peak = r->ctr.mem_in_use;
}

static void flow_end(struct reasm *r, struct flow *f, enum end_reason why);

/* Make room for n more bytes under the cap by ending idle flows, never `keep`. */
static bool
mem_reserve(struct reasm *r, size_t n, const struct flow *keep)
{
	while (r->ctr.mem_in_use + n > r->cfg.memcap) {
		struct flow *v = r->lru_head;

		/*
		 * A flow being ended may still classify and take decoder
		 * state.  Evicting for it could end the flow of the packet
		 * being handled, or the ending flow itself, a second time.
		 */
		if (r->ending > 0)
			return false;
		if (v != NULL && v == keep)
			v = v->next;
		if (v == NULL)
			return false;
		r->ctr.memcap_evictions++;
		flow_end(r, v, END_EVICT);
	}
	return true;
}

static size_t
rbuf_bytes(uint32_t cap)
{
	return sizeof(struct rbuf) + cap;
}

/* A window of cap bytes (RBUF_SMALL or RBUF_SIZE), from the pool if it can. */
static struct rbuf *
rbuf_get(struct reasm *r, const struct flow *keep, uint32_t cap)
{
	int k = cap > RBUF_SMALL;
	struct rbuf *b;

	if ((b = r->free_rbufs[k]) != NULL) {
		r->free_rbufs[k] = b->next;
		r->nfree_rbufs[k]--;
	} else {
		if (!mem_reserve(r, rbuf_bytes(cap), keep))
			return NULL;
		if ((b = malloc(rbuf_bytes(cap))) == NULL)
			return NULL;
		mem_add(r, rbuf_bytes(cap));
		b->cap = cap;
	}
	b->nr = 0;
	b->used = 0;
	b->next = NULL;
	return b;
}

static void
rbuf_put(struct reasm *r, struct rbuf *b)
{
	int k;

	if (b == NULL)
		return;
	/* The window may have held an AUTH line. */
	explicit_bzero(b->data, b->used);
	b->used = 0;
	k = b->cap > RBUF_SMALL;
	if (r->nfree_rbufs[k] < RBUF_POOL_MAX) {
		b->next = r->free_rbufs[k];
		r->free_rbufs[k] = b;
		r->nfree_rbufs[k]++;
		return;
	}
	r->ctr.mem_in_use -= rbuf_bytes(b->cap);
	free(b);
}

/* Make h's window large enough for a segment needing `need` bytes. */
static bool
rbuf_grow(struct reasm *r, struct flow *f, struct half *h, size_t need)
{
	struct rbuf *b;

	if (need <= h->buf->cap || h->buf->cap >= RBUF_SIZE)
		return true;	/* fits, or the largest already: tcp.c copes */
	if ((b = rbuf_get(r, f, RBUF_SIZE)) == NULL)
		return false;
	{
		struct rbuf *old = h->buf;

		half_move(h, b);
		rbuf_put(r, old);
	}
	return true;
}

static void
release_bufs(struct reasm *r, struct flow *f)
{
	int d;

	for (d = 0; d < 2; d++) {
		rbuf_put(r, f->h[d].buf);
		f->h[d].buf = NULL;
	}
}

static void
release_ndpi(struct reasm *r, struct flow *f)
{
	if (f->nflow != NULL) {
		cls_flow_free(r->cls, f->nflow);
		f->nflow = NULL;
		r->ctr.mem_in_use -= cls_flow_size();
	}
}

/* --- decoder glue ------------------------------------------------------ */

static void
ctx_init(struct reasm *r, struct flow *f, struct dec_ctx *ctx)
{
	ctx->flow = &f->info;
	ctx->consumed = 0;
	ctx->skip = 0;
	ctx->ts_us = r->cur_ts;
	ctx->sink = r->sink;
	ctx->ctr = &r->dctr;
}

/* Drop the decoder (its findings are out); the flow is then ignored. */
static void
detach(struct reasm *r, struct flow *f)
{
	if (f->st != NULL) {
		if (f->dec->wipe != NULL)
			f->dec->wipe(f->st);
		explicit_bzero(f->st, f->dec->state_size);
		free(f->st);
		r->ctr.mem_in_use -= f->dec->state_size;
	}
	f->st = NULL;
	f->dec = NULL;
	f->state = F_IGNORED;
}

static void try_classify(struct reasm *r, struct flow *f, bool force);

/*
 * The decoder says the rest of the stream is a new connection (HTTP CONNECT
 * answered 2xx).  The bytes of this chunk past what it consumed are still
 * at the front of the window: classify them afresh, as a connection whose
 * handshake was the tunnel's set-up.
 */
static void
tunnel(struct reasm *r, struct flow *f, enum dir d, const uint8_t *chunk,
    size_t n, size_t consumed)
{
	struct half *h = &f->h[d];
	const uint8_t *p;

	detach(r, f);
	r->ctr.tunnels++;
	if (h->buf != NULL && chunk >= h->buf->data &&
	    chunk < h->buf->data + h->buf->cap) {
		/* The chunk came from the window: its rest is still there. */
		half_consume(h, (uint32_t)consumed);
	} else if (consumed < n) {
		/*
		 * Handed on straight from the packet (tcp.c moved the delivery
		 * point past all of it): step back and keep the rest.
		 */
		h->base -= (uint32_t)(n - consumed);
		h->delivered -= n - consumed;
		if (h->buf == NULL)
			h->buf = rbuf_get(r, f, n - consumed > RBUF_SMALL ?
			    RBUF_SIZE : RBUF_SMALL);
		if (h->buf != NULL)
			(void)half_insert(h, h->base, chunk + consumed, n - consumed,
			    r->cur_ts, &r->ctr, NULL);
	}
	f->state = F_CLASSIFY;
	f->packets = 0;
	f->nacklog = 0;
	f->acklog_lost = false;
	f->info.midstream = false;
	f->ndpi = NDPI_OTHER;		/* nDPI judged the outer protocol only */
	f->ndpi_dec = NULL;
	f->first_dir = half_contig(&f->h[DIR_S2C], &p) > 0 ? DIR_S2C :
	    half_contig(&f->h[DIR_C2S], &p) > 0 ? DIR_C2S : 0xff;
	if (f->first_dir != 0xff)
		try_classify(r, f, false);
}

struct dsink {
	struct reasm	*r;
	struct flow	*f;
	enum dir	 d;
};

static bool
sink_data(void *arg, const uint8_t *p, size_t n)
{
	struct dsink *s = arg;
	struct flow *f = s->f;
	struct half *h = &f->h[s->d];
	struct dec_ctx ctx;
	enum dec_status st;

	if (f->state != F_DECODE)
		return false;
	if (h->flags & H_DEPTH)
		return true;
	if (h->skip > 0) {
		/* Bytes the decoder said it does not need (waiting ones). */
		size_t k = h->skip < n ? (size_t)h->skip : n;

		h->skip -= k;
		p += k;
		n -= k;
		s->r->ctr.skipped_bytes += k;
		if (n == 0)
			return true;
	}
	if (h->delivered > s->r->cfg.depth) {
		/* Past the inspection depth: hand on the part before it, then stop. */
		uint64_t over = h->delivered - s->r->cfg.depth;

		n = over >= n ? 0 : n - (size_t)over;
		h->flags |= H_DEPTH;
		s->r->ctr.depth_reached++;
		if (n == 0)
			return true;
	}
	ctx_init(s->r, f, &ctx);
	st = f->dec->data(f->st, &ctx, s->d, p, n);
	if (st == DEC_MORE && ctx.skip > 0)
		h->skip = ctx.skip;
	if (st == DEC_MISMATCH)
		s->r->dctr.mismatch++;
	if (st == DEC_TUNNEL) {
		tunnel(s->r, f, s->d, p, n, ctx.consumed < n ? ctx.consumed : n);
		return false;
	}
	if (st != DEC_MORE) {
		detach(s->r, f);
		return false;
	}
	return true;
}

static bool
sink_gap(void *arg, size_t n)
{
	struct dsink *s = arg;
	struct flow *f = s->f;
	struct half *h = &f->h[s->d];
	struct dec_ctx ctx;

	if (f->state != F_DECODE)
		return false;
	if (h->skip > 0) {
		/* A hole in bytes the decoder skips loses it nothing. */
		size_t k = h->skip < n ? (size_t)h->skip : n;

		h->skip -= k;
		n -= k;
		if (n == 0)
			return true;
	}
	/* The decoder counts it in dctr.gaps; reassembly's own count is ctr.gaps. */
	if (f->dec->gap != NULL) {
		ctx_init(s->r, f, &ctx);
		f->dec->gap(f->st, &ctx, s->d, n);
	}
	return f->state == F_DECODE;
}

/* Hand on what the receiver of direction d has acknowledged (or all). */
/* Hand on direction d up to sequence upto, or everything when all. */
static void
deliver_upto(struct reasm *r, struct flow *f, enum dir d, uint32_t upto, bool all)
{
	struct half *h = &f->h[d];
	struct dsink s = { r, f, d };
	struct half_sink out = { sink_data, sink_gap, &s };

	if (f->state != F_DECODE)
		return;
	/* An ACK of the FIN covers one sequence number that is no byte. */
	if (!all && (h->flags & H_FIN) && seq_diff(upto, h->fin_seq) > 0)
		upto = h->fin_seq;
	half_deliver(h, upto, all, &r->ctr, &out);
	/*
	 * An emptied window goes back to the pool at once: a flow holds
	 * memory only while bytes wait, not for its whole life.
	 */
	if (f->state == F_DECODE && h->buf != NULL && h->buf->nr == 0) {
		rbuf_put(r, h->buf);
		h->buf = NULL;
	}
}

/* Hand on what the receiver of direction d has acknowledged (or all). */
static void
deliver(struct reasm *r, struct flow *f, enum dir d, bool all)
{
	struct half *h = &f->h[d];
	const uint8_t *p;

	if (all)
		deliver_upto(r, f, d, 0, true);
	else if (f->ack_seen[!d] && h->delivered < GATE_BYTES) {
		if (h->flags & H_ACKED)
			deliver_upto(r, f, d, h->acked, false);
	} else
		deliver_upto(r, f, d, h->base + (uint32_t)half_contig(h, &p), false);
}

static void
attach(struct reasm *r, struct flow *f, const struct decoder *dec)
{
	enum dir first = f->first_dir == DIR_S2C ? DIR_S2C : DIR_C2S;

	if (!mem_reserve(r, dec->state_size, f) ||
	    (f->st = calloc(1, dec->state_size)) == NULL) {
		r->ctr.memcap_refused++;
		f->state = F_IGNORED;
		return;
	}
	mem_add(r, dec->state_size);
	f->dec = dec;
	f->state = F_DECODE;
	r->ctr.flows_decoded++;
	dec->init(f->st, f->info.midstream);
	/*
	 * What already waits goes out in the order it was spoken: replaying
	 * the ACKs seen meanwhile interleaves the two directions as they
	 * were exchanged (a reply after its command).
	 */
	if (!f->acklog_lost) {
		uint8_t i;

		/* An ACK from the server releases client bytes, and back. */
		for (i = 0; i < f->nacklog && f->state == F_DECODE; i++)
			deliver_upto(r, f, (f->acklog_from >> i) & 1 ? DIR_C2S :
			    DIR_S2C, f->acklog[i], false);
	}
	f->nacklog = 0;
	deliver(r, f, first, false);
	deliver(r, f, first == DIR_C2S ? DIR_S2C : DIR_C2S, false);
}

/* While classifying, remember each change of either side's ACK. */
static void
log_ack(struct flow *f, enum dir from, uint32_t ack)
{
	int i;

	for (i = f->nacklog - 1; i >= 0; i--)
		if (((f->acklog_from >> i) & 1) == (unsigned)from)
			break;
	if (i >= 0 && f->acklog[i] == ack)
		return;
	if (f->nacklog == ACKLOG) {
		f->acklog_lost = true;
		return;
	}
	f->acklog[f->nacklog] = ack;
	if (from == DIR_S2C)
		f->acklog_from |= (uint16_t)(1u << f->nacklog);
	else
		f->acklog_from &= (uint16_t)~(1u << f->nacklog);
	f->nacklog++;
}

static void
swap_roles(struct flow *f)
{
	struct flow_info *fi = &f->info;
	uint8_t a[16];
	uint16_t port;
	struct half h;
	bool b;

	memcpy(a, fi->cli_addr, 16);
	memcpy(fi->cli_addr, fi->srv_addr, 16);
	memcpy(fi->srv_addr, a, 16);
	port = fi->cli_port;
	fi->cli_port = fi->srv_port;
	fi->srv_port = port;
	h = f->h[0];
	f->h[0] = f->h[1];
	f->h[1] = h;
	b = f->ack_seen[0];
	f->ack_seen[0] = f->ack_seen[1];
	f->ack_seen[1] = b;
	if (f->first_dir <= DIR_S2C)
		f->first_dir = !f->first_dir;
	f->fin_mask = (uint8_t)(((f->fin_mask & 1) << 1) | ((f->fin_mask >> 1) & 1));
	f->acklog_from = (uint16_t)(~f->acklog_from & ((1u << f->nacklog) - 1));
}

/*
 * Whether all the bytes so far are the start of one line of text, not
 * yet ended (a login typed or sent in pieces).  The probes are waiting
 * for the end of the line, and nDPI, shown the same piece, has no more to
 * go on: it is asked only once the line is whole or the flow has sent
 * NDPI_PACKETS payload packets, so its module (megabytes) is not built for
 * a line that comes in pieces.
 */
#define PARTIAL_LINE_MAX	256

static bool
partial_line(const struct cls_input *in)
{
	size_t i;
	int d;

	for (d = 0; d < 2; d++) {
		if (in->len[d] > 0 && in->len[!d] > 0)
			return false;		/* both sides spoke */
		if (in->len[d] >= PARTIAL_LINE_MAX)
			return false;
		for (i = 0; i < in->len[d]; i++)
			if (in->first[d][i] < 0x20 || in->first[d][i] > 0x7e)
				return false;	/* a line end, or not text */
	}
	return true;
}

static void
try_classify(struct reasm *r, struct flow *f, bool force)
{
	struct cls_input in;
	const struct decoder *dec = NULL;
	enum cls_verdict v;
	bool swap = false, sure = false;
	int d;

	memset(&in, 0, sizeof(in));
	for (d = 0; d < 2; d++)
		in.len[d] = half_contig(&f->h[d], &in.first[d]);
	in.first_dir = f->first_dir == DIR_S2C ? DIR_S2C : DIR_C2S;
	in.midstream = f->info.midstream;
	in.cli_port = f->info.cli_port;
	in.srv_port = f->info.srv_port;
	in.packets = f->packets;
	in.force = force;
	v = classify(&in, &dec, &swap, &sure);
	/*
	 * Content first: a probe that recognises a greeting or a command is
	 * conclusive, and bytes every probe rejects would contradict any
	 * verdict of nDPI's too (see classify_denies).  Either way nDPI has
	 * nothing to add, and most flows cost it nothing.  Nor is it asked
	 * before any byte is in order (the first segment came late): what it
	 * would judge is a piece from the middle of the stream.
	 */
	if (!force && f->ndpi == NDPI_PENDING && !sure && v != CLS_NONE &&
	    in.len[DIR_C2S] + in.len[DIR_S2C] > 0 &&
	    (f->packets >= NDPI_PACKETS || !partial_line(&in))) {
		/*
		 * The bytes leave it open: give nDPI a few payload packets
		 * (the bytes wait in the window meanwhile).  Its module
		 * (megabytes of tables, milliseconds to build) is made when a
		 * flow first needs it: traffic the probes recognise never
		 * pays for it.
		 */
		if (f->nflow == NULL && r->cls == NULL && !r->cfg.no_ndpi &&
		    !r->cls_failed && (r->cls = cls_engine_new()) == NULL)
			r->cls_failed = true;
		if (f->nflow == NULL && r->cls != NULL &&
		    mem_reserve(r, cls_flow_size(), f) &&
		    (f->nflow = cls_flow_new(r->cls)) != NULL) {
			const struct decoder *nd = NULL;

			mem_add(r, cls_flow_size());
			r->ctr.ndpi_flows++;
			f->ndpi = (uint8_t)cls_ndpi_packet(r->cls, f->nflow,
			    r->cur_pkt, &nd);
			if (f->ndpi != NDPI_PENDING) {
				f->ndpi_dec = nd;
				release_ndpi(r, f);
			}
		}
		if (f->ndpi == NDPI_PENDING && f->nflow != NULL &&
		    f->packets < NDPI_PACKETS)
			return;
	}
	/*
	 * nDPI named the protocol: its verdict chooses the decoder, unless
	 * the bytes flatly contradict it or a probe recognised another.  nDPI
	 * reads packets in arrival order: before any byte is in order (the
	 * first segment came late) its verdict may rest on a piece from the
	 * middle of the stream, and nothing could contradict it yet.
	 */
	if (!sure && f->ndpi == NDPI_DECODER && f->ndpi_dec != NULL &&
	    (in.len[DIR_C2S] + in.len[DIR_S2C] > 0 || force) &&
	    !classify_denies(f->ndpi_dec, &in)) {
		release_ndpi(r, f);
		r->ctr.by_ndpi++;
		attach(r, f, f->ndpi_dec);
		return;
	}
	switch (v) {
	case CLS_WAIT:
		/*
		 * Some probe finds the bytes plausible: wait for more, even
		 * where nDPI named something else (it mislabels greetings it
		 * does not know), unless the flow is ending.
		 */
		if (!force)
			return;
		__attribute__((fallthrough));
	case CLS_NONE:
		release_ndpi(r, f);
		f->state = F_IGNORED;
		r->ctr.flows_ignored++;
		return;
	case CLS_DECODER:
		/*
		 * The content is conclusive (a greeting, a command, or a
		 * text stream on a hinted port mid-session): it is trusted
		 * even where nDPI said otherwise.
		 */
		release_ndpi(r, f);
		if (swap)
			swap_roles(f);
		r->ctr.by_content++;
		attach(r, f, dec);
		return;
	}
}

/* --- life of a flow ---------------------------------------------------- */

#define SLAB_FLOWS \
	((SLAB_BYTES - offsetof(struct slab, flows)) / sizeof(struct flow))

static struct flow *
flow_alloc(struct reasm *r)
{
	struct flow *f;
	struct slab *s = r->slabs;

	if ((f = r->free_flows) != NULL)
		r->free_flows = f->hnext;
	else {
		/* Records are taken from the front: pages are touched as used. */
		if (s == NULL || s->used == SLAB_FLOWS) {
			if ((s = aligned_alloc(SLAB_BYTES, SLAB_BYTES)) == NULL)
				return NULL;
			(void)madvise(s, SLAB_BYTES, MADV_HUGEPAGE);
			s->used = 0;
			s->next = r->slabs;
			r->slabs = s;
		}
		f = &s->flows[s->used++];
	}
	memset(f, 0, sizeof(*f));
	return f;
}

static struct flow *
flow_create(struct reasm *r, const struct pkt *p, uint64_t hash, enum dir *d)
{
	struct flow *f;
	struct flow_info *fi;
	bool src_is_client;
	uint8_t fl = p->tcp_flags;

	/*
	 * Full (flows or memory): a connection seen from its SYN takes the
	 * place of the flow idle longest, since logins come at the start of
	 * a session.  One picked up mid-stream (most likely the bulk of a
	 * session older than the capture) takes only a place idle for a
	 * tenth of the timeout: with more connections busy than places, it
	 * would otherwise end and re-make a flow on every packet.
	 */
	if ((r->ctr.flows_active >= r->cfg.max_flows ||
	    r->ctr.mem_in_use + sizeof(*f) > r->cfg.memcap) &&
	    !(fl & TH_SYN) && r->lru_head != NULL &&
	    r->now - r->lru_head->last_ts < r->cfg.timeout_us / 10) {
		r->ctr.memcap_refused++;
		return NULL;
	}
	if (r->ctr.flows_active >= r->cfg.max_flows && r->lru_head != NULL) {
		r->ctr.memcap_evictions++;
		flow_end(r, r->lru_head, END_EVICT);
	}
	/* Flow records count against the memory cap too. */
	if (!mem_reserve(r, sizeof(*f), NULL) || (f = flow_alloc(r)) == NULL) {
		r->ctr.memcap_refused++;
		return NULL;
	}
	mem_add(r, sizeof(*f));
	fi = &f->info;
	if ((fl & (TH_SYN | TH_ACK)) == TH_SYN)
		src_is_client = true;
	else if ((fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		src_is_client = false;
	else {
		/* Mid-session: the side on a service port is the server. */
		bool hs = classify_port_hint(p->sport), hd = classify_port_hint(p->dport);

		fi->midstream = true;
		if (hs != hd)
			src_is_client = hd;
		else
			src_is_client = p->sport >= p->dport;
	}
	fi->family = p->family;
	fi->ipproto = 6;
	fi->nvlan = p->nvlan;
	fi->vlan[0] = p->vlan[0];
	fi->vlan[1] = p->vlan[1];
	memcpy(fi->cli_addr, src_is_client ? p->src : p->dst, 16);
	memcpy(fi->srv_addr, src_is_client ? p->dst : p->src, 16);
	fi->cli_port = src_is_client ? p->sport : p->dport;
	fi->srv_port = src_is_client ? p->dport : p->sport;
	fi->flow_id = r->cfg.id_base + r->cfg.id_step * ++r->next_id;
	fi->input = r->input;
	f->hash = hash;
	f->first_dir = 0xff;
	f->state = F_CLASSIFY;
	*d = src_is_client ? DIR_C2S : DIR_S2C;

	f->hnext = r->buckets[hash & (r->nbuckets - 1)];
	r->buckets[hash & (r->nbuckets - 1)] = f;
	f->lru_ts = p->ts_us;
	lru_append(r, f);
	r->ctr.flows++;
	if (++r->ctr.flows_active > r->ctr.flows_active_max)
		r->ctr.flows_active_max = r->ctr.flows_active;
	/*
	 * At most one flow per two slots: reasm_packets() fetches a slot's
	 * first flow ahead, and a flow further down a chain is a wait.
	 */
	if (r->ctr.flows_active > r->nbuckets / 2)
		table_grow(r);
	return f;
}

/* The one way out: flush, let the decoder speak, free. */
static void
flow_end(struct reasm *r, struct flow *f, enum end_reason why)
{
	struct flow **pp;
	struct dec_ctx ctx;
	enum dir first;
	uint64_t pkt_ts = r->cur_ts;

	r->ending++;
	if (why != END_FIN && why != END_RST)
		r->cur_ts = f->last_ts;
	if (f->state == F_CLASSIFY && f->first_dir != 0xff)
		try_classify(r, f, true);	/* a short flow: judge what it said */
	if (f->state == F_DECODE) {
		/* Whatever waits goes out, oldest first, holes as gaps. */
		first = (f->h[DIR_S2C].first_ts != 0 &&
		    (f->h[DIR_C2S].first_ts == 0 ||
		    f->h[DIR_S2C].first_ts < f->h[DIR_C2S].first_ts)) ?
		    DIR_S2C : DIR_C2S;
		deliver(r, f, first, true);
		deliver(r, f, first == DIR_C2S ? DIR_S2C : DIR_C2S, true);
		if (f->state == F_DECODE) {
			ctx_init(r, f, &ctx);
			f->dec->end(f->st, &ctx, why);
			detach(r, f);
		}
	}
	release_bufs(r, f);
	release_ndpi(r, f);
	switch (why) {
	case END_FIN: r->ctr.ended_fin++; break;
	case END_RST: r->ctr.ended_rst++; break;
	case END_TIMEOUT: r->ctr.ended_timeout++; break;
	case END_EVICT: r->ctr.ended_evict++; break;
	case END_EXIT: r->ctr.ended_exit++; break;
	}
	for (pp = &r->buckets[f->hash & (r->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == f) {
			*pp = f->hnext;
			break;
		}
	}
	lru_unlink(r, f);
	r->ctr.flows_active--;
	r->ctr.mem_in_use -= sizeof(*f);
	f->hnext = r->free_flows;
	r->free_flows = f;
	/*
	 * A flow ended by time or a cap in the middle of another's packet:
	 * that packet's findings keep that packet's time.
	 */
	r->cur_ts = pkt_ts;
	r->ending--;
}

static void
expire(struct reasm *r)
{
	int n;

	for (n = 0; n < EXPIRE_PER_SWEEP && r->lru_head != NULL; n++) {
		if (r->lru_head->last_ts + r->cfg.timeout_us >= r->now)
			break;
		flow_end(r, r->lru_head, END_TIMEOUT);
	}
}

static void
on_ack(struct reasm *r, struct flow *f, enum dir d, uint32_t ack)
{
	struct half *h = &f->h[d];

	/* Past the inspection depth nothing more is handed on, not even gaps. */
	if (!(h->flags & H_SEQ) || (h->flags & H_DEPTH))
		return;
	if (!(h->flags & H_ACKED) || seq_diff(ack, h->acked) > 0) {
		h->acked = ack;
		h->flags |= H_ACKED;
	}
	deliver(r, f, d, false);
}

/* A TCP segment whose tuple hashes to `hash` (tuple_hash()). */
static void
tcp_packet(struct reasm *r, const struct pkt *p, uint64_t hash)
{
	struct flow *f;
	struct half *h;
	enum dir d = DIR_C2S;
	uint32_t seq = p->seq;
	uint8_t fl = p->tcp_flags;

	r->cur_ts = p->ts_us;
	if (p->ts_us + r->cfg.timeout_us < r->now) {
		/*
		 * Time went back by more than the idle timeout: the next of
		 * several capture files was taken earlier.  Its flows are not
		 * those of the file before; end those, and take its clock.
		 */
		while (r->lru_head != NULL)
			flow_end(r, r->lru_head, END_TIMEOUT);
		r->now = p->ts_us;
		r->cur_ts = p->ts_us;
	}
	if (p->ts_us > r->now)
		r->now = p->ts_us;
	/*
	 * The idle sweep reads the oldest flow, a cold cache line: every
	 * EXPIRE_EVERY packets rather than each, with as many ends allowed,
	 * and whenever a second of packet time has passed (sparse traffic).
	 */
	if (++r->sweep_count >= EXPIRE_EVERY ||
	    r->now - r->sweep_ts >= 1000000) {
		r->sweep_count = 0;
		r->sweep_ts = r->now;
		expire(r);
	}

	for (f = r->buckets[hash & (r->nbuckets - 1)]; f != NULL; f = f->hnext)
		if (f->hash == hash && flow_match(f, p, &d))
			break;
	if (f == NULL) {
		/* Only a SYN or bytes start a flow; a lone ACK, FIN or RST does not. */
		if ((fl & TH_RST) || (!(fl & TH_SYN) && p->payload_len == 0)) {
			r->ctr.no_flow++;
			return;
		}
		if ((f = flow_create(r, p, hash, &d)) == NULL)
			return;
	} else if (f != r->lru_tail && p->ts_us - f->lru_ts >= LRU_RELINK_US) {
		/*
		 * The LRU order is kept to within LRU_RELINK_US: relinking on
		 * every packet touches two other flows' cache lines for
		 * nothing.  Idle timeouts are tens of seconds and more.
		 */
		lru_unlink(r, f);
		lru_append(r, f);
		f->lru_ts = p->ts_us;
	}
	f->last_ts = p->ts_us;

	if (f->state == F_IGNORED)
		goto flags;
	/*
	 * A flow that opens with a TLS record (0x16 handshake, 0x17 data:
	 * RFC 8446 §5.1) is encrypted from its first byte: no decoder of ours
	 * can read it, so it costs neither nDPI nor a window.  Upgrades
	 * (STARTTLS) start in clear and are not affected.
	 */
	if (f->state == F_CLASSIFY && f->first_dir == 0xff && p->payload_len >= 3 &&
	    (p->payload[0] == 0x16 || p->payload[0] == 0x17) &&
	    p->payload[1] == 0x03 && p->payload[2] <= 0x04) {
		f->state = F_IGNORED;
		r->ctr.flows_ignored++;
		goto flags;
	}
	/*
	 * nDPI state is taken in try_classify(), only when the content
	 * leaves the protocol open, so a flood of SYNs and most flows cost
	 * no nDPI at all; nDPI 4.2 classifies from payload without the
	 * handshake.
	 */
	r->cur_pkt = p;
	if (f->state == F_CLASSIFY && f->nflow != NULL && f->ndpi == NDPI_PENDING) {
		const struct decoder *nd = NULL;

		f->ndpi = (uint8_t)cls_ndpi_packet(r->cls, f->nflow, p, &nd);
		if (f->ndpi != NDPI_PENDING) {
			f->ndpi_dec = nd;
			release_ndpi(r, f);
		}
	}

	h = &f->h[d];
	if (fl & TH_SYN) {
		if (!(h->flags & H_SEQ)) {
			h->base = seq + 1;
			h->flags |= H_SEQ;
		}
		/* A SYN-ACK acknowledges the client's SYN: the client's start. */
		if ((fl & TH_ACK) && !(f->h[!d].flags & H_SEQ)) {
			f->h[!d].base = p->ack;
			f->h[!d].flags |= H_SEQ;
		}
		seq++;
	}
	if (fl & TH_ACK) {
		f->ack_seen[d] = true;
		if (f->state == F_CLASSIFY && (f->h[!d].flags & H_SEQ))
			log_ack(f, d, p->ack);
		on_ack(r, f, !d, p->ack);
		if (f->state == F_IGNORED)
			goto flags;
	}
	if (p->payload_len > 0 && !(h->flags & H_DEPTH)) {
		const struct half_sink *out = NULL;
		const uint8_t *pl = p->payload;
		size_t plen = p->payload_len;
		struct dsink s = { r, f, d };
		struct half_sink hs = { sink_data, sink_gap, &s };

		if (f->first_dir == 0xff)
			f->first_dir = (uint8_t)d;
		/*
		 * Bytes in order that the decoder said it does not need (a
		 * body of known length) only move the delivery point: no
		 * window, no copy, no call.
		 */
		if (h->skip > 0 && f->state == F_DECODE &&
		    (h->flags & H_SEQ) && seq == h->base && !half_pending(h)) {
			size_t k = h->skip < p->payload_len ?
			    (size_t)h->skip : p->payload_len;

			h->skip -= k;
			h->base += (uint32_t)k;
			h->delivered += k;
			r->ctr.skipped_bytes += k;
			if (k == p->payload_len)
				goto flags;
			pl = p->payload + k;
			plen = p->payload_len - k;
			seq += (uint32_t)k;
		}
		/*
		 * Past the first GATE_BYTES of a direction (where logins and
		 * upgrades happen) bytes in order go to the decoder at once,
		 * without waiting for the receiver's ACK and without a copy:
		 * bulk data costs no window.
		 */
		if (f->state == F_DECODE && h->delivered >= GATE_BYTES &&
		    half_pass(h, seq, pl, plen, &r->ctr, &hs))
			goto flags;
		if ((h->buf == NULL && (h->buf = rbuf_get(r, f,
		    half_need(h, seq, plen) > RBUF_SMALL ? RBUF_SIZE :
		    RBUF_SMALL)) == NULL) ||
		    !rbuf_grow(r, f, h, half_need(h, seq, plen))) {
			r->ctr.memcap_refused++;
			if (f->state == F_DECODE)
				detach(r, f);
			f->state = F_IGNORED;
			goto flags;
		}
		if (f->state == F_DECODE)
			out = &hs;
		if (!half_insert(h, seq, pl, plen, p->ts_us,
		    &r->ctr, out)) {
			/* No verdict within a window's worth of bytes. */
			f->state = F_IGNORED;
			r->ctr.flows_ignored++;
			goto flags;
		}
		if (f->state == F_CLASSIFY) {
			if (f->packets < UINT8_MAX)
				f->packets++;
			try_classify(r, f, false);
		} else if (f->state == F_DECODE &&
		    (!f->ack_seen[!d] || h->delivered >= GATE_BYTES))
			deliver(r, f, d, false);
	}
flags:
	if (f->state == F_IGNORED) {
		release_bufs(r, f);
		release_ndpi(r, f);
	}
	if (fl & TH_FIN) {
		f->h[d].flags |= H_FIN;
		f->h[d].fin_seq = seq + (uint32_t)p->payload_wire;
		f->fin_mask |= (uint8_t)(1u << d);
	}
	if (fl & TH_RST)
		flow_end(r, f, END_RST);
	else if (f->fin_mask == 3)
		flow_end(r, f, END_FIN);
}

static void
udp_packet(struct reasm *r, const struct pkt *p)
{
	if (r->udp == NULL)
		return;
	udp_datagram(r->udp, p, r->input);
	r->ctr.udp_flows = udp_counters(r->udp)->flows;
	r->ctr.udp_unclaimed = udp_counters(r->udp)->unclaimed;
	r->ctr.udp_evicted = udp_counters(r->udp)->evicted;
}

void
reasm_packet(struct reasm *r, const struct pkt *p)
{
	if (p->ipproto == 17)
		udp_packet(r, p);
	else
		tcp_packet(r, p, tuple_hash(r, p));
}

/*
 * Prefetch distances, in packets: a packet's table slot is fetched
 * AHEAD_SLOT packets before it is handled, its flow record (the slot's
 * first flow: chains average one) AHEAD_FLOW packets before.  A packet
 * costs about 100 ns, a fetch from memory about as much.
 */
#define AHEAD_SLOT	8
#define AHEAD_FLOW	4
#define AHEAD_RUN	64	/* hashes kept for the packets in flight */

void
reasm_packets(struct reasm *r, const struct pkt *p, size_t n)
{
	uint64_t hv[AHEAD_RUN];
	const struct pkt *q;
	const struct flow *f;
	size_t m, i, j;

	for (q = p; n > 0; q += m, n -= m) {
		m = n < AHEAD_RUN ? n : AHEAD_RUN;
		for (i = 0; i < m + AHEAD_SLOT; i++) {
			if (i < m && q[i].ipproto != 17) {
				hv[i] = tuple_hash(r, &q[i]);
				__builtin_prefetch(&r->buckets[hv[i] &
				    (r->nbuckets - 1)]);
			}
			j = i - (AHEAD_SLOT - AHEAD_FLOW);
			if (i >= AHEAD_SLOT - AHEAD_FLOW && j < m &&
			    q[j].ipproto != 17 &&
			    (f = r->buckets[hv[j] & (r->nbuckets - 1)]) != NULL) {
				/* The two lines every packet of a flow reads. */
				__builtin_prefetch(f);
				__builtin_prefetch((const char *)f + 64);
			}
			if (i < AHEAD_SLOT)
				continue;
			j = i - AHEAD_SLOT;
			if (q[j].ipproto == 17)
				udp_packet(r, &q[j]);
			else
				tcp_packet(r, &q[j], hv[j]);
		}
	}
}

/* --- set-up and tear-down ---------------------------------------------- */

struct reasm *
reasm_new(const struct reasm_config *cfg, struct alert_sink *sink)
{
	struct reasm *r;
	struct timespec ts;
	unsigned i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->cfg = *cfg;
	if (r->cfg.max_flows == 0)
		r->cfg.max_flows = REASM_DEFAULT_MAX_FLOWS;
	if (r->cfg.memcap == 0)
		r->cfg.memcap = REASM_DEFAULT_MEMCAP;
	if (r->cfg.depth == 0)
		r->cfg.depth = REASM_DEFAULT_DEPTH;
	if (r->cfg.timeout_us == 0)
		r->cfg.timeout_us = (uint64_t)REASM_DEFAULT_TIMEOUT_S * 1000000;
	if (r->cfg.id_step == 0)
		r->cfg.id_step = 1;
	r->sink = sink;
	r->input = "";
	/* nDPI's module is made on first need (try_classify). */
	if (udp_has_decoders() &&
	    (r->udp = udp_new(0, 0, sink, &r->dctr, r->cfg.id_base,
	    r->cfg.id_step, &r->next_id)) == NULL) {
		cls_engine_free(r->cls);
		free(r);
		return NULL;
	}
	r->nbuckets = 4096;
	if ((r->buckets = calloc(r->nbuckets, sizeof(struct flow *))) == NULL) {
		udp_free(r->udp);
		cls_engine_free(r->cls);
		free(r);
		return NULL;
	}
	/*
	 * A per-run hash key: crafted tuples cannot aim at one chain.  From
	 * the kernel's generator; the clock and pid only if it fails.
	 */
	if (getrandom(&r->seed, sizeof(r->seed), 0) != (ssize_t)sizeof(r->seed) ||
	    getrandom(r->nh_key, sizeof(r->nh_key), 0) !=
	    (ssize_t)sizeof(r->nh_key)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		r->seed = mix((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20),
		    (uint64_t)getpid() ^ (uint64_t)(uintptr_t)r);
		for (i = 0; i < NH_WORDS; i++)
			r->nh_key[i] = (uint32_t)(mix(r->seed, i) >> 32);
	}
	return r;
}

void
reasm_set_input(struct reasm *r, const char *input)
{
	r->input = input;
}

void
reasm_tick(struct reasm *r, uint64_t now_us)
{
	int i;

	if (now_us > r->now)
		r->now = now_us;
	if (r->udp != NULL)
		udp_tick(r->udp, now_us);
	/* A quiet link still ends idle flows; a few hundred per tick at most. */
	for (i = 0; i < 64; i++) {
		struct flow *f = r->lru_head;

		if (f == NULL || f->last_ts + r->cfg.timeout_us >= r->now)
			break;
		expire(r);
	}
}

void
reasm_flush(struct reasm *r)
{
	while (r->lru_head != NULL)
		flow_end(r, r->lru_head, END_EXIT);
	if (r->udp != NULL)
		udp_flush(r->udp);
}

void
reasm_free(struct reasm *r)
{
	struct slab *s;
	struct rbuf *b;
	int k;

	if (r == NULL)
		return;
	reasm_flush(r);
	while ((s = r->slabs) != NULL) {
		r->slabs = s->next;
		free(s);
	}
	for (k = 0; k < 2; k++) {
		while ((b = r->free_rbufs[k]) != NULL) {
			r->free_rbufs[k] = b->next;
			free(b);
		}
	}
	free(r->buckets);
	udp_free(r->udp);
	cls_engine_free(r->cls);
	free(r);
}

const struct reasm_counters *
reasm_counters(const struct reasm *r)
{
	return &r->ctr;
}

const struct dec_counters *
reasm_dec_counters(const struct reasm *r)
{
	return &r->dctr;
}
