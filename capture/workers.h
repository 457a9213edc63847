/*
 * workers.h - spreading packets over worker threads, each with its own
 * flow table, so that both directions of a flow always meet in one worker.
 *
 * Live, every worker opens the interface itself and joins one AF_PACKET
 * fanout group in hash mode: the kernel does the spreading.  Offline, the
 * reading thread hashes each packet's flow the same symmetric way, is
 * itself worker 0 (its packets go to the callback at once, no copy) and
 * queues a copy of the others' for their threads.  Workers know nothing of
 * reassembly: each is a packet callback, a periodic tick and an argument.
 */
#ifndef CREDLEAK_WORKERS_H
#define CREDLEAK_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

#define WORKERS_MAX	64

struct worker_def {
	pkt_cb		 cb;		/* a packet for this worker */
	pkt_batch_cb	 batch;		/* offline: several at once (if set, instead of cb) */
	void		(*tick)(void *arg); /* at least every 250 ms live; per batch offline */
	void		*arg;
	struct pkt_counters counters;	/* link/IP/TCP counters of this worker's packets */
	struct live_stats kstats;	/* live: kernel counters, refreshed by the worker */
	uint64_t	 iface_errors;	/* live: times the interface failed */
};

struct workers;

/* A worker index for a packet: symmetric in the two endpoints. */
unsigned workers_pick(const struct pkt *p, unsigned n);

/*
 * Start n offline workers (n >= 2; with one, call the callbacks directly):
 * threads for workers 1 to n-1; worker 0 runs in the calling thread.
 */
struct workers *workers_offline_start(struct worker_def *defs, unsigned n);

/*
 * n parsed packets in capture order: worker 0's go to its callback now,
 * the others' are queued (copied) for their threads; blocks while a queue
 * is full.
 */
void workers_offline_packets(struct workers *w, const struct pkt *p, size_t n);

/* Drain the queues, stop and join the threads. */
void workers_offline_finish(struct workers *w);

/*
 * Start n live workers on o->iface, all in one fanout group when n > 1.
 * Every handle is opened before this returns (so privileges can be dropped
 * afterwards); NULL with a message if one cannot be.
 */
struct workers *workers_live_start(struct worker_def *defs, unsigned n,
    const struct live_opts *o, char *errbuf, size_t errlen);

/* Ask live workers to stop, join them, close the handles. */
void workers_live_stop(struct workers *w);

/* Serialise work done under the workers' shared lock (stats snapshots). */
void workers_lock(struct workers *w);
void workers_unlock(struct workers *w);

#endif /* CREDLEAK_WORKERS_H */
