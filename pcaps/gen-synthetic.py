#!/usr/bin/env python3
"""gen-synthetic.py [OUTDIR] - write the synthetic captures of pcaps/.

These are the captures real software will not produce on demand: segments
out of order, overlapping retransmissions with different bytes, a hole in the
stream, sessions picked up mid-stream, 802.1Q + IPv6, Linux cooked capture,
BDAT chunks, a POP3 message body full of command look-alikes, a Redis
exchange that looks like POP3, IMAP literals split across segments, FTP
commands sent before the greeting, SMTP inside an HTTP CONNECT tunnel, and
STARTTLS tampered with on the path.  Each is built here, packet by packet, from a
full TCP handshake (except the mid-stream ones) with correct IPv4/IPv6/TCP
checksums, and written as a classic libpcap file (microsecond timestamps).

This script is the text source of every synthetic capture: the bytes of each
session are the literals below.  Standard library only; deterministic (fixed
addresses, ports, initial sequence numbers and timestamps), so running it
twice writes identical files.

Addresses are from the documentation ranges (RFC 5737 192.0.2.0/24,
198.51.100.0/24; RFC 3849 2001:db8::/32) and MACs are locally administered:
nothing here names a real host.  The passwords are the synthetic test
passwords of tests/secrets.txt.
"""

import base64
import calendar
import ipaddress
import os
import struct
import sys

ALICE_PW = "Tr0ub4dor-test-1"
BOB_PW = "correct-horse-test-2"
WRONG_PW = "wrong-pass-test-3"

DLT_EN10MB = 1
DLT_LINUX_SLL = 113

# 2026-11-22 12:00:00 UTC: every capture starts here.
T0 = calendar.timegm((2026, 11, 22, 12, 0, 0))

MAC_CLIENT = bytes.fromhex("020000000a01")
MAC_SERVER = bytes.fromhex("020000000a02")

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def plain_blob(user, pw, authzid=""):
    """SASL PLAIN initial response (RFC 4616): authzid NUL authcid NUL pass."""
    return b64("%s\0%s\0%s" % (authzid, user, pw))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Pcap:
    """A classic pcap file being built: one link type, records in order."""

    def __init__(self, linktype=DLT_EN10MB):
        self.linktype = linktype
        self.records = []
        self.clock = 0  # microseconds since T0

    def tick(self, us):
        self.clock += us

    def add(self, frame):
        sec, usec = divmod(self.clock, 1000000)
        self.records.append((T0 + sec, usec, frame))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144,
                                self.linktype))
            for sec, usec, frame in self.records:
                f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
                f.write(frame)


class Flow:
    """One TCP connection between a client and a server, built packet by
    packet.  Sequence numbers are tracked per side: nxt[side] is the next
    sequence number that side sends, rcv[side] what it acknowledges.  The
    high-level calls (c, s) send one in-order segment; seg() sends anything.
    """

    C, S = 0, 1

    def __init__(self, pcap, cli, srv, cport, sport, cisn, sisn,
                 link="eth", vlan=None):
        self.pcap = pcap
        self.ip = (ipaddress.ip_address(cli), ipaddress.ip_address(srv))
        self.port = (cport, sport)
        self.nxt = [cisn, sisn]
        self.rcv = [0, 0]
        self.ipid = [0x1000, 0x5000]
        self.link = link
        self.vlan = vlan

    # --- framing ---------------------------------------------------------
    def _tcp(self, side, seq, ack, flags, payload, opts=b""):
        src, dst = self.ip[side], self.ip[1 - side]
        sport, dport = self.port[side], self.port[1 - side]
        off = (20 + len(opts)) // 4
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                          ack & 0xFFFFFFFF, off << 4, flags, 65535, 0, 0) + opts
        seg = hdr + payload
        if src.version == 4:
            pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(seg))
        else:
            pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(seg), 6)
        c = csum(pseudo + seg)
        return seg[:16] + struct.pack("!H", c) + seg[18:]

    def _ip(self, side, tcp):
        src, dst = self.ip[side], self.ip[1 - side]
        if src.version == 4:
            self.ipid[side] += 1
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                              self.ipid[side] & 0xFFFF, 0x4000, 64, 6, 0,
                              src.packed, dst.packed)
            hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            return 0x0800, hdr + tcp
        hdr = struct.pack("!IHBB16s16s", 0x60000000, len(tcp), 6, 64,
                          src.packed, dst.packed)
        return 0x86DD, hdr + tcp

    def _frame(self, side, ethertype, l3):
        mac_src = MAC_CLIENT if side == self.C else MAC_SERVER
        mac_dst = MAC_SERVER if side == self.C else MAC_CLIENT
        if self.link == "sll":
            # Linux cooked capture taken on the server: the client's
            # packets arrive (PACKET_HOST, 0), the server's leave
            # (PACKET_OUTGOING, 4).  ARPHRD_ETHER, 6-byte source address.
            ptype = 0 if side == self.C else 4
            return struct.pack("!HHH8sH", ptype, 1, 6, mac_src, ethertype) + l3
        if self.vlan is not None:
            return (mac_dst + mac_src +
                    struct.pack("!HHH", 0x8100, self.vlan & 0x0FFF, ethertype)
                    + l3)
        return mac_dst + mac_src + struct.pack("!H", ethertype) + l3

    def seg(self, side, flags, payload=b"", seq=None, ack=None, gap_us=200,
            opts=b"", record=True):
        """Send one segment.  seq defaults to the side's next sequence
        number, ack to what it has received.  A segment that is not
        recorded (record=False) still moves the sequence numbers: it was on
        the wire but the capture missed it."""
        if isinstance(payload, str):
            payload = payload.encode()
        if seq is None:
            seq = self.nxt[side]
        if ack is None:
            ack = self.rcv[side]
        if not flags & ACK:
            ack = 0
        end = seq + len(payload) + (1 if flags & (SYN | FIN) else 0)
        if end - self.nxt[side] > 0:
            self.nxt[side] = end
        self.pcap.tick(gap_us)
        if record:
            ethertype, l3 = self._ip(side, self._tcp(side, seq, ack, flags,
                                                     payload, opts))
            self.pcap.add(self._frame(side, ethertype, l3))
        return end

    # --- conversation helpers --------------------------------------------
    def handshake(self):
        mss = struct.pack("!BBH", 2, 4, 1460)
        self.seg(self.C, SYN, opts=mss)
        self.rcv[self.S] = self.nxt[self.C]
        self.seg(self.S, SYN | ACK, opts=mss)
        self.rcv[self.C] = self.nxt[self.S]
        self.seg(self.C, ACK)

    def c(self, data, gap_us=300):
        """Client sends DATA in one segment; the server receives it all."""
        self.seg(self.C, PSH | ACK, data, gap_us=gap_us)
        self.rcv[self.S] = self.nxt[self.C]

    def s(self, data, gap_us=500):
        """Server sends DATA in one segment; the client receives it all."""
        self.seg(self.S, PSH | ACK, data, gap_us=gap_us)
        self.rcv[self.C] = self.nxt[self.S]

    def ack(self, side, gap_us=40):
        self.seg(side, ACK, gap_us=gap_us)

    def close(self):
        """Client closes first, then the server; final ACK."""
        self.seg(self.C, FIN | ACK)
        self.rcv[self.S] = self.nxt[self.C]
        self.seg(self.S, FIN | ACK)
        self.rcv[self.C] = self.nxt[self.S]
        self.seg(self.C, ACK)


# --- canned server texts (as Postfix 3.7 and Dovecot 2.3 word them) ---------
GREETING = "220 mail.example.test ESMTP Postfix\r\n"
EHLO = "EHLO client.example.test\r\n"
EHLO_AUTH = ("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
             "250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n"
             "250 8BITMIME\r\n")
AUTH_OK = "235 2.7.0 Authentication successful\r\n"
MAIL_OK = "250 2.1.0 Ok\r\n"
RCPT_OK = "250 2.1.5 Ok\r\n"
DATA_GO = "354 End data with <CR><LF>.<CR><LF>\r\n"
BYE = "221 2.0.0 Bye\r\n"
POP_GREETING = "+OK Dovecot ready.\r\n"


def smtp_message(subject, sender="alice@example.test", rcpt="bob@example.test"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\n"
            "Date: Sun, 22 Nov 2026 12:00:00 +0000\r\n\r\n"
            "credleak synthetic test message.\r\n.\r\n" % (sender, rcpt, subject))


def smtp_send_mail(f, subject, sender="alice@example.test",
                   rcpt="bob@example.test", queue_id="4C2D81E0A1"):
    f.c("MAIL FROM:<%s>\r\n" % sender)
    f.s(MAIL_OK)
    f.c("RCPT TO:<%s>\r\n" % rcpt)
    f.s(RCPT_OK)
    f.c("DATA\r\n")
    f.s(DATA_GO)
    f.c(smtp_message(subject, sender, rcpt))
    f.s("250 2.0.0 Ok: queued as %s\r\n" % queue_id)


# --- the captures -----------------------------------------------------------
def smtp_ooo():
    """Client AUTH PLAIN line in three segments sent 3, 1, 2; the server's
    EHLO reply in two segments sent 2, 1.  The receivers' ACKs show the
    reordering (duplicate ACKs, then a jump)."""
    p = Pcap()
    f = Flow(p, "192.0.2.10", "198.51.100.25", 40110, 587, 1000000, 5000000)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    # Server EHLO reply: second half first.
    half = EHLO_AUTH.index("250-AUTH")
    s0 = f.nxt[f.S]
    f.seg(f.S, PSH | ACK, EHLO_AUTH[half:], seq=s0 + half)
    f.ack(f.C)  # duplicate ACK: still waiting for s0
    f.seg(f.S, PSH | ACK, EHLO_AUTH[:half], seq=s0)
    f.rcv[f.C] = s0 + len(EHLO_AUTH)
    f.ack(f.C)
    # Client AUTH PLAIN: pieces 3, 1, 2.
    line = "AUTH PLAIN %s\r\n" % plain_blob("alice", ALICE_PW)
    a, b = 7, 20
    parts = [(a + b, line[a + b:]), (0, line[:a]), (a, line[a:a + b])]
    c0 = f.nxt[f.C]
    f.seg(f.C, PSH | ACK, parts[0][1], seq=c0 + parts[0][0])
    f.ack(f.S)  # duplicate ACK for c0
    f.seg(f.C, PSH | ACK, parts[1][1], seq=c0 + parts[1][0])
    f.rcv[f.S] = c0 + a
    f.ack(f.S)  # ACK up to the end of piece 1; piece 3 still held
    f.seg(f.C, PSH | ACK, parts[2][1], seq=c0 + parts[2][0])
    f.rcv[f.S] = c0 + len(line)
    f.s(AUTH_OK)
    smtp_send_mail(f, "credleak smtp-ooo")
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def smtp_overlap():
    """Two sessions to one server.

    1. The client's AUTH PLAIN line is acknowledged and answered 235; then a
       "retransmission" starts at the same sequence number with DIFFERENT
       bytes over the acknowledged ones (a PLAIN blob for mallory) and new
       bytes after them (MAIL FROM).  The acknowledged bytes are final:
       the login is alice's; only the new tail counts.

    2. The server first sends one 5000-byte segment: "220 ok\\r\\n" then
       4992 bytes of "A" and no line end.  The client acknowledges only the
       8 bytes of "220 ok\\r\\n"; the real replies then arrive at the
       sequence numbers that bogus segment covered.  The client's ACKs say
       the real replies are what it read: EHLO reply, AUTH LOGIN prompts,
       235 for bob.
    """
    p = Pcap()
    srv = "198.51.100.25"

    f = Flow(p, "192.0.2.10", srv, 40120, 587, 2000000, 6000000)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    f.s(EHLO_AUTH)
    line = "AUTH PLAIN %s\r\n" % plain_blob("alice", ALICE_PW)
    evil = "AUTH PLAIN %s\r\n" % plain_blob("mallory", "Evil-pass-1234")
    assert len(evil) == len(line)
    c0 = f.nxt[f.C]
    f.c(line)
    f.s(AUTH_OK)
    f.seg(f.C, PSH | ACK, evil + "MAIL FROM:<alice@example.test>\r\n", seq=c0)
    f.rcv[f.S] = f.nxt[f.C]
    f.s(MAIL_OK)
    f.c("RCPT TO:<bob@example.test>\r\n")
    f.s(RCPT_OK)
    f.c("DATA\r\n")
    f.s(DATA_GO)
    f.c(smtp_message("credleak smtp-overlap 1"))
    f.s("250 2.0.0 Ok: queued as 7E1F20B3C4\r\n")
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()

    p.tick(100000)
    g = Flow(p, "192.0.2.10", srv, 40121, 587, 3000000, 7000000)
    g.handshake()
    s0 = g.nxt[g.S]
    bogus = "220 ok\r\n" + "A" * (5000 - 8)
    g.seg(g.S, PSH | ACK, bogus, seq=s0)
    g.nxt[g.S] = s0 + 8  # the server's real stream goes on from byte 9
    g.rcv[g.C] = s0 + 8
    g.ack(g.C)  # accepts "220 ok\r\n" only
    g.c(EHLO)
    g.s(EHLO_AUTH)
    g.c("AUTH LOGIN\r\n")
    g.s("334 VXNlcm5hbWU6\r\n")
    g.c(b64("bob") + "\r\n")
    g.s("334 UGFzc3dvcmQ6\r\n")
    g.c(b64(BOB_PW) + "\r\n")
    g.s(AUTH_OK)
    g.c("QUIT\r\n")
    g.s(BYE)
    assert g.nxt[g.S] - s0 < 5000, "real replies must lie inside the bogus segment"
    g.close()
    return p


def smtp_gap():
    """MX session, no AUTH offered, STARTTLS offered.  MAIL/RCPT/DATA; the
    second of four DATA segments is missing from the capture (the server's
    ACK covers it: it was delivered, the sensor missed it).  After the hole
    the body has lines that look like commands (QUIT, MAIL FROM), then the
    end of data, 250; then STARTTLS is refused with 454 and the client goes
    on in clear with a second MAIL FROM/RCPT TO, RSET, QUIT."""
    p = Pcap()
    f = Flow(p, "192.0.2.11", "198.51.100.25", 40130, 25, 4000000, 8000000)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    f.s("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
        "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n")
    f.c("MAIL FROM:<carol@example.net>\r\n")
    f.s(MAIL_OK)
    f.c("RCPT TO:<bob@example.test>\r\n")
    f.s(RCPT_OK)
    f.c("DATA\r\n")
    f.s(DATA_GO)
    body = [
        "From: carol@example.net\r\nTo: bob@example.test\r\n"
        "Subject: credleak smtp-gap\r\n\r\nFirst part of the body.\r\n",
        "This segment is lost: the capture has a hole here.\r\n"
        "It ends in the middle of a li",
        "ne.\r\nQUIT\r\nMAIL FROM:<not-a-command@example.net>\r\n"
        "Still message text after the hole.\r\n",
        "Last line.\r\n.\r\n",
    ]
    f.c(body[0])
    f.ack(f.S)
    f.seg(f.C, PSH | ACK, body[1], record=False)
    f.c(body[2])
    f.ack(f.S)  # covers the lost segment too: the server has it
    f.c(body[3])
    f.s("250 2.0.0 Ok: queued as 9A8B7C6D5E\r\n")
    f.c("STARTTLS\r\n")
    f.s("454 4.7.0 TLS not available due to local problem\r\n")
    f.c("MAIL FROM:<carol@example.net>\r\n")
    f.s(MAIL_OK)
    f.c("RCPT TO:<bob@example.test>\r\n")
    f.s(RCPT_OK)
    f.c("RSET\r\n")
    f.s("250 2.0.0 Ok\r\n")
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def smtp_midstream():
    """The capture starts after the handshake, greeting and EHLO: the first
    packet is the client's AUTH PLAIN.  235, a message, QUIT."""
    p = Pcap()
    f = Flow(p, "192.0.2.12", "198.51.100.25", 40140, 587, 0, 0)
    # Where the connection was when the capture began.
    f.nxt = [5000000 + 1 + 26, 9000000 + 1 + 37 + 150]
    f.rcv = [f.nxt[f.S], f.nxt[f.C]]
    f.c("AUTH PLAIN %s\r\n" % plain_blob("alice", ALICE_PW))
    f.s(AUTH_OK)
    smtp_send_mail(f, "credleak smtp-midstream")
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def pop3_midstream():
    """No SYN, no greeting: the first packet is USER."""
    p = Pcap()
    f = Flow(p, "192.0.2.13", "198.51.100.110", 40150, 110, 0, 0)
    f.nxt = [5500000 + 1, 9500000 + 1 + len(POP_GREETING)]
    f.rcv = [f.nxt[f.S], f.nxt[f.C]]
    f.c("USER bob\r\n")
    f.s("+OK\r\n")
    f.c("PASS %s\r\n" % BOB_PW)
    f.s("+OK Logged in.\r\n")
    f.c("STAT\r\n")
    f.s("+OK 0 0\r\n")
    f.c("QUIT\r\n")
    f.s("+OK Logging out.\r\n")
    f.close()
    return p


def smtp_vlan_ipv6():
    """802.1Q VLAN 100, IPv6; AUTH LOGIN with both prompts."""
    p = Pcap()
    f = Flow(p, "2001:db8:100::10", "2001:db8:100::25", 40160, 587,
             6000000, 10000000, vlan=100)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    f.s(EHLO_AUTH)
    f.c("AUTH LOGIN\r\n")
    f.s("334 VXNlcm5hbWU6\r\n")
    f.c(b64("alice") + "\r\n")
    f.s("334 UGFzc3dvcmQ6\r\n")
    f.c(b64(ALICE_PW) + "\r\n")
    f.s(AUTH_OK)
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def pop3_sll():
    """Linux cooked capture (DLT_LINUX_SLL); USER/PASS."""
    p = Pcap(DLT_LINUX_SLL)
    f = Flow(p, "192.0.2.14", "198.51.100.110", 40170, 110, 6500000, 10500000,
             link="sll")
    f.handshake()
    f.s(POP_GREETING)
    f.c("USER alice\r\n")
    f.s("+OK\r\n")
    f.c("PASS %s\r\n" % ALICE_PW)
    f.s("+OK Logged in.\r\n")
    f.c("LIST\r\n")
    f.s("+OK 0 messages:\r\n.\r\n")
    f.c("QUIT\r\n")
    f.s("+OK Logging out.\r\n")
    f.close()
    return p


def redis_not_pop3():
    """Redis on 6379: inline AUTH with a password, "+OK", PING/"+PONG", a
    RESP array command.  Looks like POP3 replies; is not POP3 (nor any
    protocol credleak decodes): no finding."""
    p = Pcap()
    f = Flow(p, "192.0.2.15", "198.51.100.79", 40180, 6379, 7000000, 11000000)
    f.handshake()
    f.c("AUTH %s\r\n" % BOB_PW)
    f.s("+OK\r\n")
    f.c("PING\r\n")
    f.s("+PONG\r\n")
    f.c("*3\r\n$3\r\nSET\r\n$4\r\nuser\r\n$5\r\nalice\r\n")
    f.s("+OK\r\n")
    f.c("*2\r\n$3\r\nGET\r\n$4\r\nuser\r\n")
    f.s("$5\r\nalice\r\n")
    f.c("QUIT\r\n")
    f.s("+OK\r\n")
    f.close()
    return p


def smtp_bdat():
    """CHUNKING (RFC 3030).  Unauthenticated MAIL/RCPT; BDAT 1 ends in the
    middle of a line and carries an AUTH PLAIN line as message text (for
    carol, who never logs in); "BDAT n LAST" follows with the rest of the
    line.  Then, as commands again, AUTH PLAIN for bob (235) and QUIT."""
    p = Pcap()
    f = Flow(p, "192.0.2.16", "198.51.100.25", 40190, 25, 7500000, 11500000)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    f.s("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
        "250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
        "250 CHUNKING\r\n")
    f.c("MAIL FROM:<carol@example.net>\r\n")
    f.s(MAIL_OK)
    f.c("RCPT TO:<bob@example.test>\r\n")
    f.s(RCPT_OK)
    chunk1 = ("From: carol@example.net\r\nTo: bob@example.test\r\n"
              "Subject: credleak smtp-bdat\r\n\r\n"
              "A transcript pasted into a mail:\r\n"
              "AUTH PLAIN %s\r\n"
              "This line is split across two BDAT ch"
              % plain_blob("carol", "not-a-real-pass"))
    chunk2 = "unks.\r\n"
    f.c("BDAT %d\r\n%s" % (len(chunk1), chunk1))
    f.s("250 2.0.0 %d bytes received\r\n" % len(chunk1))
    f.c("BDAT %d LAST\r\n%s" % (len(chunk2), chunk2))
    f.s("250 2.0.0 Ok: queued as 5F4E3D2C1B\r\n")
    f.c("AUTH PLAIN %s\r\n" % plain_blob("bob", BOB_PW))
    f.s(AUTH_OK)
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def pop3_retr_body():
    """IPv6.  USER/PASS for bob, then RETR of a message whose body holds
    POP3 look-alikes ("USER mallory", "PASS x", "+OK", "-ERR", a
    dot-stuffed "." line, "AUTH PLAIN ..."): the only login is bob's."""
    p = Pcap()
    f = Flow(p, "2001:db8::10", "2001:db8::110", 40200, 110, 8000000, 12000000)
    f.handshake()
    f.s(POP_GREETING)
    f.c("USER bob\r\n")
    f.s("+OK\r\n")
    f.c("PASS %s\r\n" % BOB_PW)
    f.s("+OK Logged in.\r\n")
    f.c("STAT\r\n")
    body = ("From: alice@example.test\r\nTo: bob@example.test\r\n"
            "Subject: a POP3 transcript\r\n\r\n"
            "USER mallory\r\n+OK\r\nPASS x\r\n+OK Logged in.\r\n"
            "-ERR [AUTH] Authentication failed.\r\n"
            "..\r\n"
            "AUTH PLAIN %s\r\n"
            "+OK\r\n" % plain_blob("mallory", "x"))
    f.s("+OK 1 %d\r\n" % len(body))
    f.c("RETR 1\r\n")
    f.s("+OK %d octets\r\n%s.\r\n" % (len(body), body))
    f.c("QUIT\r\n")
    f.s("+OK Logging out.\r\n")
    f.close()
    return p


IMAP_GREETING = ("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
                 "IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN] Dovecot ready.\r\n")
IMAP_LOGGED_IN = ("OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
                  "IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS "
                  "THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE "
                  "UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 "
                  "CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH "
                  "LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW "
                  "STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE] Logged in\r\n")


def imap_literal_split():
    """Two IMAP sessions to a server whose greeting lists AUTH=PLAIN
    AUTH=LOGIN and LITERAL+, no STARTTLS (as Dovecot 2.3 words it).

    1. alice: LOGIN with both arguments as synchronizing literals: "a1 LOGIN
       {5}", "+ OK", "alice {16}", "+ OK", then the 16 password bytes cut
       into two segments (6 + 10, then CRLF), "a1 OK ... Logged in".  Then
       APPEND of a message whose text holds an IMAP LOGIN line for mallory
       (literal data, not a command), and LOGOUT.
    2. bob: LOGIN with a quoted user name and the password as a
       non-synchronizing literal "{20+}" (LITERAL+, no "+" from the server),
       the line cut into three segments, one of them inside the literal."""
    p = Pcap()
    srv = "198.51.100.143"
    f = Flow(p, "192.0.2.20", srv, 40210, 143, 13000000, 17000000)
    f.handshake()
    f.s(IMAP_GREETING)
    f.c("a1 LOGIN {5}\r\n")
    f.s("+ OK\r\n")
    f.c("alice {%d}\r\n" % len(ALICE_PW))
    f.s("+ OK\r\n")
    f.c(ALICE_PW[:6])
    f.ack(f.S)
    f.c(ALICE_PW[6:])
    f.ack(f.S)
    f.c("\r\n")
    f.s("a1 " + IMAP_LOGGED_IN)
    msg = ("From: alice@example.test\r\nTo: bob@example.test\r\n"
           "Subject: an IMAP transcript\r\n\r\n"
           "a9 LOGIN mallory Evil-pass-1234\r\n"
           "a9 OK Logged in\r\n")
    f.c("a2 APPEND INBOX {%d}\r\n" % len(msg))
    f.s("+ OK\r\n")
    f.c(msg[:60])
    f.ack(f.S)
    f.c(msg[60:] + "\r\n")
    f.s("a2 OK [APPENDUID 1795364310 1] Append completed (0.002 + 0.000 + "
        "0.001 secs).\r\n")
    f.c("a3 LOGOUT\r\n")
    f.s("* BYE Logging out\r\na3 OK Logout completed (0.001 + 0.000 secs).\r\n")
    f.close()

    g = Flow(p, "192.0.2.20", srv, 40211, 143, 13500000, 17500000)
    g.handshake()
    g.s(IMAP_GREETING)
    line = 'b1 LOGIN "bob" {%d+}\r\n%s\r\n' % (len(BOB_PW), BOB_PW)
    cut1 = line.index("{") + 2      # inside "{20+}"
    cut2 = line.index(BOB_PW) + 9   # inside the password
    g.c(line[:cut1])
    g.ack(g.S)
    g.c(line[cut1:cut2])
    g.ack(g.S)
    g.c(line[cut2:])
    g.s("b1 " + IMAP_LOGGED_IN)
    g.c("b2 LOGOUT\r\n")
    g.s("* BYE Logging out\r\nb2 OK Logout completed (0.001 + 0.000 secs).\r\n")
    g.close()
    return p


def ftp_pipelined():
    """FTP on port 21: right after the handshake, before the server's
    greeting, the client sends USER, PASS and SYST in one segment.  The
    server then sends its greeting and the three replies (331, 230, 215),
    as vsftpd 3.0.3 words them, in two segments.  Then QUIT, 221."""
    p = Pcap()
    f = Flow(p, "192.0.2.21", "198.51.100.21", 40220, 21, 14000000, 18000000)
    f.handshake()
    f.c("USER alice\r\nPASS %s\r\nSYST\r\n" % ALICE_PW)
    f.s("220 (vsFTPd 3.0.3)\r\n")
    f.s("331 Please specify the password.\r\n230 Login successful.\r\n"
        "215 UNIX Type: L8\r\n")
    f.c("QUIT\r\n")
    f.s("221 Goodbye.\r\n")
    f.close()
    return p


def ftp_user_only():
    """FTP on port 2121 (as Pure-FTPd does for anonymous): USER ftp is
    answered 230 at once, no PASS is ever sent; only after the login does
    the client send FEAT, which lists AUTH TLS.  Then PWD, QUIT."""
    p = Pcap()
    f = Flow(p, "192.0.2.23", "198.51.100.23", 40235, 2121, 16000000, 20000000)
    f.handshake()
    f.s("220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n"
        "220 You will be disconnected after 15 minutes of inactivity.\r\n")
    f.c("USER ftp\r\n")
    f.s("230 Anonymous user logged in\r\n")
    f.c("FEAT\r\n")
    f.s("211-Extensions supported:\r\n EPRT\r\n AUTH TLS\r\n PBSZ\r\n"
        " PROT\r\n211 End.\r\n")
    f.c("PWD\r\n")
    f.s("257 \"/\" is your current location\r\n")
    f.c("QUIT\r\n")
    f.s("221 Goodbye.\r\n")
    f.close()
    return p


def http_connect_extra_word():
    """A proxy on port 8240 and a client that writes "CONNECT host:25 /
    HTTP/1.0" (a word between target and version, as some spam tools do);
    the proxy answers 200 and an SMTP session follows with mail accepted
    without AUTH."""
    p = Pcap()
    f = Flow(p, "192.0.2.24", "198.51.100.32", 40240, 8240, 17000000, 21000000)
    f.handshake()
    f.c("CONNECT mail.example.test:25 / HTTP/1.0\r\n"
        "User-Agent: Mozilla/4.0 (compatible)\r\n\r\n")
    f.s("HTTP/1.0 200 Connection established\r\n\r\n")
    f.s("220 mail.example.test ESMTP ready\r\n")
    f.c("HELO client.example.test\r\n")
    f.s("250 mail.example.test\r\n")
    f.c("MAIL FROM:<spam@example.net>\r\n")
    f.s("250 2.1.0 Ok\r\n")
    f.c("RCPT TO:<victim@example.test>\r\n")
    f.s("250 2.1.5 Ok\r\n")
    f.c("DATA\r\n")
    f.s("354 End data with <CR><LF>.<CR><LF>\r\n")
    f.c("Subject: hi\r\n\r\nhello\r\n.\r\n")
    f.s("250 2.0.0 Ok: queued\r\n")
    f.c("QUIT\r\n")
    f.s("221 2.0.0 Bye\r\n")
    f.close()
    return p


def http_connect_smtp():
    """An HTTP proxy on port 3128 (answers as Squid does): "CONNECT
    mail.example.test:25", "HTTP/1.1 200 Connection established", then an
    SMTP session through the tunnel.  The server offers neither STARTTLS
    nor AUTH; MAIL FROM, RCPT TO and DATA are accepted: open relay-like
    mail submission through a proxy."""
    p = Pcap()
    f = Flow(p, "192.0.2.22", "198.51.100.31", 40230, 3128, 15000000, 19000000)
    f.handshake()
    f.c("CONNECT mail.example.test:25 HTTP/1.1\r\n"
        "Host: mail.example.test:25\r\n"
        "User-Agent: credleak-test/1\r\n\r\n")
    f.s("HTTP/1.1 200 Connection established\r\n\r\n")
    f.s(GREETING)
    f.c(EHLO)
    f.s("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n")
    smtp_send_mail(f, "credleak http-connect-smtp",
                   sender="mallory@example.net", queue_id="6A5B4C3D2E")
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def smtp_stripped():
    """Port 587.  EHLO lists STARTTLS and AUTH PLAIN LOGIN; the client
    sends STARTTLS, and the answer is "220 2.0.0 Ready to start TLS" - but
    what follows is no TLS handshake: the client goes on in cleartext with
    EHLO and AUTH PLAIN for alice (235), then QUIT.  What a client sees
    when something on the path answers STARTTLS itself and keeps the
    session in clear."""
    p = Pcap()
    f = Flow(p, "192.0.2.23", "198.51.100.25", 40240, 587, 16000000, 20000000)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    ehlo_tls = ("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                "250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n"
                "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n")
    f.s(ehlo_tls)
    f.c("STARTTLS\r\n")
    f.s("220 2.0.0 Ready to start TLS\r\n")
    f.c(EHLO)
    f.s(ehlo_tls)
    f.c("AUTH PLAIN %s\r\n" % plain_blob("alice", ALICE_PW))
    f.s(AUTH_OK)
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def smtp_masked_starttls():
    """Port 25.  The EHLO reply has "250-XXXXXXXA" where STARTTLS was (as
    a firewall's SMTP inspection masks it); every other keyword is intact.
    No AUTH.  Then MAIL FROM, RCPT TO and DATA are accepted, QUIT."""
    p = Pcap()
    f = Flow(p, "192.0.2.24", "198.51.100.25", 40250, 25, 17000000, 21000000)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    f.s("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
        "250-VRFY\r\n250-ETRN\r\n250-XXXXXXXA\r\n250-ENHANCEDSTATUSCODES\r\n"
        "250-8BITMIME\r\n250-DSN\r\n250 CHUNKING\r\n")
    smtp_send_mail(f, "credleak smtp-masked-starttls",
                   sender="carol@example.net", queue_id="7B6C5D4E3F")
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


def pop3_login(p, cli, cport, user, pw, isn):
    """One POP3 poll: greeting, USER/PASS accepted, STAT, QUIT."""
    f = Flow(p, cli, "198.51.100.110", cport, 110, isn, isn + 500000)
    f.handshake()
    f.s(POP_GREETING)
    f.c("USER %s\r\n" % user)
    f.s("+OK\r\n")
    f.c("PASS %s\r\n" % pw)
    f.s("+OK Logged in.\r\n")
    f.c("STAT\r\n")
    f.s("+OK 0 0\r\n")
    f.c("QUIT\r\n")
    f.s("+OK Logging out.\r\n")
    f.close()


def agg_polling():
    """Repeated logins, for aggregation: alice's client polls POP3 every
    60 s (5 sessions, t = 0, 60, 120, 180, 240 s), bob's every 60 s from
    t = 30 s (3 sessions), and alice logs in once over IMAP at t = 200 s.
    Each session is a few milliseconds long."""
    p = Pcap()
    events = [(0, "alice"), (30, "bob"), (60, "alice"), (90, "bob"),
              (120, "alice"), (150, "bob"), (180, "alice"), (200, "imap"),
              (240, "alice")]
    for n, (t, who) in enumerate(events):
        p.clock = t * 1000000
        if who == "imap":
            f = Flow(p, "192.0.2.30", "198.51.100.143", 41000 + n, 143,
                     30000000 + n * 1000, 31000000 + n * 1000)
            f.handshake()
            f.s(IMAP_GREETING)
            f.c("a1 LOGIN alice %s\r\n" % ALICE_PW)
            f.s("a1 " + IMAP_LOGGED_IN)
            f.c("a2 LOGOUT\r\n")
            f.s("* BYE Logging out\r\na2 OK Logout completed.\r\n")
            f.close()
        else:
            pop3_login(p, "192.0.2.30" if who == "alice" else "192.0.2.31",
                       41000 + n, who, ALICE_PW if who == "alice" else BOB_PW,
                       32000000 + n * 1000)
    return p


def smtp_unauth(srv, port, client, ehlo, rcpt, isn):
    """MAIL FROM / RCPT TO / DATA accepted without AUTH, then QUIT."""
    p = Pcap()
    f = Flow(p, client, srv, 42000 + port % 1000, port, isn, isn + 500000)
    f.handshake()
    f.s(GREETING)
    f.c(EHLO)
    f.s(ehlo)
    smtp_send_mail(f, "credleak relay test", sender="mallory@example.net",
                   rcpt=rcpt, queue_id="8C7D6E5F4A")
    f.c("QUIT\r\n")
    f.s(BYE)
    f.close()
    return p


EHLO_PLAIN = ("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
              "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n")


def smtp_relay_foreign():
    """Port 25 of mail.example.test (198.51.100.26), no AUTH offered: a
    client from outside (203.0.113.5) has mail for victim@example.net, a
    domain not the server's, accepted: an open relay."""
    return smtp_unauth("198.51.100.26", 25, "203.0.113.5", EHLO_PLAIN,
                       "victim@example.net", 40000000)


def smtp_inbound_local():
    """Port 25 of mail.example.test, no AUTH offered: a client from
    outside delivers to bob@example.test, the server's own domain."""
    return smtp_unauth("198.51.100.25", 25, "203.0.113.6", EHLO_PLAIN,
                       "bob@example.test", 41000000)


def smtp_submission_noauth():
    """Port 587, EHLO advertises AUTH PLAIN LOGIN, and the client sends
    mail to bob@example.test without logging in: accepted."""
    return smtp_unauth("198.51.100.25", 587, "203.0.113.7", EHLO_AUTH,
                       "bob@example.test", 42000000)


def irc_ooo_first():
    """IRC client registration (PASS, NICK, USER in one write, RFC 2812
    §3.1) sent in three segments, the last first.  That piece, "88ora...",
    alone looks like an MQTT PUBLISH (type 3, remaining length 56), which
    is what nDPI, reading packets in arrival order, calls it: the verdict
    must wait until the stream's first bytes are in order."""
    p = Pcap()
    f = Flow(p, "192.0.2.66", "198.51.100.67", 40667, 6667, 3000000, 7000000)
    f.handshake()
    rest = "ora\r\nUSER nora 0 * :" + "N" * 34 + "\r\n"
    line = "PASS " + ALICE_PW + "\r\nNICK 88" + rest
    k = line.index("88ora")
    assert len(line) - k == 58
    a = 9
    c0 = f.nxt[f.C]
    f.seg(f.C, PSH | ACK, line[k:], seq=c0 + k)
    f.ack(f.S)  # duplicate ACK: still waiting for c0
    f.seg(f.C, PSH | ACK, line[:a], seq=c0)
    f.rcv[f.S] = c0 + a
    f.ack(f.S)
    f.seg(f.C, PSH | ACK, line[a:k], seq=c0 + a)
    f.nxt[f.C] = c0 + len(line)
    f.rcv[f.S] = c0 + len(line)
    f.ack(f.S)
    f.s(":irc.example.test 001 88ora :Welcome to the example network 88ora\r\n")
    f.c("QUIT :bye\r\n")
    f.s("ERROR :Closing link\r\n")
    f.close()
    return p


def irc_sasl_mechs():
    """IRCv3 SASL (sasl-3.1) with three mechanisms ngircd does not offer:
    AUTHENTICATE LOGIN (user, then password, RFC-less but as in SMTP),
    refused; XOAUTH2 (user and bearer token in one blob), refused;
    CRAM-MD5 (RFC 2195: the user and a digest), accepted."""
    p = Pcap()
    f = Flow(p, "192.0.2.68", "198.51.100.67", 40668, 6667, 3100000, 7100000)
    f.handshake()
    b64 = lambda b: base64.b64encode(b).decode()
    f.c("CAP LS 302\r\nNICK erin\r\nUSER erin 0 * :Erin\r\n")
    f.s(":irc.example.test CAP * LS :sasl=PLAIN,LOGIN,XOAUTH2,CRAM-MD5\r\n")
    f.c("CAP REQ :sasl\r\n")
    f.s(":irc.example.test CAP erin ACK :sasl\r\n")
    f.c("AUTHENTICATE LOGIN\r\n")
    f.s("AUTHENTICATE " + b64(b"Username:") + "\r\n")
    f.c("AUTHENTICATE " + b64(b"erin") + "\r\n")
    f.s("AUTHENTICATE " + b64(b"Password:") + "\r\n")
    f.c("AUTHENTICATE " + b64(WRONG_PW.encode()) + "\r\n")
    f.s(":irc.example.test 904 erin :SASL authentication failed\r\n")
    f.c("AUTHENTICATE XOAUTH2\r\n")
    f.s("AUTHENTICATE +\r\n")
    f.c("AUTHENTICATE " + b64(b"user=dave@example.test\x01auth=Bearer " +
                              BOB_PW.encode() + b"\x01\x01") + "\r\n")
    f.s(":irc.example.test 904 erin :SASL authentication failed\r\n")
    f.c("AUTHENTICATE CRAM-MD5\r\n")
    f.s("AUTHENTICATE " + b64(b"<1896.697170952@irc.example.test>") + "\r\n")
    f.c("AUTHENTICATE " + b64(b"frank b913a602c7eda7a495b4e6e7334d3890") + "\r\n")
    f.s(":irc.example.test 900 erin erin!e@h frank :You are now logged in as frank\r\n")
    f.s(":irc.example.test 903 erin :SASL authentication successful\r\n")
    f.c("CAP END\r\n")
    f.s(":irc.example.test 001 erin :Welcome to the example network erin\r\n")
    f.c("QUIT :bye\r\n")
    f.s("ERROR :Closing link\r\n")
    f.close()
    return p


CAPTURES = [
    ("smtp-ooo", smtp_ooo),
    ("smtp-overlap", smtp_overlap),
    ("smtp-gap", smtp_gap),
    ("smtp-midstream", smtp_midstream),
    ("pop3-midstream", pop3_midstream),
    ("smtp-vlan-ipv6", smtp_vlan_ipv6),
    ("pop3-sll", pop3_sll),
    ("redis-not-pop3", redis_not_pop3),
    ("smtp-bdat", smtp_bdat),
    ("pop3-retr-body", pop3_retr_body),
    ("imap-literal-split", imap_literal_split),
    ("ftp-pipelined", ftp_pipelined),
    ("ftp-user-only", ftp_user_only),
    ("irc-ooo-first", irc_ooo_first),
    ("irc-sasl-mechs", irc_sasl_mechs),
    ("http-connect-extra-word", http_connect_extra_word),
    ("http-connect-smtp", http_connect_smtp),
    ("smtp-stripped", smtp_stripped),
    ("smtp-masked-starttls", smtp_masked_starttls),
    ("agg-polling", agg_polling),
    ("smtp-relay-foreign", smtp_relay_foreign),
    ("smtp-inbound-local", smtp_inbound_local),
    ("smtp-submission-noauth", smtp_submission_noauth),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else here
    os.makedirs(outdir, exist_ok=True)
    secrets = os.path.join(os.path.dirname(here), "tests", "secrets.txt")
    if os.path.exists(secrets):
        with open(secrets) as f:
            listed = {l.strip() for l in f}
        missing = {ALICE_PW, BOB_PW, WRONG_PW} - listed
        if missing:
            sys.exit("gen-synthetic: %s not in tests/secrets.txt" % sorted(missing))
    for name, build in CAPTURES:
        path = os.path.join(outdir, name + ".pcap")
        build().write(path)
        print("gen-synthetic: %s.pcap: %d bytes" % (name, os.path.getsize(path)),
              file=sys.stderr)


if __name__ == "__main__":
    main()
