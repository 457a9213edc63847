/*
 * fuzz_packet.c - libFuzzer harness for capture/packet.c.
 *
 * Input: a two-byte prefix, then the frame.
 *   byte 0  link type: values below 0xf0 pick one of the supported types
 *           (modulo their number); 0xf0-0xff pass 0-15 raw, so that
 *           unsupported types are tried too.
 *   byte 1  how much longer the wire frame was than the capture:
 *           0x00-0x7f that many bytes, 0x80-0xff 1 << (byte & 31).
 * The frame sits at the end of libFuzzer's buffer, so ASan sees any read
 * past caplen.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../capture/packet.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* What pkt_linktype_supported() accepts; the seed script uses this order. */
static const int linktypes[] = {
	1,	/* DLT_EN10MB */
	0,	/* DLT_NULL */
	108,	/* DLT_LOOP */
	12,	/* DLT_RAW */
	14,	/* DLT_RAW (OpenBSD) */
	101,	/* LINKTYPE_RAW */
	113,	/* LINKTYPE_LINUX_SLL */
	276,	/* LINKTYPE_LINUX_SLL2 */
	228,	/* LINKTYPE_IPV4 */
	229,	/* LINKTYPE_IPV6 */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() with a message: libFuzzer then saves the input as a crash. */
static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_packet: invariant broken: %s\n", what);
	abort();
}

#define CHECK(cond)	do { if (!(cond)) fail(#cond); } while (0)

/* Whether [p, p+n) lies inside [base, base+len); compared as offsets. */
static int
inside(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
	uintptr_t b = (uintptr_t)base, q = (uintptr_t)p;

	return q >= b && q - b <= len && n <= len - (q - b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_counters c;
	struct pkt p;
	const uint8_t *frame;
	size_t caplen, wirelen, slack, i;
	uint64_t reasons;
	volatile uint8_t sum = 0;
	int lt;
	bool ok;

	if (size < 2)
		return 0;
	if (data[0] < 0xf0)
		lt = linktypes[data[0] % nitems(linktypes)];
	else
		lt = data[0] - 0xf0;
	slack = data[1] < 0x80 ? data[1] : (size_t)1 << (data[1] & 31);
	frame = data + 2;
	caplen = size - 2;
	wirelen = caplen + slack;

	memset(&c, 0, sizeof(c));
	ok = pkt_parse(lt, caplen > 0 ? frame : NULL, caplen, wirelen,
	    1234567, &p, &c);

	CHECK(c.packets == 1);
	CHECK(c.bytes == wirelen);
	if (!pkt_linktype_supported(lt))
		CHECK(!ok && c.bad_link == 1);
	reasons = c.not_ip + c.not_tcp + c.fragments + c.bad_link + c.bad_ip +
	    c.bad_tcp + c.bad_udp;
	if (!ok) {
		/* Exactly one reason is counted for every packet dropped. */
		CHECK(reasons == 1 && c.tcp == 0 && c.udp == 0);
		return 0;
	}
	CHECK(reasons == 0 && c.tcp + c.udp == 1);
	CHECK(p.family == 4 || p.family == 6);
	CHECK(p.ipproto == (c.tcp == 1 ? 6 : 17));
	CHECK(p.nvlan <= 2);
	CHECK(p.ts_us == 1234567);
	CHECK(p.payload_len <= p.payload_wire);
	CHECK(p.truncated == (p.payload_len < p.payload_wire));
	CHECK(c.truncated == (p.truncated ? 1u : 0u));
	CHECK(p.l3 != NULL && inside(frame, caplen, p.l3, p.l3_len));
	CHECK(p.payload != NULL && inside(frame, caplen, p.payload,
	    p.payload_len));
	/* The payload is part of the IP datagram, after its headers. */
	CHECK(inside(p.l3, p.l3_len, p.payload, p.payload_len));
	/* IP header, then a TCP (20) or UDP (8) header at least. */
	CHECK((uintptr_t)p.payload - (uintptr_t)p.l3 >=
	    (p.family == 4 ? 20u : 40u) + (p.ipproto == 6 ? 20u : 8u));
	/* A payload longer than what the wire said was sent is impossible. */
	CHECK(p.payload_wire <= wirelen);
	for (i = 0; i < p.payload_len; i++)
		sum ^= p.payload[i];
	for (i = 0; i < p.l3_len; i++)
		sum ^= p.l3[i];
	(void)sum;
	return 0;
}
