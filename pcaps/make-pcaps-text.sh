#!/bin/bash
# make-pcaps-text.sh [OUTDIR [SCENARIO...]] - re-create the real-server
# captures of the terminal and chat protocols: telnet, rlogin, IRC.
#
# Servers, on 127.0.0.1 only, from a private configuration in one mktemp
# directory (never /etc/inetd.conf, /etc/ngircd):
#   openbsd-inetd  "inetd -d WORK/inetd.conf" in the foreground, serving
#                  inetutils telnetd on 10023 and rsh-redone in.rlogind on
#                  10513; both log in through login(1)/PAM
#   ngircd         "ngircd -n -f WORK/ngircd.conf" on 16667, with a server
#                  Password and one [Operator] block
# Clients: the real telnet (inetutils) and rlogin (rsh-redone) under a
# pseudo-terminal, driven by a small standard-library Python script that
# types one key at a time (each key its own segment, as a person types);
# for IRC a Python socket client (PASS, NICK and USER in one write).
#
# The one change outside that directory: telnetd and rlogind log in real
# accounts, so a temporary system user "credtel" (home in the temporary
# directory, shell /bin/sh, GECOS "credleak make-pcaps-text temporary test
# user") is created with useradd and removed with userdel on exit; if a
# user of that name exists that this script did not create, the telnet and
# rlogin scenarios are skipped.  "inetd -d" writes /run/inetd.pid: the
# scenarios are skipped when that file exists already (a system inetd), and
# the file is removed on exit otherwise.
#
# Needs root.  Idempotent; takes about a minute (login(1) waits a few
# seconds after a wrong password).  KEEP_WORK=1 leaves the directory.
#
# Test credentials (synthetic, listed in tests/secrets.txt):
#   credtel / velvet-otter-test-41 (wrong: wrong-otter-test-42),
#   IRC server password quiet-harbor-test-44 (wrong: bad-pebble-test-47),
#   IRC operator admin / oper-lantern-test-45.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${1:-$HERE}
[ $# -gt 0 ] && shift
ONLY=("$@")
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

TEL_PW='velvet-otter-test-41'
TEL_BAD='wrong-otter-test-42'
IRC_PW='quiet-harbor-test-44'
IRC_BAD='bad-pebble-test-47'
OPER_PW='oper-lantern-test-45'

P_TELNET=10023
P_RLOGIN=10513
P_IRC=16667

TERM_USER=credtel
TERM_GECOS="credleak make-pcaps-text temporary test user"
TERM_CASES="telnet-login rlogin-password"
IRC_CASES="irc-pass-oper irc-pass-fail"

SECRETS=("$TEL_PW" "$TEL_BAD" "$IRC_PW" "$IRC_BAD" "$OPER_PW")
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (tcpdump, login and the servers need it)"
command -v tcpdump >/dev/null 2>&1 || die "missing tcpdump (apt-get install tcpdump)"

HAVE_TERM=yes HAVE_IRC=yes USER_MADE="" PIDFILE_OURS=""
if [ ! -x /usr/sbin/inetd ] || [ ! -x /usr/sbin/telnetd ] || \
    [ ! -x /usr/sbin/in.rlogind ] || ! command -v telnet >/dev/null 2>&1 || \
    ! command -v rlogin >/dev/null 2>&1; then
	HAVE_TERM=no
	skip_cases "$TERM_CASES" "needs openbsd-inetd, inetutils-telnetd, inetutils-telnet, rsh-redone-server and rsh-redone-client"
elif [ -e /run/inetd.pid ]; then
	HAVE_TERM=no
	skip_cases "$TERM_CASES" "/run/inetd.pid exists (a system inetd?); inetd -d would overwrite it"
elif getent passwd "$TERM_USER" >/dev/null 2>&1; then
	if [ "$(getent passwd "$TERM_USER" | cut -d: -f5)" = "$TERM_GECOS" ]; then
		USER_MADE=yes	# left behind by a killed run: ours
	else
		HAVE_TERM=no
		skip_cases "$TERM_CASES" "a user '$TERM_USER' exists that is not this script's; not touching it"
	fi
fi
if [ ! -x /usr/sbin/ngircd ]; then
	HAVE_IRC=no; skip_cases "$IRC_CASES" "ngircd is not installed (apt-get install ngircd)"
fi
wanted "$TERM_CASES" || HAVE_TERM=no
wanted "$IRC_CASES" || HAVE_IRC=no

for p in $P_TELNET $P_RLOGIN $P_IRC; do
	if ss -Htln "sport = :$p" | grep -q .; then
		die "port $p is already in use (a previous run still going?)"
	fi
done

WORK=$(mktemp -d /tmp/credleak-pcaps-text.XXXXXX)
chmod 755 "$WORK"
INETD_PID="" NGIRCD_PID=""

cleanup() {
	rc=$?
	set +e
	stop_capture
	for pid in $INETD_PID $NGIRCD_PID; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $INETD_PID $NGIRCD_PID; do
		wait "$pid" 2>/dev/null
	done
	[ -n "$PIDFILE_OURS" ] && rm -f /run/inetd.pid
	if [ -n "$USER_MADE" ]; then
		for _ in $(seq 20); do
			userdel "$TERM_USER" 2>/dev/null && { USER_MADE=""; break; }
			sleep 0.3
		done
		if [ -n "$USER_MADE" ]; then
			log "could not remove the temporary user $TERM_USER: run 'userdel $TERM_USER'"
			[ $rc -eq 0 ] && rc=1
		fi
	fi
	if [ $rc -ne 0 ] && [ -d "$WORK" ]; then
		for f in "$WORK"/inetd.log "$WORK"/ngircd.log; do
			[ -f "$f" ] && { echo "== $f" >&2; tail -n 30 "$f" | redact >&2; }
		done
	fi
	if [ -n "${KEEP_WORK:-}" ]; then
		log "KEEP_WORK set: left $WORK"
	else
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {
	for _ in $(seq 100); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	die "nothing listens on port $1"
}

# --- the pseudo-terminal driver -------------------------------------------
# term.py CMD... < script: runs CMD under a pty; each script line is
# "expect REGEX" (wait up to 15 s for it in the output) or "type TEXT"
# (send TEXT one key at a time, \r for Enter).  The transcript goes to
# stdout with what was typed after a Password: prompt never echoed.
cat >"$WORK/term.py" <<'PYEOF'
import os, pty, re, select, sys, time

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
seen = b""

def read_for(deadline):
    global seen
    r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
    if fd in r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return True

for line in sys.stdin.read().splitlines():
    verb, _, arg = line.partition(" ")
    if verb == "expect":
        end = time.time() + 15
        pat = re.compile(arg.encode(), re.I)
        while not pat.search(seen) and time.time() < end:
            if not read_for(end):
                break
        m = pat.search(seen)
        if not m:
            sys.stdout.write("\n[term.py: timed out waiting for %s]\n" % arg)
            sys.exit(1)
        # What came after the match (the next prompt may share its read)
        # is kept for the next expect.
        seen = seen[m.end():]
    elif verb == "type":
        for ch in arg.replace("\\r", "\r"):
            os.write(fd, ch.encode())
            time.sleep(0.08)	# one key, one segment
    elif verb == "sleep":
        time.sleep(float(arg))
end = time.time() + 2
while time.time() < end and read_for(end):
    pass
PYEOF

if [ $HAVE_TERM = yes ]; then
	mkdir -p "$WORK/home"
	if [ -z "$USER_MADE" ]; then
		useradd --system --no-create-home --home-dir "$WORK/home" \
		    --shell /bin/sh --comment "$TERM_GECOS" "$TERM_USER"
		USER_MADE=yes
	fi
	chown "$TERM_USER" "$WORK/home"
	printf '%s:%s\n' "$TERM_USER" "$TEL_PW" | chpasswd
	cat >"$WORK/inetd.conf" <<CONF
127.0.0.1:$P_TELNET stream tcp nowait root /usr/sbin/telnetd telnetd -h
127.0.0.1:$P_RLOGIN stream tcp nowait root /usr/sbin/in.rlogind in.rlogind
CONF
	PIDFILE_OURS=yes
	/usr/sbin/inetd -d "$WORK/inetd.conf" >"$WORK/inetd.log" 2>&1 &
	INETD_PID=$!
	wait_port $P_TELNET
	wait_port $P_RLOGIN

	# A wrong password, then the right one; a command; exit.
	cat >"$WORK/telnet.script" <<SCRIPT
expect login: *\$
type $TERM_USER\r
expect password: *\$
type $TEL_BAD\r
expect login incorrect
expect login: *\$
type $TERM_USER\r
expect password: *\$
type $TEL_PW\r
expect [\$#] *\$
type id\r
expect uid=
type exit\r
SCRIPT
	capture telnet-login $P_TELNET "Login incorrect.*uid=[0-9]+\\($TERM_USER\\)" \
	    sh -c "'$PY' '$WORK/term.py' telnet -b 127.0.0.2 127.0.0.1 $P_TELNET <'$WORK/telnet.script'"

	# No .rhosts: rlogind has PAM ask for the password.
	cat >"$WORK/rlogin.script" <<SCRIPT
expect password: *\$
type $TEL_PW\r
expect [\$#] *\$
type id\r
expect uid=
type exit\r
SCRIPT
	capture rlogin-password $P_RLOGIN "[Pp]assword.*uid=[0-9]+\\($TERM_USER\\)" \
	    sh -c "'$PY' '$WORK/term.py' rlogin -l $TERM_USER -p $P_RLOGIN 127.0.0.1 <'$WORK/rlogin.script'"
fi

if [ $HAVE_IRC = yes ]; then
	cat >"$WORK/ngircd.conf" <<CONF
[Global]
	Name = irc.example.test
	Info = credleak capture server
	Listen = 127.0.0.1
	Ports = $P_IRC
	Password = $IRC_PW
	PidFile = $WORK/run/ngircd.pid
	MotdPhrase = "capture server"
	ServerUID = nobody
	ServerGID = nogroup
[Limits]
	PingTimeout = 120
[Options]
	PAM = no
	Ident = no
	DNS = no
	AllowRemoteOper = no
[Operator]
	Name = admin
	Password = $OPER_PW
CONF
	mkdir -p "$WORK/run"
	chown nobody "$WORK/run"
	/usr/sbin/ngircd -n -f "$WORK/ngircd.conf" >"$WORK/ngircd.log" 2>&1 &
	NGIRCD_PID=$!
	wait_port $P_IRC

	cat >"$WORK/irc.py" <<'PYEOF'
import socket, sys, time

mode, pw, oper_bad, oper_pw = sys.argv[1:5]
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.connect(("127.0.0.1", int(sys.argv[5])))
buf = b""

def wait_for(*codes):
    global buf
    # ngircd makes a client wait some seconds after a wrong password.
    end = time.time() + 25
    s.settimeout(1)
    while time.time() < end:
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            parts = line.split(b" ")
            code = parts[1].decode(errors="replace") if len(parts) > 1 else ""
            if code in codes or (line.startswith(b"ERROR") and "ERROR" in codes):
                print(line.decode(errors="replace"))
                return
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if not data:
            break
        buf += data
    print("timed out waiting for %s" % (codes,))

# PASS, NICK and USER in one write, as most clients send them.
s.sendall(("PASS %s\r\nNICK alice\r\nUSER alice 0 * :Alice\r\n" % pw).encode())
if mode == "fail":
    wait_for("464", "ERROR")
    s.close()
    sys.exit(0)
wait_for("001")
wait_for("376", "422")
s.sendall(("OPER admin %s\r\n" % oper_bad).encode())
wait_for("464", "491")
s.sendall(("OPER admin %s\r\n" % oper_pw).encode())
wait_for("381")
s.sendall(b"QUIT :done\r\n")
wait_for("ERROR")
s.close()
PYEOF
	capture irc-pass-oper $P_IRC " 001 alice .* 464 .* 381 alice" \
	    "$PY" "$WORK/irc.py" ok "$IRC_PW" "$IRC_BAD" "$OPER_PW" $P_IRC
	capture irc-pass-fail $P_IRC "464|ERROR" \
	    "$PY" "$WORK/irc.py" fail "$IRC_BAD" x x $P_IRC
fi
log "done"
