# container/tests/integration/attacks.sh: the attacks of
# container/tests/attacks.lib.sh that policy.sh and hygiene.sh do not
# already try, against isolab-ctr's defaults; each test fails if its
# attack works, and checks the error the attack got. The same snippets
# make container/tests/attack-table.sh's comparison with runc and crun.
# Natively here (hybrid cgroups) and in the lab (pure v2).
WHERE="host v2"
TEST_TIMEOUT=300

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"
source "${ISOLAB_ROOT:-.}/container/tests/attacks.lib.sh"

ATTACK_HOST_PATH=$(cd "${ISOLAB_ROOT:-.}" && pwd)/HACKING.md
ATTACK_ABSTRACT=isolab-attacks-$$
ATTACK_RUNTIME_ID=$(stat -L -c %d:%i "$CTR" 2>/dev/null || echo none)
export ATTACK_HOST_PATH ATTACK_ABSTRACT ATTACK_RUNTIME_ID

need_attacks() {
	need
	[ -x "$ROOTFS/bin/sysprobe" ] || skip "no sysprobe in the image (make image)"
}

# attack NAME [OPTIONS...]: OUTPUT and STATUS of the attack under isolab-ctr
attack() { attack_run_ctr "$CTR" "$ROOTFS" "$@"; }

# expect_blocked NAME WHY LINE: the attack ran to its end, was blocked with WHY
# and printed LINE (the error it met)
expect_blocked() {
	assert_eq 0 "$STATUS" "$1: exit status (output: $OUTPUT)"
	assert_contains "$OUTPUT" "$3" "$1: the error"
	assert_eq "blocked ($2)" "$(attack_result "$OUTPUT" "$STATUS")" "$1"
}

test_mount_umount_remount_refused() {
	need_attacks
	attack remount-root-rw
	expect_blocked "remount of a read-only / read-write" EPERM "remount-rw: EPERM"
	attack umount-proc-sys
	expect_blocked "umount /proc/sys" EPERM "umount: EPERM"
	attack remount-proc-sys-rw
	expect_blocked "remount /proc/sys read-write" EPERM "remount-rw: EPERM"
	attack mount-proc
	expect_blocked "a fresh procfs" EPERM "mount-proc: EPERM"
	# the probes work where the policy allows them (the test can fail)
	assert_status 0 run --cap-add SYS_ADMIN --security-opt seccomp=unconfined -- sh -c \
		'sysprobe remount-rw /proc/sys; sysprobe umount /proc/sys; sysprobe mount-proc /tmp'
	assert_eq "remount-rw: ok
umount: ok
mount-proc: ok" "$OUTPUT" "the probes with CAP_SYS_ADMIN and no filter"
}

test_proc_sys_and_sys_unwritable() {
	need_attacks
	attack write-core-pattern
	expect_blocked "/proc/sys/kernel/core_pattern" EROFS \
		"can't create /proc/sys/kernel/core_pattern: Read-only file system"
	[ -e /sys/kernel/rcu_expedited ] || skip "no /sys/kernel/rcu_expedited on this kernel (core_pattern checked)"
	attack write-sys-kernel
	expect_blocked "/sys/kernel/rcu_expedited" EROFS \
		"can't create /sys/kernel/rcu_expedited: Read-only file system"
}

test_settimeofday_and_finit_module_refused() {
	need_attacks
	attack settimeofday
	expect_blocked settimeofday EPERM "settimeofday: EPERM"
	attack finit_module
	expect_blocked finit_module EPERM "finit_module: EPERM"
}

test_chroot_breakout_stays_in_the_container() {
	need_attacks
	[ -e "$ATTACK_HOST_PATH" ] || fail "no $ATTACK_HOST_PATH on the host"
	attack chroot-escape
	# the breakout works (CAP_SYS_CHROOT is a default capability) ...
	assert_contains "$OUTPUT" "chroot-escape: ok" "the breakout left the jail"
	# ... and reaches the container's root, not the host's
	expect_blocked "chroot breakout" "ENOENT: only the container's root" "chroot-escape: ENOENT"
}

test_host_pids_invisible() {
	need_attacks
	attack host-pids
	assert_eq 0 "$STATUS" "host pids: exit status (output: $OUTPUT)"
	assert_contains "$OUTPUT" "pid 1: sh" "the container's command is PID 1"
	assert_contains "$(attack_result "$OUTPUT" 0)" "blocked (own pid namespace: " "host pids"
	assert_contains "$OUTPUT" "pids: 1 " "the container's PID 1"
	assert_not_contains "$OUTPUT" "$(cat /proc/1/comm)" "the host's PID 1 ($(cat /proc/1/comm))"
}

test_host_interfaces_invisible() {
	need_attacks
	[ "$(ls /sys/class/net)" != lo ] || skip "the host has only lo: nothing to hide"
	attack host-interfaces
	expect_blocked "host interfaces" "own network namespace: lo only" "interfaces: lo "
}

test_host_abstract_socket_unreachable() {
	need_attacks
	command -v python3 >/dev/null || skip "no python3 for the host's listener"
	LISTENER=$(attack_listen "$ATTACK_ABSTRACT")
	trap 'kill "$LISTENER" 2>/dev/null || true' EXIT
	# the host reaches it ...
	assert_status 0 "$ROOTFS/bin/sysprobe" abstract-connect "$ATTACK_ABSTRACT"
	# ... a container with its own network namespace does not
	attack abstract-socket
	expect_blocked "host abstract socket" ECONNREFUSED "abstract-connect: ECONNREFUSED"
	# and one with the host's network does (abstract sockets follow the netns)
	attack abstract-socket --net host
	assert_contains "$OUTPUT" "result: ALLOWED" "--net host reaches the host's abstract socket"
}

test_runtime_binary_not_writable() {
	need_attacks
	local n
	for n in runtime-exe runtime-exe-init; do
		attack $n
		assert_contains "$OUTPUT" "can't create /proc/self/exe: Text file busy" "$n: /proc/self/exe"
		expect_blocked "$n" ETXTBSY "can't create /proc/1/exe: Text file busy"
		assert_contains "$OUTPUT" "runtime binary visible: no" "$n: /proc/*/exe is the host's isolab-ctr"
	done
	assert_contains "$(run --init -- readlink /proc/1/exe)" "memfd:isolab-init" "PID 1 with --init"
}

# CVE-2019-5736's first step: an image whose program is a script with
# `#!/proc/self/exe` makes the process that execs it run its own binary
# again as the interpreter. That process must not be the host's runtime
# (which would then load the image's C library); it is the runtime's
# sealed helper, which refuses in one line.
test_shebang_proc_self_exe_reaches_only_the_sealed_helper() {
	need_attacks
	local dir n
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' RETURN
	printf '#!/proc/self/exe\necho image code ran\n' >"$dir/evil"
	chmod 755 "$dir/evil"
	for n in "" --init; do
		OUTPUT=$(run $n -v "$dir:/x:ro" -- /x/evil 2>&1) && STATUS=0 || STATUS=$?
		assert_eq 126 "$STATUS" "#!/proc/self/exe ${n:-without --init}: status (output: $OUTPUT)"
		assert_eq "isolab-init: the runtime's sealed helper: not a program to run" "$OUTPUT" \
			"#!/proc/self/exe ${n:-without --init}: what ran"
	done
	# the program itself still runs through the helper, with its own
	# PATH and errors: not found 127, not executable 126
	assert_status 127 run -- no-such-program
	assert_contains "$OUTPUT" "isolab-ctr: exec \`no-such-program\`: command not found in PATH" "not found"
	assert_status 126 run -v "$dir:/x:ro" -- /x
	assert_contains "$OUTPUT" "isolab-ctr: exec \`/x\`: Permission denied" "a directory"
	assert_status 0 run -e PATH=/nowhere:/bin -- busybox true
	assert_status 127 run -e PATH=/nowhere -- busybox true
}

test_fork_bomb_bounded_by_default_pids_limit() {
	need_attacks
	local name=bomb$$ start n
	start=$(date +%s)
	attack fork-bomb --name $name
	assert_eq 0 "$STATUS" "fork bomb: exit status (output: $OUTPUT)"
	assert_contains "$(attack_result "$OUTPUT" 0)" "blocked (EAGAIN at " "fork bomb"
	n=$(printf '%s\n' "$OUTPUT" | sed -n 's/^processes: \([0-9]*\),.*/\1/p')
	[ "$n" -le 2048 ] || fail "$n processes above the default limit 2048"
	[ "$n" -ge 1024 ] || fail "only $n processes: not the limit that stopped it"
	[ $(($(date +%s) - start)) -lt 200 ] || fail "the bomb ran $(($(date +%s) - start)) s"
	# the host is fine: it forks, and nothing of this container is left
	# (only its own: other containers may run on this host meanwhile)
	assert_status 0 sh -c 'true & wait'
	[ -z "$(ls -d /sys/fs/cgroup/isolab-ctr/$name /sys/fs/cgroup/*/isolab-ctr/$name 2>/dev/null)" ] ||
		fail "cgroups of $name left: $(ls -d /sys/fs/cgroup/isolab-ctr/$name /sys/fs/cgroup/*/isolab-ctr/$name 2>/dev/null)"
	[ ! -e /run/isolab-ctr/.owners/$name ] || fail "owner record of $name left"
}

test_memory_hog_oom_killed_one_line() {
	need_attacks
	attack memory-hog
	assert_eq 137 "$STATUS" "memory hog's status (output: $OUTPUT)"
	assert_not_contains "$OUTPUT" "result: ALLOWED" "the hog held 64 MB under --memory 32M"
	assert_eq 1 "$(printf '%s\n' "$OUTPUT" | wc -l)" "one line: $OUTPUT"
	assert_contains "$OUTPUT" "out of memory: killed by the OOM killer at its 32 MiB limit" "OOM line"
}

test_disk_filler_stops_at_layer_size() {
	need_attacks
	local root_before tmp_before
	root_before=$(df -Pk / | awk 'NR == 2 { print $4 }')
	tmp_before=$(df -Pk /tmp | awk 'NR == 2 { print $4 }')
	attack disk-filler
	expect_blocked "disk filler" ENOSPC "dd: error writing '/fill': No space left on device"
	assert_contains "$OUTPUT" "written: 16 MB" "what the 16M layer took"
	# the host's disks did not pay for it (the 64 MB would show; others' writes are noise below that)
	[ "$(df -Pk / | awk 'NR == 2 { print $4 }')" -gt $((root_before - 48 * 1024)) ] || fail "/ lost space"
	[ "$(df -Pk /tmp | awk 'NR == 2 { print $4 }')" -gt $((tmp_before - 48 * 1024)) ] || fail "/tmp lost space"
}

# A session keyring of its own (as runc): even with seccomp=unconfined, the
# container's @s is not the caller's, and two containers do not share one.
test_session_keyring_is_the_containers_own() {
	need_attacks
	local host a b
	host=$("$ROOTFS/bin/sysprobe" session-keyring)
	OUTPUT=$(run --security-opt seccomp=unconfined -- sysprobe session-keyring 2>&1) || fail "$OUTPUT"
	a=$OUTPUT
	OUTPUT=$(run --security-opt seccomp=unconfined -- sysprobe session-keyring 2>&1) || fail "$OUTPUT"
	b=$OUTPUT
	[[ $host =~ ^session-keyring:\ [0-9]+$ ]] || fail "host: $host"
	[[ $a =~ ^session-keyring:\ [0-9]+$ ]] || fail "container: $a"
	[ "$a" != "$host" ] || fail "the container has the caller's session keyring ($a)"
	[ "$a" != "$b" ] || fail "two containers share a session keyring ($a)"
	# with the default profile keyctl itself is refused
	assert_status 1 run -- sysprobe session-keyring
	assert_eq "session-keyring: EPERM" "$OUTPUT" "keyctl under the default profile"
}
