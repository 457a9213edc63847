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
