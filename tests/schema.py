#!/usr/bin/env python3
"""Every line credleak writes validates against alerts/credleak.schema.json.

  schema.py [--bin ./credleak]

Checks the golden files of tests/expected/, and every line (findings and
stats events) of a run over every capture in pcaps/ with stats on.
"""
import argparse, glob, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    o = ap.parse_args()
    try:
        import jsonschema
    except ImportError:
        print("SKIP schema: python3-jsonschema not installed (apt-get install python3-jsonschema)")
        print("schema: 0 passed, 0 failed, 1 skipped")
        return 0
    with open(os.path.join(ROOT, "alerts", "credleak.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    passed = failed = 0

    def check(name, lines):
        nonlocal passed, failed
        errs = []
        for i, line in enumerate(lines):
            try:
                obj = json.loads(line)
            except ValueError as e:
                errs.append(f"line {i + 1}: not JSON: {e}")
                continue
            for e in v.iter_errors(obj):
                errs.append(f"line {i + 1}: {'/'.join(map(str, e.path)) or '(top)'}: {e.message}")
        if errs:
            failed += 1
            print(f"FAIL schema {name}")
            for e in errs[:8]:
                print("    " + e)
        else:
            passed += 1
            print(f"ok   schema {name} ({len(lines)} lines)")

    # The schema itself must refuse what a leak or a rename would look like.
    with open(os.path.join(ROOT, "tests", "expected", "smtp-auth-plain.jsonl")) as f:
        good = [json.loads(l) for l in f if '"cleartext_credentials"' in l][0]
    bad = [dict(good, password="x"), dict(good, kind="leak"),
           {k: v for k, v in good.items() if k != "community_id"},
           dict(good, credential=dict(good["credential"], secret="x"))]
    if all(not v.is_valid(b) for b in bad) and v.is_valid(good):
        passed += 1
        print("ok   schema refuses unknown fields, kinds and missing fields")
    else:
        failed += 1
        print("FAIL schema accepts a malformed event")

    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "expected", "*.jsonl"))):
        with open(path) as f:
            check("expected/" + os.path.basename(path), [l for l in f if l.strip()])
    pcaps = sorted(glob.glob(os.path.join(ROOT, "pcaps", "*.pcap")))
    for opts in ([], ["--mask-usernames", "--workers", "2"]):
        lines = []
        for pcap in pcaps:
            p = subprocess.run([o.bin, "-q", "--stats-interval", "1", *opts, "-r", pcap],
                               capture_output=True, timeout=120)
            lines += [l for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
        if not any('"event_type":"stats"' in l for l in lines):
            failed += 1
            print("FAIL schema run: no stats event written")
        check("run " + (" ".join(opts) or "defaults"), lines)
    print(f"schema: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
