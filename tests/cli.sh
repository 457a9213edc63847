#!/bin/sh
# cli.sh [BIN] - command-line behaviour: exit statuses, error messages naming
# the file and the problem, findings kept up to a fault, several inputs,
# standard input, pcapng, the output file.  Prints "N passed, M failed".
bin=${1:-./credleak}
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   cli $1"; }
bad() { fail=$((fail + 1)); echo "FAIL cli $1"; }
# expect NAME STATUS PATTERN-IN-STDERR -- command...
expect() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" = "$want" ] && grep -q -- "$pat" "$tmp/err"; then ok "$name"
	else bad "$name (status $st, want $want; stderr: $(head -c 200 "$tmp/err"))"; fi
}
cap=pcaps/smtp-auth-plain.pcap

expect unknown-option 1 "usage:" -- "$bin" --no-such-option -r "$cap"
expect no-input 1 "no input" -- "$bin"
expect missing-file 2 "nope.pcap: no such file" -- "$bin" -r "$tmp/nope.pcap"
printf 'this is not a capture at all, just text\n' >"$tmp/text.pcap"
expect not-a-capture 2 "text.pcap: not a pcap or pcapng capture" -- "$bin" -r "$tmp/text.pcap"

# A capture cut inside its last record: exit 2, the file named, and the
# findings made before the cut still written.
size=$(wc -c <"$cap")
head -c $((size - 20)) "$cap" >"$tmp/cut.pcap"
expect truncated 2 "cut.pcap: truncated record" -- "$bin" -r "$tmp/cut.pcap"
if grep -q '"kind":"cleartext_credentials"' "$tmp/out"; then ok truncated-keeps-findings
else bad "truncated-keeps-findings"; fi

# Malformed captures: each named with its problem, exit 2, no crash, and the
# findings of the good records before (and after) the fault still written.
python3 - "$cap" "$tmp" <<'PY'
import struct, sys
cap, tmp = sys.argv[1], sys.argv[2]
data = open(cap, "rb").read()
hdr, recs, off = data[:24], [], 24
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    recs.append(data[off:off + 16 + incl])
    off += 16 + incl
def rec(sec, usec, incl, orig, body):
    return struct.pack("<IIII", sec, usec, incl, orig) + body
sec, usec = struct.unpack("<II", recs[-1][:8])
w = lambda name, b: open(f"{tmp}/{name}", "wb").write(b)
w("short-header.pcap", data[:10])
w("zero-len.pcap", hdr + b"".join(recs) + rec(sec, usec, 0, 60, b""))
w("caplen-gt-wire.pcap", hdr + b"".join(recs) + rec(sec, usec, 40, 20, b"x" * 40))
small = hdr[:16] + struct.pack("<I", 100) + hdr[20:]
w("caplen-gt-snap.pcap", hdr + b"".join(recs) + rec(sec, usec, 300000, 300000, b"y" * 64))
w("linktype.pcap", hdr[:20] + struct.pack("<I", 147) + b"".join(recs))
shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
w("bad-block.pcapng", shb + struct.pack("<II", 1, 7) + b"\0" * 16)
w("empty.pcap", b"")
PY
expect short-header 2 "short-header.pcap: not a pcap or pcapng capture" -- "$bin" -q -r "$tmp/short-header.pcap"
expect zero-length-record 2 "zero-len.pcap: malformed record .* (zero-length record)" -- "$bin" -q -r "$tmp/zero-len.pcap"
if grep -q '"kind":"cleartext_credentials"' "$tmp/out"; then ok zero-length-keeps-findings
else bad zero-length-keeps-findings; fi
expect caplen-gt-wire 2 "caplen-gt-wire.pcap: malformed record .* (captured length greater than wire length)" -- "$bin" -q -r "$tmp/caplen-gt-wire.pcap"
expect caplen-gt-snaplen 2 "caplen-gt-snap.pcap: corrupt record" -- "$bin" -q -r "$tmp/caplen-gt-snap.pcap"
if grep -q '"kind":"cleartext_credentials"' "$tmp/out"; then ok caplen-gt-snaplen-keeps-findings
else bad caplen-gt-snaplen-keeps-findings; fi
expect unknown-linktype 2 "linktype.pcap: unsupported link type 147" -- "$bin" -q -r "$tmp/linktype.pcap"
expect bad-pcapng-block 2 "bad-block.pcapng: " -- "$bin" -q -r "$tmp/bad-block.pcapng"
expect empty-file 2 "empty.pcap: not a pcap or pcapng capture" -- "$bin" -q -r "$tmp/empty.pcap"
mkdir -p "$tmp/adir"
expect directory 2 "adir: is a directory" -- "$bin" -q -r "$tmp/adir"
expect dev-null 2 "/dev/null: not a pcap or pcapng capture" -- "$bin" -q -r /dev/null

# A bad file among good ones: the good ones are still read.
"$bin" -q -r "$tmp/nope.pcap" pcaps/pop3-user-pass.pcap >"$tmp/out" 2>"$tmp/err"
if [ $? = 2 ] && grep -q '"app_proto":"pop3"' "$tmp/out"; then ok bad-among-good
else bad bad-among-good; fi

# Several files in one run, each alert naming its input.
"$bin" -q -r pcaps/pop3-user-pass.pcap pcaps/smtp-auth-login.pcap >"$tmp/out" 2>&1
if grep -q '"input":"pcaps/pop3-user-pass.pcap"' "$tmp/out" &&
   grep -q '"input":"pcaps/smtp-auth-login.pcap"' "$tmp/out"; then ok several-files
else bad several-files; fi

# Standard input.
"$bin" -q -r - <"$cap" >"$tmp/out" 2>&1
if grep -q '"input":"stdin"' "$tmp/out" && grep -q cleartext_credentials "$tmp/out"; then ok stdin
else bad stdin; fi

# pcapng, rewritten from the pcap by a small script of ours.
python3 tests/to-pcapng.py "$cap" "$tmp/a.pcapng"
"$bin" -q -r "$tmp/a.pcapng" >"$tmp/out" 2>&1
if grep -q cleartext_credentials "$tmp/out"; then ok pcapng; else bad pcapng; fi

# -o appends to a file created with mode 0640; stdout then stays empty.
rm -f "$tmp/alerts.json"
"$bin" -q -o "$tmp/alerts.json" -r "$cap" >"$tmp/out" 2>&1
mode=$(stat -c %a "$tmp/alerts.json" 2>/dev/null)
if [ "$mode" = 640 ] && [ ! -s "$tmp/out" ] && grep -q cleartext_credentials "$tmp/alerts.json"; then ok output-file
else bad "output-file (mode $mode)"; fi

# --mask-usernames hides all but the first letter.
"$bin" -q --mask-usernames -r "$cap" >"$tmp/out" 2>&1
if grep -q '"username":"a\*\*\*"' "$tmp/out" && ! grep -q '"username":"alice"' "$tmp/out"; then ok mask
else bad mask; fi

# --help and --version exit 0.
expect help 0 "" -- sh -c "'$bin' --help >&2"
expect version 0 "credleak" -- sh -c "'$bin' --version >&2"

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
