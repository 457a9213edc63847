/*
 * packet.c - link, IP and TCP header parsing (see packet.h).
 *
 * Specifications: IEEE 802.3 and 802.1Q (Ethernet, VLAN tags), the
 * tcpdump.org link-layer header types list (SLL, SLL2, NULL, LOOP, RAW),
 * RFC 791 (IPv4), RFC 8200 (IPv6), RFC 6946 (IPv6 atomic fragments),
 * RFC 9293 (TCP).
 *
 * Every byte is read through decoders/cursor.h.  Two lengths are kept
 * apart: what the capture holds (the cursor) and what the IP header says
 * was sent (`wire`).  The IP length clamps the cursor, so Ethernet padding
 * never becomes payload; a capture shorter than the IP length is a snaplen
 * cut and only the payload may be cut, never a header.
 */
#include <string.h>

#include "../decoders/cursor.h"
#include "packet.h"

/*
 * Link-layer header types (tcpdump.org/linktypes.html), as pcap_datalink()
 * gives them.
 */
#define LT_NULL		0	/* BSD loopback, AF in writer's order */
#define LT_EN10MB	1
#define LT_RAW		12	/* DLT_RAW on most systems */
#define LT_RAW_OPENBSD	14	/* DLT_RAW on OpenBSD */
#define LT_RAW_LINKTYPE	101	/* LINKTYPE_RAW as stored in files */
#define LT_LOOP		108	/* OpenBSD loopback, AF big-endian */
#define LT_LINUX_SLL	113
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_LINUX_SLL2	276

#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_8021Q	0x8100	/* IEEE 802.1Q customer tag */
#define ETHERTYPE_8021AD 0x88a8	/* IEEE 802.1ad service tag */
#define ETHERTYPE_QINQ	0x9100	/* pre-standard QinQ */

#define ARPHRD_NETLINK	824	/* SLL: protocol is a netlink family */

/* NULL/LOOP families; IPv6: 24 Net/OpenBSD, 28 FreeBSD, 30 Darwin. */
#define BSD_AF_INET	2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

#define VLAN_MAX_TAGS	8	/* VLAN tags walked before bad_link */
#define IP6_MAX_EXT	8	/* extension headers walked before bad_ip */

#define IP_PROTO_TCP	6
#define IP_PROTO_UDP	17
#define IP6_HOPOPTS	0
#define IP6_ROUTING	43
#define IP6_FRAGMENT	44
#define IP6_ESP		50
#define IP6_AH		51
#define IP6_NONE	59
#define IP6_DSTOPTS	60

/* What the link layer carries. */
enum link_verdict {
	LINK_BAD = 0,
	LINK_NOT_IP,
	LINK_V4,
	LINK_V6,
	LINK_BY_VERSION		/* raw IP: the version nibble decides */
};

/* What became of a packet past the link layer. */
enum verdict {
	V_TCP = 0,
	V_UDP,
	V_NOT_TCP,
	V_FRAGMENT,
	V_BAD_IP,
	V_BAD_TCP,
	V_BAD_UDP
};

bool
pkt_linktype_supported(int linktype)
{
	switch (linktype) {
	case LT_NULL:
	case LT_EN10MB:
	case LT_RAW:
	case LT_RAW_OPENBSD:
	case LT_RAW_LINKTYPE:
	case LT_LOOP:
	case LT_LINUX_SLL:
	case LT_IPV4:
	case LT_IPV6:
	case LT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

/*
 * Walk VLAN tags (IEEE 802.1Q; 802.1ad and the older 0x9100 for QinQ) to
 * the real EtherType.  The first two VLAN ids are kept, outermost first;
 * further tags are skipped.  VID 0 is a priority tag, not a VLAN (802.1Q
 * §9.6), and is not recorded.
 */
static enum link_verdict
ethertype(struct cursor *cur, uint16_t type, struct pkt *out)
{
	unsigned ntags;
	uint16_t tci;

	for (ntags = 0; type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	    type == ETHERTYPE_QINQ; ntags++) {
		if (ntags == VLAN_MAX_TAGS)
			return LINK_BAD;
		tci = cur_get_be16(cur);
		type = cur_get_be16(cur);
		if (!cur_ok(cur))
			return LINK_BAD;
		if ((tci & 0x0fff) != 0 && out->nvlan < 2)
			out->vlan[out->nvlan++] = tci & 0x0fff;
	}
	if (type == ETHERTYPE_IP)
		return LINK_V4;
	if (type == ETHERTYPE_IPV6)
		return LINK_V6;
	/* ARP, LLDP, 802.3 length fields (< 0x0600) with LLC, MPLS, ... */
	return LINK_NOT_IP;
}

static enum link_verdict
bsd_af(uint32_t af)
{
	switch (af) {
	case BSD_AF_INET:
		return LINK_V4;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return LINK_V6;
	default:
		return LINK_NOT_IP;
	}
}

/* Step over the link header; the cursor is left at the IP header. */
static enum link_verdict
link_parse(int linktype, struct cursor *cur, struct pkt *out)
{
	const uint8_t *h;
	uint16_t type, hatype;
	uint32_t af;

	switch (linktype) {
	case LT_EN10MB:
		/* Destination and source MAC, then EtherType. */
		if ((h = cur_take(cur, 14)) == NULL)
			return LINK_BAD;
		return ethertype(cur, be16(h + 12), out);
	case LT_LINUX_SLL:
		/*
		 * Packet type (2), ARPHRD type (2), address length (2),
		 * address (8), protocol (2).  libpcap puts a VLAN tag it
		 * took from the kernel's metadata back after the header.
		 */
		cur_skip(cur, 2);
		hatype = cur_get_be16(cur);
		cur_skip(cur, 10);
		type = cur_get_be16(cur);
		if (!cur_ok(cur))
			return LINK_BAD;
		if (hatype == ARPHRD_NETLINK)
			return LINK_NOT_IP;
		return ethertype(cur, type, out);
	case LT_LINUX_SLL2:
		/*
		 * Protocol (2), reserved (2), interface index (4), ARPHRD
		 * type (2), packet type (1), address length (1), address (8).
		 */
		type = cur_get_be16(cur);
		cur_skip(cur, 6);
		hatype = cur_get_be16(cur);
		cur_skip(cur, 10);
		if (!cur_ok(cur))
			return LINK_BAD;
		if (hatype == ARPHRD_NETLINK)
			return LINK_NOT_IP;
		return ethertype(cur, type, out);
	case LT_RAW:
	case LT_RAW_OPENBSD:
	case LT_RAW_LINKTYPE:
		return LINK_BY_VERSION;
	case LT_IPV4:
		return LINK_V4;
	case LT_IPV6:
		return LINK_V6;
	case LT_NULL:
		/*
		 * The AF value is in the byte order of the host that wrote
		 * the capture.  AF values are small, so a value with bits in
		 * the upper half was written on a host of the other order
		 * (tcpdump's print-null.c does the same).
		 */
		af = cur_get_he32(cur);
		if (!cur_ok(cur))
			return LINK_BAD;
		if ((af & 0xffff0000U) != 0)
			af = (af >> 24) | ((af >> 8) & 0xff00U) |
			    ((af << 8) & 0xff0000U) | (af << 24);
		return bsd_af(af);
	case LT_LOOP:
		af = cur_get_be32(cur);
		if (!cur_ok(cur))
			return LINK_BAD;
		return bsd_af(af);
	default:
		return LINK_BAD;
	}
}

/*
 * IPv4 (RFC 791 §3.1).  On V_TCP the cursor holds the TCP segment as far
 * as it was captured and *wire is the segment's length by the IP header.
 */
static enum verdict
ipv4(struct cursor *cur, size_t l3wire, struct pkt *out, size_t *wire)
{
	const uint8_t *l3 = cur_ptr(cur), *h;
	size_t avail = cur_left(cur), hl, tot;
	uint16_t frag;
	uint8_t vhl, proto;

	/*
	 * Version and header length, type of service, total length,
	 * identification, flags and fragment offset, time to live, protocol,
	 * checksum (not verified), source, destination.
	 */
	if ((h = cur_take(cur, 20)) == NULL || (h[0] >> 4) != 4)
		return V_BAD_IP;
	vhl = h[0];
	tot = be16(h + 2);
	frag = be16(h + 6);
	proto = h[9];
	memcpy(out->src, h + 12, 4);
	memcpy(out->dst, h + 16, 4);
	hl = (size_t)(vhl & 0x0f) * 4;
	if (hl < 20)
		return V_BAD_IP;
	/*
	 * A total length of 0 is what segmentation offload leaves in
	 * packets captured on the sending host; the frame is the datagram.
	 */
	if (tot == 0)
		tot = l3wire;
	if (tot < hl || tot > l3wire)
		return V_BAD_IP;

	/* Rewind and clamp to the datagram: link padding is not payload. */
	cur_init(cur, l3, avail);
	cur_limit(cur, tot);
	cur_skip(cur, hl);			/* options are skipped */
	if (!cur_ok(cur))
		return V_BAD_IP;
	out->family = 4;
	out->ipproto = proto;
	out->l3 = l3;
	out->l3_len = avail < tot ? avail : tot;

	/* More-fragments flag or a fragment offset: not reassembled. */
	if ((frag & 0x3fff) != 0)
		return V_FRAGMENT;
	*wire = tot - hl;
	if (proto == IP_PROTO_UDP)
		return V_UDP;
	if (proto != IP_PROTO_TCP)
		return V_NOT_TCP;
	return V_TCP;
}

/*
 * IPv6 (RFC 8200 §3, §4).  Extension headers are walked up to
 * IP6_MAX_EXT of them; they must lie inside the payload length and inside
 * the capture.
 */
static enum verdict
ipv6(struct cursor *cur, size_t l3wire, struct pkt *out, size_t *wire)
{
	const uint8_t *l3 = cur_ptr(cur);
	size_t avail = cur_left(cur), plen, len;
	uint32_t vtcfl;
	uint16_t offmf;
	uint8_t nh, hdrlen;
	unsigned next;

	vtcfl = cur_get_be32(cur);
	plen = cur_get_be16(cur);
	nh = cur_get_u8(cur);
	cur_skip(cur, 1);			/* hop limit */
	cur_copy(cur, out->src, 16);
	cur_copy(cur, out->dst, 16);
	if (!cur_ok(cur) || (vtcfl >> 28) != 6)
		return V_BAD_IP;
	/* 0: a jumbogram (RFC 2675) or segmentation offload: use the frame. */
	if (plen == 0)
		plen = l3wire - 40;
	if (plen > l3wire - 40)
		return V_BAD_IP;
	cur_limit(cur, plen);
	out->family = 6;
	out->l3 = l3;
	out->l3_len = avail < 40 + plen ? avail : 40 + plen;

	for (next = 0;; next++) {
		out->ipproto = nh;
		switch (nh) {
		case IP_PROTO_TCP:
			*wire = plen;
			return V_TCP;
		case IP_PROTO_UDP:
			*wire = plen;
			return V_UDP;
		case IP6_HOPOPTS:
		case IP6_ROUTING:
		case IP6_DSTOPTS:
		case IP6_AH:
		case IP6_FRAGMENT:
			break;
		default:
			/* ESP (50), No Next Header (59), ICMPv6, ... */
			return V_NOT_TCP;
		}
		/* Hop-by-hop options may only come first (RFC 8200 §4.1). */
		if (next == IP6_MAX_EXT || (nh == IP6_HOPOPTS && next != 0))
			return V_BAD_IP;
		nh = cur_get_u8(cur);
		hdrlen = cur_get_u8(cur);
		if (!cur_ok(cur))
			return V_BAD_IP;
		if (out->ipproto == IP6_FRAGMENT) {
			/*
			 * RFC 8200 §4.5.  An atomic fragment (offset 0, no
			 * M flag) is a whole packet and is processed as one
			 * (RFC 6946 §4); any other is not reassembled.
			 */
			offmf = cur_get_be16(cur);
			cur_skip(cur, 4);	/* identification */
			if (!cur_ok(cur))
				return V_BAD_IP;
			if ((offmf & 0xfff9) != 0)
				return V_FRAGMENT;
			len = 8;
		} else if (out->ipproto == IP6_AH) {
			/* RFC 4302 §2.2: length in 4-octet units, minus 2. */
			len = ((size_t)hdrlen + 2) * 4;
			cur_skip(cur, len - 2);
		} else {
			/* Length in 8-octet units, not counting the first 8. */
			len = ((size_t)hdrlen + 1) * 8;
			cur_skip(cur, len - 2);
		}
		if (!cur_ok(cur) || len > plen)
			return V_BAD_IP;
		plen -= len;
	}
}

/* TCP (RFC 9293 §3.1); the cursor holds the captured part of the segment. */
static enum verdict
tcp(struct cursor *cur, size_t wire, struct pkt *out, struct pkt_counters *c)
{
	const uint8_t *h;
	uint16_t offflags;
	size_t hl;

	/*
	 * Ports, sequence and acknowledgment numbers, data offset and
	 * flags, window, checksum (not verified), urgent pointer.
	 */
	if ((h = cur_take(cur, 20)) == NULL)
		return V_BAD_TCP;
	out->sport = be16(h);
	out->dport = be16(h + 2);
	out->seq = be32(h + 4);
	out->ack = be32(h + 8);
	offflags = be16(h + 12);
	out->window = be16(h + 14);
	hl = (size_t)(offflags >> 12) * 4;
	if (hl < 20 || hl > wire)
		return V_BAD_TCP;
	cur_skip(cur, hl - 20);	/* options */
	if (!cur_ok(cur))
		return V_BAD_TCP;
	out->tcp_flags = offflags & 0xff;
	out->payload = cur_ptr(cur);
	out->payload_len = cur_left(cur);
	out->payload_wire = wire - hl;
	if (out->payload_len < out->payload_wire) {
		out->truncated = true;
		c->truncated++;
	}
	return V_TCP;
}

/*
 * UDP (RFC 768): the length field bounds the datagram; a length below the
 * header's 8 bytes or beyond the IP payload is malformed.  Checksums are
 * not verified, as for TCP.
 */
static enum verdict
udp(struct cursor *cur, size_t wire, struct pkt *out, struct pkt_counters *c)
{
	size_t len;

	out->sport = cur_get_be16(cur);
	out->dport = cur_get_be16(cur);
	len = cur_get_be16(cur);
	cur_skip(cur, 2);	/* checksum */
	if (!cur_ok(cur))
		return V_BAD_UDP;
	/* 0: a jumbogram (RFC 2675 §4) or offload; the IP length rules. */
	if (len == 0)
		len = wire;
	if (len < 8 || len > wire)
		return V_BAD_UDP;
	out->payload = cur_ptr(cur);
	out->payload_wire = len - 8;
	out->payload_len = cur_left(cur) < out->payload_wire ?
	    cur_left(cur) : out->payload_wire;
	if (out->payload_len < out->payload_wire) {
		out->truncated = true;
		c->truncated++;
	}
	return V_UDP;
}

bool
pkt_parse(int linktype, const uint8_t *data, size_t caplen, size_t wirelen,
    uint64_t ts_us, struct pkt *out, struct pkt_counters *c)
{
	struct cursor cur;
	enum link_verdict lv;
	enum verdict v;
	size_t l3wire, wire = 0;

	c->packets++;
	if (data == NULL)
		caplen = 0;
	if (wirelen < caplen)
		wirelen = caplen;
	c->bytes += wirelen;

	memset(out, 0, sizeof(*out));
	out->ts_us = ts_us;
	cur_init(&cur, data, caplen);

	lv = link_parse(linktype, &cur, out);
	if (lv == LINK_BY_VERSION) {
		if (!cur_has(&cur, 1)) {
			c->bad_ip++;
			return false;
		}
		lv = (cur_ptr(&cur)[0] >> 4) == 6 ? LINK_V6 : LINK_V4;
	}
	switch (lv) {
	case LINK_BAD:
		c->bad_link++;
		return false;
	case LINK_NOT_IP:
		c->not_ip++;
		return false;
	default:
		break;
	}

	/* IP bytes on the wire: the frame less the link header. */
	l3wire = wirelen - (caplen - cur_left(&cur));
	v = lv == LINK_V6 ? ipv6(&cur, l3wire, out, &wire) :
	    ipv4(&cur, l3wire, out, &wire);
	if (v == V_TCP)
		v = tcp(&cur, wire, out, c);
	else if (v == V_UDP)
		v = udp(&cur, wire, out, c);

	switch (v) {
	case V_TCP:
		c->tcp++;
		return true;
	case V_UDP:
		c->udp++;
		return true;
	case V_BAD_UDP:
		c->bad_udp++;
		break;
	case V_NOT_TCP:
		c->not_tcp++;
		break;
	case V_FRAGMENT:
		c->fragments++;
		break;
	case V_BAD_IP:
		c->bad_ip++;
		break;
	case V_BAD_TCP:
		c->bad_tcp++;
		break;
	}
	return false;
}
