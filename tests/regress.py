#!/usr/bin/env python3
"""Pcap regression tests for credleak.

  regress.py [--bin ./credleak] [--update] [--only NAME]

Each line of tests/TESTLIST names a test, a capture in pcaps/ and extra
options.  For each, credleak runs over the capture and its JSON lines are
compared field by field with tests/expected/NAME.jsonl (--update rewrites
those files from the current output; review the diff before committing).
Independently of the golden files, every finding that pcaps/MANIFEST.jsonl
(written by hand from what each scenario did) lists must be present, and no
cleartext_credentials beyond them.  Finally, the whole output, JSON and
stderr, is searched for every test password of tests/secrets.txt and its
encodings: none may appear.
"""
import argparse, base64, json, os, subprocess, sys, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USERS = ["alice", "bob", "carol", "dave", "mallory", "test", "user"]


def secret_forms(secrets):
    """Every printable form of every test password that must never leak."""
    forms = set()
    for s in secrets:
        b = s.encode()
        forms.add(b)
        forms.add(base64.b64encode(b))
        forms.add(urllib.parse.quote(s, safe="").encode())
        forms.add(urllib.parse.quote_plus(s).encode())
        for u in USERS:
            for authz in (b"", u.encode()):
                forms.add(base64.b64encode(authz + b"\0" + u.encode() + b"\0" + b))
            forms.add(base64.b64encode(u.encode() + b":" + b))
        # The password inside any larger base64 blob, at each of the three
        # alignments: the characters that depend on its bytes alone.
        for k, skip in ((0, 0), (1, 2), (2, 3)):
            inner = base64.b64encode(b"\0" * k + b)[skip:-3]
            forms.add(inner)
    return {f for f in forms if len(f) >= 6}


def load_jsonl(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out


def diff(a, b, path=""):
    """Field-by-field differences between two JSON values."""
    if isinstance(a, dict) and isinstance(b, dict):
        d = []
        for k in sorted(set(a) | set(b)):
            if k not in a:
                d.append(f"{path}{k}: missing (want {b[k]!r})")
            elif k not in b:
                d.append(f"{path}{k}: unexpected {a[k]!r}")
            else:
                d += diff(a[k], b[k], f"{path}{k}.")
        return d
    if a != b:
        return [f"{path.rstrip('.')}: got {a!r}, want {b!r}"]
    return []


def manifest_check(alerts, expect, masked=False):
    """Every manifest expectation met; no credential alert beyond them."""
    problems = []
    # Findings only: posture events and aggregation summaries repeat them.
    alerts = [a for a in alerts if a.get("event_type") == "credleak" and "aggregate" not in a]
    for e in expect:
        def ok(a):
            if a.get("kind") != e["kind"]:
                return False
            cred = a.get("credential") or {}
            for k in ("mechanism", "result", "anonymous") if masked else \
                    ("mechanism", "username", "result", "anonymous"):
                if k in e and cred.get(k) != e[k]:
                    return False
            if "app_proto" in e and a.get("app_proto") != e["app_proto"]:
                return False
            return True
        if not any(ok(a) for a in alerts):
            problems.append(f"manifest: missing {e}")
    want_creds = sum(1 for e in expect if e["kind"] == "cleartext_credentials")
    got_creds = sum(1 for a in alerts if a.get("kind") == "cleartext_credentials")
    if got_creds > want_creds:
        problems.append(f"manifest: {got_creds} cleartext_credentials, expected {want_creds}")
    kinds = {e["kind"] for e in expect}
    for a in alerts:
        if a.get("kind") not in kinds:
            problems.append(f"manifest: unexpected {a.get('kind')}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--only")
    o = ap.parse_args()

    with open(os.path.join(ROOT, "tests", "secrets.txt")) as f:
        forms = secret_forms([l.strip() for l in f if l.strip()])
    manifest = {}
    mpath = os.path.join(ROOT, "pcaps", "MANIFEST.jsonl")
    if os.path.exists(mpath):
        for m in load_jsonl(mpath):
            manifest[m["pcap"]] = m["expect"]

    passed = failed = 0
    with open(os.path.join(ROOT, "tests", "TESTLIST")) as f:
        tests = [l.split() for l in f if l.strip() and not l.startswith("#")]
    for t in tests:
        name, pcap, opts = t[0], t[1], t[2:]
        if o.only and name != o.only:
            continue
        cmd = [o.bin, "--sensor", "test", *opts, "-r", os.path.join("pcaps", pcap)]
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120)
        problems = []
        if p.returncode != 0:
            problems.append(f"exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
        for form in forms:
            if form in p.stdout or form in p.stderr:
                problems.append("a test password (or an encoding of one) appears in the output")
                break
        alerts = []
        for line in p.stdout.decode("utf-8").splitlines():
            try:
                alerts.append(json.loads(line))
            except ValueError:
                problems.append(f"not a JSON line: {line[:80]!r}")
        exp_path = os.path.join(ROOT, "tests", "expected", name + ".jsonl")
        if o.update and not problems:
            with open(exp_path, "w") as f:
                for a in alerts:
                    f.write(json.dumps(a, sort_keys=True) + "\n")
        if not os.path.exists(exp_path):
            problems.append(f"no expected file {os.path.relpath(exp_path, ROOT)}")
        else:
            want = load_jsonl(exp_path)
            if len(want) != len(alerts):
                problems.append(f"{len(alerts)} alerts, expected {len(want)}: "
                                f"{[a.get('kind') for a in alerts]}")
            for i, (a, w) in enumerate(zip(alerts, want)):
                problems += [f"alert {i} ({w.get('kind')}): {d}" for d in diff(a, w)]
        if pcap in manifest:
            problems += manifest_check(alerts, manifest[pcap], "--mask-usernames" in opts)
        if problems:
            failed += 1
            print(f"FAIL regress {name}")
            for pr in problems[:20]:
                print("    " + pr)
        else:
            passed += 1
            print(f"ok   regress {name} ({len(alerts)} alerts)")
    print(f"regress: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
