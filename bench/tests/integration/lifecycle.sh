# bench/tests/integration/lifecycle.sh: the lifecycle suite natively
# (`isolab-bench run --suites lifecycle`): each OCI runtime's create,
# start, wait, delete timed per phase, the ratios, the report's section
# and picture; a runtime whose trial fails is listed with what it printed;
# an interrupted run; and nothing left behind (containers, state roots,
# pid files, cgroups, processes).
WHERE="host"
TEST_TIMEOUT=300

need_tools() {
	command -v jq >/dev/null || skip "jq is not installed"
	[ -x "$ISOLAB_BUILD/isolab-bench" ] || fail "build/isolab-bench missing (make all)"
	[ -x "$ISOLAB_BUILD/isolab-ctr" ] || fail "build/isolab-ctr missing (make all)"
	[ -e "$ISOLAB_BUILD/image/rootfs/bin/true" ] || fail "build/image/rootfs missing (make image)"
	[ "$(id -u)" = 0 ] || skip "containers need root here"
}

# nothing_left TMPDIR: the run's work folder, its containers' cgroups and processes are gone.
nothing_left() {
	[ -z "$(ls -A "$1")" ] || fail "left in TMPDIR: $(ls -A "$1")"
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name 'isolab-bench-lc-*' 2>/dev/null)" ] ||
		fail "a cgroup was left: $(find /sys/fs/cgroup -maxdepth 4 -name 'isolab-bench-lc-*')"
	! pgrep -f "isolab-bench-lc-" >/dev/null || fail "a container process was left: $(pgrep -af isolab-bench-lc-)"
}

test_lifecycle_suite_times_each_phase_and_leaves_nothing() {
	need_tools
	local f=$TEST_TMP/r.json tmp=$TEST_TMP/tmp rt
	mkdir -p "$tmp"
	TMPDIR=$tmp "$ISOLAB_BUILD/isolab-bench" run --suites lifecycle --runs 3 --results-file "$f" \
		--env host-nokvm --no-report >"$TEST_TMP/out" 2>&1 ||
		fail "isolab-bench run failed: $(tail -c 2000 "$TEST_TMP/out")"
	jq -e '.progress.complete and (.suites | keys) == ["lifecycle"]' "$f" >/dev/null ||
		fail "not a complete lifecycle-only run: $(jq -c '.progress' "$f" | head -c 600)"
	jq -e '.suites.lifecycle | .runs == 3 and .process == "/bin/true" and .subreaper and
		(.bundle_spec | endswith(" spec")) and ([.systems[].name] | sort) == ["crun", "isolab-ctr", "runc"]' \
		"$f" >/dev/null || fail "suite head: $(jq -c '.suites.lifecycle | del(.systems)' "$f")"
	# every usable runtime: 3 sequences, each phase a sample, the total the wall time around them
	for rt in isolab-ctr runc crun; do
		jq -e --arg r "$rt" '.suites.lifecycle.systems[] | select(.name == $r) |
			(.available | not) or (.failures == 0 and
			 ([.create, .start, .wait, .delete, .total][] | .n == 3 and .p5 <= .median and .median <= .p95) and
			 ([range(0; 3) as $i | .total.samples[$i] >= .create.samples[$i] + .start.samples[$i] +
			   .wait.samples[$i] + .delete.samples[$i] and .create.samples[$i] > 0] | all) and
			 (.command | contains(" create --bundle ") and contains(" --pid-file ") and
			  contains(" start ID") and contains(" delete ID")))' "$f" >/dev/null ||
			fail "lifecycle: $rt: $(jq -c --arg r "$rt" '.suites.lifecycle.systems[] | select(.name == $r) | {available, note, failures, last_error, n: .total.n}' "$f")"
	done
	# 3 rounds of one sequence each, the order shuffled and recorded; the trial is the warm-up;
	# each median of 3 sequences with its interval
	jq -e '.suites.lifecycle | .rounds == 3 and (.seed | type == "number") and (.order | length) == 3 and
		([.systems[] | select(.available) | .name] | sort) as $n | ([.order[] | sort == $n] | all) and
		([.systems[] | select(.available) | .warmup == 1 and
		  ([.create, .start, .wait, .delete, .total | (.ci95 | length) == 2 and
		    .ci95[0] <= .median and .median <= .ci95[1]] | all)] | all)' "$f" >/dev/null ||
		fail "lifecycle: rounds, warm-ups or intervals: $(jq -c '.suites.lifecycle | {rounds, seed, order, w: [.systems[] | {name, warmup, ci: .total.ci95}]}' "$f")"
	jq -e '.suites.lifecycle.systems[] | select(.name == "isolab-ctr") | .available' "$f" >/dev/null ||
		fail "isolab-ctr unavailable: $(jq -r '.suites.lifecycle.systems[] | select(.name == "isolab-ctr") | .note' "$f")"
	# a runtime that cannot run here says why in one line (crun on a cgroup v1 hybrid host)
	jq -e '[.suites.lifecycle.systems[] | select(.available | not) |
		.note | startswith("trial run failed: ") and (contains("\n") | not)] | all' "$f" >/dev/null ||
		fail "an unavailable runtime's note: $(jq -c '[.suites.lifecycle.systems[] | {name, note}]' "$f")"
	# a ratio for each peer measured, of the total and of each phase
	for rt in runc crun; do
		if jq -e --arg r "$rt" '.suites.lifecycle.systems[] | select(.name == $r) | .available' "$f" >/dev/null; then
			jq -e --arg n "isolab-ctr/$rt" '.suites.lifecycle.ratios[] | select(.name == $n) |
				.total > 0 and .create > 0 and .start > 0 and .delete > 0 and
				.ci95.total[0] <= .total and .total <= .ci95.total[1]' "$f" >/dev/null ||
				fail "no ratio isolab-ctr/$rt: $(jq -c '.suites.lifecycle.ratios' "$f")"
		fi
	done
	nothing_left "$tmp"

	# the report: the section, the ratio table with the targets, the picture
	"$ISOLAB_BUILD/isolab-bench" report "$f" --plots "$TEST_TMP/plots" --out "$TEST_TMP/REPORT.md" \
		>"$TEST_TMP/out" 2>&1 || fail "report failed: $(cat "$TEST_TMP/out")"
	assert_contains "$(cat "$TEST_TMP/REPORT.md")" "## OCI lifecycle: create, start, delete" "REPORT.md"
	assert_contains "$(cat "$TEST_TMP/REPORT.md")" "| at most 0.50x |" "REPORT.md crun target"
	assert_contains "$(cat "$TEST_TMP/REPORT.md")" "| at most 0.25x |" "REPORT.md runc target"
	assert_contains "$(cat "$TEST_TMP/REPORT.md")" "| runtime | runs | median [95% CI] | p5 | p95 | failures |" "REPORT.md intervals"
	assert_contains "$(cat "$TEST_TMP/REPORT.md")" "Order: the sequences in 3 interleaved rounds, shuffled each round (seed" "REPORT.md rounds"
	[ "$(head -c 8 "$TEST_TMP/plots/lifecycle.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "lifecycle.png is not a PNG"
	grep -q '</svg>' "$TEST_TMP/plots/lifecycle.svg" || fail "lifecycle.svg missing or truncated"
	# the title says where and how many; the script redraws from its own
	# folder, wherever that was moved (no absolute `cd`)
	grep '^set title ' "$TEST_TMP/plots/lifecycle.gp" | grep -q '\\na host without KVM, N = 3 runs per system\\n.*Linux ' ||
		fail "lifecycle.gp title: $(grep '^set title' "$TEST_TMP/plots/lifecycle.gp")"
	! grep -q '^cd ' "$TEST_TMP/plots/lifecycle.gp" || fail "lifecycle.gp changes directory"
	mv "$TEST_TMP/plots" "$TEST_TMP/moved"
	rm "$TEST_TMP/moved/lifecycle.png"
	(cd "$TEST_TMP/moved" && gnuplot lifecycle.gp) >"$TEST_TMP/out" 2>&1 || fail "gnuplot lifecycle.gp in its moved folder: $(cat "$TEST_TMP/out")"
	[ -s "$TEST_TMP/moved/lifecycle.png" ] || fail "the moved script drew no lifecycle.png"
}

# A runtime whose create fails is listed unavailable with its message, and the run goes on.
test_runtime_whose_trial_fails_is_listed_with_its_message() {
	need_tools
	local b=$TEST_TMP/build f=$TEST_TMP/r.json tmp=$TEST_TMP/tmp
	mkdir -p "$b/image" "$tmp"
	ln -s "$(realpath "$ISOLAB_BUILD/image/rootfs")" "$b/image/rootfs"
	cat >"$b/isolab-ctr" <<'SH'
#!/bin/sh
# a runtime that refuses to create (for the test); its other verbs succeed
for a; do [ "$a" = create ] && { echo "isolab-ctr: create: refused for the test" >&2; exit 1; }; done
exit 0
SH
	chmod +x "$b/isolab-ctr"
	TMPDIR=$tmp "$ISOLAB_BUILD/isolab-bench" run --suites lifecycle --runs 2 --systems isolab-ctr \
		--build "$b" --results-file "$f" --env host-nokvm --no-report >"$TEST_TMP/out" 2>&1 ||
		fail "isolab-bench run failed: $(tail -c 2000 "$TEST_TMP/out")"
	assert_eq "trial run failed: isolab-ctr create: exit status 1: isolab-ctr: create: refused for the test" \
		"$(jq -r '.suites.lifecycle.systems[] | select(.name == "isolab-ctr") | .note' "$f")" "note"
	jq -e '. as $d | .suites.lifecycle | (.systems | length) == 1 and (.systems[0].available | not) and
		(.systems[0].total.n == 0) and .systems[0].warmup == 0 and .ratios == [] and
		([$d.progress.done[] | select(startswith("lifecycle/"))] | length) == 0' "$f" >/dev/null || fail "an unavailable runtime was measured: $(jq -c '.suites.lifecycle' "$f" | head -c 800)"
	nothing_left "$tmp"
}

# SIGTERM in the middle: status 143, what was measured kept, every container deleted.
test_interrupted_lifecycle_run_deletes_its_containers() {
	need_tools
	local f=$TEST_TMP/r.json tmp=$TEST_TMP/tmp pid status
	mkdir -p "$tmp"
	TMPDIR=$tmp "$ISOLAB_BUILD/isolab-bench" run --suites lifecycle --runs 5000 --systems isolab-ctr \
		--results-file "$f" --env host-nokvm --no-report >"$TEST_TMP/out" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		[ -f "$f" ] && [ "$(jq '.progress.done | length' "$f" 2>/dev/null || echo 0)" -ge 3 ] && break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null || fail "the run ended before it was interrupted: $(cat "$TEST_TMP/out")"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_eq 143 "$status" "exit status after SIGTERM"
	assert_contains "$(cat "$TEST_TMP/out")" "interrupted; what was measured is in $f" "message"
	jq -e '.progress.complete == false and (.suites.lifecycle.systems[0].total.n ==
		([.progress.done[] | select(startswith("lifecycle/"))] | length)) and
		.suites.lifecycle.systems[0].total.n >= 3' "$f" >/dev/null ||
		fail "the interrupted run's file: $(jq -c '.progress' "$f" | head -c 600)"
	nothing_left "$tmp"
}
