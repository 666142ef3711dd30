#!/usr/bin/env bash
# tests/integration.sh: runs integration test files (see tests/lib.sh for
# their format) and prints one line per test.
#
#   tests/integration.sh [--counts FILE] [--done FILE] FILE...
#   tests/integration.sh --list FILE...
#
# Prints "ok", "FAIL" (with the tail of the test's output) or "skip"
# (with the reason) per test, and writes "PASSED FAILED SKIPPED" to the
# counts file. Exits 0 if nothing failed, 1 otherwise.
#
# --done FILE: each test, once it has ended, is appended to FILE as
# "PATH FUNCTION ok|FAIL|skip", and a test FILE already lists is not run
# again: a run cut short (the lab died) goes on where it stopped.
# --list: prints "PATH FUNCTION" for every test, runs nothing.
set -uo pipefail

ISOLAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ISOLAB_ROOT ISOLAB_BUILD="$ISOLAB_ROOT/build"
export ISOLAB_PLACE=${ISOLAB_PLACE:-host}
counts="" done_file="" list=""
while [ $# -gt 0 ]; do
	case $1 in
	--counts) counts=$2; shift 2 ;;
	--done) done_file=$2; shift 2 ;;
	--list) list=yes; shift ;;
	*) break ;;
	esac
done

# already_done REL FN: the --done file lists this test.
already_done() {
	[ -n "$done_file" ] && [ -f "$done_file" ] &&
		awk -v r="$1" -v f="$2" '$1 == r && $2 == f { found = 1 } END { exit !found }' "$done_file"
}
record() {
	[ -z "$done_file" ] || echo "$1 $2 $3" >>"$done_file"
}

passed=0 failed=0 skipped=0
for file in "$@"; do
	rel=${file#"$ISOLAB_ROOT"/}
	fns=$(bash -c 'source "$1"; declare -F' _ "$file" | awk '$3 ~ /^test_/ {print $3}')
	limit=$(bash -c 'source "$1"; echo "${TEST_TIMEOUT:-300}"' _ "$file")
	if [ -n "$list" ]; then
		for fn in $fns; do echo "$rel $fn"; done
		continue
	fi
	if [ -z "$fns" ]; then
		echo "FAIL $rel: defines no test_* function"
		failed=$((failed + 1))
		continue
	fi
	for fn in $fns; do
		already_done "$rel" "$fn" && continue
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
			record "$rel" "$fn" ok
			passed=$((passed + 1)) ;;
		77)
			echo "skip $rel $fn: $(grep '^SKIP: ' "$log" | tail -n 1 | cut -c7-)"
			record "$rel" "$fn" skip
			skipped=$((skipped + 1)) ;;
		*)
			[ $status = 124 ] && echo "TIMEOUT after ${limit}s" >>"$log"
			echo "FAIL $rel $fn (exit $status, ${secs}s)"
			tail -n 25 "$log" | sed 's/^/     | /'
			record "$rel" "$fn" FAIL
			failed=$((failed + 1)) ;;
		esac
		rm -f "$log"
	done
done

[ -n "$counts" ] && echo "$passed $failed $skipped" >"$counts"
[ "$failed" = 0 ]
