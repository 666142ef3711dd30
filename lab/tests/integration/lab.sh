# lab/tests/integration/lab.sh: lab/run, from the outside. Each lab boot
# costs seconds, so each boot checks several things at once.
# Needs `make lab-assets build/lab-kvmcheck` (make test builds both).
WHERE="host"
TEST_TIMEOUT=240

LAB="$ISOLAB_ROOT/lab/run"

# lab_pids DIR [PREFIX]: PIDs of processes whose command line mentions a
# lab temp dir in DIR (lab/run makes it under $TMPDIR, which the tests point
# into TEST_TMP), after PREFIX (a regex) if given.
lab_pids() {
	pgrep -f -- "${2:-}$(printf '%s' "$1/isolab-lab." | sed 's/[][\\.*^$+?(){}|]/\\&/g')" || true
}

# assert_nothing_left DIR: no QEMU (or other process) of ours, no temp dir.
assert_nothing_left() {
	local left
	left=$(lab_pids "$1")
	[ -z "$left" ] || fail "processes left behind: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)")"
	left=$(find "$1" -maxdepth 1 -name 'isolab-lab.*')
	[ -z "$left" ] || fail "temp dirs left behind: $left"
}

# One boot: /dev/kvm answers API version 12 and creates a VM; cgroup v2
# with memory, cpu, pids offered and enabled; a file written under the
# repository is on the host afterwards; stdout and stderr come back byte
# for byte and apart; CMD's status 42 comes back; 2 CPUs by default; the
# KVM holder runs.
test_kvm_cgroups_repo_output_status_42() {
	[ -x "$ISOLAB_BUILD/lab-kvmcheck" ] || fail "build/lab-kvmcheck missing (make build/lab-kvmcheck)"
	local token got
	shared=$(mktemp -d "$ISOLAB_BUILD/lab-test.XXXXXX")
	trap 'rm -rf "$shared"' EXIT
	token="written in the lab $$ $RANDOM"
	got=0
	TMPDIR=$TEST_TMP "$LAB" -- sh -c '
		"$1/lab-kvmcheck" >"$2/kvm" 2>&1 || echo "kvmcheck exit $?" >>"$2/kvm"
		nproc >"$2/nproc"
		ls -l "/proc/$(cat /run/isolab/kvmhold.pid)/fd" >"$2/hold" 2>&1
		cat /sys/fs/cgroup/cgroup.controllers >"$2/controllers"
		cat /sys/fs/cgroup/cgroup.subtree_control >"$2/subtree"
		cmp "/boot/vmlinuz-$(uname -r)" "$1/lab/vmlinuz" >"$2/boot" 2>&1 && echo same >>"$2/boot"
		printf "%s\n" "$3" >"$2/token"
		printf "line one\nTAB\there CR\r kept\nno newline at the end"
		printf "to stderr\n" >&2
		exit 42' sh "$ISOLAB_BUILD" "$shared" "$token" >"$TEST_TMP/stdout" 2>"$TEST_TMP/stderr" || got=$?
	assert_eq 42 "$got" "lab/run exit status (stderr: $(head -c 500 "$TEST_TMP/stderr"))"
	assert_contains "$(cat "$shared/kvm")" "api_version 12" "KVM_GET_API_VERSION in the lab"
	assert_contains "$(cat "$shared/kvm")" "vm ok" "KVM_CREATE_VM/VCPU in the lab"
	assert_eq 2 "$(cat "$shared/nproc")" "CPUs online in L1 by default"
	# the VM that keeps L1's KVM static keys from flipping (lab/l1_kvmhold.c)
	assert_contains "$(cat "$shared/hold")" "anon_inode:kvm-vm" "isolab-l1-kvmhold's VM"
	assert_contains "$(cat "$shared/hold")" "anon_inode:kvm-vcpu:0" "isolab-l1-kvmhold's vCPU"
	local c
	for c in memory cpu pids; do
		grep -qw "$c" "$shared/controllers" || fail "cgroup.controllers lacks $c: $(cat "$shared/controllers")"
		grep -qw "$c" "$shared/subtree" || fail "cgroup.subtree_control lacks $c: $(cat "$shared/subtree")"
	done
	assert_eq "same" "$(cat "$shared/boot")" "/boot/vmlinuz-\$(uname -r) in L1: the kernel L1 runs"
	assert_eq "$token" "$(cat "$shared/token")" "file written in the lab, read on the host"
	printf 'line one\nTAB\there CR\r kept\nno newline at the end' >"$TEST_TMP/want.stdout"
	printf 'to stderr\n' >"$TEST_TMP/want.stderr"
	cmp -s "$TEST_TMP/want.stdout" "$TEST_TMP/stdout" ||
		fail "stdout not byte-exact: $(od -c "$TEST_TMP/stdout" | head -n 8)"
	cmp -s "$TEST_TMP/want.stderr" "$TEST_TMP/stderr" ||
		fail "stderr not byte-exact: $(od -c "$TEST_TMP/stderr" | head -n 8)"
	assert_nothing_left "$TEST_TMP"
}

# One boot, from a subfolder: the working directory, the variables passed
# in, user namespaces, an overlay whose lower dir is on the repository and
# whose upper dir is under /tmp, and exit status 1.
test_cwd_env_userns_overlay_status_1() {
	local got=0 out
	lower=$(mktemp -d "$ISOLAB_BUILD/lab-test.XXXXXX")
	trap 'rm -rf "$lower"' EXIT
	echo from-the-repo >"$lower/file"
	cd "$ISOLAB_ROOT/lab"
	out=$(ISOLAB_TEST_VAR="a b'c" NOT_PASSED=1 TMPDIR=$TEST_TMP "$LAB" --cpus 1 --mem 1G -- sh -c '
		echo "pwd=$(pwd)"
		echo "lab=$ISOLAB_LAB var=$ISOLAB_TEST_VAR notpassed=${NOT_PASSED:-unset}"
		echo "kernel=$ISOLAB_LAB_HOST_KERNEL"
		echo "cpus=$(nproc)"
		echo "userns=$(unshare -U -r id -u)"
		t=$(mktemp -d /tmp/lab-ovl.XXXXXX)
		mkdir "$t/u" "$t/w" "$t/m"
		mount -t overlay overlay -o "lowerdir=$1,upperdir=$t/u,workdir=$t/w" "$t/m" &&
			echo "overlay=$(cat "$t/m/file")"
		exit 1' sh "$lower" 2>&1) || got=$?
	assert_eq 1 "$got" "lab/run exit status (output: $out)"
	assert_contains "$out" "pwd=$ISOLAB_ROOT/lab" "working directory"
	assert_contains "$out" "lab=1 var=a b'c notpassed=unset" "variables"
	assert_contains "$out" "kernel=$(uname -r)" "ISOLAB_LAB_HOST_KERNEL"
	assert_contains "$out" "cpus=1" "--cpus 1"
	assert_contains "$out" "userns=0" "user namespace"
	assert_contains "$out" "overlay=from-the-repo" "overlay on the repository"
}

test_status_0() {
	assert_status 0 env TMPDIR="$TEST_TMP" "$LAB" -- true
	assert_eq "" "$OUTPUT" "output of true"
	assert_nothing_left "$TEST_TMP"
}

# Three labs at once: one ends by --timeout (124), one by SIGINT (130, as
# Ctrl-C), one by SIGTERM (143); none leaves a QEMU or a temp dir.
test_timeout_sigint_sigterm_concurrent() {
	local a b c sa=0 sb=0 sc=0 i d
	mkdir "$TEST_TMP/a" "$TEST_TMP/b" "$TEST_TMP/c"
	TMPDIR=$TEST_TMP/a "$LAB" --timeout 6 -- sleep 300 >"$TEST_TMP/a.out" 2>&1 &
	a=$!
	# A background job ignores SIGINT; a terminal's foreground job does not.
	TMPDIR=$TEST_TMP/b env --default-signal=INT "$LAB" -- sleep 300 >"$TEST_TMP/b.out" 2>&1 &
	b=$!
	TMPDIR=$TEST_TMP/c "$LAB" -- sleep 300 >"$TEST_TMP/c.out" 2>&1 &
	c=$!
	for d in b c; do
		for i in $(seq 150); do
			[ -n "$(lab_pids "$TEST_TMP/$d" '^qemu.*')" ] && break
			sleep 0.1
		done
		[ -n "$(lab_pids "$TEST_TMP/$d" '^qemu.*')" ] || fail "lab $d never started QEMU"
	done
	sleep 1
	kill -INT "$b"
	kill -TERM "$c"
	wait "$b" || sb=$?
	wait "$c" || sc=$?
	wait "$a" || sa=$?
	assert_eq 124 "$sa" "--timeout status ($(cat "$TEST_TMP/a.out"))"
	assert_eq 1 "$(wc -l <"$TEST_TMP/a.out")" "lines of the timeout message"
	assert_contains "$(cat "$TEST_TMP/a.out")" "timed out" "timeout message"
	assert_eq 130 "$sb" "SIGINT status ($(cat "$TEST_TMP/b.out"))"
	assert_eq 143 "$sc" "SIGTERM status ($(cat "$TEST_TMP/c.out"))"
	for d in a b c; do
		assert_nothing_left "$TEST_TMP/$d"
	done
}

test_missing_assets_one_line() {
	assert_status 125 env ISOLAB_LAB_ASSETS="$TEST_TMP/none" TMPDIR="$TEST_TMP" "$LAB" -- true
	assert_eq 1 "$(printf '%s\n' "$OUTPUT" | wc -l)" "lines of the error"
	assert_contains "$OUTPUT" "run make lab-assets" "missing assets error"
	assert_nothing_left "$TEST_TMP"
}

test_missing_qemu_one_line() {
	assert_status 125 env ISOLAB_LAB_QEMU="$TEST_TMP/no-qemu" TMPDIR="$TEST_TMP" "$LAB" -- true
	assert_eq 1 "$(printf '%s\n' "$OUTPUT" | wc -l)" "lines of the error"
	assert_contains "$OUTPUT" "is missing" "missing QEMU error"
}

test_bad_usage() {
	assert_status 126 "$LAB" --cpus zero -- true
	assert_contains "$OUTPUT" "--cpus" "bad --cpus"
	assert_status 126 "$LAB" --mem 4X -- true
	assert_status 126 "$LAB" --timeout -1 -- true
	assert_status 126 "$LAB" --
	assert_status 0 "$LAB" --help
	assert_contains "$OUTPUT" "usage: lab/run" "--help"
}
