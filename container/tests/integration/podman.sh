# container/tests/integration/podman.sh: podman (through conmon) drives
# isolab-ctr as its OCI runtime (`podman --runtime`): run --rm, run -it over
# conmon's console socket, ps, exec, stop. podman keeps its storage and run
# state under TEST_TMP (vfs, cgroupfs, no network: nothing leaves the
# machine); a wrapper logs each runtime call, so the test sees the
# lifecycle conmon issues. Natively (cgroup v1 hybrid) and in the lab (pure
# cgroup v2).
WHERE="host v2"
TEST_TIMEOUT=180

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"
ISOLAB=${ISOLAB_BUILD:-build}/isolab

podman_setup() {
	need
	command -v podman >/dev/null && command -v conmon >/dev/null || skip "no podman or conmon (make deps)"
	[ -x "$ISOLAB" ] || skip "build/isolab not built (make all)"
	cat >"$TEST_TMP/runtime" <<EOF
#!/bin/sh
echo "\$*" >>"$TEST_TMP/calls"
exec "$(realpath "$CTR")" "\$@"
EOF
	chmod +x "$TEST_TMP/runtime"
	# podman leaves its cgroups (libpod_parent, conmon's) behind: they go
	# after, unless they were there before
	if ! ls -d /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent >/dev/null 2>&1; then
		trap 'podman_cleanup; find /sys/fs/cgroup/ -maxdepth 3 -depth -type d -path "*libpod_parent*" -exec rmdir {} + 2>/dev/null || true' EXIT
	else
		trap podman_cleanup EXIT
	fi
	tar -C "$ROOTFS" -cf "$TEST_TMP/rootfs.tar" .
	"$ISOLAB" --root "$TEST_TMP/store" import "$TEST_TMP/rootfs.tar" bench:1 >/dev/null
	"$ISOLAB" --root "$TEST_TMP/store" save bench:1 -o "$TEST_TMP/bench.tar"
	assert_status 0 P pull -q "oci-archive:$TEST_TMP/bench.tar"
}

P() {
	podman --root "$TEST_TMP/podman/root" --runroot "$TEST_TMP/podman/run" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend none --runtime "$TEST_TMP/runtime" "$@"
}

podman_cleanup() {
	P rm -a -f -t 0 >/dev/null 2>&1 || true
	{ grep -o " $TEST_TMP/[^ ]*" /proc/self/mountinfo || true; } | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	return 0
}

called() { # VERB: the runtime was called with it
	grep -qE "(^| )$1( |$)" "$TEST_TMP/calls" || fail "podman never called \`$1\`: $(cut -c1-160 "$TEST_TMP/calls")"
}

RUN_OPTS=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

test_podman_run_rm() {
	podman_setup
	assert_status 0 P run --rm "${RUN_OPTS[@]}" bench:1 /bin/sh -c 'echo hello from isolab-ctr; echo pid $$; grep ^CapBnd /proc/self/status'
	assert_contains "$OUTPUT" "hello from isolab-ctr" "the program ran"
	assert_contains "$OUTPUT" "pid 1" "PID 1 of its own namespace"
	called create
	called start
	called delete
	assert_status 7 P run --rm "${RUN_OPTS[@]}" bench:1 /bin/sh -c 'exit 7'
}

test_podman_detached_ps_exec_stop() {
	podman_setup
	assert_status 0 P run -d --name web "${RUN_OPTS[@]}" bench:1 /bin/sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	assert_status 0 P ps --format '{{.Names}} {{.Status}}'
	assert_contains "$OUTPUT" "web Up" "podman ps lists it running"
	assert_status 0 P exec web /bin/sh -c 'echo exec in $(hostname); ls /proc | grep -c "^[0-9]"'
	assert_contains "$OUTPUT" "exec in" "podman exec ran in the container"
	called exec
	assert_status 0 P stop -t 5 web
	called kill
	assert_status 0 P ps -a --format '{{.Names}} {{.Status}}'
	assert_contains "$OUTPUT" "web Exited (0)" "stopped by TERM, exit 0"
	assert_status 0 P rm web
}

test_podman_run_it_over_the_console_socket() {
	podman_setup
	command -v python3 >/dev/null || skip "no python3"
	OUTPUT=$(python3 "${ISOLAB_ROOT:-.}/container/tests/ptyrun.py" "$(command -v podman)" \
		--root "$TEST_TMP/podman/root" --runroot "$TEST_TMP/podman/run" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend none --runtime "$TEST_TMP/runtime" \
		run --rm -it "${RUN_OPTS[@]}" bench:1 /bin/sh -c 'tty; stty size' 2>&1)
	assert_contains "$OUTPUT" "status=0" "podman run -it: $OUTPUT"
	assert_contains "$OUTPUT" "/dev/pts/" "the program's terminal is a pty"
	grep -qE "(^| )create .*--console-socket" "$TEST_TMP/calls" || fail "create without --console-socket: $(cat "$TEST_TMP/calls")"
}
