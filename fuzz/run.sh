#!/usr/bin/env bash
# fuzz/run.sh: `make fuzz`. Runs each libFuzzer target for a bounded time
# over its committed seeds (fuzz/corpus/<target>/) and its own growing
# corpus (BUILD/corpus/<target>/, where libFuzzer writes new inputs), then
# prints one line per target and exits non-zero if any target crashed.
#
# usage: fuzz/run.sh BUILD_FUZZ_DIR SECONDS TARGET...
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$1 seconds=$2
shift 2
failed=()
for t in "$@"; do
	mkdir -p "$dir/corpus/$t" "$dir/artifacts" "$dir/logs"
	dict=()
	[ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
	echo "fuzz: $t for ${seconds}s (log: $dir/logs/$t.log)"
	# -timeout: an input taking over 10 s is a hang; -rss_limit_mb bounds memory.
	if "$dir/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" "${dict[@]}" \
		"$dir/corpus/$t" "fuzz/corpus/$t" >"$dir/logs/$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/logs/$t.log")
		cov=$(grep -o 'cov: [0-9]*' "$dir/logs/$t.log" | tail -n 1)
		echo "fuzz: $t ok: ${runs:-?} inputs, ${cov:-cov: ?}"
	else
		echo "fuzz: $t FAILED; see $dir/logs/$t.log and $dir/artifacts/$t-*"
		grep -m 3 -E 'ERROR|invariant broken|runtime error' "$dir/logs/$t.log" | sed 's/^/      /'
		failed+=("$t")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: ${#failed[@]} of $# targets failed: ${failed[*]}"
	exit 1
fi
echo "fuzz: all $# targets ran ${seconds}s without a crash"
