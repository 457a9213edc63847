#!/usr/bin/env python3
"""gen-bench.py - a large, realistic mixed capture for credleak's benchmark.

    gen-bench.py [--size 1G] [--seed 1] [--flows-concurrent 20000] --out FILE

Writes FILE, a classic libpcap capture (Ethernet, microsecond timestamps),
and FILE.truth.jsonl, one line per planted login.  Standard library only;
the same arguments always give the same bytes.

The traffic
  - TCP connections with a full handshake, ended by FIN (most) or RST,
    interleaved: a pool of --flows-concurrent open connections is kept
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
    synthetic password ("Bench-pw-00001-x", never a real one): SMTP AUTH
    PLAIN/LOGIN on 25/587, POP3 USER/PASS and AUTH PLAIN on 110, IMAP LOGIN
    on 143, FTP USER/PASS on 21, HTTP Basic on 80/8080.  The line that
    carries the secret is sent in one segment, split in two or three
    segments, out of order (third piece first, duplicate ACKs), or
    retransmitted (a duplicate before the ACK, or a spurious one after it).
  - decoys: SMTP STARTTLS, POP3 STLS, IMAP STARTTLS and FTP AUTH TLS
    sessions whose login happens inside TLS (random records): the truth
    marks them "decoy": true, and a sensor must report no cleartext
    credentials for them.
  - about 8 % of connections over IPv6, about 5 % 802.1Q VLAN-tagged.

Checksums: IPv4 header and TCP checksums are computed and correct (cheap
here: the one's-complement sum of a byte string is its value modulo 0xffff).

Addresses: clients in 10.0.0.0/8 and 2001:db8:1::/48, servers in the
documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
2001:db8:ff::/48; MACs are locally administered.  Nothing names a real host.

Truth line: {"client_ip", "client_port", "server_ip", "server_port",
"client", "server" ("ip:port", IPv6 as "[ip]:port"), "proto", "mechanism",
"username", "result" (what the server answered), "decoy", "variant",
"ipv6", "vlan"}.
"""

import argparse
import base64
import calendar
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

# Kinds of logins: (proto, mechanism, ports, weight).
LOGINS = [
    ("smtp", "AUTH PLAIN", (587, 25), 3),
    ("smtp", "AUTH LOGIN", (587, 25), 2),
    ("pop3", "USER/PASS", (110,), 2),
    ("pop3", "AUTH PLAIN", (110,), 1),
    ("imap", "LOGIN", (143,), 2),
    ("ftp", "USER/PASS", (21,), 2),
    ("http", "Basic", (80, 8080), 2),
]
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


def login_script(proto, mech, n, ok):
    """[(side, text, secret (lo, hi) or None)]."""
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
    for side, text, secret in script:
        yield
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
        yield from f.close("cfin")
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
        self.counts = {}

    def addrs(self, sport, server_pool):
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
        # Ephemeral ports per client, in order (as Linux hands them out).
        k = (cip.packed, sport)
        p = self.cport.get(k)
        p = rng.randrange(32768, 60999) if p is None else (p + 1 if p < 60999 else 32768)
        self.cport[k] = p
        vlan = 100 + rng.randrange(8) if rng.random() < 0.05 else None
        return cip, sip, p, vlan

    def new(self):
        g, rng = self.g, self.g.rng
        self.nflow += 1
        n = self.nflow
        r = rng.random()
        if r < self.args.login_share + self.args.decoy_share:
            decoy = r >= self.args.login_share
            self.nlogin += 1
            u = self.nlogin
            table = DECOYS if decoy else LOGINS
            proto, mech, ports, _ = rng.choices(
                table, self.decoy_w if decoy else self.login_w)[0]
            sport = rng.choice(ports)
            cip, sip, cport, vlan = self.addrs(sport, 0)
            f = Flow(g, cip, sip, cport, sport, vlan)
            ok = rng.random() < 0.9
            if decoy:
                script, variant = decoy_script(g, proto, u), "tls"
            else:
                script = login_script(proto, mech, u, ok)
                variant = rng.choices(("plain", "split", "ooo", "retrans"),
                                      (60, 15, 15, 10))[0]
            rec = {
                "client_ip": str(cip), "client_port": cport,
                "server_ip": str(sip), "server_port": sport,
                "client": endpoint(cip, cport), "server": endpoint(sip, sport),
                "proto": proto, "mechanism": mech, "username": USER_FMT % u,
                "result": "success" if ok else "failure", "decoy": decoy,
                "variant": variant, "ipv6": cip.version == 6, "vlan": vlan,
                "complete": False}
            self.truth.append(rec)
            key = proto + ("-decoy" if decoy else "")
            self.counts[key] = self.counts.get(key, 0) + 1
            return flow_script(f, g, script, variant, rec)
        if r < 0.62:
            cip, sip, cport, vlan = self.addrs(443, 1)
            self.counts["tls"] = self.counts.get("tls", 0) + 1
            return flow_tls(Flow(g, cip, sip, cport, 443, vlan), g, n)
        cip, sip, cport, vlan = self.addrs(80, 2)
        self.counts["http"] = self.counts.get("http", 0) + 1
        return flow_http(Flow(g, cip, sip, cport, 80, vlan), g, n)


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
    args = ap.parse_args()
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
        # Fill: a new connection every other step until the pool is full;
        # then random steps, new connections replacing finished ones, until
        # the size is reached; then drain (or stop: --no-drain).
        while True:
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
                filled = filled or g.flows_max >= conc
        g.flush()
    with open(args.out + ".truth.jsonl", "w") as t:
        for rec in plan.truth:
            t.write(json.dumps(rec, sort_keys=True) + "\n")
    dt = time.time() - t0
    print("gen-bench: %s: %d bytes, %d packets, %d connections (%d open at "
          "once at most), %d logins + %d decoys planted, %.1f s"
          % (args.out, g.written, g.packets, plan.nflow, g.flows_max,
             sum(1 for x in plan.truth if not x["decoy"] and x["complete"]),
             sum(1 for x in plan.truth if x["decoy"] and x["complete"]), dt),
          file=sys.stderr)
    print("gen-bench: kinds: %s" % " ".join(
        "%s=%d" % kv for kv in sorted(plan.counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
