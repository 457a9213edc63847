#!/bin/sh
# run-unit.sh BUILDDIR - run every unit test binary; prints "N passed, M failed".
dir=${1:-build}
pass=0 fail=0
for t in "$dir"/unit/test_*; do
	[ -x "$t" ] || continue
	if "$t" >"$t.log" 2>&1; then
		pass=$((pass + 1))
		echo "ok   unit $(basename "$t") ($(grep -c '^\[       OK' "$t.log") cases)"
	else
		fail=$((fail + 1))
		echo "FAIL unit $(basename "$t")"
		sed 's/^/    /' "$t.log" | tail -40
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" = 0 ]
