/*
 * flow.h - the flow table: TCP connections keyed by their 5-tuple plus VLAN,
 * their reassembled byte streams, and the decoder attached to each.
 *
 * Policy on retransmissions and overlaps (one rule, stated once):
 *   - Bytes are handed to a decoder once the receiving side has acknowledged
 *     them.  Until then they wait in a bounded per-direction window, and a
 *     later copy of the same sequence range replaces the earlier one (the
 *     counter `overlap_diff` says when the copies differed).  This is what a
 *     real receiver does: a bogus segment that the receiver never ACKed
 *     loses to the genuine bytes that followed.
 *   - When the other side's ACKs are never seen (a one-directional capture),
 *     and past the first 64 KiB of a direction (logins and upgrades happen
 *     before; what follows is bulk data), bytes are handed on as soon as
 *     they are in order, straight from the packet.
 *   - Bytes already handed on are never revisited; a later copy is counted
 *     as a retransmission and dropped.
 *   - Bytes the receiver acknowledged but the capture never saw, and holes
 *     left at the end of a flow, reach the decoder as gap events: data is
 *     never spliced across a hole.
 */
#ifndef CREDLEAK_FLOW_H
#define CREDLEAK_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../alerts/alert.h"
#include "../capture/packet.h"
#include "../decoders/decoder.h"

struct reasm_config {
	size_t		 max_flows;	/* flows tracked at once; the oldest is evicted beyond */
	size_t		 memcap;	/* bytes of stream buffers and decoder state, all flows */
	uint64_t	 depth;		/* bytes inspected per direction of a flow */
	uint64_t	 timeout_us;	/* idle time after which a flow ends */
	bool		 no_ndpi;	/* classify by content probes and port hints only */
	uint64_t	 id_base;	/* flow ids are id_base + id_step * n, n = 1, 2, ...: */
	uint64_t	 id_step;	/* unique across workers (0: base 0, step 1) */
};

#define REASM_DEFAULT_MAX_FLOWS	262144
#define REASM_DEFAULT_MEMCAP	(64u << 20)
#define REASM_DEFAULT_DEPTH	(1u << 20)
#define REASM_DEFAULT_TIMEOUT_S	300

struct reasm_counters {
	uint64_t	 flows;		/* flows created */
	uint64_t	 flows_decoded;	/* flows a decoder was attached to */
	uint64_t	 flows_ignored;	/* flows no decoder wanted */
	uint64_t	 by_ndpi;	/* decoders chosen by nDPI's verdict */
	uint64_t	 by_content;	/* decoders chosen by a content probe or port hint */
	uint64_t	 ndpi_flows;	/* flows whose first bytes left it to nDPI */
	uint64_t	 tunnels;	/* streams re-classified after a tunnel set-up */
	uint64_t	 flows_active;	/* flows in the table now */
	uint64_t	 flows_active_max;
	uint64_t	 ended_fin, ended_rst, ended_timeout, ended_evict, ended_exit;
	uint64_t	 no_flow;	/* packets without payload or SYN for no known flow */
	uint64_t	 retransmissions; /* segments wholly before the delivery point */
	uint64_t	 overlap_diff;	/* overlapping copies whose bytes differed */
	uint64_t	 gaps;		/* holes reported to decoders */
	uint64_t	 gap_bytes;
	uint64_t	 window_overflow; /* a segment beyond the buffer window forced delivery */
	uint64_t	 depth_reached;	/* directions cut at the inspection depth */
	uint64_t	 skipped_bytes;	/* bytes a decoder said it did not need */
	uint64_t	 udp_flows;	/* UDP flows a datagram decoder followed */
	uint64_t	 udp_unclaimed;	/* UDP datagrams no decoder wanted */
	uint64_t	 udp_evicted;	/* UDP flows ended early under their cap */
	uint64_t	 memcap_evictions; /* flows ended to stay under the memory cap */
	uint64_t	 memcap_refused;  /* flows left uninspected: no memory even after eviction */
	uint64_t	 mem_in_use;
	uint64_t	 mem_peak;
};

struct reasm;

/* A reassembler writing findings to sink. */
struct reasm *reasm_new(const struct reasm_config *cfg, struct alert_sink *sink);

/* End every flow (END_EXIT) and free everything. */
void reasm_free(struct reasm *r);

/* Name of the input the following packets come from (kept by pointer). */
void reasm_set_input(struct reasm *r, const char *input);

/* One parsed packet: a TCP segment, or a UDP datagram for reassembly/udp.c. */
void reasm_packet(struct reasm *r, const struct pkt *p);

/*
 * n packets in capture order: the same as reasm_packet() on each in turn,
 * but the flow table is read ahead of need (each packet's table slot, then
 * its flow record, is prefetched a few packets before it is handled), so
 * the cache misses of a large table overlap instead of adding up.
 */
void reasm_packets(struct reasm *r, const struct pkt *p, size_t n);

/*
 * The time is now_us (live: the wall clock) even if no packet came: flows
 * idle past the timeout end.  Bounded work per call.
 */
void reasm_tick(struct reasm *r, uint64_t now_us);

/* End every flow now (END_EXIT), letting decoders emit what they know. */
void reasm_flush(struct reasm *r);

const struct reasm_counters *reasm_counters(const struct reasm *r);
const struct dec_counters *reasm_dec_counters(const struct reasm *r);

#endif /* CREDLEAK_FLOW_H */
