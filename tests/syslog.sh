#!/bin/bash
# syslog.sh [BIN] - the --syslog outputs against a real rsyslogd (private
# configuration, 127.0.0.1 high ports and a socket in a temporary folder;
# root not needed): every line of the JSON stream arrives intact over UDP,
# TCP (RFC 6587 octet counting) and a local socket, with the RFC 5424 PRI
# and MSGID as designed; a TCP collector stopped and restarted in the
# middle of a run loses nothing and gets nothing twice; a dead collector
# does not hold credleak up more than the 2 s exit bound.
# Prints "ok syslog NAME" / "FAIL syslog NAME: why" and
# "syslog: N passed, M failed, K skipped".
bin=${1:-./credleak}
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok syslog $1"; }
bad() { fail=$((fail + 1)); echo "FAIL syslog $1"; }
finish() { echo "syslog: $pass passed, $fail failed, $skip skipped"; [ "$fail" = 0 ]; exit; }

rsd=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
if [ ! -x "$rsd" ]; then
	skip=$((skip + 1)); echo "SKIP syslog: rsyslogd not installed (apt-get install rsyslog)"
	finish
fi
tmp=$(mktemp -d)
rpid= cpid=
cleanup() {
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Free high ports, picked by the kernel.
read -r up tp xp <<<"$(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, t) for t in (socket.SOCK_DGRAM, socket.SOCK_STREAM, socket.SOCK_STREAM)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')"

# The message as rsyslog parsed it: the RFC 5424 fields, then MSG.
cat >"$tmp/rs.conf" <<EOF
global(workDirectory="$tmp" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
input(type="imudp" address="127.0.0.1" port="$up" ruleset="udp")
input(type="imtcp" address="127.0.0.1" port="$tp" ruleset="tcp")
input(type="imuxsock" Socket="$tmp/log" UseSpecialParser="off" ruleset="unix")
template(name="raw" type="string" string="%app-name%|%msgid%|%pri%|%procid%|%msg%\n")
ruleset(name="udp") { action(type="omfile" file="$tmp/udp.log" template="raw") }
ruleset(name="tcp") { action(type="omfile" file="$tmp/tcp.log" template="raw") }
ruleset(name="unix") { action(type="omfile" file="$tmp/unix.log" template="raw") }
EOF

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# waitlines FILE N: up to 5 s for FILE to have N lines.
waitlines() {
	for _ in $(seq 50); do [ "$(lines "$1")" -ge "$2" ] && return 0; sleep 0.1; done
	return 1
}
rs_start() {
	"$rsd" -n -f "$tmp/rs.conf" -i "$tmp/rs.pid" >>"$tmp/rs.err" 2>&1 3>&- &
	rpid=$!
	for _ in $(seq 50); do
		if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' "$tp" 2>/dev/null &&
		    [ -S "$tmp/log" ]; then
			sleep 0.3	# imudp starts in its own thread
			return 0
		fi
		sleep 0.1
	done
	return 1
}
rs_stop() {
	kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null; rpid=
}

if ! rs_start; then
	skip=$((skip + 1)); echo "SKIP syslog: rsyslogd did not start: $(head -c 300 "$tmp/rs.err")"
	finish
fi

# check NAME LOG STREAM FACILITY: every line of STREAM, in order, is the MSG
# of one message in LOG, parsed back as the same JSON, with APP-NAME
# credleak, MSGID the kind (or the event type: "stats", "posture"), PRI
# facility*8 + severity.
check() {
	if why=$(python3 - "$2" "$3" "$4" <<'PY'
import json, sys
log, stream, fac = sys.argv[1], sys.argv[2], int(sys.argv[3])
sev = {"high": 3, "medium": 4, "low": 5, "info": 6}
want = [l.rstrip("\n") for l in open(stream, encoding="utf-8")]
got = [l.rstrip("\n").split("|", 4) for l in open(log, encoding="utf-8")]
if not want:
    sys.exit("no findings on the stream")
if len(got) != len(want):
    sys.exit("%d messages for %d lines" % (len(got), len(want)))
for (app, msgid, pri, procid, msg), line in zip(got, want):
    o = json.loads(line)
    if msg != line or json.loads(msg) != o:
        sys.exit("MSG differs: %r" % msg[:200])
    kind = o.get("kind") or o.get("event_type")  # findings: the kind; else "stats", "posture"
    if app != "credleak" or msgid != kind:
        sys.exit("APP-NAME/MSGID %s/%s for %s" % (app, msgid, kind))
    p = fac * 8 + sev.get(o.get("severity", "info"), 6)
    if int(pri) != p:
        sys.exit("PRI %s, want %d (%s)" % (pri, p, o.get("severity")))
    if not procid.isdigit():
        sys.exit("PROCID %r" % procid)
print("%d messages" % len(got))
PY
	); then ok "$1 ($why)"; else bad "$1: $why"; fi
}

# 1. UDP, TCP and the local socket at once, plus standard output.
"$bin" --syslog "udp://127.0.0.1:$up" --syslog "tcp://127.0.0.1:$tp" \
    --syslog "unix:$tmp/log" --stats-interval 1 \
    -r pcaps/smtp-auth-plain.pcap -r pcaps/pop3-user-pass.pcap \
    >"$tmp/out.jsonl" 2>"$tmp/err"
st=$?
n=$(lines "$tmp/out.jsonl")
waitlines "$tmp/udp.log" "$n"; waitlines "$tmp/tcp.log" "$n"; waitlines "$tmp/unix.log" "$n"
if [ "$st" = 0 ] && grep -q "syslog tcp://127.0.0.1:$tp: sent $n, dropped 0" "$tmp/err"; then
	ok "summary ($n sent on each)"
else
	bad "summary: status $st; $(grep syslog "$tmp/err" | head -3)"
fi
check udp "$tmp/udp.log" "$tmp/out.jsonl" 16
check tcp "$tmp/tcp.log" "$tmp/out.jsonl" 16

# 2. The facility option, on the local socket.
: >"$tmp/unix.log"
"$bin" -q --syslog "unix:$tmp/log" --syslog-facility daemon \
    -r pcaps/smtp-auth-plain.pcap -r pcaps/pop3-user-pass.pcap >"$tmp/out2.jsonl" 2>/dev/null
waitlines "$tmp/unix.log" "$(lines "$tmp/out2.jsonl")"
check unix-daemon "$tmp/unix.log" "$tmp/out2.jsonl" 3

# 3. Collector restart: credleak reads a capture from a FIFO fed in three
# parts; rsyslogd is stopped after the first and started again after the
# second, so the second part's findings wait in the TCP queue.
python3 - "$tmp" <<'PY'
import struct, sys
tmp = sys.argv[1]
parts = [["smtp-auth-plain", "pop3-user-pass"],
         ["imap-login", "ftp-login", "smtp-auth-login", "http-basic"],
         ["pop3-fail"]]
t = 1700000000.0
hdr = None
for i, names in enumerate(parts):
    out = bytearray()
    for name in names:
        d = open("pcaps/%s.pcap" % name, "rb").read()
        hdr = hdr or d[:24]
        off, first = 24, None
        while off + 16 <= len(d):
            s, us, incl, orig = struct.unpack("<IIII", d[off:off + 16])
            first = first if first is not None else s + us / 1e6
            # One clock for the whole stream: each capture follows the last.
            nt = t + (s + us / 1e6 - first)
            out += struct.pack("<IIII", int(nt), int(round((nt % 1) * 1e6)) % 1000000, incl, orig)
            out += d[off + 16:off + 16 + incl]
            off += 16 + incl
        t = nt + 1
    open("%s/part%d" % (tmp, i + 1), "wb").write((hdr if i == 0 else b"") + out)
    # The stream so far as one file, to know the findings to wait for.
    open("%s/upto%d.pcap" % (tmp, i + 1), "wb").write(
        b"".join(open("%s/part%d" % (tmp, k + 1), "rb").read() for k in range(i + 1)))
PY
# Findings only: posture events come at the end of the whole run.
n1=$("$bin" -q -r "$tmp/upto1.pcap" | grep -c '"event_type":"credleak"')
n2=$("$bin" -q -r "$tmp/upto2.pcap" | grep -c '"event_type":"credleak"')
: >"$tmp/tcp.log"
mkfifo "$tmp/fifo"
"$bin" --syslog "tcp://127.0.0.1:$tp" -o "$tmp/out3.jsonl" -r - <"$tmp/fifo" 2>"$tmp/err3" &
cpid=$!
exec 3>"$tmp/fifo"
cat "$tmp/part1" >&3
if waitlines "$tmp/out3.jsonl" "$n1" && waitlines "$tmp/tcp.log" "$n1"; then
	rs_stop
	cat "$tmp/part2" >&3
	waitlines "$tmp/out3.jsonl" "$n2"
	queued=$(( $(lines "$tmp/out3.jsonl") - $(lines "$tmp/tcp.log") ))
	rs_start
	cat "$tmp/part3" >&3
	exec 3>&-
	wait "$cpid"; st=$?; cpid=
	n=$(lines "$tmp/out3.jsonl")
	waitlines "$tmp/tcp.log" "$n"
	if [ "$st" = 0 ] && [ "$queued" -gt 0 ] && [ "$n" -gt "$n2" ]; then
		check "restart ($queued held back while down)" "$tmp/tcp.log" "$tmp/out3.jsonl" 16
	else
		bad "restart: status $st, $queued queued, $n lines (part 1: $n1, 1+2: $n2)"
	fi
else
	exec 3>&-
	bad "restart: the first part's $n1 findings did not arrive"
fi
grep syslog "$tmp/err3" | sed 's/^/    /'

# 4. A dead TCP collector: the run is not held up past the 2 s exit bound
# and what could not go is counted as dropped.
rs_stop
s0=$(date +%s%N)
"$bin" --syslog "tcp://127.0.0.1:$tp" -r pcaps/*.pcap >"$tmp/out4.jsonl" 2>"$tmp/err4"
st=$?
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
n=$(lines "$tmp/out4.jsonl")
if [ "$st" = 0 ] && [ "$ms" -lt 5000 ] &&
    grep -q "syslog tcp://127.0.0.1:$tp: sent 0, dropped $n " "$tmp/err4"; then
	ok "dead-collector ($n dropped, $ms ms)"
else
	bad "dead-collector: status $st, $ms ms; $(grep syslog "$tmp/err4")"
fi

# 5. A full queue: with the collector down, more lines come than the queue
# holds (1 024 messages); the overflow is counted as dropped, the rest goes
# out once the collector is back, in order, none twice.  The stream is one
# SMTP AUTH session repeated 700 times (a client port each), from a FIFO
# so credleak is still running when the collector returns.
python3 - "$tmp" <<'PY'
import struct, sys
d = open("pcaps/smtp-auth-plain.pcap", "rb").read()
recs, off = [], 24
while off + 16 <= len(d):
    s, us, incl, orig = struct.unpack("<IIII", d[off:off + 16])
    recs.append((s + us / 1e6, bytearray(d[off + 16:off + 16 + incl]), orig))
    off += 16 + incl
ihl = (recs[0][1][14] & 15) * 4
client = struct.unpack("!H", recs[0][1][14 + ihl:16 + ihl])[0]
t0, out = recs[0][0], bytearray(d[:24])
for k in range(700):
    for t, frame, orig in recs:
        f = bytearray(frame)
        sp, dp = struct.unpack("!HH", f[14 + ihl:18 + ihl])
        f[14 + ihl:18 + ihl] = struct.pack("!HH", 20000 + k if sp == client else sp,
                                           20000 + k if dp == client else dp)
        nt = 1700000000 + k * 0.05 + (t - t0)
        out += struct.pack("<IIII", int(nt), int(round((nt % 1) * 1e6)) % 1000000, len(f), orig)
        out += f
open(sys.argv[1] + "/many.pcap", "wb").write(out)
PY
: >"$tmp/tcp.log"
rm -f "$tmp/fifo5"; mkfifo "$tmp/fifo5"
# --no-aggregate: three findings per session, 2 100 lines in all.
"$bin" --no-aggregate --syslog "tcp://127.0.0.1:$tp" -o "$tmp/out5.jsonl" \
    -r - <"$tmp/fifo5" 2>"$tmp/err5" &
cpid=$!
exec 3>"$tmp/fifo5"
cat "$tmp/many.pcap" >&3
# 700 logins: their findings are written while the collector is down.
if waitlines "$tmp/out5.jsonl" 2100 && [ "$(grep -c cleartext_credentials "$tmp/out5.jsonl")" -ge 700 ]; then
	rs_start
	sleep 2		# the sensor reconnects and sends what it queued
	exec 3>&-
	wait "$cpid"; st=$?; cpid=
	if why=$(python3 - "$tmp/out5.jsonl" "$tmp/tcp.log" "$tmp/err5" <<'PY'
import re, sys
out = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
got = [l.rstrip("\n").split("|", 4)[4] for l in open(sys.argv[2], encoding="utf-8")]
err = open(sys.argv[3], encoding="utf-8").read()
m = re.search(r"sent (\d+), dropped (\d+) .*queued (\d+) \(at most (\d+)\)", err)
if not m:
    sys.exit("no syslog summary line")
sent, dropped, queued, most = map(int, m.groups())
if dropped == 0 or most != 1024:
    sys.exit("dropped %d, queue at most %d: the queue never filled" % (dropped, most))
if sent + dropped != len(out) or len(got) != sent:
    sys.exit("%d written, %d sent + %d dropped, %d received" % (len(out), sent, dropped, len(got)))
# What arrived is the stream less what was dropped, in order, none twice.
i = 0
for g in got:
    while i < len(out) and out[i] != g:
        i += 1
    if i == len(out):
        sys.exit("a received message is out of order, twice, or not in the stream")
    i += 1
print("%d lines: %d dropped while the queue was full, %d sent in order" % (len(out), dropped, sent))
PY
	); then
		[ "$st" = 0 ] && ok "queue-full ($why)" || bad "queue-full: status $st"
	else
		bad "queue-full: $why"
	fi
else
	exec 3>&-
	wait "$cpid"; cpid=
	bad "queue-full: the findings were not written ($(lines "$tmp/out5.jsonl") lines)"
fi
finish
