/*
 * packet.h - link, IP and TCP header parsing into struct pkt.
 *
 * Link types: Ethernet (with 802.1Q / 802.1ad / QinQ tags), Linux cooked
 * SLL and SLL2, raw IP (DLT_RAW, LINKTYPE_IPV4/IPV6), BSD loopback NULL and
 * LOOP.  IPv4 (RFC 791) and IPv6 (RFC 8200, extension headers skipped).
 * Every byte is read through a length-checked cursor; a packet that cannot
 * be parsed is counted by reason and skipped.  TCP checksums are not
 * verified on purpose: captures taken with checksum offload carry wrong
 * ones, and a sensor that drops them loses real sessions.
 */
#ifndef CREDLEAK_PACKET_H
#define CREDLEAK_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PUSH	0x08
#define TH_ACK	0x10

/* One parsed packet; valid only during the callback that receives it. */
struct pkt {
	uint64_t	 ts_us;		/* capture time, microseconds since the epoch */
	const uint8_t	*l3;		/* IP header (nDPI wants it) */
	size_t		 l3_len;
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 ipproto;	/* 6 = TCP, 17 = UDP; others are counted and dropped */
	uint8_t		 nvlan;
	uint16_t	 vlan[2];	/* outermost first */
	uint8_t		 src[16];	/* IPv4 in the first 4 bytes, rest zero */
	uint8_t		 dst[16];
	uint16_t	 sport, dport;
	uint32_t	 seq, ack;
	uint8_t		 tcp_flags;
	uint16_t	 window;
	const uint8_t	*payload;
	size_t		 payload_len;	/* bytes present in the capture */
	size_t		 payload_wire;	/* bytes the IP length says were sent */
	bool		 truncated;	/* snaplen cut the payload */
};

/* Why packets were not handed on; each is a counter, none is fatal. */
struct pkt_counters {
	uint64_t	 packets;	/* every record seen */
	uint64_t	 bytes;		/* wire bytes of every record */
	uint64_t	 tcp;		/* parsed TCP packets handed on */
	uint64_t	 udp;		/* parsed UDP datagrams handed on */
	uint64_t	 not_ip;	/* ARP, LLDP, ... */
	uint64_t	 not_tcp;	/* neither TCP nor UDP: ICMP, ESP, ... */
	uint64_t	 fragments;	/* IP fragments: not reassembled */
	uint64_t	 bad_link;	/* link header too short or unknown type */
	uint64_t	 bad_ip;	/* IP header malformed or truncated */
	uint64_t	 bad_tcp;	/* TCP header malformed or truncated */
	uint64_t	 bad_udp;	/* UDP header malformed or truncated */
	uint64_t	 truncated;	/* payload cut by snaplen */
};

/*
 * Parse one captured frame of pcap link type `linktype` (a DLT_/LINKTYPE_
 * value as pcap_datalink() returns it).  Returns true and fills *out for a
 * TCP segment or UDP datagram (out->ipproto tells which); otherwise counts
 * the reason in *c and returns false.
 */
bool pkt_parse(int linktype, const uint8_t *data, size_t caplen, size_t wirelen,
    uint64_t ts_us, struct pkt *out, struct pkt_counters *c);

/* Whether pkt_parse() knows this link type. */
bool pkt_linktype_supported(int linktype);

#endif /* CREDLEAK_PACKET_H */
