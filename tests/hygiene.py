#!/usr/bin/env python3
"""Secret hygiene: every capture, with every output and option, says nothing secret.

  hygiene.py [--bin ./credleak]

Each capture in pcaps/ is run with each option set below (standard output, an
-o file, several workers, masking, stats events, content-only
classification, a small memory cap, a fingerprint key, the ECS format)
and everything written - the JSON stream, the -o file, standard error - is
searched for every test password of tests/secrets.txt, the decoy secrets
planted in the synthetic captures and the fingerprint key, in clear, hex,
base64 (alone and inside a larger blob), SASL PLAIN, HTTP Basic and
URL-encoded forms.
"""
import argparse, glob, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import regress  # noqa: E402  (secret_forms)

ROOT = regress.ROOT
# Decoys planted by pcaps/gen-synthetic.py in message bodies and overlaps.
DECOYS = ["Evil-pass-1234", "not-a-real-pass"]
OPTION_SETS = [
    [],
    ["--mask-usernames"],
    ["--workers", "2", "--stats-interval", "1"],
    ["--no-ndpi", "--memcap", "256k", "--depth", "2k"],
    ["-o", "{out}"],
    # Fingerprints: the key is searched for too, in all its forms.
    ["--secret-key-file", "{key}"],
    ["--format", "ecs", "--secret-key-file", "{key}", "--stats-interval", "1"],
    # Aggregation, posture and the text report (the report names no secret either).
    ["--aggregate-window", "60", "--home-net", "198.51.100.0/24,2001:db8::/32",
     "--local-domains", "example.test", "--stats-interval", "1"],
    ["--no-aggregate"],
    ["--report"],
    ["--report", "--mask-usernames", "-o", "{out}"],
]
# The key of the --secret-key-file sets (synthetic; written mode 0600).
HYGIENE_KEY = "hygiene-test-key-5f3a9c1e7b2d4068"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    o = ap.parse_args()
    with open(os.path.join(ROOT, "tests", "secrets.txt")) as f:
        forms = regress.secret_forms([l.strip() for l in f if l.strip()] + DECOYS +
                                     [HYGIENE_KEY])
    forms.add(HYGIENE_KEY.encode().hex().encode())
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(HYGIENE_KEY)
        for opts in OPTION_SETS:
            bad = []
            for pcap in sorted(glob.glob(os.path.join(ROOT, "pcaps", "*.pcap"))):
                out = os.path.join(tmp, "alerts.json")
                if os.path.exists(out):
                    os.unlink(out)
                args = [a.replace("{out}", out).replace("{key}", key) for a in opts]
                p = subprocess.run([o.bin, *args, "-r", pcap], capture_output=True,
                                   timeout=120)
                written = p.stdout + p.stderr
                if os.path.exists(out):
                    written += open(out, "rb").read()
                if p.returncode != 0:
                    bad.append(f"{os.path.basename(pcap)}: exit {p.returncode}")
                if any(form in written for form in forms):
                    bad.append(f"{os.path.basename(pcap)}: a secret in the output")
            name = " ".join(opts).replace("{out}", "FILE").replace("{key}", "KEY") or "defaults"
            if bad:
                failed += 1
                print(f"FAIL hygiene {name}")
                for b in bad[:10]:
                    print("    " + b)
            else:
                passed += 1
                print(f"ok   hygiene {name}")
    print(f"hygiene: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
