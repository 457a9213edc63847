#!/usr/bin/env python3
"""Offline workers give the same findings as one; several files as one by one.

  workers.py [--bin ./credleak]

A generated mixed capture (bench/gen-bench.py, 8 MiB, hundreds of flows with
planted logins) and every capture of pcaps/ in one run are read with
--workers 1 and with --workers 3; the findings must be the same, flow ids
aside (they are numbered per worker).
"""
import argparse, glob, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def findings(binary, workers, files):
    # Per-session findings: summaries and posture span files by design.
    p = subprocess.run([binary, "-q", "--no-aggregate", "--workers", str(workers), "-r", *files],
                       capture_output=True, timeout=300)
    out = []
    for line in p.stdout.decode().splitlines():
        a = json.loads(line)
        if a.get("event_type") != "credleak":
            continue
        a.pop("flow_id", None)
        out.append(json.dumps(a, sort_keys=True))
    return p.returncode, sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    o = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "mixed.pcap")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen-bench.py"),
                        "--size", "8M", "--seed", "3", "--out", cap],
                       check=True, capture_output=True, timeout=300)
        for name, files in (("generated", [cap]),
                            ("pcaps", sorted(glob.glob(os.path.join(ROOT, "pcaps", "*.pcap"))))):
            rc1, one = findings(o.bin, 1, files)
            rc3, three = findings(o.bin, 3, files)
            if rc1 == rc3 == 0 and one == three and one:
                passed += 1
                print(f"ok   workers {name}: {len(one)} findings alike with 1 and 3 workers")
            else:
                failed += 1
                print(f"FAIL workers {name}: exit {rc1}/{rc3}, {len(one)} vs {len(three)} findings")
                for d in sorted(set(one) ^ set(three))[:5]:
                    print("    " + d[:200])
    # Several files in one run (the README's main job) find what the files
    # find one by one, even though their clocks differ.
    files = sorted(glob.glob(os.path.join(ROOT, "pcaps", "*.pcap")))
    _, together = findings(o.bin, 1, files)
    apart = sorted(x for f in files for x in findings(o.bin, 1, [f])[1])
    if together == apart:
        passed += 1
        print(f"ok   workers several-files: {len(apart)} findings in one run as in {len(files)}")
    else:
        failed += 1
        print(f"FAIL workers several-files: {len(together)} findings in one run, {len(apart)} apart")
    print(f"workers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
