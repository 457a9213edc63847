#!/bin/sh
# valgrind.sh [BIN] - memcheck over every regression capture: no error, no
# leak.  Prints "N passed, M failed"; skips when valgrind is not installed.
bin=${1:-./credleak}
cd "$(dirname "$0")/.." || exit 1
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind not installed (apt-get install valgrind)"
	echo "valgrind: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in pcaps/*.pcap; do
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	    --show-leak-kinds=definite,indirect,possible "$bin" -q --sensor test -r "$f" >/dev/null 2>"$log"; then
		pass=$((pass + 1))
		echo "ok   valgrind $(basename "$f")"
	else
		fail=$((fail + 1))
		echo "FAIL valgrind $(basename "$f")"
		head -30 "$log" | sed 's/^/    /'
	fi
done
echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
