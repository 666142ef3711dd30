#!/usr/bin/env bash
# tests/integration.sh: runs integration test files (see tests/lib.sh for
# their format) and prints one line per test.
#
#   tests/integration.sh [--counts FILE] FILE...
#
# Prints "ok", "FAIL" (with the tail of the test's output) or "skip"
# (with the reason) per test, and writes "PASSED FAILED SKIPPED" to the
# counts file. Exits 0 if nothing failed, 1 otherwise.
set -uo pipefail

ISOLAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ISOLAB_ROOT ISOLAB_BUILD="$ISOLAB_ROOT/build"
export ISOLAB_PLACE=${ISOLAB_PLACE:-host}
counts=""
if [ "${1:-}" = "--counts" ]; then
	counts=$2
	shift 2
fi

passed=0 failed=0 skipped=0
for file in "$@"; do
	rel=${file#"$ISOLAB_ROOT"/}
	fns=$(bash -c 'source "$1"; declare -F' _ "$file" | awk '$3 ~ /^test_/ {print $3}')
	limit=$(bash -c 'source "$1"; echo "${TEST_TIMEOUT:-300}"' _ "$file")
	if [ -z "$fns" ]; then
		echo "FAIL $rel: defines no test_* function"
		failed=$((failed + 1))
		continue
	fi
	for fn in $fns; do
		log=$(mktemp)
		tmp=$(mktemp -d /tmp/isolab-test.XXXXXX)
		start=$(date +%s.%N)
		TEST_TMP=$tmp timeout -k 10 "$limit" bash -c '
			set -euo pipefail
			source "$ISOLAB_ROOT/tests/lib.sh"
			source "$1"
			cd "$ISOLAB_ROOT"
			"$2"' _ "$file" "$fn" >"$log" 2>&1 </dev/null
		status=$?
		secs=$(echo "$(date +%s.%N) - $start" | bc)
		secs=$(printf '%.1f' "$secs")
		rm -rf "$tmp"
		case $status in
		0)
			echo "ok   $rel $fn (${secs}s)"
			passed=$((passed + 1)) ;;
		77)
			echo "skip $rel $fn: $(grep '^SKIP: ' "$log" | tail -n 1 | cut -c7-)"
			skipped=$((skipped + 1)) ;;
		*)
			[ $status = 124 ] && echo "TIMEOUT after ${limit}s" >>"$log"
			echo "FAIL $rel $fn (exit $status, ${secs}s)"
			tail -n 25 "$log" | sed 's/^/     | /'
			failed=$((failed + 1)) ;;
		esac
		rm -f "$log"
	done
done

[ -n "$counts" ] && echo "$passed $failed $skipped" >"$counts"
[ "$failed" = 0 ]
