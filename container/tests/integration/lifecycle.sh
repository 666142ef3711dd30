# container/tests/integration/lifecycle.sh: runc's lifecycle in
# isolab-ctr (container/lifecycle.h): create (the process waits on
# exec.fifo, the runtime returns), state, start, kill, delete, list, ps,
# pause/resume, exec; the sweep that leaves a live created container and
# cleans a dead one; and one bundle made by `runc spec` through runc and
# through isolab-ctr step by step. Each test uses a --root of its own in
# TEST_TMP and checks that nothing is left (mounts, cgroups, state dirs,
# owner records, processes).
WHERE="host"
TEST_TIMEOUT=60

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

# The program most tests run: says it started, prints the signal it gets.
TRAP_PROGRAM='echo started; trap "echo got TERM; exit 3" TERM; while :; do sleep 0.05; done'

setup() {
	need
	R=$TEST_TMP/root
	ID=lc$$
	B=$TEST_TMP/bundle
	make_bundle "$B" "$TRAP_PROGRAM"
	trap cleanup EXIT
}

# make_bundle DIR SHELL-SNIPPET: `runc spec` (isolab-ctr's own spec, which
# writes the same document, without runc), rootfs = the image, no
# terminal, sh -c SNIPPET.
make_bundle() {
	mkdir -p "$1"
	rm -f "$1/config.json"
	if command -v runc >/dev/null; then (cd "$1" && runc spec); else "$CTR" spec --bundle "$1"; fi
	jq --arg r "$(realpath "$ROOTFS")" --arg s "$2" \
		'.root.path = $r | .process.terminal = false | .process.args = ["sh", "-c", $s]' \
		"$1/config.json" >"$1/config.tmp"
	mv "$1/config.tmp" "$1/config.json"
}

# The caller's stdio are the container's (runc's pass-through): create's
# go to files, never to a pipe the test reads to its end; its messages
# are shown once it returns.
ctr() {
	local s=0
	case $1 in
	create)
		"$CTR" --root "$R" "$@" >>"$TEST_TMP/out" 2>"$TEST_TMP/create.err" </dev/null || s=$?
		cat "$TEST_TMP/create.err" >&2
		return $s ;;
	*) "$CTR" --root "$R" "$@" ;;
	esac
}

status_of() { ctr state "$1" | jq -r .status; }

# wait_status ID STATUS: up to 5 s.
wait_status() {
	for _ in $(seq 100); do
		[ "$(status_of "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	fail "$1: status $(status_of "$1" 2>&1), expected $2"
}

# wait_lines FILE N: until FILE has at least N lines (5 s).
wait_lines() {
	for _ in $(seq 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "$1: fewer than $2 lines: $(cat "$1")"
}

# gone PID: true once PID has exited (gone or a zombie), within 2.5 s.
gone() {
	for _ in $(seq 50); do
		[ -d /proc/$1 ] && [ "$(awk '/^State:/ {print $2}' /proc/$1/status 2>/dev/null)" != Z ] || return 0
		sleep 0.05
	done
	return 1
}

# What a container ID could leave: its state dir and tmpfs, its owner
# record, a cgroup in any hierarchy.
left_of() {
	local id=$1
	grep -F " $R/" /proc/self/mountinfo | awk '{print "mount " $5}' || true
	[ ! -e "$R/$id" ] || echo "state dir $R/$id"
	[ ! -e "$R/.owners/$id" ] && [ ! -L "$R/.owners/$id" ] || echo "owner record $id"
	ls -d /sys/fs/cgroup/isolab-ctr/"$id" /sys/fs/cgroup/*/isolab-ctr/"$id" 2>/dev/null | sed 's/^/cgroup /' || true
}

assert_nothing_left() {
	local id left
	for id in "$@"; do
		left=$(left_of "$id")
		assert_eq "" "$left" "left behind by $id"
	done
	assert_eq "" "$(ls -A "$R/.owners" 2>/dev/null)" "owner records"
}

# On any exit: whatever a failed test left, removed (then checked by the
# test itself on success).
cleanup() {
	local id
	for id in $(ls "$R" 2>/dev/null); do "$CTR" --root "$R" delete --force "$id" >/dev/null 2>&1 || true; done
	grep -F " $R/" /proc/self/mountinfo | awk '{print $5}' | xargs -r -n1 umount -l 2>/dev/null || true
	if command -v runc >/dev/null && [ -d "$TEST_TMP/runc" ]; then
		for id in $(runc --root "$TEST_TMP/runc" list -q 2>/dev/null); do
			runc --root "$TEST_TMP/runc" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
}

# create -> created (its process blocked, the program not started) ->
# start -> running -> kill -> stopped -> delete -> gone; with list, ps,
# exec and the refusals on the way.
test_create_start_kill_delete() {
	setup
	local pid ppid out=$TEST_TMP/out
	assert_status 0 ctr create --bundle "$B" --pid-file "$TEST_TMP/pid" "$ID"
	ctr create --bundle "$B" "$ID" >/dev/null 2>&1 && fail "a second create of $ID succeeded"
	assert_eq "created" "$(status_of "$ID")" "status after create"
	pid=$(ctr state "$ID" | jq -r .pid)
	assert_eq "$pid" "$(cat "$TEST_TMP/pid")" "--pid-file"
	[ -d "/proc/$pid" ] || fail "created container's process $pid is gone"
	# blocked opening exec.fifo (fs/pipe.c; wchan is 0 where it is hidden)
	case $(cat /proc/$pid/wchan) in
	wait_for_partner | 0) ;;
	*) fail "created container's process waits in $(cat /proc/$pid/wchan), not on exec.fifo" ;;
	esac
	assert_eq "isolab-ctr init" "$(cat /proc/$pid/comm)" "its command name"
	# no isolab-ctr is its parent: the runtime returned
	ppid=$(awk '/^PPid:/ {print $2}' /proc/$pid/status)
	assert_not_contains "$(cat /proc/$ppid/comm)" "isolab-ctr" "its parent ($ppid)"
	ctr state "$ID" | jq -e --arg b "$B" --arg id "$ID" \
		'(keys == ["bundle","created","id","ociVersion","owner","pid","rootfs","status"]) and
		 .id == $id and .bundle == $b and .ociVersion == "1.1.0" and .owner == "" and
		 (.created | test("^[0-9-]{10}T[0-9:.]+Z$"))' >/dev/null || fail "state: $(ctr state "$ID")"
	# list: runc's table, -q, json
	assert_status 0 ctr list
	assert_eq "ID          PID         STATUS      BUNDLE" "$(sed -n 1p <<<"$OUTPUT" | cut -c1-42)" "list header"
	assert_contains "$(sed -n 2p <<<"$OUTPUT")" "$ID" "list row"
	assert_contains "$(sed -n 2p <<<"$OUTPUT")" "created" "list row"
	assert_eq "$ID" "$(ctr list -q)" "list -q"
	assert_eq "created root" "$(ctr list --format json | jq -r '.[0] | "\(.status) \(.owner)"')" "list json"
	start_and_check "$out"
	assert_eq "$pid" "$(ctr state "$ID" | jq -r .pid)" "pid after start"
	# ps: the container's pids
	ctr ps --format json "$ID" | jq -e --argjson p "$pid" 'index($p) != null' >/dev/null ||
		fail "ps: $(ctr ps --format json "$ID")"
	assert_contains "$(ctr ps "$ID")" "sleep" "ps table"
	# delete refuses a running container
	assert_status 125 ctr delete "$ID"
	assert_eq "isolab-ctr: cannot delete container $ID that is not stopped: running" "$OUTPUT" "delete running"
	# exec: its pid namespace, its hostname (runc spec's), its exit status
	assert_status 4 ctr exec "$ID" sh -c 'echo "pid $$ host $(hostname) one $(tr "\0" " " </proc/1/cmdline)"; exit 4'
	assert_contains "$OUTPUT" "host runc one sh -c echo started" "exec sees the container"
	[ "$(sed 's/^pid \([0-9]*\) .*/\1/' <<<"$OUTPUT")" -lt 100 ] || fail "exec's pid: $OUTPUT"
	# kill: TERM by default, trapped and printed
	assert_status 0 ctr kill "$ID"
	wait_status "$ID" stopped
	wait_lines "$out" 2
	assert_eq "got TERM" "$(sed -n 2p "$out")" "signal delivered"
	assert_eq 0 "$(ctr state "$ID" | jq .pid)" "stopped: pid 0"
	assert_status 125 ctr kill "$ID" KILL
	assert_eq "isolab-ctr: container \`$ID\`: container not running" "$OUTPUT" "kill stopped"
	assert_status 125 ctr start "$ID"
	assert_eq "isolab-ctr: cannot start a container that has stopped" "$OUTPUT" "start stopped"
	assert_status 125 ctr exec "$ID" true
	assert_eq "isolab-ctr: exec failed: cannot exec in a stopped container" "$OUTPUT" "exec stopped"
	assert_status 0 ctr delete "$ID"
	assert_status 125 ctr state "$ID"
	assert_eq "isolab-ctr: container \`$ID\` does not exist" "$OUTPUT" "state after delete"
	assert_status 125 ctr delete "$ID"
	assert_eq "isolab-ctr: container \`$ID\` does not exist" "$OUTPUT" "delete twice"
	assert_status 0 ctr delete --force "$ID" # runc: no error with --force
	assert_nothing_left "$ID"
}

# start_and_check OUT: starts $ID (created), whose stdout is OUT.
start_and_check() {
	[ ! -s "$1" ] || fail "the program ran before start: $(cat "$1")"
	assert_status 0 ctr start "$ID"
	assert_eq "running" "$(status_of "$ID")" "status after start"
	wait_lines "$1" 1
	assert_eq "started" "$(sed -n 1p "$1")" "program output"
	assert_status 125 ctr start "$ID"
	assert_eq "isolab-ctr: cannot start an already running container" "$OUTPUT" "start twice"
}


# delete --force of a running container, delete of a created one (runc
# kills it), and of one whose process was killed.
test_delete_force_and_created() {
	setup
	local pid
	assert_status 0 ctr create --bundle "$B" "$ID"
	pid=$(ctr state "$ID" | jq -r .pid)
	assert_status 0 ctr delete "$ID"
	gone "$pid" || fail "created container's process survived delete"
	assert_nothing_left "$ID"
	assert_status 0 ctr create --bundle "$B" "$ID"
	assert_status 0 ctr start "$ID"
	pid=$(ctr state "$ID" | jq -r .pid)
	assert_status 0 ctr delete --force "$ID"
	gone "$pid" || fail "process $pid survived delete --force"
	assert_nothing_left "$ID"
}

# pause: a counter stops advancing, state says paused, exec is refused;
# resume: it advances again.
test_pause_resume() {
	setup
	local out=$TEST_TMP/out n1 n2
	make_bundle "$B" 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.02; done'
	assert_status 0 ctr create --bundle "$B" "$ID"
	assert_status 0 ctr start "$ID"
	wait_lines "$out" 3
	assert_status 0 ctr pause "$ID"
	assert_eq "paused" "$(status_of "$ID")" "status after pause"
	assert_eq "paused" "$(ctr list --format json | jq -r '.[0].status')" "list after pause"
	n1=$(wc -l <"$out")
	sleep 0.5
	n2=$(wc -l <"$out")
	assert_eq "$n1" "$n2" "lines while paused"
	assert_status 125 ctr exec "$ID" true
	assert_eq "isolab-ctr: exec failed: cannot exec in a paused container" "$OUTPUT" "exec paused"
	assert_status 125 ctr delete "$ID"
	assert_eq "isolab-ctr: cannot delete container $ID that is not stopped: paused" "$OUTPUT" "delete paused"
	assert_status 0 ctr resume "$ID"
	assert_eq "running" "$(status_of "$ID")" "status after resume"
	wait_lines "$out" $((n2 + 3))
	assert_status 125 ctr resume "$ID"
	assert_eq "isolab-ctr: container \`$ID\`: container not paused" "$OUTPUT" "resume running"
	# a paused container goes with delete --force
	assert_status 0 ctr pause "$ID"
	assert_status 0 ctr delete --force "$ID"
	assert_nothing_left "$ID"
}

# The process that ran create is gone (and its whole process group killed):
# the container is not harmed, starts, runs.
test_creator_killed() {
	setup
	local w
	setsid bash -c '"$0" --root "$1" create --bundle "$2" "$3" >>"$4" 2>&1; exec sleep 30' \
		"$CTR" "$R" "$B" "$ID" "$TEST_TMP/out" </dev/null &
	w=$!
	# until create returned (the wrapper became the sleep)
	for _ in $(seq 100); do [ "$(cat /proc/$w/comm)" = sleep ] && break; sleep 0.05; done
	[ -f "$R/$ID/state.json" ] || fail "create did not finish: $(cat "$TEST_TMP/out")"
	kill -KILL -- -"$w"
	wait "$w" 2>/dev/null || true
	sleep 0.2
	assert_eq "created" "$(status_of "$ID")" "status once its creator is killed"
	start_and_check "$TEST_TMP/out"
	assert_status 0 ctr delete --force "$ID"
	assert_nothing_left "$ID"
}

# create killed before it saved the container's state (here in a
# createRuntime hook, its cgroups made): delete --force ID, the command a
# user or a benchmark's clean-up types, removes what it left.
test_delete_force_after_create_killed() {
	setup
	local c hookpid
	jq --arg m "$TEST_TMP/in-hook" '.hooks = {createRuntime: [{path: "/bin/sh",
		args: ["sh", "-c", "echo $$ > \($m); exec sleep 30"]}]}' "$B/config.json" >"$B/c.tmp"
	mv "$B/c.tmp" "$B/config.json"
	"$CTR" --root "$R" create --bundle "$B" "$ID" >/dev/null 2>&1 </dev/null &
	c=$!
	for _ in $(seq 200); do [ -s "$TEST_TMP/in-hook" ] && break; sleep 0.05; done
	hookpid=$(cat "$TEST_TMP/in-hook")
	kill -KILL "$c"
	wait "$c" 2>/dev/null || true
	kill -KILL "$hookpid" 2>/dev/null || true
	[ ! -e "$R/$ID/state.json" ] || fail "create saved its state before the hook"
	[ -n "$(left_of "$ID" | grep '^cgroup ')" ] || fail "the killed create left no cgroup: the test shows nothing"
	assert_status 125 ctr state "$ID"
	assert_status 0 ctr delete --force "$ID"
	assert_eq "" "$OUTPUT" "output of delete --force"
	assert_nothing_left "$ID"
	# and again: nothing to remove is no error (runc's rule)
	assert_status 0 ctr delete --force "$ID"
}

# sweep (and run, which sweeps first) leaves a live created container and
# its id; once its process is killed run's sweep keeps it (stopped, for
# delete, as runc's), and `sweep` removes all it had.
test_sweep_keeps_live_cleans_dead() {
	setup
	local pid
	assert_status 0 ctr create --bundle "$B" "$ID"
	pid=$(ctr state "$ID" | jq -r .pid)
	assert_eq "$pid" "$(readlink "$R/.owners/$ID" | cut -d' ' -f1)" "owner record: the container's pid"
	assert_status 0 ctr sweep
	assert_status 0 ctr run --rootfs "$ROOTFS" -- true
	assert_eq "created" "$(status_of "$ID")" "status after sweeps"
	assert_status 125 ctr run --rootfs "$ROOTFS" --name "$ID" -- true
	assert_contains "$OUTPUT" "container \`$ID\` already exists" "its id still taken"
	kill -KILL "$pid"
	wait_status "$ID" stopped
	assert_status 0 ctr run --rootfs "$ROOTFS" -- true
	assert_eq "stopped" "$(status_of "$ID")" "status after run's sweep"
	assert_status 0 ctr sweep
	assert_status 125 ctr state "$ID"
	assert_eq "isolab-ctr: container \`$ID\` does not exist" "$OUTPUT" "state after sweep"
	assert_nothing_left "$ID"
}

# exec: --process (runc's process.json: its own args and user), -d with
# --pid-file (the process is in the container's cgroup), kill --all.
test_exec_process_detach_kill_all() {
	setup
	local out=$TEST_TMP/out pid
	assert_status 0 ctr create --bundle "$B" "$ID"
	assert_status 0 ctr start "$ID"
	jq '.process | .args = ["sh", "-c", "id -u; id -g; grep NoNewPrivs /proc/self/status"] | .user = {"uid": 1000, "gid": 1001}' \
		"$B/config.json" >"$TEST_TMP/process.json"
	assert_status 0 ctr exec --process "$TEST_TMP/process.json" "$ID"
	assert_eq $'1000\n1001\nNoNewPrivs:\t1' "$OUTPUT" "exec --process"
	# its stdio are the process's: not the pipe assert_status reads to its end
	ctr exec -d --pid-file "$TEST_TMP/epid" "$ID" sleep 30 >/dev/null 2>&1 </dev/null ||
		fail "exec -d"
	pid=$(cat "$TEST_TMP/epid")
	ctr ps --format json "$ID" | jq -e --argjson p "$pid" 'index($p) != null' >/dev/null ||
		fail "exec -d's process $pid not in the container: $(ctr ps --format json "$ID")"
	# the runtime forwards a signal to the process it waits for
	"$CTR" --root "$R" exec "$ID" sh -c 'trap "echo got TERM; exit 9" TERM; echo ready; while :; do sleep 0.05; done' \
		>"$TEST_TMP/exec.out" 2>&1 </dev/null &
	local e=$! s=0
	wait_lines "$TEST_TMP/exec.out" 1
	kill -TERM "$e"
	wait "$e" || s=$?
	assert_eq "9 got TERM" "$s $(sed -n 2p "$TEST_TMP/exec.out")" "exec: TERM forwarded, exit status"
	assert_status 127 ctr exec "$ID" no-such-program
	assert_eq "isolab-ctr: exec \`no-such-program\`: command not found in PATH" "$OUTPUT" "exec missing"
	assert_status 0 ctr kill --all "$ID" KILL
	wait_status "$ID" stopped
	gone "$pid" || fail "kill --all left $pid"
	assert_status 0 ctr delete "$ID"
	assert_nothing_left "$ID"
}

# Errors: one line, 125, runc's words; JSON lines in --log.
test_errors_one_line() {
	setup
	local log=$TEST_TMP/log.json
	assert_status 125 "$CTR" --root "$R" --log "$log" --log-format json state "nosuch$$"
	assert_eq "isolab-ctr: container \`nosuch$$\` does not exist" "$OUTPUT" "missing"
	tail -n 1 "$log" | jq -e --arg m "container \`nosuch$$\` does not exist" '.level == "error" and .msg == $m' >/dev/null ||
		fail "log: $(cat "$log")"
	assert_status 125 ctr kill "nosuch$$" FOO
	assert_eq "isolab-ctr: signal \`FOO\`: unknown (e.g. TERM, SIGKILL, 9)" "$OUTPUT" "bad signal"
	assert_status 125 ctr start "a/b"
	assert_eq "isolab-ctr: container name \`a/b\`: invalid (1 to 64 of A-Z a-z 0-9 _ + - ., not starting with a dot)" "$OUTPUT" "bad id"
	assert_status 125 ctr create --bundle "$TEST_TMP/none" "$ID"
	assert_eq "isolab-ctr: bundle \`$TEST_TMP/none\`: No such file or directory" "$OUTPUT" "missing bundle"
	# a failure once the process exists (here the pid file) takes it and
	# all the rest away
	assert_status 125 ctr create --bundle "$B" --pid-file "$TEST_TMP/no/pid" "${ID}p"
	assert_eq "isolab-ctr: --pid-file: write \`$TEST_TMP/no/pid\`: No such file or directory" "$OUTPUT" "pid file"
	assert_nothing_left "${ID}p"
	assert_status 0 ctr create --bundle "$B" "$ID"
	assert_status 125 ctr create --bundle "$B" "$ID"
	assert_eq "isolab-ctr: container \`$ID\` already exists: create owner record \`$R/.owners/$ID\`: File exists" "$OUTPUT" "exists"
	jq '.process.terminal = true' "$B/config.json" >"$TEST_TMP/c" && mv "$TEST_TMP/c" "$B/config.json"
	assert_status 125 ctr create --bundle "$B" "${ID}t"
	assert_eq "isolab-ctr: cannot allocate tty if isolab-ctr will detach without setting console socket" "$OUTPUT" "tty"
	assert_status 0 ctr delete "$ID"
	assert_nothing_left "$ID" "${ID}t"
}

# The same bundle (runc spec, a probe program) through runc and through
# isolab-ctr: the state's fields and statuses at each step, the output
# (capability and no_new_privs lines, the TERM it traps) and, with run,
# the exit status.
test_same_bundle_as_runc() {
	setup
	command -v runc >/dev/null || skip "runc not installed"
	make_bundle "$B" 'grep -E "^(CapBnd|CapEff|CapPrm|NoNewPrivs)" /proc/self/status; trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.05; done'
	local rt kind
	for rt in runc isolab; do
		if [ $rt = runc ]; then
			rc_() { runc --root "$TEST_TMP/runc" "$@"; }
		else
			rc_() { "$CTR" --root "$R" "$@"; }
		fi
		: >"$TEST_TMP/$rt.out"
		rc_ create --bundle "$B" "$ID" >>"$TEST_TMP/$rt.out" 2>&1 || fail "$rt create"
		rc_ state "$ID" | jq -c '[keys, .status, (.pid > 0)]' >"$TEST_TMP/$rt.steps"
		rc_ start "$ID" || fail "$rt start"
		rc_ state "$ID" | jq -c '[keys, .status, (.pid > 0)]' >>"$TEST_TMP/$rt.steps"
		wait_lines "$TEST_TMP/$rt.out" 5
		rc_ kill "$ID" TERM || fail "$rt kill"
		for _ in $(seq 100); do [ "$(rc_ state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.05; done
		rc_ state "$ID" | jq -c '[keys, .status, (.pid > 0)]' >>"$TEST_TMP/$rt.steps"
		rc_ delete "$ID" || fail "$rt delete"
		rc_ state "$ID" >/dev/null 2>&1 && fail "$rt: state after delete"
		wait_lines "$TEST_TMP/$rt.out" 6
	done
	assert_eq "$(cat "$TEST_TMP/runc.steps")" "$(cat "$TEST_TMP/isolab.steps")" "state at each step"
	assert_eq '["bundle","created","id","ociVersion","owner","pid","rootfs","status"],"stopped",false]' \
		"$(tail -n 1 "$TEST_TMP/isolab.steps" | cut -d[ -f2-)" "stopped state"
	assert_eq "$(cat "$TEST_TMP/runc.out")" "$(cat "$TEST_TMP/isolab.out")" "output (caps, NoNewPrivs, TERM)"
	assert_contains "$(cat "$TEST_TMP/isolab.out")" "got TERM" "TERM delivered"
	# the exit status, through run (runc run: its own foreground child)
	make_bundle "$B" 'exit 7'
	local s1=0 s2=0
	runc --root "$TEST_TMP/runc" run --bundle "$B" "$ID" </dev/null || s1=$?
	"$CTR" --root "$R" run --bundle "$B" "$ID" </dev/null || s2=$?
	assert_eq "7 7" "$s1 $s2" "exit status (runc, isolab-ctr)"
	assert_nothing_left "$ID"
}

# process.terminal with --console-socket: the pty master reaches the
# caller over the socket (runc's recvtty), and the container's shell, on
# its own /dev/pts, answers through it.
test_console_socket() {
	setup
	command -v python3 >/dev/null || skip "python3 not installed"
	jq '.process.terminal = true | .process.args = ["sh"]' "$B/config.json" >"$TEST_TMP/c"
	mv "$TEST_TMP/c" "$B/config.json"
	OUTPUT=$(python3 "$ISOLAB_ROOT/container/tests/recvtty.py" "$CTR" "$R" "$B" "$ID" \
		"$TEST_TMP/console.sock" 'echo hi-$((6*7)); tty; exit 5') || fail "recvtty: $OUTPUT"
	assert_contains "$OUTPUT" "received /dev/ptmx, 1 fd" "the master over the socket"
	assert_contains "$OUTPUT" "create exit 0" "create"
	assert_contains "$OUTPUT" $'hi-42\r\n/dev/pts/0' "the shell's answer on its terminal"
	wait_status "$ID" stopped
	assert_status 0 ctr delete "$ID"
	assert_nothing_left "$ID"
}

# exec's process flags as runc's (exec_flags.h): -e (the last value of a
# key wins), --cwd, -u UID[:GID], --cap, --no-new-privs, --preserve-fds,
# -t (a terminal relayed to the caller), --process winning over them, and
# a bad value of each refused with one line.
test_exec_runc_flags() {
	setup
	local want
	jq '.process.noNewPrivileges = false | .process.env += ["FOO=config"]' "$B/config.json" >"$TEST_TMP/c"
	mv "$TEST_TMP/c" "$B/config.json"
	assert_status 0 ctr create --bundle "$B" "$ID"
	assert_status 0 ctr start "$ID"
	assert_status 0 ctr exec "$ID" sh -c 'echo $FOO; pwd; id -u; id -g; grep NoNewPrivs /proc/self/status'
	assert_eq $'config\n/\n0\n0\nNoNewPrivs:\t0' "$OUTPUT" "the bundle's process"
	assert_status 0 ctr exec -e FOO=one --env BAR=two -e FOO=three --cwd /tmp -u 1000:1001 --no-new-privs \
		"$ID" sh -c 'echo $FOO $BAR; pwd; id -u; id -g; grep NoNewPrivs /proc/self/status'
	assert_eq $'three two\n/tmp\n1000\n1001\nNoNewPrivs:\t1' "$OUTPUT" "-e --env --cwd -u --no-new-privs"
	assert_status 0 ctr exec -u 1000 "$ID" sh -c 'id -u; id -g'
	assert_eq $'1000\n0' "$OUTPUT" "-u UID keeps the process's GID"
	# runc spec's capabilities (kill, net_bind_service, audit_write), then with net_raw
	want=$(ctr exec "$ID" sh -c 'grep CapEff /proc/self/status')
	assert_status 0 ctr exec --cap CAP_NET_RAW -c sys_chroot "$ID" sh -c 'grep -E "^Cap(Eff|Bnd|Prm)" /proc/self/status'
	assert_eq $'CapPrm:\t0000000020042420\nCapEff:\t0000000020042420\nCapBnd:\t0000000020042420' "$OUTPUT" "--cap, -c added to bounding, effective, permitted (was $want)"
	# --process wins whole over the process flags
	jq '.process | .args = ["sh", "-c", "echo ${FOO:-unset}; pwd; id -u"] | .cwd = "/etc"' "$B/config.json" >"$TEST_TMP/process.json"
	assert_status 0 ctr exec --process "$TEST_TMP/process.json" -e FOO=flag --cwd /tmp -u 7 "$ID"
	assert_eq $'config\n/etc\n0' "$OUTPUT" "--process wins"
	# --preserve-fds N: fds 3 .. 3+N-1 stay open
	echo preserved >"$TEST_TMP/fd3"
	assert_status 0 ctr exec --preserve-fds 1 "$ID" sh -c 'cat <&3' 3<"$TEST_TMP/fd3"
	assert_eq preserved "$OUTPUT" "--preserve-fds 1"
	assert_status 2 ctr exec "$ID" sh -c 'cat <&3 2>/dev/null || exit 2' 3<"$TEST_TMP/fd3"
	# -t: the process on a terminal of the container's, relayed
	assert_status 7 ctr exec -t "$ID" sh -c 'tty; echo on-a-tty; exit 7' </dev/null
	assert_contains "$OUTPUT" $'/dev/pts/' "-t: a pts"
	assert_contains "$OUTPUT" $'on-a-tty\r' "-t: the terminal's line ending"
	assert_status 0 ctr exec "$ID" sh -c 'tty || true'
	assert_eq "not a tty" "$OUTPUT" "no -t: no terminal, whatever process.terminal says"
	# -t -d: the terminal's master to --console-socket (runc's recvtty side in python)
	if command -v python3 >/dev/null; then
		OUTPUT=$(python3 - "$CTR" "$R" "$ID" "$TEST_TMP/exec.sock" <<'PY'
import array, os, socket, subprocess, sys, time
ctr, root, cid, path = sys.argv[1:5]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(10)
rc = subprocess.run([ctr, "--root", root, "exec", "-t", "-d", "--console-socket", path, cid,
                     "sh", "-c", "echo hi-$((6*7)); tty"], stdin=subprocess.DEVNULL).returncode
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(64, socket.CMSG_LEN(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
print("exec exit %d, received %s, %d fd" % (rc, msg.decode(), len(fds)))
out, end = b"", time.time() + 3
while time.time() < end and b"/dev/pts" not in out:
    try:
        out += os.read(fds[0], 4096)
    except OSError:
        break
print(out.decode(errors="replace"))
PY
) || fail "console socket: $OUTPUT"
		assert_contains "$OUTPUT" "exec exit 0, received /dev/ptmx, 1 fd" "exec -t -d --console-socket"
		assert_contains "$OUTPUT" $'hi-42\r\n/dev/pts/' "the process on the terminal sent"
	fi
	# refused, one line each
	assert_status 125 ctr exec -e NOEQUALS "$ID" true
	assert_eq "isolab-ctr: --env \`NOEQUALS\`: not KEY=VALUE" "$OUTPUT" "-e without ="
	assert_status 125 ctr exec --cwd tmp "$ID" true
	assert_eq "isolab-ctr: --cwd \`tmp\`: not an absolute path" "$OUTPUT" "relative --cwd"
	assert_status 125 ctr exec -u root "$ID" true
	assert_eq "isolab-ctr: --user \`root\`: not UID[:GID] (numbers below 4294967295)" "$OUTPUT" "-u name"
	assert_status 125 ctr exec -u 1:x "$ID" true
	assert_eq "isolab-ctr: --user \`1:x\`: not UID[:GID] (numbers below 4294967295)" "$OUTPUT" "-u bad gid"
	assert_status 125 ctr exec --cap CAP_NOPE "$ID" true
	assert_eq "isolab-ctr: --cap \`CAP_NOPE\`: unknown capability" "$OUTPUT" "--cap unknown"
	assert_status 125 ctr exec --preserve-fds -1 "$ID" true
	assert_eq "isolab-ctr: --preserve-fds \`-1\`: not a number from 0 to 1024" "$OUTPUT" "--preserve-fds"
	assert_status 125 ctr exec -t -d "$ID" true
	assert_eq "isolab-ctr: cannot allocate tty if isolab-ctr will detach without setting console socket" "$OUTPUT" "-t -d"
	assert_status 125 ctr exec --console-socket "$TEST_TMP/s" "$ID" true
	assert_eq "isolab-ctr: cannot use console socket if isolab-ctr will not detach or allocate tty" "$OUTPUT" "--console-socket alone"
	assert_status 0 ctr kill "$ID" KILL
	wait_status "$ID" stopped
	assert_status 0 ctr delete "$ID"
	assert_nothing_left "$ID"
}
