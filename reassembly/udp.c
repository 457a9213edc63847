/*
 * udp.c - UDP flows for the datagram decoders (see udp.h).
 *
 * A small chained hash table with a random per-run key, and an LRU list
 * whose head is the flow idle longest: the timeout sweep and eviction
 * under the cap both take from the head, a bounded amount of work per
 * datagram.  Decoder state is allocated when a flow is created (one
 * allocation per flow, never per datagram) and every end goes through
 * uflow_end(), which lets the decoder emit what it knows, wipes and frees.
 */
#include <sys/random.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "udp.h"

#define EXPIRE_PER_DATAGRAM	4
#define NBUCKETS		1024	/* power of two */

struct uflow {
	struct uflow		*hnext;
	struct uflow		*prev, *next;	/* LRU, head = idle longest */
	uint64_t		 hash;
	uint64_t		 last_ts;
	struct flow_info	 info;
	const struct decoder	*dec;		/* NULL once the decoder is done */
	void			*st;
};

struct udp_table {
	struct uflow		*buckets[NBUCKETS];
	struct uflow		*lru_head, *lru_tail;
	size_t			 nflows, max_flows;
	uint64_t		 timeout_us;
	uint64_t		 now;
	uint64_t		 seed;
	struct alert_sink	*sink;
	struct dec_counters	*dctr;
	uint64_t		 id_base, id_step;
	uint64_t		*next_id;
	struct udp_counters	 ctr;
};

bool
udp_has_decoders(void)
{
	size_t i;

	for (i = 0; decoders[i] != NULL; i++)
		if (decoders[i]->ipproto == 17)
			return true;
	return false;
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

/* The same for both directions: the endpoints are combined in order. */
static uint64_t
tuple_hash(const struct udp_table *u, const struct pkt *p)
{
	uint64_t a, b, h = u->seed, x, y;
	size_t i, n = p->family == 6 ? 16 : 8;

	/* Keyed from the first word: which tuples collide differs per run. */
	a = b = h;
	for (i = 0; i < n; i += 8) {
		memcpy(&x, p->src + i, 8);	/* IPv4: the address and zeros */
		memcpy(&y, p->dst + i, 8);
		a = mix(a, x);
		b = mix(b, y);
	}
	a = mix(a, p->sport);
	b = mix(b, p->dport);
	h = mix(h, a < b ? a : b);
	h = mix(h, a < b ? b : a);
	h = mix(h, ((uint64_t)p->vlan[0] << 16) | p->vlan[1]);
	return h;
}

static bool
same_end(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
	return ap == bp && memcmp(a, b, 16) == 0;
}

static bool
uflow_match(const struct uflow *f, const struct pkt *p, enum dir *d)
{
	const struct flow_info *fi = &f->info;

	if (fi->family != p->family || fi->nvlan != p->nvlan ||
	    fi->vlan[0] != p->vlan[0] || fi->vlan[1] != p->vlan[1])
		return false;
	if (same_end(fi->cli_addr, fi->cli_port, p->src, p->sport) &&
	    same_end(fi->srv_addr, fi->srv_port, p->dst, p->dport)) {
		*d = DIR_C2S;
		return true;
	}
	if (same_end(fi->srv_addr, fi->srv_port, p->src, p->sport) &&
	    same_end(fi->cli_addr, fi->cli_port, p->dst, p->dport)) {
		*d = DIR_S2C;
		return true;
	}
	return false;
}

static void
lru_unlink(struct udp_table *u, struct uflow *f)
{
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		u->lru_head = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		u->lru_tail = f->prev;
	f->prev = f->next = NULL;
}

static void
lru_append(struct udp_table *u, struct uflow *f)
{
	f->prev = u->lru_tail;
	f->next = NULL;
	if (u->lru_tail != NULL)
		u->lru_tail->next = f;
	else
		u->lru_head = f;
	u->lru_tail = f;
}

static void
ctx_init(struct udp_table *u, struct uflow *f, struct dec_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->flow = &f->info;
	ctx->ts_us = u->now;
	ctx->sink = u->sink;
	ctx->ctr = u->dctr;
}

/* The decoder is finished with this flow: wipe and free its state. */
static void
release(struct uflow *f)
{
	if (f->st != NULL) {
		if (f->dec != NULL && f->dec->wipe != NULL)
			f->dec->wipe(f->st);
		explicit_bzero(f->st, f->dec != NULL ? f->dec->state_size : 0);
		free(f->st);
		f->st = NULL;
	}
	f->dec = NULL;
}

/* The one way a flow ends. */
static void
uflow_end(struct udp_table *u, struct uflow *f, enum end_reason why)
{
	struct uflow **pp;
	struct dec_ctx ctx;

	if (f->dec != NULL && f->dec->end != NULL) {
		ctx_init(u, f, &ctx);
		/* What the flow's end makes certain was known at its last datagram. */
		ctx.ts_us = f->last_ts;
		f->dec->end(f->st, &ctx, why);
	}
	release(f);
	for (pp = &u->buckets[f->hash & (NBUCKETS - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == f) {
			*pp = f->hnext;
			break;
		}
	lru_unlink(u, f);
	u->nflows--;
	free(f);
}

static void
expire(struct udp_table *u, int budget)
{
	while (budget-- > 0 && u->lru_head != NULL &&
	    u->lru_head->last_ts + u->timeout_us < u->now)
		uflow_end(u, u->lru_head, END_TIMEOUT);
}

/* The UDP decoder that claims this first datagram, and who sent it. */
static const struct decoder *
claim(const struct pkt *p, bool *sender_is_server)
{
	const struct decoder *hinted = NULL;
	const uint16_t *port;
	bool srv;
	size_t i;

	for (i = 0; decoders[i] != NULL; i++) {
		const struct decoder *d = decoders[i];

		if (d->ipproto != 17)
			continue;
		srv = false;
		switch (d->probe(DIR_C2S, p->payload, p->payload_len, &srv)) {
		case PROBE_YES:
			*sender_is_server = srv;
			return d;
		case PROBE_MAYBE:
			/* A datagram is whole: MAYBE stands only on a known port. */
			for (port = d->ports; port != NULL && *port != 0; port++)
				if (*port == p->dport || *port == p->sport) {
					if (hinted == NULL) {
						hinted = d;
						*sender_is_server = *port == p->sport &&
						    *port != p->dport;
					}
					break;
				}
			break;
		case PROBE_NO:
			break;
		}
	}
	return hinted;
}

static struct uflow *
uflow_create(struct udp_table *u, const struct pkt *p, uint64_t hash,
    const struct decoder *dec, bool sender_is_server)
{
	struct flow_info *fi;
	struct uflow *f;

	if (u->nflows >= u->max_flows && u->lru_head != NULL) {
		u->ctr.evicted++;
		uflow_end(u, u->lru_head, END_EVICT);
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		u->ctr.refused++;
		return NULL;
	}
	if (dec->state_size > 0 && (f->st = calloc(1, dec->state_size)) == NULL) {
		free(f);
		u->ctr.refused++;
		return NULL;
	}
	fi = &f->info;
	fi->family = p->family;
	fi->ipproto = 17;
	fi->nvlan = p->nvlan;
	fi->vlan[0] = p->vlan[0];
	fi->vlan[1] = p->vlan[1];
	memcpy(fi->cli_addr, sender_is_server ? p->dst : p->src, 16);
	memcpy(fi->srv_addr, sender_is_server ? p->src : p->dst, 16);
	fi->cli_port = sender_is_server ? p->dport : p->sport;
	fi->srv_port = sender_is_server ? p->sport : p->dport;
	fi->flow_id = u->id_base + u->id_step * ++*u->next_id;
	f->hash = hash;
	f->dec = dec;
	dec->init(f->st, false);
	f->hnext = u->buckets[hash & (NBUCKETS - 1)];
	u->buckets[hash & (NBUCKETS - 1)] = f;
	lru_append(u, f);
	u->nflows++;
	u->ctr.flows++;
	return f;
}

void
udp_datagram(struct udp_table *u, const struct pkt *p, const char *input)
{
	const struct decoder *dec;
	struct dec_ctx ctx;
	struct uflow *f;
	enum dir d = DIR_C2S;
	uint64_t hash;
	bool srv = false;

	u->ctr.datagrams++;
	if (p->ts_us + u->timeout_us < u->now) {
		/* The next capture file was taken earlier: a new clock. */
		while (u->lru_head != NULL)
			uflow_end(u, u->lru_head, END_TIMEOUT);
		u->now = p->ts_us;
	}
	if (p->ts_us > u->now)
		u->now = p->ts_us;
	expire(u, EXPIRE_PER_DATAGRAM);

	hash = tuple_hash(u, p);
	for (f = u->buckets[hash & (NBUCKETS - 1)]; f != NULL; f = f->hnext)
		if (f->hash == hash && uflow_match(f, p, &d))
			break;
	if (f == NULL) {
		if ((dec = claim(p, &srv)) == NULL) {
			u->ctr.unclaimed++;
			return;
		}
		if ((f = uflow_create(u, p, hash, dec, srv)) == NULL)
			return;
		d = DIR_C2S;
		if (srv)
			d = DIR_S2C;
	}
	f->last_ts = p->ts_us;
	f->info.input = input;
	lru_unlink(u, f);
	lru_append(u, f);
	if (f->dec == NULL)
		return;		/* the decoder is done: a lookup and no more */
	ctx_init(u, f, &ctx);
	ctx.ts_us = p->ts_us;
	switch (f->dec->data(f->st, &ctx, d, p->payload, p->payload_len)) {
	case DEC_MORE:
		break;
	case DEC_MISMATCH:
		u->dctr->mismatch++;
		release(f);
		break;
	case DEC_DONE:
	case DEC_TUNNEL:
		release(f);
		break;
	}
}

struct udp_table *
udp_new(size_t max_flows, uint64_t timeout_us, struct alert_sink *sink,
    struct dec_counters *dctr, uint64_t id_base, uint64_t id_step,
    uint64_t *next_id)
{
	struct udp_table *u;
	struct timespec ts;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->max_flows = max_flows > 0 ? max_flows : UDP_DEFAULT_MAX_FLOWS;
	u->timeout_us = timeout_us > 0 ? timeout_us :
	    (uint64_t)UDP_DEFAULT_TIMEOUT_S * 1000000;
	u->sink = sink;
	u->dctr = dctr;
	u->id_base = id_base;
	u->id_step = id_step > 0 ? id_step : 1;
	u->next_id = next_id;
	/* A per-run hash key: crafted tuples cannot aim at one chain. */
	/* From the kernel's generator, as the TCP table's; the clock if it fails. */
	if (getrandom(&u->seed, sizeof(u->seed), 0) != (ssize_t)sizeof(u->seed)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		u->seed = mix((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20),
		    (uint64_t)getpid() ^ (uint64_t)(uintptr_t)u);
	}
	return u;
}

void
udp_tick(struct udp_table *u, uint64_t now_us)
{
	if (now_us > u->now)
		u->now = now_us;
	expire(u, 256);
}

void
udp_flush(struct udp_table *u)
{
	struct uflow *f, *next;

	/* uflow_end() unlinks and frees only the flow it is given. */
	for (f = u->lru_head; f != NULL; f = next) {
		next = f->next;
		uflow_end(u, f, END_EXIT);
	}
}

void
udp_free(struct udp_table *u)
{
	if (u == NULL)
		return;
	udp_flush(u);
	free(u);
}

const struct udp_counters *
udp_counters(const struct udp_table *u)
{
	return &u->ctr;
}
