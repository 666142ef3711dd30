# bench/tests/integration/resume.sh: no run is lost when the lab dies.
# A short `bench/run.sh` in the lab has its lab killed (QEMU, SIGKILL) in
# the middle of a unit; the run must go on in a fresh lab from the next
# unit, keep every unit measured before the kill, record the unit that was
# running as failed with lab/run's reason, and still draw its report.
WHERE="host"
TEST_TIMEOUT=900

test_lab_killed_mid_run_resumes_and_keeps_earlier_units() {
	command -v jq >/dev/null || skip "jq is not installed"
	[ -f "$ISOLAB_BUILD/lab/stamp" ] || fail "build/lab missing (make lab-assets)"
	local r f labtmp pid status before running
	r=$(mktemp -d "$ISOLAB_BUILD/bench-resume.XXXXXX")
	labtmp=$TEST_TMP/labtmp
	mkdir -p "$labtmp"
	trap "rm -rf '$r'; pkill -KILL -f 'isolab.dir=$labtmp/' 2>/dev/null || true" EXIT
	# The lab's temp dir (and so QEMU's command line) is under $labtmp: the
	# kill below can only hit this test's own lab.
	TMPDIR=$labtmp ISOLAB_BENCH_PLACE=lab bench/run.sh quick --results "$r" \
		--suites startup,memory --systems native,isolab-ctr --runs 6 --density-max 2 \
		>"$TEST_TMP/out" 2>&1 &
	pid=$!
	f=""
	for _ in $(seq 600); do
		f=$(ls "$r"/lab/*.json 2>/dev/null | head -n 1 || true)
		if [ -n "$f" ] && jq -e '(.progress.done | length) >= 4 and (.progress | has("running"))' \
			"$f" >/dev/null 2>&1; then
			break
		fi
		kill -0 "$pid" 2>/dev/null || fail "the run ended before the lab was killed: $(tail -c 2000 "$TEST_TMP/out")"
		sleep 0.2
	done
	[ -n "$f" ] || fail "no results file appeared: $(tail -c 2000 "$TEST_TMP/out")"
	before=$(jq -c '.progress.done' "$f")
	pkill -KILL -f "isolab.dir=$labtmp/" || fail "no QEMU of this test's lab to kill"
	status=0
	wait "$pid" || status=$?
	assert_eq 0 "$status" "bench/run.sh status after a lab death: $(tail -c 2000 "$TEST_TMP/out")"
	assert_contains "$(cat "$TEST_TMP/out")" "bench: the lab stopped (lab/run: L1 failed to boot or stopped without a status" \
		"the lab's death is reported"
	assert_contains "$(cat "$TEST_TMP/out")" "going on from the next unit in a fresh lab (boot 2 of" "the run resumes"
	assert_contains "$(cat "$TEST_TMP/out")" "(2 lab boot(s))" "summary line"
	# every unit done before the kill is still there, and the run finished
	jq -e --argjson before "$before" '.progress.complete and
		([$before[] as $u | .progress.done | index($u) != null] | all)' "$f" >/dev/null ||
		fail "units measured before the kill were lost: before $before, after $(jq -c .progress.done "$f")"
	jq -e '(.progress.resumes | length) == 1' "$f" >/dev/null || fail "resume not recorded"
	# the unit that was running (if the kill landed inside one) failed with lab/run's reason
	running=$(jq -r '.progress.resumes[0].failed_unit // empty' "$f")
	if [ -n "$running" ]; then
		jq -e --arg u "$running" '[.progress.failed[] | select(.unit == $u and
			(.reason | startswith("lab/run: L1 failed to boot or stopped")))] | length == 1' "$f" \
			>/dev/null || fail "the running unit $running is not recorded as failed: $(jq -c .progress.failed "$f")"
		assert_contains "$(cat "$r/REPORT.md")" "\`$running\`: lab/run: L1 failed" "REPORT.md lists the failed unit"
	fi
	# nothing measured twice: one sample per done start-up unit
	jq -e '.suites.startup.systems[] | select(.name == "native") | .first_line.n' "$f" >/dev/null ||
		fail "native start-up missing"
	jq -e '[.suites.startup.systems[] | .name as $n | .first_line.n + .failures ==
		([$ARGS.named.all[] | select(startswith("startup/") and endswith("/" + $n))] | length)] | all' \
		--argjson all "$(jq -c '[.progress.done[], (.progress.failed[] | .unit)]' "$f")" "$f" >/dev/null ||
		fail "start-up samples do not match the units: $(jq -c '[.suites.startup.systems[] | {name, n: .first_line.n, failures}]' "$f")"
	[ -s "$r/REPORT.md" ] || fail "no report drawn"
	assert_contains "$(cat "$r/REPORT.md")" "## Run status" "REPORT.md run status"
	[ -z "$(ls "$labtmp")" ] || fail "a lab temp dir was left: $(ls "$labtmp")"
}
