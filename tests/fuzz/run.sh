#!/bin/sh
# run.sh SECONDS FUZZDIR HARNESS... - run each libFuzzer harness in FUZZDIR
# for SECONDS on its corpus (FUZZDIR/corpus-<harness>), then replay every
# regression input in tests/fuzz/crashes/<harness>/.  One line per run
# with exec/s and coverage; the last line is "fuzz: N passed, M failed".
# A crash leaves its input in FUZZDIR/artifacts/<harness>/ and the log in
# FUZZDIR/<harness>.log.
secs=${1:-300}
dir=${2:-build/fuzz}
[ $# -ge 2 ] && shift 2 || shift $#
harnesses=${*:-fuzz_packet fuzz_decoders fuzz_reasm fuzz_tls}
here=$(dirname "$0")
pass=0 fail=0
total=0

for h in $harnesses; do
	bin=$dir/$h
	# Another run in the same folder (make test) must not mix our logs.
	log=$dir/.$h.$$.log
	mkdir -p "$dir/corpus-$h" "$dir/artifacts/$h"
	dict=
	case $h in fuzz_decoders|fuzz_reasm) dict=-dict=$here/mail.dict ;; esac
	start=$(date +%s)
	# -timeout: a hang is a bug too; leaks are reported (detect_leaks=1).
	"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$dir/artifacts/$h/" \
	    $dict "$dir/corpus-$h" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	total=$((total + took))
	# The last status line: "#N DONE cov: C ft: F corp: K/S exec/s: E ...".
	st=$(grep -aE '^#[0-9]+' "$log" | tail -1)
	runs=$(echo "$st" | sed -n 's/^#\([0-9]*\).*/\1/p')
	cov=$(echo "$st" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$st" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$st" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	info="${runs:-?} runs in ${took} s, ${eps:-?} exec/s"
	info="$info, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "ok   $h: $info"
	else
		fail=$((fail + 1))
		echo "FAIL $h (exit $rc): $info"
		grep -aE 'ERROR:|SUMMARY:|invariant broken|Test unit written' \
		    "$log" | head -10 | sed 's/^/    /'
	fi
	mv -f "$log" "$dir/$h.log"
done

for h in $harnesses; do
	for f in "$here/crashes/$h"/*; do
		[ -f "$f" ] || continue
		if "$dir/$h" "$f" >"$dir/.replay.$$.log" 2>&1; then
			pass=$((pass + 1))
			echo "ok   replay $h/$(basename "$f")"
		else
			fail=$((fail + 1))
			echo "FAIL replay $h/$(basename "$f")"
			grep -aE 'ERROR:|SUMMARY:|invariant broken' \
			    "$dir/.replay.$$.log" | head -10 | sed 's/^/    /'
		fi
	done
done

rm -f "$dir/.replay.$$.log"
echo "fuzzing time: ${total} s"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
