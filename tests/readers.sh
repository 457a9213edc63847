#!/bin/sh
# readers.sh [BIN] - the in-place reader of classic pcap files (pcapfile.c)
# against libpcap's own: `BIN -q -r F` and `BIN -q --libpcap-reader -r F`
# must write the same bytes on standard output and exit the same way, for
# every capture in pcaps/ (*.pcap, *.pcapng), for twenty of them in one
# run, with a BPF filter (which must be seen to apply), and for copies
# rewritten the ways the in-place reader reads differently: the other
# byte order, nanosecond time stamps, a snapshot length shorter than the
# records, many captures in one file of more than 600 KiB (its reads cross
# chunk and buffer boundaries), that file cut inside a record, and a
# record over the length limit.  The rewritten copies must also give what
# the original gives.  Prints "N passed, M failed".
bin=${1:-./credleak}
cd "$(dirname "$0")/.." || exit 1
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
top=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   readers $1"; }
bad() { fail=$((fail + 1)); echo "FAIL readers $1"; }

# same NAME [credleak options...]: both readers, same stdout and status.
# Their outputs stay in $tmp/inplace and $tmp/libpcap.
same() {
	name=$1
	shift
	"$bin" -q "$@" >"$tmp/inplace" 2>"$tmp/inplace.err"
	st1=$?
	"$bin" -q --libpcap-reader "$@" >"$tmp/libpcap" 2>"$tmp/libpcap.err"
	st2=$?
	if [ "$st1" != "$st2" ]; then
		bad "$name (exit $st1 in place, $st2 libpcap: $(head -c 200 "$tmp/inplace.err") | $(head -c 200 "$tmp/libpcap.err"))"
	elif ! cmp -s "$tmp/inplace" "$tmp/libpcap"; then
		bad "$name (output differs: $(wc -l <"$tmp/inplace") lines in place, $(wc -l <"$tmp/libpcap") libpcap; first: $(diff "$tmp/inplace" "$tmp/libpcap" | head -3 | cut -c1-200 | tr '\n' ' '))"
	else
		ok "$name"
		return 0
	fi
	return 1
}

# 1. Every capture, alone.
n=0
for f in pcaps/*.pcap pcaps/*.pcapng; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	same "$(basename "$f")" -r "$f"
done
if [ "$n" -ge 20 ]; then ok "captures found ($n)"; else bad "captures found ($n, want 20 or more)"; fi

# A pcapng copy too (libpcap reads those either way; the flag must not hurt).
python3 tests/to-pcapng.py pcaps/smtp-auth-plain.pcap "$tmp/smtp-auth-plain.pcapng"
same smtp-auth-plain.pcapng -r "$tmp/smtp-auth-plain.pcapng"

# 2. Twenty captures in one run (every fifth, so all kinds take part).
set --
i=0
for f in pcaps/*.pcap; do
	if [ $((i % 5)) = 0 ] && [ $# -lt 40 ]; then set -- "$@" -r "$f"; fi
	i=$((i + 1))
done
if [ $# = 40 ]; then same "twenty captures in one run" "$@"
else bad "twenty captures in one run (only $(($# / 2)) found)"; fi

# 3. A BPF filter: the same both ways, and seen to apply.
for c in smtp-bdat smtp-gap smtp-inbound-local smtp-relay-foreign \
    smtp-auth-plain pop3-user-pass; do
	same "filter 'tcp port 25' $c" -f 'tcp port 25' -r "pcaps/$c.pcap"
done
# wire length and captured bytes both matter to these
same "filter 'tcp port 25 and greater 80' smtp-bdat" \
    -f 'tcp port 25 and greater 80' -r pcaps/smtp-bdat.pcap
same "filter 'tcp[tcpflags] & tcp-push != 0' smtp-auth-login" \
    -f 'tcp[tcpflags] & tcp-push != 0' -r pcaps/smtp-auth-login.pcap
# The filter drops smtp-auth-plain (port 10587) and keeps smtp-bdat (25).
"$bin" -q -r pcaps/smtp-auth-plain.pcap -r pcaps/smtp-bdat.pcap >"$tmp/all" 2>&1
if same "filter 'tcp port 25' over two captures" -f 'tcp port 25' \
    -r pcaps/smtp-auth-plain.pcap -r pcaps/smtp-bdat.pcap; then
	if ! grep -q '"input":"pcaps/smtp-auth-plain.pcap"' "$tmp/inplace" &&
	    grep -q '"input":"pcaps/smtp-bdat.pcap"' "$tmp/inplace" &&
	    grep -q '"input":"pcaps/smtp-auth-plain.pcap"' "$tmp/all"; then
		ok "filter applies (port 10587 dropped, port 25 kept)"
	else
		bad "filter applies (port 10587 dropped, port 25 kept)"
	fi
fi

# 4. Rewritten copies.
mkdir -p "$tmp/be" "$tmp/ns" "$tmp/snap" "$tmp/orig"
python3 - "$tmp" pcaps/*.pcap <<'PY'
import os, struct, sys
tmp, caps = sys.argv[1], sys.argv[2:]

def records(d):
    """(endianness, nsec, header fields, [(sec, frac, incl, orig, body)])."""
    e = '<' if d[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    magic, vmaj, vmin, zone, sig, snap, lt = struct.unpack(e + 'IHHiIII', d[:24])
    recs, off = [], 24
    while off + 16 <= len(d):
        sec, frac, incl, orig = struct.unpack(e + 'IIII', d[off:off + 16])
        recs.append((sec, frac, incl, orig, d[off + 16:off + 16 + incl]))
        off += 16 + incl
    return e, magic == 0xa1b23c4d, (vmaj, vmin, zone, sig, snap, lt), recs

def write(path, e, magic, hdr, recs):
    vmaj, vmin, zone, sig, snap, lt = hdr
    out = [struct.pack(e + 'IHHiIII', magic, vmaj, vmin, zone, sig, snap, lt)]
    for sec, frac, incl, orig, body in recs:
        out.append(struct.pack(e + 'IIII', sec, frac, incl, orig) + body)
    with open(path, 'wb') as f:
        f.write(b''.join(out))

big, big_hdr = [], None
for cap in caps:
    name = os.path.basename(cap)
    with open(cap, 'rb') as f:
        d = f.read()
    e, nsec, hdr, recs = records(d)
    if nsec:
        continue
    # The original under the same relative name, for comparisons.
    with open(os.path.join(tmp, 'orig', name), 'wb') as f:
        f.write(d)
    # The other byte order; nanoseconds; a snapshot length of 96.
    write(os.path.join(tmp, 'be', name), '>' if e == '<' else '<',
          0xa1b2c3d4, hdr, recs)
    write(os.path.join(tmp, 'ns', name), e, 0xa1b23c4d, hdr,
          [(s, f * 1000, i, o, b) for s, f, i, o, b in recs])
    write(os.path.join(tmp, 'snap', name), e, 0xa1b2c3d4,
          hdr[:4] + (96,) + hdr[5:], recs)
    if hdr[5] == 1:
        big_hdr = big_hdr or (e, hdr)
        big.extend(recs)
# Every Ethernet capture's records in one file, six times over (the
# connections repeat; both readers must make the same of it).
e, hdr = big_hdr
write(os.path.join(tmp, 'big.pcap'), e, 0xa1b2c3d4, hdr[:4] + (262144,) + hdr[5:],
      big * 6)
with open(os.path.join(tmp, 'big.pcap'), 'rb') as f:
    d = f.read()
# Cut inside a record's bytes, and inside a record header, past 512 KiB.
off, cuts = 24, []
while off + 16 <= len(d):
    incl = struct.unpack(e + 'I', d[off + 8:off + 12])[0]
    if off > 600 << 10 and len(cuts) == 0 and incl > 40:
        cuts.append(off + 16 + incl // 2)
    if off > 700 << 10 and len(cuts) == 1:
        cuts.append(off + 9)
        break
    off += 16 + incl
for name, cut in zip(('cut-body.pcap', 'cut-header.pcap'), cuts):
    with open(os.path.join(tmp, name), 'wb') as f:
        f.write(d[:cut])
# A record over 262144 bytes after 300 KiB of good ones.
off = 24
while off < 300 << 10:
    off += 16 + struct.unpack(e + 'I', d[off + 8:off + 12])[0]
with open(os.path.join(tmp, 'too-long.pcap'), 'wb') as f:
    f.write(d[:off] + struct.pack(e + 'IIII', 1, 0, 262145, 262145) +
            b'\0' * 262145 + d[off:off + 2000])
PY
size=$(wc -c <"$tmp/big.pcap")
if [ "$size" -gt 614400 ]; then ok "large file ($size bytes)"
else bad "large file ($size bytes, want more than 600 KiB)"; fi

# The copies must also give what the original gives (same names, so the
# "input" fields match); the snapshot-length copy differs, so not that one.
for kind in be ns snap; do
	for c in smtp-auth-plain pop3-sll imap-login ftp-fail http-basic \
	    smtp-stripped ldap-simple-bind mysql-clear-switch; do
		if [ ! -f "pcaps/$c.pcap" ]; then
			bad "$kind copy of $c (no pcaps/$c.pcap)"
			continue
		fi
		cd "$tmp/$kind" || exit 1
		same "$kind copy of $c" -r "$c.pcap"
		rc=$?
		cd "$tmp/orig" || exit 1
		"$bin" -q -r "$c.pcap" >"$tmp/orig.out" 2>&1
		cd "$top" || exit 1
		if [ "$rc" != 0 ] || [ "$kind" = snap ]; then
			continue
		fi
		if [ -s "$tmp/orig.out" ] && cmp -s "$tmp/inplace" "$tmp/orig.out"; then
			ok "$kind copy of $c reads as the original"
		else
			bad "$kind copy of $c reads as the original"
		fi
	done
done

# The large file, whole and cut; and stderr must agree on the fault too.
same "large file" -r "$tmp/big.pcap"
for f in cut-body cut-header too-long; do
	if same "$f.pcap" -r "$tmp/$f.pcap"; then
		if [ "$st1" = 2 ] && cmp -s "$tmp/inplace.err" "$tmp/libpcap.err"; then
			ok "$f.pcap: same message ($(head -c 120 "$tmp/inplace.err"))"
		else
			bad "$f.pcap: status $st1, messages: $(head -c 200 "$tmp/inplace.err") | $(head -c 200 "$tmp/libpcap.err")"
		fi
	fi
done
# Several of them at once, the faulty ones among good ones.
same "large, cut and rewritten files in one run" -r "$tmp/big.pcap" \
    -r "$tmp/cut-body.pcap" -r "$tmp/be/smtp-auth-plain.pcap" \
    -r "$tmp/ns/pop3-sll.pcap" -r "$tmp/too-long.pcap" \
    -r "$tmp/snap/imap-login.pcap"

echo "readers: $pass passed, $fail failed"
[ "$fail" = 0 ]
