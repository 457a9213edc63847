/*
 * capture.h - input through libpcap: offline files (pcap and pcapng, "-"
 * for stdin) and live interfaces (AF_PACKET, with fanout across workers).
 */
#ifndef CREDLEAK_CAPTURE_H
#define CREDLEAK_CAPTURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* Called for one parsed packet (live); valid only during the call. */
typedef void (*pkt_cb)(const struct pkt *p, void *arg);

/* Called with n parsed packets in capture order, valid only during the call. */
typedef void (*pkt_batch_cb)(const struct pkt *p, size_t n, void *arg);

/*
 * Read the capture at `path` ("-" is standard input) and hand every TCP
 * packet (and UDP datagram) to cb, in runs of one or more.  Classic pcap
 * files are read in place (pcapfile.h) unless `flags` has
 * CAPTURE_LIBPCAP_READER.  Returns 0 at a clean end of file.  Returns -1
 * with a message naming the file and the problem in errbuf (missing, not a
 * capture, unsupported link type, truncated record); packets before the
 * fault have already been delivered.
 */
int capture_file(const char *path, const char *filter, unsigned flags,
    pkt_batch_cb cb, void *arg, struct pkt_counters *c, char *errbuf,
    size_t errlen);

/* capture_file() flags */
#define CAPTURE_LIBPCAP_READER	0x1	/* libpcap reads every record (slower) */

/* Live capture. */
struct live_opts {
	const char	*iface;		/* "eth1", or "any" */
	const char	*filter;	/* BPF, or NULL */
	bool		 promisc;
	int		 buffer_bytes;	/* kernel ring size; 0: libpcap's default */
	int		 fanout_group;	/* PACKET_FANOUT group id shared by workers; 0: none */
};

struct live_stats {
	uint64_t	 received;	/* pcap_stats ps_recv */
	uint64_t	 dropped;	/* ps_drop: the ring was full */
	uint64_t	 if_dropped;	/* ps_ifdrop: dropped by the interface */
};

struct live;

/*
 * Open the interface in immediate mode with a full snaplen, apply the
 * filter and join the fanout group (hash mode: both directions of a flow
 * reach the same member).  NULL with a message on failure.
 */
struct live *live_open(const struct live_opts *o, char *errbuf, size_t errlen);

/*
 * Hand packets to cb(pkt, cb_arg) until *stop becomes non-zero (returns 0)
 * or the interface fails (returns -1 with a message).  tick(tick_arg) runs
 * at least every 250 ms, packets or not.
 */
int live_run(struct live *l, pkt_cb cb, void *cb_arg, void (*tick)(void *),
    void *tick_arg, struct pkt_counters *c, atomic_int *stop, char *errbuf,
    size_t errlen);

/* Kernel counters so far. */
void live_get_stats(struct live *l, struct live_stats *s);

/* Make a blocked live_run() return at once (safe from another thread). */
void live_breakloop(struct live *l);

void live_close(struct live *l);

#endif /* CREDLEAK_CAPTURE_H */
