#!/usr/bin/env python3
"""--format ecs: every line valid, every mapped field equal to its EVE twin.

  ecs.py [--bin ./credleak]

For every test of tests/TESTLIST, credleak runs twice over the capture with
the test's options and stats on: once with the default names (EVE), once
with --format ecs.  Every ECS line must validate against
alerts/credleak-ecs.schema.json (python3-jsonschema), and the two runs must
be the same events in the same order, field by field through the mapping
(user.name = credential.username, event.outcome = credential.result,
source.port = src_port, ...).  The schema must refuse what a leak or a
mapping mistake would look like, and the syslog output must carry the same
ECS lines as the JSON stream.
"""
import argparse, json, os, socket, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEVERITY = {"info": 0, "low": 21, "medium": 47, "high": 73}

passed = failed = 0


def result(ok, what, errs=()):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   ecs {what}")
    else:
        failed += 1
        print(f"FAIL ecs {what}")
        for e in list(errs)[:8]:
            print("    " + e)


def testlist():
    with open(os.path.join(ROOT, "tests", "TESTLIST")) as f:
        for line in f:
            w = line.split()
            if w and not w[0].startswith("#"):
                yield w[0], w[1], w[2:]


def run(binary, args):
    p = subprocess.run([binary, "-q", *args], capture_output=True, timeout=120)
    return p.returncode, [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]


def get(o, path):
    for k in path.split("."):
        if not isinstance(o, dict) or k not in o:
            return None
        o = o[k]
    return o


# (EVE path, ECS path, how the EVE value becomes the ECS one)
SAME = lambda v: v  # noqa: E731
MAPPING = [
    ("timestamp", "@timestamp", SAME),
    ("kind", "event.action", SAME),
    ("kind", "rule.name", SAME),
    ("severity", "event.severity", SEVERITY.get),
    ("severity", "credleak.severity", SAME),
    ("src_ip", "source.ip", SAME),
    ("src_port", "source.port", SAME),
    ("dest_ip", "destination.ip", SAME),
    ("dest_port", "destination.port", SAME),
    ("proto", "network.transport", str.lower),
    ("app_proto", "network.protocol", SAME),
    ("community_id", "network.community_id", SAME),
    ("flow_id", "credleak.flow_id", SAME),
    ("sensor", "observer.name", SAME),
    ("input", "credleak.input", SAME),
    ("reason", "event.reason", SAME),
    ("credential.username", "user.name", SAME),
    ("credential.result", "event.outcome", SAME),
    ("credential.mechanism", "credleak.mechanism", SAME),
    ("credential.password_seen", "credleak.password_seen", SAME),
    ("credential.secret_fingerprint", "credleak.secret_fingerprint", SAME),
    ("tls.cipher", "tls.cipher", SAME),
    ("tls.starttls_offered", "credleak.starttls_offered", SAME),
    ("tls.starttls_reply", "credleak.starttls_reply", SAME),
    ("mechanisms_offered", "credleak.mechanisms_offered", SAME),
    ("rcpt_accepted", "credleak.rcpt_accepted", SAME),
    ("packets", "credleak.packets", SAME),
    ("alerts", "credleak.alerts", SAME),
]
KIND = {"credleak": "alert", "stats": "metric"}


def compare(eve, ecs):
    """Differences between one EVE event and its ECS form."""
    errs = []
    for ep, cp, f in MAPPING:
        ev, cv = get(eve, ep), get(ecs, cp)
        if ev is None:
            if cv is not None and ep != "severity":
                errs.append(f"{cp} = {cv!r} with no {ep}")
            continue
        if cv != f(ev):
            errs.append(f"{cp} = {cv!r}, want {f(ev)!r} (from {ep})")
    if get(ecs, "event.kind") != KIND.get(eve.get("event_type"), "state"):
        errs.append(f"event.kind {get(ecs, 'event.kind')!r} for {eve.get('event_type')}")
    if eve.get("vlan") and get(ecs, "network.vlan.id") != str(eve["vlan"][0]):
        errs.append("network.vlan.id is not the outer VLAN")
    tv = get(eve, "tls.version")
    if tv and tv.startswith("TLSv") and get(ecs, "tls.version") != tv[4:]:
        errs.append(f"tls.version {get(ecs, 'tls.version')!r} for {tv}")
    if eve.get("kind") in ("cleartext_credentials", "challenge_response_auth") and \
            "authentication" not in (get(ecs, "event.category") or []):
        errs.append("a credential finding outside event.category authentication")
    return errs


def syslog_same_lines(binary, pcap):
    """The ECS lines sent to a UDP syslog collector equal the stream's."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    port = s.getsockname()[1]
    p = subprocess.run([binary, "-q", "--format", "ecs", "--syslog",
                        f"udp://127.0.0.1:{port}", "-r", pcap],
                       capture_output=True, timeout=60)
    lines = [l for l in p.stdout.decode().splitlines() if l.strip()]
    got = []
    try:
        while len(got) < len(lines):
            got.append(s.recv(65536).decode("utf-8", "replace"))
    except socket.timeout:
        pass
    s.close()
    # RFC 5424: the MSG (the JSON line) ends the datagram, after a BOM or not.
    msgs = [g[g.index("{"):].lstrip("\ufeff") for g in got if "{" in g]
    return p.returncode == 0 and len(lines) > 0 and msgs == lines, len(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    o = ap.parse_args()
    try:
        import jsonschema
    except ImportError:
        print("SKIP ecs: python3-jsonschema not installed (apt-get install python3-jsonschema)")
        print("ecs: 0 passed, 0 failed, 1 skipped")
        return 0
    with open(os.path.join(ROOT, "alerts", "credleak-ecs.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)

    nlines = 0
    good = None
    for name, cap, opts in testlist():
        pcap = os.path.join(ROOT, "pcaps", cap)
        args = ["--stats-interval", "1", *opts, "-r", pcap]
        rc1, eve = run(o.bin, args)
        rc2, ecs = run(o.bin, ["--format", "ecs", *args])
        errs = [] if rc1 == rc2 else [f"exit {rc1} (eve) vs {rc2} (ecs)"]
        if len(eve) != len(ecs):
            errs.append(f"{len(eve)} EVE events, {len(ecs)} ECS events")
        for i, e in enumerate(ecs):
            for err in v.iter_errors(e):
                errs.append(f"line {i + 1}: {'/'.join(map(str, err.path)) or '(top)'}: {err.message}")
        for i, (a, b) in enumerate(zip(eve, ecs)):
            if a.get("event_type") == "stats":
                a, b = dict(a), dict(b)	# wall-clock fields differ between runs
                for k in ("timestamp", "memory_bytes", "memory_peak_bytes"):
                    a.pop(k, None)
                    b.get("credleak", {}).pop(k, None)
                b.pop("@timestamp", None)
            errs += [f"event {i + 1}: {e}" for e in compare(a, b)]
            if good is None and a.get("kind") == "cleartext_credentials":
                good = b
        nlines += len(ecs)
        result(not errs, f"{name} ({len(ecs)} lines)", errs)

    # The schema must refuse what a leak or a mapping slip looks like.
    if good is not None:
        bad = [dict(good, password="x"),
               dict(good, credleak=dict(good["credleak"], password="x")),
               dict(good, src_ip="192.0.2.1"),
               {k: w for k, w in good.items() if k != "source"},
               dict(good, event=dict(good["event"], kind="finding")),
               dict(good, event={k: w for k, w in good["event"].items() if k != "outcome"}),
               dict(good, user={"name": "a", "password": "x"})]
        result(v.is_valid(good) and not any(v.is_valid(b) for b in bad),
               "schema refuses secrets, EVE names, missing and unknown fields")
    else:
        result(False, "no cleartext_credentials finding to test the schema with")

    ok, n = syslog_same_lines(o.bin, os.path.join(ROOT, "pcaps", "smtp-auth-plain.pcap"))
    result(ok, f"syslog (UDP) carries the same ECS lines ({n})")
    print(f"ecs: {nlines} lines checked")
    print(f"ecs: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
