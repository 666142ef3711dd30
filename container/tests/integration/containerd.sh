# container/tests/integration/containerd.sh: containerd drives isolab-ctr
# as it drives runc. A containerd of the test's own (its own root, state,
# socket, no CRI) imports the shared image (saved by the engine as an OCI
# archive); `ctr run --runc-binary` makes the io.containerd.runc.v2 shim
# call isolab-ctr through a wrapper that logs each call, so the test sees
# the lifecycle the shim issues (create, start, kill, delete, exec, ...).
# containerd is stopped at the end and nothing of the runtime is left:
# state dirs, cgroups, mounts, shims. Natively (cgroup v1 hybrid) and in
# the lab (pure cgroup v2).
WHERE="host v2"
TEST_TIMEOUT=180

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"
ISOLAB=${ISOLAB_BUILD:-build}/isolab
NS=isolab-test

# Starts containerd under TEST_TMP and imports bench:1; sets CTR_CMD.
containerd_start() {
	need
	command -v containerd >/dev/null && command -v ctr >/dev/null || skip "no containerd (make deps)"
	[ -x "$ISOLAB" ] || skip "build/isolab not built (make all)"
	local d=$TEST_TMP/containerd i
	mkdir -p "$d"
	# What containerd and its shims make under /run/containerd (the shims'
	# sockets, whatever the config says) goes if it was not there before.
	[ -e /run/containerd ] && RUN_WAS_THERE=1 || RUN_WAS_THERE=0
	cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/sock"
[ttrpc]
  address = "$d/sock.ttrpc"
EOF
	containerd --config "$d/config.toml" >"$d/log" 2>&1 &
	CONTAINERD_PID=$!
	trap containerd_stop EXIT
	for i in $(seq 100); do
		[ -S "$d/sock" ] && break
		sleep 0.1
	done
	[ -S "$d/sock" ] || fail "containerd did not start: $(tail -5 "$d/log")"
	CTR_CMD=(ctr --address "$d/sock" --namespace "$NS")
	RUNC_ROOT=$TEST_TMP/runc-root
	# the runtime the shim calls: isolab-ctr, each call logged
	cat >"$TEST_TMP/runtime" <<EOF
#!/bin/sh
echo "\$*" >>"$TEST_TMP/calls"
exec "$(realpath "$CTR")" "\$@"
EOF
	chmod +x "$TEST_TMP/runtime"
	tar -C "$ROOTFS" -cf "$TEST_TMP/rootfs.tar" .
	"$ISOLAB" --root "$TEST_TMP/store" import "$TEST_TMP/rootfs.tar" bench:1 >/dev/null
	"$ISOLAB" --root "$TEST_TMP/store" save bench:1 -o "$TEST_TMP/bench.tar"
	assert_status 0 "${CTR_CMD[@]}" images import "$TEST_TMP/bench.tar"
}

containerd_stop() {
	local id
	for id in $("${CTR_CMD[@]}" tasks ls -q 2>/dev/null); do
		"${CTR_CMD[@]}" tasks kill -s KILL "$id" >/dev/null 2>&1 || true
		"${CTR_CMD[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true
	done
	for id in $("${CTR_CMD[@]}" containers ls -q 2>/dev/null); do
		"${CTR_CMD[@]}" containers delete "$id" >/dev/null 2>&1 || true
	done
	kill "$CONTAINERD_PID" 2>/dev/null && wait "$CONTAINERD_PID" 2>/dev/null
	# the snapshotter's mounts, if a task was cut short
	{ grep -o " $TEST_TMP/[^ ]*" /proc/self/mountinfo || true; } | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	[ "$RUN_WAS_THERE" = 1 ] || rm -rf /run/containerd
	return 0
}

crun_() { # ctr run with isolab-ctr as the runtime; OUTPUT, STATUS
	OUTPUT=$("${CTR_CMD[@]}" run --runc-binary "$TEST_TMP/runtime" --runc-root "$RUNC_ROOT" \
		"$@" 2>&1) && STATUS=0 || STATUS=$?
}

# Everything of one container: its cgroup (containerd names it
# /NAMESPACE/ID), the runtime's state dir, shims.
container_left() { # ID
	local c
	ls -d "$RUNC_ROOT/$1" 2>/dev/null
	if cgroup_v2; then
		ls -d "/sys/fs/cgroup/$NS/$1" 2>/dev/null
	else
		for c in memory pids cpu devices freezer; do ls -d "/sys/fs/cgroup/$c/$NS/$1" 2>/dev/null; done
	fi
	pgrep -f "containerd-shim-runc-v2 -namespace $NS -id $1" || true
	return 0
}

test_ctr_run_drives_the_lifecycle() {
	containerd_start
	crun_ --rm bench:1 c1 /bin/sh -c 'echo hello from isolab-ctr; hostname; grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status; echo pid $$'
	assert_eq 0 "$STATUS" "ctr run: $OUTPUT"
	assert_contains "$OUTPUT" "hello from isolab-ctr" "the program ran"
	assert_contains "$OUTPUT" "pid 1" "it is PID 1 of its own namespace"
	# containerd's default spec: Docker's 14 capabilities
	assert_contains "$OUTPUT" "CapBnd:	00000000a80425fb" "containerd's capability set applied"
	local calls
	calls=$(cut -d' ' -f1-12 "$TEST_TMP/calls")
	# the shim's sequence, in order: create, start, delete
	for verb in create start delete; do
		grep -qE "(^| )$verb( |$)" "$TEST_TMP/calls" || fail "the shim never called $verb: $calls"
	done
	[ "$(grep -nE '(^| )create ' "$TEST_TMP/calls" | head -1 | cut -d: -f1)" -lt \
	  "$(grep -nE '(^| )start ' "$TEST_TMP/calls" | head -1 | cut -d: -f1)" ] || fail "create after start: $calls"
	assert_contains "$(cat "$TEST_TMP/calls")" "--root $RUNC_ROOT" "the shim passes runc's --root"
	assert_contains "$(cat "$TEST_TMP/calls")" "--log-format json" "and runc's --log-format json"
	assert_eq "" "$(container_left c1)" "nothing of c1 left"
}

test_ctr_exit_status_and_signals() {
	containerd_start
	crun_ --rm bench:1 c2 /bin/sh -c 'exit 7'
	assert_eq 7 "$STATUS" "the exit status crosses containerd: $OUTPUT"
	# a detached task: exec into it, then kill it with a signal it traps
	crun_ -d bench:1 c3 /bin/sh -c 'trap "echo got TERM > /tmp/sig; exit 3" TERM; while :; do sleep 0.1; done'
	assert_eq 0 "$STATUS" "ctr run -d: $OUTPUT"
	assert_status 0 "${CTR_CMD[@]}" tasks exec --exec-id e1 c3 /bin/sh -c 'echo in c3; hostname; ls /proc | grep -c "^[0-9]"'
	assert_contains "$OUTPUT" "in c3" "exec ran in the container"
	assert_contains "$OUTPUT" "c3" "exec sees the container's hostname"
	grep -qE "(^| )exec " "$TEST_TMP/calls" || fail "the shim did not call exec: $(cat "$TEST_TMP/calls")"
	assert_status 0 "${CTR_CMD[@]}" tasks ls
	assert_contains "$(grep '^c3 ' <<<"$OUTPUT")" "RUNNING" "task listed running"
	assert_status 0 "${CTR_CMD[@]}" tasks kill -s TERM c3
	local i st=""
	for i in $(seq 100); do
		st=$("${CTR_CMD[@]}" tasks ls | awk '$1 == "c3" {print $3}')
		[ "$st" = STOPPED ] && break
		sleep 0.1
	done
	assert_eq STOPPED "$st" "TERM stopped the task"
	grep -qE "(^| )kill .*c3 (15|TERM|SIGTERM)" "$TEST_TMP/calls" || fail "no kill TERM call: $(cat "$TEST_TMP/calls")"
	assert_status 0 "${CTR_CMD[@]}" tasks delete c3
	assert_status 0 "${CTR_CMD[@]}" containers delete c3
	assert_eq "" "$(container_left c3)" "nothing of c3 left"
}
