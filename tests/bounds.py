#!/usr/bin/env python3
"""Caps under load: credleak stays bounded and still finds the real login.

  bounds.py [--bin ./credleak]

Each case writes a capture into a temporary folder (built with the packet
builder of pcaps/gen-synthetic.py), runs credleak with small caps, and checks
the login planted among the noise is found, the counters say what was shed,
and the process's peak memory stays under a stated bound.
"""
import argparse, importlib.util, json, os, re, struct, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("gen", os.path.join(ROOT, "pcaps", "gen-synthetic.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
Flow, Pcap, SYN, ACK = gen.Flow, gen.Pcap, gen.SYN, gen.ACK

LOGIN_PW = "Tr0ub4dor-test-1"


def smtp_login(f, user="alice"):
    """A whole SMTP AUTH PLAIN session on flow f."""
    f.handshake()
    f.s(gen.GREETING)
    f.c(gen.EHLO)
    f.s(gen.EHLO_AUTH)
    f.c("AUTH PLAIN " + gen.plain_blob(user, LOGIN_PW) + "\r\n")
    f.s(gen.AUTH_OK)
    f.c("QUIT\r\n")
    f.s(gen.BYE)
    f.close()


def run(binary, pcap, *opts):
    """Exit status, alerts, stderr, and the peak RSS credleak reports (KiB)."""
    p = subprocess.run([binary, "--sensor", "test", "--no-aggregate", *opts, "-r", pcap],
                       capture_output=True, timeout=300)
    alerts = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    err = p.stderr.decode(errors="replace")
    return p.returncode, alerts, err, counter(err, "peak RSS")


def counter(stderr, name):
    m = re.search(name + r" (\d+)", stderr)
    return int(m.group(1)) if m else -1


def creds(alerts, user="alice"):
    return [a for a in alerts if a.get("kind") == "cleartext_credentials"
            and a["credential"].get("username") == user]


def case_many_syn_flows(tmp, binary):
    """20 000 half-open connections through a 1 000-flow table."""
    pc = Pcap()
    for i in range(20000):
        f = Flow(pc, "10.1.%d.%d" % (i // 250, i % 250 + 1), "198.51.100.80",
                 20000 + i % 40000, 80, 1000 + i, 0)
        f.seg(f.C, SYN, gap_us=10)
        if i == 10000:
            smtp_login(Flow(pc, "192.0.2.7", "198.51.100.25", 41000, 587, 5000, 9000))
    path = os.path.join(tmp, "syn.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path, "--max-flows", "1000")
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login among the SYNs was not found")
    if counter(err, "evictions") <= 0:
        problems.append("no eviction counted")
    return problems, rss


def case_endless_line(tmp, binary):
    """A 100 MiB line without a line ending, then a login on another flow."""
    pc = Pcap()
    c, s = bytes([192, 0, 2, 8]), bytes([198, 51, 100, 25])
    seq, sseq = greeted(pc, c, s, 42000, 25, 99, 199)
    chunk = b"A" * 1400
    for _ in range(100 * 1024 * 1024 // 1400):
        pc.clock += 2
        pc.add(frame(c, s, 42000, 25, seq, sseq, ACK, chunk))
        seq += len(chunk)
        pc.add(frame(s, c, 25, 42000, sseq, seq, ACK))
    smtp_login(Flow(pc, "192.0.2.9", "198.51.100.25", 42001, 587, 300, 400))
    path = os.path.join(tmp, "line.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
    os.unlink(path)
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login after the endless line was not found")
    if counter(err, "long-lines") < 1 and counter(err, "depth cuts") < 1:
        problems.append("neither a long line nor a depth cut was counted")
    return problems, rss


def case_depth(tmp, binary):
    """A login after 8 KiB of chatter: found by default, not with --depth 2k."""
    pc = Pcap()
    f = Flow(pc, "192.0.2.10", "198.51.100.110", 43000, 110, 1, 1)
    f.handshake()
    f.s(gen.POP_GREETING)
    for _ in range(400):
        f.c("NOOP\r\n", gap_us=5)
        f.s("+OK\r\n", gap_us=5)
    f.c("USER alice\r\n")
    f.s("+OK\r\n")
    f.c("PASS " + LOGIN_PW + "\r\n")
    f.s("+OK Logged in.\r\n")
    f.close()
    path = os.path.join(tmp, "depth.pcap")
    pc.write(path)
    problems = []
    _, alerts, _, rss = run(binary, path)
    if not creds(alerts):
        problems.append("default depth: login not found")
    _, alerts, err, _ = run(binary, path, "--depth", "2k")
    if creds(alerts):
        problems.append("--depth 2k: the login past the depth was inspected")
    if counter(err, "depth cuts") < 1:
        problems.append("--depth 2k: no depth cut counted")
    return problems, rss


def case_idle_timeout(tmp, binary):
    """A login left waiting: reported (result unknown) when its flow times out."""
    pc = Pcap()
    f = Flow(pc, "192.0.2.11", "198.51.100.25", 44000, 587, 7, 70)
    f.handshake()
    f.s(gen.GREETING)
    f.c(gen.EHLO)
    f.s(gen.EHLO_AUTH)
    f.c("AUTH PLAIN " + gen.plain_blob("alice", LOGIN_PW) + "\r\n")
    f.ack(f.S)
    pc.tick(120 * 1000000)
    g = Flow(pc, "192.0.2.12", "198.51.100.80", 44001, 80, 1, 1)
    g.seg(g.C, SYN)
    path = os.path.join(tmp, "idle.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path, "--timeout", "60")
    problems = []
    c = creds(alerts)
    if len(c) != 1 or c[0]["credential"]["result"] != "unknown":
        problems.append(f"expected one login with result unknown, got {c}")
    if counter(err, "idle timeout") != 1:
        problems.append("the flow did not end by idle timeout")
    return problems, rss


def case_memcap(tmp, binary):
    """300 sessions each holding unacknowledged bytes, under a 1 MiB cap."""
    pc = Pcap()
    flows = []
    for i in range(300):
        f = Flow(pc, "192.0.2.%d" % (20 + i % 200), "198.51.100.25", 45000 + i, 25, i * 1000, 1)
        f.handshake()
        f.s(gen.GREETING)
        f.c(gen.EHLO)
        f.seg(f.S, gen.PSH | ACK, "250-x\r\n" * 100)   # never acknowledged
        flows.append(f)
    smtp_login(Flow(pc, "192.0.2.250", "198.51.100.25", 46000, 587, 1, 2))
    path = os.path.join(tmp, "memcap.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path, "--memcap", "1M")
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login under memory pressure was not found")
    if counter(err, "evictions") <= 0:
        problems.append("no eviction counted under the memory cap")
    m = re.search(r"memory peak (\d+) KiB", err)
    if not m or int(m.group(1)) > 1024 + 64:
        problems.append(f"memory peak over the cap: {m.group(0) if m else '?'}")
    return problems, rss


def frame(src, dst, sport, dport, seq, ack, flags, payload=b"", win=65535):
    """A bare Ethernet/IPv4/TCP frame, checksums zero (credleak does not
    verify them): fast enough for a million packets."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, win, 0, 0)
    return gen.MAC_SERVER + gen.MAC_CLIENT + b"\x08\x00" + ip + tcp + payload


def greeted(pc, c, s, cport, sport, cisn, sisn, win=65535):
    """Handshake and SMTP greeting of a fast-framed flow; returns the next
    client and server sequence numbers."""
    g = gen.GREETING.encode()
    pc.add(frame(c, s, cport, sport, cisn, 0, SYN))
    pc.add(frame(s, c, sport, cport, sisn, cisn + 1, SYN | ACK))
    pc.add(frame(c, s, cport, sport, cisn + 1, sisn + 1, ACK))
    pc.add(frame(s, c, sport, cport, sisn + 1, cisn + 1, gen.PSH | ACK, g, win=win))
    return cisn + 1, sisn + 1 + len(g)


def case_million_syn_flows(tmp, binary):
    """A million SYN-only flows under a 16 MiB cap; a login among them."""
    pc = Pcap()
    dst = bytes([198, 51, 100, 80])
    for i in range(1000000):
        src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        pc.clock += 1
        pc.add(frame(src, dst, 1024 + i % 60000, 80, i * 7, 0, SYN))
        if i == 500000:
            smtp_login(Flow(pc, "192.0.2.7", "198.51.100.25", 41000, 587, 5000, 9000))
    path = os.path.join(tmp, "msyn.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path, "--memcap", "16M")
    os.unlink(path)
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login among a million SYNs was not found")
    if counter(err, "evictions") <= 0:
        problems.append("no eviction counted")
    m = re.search(r"memory peak (\d+) KiB", err)
    if not m or int(m.group(1)) > 16 * 1024:
        problems.append(f"accounted memory over the 16 MiB cap: {m.group(0) if m else '?'}")
    return problems, rss


def case_million_ooo_segments(tmp, binary):
    """A million out-of-order segments in one flow, then a login elsewhere."""
    pc = Pcap()
    c, s = bytes([192, 0, 2, 30]), bytes([198, 51, 100, 25])
    _, sseq = greeted(pc, c, s, 47000, 25, 999, 4999)
    # Segments of 8 bytes, each block of 64 sent back to front, never the first.
    for i in range(1000000):
        blk, k = divmod(i, 64)
        off = 8 + (blk * 64 + (63 - k)) * 8
        pc.clock += 1
        pc.add(frame(c, s, 47000, 25, 1000 + off, sseq, ACK, b"EHLO x\r\n"))
    smtp_login(Flow(pc, "192.0.2.31", "198.51.100.25", 47001, 587, 1, 2))
    path = os.path.join(tmp, "ooo.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
    os.unlink(path)
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login after a million out-of-order segments was not found")
    if counter(err, "window overflows") <= 0 and counter(err, "gaps") <= 0:
        problems.append("neither window overflows nor gaps counted")
    return problems, rss


def case_sequence_wraparound(tmp, binary):
    """A login whose AUTH line straddles the 2^32 sequence wrap, split in two."""
    pc = Pcap()
    f = Flow(pc, "192.0.2.40", "198.51.100.25", 48000, 587, 0xFFFFFF80, 0xFFFFFFF0)
    f.handshake()
    f.s(gen.GREETING)
    f.c(gen.EHLO)
    f.s(gen.EHLO_AUTH)
    line = "AUTH PLAIN " + gen.plain_blob("alice", LOGIN_PW) + "\r\n"
    f.c(line[:20])
    f.c(line[20:])
    f.s(gen.AUTH_OK)
    f.close()
    path = os.path.join(tmp, "wrap.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
    problems = []
    c = creds(alerts)
    if len(c) != 1 or c[0]["credential"]["result"] != "success":
        problems.append(f"expected one successful login across the wrap, got {c}")
    return problems, rss


def case_rst_mid_auth(tmp, binary):
    """RST after the password, before the reply: reported, result unknown."""
    pc = Pcap()
    f = Flow(pc, "192.0.2.41", "198.51.100.25", 48001, 587, 10, 20)
    f.handshake()
    f.s(gen.GREETING)
    f.c(gen.EHLO)
    f.s(gen.EHLO_AUTH)
    f.c("AUTH LOGIN\r\n")
    f.s("334 VXNlcm5hbWU6\r\n")
    f.c(gen.b64("alice") + "\r\n")
    f.s("334 UGFzc3dvcmQ6\r\n")
    f.c(gen.b64(LOGIN_PW) + "\r\n")
    f.seg(f.C, gen.RST | ACK)
    path = os.path.join(tmp, "rst.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
    problems = []
    c = creds(alerts)
    if len(c) != 1 or c[0]["credential"]["result"] != "unknown":
        problems.append(f"expected one login with result unknown, got {c}")
    if counter(err, "RST") != 1:
        problems.append("the flow did not end by RST")
    return problems, rss


def case_overlaps_differing(tmp, binary):
    """200 000 overlapping retransmissions with different bytes in one flow."""
    pc = Pcap()
    c, s = bytes([192, 0, 2, 44]), bytes([198, 51, 100, 25])
    _, sseq = greeted(pc, c, s, 48004, 25, 99, 499)
    for i in range(200000):
        pc.clock += 1
        # Never acknowledged by the server: each copy replaces the last.
        pc.add(frame(c, s, 48004, 25, 100 + (i % 7), sseq, ACK,
                     b"NOOP%06d\r\n" % i))
    smtp_login(Flow(pc, "192.0.2.45", "198.51.100.25", 48005, 587, 1, 2))
    path = os.path.join(tmp, "overlap.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login after the overlaps was not found")
    if counter(err, "overlaps differing") <= 0:
        problems.append("no differing overlap counted")
    return problems, rss


def case_zero_window(tmp, binary):
    """The server closes its window; the client probes it 20 000 times."""
    pc = Pcap()
    c, s = bytes([192, 0, 2, 42]), bytes([198, 51, 100, 25])
    _, sseq = greeted(pc, c, s, 48002, 587, 99, 499, win=0)
    for _ in range(20000):
        pc.clock += 10
        pc.add(frame(c, s, 48002, 587, 100, sseq, ACK, b"E"))
        pc.add(frame(s, c, 587, 48002, sseq, 100, ACK, win=0))
    smtp_login(Flow(pc, "192.0.2.43", "198.51.100.25", 48003, 587, 1, 2))
    path = os.path.join(tmp, "zwin.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login after the zero-window probes was not found")
    return problems, rss


def udp_frame(src, dst, sport, dport, payload):
    """A bare Ethernet/IPv4/UDP frame, checksums zero."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 0, 0x4000, 64, 17, 0, src, dst)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    return gen.MAC_SERVER + gen.MAC_CLIENT + b"\x08\x00" + ip + udp + payload


def snmp_get(community, reqid):
    """An SNMPv2c GetRequest for sysDescr.0 (RFC 3416), BER by hand."""
    def tlv(tag, body):
        return bytes([tag, len(body)]) + body
    vb = tlv(0x30, tlv(0x30, tlv(0x06, bytes([0x2b, 6, 1, 2, 1, 1, 1, 0])) + b"\x05\x00"))
    pdu = tlv(0xa0, tlv(0x02, struct.pack("!I", reqid)) + b"\x02\x01\x00\x02\x01\x00" + vb)
    return tlv(0x30, b"\x02\x01\x01" + tlv(0x04, community) + pdu)


def case_udp_flood(tmp, binary):
    """200 000 SNMP requests from as many ports (UDP flows past the 4096
    cap) and 200 000 datagrams no decoder wants; a login among them."""
    pc = Pcap()
    dst = bytes([198, 51, 100, 161])
    dns = bytes([198, 51, 100, 53])
    for i in range(200000):
        src = bytes([10, 9, (i >> 8) & 255, i & 255])
        pc.clock += 1
        pc.add(udp_frame(src, dst, 1024 + i % 60000, 161, snmp_get(b"public", i)))
        pc.add(udp_frame(src, dns, 1024 + i % 60000, 53, b"\x12\x34\x01\x00" + b"\x00" * 20))
        if i == 100000:
            smtp_login(Flow(pc, "192.0.2.7", "198.51.100.25", 41000, 587, 5000, 9000))
    path = os.path.join(tmp, "udp.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
    os.unlink(path)
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    if not creds(alerts):
        problems.append("the login among the datagrams was not found")
    snmp = [a for a in alerts if a.get("app_proto") == "snmp" and a.get("event_type") == "credleak"]
    if len(snmp) < 1000 or not all(a["credential"].get("well_known_secret") for a in snmp):
        problems.append(f"{len(snmp)} SNMP findings, or a default community not flagged")
    m = re.search(r"(\d+) UDP flows decoded, (\d+) datagrams unclaimed, (\d+) evicted", err)
    if not m or int(m.group(2)) != 200000 or int(m.group(3)) <= 0:
        problems.append(f"UDP counters: {m.group(0) if m else 'missing'}")
    return problems, rss


def case_midstream_churn(tmp, binary):
    """5 000 established connections (no SYN seen) sending data in turn
    through a 1 000-flow table, 40 rounds; two logins from their SYN."""
    pc = Pcap()
    srv = bytes([198, 51, 100, 80])
    seqs = [i * 100000 for i in range(5000)]
    blob = b"x" * 512
    for rnd in range(40):
        for i in range(5000):
            cli = bytes([10, 2, i // 250, i % 250 + 1])
            pc.clock += 1
            pc.add(frame(srv, cli, 80, 30000 + i, seqs[i], 7, ACK, blob))
            seqs[i] += len(blob)
        if rnd in (10, 30):
            smtp_login(Flow(pc, "192.0.2.7", "198.51.100.25", 41000 + rnd, 587,
                            5000, 9000), user="alice" if rnd == 10 else "bob")
    path = os.path.join(tmp, "churn.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path, "--max-flows", "1000")
    os.unlink(path)
    problems = []
    if rc != 0:
        problems.append(f"exit {rc}")
    for user in ("alice", "bob"):
        if not creds(alerts, user):
            problems.append(f"{user}'s login among the busy connections was not found")
    # Pick-ups take only places idle a while: the first 1 000 stay, the
    # other connections' packets are refused, not turned into evictions.
    ev, ref = counter(err, "evictions"), counter(err, "refused")
    if ev < 0 or ev > 10:
        problems.append(f"{ev} evictions: mid-stream pick-ups ended busy flows")
    if ref < 4000 * 40 - 4000:
        problems.append(f"only {ref} packets refused a flow")
    return problems, rss


CASES = [case_many_syn_flows, case_endless_line, case_depth, case_idle_timeout, case_memcap,
         case_million_syn_flows, case_million_ooo_segments, case_sequence_wraparound,
         case_rst_mid_auth, case_overlaps_differing, case_zero_window, case_udp_flood,
         case_midstream_churn]
RSS_LIMIT_KIB = 48 * 1024      # every case, caps included, runs in under 48 MiB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    ap.add_argument("--only", help="run one case by name")
    o = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            if o.only and case.__name__[5:] != o.only:
                continue
            problems, rss = case(tmp, os.path.abspath(o.bin))
            if (rss <= 0 or rss > RSS_LIMIT_KIB) and "asan" not in o.bin:
                problems.append(f"peak RSS {rss} KiB over {RSS_LIMIT_KIB} KiB")
            name = case.__name__[5:]
            if problems:
                failed += 1
                print(f"FAIL bounds {name}")
                for p in problems:
                    print("    " + p)
            else:
                passed += 1
                print(f"ok   bounds {name} (peak RSS {rss} KiB)")
    print(f"bounds: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
