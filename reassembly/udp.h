/*
 * udp.h - UDP "flows" for the datagram decoders (SNMP, ...).
 *
 * UDP has no connection and no stream: a datagram is a whole message.  A
 * flow here is only what lets a decoder tie a request to its response and
 * report a secret once rather than per datagram: the 5-tuple plus VLAN,
 * first seen when a UDP decoder's probe claims a datagram, ended after an
 * idle timeout, by eviction under the cap, or at the end of the input.
 * Datagrams no decoder claims create nothing: a DNS flood costs a probe
 * per datagram and no memory.
 */
#ifndef CREDLEAK_UDP_H
#define CREDLEAK_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../alerts/alert.h"
#include "../capture/packet.h"
#include "../decoders/decoder.h"

#define UDP_DEFAULT_MAX_FLOWS	4096
#define UDP_DEFAULT_TIMEOUT_S	120

struct udp_counters {
	uint64_t	 datagrams;	/* UDP datagrams seen */
	uint64_t	 unclaimed;	/* datagrams of no flow that no decoder claimed */
	uint64_t	 flows;		/* UDP flows created */
	uint64_t	 evicted;	/* flows ended early to stay under the cap */
	uint64_t	 refused;	/* flows not created: no memory */
};

struct udp_table;

/*
 * A table of at most max_flows flows (0: the default), ended after
 * timeout_us idle (0: the default).  Flow ids are id_base + id_step * n
 * with n from *next_id, the counter the TCP flows share, so ids stay
 * unique in the worker.
 */
struct udp_table *udp_new(size_t max_flows, uint64_t timeout_us,
    struct alert_sink *sink, struct dec_counters *dctr, uint64_t id_base,
    uint64_t id_step, uint64_t *next_id);

/* End every flow (END_EXIT) and free the table. */
void udp_free(struct udp_table *u);

/* One parsed UDP datagram (p->ipproto == 17) from the input named input. */
void udp_datagram(struct udp_table *u, const struct pkt *p, const char *input);

/* The time is now_us: flows idle past the timeout end (bounded work). */
void udp_tick(struct udp_table *u, uint64_t now_us);

/* End every flow now (END_EXIT). */
void udp_flush(struct udp_table *u);

/* Whether any decoder of the table reads UDP. */
bool udp_has_decoders(void);

const struct udp_counters *udp_counters(const struct udp_table *u);

#endif /* CREDLEAK_UDP_H */
