# container/tests/integration/ctr.sh: isolab-ctr end to end, as root, on
# this host (cgroup v1/hybrid here) and inside the lab (pure cgroup v2).
WHERE="host v2"
TEST_TIMEOUT=300

# need, run, cgroup_v2, cgroup_dir, wait_running, leftovers: shared with the
# other container test files.
source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

test_pid1_and_hostname() {
	need
	local out
	out=$(run --hostname box -- sh -c 'echo $$; hostname')
	assert_eq "1
box" "$out" "PID and hostname inside"
	[ "$(hostname)" != box ] || fail "host hostname changed"
}

test_no_host_process_visible() {
	need
	local out
	out=$(run -- sh -c "ls -d /proc/[0-9]* | sed 's,/proc/,,' | sort -n | tr '\n' ' '; [ -e /proc/$$ ] && echo HOSTPID; true")
	assert_not_contains "$out" HOSTPID "host process $$ visible"
	for p in $out; do
		[ "$p" -lt 10 ] || fail "unexpected pid $p visible: $out"
	done
	assert_contains " $out" " 1 " "pid 1 listed"
}

test_exit_statuses() {
	need
	assert_status 3 run -- sh -c 'exit 3'
	assert_status 0 run -- /bin/true
	assert_status 127 run -- no-such-command
	assert_contains "$OUTPUT" "isolab-ctr: exec \`no-such-command\`: command not found" "127 message"
	assert_status 126 run -- /etc/passwd
	assert_status 125 "$CTR" run --rootfs "$TEST_TMP/missing" -- true
	assert_contains "$OUTPUT" "missing" "missing rootfs named"
	[ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "more than one line: $OUTPUT"
	assert_status 125 run --memory 12Q -- true
	assert_eq "isolab-ctr: --memory \`12Q\`: not a size (use e.g. 512K, 128M, 2G)" "$OUTPUT" "size error"
	assert_status 125 run --cpus half -- true
	assert_status 125 "$CTR" frobnicate
}

# term_runtime_expect NAME PID STATUS WHAT: once container NAME runs, sends
# SIGTERM to its runtime (PID, a background job of this shell) and checks
# the runtime's exit status.
term_runtime_expect() {
	local status=0 pid
	wait_running "$1"
	# until the command catches SIGTERM (SigCgt bit 14): PID 1 ignores it
	# before, and a fixed sleep was too short in the lab
	pid=$(head -n 1 "$(cgroup_dir $1)/cgroup.procs")
	for _ in $(seq 200); do
		(( 0x$(awk '/^SigCgt/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0) & 0x4000 )) && break
		sleep 0.05
	done
	kill -TERM "$2"
	wait "$2" || status=$?
	assert_eq "$3" "$status" "$4"
}

test_signals() {
	need
	local name=sig$$ pid status=0
	# killed from outside: 128 + 9
	"$CTR" run --rootfs "$ROOTFS" --name $name -- sleep 30 &
	pid=$!
	trap "kill $pid 2>/dev/null || true" EXIT # a failed check leaves nothing running
	wait_running $name
	kill -KILL "$(head -n 1 "$(cgroup_dir $name)/cgroup.procs")"
	wait $pid || status=$?
	assert_eq 137 "$status" "status of a SIGKILLed command"
	# SIGTERM to the runtime is forwarded to the command
	"$CTR" run --rootfs "$ROOTFS" --name $name -- sh -c 'trap "exit 42" TERM; while :; do sleep 0.05; done' &
	pid=$!
	trap "kill -KILL $pid 2>/dev/null || true" EXIT # (leaves its cgroup: only on failure)
	term_runtime_expect $name $pid 42 "SIGTERM forwarded"
}

test_memory_hog_oom_killed() {
	need
	# (kept small: inside the lab every instruction is emulated)
	assert_status 137 run --memory 16M --stats "$TEST_TMP/s.json" -- \
		sh -c 'x=$(head -c 48000000 /dev/zero | tr "\0" a); echo survived'
	assert_not_contains "$OUTPUT" survived "hog survived"
	assert_contains "$OUTPUT" "out of memory: killed by the OOM killer" "OOM line"
	python3 - "$TEST_TMP/s.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["oom_killed"] is True, d
assert d["exit_status"] == 137, d
assert d["memory"]["limit_bytes"] == 16 << 20, d
assert d["memory"]["peak_bytes"] > 8 << 20, d
PY
	# the same command without a limit is not killed (the test can fail)
	assert_status 0 run --memory 64M -- sh -c 'x=$(head -c 4000000 /dev/zero | tr "\0" a); echo ok'
}

test_fork_bomb_stopped_by_pids_limit() {
	need
	# Bounded: at most 200 forks are attempted, each sleeper ends in 20 s,
	# and all die with the container's PID 1.
	assert_status 0 run --pids 20 --memory 128M -- sh -c '
		# the subshell dies at the first refused fork; its sleepers stay
		(i=0; while [ $i -lt 200 ]; do sleep 20 & i=$((i + 1)); done) 2>/dev/null
		set -- /proc/[0-9]*; echo "running $#"'
	local n
	n=$(printf '%s\n' "$OUTPUT" | sed -n 's/^running //p')
	[ -n "$n" ] || fail "no count: $OUTPUT"
	[ "$n" -le 20 ] || fail "$n processes despite --pids 20"
	[ "$n" -ge 10 ] || fail "only $n processes: the limit was not what stopped them"
}

test_init_reaps_and_forwards() {
	need
	local name=init$$ pid out
	out=$(run --init -- sh -c 'echo $$; cat /proc/1/comm; (sleep 0.1 &); sleep 0.4; grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l')
	assert_eq "2
isolab-init
0" "$out" "command is PID 2 under isolab-init, orphans reaped"
	assert_status 5 run --init -- sh -c 'exit 5'
	assert_status 127 run --init -- no-such-command
	# a plain `sleep` ignores SIGTERM as PID 1, but not under --init
	"$CTR" run --rootfs "$ROOTFS" --name $name --init -- sleep 30 &
	pid=$!
	trap "kill -KILL $pid 2>/dev/null || true" EXIT # (leaves its cgroup: only on failure)
	term_runtime_expect $name $pid 143 "SIGTERM through the init"
}

test_cgroup_limits_written() {
	need
	local name=lim$$ dir
	"$CTR" run --rootfs "$ROOTFS" --name $name --cpus 0.5 --memory 48M --pids 33 -- sleep 2 &
	local pid=$!
	trap "kill $pid 2>/dev/null || true" EXIT
	dir=$(cgroup_dir $name)
	wait_running $name
	if cgroup_v2; then
		assert_eq "50000 100000" "$(cat $dir/cpu.max)" "cpu.max"
		assert_eq $((48 << 20)) "$(cat $dir/memory.max)" "memory.max"
		assert_eq 33 "$(cat $dir/pids.max)" "pids.max"
	else
		assert_eq 50000 "$(cat /sys/fs/cgroup/cpu/isolab-ctr/$name/cpu.cfs_quota_us)" "cfs_quota_us"
		assert_eq 100000 "$(cat /sys/fs/cgroup/cpu/isolab-ctr/$name/cpu.cfs_period_us)" "cfs_period_us"
		assert_eq $((48 << 20)) "$(cat /sys/fs/cgroup/memory/isolab-ctr/$name/memory.limit_in_bytes)" "limit_in_bytes"
		assert_eq 33 "$(cat /sys/fs/cgroup/pids/isolab-ctr/$name/pids.max)" "pids.max"
	fi
	wait $pid
	[ ! -d "$dir" ] || fail "cgroup $dir left after exit"
}

test_container_layer_gone_after_exit() {
	need
	run -- sh -c 'echo data > /etc/marker && rm /etc/hostname && cat /etc/marker' >"$TEST_TMP/out"
	assert_eq data "$(cat "$TEST_TMP/out")" "write inside"
	assert_status 0 run -- sh -c 'cat /etc/hostname; [ ! -e /etc/marker ]'
	assert_eq isolab "$OUTPUT" "image unchanged"
	[ ! -e "$ROOTFS/etc/marker" ] || fail "write reached the image"
}

test_keep_layer() {
	need
	local keep=$TEST_TMP/keep
	run --keep-layer "$keep" -- sh -c 'echo kept > /etc/marker; rm /etc/hostname'
	assert_eq kept "$(cat "$keep/etc/marker")" "kept file"
	[ ! -e "$ROOTFS/etc/marker" ] || fail "write reached the image"
	# the kept layer stacks on the image, its whiteout hides /etc/hostname
	assert_status 0 "$CTR" run --layer "$ROOTFS" --layer "$keep" -- \
		sh -c 'cat /etc/marker; [ ! -e /etc/hostname ] && echo gone'
	assert_eq "kept
gone" "$OUTPUT" "stacked kept layer"
}

test_volume_data_kept() {
	need
	mkdir -p "$TEST_TMP/vol" "$TEST_TMP/ro"
	echo host >"$TEST_TMP/ro/f"
	run -v "$TEST_TMP/vol:/data" -v "$TEST_TMP/ro:/ro:ro" -- \
		sh -c 'echo saved > /data/f; cat /ro/f; echo x > /ro/g 2>/dev/null && echo ROWRITE; true' >"$TEST_TMP/out"
	assert_eq saved "$(cat "$TEST_TMP/vol/f")" "volume data"
	assert_eq host "$(cat "$TEST_TMP/out")" "ro volume read, not written"
	[ ! -e "$TEST_TMP/ro/g" ] || fail "wrote through a read-only volume"
	assert_status 125 run -v "$TEST_TMP/nope:/x" -- true
	assert_contains "$OUTPUT" "nope" "missing volume named"
}

test_capabilities_default_set() {
	need
	local out
	out=$(run -- grep -E '^(CapEff|CapPrm|CapBnd|CapInh|CapAmb|NoNewPrivs)' /proc/self/status | tr -s '\t ' ' ')
	assert_contains "$out" "CapEff: 00000000a80425fb" "CapEff"
	assert_contains "$out" "CapPrm: 00000000a80425fb" "CapPrm"
	assert_contains "$out" "CapBnd: 00000000a80425fb" "CapBnd"
	assert_contains "$out" "CapAmb: 0000000000000000" "CapAmb"
	assert_contains "$out" "NoNewPrivs: 1" "NoNewPrivs"
	out=$(run --cap-drop ALL -- grep CapEff /proc/self/status)
	assert_contains "$out" 0000000000000000 "--cap-drop ALL"
}

test_privileged_operations_refused() {
	need
	local out
	out=$(run -- sh -c '
		mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED
		# if this ever succeeded it would set the clock to the current second
		date -s "@$(date +%s)" 2>&1 | grep -q "not permitted" || echo CLOCK
		hostname other 2>/dev/null && echo HOSTNAME
		# init_module: EPERM (or ENOSYS on a kernel without modules)
		insmod /bin/busybox 2>/dev/null && echo MODULE
		echo done')
	assert_eq done "$out" "privileged operations"
	# and the capabilities for them are gone from the bounding set
	local bnd
	bnd=$(run -- sh -c 'grep CapBnd /proc/self/status' | awk '{print $2}')
	for bit in 16 21 25; do # CAP_SYS_MODULE, CAP_SYS_ADMIN, CAP_SYS_TIME
		[ $(( (0x$bnd >> bit) & 1 )) = 0 ] || fail "capability $bit in the bounding set"
	done
}

test_proc_masked() {
	need
	local checked=0 f out
	for f in kcore keys timer_list sched_debug sysrq-trigger; do
		[ -e /proc/$f ] || continue
		checked=$((checked + 1))
		out=$(run -- sh -c "wc -c < /proc/$f 2>/dev/null || echo 0")
		assert_eq 0 "$(echo $out)" "/proc/$f masked"
	done
	[ $checked -gt 0 ] || skip "none of the masked /proc files exists here"
	out=$(run -- sh -c 'echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo WROTE; grep " /proc/sys " /proc/self/mountinfo')
	assert_not_contains "$out" WROTE "/proc/sys writable"
	assert_contains "$out" " ro," "/proc/sys read-only"
	out=$(run -- sh -c 'touch /sys/x 2>/dev/null && echo WROTE; ls /dev | tr "\n" " "')
	assert_not_contains "$out" WROTE "/sys writable"
	for f in null zero full random urandom tty; do assert_contains " $out" " $f " "/dev/$f"; done
	assert_not_contains "$out" " sda" "host disks in /dev"
	assert_not_contains "$out" " vda" "host disks in /dev"
	assert_not_contains "$out" " kmsg" "/dev/kmsg"
}

test_net_none_loopback_only() {
	need
	local out host
	out=$(run --net none -- sh -c 'ls /sys/class/net; ip -o link show lo | grep -c UP')
	assert_eq "lo
1" "$out" "only lo, up"
	host=$(ls /sys/class/net | wc -l)
	out=$(run --net host -- sh -c 'ls /sys/class/net | wc -l')
	assert_eq "$host" "$out" "--net host sees the host's interfaces"
}

test_userns_mapping() {
	need
	mkdir -p "$TEST_TMP/u" && chmod 755 "$TEST_TMP" && chmod 777 "$TEST_TMP/u"
	assert_status 0 run --userns -v "$TEST_TMP/u:/u" -- sh -c 'cat /proc/self/uid_map; id -u; touch /u/f /tmp/t'
	assert_contains "$(echo $OUTPUT)" "0 100000 65536 0" "uid_map and uid 0"
	assert_eq "100000:100000" "$(stat -c %u:%g "$TEST_TMP/u/f")" "owner outside"
	assert_status 0 run --userns=200000:1000 -v "$TEST_TMP/u:/u" -- touch /u/g
	assert_eq 200000 "$(stat -c %u "$TEST_TMP/u/g")" "custom base"
}

write_bundle() { # DIR JSON-FRAGMENT-FOR-PROCESS
	mkdir -p "$1"
	cat >"$1/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": $2,
  "root": { "path": "$(cd "$ROOTFS" && pwd)", "readonly": true },
  "hostname": "ocibox",
  "somethingUnknown": [1, 2, 3],
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
                    { "type": "uts" }, { "type": "mount" } ],
    "resources": { "memory": { "limit": 67108864 }, "pids": { "limit": 40 },
                   "cpu": { "quota": 20000, "period": 100000 } },
    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list" ],
    "readonlyPaths": [ "/proc/sys" ]
  }
}
JSON
}

test_oci_bundle() {
	need
	write_bundle "$TEST_TMP/b" '{ "args": ["sh", "-c", "echo $FOO; hostname; id -u; id -g; pwd; grep CapEff /proc/self/status; ulimit -n; touch /etc/x 2>/dev/null || echo RO; echo $$"],
	    "env": ["PATH=/bin", "FOO=bar"], "cwd": "/tmp", "user": { "uid": 1000, "gid": 1001 },
	    "capabilities": { "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"],
	                      "ambient": ["CAP_KILL"], "inheritable": ["CAP_KILL"] },
	    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 256, "soft": 128 } ],
	    "noNewPrivileges": true }'
	assert_status 0 "$CTR" run --bundle "$TEST_TMP/b" oci$$
	assert_eq "bar
ocibox
1000
1001
/tmp
CapEff:	0000000000000020
128
RO
1" "$OUTPUT" "bundle run"
}

test_oci_malformed_config_refused() {
	need
	mkdir -p "$TEST_TMP/m"
	printf '{"ociVersion": "1.0.2", "process": {"args": ["true"], ' >"$TEST_TMP/m/config.json"
	assert_status 125 "$CTR" run --bundle "$TEST_TMP/m"
	assert_contains "$OUTPUT" "malformed JSON" "syntax error"
	[ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "not one line: $OUTPUT"
	write_bundle "$TEST_TMP/n" '{ "cwd": "/" }'
	assert_status 125 "$CTR" run --bundle "$TEST_TMP/n"
	assert_contains "$OUTPUT" "process.args: missing (required)" "missing field named"
	write_bundle "$TEST_TMP/o" '{ "args": ["true"], "cwd": "/", "user": {"uid": "root", "gid": 0} }'
	assert_status 125 "$CTR" run --bundle "$TEST_TMP/o"
	assert_contains "$OUTPUT" "process.user.uid: must be a number" "wrong type named"
}

test_stats_phases() {
	need
	run --stats "$TEST_TMP/s.json" -- sh -c 'exit 7' || true
	python3 - "$TEST_TMP/s.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["phases_ns"]
order = ["start", "cgroup", "clone", "mounts", "pivot", "exec", "exit", "cleanup"]
v = [p[k] for k in order]
assert all(isinstance(x, (int, float)) and x > 0 for x in v), p
assert v == sorted(v), p
assert d["exit_status"] == 7, d
assert d["oom_killed"] is False, d
assert d["memory"]["peak_bytes"] > 0, d
assert d["memory"]["peak_source"], d
PY
}

test_env_workdir_user_readonly() {
	need
	assert_status 0 run -e FOO=bar -w /tmp -u 65534:65534 -- sh -c 'echo $FOO $(pwd) $(id -u):$(id -g); grep CapEff /proc/self/status'
	assert_contains "$OUTPUT" "bar /tmp 65534:65534" "env, workdir, user"
	assert_contains "$OUTPUT" "0000000000000000" "no capabilities as a non-root user"
	# a working directory the image lacks is made, as runc and Docker do,
	# in the container's own layer (the image keeps none)
	assert_status 0 run -w /not/yet/there -- pwd
	assert_eq /not/yet/there "$OUTPUT" "a missing working directory, made"
	[ ! -e "$ROOTFS/not" ] || fail "the working directory was made in the image"
	assert_status 125 run --read-only -w /not/yet -- pwd
	assert_eq "isolab-ctr: working directory \`/not/yet\`: Read-only file system" "$OUTPUT" "read-only root: cannot make it"
	assert_status 0 run --read-only -- sh -c 'touch /etc/x 2>/dev/null && echo WROTE; echo ok'
	assert_eq ok "$OUTPUT" "read-only root"
}

test_bad_input_leaves_nothing() {
	need
	local before after
	before=$(leftovers)
	run --memory 12Q -- true 2>/dev/null || true
	"$CTR" run --rootfs "$TEST_TMP/none" -- true 2>/dev/null || true
	run -- no-such-command 2>/dev/null || true
	run -v "$TEST_TMP/none:/x" -- true 2>/dev/null || true
	run --cgroup-parent "does/not/../exist" -- true 2>/dev/null || true
	run --name "bad/name" -- true 2>/dev/null || true
	mkdir -p "$TEST_TMP/m" && echo '{' >"$TEST_TMP/m/config.json"
	"$CTR" run --bundle "$TEST_TMP/m" 2>/dev/null || true
	after=$(leftovers)
	assert_eq "$before" "$after" "state after bad input"
}

test_unwritable_cgroupfs_leaves_nothing() {
	need
	local before after target
	# the last hierarchy written (pids on v1) read-only, in a private mount namespace
	if cgroup_v2; then target=/sys/fs/cgroup; else target=/sys/fs/cgroup/pids; fi
	before=$(leftovers)
	assert_status 125 unshare -m sh -c "mount --bind $target $target &&
		mount -o remount,bind,ro $target && exec $CTR run --rootfs $ROOTFS --pids 10 -- true"
	assert_contains "$OUTPUT" "Read-only file system" "cgroupfs error"
	[ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "not one line: $OUTPUT"
	after=$(leftovers)
	assert_eq "$before" "$after" "state after the refused cgroup"
}

test_hundred_containers_no_leak() {
	need
	local before after i
	before=$(leftovers)
	for i in $(seq 100); do
		run --memory 64M --pids 50 --cpus 1 -- /bin/true || fail "run $i failed"
	done
	after=$(leftovers)
	assert_eq "$before" "$after" "state after 100 containers"
}

# ---- a runtime killed with SIGKILL: its leftovers and the sweep ----

record() { echo /run/isolab-ctr/.owners/$1; } # the owner record of NAME

# Every cgroup directory container NAME has, in any hierarchy.
cgroup_dirs() {
	ls -d /sys/fs/cgroup/isolab-ctr/$1 /sys/fs/cgroup/*/isolab-ctr/$1 2>/dev/null | tr '\n' ' ' || true
}

# kill_runtime NAME PID: once container NAME runs, SIGKILLs its runtime
# (PID, a background job of this shell), and waits until the container's
# processes died with it (PR_SET_PDEATHSIG).
kill_runtime() {
	local status=0
	wait_running "$1"
	kill -KILL "$2"
	wait "$2" || status=$?
	assert_eq 137 "$status" "status of the SIGKILLed runtime of $1"
	for _ in $(seq 100); do
		grep -q . "$(cgroup_dir $1)/cgroup.procs" || return 0
		sleep 0.05
	done
	fail "container $1 outlived its runtime"
}

# assert_swept NAME: nothing of container NAME is left.
assert_swept() {
	[ ! -e "$(record $1)" ] && [ ! -L "$(record $1)" ] || fail "owner record of $1 left"
	[ ! -e /run/isolab-ctr/$1 ] || fail "state dir of $1 left"
	assert_eq "" "$(cgroup_dirs $1)" "cgroups of $1"
	assert_not_contains "$(cat /proc/self/mountinfo)" "/run/isolab-ctr/$1" "mounts of $1"
}

test_killed_runtime_leftovers_swept() {
	need
	local a=killa$$ b=killb$$ pa pb n
	# a: its writable layer mounted on the host (--keep-layer), a cgroup in
	# every hierarchy; b: the default (its layer dies with its namespace)
	"$CTR" run --rootfs "$ROOTFS" --name $a --keep-layer "$TEST_TMP/keep" --cpus 0.5 --pids 20 \
		-- sleep 30 &
	pa=$!
	"$CTR" run --rootfs "$ROOTFS" --name $b -- sleep 30 &
	pb=$!
	trap "kill -KILL $pa $pb 2>/dev/null || true" EXIT
	kill_runtime $a $pa
	kill_runtime $b $pb
	# what they left behind
	for n in $a $b; do
		[ -L "$(record $n)" ] || fail "no owner record for $n"
		[ -d "$(cgroup_dir $n)" ] || fail "no cgroup left for $n: the test proves nothing"
	done
	assert_eq "$pa" "$(readlink "$(record $a)" | cut -d' ' -f1)" "record names the runtime"
	[ -d /run/isolab-ctr/$a ] || fail "no state dir left for $a"
	assert_contains "$(cat /proc/self/mountinfo)" " /run/isolab-ctr/$a " "tmpfs of $a still mounted"
	assert_contains "$(cat /proc/self/mountinfo)" " /run/isolab-ctr/$a/root " "overlay of $a still mounted"
	if ! cgroup_v2; then
		[ -d /sys/fs/cgroup/cpu/isolab-ctr/$a ] && [ -d /sys/fs/cgroup/pids/isolab-ctr/$a ] ||
			fail "cpu and pids cgroups of $a missing"
	fi
	# the next run removes all of it, silently, and runs as usual
	assert_status 0 run -- echo ran
	assert_eq ran "$OUTPUT" "output of the sweeping run"
	assert_swept $a
	assert_swept $b
	# and the ids are free again
	assert_status 0 run --name $a -- true
	assert_swept $a
}

test_live_container_not_swept() {
	need
	local name=live$$ pid status=0 before
	"$CTR" run --rootfs "$ROOTFS" --name $name --keep-layer "$TEST_TMP/keep" -- sleep 30 &
	pid=$!
	trap "kill -KILL $pid 2>/dev/null || true" EXIT
	wait_running $name
	before="$(readlink "$(record $name)") $(cgroup_dirs $name)"
	# a concurrent run and an explicit sweep, also while the runtime is stopped
	assert_status 0 run -- true
	assert_eq "" "$OUTPUT" "output of the concurrent run"
	kill -STOP $pid
	assert_status 0 "$CTR" sweep
	kill -CONT $pid
	assert_eq "" "$OUTPUT" "output of the sweep"
	assert_eq "$before" "$(readlink "$(record $name)") $(cgroup_dirs $name)" "live record and cgroup"
	[ -d /run/isolab-ctr/$name/root/bin ] || fail "live container's root file system gone"
	grep -q . "$(cgroup_dir $name)/cgroup.procs" || fail "live container stopped"
	# its id stays taken, and the refused run leaves its record alone
	assert_status 125 run --name $name -- true
	assert_contains "$OUTPUT" "container \`$name\` already exists" "id taken"
	[ -L "$(record $name)" ] || fail "refused run removed the live record"
	# it ends as usual and cleans up after itself
	kill -KILL "$(head -n 1 "$(cgroup_dir $name)/cgroup.procs")"
	wait $pid || status=$?
	assert_eq 137 "$status" "status of the live container"
	assert_swept $name
}

test_stale_cgroup_with_processes_kept() {
	need
	local name=busy$$ pid hold out
	"$CTR" run --rootfs "$ROOTFS" --name $name -- sleep 30 &
	pid=$!
	sleep 30 &
	hold=$!
	trap "kill -KILL $pid $hold 2>/dev/null || true" EXIT
	wait_running $name
	# a host process joins the container's cgroup and outlives the runtime
	echo $hold >"$(cgroup_dir $name)/cgroup.procs"
	kill -KILL $pid
	wait $pid || true
	for _ in $(seq 100); do
		[ "$(cat "$(cgroup_dir $name)/cgroup.procs")" = "$hold" ] && break
		sleep 0.05
	done
	assert_eq "$hold" "$(cat "$(cgroup_dir $name)/cgroup.procs")" "processes left in the cgroup"
	# left alone, with one line; a run goes on regardless
	assert_status 125 "$CTR" sweep
	assert_contains "$OUTPUT" "isolab-ctr: warning: container \`$name\` (its runtime, pid $pid, is gone): kept: remove cgroup \`$(cgroup_dir $name)\`" "warning"
	assert_eq 1 "$(printf '%s\n' "$OUTPUT" | wc -l)" "lines of the warning"
	[ -L "$(record $name)" ] && [ -d "$(cgroup_dir $name)" ] || fail "busy leftovers removed"
	out=$(run -- echo ran 2>&1)
	assert_contains "$out" "warning: container \`$name\`" "warning from run"
	assert_contains "$out" ran "run despite a busy leftover"
	# once that process is gone, the next sweep removes the rest
	kill -KILL $hold
	wait $hold || true
	assert_status 0 "$CTR" sweep
	assert_eq "" "$OUTPUT" "output of the sweep"
	assert_swept $name
}
