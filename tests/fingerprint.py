#!/usr/bin/env python3
"""Keyed secret fingerprints (--secret-key-file), end to end.

  fingerprint.py [--bin ./credleak]

Over pcaps/fingerprint-reuse.pcap (alice on POP3 server A and bob on IMAP
server B with one password, carol on server A with another), with two keys:
the two logins with one password share a fingerprint under one key, the
third differs, and the keys give different fingerprints; each fingerprint
equals an HMAC-SHA-256 computed here (Python's hmac module) over the known
test password, cut to 128 bits.  Without a key there is no fingerprint.
The key, in clear, hex or base64, appears nowhere in what credleak writes.
Keys that can be read by every user, or are too short, are refused without
being quoted.  Every decoder that passes a password (SMTP, POP3, IMAP, FTP,
HTTP Basic) gives the fingerprint of one of tests/secrets.txt's passwords.
"""
import argparse, base64, hashlib, hmac, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PCAP = os.path.join(ROOT, "pcaps", "fingerprint-reuse.pcap")
ALICE_PW = b"Tr0ub4dor-test-1"
BOB_PW = b"correct-horse-test-2"
PREFIX = "hmac-sha256-128:"
# One capture per decoder and mechanism that carries a password.
DECODER_PCAPS = ["smtp-auth-plain", "smtp-auth-login", "pop3-user-pass",
                 "pop3-auth-plain", "imap-login", "imap-authenticate-plain",
                 "imap-literal-split", "ftp-login", "http-basic"]

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   fingerprint {what}")
    else:
        failed += 1
        print(f"FAIL fingerprint {what}")


def expect(key, pw):
    return PREFIX + hmac.new(key, pw, hashlib.sha256).hexdigest()[:32]


def write_key(path, data, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with open(fd, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def run(binary, args, pcap=PCAP):
    p = subprocess.run([binary, *args, "-r", pcap], capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def creds(out):
    """username -> fingerprint (None when absent) of every credential finding."""
    got = {}
    for line in out.decode().splitlines():
        e = json.loads(line)
        c = e.get("credential")
        if c is not None:
            got[c.get("username")] = c.get("secret_fingerprint")
    return got


def key_forms(key):
    return [key, key.hex().encode(), key.hex().upper().encode(),
            base64.b64encode(key), base64.b64encode(key).rstrip(b"=")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    o = ap.parse_args()
    # Fixed keys: a failure reproduces.  Not secrets; test keys only.
    k1 = hashlib.sha256(b"credleak fingerprint test key 1").digest()
    k2 = hashlib.sha256(b"credleak fingerprint test key 2").digest()
    with open(os.path.join(ROOT, "tests", "secrets.txt"), "rb") as f:
        secrets = [l.strip() for l in f if l.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        p1, p2 = os.path.join(tmp, "k1"), os.path.join(tmp, "k2")
        write_key(p1, k1)
        write_key(p2, k2)
        rc1, out1, err1 = run(o.bin, ["-q", "--secret-key-file", p1])
        rc2, out2, err2 = run(o.bin, ["-q", "--secret-key-file", p2])
        rc0, out0, _ = run(o.bin, ["-q"])
        check(rc1 == 0 and rc2 == 0 and rc0 == 0, "runs exit 0")
        a, b = creds(out1), creds(out2)
        check(set(a) == {"alice", "bob", "carol"},
              f"three logins found ({sorted(a)})")
        check(a.get("alice") is not None and a.get("alice") == a.get("bob"),
              "one password, two users, two servers: one fingerprint")
        check(a.get("carol") is not None and a.get("carol") != a.get("alice"),
              "another password: another fingerprint")
        check(b.get("alice") == b.get("bob") and b.get("alice") != a.get("alice"),
              "another key: other fingerprints, still equal to each other")
        check(a.get("alice") == expect(k1, ALICE_PW) and
              a.get("carol") == expect(k1, BOB_PW) and
              b.get("alice") == expect(k2, ALICE_PW),
              "equals HMAC-SHA-256(key, password)[:16] computed in Python")
        check(b"secret_fingerprint" not in out0 and all(
              v is None for v in creds(out0).values()), "no key: no fingerprint")
        written = out1 + err1 + out2 + err2
        check(not any(f in written for k in (k1, k2) for f in key_forms(k)),
              "the key appears nowhere in the output (clear, hex, base64)")
        check(not any(s in written for s in secrets),
              "no password in the output")

        # The ECS form carries the same value.
        rc, oute, _ = run(o.bin, ["-q", "--format", "ecs", "--secret-key-file", p1])
        fps = {json.loads(l).get("user", {}).get("name"):
               json.loads(l).get("credleak", {}).get("secret_fingerprint")
               for l in oute.decode().splitlines()}
        check(rc == 0 and fps.get("alice") == a.get("alice") and
              fps.get("carol") == a.get("carol"),
              "--format ecs: credleak.secret_fingerprint, same values")

        # Every decoder that passes a password: a fingerprint of a known one.
        known = {expect(k1, s) for s in secrets}
        bad = []
        for name in DECODER_PCAPS:
            rc, out, _ = run(o.bin, ["-q", "--secret-key-file", p1],
                             os.path.join(ROOT, "pcaps", name + ".pcap"))
            fp = [v for v in creds(out).values() if v is not None]
            if rc != 0 or not fp or not set(fp) <= known:
                bad.append(name)
        check(not bad, "SMTP, POP3, IMAP, FTP, HTTP Basic: fingerprints of "
              "the test passwords" + (f" (wrong: {bad})" if bad else ""))

        # Key files that must be refused, and never quoted when they are.
        weak = os.path.join(tmp, "weak")
        write_key(weak, k1, 0o644)
        rc, out, err = run(o.bin, ["-q", "--secret-key-file", weak])
        check(rc == 1 and out == b"" and b"every user" in err and
              not any(f in err for f in key_forms(k1)),
              "a world-readable key file is refused")
        short = os.path.join(tmp, "short")
        write_key(short, k1[:15])
        rc, out, err = run(o.bin, ["-q", "--secret-key-file", short])
        check(rc == 1 and out == b"" and b"at least 16" in err and
              not any(f in err for f in key_forms(k1[:15])),
              "a key of 15 bytes is refused")
        rc, out, err = run(o.bin, ["-q", "--secret-key-file",
                                   os.path.join(tmp, "missing")])
        check(rc == 1 and out == b"", "a missing key file is refused")
    print(f"fingerprint: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
