# bench/tests/integration/quick.sh: `make bench-quick` end to end (in the
# lab when this machine has no /dev/kvm, as `make bench` does), then the
# results file's structure and the pictures; and an interrupted run.
WHERE="host"
TEST_TIMEOUT=1200

# The results go under build/: a folder the lab can write to as well.
results_dir() {
	mkdir -p "$ISOLAB_BUILD"
	mktemp -d "$ISOLAB_BUILD/bench-test.XXXXXX"
}

need_tools() {
	command -v jq >/dev/null || skip "jq is not installed"
	[ -x "$ISOLAB_BUILD/isolab-bench" ] || fail "build/isolab-bench missing (make all)"
	[ -x "$ISOLAB_BUILD/probe" ] || fail "build/probe missing (make all)"
}

# pictures DIR NAME...: each plot there, a PNG (magic) and a whole SVG
pictures() {
	local plots=$1 p
	shift
	for p in "$@"; do
		[ -s "$plots/$p.png" ] || fail "missing $p.png"
		[ "$(head -c 8 "$plots/$p.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
			fail "$p.png is not a PNG"
		[ -s "$plots/$p.svg" ] || fail "missing $p.svg"
		grep -q '<svg' "$plots/$p.svg" || fail "$p.svg has no <svg> root"
		grep -q '</svg>' "$plots/$p.svg" || fail "$p.svg is truncated"
	done
}

test_quick_suite_writes_full_results_and_pictures() {
	need_tools
	local r json plots p f
	r=$(results_dir)
	trap "rm -rf '$r'" EXIT
	# the build suite runs no VM: it is checked natively, below, where
	# buildah is not emulated instruction by instruction (minutes in the lab)
	bench/run.sh quick --suites startup,memory,syscall,lifecycle --results "$r" >"$TEST_TMP/out" 2>&1 ||
		fail "bench/run.sh quick failed: $(tail -c 3000 "$TEST_TMP/out")"
	json=$(ls "$r"/*/*.json 2>/dev/null | head -n 1)
	[ -n "$json" ] || fail "no results file under $r: $(tail -c 2000 "$TEST_TMP/out")"
	case $json in
	*/native-kvm/*.json|*/lab/*.json|*/host-nokvm/*.json) ;;
	*) fail "results file in an unexpected place: $json" ;;
	esac
	[ "$(ls "$r"/*/*.json | wc -l)" = 1 ] || fail "more than one results file"
	ls "$r"/*/*.tmp.* 2>/dev/null && fail "a temporary file was left behind"

	jq -e '.format == "isolab-bench/1"' "$json" >/dev/null || fail "format"
	# environment block filled
	for f in name kvm kernel cpu git_commit timestamp; do
		jq -e --arg f "$f" '.environment[$f] | type == "string" and length > 0' "$json" >/dev/null ||
			fail "environment.$f empty"
	done
	jq -e '.environment.peers | type == "object"' "$json" >/dev/null || fail "environment.peers"
	if jq -e '.environment.name == "lab"' "$json" >/dev/null; then
		jq -e '.environment.host_kernel | length > 0' "$json" >/dev/null || fail "lab without host_kernel"
	fi
	# every suite present with systems
	for f in startup memory syscall lifecycle; do
		jq -e --arg f "$f" '.suites[$f].systems | type == "array" and length > 0' "$json" >/dev/null ||
			fail "suite $f missing or empty"
	done
	# start-up: native and isolab-ctr measured, samples non-empty, medians positive
	for f in native isolab-ctr; do
		jq -e --arg f "$f" '.suites.startup.systems[] | select(.name == $f) |
			.available and (.first_line.samples | length) > 0 and .first_line.median > 0
			and .exit.median >= .first_line.median and .first_line.p5 <= .first_line.p95' \
			"$json" >/dev/null || fail "startup: $f not measured: $(jq -c --arg f "$f" '.suites.startup.systems[] | select(.name == $f) | {note, last_error}' "$json")"
	done
	# every available system has as many samples as runs minus failures
	jq -e '.suites.startup as $s | [$s.systems[] | select(.available) |
		(.first_line.samples | length) + .failures == $s.runs] | all' "$json" >/dev/null ||
		fail "startup: sample counts do not match runs"
	# unavailable systems say why
	jq -e '[.. | objects | select(has("available") and .available == false) | .note | length > 0] | all' \
		"$json" >/dev/null || fail "an unavailable system has no note"
	# issue 16 item 1: interleaved rounds in a recorded, shuffled order; warm-ups
	# discarded and counted; every median of 3 or more runs and every ratio with
	# its 95% interval, the median inside it
	for f in startup syscall lifecycle; do
		jq -e --arg f "$f" '.suites[$f] as $s | ($s.seed | type == "number") and
			$s.seed_from == "random" and $s.rounds >= 1 and ($s.order | length) == $s.rounds and
			([$s.systems[] | select(.available) | .name] | sort) as $names |
			([$s.order[] | sort == $names] | all) and
			([$s.systems[] | select(.available) | .warmup >= 1] | all)' "$json" >/dev/null ||
			fail "$f: rounds, order or warm-ups: $(jq -c --arg f "$f" '.suites[$f] | {seed, rounds, order, w: [.systems[] | {name, warmup}]}' "$json" | head -c 800)"
	done
	jq -e '.suites.startup.rounds == .suites.startup.runs and .suites.syscall.rounds == 3' "$json" \
		>/dev/null || fail "default rounds: startup one run per round, syscall 3 with --quick"
	jq -e '[.. | objects | select(has("median") and has("samples") and (.n // 0) >= 3 and .unit == "ns" and
		(has("batch") | not)) | (.ci95 | length) == 2 and .ci95[0] <= .median and .median <= .ci95[1]] |
		length > 0 and all' "$json" >/dev/null || fail "a summary of 3 or more runs has no ci95 around its median"
	jq -e '[.suites.syscall.systems[] | select(.available) | .ops[] |
		.runs == 3 and (.ci95 | length) == 2 and .ci95[0] <= .median and .median <= .ci95[1]] | all' \
		"$json" >/dev/null || fail "syscall: an op without 3 runs and its interval"
	jq -e '[.suites.syscall.ratios[] | (.ci95 | length) == 2 and .ci95[0] <= .ratio and .ratio <= .ci95[1]] | all' \
		"$json" >/dev/null || fail "syscall: a ratio without its interval"
	jq -e '[.suites.startup.ratios[] | .ci95.first_line[0] <= .first_line and .first_line <= .ci95.first_line[1]] | all' \
		"$json" >/dev/null || fail "startup: a ratio without its interval"
	# VMs: measured wherever KVM was (native-kvm or the lab)
	if jq -e '.environment.kvm != "none"' "$json" >/dev/null; then
		jq -e '.suites.startup.systems[] | select(.name == "isolab-vmm") |
			.available and .first_line.median > 0 and (.stats_times | length) > 0' "$json" >/dev/null ||
			fail "isolab-vmm not measured with KVM: $(jq -c '.suites.startup.systems[] | select(.name == "isolab-vmm") | {note, last_error}' "$json")"
	fi
	# memory: native instance measured; its density sweep (--quick: 1, 2) reached its max,
	# each point with its per-instance spread over 5 x 5 reading pairs and the next start timed
	jq -e '.suites.memory.systems[] | select(.name == "native") |
		.instance_bytes > 0 and .density_max == 2 and .stopped == "max reached" and
		([.density[].instances] == [1, 2]) and
		([.density[] | .ok and .per_instance.n == 25 and .per_instance.p5 <= .per_instance.median and
			.per_instance.median <= .per_instance.p95 and .mem_available_after > 0 and
			.next_start_ns.n == 3 and .next_start_ns.median > 0] | all)' "$json" >/dev/null ||
		fail "memory: native: $(jq -c '.suites.memory.systems[] | select(.name == "native") | {stopped, density}' "$json")"
	jq -e '.suites.memory | .safety_bound_bytes >= 512 * 1048576 and
		.safety_bound_rule == "max(512 MiB, 10% of MemTotal)"' "$json" >/dev/null || fail "memory: no safety bound"
	# syscall: native ops with positive medians, ratios for isolab-ctr
	jq -e '.suites.syscall.systems[] | select(.name == "native") |
		(.ops | length) >= 8 and ([.ops[].median > 0] | all) and ([.ops[].samples | length > 0] | all)' \
		"$json" >/dev/null || fail "syscall: native ops"
	jq -e '[.suites.syscall.ratios[] | select(.system == "isolab-ctr")] | length >= 8' "$json" >/dev/null ||
		fail "syscall: no isolab-ctr ratios"
	# which kernel each figure comes from: a container's is native's, and a
	# ratio across kernels says so (issue 16, item 2)
	jq -e '.suites.syscall.systems[] | select(.name == "native") |
		(.kernel | length) > 0 and (.mitigations | type) == "object"' "$json" >/dev/null ||
		fail "syscall: native's kernel and mitigations not recorded"
	jq -e '[.suites.syscall.ratios[] | select(.system == "isolab-ctr") | .same_kernel] | all and length > 0' \
		"$json" >/dev/null || fail "syscall: isolab-ctr's ratios not marked same_kernel"
	if jq -e '.suites.syscall.systems[] | select(.name == "isolab-vmm-hostkernel") | .available' "$json" >/dev/null; then
		jq -e '[.suites.syscall.ratios[] | select(.system == "isolab-vmm-hostkernel") | .same_kernel] | all and length > 0' \
			"$json" >/dev/null || fail "syscall: the VM on the host's kernel is not a same-kernel ratio"
		jq -e '[.suites.syscall.ratios[] | select(.system == "isolab-vmm") | .same_kernel == false] | all and length > 0' \
			"$json" >/dev/null || fail "syscall: isolab-vmm's guest kernel not flagged as another kernel"
		grep -q '^| isolab-vmm-hostkernel | ' "$r/REPORT.md" || fail "REPORT.md: no kernel row for isolab-vmm-hostkernel"
	fi
	# type 2: qemu-tcg listed in start-up and syscall; measured natively,
	# and in the lab only on request (one line says so)
	jq -e '[.suites.startup.systems[], .suites.syscall.systems[] | select(.name == "qemu-tcg") |
		.available or (.note | startswith("software emulation inside the lab"))] | length == 2 and all' \
		"$json" >/dev/null || fail "qemu-tcg: $(jq -c '[.suites.startup.systems[] | select(.name == "qemu-tcg") | {available, note}]' "$json")"
	assert_contains "$(cat "$r/REPORT.md")" "| system | kernel | mitigations in force |" "REPORT.md kernels table"

	# lifecycle: isolab-ctr, runc and crun listed; isolab-ctr measured in every phase;
	# every usable runtime has as many sequences as runs minus failures; the ratio to
	# each peer measured; no container, state root or pid file left
	jq -e '[.suites.lifecycle.systems[].name] | index("isolab-ctr") != null and
		index("runc") != null and index("crun") != null' "$json" >/dev/null ||
		fail "lifecycle: a runtime is not listed: $(jq -c '.suites.lifecycle.systems' "$json" | head -c 600)"
	jq -e '.suites.lifecycle.systems[] | select(.name == "isolab-ctr") | .available and
		([.create, .start, .wait, .delete, .total][] | .n > 0) and .total.median > 0 and
		([range(0; .total.n) as $i | .total.samples[$i] >= .create.samples[$i] +
		  .start.samples[$i] + .wait.samples[$i] + .delete.samples[$i]] | all)' "$json" >/dev/null ||
		fail "lifecycle: isolab-ctr not measured: $(jq -c '.suites.lifecycle.systems[] | select(.name == "isolab-ctr") | {note, last_error}' "$json")"
	jq -e '.suites.lifecycle as $s | [$s.systems[] | select(.available) |
		(.total.samples | length) + .failures == $s.runs] | all' "$json" >/dev/null ||
		fail "lifecycle: sequence counts do not match runs"
	for f in runc crun; do
		if jq -e --arg f "$f" '.suites.lifecycle.systems[] | select(.name == $f) | .available and .total.n > 0' "$json" >/dev/null; then
			jq -e --arg f "isolab-ctr/$f" '.suites.lifecycle.ratios[] | select(.name == $f) | .total > 0' \
				"$json" >/dev/null || fail "lifecycle: no isolab-ctr/$f ratio"
		fi
	done

	pictures "$r/plots" startup startup_cdf vmm_phases memory density syscall lifecycle
	[ -s "$r/REPORT.md" ] || fail "no REPORT.md"
	assert_contains "$(cat "$r/REPORT.md")" "## Start-up" "REPORT.md"
	assert_contains "$(cat "$r/REPORT.md")" "plots/startup.png" "REPORT.md"
	assert_contains "$(cat "$r/REPORT.md")" "## OCI lifecycle: create, start, delete" "REPORT.md"
	assert_contains "$(cat "$r/REPORT.md")" "| isolab-ctr/runc |" "REPORT.md lifecycle ratios"
	assert_contains "$(cat "$r/REPORT.md")" "plots/lifecycle.png" "REPORT.md"
	assert_contains "$(cat "$r/REPORT.md")" "In brackets: the 95% confidence interval, a percentile bootstrap over the runs (B = 2000 resamples" "REPORT.md intervals"
	assert_contains "$(cat "$r/REPORT.md")" "Order: the probe runs in 3 interleaved rounds, shuffled each round (seed" "REPORT.md rounds"
	grep -Eq '^\| native \| process \| 3 \| [0-9.]+ [mu]?s \[[0-9.]+, [0-9.]+\] \|' "$r/REPORT.md" ||
		fail "REPORT.md: native's start-up median without its interval: $(grep '^| native |' "$r/REPORT.md")"
	if jq -e '.environment.kvm == "lab"' "$json" >/dev/null; then
		assert_contains "$(cat "$r/REPORT.md")" "Measured inside the nested-KVM lab" "REPORT.md caveat"
	fi
}

# The build suite as `make bench-quick` runs it, natively: isolab build
# against buildah bud, every rebuild checked to be cached.
test_build_suite_natively() {
	need_tools
	local r json
	r=$(results_dir)
	trap "rm -rf '$r'" EXIT
	ISOLAB_BENCH_PLACE=host bench/run.sh quick --suites build --results "$r" >"$TEST_TMP/out" 2>&1 ||
		fail "bench/run.sh quick --suites build failed: $(tail -c 3000 "$TEST_TMP/out")"
	json=$(ls "$r"/*/*.json 2>/dev/null | head -n 1)
	[ -n "$json" ] || fail "no results file under $r: $(tail -c 2000 "$TEST_TMP/out")"
	# build: both builders listed, isolab's measured (10 steps, a first build, rebuilds);
	# every usable builder has as many rebuilds as runs minus failures
	jq -e '[.suites.build.systems[].name] | index("isolab-build") != null and index("buildah") != null' \
		"$json" >/dev/null || fail "build: a builder is not listed: $(jq -c '.suites.build.systems' "$json" | head -c 600)"
	jq -e '.suites.build.systems[] | select(.name == "isolab-build") | .available and .steps == 10
		and .first_build.median > 0 and .rebuild.median > 0 and .rebuild.p5 <= .rebuild.p95' "$json" >/dev/null ||
		fail "build: isolab-build not measured: $(jq -c '.suites.build.systems[] | select(.name == "isolab-build") | {note, last_error}' "$json")"
	jq -e '.suites.build as $s | [$s.systems[] | select(.available) |
		(.rebuild.samples | length) + .failures == $s.runs] | all' "$json" >/dev/null ||
		fail "build: rebuild counts do not match runs"
	# natively buildah (make deps) must have been measured too, and the ratio made
	jq -e '.suites.build.systems[] | select(.name == "buildah") | .available and .rebuild.n > 0' "$json" \
		>/dev/null || fail "build: buildah not measured: $(jq -c '.suites.build.systems[] | select(.name == "buildah") | {note, last_error}' "$json")"
	jq -e '.suites.build.ratios[] | select(.name == "isolab-build/buildah") | .rebuild > 0' "$json" \
		>/dev/null || fail "build: no isolab-build/buildah ratio"
	# the builders' stores, containers and mounts are gone with the run
	! grep -q ' /[^ ]*/isolab-bench\.[^ /]*/build-' /proc/self/mountinfo || fail "a builder's mount was left behind"

	pictures "$r/plots" build
	assert_contains "$(cat "$r/REPORT.md")" "## Build: cached rebuild" "REPORT.md"
	# a report drawn elsewhere keeps its plots beside it, not in results/plots
	local before
	before=$(ls -l --time-style=+%s.%N results/plots 2>/dev/null | md5sum)
	assert_status 0 "$ISOLAB_BUILD/isolab-bench" report "$json" --out "$TEST_TMP/again/R.md"
	pictures "$TEST_TMP/again/plots" build
	assert_eq "$before" "$(ls -l --time-style=+%s.%N results/plots 2>/dev/null | md5sum)" "results/plots untouched"
}

# Interrupted mid-way (SIGTERM, then SIGKILL): what was measured stays, in
# a whole results file marked incomplete; no temp file, no work folder.
test_interrupted_run_keeps_what_it_measured() {
	need_tools
	local r pid status f
	r=$(results_dir)
	trap "rm -rf '$r'" EXIT
	f=$r/run.json
	mkdir -p "$TEST_TMP/tmp"
	TMPDIR=$TEST_TMP/tmp "$ISOLAB_BUILD/isolab-bench" run --suites startup --runs 5000 \
		--systems native --results-file "$f" --no-report >"$TEST_TMP/out" 2>&1 &
	pid=$!
	# wait (at most 20 s on a loaded machine) until a few runs are in the file
	for _ in $(seq 100); do
		[ -f "$f" ] && [ "$(jq '.progress.done | length' "$f" 2>/dev/null || echo 0)" -ge 3 ] && break
		sleep 0.2
	done
	[ -n "$(ls "$TEST_TMP/tmp")" ] || fail "no work folder while running (TMPDIR ignored?)"
	kill -0 "$pid" 2>/dev/null || fail "the run ended before it was interrupted: $(cat "$TEST_TMP/out")"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_eq 143 "$status" "exit status after SIGTERM"
	assert_contains "$(cat "$TEST_TMP/out")" "interrupted; what was measured is in $f" "message"
	assert_contains "$(cat "$TEST_TMP/out")" "--resume $f" "message"
	jq -e '.progress.complete == false and (.progress | has("running") | not)
		and (.progress.done | length) >= 3
		and (.suites.startup.systems[] | select(.name == "native") | .first_line.n) ==
		    ([.progress.done[] | select(startswith("startup/"))] | length)' "$f" >/dev/null ||
		fail "the interrupted run's file does not hold what it measured: $(jq -c .progress "$f" | head -c 600)"
	[ -z "$(find "$r" -name '*.tmp.*')" ] || fail "temp files left: $(find "$r" -name '*.tmp.*')"
	[ -z "$(ls "$TEST_TMP/tmp")" ] || fail "work folder left after SIGTERM"
	# a second new run refuses to overwrite it
	assert_status 1 "$ISOLAB_BUILD/isolab-bench" run --suites startup --runs 1 --systems native \
		--results-file "$f" --no-report
	assert_contains "$OUTPUT" "isolab-bench: results file \`$f\` exists" "message"

	rm -f "$f"
	TMPDIR=$TEST_TMP/tmp "$ISOLAB_BUILD/isolab-bench" run --suites startup --runs 5000 \
		--systems native --results-file "$f" --no-report >"$TEST_TMP/out" 2>&1 &
	pid=$!
	sleep 2
	kill -KILL "$pid"
	wait "$pid" || true
	jq -e '.progress.complete == false' "$f" >/dev/null || fail "after SIGKILL the file is not whole JSON"
	# nothing of the probe is left running in the killed run's process group
	sleep 0.5
	! pgrep -f "$ISOLAB_BUILD/probe start" >/dev/null || fail "a probe survived"
	# a resume sweeps a temp file the killed writer may have left
	: >"$f.tmp.999999999"
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" run --resume "$f" --runs 3
	timeout 600 "$ISOLAB_BUILD/isolab-bench" run --resume "$f" --resume-reason "test: SIGKILL" \
		--no-report >"$TEST_TMP/out" 2>&1 & pid=$!
	for _ in $(seq 100); do
		[ -e "$f.tmp.999999999" ] || break
		sleep 0.1
	done
	kill -TERM "$pid"; wait "$pid" || true
	[ ! -e "$f.tmp.999999999" ] || fail "a dead writer's temp file was not swept"
	jq -e '(.progress.resumes | length) == 1 and .progress.resumes[0].reason == "test: SIGKILL"' \
		"$f" >/dev/null || fail "the resume is not recorded: $(jq -c .progress.resumes "$f")"
}

test_bad_usage_exits_2_and_writes_nothing() {
	need_tools
	local r
	r=$(results_dir)
	trap "rm -rf '$r'" EXIT
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" run --runs 0 --results "$r"
	assert_contains "$OUTPUT" "isolab-bench: --runs" "message"
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" run --suites nope --results "$r"
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" run --systems native,dockr --results "$r"
	assert_contains "$OUTPUT" "unknown system \`dockr\`" "message"
	assert_status 1 "$ISOLAB_BUILD/isolab-bench" report --results "$r"
	assert_contains "$OUTPUT" "no results file" "report without results"
	# one line, with a hint when a known word is close
	local B=$ISOLAB_BUILD/isolab-bench
	assert_status 2 "$B" run --rnus 3 --results "$r"
	assert_eq "isolab-bench: unknown option \`--rnus\` (did you mean \`--runs\`?)" "$OUTPUT" "option typo"
	assert_status 2 "$B" run --memroy=64M --results "$r"
	assert_eq "isolab-bench: unknown option \`--memroy=64M\` (did you mean \`--memory\`?)" "$OUTPUT" "typo with a value"
	assert_status 2 "$B" rnu --results "$r"
	assert_eq "isolab-bench: unknown command \`rnu\` (did you mean \`run\`?)" "$OUTPUT" "command typo"
	assert_status 2 "$B" fly
	assert_eq "isolab-bench: unknown command \`fly\` (run, report, merge, help, version)" "$OUTPUT" "unknown command"
	assert_status 2 "$B" --verison
	assert_eq "isolab-bench: unknown option \`--verison\` (did you mean \`--version\`?)" "$OUTPUT" "top-level typo"
	assert_status 2 "$B" report --runs 3
	assert_eq "isolab-bench: unknown option \`--runs\`" "$OUTPUT" "a run option to report"
	assert_status 2 "$B" run --re x
	assert_eq "isolab-bench: option \`--re\` is ambiguous (--results, --results-file, --resume, --resume-reason)" \
		"$OUTPUT" "ambiguous"
	assert_status 2 "$B" run --quick=yes --results "$r"
	assert_eq "isolab-bench: option \`--quick\` takes no value" "$OUTPUT" "flag with a value"
	assert_status 2 "$B" run --results "$r" --runs
	assert_eq "isolab-bench: --runs: missing value" "$OUTPUT" "missing value"
	assert_status 2 "$B" run stray --results "$r"
	assert_eq "isolab-bench: unexpected argument \`stray\`" "$OUTPUT" "stray argument"
	# --seed N (64 bits), --rounds N, --memory SIZE (old spelling --vm-mem, -m)
	assert_status 2 "$B" run --seed -1 --results "$r"
	assert_eq "isolab-bench: --seed \`-1\`: not a non-negative integer" "$OUTPUT" "negative seed"
	assert_status 2 "$B" run --seed 18446744073709551616 --results "$r"
	assert_eq "isolab-bench: --seed \`18446744073709551616\`: not a non-negative integer" "$OUTPUT" "seed over 64 bits"
	assert_status 2 "$B" run --rounds 10001 --results "$r"
	assert_eq "isolab-bench: --rounds \`10001\`: larger than 10000" "$OUTPUT" "too many rounds"
	local mem
	for mem in --memory --vm-mem -m; do
		assert_status 2 "$B" run "$mem" 8M --results "$r"
		assert_eq "isolab-bench: --memory: at least 16M" "$OUTPUT" "$mem 8M"
	done
	# accepted, and then refused with --resume (which takes them from its file)
	for mem in "--seed 18446744073709551615" "--rounds 5" "--memory 64M" "--vm-mem 64M"; do
		# shellcheck disable=SC2086
		assert_status 2 "$B" run $mem --resume "$r/none.json"
		assert_contains "$OUTPUT" "isolab-bench: --resume: the run goes on with the options in" "$mem"
	done
	[ -z "$(find "$r" -mindepth 1)" ] || fail "bad usage left files: $(find "$r" -mindepth 1)"
}

# help_to_stdout ARGS...: isolab-bench ARGS prints the usage on stdout,
# nothing on stderr, and exits 0.
help_to_stdout() {
	local status=0
	"$ISOLAB_BUILD/isolab-bench" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
	[ "$status" = 0 ] || fail "isolab-bench $*: exit status $status: $(cat "$TEST_TMP/err")"
	[ ! -s "$TEST_TMP/err" ] || fail "isolab-bench $*: wrote to stderr: $(cat "$TEST_TMP/err")"
	assert_eq "usage: isolab-bench run [--suites startup,memory,syscall,build,lifecycle] [--runs N]" \
		"$(head -n 1 "$TEST_TMP/out")" "isolab-bench $*: first line"
	grep -q -- "--memory SIZE" "$TEST_TMP/out" || fail "isolab-bench $*: no --memory in the usage"
	grep -q -- "--seed N" "$TEST_TMP/out" || fail "isolab-bench $*: no --seed in the usage"
}

test_help_and_version_exit_0_on_stdout() {
	[ -x "$ISOLAB_BUILD/isolab-bench" ] || fail "build/isolab-bench missing (make all)"
	help_to_stdout --help
	help_to_stdout -h
	help_to_stdout help
	help_to_stdout help run
	help_to_stdout run --help
	help_to_stdout run --quick --help
	help_to_stdout report --help
	local v
	for v in --version version; do
		assert_status 0 "$ISOLAB_BUILD/isolab-bench" "$v"
		assert_eq "isolab-bench version $(sed -n 's/^#define ISOLAB_VERSION "\(.*\)"$/\1/p' \
			"$ISOLAB_ROOT/common/version.h")" "$OUTPUT" "$v"
	done
}
