#!/bin/sh
# e2e-servers.sh [CREDLEAK] - the live test: real servers, real clients.
#
# Runs every pcaps/make-pcaps*.sh into a temporary directory (make-pcaps.sh
# starts Postfix, Dovecot (POP3 and IMAP), vsftpd and lighttpd on 127.0.0.1
# from a private configuration, drives them with swaks, curl, openssl
# s_client and Python's smtplib/poplib/imaplib/ftplib/http.client, and
# captures each scenario with tcpdump; the others do the same for slapd and
# snmpd (-dir), PostgreSQL and MariaDB (-db), Redis, Mosquitto and Dante
# (-kv), telnetd, rlogind and ngircd (-text)), then runs `CREDLEAK --sensor test -r CAPTURE` (default ./credleak)
# on each fresh capture and checks its JSON lines against pcaps/MANIFEST.jsonl:
#   - every expected finding is present (kind, and credential.mechanism,
#     credential.username, credential.result, credential.anonymous and
#     app_proto where the manifest gives them);
#   - no cleartext_credentials beyond the expected ones;
#   - credleak exits 0 and prints only JSON lines on stdout;
#   - no test password of tests/secrets.txt, nor its base64, SASL PLAIN or
#     HTTP Basic encoding, appears in stdout or stderr.
# Findings of other kinds that the manifest does not list are reported as
# "note" lines, not failures (tests/regress.py is the strict check).
#
# Prints "ok NAME" or "FAIL NAME: why" per capture and ends with
# "N passed, M failed" (", K skipped" when some were).  Exits 1 on any
# failure.  Without root, Postfix, Dovecot, tcpdump (and the clients
# make-pcaps.sh uses) it prints SKIP and "0 passed, 0 failed, 1 skipped" and
# exits 0.  The IMAP, FTP and HTTP scenarios need dovecot-imapd, vsftpd and
# lighttpd: make-pcaps.sh skips those whose server is missing, and each
# skipped scenario is printed here as "SKIP NAME: why" and counted.

cd "$(dirname "$0")/.." || exit 1
BIN=${1:-./credleak}

missing=""
for t in postfix dovecot tcpdump swaks curl openssl ss bash python3; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -d /usr/lib/dovecot ] && [ ! -x /usr/lib/dovecot/pop3-login ]; then
	missing="$missing dovecot-pop3d"
fi
if [ "$(id -u)" != 0 ] || [ -n "$missing" ]; then
	why=""
	[ "$(id -u)" != 0 ] && why=" not root;"
	[ -n "$missing" ] && why="$why missing:$missing"
	echo "SKIP: e2e-servers needs root, postfix, dovecot and tcpdump (and swaks, curl, openssl):$why"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "FAIL e2e-servers: no credleak binary at $BIN (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d /tmp/credleak-e2e.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Every capture script: mail (make-pcaps.sh) and each other group.
for script in pcaps/make-pcaps*.sh; do
	if ! bash "$script" "$tmp/pcaps" >>"$tmp/make.log" 2>&1; then
		echo "FAIL $(basename "$script"): the live servers did not produce the captures"
		# The scripts redact the test passwords from what they print.
		tail -n 40 "$tmp/make.log" | sed 's/^/    /'
		echo "0 passed, 1 failed"
		exit 1
	fi
done

# The scenarios the scripts skipped ("make-pcaps: SKIP NAME: why").
sed -n 's/^make-pcaps: SKIP //p' "$tmp/make.log" >"$tmp/skipped"

python3 - "$BIN" "$tmp/pcaps" pcaps/MANIFEST.jsonl tests/secrets.txt "$tmp/skipped" <<'EOF'
import base64, glob, json, os, subprocess, sys

binary, capdir, manifest_path, secrets_path, skipped_path = sys.argv[1:6]

def secret_forms():
    """Each test password, its base64, and its SASL PLAIN blobs."""
    with open(secrets_path) as f:
        secrets = [l.strip().encode() for l in f if l.strip()]
    forms = set()
    for pw in secrets:
        forms.add(pw)
        forms.add(base64.b64encode(pw))
        for user in (b"alice", b"bob"):
            for authz in (b"", user):
                forms.add(base64.b64encode(authz + b"\0" + user + b"\0" + pw))
            forms.add(base64.b64encode(user + b":" + pw))  # HTTP Basic
        # The password inside a longer base64 text, at each alignment.
        for k, skip in ((0, 0), (1, 2), (2, 3)):
            forms.add(base64.b64encode(b"\0" * k + pw)[skip:-3])
    return [f for f in forms if len(f) >= 6]

manifest = {}
with open(manifest_path) as f:
    for line in f:
        if line.strip():
            m = json.loads(line)
            manifest[m["pcap"]] = m["expect"]
forms = secret_forms()

def matches(alert, want):
    if alert.get("kind") != want["kind"]:
        return False
    if "app_proto" in want and alert.get("app_proto") != want["app_proto"]:
        return False
    cred = alert.get("credential") or {}
    return all(cred.get(k) == want[k]
               for k in ("mechanism", "username", "result", "anonymous")
               if k in want)

passed = failed = skipped = 0
with open(skipped_path) as f:
    for line in f:
        if line.strip():
            skipped += 1
            print("SKIP %s" % line.strip())
captures = sorted(glob.glob(os.path.join(capdir, "*.pcap")))
if not captures:
    print("FAIL make-pcaps: no capture written")
    failed += 1
for path in captures:
    name = os.path.basename(path)[:-len(".pcap")]
    problems, notes = [], []
    expect = manifest.get(name + ".pcap")
    if expect is None:
        problems.append("not listed in pcaps/MANIFEST.jsonl")
        expect = []
    try:
        p = subprocess.run([binary, "--sensor", "test", "-r", path],
                           capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        print("FAIL %s: credleak ran over 60 s" % name)
        failed += 1
        continue
    leaked = any(f in p.stdout or f in p.stderr for f in forms)
    if p.returncode != 0:
        err = p.stderr
        for f in forms:  # this log must not carry a secret either
            err = err.replace(f, b"<test-secret>")
        problems.append("exit %d: %s" % (p.returncode,
                        err.decode(errors="replace").strip()[-200:]))
    if leaked:
        problems.append("a test password (or an encoding of one) is in the output")
    alerts = []
    for line in p.stdout.decode("utf-8", errors="replace").splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            if not leaked:
                problems.append("not a JSON line: %r" % line[:60])
            else:
                problems.append("not a JSON line")
            continue
        if obj.get("event_type", "credleak") == "credleak" and "kind" in obj:
            alerts.append(obj)
    unused = list(alerts)
    for want in expect:
        hit = next((a for a in unused if matches(a, want)), None)
        if hit is None:
            problems.append("missing %s" % json.dumps(want, sort_keys=True))
        elif want["kind"] == "cleartext_credentials":
            unused.remove(hit)
    for a in unused:
        if a.get("kind") == "cleartext_credentials":
            cred = a.get("credential") or {}
            problems.append("unexpected cleartext_credentials %s/%s/%s" % (
                cred.get("mechanism"), cred.get("username"), cred.get("result")))
    kinds = {w["kind"] for w in expect}
    for k in sorted({a.get("kind") for a in alerts} - kinds):
        notes.append("unlisted kind %s" % k)
    if problems:
        failed += 1
        print("FAIL %s: %s" % (name, "; ".join(problems)))
    else:
        passed += 1
        print("ok %s" % name)
    for n in notes:
        print("note %s: %s" % (name, n))
print("%d passed, %d failed%s" % (passed, failed,
      ", %d skipped" % skipped if skipped else ""))
sys.exit(1 if failed else 0)
EOF
