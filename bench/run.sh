#!/usr/bin/env bash
# bench/run.sh MODE [ISOLAB-BENCH RUN OPTIONS...]: the body of `make bench`
# (MODE full) and `make bench-quick` (MODE quick), after the build.
#
# Runs every suite where VMs can be measured: natively when /dev/kvm is
# usable, else inside the nested-KVM lab (lab/run), so that VMs and
# containers are always measured in the same place; then draws the report
# from the results file. Without /dev/kvm and without a lab it runs the
# container and process systems natively (environment "host-nokvm").
#
# No run is lost: isolab-bench writes its results file unit by unit. When
# the lab dies (lab/run exits 125, or 124 at its time limit), the unit that
# was running is recorded as failed with lab/run's last line as the reason,
# a fresh lab is started, and the run goes on from the next unit
# (`isolab-bench run --resume FILE`), up to ISOLAB_BENCH_LAB_BOOTS lab boots
# in all (default 4). The report is drawn from whatever finished and lists
# what failed; the exit status is 0 once the report is drawn.
#
# Options after MODE go to `isolab-bench run` (e.g. --results DIR), and
# `--resume FILE` goes on with an earlier run that was interrupted.
# Environment: ISOLAB_BENCH_LAB_MEM (default 12G full, 4G quick), ISOLAB_BENCH_PLACE=host
# to skip the lab (=lab to use it even where /dev/kvm works),
# ISOLAB_BENCH_LAB_BOOTS (default 4).
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
shift || true
args=()
# The lab's memory (L1's RAM). A full run sweeps density up to 1000
# containers and 100 VMs of 128M guest RAM each, stopping where the lab's
# MemAvailable would fall under max(512 MiB, 10% of MemTotal): with 4G the
# lab's limit, not the systems', would end most sweeps. This machine has
# 24 GiB; 12G leaves the other half to the host (QEMU's TCG, page cache,
# whatever else runs), and QEMU only takes what the lab touches. A quick
# run (2 instances at most) keeps 4G. The sweep to those counts is also
# what makes a full run long in the lab (some 2500 launches, a hundred
# guest boots per VMM): one lab boot may take 4800 s before it is cut.
case $mode in
full) limit=4800 lab_mem=12G ;;
quick) limit=900 lab_mem=4G; args+=(--quick) ;;
*) echo "bench/run.sh: unknown mode '$mode' (full, quick)" >&2; exit 2 ;;
esac
results=results resume=""
user=("$@")
for ((i = 0; i < ${#user[@]}; i++)); do
	case ${user[i]} in
	--results) results=${user[i + 1]:-results} ;;
	--resume) resume=${user[i + 1]:-} ;;
	esac
done
if [ -n "$resume" ]; then
	args=()  # the run goes on with the options in its file
fi
args+=("${user[@]}")

# git on the host (inside the lab it would walk the tree over 9p).
ISOLAB_GIT_COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
ISOLAB_GIT_TREE=$( (git status --porcelain --untracked-files=no 2>/dev/null | grep -q .) && echo dirty || echo clean)
export ISOLAB_GIT_COMMIT ISOLAB_GIT_TREE

kvm_usable() { [ -c /dev/kvm ] && { exec 9<>/dev/kvm; } 2>/dev/null && exec 9>&-; }

bench=$PWD/build/isolab-bench
start=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
if [ "${ISOLAB_BENCH_PLACE:-}" != lab ] && { kvm_usable || [ "${ISOLAB_LAB:-}" = 1 ]; }; then
	place=native env=native-kvm
	[ "${ISOLAB_LAB:-}" = 1 ] && env=lab
	echo "bench: $mode run natively (/dev/kvm usable)" >&2
elif [ -x lab/run ] && [ "${ISOLAB_BENCH_PLACE:-}" != host ]; then
	place=lab env=lab
	echo "bench: $mode run inside the nested-KVM lab (no usable /dev/kvm here)" >&2
else
	place=host env=host-nokvm
	echo "bench: $mode run of containers and processes only (no /dev/kvm, no lab)" >&2
	args+=(--env host-nokvm)
fi
file=${resume:-$results/$env/$stamp.json}
[ -n "$resume" ] || args+=(--results-file "$file")

errlog=$(mktemp "${TMPDIR:-/tmp}/isolab-bench-run.XXXXXX")
trap 'rm -f "$errlog"' EXIT

# in_place ARGS...: one `isolab-bench ARGS...` where this run measures.
in_place() {
	case $place in
	lab)
		lab/run --mem "${ISOLAB_BENCH_LAB_MEM:-$lab_mem}" --cpus 2 --timeout "$limit" -- \
			env ISOLAB_GIT_COMMIT="$ISOLAB_GIT_COMMIT" ISOLAB_GIT_TREE="$ISOLAB_GIT_TREE" \
			"$bench" "$@" ;;
	*) "$bench" "$@" ;;
	esac
}

# The lab's last word on why it stopped (lab/run's own line), for the unit it took down.
lab_reason() {
	local line
	line=$(grep -a '^lab/run: ' "$errlog" | tail -n 1)
	echo "${line:-lab/run exited $1 without saying why}"
}

boots=${ISOLAB_BENCH_LAB_BOOTS:-4}
[[ $boots =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: ISOLAB_BENCH_LAB_BOOTS '$boots' is not a positive number" >&2; exit 2; }
attempt=1
in_place run --no-report "${args[@]}" 2> >(tee "$errlog" >&2)
status=$?
while [ "$place" = lab ] && { [ $status = 125 ] || [ $status = 124 ]; } && [ $attempt -lt "$boots" ]; do
	reason=$(lab_reason $status)
	attempt=$((attempt + 1))
	sleep 1  # let the tee above finish writing
	if [ -f "$file" ]; then
		echo "bench: the lab stopped ($reason); going on from the next unit in a fresh lab (boot $attempt of $boots)" >&2
		: >"$errlog"
		in_place run --no-report --resume "$file" --resume-reason "$reason" 2> >(tee "$errlog" >&2)
	else
		echo "bench: the lab stopped before the run began ($reason); starting it again (boot $attempt of $boots)" >&2
		: >"$errlog"
		in_place run --no-report "${args[@]}" 2> >(tee "$errlog" >&2)
	fi
	status=$?
done
sleep 0.2
case $status in
0) ;;
130 | 143)
	echo "bench: interrupted; go on with: bench/run.sh $mode --resume $file" >&2
	exit $status ;;
*)
	if [ ! -f "$file" ]; then
		echo "bench: no results were written (status $status; see above)" >&2
		exit 1
	fi
	echo "bench: the run stopped early (status $status: $(lab_reason $status)); the report shows what finished" >&2 ;;
esac
"$bench" report "$file" --results "$results" || exit 1
boots_note=""
[ "$place" = lab ] && boots_note=" ($attempt lab boot(s))"
echo "bench: done in $(($(date +%s) - start)) s$boots_note; report: $results/REPORT.md" >&2
