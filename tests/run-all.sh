#!/bin/sh
# run-all.sh - everything `make test` runs, in order; the last line sums up.
#   1. unit tests (cmocka)            build/unit/test_*
#   2. pcap regression tests           tests/regress.py with ./credleak
#   3. command-line behaviour          tests/cli.sh
#      in-place pcap reader = libpcap's tests/readers.sh
#      caps under load                 tests/bounds.py
#      secret hygiene, every option    tests/hygiene.py
#      aggregation, posture, --report  tests/aggregate.py
#      every line against the schema   tests/schema.py
#      --format ecs against its schema tests/ecs.py
#      keyed secret fingerprints       tests/fingerprint.py
#      syslog to a real rsyslogd        tests/syslog.sh
#      valgrind memcheck               tests/valgrind.sh
#   4. unit, regress, cli and readers again under ASan + UBSan
#      (build-asan/, ./credleak-asan)
#   5. static analysis                 tests/lint.sh (cppcheck, clang-tidy)
#      fuzzing and benchmark smoke     make fuzz-smoke, make bench-smoke
#   6. live capture in namespaces      tests/live.sh (root only)
#      live servers (root only)        tests/e2e-servers.sh
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 skip=0
tally() {	# tally LOGFILE: add that step's "N passed, M failed"
	l=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	p=$(echo "$l" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/')
	f=$(echo "$l" | sed -E 's/^(.*[^0-9])?([0-9]+) failed.*/\2/')
	s=$(echo "$l" | sed -nE 's/^(.*[^0-9])?([0-9]+) skipped.*/\2/p')
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1})); skip=$((skip + ${s:-0}))
}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

sh tests/run-unit.sh build | tee "$log/unit"; tally "$log/unit"
python3 tests/regress.py --bin ./credleak | tee "$log/regress"; tally "$log/regress"
sh tests/cli.sh ./credleak | tee "$log/cli"; tally "$log/cli"
sh tests/readers.sh ./credleak | tee "$log/readers"; tally "$log/readers"
python3 tests/bounds.py --bin ./credleak | tee "$log/bounds"; tally "$log/bounds"
python3 tests/hygiene.py --bin ./credleak | tee "$log/hygiene"; tally "$log/hygiene"
python3 tests/aggregate.py --bin ./credleak | tee "$log/aggregate"; tally "$log/aggregate"
python3 tests/workers.py --bin ./credleak | tee "$log/workers"; tally "$log/workers"
bash tests/syslog.sh ./credleak | tee "$log/syslog"; tally "$log/syslog"
python3 tests/schema.py --bin ./credleak | grep -v '^ok' | tee "$log/schema"; tally "$log/schema"
python3 tests/ecs.py --bin ./credleak | grep -v '^ok' | tee "$log/ecs"; tally "$log/ecs"
python3 tests/fingerprint.py --bin ./credleak | tee "$log/fingerprint"; tally "$log/fingerprint"
sh tests/valgrind.sh ./credleak | tee "$log/valgrind"; tally "$log/valgrind"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
sh tests/run-unit.sh build-asan | sed 's/unit/asan-unit/' | tee "$log/aunit"; tally "$log/aunit"
python3 tests/regress.py --bin ./credleak-asan | sed 's/regress/asan-regress/' | tee "$log/aregress"; tally "$log/aregress"
sh tests/cli.sh ./credleak-asan | sed 's/cli/asan-cli/' | tee "$log/acli"; tally "$log/acli"
sh tests/readers.sh ./credleak-asan | sed 's/readers/asan-readers/' | tee "$log/areaders"; tally "$log/areaders"
unset ASAN_OPTIONS UBSAN_OPTIONS

sh tests/lint.sh | tee "$log/lint"; tally "$log/lint"

# Short runs of every libFuzzer harness and the crash regressions, and the
# benchmark at a few MiB, so neither rots (the real runs: make fuzz, bench).
if command -v clang >/dev/null 2>&1; then
	make --no-print-directory fuzz-smoke 2>&1 | grep -v '^CC \|^LD ' | tee "$log/fuzz"; tally "$log/fuzz"
else
	echo "SKIP fuzz-smoke: clang not installed (apt-get install clang libclang-rt-14-dev)"
fi
make --no-print-directory bench-smoke 2>&1 | tail -5 | tee "$log/bench"; tally "$log/bench"

bash tests/live.sh ./credleak | tee "$log/live"; tally "$log/live"

if [ -f tests/e2e-servers.sh ]; then
	sh tests/e2e-servers.sh ./credleak | tee "$log/e2e"; tally "$log/e2e"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
