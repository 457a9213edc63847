#!/usr/bin/env python3
"""Caps under load: credleak stays bounded and still finds the real login.

  bounds.py [--bin ./credleak]

Each case writes a capture into a temporary folder (built with the packet
builder of pcaps/gen-synthetic.py), runs credleak with small caps, and checks
the login planted among the noise is found, the counters say what was shed,
and the process's peak memory stays under a stated bound.
"""
import argparse, importlib.util, json, os, re, subprocess, sys, tempfile

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
    p = subprocess.run([binary, "--sensor", "test", *opts, "-r", pcap],
                       capture_output=True, timeout=300)
    alerts = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    err = p.stderr.decode(errors="replace")
    return p.returncode, alerts, err, counter(err, "peak RSS")


def counter(stderr, name):
    m = re.search(name + r" (\d+)", stderr)
    return int(m.group(1)) if m else -1


def creds(alerts, user="alice"):
    return [a for a in alerts if a["kind"] == "cleartext_credentials"
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
    """A 20 MiB line without a line ending, then a login on another flow."""
    pc = Pcap()
    f = Flow(pc, "192.0.2.8", "198.51.100.25", 42000, 25, 100, 200)
    f.handshake()
    f.s(gen.GREETING)
    chunk = "A" * 1400
    for _ in range(20 * 1024 * 1024 // 1400):
        f.c(chunk, gap_us=5)
        f.ack(f.S, gap_us=1)
    smtp_login(Flow(pc, "192.0.2.9", "198.51.100.25", 42001, 587, 300, 400))
    path = os.path.join(tmp, "line.pcap")
    pc.write(path)
    rc, alerts, err, rss = run(binary, path)
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


CASES = [case_many_syn_flows, case_endless_line, case_depth, case_idle_timeout, case_memcap]
RSS_LIMIT_KIB = 32 * 1024      # every case runs in under 32 MiB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    o = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
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
