# container/tests/integration/hygiene.sh: what a hostile container's root
# tried against isolab-ctr, each attack a test that fails if it works:
# fds leaking in, the caller's terminal, --init exposing the runtime,
# --keep-layer trusting the layer, volumes following image symlinks,
# unbounded defaults, bad input. Natively here and in the lab (pure v2).
WHERE="host v2"
TEST_TIMEOUT=300

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

PYTHON=/usr/bin/python3
PTYRUN=${ISOLAB_ROOT:-.}/container/tests/ptyrun.py

one_line() { [ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "not one line: $OUTPUT"; }

test_caller_fds_not_inherited() {
	need
	local out
	exec 7</ 8<"$CTR"
	# only 0 1 2 and the directory ls itself reads
	out=$(run -- ls /proc/self/fd | tr '\n' ' ')
	assert_eq "0 1 2 3 " "$out" "fds in the container's program"
	# --init: PID 1 holds only 0 1 2 (no host directory, no cgroup fd)
	out=$(run --init -- ls /proc/1/fd | tr '\n' ' ')
	assert_eq "0 1 2 " "$out" "fds of PID 1 under --init"
	exec 7<&- 8<&-
}

test_tiocsti_into_callers_terminal_refused() {
	need
	[ -x "$PYTHON" ] || skip "no $PYTHON for a pseudo-terminal"
	[ -x "$ROOTFS/bin/tiocsti" ] || skip "no tiocsti helper in the image (make image)"
	local out
	out=$("$PYTHON" "$PTYRUN" "$CTR" run --rootfs "$ROOTFS" -- tiocsti 0 'echo INJECTED
')
	assert_contains "$out" "status=1" "TIOCSTI refused: $out"
	assert_contains "$out" "tiocsti: Operation not permitted" "the error"
	assert_contains "$out" "pending=b''" "nothing typed into the caller's terminal"
	assert_not_contains "$out" "injected" "TIOCSTI succeeded"
	# -t: a terminal of its own, not the caller's; the status passes through
	out=$("$PYTHON" "$PTYRUN" "$CTR" run --rootfs "$ROOTFS" -t -- sh -c 'tty; tiocsti 0 "echo X
" >/dev/null; exit 3')
	assert_contains "$out" "/dev/pts/0" "the container's own pty"
	assert_contains "$out" "pending=b''" "nothing typed into the caller's terminal with -t"
	assert_contains "$out" "status=3" "status with -t"
}

test_init_does_not_expose_the_runtime() {
	need
	local out host_id
	out=$(ISOLAB_SECRET=hostsecret run --init -- sh -c '
		tr "\0" "\n" </proc/1/environ; echo "environ-end"
		readlink /proc/1/exe; stat -L -c "%d:%i" /proc/1/exe
		printf x >>/proc/1/exe 2>/dev/null && echo WROTE-EXE; true')
	assert_not_contains "$out" "ISOLAB_SECRET" "the runtime's environment in /proc/1/environ"
	assert_contains "$out" "memfd:isolab-init" "/proc/1/exe"
	assert_not_contains "$out" "WROTE-EXE" "/proc/1/exe written"
	host_id=$(stat -L -c "%d:%i" "$CTR")
	assert_not_contains "$out" "$host_id" "/proc/1/exe is the host's isolab-ctr"
	[ "$(printf '%s\n' "$out" | sed -n 1p)" = environ-end ] || fail "PID 1's environment not empty: $out"
}

test_keep_layer_strips_what_the_container_made() {
	need
	local keep=$TEST_TMP/keep
	assert_status 0 run --keep-layer "$keep" -- sh -c '
		cp /bin/busybox /bin/suidsh && chmod 6755 /bin/suidsh
		mknod /mem c 1 1 && chmod 666 /mem; mknod /disk b 8 0; mkfifo /fifo
		ln -s /etc/shadow /link; echo data >/etc/marker'
	assert_contains "$OUTPUT" "isolab-ctr: warning: --keep-layer: left out 2 device node(s) and 1 FIFO(s) or socket(s), stripped setuid/setgid from 1" "warning"
	one_line
	[ -f "$keep/bin/suidsh" ] || fail "regular file not kept"
	[ ! -u "$keep/bin/suidsh" ] && [ ! -g "$keep/bin/suidsh" ] || fail "setuid/setgid kept"
	[ ! -e "$keep/mem" ] && [ ! -e "$keep/disk" ] && [ ! -e "$keep/fifo" ] || fail "device or FIFO kept"
	[ -L "$keep/link" ] && [ "$(readlink "$keep/link")" = /etc/shadow ] || fail "symlink not kept as a link"
	assert_eq data "$(cat "$keep/etc/marker")" "kept data"
	# only into a new directory: a reused one may hold planted links
	mkdir "$TEST_TMP/old" && ln -s /etc "$TEST_TMP/old/etc"
	assert_status 125 run --keep-layer "$TEST_TMP/old" -- sh -c 'echo evil >/etc/isolab-evil'
	assert_eq "isolab-ctr: --keep-layer \`$TEST_TMP/old\` (it must be a new directory): File exists" "$OUTPUT" "reused dir"
	[ ! -e /etc/isolab-evil ] || { rm -f /etc/isolab-evil; fail "wrote through a planted link"; }
	# --keep-devices asks for the nodes
	assert_status 0 run --keep-layer "$TEST_TMP/dev" --keep-devices -- mknod /null2 c 1 3
	[ -c "$TEST_TMP/dev/null2" ] || fail "--keep-devices did not keep the node"
}

test_volume_under_image_symlink_stays_inside() {
	need
	local victim=isolab-hostvictim-$$ before after
	mkdir -p "$TEST_TMP/layer" "$TEST_TMP/vol" "$TEST_TMP/vol2"
	ln -s /tmp "$TEST_TMP/layer/data"
	ln -s /tmp/$victim/x "$TEST_TMP/layer/dangling"
	echo v >"$TEST_TMP/vol/f"
	before=$(leftovers)
	# /data -> /tmp: the volume lands in the container's /tmp, not the host's
	assert_status 0 "$CTR" run --layer "$ROOTFS" --layer "$TEST_TMP/layer" \
		-v "$TEST_TMP/vol:/data/$victim/sub" -v "$TEST_TMP/vol/f:/data/$victim.file" -- \
		sh -c "cat /tmp/$victim/sub/f /tmp/$victim.file"
	assert_eq "v
v" "$OUTPUT" "volumes inside the container's root"
	[ ! -e /tmp/$victim ] && [ ! -e /tmp/$victim.file ] || { rm -rf /tmp/$victim /tmp/$victim.file; fail "created on the host"; }
	# a dangling link as a destination: refused, nothing made
	assert_status 125 "$CTR" run --layer "$ROOTFS" --layer "$TEST_TMP/layer" \
		-v "$TEST_TMP/vol2:/dangling" -- true
	assert_contains "$OUTPUT" "create \`/dangling\` in the container: File exists" "dangling link"
	one_line
	[ ! -e /tmp/$victim ] || { rm -rf /tmp/$victim; fail "created on the host through a dangling link"; }
	after=$(leftovers)
	assert_eq "$before" "$after" "state after the volume runs"
}

test_default_bounds() {
	need
	local name=bounds$$ pid dir
	"$CTR" run --rootfs "$ROOTFS" --name $name -- sleep 2 &
	pid=$!
	trap "kill $pid 2>/dev/null || true" EXIT
	if cgroup_v2; then dir=/sys/fs/cgroup/isolab-ctr/$name; else dir=/sys/fs/cgroup/pids/isolab-ctr/$name; fi
	for _ in $(seq 100); do [ -e "$dir/pids.max" ] && break; sleep 0.05; done
	assert_eq 2048 "$(cat "$dir/pids.max")" "default pids.max"
	wait $pid
	# the writable layer: 1G by default, --layer-size changes it
	assert_status 0 run -- sh -c 'df -k / | tail -1'
	assert_contains "$OUTPUT" " 1048576 " "default layer size"
	assert_status 0 run --layer-size 4M -- sh -c 'dd if=/dev/zero of=/big bs=1M count=8 2>&1; true'
	assert_contains "$OUTPUT" "No space left on device" "--layer-size 4M bounds writes"
	assert_status 0 run --pids unlimited --layer-size 0 -- true
}

test_bad_input_one_line_nothing_left() {
	need
	local before after long
	long=$(printf 'n%.0s' $(seq 65))
	before=$(leftovers)
	assert_status 125 run --memory 18446744073709551615 -- true
	assert_eq "isolab-ctr: --memory \`18446744073709551615\`: too large (at most 1024T)" "$OUTPUT" "2^64-1"
	assert_status 125 run --memory 9223372036854775808 -- true
	assert_contains "$OUTPUT" "too large" "2^63"
	one_line
	assert_status 125 run --name "$(printf 'a\nb')" -- true
	assert_contains "$OUTPUT" "invalid" "newline in the name"
	[ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 2 ] || fail "name message: $OUTPUT" # the name itself holds the newline
	assert_status 125 run --name "$long" -- true
	assert_contains "$OUTPUT" "container name" "65 bytes"
	one_line
	assert_status 125 run --name "a/b" -- true
	one_line
	# config.json: a memory limit under the minimum, a negative rlimit, a FIFO
	mkdir -p "$TEST_TMP/b1" "$TEST_TMP/b2" "$TEST_TMP/b3"
	printf '{"ociVersion":"1.0.2","root":{"path":"%s"},"process":{"args":["true"],"cwd":"/"},"linux":{"namespaces":[{"type":"mount"},{"type":"pid"}],"resources":{"memory":{"limit":4096}}}}' \
		"$(realpath "$ROOTFS")" >"$TEST_TMP/b1/config.json"
	assert_status 125 "$CTR" run --bundle "$TEST_TMP/b1"
	assert_eq "isolab-ctr: memory limit 4096 bytes: below the 6M minimum" "$OUTPUT" "bundle memory"
	printf '{"ociVersion":"1.0.2","root":{"path":"%s"},"process":{"args":["true"],"cwd":"/","rlimits":[{"type":"RLIMIT_NOFILE","soft":-1,"hard":-1}]},"linux":{"namespaces":[{"type":"mount"}]}}' \
		"$(realpath "$ROOTFS")" >"$TEST_TMP/b2/config.json"
	assert_status 125 "$CTR" run --bundle "$TEST_TMP/b2"
	assert_contains "$OUTPUT" "process.rlimits[0]: soft and hard must be non-negative integers" "negative rlimit"
	one_line
	mkfifo "$TEST_TMP/b3/config.json"
	assert_status 125 timeout 10 "$CTR" run --bundle "$TEST_TMP/b3"
	assert_contains "$OUTPUT" "config.json\`: not a regular file (a FIFO)" "FIFO config.json"
	one_line
	after=$(leftovers)
	assert_eq "$before" "$after" "state after bad input"
}
