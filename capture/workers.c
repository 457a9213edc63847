/*
 * workers.c - worker threads fed offline by a flow-hash dispatcher or live
 * by AF_PACKET fanout (see workers.h).
 *
 * Offline, packets travel to their worker in batches: fixed buffers taken
 * from a small per-worker pool, so the reading thread never allocates per
 * packet and a slow worker holds the reader back instead of growing a queue.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workers.h"

#define BATCH_BYTES	(512u << 10)	/* holds the largest packet (snaplen 256 KiB) */
#define BATCHES		8		/* per worker: 4 MiB in flight at most */
#define INLINE_TICK	4096		/* worker 0's packets between two ticks */
#define REOPEN_S	5		/* live: wait before reopening a failed interface */

struct batch {
	struct batch	*next;
	size_t		 len;
	uint8_t		 data[BATCH_BYTES];
};

/* One queued packet: the parsed header, then the IP packet's bytes. */
struct rec {
	uint32_t	 size;		/* of the whole record, 8-aligned */
	uint32_t	 payload_off;	/* payload - l3 */
	struct pkt	 p;
};

struct wslot {
	struct workers		*w;
	unsigned		 i;
	pthread_t		 th;
	bool			 started;
	bool			 inline_;	/* offline worker 0: the reading thread */
	unsigned		 since_tick;
	/* offline */
	struct batch		*cur;		/* being filled by the reader */
	struct batch		*q_head, *q_tail; /* full, waiting for the worker */
	struct batch		*free;
	pthread_cond_t		 nonempty, nonfull;
	bool			 done;
	/* live */
	struct live		*l;
	uint64_t		 last_stats;
	struct live_stats	 kbase;		/* of the sockets closed after a failure */
};

struct workers {
	struct worker_def	*defs;
	unsigned		 n;
	pthread_mutex_t		 mu;
	struct wslot		 slot[WORKERS_MAX];
	struct live_opts	 lopts;		/* with the fanout group filled in */
	atomic_int		 stop;
};

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

unsigned
workers_pick(const struct pkt *p, unsigned n)
{
	uint64_t a = 0, b = 0;
	size_t i;

	if (n <= 1)
		return 0;
	/* Sum and xor of the two endpoints: the same either way round. */
	for (i = 0; i < 16; i += 8) {
		uint64_t x, y;

		memcpy(&x, p->src + i, 8);
		memcpy(&y, p->dst + i, 8);
		a += mix(x) + mix(y);
		b ^= x ^ y;
	}
	a += (uint64_t)p->sport + p->dport;
	b ^= (uint64_t)(p->sport ^ p->dport) << 16;
	b ^= p->nvlan > 0 ? (uint64_t)p->vlan[0] << 32 : 0;
	return (unsigned)(mix(a ^ mix(b)) % n);
}

static void
block_signals(void)
{
	sigset_t all;

	/* The main thread handles signals; workers never see them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
}

void
workers_lock(struct workers *w)
{
	pthread_mutex_lock(&w->mu);
}

void
workers_unlock(struct workers *w)
{
	pthread_mutex_unlock(&w->mu);
}

/* --- offline --------------------------------------------------------------- */

#define RUN	32	/* packets handed to a batch callback at once */

/* Hand on n packets: to the batch callback if there is one. */
static void
deliver(struct worker_def *d, const struct pkt *p, size_t n)
{
	size_t i;

	if (d->batch != NULL)
		d->batch(p, n, d->arg);
	else
		for (i = 0; i < n; i++)
			d->cb(&p[i], d->arg);
}

static void
run_batch(struct worker_def *d, struct batch *b)
{
	size_t off = 0, n = 0;
	struct rec r;
	struct pkt p[RUN];

	while (off + sizeof(r) <= b->len) {
		memcpy(&r, b->data + off, sizeof(r));
		p[n] = r.p;
		p[n].l3 = b->data + off + sizeof(r);
		p[n].payload = p[n].l3 + r.payload_off;
		off += r.size;
		if (++n == RUN) {
			deliver(d, p, n);
			n = 0;
		}
	}
	if (n > 0)
		deliver(d, p, n);
	if (d->tick != NULL)
		d->tick(d->arg);
}

static void *
offline_main(void *arg)
{
	struct wslot *s = arg;
	struct workers *w = s->w;
	struct batch *b;

	block_signals();
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (s->q_head == NULL && !s->done)
			pthread_cond_wait(&s->nonempty, &w->mu);
		if ((b = s->q_head) == NULL) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		s->q_head = b->next;
		if (s->q_head == NULL)
			s->q_tail = NULL;
		pthread_mutex_unlock(&w->mu);

		run_batch(&w->defs[s->i], b);

		pthread_mutex_lock(&w->mu);
		b->len = 0;
		b->next = s->free;
		s->free = b;
		pthread_cond_signal(&s->nonfull);
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

struct workers *
workers_offline_start(struct worker_def *defs, unsigned n)
{
	struct workers *w;
	unsigned i, k;

	if (n < 1 || n > WORKERS_MAX || (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->defs = defs;
	w->n = n;
	pthread_mutex_init(&w->mu, NULL);
	for (i = 0; i < n; i++) {
		struct wslot *s = &w->slot[i];

		s->w = w;
		s->i = i;
		pthread_cond_init(&s->nonempty, NULL);
		pthread_cond_init(&s->nonfull, NULL);
		/*
		 * The reader is worker 0: its share needs no copy and no
		 * hand-over, and reading leaves a core free for the others.
		 */
		if (i == 0) {
			s->inline_ = true;
			s->started = true;
			continue;
		}
		for (k = 0; k < BATCHES; k++) {
			struct batch *b = malloc(sizeof(*b));

			if (b == NULL)
				break;
			b->len = 0;
			b->next = s->free;
			s->free = b;
		}
		if (pthread_create(&s->th, NULL, offline_main, s) == 0)
			s->started = true;
	}
	return w;
}

/* Hand the slot's current batch to its worker. */
static void
submit(struct workers *w, struct wslot *s)
{
	struct batch *b = s->cur;

	if (b == NULL || b->len == 0)
		return;
	s->cur = NULL;
	pthread_mutex_lock(&w->mu);
	b->next = NULL;
	if (s->q_tail != NULL)
		s->q_tail->next = b;
	else
		s->q_head = b;
	s->q_tail = b;
	pthread_cond_signal(&s->nonempty);
	pthread_mutex_unlock(&w->mu);
}

/* Copy one packet into its worker's current batch. */
static void
queue(struct workers *w, struct wslot *s, const struct pkt *p)
{
	struct rec r;
	size_t need;

	memset(&r, 0, sizeof(r));
	r.p = *p;
	/* The payload lies inside the captured IP packet (pkt_parse). */
	r.payload_off = (uint32_t)(p->payload - p->l3);
	need = (sizeof(r) + p->l3_len + 7) & ~(size_t)7;
	r.size = (uint32_t)need;
	if (s->cur != NULL && s->cur->len + need > BATCH_BYTES)
		submit(w, s);
	if (s->cur == NULL) {
		pthread_mutex_lock(&w->mu);
		while (s->free == NULL)
			pthread_cond_wait(&s->nonfull, &w->mu);
		s->cur = s->free;
		s->free = s->cur->next;
		pthread_mutex_unlock(&w->mu);
		s->cur->len = 0;
	}
	memcpy(s->cur->data + s->cur->len, &r, sizeof(r));
	memcpy(s->cur->data + s->cur->len + sizeof(r), p->l3, p->l3_len);
	s->cur->len += need;
}

void
workers_offline_packets(struct workers *w, const struct pkt *p, size_t n)
{
	struct wslot *s, *s0 = &w->slot[0];
	struct worker_def *d0 = &w->defs[0];
	struct pkt mine[RUN];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		s = &w->slot[workers_pick(&p[i], w->n)];
		if (!s->started)
			continue;
		if (!s->inline_) {
			queue(w, s, &p[i]);
			continue;
		}
		/* Worker 0's own, in order, a run at a time. */
		mine[k++] = p[i];
		if (k == RUN) {
			deliver(d0, mine, k);
			k = 0;
		}
	}
	if (k > 0)
		deliver(d0, mine, k);
	s0->since_tick += (unsigned)n;
	if (s0->since_tick >= INLINE_TICK) {
		s0->since_tick = 0;
		if (d0->tick != NULL)
			d0->tick(d0->arg);
	}
}

void
workers_offline_finish(struct workers *w)
{
	unsigned i;
	struct batch *b;

	for (i = 0; i < w->n; i++)
		submit(w, &w->slot[i]);
	pthread_mutex_lock(&w->mu);
	for (i = 0; i < w->n; i++) {
		w->slot[i].done = true;
		pthread_cond_signal(&w->slot[i].nonempty);
	}
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->n; i++) {
		struct wslot *s = &w->slot[i];

		if (s->started && !s->inline_)
			pthread_join(s->th, NULL);
		if (s->inline_ && w->defs[i].tick != NULL)
			w->defs[i].tick(w->defs[i].arg);
		while ((b = s->free) != NULL) {
			s->free = b->next;
			free(b);
		}
		free(s->cur);
		pthread_cond_destroy(&s->nonempty);
		pthread_cond_destroy(&s->nonfull);
	}
	pthread_mutex_destroy(&w->mu);
	free(w);
}

/* --- live ------------------------------------------------------------------ */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Kernel counters of the slot: the open socket's, plus those closed before. */
static void
slot_stats(struct wslot *s, struct live_stats *ks)
{
	memset(ks, 0, sizeof(*ks));
	if (s->l != NULL)
		live_get_stats(s->l, ks);
	ks->received += s->kbase.received;
	ks->dropped += s->kbase.dropped;
	ks->if_dropped += s->kbase.if_dropped;
}

/* The worker's own tick: refresh its kernel counters, then the caller's tick. */
static void
live_tick(void *arg)
{
	struct wslot *s = arg;
	struct workers *w = s->w;
	struct worker_def *d = &w->defs[s->i];
	uint64_t now = mono_ms();

	if (s->l != NULL && now - s->last_stats >= 1000) {
		struct live_stats ks;

		slot_stats(s, &ks);
		pthread_mutex_lock(&w->mu);
		d->kstats = ks;
		pthread_mutex_unlock(&w->mu);
		s->last_stats = now;
	}
	if (d->tick != NULL)
		d->tick(d->arg);
}

static void *
live_main(void *arg)
{
	struct wslot *s = arg;
	struct workers *w = s->w;
	struct worker_def *d = &w->defs[s->i];
	char err[512];
	unsigned waited;

	block_signals();
	while (!atomic_load(&w->stop)) {
		if (s->l == NULL) {
			/* The interface failed: try again every few seconds. */
			for (waited = 0; waited < REOPEN_S * 4 && !atomic_load(&w->stop); waited++) {
				usleep(250000);
				if (d->tick != NULL)
					d->tick(d->arg);
			}
			if (atomic_load(&w->stop))
				break;
			{
				struct live *l = live_open(&w->lopts, err, sizeof(err));

				if (l == NULL) {
					fprintf(stderr, "credleak: worker %u: %s; "
					    "retrying\n", s->i, err);
					continue;
				}
				pthread_mutex_lock(&w->mu);
				s->l = l;
				pthread_mutex_unlock(&w->mu);
			}
			fprintf(stderr, "credleak: worker %u: %s reopened\n", s->i,
			    w->lopts.iface);
		}
		if (live_run(s->l, d->cb, d->arg, live_tick, s, &d->counters,
		    &w->stop, err, sizeof(err)) != 0) {
			fprintf(stderr, "credleak: worker %u: %s; reopening in %d s\n",
			    s->i, err, REOPEN_S);
			/* Keep what the failed socket counted. */
			{
				struct live_stats ks;

				slot_stats(s, &ks);
				s->kbase = ks;
			}
			pthread_mutex_lock(&w->mu);
			d->kstats = s->kbase;
			d->iface_errors++;
			live_close(s->l);
			s->l = NULL;
			pthread_mutex_unlock(&w->mu);
		}
	}
	return NULL;
}

struct workers *
workers_live_start(struct worker_def *defs, unsigned n,
    const struct live_opts *o, char *errbuf, size_t errlen)
{
	struct workers *w;
	unsigned i;

	if (n < 1 || n > WORKERS_MAX || (w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(errbuf, errlen, "bad number of workers %u", n);
		return NULL;
	}
	w->defs = defs;
	w->n = n;
	w->lopts = *o;
	pthread_mutex_init(&w->mu, NULL);
	/* One fanout group per process: its id from the pid. */
	w->lopts.fanout_group = n > 1 ? (int)(getpid() & 0xffff) : 0;
	for (i = 0; i < n; i++) {
		w->slot[i].w = w;
		w->slot[i].i = i;
		if ((w->slot[i].l = live_open(&w->lopts, errbuf, errlen)) == NULL) {
			while (i-- > 0)
				live_close(w->slot[i].l);
			pthread_mutex_destroy(&w->mu);
			free(w);
			return NULL;
		}
	}
	for (i = 0; i < n; i++)
		if (pthread_create(&w->slot[i].th, NULL, live_main, &w->slot[i]) == 0)
			w->slot[i].started = true;
	return w;
}

void
workers_live_stop(struct workers *w)
{
	unsigned i;

	/* The flag, then a wake-up for any worker blocked in a read. */
	atomic_store(&w->stop, 1);
	pthread_mutex_lock(&w->mu);
	for (i = 0; i < w->n; i++)
		if (w->slot[i].l != NULL)
			live_breakloop(w->slot[i].l);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->n; i++) {
		if (w->slot[i].started)
			pthread_join(w->slot[i].th, NULL);
		/* The worker is gone: its final kernel counters can be read here. */
		slot_stats(&w->slot[i], &w->defs[i].kstats);
		live_close(w->slot[i].l);
	}
	pthread_mutex_destroy(&w->mu);
	free(w);
}
