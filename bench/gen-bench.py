#!/usr/bin/env python3
"""gen-bench.py - a large, realistic mixed capture for credleak's benchmark.

    gen-bench.py [--size 1G] [--seed 1] [--flows-concurrent 20000] --out FILE
    gen-bench.py --steady bulk --no-drain [--stop-at-fill] ...

Writes FILE, a classic libpcap capture (Ethernet, microsecond timestamps),
FILE.truth.jsonl, one line per planted login, and FILE.meta.json: packets
and bytes written, where the fill ended (fill_packets, fill_bytes: the
packet count and file offset when the pool first held --flows-concurrent
connections, with --steady bulk when all of them were past their first
exchange; null if it never did), flows_max, seed, size, steady,
stop_at_fill.  Standard library only; the same arguments always give the
same bytes, and with --no-drain a smaller --size gives a byte prefix of a
larger one (--stop-at-fill, which ends the capture where the fill ends,
too).

--steady bulk (for the scale bench; needs --no-drain): the pool holds TLS
(443) and HTTP (80) downloads only, in the default mix's proportions (a
login ends, a download can go on), and none ends.  The fill opens
--flows-concurrent of them as the mix does (a new one every other step,
the other steps advancing a random one), each through its handshake and
first exchange as below (TLS: ClientHello, server flight, client
Finished, then two segments of application data and the client's ACK;
HTTP: the GET, then the first two segments of a 200 with Content-Length
2^40 and the client's ACK); it ends when all of them are through it.  From
there every step sends one packet on a connection picked at random: the
server's next MSS segment (application-data records, the body) following
on from its last byte, or, after every second segment, the client's ACK
(each connection starts at a random place in that cycle of three).  So
past the fill the traffic per packet is the same whatever the pool's size,
and no connection is young any more (credleak, for one, hands an HTTP
response's first bytes on only once the client ACKs them).

The traffic
  - TCP connections with a full handshake, ended by FIN (most) or RST,
    interleaved (with the SNMP conversations over UDP, below): a pool of
    --flows-concurrent open connections is kept
    (it fills up at the start and drains at the end); each step picks one
    connection at random and lets it send its next few packets.  The pool
    is shrunk for small --size (about 2 connections per 100 KB) unless
    --flows-concurrent is given explicitly.
  - mostly bulk downloads: TLS on 443 (a ClientHello with SNI, a server
    flight, then 0x17 0x03 0x03 application-data records of random bytes)
    and HTTP on 80 (GET, then 200 with Content-Length and a random body,
    sometimes several requests on one connection); the receiver ACKs every
    second segment (many small ACKs).  Body sizes are log-normal with a
    long tail; a connection still downloading when --size is reached is
    ended (RST or FIN).
  - a few percent of logins, one synthetic user each (user00001, ...) with a
    synthetic password ("Bench-pw-00001-x", never a real one), for every
    protocol credleak decodes.  61 % of them (the mix the benchmark had
    before the other protocols came): SMTP AUTH PLAIN/LOGIN on 25/587, POP3
    USER/PASS and AUTH PLAIN on 110, IMAP LOGIN on 143, FTP USER/PASS on 21,
    HTTP Basic on 80/8080.  3.5 % each (about 1 in 29 logins): LDAP simple
    bind and SASL PLAIN on 389 (then WhoAmI or a search, unbind); SNMPv1 and
    v2c GETs on UDP 161 (the community is the secret; a wrong one: the GET
    retried, never answered); telnet on 23 (inetutils' option negotiation,
    a login prompt, one key per segment, the user name echoed, the
    password not; then a shell); rlogin on 513 from a reserved port (the
    handshake names the user, the password typed at PAM's prompt); IRC
    PASS (with NICK and USER) or OPER after the welcome on 6667; NNTP
    AUTHINFO USER/PASS on 119; Redis AUTH with a user (ACL) or the
    password alone (requirepass) on 6379; MQTT 3.1.1 or 5 CONNECT with user
    name and password on 1883; SOCKS5 with RFC 1929 username/password on
    1080 (then an HTTP request through the tunnel); PostgreSQL cleartext
    password on 5432 (sometimes after a refused SSLRequest); MySQL on 3306
    (MariaDB's greeting): mysql_clear_password (the password in the
    handshake response, then the server switches to mysql_native_password)
    and mysql_native_password itself, a challenge-response login that
    credleak reports as challenge_response_auth (the truth says so in
    "kind").  Byte layouts follow pcaps/ (real captures, gen-db.py,
    gen-text.py) and tests/unit/.  About 10 % of the logins fail (the
    server's refusal as the real one words it).  The message that carries
    the secret is sent in one segment, split in two or three segments, out
    of order (third piece first, duplicate ACKs), or retransmitted (a
    duplicate before the ACK, or a spurious one after it); a password typed
    at a terminal (telnet, rlogin) goes one key per segment, or coalesced
    into two or three segments (split), one key overtaking the one before
    it (ooo), or one key sent twice (retrans); an SNMP GET is sent once or
    twice (retrans: the first datagram lost).  The first logins take every
    kind of login above once (in a shuffled order), then kinds are drawn by
    weight, so a small capture has them all.
  - decoys: SMTP STARTTLS, POP3 STLS, IMAP STARTTLS and FTP AUTH TLS
    sessions whose login happens inside TLS (random records): the truth
    marks them "decoy": true, and a sensor must report no cleartext
    credentials for them.
  - about 8 % of connections over IPv6, about 5 % 802.1Q VLAN-tagged.

Checksums: IPv4 header, TCP and UDP checksums are computed and correct (cheap
here: the one's-complement sum of a byte string is its value modulo 0xffff).

Addresses: clients in 10.0.0.0/8 and 2001:db8:1::/48, servers in the
documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
2001:db8:ff::/48; MACs are locally administered.  Nothing names a real host.

Truth line: {"client_ip", "client_port", "server_ip", "server_port",
"client", "server" ("ip:port", IPv6 as "[ip]:port"), "proto" (the app_proto
credleak prints: smtp, pop3, imap, ftp, http, ldap, snmp, telnet, rlogin,
irc, nntp, redis, mqtt, socks, postgresql, mysql), "transport" ("tcp" or
"udp"), "kind" (cleartext_credentials, or challenge_response_auth for
MySQL's native password), "mechanism" (credleak's credential.mechanism),
"n" (the login's number: user and password derive from it), "username"
(as credleak prints it: the bind DN for an LDAP simple bind; null where the
login has none, an SNMP community or a Redis requirepass AUTH, so the
session's endpoints alone identify it), "result" (what the server
answered), "decoy", "variant", "ipv6", "vlan", "complete"}.
"""

import argparse
import base64
import calendar
import hashlib
import ipaddress
import json
import math
import random
import struct
import sys
import time

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
C, S = 0, 1

# 2026-11-22 12:00:00 UTC
T0 = calendar.timegm((2026, 11, 22, 12, 0, 0))
LINK_BPS = 1e9          # timestamps advance as on a 1 Gbit/s link
PW_FMT = "Bench-pw-%05d-x"
# When the bytes this script writes for given arguments last changed (UTC).
# run-bench.py makes a capture again when it is older than this: move it
# forward with any change to the output, not for other edits.
OUTPUT_DATE = "2026-11-22T19:04:31Z"
USER_FMT = "user%05d"

PCAP_REC = struct.Struct("<IIII")
IP4TCP = struct.Struct("!BBHHHBBH4s4sHHIIBBHHH")
IP6TCP = struct.Struct("!IHBB16s16sHHIIBBHHH")
MSS_OPT = struct.pack("!BBH", 2, 4, 1460)
MSS_OPT6 = struct.pack("!BBH", 2, 4, 1440)


def parse_size(s):
    s = s.strip()
    mult = 1
    if s[-1] in "kKmMgG":
        mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[s[-1].lower()]
        s = s[:-1]
    return int(float(s) * mult)


def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def words16(b):
    """Sum of the big-endian 16-bit words of b (odd length: zero-padded)."""
    v = int.from_bytes(b, "big")
    return v << 8 if len(b) & 1 else v


# --- the writer ---------------------------------------------------------
class Gen:
    def __init__(self, args, f):
        self.rng = random.Random(args.seed)
        self.f = f
        self.out = []
        self.outlen = 0
        self.written = 24
        self.packets = 0
        self.clock_ns = 0
        self.draining = False
        self.flows = 0
        self.flows_max = 0
        rng = self.rng
        # Random payload, reused by slicing: 8 MiB of body bytes and a TLS
        # application-data stream (whole records) of about 4 MiB.
        self.body = memoryview(rng.randbytes(8 << 20))
        rec_len = 16384 + 17
        recs = []
        for i in range(256):
            off = (i * 7919 * 64) % ((8 << 20) - rec_len)
            recs.append(b"\x17\x03\x03" + struct.pack("!H", rec_len))
            recs.append(self.body[off:off + rec_len])
        self.tls_rec = rec_len + 5
        self.tls = memoryview(b"".join(recs))
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def emit(self, parts, wirelen):
        self.clock_ns += int(wirelen * 8 * 1e9 / LINK_BPS) + 50
        us = self.clock_ns // 1000
        self.out.append(PCAP_REC.pack(T0 + us // 1000000, us % 1000000,
                                      wirelen, wirelen))
        self.out.extend(parts)
        n = wirelen + 16
        self.outlen += n
        self.written += n
        self.packets += 1
        if self.outlen >= (16 << 20):
            self.flush()

    def flush(self):
        self.f.write(b"".join(self.out))
        self.out.clear()
        self.outlen = 0

    def slice(self, block, start, n):
        """n bytes of block from start, wrapping around."""
        blen = len(block)
        start %= blen
        if start + n <= blen:
            return block[start:start + n]
        return bytes(block[start:]) + bytes(block[:n - (blen - start)])


# --- one TCP connection -----------------------------------------------------
class Flow:
    __slots__ = ("g", "v6", "l2", "addr", "port", "nxt", "rcv", "ipid",
                 "ipsum", "psum", "mss", "cip", "sip", "vlan")

    def __init__(self, g, cip, sip, cport, sport, vlan):
        self.g = g
        self.cip, self.sip = cip, sip
        self.v6 = cip.version == 6
        self.vlan = vlan
        self.addr = (cip.packed, sip.packed)
        self.port = (cport, sport)
        rng = g.rng
        self.nxt = [rng.getrandbits(32), rng.getrandbits(32)]
        self.rcv = [0, 0]
        self.ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        self.mss = 1440 if self.v6 else 1460
        et = b"\x86\xdd" if self.v6 else b"\x08\x00"
        mac_c = b"\x02\x00" + cip.packed[-4:]
        mac_s = b"\x02\x01" + sip.packed[-4:]
        tag = b"" if vlan is None else struct.pack("!HH", 0x8100, vlan)
        self.l2 = (mac_s + mac_c + tag + et, mac_c + mac_s + tag + et)
        self.psum = [0, 0]
        self.ipsum = [0, 0]
        for side in (C, S):
            src, dst = self.addr[side], self.addr[1 - side]
            a = words16(src) + words16(dst)
            self.psum[side] = a + 6 + self.port[side] + self.port[1 - side]
            # IPv4 header words but total length and id: 0x4500, 0x4000
            # (DF), 0x4006 (TTL 64, TCP).
            self.ipsum[side] = a + 0x4500 + 0x4000 + 0x4006

    def pkt(self, side, flags, payload=b"", seq=None, ack=None, opts=b""):
        g = self.g
        if seq is None:
            seq = self.nxt[side]
        if ack is None:
            ack = self.rcv[side]
        if not flags & ACK:
            ack = 0
        n = len(payload)
        end = (seq + n + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        if ((end - self.nxt[side]) & 0xFFFFFFFF) < 0x80000000:
            self.nxt[side] = end
        tcplen = 20 + len(opts) + n
        hw = ((5 + len(opts) // 4) << 12) | flags
        total = (self.psum[side] + tcplen + (seq >> 16) + (seq & 0xFFFF) +
                 (ack >> 16) + (ack & 0xFFFF) + hw + 65535)
        if opts:
            total += words16(opts)
        if n:
            total += words16(payload)
        csum = (-total) % 0xFFFF
        sport, dport = self.port[side], self.port[1 - side]
        if self.v6:
            hdr = IP6TCP.pack(0x60000000, tcplen, 6, 64, self.addr[side],
                              self.addr[1 - side], sport, dport, seq, ack,
                              hw >> 8, flags, 65535, csum, 0)
        else:
            iplen = 20 + tcplen
            ipid = self.ipid[side] = (self.ipid[side] + 1) & 0xFFFF
            ipc = (-(self.ipsum[side] + iplen + ipid)) % 0xFFFF
            hdr = IP4TCP.pack(0x45, 0, iplen, ipid, 0x4000, 64, 6, ipc,
                              self.addr[side], self.addr[1 - side], sport,
                              dport, seq, ack, hw >> 8, flags, 65535, csum, 0)
        l2 = self.l2[side]
        if opts:
            parts = (l2, hdr, opts, payload) if n else (l2, hdr, opts)
        else:
            parts = (l2, hdr, payload) if n else (l2, hdr)
        g.emit(parts, len(l2) + len(hdr) + len(opts) + n)

    # --- conversation pieces ------------------------------------------------
    def ack(self, side):
        self.pkt(side, ACK)

    def open(self):
        """SYN, SYN-ACK, ACK: one per step."""
        self.pkt(C, SYN, opts=MSS_OPT6 if self.v6 else MSS_OPT)
        yield
        self.rcv[S] = self.nxt[C]
        self.pkt(S, SYN | ACK, opts=MSS_OPT6 if self.v6 else MSS_OPT)
        yield
        self.rcv[C] = self.nxt[S]
        self.ack(C)

    def send(self, side, data):
        """DATA from side in MSS segments; the receiver ACKs every second
        segment and has it all afterwards."""
        mss = self.mss
        n = len(data)
        i = k = 0
        while i < n:
            seg = data[i:i + mss]
            i += len(seg)
            self.pkt(side, PSH | ACK if i >= n else ACK, seg)
            k += 1
            if k % 2 == 0 and i < n:
                self.rcv[1 - side] = self.nxt[side]
                self.ack(1 - side)
        self.rcv[1 - side] = self.nxt[side]

    def rst(self):
        self.pkt(C, RST | ACK)

    def close(self, how):
        """how: 'cfin' client closes first, 'sfin' server first."""
        a = C if how == "cfin" else S
        self.pkt(a, FIN | ACK)
        self.rcv[1 - a] = self.nxt[a]
        yield
        self.pkt(1 - a, FIN | ACK)
        self.rcv[a] = self.nxt[1 - a]
        self.ack(a)

    def secret(self, side, data, lo, hi, variant):
        """Send DATA whose bytes [lo, hi) are a secret, as VARIANT says."""
        rng = self.g.rng
        peer = 1 - side
        s0 = self.nxt[side]
        if variant == "split":
            cuts = sorted(rng.sample(range(lo + 1, hi), 2 if hi - lo > 3 and
                                     rng.random() < 0.5 else 1))
            pts = [0] + cuts + [len(data)]
            for a, b in zip(pts, pts[1:]):
                self.pkt(side, PSH | ACK, data[a:b], seq=(s0 + a) & 0xFFFFFFFF)
                if rng.random() < 0.5:
                    self.rcv[peer] = self.nxt[side]
                    self.ack(peer)
                yield
            self.rcv[peer] = self.nxt[side]
        elif variant == "ooo":
            a = rng.randrange(lo + 1, hi - 1)
            b = rng.randrange(a + 1, hi)
            # Third piece first; the receiver answers with a duplicate ACK.
            self.pkt(side, PSH | ACK, data[b:], seq=(s0 + b) & 0xFFFFFFFF)
            self.ack(peer)
            yield
            self.pkt(side, ACK, data[:a], seq=s0)
            self.rcv[peer] = (s0 + a) & 0xFFFFFFFF
            self.ack(peer)
            yield
            self.pkt(side, ACK, data[a:b], seq=(s0 + a) & 0xFFFFFFFF)
            self.rcv[peer] = (s0 + len(data)) & 0xFFFFFFFF
            self.nxt[side] = self.rcv[peer]
        else:  # retrans
            self.pkt(side, PSH | ACK, data, seq=s0)
            yield
            if rng.random() < 0.5:
                # Lost ACK: the same bytes again, then the ACK.
                self.pkt(side, PSH | ACK, data, seq=s0)
                self.rcv[peer] = self.nxt[side]
                self.ack(peer)
            else:
                # ACKed, then a spurious retransmission.
                self.rcv[peer] = self.nxt[side]
                self.ack(peer)
                yield
                self.pkt(side, PSH | ACK, data, seq=s0)


    def keys(self, side, data, echo, variant):
        """DATA typed one key per segment (a terminal in character mode);
        with ECHO the peer echoes each key (and ACKs it with the echo),
        else it ACKs most keys on their own.  VARIANT, for a secret: split
        = keys coalesced into two or three segments (Nagle, a fast typist),
        ooo = a key overtakes the one before it (the receiver answers with a
        duplicate ACK), retrans = one key sent twice; anything else: one key
        per segment."""
        rng = self.g.rng
        peer = 1 - side
        n = len(data)
        segs = [(i, i + 1) for i in range(n)]
        if variant == "split" and n > 2:
            cuts = sorted(rng.sample(range(1, n), 2 if n > 3 and
                                     rng.random() < 0.5 else 1))
            pts = [0] + cuts + [n]
            segs = list(zip(pts, pts[1:]))
        swap = rng.randrange(n - 1) if variant == "ooo" and n > 1 else -1
        dup = rng.randrange(n) if variant == "retrans" else -1
        s0 = self.nxt[side]
        i = 0
        while i < len(segs):
            a, b = segs[i]
            if i == swap:
                a2, b2 = segs[i + 1]
                self.pkt(side, PSH | ACK, data[a2:b2], seq=(s0 + a2) & 0xFFFFFFFF)
                self.ack(peer)
                yield
                self.pkt(side, PSH | ACK, data[a:b], seq=(s0 + a) & 0xFFFFFFFF)
                self.rcv[peer] = (s0 + b2) & 0xFFFFFFFF
                self.ack(peer)
                yield
                i += 2
                continue
            self.pkt(side, PSH | ACK, data[a:b], seq=(s0 + a) & 0xFFFFFFFF)
            if i == dup:
                self.pkt(side, PSH | ACK, data[a:b], seq=(s0 + a) & 0xFFFFFFFF)
            self.rcv[peer] = (s0 + b) & 0xFFFFFFFF
            if echo:
                self.pkt(peer, PSH | ACK, data[a:b])
                self.rcv[side] = self.nxt[peer]
            elif i == len(segs) - 1 or rng.random() < 0.7:
                self.ack(peer)
            yield
            i += 1


# --- one UDP conversation (SNMP) ----------------------------------------------
IP4UDP = struct.Struct("!BBHHHBBH4s4sHHHH")
IP6UDP = struct.Struct("!IHBB16s16sHHHH")


class UdpFlow:
    """Datagrams between a client and a server port; checksums correct."""
    __slots__ = ("g", "v6", "l2", "addr", "port", "ipid", "psum", "ipsum",
                 "cip", "sip", "vlan")

    def __init__(self, g, cip, sip, cport, sport, vlan):
        self.g = g
        self.cip, self.sip = cip, sip
        self.v6 = cip.version == 6
        self.vlan = vlan
        self.addr = (cip.packed, sip.packed)
        self.port = (cport, sport)
        self.ipid = [g.rng.getrandbits(16), g.rng.getrandbits(16)]
        et = b"\x86\xdd" if self.v6 else b"\x08\x00"
        mac_c = b"\x02\x00" + cip.packed[-4:]
        mac_s = b"\x02\x01" + sip.packed[-4:]
        tag = b"" if vlan is None else struct.pack("!HH", 0x8100, vlan)
        self.l2 = (mac_s + mac_c + tag + et, mac_c + mac_s + tag + et)
        a = words16(cip.packed) + words16(sip.packed)
        self.psum = a + 17 + cport + sport
        # IPv4 header words but total length and id: 0x4500, 0x4000 (DF),
        # 0x4011 (TTL 64, UDP).
        self.ipsum = a + 0x4500 + 0x4000 + 0x4011

    def dgram(self, side, payload):
        n = len(payload)
        ulen = 8 + n
        # Pseudo-header (addresses, protocol, length) plus the UDP header's
        # ports and length.
        csum = (-(self.psum + 2 * ulen + words16(payload))) % 0xFFFF or 0xFFFF
        sport, dport = self.port[side], self.port[1 - side]
        if self.v6:
            hdr = IP6UDP.pack(0x60000000, ulen, 17, 64, self.addr[side],
                              self.addr[1 - side], sport, dport, ulen, csum)
        else:
            iplen = 20 + ulen
            ipid = self.ipid[side] = (self.ipid[side] + 1) & 0xFFFF
            ipc = (-(self.ipsum + iplen + ipid)) % 0xFFFF
            hdr = IP4UDP.pack(0x45, 0, iplen, ipid, 0x4000, 64, 17, ipc,
                              self.addr[side], self.addr[1 - side], sport,
                              dport, ulen, csum)
        l2 = self.l2[side]
        self.g.emit((l2, hdr, payload), len(l2) + len(hdr) + n)


# --- TLS bytes ----------------------------------------------------------------
def client_hello(rng, sni):
    sni = sni.encode()
    ext = b""
    sn = struct.pack("!BH", 0, len(sni)) + sni
    ext += struct.pack("!HHH", 0, len(sn) + 2, len(sn)) + sn
    ext += struct.pack("!HHH", 0x0a, 10, 8) + bytes.fromhex("001d00170018001e")
    ext += struct.pack("!HH", 0x0b, 2) + b"\x01\x00"
    sig = bytes.fromhex("040308040401050308050501")
    ext += struct.pack("!HHH", 0x0d, len(sig) + 2, len(sig)) + sig
    alpn = b"\x02h2\x08http/1.1"
    ext += struct.pack("!HHH", 0x10, len(alpn) + 2, len(alpn)) + alpn
    ext += struct.pack("!HH", 0x2b, 5) + b"\x04\x03\x04\x03\x03"
    ext += struct.pack("!HH", 0x2d, 2) + b"\x01\x01"
    ext += struct.pack("!HHHHH", 0x33, 38, 36, 0x1d, 32) + rng.randbytes(32)
    pad = 512 - 4 - 43 - 32 - 32 - 2 - len(ext) - 4
    if pad > 0:
        ext += struct.pack("!HH", 0x15, pad) + bytes(pad)
    suites = bytes.fromhex("130113021303c02bc02fc02cc030cca9cca8c013c014"
                           "009c009d002f0035")
    body = (b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32) +
            struct.pack("!H", len(suites)) + suites + b"\x01\x00" +
            struct.pack("!H", len(ext)) + ext)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def server_flight(g, start):
    rng = g.rng
    ext = (struct.pack("!HHH", 0x2b, 2, 0x0304) +
           struct.pack("!HHHH", 0x33, 36, 0x1d, 32) + rng.randbytes(32))
    body = (b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32) +
            b"\x13\x01\x00" + struct.pack("!H", len(ext)) + ext)
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    # ServerHello, ChangeCipherSpec, encrypted handshake (3 records).
    return (b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs +
            b"\x14\x03\x03\x00\x01\x01" + tls_records(g, start, 3))


def tls_records(g, start, nrec, size=None):
    """nrec records of random length (or size bytes) as 0x17 records."""
    rng = g.rng
    out = []
    for _ in range(nrec):
        n = size or rng.randrange(60, 1800)
        out.append(b"\x17\x03\x03" + struct.pack("!H", n))
        out.append(bytes(g.slice(g.body, start + rng.randrange(1 << 20), n)))
    return b"".join(out)


# --- the kinds of connections ---------------------------------------------
def body_size(rng):
    return min(int(rng.lognormvariate(math.log(12000), 1.8)) + 200, 64 << 20)


def bulk_stream(f, side, hdr, block, start, length, step_segments):
    """Send hdr then length bytes of block from start, a few segments per
    step, the receiver ACKing every second segment.  Returns False if the
    capture ended first (draining)."""
    g = f.g
    rng = g.rng
    mss = f.mss
    peer = 1 - side
    total = len(hdr) + length
    pos = 0
    k = 0
    while pos < total:
        if g.draining:
            return False
        for _ in range(rng.randint(1, step_segments)):
            n = min(mss, total - pos)
            if pos < len(hdr):
                h = hdr[pos:pos + n]
                seg = h + bytes(g.slice(block, start, n - len(h)))
                start += n - len(h)
            else:
                seg = g.slice(block, start, n)
                start += n
            pos += n
            f.pkt(side, PSH | ACK if pos >= total else ACK, seg)
            k += 1
            if k % 2 == 0 or pos >= total:
                f.rcv[peer] = f.nxt[side]
                f.ack(peer)
            if pos >= total:
                break
        yield
    return True


def end_bulk(f, rng, done):
    if not done or rng.random() < 0.05:
        how = "rst" if rng.random() < 0.5 else "cfin"
    else:
        how = "cfin" if rng.random() < 0.7 else "sfin"
    if how == "rst":
        f.rst()
    else:
        yield from f.close(how)


def flow_tls(f, g, n):
    rng = g.rng
    yield from f.open()
    hello = (
        lambda: f.send(C, client_hello(rng, "cdn%04d.example.net" % (n % 5000))),
        lambda: f.send(S, server_flight(g, n)),
        lambda: f.send(C, b"\x14\x03\x03\x00\x01\x01" +
                       tls_records(g, n, 1, 53) + tls_records(g, n + 1, 1)))
    for step in hello:
        if g.draining:
            yield from end_bulk(f, rng, False)
            return
        yield
        step()
    yield
    start = rng.randrange(0, len(g.tls) // g.tls_rec) * g.tls_rec
    done = yield from bulk_stream(f, S, b"", g.tls, start, body_size(rng), 4)
    if done and rng.random() < 0.8:
        f.send(C, b"\x15\x03\x03\x00\x1a" + rng.randbytes(26))  # alert
        yield
    yield from end_bulk(f, rng, done)


HTTP_REQ = ("GET /files/%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 "
            "(X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
            "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
            "Connection: keep-alive\r\n\r\n")
HTTP_RESP = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov "
             "2026 12:00:00 GMT\r\nContent-Type: application/octet-stream\r\n"
             "Content-Length: %d\r\nConnection: keep-alive\r\n"
             "ETag: \"%08x\"\r\nAccept-Ranges: bytes\r\n\r\n")


def flow_http(f, g, n):
    rng = g.rng
    yield from f.open()
    done = True
    for i in range(1 if rng.random() < 0.8 else rng.randint(2, 4)):
        if g.draining:
            done = False
            break
        yield
        f.send(C, (HTTP_REQ % ("obj%07d-%d.bin" % (n, i),
                               "dl%03d.example.net" % (n % 700))).encode())
        yield
        size = body_size(rng)
        hdr = (HTTP_RESP % (size, rng.getrandbits(32))).encode()
        done = yield from bulk_stream(f, S, hdr, g.body,
                                      rng.randrange(len(g.body)), size, 4)
        if not done:
            break
    yield
    yield from end_bulk(f, rng, done)


# --- --steady bulk: downloads that never end ------------------------------------
# The Content-Length of a bulk-mode HTTP download (1 TiB): a body that no
# capture reaches the end of, so the receiver keeps skipping body bytes.
BULK_LENGTH = 1 << 40


class Bulk:
    """An established download past its first exchange: each step() sends
    one packet, in a cycle of three: the next MSS segment of the server's
    stream (BLOCK from POS, wrapping around: the TLS block is whole
    records, so the stream stays a record stream), the one after it, then
    the client's ACK of them.  PHASE (0-2) is where in the cycle the
    connection starts, drawn at random: whether a connection gets one step
    or a thousand (a pool of 1M or of 1k), its packets are two thirds
    segments, one third ACKs.  Sequence numbers follow on from the
    connection's last byte (Flow.pkt keeps them)."""
    __slots__ = ("f", "block", "pos", "phase")

    def __init__(self, f, block, pos, phase):
        self.f = f
        self.block = block
        self.pos = pos
        self.phase = phase

    def step(self):
        f = self.f
        if self.phase == 2:
            f.rcv[C] = f.nxt[S]
            f.ack(C)
            self.phase = 0
            return
        n = f.mss
        f.pkt(S, ACK, f.g.slice(self.block, self.pos, n))
        self.pos += n
        self.phase += 1


def flow_tls_bulk(f, g, n):
    """flow_tls's handshake and hellos, then the first two segments of the
    server's application data and the client's ACK; returns its Bulk (the
    rest, forever)."""
    rng = g.rng
    yield from f.open()
    for step in (
            lambda: f.send(C, client_hello(rng, "cdn%04d.example.net" % (n % 5000))),
            lambda: f.send(S, server_flight(g, n)),
            lambda: f.send(C, b"\x14\x03\x03\x00\x01\x01" +
                           tls_records(g, n, 1, 53) + tls_records(g, n + 1, 1))):
        yield
        step()
    yield
    start = rng.randrange(0, len(g.tls) // g.tls_rec) * g.tls_rec
    b = Bulk(f, g.tls, start, 0)
    for _ in range(3):
        b.step()
    b.phase = rng.randrange(3)
    return b


def flow_http_bulk(f, g, n):
    """flow_http's GET, then a 200 with a Content-Length of BULK_LENGTH:
    its first two segments (headers and the body's start) and the client's
    ACK end the first exchange; returns its Bulk (body segments and ACKs,
    forever)."""
    rng = g.rng
    yield from f.open()
    yield
    f.send(C, (HTTP_REQ % ("obj%07d-0.bin" % n,
                           "dl%03d.example.net" % (n % 700))).encode())
    yield
    hdr = (HTTP_RESP % (BULK_LENGTH, rng.getrandbits(32))).encode()
    start = rng.randrange(len(g.body))
    k = f.mss - len(hdr)
    f.pkt(S, ACK, hdr + bytes(g.slice(g.body, start, k)))
    b = Bulk(f, g.body, start + k, 1)
    b.step()
    b.step()
    b.phase = rng.randrange(3)
    return b


# --- logins -------------------------------------------------------------------
SMTP_GREET = "220 mail%d.example.test ESMTP Postfix (Debian/GNU)\r\n"
EHLO = "EHLO client%d.example.test\r\n"
EHLO_AUTH = ("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
             "250-VRFY\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n"
             "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
             "250 CHUNKING\r\n")
EHLO_TLS = ("250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
            "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
            "250 CHUNKING\r\n")
POP_GREET = "+OK Dovecot (Debian) ready.\r\n"
IMAP_GREET = ("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
              "IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) "
              "ready.\r\n")
IMAP_GREET_TLS = ("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID "
                  "ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED] Dovecot "
                  "(Debian) ready.\r\n")
FTP_GREET = "220 (vsFTPd 3.0.3)\r\n"

# Kinds of logins: (proto, mechanism, ports, weight); proto and mechanism
# are the app_proto and credential.mechanism credleak prints.  The first
# seven keep the weights (x10) they had when the benchmark planted only
# mail, FTP and HTTP logins (61 % of the logins now); every other protocol
# gets 8 (3.5 %), split between its mechanisms.
LOGINS = [
    ("smtp", "AUTH PLAIN", (587, 25), 30),
    ("smtp", "AUTH LOGIN", (587, 25), 20),
    ("pop3", "USER/PASS", (110,), 20),
    ("pop3", "AUTH PLAIN", (110,), 10),
    ("imap", "LOGIN", (143,), 20),
    ("ftp", "USER/PASS", (21,), 20),
    ("http", "Basic", (80, 8080), 20),
    ("ldap", "LDAP simple bind", (389,), 5),
    ("ldap", "LDAP SASL PLAIN", (389,), 3),
    ("snmp", "SNMPv2c community", (161,), 5),
    ("snmp", "SNMPv1 community", (161,), 3),
    ("telnet", "telnet login prompt", (23,), 8),
    ("rlogin", "rlogin", (513,), 8),
    ("irc", "IRC PASS", (6667,), 5),
    ("irc", "IRC OPER", (6667,), 3),
    ("nntp", "AUTHINFO USER/PASS", (119,), 8),
    ("redis", "Redis AUTH (ACL user)", (6379,), 5),
    ("redis", "Redis AUTH (requirepass, password only)", (6379,), 3),
    ("mqtt", "MQTT CONNECT", (1883,), 8),
    ("socks", "SOCKS5 username/password (RFC 1929)", (1080,), 8),
    ("postgresql", "PostgreSQL cleartext password", (5432,), 8),
    ("mysql", "mysql_clear_password", (3306,), 5),
    ("mysql", "mysql_native_password", (3306,), 3),
]
# Logins credleak reports as another kind than cleartext_credentials.
KIND = {("mysql", "mysql_native_password"): "challenge_response_auth"}
DECOYS = [
    ("smtp", "STARTTLS", (587, 25), 3),
    ("pop3", "STLS", (110,), 1),
    ("imap", "STARTTLS", (143,), 1),
    ("ftp", "AUTH TLS", (21,), 1),
]


def smtp_mail(n):
    u = USER_FMT % n
    return [
        (C, "MAIL FROM:<%s@example.test>\r\n" % u, None),
        (S, "250 2.1.0 Ok\r\n", None),
        (C, "RCPT TO:<rcpt%d@example.org>\r\n" % (n % 97), None),
        (S, "250 2.1.5 Ok\r\n", None),
        (C, "DATA\r\n", None),
        (S, "354 End data with <CR><LF>.<CR><LF>\r\n", None),
        (C, "From: %s@example.test\r\nTo: rcpt%d@example.org\r\nSubject: "
            "bench message %d\r\nDate: Sun, 22 Nov 2026 12:00:00 +0000\r\n"
            "\r\nSynthetic benchmark message.\r\n.\r\n" % (u, n % 97, n), None),
        (S, "250 2.0.0 Ok: queued as %010X\r\n" % (n * 2654435761 & 0xFFFFFFFFFF),
         None),
    ]


def login_script(proto, mech, n, ok, rng):
    """[(side, text, secret (lo, hi) or None)]; text may be Keys; SFIN last:
    the server closes first."""
    if proto in SCRIPTS:
        return SCRIPTS[proto](mech, n, ok, rng)
    u, pw = USER_FMT % n, PW_FMT % n
    if proto == "smtp":
        s = [(S, SMTP_GREET % (n % 50), None), (C, EHLO % n, None),
             (S, EHLO_AUTH, None)]
        bad = "535 5.7.8 Error: authentication failed: authentication failure\r\n"
        okr = "235 2.7.0 Authentication successful\r\n"
        if mech == "AUTH PLAIN":
            blob = b64("\0%s\0%s" % (u, pw))
            line = "AUTH PLAIN %s\r\n" % blob
            s.append((C, line, (11, 11 + len(blob))))
        else:
            s += [(C, "AUTH LOGIN\r\n", None), (S, "334 VXNlcm5hbWU6\r\n", None),
                  (C, b64(u) + "\r\n", None), (S, "334 UGFzc3dvcmQ6\r\n", None)]
            blob = b64(pw)
            s.append((C, blob + "\r\n", (0, len(blob))))
        s.append((S, okr if ok else bad, None))
        if ok:
            s += smtp_mail(n)
        return s + [(C, "QUIT\r\n", None), (S, "221 2.0.0 Bye\r\n", None)]
    if proto == "pop3":
        s = [(S, POP_GREET, None)]
        if mech == "USER/PASS":
            s += [(C, "USER %s\r\n" % u, None), (S, "+OK\r\n", None),
                  (C, "PASS %s\r\n" % pw, (5, 5 + len(pw)))]
        else:
            blob = b64("\0%s\0%s" % (u, pw))
            s += [(C, "AUTH PLAIN %s\r\n" % blob, (11, 11 + len(blob)))]
        if ok:
            s += [(S, "+OK Logged in.\r\n", None), (C, "STAT\r\n", None),
                  (S, "+OK 2 4711\r\n", None), (C, "LIST\r\n", None),
                  (S, "+OK 2 messages:\r\n1 2300\r\n2 2411\r\n.\r\n", None)]
        else:
            s += [(S, "-ERR [AUTH] Authentication failed.\r\n", None)]
        return s + [(C, "QUIT\r\n", None), (S, "+OK Logging out.\r\n", None)]
    if proto == "imap":
        line = 'a001 LOGIN %s "%s"\r\n' % (u, pw)
        lo = line.index('"') + 1
        s = [(S, IMAP_GREET, None), (C, line, (lo, lo + len(pw)))]
        if ok:
            s += [(S, "a001 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS "
                   "ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND "
                   "UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED] "
                   "Logged in\r\n", None),
                  (C, "a002 SELECT INBOX\r\n", None),
                  (S, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"
                   "\r\n* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY "
                   "1763812800] UIDs valid\r\na002 OK [READ-WRITE] Select "
                   "completed.\r\n", None)]
        else:
            s += [(S, "a001 NO [AUTHENTICATIONFAILED] Authentication "
                   "failed.\r\n", None)]
        return s + [(C, "a003 LOGOUT\r\n", None),
                    (S, "* BYE Logging out\r\na003 OK Logout completed.\r\n",
                     None)]
    if proto == "ftp":
        s = [(S, FTP_GREET, None), (C, "USER %s\r\n" % u, None),
             (S, "331 Please specify the password.\r\n", None),
             (C, "PASS %s\r\n" % pw, (5, 5 + len(pw)))]
        if ok:
            s += [(S, "230 Login successful.\r\n", None), (C, "SYST\r\n", None),
                  (S, "215 UNIX Type: L8\r\n", None), (C, "PWD\r\n", None),
                  (S, '257 "/home/%s" is the current directory\r\n' % u, None)]
        else:
            s += [(S, "530 Login incorrect.\r\n", None)]
        return s + [(C, "QUIT\r\n", None), (S, "221 Goodbye.\r\n", None)]
    # http Basic: sometimes a 401 first.
    host = "intranet%d.example.test" % (n % 30)
    blob = b64("%s:%s" % (u, pw))
    req = ("GET /private/report%d.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: "
           "curl/7.88.1\r\nAccept: */*\r\n" % (n, host))
    line = req + "Authorization: Basic %s\r\n\r\n" % blob
    lo = line.index("Basic ") + 6
    s = []
    if n % 2:
        s += [(C, req + "\r\n", None),
              (S, "HTTP/1.1 401 Unauthorized\r\nServer: Apache/2.4.62\r\n"
               'WWW-Authenticate: Basic realm="bench"\r\nContent-Length: 0'
               "\r\n\r\n", None)]
    s.append((C, line, (lo, lo + len(blob))))
    if ok:
        body = "<html><body>" + "report line\n" * (40 + n % 200) + "</body></html>"
        s.append((S, "HTTP/1.1 200 OK\r\nServer: Apache/2.4.62\r\nContent-Type: "
                  "text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body),
                  None))
    else:
        s.append((S, "HTTP/1.1 401 Unauthorized\r\nServer: Apache/2.4.62\r\n"
                  'WWW-Authenticate: Basic realm="bench"\r\nContent-Length: 0'
                  "\r\n\r\n", None))
    return s


# --- logins of the other protocols -------------------------------------------
class Keys:
    """Typed at a terminal: one key per segment (Flow.keys); echo: the
    server echoes each key."""
    __slots__ = ("data", "echo")

    def __init__(self, data, echo):
        self.data = data.encode() if isinstance(data, str) else data
        self.echo = echo


SFIN = (None, "sfin", None)     # script end: the server closes first


def ber(tag, body):
    """BER TLV, definite length."""
    n = len(body)
    if n < 0x80:
        return bytes((tag, n)) + body
    if n < 0x100:
        return bytes((tag, 0x81, n)) + body
    return bytes((tag, 0x82)) + n.to_bytes(2, "big") + body


def ber_int(v, tag=2):
    return ber(tag, v.to_bytes(v.bit_length() // 8 + 1, "big"))


def login_user(proto, mech, n):
    """The user name credleak prints for login N (None: it has none)."""
    u = USER_FMT % n
    if proto == "ldap" and mech == "LDAP simple bind":
        return "uid=%s,%s" % (u, LDAP_PEOPLE)
    if proto == "snmp" or mech == "Redis AUTH (requirepass, password only)":
        return None
    return u


# LDAP (RFC 4511), as OpenLDAP's slapd and ldapwhoami / ldapsearch exchange
# it (pcaps/ldap-simple-bind.pcap, ldap-sasl-plain.pcap).
LDAP_PEOPLE = "ou=people,dc=example,dc=test"


def ldap_msg(mid, op):
    return ber(0x30, ber_int(mid) + op)


def ldap_result(tag, code, extra=b""):
    return ber(tag, ber(0x0a, bytes((code,))) + ber(4, b"") + ber(4, b"") + extra)


def ldap_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    dn = ("uid=%s,%s" % (u, LDAP_PEOPLE)).encode()
    if mech == "LDAP simple bind":
        op = ber(0x60, ber_int(3) + ber(4, dn) + ber(0x80, pw.encode()))
    else:
        op = ber(0x60, ber_int(3) + ber(4, b"") + ber(
            0xa3, ber(4, b"PLAIN") + ber(4, ("\0%s\0%s" % (u, pw)).encode())))
    bind = ldap_msg(1, op)
    s = [(C, bind, (len(bind) - len(pw), len(bind)))]
    if not ok:
        # invalidCredentials (49); the client unbinds, slapd closes.
        return s + [(S, ldap_msg(1, ldap_result(0x61, 49)), None),
                    (C, ldap_msg(2, b"\x42\x00"), None), SFIN]
    s.append((S, ldap_msg(1, ldap_result(0x61, 0)), None))
    if n % 2:   # ldapwhoami: the WhoAmI extended operation (RFC 4532)
        s += [(C, ldap_msg(2, ber(0x77, ber(0x80, b"1.3.6.1.4.1.4203.1.11.3"))),
               None),
              (S, ldap_msg(2, ldap_result(0x78, 0, ber(0x8b, b"dn:" + dn))), None)]
    else:       # ldapsearch -b dc=example,dc=test "(uid=USER)" cn mail
        req = ber(0x63, ber(4, b"dc=example,dc=test") + ber(0x0a, b"\x02") +
                  ber(0x0a, b"\x00") + ber_int(0) + ber_int(0) +
                  ber(0x01, b"\x00") +
                  ber(0xa3, ber(4, b"uid") + ber(4, u.encode())) +
                  ber(0x30, ber(4, b"cn") + ber(4, b"mail")))
        entry = ber(0x64, ber(4, dn) + ber(0x30, ber(
            0x30, ber(4, b"cn") + ber(0x31, ber(4, b"Bench User %d" % n))) + ber(
            0x30, ber(4, b"mail") + ber(0x31, ber(4, b"%s@example.test" % u.encode())))))
        s += [(C, ldap_msg(2, req), None),
              (S, ldap_msg(2, entry) + ldap_msg(2, ldap_result(0x65, 0)), None)]
    return s + [(C, ldap_msg(3, b"\x42\x00"), None)]


# Telnet: inetutils telnetd and telnet's option negotiation, as captured in
# pcaps/telnet-login.pcap (terminal type, speed, environment, binary).
TELNET_NEG = [
    (S, "fffb25fffb26fffd18fffd20fffd23fffd27fffd24"),
    (C, "fffd25fffd26fffa2601fff0fffb18fffb20fffc23fffb27fffc24"),
    (S, "fffa2001fff0fffa2701fff0fffa1801fff0"),
    (C, "fffa200033383430302c3338343030fff0fffa2700fff0fffa1800585445524dfff0"),
    (S, "fffb03fffd01fffd22fffd1ffffb05fffd21"),
    (C, "fffd03fffc01fffb22fffa220301000003620304020f05000007621c08020409421a"
        "0a027f0b02150c02170d02120e02160f0211100213110000120000fff0fffb1fff"
        "fa1f00000000fff0fffd05fffb21"),
    (S, "fffa220103fff000"),
    (C, "fffa220107fff0"),
    (S, "fffa2103fff000fffb01fffd00fffe22fffa220303e20304820f07e21c08820409"
        "c21a0a827f0b82150c82170d82120e82160f8211108213fff0"),
    (C, "fffd01fffb00fffc22"),
]
MOTD = ("\r\nThe programs included with the Debian GNU/Linux system are free "
        "software;\r\nthe exact distribution terms for each program are "
        "described in the\r\nindividual files in /usr/share/doc/*/copyright."
        "\r\n\r\nDebian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the "
        "extent\r\npermitted by applicable law.\r\n")
UNAME = ("Linux %s 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 "
         "(2024-11-22) x86_64\r\n")


def shell(u, host, n):
    """A logged-in user types id and exit (echoed), the server closes."""
    prompt = "%s@%s:~$ " % (u, host)
    return [(S, prompt, None), (C, Keys("id", True), None), (C, "\r", None),
            (S, "\r\nuid=%d(%s) gid=%d(%s) groups=%d(%s)\r\n%s"
             % (1000 + n % 5000, u, 1000 + n % 5000, u, 1000 + n % 5000, u,
                prompt), None),
            (C, Keys("exit", True), None), (C, "\r", None),
            (S, "\r\nlogout\r\n", None), SFIN]


def telnet_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    host = "host%02d" % (n % 40)
    s = [(side, bytes.fromhex(h), None) for side, h in TELNET_NEG]
    s += [(S, "%s login: " % host, None), (C, Keys(u, True), None),
          (C, "\r", None), (S, "\r\nPassword: ", None),
          (C, Keys(pw, False), (0, len(pw))), (C, "\r", None),
          (S, "\r\n", None)]
    if not ok:
        return s + [(S, "\r\nLogin incorrect\r\n", None),
                    (S, "%s login: " % host, None)]
    return s + [(S, UNAME % host + MOTD, None),
                (S, "Last login: Sat Nov 21 08:%02d:%02d UTC 2026 from "
                 "10.0.%d.%d on pts/0\r\n" % (n % 60, n * 7 % 60, n % 200,
                                              n % 250 + 1), None)] + shell(u, host, n)


# rlogin (RFC 1282), as rsh-redone's in.rlogind and rlogin exchange it
# (pcaps/rlogin-password.pcap): no .rhosts, PAM asks for the password.
def rlogin_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    host = "host%02d" % (n % 40)
    s = [(C, "\0%s\0%s\0xterm/38400\0" % (u, u), None), (S, "\0", None),
         (S, "Password: ", None), (C, Keys(pw, False), (0, len(pw))),
         (C, "\r", None), (S, "\n\r", None)]
    if not ok:
        return s + [(S, "\r\nLogin incorrect\r\n", None), (S, "login: ", None)]
    return s + [(S, "\x80", None),
                (C, b"\xff\xffss" + struct.pack("!HHHH", 24, 80, 0, 0), None),
                (S, UNAME % host + MOTD + "Last login: Sat Nov 21 08:%02d:%02d "
                 "UTC 2026 from 10.0.%d.%d on pts/1\r\n"
                 % (n % 60, n * 7 % 60, n % 200, n % 250 + 1), None)] + shell(u, host, n)


# IRC (RFC 2812), worded as ngircd 26 answers (pcaps/irc-pass-oper.pcap).
IRC_SRV = ":irc.example.test"


def irc_welcome(nick, n):
    lines = [
        "001 %s :Welcome to the Internet Relay Network %s!~%s@10.0.%d.%d"
        % (nick, nick, nick, n % 200, n % 250 + 1),
        "002 %s :Your host is irc.example.test, running version ngircd-26.1 "
        "(x86_64/pc/linux-gnu)" % nick,
        "003 %s :This server has been started Sun Nov 22 2026 at 08:00:00 "
        "(UTC)" % nick,
        "004 %s irc.example.test ngircd-26.1 abBcCFiIoqrRswx "
        "abehiIklmMnoOPqQrRstvVz" % nick,
        "005 %s RFC2812 IRCD=ngIRCd CHARSET=UTF-8 CASEMAPPING=ascii "
        "PREFIX=(qaohv)~&@%%+ CHANTYPES=#&+ CHANMODES=beI,k,l,imMnOPQRstVz "
        "CHANLIMIT=#&+:10 :are supported on this server" % nick,
        "251 %s :There are %d users and 0 services on 1 servers"
        % (nick, 20 + n % 300),
        "375 %s :- irc.example.test message of the day" % nick,
        "372 %s :- Benchmark network: synthetic users only." % nick,
        "376 %s :End of MOTD command" % nick,
    ]
    return "".join("%s %s\r\n" % (IRC_SRV, x) for x in lines)


def irc_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    reg = "NICK %s\r\nUSER %s 0 * :Bench User %d\r\n" % (u, u, n)
    if mech == "IRC PASS":
        s = [(C, "PASS %s\r\n" % pw + reg, (5, 5 + len(pw)))]
        if not ok:
            return s + [(S, "ERROR :Access denied: Bad password?\r\n", None), SFIN]
        s.append((S, irc_welcome(u, n), None))
    else:
        s = [(C, reg, None), (S, irc_welcome(u, n), None),
             (C, "MODE %s +i\r\n" % u, None),
             (S, "%s MODE %s :+i\r\n" % (IRC_SRV, u), None)]
        lo = len("OPER %s " % u)
        s.append((C, "OPER %s %s\r\n" % (u, pw), (lo, lo + len(pw))))
        s.append((S, "%s MODE %s :+o\r\n%s 381 %s :You are now an IRC Operator"
                  "\r\n" % (IRC_SRV, u, IRC_SRV, u) if ok else
                  "%s 464 %s :Invalid password\r\n" % (IRC_SRV, u), None))
    ch = "#bench%d" % (n % 20)
    return s + [
        (C, "JOIN %s\r\n" % ch, None),
        (S, ":%s!~%s@10.0.%d.%d JOIN :%s\r\n%s 353 %s = %s :%s @ops\r\n"
         "%s 366 %s %s :End of NAMES list\r\n"
         % (u, u, n % 200, n % 250 + 1, ch, IRC_SRV, u, ch, u, IRC_SRV, u, ch),
         None),
        (C, "PRIVMSG %s :benchmark message %d\r\n" % (ch, n), None),
        (C, "QUIT :done\r\n", None),
        (S, "%s NOTICE %s :Connection statistics: client 0.1 kb, server 1.4 kb."
         "\r\nERROR :\"done\"\r\n" % (IRC_SRV, u), None), SFIN]


# NNTP (RFC 3977, RFC 4643), worded as INN 2.7's nnrpd (pcaps/gen-text.py).
NNTP_GREET = ("200 news.example.test InterNetNews NNRP server INN 2.7.1 ready "
              "(posting ok)\r\n")
NNTP_CAPS = ("101 Capability list:\r\nVERSION 2\r\nIMPLEMENTATION INN 2.7.1\r\n"
             "AUTHINFO USER SASL\r\nSASL PLAIN\r\nSTARTTLS\r\nREADER\r\n.\r\n")


def nntp_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    s = [(S, NNTP_GREET, None)]
    if n % 2:
        s += [(C, "CAPABILITIES\r\n", None), (S, NNTP_CAPS, None)]
    s += [(C, "AUTHINFO USER %s\r\n" % u, None), (S, "381 Enter password\r\n", None),
          (C, "AUTHINFO PASS %s\r\n" % pw, (14, 14 + len(pw)))]
    if ok:
        g = "misc.test%d" % (n % 10)
        s += [(S, "281 Authentication succeeded\r\n", None),
              (C, "GROUP %s\r\n" % g, None),
              (S, "211 %d 1 %d %s\r\n" % (n % 900 + 10, n % 900 + 10, g), None),
              (C, "XOVER 1-5\r\n", None),
              (S, "224 Overview information follows\r\n" + "".join(
                  "%d\tbench article %d\tposter%d@example.test\tSun, 22 Nov 2026 "
                  "10:00:00 +0000\t<%d.%d@news.example.test>\t\t%d\t%d\r\n"
                  % (i, i, i, n, i, 1200 + i, 20 + i) for i in range(1, 6)) +
               ".\r\n", None)]
    else:
        s += [(S, "481 Authentication failed\r\n", None)]
    return s + [(C, "QUIT\r\n", None), (S, "205 Bye!\r\n", None)]


# Redis (RESP 2), as redis-server 7 and redis-cli exchange it
# (pcaps/redis-auth-acl.pcap, redis-auth-requirepass.pcap, redis-auth-fail).
def resp(*args):
    return "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a)
                                            for a in args)


def redis_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    cmd = resp("AUTH", u, pw) if "ACL" in mech else resp("AUTH", pw)
    lo = len(cmd) - 2 - len(pw)
    s = [(C, cmd, (lo, lo + len(pw)))]
    if not ok:
        return s + [(S, "-WRONGPASS invalid username-password pair or user is "
                     "disabled.\r\n", None),
                    (C, resp("PING"), None),
                    (S, "-NOAUTH Authentication required.\r\n", None)]
    key = "session:%d" % n
    val = "%032x" % (n * 2654435761 & (1 << 128) - 1)
    return s + [(S, "+OK\r\n", None), (C, resp("GET", key), None),
                (S, "$-1\r\n", None), (C, resp("SET", key, val, "EX", "3600"), None),
                (S, "+OK\r\n", None), (C, resp("INCR", "hits"), None),
                (S, ":%d\r\n" % (n * 3), None)]


# MQTT 3.1.1 and 5.0 CONNECT with user name and password, as mosquitto
# answers (pcaps/mqtt-v311.pcap, mqtt-v5.pcap and their -fail captures).
def mqtt_str(b):
    b = b.encode() if isinstance(b, str) else b
    return struct.pack("!H", len(b)) + b


def mqtt_pkt(first, body):
    n, rl = len(body), b""
    while True:
        d, n = n & 0x7f, n >> 7
        rl += bytes((d | (0x80 if n else 0),))
        if not n:
            return bytes((first,)) + rl + body


def mqtt_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    v5 = n % 3 == 0
    vh = (mqtt_str("MQTT") + bytes((5 if v5 else 4, 0xc2)) +
          struct.pack("!H", 60) + (b"\x03\x21\x00\x14" if v5 else b""))
    conn = mqtt_pkt(0x10, vh + mqtt_str("bench-%05d" % n) + mqtt_str(u) +
                    mqtt_str(pw))
    s = [(C, conn, (len(conn) - len(pw), len(conn)))]
    if not ok:
        # v5: Not authorized (0x87); 3.1.1: 5, not authorized.
        return s + [(S, b" \x03\x00\x87\x00" if v5 else b" \x02\x00\x05", None),
                    SFIN]
    s.append((S, b" \t\x00\x00\x06\"\x00\n!\x00\x14" if v5 else b" \x02\x00\x00",
              None))
    for i in range(1 + n % 3):
        topic = "bench/sensor%d/temp" % (n % 500)
        s.append((C, mqtt_pkt(0x30, mqtt_str(topic) + (b"\x00" if v5 else b"") +
                              b"%d.%d" % (18 + i, n % 10)), None))
    return s + [(C, b"\xe0\x00", None)]


# SOCKS5 (RFC 1928) with username/password (RFC 1929), as dante answers
# (pcaps/socks5-auth.pcap); a plain HTTP request through the tunnel.
def socks_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    auth = (b"\x01" + bytes((len(u),)) + u.encode() + bytes((len(pw),)) +
            pw.encode())
    s = [(C, b"\x05\x02\x00\x02", None), (S, b"\x05\x02", None),
         (C, auth, (len(auth) - len(pw), len(auth)))]
    if not ok:
        return s + [(S, b"\x01\x01", None), SFIN]
    host = b"www%d.example.test" % (n % 100)
    body = "<html><body>bench page %d</body></html>\n" % n
    return s + [
        (S, b"\x01\x00", None),
        (C, b"\x05\x01\x00\x03" + bytes((len(host),)) + host + b"\x00\x50", None),
        (S, b"\x05\x00\x00\x01\xc6\x33\x64" + bytes((n % 250 + 1,)) +
         struct.pack("!H", 32768 + n % 28000), None),
        (C, "GET /page%d.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1"
         "\r\nAccept: */*\r\n\r\n" % (n, host.decode()), None),
        (S, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html"
         "\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body), None)]


# PostgreSQL (protocol 3.0) with password authentication in clear
# (AuthenticationCleartextPassword), as PostgreSQL 15 and psql exchange it
# (pcaps/pgsql-cleartext.pcap, pgsql-fail.pcap).
def pg_msg(t, body):
    return t + struct.pack("!I", 4 + len(body)) + body


PG_PARAMS = [("application_name", "psql"), ("client_encoding", "UTF8"),
             ("DateStyle", "ISO, MDY"), ("default_transaction_read_only", "off"),
             ("in_hot_standby", "off"), ("integer_datetimes", "on"),
             ("IntervalStyle", "postgres"), ("is_superuser", "off"),
             ("server_encoding", "UTF8"),
             ("server_version", "15.18 (Debian 15.18-0+deb12u1)"),
             ("session_authorization", None),
             ("standard_conforming_strings", "on"), ("TimeZone", "Etc/UTC")]


def pg_col(b):
    """A DataRow column: int32 length, bytes."""
    return struct.pack("!I", len(b)) + b


def pgsql_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    db = "app%d" % (n % 20)
    s = []
    if n % 2:   # sslmode=prefer: the server has no TLS, answers 'N'
        s += [(C, b"\x00\x00\x00\x08\x04\xd2\x16\x2f", None), (S, b"N", None)]
    params = b"user\0%s\0database\0%s\0application_name\0psql\0\0" % (
        u.encode(), db.encode())
    s += [(C, struct.pack("!II", 8 + len(params), 0x30000) + params, None),
          (S, pg_msg(b"R", struct.pack("!I", 3)), None),
          (C, pg_msg(b"p", pw.encode() + b"\0"), (5, 5 + len(pw)))]
    if not ok:
        return s + [(S, pg_msg(b"E", b"SFATAL\0VFATAL\0C28P01\0Mpassword "
                               b"authentication failed for user \"%s\"\0"
                               b"Fauth.c\0L334\0Rauth_failed\0\0" % u.encode()),
                     None), SFIN]
    ok_msgs = pg_msg(b"R", struct.pack("!I", 0)) + b"".join(
        pg_msg(b"S", b"%s\0%s\0" % (k.encode(), (v or u).encode()))
        for k, v in PG_PARAMS) + pg_msg(
        b"K", struct.pack("!II", 4000 + n % 60000, n * 2654435761 & 0xFFFFFFFF)) + \
        pg_msg(b"Z", b"I")
    q = b"SELECT count(*) FROM orders WHERE day = current_date"
    res = (pg_msg(b"T", struct.pack("!H", 1) + b"count\0" +
                  struct.pack("!IHIHiH", 0, 0, 20, 8, -1, 0)) +
           pg_msg(b"D", struct.pack("!H", 1) + pg_col(b"%d" % (n % 1000))) +
           pg_msg(b"C", b"SELECT 1\0") + pg_msg(b"Z", b"I"))
    return s + [(S, ok_msgs, None), (C, pg_msg(b"Q", q + b"\0"), None),
                (S, res, None), (C, pg_msg(b"X", b""), None)]


# MySQL / MariaDB (Connection Phase), as MariaDB 10.11 and the mariadb
# client exchange it (pcaps/mysql-native.pcap, mysql-clear-switch.pcap,
# mysql-fail.pcap; layouts as pcaps/gen-db.py).
def my_pkt(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes((seq,)) + payload


def my_native(pw, salt):
    h1 = hashlib.sha1(pw.encode()).digest()
    h2 = hashlib.sha1(salt + hashlib.sha1(h1).digest()).digest()
    return bytes(a ^ b for a, b in zip(h1, h2))


def my_salt(rng):
    return bytes(rng.randrange(0x21, 0x7f) for _ in range(20))


def my_greeting(tid, salt):
    return (b"\x0a5.5.5-10.11.19-MariaDB-0+deb12u1\x00" + struct.pack("<I", tid) +
            salt[:8] + b"\x00\xfe\xf7\x08\x02\x00\xff\x81\x15" + bytes(6) +
            b"\x1d\x00\x00\x00" + salt[8:] + b"\x00mysql_native_password\x00")


def my_attrs(n):
    kv = [("_os", "Linux"), ("_client_name", "libmariadb"),
          ("_pid", str(10000 + n % 50000)), ("_client_version", "3.3.8"),
          ("_platform", "x86_64"), ("program_name", "mysql")]
    b = b"".join(bytes((len(k),)) + k.encode() + bytes((len(v),)) + v.encode()
                 for k, v in kv)
    return bytes((len(b),)) + b


MY_OK = b"\x00\x00\x00\x02\x00\x00\x00"
MY_SELECT = [  # SELECT 1: column count, column definition, EOF, row, EOF
    b"\x01",
    b"\x03def\x00\x00\x00\x011\x00\x0c\x3f\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00",
    b"\xfe\x00\x00\x02\x00", b"\x011", b"\xfe\x00\x00\x02\x00"]


def mysql_script(mech, n, ok, rng):
    u, pw = USER_FMT % n, PW_FMT % n
    salt = my_salt(rng)
    clear = mech == "mysql_clear_password"
    auth = pw.encode() + b"\0" if clear else my_native(pw, salt)
    resp41 = (b"\x84\xa2\xbf\x00\x00\x00\x00\x01\x21" + bytes(19) +
              b"\x1d\x00\x00\x00" + u.encode() + b"\0" + bytes((len(auth),)) +
              auth + mech.encode() + b"\0" + my_attrs(n))
    lo = 4 + 32 + len(u) + 2     # header, fixed part, user NUL, length
    s = [(S, my_pkt(0, my_greeting(100 + n % 100000, salt)), None),
         (C, my_pkt(1, resp41), (lo, lo + (len(pw) if clear else 20)))]
    seq = 2
    if clear:
        # The account uses mysql_native_password: the server switches to it
        # with a new scramble (pcaps/mysql-clear-switch.pcap).
        salt2 = my_salt(rng)
        s += [(S, my_pkt(2, b"\xfemysql_native_password\x00" + salt2 + b"\x00"), None),
              (C, my_pkt(3, my_native(pw, salt2)), None)]
        seq = 4
    if not ok:
        return s + [(S, my_pkt(seq, b"\xff\x15\x04#28000Access denied for user "
                               b"'%s'@'10.0.0.1' (using password: YES)" % u.encode()),
                     None)]
    return s + [(S, my_pkt(seq, MY_OK), None),
                (C, my_pkt(0, b"\x03SELECT 1"), None),
                (S, b"".join(my_pkt(i + 1, p) for i, p in enumerate(MY_SELECT)), None),
                (C, my_pkt(0, b"\x01"), None)]


SCRIPTS = {"ldap": ldap_script, "telnet": telnet_script, "rlogin": rlogin_script,
           "irc": irc_script, "nntp": nntp_script, "redis": redis_script,
           "mqtt": mqtt_script, "socks": socks_script, "postgresql": pgsql_script,
           "mysql": mysql_script}


# SNMP v1/v2c GET requests and responses (RFC 1157, RFC 3416), as net-snmp's
# snmpget and snmpd exchange them (pcaps/snmp-v1-get.pcap, snmp-v2c-get.pcap,
# snmp-v2c-wrong.pcap).
def oid(s):
    a = [int(x) for x in s.split(".")]
    out = bytes((a[0] * 40 + a[1],))
    for v in a[2:]:
        b = bytes((v & 0x7f,))
        v >>= 7
        while v:
            b = bytes((0x80 | v & 0x7f,)) + b
            v >>= 7
        out += b
    return ber(6, out)


SYS = "1.3.6.1.2.1.1."
SNMP_GETS = [
    [SYS + "1.0", SYS + "2.0", SYS + "3.0", SYS + "5.0"],   # descr, id, uptime, name
    ["1.3.6.1.2.1.2.1.0"],                                  # ifNumber
    [SYS + "3.0"],
]


def snmp_value(o, n, k):
    if o == SYS + "1.0":
        return ber(4, (UNAME % ("sw%02d" % (n % 40))).strip().encode())
    if o == SYS + "2.0":
        return oid("1.3.6.1.4.1.8072.3.2.10")
    if o == SYS + "3.0":
        return ber_int(360000 + n * 977 + k * 100, 0x43)
    if o == SYS + "5.0":
        return ber(4, b"sw%02d.example.test" % (n % 40))
    return ber_int(2 + n % 48)


def snmp_msg(ver, comm, pdu, reqid, vbs):
    body = (ber_int(reqid) + ber_int(0) + ber_int(0) +
            ber(0x30, b"".join(ber(0x30, oid(o) + v) for o, v in vbs)))
    return ber(0x30, ber_int(ver) + ber(4, comm) + ber(pdu, body))


def flow_snmp(uf, g, n, mech, ok, variant, truth):
    """One manager polling an agent: one to three GETs, each answered; a
    wrong community: the first GET retried, never answered (the agent drops
    it).  variant retrans: the first GET is sent twice (the first lost)."""
    rng = g.rng
    ver = 0 if mech.startswith("SNMPv1") else 1
    comm = (PW_FMT % n).encode()
    reqid = rng.randrange(1 << 20, 1 << 31)
    for k in range(1 + n % 3):
        oids = SNMP_GETS[k]
        req = snmp_msg(ver, comm, 0xa0, reqid + k, [(o, b"\x05\x00") for o in oids])
        tries = 1 if ok and (k or variant != "retrans") else 2 if ok else 3
        for _ in range(tries):
            yield
            uf.dgram(C, req)
        if not ok:
            break
        yield
        uf.dgram(S, snmp_msg(ver, comm, 0xa2, reqid + k,
                             [(o, snmp_value(o, n, k)) for o in oids]))
    truth["complete"] = True


def decoy_script(g, proto, n):
    """The cleartext part up to the TLS start; the TLS part follows."""
    if proto == "smtp":
        s = [(S, SMTP_GREET % (n % 50), None), (C, EHLO % n, None),
             (S, EHLO_TLS, None), (C, "STARTTLS\r\n", None),
             (S, "220 2.0.0 Ready to start TLS\r\n", None)]
    elif proto == "pop3":
        s = [(S, POP_GREET, None), (C, "CAPA\r\n", None),
             (S, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n"
              "AUTH-RESP-CODE\r\nSTLS\r\nSASL\r\n.\r\n", None),
             (C, "STLS\r\n", None), (S, "+OK Begin TLS negotiation now.\r\n", None)]
    elif proto == "imap":
        s = [(S, IMAP_GREET_TLS, None), (C, "a001 STARTTLS\r\n", None),
             (S, "a001 OK Begin TLS negotiation now.\r\n", None)]
    else:
        s = [(S, FTP_GREET, None), (C, "AUTH TLS\r\n", None),
             (S, "234 Proceed with negotiation.\r\n", None)]
    rng = g.rng
    s += [(C, client_hello(rng, "mail%d.example.test" % (n % 50)), None),
          (S, server_flight(g, n), None),
          (C, b"\x14\x03\x03\x00\x01\x01" + tls_records(g, n, 2), None)]
    for i in range(rng.randint(2, 6)):
        s.append((S, tls_records(g, n + i, rng.randint(1, 3)), None))
        s.append((C, tls_records(g, n + 7 * i, rng.randint(1, 2)), None))
    return s


def flow_script(f, g, script, variant, truth):
    rng = g.rng
    yield from f.open()
    close = "cfin"
    for side, text, secret in script:
        if side is None:
            close = text
            continue
        yield
        if isinstance(text, Keys):
            yield from f.keys(side, text.data, text.echo,
                              variant if secret is not None else "plain")
            continue
        data = text.encode() if isinstance(text, str) else text
        if secret is not None and variant != "plain":
            yield from f.secret(side, data, secret[0], secret[1], variant)
        else:
            f.send(side, data)
            if rng.random() < 0.3:
                f.ack(1 - side)
    truth["complete"] = True
    yield
    if rng.random() < 0.9:
        yield from f.close(close)
    else:
        f.rst()


# --- the run ------------------------------------------------------------------
def endpoint(ip, port):
    return ("[%s]:%d" if ip.version == 6 else "%s:%d") % (ip, port)


class Plan:
    def __init__(self, g, args):
        self.g = g
        self.args = args
        self.nflow = 0
        self.nlogin = 0
        self.truth = []
        self.cport = {}
        self.login_w = [w for *_, w in LOGINS]
        self.decoy_w = [w for *_, w in DECOYS]
        self.first = list(LOGINS)
        g.rng.shuffle(self.first)
        self.counts = {}

    def addrs(self, sport, server_pool, reserved=False):
        rng = self.g.rng
        host = rng.randrange(1, 1 << 16)
        v6 = rng.random() < 0.08
        if v6:
            cip = ipaddress.IPv6Address("2001:db8:1::%x:%x" % (host >> 8, host & 0xff))
            sip = ipaddress.IPv6Address("2001:db8:ff::%x" % (server_pool * 256 +
                                                             rng.randrange(1, 250)))
        else:
            cip = ipaddress.IPv4Address((10 << 24) | (host << 4) | rng.randrange(1, 15))
            base = ("192.0.2.", "198.51.100.", "203.0.113.")[server_pool % 3]
            sip = ipaddress.IPv4Address(base + str(rng.randrange(1, 255)))
        # Ephemeral ports per client, in order (as Linux hands them out);
        # reserved ones (rlogin's rresvport) downwards from 1023.
        k = (cip.packed, sport)
        p = self.cport.get(k)
        if reserved:
            p = 1023 if p is None or p <= 512 else p - 1
        else:
            p = rng.randrange(32768, 60999) if p is None else (
                p + 1 if p < 60999 else 32768)
        self.cport[k] = p
        vlan = 100 + rng.randrange(8) if rng.random() < 0.05 else None
        return cip, sip, p, vlan

    def new(self):
        g, rng = self.g, self.g.rng
        self.nflow += 1
        n = self.nflow
        r = rng.random()
        bulk = self.args.steady == "bulk"
        if bulk:
            # Downloads only (a login ends; a download can go on for
            # ever): TLS and HTTP in the default mix's proportions.
            share = self.args.login_share + self.args.decoy_share
            r = share + r * (1 - share)
        if not bulk and r < self.args.login_share + self.args.decoy_share:
            decoy = r >= self.args.login_share
            self.nlogin += 1
            u = self.nlogin
            if decoy:
                proto, mech, ports, _ = rng.choices(DECOYS, self.decoy_w)[0]
            elif self.first:
                # Every kind once first, so that even a small capture (make
                # bench-smoke) has them all; then by weight.
                proto, mech, ports, _ = self.first.pop()
            else:
                proto, mech, ports, _ = rng.choices(LOGINS, self.login_w)[0]
            sport = rng.choice(ports)
            cip, sip, cport, vlan = self.addrs(sport, 0, proto == "rlogin")
            udp = proto == "snmp"
            f = (UdpFlow if udp else Flow)(g, cip, sip, cport, sport, vlan)
            ok = rng.random() < 0.9
            if decoy:
                script, variant = decoy_script(g, proto, u), "tls"
            elif udp:
                # Datagrams: a request is lost and sent again, or not.
                variant = "plain" if ok and rng.random() < 0.75 else "retrans"
            else:
                script = login_script(proto, mech, u, ok, rng)
                variant = rng.choices(("plain", "split", "ooo", "retrans"),
                                      (60, 15, 15, 10))[0]
            rec = {
                "client_ip": str(cip), "client_port": cport,
                "server_ip": str(sip), "server_port": sport,
                "client": endpoint(cip, cport), "server": endpoint(sip, sport),
                "proto": proto, "transport": "udp" if udp else "tcp",
                "kind": KIND.get((proto, mech), "cleartext_credentials"),
                "mechanism": mech, "n": u,
                "username": USER_FMT % u if decoy else login_user(proto, mech, u),
                "result": "success" if ok else "failure", "decoy": decoy,
                "variant": variant, "ipv6": cip.version == 6, "vlan": vlan,
                "complete": False}
            self.truth.append(rec)
            key = proto + ("-decoy" if decoy else "")
            self.counts[key] = self.counts.get(key, 0) + 1
            if udp:
                return flow_snmp(f, g, u, mech, ok, variant, rec)
            return flow_script(f, g, script, variant, rec)
        if r < 0.62:
            cip, sip, cport, vlan = self.addrs(443, 1)
            self.counts["tls"] = self.counts.get("tls", 0) + 1
            return (flow_tls_bulk if bulk else flow_tls)(
                Flow(g, cip, sip, cport, 443, vlan), g, n)
        cip, sip, cport, vlan = self.addrs(80, 2)
        self.counts["http"] = self.counts.get("http", 0) + 1
        return (flow_http_bulk if bulk else flow_http)(
            Flow(g, cip, sip, cport, 80, vlan), g, n)


def run_bulk(g, plan, conc, size, stop_at_fill):
    """--steady bulk.  The fill: a new connection every other step (as in
    the mix) until CONC were opened, the other steps letting a random one
    of those still in their handshake and first exchange send its next
    packets; one through its first exchange leaves them for the ready list
    (its Bulk).  The fill ends when all CONC are ready.  Then
    every step sends one packet (Bulk.step) on a random ready connection.
    Like the mix, it stops at the first step past SIZE.  Returns
    (fill_packets, fill_bytes), or (None, None) if the fill did not end."""
    rng = g.rng
    pool = []           # opened, still in their first exchange
    ready = []          # established downloads
    opened = 0
    while g.written < size and (opened < conc or pool):
        if opened < conc and (len(pool) < 2 or rng.random() < 0.5):
            pool.append(plan.new())
            opened += 1
            g.flows_max = opened
            i = len(pool) - 1
        else:
            i = int(rng.random() * len(pool))
        try:
            next(pool[i])
        except StopIteration as e:
            ready.append(e.value)
            last = pool.pop()
            if i < len(pool):
                pool[i] = last
    if pool or opened < conc:
        return None, None
    fill = (g.packets, g.written)
    if not stop_at_fill:
        n = len(ready)
        while g.written < size:
            ready[int(rng.random() * n)].step()
    return fill


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", default="1G", help="bytes (k/M/G), default 1G")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--flows-concurrent", type=int, default=None,
                    help="connections open at once (default 20000, fewer "
                         "for small sizes)")
    ap.add_argument("--login-share", type=float, default=0.03)
    ap.add_argument("--decoy-share", type=float, default=0.01)
    ap.add_argument("--no-drain", action="store_true",
                    help="stop at --size with connections still open (the "
                         "capture ends mid-stream; unfinished logins are "
                         "marked \"complete\": false in the truth)")
    ap.add_argument("--steady", choices=("mix", "bulk"), default="mix",
                    help="mix (default): connections come and go, the pool "
                         "kept full; bulk (needs --no-drain): TLS and HTTP "
                         "downloads only, and once the pool holds "
                         "--flows-concurrent connections past their first "
                         "exchange, one packet of bulk data (or its ACK) per "
                         "step on a random one, none ending, none added")
    ap.add_argument("--stop-at-fill", action="store_true",
                    help="end the capture where the fill ends (--size "
                         "still caps it)")
    args = ap.parse_args()
    if args.steady == "bulk" and not args.no_drain:
        ap.error("--steady bulk needs --no-drain (its downloads never end)")
    size = parse_size(args.size)
    conc = args.flows_concurrent
    if conc is None:
        conc = max(20, min(20000, size // 50000))
    t0 = time.time()
    with open(args.out, "wb", buffering=1 << 20) as f:
        g = Gen(args, f)
        plan = Plan(g, args)
        rng = g.rng
        pool = []
        filled = False
        fill_packets = fill_bytes = None
        if args.steady == "bulk":
            fill_packets, fill_bytes = run_bulk(g, plan, conc, size,
                                                args.stop_at_fill)
        # Fill: a new connection every other step until the pool is full;
        # then random steps, new connections replacing finished ones, until
        # the size is reached; then drain (or stop: --no-drain).
        while args.steady == "mix":
            if args.stop_at_fill and filled:
                break
            if not g.draining and g.written >= size:
                g.draining = True
                if args.no_drain:
                    break
            if not g.draining and len(pool) < conc and (
                    filled or len(pool) < 2 or rng.random() < 0.5):
                fl = plan.new()
                pool.append(fl)
                i = len(pool) - 1
            elif not pool:
                break
            else:
                i = int(rng.random() * len(pool))
                fl = pool[i]
            try:
                next(fl)
            except StopIteration:
                last = pool.pop()
                if i < len(pool):
                    pool[i] = last
            if len(pool) > g.flows_max:
                g.flows_max = len(pool)
                if not filled and g.flows_max >= conc:
                    # The pool holds conc connections for the first time:
                    # the fill ends here (the step that opened the last one,
                    # its SYN, is part of it).
                    filled = True
                    fill_packets, fill_bytes = g.packets, g.written
        g.flush()
    with open(args.out + ".truth.jsonl", "w") as t:
        for rec in plan.truth:
            t.write(json.dumps(rec, sort_keys=True) + "\n")
    meta = {"packets": g.packets, "bytes": g.written,
            "fill_packets": fill_packets, "fill_bytes": fill_bytes,
            "flows_max": g.flows_max, "flows_concurrent": conc,
            "connections": plan.nflow, "seed": args.seed, "size": size,
            "no_drain": args.no_drain, "login_share": args.login_share,
            "decoy_share": args.decoy_share, "output_date": OUTPUT_DATE,
            "steady": args.steady, "stop_at_fill": args.stop_at_fill}
    with open(args.out + ".meta.json", "w") as m:
        json.dump(meta, m, indent=1, sort_keys=True)
        m.write("\n")
    dt = time.time() - t0
    print("gen-bench: %s: %d bytes, %d packets, %d connections (%d open at "
          "once at most), %d logins + %d decoys planted, %.1f s"
          % (args.out, g.written, g.packets, plan.nflow, g.flows_max,
             sum(1 for x in plan.truth if not x["decoy"] and x["complete"]),
             sum(1 for x in plan.truth if x["decoy"] and x["complete"]), dt),
          file=sys.stderr)
    if fill_packets is None:
        print("gen-bench: the pool never held %d connections (the fill did "
              "not end)" % conc, file=sys.stderr)
    else:
        print("gen-bench: fill (%s) ended at packet %d, byte %d"
              % ("all %d connections past their first exchange" % conc
                 if args.steady == "bulk" else
                 "the pool first holds %d connections" % conc,
                 fill_packets, fill_bytes), file=sys.stderr)
    print("gen-bench: kinds: %s" % " ".join(
        "%s=%d" % kv for kv in sorted(plan.counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
