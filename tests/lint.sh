#!/bin/sh
# lint.sh - static analysis of the project's own C code: cppcheck and
# clang-tidy (clang static analyzer and bugprone checks).  Prints
# "lint: N passed, M failed"; a tool that is not installed is skipped.
cd "$(dirname "$0")/.." || exit 1
srcs=$(ls main.c capture/*.c reassembly/*.c decoders/*.c alerts/*.c)
flags="-std=c11 -D_DEFAULT_SOURCE $(pkg-config --cflags libpcap libndpi json-c libgcrypt 2>/dev/null)"
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if command -v cppcheck >/dev/null 2>&1; then
	if cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	    --enable=warning,portability,performance \
	    --suppress=missingIncludeSystem -D__GNUC__ -I. $srcs >"$log" 2>&1; then
		pass=$((pass + 1)); echo "ok   lint cppcheck"
	else
		fail=$((fail + 1)); echo "FAIL lint cppcheck"; sed 's/^/    /' "$log" | head -40
	fi
else
	skip=$((skip + 1)); echo "SKIP lint cppcheck: not installed (apt-get install cppcheck)"
fi

tidy=$(command -v clang-tidy || command -v clang-tidy-14)
if [ -n "$tidy" ]; then
	checks='-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters'
	checks="$checks,-bugprone-reserved-identifier,-bugprone-narrowing-conversions"
	checks="$checks,-bugprone-assignment-in-if-condition"
	checks="$checks,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling"
	checks="$checks,-clang-analyzer-optin.performance.Padding"
	"$tidy" -quiet --checks="$checks" $srcs -- $flags >"$log" 2>&1
	if grep -qE '(warning|error):' "$log"; then
		fail=$((fail + 1)); echo "FAIL lint clang-tidy"
		grep -E '(warning|error):' "$log" | sed 's/^/    /' | head -40
	else
		pass=$((pass + 1)); echo "ok   lint clang-tidy"
	fi
else
	skip=$((skip + 1)); echo "SKIP lint clang-tidy: not installed (apt-get install clang-tidy)"
fi
echo "lint: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
