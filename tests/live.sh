#!/bin/bash
# live.sh [CREDLEAK] - the live-capture test: credleak -i on a veth pair
# between two network namespaces, real servers on one side, real clients on
# the other.  Needs root and `ip netns`; prints
#   "SKIP: live tests need root and network namespaces (ip netns)"
#   "live: 0 passed, 0 failed, 1 skipped"
# and exits 0 without them.
#
# Set-up (all of it private to this run, removed on exit):
#   - network namespaces cl-srv-PID and cl-cli-PID joined by one veth pair,
#     veth-srv 198.18.0.1/30 and veth-cli 198.18.0.2/30 (198.18.0.0/15 is
#     the RFC 2544 benchmark range).  No interface is added to, and no
#     packet leaves through, the namespace this script runs in.  IPv6 is
#     turned off on both ends, so the link carries only what the test sends
#     (no neighbour discovery or router solicitations to upset the counts),
#     and so are GRO/LRO/TSO/GSO (ethtool), as the README asks of a sensor.
#   - in cl-srv: Dovecot (POP3 110, IMAP 143, no TLS, cleartext logins
#     allowed, passwd-file user alice with the first password of
#     tests/secrets.txt) and, when Postfix is installed, a private Postfix
#     instance (postfix -c DIR) with submission on 587 authenticating
#     through Dovecot's SASL socket, every transport discard(8).  Configs,
#     sockets, queues and logs live in one mktemp directory, as
#     pcaps/make-pcaps.sh does on loopback.
#   - clients: Python's poplib, imaplib and smtplib run in cl-cli.
#
# The checks (each prints "ok live NAME" or "FAIL live NAME: why"):
#   1. credleak -i veth-srv --allow-root --workers 2 --stats-interval 2
#      --timeout 5 -o FILE: POP3 USER/PASS (one good, one wrong password),
#      IMAP LOGIN, SMTP AUTH PLAIN and AUTH LOGIN, and one IMAP session
#      that logs in and then stays open.  That session's finding must be in
#      FILE while credleak still runs; a stats event must show it active
#      and a later one flows_active 0 (ended by the idle timeout).  Then
#      SIGTERM: exit 0, every expected cleartext_credentials (mechanism,
#      username, result, app_proto, client port) in FILE, no test password
#      (nor its base64, SASL PLAIN or Basic forms) in FILE or on stderr, a
#      final stats event with kernel counters for both workers, and the
#      summary's "idle timeout N" with N >= 1.
#      Also: without -u or --allow-root credleak refuses to run as root;
#      with -u nobody it runs with nobody's uid and no capabilities.
#   2. SIGHUP: a loop of logins while credleak writes to FILE; half-way
#      `mv FILE FILE.1; kill -HUP`; every line of both files is JSON and
#      the findings in both together are exactly the logins made.
#   3. replay (needs tcpreplay): bench/gen-bench.py --size 64M --seed 1,
#      replayed from cl-cli with tcpreplay --topspeed onto the veth, to
#      credleak --workers 2.  The counters must add up: libpcap's
#      "received" on Linux counts every packet that passed the filter, those
#      then dropped for want of ring space included, so sent = received +
#      what the veth itself dropped before the capture (its tx_dropped, the
#      kernel's backlog; normally 0) and received - dropped = the packets
#      the workers parsed.  On a run without loss, every planted login of a
#      protocol credleak decodes must be reported (bench/run-bench.py's
#      recall(): by client, server and username), no decoy, no password.
#      Then the highest replay rate (tcpreplay --mbps) without loss, for
#      --workers 1 and 2 with the default ring (topspeed, then bisection,
#      two clean runs per rate), and topspeed with --buffer-size 64M;
#      printed as "rate live: ..." lines, every trial as a note.
#   4. the interface is deleted under credleak and created again: credleak
#      reports it, reopens it, finds the next login, and its kernel
#      counters still count the packets seen before.
#
# Last line: "live: N passed, M failed" (", K skipped").  Exit 1 on any
# failure.  Every wait is bounded; the run takes one to two minutes.
# KEEP_WORK=1 leaves the temporary directory (configs, logs, outputs);
# LIVE_REPLAY=0 skips part 3 (the replay and the rate search).
# New test dependencies: iproute2 (ip netns), dovecot-imapd, tcpreplay,
# ethtool.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
BIN=${1:-./credleak}
case $BIN in /*) ;; *) BIN="$ROOT/$BIN" ;; esac

pass=0 failn=0 skipn=0
ok() { echo "ok live $1"; pass=$((pass + 1)); }
fail() { echo "FAIL live $1: $2"; failn=$((failn + 1)); }
skip() { echo "SKIP live $1: $2"; skipn=$((skipn + 1)); }
note() { echo "note live: $*"; }
finish() {
	if [ "$skipn" -gt 0 ]; then
		echo "live: $pass passed, $failn failed, $skipn skipped"
	else
		echo "live: $pass passed, $failn failed"
	fi
	[ "$failn" -eq 0 ]
	exit
}

SRV=cl-srv-$$
CLI=cl-cli-$$
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 ||
    ! ip netns add "$SRV" 2>/dev/null; then
	echo "SKIP: live tests need root and network namespaces (ip netns)"
	echo "live: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
NETNS_MADE="$SRV"

if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
TMP=$(mktemp -d /tmp/credleak-live.XXXXXX) || exit 1
# Dovecot's login processes and smtpd run as other users.
chmod 755 "$TMP"

CL_PIDS=""		# credleak runs
CLIENT_PIDS=""		# background clients
DOVECOT_PID=""
POSTFIX_PID=""

# forget PID: reaped, so no longer ours to signal (its number may be reused).
forget() {
	local p a="" b=""
	for p in $CL_PIDS; do [ "$p" = "$1" ] || a="$a $p"; done
	for p in $CLIENT_PIDS; do [ "$p" = "$1" ] || b="$b $p"; done
	CL_PIDS=$a CLIENT_PIDS=$b
}
# Kill PID (TERM, then KILL after 3 s); reap it when it is our child.
stop_pid() {
	local pid=$1 _
	if kill -TERM "$pid" 2>/dev/null; then
		for _ in $(seq 30); do
			exited "$pid" && break
			sleep 0.1
		done
		exited "$pid" || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	forget "$pid"
	return 0
}
# exited PID: gone, or a zombie waiting for `wait`.
exited() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}

cleanup() {
	local pid ns
	set +e
	for pid in $CLIENT_PIDS $CL_PIDS; do stop_pid "$pid"; done
	if [ -z "$POSTFIX_PID" ] && [ -s "$TMP/postfix/spool/pid/master.pid" ]; then
		POSTFIX_PID=$(tr -d ' ' <"$TMP/postfix/spool/pid/master.pid")
	fi
	# The Postfix master stops its children on TERM ("postfix stop").  It
	# is not our child: make sure the number is still its.
	if [ -n "$POSTFIX_PID" ] && [ "$(cat "/proc/$POSTFIX_PID/comm" 2>/dev/null)" = master ]; then
		stop_pid "$POSTFIX_PID"
	fi
	[ -n "$DOVECOT_PID" ] && stop_pid "$DOVECOT_PID"
	# Anything still inside the two namespaces was started by this run.
	for ns in $NETNS_MADE; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for ns in $NETNS_MADE; do ip netns del "$ns" 2>/dev/null; done
	if [ -n "${KEEP_WORK:-}" ]; then
		echo "note live: KEEP_WORK set: left $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ ! -x "$BIN" ]; then
	fail build "no credleak binary at $BIN (run make first)"
	finish
fi

# --- the helpers (Python, standard library only) --------------------------
# Clients: run inside cl-cli, connect to 198.18.0.1 only.
cat >"$TMP/client.py" <<'EOF'
import imaplib, json, poplib, smtplib, sys, time

HOST = "198.18.0.1"


def pw(secrets, i):
    with open(secrets) as f:
        return [l.strip() for l in f if l.strip()][i]


def rec(proto, mech, user, result, sock, **kw):
    d = {"app_proto": proto, "mechanism": mech, "username": user,
         "result": result, "src_port": sock.getsockname()[1], "t": time.time()}
    d.update(kw)
    print(json.dumps(d), flush=True)


def pop3(password, good=True):
    p = poplib.POP3(HOST, 110, timeout=5)
    p.user("alice")
    try:
        p.pass_(password)
        res = "success"
    except poplib.error_proto:
        res = "failure"
    rec("pop3", "USER/PASS", "alice", res, p.sock)
    p.quit()
    return res == ("success" if good else "failure")


def imap(password):
    i = imaplib.IMAP4(HOST, 143, timeout=5)
    i.login("alice", password)
    rec("imap", "LOGIN", "alice", "success", i.sock)
    i.logout()
    return True


def smtp(password, mech):
    s = smtplib.SMTP(HOST, 587, local_hostname="client.example.test", timeout=5)
    s.ehlo()
    # Only the mechanism this case is about (login() still picks it).
    s.esmtp_features["auth"] = mech
    s.login("alice", password)
    rec("smtp", "AUTH " + mech, "alice", "success", s.sock)
    s.quit()
    return True


def main():
    mode, secrets = sys.argv[1], sys.argv[2]
    good, wrong = pw(secrets, 0), pw(secrets, 2)
    if mode == "basic":
        with_smtp = sys.argv[3] == "yes"
        okay = pop3(good) and pop3(wrong, good=False) and imap(good)
        if with_smtp:
            okay = okay and smtp(good, "PLAIN") and smtp(good, "LOGIN")
        return 0 if okay else 1
    if mode == "idle":
        # Log in, say so, then hold the connection open without a word.
        i = imaplib.IMAP4(HOST, 143, timeout=5)
        i.login("alice", good)
        rec("imap", "LOGIN", "alice", "success", i.sock, idle=True)
        time.sleep(3600)
        return 0
    if mode == "loop":
        n, progress = int(sys.argv[3]), sys.argv[4]
        for k in range(n):
            if k % 2 == 0:
                pop3(good)
            else:
                imap(good)
            with open(progress + ".tmp", "w") as f:
                f.write("%d\n" % (k + 1))
            import os
            os.replace(progress + ".tmp", progress)
            time.sleep(0.05)
        return 0
    return 2


sys.exit(main())
EOF

# Checks over credleak's output.
cat >"$TMP/check.py" <<'EOF'
import base64, calendar, importlib.util, json, os, sys


def lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def events(paths):
    out, bad = [], 0
    for p in paths:
        for l in lines(p):
            try:
                out.append(json.loads(l))
            except ValueError:
                bad += 1
    return out, bad


def ts(s):
    # 2026-11-22T16:51:03.768386Z
    day, rest = s.rstrip("Z").split("T")
    y, m, d = map(int, day.split("-"))
    hh, mm, ss = rest.split(":")
    return calendar.timegm((y, m, d, int(hh), int(mm), 0)) + float(ss)


def secret_forms(secrets_path):
    with open(secrets_path) as f:
        secrets = [l.strip().encode() for l in f if l.strip()]
    forms = set()
    for pw in secrets:
        forms.add(pw)
        forms.add(base64.b64encode(pw))
        for user in (b"alice", b"bob"):
            for authz in (b"", user):
                forms.add(base64.b64encode(authz + b"\0" + user + b"\0" + pw))
            forms.add(base64.b64encode(user + b":" + pw))
        for k, skip in ((0, 0), (1, 2), (2, 3)):
            forms.add(base64.b64encode(b"\0" * k + pw)[skip:-3])
    return [f for f in forms if len(f) >= 6]


def creds(evs):
    return [e for e in evs if e.get("event_type") == "credleak"
            and e.get("kind") == "cleartext_credentials"]


def cmd_json(args):
    # json FILE...: every line of every file is a JSON object
    evs, bad = events(args)
    n = sum(len(lines(p)) for p in args)
    if bad:
        print("%d of %d lines are not JSON" % (bad, n))
        return 1
    return 0


def cmd_has(args):
    # has OUT EXPECTED: the expected findings (JSON lines) are all in OUT
    evs, _ = events([args[0]])
    cs = creds(evs)
    missing = []
    for l in lines(args[1]):
        w = json.loads(l)
        hit = [a for a in cs if a.get("src_port") == w["src_port"]
               and a.get("app_proto") == w["app_proto"]
               and (a.get("credential") or {}).get("mechanism") == w["mechanism"]
               and (a.get("credential") or {}).get("username") == w["username"]
               and (a.get("credential") or {}).get("result") == w["result"]]
        if not hit:
            near = [a for a in cs if a.get("src_port") == w["src_port"]]
            missing.append("%s %s %s %s port %d%s" % (
                w["app_proto"], w["mechanism"], w["username"], w["result"],
                w["src_port"], " (found instead: %s)" % json.dumps(
                    [(a.get("app_proto"), a.get("credential")) for a in near])
                if near else ""))
    if missing:
        print("missing: " + "; ".join(missing))
        return 1
    return 0


def cmd_secrets(args):
    # secrets SECRETS FILE...: no test password nor an encoding of one
    forms = secret_forms(args[0])
    hits = []
    for p in args[1:]:
        try:
            data = open(p, "rb").read()
        except OSError:
            continue
        if any(f in data for f in forms):
            hits.append(os.path.basename(p))
    if hits:
        print("a test password (or an encoding of one) is in " + ", ".join(hits))
        return 1
    return 0


def cmd_idle(args):
    # idle OUT T_LOGIN TIMEOUT: a stats event after the login with the flow
    # active, and a later one, past the timeout, with flows_active 0
    evs, _ = events([args[0]])
    t0, tmo = float(args[1]), float(args[2])
    st = [e for e in evs if e.get("event_type") == "stats" and not e.get("final")]
    active = [e for e in st if ts(e["timestamp"]) > t0 + 0.5
              and ts(e["timestamp"]) < t0 + tmo and e.get("flows_active", 0) >= 1]
    idle = [e for e in st if ts(e["timestamp"]) > t0 + tmo
            and e.get("flows_active") == 0]
    if active and idle:
        return 0
    print("stats events after the login: " + "; ".join(
        "+%.1fs flows_active=%s" % (ts(e["timestamp"]) - t0, e.get("flows_active"))
        for e in st if ts(e["timestamp"]) > t0) or "none")
    return 1


def cmd_final(args):
    # final OUT NWORKERS: the final stats event, with kernel counters;
    # prints "received dropped if_dropped parsed" for the shell
    evs, _ = events([args[0]])
    fin = [e for e in evs if e.get("event_type") == "stats" and e.get("final")]
    if not fin:
        print("no final stats event")
        return 1
    e = fin[-1]
    k = e.get("kernel")
    ws = e.get("workers") or []
    if not isinstance(k, dict) or not all(isinstance(k.get(f), int)
                                          for f in ("received", "dropped", "if_dropped")):
        print("final stats event without kernel counters: %s" % json.dumps(e)[:300])
        return 1
    if len(ws) != int(args[1]):
        print("final stats event lists %d workers, not %s" % (len(ws), args[1]))
        return 1
    if sum(w.get("received", 0) for w in ws) != k["received"]:
        print("kernel.received is not the sum over the workers")
        return 1
    print(k["received"], k["dropped"], k["if_dropped"],
          sum(w.get("packets", 0) for w in ws), e.get("packets", 0),
          " ".join(str(w.get("received", 0)) for w in ws))
    return 0


def cmd_count(args):
    # count FILE...: cleartext_credentials findings, and distinct sessions
    # (flow ids: a client port may serve two sessions to two servers)
    evs, _ = events(args)
    cs = creds(evs)
    print(len(cs), len({a.get("flow_id") for a in cs}),
          " ".join(str(len(creds(events([p])[0]))) for p in args))
    return 0


def cmd_recall(args):
    # recall TRUTH OUT BIN STDERR: bench/run-bench.py's recall()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        "run_bench", os.path.join(args[4], "bench", "run-bench.py"))
    rb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rb)
    r = rb.recall(args[0], args[1], [args[3]], args[2])
    probs = []
    if r["decoded_protocols"] is None:
        probs.append("no decoder list")
    if r["found_decoded"] != r["planted_decoded"]:
        missed = {p: "%d/%d" % tuple(v) for p, v in r["per_proto"].items() if v[0] != v[1]}
        probs.append("found %d of %d planted logins (%s)" % (
            r["found_decoded"], r["planted_decoded"], missed))
    if r["decoys_reported"]:
        probs.append("%d decoys reported" % r["decoys_reported"])
    if r["unexpected"]:
        probs.append("%d unexpected findings" % r["unexpected"])
    if r["leaks"]:
        probs.append("%d planted passwords in the output" % r["leaks"])
    if r["bad_json_lines"]:
        probs.append("%d lines not JSON" % r["bad_json_lines"])
    print("; ".join(probs) if probs else "%d/%d planted logins found (%s)" % (
        r["found_decoded"], r["planted_decoded"], ",".join(r["decoded_protocols"])))
    return 1 if probs else 0


sys.exit(globals()["cmd_" + sys.argv[1]](sys.argv[2:]))
EOF
check() { "$PY" "$TMP/check.py" "$@"; }

# wait_for SECONDS CMD...: until CMD succeeds; false on timeout.
wait_for() {
	local t=$1 _
	shift
	for _ in $(seq $((t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# --- the link -------------------------------------------------------------
if ! ip netns add "$CLI" 2>/dev/null; then
	fail netns "cannot create network namespace $CLI"
	finish
fi
NETNS_MADE="$SRV $CLI"
for ns in $SRV $CLI; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
done
if ! ip -n "$SRV" link add veth-srv type veth peer name veth-cli netns "$CLI" ||
    ! ip -n "$SRV" addr add 198.18.0.1/30 dev veth-srv ||
    ! ip -n "$CLI" addr add 198.18.0.2/30 dev veth-cli ||
    ! ip -n "$SRV" link set lo up || ! ip -n "$CLI" link set lo up ||
    ! ip -n "$SRV" link set veth-srv up || ! ip -n "$CLI" link set veth-cli up; then
	fail netns "cannot set up the veth pair"
	finish
fi
# What the README asks of a sensor's capture port: no segmentation or
# receive offload, so the kernel hands over packets as they were on the
# wire.  It also sizes libpcap's ring: with an offload on, every slot of
# the (immediate-mode, TPACKET_V2) ring is made for a 64 KiB packet and the
# default 2 MiB buffer holds 16 packets; without, a slot fits one MTU.
if command -v ethtool >/dev/null 2>&1; then
	ip netns exec "$SRV" ethtool -K veth-srv gro off lro off tso off gso off 2>/dev/null
	ip netns exec "$CLI" ethtool -K veth-cli gro off lro off tso off gso off 2>/dev/null
	OFFLOADS="offloads off"
else
	note "ethtool is not installed (apt-get install ethtool): the veth keeps TSO/GSO on, the capture ring holds few packets"
	OFFLOADS="offloads on"
fi
ok netns

# --- servers --------------------------------------------------------------
SECRETS="$ROOT/tests/secrets.txt"
ALICE_PW=$(sed -n 1p "$SECRETS")
HAVE_SERVERS=yes
HAVE_SMTP=no
missing=""
command -v dovecot >/dev/null 2>&1 || missing="$missing dovecot-core"
[ -x /usr/lib/dovecot/pop3-login ] || missing="$missing dovecot-pop3d"
[ -x /usr/lib/dovecot/imap-login ] || missing="$missing dovecot-imapd"
command -v "$PY" >/dev/null 2>&1 || missing="$missing python3"
if [ -n "$missing" ]; then
	HAVE_SERVERS=no
	skip servers "missing:$missing (apt-get install$missing)"
fi

start_servers() {
	local d="$TMP/dovecot" pf="$TMP/postfix"
	mkdir -p "$d/run" "$d/state" "$TMP/home"
	chmod 1777 "$TMP/home"
	printf 'alice:{PLAIN}%s::::::\n' "$ALICE_PW" >"$TMP/users"
	chmod 644 "$TMP/users"
	cat >"$d/dovecot.conf" <<EOF
# Generated by credleak tests/live.sh; private test instance.
instance_name = credleak-live-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/log
protocols = pop3 imap
listen = 198.18.0.1
hostname = mail.example.test
default_internal_user = dovecot
default_login_user = dovenull
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_greeting = Dovecot ready.
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN $TMP/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$TMP/home/%u
}
service pop3-login {
  inet_listener pop3 {
    address = 198.18.0.1
    port = 110
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 198.18.0.1
    port = 143
  }
  inet_listener imaps {
    port = 0
  }
}
service auth {
  unix_listener $TMP/auth-postfix {
    mode = 0666
  }
}
# No authentication penalty: the wrong-password login would otherwise
# delay the next logins from 198.18.0.2 by seconds.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
	# ip netns exec execs Dovecot: $! is its master process.
	ip netns exec "$SRV" dovecot -F -c "$d/dovecot.conf" >"$d/stdout" 2>&1 &
	DOVECOT_PID=$!
	listening() { ip netns exec "$SRV" ss -Htln "sport = :$1" | grep -q .; }
	if ! wait_for 10 listening 110 || ! wait_for 5 listening 143; then
		fail servers "Dovecot is not listening on 198.18.0.1:110/143: $(tail -n 5 "$d/log" "$d/stdout" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi

	if ! command -v postfix >/dev/null 2>&1; then
		skip smtp "postfix is not installed (apt-get install postfix): no SMTP case"
		return 0
	fi
	wait_for 5 test -S "$TMP/auth-postfix"
	mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
	chown postfix "$pf/data"
	cat >"$pf/etc/main.cf" <<EOF
# Generated by credleak tests/live.sh; private test instance.
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $pf
maillog_file = $pf/maillog
myhostname = mail.example.test
mydomain = example.test
myorigin = example.test
mydestination = example.test, localhost
inet_interfaces = 198.18.0.1
inet_protocols = ipv4
mynetworks = 198.18.0.1/32
smtpd_banner = \$myhostname ESMTP Postfix
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
local_recipient_maps =
alias_maps =
alias_database =
# Nothing is delivered or relayed anywhere: every transport is discard(8).
local_transport = discard:
virtual_transport = discard:
relay_transport = discard:
default_transport = discard:
biff = no
smtpd_sasl_type = dovecot
smtpd_sasl_path = $TMP/auth-postfix
smtpd_sasl_auth_enable = yes
smtpd_tls_security_level = none
EOF
	cat >"$pf/etc/master.cf" <<'EOF'
# Generated by credleak tests/live.sh; submission only, no chroot.
198.18.0.1:587 inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	if ! ip netns exec "$SRV" postfix -c "$pf/etc" start >"$pf/start.log" 2>&1; then
		skip smtp "Postfix did not start in the namespace: $(tail -n 3 "$pf/start.log" "$pf/maillog" 2>/dev/null | tr '\n' ' ')"
		return 0
	fi
	POSTFIX_PID=$(sed -n '1s/ //gp' "$pf/spool/pid/master.pid" 2>/dev/null)
	if ! wait_for 10 listening 587; then
		skip smtp "Postfix is not listening on 198.18.0.1:587"
		return 0
	fi
	HAVE_SMTP=yes
	return 0
}

if [ $HAVE_SERVERS = yes ]; then
	if start_servers; then
		ok servers
	else
		HAVE_SERVERS=no
	fi
fi

# start_credleak NAME ARGS...: credleak in cl-srv on veth-srv (one line per
# session: --no-aggregate), output in
# $TMP/NAME.json, stderr in $TMP/NAME.err; sets CL_PID; false (with a FAIL)
# when it does not say it is listening within 10 s.
start_credleak() {
	local name=$1
	shift
	rm -f "$TMP/$name.json" "$TMP/$name.err"
	# The checks count sessions: live aggregation (on by default) would
	# fold repeated logins, so it is off unless CL_AGG is set (the
	# live-aggregation case below).
	local aggopt=--no-aggregate
	[ -n "${CL_AGG:-}" ] && aggopt=
	# shellcheck disable=SC2086
	ip netns exec "$SRV" "$BIN" -i veth-srv --sensor live-test \
		$aggopt -o "$TMP/$name.json" "$@" \
		>"$TMP/$name.stdout" 2>"$TMP/$name.err" &
	CL_PID=$!
	CL_PIDS="$CL_PIDS $CL_PID"
	if ! wait_for 10 grep -qs "listening on veth-srv" "$TMP/$name.err"; then
		fail "$name-start" "credleak did not start: $(head -c 300 "$TMP/$name.err" | tr '\n' ' ')"
		stop_pid "$CL_PID"
		return 1
	fi
	return 0
}
# stop_credleak NAME: SIGTERM, wait up to 15 s; sets CL_RC (124: hung).
stop_credleak() {
	kill -TERM "$CL_PID" 2>/dev/null
	if wait_for 15 exited "$CL_PID"; then
		wait "$CL_PID"
		CL_RC=$?
	else
		CL_RC=124
		kill -KILL "$CL_PID" 2>/dev/null
		wait "$CL_PID" 2>/dev/null
	fi
	forget "$CL_PID"
}
# A client in cl-cli, bounded in time.
client() {
	timeout "$1" ip netns exec "$CLI" "$PY" "$TMP/client.py" "${@:2}"
}

# --- 0. privileges ----------------------------------------------------------
# Without -u or --allow-root, credleak must not go on as root.
timeout 10 ip netns exec "$SRV" "$BIN" -i veth-srv -o "$TMP/root.json" \
	>/dev/null 2>"$TMP/root.err"
rc=$?
if [ $rc = 1 ] && grep -q "refusing to keep running as root" "$TMP/root.err"; then
	ok refuse-root
else
	fail refuse-root "exit $rc, stderr: $(head -c 200 "$TMP/root.err" | tr '\n' ' ')"
fi
# With -u nobody: nobody's uid, no capability left.
if getent passwd nobody >/dev/null 2>&1 &&
    start_credleak privdrop -u nobody --workers 2 --stats-interval 0; then
	uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$CL_PID/status")
	caps=$(awk '/^CapEff:|^CapPrm:/ {printf "%s ", $2}' "/proc/$CL_PID/status")
	want=$(id -u nobody)
	stop_credleak privdrop
	if [ "$uid" = "$want $want $want $want" ] && [ "$caps" = "0000000000000000 0000000000000000 " ] &&
	    [ "$CL_RC" = 0 ]; then
		ok privilege-drop
	else
		fail privilege-drop "uids '$uid' (want $want), CapPrm/CapEff '$caps', exit $CL_RC"
	fi
	owner=$(stat -c %U:%G "$TMP/privdrop.json" 2>/dev/null)
	[ "$owner" != "root:root" ] || note "-u nobody: the output file was created before the privilege drop and is owned by $owner"
fi

# --- 1. real servers, real clients, the idle timeout ----------------------
if [ $HAVE_SERVERS = yes ] && start_credleak main --allow-root --workers 2 \
    --stats-interval 2 --timeout 5; then
	: >"$TMP/expected.jsonl"
	if client 30 basic "$SECRETS" "$HAVE_SMTP" >>"$TMP/expected.jsonl" 2>"$TMP/client.err"; then
		ok clients
	else
		fail clients "a login did not go as planned: $(tail -n 3 "$TMP/client.err" | tr '\n' ' ')"
	fi
	# The session that stays open.
	ip netns exec "$CLI" "$PY" "$TMP/client.py" idle "$SECRETS" \
		>"$TMP/idle.jsonl" 2>"$TMP/idle.err" &
	IDLE_PID=$!
	CLIENT_PIDS="$CLIENT_PIDS $IDLE_PID"
	if wait_for 10 grep -qs idle "$TMP/idle.jsonl"; then
		cat "$TMP/idle.jsonl" >>"$TMP/expected.jsonl"
		t_login=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["t"])' "$TMP/idle.jsonl")
		idle_port=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["src_port"])' "$TMP/idle.jsonl")
		# Its finding must reach the file while credleak still runs.
		grep_idle() { grep -q "\"src_port\":$idle_port,.*\"cleartext_credentials\"\|\"cleartext_credentials\".*\"src_port\":$idle_port," "$TMP/main.json"; }
		if wait_for 5 grep_idle; then
			ok finding-while-running
		else
			fail finding-while-running "the open IMAP session's login is not in the output file 5 s after it happened (credleak still running; $(wc -c <"$TMP/main.json") bytes in the file)"
		fi
		# Stats every 2 s: the flow active, then gone past --timeout 5.
		idle_gone() { check idle "$TMP/main.json" "$t_login" 5 >/dev/null; }
		if wait_for 12 idle_gone; then
			ok idle-timeout-stats
		else
			fail idle-timeout-stats "$(check idle "$TMP/main.json" "$t_login" 5)"
		fi
	else
		fail clients "the IMAP session to be left open did not log in: $(tail -n 3 "$TMP/idle.err" | tr '\n' ' ')"
	fi
	stop_credleak main
	# The open session ends only now, after credleak.
	stop_pid "$IDLE_PID"
	if [ "$CL_RC" = 0 ]; then ok stop; else fail stop "exit status $CL_RC after SIGTERM"; fi
	if msg=$(check json "$TMP/main.json"); then ok json; else fail json "$msg"; fi
	if msg=$(check has "$TMP/main.json" "$TMP/expected.jsonl"); then
		ok findings
	else
		fail findings "$msg"
	fi
	if msg=$(check secrets "$SECRETS" "$TMP/main.json" "$TMP/main.err" "$TMP/main.stdout"); then
		ok no-secrets
	else
		fail no-secrets "$msg"
	fi
	if msg=$(check final "$TMP/main.json" 2); then
		set -- $msg
		if [ "$1" -gt 0 ]; then
			ok final-stats
		else
			fail final-stats "kernel received $1 packets"
		fi
	else
		fail final-stats "$msg"
	fi
	n=$(sed -n 's/.*idle timeout \([0-9]*\),.*/\1/p' "$TMP/main.err")
	if [ -n "$n" ] && [ "$n" -ge 1 ] && grep -q "credleak: kernel: received" "$TMP/main.err"; then
		ok summary
	else
		fail summary "no 'idle timeout N' with N >= 1 or no kernel line in: $(grep -E 'ended by|kernel' "$TMP/main.err" | tr '\n' ' ')"
	fi
fi

# --- 1b. live aggregation: windows and posture on the wall clock ----------
# Six logins (alice: POP3, IMAP, POP3, ...) within a 4 s window: each
# written once at once, then, while credleak still runs, one summary per
# protocol with count 3 when the window closes; a posture event every 3 s.
if [ $HAVE_SERVERS = yes ] && CL_AGG=yes start_credleak agg --allow-root \
    --workers 2 --stats-interval 0 --aggregate-window 4 --posture-interval 3; then
	ip netns exec "$CLI" "$PY" "$TMP/client.py" loop "$SECRETS" 6 \
		"$TMP/aggprog" >"$TMP/aggloop.jsonl" 2>"$TMP/aggloop.err"
	agg_state() {
		"$PY" - "$TMP/agg.json" <<'PYEOF'
import json, sys
firsts, sums, posture = {}, {}, 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event_type") == "posture" and not e.get("final"):
        posture += 1
    if e.get("kind") != "cleartext_credentials":
        continue
    k = (e["app_proto"], e["credential"]["username"], e["credential"]["result"])
    if "aggregate" in e:
        sums[k] = e["aggregate"]["count"]
    else:
        firsts[k] = firsts.get(k, 0) + 1
want = {("pop3", "alice", "success"): 3, ("imap", "alice", "success"): 3}
ok = sums == want and all(firsts.get(k) == 1 for k in want) and posture > 0
print("%s firsts %s summaries %s posture %d" % ("ok" if ok else "no", firsts, sums, posture))
sys.exit(0 if ok else 1)
PYEOF
	}
	if [ "$(grep -c . "$TMP/aggloop.jsonl")" != 6 ]; then
		fail live-aggregate "the six logins did not happen: $(tail -n 2 "$TMP/aggloop.err" | tr '\n' ' ')"
	elif wait_for 12 agg_state >/dev/null; then
		ok live-aggregate
	else
		fail live-aggregate "$(agg_state)"
	fi
	stop_credleak agg
fi

# --- 2. SIGHUP while logins keep coming -----------------------------------
LOGINS=60
if [ $HAVE_SERVERS = yes ] && start_credleak hup --allow-root --workers 2 \
    --stats-interval 1; then
	rm -f "$TMP/progress"
	ip netns exec "$CLI" "$PY" "$TMP/client.py" loop "$SECRETS" "$LOGINS" \
		"$TMP/progress" >"$TMP/loop.jsonl" 2>"$TMP/loop.err" &
	LOOP_PID=$!
	CLIENT_PIDS="$CLIENT_PIDS $LOOP_PID"
	half() { [ "$(cat "$TMP/progress" 2>/dev/null || echo 0)" -ge $((LOGINS / 2)) ]; }
	if wait_for 30 half; then
		mv "$TMP/hup.json" "$TMP/hup.json.1"
		kill -HUP "$CL_PID"
		hup_at=$(cat "$TMP/progress")
	else
		hup_at=none
	fi
	wait_for 40 exited "$LOOP_PID" || kill -KILL "$LOOP_PID" 2>/dev/null
	wait "$LOOP_PID"
	loop_rc=$?
	forget "$LOOP_PID"
	made=$(grep -c . "$TMP/loop.jsonl")
	sleep 1
	stop_credleak hup
	if [ "$hup_at" = none ] || [ "$loop_rc" != 0 ] || [ "$made" != "$LOGINS" ]; then
		fail sighup "the login loop did not run: $made of $LOGINS logins, exit $loop_rc: $(tail -n 2 "$TMP/loop.err" | tr '\n' ' ')"
	elif [ "$CL_RC" != 0 ]; then
		fail sighup "credleak exit status $CL_RC"
	else
		if msg=$(check json "$TMP/hup.json.1" "$TMP/hup.json"); then
			ok sighup-json
		else
			fail sighup-json "$msg"
		fi
		# shellcheck disable=SC2046 # the counts, one word each
		set -- $(check count "$TMP/hup.json.1" "$TMP/hup.json")
		if [ "$1" = "$made" ] && [ "$2" = "$made" ] && [ "$3" -gt 0 ] && [ "$4" -gt 0 ]; then
			ok sighup-count
		else
			fail sighup-count "$made logins, $1 findings ($2 distinct sessions): $3 before the rotation, $4 after (HUP after login $hup_at)"
		fi
		if msg=$(check secrets "$SECRETS" "$TMP/hup.json.1" "$TMP/hup.json" "$TMP/hup.err" "$TMP/hup.stdout"); then
			ok sighup-no-secrets
		else
			fail sighup-no-secrets "$msg"
		fi
		mode=$(stat -c %a "$TMP/hup.json" 2>/dev/null)
		if [ "$mode" = 640 ]; then
			ok sighup-mode
		else
			fail sighup-mode "the reopened file has mode $mode, not 640"
		fi
	fi
fi

# --- 3. replay ----------------------------------------------------------
# Loss before the capture: a veth hands each frame to the receiving
# namespace through the per-CPU backlog (netdev_max_backlog); a frame that
# does not fit is dropped there, counted as tx_dropped on veth-cli (and
# rx_dropped on veth-srv by some kernels), and neither libpcap counter sees
# it.  sent = received + that loss; received - dropped = parsed.
link_drops() {
	local a b
	a=$(ip netns exec "$CLI" cat /sys/class/net/veth-cli/statistics/tx_dropped 2>/dev/null)
	b=$(ip netns exec "$SRV" cat /sys/class/net/veth-srv/statistics/rx_dropped 2>/dev/null)
	echo $((${a:-0} + ${b:-0}))
}
# trial NAME WORKERS RATE SETTLE [credleak args]: replay the capture at RATE
# ("topspeed" or Mbit/s), wait SETTLE seconds, stop credleak; sets SENT,
# SENT_MBPS, SENT_PPS, RECV, DROP, IFDROP, LINKDROP, PARSED, PERW and
# CLEAN (no loss anywhere); false (with a FAIL) when it could not run.
CAP="$TMP/bench.pcap"
trial() {
	local name=$1 workers=$2 rate=$3 settle=$4 r failed m ld0
	shift 4
	CLEAN=no
	start_credleak "$name" --allow-root --workers "$workers" --stats-interval 0 "$@" || return 1
	if [ "$rate" = topspeed ]; then r=--topspeed; else r=--mbps=$rate; fi
	ld0=$(link_drops)
	timeout 120 ip netns exec "$CLI" tcpreplay -i veth-cli "$r" "$CAP" \
		>"$TMP/$name.replay" 2>&1
	sleep "$settle"
	stop_credleak "$name"
	LINKDROP=$(($(link_drops) - ld0))
	SENT=$(sed -n 's/^[[:space:]]*Successful packets:[[:space:]]*\([0-9]*\).*/\1/p' "$TMP/$name.replay")
	SENT_MBPS=$(sed -n 's/^[[:space:]]*Rated:.*, \([0-9.]*\) Mbps, \([0-9.]*\) pps.*/\1/p' "$TMP/$name.replay")
	SENT_PPS=$(sed -n 's/^[[:space:]]*Rated:.*, \([0-9.]*\) Mbps, \([0-9.]*\) pps.*/\2/p' "$TMP/$name.replay")
	failed=$(sed -n 's/^[[:space:]]*Failed packets:[[:space:]]*\([0-9]*\).*/\1/p' "$TMP/$name.replay")
	if [ -z "$SENT" ] || [ "$failed" != 0 ]; then
		fail "$name" "tcpreplay: $(tr '\n' ' ' <"$TMP/$name.replay" | head -c 300)"
		return 1
	fi
	if [ "$CL_RC" != 0 ]; then
		fail "$name" "credleak exit status $CL_RC: $(tail -n 3 "$TMP/$name.err" | tr '\n' ' ')"
		return 1
	fi
	if ! m=$(check final "$TMP/$name.json" "$workers"); then
		fail "$name" "$m"
		return 1
	fi
	set -- $m
	RECV=$1 DROP=$2 IFDROP=$3 PARSED=$4 PERW="${*:6}"
	[ "$DROP" = 0 ] && [ "$IFDROP" = 0 ] && [ "$LINKDROP" = 0 ] &&
		[ "$RECV" = "$SENT" ] && CLEAN=yes
	note "trial $name: sent $SENT at $SENT_MBPS Mbit/s ($SENT_PPS pkt/s); kernel received $RECV (per worker: $PERW), dropped $DROP, if_dropped $IFDROP; lost on the link $LINKDROP; parsed $PARSED"
	return 0
}
# counters_ok: the relation between what was sent, received and parsed.
counters_ok() {
	[ $((RECV + LINKDROP)) = "$SENT" ] && [ "$PARSED" = $((RECV - DROP)) ]
}

recall_done=no
recall_check() { # NAME: the recall check, on a run without loss
	local m
	if m=$(check recall "$CAP.truth.jsonl" "$TMP/$1.json" "$BIN" "$TMP/$1.err" "$ROOT"); then
		ok replay-recall
		note "replay-recall ($1): $m"
	else
		fail replay-recall "($1) $m"
	fi
	recall_done=yes
}

if [ "${LIVE_REPLAY:-1}" = 0 ]; then
	skip replay "LIVE_REPLAY=0"
elif ! command -v tcpreplay >/dev/null 2>&1; then
	skip replay "tcpreplay is not installed (apt-get install tcpreplay)"
elif ! "$PY" "$ROOT/bench/gen-bench.py" --size 64M --seed 1 --out "$CAP" \
    >"$TMP/gen.log" 2>&1; then
	fail replay "bench/gen-bench.py failed: $(tail -n 3 "$TMP/gen.log" | tr '\n' ' ')"
else
	if trial replay 2 topspeed 2; then
		if counters_ok; then
			ok replay-counters
		else
			fail replay-counters "tcpreplay sent $SENT; kernel received $RECV (dropped $DROP, if_dropped $IFDROP), $LINKDROP lost on the link before the capture; workers parsed $PARSED (want sent = received + lost on the link, parsed = received - dropped)"
		fi
		[ "$CLEAN" = yes ] && recall_check replay
	fi

	# The highest rate without loss: topspeed first, then bisection in
	# Mbit/s between 0 and what topspeed reached (5 steps, not below 20),
	# a rate counting as clean when two runs at it are.  Drops come in
	# bursts (a worker scheduled late while tcpreplay spins on a core), so
	# the figure is approximate; every trial is printed as a note.
	for workers in 1 2; do
		best_mbps="" best_pps="" best_how="" lo=0 hi="" topmbps="" bad=""
		if trial "rate-w$workers-top" "$workers" topspeed 1; then
			counters_ok || bad="at topspeed sent $SENT, received $RECV, lost on the link $LINKDROP, parsed $PARSED"
			topmbps=${SENT_MBPS%.*}
			if [ "$CLEAN" = yes ]; then
				best_mbps=$SENT_MBPS best_pps=$SENT_PPS best_how="at topspeed; "
				[ $recall_done = no ] && [ "$workers" = 2 ] && recall_check "rate-w$workers-top"
			else
				hi=$topmbps
			fi
		fi
		steps=0
		while [ -n "$hi" ] && [ $steps -lt 5 ] && [ $((hi - lo)) -gt $((hi / 20)) ]; do
			steps=$((steps + 1))
			mid=$(((lo + hi) / 2))
			[ "$mid" -lt 20 ] && mid=20
			# A rate counts as clean when two runs in a row are.
			for run in a b; do
				trial "rate-w$workers-$mid$run" "$workers" "$mid" 1 || break 2
				counters_ok || bad="at $mid Mbit/s sent $SENT, received $RECV, lost on the link $LINKDROP, parsed $PARSED"
				[ "$CLEAN" = yes ] || break
				[ $recall_done = no ] && [ "$workers" = 2 ] && recall_check "rate-w$workers-$mid$run"
			done
			if [ "$CLEAN" = yes ]; then
				lo=$mid best_mbps=$SENT_MBPS best_pps=$SENT_PPS
			else
				hi=$mid
				[ "$mid" = 20 ] && break
			fi
		done
		# The same at topspeed with a 64 MiB ring per worker: drops that
		# a larger ring absorbs come from the workers being scheduled
		# late (bursts), not from their throughput.
		if trial "rate-w$workers-top-64M" "$workers" topspeed 1 --buffer-size 64M; then
			counters_ok || bad="at topspeed with --buffer-size 64M sent $SENT, received $RECV, lost on the link $LINKDROP, parsed $PARSED"
			echo "rate live: --workers $workers --buffer-size 64M: topspeed $SENT_MBPS Mbit/s, $SENT_PPS pkt/s: dropped $DROP of $RECV"
		fi
		if [ -n "$bad" ]; then
			fail "rate-w$workers" "counters do not add up: $bad"
		elif [ -n "$best_mbps" ]; then
			echo "rate live: --workers $workers: highest replay rate without a drop $best_mbps Mbit/s, $best_pps pkt/s (${best_how}topspeed reached ${topmbps:-?} Mbit/s; default ring, $OFFLOADS)"
			ok "rate-w$workers"
		elif [ -n "$topmbps" ]; then
			echo "rate live: --workers $workers: drops even at 20 Mbit/s (topspeed reached $topmbps Mbit/s)"
			fail "rate-w$workers" "no drop-free rate found down to 20 Mbit/s"
		else
			fail "rate-w$workers" "the topspeed replay did not run"
		fi
	done
	[ $recall_done = no ] && skip replay-recall "no replay ran without loss"
fi

# --- 3b. SIGUSR1: a stats event at once -------------------------------------
if start_credleak usr1 --allow-root --workers 2 --stats-interval 0; then
	sleep 0.5
	kill -USR1 "$CL_PID"
	usr1() { grep -qs '"event_type":"stats","schema_version":"1","sensor":"live-test","input":"veth-srv","final":false' "$TMP/usr1.json"; }
	if wait_for 5 usr1; then
		ok usr1-stats
	else
		fail usr1-stats "no stats event within 5 s of SIGUSR1 (stats interval 0)"
	fi
	stop_credleak usr1
fi

# --- 4. the interface goes away and comes back ------------------------------
# Last, as it takes the link down: credleak must say so, keep running,
# reopen the interface (every 5 s) once it is back, and find logins again.
if [ $HAVE_SERVERS = yes ] && start_credleak reopen --allow-root --workers 2 \
    --stats-interval 0; then
	# A login before the interface goes: its packets must stay counted.
	client 30 loop "$SECRETS" 1 "$TMP/progress-reopen" >"$TMP/reopen-client.jsonl" 2>"$TMP/reopen-client.err"
	sleep 1.5
	ip -n "$SRV" link del veth-srv
	gone() { grep -qs "reopening in\|retrying" "$TMP/reopen.err"; }
	wait_for 5 gone
	ip -n "$SRV" link add veth-srv type veth peer name veth-cli netns "$CLI" &&
	    ip -n "$SRV" addr add 198.18.0.1/30 dev veth-srv &&
	    ip -n "$CLI" addr add 198.18.0.2/30 dev veth-cli &&
	    ip -n "$SRV" link set veth-srv up && ip -n "$CLI" link set veth-cli up
	if command -v ethtool >/dev/null 2>&1; then
		ip netns exec "$SRV" ethtool -K veth-srv gro off lro off tso off gso off 2>/dev/null
		ip netns exec "$CLI" ethtool -K veth-cli gro off lro off tso off gso off 2>/dev/null
	fi
	back() { [ "$(grep -c "veth-srv reopened" "$TMP/reopen.err")" -ge 2 ]; }
	if gone && wait_for 15 back; then
		client 30 loop "$SECRETS" 1 "$TMP/progress-reopen" >>"$TMP/reopen-client.jsonl" 2>"$TMP/reopen-client.err"
		sleep 1
		stop_credleak reopen
		if [ "$CL_RC" = 0 ] && [ "$(grep -c . "$TMP/reopen-client.jsonl")" = 2 ] &&
		    check has "$TMP/reopen.json" "$TMP/reopen-client.jsonl" >/dev/null; then
			ok iface-reopen
		else
			fail iface-reopen "exit $CL_RC; $(grep -c . "$TMP/reopen-client.jsonl") logins; $(check has "$TMP/reopen.json" "$TMP/reopen-client.jsonl")"
		fi
		# Kernel counters add up across the reopening: every packet the
		# workers parsed was received (none forgotten with the old socket).
		if m=$(check final "$TMP/reopen.json" 2); then
			set -- $m
			if [ "$1" -ge "$4" ]; then
				ok iface-reopen-counters
			else
				fail iface-reopen-counters "kernel received $1 but the workers parsed $4 packets: the counters of the socket closed when the interface went away were dropped"
			fi
		else
			fail iface-reopen-counters "$m"
		fi
	else
		stop_credleak reopen
		fail iface-reopen "no failure and reopening reported within 20 s: $(tr '\n' ' ' <"$TMP/reopen.err" | head -c 400)"
	fi
fi

finish
