#!/usr/bin/env bash
# bench/run.sh MODE [ISOLAB-BENCH RUN OPTIONS...]: the body of `make bench`
# (MODE full) and `make bench-quick` (MODE quick), after the build.
#
# Runs every suite where VMs can be measured: natively when /dev/kvm is
# usable, else inside the nested-KVM lab (lab/run), so that VMs and
# containers are always measured in the same place; then draws the report
# from the new results file. Without /dev/kvm and without a lab it runs the
# container and process systems natively (environment "host-nokvm").
#
# Options after MODE go to `isolab-bench run` (e.g. --results DIR).
# Environment: ISOLAB_BENCH_LAB_MEM (default 4G), ISOLAB_BENCH_PLACE=host
# to skip the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: bench/run.sh full|quick [isolab-bench run options]}
shift
args=(run --no-report)
case $mode in
full) limit=2400 ;;
quick) limit=600; args+=(--quick) ;;
*) echo "bench/run.sh: unknown mode '$mode' (full, quick)" >&2; exit 2 ;;
esac
args+=("$@")
results=results
for ((i = 1; i <= $#; i++)); do
	[ "${!i}" = --results ] && { j=$((i + 1)); results=${!j}; }
done

# git on the host (inside the lab it would walk the tree over 9p).
ISOLAB_GIT_COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
ISOLAB_GIT_TREE=$( (git status --porcelain --untracked-files=no 2>/dev/null | grep -q .) && echo dirty || echo clean)
export ISOLAB_GIT_COMMIT ISOLAB_GIT_TREE

kvm_usable() { [ -c /dev/kvm ] && { exec 9<>/dev/kvm; } 2>/dev/null && exec 9>&-; }

bench=$PWD/build/isolab-bench
start=$(date +%s)
if kvm_usable || [ "${ISOLAB_LAB:-}" = 1 ]; then
	echo "bench: $mode run natively (/dev/kvm usable)" >&2
	"$bench" "${args[@]}"
elif [ -x lab/run ] && [ "${ISOLAB_BENCH_PLACE:-}" != host ]; then
	echo "bench: $mode run inside the nested-KVM lab (no usable /dev/kvm here)" >&2
	lab/run --mem "${ISOLAB_BENCH_LAB_MEM:-4G}" --cpus 2 --timeout "$limit" -- \
		env ISOLAB_GIT_COMMIT="$ISOLAB_GIT_COMMIT" ISOLAB_GIT_TREE="$ISOLAB_GIT_TREE" \
		"$bench" "${args[@]}"
else
	echo "bench: $mode run of containers and processes only (no /dev/kvm, no lab)" >&2
	"$bench" "${args[@]}" --env host-nokvm
fi
"$bench" report --results "$results"
echo "bench: done in $(($(date +%s) - start)) s; report: $results/REPORT.md" >&2
