/*
 * test_packet.c - pkt_parse() on hand-built frames of every link type.
 *
 * Frames are assembled from small helpers (one per header) so each test
 * reads as the stack it builds.  The truncation tests copy every prefix of
 * a frame into a buffer of exactly that size, so a read past caplen is an
 * ASan error in the sanitizer build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../capture/packet.h"

#define LT_NULL		0
#define LT_EN10MB	1
#define LT_RAW		12
#define LT_RAW_OPENBSD	14
#define LT_RAW_LINKTYPE	101
#define LT_LOOP		108
#define LT_LINUX_SLL	113
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_LINUX_SLL2	276

#define PAYLOAD		"EHLO client.example\r\n"
#define SPORT		40000
#define DPORT		25

struct frame {
	uint8_t	 b[1024];
	size_t	 n;
};

/* --- frame builders -------------------------------------------------- */

static void
put(struct frame *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
put8(struct frame *f, uint8_t v)
{
	put(f, &v, 1);
}

static void
put16(struct frame *f, uint16_t v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void
put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

/* Overwrite a big-endian 16-bit value at offset off. */
static void
poke16(struct frame *f, size_t off, uint16_t v)
{
	f->b[off] = v >> 8;
	f->b[off + 1] = v & 0xff;
}

/* Ethernet: destination and source MAC, then EtherType. */
static void
eth(struct frame *f, uint16_t type)
{
	put(f, "\x00\x11\x22\x33\x44\x55" "\x66\x77\x88\x99\xaa\xbb", 12);
	put16(f, type);
}

/* One VLAN tag: TCI then the next EtherType. */
static void
vlan(struct frame *f, uint16_t tci, uint16_t type)
{
	put16(f, tci);
	put16(f, type);
}

/* Linux cooked v1: packet type, ARPHRD_ETHER, address length, address, protocol. */
static void
sll(struct frame *f, uint16_t proto)
{
	put16(f, 0);
	put16(f, 1);
	put16(f, 6);
	put(f, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
	put16(f, proto);
}

/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, addr len, addr. */
static void
sll2(struct frame *f, uint16_t proto)
{
	put16(f, proto);
	put16(f, 0);
	put32(f, 2);
	put16(f, 1);
	put8(f, 0);
	put8(f, 6);
	put(f, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
}

/* IPv4 header, 10.0.0.1 -> 10.0.0.2, for an l4len-byte payload. */
static void
ip4(struct frame *f, uint8_t proto, size_t l4len, uint16_t frag)
{
	put8(f, 0x45);
	put8(f, 0);
	put16(f, (uint16_t)(20 + l4len));
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);		/* checksum: not verified */
	put(f, "\x0a\x00\x00\x01", 4);
	put(f, "\x0a\x00\x00\x02", 4);
}

/* IPv6 header, 2001:db8::1 -> 2001:db8::2. */
static void
ip6(struct frame *f, uint8_t nh, size_t plen)
{
	put32(f, 0x60000000);
	put16(f, (uint16_t)plen);
	put8(f, nh);
	put8(f, 64);
	put(f, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	put(f, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
}

/* An 8-byte-unit extension header (hop-by-hop, routing, destination options). */
static void
ext(struct frame *f, uint8_t nh, uint8_t units)
{
	size_t i;

	put8(f, nh);
	put8(f, units);
	for (i = 2; i < ((size_t)units + 1) * 8; i++)
		put8(f, 0);
}

/* Fragment header (RFC 8200 §4.5). */
static void
frag6(struct frame *f, uint8_t nh, uint16_t offset, int more)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, (uint16_t)(offset << 3 | (more ? 1 : 0)));
	put32(f, 0xdeadbeef);
}

/* TCP header with optlen bytes of options (a multiple of 4), then payload. */
static void
tcp_opt(struct frame *f, const char *payload, size_t optlen)
{
	size_t i;

	put16(f, SPORT);
	put16(f, DPORT);
	put32(f, 1000);
	put32(f, 2000);
	put16(f, (uint16_t)(((20 + optlen) / 4) << 12 | 0x18));	/* PSH|ACK */
	put16(f, 512);
	put16(f, 0);
	put16(f, 0);
	for (i = 0; i < optlen; i++)
		put8(f, 1);	/* NOP */
	put(f, payload, strlen(payload));
}

static void
tcp(struct frame *f, const char *payload)
{
	tcp_opt(f, payload, 0);
}

#define TCPLEN(s)	(20 + strlen(s))

/* --- checks ---------------------------------------------------------- */

/* Every record lands in exactly one outcome counter. */
static void
check_sum(const struct pkt_counters *c)
{
	assert_int_equal(c->packets, c->tcp + c->udp + c->not_ip + c->not_tcp +
	    c->fragments + c->bad_link + c->bad_ip + c->bad_tcp + c->bad_udp);
}

static bool
parse(int lt, const struct frame *f, struct pkt *p, struct pkt_counters *c)
{
	bool ok;

	ok = pkt_parse(lt, f->b, f->n, f->n, 42, p, c);
	check_sum(c);
	return ok;
}

/* A parsed TCP packet carrying PAYLOAD from SPORT to DPORT. */
static void
check_tcp(const struct pkt *p, int family)
{
	assert_int_equal(p->family, family);
	assert_int_equal(p->ipproto, 6);
	assert_int_equal(p->sport, SPORT);
	assert_int_equal(p->dport, DPORT);
	assert_int_equal(p->seq, 1000);
	assert_int_equal(p->ack, 2000);
	assert_int_equal(p->tcp_flags, TH_PUSH | TH_ACK);
	assert_int_equal(p->window, 512);
	assert_int_equal(p->ts_us, 42);
	assert_int_equal(p->payload_len, strlen(PAYLOAD));
	assert_int_equal(p->payload_wire, strlen(PAYLOAD));
	assert_memory_equal(p->payload, PAYLOAD, strlen(PAYLOAD));
	assert_false(p->truncated);
	if (family == 4) {
		assert_memory_equal(p->src, "\x0a\x00\x00\x01" "\0\0\0\0\0\0\0\0\0\0\0\0", 16);
		assert_memory_equal(p->dst, "\x0a\x00\x00\x02" "\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	} else {
		assert_memory_equal(p->src, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		assert_memory_equal(p->dst, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	}
}

/* Parse f as link type lt and expect one TCP packet of the given family. */
static void
expect_tcp(int lt, const struct frame *f, int family, size_t l3off)
{
	struct pkt_counters c = { 0 };
	struct pkt p;

	assert_true(parse(lt, f, &p, &c));
	check_tcp(&p, family);
	assert_ptr_equal(p.l3, f->b + l3off);
	assert_int_equal(p.l3_len, f->n - l3off);
	assert_int_equal(c.tcp, 1);
	assert_int_equal(c.packets, 1);
	assert_int_equal(c.bytes, f->n);
}

/* Parse f and expect it dropped into the counter at byte offset `which`. */
static void
expect_drop(int lt, const struct frame *f, size_t which)
{
	struct pkt_counters c = { 0 };
	struct pkt p;

	assert_false(parse(lt, f, &p, &c));
	assert_int_equal(*(const uint64_t *)((const char *)&c + which), 1);
	assert_int_equal(c.packets, 1);
}

#define DROP(lt, f, field) expect_drop(lt, f, offsetof(struct pkt_counters, field))

/* --- link types ------------------------------------------------------ */

static void
test_ethernet_v4(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0x4000);	/* DF is not a fragment */
	tcp(&f, PAYLOAD);
	expect_tcp(LT_EN10MB, &f, 4, 14);
}

static void
test_ethernet_v6(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x86dd);
	ip6(&f, 6, TCPLEN(PAYLOAD));
	tcp(&f, PAYLOAD);
	expect_tcp(LT_EN10MB, &f, 6, 14);
}

/* A 54-byte frame padded to Ethernet's 60: the padding is not payload. */
static void
test_ethernet_padding(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_counters c = { 0 };
	struct pkt p;

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, TCPLEN(""), 0);
	tcp(&f, "");
	put(&f, "\0\0\0\0\0\0", 6);
	assert_int_equal(f.n, 60);
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload_wire, 0);
	assert_false(p.truncated);
	assert_int_equal(p.l3_len, 40);

	/* Padding after a payload-bearing segment, IPv6 too. */
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 6, TCPLEN("ab"));
	tcp(&f, "ab");
	put(&f, "PADPAD", 6);
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	assert_int_equal(p.payload_len, 2);
	assert_memory_equal(p.payload, "ab", 2);
	assert_int_equal(p.l3_len, 40 + 22);
}

static void
test_vlan(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_counters c = { 0 };
	struct pkt p;

	(void)state;
	/* One 802.1Q tag, priority bits set: only the 12-bit id is kept. */
	eth(&f, 0x8100);
	vlan(&f, 0xa000 | 100, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	check_tcp(&p, 4);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 100);
	assert_ptr_equal(p.l3, f.b + 18);

	/* 802.1ad outer, 802.1Q inner: outermost first. */
	f.n = 0;
	eth(&f, 0x88a8);
	vlan(&f, 200, 0x8100);
	vlan(&f, 300, 0x86dd);
	ip6(&f, 6, TCPLEN(PAYLOAD));
	tcp(&f, PAYLOAD);
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	check_tcp(&p, 6);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 200);
	assert_int_equal(p.vlan[1], 300);

	/* Pre-standard QinQ 0x9100 and a third tag, which is skipped. */
	f.n = 0;
	eth(&f, 0x9100);
	vlan(&f, 10, 0x8100);
	vlan(&f, 20, 0x8100);
	vlan(&f, 30, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	check_tcp(&p, 4);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 10);
	assert_int_equal(p.vlan[1], 20);
	assert_ptr_equal(p.l3, f.b + 26);

	/* VID 0 is a priority tag, not a VLAN. */
	f.n = 0;
	eth(&f, 0x8100);
	vlan(&f, 0x6000, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(c.tcp, 4);
}

static void
test_vlan_too_many(void **state)
{
	struct frame f = { .n = 0 };
	int i;

	(void)state;
	eth(&f, 0x8100);
	for (i = 0; i < 9; i++)
		vlan(&f, (uint16_t)(i + 1), i < 8 ? 0x8100 : 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	DROP(LT_EN10MB, &f, bad_link);
}

static void
test_not_ip(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x0806);			/* ARP */
	put(&f, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	DROP(LT_EN10MB, &f, not_ip);

	f.n = 0;
	eth(&f, 46);				/* 802.3 length, LLC follows */
	put(&f, "\x42\x42\x03", 3);
	DROP(LT_EN10MB, &f, not_ip);

	f.n = 0;
	eth(&f, 0x8100);			/* tagged LLDP */
	vlan(&f, 5, 0x88cc);
	DROP(LT_EN10MB, &f, not_ip);
}

static void
test_sll(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	sll(&f, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	expect_tcp(LT_LINUX_SLL, &f, 4, 16);

	f.n = 0;
	sll(&f, 0x86dd);
	ip6(&f, 6, TCPLEN(PAYLOAD));
	tcp(&f, PAYLOAD);
	expect_tcp(LT_LINUX_SLL, &f, 6, 16);

	/* A VLAN tag libpcap put back after the cooked header. */
	f.n = 0;
	sll(&f, 0x8100);
	vlan(&f, 7, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	expect_tcp(LT_LINUX_SLL, &f, 4, 20);

	/* Netlink: the protocol field is not an EtherType. */
	f.n = 0;
	sll(&f, 0x0800);
	poke16(&f, 2, 824);
	put(&f, "netlink", 7);
	DROP(LT_LINUX_SLL, &f, not_ip);

	f.n = 0;
	sll(&f, 0x0806);
	put(&f, "arp", 3);
	DROP(LT_LINUX_SLL, &f, not_ip);
}

static void
test_sll2(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	sll2(&f, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	expect_tcp(LT_LINUX_SLL2, &f, 4, 20);

	f.n = 0;
	sll2(&f, 0x86dd);
	ip6(&f, 6, TCPLEN(PAYLOAD));
	tcp(&f, PAYLOAD);
	expect_tcp(LT_LINUX_SLL2, &f, 6, 20);
}

static void
test_raw(void **state)
{
	static const int lts[] = { LT_RAW, LT_RAW_OPENBSD, LT_RAW_LINKTYPE };
	struct frame f4 = { .n = 0 }, f6 = { .n = 0 };
	size_t i;

	(void)state;
	ip4(&f4, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f4, PAYLOAD);
	ip6(&f6, 6, TCPLEN(PAYLOAD));
	tcp(&f6, PAYLOAD);
	for (i = 0; i < sizeof(lts) / sizeof(lts[0]); i++) {
		expect_tcp(lts[i], &f4, 4, 0);
		expect_tcp(lts[i], &f6, 6, 0);
	}
	expect_tcp(LT_IPV4, &f4, 4, 0);
	expect_tcp(LT_IPV6, &f6, 6, 0);

	/* The link type promises one version; the packet has the other. */
	DROP(LT_IPV4, &f6, bad_ip);
	DROP(LT_IPV6, &f4, bad_ip);

	/* Version 5 on raw IP. */
	f4.b[0] = 0x55;
	DROP(LT_RAW, &f4, bad_ip);
}

/* BSD loopback: a 4-byte address family, host order (NULL) or network order (LOOP). */
static void
test_null_loop(void **state)
{
	static const uint32_t v6af[] = { 24, 28, 30 };
	struct frame f = { .n = 0 };
	uint32_t af, swapped;
	size_t i;

	(void)state;
	af = 2;
	put(&f, &af, 4);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	expect_tcp(LT_NULL, &f, 4, 4);

	/* Written on a host of the other byte order. */
	swapped = __builtin_bswap32(af);
	memcpy(f.b, &swapped, 4);
	expect_tcp(LT_NULL, &f, 4, 4);

	for (i = 0; i < sizeof(v6af) / sizeof(v6af[0]); i++) {
		f.n = 0;
		put(&f, &v6af[i], 4);
		ip6(&f, 6, TCPLEN(PAYLOAD));
		tcp(&f, PAYLOAD);
		expect_tcp(LT_NULL, &f, 6, 4);
		swapped = __builtin_bswap32(v6af[i]);
		memcpy(f.b, &swapped, 4);
		expect_tcp(LT_NULL, &f, 6, 4);

		f.n = 0;
		put32(&f, v6af[i]);
		ip6(&f, 6, TCPLEN(PAYLOAD));
		tcp(&f, PAYLOAD);
		expect_tcp(LT_LOOP, &f, 6, 4);
	}

	f.n = 0;
	put32(&f, 2);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	expect_tcp(LT_LOOP, &f, 4, 4);

	/* AF_APPLETALK (16) and friends. */
	f.n = 0;
	put32(&f, 16);
	put(&f, "ddp", 3);
	DROP(LT_LOOP, &f, not_ip);
}

static void
test_unknown_linktype(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	DROP(105, &f, bad_link);	/* 802.11 */
	DROP(-1, &f, bad_link);
	assert_false(pkt_linktype_supported(105));
	assert_false(pkt_linktype_supported(127));
	assert_true(pkt_linktype_supported(LT_NULL));
	assert_true(pkt_linktype_supported(LT_EN10MB));
	assert_true(pkt_linktype_supported(LT_RAW));
	assert_true(pkt_linktype_supported(LT_RAW_OPENBSD));
	assert_true(pkt_linktype_supported(LT_RAW_LINKTYPE));
	assert_true(pkt_linktype_supported(LT_LOOP));
	assert_true(pkt_linktype_supported(LT_LINUX_SLL));
	assert_true(pkt_linktype_supported(LT_IPV4));
	assert_true(pkt_linktype_supported(LT_IPV6));
	assert_true(pkt_linktype_supported(LT_LINUX_SLL2));
}

/* --- IPv4 ------------------------------------------------------------ */

static void
test_ipv4_options(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, 8 + TCPLEN(PAYLOAD), 0);
	f.b[14] = 0x47;				/* IHL 7: 8 bytes of options */
	put(&f, "\x01\x01\x01\x00\x00\x00\x00\x00", 8);
	tcp(&f, PAYLOAD);
	expect_tcp(LT_EN10MB, &f, 4, 14);
}

static void
test_ipv4_fragments(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0x2000);	/* MF */
	tcp(&f, PAYLOAD);
	DROP(LT_EN10MB, &f, fragments);
	poke16(&f, 20, 0x0010);			/* offset 16 * 8 */
	DROP(LT_EN10MB, &f, fragments);
	poke16(&f, 20, 0x4000);			/* DF only */
	expect_tcp(LT_EN10MB, &f, 4, 14);
}

static void
test_ipv4_malformed(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);

	f.b[14] = 0x44;				/* IHL 4 */
	DROP(LT_EN10MB, &f, bad_ip);
	f.b[14] = 0x4f;				/* IHL 15: 60 bytes, 40 are TCP */
	expect_drop(LT_EN10MB, &f, offsetof(struct pkt_counters, bad_tcp));
	f.b[14] = 0x65;				/* version 6 in an IPv4 frame */
	DROP(LT_EN10MB, &f, bad_ip);
	f.b[14] = 0x45;

	poke16(&f, 16, 19);			/* total length < header */
	DROP(LT_EN10MB, &f, bad_ip);
	poke16(&f, 16, (uint16_t)(f.n - 14 + 1)); /* longer than the frame on the wire */
	DROP(LT_EN10MB, &f, bad_ip);

	/* Total length 0: segmentation offload; the frame is the datagram. */
	poke16(&f, 16, 0);
	expect_tcp(LT_EN10MB, &f, 4, 14);

	poke16(&f, 16, (uint16_t)(f.n - 14));
	f.b[14 + 9] = 1;			/* ICMP */
	DROP(LT_EN10MB, &f, not_tcp);
}

/* --- IPv6 ------------------------------------------------------------ */

static void
test_ipv6_ext(void **state)
{
	struct frame f = { .n = 0 };
	size_t plen = 8 + 16 + 8 + 24 + 8 + TCPLEN(PAYLOAD);

	(void)state;
	eth(&f, 0x86dd);
	ip6(&f, 0, plen);
	ext(&f, 43, 0);				/* hop-by-hop, 8 bytes */
	ext(&f, 60, 1);				/* routing, 16 bytes */
	ext(&f, 51, 0);				/* destination options, 8 bytes */
	put8(&f, 44);				/* AH: (4 + 2) * 4 = 24 bytes */
	put8(&f, 4);
	put(&f, "\0\0" "\0\0\0\1" "\0\0\0\1" "ICVICVICVICV", 22);
	frag6(&f, 6, 0, 0);			/* atomic fragment: a whole packet */
	tcp(&f, PAYLOAD);
	expect_tcp(LT_EN10MB, &f, 6, 14);
}

static void
test_ipv6_fragments(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x86dd);
	ip6(&f, 44, 8 + TCPLEN(PAYLOAD));
	frag6(&f, 6, 0, 1);			/* first fragment */
	tcp(&f, PAYLOAD);
	DROP(LT_EN10MB, &f, fragments);

	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 44, 8 + 16);
	frag6(&f, 6, 185, 0);			/* last fragment */
	put(&f, "rest of segment.", 16);
	DROP(LT_EN10MB, &f, fragments);
}

static void
test_ipv6_not_tcp(void **state)
{
	struct frame f = { .n = 0 };

	(void)state;
	eth(&f, 0x86dd);
	ip6(&f, 50, 16);			/* ESP */
	put(&f, "\0\0\1\0\0\0\0\1encrypted", 16);
	DROP(LT_EN10MB, &f, not_tcp);

	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 60, 8);
	ext(&f, 59, 0);				/* no next header */
	DROP(LT_EN10MB, &f, not_tcp);

	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 58, 8);				/* ICMPv6 */
	put(&f, "\x80\x00\x00\x00\x00\x01\x00\x01", 8);
	DROP(LT_EN10MB, &f, not_tcp);
}

/* UDP (RFC 768) over IPv4 and IPv6: ports, payload, and bad lengths. */
static void
test_udp(void **state)
{
	struct pkt_counters c;
	struct frame f = { .n = 0 };
	struct pkt p;

	(void)state;
	memset(&c, 0, sizeof(c));
	eth(&f, 0x86dd);
	ip6(&f, 17, 8 + 5);
	put(&f, "\x04\x01\x00\xa1\x00\x0d\x00\x00" "hello", 13);
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	assert_int_equal(c.udp, 1);
	assert_int_equal(p.ipproto, 17);
	assert_int_equal(p.sport, 1025);
	assert_int_equal(p.dport, 161);
	assert_int_equal(p.payload_len, 5);
	assert_memory_equal(p.payload, "hello", 5);

	/* A UDP length beyond the IP payload, then below the header. */
	poke16(&f, 14 + 40 + 4, 14);
	DROP(LT_EN10MB, &f, bad_udp);
	poke16(&f, 14 + 40 + 4, 7);
	DROP(LT_EN10MB, &f, bad_udp);
	/* A shorter UDP length: the rest of the IP payload is padding. */
	poke16(&f, 14 + 40 + 4, 8 + 2);
	memset(&c, 0, sizeof(c));
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	assert_int_equal(p.payload_len, 2);
	/* A header cut short by the IP length. */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 17, 6, 0);
	put(&f, "\x04\x01\x00\xa1\x00\x0d", 6);
	DROP(LT_EN10MB, &f, bad_udp);
}

static void
test_ipv6_malformed(void **state)
{
	struct frame f = { .n = 0 };
	int i;

	(void)state;
	/* Nine extension headers: over the limit. */
	eth(&f, 0x86dd);
	ip6(&f, 60, 9 * 8 + TCPLEN(PAYLOAD));
	for (i = 0; i < 9; i++)
		ext(&f, i < 8 ? 60 : 6, 0);
	tcp(&f, PAYLOAD);
	DROP(LT_EN10MB, &f, bad_ip);

	/* Hop-by-hop after another header. */
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 60, 16 + TCPLEN(PAYLOAD));
	ext(&f, 0, 0);
	ext(&f, 6, 0);
	tcp(&f, PAYLOAD);
	DROP(LT_EN10MB, &f, bad_ip);

	/* An extension header longer than the payload length. */
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 60, 16);
	ext(&f, 6, 3);				/* 32 bytes */
	DROP(LT_EN10MB, &f, bad_ip);

	/* Payload length longer than the frame. */
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 6, TCPLEN(PAYLOAD) + 1);
	tcp(&f, PAYLOAD);
	DROP(LT_EN10MB, &f, bad_ip);

	/* Payload length 0 (offload or jumbogram): the frame decides. */
	poke16(&f, 14 + 4, 0);
	expect_tcp(LT_EN10MB, &f, 6, 14);

	/* Version 4 in an IPv6 frame. */
	f.b[14] = 0x40;
	DROP(LT_EN10MB, &f, bad_ip);
}

/* --- TCP ------------------------------------------------------------- */

static void
test_tcp_header(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_counters c = { 0 };
	struct pkt p;

	(void)state;
	/* 12 bytes of options: the payload starts after them. */
	eth(&f, 0x0800);
	ip4(&f, 6, 12 + TCPLEN(PAYLOAD), 0);
	tcp_opt(&f, PAYLOAD, 12);
	expect_tcp(LT_EN10MB, &f, 4, 14);

	/* SYN with no payload, all flag bits kept. */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 6, TCPLEN(""), 0);
	tcp(&f, "");
	f.b[14 + 20 + 13] = TH_SYN | 0xc0;	/* with CWR and ECE */
	assert_true(parse(LT_EN10MB, &f, &p, &c));
	assert_int_equal(p.tcp_flags, TH_SYN | 0xc0);
	assert_int_equal(p.payload_len, 0);

	/* Data offset 4. */
	f.b[14 + 20 + 12] = 0x40;
	DROP(LT_EN10MB, &f, bad_tcp);
	/* Data offset past the segment. */
	f.b[14 + 20 + 12] = 0x60;
	DROP(LT_EN10MB, &f, bad_tcp);

	/* A segment shorter than a TCP header. */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 6, 12, 0);
	put(&f, "\x9c\x40\x00\x19\0\0\0\0\0\0\0\0", 12);
	DROP(LT_EN10MB, &f, bad_tcp);
}

/* snaplen cut the payload: what is there is handed on, flagged. */
static void
test_snaplen_cut(void **state)
{
	struct frame f = { .n = 0 };
	struct pkt_counters c = { 0 };
	struct pkt p;
	size_t hdr = 14 + 20 + 20;

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	assert_true(pkt_parse(LT_EN10MB, f.b, hdr + 4, f.n, 7, &p, &c));
	assert_true(p.truncated);
	assert_int_equal(p.payload_len, 4);
	assert_int_equal(p.payload_wire, strlen(PAYLOAD));
	assert_memory_equal(p.payload, "EHLO", 4);
	assert_int_equal(p.l3_len, 20 + 20 + 4);
	assert_int_equal(c.truncated, 1);
	assert_int_equal(c.tcp, 1);
	assert_int_equal(c.bytes, f.n);

	/* Cut inside the TCP header: nothing to hand on. */
	assert_false(pkt_parse(LT_EN10MB, f.b, hdr - 1, f.n, 7, &p, &c));
	assert_int_equal(c.bad_tcp, 1);
	check_sum(&c);
}

/*
 * Every prefix of a frame, as a buffer of exactly that size, both as a
 * short frame (wirelen = caplen) and as a snaplen cut (wirelen = full).
 * Nothing may be read past caplen, and each record is counted once.
 */
static void
every_prefix(int lt, const struct frame *f, size_t hdrlen)
{
	struct pkt_counters c = { 0 };
	struct pkt p;
	uint8_t *buf;
	size_t n;
	bool ok;

	for (n = 0; n <= f->n; n++) {
		buf = malloc(n > 0 ? n : 1);
		assert_non_null(buf);
		memcpy(buf, f->b, n);

		ok = pkt_parse(lt, buf, n, n, 1, &p, &c);
		/* A frame really that short is malformed unless it is whole. */
		assert_int_equal(ok, n == f->n);

		ok = pkt_parse(lt, buf, n, f->n, 1, &p, &c);
		assert_int_equal(ok, n >= hdrlen);
		if (ok) {
			assert_int_equal(p.truncated, n < f->n);
			assert_int_equal(p.payload_len, n - hdrlen);
			assert_int_equal(p.payload_wire, f->n - hdrlen);
			assert_true(p.payload + p.payload_len <= buf + n);
			assert_true(p.l3 + p.l3_len <= buf + n);
		}
		free(buf);
		check_sum(&c);
	}
	assert_int_equal(c.packets, 2 * (f->n + 1));
	assert_int_equal(c.tcp, 1 + (f->n - hdrlen + 1));
	assert_int_equal(c.truncated, f->n - hdrlen);
}

static void
test_truncated_everywhere(void **state)
{
	struct frame f = { .n = 0 };
	uint32_t af = 30;

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	every_prefix(LT_EN10MB, &f, 14 + 20 + 20);

	f.n = 0;
	eth(&f, 0x88a8);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x86dd);
	ip6(&f, 0, 8 + 8 + 24 + 12 + TCPLEN(PAYLOAD));
	ext(&f, 44, 0);
	frag6(&f, 51, 0, 0);
	put8(&f, 6);
	put8(&f, 4);
	put(&f, "\0\0" "\0\0\0\1" "\0\0\0\1" "ICVICVICVICV", 22);
	tcp_opt(&f, PAYLOAD, 12);
	every_prefix(LT_EN10MB, &f, 22 + 40 + 8 + 8 + 24 + 32);

	f.n = 0;
	sll2(&f, 0x0800);
	ip4(&f, 6, 4 + TCPLEN(PAYLOAD), 0);
	f.b[20] = 0x46;
	put(&f, "\x01\x01\x01\x00", 4);
	tcp(&f, PAYLOAD);
	every_prefix(LT_LINUX_SLL2, &f, 20 + 24 + 20);

	f.n = 0;
	sll(&f, 0x86dd);
	ip6(&f, 6, TCPLEN(PAYLOAD));
	tcp(&f, PAYLOAD);
	every_prefix(LT_LINUX_SLL, &f, 16 + 40 + 20);

	f.n = 0;
	put(&f, &af, 4);
	ip6(&f, 6, TCPLEN(PAYLOAD));
	tcp(&f, PAYLOAD);
	every_prefix(LT_NULL, &f, 4 + 40 + 20);

	f.n = 0;
	ip4(&f, 6, TCPLEN(PAYLOAD), 0);
	tcp(&f, PAYLOAD);
	every_prefix(LT_RAW, &f, 40);
}

static void
test_null_data(void **state)
{
	struct pkt_counters c = { 0 };
	struct pkt p;

	(void)state;
	assert_false(pkt_parse(LT_EN10MB, NULL, 0, 0, 0, &p, &c));
	assert_false(pkt_parse(LT_RAW, NULL, 0, 0, 0, &p, &c));
	assert_false(pkt_parse(LT_IPV6, NULL, 0, 60, 0, &p, &c));
	assert_int_equal(c.bad_link, 1);
	assert_int_equal(c.bad_ip, 2);
	assert_int_equal(c.packets, 3);
	assert_int_equal(c.bytes, 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_v4),
		cmocka_unit_test(test_ethernet_v6),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_vlan_too_many),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_sll2),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_null_loop),
		cmocka_unit_test(test_unknown_linktype),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_ipv6_ext),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_ipv6_not_tcp),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_ipv6_malformed),
		cmocka_unit_test(test_tcp_header),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_null_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
